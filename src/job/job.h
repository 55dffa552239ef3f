/*
 * job.h - the state of one "hotspot run", shared by run.c (reading,
 * assigning, computing, and calling the writers in turn), layers.c (the
 * GeoPackage's layers) and styles.c (their styles and the QGIS project).
 * Internal.  The writers never call back into run.c (src/README.md).
 */
#ifndef HOTSPOT_JOB_H
#define HOTSPOT_JOB_H

#include <pthread.h>
#include <stddef.h>

#include "analysis/aggregate.h"
#include "analysis/backtest.h"
#include "analysis/emerging.h"
#include "analysis/gistar.h"
#include "analysis/lisa.h"
#include "input/previous.h"
#include "input/targetfile.h"
#include "input/when.h"
#include "analysis/privacy.h"
#include "analysis/surfaces.h"
#include "core/defaults.h"
#include "core/ticker.h"
#include "geography/areas.h"
#include "geography/population.h"
#include "hotspot/hotspot.h"
#include "input/categories.h"
#include "input/incidents.h"
#include "input/ingest.h"
#include "output/dest.h"

/* Everything one run holds; freed in one place. */
/* A hotspot's lineage (--previous): status name, first month seen, runs
 * seen in. */
typedef struct hs_hot_line {
    const char *status;  /* static: "new", "persisting", ...              */
    int32_t first_seen;
    int months_seen;
} hs_hot_line;

typedef struct job {
    const hs_options *o;
    const hs_log *log;
    hs_categories *cats;
    hs_incidents *inc;
    hs_ingest *ing;
    hs_areas *areas;
    hs_rates *rates;
    hs_dest *out;        /* the GeoPackage or PostGIS schema written */
    hs_dest_layer *run;
    char **files;
    size_t nfiles;
    int groups[HS_MAX_GROUPS];
    size_t ngroups;
    hs_agg_opts agg;
    hs_agg_report agg_rep;
    hs_pop_report pop_rep;
    hs_pop_kind pop_kind;
    const char *crs;
    int evaluation; /* hotspot evaluate's job (evalstep.c): its layers  */
    double extent[4]; /* the QGIS project's view without areas (evaluate:
                         the zones): xmin, ymin, xmax, ymax           */
    int by_lsoa;
    int write_points;
    int kde;
    int kde_edge;   /* --kde-edge buffer: outside incidents add density */
    hs_surface_opts sopt;
    int by_backtest; /* --bandwidth backtest: the candidate chosen      */
    hs_backtest_opts bopt;
    hs_backtest bt[HS_MAX_GROUPS]; /* backtest_<group>, for the bandwidth
                                      used or every candidate             */
    int has_bt[HS_MAX_GROUPS];
    double bt_seconds; /* the back-tests' own time                      */
    double gi_seconds; /* Gi*'s                                         */
    hs_kde_grid bt_grid; /* theirs: the areas' extent, the run's cell    */
    hs_surface surf[HS_MAX_GROUPS];
    int has_surf[HS_MAX_GROUPS];
    /* Surfaces pass from the thread computing them to the one writing the
     * file: surf[g] and has_surf[g] are final once surf_ready > g (all of
     * them when it reaches ngroups, failure included). */
    pthread_mutex_t surf_lock;
    pthread_cond_t surf_cond;
    size_t surf_ready;
    /* Likewise the statistics, in two steps a group: gi[g], gi_grid[g],
     * gi_area[g] and has_gi[g] are final once gi_ready > 2 g, em[g] and
     * has_em[g] once gi_ready > 2 g + 1 (under surf_lock). */
    size_t gi_ready;
    /* And local Moran's: li[g] and has_lisa[g] (every group) once
     * lisa_ready is 1 (under surf_lock). */
    size_t lisa_ready;
    double spacing; /* median distance between distinct incident locations */
    size_t distinct;
    hs_privacy *priv; /* --public: suppression marks; NULL otherwise     */
    int gistar;        /* --gistar yes                                    */
    double gi_cell;    /* --gi-cell metres; 0: auto                       */
    hs_gi_opts gopt;
    hs_gi gi[HS_MAX_GROUPS];
    hs_grid_geom gi_grid[HS_MAX_GROUPS];
    int32_t *gi_area[HS_MAX_GROUPS]; /* each kept cell's study area      */
    char gi_cell_rule[HS_MAX_GROUPS][160];
    int has_gi[HS_MAX_GROUPS];
    int emerging;      /* --emerging yes                                  */
    hs_emerging_opts eopt;
    hs_emerging em[HS_MAX_GROUPS]; /* on gi[g]'s cells, months of the period */
    int has_em[HS_MAX_GROUPS];
    hs_when when;      /* --when: the windows (n = 0: none)              */
    long when_outside, when_no_time; /* incidents it left out           */
    uint16_t *when_inside; /* its minutes of the week (when.h), when the
                              incidents have windows; NULL otherwise   */
    double when_shares;    /* their shares' sum (incidents inside)    */
    long when_partial;     /* incidents partly inside                  */
    int has_tow;       /* the timeofweek table was written               */
    hs_targets *targets; /* --targets (progress.c), NULL: none          */
    double rag_amber;  /* --rag-amber: % above a target that is amber   */
    int has_targets;   /* the targets table was written                 */
    unsigned char *priority; /* --priority-areas: per area, 1 if one     */
    struct {
        double ratio, prev_ratio, change_p; /* NaN: none                 */
        char word[32];                       /* narrowed, widened, ...    */
    } gap[HS_MAX_GROUPS];
    int has_priority;  /* the priority_gap table was written            */
    int lisa;          /* --lisa yes                                      */
    hs_lisa_opts lopt;
    hs_nb nb;          /* the areas' queen neighbours, for local Moran    */
    hs_lisa li[HS_MAX_GROUPS];
    int has_lisa[HS_MAX_GROUPS];
    int peak_hours;    /* --peak-hours                                   */
    int has_hot_tow, has_hot_monthly; /* hotspot_timeofweek, _monthly written */
    /* hs_job_series's: each group's weights by hour of the week per
     * hotspot (tow_h) and tasking place (tow_t), per hotspot and month of
     * the data (mon_h, months m0 .. m0 + nm - 1), and its timed incidents */
    double *tow_h[HS_MAX_GROUPS], *mon_h[HS_MAX_GROUPS], *tow_t[HS_MAX_GROUPS];
    long timed[HS_MAX_GROUPS];
    int32_t m0;
    size_t nm;
    hs_previous *prev[HS_MAX_GROUPS]; /* --previous: its hotspots; NULL: none */
    long last_id[HS_MAX_GROUPS]; /* the highest hotspot number issued     */
    hs_hot_line *lin[HS_MAX_GROUPS]; /* --previous: per hotspot; NULL: none */
    /* progress (core/ticker.h): the command's ticker and its stages, all
     * NULL without a progress callback (every call then does nothing) */
    hs_ticker *ticker;
    struct {
        hs_tick *areas, *incidents, *assignment, *rates, *lisa, *backtest,
            *density, *gistar, *emerging, *writing, *zones, *counting;
    } tk;
} job;

