/* areas.c - area polygons, index and point assignment (see areas.h). */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "areas.h"

typedef struct area_rec {
    char *id, *name;
    double pop, km2;
    unsigned char *wkb;
    size_t wkb_len;
    GEOSGeometry *geom;
    long feature; /* FID in the source, for messages */
} area_rec;

struct hs_areas {
    GEOSContextHandle_t ctx;
    area_rec *v;
    size_t n;
    const GEOSPreparedGeometry **prep;
    GEOSSTRtree *tree;
    long overlaps;
    double xmin, ymin, xmax, ymax;
};

static void geos_msg(const char *fmt, ...) { (void)fmt; }

size_t hs_areas_count(const hs_areas *a) { return a->n; }
const char *hs_areas_id(const hs_areas *a, size_t i) { return a->v[i].id; }
const char *hs_areas_name(const hs_areas *a, size_t i) { return a->v[i].name; }
double hs_areas_km2(const hs_areas *a, size_t i) { return a->v[i].km2; }
double hs_areas_population(const hs_areas *a, size_t i) { return a->v[i].pop; }
void hs_areas_set_population(hs_areas *a, size_t i, double pop)
{
    a->v[i].pop = pop;
}
long hs_areas_overlaps(const hs_areas *a) { return a->overlaps; }

const unsigned char *hs_areas_wkb(const hs_areas *a, size_t i, size_t *len)
{
    *len = a->v[i].wkb_len;
    return a->v[i].wkb;
}

void hs_areas_extent(const hs_areas *a, double *xmin, double *ymin,
                     double *xmax, double *ymax)
{
    *xmin = a->xmin;
    *ymin = a->ymin;
    *xmax = a->xmax;
    *ymax = a->ymax;
}

void hs_areas_destroy(hs_areas *a)
{
    if (!a)
        return;
    if (a->tree)
        GEOSSTRtree_destroy_r(a->ctx, a->tree);
    for (size_t i = 0; i < a->n; i++) {
        if (a->prep && a->prep[i])
            GEOSPreparedGeom_destroy_r(a->ctx, a->prep[i]);
        if (a->v[i].geom)
            GEOSGeom_destroy_r(a->ctx, a->v[i].geom);
        free(a->v[i].id);
        free(a->v[i].name);
        free(a->v[i].wkb);
    }
    free(a->prep);
    free(a->v);
    if (a->ctx)
        GEOS_finish_r(a->ctx);
    free(a);
}

static int cmp_area(const void *p, const void *q)
{
    return strcmp(((const area_rec *)p)->id, ((const area_rec *)q)->id);
}

int hs_areas_find(const hs_areas *a, const char *id)
{
    size_t lo = 0, hi = a->n; /* sorted by id */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(a->v[mid].id, id);
        if (c == 0)
            return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Keeps only the polygonal parts of g (MakeValid can return lines too). */
static GEOSGeometry *polygonal(GEOSContextHandle_t ctx, GEOSGeometry *g)
{
    int t = GEOSGeomTypeId_r(ctx, g);
    if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)
        return g;
    int n = GEOSGetNumGeometries_r(ctx, g);
    GEOSGeometry **parts = calloc((size_t)(n > 0 ? n : 1), sizeof *parts);
    int k = 0;
    for (int i = 0; parts && i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(ctx, g, i);
        int pt = GEOSGeomTypeId_r(ctx, p);
        if (pt == GEOS_POLYGON)
            parts[k++] = GEOSGeom_clone_r(ctx, p);
        else if (pt == GEOS_MULTIPOLYGON)
            for (int j = 0; j < GEOSGetNumGeometries_r(ctx, p); j++)
                parts[k++] = GEOSGeom_clone_r(ctx, GEOSGetGeometryN_r(ctx, p, j));
    }
    GEOSGeom_destroy_r(ctx, g);
    GEOSGeometry *out =
        parts ? GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, parts,
                                            (unsigned)k)
              : NULL;
    free(parts);
    return out;
}

static char *dup_str(const char *s) { return strdup(s ? s : ""); }

