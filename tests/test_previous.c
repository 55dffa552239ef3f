/*
 * test_previous.c - previous.h on GeoPackages built here with OGR, as a
 * run writes them and as older runs did (no first_seen / months_seen, no
 * lineage row), and each error: no file, no run table, no layer for the
 * group, another CRS, bad ids, months and first months, a missing
 * geometry, numbers used twice.
 */
#include "util.h"

#include <math.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "input/previous.h"
#include "input/vector.h"

#define M(y, m) ((int32_t)((y) * 12 + (m) - 1))
#define UNSET (-999) /* months_seen left unset */

typedef struct feat {
    const char *id;    /* NULL: unset                          */
    const char *first; /* NULL: unset                          */
    int months;        /* UNSET: unset                         */
    double incidents;
    const char *wkt;   /* NULL: no geometry                    */
} feat;

typedef struct spec {
    const char *period;       /* NULL: no run table                    */
    const char *last_key;     /* lineage row key, NULL: none           */
    const char *last_value;
    const char *layer;        /* hotspots layer name, NULL: none       */
    int epsg;                 /* 0: 27700                              */
    OGRwkbGeometryType gtype; /* 0 (wkbUnknown): MultiPolygon          */
    int old_style;            /* no first_seen / months_seen fields    */
    const feat *f;
    size_t nf;
    const char *ceased_layer; /* NULL: none                            */
    const char *const *ceased;
    size_t nceased;
    int real;                 /* incidents a real field (--when shares) */
} spec;

static void add_field(OGRLayerH l, const char *name, OGRFieldType t)
{
    OGRFieldDefnH fd = OGR_Fld_Create(name, t);
    assert_int_equal(OGR_L_CreateField(l, fd, TRUE), OGRERR_NONE);
    OGR_Fld_Destroy(fd);
}

static void run_row(OGRLayerH run, const char *s, const char *k, const char *v)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(run));
    OGR_F_SetFieldString(f, 0, s);
    OGR_F_SetFieldString(f, 1, k);
    OGR_F_SetFieldString(f, 2, v);
    assert_int_equal(OGR_L_CreateFeature(run, f), OGRERR_NONE);
    OGR_F_Destroy(f);
}

/* Writes the GeoPackage sp describes to dir/name; its path into path. */
static void build(const char *dir, const char *name, const spec *sp,
                  char *path, size_t n)
{
    snprintf(path, n, "%s/%s", dir, name);
    hs_gdal_init();
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(srs, sp->epsg ? sp->epsg : 27700),
                     OGRERR_NONE);
    if (sp->period) {
        OGRLayerH run = GDALDatasetCreateLayer(ds, "run", NULL, wkbNone, NULL);
        assert_non_null(run);
        add_field(run, "section", OFTString);
        add_field(run, "key", OFTString);
        add_field(run, "value", OFTString);
        run_row(run, "software", "hotspot", "0.1.0");
        run_row(run, "parameter", "period", sp->period);
        run_row(run, "parameter", "months", "12");
        if (sp->last_key)
            run_row(run, "lineage", sp->last_key, sp->last_value);
    }
    if (sp->layer) {
        OGRLayerH l = GDALDatasetCreateLayer(
            ds, sp->layer, srs, sp->gtype ? sp->gtype : wkbMultiPolygon, NULL);
        assert_non_null(l);
        add_field(l, "hotspot_id", OFTString);
        add_field(l, "rank", OFTInteger);
        add_field(l, "incidents", sp->real ? OFTReal : OFTInteger);
        if (!sp->old_style) {
            add_field(l, "first_seen", OFTString);
            add_field(l, "months_seen", OFTInteger);
        }
        for (size_t k = 0; k < sp->nf; k++) {
            const feat *ft = &sp->f[k];
            OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
            if (ft->id)
                OGR_F_SetFieldString(f, 0, ft->id);
            OGR_F_SetFieldInteger(f, 1, (int)k + 1);
            OGR_F_SetFieldDouble(f, 2, ft->incidents);
            if (!sp->old_style && ft->first)
                OGR_F_SetFieldString(f, 3, ft->first);
            if (!sp->old_style && ft->months != UNSET)
                OGR_F_SetFieldInteger(f, 4, ft->months);
            if (ft->wkt) {
                OGRGeometryH g = NULL;
                char *w = (char *)ft->wkt;
                assert_int_equal(OGR_G_CreateFromWkt(&w, srs, &g), OGRERR_NONE);
                OGR_F_SetGeometryDirectly(f, g);
            }
            assert_int_equal(OGR_L_CreateFeature(l, f), OGRERR_NONE);
            OGR_F_Destroy(f);
        }
    }
    if (sp->ceased_layer) {
        OGRLayerH l = GDALDatasetCreateLayer(ds, sp->ceased_layer, srs,
                                             wkbMultiPolygon, NULL);
        assert_non_null(l);
        add_field(l, "hotspot_id", OFTString);
        for (size_t k = 0; k < sp->nceased; k++) {
            OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
            OGR_F_SetFieldString(f, 0, sp->ceased[k]);
            assert_int_equal(OGR_L_CreateFeature(l, f), OGRERR_NONE);
            OGR_F_Destroy(f);
        }
    }
    OSRDestroySpatialReference(srs);
    GDALClose(ds);
}

