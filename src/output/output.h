/*
 * output.h - GeoPackage writer with an atomic commit (internal; GDAL only).
 *
 * hs_gpkg_create() writes to a temporary file beside the final path; only
 * hs_gpkg_commit() closes it and renames it over the final name, so a
 * failed or killed run never leaves a half-written file under the final
 * name and never harms the previous output.  hs_gpkg_destroy() without a
 * commit deletes the temporary file.  A killed run cannot, so create also
 * removes temporary files of the same output whose process is gone.
 *
 * Output is reproducible: GeoPackage timestamps are pinned (OGR_CURRENT_DATE)
 * to the value given at create, so the same inputs give the same content.
 *
 * Ownership: the caller owns the hs_gpkg; layers are borrowed from it and
 * die with it.  Strings passed in are copied or used only during the call.
 */
#ifndef HOTSPOT_OUTPUT_H
#define HOTSPOT_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "hotspot/hs_error.h"

typedef struct hs_gpkg hs_gpkg;
typedef struct hs_layer hs_layer;

typedef enum hs_field_type {
    HS_FIELD_INT,   /* 32-bit integer */
    HS_FIELD_INT64, /* 64-bit integer */
    HS_FIELD_REAL,  /* double         */
    HS_FIELD_TEXT   /* UTF-8 string   */
} hs_field_type;

typedef struct hs_field {
    const char *name;
    hs_field_type type;
} hs_field;

/* One attribute value; is_null makes it NULL whatever the type. */
typedef struct hs_value {
    int is_null;
    int64_t i;     /* HS_FIELD_INT, HS_FIELD_INT64 */
    double d;      /* HS_FIELD_REAL                 */
    const char *s; /* HS_FIELD_TEXT (NULL = NULL)   */
} hs_value;

typedef enum hs_geom_kind {
    HS_GEOM_NONE,        /* attribute table (registered as 'attributes') */
    HS_GEOM_POINT,
    HS_GEOM_MULTIPOLYGON /* polygons are promoted to multipolygons       */
} hs_geom_kind;

/*
 * Starts a new GeoPackage that will become final_path on commit.  Fails
 * (HS_ERR_IO) if the folder is missing or not writable, or if final_path
 * exists and is not a GeoPackage (nothing the user had is overwritten unless
 * it is a GeoPackage).  timestamp: "YYYY-MM-DDTHH:MM:SSZ" pinned into the
 * file, or NULL for "2000-01-01T00:00:00Z".
 */
hs_gpkg *hs_gpkg_create(const char *final_path, const char *timestamp,
                        hs_error *err);

/*
 * Adds a layer.  srs: anything OSRSetFromUserInput takes ("EPSG:27700"),
 * ignored for HS_GEOM_NONE.  description goes to gpkg_contents.  The field
 * list is copied.  NULL on failure.
 */
hs_layer *hs_gpkg_add_layer(hs_gpkg *g, const char *name,
                            const char *description, hs_geom_kind kind,
                            const char *srs, const hs_field *fields,
                            size_t nfields, hs_error *err);

/* Whether layers added from now on get an R-tree spatial index (default:
 * yes).  GDAL 3.6 inserts into the R-tree row by row, about 10 s per
 * million points, so the caller may turn it off for very large layers. */
void hs_gpkg_set_spatial_index(hs_gpkg *g, int on);

/* The envelope (minx, maxx, miny, maxy) of little-endian ISO WKB of a 2D
 * Polygon or MultiPolygon of Polygons in w[0..n), every byte accounted
 * for and every coordinate finite, and whether it is multi: 0; -1 for
 * anything else.  Polygon rows
 * are written from it (tests/fuzz/fuzz_wkb.c compares it with GDAL). */
int hs_wkb_poly_envelope(const unsigned char *w, size_t n, int *multi,
                         double env[4]);

/* The same WKB as a 2D MultiPolygon (a Polygon wrapped; anything else
 * GDAL can read as polygons converted, as the OGR path would, else
 * HS_ERR_GEOM naming layer): *out is wkb itself when it already is one of
 * the two (then *multi says which), or a malloc'd conversion (*conv set,
 * the caller frees it; *multi 1); env is its envelope (minx, maxx, miny,
 * maxy).  Shared by the GeoPackage and PostGIS writers. */
