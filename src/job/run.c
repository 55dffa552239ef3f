/* run.c - the main job: options, inputs, assignment, rates and surfaces,
 * then layers.c writes the GeoPackage's layers and styles.c their styles
 * and project (see hs_run.h, job.h). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/bandwidth.h"
#include "core/keep.h"
#include "input/crs.h"
#include "input/pgsource.h"
#include "input/periods.h"
#include "input/vector.h"
#include "input/when.h"
#include "job/job.h"
#include "job/styles.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- parsing options ---------------------------------------------------- */

static hs_status parse_month(const char *s, const char *flag, int32_t *m,
                             hs_error *err)
{
    if (hs_month_parse(s, strlen(s), m) != 0)
        return hs_fail(err, HS_ERR_ARG, "%s '%s': expected a month YYYY-MM",
                       flag, s);
    return HS_OK;
}

/* --period: usage errors before any work is done; the name itself is
 * resolved in periods(), once the data's last month is known (-ytd). */
static hs_status check_period(const hs_options *o, hs_error *err)
{
    hs_error e = {0};
    if (!o->period)
        return HS_OK;
    if (o->from || o->to)
        return hs_fail(err, HS_ERR_ARG, "--period '%s' names the whole "
                       "period: give it or --from/--to, not both", o->period);
    if (hs_period_check(o->period, &e) != HS_OK)
        return hs_fail(err, e.code, "--period %s", e.msg);
    return HS_OK;
}

static int yes_no(const char *v, const char *dflt, const char *flag, int *out,
                  hs_error *err)
{
    const char *x = hs_or_default(v, dflt);
    if (strcmp(x, "yes") && strcmp(x, "no"))
        return hs_fail(err, HS_ERR_ARG, "%s '%s': use yes or no", flag, x);
    *out = strcmp(x, "yes") == 0;
    return HS_OK;
}

/* --public, --public-threshold: no incident points; the threshold goes
 * to the surfaces (hotspots and cells) and to the suppression. */
static hs_status parse_public(job *j, int *is_public, long *min,
                              hs_error *err)
{
    const hs_options *o = j->o;
    hs_status rc = yes_no(o->public_, "no", "--public", is_public, err);
    if (rc || !*is_public)
        return rc;
    char *end;
    const char *t = hs_or_default(o->public_threshold, "10");
    long v = strtol(t, &end, 10);
    if (*end || v < 1 || v > 1000000)
        return hs_fail(err, HS_ERR_ARG, "--public-threshold '%s': give a "
                       "whole number of at least 1, e.g. 10", t);
    j->write_points = 0;
    *min = v;
    return HS_OK;
}

/* s as a whole number in [lo, hi] into *v; -1 if it is not one. */
static int whole(const char *s, long lo, long hi, long *v)
{
    char *end;
    long x = strtol(s, &end, 10);
    if (!*s || *end || x < lo || x > hi)
        return -1;
    *v = x;
    return 0;
}

static hs_status parse_surface_opts(job *j, hs_error *err)
{
    const hs_options *o = j->o;
    hs_surface_opts *so = &j->sopt;
    int masked = 1, k;
    char *end;
    hs_status rc;
    memset(so, 0, sizeof *so);
    if ((rc = yes_no(o->kde, "yes", "--kde", &j->kde, err)) ||
        (rc = yes_no(o->kde_mask, "yes", "--kde-mask", &masked, err)))
        return rc;
    so->unmasked = !masked;
    if ((k = hs_kernel_parse(hs_or_default(o->kernel, "quartic"))) < 0)
        return hs_fail(err, HS_ERR_ARG, "--kernel '%s': use quartic, "
                       "triangular, uniform, triweight, epanechnikov or "
                       "gaussian", o->kernel);
    so->kernel = (hs_kernel)k;
    const char *bw = hs_or_default(o->bandwidth, "backtest");
    j->by_backtest = strcmp(bw, "backtest") == 0;
    if (!j->by_backtest &&
        hs_parse_bandwidth(bw, &so->bandwidth, &so->knn_k) != 0)
        return hs_fail(err, HS_ERR_ARG, "--bandwidth '%s': give metres (> 0), "
                       "backtest, auto or knn:K (K 1..64)", o->bandwidth);
    hs_backtest_opts *bo = &j->bopt;
    memset(bo, 0, sizeof *bo);
    bo->train = HS_BACKTEST_TRAIN;
    bo->windows = HS_BACKTEST_WINDOWS;
    long v;
    if (o->backtest_train) {
        if (whole(o->backtest_train, 1, HS_BACKTEST_MAX_TRAIN, &v))
            return hs_fail(err, HS_ERR_ARG, "--backtest-train '%s': give a "
                           "number of months, 1..60", o->backtest_train);
        bo->train = (int)v;
    }
    if (o->backtest_windows) {
        if (whole(o->backtest_windows, 1, 120, &v))
            return hs_fail(err, HS_ERR_ARG, "--backtest-windows '%s': give a "
                           "number of windows, 1..120", o->backtest_windows);
        bo->windows = (int)v;
    }
    /* given but empty is an error, not the default */
    if (hs_backtest_parse_bandwidths(o->backtest_bandwidths ? o->backtest_bandwidths
                                                            : HS_BACKTEST_LADDER,
                                     bo) != 0)
        return hs_fail(err, HS_ERR_ARG, "--backtest-bandwidths '%s': give up to "
                       "%d increasing bandwidths in metres, e.g. %s",
                       o->backtest_bandwidths, HS_BACKTEST_MAX_BW,
                       HS_BACKTEST_LADDER);
    bo->kernel = so->kernel;
    /* fine enough for the smallest candidate, so that street-level
     * hotspots are possible by default (README) */
    so->cell = bo->bw[0] / 2;
    if (o->cell) {
        so->cell = strtod(o->cell, &end);
        if (*end || !isfinite(so->cell) || so->cell <= 0)
            return hs_fail(err, HS_ERR_ARG, "--cell '%s': give metres > 0",
                           o->cell);
    }
    const char *units = hs_or_default(o->kde_units, "km2");
    if (strcmp(units, "km2") && strcmp(units, "cell"))
        return hs_fail(err, HS_ERR_ARG, "--kde-units '%s': use km2 or cell",
                       units);
    so->per_cell = strcmp(units, "cell") == 0;
    hs_hotspot_opts_default(&so->hot);
    const char *m = hs_or_default(o->hotspot_method, "mean-multiple");
    if (strcmp(m, "mean-multiple") == 0)
        so->hot.method = HS_THRESH_MEAN_MULTIPLE;
    else if (strcmp(m, "mean-sd") == 0)
        so->hot.method = HS_THRESH_MEAN_SD;
    else
        return hs_fail(err, HS_ERR_ARG, "--hotspot-method '%s': use "
                       "mean-multiple or mean-sd", m);
    if (o->hotspot_class) {
        if (whole(o->hotspot_class, 1, HS_HOTSPOT_MAX_BREAKS, &v))
            return hs_fail(err, HS_ERR_ARG, "--hotspot-class '%s': give a "
                           "class number 1..%d", o->hotspot_class,
                           HS_HOTSPOT_MAX_BREAKS);
        so->hot.hot_class = (int)v;
    }
    if (o->hotspot_breaks && hs_parse_breaks(o->hotspot_breaks, &so->hot) != 0)
        return hs_fail(err, HS_ERR_ARG, "--hotspot-breaks '%s': give up to %d "
                       "increasing numbers, e.g. 1,2,3,4,5", o->hotspot_breaks,
                       HS_HOTSPOT_MAX_BREAKS);
    if (so->hot.hot_class > so->hot.nk)
        return hs_fail(err, HS_ERR_ARG, "--hotspot-class %d: there are only "
                       "%d breaks", so->hot.hot_class, so->hot.nk);
    const char *edge = hs_or_default(o->kde_edge, "clip");
    if (strcmp(edge, "clip") && strcmp(edge, "buffer"))
        return hs_fail(err, HS_ERR_ARG, "--kde-edge '%s': use clip or buffer",
                       edge);
    j->kde_edge = strcmp(edge, "buffer") == 0;
    so->min_incidents = HS_HOTSPOT_MIN_INCIDENTS;
    if (o->hotspot_min_incidents &&
        whole(o->hotspot_min_incidents, 0, LONG_MAX, &so->min_incidents))
        return hs_fail(err, HS_ERR_ARG, "--hotspot-min-incidents '%s': "
                       "give a whole number >= 0", o->hotspot_min_incidents);
    so->task_share = HS_TASK_MAX_SHARE;
    if (o->tasking_share) {
        so->task_share = strtod(o->tasking_share, &end);
        if (*end || !(so->task_share > 0 && so->task_share <= 1))
            return hs_fail(err, HS_ERR_ARG, "--tasking-share '%s': give a "
                           "share in (0, 1], e.g. 0.03", o->tasking_share);
    }
    bo->share = so->task_share;
    return HS_OK;
}

