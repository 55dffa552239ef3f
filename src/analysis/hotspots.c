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
    free(h->spot);
    free(h);
}

/* ---- working state ---------------------------------------------------- */

/* One component while it is being measured. */
typedef struct comp {
    size_t first;      /* smallest row-major cell index (the fill seed)  */
    size_t start, len; /* its cells: order[start .. start+len)           */
    double incidents;  /* sum of its points' shares                      */
    int cls;
    int area;
    int location;
    OGRGeometryH geom; /* MultiPolygon, owned until exported             */
} comp;

/* (component, location, share) of incident p in a hotspot. */
typedef struct comp_loc {
    size_t comp, p;
    int32_t loc;
    double w;
} comp_loc;

int hs_grid_cell(const hs_grid_geom *g, double x, double y, size_t *idx)
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
    if (x->loc != y->loc)
        return (x->loc > y->loc) - (x->loc < y->loc);
    /* then point order, so shares are summed in one order every run */
    return (x->p > y->p) - (x->p < y->p);
}

/* Rank order: incidents desc (sums of shares: a tie is an equal double),
 * cells (= km2) desc, first cell asc. */
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
 * Breadth-first fill of the selected cells (sel[i] != 0) into 4-connected
 * components; with join non-NULL, neighbours join only when their join
 * values are equal.  Seeds go in row-major order, so a component's seed is
 * its smallest cell, and order[] (nsel slots) ends up holding each
 * component's cells contiguously.  id[] (zeroed) gets ids 1, 2, ...
 */
