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
    hs_layer *l = c ? hs_gpkg_add_layer(j->gpkg, "targets", "Each target: so "
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
        rc = hs_layer_add(l, 0, 0, NULL, 0, v, err);
    }
    free(c);
    if (!rc)
        j->has_targets = 1;
    return rc;
}
