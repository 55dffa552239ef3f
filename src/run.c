/* run.c - the main job, from options to a GeoPackage (see hs_run.h). */
#include <errno.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gdal.h>
#include <geos_c.h>
#include <nettle/sha2.h>
#include <proj.h>

#include "aggregate.h"
#include "areas.h"
#include "categories.h"
#include "crs.h"
#include "hotspot/hotspot.h"
#include "incidents.h"
#include "ingest.h"
#include "output.h"
#include "population.h"
#include "bandwidth.h"
#include "surfaces.h"

#ifndef HOTSPOT_VERSION
#define HOTSPOT_VERSION "0.0.0"
#endif
/* Above this many points the incidents layer gets no R-tree: GDAL 3.6
 * builds it row by row at about 10 s per million (see output.h). */
#define HS_INDEX_LIMIT 250000

#ifndef HOTSPOT_DATA_DIR
#define HOTSPOT_DATA_DIR "data"
#endif

const char *hs_version(void) { return HOTSPOT_VERSION; }

const char *hs_data_dir(void)
{
    const char *env = getenv("HOTSPOT_DATA");
    return env && *env ? env : HOTSPOT_DATA_DIR;
}

/* Everything one run holds; freed in one place. */
typedef struct job {
    const hs_options *o;
    const hs_log *log;
    hs_categories *cats;
    hs_incidents *inc;
    hs_ingest *ing;
    hs_areas *areas;
    hs_rates *rates;
    hs_gpkg *gpkg;
    hs_layer *run;
    char **files;
    size_t nfiles;
    char (*sha)[65];
    long *file_rows;
    int groups[HS_MAX_GROUPS];
    size_t ngroups;
    hs_agg_opts agg;
    hs_agg_report agg_rep;
    hs_pop_report pop_rep;
    hs_pop_kind pop_kind;
    const char *crs;
    int by_lsoa;
    int write_points;
    int kde;
    hs_surface_opts sopt;
    hs_surface surf[HS_MAX_GROUPS];
    int has_surf[HS_MAX_GROUPS];
    double spacing; /* median distance between distinct incident locations */
    size_t distinct;
} job;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *or_default(const char *v, const char *d) { return v && *v ? v : d; }

/* ---- parsing options ---------------------------------------------------- */

static hs_status parse_month(const char *s, const char *flag, int32_t *m,
                             hs_error *err)
{
    if (hs_month_parse(s, strlen(s), m) != 0)
        return hs_fail(err, HS_ERR_ARG, "%s '%s': expected a month YYYY-MM",
                       flag, s);
    return HS_OK;
}

