/* gistar.c - Getis-Ord Gi* on a grid, permutations and FDR (gistar.h). */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/gistar.h"
#include "core/keep.h"
#include "core/memory.h"
#include "core/random.h"

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
    free(gi->point_cell);
    memset(gi, 0, sizeof *gi);
}

const char *hs_gi_class(int bin)
{
    static const char *const names[7] = {
        "cold spot, 99%", "cold spot, 95%", "cold spot, 90%", "not significant",
        "hot spot, 90%",  "hot spot, 95%",  "hot spot, 99%"};
    return bin >= -3 && bin <= 3 ? names[bin + 3] : "not significant";
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
    double mean = 0;
    for (size_t i = 0; i < k; i++)
        mean += d[i];
    mean /= (double)k;
    double med = hs_median(d, k);
    double L = fmax(mean, med), S = fmin(mean, med);
    if (!(S > 0))
        return fmax(1, round(2 * L));
    return fmax(1, round(L * fmax(2, L / S)));
}

/* ---- the lattice: squares or hexagons ---------------------------------- */

#define SQRT3_2 0.86602540378443864676 /* a hexagon row's height / cell */
#define TOL (1 + 1e-9)                 /* distance tolerance (gistar.h) */

static double row_step(const hs_grid_geom *g, int hex)
{
    return hex ? g->cell * SQRT3_2 : g->cell;
}

void hs_gi_centre(const hs_grid_geom *g, int hex, size_t idx, double *x, double *y)
{
    size_t r = idx / g->cols, c = idx % g->cols;
    double sh = hex && (r & 1) ? 0.5 : 0.0;
    *x = g->x0 + ((double)c + 0.5 + sh) * g->cell;
    *y = g->y0 + ((double)(g->rows - r) - 0.5) * row_step(g, hex);
}

size_t hs_gi_ring(const hs_grid_geom *g, int hex, size_t idx, double *xy)
{
    if (!hex) { /* from the corners: squares that share an edge share it exactly */
        double xa = g->x0 + (double)(idx % g->cols) * g->cell;
        double ya = g->y0 + (double)(g->rows - 1 - idx / g->cols) * g->cell;
        const double sq[10] = {xa, ya, xa + g->cell, ya, xa + g->cell,
                               ya + g->cell, xa, ya + g->cell, xa, ya};
        memcpy(xy, sq, sizeof sq);
        return 5;
    }
    /* pointy top: vertices at -30 + 60 k degrees, circumradius cell / sqrt 3 */
    double cx, cy, h = g->cell / 2, rc = g->cell / (2 * SQRT3_2), v = rc / 2;
    hs_gi_centre(g, 1, idx, &cx, &cy);
    const double hx[7][2] = {{h, -v}, {h, v}, {0, rc}, {-h, v}, {-h, -v}, {0, -rc}, {h, -v}};
    for (int k = 0; k < 7; k++) {
        xy[2 * k] = cx + hx[k][0];
        xy[2 * k + 1] = cy + hx[k][1];
    }
    return 7;
}

hs_status hs_gi_hex_grid(double xmin, double ymin, double xmax, double ymax,
                         double cell, hs_grid_geom *g, hs_error *err)
{
    double hs = cell * SQRT3_2;
    if (!(cell > 0) || !isfinite(cell) || !(xmax >= xmin) || !(ymax >= ymin) ||
        !isfinite(xmin) || !isfinite(xmax) || !isfinite(ymin) || !isfinite(ymax))
        return hs_fail(err, HS_ERR_ARG, "Gi*: empty extent or bad cell %g m", cell);
    /* a cell's margin every way: every point of the extent is in a hexagon */
    double x0 = floor(xmin / cell) * cell - cell, y0 = floor(ymin / hs) * hs - hs;
    double cols = ceil((xmax - x0) / cell) + 1, rows = ceil((ymax - y0) / hs) + 1;
    if (cols * rows > (double)INT32_MAX)
        return hs_fail(err, HS_ERR_ARG, "Gi*: %.0f x %.0f hexagons of %g m is "
                       "too many: use a bigger --gi-cell", cols, rows, cell);
    *g = (hs_grid_geom){x0, y0, cell, (size_t)cols, (size_t)rows};
    return HS_OK;
}

ptrdiff_t hs_gi_locate(const hs_grid_geom *g, int hex, double x, double y)
{
    if (!hex) { /* the floor rule */
        double fc = floor((x - g->x0) / g->cell), fr = floor((y - g->y0) / g->cell);
        if (!(fc >= 0 && fc < (double)g->cols && fr >= 0 && fr < (double)g->rows))
            return -1;
        return (ptrdiff_t)((g->rows - 1 - (size_t)fr) * g->cols + (size_t)fc);
    }
    /* the nearest centre of the lattice carried on beyond the grid: it
     * lies in one of the two rows around y (rows are 0.87 cell apart, a
     * point is at most 0.58 cell from its centre), at one of the two
     * columns around x in that row; beyond the grid: nowhere */
    double fr = (double)g->rows - 0.5 - (y - g->y0) / row_step(g, 1);
    double fx = (x - g->x0) / g->cell - 0.5;
    if (!(fr > -2 && fr < (double)g->rows + 1 && fx > -2 && fx < (double)g->cols + 1))
        return -1;
    long r0 = (long)floor(fr), br = 0, bc = 0;
    double bd = INFINITY;
    for (long r = r0; r <= r0 + 1; r++) {
        double sh = (r % 2 != 0) ? 0.5 : 0.0; /* r may be -1 */
        long c0 = (long)floor(fx - sh);
        double cy = g->y0 + ((double)((long)g->rows - r) - 0.5) * row_step(g, 1);
        for (long c = c0; c <= c0 + 1; c++) {
            double cx = g->x0 + ((double)c + 0.5 + sh) * g->cell;
            double d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
            if (d < bd) { /* ties: the first in row-major order, as visited */
                bd = d;
                br = r;
                bc = c;
            }
        }
    }
    if (br < 0 || br >= (long)g->rows || bc < 0 || bc >= (long)g->cols)
        return -1;
    return (ptrdiff_t)((size_t)br * g->cols + (size_t)bc);
}

