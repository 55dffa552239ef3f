/*
 * test_output.c - tests for the atomic GeoPackage writer (src/output/output.c).
 *
 * Everything written is read back with plain OGR (GDALOpenEx read-only),
 * not through the writer: counts, every value including NULLs and UTF-8
 * text, geometry coordinates, the CRS, gpkg_contents rows.  The atomic
 * commit is checked on the file system: nothing under the final name before
 * commit, no temporary file left after commit, destroy or a failed commit,
 * and a previous GeoPackage (or a refused non-GeoPackage) byte for byte
 * unchanged.  All files live in mkdtemp folders under /tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "output/output.h"

/* "Café – Größe 北京": accents, an en dash and CJK, as UTF-8 bytes. */
#define UTF8_TEXT "Caf\xc3\xa9 \xe2\x80\x93 Gr\xc3\xb6\xc3\x9f" "e \xe5\x8c\x97\xe4\xba\xac"

/* ---- helpers ----------------------------------------------------------- */

static char *make_dir(void)
{
    char tmpl[] = "/tmp/hs_test_output_XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    char *r = strdup(d);
    assert_non_null(r);
    return r;
}

/* Removes dir and everything in it (one level of sub-folders). */
static void remove_dir(char *dir)
{
    DIR *dh = opendir(dir);
    struct dirent *de;
    char p[4096];
    chmod(dir, 0755);
    while (dh && (de = readdir(dh)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    if (dh)
        closedir(dh);
    rmdir(dir);
    free(dir);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Number of entries in dir; only_name (if the count is 1) gets the name. */
static int dir_entries(const char *dir, char *only_name, size_t cap)
{
    DIR *dh = opendir(dir);
    struct dirent *de;
    int n = 0;
    assert_non_null(dh);
    while ((de = readdir(dh)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (only_name)
            snprintf(only_name, cap, "%s", de->d_name);
        n++;
    }
    closedir(dh);
    return n;
}

static void assert_only_file(const char *dir, const char *name)
{
    char got[256] = "";
    int n = dir_entries(dir, got, sizeof got);
    if (n != 1 || strcmp(got, name) != 0)
        fail_msg("folder %s: expected only '%s', found %d entries (%s)", dir,
                 name, n, got);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    unsigned char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void spew(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static int same_bytes(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *da = slurp(a, &na), *db = slurp(b, &nb);
    int same = na == nb && memcmp(da, db, na) == 0;
    free(da);
    free(db);
    return same;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ISO WKB, little endian, built by hand so the test does not depend on the
 * library's own geometry code. */
typedef struct wkb {
    unsigned char b[1024];
    size_t n;
} wkb;

static void w_u8(wkb *w, unsigned v) { w->b[w->n++] = (unsigned char)v; }

static void w_u32(wkb *w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        w_u8(w, (v >> (8 * i)) & 0xff);
}

static void w_f64(wkb *w, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    for (int i = 0; i < 8; i++)
        w_u8(w, (unsigned)((u >> (8 * i)) & 0xff));
}

/* Axis-aligned square polygon (x0,y0)-(x0+s,y0+s), counter-clockwise. */
static void w_square(wkb *w, double x0, double y0, double s)
{
    w_u8(w, 1);
    w_u32(w, 3); /* Polygon */
    w_u32(w, 1);
    w_u32(w, 5);
    const double xy[5][2] = {{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s},
                             {x0, y0 + s}, {x0, y0}};
    for (int i = 0; i < 5; i++) {
        w_f64(w, xy[i][0]);
        w_f64(w, xy[i][1]);
    }
}

static const hs_field point_fields[] = {
    {"n", HS_FIELD_INT},
    {"big", HS_FIELD_INT64},
    {"w", HS_FIELD_REAL},
    {"label", HS_FIELD_TEXT},
};

static hs_value iv(int64_t i) { hs_value v = {0, i, 0, NULL}; return v; }
static hs_value dv(double d) { hs_value v = {0, 0, d, NULL}; return v; }
static hs_value sv(const char *s) { hs_value v = {0, 0, 0, s}; return v; }
static hs_value nullv(void) { hs_value v = {1, 0, 0, NULL}; return v; }

static hs_gpkg *create_ok(const char *path, const char *stamp)
{
    hs_error err;
    hs_error_clear(&err);
    hs_gpkg *g = hs_gpkg_create(path, stamp, &err);
    if (!g)
        fail_msg("create %s: %s", path, err.msg);
    return g;
}

static hs_layer *layer_ok(hs_gpkg *g, const char *name, const char *desc,
                          hs_geom_kind kind, const char *srs,
                          const hs_field *f, size_t n)
{
    hs_error err;
    hs_error_clear(&err);
    hs_layer *l = hs_gpkg_add_layer(g, name, desc, kind, srs, f, n, &err);
    if (!l)
        fail_msg("add layer %s: %s", name, err.msg);
    return l;
}

static void add_ok(hs_layer *l, double x, double y, const wkb *w,
                   const hs_value *v)
{
    hs_error err;
    hs_error_clear(&err);
    hs_status s = hs_layer_add(l, x, y, w ? w->b : NULL, w ? w->n : 0, v, &err);
    if (s != HS_OK)
        fail_msg("add feature: %s", err.msg);
}

static void commit_ok(hs_gpkg *g)
{
    hs_error err;
    hs_error_clear(&err);
    if (hs_gpkg_commit(g, &err) != HS_OK)
        fail_msg("commit: %s", err.msg);
}

/* The full test file: points with every field type, NULLs and UTF-8,
 * polygons from Polygon and MultiPolygon WKB, an attribute table and one
 * extra table through hs_gpkg_exec. */
static void write_sample(hs_gpkg *g)
{
    hs_layer *pts = layer_ok(g, "incidents", "Crime incidents", HS_GEOM_POINT,
                             "EPSG:27700", point_fields, 4);
    hs_value r1[4] = {iv(7), iv(INT64_C(5000000000)), dv(2.5), sv(UTF8_TEXT)};
    hs_value r2[4] = {nullv(), nullv(), nullv(), nullv()};
    hs_value r3[4] = {iv(-3), iv(-INT64_C(9000000000)), dv(-0.125),
                      sv("plain")};
    hs_value r4[4] = {iv(INT32_MAX), iv(0), dv(1e-300), sv(NULL)};
    add_ok(pts, 530000.5, 180000.25, NULL, r1);
    add_ok(pts, 400000, 300000, NULL, r2);
    add_ok(pts, 651234.75, 312345.5, NULL, r3);
    add_ok(pts, 1, 2, NULL, r4);

    static const hs_field af[] = {{"cell", HS_FIELD_TEXT},
                                  {"count", HS_FIELD_INT}};
    hs_layer *areas = layer_ok(g, "areas", "Hot spot cells",
                               HS_GEOM_MULTIPOLYGON, "EPSG:27700", af, 2);
    wkb poly = {{0}, 0}, multi = {{0}, 0};
    w_square(&poly, 1000, 2000, 100);
    w_u8(&multi, 1);
    w_u32(&multi, 6); /* MultiPolygon */
    w_u32(&multi, 2);
    w_square(&multi, 0, 0, 10);
    w_square(&multi, 50, 50, 5);
    hs_value a1[2] = {sv("A"), iv(12)};
    hs_value a2[2] = {sv("B"), iv(3)};
    add_ok(areas, 0, 0, &poly, a1);
    add_ok(areas, 0, 0, &multi, a2);

    static const hs_field sf[] = {{"category", HS_FIELD_TEXT},
                                  {"total", HS_FIELD_INT64},
                                  {"share", HS_FIELD_REAL}};
    hs_layer *sum = layer_ok(g, "summary", "Totals by category", HS_GEOM_NONE,
                             NULL, sf, 3);
    hs_value s1[3] = {sv("Burglary"), iv(120), dv(0.6)};
    hs_value s2[3] = {sv("Robbery"), iv(80), dv(0.4)};
    add_ok(sum, 0, 0, NULL, s1);
    add_ok(sum, 0, 0, NULL, s2);

    hs_error err;
    hs_error_clear(&err);
    assert_int_equal(hs_gpkg_exec(g, "CREATE TABLE notes (txt TEXT)", &err),
                     HS_OK);
    assert_int_equal(hs_gpkg_exec(g, "INSERT INTO notes VALUES ('hello')",
                                  &err), HS_OK);
}

/* ---- reading back with OGR --------------------------------------------- */

static GDALDatasetH open_ro(const char *path)
{
    const char *const drivers[] = {"GPKG", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                 drivers, NULL, NULL);
    if (!ds)
        fail_msg("OGR cannot open %s: %s", path, CPLGetLastErrorMsg());
    return ds;
}

/* First column of the first row of a SQL query, as text ("" if NULL). */
static void sql_text(GDALDatasetH ds, const char *sql, char *out, size_t cap)
{
    OGRLayerH rs = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    if (!rs)
        fail_msg("SQL failed: %s: %s", sql, CPLGetLastErrorMsg());
    OGRFeatureH f = OGR_L_GetNextFeature(rs);
    if (!f)
        fail_msg("SQL returned no row: %s", sql);
    snprintf(out, cap, "%s",
             OGR_F_IsFieldSetAndNotNull(f, 0) ? OGR_F_GetFieldAsString(f, 0)
                                              : "");
    OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(ds, rs);
}

static int fidx(OGRFeatureH f, const char *name)
{
    int i = OGR_F_GetFieldIndex(f, name);
    if (i < 0)
        fail_msg("no field %s", name);
    return i;
}

static void check_ring_square(OGRGeometryH poly, double x0, double y0,
                              double s)
{
    assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(poly)), wkbPolygon);
    assert_int_equal(OGR_G_GetGeometryCount(poly), 1);
    OGRGeometryH ring = OGR_G_GetGeometryRef(poly, 0);
    assert_int_equal(OGR_G_GetPointCount(ring), 5);
    assert_true(OGR_G_GetX(ring, 0) == x0 && OGR_G_GetY(ring, 0) == y0);
    assert_true(OGR_G_GetX(ring, 2) == x0 + s && OGR_G_GetY(ring, 2) == y0 + s);
    assert_true(OGR_G_GetX(ring, 4) == x0 && OGR_G_GetY(ring, 4) == y0);
}

static void check_sample(const char *path, const char *want_stamp)
{
    char buf[512];
    GDALDatasetH ds = open_ro(path);

    /* Header: SQLite, application_id 'GPKG'. */
    size_t n;
    unsigned char *bytes = slurp(path, &n);
    assert_true(n > 100);
    assert_memory_equal(bytes, "SQLite format 3", 16);
    assert_memory_equal(bytes + 68, "GPKG", 4);
    free(bytes);

    /* -- points -- */
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "incidents");
    assert_non_null(l);
    assert_int_equal(OGR_L_GetFeatureCount(l, TRUE), 4);
    assert_int_equal(wkbFlatten(OGR_L_GetGeomType(l)), wkbPoint);
    assert_string_equal(OGR_L_GetFIDColumn(l), "fid");
    assert_string_equal(OGR_L_GetGeometryColumn(l), "geom");
    OGRSpatialReferenceH sr = OGR_L_GetSpatialRef(l);
    assert_non_null(sr);
    assert_string_equal(OSRGetAuthorityName(sr, NULL), "EPSG");
    assert_string_equal(OSRGetAuthorityCode(sr, NULL), "27700");

    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(l);
    assert_int_equal(OGR_FD_GetFieldCount(fd), 4);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(fd, 0)), OFTInteger);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(fd, 1)),
                     OFTInteger64);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(fd, 2)), OFTReal);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(fd, 3)), OFTString);

    OGR_L_ResetReading(l);
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    assert_non_null(f);
    assert_int_equal(OGR_F_GetFID(f), 1);
    assert_int_equal(OGR_F_GetFieldAsInteger(f, fidx(f, "n")), 7);
    assert_true(OGR_F_GetFieldAsInteger64(f, fidx(f, "big")) ==
                INT64_C(5000000000));
    assert_true(OGR_F_GetFieldAsDouble(f, fidx(f, "w")) == 2.5);
    assert_string_equal(OGR_F_GetFieldAsString(f, fidx(f, "label")),
                        UTF8_TEXT);
    OGRGeometryH geom = OGR_F_GetGeometryRef(f);
    assert_non_null(geom);
    assert_true(OGR_G_GetX(geom, 0) == 530000.5);
    assert_true(OGR_G_GetY(geom, 0) == 180000.25);
    OGR_F_Destroy(f);

    f = OGR_L_GetNextFeature(l);
    assert_non_null(f);
    for (int i = 0; i < 4; i++)
        assert_true(OGR_F_IsFieldNull(f, i));
    geom = OGR_F_GetGeometryRef(f);
    assert_true(OGR_G_GetX(geom, 0) == 400000 && OGR_G_GetY(geom, 0) == 300000);
    OGR_F_Destroy(f);

    f = OGR_L_GetNextFeature(l);
    assert_non_null(f);
    assert_int_equal(OGR_F_GetFieldAsInteger(f, 0), -3);
    assert_true(OGR_F_GetFieldAsInteger64(f, 1) == -INT64_C(9000000000));
    assert_true(OGR_F_GetFieldAsDouble(f, 2) == -0.125);
    assert_string_equal(OGR_F_GetFieldAsString(f, 3), "plain");
    geom = OGR_F_GetGeometryRef(f);
    assert_true(OGR_G_GetX(geom, 0) == 651234.75);
    assert_true(OGR_G_GetY(geom, 0) == 312345.5);
    OGR_F_Destroy(f);

    f = OGR_L_GetNextFeature(l);
    assert_non_null(f);
    assert_int_equal(OGR_F_GetFieldAsInteger(f, 0), INT32_MAX);
    assert_true(OGR_F_GetFieldAsInteger64(f, 1) == 0);
    assert_true(OGR_F_GetFieldAsDouble(f, 2) == 1e-300);
    assert_true(OGR_F_IsFieldNull(f, 3)); /* s == NULL is NULL */
    OGR_F_Destroy(f);
    assert_null(OGR_L_GetNextFeature(l));

    /* -- polygons -- */
    l = GDALDatasetGetLayerByName(ds, "areas");
    assert_non_null(l);
    assert_int_equal(OGR_L_GetFeatureCount(l, TRUE), 2);
    assert_int_equal(wkbFlatten(OGR_L_GetGeomType(l)), wkbMultiPolygon);
    assert_string_equal(OSRGetAuthorityCode(OGR_L_GetSpatialRef(l), NULL),
                        "27700");
    OGR_L_ResetReading(l);
    f = OGR_L_GetNextFeature(l);
    assert_non_null(f);
    assert_string_equal(OGR_F_GetFieldAsString(f, fidx(f, "cell")), "A");
    assert_int_equal(OGR_F_GetFieldAsInteger(f, fidx(f, "count")), 12);
    geom = OGR_F_GetGeometryRef(f);
    assert_int_equal(OGR_G_GetGeometryType(geom), wkbMultiPolygon);
    assert_int_equal(OGR_G_GetGeometryCount(geom), 1);
    check_ring_square(OGR_G_GetGeometryRef(geom, 0), 1000, 2000, 100);
    OGR_F_Destroy(f);
    f = OGR_L_GetNextFeature(l);
    assert_non_null(f);
    assert_string_equal(OGR_F_GetFieldAsString(f, 0), "B");
    geom = OGR_F_GetGeometryRef(f);
    assert_int_equal(OGR_G_GetGeometryType(geom), wkbMultiPolygon);
    assert_int_equal(OGR_G_GetGeometryCount(geom), 2);
    check_ring_square(OGR_G_GetGeometryRef(geom, 0), 0, 0, 10);
    check_ring_square(OGR_G_GetGeometryRef(geom, 1), 50, 50, 5);
    OGR_F_Destroy(f);

    /* -- attribute table -- */
    l = GDALDatasetGetLayerByName(ds, "summary");
    assert_non_null(l);
    assert_int_equal(OGR_L_GetGeomType(l), wkbNone);
    assert_int_equal(OGR_L_GetFeatureCount(l, TRUE), 2);
    OGR_L_ResetReading(l);
    f = OGR_L_GetNextFeature(l);
    assert_string_equal(OGR_F_GetFieldAsString(f, fidx(f, "category")),
                        "Burglary");
    assert_true(OGR_F_GetFieldAsInteger64(f, fidx(f, "total")) == 120);
    assert_true(OGR_F_GetFieldAsDouble(f, fidx(f, "share")) == 0.6);
    OGR_F_Destroy(f);
    f = OGR_L_GetNextFeature(l);
    assert_string_equal(OGR_F_GetFieldAsString(f, 0), "Robbery");
    OGR_F_Destroy(f);

    /* -- metadata tables -- */
    sql_text(ds, "SELECT data_type || '|' || description || '|' || "
                 "last_change || '|' || srs_id FROM gpkg_contents "
                 "WHERE table_name = 'incidents'", buf, sizeof buf);
    {
        char want[256];
        snprintf(want, sizeof want, "features|Crime incidents|%s|27700",
                 want_stamp);
        assert_string_equal(buf, want);
    }
    sql_text(ds, "SELECT data_type || '|' || description FROM gpkg_contents "
                 "WHERE table_name = 'areas'", buf, sizeof buf);
    assert_string_equal(buf, "features|Hot spot cells");
    sql_text(ds, "SELECT data_type || '|' || description || '|' || "
                 "last_change FROM gpkg_contents WHERE table_name = 'summary'",
             buf, sizeof buf);
    {
        char want[256];
        snprintf(want, sizeof want, "attributes|Totals by category|%s",
                 want_stamp);
        assert_string_equal(buf, want);
    }
    /* Every timestamp in the file is the pinned one. */
    sql_text(ds, "SELECT COUNT(*) FROM gpkg_contents", buf, sizeof buf);
    assert_string_equal(buf, "3");
    {
        char q[256];
        snprintf(q, sizeof q, "SELECT COUNT(*) FROM gpkg_contents WHERE "
                 "last_change = '%s'", want_stamp);
        sql_text(ds, q, buf, sizeof buf);
        assert_string_equal(buf, "3");
    }
    sql_text(ds, "SELECT COUNT(*) FROM gpkg_extensions WHERE extension_name "
                 "= 'gpkg_rtree_index' AND table_name IN ('incidents', "
                 "'areas')", buf, sizeof buf);
    assert_string_equal(buf, "2");
    sql_text(ds, "SELECT COUNT(*) FROM rtree_incidents_geom", buf, sizeof buf);
    assert_string_equal(buf, "4");
    sql_text(ds, "SELECT txt FROM notes", buf, sizeof buf);
    assert_string_equal(buf, "hello");

    GDALClose(ds);
}

