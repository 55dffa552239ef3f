/*
 * test_contiguity.c - contiguity.h on polygons drawn by hand: a 3 x 3 grid
 * of unit squares (corners count: queen), an island, two squares sharing
 * one vertex, a T-junction, overlap and a hole, the snap distance, bad
 * geometry, and the hs_areas entry point on a GeoJSON file.  (R spdep
 * poly2nb checks real boundaries in test_lisa_spdep.sh.)
 */
#include "util.h"

#include <math.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "geography/contiguity.h"

#define MAXP 32

/* WKT -> WKB through GEOS, for n polygons. */
typedef struct polys {
    size_t n;
    unsigned char *wkb[MAXP];
    size_t len[MAXP];
    const char *ids[MAXP];
} polys;

static void make(polys *p, const char *const *wkt, size_t n)
{
    GEOSContextHandle_t ctx = GEOS_init_r();
    GEOSWKTReader *rd = GEOSWKTReader_create_r(ctx);
    GEOSWKBWriter *wr = GEOSWKBWriter_create_r(ctx);
    assert_true(n <= MAXP);
    p->n = n;
    for (size_t i = 0; i < n; i++) {
        GEOSGeometry *g = GEOSWKTReader_read_r(ctx, rd, wkt[i]);
        assert_non_null(g);
        unsigned char *w = GEOSWKBWriter_write_r(ctx, wr, g, &p->len[i]);
        assert_non_null(w);
        p->wkb[i] = malloc(p->len[i]);
        memcpy(p->wkb[i], w, p->len[i]);
        GEOSFree_r(ctx, w);
        GEOSGeom_destroy_r(ctx, g);
        p->ids[i] = NULL;
    }
    GEOSWKBWriter_destroy_r(ctx, wr);
    GEOSWKTReader_destroy_r(ctx, rd);
    GEOS_finish_r(ctx);
}

static void unmake(polys *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->wkb[i]);
}

static hs_status queen(polys *p, double snap, hs_nb *nb, hs_error *err)
{
    return hs_contiguity_queen_wkb((const unsigned char *const *)p->wkb,
                                   p->len, p->ids, p->n, snap, nb, err);
}

/* Area i's list is exactly want[0..k), ascending. */
static void expect(const hs_nb *nb, size_t i, const uint32_t *want, size_t k)
{
    size_t got = nb->start[i + 1] - nb->start[i];
    if (got != k)
        fail_msg("area %zu: %zu neighbours, expected %zu", i, got, k);
    for (size_t e = 0; e < k; e++)
        if (nb->nb[nb->start[i] + e] != want[e])
            fail_msg("area %zu: neighbour %zu is %u, expected %u", i, e,
                     (unsigned)nb->nb[nb->start[i] + e], (unsigned)want[e]);
}

/* Symmetric, sorted, no self. */
static void invariants(const hs_nb *nb)
{
    for (size_t i = 0; i < nb->n; i++)
        for (size_t e = nb->start[i]; e < nb->start[i + 1]; e++) {
            uint32_t j = nb->nb[e];
            assert_true(j != i && j < nb->n);
            if (e > nb->start[i])
                assert_true(nb->nb[e - 1] < j);
            int back = 0;
            for (size_t f = nb->start[j]; f < nb->start[j + 1]; f++)
                back |= nb->nb[f] == i;
            assert_true(back);
        }
}

static char GRID[9][96];

/* Squares (c, r) of a 3 x 3 grid, index r * 3 + c (r = 0 the south row),
 * then: 9 an island far away, 10 and 11 two squares meeting only at the
 * point (20, 20). */
static void grid_case(const char **wkt)
{
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) {
            snprintf(GRID[r * 3 + c], sizeof GRID[0],
                     "POLYGON((%d %d,%d %d,%d %d,%d %d,%d %d))", c, r, c + 1, r,
                     c + 1, r + 1, c, r + 1, c, r);
            wkt[r * 3 + c] = GRID[r * 3 + c];
        }
    wkt[9] = "POLYGON((10 10,11 10,11 11,10 11,10 10))";
    wkt[10] = "POLYGON((19 19,20 19,20 20,19 20,19 19))";
    wkt[11] = "POLYGON((20 20,21 20,21 21,20 21,20 20))";
}

