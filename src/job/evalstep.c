/*
 * evalstep.c - hotspot evaluate: the incidents in a target, the ring round
 * it and a control, before and after an intervention (hs_run.h), for the
 * Weighted Displacement Difference and Quotient (analysis/evaluate.h).
 *
 * Steps: the inputs as hotspot run reads them (inputs.c); the target and
 * control polygons (a file, area ids, or a run's hotspot); the zones
 * (geography/regions.h); each incident's zone; counts per group, zone and
 * period (sums of --when shares); the statistics; one GeoPackage.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/evaluate.h"
#include "geography/regions.h"
#include "input/periods.h"
#include "input/polygons.h"
#include "input/vector.h"
#include "input/previous.h"
#include "input/pgsource.h"
#include "job/job.h"
#include "job/styles.h"

/* One evaluation; freed in one place. */
typedef struct eval {
    job j;                   /* inputs: options, log, categories, areas,
                                incidents, groups                        */
    int32_t per[2][2];       /* before, after: first and last month      */
    unsigned char **tw, **cw; /* target and control polygons (WKB)       */
    size_t *tl, *cl, nt, nc;
    int tw_areas, cw_areas;  /* borrowed from the areas (not freed)      */
    int control_is_rest;
    double buffer, control_buffer;
    hs_regions *zones;
    double *count;           /* [(g HS_NZONES + z) 2 + p]                */
    int32_t m0;              /* first month of the monthly series        */
    size_t nm;
    double *monthly;         /* [(g HS_NZONES + z) nm + m]               */
    double alpha;
    hs_wdd *wdd;             /* per group                                */
    hs_wdq *wdq;
    hs_exact_rr *rr;
} eval;

/* Group g's count in zone z, period p (0 before, 1 after). */
static double cnt(const eval *e, size_t g, int z, int p)
{
    return e->count[(g * HS_NZONES + (size_t)z) * 2 + (size_t)p];
}

/* WDD (time weights: the periods' months, so per month), WDQ and the
 * target's change against the control's as an exact ratio, per group. */
static hs_status statistics(eval *e, hs_error *err)
{
    size_t ng = e->j.ngroups;
    hs_status rc = HS_OK;
    e->wdd = calloc(ng + 1, sizeof *e->wdd);
    e->wdq = calloc(ng + 1, sizeof *e->wdq);
    e->rr = calloc(ng + 1, sizeof *e->rr);
    if (!e->wdd || !e->wdq || !e->rr)
        return hs_fail(err, HS_ERR_NOMEM, "evaluation: out of memory");
    int cb = hs_regions_has(e->zones, HS_ZONE_CONTROL_BUFFER);
    for (size_t g = 0; g < ng && !rc; g++) {
        hs_wdd_in in = {.has_control_buffer = cb, .alpha = e->alpha};
        double t[2], b[2], c[2];
        for (int p = 0; p < 2; p++) {
            in.target[p] = t[p] = cnt(e, g, HS_ZONE_TARGET, p);
            in.buffer[p] = b[p] = cnt(e, g, HS_ZONE_BUFFER, p);
            in.control[p] = c[p] = cnt(e, g, HS_ZONE_CONTROL, p);
            in.control_buffer[p] = cb ? cnt(e, g, HS_ZONE_CONTROL_BUFFER, p) : 0;
            in.weight[p] = (double)(e->per[p][1] - e->per[p][0] + 1);
        }
        if (!(rc = hs_wdd_compute(&in, &e->wdd[g], err)) &&
            !(rc = hs_wdq_compute(t, b, c, &e->wdq[g], err)))
            rc = hs_exact_rr_compute(t[1], t[0], c[1], c[0], 0.95, &e->rr[g], err);
    }
    return rc;
}

/* --before / --after: a period name (input/periods.h: "2024-01:2024-06",
 * "fy2024q1", "fy2024-ytd", ...), resolved against the data's last month;
 * last < 0: its spelling only, before any work. */
static hs_status period(const char *s, const char *flag, int32_t last,
                        int32_t *from, int32_t *to, hs_error *err)
{
    hs_error e = {0};
    if (!s || !*s)
        return hs_fail(err, HS_ERR_ARG, "%s: give the period, e.g. "
                       "2023-01:2023-06 or fy2023q1", flag);
    if ((last < 0 ? hs_period_check(s, &e) : hs_period_parse(s, last, from, to, &e)))
        return hs_fail(err, e.code, "%s %s", flag, e.msg);
    return HS_OK;
}

