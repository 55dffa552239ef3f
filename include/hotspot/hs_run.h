/*
 * hs_run.h - the main job: incidents and areas in, a GeoPackage of
 * per-area rates with intervals and change out.
 *
 * Ownership: the caller owns options and summary; hs_run reads the options
 * and fills the summary.
 */
#ifndef HOTSPOT_HS_RUN_H
#define HOTSPOT_HS_RUN_H

#include "hotspot/hs_error.h"
#include "hotspot/hs_options.h"

#define HS_MAX_GROUPS 32

/* One crime group.  count and prev_count are study_rate's numerators, so
 * they leave out areas without a population (all of them when no area has
 * one); incidents and prev_incidents count every area.  Counts are whole
 * numbers unless --when counts windows by their shares (then sums). */
typedef struct hs_group_summary {
    char name[32];
    double count;      /* in areas with a population, in the period */
    double prev_count; /* same, comparison period (-1: none)        */
    double study_rate; /* per 1,000 residents in the period (NaN: no
                        * area has a population)                    */
    int higher, lower; /* areas significantly above / below         */
    double bandwidth;  /* metres; 0: no density surface             */
    long hotspots;     /* hotspot polygons                          */
    double incidents;  /* in any area, with or without a population,
                        * in the period                             */
    double prev_incidents; /* same, comparison period (-1: none)    */
    /* the back-test of the bandwidth used: windows with test incidents
     * (0: none) and the mean hit rate (%), PAI and PEI over them        */
    long backtest_windows;
    double backtest_hit_rate, backtest_pai, backtest_pei;
    double tasking_share;  /* the budget: share of the study area     */
    /* --priority-areas: their rate over the rest's, now and in the
     * comparison period (NaN: none), and the gap's change ("" without) */
    double gap_ratio, gap_prev_ratio;
    char gap[32];
} hs_group_summary;

typedef struct hs_summary {
    char output[4096];     /* the file, or the database (no password)
                              and schema                                */
    char project[1024];    /* a database output: where QGIS opens the
                              project (Project > Open From > PostgreSQL);
                              "" for a file (it is beside it, .qgz)     */
    char period[32];       /* "2024-01 to 2024-12"                      */
    char compare[32];      /* "2023-01 to 2023-12" or "none"            */
    long files, rows_read, rows_kept, rows_skipped;
    long rows_duplicate;   /* of rows_skipped: identical files, repeated
                              force-months and crime references        */
    long no_location, unknown_type, outside_areas, outside_period;
    long in_period, assigned;
    long areas, areas_no_population;
    double population;
    size_t ngroups;
    hs_group_summary group[HS_MAX_GROUPS];
    /* wall-clock seconds: areas, incidents, assignment, rates, density
     * surfaces and hotspots, output */
    double seconds[6];
    double backtest_seconds; /* of seconds[4]: the back-tests            */
    double gistar_seconds;   /* Gi* and emerging, beside the surfaces    */
} hs_summary;

/* The folder of the bundled data (categories.csv, demo.ini, demo/), in
 * this order:
 *  1. $HOTSPOT_DATA, when set and not empty;
 *  2. PREFIX/share/hotspot, when the executable is PREFIX/bin/hotspot (the
 *     installed layout; found through /proc/self/exe, symlinks resolved,
 *     so a moved or relocated install still finds its data);
 *  3. share/hotspot in the executable's own folder (the build tree: CMake
 *     links build/share/hotspot to the source's data/).
 * The first of 2 and 3 that holds categories.csv; with neither, 2's path,
 * so that "cannot open" names where the data should be.  No path is
 * compiled in.  The string is static (or the environment's); do not free. */
const char *hs_data_dir(void);

/* What "hotspot kde" made. */
typedef struct hs_kde_summary {
    char output[4096];
    long rows_read, points; /* incidents read; with a location and used */
    double bandwidth;       /* metres                                     */
    char rule[96];          /* how the bandwidth was chosen               */
    double x0, y0, cell;    /* grid: lower-left corner, cell size         */
    size_t cols, rows;
    double sum;             /* sum of densities x cell area (incidents)   */
    /* --public: cells reaching fewer than public_min incidents (within the
     * kernel's radius) written as nodata; incidents of --public-exclude
     * types left out.  public_min 0: not public. */
    long public_min, blanked, excluded;
    double seconds;
    /* wall-clock seconds: reading, bandwidth and grid, density (a GeoTIFF
     * is written meanwhile, rows of tiles as they are final, except with
     * --public), finishing the file (a GeoPackage: all of its writing) */
    double stage[4];
} hs_kde_summary;

/*
 * "hotspot kde": one density surface from any incident source, written as
 * a GeoTIFF (.tif) or a GeoPackage raster (.gpkg, table "kde").  Uses the
 * incident, kernel, bandwidth, cell, extent, crs, groups (optional filter,
 * needs the category mapping), from/to (optional filter), kde_units and
 * output options.
 */
hs_status hs_kde_run(const hs_options *o, const hs_log *log,
                     hs_kde_summary *sum, hs_error *err);

/* What "hotspot evaluate" found, per group and zone (regions.h: target,
 * buffer, control, control buffer) and period (before, after): incidents
 * (sums of --when shares with windows). */
typedef struct hs_eval_summary {
    char output[4096];
    char before[24], after[24];    /* "2024-01 to 2024-06"            */
    double km2[4];                 /* each zone's area; 0: absent     */
    size_t ngroups;
    struct {
        char name[32];
        double count[4][2];        /* [zone][before, after]           */
        /* WDD's total change (incidents a month: before and after are
         * weighted by their months), its interval (1 - alpha) and z; the
         * WDQ (NaN: undefined) and its reading; the target's change over
         * the control's as a ratio, with Fisher's exact p */
        double wdd, wdd_low, wdd_high, wdd_z, wdq, rate_ratio, rate_ratio_p;
        char wdq_reading[96];
    } group[HS_MAX_GROUPS];
    double alpha;
} hs_eval_summary;

/*
 * "hotspot evaluate": incidents in a target, its buffer and a control
 * before and after an intervention, written to a GeoPackage.  Uses the
 * incident and area options, groups, when, target, target_from, buffer,
 * control, control_buffer, before, after, alpha and output.
 */
hs_status hs_evaluate(const hs_options *o, const hs_log *log,
                      hs_eval_summary *sum, hs_error *err);

/* Runs the job described by o; warnings go to log. */
hs_status hs_run(const hs_options *o, const hs_log *log, hs_summary *sum,
                 hs_error *err);

#endif
