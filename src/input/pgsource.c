/* pgsource.c - PostgreSQL sources: names, labels, connections, COPY rows
 * (see pgsource.h). */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/message.h"
#include "input/pgsource.h"

int hs_pg_is_source(const char *s)
{
    return s && strncasecmp(s, "PG:", 3) == 0;
}

static const char *skip_pg(const char *s)
{
    return hs_pg_is_source(s) ? s + 3 : s;
}

static int is_uri(const char *s)
{
    return strncmp(s, "postgresql://", 13) == 0 ||
           strncmp(s, "postgres://", 11) == 0;
}

/* A growing string; on allocation failure it stays NULL (checked once). */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    int bad;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->bad = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* A value as libpq reads it back: bare when it is plain, else quoted. */
static void sb_value(sbuf *b, const char *v, int always_quote)
{
    int plain = *v != '\0' && !always_quote;
    for (const char *c = v; *c && plain; c++)
        plain = !isspace((unsigned char)*c) && *c != '\'' && *c != '\\';
    if (plain) {
        sb_str(b, v);
        return;
    }
    sb_add(b, "'", 1);
    for (const char *c = v; *c; c++) {
        if (*c == '\'' || *c == '\\')
            sb_add(b, "\\", 1);
        sb_add(b, c, 1);
    }
    sb_add(b, "'", 1);
}

/* " key=value" (the first without the space) into a label; nothing for
 * the password. */
static void label_pair(sbuf *b, int *n, const char *k, const char *v)
{
    if (!strcmp(k, "password"))
        return;
    sb_str(b, (*n)++ ? " " : "");
    sb_str(b, k);
    sb_add(b, "=", 1);
    sb_value(b, v, 0);
}

/* One keyword=value pair of a connection string at *s (advanced past
 * it): key and value malloc'd.  0 ok, 1 at the end, -1 malformed. */
static int next_pair(const char **s, char **key, char **val)
{
    const char *p = *s;
    *key = *val = NULL;
    while (isspace((unsigned char)*p))
        p++;
    if (!*p)
        return 1;
    const char *k0 = p;
    while (*p && !isspace((unsigned char)*p) && *p != '=')
        p++;
    size_t kl = (size_t)(p - k0);
    while (isspace((unsigned char)*p))
        p++;
    if (kl == 0 || *p != '=')
        return -1;
    p++;
    while (isspace((unsigned char)*p))
        p++;
    char *v = malloc(strlen(p) + 1), *o = v;
    if (!v)
        return -1;
    if (*p == '\'') {
        for (p++;; p++) {
            if (!*p) {
                free(v);
                return -1; /* unclosed quote */
            }
            if (*p == '\'')
                break;
            if (*p == '\\' && p[1])
                p++;
            *o++ = *p;
        }
        p++;
    } else {
        for (; *p && !isspace((unsigned char)*p); p++) {
            if (*p == '\\' && p[1])
                p++;
            *o++ = *p;
        }
    }
    *o = '\0';
    if (!(*key = strndup(k0, kl))) {
        free(v);
        return -1;
    }
    *val = v;
    *s = p;
    return 0;
}

/* A URI without its password (user:password@ and password=). */
static void uri_label(sbuf *b, const char *u)
{
    const char *auth = strstr(u, "://") + 3;
    const char *end = auth + strcspn(auth, "/?");
    const char *at = NULL;
    for (const char *c = auth; c < end; c++)
        if (*c == '@')
            at = c;
    sb_add(b, u, (size_t)(auth - u));
    if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        sb_add(b, auth, (size_t)((colon ? colon : at) - auth));
        sb_add(b, at, (size_t)(end - at));
    } else {
        sb_add(b, auth, (size_t)(end - auth));
    }
    const char *q = strchr(end, '?');
    sb_add(b, end, (size_t)((q ? q : end + strlen(end)) - end));
    if (!q)
        return;
    int first = 1;
    for (const char *p = q + 1; *p;) {
        size_t len = strcspn(p, "&");
        if (!(len >= 9 && strncmp(p, "password=", 9) == 0)) {
            sb_add(b, first ? "?" : "&", 1);
            sb_add(b, p, len);
            first = 0;
        }
        p += len + (p[len] == '&');
    }
}

