/*
 * stats.c - confidence intervals and change tests for counts (hs_stats.h).
 *
 * Only libm is used, so the special functions are written here:
 *   - normal quantile: Acklam's rational approximation (rel. error 1.2e-9)
 *     polished by one Halley step on erfc, giving close to double precision;
 *   - chi-square quantile: bracketed Newton on the regularised incomplete
 *     gamma function (series / continued fraction, Numerical Recipes 6.2);
 *   - binomial tails: the incomplete beta continued fraction (modified
 *     Lentz), with the leading binomial term from Loader's saddle-point
 *     formula, so counts of 10^7 cost a few thousand steps rather than a
 *     sum over every term, and lgamma's absolute error (which grows with n)
 *     does not leak into the result.
 * Each tail probability that is small is computed directly, never as 1 - x.
 */
#include <float.h>
#include <limits.h>
#include <math.h>

#include "hotspot/hs_stats.h"

/* Not in strict C11 <math.h>, so spelled out here. */
#define LN_SQRT_2PI 0.918938533204672741780329736406 /* log(sqrt(2*pi)) */
#define SQRT_2PI 2.50662827463100050241576528481
#define SQRT_1_2 0.707106781186547524400844362105 /* 1/sqrt(2) */

/* Iteration caps: far above what convergence needs, they only stop a
 * pathological input from looping for ever. */
#define MAX_SERIES 100000
#define MAX_CF 100000
#define MAX_ROOT 300

/* Smallest magnitude allowed in a Lentz denominator (avoids 0/0). */
#define TINY 1e-300

/* ---------------------------------------------------------------- normal */

