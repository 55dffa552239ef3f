/* evaldata.c - reads an evaluation's GeoPackage for its page (GDAL/OGR);
 * see evaldata.h. */
#include <math.h>
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
    OGRLayerH l = hs_gin_layer(ds, e->path, "run", MAKER, err);
    if (!l)
        return HS_ERR_DATA;
    if ((rc = hs_gin_fields(l, e->path, names, fi, 3, err)))
        return rc;
    e->alpha = NAN;
    e->buffer_m = e->control_buffer_m = NAN;
    CPLErrorReset();
    OGR_L_ResetReading(l);
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
    OGRLayerH l = hs_gin_layer(ds, e->path, "zones", MAKER, err);
    if (!l)
        return HS_ERR_DATA;
    if ((rc = hs_gin_fields(l, e->path, names, fi, 2, err)))
        return rc;
    CPLErrorReset();
    OGR_L_ResetReading(l);
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

static hs_status read_evaluation(hs_reval *e, GDALDatasetH ds, hs_error *err)
{
    static const char *const names[] = {
        "crime_group", "wdd", "wdd_se", "wdd_z", "wdd_low", "wdd_high", "wdq",
        "wdq_reading", "rate_ratio", "rate_ratio_low", "rate_ratio_high",
        "rate_ratio_p"};
    enum { NF = sizeof names / sizeof *names };
    int fi[NF], zi[HS_REV_ZONES][2];
    char cn[HS_REV_ZONES][2][40];
    const char *cp[HS_REV_ZONES * 2];
    hs_status rc;
    OGRFeatureH f;
    OGRLayerH l = hs_gin_layer(ds, e->path, "evaluation", MAKER, err);
    if (!l)
        return HS_ERR_DATA;
    for (int z = 0; z < HS_REV_ZONES; z++)
        for (int p = 0; p < 2; p++) {
            snprintf(cn[z][p], sizeof cn[z][p], "%s_%s",
                     z == 3 ? "control_buffer" : hs_rev_zone[z],
                     p ? "after" : "before");
            cp[z * 2 + p] = cn[z][p];
        }
    if ((rc = hs_gin_fields(l, e->path, names, fi, NF, err)) ||
        (rc = hs_gin_fields(l, e->path, cp, &zi[0][0], 2 * HS_REV_ZONES, err)))
        return rc;
    GIntBig n = OGR_L_GetFeatureCount(l, 1);
    if (n <= 0 || n > HS_MAX_GROUPS)
        return hs_fail(err, HS_ERR_DATA, "'%s' table 'evaluation' has %lld "
                       "rows: want one per group, 1 to %d", e->path,
                       (long long)n, HS_MAX_GROUPS);
    if (!(e->g = calloc((size_t)n, sizeof *e->g)))
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    CPLErrorReset();
    OGR_L_ResetReading(l);
    while (!rc && e->ngroups < (size_t)n && (f = OGR_L_GetNextFeature(l))) {
        hs_revgroup *g = &e->g[e->ngroups];
        const char *key = hs_gin_str(f, fi[0]);
        snprintf(g->key, sizeof g->key, "%s", key ? key : "?");
        for (int z = 0; z < HS_REV_ZONES; z++)
            for (int p = 0; p < 2; p++) {
                g->count[z][p] = hs_gin_num(f, zi[z][p]);
                double c = g->count[z][p];
                if (!isnan(c) && c != floor(c))
                    e->shares = 1;
            }
        g->wdd = hs_gin_num(f, fi[1]);
        g->wdd_se = hs_gin_num(f, fi[2]);
        g->wdd_z = hs_gin_num(f, fi[3]);
        g->wdd_low = hs_gin_num(f, fi[4]);
        g->wdd_high = hs_gin_num(f, fi[5]);
        g->wdq = hs_gin_num(f, fi[6]);
        const char *r = hs_gin_str(f, fi[7]);
        snprintf(g->wdq_reading, sizeof g->wdq_reading, "%s", r ? r : "");
        g->rr = hs_gin_num(f, fi[8]);
        g->rr_low = hs_gin_num(f, fi[9]);
        g->rr_high = hs_gin_num(f, fi[10]);
        g->rr_p = hs_gin_num(f, fi[11]);
        int bad = -1; /* a count that is no count of incidents */
        for (int z = 0; z < HS_REV_ZONES && bad < 0; z++)
            for (int p = 0; p < 2; p++) {
                double c = g->count[z][p];
                if (!(c >= 0 && c <= HS_REV_MAX_COUNT) &&
                    !(z == 3 && isnan(g->count[3][0]) && isnan(g->count[3][1])))
                    bad = z * 2 + p;
            }
        if (!key || bad >= 0)
            rc = hs_fail(err, HS_ERR_DATA, "'%s' table 'evaluation' row %zu: "
                         "%s%s%s", e->path, e->ngroups + 1,
                         key ? "field '" : "no crime_group",
                         key ? cp[bad] : "", key ? "' is not a count" : "");
        else if (!(g->monthly = calloc((size_t)e->nmonths * HS_REV_ZONES + 1,
                                       sizeof *g->monthly)))
            rc = hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
        e->ngroups++;
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
    hs_status rc;
    OGRFeatureH f;
    OGRLayerH l = hs_gin_layer(ds, e->path, "evaluation_monthly", MAKER, err);
    if (!l)
        return HS_ERR_DATA;
    if ((rc = hs_gin_fields(l, e->path, names, fi, 4, err)))
        return rc;
    CPLErrorReset();
    OGR_L_ResetReading(l);
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
