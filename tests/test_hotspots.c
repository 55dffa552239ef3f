/*
 * test_hotspots.c - hotspots.h on small grids worked by hand.
 *
 * Every expected value below (means, breaks, classes, components, polygon
 * areas and envelopes, incidents, shares, PAI, areas, locations, ranks,
 * tasking rows) was worked out on paper from the grids drawn in the
 * comments, not produced by the code under test.
 *
 * All grids use x0 = 1000, y0 = 2000, cell = 100 m (0.01 km² a cell), so
 * row r of a 6-row grid spans y [2000 + (5-r)*100, 2100 + (5-r)*100) and
 * column c spans x [1000 + 100c, 1100 + 100c).
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gdal.h>
#include <ogr_api.h>

#include "analysis/hotspots.h"

/* Fails with both values shown when |got - want| > tol. */
static void check_close(double got, double want, double tol, const char *what,
                        int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("line %d: %s = %.17g, expected %.17g\n", line, what, got,
                    want);
        fail();
    }
}
#define CHECK_CLOSE(got, want) check_close((got), (want), 1e-12, #got, __LINE__)

/* Area, envelope and interior-ring count of a hotspot's WKB, checked
 * exactly: every vertex is a cell edge, so no rounding is allowed. */
static void check_wkb(const unsigned char *wkb, size_t len, double area,
                      double minx, double maxx, double miny, double maxy,
                      int holes)
{
    OGRGeometryH g = NULL;
    assert_true(len > 9);
    assert_int_equal(wkb[0], 1); /* NDR */
    assert_int_equal(OGR_G_CreateFromWkb(wkb, NULL, &g, (int)len),
                     OGRERR_NONE);
    assert_int_equal(OGR_G_GetGeometryType(g), wkbMultiPolygon);
    assert_int_equal(OGR_G_GetGeometryCount(g), 1);
    assert_true(OGR_G_Area(g) == area);
    OGREnvelope e;
    OGR_G_GetEnvelope(g, &e);
    assert_true(e.MinX == minx && e.MaxX == maxx);
    assert_true(e.MinY == miny && e.MaxY == maxy);
    /* a polygon's sub-geometries are its rings: 1 exterior + holes */
    assert_int_equal(OGR_G_GetGeometryCount(OGR_G_GetGeometryRef(g, 0)),
                     1 + holes);
    OGR_G_DestroyGeometry(g);
}

static void check_geom(const hs_hotspot *s, double area, double minx,
                       double maxx, double miny, double maxy, int holes)
{
    check_wkb(s->wkb, s->wkb_len, area, minx, maxx, miny, maxy, holes);
}

static const hs_grid_geom G68 = {1000, 2000, 100, 8, 6};

/*
 * Grid 1, default options (mean-multiple 1..5, hot from class 3), no mask.
 * Sixteen non-zero cells: 10, 8, 6, 4, 2, 1, 0.25 x2, 0.0625 x8;
 * sum 31 + 0.5 + 0.5 = 32, so mean = 2 and breaks = 2, 4, 6, 8, 10.
 * Squared deviations: 64 + 36 + 16 + 4 + 0 + 1 + 2 x 3.0625
 * + 8 x 3.75390625 = 157.15625, so sd = sqrt(157.15625 / 16).
 *
 *        c0     c1     c2   c3   c4   c5   c6   c7
 *   r0   10     0      0    0    0    0    0    0
 *   r1   0      4      2    1    0    0    0    0
 *   r2   .0625 in every column
 *   r3   .25    .25    0    0    0    0    0    0
 *   r4   0      0      0    0    0    0    8    6
 *   r5   0 in every column
 * Hot (>= 6): {(0,0)} and {(4,6),(4,7)}.
 */
static void grid1(double *d)
{
    memset(d, 0, 48 * sizeof *d);
    d[0] = 10;
    d[9] = 4;
    d[10] = 2;
    d[11] = 1;
    for (int c = 0; c < 8; c++)
        d[16 + c] = 0.0625;
    d[24] = d[25] = 0.25;
    d[38] = 8;
    d[39] = 6;
}

static void test_mean_breaks_classes(void **state)
{
    (void)state;
    double d[48];
    grid1(d);
    hs_error err = {0};
    hs_hotspots *h =
        hs_hotspots_find(d, NULL, &G68, NULL, NULL, NULL, NULL, 0, "VIO", NULL,
                         &err);
    assert_non_null(h);
    assert_true(h->mean == 2.0);
    CHECK_CLOSE(h->sd, sqrt(157.15625 / 16));
    assert_int_equal(h->nbreaks, 5);
    for (int i = 0; i < 5; i++)
        assert_true(h->breaks[i] == 2.0 * (i + 1));
    /* class = number of breaks reached; a value equal to a break reaches it */
    assert_int_equal(h->cls[0], 5);  /* 10 */
    assert_int_equal(h->cls[9], 2);  /* 4  */
    assert_int_equal(h->cls[10], 1); /* 2 = mean */
    assert_int_equal(h->cls[11], 0); /* 1  */
    assert_int_equal(h->cls[16], 0); /* 0.0625 */
    assert_int_equal(h->cls[38], 4); /* 8  */
    assert_int_equal(h->cls[39], 3); /* 6 = 3 x mean */
    assert_int_equal(h->cls[47], 0); /* 0  */
    assert_true(h->mask_km2 == 48 * 0.01);
    assert_int_equal(h->mask_incidents, 0);

    /* No incidents: both tie at 0, so the larger one ranks first. */
    assert_int_equal(h->n, 2);
    assert_string_equal(h->v[0].id, "VIO-01");
    assert_string_equal(h->v[1].id, "VIO-02");
    assert_int_equal(h->v[0].rank, 1);
    assert_int_equal(h->v[0].ncells, 2);
    assert_int_equal(h->v[0].cls, 4);
    assert_true(h->v[0].km2 == 0.02);
    assert_int_equal(h->v[1].ncells, 1);
    assert_int_equal(h->v[1].cls, 5);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(h->v[i].incidents, 0);
        assert_true(h->v[i].share == 0 && h->v[i].pai == 0);
        assert_int_equal(h->v[i].area, -1); /* no mask */
        assert_int_equal(h->v[i].location, -1);
    }
    /* (4,6),(4,7): x 1600..1800, y 2100..2200 */
    check_geom(&h->v[0], 20000, 1600, 1800, 2100, 2200, 0);
    check_geom(&h->v[1], 10000, 1000, 1100, 2500, 2600, 0);
    hs_hotspots_destroy(h);
}

