/*
 * test_privacy.c - hs_suppress (privacy.h): primary and secondary marks on
 * small hand-made sets, and, on random sets, the property the rule is for:
 * the total minus the published values never singles out a suppressed
 * value nor gives a sum under the threshold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/privacy.h"

static void test_none_under(void **state)
{
    (void)state;
    double v[] = {10, 25, 12};
    unsigned char m[3] = {0};
    hs_suppress(v, NULL, 3, 10, m);
    for (int i = 0; i < 3; i++)
        assert_int_equal(m[i], 0);
}

static void test_one_under_gets_a_partner(void **state)
{
    (void)state;
    /* 3 alone is given away by the total: the next smallest (12) goes too */
    double v[] = {40, 12, 3, 15};
    unsigned char m[4] = {0};
    hs_suppress(v, NULL, 4, 10, m);
    assert_int_equal(m[2], HS_SUP_PRIMARY);
    assert_int_equal(m[1], HS_SUP_SECONDARY);
    assert_int_equal(m[0], 0);
    assert_int_equal(m[3], 0);
}

static void test_small_sum_grows(void **state)
{
    (void)state;
    /* 0 + 1 would tell both are tiny: add the smallest published until the
     * suppressed hold at least the threshold */
    double v[] = {0, 1, 11, 30};
    unsigned char m[4] = {0};
    hs_suppress(v, NULL, 4, 10, m);
    assert_int_equal(m[0], HS_SUP_PRIMARY);
    assert_int_equal(m[1], HS_SUP_PRIMARY);
    assert_int_equal(m[2], HS_SUP_SECONDARY);
    assert_int_equal(m[3], 0);
}

static void test_subset_and_existing_marks(void **state)
{
    (void)state;
    double v[] = {5, 50, 60, 20};
    unsigned char in[] = {1, 1, 1, 0}, m[4] = {0};
    hs_suppress(v, in, 4, 10, m);
    assert_int_equal(m[0], HS_SUP_PRIMARY);
    assert_int_equal(m[1], HS_SUP_SECONDARY); /* 20 is outside the subset */
    assert_int_equal(m[3], 0);
    hs_suppress(v, NULL, 4, 10, m); /* the whole set: already safe */
    assert_int_equal(m[3], 0);
    assert_int_equal(m[2], 0);
}

static void test_random_sets_safe(void **state)
{
    (void)state;
    srand(7);
    for (int rep = 0; rep < 2000; rep++) {
        size_t n = 1 + (size_t)(rand() % 12);
        double v[12];
        long t = 1 + rand() % 15;
        unsigned char m[12] = {0};
        for (size_t i = 0; i < n; i++)
            /* whole counts, and sums of --when shares (tenths) */
            v[i] = rep % 2 ? rand() % 40 : (rand() % 400) / 10.0;
        hs_suppress(v, NULL, n, t, m);
        size_t k = 0, pub = 0;
        double hidden = 0;
        for (size_t i = 0; i < n; i++) {
            if (v[i] < t)
                assert_true(m[i]);
            k += m[i] != 0;
            pub += m[i] == 0;
            hidden += m[i] ? v[i] : 0;
        }
        /* either nothing hidden, or at least two holding t or more, or
         * everything hidden (then only the total is known) */
        if (k > 0 && pub > 0) {
            assert_true(k >= 2);
            assert_true(hidden >= t);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none_under),
        cmocka_unit_test(test_one_under_gets_a_partner),
        cmocka_unit_test(test_small_sum_grows),
        cmocka_unit_test(test_subset_and_existing_marks),
        cmocka_unit_test(test_random_sets_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
