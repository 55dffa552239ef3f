/* previous.c - one group's hotspots from an earlier run's GeoPackage
 * (previous.h). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>

#include "input/incidents.h"
#include "input/previous.h"
#include "input/vector.h"

void hs_previous_destroy(hs_previous *p)
{
    if (!p)
        return;
    for (size_t k = 0; k < p->n; k++)
        free(p->v[k].wkb);
    free(p->v);
    free(p);
}

/* s[0..len) as a decimal integer >= 0: digits only, at least one. */
static int parse_count(const char *s, size_t len, long *out)
{
    long v = 0;
    if (len == 0)
        return -1;
    for (size_t k = 0; k < len; k++) {
        if (s[k] < '0' || s[k] > '9')
            return -1;
        if (v > (HS_PREV_MAX_ID - (s[k] - '0')) / 10)
            return -1;
        v = v * 10 + (s[k] - '0');
    }
    *out = v;
    return 0;
}

/* The number after the last '-' of a hotspot id. */
static int id_number(const char *id, long *out)
{
    const char *dash = strrchr(id, '-');
    return dash ? parse_count(dash + 1, strlen(dash + 1), out) : -1;
}

/* The writer's table name (job.h hs_layer_name): '-' and ' ' made '_'. */
static void layer_name(char *buf, size_t n, const char *prefix, const char *g)
{
    snprintf(buf, n, "%s%s", prefix, g);
    for (char *c = buf; *c; c++)
        if (*c == '-' || *c == ' ')
            *c = '_';
}

/* What one reading names in its messages. */
typedef struct where {
    const char *path;
    const char *layer;
} where;

/* "previous run 'x.gpkg', layer hotspots_VIO, feature 3" into buf. */
static const char *at(char *buf, size_t n, const where *w, OGRFeatureH f)
{
    int k = snprintf(buf, n, "previous run '%s', layer %s", w->path, w->layer);
    if (f && k > 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, ", feature %lld",
                 (long long)OGR_F_GetFID(f));
    return buf;
}

/* Index of field name in lyr, or -1 (required: an error when missing). */
static int field(OGRLayerH lyr, const char *name, int required, const where *w,
                 hs_status *rc, hs_error *err)
{
    int k = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(lyr), name);
    if (k < 0 && required) {
        char b[512];
        *rc = hs_fail(err, HS_ERR_DATA, "%s: no field %s",
                      at(b, sizeof b, w, NULL), name);
    }
    return k;
}

/* The same, for an integer field. */
/* An integer field (or, real_ok, a real one too: *is_real says which). */
static int num_field(OGRLayerH lyr, const char *name, int required,
                     int real_ok, int *is_real, const where *w, hs_status *rc,
                     hs_error *err)
{
    int k = field(lyr, name, required, w, rc, err);
    if (k >= 0) {
        OGRFieldType t = OGR_Fld_GetType(
            OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(lyr), k));
        if (is_real)
            *is_real = t == OFTReal;
        if (t != OFTInteger && t != OFTInteger64 && !(real_ok && t == OFTReal)) {
            char b[512];
            *rc = hs_fail(err, HS_ERR_DATA, "%s: field %s is not %s field",
                          at(b, sizeof b, w, NULL), name,
                          real_ok ? "a number" : "an integer");
        }
    }
    return k;
}

/* Field k of f, which must be set: NULL with err set otherwise. */
static const char *text(OGRFeatureH f, int k, const char *name, const where *w,
                        hs_error *err)
{
    if (!OGR_F_IsFieldSetAndNotNull(f, k)) {
        char b[512];
        hs_fail(err, HS_ERR_DATA, "%s, field %s: not set",
                at(b, sizeof b, w, f), name);
        return NULL;
    }
    return OGR_F_GetFieldAsString(f, k);
}

