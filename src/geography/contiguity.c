/* contiguity.c - queen contiguity of polygons with GEOS (contiguity.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geography/contiguity.h"
#include "geography/geos.h"

void hs_nb_free(hs_nb *nb)
{
    if (!nb)
        return;
    free(nb->start);
    free(nb->nb);
    memset(nb, 0, sizeof *nb);
}

/* One neighbour pair, i < j. */
typedef struct pair {
    uint32_t i, j;
} pair;

typedef struct query {
    GEOSContextHandle_t ctx;
    GEOSGeometry *const *geom;
    const GEOSPreparedGeometry *prep; /* of area i */
    size_t i;
    double snap;
    pair *p;
    size_t np, cap;
    int nomem;
    long failed;                      /* the j GEOS failed on, or -1 */
} query;

static void test_pair(void *item, void *userdata)
{
    query *q = userdata;
    size_t j = (size_t)(uintptr_t)item - 1; /* items are index + 1 */
    if (j <= q->i || q->nomem || q->failed >= 0)
        return;
    char r = q->snap > 0
                 ? GEOSPreparedDistanceWithin_r(q->ctx, q->prep, q->geom[j], q->snap)
                 : GEOSPreparedIntersects_r(q->ctx, q->prep, q->geom[j]);
    if (r == 2) {
        q->failed = (long)j;
        return;
    }
    if (r != 1)
        return;
    if (q->np == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 1024;
        pair *p = realloc(q->p, cap * sizeof *p);
        if (!p) {
            q->nomem = 1;
            return;
        }
        q->p = p;
        q->cap = cap;
    }
    q->p[q->np++] = (pair){(uint32_t)q->i, (uint32_t)j};
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* "area 3 ('E01014399')" or "area 3". */
static const char *name(char *buf, size_t n, const char *const *ids, size_t i)
{
    if (ids && ids[i])
        snprintf(buf, n, "area %zu ('%s')", i, ids[i]);
    else
        snprintf(buf, n, "area %zu", i);
    return buf;
}

/* The pairs into the compressed lists of *out. */
static hs_status build_lists(const pair *p, size_t np, size_t n, hs_nb *out,
                             hs_error *err)
{
    out->start = calloc(n + 1, sizeof *out->start);
    out->nb = malloc((np ? 2 * np : 1) * sizeof *out->nb);
    size_t *fill = malloc((n ? n : 1) * sizeof *fill);
    if (!out->start || !out->nb || !fill) {
        free(fill);
        return hs_fail(err, HS_ERR_NOMEM, "contiguity: out of memory for %zu "
                       "neighbour pairs", np);
    }
    for (size_t k = 0; k < np; k++) {
        out->start[p[k].i + 1]++;
        out->start[p[k].j + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        out->start[i + 1] += out->start[i];
    memcpy(fill, out->start, n * sizeof *fill);
    for (size_t k = 0; k < np; k++) {
        out->nb[fill[p[k].i]++] = p[k].j;
        out->nb[fill[p[k].j]++] = p[k].i;
    }
    for (size_t i = 0; i < n; i++) /* pairs arrive in query order */
        qsort(out->nb + out->start[i], out->start[i + 1] - out->start[i],
              sizeof *out->nb, cmp_u32);
    free(fill);
    return HS_OK;
}

hs_status hs_contiguity_queen_wkb(const unsigned char *const *wkb,
                                  const size_t *len, const char *const *ids,
                                  size_t n, double snap, hs_nb *out,
                                  hs_error *err)
{
    hs_status rc = HS_OK;
    hs_geos_msg msg = {""};
    GEOSContextHandle_t ctx = NULL;
    GEOSWKBReader *rd = NULL;
    GEOSGeometry **geom = NULL;
    GEOSSTRtree *tree = NULL;
    query q = {.failed = -1};
    char nm[160];

    memset(out, 0, sizeof *out);
    if (!(snap >= 0) || !isfinite(snap))
        return hs_fail(err, HS_ERR_ARG, "contiguity: snap %g is not a distance "
                       ">= 0", snap);
    if (n >= UINT32_MAX)
        return hs_fail(err, HS_ERR_ARG, "contiguity: %zu areas is too many", n);
    if (n > 0 && (!wkb || !len))
        return hs_fail(err, HS_ERR_ARG, "contiguity: polygons missing");
    if (!(ctx = hs_geos_start(&msg)))
        return hs_fail(err, HS_ERR_NOMEM, "contiguity: cannot start GEOS");
    rd = GEOSWKBReader_create_r(ctx);
    geom = calloc(n ? n : 1, sizeof *geom);
    tree = GEOSSTRtree_create_r(ctx, 10);
    if (!rd || !geom || !tree) {
        rc = hs_fail(err, HS_ERR_NOMEM, "contiguity: out of memory for %zu "
                     "areas", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        msg.text[0] = '\0';
        geom[i] = wkb[i] ? GEOSWKBReader_read_r(ctx, rd, wkb[i], len[i]) : NULL;
        if (!geom[i]) {
            rc = hs_fail(err, HS_ERR_GEOM, "contiguity: %s: GEOS cannot read "
                         "its WKB (%zu bytes)%s%s", name(nm, sizeof nm, ids, i),
                         len[i], msg.text[0] ? ": " : "", msg.text);
            goto cleanup;
        }
        int t = GEOSGeomTypeId_r(ctx, geom[i]);
        if ((t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON) ||
            GEOSisEmpty_r(ctx, geom[i]) != 0) {
            char *type = GEOSGeomType_r(ctx, geom[i]);
            rc = hs_fail(err, HS_ERR_GEOM, "contiguity: %s: %s %s, not a "
                         "polygon", name(nm, sizeof nm, ids, i),
                         GEOSisEmpty_r(ctx, geom[i]) != 0 ? "an empty" : "a",
                         type ? type : "geometry");
            GEOSFree_r(ctx, type);
            goto cleanup;
        }
        GEOSSTRtree_insert_r(ctx, tree, geom[i], (void *)(uintptr_t)(i + 1));
    }

    q.ctx = ctx;
    q.geom = geom;
    q.snap = snap;
    for (size_t i = 0; i < n; i++) {
        GEOSGeometry *env = NULL;
        if (snap > 0) { /* the envelope grown by snap finds the near ones */
            double x0, y0, x1, y1;
            GEOSGeom_getXMin_r(ctx, geom[i], &x0);
            GEOSGeom_getYMin_r(ctx, geom[i], &y0);
            GEOSGeom_getXMax_r(ctx, geom[i], &x1);
            GEOSGeom_getYMax_r(ctx, geom[i], &y1);
            env = GEOSGeom_createRectangle_r(ctx, x0 - snap, y0 - snap,
                                             x1 + snap, y1 + snap);
        }
        const GEOSPreparedGeometry *prep = GEOSPrepare_r(ctx, geom[i]);
        if (!prep || (snap > 0 && !env)) {
            if (prep)
                GEOSPreparedGeom_destroy_r(ctx, prep);
            if (env)
                GEOSGeom_destroy_r(ctx, env);
            rc = hs_fail(err, HS_ERR_GEOM, "contiguity: %s: GEOS cannot "
                         "prepare it%s%s", name(nm, sizeof nm, ids, i),
                         msg.text[0] ? ": " : "", msg.text);
            goto cleanup;
        }
        q.i = i;
        q.prep = prep;
        msg.text[0] = '\0';
        GEOSSTRtree_query_r(ctx, tree, env ? env : geom[i], test_pair, &q);
        GEOSPreparedGeom_destroy_r(ctx, prep);
        if (env)
            GEOSGeom_destroy_r(ctx, env);
        if (q.nomem) {
            rc = hs_fail(err, HS_ERR_NOMEM, "contiguity: out of memory for "
                         "the neighbour pairs");
            goto cleanup;
        }
        if (q.failed >= 0) {
            char nm2[160];
            rc = hs_fail(err, HS_ERR_GEOM, "contiguity: GEOS failed testing "
                         "%s against %s: %s", name(nm, sizeof nm, ids, i),
                         name(nm2, sizeof nm2, ids, (size_t)q.failed),
                         msg.text[0] ? msg.text : "unknown error");
            goto cleanup;
        }
    }
    out->n = n;
    rc = build_lists(q.p, q.np, n, out, err);

cleanup:
    free(q.p);
    if (tree)
        GEOSSTRtree_destroy_r(ctx, tree);
    for (size_t i = 0; geom && i < n; i++)
        if (geom[i])
            GEOSGeom_destroy_r(ctx, geom[i]);
    free(geom);
    if (rd)
        GEOSWKBReader_destroy_r(ctx, rd);
    if (ctx)
        GEOS_finish_r(ctx);
    if (rc != HS_OK)
        hs_nb_free(out);
    return rc;
}

hs_status hs_contiguity_queen(const hs_areas *a, double snap, hs_nb *out,
                              hs_error *err)
{
    memset(out, 0, sizeof *out);
    if (!a)
        return hs_fail(err, HS_ERR_ARG, "contiguity: no areas");
    size_t n = hs_areas_count(a);
    const unsigned char **wkb = malloc((n ? n : 1) * sizeof *wkb);
    const char **ids = malloc((n ? n : 1) * sizeof *ids);
    size_t *len = malloc((n ? n : 1) * sizeof *len);
    hs_status rc;
    if (!wkb || !ids || !len) {
        rc = hs_fail(err, HS_ERR_NOMEM, "contiguity: out of memory for %zu "
                     "areas", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        wkb[i] = hs_areas_wkb(a, i, &len[i]);
        ids[i] = hs_areas_id(a, i);
    }
    rc = hs_contiguity_queen_wkb(wkb, len, ids, n, snap, out, err);
cleanup:
    free(wkb);
    free(ids);
    free(len);
    return rc;
}
