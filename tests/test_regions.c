/*
 * test_regions.c - regions.h: the zones of an evaluation on squares
 * worked by hand (GEOS's buffer of a square is the square grown by d with
 * its corners rounded by 8-segment quarter circles: its area is closed
 * form), membership on edges by the order of the zones, points against
 * a brute force of the same geometry, and the errors.
 */
#include <math.h>

#include "util.h"

#include "geography/regions.h"

#define X0 400000.0
#define Y0 100000.0

/* WKB (little endian) of the square [x, x + s] x [y, y + s]. */
static size_t square_wkb(unsigned char *b, double x, double y, double s)
{
    const double c[10] = {x, y, x + s, y, x + s, y + s, x, y + s, x, y};
    uint32_t t = 3, rings = 1, pts = 5;
    b[0] = 1;
    memcpy(b + 1, &t, 4);
    memcpy(b + 5, &rings, 4);
    memcpy(b + 9, &pts, 4);
    memcpy(b + 13, c, sizeof c);
    return 13 + sizeof c;
}

/* The area GEOS gives a square of side s grown by d: the straight sides
 * and a 32-gon of radius d for the four rounded corners. */
static double grown(double s, double d)
{
    return s * s + 4 * s * d + 16 * d * d * sin(M_PI / 16);
}

static void test_zones(void **state)
{
    (void)state;
    hs_error err = {0};
    unsigned char t[128], c[128];
    size_t tl = square_wkb(t, X0, Y0, 100), cl = square_wkb(c, X0 - 1000, Y0 - 1000, 3000);
    const unsigned char *tv[] = {t}, *cv[] = {c};
    hs_regions *r = hs_regions_create(tv, &tl, 1, 50, cv, &cl, 1, 1, 0, &err);
    if (!r)
        fail_msg("%s", err.msg);
    assert_float_equal(hs_regions_km2(r, HS_ZONE_TARGET), 0.01, 1e-12);
    assert_float_equal(hs_regions_km2(r, HS_ZONE_BUFFER),
                       (grown(100, 50) - 100 * 100) / 1e6, 1e-9);
    assert_float_equal(hs_regions_km2(r, HS_ZONE_CONTROL),
                       (3000.0 * 3000 - grown(100, 50)) / 1e6, 1e-9);
    assert_false(hs_regions_has(r, HS_ZONE_CONTROL_BUFFER));
    size_t len;
    const unsigned char *w = hs_regions_wkb(r, HS_ZONE_BUFFER, &len);
    assert_non_null(w);
    uint32_t type;
    memcpy(&type, w + 1, 4);
    assert_int_equal(w[0], 1);
    assert_int_equal(type, 6); /* MultiPolygon */
    /* inside, on the target's edge (the target's), in the ring, on the
     * ring's outer edge at a vertex of the 32-gon (the ring's), beyond */
    double x[] = {X0 + 50, X0 + 100, X0 + 120, X0 + 150, X0 + 500, X0 - 2000, NAN};
    double y[] = {Y0 + 50, Y0 + 50, Y0 + 50, Y0 + 50, Y0 + 500, Y0, Y0};
    int8_t z[7];
    int8_t want[] = {HS_ZONE_TARGET, HS_ZONE_TARGET, HS_ZONE_BUFFER,
                     HS_ZONE_BUFFER, HS_ZONE_CONTROL, -1, -1};
    assert_int_equal(hs_regions_locate(r, x, y, 7, z, &err), HS_OK);
    for (int i = 0; i < 7; i++)
        assert_int_equal(z[i], want[i]);
    /* random points against the geometry worked here: away from the
     * rounded corners (where the 32-gon and the circle differ) the ring is
     * the points within 50 m of the square */
    srand(3);
    for (int k = 0; k < 20000; k++) {
        double px = X0 - 300 + rand() % 70000 / 100.0, py = Y0 - 300 + rand() % 70000 / 100.0;
        double dx = fmax(fmax(X0 - px, px - (X0 + 100)), 0);
        double dy = fmax(fmax(Y0 - py, py - (Y0 + 100)), 0);
        double dist = hypot(dx, dy);
        if (dx > 0 && dy > 0 && fabs(dist - 50) < 1.5)
            continue;
        int8_t got;
        assert_int_equal(hs_regions_locate(r, &px, &py, 1, &got, &err), HS_OK);
        int8_t exp = dist == 0 ? HS_ZONE_TARGET : dist <= 50 ? HS_ZONE_BUFFER
                                                              : HS_ZONE_CONTROL;
        if (got != exp)
            fail_msg("(%.2f, %.2f), %.3f m from the target: zone %d, want %d",
                     px - X0, py - Y0, dist, got, exp);
    }
    hs_regions_destroy(r);
    hs_regions_destroy(NULL);
}

static void test_control_given(void **state)
{
    (void)state;
    hs_error err = {0};
    unsigned char t[128], c[128];
    size_t tl = square_wkb(t, X0, Y0, 100), cl = square_wkb(c, X0 + 500, Y0, 100);
    const unsigned char *tv[] = {t}, *cv[] = {c};
    /* a control away from the target, with a 20 m buffer of its own */
    hs_regions *r = hs_regions_create(tv, &tl, 1, 50, cv, &cl, 1, 0, 20, &err);
    if (!r)
        fail_msg("%s", err.msg);
    assert_float_equal(hs_regions_km2(r, HS_ZONE_CONTROL), 0.01, 1e-12);
    assert_float_equal(hs_regions_km2(r, HS_ZONE_CONTROL_BUFFER),
                       (grown(100, 20) - 100 * 100) / 1e6, 1e-9);
    double x = X0 + 610, y = Y0 + 50;
    int8_t z;
    assert_int_equal(hs_regions_locate(r, &x, &y, 1, &z, &err), HS_OK);
    assert_int_equal(z, HS_ZONE_CONTROL_BUFFER);
    hs_regions_destroy(r);

    /* a control 30 m from the target meets its 50 m buffer: an error that
     * says by how much */
    cl = square_wkb(c, X0 + 130, Y0, 100);
    r = hs_regions_create(tv, &tl, 1, 50, cv, &cl, 1, 0, 0, &err);
    assert_null(r);
    assert_int_equal(err.code, HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "the control overlaps the target or its 50 m "
                                    "buffer by 2000 m²"));
    /* the control's buffer swallowed by the target's zones: still some left
     * here; a control wholly inside the target's buffer is refused above */
    cl = square_wkb(c, X0 + 500, Y0, 100);
    r = hs_regions_create(tv, &tl, 1, 0, cv, &cl, 1, 0, 0, &err);
    assert_null(r);
    assert_non_null(strstr(err.msg, "give a width above 0 m"));
    /* the study area all target and buffer: no control left */
    cl = square_wkb(c, X0 - 10, Y0 - 10, 120);
    r = hs_regions_create(tv, &tl, 1, 50, cv, &cl, 1, 1, 0, &err);
    assert_null(r);
    assert_non_null(strstr(err.msg, "the control is empty"));
    /* unreadable and missing polygons name the set */
    unsigned char bad[8] = {1, 3, 0, 0, 0, 9, 9, 9};
    size_t bl = sizeof bad;
    const unsigned char *bv[] = {bad};
    r = hs_regions_create(bv, &bl, 1, 50, cv, &cl, 1, 1, 0, &err);
    assert_null(r);
    assert_non_null(strstr(err.msg, "target polygon 1"));
    r = hs_regions_create(tv, &tl, 1, 50, cv, &cl, 0, 1, 0, &err);
    assert_null(r);
    assert_non_null(strstr(err.msg, "no control polygon"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zones),
        cmocka_unit_test(test_control_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
