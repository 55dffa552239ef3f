/*
 * kde.c - exact kernel density on a grid (see kde.h).
 *
 * Phases, each run on the worker threads:
 *   1. count: check weights, drop points that cannot reach a cell centre,
 *      count the rest per grid row ("bucket": the row a point lies in,
 *      clamped to the grid);
 *   2. index: a stable counting sort of point indices by bucket.  Indices
 *      (4 bytes a point), not copies of the points: first-touch page faults
 *      cost ~3 ms per MB on the VMs we run on, and a 24-byte copy of 10M
 *      points took 1.0 s of the 3.4 s total in the first version;
 *   3. density: rows are cut into chunks that the threads take in turn.  A
 *      chunk's rows are written only by the thread that took it: no locks,
 *      no per-thread grids.  The buckets that can reach the chunk are
 *      visited in order; each is gathered into a small buffer, identical
 *      coordinates are merged (weights summed: police.uk snaps crimes to a
 *      few points, so real data often shrinks several-fold) and the points
 *      are put in column order.  Every point then adds itself to each row
 *      it reaches, over the run of cells with dx² + dy² < r² - found from
 *      sqrt and checked against that exact test where rounding could matter
 *      (exact_run), so the support is decided exactly as brute force
 *      decides it - in one of two ways:
 *        direct - the kernel evaluated at each cell of the run (Gaussian:
 *                 exp is separable, exp(-dx²/2h²) is tabled per point and
 *                 exp(-dy²/2h²) is per row; triangular has a sqrt and no
 *                 polynomial form; and any kernel narrower than
 *                 POLY_MIN_CELLS);
 *        poly   - along a row the polynomial kernels are polynomials in the
 *                 column, so a run adds its coefficients at its start and
 *                 subtracts them after its end (difference arrays, one per
 *                 row in flight); when no bucket can reach a row any more,
 *                 running sums give each cell its coefficients.  A point
 *                 costs O(rows of its disc), not O(cells of its disc).
 * Each cell receives its contributions in the same order whatever the number
 * of threads or chunks, so the result is identical bit for bit.  With float
 * output, rows are reported final as they are finished (rows_done), so a
 * writer can put them on disk while the rest is computed.
 *
 * Measured on the 2-core bench VM (1M points, 1400 x 1600 cells of 50 m,
 * quartic, bandwidth 500 m = 10 cells; CPU seconds on one thread):
 *   naive per-point loop over the disc (kde_ref.c)           1.1 - 1.6 s
 *   first version: direct evaluation, points copied          0.53 s
 *   poly rows, indices                                       0.42 - 0.45 s
 *   this one: run coefficients added in pairs (add_run)      0.38 - 0.40 s
 * With two threads the wall time is 0.20 s for 1M (0.24 s the first time
 * in a process: fresh memory) and 1.9 s for 10M.  Against brute force in
 * double the largest difference is 1e-13 of the largest cell on the bench.
 */
#include "analysis/kde.h"
#include "core/memory.h"

#include <float.h>
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

#if defined(__GNUC__)
#define KDE_INLINE static inline __attribute__((always_inline)) /* 5% on the bench */
#else
#define KDE_INLINE static inline
#endif

#define KDE_MAX_THREADS 64
#define KDE_MAX_DIM ((size_t)1 << 31) /* rows, cols: indices stay exact      */
#define KDE_MAX_CHUNK 256             /* rows per chunk                  */
#define POLY_MAX_COEF 7               /* triweight: q³ has degree 6          */
#define SMALL_BUCKET 64               /* gather_bucket: sorted by insertion  */

/*
 * Polynomial kernels use the poly rows when the support radius is at least
 * this many cells; below it runs are a few cells long and direct evaluation
 * is as fast.  Quartic on the 1M bench, CPU seconds direct / poly, by radius
 * in cells: 1: 0.10/0.12, 2: 0.14/0.14, 3: 0.18/0.17, 4: 0.23/0.20,
 * 6: 0.39/0.26, 10: 0.72/0.41, 20: 1.71/0.70.
 */
#define POLY_MIN_CELLS 2.5

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

double hs_kernel_at(hs_kernel k, double h, double d2)
{
    double r = hs_kernel_radius(k, h);
    if (!(d2 < r * r))
        return 0.0;
    double q = 1.0 - d2 / (h * h), c = kernel_norm(k, h);
    switch (k) {
    case HS_KERNEL_QUARTIC: return c * q * q;
    case HS_KERNEL_TRIWEIGHT: return c * q * q * q;
    case HS_KERNEL_EPANECHNIKOV: return c * q;
    case HS_KERNEL_UNIFORM: return c;
    case HS_KERNEL_TRIANGULAR: return c * (1.0 - sqrt(d2) / h);
    case HS_KERNEL_GAUSSIAN: return c * exp(-d2 / (2.0 * h * h));
    }
    return 0.0;
}

/* Coefficients of q^m, q quadratic in the column (m = 2, 3, 1, 0 for quartic,
 * triweight, epanechnikov, uniform); 0 for the kernels evaluated directly. */
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

/* A point's constants for the poly rows (see add_bucket_poly). */
typedef struct poly_pt {
    double px, py, fc; /* fc = (x - x0) / cell - 0.5: x in column units */
    double W;          /* weight x normalisation                        */
    double bu2, g1;    /* q = (1 - dy²/h² - bu2) + g1 j - beta j²       */
    ptrdiff_t base;    /* offset in a slot of grid column 0's entry     */
    ptrdiff_t clo, chi;/* the columns it can reach, all in its block    */
    size_t ublk;       /* its block, as an index into a slot's used[]   */
} poly_pt;

