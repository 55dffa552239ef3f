/*
 * reportdata.h - what "hotspot report" needs from a run's GeoPackage,
 * read once with GDAL/OGR (internal; report.c draws it).
 *
 * The report covers three groups, in this order: asb, sac, violence.  The
 * vector layers areas, rates_<group>, monthly and run are required; the
 * density surfaces (kde_<group> rasters), hotspots_<group> and
 * tasking_<group> are required when the run table says the run made them
 * (parameter kde = yes and a bandwidth_<group> row), and absent otherwise.
 * gistar_<group> is read when present (runs with --gistar no, and older
 * files, have none): only its significant cells, which the maps draw;
 * emerging_<group> too, summed by category and board.
 *
 * Time of week and hotspot series, each read when present:
 *  - timeofweek (area_id, crime_group, day 1 = Monday .. 7, hour 0..23,
 *    weight): summed into tow[group][area * HS_RTOW + slot], slot =
 *    (day - 1) * 24 + hour; rows of other groups or unknown areas are
 *    skipped.  Absent for incidents with months only and under --public.
 *  - hotspot_timeofweek (hotspot_id, day, hour, weight): summed into the
 *    hotspot's tow[HS_RTOW]; rows of hotspots not in hotspots_<group> of
 *    the three groups are skipped.  Absent as timeofweek is.
 *  - hotspot_monthly (hotspot_id, month "YYYY-MM", incidents): the
 *    hotspot's monthly[] over the table's months, hm_month0 ..
 *    hm_month0 + hm_nmonths - 1, missing months 0.  Absent under --public.
 *  A day or hour outside the week, or an unreadable month, is an error
 *  naming the table.  The fields peak, peak_share, status, first_seen and
 *  months_seen of hotspots_<group> (and peak, peak_share of
 *  tasking_<group>) are optional: files of older runs lack them.
 *
 * stamp, which dates the PDFs so that one file always gives the same bytes,
 * is the run's timestamp: gpkg_contents.last_change of layer 'run', which
 * hotspot run pins (OGR_CURRENT_DATE, output.h) instead of taking the clock;
 * a missing or unreadable one gives HS_RDATA_STAMP.
 *
 * Ownership: hs_rdata_open returns a handle the caller destroys with
 * hs_rdata_destroy (NULL ok); every array and geometry belongs to it.
 */
#ifndef HOTSPOT_REPORTDATA_H
#define HOTSPOT_REPORTDATA_H

#include <stddef.h>

#include "hotspot/hs_error.h"
#include "report/draw.h" /* hs_rgeom */

#define HS_RG 3 /* report groups: asb, sac, violence */

typedef struct hs_rarea {
    char *id, *name;
    double pop, km2; /* NaN: unknown */
    hs_rgeom geom;
} hs_rarea;

typedef struct hs_rrate {
    double count, prev_count; /* prev_count -1: no comparison; sums of
                                 shares under --when with windows        */
    double change;
    double per_km2, rate, low, high, annual, study; /* NaN: none        */
    double change_pct, change_p;
    char vs[32], flag[48];
    int suppressed, prev_suppressed; /* --public: NULL in the file      */
} hs_rrate;

#define HS_RTOW 168 /* hours of the week: 7 days x 24 hours */

typedef struct hs_rhot {
    char *id, *area_id, *label; /* label may be NULL                    */
    int rank, cls;
    double incidents;
    double km2, share_pct, pai;
    char *peak;        /* "Sat 22:00-02:00"; NULL: no times            */
    double peak_share; /* % of its incidents in the peak; NaN: none    */
    char *status;      /* new, persisting, ... (--previous); NULL: none */
    char *first_seen;  /* "YYYY-MM"; NULL: none                        */
    long months_seen;  /* -1: none                                     */
    double *tow;       /* [HS_RTOW] (hotspot_timeofweek); NULL: no rows */
    double *monthly;   /* [hm_nmonths] (hotspot_monthly); NULL: no rows */
    hs_rgeom geom;
} hs_rhot;

typedef struct hs_rtask {
    char *area_id, *hotspot_id, *label; /* hotspot_id, label may be NULL */
    int priority, cls;
    double incidents;
    double km2, pai, cum_area_pct, cum_incidents_pct; /* pai NaN: none */
    char *peak;        /* as hs_rhot's; NULL: none                      */
    double peak_share; /* NaN: none                                     */
    hs_rgeom geom;
} hs_rtask;

/* A significant Gi* cell (gistar_<group> with gi_bin <> 0): its outline,
 * a square or a hexagon, and its bin -3..3. */
typedef struct hs_rcell {
    double xy[14];     /* np points, closed                             */
    int np, bin;
    char area_id[48];  /* "" when none                                  */
} hs_rcell;

typedef struct hs_rgi {
    int has;           /* the file has gistar_<group>                    */
    hs_rcell *cell;    /* the significant cells only                     */
    size_t ncell;
    long cells;        /* all cells in the layer                         */
    double cell_m, distance_m; /* from the run table; NaN: unknown      */
    int hex;           /* run parameter gi_grid = hex                    */
} hs_rgi;

/* emerging_<group>, summed: cells per category, and the boards holding
 * most of the new, consecutive, intensifying and persistent hot cells. */
