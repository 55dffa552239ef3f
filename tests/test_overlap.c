/*
 * test_overlap.c - overlap.h on polygons drawn by hand, with the areas of
 * intersection worked out on paper: squares, L-shapes, a multipolygon, a
 * polygon with a hole (and a square inside the hole), polygons touching
 * along an edge or at a corner (no pair); the order of the pairs; the
 * sets swapped; bad geometry.
 */
#include "util.h"

#include <math.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "geography/overlap.h"

#define MAXP 16

typedef struct polys {
    size_t n;
    unsigned char *wkb[MAXP];
    size_t len[MAXP];
} polys;

/* WKT -> ISO WKB through GEOS. */
static void make(polys *p, const char *const *wkt, size_t n)
{
    GEOSContextHandle_t ctx = GEOS_init_r();
    GEOSWKTReader *rd = GEOSWKTReader_create_r(ctx);
    GEOSWKBWriter *wr = GEOSWKBWriter_create_r(ctx);
    GEOSWKBWriter_setFlavor_r(ctx, wr, GEOS_WKB_ISO);
    GEOSWKBWriter_setByteOrder_r(ctx, wr, GEOS_WKB_NDR);
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

static hs_status overlaps(const polys *a, const polys *b, hs_overlaps *o,
                          hs_error *err)
{
    return hs_overlaps_compute((const unsigned char *const *)a->wkb, a->len,
                               a->n, (const unsigned char *const *)b->wkb,
                               b->len, b->n, "this run's hotspots",
                               "the previous run's hotspots", o, err);
}

#define NEAR(x, want) assert_true(fabs((x) - (want)) <= 1e-9)

/* Set a (metres):
 *   a0 square [0,10]²                                  100
 *   a1 L: [20,30]x[0,4] + [20,24]x[4,10]               40 + 24 = 64
 *   a2 two squares [40,42]x[0,2], [50,54]x[0,4]        4 + 16 = 20
 *   a3 [60,70]x[0,10] with the hole [62,68]x[2,8]      100 - 36 = 64
 *   a4 L: [80,90]x[0,2] + [80,82]x[2,10]               20 + 16 = 36
 * Set b:
 *   b0 [5,15]²            a0: [5,10]²                         25
 *   b1 [10,20]x[0,10]     touches a0 (x = 10), a1 (x = 20)    none
 *   b2 [10,12]²           touches a0 at the corner (10, 10)   none
 *   b3 [22,28]x[2,8]      a1: [22,28]x[2,4] + [22,24]x[4,8]   12 + 8 = 20
 *   b4 [41,51]x[1,3]      a2: [41,42]x[1,2] + [50,51]x[1,3]   1 + 2 = 3
 *   b5 [61,69]x[1,9]      a3: 64 less the hole's 36           28
 *   b6 [63,67]x[3,7]      inside a3's hole                    none
 *   b7 [8,22]x[-2,1]      a0: [8,10]x[0,1], a1: [20,22]x[0,1] 2, 2
 *   b8 L: [80,90]x[8,10] + [88,90]x[0,8] (the mirror of a4)
 *                         a4: [88,90]x[0,2] + [80,82]x[8,10]  4 + 4 = 8 */
static const char *const A[] = {
    "POLYGON((0 0,10 0,10 10,0 10,0 0))",
    "POLYGON((20 0,30 0,30 4,24 4,24 10,20 10,20 0))",
    "MULTIPOLYGON(((40 0,42 0,42 2,40 2,40 0)),((50 0,54 0,54 4,50 4,50 0)))",
    "POLYGON((60 0,70 0,70 10,60 10,60 0),(62 2,62 8,68 8,68 2,62 2))",
    "POLYGON((80 0,90 0,90 2,82 2,82 10,80 10,80 0))"};
static const char *const B[] = {
    "POLYGON((5 5,15 5,15 15,5 15,5 5))",
    "POLYGON((10 0,20 0,20 10,10 10,10 0))",
    "POLYGON((10 10,12 10,12 12,10 12,10 10))",
    "POLYGON((22 2,28 2,28 8,22 8,22 2))",
    "POLYGON((41 1,51 1,51 3,41 3,41 1))",
    "POLYGON((61 1,69 1,69 9,61 9,61 1))",
    "POLYGON((63 3,67 3,67 7,63 7,63 3))",
    "POLYGON((8 -2,22 -2,22 1,8 1,8 -2))",
    "POLYGON((80 8,88 8,88 0,90 0,90 10,80 10,80 8))"};

static const hs_overlap WANT[] = {{0, 0, 25}, {0, 7, 2}, {1, 3, 20}, {1, 7, 2},
                                  {2, 4, 3},  {3, 5, 28}, {4, 8, 8}};

static void test_shapes(void **state)
{
    (void)state;
    polys a, b;
    make(&a, A, 5);
    make(&b, B, 9);
    hs_overlaps o;
    hs_error err = {0};
    assert_int_equal(overlaps(&a, &b, &o, &err), HS_OK);
    assert_int_equal(o.na, 5);
    assert_int_equal(o.nb, 9);
    const double aa[] = {100, 64, 20, 64, 36};
    const double ab[] = {100, 100, 4, 36, 20, 64, 16, 42, 36};
    for (size_t i = 0; i < 5; i++)
        NEAR(o.area_a[i], aa[i]);
    for (size_t j = 0; j < 9; j++)
        NEAR(o.area_b[j], ab[j]);
    size_t nw = sizeof WANT / sizeof *WANT;
    if (o.n != nw)
        fail_msg("%zu pairs, expected %zu", o.n, nw);
    for (size_t k = 0; k < nw; k++) {
        if (o.v[k].i != WANT[k].i || o.v[k].j != WANT[k].j ||
            fabs(o.v[k].area - WANT[k].area) > 1e-9)
            fail_msg("pair %zu: (%zu, %zu, %.12g), expected (%zu, %zu, %g)", k,
                     o.v[k].i, o.v[k].j, o.v[k].area, WANT[k].i, WANT[k].j,
                     WANT[k].area);
    }
    hs_overlaps_free(&o);
    assert_null(o.v);

    /* swapped: the same pairs, transposed, sorted by the new i */
    assert_int_equal(overlaps(&b, &a, &o, &err), HS_OK);
    static const size_t ti[] = {0, 3, 4, 5, 7, 7, 8}, tj[] = {0, 1, 2, 3, 0, 1, 4};
    static const double tarea[] = {25, 20, 3, 28, 2, 2, 8};
    assert_int_equal(o.n, 7);
    for (size_t k = 0; k < 7; k++) {
        assert_int_equal(o.v[k].i, ti[k]);
        assert_int_equal(o.v[k].j, tj[k]);
        NEAR(o.v[k].area, tarea[k]);
    }
    hs_overlaps_free(&o);
    hs_overlaps_free(NULL);
    unmake(&a);
    unmake(&b);
}

/* One or both sets empty: no pairs, the other's areas still measured. */
static void test_empty_sets(void **state)
{
    (void)state;
    polys a;
    make(&a, A, 2);
    hs_overlaps o;
    hs_error err = {0};
    assert_int_equal(hs_overlaps_compute((const unsigned char *const *)a.wkb,
                                         a.len, 2, NULL, NULL, 0, NULL, NULL,
                                         &o, &err), HS_OK);
    assert_int_equal(o.n, 0);
    assert_null(o.v);
    assert_null(o.area_b);
    NEAR(o.area_a[1], 64);
    hs_overlaps_free(&o);
    assert_int_equal(hs_overlaps_compute(NULL, NULL, 0, NULL, NULL, 0, NULL,
                                         NULL, &o, &err), HS_OK);
    assert_int_equal(o.n, 0);
    hs_overlaps_free(&o);
    unmake(&a);
}

/* Fails with code and a message holding want; *out empty. */
static void bad(const polys *a, const polys *b, hs_status code,
                const char *want)
{
    hs_overlaps o;
    hs_error err = {0};
    assert_int_equal(overlaps(a, b, &o, &err), code);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_null(o.v);
    assert_null(o.area_a);
    assert_null(o.area_b);
}

static void test_bad(void **state)
{
    (void)state;
    polys a, b;
    make(&a, A, 3);
    const char *const notpoly[] = {B[0], "POINT(1 1)", "POLYGON EMPTY"};
    make(&b, notpoly, 3);
    bad(&a, &b, HS_ERR_GEOM, "the previous run's hotspots, polygon 1: a Point, "
        "not a polygon");
    b.n = 1; /* only b0, then b2 (empty) in its place */
    unsigned char *keep = b.wkb[0];
    size_t keep_len = b.len[0];
    b.wkb[0] = b.wkb[2];
    b.len[0] = b.len[2];
    bad(&a, &b, HS_ERR_GEOM, "the previous run's hotspots, polygon 0: an "
        "empty Polygon, not a polygon");
    b.wkb[0] = keep;
    b.len[0] = keep_len;
    b.n = 3;

    /* truncated WKB in set a, index 2 */
    size_t full = a.len[2];
    a.len[2] = 7;
    bad(&a, &b, HS_ERR_GEOM, "this run's hotspots, polygon 2: GEOS cannot read "
        "its WKB (7 bytes)");
    a.len[2] = full;
    /* garbage */
    unsigned char junk[] = {1, 99, 0, 0, 0, 1, 2, 3};
    unsigned char *save = a.wkb[1];
    a.wkb[1] = junk;
    a.len[1] = sizeof junk;
    bad(&a, &b, HS_ERR_GEOM, "this run's hotspots, polygon 1: GEOS cannot read");
    a.wkb[1] = save;

    hs_overlaps o;
    hs_error err = {0};
    assert_int_equal(hs_overlaps_compute(NULL, NULL, 2, NULL, NULL, 0, NULL,
                                         NULL, &o, &err), HS_ERR_ARG);
    unmake(&a);
    unmake(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_empty_sets),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
