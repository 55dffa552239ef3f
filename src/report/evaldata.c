/* evaldata.c - reads an evaluation's GeoPackage for its page (GDAL/OGR);
 * see evaldata.h. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

#include "hotspot/hs_run.h" /* HS_MAX_GROUPS */
#include "input/incidents.h"
#include "report/evaldata.h"
#include "report/gpkgin.h"

#define MAKER "hotspot evaluate"

const char *const hs_rev_zone[HS_REV_ZONES] = {"target", "buffer", "control",
                                               "control buffer"};

void hs_reval_destroy(hs_reval *e)
{
    if (!e)
        return;
    for (int z = 0; z < HS_REV_ZONES; z++)
        hs_rgeom_free(&e->zone[z]);
    for (size_t g = 0; g < e->ngroups; g++)
        free(e->g[g].monthly);
    free(e->g);
    free(e->path);
    free(e);
}

int hs_reval_is(const char *path)
{
    return hs_gin_has_layer(path, "evaluation");
}

static int zone_of(const char *s)
{
    for (int z = 0; s && z < HS_REV_ZONES; z++)
        if (strcmp(s, hs_rev_zone[z]) == 0)
            return z;
    return -1;
}

/* The file name of a path: a report names no machine paths. */
static void base_name(const char *s, char *out, size_t n)
{
    const char *b = strrchr(s, '/');
    snprintf(out, n, "%s", b ? b + 1 : s);
}

/* "2023-01 to 2023-06" into two months; -1 when it does not read. */
static int two_months(const char *v, int out[2])
{
    char a[16], b[16];
    int32_t ma, mb;
    if (!v || sscanf(v, "%15s to %15s", a, b) != 2 ||
        hs_month_parse(a, strlen(a), &ma) != 0 ||
        hs_month_parse(b, strlen(b), &mb) != 0 || mb < ma)
        return -1;
    out[0] = ma;
    out[1] = mb;
    return 0;
}

static hs_status read_run(hs_reval *e, GDALDatasetH ds, hs_error *err)
{
    static const char *const names[] = {"section", "key", "value"};
    int fi[3], have[2] = {0, 0};
    hs_status rc;
    OGRFeatureH f;
    OGRLayerH l = hs_gin_table(ds, e->path, "run", MAKER, names, fi, 3, err);
    if (!l)
        return err ? err->code : HS_ERR_DATA;
    e->alpha = NAN;
    e->buffer_m = e->control_buffer_m = NAN;
    while ((f = OGR_L_GetNextFeature(l))) {
        const char *sec = hs_gin_str(f, fi[0]), *k = hs_gin_str(f, fi[1]),
                   *v = hs_gin_str(f, fi[2]);
        if (!sec || !k || !v) {
            OGR_F_Destroy(f);
            continue;
        }
        if (strcmp(sec, "software") == 0 && strcmp(k, "hotspot") == 0)
            snprintf(e->software, sizeof e->software, "%s", v);
        if (strcmp(sec, "parameter") != 0) {
            OGR_F_Destroy(f);
            continue;
        }
        for (int p = 0; p < 2; p++)
            if (strcmp(k, p ? "after" : "before") == 0) {
                if (two_months(v, p ? e->after : e->before)) {
                    rc = hs_fail(err, HS_ERR_DATA, "'%s' layer 'run': %s "
                                 "period '%s' does not read (want YYYY-MM to "
                                 "YYYY-MM)", e->path, k, v);
                    OGR_F_Destroy(f);
                    return rc;
                }
                have[p] = 1;
            }
        if (strcmp(k, "target") == 0)
            base_name(v, e->target, sizeof e->target);
        else if (strcmp(k, "target_from") == 0 && strcmp(v, "none") != 0)
            base_name(v, e->target_from, sizeof e->target_from);
        else if (strcmp(k, "control") == 0 &&
                 strncmp(v, "the study area", 14) != 0)
            base_name(v, e->control, sizeof e->control);
        else if (strcmp(k, "buffer_m") == 0)
            e->buffer_m = atof(v);
        else if (strcmp(k, "control_buffer_m") == 0)
            e->control_buffer_m = strcmp(v, "none") == 0 ? 0 : atof(v);
        else if (strcmp(k, "when") == 0 && strcmp(v, "all hours") != 0)
            snprintf(e->when, sizeof e->when, "%s", v);
        else if (strcmp(k, "alpha") == 0 && atof(v) > 0 && atof(v) < 1)
            e->alpha = atof(v);
        OGR_F_Destroy(f);
    }
    if ((rc = hs_gin_read_check(l, e->path, err)))
        return rc;
    if (!have[0] || !have[1])
        return hs_fail(err, HS_ERR_DATA, "'%s' layer 'run' has no %s period "
                       "(key '%s'): is it the output of " MAKER "?", e->path,
                       have[0] ? "after" : "before", have[0] ? "after" : "before");
    int lo = e->before[0] < e->after[0] ? e->before[0] : e->after[0];
    int hi = e->before[1] > e->after[1] ? e->before[1] : e->after[1];
    if (hi - lo >= 1200)
        return hs_fail(err, HS_ERR_DATA, "'%s' layer 'run': the periods span "
                       "%d months, more than a century", e->path, hi - lo + 1);
    e->month0 = lo;
    e->nmonths = hi - lo + 1;
    return HS_OK;
}

