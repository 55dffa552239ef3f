/*
 * evaluate.c - WDD, WDQ and exact ratio-of-rates tests (evaluate.h).
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "analysis/evaluate.h"
#include "hotspot/hs_stats.h"

/* Largest count taken: whole numbers are exact in a double and a long. */
#define MAX_COUNT 1e15
/* "Zero to rounding" for the WDQ measures (evaluate.h). */
#define WDQ_ZERO 1e-12
/* R fisher.test's tolerance when comparing probabilities to the observed. */
#define REL_ERR (1.0 + 1e-7)
/* Bisection on a log scale: far above the ~60 steps convergence needs. */
#define MAX_BISECT 2000

static hs_status check_count(double v, const char *what, const char *field,
                             const char *period, hs_error *err)
{
    if (!isfinite(v) || v < 0.0 || v > MAX_COUNT)
        return hs_fail(err, HS_ERR_ARG,
                       "%s: %s count%s%s %g is not a finite number >= 0",
                       what, field, *period ? " " : "", period, v);
    return HS_OK;
}

static hs_status check_pair(const double v[2], const char *what,
                            const char *field, hs_error *err)
{
    hs_status rc = check_count(v[0], what, field, "before", err);
    if (rc == HS_OK)
        rc = check_count(v[1], what, field, "after", err);
    return rc;
}

/* ------------------------------------------------------------------ WDD */

hs_status hs_wdd_compute(const hs_wdd_in *in, hs_wdd *out, hs_error *err)
{
    static const char *what = "weighted displacement difference";
    hs_status rc = HS_OK;

    if (!in || !out)
        return hs_fail(err, HS_ERR_ARG, "%s: NULL argument", what);
    out->local = out->local_se = out->displace = out->displace_se = NAN;
    out->total = out->total_se = out->z = out->low = out->high = NAN;

    if ((rc = check_pair(in->target, what, "target", err)) != HS_OK ||
        (rc = check_pair(in->buffer, what, "buffer", err)) != HS_OK ||
        (rc = check_pair(in->control, what, "control", err)) != HS_OK)
        goto cleanup;
    if (in->has_control_buffer &&
        (rc = check_pair(in->control_buffer, what, "control buffer", err)) !=
            HS_OK)
        goto cleanup;
    for (int i = 0; i < 2; i++)
        if (!isfinite(in->weight[i]) || !(in->weight[i] > 0.0)) {
            rc = hs_fail(err, HS_ERR_ARG,
                         "%s: time weight %s %g is not a finite number > 0",
                         what, i ? "after" : "before", in->weight[i]);
            goto cleanup;
        }
    if (!(in->alpha > 0.0 && in->alpha < 1.0)) {
        rc = hs_fail(err, HS_ERR_ARG,
                     "%s: alpha %g is not between 0 and 1 (e.g. 0.1 for a "
                     "90%% interval)", what, in->alpha);
        goto cleanup;
    }

    /* ptools' arithmetic, term for term and in its order, so the figures
     * agree to the last bit or two. */
    const double *T = in->target, *C = in->control, *D = in->buffer;
    const double *DC = in->has_control_buffer ? in->control_buffer : in->control;
    double pre = in->weight[0], post = in->weight[1];
    double ipre2 = (1.0 / pre) * (1.0 / pre), ipost2 = (1.0 / post) * (1.0 / post);

    double est_local = (T[1] / post - T[0] / pre) - (C[1] / post - C[0] / pre);
    double var_local = T[1] * ipost2 + T[0] * ipre2 + C[1] * ipost2 + C[0] * ipre2;
    double est_disp = (D[1] / post - D[0] / pre) - (DC[1] / post - DC[0] / pre);
    double var_disp = D[1] * ipost2 + D[0] * ipre2 + DC[1] * ipost2 + DC[0] * ipre2;
    double tot = est_local + est_disp, var_tot = var_local + var_disp;
    double level = hs_normal_quantile(1.0 - in->alpha / 2.0);

    out->local = est_local;
    out->local_se = sqrt(var_local);
    out->displace = est_disp;
    out->displace_se = sqrt(var_disp);
    out->total = tot;
    out->total_se = sqrt(var_tot);
    out->z = tot / sqrt(var_tot); /* 0/0 = NaN when every count is 0, as R */
    out->low = tot - level * sqrt(var_tot);
    out->high = tot + level * sqrt(var_tot);
cleanup:
    return rc;
}

/* ------------------------------------------------------------------ WDQ */

/* x = a - b is zero to rounding (evaluate.h). */
static int near_zero(double a, double b)
{
    return fabs(a - b) <= WDQ_ZERO * (fabs(a) + fabs(b));
}