/* period_end and, if the row is there, last_id from the run table. */
static hs_status read_run(OGRLayerH run, const char *path, const char *group,
                          hs_previous *p, hs_error *err)
{
    hs_status rc = HS_OK;
    where w = {path, "run"};
    char key[160], b[512];
    int has_period = 0;
    int ks = field(run, "section", 1, &w, &rc, err);
    int kk = ks >= 0 ? field(run, "key", 1, &w, &rc, err) : -1;
    int kv = kk >= 0 ? field(run, "value", 1, &w, &rc, err) : -1;
    if (rc)
        return rc;
    snprintf(key, sizeof key, "last_id_%s", group);
    OGRFeatureH f;
    OGR_L_ResetReading(run);
    while (rc == HS_OK && (f = OGR_L_GetNextFeature(run)) != NULL) {
        /* copies: a field that is not text gives its value in a buffer the
         * next call reuses (ingest.c's ogr_text) */
        char *s = strdup(OGR_F_IsFieldSetAndNotNull(f, ks)
                             ? OGR_F_GetFieldAsString(f, ks) : "");
        char *k = strdup(OGR_F_IsFieldSetAndNotNull(f, kk)
                             ? OGR_F_GetFieldAsString(f, kk) : "");
        char *v = strdup(OGR_F_IsFieldSetAndNotNull(f, kv)
                             ? OGR_F_GetFieldAsString(f, kv) : "");
        int32_t from;
        if (!s || !k || !v) {
            rc = hs_fail(err, HS_ERR_NOMEM, "previous run: out of memory");
            goto row_done;
        }
        if (strcmp(s, "parameter") == 0 && strcmp(k, "period") == 0) {
            /* "YYYY-MM to YYYY-MM", as the run writes it */
            if (strlen(v) != 18 || memcmp(v + 7, " to ", 4) != 0 ||
                hs_month_parse(v, 7, &from) != 0 ||
                hs_month_parse(v + 11, 7, &p->period_end) != 0)
                rc = hs_fail(err, HS_ERR_DATA, "%s, field value: period '%s' "
                             "is not 'YYYY-MM to YYYY-MM'",
                             at(b, sizeof b, &w, f), v);
            has_period = 1;
        } else if (strcmp(s, "lineage") == 0 && strcmp(k, key) == 0) {
            if (parse_count(v, strlen(v), &p->last_id) != 0)
                rc = hs_fail(err, HS_ERR_DATA, "%s, field value: %s '%s' is "
                             "not a whole number from 0 to 999999999", at(b, sizeof b, &w, f),
                             key, v);
            p->has_last_id = 1;
        }
    row_done:
        free(s);
        free(k);
        free(v);
        OGR_F_Destroy(f);
    }
    if (rc == HS_OK && !has_period)
        rc = hs_fail(err, HS_ERR_DATA, "%s: no row parameter / period",
                     at(b, sizeof b, &w, NULL));
    return rc;
}

/* The layer's CRS against crs. */
static hs_status check_crs(OGRLayerH lyr, const char *crs, const where *w,
                           hs_error *err)
{
    hs_status rc = HS_OK;
    char b[512];
    OGRSpatialReferenceH have = OGR_L_GetSpatialRef(lyr); /* borrowed */
    OGRSpatialReferenceH want = OSRNewSpatialReference(NULL);
    /* the axis mapping says how OGR hands over coordinates (GeoPackage
     * layers: x first), not which CRS they are in */
    const char *opts[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", NULL};
    CPLErrorReset();
    if (!want || OSRSetFromUserInput(want, crs) != OGRERR_NONE)
        rc = hs_fail(err, HS_ERR_CRS, "cannot resolve CRS '%s'%s%s", crs,
                     *CPLGetLastErrorMsg() ? ": " : "", CPLGetLastErrorMsg());
    else if (!have)
        rc = hs_fail(err, HS_ERR_DATA, "%s: the layer has no CRS; this run is "
                     "in %s", at(b, sizeof b, w, NULL), crs);
    else if (!OSRIsSameEx(have, want, opts)) {
        const char *name = OSRGetName(have);
        rc = hs_fail(err, HS_ERR_DATA, "%s: the layer is in %s, this run in "
                     "%s: its hotspots cannot be compared",
                     at(b, sizeof b, w, NULL), name ? name : "another CRS", crs);
    }
    if (want)
        OSRDestroySpatialReference(want);
    return rc;
}

/* f's geometry as 2D ISO WKB MultiPolygon (NDR) into h. */
static hs_status take_geometry(OGRFeatureH f, const where *w,
                               hs_prev_hotspot *h, hs_error *err)
{
    char b[512];
    OGRGeometryH g = OGR_F_GetGeometryRef(f); /* borrowed */
    if (!g)
        return hs_fail(err, HS_ERR_DATA, "%s (%s): no geometry",
                       at(b, sizeof b, w, f), h->id);
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t != wkbPolygon && t != wkbMultiPolygon)
        return hs_fail(err, HS_ERR_DATA, "%s (%s): a %s, not a polygon",
                       at(b, sizeof b, w, f), h->id, OGR_G_GetGeometryName(g));
    if (OGR_G_IsEmpty(g))
        return hs_fail(err, HS_ERR_DATA, "%s (%s): an empty geometry",
                       at(b, sizeof b, w, f), h->id);
    OGRGeometryH c = OGR_G_Clone(g);
    if (c) {
        OGR_G_FlattenTo2D(c);
        c = OGR_G_ForceToMultiPolygon(c); /* takes c, returns the multi */
    }
    size_t n = c ? OGR_G_WkbSizeEx(c) : 0;
    h->wkb = n ? malloc(n) : NULL;
    if (!h->wkb || OGR_G_ExportToIsoWkb(c, wkbNDR, h->wkb) != OGRERR_NONE) {
        if (c)
            OGR_G_DestroyGeometry(c);
        free(h->wkb);
        h->wkb = NULL;
        return hs_fail(err, HS_ERR_NOMEM, "%s (%s): out of memory for its "
                       "geometry", at(b, sizeof b, w, f), h->id);
    }
    h->wkb_len = n;
    OGR_G_DestroyGeometry(c);
    return HS_OK;
}