static hs_status parse_groups(job *j, hs_error *err)
{
    char *list = strdup(or_default(j->o->groups, "asb,sac,violence"));
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

static int yes_no(const char *v, const char *dflt, const char *flag, int *out,
                  hs_error *err)
{
    const char *x = or_default(v, dflt);
    if (strcmp(x, "yes") && strcmp(x, "no"))
        return hs_fail(err, HS_ERR_ARG, "%s '%s': use yes or no", flag, x);
    *out = strcmp(x, "yes") == 0;
    return HS_OK;
}

static hs_status parse_surface_opts(job *j, hs_error *err)
{
    const hs_options *o = j->o;
    hs_surface_opts *so = &j->sopt;
    int masked, k;
    char *end;
    hs_status rc;
    memset(so, 0, sizeof *so);
    if ((rc = yes_no(o->kde, "yes", "--kde", &j->kde, err)) ||
        (rc = yes_no(o->kde_mask, "yes", "--kde-mask", &masked, err)))
        return rc;
    so->unmasked = !masked;
    if ((k = hs_kernel_parse(or_default(o->kernel, "quartic"))) < 0)
        return hs_fail(err, HS_ERR_ARG, "--kernel '%s': use quartic, "
                       "triangular, uniform, triweight, epanechnikov or "
                       "gaussian", o->kernel);
    so->kernel = (hs_kernel)k;
    if (hs_parse_bandwidth(o->bandwidth, &so->bandwidth, &so->knn_k) != 0)
        return hs_fail(err, HS_ERR_ARG, "--bandwidth '%s': give metres (> 0), "
                       "auto or knn:K (K 1..64)", o->bandwidth);
    if (o->cell) {
        so->cell = strtod(o->cell, &end);
        if (*end || !isfinite(so->cell) || so->cell <= 0)
            return hs_fail(err, HS_ERR_ARG, "--cell '%s': give metres > 0",
                           o->cell);
    }
    const char *units = or_default(o->kde_units, "km2");
    if (strcmp(units, "km2") && strcmp(units, "cell"))
        return hs_fail(err, HS_ERR_ARG, "--kde-units '%s': use km2 or cell",
                       units);
    so->per_cell = strcmp(units, "cell") == 0;
    hs_hotspot_opts_default(&so->hot);
    const char *m = or_default(o->hotspot_method, "mean-multiple");
    if (strcmp(m, "mean-multiple") == 0)
        so->hot.method = HS_THRESH_MEAN_MULTIPLE;
    else if (strcmp(m, "mean-sd") == 0)
        so->hot.method = HS_THRESH_MEAN_SD;
    else
        return hs_fail(err, HS_ERR_ARG, "--hotspot-method '%s': use "
                       "mean-multiple or mean-sd", m);
    if (o->hotspot_class) {
        long c = strtol(o->hotspot_class, &end, 10);
        if (*end || c < 1 || c > HS_HOTSPOT_MAX_BREAKS)
            return hs_fail(err, HS_ERR_ARG, "--hotspot-class '%s': give a "
                           "class number 1..%d", o->hotspot_class,
                           HS_HOTSPOT_MAX_BREAKS);
        so->hot.hot_class = (int)c;
    }
    if (o->hotspot_breaks && hs_parse_breaks(o->hotspot_breaks, &so->hot) != 0)
        return hs_fail(err, HS_ERR_ARG, "--hotspot-breaks '%s': give up to %d "
                       "increasing numbers, e.g. 1,2,3,4,5", o->hotspot_breaks,
                       HS_HOTSPOT_MAX_BREAKS);
    if (so->hot.hot_class > so->hot.nk)
        return hs_fail(err, HS_ERR_ARG, "--hotspot-class %d: there are only "
                       "%d breaks", so->hot.hot_class, so->hot.nk);
    so->task_share = HS_TASK_MAX_SHARE;
    if (o->tasking_share) {
        so->task_share = strtod(o->tasking_share, &end);
        if (*end || !(so->task_share > 0 && so->task_share <= 1))
            return hs_fail(err, HS_ERR_ARG, "--tasking-share '%s': give a "
                           "share in (0, 1], e.g. 0.03", o->tasking_share);
    }
    return HS_OK;
}

/* "violence" -> "VIO", "criminal-damage" -> "CRI" */
static void id_prefix(const char *group, char out[8])
{
    size_t k = 0;
    for (const char *c = group; *c && k < 3; c++)
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
            (*c >= '0' && *c <= '9'))
            out[k++] = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    out[k] = '\0';
}

/* Density surfaces, hotspots and tasking for every group, from the
 * incidents with a location in the analysis period. */
static hs_status surfaces(job *j, hs_error *err)
{
    const hs_incidents *s = j->inc;
    size_t n = 0;
    double *x = malloc((s->n + 1) * sizeof *x), *y = malloc((s->n + 1) * sizeof *y);
    float *w = malloc((s->n + 1) * sizeof *w);
    int32_t *loc = malloc((s->n + 1) * sizeof *loc);
    long *per_area = malloc((hs_areas_count(j->areas) + 1) * sizeof *per_area);
    hs_label_cache cache = {0};
    hs_status rc = HS_OK;
    if (!x || !y || !w || !loc || !per_area) {
        rc = hs_fail(err, HS_ERR_NOMEM, "density surfaces: out of memory");
        goto done;
    }
    /* police.uk snaps incidents to anonymous map points: a bandwidth below
     * their typical spacing maps the snapping, not the crime */
    for (size_t i = 0; i < s->n; i++)
        if (!isnan(s->x[i]) && s->month[i] >= j->agg.cur.from &&
            s->month[i] <= j->agg.cur.to) {
            x[n] = s->x[i];
            y[n++] = s->y[i];
        }
    double mean;
    if ((rc = hs_knn_distance(x, y, n, 1, 20000, &mean, &j->spacing,
                              &j->distinct, err)))
        goto done;
    for (size_t g = 0; g < j->ngroups; g++) {
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        char prefix[8];
        id_prefix(gname, prefix);
        n = 0;
        for (size_t i = 0; i < s->n; i++)
            if (s->group[i] == j->groups[g] && !isnan(s->x[i]) &&
                s->month[i] >= j->agg.cur.from && s->month[i] <= j->agg.cur.to) {
                x[n] = s->x[i];
                y[n] = s->y[i];
                w[n] = s->weight[i];
                loc[n++] = s->location[i];
            }
        for (size_t a = 0; a < hs_areas_count(j->areas); a++)
            per_area[a] = j->rates->r[g * j->rates->nareas + a].count;
        hs_error e2 = {0};
        hs_status r2 = hs_surface_compute(j->areas, x, y, w, loc, n, prefix,
                                          per_area, &j->sopt, &cache,
                                          &j->surf[g], &e2);
        if (r2 == HS_ERR_DATA) { /* too few incidents: say so, go on */
            hs_warn(j->log, "%s: no density surface: %s", gname, e2.msg);
            continue;
        }
        if (r2) {
            if (err)
                *err = e2;
            rc = r2;
            goto done;
        }
        j->has_surf[g] = 1;
        const hs_surface *sf = &j->surf[g];
        if (sf->bandwidth < j->spacing)
            hs_warn(j->log, "%s: bandwidth %.0f m is below the typical spacing "
                    "of distinct incident locations (%.0f m, median nearest "
                    "neighbour): the surface shows where the map points are "
                    "more than where incidents concentrate", gname,
                    sf->bandwidth, j->spacing);
        if (sf->bandwidth < sf->grid.cell)
            hs_warn(j->log, "%s: bandwidth %.0f m is smaller than the cell "
                    "size %.0f m: use a smaller --cell", gname, sf->bandwidth,
                    sf->grid.cell);
    }
done:
    hs_label_cache_free(&cache);
    free(x);
    free(y);
    free(w);
    free(loc);
    free(per_area);
    return rc;
}