static hs_status fill(const hs_grid_geom *g, const unsigned char *sel,
                      const int32_t *join, size_t nsel, int32_t *id,
                      size_t *order, comp **out, size_t *nout, hs_error *err)
{
    const size_t ncell = g->rows * g->cols;
    comp *cs = NULL;
    size_t ncomp = 0, ncap = 0, tail = 0;
    for (size_t i = 0; i < ncell && tail < nsel; i++) {
        if (!sel[i] || id[i])
            continue;
        if (ncomp == (size_t)INT32_MAX) {
            free(cs);
            return hs_fail(err, HS_ERR_ARG, "hotspots: more than %d patches",
                           INT32_MAX);
        }
        if (ncomp == ncap) {
            size_t cap = ncap ? 2 * ncap : 64;
            comp *tmp = realloc(cs, cap * sizeof *cs);
            if (!tmp) {
                free(cs);
                return hs_fail(err, HS_ERR_NOMEM, "hotspots: %zu patches", cap);
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
            for (int q = 0; q < nn; q++) {
                size_t m = nb[q];
                if (sel[m] && !id[m] && (!join || join[m] == join[j])) {
                    id[m] = cid; /* mark on push: each cell queued once */
                    order[tail++] = m;
                }
            }
        }
        c->len = tail - c->start;
    }
    *out = cs;
    *nout = ncomp;
    return HS_OK;
}

/* Shares must be finite and >= 0 (NULL: 1 each), so that sums compare. */
static hs_status check_shares(const float *pw, size_t n, const char *what,
                              hs_error *err)
{
    for (size_t p = 0; pw && p < n; p++)
        if (!(pw[p] >= 0) || !isfinite(pw[p]))
            return hs_fail(err, HS_ERR_ARG, "%s: incident %zu has share %g, "
                           "not a finite number >= 0", what, p + 1,
                           (double)pw[p]);
    return HS_OK;
}

/* Each component's incidents (the shares of the points in its cells, by
 * id[]) and its location: the one with the largest sum of shares (ties:
 * the smallest id). */
static hs_status count_points(const hs_grid_geom *g, const int32_t *id,
                              comp *cs, const double *px, const double *py,
                              const float *pw, const int32_t *loc, size_t n,
                              hs_error *err)
{
    comp_loc *cl = NULL;
    size_t ncl = 0, clcap = 0;
    for (size_t p = 0; p < n; p++) {
        size_t i;
        if (!hs_grid_cell(g, px[p], py[p], &i) || !id[i])
            continue;
        size_t k = (size_t)id[i] - 1;
        double w = pw ? (double)pw[p] : 1.0;
        cs[k].incidents += w;
        if (!loc || loc[p] < 0)
            continue;
        if (ncl == clcap) {
            size_t cap = clcap ? 2 * clcap : 256;
            comp_loc *tmp = realloc(cl, cap * sizeof *cl);
            if (!tmp) {
                free(cl);
                return hs_fail(err, HS_ERR_NOMEM, "hotspots: %zu incidents", cap);
            }
            cl = tmp;
            clcap = cap;
        }
        cl[ncl++] = (comp_loc){k, p, loc[p], w};
    }
    if (cl) {
        qsort(cl, ncl, sizeof *cl, cmp_comp_loc);
        for (size_t i = 0; i < ncl;) {
            size_t j = i;
            double best_w = 0;
            int32_t best = -1;
            while (j < ncl && cl[j].comp == cl[i].comp) {
                size_t e = j;
                double sw = 0;
                while (e < ncl && cl[e].comp == cl[j].comp && cl[e].loc == cl[j].loc)
                    sw += cl[e++].w;
                if (sw > best_w) { /* strict: ties keep the smaller id */
                    best_w = sw;
                    best = cl[j].loc;
                }
                j = e;
            }
            cs[cl[i].comp].location = best;
            i = j;
        }
    }
    free(cl);
    return HS_OK;
}

/* A component's polygons as ISO WKB (NDR), malloc'd into *wkb. */
static hs_status export_wkb(OGRGeometryH geom, const char *what,
                            unsigned char **wkb, size_t *len, hs_error *err)
{
    size_t n = (size_t)OGR_G_WkbSize(geom);
    if (!(*wkb = malloc(n)))
        return hs_fail(err, HS_ERR_NOMEM, "%s: %zu-byte polygon", what, n);
    if (OGR_G_ExportToIsoWkb(geom, wkbNDR, *wkb) != OGRERR_NONE)
        return hs_fail(err, HS_ERR_GEOM, "%s: WKB", what);
    *len = n;
    return HS_OK;
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
                              const double *py, const float *pw,
                              const int32_t *loc, size_t n, const char *prefix,
                              const hs_hotspot_opts *o, hs_error *err)
{
    hs_hotspots *h = NULL, *ret = NULL;
    int32_t *id = NULL, *scratch = NULL;
    size_t *order = NULL;
    comp *cs = NULL;
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
    if (check_opts(o, err) != HS_OK || check_grid(g, err) != HS_OK ||
        check_shares(pw, n, "hotspots", err) != HS_OK)
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

    /* Components of the hot cells. */
    unsigned char *hot = NULL;
    if (nhot > 0) {
        id = calloc(ncell, sizeof *id);
        order = malloc(nhot * sizeof *order);
        hot = malloc(ncell);
        if (!id || !order || !hot) {
            free(hot);
            hs_fail(err, HS_ERR_NOMEM, "hotspots: %zu hot cells", nhot);
            goto cleanup;
        }
        for (size_t i = 0; i < ncell; i++)
            hot[i] = h->cls[i] != HS_CLS_MASKED && h->cls[i] >= o->hot_class;
        hs_status frc = fill(g, hot, NULL, nhot, id, order, &cs, &ncomp, err);
        free(hot);
        if (frc)
            goto cleanup;
    }
    for (size_t k = 0; k < ncomp; k++)
        for (size_t q = 0; q < cs[k].len; q++) {
            int c = h->cls[order[cs[k].start + q]];
            cs[k].cls = c > cs[k].cls ? c : cs[k].cls;
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

    /* Incidents: in unmasked cells, and per component. */
    for (size_t p = 0; p < n; p++) {
        size_t i;
        if (hs_grid_cell(g, px[p], py[p], &i) && h->cls[i] != HS_CLS_MASKED)
            h->mask_incidents += pw ? (double)pw[p] : 1.0;
    }
    if (ncomp > 0 && (count_points(g, id, cs, px, py, pw, loc, n, err) ||
                      polygonise(g, id, cs, ncomp, err)))
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
        s->share = h->mask_incidents > 0 ? c->incidents / h->mask_incidents : 0;
        s->pai = s->share / (s->km2 / h->mask_km2);
        s->area = c->area;
        s->location = c->location;
        /* the cells' component ids become ranks */
        for (size_t q = 0; q < c->len; q++)
            id[order[c->start + q]] = s->rank;
        h->n = k + 1; /* so destroy frees this wkb from here on */
        if (export_wkb(c->geom, "hotspots", &s->wkb, &s->wkb_len, err))
            goto cleanup;
    }
    h->spot = id; /* ownership moves to h */
    id = NULL;
    ret = h; /* ownership moves to the caller */
    h = NULL;
cleanup:
    for (size_t k = 0; k < ncomp; k++)
        OGR_G_DestroyGeometry(cs[k].geom); /* NULL-safe */
    hs_hotspots_destroy(h);
    free(id);
    free(order);
    free(cs);
    free(scratch);
    return ret;
}

/* ---- tasking ---------------------------------------------------------- */

/* Quickselect with a median-of-three pivot: a full sort was half the
 * back-test's time. */
double hs_kth_largest(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        double a = v[lo], b = v[mid], c = v[hi];
        double p = a > b ? (b > c ? b : a > c ? c : a) : (a > c ? a : b > c ? c : b);
        size_t i = lo, j = hi;
        while (i <= j) { /* descending: > p left, < p right */
            while (v[i] > p)
                i++;
            while (v[j] < p)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

double hs_median(double *v, size_t n)
{
    double hi = hs_kth_largest(v, n, n / 2);
    return n % 2 ? hi : 0.5 * (hs_kth_largest(v, n, n / 2 - 1) + hi);
}

void hs_tasks_free(hs_task *t, size_t n)
{
    if (!t)
        return;
    for (size_t i = 0; i < n; i++) {
        free(t[i].wkb);
        free(t[i].cells);
    }
    free(t);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Tasking order: area asc, then the rank order. */
static int cmp_task(const void *a, const void *b)
{
    const comp *x = a, *y = b;
    if (x->area != y->area)
        return (x->area > y->area) - (x->area < y->area);
    return cmp_rank(a, b);
}

/* Marks in sel[] each area's budget: its B_a densest positive cells
 * (hotspots.h).  pos[] holds the positive cells grouped by area, each
 * group in row-major order, from start[a]; vals[] is scratch. */
static void choose_budgets(const double *density, const size_t *pos,
                           const size_t *start, const long *ucount,
                           size_t nareas, double share, double *vals,
                           unsigned char *sel, size_t *nsel)
{
    for (size_t a = 0; a < nareas; a++) {
        size_t P = start[a + 1] - start[a];
        const size_t *cells = pos + start[a];
        size_t B = (size_t)floor(share * (double)ucount[a]);
        if (P <= B) {
            for (size_t q = 0; q < P; q++)
                sel[cells[q]] = 1;
            *nsel += P;
            continue;
        }
        if (B == 0)
            continue;
        for (size_t q = 0; q < P; q++)
            vals[q] = density[cells[q]];
        double T = hs_kth_largest(vals, P, B - 1); /* the B-th largest */
        size_t taken = 0;
        for (size_t q = 0; q < P; q++)
            if (density[cells[q]] > T) {
                sel[cells[q]] = 1;
                taken++;
            }
        /* ties at T, in row-major order, fill what is left */
        for (size_t q = 0; q < P && taken < B; q++)
            if (density[cells[q]] == T) {
                sel[cells[q]] = 1;
                taken++;
            }
        *nsel += B;
    }
}

hs_status hs_tasking(const double *density, const int32_t *label,
                     const hs_grid_geom *g, const hs_hotspots *h,
                     const double *px, const double *py, const float *pw,
                     const int32_t *loc, size_t n, size_t nareas,
                     const double *area_incidents, double max_share,
                     double min_incidents, hs_task **out, size_t *nout,
                     hs_error *err)
{
    hs_status rc = HS_OK;
    size_t *pos = NULL, *start = NULL, *order = NULL, ncomp = 0, nkept = 0;
    long *ucount = NULL;
    double *vals = NULL;
    unsigned char *sel = NULL;
    int32_t *id = NULL, *scratch = NULL;
    comp *cs = NULL;
    hs_task *t = NULL;

    if (!out || !nout)
        return hs_fail(err, HS_ERR_ARG, "tasking: no output given");
    *out = NULL;
    *nout = 0;
    if (!density || !label || !g || !h || (n > 0 && (!px || !py)) ||
        (nareas > 0 && !area_incidents))
        return hs_fail(err, HS_ERR_ARG, "tasking: surface, hotspots or board "
                                        "totals missing");
    if (!(max_share > 0 && max_share <= 1))
        return hs_fail(err, HS_ERR_ARG,
                       "tasking: share of each board %g is not in (0, 1]",
                       max_share);
    if (nareas > INT_MAX)
        return hs_fail(err, HS_ERR_ARG, "tasking: %zu boards", nareas);
    if ((rc = check_grid(g, err)) || (rc = check_shares(pw, n, "tasking", err)))
        return rc;
    for (size_t a = 0; a < nareas; a++)
        if (!(area_incidents[a] >= 0) || !isfinite(area_incidents[a]))
            return hs_fail(err, HS_ERR_ARG, "tasking: board %zu has %g "
                           "incidents", a, area_incidents[a]);
    const size_t ncell = g->rows * g->cols;
    const double cell_km2 = g->cell * g->cell / 1e6;

    /* The positive cells by area (a counting sort keeps row-major order). */
    ucount = calloc(nareas + 1, sizeof *ucount);
    start = calloc(nareas + 2, sizeof *start);
    sel = calloc(ncell, 1);
    if (!ucount || !start || !sel)
        goto nomem;
    for (size_t i = 0; i < ncell; i++) {
        if (label[i] < 0 || (size_t)label[i] >= nareas)
            continue;
        ucount[label[i]]++;
        if (density[i] > 0)
            start[label[i] + 2]++;
    }
    for (size_t a = 0; a < nareas; a++)
        start[a + 2] += start[a + 1];
    size_t npos = start[nareas + 1];
    if (npos == 0)
        goto cleanup;
    if (!(pos = malloc(npos * sizeof *pos)) || !(vals = malloc(npos * sizeof *vals)))
        goto nomem;
    for (size_t i = 0; i < ncell; i++)
        if (label[i] >= 0 && (size_t)label[i] < nareas && density[i] > 0)
            pos[start[label[i] + 1]++] = i;
    /* start[a] is now where area a begins, start[a + 1] where it ends */
    size_t nsel = 0;
    choose_budgets(density, pos, start, ucount, nareas, max_share, vals, sel,
                   &nsel);
    if (nsel == 0)
        goto cleanup;

    if (!(id = calloc(ncell, sizeof *id)) || !(order = malloc(nsel * sizeof *order)))
        goto nomem;
    if ((rc = fill(g, sel, label, nsel, id, order, &cs, &ncomp, err)) ||
        (rc = count_points(g, id, cs, px, py, pw, loc, n, err)))
        goto cleanup;

    /* Drop the small ones (their cells leave id[]), renumber the rest. */
    for (size_t k = 0; k < ncomp; k++) {
        comp *c = &cs[k];
        int keep = c->incidents >= min_incidents; /* doubles (hotspots.h) */
        for (size_t q = 0; q < c->len; q++)
            id[order[c->start + q]] = keep ? (int32_t)(nkept + 1) : 0;
        if (keep) {
            c->area = label[c->first];
            cs[nkept++] = *c;
        }
    }
    if (nkept == 0)
        goto cleanup;
    if ((rc = polygonise(g, id, cs, nkept, err)))
        goto cleanup;
    qsort(cs, nkept, sizeof *cs, cmp_task);

    size_t maxlen = 0;
    for (size_t k = 0; k < nkept; k++)
        maxlen = cs[k].len > maxlen ? cs[k].len : maxlen;
    if (!(t = calloc(nkept, sizeof *t)) ||
        !(scratch = malloc(maxlen * sizeof *scratch)))
        goto nomem;
    int order_in_area = 0;
    double cum_inc = 0;
    size_t cum_cells = 0;
    for (size_t k = 0; k < nkept; k++) {
        const comp *c = &cs[k];
        hs_task *tk = &t[k];
        int a = c->area;
        if (k == 0 || cs[k - 1].area != a) {
            order_in_area = 0;
            cum_inc = 0;
            cum_cells = 0;
        }
        cum_inc += c->incidents;
        cum_cells += c->len;
        size_t nspot = 0;
        tk->cls = 0;
        for (size_t q = 0; q < c->len; q++) {
            size_t i = order[c->start + q];
            if (h->cls && h->cls[i] != HS_CLS_MASKED && h->cls[i] > tk->cls)
                tk->cls = h->cls[i];
            if (h->spot && h->spot[i] > 0 && (size_t)h->spot[i] <= h->n)
                scratch[nspot++] = h->spot[i];
        }
        double ukm2 = (double)ucount[a] * cell_km2;
        double ainc = area_incidents[a];
        tk->area = a;
        tk->order = ++order_in_area;
        tk->hotspot = nspot ? (long)mode_sorted(scratch, nspot) - 1 : -1;
        tk->incidents = c->incidents;
        tk->ncells = c->len;
        tk->km2 = (double)c->len * cell_km2;
        tk->area_km2 = ukm2;
        tk->pai = ainc > 0 ? (c->incidents / ainc) /
                                 ((double)c->len / (double)ucount[a])
                           : NAN;
        tk->cum_km2_share = (double)cum_cells / (double)ucount[a];
        tk->cum_incident_share = ainc > 0 ? cum_inc / ainc : 0;
        tk->location = c->location;
        *nout = k + 1; /* so hs_tasks_free frees this wkb from here on */
        if (!(tk->cells = malloc(c->len * sizeof *tk->cells)))
            goto nomem;
        for (size_t q = 0; q < c->len; q++)
            tk->cells[q] = order[c->start + q];
        qsort(tk->cells, c->len, sizeof *tk->cells, cmp_size);
        if ((rc = export_wkb(c->geom, "tasking", &tk->wkb, &tk->wkb_len, err)))
            goto cleanup;
    }
    *out = t;
    t = NULL;
    goto cleanup;
nomem:
    rc = hs_fail(err, HS_ERR_NOMEM, "tasking: %zu cells", ncell);
cleanup:
    if (t) {
        hs_tasks_free(t, *nout);
        *nout = 0;
    }
    for (size_t k = 0; k < ncomp; k++)
        OGR_G_DestroyGeometry(cs[k].geom); /* NULL-safe */
    free(cs);
    free(pos);
    free(start);
    free(ucount);
    free(vals);
    free(sel);
    free(id);
    free(order);
    free(scratch);
    return rc;
}