/*
 * A neighbourhood of D cells (centre to centre, the tolerance of
 * gistar.h), decided on integers: for a centre row of parity p (hexagons
 * shift odd rows half a cell east) and a row offset dr, the columns dc in
 * [lo, hi].  Squares: dc² + dr² <= D².  Hexagons: the centres differ by
 * dx = dc + (q - p) / 2 cells (q the other row's parity) and dy = dr
 * sqrt(3) / 2, so (2 dc + q - p)² + 3 dr² <= 4 D².  Both are convex, so
 * each row is one run of columns.
 */
typedef struct band {
    int R;
    int *lo, *hi; /* [p (2R + 1) + dr + R] */
} band;

static int band_make(double D, int hex, band *b)
{
    double lim = (hex ? 4 * D * D : D * D) * TOL;
    int R = (int)floor((hex ? D / SQRT3_2 : D) * TOL), W = 2 * R + 1;
    b->R = R;
    b->lo = malloc(2 * (size_t)W * sizeof *b->lo);
    b->hi = malloc(2 * (size_t)W * sizeof *b->hi);
    if (!b->lo || !b->hi)
        return -1;
    for (int p = 0; p < 2; p++)
        for (int dr = -R; dr <= R; dr++) {
            int q = ((p + dr) % 2 + 2) % 2, lo = 1, hi = 0;
            for (int dc = -R - 1; dc <= R + 1; dc++) {
                double a = hex ? (double)(2 * dc + q - p) : (double)dc;
                double d = a * a + (hex ? 3.0 : 1.0) * (double)dr * dr;
                if (d <= lim) {
                    lo = lo > hi ? dc : lo;
                    hi = dc;
                }
            }
            b->lo[p * W + dr + R] = lo;
            b->hi[p * W + dr + R] = hi;
        }
    return 0;
}

static void band_free(band *b)
{
    free(b->lo);
    free(b->hi);
}

/* Row r's parity as band_make uses it. */
static int parity(int hex, size_t r)
{
    return hex ? (int)(r & 1) : 0;
}

/* Row offset dr of band b around grid cell idx, clipped to the grid: row
 * *rr, columns *c0 .. *c1.  0 when that row is off the grid or the run
 * empty after clipping. */
static int band_run(const hs_grid_geom *g, int hex, const band *b, size_t idx,
                    int dr, size_t *rr, size_t *c0, size_t *c1)
{
    const int R = b->R, k = parity(hex, idx / g->cols) * (2 * R + 1) + dr + R;
    long r = (long)(idx / g->cols) + dr, c = (long)(idx % g->cols);
    long lo = c + b->lo[k], hi = c + b->hi[k];
    lo = lo < 0 ? 0 : lo;
    hi = hi >= (long)g->cols ? (long)g->cols - 1 : hi;
    if (r < 0 || r >= (long)g->rows || hi < lo)
        return 0;
    *rr = (size_t)r;
    *c0 = (size_t)lo;
    *c1 = (size_t)hi;
    return 1;
}

/* ---- the statistic ----------------------------------------------------- */

/* What the sums and the permutations read. */
typedef struct stat_job {
    size_t n;
    const double *x;       /* values                                  */
    const int *W;          /* W_i, self included                      */
    const double *S;       /* S_i                                     */
    double tol;            /* sums this close tie (hs_gi_perm)        */
    const hs_gi_opts *o;
    const unsigned char *need; /* NULL: every feature's p_sim        */
    double *p_sim;
} stat_job;

/*
 * Permutations (gistar.h): the features with m other neighbours share one
 * set of R x m draws u in [0, n - 2]; for feature i a draw u stands for
 * u < i ? u : u + 1.  So S_r(i), the sum of simulation r's draws, changes
 * with i only where i passes u + 1 (from x[u + 1] to x[u]): the features
 * of a group are swept in order with the draws sorted by u, R x m updates
 * for the whole group instead of R x m for each.  (Drawing for each cell,
 * as spdep does, took 78 s for 700,000 cells with 31 neighbours.)  The
 * S_r are also kept sorted, so a feature's counts at or above and at or
 * below its sum are two binary searches, not R comparisons: the draws
 * change between features a few times in R x m, and R comparisons a
 * feature were the permutations' whole cost (18% of Gi* at 1M incidents,
 * measured).  The counts are of the same doubles either way.
 */
/* One draw: the feature index u it picks, and its simulation r. */
typedef struct draw {
    uint32_t u, r;
} draw;

typedef struct perm_group {
    int m;
    uint32_t *cells;   /* feature indices, ascending (n <= UINT32_MAX) */
    size_t ncells;
    draw *d;           /* its R x m draws, by u ascending */
} perm_group;

typedef struct perm_task {
    const perm_group *pg;
    size_t a, b;       /* features [a, b) of the group */
} perm_task;

/* By u, then r (draws equal in both are the same draw twice). */
static int by_u(const void *p, const void *q)
{
    const draw *a = p, *b = q;
    if (a->u != b->u)
        return a->u < b->u ? -1 : 1;
    return (a->r > b->r) - (a->r < b->r);
}

static int cmp_double(const void *p, const void *q)
{
    double a = *(const double *)p, b = *(const double *)q;
    return (a > b) - (a < b);
}

