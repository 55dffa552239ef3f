/*
 * hotspots.c - hotspot classes, components, polygons, ranks and the
 * tasking table (hotspots.h).
 *
 * Plain C except the polygons: components are labelled here by a
 * breadth-first fill (no recursion, so a hotspot of a million cells cannot
 * overflow the stack), then the component-id raster goes once through
 * GDALPolygonize on a MEM dataset, and each polygon is mapped back to its
 * component by the burned id.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>

#include "analysis/hotspots.h"
#include "input/vector.h"

void hs_hotspot_opts_default(hs_hotspot_opts *o)
{
    memset(o, 0, sizeof *o);
    o->method = HS_THRESH_MEAN_MULTIPLE;
    o->nk = 5;
    for (int i = 0; i < 5; i++)
        o->k[i] = i + 1;
    o->hot_class = 3;
}

void hs_hotspots_destroy(hs_hotspots *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->v[i].wkb);
    free(h->v);
    free(h->cls);
    free(h);
}

/* ---- working state ---------------------------------------------------- */

/* One component while it is being measured. */
typedef struct comp {
    size_t first;      /* smallest row-major cell index (the fill seed)  */
    size_t start, len; /* its cells: order[start .. start+len)           */
    long incidents;
    int cls;
    int area;
    int location;
    OGRGeometryH geom; /* MultiPolygon, owned until exported             */
} comp;

/* (component, location) of one incident in a hotspot. */
typedef struct comp_loc {
    size_t comp;
    int32_t loc;
} comp_loc;

/* Cell index of (x, y) by the floor rule, or 0 when outside / NaN. */
static int cell_of(const hs_grid_geom *g, double x, double y, size_t *idx)
{
    double fc = floor((x - g->x0) / g->cell);
    double fr = floor((y - g->y0) / g->cell);
    /* The negated tests also reject NaN; checked before any cast. */
    if (!(fc >= 0 && fc < (double)g->cols && fr >= 0 && fr < (double)g->rows))
        return 0;
    size_t c = (size_t)fc, r = g->rows - 1 - (size_t)fr;
    *idx = r * g->cols + c;
    return 1;
}

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_comp_loc(const void *a, const void *b)
{
    const comp_loc *x = a, *y = b;
    if (x->comp != y->comp)
        return (x->comp > y->comp) - (x->comp < y->comp);
    return (x->loc > y->loc) - (x->loc < y->loc);
}

/* Rank order: incidents desc, cells (= km2) desc, first cell asc. */
static int cmp_rank(const void *a, const void *b)
{
    const comp *x = a, *y = b;
    if (x->incidents != y->incidents)
        return x->incidents > y->incidents ? -1 : 1;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

/* The most frequent value of v[0..n) (sorted here); ties: the smallest. */
static int32_t mode_sorted(int32_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_int32);
    int32_t best = v[0];
    size_t best_n = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j] == v[i])
            j++;
        if (j - i > best_n) { /* strict: an equal run later is larger */
            best_n = j - i;
            best = v[i];
        }
        i = j;
    }
    return best;
}

static hs_status check_opts(const hs_hotspot_opts *o, hs_error *err)
{
    if (o->method != HS_THRESH_MEAN_MULTIPLE && o->method != HS_THRESH_MEAN_SD)
        return hs_fail(err, HS_ERR_ARG, "hotspots: unknown threshold method %d",
                       (int)o->method);
    if (o->nk < 1 || o->nk > HS_HOTSPOT_MAX_BREAKS)
        return hs_fail(err, HS_ERR_ARG,
                       "hotspots: %d class breaks given, need 1 to %d", o->nk,
                       HS_HOTSPOT_MAX_BREAKS);
    for (int i = 0; i < o->nk; i++) {
        if (!isfinite(o->k[i]))
            return hs_fail(err, HS_ERR_ARG,
                           "hotspots: class break %d is not a number", i + 1);
        if (i > 0 && !(o->k[i] > o->k[i - 1]))
            return hs_fail(err, HS_ERR_ARG,
                           "hotspots: class breaks must increase, but break %d "
                           "(%g) is not above break %d (%g)",
                           i + 1, o->k[i], i, o->k[i - 1]);
    }
    if (o->hot_class < 1 || o->hot_class > o->nk)
        return hs_fail(err, HS_ERR_ARG,
                       "hotspots: hot class %d is not one of the %d classes",
                       o->hot_class, o->nk);
    return HS_OK;
}