/*
 * Grid 2: components, mask, incidents.  Options: mean-multiple k = 1, 2,
 * hot from class 1.  Column 7 is outside every study area (its 100s and
 * NaN must be ignored).
 *
 *   density                              label
 *        c0 c1 c2 c3 c4 c5 c6 c7         c0 c1 c2 c3 c4 c5 c6 c7
 *   r0   5  3  1  1  1  1  1  100        1  1  0  0  1  1  1  -1
 *   r1   3  3  1  1  5  3  3  100        0  0  0  0  0  1  1  -1
 *   r2   1  1  3  1  3  1  3  100        0  0  0  0  0  1  1  -1
 *   r3   1  1  1  1  3  3  3  100        0  0  0  0  0  1  1  -1
 *   r4   0  0  0  0  0  1  1  100        0  0  0  0  1  1  1  -1
 *   r5   0  0  0  0  0  0  0  NaN        0  0  0  0  1  1  1  -1
 *
 * Non-zero unmasked: thirteen >= 3 (two 5s, eleven 3s: sum 43) and
 * seventeen 1s: mean = 60 / 30 = 2, breaks 2, 4; squared deviations
 * 2 x 9 + 11 x 1 + 17 x 1 = 46, sd = sqrt(46 / 30).
 * Hot (>= 2): P = (0,0),(0,1),(1,0),(1,1); Q = (2,2), touching P only at
 * a corner, so a separate hotspot; R = the ring r1..r3 x c4..c6 around the
 * cold hole (2,5).  Mask: 42 cells = 0.42 km².
 */
static const double D2[48] = {
    5, 3, 1, 1, 1, 1, 1, 100,
    3, 3, 1, 1, 5, 3, 3, 100,
    1, 1, 3, 1, 3, 1, 3, 100,
    1, 1, 1, 1, 3, 3, 3, 100,
    0, 0, 0, 0, 0, 1, 1, 100,
    0, 0, 0, 0, 0, 0, 0, NAN,
};
static const int32_t L2[48] = {
    1, 1, 0, 0, 1, 1, 1, -1,
    0, 0, 0, 0, 0, 1, 1, -1,
    0, 0, 0, 0, 0, 1, 1, -1,
    0, 0, 0, 0, 0, 1, 1, -1,
    0, 0, 0, 0, 1, 1, 1, -1,
    0, 0, 0, 0, 1, 1, 1, -1,
};

/* Points and the cell each falls in by the floor rule. */
static const double PX2[] = {
    1050,   /* (0,0) P                                     loc 7 */
    1100,   /* (0,1) P: on the c0|c1 edge and the r0|r1 edge loc 7 */
    1000,   /* (1,0) P: west edge of the grid, r1|r2 edge    loc 3 */
    1450,   /* (1,4) R                                     loc 5 */
    1650,   /* (3,6) R                                     loc 9 */
    1600,   /* (2,6) R: corner of (2,5),(2,6),(3,5),(3,6)   loc 9 */
    1500,   /* (3,5) R: corner point                        loc 5 */
    1550,   /* (2,5) the hole: in the mask, in no hotspot   loc 5 */
    1200,   /* (1,2) cold: the corner P and Q share goes NE loc 1 */
    1200,   /* (2,2) Q                                    no loc */
    1750,   /* (2,7) masked                                loc 2 */
    999.9,  /* west of the grid                                   */
    1800,   /* on the east edge of the grid: outside              */
    1500,   /* on the north edge of the grid: outside             */
    NAN,    /* no coordinate                                      */
    1000,   /* (5,0) the south-west corner: in, zero cell   loc 4 */
    1450,   /* south of the grid                                  */
};
static const double PY2[] = {
    2550, 2500, 2400, 2450, 2250, 2300, 2200, 2350, 2400, 2300,
    2350, 2300, 2300, 2600, 2300, 2000, 1999.5,
};
static const int32_t LOC2[] = {7, 7, 3, 5, 9, 9, 5, 5, 1, -1, 2, 1, 1, 1, 1, 4, 1};
#define N2 (sizeof PX2 / sizeof PX2[0])

static hs_hotspots *find2(hs_error *err)
{
    hs_hotspot_opts o = {.method = HS_THRESH_MEAN_MULTIPLE,
                         .k = {1, 2}, .nk = 2, .hot_class = 1};
    return hs_hotspots_find(D2, L2, &G68, PX2, PY2, NULL, LOC2, N2, "SAC", &o,
                            err);
}