/* ---- inputs ------------------------------------------------------------ */

static hs_status sha256_file(const char *path, char out[65], hs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hs_fail(err, HS_ERR_IO, "cannot open '%s': %s", path,
                       strerror(errno));
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, n, buf);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return hs_fail(err, HS_ERR_IO, "cannot read '%s'", path);
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    return HS_OK;
}

static hs_status read_incidents(job *j, hs_error *err)
{
    const hs_options *o = j->o;
    hs_status rc;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    static hs_ingest_opts io; /* borrowed by the ingest for the run */
    io = (hs_ingest_opts){
        .analysis_crs = j->crs, .crs = o->incidents_crs, .x = o->x, .y = o->y,
        .category = o->category, .date = o->date, .time = o->time,
        .weight = o->weight, .location = o->location,
        .max_month = (tm.tm_year + 1900) * 12 + tm.tm_mon};
    if ((rc = hs_paths_expand((const char *const *)o->incidents,
                              o->n_incidents, &j->files, &j->nfiles, err)))
        return rc;
    j->sha = calloc(j->nfiles, sizeof *j->sha);
    j->file_rows = calloc(j->nfiles, sizeof *j->file_rows);
    if (!j->sha || !j->file_rows)
        return hs_fail(err, HS_ERR_NOMEM, "out of memory");
    if (!(j->inc = hs_incidents_create(err)) ||
        !(j->ing = hs_ingest_create(j->inc, &io, j->cats, err)))
        return err ? err->code : HS_ERR_NOMEM;
    for (size_t i = 0; i < j->nfiles; i++) {
        long before = hs_ingest_get_report(j->ing)->rows_read;
        if ((rc = sha256_file(j->files[i], j->sha[i], err)) ||
            (rc = hs_ingest_file(j->ing, j->files[i], err)))
            return rc;
        j->file_rows[i] = hs_ingest_get_report(j->ing)->rows_read - before;
    }
    const hs_ingest_report *r = hs_ingest_get_report(j->ing);
    for (int k = 0; k < HS_SKIP_N; k++)
        if (r->skipped[k]) {
            hs_warn(j->log, "%ld row(s) skipped: %s", r->skipped[k],
                    hs_skip_name((hs_skip)k));
            for (long e = 0; e < r->skipped[k] && e < HS_INGEST_EXAMPLES; e++)
                hs_warn(j->log, "  e.g. %s", r->example[k][e]);
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
    if (j->inc->n == 0)
        return hs_fail(err, HS_ERR_DATA, "no usable incidents in %zu file(s) "
                       "(%ld rows read)", j->nfiles, r->rows_read);
    return HS_OK;
}

static hs_status read_areas(job *j, hs_error *err)
{
    const hs_options *o = j->o;
    hs_status rc;
    if (!o->areas)
        return hs_fail(err, HS_ERR_ARG, "no areas: give --areas PATH");
    if (!o->area_id)
        return hs_fail(err, HS_ERR_ARG, "no area id field: give --area-id FIELD");
    j->pop_kind = o->population ? hs_population_kind(o->population) : HS_POP_FIELD;
    hs_areas_opts ao = {o->areas, o->areas_layer, o->area_id, o->area_name,
                        j->pop_kind == HS_POP_FIELD ? o->population : NULL,
                        j->crs};
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

typedef struct index_job {
    hs_areas *areas;
    hs_status rc;
    hs_error err;
} index_job;

static void *build_index(void *arg)
{
    index_job *ij = arg;
    ij->rc = hs_areas_index(ij->areas, &ij->err); /* failure: GEOS alone */
    return NULL;
}

static hs_status assign(job *j, hs_error *err)
{
    hs_incidents *s = j->inc;
    if (!j->by_lsoa)
        return hs_areas_assign(j->areas, s->x, s->y, s->n, s->area, err);
    size_t nl = hs_pool_count(s->lsoas);
    int *map = malloc((nl + 1) * sizeof *map);
    if (!map)
        return hs_fail(err, HS_ERR_NOMEM, "out of memory");
    for (size_t l = 0; l < nl; l++)
        map[l] = hs_areas_find(j->areas, hs_pool_str(s->lsoas, (int)l));
    for (size_t i = 0; i < s->n; i++)
        s->area[i] = s->lsoa[i] >= 0 ? map[s->lsoa[i]] : -1;
    free(map);
    return HS_OK;
}

static hs_status periods(job *j, hs_error *err)
{
    const hs_options *o = j->o;
    hs_period p;
    hs_status rc;
    if ((rc = hs_default_period(j->inc, &p, err)))
        return rc;
    if (o->to && (rc = parse_month(o->to, "--to", &p.to, err)))
        return rc;
    if (o->from) {
        if ((rc = parse_month(o->from, "--from", &p.from, err)))
            return rc;
    } else if (o->to) {
        p.from = p.to - 11;
    }
    if (p.from > p.to)
        return hs_fail(err, HS_ERR_ARG, "--from is after --to");
    j->agg.cur = p;
    const char *cmp = or_default(o->compare, "previous-year");
    int len = p.to - p.from + 1;
    if (strcmp(cmp, "previous-year") == 0) {
        j->agg.prev = (hs_period){p.from - 12, p.to - 12};
        j->agg.has_prev = 1;
        if (len > 12)
            return hs_fail(err, HS_ERR_ARG, "--compare previous-year needs a "
                           "period of at most 12 months (it is %d); use "
                           "previous-period", len);
    } else if (strcmp(cmp, "previous-period") == 0) {
        j->agg.prev = (hs_period){p.from - len, p.from - 1};
        j->agg.has_prev = 1;
    } else if (strcmp(cmp, "none") == 0) {
        j->agg.has_prev = 0;
    } else {
        return hs_fail(err, HS_ERR_ARG, "--compare '%s': use previous-year, "
                       "previous-period or none", cmp);
    }
    if (j->agg.has_prev) { /* data must cover the comparison period */
        int32_t lo = j->inc->month[0];
        for (size_t i = 1; i < j->inc->n; i++)
            lo = j->inc->month[i] < lo ? j->inc->month[i] : lo;
        if (lo > j->agg.prev.from) {
            char a[8], b[8], c[8];
            hs_month_format(j->agg.prev.from, a);
            hs_month_format(j->agg.prev.to, b);
            hs_month_format(lo, c);
            hs_warn(j->log, "the data start in %s, so they do not cover the "
                    "comparison period %s to %s: no comparison made", c, a, b);
            j->agg.has_prev = 0;
        }
    }
    j->agg.groups = j->groups;
    j->agg.ngroups = j->ngroups;
    return HS_OK;
}

/* ---- output ------------------------------------------------------------- */

static hs_value txt(const char *s) { return (hs_value){.is_null = !s, .s = s}; }
static hs_value num(double d) { return (hs_value){.is_null = isnan(d), .d = d}; }
static hs_value int_(int64_t i) { return (hs_value){.i = i}; }

static hs_status run_row(job *j, const char *section, const char *key,
                         const char *value, hs_error *err)
{
    hs_value v[3] = {txt(section), txt(key), txt(value)};
    return hs_layer_add(j->run, 0, 0, NULL, 0, v, err);
}

static hs_status run_num(job *j, const char *section, const char *key,
                         long value, hs_error *err)
{
    char b[32];
    snprintf(b, sizeof b, "%ld", value);
    return run_row(j, section, key, b, err);
}

static void period_text(hs_period p, char *buf, size_t n)
{
    char a[8], b[8];
    hs_month_format(p.from, a);
    hs_month_format(p.to, b);
    snprintf(buf, n, "%s to %s", a, b);
}

static hs_status write_areas(job *j, hs_error *err)
{
    static const hs_field f[] = {{"area_id", HS_FIELD_TEXT},
                                 {"area_name", HS_FIELD_TEXT},
                                 {"population", HS_FIELD_REAL},
                                 {"area_km2", HS_FIELD_REAL}};
    hs_layer *l = hs_gpkg_add_layer(j->gpkg, "areas", "Study areas with "
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
        hs_status rc = hs_layer_add(l, 0, 0, wkb, len, v, err);
        if (rc)
            return rc;
    }
    return HS_OK;
}

/* "criminal-damage" -> "rates_criminal_damage" */
static void layer_name(char *buf, size_t n, const char *prefix, const char *g)
{
    snprintf(buf, n, "%s%s", prefix, g);
    for (char *c = buf; *c; c++)
        if (*c == '-' || *c == ' ')
            *c = '_';
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
        {"change_flag", HS_FIELD_TEXT}};
    const size_t nf = sizeof f / sizeof *f;
    const hs_rates *R = j->rates;
    for (size_t g = 0; g < R->ngroups; g++) {
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        char name[96], desc[256], per[32];
        layer_name(name, sizeof name, "rates_", gname);
        period_text(j->agg.cur, per, sizeof per);
        snprintf(desc, sizeof desc, "%s per 1,000 residents, %s, with 95%% "
                 "intervals and change", gname, per);
        hs_layer *l = hs_gpkg_add_layer(j->gpkg, name, desc,
                                        HS_GEOM_MULTIPOLYGON, j->crs, f, nf, err);
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
                num(r->population), num(km2), int_(r->count),
                num(km2 > 0 ? (double)r->count / km2 : NAN), num(r->rate),
                num(r->rate_low), num(r->rate_high), num(r->rate_annual),
                num(R->study_rate[g]), txt(hs_rate_vs_text(r)),
                cmp ? int_(r->prev_count) : (hs_value){.is_null = 1},
                cmp ? int_(r->change) : (hs_value){.is_null = 1},
                num(r->change_pct), num(r->change_p),
                txt(hs_rate_change_flag(r))};
            hs_status rc = hs_layer_add(l, 0, 0, wkb, len, v, err);
            if (rc)
                return rc;
        }
    }
    return HS_OK;
}