static hs_status number(const char *v, const char *dflt, const char *flag,
                        double lo, double *out, hs_error *err)
{
    const char *s = v ? v : dflt;
    char *end;
    *out = strtod(s, &end);
    if (end == s || *end || !isfinite(*out) || *out < lo)
        return hs_fail(err, HS_ERR_ARG, "%s '%s': give a number of metres, %g "
                       "or more", flag, s, lo);
    return HS_OK;
}

/* Area ids "E01,E02" of the study area into WKB pointers borrowed from it;
 * an unknown id names itself. */
static hs_status area_polygons(eval *e, const char *list, const char *what,
                               unsigned char ***wkb, size_t **len, size_t *n,
                               hs_error *err)
{
    const hs_areas *a = e->j.areas;
    char *copy = strdup(list), *save = NULL;
    size_t cap = 1;
    for (const char *c = list; *c; c++)
        cap += *c == ',';
    *wkb = calloc(cap, sizeof **wkb);
    *len = calloc(cap, sizeof **len);
    *n = 0;
    hs_status rc = HS_OK;
    if (!copy || !*wkb || !*len) {
        rc = hs_fail(err, HS_ERR_NOMEM, "%s: out of memory", what);
        goto cleanup;
    }
    for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int i = hs_areas_find(a, t);
        if (i < 0) {
            rc = hs_fail(err, HS_ERR_ARG, "--%s '%s': no file of that name, "
                         "and no area '%s' in --areas '%s'", what, list, t,
                         e->j.o->areas);
            goto cleanup;
        }
        (*wkb)[*n] = (unsigned char *)hs_areas_wkb(a, (size_t)i, &(*len)[*n]);
        (*n)++;
    }
cleanup:
    free(copy);
    return rc;
}

/* --target: a run's hotspot, a polygon file or area ids. */
static hs_status target_polygons(eval *e, hs_error *err)
{
    const hs_options *o = e->j.o;
    struct stat st;
    if (!o->target)
        return hs_fail(err, HS_ERR_ARG, "no target: give --target (a polygon "
                       "file, area ids, or a hotspot id with --target-from)");
    if (o->target_from) {
        for (size_t g = 0; g < e->j.ngroups; g++) {
            const char *gname = hs_categories_group_name(e->j.cats, e->j.groups[g]);
            hs_error e2 = {0};
            hs_previous *p = hs_previous_read(o->target_from, gname, e->j.crs, &e2);
            if (!p)
                continue; /* a group the run did not map */
            for (size_t k = 0; k < p->n && !e->nt; k++)
                if (strcmp(p->v[k].id, o->target) == 0) {
                    e->tw = malloc(sizeof *e->tw);
                    e->tl = malloc(sizeof *e->tl);
                    if (!e->tw || !e->tl) {
                        hs_previous_destroy(p);
                        return hs_fail(err, HS_ERR_NOMEM, "target: out of memory");
                    }
                    e->tw[0] = p->v[k].wkb; /* taken from the run */
                    e->tl[0] = p->v[k].wkb_len;
                    p->v[k].wkb = NULL;
                    e->nt = 1;
                }
            hs_previous_destroy(p);
        }
        if (!e->nt)
            return hs_fail(err, HS_ERR_ARG, "--target '%s': no hotspot of that "
                           "id in --target-from '%s' (its hotspots_<group> "
                           "layers for --groups)", o->target, o->target_from);
        return HS_OK;
    }
    if (stat(o->target, &st) == 0) {
        int no_srs = 0;
        hs_status rc = hs_polygons_read(o->target, NULL, e->j.crs, "target",
                                        &e->tw, &e->tl, &e->nt, &no_srs, err);
        if (!rc && no_srs)
            hs_warn(e->j.log, "target '%s' has no CRS; assuming %s", o->target,
                    e->j.crs);
        return rc;
    }
    if (!e->j.areas)
        return hs_fail(err, HS_ERR_ARG, "--target '%s': no such file; area ids "
                       "need --areas", o->target);
    e->tw_areas = 1;
    return area_polygons(e, o->target, "target", &e->tw, &e->tl, &e->nt, err);
}

