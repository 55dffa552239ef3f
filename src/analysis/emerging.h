/*
 * emerging.h - emerging hot and cold spots: Gi* on the space-time cube of
 * monthly values, a Mann-Kendall trend per cell, and ArcGIS's categories
 * (internal).
 *
 * The rules, exactly (../shared/METHODS.md 3; ArcGIS Pro "How Emerging
 * Hot Spot Analysis works"; Mann 1945, Kendall 1975; Benjamini &
 * Hochberg 1995; the precedence of R sfdep's emerging_hotspot_analysis):
 *
 *  - Cube: n cells (the Gi* grid's kept cells, or any features with
 *    neighbour lists) x T months; bin (i, t) is feature t n + i and its
 *    value count[t n + i] (month-major): the sum of the weights of the
 *    cell's points in that month (1 each unless given: then the count),
 *    finite and >= 0.  N(i), cell i's spatial neighbours, i itself
 *    included, are given as lists (hs_gi_neighbours: nb[nb_start[i] ..
 *    nb_start[i + 1]), each cell at most once).  The neighbours of bin (i,
 *    t): the bins of N(i) in month t and, when t > 0, the same cells in
 *    month t - 1 (ArcGIS's neighbourhood time step 1, backward only: month
 *    0 has half as many).  So W = |N(i)| in month 0 and 2 |N(i)| after, S
 *    the sum of those bins' values.
 *  - z, p, p_sim: hs_gi_stat (gistar.h) on the n T bins as one set of
 *    features, as ArcGIS takes the whole cube: x̄ and s² over all n T
 *    bins, z as spdep localG, p = 2 Phi(-|z|); p_sim from R conditional
 *    permutations drawing each bin's other W - 1 neighbours from the other
 *    n T - 1 bins (draws shared by neighbour count, seed: gistar.h).  n T
 *    must fit in 32 bits.  z is NaN only when s² = 0 (a constant cube) or
 *    a bin's neighbourhood is the whole cube.
 *  - Bins: each month on its own, hs_gi_bins over its n cells
 *    (Benjamini-Hochberg over that month's cells when fdr: ArcGIS's "FDR
 *    per time step"): |bin| = 3, 2, 1 at p <= 0.01, 0.05, 0.10, the sign
 *    of z.  With R > 0 a bin must also be confirmed by its pseudo-p:
 *    |bin| is lowered to the level p_sim reaches (<= 0.01: 3, <= 0.05: 2,
 *    <= 0.10: 1, else 0), and p_sim counts only when the neighbours'
 *    observed sum (the bin's own value left out, S - x) lies strictly on
 *    z's side of the simulations' mean, (W - 1)(sum of x - x) / (n T - 1):
 *    (S - x)(n T - 1) against (W - 1)(sum of x - x), multiplied out and
 *    compared in double (exact for whole counts, the products below
 *    2^53).  Why both: monthly counts are sparse (mostly 0 and 1) and the
 *    normal approximation of Gi* overstates a lone incident among zeros;
 *    and p_sim is folded (the nearer tail), so without the side a big
 *    count among unusually empty neighbours - a significantly low
 *    neighbourhood - would confirm a hot bin.  p_sim is not FDR-adjusted.
 *    R = 0: the bins from p alone.
 *  - Hot month: bin >= 1 (90% confidence or more, after FDR and p_sim);
 *    cold month: bin <= -1.  months_hot, months_cold: over the T months;
 *    last_bin: the bin of month T - 1.
 *  - Trend: Mann-Kendall on the cell's series of z over the T months (as
 *    ArcGIS, on the Gi* z-scores), a month without z (NaN) taken as 0, no
 *    departure from the mean.  S = sum over i < j of sign(x_j - x_i),
 *    values tied when equal as doubles (sign 0); Var(S) = [T(T - 1)(2T +
 *    5) - sum_g t_g(t_g - 1)(2 t_g + 5)] / 18 over the groups of t_g tied
 *    values; Z = (S - 1) / sqrt Var when S > 0, (S + 1) / sqrt Var when S
 *    < 0, else 0; p = 2 (1 - Phi(|Z|)) = erfc(|Z| / sqrt 2).  Z and p are
 *    NaN when T < 3 or Var = 0 (all tied): no trend.  No correction for
 *    serial correlation.  A trend is significant when p <= 0.05
 *    (HS_EMERGING_ALPHA), upward when Z > 0.  With T <= 4 no trend is
 *    significant (T = 4, S = 6: p = 0.089), so intensifying and
 *    diminishing need T >= 5.  Month 0's half neighbourhood makes its z
 *    smaller in size than a later month's with the same counts: a cell
 *    whose counts never change gets S = +-(T - 1) from that alone, |Z| <
 *    sqrt 3 (p > 0.083), never a significant trend.
 *  - Categories, hot side (H hot months of T, "90%": 10 H >= 9 T, ">=";
 *    "final": month T - 1 hot; the final run: the hot months up to and
 *    including T - 1 without a break; "clean": no significant bin, hot
 *    or cold, before the final run), first match:
 *      new:          final, the run is 1 month, clean (H = 1);
 *      consecutive:  final, the run >= 2 months, clean, not 90%;
 *      intensifying: final, 90%, significant upward trend;
 *      persistent:   final, 90%, no significant trend;
 *      diminishing:  final, 90%, significant downward trend;
 *      oscillating:  final, not 90%, a cold month (so before the run);
 *      historical:   not final, 90% (any trend);
 *      sporadic:     final, not 90%, no cold month (on and off: hot
 *                    before the run, else new or consecutive);
 *      no pattern:   none of these.
 *    That is sfdep's precedence (new, consecutive, intensifying,
 *    persistent, diminishing, oscillating, historical, sporadic) with the
 *    gaps of ArcGIS's text closed: persistent needs the final month hot,
 *    like intensifying and diminishing, so 90% without the final month is
 *    historical ("the most recent time period is not hot"; sfdep calls it
 *    persistent when there is no trend, leaving historical only for a
 *    trend); new and consecutive need no earlier cold month either, as
 *    sfdep (hot after cold is oscillating).  Past the first two the sets
 *    are disjoint.  T = 1: a hot month is new.
 *    Cold side: the same with hot and cold swapped and the trend's sign
 *    reversed (an intensifying cold spot's z falls).  The side of the
 *    final month's bin is tried first (hot when it is 0: then only the
 *    two historical categories can match, and a cell is not >= 90% hot
 *    and >= 90% cold): nine hot months and a cold final one make an
 *    oscillating cold spot, the mirror of nine cold and a hot final one.
 *    Values: enum hs_emerging_category, 1 .. 8 hot, -1 .. -8 the cold
 *    mirrors, 0 no pattern, so a style can colour by sign.
 * Units: values in the points' weight (incidents when none given); z
 * dimensionless, p and p_sim probabilities, months.
 *
 * Cost: the sums O(n T |N|) and the trends O(n T²) on one thread; the
 * permutations O(n T R) on o->threads (gistar.h).  Memory at most about
 * 55 bytes a bin besides the counts, and 32 MB of draws (gistar.c).
 * 100,000 cells x 24 months x 199 permutations: 1.7 s on 2 cores, 170 MB
 * peak for the whole process (measured).
 * Results do not depend on the threads.
 *
 * Ownership: hs_emerging_free releases what hs_emerging_compute allocated
 * in *out; on error *out is empty.  The inputs are only read.  With
 * opts.keep the working arrays and the cube come from the keep and stay
 * there (a caller that runs group after group pays their first touch
 * once: with the back-test's grids kept too, a 1M run faults ~274 huge
 * pages instead of ~366, measured).
 */
