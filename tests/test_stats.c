/*
 * test_stats.c - checks hs_stats.h against independent references: closed
 * forms (chi-square with even df, exponential tails), direct summation of
 * Poisson and binomial terms, published table values, and the normal
 * approximation where n is large.  No expected value here was produced by
 * the code under test.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "hotspot/hs_stats.h"

#define Z975 1.959963984540054  /* qnorm(0.975) */
#define Z999 3.090232306167813  /* qnorm(0.999) */

/* Fails with both values shown when |got - want| > atol + rtol*|want|. */
static void check_close(double got, double want, double rtol, double atol,
                        const char *what, int line)
{
    if (!(fabs(got - want) <= atol + rtol * fabs(want))) {
        print_error("line %d: %s = %.17g, expected %.17g (diff %.3g)\n", line,
                    what, got, want, got - want);
        fail();
    }
}
#define CHECK_CLOSE(got, want, rtol, atol) \
    check_close((got), (want), (rtol), (atol), #got, __LINE__)

/* Standard normal upper tail P(Z > z), from erfc: independent of Acklam. */
static double norm_upper(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

/* Poisson P(X <= k; mu) and P(X >= k; mu) by direct summation. */
static double pois_cdf(long k, double mu)
{
    double s = 0.0;
    for (long j = 0; j <= k; j++)
        s += exp(-mu + j * log(mu) - lgamma(j + 1.0));
    return s;
}

static double pois_upper(long k, double mu)
{
    double s = 0.0;
    for (long j = k; j < k + 2000; j++) {
        double t = exp(-mu + j * log(mu) - lgamma(j + 1.0));
        s += t;
        if (t < 1e-20 * s)
            break;
    }
    return s;
}

/* Binomial term and tails by direct summation (small n only). */
static double binom_term(long j, long n, double p)
{
    if (p == 0.0)
        return j == 0 ? 1.0 : 0.0;
    if (p == 1.0)
        return j == n ? 1.0 : 0.0;
    return exp(lgamma(n + 1.0) - lgamma(j + 1.0) - lgamma(n - j + 1.0) +
               j * log(p) + (n - j) * log1p(-p));
}

static double binom_sum(long from, long to, long n, double p)
{
    double s = 0.0;
    for (long j = from; j <= to; j++)
        s += binom_term(j, n, p);
    return s;
}

/* The two-sided p-value of the brief, from the summed tails. */
static double change_p_by_sum(long x1, long x0, double e1, double e0)
{
    long n = x1 + x0;
    double p0 = e1 / (e1 + e0);
    double lower = binom_sum(0, x1, n, p0), upper = binom_sum(x1, n, n, p0);
    double pv = 2.0 * fmin(lower, upper);
    return pv < 1.0 ? pv : 1.0;
}

/* ------------------------------------------------------------- normal */

static void test_normal_quantile_known(void **state)
{
    (void)state;
    CHECK_CLOSE(hs_normal_quantile(0.975), Z975, 0, 1e-13);
    CHECK_CLOSE(hs_normal_quantile(0.999), Z999, 0, 1e-13);
    CHECK_CLOSE(hs_normal_quantile(0.025), -Z975, 0, 1e-13);
    CHECK_CLOSE(hs_normal_quantile(0.001), -Z999, 0, 1e-13);
    CHECK_CLOSE(hs_normal_quantile(0.5), 0.0, 0, 1e-15);
    /* qnorm(0.84134474606854293) = 1, i.e. Phi(1) from tables */
    CHECK_CLOSE(hs_normal_quantile(0.84134474606854293), 1.0, 0, 1e-12);
}

static void test_normal_quantile_symmetry(void **state)
{
    (void)state;
    const double ps[] = {1e-12, 1e-6, 0.001, 0.01, 0.02425, 0.1, 0.25, 0.4999};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        /* u and 1 - u are both exact doubles (1 - ps[i] is not always) */
        double u = 1.0 - ps[i];
        CHECK_CLOSE(hs_normal_quantile(u), -hs_normal_quantile(1.0 - u), 1e-13,
                    1e-15);
    }
}

static void test_normal_quantile_roundtrip(void **state)
{
    (void)state;
    /* Both sides of Acklam's region boundary 0.02425, and deep tails. */
    const double ps[] = {1e-300, 1e-100, 1e-20, 1e-10, 1e-5,  0.01,
                         0.0242, 0.0243, 0.1,   0.3,   0.5,   0.7,
                         0.9,    0.975,  0.99,  0.999, 0.999999};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double p = ps[i], z = hs_normal_quantile(p);
        /* compare the smaller tail, where the relative error is visible */
        if (p <= 0.5)
            CHECK_CLOSE(norm_upper(-z), p, 1e-12, 0);
        else
            CHECK_CLOSE(norm_upper(z), 1.0 - p, 1e-12, 0);
    }
}