/* ---- tests ------------------------------------------------------------- */

static void test_write_and_read_back(void **state)
{
    (void)state;
    char *dir = make_dir();
    char *final = join(dir, "out.gpkg");
    char tmpname[256];
    snprintf(tmpname, sizeof tmpname, ".out.gpkg.tmp-%ld.gpkg",
             (long)getpid());
    char *tmp = join(dir, tmpname);

    hs_gpkg *g = create_ok(final, NULL);
    write_sample(g);
    /* Before commit: only the hidden temporary file exists. */
    assert_false(exists(final));
    assert_true(exists(tmp));
    commit_ok(g);
    assert_true(exists(final));
    assert_false(exists(tmp));
    hs_gpkg_destroy(g);
    assert_only_file(dir, "out.gpkg");

    check_sample(final, "2000-01-01T00:00:00.000Z");

    free(tmp);
    free(final);
    remove_dir(dir);
}

static void test_timestamp_pinned(void **state)
{
    (void)state;
    char *dir = make_dir();
    char *a = join(dir, "a.gpkg");
    char *b = join(dir, "b.gpkg");
    char buf[128];
    hs_error err;

    hs_gpkg *g = create_ok(a, "2024-05-01T12:34:56Z");
    write_sample(g);
    commit_ok(g);
    hs_gpkg_destroy(g);
    check_sample(a, "2024-05-01T12:34:56.000Z");

    /* Milliseconds given are kept; the process-wide setting is untouched. */
    CPLSetConfigOption("OGR_CURRENT_DATE", "1999-12-31T23:59:59.000Z");
    g = create_ok(b, "2024-05-01T12:34:56.789Z");
    layer_ok(g, "empty", "no rows", HS_GEOM_POINT, "EPSG:4326", NULL, 0);
    commit_ok(g);
    hs_gpkg_destroy(g);
    assert_string_equal(CPLGetConfigOption("OGR_CURRENT_DATE", ""),
                        "1999-12-31T23:59:59.000Z");
    CPLSetConfigOption("OGR_CURRENT_DATE", NULL);
    GDALDatasetH ds = open_ro(b);
    /* '' || : as text, not reformatted by OGR as a DateTime. */
    sql_text(ds, "SELECT '' || last_change FROM gpkg_contents", buf,
             sizeof buf);
    assert_string_equal(buf, "2024-05-01T12:34:56.789Z");
    GDALClose(ds);

    hs_error_clear(&err);
    assert_null(hs_gpkg_create(b, "2024-05-01 12:34:56", &err));
    assert_int_equal(err.code, HS_ERR_ARG);
    assert_null(hs_gpkg_create(b, "yesterday", &err));
    assert_int_equal(err.code, HS_ERR_ARG);

    free(a);
    free(b);
    remove_dir(dir);
}

