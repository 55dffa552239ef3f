/* targets.c - progress against a target (see targets.h for the rules). */
#include <math.h>
#include <stdio.h>

#include "analysis/targets.h"
#include "input/incidents.h"

#define REL_TOL 1e-9 /* on a boundary, within rounding of the ratio */

hs_rag hs_rag_status(double projected, double target, double amber_pct)
{
    if (isnan(projected))
        return HS_RAG_NONE;
    double limit = target + target * amber_pct / 100.0;
    if (projected <= target + REL_TOL * target)
        return HS_RAG_GREEN;
    if (projected <= limit + REL_TOL * limit)
        return HS_RAG_AMBER;
    return HS_RAG_RED;
}

const char *hs_rag_text(hs_rag s)
{
    switch (s) {
    case HS_RAG_GREEN: return "green";
    case HS_RAG_AMBER: return "amber";
    case HS_RAG_RED: return "red";
    default: return "none";
    }
}

const char *hs_projection_rule_text(hs_projection_rule r)
{
    switch (r) {
    case HS_PROJ_COMPLETE: return "complete";
    case HS_PROJ_SEASONAL: return "seasonal";
    case HS_PROJ_STRAIGHT: return "straight-line";
    default: return "not started";
    }
}

/* Sum of counts over months a..b (all within m0..m1 by the caller). */
static double sum(const double *counts, int32_t m0, int32_t a, int32_t b)
{
    double s = 0;
    for (int32_t m = a; m <= b; m++)
        s += counts[m - m0];
    return s;
}

hs_status hs_target_progress_compute(const double *counts, int32_t m0,
                                     int32_t m1, int32_t from, int32_t to,
                                     int32_t last, double target,
                                     double amber_pct, hs_target_progress *out,
                                     hs_error *err)
{
    char a[8], b[8], c[8], d[8], e[8];
    if (from > to || m0 > m1 || last < m0 || last > m1) {
        hs_month_format(from, a);
        hs_month_format(to, b);
        hs_month_format(m0, c);
        hs_month_format(m1, d);
        hs_month_format(last, e);
        return hs_fail(err, HS_ERR_ARG, "target progress: the period %s to "
                       "%s, data %s to %s and last month %s do not fit", a, b,
                       c, d, e);
    }
    if (!isfinite(target) || target < 0)
        return hs_fail(err, HS_ERR_ARG, "target progress: target %g is not "
                       "a count >= 0", target);
    if (!isfinite(amber_pct) || amber_pct < 0)
        return hs_fail(err, HS_ERR_ARG, "target progress: amber band %g%% is "
                       "not a percentage >= 0", amber_pct);

    hs_target_progress p = {0};
    p.months = to - from + 1;
    p.prev_count = p.prev_total = NAN;
    if (from > last) {
        p.rule = HS_PROJ_NOT_STARTED;
        p.prev_count = 0;
        p.projected = NAN;
        p.status = HS_RAG_NONE;
        *out = p;
        return HS_OK;
    }
    if (from < m0) {
        hs_month_format(from, a);
        hs_month_format(m0, b);
        hs_month_format(to, c);
        return hs_fail(err, HS_ERR_DATA, "the period %s to %s starts before "
                       "the data (first month %s): its count so far is not "
                       "known", a, c, b);
    }
    int32_t end = to < last ? to : last;
    p.months_so_far = end - from + 1;
    p.count = sum(counts, m0, from, end);
    if (from - 12 >= m0)
        p.prev_count = sum(counts, m0, from - 12, end - 12);
    if (from - 12 >= m0 && to - 12 <= last)
        p.prev_total = sum(counts, m0, from - 12, to - 12);

    if (to <= last) {
        p.rule = HS_PROJ_COMPLETE;
        p.projected = p.count;
    } else if (!isnan(p.prev_total) && p.prev_count > 0) {
        p.rule = HS_PROJ_SEASONAL;
        p.projected = p.count * (p.prev_total / p.prev_count);
    } else {
        p.rule = HS_PROJ_STRAIGHT;
        p.projected = p.count * p.months / p.months_so_far;
    }
    p.status = hs_rag_status(p.projected, target, amber_pct);
    *out = p;
    return HS_OK;
}
