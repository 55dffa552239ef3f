/* dest.c - a run's output: GeoPackage or PostGIS (see dest.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "input/pgsource.h"
#include "output/dest.h"
#include "output/postgis.h"

/* Pinned like the GeoPackage's own timestamps (output.h), so the same
 * inputs give the same file. */
#define STAMP "2000-01-01T00:00:00.000Z"

struct hs_dest_layer {
    hs_layer *g;
    hs_pg_layer *p;
    hs_dest_layer *next;
};

struct hs_dest {
    hs_gpkg *g;
    hs_pg_out *p;
    char *path;         /* the GeoPackage's */
    int styles_table;   /* the GeoPackage's layer_styles exists */
    hs_dest_layer *layers;
};

hs_dest *hs_dest_create(const char *output, const char *schema,
                        const char *timestamp, hs_error *err)
{
    hs_dest *d = calloc(1, sizeof *d);
    if (!d) {
        hs_fail(err, HS_ERR_NOMEM, "output: out of memory");
        return NULL;
    }
    if (hs_pg_is_source(output)) {
        d->p = hs_pg_out_create(output, schema, err);
    } else if (schema && *schema) {
        hs_fail(err, HS_ERR_ARG, "--schema '%s' is for a PostGIS output "
                "(-o PG:\"dbname=...\"), not the file '%s'", schema, output);
    } else if ((d->path = strdup(output))) {
        d->g = hs_gpkg_create(output, timestamp, err);
    } else {
        hs_fail(err, HS_ERR_NOMEM, "output: out of memory");
    }
    if (!d->g && !d->p) {
        hs_dest_destroy(d);
        return NULL;
    }
    return d;
}

void hs_dest_destroy(hs_dest *d)
{
    if (!d)
        return;
    hs_gpkg_destroy(d->g);
    hs_pg_out_destroy(d->p);
    while (d->layers) {
        hs_dest_layer *n = d->layers->next;
        free(d->layers);
        d->layers = n;
    }
    free(d->path);
    free(d);
}

int hs_dest_is_db(const hs_dest *d) { return d->p != NULL; }

int hs_dest_has_rasters(const hs_dest *d)
{
    return d->g || hs_pg_out_has_rasters(d->p);
}

const char *hs_dest_label(const hs_dest *d)
{
    return d->p ? hs_pg_out_label(d->p) : d->path;
}

hs_dest_layer *hs_dest_add_layer(hs_dest *d, const char *name,
                                 const char *description, hs_geom_kind kind,
                                 const char *srs, const hs_field *fields,
                                 size_t nfields, hs_error *err)
{
    hs_dest_layer *l = calloc(1, sizeof *l);
    if (!l) {
        hs_fail(err, HS_ERR_NOMEM, "adding layer '%s': out of memory", name);
        return NULL;
    }
    if (d->p)
        l->p = hs_pg_out_add_layer(d->p, name, description, kind, srs, fields,
                                   nfields, err);
    else
        l->g = hs_gpkg_add_layer(d->g, name, description, kind, srs, fields,
                                 nfields, err);
    if (!l->p && !l->g) {
        free(l);
        return NULL;
    }
    l->next = d->layers;
    d->layers = l;
    return l;
}

void hs_dest_set_spatial_index(hs_dest *d, int on)
{
    if (d->p)
        hs_pg_out_set_spatial_index(d->p, on);
    else
        hs_gpkg_set_spatial_index(d->g, on);
}

hs_status hs_dest_layer_add(hs_dest_layer *l, double x, double y,
                            const unsigned char *wkb, size_t wkb_len,
                            const hs_value *vals, hs_error *err)
{
    if (!l)
        return hs_fail(err, HS_ERR_ARG, "adding feature: no layer");
    return l->p ? hs_pg_layer_add(l->p, x, y, wkb, wkb_len, vals, err)
                : hs_layer_add(l->g, x, y, wkb, wkb_len, vals, err);
}

hs_status hs_dest_checkpoint(hs_dest *d, hs_error *err)
{
    return d->p ? HS_OK : hs_gpkg_checkpoint(d->g, err);
}

hs_status hs_dest_add_raster(hs_dest *d, const char *name,
                             const hs_raster_spec *r, const float *values,
                             hs_error *err)
{
    return d->p ? hs_pg_out_add_raster(d->p, name, r, values, err)
                : hs_gpkg_add_raster(d->g, name, r, values, err);
}

