/*
 * postgis.c - the PostGIS writer (see postgis.h).
 *
 * libpq directly, not GDAL's PG driver: the run needs one transaction
 * around DDL, binary COPY, the schema swap, layer_styles and the project,
 * under its own control, and GDAL's driver would make an OGRFeature per
 * row on top of the values the run already has (its COPY path cost ~3 us a
 * point, as its GeoPackage path did before output.c wrote by SQL).  Rows
 * are encoded here straight into COPY's binary form: integers and floats
 * big-endian, text as UTF-8, geometries as EWKB (geometry_recv reads it).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>
#include <ogr_srs_api.h>

#include "core/defaults.h"
#include "hotspot/hotspot.h"
#include "input/pgsource.h"
#include "output/postgis.h"

#define COPY_CHUNK (1u << 20) /* bytes of rows sent to the server at once */
#define TILE 256              /* raster tiles, as GDAL and raster2pgsql  */
#define MARK "Hotspot output" /* the schema comment that allows a replace */
#define MAX_SCHEMA 47         /* 63 - strlen("__new_") - 10 pid digits   */

struct hs_pg_layer {
    hs_pg_out *w;
    char *name, *qname;   /* "tmp"."name", quoted                         */
    hs_geom_kind kind;
    int raster, index, srid;
    size_t nfields;
    hs_field_type *types;
    char **fnames;
    unsigned char *buf;   /* rows waiting for COPY                        */
    size_t len, cap;
    long long nrows;
    hs_pg_layer *next;
};

typedef struct kept_style {
    char *table, *name, *qml, *sld, *description;
    int raster, is_default;
} kept_style;

struct hs_pg_out {
    PGconn *c;
    hs_pg_source src;
    char *schema, *tmp, *old;        /* NAME, NAME__new_<pid>, NAME__old_<pid> */
    char *q_schema, *q_tmp, *q_old;  /* the same, quoted                   */
    char *label;
    int rasters;                     /* postgis_raster is there            */
    int no_index;
    int srid_ok;                     /* the last srid checked              */
    hs_pg_layer *layers, *last;
    hs_pg_layer *copying;            /* whose COPY is open                 */
    kept_style *styles;
    size_t nstyles, cap_styles;
    char *proj_name;
    unsigned char *proj;
    size_t proj_len;
    int broken;                      /* a statement failed: rolled back    */
    int committed;
};

/* ---- small things ------------------------------------------------------- */

static void put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static char *quote_id(PGconn *c, const char *s)
{
    char *q = PQescapeIdentifier(c, s, strlen(s));
    char *out = q ? strdup(q) : NULL;
    PQfreemem(q);
    return out;
}

static char *quote_lit(PGconn *c, const char *s)
{
    char *q = PQescapeLiteral(c, s, strlen(s));
    char *out = q ? strdup(q) : NULL;
    PQfreemem(q);
    return out;
}

/* printf into a malloc'd string; NULL when out of memory. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap, aq;
    va_start(ap, f);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (p)
        vsnprintf(p, (size_t)n + 1, f, aq);
    va_end(aq);
    return p;
}

static hs_status nomem(const hs_pg_out *w, hs_error *err)
{
    return hs_fail(err, HS_ERR_NOMEM, "PostGIS output '%s': out of memory",
                   w->label ? w->label : "");
}

/* Appends n bytes to a layer's rows; -1 when out of memory. */
static int buf_put(hs_pg_layer *l, const void *p, size_t n)
{
    if (l->cap - l->len < n) {
        size_t cap = l->cap ? l->cap : 64 * 1024;
        while (cap - l->len < n)
            cap *= 2;
        unsigned char *b = realloc(l->buf, cap);
        if (!b)
            return -1;
        l->buf = b;
        l->cap = cap;
    }
    memcpy(l->buf + l->len, p, n);
    l->len += n;
    return 0;
}

/* ---- COPY --------------------------------------------------------------- */