/* Acklam's approximation for the lower half, p in (0, 0.5]. */
static double acklam_lower(double p)
{
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549671010624355e+00,
                                4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01,
                                2.445134137142996e+00, 3.754408661907416e+00};

    if (p < 0.02425) {
        double q = sqrt(-2.0 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    double q = p - 0.5;
    double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

double hs_normal_quantile(double p)
{
    if (isnan(p) || p < 0.0 || p > 1.0)
        return NAN;
    if (p == 0.0)
        return -INFINITY;
    if (p == 1.0)
        return INFINITY;
    /* Work in the lower half: 1 - p is exact for p >= 0.5 (Sterbenz), and
     * erfc keeps full relative accuracy in the lower tail. */
    if (p > 0.5)
        return -hs_normal_quantile(1.0 - p);

    double x = acklam_lower(p);
    /* One Halley step on Phi(x) - p; skipped where exp() would overflow
     * (p below ~1e-300, where Acklam alone is already within 1e-9). */
    double e = 0.5 * erfc(-x * SQRT_1_2) - p;
    double u = e * SQRT_2PI * exp(0.5 * x * x);
    if (isfinite(u))
        x -= u / (1.0 + 0.5 * x * u);
    return x;
}

/* ------------------------------------------------------- incomplete gamma */

/* Regularised incomplete gamma P(a, x) and Q(a, x) = 1 - P, each computed so
 * that whichever is small keeps its relative accuracy. */
static void gamma_pq(double a, double x, double *P, double *Q)
{
    if (!(x > 0.0)) {
        *P = 0.0;
        *Q = 1.0;
        return;
    }
    if (isinf(x)) {
        *P = 1.0;
        *Q = 0.0;
        return;
    }
    double lfront = a * log(x) - x - lgamma(a);

    if (x < a + 1.0) {
        /* Series: converges fast here, and P is the smaller side. */
        double ap = a, del = 1.0 / a, sum = del;
        for (int n = 0; n < MAX_SERIES; n++) {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if (fabs(del) < fabs(sum) * DBL_EPSILON)
                break;
        }
        *P = sum * exp(lfront);
        if (*P > 1.0)
            *P = 1.0;
        *Q = 1.0 - *P;
    } else {
        /* Continued fraction for Q (modified Lentz). */
        double b = x + 1.0 - a, c = 1.0 / TINY, d = 1.0 / b, h = d;
        for (int i = 1; i < MAX_CF; i++) {
            double an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if (fabs(d) < TINY)
                d = TINY;
            c = b + an / c;
            if (fabs(c) < TINY)
                c = TINY;
            d = 1.0 / d;
            double del = d * c;
            h *= del;
            if (fabs(del - 1.0) < DBL_EPSILON)
                break;
        }
        *Q = exp(lfront) * h;
        if (*Q > 1.0)
            *Q = 1.0;
        *P = 1.0 - *Q;
    }
}

/* ---------------------------------------------------- chi-square quantile */

/*
 * Increasing function of x whose root is the quantile: log P(X <= x) -
 * log prob for the lower tail, log prob - log P(X > x) for the upper.  On
 * the log scale Newton behaves well even where the tail falls off like
 * exp(-x) (large df, tiny prob), where it would crawl on the raw scale.
 * *slope gets its derivative (NaN when the tail underflows).
 */
static double chisq_gap(double x, double a, double log_prob, int upper,
                        double *slope)
{
    double P, Q;
    gamma_pq(a, 0.5 * x, &P, &Q);
    double tail = upper ? Q : P;
    double dens = 0.0;
    if (x > 0.0)
        dens = 0.5 * exp((a - 1.0) * log(0.5 * x) - 0.5 * x - lgamma(a));
    *slope = (tail > 0.0) ? dens / tail : NAN;
    return upper ? log_prob - log(Q) : log(P) - log_prob;
}

/*
 * x with P(X <= x) = prob (upper = 0) or P(X > x) = prob (upper = 1), for
 * 0 < prob <= 0.5.  Taking the tail probability itself, rather than 1 - it,
 * keeps e.g. the 99.9% point as accurate as the 0.1% point.
 */
static double chisq_inv(double prob, double df, int upper)
{
    double a = 0.5 * df, lp = log(prob), slope;

    /* Start from Wilson-Hilferty; in the far lower tail, where it can go
     * negative, from P(a, x/2) ~ (x/2)^a / Gamma(a+1) instead. */
    double z = hs_normal_quantile(prob);
    if (upper)
        z = -z;
    double t = 2.0 / (9.0 * df);
    double base = 1.0 - t + z * sqrt(t);
    double x = df * base * base * base;
    if (!(base > 0.1) || !isfinite(x))
        x = 2.0 * exp((lp + lgamma(a + 1.0)) / a);
    if (!(x > 0.0))
        return 0.0; /* below the smallest double */
    if (!isfinite(x))
        x = DBL_MAX / 4;

    /* Bracket the root by doubling / halving from the guess. */
    double lo, hi, g = chisq_gap(x, a, lp, upper, &slope);
    if (g == 0.0)
        return x;
    if (g < 0.0) {
        lo = x;
        hi = 2.0 * x;
        while (hi < DBL_MAX / 4 && chisq_gap(hi, a, lp, upper, &slope) < 0.0) {
            lo = hi;
            hi *= 2.0;
        }
    } else {
        hi = x;
        lo = 0.5 * x;
        while (lo > 0.0 && chisq_gap(lo, a, lp, upper, &slope) > 0.0) {
            hi = lo;
            lo *= 0.5;
        }
    }

    /* Newton from the guess, kept inside the bracket; bisect (geometrically
     * when the bracket spans orders of magnitude) whenever Newton would
     * leave it. */
    g = chisq_gap(x, a, lp, upper, &slope);
    for (int it = 0; it < MAX_ROOT; it++) {
        if (g == 0.0)
            return x;
        if (g < 0.0)
            lo = x;
        else
            hi = x;
        if (hi - lo <= 2.0 * DBL_EPSILON * hi)
            break;
        double nx = x - g / slope;
        if (nx > lo && nx < hi) { /* false for NaN too */
            if (fabs(nx - x) <= 4.0 * DBL_EPSILON * x)
                return nx;
            x = nx;
        } else {
            x = (lo > 0.0 && hi > 4.0 * lo) ? sqrt(lo * hi) : 0.5 * (lo + hi);
        }
        g = chisq_gap(x, a, lp, upper, &slope);
    }
    return 0.5 * (lo + hi);
}

double hs_chisq_quantile(double p, double df)
{
    if (isnan(p) || isnan(df) || !(df > 0.0) || isinf(df) || p < 0.0 || p > 1.0)
        return NAN;
    if (p == 0.0)
        return 0.0;
    if (p == 1.0)
        return INFINITY;
    return (p <= 0.5) ? chisq_inv(p, df, 0) : chisq_inv(1.0 - p, df, 1);
}

/* -------------------------------------------------------- Poisson limits */

hs_status hs_poisson_ci(long count, double conf, double *lo, double *hi,
                        hs_error *err)
{
    if (!lo || !hi)
        return hs_fail(err, HS_ERR_ARG, "Poisson confidence interval: "
                                        "NULL output pointer");
    *lo = *hi = NAN; /* a caller that ignores the status sees no number */
    if (count < 0)
        return hs_fail(err, HS_ERR_ARG,
                       "Poisson confidence interval: count %ld is negative",
                       count);
    if (!(conf > 0.0 && conf < 1.0))
        return hs_fail(err, HS_ERR_ARG,
                       "Poisson confidence interval: confidence level %g is "
                       "not between 0 and 1 (e.g. 0.95)",
                       conf);

    double half_alpha = 0.5 * (1.0 - conf);
    double O = (double)count;

    if (count >= 10) {
        /* Byar's approximation (PHEindicatormethods byars_lower/upper). */
        double z = -hs_normal_quantile(half_alpha);
        double bl = 1.0 - 1.0 / (9.0 * O) - z / (3.0 * sqrt(O));
        double bu = 1.0 - 1.0 / (9.0 * (O + 1.0)) + z / (3.0 * sqrt(O + 1.0));
        /* bl < 0 only for absurd levels (z > ~9); a count limit is >= 0. */
        *lo = (bl > 0.0) ? O * bl * bl * bl : 0.0;
        *hi = (O + 1.0) * bu * bu * bu;
    } else {
        /* Exact: chi-square quantiles, the upper one taken from its tail. */
        *lo = (count == 0) ? 0.0 : 0.5 * chisq_inv(half_alpha, 2.0 * O, 0);
        *hi = 0.5 * chisq_inv(half_alpha, 2.0 * O + 2.0, 1);
    }
    return HS_OK;
}

hs_status hs_weighted_poisson_ci(double y, double v, double wmax, double conf,
                                 double *lo, double *hi, hs_error *err)
{
    if (!lo || !hi)
        return hs_fail(err, HS_ERR_ARG, "weighted Poisson interval: NULL "
                                        "output pointer");
    *lo = *hi = NAN;
    if (!(y >= 0) || !(v >= 0) || !(wmax > 0) || !isfinite(y) ||
        !isfinite(v) || !isfinite(wmax) || (y > 0) != (v > 0))
        return hs_fail(err, HS_ERR_ARG, "weighted Poisson interval: sum %g, "
                       "sum of squares %g, largest weight %g do not go "
                       "together", y, v, wmax);
    if (!(conf > 0.0 && conf < 1.0))
        return hs_fail(err, HS_ERR_ARG, "weighted Poisson interval: "
                       "confidence level %g is not between 0 and 1", conf);
    double half_alpha = 0.5 * (1.0 - conf);
    *lo = y > 0 ? v / (2 * y) * chisq_inv(half_alpha, 2 * y * y / v, 0) : 0.0;
    double vu = v + wmax * wmax, yu = y + wmax;
    *hi = vu / (2 * yu) * chisq_inv(half_alpha, 2 * yu * yu / vu, 1);
    return HS_OK;
}

/* ------------------------------------------------------- binomial tails */

/* log(n!) - log(sqrt(2 pi n) (n/e)^n), Stirling's error, for n >= 1. */
static double stirlerr(double n)
{
    /* Small n: lgamma is exact enough, and the series would not be. */
    if (n <= 15.0)
        return lgamma(n + 1.0) - (n + 0.5) * log(n) + n - LN_SQRT_2PI;
    double nn = n * n;
    const double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260,
                 s3 = 1.0 / 1680, s4 = 1.0 / 1188;
    if (n > 500.0)
        return (s0 - s1 / nn) / n;
    if (n > 80.0)
        return (s0 - (s1 - s2 / nn) / nn) / n;
    if (n > 35.0)
        return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/* x log(x/m) + m - x without cancellation when x is close to m (Loader). */
static double bd0(double x, double m)
{
    if (fabs(x - m) < 0.1 * (x + m)) {
        double v = (x - m) / (x + m);
        double s = (x - m) * v;
        double ej = 2.0 * x * v;
        v *= v;
        for (int j = 1; j < 1000; j++) {
            ej *= v;
            double s1 = s + ej / (2 * j + 1);
            if (s1 == s)
                return s1;
            s = s1;
        }
        return s;
    }
    return x * log(x / m) + m - x;
}

/* P(X = k), X ~ Bin(n, p), q = 1 - p, 0 <= k <= n, 0 < p < 1 (Loader 2000:
 * relative error near machine precision for any n). */
static double binom_pmf(double k, double n, double p, double q)
{
    if (k == 0.0)
        return exp((p < 0.1) ? -bd0(n, n * q) - n * p : n * log(q));
    if (k == n)
        return exp((q < 0.1) ? -bd0(n, n * p) - n * q : n * log(p));
    double lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, n * p) -
                bd0(n - k, n * q);
    return exp(lc) * sqrt(n / (k * (n - k))) / SQRT_2PI;
}

/* Continued fraction of the incomplete beta function I_x(a, b) (Numerical
 * Recipes 6.4, modified Lentz); converges in O(sqrt(max(a, b))) steps when
 * x < (a + 1) / (a + b + 2). */
static double betacf(double a, double b, double x)
{
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < TINY)
        d = TINY;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m < MAX_CF; m++) {
        double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < TINY)
            d = TINY;
        c = 1.0 + aa / c;
        if (fabs(c) < TINY)
            c = TINY;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < TINY)
            d = TINY;
        c = 1.0 + aa / c;
        if (fabs(c) < TINY)
            c = TINY;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < DBL_EPSILON)
            break;
    }
    return h;
}