static hs_status check_grid(const hs_grid_geom *g, hs_error *err)
{
    if (!(g->cell > 0) || !isfinite(g->cell) || !isfinite(g->x0) ||
        !isfinite(g->y0))
        return hs_fail(err, HS_ERR_ARG,
                       "hotspots: grid origin (%g, %g) or cell size %g is not "
                       "usable", g->x0, g->y0, g->cell);
    /* GDAL sizes are int; the cell buffers must not overflow size_t. */
    if (g->rows == 0 || g->cols == 0 || g->rows > INT_MAX ||
        g->cols > INT_MAX || g->cols > SIZE_MAX / sizeof(double) / g->rows)
        return hs_fail(err, HS_ERR_ARG,
                       "hotspots: grid %zu x %zu is empty or too large",
                       g->cols, g->rows);
    return HS_OK;
}

/* GDAL's last message, never empty. */
static const char *gdal_msg(void)
{
    const char *m = CPLGetLastErrorMsg();
    return m && *m ? m : "no message from GDAL";
}

/*
 * Polygonises the component-id raster id[] (0 = not hot) and gives each
 * component its MultiPolygon.  The MEM band wraps id[] directly
 * (DATAPOINTER): no copy of a grid that can hold millions of cells.
 */
static hs_status polygonise(const hs_grid_geom *g, int32_t *id, comp *cs,
                            size_t ncomp, hs_error *err)
{
    hs_status rc = HS_OK;
    GDALDatasetH rds = NULL, vds = NULL;

    CPLPushErrorHandler(CPLQuietErrorHandler); /* the library never prints */
    CPLErrorReset();
    GDALDriverH mem = GDALGetDriverByName("MEM");
    if (!mem) {
        hs_gdal_init();
        mem = GDALGetDriverByName("MEM");
    }
    /* GDAL < 3.11 keeps vector MEM layers in the "Memory" driver. */
    GDALDriverH vmem = GDALGetDriverByName("Memory");
    if (!vmem)
        vmem = mem;
    if (!mem) {
        rc = hs_fail(err, HS_ERR_GEOM, "polygonise hotspots: no GDAL MEM driver");
        goto cleanup;
    }
    char ptr[64];
    snprintf(ptr, sizeof ptr, "DATAPOINTER=%p", (void *)id);
    char *band_opts[] = {ptr, NULL};
    rds = GDALCreate(mem, "", (int)g->cols, (int)g->rows, 0, GDT_Int32, NULL);
    if (!rds || GDALAddBand(rds, GDT_Int32, band_opts) != CE_None ||
        !(vds = GDALCreate(vmem, "", 0, 0, 0, GDT_Unknown, NULL))) {
        rc = hs_fail(err, HS_ERR_GEOM, "polygonise hotspots: MEM dataset: %s",
                     gdal_msg());
        goto cleanup;
    }
    /* Vertex (col, row) maps to x0 + col*cell, y0 + rows*cell - row*cell:
     * exact cell edges. */
    double gt[6] = {g->x0, g->cell, 0, g->y0 + (double)g->rows * g->cell, 0,
                    -g->cell};
    GDALRasterBandH band = GDALGetRasterBand(rds, 1);
    if (GDALSetGeoTransform(rds, gt) != CE_None ||
        GDALSetRasterNoDataValue(band, 0) != CE_None) {
        rc = hs_fail(err, HS_ERR_GEOM, "polygonise hotspots: raster setup: %s",
                     gdal_msg());
        goto cleanup;
    }

    OGRLayerH lyr = GDALDatasetCreateLayer(vds, "hotspots", NULL, wkbPolygon,
                                           NULL);
    OGRFieldDefnH fld = OGR_Fld_Create("id", OFTInteger);
    OGRErr fe = lyr ? OGR_L_CreateField(lyr, fld, TRUE) : OGRERR_FAILURE;
    OGR_Fld_Destroy(fld);
    if (fe != OGRERR_NONE) {
        rc = hs_fail(err, HS_ERR_GEOM, "polygonise hotspots: layer: %s",
                     gdal_msg());
        goto cleanup;
    }
    /* No "8CONNECTED" option: 4-connected, matching our components. The
     * nodata mask keeps non-hot cells out. */
    if (GDALPolygonize(band, GDALGetMaskBand(band), lyr, 0, NULL, NULL,
                       NULL) != CE_None) {
        rc = hs_fail(err, HS_ERR_GEOM, "polygonise hotspots: %s", gdal_msg());
        goto cleanup;
    }

    OGR_L_ResetReading(lyr);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        int v = OGR_F_GetFieldAsInteger(f, 0);
        OGRGeometryH poly = OGR_F_StealGeometry(f);
        OGR_F_Destroy(f);
        if (v < 1 || (size_t)v > ncomp || !poly) {
            OGR_G_DestroyGeometry(poly);
            rc = hs_fail(err, HS_ERR_GEOM,
                         "polygonise hotspots: unexpected polygon value %d", v);
            goto cleanup;
        }
        comp *c = &cs[v - 1];
        /* One polygon per component is expected; more are collected.  A
         * copy, not *Directly, so ownership is plain even on failure. */
        if (!c->geom)
            c->geom = OGR_G_CreateGeometry(wkbMultiPolygon);
        OGRErr ae = c->geom ? OGR_G_AddGeometry(c->geom, poly) : OGRERR_FAILURE;
        OGR_G_DestroyGeometry(poly);
        if (ae != OGRERR_NONE) {
            rc = hs_fail(err, HS_ERR_GEOM,
                         "polygonise hotspots: collect polygon %d", v);
            goto cleanup;
        }
    }
    for (size_t i = 0; i < ncomp; i++)
        if (!cs[i].geom) {
            rc = hs_fail(err, HS_ERR_GEOM,
                         "polygonise hotspots: component %zu got no polygon",
                         i + 1);
            goto cleanup;
        }