static void test_grid(void **state)
{
    (void)state;
    const char *wkt[12];
    grid_case(wkt);
    polys p;
    make(&p, wkt, 12);
    hs_nb nb;
    hs_error err = {0};
    assert_int_equal(queen(&p, 0, &nb, &err), HS_OK);
    assert_int_equal(nb.n, 12);
    invariants(&nb);
    /* 6 7 8
     * 3 4 5
     * 0 1 2 : the centre has all 8, a corner 3 (two edges, one vertex),
     * an edge square 5 */
    const uint32_t c4[] = {0, 1, 2, 3, 5, 6, 7, 8}, c0[] = {1, 3, 4},
                   c8[] = {4, 5, 7}, c1[] = {0, 2, 3, 4, 5},
                   c6[] = {3, 4, 7}, c10[] = {11}, c11[] = {10};
    expect(&nb, 4, c4, 8);
    expect(&nb, 0, c0, 3);
    expect(&nb, 8, c8, 3);
    expect(&nb, 6, c6, 3);
    expect(&nb, 1, c1, 5);
    expect(&nb, 9, NULL, 0);      /* the island */
    expect(&nb, 10, c10, 1);      /* one shared vertex is enough */
    expect(&nb, 11, c11, 1);
    assert_int_equal(nb.start[12], 8 + 4 * 3 + 4 * 5 + 2);
    hs_nb_free(&nb);
    assert_null(nb.start);
    hs_nb_free(NULL);

    /* the same with a snap: squares 9 and 10 stay apart (8 units) */
    assert_int_equal(queen(&p, 0.5, &nb, &err), HS_OK);
    expect(&nb, 9, NULL, 0);
    expect(&nb, 4, c4, 8);
    hs_nb_free(&nb);
    unmake(&p);
}

/* Cases poly2nb would see differently (contiguity.h), and the snap. */
static void test_rules(void **state)
{
    (void)state;
    const char *wkt[] = {
        /* 0, 1: two unit squares; 2 a 2 x 1 rectangle on top of both
         * whose edge has no vertex at (1, 1): a T-junction, neighbours */
        "POLYGON((0 0,1 0,1 1,0 1,0 0))",
        "POLYGON((1 0,2 0,2 1,1 1,1 0))",
        "POLYGON((0 1,2 1,2 2,0 2,0 1))",
        /* 3: a ring with a hole, 4: the hole's filling; 5 overlaps 3 */
        "POLYGON((10 0,16 0,16 6,10 6,10 0),(12 2,14 2,14 4,12 4,12 2))",
        "POLYGON((12 2,14 2,14 4,12 4,12 2))",
        "POLYGON((15 5,18 5,18 8,15 8,15 5))",
        /* 6: 0.25 east of square 1; 7 a multipolygon with a part at 5 */
        "POLYGON((2.25 0,3 0,3 1,2.25 1,2.25 0))",
        "MULTIPOLYGON(((30 30,31 30,31 31,30 31,30 30)),"
        "((17 5,17.5 5,17.5 5.5,17 5.5,17 5)))",
    };
    polys p;
    make(&p, wkt, 8);
    hs_nb nb;
    hs_error err = {0};
    assert_int_equal(queen(&p, 0, &nb, &err), HS_OK);
    invariants(&nb);
    const uint32_t n0[] = {1, 2}, n1[] = {0, 2}, n2[] = {0, 1}, n3[] = {4, 5},
                   n5[] = {3, 7}, n7[] = {5};
    expect(&nb, 0, n0, 2);
    expect(&nb, 1, n1, 2);
    expect(&nb, 2, n2, 2);
    expect(&nb, 3, n3, 2);
    expect(&nb, 5, n5, 2);
    expect(&nb, 6, NULL, 0);
    expect(&nb, 7, n7, 1);
    hs_nb_free(&nb);
    /* within 0.25: 6 joins 1 (and only 1: 2 is 0.25 away diagonally at
     * (2, 1) - (2.25, 1), also exactly 0.25) */
    assert_int_equal(queen(&p, 0.25, &nb, &err), HS_OK);
    invariants(&nb);
    const uint32_t s6[] = {1, 2};
    expect(&nb, 6, s6, 2);
    hs_nb_free(&nb);
    assert_int_equal(queen(&p, 0.2, &nb, &err), HS_OK);
    expect(&nb, 6, NULL, 0);
    hs_nb_free(&nb);
    unmake(&p);
}

