/* emerging.c - emerging hot and cold spots on a space-time cube (emerging.h). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/emerging.h"
#include "core/keep.h"
#include "analysis/gistar.h"

void hs_emerging_drop_cube(hs_emerging *e)
{
    if (!e)
        return;
    free(e->z);
    free(e->p);
    free(e->p_sim);
    free(e->bin);
    e->z = e->p = e->p_sim = NULL;
    e->bin = NULL;
}

void hs_emerging_free(hs_emerging *e)
{
    if (!e)
        return;
    hs_emerging_drop_cube(e);
    free(e->category);
    free(e->trend_z);
    free(e->trend_p);
    free(e->months_hot);
    free(e->months_cold);
    free(e->last_bin);
    memset(e, 0, sizeof *e);
}

const char *hs_emerging_name(int category)
{
    static const char *const hot[9] = {
        "no pattern detected",   "new hot spot",         "consecutive hot spot",
        "intensifying hot spot", "persistent hot spot",  "diminishing hot spot",
        "sporadic hot spot",     "oscillating hot spot", "historical hot spot"};
    static const char *const cold[9] = {
        "no pattern detected",    "new cold spot",         "consecutive cold spot",
        "intensifying cold spot", "persistent cold spot",  "diminishing cold spot",
        "sporadic cold spot",     "oscillating cold spot", "historical cold spot"};
    if (category >= 0 && category <= 8)
        return hot[category];
    if (category < 0 && category >= -8)
        return cold[-category];
    return hot[0];
}

/* ---- Mann-Kendall ------------------------------------------------------ */

double hs_mann_kendall(const double *x, size_t n, double *z, double *p)
{
    double s = 0, ties = 0;
    for (size_t i = 0; i < n; i++) {
        /* c: the values equal to x[i], itself included; a group of t
         * values adds (t - 1)(2t + 5) once for each member, so summing
         * over i gives sum_g t_g (t_g - 1)(2 t_g + 5) without sorting */
        double c = 0;
        for (size_t j = 0; j < n; j++) {
            c += x[j] == x[i];
            if (j > i)
                s += (x[j] > x[i]) - (x[j] < x[i]);
        }
        ties += c > 0 ? (c - 1) * (2 * c + 5) : 0;
    }
    double dn = (double)n;
    double var = (dn * (dn - 1) * (2 * dn + 5) - ties) / 18;
    double Z = NAN, P = NAN;
    if (n >= 3 && var > 0) {
        Z = s > 0 ? (s - 1) / sqrt(var) : s < 0 ? (s + 1) / sqrt(var) : 0;
        P = erfc(fabs(Z) / M_SQRT2);
    }
    if (z)
        *z = Z;
    if (p)
        *p = P;
    return s;
}

/* ---- categories -------------------------------------------------------- */

/* The category on side s (+1 hot, -1 cold) as a hot one, 0: none. */
static int classify_side(const signed char *bin, size_t T, int s, double tz,
                         double tp)
{
    size_t H = 0, C = 0, run = 0;
    for (size_t t = 0; t < T; t++) {
        int b = s * bin[t];
        H += b >= 1;
        C += b <= -1;
    }
    for (size_t t = T; t > 0 && s * bin[t - 1] >= 1; t--)
        run++;
    int final = run > 0;
    int ninety = H * 10 >= 9 * T;
    int clean = H - run + C == 0; /* nothing significant before the run */
    int sig = tp <= HS_EMERGING_ALPHA; /* NaN: no trend */
    double dir = s * tz;
    if (final && run == 1 && clean)
        return HS_EMERGING_NEW;
    if (final && run >= 2 && clean && !ninety)
        return HS_EMERGING_CONSECUTIVE;
    if (final && ninety)
        return !sig ? HS_EMERGING_PERSISTENT
               : dir > 0 ? HS_EMERGING_INTENSIFYING
               : dir < 0 ? HS_EMERGING_DIMINISHING : HS_EMERGING_PERSISTENT;
    if (final && C > 0)
        return HS_EMERGING_OSCILLATING;
    if (!final && ninety)
        return HS_EMERGING_HISTORICAL;
    if (final)
        return HS_EMERGING_SPORADIC;
    return HS_EMERGING_NONE;
}

int hs_emerging_classify(const signed char *bin, size_t T, double trend_z,
                         double trend_p)
{
    if (!bin || T == 0)
        return HS_EMERGING_NONE;
    int s = bin[T - 1] < 0 ? -1 : 1; /* the final month's side first */
    int c = classify_side(bin, T, s, trend_z, trend_p);
    if (c)
        return s * c;
    return -s * classify_side(bin, T, -s, trend_z, trend_p);
}

/* ---- the cube ---------------------------------------------------------- */

