/* surfaces.c - a group's density surface, hotspots and tasking. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/bandwidth.h"
#include "analysis/surfaces.h"

void hs_surface_free(hs_surface *s)
{
    if (!s)
        return;
    free(s->values);
    hs_hotspots_destroy(s->hot);
    hs_tasks_free(s->tasks, s->ntasks);
    memset(s, 0, sizeof *s);
}

void hs_label_cache_free(hs_label_cache *c)
{
    if (!c)
        return;
    free(c->labels);
    memset(c, 0, sizeof *c);
}

static int same_grid(const hs_kde_grid *a, const hs_kde_grid *b)
{
    return a->x0 == b->x0 && a->y0 == b->y0 && a->cell == b->cell &&
           a->cols == b->cols && a->rows == b->rows;
}

int hs_parse_bandwidth(const char *s, double *metres, int *knn_k)
{
    char *end;
    *metres = 0;
    *knn_k = 0;
    if (!s || strcmp(s, "auto") == 0 || strcmp(s, "silverman") == 0)
        return 0;
    if (strncmp(s, "knn:", 4) == 0) {
        long k = strtol(s + 4, &end, 10);
        if (*end || k < 1 || k > 64)
            return -1;
        *knn_k = (int)k;
        return 0;
    }
    double v = strtod(s, &end);
    if (*end || !isfinite(v) || v <= 0)
        return -1;
    *metres = v;
    return 0;
}

int hs_parse_breaks(const char *s, hs_hotspot_opts *o)
{
    int n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || n == HS_HOTSPOT_MAX_BREAKS ||
            (n > 0 && v <= o->k[n - 1]))
            return -1;
        o->k[n++] = v;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    if (n == 0)
        return -1;
    o->nk = n;
    if (o->hot_class > n)
        o->hot_class = n;
    return 0;
}

hs_status hs_blank_thin_cells(const double *x, const double *y,
                              const float *share, size_t n,
                              hs_kernel k, double bandwidth,
                              const hs_kde_grid *g, long min, float *values,
                              long *blanked, hs_error *err)
{
    size_t nc = g->cols * g->rows;
    double r = hs_kernel_radius(k, bandwidth);
    double *cnt = malloc(nc * sizeof *cnt);
    if (!cnt)
        return hs_fail(err, HS_ERR_NOMEM, "public surface: out of memory");
    hs_status rc = hs_kde_compute(x, y, share, n, HS_KERNEL_UNIFORM, r, g, cnt,
                                  0, err);
    /* whole counts come back within rounding of an integer: the margin
     * keeps a cell of exactly min from being blanked by it */
    for (size_t i = 0; i < nc && !rc; i++)
        if (values[i] != HS_NODATA && cnt[i] * M_PI * r * r < (double)min - 1e-6) {
            values[i] = HS_NODATA;
            (*blanked)++;
        }
    free(cnt);
    return rc;
}

/* --public: drops hotspots with fewer than min incidents (and every
 * hotspot's location label, which may name a single address), and blanks
 * the thin cells (hs_blank_thin_cells). */
static hs_status make_public(const double *x, const double *y,
                             const float *share, size_t n,
                             const hs_surface_opts *o, hs_surface *out,
                             hs_error *err)
{
    hs_hotspots *h = out->hot;
    size_t k = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (h->v[i].incidents < (double)o->public_min) {
            free(h->v[i].wkb);
            out->dropped++;
            continue;
        }
        h->v[k] = h->v[i];
        h->v[k++].location = -1;
    }
    h->n = k;
    return hs_blank_thin_cells(x, y, share, n, o->kernel, out->bandwidth,
                               &out->grid, o->public_min, out->values,
                               &out->blanked, err);
}

/* Drops the hotspots with fewer than min incidents: they rank last. */
static void drop_small(hs_hotspots *h, long min, long *small)
{
    while (h->n > 0 && h->v[h->n - 1].incidents < (double)min) {
        free(h->v[h->n - 1].wkb);
        h->n--;
        (*small)++;
    }
}

