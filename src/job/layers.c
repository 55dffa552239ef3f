/* layers.c - writes the layers of a run's GeoPackage (see job.h and the
 * README's "Output" section for every layer and field). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdal.h>
#include <geos_c.h>
#include <proj.h>

#include "analysis/lineage.h"
#include "analysis/timeofweek.h"
#include "geography/overlap.h"
#include "input/pgsource.h"
#include "job/job.h"

/* Above this many points the incidents layer gets no R-tree: GDAL 3.6
 * builds it row by row at about 10 s per million (see output.h). */
#define HS_INDEX_LIMIT 250000
#define HS_GI_INDEX_LIMIT 100000 /* Gi* cells: 1.6 s of R-tree */



static hs_value txt(const char *s) { return (hs_value){.is_null = !s, .s = s}; }
static hs_value num(double d) { return (hs_value){.is_null = isnan(d), .d = d}; }
static hs_value int_(int64_t i) { return (hs_value){.i = i}; }

/* Counts of incidents are whole numbers, or sums of --when shares
 * (when.h) when incidents have windows: real fields then, integer fields
 * otherwise, so a run without windows keeps its integer columns. */
static hs_field_type count_type(const job *j)
{
    return j->inc->share ? HS_FIELD_REAL : HS_FIELD_INT;
}

static hs_value count_value(const job *j, double v)
{
    return j->inc->share ? num(v) : int_((int64_t)llround(v));
}

static hs_status run_row(job *j, const char *section, const char *key,
                         const char *value, hs_error *err)
{
    hs_value v[3] = {txt(section), txt(key), txt(value)};
    return hs_dest_layer_add(j->run, 0, 0, NULL, 0, v, err);
}

static hs_status run_num(job *j, const char *section, const char *key,
                         long value, hs_error *err)
{
    char b[32];
    snprintf(b, sizeof b, "%ld", value);
    return run_row(j, section, key, b, err);
}

static hs_status write_areas(job *j, hs_error *err)
{
    static const hs_field f[] = {{"area_id", HS_FIELD_TEXT},
                                 {"area_name", HS_FIELD_TEXT},
                                 {"population", HS_FIELD_REAL},
                                 {"area_km2", HS_FIELD_REAL}};
    hs_dest_layer *l = hs_dest_add_layer(j->out, "areas", "Study areas with "
                                    "resident population and area (km2)",
                                    HS_GEOM_MULTIPOLYGON, j->crs, f, 4, err);
    if (!l)
        return err ? err->code : HS_ERR_IO;
    for (size_t i = 0; i < hs_areas_count(j->areas); i++) {
        size_t len;
        const unsigned char *wkb = hs_areas_wkb(j->areas, i, &len);
        hs_value v[] = {txt(hs_areas_id(j->areas, i)),
                        txt(hs_areas_name(j->areas, i)),
                        num(hs_areas_population(j->areas, i)),
                        num(hs_areas_km2(j->areas, i))};
        hs_status rc = hs_dest_layer_add(l, 0, 0, wkb, len, v, err);
        if (rc)
            return rc;
    }
    return HS_OK;
}

/* "criminal-damage" -> "rates_criminal_damage" */
void hs_layer_name(char *buf, size_t n, const char *prefix, const char *g)
{
    snprintf(buf, n, "%s%s", prefix, g);
    for (char *c = buf; *c; c++)
        if (*c == '-' || *c == ' ')
            *c = '_';
}

/* Whether --public suppressed any area's count of group g. */
static int any_suppressed(const job *j, size_t g)
{
    for (size_t a = 0; a < j->rates->nareas; a++)
        if (hs_privacy_cur(j->priv, g, a))
            return 1;
    return 0;
}

static hs_status write_rates(job *j, hs_error *err)
{
    static const hs_field f[] = {
        {"area_id", HS_FIELD_TEXT},      {"area_name", HS_FIELD_TEXT},
        {"population", HS_FIELD_REAL},   {"area_km2", HS_FIELD_REAL},
        {"count", HS_FIELD_INT},         {"count_per_km2", HS_FIELD_REAL},
        {"rate", HS_FIELD_REAL},         {"rate_low", HS_FIELD_REAL},
        {"rate_high", HS_FIELD_REAL},    {"rate_annual", HS_FIELD_REAL},
        {"study_rate", HS_FIELD_REAL},   {"vs_study", HS_FIELD_TEXT},
        {"prev_count", HS_FIELD_INT},    {"change", HS_FIELD_INT},
        {"change_pct", HS_FIELD_REAL},   {"change_p", HS_FIELD_REAL},
        {"change_flag", HS_FIELD_TEXT},  {"rate_eb", HS_FIELD_REAL}};
    const size_t nf = sizeof f / sizeof *f;
    hs_field fc[sizeof f / sizeof *f];
    memcpy(fc, f, sizeof fc);
    fc[4].type = fc[12].type = fc[13].type = count_type(j);
    const hs_rates *R = j->rates;
    for (size_t g = 0; g < R->ngroups; g++) {
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        char name[96], desc[256], per[32];
        hs_layer_name(name, sizeof name, "rates_", gname);
        hs_period_text(j->agg.cur, per, sizeof per);
        snprintf(desc, sizeof desc, "%s per 1,000 residents, %s, with 95%% "
                 "intervals and change", gname, per);
        hs_dest_layer *l = hs_dest_add_layer(j->out, name, desc,
                                        HS_GEOM_MULTIPOLYGON, j->crs, fc, nf, err);
        if (!l)
            return err ? err->code : HS_ERR_IO;
        for (size_t a = 0; a < R->nareas; a++) {
            const hs_rate *r = &R->r[g * R->nareas + a];
            size_t len;
            const unsigned char *wkb = hs_areas_wkb(j->areas, a, &len);
            int cmp = r->prev_count >= 0;
            double km2 = hs_areas_km2(j->areas, a);
            hs_value v[] = {
                txt(hs_areas_id(j->areas, a)), txt(hs_areas_name(j->areas, a)),
                num(r->population), num(km2), count_value(j, r->count),
                num(km2 > 0 ? r->count / km2 : NAN), num(r->rate),
                num(r->rate_low), num(r->rate_high), num(r->rate_annual),
                num(R->study_rate[g]), txt(hs_rate_vs_text(r)),
                cmp ? count_value(j, r->prev_count) : (hs_value){.is_null = 1},
                cmp ? count_value(j, r->change) : (hs_value){.is_null = 1},
                num(r->change_pct), num(r->change_p),
                txt(hs_rate_change_flag(r)), num(r->rate_eb)};
            /* --public: NULL the suppressed counts and all they give */
            const hs_value nul = {.is_null = 1};
            int sc = hs_privacy_cur(j->priv, g, a);
            /* rate_eb's s² holds every count of the group: with any of
             * them suppressed, none is published */
            if (j->priv && any_suppressed(j, g))
                v[17] = nul;
            int sp = cmp && hs_privacy_prev(j->priv, g, a);
            if (sc)
                for (int k = 4; k <= 9; k++)
                    v[k] = nul;
            if (sc)
                v[11] = txt("suppressed");
            if (j->priv && j->priv->study_sup[g])
                v[10] = nul;
            if (sp)
                v[12] = nul;
            if (sc || sp) {
                v[13] = v[14] = v[15] = nul;
                v[16] = txt("suppressed");
            }
            hs_status rc = hs_dest_layer_add(l, 0, 0, wkb, len, v, err);
            if (rc)
                return rc;
        }
    }
    return HS_OK;
}

/* --public: marks the months of each area, group and period (their sum
 * is the area's count, so each period is a set of its own). */
static void public_months(job *j, const double *n, unsigned char *sup,
                          int32_t lo, size_t nm)
{
    size_t na = hs_areas_count(j->areas), ng = j->ngroups;
    for (int per = 0; per < 1 + j->agg.has_prev; per++) {
        hs_period p = per ? j->agg.prev : j->agg.cur;
        size_t k0 = (size_t)(p.from - lo), len = (size_t)(p.to - p.from + 1);
        for (size_t a = 0; a < na; a++)
            for (size_t g = 0; g < ng; g++) {
                size_t at = (a * ng + g) * nm + k0;
                int area_sup = per ? hs_privacy_prev(j->priv, g, a)
                                   : hs_privacy_cur(j->priv, g, a);
                hs_privacy_months(j->priv, g, area_sup, n + at, len, sup + at);
            }
    }
}

/* monthly: incidents per area, group and month over the analysis and
 * comparison periods, zeros included, so a trend chart needs no gaps
 * filled.  Counted as the rates are: assigned to an area, in a group. */
/* timeofweek: each area's incidents by hour of the week, per group, in
 * the analysis period (timeofweek.h); hours with none are left out.  Not
 * written without times (police.uk), nor with --public (an area's hour
 * holds a handful: too fine to release). */
