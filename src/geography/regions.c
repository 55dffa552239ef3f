/* regions.c - the zones of an evaluation with GEOS (regions.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geography/geos.h"
#include "geography/regions.h"

struct hs_regions {
    GEOSContextHandle_t ctx;
    hs_geos_msg msg;
    GEOSGeometry *zone[HS_NZONES];             /* NULL: absent           */
    const GEOSPreparedGeometry *prep[HS_NZONES];
    double box[HS_NZONES][4];                  /* xmin, ymin, xmax, ymax */
    unsigned char *wkb[HS_NZONES];
    size_t wkb_len[HS_NZONES];
    double km2[HS_NZONES];
};

const char *hs_zone_name(hs_zone z)
{
    static const char *const name[] = {"target", "buffer", "control",
                                       "control buffer"};
    return z < HS_NZONES ? name[z] : "?";
}

void hs_regions_destroy(hs_regions *r)
{
    if (!r)
        return;
    for (int z = 0; z < HS_NZONES; z++) {
        if (r->prep[z])
            GEOSPreparedGeom_destroy_r(r->ctx, r->prep[z]);
        if (r->zone[z])
            GEOSGeom_destroy_r(r->ctx, r->zone[z]);
        free(r->wkb[z]);
    }
    if (r->ctx)
        GEOS_finish_r(r->ctx);
    free(r);
}

/* *u = the union of one set, each polygon checked. */
static hs_status union_of(hs_regions *r, const unsigned char *const *wkb,
                          const size_t *len, size_t n, const char *what,
                          GEOSGeometry **u, hs_error *err)
{
    GEOSContextHandle_t ctx = r->ctx;
    GEOSWKBReader *rd = GEOSWKBReader_create_r(ctx);
    GEOSGeometry **g = calloc(n ? n : 1, sizeof *g);
    size_t k = 0;
    hs_status rc = HS_OK;
    *u = NULL;
    if (!rd || !g) {
        rc = hs_fail(err, HS_ERR_NOMEM, "evaluation zones: out of memory");
        goto cleanup;
    }
    if (n == 0) {
        rc = hs_fail(err, HS_ERR_ARG, "evaluation zones: no %s polygon", what);
        goto cleanup;
    }
    for (; k < n; k++) {
        g[k] = wkb[k] ? GEOSWKBReader_read_r(ctx, rd, wkb[k], len[k]) : NULL;
        int t = g[k] ? GEOSGeomTypeId_r(ctx, g[k]) : -1;
        if (!g[k] || (t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON) ||
            GEOSisEmpty_r(ctx, g[k])) {
            rc = hs_fail(err, HS_ERR_GEOM, "%s polygon %zu: %s", what, k + 1,
                    !g[k] ? (r->msg.text[0] ? r->msg.text : "not readable WKB")
                          : "empty or not a polygon");
            k += g[k] != NULL;
            goto cleanup;
        }
    }
    GEOSGeometry *all = GEOSGeom_createCollection_r(ctx, GEOS_GEOMETRYCOLLECTION,
                                                    g, (unsigned)n);
    if (!all) {
        rc = hs_fail(err, HS_ERR_GEOM, "%s: GEOS could not collect the "
                     "polygons", what);
        goto cleanup;
    }
    k = 0; /* the collection owns them now */
    *u = GEOSUnaryUnion_r(ctx, all);
    GEOSGeom_destroy_r(ctx, all);
    if (!*u)
        rc = hs_fail(err, HS_ERR_GEOM, "%s: GEOS could not join the polygons: "
                     "%s", what, r->msg.text);
cleanup:
    for (size_t i = 0; g && i < k; i++)
        GEOSGeom_destroy_r(ctx, g[i]);
    free(g);
    if (rd)
        GEOSWKBReader_destroy_r(ctx, rd);
    return rc;
}

/* Zone z = a minus b (b NULL: a copy), then set_zone. */
static hs_status set_zone(hs_regions *r, hs_zone z, GEOSGeometry *g,
                          hs_error *err);

static hs_status zone_minus(hs_regions *r, hs_zone z, const GEOSGeometry *a,
                            const GEOSGeometry *b, hs_error *err)
{
    GEOSGeometry *d = b ? GEOSDifference_r(r->ctx, a, b) : GEOSGeom_clone_r(r->ctx, a);
    if (!d)
        return hs_fail(err, HS_ERR_GEOM, "the %s: GEOS failed: %s",
                       hs_zone_name(z), r->msg.text);
    return set_zone(r, z, d, err);
}

