/*
 * evalreport.h - the one-page PDF of an evaluation ("hotspot report
 * EVAL.gpkg -o DIR" writes DIR/evaluation.pdf; hs_report_evaluation in
 * hs_report.h): the map of the zones, the counts and tests per group, a
 * monthly chart of target against control, and a verdict in plain words.
 * Internal: what tests reach.
 *
 * The verdict of a group, exactly (T target, C control, B buffer; 0
 * before, 1 after; w0, w1 the periods' months):
 *
 *  1. "<group> in the target <moved> against <moved> in the control."
 *     Each zone's incidents a month, x0 = X0 / w0 and x1 = X1 / w1 (the
 *     time weights of the WDD, so unequal periods compare), and the change
 *     100 (x1 / x0 - 1) rounded to a whole percent: "fell by 32% (12.0 to
 *     8.2 incidents a month)", "rose by ...", "stayed level" (0% after
 *     rounding), "rose from none to 3.0 incidents a month", "had none in
 *     either period".
 *  2. "WDD = w incidents a month (90% interval l to h), so the net fall is
 *     larger than chance would give."  Wheeler & Ratcliffe (2018): WDD < 0
 *     is a fall net of the control's change, counting the buffer (crime
 *     that moved next door counts against the scheme); the (1 - alpha)
 *     interval, alpha the run's (ptools' 0.1 by default), decides: an
 *     interval wholly below 0 (or above) is "larger than chance would
 *     give", one that holds 0 "not larger than chance would give"; WDD = 0
 *     "no net change"; NaN (no incidents at all) "cannot be read".  A rise
 *     (WDD > 0) reads "the net rise".
 *  3. The buffer, from the evaluation's wdq_reading (Bowers & Johnson 2003,
 *     read as Guerette 2009, appendix C; evaluate.h gives the classes):
 *     "The buffer suggests <reading> (WDQ q)." for displacement, diffusion
 *     of benefit, or neither; "No WDQ: the target did no better than the
 *     control, so there was no success to displace." (the quotient is read
 *     only when the scheme worked); "No WDQ: <why>." when undefined.  A
 *     buffer with no incidents in either period says nothing, whatever its
 *     quotient: "The buffer had no incidents in either period, so it shows
 *     neither displacement nor diffusion; a wider buffer may."
 *  4. Only when both had incidents before and the control's are more
 *     than twice the target's or less than half: WDD takes the control's
 *     change in counts as what the target's would have been, which fits a
 *     control of about the target's size; the sentence says so and gives
 *     the rate ratio (the change in proportion: (T1/T0) / (C1/C0), 95%
 *     interval and Fisher's exact p, as the evaluation table holds them).
 *  Numbers: WDD and its limits with 2 decimals, WDQ and rate ratio 2, p 2
 *  significant figures ("< 0.001" below), rates a month 1 decimal.
 *
 * Sources: Wheeler, A.P. & Ratcliffe, J.H. (2018) A simple weighted
 * displacement difference test to evaluate place based crime
 * interventions, Crime Science 7:11; Bowers, K.J. & Johnson, S.D. (2003)
 * Measuring the geographical displacement and diffusion of benefit effects
 * of crime prevention activity, J. Quantitative Criminology 19(3);
 * Guerette, R.T. (2009) Analyzing crime displacement and diffusion, POP
 * Center tool guide 10, appendix C.
 *
 * Ownership: the caller owns out; the group is read only.
 */
#ifndef HOTSPOT_EVALREPORT_H
#define HOTSPOT_EVALREPORT_H

#include <stddef.h>

#include "report/evaldata.h"

/* The verdict above of group g, called label ("ASB"), periods of w0 and w1
 * months, WDD's interval 1 - alpha; short: sentences 2 and 3 only, in
 * brief, for a page with many groups.  out gets at most n bytes,
 * terminated. */
void hs_eval_verdict(const hs_revgroup *g, const char *label, double w0,
                     double w1, double alpha, int shortened, char *out,
                     size_t n);

#endif
