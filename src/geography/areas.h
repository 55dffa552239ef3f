/*
 * areas.h - area polygons, their spatial index and point assignment
 * (internal; GDAL reads them, GEOS tests them).
 *
 * Areas are read from any OGR polygon source, reprojected to the analysis
 * CRS, repaired when invalid (with a warning naming the feature), checked
 * for overlaps (reported), and sorted by id.  A point is assigned to the
 * area whose polygon covers it (boundary included); a point on a shared
 * boundary, or in an overlap, goes to the covering area with the smallest
 * id, so every run gives the same answer whatever the input order.
 *
 * Ownership: caller owns the hs_areas (hs_areas_destroy, NULL ok); strings
 * and WKB returned are owned by it.
 */
#ifndef HOTSPOT_AREAS_H
#define HOTSPOT_AREAS_H

#include <stddef.h>
#include <stdint.h>

#include "hotspot/hs_error.h"

typedef struct hs_areas_opts {
    const char *path;       /* any OGR source, "PG:..." included; messages
                               name it without its password (pgsource.h) */
    const char *layer;      /* NULL: the first layer (a database: its
                               tables= table, else the first listed)      */
    const char *id_field;   /* required                                    */
    const char *name_field; /* NULL: names are the ids                     */
    const char *pop_field;  /* NULL: no population on the areas            */
    const char *crs;        /* analysis CRS                                */
    const char *flag_field; /* NULL: none; else its text kept per area     */
    const char *sql;        /* the rows of this SQL instead of a layer
                               (not with layer); NULL: none                */
} hs_areas_opts;

typedef struct hs_areas hs_areas;

hs_areas *hs_areas_load(const hs_areas_opts *o, const hs_log *log,
                        hs_error *err);
void hs_areas_destroy(hs_areas *a);

size_t hs_areas_count(const hs_areas *a);
const char *hs_areas_id(const hs_areas *a, size_t i);
const char *hs_areas_name(const hs_areas *a, size_t i);
double hs_areas_km2(const hs_areas *a, size_t i);
/* Population, NaN when unknown. */
double hs_areas_population(const hs_areas *a, size_t i);
void hs_areas_set_population(hs_areas *a, size_t i, double pop);
/* The text of flag_field (hs_areas_opts) of area i; NULL when the field
 * is NULL or unset (or no flag_field was read). */
const char *hs_areas_flag(const hs_areas *a, size_t i);
/* The source's feature id of area i, for messages. */
long hs_areas_feature(const hs_areas *a, size_t i);
/* ISO WKB of the (repaired) polygon in the analysis CRS. */
const unsigned char *hs_areas_wkb(const hs_areas *a, size_t i, size_t *len);
/* Index of the area with this id, or -1. */
int hs_areas_find(const hs_areas *a, const char *id);
/* Number of overlapping pairs found at load. */
long hs_areas_overlaps(const hs_areas *a);
/* Bounding box of all areas. */
void hs_areas_extent(const hs_areas *a, double *xmin, double *ymin,
                     double *xmax, double *ymax);

/* Area index covering (x, y), or -1 if none (or x is NaN). */
int hs_areas_locate(const hs_areas *a, double x, double y);

/*
 * Builds a lookup grid that settles most points without GEOS (worth it from
 * about 100k points: it takes ~0.15 s for 8M cells).  Optional; does not
 * change any answer.  Not thread-safe with hs_areas_assign on the same
 * areas; hs_areas_locate never uses it.
 */
hs_status hs_areas_index(hs_areas *a, hs_error *err);

/* area[i] = hs_areas_locate(x[i], y[i]) for n points, using all cores and
 * the lookup grid if hs_areas_index was called. */
hs_status hs_areas_assign(const hs_areas *a, const double *x, const double *y,
                          size_t n, int32_t *area, hs_error *err);

/*
 * Labels the cells of a north-up grid (lower-left corner x0, y0; row 0 is
 * the north row) with the index of the area covering each cell centre
 * (the smallest index where areas overlap), or -1.  labels has cols * rows
 * entries, filled here.
 */
hs_status hs_areas_rasterize(const hs_areas *a, double x0, double y0,
                             double cell, size_t cols, size_t rows,
                             int32_t *labels, hs_error *err);

#endif