/* --control: a polygon file or area ids; without it the study area (the
 * zones take the target and buffer out). */
static hs_status control_polygons(eval *e, hs_error *err)
{
    const hs_options *o = e->j.o;
    struct stat st;
    if (o->control && stat(o->control, &st) == 0) {
        int no_srs = 0;
        hs_status rc = hs_polygons_read(o->control, NULL, e->j.crs, "control",
                                        &e->cw, &e->cl, &e->nc, &no_srs, err);
        if (!rc && no_srs)
            hs_warn(e->j.log, "control '%s' has no CRS; assuming %s",
                    o->control, e->j.crs);
        return rc;
    }
    if (!e->j.areas)
        return hs_fail(err, HS_ERR_ARG, o->control
                       ? "--control '%s': no such file; area ids need --areas"
                       : "no control: give --control (a polygon file) or "
                         "--areas (the study area outside the target and "
                         "buffer is the control)%s", o->control ? o->control : "");
    e->cw_areas = 1;
    if (o->control)
        return area_polygons(e, o->control, "control", &e->cw, &e->cl, &e->nc, err);
    size_t na = hs_areas_count(e->j.areas);
    e->cw = calloc(na ? na : 1, sizeof *e->cw);
    e->cl = calloc(na ? na : 1, sizeof *e->cl);
    if (!e->cw || !e->cl)
        return hs_fail(err, HS_ERR_NOMEM, "control: out of memory");
    for (size_t i = 0; i < na; i++)
        e->cw[i] = (unsigned char *)hs_areas_wkb(e->j.areas, i, &e->cl[i]);
    e->nc = na;
    e->control_is_rest = 1;
    return HS_OK;
}

/* Each incident's zone, and the counts and monthly series. */
static hs_status count(eval *e, hs_error *err)
{
    const hs_incidents *s = e->j.inc;
    size_t ng = e->j.ngroups;
    int8_t *zone = malloc(s->n + 1);
    hs_status rc = HS_OK;
    e->m0 = e->per[0][0] < e->per[1][0] ? e->per[0][0] : e->per[1][0];
    int32_t m1 = e->per[0][1] > e->per[1][1] ? e->per[0][1] : e->per[1][1];
    e->nm = (size_t)(m1 - e->m0 + 1);
    e->count = calloc(ng * HS_NZONES * 2 + 1, sizeof *e->count);
    e->monthly = calloc(ng * HS_NZONES * e->nm + 1, sizeof *e->monthly);
    if (!zone || !e->count || !e->monthly) {
        rc = hs_fail(err, HS_ERR_NOMEM, "evaluation: out of memory");
        goto cleanup;
    }
    if ((rc = hs_regions_locate(e->zones, s->x, s->y, s->n, zone, err)))
        goto cleanup;
    for (size_t i = 0; i < s->n; i++) {
        if (zone[i] < 0 || s->month[i] < e->m0 || s->month[i] > m1)
            continue;
        size_t g = 0;
        while (g < ng && e->j.groups[g] != s->group[i])
            g++;
        if (g == ng)
            continue;
        double sh = s->share ? s->share[i] : 1; /* --when (when.h) */
        size_t gz = g * HS_NZONES + (size_t)zone[i];
        for (int p = 0; p < 2; p++)
            if (s->month[i] >= e->per[p][0] && s->month[i] <= e->per[p][1])
                e->count[gz * 2 + (size_t)p] += sh;
        e->monthly[gz * e->nm + (size_t)(s->month[i] - e->m0)] += sh;
    }
cleanup:
    free(zone);
    return rc;
}

/* A zone with no incidents of a group in either period gives a silent 0
 * (the buffer's: no displacement, a WDQ of 0): say so, naming the groups;
 * a zone empty for every group most likely lies outside the data. */
