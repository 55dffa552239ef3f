/* kdestep.c - "hotspot kde": one density surface from any incidents (see
 * hs_run.h).  The fast, exact, scriptable replacement for QGIS's heatmap. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analysis/bandwidth.h"
#include "analysis/kde.h"
#include "analysis/privacy.h"
#include "analysis/surfaces.h"
#include "core/memory.h"
#include "core/ticker.h"
#include "hotspot/hotspot.h"
#include "input/categories.h"
#include "input/crs.h"
#include "input/incidents.h"
#include "input/ingest.h"
#include "input/periods.h"
#include "input/vector.h"
#include "input/when.h"
#include "output/output.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Which incidents go in: group (if filtering) and period. */
typedef struct filter {
    int groups[64];
    size_t ngroups;
    int32_t from, to; /* months; to = 0: no period filter */
} filter;

static int wanted(const hs_incidents *s, size_t i, const filter *f)
{
    if (isnan(s->x[i]))
        return 0;
    if (f->to && (s->month[i] < f->from || s->month[i] > f->to))
        return 0;
    if (!f->ngroups)
        return 1;
    for (size_t g = 0; g < f->ngroups; g++)
        if (s->group[i] == f->groups[g])
            return 1;
    return 0;
}

/* need_mapping: load the category mapping even without --groups. */
static hs_status parse_filter(const hs_options *o, int need_mapping,
                              hs_categories **cats, filter *f, hs_error *err)
{
    memset(f, 0, sizeof *f);
    if (o->period) { /* no year to date: kde reads the data after this */
        hs_error e = {0};
        if (o->from || o->to)
            return hs_fail(err, HS_ERR_ARG, "--period '%s' names the whole "
                           "period: give it or --from/--to, not both",
                           o->period);
        if (hs_period_name_is_relative(o->period))
            return hs_fail(err, HS_ERR_ARG, "--period '%s': hotspot kde takes "
                           "a fixed period (fy2024, 2024q1, FROM:TO), not a "
                           "year to date", o->period);
        if (hs_period_parse(o->period, -1, &f->from, &f->to, &e) != HS_OK)
            return hs_fail(err, e.code, "--period %s", e.msg);
    } else if (o->from || o->to) {
        const char *a = o->from ? o->from : o->to, *b = o->to ? o->to : o->from;
        if (hs_month_parse(a, strlen(a), &f->from) ||
            hs_month_parse(b, strlen(b), &f->to) || f->from > f->to)
            return hs_fail(err, HS_ERR_ARG, "--from/--to: give months YYYY-MM, "
                           "--from not after --to");
    }
    if (!o->groups && !need_mapping)
        return HS_OK;
    char path[4096];
    snprintf(path, sizeof path, "%s/categories.csv", hs_data_dir());
    if (!(*cats = hs_categories_load(o->categories ? o->categories : path, err)))
        return err ? err->code : HS_ERR_IO;
    if (!o->groups)
        return HS_OK;
    char *list = strdup(o->groups), *save = NULL;
    if (!list)
        return hs_fail(err, HS_ERR_NOMEM, "out of memory");
    hs_status rc = HS_OK;
    for (char *t = strtok_r(list, ", ", &save); t && !rc;
         t = strtok_r(NULL, ", ", &save)) {
        int g = hs_categories_find_group(*cats, t);
        if (g < 0)
            rc = hs_fail(err, HS_ERR_ARG, "--groups: no group '%s' in the "
                         "category mapping", t);
        else if (f->ngroups < 64)
            f->groups[f->ngroups++] = g;
    }
    free(list);
    return rc;
}

/*
 * A GeoTIFF written while its surface is computed: the density says which
 * rows are final (rows_ready, on its threads) and a thread of ours writes
 * them, so that at the end only the last rows of tiles are left.
 */
typedef struct tif_stream {
    hs_tick *tick; /* progress: rows final */
    hs_geotiff *t;
    const float *vals;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t done;  /* rows final so far          */
    int finished; /* the density is over        */
    hs_status rc; /* the writing thread's result */
    hs_error err;
} tif_stream;