/* Ends the open COPY (if any): the trailer, then the server's verdict. */
static hs_status end_copy(hs_pg_out *w, hs_error *err)
{
    hs_pg_layer *l = w->copying;
    if (!l)
        return HS_OK;
    w->copying = NULL;
    static const unsigned char trailer[2] = {0xff, 0xff};
    int ok = PQputCopyData(w->c, (const char *)trailer, 2) == 1 &&
             PQputCopyEnd(w->c, NULL) == 1;
    PGresult *r;
    while ((r = PQgetResult(w->c)) != NULL) {
        ok &= PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    if (!ok) {
        w->broken = 1;
        return hs_fail(err, HS_ERR_DB, "PostGIS output '%s', table '%s': "
                       "writing rows: %s", w->label, l->name, hs_pg_msg(w->c));
    }
    return HS_OK;
}

/* Sends a layer's waiting rows, opening its COPY (and ending another's)
 * when need be. */
static hs_status send_rows(hs_pg_layer *l, hs_error *err)
{
    hs_pg_out *w = l->w;
    hs_status s;
    if (l->len == 0)
        return HS_OK;
    if (w->copying != l) {
        if ((s = end_copy(w, err)))
            return s;
        size_t n = strlen(l->qname) + 64;
        for (size_t i = 0; i < l->nfields; i++)
            n += 2 * strlen(l->fnames[i]) + 4;
        char *sql = malloc(n), *p = sql;
        if (!sql)
            return nomem(w, err);
        p += sprintf(p, "COPY %s (fid%s", l->qname,
                     l->kind != HS_GEOM_NONE ? ", geom" : "");
        for (size_t i = 0; i < l->nfields; i++) {
            char *q = quote_id(w->c, l->fnames[i]);
            if (!q) {
                free(sql);
                return nomem(w, err);
            }
            p += sprintf(p, ", %s", q);
            free(q);
        }
        sprintf(p, ") FROM STDIN (FORMAT binary)");
        PGresult *r = PQexec(w->c, sql);
        free(sql);
        int ok = PQresultStatus(r) == PGRES_COPY_IN;
        PQclear(r);
        if (!ok) {
            w->broken = 1;
            return hs_fail(err, HS_ERR_DB, "PostGIS output '%s', table '%s': "
                           "COPY: %s", w->label, l->name, hs_pg_msg(w->c));
        }
        w->copying = l;
        static const unsigned char head[19] = "PGCOPY\n\377\r\n";
        if (PQputCopyData(w->c, (const char *)head, 19) != 1)
            goto broken;
    }
    if (PQputCopyData(w->c, (const char *)l->buf, (int)l->len) != 1)
        goto broken;
    l->len = 0;
    return HS_OK;
broken:
    w->broken = 1;
    return hs_fail(err, HS_ERR_DB, "PostGIS output '%s', table '%s': sending "
                   "rows: %s", w->label, l->name, hs_pg_msg(w->c));
}

/* One statement (or several, ';'-separated) outside any COPY. */
static hs_status run_sql(hs_pg_out *w, const char *what, const char *sql,
                         hs_error *err)
{
    hs_status s = end_copy(w, err);
    if (s)
        return s;
    if (!sql)
        return nomem(w, err);
    PGresult *r = PQexec(w->c, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        w->broken = 1;
        return hs_fail(err, HS_ERR_DB, "PostGIS output '%s': %s: %s", w->label,
                       what, hs_pg_msg(w->c));
    }
    return HS_OK;
}

/* run_sql, then frees sql. */
static hs_status run_free(hs_pg_out *w, const char *what, char *sql,
                          hs_error *err)
{
    hs_status s = run_sql(w, what, sql, err);
    free(sql);
    return s;
}

/* r (freed here) has status want; otherwise the transaction is lost and
 * err says what was being done and why. */
static hs_status result_ok(hs_pg_out *w, PGresult *r, ExecStatusType want,
                           const char *what, hs_error *err)
{
    int ok = PQresultStatus(r) == want;
    PQclear(r);
    if (ok)
        return HS_OK;
    w->broken = 1;
    return hs_fail(err, HS_ERR_DB, "PostGIS output '%s': %s: %s", w->label,
                   what, hs_pg_msg(w->c));
}

/* ---- create ------------------------------------------------------------- */

/* The comment of schema name: 1 and *comment (malloc'd, "" for none) if
 * the schema exists, 0 if not, -1 on error. */
static int schema_state(hs_pg_out *w, const char *name, char **comment,
                        hs_error *err)
{
    const char *p[1] = {name};
    PGresult *r = PQexecParams(w->c, "SELECT coalesce(obj_description(oid, "
                               "'pg_namespace'), '') FROM pg_namespace WHERE "
                               "nspname = $1", 1, NULL, p, NULL, NULL, 0);
    int st = -1;
    *comment = NULL;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        hs_fail(err, HS_ERR_DB, "PostGIS output '%s': looking up schema: %s",
                w->label, hs_pg_msg(w->c));
    } else if (PQntuples(r) == 0) {
        st = 0;
    } else if ((*comment = strdup(PQgetvalue(r, 0, 0)))) {
        st = 1;
    } else {
        nomem(w, err);
    }
    PQclear(r);
    return st;
}

/* HS_OK if schema NAME is absent or a Hotspot output. */
static hs_status check_replaceable(hs_pg_out *w, hs_error *err)
{
    char *comment;
    int st = schema_state(w, w->schema, &comment, err);
    if (st < 0)
        return err ? err->code : HS_ERR_DB;
    hs_status s = HS_OK;
    if (st == 1 && strncmp(comment, MARK, strlen(MARK)) != 0)
        s = hs_fail(err, HS_ERR_IO, "refusing to replace schema '%s' in '%s': "
                    "it was not written by Hotspot (its comment does not "
                    "start with '" MARK "'); choose another --schema",
                    w->schema, w->label);
    free(comment);
    return s;
}

hs_pg_out *hs_pg_out_create(const char *target, const char *schema,
                            hs_error *err)
{
    hs_pg_out *w = calloc(1, sizeof *w);
    if (!w) {
        hs_fail(err, HS_ERR_NOMEM, "PostGIS output: out of memory");
        return NULL;
    }
    if (hs_pg_source_parse(target, &w->src, err))
        goto fail;
    if (!schema || !*schema) {
        hs_fail(err, HS_ERR_ARG, "PostGIS output '%s': give --schema NAME, "
                "the schema the run writes (and replaces)", w->src.label);
        goto fail;
    }
    if (strlen(schema) > MAX_SCHEMA || !strncasecmp(schema, "pg_", 3)) {
        hs_fail(err, HS_ERR_ARG, "--schema '%s': %s", schema,
                strlen(schema) > MAX_SCHEMA ? "longer than 47 bytes"
                                            : "names starting pg_ are the "
                                              "server's");
        goto fail;
    }
    if (w->src.table) {
        hs_fail(err, HS_ERR_ARG, "PostGIS output '%s': tables= names an "
                "input table; the output goes into --schema", w->src.label);
        goto fail;
    }
    w->label = fmt("%s schema %s", w->src.label, schema);
    if (!w->label || !(w->schema = strdup(schema)))
        goto nomem;
    if (!(w->c = hs_pg_connect(&w->src, "PostGIS output", err)))
        goto fail;
    /* the transaction idles while surfaces are computed and a big COPY
     * may take long: a server's limits for interactive sessions would
     * end the run at its last step */
    if (run_sql(w, "setting up the session", "SET idle_in_transaction_session_"
                "timeout = 0; SET statement_timeout = 0", err))
        goto fail;
    PGresult *r = PQexec(w->c, "SELECT to_regtype('geometry') IS NOT NULL, "
                         "to_regtype('raster') IS NOT NULL, pg_backend_pid()");
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    int geometry = ok && !strcmp(PQgetvalue(r, 0, 0), "t");
    w->rasters = ok && !strcmp(PQgetvalue(r, 0, 1), "t");
    long pid = ok ? atol(PQgetvalue(r, 0, 2)) : 0;
    PQclear(r);
    if (!ok || !geometry) {
        hs_fail(err, HS_ERR_DB, "PostGIS output '%s': %s", w->label,
                !ok ? hs_pg_msg(w->c) : "the database has no PostGIS "
                "(CREATE EXTENSION postgis), or not on the search path");
        goto fail;
    }
    if (!(w->tmp = fmt("%s__new_%ld", schema, pid)) ||
        !(w->old = fmt("%s__old_%ld", schema, pid)) ||
        !(w->q_schema = quote_id(w->c, schema)) ||
        !(w->q_tmp = quote_id(w->c, w->tmp)) ||
        !(w->q_old = quote_id(w->c, w->old)))
        goto nomem;
    /* refused now, before the run computes anything; again at commit */
    if (check_replaceable(w, err))
        goto fail;
    if (run_sql(w, "starting the transaction", "BEGIN", err) ||
        run_free(w, "creating the new schema", fmt("CREATE SCHEMA %s", w->q_tmp),
                 err))
        goto fail;
    return w;
nomem:
    hs_fail(err, HS_ERR_NOMEM, "PostGIS output: out of memory");
fail:
    hs_pg_out_destroy(w);
    return NULL;
}

