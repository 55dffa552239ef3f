/*
 * progress.c - --targets: each target row's count so far, a year earlier,
 * its year-end projection and red / amber / green status (the rules:
 * analysis/targets.h), as the `targets` table of a run (job.h).
 *
 * Counts are those of the rates: incidents assigned to an area and in a
 * group (sums of --when shares), per month over the months in the data;
 * `all` sums every area.  The last month in the data is the store's
 * latest, so a period still running is projected from the months so far.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/evaluate.h"
#include "analysis/targets.h"
#include "job/job.h"

hs_status hs_job_check_targets(job *j, hs_error *err)
{
    const hs_options *o = j->o;
    const char *amber = hs_or_default(o->rag_amber, "5");
    char *end;
    j->rag_amber = strtod(amber, &end);
    if (*end || !isfinite(j->rag_amber) || j->rag_amber < 0 || end == amber)
        return hs_fail(err, HS_ERR_ARG, "--rag-amber '%s': give a percentage "
                       "above the target, 0 or more (e.g. 5)", amber);
    if (!o->targets)
        return HS_OK;
    if (!(j->targets = hs_targets_read(o->targets, err)))
        return err ? err->code : HS_ERR_DATA;
    for (size_t k = 0; k < j->targets->n; k++) {
        const hs_target *t = &j->targets->v[k];
        int g = hs_categories_find_group(j->cats, t->group), in = 0;
        for (size_t q = 0; q < j->ngroups && g >= 0; q++)
            in |= j->groups[q] == g;
        if (!in)
            return hs_fail(err, HS_ERR_DATA, "targets '%s' line %ld, field "
                           "crime_group: '%s' is not one of this run's groups "
                           "(--groups)", o->targets, t->line, t->group);
        if (t->area_id && hs_areas_find(j->areas, t->area_id) < 0)
            return hs_fail(err, HS_ERR_DATA, "targets '%s' line %ld, field "
                           "area_id: no area '%s' in --areas (or write 'all')",
                           o->targets, t->line, t->area_id);
    }
    return HS_OK;
}

hs_status hs_job_write_targets(job *j, hs_error *err)
{
    static const hs_field f[] = {
        {"area_id", HS_FIELD_TEXT},   {"crime_group", HS_FIELD_TEXT},
        {"period", HS_FIELD_TEXT},    {"count", HS_FIELD_REAL},
        {"prev_count", HS_FIELD_REAL}, {"projected", HS_FIELD_REAL},
        {"target", HS_FIELD_REAL},    {"status", HS_FIELD_TEXT},
        {"projection", HS_FIELD_TEXT}, {"months", HS_FIELD_INT},
        {"months_so_far", HS_FIELD_INT}};
    const hs_targets *T = j->targets;
    const hs_incidents *s = j->inc;
    if (!T)
        return HS_OK;
    if (j->priv) { /* an area's count so far can be a handful */
        hs_note(j->log, "--targets: no targets table with --public");
        return HS_OK;
    }
    int32_t m0 = INT32_MAX, m1 = INT32_MIN;
    for (size_t i = 0; i < s->n; i++) {
        m0 = s->month[i] < m0 ? s->month[i] : m0;
        m1 = s->month[i] > m1 ? s->month[i] : m1;
    }
    size_t nm = s->n ? (size_t)(m1 - m0 + 1) : 1;
    double *c = malloc(nm * sizeof *c);
    hs_dest_layer *l = c ? hs_dest_add_layer(j->out, "targets", "Each target: so "
                                        "far, a year earlier, projected to the "
                                        "period's end, and red / amber / green",
                                        HS_GEOM_NONE, NULL, f,
                                        sizeof f / sizeof *f, err)
                    : NULL;
    hs_status rc = HS_OK;
    if (!c || !l) {
        free(c);
        return c ? (err ? err->code : HS_ERR_IO)
                 : hs_fail(err, HS_ERR_NOMEM, "targets: out of memory");
    }
    for (size_t k = 0; k < T->n && !rc; k++) {
        const hs_target *t = &T->v[k];
        int g = hs_categories_find_group(j->cats, t->group);
        int a = t->area_id ? hs_areas_find(j->areas, t->area_id) : -1;
        memset(c, 0, nm * sizeof *c);
        for (size_t i = 0; i < s->n; i++)
            if (s->group[i] == g && s->area[i] >= 0 && (!t->area_id || s->area[i] == a))
                c[s->month[i] - m0] += s->share ? s->share[i] : 1;
        hs_target_progress p;
        if ((rc = hs_target_progress_compute(c, m0, m1, t->from, t->to, m1,
                                             t->target, j->rag_amber, &p, err))) {
            char b[sizeof err->msg];
            snprintf(b, sizeof b, "%s", err ? err->msg : "");
            rc = hs_fail(err, rc, "targets '%s' line %ld: %.900s",
                         j->o->targets, t->line, b);
            break;
        }
        hs_value v[] = {
            {.s = t->area_id ? t->area_id : "all"}, {.s = hs_categories_group_name(j->cats, g)},
            {.s = t->period}, {.d = p.count, .is_null = isnan(p.count)},
            {.d = p.prev_count, .is_null = isnan(p.prev_count)},
            {.d = p.projected, .is_null = isnan(p.projected)}, {.d = t->target},
            {.s = hs_rag_text(p.status)}, {.s = hs_projection_rule_text(p.rule)},
            {.i = p.months}, {.i = p.months_so_far}};
        rc = hs_dest_layer_add(l, 0, 0, NULL, 0, v, err);
    }
    free(c);
    if (!rc)
        j->has_targets = 1;
    return rc;
}

