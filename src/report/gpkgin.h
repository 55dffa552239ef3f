/*
 * gpkgin.h - reading the GeoPackages the report draws (internal; GDAL/OGR):
 * opening one read-only, layers and fields with errors that name them,
 * field values with NULL as NaN, polygons as ring lists to draw, and the
 * date a file was written.  reportdata.c reads a run's file with it,
 * evaldata.c an evaluation's.
 *
 * Ownership: hs_gin_open returns a dataset the caller closes (GDALClose);
 * layers, features and strings returned are GDAL's, borrowed as GDAL says
 * (a string until the feature is destroyed).  hs_rgeom_read fills a
 * geometry the caller frees with hs_rgeom_free.
 */
#ifndef HOTSPOT_GPKGIN_H
#define HOTSPOT_GPKGIN_H

#include <gdal.h>
#include <ogr_api.h>

#include "hotspot/hs_error.h"
#include "report/draw.h" /* hs_rgeom */

/* path read-only, as a GeoPackage only (GDAL's quiet error handler should
 * be pushed by the caller: the library never prints).  HS_ERR_IO when the
 * file cannot be read, HS_ERR_DATA when it is not a GeoPackage. */
GDALDatasetH hs_gin_open(const char *path, hs_error *err);

/* 1 when path is a readable GeoPackage with a table or layer called name. */
int hs_gin_has_layer(const char *path, const char *name);

/* Layer name of ds, or NULL with HS_ERR_DATA: "'path' has no layer 'name':
 * is it the output of <maker>?". */
OGRLayerH hs_gin_layer(GDALDatasetH ds, const char *path, const char *name,
                       const char *maker, hs_error *err);

/* hs_gin_layer and hs_gin_fields at once, the layer reset for reading and
 * GDAL's last error cleared (for hs_gin_read_check); NULL with err set. */
OGRLayerH hs_gin_table(GDALDatasetH ds, const char *path, const char *name,
                       const char *maker, const char *const *names, int *idx,
                       int n, hs_error *err);

/* Field indexes of names[0..n-1] in l, or HS_ERR_DATA naming the field. */
hs_status hs_gin_fields(OGRLayerH l, const char *path,
                        const char *const *names, int *idx, int n,
                        hs_error *err);

/* After reading l to its end: HS_ERR_DATA naming the file and layer when
 * GDAL failed on the way (a damaged file ends a layer early), else HS_OK.
 * Call CPLErrorReset() before the reading. */
hs_status hs_gin_read_check(OGRLayerH l, const char *path, hs_error *err);

/* Field indexes of optional fields: -1 for those l lacks. */
void hs_gin_opt_fields(OGRLayerH l, const char *const *names, int *idx, int n);

/* A field's value: NaN or NULL when it is null or (i < 0) absent.  The
 * text is borrowed from f (valid while f lives) and read from text fields
 * only: NULL for a field of another type. */
double hs_gin_num(OGRFeatureH f, int i);
const char *hs_gin_str(OGRFeatureH f, int i);

/* Rings of a (multi)polygon, flattened for drawing; a point inside for a
 * label.  An empty or missing geometry gives no rings. */
hs_status hs_rgeom_read(OGRGeometryH g, hs_rgeom *out, hs_error *err);
void hs_rgeom_free(hs_rgeom *g);

/* gpkg_contents.last_change of table into out as "YYYY-MM-DDTHH:MM:SSZ";
 * dflt when missing or unreadable.  SQLite's strftime reads what
 * GeoPackage stores ("...SS.sssZ", or an offset) and writes it without the
 * fraction, which cairo 1.16 would reject, dropping the date silently. */
void hs_gin_stamp(GDALDatasetH ds, const char *table, const char *dflt,
                  char out[24]);

#endif