static void test_errors(void **state)
{
    (void)state;
    const char *wkt[] = {"POLYGON((0 0,1 0,1 1,0 1,0 0))",
                         "POLYGON((1 0,2 0,2 1,1 1,1 0))",
                         "LINESTRING(0 0,5 5)",
                         "POLYGON EMPTY"};
    polys p;
    make(&p, wkt, 4);
    p.ids[0] = "A";
    p.ids[1] = "B";
    p.ids[2] = "C";
    p.ids[3] = "D";
    hs_nb nb;
    hs_error err = {0};
    /* a line */
    p.n = 3;
    assert_int_equal(queen(&p, 0, &nb, &err), HS_ERR_GEOM);
    assert_non_null(strstr(err.msg, "area 2 ('C')"));
    assert_non_null(strstr(err.msg, "LineString"));
    assert_null(nb.start);
    /* an empty polygon */
    const unsigned char *w[2] = {p.wkb[0], p.wkb[3]};
    size_t l[2] = {p.len[0], p.len[3]};
    assert_int_equal(hs_contiguity_queen_wkb(w, l, NULL, 2, 0, &nb, &err),
                     HS_ERR_GEOM);
    assert_non_null(strstr(err.msg, "area 1:"));
    assert_non_null(strstr(err.msg, "empty"));
    /* WKB that is not WKB, and WKB cut short */
    unsigned char junk[] = {1, 3, 0, 0, 0, 9, 9, 9};
    w[1] = junk;
    l[1] = sizeof junk;
    assert_int_equal(hs_contiguity_queen_wkb(w, l, NULL, 2, 0, &nb, &err),
                     HS_ERR_GEOM);
    assert_non_null(strstr(err.msg, "area 1"));
    assert_non_null(strstr(err.msg, "cannot read"));
    p.n = 2;
    p.len[1] -= 8;
    assert_int_equal(queen(&p, 0, &nb, &err), HS_ERR_GEOM);
    assert_non_null(strstr(err.msg, "area 1 ('B')"));
    p.len[1] += 8;
    /* bad snap */
    assert_int_equal(queen(&p, -1, &nb, &err), HS_ERR_ARG);
    assert_int_equal(queen(&p, NAN, &nb, &err), HS_ERR_ARG);
    /* no areas, one area */
    p.n = 0;
    assert_int_equal(queen(&p, 0, &nb, &err), HS_OK);
    assert_int_equal(nb.n, 0);
    assert_int_equal(nb.start[0], 0);
    hs_nb_free(&nb);
    p.n = 1;
    assert_int_equal(queen(&p, 0, &nb, &err), HS_OK);
    expect(&nb, 0, NULL, 0);
    hs_nb_free(&nb);
    p.n = 4;
    unmake(&p);
}

/* hs_areas: the areas are sorted by id, the lists follow that order. */
static void test_areas(void **state)
{
    (void)state;
    char dir[64], path[4200], feats[4096] = "", sq[512];
    tu_tmpdir(dir, sizeof dir);
    /* ids out of order: "c" west, "a" east of it, "b" touching "a" at a
     * corner, "d" apart */
    const struct { const char *id; double x, y; } s[] = {
        {"c", 400000, 200000}, {"a", 400100, 200000},
        {"b", 400200, 200100}, {"d", 401000, 201000}};
    for (int i = 0; i < 4; i++) {
        tu_square(sq, sizeof sq, s[i].id, s[i].x, s[i].y, 100, "100");
        strcat(feats, i ? "," : "");
        strcat(feats, sq);
    }
    tu_write_fc(dir, "sq.geojson", feats, path, sizeof path);
    hs_areas_opts o = {.path = path, .id_field = "id", .crs = "EPSG:27700"};
    hs_error err = {0};
    hs_areas *a = hs_areas_load(&o, NULL, &err);
    assert_non_null(a);
    hs_nb nb;
    assert_int_equal(hs_contiguity_queen(a, 0, &nb, &err), HS_OK);
    assert_string_equal(hs_areas_id(a, 0), "a");
    const uint32_t na[] = {1, 2}, nbb[] = {0}, nc[] = {0};
    expect(&nb, 0, na, 2);
    expect(&nb, 1, nbb, 1);
    expect(&nb, 2, nc, 1);
    expect(&nb, 3, NULL, 0);
    hs_nb_free(&nb);
    hs_areas_destroy(a);
    assert_int_equal(hs_contiguity_queen(NULL, 0, &nb, &err), HS_ERR_ARG);
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_areas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
