/*
 * evaldata.h - what the evaluation page needs from the GeoPackage that
 * "hotspot evaluate" wrote (internal; read with GDAL/OGR by evaldata.c,
 * drawn by evalreport.c).
 *
 * Layers, all required: zones (MultiPolygon; zone = "target", "buffer",
 * "control" or "control buffer"; area_km2), evaluation (one row per
 * group: crime_group, the zones' counts before and after, wdd, wdd_se,
 * wdd_z, wdd_low, wdd_high, wdq, wdq_reading, rate_ratio, rate_ratio_low,
 * rate_ratio_high, rate_ratio_p), evaluation_monthly (crime_group, month
 * "YYYY-MM", zone, incidents) and run (section, key, value: the periods
 * "before" and "after" as "YYYY-MM to YYYY-MM" are required; target,
 * target_from, control, buffer_m, control_buffer_m, when and alpha are
 * read when present).
 *
 *  - Zones absent from the file (no control buffer) have no rings and NaN
 *    counts.  Every other count, in both tables, is a number from 0 to
 *    HS_REV_MAX_COUNT (sums of --when's shares have fractions): a NULL, a
 *    negative or an infinite one is an error naming the table and field.  A zone named otherwise, a month that does not read, a row of
 *    a group the evaluation table lacks, a period that does not read: an
 *    error naming the file, table and value.
 *  - alpha: the run's "alpha" row; files without it (before the row was
 *    written) get it from WDD's interval and z, alpha = erfc(|k| / sqrt 2)
 *    with k = (wdd_high - wdd) / wdd_se, the normal quantile the interval
 *    used; 0.1 when nothing says.
 *  - shares: 1 when some count is not whole (sums of --when's shares).
 *  - The monthly series run over every month from the first of both
 *    periods to the last of both (the months between them included);
 *    months without a row are 0.
 *  - stamp: gpkg_contents.last_change of 'run' (the PDF's date, so that one
 *    file always gives the same bytes), HS_REVAL_STAMP when unreadable.
 *  - Paths in run rows (a polygon file as the target or control, the run
 *    the target came from) are cut to their file name: a report names no
 *    machine paths.
 *
 * Ownership: hs_reval_open returns a handle the caller frees with
 * hs_reval_destroy (NULL ok); every array and geometry belongs to it.
 */
#ifndef HOTSPOT_EVALDATA_H
#define HOTSPOT_EVALDATA_H

#include <stddef.h>

#include "hotspot/hs_error.h"
#include "report/draw.h" /* hs_rgeom */

#define HS_REV_ZONES 4 /* target, buffer, control, control buffer */
#define HS_REVAL_STAMP "2000-01-01T00:00:00Z"
#define HS_REV_MAX_COUNT 1e12 /* a count beyond is no count of incidents */

extern const char *const hs_rev_zone[HS_REV_ZONES];

typedef struct hs_revgroup {
    char key[64];                  /* crime_group                         */
    double count[HS_REV_ZONES][2]; /* [zone][before, after]; NaN: absent  */
    double wdd, wdd_se, wdd_z, wdd_low, wdd_high; /* incidents a month     */
    double wdq;                    /* NaN: undefined                      */
    char wdq_reading[160];
    double rr, rr_low, rr_high, rr_p;
    double *monthly;               /* [zone * nmonths + m]                */
} hs_revgroup;

typedef struct hs_reval {
    char *path;
    hs_rgeom zone[HS_REV_ZONES];   /* no rings: absent                    */
    int has_zone[HS_REV_ZONES];
    double km2[HS_REV_ZONES];
    size_t ngroups;
    hs_revgroup *g;
    int before[2], after[2];       /* first, last month (year*12+m-1)     */
    int month0, nmonths;           /* the monthly series                  */
    double alpha;                  /* WDD's interval is 1 - alpha         */
    int shares;
    char target[256];              /* as given: ids, hotspot id or file   */
    char target_from[256];         /* the run's file name; "" none        */
    char control[256];             /* "" the study area outside ...       */
    double buffer_m, control_buffer_m; /* NaN: not in the file; 0: none   */
    char when[400];                /* "" all hours                        */
    char software[32];
    char stamp[24];
} hs_reval;

/* 1 when path is a GeoPackage with an "evaluation" table (what hotspot
 * evaluate writes), so hotspot report draws the evaluation page. */
int hs_reval_is(const char *path);

/* Reads path.  HS_ERR_IO: cannot read; HS_ERR_DATA: not an evaluation's
 * GeoPackage (errors name the file, layer and field or value). */
hs_reval *hs_reval_open(const char *path, hs_error *err);
void hs_reval_destroy(hs_reval *e);

#endif