/* The first index of sorted s[0 .. n) whose value is >= v (strict: > v). */
static size_t bound(const double *s, size_t n, double v, int strict)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strict ? s[mid] <= v : s[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* In sorted s[0 .. n), one value old becomes nu, s kept sorted. */
static void resort(double *s, size_t n, double old, double nu)
{
    size_t p = bound(s, n, old, 0); /* s[p] == old */
    if (nu > old)
        for (; p + 1 < n && s[p + 1] < nu; p++)
            s[p] = s[p + 1];
    else
        for (; p > 0 && s[p - 1] > nu; p--)
            s[p] = s[p - 1];
    s[p] = nu;
}

/* Features [a, b) of one group: S_r at the first directly, then swept;
 * S holds R sums, then the same sorted. */
static void permute(const stat_job *jb, const perm_task *t, double *S)
{
    const perm_group *pg = t->pg;
    const int R = jb->o->permutations;
    const size_t nd = (size_t)R * (size_t)pg->m;
    const double *x = jb->x;
    double *sorted = S + R;
    size_t i0 = pg->cells[t->a], e = 0;
    memset(S, 0, (size_t)R * sizeof *S);
    for (size_t k = 0; k < nd; k++) {
        uint32_t u = pg->d[k].u;
        S[pg->d[k].r] += x[u < i0 ? u : u + 1];
        e += u < i0; /* the draws already switched at i0 come first */
    }
    memcpy(sorted, S, (size_t)R * sizeof *S);
    qsort(sorted, (size_t)R, sizeof *sorted, cmp_double);
    for (size_t c = t->a; c < t->b; c++) {
        size_t i = pg->cells[c];
        for (; e < nd && (size_t)pg->d[e].u + 1 <= i; e++) {
            uint32_t u = pg->d[e].u, r = pg->d[e].r;
            double old = S[r];
            S[r] += x[u] - x[u + 1];
            if (S[r] != old)
                resort(sorted, (size_t)R, old, S[r]);
        }
        if (jb->need && !jb->need[i])
            continue; /* S_r is swept on all the same */
        const double obs = jb->S[i] - x[i], lo = obs - jb->tol, hi = obs + jb->tol;
        size_t khi = (size_t)R - bound(sorted, (size_t)R, lo, 0); /* >= lo */
        size_t klo = bound(sorted, (size_t)R, hi, 1);             /* <= hi */
        jb->p_sim[i] = (double)((khi < klo ? khi : klo) + 1) / (double)(R + 1);
    }
}

typedef struct perm_job {
    const stat_job *jb;
    perm_task *task;
    size_t ntask;
    atomic_size_t next;
    atomic_int nomem;
} perm_job;

static void *work_permute(void *arg)
{
    perm_job *pj = arg;
    double *S = malloc((2 * (size_t)pj->jb->o->permutations + 1) * sizeof *S);
    if (!S) {
        atomic_store(&pj->nomem, 1);
        return NULL;
    }
    for (;;) {
        size_t q = atomic_fetch_add(&pj->next, 1);
        if (q >= pj->ntask)
            break;
        permute(pj->jb, &pj->task[q], S);
    }
    free(S);
    return NULL;
}

/* Runs fn(arg) on nt threads (this one included). */
static void run_all(void *arg, void *(*fn)(void *), int nt)
{
    pthread_t th[MAX_THREADS];
    int started = 0;
    for (int t = 1; t < nt; t++, started++)
        if (pthread_create(&th[t], NULL, fn, arg) != 0)
            break;
    fn(arg);
    for (int t = 1; t <= started; t++)
        pthread_join(th[t], NULL);
}

static int threads(const hs_gi_opts *o)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int nt = o->threads > 0 ? o->threads : ncpu > 0 ? (int)ncpu : 1;
    return nt > MAX_THREADS ? MAX_THREADS : nt;
}

#define PERM_CHUNK 4096 /* features a permutation task sweeps */
#define DRAW_BATCH ((size_t)4 << 20) /* draws in memory at a time: 32 MB */