static void rows_ready(void *ctx, size_t done)
{
    tif_stream *ts = ctx;
    hs_tick_set(ts->tick, (long)done);
    pthread_mutex_lock(&ts->lock);
    ts->done = done;
    pthread_cond_signal(&ts->cond);
    pthread_mutex_unlock(&ts->lock);
}

static void *tif_writer(void *arg)
{
    tif_stream *ts = arg;
    size_t written = 0;
    for (;;) {
        pthread_mutex_lock(&ts->lock);
        while (ts->done == written && !ts->finished)
            pthread_cond_wait(&ts->cond, &ts->lock);
        size_t done = ts->done;
        pthread_mutex_unlock(&ts->lock);
        if (done == written)
            return NULL; /* finished */
        if (ts->rc == HS_OK)
            ts->rc = hs_geotiff_put_rows(ts->t, ts->vals, done, &ts->err);
        written = done;
    }
}

/* The density, into vals and, for a GeoTIFF, onto disk as rows finish;
 * the rows final are tick's units. */
static hs_status density(const double *x, const double *y, const float *w,
                         size_t n, hs_kernel k, double bw, const hs_kde_grid *g,
                         double scale, float *vals, double *total,
                         hs_geotiff *tif, hs_tick *tick, hs_error *err)
{
    tif_stream ts = {.tick = tick, .t = tif, .vals = vals,
                     .lock = PTHREAD_MUTEX_INITIALIZER,
                     .cond = PTHREAD_COND_INITIALIZER};
    pthread_t th;
    int writing = tif && pthread_create(&th, NULL, tif_writer, &ts) == 0;
    hs_status rc = hs_kde_compute_f32(x, y, w, n, k, bw, g, scale, vals, total,
                                      0, writing || tick ? rows_ready : NULL,
                                      &ts, err);
    if (!writing)
        return rc;
    pthread_mutex_lock(&ts.lock);
    ts.finished = 1;
    pthread_cond_signal(&ts.cond);
    pthread_mutex_unlock(&ts.lock);
    pthread_join(th, NULL);
    if (rc == HS_OK && ts.rc != HS_OK) {
        rc = ts.rc;
        if (err)
            *err = ts.err;
    }
    return rc;
}

/* --public: on or off, and its threshold (as hotspot run takes them). */
static hs_status parse_public(const hs_options *o, long *min, hs_error *err)
{
    *min = 0;
    if (!o->public_ || strcmp(o->public_, "no") == 0)
        return HS_OK;
    if (strcmp(o->public_, "yes") != 0)
        return hs_fail(err, HS_ERR_ARG, "--public '%s': use yes or no",
                       o->public_);
    const char *t = o->public_threshold ? o->public_threshold : "10";
    char *end;
    long v = strtol(t, &end, 10);
    if (*end || v < 1 || v > 1000000)
        return hs_fail(err, HS_ERR_ARG, "--public-threshold '%s': give a "
                       "whole number of at least 1, e.g. 10", t);
    *min = v;
    return HS_OK;
}

typedef struct crs_check {
    const char *crs;
    int geographic; /* 1, 0, or -1 if it cannot be resolved */
} crs_check;

static void *check_crs(void *arg)
{
    crs_check *c = arg;
    c->geographic = hs_crs_is_geographic(c->crs, NULL);
    return NULL;
}

static hs_status parse_extent(const char *s, double e[4], hs_error *err)
{
    if (sscanf(s, "%lf,%lf,%lf,%lf", &e[0], &e[1], &e[2], &e[3]) != 4 ||
        !(e[2] > e[0]) || !(e[3] > e[1]) || !isfinite(e[0] + e[1] + e[2] + e[3]))
        return hs_fail(err, HS_ERR_ARG, "--extent '%s': give xmin,ymin,xmax,ymax "
                       "with xmin < xmax and ymin < ymax", s);
    return HS_OK;
}

