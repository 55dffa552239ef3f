/*
 * test_evaluate.c - analysis/evaluate.h: WDD, WDQ, the exact ratio of rate
 * ratios and the two-rate comparison, on hand-worked cases (arithmetic in
 * the comments), closed forms, and a few values from R with the R
 * expression beside them.  tests/test_evaluate_r.sh compares against
 * ptools wdd(), fisher.test and poisson.test on random inputs.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/evaluate.h"

#define Z95 1.6448536269514715  /* qnorm(0.95)  */
#define Z975 1.9599639845400536 /* qnorm(0.975) */

static void check_close(double got, double want, double rtol, const char *what,
                        int line)
{
    int ok = (isnan(got) && isnan(want)) ||
             (isinf(want) && got == want) ||
             fabs(got - want) <= rtol * fmax(fabs(want), 1e-300);
    if (!ok) {
        print_error("line %d: %s = %.17g, expected %.17g\n", line, what, got,
                    want);
        fail();
    }
}
#define CLOSE(got, want, rtol) check_close((got), (want), (rtol), #got, __LINE__)

static hs_wdd_in wdd_in(double t0, double t1, double b0, double b1, double c0,
                        double c1)
{
    hs_wdd_in in = {.target = {t0, t1}, .buffer = {b0, b1},
                    .control = {c0, c1}, .control_buffer = {0, 0},
                    .has_control_buffer = 1, .weight = {1, 1},
                    .alpha = HS_WDD_ALPHA};
    return in;
}

/* ------------------------------------------------------------------ WDD */

static void test_wdd_no_buffer(void **state)
{
    (void)state;
    /* ptools' first example: wdd(c(20,20), c(20,10)), no buffer (zeros).
     * local = (10 - 20) - (20 - 20) = -10; var = 10 + 20 + 20 + 20 = 70. */
    hs_wdd_in in = wdd_in(20, 10, 0, 0, 20, 20);
    hs_wdd o;
    assert_int_equal(hs_wdd_compute(&in, &o, NULL), HS_OK);
    CLOSE(o.local, -10, 0);
    CLOSE(o.local_se, sqrt(70), 1e-15);
    CLOSE(o.displace, 0, 0);
    CLOSE(o.displace_se, 0, 0);
    CLOSE(o.total, -10, 0);
    CLOSE(o.total_se, sqrt(70), 1e-15);
    CLOSE(o.z, -10 / sqrt(70), 1e-15);
    CLOSE(o.low, -10 - Z95 * sqrt(70), 1e-14); /* alpha 0.1: 90% */
    CLOSE(o.high, -10 + Z95 * sqrt(70), 1e-14);
}

static void test_wdd_paper(void **state)
{
    (void)state;
    /* Wheeler & Ratcliffe (2018)'s example, ptools' test "Est & Variance
     * Paper": control 308 -> 318, target 207 -> 110, control buffer
     * 150 -> 140, buffer 178 -> 157, alpha 0.05.
     * local = (110 - 207) - (318 - 308) = -107, var 110+207+318+308 = 943;
     * displace = (157 - 178) - (140 - 150) = -11, var 157+178+140+150 = 625;
     * total -118, se sqrt(1568) = 39.598, z -2.98, 95% -195.6 .. -40.4. */
    hs_wdd_in in = wdd_in(207, 110, 178, 157, 308, 318);
    in.control_buffer[0] = 150;
    in.control_buffer[1] = 140;
    in.alpha = 0.05;
    hs_wdd o;
    assert_int_equal(hs_wdd_compute(&in, &o, NULL), HS_OK);
    CLOSE(o.local, -107, 0);
    CLOSE(o.local_se, sqrt(943), 1e-15);
    CLOSE(o.displace, -11, 0);
    CLOSE(o.displace_se, 25, 1e-15);
    CLOSE(o.total, -118, 0);
    CLOSE(o.total_se, sqrt(1568), 1e-15);
    CLOSE(o.z, -118 / sqrt(1568), 1e-15);
    CLOSE(o.low, -118 - Z975 * sqrt(1568), 1e-14);
    CLOSE(o.high, -118 + Z975 * sqrt(1568), 1e-14);
    assert_true(round(o.low) == -196 && round(o.high) == -40); /* the paper */
}

