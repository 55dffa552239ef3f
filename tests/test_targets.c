/* test_targets.c - progress against targets: count so far, a year
 * earlier, seasonal and straight-line projections, red / amber / green
 * (analysis/targets.h). */
#include <math.h>

#include "util.h"

#include "analysis/targets.h"

static int32_t M(int y, int m) { return (int32_t)y * 12 + m - 1; }

/* A seasonal series over 2023-04..2024-12: in fy2023 April-December
 * have 10 a month and January-March 30 (half the year's 180 in its last
 * quarter); from April 2024, 11 a month. */
static void seasonal(double *c, int32_t m0, int32_t m1)
{
    for (int32_t m = m0; m <= m1; m++)
        c[m - m0] = m >= M(2024, 4) ? 11 : (m >= M(2024, 1) ? 30 : 10);
}

static void test_seasonal(void **state)
{
    (void)state;
    int32_t m0 = M(2023, 4), m1 = M(2024, 12);
    double c[21];
    seasonal(c, m0, m1);
    hs_target_progress p;
    hs_error err = {0};
    /* fy2024 with the data to 2024-12: 9 months so far */
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 4),
                                                M(2025, 3), m1, 150, 5, &p,
                                                &err), HS_OK);
    assert_int_equal(p.months, 12);
    assert_int_equal(p.months_so_far, 9);
    assert_float_equal(p.count, 99, 1e-12);
    assert_float_equal(p.prev_count, 90, 1e-12);
    assert_float_equal(p.prev_total, 180, 1e-12);
    /* 99 x 180 / 90 = 198, where a straight line gives 99 x 12 / 9 = 132:
     * the busy quarter is still to come */
    assert_int_equal(p.rule, HS_PROJ_SEASONAL);
    assert_float_equal(p.projected, 198, 1e-9);
    assert_int_equal(p.status, HS_RAG_RED);
    assert_string_equal(hs_rag_text(p.status), "red");
    assert_string_equal(hs_projection_rule_text(p.rule), "seasonal");
    /* the same count by a straight line would have been green at 150 */
    assert_int_equal(hs_rag_status(132, 150, 5), HS_RAG_GREEN);

    /* a quarter: fy2024q3 (2024-10..12) is complete */
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 10),
                                                M(2024, 12), m1, 40, 5, &p,
                                                &err), HS_OK);
    assert_int_equal(p.rule, HS_PROJ_COMPLETE);
    assert_float_equal(p.projected, 33, 1e-12);
    assert_float_equal(p.prev_count, 30, 1e-12);
    assert_int_equal(p.status, HS_RAG_GREEN);

    /* fractional counts (--when shares) are summed as they are */
    c[M(2024, 12) - m0] = 11.25;
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 4),
                                                M(2025, 3), m1, 300, 5, &p,
                                                &err), HS_OK);
    assert_float_equal(p.count, 99.25, 1e-12);
    assert_float_equal(p.projected, 198.5, 1e-9);
    assert_int_equal(p.status, HS_RAG_GREEN);
}

static void test_straight_line(void **state)
{
    (void)state;
    int32_t m0 = M(2023, 4), m1 = M(2024, 12);
    double c[21];
    hs_target_progress p;
    hs_error err = {0};
    /* last year's same months all 0: no ratio, a straight line */
    seasonal(c, m0, m1);
    for (int32_t m = M(2023, 4); m <= M(2023, 12); m++)
        c[m - m0] = 0;
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 4),
                                                M(2025, 3), m1, 150, 5, &p,
                                                &err), HS_OK);
    assert_int_equal(p.rule, HS_PROJ_STRAIGHT);
    assert_float_equal(p.prev_count, 0, 0);
    assert_float_equal(p.projected, 132, 1e-9);
    assert_int_equal(p.status, HS_RAG_GREEN);
    assert_string_equal(hs_projection_rule_text(p.rule), "straight-line");

    /* the data start in 2024-01: last year is not in them */
    seasonal(c, m0, m1);
    int32_t s0 = M(2024, 1);
    assert_int_equal(hs_target_progress_compute(c + (s0 - m0), s0, m1,
                                                M(2024, 4), M(2025, 3), m1,
                                                126, 5, &p, &err), HS_OK);
    assert_int_equal(p.rule, HS_PROJ_STRAIGHT);
    assert_true(isnan(p.prev_count));
    assert_true(isnan(p.prev_total));
    assert_float_equal(p.count, 99, 1e-12);
    assert_float_equal(p.projected, 132, 1e-9);
    assert_int_equal(p.status, HS_RAG_AMBER); /* 126 < 132 <= 132.3 */

    /* last year's whole period not yet over in the data (a period longer
     * than a year): a straight line */
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 4),
                                                M(2026, 3), m1, 1000, 5, &p,
                                                &err), HS_OK);
    assert_int_equal(p.rule, HS_PROJ_STRAIGHT);
    assert_float_equal(p.projected, 99.0 * 24 / 9, 1e-9);
}