static void test_normal_quantile_edges(void **state)
{
    (void)state;
    assert_true(isinf(hs_normal_quantile(0.0)) && hs_normal_quantile(0.0) < 0);
    assert_true(isinf(hs_normal_quantile(1.0)) && hs_normal_quantile(1.0) > 0);
    assert_true(isnan(hs_normal_quantile(-0.1)));
    assert_true(isnan(hs_normal_quantile(1.1)));
    assert_true(isnan(hs_normal_quantile(NAN)));
}

/* --------------------------------------------------------- chi-square */

/* Chi-square with df = 2k: P(X > x) = exp(-y) sum_{j<k} y^j/j!, y = x/2,
 * and P(X <= x) = exp(-y) sum_{j>=k} y^j/j!; both sums have positive
 * terms, so each tail keeps full relative accuracy. */
static double chisq_even_upper(double x, int k)
{
    double y = 0.5 * x, s = 0.0;
    for (int j = 0; j < k; j++)
        s += exp(-y + j * log(y) - lgamma(j + 1.0));
    return s;
}

static double chisq_even_lower(double x, int k)
{
    double y = 0.5 * x, s = 0.0;
    for (int j = k; j < k + 100000; j++) {
        double t = exp(-y + j * log(y) - lgamma(j + 1.0));
        s += t;
        if (t < 1e-20 * s && j > y)
            break;
    }
    return s;
}

static void test_chisq_quantile_even_df(void **state)
{
    (void)state;
    const int dfs[] = {2, 4, 6, 10, 20, 22, 50, 200};
    const double ps[] = {1e-10, 1e-4, 0.001, 0.025, 0.1, 0.5,
                         0.9,   0.975, 0.999, 1 - 1e-9};
    for (size_t i = 0; i < sizeof dfs / sizeof dfs[0]; i++) {
        for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) {
            double p = ps[j], x = hs_chisq_quantile(p, dfs[i]);
            if (p <= 0.5)
                CHECK_CLOSE(chisq_even_lower(x, dfs[i] / 2), p, 1e-10, 0);
            else
                CHECK_CLOSE(chisq_even_upper(x, dfs[i] / 2), 1.0 - p, 1e-10, 0);
        }
    }
}

static void test_chisq_quantile_closed_forms(void **state)
{
    (void)state;
    const double ps[] = {1e-8, 0.001, 0.025, 0.5, 0.975, 0.999};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double p = ps[i];
        /* df = 2 is the exponential with mean 2 */
        CHECK_CLOSE(hs_chisq_quantile(p, 2.0), -2.0 * log1p(-p), 1e-12, 0);
        /* df = 1 is Z^2: P(X <= x) = P(|Z| <= sqrt(x)) */
        double x = hs_chisq_quantile(p, 1.0);
        if (p <= 0.5)
            CHECK_CLOSE(erf(sqrt(0.5 * x)), p, 1e-10, 0);
        else
            CHECK_CLOSE(erfc(sqrt(0.5 * x)), 1.0 - p, 1e-10, 0);
        if (p >= 0.5) /* (1 - p) / 2 is exact enough only here */
            CHECK_CLOSE(sqrt(x), -hs_normal_quantile(0.5 * (1.0 - p)), 1e-10, 0);
    }
    /* Printed tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4). */
    CHECK_CLOSE(hs_chisq_quantile(0.95, 1), 3.841459, 0, 1e-6);
    CHECK_CLOSE(hs_chisq_quantile(0.975, 10), 20.483177, 0, 1e-6);
    CHECK_CLOSE(hs_chisq_quantile(0.025, 10), 3.246973, 0, 1e-6);
    CHECK_CLOSE(hs_chisq_quantile(0.99, 5), 15.086272, 0, 1e-6);
}