void hs_pg_source_free(hs_pg_source *src)
{
    if (!src)
        return;
    free(src->conninfo);
    free(src->label);
    free(src->table);
    free(src->geom_col);
    memset(src, 0, sizeof *src);
}

hs_status hs_pg_source_parse(const char *s, hs_pg_source *src, hs_error *err)
{
    const char *c = skip_pg(s);
    sbuf ci = {0}, lb = {0};
    hs_status rc = HS_OK;
    memset(src, 0, sizeof *src);
    sb_str(&lb, "PG:");
    if (is_uri(c)) {
        sb_str(&ci, c);
        uri_label(&lb, c);
    } else {
        sb_str(&ci, "");
        char *k, *v;
        int r, nl = 0;
        while ((r = next_pair(&c, &k, &v)) == 0) {
            if (!strcmp(k, "tables")) {
                if (src->table || strchr(v, ',')) {
                    rc = HS_ERR_ARG; /* one table per source */
                } else {
                    char *open = strchr(v, '(');
                    if (open && v[strlen(v) - 1] == ')') {
                        src->geom_col = strndup(open + 1, strlen(open + 1) - 1);
                        src->table = strndup(v, (size_t)(open - v));
                    } else {
                        src->table = strdup(v);
                    }
                    if (!src->table)
                        ci.bad = 1; /* out of memory */
                }
            }
            /* GDAL's keywords stay out of libpq's string, the password
             * out of the label */
            if (strcmp(k, "tables") && strcmp(k, "schemas") &&
                strcmp(k, "active_schema")) {
                sb_str(&ci, ci.n ? " " : "");
                sb_str(&ci, k);
                sb_add(&ci, "=", 1);
                sb_value(&ci, v, 1);
            }
            label_pair(&lb, &nl, k, v);
            free(k);
            free(v);
        }
        if (r < 0)
            rc = HS_ERR_ARG;
    }
    if (ci.bad || lb.bad) {
        rc = HS_ERR_NOMEM;
    } else if (rc == HS_OK || rc == HS_ERR_ARG) {
        src->conninfo = ci.p;
        src->label = lb.p;
        ci.p = lb.p = NULL;
    }
    free(ci.p);
    free(lb.p);
    if (rc == HS_ERR_NOMEM) {
        hs_pg_source_free(src);
        return hs_fail(err, rc, "PostgreSQL source: out of memory");
    }
    if (rc == HS_ERR_ARG) {
        char label[256];
        hs_pg_label(s, label, sizeof label);
        hs_pg_source_free(src);
        return hs_fail(err, rc, "'%s' is not a PostgreSQL connection "
                       "string: give keyword=value pairs (a value with "
                       "spaces in single quotes) and at most one table "
                       "(tables=schema.table)", label);
    }
    return HS_OK;
}

void hs_pg_label(const char *s, char *buf, size_t n)
{
    if (n == 0)
        return;
    if (!hs_pg_is_source(s)) {
        snprintf(buf, n, "%s", s);
        return;
    }
    const char *c = skip_pg(s);
    sbuf lb = {0};
    sb_str(&lb, "PG:");
    if (is_uri(c)) {
        uri_label(&lb, c);
    } else {
        char *k, *v;
        int nl = 0;
        /* a malformed string stops the label where it goes wrong: what
         * follows could be the password's value */
        while (next_pair(&c, &k, &v) == 0) {
            label_pair(&lb, &nl, k, v);
            free(k);
            free(v);
        }
    }
    snprintf(buf, n, "%s", lb.bad || !lb.p ? "PG:" : lb.p);
    free(lb.p);
}

const char *hs_pg_msg(const PGconn *c)
{
    static _Thread_local char buf[512];
    return hs_one_line(c ? PQerrorMessage(c) : NULL,
                       c ? "unknown PostgreSQL error" : "out of memory", buf,
                       sizeof buf);
}

static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