static hs_status read_zones(hs_reval *e, GDALDatasetH ds, hs_error *err)
{
    static const char *const names[] = {"zone", "area_km2"};
    int fi[2];
    hs_status rc = HS_OK;
    OGRFeatureH f;
    OGRLayerH l = hs_gin_table(ds, e->path, "zones", MAKER, names, fi, 2, err);
    if (!l)
        return err ? err->code : HS_ERR_DATA;
    while (!rc && (f = OGR_L_GetNextFeature(l))) {
        const char *zn = hs_gin_str(f, fi[0]);
        int z = zone_of(zn);
        if (z < 0)
            rc = hs_fail(err, HS_ERR_DATA, "'%s' layer 'zones': zone '%s' is "
                         "none of target, buffer, control, control buffer",
                         e->path, zn ? zn : "NULL");
        else if (e->has_zone[z])
            rc = hs_fail(err, HS_ERR_DATA, "'%s' layer 'zones': two features "
                         "of zone '%s'", e->path, zn);
        else if (!(rc = hs_rgeom_read(OGR_F_GetGeometryRef(f), &e->zone[z],
                                      err))) {
            e->has_zone[z] = e->zone[z].nrings > 0;
            e->km2[z] = hs_gin_num(f, fi[1]);
        }
        OGR_F_Destroy(f);
    }
    if (!rc)
        rc = hs_gin_read_check(l, e->path, err);
    if (!rc && (!e->has_zone[0] || !e->has_zone[2]))
        rc = hs_fail(err, HS_ERR_DATA, "'%s' layer 'zones' has no %s",
                     e->path, e->has_zone[0] ? "control" : "target");
    return rc;
}

/* The evaluation table's figures, by field: where each goes. */
static const struct {
    const char *name;
    size_t off;
} FIG[] = {{"wdd", offsetof(hs_revgroup, wdd)},
           {"wdd_se", offsetof(hs_revgroup, wdd_se)},
           {"wdd_z", offsetof(hs_revgroup, wdd_z)},
           {"wdd_low", offsetof(hs_revgroup, wdd_low)},
           {"wdd_high", offsetof(hs_revgroup, wdd_high)},
           {"wdq", offsetof(hs_revgroup, wdq)},
           {"rate_ratio", offsetof(hs_revgroup, rr)},
           {"rate_ratio_low", offsetof(hs_revgroup, rr_low)},
           {"rate_ratio_high", offsetof(hs_revgroup, rr_high)},
           {"rate_ratio_p", offsetof(hs_revgroup, rr_p)}};
enum { NFIG = sizeof FIG / sizeof *FIG, NCOUNT = HS_REV_ZONES * 2 };