/* Reads the features into a->v (reprojected, validated). */
static hs_status read_features(hs_areas *a, const hs_areas_opts *o,
                               const hs_log *log, hs_error *err)
{
    hs_status rc = HS_OK;
    GDALDatasetH ds = NULL;
    OGRCoordinateTransformationH ct = NULL;
    OGRSpatialReferenceH dst = NULL;
    OGRFeatureH f = NULL;
    GEOSWKBReader *rd = GEOSWKBReader_create_r(a->ctx);
    size_t cap = 0;
    long repaired = 0, skipped = 0;

    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    ds = GDALOpenEx(o->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL,
                    NULL);
    CPLPopErrorHandler();
    if (!ds) {
        rc = hs_fail(err, HS_ERR_IO, "areas '%s': cannot open as a vector "
                     "file (%s)", o->path, CPLGetLastErrorMsg());
        goto cleanup;
    }
    OGRLayerH lyr = o->layer ? GDALDatasetGetLayerByName(ds, o->layer)
                             : GDALDatasetGetLayer(ds, 0);
    if (!lyr) {
        rc = hs_fail(err, HS_ERR_DATA, "areas '%s': no layer '%s'", o->path,
                     o->layer ? o->layer : "(first)");
        goto cleanup;
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    int iid = OGR_FD_GetFieldIndex(defn, o->id_field);
    int iname = o->name_field ? OGR_FD_GetFieldIndex(defn, o->name_field) : iid;
    int ipop = o->pop_field ? OGR_FD_GetFieldIndex(defn, o->pop_field) : -1;
    const char *missing = iid < 0 ? o->id_field : iname < 0 ? o->name_field
                        : (o->pop_field && ipop < 0) ? o->pop_field : NULL;
    if (missing) {
        char have[512] = "";
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
            const char *nm = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
            size_t l = strlen(have);
            snprintf(have + l, sizeof have - l, "%s%s", i ? ", " : "", nm);
        }
        rc = hs_fail(err, HS_ERR_DATA, "areas '%s': no field '%s' (fields: %s)",
                     o->path, missing, have);
        goto cleanup;
    }
    OGRSpatialReferenceH src = OGR_L_GetSpatialRef(lyr);
    dst = OSRNewSpatialReference(NULL);
    if (OSRSetFromUserInput(dst, o->crs) != OGRERR_NONE) {
        rc = hs_fail(err, HS_ERR_CRS, "cannot resolve CRS '%s'", o->crs);
        goto cleanup;
    }
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    if (!src) {
        hs_warn(log, "areas '%s' have no CRS; assuming %s", o->path, o->crs);
    } else if (!OSRIsSame(src, dst)) {
        OGRSpatialReferenceH s2 = OSRClone(src);
        OSRSetAxisMappingStrategy(s2, OAMS_TRADITIONAL_GIS_ORDER);
        ct = OCTNewCoordinateTransformation(s2, dst);
        OSRDestroySpatialReference(s2);
        if (!ct) {
            rc = hs_fail(err, HS_ERR_CRS, "areas '%s': cannot transform to %s",
                         o->path, o->crs);
            goto cleanup;
        }
    }
    OGR_L_ResetReading(lyr);
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        long fid = (long)OGR_F_GetFID(f);
        const char *id = OGR_F_GetFieldAsString(f, iid);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        OGRwkbGeometryType gt = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbNone;
        if (!OGR_F_IsFieldSetAndNotNull(f, iid) || !*id) {
            hs_warn(log, "areas '%s' feature %ld: empty %s; skipped", o->path,
                    fid, o->id_field);
            skipped++;
            goto next;
        }
        if (!g || OGR_G_IsEmpty(g) ||
            (gt != wkbPolygon && gt != wkbMultiPolygon)) {
            hs_warn(log, "areas '%s' feature %ld (%s '%s'): %s; skipped",
                    o->path, fid, o->id_field, id,
                    !g || OGR_G_IsEmpty(g) ? "no geometry" : "not a polygon");
            skipped++;
            goto next;
        }
        if (ct && OGR_G_Transform(g, ct) != OGRERR_NONE) {
            rc = hs_fail(err, HS_ERR_CRS, "areas '%s' feature %ld (%s '%s'): "
                         "cannot transform to %s", o->path, fid, o->id_field,
                         id, o->crs);
            goto cleanup;
        }
        size_t len = (size_t)OGR_G_WkbSize(g);
        unsigned char *wkb = malloc(len);
        if (!wkb) {
            rc = hs_fail(err, HS_ERR_NOMEM, "areas: out of memory");
            goto cleanup;
        }
        OGR_G_ExportToIsoWkb(g, wkbNDR, wkb);
        GEOSGeometry *gg = GEOSWKBReader_read_r(a->ctx, rd, wkb, len);
        free(wkb);
        if (!gg) {
            rc = hs_fail(err, HS_ERR_GEOM, "areas '%s' feature %ld (%s '%s'): "
                         "GEOS cannot read the geometry", o->path, fid,
                         o->id_field, id);
            goto cleanup;
        }
        if (GEOSisValid_r(a->ctx, gg) != 1) {
            char *why = GEOSisValidReason_r(a->ctx, gg);
            hs_warn(log, "areas '%s' feature %ld (%s '%s'): invalid polygon "
                    "(%s); repaired", o->path, fid, o->id_field, id,
                    why ? why : "?");
            GEOSFree_r(a->ctx, why);
            GEOSGeometry *fixed = GEOSMakeValid_r(a->ctx, gg);
            GEOSGeom_destroy_r(a->ctx, gg);
            gg = fixed ? polygonal(a->ctx, fixed) : NULL;
            repaired++;
            if (!gg || GEOSisEmpty_r(a->ctx, gg)) {
                hs_warn(log, "areas '%s' feature %ld (%s '%s'): nothing left "
                        "after repair; skipped", o->path, fid, o->id_field, id);
                if (gg)
                    GEOSGeom_destroy_r(a->ctx, gg);
                skipped++;
                goto next;
            }
        }
        if (a->n == cap) {
            cap = cap ? cap * 2 : 64;
            area_rec *v = realloc(a->v, cap * sizeof *v);
            if (!v) {
                GEOSGeom_destroy_r(a->ctx, gg);
                rc = hs_fail(err, HS_ERR_NOMEM, "areas: out of memory");
                goto cleanup;
            }
            a->v = v;
        }
        area_rec *ar = &a->v[a->n++];
        memset(ar, 0, sizeof *ar);
        ar->geom = gg;
        ar->feature = fid;
        ar->id = dup_str(id);
        ar->name = dup_str(OGR_F_GetFieldAsString(f, iname));
        ar->pop = NAN;
        if (ipop >= 0 && OGR_F_IsFieldSetAndNotNull(f, ipop)) {
            double p = OGR_F_GetFieldAsDouble(f, ipop);
            if (isfinite(p) && p >= 0)
                ar->pop = p;
            else
                hs_warn(log, "areas '%s' feature %ld (%s '%s'): %s '%s' is not "
                        "a population; treated as unknown", o->path, fid,
                        o->id_field, id, o->pop_field,
                        OGR_F_GetFieldAsString(f, ipop));
        }
        if (!ar->id || !ar->name) {
            rc = hs_fail(err, HS_ERR_NOMEM, "areas: out of memory");
            goto cleanup;
        }
    next:
        OGR_F_Destroy(f);
        f = NULL;
    }
    if (a->n == 0)
        rc = hs_fail(err, HS_ERR_DATA, "areas '%s': no usable polygons%s",
                     o->path, skipped ? " (all were skipped)" : "");
    if (repaired || skipped)
        hs_warn(log, "areas '%s': %ld invalid polygon(s) repaired, %ld "
                "feature(s) skipped", o->path, repaired, skipped);