static void test_wdd_time_weights(void **state)
{
    (void)state;
    /* ptools' test "Time Weights": wdd(c(100,50), c(80,20),
     * time_weights = c(2,1)): two years before, one after; counts per
     * year: local = (20/1 - 80/2) - (50/1 - 100/2) = -20,
     * var = 20/1 + 80/4 + 50/1 + 100/4 = 115. */
    hs_wdd_in in = wdd_in(80, 20, 0, 0, 100, 50);
    in.weight[0] = 2;
    in.weight[1] = 1;
    hs_wdd o;
    assert_int_equal(hs_wdd_compute(&in, &o, NULL), HS_OK);
    CLOSE(o.total, -20, 0);
    CLOSE(o.total_se, sqrt(115), 1e-15);
    /* The same periods in months {24, 12}: per month, 1/12 of the above,
     * se sqrt(115)/12, z unchanged. */
    in.weight[0] = 24;
    in.weight[1] = 12;
    hs_wdd m;
    assert_int_equal(hs_wdd_compute(&in, &m, NULL), HS_OK);
    CLOSE(m.total, -20.0 / 12, 1e-15);
    CLOSE(m.total_se, sqrt(115) / 12, 1e-15);
    CLOSE(m.z, o.z, 1e-14);
}

static void test_wdd_control_stands_in(void **state)
{
    (void)state;
    /* No control buffer: target 20 -> 10, buffer 30 -> 20, control
     * 20 -> 20.  displace = (20 - 30) - (20 - 20) = -10 and its variance
     * counts the control again: 20 + 30 + 20 + 20 = 90. */
    hs_wdd_in in = wdd_in(20, 10, 30, 20, 20, 20);
    in.has_control_buffer = 0;
    in.control_buffer[0] = NAN; /* ignored */
    hs_wdd o, twice;
    assert_int_equal(hs_wdd_compute(&in, &o, NULL), HS_OK);
    CLOSE(o.displace, -10, 0);
    CLOSE(o.displace_se, sqrt(90), 1e-15);
    CLOSE(o.total, -20, 0);
    CLOSE(o.total_se, sqrt(70 + 90), 1e-15);

    /* Exactly the control passed as the control buffer, with shares and
     * unequal periods too. */
    hs_wdd_in a = {.target = {12.25, 7.5}, .buffer = {30.125, 33.0},
                   .control = {41.75, 18.5}, .control_buffer = {-1, -1},
                   .has_control_buffer = 0, .weight = {3, 1.5}, .alpha = 0.2};
    hs_wdd_in b = a;
    b.has_control_buffer = 1;
    b.control_buffer[0] = a.control[0];
    b.control_buffer[1] = a.control[1];
    assert_int_equal(hs_wdd_compute(&a, &o, NULL), HS_OK);
    assert_int_equal(hs_wdd_compute(&b, &twice, NULL), HS_OK);
    assert_memory_equal(&o, &twice, sizeof o);
}

static void test_wdd_zeros(void **state)
{
    (void)state;
    hs_wdd_in in = wdd_in(0, 0, 0, 0, 0, 0);
    hs_wdd o;
    assert_int_equal(hs_wdd_compute(&in, &o, NULL), HS_OK);
    CLOSE(o.total, 0, 0);
    CLOSE(o.total_se, 0, 0);
    assert_true(isnan(o.z)); /* 0/0, as R */
    CLOSE(o.low, 0, 0);
    CLOSE(o.high, 0, 0);

    /* Nothing after: target 5 -> 0, control 0 -> 0: local -5, var 5. */
    in = wdd_in(5, 0, 0, 0, 0, 0);
    assert_int_equal(hs_wdd_compute(&in, &o, NULL), HS_OK);
    CLOSE(o.total, -5, 0);
    CLOSE(o.z, -5 / sqrt(5), 1e-15);
}

