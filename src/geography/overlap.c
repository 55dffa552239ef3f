/* overlap.c - areas of intersection between two polygon sets with GEOS
 * (overlap.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geography/geos.h"
#include "geography/overlap.h"

void hs_overlaps_free(hs_overlaps *o)
{
    if (!o)
        return;
    free(o->v);
    free(o->area_a);
    free(o->area_b);
    memset(o, 0, sizeof *o);
}

/* The b indices whose envelopes meet a[i]'s, as the tree gives them. */
typedef struct cands {
    size_t *j;
    size_t n, cap;
    int nomem;
} cands;

static void collect(void *item, void *userdata)
{
    cands *c = userdata;
    if (c->nomem)
        return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        size_t *j = realloc(c->j, cap * sizeof *j);
        if (!j) {
            c->nomem = 1;
            return;
        }
        c->j = j;
        c->cap = cap;
    }
    c->j[c->n++] = (size_t)(uintptr_t)item - 1; /* items are index + 1 */
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Reads one set into geom[0..n) with its areas; an error names the set
 * and the index. */
static hs_status read_set(GEOSContextHandle_t ctx, GEOSWKBReader *rd,
                          hs_geos_msg *msg, const unsigned char *const *wkb,
                          const size_t *len, size_t n, const char *what,
                          GEOSGeometry **geom, double *area, hs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        msg->text[0] = '\0';
        geom[i] = wkb[i] ? GEOSWKBReader_read_r(ctx, rd, wkb[i], len[i]) : NULL;
        if (!geom[i])
            return hs_fail(err, HS_ERR_GEOM, "overlap: %s, polygon %zu: GEOS "
                           "cannot read its WKB (%zu bytes)%s%s", what, i,
                           wkb[i] ? len[i] : 0, msg->text[0] ? ": " : "",
                           msg->text);
        int t = GEOSGeomTypeId_r(ctx, geom[i]);
        int empty = GEOSisEmpty_r(ctx, geom[i]) != 0;
        if ((t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON) || empty) {
            char *type = GEOSGeomType_r(ctx, geom[i]);
            hs_status rc = hs_fail(err, HS_ERR_GEOM, "overlap: %s, polygon "
                                   "%zu: %s %s, not a polygon", what, i,
                                   empty ? "an empty" : "a",
                                   type ? type : "geometry");
            GEOSFree_r(ctx, type);
            return rc;
        }
        if (!GEOSArea_r(ctx, geom[i], &area[i]))
            return hs_fail(err, HS_ERR_GEOM, "overlap: %s, polygon %zu: GEOS "
                           "cannot measure its area: %s", what, i,
                           msg->text[0] ? msg->text : "unknown error");
    }
    return HS_OK;
}

/* Appends (i, j, area) to out->v, growing it. */
static int push(hs_overlaps *out, size_t *cap, size_t i, size_t j, double area)
{
    if (out->n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        hs_overlap *v = realloc(out->v, c * sizeof *v);
        if (!v)
            return -1;
        out->v = v;
        *cap = c;
    }
    out->v[out->n++] = (hs_overlap){i, j, area};
    return 0;
}

