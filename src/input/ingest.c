/* ingest.c - reading incidents into the store (see ingest.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <nettle/sha2.h>

#include "input/crs.h"
#include "input/csv.h"
#include "input/duplicates.h"
#include "hotspot/hs_options.h"
#include "input/ingest.h"
#include "input/pgsource.h"
#include "input/text.h"
#include "input/vector.h"

/* Where parsed rows go: a store, its type -> group cache and the counts.
 * The ingest has one; each parser thread of a split file has its own. */
typedef struct sink {
    hs_incidents *s;
    const hs_categories *cats;
    int16_t *type_group; /* type id -> group id, filled as types appear */
    size_t ntype_group;
    hs_ingest_report rep;
    int features;        /* line numbers are OGR feature ids */
    char *fix[3];        /* repaired copies of a row's text fields */
    size_t fix_cap[3];
    /* the last police.uk force-month seen and its key id, so the key is
     * interned once per run of rows, not per row */
    char fm_force[128];
    size_t fm_len;
    int32_t fm_month, fm_key;
} sink;

static void sink_free_fix(sink *k)
{
    for (int i = 0; i < 3; i++)
        free(k->fix[i]);
}

/* A file given, beside its public record (hs_ingest_source). */
typedef struct source {
    off_t size;
    size_t start, end; /* its rows in the store: [start, end)       */
    int police;        /* police.uk: duplicates by force-month       */
} source;

struct hs_ingest {
    hs_incidents *s;     /* == main.s */
    const hs_ingest_opts *o;
    const hs_categories *cats;
    sink main;
    char *t_src;         /* CRS the cached transform starts from */
    hs_transform *t;
    char tdesc[512];
    hs_ingest_source *pub; /* the files read, in order */
    source *src;
    size_t nsrc, src_cap;
    int finished;
};

/* Columns of one input, -1 where absent. */
typedef struct cols {
    int x, y, cat, date, time, end, weight, loc, lsoa;
    int force, id;  /* police.uk "Falls within"; --id: duplicate keys */
    int month;      /* police.uk Month, for the key even when the store
                       keeps no dates                                  */
    int ncols;
    int geographic; /* x/y are longitude/latitude */
    int police;     /* police.uk street file      */
} cols;

static const char *const skip_names[HS_SKIP_N] = {
    "wrong number of fields", "month or date not readable",
    "dated in the future",    "bad coordinates",
    "no crime type",          "bad weight",
    "binary data",            "identical file",
    "duplicate force-month",  "duplicate id"};

const char *hs_skip_name(hs_skip why) { return skip_names[why]; }

hs_ingest *hs_ingest_create(hs_incidents *store, const hs_ingest_opts *opts,
                            const hs_categories *cats, hs_error *err)
{
    hs_ingest *in = calloc(1, sizeof *in);
    if (!in) {
        hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
        return NULL;
    }
    in->s = store;
    in->o = opts;
    in->cats = cats;
    in->main.s = store;
    in->main.cats = cats;
    in->main.fm_key = -1;
    return in;
}

static void forget_sources(hs_ingest *in)
{
    for (size_t i = 0; i < in->nsrc; i++)
        free((char *)in->pub[i].path);
    in->nsrc = 0;
}

void hs_ingest_destroy(hs_ingest *in)
{
    if (!in)
        return;
    free(in->main.type_group);
    sink_free_fix(&in->main);
    free(in->t_src);
    hs_transform_destroy(in->t);
    forget_sources(in);
    free(in->pub);
    free(in->src);
    free(in);
}

void hs_ingest_reset(hs_ingest *in)
{
    forget_sources(in);
    in->s->n = 0;
    in->main.fm_key = -1;
    in->finished = 0;
}

const hs_ingest_source *hs_ingest_sources(const hs_ingest *in, size_t *n)
{
    *n = in->nsrc;
    return in->pub;
}

hs_status hs_file_sha256(const char *path, char out[65], hs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hs_fail(err, HS_ERR_IO, "cannot open '%s': %s", path,
                       strerror(errno));
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, n, buf);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return hs_fail(err, HS_ERR_IO, "cannot read '%s'", path);
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    return HS_OK;
}

const hs_ingest_report *hs_ingest_get_report(const hs_ingest *in)
{
    return &in->main.rep;
}

const char *hs_ingest_transform_desc(const hs_ingest *in) { return in->tdesc; }

/* Counts a skipped row and keeps the first few reasons as examples. */
static void skip(sink *in, hs_skip why, const char *file, long line,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void skip(sink *in, hs_skip why, const char *file, long line,
                 const char *fmt, ...)
{
    long k = in->rep.skipped[why]++;
    if (k >= HS_INGEST_EXAMPLES)
        return;
    char why_text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why_text, sizeof why_text, fmt, ap);
    va_end(ap);
    if (in->features) /* ids may start at 0 */
        snprintf(in->rep.example[why][k], sizeof in->rep.example[why][k],
                 "%s feature %ld: %s", file, line, why_text);
    else if (line > 0)
        snprintf(in->rep.example[why][k], sizeof in->rep.example[why][k],
                 "%s line %ld: %s", file, line, why_text);
    else /* a store without line numbers */
        snprintf(in->rep.example[why][k], sizeof in->rep.example[why][k],
                 "%s: %s", file, why_text);
}

/* ---- small parsers ---------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

hs_status hs_ingest_opts_columns(hs_ingest_opts *io, const hs_options *o,
                                 hs_error *err)
{
    if (o->start_time && (o->date || o->time))
        return hs_fail(err, HS_ERR_ARG, "--start-time is the date and time "
                       "an incident began: give it instead of --date and "
                       "--time, not with them");
    if (o->end_time && !o->start_time)
        return hs_fail(err, HS_ERR_ARG, "--end-time needs --start-time (the "
                       "window is from --start-time to --end-time)");
    io->crs = o->incidents_crs;
    io->x = o->x;
    io->y = o->y;
    io->category = o->category;
    io->date = o->start_time ? o->start_time : o->date;
    io->start_time = o->start_time != NULL;
    io->time = o->time;
    io->end = o->end_time;
    io->weight = o->weight;
    io->location = o->location;
    io->id = o->id;
    io->sql = o->incidents_sql;
    return HS_OK;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* "HH:MM", "HH:MM:SS" or "HHMM" -> minute of day; -1 if not a time. */
static int parse_time(const char *s, size_t len)
{
    int h, m;
    if (len >= 5 && s[2] == ':' && digits(s, 2, &h) == 0 &&
        digits(s + 3, 2, &m) == 0) {
        if (len != 5 && !(len >= 8 && s[5] == ':'))
            return -1;
    } else if (len == 4 && digits(s, 2, &h) == 0 && digits(s + 2, 2, &m) == 0) {
        /* HHMM */
    } else {
        return -1;
    }
    if (h > 23 || m > 59)
        return -1;
    return h * 60 + m;
}

/*
 * Dates: "YYYY-MM" (month only), "YYYY-MM-DD" or "DD/MM/YYYY" (UK order),
 * optionally followed by " HH:MM[:SS]" or "THH:MM[:SS][zone]".
 */
static int parse_date(const char *s, size_t len, int32_t *month, int8_t *day,
                      int16_t *minute)
{
    int y, m, d = 0;
    size_t rest;
    if (len == 7)
        return hs_month_parse(s, len, month) == 0 ? (*day = 0, 0) : -1;
    if (len >= 10 && s[4] == '-' && s[7] == '-') {
        if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
            return -1;
    } else if (len >= 10 && s[2] == '/' && s[5] == '/') {
        if (digits(s, 2, &d) || digits(s + 3, 2, &m) || digits(s + 6, 4, &y))
            return -1;
    } else {
        return -1;
    }
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    rest = 10;
    if (len > rest) {
        if (s[rest] != ' ' && s[rest] != 'T')
            return -1;
        const char *t = s + rest + 1;
        size_t tl = len - rest - 1;
        size_t core = tl >= 8 && t[5] == ':' ? 8 : 5;
        if (tl < 5)
            return -1;
        int mm = parse_time(t, core);
        if (mm < 0)
            return -1;
        *minute = (int16_t)mm;
    }
    *month = y * 12 + m - 1;
    *day = (int8_t)d;
    return 0;
}

/*
 * Plain decimals ("-1.794123", "414123.50") are the common case: parse the
 * digits into an integer m and divide once by an exact power of ten.  With
 * m < 2^53 and at most 22 decimals both operands are exact, so the one
 * rounding gives the correctly rounded value, identical to strtod (Clinger's
 * fast path).  Anything else goes to strtod.  strtod was 15% of ingest time
 * at 1M rows (measured).
 */
static int fast_decimal(const char *s, size_t len, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0;
    int neg = 0, digits = 0, frac = -1;
    uint64_t m = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    for (; i < len; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            if (m >= (UINT64_C(1) << 53) / 10)
                return -1;
            m = m * 10 + (uint64_t)(ch - '0');
            digits++;
            if (frac >= 0)
                frac++;
        } else if (ch == '.' && frac < 0) {
            frac = 0;
        } else {
            return -1;
        }
    }
    if (digits == 0 || frac > 22)
        return -1;
    double v = (double)m;
    if (frac > 0)
        v /= p10[frac];
    *out = neg ? -v : v;
    return 0;
}

/* A whole field as a finite double; -1 if it is not one. */
static int parse_double(const char *s, size_t len, double *out)
{
    if (len == 0)
        return -1;
    if (fast_decimal(s, len, out) == 0)
        return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (end < s + len && isspace((unsigned char)*end))
        end++;
    if (end != s + len || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)s[i]))
            return 0;
    return 1;
}

/*
 * A text field that is not UTF-8 is read as Windows-1252 as a whole and
 * transcoded (text.h); the row is counted and reported with its file, line
 * and field.  A field that is valid UTF-8 is left alone, so a file mixing
 * both comes out right field by field.
 */
static hs_status fix_text(sink *in, int slot, const char **v, size_t *len,
                          const char *field, const char *file, long line,
                          int *reported, hs_error *err)
{
    size_t n = *len;
    if (hs_utf8_valid_prefix(*v, n) == n)
        return HS_OK;
    if (in->fix_cap[slot] < 3 * n + 1) { /* a byte becomes at most 3 */
        char *b = realloc(in->fix[slot], 3 * n + 1);
        if (!b)
            return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
        in->fix[slot] = b;
        in->fix_cap[slot] = 3 * n + 1;
    }
    int undefined = 0;
    *len = hs_cp1252_to_utf8(*v, n, in->fix[slot], &undefined);
    *v = in->fix[slot];
    if (*reported)
        return HS_OK;
    *reported = 1;
    long k = in->rep.bad_text++;
    if (k < HS_INGEST_EXAMPLES)
        snprintf(in->rep.text_example[k], sizeof in->rep.text_example[k],
                 "%s line %ld: field %s: not UTF-8, read as Windows-1252%s",
                 file, line, field, undefined ? " (bytes undefined there "
                 "replaced by '?')" : "");
    return HS_OK;
}