/* p_sim of every feature: the groups' draws, then the sweeps. */
static hs_status permute_all(const stat_job *jb, hs_error *err)
{
    const size_t n = jb->n;
    const int R = jb->o->permutations;
    int maxm = 0;
    for (size_t i = 0; i < n; i++)
        maxm = jb->W[i] - 1 > maxm ? jb->W[i] - 1 : maxm;
    /* the draws of a batch of groups at a time, in one buffer used again:
     * fresh memory for every group's draws was 1 s of page faults in a
     * run with ~250 group sizes (measured) */
    size_t cap = (size_t)R * (size_t)maxm;
    cap = cap > DRAW_BATCH ? cap : DRAW_BATCH;
    size_t *cnt = calloc((size_t)maxm + 2, sizeof *cnt);
    /* 4 bytes an index: half the memory to touch for emerging hot spots'
     * 5.9M cell-months (the kernel's zeroing of fresh pages under the
     * permutations: 1.2% -> 0.6% of the 1M run's CPU, measured) */
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    perm_group *pg = calloc((size_t)maxm + 1, sizeof *pg);
    perm_task *task = NULL;
    size_t *ucount = malloc((n + 1) * sizeof *ucount);
    uint32_t *tmp = malloc(((size_t)R * (size_t)maxm + 1) * sizeof *tmp);
    draw *buf = malloc(cap * sizeof *buf);
    hs_status rc = HS_OK;
    hs_advise_huge(idx, n * sizeof *idx);
    hs_advise_huge(ucount, (n + 1) * sizeof *ucount);
    hs_advise_huge(tmp, (size_t)R * (size_t)maxm * sizeof *tmp);
    hs_advise_huge(buf, cap * sizeof *buf);
    if (!cnt || !idx || !pg || !ucount || !tmp || !buf)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        cnt[jb->W[i]]++; /* m + 1 */
    for (int m = 0; m <= maxm; m++)
        cnt[m + 1] += cnt[m];
    size_t ntask = 0;
    for (int m = 0; m <= maxm; m++) {
        pg[m].m = m;
        pg[m].cells = idx + cnt[m];
        pg[m].ncells = cnt[m + 1] - cnt[m];
        ntask += (pg[m].ncells + PERM_CHUNK - 1) / PERM_CHUNK;
    }
    for (size_t i = 0; i < n; i++) /* ascending within each group */
        idx[cnt[jb->W[i] - 1]++] = (uint32_t)i;
    if (!(task = malloc((ntask ? ntask : 1) * sizeof *task)))
        goto nomem;
    for (size_t c = 0; c < pg[0].ncells; c++) /* no other neighbour: every */
        jb->p_sim[pg[0].cells[c]] = 1.0;      /* simulation ties            */
    for (int m = 1; m <= maxm;) {
        size_t used = 0;
        ntask = 0;
        for (; m <= maxm; m++) {
            size_t nd = (size_t)R * (size_t)m;
            if (pg[m].ncells == 0)
                continue;
            if (used + nd > cap)
                break;
            pg[m].d = buf + used;
            used += nd;
            uint64_t st = hs_mix64(jb->o->seed ^ hs_mix64((uint64_t)m));
            /* by u, then r.  Few draws among many features (emerging
             * hot spots: 15,000 among 5.9M cell-months): a sort, as a
             * counting sort's pass over n for each of ~40 groups was a
             * second; else a counting sort of the draws as made,
             * simulation by simulation (a sort for each of ~250 group
             * sizes was 5 s of a 2,400-cell run).  The same order. */
            if (nd * 32 < n) {
                for (size_t k = 0; k < nd; k++)
                    pg[m].d[k] = (draw){(uint32_t)hs_below64(&st, n - 1),
                                        (uint32_t)(k / (size_t)m)};
                qsort(pg[m].d, nd, sizeof *pg[m].d, by_u);
            } else {
                memset(ucount, 0, n * sizeof *ucount);
                for (size_t k = 0; k < nd; k++) {
                    uint32_t u = (uint32_t)hs_below64(&st, n - 1);
                    tmp[k] = u;
                    ucount[u + 1]++;
                }
                for (size_t u = 1; u < n; u++)
                    ucount[u] += ucount[u - 1];
                for (size_t k = 0; k < nd; k++)
                    pg[m].d[ucount[tmp[k]]++] = (draw){tmp[k], (uint32_t)(k / (size_t)m)};
            }
            for (size_t a = 0; a < pg[m].ncells; a += PERM_CHUNK)
                task[ntask++] = (perm_task){&pg[m], a,
                                            a + PERM_CHUNK < pg[m].ncells
                                                ? a + PERM_CHUNK : pg[m].ncells};
        }
        perm_job pj = {.jb = jb, .task = task, .ntask = ntask};
        atomic_init(&pj.next, 0);
        atomic_init(&pj.nomem, 0);
        run_all(&pj, work_permute, threads(jb->o));
        if (atomic_load(&pj.nomem))
            goto nomem;
    }
    goto done;
nomem:
    rc = hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory for the permutations");
done:
    free(buf);
    free(pg);
    free(cnt);
    free(idx);
    free(task);
    free(ucount);
    free(tmp);
    return rc;
}

hs_status hs_gi_stat(size_t n, const double *x, const int *W, const double *S,
                     const hs_gi_opts *o, double *z, double *p, double *p_sim,
                     double *mean, double *var, hs_error *err)
{
    if (o->permutations < 0)
        return hs_fail(err, HS_ERR_ARG, "Gi*: %d permutations", o->permutations);
    if (n > UINT32_MAX)
        return hs_fail(err, HS_ERR_ARG, "Gi*: %zu features is too many", n);
    double total = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        total += (double)x[i];
    double m = n ? total / (double)n : 0;
    for (size_t i = 0; i < n; i++)
        ss += ((double)x[i] - m) * ((double)x[i] - m);
    double v = n ? ss / (double)n : 0;
    *mean = m;
    *var = v;
    for (size_t i = 0; i < n; i++) {
        double Wi = W[i], den = v * ((double)n * Wi - Wi * Wi) / ((double)n - 1);
        z[i] = n >= 2 && den > 0 ? (S[i] - Wi * m) / sqrt(den) : NAN;
        p[i] = isnan(z[i]) ? NAN : erfc(fabs(z[i]) / M_SQRT2);
    }
    return p_sim ? hs_gi_perm(n, x, W, S, o, NULL, p_sim, err) : HS_OK;
}

/*
 * How close two neighbour sums must be to tie (gistar.h).  Whole values
 * below 2^53 add exactly in any order: 0, the integer rule.  Fractional
 * ones do not: the sweep (permute) adds and takes away draws, so a
 * simulation of zeros can end at 1e-17, which compared exactly would be
 * above or below a cell of zeros by chance instead of tied.  Sums of at
 * most k = m + 1 values of size at most xmax, each about 3 k roundings of
 * at most k xmax ε / 2 on either side: 4 k² ε xmax bounds both.
 */
static double tie_tolerance(size_t n, const double *x, const int *W)
{
    double xmax = 0, total = 0;
    int whole = 1, k = 1;
    for (size_t i = 0; i < n; i++) {
        xmax = x[i] > xmax ? x[i] : xmax;
        total += x[i];
        whole &= x[i] == floor(x[i]);
        k = W[i] > k ? W[i] : k;
    }
    if (whole && total < 0x1p53)
        return 0;
    return 4.0 * k * k * DBL_EPSILON * xmax;
}

