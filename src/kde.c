/*
 * kde.c - exact kernel density on a grid (see kde.h).
 *
 * Phases, each run on the worker threads:
 *   1. count: check weights, drop points that cannot reach a cell centre,
 *      count the rest per "bucket" (the grid row the point lies in, clamped);
 *   2. index: a stable counting sort of point indices by bucket (4 bytes a
 *      point: copying the points themselves would touch 24 bytes a point of
 *      fresh memory, and first-touch page faults cost ~3 ms per MB on the
 *      VMs we run on - 0.7 s for 10M points);
 *   3. density: rows are cut into chunks that the threads take in turn; a
 *      chunk's rows are written only by the thread that took it, so there
 *      are no locks and no per-thread grids.  For a chunk, the buckets that
 *      can reach it are visited in order; each is gathered into a small
 *      buffer and identical coordinates are merged (weights summed: police.uk
 *      snaps crimes to a few points, so real data often shrinks several-fold).
 *      For each point:
 *        - dx² of every column it can reach goes into a small table;
 *        - for each row, the first and last column with dx² + dy² < r² are
 *          found by moving the previous row's ends one column at a time with
 *          that exact test (no sqrt, amortised O(width) per point), so the
 *          support is decided exactly as a brute-force loop decides it;
 *        - the run of cells gets the kernel, in one of two ways:
 *          direct  - evaluated cell by cell (Gaussian: exp is separable, so
 *                    exp(-dx²/2h²) is in the table and exp(-dy²/2h²) is per
 *                    row; triangular has a sqrt and no polynomial form);
 *          poly    - for the polynomial kernels, along a row the kernel is a
 *                    polynomial in the column: with q = 1 - d²/h²,
 *                    q = g0 + g1 j + g2 j², j = column - centre of a block of
 *                    columns.  The point adds its coefficients of q^m at the
 *                    start of the run and subtracts them after its end
 *                    (difference arrays, one row per "ring" slot); when no
 *                    bucket can reach a row any more, a running sum along the
 *                    row gives each cell its coefficients to evaluate.  So a
 *                    point costs O(rows of its disc), not O(cells of its disc).
 *                    Sums restart at every block (width >= 2r, so |j| and the
 *                    point's offset stay within a few r and cancellation stays
 *                    below ~1e4 ulp); an exact count of covering runs is kept
 *                    with the coefficients, so a cell no point reaches is
 *                    exactly 0, as brute force gives.
 * Each cell receives its contributions in the same order whatever the number
 * of threads or chunks, so the result is identical bit for bit.
 *
 * Measured on the 2-core bench machine, 1M points, 1400x1600 cells of 50 m,
 * quartic, bandwidth 500 m (10 cells): see the comment at POLY_MIN_CELLS.
 */
#include "kde.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define KDE_MAX_THREADS 64
#define KDE_MAX_DIM ((size_t)1 << 31) /* rows, cols: keeps indices exact  */
#define POLY_MAX_COEF 7               /* triweight: q³ has degree 6 in j   */

/*
 * Polynomial kernels use the difference arrays when the support radius is at
 * least this many cells; below it a run is only a few cells long and direct
 * evaluation is as fast.  FIXME numbers.
 */
#define POLY_MIN_CELLS 3.0