cleanup:
    if (f)
        OGR_F_Destroy(f);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (dst)
        OSRDestroySpatialReference(dst);
    if (ds)
        GDALClose(ds);
    GEOSWKBReader_destroy_r(a->ctx, rd);
    return rc;
}

/* Reports overlapping pairs (interiors meet: more than a shared edge). */
typedef struct overlap_ctx {
    hs_areas *a;
    size_t i;
    const hs_log *log;
    const char *path;
} overlap_ctx;

static void overlap_cb(void *item, void *user)
{
    overlap_ctx *c = user;
    hs_areas *a = c->a;
    size_t j = (size_t)(uintptr_t)item - 1;
    if (j <= c->i)
        return;
    const GEOSPreparedGeometry *p = a->prep[c->i];
    const GEOSGeometry *g = a->v[j].geom;
    if (!GEOSPreparedIntersects_r(a->ctx, p, g) ||
        !(GEOSPreparedOverlaps_r(a->ctx, p, g) == 1 ||
          GEOSPreparedContains_r(a->ctx, p, g) == 1 ||
          GEOSPreparedWithin_r(a->ctx, p, g) == 1))
        return;
    double m2 = 0;
    GEOSGeometry *x = GEOSIntersection_r(a->ctx, a->v[c->i].geom, g);
    if (x) {
        GEOSArea_r(a->ctx, x, &m2);
        GEOSGeom_destroy_r(a->ctx, x);
    }
    if (m2 < 1.0)
        return; /* slivers from generalised boundaries: not worth a word */
    if (a->overlaps++ < 5)
        hs_warn(c->log, "areas '%s': '%s' and '%s' overlap by %.0f m2; "
                "incidents there go to '%s'", c->path, a->v[c->i].id,
                a->v[j].id, m2, a->v[c->i].id);
}