/* --gistar, --gi-grid, --gi-cell, --gi-distance, --gi-permutations,
 * --gi-seed, --gi-fdr (gistar.h). */
static hs_status parse_gi_opts(job *j, hs_error *err)
{
    const hs_options *o = j->o;
    hs_status rc;
    if ((rc = yes_no(o->gistar, "yes", "--gistar", &j->gistar, err)) ||
        (rc = yes_no(o->gi_fdr, "yes", "--gi-fdr", &j->gopt.fdr, err)))
        return rc;
    const char *grid = hs_or_default(o->gi_grid, "square");
    if (strcmp(grid, "square") && strcmp(grid, "hex"))
        return hs_fail(err, HS_ERR_ARG, "--gi-grid '%s': use square or hex", grid);
    j->gopt.hex = strcmp(grid, "hex") == 0;
    const char *flag[2] = {"--gi-cell", "--gi-distance"};
    const char *val[2] = {hs_or_default(o->gi_cell, "auto"),
                          hs_or_default(o->gi_distance, "auto")};
    double *dst[2] = {&j->gi_cell, &j->gopt.distance};
    for (int k = 0; k < 2; k++) {
        char *end;
        *dst[k] = 0;
        if (strcmp(val[k], "auto") == 0)
            continue;
        *dst[k] = strtod(val[k], &end);
        if (*end || !(*dst[k] > 0) || !isfinite(*dst[k]))
            return hs_fail(err, HS_ERR_ARG, "%s '%s': give metres above 0 or "
                           "auto", flag[k], val[k]);
    }
    long v = HS_GI_PERMUTATIONS;
    if (o->gi_permutations && whole(o->gi_permutations, 0, 99999, &v))
        return hs_fail(err, HS_ERR_ARG, "--gi-permutations '%s': give a whole "
                       "number, 0 to 99999", o->gi_permutations);
    j->gopt.permutations = (int)v;
    v = HS_GI_SEED;
    if (o->gi_seed && whole(o->gi_seed, 0, LONG_MAX, &v))
        return hs_fail(err, HS_ERR_ARG, "--gi-seed '%s': give a whole number "
                       ">= 0", o->gi_seed);
    j->gopt.seed = (uint64_t)v;
    if ((rc = yes_no(o->emerging, "yes", "--emerging", &j->emerging, err)))
        return rc;
    v = 199;
    if (o->emerging_permutations && whole(o->emerging_permutations, 0, 99999, &v))
        return hs_fail(err, HS_ERR_ARG, "--emerging-permutations '%s': give a "
                       "whole number, 0 to 99999", o->emerging_permutations);
    j->eopt = (hs_emerging_opts){.permutations = (int)v, .seed = j->gopt.seed,
                                 .fdr = j->gopt.fdr};
    if ((rc = yes_no(o->lisa, "yes", "--lisa", &j->lisa, err)))
        return rc;
    v = HS_LISA_PERMUTATIONS;
    if (o->lisa_permutations && whole(o->lisa_permutations, 1, 99999, &v))
        return hs_fail(err, HS_ERR_ARG, "--lisa-permutations '%s': give a "
                       "whole number, 1 to 99999", o->lisa_permutations);
    j->lopt = (hs_lisa_opts){.var = HS_LISA_EB, .permutations = (int)v,
                             .seed = j->gopt.seed, .fdr = j->gopt.fdr,
                             .alpha = HS_LISA_ALPHA};
    v = 4;
    if (o->peak_hours && whole(o->peak_hours, 1, 24, &v))
        return hs_fail(err, HS_ERR_ARG, "--peak-hours '%s': give a whole "
                       "number of hours, 1 to 24", o->peak_hours);
    j->peak_hours = (int)v;
    return HS_OK;
}

/* --previous: each group's hotspots of the earlier run, which must end
 * before this one (its hotspots are matched to them when written). */