/* One row: its group, counts (each a count, evaldata.h) and figures. */
static hs_status read_group(hs_reval *e, OGRFeatureH f, const int *fi,
                            const char *const *names, hs_revgroup *g,
                            hs_error *err)
{
    const char *key = hs_gin_str(f, fi[0]), *r = hs_gin_str(f, fi[1]);
    if (!key)
        return hs_fail(err, HS_ERR_DATA, "'%s' table 'evaluation' row %zu: "
                       "no crime_group", e->path, e->ngroups + 1);
    snprintf(g->key, sizeof g->key, "%s", key);
    snprintf(g->wdq_reading, sizeof g->wdq_reading, "%s", r ? r : "");
    for (int k = 0; k < NFIG; k++)
        *(double *)(void *)((char *)g + FIG[k].off) = hs_gin_num(f, fi[2 + k]);
    for (int k = 0; k < NCOUNT; k++) {
        double c = g->count[k / 2][k % 2] = hs_gin_num(f, fi[2 + NFIG + k]);
        e->shares |= c != floor(c) && isfinite(c);
        if (!(c >= 0 && c <= HS_REV_MAX_COUNT) && k < 6)
            return hs_fail(err, HS_ERR_DATA, "'%s' table 'evaluation' row %zu "
                           "(%s): field '%s' is not a count", e->path,
                           e->ngroups + 1, key, names[2 + NFIG + k]);
    }
    double *cb = g->count[3]; /* the control buffer: both counts or none */
    if (!(isnan(cb[0]) && isnan(cb[1])) &&
        !(cb[0] >= 0 && cb[0] <= HS_REV_MAX_COUNT && cb[1] >= 0 &&
          cb[1] <= HS_REV_MAX_COUNT))
        return hs_fail(err, HS_ERR_DATA, "'%s' table 'evaluation' row %zu "
                       "(%s): the control buffer's counts are not counts",
                       e->path, e->ngroups + 1, key);
    if (!(g->monthly = calloc((size_t)e->nmonths * HS_REV_ZONES + 1,
                              sizeof *g->monthly)))
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    return HS_OK;
}

static hs_status read_evaluation(hs_reval *e, GDALDatasetH ds, hs_error *err)
{
    const char *names[2 + NFIG + NCOUNT] = {"crime_group", "wdq_reading"};
    char cn[NCOUNT][40];
    int fi[2 + NFIG + NCOUNT];
    hs_status rc = HS_OK;
    OGRFeatureH f;
    for (int k = 0; k < NFIG; k++)
        names[2 + k] = FIG[k].name;
    for (int k = 0; k < NCOUNT; k++) {
        snprintf(cn[k], sizeof cn[k], "%s_%s",
                 k / 2 == 3 ? "control_buffer" : hs_rev_zone[k / 2],
                 k % 2 ? "after" : "before");
        names[2 + NFIG + k] = cn[k];
    }
    OGRLayerH l = hs_gin_table(ds, e->path, "evaluation", MAKER, names, fi,
                               2 + NFIG + NCOUNT, err);
    if (!l)
        return err ? err->code : HS_ERR_DATA;
    GIntBig n = OGR_L_GetFeatureCount(l, 1);
    if (n <= 0 || n > HS_MAX_GROUPS)
        return hs_fail(err, HS_ERR_DATA, "'%s' table 'evaluation' has %lld "
                       "rows: want one per group, 1 to %d", e->path,
                       (long long)n, HS_MAX_GROUPS);
    if (!(e->g = calloc((size_t)n, sizeof *e->g)))
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    while (!rc && e->ngroups < (size_t)n && (f = OGR_L_GetNextFeature(l))) {
        rc = read_group(e, f, fi, names, &e->g[e->ngroups], err);
        e->ngroups++; /* its monthly array, if any, is freed with it */
        OGR_F_Destroy(f);
    }
    if (rc || (rc = hs_gin_read_check(l, e->path, err)))
        return rc;
    if (e->ngroups != (size_t)n)
        return hs_fail(err, HS_ERR_DATA, "'%s' table 'evaluation': %zu of "
                       "its %lld rows read", e->path, e->ngroups,
                       (long long)n);
    /* the interval's level, when the file does not say (evaldata.h) */
    for (size_t k = 0; isnan(e->alpha) && k < e->ngroups; k++) {
        double q = (e->g[k].wdd_high - e->g[k].wdd) / e->g[k].wdd_se;
        if (isfinite(q) && q > 0)
            e->alpha = erfc(q / sqrt(2.0));
    }
    if (isnan(e->alpha))
        e->alpha = 0.1;
    return HS_OK;
}