static void free_layer(hs_pg_layer *l)
{
    if (!l)
        return;
    free(l->fnames); /* the names are in the same block */
    free(l->types);
    free(l->name);
    free(l->qname);
    free(l->buf);
    free(l);
}

void hs_pg_out_destroy(hs_pg_out *w)
{
    if (!w)
        return;
    /* without a commit the server rolls everything back when the
     * connection closes */
    PQfinish(w->c);
    while (w->layers) {
        hs_pg_layer *n = w->layers->next;
        free_layer(w->layers);
        w->layers = n;
    }
    for (size_t i = 0; i < w->nstyles; i++) {
        kept_style *k = &w->styles[i];
        free(k->table);
        free(k->name);
        free(k->qml);
        free(k->sld);
        free(k->description);
    }
    free(w->styles);
    free(w->proj_name);
    free(w->proj);
    free(w->schema);
    free(w->tmp);
    free(w->old);
    free(w->q_schema);
    free(w->q_tmp);
    free(w->q_old);
    free(w->label);
    hs_pg_source_free(&w->src);
    free(w);
}

int hs_pg_out_has_rasters(const hs_pg_out *w) { return w && w->rasters; }

const char *hs_pg_out_label(const hs_pg_out *w) { return w->label; }

void hs_pg_out_set_spatial_index(hs_pg_out *w, int on) { w->no_index = !on; }

/* The EPSG code of srs, checked against spatial_ref_sys. */
static hs_status srid_of(hs_pg_out *w, const char *srs, int *srid,
                         hs_error *err)
{
    int code = 0;
    if (!strncasecmp(srs, "EPSG:", 5)) {
        code = atoi(srs + 5);
    } else {
        OGRSpatialReferenceH sr = OSRNewSpatialReference(NULL);
        if (sr && OSRSetFromUserInput(sr, srs) == OGRERR_NONE) {
            OSRAutoIdentifyEPSG(sr);
            const char *an = OSRGetAuthorityName(sr, NULL);
            const char *ac = OSRGetAuthorityCode(sr, NULL);
            if (an && ac && !strcasecmp(an, "EPSG"))
                code = atoi(ac);
        }
        if (sr)
            OSRDestroySpatialReference(sr);
    }
    if (code <= 0)
        return hs_fail(err, HS_ERR_CRS, "PostGIS output '%s': CRS '%s' has "
                       "no EPSG code, which PostGIS needs", w->label, srs);
    if (code != w->srid_ok) {
        char lit[16];
        snprintf(lit, sizeof lit, "%d", code);
        const char *p[1] = {lit};
        hs_status s = end_copy(w, err);
        if (s)
            return s;
        PGresult *r = PQexecParams(w->c, "SELECT 1 FROM spatial_ref_sys WHERE "
                                   "srid = $1::integer", 1, NULL, p, NULL,
                                   NULL, 0);
        int st = PQresultStatus(r), n = PQntuples(r);
        PQclear(r);
        if (st != PGRES_TUPLES_OK) {
            w->broken = 1;
            return hs_fail(err, HS_ERR_DB, "PostGIS output '%s': %s", w->label,
                           hs_pg_msg(w->c));
        }
        if (n != 1)
            return hs_fail(err, HS_ERR_CRS, "PostGIS output '%s': EPSG:%d is "
                           "not in spatial_ref_sys", w->label, code);
        w->srid_ok = code;
    }
    *srid = code;
    return HS_OK;
}

static hs_pg_layer *new_layer(hs_pg_out *w, const char *name, hs_error *err)
{
    hs_pg_layer *l = calloc(1, sizeof *l);
    char *q = l ? quote_id(w->c, name) : NULL;
    if (!l || !q || !(l->name = strdup(name)) ||
        !(l->qname = fmt("%s.%s", w->q_tmp, q))) {
        free(q);
        free_layer(l);
        nomem(w, err);
        return NULL;
    }
    free(q);
    l->w = w;
    return l;
}

static void link_layer(hs_pg_out *w, hs_pg_layer *l)
{
    if (w->last)
        w->last->next = l;
    else
        w->layers = l;
    w->last = l;
}

static hs_pg_layer *find_layer(const hs_pg_out *w, const char *name)
{
    for (hs_pg_layer *l = w->layers; l; l = l->next)
        if (!strcmp(l->name, name))
            return l;
    return NULL;
}