/* ---- --priority-areas: the gap between them and the rest -------------- */

/* A --priority-field value: 1 marks a priority area, 0 the rest, -1 none
 * of the forms (README): a number other than 0, or yes, y, true, t; 0,
 * no, n, false, f, empty and NULL. */
static int flag_value(const char *v)
{
    static const char *const yes[] = {"yes", "y", "true", "t"};
    static const char *const no[] = {"no", "n", "false", "f", ""};
    char *end;
    if (!v)
        return 0;
    while (*v == ' ')
        v++;
    char t[16];
    size_t n = strlen(v);
    while (n && v[n - 1] == ' ')
        n--;
    if (n >= sizeof t)
        return -1;
    memcpy(t, v, n);
    t[n] = '\0';
    double x = strtod(t, &end);
    if (n && !*end && isfinite(x))
        return x != 0;
    for (size_t k = 0; k < sizeof yes / sizeof *yes; k++)
        if (strcasecmp(t, yes[k]) == 0)
            return 1;
    for (size_t k = 0; k < sizeof no / sizeof *no; k++)
        if (strcasecmp(t, no[k]) == 0)
            return 0;
    return -1;
}

/* --priority-field: the areas whose field marks them. */
static hs_status priority_of_field(job *j, hs_error *err)
{
    const char *fld = j->o->priority_field;
    size_t na = hs_areas_count(j->areas), n = 0;
    char ids[200] = "";
    if (!(j->priority = calloc(na + 1, 1)))
        return hs_fail(err, HS_ERR_NOMEM, "--priority-field: out of memory");
    for (size_t a = 0; a < na; a++) {
        const char *v = hs_areas_flag(j->areas, a);
        int f = flag_value(v);
        if (f < 0)
            return hs_fail(err, HS_ERR_DATA, "--priority-field '%s': area "
                           "'%s' (feature %ld of '%s') has '%s': give a "
                           "number (0: not a priority area) or yes / no",
                           fld, hs_areas_id(j->areas, a),
                           hs_areas_feature(j->areas, a), j->o->areas, v);
        j->priority[a] = (unsigned char)f;
        if (f && n++ < 6) {
            size_t l = strlen(ids);
            snprintf(ids + l, sizeof ids - l, "%s%s", l ? "," : "",
                     hs_areas_id(j->areas, a));
        }
    }
    if (n == 0 || n == na)
        return hs_fail(err, HS_ERR_DATA, "--priority-field '%s' marks %s of "
                       "the %zu areas of '%s': give a field that marks some",
                       fld, n ? "all" : "none", na, j->o->areas);
    hs_note(j->log, "--priority-field '%s': %zu priority area(s): %s%s", fld,
            n, ids, n > 6 ? ",..." : "");
    return HS_OK;
}

hs_status hs_job_check_priority(job *j, hs_error *err)
{
    const char *list = j->o->priority_areas;
    if (list && j->o->priority_field)
        return hs_fail(err, HS_ERR_ARG, "give --priority-areas or "
                       "--priority-field, not both");
    if (j->o->priority_field)
        return priority_of_field(j, err);
    if (!list)
        return HS_OK;
    size_t na = hs_areas_count(j->areas), n = 0;
    char *copy = strdup(list), *save = NULL;
    if (!copy || !(j->priority = calloc(na + 1, 1))) {
        free(copy);
        return hs_fail(err, HS_ERR_NOMEM, "--priority-areas: out of memory");
    }
    hs_status rc = HS_OK;
    for (char *t = strtok_r(copy, ", ", &save); t && !rc; t = strtok_r(NULL, ", ", &save)) {
        int a = hs_areas_find(j->areas, t);
        if (a < 0)
            rc = hs_fail(err, HS_ERR_ARG, "--priority-areas: no area '%s' in "
                         "--areas '%s'", t, j->o->areas);
        else
            n += !j->priority[a]++;
    }
    free(copy);
    if (!rc && (n == 0 || n == na))
        rc = hs_fail(err, HS_ERR_ARG, "--priority-areas: give some of the "
                     "areas, not %s", n ? "all of them" : "none");
    return rc;
}

/* "narrowed", "widened" or "no significant change" of the gap, from the
 * previous ratio and the ratio of ratios with its p (progress.c's rule,
 * README): the gap is the distance of the ratio from 1. */
static const char *gap_word(double prev_ratio, double change, double p)
{
    if (!(p < 0.05) || isnan(change) || isnan(prev_ratio) || prev_ratio == 1 ||
        change == 1)
        return "no significant change";
    int towards = prev_ratio > 1 ? change < 1 : change > 1;
    return towards ? "narrowed" : "widened";
}