static hs_status write_incidents(job *j, hs_error *err)
{
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
        hs_gpkg_set_spatial_index(j->gpkg, 0);
        hs_warn(j->log, "incidents layer: %zu points, written without a "
                "spatial index to save time (QGIS: Layer Properties > Source "
                "> Create Spatial Index)", located);
    }
    hs_layer *l = hs_gpkg_add_layer(j->gpkg, "incidents", "Incidents with a "
                                    "location, in the analysis CRS",
                                    HS_GEOM_POINT, j->crs, f, 10, err);
    hs_gpkg_set_spatial_index(j->gpkg, 1);
    if (!l)
        return err ? err->code : HS_ERR_IO;
    for (size_t i = 0; i < s->n; i++) {
        if (isnan(s->x[i]))
            continue;
        char month[8], date[16] = "", tm[16] = "";
        hs_month_format(s->month[i], month);
        if (s->day[i])
            snprintf(date, sizeof date, "%s-%02d", month, s->day[i]);
        if (s->minute[i] >= 0)
            snprintf(tm, sizeof tm, "%02d:%02d", s->minute[i] / 60,
                     s->minute[i] % 60);
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
        hs_status rc = hs_layer_add(l, s->x[i], s->y[i], NULL, 0, v, err);
        if (rc)
            return rc;
    }
    return HS_OK;
}