static const char *const SQUARE = /* 100 m², [0,10]² */
    "MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0)))";
static const char *const TWO = /* 4 + 16 m² */
    "MULTIPOLYGON(((40 0,42 0,42 2,40 2,40 0)),((50 0,54 0,54 4,50 4,50 0)))";

static const feat GOOD[] = {
    {"VIO-07", "2024-03", 4, 30, SQUARE},
    {"VIO-2", "2023-11", 9, 12, TWO},
};

/* WKB -> OGR: a 2D MultiPolygon in NDR of the given area. */
static void check_wkb(const hs_prev_hotspot *h, double area)
{
    assert_non_null(h->wkb);
    assert_true(h->wkb_len > 9);
    assert_int_equal(h->wkb[0], 1); /* NDR */
    uint32_t type;
    memcpy(&type, h->wkb + 1, 4);
    assert_int_equal(type, 6); /* ISO MultiPolygon, 2D */
    OGRGeometryH g = NULL;
    assert_int_equal(OGR_G_CreateFromWkb(h->wkb, NULL, &g, (int)h->wkb_len),
                     OGRERR_NONE);
    assert_true(fabs(OGR_G_Area(g) - area) < 1e-9);
    OGR_G_DestroyGeometry(g);
}

static void test_read(void **state)
{
    (void)state;
    char dir[64], path[256];
    tu_tmpdir(dir, sizeof dir);
    const char *const ceased[] = {"VIO-11", "VIO-03"};
    spec sp = {"2024-01 to 2024-12", "last_id_VIO", "12", "hotspots_VIO", 0, 0,
               0, GOOD, 2, "hotspots_ceased_VIO", ceased, 2, 0};
    build(dir, "run.gpkg", &sp, path, sizeof path);
    hs_error err = {0};
    hs_previous *p = hs_previous_read(path, "VIO", "EPSG:27700", &err);
    if (!p)
        fail_msg("%s", err.msg);
    assert_int_equal(p->period_end, M(2024, 12));
    assert_int_equal(p->last_id, 12);
    assert_int_equal(p->has_last_id, 1);
    assert_int_equal(p->has_first_seen, 1);
    assert_int_equal(p->has_months_seen, 1);
    assert_int_equal(p->n, 2);
    assert_string_equal(p->v[0].id, "VIO-07");
    assert_int_equal(p->v[0].num, 7);
    assert_int_equal(p->v[0].first_seen, M(2024, 3));
    assert_int_equal(p->v[0].months_seen, 4);
    assert_int_equal(p->v[0].incidents, 30);
    check_wkb(&p->v[0], 100);
    assert_string_equal(p->v[1].id, "VIO-2");
    assert_int_equal(p->v[1].num, 2);
    assert_int_equal(p->v[1].first_seen, M(2023, 11));
    assert_int_equal(p->v[1].months_seen, 9);
    assert_int_equal(p->v[1].incidents, 12);
    check_wkb(&p->v[1], 20);
    hs_previous_destroy(p);
    hs_previous_destroy(NULL);

    /* another spelling of the same CRS */
    p = hs_previous_read(path, "VIO", "urn:ogc:def:crs:EPSG::27700", &err);
    if (!p)
        fail_msg("%s", err.msg);
    hs_previous_destroy(p);
    tu_rmrf(dir);
}