#define HS_REM_TOP 3
typedef struct hs_remerging {
    int has;
    long n[17];        /* by category -8 .. 8, index category + 8        */
    long months;       /* from the layer's description; 0: unknown       */
    char top_area[HS_REM_TOP][48]; /* "" when fewer                      */
    long top_n[HS_REM_TOP];
} hs_remerging;

typedef struct hs_rsurf {
    float *v;          /* rows * cols, row 0 north                       */
    int cols, rows;
    double gt[6];      /* GDAL geotransform                              */
    double nodata;     /* NaN: none                                      */
    double breaks[16]; /* class thresholds, incidents per km²            */
    int nbreaks;
} hs_rsurf;

/* The back-test of the bandwidth a group used (backtest_<group>, rows with
 * chosen = 1): means over the months with test incidents. */
typedef struct hs_rbacktest {
    long months;       /* 0: no back-test in the file               */
    double bandwidth;  /* metres                                    */
    double hit_rate, pai, pei; /* %, index, 0..1                    */
} hs_rbacktest;

/* One row of the targets table (--targets). */
typedef struct hs_rtarget {
    char area_id[64], group[32], period[32], status[8];
    double count, prev_count, projected, target; /* NaN: none           */
} hs_rtarget;

/* One row of the priority_gap table (--priority-areas), by group. */
typedef struct hs_rgap {
    int present;
    double ratio, low, high, prev_ratio, change, change_p; /* NaN: none */
    char word[32];
} hs_rgap;

typedef struct hs_rdata {
    char *path;
    size_t nareas;
    hs_rarea *areas;
    hs_rarea **by_id;             /* the areas sorted by id              */
    hs_rrate *rates[HS_RG];       /* [nareas]                            */
    int nmonths, month0;          /* months from month0 (year*12+m-1)    */
    double *monthly[HS_RG];       /* [area * nmonths + month]; -1: suppressed */
    int shares;                   /* counts are sums of --when shares (real
                                     count fields): print one decimal    */
    int cur_from, cur_to;         /* analysis period, year*12+m-1        */
    int prev_from, prev_to;       /* comparison period; prev_from < 0: none */
    double study_pop;
    int has_surf[HS_RG];
    hs_rsurf surf[HS_RG];
    hs_rhot *hot[HS_RG];
    size_t nhot[HS_RG];
    hs_rtask *task[HS_RG];
    size_t ntask[HS_RG];
    hs_rbacktest bt[HS_RG];
    hs_rgi gi[HS_RG];             /* Gi* hot and cold spots, if any       */
    hs_remerging em[HS_RG];       /* emerging hot spots, if any           */
    int has_tow;                  /* the file has timeofweek (above)     */
    double *tow[HS_RG];           /* [area * HS_RTOW + slot]; NULL: none */
    int has_hot_tow;              /* ... hotspot_timeofweek              */
    int has_hot_monthly;          /* ... hotspot_monthly                 */
    int hm_month0, hm_nmonths;    /* its months, year*12+m-1; 0: no rows */
    hs_rhot **hot_by_id;          /* every group's hotspots, by id       */
    size_t nhot_all;
    long tow_timed;               /* run count timeofweek_timed; -1: none */
    int peak_hours;               /* hours in a peak (run parameter
                                     peak_hours, else read off the peak
                                     texts); 0: unknown                  */
    int hot_class;                /* first hotspot class (3)             */
    double task_share;            /* 0.03                                */
    long min_incidents;           /* hotspot_min_incidents (5)           */
    char method[32];              /* hotspot_method                      */
    char software[32];            /* Hotspot version that made the file  */
    char when[400];               /* --when windows; "" for all hours     */
    hs_rtarget *targets;          /* the targets table; NULL: none       */
    size_t ntargets;
    hs_rgap gap[HS_RG];           /* priority_gap, by group               */
    int has_gap;
    long public_threshold;        /* run section "public": 0 not public  */
    char stamp[24];               /* "YYYY-MM-DDTHH:MM:SSZ", UTC (above) */
} hs_rdata;

/* The date a file without a usable run timestamp gets: the one hotspot run
 * pins by default (output.h), so that its PDFs are reproducible too. */
#define HS_RDATA_STAMP "2000-01-01T00:00:00Z"

/* Group keys, short and long names, in report order. */
extern const char *const hs_rgroup_key[HS_RG];
extern const char *const hs_rgroup_short[HS_RG];
extern const char *const hs_rgroup_long[HS_RG];

/* Reads path.  Errors name the file and the layer or field. */
hs_rdata *hs_rdata_open(const char *path, hs_error *err);
void hs_rdata_destroy(hs_rdata *d);

/* Index of the area with this id, or -1. */
long hs_rdata_find_area(const hs_rdata *d, const char *id);

/* The hotspot (of any group) with this id, or NULL. */
const hs_rhot *hs_rdata_find_hot(const hs_rdata *d, const char *id);

/* Reads a peak text as the run writes it: "Sat 22:00-02:00" (the end
 * exclusive, maybe the next day) or, for 24 hours, "Sat 22:00-Sun 22:00".
 * *start is the first hour's slot ((day - 1) * 24 + hour), *hours 1..24.
 * Returns 0, or -1 when peak is NULL or not in that form. */
int hs_rdata_peak(const char *peak, int *start, int *hours);

#endif
