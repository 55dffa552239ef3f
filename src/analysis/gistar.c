/* gistar.c - Getis-Ord Gi* on a grid, permutations and FDR (gistar.h). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/gistar.h"

#define MAX_THREADS 8
#define CHUNK 512 /* cells a thread takes at a time */

void hs_gi_free(hs_gi *gi)
{
    if (!gi)
        return;
    free(gi->cell);
    free(gi->count);
    free(gi->nbrs);
    free(gi->z);
    free(gi->p);
    free(gi->p_sim);
    free(gi->bin);
    memset(gi, 0, sizeof *gi);
}

const char *hs_gi_class(int bin)
{
    static const char *const names[7] = {
        "cold spot, 99%", "cold spot, 95%", "cold spot, 90%", "not significant",
        "hot spot, 90%",  "hot spot, 95%",  "hot spot, 99%"};
    return bin >= -3 && bin <= 3 ? names[bin + 3] : "not significant";
}

/* ---- random draws: splitmix64 (Steele, Lea & Flood 2014) ------------- */

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t next(uint64_t *s)
{
    return mix(*s += 0x9E3779B97F4A7C15u);
}

/* ---- Benjamini-Hochberg ------------------------------------------------ */

typedef struct pv {
    double p;
    size_t i;
} pv;

static int by_p_desc(const void *a, const void *b)
{
    const pv *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

hs_status hs_bh_adjust(const double *p, size_t n, double *adj, hs_error *err)
{
    pv *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return hs_fail(err, HS_ERR_NOMEM, "FDR: out of memory for %zu p-values", n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(p[i]))
            v[m++] = (pv){p[i], i};
    qsort(v, m, sizeof *v, by_p_desc);
    double run = 1.0;
    for (size_t k = 0; k < n; k++) /* NaN stays NaN */
        if (!isfinite(p[k]))
            adj[k] = NAN;
    for (size_t k = 0; k < m; k++) {
        /* the k-th largest has rank m - k among m ascending */
        double a = (double)m / (double)(m - k) * v[k].p;
        run = a < run ? a : run;
        adj[v[k].i] = run;
    }
    free(v);
    return HS_OK;
}

/* ---- automatic scale ---------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double hs_gi_auto_cell(double *d, size_t nd)
{
    double m = 0, ss = 0;
    for (size_t i = 0; i < nd; i++)
        m += d[i];
    if (nd < 2 || !(m > 0))
        return 0;
    m /= (double)nd;
    for (size_t i = 0; i < nd; i++)
        ss += (d[i] - m) * (d[i] - m);
    double sd = sqrt(ss / (double)nd);
    size_t k = 0;
    for (size_t i = 0; i < nd; i++) /* locational outliers out */
        if (!(sd > 0) || (d[i] - m) / sd < 3)
            d[k++] = d[i];
    qsort(d, k, sizeof *d, cmp_double);
    double mean = 0;
    for (size_t i = 0; i < k; i++)
        mean += d[i];
    mean /= (double)k;
    double med = k % 2 ? d[k / 2] : (d[k / 2 - 1] + d[k / 2]) / 2;
    double L = fmax(mean, med), S = fmin(mean, med);
    if (!(S > 0))
        return fmax(1, round(2 * L));
    return fmax(1, round(L * fmax(2, L / S)));
}

/* ---- the statistic ----------------------------------------------------- */

typedef struct offset {
    int dr, dc;
} offset;

typedef struct gi_job {
    const hs_grid_geom *g;
    const hs_gi_opts *o;
    hs_gi *out;
    const int32_t *kept;   /* grid index -> kept index, -1 not kept   */
    const int32_t *x;      /* counts of the kept cells                */
    long *sum;             /* S_i                                     */
    const offset *off;
    size_t noff;
    atomic_size_t next;
} gi_job;

/* W_i and S_i of cells [a, b). */
static void sums(gi_job *jb, size_t a, size_t b)
{
    const hs_grid_geom *g = jb->g;
    for (size_t i = a; i < b; i++) {
        size_t idx = jb->out->cell[i];
        long r = (long)(idx / g->cols), c = (long)(idx % g->cols), s = 0;
        int w = 0;
        for (size_t q = 0; q < jb->noff; q++) {
            long rr = r + jb->off[q].dr, cc = c + jb->off[q].dc;
            if (rr < 0 || cc < 0 || rr >= (long)g->rows || cc >= (long)g->cols)
                continue;
            int32_t k = jb->kept[(size_t)rr * g->cols + (size_t)cc];
            if (k >= 0) {
                w++;
                s += jb->x[k];
            }
        }
        jb->out->nbrs[i] = w;
        jb->sum[i] = s;
    }
}