typedef struct kde_thread {
    kpt *pts, *pts2;     /* one bucket, merged; spare for the sort    */
    size_t *ccount;      /* cols + 1: counting sort by column         */
    size_t *hash;        /* open addressing over pts, for the merge   */
    double *dx2, *ex;    /* direct: dx², exp(-dx²/2h²) of one point   */
    poly_pt *pp;         /* poly: a chunk's points, prepared, by bucket */
    size_t *boff;        /* poly: bucket b0 + i starts at pp[boff[i]] */
    double *ring;        /* poly: the slot of the row being summed    */
    unsigned char *used; /* poly: 2 nblocks: the block has a run      */
    unsigned char *bneed;/* need: 2 nblocks: the block meets a wanted tile */
    double *rowbuf;      /* float output: one finished row in double  */
    size_t bad;          /* first point with a bad weight, or SIZE_MAX */
} kde_thread;

typedef struct kde_job {
    const double *x, *y;
    const float *w;
    size_t n;
    hs_kernel k;
    double r2, inv_h, inv_h2, beta, gexp, norm;
    double x0, y0, s, inv_s, ytop;
    double xlo, xhi, ylo, yhi; /* a point outside cannot reach a centre */
    double rcells;             /* support radius in cells                */
    double slack, a_min;       /* exact_run's rounding bounds            */
    double margin;             /* poly: |c - fc| < rc + margin in a run  */
    size_t cols, rows;
    double *out;               /* double output, or NULL with outf      */
    float *outf;               /* float output: value x fscale          */
    double fscale;
    double *rowsum;            /* outf: each row's sum, in double       */

    int nt, nt_scan;           /* threads for phase 3, for phases 1-2    */
    kde_thread th[KDE_MAX_THREADS];
    size_t *tcount;            /* nt_scan x rows: counts, then offsets   */
    size_t *bstart;            /* rows + 1: bucket b is [bstart[b], [b+1]) */
    uint32_t *idx32;           /* point indices by bucket (n < 2^32) ... */
    size_t *idx64;             /* ... or these                           */
    size_t reach;              /* bucket b reaches rows b ± reach only   */
    size_t tabw;               /* direct: width of the dx² table         */

    int nc, ncs;               /* poly: coefficients, + 1 for the count  */
    size_t bw;                 /* poly: block width in columns, even     */
    size_t nblocks;            /* poly: blocks per system                */
    size_t slot_size;          /* poly: doubles per slot                 */
    const unsigned char *need; /* wanted tiles (hs_kde_compute_need), or NULL */
    unsigned tshift;           /* need: a tile is 1 << tshift cells square */
    size_t tcols;              /* need: tiles per tile row               */

    size_t chunk_rows, nchunks;
    atomic_size_t next;        /* the next chunk to take                 */

    hs_kde_rows_fn rows_fn;    /* float output: rows final so far        */
    void *rows_ctx;
    pthread_mutex_t done_lock; /* guards what follows and the calls      */
    size_t *chunk_upto;        /* rows finished: [chunk start, upto); 0
                                  before any, the chunk's end when done  */
    size_t prefix;             /* chunks [0, prefix) are done            */
    size_t reported;           /* rows [0, reported) told to rows_fn     */
} kde_job;

/* ---- small helpers ------------------------------------------------------ */

/* floor(v) and ceil(v) clamped to [lo, hi]; NaN gives lo.  (floor() is a
 * libm call on baseline x86-64.) */
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

/* Bucket of point i, or SIZE_MAX if it is skipped (cannot reach the grid,
 * zero weight) or has a bad weight (*bad set). */
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
    ptrdiff_t last = (ptrdiff_t)job->rows - 1;
    return (size_t)floor_clamp((job->ytop - py) * job->inv_s, 0, last);
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

/* ---- phase 3: gather one bucket ----------------------------------------- */

static size_t hash_xy(double x, double y)
{
    uint64_t a, b;
    memcpy(&a, &x, sizeof a);
    memcpy(&b, &y, sizeof b);
    uint64_t h = a * UINT64_C(0x9E3779B97F4A7C15) ^
                 (b + UINT64_C(0x632BE59BD9B4E019)) * UINT64_C(0xC2B2AE3D27D4EB4F);
    return (size_t)(h ^ h >> 32);
}

static size_t column_of(const kde_job *job, double x)
{
    return (size_t)floor_clamp((x - job->x0) * job->inv_s, 0, (ptrdiff_t)job->cols - 1);
}

/* Copies bucket b into th->pts with identical (x, y) merged (weights summed
 * in input order), then sorts it by column (stable); returns the number of
 * distinct points.  Column order makes consecutive points update nearby
 * cells (4% on the bench). */
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
        for (size_t h = hash_xy(px, py) & mask;; h = (h + 1) & mask) {
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
    if (nd <= SMALL_BUCKET) {
        /* by insertion on (column, position) keys: the same order; the
         * counting sort's zeroing and running sums over every column cost
         * more than a small bucket's points (a month's row holds ~20 at 1M
         * incidents; measured) */
        uint64_t key[SMALL_BUCKET];
        for (size_t k = 0; k < nd; k++) {
            uint64_t v = (uint64_t)column_of(job, th->pts[k].x) << 32 | k;
            size_t q = k;
            for (; q > 0 && key[q - 1] > v; q--)
                key[q] = key[q - 1];
            key[q] = v;
        }
        for (size_t k = 0; k < nd; k++)
            th->pts2[k] = th->pts[key[k] & 0xffffffffu];
    } else {
        size_t *cc = th->ccount;
        memset(cc, 0, (job->cols + 1) * sizeof *cc);
        for (size_t k = 0; k < nd; k++)
            cc[column_of(job, th->pts[k].x) + 1]++;
        for (size_t c = 0; c < job->cols; c++)
            cc[c + 1] += cc[c];
        for (size_t k = 0; k < nd; k++)
            th->pts2[cc[column_of(job, th->pts[k].x)]++] = th->pts[k];
    }
    kpt *tmp = th->pts;
    th->pts = th->pts2;
    th->pts2 = tmp;
    return nd;
}

/* ---- phase 3: the exact run of a point in a row ------------------------- */

/* Column c is inside: dx² + dy² < r², as a brute-force loop tests it. */
static int inside(const kde_job *job, ptrdiff_t c, double px, double dy2)
{
    double dx = (job->x0 + ((double)c + 0.5) * job->s) - px;
    return dx * dx + dy2 < job->r2;
}