static void test_components_incidents_mask(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_hotspots *h = find2(&err);
    assert_non_null(h);
    assert_true(h->mean == 2.0);
    CHECK_CLOSE(h->sd, sqrt(46.0 / 30));
    assert_true(h->breaks[0] == 2 && h->breaks[1] == 4);
    assert_int_equal(h->cls[0], 2);   /* 5 */
    assert_int_equal(h->cls[1], 1);   /* 3 */
    assert_int_equal(h->cls[2], 0);   /* 1 */
    assert_int_equal(h->cls[32], 0);  /* 0 */
    for (int r = 0; r < 6; r++)       /* column 7, the NaN included */
        assert_int_equal(h->cls[r * 8 + 7], HS_CLS_MASKED);
    CHECK_CLOSE(h->mask_km2, 0.42);
    assert_int_equal(h->mask_incidents, 11);

    assert_int_equal(h->n, 3);
    const hs_hotspot *r = &h->v[0], *p = &h->v[1], *q = &h->v[2];
    /* R: 4 incidents, rank 1 */
    assert_string_equal(r->id, "SAC-01");
    assert_int_equal(r->ncells, 8);
    assert_int_equal(r->incidents, 4);
    assert_int_equal(r->cls, 2);
    assert_true(r->km2 == 0.08);
    CHECK_CLOSE(r->share, 4.0 / 11);
    CHECK_CLOSE(r->pai, (4.0 / 11) / (0.08 / 0.42)); /* = 168/88 */
    CHECK_CLOSE(r->pai, 168.0 / 88);
    assert_int_equal(r->area, 1);     /* 5 cells in board 1, 3 in board 0 */
    assert_int_equal(r->location, 5); /* 5,9,9,5: tie -> smaller id */
    check_geom(r, 80000, 1400, 1700, 2200, 2500, 1);
    /* P: 3 incidents */
    assert_string_equal(p->id, "SAC-02");
    assert_int_equal(p->ncells, 4);
    assert_int_equal(p->incidents, 3);
    assert_int_equal(p->cls, 2);
    CHECK_CLOSE(p->share, 3.0 / 11);
    CHECK_CLOSE(p->pai, 31.5 / 11);
    assert_int_equal(p->area, 0);     /* 2 cells each: tie -> board 0 */
    assert_int_equal(p->location, 7); /* 7,7,3 */
    check_geom(p, 40000, 1000, 1200, 2400, 2600, 0);
    /* Q: 1 incident, no location */
    assert_string_equal(q->id, "SAC-03");
    assert_int_equal(q->ncells, 1);
    assert_int_equal(q->incidents, 1);
    assert_int_equal(q->cls, 1);
    CHECK_CLOSE(q->share, 1.0 / 11);
    CHECK_CLOSE(q->pai, 42.0 / 11);
    assert_int_equal(q->area, 0);
    assert_int_equal(q->location, -1);
    check_geom(q, 10000, 1200, 1300, 2300, 2400, 0);

    /* Without loc: no locations, same counts. */
    hs_hotspot_opts o = {.method = HS_THRESH_MEAN_MULTIPLE,
                         .k = {1, 2}, .nk = 2, .hot_class = 1};
    hs_hotspots *h2 =
        hs_hotspots_find(D2, L2, &G68, PX2, PY2, NULL, NULL, N2, "SAC", &o,
                         &err);
    assert_non_null(h2);
    assert_int_equal(h2->n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(h2->v[i].location, -1);
        assert_int_equal(h2->v[i].incidents, h->v[i].incidents);
    }
    hs_hotspots_destroy(h2);
    hs_hotspots_destroy(h);
}

/*
 * 20 x 20 checkerboard: 3 where r + c is even, 1 elsewhere; mean 2, hot
 * (k = 1, class 1) = the 200 even cells, which touch only at corners: 200
 * one-cell hotspots.  No incidents, equal sizes: ranked by cell index, and
 * ids grow a third digit from 100.
 */
static void test_checkerboard_ranks_ids(void **state)
{
    (void)state;
    double d[400];
    for (int i = 0; i < 400; i++)
        d[i] = ((i / 20 + i % 20) % 2 == 0) ? 3 : 1;
    hs_grid_geom g = {0, 0, 50, 20, 20};
    hs_hotspot_opts o = {.k = {1}, .nk = 1, .hot_class = 1};
    hs_error err = {0};
    hs_hotspots *h =
        hs_hotspots_find(d, NULL, &g, NULL, NULL, NULL, NULL, 0, "CB", &o,
                         &err);
    assert_non_null(h);
    assert_int_equal(h->n, 200);
    assert_string_equal(h->v[0].id, "CB-01");
    assert_string_equal(h->v[98].id, "CB-99");
    assert_string_equal(h->v[99].id, "CB-100");
    assert_string_equal(h->v[199].id, "CB-200");
    /* rank 1 = cell (0,0): x 0..50, y 950..1000; rank 2 = (0,2) */
    check_geom(&h->v[0], 2500, 0, 50, 950, 1000, 0);
    check_geom(&h->v[1], 2500, 100, 150, 950, 1000, 0);
    /* rank 11 = (1,1): x 50..100, y 900..950; last = (19,19) */
    check_geom(&h->v[10], 2500, 50, 100, 900, 950, 0);
    check_geom(&h->v[199], 2500, 950, 1000, 0, 50, 0);
    hs_hotspots_destroy(h);
}

/*
 * Mean + k SD.  Non-zero cells 2, 2, 8, 8, 5 x5: mean 5, squared
 * deviations 9 x 4 = 36 over 9 cells, sd 2.  k = 0.5, 1, 1.5: breaks 6, 7,
 * 8; the 8s reach all three (class 3), the 5s none.  The same surface by
 * mean multiples (breaks 5, 10, 15, 20, 25) has no cell in class 3.
 *   r2: 0 2 5 5 5 0 0 0      r3: 0 2 5 5 8 8 0 0
 */
static void test_mean_sd(void **state)
{
    (void)state;
    double d[48] = {0};
    d[17] = 2; d[18] = d[19] = d[20] = 5;
    d[25] = 2; d[26] = d[27] = 5; d[28] = d[29] = 8;
    hs_hotspot_opts o = {.method = HS_THRESH_MEAN_SD,
                         .k = {0.5, 1, 1.5}, .nk = 3, .hot_class = 3};
    hs_error err = {0};
    hs_hotspots *h =
        hs_hotspots_find(d, NULL, &G68, NULL, NULL, NULL, NULL, 0, "X", &o,
                         &err);
    assert_non_null(h);
    assert_true(h->mean == 5 && h->sd == 2);
    assert_true(h->breaks[0] == 6 && h->breaks[1] == 7 && h->breaks[2] == 8);
    assert_int_equal(h->cls[28], 3);
    assert_int_equal(h->cls[18], 0);
    assert_int_equal(h->cls[17], 0);
    assert_int_equal(h->n, 1);
    assert_int_equal(h->v[0].ncells, 2);
    assert_int_equal(h->v[0].cls, 3);
    /* (3,4),(3,5): x 1400..1600, y 2200..2300 */
    check_geom(&h->v[0], 20000, 1400, 1600, 2200, 2300, 0);
    hs_hotspots_destroy(h);

    h = hs_hotspots_find(d, NULL, &G68, NULL, NULL, NULL, NULL, 0, "X", NULL,
                         &err);
    assert_non_null(h);
    assert_true(h->mean == 5 && h->breaks[0] == 5 && h->breaks[2] == 15);
    assert_int_equal(h->cls[18], 1); /* 5 = mean */
    assert_int_equal(h->cls[28], 1);
    assert_int_equal(h->n, 0);
    hs_hotspots_destroy(h);
}