static const char *pg_type(hs_field_type t)
{
    switch (t) {
    case HS_FIELD_INT: return "integer";
    case HS_FIELD_INT64: return "bigint";
    case HS_FIELD_REAL: return "double precision";
    default: return "text";
    }
}

hs_pg_layer *hs_pg_out_add_layer(hs_pg_out *w, const char *name,
                                 const char *description, hs_geom_kind kind,
                                 const char *srs, const hs_field *fields,
                                 size_t nfields, hs_error *err)
{
    if (!w || !name || !*name || (nfields && !fields) ||
        (kind != HS_GEOM_NONE && kind != HS_GEOM_POINT &&
         kind != HS_GEOM_MULTIPOLYGON)) {
        hs_fail(err, HS_ERR_ARG, "adding PostGIS table: bad argument");
        return NULL;
    }
    if (w->broken || w->committed) {
        hs_fail(err, HS_ERR_ARG, "adding table '%s': PostGIS output '%s' is "
                "%s", name, w->label, w->committed ? "committed" : "failed");
        return NULL;
    }
    if (find_layer(w, name)) {
        hs_fail(err, HS_ERR_ARG, "adding table '%s': already written", name);
        return NULL;
    }
    for (size_t i = 0; i < nfields; i++) {
        const char *fn = fields[i].name;
        int clash = !fn || !*fn || (unsigned)fields[i].type > HS_FIELD_TEXT ||
                    !strcasecmp(fn, "fid") ||
                    (kind != HS_GEOM_NONE && !strcasecmp(fn, "geom"));
        for (size_t j = 0; j < i && !clash; j++)
            clash = !strcasecmp(fn, fields[j].name);
        if (clash) {
            hs_fail(err, HS_ERR_ARG, "adding table '%s': field %zu has no "
                    "name, a bad type, or a name used twice or reserved",
                    name, i + 1);
            return NULL;
        }
    }
    int srid = 0;
    if (kind != HS_GEOM_NONE && (!srs || !*srs)) {
        hs_fail(err, HS_ERR_CRS, "layer '%s': no CRS given", name);
        return NULL;
    }
    if (kind != HS_GEOM_NONE && srid_of(w, srs, &srid, err))
        return NULL;
    hs_pg_layer *l = new_layer(w, name, err);
    if (!l)
        return NULL;
    l->kind = kind;
    l->srid = srid;
    l->index = !w->no_index && kind != HS_GEOM_NONE;
    l->nfields = nfields;
    /* the names' pointers, then the names, in one block */
    size_t n = strlen(l->qname) + 200, names = nfields * sizeof *l->fnames;
    for (size_t i = 0; i < nfields; i++) {
        names += strlen(fields[i].name) + 1;
        n += 2 * strlen(fields[i].name) + 24;
    }
    l->types = calloc(nfields ? nfields : 1, sizeof *l->types);
    l->fnames = malloc(names ? names : 1);
    char *sql = l->types && l->fnames ? malloc(n) : NULL;
    char *at = l->fnames ? (char *)(l->fnames + nfields) : NULL;
    for (size_t i = 0; sql && i < nfields; i++) {
        l->types[i] = fields[i].type;
        l->fnames[i] = strcpy(at, fields[i].name);
        at += strlen(at) + 1;
    }
    if (!sql) {
        free_layer(l);
        nomem(w, err);
        return NULL;
    }
    char *p = sql;
    p += sprintf(p, "CREATE TABLE %s (fid integer NOT NULL", l->qname);
    if (kind != HS_GEOM_NONE)
        p += sprintf(p, ", geom geometry(%s, %d)",
                     kind == HS_GEOM_POINT ? "Point" : "MultiPolygon", srid);
    for (size_t i = 0; i < nfields; i++) {
        char *q = quote_id(w->c, fields[i].name);
        if (!q) {
            free(sql);
            free_layer(l);
            nomem(w, err);
            return NULL;
        }
        p += sprintf(p, ", %s %s", q, pg_type(fields[i].type));
        free(q);
    }
    sprintf(p, ")");
    char what[160];
    snprintf(what, sizeof what, "creating table '%s'", name);
    if (run_free(w, what, sql, err)) {
        free_layer(l);
        return NULL;
    }
    if (description) {
        char *lit = quote_lit(w->c, description);
        if (!lit || run_free(w, what, fmt("COMMENT ON TABLE %s IS %s", l->qname,
                                          lit), err)) {
            if (!lit)
                nomem(w, err);
            free(lit);
            free_layer(l);
            return NULL;
        }
        free(lit);
    }
    link_layer(w, l);
    return l;
}

