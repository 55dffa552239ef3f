/*
 * aggregate.h - per-area counts, rates with intervals, and change
 * (internal).
 *
 * Counts incidents per area and group for the analysis period and the
 * comparison period, then computes for each area: the rate per 1,000
 * residents and its 95% interval (Byar / exact Poisson, hs_stats.h), the
 * annualised rate, the study-area rate and whether the area is higher,
 * similar or lower, and the change with its exact conditional test.
 *
 * Ownership: caller owns the hs_rates (hs_rates_destroy, NULL ok).
 */
#ifndef HOTSPOT_AGGREGATE_H
#define HOTSPOT_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#include "geography/areas.h"
#include "hotspot/hs_error.h"
#include "hotspot/hs_stats.h"
#include "input/incidents.h"

typedef struct hs_period {
    int32_t from, to; /* inclusive, year*12+month-1 */
} hs_period;

typedef struct hs_agg_opts {
    hs_period cur;
    hs_period prev;     /* used when has_prev                  */
    int has_prev;
    const int *groups;  /* category group ids to aggregate     */
    size_t ngroups;
} hs_agg_opts;

typedef struct hs_agg_report {
    long in_period;      /* incidents dated in the analysis period    */
    long in_compare;     /* incidents dated in the comparison period  */
    long outside_period; /* in neither                                */
    long no_location;    /* in the period, without a location         */
    long outside_areas;  /* in the period, located, in no area        */
    long other_groups;   /* in the period, in groups not analysed     */
    long assigned;       /* in the period, in an area and a group     */
} hs_agg_report;

/* One area, one group.  Counts are whole numbers of incidents, unless
 * --when counts incidents with windows by their shares (when.h): then
 * they are sums of shares, and
 *  - the interval of a count with a fractional share in it is Fay &
 *    Feuer's gamma interval for weighted Poisson sums (hs_stats.h, the
 *    shares the weights), which is the exact interval for whole counts;
 *    whole counts keep Byar's / the exact interval;
 *  - the change test takes both counts rounded to whole incidents (an
 *    exact test needs whole numbers); the change and its percentage do
 *    not round. */
typedef struct hs_rate {
    double count;        /* incidents in the period                       */
    double prev_count;   /* in the comparison period (-1: no comparison)  */
    double population;   /* NaN: no population                            */
    double rate;         /* per 1,000 residents in the period (NaN: none) */
    double rate_low, rate_high; /* 95% limits, per 1,000                  */
    double rate_annual;  /* rate * 12 / months in the period              */
    double rate_eb;      /* global empirical Bayes rate, per 1,000 (below) */
    int vs_study;        /* hs_compare; meaningful when rate is a number  */
    double change;       /* count - prev_count                            */
    double change_pct;   /* NaN when prev_count is 0 or no comparison     */
    double change_p;     /* exact conditional test; NaN: no comparison    */
} hs_rate;

typedef struct hs_rates {
    size_t ngroups, nareas;
    int months;          /* length of the period                          */
    hs_rate *r;          /* [g * nareas + area]                           */
    double *study_count; /* per group: incidents in areas with population */
    double *study_prev;
    double study_pop;    /* population of areas with a population         */
    double *study_rate;  /* per group, per 1,000 in the period            */
} hs_rates;

/*
 * Counts and rates.  The store's area column must be filled.
 * rate_eb: Marshall's (1991) global empirical Bayes estimate, as GeoDa and
 * R spdep EBest: over the areas with a population, r_i = count_i / pop_i,
 * b = sum count / sum pop, s² = sum pop_i (r_i - b)² / sum pop, nbar =
 * sum pop / their number, a = max(0, s² - b / nbar), C_i = a / (a + b /
 * pop_i), rate_eb_i = (b + C_i (r_i - b)) x 1,000: small populations are
 * pulled towards the study rate.  b when a + b / pop_i is 0 (no
 * incidents); NaN without a population.
 */
hs_rates *hs_aggregate(const hs_incidents *s, const hs_areas *a,
                       const hs_agg_opts *o, hs_agg_report *rep,
                       hs_error *err);
void hs_rates_destroy(hs_rates *r);

/* "higher", "similar", "lower", or "no population". */
const char *hs_rate_vs_text(const hs_rate *r);

/* Plain words for the change test: "increase (99.8%)", "increase (95%)",
 * "no significant change", "decrease (95%)", "decrease (99.8%)", or
 * "no comparison". */
const char *hs_rate_change_flag(const hs_rate *r);

/* Default period: the last 12 months up to the latest month in the data
 * (fewer if the data covers fewer).  HS_ERR_DATA if the store has no rows. */
hs_status hs_default_period(const hs_incidents *s, hs_period *p,
                            hs_error *err);

/* "2024-01 to 2024-12" into buf of n bytes (16 suffice). */
void hs_period_text(hs_period p, char *buf, size_t n);

#endif
