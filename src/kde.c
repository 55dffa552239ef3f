/*
 * kde.c - exact kernel density on a grid (see kde.h).
 *
 * Phases (each run on the worker threads):
 *   1. count: drop points that cannot reach the grid, count the rest per
 *      grid row ("bucket": the row the point lies in, clamped to the grid);
 *   2. scatter: copy them, bucket by bucket, into one array (stable, so the
 *      order - and therefore every rounding - is independent of threads);
 *   3. merge: inside each bucket sort by column then by (x, y, w) and merge
 *      identical coordinates, summing weights (police.uk snaps crimes to
 *      a few points, so real data often shrinks several-fold here);
 *   4. density: rows are cut into chunks taken by the threads in turn; a
 *      chunk is written only by the thread that took it, so no locks and no
 *      per-thread grids.  For each point that can reach the chunk:
 *        - dx² of every column it can reach goes into a small table, once
 *          per point (for the Gaussian also exp(-dx²/2h²): exp is separable);
 *        - for each row, the first and last column with dx² + dy² < r² are
 *          found by moving the previous row's ends one column at a time with
 *          that exact test (no sqrt, amortised O(width) per point), so the
 *          support is decided exactly as a brute-force loop decides it;
 *        - the kernel is evaluated directly on that run of cells.
 *      Each cell receives its contributions in the same point order whatever
 *      the number of threads: results are identical bit for bit.
 */
#include "kde.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef KDE_TIMING
#include <stdio.h>
#include <time.h>
static double kt_now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define KT(name) do{double t_=kt_now();fprintf(stderr,"  %-8s %.3f\n",name,t_-kt_last);kt_last=t_;}while(0)
#else
#define KT(name) ((void)0)
#endif

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define KDE_MAX_THREADS 64
#define KDE_MAX_DIM ((size_t)1 << 31) /* rows, cols: keeps (double)r exact */

static const char *const kernel_names[] = {
    [HS_KERNEL_QUARTIC] = "quartic",     [HS_KERNEL_TRIANGULAR] = "triangular",
    [HS_KERNEL_UNIFORM] = "uniform",     [HS_KERNEL_TRIWEIGHT] = "triweight",
    [HS_KERNEL_EPANECHNIKOV] = "epanechnikov", [HS_KERNEL_GAUSSIAN] = "gaussian",
};
#define NKERNELS ((int)(sizeof kernel_names / sizeof kernel_names[0]))

static int ascii_ieq(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
        if (ca != cb)
            return 0;
        if (!ca)
            return 1;
    }
}

int hs_kernel_parse(const char *name)
{
    if (!name)
        return -1;
    for (int k = 0; k < NKERNELS; k++)
        if (ascii_ieq(name, kernel_names[k]))
            return k;
    if (ascii_ieq(name, "biweight"))
        return HS_KERNEL_QUARTIC;
    return -1;
}

const char *hs_kernel_name(hs_kernel k)
{
    return (int)k >= 0 && (int)k < NKERNELS ? kernel_names[k] : "unknown";
}

double hs_kernel_radius(hs_kernel k, double bandwidth)
{
    return k == HS_KERNEL_GAUSSIAN ? 4.0 * bandwidth : bandwidth;
}

/*
 * Normalisation: c such that c * shape(d) integrates to 1 over the plane.
 * In polar coordinates with u = d/h: integral = 2 pi h² * int_0^1 shape(u) u du
 * (substitute v = u² for the polynomial ones: int (1-u²)^m u du = 1/(2(m+1))):
 *   quartic      (1-u²)²: 2 pi h² / 6  = pi h²/3  -> c = 3/(pi h²)
 *   triangular   (1-u):   2 pi h² (1/2 - 1/3) = pi h²/3 -> c = 3/(pi h²)
 *   uniform      1:       2 pi h² / 2  = pi h²    -> c = 1/(pi h²)
 *   triweight    (1-u²)³: 2 pi h² / 8  = pi h²/4  -> c = 4/(pi h²)
 *   epanechnikov (1-u²):  2 pi h² / 4  = pi h²/2  -> c = 2/(pi h²)
 *   gaussian exp(-d²/2h²) on d < 4h: 2 pi int_0^4h exp(-d²/2h²) d dd
 *                         = 2 pi h² (1 - e^-8)    -> c = 1/(2 pi h² (1 - e^-8))
 * tests/test_kde.c checks each numerically (sum over a fine grid).
 */