hs_status hs_wdq_compute(const double target[2], const double buffer[2],
                         const double control[2], hs_wdq *out, hs_error *err)
{
    static const char *what = "weighted displacement quotient";
    hs_status rc = HS_OK;

    if (!target || !buffer || !control || !out)
        return hs_fail(err, HS_ERR_ARG, "%s: NULL argument", what);
    out->success = out->buffer = out->wdq = NAN;
    out->cls = HS_WDQ_NO_CONTROL;
    out->reading = "undefined";
    if ((rc = check_pair(target, what, "target", err)) != HS_OK ||
        (rc = check_pair(buffer, what, "buffer", err)) != HS_OK ||
        (rc = check_pair(control, what, "control", err)) != HS_OK)
        goto cleanup;

    if (control[0] == 0.0 || control[1] == 0.0) {
        out->reading = control[0] == 0.0 ? "undefined: no control crime before"
                                         : "undefined: no control crime after";
        goto cleanup;
    }
    double ra = target[1] / control[1], rb = target[0] / control[0];
    double da = buffer[1] / control[1], db = buffer[0] / control[0];
    out->success = ra - rb;
    out->buffer = da - db;

    if (near_zero(ra, rb)) {
        out->success = 0.0;
        out->cls = HS_WDQ_NO_CHANGE;
        out->reading = "undefined: the target changed as the control did";
        goto cleanup;
    }
    if (out->success > 0.0) {
        out->cls = HS_WDQ_NO_SUCCESS;
        out->reading = "no success to displace: the target did worse than "
                       "the control";
        goto cleanup;
    }
    if (near_zero(da, db)) {
        out->buffer = 0.0;
        out->wdq = 0.0;
        out->cls = HS_WDQ_NEITHER;
        out->reading = "no displacement or diffusion";
        goto cleanup;
    }
    out->wdq = out->buffer / out->success;
    if (out->wdq > 1.0) {
        out->cls = HS_WDQ_DIFFUSION_GREATER;
        out->reading = "diffusion of benefit, greater than the direct effect";
    } else if (out->wdq > 0.0) {
        out->cls = HS_WDQ_DIFFUSION;
        out->reading = "diffusion of benefit";
    } else if (out->wdq >= -1.0) {
        out->cls = HS_WDQ_DISPLACEMENT;
        out->reading = "displacement, smaller than the direct effect: a net "
                       "gain remains";
    } else {
        out->cls = HS_WDQ_DISPLACEMENT_GREATER;
        out->reading = "displacement, greater than the direct effect: a net "
                       "loss";
    }
cleanup:
    return rc;
}

/* ------------------------------------------- noncentral hypergeometric */

/*
 * Fisher's noncentral hypergeometric distribution of the top-left cell x
 * of a 2x2 table with column sums m, n and first row sum k (R fisher.test's
 * names): support lo..hi, weights C(m, j) C(n, k - j) psi^j.  lw[i] is the
 * log of the null weight of j = lo + i, relative to lw[0] = 0; the
 * normalising constant cancels everywhere.
 */
typedef struct nchg {
    long lo, hi, ix; /* support and the observed x's index          */
    double *lw;      /* hi - lo + 1 log weights                      */
    double *w;       /* scratch: weights at the current psi          */
} nchg;

/* Weights at log psi = s, scaled so the largest is 1; returns their sum. */
static double nchg_weights(const nchg *h, double s)
{
    long N = h->hi - h->lo + 1;
    double mx = -INFINITY;
    for (long i = 0; i < N; i++) {
        /* i, not j: psi^lo is a common factor */
        double v = h->lw[i] + (double)i * s;
        h->w[i] = v;
        if (v > mx)
            mx = v;
    }
    double sum = 0.0;
    for (long i = 0; i < N; i++) {
        /* most of a large support underflows: skip exp() there */
        double d = h->w[i] - mx;
        h->w[i] = d < -746.0 ? 0.0 : exp(d);
        sum += h->w[i];
    }
    return sum;
}

/* P(X <= x) (upper 0) or P(X >= x) (upper 1) at log psi = s, the tail
 * summed directly, never as 1 - the other side. */
static double nchg_tail(const nchg *h, double s, int upper)
{
    long N = h->hi - h->lo + 1;
    double sum = nchg_weights(h, s), t = 0.0;
    if (upper)
        for (long i = h->ix; i < N; i++)
            t += h->w[i];
    else
        for (long i = 0; i <= h->ix; i++)
            t += h->w[i];
    return t / sum;
}

/* E(X) - lo at log psi = s. */
static double nchg_mean(const nchg *h, double s)
{
    long N = h->hi - h->lo + 1;
    double sum = nchg_weights(h, s), m = 0.0;
    for (long i = 0; i < N; i++)
        m += (double)i * h->w[i];
    return m / sum;
}