/* p_sim of cells [a, b) (gistar.h: conditional permutations). */
static void permute(gi_job *jb, size_t a, size_t b)
{
    const size_t n = jb->out->n;
    const int R = jb->o->permutations;
    for (size_t i = a; i < b; i++) {
        uint64_t s = mix(jb->o->seed ^ mix((uint64_t)i));
        const long obs = jb->sum[i], own = jb->x[i];
        const int m = jb->out->nbrs[i] - 1;
        long hi = 0, lo = 0;
        for (int r = 0; r < R; r++) {
            long sim = own;
            for (int t = 0; t < m; t++) {
                size_t u = (size_t)(((unsigned __int128)next(&s) * (n - 1)) >> 64);
                sim += jb->x[u < i ? u : u + 1];
            }
            hi += sim >= obs;
            lo += sim <= obs;
        }
        jb->out->p_sim[i] = (double)((hi < lo ? hi : lo) + 1) / (double)(R + 1);
    }
}

/* Global Moran's I z (gistar.h) of counts x on kept cells, neighbours
 * at offsets off (self excluded).  NaN when undefined. */
static double moran_z(const hs_grid_geom *g, const int32_t *kept,
                      const uint32_t *cell, const int32_t *x, size_t n,
                      double mean, const offset *off, size_t noff, int *deg)
{
    double num = 0, z2 = 0, S0 = 0, S1 = 0, S2 = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            long r = (long)(cell[i] / g->cols), c = (long)(cell[i] % g->cols);
            double zi = x[i] - mean, zs = 0, inv = 0;
            int d = 0;
            for (size_t q = 0; q < noff; q++) {
                long rr = r + off[q].dr, cc = c + off[q].dc;
                if (rr < 0 || cc < 0 || rr >= (long)g->rows || cc >= (long)g->cols)
                    continue;
                int32_t j = kept[(size_t)rr * g->cols + (size_t)cc];
                if (j < 0)
                    continue;
                if (pass == 0) {
                    d++;
                } else {
                    zs += x[j] - mean;
                    double a = 1.0 / deg[i] + 1.0 / deg[j];
                    S1 += a * a;
                    inv += 1.0 / deg[j];
                }
            }
            if (pass == 0) {
                deg[i] = d;
                continue;
            }
            z2 += zi * zi;
            if (deg[i] > 0) {
                S0 += 1;
                num += zi * zs / deg[i];
            }
            double t = (deg[i] > 0) + inv;
            S2 += t * t;
        }
    S1 /= 2;
    double dn = (double)n;
    if (n < 3 || !(S0 > 0) || !(z2 > 0))
        return NAN;
    double I = dn / S0 * num / z2, E = -1.0 / (dn - 1);
    double V = (dn * dn * S1 - dn * S2 + 3 * S0 * S0) / ((dn * dn - 1) * S0 * S0) - E * E;
    return V > 0 ? (I - E) / sqrt(V) : NAN;
}

/* Offsets within D cells (the tolerance: gistar.h); self too if asked. */
static size_t band(double D, int self, offset *off)
{
    double D2 = D * D * (1 + 1e-9);
    int rmax = (int)floor(D * (1 + 1e-9));
    size_t k = 0;
    for (int dr = -rmax; dr <= rmax; dr++)
        for (int dc = -rmax; dc <= rmax; dc++)
            if ((double)(dr * dr + dc * dc) <= D2 && (self || dr || dc))
                off[k++] = (offset){dr, dc};
    return k;
}

static int cmp_offset(const void *a, const void *b)
{
    const offset *p = a, *q = b;
    int x = p->dr * p->dr + p->dc * p->dc, y = q->dr * q->dr + q->dc * q->dc;
    return (x > y) - (x < y);
}