/* Without the lineage row: the largest number of both layers; with a
 * row below that number, raised to it. */
static void test_last_id(void **state)
{
    (void)state;
    char dir[64], path[256];
    tu_tmpdir(dir, sizeof dir);
    const char *const ceased[] = {"VIO-03", "VIO-011"};
    spec sp = {"2024-01 to 2024-12", NULL, NULL, "hotspots_VIO", 0, 0, 0,
               GOOD, 2, "hotspots_ceased_VIO", ceased, 2, 0};
    hs_error err = {0};
    build(dir, "a.gpkg", &sp, path, sizeof path);
    hs_previous *p = hs_previous_read(path, "VIO", "EPSG:27700", &err);
    assert_non_null(p);
    assert_int_equal(p->last_id, 11);
    assert_int_equal(p->has_last_id, 0);
    hs_previous_destroy(p);

    sp.ceased_layer = NULL;
    build(dir, "b.gpkg", &sp, path, sizeof path);
    p = hs_previous_read(path, "VIO", "EPSG:27700", &err);
    assert_non_null(p);
    assert_int_equal(p->last_id, 7);
    hs_previous_destroy(p);

    sp.last_key = "last_id_VIO";
    sp.last_value = "5";
    build(dir, "c.gpkg", &sp, path, sizeof path);
    p = hs_previous_read(path, "VIO", "EPSG:27700", &err);
    assert_non_null(p);
    assert_int_equal(p->last_id, 7);
    assert_int_equal(p->has_last_id, 1);
    hs_previous_destroy(p);

    /* another group's row is not this group's */
    sp.last_key = "last_id_ASB";
    sp.last_value = "90";
    build(dir, "d.gpkg", &sp, path, sizeof path);
    p = hs_previous_read(path, "VIO", "EPSG:27700", &err);
    assert_non_null(p);
    assert_int_equal(p->last_id, 7);
    assert_int_equal(p->has_last_id, 0);
    hs_previous_destroy(p);
    tu_rmrf(dir);
}

/* A file from before lineage: every hotspot first seen in the run's last
 * month, seen once. */
static void test_old_style(void **state)
{
    (void)state;
    char dir[64], path[256];
    tu_tmpdir(dir, sizeof dir);
    spec sp = {"2023-07 to 2024-06", NULL, NULL, "hotspots_VIO", 0, 0, 1,
               GOOD, 2, NULL, NULL, 0, 0};
    build(dir, "old.gpkg", &sp, path, sizeof path);
    hs_error err = {0};
    hs_previous *p = hs_previous_read(path, "VIO", "EPSG:27700", &err);
    if (!p)
        fail_msg("%s", err.msg);
    assert_int_equal(p->period_end, M(2024, 6));
    assert_int_equal(p->has_first_seen, 0);
    assert_int_equal(p->has_months_seen, 0);
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(p->v[k].first_seen, M(2024, 6));
        assert_int_equal(p->v[k].months_seen, 1);
    }
    assert_int_equal(p->last_id, 7);
    hs_previous_destroy(p);
    tu_rmrf(dir);
}

/* A group name with '-' and ' ': the table as the writer names it; the
 * run table's key with the name as it is.  A Polygon comes back as a
 * MultiPolygon. */