/* f(h, s, upper) - target is increasing in s when rising, else
 * decreasing; returns the root in s by bisection (bracket found by
 * doubling out from 0).  Every call here has a finite root. */
static double nchg_solve(const nchg *h, double (*f)(const nchg *, double, int),
                         int upper, double target, int rising)
{
    double g0 = f(h, 0.0, upper) - target;
    if (g0 == 0.0)
        return 0.0;
    /* the root lies on the side where g moves towards 0 */
    double dir = ((g0 < 0.0) == (rising != 0)) ? 1.0 : -1.0;
    double a = 0.0, b = dir;
    for (int i = 0; i < 12; i++) { /* |s| up to 4096: psi beyond 1e1779 */
        double g = f(h, b, upper) - target;
        if ((g < 0.0) != (g0 < 0.0) || g == 0.0)
            break;
        a = b;
        b *= 2.0;
    }
    double lo = fmin(a, b), hi = fmax(a, b);
    for (int it = 0; it < MAX_BISECT; it++) {
        double mid = 0.5 * (lo + hi);
        if (hi - lo <= 1e-15 * fmax(1.0, fabs(mid)))
            break;
        double g = f(h, mid, upper) - target;
        if (g == 0.0)
            return mid;
        if ((g < 0.0) == (rising != 0))
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static double mean_fn(const nchg *h, double s, int unused)
{
    (void)unused;
    return nchg_mean(h, s);
}

/* Whole count, half to even as R's round() (nearbyint: the default
 * rounding mode). */
static double whole(double v, int *rounded)
{
    double r = nearbyint(v);
    if (r != v)
        *rounded = 1;
    return r;
}

hs_status hs_exact_rr_compute(double a1, double a0, double b1, double b0,
                              double conf, hs_exact_rr *out, hs_error *err)
{
    static const char *what = "exact ratio of rate ratios";
    hs_status rc = HS_OK;
    nchg h = {0, 0, 0, NULL, NULL};

    if (!out)
        return hs_fail(err, HS_ERR_ARG, "%s: NULL argument", what);
    out->ratio = out->estimate = out->low = out->high = out->p = NAN;
    out->rounded = 0;
    const double in[4] = {a1, a0, b1, b0};
    static const char *names[4] = {"first area after", "first area before",
                                   "second area after", "second area before"};
    for (int i = 0; i < 4; i++)
        out->counts[i] = NAN;
    for (int i = 0; i < 4; i++)
        if ((rc = check_count(in[i], what, names[i], "", err)) != HS_OK)
            goto cleanup;
    if (!(conf > 0.0 && conf < 1.0)) {
        rc = hs_fail(err, HS_ERR_ARG,
                     "%s: confidence level %g is not between 0 and 1 (e.g. "
                     "0.95)", what, conf);
        goto cleanup;
    }
    for (int i = 0; i < 4; i++)
        out->counts[i] = whole(in[i], &out->rounded);
    double A1 = out->counts[0], A0 = out->counts[1], B1 = out->counts[2],
           B0 = out->counts[3];
    out->ratio = (A1 * B0) / (A0 * B1); /* Inf for x/0, NaN for 0/0 */

    /* The table [[A1, A0], [B1, B0]] in fisher.test's names. */
    long x = (long)A1, m = (long)(A1 + B1), n = (long)(A0 + B0),
         k = (long)(A1 + A0);
    h.lo = k - n > 0 ? k - n : 0;
    h.hi = k < m ? k : m;
    h.ix = x - h.lo;
    long N = h.hi - h.lo + 1;
    if (N > HS_EXACT_MAX_SUPPORT) {
        rc = hs_fail(err, HS_ERR_ARG,
                     "%s: counts %.0f, %.0f, %.0f, %.0f are too large for the "
                     "exact test (%ld possible tables, at most %ld)",
                     what, A1, A0, B1, B0, N, HS_EXACT_MAX_SUPPORT);
        goto cleanup;
    }
    if (N == 1) { /* a zero margin: nothing to learn about the ratio */
        out->p = 1.0;
        out->low = 0.0;
        out->high = INFINITY;
        out->estimate = NAN;
        goto cleanup;
    }
    h.lw = malloc((size_t)N * sizeof *h.lw);
    h.w = malloc((size_t)N * sizeof *h.w);
    if (!h.lw || !h.w) {
        rc = hs_fail(err, HS_ERR_NOMEM, "%s: %ld possible tables", what, N);
        goto cleanup;
    }
    /* C(m, j+1) C(n, k-j-1) / (C(m, j) C(n, k-j)) =
     * (m-j)(k-j) / ((j+1)(n-k+j+1)); the products are exact doubles. */
    h.lw[0] = 0.0;
    for (long i = 0; i + 1 < N; i++) {
        double j = (double)(h.lo + i);
        h.lw[i + 1] = h.lw[i] + log(((double)m - j) * ((double)k - j)) -
                      log((j + 1.0) * ((double)(n - k) + j + 1.0));
    }

    /* p: fisher.test's two-sided rule on the null weights. */
    double sum = nchg_weights(&h, 0.0), dx = h.w[h.ix] * REL_ERR, pv = 0.0;
    for (long i = 0; i < N; i++)
        if (h.w[i] <= dx)
            pv += h.w[i];
    out->p = fmin(1.0, pv / sum);

    /* MLE: E(X) = x on psi, 0 / Inf at the ends of the support. */
    if (x == h.lo)
        out->estimate = 0.0;
    else if (x == h.hi)
        out->estimate = INFINITY;
    else
        out->estimate = exp(nchg_solve(&h, mean_fn, 0, (double)h.ix, 1));

    double alpha = 0.5 * (1.0 - conf);
    /* Lower limit: P(X >= x) = alpha, rising in psi. */
    out->low = x == h.lo ? 0.0 : exp(nchg_solve(&h, nchg_tail, 1, alpha, 1));
    /* Upper limit: P(X <= x) = alpha, falling in psi. */
    out->high = x == h.hi ? INFINITY
                          : exp(nchg_solve(&h, nchg_tail, 0, alpha, 0));
cleanup:
    free(h.lw);
    free(h.w);
    return rc;
}

/* ----------------------------------------------------- two Poisson rates */

/* P(X <= k) for X ~ Bin(n, pi), pi = 1 / (1 + exp(-t)): pi or 1 - pi,
 * whichever is small, is formed directly so neither rounds away. */
static double binom_lower_logit(long k, long n, double t)
{
    if (k < 0)
        return 0.0;
    if (k >= n)
        return 1.0;
    if (t <= 0.0)
        return hs_binom_cdf(k, n, 1.0 / (1.0 + exp(-t)));
    /* X <= k  <=>  n - X >= n - k, n - X ~ Bin(n, 1 - pi) */
    return 1.0 - hs_binom_cdf(n - k - 1, n, 1.0 / (1.0 + exp(t)));
}

/* The log-odds t where P(X <= k) = alpha (falling in t). */
static double binom_solve(long k, long n, double alpha)
{
    double lo = -745.0, hi = 745.0; /* exp() finite either side */
    for (int it = 0; it < MAX_BISECT; it++) {
        double mid = 0.5 * (lo + hi);
        if (hi - lo <= 1e-15 * fmax(1.0, fabs(mid)))
            break;
        double g = binom_lower_logit(k, n, mid) - alpha;
        if (g == 0.0)
            return mid;
        if (g > 0.0)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

hs_status hs_rate_ratio(double x1, double e1, double x0, double e0,
                        double conf, double *ratio, double *low, double *high,
                        double *p, hs_error *err)
{
    static const char *what = "rate ratio";
    hs_status rc = HS_OK;

    if (!ratio || !low || !high || !p)
        return hs_fail(err, HS_ERR_ARG, "%s: NULL output pointer", what);
    *ratio = *low = *high = *p = NAN;
    if ((rc = check_count(x1, what, "first", "", err)) != HS_OK ||
        (rc = check_count(x0, what, "second", "", err)) != HS_OK)
        goto cleanup;
    if (!isfinite(e1) || !(e1 > 0.0) || !isfinite(e0) || !(e0 > 0.0)) {
        rc = hs_fail(err, HS_ERR_ARG,
                     "%s: exposures %g and %g must be finite numbers > 0",
                     what, e1, e0);
        goto cleanup;
    }
    if (!(conf > 0.0 && conf < 1.0)) {
        rc = hs_fail(err, HS_ERR_ARG,
                     "%s: confidence level %g is not between 0 and 1 (e.g. "
                     "0.95)", what, conf);
        goto cleanup;
    }
    int rounded = 0;
    long X1 = (long)whole(x1, &rounded), X0 = (long)whole(x0, &rounded);
    long n = X1 + X0;

    *ratio = ((double)X1 / e1) / ((double)X0 / e0);
    *p = hs_change_p(X1, X0, e1, e0);
    if (n == 0) {
        *low = 0.0;
        *high = INFINITY;
        goto cleanup;
    }
    double alpha = 0.5 * (1.0 - conf), scale = e0 / e1;
    /* Clopper-Pearson: lower pi with P(X >= x1) = alpha, upper pi with
     * P(X <= x1) = alpha; RR = odds x e0 / e1. */
    *low = X1 == 0 ? 0.0 : exp(binom_solve(X1 - 1, n, 1.0 - alpha)) * scale;
    *high = X1 == n ? INFINITY : exp(binom_solve(X1, n, alpha)) * scale;
cleanup:
    return rc;
}
