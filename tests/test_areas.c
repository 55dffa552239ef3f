/* test_areas.c - loading areas and assigning points, on and near
 * boundaries.  Expected areas come from arithmetic on squares, not from
 * GEOS. */
#include <math.h>

#include "util.h"

#include "geography/areas.h"

#define X0 400000.0
#define Y0 100000.0

#define write_fc tu_write_fc

/* A square with an integer population. */
static void square(char *buf, size_t n, const char *id, double x, double y,
                   double s, int pop)
{
    char p[16];
    snprintf(p, sizeof p, "%d", pop);
    tu_square(buf, n, id, x, y, s, p);
}

static void collect_warning(void *user, const char *msg)
{
    int *n = user;
    (void)msg;
    (*n)++;
}

static hs_areas *load(const char *path, hs_error *err, int *warnings)
{
    hs_areas_opts o = {.path = path, .id_field = "id", .name_field = "name",
                       .pop_field = "pop", .crs = "EPSG:27700"};
    hs_log log = {collect_warning, warnings, NULL};
    return hs_areas_load(&o, &log, err);
}

/* Two squares sharing the edge x = X0+1000: "Z1" left, "A1" right. */
static void test_shared_edge(void **state)
{
    (void)state;
    char dir[64], path[256], f1[512], f2[512], feats[1100];
    hs_error err = {0};
    int warn = 0;
    tu_tmpdir(dir, sizeof dir);
    square(f1, sizeof f1, "Z1", X0, Y0, 1000, 1500);
    square(f2, sizeof f2, "A1", X0 + 1000, Y0, 1000, 1200);
    snprintf(feats, sizeof feats, "%s,%s", f1, f2);
    write_fc(dir, "a.geojson", feats, path, sizeof path);
    hs_areas *a = load(path, &err, &warn);
    assert_non_null(a);
    assert_int_equal(hs_areas_count(a), 2);
    assert_string_equal(hs_areas_id(a, 0), "A1"); /* sorted by id */
    assert_float_equal(hs_areas_km2(a, 0), 1.0, 1e-9);
    assert_float_equal(hs_areas_population(a, 1), 1500, 0);
    int A = hs_areas_find(a, "A1"), Z = hs_areas_find(a, "Z1");
    double e = X0 + 1000;
    assert_int_equal(hs_areas_locate(a, e, Y0 + 500), A);          /* on edge */
    assert_int_equal(hs_areas_locate(a, nextafter(e, 0), Y0 + 500), Z);
    assert_int_equal(hs_areas_locate(a, nextafter(e, 1e9), Y0 + 500), A);
    assert_int_equal(hs_areas_locate(a, e, Y0 + 1000), A);         /* corner */
    assert_int_equal(hs_areas_locate(a, X0, Y0 + 500), Z);       /* outer edge */
    assert_int_equal(hs_areas_locate(a, nextafter(X0, 0), Y0 + 500), -1);
    assert_int_equal(hs_areas_locate(a, X0 + 500, Y0 + 1000.001), -1);
    assert_int_equal(hs_areas_locate(a, NAN, NAN), -1);
    hs_areas_destroy(a);

    /* the same result whatever the feature order */
    snprintf(feats, sizeof feats, "%s,%s", f2, f1);
    write_fc(dir, "b.geojson", feats, path, sizeof path);
    a = load(path, &err, &warn);
    assert_non_null(a);
    assert_int_equal(hs_areas_locate(a, e, Y0 + 500), hs_areas_find(a, "A1"));
    hs_areas_destroy(a);
    tu_rmrf(dir);
}

/* A 10 x 10 grid of 1 km squares; 60,000 points, a third of them exactly on
 * grid lines.  Expected: the smallest id among squares whose closed box
 * holds the point, computed arithmetically.  Runs the threaded path. */
