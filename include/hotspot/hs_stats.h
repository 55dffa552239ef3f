/*
 * hs_stats.h - rates, confidence intervals and change tests for counts.
 *
 * Methods follow PHE/OHID Fingertips (PHEindicatormethods): Byar's method
 * for counts >= 10, the exact Poisson (chi-square) interval below; the
 * exact conditional (binomial) test for a change between two periods, as
 * R's poisson.test does for two samples.  Pure functions, no allocation.
 */
#ifndef HOTSPOT_HS_STATS_H
#define HOTSPOT_HS_STATS_H

#include "hotspot/hs_error.h"

/* Standard normal quantile: P(Z <= z) = p, 0 < p < 1.  Accurate to ~1e-9. */
double hs_normal_quantile(double p);

/* Chi-square quantile with df > 0 degrees of freedom: P(X <= q) = p. */
double hs_chisq_quantile(double p, double df);

/*
 * Confidence limits for a Poisson count (not a rate): conf is the level,
 * e.g. 0.95 or 0.998.  count >= 0.  Byar's method for count >= 10, exact
 * below (lo = 0 when count = 0).  Divide by population and multiply by
 * 1,000 to get rate limits.  Returns HS_ERR_ARG for a bad count or level.
 */
hs_status hs_poisson_ci(long count, double conf, double *lo, double *hi,
                        hs_error *err);

/*
 * Confidence limits for a weighted sum of Poisson counts, Y = sum w_i X_i,
 * here incidents counted by their share of a time window (w_i in (0, 1]):
 * the gamma interval of Fay & Feuer (1997), as R dsrTest and epitools
 * ageadjust.direct give it.  y = the sum, v = the sum of the weights
 * squared (each incident's w_i²), wmax = the largest weight:
 *   lo = v / (2y) qchisq(alpha/2, 2y² / v)                  (0 when y = 0)
 *   hi = (v + wmax²) / (2(y + wmax)) qchisq(1 - alpha/2, 2(y + wmax)² /
 *        (v + wmax²)).
 * With every weight 1 (v = y, wmax = 1) these are the exact Poisson
 * limits.  HS_ERR_ARG for a negative or inconsistent sum, or a bad level.
 */
hs_status hs_weighted_poisson_ci(double y, double v, double wmax, double conf,
                                 double *lo, double *hi, hs_error *err);

/* Binomial CDF P(X <= k) for X ~ Bin(n, p); 0 for k < 0, 1 for k >= n. */
double hs_binom_cdf(long k, long n, double p);

/*
 * Two-sided p-value of the exact conditional test that two Poisson counts
 * x1 (current period, exposure e1) and x0 (comparison period, exposure e0)
 * come from the same rate: given n = x1 + x0, x1 ~ Bin(n, e1/(e1+e0)),
 * p = min(1, 2 * min(P(X <= x1), P(X >= x1))).  Returns 1 when n = 0.
 */
double hs_change_p(long x1, long x0, double e1, double e0);

/* An area's interval against the study-area (benchmark) point value. */
typedef enum hs_compare {
    HS_LOWER = -1,  /* upper limit below the benchmark  */
    HS_SIMILAR = 0, /* interval contains the benchmark  */
    HS_HIGHER = 1   /* lower limit above the benchmark  */
} hs_compare;

hs_compare hs_compare_benchmark(double lo, double hi, double benchmark);

#endif