/* Zone z's prepared form, box, area and MultiPolygon WKB; takes g. */
static hs_status set_zone(hs_regions *r, hs_zone z, GEOSGeometry *g,
                          hs_error *err)
{
    GEOSContextHandle_t ctx = r->ctx;
    r->zone[z] = g;
    double a = 0;
    if (GEOSisEmpty_r(ctx, g) || !GEOSArea_r(ctx, g, &a) || !(a > 0))
        return hs_fail(err, HS_ERR_GEOM, "the %s is empty: %s", hs_zone_name(z),
                       z == HS_ZONE_BUFFER ? "give --buffer a width above 0 m"
                       : z == HS_ZONE_CONTROL ? "the target and its buffer "
                         "cover all of it"
                       : "nothing is left round the control");
    r->km2[z] = a / 1e6;
    if (GEOSGeom_getXMin_r(ctx, g, &r->box[z][0]) != 1 ||
        GEOSGeom_getYMin_r(ctx, g, &r->box[z][1]) != 1 ||
        GEOSGeom_getXMax_r(ctx, g, &r->box[z][2]) != 1 ||
        GEOSGeom_getYMax_r(ctx, g, &r->box[z][3]) != 1 ||
        !(r->prep[z] = GEOSPrepare_r(ctx, g)))
        return hs_fail(err, HS_ERR_GEOM, "the %s: GEOS failed: %s",
                       hs_zone_name(z), r->msg.text);
    /* the file wants MultiPolygons: keep the polygonal parts (a difference
     * may leave lines where edges met) */
    int np = GEOSGetNumGeometries_r(ctx, g);
    GEOSGeometry **parts = calloc((size_t)(np > 0 ? np : 1), sizeof *parts);
    unsigned k = 0;
    if (!parts)
        return hs_fail(err, HS_ERR_NOMEM, "evaluation zones: out of memory");
    for (int i = 0; i < np; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(ctx, g, i);
        if (GEOSGeomTypeId_r(ctx, p) == GEOS_POLYGON && !GEOSisEmpty_r(ctx, p))
            parts[k++] = GEOSGeom_clone_r(ctx, p);
    }
    GEOSGeometry *mp = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, parts, k);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(ctx);
    hs_status rc = HS_OK;
    if (!mp || !w) {
        rc = hs_fail(err, HS_ERR_GEOM, "the %s: GEOS failed: %s",
                     hs_zone_name(z), r->msg.text);
    } else {
        GEOSWKBWriter_setByteOrder_r(ctx, w, GEOS_WKB_NDR);
        GEOSWKBWriter_setOutputDimension_r(ctx, w, 2);
        if (!(r->wkb[z] = GEOSWKBWriter_write_r(ctx, w, mp, &r->wkb_len[z])))
            rc = hs_fail(err, HS_ERR_GEOM, "the %s: GEOS could not write it",
                         hs_zone_name(z));
    }
    if (!mp)
        for (unsigned i = 0; i < k; i++)
            GEOSGeom_destroy_r(ctx, parts[i]);
    free(parts);
    if (mp)
        GEOSGeom_destroy_r(ctx, mp);
    if (w)
        GEOSWKBWriter_destroy_r(ctx, w);
    return rc;
}

