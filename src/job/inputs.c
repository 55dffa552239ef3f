/* inputs.c - the incidents and the areas of a job, read and checked as
 * every command that analyses them needs (job.h): hotspot run and
 * hotspot evaluate. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "input/vector.h"
#include "input/when.h"
#include "job/job.h"

/* --when (when.h): only the incidents inside the windows stay in the
 * store, so every analysis of the run sees them alone.  A file of months
 * only (police.uk) is an error; rows with a date but no time are left
 * out and counted. */
static hs_status apply_when(job *j, hs_error *err)
{
    hs_status rc = hs_when_filter(&j->when, j->inc, &j->when_outside,
                                  &j->when_no_time, err);
    if (rc)
        return rc;
    if (j->inc->share) { /* windows: fractions of incidents (when.h) */
        if (!(j->when_inside = malloc((HS_WHEN_WEEK + 1) * sizeof *j->when_inside)))
            return hs_fail(err, HS_ERR_NOMEM, "--when: out of memory");
        hs_when_prefix(&j->when, j->when_inside);
        for (size_t i = 0; i < j->inc->n; i++) {
            j->when_shares += j->inc->share[i];
            j->when_partial += j->inc->share[i] < 1;
        }
        hs_note(j->log, "--when %s: %zu incident(s) inside, %ld of them partly "
                "(their windows' shares inside add up to %.1f incidents), "
                "%ld outside left out", j->when.text, j->inc->n,
                j->when_partial, j->when_shares, j->when_outside);
    } else {
        hs_note(j->log, "--when %s: %zu incident(s) inside, %ld outside left out",
                j->when.text, j->inc->n, j->when_outside);
    }
    if (j->when_no_time)
        hs_warn(j->log, "--when: %ld incident(s) have a date but no time: left "
                "out, as it cannot be said whether they fall inside",
                j->when_no_time);
    return HS_OK;
}

hs_status hs_job_read_incidents(job *j, hs_error *err)
{
    const hs_options *o = j->o;
    hs_status rc;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    static hs_ingest_opts io; /* borrowed by the ingest for the run */
    io = (hs_ingest_opts){
        .analysis_crs = j->crs, .hash_files = 1, .log = j->log,
        .max_month = (tm.tm_year + 1900) * 12 + tm.tm_mon};
    if ((rc = hs_ingest_opts_columns(&io, o, err)))
        return rc;
    if (o->duplicates && hs_dup_rule_parse(o->duplicates, &io.duplicates) != 0)
        return hs_fail(err, HS_ERR_ARG, "--duplicates '%s': give last, first "
                       "or keep", o->duplicates);
    if ((rc = hs_paths_expand((const char *const *)o->incidents,
                              o->n_incidents, &j->files, &j->nfiles, err)))
        return rc;
    if (!(j->inc = hs_incidents_create(err)) ||
        !(j->ing = hs_ingest_create(j->inc, &io, j->cats, err)))
        return err ? err->code : HS_ERR_NOMEM;
    hs_tick_total(j->tk.incidents, (long)j->nfiles);
    hs_tick_start(j->tk.incidents);
    for (size_t i = 0; i < j->nfiles; i++) {
        if ((rc = hs_ingest_file(j->ing, j->files[i], err)))
            return rc;
        hs_tick_add(j->tk.incidents, 1);
        size_t ns;
        const hs_ingest_source *src = hs_ingest_sources(j->ing, &ns);
        if (src[i].rows_read == 0) /* likely a failed download or export */
            hs_warn(j->log, "incidents '%s': no data rows%s", j->files[i],
                    hs_has_ext(j->files[i], ".csv") ? " (header only)" : "");
    }
    if ((rc = hs_ingest_finish(j->ing, err)))
        return rc;
    const hs_ingest_report *r = hs_ingest_get_report(j->ing);
    for (int k = 0; k < HS_SKIP_N; k++)
        if (r->skipped[k]) {
            hs_warn(j->log, "%ld row(s) skipped: %s", r->skipped[k],
                    hs_skip_name((hs_skip)k));
            /* examples are of rows, files or runs of rows, as the
             * reason counts them: as many as were kept */
            for (long e = 0; e < HS_INGEST_EXAMPLES && *r->example[k][e]; e++)
                hs_warn(j->log, "  e.g. %s", r->example[k][e]);
        }
    if (r->bad_text) {
        hs_warn(j->log, "%ld row(s) have text that is not UTF-8: kept, read "
                "as Windows-1252", r->bad_text);
        for (long e = 0; e < r->bad_text && e < HS_INGEST_EXAMPLES; e++)
            hs_warn(j->log, "  e.g. %s", r->text_example[e]);
    }
    if (r->unknown_type) {
        /* name the unknown types, so nothing is dropped silently */
        const hs_incidents *s = j->inc;
        size_t nt = hs_pool_count(s->types);
        long *cnt = calloc(nt, sizeof *cnt);
        if (!cnt)
            return hs_fail(err, HS_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < s->n; i++)
            if (s->group[i] < 0)
                cnt[s->type[i]]++;
        for (size_t t = 0; t < nt; t++)
            if (cnt[t])
                hs_warn(j->log, "%ld row(s) have crime type '%s', which is not "
                        "in the category mapping: kept, in no group", cnt[t],
                        hs_pool_str(s->types, (int)t));
        free(cnt);
    }
    if (j->when.n && (rc = apply_when(j, err)))
        return rc;
    if (j->inc->n == 0)
        return hs_fail(err, HS_ERR_DATA, "no usable incidents in %zu file(s) "
                       "(%ld rows read)%s", j->nfiles, r->rows_read,
                       j->when.n ? " inside --when" : "");
    return HS_OK;
}