static int level(double q)
{
    return q <= 0.01 ? 3 : q <= 0.05 ? 2 : q <= 0.10 ? 1 : 0;
}

static hs_status check(size_t n, size_t T, const double *count,
                       const size_t *nb_start, const uint32_t *nb,
                       const hs_emerging_opts *o, hs_error *err)
{
    if (!count || !nb_start || !nb || !o)
        return hs_fail(err, HS_ERR_ARG, "emerging hot spots: counts, "
                       "neighbour lists or options missing");
    if (n == 0 || T == 0)
        return hs_fail(err, HS_ERR_ARG, "emerging hot spots: %zu cells x %zu "
                       "months: nothing to analyse", n, T);
    if (n > UINT32_MAX / T)
        return hs_fail(err, HS_ERR_ARG, "emerging hot spots: %zu cells x %zu "
                       "months is more than 2^32 - 1 space-time bins: use "
                       "bigger cells or fewer months", n, T);
    if (o->permutations < 0)
        return hs_fail(err, HS_ERR_ARG, "emerging hot spots: %d permutations",
                       o->permutations);
    for (size_t i = 0; i < n; i++) {
        size_t a = nb_start[i], b = nb_start[i + 1];
        int self = 0;
        if (b < a || b - a > (size_t)INT_MAX / 2)
            return hs_fail(err, HS_ERR_ARG, "emerging hot spots: cell %zu's "
                           "neighbour list [%zu, %zu) is not usable", i, a, b);
        for (size_t k = a; k < b; k++) {
            if (nb[k] >= n)
                return hs_fail(err, HS_ERR_ARG, "emerging hot spots: cell %zu "
                               "has neighbour %u, beyond the %zu cells", i,
                               (unsigned)nb[k], n);
            self |= nb[k] == i;
        }
        if (!self)
            return hs_fail(err, HS_ERR_ARG, "emerging hot spots: cell %zu is "
                           "not in its own neighbour list (Gi* includes it)", i);
    }
    for (size_t k = 0; k < n * T; k++)
        if (!(count[k] >= 0) || !isfinite(count[k]))
            return hs_fail(err, HS_ERR_ARG, "emerging hot spots: cell %zu, "
                           "month %zu: count %g below 0 or not a number",
                           k % n, k / n, count[k]);
    return HS_OK;
}

/* W and S of every bin: the spatial sums month by month, then each month
 * adds the previous month's (backwards, so that one is still spatial). */
static void cube_sums(size_t n, size_t T, const double *count,
                      const size_t *nb_start, const uint32_t *nb, int *W, double *S)
{
    for (size_t t = 0; t < T; t++) {
        const double *x = count + t * n;
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t k = nb_start[i]; k < nb_start[i + 1]; k++)
                s += x[nb[k]];
            S[t * n + i] = s;
            W[t * n + i] = (int)(nb_start[i + 1] - nb_start[i]) * (t > 0 ? 2 : 1);
        }
    }
    for (size_t t = T; t-- > 1;)
        for (size_t i = 0; i < n; i++)
            S[t * n + i] += S[(t - 1) * n + i];
}

/* The working arrays: slots of o->keep, or fresh without one (keep.h;
 * huge pages: in 4 KiB pages the cube's first touch was ~0.8 s of page
 * faults a group on the bench VM, memory.h). */
enum { K_W, K_S, K_Z, K_PSIM, K_BIN, K_SLOTS };
_Static_assert(K_SLOTS == HS_EMERGING_SLOTS, "emerging.h: HS_EMERGING_SLOTS");

/* Which side of the simulations' mean the neighbours' observed sum lies:
 * sign((S - x)(N - 1) - (W - 1)(total - x)), in double (emerging.h):
 * multiplied out rather than divided so that whole counts compare
 * exactly (every term an integer below 2^53). */
static int side_of_mean(double S, double x, int W, double total, size_t N)
{
    double obs = (S - x) * (double)(N - 1);
    double exp = (double)(W - 1) * (total - x);
    return (obs > exp) - (obs < exp);
}