hs_regions *hs_regions_create(const unsigned char *const *target,
                              const size_t *tlen, size_t nt, double d,
                              const unsigned char *const *control,
                              const size_t *clen, size_t nc,
                              int control_is_rest, double cd, hs_error *err)
{
    hs_regions *r = calloc(1, sizeof *r);
    GEOSGeometry *t = NULL, *grown = NULL, *tb = NULL, *cu = NULL, *g = NULL;
    hs_status rc = HS_OK;
    if (!r) {
        hs_fail(err, HS_ERR_NOMEM, "evaluation zones: out of memory");
        return NULL;
    }
    if (!(d > 0) || !isfinite(d) || !(cd >= 0) || !isfinite(cd)) {
        rc = hs_fail(err, HS_ERR_ARG, "evaluation zones: buffer %g m and "
                     "control buffer %g m: give a width above 0 m (and 0 or "
                     "more for the control's)", d, cd);
        goto cleanup;
    }
    if (!(r->ctx = hs_geos_start(&r->msg))) {
        rc = hs_fail(err, HS_ERR_NOMEM, "evaluation zones: cannot start GEOS");
        goto cleanup;
    }
    GEOSContextHandle_t ctx = r->ctx;
    if ((rc = union_of(r, target, tlen, nt, "target", &t, err)))
        goto cleanup;
    if (!(grown = GEOSBuffer_r(ctx, t, d, 8)) || !(tb = GEOSUnion_r(ctx, t, grown))) {
        rc = hs_fail(err, HS_ERR_GEOM, "the target's buffer: GEOS failed: %s",
                     r->msg.text);
        goto cleanup;
    }
    if ((rc = zone_minus(r, HS_ZONE_TARGET, t, NULL, err)) ||
        (rc = zone_minus(r, HS_ZONE_BUFFER, grown, t, err)) ||
        (rc = union_of(r, control, clen, nc, "control", &cu, err)))
        goto cleanup;
    if (!control_is_rest) {
        GEOSGeometry *o = GEOSIntersection_r(ctx, cu, tb);
        double a = 0;
        int ok = o && GEOSArea_r(ctx, o, &a);
        if (o)
            GEOSGeom_destroy_r(ctx, o);
        if (!ok) {
            rc = hs_fail(err, HS_ERR_GEOM, "the control: GEOS failed: %s",
                         r->msg.text);
            goto cleanup;
        }
        if (a > 0) {
            rc = hs_fail(err, HS_ERR_ARG, "the control overlaps the target or "
                         "its %.0f m buffer by %.0f m²: a place cannot be both "
                         "treated and a control; give a control away from "
                         "them, or leave --control out (the study area outside "
                         "target and buffer)", d, a);
            goto cleanup;
        }
    }
    if ((rc = zone_minus(r, HS_ZONE_CONTROL, cu, control_is_rest ? tb : NULL, err)))
        goto cleanup;
    if (cd > 0) {
        GEOSGeometry *cg = GEOSBuffer_r(ctx, r->zone[HS_ZONE_CONTROL], cd, 8);
        GEOSGeometry *all = cg ? GEOSUnion_r(ctx, r->zone[HS_ZONE_CONTROL], tb) : NULL;
        g = cg && all ? GEOSDifference_r(ctx, cg, all) : NULL;
        if (cg)
            GEOSGeom_destroy_r(ctx, cg);
        if (all)
            GEOSGeom_destroy_r(ctx, all);
        if (!g) {
            rc = hs_fail(err, HS_ERR_GEOM, "the control buffer: GEOS failed: %s",
                         r->msg.text);
            goto cleanup;
        }
        if ((rc = set_zone(r, HS_ZONE_CONTROL_BUFFER, g, err)))
            goto cleanup;
    }
cleanup:
    if (r->ctx) {
        GEOSContextHandle_t ctx2 = r->ctx;
        if (t)
            GEOSGeom_destroy_r(ctx2, t);
        if (grown)
            GEOSGeom_destroy_r(ctx2, grown);
        if (tb)
            GEOSGeom_destroy_r(ctx2, tb);
        if (cu)
            GEOSGeom_destroy_r(ctx2, cu);
    }
    if (rc) {
        hs_regions_destroy(r);
        return NULL;
    }
    return r;
}

int hs_regions_has(const hs_regions *r, hs_zone z)
{
    return r && z < HS_NZONES && r->zone[z] != NULL;
}

const unsigned char *hs_regions_wkb(const hs_regions *r, hs_zone z, size_t *len)
{
    if (!hs_regions_has(r, z)) {
        *len = 0;
        return NULL;
    }
    *len = r->wkb_len[z];
    return r->wkb[z];
}

void hs_regions_extent(const hs_regions *r, double box[4])
{
    box[0] = box[1] = INFINITY;
    box[2] = box[3] = -INFINITY;
    for (int z = 0; z < HS_NZONES; z++)
        if (hs_regions_has(r, (hs_zone)z)) {
            box[0] = fmin(box[0], r->box[z][0]);
            box[1] = fmin(box[1], r->box[z][1]);
            box[2] = fmax(box[2], r->box[z][2]);
            box[3] = fmax(box[3], r->box[z][3]);
        }
}

double hs_regions_km2(const hs_regions *r, hs_zone z)
{
    return hs_regions_has(r, z) ? r->km2[z] : 0;
}

hs_status hs_regions_locate(const hs_regions *r, const double *x,
                            const double *y, size_t n, int8_t *zone,
                            hs_error *err)
{
    GEOSContextHandle_t ctx = r->ctx;
    for (size_t i = 0; i < n; i++) {
        zone[i] = -1;
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        for (int z = 0; z < HS_NZONES && zone[i] < 0; z++) {
            const double *b = r->box[z];
            if (!r->prep[z] || x[i] < b[0] || y[i] < b[1] || x[i] > b[2] || y[i] > b[3])
                continue;
            GEOSGeometry *p = GEOSGeom_createPointFromXY_r(ctx, x[i], y[i]);
            char in = p ? GEOSPreparedCovers_r(ctx, r->prep[z], p) : 2;
            if (p)
                GEOSGeom_destroy_r(ctx, p);
            if (in == 2)
                return hs_fail(err, HS_ERR_GEOM, "evaluation zones: GEOS failed "
                               "on point %zu (%.2f, %.2f): %s", i + 1, x[i],
                               y[i], r->msg.text);
            if (in)
                zone[i] = (int8_t)z;
        }
    }
    return HS_OK;
}