static void test_chisq_quantile_edges(void **state)
{
    (void)state;
    assert_true(hs_chisq_quantile(0.0, 3) == 0.0);
    assert_true(isinf(hs_chisq_quantile(1.0, 3)));
    assert_true(isnan(hs_chisq_quantile(0.5, 0.0)));
    assert_true(isnan(hs_chisq_quantile(0.5, -2.0)));
    assert_true(isnan(hs_chisq_quantile(-0.5, 2.0)));
    assert_true(isnan(hs_chisq_quantile(1.5, 2.0)));
    assert_true(isnan(hs_chisq_quantile(NAN, 2.0)));
    /* non-integer and large df still invert (checked via the median
     * bracket: the quantile must be increasing in p) */
    assert_true(hs_chisq_quantile(0.4, 7.5) < hs_chisq_quantile(0.6, 7.5));
    assert_true(hs_chisq_quantile(0.4, 1e5) < hs_chisq_quantile(0.6, 1e5));
}

/* ------------------------------------------------------------ Poisson */

static void test_poisson_exact_table(void **state)
{
    (void)state;
    /* Exact 95% limits on a count (R: poisson.test / epitools pois.exact). */
    static const struct { long o; double lo, hi; } t[] = {
        {0, 0.0, 3.688879},
        {1, 0.025318, 5.571643},
        {5, 1.623486, 11.668332},
        {9, 4.115373, 17.084803},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double lo, hi;
        assert_int_equal(hs_poisson_ci(t[i].o, 0.95, &lo, &hi, NULL), HS_OK);
        CHECK_CLOSE(lo, t[i].lo, 0, 1e-6);
        CHECK_CLOSE(hi, t[i].hi, 0, 1e-6);
    }
}

static void test_poisson_exact_closed_forms(void **state)
{
    (void)state;
    /* chi-square with 2 df is exponential: for O = 0, U = -ln(alpha/2);
     * for O = 1, L = -ln(1 - alpha/2). */
    const double confs[] = {0.95, 0.998};
    for (size_t i = 0; i < 2; i++) {
        double h = 0.5 * (1.0 - confs[i]), lo, hi;
        assert_int_equal(hs_poisson_ci(0, confs[i], &lo, &hi, NULL), HS_OK);
        assert_true(lo == 0.0);
        CHECK_CLOSE(hi, -log(h), 1e-12, 0);
        assert_int_equal(hs_poisson_ci(1, confs[i], &lo, &hi, NULL), HS_OK);
        CHECK_CLOSE(lo, -log1p(-h), 1e-12, 0);
    }
}

static void test_poisson_exact_defining_equations(void **state)
{
    (void)state;
    /* U solves P(X <= O; U) = alpha/2 and L solves P(X >= O; L) = alpha/2. */
    const double confs[] = {0.95, 0.998};
    for (size_t i = 0; i < 2; i++) {
        double h = 0.5 * (1.0 - confs[i]);
        for (long o = 0; o <= 9; o++) {
            double lo, hi;
            assert_int_equal(hs_poisson_ci(o, confs[i], &lo, &hi, NULL), HS_OK);
            CHECK_CLOSE(pois_cdf(o, hi), h, 1e-10, 0);
            if (o > 0)
                CHECK_CLOSE(pois_upper(o, lo), h, 1e-10, 0);
            assert_true(lo < (double)o || o == 0);
            assert_true(hi > (double)o);
        }
    }
}

static double byar_lo(double o, double z)
{
    double b = 1.0 - 1.0 / (9.0 * o) - z / (3.0 * sqrt(o));
    return o * b * b * b;
}

static double byar_hi(double o, double z)
{
    double b = 1.0 - 1.0 / (9.0 * (o + 1.0)) + z / (3.0 * sqrt(o + 1.0));
    return (o + 1.0) * b * b * b;
}