hs_status hs_kde_run(const hs_options *o, const hs_log *log,
                     hs_kde_summary *sum, hs_error *err)
{
    hs_status rc = HS_OK;
    hs_categories *cats = NULL;
    hs_incidents *inc = NULL;
    hs_ingest *ing = NULL;
    hs_geotiff *tif = NULL;
    char **files = NULL;
    size_t nfiles = 0, n = 0;
    double *x = NULL, *y = NULL;
    float *w = NULL, *vals = NULL;
    filter f;
    double t0 = now_s();
    const char *crs = o->crs ? o->crs : "EPSG:27700";
    const char *out = o->output ? o->output : "kde.tif";
    hs_ingest_opts io = {.analysis_crs = crs, .log = log};
    hs_ticker *tk = NULL;
    hs_tick *t_inc = NULL, *t_bw = NULL, *t_dens = NULL, *t_write = NULL;

    memset(sum, 0, sizeof *sum);
    hs_gdal_init(); /* before PROJ or GDAL open any SQLite database */
    if (!hs_has_ext(out, ".tif") && !hs_has_ext(out, ".tiff") &&
        !hs_has_ext(out, ".gpkg"))
        return hs_fail(err, HS_ERR_ARG, "--output '%s': give a .tif or .gpkg "
                       "file", out);
    if (o->n_incidents == 0)
        return hs_fail(err, HS_ERR_ARG, "no incidents: give --incidents PATH...");
    hs_status rc0 = hs_ingest_opts_columns(&io, o, err);
    if (rc0)
        return rc0;
    int kernel = hs_kernel_parse(o->kernel ? o->kernel : "quartic");
    double bw = 0, cell = 0, ext[4];
    int knn = 0, per_cell = 0;
    if (kernel < 0)
        return hs_fail(err, HS_ERR_ARG, "--kernel '%s': unknown kernel", o->kernel);
    if (hs_parse_bandwidth(o->bandwidth, &bw, &knn) != 0)
        return hs_fail(err, HS_ERR_ARG, "--bandwidth '%s': give metres (> 0), "
                       "auto or knn:K", o->bandwidth);
    if (o->cell && (sscanf(o->cell, "%lf", &cell) != 1 || !(cell > 0)))
        return hs_fail(err, HS_ERR_ARG, "--cell '%s': give metres > 0", o->cell);
    if (o->kde_units) {
        if (strcmp(o->kde_units, "km2") && strcmp(o->kde_units, "cell"))
            return hs_fail(err, HS_ERR_ARG, "--kde-units '%s': use km2 or cell",
                           o->kde_units);
        per_cell = strcmp(o->kde_units, "cell") == 0;
    }
    static const char *const comps[] = {"deflate", "lzw", "zstd", "none"};
    const char *comp = NULL;
    for (size_t i = 0; i < 4; i++)
        if (strcasecmp(o->compress ? o->compress : "none", comps[i]) == 0)
            comp = comps[i];
    if (!comp)
        return hs_fail(err, HS_ERR_ARG, "--compress '%s': use deflate, lzw, "
                       "zstd or none", o->compress);
    if (o->extent && (rc = parse_extent(o->extent, ext, err)))
        return rc;
    long public_min;
    if ((rc = parse_public(o, &public_min, err)))
        return rc;
    const char *exclude = public_min && o->public_exclude && *o->public_exclude
                              ? o->public_exclude : NULL;
    if ((rc = parse_filter(o, exclude != NULL, &cats, &f, err)))
        goto cleanup;
    io.optional_type = f.ngroups == 0;
    io.optional_date = f.to == 0;
    if (o->duplicates && hs_dup_rule_parse(o->duplicates, &io.duplicates) != 0) {
        rc = hs_fail(err, HS_ERR_ARG, "--duplicates '%s': give last, first or "
                     "keep", o->duplicates);
        goto cleanup;
    }
    /* without a group filter the mapping is not used: a stand-in will do */
    static const char none[] = "value,group\nincident,all\n";
    if (!cats && !(cats = hs_categories_load_mem(none, sizeof none - 1,
                                                 "(no mapping)", err))) {
        rc = err ? err->code : HS_ERR_NOMEM;
        goto cleanup;
    }
    if ((rc = hs_paths_expand((const char *const *)o->incidents, o->n_incidents,
                              &files, &nfiles, err)))
        goto cleanup;
    /* progress (core/ticker.h); weights: roughly the stages' shares of the
     * 1M-point benchmark */
    if ((tk = hs_ticker_create(log))) {
        t_inc = hs_ticker_stage(tk, "incidents", 3, (long)nfiles);
        t_bw = hs_ticker_stage(tk, "bandwidth", 1, 1);
        t_dens = hs_ticker_stage(tk, "density", 12, 0);
        t_write = hs_ticker_stage(tk, "writing", 2, 1);
    }
    hs_when when = {0};
    if (o->when && (rc = hs_when_parse(o->when, &when, err)))
        goto cleanup;
    /* only the columns the filters read: 32 bytes a point without them */
    unsigned cols = (f.to || when.n ? HS_COL_TIME : 0) |
                    (when.n ? HS_COL_SOURCE : 0) |
                    (f.ngroups || exclude ? HS_COL_TYPE : 0);
    if (!(inc = hs_incidents_create_cols(cols, err)) ||
        !(ing = hs_ingest_create(inc, &io, cats, err))) {
        rc = err ? err->code : HS_ERR_NOMEM;
        goto cleanup;
    }
    /* PROJ takes ~18 ms to resolve the CRS (measured): on another thread
     * while the incidents are read; a bad --crs is still the error told */
    crs_check cc = {.crs = crs};
    pthread_t crs_thread;
    int checking = pthread_create(&crs_thread, NULL, check_crs, &cc) == 0;
    if (!checking)
        check_crs(&cc);
    hs_tick_start(t_inc);
    for (size_t i = 0; i < nfiles && !rc; i++) {
        rc = hs_ingest_file(ing, files[i], err);
        hs_tick_add(t_inc, 1);
    }
    if (!rc)
        rc = hs_ingest_finish(ing, err);
    if (checking)
        pthread_join(crs_thread, NULL);
    if (cc.geographic != 0)
        rc = hs_fail(err, HS_ERR_ARG, "--crs '%s': give a projected CRS in "
                     "metres", crs);
    if (rc)
        goto cleanup;
    const hs_ingest_report *r = hs_ingest_get_report(ing);
    for (int k = 0; k < HS_SKIP_N; k++)
        if (r->skipped[k])
            hs_warn(log, "%ld row(s) skipped: %s (e.g. %s)", r->skipped[k],
                    hs_skip_name((hs_skip)k), r->example[k][0]);
    sum->rows_read = r->rows_read;
    sum->public_min = public_min;
    if (when.n) { /* --when, as hotspot run (when.h) */
        long outside, no_time;
        if ((rc = hs_when_filter(&when, inc, &outside, &no_time, err)))
            goto cleanup;
        double shares = 0;
        long partly = 0;
        for (size_t i = 0; inc->share && i < inc->n; i++) {
            shares += inc->share[i];
            partly += inc->share[i] < 1;
        }
        if (inc->share) /* windows of time: shares (when.h) */
            hs_note(log, "--when %s: %zu incident(s) inside, %ld of them partly "
                    "(their windows' shares inside add up to %.1f incidents), "
                    "%ld outside left out", when.text, inc->n, partly, shares,
                    outside);
        else
            hs_note(log, "--when %s: %zu incident(s) inside, %ld outside left "
                    "out", when.text, inc->n, outside);
        if (no_time)
            hs_warn(log, "--when: %ld incident(s) have a date but no time: "
                    "left out", no_time);
    }
    /* left out by location: without --groups, groups select nothing here */
    if (exclude && (rc = hs_privacy_exclude(inc, cats, exclude, 1, log,
                                            &sum->excluded, err)))
        goto cleanup;
    double t1 = now_s();
    sum->stage[0] = t1 - t0;
    hs_tick_end(t_inc);
    hs_tick_start(t_bw);


    /* The wanted points, compacted in place: the store is ours, and fresh
     * copies of 1M points cost 30-60 ms in page faults alone (measured). */
    x = inc->x;
    y = inc->y;
    w = inc->weight;
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < inc->n; i++)
        if (wanted(inc, i, &f)) {
            double px = x[i], py = y[i];
            x[n] = px;
            y[n] = py;
            if (inc->share) { /* --when (when.h): shares, kept for --public */
                w[n] = w[i] * inc->share[i];
                inc->share[n] = inc->share[i];
            } else {
                w[n] = w[i];
            }
            n++;
            xmin = px < xmin ? px : xmin;
            xmax = px > xmax ? px : xmax;
            ymin = py < ymin ? py : ymin;
            ymax = py > ymax ? py : ymax;
        }
    sum->points = (long)n;
    if (n == 0) {
        rc = hs_fail(err, HS_ERR_DATA, "no incidents with a location%s in %zu "
                     "file(s)", f.ngroups || f.to ? " match the filters" : "",
                     nfiles);
        goto cleanup;
    }
    if ((rc = hs_choose_bandwidth(x, y, n, bw, knn, &bw, sum->rule,
                                  sizeof sum->rule, err)))
        goto cleanup;
    double margin = hs_kernel_radius((hs_kernel)kernel, bw);
    if (o->extent) {
        xmin = ext[0];
        ymin = ext[1];
        xmax = ext[2];
        ymax = ext[3];
        margin = 0;
    }
    if (!(cell > 0))
        cell = hs_default_cell(xmin - margin, ymin - margin, xmax + margin,
                               ymax + margin);
    hs_kde_grid g;
    if ((rc = hs_aligned_grid(xmin, ymin, xmax, ymax, margin, cell, &g, err)))
        goto cleanup;
    size_t nc = g.cols * g.rows;
    double t2 = now_s();
    sum->stage[1] = t2 - t1;
    hs_tick_end(t_bw);
    hs_tick_total(t_dens, (long)g.rows);
    hs_tick_start(t_dens);
    vals = malloc(nc * sizeof *vals);
    hs_advise_huge(vals, nc * sizeof *vals);
    if (!vals) {
        rc = hs_fail(err, HS_ERR_NOMEM, "out of memory for %zu x %zu cells",
                     g.cols, g.rows);
        goto cleanup;
    }
    double scale = per_cell ? g.cell * g.cell : 1e6, total = 0;
    char desc[256];
    snprintf(desc, sizeof desc, "%s kernel, bandwidth %.0f m, cell %g m, %s",
             hs_kernel_name((hs_kernel)kernel), bw, g.cell,
             per_cell ? "expected incidents per cell" : "incidents per km2");
    hs_raster_spec rs = {g.x0, g.y0, g.cell, g.cols, g.rows, crs, desc,
                         "density", per_cell ? "incidents/cell" : "incidents/km2",
                         public_min ? HS_NODATA : NAN, comp};
    int gpkg = hs_has_ext(out, ".gpkg");
    if (!gpkg && !(tif = hs_geotiff_open(out, &rs, err))) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    /* public: no row may reach the file before its thin cells are blanked */
    if ((rc = density(x, y, w, n, (hs_kernel)kernel, bw, &g, scale, vals,
                      &total, public_min ? NULL : tif, t_dens, err)) ||
        (public_min && (rc = hs_blank_thin_cells(x, y, inc->share, n,
                                                 (hs_kernel)kernel,
                                                 bw, &g, public_min, vals,
                                                 &sum->blanked, err))))
        goto cleanup;
    sum->sum = total * g.cell * g.cell;
    double t3 = now_s();
    sum->stage[2] = t3 - t2; /* with most of the GeoTIFF's writing */
    hs_tick_end(t_dens);
    hs_tick_start(t_write);
    if (gpkg) {
        hs_gpkg *gp = hs_gpkg_create(out, NULL, err);
        if (!gp) {
            rc = err ? err->code : HS_ERR_IO;
            goto cleanup;
        }
        rc = hs_gpkg_add_raster(gp, "kde", &rs, vals, err);
        if (!rc)
            rc = hs_gpkg_commit(gp, err);
        hs_gpkg_destroy(gp);
    } else {
        rc = hs_geotiff_commit(tif, vals, err);
    }
    if (rc)
        goto cleanup;
    snprintf(sum->output, sizeof sum->output, "%s", out);
    sum->bandwidth = bw;
    sum->x0 = g.x0;
    sum->y0 = g.y0;
    sum->cell = g.cell;
    sum->cols = g.cols;
    sum->rows = g.rows;
    sum->seconds = now_s() - t0;
    sum->stage[3] = now_s() - t3;
    hs_ticker_finish(tk);
cleanup:
    hs_ticker_destroy(tk);
    hs_geotiff_destroy(tif);
    free(vals);
    hs_ingest_destroy(ing);
    hs_incidents_destroy(inc);
    hs_categories_destroy(cats);
    hs_paths_free(files);
    return rc;
}
