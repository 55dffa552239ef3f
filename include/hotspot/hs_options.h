/*
 * hs_options.h - everything a run can be told, from flags or a profile.
 *
 * Every option has one name, used both as the long flag (--name) and as the
 * key in an INI profile (name = value), so a profile is just the flags
 * written down.  Flags given on the command line override the profile.
 * Input paths in a profile are relative to the profile's folder.
 *
 * Ownership: hs_options owns its strings; hs_options_free releases them.
 */
#ifndef HOTSPOT_HS_OPTIONS_H
#define HOTSPOT_HS_OPTIONS_H

#include <stddef.h>

#include "hotspot/hs_error.h"

typedef struct hs_options {
    char **incidents;      /* files, folders, globs or PG: sources       */
    size_t n_incidents;
    char *incidents_sql;   /* the rows of a database / GIS source       */
    char *categories;      /* category mapping CSV                      */
    char *areas;           /* area polygons (any OGR source)            */
    char *areas_layer;
    char *areas_sql;       /* the rows of the --areas source            */
    char *area_id;
    char *area_name;
    char *population;      /* field on the areas, table CSV, or zones   */
    char *population_id;   /* table: id column (name or 1-based number) */
    char *population_value;/* table/zones: population column            */
    char *x, *y;           /* generic incidents: coordinate columns     */
    char *incidents_crs;
    char *category, *date, *time, *weight, *location;
    char *id;              /* generic incidents: unique crime reference */
    char *duplicates;      /* last | first | keep                       */
    char *crs;             /* analysis CRS (EPSG:27700)                 */
    char *from, *to;       /* YYYY-MM                                   */
    char *period;          /* a name instead of from/to: fy2024, 2024q1,
                              fy2024-ytd (input/periods.h)              */
    char *compare;         /* previous-year | previous-period | none    */
    char *groups;          /* comma-separated group names               */
    char *assign;          /* point | lsoa-code                         */
    char *output;          /* .gpkg, or PG:... (a PostGIS database)     */
    char *schema;          /* PG output: the schema the run replaces     */
    char *incidents_layer; /* yes | no: write the incident points       */
    char *kde;             /* yes | no: density surfaces and hotspots   */
    char *kernel;          /* quartic, triangular, uniform, ...         */
    char *bandwidth;       /* metres, auto, knn:K                       */
    char *cell;            /* metres                                    */
    char *kde_mask;        /* yes | no                                  */
    char *kde_units;       /* km2 | cell                                */
    char *hotspot_method;  /* mean-multiple | mean-sd                   */
    char *hotspot_breaks;  /* "1,2,3,4,5"                               */
    char *hotspot_class;   /* 1-based class from which cells are hot    */
    char *hotspot_min_incidents; /* fewer: the hotspot is dropped (5)   */
    char *kde_edge;        /* clip | buffer                             */
    char *backtest_train;  /* months of training per window (3)         */
    char *backtest_windows;/* windows, the last that fit (12)           */
    char *backtest_bandwidths; /* candidate ladder, metres, increasing  */
    char *tasking_share;   /* share of each board, 0.03                 */
    char *gistar;          /* yes | no: Gi* hot and cold spots          */
    char *gi_grid;         /* square | hex                              */
    char *gi_cell;         /* metres | auto                             */
    char *gi_distance;     /* metres | auto                             */
    char *gi_permutations; /* 999                                       */
    char *gi_seed;         /* 12345                                     */
    char *gi_fdr;          /* yes | no                                  */
    char *emerging;        /* yes | no: emerging hot spots              */
    char *emerging_permutations; /* 199                                 */
    char *lisa;            /* yes | no: local Moran of the areas        */
    char *lisa_permutations; /* 999                                     */
    char *when;            /* windows of the week, "Thu-Sat 18:00-04:00" */
    char *start_time, *end_time; /* generic incidents: date-time columns
                              of the earliest start and latest end       */
    char *peak_hours;      /* hours in a hotspot's peak window (4)      */
    char *previous;        /* a previous run's GeoPackage: hotspot lineage */
    char *extent;          /* hotspot kde: "xmin,ymin,xmax,ymax"        */
    char *compress;        /* hotspot kde: GeoTIFF none|deflate|lzw|zstd */
    char *target;          /* hotspot evaluate: polygon file, area ids, or
                              a hotspot id of --target-from              */
    char *target_from;     /* hotspot evaluate: a run's GeoPackage       */
    char *buffer;          /* hotspot evaluate: displacement ring, metres */
    char *control;         /* hotspot evaluate: polygon file or area ids  */
    char *control_buffer;  /* hotspot evaluate: the control's ring, m    */
    char *before, *after;  /* hotspot evaluate: periods, FROM:TO         */
    char *alpha;           /* hotspot evaluate: 1 - interval level (0.1)  */
    char *targets;         /* targets CSV: area_id, crime_group, period,
                              target                                    */
    char *rag_amber;       /* % above a target still amber (5)          */
    char *priority_areas;  /* area ids: the gap between them and the rest */
    char *priority_field;  /* or a field of the areas marking them       */
    char *public_;         /* yes | no: release-safe output ("public")  */
    char *public_threshold;/* counts under this are suppressed (10)     */
    char *public_exclude;  /* crime types or groups left out            */
} hs_options;

/* One option, for help texts. */
typedef struct hs_option_info {
    const char *name;    /* flag without "--" and profile key */
    const char *metavar; /* "PATH...", "FIELD"                */
    const char *help;
    const char *dflt;    /* default, or NULL                  */
} hs_option_info;

void hs_options_init(hs_options *o);
void hs_options_free(hs_options *o);

/* All options, in help order; *n gets the count. */
const hs_option_info *hs_options_table(size_t *n);

/* Sets option key (without dashes) to value.  base_dir (may be NULL)
 * resolves relative input paths.  "incidents" appends.  HS_ERR_ARG for an
 * unknown key. */
hs_status hs_options_set(hs_options *o, const char *key, const char *value,
                         const char *base_dir, hs_error *err);

/* Clears the incident list (flags replace the profile's list). */
void hs_options_clear_incidents(hs_options *o);

/* Reads an INI profile: "key = value" lines, optionally under a [hotspot]
 * section; '#' or ';' comments.  Errors name the file and line. */
hs_status hs_options_load_profile(hs_options *o, const char *path,
                                  hs_error *err);

#endif