static hs_status write_timeofweek(job *j, hs_error *err)
{
    static const hs_field f[] = {{"area_id", HS_FIELD_TEXT},
                                 {"crime_group", HS_FIELD_TEXT},
                                 {"day", HS_FIELD_INT},
                                 {"hour", HS_FIELD_INT},
                                 {"weight", HS_FIELD_REAL}};
    size_t na = hs_areas_count(j->areas), ng = j->ngroups;
    double *w = malloc((na * ng * HS_TOW_SLOTS + 1) * sizeof *w);
    long timed, untimed;
    hs_status rc;
    if (!w)
        return hs_fail(err, HS_ERR_NOMEM, "time of week: out of memory");
    if ((rc = hs_timeofweek(j->inc, j->groups, ng, na, j->agg.cur.from,
                            j->agg.cur.to, j->when_inside, w, &timed,
                            &untimed, err)))
        goto cleanup;
    if ((rc = run_num(j, "count", "timeofweek_timed", timed, err)) ||
        (rc = run_num(j, "count", "timeofweek_untimed", untimed, err)))
        goto cleanup;
    if (timed == 0 || j->priv) {
        hs_note(j->log, "no timeofweek table: %s", j->priv ? "--public" :
                "the incidents have no times (police.uk gives months only)");
        goto cleanup;
    }
    if (untimed)
        hs_warn(j->log, "timeofweek: %ld incident(s) in the period without a "
                "time are not in it", untimed);
    hs_dest_layer *l = hs_dest_add_layer(j->out, "timeofweek", "Incidents per "
                                    "area, group, weekday (1 = Monday) and "
                                    "hour, analysis period", HS_GEOM_NONE,
                                    NULL, f, 5, err);
    if (!l) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    j->has_tow = 1;
    for (size_t a = 0; a < na && !rc; a++)
        for (size_t g = 0; g < ng && !rc; g++)
            for (int k = 0; k < HS_TOW_SLOTS && !rc; k++) {
                double v = w[(a * ng + g) * HS_TOW_SLOTS + (size_t)k];
                if (v == 0)
                    continue;
                hs_value row[] = {
                    txt(hs_areas_id(j->areas, a)),
                    txt(hs_categories_group_name(j->cats, j->groups[g])),
                    int_(k / 24 + 1), int_(k % 24), num(v)};
                rc = hs_dest_layer_add(l, 0, 0, NULL, 0, row, err);
            }
cleanup:
    free(w);
    return rc;
}

static hs_status write_monthly(job *j, hs_error *err)
{
    static const hs_field f[] = {{"area_id", HS_FIELD_TEXT},
                                 {"crime_group", HS_FIELD_TEXT},
                                 {"month", HS_FIELD_TEXT},
                                 {"count", HS_FIELD_INT}};
    hs_field fm[4];
    memcpy(fm, f, sizeof fm);
    fm[3].type = count_type(j);
    const hs_incidents *s = j->inc;
    const hs_period cur = j->agg.cur, prev = j->agg.prev;
    const int has_prev = j->agg.has_prev;
    /* months in order: the comparison period (if any) comes first */
    int32_t lo = has_prev && prev.from < cur.from ? prev.from : cur.from;
    int32_t hi = has_prev && prev.to > cur.to ? prev.to : cur.to;
    size_t nm = (size_t)(hi - lo + 1), na = hs_areas_count(j->areas);
    size_t ng = j->ngroups;
    double *n = calloc(na * ng * nm + 1, sizeof *n);
    unsigned char *sup = calloc(na * ng * nm + 1, 1); /* --public marks */
    hs_status rc = HS_OK;
    if (!n || !sup)
        return hs_fail(err, HS_ERR_NOMEM, "monthly counts: out of memory");
    hs_dest_layer *l = hs_dest_add_layer(j->out, "monthly", "Incidents per area, "
                                    "group and month, analysis and comparison "
                                    "periods (zeros included)", HS_GEOM_NONE,
                                    NULL, fm, 4, err);
    if (!l) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    for (size_t i = 0; i < s->n; i++) {
        int32_t m = s->month[i];
        if (s->area[i] < 0 || s->group[i] < 0 || m < lo || m > hi)
            continue;
        for (size_t g = 0; g < ng; g++)
            if (j->groups[g] == s->group[i])
                n[((size_t)s->area[i] * ng + g) * nm + (size_t)(m - lo)] +=
                    s->share ? s->share[i] : 1; /* --when (when.h) */
    }
    if (j->priv)
        public_months(j, n, sup, lo, nm);
    for (size_t a = 0; a < na && !rc; a++)
        for (size_t g = 0; g < ng && !rc; g++)
            for (size_t k = 0; k < nm && !rc; k++) {
                int32_t m = lo + (int32_t)k;
                /* previous-period / previous-year never leave a gap, but
                 * skip months in neither period all the same */
                if (!(m >= cur.from && m <= cur.to) &&
                    !(has_prev && m >= prev.from && m <= prev.to))
                    continue;
                char month[8];
                hs_month_format(m, month);
                hs_value v[] = {
                    txt(hs_areas_id(j->areas, a)),
                    txt(hs_categories_group_name(j->cats, j->groups[g])),
                    txt(month), count_value(j, n[(a * ng + g) * nm + k])};
                if (sup[(a * ng + g) * nm + k])
                    v[3] = (hs_value){.is_null = 1};
                rc = hs_dest_layer_add(l, 0, 0, NULL, 0, v, err);
            }
cleanup:
    free(n);
    free(sup);
    return rc;
}

hs_status hs_job_write_points(job *j, hs_error *err)
{
    if (!j->write_points)
        return HS_OK;
    static const hs_field f[] = {
        {"crime_group", HS_FIELD_TEXT},         {"crime_type", HS_FIELD_TEXT},
        {"month", HS_FIELD_TEXT},       {"date", HS_FIELD_TEXT},
        {"time", HS_FIELD_TEXT},        {"period", HS_FIELD_TEXT},
        {"area_id", HS_FIELD_TEXT},     {"location", HS_FIELD_TEXT},
        {"source_file", HS_FIELD_TEXT}, {"source_row", HS_FIELD_INT64}};
    const hs_incidents *s = j->inc;
    size_t located = 0;
    for (size_t i = 0; i < s->n; i++)
        located += !isnan(s->x[i]);
    if (located > HS_INDEX_LIMIT) {
        hs_dest_set_spatial_index(j->out, 0);
        hs_warn(j->log, "incidents layer: %zu points, written without a "
                "spatial index to save time (QGIS: Layer Properties > Source "
                "> Create Spatial Index)", located);
    }
    hs_dest_layer *l = hs_dest_add_layer(j->out, "incidents", "Incidents with a "
                                    "location, in the analysis CRS",
                                    HS_GEOM_POINT, j->crs, f, 10, err);
    hs_dest_set_spatial_index(j->out, 1);
    if (!l)
        return err ? err->code : HS_ERR_IO;
    for (size_t i = 0; i < s->n; i++) {
        if (isnan(s->x[i]))
            continue;
        char month[8], date[11] = "", tm[6] = "";
        hs_month_format(s->month[i], month);
        if (s->day[i] > 0 && s->day[i] <= 31) { /* YYYY-MM-DD, by hand */
            memcpy(date, month, 7);
            date[7] = '-';
            date[8] = (char)('0' + s->day[i] / 10);
            date[9] = (char)('0' + s->day[i] % 10);
            date[10] = '\0';
        }
        if (s->minute[i] >= 0 && s->minute[i] < 1440) { /* HH:MM */
            int h = s->minute[i] / 60, mi = s->minute[i] % 60;
            tm[0] = (char)('0' + h / 10);
            tm[1] = (char)('0' + h % 10);
            tm[2] = ':';
            tm[3] = (char)('0' + mi / 10);
            tm[4] = (char)('0' + mi % 10);
            tm[5] = '\0';
        }
        int32_t m = s->month[i];
        const char *per =
            m >= j->agg.cur.from && m <= j->agg.cur.to ? "current"
            : j->agg.has_prev && m >= j->agg.prev.from && m <= j->agg.prev.to
                ? "comparison"
                : "outside";
        hs_value v[] = {
            txt(s->group[i] >= 0 ? hs_categories_group_name(j->cats, s->group[i]) : NULL),
            txt(hs_pool_str(s->types, s->type[i])),
            txt(month), txt(*date ? date : NULL), txt(*tm ? tm : NULL),
            txt(per),
            txt(s->area[i] >= 0 ? hs_areas_id(j->areas, (size_t)s->area[i]) : NULL),
            txt(s->location[i] >= 0 ? hs_pool_str(s->locations, s->location[i]) : NULL),
            txt(hs_pool_str(s->files, s->file[i])), int_(s->row[i])};
        hs_status rc = hs_dest_layer_add(l, s->x[i], s->y[i], NULL, 0, v, err);
        if (rc)
            return rc;
    }
    return hs_dest_checkpoint(j->out, err); /* 100 MB at 1M: to disk now */
}

/* "2024-01" into a buffer of 8 */
static const char *month_text(int32_t m, char buf[8])
{
    hs_month_format(m, buf);
    return buf;
}

/* Peak of tow (a hotspot's or place's hours of the week) as two values:
 * "Sat 22:00-02:00" into buf and the share in %; NULLs when it has no
 * timed incidents (police.uk) or, for the share, under --public. */
static void peak_values(const job *j, const double *tow, char *buf, size_t n,
                        hs_value *text, hs_value *share)
{
    int start;
    double sh;
    *text = *share = (hs_value){.is_null = 1};
    if (!tow || hs_tow_peak(tow, j->peak_hours, &start, &sh) != 0)
        return;
    hs_tow_peak_text(start, j->peak_hours, buf, n);
    *text = txt(buf);
    if (!j->priv)
        *share = num(100.0 * sh);
}