/*
 * *lower = P(X <= k) and *upper = P(X > k) for X ~ Bin(n, p), q = 1 - p
 * passed separately so neither loses accuracy.  P(X <= k) = I_q(n-k, k+1);
 * the side whose continued fraction converges is the smaller tail, and is
 * computed directly; the other is 1 minus it.  The beta prefactor reduces
 * to a binomial term: I_q(n-k, k+1) = p * P(X = k) * cf, and
 * I_p(k+1, n-k) = q * P(X = k+1) * cf.
 */
static void binom_tails(double k, double n, double p, double q, double *lower,
                        double *upper)
{
    if (k < 0.0) {
        *lower = 0.0;
        *upper = 1.0;
        return;
    }
    if (k >= n || p == 0.0) {
        *lower = 1.0;
        *upper = 0.0;
        return;
    }
    if (q == 0.0) {
        *lower = 0.0;
        *upper = 1.0;
        return;
    }
    if (q * (n + 3.0) < n - k + 1.0) {
        *lower = p * binom_pmf(k, n, p, q) * betacf(n - k, k + 1.0, q);
        if (*lower > 1.0)
            *lower = 1.0;
        *upper = 1.0 - *lower;
    } else {
        *upper = q * binom_pmf(k + 1.0, n, p, q) * betacf(k + 1.0, n - k, p);
        if (*upper > 1.0)
            *upper = 1.0;
        *lower = 1.0 - *upper;
    }
}