/*
 * The grid columns [*lo, *hi] inside for a point at px (fc in column units)
 * in a row with dy²; 0 if none.  As reals these are the columns c with
 * fc - hw < c < fc + hw, hw = sqrt(r² - dy²) / cell.  Rounding moves the two
 * ends by less than job->slack columns (see plan()) while r² - dy² > a_min,
 * so when neither end is that close to an integer the candidates are the
 * exact test's answer; otherwise each end is moved by the exact test (a step
 * at most, in practice).  On the bench ~1 row in 10^7 needs the test.
 */
KDE_INLINE int exact_run(const kde_job *job, double px, double fc, double dy2,
                         ptrdiff_t *lo_out, ptrdiff_t *hi_out)
{
    double a = job->r2 - dy2;
    if (!(a > 0.0))
        return 0;
    const double hw = sqrt(a) * job->inv_s, xl = fc - hw, xh = fc + hw;
    const double e = job->slack, cols = (double)job->cols;
    /* an end a whole column off the grid is off the grid, rounding or not */
    if (xl >= cols || xh <= -1.0)
        return 0;
    int fast = a > job->a_min, lo_free = 0, hi_free = 0;
    ptrdiff_t lo = 0, hi = (ptrdiff_t)job->cols - 1;
    if (xl > -1.0) { /* c > xl: floor(xl) + 1 */
        ptrdiff_t f = (ptrdiff_t)xl;
        f -= (double)f > xl;
        double m = xl - (double)f;
        fast &= m > e && m < 1.0 - e;
        lo = f + 1, lo_free = 1;
    }
    if (xh < cols) { /* c < xh: floor(xh) when xh is not an integer */
        ptrdiff_t f = (ptrdiff_t)xh;
        f -= (double)f > xh;
        double m = xh - (double)f;
        fast &= m > e && m < 1.0 - e;
        hi = f, hi_free = 1;
    }
    if (!fast) {
        if (lo_free)
            while (inside(job, lo - 1, px, dy2))
                lo--;
        if (hi_free)
            while (inside(job, hi + 1, px, dy2))
                hi++;
        if (lo_free)
            while (lo <= hi && !inside(job, lo, px, dy2))
                lo++;
        if (hi_free)
            while (hi >= lo && !inside(job, hi, px, dy2))
                hi--;
    }
    if (lo < 0)
        lo = 0;
    if (hi > (ptrdiff_t)job->cols - 1)
        hi = (ptrdiff_t)job->cols - 1;
    *lo_out = lo;
    *hi_out = hi;
    return lo <= hi;
}

/* y of row r's centre: the header's expression. */
static double row_yc(const kde_job *job, size_t r)
{
    return job->y0 + ((double)(job->rows - r) - 0.5) * job->s;
}

/* The rows of [ra, rb] that bucket b can reach: [*lo, *hi]; 0 if none. */
static int bucket_rows(const kde_job *job, size_t b, size_t ra, size_t rb, size_t *lo,
                       size_t *hi)
{
    size_t first = b - min_sz(b, job->reach);
    size_t last = min_sz(b + job->reach, job->rows - 1);
    *lo = first > ra ? first : ra;
    *hi = last < rb ? last : rb;
    return *lo <= *hi;
}

/* ---- phase 3: direct evaluation ----------------------------------------- */

/* Adds the kernel of point p (bucket b) to every cell of its runs in rows
 * [ra, rb] of out. */
static void add_point_direct(const kde_job *job, kde_thread *th, const kpt *p,
                             size_t b, size_t ra, size_t rb)
{
    size_t r0, r1;
    if (!bucket_rows(job, b, ra, rb, &r0, &r1))
        return;
    const double px = p->x, fc = (px - job->x0) * job->inv_s - 0.5, rc = job->rcells;
    /* runs lie within |c - fc| < rc (plus rounding): table those columns */
    const ptrdiff_t cmax = (ptrdiff_t)job->cols - 1;
    const ptrdiff_t clo = floor_clamp(fc - rc - 1.0, 0, cmax);
    const ptrdiff_t chi = ceil_clamp(fc + rc + 1.0, 0, cmax);
    double *t = th->dx2, *ex = th->ex; /* index: column - clo */
    for (ptrdiff_t c = clo; c <= chi; c++) {
        double dx = (job->x0 + ((double)c + 0.5) * job->s) - px;
        t[c - clo] = dx * dx;
    }
    /* Gaussian: exp(-d²/2h²) = exp(-dx²/2h²) exp(-dy²/2h²) */
    if (job->k == HS_KERNEL_GAUSSIAN)
        for (ptrdiff_t i = 0; i <= chi - clo; i++)
            ex[i] = exp(t[i] * job->gexp);

    const double r2 = job->r2, ih2 = job->inv_h2, ih = job->inv_h;
    const double W = p->w * job->norm;
    for (size_t r = r0; r <= r1; r++) {
        double dy = row_yc(job, r) - p->y, dy2 = dy * dy;
        ptrdiff_t lo, hi;
        if (!exact_run(job, px, fc, dy2, &lo, &hi))
            continue;
        lo = (lo > clo ? lo : clo) - clo;
        hi = (hi < chi ? hi : chi) - clo;
        double *o = job->out + r * job->cols + (size_t)clo;
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
                o[i] += W * (1.0 - sqrt(t[i] + dy2) * ih);
            break;
        case HS_KERNEL_GAUSSIAN: {
            double Wy = W * exp(dy2 * job->gexp);
            for (ptrdiff_t i = lo; i <= hi; i++)
                o[i] += Wy * ex[i];
            break;
        }
        }
    }
}

/* ---- phase 3: poly rows -------------------------------------------------- */