#ifndef HOTSPOT_EMERGING_H
#define HOTSPOT_EMERGING_H

#include <stddef.h>
#include <stdint.h>

#include "hotspot/hs_error.h"

#define HS_EMERGING_ALPHA 0.05 /* a significant trend: trend_p <= this */
#define HS_EMERGING_SLOTS 5    /* the slots of opts.keep it uses          */

/* Hot categories; a cold category is the negative of its hot mirror. */
enum hs_emerging_category {
    HS_EMERGING_NONE = 0,
    HS_EMERGING_NEW = 1,
    HS_EMERGING_CONSECUTIVE = 2,
    HS_EMERGING_INTENSIFYING = 3,
    HS_EMERGING_PERSISTENT = 4,
    HS_EMERGING_DIMINISHING = 5,
    HS_EMERGING_SPORADIC = 6,
    HS_EMERGING_OSCILLATING = 7,
    HS_EMERGING_HISTORICAL = 8
};

typedef struct hs_emerging_opts {
    int permutations;  /* R >= 0; 0: no p_sim, bins from p alone        */
    uint64_t seed;
    int fdr;           /* 1: Benjamini-Hochberg over each month's cells  */
    int threads;       /* <= 0: one per online CPU                       */
    struct hs_keep *keep; /* NULL, or working memory kept for the next
                             call (keep.h), its slots 0 ..
                             HS_EMERGING_SLOTS - 1: the cube's arrays are
                             then the keep's, out's z, p, p_sim, bin NULL */
} hs_emerging_opts;