static void test_complete_and_not_started(void **state)
{
    (void)state;
    int32_t m0 = M(2023, 4), m1 = M(2024, 12);
    double c[21];
    hs_target_progress p;
    hs_error err = {0};
    seasonal(c, m0, m1);
    /* fy2023 is over: projected = count; no year before it in the data */
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2023, 4),
                                                M(2024, 3), m1, 180, 5, &p,
                                                &err), HS_OK);
    assert_int_equal(p.rule, HS_PROJ_COMPLETE);
    assert_int_equal(p.months_so_far, 12);
    assert_float_equal(p.count, 180, 1e-12);
    assert_float_equal(p.projected, 180, 1e-12);
    assert_true(isnan(p.prev_count));
    assert_int_equal(p.status, HS_RAG_GREEN); /* exactly at the target */
    assert_string_equal(hs_projection_rule_text(p.rule), "complete");
    /* the last month of the data is the period's last: complete */
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 1),
                                                M(2024, 12), m1, 100, 5, &p,
                                                &err), HS_OK);
    assert_int_equal(p.rule, HS_PROJ_COMPLETE);

    /* fy2025 has not started */
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2025, 4),
                                                M(2026, 3), m1, 100, 5, &p,
                                                &err), HS_OK);
    assert_int_equal(p.rule, HS_PROJ_NOT_STARTED);
    assert_int_equal(p.months_so_far, 0);
    assert_float_equal(p.count, 0, 0);
    assert_true(isnan(p.projected));
    assert_int_equal(p.status, HS_RAG_NONE);
    assert_string_equal(hs_rag_text(p.status), "none");
}

static void test_rag_boundaries(void **state)
{
    (void)state;
    assert_int_equal(hs_rag_status(100, 100, 5), HS_RAG_GREEN);  /* at target */
    assert_int_equal(hs_rag_status(100.5, 100, 5), HS_RAG_AMBER);
    assert_int_equal(hs_rag_status(105, 100, 5), HS_RAG_AMBER);  /* x 1.05 */
    assert_int_equal(hs_rag_status(105.01, 100, 5), HS_RAG_RED);
    assert_int_equal(hs_rag_status(42, 40, 5), HS_RAG_AMBER);    /* 40 x 1.05 */
    assert_int_equal(hs_rag_status(42.001, 40, 5), HS_RAG_RED);
    assert_int_equal(hs_rag_status(110, 100, 10), HS_RAG_AMBER);
    assert_int_equal(hs_rag_status(100.01, 100, 0), HS_RAG_RED); /* no band */
    assert_int_equal(hs_rag_status(0, 0, 5), HS_RAG_GREEN);
    assert_int_equal(hs_rag_status(0.5, 0, 5), HS_RAG_RED);
    assert_int_equal(hs_rag_status(NAN, 10, 5), HS_RAG_NONE);
    assert_string_equal(hs_rag_text(HS_RAG_AMBER), "amber");
    assert_string_equal(hs_rag_text(HS_RAG_GREEN), "green");

    /* a seasonal ratio that lands on 105 up to rounding is still amber:
     * 31.5 x (3.3 / 0.99) = 105 */
    int32_t m0 = M(2023, 1), m1 = M(2024, 3);
    double c[15] = {0};
    c[M(2023, 1) - m0] = 0.99;
    c[M(2023, 2) - m0] = 2.31;
    c[M(2024, 1) - m0] = 31.5;
    hs_target_progress p;
    hs_error err = {0};
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 1),
                                                M(2024, 2), M(2024, 1), 100,
                                                5, &p, &err), HS_OK);
    assert_int_equal(p.rule, HS_PROJ_SEASONAL);
    assert_float_equal(p.projected, 105, 1e-9);
    assert_int_equal(p.status, HS_RAG_AMBER);
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 1),
                                                M(2024, 2), M(2024, 1), 105,
                                                0, &p, &err), HS_OK);
    assert_int_equal(p.status, HS_RAG_GREEN);
}

static void test_errors(void **state)
{
    (void)state;
    int32_t m0 = M(2023, 4), m1 = M(2024, 12);
    double c[21] = {0};
    hs_target_progress p;
    hs_error err = {0};
    /* fy2022 starts before the data */
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2022, 4),
                                                M(2023, 3), m1, 10, 5, &p,
                                                &err), HS_ERR_DATA);
    assert_non_null(strstr(err.msg, "the period 2022-04 to 2023-03 starts "
                           "before the data (first month 2023-04)"));
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 4),
                                                M(2025, 3), m1, -1, 5, &p,
                                                &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "target -1"));
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 4),
                                                M(2025, 3), m1, NAN, 5, &p,
                                                &err), HS_ERR_ARG);
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 4),
                                                M(2025, 3), m1, 10, -5, &p,
                                                &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "amber band"));
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2024, 4),
                                                M(2025, 3), m1 + 1, 10, 5, &p,
                                                &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "last month 2025-01"));
    assert_int_equal(hs_target_progress_compute(c, m0, m1, M(2025, 4),
                                                M(2024, 3), m1, 10, 5, &p,
                                                &err), HS_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seasonal),
        cmocka_unit_test(test_straight_line),
        cmocka_unit_test(test_complete_and_not_started),
        cmocka_unit_test(test_rag_boundaries),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