static double kernel_norm(hs_kernel k, double h)
{
    double ph2 = M_PI * h * h;
    switch (k) {
    case HS_KERNEL_QUARTIC: return 3.0 / ph2;
    case HS_KERNEL_TRIANGULAR: return 3.0 / ph2;
    case HS_KERNEL_UNIFORM: return 1.0 / ph2;
    case HS_KERNEL_TRIWEIGHT: return 4.0 / ph2;
    case HS_KERNEL_EPANECHNIKOV: return 2.0 / ph2;
    case HS_KERNEL_GAUSSIAN: return 1.0 / (2.0 * ph2 * -expm1(-8.0));
    }
    return NAN;
}

typedef struct kpt {
    double x, y, w;
} kpt;

typedef struct kde_thread {
    size_t *ccount; /* cols + 1: column counting sort (phase 3)        */
    kpt *tmp;       /* largest bucket (phase 3)                        */
    double *dx2;    /* table width: dx² per reachable column (phase 4) */
    double *ex;     /* table width: exp(-dx²/2h²), Gaussian only       */
    size_t bad_w;   /* first point with a non-finite weight, or SIZE_MAX */
} kde_thread;

typedef struct kde_job {
    const double *x, *y;
    const float *w;
    size_t n;
    hs_kernel k;
    double h, r2, inv_h, inv_h2, gexp, norm;
    double x0, y0, s, ytop;
    double xlo, xhi, ylo, yhi; /* a point outside cannot reach a centre */
    double rcells;             /* support radius in cells                */
    size_t cols, rows;
    double *out;

    int nt, nt_scan;           /* threads for phases 3-4 and for 1-2     */
    kde_thread th[KDE_MAX_THREADS];
    size_t *tcount;            /* nt_scan * rows: counts, then offsets   */
    size_t *bstart;            /* rows + 1                               */
    size_t *bcount;            /* rows: bucket sizes after merging       */
    kpt *pts;
    size_t tabw;               /* width of the dx² table                 */

    size_t chunk_rows, nchunks;
    long reach;                /* buckets further than this from a row
                                  cannot touch it                        */
    atomic_size_t next;        /* work counter for phases 3 and 4        */
} kde_job;

/* ---- threads ------------------------------------------------------------ */

typedef void (*phase_fn)(kde_job *job, int tid);

typedef struct worker {
    kde_job *job;
    phase_fn fn;
    int tid;
} worker;

static void *worker_main(void *arg)
{
    worker *wk = arg;
    wk->fn(wk->job, wk->tid);
    return NULL;
}

/* Runs fn(job, 0..nt-1), in parallel where threads can be started; a part
 * whose thread could not be started runs here afterwards, so the work is
 * always complete (static parts) or simply taken by others (dynamic). */
static void run_phase(kde_job *job, phase_fn fn, int nt)
{
    pthread_t th[KDE_MAX_THREADS];
    worker wk[KDE_MAX_THREADS];
    int started[KDE_MAX_THREADS] = {0};

    atomic_store(&job->next, 0);
    for (int t = 1; t < nt; t++) {
        wk[t] = (worker){job, fn, t};
        started[t] = pthread_create(&th[t], NULL, worker_main, &wk[t]) == 0;
    }
    fn(job, 0);
    for (int t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            fn(job, t);
    }
}

/* ---- phases 1 and 2: bucket by row --------------------------------------- */