/* Ties: equal incidents -> more cells first; equal cells -> first cell. */
static void test_rank_ties(void **state)
{
    (void)state;
    /* hot 3s, cold 1s (mean 2, k = 1): A = (0,0); B = (0,6),(0,7);
     * C = (5,0); D = (5,7).  One incident each in A, B, C; none in D. */
    double d[48];
    for (int i = 0; i < 48; i++)
        d[i] = 1;
    d[0] = d[6] = d[7] = d[40] = d[47] = 3;
    /* 5 hot, 43 cold: mean = (15 + 43) / 48, below 3 and above 1. */
    double px[] = {1000, 1700, 1050}, py[] = {2550, 2550, 2050};
    hs_hotspot_opts o = {.k = {1}, .nk = 1, .hot_class = 1};
    hs_error err = {0};
    hs_hotspots *h =
        hs_hotspots_find(d, NULL, &G68, px, py, NULL, NULL, 3, "T", &o, &err);
    assert_non_null(h);
    assert_int_equal(h->n, 4);
    /* B (1 inc, 2 cells), A (1, 1, cell 0), C (1, 1, cell 40), D (0) */
    assert_int_equal(h->v[0].ncells, 2);
    check_geom(&h->v[1], 10000, 1000, 1100, 2500, 2600, 0);
    check_geom(&h->v[2], 10000, 1000, 1100, 2000, 2100, 0);
    check_geom(&h->v[3], 10000, 1700, 1800, 2000, 2100, 0);
    assert_int_equal(h->v[3].incidents, 0);
    assert_string_equal(h->v[3].id, "T-04");
    hs_hotspots_destroy(h);
}

static void test_degenerate(void **state)
{
    (void)state;
    double d[48] = {0};
    hs_error err = {0};
    /* all zero: no hotspots, mean 0, not an error */
    hs_hotspots *h =
        hs_hotspots_find(d, NULL, &G68, NULL, NULL, NULL, NULL, 0, "X", NULL,
                         &err);
    assert_non_null(h);
    assert_true(h->mean == 0 && h->sd == 0);
    assert_int_equal(h->n, 0);
    assert_null(h->v);
    assert_int_equal(h->cls[5], 0);
    hs_hotspots_destroy(h);

    /* every cell masked: all 255, nothing measured */
    int32_t lab[48];
    for (int i = 0; i < 48; i++) {
        lab[i] = -1;
        d[i] = 7;
    }
    double px = 1050, py = 2050;
    h = hs_hotspots_find(d, lab, &G68, &px, &py, NULL, NULL, 1, "X", NULL,
                         &err);
    assert_non_null(h);
    assert_true(h->mean == 0 && h->mask_km2 == 0);
    assert_int_equal(h->mask_incidents, 0);
    assert_int_equal(h->n, 0);
    for (int i = 0; i < 48; i++)
        assert_int_equal(h->cls[i], HS_CLS_MASKED);
    hs_hotspots_destroy(h);

    /* a flat surface: every non-zero cell is exactly the mean, class 1 */
    for (int i = 0; i < 48; i++)
        d[i] = 4;
    h = hs_hotspots_find(d, NULL, &G68, NULL, NULL, NULL, NULL, 0, "X", NULL,
                         &err);
    assert_non_null(h);
    assert_int_equal(h->cls[0], 1);
    assert_int_equal(h->n, 0);
    hs_hotspots_destroy(h);

    hs_hotspots_destroy(NULL); /* no-op */
}

static void expect_arg(hs_hotspots *h, hs_error *err, const char *text)
{
    assert_null(h);
    assert_int_equal(err->code, HS_ERR_ARG);
    if (!strstr(err->msg, text)) {
        print_error("message '%s' lacks '%s'\n", err->msg, text);
        fail();
    }
    hs_error_clear(err);
}

static void test_argument_errors(void **state)
{
    (void)state;
    double d[48] = {0};
    d[3] = 1;
    hs_error err = {0};
    hs_hotspot_opts o;
#define FIND(opts) hs_hotspots_find(d, NULL, &G68, NULL, NULL, NULL, NULL, 0, \
                                    "X", (opts), &err)
    hs_hotspot_opts_default(&o);
    o.nk = 0;
    expect_arg(FIND(&o), &err, "0 class breaks");
    o.nk = 9;
    expect_arg(FIND(&o), &err, "9 class breaks");
    hs_hotspot_opts_default(&o);
    o.k[2] = 2;
    expect_arg(FIND(&o), &err, "must increase");
    o.k[2] = NAN;
    expect_arg(FIND(&o), &err, "not a number");
    hs_hotspot_opts_default(&o);
    o.hot_class = 0;
    expect_arg(FIND(&o), &err, "hot class 0");
    o.hot_class = 6;
    expect_arg(FIND(&o), &err, "hot class 6");
    hs_hotspot_opts_default(&o);
    o.method = (hs_threshold)7;
    expect_arg(FIND(&o), &err, "method");

    expect_arg(hs_hotspots_find(NULL, NULL, &G68, NULL, NULL, NULL, NULL, 0,
                                "X",
                                NULL, &err), &err, "missing");
    expect_arg(hs_hotspots_find(d, NULL, &G68, NULL, NULL, NULL, NULL, 2, "X",
                                NULL,
                                &err), &err, "missing");
    expect_arg(hs_hotspots_find(d, NULL, &G68, NULL, NULL, NULL, NULL, 0,
                                "THIRTEENCHARS", NULL, &err), &err, "prefix");
    hs_grid_geom g = G68;
    g.cell = 0;
    expect_arg(hs_hotspots_find(d, NULL, &g, NULL, NULL, NULL, NULL, 0, "X",
                                NULL,
                                &err), &err, "cell size");
    g = G68;
    g.rows = 0;
    expect_arg(hs_hotspots_find(d, NULL, &g, NULL, NULL, NULL, NULL, 0, "X",
                                NULL,
                                &err), &err, "empty or too large");
    g.rows = (size_t)1 << 31; /* beyond GDAL's int sizes */
    expect_arg(hs_hotspots_find(d, NULL, &g, NULL, NULL, NULL, NULL, 0, "X",
                                NULL,
                                &err), &err, "empty or too large");
    g.rows = g.cols = INT_MAX; /* rows * cols * 8 overflows size_t */
    expect_arg(hs_hotspots_find(d, NULL, &g, NULL, NULL, NULL, NULL, 0, "X",
                                NULL,
                                &err), &err, "empty or too large");

    /* bad densities are refused where unmasked, ignored where masked */
    d[9] = -1;
    expect_arg(FIND(NULL), &err, "row 1 column 1");
    d[9] = INFINITY;
    expect_arg(FIND(NULL), &err, "row 1 column 1");
    int32_t lab[48] = {0};
    lab[9] = -1;
    hs_hotspots *h =
        hs_hotspots_find(d, lab, &G68, NULL, NULL, NULL, NULL, 0, "X", NULL,
                         &err);
    assert_non_null(h);
    hs_hotspots_destroy(h);