hs_status hs_pg_layer_add(hs_pg_layer *l, double x, double y,
                          const unsigned char *wkb, size_t wkb_len,
                          const hs_value *vals, hs_error *err)
{
    if (!l || (l->nfields && !vals) || l->raster)
        return hs_fail(err, HS_ERR_ARG, "adding row: bad argument");
    hs_pg_out *w = l->w;
    if (w->broken || w->committed)
        return hs_fail(err, HS_ERR_ARG, "table '%s': PostGIS output '%s' is "
                       "%s", l->name, w->label,
                       w->committed ? "committed" : "failed");
    if (l->kind == HS_GEOM_POINT && (!isfinite(x) || !isfinite(y)))
        return hs_fail(err, HS_ERR_ARG, "layer '%s': point coordinate is "
                       "not a finite number", l->name);
    for (size_t i = 0; i < l->nfields; i++)
        if (!vals[i].is_null && l->types[i] == HS_FIELD_INT &&
            (vals[i].i < INT32_MIN || vals[i].i > INT32_MAX))
            return hs_fail(err, HS_ERR_ARG, "layer '%s', field '%s': %lld "
                           "does not fit a 32-bit integer", l->name,
                           l->fnames[i], (long long)vals[i].i);
    size_t len0 = l->len; /* a failed row leaves nothing behind */
    unsigned char b[64];
    int geom = l->kind != HS_GEOM_NONE;
    put_be(b, (uint64_t)(1 + geom + l->nfields), 2);
    put_be(b + 2, 4, 4);
    put_be(b + 6, (uint64_t)(l->nrows + 1), 4);
    if (buf_put(l, b, 10))
        goto nomem;
    if (l->kind == HS_GEOM_POINT) { /* EWKB: LE, Point | SRID flag, srid, x, y */
        put_be(b, 25, 4);
        b[4] = 1;
        put_le(b + 5, 0x20000001u, 4);
        put_le(b + 9, (uint64_t)l->srid, 4);
        put_le(b + 13, dbits(x), 8);
        put_le(b + 21, dbits(y), 8);
        if (buf_put(l, b, 29))
            goto nomem;
    } else if (geom) { /* EWKB MultiPolygon; a Polygon wrapped */
        const unsigned char *mp;
        size_t mlen;
        unsigned char *conv = NULL;
        int multi;
        double env[4];
        hs_status s = hs_wkb_multipolygon(l->name, wkb, wkb_len, &mp, &mlen,
                                          &conv, &multi, env, err);
        if (s) {
            l->len = len0;
            return s;
        }
        size_t body = multi ? mlen - 5 : 4 + mlen; /* after the type */
        put_be(b, (uint64_t)(9 + body), 4);
        b[4] = 1;
        put_le(b + 5, 0x20000006u, 4);
        put_le(b + 9, (uint64_t)l->srid, 4);
        int bad = buf_put(l, b, 13);
        if (!multi) {
            put_le(b, 1, 4);
            bad = bad || buf_put(l, b, 4) || buf_put(l, mp, mlen);
        } else {
            bad = bad || buf_put(l, mp + 5, mlen - 5);
        }
        free(conv);
        if (bad)
            goto nomem;
    }
    for (size_t i = 0; i < l->nfields; i++) {
        const hs_value *v = &vals[i];
        if (v->is_null || (l->types[i] == HS_FIELD_TEXT && !v->s)) {
            put_be(b, 0xffffffffu, 4);
            if (buf_put(l, b, 4))
                goto nomem;
            continue;
        }
        switch (l->types[i]) {
        case HS_FIELD_INT:
            put_be(b, 4, 4);
            put_be(b + 4, (uint64_t)(uint32_t)(int32_t)v->i, 4);
            if (buf_put(l, b, 8))
                goto nomem;
            break;
        case HS_FIELD_INT64:
            put_be(b, 8, 4);
            put_be(b + 4, (uint64_t)v->i, 8);
            if (buf_put(l, b, 12))
                goto nomem;
            break;
        case HS_FIELD_REAL:
            put_be(b, 8, 4);
            put_be(b + 4, dbits(v->d), 8);
            if (buf_put(l, b, 12))
                goto nomem;
            break;
        case HS_FIELD_TEXT: {
            size_t n = strlen(v->s);
            put_be(b, n, 4);
            if (buf_put(l, b, 4) || buf_put(l, v->s, n))
                goto nomem;
            break;
        }
        }
    }
    l->nrows++;
    return l->len >= COPY_CHUNK ? send_rows(l, err) : HS_OK;
nomem:
    l->len = len0;
    return nomem(w, err);
}

/* ---- rasters ------------------------------------------------------------ */