/* Clamps v to [0, hi] and converts; v may be huge or negative. */
static size_t clamp_index(double v, size_t hi)
{
    if (!(v > 0.0))
        return 0;
    if (v >= (double)hi)
        return hi;
    return (size_t)v;
}

static int point_kept(const kde_job *job, double px, double py)
{
    /* also false for NaN */
    return px > job->xlo && px < job->xhi && py > job->ylo && py < job->yhi;
}

static size_t bucket_of(const kde_job *job, double py)
{
    return clamp_index(floor((job->ytop - py) / job->s), job->rows - 1);
}

static void scan_range(const kde_job *job, int tid, size_t *lo, size_t *hi)
{
    *lo = job->n / (size_t)job->nt_scan * (size_t)tid;
    *hi = tid == job->nt_scan - 1 ? job->n
                                  : job->n / (size_t)job->nt_scan * (size_t)(tid + 1);
}

static void phase_count(kde_job *job, int tid)
{
    size_t lo, hi;
    size_t *cnt = job->tcount + (size_t)tid * job->rows;
    scan_range(job, tid, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        if (job->w) {
            float wi = job->w[i];
            if (!isfinite(wi)) {
                if (job->th[tid].bad_w == SIZE_MAX)
                    job->th[tid].bad_w = i;
                continue;
            }
            if (wi == 0.0f)
                continue;
        }
        if (point_kept(job, job->x[i], job->y[i]))
            cnt[bucket_of(job, job->y[i])]++;
    }
}

static void phase_scatter(kde_job *job, int tid)
{
    size_t lo, hi;
    size_t *pos = job->tcount + (size_t)tid * job->rows;
    scan_range(job, tid, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        double wi = job->w ? job->w[i] : 1.0;
        if (wi == 0.0 || !isfinite(wi) || !point_kept(job, job->x[i], job->y[i]))
            continue;
        job->pts[pos[bucket_of(job, job->y[i])]++] = (kpt){job->x[i], job->y[i], wi};
    }
}

/* ---- phase 3: merge identical points ----------------------------------- */

static int kpt_less(const kpt *a, const kpt *b)
{
    if (a->x != b->x)
        return a->x < b->x;
    if (a->y != b->y)
        return a->y < b->y;
    return a->w < b->w;
}

static int kpt_cmp(const void *pa, const void *pb)
{
    const kpt *a = pa, *b = pb;
    return kpt_less(a, b) ? -1 : kpt_less(b, a) ? 1 : 0;
}

static void sort_pts(kpt *p, size_t m)
{
    if (m > 24) {
        qsort(p, m, sizeof *p, kpt_cmp);
        return;
    }
    for (size_t i = 1; i < m; i++) {
        kpt v = p[i];
        size_t j = i;
        for (; j > 0 && kpt_less(&v, &p[j - 1]); j--)
            p[j] = p[j - 1];
        p[j] = v;
    }
}

/* Appends the sorted run src[0..m) to dst[*nd...], merging equal (x, y). */
static void merge_run(kpt *dst, size_t *nd, const kpt *src, size_t m)
{
    size_t d = *nd;
    for (size_t i = 0; i < m; i++) {
        if (d > *nd && dst[d - 1].x == src[i].x && dst[d - 1].y == src[i].y)
            dst[d - 1].w += src[i].w;
        else
            dst[d++] = src[i];
    }
    *nd = d;
}