hs_status hs_wkb_multipolygon(const char *layer, const unsigned char *wkb,
                              size_t len, const unsigned char **out,
                              size_t *out_len, unsigned char **conv,
                              int *multi, double env[4], hs_error *err);

/* One row of QGIS's layer_styles: a layer's style (QML for QGIS, SLD
 * for other GIS).  Strings are borrowed for the call. */
typedef struct hs_style_row {
    const char *table;       /* f_table_name                            */
    int raster;              /* a raster's style: no geometry column     */
    const char *name;        /* styleName                               */
    const char *qml, *sld;
    int is_default;          /* useAsDefault: QGIS applies it on load    */
    const char *description;
} hs_style_row;

/* Appends one feature.  vals has one entry per field given at add_layer.
 * Geometry: for HS_GEOM_POINT pass x, y (wkb NULL); for multipolygon
 * layers pass ISO WKB of a Polygon or MultiPolygon; ignored for NONE. */
hs_status hs_layer_add(hs_layer *l, double x, double y,
                       const unsigned char *wkb, size_t wkb_len,
                       const hs_value *vals, hs_error *err);

/* A north-up grid: lower-left corner (x0, y0), square cells; values are
 * row-major with row 0 the north row. */
typedef struct hs_raster_spec {
    double x0, y0, cell;
    size_t cols, rows;
    const char *srs;         /* "EPSG:27700"                               */
    const char *description; /* for gpkg_contents                          */
    const char *field_name;  /* what a value is, e.g. "density"            */
    const char *uom;         /* unit, e.g. "incidents/km2"                 */
    double nodata;           /* value marking cells outside (NaN: none)    */
    const char *compress;    /* GeoTIFF only: GDAL COMPRESS value, e.g.
                                "NONE"; NULL: DEFLATE                      */
} hs_raster_spec;

/*
 * Adds a Float32 raster table (GeoPackage tiled gridded coverage, TIFF
 * tiles: values are stored exactly as float).  The vector dataset is closed
 * and reopened around it, so layer handles obtained before this call are
 * no longer usable: add vector layers first, or get them again.
 */
hs_status hs_gpkg_add_raster(hs_gpkg *g, const char *name,
                             const hs_raster_spec *r, const float *values,
                             hs_error *err);

/*
 * Writes values as a single-band Float32 GeoTIFF (tiled; DEFLATE unless
 * r->compress says otherwise; floating-point predictor), through
 * a temporary file renamed onto path, so a failure leaves any previous
 * file intact.  An existing path that is not a GeoTIFF is not overwritten.
 */
hs_status hs_geotiff_write(const char *path, const hs_raster_spec *r,
                           const float *values, hs_error *err);

/*
 * The same by rows, for values still being computed: open creates the
 * temporary file (checks as above); put_rows writes every row of tiles
 * whose rows are all in [0, rows_done) and not yet written (values is the
 * whole grid); commit writes the rest, closes, syncs and renames onto
 * path.  Destroy (always) removes the temporary if not committed.  Calls
 * on one writer may come from different threads, one at a time.
 */
typedef struct hs_geotiff hs_geotiff;
hs_geotiff *hs_geotiff_open(const char *path, const hs_raster_spec *r,
                            hs_error *err);
hs_status hs_geotiff_put_rows(hs_geotiff *t, const float *values,
                              size_t rows_done, hs_error *err);
hs_status hs_geotiff_commit(hs_geotiff *t, const float *values, hs_error *err);
void hs_geotiff_destroy(hs_geotiff *t);

/*
 * Commits what has been added so far (the file stays the hidden temporary)
 * and starts writing it to disk in the background, so that the commit has
 * less to wait for: for a thread that has written a big layer while the
 * caller computes the rest.  Layers stay open for more rows.
 */
hs_status hs_gpkg_checkpoint(hs_gpkg *g, hs_error *err);

/* Runs one SQL statement on the open file (e.g. for layer_styles). */
hs_status hs_gpkg_exec(hs_gpkg *g, const char *sql, hs_error *err);

/* Finishes writing, closes and renames onto final_path.  After a failed
 * commit the temporary file is removed and the previous output is intact.
 * Either way the writer must still be destroyed. */
hs_status hs_gpkg_commit(hs_gpkg *g, hs_error *err);

/* Destroys; removes the temporary file if not committed.  NULL: no-op. */
void hs_gpkg_destroy(hs_gpkg *g);

#endif