typedef struct hs_emerging {
    size_t n, T;                 /* cells, months                        */
    double *z, *p, *p_sim;       /* T x n, month-major [t n + i]; NaN:
                                    none (p_sim: only for the bins
                                    significant by p; NaN when R = 0)    */
    signed char *bin;            /* T x n, -3 .. 3                       */
    int *category;               /* n: enum hs_emerging_category         */
    double *trend_z, *trend_p;   /* n, NaN where undefined, and for cells
                                    never significant (not worked out:
                                    they have no pattern whatever it is) */
    int *months_hot, *months_cold; /* n                                  */
    signed char *last_bin;       /* n                                    */
    double mean, var;            /* x̄ and s² of the cube's values        */
} hs_emerging;

/*
 * Emerging hot spots (above) of n cells over T months: count is T x n
 * values (weight sums), month-major; nb_start (n + 1 entries) and nb the
 * cells' neighbour lists, each including the cell itself.  HS_ERR_ARG for
 * missing or bad inputs (n or T = 0, n T beyond 32 bits, a value below 0
 * or not finite, a list without its cell or with a cell >= n,
 * permutations < 0), HS_ERR_NOMEM.
 */
hs_status hs_emerging_compute(size_t n, size_t T, const double *count,
                              const size_t *nb_start, const uint32_t *nb,
                              const hs_emerging_opts *o, hs_emerging *out,
                              hs_error *err);

/* Releases e's T x n arrays (z, p, p_sim, bin: NULL after), keeping the
 * cells' results: a caller that needs only those holds 25 bytes less a
 * bin; NULL-safe. */
void hs_emerging_drop_cube(hs_emerging *e);

/* Releases the arrays of e and empties it; NULL-safe. */
void hs_emerging_free(hs_emerging *e);

/*
 * Mann-Kendall (above) on x[0 .. n): returns S; the continuity-corrected
 * Z into *z and its two-sided p into *p (either may be NULL), NaN when n
 * < 3 or Var(S) = 0.  Pass finite values (NaN compares equal to nothing).
 * O(n²), no allocation.
 */
double hs_mann_kendall(const double *x, size_t n, double *z, double *p);

/* The category (above) of a cell with bins bin[0 .. T) (contiguous: one
 * cell's months) and trend trend_z, trend_p (NaN: no trend).  T = 0: 0. */
int hs_emerging_classify(const signed char *bin, size_t T, double trend_z,
                         double trend_p);

/* ArcGIS's words, lower case: "new hot spot", "persistent cold spot",
 * "no pattern detected" (also for a value out of range).  Static. */
const char *hs_emerging_name(int category);

#endif