static void merge_bucket(kde_job *job, kde_thread *th, size_t b)
{
    kpt *p = job->pts + job->bstart[b];
    size_t m = job->bstart[b + 1] - job->bstart[b], nd = 0;

    if (m <= 32 || m * 8 < job->cols) {
        /* small bucket: sorting it whole is cheaper than a pass over cols */
        sort_pts(p, m);
        memcpy(th->tmp, p, m * sizeof *p);
        merge_run(p, &nd, th->tmp, m);
    } else {
        size_t *cc = th->ccount, cols = job->cols;
        memset(cc, 0, (cols + 1) * sizeof *cc);
        for (size_t i = 0; i < m; i++)
            cc[clamp_index(floor((p[i].x - job->x0) / job->s), cols - 1) + 1]++;
        for (size_t c = 0; c < cols; c++)
            cc[c + 1] += cc[c];
        for (size_t i = 0; i < m; i++)
            th->tmp[cc[clamp_index(floor((p[i].x - job->x0) / job->s), cols - 1)]++] = p[i];
        /* cc[c] is now the end of column c's run */
        size_t start = 0;
        for (size_t c = 0; c < cols && start < m; c++) {
            size_t end = cc[c];
            if (end > start) {
                sort_pts(th->tmp + start, end - start);
                merge_run(p, &nd, th->tmp + start, end - start);
            }
            start = end;
        }
    }
    job->bcount[b] = nd;
}

static void phase_merge(kde_job *job, int tid)
{
    for (;;) {
        size_t b0 = atomic_fetch_add(&job->next, 16);
        if (b0 >= job->rows)
            break;
        size_t b1 = b0 + 16 < job->rows ? b0 + 16 : job->rows;
        for (size_t b = b0; b < b1; b++)
            merge_bucket(job, &job->th[tid], b);
    }
}

/* ---- phase 4: density ---------------------------------------------------- */

/* Adds one point's kernel to cells o[lo..hi] of one row; t holds dx², dy2 is
 * this row's dy², W the weight times the normalisation constant. */
static void add_run(const kde_job *job, const kde_thread *th, double *o, long lo,
                    long hi, double dy2, double W)
{
    const double *t = th->dx2;
    const double r2 = job->r2, ih2 = job->inv_h2;
    switch (job->k) {
    case HS_KERNEL_QUARTIC:
        for (long i = lo; i <= hi; i++) {
            double q = (r2 - (t[i] + dy2)) * ih2;
            o[i] += W * (q * q);
        }
        break;
    case HS_KERNEL_TRIWEIGHT:
        for (long i = lo; i <= hi; i++) {
            double q = (r2 - (t[i] + dy2)) * ih2;
            o[i] += W * (q * q * q);
        }
        break;
    case HS_KERNEL_EPANECHNIKOV:
        for (long i = lo; i <= hi; i++)
            o[i] += W * ((r2 - (t[i] + dy2)) * ih2);
        break;
    case HS_KERNEL_UNIFORM:
        for (long i = lo; i <= hi; i++)
            o[i] += W;
        break;
    case HS_KERNEL_TRIANGULAR:
        for (long i = lo; i <= hi; i++)
            o[i] += W * (1.0 - sqrt(t[i] + dy2) * job->inv_h);
        break;
    case HS_KERNEL_GAUSSIAN: {
        const double *ex = th->ex;
        double Wy = W * exp(dy2 * job->gexp);
        for (long i = lo; i <= hi; i++)
            o[i] += Wy * ex[i];
        break;
    }
    }
}