/* The file is made with 64 KiB pages and written without a rollback
 * journal (output.c: fewer page writes, no statement journals); a
 * caller's OGR_SQLITE_PRAGMA still applies, after ours, and stays theirs. */
static void test_page_size(void **state)
{
    (void)state;
    char *dir = make_dir();
    char *a = join(dir, "a.gpkg"), *b = join(dir, "b.gpkg");
    char buf[64], tmpname[256];
    snprintf(tmpname, sizeof tmpname, ".a.gpkg.tmp-%ld.gpkg", (long)getpid());

    hs_gpkg *g = create_ok(a, NULL);
    write_sample(g);
    /* mid-transaction, rows written: no "-journal" beside the file */
    assert_only_file(dir, tmpname);
    commit_ok(g);
    hs_gpkg_destroy(g);
    check_sample(a, "2000-01-01T00:00:00.000Z");
    GDALDatasetH ds = open_ro(a);
    sql_text(ds, "PRAGMA page_size", buf, sizeof buf);
    assert_string_equal(buf, "65536");
    GDALClose(ds);

    CPLSetConfigOption("OGR_SQLITE_PRAGMA", "page_size=8192,user_version=7");
    g = create_ok(b, NULL);
    write_sample(g);
    commit_ok(g);
    hs_gpkg_destroy(g);
    assert_string_equal(CPLGetConfigOption("OGR_SQLITE_PRAGMA", ""),
                        "page_size=8192,user_version=7");
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", NULL);
    check_sample(b, "2000-01-01T00:00:00.000Z");
    ds = open_ro(b);
    sql_text(ds, "PRAGMA page_size", buf, sizeof buf);
    assert_string_equal(buf, "8192");
    GDALClose(ds);

    free(a);
    free(b);
    remove_dir(dir);
}

