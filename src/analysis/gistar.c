/* gistar.c - Getis-Ord Gi* on a grid, permutations and FDR (gistar.h). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/gistar.h"
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

/*
 * Permutations (gistar.h): the cells with m other neighbours share one set
 * of R x m draws u in [0, n - 2]; for cell i a draw u stands for cell
 * u < i ? u : u + 1.  So S_r(i), the sum of simulation r's draws, changes
 * with i only where i passes u + 1 (from x[u + 1] to x[u]): the cells of
 * a group are swept in order with the draws sorted by u, R x m updates
 * for the whole group instead of R x m for each cell.  (Drawing for each
 * cell, as spdep does, took 78 s for 700,000 cells with 31 neighbours.)
 */
/* One draw: the cell index u it picks, and its simulation r. */
typedef struct draw {
    uint32_t u, r;
} draw;

typedef struct perm_group {
    int m;
    size_t *cells;     /* kept indices, ascending */
    size_t ncells;
    draw *d;           /* its R x m draws, by u ascending */
} perm_group;

typedef struct perm_task {
    const perm_group *pg;
    size_t a, b;       /* cells [a, b) of the group */
} perm_task;

/* By u (ties by r: a total order; the sums do not depend on it). */
static int by_u(const void *p, const void *q)
{
    const draw *a = p, *b = q;
    if (a->u != b->u)
        return a->u < b->u ? -1 : 1;
    return (a->r > b->r) - (a->r < b->r);
}

/* Cells [a, b) of one group: S_r at the first cell directly, then swept. */
static void permute(gi_job *jb, const perm_task *t, long *S)
{
    const perm_group *pg = t->pg;
    const int R = jb->o->permutations;
    const size_t nd = (size_t)R * (size_t)pg->m;
    const int32_t *x = jb->x;
    size_t i0 = pg->cells[t->a], e = 0;
    memset(S, 0, (size_t)R * sizeof *S);
    for (size_t k = 0; k < nd; k++) {
        uint32_t u = pg->d[k].u;
        S[pg->d[k].r] += x[u < i0 ? u : u + 1];
        e += u < i0; /* the draws already switched at i0 come first */
    }
    for (size_t c = t->a; c < t->b; c++) {
        size_t i = pg->cells[c];
        for (; e < nd && (size_t)pg->d[e].u + 1 <= i; e++) {
            uint32_t u = pg->d[e].u;
            S[pg->d[e].r] += (long)x[u] - (long)x[u + 1];
        }
        const long obs = jb->sum[i] - x[i];
        long khi = 0, klo = 0;
        for (int r = 0; r < R; r++) {
            khi += S[r] >= obs;
            klo += S[r] <= obs;
        }
        jb->out->p_sim[i] = (double)((khi < klo ? khi : klo) + 1) / (double)(R + 1);
    }
}

typedef struct perm_job {
    gi_job *jb;
    perm_task *task;
    size_t ntask;
    atomic_size_t next;
    atomic_int nomem;
} perm_job;