static void test_grid_assign(void **state)
{
    (void)state;
    char dir[64], path[256];
    hs_error err = {0};
    int warn = 0;
    tu_tmpdir(dir, sizeof dir);
    size_t cap = 100 * 600 + 16;
    char *feats = calloc(1, cap), f[600];
    for (int r = 0; r < 10; r++)
        for (int c = 0; c < 10; c++) {
            char id[8];
            /* ids deliberately not in grid order: descending by column */
            snprintf(id, sizeof id, "G%d%d", 9 - c, r);
            square(f, sizeof f, id, X0 + c * 1000, Y0 + r * 1000, 1000, 1000);
            if (*feats)
                strcat(feats, ",");
            strcat(feats, f);
        }
    write_fc(dir, "grid.geojson", feats, path, sizeof path);
    free(feats);
    hs_areas *a = load(path, &err, &warn);
    assert_non_null(a);
    assert_int_equal(warn, 0);
    size_t n = 60000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    int32_t *got = malloc(n * sizeof *got);
    unsigned seed = 12345;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        double u = (seed >> 8) / 16777216.0;
        seed = seed * 1103515245u + 12345u;
        double v = (seed >> 8) / 16777216.0;
        x[i] = X0 - 500 + u * 11000;
        y[i] = Y0 - 500 + v * 11000;
        if (i % 3 == 1)
            x[i] = X0 + 1000 * floor(u * 11); /* on a vertical line */
        if (i % 6 == 2)
            y[i] = Y0 + 1000 * floor(v * 11); /* on a horizontal line */
    }
    /* twice: GEOS alone, then with the lookup grid; both must be exact */
    for (int pass = 0; pass < 2; pass++) {
    if (pass == 1)
        assert_int_equal(hs_areas_index(a, &err), HS_OK);
    assert_int_equal(hs_areas_assign(a, x, y, n, got, &err), HS_OK);
    for (size_t i = 0; i < n; i++) {
        char best[8] = "";
        for (int r = 0; r < 10; r++)
            for (int c = 0; c < 10; c++) {
                double bx = X0 + c * 1000, by = Y0 + r * 1000;
                if (x[i] >= bx && x[i] <= bx + 1000 && y[i] >= by &&
                    y[i] <= by + 1000) {
                    char id[8];
                    snprintf(id, sizeof id, "G%d%d", 9 - c, r);
                    if (!*best || strcmp(id, best) < 0)
                        strcpy(best, id);
                }
            }
        int want = *best ? hs_areas_find(a, best) : -1;
        if (got[i] != want)
            fail_msg("pass %d point %zu (%.3f, %.3f): got %d, want %d (%s)",
                     pass, i, x[i], y[i], got[i], want, best);
    }
    }
    free(x);
    free(y);
    free(got);
    hs_areas_destroy(a);
    tu_rmrf(dir);
}

/* A donut with another area in its hole; a bow-tie repaired with a
 * warning; duplicate ids and missing fields are errors that say so. */
