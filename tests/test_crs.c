/* test_crs.c - coordinate transformation against Ordnance Survey's
 * published worked examples. */
#include <math.h>

#include "util.h"

#include "input/crs.h"

/* OS "A guide to coordinate systems in Great Britain", Annex C worked
 * example: OSGB36 lat 52°39'27.2531"N, lon 1°43'4.5177"E is
 * E 651409.903, N 313177.270 on the National Grid (projection only, so it
 * must agree to the millimetre). */
static void test_os_projection_example(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_transform *t = hs_transform_create("EPSG:4277", "EPSG:27700", &err);
    assert_non_null(t);
    double x = 1 + 43 / 60.0 + 4.5177 / 3600, y = 52 + 39 / 60.0 + 27.2531 / 3600;
    hs_transform_xy(t, &x, &y, 1);
    assert_float_equal(x, 651409.903, 0.001);
    assert_float_equal(y, 313177.270, 0.001);
    hs_transform_destroy(t);
}

/* The same point (Caister water tower) in ETRS89 (= WGS84 for GIS use):
 * lat 52°39'28.8282"N, lon 1°42'57.8663"E.  OSTN15 gives the values above;
 * without the OSTN15 grid PROJ uses a Helmert transformation good to a few
 * metres, so the tolerance is 5 m.  x = longitude whatever EPSG's axis
 * order says. */
static void test_wgs84_to_bng(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_transform *t = hs_transform_create("EPSG:4326", "EPSG:27700", &err);
    assert_non_null(t);
    double x[2] = {1 + 42 / 60.0 + 57.8663 / 3600, NAN},
           y[2] = {52 + 39 / 60.0 + 28.8282 / 3600, NAN};
    hs_transform_xy(t, x, y, 2);
    assert_float_equal(x[0], 651409.903, 5);
    assert_float_equal(y[0], 313177.270, 5);
    assert_true(isnan(x[1]) && isnan(y[1]));
    assert_non_null(strstr(hs_transform_describe(t), "British National Grid"));
    hs_transform_destroy(t);
}

static void test_crs_errors(void **state)
{
    (void)state;
    hs_error err = {0};
    assert_null(hs_transform_create("EPSG:999999", "EPSG:27700", &err));
    assert_non_null(strstr(err.msg, "EPSG:999999"));
    assert_int_equal(hs_crs_is_geographic("EPSG:4326", &err), 1);
    assert_int_equal(hs_crs_is_geographic("EPSG:27700", &err), 0);
    assert_int_equal(hs_crs_is_geographic("nonsense", &err), -1);
    assert_true(hs_crs_same("EPSG:27700", "EPSG:27700"));
    assert_false(hs_crs_same("EPSG:4326", "EPSG:27700"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_os_projection_example),
        cmocka_unit_test(test_wgs84_to_bng),
        cmocka_unit_test(test_crs_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
