/*
 * targets.h - progress against a target: the count so far in a period,
 * the same months a year earlier, a year-end projection that respects
 * seasonality, and a red / amber / green status (internal).  The targets
 * file is input/targetfile.h; period names are input/periods.h.
 *
 * Input is one area's (or the study area's) monthly counts of one group,
 * counts[m - m0] for months m0..m1 (year*12 + month-1), the months the data
 * cover; counts may be sums of --when shares (fractional).  The target's
 * period is [from, to]; last is the last month in the data (m0 <= last <=
 * m1).
 *
 * The rules, exactly:
 *
 *  - So far.  The months from..min(to, last): months_so_far of them, of
 *    months = to - from + 1.  count = the sum of counts over them.
 *  - A year earlier.  prev_count = the sum over the same months 12 months
 *    earlier; NaN when any of them is before m0 (not in the data).
 *  - Projection (the year-end, or period-end, figure), by the first rule
 *    that applies:
 *      HS_PROJ_NOT_STARTED  from > last: nothing counted yet; count = 0,
 *                           prev_count = 0, projected = NaN, status
 *                           HS_RAG_NONE.
 *      HS_PROJ_COMPLETE     to <= last: the period is over; projected =
 *                           count.
 *      HS_PROJ_SEASONAL     last year's whole period, from-12..to-12, lies
 *                           in the data (from-12 >= m0, to-12 <= last) and
 *                           its months so far (prev_count) sum to more than
 *                           0: projected = count x (last year's whole-period
 *                           total / prev_count).  So a period whose busy
 *                           months are still to come is projected up by
 *                           last year's share of them, not by months.
 *      HS_PROJ_STRAIGHT     otherwise: projected = count x months /
 *                           months_so_far (a straight line).
 *  - Status.  With limit = target + target x amber_pct / 100:
 *      HS_RAG_GREEN  projected <= target
 *      HS_RAG_AMBER  target < projected <= limit
 *      HS_RAG_RED    projected > limit.
 *    A projection within 1e-9 (relative) of target or limit counts as on
 *    it, so rounding in the ratio does not flip a status.  With target 0,
 *    the amber band is empty: 0 is green, anything above red.
 *  - The period must start at or after m0 (its months so far in the
 *    data): HS_ERR_DATA otherwise, naming the months, so the caller can
 *    skip the row with a warning.  HS_ERR_ARG for from > to, last outside
 *    m0..m1, a target < 0 or not finite, or amber_pct < 0 or not finite.
 *
 * Units: months and incidents.  Ownership: nothing is allocated; counts is
 * borrowed for the call.
 */
#ifndef HOTSPOT_TARGETS_H
#define HOTSPOT_TARGETS_H

#include <stdint.h>

#include "hotspot/hs_error.h"

#define HS_RAG_AMBER_PCT 5.0 /* --rag-amber default: 5% above the target */

typedef enum hs_projection_rule {
    HS_PROJ_NOT_STARTED,
    HS_PROJ_COMPLETE,
    HS_PROJ_SEASONAL,
    HS_PROJ_STRAIGHT
} hs_projection_rule;

typedef enum hs_rag {
    HS_RAG_NONE, /* not started: no projection */
    HS_RAG_GREEN,
    HS_RAG_AMBER,
    HS_RAG_RED
} hs_rag;

typedef struct hs_target_progress {
    double count;        /* so far in the period                        */
    double prev_count;   /* the same months a year earlier (NaN: not in
                            the data)                                    */
    double prev_total;   /* last year's whole period (NaN: not in the
                            data); the numerator of the seasonal ratio  */
    double projected;    /* at the period's end (NaN: not started)      */
    int months;          /* in the period                               */
    int months_so_far;   /* of them, up to the last month in the data   */
    hs_projection_rule rule;
    hs_rag status;
} hs_target_progress;

/* Progress of one target (rules above) into *out. */
hs_status hs_target_progress_compute(const double *counts, int32_t m0,
                                     int32_t m1, int32_t from, int32_t to,
                                     int32_t last, double target,
                                     double amber_pct, hs_target_progress *out,
                                     hs_error *err);

/* The status of a projection against a target (the Status rule). */
hs_rag hs_rag_status(double projected, double target, double amber_pct);

/* "green", "amber", "red", or "none". */
const char *hs_rag_text(hs_rag s);

/* "not started", "complete", "seasonal" or "straight-line". */
const char *hs_projection_rule_text(hs_projection_rule r);

#endif