static void test_wdd_bad_input(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_wdd o;
    hs_wdd_in in = wdd_in(20, -1, 0, 0, 20, 20);
    assert_int_equal(hs_wdd_compute(&in, &o, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "target count after"));
    assert_true(isnan(o.total));

    in = wdd_in(20, 10, NAN, 0, 20, 20);
    assert_int_equal(hs_wdd_compute(&in, &o, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "buffer count before"));

    in = wdd_in(20, 10, 0, 0, 20, INFINITY);
    assert_int_equal(hs_wdd_compute(&in, &o, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "control count after"));

    in = wdd_in(20, 10, 0, 0, 20, 20);
    in.control_buffer[1] = -3;
    assert_int_equal(hs_wdd_compute(&in, &o, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "control buffer count after"));

    in = wdd_in(20, 10, 0, 0, 20, 20);
    in.weight[0] = 0;
    assert_int_equal(hs_wdd_compute(&in, &o, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "time weight before"));
    in.weight[0] = 1;
    in.weight[1] = NAN;
    assert_int_equal(hs_wdd_compute(&in, &o, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "time weight after"));

    in = wdd_in(20, 10, 0, 0, 20, 20);
    double alphas[] = {0, 1, -0.1, NAN};
    for (size_t i = 0; i < 4; i++) {
        in.alpha = alphas[i];
        assert_int_equal(hs_wdd_compute(&in, &o, &err), HS_ERR_ARG);
        assert_non_null(strstr(err.msg, "alpha"));
    }
    assert_int_equal(hs_wdd_compute(NULL, &o, &err), HS_ERR_ARG);
}

/* ------------------------------------------------------------------ WDQ */

