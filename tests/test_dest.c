/* test_dest.c - a run's destination (output/dest.h): which writer a name
 * picks, the GeoPackage's layer_styles and qgis_projects as QGIS reads
 * them (checked with SQLite), the project's data sources, and refusals.
 * The PostGIS writer is tested against a real server by test_postgis.sh. */
#include "util.h"

#include <sqlite3.h>
#include <unistd.h>

#include "output/dest.h"

static char dir[64];

static void test_refusals(void **state)
{
    (void)state;
    hs_error err = {0};
    char path[128];
    snprintf(path, sizeof path, "%s/x.gpkg", dir);
    assert_null(hs_dest_create(path, "demo", NULL, &err));
    assert_int_equal(err.code, HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "--schema 'demo' is for a PostGIS output"));
    assert_int_not_equal(access(path, F_OK), 0);
    /* a database that is not there: named without its password */
    hs_error_clear(&err);
    assert_null(hs_dest_create("PG:host=/nonexistent/socket dbname=x "
                               "password=zz-secret", "s", NULL, &err));
    assert_non_null(strstr(err.msg, "PostGIS output 'PG:host=/nonexistent/socket "
                           "dbname=x': cannot connect"));
    assert_null(strstr(err.msg, "zz-secret"));
    hs_error_clear(&err);
    assert_null(hs_dest_create("PG:dbname=x", NULL, NULL, &err));
    assert_int_equal(err.code, HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "give --schema NAME"));
}

static void test_gpkg(void **state)
{
    (void)state;
    hs_error err = {0};
    char path[128];
    snprintf(path, sizeof path, "%s/run.gpkg", dir);
    hs_dest *d = hs_dest_create(path, NULL, NULL, &err);
    assert_non_null(d);
    assert_false(hs_dest_is_db(d));
    assert_true(hs_dest_has_rasters(d));
    assert_string_equal(hs_dest_label(d), path);
    assert_null(hs_dest_project_uri(d, "hotspot"));
    static const hs_field f[] = {{"name", HS_FIELD_TEXT}};
    hs_dest_layer *l = hs_dest_add_layer(d, "pts", "points", HS_GEOM_POINT,
                                         "EPSG:27700", f, 1, &err);
    assert_non_null(l);
    hs_value v = {.s = "a"};
    assert_int_equal(hs_dest_layer_add(l, 400000, 150000, NULL, 0, &v, &err), HS_OK);
    hs_style_row a = {"pts", 0, "By name", "<qgis/>", "<sld/>", 1, "d1"};
    hs_style_row b = {"kde", 1, "Density", "<qgis r='1'/>", "<sld/>", 0, "d2"};
    assert_int_equal(hs_dest_style(d, &a, &err), HS_OK);
    assert_int_equal(hs_dest_style(d, &b, &err), HS_OK);
    static const unsigned char qgz[] = {'P', 'K', 3, 4, 0, 0xff};
    assert_int_equal(hs_dest_project(d, "hotspot", qgz, sizeof qgz, &err), HS_OK);
    const char *prov;
    char *src;
    assert_int_equal(hs_dest_source(d, "pts", 0, &prov, &src, &err), HS_OK);
    assert_string_equal(prov, "ogr");
    assert_string_equal(src, "./run.gpkg|layername=pts");
    free(src);
    assert_int_equal(hs_dest_source(d, "kde", 1, &prov, &src, &err), HS_OK);
    assert_string_equal(prov, "gdal");
    assert_string_equal(src, "GPKG:./run.gpkg:kde");
    free(src);
    assert_int_equal(hs_dest_commit(d, &err), HS_OK);
    hs_dest_destroy(d);

    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT f_table_name, "
                     "f_geometry_column, styleName, styleQML, useAsDefault, "
                     "description FROM layer_styles ORDER BY id", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 1), "geom");
    assert_string_equal((const char *)sqlite3_column_text(q, 3), "<qgis/>");
    assert_int_equal(sqlite3_column_int(q, 4), 1);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "kde");
    assert_string_equal((const char *)sqlite3_column_text(q, 1), ""); /* raster */
    assert_int_equal(sqlite3_column_int(q, 4), 0);
    assert_string_equal((const char *)sqlite3_column_text(q, 5), "d2");
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT data_type FROM gpkg_contents "
                     "WHERE table_name = 'layer_styles'", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "attributes");
    sqlite3_finalize(q);
    /* the .qgz as hexadecimal text, as QGIS stores it */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, content FROM "
                     "qgis_projects", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "hotspot");
    assert_string_equal((const char *)sqlite3_column_text(q, 1), "504b030400ff");
    sqlite3_finalize(q);
    sqlite3_close(db);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_gpkg),
    };
    tu_tmpdir(dir, sizeof dir);
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir); /* the tests remove what they write */
    return failed;
}