/* Adds point p to rows [r0, r1) of the grid. */
static void add_point(const kde_job *job, kde_thread *th, const kpt *p, size_t r0,
                      size_t r1)
{
    const double px = p->x, py = p->y, s = job->s, r2 = job->r2;

    /* Rows and columns it can reach, one spare each side for rounding;
     * the exact test below decides. */
    double fr = (job->ytop - py) / s - 0.5; /* fractional row index of py */
    size_t ra = clamp_index(floor(fr - job->rcells) - 1.0, job->rows - 1);
    size_t rb = clamp_index(ceil(fr + job->rcells) + 1.0, job->rows - 1);
    if (ra < r0)
        ra = r0;
    if (rb > r1 - 1)
        rb = r1 - 1;
    if (ra > rb)
        return;
    double fc = (px - job->x0) / s - 0.5;
    size_t clo = clamp_index(floor(fc - job->rcells) - 1.0, job->cols - 1);
    size_t chi = clamp_index(ceil(fc + job->rcells) + 1.0, job->cols - 1);
    long wid = (long)(chi - clo) + 1;

    double *t = th->dx2;
    for (long i = 0; i < wid; i++) {
        double dx = (job->x0 + ((double)(clo + (size_t)i) + 0.5) * s) - px;
        t[i] = dx * dx;
    }
    if (job->k == HS_KERNEL_GAUSSIAN)
        for (long i = 0; i < wid; i++)
            th->ex[i] = exp(t[i] * job->gexp);

    /* The nearest column: dx² falls then rises along the row. */
    long cn = (long)clamp_index(floor(fc + 0.5), chi) - (long)clo;
    if (cn < 0)
        cn = 0;
    if (cn >= wid)
        cn = wid - 1;
    while (cn > 0 && t[cn - 1] < t[cn])
        cn--;
    while (cn < wid - 1 && t[cn + 1] < t[cn])
        cn++;

    const double W = p->w * job->norm;
    long lo = cn, hi = cn - 1; /* empty run */
    for (size_t r = ra; r <= rb; r++) {
        double dy = (job->y0 + ((double)(job->rows - r) - 0.5) * s) - py;
        double dy2 = dy * dy;
        if (!(t[cn] + dy2 < r2)) {
            lo = cn, hi = cn - 1;
            continue;
        }
        if (lo > hi)
            lo = hi = cn;
        /* move each end to the exact edge; t[cn] passes, so loops stop */
        if (t[lo] + dy2 < r2) {
            while (lo > 0 && t[lo - 1] + dy2 < r2)
                lo--;
        } else {
            do
                lo++;
            while (!(t[lo] + dy2 < r2));
        }
        if (t[hi] + dy2 < r2) {
            while (hi < wid - 1 && t[hi + 1] + dy2 < r2)
                hi++;
        } else {
            do
                hi--;
            while (!(t[hi] + dy2 < r2));
        }
        add_run(job, th, job->out + r * job->cols + clo, lo, hi, dy2, W);
    }
}

static void phase_density(kde_job *job, int tid)
{
    kde_thread *th = &job->th[tid];
    for (;;) {
        size_t ch = atomic_fetch_add(&job->next, 1);
        if (ch >= job->nchunks)
            break;
        size_t r0 = ch * job->chunk_rows;
        size_t r1 = r0 + job->chunk_rows < job->rows ? r0 + job->chunk_rows : job->rows;
        memset(job->out + r0 * job->cols, 0, (r1 - r0) * job->cols * sizeof *job->out);

        size_t reach = (size_t)job->reach;
        size_t b0 = r0 > reach ? r0 - reach : 0;
        size_t b1 = r1 - 1 + reach < job->rows - 1 ? r1 - 1 + reach : job->rows - 1;
        for (size_t b = b0; b <= b1; b++) {
            const kpt *p = job->pts + job->bstart[b];
            for (size_t i = 0, m = job->bcount[b]; i < m; i++)
                add_point(job, th, &p[i], r0, r1);
        }
    }
}

/* ---- entry point --------------------------------------------------------- */

static int online_cpus(void)
{
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)(c < KDE_MAX_THREADS ? c : KDE_MAX_THREADS) : 1;
}