/*
 * Along a row, q = 1 - d²/h² is a quadratic in the column and the polynomial
 * kernels are W q^m.  A ring slot (one per row in flight) holds two systems
 * of blocks of bw columns: A with blocks [k bw, (k+1) bw) and B shifted by
 * half a block.  The columns a point can reach, |c - fc| < rc + margin, fit
 * in bw/2, so they lie inside one block of A or, if they cross a boundary of
 * A, inside one block of B; the block is chosen once per point.  A run adds
 * the coefficients of W q^m in j = column - block centre at its start and
 * subtracts them after its end (each block has a spare entry at local index
 * bw for that); sums restart at every block.  The point's offset u from the
 * centre is at most ~rc + 2 (bw/2 ~ 2 rc + 1) and on its run |j| < |u| + rc,
 * so the terms of q^m in j stay within ~(2 + 2/rc)^2m of the kernel's peak
 * and the cancellation is bounded: against brute force the error is 1e-13
 * of the maximum on the bench (quartic), at most 1.3e-11 in stress runs
 * (triweight, 20000 clustered points).  Blocks of 4 rc + 12 rounded up to a
 * power of two gave 7e-10 for triweight, one block per row 3e-9.  Every slot
 * entry also counts the runs covering it (+1/-1, exact in double), so cells
 * that no point reaches are exactly 0, as brute force gives them.
 */
#define POLY_STRIDE(job) (((job)->bw + 1) * (size_t)(job)->ncs)

/* Coefficients in j of W q^m for q = g0 + g1 j + g2 j². */
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

static void prepare_poly(const kde_job *job, const kpt *p, poly_pt *q)
{
    const ptrdiff_t bw = (ptrdiff_t)job->bw, half = bw / 2;
    const ptrdiff_t cmax = (ptrdiff_t)job->cols - 1;
    const double fc = (p->x - job->x0) * job->inv_s - 0.5, rc = job->rcells;
    /* every column the point can reach, clamped to the grid */
    ptrdiff_t clo = ceil_clamp(fc - rc - job->margin, 0, cmax);
    ptrdiff_t chi = floor_clamp(fc + rc + job->margin, 0, cmax);
    ptrdiff_t inB = clo / bw != chi / bw;
    ptrdiff_t sh = inB * half, k = (clo + sh) / bw, b0 = k * bw;
    double u = fc - (double)(b0 + half - sh); /* dx / cell = j - u */
    q->px = p->x;
    q->py = p->y;
    q->fc = fc;
    q->W = p->w * job->norm;
    q->bu2 = job->beta * u * u;
    q->g1 = 2.0 * job->beta * u;
    q->clo = clo;
    q->chi = chi;
    q->ublk = (size_t)inB * job->nblocks + (size_t)k;
    q->base = (ptrdiff_t)(q->ublk * POLY_STRIDE(job)) + (sh - b0) * (ptrdiff_t)job->ncs;
}

/* A run's coefficients: + at its start da, - after its end de; n even.
 * In pairs (GCC/Clang vector extension: SSE2 on x86-64, NEON on arm64):
 * 8% less density time than one by one (measured), same sums. */
typedef double v2d __attribute__((vector_size(16)));
KDE_INLINE void add_run(double *restrict da, double *restrict de,
                        const double *c, int n)
{
    for (int j = 0; j < n; j += 2) {
        v2d cj = {c[j], c[j + 1]}, a, e;
        memcpy(&a, da + j, sizeof a);
        memcpy(&e, de + j, sizeof e);
        a += cj;
        e -= cj;
        memcpy(da + j, &a, sizeof a);
        memcpy(de + j, &e, sizeof e);
    }
}

/* Adds the m prepared points pp (consecutive buckets, in bucket order) to
 * row r's slot.  A row at a time, pulling every point that reaches it, so
 * the one slot stays in the L2 cache while its runs are added and it is
 * finished (pushing each bucket into a ring of 2 reach + 1 slots, ~10 MB at
 * h = 1600 m on 50 m cells, left the slots in L3: the density took 1.9x as
 * long, measured).  Each cell still gets its points in bucket order, then
 * input order: the same sums, bit for bit. */
static void add_row_poly(const kde_job *job, kde_thread *th, size_t r,
                         const poly_pt *pp, size_t m, const unsigned char *bneed)
{
    const ptrdiff_t ncs = job->ncs;
    const double g2 = -job->beta, ih2 = job->inv_h2;
    double *restrict slot = th->ring;
    unsigned char *used = th->used;
    const double yc = row_yc(job, r);
    for (size_t i = 0; i < m; i++) {
        const poly_pt *q = &pp[i];
        if (bneed && !bneed[q->ublk]) /* its block meets no wanted cell */
            continue;
        double dy = yc - q->py, dy2 = dy * dy;
        ptrdiff_t lo, hi;
        if (!exact_run(job, q->px, q->fc, dy2, &lo, &hi))
            continue;
        lo = lo > q->clo ? lo : q->clo; /* a no-op: memory safety only */
        hi = hi < q->chi ? hi : q->chi;
        if (lo > hi)
            continue;
        double c[POLY_MAX_COEF + 1];
        poly_coef(job->k, q->W, (1.0 - dy2 * ih2) - q->bu2, q->g1, g2, c);
        c[ncs - 1] = 1.0; /* the count */
        double *restrict da = slot + q->base + lo * ncs;
        double *restrict de = slot + q->base + (hi + 1) * ncs;
        switch (ncs) { /* constant bounds: unrolled, in pairs */
        case 6: add_run(da, de, c, 6); break;
        case 8: add_run(da, de, c, 8); break;
        case 4: add_run(da, de, c, 4); break;
        default: add_run(da, de, c, 2); break;
        }
        used[q->ublk] = 1;
    }
}

/* Whether a wanted tile of this row (tn) meets columns [c0, c1). */
static int wanted(const kde_job *job, const unsigned char *tn, size_t c0,
                  size_t c1)
{
    for (size_t t = c0 >> job->tshift; t <= (c1 - 1) >> job->tshift; t++)
        if (tn[t])
            return 1;
    return 0;
}

/* The blocks (A then B, as used[]) that meet a wanted tile of this row:
 * only their points' runs are added. */
