/*
 * evaluate.h - "did it work?": before/after statistics for a task-and-finish
 * group's target area against a control, and the displacement buffer around
 * it (internal; pure functions, no I/O).
 *
 * Counts are doubles: they may be sums of --when's aoristic shares.  Every
 * count must be finite and >= 0 (HS_ERR_ARG naming the field otherwise).
 * Index 0 is the period before, 1 the period after.  The rules, exactly:
 *
 *  - Weighted displacement difference (Wheeler & Ratcliffe 2018), as R
 *    ptools 2.0.0 wdd() (apwheele/ptools R/wdd.R) computes it, area
 *    weights all 1.  T target, B buffer, C control, CB the control's
 *    buffer; w0, w1 the time weights (period lengths in any one unit).
 *    Each count is divided by its period's weight and its variance by the
 *    weight squared (a Poisson count X over w has variance X / w²):
 *      local    = (T1/w1 - T0/w0) - (C1/w1 - C0/w0)
 *      var_loc  = T1/w1² + T0/w0² + C1/w1² + C0/w0²
 *      displace = (B1/w1 - B0/w0) - (CB1/w1 - CB0/w0),  var_dis likewise
 *      total = local + displace, total_se = sqrt(var_loc + var_dis),
 *      z = total / total_se, low/high = total -/+ Phi^-1(1 - alpha/2) se.
 *    So the figures are crimes per unit of the weights: weights {24, 12}
 *    (months) give crimes per month, {2, 1} crimes per after-period length;
 *    equal weights {1, 1} give plain counts.  Negative = fewer crimes.
 *    Without a control buffer (has_control_buffer 0) the control stands in
 *    for it: displace = (B1/w1 - B0/w0) - (C1/w1 - C0/w0) and var_dis
 *    counts C1, C0 a second time: ptools given the control twice,
 *    wdd(C, T, C, B).  No buffer at all: B = CB = {0, 0} with
 *    has_control_buffer 1 (ptools' defaults), displace = 0.  Every count 0:
 *    total_se = 0, z NaN (0/0, as R), low = high = 0.  alpha in (0, 1)
 *    (ptools' default 0.1: a 90% interval); weights finite and > 0.
 *
 *  - Weighted displacement quotient (Bowers & Johnson 2003; reading as
 *    Guerette 2009, POP Center "Analyzing crime displacement and
 *    diffusion", appendix C).  R target (response) area, D buffer, C
 *    control, b before, a after:
 *      success = Ra/Ca - Rb/Cb        (< 0: the target improved on control)
 *      buffer  = Da/Ca - Db/Cb        (> 0 possible displacement, < 0
 *                                      possible diffusion)
 *      WDQ     = buffer / success.
 *    No time weights: scaling every count of one period by the same factor
 *    (a longer period) leaves each ratio X/C, hence all three, unchanged.
 *    Readings, first match wins ("reading" starts with the class's words):
 *      Cb = 0 or Ca = 0        undefined (success, buffer, WDQ NaN):
 *                              "undefined: no control crime before|after"
 *      success = 0             undefined (WDQ NaN): "undefined: the target
 *                              changed as the control did"
 *      success > 0             no success (WDQ NaN): "no success to
 *                              displace: the target did worse than the
 *                              control" - the quotient is only read when
 *                              the scheme worked (Bowers & Johnson)
 *      buffer = 0              WDQ 0: "no displacement or diffusion"
 *      WDQ > 1                 "diffusion of benefit, greater than the
 *                              direct effect"
 *      0 < WDQ <= 1            "diffusion of benefit"
 *      -1 <= WDQ < 0           "displacement, smaller than the direct
 *                              effect: a net gain remains" (at -1 the
 *                              buffer lost all the target gained: none)
 *      WDQ < -1                "displacement, greater than the direct
 *                              effect: a net loss"
 *    "= 0" is to rounding: |x| <= 1e-12 x (the sum of its two ratios), so
 *    shares summed in a different order read the same; WDQ is then 0 (and
 *    the success tests use the same rule).  Example (the issue's):
 *    R 100 -> 50, D 100 -> 150, C 100 -> 100: success -0.5, buffer 0.5,
 *    WDQ -1.
 *
 *  - Ratio of rate ratios with Fisher's exact test: the target's change
 *    relative to the control, RR = (a1/a0) / (b1/b0) (a target, b control;
 *    or a priority areas, b the rest, 1 the current and 0 the comparison
 *    period: the change in the gap).  Time weights and areas (exposures
 *    constant over the periods) cancel.  Given all the margins, independent
 *    Poisson counts in the 2x2 table [[a1, a0], [b1, b0]] follow Fisher's
 *    noncentral hypergeometric distribution whose odds ratio is RR, so R
 *    fisher.test(matrix(c(a1, b1, a0, b0), 2)) gives the exact answers
 *    (its odds ratio a1 b0 / (a0 b1) is RR):
 *      p        two-sided: the sum of the null (RR = 1) probabilities
 *               <= the observed one x (1 + 1e-7), R's tolerance;
 *      estimate the conditional maximum likelihood RR (mean = a1);
 *      low/high the conf interval, each limit the RR whose tail beyond a1
 *               is (1 - conf)/2, found by bisection on log RR to ~1e-15
 *               (fisher.test uses uniroot's default tolerance, ~1e-4, so
 *               it agrees to about 4 figures).
 *    Counts are rounded to whole numbers first (half to even, as R's
 *    round()), flagged in `rounded`; ratio is the sample RR of the rounded
 *    counts (Inf: a zero in a0 or b1 only; NaN: 0/0).  a1 at the lowest
 *    value the margins allow: estimate and low 0; at the highest: estimate
 *    and high Inf.  A zero margin (one value possible, e.g. a1 = a0 = 0):
 *    p 1, interval [0, Inf], estimate NaN (R says 0: the data say nothing
 *    about RR).  The support (the smaller margin, + 1) is held in memory:
 *    at most HS_EXACT_MAX_SUPPORT values (HS_ERR_ARG beyond).
 *
 *  - Two Poisson rates, "priority areas vs the rest": hs_rate_ratio, as R
 *    poisson.test(c(x1, x0), c(e1, e0)): ratio (x1/e1) / (x0/e0); given
 *    n = x1 + x0, x1 ~ Bin(n, pi), pi = e1 RR / (e1 RR + e0), so the
 *    interval is Clopper-Pearson's on pi (binom.test: lower 0 when x1 = 0,
 *    upper 1 when x1 = n) turned into RR = pi / (1 - pi) e0 / e1 (solved on
 *    the log-odds scale, not through 1 - pi).  p = hs_change_p: the
 *    central two-sided p, 2 min(P(X <= x1), P(X >= x1)), the one that
 *    agrees with the central interval (p < 1 - conf exactly when 1 is
 *    outside it); poisson.test's binom.test p sums the probabilities <= the
 *    observed one instead, the same when e1 = e0 and different otherwise.
 *    Counts rounded as above; n = 0: ratio NaN, [0, Inf], p 1 (R stops).
 *
 * Sources: Wheeler, A.P. & Ratcliffe, J.H. (2018) A simple weighted
 * displacement difference test to evaluate place based crime
 * interventions, Crime Science 7:11; ptools wdd() (MIT, A. Wheeler);
 * Bowers, K.J. & Johnson, S.D. (2003) Measuring the geographical
 * displacement and diffusion of benefit effects of crime prevention
 * activity, J. Quantitative Criminology 19(3); Fisher, R.A. (1935) The
 * logic of inductive inference, JRSS 98; R documentation of fisher.test
 * (conditional MLE, interval, p) and poisson.test / binom.test.
 *
 * Cost: the exact test holds the support's log null weights (from the
 * ratio of neighbouring terms; relative error ~1e-13 at a million values)
 * and passes over them once per bisection step, ~60 steps per figure:
 * ~1 s for a support of 10^6 (terms that underflow skip exp()).  The
 * binomial limits cost O(sqrt n) per step (hs_stats.h).
 *
 * Ownership: results are plain values; the reading strings are static.
 * Thread safety: no shared state.
 */