static void *work_permute(void *arg)
{
    perm_job *pj = arg;
    long *S = malloc(((size_t)pj->jb->o->permutations + 1) * sizeof *S);
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

/* Row prefix sums of v (grid-sized) into P ((cols + 1) a row). */
static void row_prefix(const hs_grid_geom *g, const double *v, double *P)
{
    for (size_t r = 0; r < g->rows; r++) {
        double *pr = P + r * (g->cols + 1);
        const double *vr = v + r * g->cols;
        pr[0] = 0;
        for (size_t c = 0; c < g->cols; c++)
            pr[c + 1] = pr[c] + vr[c];
    }
}

/* Sum of v over the disc of half-widths hw[0..2R] around (r, c), from its
 * row prefix sums: one run a row. */
static double disc_sum(const hs_grid_geom *g, const double *P, const int *hw,
                       int R, long r, long c)
{
    double s = 0;
    for (int dr = -R; dr <= R; dr++) {
        long rr = r + dr;
        if (rr < 0 || rr >= (long)g->rows)
            continue;
        long c0 = c - hw[dr + R], c1 = c + hw[dr + R];
        c0 = c0 < 0 ? 0 : c0;
        c1 = c1 >= (long)g->cols ? (long)g->cols - 1 : c1;
        const double *pr = P + (size_t)rr * (g->cols + 1);
        s += pr[c1 + 1] - pr[c0];
    }
    return s;
}

/*
 * Global Moran's I z (gistar.h) of the counts, neighbours the kept cells
 * within D cells (the cell itself not one).  Row-standardised binary
 * weights need, per cell, its degree d_i and the sums over its neighbours
 * of z, 1/d and 1/d²: each is a sum over a disc, taken as one run a row
 * from row prefix sums (a 10-cell disc: 21 runs, not 317 cells).
 * NaN when undefined.  v, P: grid-sized scratch, P with a column more.
 */
static double moran_z(const hs_grid_geom *g, const uint32_t *cell,
                      const int32_t *x, size_t n, double mean, double D,
                      double *v, double *P, int *deg)
{
    const size_t cells = g->rows * g->cols;
    int R = (int)floor(D * (1 + 1e-9)), hw[2 * 1000 + 1];
    double D2 = D * D * (1 + 1e-9);
    for (int dr = -R; dr <= R; dr++) {
        int w = 0;
        while ((double)((w + 1) * (w + 1) + dr * dr) <= D2)
            w++;
        hw[dr + R] = w;
    }
    double num = 0, z2 = 0, S0 = 0, S1 = 0, S2 = 0;
    /* degrees */
    memset(v, 0, cells * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[cell[i]] = 1;
    row_prefix(g, v, P);
    for (size_t i = 0; i < n; i++)
        deg[i] = (int)lround(disc_sum(g, P, hw, R, (long)(cell[i] / g->cols),
                                      (long)(cell[i] % g->cols))) - 1;
    /* sum of z over the neighbours */
    for (size_t i = 0; i < n; i++)
        v[cell[i]] = x[i] - mean;
    row_prefix(g, v, P);
    for (size_t i = 0; i < n; i++) {
        double zi = x[i] - mean;
        z2 += zi * zi;
        if (deg[i] == 0)
            continue;
        double zs = disc_sum(g, P, hw, R, (long)(cell[i] / g->cols),
                             (long)(cell[i] % g->cols)) - zi;
        S0 += 1;
        num += zi * zs / deg[i];
    }
    /* S1 = 1/2 sum_i (1/d_i + 2 A_i / d_i + B_i), S2 = sum_i (1 + A_i)²,
     * A_i and B_i the sums of 1/d_j and 1/d_j² over i's neighbours */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++)
            v[cell[i]] = deg[i] > 0 ? (pass ? 1.0 / ((double)deg[i] * deg[i])
                                            : 1.0 / deg[i]) : 0;
        row_prefix(g, v, P);
        for (size_t i = 0; i < n; i++) {
            if (deg[i] == 0)
                continue;
            double self = v[cell[i]];
            double t = disc_sum(g, P, hw, R, (long)(cell[i] / g->cols),
                                (long)(cell[i] % g->cols)) - self;
            if (pass == 0) {
                S1 += 1.0 / deg[i] + 2.0 * t / deg[i];
                S2 += (1 + t) * (1 + t);
            } else {
                S1 += t;
            }
        }
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
    size_t n = out->n, cells = g->rows * g->cols;
    offset *off = malloc(21 * 21 * sizeof *off);
    int *deg = malloc((n ? n : 1) * sizeof *deg);
    double *v = malloc(cells * sizeof *v);
    double *P = malloc((g->cols + 1) * g->rows * sizeof *P);
    if (!off || !deg || !v || !P) {
        free(off);
        free(deg);
        free(v);
        free(P);
        return hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory");
    }
    int first = -1, best = -1;
    for (int k = 0; k < 10; k++)
        out->isa_z[k] = moran_z(g, out->cell, x, n, out->mean, k + 1, v, P, deg);
    free(v);
    free(P);
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

#define PERM_CHUNK 4096 /* cells a permutation task sweeps */

/* p_sim of every cell: the groups' draws, then the sweeps on nt threads. */
static hs_status permute_all(gi_job *jb, int nt, hs_error *err)
{
    hs_gi *out = jb->out;
    const size_t n = out->n;
    const int R = jb->o->permutations;
    int maxm = 0;
    for (size_t i = 0; i < n; i++)
        maxm = out->nbrs[i] - 1 > maxm ? out->nbrs[i] - 1 : maxm;
    size_t *cnt = calloc((size_t)maxm + 2, sizeof *cnt);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    perm_group *pg = calloc((size_t)maxm + 1, sizeof *pg);
    perm_task *task = NULL;
    hs_status rc = HS_OK;
    if (!cnt || !idx || !pg)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        cnt[out->nbrs[i]]++; /* m + 1 */
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
        idx[cnt[out->nbrs[i] - 1]++] = i;
    if (!(task = malloc((ntask ? ntask : 1) * sizeof *task)))
        goto nomem;
    ntask = 0;
    for (int m = 0; m <= maxm; m++) {
        if (pg[m].ncells == 0)
            continue;
        if (m == 0) { /* no other neighbour: every simulation ties */
            for (size_t c = 0; c < pg[0].ncells; c++)
                out->p_sim[pg[0].cells[c]] = 1.0;
            continue;
        }
        size_t nd = (size_t)R * (size_t)m;
        if (!(pg[m].d = malloc(nd * sizeof *pg[m].d)))
            goto nomem;
        uint64_t st = hs_mix64(jb->o->seed ^ hs_mix64((uint64_t)m));
        for (size_t k = 0; k < nd; k++) /* simulation by simulation */
            pg[m].d[k] = (draw){
                (uint32_t)hs_below64(&st, n - 1),
                (uint32_t)(k / (size_t)m)};
        qsort(pg[m].d, nd, sizeof *pg[m].d, by_u);
        for (size_t a = 0; a < pg[m].ncells; a += PERM_CHUNK)
            task[ntask++] = (perm_task){&pg[m], a,
                                        a + PERM_CHUNK < pg[m].ncells
                                            ? a + PERM_CHUNK : pg[m].ncells};
    }
    perm_job pj = {.jb = jb, .task = task, .ntask = ntask};
    atomic_init(&pj.next, 0);
    atomic_init(&pj.nomem, 0);
    run_all(&pj, work_permute, nt);
    if (atomic_load(&pj.nomem))
        goto nomem;
    goto done;
nomem:
    rc = hs_fail(err, HS_ERR_NOMEM, "Gi*: out of memory for the permutations");
done:
    for (int m = 0; pg && m <= maxm; m++)
        free(pg[m].d);
    free(pg);
    free(cnt);
    free(idx);
    free(task);
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
    atomic_init(&jb.next, 0);
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
    if (o->permutations > 0 && n >= 2 && (rc = permute_all(&jb, nt, err)))
        goto fail;

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