static void test_reproducible(void **state)
{
    (void)state;
    char *d1 = make_dir(), *d2 = make_dir();
    char *f1 = join(d1, "out.gpkg"), *f2 = join(d2, "out.gpkg");

    hs_gpkg *g = create_ok(f1, "2024-01-02T03:04:05Z");
    write_sample(g);
    commit_ok(g);
    hs_gpkg_destroy(g);
    g = create_ok(f2, "2024-01-02T03:04:05Z");
    write_sample(g);
    commit_ok(g);
    hs_gpkg_destroy(g);

    /* A fresh SQLite file written by the same statements in the same order
     * is deterministic, so whole files are compared, not SQL dumps. */
    assert_true(same_bytes(f1, f2));

    free(f1);
    free(f2);
    remove_dir(d1);
    remove_dir(d2);
}

static void test_destroy_keeps_previous(void **state)
{
    (void)state;
    char *dir = make_dir();
    char *final = join(dir, "out.gpkg");
    char *copy = join(dir, "copy.bin");
    size_t n;

    hs_gpkg *g = create_ok(final, NULL);
    write_sample(g);
    commit_ok(g);
    hs_gpkg_destroy(g);
    unsigned char *before = slurp(final, &n);
    spew(copy, before, n);
    free(before);

    /* A second run writes other content, then is abandoned. */
    g = create_ok(final, "2030-01-01T00:00:00Z");
    hs_layer *l = layer_ok(g, "incidents", "other", HS_GEOM_POINT,
                           "EPSG:4326", point_fields, 4);
    hs_value v[4] = {iv(1), iv(2), dv(3), sv("x")};
    for (int i = 0; i < 1000; i++)
        add_ok(l, -1.5, 52.5, NULL, v);
    hs_gpkg_destroy(g);

    assert_true(same_bytes(final, copy));
    unlink(copy);
    assert_only_file(dir, "out.gpkg");
    check_sample(final, "2000-01-01T00:00:00.000Z");

    /* Destroy straight after create leaves nothing either. */
    hs_gpkg_destroy(create_ok(final, NULL));
    assert_only_file(dir, "out.gpkg");

    /* And a committed second run does replace a GeoPackage. */
    g = create_ok(final, NULL);
    l = layer_ok(g, "only", "replaced", HS_GEOM_NONE, NULL, point_fields, 4);
    add_ok(l, 0, 0, NULL, v);
    commit_ok(g);
    hs_gpkg_destroy(g);
    assert_only_file(dir, "out.gpkg");
    GDALDatasetH ds = open_ro(final);
    assert_int_equal(GDALDatasetGetLayerCount(ds), 1);
    assert_non_null(GDALDatasetGetLayerByName(ds, "only"));
    GDALClose(ds);

    free(copy);
    free(final);
    remove_dir(dir);
}

static void test_refuse_non_geopackage(void **state)
{
    (void)state;
    char *dir = make_dir();
    char *final = join(dir, "out.gpkg");
    char *copy = join(dir, "copy.bin");
    hs_error err;

    /* A CSV the user named .gpkg. */
    static const char csv[] = "Crime ID,Month\nabc,2024-01\n";
    spew(final, csv, sizeof csv - 1);
    spew(copy, csv, sizeof csv - 1);
    hs_error_clear(&err);
    assert_null(hs_gpkg_create(final, NULL, &err));
    assert_int_equal(err.code, HS_ERR_IO);
    assert_non_null(strstr(err.msg, "refusing to overwrite"));
    assert_non_null(strstr(err.msg, "it is not a GeoPackage"));
    assert_non_null(strstr(err.msg, final));
    assert_true(same_bytes(final, copy));

    /* A plain SQLite database (application_id 0) is not a GeoPackage. */
    unsigned char hdr[512] = "SQLite format 3";
    spew(final, hdr, sizeof hdr);
    spew(copy, hdr, sizeof hdr);
    hs_error_clear(&err);
    assert_null(hs_gpkg_create(final, NULL, &err));
    assert_int_equal(err.code, HS_ERR_IO);
    assert_non_null(strstr(err.msg, "not a GeoPackage"));
    assert_true(same_bytes(final, copy));

    /* An empty file neither. */
    spew(final, "", 0);
    assert_null(hs_gpkg_create(final, NULL, &err));
    assert_int_equal(err.code, HS_ERR_IO);
    assert_true(exists(final));
    unlink(final);

    /* A folder under the final name. */
    assert_int_equal(mkdir(final, 0755), 0);
    hs_error_clear(&err);
    assert_null(hs_gpkg_create(final, NULL, &err));
    assert_int_equal(err.code, HS_ERR_IO);
    assert_non_null(strstr(err.msg, "refusing to overwrite"));
    rmdir(final);
    unlink(copy);

    assert_int_equal(dir_entries(dir, NULL, 0), 0); /* no temporary file */
    free(copy);
    free(final);
    remove_dir(dir);
}

/* The final name turns into a non-GeoPackage between create and commit:
 * commit must refuse, remove its temporary file and leave that file be. */