/* Reads the hotspot_id of f (field k) into id, num. */
static hs_status read_id(OGRFeatureH f, int k, const where *w, char id[24],
                         long *num, hs_error *err)
{
    char b[512];
    const char *s = text(f, k, "hotspot_id", w, err);
    if (!s)
        return HS_ERR_DATA;
    if (strlen(s) >= 24)
        return hs_fail(err, HS_ERR_DATA, "%s, field hotspot_id: '%s' is "
                       "longer than 23 characters", at(b, sizeof b, w, f), s);
    if (id_number(s, num) != 0)
        return hs_fail(err, HS_ERR_DATA, "%s, field hotspot_id: '%s' has no "
                       "number (up to 999999999) after its last '-'", at(b, sizeof b, w, f), s);
    snprintf(id, 24, "%s", s);
    return HS_OK;
}

/* Every feature of the hotspots layer into p->v. */
static hs_status read_hotspots(OGRLayerH lyr, const where *w, hs_previous *p,
                               hs_error *err)
{
    hs_status rc = HS_OK;
    char b[512];
    int kid = field(lyr, "hotspot_id", 1, w, &rc, err);
    int kinc = rc ? -1 : num_field(lyr, "incidents", 1, 1, &p->real_incidents,
                                   w, &rc, err);
    int kfirst = rc ? -1 : field(lyr, "first_seen", 0, w, &rc, err);
    int kmonths = rc ? -1 : num_field(lyr, "months_seen", 0, 0, NULL, w, &rc, err);
    if (rc)
        return rc;
    p->has_first_seen = kfirst >= 0;
    p->has_months_seen = kmonths >= 0;
    GIntBig count = OGR_L_GetFeatureCount(lyr, 1);
    size_t cap = count > 0 ? (size_t)count : 16;
    if (!(p->v = calloc(cap, sizeof *p->v)))
        return hs_fail(err, HS_ERR_NOMEM, "%s: out of memory for %zu hotspots",
                       at(b, sizeof b, w, NULL), cap);

    OGRFeatureH f;
    OGR_L_ResetReading(lyr);
    while (rc == HS_OK && (f = OGR_L_GetNextFeature(lyr)) != NULL) {
        if (p->n == cap) { /* the count was an estimate */
            hs_prev_hotspot *v = realloc(p->v, 2 * cap * sizeof *v);
            if (!v) {
                rc = hs_fail(err, HS_ERR_NOMEM, "%s: out of memory for %zu "
                             "hotspots", at(b, sizeof b, w, NULL), 2 * cap);
                OGR_F_Destroy(f);
                break;
            }
            memset(v + cap, 0, cap * sizeof *v);
            p->v = v;
            cap *= 2;
        }
        hs_prev_hotspot *h = &p->v[p->n];
        h->first_seen = p->period_end;
        h->months_seen = 1;
        const char *s;
        if ((rc = read_id(f, kid, w, h->id, &h->num, err)))
            goto next;
        if (!text(f, kinc, "incidents", w, err)) {
            rc = HS_ERR_DATA;
            goto next;
        }
        h->incidents = OGR_F_GetFieldAsDouble(f, kinc);
        if (!(h->incidents >= 0) || !isfinite(h->incidents)) {
            rc = hs_fail(err, HS_ERR_DATA, "%s (%s), field incidents: %g is "
                         "not a number >= 0", at(b, sizeof b, w, f), h->id,
                         h->incidents);
            goto next;
        }
        if (kfirst >= 0) {
            if (!(s = text(f, kfirst, "first_seen", w, err))) {
                rc = HS_ERR_DATA;
                goto next;
            }
            if (hs_month_parse(s, strlen(s), &h->first_seen) != 0 ||
                h->first_seen > p->period_end) {
                char end[8];
                hs_month_format(p->period_end, end);
                rc = hs_fail(err, HS_ERR_DATA, "%s (%s), field first_seen: "
                             "'%s' is not a month YYYY-MM up to the run's end "
                             "%s", at(b, sizeof b, w, f), h->id, s, end);
                goto next;
            }
        }
        if (kmonths >= 0) {
            if (!text(f, kmonths, "months_seen", w, err)) {
                rc = HS_ERR_DATA;
                goto next;
            }
            GIntBig ms = OGR_F_GetFieldAsInteger64(f, kmonths);
            if (ms < 1 || ms >= INT32_MAX) {
                rc = hs_fail(err, HS_ERR_DATA, "%s (%s), field months_seen: "
                             "%lld is not >= 1", at(b, sizeof b, w, f), h->id,
                             (long long)ms);
                goto next;
            }
            h->months_seen = (int32_t)ms;
        }
        if ((rc = take_geometry(f, w, h, err)))
            goto next;
        p->n++;
    next:
        OGR_F_Destroy(f);
    }
    return rc;
}