/* ---- storing a row ------------------------------------------------------ */

static hs_status intern_type(sink *in, const char *v, size_t len,
                             int32_t *type, hs_error *err)
{
    int id = hs_pool_intern(in->s->types, v, len);
    if (id < 0)
        return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
    if ((size_t)id >= in->ntype_group) { /* a new type: look it up once */
        int16_t *tg = realloc(in->type_group, ((size_t)id + 1) * sizeof *tg);
        if (!tg)
            return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
        in->type_group = tg;
        for (size_t i = in->ntype_group; i <= (size_t)id; i++)
            tg[i] = (int16_t)hs_categories_group_of(
                in->cats, hs_pool_str(in->s->types, (int)i),
                strlen(hs_pool_str(in->s->types, (int)i)));
        in->ntype_group = (size_t)id + 1;
    }
    *type = id;
    return HS_OK;
}

/* One parsed row, before it goes into the store. */
typedef struct row {
    double x, y; /* NaN: no location */
    int32_t month;
    int8_t day;
    int16_t minute;
    int32_t span; /* minutes to the end; -1 none, -2 reversed */
    float weight;
    const char *type, *loc, *lsoa;
    size_t type_len, loc_len, lsoa_len;
    int32_t file;
    int64_t line;
    int32_t key; /* duplicate key id; -1 none */
} row;

/* The end column (opts.end) of a row whose start is in w: w->span
 * (ingest.h); -1 when the end is not a date or date-time. */
static int parse_end(const char *e, size_t len, row *w)
{
    int32_t m;
    int8_t d = 0;
    int16_t mi = -1;
    w->span = -1;
    while (len && isspace((unsigned char)e[len - 1]))
        len--;
    if (len == 0)
        return 0;
    if (parse_date(e, len, &m, &d, &mi) != 0 || d == 0)
        return -1;
    if (w->day <= 0 || w->minute < 0)
        return 0; /* no start time: nothing to spread */
    long end = hs_days_from_civil(m, d) * 1440 + (mi < 0 ? 1440 : mi);
    long start = hs_days_from_civil(w->month, w->day) * 1440 + w->minute;
    w->span = end < start ? -2 : end - start > INT32_MAX ? INT32_MAX
                                                         : (int32_t)(end - start);
    return 0;
}

static hs_status store_row(sink *in, const row *r, hs_error *err)
{
    hs_incidents *s = in->s;
    hs_status rc = hs_incidents_reserve(s, 1, err);
    if (rc)
        return rc;
    size_t i = s->n;
    s->x[i] = r->x;
    s->y[i] = r->y;
    s->weight[i] = r->weight;
    if (s->row) {
        s->file[i] = r->file;
        s->row[i] = r->line;
    }
    if (s->type) {
        int32_t type = -1;
        if ((rc = intern_type(in, r->type, r->type_len, &type, err)))
            return rc;
        s->type[i] = type;
        s->group[i] = in->type_group[type];
    }
    if (s->month) {
        s->month[i] = r->month;
        s->day[i] = r->day;
        s->minute[i] = r->minute;
    }
    if (s->location) {
        s->location[i] = r->loc_len ? hs_pool_intern(s->locations, r->loc, r->loc_len) : -1;
        s->lsoa[i] = r->lsoa_len ? hs_pool_intern(s->lsoas, r->lsoa, r->lsoa_len) : -1;
    }
    if (s->area)
        s->area[i] = -1;
    if (s->key)
        s->key[i] = r->key;
    if (s->span)
        s->span[i] = r->span;
    s->n++;
    return HS_OK;
}

/* The key of a police.uk row, "fm:FORCE|YYYY-MM", or of a crime reference,
 * "id:REF" (distinct prefixes: the two never match); -1 for an empty
 * reference, or when the store keeps no keys. */
static hs_status row_key(sink *in, const char *f, size_t len, int32_t month,
                         int police, int32_t *key, hs_error *err)
{
    *key = -1;
    while (len && isspace((unsigned char)*f))
        f++, len--;
    while (len && isspace((unsigned char)f[len - 1]))
        len--;
    if (!in->s->key || (!police && len == 0))
        return HS_OK;
    if (police && in->fm_key >= 0 && month == in->fm_month &&
        len == in->fm_len && memcmp(f, in->fm_force, len) == 0) {
        *key = in->fm_key;
        return HS_OK;
    }
    char *k = malloc(len + 16);
    if (!k)
        return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
    if (police) {
        char m[8];
        hs_month_format(month, m);
        snprintf(k, len + 16, "fm:%.*s|%s", (int)len, f, m);
    } else {
        snprintf(k, len + 16, "id:%.*s", (int)len, f);
    }
    *key = hs_pool_intern(in->s->keys, k, strlen(k));
    free(k);
    if (*key < 0)
        return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
    if (police && len < sizeof in->fm_force) {
        memcpy(in->fm_force, f, len);
        in->fm_len = len;
        in->fm_month = month;
        in->fm_key = *key;
    }
    return HS_OK;
}

/* ---- transforming a file's rows --------------------------------------- */

/*
 * Transforms rows [start, n) from src_crs to the analysis CRS.  Rows PROJ
 * cannot transform are removed and counted as bad coordinates.
 */
static hs_status transform_rows(hs_ingest *in, size_t start,
                                const char *src_crs, const char *file,
                                hs_error *err)
{
    hs_incidents *s = in->s;
    if (s->n == start)
        return HS_OK;
    /* The cached transform first: hs_crs_same opens PROJ's database, which
     * cost more than parsing a small file (seen when fuzzing). */
    if (!in->t || strcmp(in->t_src, src_crs) != 0) {
        if (hs_crs_same(src_crs, in->o->analysis_crs))
            return HS_OK;
        hs_transform_destroy(in->t);
        free(in->t_src);
        in->t_src = NULL;
        in->t = hs_transform_create(src_crs, in->o->analysis_crs, err);
        if (!in->t)
            return err ? err->code : HS_ERR_CRS;
        in->t_src = strdup(src_crs);
        if (!in->t_src)
            return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
    }
    size_t n = s->n - start;
    unsigned char *had = malloc(n);
    if (!had)
        return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
    for (size_t i = 0; i < n; i++)
        had[i] = !isnan(s->x[start + i]);
    hs_transform_xy(in->t, s->x + start, s->y + start, n);
    snprintf(in->tdesc, sizeof in->tdesc, "%s", hs_transform_describe(in->t));
    size_t d = start;
    for (size_t i = 0; i < n; i++) {
        size_t k = start + i;
        if (had[i] && isnan(s->x[k])) {
            skip(&in->main, HS_SKIP_COORD, file, s->row ? (long)s->row[k] : 0,
                 "coordinates cannot be transformed to %s",
                 in->o->analysis_crs);
            in->main.rep.rows_kept--;
            continue;
        }
        if (d != k)
            hs_incidents_move_row(s, d, k);
        d++;
    }
    s->n = d;
    free(had);
    return HS_OK;
}

/* ---- CSV inputs --------------------------------------------------------- */

static int field_eq(const char *f, size_t len, const char *name)
{
    while (len && isspace((unsigned char)*f)) {
        f++;
        len--;
    }
    while (len && isspace((unsigned char)f[len - 1]))
        len--;
    return strlen(name) == len && strncasecmp(f, name, len) == 0;
}

/* Index of the column named by one of names (NULL-terminated), or -1. */
static int find_col(const hs_csv *c, const char *const *names)
{
    for (const char *const *n = names; *n; n++)
        for (size_t i = 0; i < hs_csv_nfields(c); i++) {
            size_t len;
            const char *f = hs_csv_field(c, i, &len);
            if (field_eq(f, len, *n))
                return (int)i;
        }
    return -1;
}

/* A column the user named explicitly must exist. */
static hs_status want_col(const hs_csv *c, const char *name, const char *flag,
                          int *out, hs_error *err)
{
    const char *names[] = {name, NULL};
    *out = find_col(c, names);
    if (*out < 0)
        return hs_fail(err, HS_ERR_DATA,
                       "incidents '%s': no column '%s' (given by %s)",
                       hs_csv_name(c), name, flag);
    return HS_OK;
}

static hs_status find_columns(hs_ingest *in, const hs_csv *c, cols *k,
                               hs_error *err)
{
    static const char *const police[] = {
        "Crime ID",  "Month",    "Reported by", "Falls within",
        "Longitude", "Latitude", "Location",    "LSOA code",
        "LSOA name", "Crime type"};
    static const char *const lon_names[] = {"longitude", "lon", "long", "lng", NULL};
    static const char *const lat_names[] = {"latitude", "lat", NULL};
    static const char *const x_names[] = {"x", "easting", "east", NULL};
    static const char *const y_names[] = {"y", "northing", "north", NULL};
    static const char *const cat_names[] = {
        "crime type", "crime_type", "category", "offence_code", "offence code",
        "offence", "type", NULL};
    static const char *const date_names[] = {
        "date", "datetime", "date_time", "occurred_date", "occurred", "month", NULL};
    static const char *const time_names[] = {"time", "occurred_time", NULL};
    static const char *const loc_names[] = {"location", NULL};
    static const char *const lsoa_names[] = {"lsoa code", "lsoa_code", "lsoa", NULL};
    const hs_ingest_opts *o = in->o;
    hs_status rc;

    memset(k, -1, sizeof *k);
    k->ncols = (int)hs_csv_nfields(c);
    k->police = 1;
    for (size_t i = 0; i < sizeof police / sizeof *police; i++) {
        const char *names[] = {police[i], NULL};
        if (find_col(c, names) < 0)
            k->police = 0;
    }
    k->loc = find_col(c, loc_names);
    k->lsoa = find_col(c, lsoa_names);
    k->time = o->start_time ? -1 : find_col(c, time_names);
    if (k->police) { /* police.uk: fixed meaning, WGS84 lon/lat */
        const char *lon[] = {"Longitude", NULL}, *lat[] = {"Latitude", NULL},
                   *mon[] = {"Month", NULL}, *ty[] = {"Crime type", NULL};
        const char *fw[] = {"Falls within", NULL};
        k->x = find_col(c, lon);
        k->y = find_col(c, lat);
        k->date = k->month = find_col(c, mon);
        k->cat = find_col(c, ty);
        k->force = find_col(c, fw); /* never Crime ID: see ingest.h */
        k->geographic = 1;
        k->time = -1;
        return HS_OK;
    }
    if (o->x || o->y) {
        if (!o->x || !o->y)
            return hs_fail(err, HS_ERR_ARG, "give both --x and --y");
        if ((rc = want_col(c, o->x, "--x", &k->x, err)) ||
            (rc = want_col(c, o->y, "--y", &k->y, err)))
            return rc;
        k->geographic = -1; /* decided by the CRS */
    } else if ((k->x = find_col(c, lon_names)) >= 0 &&
               (k->y = find_col(c, lat_names)) >= 0) {
        k->geographic = 1;
    } else if ((k->x = find_col(c, x_names)) >= 0 &&
               (k->y = find_col(c, y_names)) >= 0) {
        k->geographic = -1;
    } else {
        return hs_fail(err, HS_ERR_DATA,
                       "incidents '%s': no coordinate columns (looked for "
                       "longitude/latitude, x/y, easting/northing; name them "
                       "with --x and --y)",
                       hs_csv_name(c));
    }
    if (o->category) {
        if ((rc = want_col(c, o->category, "--category", &k->cat, err)))
            return rc;
    } else if ((k->cat = find_col(c, cat_names)) < 0 && !o->optional_type) {
        return hs_fail(err, HS_ERR_DATA,
                       "incidents '%s': no crime type column (looked for "
                       "'Crime type', category, offence_code; name it with "
                       "--category)",
                       hs_csv_name(c));
    }
    if (o->date) {
        if ((rc = want_col(c, o->date, "--date", &k->date, err)))
            return rc;
    } else if ((k->date = find_col(c, date_names)) < 0 && !o->optional_date) {
        return hs_fail(err, HS_ERR_DATA,
                       "incidents '%s': no date or month column (looked for "
                       "date, month, occurred_date; name it with --date)",
                       hs_csv_name(c));
    }
    if (o->time && (rc = want_col(c, o->time, "--time", &k->time, err)))
        return rc;
    if (o->end && (rc = want_col(c, o->end, "--end-time", &k->end, err)))
        return rc;
    if (o->weight && (rc = want_col(c, o->weight, "--weight", &k->weight, err)))
        return rc;
    if (o->location && (rc = want_col(c, o->location, "--location", &k->loc, err)))
        return rc;
    if (o->id && (rc = want_col(c, o->id, "--id", &k->id, err)))
        return rc;
    return HS_OK;
}