static hs_status write_hotspots(job *j, hs_error *err)
{
    static const hs_field hf[] = {
        {"hotspot_id", HS_FIELD_TEXT},  {"rank", HS_FIELD_INT},
        {"class", HS_FIELD_INT},        {"incidents", HS_FIELD_INT},
        {"area_km2", HS_FIELD_REAL},    {"share_pct", HS_FIELD_REAL},
        {"pai", HS_FIELD_REAL},         {"area_id", HS_FIELD_TEXT},
        {"area_name", HS_FIELD_TEXT},   {"label", HS_FIELD_TEXT}};
    static const hs_field tf[] = {
        {"area_id", HS_FIELD_TEXT},        {"area_name", HS_FIELD_TEXT},
        {"priority", HS_FIELD_INT},        {"hotspot_id", HS_FIELD_TEXT},
        {"label", HS_FIELD_TEXT},          {"incidents", HS_FIELD_INT},
        {"area_km2", HS_FIELD_REAL},       {"cum_area_pct", HS_FIELD_REAL},
        {"cum_incidents_pct", HS_FIELD_REAL}};
    for (size_t g = 0; g < j->ngroups; g++) {
        if (!j->has_surf[g])
            continue;
        const hs_surface *sf = &j->surf[g];
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        char name[96], desc[256];
        layer_name(name, sizeof name, "hotspots_", gname);
        snprintf(desc, sizeof desc, "%s hotspots: cells at or above class %d "
                 "of the density surface, ranked by incidents", gname,
                 j->sopt.hot.hot_class);
        hs_layer *l = hs_gpkg_add_layer(j->gpkg, name, desc,
                                        HS_GEOM_MULTIPOLYGON, j->crs, hf,
                                        sizeof hf / sizeof *hf, err);
        if (!l)
            return err ? err->code : HS_ERR_IO;
        for (size_t h = 0; h < sf->hot->n; h++) {
            const hs_hotspot *hp = &sf->hot->v[h];
            int ar = hp->area;
            hs_value v[] = {
                txt(hp->id), int_(hp->rank), int_(hp->cls), int_(hp->incidents),
                num(hp->km2), num(100.0 * hp->share), num(hp->pai),
                txt(ar >= 0 ? hs_areas_id(j->areas, (size_t)ar) : NULL),
                txt(ar >= 0 ? hs_areas_name(j->areas, (size_t)ar) : NULL),
                txt(hp->location >= 0 ? hs_pool_str(j->inc->locations, hp->location) : NULL)};
            hs_status rc = hs_layer_add(l, 0, 0, hp->wkb, hp->wkb_len, v, err);
            if (rc)
                return rc;
        }
        layer_name(name, sizeof name, "tasking_", gname);
        snprintf(desc, sizeof desc, "%s: per area, the top hotspots that "
                 "together cover at most %.3g%% of it", gname,
                 100 * j->sopt.task_share);
        l = hs_gpkg_add_layer(j->gpkg, name, desc, HS_GEOM_NONE, NULL, tf,
                              sizeof tf / sizeof *tf, err);
        if (!l)
            return err ? err->code : HS_ERR_IO;
        for (size_t t = 0; t < sf->ntasks; t++) {
            const hs_task *tk = &sf->tasks[t];
            const hs_hotspot *hp = &sf->hot->v[tk->hotspot];
            hs_value v[] = {
                txt(hs_areas_id(j->areas, (size_t)tk->area)),
                txt(hs_areas_name(j->areas, (size_t)tk->area)),
                int_(tk->order), txt(hp->id),
                txt(hp->location >= 0 ? hs_pool_str(j->inc->locations, hp->location) : NULL),
                int_(hp->incidents), num(hp->km2),
                num(100.0 * tk->cum_km2_share), num(100.0 * tk->cum_incident_share)};
            hs_status rc = hs_layer_add(l, 0, 0, NULL, 0, v, err);
            if (rc)
                return rc;
        }
    }
    return HS_OK;
}