static void test_group_name(void **state)
{
    (void)state;
    char dir[64], path[256];
    tu_tmpdir(dir, sizeof dir);
    const feat f[] = {{"ASB-4", "2024-12", 1, 5,
                       "POLYGON((0 0,10 0,10 10,0 10,0 0))"}};
    spec sp = {"2024-01 to 2024-12", "last_id_anti-social behaviour", "40",
               "hotspots_anti_social_behaviour", 0, wkbPolygon, 0, f, 1, NULL,
               NULL, 0, 0};
    build(dir, "g.gpkg", &sp, path, sizeof path);
    hs_error err = {0};
    hs_previous *p = hs_previous_read(path, "anti-social behaviour",
                                      "EPSG:27700", &err);
    if (!p)
        fail_msg("%s", err.msg);
    assert_int_equal(p->last_id, 40);
    assert_int_equal(p->n, 1);
    check_wkb(&p->v[0], 100);
    hs_previous_destroy(p);
    tu_rmrf(dir);
}

/* hs_previous_read fails with code and a message holding want. */
static void fails(const char *path, const char *group, const char *crs,
                  hs_status code, const char *want)
{
    hs_error err = {0};
    hs_previous *p = hs_previous_read(path, group, crs, &err);
    if (p) {
        hs_previous_destroy(p);
        fail_msg("'%s' read, expected '%s'", path, want);
    }
    assert_int_equal(err.code, code);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
}

/* Builds sp as dir/name and expects the read to fail with want. */
static void bad(const char *dir, const char *name, const spec *sp,
                hs_status code, const char *want)
{
    char path[256], full[600];
    build(dir, name, sp, path, sizeof path);
    snprintf(full, sizeof full, "previous run '%s'%s", path, want);
    fails(path, "VIO", "EPSG:27700", code, full);
}