/* The columns, less those the store does not keep: they are not parsed. */
static hs_status csv_columns(hs_ingest *in, const hs_csv *c, cols *k,
                             hs_error *err)
{
    hs_status rc = find_columns(in, c, k, err);
    if (!rc && (k->force >= 0 || k->id >= 0))
        rc = hs_incidents_add_cols(in->s, HS_COL_KEY, err);
    if (!(in->s->cols & HS_COL_TIME))
        k->end = -1;
    if (!rc && k->end >= 0)
        rc = hs_incidents_add_cols(in->s, HS_COL_SPAN, err);
    if (!rc && k->force >= 0 && in->nsrc) /* the file being read */
        in->src[in->nsrc - 1].police = 1;
    unsigned keep = in->s->cols;
    if (!(keep & HS_COL_TYPE))
        k->cat = -1;
    if (!(keep & HS_COL_TIME))
        k->date = k->time = -1;
    if (!(keep & HS_COL_LABELS))
        k->loc = k->lsoa = -1;
    return rc;
}

/* The CRS of a file's coordinates. */
static hs_status source_crs(hs_ingest *in, int geographic, const char *name,
                            const char **crs, int *is_geo, hs_error *err)
{
    if (in->o->crs) {
        *crs = in->o->crs;
        int g = hs_crs_is_geographic(*crs, err);
        if (g < 0)
            return err ? err->code : HS_ERR_CRS;
        *is_geo = g;
        if (geographic == 1 && !g)
            return hs_fail(err, HS_ERR_ARG,
                           "incidents '%s': columns are longitude/latitude "
                           "but --incidents-crs '%s' is projected",
                           name, *crs);
        return HS_OK;
    }
    *crs = geographic == 1 ? "EPSG:4326" : in->o->analysis_crs;
    *is_geo = geographic == 1;
    return HS_OK;
}

/* Parses data rows from c into the sink; line numbers are offset by
 * line0 (for a chunk of a split file). */
static hs_status parse_rows(sink *in, hs_csv *c, long line0, const cols *k,
                            int geo, int32_t max_month, const char *path,
                            int32_t file_id, hs_error *err)
{
    int r;
    while ((r = hs_csv_next(c, err)) == 1) {
        long line = hs_csv_line(c) + line0;
        in->rep.rows_read++;
        if (hs_csv_binary(c)) {
            skip(in, HS_SKIP_BINARY, path, line, "a NUL or control byte "
                 "(damaged line): skipped, the rest of the file is read");
            continue;
        }
        if ((int)hs_csv_nfields(c) != k->ncols) {
            skip(in, HS_SKIP_FIELDS, path, line, "expected %d fields, found %zu",
                 k->ncols, hs_csv_nfields(c));
            continue;
        }
        row w = {.minute = -1, .span = -1, .weight = 1.0f, .file = file_id, .line = line,
                 .key = -1};
        size_t dl, xl, yl;
        const char *d = k->date >= 0 ? hs_csv_field(c, (size_t)k->date, &dl)
                                     : (dl = 7, "0000-01");
        if (k->date >= 0 && parse_date(d, dl, &w.month, &w.day, &w.minute) != 0) {
            skip(in, HS_SKIP_DATE, path, line, "field %s: '%.40s' is not a "
                 "month (YYYY-MM) or date", k->police ? "Month" : "date", d);
            continue;
        }
        if (max_month && w.month > max_month) {
            skip(in, HS_SKIP_FUTURE, path, line, "'%.40s' is in the future", d);
            continue;
        }
        if (k->time >= 0) {
            size_t tl;
            const char *t = hs_csv_field(c, (size_t)k->time, &tl);
            int mm = is_blank(t, tl) ? -1 : parse_time(t, tl);
            if (!is_blank(t, tl) && mm < 0) {
                skip(in, HS_SKIP_DATE, path, line,
                     "field time: '%.40s' is not HH:MM", t);
                continue;
            }
            if (mm >= 0)
                w.minute = (int16_t)mm;
        }
        if (k->end >= 0) {
            size_t el;
            const char *e = hs_csv_field(c, (size_t)k->end, &el);
            if (parse_end(e, el, &w) != 0) {
                skip(in, HS_SKIP_DATE, path, line, "end time (--end-time) "
                     "'%.40s' is not a date or date-time", e);
                continue;
            }
        }
        if (k->cat >= 0)
            w.type = hs_csv_field(c, (size_t)k->cat, &w.type_len);
        else
            w.type = "incident", w.type_len = 8;
        while (w.type_len && isspace((unsigned char)*w.type)) {
            w.type++;
            w.type_len--;
        }
        while (w.type_len && isspace((unsigned char)w.type[w.type_len - 1]))
            w.type_len--;
        if (w.type_len == 0) {
            skip(in, HS_SKIP_CATEGORY, path, line, "empty crime type");
            continue;
        }
        if (k->weight >= 0) {
            size_t wl;
            const char *ws = hs_csv_field(c, (size_t)k->weight, &wl);
            double wv;
            if (parse_double(ws, wl, &wv) != 0 || wv < 0) {
                skip(in, HS_SKIP_WEIGHT, path, line,
                     "weight '%.40s' is not a number >= 0", ws);
                continue;
            }
            w.weight = (float)wv;
        }
        const char *xs = hs_csv_field(c, (size_t)k->x, &xl);
        const char *ys = hs_csv_field(c, (size_t)k->y, &yl);
        if (is_blank(xs, xl) && is_blank(ys, yl)) {
            w.x = w.y = NAN; /* "No Location": kept and counted */
        } else if (parse_double(xs, xl, &w.x) || parse_double(ys, yl, &w.y)) {
            skip(in, HS_SKIP_COORD, path, line,
                 "coordinates '%.30s', '%.30s' are not numbers", xs, ys);
            continue;
        } else if (geo && (fabs(w.x) > 180 || fabs(w.y) > 90)) {
            /* big numbers in both columns: metres, not degrees */
            skip(in, HS_SKIP_COORD, path, line,
                 "longitude %g, latitude %g out of range%s", w.x, w.y,
                 fabs(w.x) > 1000 && fabs(w.y) > 1000
                     ? " (metres of a projected CRS such as British National "
                       "Grid? name the columns x/y or easting/northing and "
                       "give --incidents-crs)"
                     : "");
            continue;
        } else if (w.x == 0 && w.y == 0) {
            skip(in, HS_SKIP_COORD, path, line,
                 "coordinates (0, 0) are a placeholder, not a location");
            continue;
        }
        if (k->loc >= 0)
            w.loc = hs_csv_field(c, (size_t)k->loc, &w.loc_len);
        if (k->lsoa >= 0)
            w.lsoa = hs_csv_field(c, (size_t)k->lsoa, &w.lsoa_len);
        int reported = 0;
        hs_status rc;
        if (k->force >= 0 || k->id >= 0) {
            size_t fl;
            const char *f = hs_csv_field(c, (size_t)(k->id >= 0 ? k->id : k->force), &fl);
            int32_t m = w.month;
            if (k->id < 0 && k->date < 0) { /* dates not kept: the key's month */
                size_t ml;
                const char *ms = hs_csv_field(c, (size_t)k->month, &ml);
                if (hs_month_parse(ms, ml, &m) != 0)
                    m = -1;
            }
            if ((k->id >= 0 || m >= 0) &&
                (rc = row_key(in, f, fl, m, k->id < 0, &w.key, err)))
                return rc;
        }
        if ((rc = fix_text(in, 0, &w.type, &w.type_len, "crime type", path,
                           line, &reported, err)) ||
            (w.loc && (rc = fix_text(in, 1, &w.loc, &w.loc_len, "Location",
                                     path, line, &reported, err))) ||
            (w.lsoa && (rc = fix_text(in, 2, &w.lsoa, &w.lsoa_len, "LSOA code",
                                      path, line, &reported, err))))
            return rc;
        rc = store_row(in, &w, err);
        if (rc)
            return rc;
        in->rep.rows_kept++;
    }
    return r < 0 ? (err ? err->code : HS_ERR_DATA) : HS_OK;
}

/*
 * Big files are parsed by several threads, each on a byte range of the
 * file cut at line ends, into stores of their own that are then appended
 * in order.  Only safe when no record can span lines: no quote characters
 * and no lone CR in the file (checked).  Measured: 10M rows took 4.7 s on
 * one thread.
 */
#define SPLIT_MIN_BYTES (8u << 20)
#define SPLIT_MAX_THREADS 8

typedef struct chunk {
    sink sk;
    hs_incidents view;  /* columns point into the main store at base */
    size_t base;
    int fd;             /* the file, shared: read with pread */
    off_t start;        /* the chunk: bytes [start, start + len) */
    size_t len;
    int splittable;     /* set by scan_chunk */
    long line0, lines;  /* lines, the last one with or without its end */
    long ends;          /* line ends: the lines before the next chunk */
    const cols *k;
    int geo;
    int32_t max_month, file_id;
    const char *path;
    char sep;
    hs_status rc;
    hs_error err;
} chunk;

static void *parse_chunk(void *arg)
{
    chunk *ch = arg;
    hs_csv *c = hs_csv_open_range(ch->fd, ch->start, ch->len, ch->path, &ch->err);
    if (!c) {
        ch->rc = ch->err.code ? ch->err.code : HS_ERR_NOMEM;
        return NULL;
    }
    hs_csv_set_separator(c, ch->sep);
    hs_csv_skip_binary(c, 1);
    ch->rc = parse_rows(&ch->sk, c, ch->line0, ch->k, ch->geo, ch->max_month,
                        ch->path, ch->file_id, &ch->err);
    hs_csv_close(c);
    return NULL;
}