hs_status hs_surface_compute(const hs_areas *a, const double *x,
                             const double *y, const float *w,
                             const float *share, const int32_t *loc,
                             size_t n, size_t n_edge, const char *prefix,
                             const double *area_incidents,
                             const hs_surface_opts *o, hs_label_cache *cache,
                             hs_surface *out, hs_error *err)
{
    hs_status rc = HS_OK;
    double *dens = NULL;
    int32_t *labels = NULL;
    memset(out, 0, sizeof *out);

    for (size_t i = 0; i < n; i++)
        out->points += isfinite(x[i]) && isfinite(y[i]);
    double bw;
    if ((rc = hs_choose_bandwidth(x, y, n, o->bandwidth, o->knn_k, &bw,
                                  out->bandwidth_rule,
                                  sizeof out->bandwidth_rule, err)))
        return rc;
    out->bandwidth = bw;

    double xmin, ymin, xmax, ymax;
    hs_areas_extent(a, &xmin, &ymin, &xmax, &ymax);
    double cell = o->cell > 0 ? o->cell : hs_default_cell(xmin, ymin, xmax, ymax);
    if ((rc = hs_aligned_grid(xmin, ymin, xmax, ymax,
                              hs_kernel_radius(o->kernel, bw), cell,
                              &out->grid, err)))
        return rc;
    const hs_kde_grid *g = &out->grid;
    size_t nc = g->cols * g->rows;
    int cached = cache->labels && same_grid(&cache->grid, g);
    if (!cached) {
        hs_label_cache_free(cache);
        cache->labels = malloc(nc * sizeof *cache->labels);
    }
    labels = cache->labels;
    dens = malloc(nc * sizeof *dens);
    out->values = malloc(nc * sizeof *out->values);
    if (!dens || !labels || !out->values) {
        rc = hs_fail(err, HS_ERR_NOMEM, "%s surface: out of memory for %zu x "
                     "%zu cells", prefix, g->cols, g->rows);
        goto fail;
    }
    if ((rc = hs_kde_compute(x, y, w, n + n_edge, o->kernel, bw, g, dens, 0, err)))
        goto fail;
    if (!cached) {
        if ((rc = hs_areas_rasterize(a, g->x0, g->y0, g->cell, g->cols,
                                     g->rows, labels, err))) {
            hs_label_cache_free(cache);
            goto fail;
        }
        cache->grid = *g;
    }
    double to_unit = o->per_cell ? g->cell * g->cell : 1e6; /* from per m² */
    double cell_m2 = g->cell * g->cell;
    for (size_t i = 0; i < nc; i++) {
        double per_m2 = dens[i];
        dens[i] = per_m2 * 1e6; /* hotspots work in incidents per km² */
        if (labels[i] >= 0)
            out->sum += per_m2 * cell_m2;
        out->values[i] = labels[i] < 0 && !o->unmasked
                             ? HS_NODATA
                             : (float)(per_m2 * to_unit);
    }
    hs_grid_geom gg = {g->x0, g->y0, g->cell, g->cols, g->rows};
    if (!(out->hot = hs_hotspots_find(dens, labels, &gg, x, y, share, loc, n,
                                      prefix, &o->hot, err))) {
        rc = err ? err->code : HS_ERR_NOMEM;
        goto fail;
    }
    drop_small(out->hot, o->min_incidents, &out->small);
    if (o->public_min > 0 && (rc = make_public(x, y, share, n + n_edge, o, out, err)))
        goto fail;
    long task_min = o->public_min > o->min_incidents ? o->public_min
                                                      : o->min_incidents;
    if ((rc = hs_tasking(dens, labels, &gg, out->hot, x, y, share, loc, n,
                         hs_areas_count(a), area_incidents, o->task_share,
                         (double)task_min, &out->tasks, &out->ntasks, err)))
        goto fail;
    if (o->public_min > 0)
        for (size_t t = 0; t < out->ntasks; t++)
            out->tasks[t].location = -1;
    free(dens);
    return HS_OK;
fail:
    free(dens);
    hs_surface_free(out);
    return rc;
}
