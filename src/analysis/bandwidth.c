/* bandwidth.c - grid, bandwidth and map-point spacing (see bandwidth.h). */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/bandwidth.h"
#include "analysis/hotspots.h"

double hs_default_cell(double xmin, double ymin, double xmax, double ymax)
{
    double side = fmin(xmax - xmin, ymax - ymin);
    double c = round(side / 150.0);
    return c >= 1 ? c : 1;
}

hs_status hs_aligned_grid(double xmin, double ymin, double xmax, double ymax,
                          double margin, double cell, hs_kde_grid *g,
                          hs_error *err)
{
    if (!(cell > 0) || !isfinite(cell) || !(xmax >= xmin) || !(ymax >= ymin) ||
        !isfinite(margin) || margin < 0)
        return hs_fail(err, HS_ERR_ARG, "density grid: empty extent or bad "
                       "cell size %g", cell);
    double x0 = floor((xmin - margin) / cell) * cell;
    double y0 = floor((ymin - margin) / cell) * cell;
    double x1 = ceil((xmax + margin) / cell) * cell;
    double y1 = ceil((ymax + margin) / cell) * cell;
    double cols = round((x1 - x0) / cell), rows = round((y1 - y0) / cell);
    if (cols < 1)
        cols = 1;
    if (rows < 1)
        rows = 1;
    if (cols * rows > (double)INT32_MAX)
        return hs_fail(err, HS_ERR_ARG, "density grid of %.0f x %.0f cells of "
                       "%g m is too large: use a bigger --cell", cols, rows,
                       cell);
    *g = (hs_kde_grid){x0, y0, cell, (size_t)cols, (size_t)rows};
    return HS_OK;
}

double hs_bandwidth_silverman(const double *x, const double *y, size_t n)
{
    double sx = 0, sy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            sx += x[i];
            sy += y[i];
            m++;
        }
    if (m < 2)
        return 0;
    double mx = sx / (double)m, my = sy / (double)m, ss = 0;
    double *d = malloc(m * sizeof *d);
    if (!d)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            double dx = x[i] - mx, dy = y[i] - my;
            ss += dx * dx + dy * dy;
            d[k++] = sqrt(dx * dx + dy * dy);
        }
    double sd = sqrt(ss / (double)m), dm = hs_median(d, m);
    free(d);
    return 0.9 * fmin(sd, sqrt(1.0 / log(2.0)) * dm) * pow((double)m, -0.2);
}

typedef struct pt {
    double x, y;
} pt;

/* Distinct locations of p[0..m), in order of first appearance, moved to
 * the front; returns how many.  A hash set, not a sort: sorting 1M points
 * was a tenth of a whole run (measured).  -1 on out of memory. */
static long distinct_points(pt *p, size_t m)
{
    size_t cap = 16;
    while (cap < 2 * m)
        cap *= 2;
    size_t *slot = malloc(cap * sizeof *slot), u = 0;
    if (!slot)
        return -1;
    memset(slot, 0xff, cap * sizeof *slot); /* SIZE_MAX: empty */
    for (size_t i = 0; i < m; i++) {
        double x = p[i].x + 0.0, y = p[i].y + 0.0; /* -0 and +0 alike */
        uint64_t a, b;
        memcpy(&a, &x, 8);
        memcpy(&b, &y, 8);
        uint64_t h = (a * 0x9E3779B97F4A7C15u) ^ (b + 0x632BE59BD9B4E019u);
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9u;
        h ^= h >> 32;
        for (size_t j = (size_t)h & (cap - 1);; j = (j + 1) & (cap - 1)) {
            if (slot[j] == SIZE_MAX) {
                slot[j] = u;
                p[u++] = (pt){x, y};
                break;
            }
            if (p[slot[j]].x == x && p[slot[j]].y == y)
                break;
        }
    }
    free(slot);
    return (long)u;
}

/* Keeps the k smallest distances seen, sorted ascending, in best[0..k). */
static void keep(double *best, int k, int *have, double d)
{
    if (*have == k && d >= best[k - 1])
        return;
    int i = *have < k ? (*have)++ : k - 1;
    while (i > 0 && best[i - 1] > d) {
        best[i] = best[i - 1];
        i--;
    }
    best[i] = d;
}

/* The ring search of knn_core over the points in bucket order (q). */
typedef struct knn_job {
    const pt *q;
    const size_t *start, *order;
    double *kth;
    size_t u, ns;
    int k;
    size_t gc, gr;
    double x0, y0, cs;
    atomic_size_t next;
} knn_job;

#define KNN_CHUNK 4096

/* Query s: with every location measured (ns = u) the s-th in bucket order,
 * so that consecutive queries read the same buckets (in input order it
 * was a cache miss a query: 1.1 s for 1M, measured); a sample keeps its
 * spacing in input order. */