/* One group's series by hotspot and by tasking place (timeofweek.h):
 * *tow_h, *mon_h per hotspot, *tow_t per place (malloc'd, the caller
 * frees: on failure too); months [m0, m0 + nm). */
static hs_status group_series(job *j, size_t g, int32_t m0, size_t nm,
                              double **tow_h, double **mon_h, double **tow_t,
                              long *timed, hs_error *err)
{
    const hs_surface *sf = &j->surf[g];
    const hs_kde_grid *kg = &sf->grid;
    hs_grid_geom gg = {kg->x0, kg->y0, kg->cell, kg->cols, kg->rows};
    size_t nh = sf->hot->n, nt = sf->ntasks, ncell = kg->cols * kg->rows;
    int32_t *task_cell = calloc(ncell, sizeof *task_cell);
    long untimed, t_timed;
    hs_status rc = HS_ERR_NOMEM;
    *tow_h = malloc((nh * HS_TOW_SLOTS + 1) * sizeof **tow_h);
    *mon_h = malloc((nh * nm + 1) * sizeof **mon_h);
    *tow_t = malloc((nt * HS_TOW_SLOTS + 1) * sizeof **tow_t);
    if (!task_cell || !*tow_h || !*mon_h || !*tow_t) {
        hs_fail(err, rc, "hotspot series: out of memory");
        goto cleanup;
    }
    for (size_t t = 0; t < nt; t++)
        for (size_t q = 0; q < sf->tasks[t].ncells; q++)
            task_cell[sf->tasks[t].cells[q]] = (int32_t)(t + 1);
    /* no hot cell: no spot map, and no hotspots (nh = 0) to fill */
    if (!(rc = hs_cell_series(j->inc, j->groups[g], &gg,
                              sf->hot->spot ? sf->hot->spot : task_cell, nh,
                              j->agg.cur.from, j->agg.cur.to, m0, nm,
                              j->when_inside, *tow_h, *mon_h, timed, &untimed,
                              err)))
        rc = hs_cell_series(j->inc, j->groups[g], &gg, task_cell, nt,
                            j->agg.cur.from, j->agg.cur.to, m0, 0,
                            j->when_inside, *tow_t, NULL, &t_timed, &untimed,
                            err);
cleanup:
    free(task_cell);
    return rc;
}

hs_status hs_job_series(job *j, hs_error *err)
{
    const hs_incidents *s = j->inc;
    /* the monthly series run over the data's months */
    int32_t m0 = INT32_MAX, m1 = INT32_MIN;
    for (size_t i = 0; i < s->n; i++) {
        m0 = s->month[i] < m0 ? s->month[i] : m0;
        m1 = s->month[i] > m1 ? s->month[i] : m1;
    }
    j->m0 = m0;
    j->nm = s->n ? (size_t)(m1 - m0 + 1) : 0;
    for (size_t g = 0; g < j->ngroups; g++) {
        hs_status rc;
        if (j->has_surf[g] &&
            (rc = group_series(j, g, j->m0, j->nm, &j->tow_h[g], &j->mon_h[g],
                               &j->tow_t[g], &j->timed[g], err)))
            return rc;
    }
    return HS_OK;
}

/* hotspot_timeofweek and hotspot_monthly (timeofweek.h): not with
 * --public (a hotspot's hour or month holds a handful). */
static hs_status hotspot_tables(job *j, hs_dest_layer **tow, hs_dest_layer **mon,
                                hs_error *err)
{
    static const hs_field tf[] = {{"hotspot_id", HS_FIELD_TEXT},
                                  {"day", HS_FIELD_INT},
                                  {"hour", HS_FIELD_INT},
                                  {"weight", HS_FIELD_REAL}};
    static const hs_field mf[] = {{"hotspot_id", HS_FIELD_TEXT},
                                  {"month", HS_FIELD_TEXT},
                                  {"incidents", HS_FIELD_REAL}};
    *tow = *mon = NULL;
    if (j->priv)
        return HS_OK;
    j->has_hot_tow = j->has_tow;
    j->has_hot_monthly = 1;
    if (j->has_tow &&
        !(*tow = hs_dest_add_layer(j->out, "hotspot_timeofweek", "Each "
                                   "hotspot's incidents by weekday (1 = "
                                   "Monday) and hour, analysis period",
                                   HS_GEOM_NONE, NULL, tf, 4, err)))
        return err ? err->code : HS_ERR_IO;
    if (!(*mon = hs_dest_add_layer(j->out, "hotspot_monthly", "Each "
                                   "hotspot's incidents per month over the "
                                   "data (zeros included)", HS_GEOM_NONE,
                                   NULL, mf, 3, err)))
        return err ? err->code : HS_ERR_IO;
    return HS_OK;
}

/* hotspots_ceased_<group>: the previous run's hotspots that ceased. */
static hs_status write_ceased(job *j, size_t g, const hs_lineage *lin,
                              hs_error *err)
{
    const hs_previous *pv = j->prev[g];
    /* the old run's counts: real when either run counted shares */
    int real = pv->real_incidents || j->inc->share;
    const hs_field f[] = {{"hotspot_id", HS_FIELD_TEXT},
                          {"first_seen", HS_FIELD_TEXT},
                          {"last_seen", HS_FIELD_TEXT},
                          {"months_seen", HS_FIELD_INT},
                          {"incidents", real ? HS_FIELD_REAL : HS_FIELD_INT}};
    const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
    char name[96], desc[256], a[8], b[8];
    hs_layer_name(name, sizeof name, "hotspots_ceased_", gname);
    snprintf(desc, sizeof desc, "%s hotspots of the previous run that no "
             "hotspot of this run continues", gname);
    hs_dest_layer *l = hs_dest_add_layer(j->out, name, desc, HS_GEOM_MULTIPOLYGON,
                                    j->crs, f, 5, err);
    if (!l)
        return err ? err->code : HS_ERR_IO;
    for (size_t k = 0; k < pv->n; k++) {
        const hs_prev_hotspot *o = &pv->v[k];
        hs_value v[] = {txt(o->id), txt(month_text(o->first_seen, a)),
                        txt(month_text(pv->period_end, b)),
                        int_(o->months_seen),
                        real ? num(o->incidents) : int_((int64_t)llround(o->incidents))};
        hs_status rc = lin->ceased[k] ? hs_dest_layer_add(l, 0, 0, o->wkb, o->wkb_len, v, err)
                                      : HS_OK;
        if (rc)
            return rc;
    }
    return HS_OK;
}

/* --previous: group g's hotspots matched to the previous run's by the
 * overlap of their cells (overlap.h, lineage.h): they take the ids they
 * continue (or fresh numbers), j->lin[g] gets their status, and the ones
 * that ceased are written.  Without it the ids stay the ranks. */
static hs_status follow_hotspots(job *j, size_t g, hs_error *err)
{
    hs_hotspots *hot = j->surf[g].hot;
    const hs_previous *pv = j->prev[g];
    size_t n = hot->n, m = pv ? pv->n : 0;
    hs_overlaps ov = {0};
    hs_lineage lin = {0};
    const unsigned char **wa = malloc((n + m + 1) * sizeof *wa);
    size_t *la = malloc((n + m + 1) * sizeof *la);
    hs_lineage_old *old = malloc((m + 1) * sizeof *old);
    hs_status rc = HS_OK;
    j->last_id[g] = (long)n;
    if (!pv)
        goto cleanup;
    if (!wa || !la || !old || !(j->lin[g] = calloc(n + 1, sizeof *j->lin[g]))) {
        rc = hs_fail(err, HS_ERR_NOMEM, "--previous: out of memory");
        goto cleanup;
    }
    for (size_t h = 0; h < n; h++) {
        wa[h] = hot->v[h].wkb;
        la[h] = hot->v[h].wkb_len;
    }
    for (size_t k = 0; k < m; k++) {
        wa[n + k] = pv->v[k].wkb;
        la[n + k] = pv->v[k].wkb_len;
    }
    if ((rc = hs_overlaps_compute(wa, la, n, wa + n, la + n, m, "hotspots",
                                  "--previous hotspots", &ov, err)))
        goto cleanup;
    for (size_t k = 0; k < m; k++)
        old[k] = (hs_lineage_old){.area = ov.area_b[k], .num = pv->v[k].num,
                                  .first_seen = pv->v[k].first_seen,
                                  .months_seen = pv->v[k].months_seen};
    if ((rc = hs_lineage_compute(ov.area_a, n, old, m, ov.v, ov.n, pv->last_id,
                                 j->agg.cur.to, &lin, err)))
        goto cleanup;
    long count[6] = {0}, ceased = 0;
    for (size_t h = 0; h < n; h++) {
        hs_hotspot *hp = &hot->v[h];
        const char *dash = strrchr(hp->id, '-');
        int plen = dash ? (int)(dash - hp->id) : (int)strlen(hp->id);
        char id[sizeof hp->id];
        /* a prefix of at most 12 and a number of at most 10 digits
         * (previous.h's HS_PREV_MAX_ID) fit the 23 characters */
        snprintf(id, sizeof id, "%.*s-%02ld", plen > 12 ? 12 : plen, hp->id,
                 lin.v[h].num);
        memcpy(hp->id, id, sizeof id);
        j->lin[g][h] = (hs_hot_line){hs_lineage_status_name(lin.v[h].status),
                                     lin.v[h].first_seen, lin.v[h].months_seen};
        count[lin.v[h].status]++;
    }
    for (size_t k = 0; k < m; k++)
        ceased += lin.ceased[k];
    j->last_id[g] = lin.last_id;
    char key[96], val[256];
    snprintf(key, sizeof key, "lineage_%s",
             hs_categories_group_name(j->cats, j->groups[g]));
    snprintf(val, sizeof val, "new %ld, persisting %ld, grown %ld, shrunk %ld, "
             "merged %ld, split %ld, ceased %ld",
             count[HS_LIN_NEW], count[HS_LIN_PERSISTING], count[HS_LIN_GROWN],
             count[HS_LIN_SHRUNK], count[HS_LIN_MERGED], count[HS_LIN_SPLIT],
             ceased);
    if ((rc = run_row(j, "count", key, val, err)))
        goto cleanup;
    rc = write_ceased(j, g, &lin, err);
cleanup:
    hs_overlaps_free(&ov);
    hs_lineage_free(&lin);
    free(wa);
    free(la);
    free(old);
    return rc;
}