hs_areas *hs_areas_load(const hs_areas_opts *o, const hs_log *log,
                        hs_error *err)
{
    hs_areas *a = calloc(1, sizeof *a);
    GEOSWKBWriter *wr = NULL;
    if (!a) {
        hs_fail(err, HS_ERR_NOMEM, "areas: out of memory");
        return NULL;
    }
    a->ctx = GEOS_init_r();
    GEOSContext_setNoticeHandler_r(a->ctx, geos_msg);
    GEOSContext_setErrorHandler_r(a->ctx, geos_msg);
    if (read_features(a, o, log, err) != HS_OK)
        goto fail;
    qsort(a->v, a->n, sizeof *a->v, cmp_area);
    for (size_t i = 1; i < a->n; i++)
        if (strcmp(a->v[i - 1].id, a->v[i].id) == 0) {
            hs_fail(err, HS_ERR_DATA, "areas '%s': %s '%s' is used by features "
                    "%ld and %ld; area ids must be unique", o->path,
                    o->id_field, a->v[i].id, a->v[i - 1].feature,
                    a->v[i].feature);
            goto fail;
        }
    a->prep = calloc(a->n, sizeof *a->prep);
    a->tree = GEOSSTRtree_create_r(a->ctx, 10);
    wr = GEOSWKBWriter_create_r(a->ctx);
    if (!a->prep || !a->tree || !wr) {
        hs_fail(err, HS_ERR_NOMEM, "areas: out of memory");
        goto fail;
    }
    a->xmin = a->ymin = INFINITY;
    a->xmax = a->ymax = -INFINITY;
    for (size_t i = 0; i < a->n; i++) {
        area_rec *ar = &a->v[i];
        GEOSArea_r(a->ctx, ar->geom, &ar->km2);
        ar->km2 /= 1e6;
        a->prep[i] = GEOSPrepare_r(a->ctx, ar->geom);
        /* items are index + 1 so that no item is a NULL pointer */
        GEOSSTRtree_insert_r(a->ctx, a->tree, ar->geom, (void *)(uintptr_t)(i + 1));
        double x0, y0, x1, y1;
        GEOSGeom_getXMin_r(a->ctx, ar->geom, &x0);
        GEOSGeom_getYMin_r(a->ctx, ar->geom, &y0);
        GEOSGeom_getXMax_r(a->ctx, ar->geom, &x1);
        GEOSGeom_getYMax_r(a->ctx, ar->geom, &y1);
        a->xmin = fmin(a->xmin, x0);
        a->ymin = fmin(a->ymin, y0);
        a->xmax = fmax(a->xmax, x1);
        a->ymax = fmax(a->ymax, y1);
        GEOSWKBWriter_setByteOrder_r(a->ctx, wr, GEOS_WKB_NDR);
        ar->wkb = GEOSWKBWriter_write_r(a->ctx, wr, ar->geom, &ar->wkb_len);
        if (!a->prep[i] || !ar->wkb) {
            hs_fail(err, HS_ERR_GEOM, "areas '%s': GEOS failed on '%s'",
                    o->path, ar->id);
            goto fail;
        }
    }
    for (size_t i = 0; i < a->n; i++) {
        overlap_ctx c = {a, i, log, o->path};
        GEOSSTRtree_query_r(a->ctx, a->tree, a->v[i].geom, overlap_cb, &c);
    }
    if (a->overlaps > 5)
        hs_warn(log, "areas '%s': %ld overlapping pairs in all", o->path,
                a->overlaps);
    GEOSWKBWriter_destroy_r(a->ctx, wr);
    return a;
fail:
    if (wr)
        GEOSWKBWriter_destroy_r(a->ctx, wr);
    hs_areas_destroy(a);
    return NULL;
}