static hs_wdq wdq(double r0, double r1, double d0, double d1, double c0,
                  double c1)
{
    double r[2] = {r0, r1}, d[2] = {d0, d1}, c[2] = {c0, c1};
    hs_wdq o;
    assert_int_equal(hs_wdq_compute(r, d, c, &o, NULL), HS_OK);
    return o;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_wdq_readings(void **state)
{
    (void)state;
    /* The example: target 100 -> 50, buffer 100 -> 150, control
     * 100 -> 100: success 50/100 - 100/100 = -0.5, buffer 150/100 -
     * 100/100 = 0.5, WDQ = 0.5 / -0.5 = -1: the buffer lost all the
     * target gained. */
    hs_wdq o = wdq(100, 50, 100, 150, 100, 100);
    CLOSE(o.success, -0.5, 0);
    CLOSE(o.buffer, 0.5, 0);
    CLOSE(o.wdq, -1, 0);
    assert_int_equal(o.cls, HS_WDQ_DISPLACEMENT);
    assert_true(starts(o.reading, "displacement"));

    /* buffer 100 -> 110: 0.1 / -0.5 = -0.2: displacement, a net gain. */
    o = wdq(100, 50, 100, 110, 100, 100);
    CLOSE(o.wdq, -0.2, 1e-15);
    assert_int_equal(o.cls, HS_WDQ_DISPLACEMENT);
    assert_non_null(strstr(o.reading, "net gain"));

    /* buffer 100 -> 200: 1 / -0.5 = -2: displacement beyond the gain. */
    o = wdq(100, 50, 100, 200, 100, 100);
    CLOSE(o.wdq, -2, 0);
    assert_int_equal(o.cls, HS_WDQ_DISPLACEMENT_GREATER);
    assert_true(starts(o.reading, "displacement"));
    assert_non_null(strstr(o.reading, "net loss"));

    /* buffer 100 -> 80: -0.2 / -0.5 = 0.4: diffusion of benefit. */
    o = wdq(100, 50, 100, 80, 100, 100);
    CLOSE(o.wdq, 0.4, 1e-15);
    assert_int_equal(o.cls, HS_WDQ_DIFFUSION);
    assert_string_equal(o.reading, "diffusion of benefit");

    /* buffer 100 -> 50: -0.5 / -0.5 = 1: still "diffusion" (not greater). */
    o = wdq(100, 50, 100, 50, 100, 100);
    CLOSE(o.wdq, 1, 0);
    assert_int_equal(o.cls, HS_WDQ_DIFFUSION);

    /* buffer 100 -> 20: -0.8 / -0.5 = 1.6: diffusion beyond the effect. */
    o = wdq(100, 50, 100, 20, 100, 100);
    CLOSE(o.wdq, 1.6, 1e-15);
    assert_int_equal(o.cls, HS_WDQ_DIFFUSION_GREATER);
    assert_true(starts(o.reading, "diffusion of benefit"));

    /* Control 80 -> 40, target 60 -> 20, buffer 40 -> 20: success
     * 20/40 - 60/80 = -0.25, buffer 20/40 - 40/80 = 0: neither. */
    o = wdq(60, 20, 40, 20, 80, 40);
    CLOSE(o.success, -0.25, 0);
    CLOSE(o.wdq, 0, 0);
    assert_int_equal(o.cls, HS_WDQ_NEITHER);
    assert_string_equal(o.reading, "no displacement or diffusion");

    /* Zero to rounding: shares 0.1 + 0.2 after vs 0.3 before. */
    o = wdq(100, 50, 0.3, 0.1 + 0.2, 1, 1);
    CLOSE(o.wdq, 0, 0);
    CLOSE(o.buffer, 0, 0);
    assert_int_equal(o.cls, HS_WDQ_NEITHER);
}

static void test_wdq_undefined(void **state)
{
    (void)state;
    /* The target got worse relative to control: 50 -> 100 vs 100 -> 100,
     * success +0.5: nothing to displace. */
    hs_wdq o = wdq(50, 100, 100, 150, 100, 100);
    CLOSE(o.success, 0.5, 0);
    CLOSE(o.buffer, 0.5, 0);
    assert_true(isnan(o.wdq));
    assert_int_equal(o.cls, HS_WDQ_NO_SUCCESS);
    assert_true(starts(o.reading, "no success to displace"));

    /* The target changed as the control did: 50 -> 100 and 50 -> 100. */
    o = wdq(50, 100, 10, 30, 50, 100);
    CLOSE(o.success, 0, 0);
    assert_true(isnan(o.wdq));
    assert_int_equal(o.cls, HS_WDQ_NO_CHANGE);
    assert_string_equal(o.reading,
                        "undefined: the target changed as the control did");

    /* No control crime before / after. */
    o = wdq(100, 50, 100, 150, 0, 10);
    assert_true(isnan(o.wdq) && isnan(o.success) && isnan(o.buffer));
    assert_int_equal(o.cls, HS_WDQ_NO_CONTROL);
    assert_string_equal(o.reading, "undefined: no control crime before");
    o = wdq(100, 50, 100, 150, 10, 0);
    assert_string_equal(o.reading, "undefined: no control crime after");
}

static void test_wdq_period_lengths(void **state)
{
    (void)state;
    /* A before period twice as long (every before count doubled) reads the
     * same: each ratio X/C is unchanged. */
    hs_wdq a = wdq(100, 50, 100, 130, 100, 90);
    hs_wdq b = wdq(200, 50, 200, 130, 200, 90);
    CLOSE(b.wdq, a.wdq, 1e-15);
    assert_int_equal(a.cls, b.cls);

    double r[2] = {1, 2}, d[2] = {1, -2}, c[2] = {1, 1};
    hs_wdq o;
    hs_error err = {0};
    assert_int_equal(hs_wdq_compute(r, d, c, &o, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "buffer count after"));
    d[1] = 2;
    c[0] = NAN;
    assert_int_equal(hs_wdq_compute(r, d, c, &o, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "control count before"));
}

/* ------------------------------------------------- exact ratio of ratios */

static void test_exact_rr_hand(void **state)
{
    (void)state;
    hs_exact_rr o;
    /* [[3, 1], [1, 3]]: margins 4, 4, 4, null weights C(4,j) C(4,4-j) =
     * 1, 16, 36, 16, 1 (sum 70); the observed 3 has 16, so p = (1 + 16 +
     * 16 + 1) / 70 = 34/70 (fisher.test: 0.4857143). */
    assert_int_equal(hs_exact_rr_compute(3, 1, 1, 3, 0.95, &o, NULL), HS_OK);
    CLOSE(o.p, 34.0 / 70, 1e-14);
    CLOSE(o.ratio, 9, 0);
    assert_int_equal(o.rounded, 0);

    /* [[1, 1], [1, 1]]: weights 1, 4, 1; MLE 1 by symmetry.  Upper limit:
     * P(X <= 1) = (1 + 4 psi) / (1 + 4 psi + psi²) = 0.025, i.e.
     * 0.025 psi² - 3.9 psi - 0.975 = 0; the lower is its reciprocal. */
    assert_int_equal(hs_exact_rr_compute(1, 1, 1, 1, 0.95, &o, NULL), HS_OK);
    double up = (3.9 + sqrt(3.9 * 3.9 + 4 * 0.025 * 0.975)) / (2 * 0.025);
    CLOSE(o.p, 1, 0);
    CLOSE(o.estimate, 1, 1e-14);
    CLOSE(o.high, up, 1e-13);
    CLOSE(o.low, 1 / up, 1e-13);

    /* R: f <- fisher.test(matrix(c(110, 318, 207, 308), 2)):
     * p 3.2974982293755876e-06, estimate 0.51504764274172687 (to
     * uniroot's 1e-4), the target 207 -> 110 against control 308 -> 318. */
    assert_int_equal(hs_exact_rr_compute(110, 207, 318, 308, 0.95, &o, NULL),
                     HS_OK);
    CLOSE(o.p, 3.2974982293755876e-06, 1e-9);
    CLOSE(o.estimate, 0.51504764274172687, 1e-4);
    CLOSE(o.ratio, (110.0 * 308) / (207.0 * 318), 1e-15);
    assert_true(o.low < o.estimate && o.estimate < o.high && o.high < 1);
}

static void test_exact_rr_edges(void **state)
{
    (void)state;
    hs_exact_rr o;
    /* A zero margin (the target had nothing either side): one possible
     * table, p 1, [0, Inf], no estimate; ratio 0/0. */
    assert_int_equal(hs_exact_rr_compute(0, 0, 3, 4, 0.95, &o, NULL), HS_OK);
    CLOSE(o.p, 1, 0);
    CLOSE(o.low, 0, 0);
    CLOSE(o.high, INFINITY, 0);
    assert_true(isnan(o.estimate) && isnan(o.ratio));
    assert_int_equal(hs_exact_rr_compute(0, 5, 0, 7, 0.95, &o, NULL), HS_OK);
    CLOSE(o.p, 1, 0);
    CLOSE(o.high, INFINITY, 0);

    /* Nothing after in the target: a1 at the bottom of its support:
     * estimate and lower limit 0, ratio 0. */
    assert_int_equal(hs_exact_rr_compute(0, 7, 9, 1, 0.95, &o, NULL), HS_OK);
    CLOSE(o.estimate, 0, 0);
    CLOSE(o.low, 0, 0);
    CLOSE(o.ratio, 0, 0);
    assert_true(isfinite(o.high) && o.high > 0 && o.p < 0.05);

    /* Nothing before in the target: top of the support, ratio Inf. */
    assert_int_equal(hs_exact_rr_compute(7, 0, 1, 9, 0.95, &o, NULL), HS_OK);
    CLOSE(o.estimate, INFINITY, 0);
    CLOSE(o.high, INFINITY, 0);
    CLOSE(o.ratio, INFINITY, 0);
    assert_true(o.low > 1);

    /* Shares round half to even, as R: 12.4 -> 12, 3.5 -> 4, 7.6 -> 8,
     * 2.5 -> 2. */
    assert_int_equal(hs_exact_rr_compute(12.4, 3.5, 7.6, 2.5, 0.95, &o, NULL),
                     HS_OK);
    assert_int_equal(o.rounded, 1);
    CLOSE(o.counts[0], 12, 0);
    CLOSE(o.counts[1], 4, 0);
    CLOSE(o.counts[2], 8, 0);
    CLOSE(o.counts[3], 2, 0);
    CLOSE(o.ratio, (12.0 * 2) / (4.0 * 8), 1e-15);

    /* A narrower interval at a lower level; large counts. */
    hs_exact_rr w;
    assert_int_equal(hs_exact_rr_compute(2500, 2600, 2400, 2300, 0.9, &o, NULL),
                     HS_OK);
    assert_int_equal(hs_exact_rr_compute(2500, 2600, 2400, 2300, 0.99, &w, NULL),
                     HS_OK);
    assert_true(w.low < o.low && o.low < o.estimate && o.estimate < o.high &&
                o.high < w.high);
    CLOSE(o.p, w.p, 0);
}

static void test_exact_rr_bad(void **state)
{
    (void)state;
    hs_exact_rr o;
    hs_error err = {0};
    assert_int_equal(hs_exact_rr_compute(1, -1, 1, 1, 0.95, &o, &err),
                     HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "first area before"));
    assert_true(isnan(o.p));
    assert_int_equal(hs_exact_rr_compute(1, 1, NAN, 1, 0.95, &o, &err),
                     HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "second area after"));
    assert_int_equal(hs_exact_rr_compute(1, 1, 1, 1, 1.0, &o, &err),
                     HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "confidence level"));
    assert_int_equal(hs_exact_rr_compute(6e6, 6e6, 6e6, 6e6, 0.95, &o, &err),
                     HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "too large"));
    assert_int_equal(hs_exact_rr_compute(1, 1, 1, 1, 0.95, NULL, &err),
                     HS_ERR_ARG);
}