static hs_status write_hotspots(job *j, hs_error *err)
{
    static const hs_field hf[] = {
        {"hotspot_id", HS_FIELD_TEXT},  {"rank", HS_FIELD_INT},
        {"class", HS_FIELD_INT},        {"incidents", HS_FIELD_INT},
        {"area_km2", HS_FIELD_REAL},    {"share_pct", HS_FIELD_REAL},
        {"pai", HS_FIELD_REAL},         {"area_id", HS_FIELD_TEXT},
        {"area_name", HS_FIELD_TEXT},   {"label", HS_FIELD_TEXT},
        {"peak", HS_FIELD_TEXT},        {"peak_share", HS_FIELD_REAL},
        {"status", HS_FIELD_TEXT},      {"first_seen", HS_FIELD_TEXT},
        {"months_seen", HS_FIELD_INT}};
    static const hs_field tf[] = {
        {"area_id", HS_FIELD_TEXT},        {"area_name", HS_FIELD_TEXT},
        {"priority", HS_FIELD_INT},        {"hotspot_id", HS_FIELD_TEXT},
        {"label", HS_FIELD_TEXT},          {"class", HS_FIELD_INT},
        {"incidents", HS_FIELD_INT},       {"area_km2", HS_FIELD_REAL},
        {"pai", HS_FIELD_REAL},            {"cum_area_pct", HS_FIELD_REAL},
        {"cum_incidents_pct", HS_FIELD_REAL}, {"peak", HS_FIELD_TEXT},
        {"peak_share", HS_FIELD_REAL}};
    hs_field hfc[sizeof hf / sizeof *hf], tfc[sizeof tf / sizeof *tf];
    memcpy(hfc, hf, sizeof hfc);
    memcpy(tfc, tf, sizeof tfc);
    hfc[3].type = tfc[6].type = count_type(j); /* incidents */
    hs_dest_layer *ltow, *lmon;
    hs_status rc = HS_OK;
    long timed_all = 0, surfaced = 0;
    const int32_t m0 = j->m0;
    const size_t nm = j->nm;
    if ((rc = hotspot_tables(j, &ltow, &lmon, err)))
        return rc;
    for (size_t g = 0; g < j->ngroups && !rc; g++) {
        if (!j->has_surf[g])
            continue;
        surfaced++;
        const hs_surface *sf = &j->surf[g];
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        char name[96], desc[256], pk[32], first[8], mon[8];
        if ((rc = follow_hotspots(j, g, err)))
            break;
        snprintf(name, sizeof name, "last_id_%s", gname);
        snprintf(desc, sizeof desc, "%ld", j->last_id[g]);
        if ((rc = run_row(j, "lineage", name, desc, err)))
            break;
        /* hs_job_series's */
        const double *tow_h = j->tow_h[g], *mon_h = j->mon_h[g], *tow_t = j->tow_t[g];
        const long timed = j->timed[g];
        timed_all += timed;
        hs_layer_name(name, sizeof name, "hotspots_", gname);
        snprintf(desc, sizeof desc, "%s hotspots: cells at or above class %d "
                 "of the density surface, ranked by incidents", gname,
                 j->sopt.hot.hot_class);
        hs_dest_layer *l = hs_dest_add_layer(j->out, name, desc,
                                        HS_GEOM_MULTIPOLYGON, j->crs, hfc,
                                        sizeof hfc / sizeof *hfc, err);
        if (!l) {
            rc = err ? err->code : HS_ERR_IO;
            break;
        }
        for (size_t h = 0; h < sf->hot->n && !rc; h++) {
            const hs_hotspot *hp = &sf->hot->v[h];
            const hs_hot_line *lr = j->lin[g] ? &j->lin[g][h] : NULL;
            int ar = hp->area;
            hs_value pv, ps;
            peak_values(j, timed ? tow_h + h * HS_TOW_SLOTS : NULL, pk,
                        sizeof pk, &pv, &ps);
            hs_value v[] = {
                txt(hp->id), int_(hp->rank), int_(hp->cls),
                count_value(j, hp->incidents),
                num(hp->km2), num(100.0 * hp->share), num(hp->pai),
                txt(ar >= 0 ? hs_areas_id(j->areas, (size_t)ar) : NULL),
                txt(ar >= 0 ? hs_areas_name(j->areas, (size_t)ar) : NULL),
                txt(hp->location >= 0 ? hs_pool_str(j->inc->locations, hp->location) : NULL),
                pv, ps, txt(lr ? lr->status : NULL),
                txt(month_text(lr ? lr->first_seen : j->agg.cur.to, first)),
                int_(lr ? lr->months_seen : 1)};
            rc = hs_dest_layer_add(l, 0, 0, hp->wkb, hp->wkb_len, v, err);
        }
        /* a table at a time: switching between a layer with an R-tree and
         * one without hands the file between connections (output.c):
         * 0.17 s at 1M incidents when done for every hotspot, measured */
        for (size_t h = 0; h < sf->hot->n && ltow && timed && !rc; h++)
            for (int k = 0; k < HS_TOW_SLOTS && !rc; k++) {
                double w = tow_h[h * HS_TOW_SLOTS + (size_t)k];
                hs_value r[] = {txt(sf->hot->v[h].id), int_(k / 24 + 1),
                                int_(k % 24), num(w)};
                if (w != 0)
                    rc = hs_dest_layer_add(ltow, 0, 0, NULL, 0, r, err);
            }
        for (size_t h = 0; h < sf->hot->n && lmon && !rc; h++)
            for (size_t m = 0; m < nm && !rc; m++) {
                hs_value r[] = {txt(sf->hot->v[h].id),
                                txt(month_text(m0 + (int32_t)m, mon)),
                                num(mon_h[h * nm + m])};
                rc = hs_dest_layer_add(lmon, 0, 0, NULL, 0, r, err);
            }
        if (rc)
            break;
        hs_layer_name(name, sizeof name, "tasking_", gname);
        snprintf(desc, sizeof desc, "%s: per area, its densest cells up to "
                 "%.3g%% of it, as patches ranked by incidents", gname,
                 100 * j->sopt.task_share);
        l = hs_dest_add_layer(j->out, name, desc, HS_GEOM_MULTIPOLYGON,
                              j->crs, tfc, sizeof tfc / sizeof *tfc, err);
        if (!l) {
            rc = err ? err->code : HS_ERR_IO;
            break;
        }
        for (size_t t = 0; t < sf->ntasks && !rc; t++) {
            const hs_task *tk = &sf->tasks[t];
            const hs_hotspot *hp = tk->hotspot >= 0 ? &sf->hot->v[tk->hotspot] : NULL;
            hs_value pv, ps;
            peak_values(j, timed ? tow_t + t * HS_TOW_SLOTS : NULL, pk,
                        sizeof pk, &pv, &ps);
            hs_value v[] = {
                txt(hs_areas_id(j->areas, (size_t)tk->area)),
                txt(hs_areas_name(j->areas, (size_t)tk->area)),
                int_(tk->order), txt(hp ? hp->id : NULL),
                txt(tk->location >= 0 ? hs_pool_str(j->inc->locations, tk->location) : NULL),
                int_(tk->cls), count_value(j, tk->incidents), num(tk->km2),
                num(tk->pai),
                num(100.0 * tk->cum_km2_share), num(100.0 * tk->cum_incident_share),
                pv, ps};
            if (hs_privacy_cur(j->priv, g, (size_t)tk->area))
                v[8] = v[10] = v[12] = (hs_value){.is_null = 1}; /* they give the count */
            rc = hs_dest_layer_add(l, 0, 0, tk->wkb, tk->wkb_len, v, err);
        }
    }
    /* no surfaces (--kde no): no hotspots, so nothing to say of their hours */
    if (!rc && j->has_tow && surfaced > 0 && timed_all == 0)
        hs_note(j->log, "no peak hours: the hotspots' incidents have no times");
    return rc;
}