static void wanted_blocks(const kde_job *job, const unsigned char *tn,
                          unsigned char *bneed)
{
    const size_t bw = job->bw, half = bw / 2, nb = job->nblocks;
    memset(bneed, 0, 2 * nb);
    for (size_t t = 0; t < job->tcols; t++) {
        if (!tn[t])
            continue;
        size_t c0 = t << job->tshift, c1 = min_sz(c0 + ((size_t)1 << job->tshift), job->cols) - 1;
        for (size_t k = c0 / bw; k <= c1 / bw; k++)
            bneed[k] = 1;
        for (size_t k = (c0 + half) / bw; k <= (c1 + half) / bw; k++)
            bneed[nb + k] = 1;
    }
}

/* pa(ja) + pb(jb), each from its coefficients A, B [0..nc) by Horner's
 * rule, the two in the lanes of a pair: the same operations on each. */
KDE_INLINE double horner2(const double *A, const double *B, int nc, double ja,
                          double jb)
{
    v2d v = {A[nc - 1], B[nc - 1]}, j = {ja, jb};
#pragma GCC unroll 8
    for (int i = nc - 2; i >= 0; i--)
        v = v * j + (v2d){A[i], B[i]};
    return v[0] + v[1];
}

/* One past the last column of [c0, c1) in a wanted tile of this row (tn),
 * or c0 if none. */
static size_t wanted_end(const kde_job *job, const unsigned char *tn,
                         size_t c0, size_t c1)
{
    for (size_t t = ((c1 - 1) >> job->tshift) + 1; t-- > (c0 >> job->tshift);)
        if (tn[t])
            return min_sz(c1, (t + 1) << job->tshift);
    return c0;
}

/* Running sums along slot D give each cell its coefficients in both systems;
 * the cell's value is the sum of the two polynomials.  Inlined for each
 * kernel's constant nc, so the sums stay in registers (the generic loop
 * kept them on the stack: 1.6x the time, measured).  With wanted tiles
 * (tn), a stretch is summed up to its last wanted cell only: after it, B
 * block k + 1's sums are carried on if the next stretch is wanted, the
 * same additions in the same order. */
KDE_INLINE void finish_poly_nc(const kde_job *job, const double *D,
                               const unsigned char *used, double *o,
                               const unsigned char *tn, const int nc)
{
    const int ncs = nc + 1;
    const size_t bw = job->bw, half = bw / 2, cols = job->cols;
    const size_t stride = POLY_STRIDE(job), nb = job->nblocks;
    const double *DB = D + nb * stride;
    double SA[POLY_MAX_COEF + 1], SB[POLY_MAX_COEF + 1] = {0};

    /* stretch k = columns [k bw, (k+1) bw): A block k; B blocks k then k+1 */
    for (size_t k = 0; k * bw < cols; k++) {
        size_t c0 = k * bw, c1 = min_sz(c0 + bw, cols);
        size_t cend = tn ? wanted_end(job, tn, c0, c1) : c1;
        if (cend > c0 && !used[k] && !used[nb + k] && !used[nb + k + 1]) {
            if (!tn)
                memset(o + c0, 0, (c1 - c0) * sizeof *o);
            else /* the wanted cells only: the others keep their values */
                for (size_t c = c0; c < c1; c++)
                    if (tn[c >> job->tshift])
                        o[c] = 0.0;
            memset(SB, 0, sizeof SB); /* B block k + 1 has no run either */
            continue;
        }
        memset(SA, 0, sizeof SA);
        for (size_t c = c0; c < cend; c++) {
            size_t la = c - c0, lb = la < half ? la + half : la - half;
            const double *dA = D + k * stride + la * (size_t)ncs;
            const double *dB = DB + (la < half ? k : k + 1) * stride + lb * (size_t)ncs;
            if (la == half)
                memset(SB, 0, sizeof SB); /* B block k + 1 starts */
#pragma GCC unroll 8
            for (int i = 0; i <= nc; i++) {
                SA[i] += dA[i];
                SB[i] += dB[i];
            }
            if (tn && !tn[c >> job->tshift])
                continue; /* not wanted: the sums only */
            double v = 0.0;
            if (SA[nc] + SB[nc] != 0.0) {
                double ja = (double)la - (double)half;
                double jb = la < half ? (double)la : (double)la - (double)bw;
                v = horner2(SA, SB, nc, ja, jb);
                if (v < 0.0) /* rounding: every term is >= 0 */
                    v = 0.0;
            }
            o[c] = v;
        }
        if (cend < c1) {
            /* nothing more to write here; B block k + 1 (from c0 + half)
             * goes on into the next stretch: carried if that is wanted */
            size_t from = cend > c0 + half ? cend : c0 + half;
            if (cend <= c0 + half)
                memset(SB, 0, sizeof SB);
            if (used[nb + k + 1] && from < c1 && c1 < cols &&
                wanted(job, tn, c1, min_sz(c1 + bw, cols))) {
                const double *dB = DB + (k + 1) * stride + (from - c0 - half) * (size_t)ncs;
                for (size_t c = from; c < c1; c++, dB += ncs)
#pragma GCC unroll 8
                    for (int i = 0; i <= nc; i++)
                        SB[i] += dB[i];
            }
        }
    }
}

static void finish_row_poly(const kde_job *job, const double *D,
                            const unsigned char *used, double *o,
                            const unsigned char *tn)
{
    switch (job->nc) {
    case 5: finish_poly_nc(job, D, used, o, tn, 5); break; /* quartic   */
    case 7: finish_poly_nc(job, D, used, o, tn, 7); break; /* triweight */
    case 3: finish_poly_nc(job, D, used, o, tn, 3); break;
    default: finish_poly_nc(job, D, used, o, tn, 1); break;
    }
}

/* ---- phase 3: chunks ------------------------------------------------------ */

/* A row gets contributions from buckets row ± reach only: it is opened
 * (zeroed) before the first of them and finished after the last.  A poly
 * slot is all zero already: its used blocks were cleared after the last
 * row (clear_slot). */
static void open_row(const kde_job *job, size_t r)
{
    if (!job->nc)
        memset(job->out + r * job->cols, 0, job->cols * sizeof *job->out);
}

/* The slot back to all zeros: only the blocks a run went into (clearing
 * the whole ~140 KB slot a row was 5% of the 1M run, measured). */