/* Moves a chunk's rows (parsed in place at ch->base) down to the end of
 * the main store, re-interning its strings in the main pools. */
static hs_status merge_chunk(hs_ingest *in, chunk *ch, hs_error *err)
{
    hs_incidents *d = in->s, *c = &ch->view;
    hs_status rc = HS_OK;
    hs_pool *pools[4][2] = {{c->types, d->types},
                            {c->locations, d->locations},
                            {c->lsoas, d->lsoas},
                            {c->keys, d->keys}};
    int32_t *map[4] = {NULL, NULL, NULL, NULL};
    for (int p = 0; p < 4 && !rc; p++) {
        size_t np = hs_pool_count(pools[p][0]);
        map[p] = malloc((np + 1) * sizeof *map[p]);
        if (!map[p]) {
            rc = hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
            break;
        }
        for (size_t i = 0; i < np && !rc; i++) {
            const char *str = hs_pool_str(pools[p][0], (int)i);
            if (p == 0)
                rc = intern_type(&in->main, str, strlen(str), &map[p][i], err);
            else if ((map[p][i] = hs_pool_intern(pools[p][1], str, strlen(str))) < 0)
                rc = hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
        }
    }
    size_t to = d->n, from = ch->base, n = c->n;
    if (!rc && to != from) {
#define MOVE(col) if (d->col) memmove(d->col + to, d->col + from, n * sizeof *d->col)
        MOVE(x); MOVE(y); MOVE(month); MOVE(day); MOVE(minute); MOVE(type);
        MOVE(location); MOVE(lsoa); MOVE(file); MOVE(row); MOVE(weight);
        MOVE(key); MOVE(span);
#undef MOVE
    }
    for (size_t i = to; i < to + n && !rc; i++) {
        if (d->type) {
            d->type[i] = map[0][d->type[i]];
            d->group[i] = in->main.type_group[d->type[i]];
        }
        if (d->location && d->location[i] >= 0)
            d->location[i] = map[1][d->location[i]];
        if (d->lsoa && d->lsoa[i] >= 0)
            d->lsoa[i] = map[2][d->lsoa[i]];
        if (d->key && d->key[i] >= 0)
            d->key[i] = map[3][d->key[i]];
        if (d->area)
            d->area[i] = -1;
    }
    if (!rc)
        d->n = to + n;
    /* counts add up; examples are kept in file order */
    hs_ingest_report *R = &in->main.rep, *r = &ch->sk.rep;
    R->rows_read += r->rows_read;
    R->rows_kept += r->rows_kept;
    for (int w = 0; w < HS_SKIP_N; w++) {
        for (long e = 0; e < r->skipped[w] && e < HS_INGEST_EXAMPLES; e++)
            if (R->skipped[w] + e < HS_INGEST_EXAMPLES)
                memcpy(R->example[w][R->skipped[w] + e], r->example[w][e],
                       sizeof r->example[w][e]);
        R->skipped[w] += r->skipped[w];
    }
    for (long e = 0; e < r->bad_text && e < HS_INGEST_EXAMPLES; e++)
        if (R->bad_text + e < HS_INGEST_EXAMPLES)
            memcpy(R->text_example[R->bad_text + e], r->text_example[e],
                   sizeof r->text_example[e]);
    R->bad_text += r->bad_text;
    for (int p = 0; p < 4; p++)
        free(map[p]);
    return rc;
}

/* A store whose columns are the main store's from row base on, with room
 * for cap rows and pools of its own: a parser thread fills it in place. */
static hs_status make_view(hs_incidents *v, hs_incidents *d, size_t base,
                           size_t cap, hs_error *err)
{
    memset(v, 0, sizeof *v);
#define AT(col) v->col = d->col ? d->col + base : NULL
    AT(x); AT(y); AT(month); AT(day); AT(minute); AT(group); AT(type);
    AT(location); AT(lsoa); AT(file); AT(row); AT(weight); AT(area); AT(key);
    AT(span);
#undef AT
    v->cap = cap;
    v->cols = d->cols;
    v->borrowed = 1;
    if (!(v->types = hs_pool_create()) || !(v->locations = hs_pool_create()) ||
        !(v->lsoas = hs_pool_create()) || !(v->files = hs_pool_create()) ||
        !(v->keys = hs_pool_create()))
        return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
    return HS_OK;
}

static void free_view(hs_incidents *v)
{
    hs_pool_destroy(v->types);
    hs_pool_destroy(v->locations);
    hs_pool_destroy(v->lsoas);
    hs_pool_destroy(v->files);
    hs_pool_destroy(v->keys);
}

/*
 * The file is read with pread into small buffers, not mapped: on the VMs
 * we measure on, mapping a page costs more than copying it (the 40 MB of
 * 1M rows: 38 ms to map and scan, 17 ms to read and scan, one thread), and
 * pages that are only read do not count in the process's memory, which a
 * mapping's do (a 400 MB file added 400 MB to the peak).
 */
#define SCAN_BLOCK ((size_t)1 << 20)

/* pread until n bytes or the end of the file; bytes read, or -1. */
static ssize_t read_at(int fd, char *buf, size_t n, off_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, off + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* The first '\n' at or after off: its offset, or -1 (none, or an error). */
static off_t next_line_end(int fd, off_t off, size_t len, char *buf)
{
    while ((size_t)off < len) {
        ssize_t r = read_at(fd, buf, SCAN_BLOCK, off);
        if (r <= 0)
            return -1;
        const char *q = memchr(buf, '\n', (size_t)r);
        if (q)
            return off + (q - buf);
        off += r;
    }
    return -1;
}

/* Byte offsets where chunks may start (after a '\n'), or 0 if the file
 * must be read in one piece (no quote or lone CR in the header either).
 * *header_end: first byte after the header.  Reads only the header and a
 * line at each cut: the scans of the chunks are left to their threads. */
static size_t plan_split(int fd, size_t len, size_t nt, size_t *starts,
                         size_t *header_end, char *buf)
{
    off_t nl = next_line_end(fd, 0, len, buf);
    if (nl < 0 || (size_t)nl >= SCAN_BLOCK || memchr(buf, '"', (size_t)nl) ||
        memchr(buf, '\r', (size_t)nl > 0 ? (size_t)nl - 1 : 0))
        return 0; /* a header that long is not worth splitting for */
    *header_end = (size_t)nl + 1;
    size_t n = 0;
    starts[n++] = *header_end;
    for (size_t t = 1; t < nt; t++) {
        off_t at = (off_t)(*header_end + (len - *header_end) * t / nt);
        off_t q = next_line_end(fd, at, len, buf);
        if (q < 0 || (size_t)q + 1 >= len)
            break;
        size_t s = (size_t)q + 1;
        if (s > starts[n - 1])
            starts[n++] = s;
    }
    return n;
}

/*
 * A chunk's first pass, on its thread: may it be parsed on its own (no
 * quote, and no lone CR: a CR ends a record too), and how many lines has
 * it.  Every chunk but the last ends with '\n', so a CR at a chunk's end
 * is lone.  In parallel rather than before the threads start: 45 ms less
 * for 1M rows (measured).
 */
static void *scan_chunk(void *arg)
{
    chunk *ch = arg;
    char *buf = malloc(SCAN_BLOCK);
    int cr_before = 0; /* the previous block ended with a CR */
    char last = '\n';
    ch->splittable = 0;
    ch->ends = 0;
    for (size_t off = 0; buf && off < ch->len;) {
        size_t want = ch->len - off < SCAN_BLOCK ? ch->len - off : SCAN_BLOCK;
        ssize_t r = read_at(ch->fd, buf, want, ch->start + (off_t)off);
        if (r != (ssize_t)want || memchr(buf, '"', want) ||
            (cr_before && buf[0] != '\n'))
            goto done; /* read in one piece: the reader reports errors */
        for (const char *p = buf; (p = memchr(p, '\r', (size_t)(buf + want - p))); p++)
            if (p + 1 < buf + want && p[1] != '\n')
                goto done;
        for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + want - q))); q++)
            ch->ends++;
        last = buf[want - 1];
        cr_before = last == '\r';
        off += want;
    }
    if (buf && !cr_before) {
        ch->splittable = 1;
        ch->lines = ch->ends + (last != '\n');
    }
done:
    free(buf);
    return NULL;
}

/* Runs fn on every chunk, each on a thread of its own where one can be
 * started (else here). */
static void on_chunks(chunk *ch, size_t nch, void *(*fn)(void *))
{
    pthread_t th[SPLIT_MAX_THREADS];
    size_t started = 0;
    for (size_t t = 0; t < nch; t++) {
        if (pthread_create(&th[t], NULL, fn, &ch[t]) == 0)
            started |= (size_t)1 << t;
        else
            fn(&ch[t]);
    }
    for (size_t t = 0; t < nch; t++)
        if (started & ((size_t)1 << t))
            pthread_join(th[t], NULL);
}

/* Tries the split path; *done = 0 if the file is not suitable. */
static hs_status read_csv_split(hs_ingest *in, const char *path,
                                int32_t file_id, int *done, char *sep,
                                hs_error *err)
{
    hs_status rc = HS_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *buf = NULL;
    chunk ch[SPLIT_MAX_THREADS];
    size_t starts[SPLIT_MAX_THREADS], header_end = 0, nch = 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = ncpu < 2 ? 1 : ncpu > SPLIT_MAX_THREADS ? SPLIT_MAX_THREADS
                                                          : (size_t)ncpu;
    hs_csv *hc = NULL;
    cols k;
    const char *crs;
    int geo;

    *done = 0;
    memset(ch, 0, sizeof ch);
    size_t min = in->o->split_min_bytes ? in->o->split_min_bytes : SPLIT_MIN_BYTES;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size < min || nt < 2 ||
        !(buf = malloc(SCAN_BLOCK)))
        goto cleanup;
    size_t len = (size_t)st.st_size;
    nch = plan_split(fd, len, nt, starts, &header_end, buf);
    free(buf);
    if (nch < 2)
        goto cleanup;
    for (size_t t = 0; t < nch; t++) {
        size_t end = t + 1 < nch ? starts[t + 1] : len;
        ch[t] = (chunk){.fd = fd, .start = (off_t)starts[t], .len = end - starts[t]};
    }
    on_chunks(ch, nch, scan_chunk);
    for (size_t t = 0; t < nch; t++)
        if (!ch[t].splittable)
            goto cleanup; /* read in one piece, by the CSV reader */
    *done = 1;
    if ((hc = hs_csv_open_range(fd, 0, header_end, path, err)))
        *sep = hs_csv_detect_separator(hc);
    if (!hc || hs_csv_next(hc, err) != 1) {
        rc = err ? err->code : HS_ERR_DATA;
        goto cleanup;
    }
    if ((rc = csv_columns(in, hc, &k, err)) ||
        (rc = source_crs(in, k.geographic, path, &crs, &geo, err)))
        goto cleanup;
    size_t start = in->s->n, total = 0;
    long line0 = 1; /* the header */
    for (size_t t = 0; t < nch; t++) {
        /* a chunk holds at most one row per line: rows of a clean file fill
         * its part exactly, so merging moves nothing */
        ch[t].line0 = line0;
        ch[t].base = start + total;
        ch[t].k = &k;
        ch[t].geo = geo;
        ch[t].max_month = in->o->max_month;
        ch[t].file_id = file_id;
        ch[t].path = path;
        ch[t].sep = *sep;
        line0 += ch[t].ends;
        total += (size_t)ch[t].lines;
    }
    if ((rc = hs_incidents_reserve(in->s, total, err)))
        goto cleanup;
    for (size_t t = 0; t < nch; t++) {
        ch[t].sk.cats = in->cats;
        ch[t].sk.fm_key = -1;
        ch[t].sk.s = &ch[t].view;
        if ((rc = make_view(&ch[t].view, in->s, ch[t].base,
                            (size_t)ch[t].lines, err)))
            goto cleanup;
    }
    on_chunks(ch, nch, parse_chunk);
    for (size_t t = 0; t < nch && !rc; t++) {
        if (ch[t].rc) {
            if (err)
                *err = ch[t].err;
            rc = ch[t].rc;
        } else {
            rc = merge_chunk(in, &ch[t], err);
        }
    }
    if (!rc)
        rc = transform_rows(in, start, crs, path, err);
