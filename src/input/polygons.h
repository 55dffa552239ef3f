/*
 * polygons.h - the polygons of a file named on the command line for an
 * evaluation (a target or a control; a run's hotspot is read with
 * previous.h) (internal).
 *
 * The rules, exactly:
 *  - A file (hs_polygons_read): any OGR vector source; its first layer
 *    (or `layer`), every feature with a Polygon or MultiPolygon geometry,
 *    reprojected to the analysis CRS (a layer without a CRS is taken to
 *    be in it, with *no_srs set so the caller can warn).  A feature
 *    without a geometry, or with another type, is an error naming the
 *    file and feature: a target is drawn on purpose, so nothing is
 *    skipped quietly.  A layer with no polygon is an error.
 * Output: ISO WKB (little endian) of each polygon.
 *
 * Ownership: *wkb and *len are malloc'd arrays of malloc'd buffers, freed
 * with hs_polygons_free(wkb, len, n).
 */
#ifndef HOTSPOT_POLYGONS_H
#define HOTSPOT_POLYGONS_H

#include <stddef.h>

#include "hotspot/hs_error.h"

hs_status hs_polygons_read(const char *path, const char *layer,
                           const char *crs, const char *what,
                           unsigned char ***wkb, size_t **len, size_t *n,
                           int *no_srs, hs_error *err);

void hs_polygons_free(unsigned char **wkb, size_t *len, size_t n);

#endif