#undef FIND
}

/* ---- tasking ---------------------------------------------------------- */

/*
 * Grid T, 4 rows x 10 columns (x0 1000, y0 2000, 100 m).  Board 0 is
 * columns 0-4 (20 cells), board 1 columns 5-9 with (3,9) masked (19
 * cells).  At share 0.25: B0 = floor(5) = 5, B1 = floor(4.75) = 4.
 *
 *        c0 c1 c2 c3 c4 | c5 c6 c7 c8 c9
 *   r0    9  8  0  0  0 |  0  0  0  0  0
 *   r1    0  0  0  0  7 |  6  6  0  0  0
 *   r2    0  0  0  0  7 |  0  0  0  2  0
 *   r3    5  5  0  0  0 |  0  0  0  0  X(100, masked)
 *
 * Board 0: six positive cells for five places: 9, 8, 7, 7, then of the
 * two 5s the first in row-major order, (3,0).  Board 1: three positive
 * cells, all taken (the zero cells never are).  Targets: A {(0,0),(0,1)},
 * B {(1,4),(2,4)}, C {(3,0)}; D {(1,5),(1,6)} (next to B, but another
 * board's), E {(2,8)}.
 * Incidents: A 3 + 1 (locations 7, 7, 3 and none), B 6 (2, 2, 2, 4, 4,
 * 4), C 1, D 4 (none), E 0; one at (3,1), not chosen, and one in the
 * masked cell.  With min 2: C and E go.
 * Hotspots at breaks 0.5 and 1 x mean, mean = (9+8+7+7+5+5+6+6+2) / 9 =
 * 55/9, class 2 from 6.11: the hot cells are 9, 8, 7, 7: hotspot 1 is
 * {(1,4),(2,4)} (6 incidents), hotspot 2 {(0,0),(0,1)} (4).
 */
#define TR 4
#define TC 10
static const double DT[TR * TC] = {
    9, 8, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 7, 6, 6, 0, 0, 0,
    0, 0, 0, 0, 7, 0, 0, 0, 2, 0,
    5, 5, 0, 0, 0, 0, 0, 0, 0, 100};
static const hs_grid_geom GT = {1000, 2000, 100, TC, TR};

static void task_labels(int32_t *lab)
{
    for (int i = 0; i < TR * TC; i++)
        lab[i] = i % TC < 5 ? 0 : 1;
    lab[3 * TC + 9] = -1;
}

/* Point at the centre of cell (r, c) of grid T. */
static void at(double *x, double *y, int r, int c)
{
    *x = 1000 + 100 * c + 50;
    *y = 2000 + (TR - 1 - r) * 100 + 50;
}

static size_t task_points(double *x, double *y, int32_t *loc)
{
    static const int pts[][3] = { /* r, c, location */
        {0, 0, 7}, {0, 0, 7}, {0, 0, 3}, {0, 1, -1},                 /* A */
        {1, 4, 2}, {1, 4, 2}, {2, 4, 2}, {2, 4, 4}, {2, 4, 4}, {1, 4, 4}, /* B */
        {3, 0, 5},                                                   /* C */
        {1, 5, -1}, {1, 6, -1}, {1, 6, -1}, {1, 5, -1},              /* D */
        {3, 1, 1}, {3, 9, 1}};                    /* not chosen, masked */
    size_t n = sizeof pts / sizeof pts[0];
    for (size_t i = 0; i < n; i++) {
        at(&x[i], &y[i], pts[i][0], pts[i][1]);
        loc[i] = pts[i][2];
    }
    return n;
}