static void warn_empty(const eval *e)
{
    size_t ng = e->j.ngroups;
    for (int z = 0; z < HS_NZONES; z++) {
        char names[512] = "";
        size_t n = 0;
        if (!hs_regions_has(e->zones, (hs_zone)z))
            continue;
        for (size_t g = 0; g < ng; g++)
            if (cnt(e, g, z, 0) == 0 && cnt(e, g, z, 1) == 0) {
                size_t l = strlen(names);
                snprintf(names + l, sizeof names - l, "%s%s", n ? ", " : "",
                         hs_categories_group_name(e->j.cats, e->j.groups[g]));
                n++;
            }
        if (n == ng)
            hs_warn(e->j.log, "the %s (%.3g km\xc2\xb2) holds no incidents "
                    "of any group, before or after: does it lie outside the "
                    "data's area? Its terms of WDD%s rest on nothing",
                    hs_zone_name((hs_zone)z),
                    hs_regions_km2(e->zones, (hs_zone)z),
                    z == HS_ZONE_BUFFER ? " and the WDQ" : "");
        else if (n)
            hs_warn(e->j.log, "the %s holds no %s incidents before or after%s",
                    hs_zone_name((hs_zone)z), names,
                    z == HS_ZONE_BUFFER ? ": its WDQ says nothing about "
                                          "displacement"
                    : z == HS_ZONE_TARGET ? ": nothing to reduce" : "");
    }
}

static hs_value txt(const char *s) { return (hs_value){.is_null = !s, .s = s}; }
static hs_value num(double d) { return (hs_value){.is_null = isnan(d), .d = d}; }