/* Rasters last: the writer reopens the file around each. */
static hs_status write_surfaces(job *j, hs_error *err)
{
    for (size_t g = 0; g < j->ngroups; g++) {
        if (!j->has_surf[g])
            continue;
        const hs_surface *sf = &j->surf[g];
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        char name[96], desc[256];
        layer_name(name, sizeof name, "kde_", gname);
        snprintf(desc, sizeof desc, "%s density, %s kernel, bandwidth %.0f m, "
                 "cell %.0f m, %s", gname, hs_kernel_name(j->sopt.kernel),
                 sf->bandwidth, sf->grid.cell,
                 j->sopt.per_cell ? "expected incidents per cell"
                                  : "incidents per km2");
        hs_raster_spec r = {sf->grid.x0, sf->grid.y0, sf->grid.cell,
                            sf->grid.cols, sf->grid.rows, j->crs, desc,
                            "density",
                            j->sopt.per_cell ? "incidents/cell" : "incidents/km2",
                            HS_NODATA};
        hs_status rc = hs_gpkg_add_raster(j->gpkg, name, &r, sf->values, err);
        if (rc)
            return rc;
    }
    return HS_OK;
}

static hs_status write_run(job *j, hs_error *err)
{
    static const hs_field f[] = {{"section", HS_FIELD_TEXT},
                                 {"key", HS_FIELD_TEXT},
                                 {"value", HS_FIELD_TEXT}};
    const hs_options *o = j->o;
    const hs_ingest_report *ir = hs_ingest_get_report(j->ing);
    const hs_agg_report *ar = &j->agg_rep;
    char b[256];
    hs_status rc = HS_OK;
    j->run = hs_gpkg_add_layer(j->gpkg, "run", "How this file was made: "
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
    period_text(j->agg.cur, b, sizeof b);
    ROW("parameter", "period", b);
    NUM("parameter", "months", j->agg.cur.to - j->agg.cur.from + 1);
    if (j->agg.has_prev)
        period_text(j->agg.prev, b, sizeof b);
    ROW("parameter", "compare", or_default(o->compare, "previous-year"));
    ROW("parameter", "compare_period", j->agg.has_prev ? b : "none");
    ROW("parameter", "groups", or_default(o->groups, "asb,sac,violence"));
    ROW("parameter", "crs", j->crs);
    ROW("parameter", "assign", j->by_lsoa ? "lsoa-code" : "point");
    ROW("parameter", "incidents_layer", j->write_points ? "yes" : "no");
    ROW("parameter", "areas", o->areas);
    ROW("parameter", "area_id", o->area_id);
    ROW("parameter", "area_name", or_default(o->area_name, o->area_id));
    ROW("parameter", "population", or_default(o->population, "none"));
    ROW("parameter", "population_source",
        !o->population ? "none" : j->pop_kind == HS_POP_TABLE ? "table"
        : j->pop_kind == HS_POP_ZONES ? "zones (best fit by interior point)"
                                      : "field");
    ROW("method", "rate", "count / population x 1,000 for the period; "
        "rate_annual = rate x 12 / months");
    ROW("method", "interval", "95%: Byar's method for counts >= 10, exact "
        "Poisson (chi-square) below (PHE Fingertips)");
    ROW("method", "vs_study", "higher/lower when the area's 95% interval lies "
        "wholly above/below the study-area rate, else similar");
    ROW("method", "change_test", "exact conditional (binomial) test of the "
        "two counts, equal exposure, two-sided; flagged at 95% and 99.8%");
    ROW("method", "assign", "point in polygon (boundary included); a point on "
        "a shared boundary goes to the area with the smallest id");
    ROW("method", "sac", "serious acquisitive crime: police.uk Burglary + "
        "Robbery + Vehicle crime, approximating NI 16 (over-counts: includes "
        "business burglary and vehicle interference)");
    ROW("method", "crs_transform", *hs_ingest_transform_desc(j->ing)
        ? hs_ingest_transform_desc(j->ing) : "none (inputs already in CRS)");
    ROW("input", "categories", or_default(o->categories, "(bundled)"));
    for (size_t i = 0; i < j->nfiles; i++) {
        snprintf(b, sizeof b, "sha256=%s rows=%ld", j->sha[i], j->file_rows[i]);
        ROW("input", j->files[i], b);
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
        }
    }
#undef ROW
#undef NUM
    return HS_OK;
}