static hs_status read_previous(job *j, hs_error *err)
{
    const char *path = j->o->previous;
    if (!path || !j->kde)
        return HS_OK;
    for (size_t g = 0; g < j->ngroups; g++) {
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        if (!(j->prev[g] = hs_previous_read(path, gname, j->crs, err)))
            return err ? err->code : HS_ERR_IO;
        if (j->prev[g]->period_end >= j->agg.cur.to) {
            char a[8], b[8];
            hs_month_format(j->prev[g]->period_end, a);
            hs_month_format(j->agg.cur.to, b);
            return hs_fail(err, HS_ERR_ARG, "--previous '%s': its period ends "
                           "%s, not before this run's (%s); give the run of an "
                           "earlier month, or --to", path, a, b);
        }
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

/* Sets *counter (j->surf_ready, gi_ready or lisa_ready) to ready: hands
 * what it counts to the writer thread. */
static void hand_over(job *j, size_t *counter, size_t ready)
{
    pthread_mutex_lock(&j->surf_lock);
    *counter = ready;
    pthread_cond_broadcast(&j->surf_cond);
    pthread_mutex_unlock(&j->surf_lock);
}

/* Hands surfaces [0, ready) to the writer thread. */
static void publish(job *j, size_t ready)
{
    hand_over(j, &j->surf_ready, ready);
}

/* Hands Gi* and emerging hot spots [0, ready) to the writer thread. */
static void publish_gi(job *j, size_t ready)
{
    hand_over(j, &j->gi_ready, ready);
}

/* The back-test's grid: the study area's extent on whole multiples of the
 * run's cell.  Its unmasked cells are those of every group's grid (a
 * surface's margin only adds masked cells), so budgets and PAI are the
 * same as on the run's own grids. */
static hs_status backtest_grid(job *j, hs_kde_grid *g, int32_t **labels,
                               hs_error *err)
{
    double xmin, ymin, xmax, ymax;
    hs_status rc;
    hs_areas_extent(j->areas, &xmin, &ymin, &xmax, &ymax);
    if ((rc = hs_aligned_grid(xmin, ymin, xmax, ymax, 0, j->sopt.cell, g, err)))
        return rc;
    if (!(*labels = malloc(g->cols * g->rows * sizeof **labels)))
        return hs_fail(err, HS_ERR_NOMEM, "back-test: out of memory for %zu x "
                       "%zu cells", g->cols, g->rows);
    return hs_areas_rasterize(j->areas, g->x0, g->y0, g->cell, g->cols, g->rows,
                              *labels, err);
}

/* One group's incidents, gathered for a surface or a back-test: room for
 * every incident of the store. */
typedef struct pts {
    double *x, *y;
    float *w;          /* weight x share, for the surfaces            */
    float *share;      /* --when's shares (when.h); NULL: whole       */
    int32_t *loc, *month;
    unsigned char *in; /* in the study area */
} pts;

static void pts_free(pts *p)
{
    free(p->x);
    free(p->y);
    free(p->w);
    free(p->share);
    free(p->loc);
    free(p->month);
    free(p->in);
}

static int pts_alloc(pts *p, size_t n, int shares)
{
    p->x = malloc((n + 1) * sizeof *p->x);
    p->y = malloc((n + 1) * sizeof *p->y);
    p->w = malloc((n + 1) * sizeof *p->w);
    p->share = shares ? malloc((n + 1) * sizeof *p->share) : NULL;
    p->loc = malloc((n + 1) * sizeof *p->loc);
    p->month = malloc((n + 1) * sizeof *p->month);
    p->in = malloc(n + 1);
    return p->x && p->y && p->w && (p->share || !shares) && p->loc &&
           p->month && p->in;
}

/* Group g's back-test over the months up to the period's end: every
 * candidate (--bandwidth backtest) or the bandwidth bw given. */
static hs_status backtest(job *j, size_t g, pts *p, const hs_kde_grid *bg,
                          const int32_t *labels, int32_t first, double bw,
                          hs_keep *keep, hs_error *err)
{
    const hs_incidents *s = j->inc;
    hs_backtest_opts bo = j->bopt;
    bo.keep = keep;
    bo.spacing = j->spacing;
    bo.tick = j->tk.backtest;
    if (!j->by_backtest) {
        bo.bw[0] = bw;
        bo.nbw = 1;
    }
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->group[i] == j->groups[g] && !isnan(s->x[i]) &&
            s->month[i] <= j->agg.cur.to && (s->area[i] >= 0 || j->kde_edge)) {
            p->x[n] = s->x[i];
            p->y[n] = s->y[i];
            p->w[n] = s->share ? s->weight[i] * s->share[i] : s->weight[i];
            if (s->share)
                p->share[n] = s->share[i];
            p->month[n] = s->month[i];
            p->in[n++] = s->area[i] >= 0;
        }
    double t0 = now_s();
    hs_status rc = hs_backtest_run(p->x, p->y, p->w, p->share, p->month,
                                   j->kde_edge ? p->in : NULL, n, bg, labels,
                                   first, j->agg.cur.to, &bo, &j->bt[g], err);
    j->bt_seconds += now_s() - t0;
    j->has_bt[g] = rc == HS_OK;
    return rc;
}

/* Density surfaces, hotspots and tasking for every group, from the
 * incidents with a location in the analysis period, with the back-test of
 * the bandwidth (backtest.h). */
static hs_status surfaces(job *j, hs_error *err)
{
    const hs_incidents *s = j->inc;
    size_t n = 0;
    pts p = {0}, bp = {0}; /* the period's, the back-test's */
    double *per_area = malloc((hs_areas_count(j->areas) + 1) * sizeof *per_area);
    hs_label_cache cache = {0};
    hs_kde_grid bg;
    int32_t *blabels = NULL;
    hs_status rc = HS_OK;
    /* the back-test's grids, group after group (NULL: fresh each time) */
    hs_keep *keep = hs_keep_create();
    hs_tick_start(j->tk.density);
    if (!pts_alloc(&p, s->n, s->share != NULL) ||
        !pts_alloc(&bp, s->n, s->share != NULL) || !per_area) {
        rc = hs_fail(err, HS_ERR_NOMEM, "density surfaces: out of memory");
        goto done;
    }
    /* police.uk snaps incidents to anonymous map points: a bandwidth below
     * their typical spacing maps the snapping, not the crime.  Measured on
     * the study area's incidents, as everything below (surfaces.h). */
    int32_t first = INT32_MAX;
    for (size_t i = 0; i < s->n; i++) {
        first = s->month[i] < first ? s->month[i] : first;
        if (!isnan(s->x[i]) && s->area[i] >= 0 && s->month[i] >= j->agg.cur.from &&
            s->month[i] <= j->agg.cur.to) {
            p.x[n] = s->x[i];
            p.y[n++] = s->y[i];
        }
    }
    double mean;
    if ((rc = hs_knn_distance(p.x, p.y, n, 1, 20000, &mean, &j->spacing,
                              &j->distinct, err)) ||
        (rc = backtest_grid(j, &bg, &blabels, err)))
        goto done;
    j->bt_grid = bg;
    /* progress: the back-test's rows (windows x bandwidths, its windows by
     * backtest.h's rule: the last `windows` months t with t - train >=
     * first), a group a unit of the density */
    long nwin = (long)j->agg.cur.to - j->bopt.train - first + 1;
    nwin = nwin < 0 ? 0 : nwin > j->bopt.windows ? j->bopt.windows : nwin;
    long bt_rows = nwin * (long)(j->by_backtest ? j->bopt.nbw : 1);
    hs_tick_total(j->tk.backtest, bt_rows * (long)j->ngroups);
    hs_tick_start(j->tk.backtest);
    for (size_t g = 0; g < j->ngroups; g++) {
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        char prefix[8];
        id_prefix(gname, prefix);
        /* the groups before are over, whatever they did */
        hs_tick_set(j->tk.backtest, bt_rows * (long)g);
        hs_tick_set(j->tk.density, (long)g);
        /* the study area's incidents first; then, with --kde-edge buffer,
         * those outside it, which add density only */
        n = 0;
        size_t n_in = 0;
        for (int pass = 0; pass < 1 + j->kde_edge; pass++)
            for (size_t i = 0; i < s->n; i++)
                if (s->group[i] == j->groups[g] && !isnan(s->x[i]) &&
                    (s->area[i] >= 0) == (pass == 0) &&
                    s->month[i] >= j->agg.cur.from && s->month[i] <= j->agg.cur.to) {
                    p.x[n] = s->x[i];
                    p.y[n] = s->y[i];
                    p.w[n] = s->share ? s->weight[i] * s->share[i] : s->weight[i];
                    if (s->share)
                        p.share[n] = s->share[i];
                    p.loc[n++] = s->location[i];
                    n_in += pass == 0;
                }
        for (size_t a = 0; a < hs_areas_count(j->areas); a++)
            per_area[a] = (double)j->rates->r[g * j->rates->nareas + a].count;
        /* the bandwidth: given, or by a rule on the period's incidents, or
         * the back-test's choice */
        hs_surface_opts so = j->sopt;
        char rule[96];
        double bw = 0;
        hs_error e2 = {0};
        hs_status r2 = HS_OK;
        if (!j->by_backtest)
            r2 = hs_choose_bandwidth(p.x, p.y, n_in, so.bandwidth, so.knn_k, &bw,
                                     rule, sizeof rule, &e2);
        if (!r2)
            r2 = backtest(j, g, &bp, &bg, blabels, first, bw, keep, &e2);
        hs_tick_set(j->tk.backtest, bt_rows * (long)(g + 1));
        if (!r2 && j->by_backtest) {
            const hs_backtest *bt = &j->bt[g];
            if (bt->best < j->bopt.nbw) {
                bw = j->bopt.bw[bt->best];
                snprintf(rule, sizeof rule, "back-test: highest mean PAI, %.2f "
                         "over %ld months", bt->mean_pai[bt->best],
                         bt->scored[bt->best]);
            } else { /* no window to judge by: the middle candidate */
                bw = j->bopt.bw[j->bopt.nbw / 2];
                snprintf(rule, sizeof rule, "no back-test (fewer than %d months "
                         "of data): the middle candidate", j->bopt.train + 1);
                hs_warn(j->log, "%s: too few months of data to back-test (at "
                        "least %d needed): bandwidth %.0f m, the middle "
                        "candidate", gname, j->bopt.train + 1, bw);
            }
        }
        if (!r2) {
            so.bandwidth = bw;
            so.knn_k = 0;
            for (size_t r = 0; r < j->bt[g].nrows; r++) /* the one used */
                j->bt[g].rows[r].chosen = j->bt[g].rows[r].bandwidth == bw;
            r2 = hs_surface_compute(j->areas, p.x, p.y, p.w, p.share, p.loc, n_in,
                                    n - n_in, prefix, per_area, &so, &cache,
                                    &j->surf[g], &e2);
        }
        if (r2 == HS_ERR_DATA) { /* too few incidents: say so, go on */
            hs_warn(j->log, "%s: no density surface: %s", gname, e2.msg);
            publish(j, g + 1);
            continue;
        }
        if (r2) {
            if (err)
                *err = e2;
            rc = r2;
            goto done;
        }
        snprintf(j->surf[g].bandwidth_rule, sizeof j->surf[g].bandwidth_rule,
                 "%s", rule);
        j->has_surf[g] = 1;
        hs_tick_add(j->tk.density, 1);
        publish(j, g + 1);
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
    hs_tick_end(j->tk.backtest);
    hs_tick_end(j->tk.density);
done:
    publish(j, j->ngroups); /* the writer waits for no more */
    hs_keep_destroy(keep);
    hs_label_cache_free(&cache);
    free(blabels);
    pts_free(&p);
    pts_free(&bp);
    free(per_area);
    return rc;
}

/* The Gi* lattice of `cell` over the study area and its cells' areas by
 * the cell-centre rule (*labels: malloc'd, the caller frees). */
static hs_status gi_lattice(job *j, double cell, hs_grid_geom *gg,
                            int32_t **labels, hs_error *err)
{
    double xmin, ymin, xmax, ymax, *cx = NULL, *cy = NULL;
    hs_status rc;
    free(*labels);
    *labels = NULL;
    hs_areas_extent(j->areas, &xmin, &ymin, &xmax, &ymax);
    if (!j->gopt.hex) {
        hs_kde_grid kg;
        if ((rc = hs_aligned_grid(xmin, ymin, xmax, ymax, 0, cell, &kg, err)))
            return rc;
        *gg = (hs_grid_geom){kg.x0, kg.y0, kg.cell, kg.cols, kg.rows};
    } else if ((rc = hs_gi_hex_grid(xmin, ymin, xmax, ymax, cell, gg, err))) {
        return rc;
    }
    size_t nc = gg->cols * gg->rows;
    if (!(*labels = malloc(nc * sizeof **labels)))
        return hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory for %zu cells", nc);
    if (!j->gopt.hex)
        return hs_areas_rasterize(j->areas, gg->x0, gg->y0, gg->cell, gg->cols,
                                  gg->rows, *labels, err);
    cx = malloc(nc * sizeof *cx);
    cy = malloc(nc * sizeof *cy);
    if (!cx || !cy) {
        rc = hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory for %zu cells", nc);
    } else {
        for (size_t i = 0; i < nc; i++)
            hs_gi_centre(gg, 1, i, &cx[i], &cy[i]);
        rc = hs_areas_assign(j->areas, cx, cy, nc, *labels, err);
    }
    free(cx);
    free(cy);
    return rc;
}

/* Local Moran's I of every group's EB-standardised rates over the areas'
 * queen neighbours (lisa.h).  Areas without a population are left out;
 * with --public, so are areas whose count is suppressed (their values are
 * then used nowhere). */
static hs_status lisas(job *j, hs_error *err)
{
    const hs_rates *R = j->rates;
    size_t na = R->nareas;
    hs_status rc = HS_OK;
    int any = 0;
    for (size_t a = 0; a < na; a++)
        any |= !isnan(hs_areas_population(j->areas, a)) && hs_areas_population(j->areas, a) > 0;
    if (!any) {
        hs_note(j->log, "no local Moran (lisa_<group>): no area has a population");
        hs_tick_end(j->tk.lisa);
        return HS_OK;
    }
    hs_tick_start(j->tk.lisa);
    double *cnt = malloc((na + 1) * sizeof *cnt), *pop = malloc((na + 1) * sizeof *pop);
    if (!cnt || !pop) {
        rc = hs_fail(err, HS_ERR_NOMEM, "local Moran: out of memory");
        goto done;
    }
    if ((rc = hs_contiguity_queen(j->areas, HS_CONTIGUITY_SNAP, &j->nb, err)))
        goto done;
    for (size_t g = 0; g < R->ngroups; g++) {
        for (size_t a = 0; a < na; a++) {
            const hs_rate *r = &R->r[g * na + a];
            cnt[a] = hs_privacy_cur(j->priv, g, a) ? NAN : (double)r->count;
            pop[a] = r->population;
        }
        if ((rc = hs_lisa_rates(cnt, pop, na, &j->nb, &j->lopt, &j->li[g], err)))
            goto done;
        j->has_lisa[g] = 1;
        hs_tick_add(j->tk.lisa, 1);
    }
done:
    free(cnt);
    free(pop);
    return rc;
}

/* Emerging hot spots of group g (emerging.h) on its Gi* cells, from the
 * incidents Gi* counted (in the cells it put them in), in months mon (0 =
 * the period's first), with shares sh (NULL: whole), in the order
 * gistars() gave them.  The counts and the cube in keep, one for all the
 * groups (keep.h): only the cells' results are written. */
static hs_status emerging(job *j, size_t g, const int32_t *mon,
                          const float *sh, hs_keep *keep, hs_error *err)
{
    const hs_gi *gi = &j->gi[g];
    size_t T = (size_t)(j->agg.cur.to - j->agg.cur.from + 1), n = gi->n;
    double *count = NULL;
    size_t *st = NULL;
    uint32_t *nb = NULL;
    hs_status rc;
    hs_emerging_opts eo = j->eopt;
    eo.keep = keep; /* its slots from HS_EMERGING_SLOTS on are ours */
    if (n == 0)
        return HS_OK;
    if (!(count = hs_keep_take(keep, HS_EMERGING_SLOTS, T * n * sizeof *count, 1)))
        return hs_fail(err, HS_ERR_NOMEM, "emerging hot spots: out of memory "
                       "for %zu cells x %zu months", n, T);
    /* in Gi*'s cells, each incident its share inside --when (when.h) */
    for (size_t q = 0; q < gi->npoints; q++)
        if (gi->point_cell[q] >= 0 && mon[q] >= 0 && (size_t)mon[q] < T)
            count[(size_t)mon[q] * n + (size_t)gi->point_cell[q]] += sh ? sh[q] : 1;
    if ((rc = hs_gi_neighbours(gi, &j->gi_grid[g], keep, HS_EMERGING_SLOTS + 1,
                               &st, &nb, err)) ||
        (rc = hs_emerging_compute(n, T, count, st, nb, &eo, &j->em[g], err)))
        return rc;
    j->has_em[g] = 1;
    return HS_OK;
}

/* Gi* hot and cold spots of every group, from its incidents with a
 * location in the analysis period and in the study area, on a grid of its
 * own cell (gistar.h), and their emerging hot spots. */
static hs_status gistars(job *j, hs_error *err)
{
    const hs_incidents *s = j->inc;
    hs_status rc = HS_OK;
    double *x = malloc((s->n + 1) * sizeof *x), *y = malloc((s->n + 1) * sizeof *y);
    double *d = NULL;
    int32_t *labels = NULL, *mon = malloc((s->n + 1) * sizeof *mon);
    float *sh = s->share ? malloc((s->n + 1) * sizeof *sh) : NULL;
    hs_keep *keep = j->emerging ? hs_keep_create() : NULL;
    if (!x || !y || !mon || (s->share && !sh) || (j->emerging && !keep)) {
        rc = hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory");
        goto done;
    }
    hs_tick_start(j->tk.gistar);
    for (size_t g = 0; g < j->ngroups; g++) {
        const char *gname = hs_categories_group_name(j->cats, j->groups[g]);
        size_t n = 0, nd = 0;
        publish_gi(j, 2 * g); /* the groups before: final, whatever they did */
        hs_tick_set(j->tk.gistar, (long)g); /* groups before: over */
        hs_tick_set(j->tk.emerging, (long)g);
        for (size_t i = 0; i < s->n; i++)
            if (s->group[i] == j->groups[g] && !isnan(s->x[i]) && s->area[i] >= 0 &&
                s->month[i] >= j->agg.cur.from && s->month[i] <= j->agg.cur.to) {
                x[n] = s->x[i];
                mon[n] = s->month[i] - j->agg.cur.from;
                if (sh)
                    sh[n] = s->share[i];
                y[n++] = s->y[i];
            }
        double cell = j->gi_cell;
        if (cell > 0) {
            snprintf(j->gi_cell_rule[g], sizeof j->gi_cell_rule[g], "fixed");
        } else {
            free(d);
            d = NULL;
            if ((rc = hs_nn_distances(x, y, n, &d, &nd, err)))
                goto done;
            cell = hs_gi_auto_cell(d, nd);
            snprintf(j->gi_cell_rule[g], sizeof j->gi_cell_rule[g],
                     "ArcGIS Optimized Hot Spot Analysis: from %zu distinct "
                     "locations' nearest-neighbour distances", nd);
            /* exact coordinates can give 20 m cells: 11M over a county
             * (a hexagon covers sqrt(3)/2 cell²) */
            double km2 = 0;
            for (size_t a = 0; a < hs_areas_count(j->areas); a++)
                km2 += hs_areas_km2(j->areas, a);
            double floor_cell = ceil(sqrt(km2 * 1e6 / HS_GI_MAX_CELLS /
                                          (j->gopt.hex ? sqrt(3) / 2 : 1)));
            if (cell > 0 && cell < floor_cell) {
                snprintf(j->gi_cell_rule[g], sizeof j->gi_cell_rule[g],
                         "ArcGIS Optimized Hot Spot Analysis gives %.0f m; "
                         "raised so the study area holds at most %d cells",
                         cell, HS_GI_MAX_CELLS);
                cell = floor_cell;
            }
        }
        if (!(cell > 0)) {
            hs_warn(j->log, "%s: no Gi* hot spots: too few distinct incident "
                    "locations for an automatic cell; give --gi-cell", gname);
            continue;
        }
        hs_grid_geom gg;
        if ((rc = gi_lattice(j, cell, &gg, &labels, err)))
            goto done;
        if ((rc = hs_gi_compute(labels, &gg, x, y, sh, n, &j->gopt, &j->gi[g], err)))
            goto done;
        j->gi_grid[g] = gg;
        if (!(j->gi_area[g] = malloc((j->gi[g].n + 1) * sizeof *j->gi_area[g]))) {
            rc = hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory");
            goto done;
        }
        for (size_t i = 0; i < j->gi[g].n; i++)
            j->gi_area[g][i] = labels[j->gi[g].cell[i]];
        j->has_gi[g] = 1;
        publish_gi(j, 2 * g + 1); /* its layer written while emerging runs */
        hs_tick_add(j->tk.gistar, 1);
        if (j->emerging && (rc = emerging(j, g, mon, sh, keep, err)))
            goto done;
        hs_tick_add(j->tk.emerging, 1);
    }
    hs_tick_end(j->tk.gistar);
    hs_tick_end(j->tk.emerging);
done:
    publish_gi(j, 2 * j->ngroups); /* the writer waits for no more */
    hs_keep_destroy(keep);
    free(sh);
    free(x);
    free(y);
    free(mon);
    free(d);
    free(labels);
    return rc;
}

/* ---- inputs ------------------------------------------------------------ */

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

/* A file none of whose located rows lies in any area almost always has
 * its coordinates misread (longitude and latitude swapped, or numbers in
 * another CRS than declared): name the file and say so, once per file. */
static hs_status warn_misplaced(job *j, hs_error *err)
{
    const hs_incidents *s = j->inc;
    if (j->by_lsoa || !s->file || !s->row || !s->area || s->n == 0)
        return HS_OK;
    size_t nf = hs_pool_count(s->files);
    long *located = calloc(2 * nf + 1, sizeof *located);
    size_t *first = calloc(nf + 1, sizeof *first);
    if (!located || !first) {
        free(located);
        free(first);
        return hs_fail(err, HS_ERR_NOMEM, "out of memory");
    }
    long *inside = located + nf;
    for (size_t i = 0; i < s->n; i++) {
        if (isnan(s->x[i]))
            continue;
        size_t f = (size_t)s->file[i];
        if (located[f]++ == 0)
            first[f] = i;
        inside[f] += s->area[i] >= 0;
    }
    for (size_t f = 0; f < nf; f++)
        if (located[f] > 0 && inside[f] == 0) {
            size_t i = first[f];
            hs_warn(j->log, "incidents '%s': none of its %ld located rows lies "
                    "in any area (line %lld is at %.0f, %.0f in %s): are "
                    "longitude and latitude swapped, or are the coordinates "
                    "in another CRS (--incidents-crs)?",
                    hs_pool_str(s->files, (int)f), located[f],
                    (long long)s->row[i], s->x[i], s->y[i], j->crs);
        }
    free(located);
    free(first);
    return HS_OK;
}

static hs_status periods(job *j, hs_error *err)
{
    const hs_options *o = j->o;
    hs_period p;
    hs_status rc;
    if ((rc = hs_default_period(j->inc, &p, err)))
        return rc;
    if (o->period) { /* the default period ends at the data's last month */
        hs_error e = {0};
        if (hs_period_parse(o->period, p.to, &p.from, &p.to, &e) != HS_OK)
            return hs_fail(err, e.code, "--period %s", e.msg);
    }
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
    const char *cmp = hs_or_default(o->compare, "previous-year");
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

static void summarise(job *j, hs_summary *sum)
{
    const hs_ingest_report *ir = hs_ingest_get_report(j->ing);
    memset(sum, 0, sizeof *sum);
    snprintf(sum->output, sizeof sum->output, "%s", hs_dest_label(j->out));
    char *uri = hs_dest_project_uri(j->out, HS_PROJECT_NAME);
    if (uri)
        snprintf(sum->project, sizeof sum->project, "%s", uri);
    free(uri);
    hs_period_text(j->agg.cur, sum->period, sizeof sum->period);
    if (j->agg.has_prev)
        hs_period_text(j->agg.prev, sum->compare, sizeof sum->compare);
    else
        snprintf(sum->compare, sizeof sum->compare, "none");
    sum->files = ir->files;
    sum->rows_read = ir->rows_read;
    sum->rows_kept = ir->rows_kept;
    for (int k = 0; k < HS_SKIP_N; k++)
        sum->rows_skipped += ir->skipped[k];
    sum->rows_duplicate = ir->skipped[HS_SKIP_DUP_FILE] +
                          ir->skipped[HS_SKIP_DUP_FM] + ir->skipped[HS_SKIP_DUP_ID];
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
    sum->backtest_seconds = j->bt_seconds;
    sum->gistar_seconds = j->gi_seconds;
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
        gs->tasking_share = j->sopt.task_share;
        /* the back-test of the bandwidth used, the means over the windows
         * that had test incidents: the one candidate given, or the best
         * (none when the back-test had no window: the fallback) */
        size_t u = j->by_backtest ? j->bt[g].best : 0;
        if (j->has_bt[g] && j->has_surf[g] &&
            u < (j->by_backtest ? j->bopt.nbw : 1)) {
            gs->backtest_windows = j->bt[g].scored[u];
            gs->backtest_hit_rate = j->bt[g].mean_hit_rate[u];
            gs->backtest_pai = j->bt[g].mean_pai[u];
            gs->backtest_pei = j->bt[g].mean_pei[u];
        }
        gs->gap_ratio = gs->gap_prev_ratio = NAN;
        if (j->has_priority) {
            gs->gap_ratio = j->gap[g].ratio;
            gs->gap_prev_ratio = j->gap[g].prev_ratio;
            snprintf(gs->gap, sizeof gs->gap, "%s", j->gap[g].word);
        }
        gs->prev_incidents = j->agg.has_prev ? 0 : -1;
        for (size_t a = 0; a < j->rates->nareas; a++) {
            const hs_rate *r = &j->rates->r[g * j->rates->nareas + a];
            /* every area has its counts, population or not: without
             * these a run with no population would report no incidents */
            gs->incidents += r->count;
            if (j->agg.has_prev)
                gs->prev_incidents += r->prev_count;
            if (isnan(r->rate))
                continue;
            gs->higher += r->vs_study == HS_HIGHER;
            gs->lower += r->vs_study == HS_LOWER;
        }
    }
}

typedef struct writer_task {
    job *j;
    hs_status rc;
    hs_error err;
} writer_task;

/* The statistics thread: local Moran, then every group's Gi* and
 * emerging hot spots, which share nothing with the surfaces but the
 * inputs they both read, beside the back-test and the surfaces (measured
 * at 1M incidents: 1.5 of the 2 cores busy with the stages one after the
 * other; local Moran's contiguity has a GEOS context of its own and took
 * 0.45 s before the surfaces at 1,800 areas). */
static void *stats_main(void *arg)
{
    writer_task *t = arg;
    job *j = t->j;
    if (j->lisa && (t->rc = lisas(j, &t->err)))
        return NULL;
    hand_over(j, &j->lisa_ready, 1);
    hs_tick_end(j->tk.lisa);
    if (!j->gistar)
        return NULL;
    double tg = now_s();
    t->rc = gistars(j, &t->err);
    j->gi_seconds = now_s() - tg;
    return NULL;
}

/* Waits until *ready > g (under surf_lock). */
static void await(job *j, const size_t *ready, size_t g)
{
    pthread_mutex_lock(&j->surf_lock);
    while (*ready <= g)
        pthread_cond_wait(&j->surf_cond, &j->surf_lock);
    pthread_mutex_unlock(&j->surf_lock);
}

/* The writer thread: the incident points, the layers known from the start
 * and local Moran's (at the end they were 0.2 s with one core idle), then
 * group by group its Gi* cells, its emerging hot spots and its density
 * raster as each is ready,
 * while the rest is computed (the Gi* cells, 1.1M rows at 1M incidents,
 * took 2 s after the surfaces when written with the other layers; the
 * last group's, 0.5 s after its emerging hot spots when written with
 * them).  The statistics run ahead of the surfaces, so the rasters come
 * last.  In that fixed order whatever the timing, so the file's layout
 * is too.  The file is its own until it ends: nothing else touches
 * j->out meanwhile. */
static void *writer_main(void *arg)
{
    writer_task *t = arg;
    job *j = t->j;
    t->rc = hs_job_write_points(j, &t->err);
    hs_tick_add(j->tk.writing, 1);
    if (!t->rc)
        t->rc = hs_job_write_early(j, &t->err);
    await(j, &j->lisa_ready, 0);
    if (!t->rc)
        t->rc = hs_job_write_lisa(j, &t->err);
    for (size_t g = 0; g < j->ngroups && t->rc == HS_OK; g++) {
        await(j, &j->gi_ready, 2 * g);
        if ((t->rc = hs_job_write_gistar(j, g, &t->err)))
            break;
        hs_tick_add(j->tk.writing, 1);
        await(j, &j->gi_ready, 2 * g + 1);
        if ((t->rc = hs_job_write_emerging(j, g, &t->err)))
            break;
        hs_tick_add(j->tk.writing, 1);
        await(j, &j->surf_ready, g);
        t->rc = hs_job_write_raster(j, g, &t->err);
        hs_tick_add(j->tk.writing, 1);
    }
    return NULL;
}

/*
 * The run's stages for progress (core/ticker.h), once the options say
 * which there are.  Weights: roughly each stage's share of the time in
 * the demo (back-test first) and the 1M-incident benchmark (Gi* first,
 * beside the surfaces), the back-test's by its candidates and Gi*'s and
 * emerging's by their permutations; they only shape the estimated
 * percent.
 */
static void plan(job *j)
{
    long ng = (long)j->ngroups;
    double nbw = j->by_backtest ? (double)j->bopt.nbw : 1;
    if (!(j->ticker = hs_ticker_create(j->log)))
        return;
    j->tk.areas = hs_ticker_stage(j->ticker, "areas", 1, 1);
    j->tk.incidents = hs_ticker_stage(j->ticker, "incidents", 6, 0);
    j->tk.assignment = hs_ticker_stage(j->ticker, "assignment", 3, 1);
    j->tk.rates = hs_ticker_stage(j->ticker, "rates", 3, 1);
    if (j->lisa)
        j->tk.lisa = hs_ticker_stage(j->ticker, "lisa", 2, ng);
    if (j->kde) {
        j->tk.backtest = hs_ticker_stage(j->ticker, "back-test", 4 + 3 * nbw, 0);
        j->tk.density = hs_ticker_stage(j->ticker, "density", 20, ng);
    }
    if (j->gistar)
        j->tk.gistar = hs_ticker_stage(j->ticker, "gistar", 5 + 20 *
                                       j->gopt.permutations / 999.0, ng);
    if (j->gistar && j->emerging)
        j->tk.emerging = hs_ticker_stage(j->ticker, "emerging", 2 + 6 *
                                         j->eopt.permutations / 199.0, ng);
    /* the points; Gi* cells, emerging and a raster a group; the layers,
     * styles, commit, project */
    j->tk.writing = hs_ticker_stage(j->ticker, "writing", 15,
                                    1 + 3 * ng + HS_JOB_WRITE_STEPS + 2);
}

hs_status hs_run(const hs_options *o, const hs_log *log, hs_summary *sum,
                 hs_error *err)
{
    job j = {.o = o, .log = log, .surf_lock = PTHREAD_MUTEX_INITIALIZER,
             .surf_cond = PTHREAD_COND_INITIALIZER};
    hs_status rc = HS_OK;
    char cats_path[4096];

    hs_gdal_init(); /* before PROJ or GDAL open any SQLite database */
    j.crs = hs_or_default(o->crs, "EPSG:27700");
    const char *layer_opt = hs_or_default(o->incidents_layer, "yes");
    if (strcmp(layer_opt, "yes") != 0 && strcmp(layer_opt, "no") != 0)
        return hs_fail(err, HS_ERR_ARG, "--incidents-layer '%s': use yes or no",
                       layer_opt);
    j.write_points = strcmp(layer_opt, "yes") == 0;
    int is_public = 0;
    long excluded = 0, public_min = 0;
    if ((rc = parse_public(&j, &is_public, &public_min, err)) ||
        (rc = check_period(o, err)))
        return rc;
    const char *assign_mode = hs_or_default(o->assign, "point");
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
    /* a bad --incidents-crs is bad usage too, named before any work */
    if (o->incidents_crs && hs_crs_is_geographic(o->incidents_crs, err) < 0)
        return hs_fail(err, HS_ERR_ARG, "--incidents-crs '%s': cannot resolve "
                       "this CRS", o->incidents_crs);
    if (geographic)
        return hs_fail(err, HS_ERR_ARG, "--crs '%s' is geographic (degrees); "
                       "use a projected CRS in metres, e.g. EPSG:27700", j.crs);
    /* a database output is checked (reachable, PostGIS, a schema Hotspot
     * may replace, rasters) before any work; a file's when it is made */
    if (hs_pg_is_source(hs_or_default(o->output, "hotspot.gpkg"))) {
        if (!(j.out = hs_dest_create(o->output, o->schema, NULL, err)))
            return err ? err->code : HS_ERR_IO;
    } else if (o->schema && *o->schema) {
        return hs_fail(err, HS_ERR_ARG, "--schema '%s' is for a PostGIS output "
                       "(-o PG:\"dbname=...\"), not the file '%s'", o->schema,
                       hs_or_default(o->output, "hotspot.gpkg"));
    }
    snprintf(cats_path, sizeof cats_path, "%s/categories.csv", hs_data_dir());
    if (!(j.cats = hs_categories_load(hs_or_default(o->categories, cats_path), err))) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    double t[6];
    t[0] = now_s();
    if (o->when && (rc = hs_when_parse(o->when, &j.when, err)))
        goto cleanup;
    if ((rc = parse_surface_opts(&j, err)))
        goto cleanup;
    if (j.out && j.kde && !hs_dest_has_rasters(j.out)) {
        rc = hs_fail(err, HS_ERR_ARG, "output '%s': the density surfaces "
                     "(kde_<group>) are rasters and the database has no "
                     "postgis_raster: CREATE EXTENSION postgis_raster, or "
                     "give --kde no", hs_dest_label(j.out));
        goto cleanup;
    }
    if ((rc = parse_gi_opts(&j, err)) || (rc = hs_job_parse_groups(&j, err)))
        goto cleanup;
    plan(&j);
    hs_tick_start(j.tk.areas);
    if ((rc = hs_job_read_areas(&j, err)) || (rc = hs_job_check_targets(&j, err)) ||
        (rc = hs_job_check_priority(&j, err)))
        goto cleanup;
    hs_tick_end(j.tk.areas);
    j.sopt.public_min = public_min;
    t[1] = now_s();
    /* Build the areas' lookup grid on the other core while incidents are
     * read (it is ~0.15 s of work, the same order as reading 1M rows). */
    index_job ij = {j.areas, HS_OK, {0}};
    pthread_t index_thread;
    int indexing = !j.by_lsoa &&
                   pthread_create(&index_thread, NULL, build_index, &ij) == 0;
    rc = hs_job_read_incidents(&j, err);
    if (indexing)
        pthread_join(index_thread, NULL);
    if (rc)
        goto cleanup;
    hs_tick_end(j.tk.incidents);
    t[2] = now_s();
    hs_tick_start(j.tk.assignment);
    if ((rc = assign(&j, err)) || (rc = warn_misplaced(&j, err)) ||
        (rc = periods(&j, err)))
        goto cleanup;
    if ((rc = read_previous(&j, err)))
        goto cleanup;
    hs_tick_end(j.tk.assignment);
    t[3] = now_s();
    hs_tick_start(j.tk.rates);
    if (is_public && o->public_exclude && *o->public_exclude &&
        (rc = hs_privacy_exclude(j.inc, j.cats, o->public_exclude, 0, log,
                                 &excluded, err)))
        goto cleanup;
    if (!(j.rates = hs_aggregate(j.inc, j.areas, &j.agg, &j.agg_rep, err))) {
        rc = err ? err->code : HS_ERR_NOMEM;
        goto cleanup;
    }
    if (is_public) {
        if (!(j.priv = hs_privacy_create(j.rates, j.sopt.public_min, err))) {
            rc = err ? err->code : HS_ERR_NOMEM;
            goto cleanup;
        }
        j.priv->excluded = excluded;
    }
    hs_tick_end(j.tk.rates);
    t[4] = now_s();
    if (j.agg_rep.outside_areas)
        hs_warn(log, "%ld incident(s) in the period lie outside every area",
                j.agg_rep.outside_areas);
    if (!j.out && !(j.out = hs_dest_create(hs_or_default(o->output, "hotspot.gpkg"),
                                           o->schema, NULL, err))) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    /* The incident points (0.6 s of SQLite inserts at 1M, measured) and
     * then the rasters (0.15 s each: GDAL's tile encoding) are written on a
     * thread of their own while the surfaces are computed. */
    writer_task pt = {&j, HS_OK, {0}};
    pthread_t writer;
    j.surf_ready = j.kde ? 0 : j.ngroups;
    j.gi_ready = j.gistar ? 0 : 2 * j.ngroups;
    j.lisa_ready = !j.lisa;
    int writing = pthread_create(&writer, NULL, writer_main, &pt) == 0;
    writer_task gt = {&j, HS_OK, {0}};
    pthread_t stats_thread;
    int stats_beside = (j.gistar || j.lisa) &&
                       pthread_create(&stats_thread, NULL, stats_main, &gt) == 0;
    if (j.kde)
        rc = surfaces(&j, err);
    if (stats_beside)
        pthread_join(stats_thread, NULL);
    else if (!rc && (j.gistar || j.lisa))
        stats_main(&gt);
    publish_gi(&j, 2 * j.ngroups); /* none to come, if gistars() never ran */
    hand_over(&j, &j.lisa_ready, 1); /* nor lisas() */
    if (!rc) /* while the writer writes the last raster */
        rc = hs_job_series(&j, err);
    if (writing)
        pthread_join(writer, NULL);
    else
        writer_main(&pt); /* surfaces all ready: no wait */
    const writer_task *failed = gt.rc ? &gt : pt.rc ? &pt : NULL;
    if (!rc && failed) {
        rc = failed->rc;
        if (err)
            *err = failed->err;
    }
    if (rc)
        goto cleanup;
    double t_kde = now_s();
    /* layers, then their styles and the project (styles.h), then commit */
    if ((rc = hs_job_write(&j, err)) || (rc = hs_styles_write(&j, err)))
        goto cleanup;
    hs_tick_add(j.tk.writing, 1);
    if ((rc = hs_dest_commit(j.out, err)))
        goto cleanup;
    hs_tick_add(j.tk.writing, 1);
    if ((rc = hs_project_write_qgz(&j, hs_or_default(o->output, "hotspot.gpkg"),
                                   err)))
        goto cleanup;
    hs_ticker_finish(j.ticker);
    t[5] = now_s();
    if (sum) {
        summarise(&j, sum);
        for (int k = 0; k < 5; k++)
            sum->seconds[k] = t[k + 1] - t[k];
        sum->seconds[4] = t_kde - t[4];        /* density and hotspots */
        sum->seconds[5] = t[5] - t_kde;        /* GeoPackage */
    }
cleanup:
    hs_ticker_destroy(j.ticker);
    hs_nb_free(&j.nb);
    hs_privacy_destroy(j.priv);
    hs_dest_destroy(j.out);
    for (size_t g = 0; g < HS_MAX_GROUPS; g++) {
        hs_surface_free(&j.surf[g]);
        hs_gi_free(&j.gi[g]);
        hs_emerging_free(&j.em[g]);
        hs_lisa_free(&j.li[g]);
        free(j.gi_area[g]);
        free(j.lin[g]);
        free(j.tow_h[g]);
        free(j.mon_h[g]);
        free(j.tow_t[g]);
        hs_previous_destroy(j.prev[g]);
        hs_backtest_free(&j.bt[g]);
    }
    hs_rates_destroy(j.rates);
    hs_targets_destroy(j.targets);
    free(j.priority);
    hs_areas_destroy(j.areas);
    hs_ingest_destroy(j.ing);
    hs_incidents_destroy(j.inc);
    free(j.when_inside);
    hs_categories_destroy(j.cats);
    hs_paths_free(j.files);
    return rc;
}
