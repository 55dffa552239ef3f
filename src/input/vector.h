/*
 * vector.h - small helpers shared by the modules that read OGR vector
 * sources (areas, population zones, incident layers).  Internal.
 */
#ifndef HOTSPOT_VECTOR_H
#define HOTSPOT_VECTOR_H

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "hotspot/hs_error.h"

/* Registers GDAL's drivers, once per process (thread-safe).  Also turns
 * off SQLite's memory statistics - a global mutex on every allocation,
 * a sixth of the time of writing 1M GeoPackage rows (measured) - which
 * only works before the first SQLite connection in the process. */
void hs_gdal_init(void);

/* Opens path read-only as a vector source with at least one layer, quietly;
 * NULL with err naming what (e.g. "areas") and the path. */
GDALDatasetH hs_vector_open(const char *path, const char *what, hs_error *err);

/* The rows of sql (flag: the option that gave it, "--areas-sql") on ds,
 * in the source's own dialect: a result layer to give back with
 * GDALDatasetReleaseResultSet; NULL with err "WHAT 'LABEL': FLAG 'SQL'
 * failed: <GDAL's reason>" (or "gives no rows" for a statement without a
 * result). */
OGRLayerH hs_vector_sql(GDALDatasetH ds, const char *sql, const char *what,
                        const char *label, const char *flag, hs_error *err);

/*
 * A transformation from the layer's CRS to crs (axis order x = easting /
 * longitude on both sides).  *ct is NULL when none is needed: the layer is
 * already in crs, or has no CRS (then *no_srs is set, if given, so the
 * caller can warn).  Caller owns *ct (OCTDestroyCoordinateTransformation).
 */
hs_status hs_vector_transform(OGRLayerH lyr, const char *crs, const char *what,
                              const char *path,
                              OGRCoordinateTransformationH *ct, int *no_srs,
                              hs_error *err);

/* 1 if path ends with ext, ignoring case (".csv"). */
int hs_has_ext(const char *path, const char *ext);

#endif