static void test_tasking_hand(void **state)
{
    (void)state;
    int32_t lab[TR * TC], loc[32];
    double x[32], y[32];
    task_labels(lab);
    size_t n = task_points(x, y, loc);
    hs_error err = {0};
    hs_hotspot_opts o = {.method = HS_THRESH_MEAN_MULTIPLE, .k = {0.5, 1},
                         .nk = 2, .hot_class = 2};
    hs_hotspots *h = hs_hotspots_find(DT, lab, &GT, x, y, NULL, loc, n, "ASB",
                                      &o,
                                      &err);
    assert_non_null(h);
    assert_int_equal(h->n, 2);
    assert_int_equal(h->v[0].incidents, 6);
    assert_int_equal(h->v[1].incidents, 4);
    assert_int_equal(h->spot[1 * TC + 4], 1);
    assert_int_equal(h->spot[0], 2);
    assert_int_equal(h->spot[1 * TC + 5], 0);

    double inc[] = {12, 5};
    hs_task *t = NULL;
    size_t nt = 0;
    assert_int_equal(hs_tasking(DT, lab, &GT, h, x, y, NULL, loc, n, 2, inc,
                                0.25, 2,
                                &t, &nt, &err), HS_OK);
    assert_int_equal(nt, 3);
    /* board 0, priority 1: B */
    assert_int_equal(t[0].area, 0);
    assert_int_equal(t[0].order, 1);
    assert_int_equal(t[0].hotspot, 0);
    assert_int_equal(t[0].cls, 2);
    assert_int_equal(t[0].incidents, 6);
    assert_int_equal(t[0].ncells, 2);
    assert_int_equal(t[0].location, 2); /* 3 each of 2 and 4: the smaller */
    CHECK_CLOSE(t[0].km2, 0.02);
    CHECK_CLOSE(t[0].area_km2, 0.2);
    CHECK_CLOSE(t[0].pai, (6.0 / 12) / (2.0 / 20));
    CHECK_CLOSE(t[0].cum_km2_share, 2.0 / 20);
    CHECK_CLOSE(t[0].cum_incident_share, 6.0 / 12);
    check_wkb(t[0].wkb, t[0].wkb_len, 20000, 1400, 1500, 2100, 2300, 0);
    /* board 0, priority 2: A */
    assert_int_equal(t[1].area, 0);
    assert_int_equal(t[1].order, 2);
    assert_int_equal(t[1].hotspot, 1);
    assert_int_equal(t[1].incidents, 4);
    assert_int_equal(t[1].location, 7);
    CHECK_CLOSE(t[1].pai, (4.0 / 12) / (2.0 / 20));
    CHECK_CLOSE(t[1].cum_km2_share, 4.0 / 20);
    CHECK_CLOSE(t[1].cum_incident_share, 10.0 / 12);
    check_wkb(t[1].wkb, t[1].wkb_len, 20000, 1000, 1200, 2300, 2400, 0);
    /* board 1: D, in no hotspot, class 1 (6 >= 55/18, < 55/9) */
    assert_int_equal(t[2].area, 1);
    assert_int_equal(t[2].order, 1);
    assert_int_equal(t[2].hotspot, -1);
    assert_int_equal(t[2].cls, 1);
    assert_int_equal(t[2].incidents, 4);
    assert_int_equal(t[2].location, -1);
    CHECK_CLOSE(t[2].area_km2, 0.19);
    CHECK_CLOSE(t[2].pai, (4.0 / 5) / (2.0 / 19));
    CHECK_CLOSE(t[2].cum_km2_share, 2.0 / 19);
    CHECK_CLOSE(t[2].cum_incident_share, 0.8);
    check_wkb(t[2].wkb, t[2].wkb_len, 20000, 1500, 1700, 2200, 2300, 0);
    hs_tasks_free(t, nt);

    /* min 0: C and E come back, after the others of their boards; C is
     * the first 5 in row-major order, not (3,1). */
    assert_int_equal(hs_tasking(DT, lab, &GT, h, x, y, NULL, loc, n, 2, inc,
                                0.25, 0,
                                &t, &nt, &err), HS_OK);
    assert_int_equal(nt, 5);
    assert_int_equal(t[2].order, 3);
    assert_int_equal(t[2].incidents, 1);
    assert_int_equal(t[2].location, 5);
    check_wkb(t[2].wkb, t[2].wkb_len, 10000, 1000, 1100, 2000, 2100, 0);
    CHECK_CLOSE(t[2].cum_km2_share, 5.0 / 20);
    assert_int_equal(t[4].area, 1);
    assert_int_equal(t[4].incidents, 0);
    CHECK_CLOSE(t[4].cum_km2_share, 3.0 / 19);
    hs_tasks_free(t, nt);

    /* No incidents in board 1: its pai is NaN, its shares 0. */
    double none[] = {12, 0};
    assert_int_equal(hs_tasking(DT, lab, &GT, h, x, y, NULL, loc, n, 2, none,
                                0.25,
                                2, &t, &nt, &err), HS_OK);
    assert_int_equal(nt, 3);
    assert_true(isnan(t[2].pai));
    assert_true(t[2].cum_incident_share == 0);
    hs_tasks_free(t, nt);

    /* A share too small for one cell (floor(0.04 x 19) = 0), and an
     * all-zero surface: nothing to task. */
    hs_task dummy;
    t = &dummy; /* must be reset */
    assert_int_equal(hs_tasking(DT, lab, &GT, h, x, y, NULL, loc, n, 2, inc,
                                0.04, 0,
                                &t, &nt, &err), HS_OK);
    assert_null(t);
    assert_int_equal(nt, 0);
    double zero[TR * TC] = {0};
    assert_int_equal(hs_tasking(zero, lab, &GT, h, x, y, NULL, loc, n, 2, inc,
                                0.25,
                                0, &t, &nt, &err), HS_OK);
    assert_int_equal(nt, 0);
    hs_hotspots_destroy(h);
}

static void test_tasking_errors(void **state)
{
    (void)state;
    int32_t lab[TR * TC];
    task_labels(lab);
    hs_hotspots h = {0};
    double inc[] = {1, 1}, neg[] = {1, -1};
    hs_task *t;
    size_t nt;
    hs_error err = {0};
#define TASK(d, l, hh, i, share, out) \
    hs_tasking(d, l, &GT, hh, NULL, NULL, NULL, NULL, 0, 2, i, share, 5, out, \
               &nt, &err)
    assert_int_equal(TASK(DT, lab, &h, inc, 0, &t), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "not in (0, 1]"));
    assert_int_equal(TASK(DT, lab, &h, inc, 1.5, &t), HS_ERR_ARG);
    assert_int_equal(TASK(DT, lab, &h, inc, NAN, &t), HS_ERR_ARG);
    assert_int_equal(TASK(DT, lab, &h, neg, 0.03, &t), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "board 1"));
    assert_int_equal(TASK(DT, NULL, &h, inc, 0.03, &t), HS_ERR_ARG);
    assert_int_equal(TASK(NULL, lab, &h, inc, 0.03, &t), HS_ERR_ARG);
    assert_int_equal(TASK(DT, lab, NULL, inc, 0.03, &t), HS_ERR_ARG);
    assert_int_equal(TASK(DT, lab, &h, NULL, 0.03, &t), HS_ERR_ARG);
    assert_int_equal(TASK(DT, lab, &h, inc, 0.03, NULL), HS_ERR_ARG);
#undef TASK
}

/* ---- shares (--when's aoristic weights) -------------------------------- */

/* Shares for task_points' incidents, in its order: A 0.5, 0.5, 1, 1 (= 3);
 * B 0.25 x 3 at location 2, 0.5 x 3 at location 4 (= 2.25); C 1; D 0.5,
 * 0.25, 0.5, 0.5 (= 1.75); the one not chosen 1, the masked one 1. */
static const float TASK_SHARES[17] = {0.5f, 0.5f, 1, 1,
                                      0.25f, 0.25f, 0.25f, 0.5f, 0.5f, 0.5f,
                                      1,
                                      0.5f, 0.25f, 0.5f, 0.5f,
                                      1, 1};

