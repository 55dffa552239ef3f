/* crs.c - coordinate transformation with PROJ (see crs.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proj.h>

#include "input/crs.h"

struct hs_transform {
    PJ_CONTEXT *ctx;
    PJ *pj;
    char desc[512];
};

void hs_transform_destroy(hs_transform *t)
{
    if (!t)
        return;
    if (t->pj)
        proj_destroy(t->pj);
    if (t->ctx)
        proj_context_destroy(t->ctx);
    free(t);
}

hs_transform *hs_transform_create(const char *src, const char *dst,
                                  hs_error *err)
{
    hs_transform *t = calloc(1, sizeof *t);
    PJ *a = NULL, *b = NULL, *pj = NULL;
    if (!t) {
        hs_fail(err, HS_ERR_NOMEM, "transform: out of memory");
        return NULL;
    }
    t->ctx = proj_context_create();
    proj_log_level(t->ctx, PJ_LOG_NONE);
    a = proj_create(t->ctx, src);
    if (!a) {
        hs_fail(err, HS_ERR_CRS, "cannot resolve CRS '%s'", src);
        goto fail;
    }
    b = proj_create(t->ctx, dst);
    if (!b) {
        hs_fail(err, HS_ERR_CRS, "cannot resolve CRS '%s'", dst);
        goto fail;
    }
    pj = proj_create_crs_to_crs_from_pj(t->ctx, a, b, NULL, NULL);
    if (!pj) {
        hs_fail(err, HS_ERR_CRS, "no transformation from '%s' to '%s'", src,
                dst);
        goto fail;
    }
    t->pj = proj_normalize_for_visualization(t->ctx, pj);
    proj_destroy(pj);
    if (!t->pj) {
        hs_fail(err, HS_ERR_CRS, "no transformation from '%s' to '%s'", src,
                dst);
        goto fail;
    }
    PJ_PROJ_INFO info = proj_pj_info(t->pj);
    snprintf(t->desc, sizeof t->desc, "%s",
             info.description ? info.description : "?");
    proj_destroy(a);
    proj_destroy(b);
    return t;
fail:
    if (a)
        proj_destroy(a);
    if (b)
        proj_destroy(b);
    hs_transform_destroy(t);
    return NULL;
}

void hs_transform_xy(hs_transform *t, double *x, double *y, size_t n)
{
    size_t first = 0;
    while (first < n && (isnan(x[first]) || isnan(y[first])))
        first++;
    PJ_COORD probe = proj_coord(first < n ? x[first] : 0,
                                first < n ? y[first] : 0, 0, 0);
    proj_trans_generic(t->pj, PJ_FWD, x, sizeof *x, n, y, sizeof *y, n,
                       NULL, 0, 0, NULL, 0, 0);
    for (size_t i = 0; i < n; i++) /* PROJ flags failures with HUGE_VAL */
        if (!isfinite(x[i]) || !isfinite(y[i]) || fabs(x[i]) > 1e30)
            x[i] = y[i] = NAN;
    /* crs_to_crs may choose among several operations per point, and
     * proj_trans_generic does not record which: transform one point again
     * with proj_trans to name the operation in the run table */
    if (first < n) {
        proj_trans(t->pj, PJ_FWD, probe);
        PJ *op = proj_trans_get_last_used_operation(t->pj);
        if (op) {
            PJ_PROJ_INFO info = proj_pj_info(op);
            if (info.description)
                snprintf(t->desc, sizeof t->desc, "%s", info.description);
            proj_destroy(op);
        }
    }
    proj_errno_reset(t->pj);
}

const char *hs_transform_describe(const hs_transform *t) { return t->desc; }

int hs_crs_is_geographic(const char *crs, hs_error *err)
{
    PJ_CONTEXT *ctx = proj_context_create();
    proj_log_level(ctx, PJ_LOG_NONE);
    PJ *p = proj_create(ctx, crs);
    int r = -1;
    if (!p) {
        hs_fail(err, HS_ERR_CRS, "cannot resolve CRS '%s'", crs);
    } else {
        PJ_TYPE ty = proj_get_type(p);
        r = (ty == PJ_TYPE_GEOGRAPHIC_2D_CRS ||
             ty == PJ_TYPE_GEOGRAPHIC_3D_CRS);
        proj_destroy(p);
    }
    proj_context_destroy(ctx);
    return r;
}

int hs_crs_same(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return 1;
    PJ_CONTEXT *ctx = proj_context_create();
    proj_log_level(ctx, PJ_LOG_NONE);
    PJ *pa = proj_create(ctx, a), *pb = proj_create(ctx, b);
    int r = pa && pb &&
            proj_is_equivalent_to(pa, pb, PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS);
    if (pa)
        proj_destroy(pa);
    if (pb)
        proj_destroy(pb);
    proj_context_destroy(ctx);
    return r;
}
