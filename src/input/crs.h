/*
 * crs.h - coordinate transformation (internal; PROJ only here).
 *
 * Points are always x = easting / longitude, y = northing / latitude
 * (PROJ's "visualization order"), whatever the CRS's official axis order.
 *
 * Ownership: caller owns the hs_transform (hs_transform_destroy, NULL ok).
 * One transform must not be used by two threads at once.
 */
#ifndef HOTSPOT_CRS_H
#define HOTSPOT_CRS_H

#include <stddef.h>

#include "hotspot/hs_error.h"

typedef struct hs_transform hs_transform;

/* A transform from src to dst (anything PROJ accepts: "EPSG:4326",
 * WKT, PROJ strings).  HS_ERR_CRS naming the CRS when one cannot be
 * resolved. */
hs_transform *hs_transform_create(const char *src, const char *dst,
                                  hs_error *err);
void hs_transform_destroy(hs_transform *t);

/* Transforms n points in place.  Points that cannot be transformed (or are
 * NaN on input) come out as NaN; never fails for a single bad point. */
void hs_transform_xy(hs_transform *t, double *x, double *y, size_t n);

/* "Inverse of British National Grid + OSGB36 to WGS 84 (6) ..." - the
 * operation PROJ chose, for the run table. */
const char *hs_transform_describe(const hs_transform *t);

/* 1 if the CRS is geographic (degrees), 0 if projected, -1 if it cannot be
 * resolved (err set). */
int hs_crs_is_geographic(const char *crs, hs_error *err);

/* 1 if a and b name the same CRS (so no transform is needed). */
int hs_crs_same(const char *a, const char *b);

#endif