static void summarise(job *j, hs_summary *sum)
{
    const hs_ingest_report *ir = hs_ingest_get_report(j->ing);
    memset(sum, 0, sizeof *sum);
    snprintf(sum->output, sizeof sum->output, "%s",
             or_default(j->o->output, "hotspot.gpkg"));
    period_text(j->agg.cur, sum->period, sizeof sum->period);
    if (j->agg.has_prev)
        period_text(j->agg.prev, sum->compare, sizeof sum->compare);
    else
        snprintf(sum->compare, sizeof sum->compare, "none");
    sum->files = ir->files;
    sum->rows_read = ir->rows_read;
    sum->rows_kept = ir->rows_kept;
    for (int k = 0; k < HS_SKIP_N; k++)
        sum->rows_skipped += ir->skipped[k];
    sum->no_location = ir->no_location;
    sum->unknown_type = ir->unknown_type;
    sum->outside_areas = j->agg_rep.outside_areas;
    sum->outside_period = j->agg_rep.outside_period;
    sum->in_period = j->agg_rep.in_period;
    sum->assigned = j->agg_rep.assigned;
    sum->areas = (long)hs_areas_count(j->areas);
    sum->population = j->rates->study_pop;
    for (size_t i = 0; i < hs_areas_count(j->areas); i++) {
        double p = hs_areas_population(j->areas, i);
        sum->areas_no_population += isnan(p) || p <= 0;
    }
    sum->ngroups = j->ngroups;
    for (size_t g = 0; g < j->ngroups; g++) {
        hs_group_summary *gs = &sum->group[g];
        snprintf(gs->name, sizeof gs->name, "%s",
                 hs_categories_group_name(j->cats, j->groups[g]));
        gs->count = j->rates->study_count[g];
        gs->prev_count = j->agg.has_prev ? j->rates->study_prev[g] : -1;
        gs->study_rate = j->rates->study_rate[g];
        if (j->has_surf[g]) {
            gs->bandwidth = j->surf[g].bandwidth;
            gs->hotspots = (long)j->surf[g].hot->n;
        }
        for (size_t a = 0; a < j->rates->nareas; a++) {
            const hs_rate *r = &j->rates->r[g * j->rates->nareas + a];
            if (isnan(r->rate))
                continue;
            gs->higher += r->vs_study == HS_HIGHER;
            gs->lower += r->vs_study == HS_LOWER;
        }
    }
}