static void test_poisson_byar(void **state)
{
    (void)state;
    const long os[] = {10, 11, 100, 1000, 123456, 10000000};
    for (size_t i = 0; i < sizeof os / sizeof os[0]; i++) {
        double lo, hi, o = (double)os[i];
        assert_int_equal(hs_poisson_ci(os[i], 0.95, &lo, &hi, NULL), HS_OK);
        CHECK_CLOSE(lo, byar_lo(o, Z975), 1e-12, 0);
        CHECK_CLOSE(hi, byar_hi(o, Z975), 1e-12, 0);
        assert_int_equal(hs_poisson_ci(os[i], 0.998, &lo, &hi, NULL), HS_OK);
        CHECK_CLOSE(lo, byar_lo(o, Z999), 1e-12, 0);
        CHECK_CLOSE(hi, byar_hi(o, Z999), 1e-12, 0);
    }
    /* Below 10 the exact method is used, which differs from Byar's. */
    double lo, hi;
    assert_int_equal(hs_poisson_ci(9, 0.95, &lo, &hi, NULL), HS_OK);
    assert_true(fabs(lo - byar_lo(9, Z975)) > 1e-3);
}

static void test_poisson_exact_vs_byar_at_10(void **state)
{
    (void)state;
    double lo, hi;
    assert_int_equal(hs_poisson_ci(10, 0.95, &lo, &hi, NULL), HS_OK);
    /* Exact limits at O = 10 from the chi-square quantiles, themselves
     * checked above; the two methods agree closely at the switch. */
    double elo = 0.5 * hs_chisq_quantile(0.025, 20.0);
    double ehi = 0.5 * hs_chisq_quantile(0.975, 22.0);
    CHECK_CLOSE(pois_upper(10, elo), 0.025, 1e-10, 0);
    CHECK_CLOSE(pois_cdf(10, ehi), 0.025, 1e-10, 0);
    CHECK_CLOSE(lo, elo, 0.02, 0);
    CHECK_CLOSE(hi, ehi, 0.02, 0);
}

static void test_poisson_ci_properties(void **state)
{
    (void)state;
    for (long o = 1; o <= 60; o++) {
        double l95, h95, l998, h998;
        assert_int_equal(hs_poisson_ci(o, 0.95, &l95, &h95, NULL), HS_OK);
        assert_int_equal(hs_poisson_ci(o, 0.998, &l998, &h998, NULL), HS_OK);
        assert_true(0.0 < l998 && l998 < l95 && l95 < (double)o);
        assert_true((double)o < h95 && h95 < h998);
    }
}

static void test_poisson_ci_args(void **state)
{
    (void)state;
    hs_error err;
    double lo = 0.0, hi = 0.0;

    hs_error_clear(&err);
    assert_int_equal(hs_poisson_ci(-1, 0.95, &lo, &hi, &err), HS_ERR_ARG);
    assert_int_equal(err.code, HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "-1"));
    assert_true(isnan(lo) && isnan(hi));

    const double bad[] = {0.0, 1.0, -0.5, 1.5, 95.0, NAN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hs_error_clear(&err);
        assert_int_equal(hs_poisson_ci(5, bad[i], &lo, &hi, &err), HS_ERR_ARG);
        assert_int_equal(err.code, HS_ERR_ARG);
        assert_non_null(strstr(err.msg, "confidence"));
    }

    hs_error_clear(&err);
    assert_int_equal(hs_poisson_ci(5, 0.95, NULL, &hi, &err), HS_ERR_ARG);
    assert_true(err.msg[0] != '\0');
    assert_int_equal(hs_poisson_ci(5, 0.95, &lo, NULL, &err), HS_ERR_ARG);
    /* err may be NULL */
    assert_int_equal(hs_poisson_ci(-3, 0.95, &lo, &hi, NULL), HS_ERR_ARG);
    assert_int_equal(hs_poisson_ci(3, 0.95, &lo, &hi, NULL), HS_OK);
}

/* ----------------------------------------------------------- binomial */

static void test_binom_cdf_vs_sum(void **state)
{
    (void)state;
    const long ns[] = {1, 2, 5, 17, 50, 113, 200};
    const double ps[] = {0.01, 0.3, 0.5, 0.77, 0.99};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) {
            long n = ns[i];
            for (long k = 0; k < n; k++) {
                double want = binom_sum(0, k, n, ps[j]);
                CHECK_CLOSE(hs_binom_cdf(k, n, ps[j]), want, 1e-10, 1e-300);
            }
        }
    }
}

