/*
 * postgis.h - a run's layers, rasters, styles and QGIS project written
 * into one PostGIS schema, atomically (internal; libpq).
 *
 * The rules, exactly:
 *  - Target: a "PG:..." connection string (input/pgsource.h) and a
 *    schema NAME.  Everything happens in one transaction on one
 *    connection: the layers go into a fresh schema NAME__new_<backend
 *    pid> (unique on the server while the run lives); at commit the
 *    previous NAME (if any) is renamed to NAME__old_<pid>, the new one
 *    renamed to NAME, the old one dropped, the layer_styles rows replaced
 *    and the project written, and only then COMMIT.  A run that fails or
 *    is killed (its connection drops) is rolled back by the server: the
 *    previous schema and its styles stay exactly as they were, and
 *    nothing of the new one is left.  Runs on the same NAME are
 *    serialised at the swap by an advisory lock.
 *  - NAME must be a Hotspot output to be replaced: a schema that exists
 *    without the comment "Hotspot output ..." (which every run sets) is
 *    refused at create and again at commit, so `--schema public` cannot
 *    drop a database's tables.  NAME is at most 47 bytes (the temporary
 *    names must fit PostgreSQL's 63) and does not start with pg_.
 *  - Tables as the GeoPackage's: fid integer primary key (1, 2, ... in
 *    the order rows were added), geom geometry(Point|MultiPolygon, srid)
 *    (srid: the layer's CRS's EPSG code, which must be in
 *    spatial_ref_sys), then the fields: integer, bigint, double
 *    precision, text.  The description is the table's comment.  Rows go
 *    in by COPY in binary form; primary keys and GiST indexes (for the
 *    layers that would get an R-tree in a GeoPackage) are built after the
 *    rows, at commit.
 *  - Rasters (the density surfaces) are PostGIS rasters (postgis_raster):
 *    table NAME (rid integer primary key, rast raster), one 256 x 256
 *    Float32 tile a row, row-major from the north-west, edge tiles padded
 *    with nodata (as raster2pgsql -P), AddRasterConstraints and a GiST
 *    index on ST_ConvexHull(rast), so raster_columns lists them and QGIS
 *    opens them.  A database without postgis_raster cannot take them:
 *    hs_pg_out_has_rasters says so before the run computes anything.
 *  - Styles: QGIS's layer_styles table, where QGIS looks for it (the
 *    first schema of the search path: public), created as QGIS 3.22
 *    creates it when missing (the type column added when an older QGIS
 *    made it without).  At commit the rows a previous Hotspot run wrote
 *    for NAME (description "Hotspot ...") are deleted and the new ones
 *    inserted: f_table_catalog current_database(), f_table_schema NAME,
 *    f_geometry_column geom (rast for a raster's style), type vector or
 *    raster, owner current_user, update_time the commit's.  Rows anyone
 *    else saved are left alone.
 *  - Project: NAME.qgis_projects (name TEXT PRIMARY KEY, metadata JSONB,
 *    content BYTEA), as QGIS creates it: the .qgz bytes, metadata
 *    {"last_modified_time", "last_modified_user"}.
 *  - Data sources for the project (hs_pg_out_source) name the layers in
 *    NAME with the connection's keywords as given (service, host, port,
 *    dbname, user, sslmode; never the password).
 *
 * Ownership: the caller owns the writer (hs_pg_out_destroy, NULL ok;
 * without a commit it rolls everything back); layers are borrowed from
 * it.  Strings and values passed in are copied or used during the call.
 * One thread at a time.
 */
#ifndef HOTSPOT_POSTGIS_H
#define HOTSPOT_POSTGIS_H

#include <stddef.h>

#include "hotspot/hs_error.h"
#include "output/output.h"

typedef struct hs_pg_out hs_pg_out;
typedef struct hs_pg_layer hs_pg_layer;

/* Connects, checks PostGIS and NAME (see above), begins the transaction
 * and creates the temporary schema.  NULL with err set. */
hs_pg_out *hs_pg_out_create(const char *target, const char *schema,
                            hs_error *err);
void hs_pg_out_destroy(hs_pg_out *w);

/* 1 if the database has postgis_raster (rasters can be written). */
int hs_pg_out_has_rasters(const hs_pg_out *w);

/* "PG:dbname=... schema NAME" (no password), for messages. */
const char *hs_pg_out_label(const hs_pg_out *w);

/* As hs_gpkg_add_layer, hs_gpkg_set_spatial_index and hs_layer_add. */
hs_pg_layer *hs_pg_out_add_layer(hs_pg_out *w, const char *name,
                                 const char *description, hs_geom_kind kind,
                                 const char *srs, const hs_field *fields,
                                 size_t nfields, hs_error *err);
void hs_pg_out_set_spatial_index(hs_pg_out *w, int on);
hs_status hs_pg_layer_add(hs_pg_layer *l, double x, double y,
                          const unsigned char *wkb, size_t wkb_len,
                          const hs_value *vals, hs_error *err);

/* As hs_gpkg_add_raster (see above for the tiles). */
hs_status hs_pg_out_add_raster(hs_pg_out *w, const char *name,
                               const hs_raster_spec *r, const float *values,
                               hs_error *err);

/* Keeps a layer_styles row for the commit. */
hs_status hs_pg_out_style(hs_pg_out *w, const hs_style_row *s, hs_error *err);

/* Keeps the project (.qgz bytes) called name for the commit. */
hs_status hs_pg_out_project(hs_pg_out *w, const char *name,
                            const unsigned char *qgz, size_t len,
                            hs_error *err);

/* The QGIS data source of table (added before) and its provider
 * ("postgres", "postgresraster"), malloc'd into *source; NULL provider
 * and HS_ERR_ARG for an unknown table. */
hs_status hs_pg_out_source(const hs_pg_out *w, const char *table,
                           const char **provider, char **source,
                           hs_error *err);

/* Where QGIS opens the project: "postgresql://...&schema=NAME&project=
 * hotspot" (Project > Open From > PostgreSQL); malloc'd. */
char *hs_pg_out_project_uri(const hs_pg_out *w, const char *name);

/* Indexes, the swap, styles and project, COMMIT (see above).  After a
 * failure nothing is changed in the database. */
hs_status hs_pg_out_commit(hs_pg_out *w, hs_error *err);

#endif