hs_status hs_gi_perm(size_t n, const double *x, const int *W, const double *S,
                     const hs_gi_opts *o, const unsigned char *need,
                     double *p_sim, hs_error *err)
{
    if (o->permutations < 0)
        return hs_fail(err, HS_ERR_ARG, "Gi*: %d permutations", o->permutations);
    if (n > UINT32_MAX)
        return hs_fail(err, HS_ERR_ARG, "Gi*: %zu features is too many", n);
    for (size_t i = 0; i < n; i++)
        p_sim[i] = NAN;
    if (o->permutations == 0 || n < 2)
        return HS_OK;
    stat_job jb = {.n = n, .x = x, .W = W, .S = S, .tol = tie_tolerance(n, x, W),
                   .o = o, .need = need, .p_sim = p_sim};
    return permute_all(&jb, err);
}

/*
 * Bins need the adjusted p only where it is <= 0.10, and BH's adjusted p
 * is never below the raw one: the cells with p > 0.10 are in every bin 0
 * and only count in m.  So only the cells with p <= 0.10 are adjusted,
 * over ranks 1..k among all m: their cummin is BH's unless it is above
 * 0.10 (then the cells above could lower it, but never to 0.10 or below,
 * and the bin is 0 either way).  Sorting every cell was most of the
 * emerging hot spots' time: 12 months x 491,000 cells, ~1 s a group.
 */
hs_status hs_gi_bins(const double *z, const double *p, size_t n, int fdr,
                     signed char *bin, hs_error *err)
{
    size_t k = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        bin[i] = 0;
        m += isfinite(p[i]);
        k += isfinite(p[i]) && p[i] <= 0.10;
    }
    double *ps = malloc((k ? k : 1) * sizeof *ps), *adj = malloc((k ? k : 1) * sizeof *adj);
    size_t *at = malloc((k ? k : 1) * sizeof *at);
    if (!ps || !adj || !at) {
        free(ps);
        free(adj);
        free(at);
        return hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory for %zu bins", n);
    }
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(p[i]) && p[i] <= 0.10) {
            ps[k] = p[i];
            at[k++] = i;
        }
    hs_status rc = HS_OK;
    if (fdr && k) { /* BH over the k smallest: ranks 1..k of m */
        pv *v = malloc(k * sizeof *v);
        if (!v) {
            rc = hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory for %zu bins", n);
        } else {
            for (size_t q = 0; q < k; q++)
                v[q] = (pv){ps[q], q};
            qsort(v, k, sizeof *v, by_p_desc);
            double run = 1.0;
            for (size_t q = 0; q < k; q++) { /* the q-th largest: rank k - q */
                double a = (double)m / (double)(k - q) * v[q].p;
                run = a < run ? a : run;
                adj[v[q].i] = run;
            }
            free(v);
        }
    } else {
        memcpy(adj, ps, k * sizeof *adj);
    }
    for (size_t q = 0; !rc && q < k; q++) {
        int b = adj[q] <= 0.01 ? 3 : adj[q] <= 0.05 ? 2 : adj[q] <= 0.10 ? 1 : 0;
        bin[at[q]] = (signed char)(z[at[q]] < 0 ? -b : b);
    }
    free(ps);
    free(adj);
    free(at);
    return rc;
}

/* ---- on the lattice: W_i and S_i, Moran's I for the scale -------------- */

typedef struct sum_job {
    const hs_grid_geom *g;
    int hex;
    const band *b;
    const uint32_t *cell;
    size_t n;
    const int32_t *kept;   /* grid index -> kept index, -1 not kept   */
    const double *x;
    int *W;
    double *S;
    atomic_size_t next;
} sum_job;

/* W_i and S_i of cells [a, b). */
static void sums(sum_job *jb, size_t a, size_t b)
{
    const hs_grid_geom *g = jb->g;
    for (size_t i = a; i < b; i++) {
        double s = 0;
        int w = 0;
        size_t rr, c0, c1;
        for (int dr = -jb->b->R; dr <= jb->b->R; dr++) {
            if (!band_run(g, jb->hex, jb->b, jb->cell[i], dr, &rr, &c0, &c1))
                continue;
            const int32_t *kr = jb->kept + rr * g->cols;
            for (size_t cc = c0; cc <= c1; cc++)
                if (kr[cc] >= 0) {
                    w++;
                    s += jb->x[kr[cc]];
                }
        }
        jb->W[i] = w;
        jb->S[i] = s;
    }
}

static void *work_sums(void *arg)
{
    sum_job *jb = arg;
    for (;;) {
        size_t a = atomic_fetch_add(&jb->next, CHUNK);
        if (a >= jb->n)
            return NULL;
        sums(jb, a, a + CHUNK < jb->n ? a + CHUNK : jb->n);
    }
}

/* Row prefix sums of the nc channels of v (grid-sized, interleaved) into
 * P ((cols + 1) x nc a row), each channel added in column order. */
static void row_prefix(const hs_grid_geom *g, const double *v, double *P, int nc)
{
    for (size_t r = 0; r < g->rows; r++) {
        double *pr = P + r * (g->cols + 1) * (size_t)nc;
        const double *vr = v + r * g->cols * (size_t)nc;
        for (int q = 0; q < nc; q++)
            pr[q] = 0;
        for (size_t c = 0; c < g->cols; c++)
            for (int q = 0; q < nc; q++)
                pr[(c + 1) * (size_t)nc + (size_t)q] =
                    pr[c * (size_t)nc + (size_t)q] + vr[c * (size_t)nc + (size_t)q];
    }
}

/* Sums of the nc channels of v over band b around grid cell idx, from
 * their row prefix sums: one run a row, each channel in row order. */