static hs_status check_args(const double *x, const double *y, size_t n,
                            hs_kernel k, double h, const hs_kde_grid *g,
                            const double *out, hs_error *err)
{
    if (!g || !out || (n > 0 && (!x || !y)))
        return hs_fail(err, HS_ERR_ARG, "kde: %s is NULL",
                       !g ? "grid" : !out ? "output" : "point array");
    if ((int)k < 0 || (int)k >= NKERNELS)
        return hs_fail(err, HS_ERR_ARG, "kde: unknown kernel %d", (int)k);
    if (!(h > 0.0) || !isfinite(h))
        return hs_fail(err, HS_ERR_ARG,
                       "kde: bandwidth must be a positive number of metres, got %g", h);
    /* h², 1/h² and the normalisation must be ordinary numbers */
    double r = hs_kernel_radius(k, h);
    if (!isnormal(h * h) || !isnormal(r * r) || !isfinite(1.0 / (M_PI * h * h)))
        return hs_fail(err, HS_ERR_ARG, "kde: bandwidth %g is out of range", h);
    if (!(g->cell > 0.0) || !isfinite(g->cell))
        return hs_fail(err, HS_ERR_ARG,
                       "kde: cell size must be a positive number of metres, got %g",
                       g->cell);
    if (!isfinite(g->x0) || !isfinite(g->y0))
        return hs_fail(err, HS_ERR_ARG, "kde: grid origin (%g, %g) is not finite",
                       g->x0, g->y0);
    if (g->cols == 0 || g->rows == 0 || g->cols > KDE_MAX_DIM || g->rows > KDE_MAX_DIM ||
        g->cols > SIZE_MAX / sizeof(double) / g->rows)
        return hs_fail(err, HS_ERR_ARG,
                       "kde: grid of %zu columns x %zu rows is empty or too large",
                       g->cols, g->rows);
    double x1 = g->x0 + (double)g->cols * g->cell, y1 = g->y0 + (double)g->rows * g->cell;
    double mag = fmax(fmax(fabs(g->x0), fabs(x1)), fmax(fabs(g->y0), fabs(y1)));
    if (!isfinite(mag) || g->cell < 1e-9 * mag)
        return hs_fail(err, HS_ERR_ARG,
                       "kde: cell size %g is too small for coordinates of magnitude %g",
                       g->cell, mag);
    return HS_OK;
}