static void test_binom_cdf_large_n(void **state)
{
    (void)state;
    /* Bin(1e7, 1e-6) is Poisson(10) to within O(p) = 1e-6. */
    for (long k = 0; k <= 30; k++)
        CHECK_CLOSE(hs_binom_cdf(k, 10000000, 1e-6), pois_cdf(k, 10.0), 1e-5, 0);
    /* Symmetry of Bin(n, 1/2): P(X <= k) + P(X <= n-k-1) = 1, which ties
     * the two continued-fraction branches together. */
    const long n = 10000000;
    const long ks[] = {4990000, 4997000, 4999999, 5000000, 5003000};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
        CHECK_CLOSE(hs_binom_cdf(ks[i], n, 0.5) + hs_binom_cdf(n - ks[i] - 1, n, 0.5),
                    1.0, 0, 1e-12);
    /* Normal approximation with continuity correction at 3 sd. */
    double sd = sqrt(n * 0.25), k = 0.5 * n - 3.0 * sd;
    CHECK_CLOSE(hs_binom_cdf((long)k, n, 0.5),
                norm_upper((0.5 * n - floor(k) - 0.5) / sd), 1e-3, 0);
}

static void test_binom_cdf_edges(void **state)
{
    (void)state;
    assert_true(hs_binom_cdf(-1, 10, 0.3) == 0.0);
    assert_true(hs_binom_cdf(10, 10, 0.3) == 1.0);
    assert_true(hs_binom_cdf(11, 10, 0.3) == 1.0);
    assert_true(hs_binom_cdf(0, 0, 0.3) == 1.0);
    assert_true(hs_binom_cdf(0, 10, 0.0) == 1.0);
    assert_true(hs_binom_cdf(9, 10, 1.0) == 0.0);
    CHECK_CLOSE(hs_binom_cdf(0, 10, 0.5), 1.0 / 1024.0, 1e-14, 0);
    CHECK_CLOSE(hs_binom_cdf(9, 10, 0.5), 1023.0 / 1024.0, 1e-14, 0);
    assert_true(isnan(hs_binom_cdf(3, 10, -0.1)));
    assert_true(isnan(hs_binom_cdf(3, 10, 1.1)));
    assert_true(isnan(hs_binom_cdf(3, 10, NAN)));
    assert_true(isnan(hs_binom_cdf(3, -1, 0.5)));
}

/* -------------------------------------------------------- change test */

static void test_change_p_symmetric(void **state)
{
    (void)state;
    assert_true(hs_change_p(0, 0, 1.0, 1.0) == 1.0);
    const long xs[] = {1, 7, 100, 12345, 10000000};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        assert_true(hs_change_p(xs[i], xs[i], 1.0, 1.0) == 1.0);
}

static void test_change_p_r_example(void **state)
{
    (void)state;
    /* R: poisson.test(c(25, 10)) = binom.test(25, 35): p-value = 0.01667;
     * exactly 2 * sum_{k>=25} C(35,k) / 2^35 = 0.016673847800120... */
    double want = change_p_by_sum(25, 10, 1.0, 1.0);
    CHECK_CLOSE(want, 0.0166738478001207, 1e-12, 0);
    CHECK_CLOSE(hs_change_p(25, 10, 1.0, 1.0), want, 1e-12, 0);
    CHECK_CLOSE(hs_change_p(10, 25, 1.0, 1.0), want, 1e-12, 0);
    CHECK_CLOSE(hs_change_p(25, 10, 1.0, 1.0), 0.01667, 0, 5e-6);
}

static void test_change_p_vs_sum(void **state)
{
    (void)state;
    const double e1s[] = {1.0, 3.0, 0.25, 1.1};
    for (size_t i = 0; i < sizeof e1s / sizeof e1s[0]; i++)
        for (long n = 1; n <= 60; n += 7)
            for (long x1 = 0; x1 <= n; x1++)
                CHECK_CLOSE(hs_change_p(x1, n - x1, e1s[i], 1.0),
                            change_p_by_sum(x1, n - x1, e1s[i], 1.0), 1e-10,
                            1e-300);
}