/* zones, evaluation, evaluation_monthly and run. */
static hs_status write_output(eval *e, const char *path, hs_error *err)
{
    static const hs_field zf[] = {{"zone", HS_FIELD_TEXT}, {"area_km2", HS_FIELD_REAL}};
    static const char *const zcol[HS_NZONES] = {"target", "buffer", "control",
                                                "control_buffer"};
    static const hs_field mf[] = {{"crime_group", HS_FIELD_TEXT},
                                  {"month", HS_FIELD_TEXT},
                                  {"zone", HS_FIELD_TEXT},
                                  {"incidents", HS_FIELD_REAL}};
    static const hs_field rf[] = {{"section", HS_FIELD_TEXT},
                                  {"key", HS_FIELD_TEXT},
                                  {"value", HS_FIELD_TEXT}};
    static const hs_field sf[] = {
        {"wdd", HS_FIELD_REAL},           {"wdd_se", HS_FIELD_REAL},
        {"wdd_z", HS_FIELD_REAL},         {"wdd_low", HS_FIELD_REAL},
        {"wdd_high", HS_FIELD_REAL},      {"wdd_local", HS_FIELD_REAL},
        {"wdd_local_se", HS_FIELD_REAL},  {"wdd_displace", HS_FIELD_REAL},
        {"wdd_displace_se", HS_FIELD_REAL}, {"wdq", HS_FIELD_REAL},
        {"wdq_reading", HS_FIELD_TEXT},   {"rate_ratio", HS_FIELD_REAL},
        {"rate_ratio_low", HS_FIELD_REAL}, {"rate_ratio_high", HS_FIELD_REAL},
        {"rate_ratio_p", HS_FIELD_REAL}};
    enum { NS = sizeof sf / sizeof *sf, NE = 1 + 2 * HS_NZONES + NS };
    hs_field ef[NE];
    char names[2 * HS_NZONES][32];
    hs_status rc = HS_OK;
    hs_dest *gp = hs_dest_create(path, e->j.o->schema, NULL, err);
    if (!gp)
        return err ? err->code : HS_ERR_IO;
    hs_dest_layer *lz = hs_dest_add_layer(gp, "zones", "The evaluation's target, "
                                     "buffer, control (and control buffer)",
                                     HS_GEOM_MULTIPOLYGON, e->j.crs, zf, 2, err);
    if (!lz)
        goto fail;
    for (int z = 0; z < HS_NZONES && !rc; z++) {
        size_t len;
        const unsigned char *w = hs_regions_wkb(e->zones, (hs_zone)z, &len);
        hs_value v[] = {txt(hs_zone_name((hs_zone)z)),
                        num(hs_regions_km2(e->zones, (hs_zone)z))};
        if (w)
            rc = hs_dest_layer_add(lz, 0, 0, w, len, v, err);
    }
    ef[0] = (hs_field){"crime_group", HS_FIELD_TEXT};
    for (int z = 0; z < HS_NZONES; z++)
        for (int p = 0; p < 2; p++) {
            snprintf(names[z * 2 + p], sizeof names[0], "%s_%s", zcol[z],
                     p ? "after" : "before");
            ef[1 + z * 2 + p] = (hs_field){names[z * 2 + p], HS_FIELD_REAL};
        }
    memcpy(ef + 1 + 2 * HS_NZONES, sf, sizeof sf);
    hs_dest_layer *le = rc ? NULL : hs_dest_add_layer(gp, "evaluation", "Incidents "
                                                 "per group in each zone before "
                                                 "and after, WDD, WDQ and the "
                                                 "rate ratio", HS_GEOM_NONE, NULL,
                                                 ef, NE, err);
    if (!le)
        goto fail;
    for (size_t g = 0; g < e->j.ngroups && !rc; g++) {
        hs_value v[NE];
        v[0] = txt(hs_categories_group_name(e->j.cats, e->j.groups[g]));
        for (int z = 0; z < HS_NZONES; z++)
            for (int p = 0; p < 2; p++)
                v[1 + z * 2 + p] = hs_regions_has(e->zones, (hs_zone)z)
                    ? num(cnt(e, g, z, p)) : (hs_value){.is_null = 1};
        const hs_wdd *w = &e->wdd[g];
        const hs_wdq *q = &e->wdq[g];
        const hs_exact_rr *r = &e->rr[g];
        hs_value s[NS] = {num(w->total), num(w->total_se), num(w->z), num(w->low),
                          num(w->high), num(w->local), num(w->local_se),
                          num(w->displace), num(w->displace_se), num(q->wdq),
                          txt(q->reading), num(r->ratio), num(r->low),
                          num(r->high), num(r->p)};
        memcpy(v + 1 + 2 * HS_NZONES, s, sizeof s);
        rc = hs_dest_layer_add(le, 0, 0, NULL, 0, v, err);
    }
    hs_dest_layer *lm = rc ? NULL : hs_dest_add_layer(gp, "evaluation_monthly",
                                                 "Incidents per group, month and "
                                                 "zone, over both periods",
                                                 HS_GEOM_NONE, NULL, mf, 4, err);
    if (!lm)
        goto fail;
    for (size_t g = 0; g < e->j.ngroups && !rc; g++)
        for (int z = 0; z < HS_NZONES && !rc; z++) {
            if (!hs_regions_has(e->zones, (hs_zone)z))
                continue;
            for (size_t m = 0; m < e->nm && !rc; m++) {
                char mo[8];
                hs_month_format(e->m0 + (int32_t)m, mo);
                hs_value v[] = {txt(hs_categories_group_name(e->j.cats, e->j.groups[g])),
                                txt(mo), txt(hs_zone_name((hs_zone)z)),
                                num(e->monthly[(g * HS_NZONES + (size_t)z) * e->nm + m])};
                rc = hs_dest_layer_add(lm, 0, 0, NULL, 0, v, err);
            }
        }
    hs_dest_layer *lr = rc ? NULL : hs_dest_add_layer(gp, "run", "How this file was "
                                                 "made: parameters and inputs",
                                                 HS_GEOM_NONE, NULL, rf, 3, err);
    if (!lr)
        goto fail;
    const hs_options *o = e->j.o;
    char b[4][8];
    hs_month_format(e->per[0][0], b[0]);
    hs_month_format(e->per[0][1], b[1]);
    hs_month_format(e->per[1][0], b[2]);
    hs_month_format(e->per[1][1], b[3]);
    char before[24], after[24], buf[64], cbuf[64];
    snprintf(before, sizeof before, "%s to %s", b[0], b[1]);
    snprintf(after, sizeof after, "%s to %s", b[2], b[3]);
    snprintf(buf, sizeof buf, "%g", e->buffer);
    snprintf(cbuf, sizeof cbuf, "%g", e->control_buffer);
    char abuf[32];
    snprintf(abuf, sizeof abuf, "%g", e->alpha);
    const char *rows[][3] = {
        {"software", "hotspot", hs_version()},
        {"parameter", "target", o->target},
        {"parameter", "target_from", o->target_from ? o->target_from : "none"},
        {"parameter", "buffer_m", buf},
        {"parameter", "control", o->control ? o->control
                                            : "the study area outside target and buffer"},
        {"parameter", "control_buffer_m", e->control_buffer > 0 ? cbuf : "none"},
        {"parameter", "before", before},
        {"parameter", "after", after},
        {"parameter", "crs", e->j.crs},
        {"parameter", "when", e->j.when.n ? e->j.when.text : "all hours"},
        {"parameter", "alpha", abuf},
        {"method", "zones", "buffer: the ring of the given width round the "
         "target (GEOS buffer, round joins); a point on an edge counts in the "
         "first of target, buffer, control, control buffer"}};
    for (size_t k = 0; k < sizeof rows / sizeof *rows && !rc; k++) {
        hs_value v[] = {txt(rows[k][0]), txt(rows[k][1]), txt(rows[k][2])};
        rc = hs_dest_layer_add(lr, 0, 0, NULL, 0, v, err);
    }
    e->j.out = gp;
    e->j.evaluation = 1;
    hs_regions_extent(e->zones, e->j.extent);
    if (rc || (rc = hs_styles_write(&e->j, err)) || (rc = hs_dest_commit(gp, err)) ||
        (rc = hs_project_write_qgz(&e->j, path, err)))
        goto fail;
    hs_dest_destroy(gp);
    e->j.out = NULL;
    return HS_OK;
fail:
    hs_dest_destroy(gp);
    e->j.out = NULL;
    return rc ? rc : err ? err->code : HS_ERR_IO;
}

