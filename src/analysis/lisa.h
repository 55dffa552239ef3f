/*
 * lisa.h - local Moran's I (LISA) of area rates: Empirical Bayes rate
 * standardisation, queen neighbours, conditional permutations and
 * Benjamini-Hochberg FDR (internal).
 *
 * The rules, exactly (Anselin 1995; Assuncao & Reis 1999; R spdep
 * localmoran / localmoran_perm; GeoDa's "EB LISA"):
 *
 *  - Areas.  n_areas areas in the caller's order, with neighbour lists
 *    (contiguity.h: queen, symmetric, self excluded).  An area is in the
 *    analysis when its value is known: for rates, population > 0 and
 *    count known; population 0 or NaN, or count NaN (suppressed), leaves
 *    it out, with every result NaN and quadrant HS_LISA_OUT (written as
 *    NULL).  Negative or infinite counts or populations are HS_ERR_ARG.
 *    Neighbours out of the analysis are dropped from the lists (as spdep
 *    subset.listw), so an area can become an island.  n = areas in.
 *  - Variable (HS_LISA_EB, the default): the EB-standardised rate of
 *    Assuncao & Reis (1999), as GeoDa's "EB rate standardisation" (its
 *    RateStandardizeEB, used by its EB LISA): over the n areas in, with
 *    counts O_i and populations P_i, r_i = O_i / P_i, b = sum O / sum P,
 *    s² = sum P_i (r_i - b)² / sum P, a = s² - b / (sum P / n), set to 0
 *    when negative (more spread expected from the counts alone than seen:
 *    no extra variance; a_clamped says so); v_i = a + b / P_i and
 *    x_i = (r_i - b) / sqrt(v_i); x_i = 0 when v_i = 0 (no incidents
 *    anywhere: b = a = 0), as GeoDa; the same x as spdep EBImoran.mc
 *    from EBest's a and b.  Dividing by the rate's expected spread keeps
 *    the noisy rates of small populations from passing for clusters (3
 *    per 1,000 in an area of 300 people is one incident).  HS_LISA_RATE:
 *    x_i = r_i, the plain rate per person (local I does not depend on
 *    the rate's scale).
 *  - Local I (spdep localmoran, row-standardised weights, style "W",
 *    mlvar, adjust.x = FALSE): x̄ = mean of x over the n areas in (islands
 *    included), z_i = x_i - x̄, m2 = sum z² / n; for area i with k_i > 0
 *    neighbours N(i), w_ij = 1 / k_i: lag_i = sum_{j in N(i)} z_j / k_i
 *    (the lag of the deviations, reported as lag) and I_i = (z_i / m2)
 *    lag_i.  GeoDa standardises x by its sample sd first (dividing by n -
 *    1) and leaves islands out of the mean: its I_i are (n - 1) / n of
 *    these when there are no islands; its quadrants are the same.
 *  - Analytic moments under randomisation conditional on x_i (spdep
 *    localmoran's default, conditional = TRUE; Sokal, Oden & Thomson
 *    1998), with W_i = 1, W2_i = 1 / k_i for style "W": E_i = -z_i² /
 *    ((n - 1) m2); Var_i = (z_i / m2)² n / (n - 2) (1 / k_i - 1 / (n -
 *    1)) (m2 - z_i² / (n - 1)); Z_i = (I_i - E_i) / sqrt(Var_i), NaN when
 *    Var_i <= 0 (z_i = 0; an area next to all others; z_i² = (n - 1) m2,
 *    one area apart from n - 1 equal ones); p_z = 2 Phi(-|Z_i|),
 *    two-sided.  Reported beside p_sim, never used for the quadrant.
 *  - Islands (k_i = 0) and degenerate data (n < 3, or all x equal: m2 =
 *    0): lag, I, E, Var, Z, p_z, p_sim, p_fdr NaN (NULL), quadrant "not
 *    significant".  spdep (zero.policy = TRUE) gives an island I = 0, E
 *    = 0, Var = 0 and Z NaN; an I of 0 would read as "no association"
 *    when there is nothing to associate with.
 *  - Permutations (R of them, R >= 1): conditional, as Anselin 1995 and
 *    GeoDa: x_i stays, and its k_i neighbours' values are replaced by
 *    those of k_i distinct areas drawn uniformly without replacement from
 *    the other n - 1 areas in (spdep 1.2 localmoran_perm draws with
 *    replacement; with k_i ~ 6 of n ~ 1,800 the two hardly differ).
 *    Draws: area i (its index in the caller's order) has its own
 *    splitmix64 stream (core/random.h) started at mix(seed ^ mix(i)),
 *    simulation by simulation; a draw u = hs_below64(n - 1) picks, in the
 *    ascending list of areas in, the u-th area other than i (u < i's
 *    place ? u : u + 1); a draw of an area already drawn in the same
 *    simulation is drawn again.  So each area's p_sim depends only on the
 *    seed, its index and the data, not on other areas or threads.
 *    A simulation's I and I_i share the factor z_i / (m2 k_i) and lag's
 *    shift by x̄, so they are compared on the sum of the k_i values, each
 *    sum taken over its values in ascending order so that equal sets of
 *    values tie exactly: k_hi = simulations with sum >= the observed,
 *    k_lo = those <= it; p_sim = (min(k_hi, k_lo) + 1) / (R + 1), the
 *    folded pseudo-p of spdep and GeoDa with ties counted on both sides
 *    (as gistar.h: spdep counts ties on one side only, so an area of
 *    equal values among equal values comes out significant).  z_i = 0:
 *    every simulation ties, p_sim = 1.  p_sim >= 1 / (R + 1).
 *  - FDR: p_fdr = Benjamini-Hochberg adjustment of p_sim over the areas
 *    with a p_sim (hs_bh_adjust, gistar.h; R p.adjust "BH"), always
 *    reported.  Significant: p <= alpha (default 0.05), p = p_fdr when
 *    fdr is set, else p_sim.  BH needs the k-th smallest p_sim <= alpha
 *    k / m, and p_sim >= 1 / (R + 1): for violence over the 1,758 real
 *    LSOAs of test_lisa_spdep.sh, 38 areas pass at R = 999, 48 at R =
 *    9,999 (449 without FDR); of the 306 demo zones none, at either.
 *  - Quadrant of a significant area, from the signs of z_i and lag_i,
 *    a value of exactly 0 counting as low (spdep's "pysal" quadrants, cut
 *    at 0, right-closed): HH z_i > 0 and lag_i > 0; LL z_i <= 0 and lag_i
 *    <= 0; HL z_i > 0 and lag_i <= 0; LH z_i <= 0 and lag_i > 0.  Not
 *    significant: HS_LISA_NS.  (z_i = 0 is never significant: p_sim = 1.)
 * Units: x is a z-score (EB) or incidents per person (rates); I, E, Z
 * dimensionless; p values probabilities.
 *
 * Cost: O(R x sum k_i) draws, single-threaded: 0.13 s for 1,761 areas
 * at R = 999, 1.3 s at R = 9,999.  Calls share no state.
 *
 * Ownership: hs_lisa_free releases what hs_lisa_compute / hs_lisa_rates
 * allocated in *out (and zeroes it; NULL ok).  Inputs are borrowed.
 */