hs_status hs_emerging_compute(size_t n, size_t T, const double *count,
                              const size_t *nb_start, const uint32_t *nb,
                              const hs_emerging_opts *o, hs_emerging *out,
                              hs_error *err)
{
    hs_status rc;
    if (!out)
        return hs_fail(err, HS_ERR_ARG, "emerging hot spots: no output");
    memset(out, 0, sizeof *out);
    if ((rc = check(n, T, count, nb_start, nb, o, err)))
        return rc;
    const size_t N = n * T;
    /* the cube's arrays: 29 bytes a cell-month with a keep (37 without),
     * 171 MB a group at the 1M benchmark */
    int *W = hs_keep_take(o->keep, K_W, N * sizeof *W, 0);
    double *S = hs_keep_take(o->keep, K_S, N * sizeof *S, 0);
    double *series = malloc(T * sizeof *series);
    signed char *bins = malloc(T);
    out->n = n;
    out->T = T;
    out->z = hs_keep_take(o->keep, K_Z, N * sizeof *out->z, 0);
    out->p_sim = hs_keep_take(o->keep, K_PSIM, N * sizeof *out->p_sim, 0);
    /* With a keep the cube is not returned: p and p_sim share an array (p
     * is read by the FDR only, p_sim written after it and read only where
     * a bin is significant): 47 MB fewer to fault in at the 1M benchmark.
     * Without one, both are the caller's. */
    out->p = o->keep ? out->p_sim : hs_keep_take(NULL, 0, N * sizeof *out->p, 0);
    out->bin = hs_keep_take(o->keep, K_BIN, N, 0);
    out->category = malloc(n * sizeof *out->category);
    out->trend_z = malloc(n * sizeof *out->trend_z);
    out->trend_p = malloc(n * sizeof *out->trend_p);
    out->months_hot = malloc(n * sizeof *out->months_hot);
    out->months_cold = malloc(n * sizeof *out->months_cold);
    out->last_bin = malloc(n);
    if (!W || !S || !series || !bins || !out->z || !out->p || !out->p_sim ||
        !out->bin || !out->category || !out->trend_z || !out->trend_p ||
        !out->months_hot || !out->months_cold || !out->last_bin) {
        rc = hs_fail(err, HS_ERR_NOMEM, "emerging hot spots: out of memory "
                     "for %zu cells x %zu months", n, T);
        goto cleanup;
    }

    cube_sums(n, T, count, nb_start, nb, W, S);
    hs_gi_opts go = {.permutations = 0, .seed = o->seed, .threads = o->threads};
    if ((rc = hs_gi_stat(N, count, W, S, &go, out->z, out->p,
                         o->keep ? NULL : out->p_sim, &out->mean, &out->var, err)))
        goto cleanup;
    for (size_t t = 0; t < T; t++) /* FDR per month */
        if ((rc = hs_gi_bins(out->z + t * n, out->p + t * n, n, o->fdr,
                             out->bin + t * n, err)))
            goto cleanup;
    if (o->permutations > 0) { /* the pseudo-p must confirm, on z's side */
        /* only the significant bins' (a few in a hundred): the pseudo-p
         * can only lower a bin (on the 1M benchmark, 5.9M cell-months:
         * all of them was ~4 s, measured); the bins are the mask, a
         * non-zero one set */
        go.permutations = o->permutations;
        if ((rc = hs_gi_perm(N, count, W, S, &go, (const unsigned char *)out->bin,
                             out->p_sim, err)))
            goto cleanup;
        double total = 0;
        for (size_t k = 0; k < N; k++)
            total += count[k];
        for (size_t k = 0; k < N; k++) {
            int b = out->bin[k], a = b < 0 ? -b : b;
            if (a == 0)
                continue;
            int cap = isnan(out->p_sim[k]) ? 0 : level(out->p_sim[k]);
            if (side_of_mean(S[k], count[k], W[k], total, N) != (b > 0 ? 1 : -1))
                cap = 0;
            a = a < cap ? a : cap;
            out->bin[k] = (signed char)(b < 0 ? -a : a);
        }
    }

    for (size_t i = 0; i < n; i++) {
        int hot = 0, cold = 0;
        for (size_t t = 0; t < T; t++) {
            double zt = out->z[t * n + i];
            series[t] = isnan(zt) ? 0 : zt; /* no z: no departure */
            bins[t] = out->bin[t * n + i];
            hot += bins[t] >= 1;
            cold += bins[t] <= -1;
        }
        /* a cell never significant has no pattern whatever its trend:
         * no trend is worked out (most cells; 5% of the run) */
        out->trend_z[i] = out->trend_p[i] = NAN;
        if (hot || cold)
            hs_mann_kendall(series, T, &out->trend_z[i], &out->trend_p[i]);
        out->months_hot[i] = hot;
        out->months_cold[i] = cold;
        out->last_bin[i] = bins[T - 1];
        out->category[i] = hs_emerging_classify(bins, T, out->trend_z[i],
                                                out->trend_p[i]);
    }

cleanup:
    hs_keep_give(o->keep, W);
    hs_keep_give(o->keep, S);
    free(series);
    free(bins);
    if (o->keep) { /* the cube is the keep's (p: p_sim's array) */
        out->z = out->p = out->p_sim = NULL;
        out->bin = NULL;
    }
    if (rc)
        hs_emerging_free(out);
    return rc;
}