static void test_change_p_large_n(void **state)
{
    (void)state;
    /* Equal exposures: x1 ~ Bin(n, 1/2); normal approximation with
     * continuity correction, two-sided. */
    long x1 = 5200, x0 = 5000, n = x1 + x0;
    double z = (fabs(x1 - 0.5 * n) - 0.5) / sqrt(0.25 * n);
    double p = hs_change_p(x1, x0, 1.0, 1.0);
    CHECK_CLOSE(p, 2.0 * norm_upper(z), 0, 1e-3);
    CHECK_CLOSE(hs_change_p(x0, x1, 1.0, 1.0), p, 1e-12, 0);

    x1 = 10010000;
    x0 = 10000000;
    n = x1 + x0;
    z = (fabs(x1 - 0.5 * n) - 0.5) / sqrt(0.25 * n);
    CHECK_CLOSE(hs_change_p(x1, x0, 1.0, 1.0), 2.0 * norm_upper(z), 1e-3, 0);
    /* a far tail still comes out positive and tiny, not 0 or negative */
    p = hs_change_p(10100000, 10000000, 1.0, 1.0);
    z = (50000.0 - 0.5) / sqrt(0.25 * 20100000.0);
    assert_true(p > 0.0);
    CHECK_CLOSE(p, 2.0 * norm_upper(z), 0.05, 0);
}

static void test_change_p_unequal_exposure(void **state)
{
    (void)state;
    /* Population doubled: 30 vs 10 under p0 = 2/3, summed directly. */
    double want = change_p_by_sum(30, 10, 2.0, 1.0);
    CHECK_CLOSE(hs_change_p(30, 10, 2.0, 1.0), want, 1e-12, 0);
    /* only the exposure ratio matters */
    CHECK_CLOSE(hs_change_p(30, 10, 2000.0, 1000.0), want, 1e-12, 0);
    /* swapping the periods swaps the tails, same p-value */
    CHECK_CLOSE(hs_change_p(10, 30, 1.0, 2.0), want, 1e-12, 0);
    /* counts in proportion to exposure: no evidence of change */
    assert_true(hs_change_p(20, 10, 2.0, 1.0) > 0.5);
    /* the same counts are more surprising with equal exposure */
    assert_true(hs_change_p(30, 10, 1.0, 1.0) < want);
}

static void test_change_p_args(void **state)
{
    (void)state;
    assert_true(isnan(hs_change_p(-1, 5, 1.0, 1.0)));
    assert_true(isnan(hs_change_p(5, -1, 1.0, 1.0)));
    assert_true(isnan(hs_change_p(5, 5, 0.0, 1.0)));
    assert_true(isnan(hs_change_p(5, 5, 1.0, -2.0)));
    assert_true(isnan(hs_change_p(5, 5, NAN, 1.0)));
    assert_true(isnan(hs_change_p(5, 5, 1.0, INFINITY)));
}

/* ---------------------------------------------------------- benchmark */

static void test_compare_benchmark(void **state)
{
    (void)state;
    assert_int_equal(hs_compare_benchmark(12.0, 20.0, 10.0), HS_HIGHER);
    assert_int_equal(hs_compare_benchmark(2.0, 8.0, 10.0), HS_LOWER);
    assert_int_equal(hs_compare_benchmark(5.0, 15.0, 10.0), HS_SIMILAR);
    /* an interval touching the benchmark contains it */
    assert_int_equal(hs_compare_benchmark(10.0, 15.0, 10.0), HS_SIMILAR);
    assert_int_equal(hs_compare_benchmark(5.0, 10.0, 10.0), HS_SIMILAR);
    assert_int_equal(hs_compare_benchmark(NAN, NAN, 10.0), HS_SIMILAR);
}

/* Fay & Feuer's gamma interval (hs_stats.h): with every weight 1 the
 * exact Poisson limits; otherwise the values R gives for the formula,
 *   ff <- function(y, v, wm, a = 0.05) c(v / (2 y) qchisq(a / 2, 2 y^2 / v),
 *     (v + wm^2) / (2 (y + wm)) qchisq(1 - a / 2, 2 (y + wm)^2 / (v + wm^2)))
 * (R 4, options(digits = 17)). */