/* ---- point assignment ------------------------------------------------- */

typedef struct locate_ctx {
    GEOSContextHandle_t ctx;
    const GEOSPreparedGeometry *const *prep;
    const GEOSGeometry *pt;
    long best;
} locate_ctx;

static void locate_cb(void *item, void *user)
{
    locate_ctx *c = user;
    long j = (long)(uintptr_t)item - 1;
    if (c->best >= 0 && j >= c->best)
        return; /* the smallest id wins; no need to test larger ones */
    if (GEOSPreparedCovers_r(c->ctx, c->prep[j], c->pt) == 1)
        c->best = j;
}

static int locate_with(const hs_areas *a, GEOSContextHandle_t ctx,
                       const GEOSPreparedGeometry *const *prep, double x,
                       double y)
{
    if (isnan(x) || isnan(y) || x < a->xmin || x > a->xmax || y < a->ymin ||
        y > a->ymax)
        return -1;
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(ctx, 1, 2);
    GEOSCoordSeq_setXY_r(ctx, cs, 0, x, y);
    GEOSGeometry *pt = GEOSGeom_createPoint_r(ctx, cs);
    locate_ctx c = {ctx, prep, pt, -1};
    GEOSSTRtree_query_r(ctx, a->tree, pt, locate_cb, &c);
    GEOSGeom_destroy_r(ctx, pt);
    return (int)c.best;
}

int hs_areas_locate(const hs_areas *a, double x, double y)
{
    return locate_with(a, a->ctx, a->prep, x, y);
}

/* One worker of hs_areas_assign: its own GEOS context and prepared
 * geometries, because GEOS builds a prepared geometry's index lazily and
 * that is not safe to share between threads. */
typedef struct worker {
    const hs_areas *a;
    const double *x, *y;
    int32_t *area;
    size_t from, to;
    int ok;
} worker;

static void *assign_worker(void *arg)
{
    worker *w = arg;
    const hs_areas *a = w->a;
    GEOSContextHandle_t ctx = GEOS_init_r();
    const GEOSPreparedGeometry **prep = calloc(a->n, sizeof *prep);
    if (!ctx || !prep)
        goto done;
    GEOSContext_setNoticeHandler_r(ctx, geos_msg);
    GEOSContext_setErrorHandler_r(ctx, geos_msg);
    for (size_t i = 0; i < a->n; i++)
        if (!(prep[i] = GEOSPrepare_r(ctx, a->v[i].geom)))
            goto done;
    for (size_t i = w->from; i < w->to; i++)
        w->area[i] = locate_with(a, ctx, prep, w->x[i], w->y[i]);
    w->ok = 1;
done:
    if (prep) {
        for (size_t i = 0; i < a->n; i++)
            if (prep[i])
                GEOSPreparedGeom_destroy_r(ctx, prep[i]);
        free(prep);
    }
    if (ctx)
        GEOS_finish_r(ctx);
    return NULL;
}

hs_status hs_areas_assign(const hs_areas *a, const double *x, const double *y,
                          size_t n, int32_t *area, hs_error *err)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = ncpu < 1 ? 1 : ncpu > 16 ? 16 : (size_t)ncpu;
    if (n < 20000)
        nt = 1;
    worker w[16];
    pthread_t th[16];
    size_t started = 0;
    /* The STRtree builds itself on its first query; do that here, before
     * the threads share it read-only. */
    hs_areas_locate(a, a->xmin, a->ymin);
    for (size_t t = 0; t < nt; t++) {
        w[t] = (worker){a, x, y, area, n * t / nt, n * (t + 1) / nt, 0};
        if (nt == 1 || pthread_create(&th[t], NULL, assign_worker, &w[t]) != 0)
            assign_worker(&w[t]);
        else
            started |= (size_t)1 << t;
    }
    for (size_t t = 0; t < nt; t++)
        if (started & ((size_t)1 << t))
            pthread_join(th[t], NULL);
    for (size_t t = 0; t < nt; t++)
        if (!w[t].ok)
            return hs_fail(err, HS_ERR_GEOM, "assigning incidents to areas: "
                           "GEOS failed");
    return HS_OK;
}