static void clear_slot(const kde_job *job, kde_thread *th)
{
    const size_t stride = POLY_STRIDE(job);
    for (size_t b = 0; b < 2 * job->nblocks; b++)
        if (th->used[b]) {
            memset(th->ring + b * stride, 0, stride * sizeof *th->ring);
            th->used[b] = 0;
        }
}

/* Float output: row r in double (o) to float x fscale, and its sum. */
static void store_row_f32(const kde_job *job, const double *o, size_t r)
{
    float *f = job->outf + r * job->cols;
    double sum = 0.0;
    for (size_t c = 0; c < job->cols; c++) {
        sum += o[c];
        f[c] = (float)(o[c] * job->fscale);
    }
    job->rowsum[r] = sum;
}

static void finish_row(const kde_job *job, kde_thread *th, size_t r,
                       const unsigned char *tn)
{
    if (job->nc) {
        double *o = job->outf ? th->rowbuf : job->out + r * job->cols;
        finish_row_poly(job, th->ring, th->used, o, tn);
        clear_slot(job, th);
        if (job->outf)
            store_row_f32(job, o, r);
    } else if (job->outf) { /* direct: only this chunk writes its rows */
        store_row_f32(job, job->out + r * job->cols, r);
    }
}

/* Chunk ch has finished its rows up to upto: tells rows_fn how many rows
 * from the top are now final - those of the chunks done, and the finished
 * rows of the first chunk not done, so that a writer is not held up until
 * a whole chunk is over. */
static void report(kde_job *job, size_t ch, size_t upto)
{
    if (!job->chunk_upto)
        return;
    pthread_mutex_lock(&job->done_lock);
    job->chunk_upto[ch] = upto;
    size_t p = job->prefix;
    while (p < job->nchunks &&
           job->chunk_upto[p] == min_sz((p + 1) * job->chunk_rows, job->rows))
        p++;
    job->prefix = p;
    size_t final = p < job->nchunks ? job->chunk_upto[p] : job->rows;
    if (final > job->reported) {
        job->reported = final;
        job->rows_fn(job->rows_ctx, final);
    }
    pthread_mutex_unlock(&job->done_lock);
}

/* Poly rows [r0, r1) (chunk ch): every bucket that reaches them gathered
 * and prepared once, into th->pp in bucket order; then row by row, the
 * points of buckets row ± reach (consecutive in th->pp) into the slot, and
 * the row finished. */
static void do_chunk_poly(kde_job *job, kde_thread *th, size_t ch, size_t r0,
                          size_t r1)
{
    size_t reach = job->reach;
    size_t b0 = r0 - min_sz(r0, reach), b1 = min_sz(job->rows - 1, r1 - 1 + reach);
    size_t np = 0, told = r0;
    for (size_t b = b0; b <= b1; b++) {
        th->boff[b - b0] = np;
        size_t m = gather_bucket(job, th, b);
        for (size_t i = 0; i < m; i++)
            prepare_poly(job, &th->pts[i], &th->pp[np + i]);
        np += m;
    }
    th->boff[b1 - b0 + 1] = np;
    for (size_t r = r0; r < r1; r++) {
        size_t ba = r - min_sz(r, reach), bb = min_sz(b1, r + reach);
        size_t p0 = th->boff[ba - b0], p1 = th->boff[bb - b0 + 1];
        const unsigned char *tn = NULL;
        if (job->need) { /* only rows, blocks and columns wanted */
            tn = job->need + (r >> job->tshift) * job->tcols;
            if (!wanted(job, tn, 0, job->cols))
                continue;
            wanted_blocks(job, tn, th->bneed);
        }
        open_row(job, r);
        add_row_poly(job, th, r, th->pp + p0, p1 - p0, tn ? th->bneed : NULL);
        finish_row(job, th, r, tn);
        if (r + 1 >= told + 16) /* every 16 rows: a lock, a signal */
            report(job, ch, told = r + 1);
    }
    report(job, ch, r1);
}

/* Direct rows [r0, r1) (chunk ch), bucket by bucket: a bucket's points are
 * added to the rows they reach (the rows are the output itself). */
static void do_chunk(kde_job *job, kde_thread *th, size_t ch, size_t r0,
                     size_t r1)
{
    if (job->nc) {
        do_chunk_poly(job, th, ch, r0, r1);
        return;
    }
    size_t reach = job->reach;
    size_t b0 = r0 - min_sz(r0, reach), b1 = min_sz(job->rows - 1, r1 - 1 + reach);
    size_t next_open = r0, next_done = r0, told = r0;
    for (size_t b = b0; b <= b1; b++) {
        for (; next_open <= min_sz(b + reach, r1 - 1); next_open++)
            open_row(job, next_open);
        size_t m = gather_bucket(job, th, b);
        for (size_t i = 0; i < m; i++)
            add_point_direct(job, th, &th->pts[i], b, r0, r1 - 1);
        /* buckets after b cannot reach rows before b + 1 - reach */
        for (; next_done < min_sz(b + 1 - min_sz(b + 1, reach), r1); next_done++)
            finish_row(job, th, next_done, NULL);
        if (next_done >= told + 16) /* every 16 rows: a lock, a signal */
            report(job, ch, told = next_done);
    }
    for (; next_open < r1; next_open++)
        open_row(job, next_open);
    for (; next_done < r1; next_done++)
        finish_row(job, th, next_done, NULL);
    report(job, ch, r1);
}