hs_status hs_overlaps_compute(const unsigned char *const *a, const size_t *alen,
                              size_t na, const unsigned char *const *b,
                              const size_t *blen, size_t nb,
                              const char *name_a, const char *name_b,
                              hs_overlaps *out, hs_error *err)
{
    hs_status rc = HS_OK;
    hs_geos_msg msg = {""};
    GEOSContextHandle_t ctx = NULL;
    GEOSWKBReader *rd = NULL;
    GEOSGeometry **ga = NULL, **gb = NULL;
    GEOSSTRtree *tree = NULL;
    cands c = {0};
    size_t cap = 0;

    memset(out, 0, sizeof *out);
    name_a = name_a ? name_a : "set a";
    name_b = name_b ? name_b : "set b";
    if ((na > 0 && (!a || !alen)) || (nb > 0 && (!b || !blen)))
        return hs_fail(err, HS_ERR_ARG, "overlap: polygons missing");
    if (!(ctx = hs_geos_start(&msg)))
        return hs_fail(err, HS_ERR_NOMEM, "overlap: cannot start GEOS");
    rd = GEOSWKBReader_create_r(ctx);
    ga = calloc(na ? na : 1, sizeof *ga);
    gb = calloc(nb ? nb : 1, sizeof *gb);
    out->area_a = na ? malloc(na * sizeof *out->area_a) : NULL;
    out->area_b = nb ? malloc(nb * sizeof *out->area_b) : NULL;
    tree = GEOSSTRtree_create_r(ctx, 10);
    if (!rd || !ga || !gb || (na && !out->area_a) || (nb && !out->area_b) ||
        !tree) {
        rc = hs_fail(err, HS_ERR_NOMEM, "overlap: out of memory for %zu and "
                     "%zu polygons", na, nb);
        goto cleanup;
    }
    out->na = na;
    out->nb = nb;
    if ((rc = read_set(ctx, rd, &msg, a, alen, na, name_a, ga, out->area_a,
                       err)) ||
        (rc = read_set(ctx, rd, &msg, b, blen, nb, name_b, gb, out->area_b,
                       err)))
        goto cleanup;
    for (size_t j = 0; j < nb; j++)
        GEOSSTRtree_insert_r(ctx, tree, gb[j], (void *)(uintptr_t)(j + 1));

    for (size_t i = 0; i < na && nb > 0; i++) {
        c.n = 0;
        GEOSSTRtree_query_r(ctx, tree, ga[i], collect, &c);
        if (c.nomem) {
            rc = hs_fail(err, HS_ERR_NOMEM, "overlap: out of memory");
            goto cleanup;
        }
        if (c.n == 0)
            continue;
        qsort(c.j, c.n, sizeof *c.j, cmp_size); /* pairs by i, then j */
        msg.text[0] = '\0';
        const GEOSPreparedGeometry *prep = GEOSPrepare_r(ctx, ga[i]);
        if (!prep) {
            rc = hs_fail(err, HS_ERR_GEOM, "overlap: %s, polygon %zu: GEOS "
                         "cannot prepare it: %s", name_a, i,
                         msg.text[0] ? msg.text : "unknown error");
            goto cleanup;
        }
        for (size_t k = 0; k < c.n && rc == HS_OK; k++) {
            size_t j = c.j[k];
            double area = 0;
            msg.text[0] = '\0';
            /* the prepared test rejects envelope-only candidates cheaply */
            char hit = GEOSPreparedIntersects_r(ctx, prep, gb[j]);
            GEOSGeometry *x = NULL;
            if (hit == 1)
                x = GEOSIntersection_r(ctx, ga[i], gb[j]);
            if (hit == 2 || (hit == 1 && (!x || !GEOSArea_r(ctx, x, &area)))) {
                rc = hs_fail(err, HS_ERR_GEOM, "overlap: GEOS failed "
                             "intersecting %s, polygon %zu with %s, polygon "
                             "%zu: %s", name_a, i, name_b, j,
                             msg.text[0] ? msg.text : "unknown error");
            } else if (area > 0 && push(out, &cap, i, j, area) != 0) {
                rc = hs_fail(err, HS_ERR_NOMEM, "overlap: out of memory for "
                             "%zu pairs", out->n);
            }
            if (x)
                GEOSGeom_destroy_r(ctx, x);
        }
        GEOSPreparedGeom_destroy_r(ctx, prep);
        if (rc != HS_OK)
            goto cleanup;
    }

cleanup:
    free(c.j);
    if (tree)
        GEOSSTRtree_destroy_r(ctx, tree);
    for (size_t i = 0; ga && i < na; i++)
        if (ga[i])
            GEOSGeom_destroy_r(ctx, ga[i]);
    for (size_t j = 0; gb && j < nb; j++)
        if (gb[j])
            GEOSGeom_destroy_r(ctx, gb[j]);
    free(ga);
    free(gb);
    if (rd)
        GEOSWKBReader_destroy_r(ctx, rd);
    if (ctx)
        GEOS_finish_r(ctx);
    if (rc != HS_OK)
        hs_overlaps_free(out);
    return rc;
}