PGconn *hs_pg_connect(const hs_pg_source *src, const char *what, hs_error *err)
{
    /* expand_dbname: the whole string (or URI) is read from "dbname";
     * later keywords override it, the fallback only fills a gap */
    const char *keys[] = {"dbname", "fallback_application_name",
                          "client_encoding", NULL};
    const char *vals[] = {src->conninfo, "hotspot", "UTF8", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        hs_fail(err, HS_ERR_IO, "%s '%s': cannot connect: %s", what,
                src->label, hs_pg_msg(c));
        PQfinish(c);
        return NULL;
    }
    /* the server's notices (AddRasterConstraints', DROP ... CASCADE's)
     * are not the user's business: libpq would print them on stderr */
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    /* ISO dates; floats with every digit (a server before 12 rounds to
     * 15 digits unless told) */
    PGresult *r = PQexec(c, "SET DateStyle = 'ISO, YMD'; "
                            "SET extra_float_digits = 3");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        hs_fail(err, HS_ERR_IO, "%s '%s': setting up the session: %s", what,
                src->label, hs_pg_msg(c));
        PQfinish(c);
        return NULL;
    }
    return c;
}

/* "name" with its double quotes doubled, into b. */
static void sb_ident(sbuf *b, const char *s, size_t n)
{
    sb_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            sb_add(b, "\"", 1);
        sb_add(b, s + i, 1);
    }
    sb_add(b, "\"", 1);
}

char *hs_pg_quote_table(const char *name)
{
    sbuf b = {0};
    const char *dot = strchr(name, '.');
    if (dot) {
        sb_ident(&b, name, (size_t)(dot - name));
        sb_add(&b, ".", 1);
        sb_ident(&b, dot + 1, strlen(dot + 1));
    } else {
        sb_ident(&b, name, strlen(name));
    }
    if (b.bad) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ---- COPY rows --------------------------------------------------------- */

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int hs_pg_copy_fields(char *line, size_t len, char **fields, size_t max,
                      size_t *n)
{
    size_t k = 0, i = 0;
    *n = 0;
    for (;;) {
        size_t start = i, out = i;
        while (i < len && line[i] != '\t')
            i++;
        size_t end = i;
        if (k == max)
            return -1;
        if (end - start == 2 && line[start] == '\\' && line[start + 1] == 'N') {
            fields[k++] = NULL;
        } else {
            /* decode in place: the text only ever gets shorter */
            for (size_t p = start; p < end; p++) {
                char ch = line[p];
                if (ch == '\\' && p + 1 < end) {
                    char e = line[++p];
                    switch (e) {
                    case 'b': ch = '\b'; break;
                    case 'f': ch = '\f'; break;
                    case 'n': ch = '\n'; break;
                    case 'r': ch = '\r'; break;
                    case 't': ch = '\t'; break;
                    case 'v': ch = '\v'; break;
                    case 'x':
                        if (p + 1 < end && hexval(line[p + 1]) >= 0) {
                            int v = hexval(line[++p]);
                            if (p + 1 < end && hexval(line[p + 1]) >= 0)
                                v = v * 16 + hexval(line[++p]);
                            ch = (char)v;
                        } else {
                            ch = 'x';
                        }
                        break;
                    default:
                        if (e >= '0' && e <= '7') {
                            int v = e - '0';
                            for (int d = 0; d < 2 && p + 1 < end &&
                                            line[p + 1] >= '0' && line[p + 1] <= '7'; d++)
                                v = v * 8 + (line[++p] - '0');
                            ch = (char)v;
                        } else {
                            ch = e; /* \\ and any other: the character */
                        }
                    }
                }
                line[out++] = ch;
            }
            line[out] = '\0'; /* the tab or the end: no longer needed */
            fields[k++] = line + start;
        }
        if (i >= len)
            break;
        i++; /* past the tab */
    }
    *n = k;
    return 0;
}

/* n bytes of hex at h into b; -1 if they are not hex. */
static int unhex(const char *h, unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(h[2 * i]), lo = hi < 0 ? -1 : hexval(h[2 * i + 1]);
        if (lo < 0)
            return -1;
        b[i] = (unsigned char)(hi * 16 + lo);
    }
    return 0;
}

static uint64_t get_u(const unsigned char *p, int bytes, int le)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[le ? bytes - 1 - i : i];
    return v;
}