/* backtest_<group>: one row per window and candidate (backtest.h). */
static hs_status write_backtests(job *j, hs_error *err)
{
    static const hs_field f[] = {
        {"test_month", HS_FIELD_TEXT},   {"train_from", HS_FIELD_TEXT},
        {"train_to", HS_FIELD_TEXT},     {"bandwidth", HS_FIELD_REAL},
        {"budget_cells", HS_FIELD_INT},  {"test_incidents", HS_FIELD_INT},
        {"hits", HS_FIELD_INT},          {"hit_rate", HS_FIELD_REAL},
        {"pai", HS_FIELD_REAL},          {"pei", HS_FIELD_REAL},
        {"chosen", HS_FIELD_INT},        {"below_spacing", HS_FIELD_INT}};
    hs_field fc[sizeof f / sizeof *f];
    memcpy(fc, f, sizeof fc);
    fc[5].type = fc[6].type = count_type(j); /* test_incidents, hits */
    for (size_t g = 0; g < j->ngroups; g++) {
        if (!j->has_bt[g])
            continue;
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        char name[96], desc[256], a[8], b[8], c[8];
        hs_layer_name(name, sizeof name, "backtest_", gname);
        snprintf(desc, sizeof desc, "%s: hotspots covering %.3g%% of the study "
                 "area, made from %d months, against the next month's incidents "
                 "(hit rate %%, PAI, PEI), per bandwidth", gname,
                 100 * j->bopt.share, j->bopt.train);
        hs_dest_layer *l = hs_dest_add_layer(j->out, name, desc, HS_GEOM_NONE, NULL,
                                        fc, sizeof fc / sizeof *fc, err);
        if (!l)
            return err ? err->code : HS_ERR_IO;
        for (size_t r = 0; r < j->bt[g].nrows; r++) {
            const hs_backtest_row *w = &j->bt[g].rows[r];
            hs_value v[] = {
                txt(month_text(w->test_month, a)), txt(month_text(w->train_from, b)),
                txt(month_text(w->train_to, c)), num(w->bandwidth),
                int_(w->budget_cells), count_value(j, w->test_incidents),
                count_value(j, w->hits),
                num(w->hit_rate), num(w->pai), num(w->pei), int_(w->chosen),
                int_(w->below_spacing)};
            /* --public: a count under the threshold goes, and with it every
             * figure that would give it back */
            if (j->priv && (w->test_incidents < (double)j->sopt.public_min ||
                            w->hits < (double)j->sopt.public_min))
                for (int k = 5; k <= 9; k++)
                    v[k] = (hs_value){.is_null = 1};
            hs_status rc = hs_dest_layer_add(l, 0, 0, NULL, 0, v, err);
            if (rc)
                return rc;
        }
    }
    return HS_OK;
}

hs_status hs_job_write_raster(job *j, size_t g, hs_error *err)
{
    if (!j->has_surf[g])
        return HS_OK;
    const hs_surface *sf = &j->surf[g];
    const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
    char name[96], desc[256];
    hs_layer_name(name, sizeof name, "kde_", gname);
    snprintf(desc, sizeof desc, "%s density, %s kernel, bandwidth %.0f m, "
             "cell %.0f m, %s", gname, hs_kernel_name(j->sopt.kernel),
             sf->bandwidth, sf->grid.cell,
             j->sopt.per_cell ? "expected incidents per cell"
                              : "incidents per km2");
    hs_raster_spec r = {sf->grid.x0, sf->grid.y0, sf->grid.cell,
                        sf->grid.cols, sf->grid.rows, j->crs, desc,
                        "density",
                        j->sopt.per_cell ? "incidents/cell" : "incidents/km2",
                        HS_NODATA, NULL};
    return hs_dest_add_raster(j->out, name, &r, sf->values, err);
}