static const char *const kernel_names[] = {
    [HS_KERNEL_QUARTIC] = "quartic",
    [HS_KERNEL_TRIANGULAR] = "triangular",
    [HS_KERNEL_UNIFORM] = "uniform",
    [HS_KERNEL_TRIWEIGHT] = "triweight",
    [HS_KERNEL_EPANECHNIKOV] = "epanechnikov",
    [HS_KERNEL_GAUSSIAN] = "gaussian",
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

/* Coefficients of q^m in j (m = 2, 3, 1, 0 for quartic, triweight,
 * epanechnikov, uniform), or 0 for the kernels evaluated directly. */
static int poly_ncoef(hs_kernel k)
{
    switch (k) {
    case HS_KERNEL_QUARTIC: return 5;
    case HS_KERNEL_TRIWEIGHT: return 7;
    case HS_KERNEL_EPANECHNIKOV: return 3;
    case HS_KERNEL_UNIFORM: return 1;
    default: return 0;
    }
}

typedef struct kpt {
    double x, y, w;
} kpt;

typedef struct kde_thread {
    kpt *pts, *pts2; /* one bucket, identical points merged; spare   */
    size_t *ccount;  /* cols + 1: counting sort by column            */
    size_t *hash;    /* open addressing over pts, for the merge      */
    double *dx2;     /* dx² per reachable column of one point        */
    double *ex;      /* exp(-dx²/2h²), Gaussian only                  */
    double *ring;    /* poly: ring_rows x cols x (ncoef + 1)          */
    unsigned char *used; /* poly: ring_rows x nblocks, block has a run */
    size_t bad;      /* first point with a bad weight, or SIZE_MAX   */
} kde_thread;

typedef struct kde_job {
    const double *x, *y;
    const float *w;
    size_t n;
    hs_kernel k;
    double r2, inv_h, inv_h2, beta, gexp, norm;
    double x0, y0, s, inv_s, ytop;
    double xlo, xhi, ylo, yhi; /* a point outside cannot reach a centre   */
    double rcells;             /* support radius in cells                  */
    size_t cols, rows;
    double *out;

    int nt, nt_scan;           /* threads for phase 3 and for phases 1-2   */
    kde_thread th[KDE_MAX_THREADS];
    size_t *tcount;            /* nt_scan x rows: counts, then offsets     */
    size_t *bstart;            /* rows + 1                                 */
    uint32_t *idx32;           /* point indices by bucket (n < 2^32) ...   */
    size_t *idx64;             /* ... or this                              */
    size_t tabw;               /* width of the dx² table                   */
    size_t reach;              /* a point in bucket b touches rows b±reach */

    int nc, ncs;               /* poly: coefficients; + 1 for the count    */
    unsigned blog;             /* poly: block width 1 << blog columns      */
    size_t nblocks, ring_rows;

    size_t chunk_rows, nchunks;
    atomic_size_t next;        /* next chunk                               */
} kde_job;

/* ---- small helpers ------------------------------------------------------ */

/* floor(v) and ceil(v) clamped to [lo, hi]; NaN gives lo.  (floor() is a
 * libm call on baseline x86-64, and these run once per point.) */
static ptrdiff_t floor_clamp(double v, ptrdiff_t lo, ptrdiff_t hi)
{
    if (!(v > (double)lo))
        return lo;
    if (v >= (double)hi)
        return hi;
    ptrdiff_t t = (ptrdiff_t)v;
    return (double)t > v ? t - 1 : t;
}

static ptrdiff_t ceil_clamp(double v, ptrdiff_t lo, ptrdiff_t hi)
{
    if (!(v > (double)lo))
        return lo;
    if (v >= (double)hi)
        return hi;
    ptrdiff_t t = (ptrdiff_t)v;
    return (double)t < v ? t + 1 : t;
}

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

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

/* ---- phases 1 and 2: bucket indices by row ------------------------------ */

/* Bucket of point i, SIZE_MAX if it is skipped (cannot reach the grid, zero
 * weight) or has a bad weight (*bad set). */
static size_t classify(const kde_job *job, size_t i, int *bad)
{
    *bad = 0;
    if (job->w) {
        float wi = job->w[i];
        if (!(wi >= 0.0f) || !isfinite(wi)) {
            *bad = 1;
            return SIZE_MAX;
        }
        if (wi == 0.0f)
            return SIZE_MAX;
    }
    double px = job->x[i], py = job->y[i];
    if (!(px > job->xlo && px < job->xhi && py > job->ylo && py < job->yhi))
        return SIZE_MAX; /* also NaN */
    return (size_t)floor_clamp((job->ytop - py) / job->s, 0, (ptrdiff_t)job->rows - 1);
}

static void scan_range(const kde_job *job, int tid, size_t *lo, size_t *hi)
{
    size_t part = job->n / (size_t)job->nt_scan;
    *lo = part * (size_t)tid;
    *hi = tid == job->nt_scan - 1 ? job->n : part * (size_t)(tid + 1);
}

static void phase_count(kde_job *job, int tid)
{
    size_t lo, hi, *cnt = job->tcount + (size_t)tid * job->rows;
    scan_range(job, tid, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        int bad;
        size_t b = classify(job, i, &bad);
        if (b != SIZE_MAX)
            cnt[b]++;
        else if (bad && job->th[tid].bad == SIZE_MAX)
            job->th[tid].bad = i;
    }
}

static void phase_index(kde_job *job, int tid)
{
    size_t lo, hi, *pos = job->tcount + (size_t)tid * job->rows;
    scan_range(job, tid, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        int bad;
        size_t b = classify(job, i, &bad);
        if (b == SIZE_MAX)
            continue;
        if (job->idx32)
            job->idx32[pos[b]++] = (uint32_t)i;
        else
            job->idx64[pos[b]++] = i;
    }
}

/* ---- phase 3: gather and merge one bucket ------------------------------- */

static size_t hash_xy(double x, double y)
{
    uint64_t a, b;
    memcpy(&a, &x, sizeof a);
    memcpy(&b, &y, sizeof b);
    uint64_t h = a * 0x9E3779B97F4A7C15u ^ (b + 0x632BE59BD9B4E019u) * 0xC2B2AE3D27D4EB4Fu;
    return (size_t)(h ^ h >> 32);
}

/* Copies bucket b into th->pts with identical (x, y) merged, first occurrence
 * first; returns the number of distinct points. */
static size_t gather_bucket(const kde_job *job, kde_thread *th, size_t b)
{
    size_t s0 = job->bstart[b], m = job->bstart[b + 1] - s0;
    if (m == 0)
        return 0;
    size_t cap = 16;
    while (cap < 2 * m)
        cap *= 2;
    size_t mask = cap - 1, nd = 0;
    memset(th->hash, 0xff, cap * sizeof *th->hash); /* SIZE_MAX: empty */
    for (size_t k = 0; k < m; k++) {
        size_t i = job->idx32 ? job->idx32[s0 + k] : job->idx64[s0 + k];
        double px = job->x[i] + 0.0, py = job->y[i] + 0.0; /* -0 -> +0 for hashing */
        double wi = job->w ? (double)job->w[i] : 1.0;
        size_t h = hash_xy(px, py) & mask;
        for (;; h = (h + 1) & mask) {
            size_t j = th->hash[h];
            if (j == SIZE_MAX) {
                th->hash[h] = nd;
                th->pts[nd++] = (kpt){px, py, wi};
                break;
            }
            if (th->pts[j].x == px && th->pts[j].y == py) {
                th->pts[j].w += wi;
                break;
            }
        }
    }
    if (nd < 2)
        return nd;
    /* Column order: consecutive points then update nearby cells (poly: the
     * ring of difference rows is larger than L2; measured 0.49 s -> FIXME s
     * for the 1M bench on one thread). */
    size_t *cc = th->ccount, cols = job->cols;
    memset(cc, 0, (cols + 1) * sizeof *cc);
    for (size_t k = 0; k < nd; k++)
        cc[floor_clamp((th->pts[k].x - job->x0) * job->inv_s, 0, (ptrdiff_t)cols - 1) + 1]++;
    for (size_t c = 0; c < cols; c++)
        cc[c + 1] += cc[c];
    for (size_t k = 0; k < nd; k++)
        th->pts2[cc[floor_clamp((th->pts[k].x - job->x0) * job->inv_s, 0,
                                (ptrdiff_t)cols - 1)]++] = th->pts[k];
    kpt *tmp = th->pts;
    th->pts = th->pts2;
    th->pts2 = tmp;
    return nd;
}

/* ---- phase 3: direct evaluation ------------------------------------------ */

/* Adds one point's kernel to cells o[lo..hi] of one row; t holds dx², dy2 is
 * this row's dy², W the weight times the normalisation constant. */
static void add_run_direct(const kde_job *job, const kde_thread *th, double *o,
                           ptrdiff_t lo, ptrdiff_t hi, double dy2, double W)
{
    const double *t = th->dx2;
    const double r2 = job->r2, ih2 = job->inv_h2;
    switch (job->k) {
    case HS_KERNEL_QUARTIC:
        for (ptrdiff_t i = lo; i <= hi; i++) {
            double q = (r2 - (t[i] + dy2)) * ih2;
            o[i] += W * (q * q);
        }
        break;
    case HS_KERNEL_TRIWEIGHT:
        for (ptrdiff_t i = lo; i <= hi; i++) {
            double q = (r2 - (t[i] + dy2)) * ih2;
            o[i] += W * (q * q * q);
        }
        break;
    case HS_KERNEL_EPANECHNIKOV:
        for (ptrdiff_t i = lo; i <= hi; i++)
            o[i] += W * ((r2 - (t[i] + dy2)) * ih2);
        break;
    case HS_KERNEL_UNIFORM:
        for (ptrdiff_t i = lo; i <= hi; i++)
            o[i] += W;
        break;
    case HS_KERNEL_TRIANGULAR:
        for (ptrdiff_t i = lo; i <= hi; i++)
            o[i] += W * (1.0 - sqrt(t[i] + dy2) * job->inv_h);
        break;
    case HS_KERNEL_GAUSSIAN: {
        const double *ex = th->ex;
        double Wy = W * exp(dy2 * job->gexp);
        for (ptrdiff_t i = lo; i <= hi; i++)
            o[i] += Wy * ex[i];
        break;
    }
    }
}

/* ---- phase 3: polynomial rows -------------------------------------------- */

/* Coefficients in j of W * q^m for q = g0 + g1 j + g2 j². */
static void poly_coef(hs_kernel k, double W, double g0, double g1, double g2,
                      double *c)
{
    switch (k) {
    case HS_KERNEL_QUARTIC:
        c[0] = W * (g0 * g0);
        c[1] = W * (2.0 * g0 * g1);
        c[2] = W * (g1 * g1 + 2.0 * g0 * g2);
        c[3] = W * (2.0 * g1 * g2);
        c[4] = W * (g2 * g2);
        break;
    case HS_KERNEL_TRIWEIGHT: {
        double g00 = g0 * g0, g11 = g1 * g1, g22 = g2 * g2;
        c[0] = W * (g00 * g0);
        c[1] = W * (3.0 * g00 * g1);
        c[2] = W * (3.0 * (g0 * g11 + g00 * g2));
        c[3] = W * (g11 * g1 + 6.0 * g0 * g1 * g2);
        c[4] = W * (3.0 * (g11 * g2 + g0 * g22));
        c[5] = W * (3.0 * g1 * g22);
        c[6] = W * (g22 * g2);
        break;
    }
    case HS_KERNEL_EPANECHNIKOV:
        c[0] = W * g0;
        c[1] = W * g1;
        c[2] = W * g2;
        break;
    default: /* uniform */
        c[0] = W;
        break;
    }
}

/* Adds the run [clo, chi] (grid columns) of point p to ring slot D / used. */
static void add_run_poly(const kde_job *job, double *D, unsigned char *used,
                         ptrdiff_t clo, ptrdiff_t chi, double dy2, double W,
                         double fc)
{
    const int nc = job->nc, ncs = job->ncs;
    const ptrdiff_t bw = (ptrdiff_t)1 << job->blog, cols = (ptrdiff_t)job->cols;
    const double beta = job->beta, alpha = 1.0 - dy2 * job->inv_h2;
    double c[POLY_MAX_COEF];

    for (ptrdiff_t blk = clo >> job->blog; blk <= chi >> job->blog; blk++) {
        ptrdiff_t b0 = blk << job->blog, b1 = b0 + bw < cols ? b0 + bw - 1 : cols - 1;
        ptrdiff_t a = clo > b0 ? clo : b0, e = chi < b1 ? chi : b1;
        /* dx/cell = j - u, j = column - (b0 + bw/2) */
        double u = fc - (double)(b0 + bw / 2);
        poly_coef(job->k, W, alpha - beta * u * u, 2.0 * beta * u, -beta, c);
        double *da = D + a * ncs;
        for (int i = 0; i < nc; i++)
            da[i] += c[i];
        da[nc] += 1.0; /* runs covering the cell: exact in double */
        if (e < b1) {  /* a block's sums restart at its first column */
            double *de = D + (e + 1) * ncs;
            for (int i = 0; i < nc; i++)
                de[i] -= c[i];
            de[nc] -= 1.0;
        }
        used[blk] = 1;
    }
}

/* Running sums along the row in slot D give each cell its coefficients. */
static void finish_row_poly(const kde_job *job, const double *D,
                            const unsigned char *used, double *o)
{
    const int nc = job->nc, ncs = job->ncs;
    const size_t bw = (size_t)1 << job->blog, cols = job->cols;
    for (size_t blk = 0; blk < job->nblocks; blk++) {
        size_t b0 = blk * bw, b1 = min_sz(b0 + bw, cols);
        if (!used[blk]) {
            memset(o + b0, 0, (b1 - b0) * sizeof *o);
            continue;
        }
        double S[POLY_MAX_COEF + 1] = {0};
        double j = -(double)(bw / 2);
        for (size_t c = b0; c < b1; c++, j += 1.0) {
            const double *d = D + c * (size_t)ncs;
            for (int i = 0; i <= nc; i++)
                S[i] += d[i];
            double v = 0.0;
            if (S[nc] != 0.0) {
                v = S[nc - 1];
                for (int i = nc - 2; i >= 0; i--)
                    v = v * j + S[i];
                if (v < 0.0) /* rounding: every term is >= 0 */
                    v = 0.0;
            }
            o[c] = v;
        }
    }
}

/* ---- phase 3: one point, one chunk --------------------------------------- */

/* Adds point p (from bucket b) to rows [r0, r1) of the grid. */
static void add_point(const kde_job *job, kde_thread *th, const kpt *p, size_t b,
                      size_t r0, size_t r1)
{
    const double px = p->x, py = p->y, s = job->s, r2 = job->r2, rc = job->rcells;

    /* Rows and columns it can reach, one spare each side for rounding; the
     * exact test below decides.  b ± reach bounds the rows in any case. */
    double fr = (job->ytop - py) * job->inv_s - 0.5; /* row index of py */
    size_t blo = b - min_sz(b, job->reach);
    ptrdiff_t lo_r = (ptrdiff_t)(r0 > blo ? r0 : blo);
    ptrdiff_t hi_r = (ptrdiff_t)min_sz(r1 - 1, b + job->reach);
    ptrdiff_t ra = floor_clamp(fr - rc - 1.0, lo_r, hi_r);
    ptrdiff_t rb = ceil_clamp(fr + rc + 1.0, lo_r, hi_r);
    if (lo_r > hi_r || ra > rb || fr + rc + 1.0 < (double)lo_r || fr - rc - 1.0 > (double)hi_r)
        return;
    double fc = (px - job->x0) * job->inv_s - 0.5; /* column index of px */
    ptrdiff_t cmax = (ptrdiff_t)job->cols - 1;
    ptrdiff_t clo = floor_clamp(fc - rc - 1.0, 0, cmax);
    ptrdiff_t chi = ceil_clamp(fc + rc + 1.0, 0, cmax);
    ptrdiff_t wid = chi - clo + 1;

    double *t = th->dx2;
    for (ptrdiff_t i = 0; i < wid; i++) {
        double dx = (job->x0 + ((double)(clo + i) + 0.5) * s) - px;
        t[i] = dx * dx;
    }
    if (job->k == HS_KERNEL_GAUSSIAN)
        for (ptrdiff_t i = 0; i < wid; i++)
            th->ex[i] = exp(t[i] * job->gexp);

    /* The nearest column: dx² falls then rises along the row. */
    ptrdiff_t cn = floor_clamp(fc + 0.5, clo, chi) - clo;
    while (cn > 0 && t[cn - 1] < t[cn])
        cn--;
    while (cn < wid - 1 && t[cn + 1] < t[cn])
        cn++;

    const double W = p->w * job->norm;
    size_t slot = job->nc ? (size_t)ra % job->ring_rows : 0;
    ptrdiff_t lo = cn, hi = cn - 1; /* empty run */
    for (ptrdiff_t r = ra; r <= rb; r++) {
        size_t sl = slot;
        slot = slot + 1 == job->ring_rows ? 0 : slot + 1;
        double dy = (job->y0 + ((double)((ptrdiff_t)job->rows - r) - 0.5) * s) - py;
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
        if (job->nc)
            add_run_poly(job, th->ring + sl * job->cols * (size_t)job->ncs,
                         th->used + sl * job->nblocks, clo + lo, clo + hi, dy2, W, fc);
        else
            add_run_direct(job, th, job->out + (size_t)r * job->cols + (size_t)clo,
                           lo, hi, dy2, W);
    }
}

/* A row gets contributions from buckets row ± reach only: it is opened
 * (zeroed) before the first of them and finished after the last. */
static void open_row(const kde_job *job, kde_thread *th, size_t r)
{
    if (job->nc) {
        size_t sl = r % job->ring_rows;
        memset(th->ring + sl * job->cols * (size_t)job->ncs, 0,
               job->cols * (size_t)job->ncs * sizeof *th->ring);
        memset(th->used + sl * job->nblocks, 0, job->nblocks);
    } else {
        memset(job->out + r * job->cols, 0, job->cols * sizeof *job->out);
    }
}

static void finish_row(const kde_job *job, kde_thread *th, size_t r)
{
    if (job->nc) {
        size_t sl = r % job->ring_rows;
        finish_row_poly(job, th->ring + sl * job->cols * (size_t)job->ncs,
                        th->used + sl * job->nblocks, job->out + r * job->cols);
    }
}

static void do_chunk(const kde_job *job, kde_thread *th, size_t r0, size_t r1)
{
    size_t reach = job->reach;
    size_t b0 = r0 - min_sz(r0, reach), b1 = min_sz(job->rows - 1, r1 - 1 + reach);
    size_t next_open = r0, next_done = r0;
    for (size_t b = b0; b <= b1; b++) {
        size_t open_to = min_sz(b + reach, r1 - 1); /* bucket b reaches it */
        for (; next_open <= open_to; next_open++)
            open_row(job, th, next_open);
        size_t m = gather_bucket(job, th, b);
        for (size_t i = 0; i < m; i++)
            add_point(job, th, &th->pts[i], b, r0, r1);
        /* buckets after b cannot reach rows before b + 1 - reach */
        size_t done_to = min_sz(b + 1 - min_sz(b + 1, reach), r1);
        for (; next_done < done_to; next_done++)
            finish_row(job, th, next_done);
    }
    for (; next_open < r1; next_open++)
        open_row(job, th, next_open);
    for (; next_done < r1; next_done++)
        finish_row(job, th, next_done);
}

static void phase_density(kde_job *job, int tid)
{
    for (;;) {
        size_t ch = atomic_fetch_add(&job->next, 1);
        if (ch >= job->nchunks)
            break;
        size_t r0 = ch * job->chunk_rows;
        do_chunk(job, &job->th[tid], r0, min_sz(r0 + job->chunk_rows, job->rows));
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
    if (!isnormal(h * h) || !isnormal(r * r) || !isnormal(1.0 / (M_PI * r * r)))
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

/* Chunks, ring and blocks: everything that depends on sizes, not points. */
static void plan(kde_job *job, int threads)
{
    size_t rows = job->rows;
    int nt = threads > 0 ? (threads < KDE_MAX_THREADS ? threads : KDE_MAX_THREADS)
                         : online_cpus();
    double rc = job->rcells;
    /* ±(rc + 2) rows around fr, fr within a row of the bucket, 1 spare */
    job->reach = rc + 4.0 < (double)rows ? (size_t)rc + 4 : rows;
    double tw = 2.0 * rc + 8.0;
    job->tabw = tw < (double)job->cols ? (size_t)tw : job->cols;

    /* Several chunks per thread so a thread slowed by other work on the
     * machine does not hold up the rest; at least 8 rows per chunk so the
     * gather and per-point set-up are shared by many rows. */
    size_t per = 4 * (size_t)nt;
    job->chunk_rows = (rows + per - 1) / per;
    if (job->chunk_rows < 8)
        job->chunk_rows = 8;
    job->nchunks = (rows + job->chunk_rows - 1) / job->chunk_rows;
    if ((size_t)nt > job->nchunks)
        nt = (int)job->nchunks;
    job->nt = nt;
    job->nt_scan = job->n / 100000 + 1 < (size_t)nt ? (int)(job->n / 100000 + 1) : nt;

    job->nc = rc >= POLY_MIN_CELLS ? poly_ncoef(job->k) : 0;
    job->ncs = job->nc + 1;
    if (job->nc) {
        /* blocks at least 2 rc + 2 wide: a run touches at most two, and the
         * offset u of a point from a block's centre stays below ~3 rc */
        unsigned blog = 4;
        while (blog < 30 && (double)((size_t)1 << blog) < 2.0 * rc + 2.0)
            blog++;
        job->blog = blog;
        job->nblocks = (job->cols + ((size_t)1 << blog) - 1) >> blog;
        job->ring_rows = min_sz(2 * job->reach + 1, job->chunk_rows);
    }
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
    double r = hs_kernel_radius(k, bandwidth);
    job->x = x, job->y = y, job->w = w, job->n = n, job->k = k;
    job->r2 = r * r;
    job->inv_h = 1.0 / bandwidth;
    job->inv_h2 = 1.0 / (bandwidth * bandwidth);
    job->beta = g->cell * g->cell * job->inv_h2;
    job->gexp = -0.5 * job->inv_h2;
    job->norm = kernel_norm(k, bandwidth);
    job->x0 = g->x0, job->y0 = g->y0, job->s = g->cell, job->inv_s = 1.0 / g->cell;
    job->cols = g->cols, job->rows = g->rows;
    job->ytop = g->y0 + (double)g->rows * g->cell;
    job->out = out;
    job->rcells = r / g->cell;
    /* centres lie in [x0 + s/2, x1 - s/2]; half a cell spare for rounding */
    job->xlo = g->x0 - r;
    job->xhi = g->x0 + (double)g->cols * g->cell + r;
    job->ylo = g->y0 - r;
    job->yhi = job->ytop + r;
    plan(job, threads);
    int nt = job->nt;

    job->tcount = calloc((size_t)job->nt_scan * g->rows, sizeof *job->tcount);
    job->bstart = calloc(g->rows + 1, sizeof *job->bstart);
    if (!job->tcount || !job->bstart)
        goto nomem;
    for (int t = 0; t < KDE_MAX_THREADS; t++)
        job->th[t].bad = SIZE_MAX;

    /* 1. count */
    if (n > 0)
        run_phase(job, phase_count, job->nt_scan);
    for (int t = 0; t < job->nt_scan; t++)
        if (job->th[t].bad != SIZE_MAX) {
            size_t i = job->th[t].bad;
            rc = hs_fail(err, HS_ERR_ARG,
                         "kde: weight of point %zu is %g; weights must be finite and >= 0",
                         i, (double)w[i]);
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

    /* 2. index */
    if (n <= UINT32_MAX)
        job->idx32 = malloc((total ? total : 1) * sizeof *job->idx32);
    else
        job->idx64 = malloc((total ? total : 1) * sizeof *job->idx64);
    if (!job->idx32 && !job->idx64)
        goto nomem;
    if (total > 0)
        run_phase(job, phase_index, job->nt_scan);
    free(job->tcount);
    job->tcount = NULL;

    /* 3. density */
    size_t hcap = 16;
    while (hcap < 2 * maxb)
        hcap *= 2;
    for (int t = 0; t < nt; t++) {
        kde_thread *th = &job->th[t];
        th->pts = malloc((maxb ? maxb : 1) * sizeof *th->pts);
        th->pts2 = malloc((maxb ? maxb : 1) * sizeof *th->pts2);
        th->ccount = malloc((g->cols + 1) * sizeof *th->ccount);
        if (!th->pts2 || !th->ccount)
            goto nomem;
        th->hash = malloc(hcap * sizeof *th->hash);
        th->dx2 = malloc(job->tabw * sizeof *th->dx2);
        if (!th->pts || !th->hash || !th->dx2)
            goto nomem;
        if (k == HS_KERNEL_GAUSSIAN && !(th->ex = malloc(job->tabw * sizeof *th->ex)))
            goto nomem;
        if (job->nc) {
            th->ring = malloc(job->ring_rows * g->cols * (size_t)job->ncs * sizeof *th->ring);
            th->used = malloc(job->ring_rows * job->nblocks);
            if (!th->ring || !th->used)
                goto nomem;
        }
    }
    run_phase(job, phase_density, nt);
    goto done;

nomem:
    rc = hs_fail(err, HS_ERR_NOMEM, "kde: out of memory for %zu points on a %zux%zu grid",
                 n, g->cols, g->rows);
done:
    for (int t = 0; t < KDE_MAX_THREADS; t++) {
        kde_thread *th = &job->th[t];
        free(th->pts);
        free(th->pts2);
        free(th->ccount);
        free(th->hash);
        free(th->dx2);
        free(th->ex);
        free(th->ring);
        free(th->used);
    }
    free(job->tcount);
    free(job->bstart);
    free(job->idx32);
    free(job->idx64);
    free(job);
    return rc;
}