static void test_holes_and_bad_polygons(void **state)
{
    (void)state;
    char dir[64], path[256], f[600], feats[2400];
    hs_error err = {0};
    int warn = 0;
    tu_tmpdir(dir, sizeof dir);
    snprintf(feats, sizeof feats,
             "{\"type\":\"Feature\",\"properties\":{\"id\":\"D\",\"name\":\"Donut\","
             "\"pop\":10},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":["
             "[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]],"
             "[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}},",
             X0, Y0, X0 + 3000, Y0, X0 + 3000, Y0 + 3000, X0, Y0 + 3000, X0, Y0,
             X0 + 1000, Y0 + 1000, X0 + 1000, Y0 + 2000, X0 + 2000, Y0 + 2000,
             X0 + 2000, Y0 + 1000, X0 + 1000, Y0 + 1000);
    square(f, sizeof f, "I", X0 + 1000, Y0 + 1000, 1000, 5);
    strcat(feats, f);
    /* bow-tie: self-intersecting at (X0+5500, Y0+500) */
    snprintf(f, sizeof f, ",{\"type\":\"Feature\",\"properties\":{\"id\":\"T\","
             "\"name\":\"Tie\",\"pop\":1},\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}}",
             X0 + 5000, Y0, X0 + 6000, Y0 + 1000, X0 + 6000, Y0, X0 + 5000,
             Y0 + 1000, X0 + 5000, Y0);
    strcat(feats, f);
    write_fc(dir, "d.geojson", feats, path, sizeof path);
    hs_areas *a = load(path, &err, &warn);
    assert_non_null(a);
    assert_true(warn >= 1); /* the bow-tie */
    assert_int_equal(hs_areas_locate(a, X0 + 1500, Y0 + 1500), hs_areas_find(a, "I"));
    assert_int_equal(hs_areas_locate(a, X0 + 500, Y0 + 1500), hs_areas_find(a, "D"));
    /* the repaired bow-tie is two triangles of 0.25 km2 each */
    assert_float_equal(hs_areas_km2(a, (size_t)hs_areas_find(a, "T")), 0.5, 1e-9);
    assert_int_equal(hs_areas_locate(a, X0 + 5900, Y0 + 500), hs_areas_find(a, "T"));
    assert_float_equal(hs_areas_km2(a, (size_t)hs_areas_find(a, "D")), 8.0, 1e-9);
    hs_areas_destroy(a);

    /* duplicate ids */
    char f2[600];
    square(f, sizeof f, "X", X0, Y0, 100, 1);
    square(f2, sizeof f2, "X", X0 + 200, Y0, 100, 1);
    snprintf(feats, sizeof feats, "%s,%s", f, f2);
    write_fc(dir, "dup.geojson", feats, path, sizeof path);
    assert_null(load(path, &err, &warn));
    assert_non_null(strstr(err.msg, "'X'"));
    assert_non_null(strstr(err.msg, "unique"));

    /* missing id field: the message lists the fields there are */
    hs_areas_opts o = {.path = path, .id_field = "code", .name_field = NULL,
                       .pop_field = NULL, .crs = "EPSG:27700"};
    assert_null(hs_areas_load(&o, NULL, &err));
    assert_non_null(strstr(err.msg, "no field 'code'"));
    assert_non_null(strstr(err.msg, "id, name, pop"));

    /* overlapping areas are reported, and the smaller id wins inside */
    square(f, sizeof f, "P", X0, Y0, 1000, 1);
    square(f2, sizeof f2, "Q", X0 + 500, Y0, 1000, 1);
    snprintf(feats, sizeof feats, "%s,%s", f, f2);
    write_fc(dir, "ov.geojson", feats, path, sizeof path);
    warn = 0;
    a = load(path, &err, &warn);
    assert_non_null(a);
    assert_int_equal(hs_areas_overlaps(a), 1);
    assert_int_equal(warn, 1);
    assert_int_equal(hs_areas_locate(a, X0 + 750, Y0 + 500), hs_areas_find(a, "P"));
    hs_areas_destroy(a);
    tu_rmrf(dir);
}

/* Areas in WGS84 are reprojected: a 0.01 x 0.01 degree box near Salisbury
 * has an area of about 0.697 km2 (independent: R^2 dlon dlat cos(lat)). */
static void test_reprojection(void **state)
{
    (void)state;
    char dir[64], path[256];
    hs_error err = {0};
    tu_tmpdir(dir, sizeof dir);
    tu_write(dir, "w.geojson",
             "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
             "\"properties\":{\"id\":\"S\"},\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[-1.80,51.06],[-1.79,51.06],[-1.79,51.07],"
             "[-1.80,51.07],[-1.80,51.06]]]}}]}",
             path, sizeof path);
    hs_areas_opts o = {.path = path, .id_field = "id", .name_field = NULL,
                       .pop_field = NULL, .crs = "EPSG:27700"};
    hs_areas *a = hs_areas_load(&o, NULL, &err);
    assert_non_null(a);
    double R = 6371.0088, d = 0.01 * M_PI / 180;
    double want = R * R * d * d * cos(51.065 * M_PI / 180);
    assert_float_equal(hs_areas_km2(a, 0), want, want * 0.005);
    assert_string_equal(hs_areas_name(a, 0), "S"); /* name defaults to id */
    assert_true(isnan(hs_areas_population(a, 0)));
    hs_areas_destroy(a);
    tu_rmrf(dir);
}

/* Real LSOA boundaries (generalised, with repaired polygons): the grid
 * path must give exactly what GEOS gives point by point, for random points
 * and for points on the boundary vertices themselves.  Skips without
 * ../shared. */
static void test_grid_real(void **state)
{
    (void)state;
    const char *src = getenv("HOTSPOT_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/../shared/data/real/ons-boundaries-2011-"
             "martinjc/lsoa2011_by_lad/E06000054.json", src ? src : ".");
    FILE *f = fopen(path, "r");
    if (!f) {
        print_message("SKIP: %s absent\n", path);
        skip();
    }
    fclose(f);
    hs_error err = {0};
    hs_areas_opts o = {.path = path, .id_field = "LSOA11CD", .name_field = NULL,
                       .pop_field = NULL, .crs = "EPSG:27700"};
    hs_areas *a = hs_areas_load(&o, NULL, &err);
    assert_non_null(a);
    double x0, y0, x1, y1;
    hs_areas_extent(a, &x0, &y0, &x1, &y1);
    size_t n = 200000, nv = 0;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    int32_t *got = malloc(n * sizeof *got);
    /* every 7th point is a vertex of some area's boundary (from its WKB:
     * the first ring's coordinates follow a 13-byte header) */
    unsigned seed = 99;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        double u = (seed >> 8) / 16777216.0;
        seed = seed * 1103515245u + 12345u;
        double v = (seed >> 8) / 16777216.0;
        x[i] = x0 + u * (x1 - x0);
        y[i] = y0 + v * (y1 - y0);
        if (i % 7 == 0) {
            size_t len, k = (size_t)(u * (double)hs_areas_count(a));
            const unsigned char *w = hs_areas_wkb(a, k, &len);
            /* polygon: order(1) type(4) nrings(4) npoints(4) then xy */
            uint32_t type, npts;
            memcpy(&type, w + 1, 4);
            size_t off = type == 3 ? 13 : 9 + 13; /* multipolygon: skip one header */
            memcpy(&npts, w + off - 4, 4);
            size_t pi = (size_t)(v * npts);
            if (off + 16 * (pi + 1) <= len) {
                memcpy(&x[i], w + off + 16 * pi, 8);
                memcpy(&y[i], w + off + 16 * pi + 8, 8);
                nv++;
            }
        }
    }
    assert_true(nv > n / 10);
    assert_int_equal(hs_areas_index(a, &err), HS_OK);
    assert_int_equal(hs_areas_assign(a, x, y, n, got, &err), HS_OK);
    size_t inside = 0;
    for (size_t i = 0; i < n; i++) {
        int want = hs_areas_locate(a, x[i], y[i]);
        if (got[i] != want)
            fail_msg("point %zu (%.3f, %.3f): grid path %d, GEOS %d", i, x[i],
                     y[i], got[i], want);
        inside += want >= 0;
    }
    assert_true(inside > n / 4);

    /* cell-centre labels of a 100 m north-up grid = GEOS at the centres */
    double cell = 100, gx0 = floor(x0 / cell) * cell, gy0 = floor(y0 / cell) * cell;
    size_t cols = (size_t)ceil((x1 - gx0) / cell), rows = (size_t)ceil((y1 - gy0) / cell);
    int32_t *lab = malloc(cols * rows * sizeof *lab);
    assert_int_equal(hs_areas_rasterize(a, gx0, gy0, cell, cols, rows, lab, &err), HS_OK);
    size_t cells_in = 0;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            double cx = gx0 + ((double)c + 0.5) * cell;
            double cy = gy0 + ((double)(rows - r) - 0.5) * cell;
            int want = hs_areas_locate(a, cx, cy);
            if (lab[r * cols + c] != want)
                fail_msg("cell (%zu, %zu) centre (%.1f, %.1f): %d, GEOS %d", r,
                         c, cx, cy, lab[r * cols + c], want);
            cells_in += want >= 0;
        }
    assert_true(cells_in > cols * rows / 4);
    free(lab);
    free(x);
    free(y);
    free(got);
    hs_areas_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_edge),
        cmocka_unit_test(test_grid_assign),
        cmocka_unit_test(test_holes_and_bad_polygons),
        cmocka_unit_test(test_reprojection),
        cmocka_unit_test(test_grid_real),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