hs_status hs_evaluate(const hs_options *o, const hs_log *log,
                      hs_eval_summary *sum, hs_error *err)
{
    eval e = {.j = {.o = o, .log = log}};
    hs_status rc;
    char cats_path[4096];
    job *j = &e.j;
    if (sum)
        memset(sum, 0, sizeof *sum);
    hs_gdal_init();
    j->crs = hs_or_default(o->crs, "EPSG:27700");
    snprintf(cats_path, sizeof cats_path, "%s/categories.csv", hs_data_dir());
    if ((rc = period(o->before, "--before", -1, NULL, NULL, err)) ||
        (rc = period(o->after, "--after", -1, NULL, NULL, err)) ||
        (rc = number(o->buffer, "250", "--buffer", 1e-9, &e.buffer, err)) ||
        (rc = number(o->control_buffer, "0", "--control-buffer", 0,
                     &e.control_buffer, err)))
        goto cleanup;
    char *end;
    e.alpha = strtod(hs_or_default(o->alpha, "0.1"), &end);
    if (*end || !(e.alpha > 0 && e.alpha < 1)) {
        rc = hs_fail(err, HS_ERR_ARG, "--alpha '%s': give a number between 0 "
                     "and 1 (0.1: a 90%% interval)", o->alpha);
        goto cleanup;
    }
    if (!(j->cats = hs_categories_load(hs_or_default(o->categories, cats_path), err))) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    if ((rc = hs_job_parse_groups(j, err)) ||
        (o->when && (rc = hs_when_parse(o->when, &j->when, err))))
        goto cleanup;
    /* progress (core/ticker.h); weights: roughly the stages' shares of the
     * time on the demo data */
    if ((j->ticker = hs_ticker_create(log))) {
        j->tk.areas = hs_ticker_stage(j->ticker, "areas", 2, 1);
        j->tk.incidents = hs_ticker_stage(j->ticker, "incidents", 5, 0);
        j->tk.zones = hs_ticker_stage(j->ticker, "zones", 1, 1);
        j->tk.counting = hs_ticker_stage(j->ticker, "counting", 1, 1);
        j->tk.writing = hs_ticker_stage(j->ticker, "writing", 2, 1);
    }
    hs_tick_start(j->tk.areas);
    if ((o->areas && (rc = hs_job_read_areas(j, err))) ||
        (rc = target_polygons(&e, err)) || (rc = control_polygons(&e, err)))
        goto cleanup;
    hs_tick_end(j->tk.areas);
    if ((rc = hs_job_read_incidents(j, err)))
        goto cleanup;
    hs_tick_end(j->tk.incidents);
    /* the periods must lie in the data: a month with no data reads as 0 */
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < j->inc->n; i++) {
        lo = j->inc->month[i] < lo ? j->inc->month[i] : lo;
        hi = j->inc->month[i] > hi ? j->inc->month[i] : hi;
    }
    if ((rc = period(o->before, "--before", hi, &e.per[0][0], &e.per[0][1], err)) ||
        (rc = period(o->after, "--after", hi, &e.per[1][0], &e.per[1][1], err)))
        goto cleanup;
    if (e.per[1][0] <= e.per[0][1] && e.per[0][0] <= e.per[1][1]) {
        rc = hs_fail(err, HS_ERR_ARG, "--before '%s' and --after '%s' overlap: "
                     "a month cannot be both before and after", o->before, o->after);
        goto cleanup;
    }
    for (int p = 0; p < 2; p++)
        if (e.per[p][0] < lo || e.per[p][1] > hi) {
            char a[8], b2[8];
            hs_month_format(lo, a);
            hs_month_format(hi, b2);
            rc = hs_fail(err, HS_ERR_DATA, "%s '%s' lies outside the data (%s "
                         "to %s): its missing months would count as none",
                         p ? "--after" : "--before", p ? o->after : o->before, a, b2);
            goto cleanup;
        }
    hs_tick_start(j->tk.zones);
    if (!(e.zones = hs_regions_create((const unsigned char *const *)e.tw, e.tl,
                                      e.nt, e.buffer,
                                      (const unsigned char *const *)e.cw, e.cl,
                                      e.nc, e.control_is_rest, e.control_buffer,
                                      err))) {
        rc = err ? err->code : HS_ERR_GEOM;
        goto cleanup;
    }
    hs_tick_end(j->tk.zones);
    const char *out = hs_or_default(o->output, "evaluation.gpkg");
    hs_tick_start(j->tk.counting);
    if ((rc = count(&e, err)) || (rc = statistics(&e, err)))
        goto cleanup;
    warn_empty(&e);
    hs_tick_end(j->tk.counting);
    hs_tick_start(j->tk.writing);
    if ((rc = write_output(&e, out, err)))
        goto cleanup;
    hs_ticker_finish(j->ticker);
    if (sum) {
        /* a database: named without its password, with the schema */
        hs_pg_label(out, sum->output, sizeof sum->output);
        if (hs_pg_is_source(out)) {
            size_t l = strlen(sum->output);
            snprintf(sum->output + l, sizeof sum->output - l, " schema %s",
                     hs_or_default(o->schema, ""));
        }
        char a[8], b2[8];
        for (int p = 0; p < 2; p++) {
            hs_month_format(e.per[p][0], a);
            hs_month_format(e.per[p][1], b2);
            snprintf(p ? sum->after : sum->before, sizeof sum->before, "%s to %s", a, b2);
        }
        for (int z = 0; z < HS_NZONES; z++)
            sum->km2[z] = hs_regions_km2(e.zones, (hs_zone)z);
        sum->ngroups = j->ngroups;
        for (size_t g = 0; g < j->ngroups; g++) {
            snprintf(sum->group[g].name, sizeof sum->group[g].name, "%s",
                     hs_categories_group_name(j->cats, j->groups[g]));
            for (int z = 0; z < HS_NZONES; z++)
                for (int p = 0; p < 2; p++)
                    sum->group[g].count[z][p] = cnt(&e, g, z, p);
            sum->group[g].wdd = e.wdd[g].total;
            sum->group[g].wdd_low = e.wdd[g].low;
            sum->group[g].wdd_high = e.wdd[g].high;
            sum->group[g].wdd_z = e.wdd[g].z;
            sum->group[g].wdq = e.wdq[g].wdq;
            sum->group[g].rate_ratio = e.rr[g].ratio;
            sum->group[g].rate_ratio_p = e.rr[g].p;
            snprintf(sum->group[g].wdq_reading, sizeof sum->group[g].wdq_reading,
                     "%s", e.wdq[g].reading);
        }
        sum->alpha = e.alpha;
    }
cleanup:
    hs_ticker_destroy(j->ticker);
    hs_regions_destroy(e.zones);
    if (e.tw_areas) {
        free(e.tw);
        free(e.tl);
    } else {
        hs_polygons_free(e.tw, e.tl, e.nt);
    }
    if (e.cw_areas) {
        free(e.cw);
        free(e.cl);
    } else {
        hs_polygons_free(e.cw, e.cl, e.nc);
    }
    free(e.count);
    free(e.monthly);
    free(e.wdd);
    free(e.wdq);
    free(e.rr);
    hs_ingest_destroy(j->ing);
    hs_incidents_destroy(j->inc);
    free(j->when_inside);
    hs_areas_destroy(j->areas);
    hs_categories_destroy(j->cats);
    hs_paths_free(j->files);
    return rc;
}