static void disc_sum(const hs_grid_geom *g, int hex, const double *P, int nc,
                     const band *b, size_t idx, double *out)
{
    /* band_run's runs, its divisions made once a cell, not once a row
     * (with moran_z's one sweep for degree and z: 22.9% -> 13.9% of the
     * statistics' CPU at 1M incidents, measured) */
    const long rows = (long)g->rows, cols = (long)g->cols, R = b->R;
    const long r = (long)(idx / g->cols), c = (long)(idx % g->cols);
    const size_t k = (size_t)(parity(hex, (size_t)r) * (2 * R + 1) + R);
    const int *lo = b->lo + k, *hi = b->hi + k;
    const size_t stride = (g->cols + 1) * (size_t)nc;
    long d0 = r - R < 0 ? -r : -R, d1 = r + R >= rows ? rows - 1 - r : R;
    for (int q = 0; q < nc; q++)
        out[q] = 0;
    for (long dr = d0; dr <= d1; dr++) {
        long c0 = c + lo[dr], c1 = c + hi[dr];
        c0 = c0 < 0 ? 0 : c0;
        c1 = c1 >= cols ? cols - 1 : c1;
        if (c1 < c0)
            continue;
        const double *pr = P + (size_t)(r + dr) * stride;
        for (int q = 0; q < nc; q++)
            out[q] += pr[(size_t)(c1 + 1) * (size_t)nc + (size_t)q] -
                      pr[(size_t)c0 * (size_t)nc + (size_t)q];
    }
}

/* Scratch for moran_z: the row prefix sums of 1 and of z at the kept
 * cells (two channels, the same at every distance: made once), and per
 * distance those of 1/d and 1/d² (two channels), with the values behind
 * them. */
typedef struct moran_scratch {
    double *P1z;      /* (cols + 1) x rows x 2              */
    double *v2, *P2;  /* cells x 2, (cols + 1) x rows x 2   */
    int *deg;
    double *zs;       /* a cell's sum of z over its disc    */
    double *tb;       /* a cell's sum of 1/d² over its neighbours */
} moran_scratch;

/*
 * Global Moran's I z (gistar.h) of the counts, neighbours the kept cells
 * within D cells (the cell itself not one).  Row-standardised binary
 * weights need, per cell, its degree d_i and the sums over its neighbours
 * of z, 1/d and 1/d²: each is a sum over a disc, taken as one run a row
 * from row prefix sums (a 10-cell disc: 21 runs, not 317 cells), the
 * degree and z in one sweep, 1/d and 1/d² in another.  The sums accumulate in the order of one pass per
 * quantity (the 1/d² terms after all the 1/d ones), as they always have.
 * NaN when undefined.
 */
static double moran_z(const hs_grid_geom *g, int hex, const uint32_t *cell,
                      const double *x, size_t n, double mean, const band *b,
                      moran_scratch *m)
{
    const size_t cells = g->rows * g->cols;
    double num = 0, z2 = 0, S0 = 0, S1 = 0, S2 = 0;
    int *deg = m->deg;
    for (size_t i = 0; i < n; i++) {
        double one_z[2];
        disc_sum(g, hex, m->P1z, 2, b, cell[i], one_z);
        deg[i] = (int)lround(one_z[0]) - 1;
        m->zs[i] = one_z[1];
    }
    memset(m->v2, 0, 2 * cells * sizeof *m->v2);
    for (size_t i = 0; i < n; i++)
        if (deg[i] > 0) {
            m->v2[2 * (size_t)cell[i]] = 1.0 / deg[i];
            m->v2[2 * (size_t)cell[i] + 1] = 1.0 / ((double)deg[i] * deg[i]);
        }
    row_prefix(g, m->v2, m->P2, 2);
    /* S1 = 1/2 sum_i (1/d_i + 2 A_i / d_i + B_i), S2 = sum_i (1 + A_i)²,
     * A_i and B_i the sums of 1/d_j and 1/d_j² over i's neighbours */
    for (size_t i = 0; i < n; i++) {
        double zi = x[i] - mean;
        z2 += zi * zi;
        if (deg[i] == 0)
            continue;
        double zs = m->zs[i] - zi, ab[2];
        disc_sum(g, hex, m->P2, 2, b, cell[i], ab);
        S0 += 1;
        num += zi * zs / deg[i];
        double t = ab[0] - m->v2[2 * (size_t)cell[i]];
        S1 += 1.0 / deg[i] + 2.0 * t / deg[i];
        S2 += (1 + t) * (1 + t);
        m->tb[i] = ab[1] - m->v2[2 * (size_t)cell[i] + 1];
    }
    for (size_t i = 0; i < n; i++)
        if (deg[i] > 0)
            S1 += m->tb[i];
    S1 /= 2;
    double dn = (double)n;
    if (n < 3 || !(S0 > 0) || !(z2 > 0))
        return NAN;
    double I = dn / S0 * num / z2, E = -1.0 / (dn - 1);
    double V = (dn * dn * S1 - dn * S2 + 3 * S0 * S0) / ((dn * dn - 1) * S0 * S0) - E * E;
    return V > 0 ? (I - E) / sqrt(V) : NAN;
}

/* An offset and its squared distance in cells, x 4 for hexagons. */
typedef struct offset {
    int dr, dc;
    long d2;
} offset;

static int cmp_offset(const void *a, const void *b)
{
    const offset *p = a, *q = b;
    return (p->d2 > q->d2) - (p->d2 < q->d2);
}

/* Band b's offsets for centre rows of parity p, self left out, nearest
 * first; returns how many. */