static void knn_query(const knn_job *jb, size_t s)
{
    const int k = jb->k;
    const size_t gc = jb->gc, gr = jb->gr;
    size_t self = jb->ns == jb->u ? s
                  : jb->order[(size_t)((double)s * (double)jb->u / (double)jb->ns)];
    const pt me = jb->q[self];
    long qc = (long)fmin((double)(gc - 1), floor((me.x - jb->x0) / jb->cs));
    long qr = (long)fmin((double)(gr - 1), floor((me.y - jb->y0) / jb->cs));
    double best[64]; /* squared distances */
    int have = 0;
    best[k - 1] = INFINITY; /* set by keep() before the search ends; said
                               here for the compiler (-O3 warns) */
    for (long ring = 0;; ring++) {
        for (long r = qr - ring; r <= qr + ring; r++) {
            if (r < 0 || r >= (long)gr)
                continue;
            for (long c = qc - ring; c <= qc + ring; c++) {
                if (c < 0 || c >= (long)gc ||
                    (labs(r - qr) != ring && labs(c - qc) != ring))
                    continue; /* only the ring's border is new */
                size_t b = (size_t)r * gc + (size_t)c;
                for (size_t o = jb->start[b]; o < jb->start[b + 1]; o++) {
                    if (o == self)
                        continue;
                    double dx = jb->q[o].x - me.x, dy = jb->q[o].y - me.y;
                    keep(best, k, &have, dx * dx + dy * dy);
                }
            }
        }
        /* everything beyond this ring is at least ring * cs away */
        double reach = (double)ring * jb->cs;
        if (have == k && best[k - 1] <= reach * reach)
            break;
        if (ring > (long)(gc + gr))
            break;
    }
    jb->kth[s] = sqrt(best[k - 1]);
}

static void *knn_work(void *arg)
{
    knn_job *jb = arg;
    for (;;) {
        size_t a = atomic_fetch_add(&jb->next, KNN_CHUNK);
        if (a >= jb->ns)
            return NULL;
        size_t b = a + KNN_CHUNK < jb->ns ? a + KNN_CHUNK : jb->ns;
        for (size_t s = a; s < b; s++)
            knn_query(jb, s);
    }
}

/* Every query, on up to two more threads when there are many (each query
 * writes only its own kth[s]: the same distances with any number). */
static void knn_run(knn_job *jb)
{
    enum { MAX_THREADS = 8 };
    pthread_t th[MAX_THREADS];
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int nt = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS : (int)ncpu, started = 0;
    if (jb->ns < 4 * KNN_CHUNK)
        nt = 1;
    atomic_init(&jb->next, 0);
    for (int t = 1; t < nt; t++)
        if (pthread_create(&th[started], NULL, knn_work, jb) == 0)
            started++;
    knn_work(jb); /* this thread too; alone if none could start */
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
}