cleanup:
    if (vds)
        GDALClose(vds);
    if (rds)
        GDALClose(rds);
    CPLPopErrorHandler();
    return rc;
}

/* ---- main entry ------------------------------------------------------- */

hs_hotspots *hs_hotspots_find(const double *density, const int32_t *label,
                              const hs_grid_geom *g, const double *px,
                              const double *py, const int32_t *loc, size_t n,
                              const char *prefix, const hs_hotspot_opts *o,
                              hs_error *err)
{
    hs_hotspots *h = NULL, *ret = NULL;
    int32_t *id = NULL, *scratch = NULL;
    size_t *order = NULL;
    comp *cs = NULL;
    comp_loc *cl = NULL;
    size_t ncomp = 0;
    hs_hotspot_opts defaults;

    if (!o) {
        hs_hotspot_opts_default(&defaults);
        o = &defaults;
    }
    if (!density || !g || (n > 0 && (!px || !py)) || !prefix) {
        hs_fail(err, HS_ERR_ARG, "hotspots: density, grid, points or prefix "
                                 "missing");
        return NULL;
    }
    if (strlen(prefix) > HS_HOTSPOT_PREFIX_MAX) {
        hs_fail(err, HS_ERR_ARG,
                "hotspots: id prefix '%s' is longer than %d characters",
                prefix, HS_HOTSPOT_PREFIX_MAX);
        return NULL;
    }
    if (check_opts(o, err) != HS_OK || check_grid(g, err) != HS_OK)
        return NULL;

    const size_t ncell = g->rows * g->cols;
    const double cell_km2 = g->cell * g->cell / 1e6;

    h = calloc(1, sizeof *h);
    if (!h || !(h->cls = malloc(ncell))) {
        hs_fail(err, HS_ERR_NOMEM, "hotspots: %zu cells", ncell);
        goto cleanup;
    }

    /* Basis: unmasked, density > 0.  Two passes for a stable sd. */
    size_t nbasis = 0, nunmasked = 0;
    double sum = 0;
    for (size_t i = 0; i < ncell; i++) {
        if (label && label[i] < 0)
            continue;
        double d = density[i];
        if (!isfinite(d) || d < 0) {
            hs_fail(err, HS_ERR_ARG,
                    "hotspots: density at row %zu column %zu is %g, not a "
                    "finite non-negative number", i / g->cols, i % g->cols, d);
            goto cleanup;
        }
        nunmasked++;
        if (d > 0) {
            nbasis++;
            sum += d;
        }
    }
    if (nbasis > 0) {
        double ss = 0;
        h->mean = sum / (double)nbasis;
        for (size_t i = 0; i < ncell; i++)
            if ((!label || label[i] >= 0) && density[i] > 0)
                ss += (density[i] - h->mean) * (density[i] - h->mean);
        h->sd = sqrt(ss / (double)nbasis);
    }
    h->nbreaks = o->nk;
    for (int i = 0; i < o->nk; i++)
        h->breaks[i] = o->method == HS_THRESH_MEAN_MULTIPLE
                           ? o->k[i] * h->mean
                           : h->mean + o->k[i] * h->sd;
    h->mask_km2 = (double)nunmasked * cell_km2;

    /* Classes. */
    size_t nhot = 0;
    for (size_t i = 0; i < ncell; i++) {
        if (label && label[i] < 0) {
            h->cls[i] = HS_CLS_MASKED;
            continue;
        }
        int k = 0;
        if (density[i] > 0)
            while (k < h->nbreaks && density[i] >= h->breaks[k])
                k++;
        h->cls[i] = (unsigned char)k;
        if (k >= o->hot_class)
            nhot++;
    }

    /* Components: breadth-first fill from each unvisited hot cell in
     * row-major order, so the seed is the component's smallest cell, and
     * order[] ends up holding each component's cells contiguously. */
    if (nhot > 0) {
        id = calloc(ncell, sizeof *id);
        order = malloc(nhot * sizeof *order);
        if (!id || !order) {
            hs_fail(err, HS_ERR_NOMEM, "hotspots: %zu hot cells", nhot);
            goto cleanup;
        }
    }
    size_t ncap = 0, tail = 0;
    for (size_t i = 0; i < ncell && tail < nhot; i++) {
        if (h->cls[i] == HS_CLS_MASKED || h->cls[i] < o->hot_class || id[i])
            continue;
        if (ncomp == (size_t)INT32_MAX) {
            hs_fail(err, HS_ERR_ARG, "hotspots: more than %d hotspots",
                    INT32_MAX);
            goto cleanup;
        }
        if (ncomp == ncap) {
            size_t cap = ncap ? 2 * ncap : 64;
            comp *tmp = realloc(cs, cap * sizeof *cs);
            if (!tmp) {
                hs_fail(err, HS_ERR_NOMEM, "hotspots: %zu components", cap);
                goto cleanup;
            }
            cs = tmp;
            ncap = cap;
        }
        int32_t cid = (int32_t)(ncomp + 1);
        comp *c = &cs[ncomp++];
        memset(c, 0, sizeof *c);
        c->start = tail;
        c->first = i;
        c->area = c->location = -1;
        id[i] = cid;
        order[tail++] = i;
        for (size_t head = c->start; head < tail; head++) {
            size_t j = order[head], r = j / g->cols, col = j % g->cols;
            size_t nb[4];
            int nn = 0;
            if (r > 0) nb[nn++] = j - g->cols;
            if (r + 1 < g->rows) nb[nn++] = j + g->cols;
            if (col > 0) nb[nn++] = j - 1;
            if (col + 1 < g->cols) nb[nn++] = j + 1;
            if (h->cls[j] > c->cls)
                c->cls = h->cls[j];
            for (int q = 0; q < nn; q++) {
                size_t m = nb[q];
                if (h->cls[m] != HS_CLS_MASKED && h->cls[m] >= o->hot_class &&
                    !id[m]) {
                    id[m] = cid; /* mark on push: each cell queued once */
                    order[tail++] = m;
                }
            }
        }
        c->len = tail - c->start;
    }

    /* Majority study area per component. */
    if (label && ncomp > 0) {
        size_t maxlen = 0;
        for (size_t k = 0; k < ncomp; k++)
            maxlen = cs[k].len > maxlen ? cs[k].len : maxlen;
        scratch = malloc(maxlen * sizeof *scratch);
        if (!scratch) {
            hs_fail(err, HS_ERR_NOMEM, "hotspots: %zu cells", maxlen);
            goto cleanup;
        }
        for (size_t k = 0; k < ncomp; k++) {
            for (size_t q = 0; q < cs[k].len; q++)
                scratch[q] = label[order[cs[k].start + q]];
            cs[k].area = (int)mode_sorted(scratch, cs[k].len);
        }
    }

    /* Incidents: mask totals, per component, and (component, location)
     * pairs for the commonest location.  One pass; cls[] is tested before
     * id[] because it is a quarter of the size (fewer cache misses). */
    size_t ncl = 0, clcap = 0;
    for (size_t p = 0; p < n; p++) {
        size_t i;
        if (!cell_of(g, px[p], py[p], &i) || h->cls[i] == HS_CLS_MASKED)
            continue;
        h->mask_incidents++;
        if (h->cls[i] < o->hot_class)
            continue;
        size_t k = (size_t)id[i] - 1;
        cs[k].incidents++;
        if (!loc || loc[p] < 0)
            continue;
        if (ncl == clcap) {
            size_t cap = clcap ? 2 * clcap : 256;
            comp_loc *tmp = realloc(cl, cap * sizeof *cl);
            if (!tmp) {
                hs_fail(err, HS_ERR_NOMEM, "hotspots: %zu incidents", cap);
                goto cleanup;
            }
            cl = tmp;
            clcap = cap;
        }
        cl[ncl++] = (comp_loc){k, loc[p]};
    }
    if (cl) {
        qsort(cl, ncl, sizeof *cl, cmp_comp_loc);
        for (size_t i = 0; i < ncl;) {
            size_t best_n = 0, j = i;
            int32_t best = -1;
            while (j < ncl && cl[j].comp == cl[i].comp) {
                size_t e = j;
                while (e < ncl && cl[e].comp == cl[j].comp && cl[e].loc == cl[j].loc)
                    e++;
                if (e - j > best_n) { /* strict: ties keep the smaller id */
                    best_n = e - j;
                    best = cl[j].loc;
                }
                j = e;
            }
            cs[cl[i].comp].location = best;
            i = j;
        }
    }

    if (ncomp > 0 && polygonise(g, id, cs, ncomp, err) != HS_OK)
        goto cleanup;

    if (ncomp > 0)
        qsort(cs, ncomp, sizeof *cs, cmp_rank);
    if (ncomp > 0 && !(h->v = calloc(ncomp, sizeof *h->v))) {
        hs_fail(err, HS_ERR_NOMEM, "hotspots: %zu hotspots", ncomp);
        goto cleanup;
    }
    for (size_t k = 0; k < ncomp; k++) {
        hs_hotspot *s = &h->v[k];
        const comp *c = &cs[k];
        s->rank = (int)(k + 1);
        snprintf(s->id, sizeof s->id, "%s-%02d", prefix, s->rank);
        s->cls = c->cls;
        s->incidents = c->incidents;
        s->ncells = c->len;
        s->km2 = (double)c->len * cell_km2;
        s->share = h->mask_incidents > 0
                       ? (double)c->incidents / (double)h->mask_incidents
                       : 0;
        s->pai = s->share / (s->km2 / h->mask_km2);
        s->area = c->area;
        s->location = c->location;
        size_t len = (size_t)OGR_G_WkbSize(c->geom);
        s->wkb = malloc(len);
        h->n = k + 1; /* so destroy frees this wkb from here on */
        if (!s->wkb) {
            hs_fail(err, HS_ERR_NOMEM, "hotspots: %zu-byte polygon", len);
            goto cleanup;
        }
        if (OGR_G_ExportToIsoWkb(c->geom, wkbNDR, s->wkb) != OGRERR_NONE) {
            hs_fail(err, HS_ERR_GEOM, "hotspots: WKB of %s", s->id);
            goto cleanup;
        }
        s->wkb_len = len;
    }
    ret = h; /* ownership moves to the caller */
    h = NULL;
cleanup:
    for (size_t k = 0; k < ncomp; k++)
        OGR_G_DestroyGeometry(cs[k].geom); /* NULL-safe */
    hs_hotspots_destroy(h);
    free(id);
    free(order);
    free(cs);
    free(cl);
    free(scratch);
    return ret;
}