/* A group's table name: prefix + group, '-' and ' ' made '_' (used by the
 * layers and by the styles and project, which must name the same tables). */
void hs_layer_name(char *buf, size_t n, const char *prefix, const char *g);

/* inputs.c: the incidents (--incidents and their columns, --when) into
 * j->inc and j->ing, warnings for what was skipped (a file is a unit of
 * j->tk.incidents); the areas (--areas,
 * --population) into j->areas.  Both use j->o, j->crs, j->log, j->cats
 * (and j->when, parsed); errors name the file, line and field. */
hs_status hs_job_read_incidents(job *j, hs_error *err);
hs_status hs_job_read_areas(job *j, hs_error *err);
/* --groups into j->groups (j->cats loaded). */
hs_status hs_job_parse_groups(job *j, hs_error *err);

/* progress.c: --targets read and checked against the groups and areas
 * (an unknown one names the file, line and field), --rag-amber; then the
 * targets table (analysis/targets.h) from the assigned incidents. */
hs_status hs_job_check_targets(job *j, hs_error *err);
hs_status hs_job_write_targets(job *j, hs_error *err);
/* --priority-areas: the ids checked; then the priority_gap table. */
hs_status hs_job_check_priority(job *j, hs_error *err);
hs_status hs_job_write_priority(job *j, hs_error *err);

/* Writes the run's other vector layers into j->gpkg, after
 * hs_job_write_points, hs_job_write_early, hs_job_write_lisa,
 * hs_job_write_gistar and hs_job_write_raster have written theirs;
 * hs_styles_write follows.  Each of the HS_JOB_WRITE_STEPS steps of these
 * (a layer or a few tables) adds one to j->tk.writing. */
#define HS_JOB_WRITE_STEPS 11
hs_status hs_job_write(job *j, hs_error *err);

/* Every surfaced group's hotspot and tasking series (j->tow_h etc.; the
 * job frees them), from the surfaces and incidents only: on the run's
 * thread while the writer thread writes the last raster (they were
 * 0.1 s of hs_job_write at 1M incidents). */
hs_status hs_job_series(job *j, hs_error *err);

/* The layers of what is known before the surfaces and statistics (areas,
 * rates_<group>, monthly): on the writer thread after the points, so that
 * the end of the run does not wait for them (0.15 s at 1M incidents). */
hs_status hs_job_write_early(job *j, hs_error *err);

/* lisa_<group>, on the same thread, once local Moran's I is final. */
hs_status hs_job_write_lisa(job *j, hs_error *err);

/* The incidents layer, if the job writes one: called before hs_job_write,
 * on a thread of its own while the surfaces are computed (it only reads
 * the store, areas and mapping, which nothing changes by then). */
hs_status hs_job_write_points(job *j, hs_error *err);

/* Group g's density raster, if it has a surface: on the same thread, after
 * the points, as each surface is ready; every group's before
 * hs_job_write. */
hs_status hs_job_write_raster(job *j, size_t g, hs_error *err);

/* Group g's gistar_ layer, and its emerging_ layer, if it has them: on
 * the same thread, the first as the group's Gi* is final, the second as
 * its emerging hot spots are; every group's before hs_job_write. */
hs_status hs_job_write_gistar(job *j, size_t g, hs_error *err);
hs_status hs_job_write_emerging(job *j, size_t g, hs_error *err);

#endif