/* hs_knn_distance, and (all not NULL) the distances themselves. */
static hs_status knn_core(const double *x, const double *y, size_t n, int k,
                          size_t max_samples, double *mean, double *median,
                          size_t *distinct, double **all, size_t *nall,
                          hs_error *err)
{
    hs_status rc = HS_OK;
    pt *p = malloc((n ? n : 1) * sizeof *p), *q = NULL;
    size_t *start = NULL, *order = NULL;
    double *kth = NULL;
    *mean = *median = 0;
    if (distinct)
        *distinct = 0;
    if (k < 1 || k > 64) {
        free(p);
        return hs_fail(err, HS_ERR_ARG, "nearest neighbours: k = %d is not "
                       "in 1..64", k);
    }
    if (!p)
        return hs_fail(err, HS_ERR_NOMEM, "nearest neighbours: out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            p[m++] = (pt){x[i], y[i]};
    long nd = distinct_points(p, m);
    if (nd < 0) {
        free(p);
        return hs_fail(err, HS_ERR_NOMEM, "nearest neighbours: out of memory");
    }
    size_t u = (size_t)nd; /* distinct locations */
    if (distinct)
        *distinct = u;
    if (u < (size_t)k + 1)
        goto cleanup;

    /* Buckets of about two points each: an expanding ring search finds the
     * k nearest in near-constant time per query.  (GEOS's STRtree nearest
     * query costs ~us each; this is the whole job in ~0.1 s for 1M.) */
    double x0 = p[0].x, x1 = p[0].x, y0 = p[0].y, y1 = p[0].y;
    for (size_t i = 1; i < u; i++) {
        x0 = fmin(x0, p[i].x);
        x1 = fmax(x1, p[i].x);
        y0 = fmin(y0, p[i].y);
        y1 = fmax(y1, p[i].y);
    }
    double w = fmax(x1 - x0, 1e-9), h = fmax(y1 - y0, 1e-9);
    double cs = sqrt(w * h * 2.0 / (double)u);
    if (!(cs > 0))
        cs = fmax(w, h);
    size_t gc, gr;
#define CELL_OF(q) (fmin((double)(gr - 1), floor(((q).y - y0) / cs)) * (double)gc + \
                    fmin((double)(gc - 1), floor(((q).x - x0) / cs)))
    /* Incidents cluster: buckets of two points on average over the extent
     * hold dozens in a town.  So once more with smaller buckets when a
     * point shares its bucket with more than 6 others on average (sum of
     * squared counts / points), aiming at 3, at most 4 buckets a point,
     * unless a sample of under a quarter of them is measured:
     * the bench's 1M clustered incidents in three groups: 0.58 -> 0.29 s
     * (2 cores), measured. */
    size_t ns = max_samples && max_samples < u ? max_samples : u;
    for (int pass = 0; pass < 2; pass++) {
        gc = (size_t)fmin(w / cs + 1, 65536), gr = (size_t)fmin(h / cs + 1, 65536);
        cs = fmax(w / (double)gc, h / (double)gr) * (1 + 1e-12);
        free(start);
        if (!(start = calloc(gc * gr + 1, sizeof *start))) {
            rc = hs_fail(err, HS_ERR_NOMEM, "nearest neighbours: out of memory");
            goto cleanup;
        }
        for (size_t i = 0; i < u; i++) /* counting sort into buckets */
            start[(size_t)CELL_OF(p[i]) + 1]++;
        double share = 0;
        for (size_t b = 1; b <= gc * gr; b++)
            share += (double)start[b] * (double)start[b];
        share /= (double)u;
        double f = sqrt(share / 3.0), most = sqrt(4.0 * (double)u / (double)(gc * gr));
        if (pass > 0 || share <= 6.0 || most <= 1.0 || 4 * ns < u)
            break;
        cs /= f < most ? f : most;
    }
    order = malloc(u * sizeof *order);
    kth = malloc(ns * sizeof *kth);
    if (!order || !kth) {
        rc = hs_fail(err, HS_ERR_NOMEM, "nearest neighbours: out of memory");
        goto cleanup;
    }
    for (size_t b = 0; b < gc * gr; b++)
        start[b + 1] += start[b];
    {
        /* the points themselves in bucket order (q), so a query reads
         * neighbouring memory: through an index it was a cache miss a
         * point, 60% of the time at 1M; order[] maps back */
        size_t *fill = malloc(gc * gr * sizeof *fill);
        q = malloc(u * sizeof *q);
        if (!fill || !q) {
            free(fill);
            rc = hs_fail(err, HS_ERR_NOMEM, "nearest neighbours: out of memory");
            goto cleanup;
        }
        memcpy(fill, start, gc * gr * sizeof *fill);
        for (size_t i = 0; i < u; i++) {
            size_t o = fill[(size_t)CELL_OF(p[i])]++;
            order[i] = o; /* where point i went */
            q[o] = p[i];
        }
        free(fill);
    }
    {
        knn_job jb = {.q = q, .start = start, .order = order, .kth = kth,
                      .u = u, .ns = ns, .k = k, .gc = gc, .gr = gr, .x0 = x0,
                      .y0 = y0, .cs = cs};
        knn_run(&jb);
    }
    double sum = 0;
    for (size_t s = 0; s < ns; s++) /* in one order: the same sum on any machine */
        sum += kth[s];
#undef CELL_OF
    *mean = sum / (double)ns;
    if (all) { /* a copy: median_of reorders */
        if (!(*all = malloc(ns * sizeof **all))) {
            rc = hs_fail(err, HS_ERR_NOMEM, "nearest neighbours: out of memory");
            goto cleanup;
        }
        memcpy(*all, kth, ns * sizeof **all);
        *nall = ns;
    }
    *median = hs_median(kth, ns);
cleanup:
    free(p);
    free(q);
    free(start);
    free(order);
    free(kth);
    return rc;
}

hs_status hs_knn_distance(const double *x, const double *y, size_t n, int k,
                          size_t max_samples, double *mean, double *median,
                          size_t *distinct, hs_error *err)
{
    return knn_core(x, y, n, k, max_samples, mean, median, distinct, NULL,
                    NULL, err);
}

hs_status hs_nn_distances(const double *x, const double *y, size_t n,
                          double **d, size_t *nd, hs_error *err)
{
    double mean, median;
    *d = NULL;
    *nd = 0;
    return knn_core(x, y, n, 1, 0, &mean, &median, NULL, d, nd, err);
}

hs_status hs_choose_bandwidth(const double *x, const double *y, size_t n,
                              double metres, int knn_k, double *bw,
                              char *rule, size_t rule_len, hs_error *err)
{
    if (metres > 0) {
        *bw = metres;
        snprintf(rule, rule_len, "fixed");
        return HS_OK;
    }
    double h, med;
    if (knn_k > 0) {
        hs_status rc = hs_knn_distance(x, y, n, knn_k, 0, &h, &med, NULL, err);
        if (rc)
            return rc;
        snprintf(rule, rule_len, "mean distance to the %d-th nearest distinct "
                 "location", knn_k);
    } else {
        h = hs_bandwidth_silverman(x, y, n);
        snprintf(rule, rule_len, "ArcGIS spatial Silverman rule");
    }
    if (!(h > 0))
        return hs_fail(err, HS_ERR_DATA, "too few distinct incident locations "
                       "(%zu incidents) for an automatic bandwidth; give "
                       "--bandwidth", n);
    /* a whole metre: simple to state, to repeat and to read */
    *bw = fmax(1, round(h));
    return HS_OK;
}