/* ---- tasking ---------------------------------------------------------- */

hs_status hs_tasking(const hs_hotspots *h, size_t nareas,
                     const double *area_km2, const long *area_incidents,
                     double max_share, hs_task **out, size_t *nout,
                     hs_error *err)
{
    if (!out || !nout)
        return hs_fail(err, HS_ERR_ARG, "tasking: no output given");
    *out = NULL;
    *nout = 0;
    if (!h || (nareas > 0 && (!area_km2 || !area_incidents)))
        return hs_fail(err, HS_ERR_ARG, "tasking: hotspots or board totals "
                                        "missing");
    if (!(max_share > 0 && max_share <= 1))
        return hs_fail(err, HS_ERR_ARG,
                       "tasking: share of each board %g is not in (0, 1]",
                       max_share);
    if (nareas > INT_MAX)
        return hs_fail(err, HS_ERR_ARG, "tasking: %zu boards", nareas);
    for (size_t a = 0; a < nareas; a++)
        if (!(area_km2[a] > 0) || !isfinite(area_km2[a]) ||
            area_incidents[a] < 0)
            return hs_fail(err, HS_ERR_ARG,
                           "tasking: board %zu has area %g km2 and %ld "
                           "incidents", a, area_km2[a], area_incidents[a]);
    if (h->n == 0)
        return HS_OK;

    hs_task *t = malloc(h->n * sizeof *t);
    if (!t)
        return hs_fail(err, HS_ERR_NOMEM, "tasking: %zu hotspots", h->n);
    size_t nt = 0;
    for (size_t a = 0; a < nareas; a++) {
        double limit = max_share * area_km2[a], km2 = 0;
        long inc = 0;
        int order = 0;
        for (size_t i = 0; i < h->n; i++) {
            const hs_hotspot *s = &h->v[i];
            if (s->area != (int)a)
                continue;
            /* Stop at the first that would exceed: "the top hotspots that
             * together cover at most max_share of the board". */
            if (km2 + s->km2 > limit * (1 + 1e-9))
                break;
            km2 += s->km2;
            inc += s->incidents;
            t[nt++] = (hs_task){
                .area = (int)a,
                .order = ++order,
                .hotspot = i,
                .cum_km2_share = km2 / area_km2[a],
                .cum_incident_share = area_incidents[a] > 0
                                          ? (double)inc / (double)area_incidents[a]
                                          : 0,
            };
        }
    }
    if (nt == 0) {
        free(t);
        return HS_OK;
    }
    *out = t;
    *nout = nt;
    return HS_OK;
}