/* The cell of (x, y) on grid T by the floor rule, -1 outside. */
static long cell_t(double x, double y)
{
    double c = floor((x - GT.x0) / GT.cell), r = floor((y - GT.y0) / GT.cell);
    if (!(c >= 0 && c < TC && r >= 0 && r < TR))
        return -1;
    return (long)(TR - 1 - (long)r) * TC + (long)c;
}

/* Brute force: the sum of the shares of the incidents in cells[0..nc). */
static double share_sum(const double *x, const double *y, const float *sh,
                        size_t n, const size_t *cells, size_t nc)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        long c = cell_t(x[i], y[i]);
        for (size_t q = 0; c >= 0 && q < nc; q++)
            if ((long)cells[q] == c)
                s += sh ? sh[i] : 1.0;
    }
    return s;
}

/*
 * Grid T with shares.  Whole counts rank B (6) above A (4); shares give A
 * 3 and B 2.25, so A is hotspot 1.  Locations weigh by share: A's 7, 7, 3
 * (0.5, 0.5, 1) tie at 1, the smaller is 3 (by count it was 7); B's 2s
 * weigh 0.75, its 4s 1.5: 4 (by count a tie, 2).  mask_incidents = 9 (the
 * masked incident out); mask_km2 = 0.39.  Boards: 0 holds 3 + 2.25 + 1 +
 * 1 = 7.25, board 1 1.75.  Tasking at min 2: board 0 A (3), B (2.25); C
 * (1) goes; D (1.75) goes only because of its shares (4 incidents whole).
 * At min 1.75, D stays (equal is not fewer).
 */
static void test_shares_hand(void **state)
{
    (void)state;
    int32_t lab[TR * TC], loc[32];
    double x[32], y[32];
    task_labels(lab);
    size_t n = task_points(x, y, loc);
    assert_int_equal(n, 17);
    const float *sh = TASK_SHARES;
    hs_error err = {0};
    hs_hotspot_opts o = {.method = HS_THRESH_MEAN_MULTIPLE, .k = {0.5, 1},
                         .nk = 2, .hot_class = 2};
    hs_hotspots *h = hs_hotspots_find(DT, lab, &GT, x, y, sh, loc, n, "ASB",
                                      &o, &err);
    assert_non_null(h);
    assert_true(h->mask_incidents == 9);
    assert_int_equal(h->n, 2);
    const hs_hotspot *a = &h->v[0], *b = &h->v[1];
    assert_string_equal(a->id, "ASB-01");
    assert_int_equal(a->ncells, 2);
    assert_int_equal(h->spot[0], 1);          /* A */
    assert_int_equal(h->spot[1 * TC + 4], 2); /* B */
    assert_true(a->incidents == 3);
    assert_true(b->incidents == 2.25);
    assert_int_equal(a->location, 3);
    assert_int_equal(b->location, 4);
    CHECK_CLOSE(a->share, 3.0 / 9);
    CHECK_CLOSE(b->share, 2.25 / 9);
    CHECK_CLOSE(a->pai, (3.0 / 9) / (0.02 / 0.39));
    check_wkb(a->wkb, a->wkb_len, 20000, 1000, 1200, 2300, 2400, 0);
    /* each hotspot's incidents are the brute-force sums over its cells */
    for (size_t k = 0; k < h->n; k++) {
        size_t cells[TR * TC], nc = 0;
        for (size_t i = 0; i < TR * TC; i++)
            if (h->spot[i] == (int32_t)(k + 1))
                cells[nc++] = i;
        assert_int_equal(nc, h->v[k].ncells);
        assert_true(h->v[k].incidents == share_sum(x, y, sh, n, cells, nc));
    }
    /* and the mask's: every incident in an unmasked cell */
    size_t unmasked[TR * TC], nu = 0;
    for (size_t i = 0; i < TR * TC; i++)
        if (lab[i] >= 0)
            unmasked[nu++] = i;
    assert_true(h->mask_incidents == share_sum(x, y, sh, n, unmasked, nu));

    /* the boards' totals, by brute force */
    double inc[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        long c = cell_t(x[i], y[i]);
        if (c >= 0 && lab[c] >= 0)
            inc[lab[c]] += sh[i];
    }
    assert_true(inc[0] == 7.25 && inc[1] == 1.75);
    hs_task *t = NULL;
    size_t nt = 0;
    assert_int_equal(hs_tasking(DT, lab, &GT, h, x, y, sh, loc, n, 2, inc,
                                0.25, 2, &t, &nt, &err), HS_OK);
    assert_int_equal(nt, 2);
    /* A first now: 3 > 2.25 */
    assert_int_equal(t[0].area, 0);
    assert_int_equal(t[0].order, 1);
    assert_int_equal(t[0].hotspot, 0);
    assert_true(t[0].incidents == 3);
    assert_int_equal(t[0].location, 3);
    CHECK_CLOSE(t[0].pai, (3 / 7.25) / (2.0 / 20));
    CHECK_CLOSE(t[0].cum_incident_share, 3 / 7.25);
    check_wkb(t[0].wkb, t[0].wkb_len, 20000, 1000, 1200, 2300, 2400, 0);
    assert_int_equal(t[1].order, 2);
    assert_int_equal(t[1].hotspot, 1);
    assert_true(t[1].incidents == 2.25);
    assert_int_equal(t[1].location, 4);
    CHECK_CLOSE(t[1].pai, (2.25 / 7.25) / (2.0 / 20));
    CHECK_CLOSE(t[1].cum_incident_share, 5.25 / 7.25);
    CHECK_CLOSE(t[1].cum_km2_share, 4.0 / 20);
    for (size_t k = 0; k < nt; k++)
        assert_true(t[k].incidents ==
                    share_sum(x, y, sh, n, t[k].cells, t[k].ncells));
    hs_tasks_free(t, nt);

    /* min 1.75: D (exactly 1.75) stays, C (1) still goes */
    assert_int_equal(hs_tasking(DT, lab, &GT, h, x, y, sh, loc, n, 2, inc,
                                0.25, 1.75, &t, &nt, &err), HS_OK);
    assert_int_equal(nt, 3);
    assert_int_equal(t[2].area, 1);
    assert_true(t[2].incidents == 1.75);
    CHECK_CLOSE(t[2].pai, (1.75 / 1.75) / (2.0 / 19));
    CHECK_CLOSE(t[2].cum_incident_share, 1);
    for (size_t k = 0; k < nt; k++)
        assert_true(t[k].incidents ==
                    share_sum(x, y, sh, n, t[k].cells, t[k].ncells));
    hs_tasks_free(t, nt);
    hs_hotspots_destroy(h);

    /* a share that is not a finite number >= 0 is refused */
    float bad[17];
    memcpy(bad, TASK_SHARES, sizeof bad);
    bad[4] = -0.25f;
    assert_null(hs_hotspots_find(DT, lab, &GT, x, y, bad, loc, n, "ASB", &o,
                                 &err));
    assert_int_equal(err.code, HS_ERR_ARG);
    hs_hotspots hh = {0};
    bad[4] = NAN;
    assert_int_equal(hs_tasking(DT, lab, &GT, &hh, x, y, bad, loc, n, 2, inc,
                                0.25, 2, &t, &nt, &err), HS_ERR_ARG);
    double badinc[2] = {1, NAN};
    assert_int_equal(hs_tasking(DT, lab, &GT, &hh, x, y, sh, loc, n, 2, badinc,
                                0.25, 2, &t, &nt, &err), HS_ERR_ARG);
}