static void test_failed_commit(void **state)
{
    (void)state;
    char *dir = make_dir();
    char *final = join(dir, "out.gpkg");
    hs_error err;

    hs_gpkg *g = create_ok(final, NULL);
    write_sample(g);
    static const char text[] = "not yours\n";
    spew(final, text, sizeof text - 1);
    hs_error_clear(&err);
    assert_int_equal(hs_gpkg_commit(g, &err), HS_ERR_IO);
    assert_non_null(strstr(err.msg, "not a GeoPackage"));
    assert_only_file(dir, "out.gpkg");
    size_t n;
    unsigned char *b = slurp(final, &n);
    assert_int_equal(n, sizeof text - 1);
    assert_memory_equal(b, text, n);
    free(b);

    /* The writer is finished: no second commit, no more rows. */
    hs_error_clear(&err);
    assert_int_not_equal(hs_gpkg_commit(g, &err), HS_OK);
    assert_int_not_equal(hs_gpkg_exec(g, "SELECT 1", &err), HS_OK);
    hs_gpkg_destroy(g);
    assert_only_file(dir, "out.gpkg");

    free(final);
    remove_dir(dir);
}

static void test_missing_folder(void **state)
{
    (void)state;
    char *dir = make_dir();
    char *final = join(dir, "no/such/folder/out.gpkg");
    hs_error err;
    hs_error_clear(&err);
    assert_null(hs_gpkg_create(final, NULL, &err));
    assert_int_equal(err.code, HS_ERR_IO);
    assert_non_null(strstr(err.msg, "does not exist"));
    assert_int_equal(dir_entries(dir, NULL, 0), 0);

    /* A plain file where the folder should be. */
    char *file = join(dir, "file");
    spew(file, "x", 1);
    char *under = join(file, "out.gpkg");
    hs_error_clear(&err);
    assert_null(hs_gpkg_create(under, NULL, &err));
    assert_int_equal(err.code, HS_ERR_IO);

    free(under);
    free(file);
    free(final);
    remove_dir(dir);
}

static void test_readonly_folder(void **state)
{
    (void)state;
    if (geteuid() == 0) {
        /* root ignores permission bits, so the folder would be writable. */
        print_message("skipped: running as root, a 0555 folder is "
                      "still writable\n");
        skip();
    }
    char *dir = make_dir();
    char *final = join(dir, "out.gpkg");
    hs_error err;
    assert_int_equal(chmod(dir, 0555), 0);
    hs_error_clear(&err);
    hs_gpkg *g = hs_gpkg_create(final, NULL, &err);
    chmod(dir, 0755);
    if (g)
        hs_gpkg_destroy(g);
    assert_null(g);
    assert_int_equal(err.code, HS_ERR_IO);
    assert_non_null(strstr(err.msg, "not writable"));
    assert_int_equal(dir_entries(dir, NULL, 0), 0);
    free(final);
    remove_dir(dir);
}

static void test_exec_errors(void **state)
{
    (void)state;
    char *dir = make_dir();
    char *final = join(dir, "out.gpkg");
    hs_error err;

    hs_gpkg *g = create_ok(final, NULL);
    hs_error_clear(&err);
    assert_int_equal(hs_gpkg_exec(g, "SELEC nonsense FROM nowhere", &err),
                     HS_ERR_DB);
    assert_non_null(strstr(err.msg, "SELEC nonsense FROM nowhere"));

    /* Long SQL is quoted by its first 80 characters only. */
    char longsql[300];
    snprintf(longsql, sizeof longsql, "INSERT INTO missing_table VALUES "
             "('%0200d')", 0);
    hs_error_clear(&err);
    assert_int_equal(hs_gpkg_exec(g, longsql, &err), HS_ERR_DB);
    char want[128];
    snprintf(want, sizeof want, "SQL '%.80s...'", longsql);
    assert_non_null(strstr(err.msg, want));

    /* A failed statement does not spoil the file. */
    hs_error_clear(&err);
    assert_int_equal(hs_gpkg_exec(g, "SELECT 1", &err), HS_OK);

    /* SQL that drops one of our layers closes it instead of leaving a
     * dangling GDAL handle. */
    hs_layer *scratch = layer_ok(g, "scratch", NULL, HS_GEOM_POINT,
                                 "EPSG:27700", point_fields, 4);
    hs_value v[4] = {iv(1), iv(2), dv(3), sv("x")};
    add_ok(scratch, 1, 2, NULL, v);
    assert_int_equal(hs_gpkg_exec(g, "DROP TABLE scratch", &err), HS_OK);
    hs_error_clear(&err);
    assert_int_equal(hs_layer_add(scratch, 1, 2, NULL, 0, v, &err),
                     HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "scratch"));
    write_sample(g);
    commit_ok(g);
    hs_gpkg_destroy(g);
    check_sample(final, "2000-01-01T00:00:00.000Z");

    free(final);
    remove_dir(dir);
}

