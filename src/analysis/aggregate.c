/* aggregate.c - per-area counts, rates, intervals and change. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/aggregate.h"

void hs_rates_destroy(hs_rates *r)
{
    if (!r)
        return;
    free(r->r);
    free(r->study_count);
    free(r->study_prev);
    free(r->study_rate);
    free(r);
}

hs_status hs_default_period(const hs_incidents *s, hs_period *p,
                            hs_error *err)
{
    if (s->n == 0)
        return hs_fail(err, HS_ERR_DATA, "no incidents were read");
    int32_t lo = s->month[0], hi = s->month[0];
    for (size_t i = 1; i < s->n; i++) {
        lo = s->month[i] < lo ? s->month[i] : lo;
        hi = s->month[i] > hi ? s->month[i] : hi;
    }
    p->to = hi;
    p->from = hi - 11 > lo ? hi - 11 : lo;
    return HS_OK;
}

void hs_period_text(hs_period p, char *buf, size_t n)
{
    char a[8], b[8];
    hs_month_format(p.from, a);
    hs_month_format(p.to, b);
    snprintf(buf, n, "%s to %s", a, b);
}

static int in_period(int32_t m, hs_period p) { return m >= p.from && m <= p.to; }

/* rate_eb of group g (aggregate.h). */
static void eb_rates(hs_rates *R, size_t g)
{
    hs_rate *rr = R->r + g * R->nareas;
    double xs = 0, ns = 0, m = 0;
    for (size_t a = 0; a < R->nareas; a++)
        if (!isnan(rr[a].population)) {
            xs += rr[a].count;
            ns += rr[a].population;
            m++;
        }
    if (!(ns > 0))
        return;
    double b = xs / ns, s2 = 0;
    for (size_t a = 0; a < R->nareas; a++)
        if (!isnan(rr[a].population)) {
            double p = rr[a].count / rr[a].population;
            s2 += rr[a].population * ((p - b) * (p - b) / ns);
        }
    double A = s2 - b / (ns / m);
    A = A < 0 ? 0 : A;
    for (size_t a = 0; a < R->nareas; a++) {
        if (isnan(rr[a].population))
            continue;
        double p = (double)rr[a].count / rr[a].population;
        double den = A + b / rr[a].population;
        rr[a].rate_eb = (den > 0 ? b + A / den * (p - b) : b) * 1000.0;
    }
}