static void phase_density(kde_job *job, int tid)
{
    for (;;) {
        size_t ch = atomic_fetch_add(&job->next, 1);
        if (ch >= job->nchunks)
            break;
        size_t r0 = ch * job->chunk_rows;
        do_chunk(job, &job->th[tid], ch, r0, min_sz(r0 + job->chunk_rows, job->rows));
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
                            const void *out, hs_error *err)
{
    if (!g || !out || (n > 0 && (!x || !y)))
        return hs_fail(err, HS_ERR_ARG, "kde: %s is NULL",
                       !g ? "grid" : !out ? "output" : "point array");
    if ((int)k < 0 || (int)k >= NKERNELS)
        return hs_fail(err, HS_ERR_ARG, "kde: unknown kernel %d", (int)k);
    if (!(h > 0.0) || !isfinite(h))
        return hs_fail(err, HS_ERR_ARG,
                       "kde: bandwidth must be a positive number of metres, got %g", h);
    /* h², r² and the normalisation must be ordinary numbers */
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
    if (!isfinite(mag + r) || g->cell < 1e-9 * mag)
        return hs_fail(err, HS_ERR_ARG,
                       "kde: cell size %g is too small for coordinates of magnitude %g",
                       g->cell, mag);
    return HS_OK;
}

/* Threads, chunks, ring and blocks: what depends on sizes, not on points. */
static void plan(kde_job *job, int threads)
{
    const size_t rows = job->rows;
    const double rc = job->rcells;
    int nt = threads > 0 ? (threads < KDE_MAX_THREADS ? threads : KDE_MAX_THREADS)
                         : online_cpus();

    /* A point at fractional row v (centres at r + 0.5) reaches row r only if
     * |r + 0.5 - v| < rc, and v is within a row of its bucket; +1 spare. */
    job->reach = rc + 3.0 < (double)rows ? (size_t)rc + 3 : rows;
    double tw = 2.0 * rc + 8.0;
    job->tabw = tw < (double)job->cols ? (size_t)tw : job->cols;

    /* exact_run: the computed ends are within slack columns of the exact
     * test's edges - rounding of coordinates up to mag (in cells), of fc and
     * of sqrt, a thousand times over - provided r² - dy² > a_min; below that
     * sqrt amplifies the rounding of r² - dy² (1.5 eps r² / (sqrt(a) cell)
     * columns: 3e-11 at a_min).  A slack that large turns the fast path off. */
    double mag = fmax(fmax(fabs(job->xlo), fabs(job->xhi)),
                      fmax(fabs(job->ylo), fabs(job->yhi)));
    double cells = mag * job->inv_s + (double)job->cols + rc + 1.0;
    job->slack = 1e-8 + 1e3 * DBL_EPSILON * cells;
    if (job->slack > 0.25)
        job->slack = 1.0;
    job->a_min = 1e-11 * job->r2 * fmax(1.0, rc * rc);

    job->nc = rc >= POLY_MIN_CELLS ? poly_ncoef(job->k) : 0;
    job->ncs = job->nc + 1;
    if (job->nc) {
        /* the columns a point can reach: within rc + margin of fc (the
         * exact test's rounding is below slack), at most 2 (rc + margin) + 1;
         * bw/2 >= that */
        job->margin = 4.0 * job->slack + 1e-6;
        double half = ceil(2.0 * (rc + job->margin) + 1.0);
        job->bw = half < (double)job->cols ? 2 * (size_t)half : 2 * job->cols;
        job->nblocks = job->cols / job->bw + 2; /* B's blocks start bw/2 early */
        job->slot_size = 2 * job->nblocks * POLY_STRIDE(job);
    }

    /* Several chunks per thread so that a thread slowed by other work does
     * not hold up the rest; at least 8 rows each so that a gathered bucket
     * serves several rows.  Long chunks gather the buckets they share with
     * their neighbours (2 reach rows) less often: up to KDE_MAX_CHUNK rows
     * (256 against 64: 2% less time at 1M points, measured). */
    size_t per = 4 * (size_t)nt;
    job->chunk_rows = (rows + per - 1) / per;
    if (job->chunk_rows > KDE_MAX_CHUNK)
        job->chunk_rows = KDE_MAX_CHUNK;
    if (job->chunk_rows < 8)
        job->chunk_rows = 8;
    job->nchunks = (rows + job->chunk_rows - 1) / job->chunk_rows;
    if ((size_t)nt > job->nchunks)
        nt = (int)job->nchunks;
    job->nt = nt;
    job->nt_scan = job->n / 100000 + 1 < (size_t)nt ? (int)(job->n / 100000 + 1) : nt;
}

/* maxb: the most points in a bucket; maxc: in the buckets one chunk
 * gathers. */
static hs_status alloc_threads(kde_job *job, size_t maxb, size_t maxc)
{
    size_t hcap = 16;
    while (hcap < 2 * maxb)
        hcap *= 2;
    if (maxb == 0)
        maxb = 1;
    for (int t = 0; t < job->nt; t++) {
        kde_thread *th = &job->th[t];
        th->pts = malloc(maxb * sizeof *th->pts);
        th->pts2 = malloc(maxb * sizeof *th->pts2);
        th->ccount = malloc((job->cols + 1) * sizeof *th->ccount);
        th->hash = malloc(hcap * sizeof *th->hash);
        if (!th->pts || !th->pts2 || !th->ccount || !th->hash)
            return HS_ERR_NOMEM;
        if (job->nc) {
            th->pp = malloc((maxc ? maxc : 1) * sizeof *th->pp);
            th->boff = malloc((job->chunk_rows + 2 * job->reach + 2) * sizeof *th->boff);
            th->ring = calloc(job->slot_size, sizeof *th->ring);
            th->used = calloc(2 * job->nblocks, 1);
            th->bneed = malloc(2 * job->nblocks);
            th->rowbuf = job->outf ? malloc(job->cols * sizeof *th->rowbuf) : NULL;
            if (!th->pp || !th->boff || !th->ring || !th->used || !th->bneed ||
                (job->outf && !th->rowbuf))
                return HS_ERR_NOMEM;
        } else {
            th->dx2 = malloc(job->tabw * sizeof *th->dx2);
            th->ex = malloc(job->tabw * sizeof *th->ex);
            if (!th->dx2 || !th->ex)
                return HS_ERR_NOMEM;
        }
    }
    return HS_OK;
}

/* Both entry points: out (double) or outf (float x fscale, row sums). */
static hs_status kde_main(const double *x, const double *y, const float *w,
                          size_t n, hs_kernel k, double bandwidth,
                          const hs_kde_grid *g, double *out, float *outf,
                          double fscale, double *sum, int threads,
                          hs_kde_rows_fn rows_fn, void *rows_ctx,
                          const hs_kde_need *need, hs_error *err)
{
    hs_status rc = check_args(x, y, n, k, bandwidth, g,
                              out ? (const void *)out : (const void *)outf, err);
    if (rc != HS_OK)
        return rc;
    if (outf && (!isfinite(fscale) || !(fscale > 0)))
        return hs_fail(err, HS_ERR_ARG, "kde: scale %g is not a positive "
                       "number", fscale);

    double *own_out = NULL; /* float output on the direct path */
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
    job->outf = outf;
    job->fscale = fscale;
    job->rcells = r / g->cell;
    if (need && need->tiles) {
        job->need = need->tiles;
        while (((size_t)1 << job->tshift) < need->tile)
            job->tshift++;
        job->tcols = (g->cols + ((size_t)1 << job->tshift) - 1) >> job->tshift;
    }
    /* centres lie in [x0 + s/2, x1 - s/2]: half a cell spare for rounding */
    job->xlo = g->x0 - r;
    job->xhi = g->x0 + (double)g->cols * g->cell + r;
    job->ylo = g->y0 - r;
    job->yhi = job->ytop + r;
    plan(job, threads);

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
        if (job->th[t].bad != SIZE_MAX) { /* threads scan ascending ranges */
            size_t i = job->th[t].bad;
            rc = hs_fail(err, HS_ERR_ARG, "kde: weight of point %zu is %g; weights "
                         "must be finite and >= 0", i, (double)w[i]);
            goto done;
        }
    /* counts -> write offsets, bucket by bucket, threads in order (stable) */
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
    if (n <= UINT32_MAX) {
        job->idx32 = malloc((total ? total : 1) * sizeof *job->idx32);
        hs_advise_huge(job->idx32, total * sizeof *job->idx32);
    } else
        job->idx64 = malloc((total ? total : 1) * sizeof *job->idx64);
    if (!job->idx32 && !job->idx64)
        goto nomem;
    if (total > 0)
        run_phase(job, phase_index, job->nt_scan);
    free(job->tcount);
    job->tcount = NULL;

    /* 3. density.  Float output: the polynomial path finishes each row in
     * a row buffer and stores it as float (no double grid: 18 MB less to
     * touch at 1400 x 1600 cells); the direct path (small radii) adds into
     * its rows as it goes, so it fills a double grid converted at the end. */
    size_t ncell = g->cols * g->rows;
    if (outf) {
        job->rowsum = malloc(g->rows * sizeof *job->rowsum);
        if (!job->nc && !(job->out = own_out = malloc(ncell * sizeof *own_out)))
            goto nomem;
        if (!job->rowsum)
            goto nomem;
        hs_advise_huge(own_out, ncell * sizeof *own_out);
    }
    size_t maxc = 0; /* the most points a chunk gathers (do_chunk_poly) */
    for (size_t ch = 0; job->nc && ch < job->nchunks; ch++) {
        size_t r0 = ch * job->chunk_rows;
        size_t r1 = min_sz(r0 + job->chunk_rows, job->rows);
        size_t b0 = r0 - min_sz(r0, job->reach);
        size_t b1 = min_sz(job->rows - 1, r1 - 1 + job->reach);
        if (job->bstart[b1 + 1] - job->bstart[b0] > maxc)
            maxc = job->bstart[b1 + 1] - job->bstart[b0];
    }
    if (alloc_threads(job, maxb, maxc) != HS_OK)
        goto nomem;
    if (outf && rows_fn) {
        if (!(job->chunk_upto = calloc(job->nchunks, sizeof *job->chunk_upto)))
            goto nomem;
        job->rows_fn = rows_fn;
        job->rows_ctx = rows_ctx;
        pthread_mutex_init(&job->done_lock, NULL);
    }
    run_phase(job, phase_density, job->nt);
    if (job->chunk_upto)
        pthread_mutex_destroy(&job->done_lock);
    if (outf) {
        double all = 0.0; /* row by row in order: independent of threads */
        for (size_t row = 0; row < g->rows; row++)
            all += job->rowsum[row];
        if (sum)
            *sum = all;
    }
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
        free(th->pp);
        free(th->boff);
        free(th->ring);
        free(th->used);
        free(th->bneed);
        free(th->rowbuf);
    }
    free(job->rowsum);
    free(job->chunk_upto);
    free(own_out);
    free(job->tcount);
    free(job->bstart);
    free(job->idx32);
    free(job->idx64);
    free(job);
    return rc;
}