static size_t offsets(const band *b, int hex, int p, offset *off)
{
    const int R = b->R, Wd = 2 * R + 1;
    size_t k = 0;
    for (int dr = -R; dr <= R; dr++)
        for (int dc = b->lo[p * Wd + dr + R]; dc <= b->hi[p * Wd + dr + R]; dc++) {
            if (!dr && !dc)
                continue;
            int q = ((p + dr) % 2 + 2) % 2;
            long a = hex ? 2 * dc + q - p : dc;
            off[k++] = (offset){dr, dc, a * a + (hex ? 3L : 1L) * dr * dr};
        }
    qsort(off, k, sizeof *off, cmp_offset);
    return k;
}

/* The mean over the kept cells of the distance to the kth nearest kept
 * cell within 10 cells (those with fewer: left out); 0 when none. */
static double mean_kth(const hs_grid_geom *g, int hex, const int32_t *kept,
                       const uint32_t *cell, size_t n, size_t kth, hs_error *err,
                       hs_status *rc)
{
    band b = {0};
    offset *off[2] = {NULL, NULL};
    size_t noff[2] = {0, 0};
    double sum = 0;
    size_t m = 0;
    if (band_make(10, hex, &b) != 0)
        goto nomem;
    size_t side = 2 * (size_t)b.R + 3;
    for (int p = 0; p < 2; p++) {
        if (!(off[p] = malloc(side * side * sizeof *off[p])))
            goto nomem;
        noff[p] = offsets(&b, hex, p, off[p]);
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = cell[i] / g->cols;
        long c = (long)(cell[i] % g->cols);
        int p = parity(hex, r);
        size_t found = 0;
        for (size_t q = 0; q < noff[p]; q++) {
            long rr = (long)r + off[p][q].dr, cc = c + off[p][q].dc;
            if (rr < 0 || cc < 0 || rr >= (long)g->rows || cc >= (long)g->cols ||
                kept[(size_t)rr * g->cols + (size_t)cc] < 0)
                continue;
            if (++found == kth) {
                sum += g->cell * sqrt((double)off[p][q].d2 / (hex ? 4.0 : 1.0));
                m++;
                break;
            }
        }
    }
    goto done;
nomem:
    *rc = hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory");
done:
    band_free(&b);
    free(off[0]);
    free(off[1]);
    return m ? sum / (double)m : 0;
}

/* The automatic distance (gistar.h) into out->distance and out->rule. */
static hs_status auto_distance(const hs_grid_geom *g, const int32_t *kept,
                               const double *x, hs_gi *out, hs_error *err)
{
    size_t n = out->n, cells = g->rows * g->cols, pc = (g->cols + 1) * g->rows;
    int hex = out->hex;
    moran_scratch m = {
        .P1z = malloc(2 * pc * sizeof *m.P1z),
        .v2 = malloc(2 * cells * sizeof *m.v2), .P2 = malloc(2 * pc * sizeof *m.P2),
        .deg = malloc((n ? n : 1) * sizeof *m.deg),
        .zs = malloc((n ? n : 1) * sizeof *m.zs),
        .tb = malloc((n ? n : 1) * sizeof *m.tb)};
    hs_status rc = HS_OK;
    if (!m.P1z || !m.v2 || !m.P2 || !m.deg || !m.zs || !m.tb) {
        rc = hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory");
        goto done;
    }
    /* the kept cells and their z: the same at every distance */
    memset(m.v2, 0, 2 * cells * sizeof *m.v2);
    for (size_t i = 0; i < n; i++) {
        m.v2[2 * (size_t)out->cell[i]] = 1;
        m.v2[2 * (size_t)out->cell[i] + 1] = x[i] - out->mean;
    }
    row_prefix(g, m.v2, m.P1z, 2);
    int first = -1, best = -1;
    for (int k = 0; k < 10; k++) {
        band b;
        if (band_make(k + 1, hex, &b) != 0) {
            band_free(&b);
            rc = hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory");
            goto done;
        }
        out->isa_z[k] = moran_z(g, hex, out->cell, x, n, out->mean, &b, &m);
        band_free(&b);
    }
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
        goto done;
    }
    /* no peak: the mean distance to the k-th nearest kept cell */
    size_t kth = (size_t)(0.05 * (double)n);
    kth = kth < 3 ? 3 : kth > 30 ? 30 : kth;
    double d = mean_kth(g, hex, kept, out->cell, n, kth, err, &rc);
    out->distance = d > 0 ? d : g->cell;
    snprintf(out->rule, sizeof out->rule, "no peak of Moran's I z over 1 "
             "to 10 cells: the mean distance to the %zu-th nearest cell", kth);
done:
    free(m.P1z);
    free(m.v2);
    free(m.P2);
    free(m.deg);
    free(m.zs);
    free(m.tb);
    return rc;
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

/* Grid index -> kept index (-1: not kept) from out->cell. */
static int32_t *kept_map(const hs_grid_geom *g, const hs_gi *gi)
{
    size_t cells = g->cols * g->rows;
    int32_t *kept = malloc(cells * sizeof *kept);
    if (!kept)
        return NULL;
    hs_advise_huge(kept, cells * sizeof *kept);
    for (size_t i = 0; i < cells; i++)
        kept[i] = -1;
    for (size_t i = 0; i < gi->n; i++)
        kept[gi->cell[i]] = (int32_t)i;
    return kept;
}

