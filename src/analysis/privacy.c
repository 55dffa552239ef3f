/* privacy.c - cell suppression for public outputs (see privacy.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/privacy.h"

void hs_suppress(const double *v, const unsigned char *in, size_t n, long t,
                 unsigned char *mark)
{
    size_t nsup = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (in && !in[i])
            continue;
        if (!mark[i] && v[i] < t)
            mark[i] = HS_SUP_PRIMARY;
        if (mark[i]) {
            nsup++;
            sum += v[i];
        }
    }
    /* one suppressed cell, or a few holding less than t, would be given
     * away by the total minus the published cells */
    while (nsup > 0 && (nsup < 2 || sum < t)) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if ((!in || in[i]) && !mark[i] && (best == n || v[i] < v[best]))
                best = i;
        if (best == n)
            break; /* all suppressed: only the total remains */
        mark[best] = HS_SUP_SECONDARY;
        nsup++;
        sum += v[best];
    }
}

/* Suppresses one period's counts of group g: the areas with a population
 * first (study_rate gives their total), then all areas. */
static int suppress_period(const hs_rates *r, size_t g, int prev, long t,
                           unsigned char *mark, double *v, unsigned char *in)
{
    size_t na = r->nareas;
    double total = 0;
    for (size_t a = 0; a < na; a++) {
        const hs_rate *x = &r->r[g * na + a];
        v[a] = prev ? x->prev_count : x->count;
        in[a] = !isnan(x->population);
        total += in[a] ? v[a] : 0;
    }
    hs_suppress(v, in, na, t, mark);
    hs_suppress(v, NULL, na, t, mark);
    return total < t;
}

hs_privacy *hs_privacy_create(const hs_rates *r, long threshold,
                              hs_error *err)
{
    hs_privacy *p = calloc(1, sizeof *p);
    size_t na = r->nareas, ng = r->ngroups;
    double *v = malloc((na + 1) * sizeof *v);
    unsigned char *in = malloc(na + 1);
    if (p) {
        p->cur = calloc(ng * na + 1, 1);
        p->prev = calloc(ng * na + 1, 1);
    }
    if (!p || !v || !in || !p->cur || !p->prev || ng > HS_MAX_GROUPS) {
        free(v);
        free(in);
        hs_privacy_destroy(p);
        hs_fail(err, HS_ERR_NOMEM, "public outputs: out of memory");
        return NULL;
    }
    p->threshold = threshold;
    p->ngroups = ng;
    p->nareas = na;
    int has_prev = na > 0 && r->r[0].prev_count >= 0;
    for (size_t g = 0; g < ng; g++) {
        unsigned char *c = p->cur + g * na, *q = p->prev + g * na;
        p->study_sup[g] = suppress_period(r, g, 0, threshold, c, v, in);
        if (has_prev)
            suppress_period(r, g, 1, threshold, q, v, in);
        for (size_t a = 0; a < na; a++) {
            p->primary[g] += c[a] == HS_SUP_PRIMARY;
            p->secondary[g] += c[a] == HS_SUP_SECONDARY;
            p->prev_primary[g] += q[a] == HS_SUP_PRIMARY;
            p->prev_secondary[g] += q[a] == HS_SUP_SECONDARY;
        }
    }
    free(v);
    free(in);
    return p;
}

void hs_privacy_destroy(hs_privacy *p)
{
    if (!p)
        return;
    free(p->cur);
    free(p->prev);
    free(p);
}

int hs_privacy_cur(const hs_privacy *p, size_t g, size_t a)
{
    return p && p->cur[g * p->nareas + a] != 0;
}

int hs_privacy_prev(const hs_privacy *p, size_t g, size_t a)
{
    return p && p->prev[g * p->nareas + a] != 0;
}

void hs_privacy_months(hs_privacy *p, size_t g, int area_suppressed,
                       const double *v, size_t n, unsigned char *mark)
{
    for (size_t i = 0; i < n; i++)
        mark[i] = area_suppressed ? HS_SUP_SECONDARY : 0;
    if (!area_suppressed)
        hs_suppress(v, NULL, n, p->threshold, mark);
    for (size_t i = 0; i < n; i++)
        p->monthly[g] += mark[i] != 0;
}

hs_status hs_privacy_exclude(hs_incidents *s, const hs_categories *c,
                             const char *list, int locations,
                             const hs_log *log, long *n, hs_error *err)
{
    size_t nt = hs_pool_count(s->types);
    unsigned char *drop = calloc(nt + 1, 1);
    char *copy = strdup(list), *save = NULL;
    int groups[HS_MAX_GROUPS];
    size_t ng = 0;
    *n = 0;
    if (!drop || !copy) {
        free(drop);
        free(copy);
        return hs_fail(err, HS_ERR_NOMEM, "--public-exclude: out of memory");
    }
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        for (char *e = t + strlen(t); e > t && e[-1] == ' ';)
            *--e = '\0';
        if (!*t)
            continue;
        int found = 0, g = hs_categories_find_group(c, t);
        if (g >= 0 && ng < HS_MAX_GROUPS) {
            groups[ng++] = g;
            found = 1;
        }
        for (size_t k = 0; k < nt; k++)
            if (strcasecmp(hs_pool_str(s->types, (int)k), t) == 0)
                drop[k] = found = 1;
        if (!found)
            hs_warn(log, "--public-exclude: no crime type or group '%s' in "
                    "the data, so nothing was left out for it (police.uk "
                    "files put sexual offences in 'Violence and sexual "
                    "offences': exclude that group to leave them out)", t);
    }
    for (size_t i = 0; i < s->n; i++) {
        int out = drop[s->type[i]];
        for (size_t k = 0; k < ng && !out; k++)
            out = s->group[i] == groups[k];
        if (out) {
            s->group[i] = -1;
            if (locations)
                s->x[i] = s->y[i] = NAN;
            (*n)++;
        }
    }
    free(drop);
    free(copy);
    return HS_OK;
}
