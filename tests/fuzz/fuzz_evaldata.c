/* fuzz_evaldata.c - an evaluation's GeoPackage (hotspot report EVAL.gpkg)
 * through hs_reval_open, GDAL reading it: the run table's periods, the
 * zones' polygons, the evaluation table's counts and tests, the monthly
 * series; and, when it reads, the page drawn from it (any NaN, infinity,
 * odd reading or polygon).  Properties: an error has a message; a file
 * that reads has 1 to HS_MAX_GROUPS groups, 1 to 1200 months holding both
 * periods, alpha in (0, 1), a target and a control, and draws one page. */
#include "fuzz.h"

#include "hotspot/hotspot.h"
#include "hotspot/hs_report.h"
#include "input/vector.h"
#include "report/evaldata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    hs_error err = {0};
    hs_gdal_init();
    if (!once++) /* fontconfig's caches, freed at exit for the leak check */
        atexit(hs_report_cleanup);
    const char *path = fz_file(data, size, "evaluation.gpkg");
    hs_reval *e = hs_reval_open(path, &err);
    if (!e) {
        fz_check_msg(err.msg, sizeof err.msg);
        return 0;
    }
    if (e->ngroups < 1 || e->ngroups > HS_MAX_GROUPS || e->nmonths < 1 ||
        e->nmonths > 1200 || !(e->alpha > 0 && e->alpha < 1) ||
        !e->has_zone[0] || !e->has_zone[2] ||
        e->before[0] < e->month0 || e->after[0] < e->month0 ||
        e->before[1] >= e->month0 + e->nmonths ||
        e->after[1] >= e->month0 + e->nmonths ||
        !memchr(e->stamp, '\0', sizeof e->stamp))
        abort();
    for (size_t g = 0; g < e->ngroups; g++)
        if (!e->g[g].monthly)
            abort();
    hs_reval_destroy(e);
    /* the page: into the harness's own folder, then gone */
    char dir[320];
    snprintf(dir, sizeof dir, "%s/pdf", fz_dir);
    hs_report_options o = {path, dir, NULL};
    hs_report_summary sum;
    if (hs_report_evaluation(&o, NULL, &sum, &err) != HS_OK) {
        fz_check_msg(err.msg, sizeof err.msg);
        abort(); /* it read above: only the drawing could fail */
    }
    unlink(sum.evaluation);
    rmdir(dir);
    return 0;
}