hs_status hs_gi_compute(const int32_t *label, const hs_grid_geom *g,
                        const double *px, const double *py, const float *pw,
                        size_t npts, const hs_gi_opts *o, hs_gi *out,
                        hs_error *err)
{
    hs_status rc;
    memset(out, 0, sizeof *out);
    if ((rc = check(label, g, o, err)))
        return rc;
    if (npts > 0 && (!px || !py))
        return hs_fail(err, HS_ERR_ARG, "Gi*: points missing");
    for (size_t q = 0; pw && q < npts; q++)
        if (!(pw[q] >= 0) || !isfinite(pw[q]))
            return hs_fail(err, HS_ERR_ARG, "Gi*: point %zu has weight %g: "
                           "weights must be finite and 0 or more", q,
                           (double)pw[q]);
    const size_t cells = g->cols * g->rows;
    int32_t *kept = NULL;
    double *sum = NULL;
    band b = {0};
    size_t n = 0;
    out->hex = o->hex != 0;
    for (size_t i = 0; i < cells; i++)
        n += label[i] >= 0;
    out->n = n;
    out->cell = malloc((n ? n : 1) * sizeof *out->cell);
    out->count = calloc(n ? n : 1, sizeof *out->count);
    out->nbrs = malloc((n ? n : 1) * sizeof *out->nbrs);
    out->z = malloc((n ? n : 1) * sizeof *out->z);
    out->p = malloc((n ? n : 1) * sizeof *out->p);
    out->p_sim = malloc((n ? n : 1) * sizeof *out->p_sim);
    out->bin = calloc(n ? n : 1, 1);
    out->npoints = npts;
    out->point_cell = malloc((npts ? npts : 1) * sizeof *out->point_cell);
    sum = malloc((n ? n : 1) * sizeof *sum);
    /* ~0.5M cells a group: 2 MB pages save most of the faults (memory.h) */
    hs_advise_huge(out->cell, n * sizeof *out->cell);
    hs_advise_huge(out->nbrs, n * sizeof *out->nbrs);
    hs_advise_huge(out->z, n * sizeof *out->z);
    hs_advise_huge(out->p, n * sizeof *out->p);
    hs_advise_huge(out->p_sim, n * sizeof *out->p_sim);
    hs_advise_huge(out->point_cell, npts * sizeof *out->point_cell);
    hs_advise_huge(sum, n * sizeof *sum);
    if (!out->cell || !out->count || !out->nbrs || !out->z || !out->p ||
        !out->p_sim || !out->bin || !out->point_cell || !sum)
        goto nomem;
    for (size_t i = 0, k = 0; i < cells; i++)
        if (label[i] >= 0)
            out->cell[k++] = (uint32_t)i;
    if (!(kept = kept_map(g, out)))
        goto nomem;

    /* values: the floor rule, or the nearest hexagon centre (gistar.h) */
    for (size_t q = 0; q < npts; q++) {
        ptrdiff_t idx = hs_gi_locate(g, out->hex, px[q], py[q]);
        out->point_cell[q] = idx >= 0 ? kept[idx] : -1;
        if (out->point_cell[q] >= 0) {
            out->count[out->point_cell[q]] += pw ? (double)pw[q] : 1.0;
            out->points++;
        }
    }
    const double *x = out->count;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += x[i];
    out->mean = n ? total / (double)n : 0;

    if (o->distance > 0) {
        out->distance = o->distance;
        snprintf(out->rule, sizeof out->rule, "fixed");
    } else if ((rc = auto_distance(g, kept, x, out, err))) {
        goto fail;
    }
    if (band_make(out->distance / g->cell, out->hex, &b) != 0)
        goto nomem;
    sum_job sj = {.g = g, .hex = out->hex, .b = &b, .cell = out->cell, .n = n,
                  .kept = kept, .x = x, .W = out->nbrs, .S = sum};
    atomic_init(&sj.next, 0);
    run_all(&sj, work_sums, threads(o));
    if ((rc = hs_gi_stat(n, x, out->nbrs, sum, o, out->z, out->p, out->p_sim,
                         &out->mean, &out->var, err)) ||
        (rc = hs_gi_bins(out->z, out->p, n, o->fdr, out->bin, err)))
        goto fail;
    free(kept);
    free(sum);
    band_free(&b);
    return HS_OK;
nomem:
    rc = hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory for %zu cells", cells);
fail:
    free(kept);
    free(sum);
    band_free(&b);
    hs_gi_free(out);
    return rc;
}

hs_status hs_gi_neighbours(const hs_gi *gi, const hs_grid_geom *g,
                           hs_keep *keep, int slot, size_t **start,
                           uint32_t **nb, hs_error *err)
{
    *start = NULL;
    *nb = NULL;
    band b = {0};
    int32_t *kept = kept_map(g, gi);
    size_t *st = hs_keep_take(keep, slot, (gi->n + 1) * sizeof *st, 0), total = 0;
    uint32_t *out = NULL;
    if (!kept || !st || band_make(gi->distance / g->cell, gi->hex, &b) != 0)
        goto nomem;
    for (int pass = 0; pass < 2; pass++) { /* count, then fill */
        size_t k = 0, rr, c0, c1;
        for (size_t i = 0; i < gi->n; i++) {
            if (!pass)
                st[i] = k;
            for (int dr = -b.R; dr <= b.R; dr++) {
                if (!band_run(g, gi->hex, &b, gi->cell[i], dr, &rr, &c0, &c1))
                    continue;
                for (size_t cc = c0; cc <= c1; cc++)
                    if (kept[rr * g->cols + cc] >= 0) {
                        if (pass)
                            out[k] = (uint32_t)kept[rr * g->cols + cc];
                        k++;
                    }
            }
        }
        if (!pass) {
            st[gi->n] = total = k;
            if (!(out = hs_keep_take(keep, slot + 1, total * sizeof *out, 0))) /* ~30 a cell */
                goto nomem;
        }
    }
    *start = st;
    *nb = out;
    free(kept);
    band_free(&b);
    return HS_OK;
nomem:
    free(kept);
    hs_keep_give(keep, st);
    hs_keep_give(keep, out);
    band_free(&b);
    return hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory for the neighbours "
                   "of %zu cells", gi->n);
}