hs_status hs_job_write_priority(job *j, hs_error *err)
{
    static const char *const name[] = {
        "crime_group", "priority_areas", "priority_count", "priority_population",
        "priority_rate", "rest_count", "rest_population", "rest_rate",
        "rate_ratio", "rate_ratio_low", "rate_ratio_high", "rate_ratio_p",
        "prev_priority_count", "prev_rest_count", "prev_rate_ratio",
        "prev_rate_ratio_low", "prev_rate_ratio_high", "gap_change",
        "gap_change_low", "gap_change_high", "gap_p", "gap"};
    enum { NF = sizeof name / sizeof *name };
    hs_field f[NF];
    const hs_rates *R = j->rates;
    hs_status rc = HS_OK;
    if (!j->priority)
        return HS_OK;
    if (j->priv) {
        hs_note(j->log, "--priority-areas: no priority_gap table with --public");
        return HS_OK;
    }
    for (int k = 0; k < NF; k++)
        f[k] = (hs_field){name[k], k == 0 || k == NF - 1 ? HS_FIELD_TEXT
                                   : k == 1 ? HS_FIELD_INT : HS_FIELD_REAL};
    hs_dest_layer *l = hs_dest_add_layer(j->out, "priority_gap", "The priority "
                                    "areas' rate against the rest's, and "
                                    "whether the gap narrowed", HS_GEOM_NONE,
                                    NULL, f, NF, err);
    if (!l)
        return err ? err->code : HS_ERR_IO;
    for (size_t g = 0; g < R->ngroups && !rc; g++) {
        /* areas with a population, as the rates: [priority, rest] */
        double c[2] = {0, 0}, c0[2] = {0, 0}, pop[2] = {0, 0};
        long n = 0;
        for (size_t a = 0; a < R->nareas; a++) {
            const hs_rate *r = &R->r[g * R->nareas + a];
            if (isnan(r->population))
                continue;
            int k = j->priority[a] ? 0 : 1;
            n += k == 0;
            c[k] += r->count;
            c0[k] += r->prev_count > 0 ? r->prev_count : 0;
            pop[k] += r->population;
        }
        double rr = NAN, lo = NAN, hi = NAN, p = NAN, prr = NAN, plo = NAN,
               phi = NAN, pp = NAN;
        hs_exact_rr gc = {.ratio = NAN, .low = NAN, .high = NAN, .p = NAN};
        int cmp = j->agg.has_prev;
        if (pop[0] > 0 && pop[1] > 0 &&
            !(rc = hs_rate_ratio(c[0], pop[0], c[1], pop[1], 0.95, &rr, &lo, &hi,
                                 &p, err)) && cmp &&
            !(rc = hs_rate_ratio(c0[0], pop[0], c0[1], pop[1], 0.95, &prr, &plo,
                                 &phi, &pp, err)))
            rc = hs_exact_rr_compute(c[0], c0[0], c[1], c0[1], 0.95, &gc, err);
        if (rc)
            break;
        hs_value v[NF] = {
            {.s = hs_categories_group_name(j->cats, j->groups[g])}, {.i = n},
            {.d = c[0]}, {.d = pop[0]},
            {.d = pop[0] > 0 ? c[0] / pop[0] * 1000 : NAN, .is_null = !(pop[0] > 0)},
            {.d = c[1]}, {.d = pop[1]},
            {.d = pop[1] > 0 ? c[1] / pop[1] * 1000 : NAN, .is_null = !(pop[1] > 0)},
            {.d = rr, .is_null = isnan(rr)}, {.d = lo, .is_null = isnan(lo)},
            {.d = hi, .is_null = isnan(hi) || isinf(hi)}, {.d = p, .is_null = isnan(p)},
            {.d = c0[0], .is_null = !cmp}, {.d = c0[1], .is_null = !cmp},
            {.d = prr, .is_null = isnan(prr)}, {.d = plo, .is_null = isnan(plo)},
            {.d = phi, .is_null = isnan(phi) || isinf(phi)},
            {.d = gc.ratio, .is_null = isnan(gc.ratio) || isinf(gc.ratio)},
            {.d = gc.low, .is_null = isnan(gc.low)},
            {.d = gc.high, .is_null = isnan(gc.high) || isinf(gc.high)},
            {.d = gc.p, .is_null = isnan(gc.p)},
            {.s = cmp ? gap_word(prr, gc.ratio, gc.p) : "no comparison"}};
        rc = hs_dest_layer_add(l, 0, 0, NULL, 0, v, err);
        if (!rc && g < HS_MAX_GROUPS) {
            j->gap[g].ratio = rr;
            j->gap[g].prev_ratio = prr;
            j->gap[g].change_p = gc.p;
            snprintf(j->gap[g].word, sizeof j->gap[g].word, "%s",
                     cmp ? gap_word(prr, gc.ratio, gc.p) : "no comparison");
        }
    }
    if (!rc)
        j->has_priority = 1;
    return rc;
}