cleanup:
    for (size_t t = 0; t < nch; t++) {
        free_view(&ch[t].view);
        free(ch[t].sk.type_group);
        sink_free_fix(&ch[t].sk);
    }
    hs_csv_close(hc);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* NUL and the C0 controls but TAB, LF, VT, FF and CR: no text has them
 * (the CSV reader's rule for a damaged line, csv.h). */
static int binary_byte(unsigned char b)
{
    return b <= 0x08 || (b >= 0x0e && b <= 0x1f);
}

/*
 * A workbook, archive or image saved as .csv: said plainly here rather
 * than as "no coordinate columns" from a header of random bytes.  Known
 * formats are named by their first bytes; otherwise a file is binary from
 * its start when its first line holds a binary byte, or more than half of
 * the lines in its first 4 KiB do (a text file with one damaged line is
 * read, that line skipped).  Unreadable files are left to the CSV reader.
 */
static hs_status not_binary(const char *path, hs_error *err)
{
    unsigned char buf[4096];
    FILE *f = fopen(path, "rb");
    if (!f)
        return HS_OK;
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n >= 4 && memcmp(buf, "PK\3\4", 4) == 0) {
        /* an .xlsx is a ZIP whose parts are [Content_Types].xml and xl/ */
        int xl = 0;
        for (size_t i = 0; i + 3 <= n && !xl; i++)
            xl = memcmp(buf + i, "xl/", 3) == 0 ||
                 (i + 19 <= n && memcmp(buf + i, "[Content_Types].xml", 19) == 0);
        return xl ? hs_fail(err, HS_ERR_DATA, "incidents '%s': this is an Excel "
                            "workbook (.xlsx), not a CSV file: save it as CSV "
                            "(File > Save As > CSV UTF-8)", path)
                  : hs_fail(err, HS_ERR_DATA, "incidents '%s': this is a ZIP "
                            "archive, not a CSV file: unzip it first", path);
    }
    if (n >= 8 && memcmp(buf, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0)
        return hs_fail(err, HS_ERR_DATA, "incidents '%s': this is an Excel "
                       "workbook (.xls), not a CSV file: save it as CSV "
                       "(File > Save As > CSV UTF-8)", path);
    if (n >= 2 && buf[0] == 0x1f && buf[1] == 0x8b)
        return hs_fail(err, HS_ERR_DATA, "incidents '%s': this is a gzip "
                       "file, not a CSV file: unzip it first", path);
    if (n >= 2 && ((buf[0] == 0xff && buf[1] == 0xfe) ||
                   (buf[0] == 0xfe && buf[1] == 0xff)))
        return hs_fail(err, HS_ERR_DATA, "incidents '%s': this is UTF-16 text "
                       "(Excel's \"Unicode Text\"), not a CSV file: save it as "
                       "CSV UTF-8", path);
    size_t lines = 0, bin = 0, first = 0;
    int this_bin = 0;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n' || buf[i] == '\r') {
            lines++;
            bin += this_bin;
            this_bin = 0;
        } else if (binary_byte(buf[i])) {
            if (!this_bin && lines == 0)
                first = i + 1;
            this_bin = 1;
        }
    }
    if (this_bin) /* the last line, cut or not */
        lines++, bin++;
    if (first || 2 * bin > lines)
        return hs_fail(err, HS_ERR_DATA, "incidents '%s': not a CSV file "
                       "(binary data%s; a spreadsheet or archive? save it as "
                       "CSV)", path, first ? " in its first line" :
                       " in most of its first lines");
    return HS_OK;
}

static hs_status read_csv(hs_ingest *in, const char *path, int32_t file_id,
                          char *sep, hs_error *err)
{
    hs_status rc = HS_OK;
    int done, r;
    if ((rc = not_binary(path, err)))
        return rc;
    if ((rc = read_csv_split(in, path, file_id, &done, sep, err)) || done)
        return rc;
    hs_csv *c = hs_csv_open(path, err);
    cols k;
    const char *crs = NULL;
    int geo = 0;
    size_t start = in->s->n;

    if (!c)
        return err ? err->code : HS_ERR_IO;
    *sep = hs_csv_detect_separator(c);
    hs_csv_skip_binary(c, 1);
    if ((r = hs_csv_next(c, err)) <= 0) {
        rc = r < 0 ? (err ? err->code : HS_ERR_DATA)
                   : hs_fail(err, HS_ERR_DATA, "incidents '%s': empty file",
                             path);
        goto cleanup;
    }
    if ((rc = csv_columns(in, c, &k, err)) ||
        (rc = source_crs(in, k.geographic, path, &crs, &geo, err)))
        goto cleanup;
    /* Reserve for the whole file up front (rows are rarely under 32 bytes):
     * growing row by row made realloc copy the columns again and again,
     * a third of the ingest time at 1M rows (measured). */
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > 0 &&
        (rc = hs_incidents_reserve(in->s, (size_t)st.st_size / 32 + 16, err)))
        goto cleanup;
    if ((rc = parse_rows(&in->main, c, 0, &k, geo, in->o->max_month, path,
                         file_id, err)))
        goto cleanup;
    rc = transform_rows(in, start, crs, path, err);
cleanup:
    hs_csv_close(c);
    return rc;
}

/* ---- OGR and PostgreSQL inputs ------------------------------------------ */

/* One feature (OGR) or row (PostgreSQL) by role, as the two readers get
 * them: text fields NULL when absent from the source or NULL in it. */
typedef struct feat {
    long line;               /* feature id or row number              */
    const char *date, *time, *end, *type, *loc, *id;
    int has_weight;          /* a weight field was given              */
    double weight;           /* NaN: not a number                     */
    double x, y;             /* NaN: no location                      */
    const char *bad_xy;      /* why x, y are unusable before the checks
                                below ("geometry is not a point")      */
} feat;

/* The columns of a feature source, found once (index -1: absent). */
typedef struct fcols {
    int x, y, cat, date, time, end, weight, loc, id;
    const char *date_name;   /* for messages                          */
} fcols;

/* Checks and stores one feature; the same rules for OGR and PostgreSQL
 * sources (ingest.h).  path is the source's label for messages. */
static hs_status take_feature(hs_ingest *in, const char *path, int32_t file_id,
                              int geo, const fcols *k, const feat *f,
                              hs_error *err)
{
    const hs_ingest_opts *o = in->o;
    long line = f->line;
    in->main.rep.rows_read++;
    row w = {.minute = -1, .span = -1, .weight = 1.0f, .file = file_id, .line = line,
             .x = NAN, .y = NAN, .key = -1};
    const char *d = f->date ? f->date : "";
    if (k->date >= 0 && parse_date(d, strlen(d), &w.month, &w.day, &w.minute) != 0) {
        skip(&in->main, HS_SKIP_DATE, path, line, "field %s: '%.40s' is not a "
             "month (YYYY-MM) or date", k->date_name, d);
        return HS_OK;
    }
    if (o->max_month && w.month > o->max_month) {
        skip(&in->main, HS_SKIP_FUTURE, path, line, "'%.40s' is in the future", d);
        return HS_OK;
    }
    if (k->time >= 0 && f->time) {
        int mm = parse_time(f->time, strlen(f->time));
        if (mm < 0) {
            skip(&in->main, HS_SKIP_DATE, path, line, "field time: '%.40s' is "
                 "not HH:MM", f->time);
            return HS_OK;
        }
        w.minute = (int16_t)mm;
    }
    if (k->end >= 0) {
        const char *e = f->end ? f->end : "";
        if (parse_end(e, strlen(e), &w) != 0) {
            skip(&in->main, HS_SKIP_DATE, path, line, "end time "
                 "(--end-time) '%.40s' is not a date or date-time", e);
            return HS_OK;
        }
    }
    w.type = k->cat >= 0 ? (f->type ? f->type : "") : "incident";
    w.type_len = strlen(w.type);
    if (is_blank(w.type, w.type_len)) {
        skip(&in->main, HS_SKIP_CATEGORY, path, line, "empty crime type");
        return HS_OK;
    }
    if (f->has_weight) {
        if (!isfinite(f->weight) || f->weight < 0) {
            skip(&in->main, HS_SKIP_WEIGHT, path, line, "weight is not a number >= 0");
            return HS_OK;
        }
        w.weight = (float)f->weight;
    }
    if (f->bad_xy) {
        skip(&in->main, HS_SKIP_COORD, path, line, "%s", f->bad_xy);
        return HS_OK;
    }
    w.x = f->x;
    w.y = f->y;
    if (!isnan(w.x) && (!isfinite(w.x) || !isfinite(w.y) ||
                        (geo && (fabs(w.x) > 180 || fabs(w.y) > 90)) ||
                        (w.x == 0 && w.y == 0))) {
        skip(&in->main, HS_SKIP_COORD, path, line, "coordinates %g, %g are not "
             "a usable location", w.x, w.y);
        return HS_OK;
    }
    if (k->loc >= 0 && f->loc) {
        w.loc = f->loc;
        w.loc_len = strlen(w.loc);
    }
    hs_status rc;
    if (k->id >= 0 && f->id &&
        (rc = row_key(&in->main, f->id, strlen(f->id), 0, 0, &w.key, err)))
        return rc;
    if ((rc = store_row(&in->main, &w, err)))
        return rc;
    in->main.rep.rows_kept++;
    return HS_OK;
}

/* The columns the store keeps and the source must have; key and span
 * columns added to the store when the source has them. */