hs_status hs_run(const hs_options *o, const hs_log *log, hs_summary *sum,
                 hs_error *err)
{
    job j = {.o = o, .log = log};
    hs_status rc = HS_OK;
    char cats_path[4096];

    j.crs = or_default(o->crs, "EPSG:27700");
    const char *layer_opt = or_default(o->incidents_layer, "yes");
    if (strcmp(layer_opt, "yes") != 0 && strcmp(layer_opt, "no") != 0)
        return hs_fail(err, HS_ERR_ARG, "--incidents-layer '%s': use yes or no",
                       layer_opt);
    j.write_points = strcmp(layer_opt, "yes") == 0;
    const char *assign_mode = or_default(o->assign, "point");
    if (strcmp(assign_mode, "point") != 0 && strcmp(assign_mode, "lsoa-code") != 0)
        return hs_fail(err, HS_ERR_ARG, "--assign '%s': use point or lsoa-code",
                       assign_mode);
    j.by_lsoa = strcmp(assign_mode, "lsoa-code") == 0;
    if (o->n_incidents == 0)
        return hs_fail(err, HS_ERR_ARG, "no incidents: give --incidents PATH...");
    /* areas in km2, densities and (later) bandwidths need metres */
    int geographic = hs_crs_is_geographic(j.crs, err);
    if (geographic < 0)
        return hs_fail(err, HS_ERR_ARG, "--crs '%s': cannot resolve this CRS",
                       j.crs);
    if (geographic)
        return hs_fail(err, HS_ERR_ARG, "--crs '%s' is geographic (degrees); "
                       "use a projected CRS in metres, e.g. EPSG:27700", j.crs);
    snprintf(cats_path, sizeof cats_path, "%s/categories.csv", hs_data_dir());
    if (!(j.cats = hs_categories_load(or_default(o->categories, cats_path), err))) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    double t[6];
    t[0] = now_s();
    if ((rc = parse_surface_opts(&j, err)) || (rc = parse_groups(&j, err)) ||
        (rc = read_areas(&j, err)))
        goto cleanup;
    t[1] = now_s();
    /* Build the areas' lookup grid on the other core while incidents are
     * read (it is ~0.15 s of work, the same order as reading 1M rows). */
    index_job ij = {j.areas, HS_OK, {0}};
    pthread_t index_thread;
    int indexing = !j.by_lsoa &&
                   pthread_create(&index_thread, NULL, build_index, &ij) == 0;
    rc = read_incidents(&j, err);
    if (indexing)
        pthread_join(index_thread, NULL);
    if (rc)
        goto cleanup;
    t[2] = now_s();
    if ((rc = assign(&j, err)) || (rc = periods(&j, err)))
        goto cleanup;
    t[3] = now_s();
    if (!(j.rates = hs_aggregate(j.inc, j.areas, &j.agg, &j.agg_rep, err))) {
        rc = err ? err->code : HS_ERR_NOMEM;
        goto cleanup;
    }
    t[4] = now_s();
    if (j.agg_rep.outside_areas)
        hs_warn(log, "%ld incident(s) in the period lie outside every area",
                j.agg_rep.outside_areas);
    if (j.kde && (rc = surfaces(&j, err)))
        goto cleanup;
    double t_kde = now_s();
    if (!(j.gpkg = hs_gpkg_create(or_default(o->output, "hotspot.gpkg"), NULL,
                                  err))) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    if ((rc = write_run(&j, err)) || (rc = write_areas(&j, err)) ||
        (rc = write_rates(&j, err)) ||
        (j.write_points && (rc = write_incidents(&j, err))) ||
        (rc = write_hotspots(&j, err)) || (rc = write_surfaces(&j, err)) ||
        (rc = hs_gpkg_commit(j.gpkg, err)))
        goto cleanup;
    t[5] = now_s();
    if (sum) {
        summarise(&j, sum);
        for (int k = 0; k < 5; k++)
            sum->seconds[k] = t[k + 1] - t[k];
        sum->seconds[4] = t_kde - t[4];        /* density and hotspots */
        sum->seconds[5] = t[5] - t_kde;        /* GeoPackage */
    }
cleanup:
    hs_gpkg_destroy(j.gpkg);
    for (size_t g = 0; g < HS_MAX_GROUPS; g++)
        hs_surface_free(&j.surf[g]);
    hs_rates_destroy(j.rates);
    hs_areas_destroy(j.areas);
    hs_ingest_destroy(j.ing);
    hs_incidents_destroy(j.inc);
    hs_categories_destroy(j.cats);
    hs_paths_free(j.files);
    free(j.sha);
    free(j.file_rows);
    return rc;
}