#ifndef HOTSPOT_EVALUATE_H
#define HOTSPOT_EVALUATE_H

#include "hotspot/hs_error.h"

#define HS_WDD_ALPHA 0.1          /* ptools' default: a 90% interval     */
#define HS_EXACT_CONF 0.95        /* fisher.test's and poisson.test's    */
#define HS_EXACT_MAX_SUPPORT 10000000L

typedef struct hs_wdd_in {
    double target[2], buffer[2], control[2], control_buffer[2]; /* 0 before, 1 after */
    int has_control_buffer;  /* 0: the control stands in for it        */
    double weight[2];        /* time weights: before, after (> 0)      */
    double alpha;            /* in (0, 1): a (1 - alpha) interval      */
} hs_wdd_in;

typedef struct hs_wdd {
    double local, local_se, displace, displace_se, total, total_se, z, low,
        high;
} hs_wdd;

/* ptools wdd(control, target, control_buffer, buffer, weight, alpha). */
hs_status hs_wdd_compute(const hs_wdd_in *in, hs_wdd *out, hs_error *err);

typedef enum hs_wdq_class {
    HS_WDQ_NO_CONTROL,          /* a control count is 0: undefined      */
    HS_WDQ_NO_CHANGE,           /* success = 0: undefined               */
    HS_WDQ_NO_SUCCESS,          /* success > 0: not read                */
    HS_WDQ_NEITHER,             /* WDQ = 0                              */
    HS_WDQ_DIFFUSION,           /* 0 < WDQ <= 1                         */
    HS_WDQ_DIFFUSION_GREATER,   /* WDQ > 1                              */
    HS_WDQ_DISPLACEMENT,        /* -1 <= WDQ < 0                        */
    HS_WDQ_DISPLACEMENT_GREATER /* WDQ < -1                             */
} hs_wdq_class;

typedef struct hs_wdq {
    double success, buffer, wdq; /* NaN where undefined (above)        */
    hs_wdq_class cls;
    const char *reading;         /* static text                        */
} hs_wdq;

/* target, buffer, control: {before, after}. */
hs_status hs_wdq_compute(const double target[2], const double buffer[2],
                         const double control[2], hs_wdq *out,
                         hs_error *err);

typedef struct hs_exact_rr {
    double ratio;       /* (a1/a0) / (b1/b0) of the whole counts        */
    double estimate;    /* conditional MLE                              */
    double low, high;   /* conf interval                                */
    double p;           /* two-sided, as fisher.test                    */
    double counts[4];   /* the whole counts used: a1, a0, b1, b0        */
    int rounded;        /* 1: some count was not whole                  */
} hs_exact_rr;

/* a: target (or priority areas), b: control (or the rest); 1 after (or
 * current), 0 before (or comparison).  conf in (0, 1). */
hs_status hs_exact_rr_compute(double a1, double a0, double b1, double b0,
                              double conf, hs_exact_rr *out, hs_error *err);

/* Rate x1/e1 over rate x0/e0 with poisson.test's exact conditional
 * interval and hs_change_p's p.  Counts >= 0 (rounded), exposures > 0. */
hs_status hs_rate_ratio(double x1, double e1, double x0, double e0,
                        double conf, double *ratio, double *low,
                        double *high, double *p, hs_error *err);

#endif