hs_status hs_pg_out_add_raster(hs_pg_out *w, const char *name,
                               const hs_raster_spec *r, const float *values,
                               hs_error *err)
{
    if (!w || !name || !*name || !r || !values || r->cols == 0 ||
        r->rows == 0 || !(r->cell > 0))
        return hs_fail(err, HS_ERR_ARG, "raster '%s': empty or invalid grid",
                       name ? name : "");
    if (w->broken || w->committed)
        return hs_fail(err, HS_ERR_ARG, "raster '%s': PostGIS output '%s' is "
                       "%s", name, w->label, w->committed ? "committed" : "failed");
    if (!w->rasters)
        return hs_fail(err, HS_ERR_DB, "PostGIS output '%s': raster '%s': the "
                       "database has no postgis_raster (CREATE EXTENSION "
                       "postgis_raster)", w->label, name);
    int srid;
    hs_status s;
    if ((s = srid_of(w, r->srs, &srid, err)))
        return s;
    hs_pg_layer *l = new_layer(w, name, err);
    if (!l)
        return err ? err->code : HS_ERR_NOMEM;
    l->raster = 1;
    l->srid = srid;
    char what[160], *lit = r->description ? quote_lit(w->c, r->description) : NULL;
    snprintf(what, sizeof what, "creating raster '%s'", name);
    if ((s = run_free(w, what, fmt("CREATE TABLE %s (rid integer PRIMARY KEY, "
                                   "rast raster)", l->qname), err)) ||
        (lit && (s = run_free(w, what, fmt("COMMENT ON TABLE %s IS %s",
                                           l->qname, lit), err)))) {
        free(lit);
        free_layer(l);
        return s;
    }
    free(lit);
    link_layer(w, l);
    char *ins = fmt("INSERT INTO %s (rid, rast) VALUES ($1::integer, "
                    "ST_RastFromWKB($2::bytea))", l->qname);
    if (!ins)
        return nomem(w, err);
    s = result_ok(w, PQprepare(w->c, "", ins, 2, NULL), PGRES_COMMAND_OK,
                  what, err);
    free(ins);
    if (s)
        return s;
    /* one tile: the PostGIS raster WKB (raster/doc/RFC2), little-endian:
     * header, then one Float32 band with its nodata value */
    const size_t hl = 61, bl = 1 + 4 + (size_t)TILE * TILE * 4;
    unsigned char *t = malloc(hl + bl);
    if (!t)
        return nomem(w, err);
    int has_nd = !isnan(r->nodata);
    float nd = has_nd ? (float)r->nodata : NAN;
    size_t tx = (r->cols + TILE - 1) / TILE, ty = (r->rows + TILE - 1) / TILE;
    long rid = 0;
    for (size_t a = 0; a < ty && s == HS_OK; a++)
        for (size_t c = 0; c < tx && s == HS_OK; c++) {
            double ulx = r->x0 + (double)(c * TILE) * r->cell;
            double uly = r->y0 + (double)r->rows * r->cell - (double)(a * TILE) * r->cell;
            t[0] = 1;
            put_le(t + 1, 0, 2);
            put_le(t + 3, 1, 2);
            put_le(t + 5, dbits(r->cell), 8);
            put_le(t + 13, dbits(-r->cell), 8);
            put_le(t + 21, dbits(ulx), 8);
            put_le(t + 29, dbits(uly), 8);
            put_le(t + 37, dbits(0), 8);
            put_le(t + 45, dbits(0), 8);
            put_le(t + 53, (uint64_t)(uint32_t)srid, 4);
            put_le(t + 57, TILE, 2);
            put_le(t + 59, TILE, 2);
            unsigned char *band = t + hl;
            band[0] = 10 | (has_nd ? 0x40 : 0); /* PT_32BF */
            uint32_t u;
            memcpy(&u, &nd, 4);
            put_le(band + 1, u, 4);
            unsigned char *px = band + 5;
            for (size_t i = 0; i < TILE; i++)
                for (size_t j = 0; j < TILE; j++) {
                    size_t row = a * TILE + i, col = c * TILE + j;
                    float v = row < r->rows && col < r->cols
                                  ? values[row * r->cols + col] : nd;
                    memcpy(&u, &v, 4);
                    put_le(px + 4 * (i * TILE + j), u, 4);
                }
            char ridt[24];
            snprintf(ridt, sizeof ridt, "%ld", ++rid);
            const char *pv[2] = {ridt, (const char *)t};
            int pl[2] = {0, (int)(hl + bl)}, pf[2] = {0, 1};
            s = result_ok(w, PQexecPrepared(w->c, "", 2, pv, pl, pf, 0),
                          PGRES_COMMAND_OK, what, err);
        }
    free(t);
    if (s)
        return s;
    /* raster_columns lists it with its srid, scale, blocks, nodata and
     * extent (what QGIS reads), as raster2pgsql -C makes it */
    char *ts = quote_lit(w->c, w->tmp), *tn = quote_lit(w->c, name);
    char *sql = ts && tn ? fmt("SELECT AddRasterConstraints(%s::name, %s::name, "
                               "'rast'::name); CREATE INDEX ON %s USING gist "
                               "(ST_ConvexHull(rast))", ts, tn, l->qname)
                         : NULL;
    free(ts);
    free(tn);
    return run_free(w, what, sql, err);
}

/* ---- styles and project ------------------------------------------------- */

hs_status hs_pg_out_style(hs_pg_out *w, const hs_style_row *st, hs_error *err)
{
    if (w->nstyles == w->cap_styles) {
        size_t cap = w->cap_styles ? 2 * w->cap_styles : 32;
        kept_style *k = realloc(w->styles, cap * sizeof *k);
        if (!k)
            return nomem(w, err);
        w->styles = k;
        w->cap_styles = cap;
    }
    kept_style *k = &w->styles[w->nstyles];
    *k = (kept_style){.raster = st->raster, .is_default = st->is_default};
    if (!(k->table = strdup(st->table)) || !(k->name = strdup(st->name)) ||
        !(k->qml = strdup(st->qml)) || !(k->sld = strdup(st->sld)) ||
        !(k->description = strdup(st->description ? st->description : ""))) {
        free(k->table);
        free(k->name);
        free(k->qml);
        free(k->sld);
        return nomem(w, err);
    }
    w->nstyles++;
    return HS_OK;
}

hs_status hs_pg_out_project(hs_pg_out *w, const char *name,
                            const unsigned char *qgz, size_t len, hs_error *err)
{
    free(w->proj_name);
    free(w->proj);
    w->proj_name = strdup(name);
    w->proj = malloc(len ? len : 1);
    if (!w->proj_name || !w->proj)
        return nomem(w, err);
    memcpy(w->proj, qgz, len);
    w->proj_len = len;
    return HS_OK;
}

/* key='value' as QgsDataSourceUri reads it (\ and ' escaped). */
static void uri_kv(char **p, const char *k, const char *v)
{
    *p += sprintf(*p, "%s='", k);
    for (; *v; v++) {
        if (*v == '\'' || *v == '\\')
            *(*p)++ = '\\';
        *(*p)++ = *v;
    }
    *p += sprintf(*p, "' ");
}

/* "schema"."table" as QGIS writes it. */
static void uri_table(char **p, const char *schema, const char *table)
{
    const char *parts[2] = {schema, table};
    *p += sprintf(*p, "table=");
    for (int i = 0; i < 2; i++) {
        *(*p)++ = '"';
        for (const char *c = parts[i]; *c; c++) {
            if (*c == '"')
                *(*p)++ = '"';
            *(*p)++ = *c;
        }
        *(*p)++ = '"';
        if (i == 0)
            *(*p)++ = '.';
    }
    **p = '\0';
}