#ifndef HOTSPOT_LISA_H
#define HOTSPOT_LISA_H

#include <stddef.h>
#include <stdint.h>

#include "geography/contiguity.h"
#include "hotspot/hs_error.h"

#define HS_LISA_PERMUTATIONS 999
#define HS_LISA_SEED 12345
#define HS_LISA_ALPHA 0.05

typedef enum hs_lisa_var {
    HS_LISA_EB = 0,    /* Assuncao-Reis EB-standardised rate (default)  */
    HS_LISA_RATE = 1   /* count / population                            */
} hs_lisa_var;

typedef enum hs_lisa_quad {
    HS_LISA_OUT = -1,  /* not in the analysis: no rate                  */
    HS_LISA_NS = 0,    /* not significant (islands too)                 */
    HS_LISA_HH = 1,
    HS_LISA_LL = 2,
    HS_LISA_HL = 3,
    HS_LISA_LH = 4
} hs_lisa_quad;

typedef struct hs_lisa_opts {
    hs_lisa_var var;   /* hs_lisa_rates only                            */
    int permutations;  /* R >= 1 (HS_LISA_PERMUTATIONS)                 */
    uint64_t seed;     /* HS_LISA_SEED                                  */
    int fdr;           /* 1: significance from p_fdr, 0: from p_sim     */
    double alpha;      /* in (0, 1) (HS_LISA_ALPHA)                     */
} hs_lisa_opts;

/* Per area, in the caller's order; NaN where the header says none. */
typedef struct hs_lisa {
    size_t n_areas;       /* all areas                                   */
    size_t n;             /* areas in the analysis                       */
    unsigned char *in;    /* 1: in the analysis                          */
    int *nbrs;            /* k_i, neighbours in the analysis (0 if out)  */
    double *value;        /* x_i                                         */
    double *lag;          /* sum of neighbours' z_j / k_i                */
    double *local_i, *e_i, *var_i, *z_i, *p_z;
    double *p_sim, *p_fdr;
    signed char *quadrant; /* hs_lisa_quad                               */
    double mean, m2;      /* x̄ and m2                                    */
    double eb_b, eb_a;    /* b and a (after clamping); NaN for rates     */
    int eb_a_clamped;     /* 1: a was negative and set to 0              */
} hs_lisa;

/*
 * Local Moran's I of the values x[0..n_areas) (NaN: out of the analysis)
 * over the neighbour lists nb (nb->n == n_areas).  o->var is not used.
 * HS_ERR_ARG for bad options, lists or infinite values; HS_ERR_NOMEM.
 * On error *out is empty.
 */
hs_status hs_lisa_compute(const double *x, size_t n_areas, const hs_nb *nb,
                          const hs_lisa_opts *o, hs_lisa *out, hs_error *err);

/* The same on the rates of count / pop, EB-standardised or plain as
 * o->var says; eb_b, eb_a and eb_a_clamped are set for HS_LISA_EB. */
hs_status hs_lisa_rates(const double *count, const double *pop,
                        size_t n_areas, const hs_nb *nb,
                        const hs_lisa_opts *o, hs_lisa *out, hs_error *err);

/* The EB-standardised rates alone into x (NaN: out), with b, a and
 * whether a was clamped (each may be NULL). */
hs_status hs_lisa_eb(const double *count, const double *pop, size_t n_areas,
                     double *x, double *b, double *a, int *clamped,
                     hs_error *err);

void hs_lisa_free(hs_lisa *l);

/* "HH", "LL", "HL", "LH", "not significant"; NULL for HS_LISA_OUT (and
 * anything else): the layer's NULL. */
const char *hs_lisa_quad_name(int q);

#endif