/* The automatic distance (gistar.h) into out->distance and out->rule. */
static hs_status auto_distance(const hs_grid_geom *g, const int32_t *kept,
                               const int32_t *x, hs_gi *out, hs_error *err)
{
    size_t n = out->n;
    offset *off = malloc(21 * 21 * sizeof *off);
    int *deg = malloc((n ? n : 1) * sizeof *deg);
    if (!off || !deg) {
        free(off);
        free(deg);
        return hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory");
    }
    int first = -1, best = -1;
    for (int k = 0; k < 10; k++)
        out->isa_z[k] = moran_z(g, kept, out->cell, x, n, out->mean, off,
                                band(k + 1, 0, off), deg);
    for (int k = 1; k < 9; k++) {
        double z = out->isa_z[k];
        if (!(z > out->isa_z[k - 1] && z > out->isa_z[k + 1]))
            continue;
        if (first < 0 && z > 1.65)
            first = k;
        if (best < 0 || z > out->isa_z[best])
            best = k;
    }
    int pick = first >= 0 ? first : best;
    if (pick >= 0) {
        out->distance = (pick + 1) * g->cell;
        snprintf(out->rule, sizeof out->rule, "the %s peak of Moran's I z "
                 "(%.2f) over distances of 1 to 10 cells", first >= 0
                 ? "first significant" : "highest", out->isa_z[pick]);
    } else {
        /* no peak: the mean distance to the k-th nearest kept cell */
        size_t kth = (size_t)(0.05 * (double)n);
        kth = kth < 3 ? 3 : kth > 30 ? 30 : kth;
        size_t noff = band(10, 0, off);
        qsort(off, noff, sizeof *off, cmp_offset);
        double sum = 0;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            long r = (long)(out->cell[i] / g->cols), c = (long)(out->cell[i] % g->cols);
            size_t found = 0;
            for (size_t q = 0; q < noff; q++) {
                long rr = r + off[q].dr, cc = c + off[q].dc;
                if (rr < 0 || cc < 0 || rr >= (long)g->rows || cc >= (long)g->cols ||
                    kept[(size_t)rr * g->cols + (size_t)cc] < 0)
                    continue;
                if (++found == kth) {
                    sum += g->cell * sqrt((double)(off[q].dr * off[q].dr +
                                                   off[q].dc * off[q].dc));
                    m++;
                    break;
                }
            }
        }
        out->distance = m ? sum / (double)m : g->cell;
        snprintf(out->rule, sizeof out->rule, "no peak of Moran's I z over 1 "
                 "to 10 cells: the mean distance to the %zu-th nearest cell",
                 kth);
    }
    free(off);
    free(deg);
    return HS_OK;
}

static void *work_sums(void *arg)
{
    gi_job *jb = arg;
    for (;;) {
        size_t a = atomic_fetch_add(&jb->next, CHUNK);
        if (a >= jb->out->n)
            return NULL;
        sums(jb, a, a + CHUNK < jb->out->n ? a + CHUNK : jb->out->n);
    }
}

static void *work_permute(void *arg)
{
    gi_job *jb = arg;
    for (;;) {
        size_t a = atomic_fetch_add(&jb->next, CHUNK);
        if (a >= jb->out->n)
            return NULL;
        permute(jb, a, a + CHUNK < jb->out->n ? a + CHUNK : jb->out->n);
    }
}

/* Runs fn over the cells on nt threads (this one included). */
static void run_all(gi_job *jb, void *(*fn)(void *), int nt)
{
    pthread_t th[MAX_THREADS];
    int started = 0;
    atomic_store(&jb->next, 0);
    for (int t = 1; t < nt; t++, started++)
        if (pthread_create(&th[t], NULL, fn, jb) != 0)
            break;
    fn(jb);
    for (int t = 1; t <= started; t++)
        pthread_join(th[t], NULL);
}

static hs_status check(const int32_t *label, const hs_grid_geom *g,
                       const hs_gi_opts *o, hs_error *err)
{
    if (!label || !g || !o)
        return hs_fail(err, HS_ERR_ARG, "Gi*: grid, cells or options missing");
    if (!(g->cell > 0) || !isfinite(g->cell) || !isfinite(g->x0) ||
        !isfinite(g->y0) || g->cols == 0 || g->rows == 0 ||
        g->cols > INT32_MAX / g->rows)
        return hs_fail(err, HS_ERR_ARG, "Gi*: grid %zu x %zu of %g m is not "
                       "usable", g->cols, g->rows, g->cell);
    if (!(o->distance <= 0 || isfinite(o->distance)) ||
        o->distance / g->cell > 1000)
        return hs_fail(err, HS_ERR_ARG, "Gi*: distance %g m is not a number "
                       "of metres above 0 and within 1,000 cells of %g m",
                       o->distance, g->cell);
    if (o->permutations < 0)
        return hs_fail(err, HS_ERR_ARG, "Gi*: %d permutations", o->permutations);
    return HS_OK;
}

