/*
 * dest.h - where a run's output goes: a GeoPackage file (output.h) or a
 * PostGIS schema (postgis.h), behind one set of calls, so the job builds
 * its layers, styles and project once for both (internal).
 *
 * The rules, exactly:
 *  - "PG:..." (any case) is a PostGIS database, written into --schema;
 *    anything else is a GeoPackage path.  --schema without a PG: output
 *    is an error (it would be ignored).
 *  - Layers, rows, rasters and the spatial-index switch go to the one
 *    writer as they come.
 *  - Styles: the GeoPackage gets its layer_styles table (as QGIS creates
 *    it through OGR, registered in gpkg_contents as 'attributes') at the
 *    first style; PostGIS keeps them for the commit (postgis.h).  The
 *    project: the GeoPackage's qgis_projects (the .qgz as hex text, as
 *    QGIS stores it there), PostGIS's NAME.qgis_projects.
 *  - Data sources in the project: a GeoPackage's layers relative to it
 *    ("./NAME.gpkg|layername=T", rasters "GPKG:./NAME.gpkg:T", providers
 *    ogr and gdal), so the file and its .qgz can move together; PostGIS
 *    layers by connection keywords and "schema"."table" (postgis.h).
 *
 * Ownership: the caller owns the hs_dest (hs_dest_destroy, NULL ok; no
 * commit: nothing is left); layers are borrowed from it.
 */
#ifndef HOTSPOT_DEST_H
#define HOTSPOT_DEST_H

#include <stddef.h>

#include "hotspot/hs_error.h"
#include "output/output.h"

typedef struct hs_dest hs_dest;
typedef struct hs_dest_layer hs_dest_layer;

/* output: a .gpkg path or "PG:..."; schema: PostGIS only (else NULL).
 * timestamp as hs_gpkg_create's. */
hs_dest *hs_dest_create(const char *output, const char *schema,
                        const char *timestamp, hs_error *err);
void hs_dest_destroy(hs_dest *d);

/* 1 for a PostGIS output. */
int hs_dest_is_db(const hs_dest *d);

/* 1 if rasters can be written (a GeoPackage always; PostGIS with
 * postgis_raster). */
int hs_dest_has_rasters(const hs_dest *d);

/* The output for people: the path, or the database (no password) and
 * schema. */
const char *hs_dest_label(const hs_dest *d);

hs_dest_layer *hs_dest_add_layer(hs_dest *d, const char *name,
                                 const char *description, hs_geom_kind kind,
                                 const char *srs, const hs_field *fields,
                                 size_t nfields, hs_error *err);
void hs_dest_set_spatial_index(hs_dest *d, int on);
hs_status hs_dest_layer_add(hs_dest_layer *l, double x, double y,
                            const unsigned char *wkb, size_t wkb_len,
                            const hs_value *vals, hs_error *err);
/* A GeoPackage's hs_gpkg_checkpoint; nothing for PostGIS (its rows are
 * streamed already). */
hs_status hs_dest_checkpoint(hs_dest *d, hs_error *err);
hs_status hs_dest_add_raster(hs_dest *d, const char *name,
                             const hs_raster_spec *r, const float *values,
                             hs_error *err);

/* One layer_styles row (see above). */
hs_status hs_dest_style(hs_dest *d, const hs_style_row *s, hs_error *err);

/* The QGIS project called name (.qgz bytes). */
hs_status hs_dest_project(hs_dest *d, const char *name,
                          const unsigned char *qgz, size_t len, hs_error *err);

/* A table's data source and provider as the project names them (see
 * above); *source malloc'd. */
hs_status hs_dest_source(const hs_dest *d, const char *table, int raster,
                         const char **provider, char **source, hs_error *err);

/* Where QGIS opens the project called name: NULL for a GeoPackage (the
 * file and its .qgz), else the postgresql:// URI; malloc'd. */
char *hs_dest_project_uri(const hs_dest *d, const char *name);

/* Commits (atomically, as each writer does).  After a failure nothing
 * of the run is left and the previous output is intact. */
hs_status hs_dest_commit(hs_dest *d, hs_error *err);

#endif