static void test_bad_input(void **state)
{
    (void)state;
    char *dir = make_dir();
    char *final = join(dir, "out.gpkg");
    hs_error err;

    hs_gpkg *g = create_ok(final, NULL);

    /* Unknown CRS: HS_ERR_CRS naming it, and no table left behind. */
    hs_error_clear(&err);
    assert_null(hs_gpkg_add_layer(g, "bad", "x", HS_GEOM_POINT,
                                  "EPSG:999999", point_fields, 4, &err));
    assert_int_equal(err.code, HS_ERR_CRS);
    assert_non_null(strstr(err.msg, "EPSG:999999"));
    hs_error_clear(&err);
    assert_null(hs_gpkg_add_layer(g, "bad", "x", HS_GEOM_POINT,
                                  "not a crs at all", point_fields, 4, &err));
    assert_int_equal(err.code, HS_ERR_CRS);
    assert_null(hs_gpkg_add_layer(g, "bad", "x", HS_GEOM_POINT, NULL,
                                  point_fields, 4, &err));
    assert_int_equal(err.code, HS_ERR_CRS);

    /* Duplicate field names (SQLite ignores case) and reserved names. */
    static const hs_field dup[] = {{"a", HS_FIELD_INT}, {"A", HS_FIELD_REAL}};
    static const hs_field fid[] = {{"FID", HS_FIELD_INT}};
    static const hs_field geom[] = {{"geom", HS_FIELD_TEXT}};
    hs_error_clear(&err);
    assert_null(hs_gpkg_add_layer(g, "dup", NULL, HS_GEOM_NONE, NULL, dup, 2,
                                  &err));
    assert_int_equal(err.code, HS_ERR_ARG);
    assert_null(hs_gpkg_add_layer(g, "dup", NULL, HS_GEOM_NONE, NULL, fid, 1,
                                  &err));
    assert_int_equal(err.code, HS_ERR_ARG);
    assert_null(hs_gpkg_add_layer(g, "dup", NULL, HS_GEOM_POINT, "EPSG:27700",
                                  geom, 1, &err));
    assert_int_equal(err.code, HS_ERR_ARG);

    hs_layer *pts = layer_ok(g, "pts", NULL, HS_GEOM_POINT, "EPSG:27700",
                             point_fields, 4);
    static const hs_field af[] = {{"v", HS_FIELD_INT}};
    hs_layer *areas = layer_ok(g, "areas", NULL, HS_GEOM_MULTIPOLYGON,
                               "EPSG:27700", af, 1);
    hs_value v[4] = {iv(1), iv(2), dv(3), sv("x")};

    /* Same layer name twice. */
    hs_error_clear(&err);
    assert_null(hs_gpkg_add_layer(g, "pts", NULL, HS_GEOM_POINT, "EPSG:27700",
                                  point_fields, 4, &err));
    assert_int_not_equal(err.code, HS_OK);

    /* 32-bit field given a 64-bit value. */
    hs_value big[4] = {iv(INT64_C(3000000000)), iv(0), dv(0), sv("")};
    hs_error_clear(&err);
    assert_int_equal(hs_layer_add(pts, 1, 2, NULL, 0, big, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "'n'"));
    /* Non-finite coordinate. */
    assert_int_equal(hs_layer_add(pts, NAN, 2, NULL, 0, v, &err),
                     HS_ERR_ARG);

    /* Polygon layer: garbage WKB, a LineString, no WKB. */
    static const unsigned char junk[] = {1, 3, 0, 0, 0, 9, 9};
    hs_error_clear(&err);
    assert_int_equal(hs_layer_add(areas, 0, 0, junk, sizeof junk, v, &err),
                     HS_ERR_GEOM);
    wkb line = {{0}, 0};
    w_u8(&line, 1);
    w_u32(&line, 2);
    w_u32(&line, 2);
    w_f64(&line, 0);
    w_f64(&line, 0);
    w_f64(&line, 1);
    w_f64(&line, 1);
    hs_error_clear(&err);
    assert_int_equal(hs_layer_add(areas, 0, 0, line.b, line.n, v, &err),
                     HS_ERR_GEOM);
    assert_non_null(strstr(err.msg, "not a polygon"));
    assert_int_equal(hs_layer_add(areas, 0, 0, NULL, 0, v, &err), HS_ERR_ARG);

    /* One good row each; the failures above wrote nothing. */
    add_ok(pts, 1, 2, NULL, v);
    wkb sq = {{0}, 0};
    w_square(&sq, 0, 0, 1);
    add_ok(areas, 0, 0, &sq, v);
    commit_ok(g);

    /* After commit the layers are closed. */
    hs_error_clear(&err);
    assert_int_equal(hs_layer_add(pts, 1, 2, NULL, 0, v, &err), HS_ERR_ARG);
    assert_null(hs_gpkg_add_layer(g, "late", NULL, HS_GEOM_NONE, NULL, NULL, 0,
                                  &err));
    hs_gpkg_destroy(g);

    GDALDatasetH ds = open_ro(final);
    assert_int_equal(GDALDatasetGetLayerCount(ds), 2);
    assert_null(GDALDatasetGetLayerByName(ds, "bad"));
    assert_null(GDALDatasetGetLayerByName(ds, "dup"));
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "pts"),
                                           TRUE), 1);
    assert_int_equal(OGR_L_GetFeatureCount(
                         GDALDatasetGetLayerByName(ds, "areas"), TRUE), 1);
    GDALClose(ds);
    assert_only_file(dir, "out.gpkg");

    /* Argument checks. */
    hs_gpkg_destroy(NULL);
    hs_error_clear(&err);
    assert_null(hs_gpkg_create(NULL, NULL, &err));
    assert_int_equal(err.code, HS_ERR_ARG);
    char *slash = join(dir, "");
    assert_null(hs_gpkg_create(slash, NULL, &err));
    assert_int_equal(err.code, HS_ERR_ARG);
    free(slash);
    assert_int_equal(hs_gpkg_exec(NULL, "SELECT 1", &err), HS_ERR_ARG);
    assert_int_equal(hs_gpkg_commit(NULL, &err), HS_ERR_ARG);
    assert_int_equal(hs_layer_add(NULL, 0, 0, NULL, 0, NULL, &err),
                     HS_ERR_ARG);

    free(final);
    remove_dir(dir);
}

/* Writes a vector layer, two Float32 rasters, then another vector layer
 * (the writer reopens the file around rasters). */
static void write_with_rasters(const char *path, float *vals, size_t cols,
                               size_t rows)
{
    hs_error err = {0};
    hs_gpkg *g = create_ok(path, "2024-01-02T03:04:05Z");
    hs_field f[] = {{"name", HS_FIELD_TEXT}};
    hs_layer *l = hs_gpkg_add_layer(g, "before", NULL, HS_GEOM_POINT,
                                    "EPSG:27700", f, 1, &err);
    assert_non_null(l);
    hs_value v[] = {{.s = "a"}};
    assert_int_equal(hs_layer_add(l, 400000, 100000, NULL, 0, v, &err), HS_OK);
    hs_raster_spec r = {400000, 100000, 50, cols, rows, "EPSG:27700",
                        "test density", "density", "incidents/km2", -9999, NULL};
    assert_int_equal(hs_gpkg_add_raster(g, "kde_a", &r, vals, &err), HS_OK);
    assert_int_equal(hs_gpkg_add_raster(g, "kde_b", &r, vals, &err), HS_OK);
    l = hs_gpkg_add_layer(g, "after", NULL, HS_GEOM_NONE, NULL, f, 1, &err);
    assert_non_null(l);
    assert_int_equal(hs_layer_add(l, 0, 0, NULL, 0, v, &err), HS_OK);
    commit_ok(g);
    hs_gpkg_destroy(g);
}

/* Reads a single-band Float32 raster (a GeoTIFF, or "GPKG:file:table")
 * whole; checks its size, corner (400000, 100000) and 50 m cell. */
static float *read_raster(const char *path, size_t cols, size_t rows,
                           double *nodata, int *has_nodata)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY,
                                 NULL, NULL, NULL);
    assert_non_null(ds);
    assert_int_equal(GDALGetRasterXSize(ds), (int)cols);
    assert_int_equal(GDALGetRasterYSize(ds), (int)rows);
    double gt[6];
    assert_int_equal(GDALGetGeoTransform(ds, gt), CE_None);
    assert_true(gt[0] == 400000 && gt[1] == 50 && gt[5] == -50);
    assert_true(gt[3] == 100000 + 50.0 * (double)rows);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    assert_int_equal(GDALGetRasterDataType(b), GDT_Float32);
    *nodata = GDALGetRasterNoDataValue(b, has_nodata);
    float *got = malloc(cols * rows * sizeof *got);
    assert_non_null(got);
    assert_int_equal(GDALRasterIO(b, GF_Read, 0, 0, (int)cols, (int)rows, got,
                                  (int)cols, (int)rows, GDT_Float32, 0, 0),
                     CE_None);
    GDALClose(ds);
    return got;
}