int hs_pg_ewkb_point(const char *hex, double *x, double *y)
{
    unsigned char b[41]; /* order, type, srid, x, y, z, m */
    size_t len = strlen(hex);
    *x = *y = NAN;
    if (len % 2 || len < 10 || unhex(hex, b, 5))
        return -1;
    int le = b[0] == 1;
    if (b[0] > 1)
        return -1;
    uint32_t type = (uint32_t)get_u(b + 1, 4, le);
    int has_srid = (type & 0x20000000u) != 0;
    int dims = 2 + ((type & 0x80000000u) != 0) + ((type & 0x40000000u) != 0);
    type &= 0x0fffffffu;
    if (type >= 1000) { /* ISO WKB: 1001 Z, 2001 M, 3001 ZM */
        dims = 2 + (type / 1000 == 1 || type / 1000 == 3) +
               (type / 1000 == 2 || type / 1000 == 3);
        type %= 1000;
    }
    size_t need = 5 + (has_srid ? 4 : 0) + (size_t)dims * 8;
    if (type != 1 || len != 2 * need || unhex(hex + 10, b + 5, need - 5))
        return -1;
    size_t at = 5 + (has_srid ? 4 : 0);
    uint64_t ux = get_u(b + at, 8, le), uy = get_u(b + at + 8, 8, le);
    memcpy(x, &ux, 8);
    memcpy(y, &uy, 8);
    if (isnan(*x) && isnan(*y))
        return 0; /* PostGIS's empty point */
    return 1;
}

struct hs_pg_rows {
    PGconn *c;
    size_t nfields;
    char **fields;
    char *line;  /* the current row, from libpq (its newline is where
                    the last field's terminator goes) */
    int done;
    char what[300];
};

hs_pg_rows *hs_pg_rows_open(PGconn *c, const char *sql, size_t nfields,
                            const char *what, hs_error *err)
{
    hs_pg_rows *r = calloc(1, sizeof *r);
    char *q = malloc(strlen(sql) + 32);
    if (!r || !q || !(r->fields = calloc(nfields + 1, sizeof *r->fields))) {
        free(q);
        hs_pg_rows_close(r);
        hs_fail(err, HS_ERR_NOMEM, "%s: out of memory", what);
        return NULL;
    }
    r->c = c;
    r->nfields = nfields;
    snprintf(r->what, sizeof r->what, "%s", what);
    sprintf(q, "COPY (%s) TO STDOUT", sql);
    PGresult *res = PQexec(c, q);
    free(q);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        hs_fail(err, HS_ERR_DATA, "%s: %s", what, hs_pg_msg(c));
        PQclear(res);
        r->done = 1;
        hs_pg_rows_close(r);
        return NULL;
    }
    PQclear(res);
    return r;
}

int hs_pg_rows_next(hs_pg_rows *r, char ***fields, hs_error *err)
{
    if (r->done)
        return 0;
    if (r->line) {
        PQfreemem(r->line);
        r->line = NULL;
    }
    char *buf = NULL;
    int len = PQgetCopyData(r->c, &buf, 0);
    if (len == -1) { /* the end: the command's own result says how it went */
        r->done = 1;
        PGresult *res = PQgetResult(r->c);
        int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        while ((res = PQgetResult(r->c)) != NULL)
            PQclear(res);
        if (!ok) {
            hs_fail(err, HS_ERR_DATA, "%s: %s", r->what, hs_pg_msg(r->c));
            return -1;
        }
        return 0;
    }
    if (len < 0) {
        r->done = 1;
        hs_fail(err, HS_ERR_IO, "%s: reading rows: %s", r->what,
                hs_pg_msg(r->c));
        return -1;
    }
    r->line = buf;
    size_t n = (size_t)len;
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    size_t got;
    if (hs_pg_copy_fields(buf, n, r->fields, r->nfields, &got) != 0 ||
        got != r->nfields) {
        hs_fail(err, HS_ERR_DATA, "%s: a row of %zu fields, not %zu", r->what,
                got, r->nfields);
        return -1;
    }
    *fields = r->fields;
    return 1;
}

void hs_pg_rows_close(hs_pg_rows *r)
{
    if (!r)
        return;
    if (r->line)
        PQfreemem(r->line);
    if (!r->done && r->c) {
        /* stopped early: cancel the COPY and let the connection settle */
        PGcancel *cn = PQgetCancel(r->c);
        char eb[256];
        if (cn) {
            PQcancel(cn, eb, sizeof eb);
            PQfreeCancel(cn);
        }
        char *buf;
        int len;
        while ((len = PQgetCopyData(r->c, &buf, 0)) >= 0)
            PQfreemem(buf);
        PGresult *res;
        while ((res = PQgetResult(r->c)) != NULL)
            PQclear(res);
    }
    free(r->fields);
    free(r);
}