hs_status hs_job_read_areas(job *j, hs_error *err)
{
    const hs_options *o = j->o;
    hs_status rc;
    if (!o->areas)
        return hs_fail(err, HS_ERR_ARG, "no areas: give --areas PATH");
    if (!o->area_id)
        return hs_fail(err, HS_ERR_ARG, "no area id field: give --area-id FIELD");
    j->pop_kind = o->population ? hs_population_kind(o->population) : HS_POP_FIELD;
    hs_areas_opts ao = {.path = o->areas, .layer = o->areas_layer,
                        .sql = o->areas_sql, .id_field = o->area_id,
                        .name_field = o->area_name,
                        .pop_field = j->pop_kind == HS_POP_FIELD ? o->population
                                                                 : NULL,
                        .crs = j->crs, .flag_field = o->priority_field};
    if (!(j->areas = hs_areas_load(&ao, j->log, err)))
        return err ? err->code : HS_ERR_DATA;
    if (j->pop_kind == HS_POP_TABLE)
        rc = hs_population_from_table(j->areas, o->population, o->population_id,
                                      o->population_value, &j->pop_rep, j->log,
                                      err);
    else if (j->pop_kind == HS_POP_ZONES)
        rc = hs_population_from_zones(j->areas, o->population,
                                      o->population_value, j->crs, &j->pop_rep,
                                      j->log, err);
    else
        rc = HS_OK;
    if (rc)
        return rc;
    long nopop = 0;
    for (size_t i = 0; i < hs_areas_count(j->areas); i++) {
        double p = hs_areas_population(j->areas, i);
        if (isnan(p) || p <= 0) {
            if (nopop++ < 5)
                hs_warn(j->log, "area '%s' (%s) has no population: counts are "
                        "given, rates are not", hs_areas_id(j->areas, i),
                        hs_areas_name(j->areas, i));
        }
    }
    if (nopop > 5)
        hs_warn(j->log, "%ld areas in all have no population", nopop);
    if (!o->population)
        hs_warn(j->log, "no --population given: counts only, no rates");
    return HS_OK;
}

/* --groups (default asb,sac,violence) into j->groups: names of the
 * category mapping, each once. */
hs_status hs_job_parse_groups(job *j, hs_error *err)
{
    char *list = strdup(hs_or_default(j->o->groups, "asb,sac,violence"));
    char *save = NULL;
    hs_status rc = HS_OK;
    if (!list)
        return hs_fail(err, HS_ERR_NOMEM, "out of memory");
    for (char *t = strtok_r(list, ", ", &save); t && !rc;
         t = strtok_r(NULL, ", ", &save)) {
        int g = hs_categories_find_group(j->cats, t);
        if (g < 0) {
            char have[512] = "";
            for (size_t i = 0; i < hs_categories_ngroups(j->cats); i++) {
                size_t l = strlen(have);
                snprintf(have + l, sizeof have - l, "%s%s", i ? ", " : "",
                         hs_categories_group_name(j->cats, (int)i));
            }
            rc = hs_fail(err, HS_ERR_ARG, "--groups: no group '%s' in the "
                         "category mapping (groups: %s)", t, have);
        } else if (j->ngroups == HS_MAX_GROUPS) {
            rc = hs_fail(err, HS_ERR_ARG, "--groups: at most %d groups",
                         HS_MAX_GROUPS);
        } else {
            int dup = 0;
            for (size_t i = 0; i < j->ngroups; i++)
                dup |= j->groups[i] == g;
            if (!dup)
                j->groups[j->ngroups++] = g;
        }
    }
    free(list);
    if (!rc && j->ngroups == 0)
        rc = hs_fail(err, HS_ERR_ARG, "--groups: no groups given");
    return rc;
}