static hs_status write_run(job *j, hs_error *err)
{
    static const hs_field f[] = {{"section", HS_FIELD_TEXT},
                                 {"key", HS_FIELD_TEXT},
                                 {"value", HS_FIELD_TEXT}};
    const hs_options *o = j->o;
    const hs_ingest_report *ir = hs_ingest_get_report(j->ing);
    const hs_agg_report *ar = &j->agg_rep;
    char b[768];
    hs_status rc = HS_OK;
    j->run = hs_dest_add_layer(j->out, "run", "How this file was made: "
                               "software, parameters, inputs, counts",
                               HS_GEOM_NONE, NULL, f, 3, err);
    if (!j->run)
        return err ? err->code : HS_ERR_IO;
#define ROW(s, k, v) if ((rc = run_row(j, s, k, v, err))) return rc
#define NUM(s, k, v) if ((rc = run_num(j, s, k, v, err))) return rc
    ROW("software", "hotspot", hs_version());
    ROW("software", "gdal", GDALVersionInfo("RELEASE_NAME"));
    ROW("software", "geos", GEOSversion());
    ROW("software", "proj", proj_info().version);
    hs_period_text(j->agg.cur, b, sizeof b);
    ROW("parameter", "period", b);
    if (o->period) /* the name it was given by (--period) */
        ROW("parameter", "period_name", o->period);
    NUM("parameter", "months", j->agg.cur.to - j->agg.cur.from + 1);
    if (j->agg.has_prev)
        hs_period_text(j->agg.prev, b, sizeof b);
    ROW("parameter", "compare", hs_or_default(o->compare, "previous-year"));
    ROW("parameter", "compare_period", j->agg.has_prev ? b : "none");
    ROW("parameter", "when", j->when.n ? j->when.text : "all hours");
    NUM("parameter", "peak_hours", j->peak_hours);
    ROW("parameter", "previous", hs_or_default(o->previous, "none"));
    ROW("parameter", "targets", hs_or_default(o->targets, "none"));
    if (o->targets)
        ROW("parameter", "rag_amber", hs_or_default(o->rag_amber, "5"));
    ROW("parameter", "priority_areas", hs_or_default(o->priority_areas, "none"));
    ROW("parameter", "priority_field", hs_or_default(o->priority_field, "none"));
    if (o->priority_areas || o->priority_field)
        ROW("method", "priority_gap", "rates over the areas with a population: "
            "priority areas' rate / the rest's, 95% interval as R poisson.test; "
            "the gap's change: (priority now / before) / (rest now / before), "
            "Fisher's exact test; narrowed or widened when p < 0.05 and the "
            "ratio moved towards or away from 1");
    if (o->previous)
        ROW("method", "lineage", "hotspots are matched to the previous run's "
            "when their overlap is at least a quarter of the smaller; the "
            "largest overlaps keep the old ids first, others get new numbers "
            "never used before; status: new (no match), merged (several old), "
            "split (an old matched by several), grown or shrunk (a quarter "
            "larger, a fifth smaller), else persisting; months_seen counts "
            "the runs");
    if (j->when.n) {
        ROW("method", "when", "an incident is inside a window when its weekday "
            "is one of the window's days and its time of day is from the start "
            "to before the end; past midnight, the hours belong to the evening "
            "before (Saturday 02:00 is Friday night); outside ones and those "
            "without a time are left out of every analysis");
        NUM("count", "when_outside", j->when_outside);
        NUM("count", "when_no_time", j->when_no_time);
        if (j->inc->share) {
            ROW("method", "when_shares", "incidents with a window of time "
                "count by the share of its minutes inside (aoristic weight, "
                "Ratcliffe 2002): counts are sums of shares; intervals of "
                "counts with a fraction in them Fay & Feuer (1997) gamma "
                "intervals, the change test on counts rounded to whole "
                "incidents");
            NUM("count", "when_partial", j->when_partial);
            snprintf(b, sizeof b, "%.6f", j->when_shares);
            ROW("count", "when_shares", b);
        }
    }
    ROW("parameter", "groups", hs_or_default(o->groups, "asb,sac,violence"));
    ROW("parameter", "crs", j->crs);
    ROW("parameter", "assign", j->by_lsoa ? "lsoa-code" : "point");
    ROW("parameter", "duplicates", hs_or_default(o->duplicates, "last"));
    ROW("parameter", "id", hs_or_default(o->id, "none"));
    ROW("parameter", "incidents_layer", j->write_points ? "yes" : "no");
    /* a database named without its password (pgsource.h) */
    char lab[1024];
    hs_pg_label(o->areas, lab, sizeof lab);
    ROW("parameter", "areas", lab);
    if (o->areas_layer)
        ROW("parameter", "areas_layer", o->areas_layer);
    if (o->areas_sql)
        ROW("parameter", "areas_sql", o->areas_sql);
    if (o->incidents_sql)
        ROW("parameter", "incidents_sql", o->incidents_sql);
    ROW("parameter", "area_id", o->area_id);
    ROW("parameter", "area_name", hs_or_default(o->area_name, o->area_id));
    hs_pg_label(hs_or_default(o->population, "none"), lab, sizeof lab);
    ROW("parameter", "population", lab);
    ROW("parameter", "population_source",
        !o->population ? "none" : j->pop_kind == HS_POP_TABLE ? "table"
        : j->pop_kind == HS_POP_ZONES ? "zones (best fit by interior point)"
                                      : "field");
    ROW("method", "rate", "count / population x 1,000 for the period; "
        "rate_annual = rate x 12 / months; rate_eb: Marshall (1991) global "
        "empirical Bayes, as spdep EBest");
    ROW("method", "interval", "95%: Byar's method for counts >= 10, exact "
        "Poisson (chi-square) below (PHE Fingertips)");
    ROW("method", "vs_study", "higher/lower when the area's 95% interval lies "
        "wholly above/below the study-area rate, else similar");
    ROW("method", "change_test", "exact conditional (binomial) test of the "
        "two counts, equal exposure, two-sided; flagged at 95% and 99.8%");
    ROW("method", "assign", "point in polygon (boundary included); a point on "
        "a shared boundary goes to the area with the smallest id");
    ROW("method", "duplicates", "files with the same SHA-256 are read once; "
        "a police.uk force-month (Falls within + Month) found in several files "
        "is taken from one (the last in name order, or the first); with --id, "
        "a crime reference on several rows is kept on one row; never by "
        "police.uk Crime ID; keep: nothing removed");
    ROW("method", "sac", "serious acquisitive crime: police.uk Burglary + "
        "Robbery + Vehicle crime, approximating NI 16 (over-counts: includes "
        "business burglary and vehicle interference)");
    ROW("method", "crs_transform", *hs_ingest_transform_desc(j->ing)
        ? hs_ingest_transform_desc(j->ing) : "none (inputs already in CRS)");
    ROW("input", "categories", hs_or_default(o->categories, "(bundled)"));
    size_t ns;
    const hs_ingest_source *src = hs_ingest_sources(j->ing, &ns);
    for (size_t i = 0; i < ns; i++) {
        const hs_ingest_source *s = &src[i];
        int n = snprintf(b, sizeof b, "sha256=%s rows=%ld", s->sha256, s->rows_read);
        if (s->same_as >= 0)
            snprintf(b + n, sizeof b - (size_t)n, " identical to %s: not read",
                     src[s->same_as].path);
        else if (s->duplicates)
            snprintf(b + n, sizeof b - (size_t)n, " duplicates_skipped=%ld",
                     s->duplicates);
        ROW("input", s->path, b);
    }
    NUM("count", "files", ir->files);
    NUM("count", "rows_read", ir->rows_read);
    NUM("count", "rows_kept", ir->rows_kept);
    for (int k = 0; k < HS_SKIP_N; k++) {
        snprintf(b, sizeof b, "skipped: %s", hs_skip_name((hs_skip)k));
        NUM("count", b, ir->skipped[k]);
    }
    NUM("count", "no_location", ir->no_location);
    NUM("count", "unknown_crime_type", ir->unknown_type);
    NUM("count", "text_not_utf8", ir->bad_text);
    NUM("count", "in_period", ar->in_period);
    NUM("count", "in_comparison_period", ar->in_compare);
    NUM("count", "outside_both_periods", ar->outside_period);
    NUM("count", "in_period_no_location", ar->no_location);
    NUM("count", "in_period_outside_areas", ar->outside_areas);
    NUM("count", "in_period_other_groups", ar->other_groups);
    NUM("count", "in_period_assigned", ar->assigned);
    NUM("count", "areas", (long)hs_areas_count(j->areas));
    NUM("count", "area_overlaps", hs_areas_overlaps(j->areas));
    NUM("count", "population_rows", j->pop_rep.rows);
    NUM("count", "population_matched", j->pop_rep.matched);
    NUM("count", "population_unmatched", j->pop_rep.unmatched);
    ROW("parameter", "kde", j->kde ? "yes" : "no");
    if (j->kde) {
        ROW("parameter", "kernel", hs_kernel_name(j->sopt.kernel));
        ROW("parameter", "kde_mask", j->sopt.unmasked ? "no" : "yes");
        ROW("parameter", "kde_units", j->sopt.per_cell ? "expected incidents "
            "per cell" : "incidents per km2");
        ROW("parameter", "hotspot_method", j->sopt.hot.method ==
            HS_THRESH_MEAN_SD ? "mean-sd" : "mean-multiple");
        b[0] = '\0';
        for (int k = 0; k < j->sopt.hot.nk; k++)
            snprintf(b + strlen(b), sizeof b - strlen(b), "%s%g", k ? "," : "",
                     j->sopt.hot.k[k]);
        ROW("parameter", "hotspot_breaks", b);
        snprintf(b, sizeof b, "%d", j->sopt.hot.hot_class);
        ROW("parameter", "hotspot_class", b);
        snprintf(b, sizeof b, "%g", j->sopt.task_share);
        ROW("parameter", "tasking_share", b);
        snprintf(b, sizeof b, "%ld", j->sopt.min_incidents);
        ROW("parameter", "hotspot_min_incidents", b);
        ROW("parameter", "bandwidth_rule", hs_or_default(o->bandwidth, "backtest"));
        snprintf(b, sizeof b, "%d", j->bopt.train);
        ROW("parameter", "backtest_train", b);
        snprintf(b, sizeof b, "%d", j->bopt.windows);
        ROW("parameter", "backtest_windows", b);
        b[0] = '\0';
        for (size_t k = 0; k < j->bopt.nbw; k++)
            snprintf(b + strlen(b), sizeof b - strlen(b), "%s%g", k ? "," : "",
                     j->bopt.bw[k]);
        ROW("parameter", "backtest_bandwidths", j->by_backtest ? b
            : "the bandwidth used");
        snprintf(b, sizeof b, "%zu x %zu cells of %.0f m from (%.0f, %.0f)",
                 j->bt_grid.cols, j->bt_grid.rows, j->bt_grid.cell,
                 j->bt_grid.x0, j->bt_grid.y0);
        ROW("parameter", "backtest_grid", b);
        ROW("method", "backtest", "Chainey, Tompson & Uhlig (2008): for each "
            "of the last windows that fit, the surface of K training months; "
            "the budget is the highest-density unmasked cells (ties by "
            "row-major index), floor(tasking share x unmasked cells); on the "
            "next month's incidents in the study area: hit rate = 100 hits / "
            "N, PAI = (hits/N) / (budget/unmasked), PEI = hits / the most any "
            "budget-sized set of cells holds (Hunt 2016); --bandwidth "
            "backtest takes the highest mean PAI, ties to the larger");
        ROW("method", "tasking", "per area: its cells with density > 0, "
            "density descending (ties by row-major index), floor(tasking share "
            "x the area's unmasked cells) of them, joined by edges into places "
            "(never across areas); places under hotspot_min_incidents are "
            "dropped; priority by incidents");
        ROW("parameter", "kde_edge", j->kde_edge ? "buffer" : "clip");
        ROW("method", "kde_edge", j->kde_edge
            ? "buffer: the bandwidth, class breaks and hotspot counts come from "
              "the incidents in the study area; incidents outside it add density "
              "too (those within the kernel radius of a cell can reach it)"
            : "clip: only incidents in the study area (assigned to an area) make "
              "the surfaces, bandwidths, class breaks and hotspots");
        snprintf(b, sizeof b, "%.1f m (median nearest-neighbour distance of "
                 "%zu distinct locations)", j->spacing, j->distinct);
        ROW("method", "location_spacing", b);
        ROW("method", "kde", "exact kernel sum at each cell centre, double "
            "precision, stored as Float32; grid = areas' extent + kernel "
            "radius, corners on multiples of the cell size");
        ROW("method", "hotspots", "Home Office / Chainey: classes by multiples "
            "of the mean of non-zero cells inside the areas; hotspots are "
            "4-connected cells at or above the hotspot class; PAI = share of "
            "incidents / share of area");
        for (size_t g = 0; g < j->ngroups; g++) {
            const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
            char key[96];
            if (!j->has_surf[g]) {
                snprintf(key, sizeof key, "kde_%s", gname);
                ROW("parameter", key, "not computed (too few incidents)");
                continue;
            }
            const hs_surface *sf = &j->surf[g];
            snprintf(key, sizeof key, "bandwidth_%s", gname);
            snprintf(b, sizeof b, "%.0f m (%s)%s", sf->bandwidth,
                     sf->bandwidth_rule, sf->bandwidth < j->spacing
                     ? "; WARNING: below the spacing of distinct locations" : "");
            ROW("parameter", key, b);
            snprintf(key, sizeof key, "grid_%s", gname);
            snprintf(b, sizeof b, "%zu x %zu cells of %.0f m from (%.0f, %.0f)",
                     sf->grid.cols, sf->grid.rows, sf->grid.cell, sf->grid.x0,
                     sf->grid.y0);
            ROW("parameter", key, b);
            snprintf(key, sizeof key, "hotspot_breaks_%s", gname);
            b[0] = '\0';
            for (int k = 0; k < sf->hot->nbreaks; k++)
                snprintf(b + strlen(b), sizeof b - strlen(b), "%s%.6g",
                         k ? "," : "", sf->hot->breaks[k]);
            snprintf(b + strlen(b), sizeof b - strlen(b), " incidents/km2 "
                     "(mean of non-zero cells %.6g)", sf->hot->mean);
            ROW("parameter", key, b);
            snprintf(key, sizeof key, "surface_sum_%s", gname);
            snprintf(b, sizeof b, "%.1f incidents under the masked surface, "
                     "of %ld with a location", sf->sum, sf->points);
            ROW("count", key, b);
            snprintf(key, sizeof key, "hotspots_under_min_%s", gname);
            NUM("count", key, sf->small);
        }
    }
    if (j->gistar) {
        ROW("method", "gistar", "Getis-Ord Gi* with the cell itself (spdep "
            "localG): binary weights, neighbours the kept cells with centres "
            "within gi_distance (decided on grid offsets); z = (S - W mean) / "
            "sqrt(s2 (n W - W^2) / (n - 1)), s2 the population variance; p = "
            "2 Phi(-|z|); gi_p_sim: conditional permutations, folded "
            "(min(k_hi, k_lo) + 1) / (R + 1); gi_bin from p after "
            "Benjamini-Hochberg (gi_fdr), 90/95/99%");
        snprintf(b, sizeof b, "%d", j->gopt.permutations);
        ROW("parameter", "gi_permutations", b);
        snprintf(b, sizeof b, "%llu", (unsigned long long)j->gopt.seed);
        ROW("parameter", "gi_seed", b);
        ROW("parameter", "gi_fdr", j->gopt.fdr ? "yes" : "no");
        ROW("parameter", "gi_grid", j->gopt.hex ? "hex" : "square");
        for (size_t g = 0; g < j->ngroups; g++) {
            const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
            char key[96];
            if (!j->has_gi[g])
                continue;
            const hs_gi *gi = &j->gi[g];
            const hs_grid_geom *gg = &j->gi_grid[g];
            snprintf(key, sizeof key, "gi_cell_%s", gname);
            snprintf(b, sizeof b, "%.0f m (%s); %zu x %zu %s from (%.0f, "
                     "%.0f), %zu in the study area", gg->cell,
                     j->gi_cell_rule[g], gg->cols, gg->rows,
                     gi->hex ? "hexagons (cell: between neighbouring centres)"
                             : "square cells", gg->x0, gg->y0, gi->n);
            ROW("parameter", key, b);
            snprintf(key, sizeof key, "gi_distance_%s", gname);
            snprintf(b, sizeof b, "%.6g m (%s)", gi->distance, gi->rule);
            ROW("parameter", key, b);
            if (strcmp(gi->rule, "fixed") != 0) {
                snprintf(key, sizeof key, "gi_moran_z_%s", gname);
                b[0] = '\0';
                for (int k = 0; k < 10; k++)
                    snprintf(b + strlen(b), sizeof b - strlen(b), "%s%.0f m: "
                             "%.4f", k ? "; " : "", (k + 1) * gg->cell,
                             gi->isa_z[k]);
                ROW("parameter", key, b);
            }
        }
    }
    if (j->lisa) {
        ROW("method", "lisa", "local Moran's I (Anselin 1995; spdep localmoran, "
            "row-standardised queen weights) of the Assuncao-Reis EB-standardised "
            "rates (GeoDa's EB rate standardisation); conditional permutations "
            "without replacement, folded pseudo-p with ties both ways; "
            "significant at p_fdr (gi_fdr yes) or p_sim <= 0.05; quadrants "
            "HH, LL, HL, LH from the signs of the value and its lag (0 low)");
        snprintf(b, sizeof b, "%d", j->lopt.permutations);
        ROW("parameter", "lisa_permutations", b);
        snprintf(b, sizeof b, "queen, polygons within %g m (GEOS); %zu "
                 "areas, %zu links", HS_CONTIGUITY_SNAP, j->nb.n,
                 j->nb.start ? j->nb.start[j->nb.n] / 2 : 0);
        ROW("parameter", "lisa_neighbours", b);
        for (size_t g = 0; g < j->ngroups; g++) {
            const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
            char key[96];
            if (!j->has_lisa[g])
                continue;
            const hs_lisa *li = &j->li[g];
            long q[5] = {0};
            for (size_t a = 0; a < li->n_areas; a++)
                if (li->quadrant[a] >= 0 && li->quadrant[a] <= 4)
                    q[li->quadrant[a]]++;
            snprintf(b, sizeof b, "%zu areas in the analysis; HH %ld, LL %ld, "
                     "HL %ld, LH %ld, not significant %ld; EB b %.6g, a %.6g%s",
                     li->n, q[1], q[2], q[3], q[4], q[0], li->eb_b, li->eb_a,
                     li->eb_a_clamped ? " (negative, set to 0)" : "");
            snprintf(key, sizeof key, "lisa_%s", gname);
            ROW("count", key, b);
        }
    }
    if (j->gistar && j->emerging) {
        ROW("method", "emerging", "ArcGIS Emerging Hot Spot Analysis on the "
            "Gi* cells: Gi* of every cell-month over the whole cube (neighbours "
            "within gi_distance this month and last), bins per month after "
            "Benjamini-Hochberg (gi_fdr) and confirmed by the permutation "
            "pseudo-p on z's side; hot or cold at 90% or more; Mann-Kendall "
            "trend of the z series (p <= 0.05); categories as the README");
        snprintf(b, sizeof b, "%d", j->eopt.permutations);
        ROW("parameter", "emerging_permutations", b);
        for (size_t g = 0; g < j->ngroups; g++) {
            const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
            char key[96];
            if (!j->has_em[g])
                continue;
            const hs_emerging *em = &j->em[g];
            long n[17] = {0};
            for (size_t i = 0; i < em->n; i++)
                if (em->category[i] >= -8 && em->category[i] <= 8)
                    n[em->category[i] + 8]++;
            snprintf(b, sizeof b, "%zu months", em->T);
            for (int c = 8; c >= -8; c--)
                if (c && n[c + 8])
                    snprintf(b + strlen(b), sizeof b - strlen(b), "; %s %ld",
                             hs_emerging_name(c), n[c + 8]);
            snprintf(key, sizeof key, "emerging_%s", gname);
            ROW("count", key, b);
        }
    }
#undef ROW
#undef NUM
    return HS_OK;
}