hs_status hs_gi_compute(const int32_t *label, const hs_grid_geom *g,
                        const double *px, const double *py, size_t npts,
                        const hs_gi_opts *o, hs_gi *out, hs_error *err)
{
    hs_status rc;
    memset(out, 0, sizeof *out);
    if ((rc = check(label, g, o, err)))
        return rc;
    if (npts > 0 && (!px || !py))
        return hs_fail(err, HS_ERR_ARG, "Gi*: points missing");
    const size_t cells = g->cols * g->rows;
    int32_t *kept = malloc(cells * sizeof *kept), *x = NULL;
    long *sum = NULL;
    offset *off = NULL;
    size_t n = 0;
    if (!kept)
        goto nomem;
    for (size_t i = 0; i < cells; i++)
        kept[i] = label[i] >= 0 ? (int32_t)n++ : -1;
    out->n = n;
    out->cell = malloc((n ? n : 1) * sizeof *out->cell);
    out->count = calloc(n ? n : 1, sizeof *out->count);
    out->nbrs = malloc((n ? n : 1) * sizeof *out->nbrs);
    out->z = malloc((n ? n : 1) * sizeof *out->z);
    out->p = malloc((n ? n : 1) * sizeof *out->p);
    out->p_sim = malloc((n ? n : 1) * sizeof *out->p_sim);
    out->bin = calloc(n ? n : 1, 1);
    x = malloc((n ? n : 1) * sizeof *x);
    sum = malloc((n ? n : 1) * sizeof *sum);
    if (!out->cell || !out->count || !out->nbrs || !out->z || !out->p ||
        !out->p_sim || !out->bin || !x || !sum)
        goto nomem;
    for (size_t i = 0; i < cells; i++)
        if (kept[i] >= 0)
            out->cell[kept[i]] = (uint32_t)i;

    /* counts: the floor rule (hotspots.h) */
    for (size_t q = 0; q < npts; q++) {
        double fc = floor((px[q] - g->x0) / g->cell);
        double fr = floor((py[q] - g->y0) / g->cell);
        if (!(fc >= 0 && fc < (double)g->cols && fr >= 0 && fr < (double)g->rows))
            continue;
        size_t idx = (g->rows - 1 - (size_t)fr) * g->cols + (size_t)fc;
        if (kept[idx] >= 0) {
            out->count[kept[idx]]++;
            out->points++;
        }
    }
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        if (out->count[i] > INT32_MAX) {
            rc = hs_fail(err, HS_ERR_ARG, "Gi*: a cell holds %ld incidents",
                         out->count[i]);
            goto fail;
        }
        x[i] = (int32_t)out->count[i];
        total += (double)x[i];
    }
    out->mean = n ? total / (double)n : 0;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += ((double)x[i] - out->mean) * ((double)x[i] - out->mean);
    out->var = n ? ss / (double)n : 0;

    if (o->distance > 0) {
        out->distance = o->distance;
        snprintf(out->rule, sizeof out->rule, "fixed");
    } else if ((rc = auto_distance(g, kept, x, out, err))) {
        goto fail;
    }
    /* neighbour offsets, decided on integers (the tolerance: gistar.h) */
    double D = out->distance / g->cell;
    size_t side = 2 * (size_t)floor(D * (1 + 1e-9)) + 1, noff;
    if (!(off = malloc(side * side * sizeof *off)))
        goto nomem;
    noff = band(D, 1, off);

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int nt = o->threads > 0 ? o->threads : ncpu > 0 ? (int)ncpu : 1;
    nt = nt > MAX_THREADS ? MAX_THREADS : nt;
    gi_job jb = {.g = g, .o = o, .out = out, .kept = kept, .x = x, .sum = sum,
                 .off = off, .noff = noff};
    run_all(&jb, work_sums, nt);

    for (size_t i = 0; i < n; i++) {
        double W = out->nbrs[i], den = out->var * ((double)n * W - W * W) /
                                      ((double)n - 1);
        out->z[i] = n >= 2 && den > 0
                        ? ((double)sum[i] - W * out->mean) / sqrt(den)
                        : NAN;
        out->p[i] = isnan(out->z[i]) ? NAN : erfc(fabs(out->z[i]) / M_SQRT2);
        out->p_sim[i] = NAN;
    }
    if (o->permutations > 0 && n >= 2)
        run_all(&jb, work_permute, nt);

    /* bins from p, FDR-adjusted if asked (into p_sim's neighbour: a copy) */
    double *padj = malloc((n ? n : 1) * sizeof *padj);
    if (!padj)
        goto nomem;
    if (o->fdr)
        rc = hs_bh_adjust(out->p, n, padj, err);
    else
        memcpy(padj, out->p, n * sizeof *padj);
    for (size_t i = 0; !rc && i < n; i++) {
        double q = padj[i];
        int b = q <= 0.01 ? 3 : q <= 0.05 ? 2 : q <= 0.10 ? 1 : 0;
        out->bin[i] = (signed char)(isnan(q) ? 0 : out->z[i] < 0 ? -b : b);
    }
    free(padj);
    if (rc)
        goto fail;
    free(kept);
    free(x);
    free(sum);
    free(off);
    return HS_OK;
nomem:
    rc = hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory for %zu cells", cells);
fail:
    free(kept);
    free(x);
    free(sum);
    free(off);
    hs_gi_free(out);
    return rc;
}