hs_rates *hs_aggregate(const hs_incidents *s, const hs_areas *a,
                       const hs_agg_opts *o, hs_agg_report *rep,
                       hs_error *err)
{
    size_t na = hs_areas_count(a), ng = o->ngroups;
    hs_rates *R = calloc(1, sizeof *R);
    int *slot = NULL; /* category group id -> index in o->groups, or -1 */
    double *cur = NULL, *prev = NULL, *sq = NULL, *top = NULL;
    size_t maxg = 0;

    memset(rep, 0, sizeof *rep);
    for (size_t g = 0; g < ng; g++)
        if ((size_t)o->groups[g] + 1 > maxg)
            maxg = (size_t)o->groups[g] + 1;
    if (!R || !(R->r = calloc(ng * na, sizeof *R->r)) ||
        !(R->study_count = calloc(ng, sizeof *R->study_count)) ||
        !(R->study_prev = calloc(ng, sizeof *R->study_prev)) ||
        !(R->study_rate = calloc(ng, sizeof *R->study_rate)) ||
        !(slot = malloc((maxg + 1) * sizeof *slot)) ||
        !(cur = calloc(ng * na + 1, sizeof *cur)) ||
        !(prev = calloc(ng * na + 1, sizeof *prev)) ||
        !(sq = calloc(ng * na + 1, sizeof *sq)) ||
        !(top = calloc(ng * na + 1, sizeof *top))) {
        hs_fail(err, HS_ERR_NOMEM, "aggregate: out of memory");
        goto fail;
    }
    R->ngroups = ng;
    R->nareas = na;
    R->months = o->cur.to - o->cur.from + 1;
    for (size_t g = 0; g <= maxg; g++)
        slot[g] = -1;
    for (size_t g = 0; g < ng; g++)
        slot[o->groups[g]] = (int)g;

    for (size_t i = 0; i < s->n; i++) {
        int is_cur = in_period(s->month[i], o->cur);
        int is_prev = o->has_prev && in_period(s->month[i], o->prev);
        if (!is_cur && !is_prev) {
            rep->outside_period++;
            continue;
        }
        rep->in_period += is_cur;
        rep->in_compare += is_prev;
        int g = s->group[i] >= 0 && (size_t)s->group[i] < maxg ? slot[s->group[i]] : -1;
        int ar = s->area[i];
        if (is_cur) {
            if (ar < 0 && isnan(s->x[i]))
                rep->no_location++;
            else if (ar < 0)
                rep->outside_areas++;
            else if (g < 0)
                rep->other_groups++;
            else
                rep->assigned++;
        }
        if (g < 0 || ar < 0)
            continue;
        size_t k = (size_t)g * na + (size_t)ar;
        double sh = s->share ? (double)s->share[i] : 1.0; /* --when */
        if (is_cur) {
            cur[k] += sh;
            sq[k] += sh * sh;
            top[k] = sh > top[k] ? sh : top[k];
        }
        prev[k] += is_prev ? sh : 0;
    }

    for (size_t ai = 0; ai < na; ai++) {
        double pop = hs_areas_population(a, ai);
        if (!isnan(pop) && pop > 0)
            R->study_pop += pop;
    }
    for (size_t g = 0; g < ng; g++) {
        for (size_t ai = 0; ai < na; ai++) {
            double pop = hs_areas_population(a, ai);
            size_t k = g * na + ai;
            if (!isnan(pop) && pop > 0) {
                R->study_count[g] += cur[k];
                R->study_prev[g] += prev[k];
            }
        }
        R->study_rate[g] = R->study_pop > 0
                               ? R->study_count[g] / R->study_pop * 1000.0
                               : NAN;
        for (size_t ai = 0; ai < na; ai++) {
            size_t k = g * na + ai;
            hs_rate *r = &R->r[k];
            double pop = hs_areas_population(a, ai);
            r->count = cur[k];
            r->population = isnan(pop) || pop <= 0 ? NAN : pop;
            r->rate = r->rate_low = r->rate_high = r->rate_annual = NAN;
            r->rate_eb = NAN;
            if (!isnan(r->population)) {
                double lo, hi;
                /* a count of whole incidents: its sum of squares is itself */
                hs_status st = sq[k] == cur[k]
                                   ? hs_poisson_ci((long)cur[k], 0.95, &lo, &hi, err)
                                   : hs_weighted_poisson_ci(cur[k], sq[k], top[k],
                                                            0.95, &lo, &hi, err);
                if (st != HS_OK)
                    goto fail;
                r->rate = r->count / pop * 1000.0;
                r->rate_low = lo / pop * 1000.0;
                r->rate_high = hi / pop * 1000.0;
                r->rate_annual = r->rate * 12.0 / R->months;
                r->vs_study = hs_compare_benchmark(r->rate_low, r->rate_high,
                                                   R->study_rate[g]);
            }
            if (o->has_prev) {
                r->prev_count = prev[k];
                r->change = r->count - r->prev_count;
                r->change_pct = r->prev_count > 0
                                    ? 100.0 * r->change / r->prev_count
                                    : NAN;
                /* same area, same population, periods of equal length:
                 * equal exposures; shares rounded (above) */
                r->change_p = hs_change_p(lround(r->count), lround(r->prev_count),
                                          1.0, 1.0);
            } else {
                r->prev_count = -1;
                r->change = 0;
                r->change_pct = r->change_p = NAN;
            }
        }
    }
    for (size_t g = 0; g < ng; g++)
        eb_rates(R, g);
    free(slot);
    free(cur);
    free(prev);
    free(sq);
    free(top);
    return R;
fail:
    free(slot);
    free(cur);
    free(prev);
    free(sq);
    free(top);
    hs_rates_destroy(R);
    return NULL;
}

const char *hs_rate_vs_text(const hs_rate *r)
{
    if (isnan(r->rate))
        return "no population";
    return r->vs_study == HS_HIGHER  ? "higher"
           : r->vs_study == HS_LOWER ? "lower"
                                     : "similar";
}

const char *hs_rate_change_flag(const hs_rate *r)
{
    if (r->prev_count < 0 || isnan(r->change_p))
        return "no comparison";
    int up = r->change > 0;
    if (r->change_p < 0.002)
        return up ? "increase (99.8%)" : "decrease (99.8%)";
    if (r->change_p < 0.05)
        return up ? "increase (95%)" : "decrease (95%)";
    return "no significant change";
}