hs_status hs_kde_compute(const double *x, const double *y, const float *w,
                         size_t n, hs_kernel k, double bandwidth,
                         const hs_kde_grid *g, double *out, int threads,
                         hs_error *err)
{
    hs_status rc = check_args(x, y, n, k, bandwidth, g, out, err);
    if (rc != HS_OK)
        return rc;

    kde_job *job = calloc(1, sizeof *job);
    if (!job)
        return hs_fail(err, HS_ERR_NOMEM, "kde: out of memory");
    job->x = x, job->y = y, job->w = w, job->n = n, job->k = k;
    job->h = bandwidth;
    double r = hs_kernel_radius(k, bandwidth);
    job->r2 = r * r;
    job->inv_h = 1.0 / bandwidth;
    job->inv_h2 = 1.0 / (bandwidth * bandwidth);
    job->gexp = -0.5 / (bandwidth * bandwidth);
    job->norm = kernel_norm(k, bandwidth);
    job->x0 = g->x0, job->y0 = g->y0, job->s = g->cell;
    job->cols = g->cols, job->rows = g->rows;
    job->ytop = g->y0 + (double)g->rows * g->cell;
    job->out = out;
    job->rcells = r / g->cell;
    /* centres lie in [x0 + s/2, x1 - s/2]; one spare cell for rounding */
    job->xlo = g->x0 - r - 0.5 * g->cell;
    job->xhi = g->x0 + (double)g->cols * g->cell + r + 0.5 * g->cell;
    job->ylo = g->y0 - r - 0.5 * g->cell;
    job->yhi = job->ytop + r + 0.5 * g->cell;

    int nt = threads > 0 ? (threads < KDE_MAX_THREADS ? threads : KDE_MAX_THREADS)
                         : online_cpus();
    /* Several chunks per thread so a thread slowed by other work on the
     * machine does not hold up the rest; at least 8 rows per chunk so the
     * per-point setup is shared by many rows. */
    job->chunk_rows = (g->rows + 4 * (size_t)nt - 1) / (4 * (size_t)nt);
    if (job->chunk_rows < 8)
        job->chunk_rows = 8;
    job->nchunks = (g->rows + job->chunk_rows - 1) / job->chunk_rows;
    if ((size_t)nt > job->nchunks)
        nt = (int)job->nchunks;
    job->nt = nt;
    job->nt_scan = n / 100000 + 1 < (size_t)nt ? (int)(n / 100000 + 1) : nt;
    job->reach = job->rcells + 3.0 < (double)g->rows ? (long)job->rcells + 3
                                                     : (long)g->rows;
    double tw = ceil(2.0 * job->rcells) + 6.0;
    job->tabw = tw < (double)g->cols ? (size_t)tw : g->cols;

    job->tcount = calloc((size_t)job->nt_scan * g->rows, sizeof *job->tcount);
    job->bstart = calloc(g->rows + 1, sizeof *job->bstart);
    job->bcount = calloc(g->rows, sizeof *job->bcount);
    if (!job->tcount || !job->bstart || !job->bcount)
        goto nomem;
    for (int t = 0; t < nt; t++)
        job->th[t].bad_w = SIZE_MAX;

#ifdef KDE_TIMING
    double kt_last = kt_now();
#endif
    /* 1. count */
    if (n > 0)
        run_phase(job, phase_count, job->nt_scan);
    KT("count");
    size_t bad = SIZE_MAX;
    for (int t = 0; t < job->nt_scan; t++)
        if (job->th[t].bad_w < bad)
            bad = job->th[t].bad_w;
    if (bad != SIZE_MAX) {
        rc = hs_fail(err, HS_ERR_ARG, "kde: weight of point %zu is not a finite number (%g)",
                     bad, (double)w[bad]);
        goto done;
    }
    /* counts -> per-thread write offsets, bucket by bucket in thread order */
    size_t total = 0, maxb = 0;
    for (size_t b = 0; b < g->rows; b++) {
        job->bstart[b] = total;
        for (int t = 0; t < job->nt_scan; t++) {
            size_t c = job->tcount[(size_t)t * g->rows + b];
            job->tcount[(size_t)t * g->rows + b] = total;
            total += c;
        }
        if (total - job->bstart[b] > maxb)
            maxb = total - job->bstart[b];
    }
    job->bstart[g->rows] = total;

    /* 2. scatter */
    job->pts = malloc((total ? total : 1) * sizeof *job->pts);
    if (!job->pts)
        goto nomem;
    if (total > 0)
        run_phase(job, phase_scatter, job->nt_scan);
    KT("scatter");
    free(job->tcount);
    job->tcount = NULL;

    /* 3. merge; 4. density */
    for (int t = 0; t < nt; t++) {
        kde_thread *th = &job->th[t];
        th->ccount = malloc((g->cols + 1) * sizeof *th->ccount);
        th->tmp = malloc((maxb ? maxb : 1) * sizeof *th->tmp);
        th->dx2 = malloc(job->tabw * sizeof *th->dx2);
        th->ex = k == HS_KERNEL_GAUSSIAN ? malloc(job->tabw * sizeof *th->ex) : NULL;
        if (!th->ccount || !th->tmp || !th->dx2 || (k == HS_KERNEL_GAUSSIAN && !th->ex))
            goto nomem;
    }
    if (total > 0)
        run_phase(job, phase_merge, nt);
    KT("merge");
    for (int t = 0; t < nt; t++) { /* phase 3 scratch is not needed any more */
        free(job->th[t].ccount);
        free(job->th[t].tmp);
        job->th[t].ccount = NULL;
        job->th[t].tmp = NULL;
    }
    run_phase(job, phase_density, nt);
    KT("density");
    goto done;

nomem:
    rc = hs_fail(err, HS_ERR_NOMEM, "kde: out of memory for %zu points on a %zux%zu grid",
                 n, g->cols, g->rows);
done:
    for (int t = 0; t < KDE_MAX_THREADS; t++) {
        free(job->th[t].ccount);
        free(job->th[t].tmp);
        free(job->th[t].dx2);
        free(job->th[t].ex);
    }
    free(job->tcount);
    free(job->bstart);
    free(job->bcount);
    free(job->pts);
    free(job);
    return rc;
}