/* ISO WKB (NDR, whatever the host's byte order) of Gi* cell i of g, a
 * square (93 bytes) or a hexagon (125). */
static size_t cell_wkb(const hs_grid_geom *g, int hex, size_t i, unsigned char *w)
{
    double xy[14];
    size_t np = hs_gi_ring(g, hex, i, xy);
    uint64_t v[3 + 14] = {3, 1, np}; /* Polygon, 1 ring, np points; then xy */
    memcpy(v + 3, xy, 2 * np * sizeof *xy);
    size_t n = 0;
    w[n++] = 1;
    for (size_t k = 0; k < 3 + 2 * np; k++)
        for (int b = 0; b < (k < 3 ? 4 : 8); b++)
            w[n++] = (unsigned char)(v[k] >> (8 * b));
    return n;
}

/* A layer of `rows` Gi* cells.  SQLite's R-tree takes ~16 us a row
 * (483,000 cells: 7.8 s): a large grid goes without, as the incidents
 * layer does; QGIS draws a grid's cells from the table as fast. */
static hs_dest_layer *cell_layer(job *j, const char *name, const char *desc,
                            const hs_field *f, size_t nf, size_t rows,
                            hs_error *err)
{
    if (rows > HS_GI_INDEX_LIMIT) {
        hs_dest_set_spatial_index(j->out, 0);
        hs_note(j->log, "%s: %zu cells, written without a spatial index "
                "to save time (QGIS: Layer Properties > Source > Create "
                "Spatial Index)", name, rows);
    }
    hs_dest_layer *l = hs_dest_add_layer(j->out, name, desc, HS_GEOM_MULTIPOLYGON,
                                    j->crs, f, nf, err);
    hs_dest_set_spatial_index(j->out, 1);
    return l;
}

/* gistar_<group>: one square or hexagon per cell of the study area
 * (gistar.h). */
static hs_status write_gistar(job *j, size_t g, hs_error *err)
{
    static const hs_field f[] = {
        {"cell_id", HS_FIELD_INT},  {"count", HS_FIELD_INT},
        {"gi_z", HS_FIELD_REAL},    {"gi_p", HS_FIELD_REAL},
        {"gi_p_sim", HS_FIELD_REAL}, {"gi_bin", HS_FIELD_INT},
        {"class", HS_FIELD_TEXT},   {"area_id", HS_FIELD_TEXT}};
    hs_field fc[sizeof f / sizeof *f];
    memcpy(fc, f, sizeof fc);
    fc[1].type = count_type(j); /* count */
    if (!j->has_gi[g])
        return HS_OK;
    const hs_gi *gi = &j->gi[g];
    const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
    char name[96], desc[256];
    hs_layer_name(name, sizeof name, "gistar_", gname);
    snprintf(desc, sizeof desc, "%s: Getis-Ord Gi* hot and cold spots on "
             "%.0f m %s, neighbours within %.6g m", gname,
             j->gi_grid[g].cell, gi->hex ? "hexagons" : "cells", gi->distance);
    hs_dest_layer *l = cell_layer(j, name, desc, fc, sizeof fc / sizeof *fc, gi->n, err);
    if (!l)
        return err ? err->code : HS_ERR_IO;
    for (size_t i = 0; i < gi->n; i++) {
        unsigned char wkb[128];
        size_t len = cell_wkb(&j->gi_grid[g], gi->hex, gi->cell[i], wkb);
        int32_t a = j->gi_area[g][i];
        hs_value v[] = {
            int_(gi->cell[i]), count_value(j, gi->count[i]), num(gi->z[i]),
            num(gi->p[i]), num(gi->p_sim[i]), int_(gi->bin[i]),
            txt(hs_gi_class(gi->bin[i])),
            txt(a >= 0 ? hs_areas_id(j->areas, (size_t)a) : NULL)};
        /* --public: no cell shows a count under the threshold */
        if (j->priv && gi->count[i] < j->sopt.public_min)
            v[1] = (hs_value){.is_null = 1};
        hs_status rc = hs_dest_layer_add(l, 0, 0, wkb, len, v, err);
        if (rc)
            return rc;
    }
    return HS_OK;
}