static void test_rasters(void **state)
{
    (void)state;
    char *d = make_dir(), *f1 = join(d, "r1.gpkg"), *f2 = join(d, "r2.gpkg");
    size_t cols = 300, rows = 270; /* more than one 256 tile each way */
    float *vals = malloc(cols * rows * sizeof *vals);
    assert_non_null(vals);
    for (size_t i = 0; i < cols * rows; i++)
        vals[i] = i % 97 == 0 ? -9999.0f : (float)i * 0.37f + 1e-3f;
    write_with_rasters(f1, vals, cols, rows);
    write_with_rasters(f2, vals, cols, rows);
    assert_true(same_bytes(f1, f2)); /* reproducible with rasters too */

    char name[4200];
    snprintf(name, sizeof name, "GPKG:%s:kde_b", f1);
    double nd;
    int has = 0;
    float *got = read_raster(name, cols, rows, &nd, &has);
    assert_true(nd == -9999 && has);
    assert_memory_equal(got, vals, cols * rows * sizeof *got); /* exact */
    /* the vector layers on both sides of the rasters are there */
    GDALDatasetH ds = GDALOpenEx(f1, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_non_null(GDALDatasetGetLayerByName(ds, "before"));
    assert_non_null(GDALDatasetGetLayerByName(ds, "after"));
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "before"), 1), 1);
    GDALClose(ds);
    free(vals);
    free(got);
    free(f1);
    free(f2);
    remove_dir(d);
}

/* f still holds exactly before, alone in d: no temporary left. */
static void assert_unchanged(const char *d, const char *f,
                             const unsigned char *before, size_t before_len)
{
    size_t len;
    unsigned char *now = slurp(f, &len);
    assert_true(len == before_len && memcmp(now, before, len) == 0);
    free(now);
    assert_only_file(d, "k.tif");
}

/* A GeoTIFF written by rows as they become final (hs_geotiff_put_rows):
 * every value exact, whatever the steps (none, part of a row of tiles,
 * exact tile rows, repeats), compressed or not; dropped before commit, or
 * failing at creation (unknown CRS: found only when the file is made), it
 * leaves the previous file as it was and no temporary. */
static void test_geotiff_by_rows(void **state)
{
    (void)state;
    char *d = make_dir(), *f = join(d, "k.tif");
    size_t cols = 300, rows = 530; /* tile rows of 256, 256 and 18 */
    float *vals = malloc(cols * rows * sizeof *vals);
    float *old = malloc(cols * rows * sizeof *old);
    assert_true(vals && old);
    for (size_t i = 0; i < cols * rows; i++) {
        vals[i] = i % 89 == 0 ? -9999.0f : (float)i * 0.37f + 1e-3f;
        old[i] = 1.5f;
    }
    hs_error err;
    hs_error_clear(&err);
    hs_raster_spec rs = {400000, 100000, 50, cols, rows, "EPSG:27700", "d",
                         "density", "incidents/km2", -9999.0, "NONE"};
    assert_int_equal(hs_geotiff_write(f, &rs, old, &err), HS_OK);
    size_t before_len;
    unsigned char *before = slurp(f, &before_len);

    static const size_t steps[] = {0, 100, 255, 256, 256, 300, 512, 529};
    static const char *const comp[] = {"NONE", "DEFLATE"};
    for (int c = 0; c < 2; c++) {
        rs.compress = comp[c];
        /* dropped half way: the old file stays */
        hs_geotiff *t = hs_geotiff_open(f, &rs, &err);
        assert_non_null(t);
        assert_int_equal(hs_geotiff_put_rows(t, vals, 300, &err), HS_OK);
        hs_geotiff_destroy(t);
        assert_unchanged(d, f, before, before_len);

        t = hs_geotiff_open(f, &rs, &err);
        assert_non_null(t);
        for (size_t k = 0; k < sizeof steps / sizeof *steps; k++)
            assert_int_equal(hs_geotiff_put_rows(t, vals, steps[k], &err), HS_OK);
        assert_int_equal(hs_geotiff_commit(t, vals, &err), HS_OK);
        hs_geotiff_destroy(t);
        assert_only_file(d, "k.tif");
        double nd;
        int has = 0;
        float *got = read_raster(f, cols, rows, &nd, &has);
        assert_true(has && nd == -9999.0);
        assert_memory_equal(got, vals, cols * rows * sizeof *got);
        free(got);
        assert_int_equal(hs_geotiff_write(f, &rs, old, &err), HS_OK);
    }
    free(before);
    before = slurp(f, &before_len);

    rs.srs = "EPSG:999999"; /* open only checks; the first write finds it */
    hs_geotiff *t = hs_geotiff_open(f, &rs, &err);
    assert_non_null(t);
    assert_int_equal(hs_geotiff_put_rows(t, vals, 256, &err), HS_ERR_CRS);
    assert_non_null(strstr(err.msg, "EPSG:999999"));
    hs_geotiff_destroy(t);
    assert_unchanged(d, f, before, before_len);

    rs.srs = "EPSG:27700"; /* a folder that is not there: at open */
    char *missing = join(d, "no/such/k.tif");
    assert_null(hs_geotiff_open(missing, &rs, &err));
    assert_int_equal(err.code, HS_ERR_IO);
    free(missing);
    free(before);
    free(vals);
    free(old);
    free(f);
    remove_dir(d);
}

/* Point layers are written by SQL behind GDAL's back: GDAL must still
 * read back every point and value, the extent and feature count it keeps
 * in gpkg_contents / gpkg_ogr_contents (force = FALSE reads only those),
 * and the R-tree - across the close and reopen a raster causes, and with
 * a layer and a field name that would break naive SQL. */