/* ------------------------------------------------------------ rate ratio */

static void test_rate_ratio(void **state)
{
    (void)state;
    double r, lo, hi, p;
    /* R: poisson.test(c(10, 10), c(1, 1))$conf.int =
     * 0.37354684669936622 2.67704040024947298, p 1. */
    assert_int_equal(hs_rate_ratio(10, 1, 10, 1, 0.95, &r, &lo, &hi, &p, NULL),
                     HS_OK);
    CLOSE(r, 1, 0);
    CLOSE(lo, 0.37354684669936622, 1e-12);
    CLOSE(hi, 2.67704040024947298, 1e-12);
    CLOSE(p, 1, 0);

    /* R: poisson.test(c(20, 10), c(12, 24)): estimate 4, interval
     * 1.7870177807693828 9.5691048806762034; its p 0.000277 is
     * binom.test's; the central p is 2 min(pbinom(20, 30, 1/3),
     * pbinom(19, 30, 1/3, lower.tail = FALSE)) = 0.0003875186027406058. */
    assert_int_equal(hs_rate_ratio(20, 12, 10, 24, 0.95, &r, &lo, &hi, &p, NULL),
                     HS_OK);
    CLOSE(r, 4, 1e-15);
    CLOSE(lo, 1.7870177807693828, 1e-12);
    CLOSE(hi, 9.5691048806762034, 1e-12);
    CLOSE(p, 0.0003875186027406058, 1e-12);

    /* Closed forms at the ends: x1 = n = 3, equal exposures: the lower
     * pi solves pi³ = 0.025, RR = pi / (1 - pi); x1 = 0: (1 - pi)³ =
     * 0.025, the upper RR = (1 - a) / a with a = 0.025^(1/3), times
     * e0 / e1 = 2. */
    double a = cbrt(0.025);
    assert_int_equal(hs_rate_ratio(3, 1, 0, 1, 0.95, &r, &lo, &hi, &p, NULL),
                     HS_OK);
    CLOSE(r, INFINITY, 0);
    CLOSE(lo, a / (1 - a), 1e-13);
    CLOSE(hi, INFINITY, 0);
    CLOSE(p, 0.25, 1e-14); /* 2 x 0.5³ */
    assert_int_equal(hs_rate_ratio(0, 1, 3, 2, 0.95, &r, &lo, &hi, &p, NULL),
                     HS_OK);
    CLOSE(r, 0, 0);
    CLOSE(lo, 0, 0);
    CLOSE(hi, (1 - a) / a * 2, 1e-13);

    /* No counts at all: nothing to say. */
    assert_int_equal(hs_rate_ratio(0, 1, 0, 1, 0.95, &r, &lo, &hi, &p, NULL),
                     HS_OK);
    assert_true(isnan(r));
    CLOSE(lo, 0, 0);
    CLOSE(hi, INFINITY, 0);
    CLOSE(p, 1, 0);

    /* Shares rounded: 9.5 -> 10 (half to even), 10.4 -> 10. */
    assert_int_equal(hs_rate_ratio(9.5, 1, 10.4, 1, 0.95, &r, &lo, &hi, &p, NULL),
                     HS_OK);
    CLOSE(lo, 0.37354684669936622, 1e-12);

    hs_error err = {0};
    assert_int_equal(hs_rate_ratio(-1, 1, 1, 1, 0.95, &r, &lo, &hi, &p, &err),
                     HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "first count"));
    assert_true(isnan(r));
    assert_int_equal(hs_rate_ratio(1, 0, 1, 1, 0.95, &r, &lo, &hi, &p, &err),
                     HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "exposures"));
    assert_int_equal(hs_rate_ratio(1, 1, 1, 1, 0, &r, &lo, &hi, &p, &err),
                     HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "confidence level"));
    assert_int_equal(hs_rate_ratio(1, 1, 1, 1, 0.95, NULL, &lo, &hi, &p, &err),
                     HS_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wdd_no_buffer),
        cmocka_unit_test(test_wdd_paper),
        cmocka_unit_test(test_wdd_time_weights),
        cmocka_unit_test(test_wdd_control_stands_in),
        cmocka_unit_test(test_wdd_zeros),
        cmocka_unit_test(test_wdd_bad_input),
        cmocka_unit_test(test_wdq_readings),
        cmocka_unit_test(test_wdq_undefined),
        cmocka_unit_test(test_wdq_period_lengths),
        cmocka_unit_test(test_exact_rr_hand),
        cmocka_unit_test(test_exact_rr_edges),
        cmocka_unit_test(test_exact_rr_bad),
        cmocka_unit_test(test_rate_ratio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