static void test_weighted_poisson(void **state)
{
    (void)state;
    hs_error err = {0};
    double lo, hi, elo, ehi;
    for (long x = 0; x < 10; x++) {
        assert_int_equal(hs_weighted_poisson_ci((double)x, (double)x, 1, 0.95,
                                                &lo, &hi, &err), HS_OK);
        assert_int_equal(hs_poisson_ci(x, 0.95, &elo, &ehi, &err), HS_OK);
        assert_float_equal(lo, elo, 1e-9 * (1 + elo));
        assert_float_equal(hi, ehi, 1e-9 * ehi);
    }
    static const double R[][5] = { /* y, v, wmax, lo, hi */
        {2.5, 2.25, 1, 0.47270415330542093, 7.81707469272469790},
        {0.3, 0.09, 0.3, 0.0075953423952869626, 1.6714930172816695464},
        {12.75, 10.3125, 1, 7.2530311574488229, 21.0837968585093982}};
    for (size_t k = 0; k < sizeof R / sizeof *R; k++) {
        assert_int_equal(hs_weighted_poisson_ci(R[k][0], R[k][1], R[k][2], 0.95,
                                                &lo, &hi, &err), HS_OK);
        assert_float_equal(lo, R[k][3], 1e-8 * R[k][3]);
        assert_float_equal(hi, R[k][4], 1e-8 * R[k][4]);
    }
    /* a sum of shares is less certain than a whole count of the same size
     * made of whole incidents would be: wider relative to it */
    assert_int_equal(hs_weighted_poisson_ci(0, 0, 0.5, 0.95, &lo, &hi, &err), HS_OK);
    assert_float_equal(lo, 0, 0);
    assert_true(hi > 0 && hi < 3.6889); /* below one whole incident's 3.69 */
    /* bad input: negative, inconsistent (a sum without squares), level */
    assert_int_equal(hs_weighted_poisson_ci(-1, 1, 1, 0.95, &lo, &hi, &err), HS_ERR_ARG);
    assert_true(isnan(lo) && isnan(hi));
    assert_int_equal(hs_weighted_poisson_ci(2, 0, 1, 0.95, &lo, &hi, &err), HS_ERR_ARG);
    assert_int_equal(hs_weighted_poisson_ci(2, 2, 0, 0.95, &lo, &hi, &err), HS_ERR_ARG);
    assert_int_equal(hs_weighted_poisson_ci(2, 2, 1, 1.5, &lo, &hi, &err), HS_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal_quantile_known),
        cmocka_unit_test(test_normal_quantile_symmetry),
        cmocka_unit_test(test_normal_quantile_roundtrip),
        cmocka_unit_test(test_normal_quantile_edges),
        cmocka_unit_test(test_chisq_quantile_even_df),
        cmocka_unit_test(test_chisq_quantile_closed_forms),
        cmocka_unit_test(test_chisq_quantile_edges),
        cmocka_unit_test(test_poisson_exact_table),
        cmocka_unit_test(test_poisson_exact_closed_forms),
        cmocka_unit_test(test_poisson_exact_defining_equations),
        cmocka_unit_test(test_poisson_byar),
        cmocka_unit_test(test_poisson_exact_vs_byar_at_10),
        cmocka_unit_test(test_poisson_ci_properties),
        cmocka_unit_test(test_poisson_ci_args),
        cmocka_unit_test(test_binom_cdf_vs_sum),
        cmocka_unit_test(test_binom_cdf_large_n),
        cmocka_unit_test(test_binom_cdf_edges),
        cmocka_unit_test(test_change_p_symmetric),
        cmocka_unit_test(test_change_p_r_example),
        cmocka_unit_test(test_change_p_vs_sum),
        cmocka_unit_test(test_change_p_large_n),
        cmocka_unit_test(test_change_p_unequal_exposure),
        cmocka_unit_test(test_change_p_args),
        cmocka_unit_test(test_compare_benchmark),
        cmocka_unit_test(test_weighted_poisson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