/* The largest id number of the ceased layer into *max. */
static hs_status read_ceased(OGRLayerH lyr, const where *w, long *max,
                             hs_error *err)
{
    hs_status rc = HS_OK;
    int kid = field(lyr, "hotspot_id", 1, w, &rc, err);
    if (rc)
        return rc;
    OGRFeatureH f;
    OGR_L_ResetReading(lyr);
    while (rc == HS_OK && (f = OGR_L_GetNextFeature(lyr)) != NULL) {
        char id[24];
        long num;
        if ((rc = read_id(f, kid, w, id, &num, err)) == HS_OK && num > *max)
            *max = num;
        OGR_F_Destroy(f);
    }
    return rc;
}

static int by_num(const void *a, const void *b)
{
    const hs_prev_hotspot *x = *(const hs_prev_hotspot *const *)a;
    const hs_prev_hotspot *y = *(const hs_prev_hotspot *const *)b;
    return (x->num > y->num) - (x->num < y->num);
}

/* Two hotspots with one number would both claim it in this run. */
static hs_status check_unique(const hs_previous *p, const where *w,
                              hs_error *err)
{
    const hs_prev_hotspot **s = malloc((p->n ? p->n : 1) * sizeof *s);
    hs_status rc = HS_OK;
    char b[512];
    if (!s)
        return hs_fail(err, HS_ERR_NOMEM, "%s: out of memory",
                       at(b, sizeof b, w, NULL));
    for (size_t k = 0; k < p->n; k++)
        s[k] = &p->v[k];
    qsort(s, p->n, sizeof *s, by_num);
    for (size_t k = 1; k < p->n && rc == HS_OK; k++)
        if (s[k]->num == s[k - 1]->num)
            rc = hs_fail(err, HS_ERR_DATA, "%s: hotspots %s and %s have the "
                         "same number %ld", at(b, sizeof b, w, NULL),
                         s[k - 1]->id, s[k]->id, s[k]->num);
    free(s);
    return rc;
}

hs_previous *hs_previous_read(const char *path, const char *group,
                              const char *crs, hs_error *err)
{
    hs_status rc = HS_OK;
    hs_previous *p = NULL;
    GDALDatasetH ds = NULL;
    char lname[160], cname[160];
    where w = {path, lname};

    if (!path || !group || !crs) {
        hs_fail(err, HS_ERR_ARG, "previous run: path, group or CRS missing");
        return NULL;
    }
    layer_name(lname, sizeof lname, "hotspots_", group);
    layer_name(cname, sizeof cname, "hotspots_ceased_", group);
    if (!(ds = hs_vector_open(path, "previous run", err)))
        return NULL;
    CPLPushErrorHandler(CPLQuietErrorHandler); /* the library never prints */
    if (!(p = calloc(1, sizeof *p))) {
        rc = hs_fail(err, HS_ERR_NOMEM, "previous run '%s': out of memory",
                     path);
        goto cleanup;
    }
    OGRLayerH run = GDALDatasetGetLayerByName(ds, "run");
    if (!run) {
        rc = hs_fail(err, HS_ERR_DATA, "previous run '%s': not a hotspot "
                     "output (no run table)", path);
        goto cleanup;
    }
    if ((rc = read_run(run, path, group, p, err)))
        goto cleanup;
    OGRLayerH lyr = GDALDatasetGetLayerByName(ds, lname);
    if (!lyr) {
        rc = hs_fail(err, HS_ERR_DATA, "previous run '%s': the previous run "
                     "has no hotspots for group %s (no layer %s)", path, group,
                     lname);
        goto cleanup;
    }
    if ((rc = check_crs(lyr, crs, &w, err)) ||
        (rc = read_hotspots(lyr, &w, p, err)) ||
        (rc = check_unique(p, &w, err)))
        goto cleanup;

    long max = 0; /* a number in the file was issued: never below it */
    for (size_t k = 0; k < p->n; k++)
        if (p->v[k].num > max)
            max = p->v[k].num;
    OGRLayerH ceased = GDALDatasetGetLayerByName(ds, cname);
    where wc = {path, cname};
    if (ceased && (rc = read_ceased(ceased, &wc, &max, err)))
        goto cleanup;
    if (!p->has_last_id || p->last_id < max)
        p->last_id = max;

cleanup:
    CPLPopErrorHandler();
    GDALClose(ds);
    if (rc != HS_OK) {
        hs_previous_destroy(p);
        p = NULL;
    }
    return p;
}