static void test_errors(void **state)
{
    (void)state;
    char dir[64], path[256];
    tu_tmpdir(dir, sizeof dir);
    const char *per = "2024-01 to 2024-12";

    snprintf(path, sizeof path, "%s/none.gpkg", dir);
    fails(path, "VIO", "EPSG:27700", HS_ERR_IO, "none.gpkg': cannot open");

    spec sp = {NULL, NULL, NULL, "hotspots_VIO", 0, 0, 0, GOOD, 2, NULL, NULL, 0, 0};
    bad(dir, "norun.gpkg", &sp, HS_ERR_DATA,
        ": not a hotspot output (no run table)");

    sp = (spec){per, NULL, NULL, "hotspots_ASB", 0, 0, 0, GOOD, 2, NULL, NULL, 0, 0};
    bad(dir, "nogroup.gpkg", &sp, HS_ERR_DATA,
        ": the previous run has no hotspots for group VIO (no layer "
        "hotspots_VIO)");

    sp = (spec){per, NULL, NULL, "hotspots_VIO", 4326, 0, 0, GOOD, 2, NULL,
                NULL, 0, 0};
    bad(dir, "wgs84.gpkg", &sp, HS_ERR_DATA,
        ", layer hotspots_VIO: the layer is in WGS 84, this run in EPSG:27700");

    sp = (spec){"2024-01..2024-12", NULL, NULL, "hotspots_VIO", 0, 0, 0, GOOD,
                2, NULL, NULL, 0, 0};
    bad(dir, "period.gpkg", &sp, HS_ERR_DATA, ", layer run, feature 2, field "
        "value: period '2024-01..2024-12' is not 'YYYY-MM to YYYY-MM'");

    sp = (spec){per, "last_id_VIO", "12a", "hotspots_VIO", 0, 0, 0, GOOD, 2,
                NULL, NULL, 0, 0};
    bad(dir, "lastid.gpkg", &sp, HS_ERR_DATA, ", layer run, feature 4, field "
        "value: last_id_VIO '12a' is not a whole number from 0 to 999999999");
    sp = (spec){per, "last_id_VIO", "1000000000", "hotspots_VIO", 0, 0, 0, GOOD, 2,
                NULL, NULL, 0, 0};
    bad(dir, "bigid.gpkg", &sp, HS_ERR_DATA, ", layer run, feature 4, field value: last_id_VIO '1000000000' is not a "
        "whole number from 0 to 999999999");

    static const struct {
        feat f;
        const char *want;
    } cases[] = {
        {{"VIO", "2024-01", 1, 3, SQUARE},
         "feature 2, field hotspot_id: 'VIO' has no number (up to 999999999) "
         "after its last '-'"},
        {{"VIO-1000000000", "2024-01", 1, 3, SQUARE},
         "feature 2, field hotspot_id: 'VIO-1000000000' has no number (up to"},
        {{"VIO-", "2024-01", 1, 3, SQUARE},
         "feature 2, field hotspot_id: 'VIO-' has no number"},
        {{"VIO-7a", "2024-01", 1, 3, SQUARE},
         "feature 2, field hotspot_id: 'VIO-7a' has no number"},
        {{NULL, "2024-01", 1, 3, SQUARE}, "feature 2, field hotspot_id: not set"},
        {{"VIO-3", "2024-13", 1, 3, SQUARE},
         "feature 2 (VIO-3), field first_seen: '2024-13' is not a month "
         "YYYY-MM up to the run's end 2024-12"},
        {{"VIO-3", "2025-01", 1, 3, SQUARE},
         "feature 2 (VIO-3), field first_seen: '2025-01' is not a month"},
        {{"VIO-3", NULL, 1, 3, SQUARE}, "feature 2, field first_seen: not set"},
        {{"VIO-3", "2024-01", 0, 3, SQUARE},
         "feature 2 (VIO-3), field months_seen: 0 is not >= 1"},
        {{"VIO-3", "2024-01", UNSET, 3, SQUARE},
         "feature 2, field months_seen: not set"},
        {{"VIO-3", "2024-01", 1, -3, SQUARE},
         "feature 2 (VIO-3), field incidents: -3 is not a number >= 0"},
        {{"VIO-3", "2024-01", 1, 3, NULL}, "feature 2 (VIO-3): no geometry"},
        {{"VIO-7", "2024-01", 1, 3, SQUARE},
         ": hotspots VIO-07 and VIO-7 have the same number 7"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        feat f[2] = {GOOD[0], cases[k].f};
        char name[32], want[300];
        snprintf(name, sizeof name, "bad%zu.gpkg", k);
        snprintf(want, sizeof want, ", layer hotspots_VIO%s%s",
                 cases[k].want[0] == ':' ? "" : ", ", cases[k].want);
        sp = (spec){per, NULL, NULL, "hotspots_VIO", 0, 0, 0, f, 2, NULL, NULL, 0, 0};
        bad(dir, name, &sp, HS_ERR_DATA, want);
    }

    const char *const ceased[] = {"VIO-09", "VIO-x"};
    sp = (spec){per, NULL, NULL, "hotspots_VIO", 0, 0, 0, GOOD, 2,
                "hotspots_ceased_VIO", ceased, 2, 0};
    bad(dir, "ceased.gpkg", &sp, HS_ERR_DATA, ", layer hotspots_ceased_VIO, "
        "feature 2, field hotspot_id: 'VIO-x' has no number");

    /* a run that counted --when's shares: real incidents are read */
    feat shares[2] = {GOOD[0], GOOD[1]};
    shares[0].incidents = 12.375;
    sp = (spec){per, NULL, NULL, "hotspots_VIO", 0, 0, 0, shares, 2, NULL, NULL, 0, 1};
    build(dir, "real.gpkg", &sp, path, sizeof path);
    hs_error e2 = {0};
    hs_previous *pr = hs_previous_read(path, "VIO", "EPSG:27700", &e2);
    if (!pr)
        fail_msg("%s", e2.msg);
    assert_int_equal(pr->real_incidents, 1);
    assert_float_equal(pr->v[0].incidents, 12.375, 0);
    hs_previous_destroy(pr);

    sp = (spec){per, NULL, NULL, "hotspots_VIO", 0, 0, 0, GOOD, 2, NULL, NULL, 0, 0};
    build(dir, "crs.gpkg", &sp, path, sizeof path);
    fails(path, "VIO", "EPSG:999999", HS_ERR_CRS,
          "cannot resolve CRS 'EPSG:999999': PROJ");
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_last_id),
        cmocka_unit_test(test_old_style),
        cmocka_unit_test(test_group_name),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