static hs_status read_monthly(hs_reval *e, GDALDatasetH ds, hs_error *err)
{
    static const char *const names[] = {"crime_group", "month", "zone",
                                        "incidents"};
    int fi[4];
    hs_status rc = HS_OK;
    OGRFeatureH f;
    OGRLayerH l = hs_gin_table(ds, e->path, "evaluation_monthly", MAKER,
                               names, fi, 4, err);
    if (!l)
        return err ? err->code : HS_ERR_DATA;
    while (!rc && (f = OGR_L_GetNextFeature(l))) {
        const char *key = hs_gin_str(f, fi[0]), *mo = hs_gin_str(f, fi[1]),
                   *zn = hs_gin_str(f, fi[2]);
        double v = hs_gin_num(f, fi[3]);
        int32_t m;
        int z = zone_of(zn);
        size_t g = 0;
        while (key && g < e->ngroups && strcmp(e->g[g].key, key) != 0)
            g++;
        if (!key || g == e->ngroups)
            rc = hs_fail(err, HS_ERR_DATA, "'%s' table 'evaluation_monthly': "
                         "group '%s' is not in table 'evaluation'", e->path,
                         key ? key : "NULL");
        else if (!mo || hs_month_parse(mo, strlen(mo), &m) != 0 ||
                 m < e->month0 || m >= e->month0 + e->nmonths)
            rc = hs_fail(err, HS_ERR_DATA, "'%s' table 'evaluation_monthly': "
                         "month '%s' is not a month of the periods", e->path,
                         mo ? mo : "NULL");
        else if (z < 0)
            rc = hs_fail(err, HS_ERR_DATA, "'%s' table 'evaluation_monthly': "
                         "zone '%s' is none of target, buffer, control, "
                         "control buffer", e->path, zn ? zn : "NULL");
        else if (!(v >= 0 && v <= HS_REV_MAX_COUNT))
            rc = hs_fail(err, HS_ERR_DATA, "'%s' table 'evaluation_monthly': "
                         "incidents %g in %s of group '%s' is not a count",
                         e->path, v, mo, key);
        else
            e->g[g].monthly[(size_t)z * (size_t)e->nmonths +
                            (size_t)(m - e->month0)] += v;
        OGR_F_Destroy(f);
    }
    return rc ? rc : hs_gin_read_check(l, e->path, err);
}

hs_reval *hs_reval_open(const char *path, hs_error *err)
{
    hs_reval *e = calloc(1, sizeof *e);
    GDALDatasetH ds = NULL;
    hs_status rc = HS_OK;
    if (!e || !(e->path = strdup(path))) {
        hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
        hs_reval_destroy(e);
        return NULL;
    }
    CPLPushErrorHandler(CPLQuietErrorHandler); /* the library never prints */
    if (!(ds = hs_gin_open(path, err)))
        rc = err ? err->code : HS_ERR_DATA;
    if (!rc && !(rc = read_run(e, ds, err)) && !(rc = read_zones(e, ds, err)) &&
        !(rc = read_evaluation(e, ds, err)))
        rc = read_monthly(e, ds, err);
    if (ds) {
        if (!rc)
            hs_gin_stamp(ds, "run", HS_REVAL_STAMP, e->stamp);
        GDALClose(ds);
    }
    CPLPopErrorHandler();
    if (rc) {
        hs_reval_destroy(e);
        return NULL;
    }
    return e;
}