static hs_status settle_cols(hs_ingest *in, fcols *k, hs_error *err)
{
    hs_status rc = HS_OK;
    if (!(in->s->cols & HS_COL_TIME))
        k->end = -1;
    if (k->id >= 0)
        rc = hs_incidents_add_cols(in->s, HS_COL_KEY, err);
    if (!rc && k->end >= 0)
        rc = hs_incidents_add_cols(in->s, HS_COL_SPAN, err);
    if (!(in->s->cols & HS_COL_TYPE)) /* not kept: not read */
        k->cat = -1;
    if (!(in->s->cols & HS_COL_TIME))
        k->date = k->time = -1;
    if (!(in->s->cols & HS_COL_LABELS))
        k->loc = -1;
    return rc;
}

static int ogr_field(OGRFeatureDefnH defn, const char *name, const char *flag,
                     const char *path, hs_error *err, hs_status *rc)
{
    if (!name)
        return -1;
    int i = OGR_FD_GetFieldIndex(defn, name);
    if (i < 0)
        *rc = hs_fail(err, HS_ERR_DATA, "incidents '%s': no field '%s' (given "
                      "by %s)", path, name, flag);
    return i;
}

/* A copy of field i's text (NULL: absent; *oom set when out of memory):
 * OGR_F_GetFieldAsString's string lives only until the next such call on
 * the feature (a date field's text is a buffer used again; found by
 * fuzz_ogr), and a feature's texts are read together. */
static char *ogr_text(OGRFeatureH f, int i, int *oom)
{
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
        return NULL;
    char *s = strdup(OGR_F_GetFieldAsString(f, i));
    if (!s)
        *oom = 1;
    return s;
}

static hs_status read_ogr(hs_ingest *in, const char *path, int32_t file_id,
                          hs_error *err)
{
    hs_status rc = HS_OK;
    GDALDatasetH ds = NULL;
    OGRLayerH lyr = NULL, sql_lyr = NULL;
    OGRFeatureH f = NULL;
    char *wkt = NULL;
    size_t start = in->s->n;
    const hs_ingest_opts *o = in->o;

    in->main.features = 1;
    if (!(ds = hs_vector_open(path, "incidents", err))) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    if (o->sql && !(sql_lyr = hs_vector_sql(ds, o->sql, "incidents", path,
                                            "--incidents-sql", err))) {
        rc = err ? err->code : HS_ERR_DATA;
        goto cleanup;
    }
    lyr = sql_lyr ? sql_lyr : GDALDatasetGetLayer(ds, 0);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    fcols k = {
        .x = ogr_field(defn, o->x, "--x", path, err, &rc),
        .y = ogr_field(defn, o->y, "--y", path, err, &rc),
        .cat = o->category || !o->optional_type
                   ? ogr_field(defn, o->category ? o->category : "category",
                               "--category", path, err, &rc)
                   : OGR_FD_GetFieldIndex(defn, "category"),
        .date = o->date || !o->optional_date
                    ? ogr_field(defn, o->date ? o->date : "date", "--date",
                                path, err, &rc)
                    : OGR_FD_GetFieldIndex(defn, "date"),
        .time = ogr_field(defn, o->time, "--time", path, err, &rc),
        .end = ogr_field(defn, o->end, "--end-time", path, err, &rc),
        .weight = ogr_field(defn, o->weight, "--weight", path, err, &rc),
        .loc = OGR_FD_GetFieldIndex(defn, o->location ? o->location : "location"),
        .id = ogr_field(defn, o->id, "--id", path, err, &rc)};
    if (rc || (rc = settle_cols(in, &k, err)))
        goto cleanup;
    k.date_name = k.date >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, k.date))
                              : "";
    const char *crs = o->crs;
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    if (!crs && k.x < 0 && srs) {
        OSRExportToWkt(srs, &wkt);
        crs = wkt;
    }
    if (!crs)
        crs = o->analysis_crs;
    int geo = hs_crs_is_geographic(crs, err);
    if (geo < 0) {
        rc = err ? err->code : HS_ERR_CRS;
        goto cleanup;
    }
    OGR_L_ResetReading(lyr);
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        int oom = 0;
        char *txt[6];
        txt[0] = ogr_text(f, k.date, &oom);
        txt[1] = ogr_text(f, k.time, &oom);
        txt[2] = ogr_text(f, k.end, &oom);
        txt[3] = ogr_text(f, k.cat, &oom);
        txt[4] = k.loc >= 0 ? strdup(OGR_F_GetFieldAsString(f, k.loc)) : NULL;
        oom |= k.loc >= 0 && !txt[4];
        txt[5] = ogr_text(f, k.id, &oom);
        feat v = {.line = (long)OGR_F_GetFID(f),
                  .date = txt[0], .time = txt[1], .end = txt[2], .type = txt[3],
                  .loc = txt[4], .id = txt[5], .has_weight = k.weight >= 0,
                  .weight = k.weight >= 0 ? OGR_F_GetFieldAsDouble(f, k.weight) : 1,
                  .x = NAN, .y = NAN};
        if (k.x >= 0) {
            if (OGR_F_IsFieldSetAndNotNull(f, k.x) &&
                OGR_F_IsFieldSetAndNotNull(f, k.y)) {
                v.x = OGR_F_GetFieldAsDouble(f, k.x);
                v.y = OGR_F_GetFieldAsDouble(f, k.y);
            }
        } else {
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            if (g && !OGR_G_IsEmpty(g)) {
                if (wkbFlatten(OGR_G_GetGeometryType(g)) != wkbPoint) {
                    v.bad_xy = "geometry is not a point";
                } else {
                    v.x = OGR_G_GetX(g, 0);
                    v.y = OGR_G_GetY(g, 0);
                }
            }
        }
        rc = oom ? hs_fail(err, HS_ERR_NOMEM, "'%s': out of memory", path)
                 : take_feature(in, path, file_id, geo, &k, &v, err);
        for (int t = 0; t < 6; t++)
            free(txt[t]);
        OGR_F_Destroy(f);
        f = NULL;
        if (rc)
            goto cleanup;
    }
    rc = transform_rows(in, start, crs, path, err);
cleanup:
    in->main.features = 0;
    if (f)
        OGR_F_Destroy(f);
    CPLFree(wkt);
    if (sql_lyr)
        GDALDatasetReleaseResultSet(ds, sql_lyr);
    if (ds)
        GDALClose(ds);
    return rc;
}

/* A column of a PostgreSQL result by name, case-insensitive as OGR's
 * field lookup is; -1 if absent (an error when flag says it was given). */
static int pg_col(const PGresult *d, const char *name, const char *flag,
                  const char *path, hs_error *err, hs_status *rc)
{
    if (!name)
        return -1;
    for (int i = 0; i < PQnfields(d); i++)
        if (strcasecmp(PQfname(d, i), name) == 0)
            return i;
    if (flag)
        *rc = hs_fail(err, HS_ERR_DATA, "incidents '%s': no field '%s' (given "
                      "by %s)", path, name, flag);
    return -1;
}

/* The srid of a geometry column's rows and its CRS as PROJ reads it
 * ("EPSG:27700", or the WKT of spatial_ref_sys); *crs malloc'd, NULL when
 * the rows have no srid. */
static hs_status pg_crs(PGconn *c, const char *from, const char *gcol,
                        const char *path, char **crs, hs_error *err)
{
    *crs = NULL;
    char *q = malloc(strlen(from) + strlen(gcol) + 400);
    if (!q)
        return hs_fail(err, HS_ERR_NOMEM, "incidents: out of memory");
    /* the first row's srid (a table's column may say 0, its rows more) */
    sprintf(q, "SELECT s.auth_name, s.auth_srid, s.srtext, g.srid FROM "
            "(SELECT ST_SRID(%s) AS srid FROM %s AS q WHERE %s IS NOT NULL "
            "LIMIT 1) g LEFT JOIN spatial_ref_sys s ON s.srid = g.srid",
            gcol, from, gcol);
    PGresult *r = PQexec(c, q);
    free(q);
    hs_status rc = HS_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = hs_fail(err, HS_ERR_DATA, "incidents '%s': the geometry's CRS: %s",
                     path, hs_pg_msg(c));
    } else if (PQntuples(r) == 1 && atoi(PQgetvalue(r, 0, 3)) > 0) {
        const char *auth = PQgetvalue(r, 0, 0), *code = PQgetvalue(r, 0, 1);
        if (PQgetisnull(r, 0, 2) && PQgetisnull(r, 0, 0))
            rc = hs_fail(err, HS_ERR_CRS, "incidents '%s': srid %s is not in "
                         "spatial_ref_sys", path, PQgetvalue(r, 0, 3));
        else if (!strcasecmp(auth, "EPSG") && *code && (*crs = malloc(strlen(code) + 6)))
            sprintf(*crs, "EPSG:%s", code);
        else if (strcasecmp(auth, "EPSG") || !*code)
            *crs = strdup(PQgetvalue(r, 0, 2));
        if (!rc && !*crs)
            rc = hs_fail(err, HS_ERR_NOMEM, "incidents: out of memory");
    }
    PQclear(r);
    return rc;
}

/* A PostgreSQL source (pgsource.h): a table (tables=) or --incidents-sql,
 * read with one COPY of the columns the options name, in the order of a
 * table's primary key (else as the server gives them).  The same field
 * rules and messages as OGR sources; a feature is the primary key's value
 * when the table has a one-column integer key, else the row's number
 * (from 1). */
