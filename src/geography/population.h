/*
 * population.h - giving areas their resident population (internal).
 *
 * Three sources: a field on the areas (read by hs_areas_load), a table
 * joined on the area id, or small zones (LSOA-like polygons with a
 * population) assigned best-fit: each zone wholly to the area containing
 * its interior point, as ONS does for statistics on non-nesting areas.
 */
#ifndef HOTSPOT_POPULATION_H
#define HOTSPOT_POPULATION_H

#include "geography/areas.h"
#include "hotspot/hs_error.h"

typedef struct hs_pop_report {
    long rows;      /* table rows or zones read                         */
    long matched;   /* rows/zones that gave an area population          */
    long unmatched; /* rows whose id is no area / zones outside areas   */
    long bad;       /* rows/zones with an unusable population value     */
} hs_pop_report;

typedef enum hs_pop_kind {
    HS_POP_FIELD, /* a field on the areas          */
    HS_POP_TABLE, /* a CSV joined on the area id   */
    HS_POP_ZONES  /* small zones with population   */
} hs_pop_kind;

/* What --population names: an existing .csv/.txt file is a table, another
 * existing file a zone layer, anything else a field on the areas. */
hs_pop_kind hs_population_kind(const char *arg);

/*
 * Joins a table: id_col and value_col are column names (the file then has
 * a header), 1-based column numbers, or NULL for columns 1 and 2 (a header
 * row is then detected by its value not being a number).  Areas absent
 * from the table keep an unknown population.  Fails if no row matches an
 * area, or an id appears twice.
 */
hs_status hs_population_from_table(hs_areas *a, const char *path,
                                   const char *id_col, const char *value_col,
                                   hs_pop_report *rep, const hs_log *log,
                                   hs_error *err);

/* Best-fits zones (any OGR polygon source; value_field holds population;
 * crs is the analysis CRS).  Areas that get no zone keep an unknown
 * population. */
hs_status hs_population_from_zones(hs_areas *a, const char *path,
                                   const char *value_field, const char *crs,
                                   hs_pop_report *rep, const hs_log *log,
                                   hs_error *err);

#endif