hs_status hs_kde_compute(const double *x, const double *y, const float *w,
                         size_t n, hs_kernel k, double bandwidth,
                         const hs_kde_grid *g, double *out, int threads,
                         hs_error *err)
{
    return kde_main(x, y, w, n, k, bandwidth, g, out, NULL, 0.0, NULL, threads,
                    NULL, NULL, NULL, err);
}

hs_status hs_kde_compute_need(const double *x, const double *y, const float *w,
                              size_t n, hs_kernel k, double bandwidth,
                              const hs_kde_grid *g, const hs_kde_need *need,
                              double *out, int threads, hs_error *err)
{
    if (need && need->tiles && (need->tile < 1 || (need->tile & (need->tile - 1))))
        return hs_fail(err, HS_ERR_ARG, "kde: tiles of %zu cells: not a power "
                       "of two", need->tile);
    return kde_main(x, y, w, n, k, bandwidth, g, out, NULL, 0.0, NULL, threads,
                    NULL, NULL, need, err);
}

hs_status hs_kde_compute_f32(const double *x, const double *y, const float *w,
                             size_t n, hs_kernel k, double bandwidth,
                             const hs_kde_grid *g, double scale, float *out,
                             double *sum, int threads, hs_kde_rows_fn rows_done,
                             void *ctx, hs_error *err)
{
    return kde_main(x, y, w, n, k, bandwidth, g, NULL, out, scale, sum,
                    threads, rows_done, ctx, NULL, err);
}