/* ---- the GeoPackage's layer_styles and qgis_projects -------------------- */

static hs_status exec_free(hs_gpkg *g, char *sql, hs_error *err)
{
    if (!sql)
        return hs_fail(err, HS_ERR_NOMEM, "styles: out of memory");
    hs_status rc = hs_gpkg_exec(g, sql, err);
    sqlite3_free(sql);
    return rc;
}

static hs_status gpkg_style(hs_dest *d, const hs_style_row *s, hs_error *err)
{
    hs_status rc;
    /* The schema QGIS creates through OGR (DESIGN-NOTES 7.1, 7.4), and
     * registered as 'attributes' so GDAL and QGIS list it. */
    if (!d->styles_table &&
        ((rc = hs_gpkg_exec(d->g,
            "CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "f_table_catalog TEXT(256), f_table_schema TEXT(256), "
            "f_table_name TEXT(256), f_geometry_column TEXT(256), "
            "styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
            "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), "
            "ui TEXT(30), update_time DATETIME DEFAULT "
            "(strftime('%Y-%m-%dT%H:%M:%fZ','now')))", err)) ||
         (rc = hs_gpkg_exec(d->g,
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change) VALUES ('layer_styles', 'attributes', "
            "'layer_styles', 'QGIS layer styles (QML and SLD)', '" STAMP "')",
            err))))
        return rc;
    d->styles_table = 1;
    /* %Q quotes and escapes a value (NULL -> NULL): nothing is pasted into
     * the SQL raw. */
    return exec_free(d->g, sqlite3_mprintf(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, "
        "f_table_name, f_geometry_column, styleName, styleQML, styleSLD, "
        "useAsDefault, description, owner, ui, update_time) VALUES "
        "('', '', %Q, %Q, %Q, %Q, %Q, %d, %Q, '', NULL, '" STAMP "')",
        s->table, s->raster ? "" : "geom", s->name, s->qml, s->sld,
        s->is_default, s->description), err);
}

hs_status hs_dest_style(hs_dest *d, const hs_style_row *s, hs_error *err)
{
    return d->p ? hs_pg_out_style(d->p, s, err) : gpkg_style(d, s, err);
}

hs_status hs_dest_project(hs_dest *d, const char *name,
                          const unsigned char *qgz, size_t len, hs_error *err)
{
    if (d->p)
        return hs_pg_out_project(d->p, name, qgz, len, err);
    /* QGIS stores the .qgz as hexadecimal text (DESIGN-NOTES 7.4). */
    char *hex = malloc(2 * len + 1);
    if (!hex)
        return hs_fail(err, HS_ERR_NOMEM, "project: out of memory");
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", qgz[i]);
    hex[2 * len] = '\0';
    hs_status rc = hs_gpkg_exec(d->g, "CREATE TABLE qgis_projects(name TEXT "
                                "PRIMARY KEY, metadata BLOB, content BLOB)", err);
    if (!rc)
        rc = exec_free(d->g, sqlite3_mprintf(
            "INSERT INTO qgis_projects VALUES (%Q, %Q, %Q)", name,
            "{\"last_modified_time\": \"2000-01-01T00:00:00\", "
            "\"last_modified_user\": \"hotspot\" }", hex), err);
    free(hex);
    return rc;
}

hs_status hs_dest_source(const hs_dest *d, const char *table, int raster,
                         const char **provider, char **source, hs_error *err)
{
    if (d->p)
        return hs_pg_out_source(d->p, table, provider, source, err);
    const char *slash = strrchr(d->path, '/');
    const char *base = slash ? slash + 1 : d->path;
    size_t n = strlen(base) + strlen(table) + 32;
    if (!(*source = malloc(n)))
        return hs_fail(err, HS_ERR_NOMEM, "project: out of memory");
    if (raster)
        snprintf(*source, n, "GPKG:./%s:%s", base, table);
    else
        snprintf(*source, n, "./%s|layername=%s", base, table);
    *provider = raster ? "gdal" : "ogr";
    return HS_OK;
}

char *hs_dest_project_uri(const hs_dest *d, const char *name)
{
    return d->p ? hs_pg_out_project_uri(d->p, name) : NULL;
}

hs_status hs_dest_commit(hs_dest *d, hs_error *err)
{
    if (!d)
        return hs_fail(err, HS_ERR_ARG, "committing output: no writer");
    return d->p ? hs_pg_out_commit(d->p, err) : hs_gpkg_commit(d->g, err);
}