static hs_status read_pg(hs_ingest *in, const char *path, const char *label,
                         int32_t file_id, hs_error *err)
{
    const hs_ingest_opts *o = in->o;
    hs_status rc = HS_OK;
    hs_pg_source src;
    PGconn *c = NULL;
    PGresult *d = NULL, *pk = NULL;
    hs_pg_rows *rows = NULL;
    char *from = NULL, *sel = NULL, *crs = NULL, *what = NULL;
    size_t start = in->s->n;
    if ((rc = hs_pg_source_parse(path, &src, err)))
        return rc;
    in->main.features = 1;
    if (!o->sql && !src.table) {
        rc = hs_fail(err, HS_ERR_ARG, "incidents '%s': which table? Give "
                     "tables=SCHEMA.TABLE in the connection string, or "
                     "--incidents-sql 'SELECT ...'", label);
        goto cleanup;
    }
    if (!(c = hs_pg_connect(&src, "incidents", err))) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    if (o->sql) { /* a subquery: without the statement's own ';' */
        size_t n = strlen(o->sql);
        while (n && (isspace((unsigned char)o->sql[n - 1]) || o->sql[n - 1] == ';'))
            n--;
        if ((from = malloc(n + 3)))
            sprintf(from, "(%.*s)", (int)n, o->sql);
    } else {
        from = hs_pg_quote_table(src.table);
    }
    what = malloc(strlen(label) + 64);
    if (!from || !what) {
        rc = hs_fail(err, HS_ERR_NOMEM, "incidents: out of memory");
        goto cleanup;
    }
    sprintf(what, "incidents '%s'", label);
    /* the source's columns, without reading a row */
    sel = malloc(strlen(from) + 64);
    if (!sel) {
        rc = hs_fail(err, HS_ERR_NOMEM, "incidents: out of memory");
        goto cleanup;
    }
    sprintf(sel, "SELECT * FROM %s AS q LIMIT 0", from);
    d = PQexec(c, sel);
    if (PQresultStatus(d) != PGRES_TUPLES_OK) {
        rc = hs_fail(err, HS_ERR_DATA, "%s: %s", what, hs_pg_msg(c));
        goto cleanup;
    }
    fcols k = {
        .x = pg_col(d, o->x, "--x", label, err, &rc),
        .y = pg_col(d, o->y, "--y", label, err, &rc),
        .cat = pg_col(d, o->category ? o->category : "category",
                      o->category || !o->optional_type ? "--category" : NULL,
                      label, err, &rc),
        .date = pg_col(d, o->date ? o->date : "date",
                       o->date || !o->optional_date ? "--date" : NULL, label,
                       err, &rc),
        .time = pg_col(d, o->time, "--time", label, err, &rc),
        .end = pg_col(d, o->end, "--end-time", label, err, &rc),
        .weight = pg_col(d, o->weight, "--weight", label, err, &rc),
        .loc = pg_col(d, o->location ? o->location : "location", NULL, label,
                      err, &rc),
        .id = pg_col(d, o->id, "--id", label, err, &rc)};
    if (rc || (rc = settle_cols(in, &k, err)))
        goto cleanup;
    k.date_name = k.date >= 0 ? PQfname(d, k.date) : "";
    /* the geometry column when no x/y: named by tables=t(col), else the
     * first of PostGIS's type */
    int ig = -1;
    if (k.x < 0) {
        PGresult *t = PQexec(c, "SELECT to_regtype('geometry')::oid");
        Oid goid = PQresultStatus(t) == PGRES_TUPLES_OK && PQntuples(t) == 1 &&
                           !PQgetisnull(t, 0, 0)
                       ? (Oid)strtoul(PQgetvalue(t, 0, 0), NULL, 10)
                       : 0;
        PQclear(t);
        if (src.geom_col)
            ig = pg_col(d, src.geom_col, "tables=...(column)", label, err, &rc);
        for (int i = 0; i < PQnfields(d) && ig < 0 && goid; i++)
            if (PQftype(d, i) == goid)
                ig = i;
        if (rc)
            goto cleanup;
        if (ig < 0) {
            rc = hs_fail(err, HS_ERR_DATA, "%s: no geometry column (PostGIS "
                         "geometry) and no --x/--y columns", what);
            goto cleanup;
        }
    }
    /* a one-column integer primary key names the rows (as OGR's FID) */
    int pkey = -1;
    if (!o->sql) {
        char *lit = PQescapeLiteral(c, from, strlen(from));
        char *q2 = lit ? malloc(strlen(lit) + 400) : NULL;
        if (q2) {
            sprintf(q2, "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                    "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
                    "WHERE i.indrelid = %s::regclass AND i.indisprimary AND "
                    "i.indnatts = 1 AND a.atttypid IN ('int2'::regtype, "
                    "'int4'::regtype, 'int8'::regtype)", lit);
            pk = PQexec(c, q2);
        }
        PQfreemem(lit);
        free(q2);
        if (pk && PQresultStatus(pk) == PGRES_TUPLES_OK && PQntuples(pk) == 1)
            pkey = pg_col(d, PQgetvalue(pk, 0, 0), NULL, label, err, &rc);
    }
    /* the SELECT: every column as text, in a fixed order */
    const int role[] = {pkey, k.date, k.time, k.end, k.cat, k.loc, k.id,
                        k.weight, k.x, k.y};
    enum { F_FID, F_DATE, F_TIME, F_END, F_CAT, F_LOC, F_ID, F_W, F_X, F_Y,
           F_GEOM, F_N };
    size_t cap = strlen(from) + 256;
    for (int i = 0; i < PQnfields(d); i++)
        cap += 2 * strlen(PQfname(d, i)) + 16;
    free(sel);
    if (!(sel = malloc(cap))) {
        rc = hs_fail(err, HS_ERR_NOMEM, "incidents: out of memory");
        goto cleanup;
    }
    /* the columns as the server writes them as text; the geometry as its
     * hex EWKB, read here (hs_pg_ewkb_point): PostGIS functions per row
     * (GeometryType, ST_X) doubled the server's time */
    char *p = sel, *gid = NULL;
    p += sprintf(p, "SELECT ");
    for (int r = 0; r < F_N; r++) {
        int col = r == F_GEOM ? ig : role[r];
        if (col < 0) {
            p += sprintf(p, "%sNULL", r ? ", " : "");
            continue;
        }
        char *id = PQescapeIdentifier(c, PQfname(d, col), strlen(PQfname(d, col)));
        if (!id) {
            rc = hs_fail(err, HS_ERR_NOMEM, "incidents: out of memory");
            goto cleanup;
        }
        p += sprintf(p, "%s%s", r ? ", " : "", id);
        if (r == F_GEOM && !(gid = strdup(id))) {
            PQfreemem(id);
            rc = hs_fail(err, HS_ERR_NOMEM, "incidents: out of memory");
            goto cleanup;
        }
        PQfreemem(id);
    }
    p += sprintf(p, " FROM %s AS q", from);
    if (pkey >= 0)
        sprintf(p, " ORDER BY 1");
    /* the CRS: --incidents-crs, else the geometry's, else the analysis
     * CRS (x/y columns: as for a CSV) */
    rc = !o->crs && ig >= 0 ? pg_crs(c, from, gid, label, &crs, err) : HS_OK;
    free(gid);
    if (rc)
        goto cleanup;
    const char *use_crs = o->crs ? o->crs : crs ? crs : o->analysis_crs;
    int geo = hs_crs_is_geographic(use_crs, err);
    if (geo < 0) {
        rc = err ? err->code : HS_ERR_CRS;
        goto cleanup;
    }
    if (!(rows = hs_pg_rows_open(c, sel, F_N, what, err))) {
        rc = err ? err->code : HS_ERR_DATA;
        goto cleanup;
    }
    char **fv;
    long n = 0;
    int got;
    while ((got = hs_pg_rows_next(rows, &fv, err)) == 1) {
        n++;
        feat v = {.line = pkey >= 0 && fv[F_FID] ? atol(fv[F_FID]) : n,
                  .date = fv[F_DATE], .time = fv[F_TIME], .end = fv[F_END],
                  .type = fv[F_CAT], .loc = fv[F_LOC], .id = fv[F_ID],
                  .has_weight = k.weight >= 0, .weight = 1, .x = NAN, .y = NAN};
        if (k.weight >= 0 && (!fv[F_W] ||
                              parse_double(fv[F_W], strlen(fv[F_W]), &v.weight)))
            v.weight = NAN;
        if (k.x >= 0) {
            if (fv[F_X] && fv[F_Y] &&
                (parse_double(fv[F_X], strlen(fv[F_X]), &v.x) ||
                 parse_double(fv[F_Y], strlen(fv[F_Y]), &v.y)))
                v.bad_xy = "coordinates are not numbers";
            if (!fv[F_X] || !fv[F_Y])
                v.x = v.y = NAN;
        } else if (fv[F_GEOM] && hs_pg_ewkb_point(fv[F_GEOM], &v.x, &v.y) < 0) {
            v.x = v.y = NAN;
            v.bad_xy = "geometry is not a point";
        }
        if ((rc = take_feature(in, label, file_id, geo, &k, &v, err)))
            goto cleanup;
    }
    if (got < 0) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    rc = transform_rows(in, start, use_crs, label, err);
cleanup:
    in->main.features = 0;
    hs_pg_rows_close(rows);
    PQclear(d);
    PQclear(pk);
    PQfinish(c);
    free(from);
    free(sel);
    free(crs);
    free(what);
    hs_pg_source_free(&src);
    return rc;
}

/* Source i's SHA-256, computed once. */
static hs_status source_sha(hs_ingest *in, size_t i, hs_error *err)
{
    if (in->pub[i].sha256[0])
        return HS_OK;
    hs_status rc = hs_file_sha256(in->pub[i].path, in->pub[i].sha256, err);
    if (rc)
        in->pub[i].sha256[0] = '\0';
    return rc;
}

/* An earlier source with the same bytes as source i, or -1.  Sizes first:
 * only files of equal size are hashed (reading a file once more costs
 * about as much as parsing it). */
static hs_status identical(hs_ingest *in, size_t i, long *same, hs_error *err)
{
    hs_status rc;
    *same = -1;
    for (size_t e = 0; e < i && *same < 0; e++) {
        if (in->pub[e].same_as >= 0 || in->src[e].size != in->src[i].size)
            continue;
        if ((rc = source_sha(in, e, err)) || (rc = source_sha(in, i, err)))
            return rc;
        if (strcmp(in->pub[e].sha256, in->pub[i].sha256) == 0)
            *same = (long)e;
    }
    return HS_OK;
}

static hs_status add_source(hs_ingest *in, const char *path, hs_error *err)
{
    if (in->nsrc == in->src_cap) {
        size_t cap = in->src_cap ? 2 * in->src_cap : 16;
        hs_ingest_source *p = realloc(in->pub, cap * sizeof *p);
        if (p)
            in->pub = p;
        source *q = realloc(in->src, cap * sizeof *q);
        if (q)
            in->src = q;
        if (!p || !q)
            return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
        in->src_cap = cap;
    }
    char *copy = strdup(path);
    if (!copy)
        return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
    struct stat st;
    in->pub[in->nsrc] = (hs_ingest_source){.path = copy, .same_as = -1};
    in->src[in->nsrc] = (source){.size = stat(path, &st) == 0 ? st.st_size : -1,
                                 .start = in->s->n, .end = in->s->n};
    in->nsrc++;
    return HS_OK;
}