/* Rank ties on equal sums of shares: A (cell 0) and C (cell 40) hold 0.5
 * each, B (2 cells) 0.25: A, C, B, then D (0). */
static void test_shares_rank_ties(void **state)
{
    (void)state;
    double d[48];
    for (int i = 0; i < 48; i++)
        d[i] = 1;
    d[0] = d[6] = d[7] = d[40] = d[47] = 3;
    double px[] = {1000, 1700, 1050, 1050}, py[] = {2550, 2550, 2050, 2050};
    float sh[] = {0.5f, 0.25f, 0.25f, 0.25f};
    hs_hotspot_opts o = {.k = {1}, .nk = 1, .hot_class = 1};
    hs_error err = {0};
    hs_hotspots *h =
        hs_hotspots_find(d, NULL, &G68, px, py, sh, NULL, 4, "T", &o, &err);
    assert_non_null(h);
    assert_int_equal(h->n, 4);
    assert_true(h->v[0].incidents == 0.5 && h->v[0].ncells == 1);
    check_geom(&h->v[0], 10000, 1000, 1100, 2500, 2600, 0);
    assert_true(h->v[1].incidents == 0.5 && h->v[1].ncells == 1);
    check_geom(&h->v[1], 10000, 1000, 1100, 2000, 2100, 0);
    assert_true(h->v[2].incidents == 0.25 && h->v[2].ncells == 2);
    assert_true(h->v[3].incidents == 0);
    assert_true(h->mask_incidents == 1.25);
    hs_hotspots_destroy(h);
}

/* NULL shares and shares of 1 give the very same hotspots and tasking. */
static void test_shares_ones_as_null(void **state)
{
    (void)state;
    int32_t lab[TR * TC], loc[32];
    double x[32], y[32];
    float ones[32];
    task_labels(lab);
    size_t n = task_points(x, y, loc);
    for (size_t i = 0; i < n; i++)
        ones[i] = 1;
    hs_error err = {0};
    hs_hotspot_opts o = {.method = HS_THRESH_MEAN_MULTIPLE, .k = {0.5, 1},
                         .nk = 2, .hot_class = 2};
    hs_hotspots *h[2];
    hs_task *t[2];
    size_t nt[2];
    double inc[] = {12, 5};
    for (int k = 0; k < 2; k++) {
        const float *sh = k ? ones : NULL;
        h[k] = hs_hotspots_find(DT, lab, &GT, x, y, sh, loc, n, "ASB", &o,
                                &err);
        assert_non_null(h[k]);
        assert_int_equal(hs_tasking(DT, lab, &GT, h[k], x, y, sh, loc, n, 2,
                                    inc, 0.25, 0, &t[k], &nt[k], &err), HS_OK);
    }
    assert_true(h[0]->mask_incidents == h[1]->mask_incidents);
    assert_int_equal(h[0]->n, h[1]->n);
    assert_int_equal(memcmp(h[0]->spot, h[1]->spot,
                            TR * TC * sizeof *h[0]->spot), 0);
    for (size_t i = 0; i < h[0]->n; i++) {
        const hs_hotspot *p = &h[0]->v[i], *q = &h[1]->v[i];
        assert_string_equal(p->id, q->id);
        assert_true(p->incidents == q->incidents && p->share == q->share &&
                    p->pai == q->pai && p->km2 == q->km2);
        assert_int_equal(p->location, q->location);
        assert_int_equal(p->area, q->area);
        assert_int_equal(p->wkb_len, q->wkb_len);
        assert_int_equal(memcmp(p->wkb, q->wkb, p->wkb_len), 0);
    }
    assert_int_equal(nt[0], nt[1]);
    assert_int_equal(nt[0], 5);
    for (size_t i = 0; i < nt[0]; i++) {
        const hs_task *p = &t[0][i], *q = &t[1][i];
        assert_true(p->area == q->area && p->order == q->order &&
                    p->hotspot == q->hotspot && p->location == q->location);
        assert_true(p->incidents == q->incidents && p->pai == q->pai &&
                    p->cum_incident_share == q->cum_incident_share);
        assert_int_equal(p->ncells, q->ncells);
        assert_int_equal(memcmp(p->cells, q->cells,
                                p->ncells * sizeof *p->cells), 0);
    }
    for (int k = 0; k < 2; k++) {
        hs_tasks_free(t[k], nt[k]);
        hs_hotspots_destroy(h[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mean_breaks_classes),
        cmocka_unit_test(test_components_incidents_mask),
        cmocka_unit_test(test_checkerboard_ranks_ids),
        cmocka_unit_test(test_mean_sd),
        cmocka_unit_test(test_rank_ties),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_argument_errors),
        cmocka_unit_test(test_tasking_hand),
        cmocka_unit_test(test_tasking_errors),
        cmocka_unit_test(test_shares_hand),
        cmocka_unit_test(test_shares_rank_ties),
        cmocka_unit_test(test_shares_ones_as_null),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroy(); /* frees GDAL's one-time allocations for LeakSanitizer */
    return rc;
}