hs_status hs_pg_out_source(const hs_pg_out *w, const char *table,
                           const char **provider, char **source, hs_error *err)
{
    const hs_pg_layer *l = find_layer(w, table);
    *provider = NULL;
    *source = NULL;
    if (!l)
        return hs_fail(err, HS_ERR_ARG, "project: no table '%s' was written",
                       table);
    PQconninfoOption *opt = PQconninfoParse(w->src.conninfo, NULL);
    size_t n = strlen(w->src.conninfo) * 2 + 4 * strlen(w->schema) +
               4 * strlen(table) + strlen(PQdb(w->c)) * 2 + 256;
    char *s = malloc(n), *p = s;
    if (!s) {
        PQconninfoFree(opt);
        return nomem(w, err);
    }
    static const char *const keep[] = {"service", "host", "hostaddr", "port",
                                       "dbname", "user", "sslmode", NULL};
    int have_db = 0;
    for (const char *const *k = keep; *k; k++)
        for (PQconninfoOption *o = opt; o && o->keyword; o++)
            if (!strcmp(o->keyword, *k) && o->val && *o->val) {
                uri_kv(&p, *k, o->val);
                have_db |= !strcmp(*k, "dbname");
            }
    if (!have_db) /* the database connected to, as QGIS needs one */
        uri_kv(&p, "dbname", PQdb(w->c));
    PQconninfoFree(opt);
    if (l->raster) {
        p += sprintf(p, "srid=%d ", l->srid);
        uri_table(&p, w->schema, table);
        sprintf(p, " (rast)");
        *provider = "postgresraster";
    } else {
        p += sprintf(p, "key='fid' checkPrimaryKeyUnicity='0' ");
        if (l->kind != HS_GEOM_NONE)
            p += sprintf(p, "srid=%d type=%s ", l->srid,
                         l->kind == HS_GEOM_POINT ? "Point" : "MultiPolygon");
        uri_table(&p, w->schema, table);
        if (l->kind != HS_GEOM_NONE)
            sprintf(p, " (geom)");
        *provider = "postgres";
    }
    *source = s;
    return HS_OK;
}

/* value percent-encoded for a URL query. */
static void url_add(char **p, const char *v)
{
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || strchr("-._~", c))
            *(*p)++ = (char)c;
        else
            *p += sprintf(*p, "%%%02X", c);
    }
    **p = '\0';
}

char *hs_pg_out_project_uri(const hs_pg_out *w, const char *name)
{
    PQconninfoOption *opt = PQconninfoParse(w->src.conninfo, NULL);
    const char *host = NULL, *port = NULL, *user = NULL, *service = NULL,
               *ssl = NULL;
    for (PQconninfoOption *o = opt; o && o->keyword; o++) {
        if (!o->val || !*o->val)
            continue;
        if (!strcmp(o->keyword, "host"))
            host = o->val;
        else if (!strcmp(o->keyword, "port"))
            port = o->val;
        else if (!strcmp(o->keyword, "user"))
            user = o->val;
        else if (!strcmp(o->keyword, "service"))
            service = o->val;
        else if (!strcmp(o->keyword, "sslmode"))
            ssl = o->val;
    }
    size_t n = 3 * (strlen(w->src.conninfo) + strlen(w->schema) + strlen(name) +
                    strlen(PQdb(w->c))) + 128;
    char *s = malloc(n), *p = s;
    if (s) {
        p += sprintf(p, "postgresql://");
        if (user) {
            url_add(&p, user);
            *p++ = '@';
        }
        if (host && host[0] != '/') /* a socket folder has no URL form */
            url_add(&p, host);
        if (port)
            p += sprintf(p, ":%s", port);
        *p++ = '?';
        if (service) {
            p += sprintf(p, "service=");
            url_add(&p, service);
            *p++ = '&';
        }
        if (ssl) {
            p += sprintf(p, "sslmode=");
            url_add(&p, ssl);
            *p++ = '&';
        }
        p += sprintf(p, "dbname=");
        url_add(&p, PQdb(w->c));
        p += sprintf(p, "&schema=");
        url_add(&p, w->schema);
        p += sprintf(p, "&project=");
        url_add(&p, name);
    }
    PQconninfoFree(opt);
    return s;
}

/* ---- commit ------------------------------------------------------------- */

/* layer_styles where QGIS finds it, created as QGIS 3.22 does. */
static hs_status styles_table(hs_pg_out *w, hs_error *err)
{
    PGresult *r = PQexec(w->c, "SELECT to_regclass('layer_styles') IS NOT NULL, "
                         "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
                         "to_regclass('layer_styles') AND attname = 'type' AND "
                         "NOT attisdropped)");
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    int have = ok && !strcmp(PQgetvalue(r, 0, 0), "t");
    int type = ok && !strcmp(PQgetvalue(r, 0, 1), "t");
    PQclear(r);
    if (!ok) {
        w->broken = 1;
        return hs_fail(err, HS_ERR_DB, "PostGIS output '%s': layer_styles: %s",
                       w->label, hs_pg_msg(w->c));
    }
    if (!have)
        return run_sql(w, "creating layer_styles",
                       "CREATE TABLE layer_styles(id SERIAL PRIMARY KEY,"
                       "f_table_catalog varchar,f_table_schema varchar,"
                       "f_table_name varchar,f_geometry_column varchar,"
                       "styleName text,styleQML xml,styleSLD xml,"
                       "useAsDefault boolean,description text,owner "
                       "varchar(63) DEFAULT CURRENT_USER,ui xml,update_time "
                       "timestamp DEFAULT CURRENT_TIMESTAMP,type varchar)", err);
    if (!type)
        return run_sql(w, "adding layer_styles.type",
                       "ALTER TABLE layer_styles ADD COLUMN type varchar NULL",
                       err);
    return HS_OK;
}