hs_status hs_ingest_file(hs_ingest *in, const char *path, hs_error *err)
{
    hs_ingest_report *R = &in->main.rep;
    hs_status rc;
    if (in->finished)
        return hs_fail(err, HS_ERR_ARG, "ingest: a file after hs_ingest_finish");
    /* a database's label leaves its password out of every message and
     * output (pgsource.h); it has no bytes to hash */
    int db = hs_pg_is_source(path);
    char label[1024];
    hs_pg_label(path, label, sizeof label);
    if (in->o->sql && !db && (hs_has_ext(path, ".csv") || hs_has_ext(path, ".txt")))
        return hs_fail(err, HS_ERR_ARG, "incidents '%s': --incidents-sql "
                       "reads a database or a GIS file (GeoPackage, ...), not "
                       "a CSV", path);
    int32_t file_id = hs_pool_intern(in->s->files, label, strlen(label));
    if (file_id < 0)
        return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
    if ((rc = add_source(in, label, err)))
        return rc;
    size_t i = in->nsrc - 1;
    hs_ingest_source *p = &in->pub[i];
    source *q = &in->src[i];
    long same = -1;
    if (db)
        q->size = -1;
    if ((in->o->hash_files && !db && (rc = source_sha(in, i, err))) ||
        (q->size > 0 && (rc = identical(in, i, &same, err))))
        return rc;
    R->files++;
    if (same >= 0 && in->o->duplicates != HS_DUP_KEEP) {
        /* not read again: its rows are those of the original, skipped */
        p->same_as = (int)same;
        p->rows_read = p->duplicates = in->pub[same].rows_read;
        R->rows_read += p->rows_read;
        R->skipped[HS_SKIP_DUP_FILE] += p->rows_read;
        for (int e = 0; e < HS_INGEST_EXAMPLES; e++)
            if (!R->example[HS_SKIP_DUP_FILE][e][0]) {
                snprintf(R->example[HS_SKIP_DUP_FILE][e], sizeof R->example[0][0],
                         "%s: identical to %s", path, in->pub[same].path);
                break;
            }
        hs_warn(in->o->log, "incidents '%s': the same bytes as '%s' (SHA-256 "
                "%.12s...): read once; its %ld row(s) skipped as an identical "
                "file", path, in->pub[same].path, p->sha256, p->rows_read);
        return HS_OK;
    }
    if (same >= 0)
        hs_warn(in->o->log, "incidents '%s': the same bytes as '%s': read "
                "again (--duplicates keep): its incidents are counted twice",
                path, in->pub[same].path);
    long read0 = R->rows_read, kept0 = R->rows_kept, text0 = R->bad_text;
    q->start = in->s->n;
    rc = db ? read_pg(in, path, label, file_id, err)
         : hs_has_ext(path, ".csv") || hs_has_ext(path, ".txt")
             ? read_csv(in, path, file_id, &p->sep, err)
             : read_ogr(in, path, file_id, err);
    if (rc)
        return rc;
    q->end = in->s->n;
    for (size_t r = q->start; r < q->end; r++) {
        R->no_location += isnan(in->s->x[r]);
        R->unknown_type += in->s->group && in->s->group[r] < 0;
    }
    p->rows_read = R->rows_read - read0;
    p->rows_kept = R->rows_kept - kept0;
    p->cp1252 = R->bad_text - text0;
    if (p->sep && p->sep != ',')
        hs_note(in->o->log, "incidents '%s': fields separated by %s (detected "
                "from the header, as GDAL does)", path,
                p->sep == '\t' ? "tabs" : p->sep == ';' ? "semicolons" : "'|'");
    if (p->cp1252)
        hs_warn(in->o->log, "incidents '%s': read as Windows-1252: %ld row(s) "
                "had text that is not UTF-8 (transcoded)", path, p->cp1252);
    return HS_OK;
}

/* ---- duplicates across files ------------------------------------------ */

/* Warns once per pair of files: the force-months of one taken from the
 * other. */
static void warn_force_months(const hs_ingest *in, const hs_dup_result *d)
{
    for (size_t a = 0; a < d->nruns; a++) {
        const hs_dup_run *ra = &d->runs[a];
        int seen = 0; /* this pair was warned about at an earlier a */
        for (size_t b = 0; b < a && !seen; b++)
            seen = d->runs[b].file == ra->file && d->runs[b].kept_in == ra->kept_in;
        if (seen)
            continue;
        char list[512] = "", one[160];
        long rows = 0, more = 0;
        for (size_t b = a; b < d->nruns; b++) {
            const hs_dup_run *rb = &d->runs[b];
            if (rb->file != ra->file || rb->kept_in != ra->kept_in)
                continue;
            rows += rb->n;
            hs_dup_key_text(hs_pool_str(in->s->keys, rb->key), one, sizeof one);
            if (strlen(list) + strlen(one) + 3 < sizeof list)
                snprintf(list + strlen(list), sizeof list - strlen(list),
                         "%s%s", *list ? ", " : "", one);
            else
                more++;
        }
        char tail[48] = "";
        if (more)
            snprintf(tail, sizeof tail, " and %ld more", more);
        const char *path = in->pub[ra->file].path, *kept = in->pub[ra->kept_in].path;
        if (in->o->duplicates == HS_DUP_KEEP)
            hs_warn(in->o->log, "incidents '%s' and '%s' both hold %s%s: both "
                    "kept (--duplicates keep), so %ld row(s) are counted twice",
                    path, kept, list, tail, rows);
        else
            hs_warn(in->o->log, "incidents '%s': %s%s also in '%s', taken from "
                    "there (--duplicates %s): %ld row(s) skipped here as "
                    "duplicate force-month", path, list, tail, kept,
                    hs_dup_rule_name(in->o->duplicates), rows);
    }
}

hs_status hs_ingest_finish(hs_ingest *in, hs_error *err)
{
    hs_ingest_report *R = &in->main.rep;
    hs_dup_result d;
    hs_status rc;
    if (in->finished)
        return HS_OK;
    in->finished = 1;
    hs_dup_file *f = calloc(in->nsrc ? in->nsrc : 1, sizeof *f);
    if (!f)
        return hs_fail(err, HS_ERR_NOMEM, "ingest: out of memory");
    for (size_t i = 0; i < in->nsrc; i++)
        f[i] = (hs_dup_file){in->src[i].start, in->src[i].end, in->src[i].police, 0};
    if ((rc = hs_dups_resolve(in->s, f, in->nsrc, in->o->duplicates, &d, err))) {
        free(f);
        return rc;
    }
    int keep = in->o->duplicates == HS_DUP_KEEP;
    for (size_t i = 0; i < in->nsrc; i++) {
        in->src[i].start = f[i].start;
        in->src[i].end = f[i].end;
        in->pub[i].duplicates += f[i].removed;
        in->pub[i].rows_kept -= f[i].removed;
    }
    if (!keep) {
        R->rows_kept -= d.fm_rows + d.ref_rows;
        R->skipped[HS_SKIP_DUP_FM] += d.fm_rows;
        R->skipped[HS_SKIP_DUP_ID] += d.ref_rows;
        R->no_location -= d.no_location;
        R->unknown_type -= d.unknown_type;
        for (size_t a = 0; a < d.nruns && a < HS_INGEST_EXAMPLES; a++) {
            char one[160];
            hs_dup_key_text(hs_pool_str(in->s->keys, d.runs[a].key), one, sizeof one);
            snprintf(R->example[HS_SKIP_DUP_FM][a], sizeof R->example[0][0],
                     "%s: %s, %ld row(s), taken from %s", in->pub[d.runs[a].file].path,
                     one, d.runs[a].n, in->pub[d.runs[a].kept_in].path);
        }
        for (long e = 0; e < d.ref_rows && e < HS_INGEST_EXAMPLES; e++) {
            const hs_dup_ref *x = &d.ref_example[e];
            char ref[64];
            hs_dup_key_text(hs_pool_str(in->s->keys, x->key), ref, sizeof ref);
            if (x->line) /* a store with line numbers */
                snprintf(R->example[HS_SKIP_DUP_ID][e], sizeof R->example[0][0],
                         "%s line %lld: crime reference '%s' kept at %s line %lld",
                         in->pub[x->file].path, (long long)x->line, ref,
                         in->pub[x->kept_file].path, (long long)x->kept_line);
            else
                snprintf(R->example[HS_SKIP_DUP_ID][e], sizeof R->example[0][0],
                         "%s: crime reference '%s' kept in %s",
                         in->pub[x->file].path, ref, in->pub[x->kept_file].path);
        }
    }
    warn_force_months(in, &d);
    if (d.ref_rows)
        hs_warn(in->o->log, "%ld row(s) repeat a crime reference (--id %s): %s",
                d.ref_rows, in->o->id ? in->o->id : "", keep ? "all kept "
                "(--duplicates keep), so those crimes are counted more than once"
                : in->o->duplicates == HS_DUP_FIRST ? "each kept on its first row"
                                                    : "each kept on its last row");
    hs_dup_result_free(&d);
    free(f);
    return HS_OK;
}

/* ---- path expansion --------------------------------------------------- */

typedef struct strvec {
    char **v;
    size_t n, cap;
} strvec;

static int sv_push(strvec *sv, const char *s)
{
    if (sv->n + 1 >= sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 16;
        char **v = realloc(sv->v, cap * sizeof *v);
        if (!v)
            return -1;
        sv->v = v;
        sv->cap = cap;
    }
    if (!(sv->v[sv->n] = strdup(s)))
        return -1;
    sv->v[++sv->n] = NULL;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the CSV files under dir (recursively). */
static hs_status walk(strvec *sv, const char *dir, hs_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return hs_fail(err, HS_ERR_IO, "cannot read folder '%s': %s", dir,
                       strerror(errno));
    hs_status rc = HS_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(len);
        if (!p) {
            rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(p, len, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc = walk(sv, p, err);
        else if (hs_has_ext(p, ".csv") && sv_push(sv, p) != 0)
            rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
        free(p);
        if (rc)
            break;
    }
    closedir(d);
    return rc;
}

void hs_paths_free(char **files)
{
    if (!files)
        return;
    for (char **f = files; *f; f++)
        free(*f);
    free(files);
}

hs_status hs_paths_expand(const char *const *paths, size_t n, char ***files,
                          size_t *nfiles, hs_error *err)
{
    strvec sv = {0};
    hs_status rc = HS_OK;
    *files = NULL;
    *nfiles = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *p = paths[i];
        struct stat st;
        size_t before = sv.n;
        if (hs_pg_is_source(p)) { /* a database: read as it is named */
            if (sv_push(&sv, p) != 0)
                rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
        } else if (stat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                rc = walk(&sv, p, err);
            else if (sv_push(&sv, p) != 0)
                rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
        } else if (strpbrk(p, "*?[")) {
            glob_t g;
            if (glob(p, 0, NULL, &g) == 0) {
                for (size_t j = 0; j < g.gl_pathc && !rc; j++)
                    if (sv_push(&sv, g.gl_pathv[j]) != 0)
                        rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
                globfree(&g);
            }
        } else {
            rc = hs_fail(err, HS_ERR_IO, "incidents '%s': %s", p,
                         strerror(errno));
        }
        if (!rc && sv.n == before)
            rc = hs_fail(err, HS_ERR_IO, "incidents '%s': no %s", p,
                         strpbrk(p, "*?[") ? "file matches this pattern"
                                           : "CSV files in this folder");
    }
    if (rc) {
        hs_paths_free(sv.v);
        return rc;
    }
    if (sv.n == 0)
        return hs_fail(err, HS_ERR_ARG, "no incident files given");
    qsort(sv.v, sv.n, sizeof *sv.v, cmp_str);
    size_t d = 0; /* drop duplicates (a file named twice is read once) */
    for (size_t i = 0; i < sv.n; i++) {
        if (d > 0 && strcmp(sv.v[d - 1], sv.v[i]) == 0) {
            free(sv.v[i]);
            continue;
        }
        sv.v[d++] = sv.v[i];
    }
    sv.v[d] = NULL;
    *files = sv.v;
    *nfiles = d;
    return HS_OK;
}