/* emerging_<group>: the Gi* cells with a pattern, by emerging category
 * (emerging.h).  The others, "no pattern detected", are left out: they
 * are most cells, which the style would leave clear anyway (at the 1M
 * benchmark, 1.4M rows, 230 MB and 1.7 s, measured). */
static hs_status write_emerging(job *j, size_t g, hs_error *err)
{
    static const hs_field f[] = {
        {"cell_id", HS_FIELD_INT},     {"category", HS_FIELD_TEXT},
        {"trend_z", HS_FIELD_REAL},    {"trend_p", HS_FIELD_REAL},
        {"months_hot", HS_FIELD_INT},  {"months_cold", HS_FIELD_INT},
        {"last_bin", HS_FIELD_INT},    {"area_id", HS_FIELD_TEXT}};
    if (!j->has_em[g])
        return HS_OK;
    const hs_gi *gi = &j->gi[g];
    const hs_emerging *em = &j->em[g];
    const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
    char name[96], desc[256];
    hs_layer_name(name, sizeof name, "emerging_", gname);
    snprintf(desc, sizeof desc, "%s: emerging hot and cold spots over %zu "
             "months (Gi* per cell and month, Mann-Kendall trend)", gname,
             em->T);
    size_t rows = 0;
    for (size_t i = 0; i < gi->n; i++)
        rows += em->category[i] != HS_EMERGING_NONE;
    hs_dest_layer *l = cell_layer(j, name, desc, f, sizeof f / sizeof *f, rows, err);
    if (!l)
        return err ? err->code : HS_ERR_IO;
    for (size_t i = 0; i < gi->n; i++) {
        if (em->category[i] == HS_EMERGING_NONE)
            continue;
        unsigned char wkb[128];
        size_t len = cell_wkb(&j->gi_grid[g], gi->hex, gi->cell[i], wkb);
        int32_t a = j->gi_area[g][i];
        hs_value v[] = {
            int_(gi->cell[i]), txt(hs_emerging_name(em->category[i])),
            num(em->trend_z[i]), num(em->trend_p[i]), int_(em->months_hot[i]),
            int_(em->months_cold[i]), int_(em->last_bin[i]),
            txt(a >= 0 ? hs_areas_id(j->areas, (size_t)a) : NULL)};
        hs_status rc = hs_dest_layer_add(l, 0, 0, wkb, len, v, err);
        if (rc)
            return rc;
    }
    return HS_OK;
}

/* lisa_<group>: the areas, by local Moran quadrant (lisa.h). */
static hs_status write_lisa(job *j, hs_error *err)
{
    static const hs_field f[] = {
        {"area_id", HS_FIELD_TEXT},   {"area_name", HS_FIELD_TEXT},
        {"rate", HS_FIELD_REAL},      {"value", HS_FIELD_REAL},
        {"lag", HS_FIELD_REAL},       {"local_i", HS_FIELD_REAL},
        {"z_i", HS_FIELD_REAL},       {"p_sim", HS_FIELD_REAL},
        {"p_fdr", HS_FIELD_REAL},     {"quadrant", HS_FIELD_TEXT},
        {"neighbours", HS_FIELD_INT}};
    const hs_rates *R = j->rates;
    for (size_t g = 0; g < j->ngroups; g++) {
        if (!j->has_lisa[g])
            continue;
        const hs_lisa *li = &j->li[g];
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        char name[96], desc[256];
        hs_layer_name(name, sizeof name, "lisa_", gname);
        snprintf(desc, sizeof desc, "%s: local Moran's I of the EB-standardised "
                 "rates, queen neighbours, %d permutations", gname,
                 j->lopt.permutations);
        hs_dest_layer *l = hs_dest_add_layer(j->out, name, desc, HS_GEOM_MULTIPOLYGON,
                                        j->crs, f, sizeof f / sizeof *f, err);
        if (!l)
            return err ? err->code : HS_ERR_IO;
        for (size_t a = 0; a < R->nareas; a++) {
            size_t len;
            const unsigned char *wkb = hs_areas_wkb(j->areas, a, &len);
            const hs_rate *r = &R->r[g * R->nareas + a];
            int in = li->in[a];
            hs_value v[] = {
                txt(hs_areas_id(j->areas, a)), txt(hs_areas_name(j->areas, a)),
                num(in ? r->rate : NAN), num(li->value[a]), num(li->lag[a]),
                num(li->local_i[a]), num(li->z_i[a]), num(li->p_sim[a]),
                num(li->p_fdr[a]), txt(hs_lisa_quad_name(li->quadrant[a])),
                in ? int_(li->nbrs[a]) : (hs_value){.is_null = 1}};
            hs_status rc = hs_dest_layer_add(l, 0, 0, wkb, len, v, err);
            if (rc)
                return rc;
        }
    }
    return HS_OK;
}

/* --public: the rule and what was suppressed, in section "public" of the
 * run table; after the monthly table and hotspots, which count theirs. */
static hs_status write_public_rows(job *j, hs_error *err)
{
    const hs_privacy *p = j->priv;
    const hs_options *o = j->o;
    char b[256];
    hs_status rc = HS_OK;
    if (!p)
        return HS_OK;
#define ROW(s, k, v) if ((rc = run_row(j, s, k, v, err))) return rc
#define NUM(s, k, v) if ((rc = run_num(j, s, k, v, err))) return rc
    snprintf(b, sizeof b, "%ld", p->threshold);
    ROW("public", "threshold", b);
    ROW("public", "rule", "counts under the threshold (zeros included) "
        "are suppressed (NULL), with every field derived from them; then "
        "more counts, smallest first, until no set with a known total "
        "(a group's areas; areas with a population; an area's months of "
        "one period) has exactly one suppressed count or suppressed "
        "counts adding up to less than the threshold; study_rate NULL "
        "when the study total is under it");
    ROW("public", "hotspots", "hotspots with fewer incidents than the "
        "threshold dropped; no location labels");
    ROW("public", "density", "cells whose kernel reaches fewer incidents "
        "than the threshold set to nodata");
    ROW("public", "incidents_layer", "not written");
    ROW("public", "excluded", hs_or_default(o->public_exclude, "none"));
    NUM("public", "excluded_incidents", p->excluded);
    for (size_t g = 0; g < j->ngroups; g++) {
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        char key[96];
        snprintf(key, sizeof key, "areas_suppressed_%s", gname);
        snprintf(b, sizeof b, "%ld (%ld under the threshold, %ld "
                 "secondary)", p->primary[g] + p->secondary[g],
                 p->primary[g], p->secondary[g]);
        ROW("public", key, b);
        snprintf(key, sizeof key, "prev_suppressed_%s", gname);
        snprintf(b, sizeof b, "%ld (%ld under the threshold, %ld "
                 "secondary)", p->prev_primary[g] + p->prev_secondary[g],
                 p->prev_primary[g], p->prev_secondary[g]);
        ROW("public", key, b);
        snprintf(key, sizeof key, "monthly_suppressed_%s", gname);
        NUM("public", key, p->monthly[g]);
        snprintf(key, sizeof key, "study_rate_suppressed_%s", gname);
        ROW("public", key, p->study_sup[g] ? "yes" : "no");
        if (j->has_surf[g]) {
            snprintf(key, sizeof key, "hotspots_dropped_%s", gname);
            NUM("public", key, j->surf[g].dropped);
            snprintf(key, sizeof key, "cells_blanked_%s", gname);
            NUM("public", key, j->surf[g].blanked);
        }
    }
#undef ROW
#undef NUM
    return HS_OK;
}


hs_status hs_job_write_gistar(job *j, size_t g, hs_error *err)
{
    return write_gistar(j, g, err);
}

hs_status hs_job_write_emerging(job *j, size_t g, hs_error *err)
{
    return write_emerging(j, g, err);
}

/* The steps, each one tick of j->tk.writing. */
static hs_status steps(job *j, hs_status (*const *step)(job *, hs_error *),
                       size_t n, hs_error *err)
{
    hs_status rc;
    for (size_t k = 0; k < n; k++) {
        if ((rc = step[k](j, err)))
            return rc;
        hs_tick_add(j->tk.writing, 1);
    }
    return HS_OK;
}

static hs_status (*const early[])(job *, hs_error *) = {
    write_areas, write_rates, write_monthly};

hs_status hs_job_write_early(job *j, hs_error *err)
{
    return steps(j, early, sizeof early / sizeof *early, err);
}

hs_status hs_job_write_lisa(job *j, hs_error *err)
{
    static hs_status (*const step[])(job *, hs_error *) = {write_lisa};
    return steps(j, step, 1, err);
}

hs_status hs_job_write(job *j, hs_error *err)
{
    /* write_run first: the steps after it add rows to its table */
    static hs_status (*const step[])(job *, hs_error *) = {
        write_run, write_timeofweek, write_hotspots, write_backtests,
        hs_job_write_targets, hs_job_write_priority, write_public_rows};
    _Static_assert(sizeof early / sizeof *early + 1 + sizeof step / sizeof *step ==
                       HS_JOB_WRITE_STEPS,
                   "job.h: HS_JOB_WRITE_STEPS counts these steps");
    return steps(j, step, sizeof step / sizeof *step, err);
}