static hs_status write_styles(hs_pg_out *w, hs_error *err)
{
    hs_status s;
    if ((s = styles_table(w, err)))
        return s;
    const char *p1[1] = {w->schema}, *what = "writing layer_styles";
    if ((s = result_ok(w, PQexecParams(w->c, "DELETE FROM layer_styles WHERE "
                                       "f_table_catalog = current_database() "
                                       "AND f_table_schema = $1 AND "
                                       "description LIKE 'Hotspot %'", 1, NULL,
                                       p1, NULL, NULL, 0),
                       PGRES_COMMAND_OK, what, err)) ||
        (s = result_ok(w, PQprepare(w->c, "", "INSERT INTO layer_styles ("
                                    "f_table_catalog, f_table_schema, "
                                    "f_table_name, f_geometry_column, "
                                    "styleName, styleQML, styleSLD, "
                                    "useAsDefault, description, type) VALUES "
                                    "(current_database(), $1, $2, $3, $4, "
                                    "XMLPARSE(DOCUMENT $5), XMLPARSE(DOCUMENT "
                                    "$6), $7::boolean, $8, $9)", 9, NULL),
                       PGRES_COMMAND_OK, what, err)))
        return s;
    for (size_t i = 0; i < w->nstyles; i++) {
        const kept_style *k = &w->styles[i];
        /* type: the geometry's kind as QGIS writes and looks it up
         * ("(type = 'Polygon' OR type IS NULL)"); NULL for a raster */
        const hs_pg_layer *l = find_layer(w, k->table);
        const char *type = k->raster || !l ? NULL
                           : l->kind == HS_GEOM_POINT ? "Point" : "Polygon";
        const char *v[9] = {w->schema, k->table, k->raster ? "rast" : "geom",
                            k->name, k->qml, k->sld,
                            k->is_default ? "true" : "false", k->description,
                            type};
        if ((s = result_ok(w, PQexecPrepared(w->c, "", 9, v, NULL, NULL, 0),
                           PGRES_COMMAND_OK, what, err)))
            return s;
    }
    return HS_OK;
}

static hs_status write_project(hs_pg_out *w, hs_error *err)
{
    hs_status s;
    if (!w->proj)
        return HS_OK;
    if ((s = run_free(w, "creating qgis_projects",
                      fmt("CREATE TABLE %s.qgis_projects(name TEXT PRIMARY "
                          "KEY, metadata JSONB, content BYTEA)", w->q_schema),
                      err)))
        return s;
    char *sql = fmt("INSERT INTO %s.qgis_projects VALUES ($1, "
                    "jsonb_build_object('last_modified_time', to_char(now() "
                    "AT TIME ZONE 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS'), "
                    "'last_modified_user', current_user::text), $2::bytea)",
                    w->q_schema);
    if (!sql)
        return nomem(w, err);
    const char *v[2] = {w->proj_name, (const char *)w->proj};
    int l[2] = {0, (int)w->proj_len}, f[2] = {0, 1};
    s = result_ok(w, PQexecParams(w->c, sql, 2, NULL, v, l, f, 0),
                  PGRES_COMMAND_OK, "writing the project", err);
    free(sql);
    return s;
}

hs_status hs_pg_out_commit(hs_pg_out *w, hs_error *err)
{
    hs_status s;
    if (!w)
        return hs_fail(err, HS_ERR_ARG, "committing PostGIS output: no writer");
    if (w->committed || w->broken)
        return hs_fail(err, HS_ERR_ARG, "PostGIS output '%s' is already %s",
                       w->label, w->committed ? "committed" : "failed");
    /* every row in; keys and indexes built on the loaded tables */
    for (hs_pg_layer *l = w->layers; l; l = l->next)
        if ((s = send_rows(l, err)))
            return s;
    if ((s = end_copy(w, err)))
        return s;
    for (hs_pg_layer *l = w->layers; l; l = l->next) {
        if (l->raster)
            continue;
        char what[160];
        snprintf(what, sizeof what, "indexing table '%s'", l->name);
        if ((s = run_free(w, what, fmt("ALTER TABLE %s ADD PRIMARY KEY (fid)",
                                       l->qname), err)) ||
            (l->index && (s = run_free(w, what, fmt("CREATE INDEX ON %s USING "
                                                    "gist (geom)", l->qname),
                                       err))))
            return s;
    }
    /* the swap, one run at a time on this schema */
    char *key = fmt("hotspot schema %s", w->schema);
    if (!key)
        return nomem(w, err);
    const char *kp[1] = {key};
    s = result_ok(w, PQexecParams(w->c, "SELECT pg_advisory_xact_lock("
                                  "hashtext($1))", 1, NULL, kp, NULL, NULL, 0),
                  PGRES_TUPLES_OK, "locking the schema", err);
    free(key);
    if (s)
        return s;
    char *comment;
    int exists = schema_state(w, w->schema, &comment, err);
    free(comment);
    if (exists < 0 || (s = check_replaceable(w, err))) {
        w->broken = 1;
        return exists < 0 ? (err ? err->code : HS_ERR_DB) : s;
    }
    char *mark = fmt(MARK " (Hotspot %s): the layers and tables of one run, "
                     "its QGIS project (qgis_projects) and styles "
                     "(layer_styles); replaced whole by the next run",
                     hs_version());
    char *lit = mark ? quote_lit(w->c, mark) : NULL;
    free(mark);
    if (!lit)
        return nomem(w, err);
    s = HS_OK;
    if (exists)
        s = run_free(w, "moving the previous schema away",
                     fmt("ALTER SCHEMA %s RENAME TO %s", w->q_schema, w->q_old),
                     err);
    if (!s)
        s = run_free(w, "renaming the new schema",
                     fmt("ALTER SCHEMA %s RENAME TO %s; COMMENT ON SCHEMA %s IS "
                         "%s", w->q_tmp, w->q_schema, w->q_schema, lit), err);
    free(lit);
    if (!s && exists)
        s = run_free(w, "dropping the previous schema",
                     fmt("DROP SCHEMA %s CASCADE", w->q_old), err);
    if (s || (s = write_styles(w, err)) || (s = write_project(w, err)) ||
        (s = run_sql(w, "committing", "COMMIT", err)))
        return s;
    w->committed = 1;
    return HS_OK;
}