double hs_binom_cdf(long k, long n, double p)
{
    if (n < 0 || isnan(p) || p < 0.0 || p > 1.0)
        return NAN;
    double lower, upper;
    binom_tails((double)k, (double)n, p, 1.0 - p, &lower, &upper);
    return lower;
}

/* ---------------------------------------------------------- change test */

/* Negative counts or exposures that are not positive and finite give NaN
 * (the header has no error channel for this pure function). */
double hs_change_p(long x1, long x0, double e1, double e0)
{
    if (x1 < 0 || x0 < 0 || x1 > LONG_MAX - x0)
        return NAN;
    if (!(e1 > 0.0 && e0 > 0.0) || isinf(e1) || isinf(e0))
        return NAN;
    long n = x1 + x0;
    if (n == 0)
        return 1.0;

    /* p0 = e1/(e1+e0) and its complement, each without cancellation or
     * overflow of e1 + e0. */
    double p0 = 1.0 / (1.0 + e0 / e1);
    double q0 = 1.0 / (1.0 + e1 / e0);

    /* P(X <= x1), and P(X >= x1) as the upper part of a split at x1 - 1. */
    double lo_tail, hi_tail, unused;
    binom_tails((double)x1, (double)n, p0, q0, &lo_tail, &unused);
    binom_tails((double)x1 - 1.0, (double)n, p0, q0, &unused, &hi_tail);

    double pv = 2.0 * fmin(lo_tail, hi_tail);
    return (pv < 1.0) ? pv : 1.0;
}

/* ------------------------------------------------------------- benchmark */

hs_compare hs_compare_benchmark(double lo, double hi, double benchmark)
{
    if (lo > benchmark)
        return HS_HIGHER;
    if (hi < benchmark)
        return HS_LOWER;
    return HS_SIMILAR; /* also when any input is NaN: no evidence of a difference */
}