static void test_points_by_sql(void **state)
{
    (void)state;
    char *d = make_dir(), *f = join(d, "pts.gpkg");
    static const char hostile[] = "we\"ird'; DROP TABLE x; --";
    static const hs_field pf[] = {{"n", HS_FIELD_INT64},
                                  {"say \"hi\"", HS_FIELD_TEXT},
                                  {"v", HS_FIELD_REAL}};
    const size_t n = 3000;
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    double sx = 0, sy = 0;
    uint64_t seed = 12345;
    hs_error err;
    hs_error_clear(&err);
    hs_gpkg *g = hs_gpkg_create(f, NULL, &err);
    assert_non_null(g);
    hs_gpkg_set_spatial_index(g, 0);
    hs_layer *big = layer_ok(g, "big", NULL, HS_GEOM_POINT, "EPSG:27700", pf, 3);
    hs_gpkg_set_spatial_index(g, 1);
    hs_layer *odd = layer_ok(g, hostile, NULL, HS_GEOM_POINT, "EPSG:27700", pf, 3);
    hs_layer *tbl = layer_ok(g, "tbl", NULL, HS_GEOM_NONE, NULL, pf, 3);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        double x = 300000 + (double)(seed >> 40) / 64.0;
        double y = 100000 + (double)((seed >> 16) & 0xffffff) / 32.0;
        char label[32];
        snprintf(label, sizeof label, "row %zu", i);
        /* label is rewritten for every row: rows waiting to be inserted in
         * a batch must hold copies */
        hs_value v[3] = {iv((int64_t)i), i % 7 ? sv(i % 11 ? label : "") : nullv(),
                         i % 5 ? dv((double)i * 0.25) : nullv()};
        add_ok(big, x, y, NULL, v);
        if (i < 100) /* GDAL's connection (R-tree): 3 batches and 4 rows */
            add_ok(odd, x, y, NULL, v);
        if (i % 500 == 0) /* an attribute table, interleaved with both */
            add_ok(tbl, NAN, NAN, NULL, v);
        if (i == 1500) /* mid-layer: layers stay open */
            assert_int_equal(hs_gpkg_checkpoint(g, &err), HS_OK);
        xmin = fmin(xmin, x), xmax = fmax(xmax, x);
        ymin = fmin(ymin, y), ymax = fmax(ymax, y);
        sx += x, sy += y;
    }
    float cellv[4] = {1, 2, 3, 4};
    hs_raster_spec rs = {0, 0, 10, 2, 2, "EPSG:27700", "r", "v", "u", NAN, NULL};
    assert_int_equal(hs_gpkg_add_raster(g, "r", &rs, cellv, &err), HS_OK);
    commit_ok(g);
    hs_gpkg_destroy(g);

    GDALDatasetH ds = open_ro(f);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "big");
    assert_non_null(l);
    assert_int_equal(OGR_L_GetFeatureCount(l, FALSE), (GIntBig)n);
    OGREnvelope e;
    assert_int_equal(OGR_L_GetExtent(l, &e, FALSE), OGRERR_NONE);
    assert_true(e.MinX == xmin && e.MaxX == xmax && e.MinY == ymin &&
                e.MaxY == ymax);
    double gx = 0, gy = 0;
    size_t rows = 0, nulls = 0;
    OGRFeatureH ft;
    OGR_L_ResetReading(l);
    while ((ft = OGR_L_GetNextFeature(l))) {
        OGRGeometryH gm = OGR_F_GetGeometryRef(ft);
        assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(gm)), wkbPoint);
        gx += OGR_G_GetX(gm, 0), gy += OGR_G_GetY(gm, 0);
        int64_t k = OGR_F_GetFieldAsInteger64(ft, 0);
        assert_int_equal(k, (int64_t)rows); /* in the order written */
        if (k % 5)
            assert_true(OGR_F_GetFieldAsDouble(ft, 2) == (double)k * 0.25);
        else
            assert_false(OGR_F_IsFieldSetAndNotNull(ft, 2));
        if (!OGR_F_IsFieldSetAndNotNull(ft, 1))
            nulls++;
        else {
            char want[32] = ""; /* "" stays "", not NULL */
            if (k % 11)
                snprintf(want, sizeof want, "row %lld", (long long)k);
            assert_string_equal(OGR_F_GetFieldAsString(ft, 1), want);
        }
        rows++;
        OGR_F_Destroy(ft);
    }
    assert_int_equal(rows, n);
    assert_int_equal(nulls, (n + 6) / 7);
    assert_true(gx == sx && gy == sy); /* same doubles, same order */
    char buf[64];
    /* what a reader that trusts the metadata sees (GDAL itself recounts
     * when it is NULL, so ask SQLite) */
    sql_text(ds, "SELECT feature_count FROM gpkg_ogr_contents WHERE "
             "table_name = 'big'", buf, sizeof buf);
    assert_int_equal(strtoll(buf, NULL, 10), (long long)n);
    const char *col[4] = {"min_x", "min_y", "max_x", "max_y"};
    double want[4] = {xmin, ymin, xmax, ymax};
    for (int i = 0; i < 4; i++) {
        char q[128];
        snprintf(q, sizeof q, "SELECT %s FROM gpkg_contents WHERE table_name "
                 "= 'big'", col[i]);
        sql_text(ds, q, buf, sizeof buf);
        assert_true(*buf && fabs(strtod(buf, NULL) - want[i]) < 1e-6);
    }
    /* GDAL's feature-count triggers are in place for later editors */
    sql_text(ds, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
             "AND name LIKE 'trigger_%_feature_count_big'", buf, sizeof buf);
    assert_string_equal(buf, "2");
    sql_text(ds, "SELECT COUNT(*) FROM gpkg_extensions WHERE table_name = "
             "'big'", buf, sizeof buf);
    assert_string_equal(buf, "0"); /* no index asked for */

    OGRLayerH t = GDALDatasetGetLayerByName(ds, "tbl");
    assert_non_null(t);
    assert_int_equal(OGR_L_GetFeatureCount(t, TRUE), (GIntBig)(n / 500));
    sql_text(ds, "SELECT feature_count FROM gpkg_ogr_contents WHERE "
             "table_name = 'tbl'", buf, sizeof buf);
    assert_int_equal(strtoll(buf, NULL, 10), (long long)(n / 500));
    sql_text(ds, "SELECT data_type || (min_x IS NULL) FROM gpkg_contents "
             "WHERE table_name = 'tbl'", buf, sizeof buf);
    assert_string_equal(buf, "attributes1");
    OGR_L_ResetReading(t);
    for (size_t r = 0; (ft = OGR_L_GetNextFeature(t)); r++) {
        assert_null(OGR_F_GetGeometryRef(ft));
        assert_int_equal(OGR_F_GetFieldAsInteger64(ft, 0), (int64_t)(r * 500));
        char label[32];
        snprintf(label, sizeof label, "row %zu", r * 500);
        if ((r * 500) % 7) /* the rows the points had NULL in are NULL */
            assert_string_equal(OGR_F_GetFieldAsString(ft, 1),
                                (r * 500) % 11 ? label : "");
        else
            assert_false(OGR_F_IsFieldSetAndNotNull(ft, 1));
        OGR_F_Destroy(ft);
    }
    OGRLayerH o = GDALDatasetGetLayerByName(ds, hostile);
    assert_non_null(o);
    assert_int_equal(OGR_L_GetFeatureCount(o, FALSE), 100);
    OGR_L_ResetReading(o);
    for (int64_t r = 0; (ft = OGR_L_GetNextFeature(o)); r++) {
        assert_int_equal(OGR_F_GetFieldAsInteger64(ft, 0), r);
        OGR_F_Destroy(ft);
    }
    assert_string_equal(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(
                            OGR_L_GetLayerDefn(o), 1)), "say \"hi\"");
    sql_text(ds, "SELECT COUNT(*) FROM \"rtree_we\"\"ird'; DROP TABLE x; "
             "--_geom\"", buf, sizeof buf);
    assert_string_equal(buf, "100");
    GDALClose(ds);
    free(f);
    remove_dir(d);
}

static int group_setup(void **state)
{
    (void)state;
    GDALAllRegister(); /* for the reader side */
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_and_read_back),
        cmocka_unit_test(test_timestamp_pinned),
        cmocka_unit_test(test_page_size),
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_destroy_keeps_previous),
        cmocka_unit_test(test_refuse_non_geopackage),
        cmocka_unit_test(test_failed_commit),
        cmocka_unit_test(test_missing_folder),
        cmocka_unit_test(test_readonly_folder),
        cmocka_unit_test(test_exec_errors),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_rasters),
        cmocka_unit_test(test_geotiff_by_rows),
        cmocka_unit_test(test_points_by_sql),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, NULL);
    GDALDestroy(); /* frees GDAL's one-time allocations for LeakSanitizer */
    return rc;
}
