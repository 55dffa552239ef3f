/* backtest.c - hit rate, PAI and PEI of each candidate bandwidth on the
 * month after its training months (see backtest.h). */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/backtest.h"
#include "core/keep.h"
#include "analysis/hotspots.h"

#define MAX_THREADS 8
/* Month surfaces kept per thread (months_task), at most: 512 MB. */
#define RING_MAX ((size_t)64 << 20)

int hs_backtest_parse_bandwidths(const char *s, hs_backtest_opts *o)
{
    size_t n = 0;
    const char *p = s;
    if (!s || !*s)
        return -1;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || v <= 0 || n == HS_BACKTEST_MAX_BW ||
            (n > 0 && v <= o->bw[n - 1]))
            return -1;
        o->bw[n++] = v;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    o->nbw = n;
    return 0;
}

void hs_backtest_free(hs_backtest *b)
{
    if (!b)
        return;
    free(b->rows);
    memset(b, 0, sizeof *b);
}

/* A window's inputs, prepared once and then read by every thread. */
typedef struct window {
    double *x, *y;     /* training incidents, merged (same place: summed) */
    float *w;
    size_t n;
    uint32_t *test;    /* the test incidents' unmasked cells, ascending,
                          each once                                      */
    double *tsum;      /* the sum of the shares of each one's incidents  */
    size_t ntest;      /* cells in test                                  */
    double N, best;    /* test incidents (shares); n*                    */
} window;

/* What every thread reads, and where it writes. */
typedef struct ctx {
    const double *x, *y;
    const float *w, *share;
    const int32_t *month;
    const unsigned char *inside;
    size_t n;
    const hs_kde_grid *g;
    const int32_t *label;
    const hs_backtest_opts *o;
    size_t cells;
    uint32_t *ucount;    /* unmasked cells before each index (cells + 1) */
    unsigned char *unmasked8, *unmasked16; /* tiles of 8 / 16 cells square
                            holding an unmasked cell (pruning)           */
    long U, B;
    struct spt *sorted;  /* the located incidents by place (sort_points) */
    size_t nsorted;
    const int32_t *tmonth; /* the windows' test months                  */
    size_t nwin;
    window *win;
    window *mon;         /* the training months tm[0]-K .. tm[nwin-1]-1  */
    size_t nmon;
    struct task *task;   /* phase 2, widest bandwidth first              */
    size_t ntask;
    int phase;           /* 1: prepare the windows, 2: the surfaces      */
    hs_backtest_row *rows;
    atomic_size_t next;
    pthread_mutex_t lock;
    hs_status rc;
    hs_error err;
} ctx;

/* A located incident, in the order of place (x, then y), then input. */
typedef struct spt {
    double x, y;
    float w;
    int32_t month;
    size_t i;
} spt;

/* A phase-2 task: bandwidth b on window wi, or (wi < 0) on every window
 * from surfaces of single months. */
typedef struct task {
    size_t b;
    ptrdiff_t wi;
} task;

/* One thread's scratch.  dens is all zero between surfaces. */
typedef struct worker {
    ctx *c;
    double *dens;
    uint32_t *stamp, cur;
    uint32_t *touched;
    size_t ntouched;
    double *tx, *ty;
    float *tw;           /* weights: merged counts, or sums of weights    */
    uint32_t *test;      /* scratch: a window's test cells, with repeats */
    int full;            /* dens may be non-zero anywhere (a grid KDE)   */
    uint32_t *pos;       /* positive unmasked cells: all, or (P > B) at
                            least every one of the B densest            */
    double *vals;
    size_t npos, P;      /* in pos; positive unmasked cells in all       */
    double *samp;        /* every 64th positive value (months_task)      */
    double lastT;        /* the last budget's threshold; 0: none         */
    double *ring[HS_BACKTEST_MAX_TRAIN]; /* train months' surfaces, one
                            block each, or NULL (K cells over RING_MAX) */
    double ringG[HS_BACKTEST_MAX_TRAIN]; /* each slot's guess (months_task):
                            its wanted tiles reach every cell of its
                            windows whose bound is at least this; 0: every
                            cell computed                               */
    double *bnd;         /* pruning: 2 K months' tile bounds (ntile each) */
    ptrdiff_t btag[2 * HS_BACKTEST_MAX_TRAIN]; /* the month in each, or -1 */
    double *wb;          /* pruning: a window's tile bounds              */
    unsigned char *want; /* pruning: tiles to compute / to sum           */
    unsigned char *done; /* first window: the tiles first_guess computed */
    size_t ntile;        /* tiles bnd, wb and want were sized for        */
    long pruned, retried, unpruned; /* windows summed over wanted tiles /
                            over those of a lower guess / every cell     */
} worker;

/* A worker's slots in o->keep: its grids and incident lists, then its
 * ring; after every worker's, the incidents by place. */
enum { S_DENS, S_STAMP, S_TOUCHED, S_POS, S_VALS, S_TX, S_TY, S_TEST, S_TW,
       S_RING, S_WORKER = S_RING + HS_BACKTEST_MAX_TRAIN,
       S_SORTED = MAX_THREADS * S_WORKER, S_SORT_TMP };
_Static_assert(S_SORT_TMP < HS_BACKTEST_SLOTS, "backtest.h: HS_BACKTEST_SLOTS");

/* Slot s of o->keep, or fresh without one (keep.h): a worker's grids
 * come back group after group. */
static void *take(const ctx *c, int slot, size_t bytes, int zero)
{
    return hs_keep_take(c->o->keep, slot, bytes, zero);
}

static void give_back(const ctx *c, void *p)
{
    hs_keep_give(c->o->keep, p);
}

/* A point's cell (hotspots.h: an edge belongs to the cell east / north),
 * or -1 outside the grid or NaN. */
static ptrdiff_t cell_of(const hs_kde_grid *g, double px, double py)
{
    double fc = floor((px - g->x0) / g->cell), fr = floor((py - g->y0) / g->cell);
    if (!(fc >= 0 && fc < (double)g->cols && fr >= 0 && fr < (double)g->rows))
        return -1;
    size_t r = g->rows - 1 - (size_t)fr;
    return (ptrdiff_t)(r * g->cols + (size_t)fc);
}

/* Adds the training points' kernels to the cells their discs cover,
 * noting each cell touched. */
static void sum_sparse(worker *k, const window *wn_, double h)
{
    const hs_kde_grid *g = k->c->g;
    hs_kernel kern = k->c->o->kernel;
    double r = hs_kernel_radius(kern, h), r2 = r * r, s = g->cell;
    double ih2 = 1.0 / (h * h), norm = hs_kernel_at(kern, h, 0.0);
    int quartic = kern == HS_KERNEL_QUARTIC;
    if (++k->cur == 0) { /* the stamps wrapped: start again */
        memset(k->stamp, 0, k->c->cells * sizeof *k->stamp);
        k->cur = 1;
    }
    k->ntouched = 0;
    for (size_t i = 0; i < wn_->n; i++) {
        double px = wn_->x[i], py = wn_->y[i], wt = wn_->w[i], wn = wt * norm;
        if (!isfinite(px) || !isfinite(py))
            continue;
        /* rows and columns whose centres may lie within r, one spare each
         * way; the exact test below decides (kde.h's support rule) */
        double rlo = g->rows - (py + r - g->y0) / s - 1.5, rhi = g->rows - (py - r - g->y0) / s + 0.5;
        double clo = (px - r - g->x0) / s - 1.5, chi = (px + r - g->x0) / s + 0.5;
        if (rhi < 0 || clo >= (double)g->cols || chi < 0 || rlo >= (double)g->rows)
            continue;
        size_t r0 = rlo < 0 ? 0 : (size_t)rlo, r1 = rhi >= (double)g->rows ? g->rows - 1 : (size_t)rhi;
        size_t c0 = clo < 0 ? 0 : (size_t)clo, c1 = chi >= (double)g->cols ? g->cols - 1 : (size_t)chi;
        for (size_t rr = r0; rr <= r1; rr++) {
            double dy = (g->y0 + ((double)(g->rows - rr) - 0.5) * s) - py, dy2 = dy * dy;
            if (!(dy2 < r2))
                continue;
            double *d = k->dens + rr * g->cols;
            uint32_t *st = k->stamp + rr * g->cols;
            for (size_t cc = c0; cc <= c1; cc++) {
                double dx = (g->x0 + ((double)cc + 0.5) * s) - px, d2 = dx * dx + dy2;
                if (!(d2 < r2))
                    continue;
                /* the quartic inline (most runs): hs_kernel_at's formula */
                double q = 1.0 - d2 * ih2;
                d[cc] += quartic ? wn * (q * q) : wt * hs_kernel_at(kern, h, d2);
                if (st[cc] != k->cur) {
                    st[cc] = k->cur;
                    k->touched[k->ntouched++] = (uint32_t)(rr * g->cols + cc);
                }
            }
        }
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_double_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

#define SAMPLE_STEP 64

/* The positive unmasked cells at or above guess into k->pos / k->vals;
 * all of them when fewer than B reach it (the sample misled). */
static void collect(worker *k, double guess)
{
    const ctx *c = k->c;
    for (int pass = 0; pass < 2; pass++) {
        k->npos = 0;
        for (size_t j = 0; j < c->cells; j++)
            if (c->label[j] >= 0 && k->dens[j] > 0 && k->dens[j] >= guess) {
                k->pos[k->npos] = (uint32_t)j;
                k->vals[k->npos++] = k->dens[j];
            }
        if ((long)k->npos >= c->B || guess == 0)
            break;
        guess = 0;
    }
}

/* The guess from ns sampled values (every 64th positive one; reordered):
 * the sample's value at about twice the budget's rank, or 0 (keep all). */
static double guess_threshold(worker *k, double *sample, size_t ns)
{
    const ctx *c = k->c;
    size_t rank = 2 * ((size_t)c->B / SAMPLE_STEP) + SAMPLE_STEP;
    if ((long)k->P > c->B && c->B > 0 && rank < ns)
        return hs_kth_largest(sample, ns, rank);
    return 0;
}

/* Positive unmasked cells of k->dens: from the touched list, or (all
 * cells written) by a scan.  A scan keeps only the cells at or above a
 * guess of the budget's threshold, from a sample of every 64th positive
 * value: exact either way, as every cell at or above the B-th largest is
 * kept.  (Copying and selecting among all 2M positive cells was 15% of
 * the 1M back-test.) */
static void positives(worker *k, int scan)
{
    const ctx *c = k->c;
    k->npos = 0;
    if (!scan) {
        for (size_t j = 0; j < k->ntouched; j++) {
            uint32_t idx = k->touched[j];
            if (c->label[idx] >= 0 && k->dens[idx] > 0) {
                k->pos[k->npos] = idx;
                k->vals[k->npos++] = k->dens[idx];
            }
        }
        k->P = k->npos;
        return;
    }
    size_t P = 0, ns = 0;
    for (size_t j = 0; j < c->cells; j++)
        if (c->label[j] >= 0 && k->dens[j] > 0 && P++ % SAMPLE_STEP == 0)
            k->vals[ns++] = k->dens[j];
    k->P = P;
    collect(k, guess_threshold(k, k->vals, ns));
}

/* hits (sums of shares) among the window's test cells for budget B
 * (backtest.h's ordering). */
static double count_hits(worker *k, const window *wn)
{
    const ctx *c = k->c;
    long B = c->B;
    double hits = 0;
    size_t P = k->P, np = k->npos;
    double T = 0;
    uint32_t cut = 0;
    k->lastT = 0;
    if ((long)P > B && B > 0) {
        T = hs_kth_largest(k->vals, np, (size_t)B - 1); /* the B-th largest */
        k->lastT = T;
        long greater = 0;
        for (size_t i = 0; i < np; i++)
            greater += k->vals[i] > T;
        /* ties at T, by index: the first B - greater of them are in */
        size_t nt = 0;
        for (size_t j = 0; j < np; j++)
            if (k->dens[k->pos[j]] == T)
                k->pos[nt++] = k->pos[j];
        qsort(k->pos, nt, sizeof *k->pos, cmp_u32);
        cut = k->pos[B - greater - 1];
    } else { /* np == P: every positive cell was kept */
        qsort(k->pos, np, sizeof *k->pos, cmp_u32);
    }
    for (size_t j = 0; j < wn->ntest; j++) {
        uint32_t idx = wn->test[j];
        double d = k->dens[idx];
        int in;
        if (B == 0)
            in = 0;
        else if ((long)P > B)
            in = d > T || (d == T && idx <= cut);
        else if (d > 0)
            in = 1;
        else { /* zero cells fill the budget in row-major order */
            size_t lo = 0, hi = P; /* positive cells before idx */
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (k->pos[mid] < idx)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            in = (long)(c->ucount[idx] - lo) < B - (long)P;
        }
        if (in)
            hits += wn->tsum[j];
    }
    return hits;
}

/* Whole-grid KDE is cheaper than disc by disc for many points or wide
 * discs: compare the cells each would touch (a rough model; either gives
 * the same sums to rounding). */
static int use_grid(const ctx *c, size_t nt, double h)
{
    double rc = hs_kernel_radius(c->o->kernel, h) / c->g->cell;
    return (double)nt * M_PI * rc * rc > 0.5 * (double)c->cells;
}

/* A finite coordinate as an unsigned key in the double's order (-0 as +0:
 * the two compare equal), for sort_points' radix sort. */
static uint64_t order_key(double d)
{
    uint64_t u;
    d = d == 0 ? 0.0 : d;
    memcpy(&u, &d, sizeof u);
    return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

#define DIGIT_BITS 16

/* One stable counting pass of src into dst by the DIGIT_BITS bits of the
 * x (or y) key from bit shift; 0, nothing moved, when every key has the
 * same digit there (the top bits of coordinates in one county). */
static int radix_pass(const spt *src, spt *dst, size_t n, int by_y, int shift,
                      size_t *cnt)
{
    const size_t nd = (size_t)1 << DIGIT_BITS, mask = nd - 1;
#define DIGIT(p) ((size_t)(order_key(by_y ? (p)->y : (p)->x) >> shift) & mask)
    memset(cnt, 0, nd * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[DIGIT(&src[i])]++;
    if (n == 0 || cnt[DIGIT(&src[0])] == n)
        return 0;
    for (size_t d = 0, at = 0; d < nd; d++) {
        size_t k = cnt[d];
        cnt[d] = at;
        at += k;
    }
    for (size_t i = 0; i < n; i++)
        dst[cnt[DIGIT(&src[i])]++] = src[i];
#undef DIGIT
    return 1;
}

/* The located incidents sorted by place (x, then y), then input order,
 * once for every window and month (sorting each window's and month's own
 * was 2.8% of the 1M run).  A stable radix sort from input order, by y's
 * key and then x's: qsort with a comparison was ~1% of the 1M run's
 * samples (perf: its merge sort and comparisons), this ~0.25%. */
static int sort_points(ctx *c)
{
    spt *tmp = NULL;
    size_t *cnt = malloc(((size_t)1 << DIGIT_BITS) * sizeof *cnt);
    if (!cnt || !(c->sorted = take(c, S_SORTED, (c->n + 1) * sizeof *c->sorted, 0)) ||
        !(tmp = take(c, S_SORT_TMP, (c->n + 1) * sizeof *tmp, 0))) {
        free(cnt);
        return -1;
    }
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++)
        if (isfinite(c->x[i]) && isfinite(c->y[i]))
            c->sorted[m++] = (spt){c->x[i], c->y[i], c->w ? c->w[i] : 1.0f,
                                   c->month[i], i};
    spt *src = c->sorted, *dst = tmp;
    for (int by_y = 1; by_y >= 0; by_y--)
        for (int shift = 0; shift < 64; shift += DIGIT_BITS)
            if (radix_pass(src, dst, m, by_y, shift, cnt)) {
                spt *t = src;
                src = dst;
                dst = t;
            }
    if (src != c->sorted)
        memcpy(c->sorted, src, m * sizeof *src);
    c->nsorted = m;
    give_back(c, tmp);
    free(cnt);
    return 0;
}

/* The training incidents of months [from, to] into k->tx, ty, tw, merged:
 * police.uk stacks incidents on its map points (10,483 incidents on 2,925
 * places in the demo's year), and a sum costs per point.  Weights at one
 * place summed in double in input order, then rounded to float.  Returns
 * how many places. */
static size_t gather_points(worker *k, int32_t from, int32_t to)
{
    const ctx *c = k->c;
    size_t d = 0;
    double w = 0;
    for (size_t q = 0; q < c->nsorted; q++) {
        const spt *p = &c->sorted[q];
        if (p->month < from || p->month > to)
            continue;
        if (d > 0 && k->tx[d - 1] == p->x && k->ty[d - 1] == p->y) {
            w += p->w;
        } else {
            if (d > 0)
                k->tw[d - 1] = (float)w;
            k->tx[d] = p->x;
            k->ty[d++] = p->y;
            w = p->w;
        }
    }
    if (d > 0)
        k->tw[d - 1] = (float)w;
    return d;
}

/* Phase 1: window wi's training incidents (merged) and test cells, and n*,
 * into c->win[wi]. */
static hs_status prepare_window(worker *k, size_t wi, hs_error *err)
{
    ctx *c = k->c;
    const hs_backtest_opts *o = c->o;
    window *wn = &c->win[wi];
    int32_t t = c->tmonth[wi];
    size_t ntest = 0;
    for (size_t i = 0; i < c->n; i++) {
        int in = !c->inside || c->inside[i];
        if (c->month[i] == t && in && isfinite(c->x[i]) && isfinite(c->y[i])) {
            double sh = c->share ? (double)c->share[i] : 1.0;
            wn->N += sh;
            ptrdiff_t idx = cell_of(c->g, c->x[i], c->y[i]);
            if (idx >= 0 && c->label[idx] >= 0) {
                /* per-cell sums in k->dens (all zero in phase 1), in
                 * incident order; zeroed again below */
                k->dens[idx] += sh;
                k->test[ntest++] = (uint32_t)idx;
            }
        }
    }
    qsort(k->test, ntest, sizeof *k->test, cmp_u32);
    /* every incident given trains: outside ones are only given with
     * --kde-edge buffer (backtest.h) */
    size_t nt = gather_points(k, t - o->train, t - 1);
    wn->x = malloc((nt + 1) * sizeof *wn->x);
    wn->y = malloc((nt + 1) * sizeof *wn->y);
    wn->w = malloc((nt + 1) * sizeof *wn->w);
    wn->test = malloc((ntest + 1) * sizeof *wn->test);
    wn->tsum = malloc((ntest + 1) * sizeof *wn->tsum);
    double *cnt = malloc((ntest + 1) * sizeof *cnt);
    if (!wn->x || !wn->y || !wn->w || !wn->test || !wn->tsum || !cnt) {
        free(cnt);
        for (size_t j = 0; j < ntest; j++)
            k->dens[k->test[j]] = 0;
        return hs_fail(err, HS_ERR_NOMEM, "back-test: out of memory");
    }
    memcpy(wn->x, k->tx, nt * sizeof *wn->x);
    memcpy(wn->y, k->ty, nt * sizeof *wn->y);
    memcpy(wn->w, k->tw, nt * sizeof *wn->w);
    wn->n = nt;
    /* each test cell once, with its sum: a hit adds a cell, not a run */
    size_t m = 0;
    for (size_t j = 0; j < ntest; j++) {
        uint32_t idx = k->test[j];
        if (m > 0 && wn->test[m - 1] == idx)
            continue;
        wn->test[m] = idx;
        wn->tsum[m] = cnt[m] = k->dens[idx];
        k->dens[idx] = 0;
        m++;
    }
    wn->ntest = m;
    /* n*: the B largest sums per test cell */
    qsort(cnt, m, sizeof *cnt, cmp_double_desc);
    for (size_t j = 0; j < m && (long)j < c->B; j++)
        wn->best += cnt[j];
    free(cnt);
    return HS_OK;
}

/* Phase 1 (after the windows): month m's training incidents, merged, into
 * c->mon[m], for the surfaces built from single months. */
static hs_status prepare_month(worker *k, size_t mi, hs_error *err)
{
    ctx *c = k->c;
    window *mn = &c->mon[mi];
    int32_t month = c->tmonth[0] - c->o->train + (int32_t)mi;
    size_t nt = gather_points(k, month, month);
    mn->x = malloc((nt + 1) * sizeof *mn->x);
    mn->y = malloc((nt + 1) * sizeof *mn->y);
    mn->w = malloc((nt + 1) * sizeof *mn->w);
    if (!mn->x || !mn->y || !mn->w)
        return hs_fail(err, HS_ERR_NOMEM, "back-test: out of memory");
    memcpy(mn->x, k->tx, nt * sizeof *mn->x);
    memcpy(mn->y, k->ty, nt * sizeof *mn->y);
    memcpy(mn->w, k->tw, nt * sizeof *mn->w);
    mn->n = nt;
    return HS_OK;
}

/* Hits of k->dens (full: written everywhere; -1: and its positive cells
 * already in k->pos) into window wi's row for candidate b. */
static void score(worker *k, size_t wi, size_t b, int full)
{
    ctx *c = k->c;
    const hs_backtest_opts *o = c->o;
    const window *wn = &c->win[wi];
    double h = o->bw[b];
    if (full >= 0)
        positives(k, full);
    double hits = count_hits(k, wn);
    double N = wn->N;
    hs_backtest_row *row = &c->rows[wi * o->nbw + b];
    *row = (hs_backtest_row){
        .test_month = c->tmonth[wi], .train_from = c->tmonth[wi] - o->train,
        .train_to = c->tmonth[wi] - 1, .bandwidth = h, .budget_cells = c->B,
        .unmasked_cells = c->U, .test_incidents = N, .hits = hits,
        .hit_rate = NAN, .pai = NAN, .pei = NAN, .below_spacing = h < o->spacing};
    if (N > 0) {
        row->hit_rate = 100.0 * hits / N;
        if (c->B > 0)
            row->pai = (hits / N) / ((double)c->B / (double)c->U);
        if (wn->best > 0)
            row->pei = hits / wn->best;
    }
}

/* One window and candidate: the window's own surface, whole-grid or disc
 * by disc. */
static hs_status window_task(worker *k, size_t b, size_t wi, hs_error *err)
{
    ctx *c = k->c;
    const window *wn = &c->win[wi];
    double h = c->o->bw[b];
    int grid = use_grid(c, wn->n, h);
    hs_status rc;
    if (grid) {
        if ((rc = hs_kde_compute(wn->x, wn->y, wn->w, wn->n, c->o->kernel, h,
                                 c->g, k->dens, 1, err)))
            return rc;
        k->full = 1;
    } else {
        if (k->full) { /* back to all zeros after a whole-grid KDE */
            memset(k->dens, 0, c->cells * sizeof *k->dens);
            k->full = 0;
        }
        sum_sparse(k, wn, h);
    }
    score(k, wi, b, grid);
    if (!grid)
        for (size_t j = 0; j < k->ntouched; j++)
            k->dens[k->touched[j]] = 0;
    return HS_OK;
}

/* ---- pruning: only the cells that may be in a budget ------------------
 *
 * A window's budget holds its B densest unmasked cells, 3% of them by
 * default, and its hits need no other cell's density beyond knowing it
 * is below the B-th.  So once a window's threshold T is near (0.9 x the
 * last window's: PRUNE_GUESS), the grid is cut into tiles and each tile
 * gets an upper bound of the window's surface over its cell centres: for
 * each training incident, w K(d), d the distance from the incident to the
 * nearest centre of the tile (every kernel falls with distance).  Only the
 * tiles whose bound reaches the guess are computed (hs_kde_compute_need,
 * the same values bit for bit) and summed; if at least B cells reach the
 * guess there, every cell at or above T is among them and the window's
 * budget and hits are exactly what the whole grid gives.  Otherwise
 * (the guess was too high) the B-th largest value of the tiles summed,
 * their cells exact, is reached by B cells: a lower bound of T, and the
 * months are computed over the further tiles it reaches and the window
 * summed again (retried); only if those tiles hold fewer than B positive
 * cells, over every cell.  A month's tiles
 * serve every window it trains (K of them), so they are wanted where any
 * of those windows' bounds reaches the guess, and a window uses the
 * largest guess among its months'.  Bounds are compared with a margin of
 * 1e-6 of themselves and 1e-9 of the largest, above the surfaces' rounding
 * (kde.h: 1e-11 of the largest cell at most).  A candidate's first window
 * has no last threshold: its guess is the B-th largest value over the
 * tiles of the highest bounds, about 2B cells' worth, computed first
 * (first_guess).  B cells reach that value, so the window's threshold
 * does too: a lower bound, and pruning with it is exact as above.
 * Measured in scripts/BENCHMARKS.md.
 */
/* closer guesses keep fewer tiles, and more windows go again (retried):
 * 0.75 -> 0.85 -> 0.9 cut the SAC back-test's instructions at 1M by 1.4%
 * and 2.0% (callgrind), the same rows */
#define PRUNE_GUESS 0.9
#define PRUNE_MIN_CELLS 5.0 /* narrower discs: most tiles reach the guess */

/* The tile side for radius rc (cells): 8 cells, 16 from 20 (fewer tiles
 * an incident's disc meets; the bounds are about as tight). */
static size_t tile_side(double rc)
{
    return rc >= 20.0 ? 16 : 8;
}

/* Upper bounds of month mn's surface over each tile of side ts (tr x tc
 * tiles) into out. */
static void tile_bounds(const ctx *c, const window *mn, double h, size_t ts,
                        size_t tr, size_t tc, double *out)
{
    const hs_kde_grid *g = c->g;
    hs_kernel kern = c->o->kernel;
    double r = hs_kernel_radius(kern, h), r2 = r * r, s = g->cell, rc = r / s;
    double ih2 = 1.0 / (h * h), norm = hs_kernel_at(kern, h, 0.0);
    memset(out, 0, tr * tc * sizeof *out);
    for (size_t i = 0; i < mn->n; i++) {
        double px = mn->x[i], py = mn->y[i], wt = mn->w[i];
        /* in centre units: column fcx, row frow (row 0 north) */
        double fcx = (px - g->x0) / s - 0.5, frow = (double)g->rows - 0.5 - (py - g->y0) / s;
        double alo = floor((frow - rc - 1.0) / (double)ts), ahi = floor((frow + rc + 1.0) / (double)ts);
        double blo = floor((fcx - rc - 1.0) / (double)ts), bhi = floor((fcx + rc + 1.0) / (double)ts);
        if (!(ahi >= 0 && alo < (double)tr && bhi >= 0 && blo < (double)tc))
            continue; /* NaN, or no tile within reach */
        size_t a0 = alo < 0 ? 0 : (size_t)alo, a1 = ahi >= (double)tr ? tr - 1 : (size_t)ahi;
        size_t b0 = blo < 0 ? 0 : (size_t)blo, b1 = bhi >= (double)tc ? tc - 1 : (size_t)bhi;
        for (size_t a = a0; a <= a1; a++) {
            size_t ra = a * ts, rb = ra + ts - 1 < g->rows ? ra + ts - 1 : g->rows - 1;
            double ytop = g->y0 + ((double)(g->rows - ra) - 0.5) * s;
            double ybot = g->y0 + ((double)(g->rows - rb) - 0.5) * s;
            double dy = py > ytop ? py - ytop : py < ybot ? ybot - py : 0.0;
            if (!(dy * dy < r2))
                continue;
            for (size_t bb = b0; bb <= b1; bb++) {
                size_t ca = bb * ts, cb = ca + ts - 1 < g->cols ? ca + ts - 1 : g->cols - 1;
                double xl = g->x0 + ((double)ca + 0.5) * s, xr = g->x0 + ((double)cb + 0.5) * s;
                double dx = px < xl ? xl - px : px > xr ? px - xr : 0.0;
                double d2 = dx * dx + dy * dy;
                if (!(d2 < r2))
                    continue;
                double q = 1.0 - d2 * ih2;
                out[a * tc + bb] += kern == HS_KERNEL_QUARTIC ? wt * norm * (q * q)
                                                              : wt * hs_kernel_at(kern, h, d2);
            }
        }
    }
}

/* Month mi's tile bounds (cached: the windows in flight span 2K - 1
 * months). */
static const double *month_bounds(worker *k, size_t mi, double h, size_t ts,
                                  size_t tr, size_t tc)
{
    size_t slot = mi % (2 * (size_t)k->c->o->train);
    double *b = k->bnd + slot * k->ntile;
    if (k->btag[slot] != (ptrdiff_t)mi) {
        tile_bounds(k->c, &k->c->mon[mi], h, ts, tr, tc, b);
        k->btag[slot] = (ptrdiff_t)mi;
    }
    return b;
}

/* Window wi's tile bounds (its months' in month order) into k->wb; returns
 * the margin to compare them with (see above). */
static double window_bounds(worker *k, size_t wi, double h, size_t ts,
                            size_t tr, size_t tc)
{
    size_t K = (size_t)k->c->o->train, nt = tr * tc;
    double top = 0;
    memcpy(k->wb, month_bounds(k, wi, h, ts, tr, tc), nt * sizeof *k->wb);
    for (size_t q = 1; q < K; q++) {
        const double *m = month_bounds(k, wi + q, h, ts, tr, tc);
        for (size_t t = 0; t < nt; t++)
            k->wb[t] += m[t];
    }
    for (size_t t = 0; t < nt; t++)
        top = k->wb[t] > top ? k->wb[t] : top;
    return 1e-9 * top;
}

/* Whether tile t's window bound (k->wb, margin eps) reaches guess. */
static int reaches(const worker *k, size_t t, double guess, double eps)
{
    return k->wb[t] * (1.0 + 1e-6) + eps >= guess;
}

/* Marks in k->want the tiles holding an unmasked cell whose window bound
 * reaches guess. */
static void mark_wanted(worker *k, const unsigned char *unmasked, size_t nt,
                        double guess, double eps)
{
    for (size_t t = 0; t < nt; t++)
        if (unmasked[t] && reaches(k, t, guess, eps))
            k->want[t] = 1;
}

/* Whether this task prunes (and its tiles ready: k->bnd etc. sized). */
static int prunes(worker *k, double h, size_t *ts, size_t *tr, size_t *tc)
{
    ctx *c = k->c;
    hs_kernel kern = c->o->kernel;
    double rc = hs_kernel_radius(kern, h) / c->g->cell;
    if (c->B <= 0 || c->nwin < 2 || rc < PRUNE_MIN_CELLS ||
        kern == HS_KERNEL_GAUSSIAN || kern == HS_KERNEL_TRIANGULAR)
        return 0; /* (those two are summed cell by cell: nothing saved) */
    *ts = tile_side(rc);
    *tr = (c->g->rows + *ts - 1) / *ts;
    *tc = (c->g->cols + *ts - 1) / *ts;
    size_t nt = *tr * *tc, K = (size_t)c->o->train;
    if (k->ntile < nt) {
        free(k->bnd);
        free(k->wb);
        free(k->want);
        free(k->done);
        k->bnd = malloc(2 * K * nt * sizeof *k->bnd);
        k->wb = malloc(nt * sizeof *k->wb);
        k->want = malloc(nt);
        k->done = malloc(nt);
        k->ntile = k->bnd && k->wb && k->want && k->done ? nt : 0;
        if (!k->ntile)
            return 0; /* no room: every cell, as without pruning */
    }
    for (size_t i = 0; i < 2 * K; i++)
        k->btag[i] = -1;
    return 1;
}

/* Window wi summed over the wanted tiles only (k->want) from its months'
 * surfaces m: the cells at or above guess into k->pos / k->vals.  Test
 * cells outside the tiles get density 0 (below the guess, so below T:
 * what count_hits needs of them). */
static void sum_wanted(worker *k, size_t wi, const double *const *m,
                       double guess, size_t ts, size_t tc)
{
    const ctx *c = k->c;
    const size_t K = (size_t)c->o->train, cols = c->g->cols;
    k->npos = 0;
    for (size_t r = 0; r < c->g->rows; r++) {
        const unsigned char *tw = k->want + (r / ts) * tc;
        for (size_t b = 0; b < tc; b++) {
            if (!tw[b])
                continue;
            size_t i0 = r * cols + b * ts, i1 = r * cols + (b * ts + ts < cols ? b * ts + ts : cols);
            for (size_t i = i0; i < i1; i++) {
                double v = m[0][i];
                for (size_t q = 1; q < K; q++)
                    v += m[q][i];
                k->dens[i] = v;
                if (c->label[i] >= 0 && v > 0 && v >= guess) {
                    k->pos[k->npos] = (uint32_t)i;
                    k->vals[k->npos++] = v;
                }
            }
        }
    }
    const window *wn = &c->win[wi];
    for (size_t j = 0; j < wn->ntest; j++) {
        uint32_t idx = wn->test[j];
        size_t r = idx / cols, col = idx % cols;
        if (!k->want[(r / ts) * tc + col / ts])
            k->dens[idx] = 0;
    }
}

/* The B-th largest of the values sum_wanted kept (k->vals), or 0 when it
 * kept fewer than B: a value B cells are known to reach. */
static double bth_kept(const worker *k)
{
    long B = k->c->B;
    return B > 0 && (long)k->npos >= B ? hs_kth_largest(k->vals, k->npos, (size_t)B - 1)
                                       : 0;
}

/* Scores window wi for candidate b from the cells sum_wanted kept, at
 * least B of them.  P, the positive cells, is not known, only >= B: as
 * count_hits needs it, more than B (when P = B the threshold rule takes
 * the same B cells). */
static void score_kept(worker *k, size_t wi, size_t b)
{
    k->P = k->npos + 1;
    k->full = 1;
    score(k, wi, b, -1);
}

/* The first window's guess (see above) into *guess: its months over the
 * unmasked tiles of the highest bounds holding about 2B cells, into the
 * ring (those tiles marked in k->done: exact there, the other tiles left
 * for the window to compute), and the B-th largest positive value there;
 * 0 (every cell: no pruning) when those hold fewer than B positive cells
 * or are most of the grid.  (The back-test alone at 1M incidents: 6.40 ->
 * 5.98 s, measured.) */
static hs_status first_guess(worker *k, double h, size_t ts, size_t tr,
                             size_t tc, const unsigned char *unmasked,
                             double *guess, hs_error *err)
{
    ctx *c = k->c;
    const size_t K = (size_t)c->o->train, nt = tr * tc;
    size_t nu = 0, top = ((size_t)c->B * 2 + ts * ts - 1) / (ts * ts);
    *guess = 0;
    double eps = window_bounds(k, 0, h, ts, tr, tc);
    double *b = malloc((nt ? nt : 1) * sizeof *b);
    if (!b)
        return HS_OK; /* no room: every cell */
    for (size_t t = 0; t < nt; t++)
        if (unmasked[t])
            b[nu++] = k->wb[t];
    if (top == 0 || 4 * top >= nu) {
        free(b);
        return HS_OK;
    }
    double cut = hs_kth_largest(b, nu, top - 1);
    free(b);
    memset(k->want, 0, nt);
    mark_wanted(k, unmasked, nt, cut, eps);
    hs_kde_need need = {k->want, ts};
    const double *m[HS_BACKTEST_MAX_TRAIN];
    for (size_t q = 0; q < K; q++) {
        const window *mn = &c->mon[q];
        hs_status rc = hs_kde_compute_need(mn->x, mn->y, mn->w, mn->n, c->o->kernel,
                                           h, c->g, &need, k->ring[q], 1, err);
        if (rc)
            return rc;
        m[q] = k->ring[q];
    }
    memcpy(k->done, k->want, nt);
    sum_wanted(k, 0, m, 0, ts, tc);
    *guess = bth_kept(k);
    return HS_OK;
}

/*
 * One candidate on every window, from surfaces of single months: a kernel
 * sum is linear, so a window's surface is the sum of its K months', and
 * each month is summed once instead of K times (window after window, a
 * ring of K month surfaces).  The sum goes month by month in ascending
 * order, so cells no incident reaches stay exactly 0 and mirror-image
 * cells stay equal; other sums change by rounding only.
 */
static hs_status months_task(worker *k, size_t b, hs_error *err)
{
    ctx *c = k->c;
    const size_t K = (size_t)c->o->train, cells = c->cells;
    double h = c->o->bw[b];
    hs_status rc;
    int room = 1;
    for (size_t q = 0; q < K && room; q++)
        room = k->ring[q] != NULL; /* worker_init's */
    if (!room) {
        for (size_t wi = 0; wi < c->nwin; wi++) /* no room: window by window */
            if ((rc = window_task(k, b, wi, err)))
                return rc;
        return HS_OK;
    }
    k->lastT = 0; /* another bandwidth: no guess from the last */
    size_t ts = 0, tr = 0, tc = 0;
    int prune = prunes(k, h, &ts, &tr, &tc);
    const unsigned char *unmasked = prune ? (ts == 8 ? c->unmasked8 : c->unmasked16) : NULL;
    size_t nt = tr * tc;
    for (size_t wi = 0; wi < c->nwin; wi++) {
        /* window wi trains on months wi .. wi + K - 1 of c->mon */
        double guess = prune && k->lastT > 0 ? PRUNE_GUESS * k->lastT : 0;
        if (prune && wi == 0 && (rc = first_guess(k, h, ts, tr, tc, unmasked,
                                                  &guess, err)))
            return rc;
        int first = prune && wi == 0 && guess > 0; /* k->done: computed */
        for (size_t mi = wi == 0 ? 0 : wi + K - 1; mi < wi + K; mi++) {
            const window *mn = &c->mon[mi];
            size_t slot = mi % K;
            if (guess > 0) { /* the tiles any window it trains may need */
                memset(k->want, 0, nt);
                for (size_t w = wi; w <= mi && w < c->nwin; w++)
                    mark_wanted(k, unmasked, nt, guess, window_bounds(k, w, h, ts, tr, tc));
                for (size_t t = 0; first && t < nt; t++)
                    k->want[t] &= (unsigned char)!k->done[t]; /* kept (kde.h) */
                hs_kde_need need = {k->want, ts};
                rc = hs_kde_compute_need(mn->x, mn->y, mn->w, mn->n, c->o->kernel, h,
                                         c->g, &need, k->ring[slot], 1, err);
            } else {
                rc = hs_kde_compute(mn->x, mn->y, mn->w, mn->n, c->o->kernel, h,
                                    c->g, k->ring[slot], 1, err);
            }
            if (rc)
                return rc;
            k->ringG[slot] = guess;
        }
        const double *m[HS_BACKTEST_MAX_TRAIN];
        double wguess = 0;
        for (size_t q = 0; q < K; q++) {
            m[q] = k->ring[(wi + q) % K];
            wguess = k->ringG[(wi + q) % K] > wguess ? k->ringG[(wi + q) % K] : wguess;
        }
        if (wguess > 0) {
            double eps = window_bounds(k, wi, h, ts, tr, tc); /* into k->wb */
            memset(k->want, 0, nt);
            mark_wanted(k, unmasked, nt, wguess, eps);
            sum_wanted(k, wi, m, wguess, ts, tc);
            if ((long)k->npos >= c->B) {
                score_kept(k, wi, b);
                k->pruned++;
                continue;
            }
            /* the guess was too high: a lower one that B cells are known to
             * reach, the B-th largest value of the tiles summed (their
             * cells are exact), and the months over the further tiles that
             * reaches (the tiles reaching a month's own guess are there:
             * kept, kde.h); at least B cells reach it there.  (15 windows
             * of 162 at 1M incidents; going over every cell instead made
             * the SAC back-test 21% more instructions, callgrind.) */
            sum_wanted(k, wi, m, 0, ts, tc);
            double lower = bth_kept(k);
            if (lower > 0) {
                for (size_t q = 0; q < K; q++) {
                    size_t slot = (wi + q) % K;
                    const window *mn = &c->mon[wi + q];
                    double had = k->ringG[slot];
                    if (had == 0)
                        continue; /* every cell computed */
                    for (size_t t = 0; t < nt; t++)
                        k->want[t] = unmasked[t] && reaches(k, t, lower, eps) &&
                                     !reaches(k, t, had, eps);
                    hs_kde_need need = {k->want, ts};
                    if ((rc = hs_kde_compute_need(mn->x, mn->y, mn->w, mn->n,
                                                  c->o->kernel, h, c->g, &need,
                                                  k->ring[slot], 1, err)))
                        return rc;
                }
                memset(k->want, 0, nt);
                mark_wanted(k, unmasked, nt, lower, eps);
                sum_wanted(k, wi, m, lower, ts, tc);
                if ((long)k->npos >= c->B) { /* as it must */
                    score_kept(k, wi, b);
                    k->retried++;
                    continue;
                }
            }
            /* no lower guess: the window's months over every cell */
            k->unpruned++;
            for (size_t q = 0; q < K; q++) {
                size_t mi = wi + q, slot = mi % K;
                if (k->ringG[slot] == 0)
                    continue;
                const window *mn = &c->mon[mi];
                if ((rc = hs_kde_compute(mn->x, mn->y, mn->w, mn->n, c->o->kernel,
                                         h, c->g, k->ring[slot], 1, err)))
                    return rc;
                k->ringG[slot] = 0;
            }
        }
        /* the sum, in month order, with positives()'s sample on the way,
         * and the cells at or above a guess: 0.8 x the last window's
         * threshold (the next month's is close).  Exact as collect() is
         * when at least B cells, or every positive one, reach the guess;
         * otherwise collect() goes again from the sample.  (The second
         * pass over the grid was 3% of the 1M run.) */
        size_t P = 0, ns = 0;
        double guess0 = k->lastT > 0 ? 0.8 * k->lastT : INFINITY;
        k->npos = 0;
        for (size_t i = 0; i < cells; i++) {
            double v = m[0][i];
            for (size_t q = 1; q < K; q++)
                v += m[q][i];
            k->dens[i] = v;
            if (c->label[i] >= 0 && v > 0) {
                if (P++ % SAMPLE_STEP == 0)
                    k->samp[ns++] = v;
                if (v >= guess0) {
                    k->pos[k->npos] = (uint32_t)i;
                    k->vals[k->npos++] = v;
                }
            }
        }
        k->P = P;
        if (!((long)k->npos >= c->B || k->npos == P))
            collect(k, guess_threshold(k, k->samp, ns));
        k->full = 1;
        score(k, wi, b, -1);
    }
    return HS_OK;
}

/* Phase 2: a task's rows.  Tasks come widest bandwidth first (the
 * whole-grid KDEs, the longest), so the threads end together. */
static hs_status do_task(worker *k, size_t q, hs_error *err)
{
    const task *t = &k->c->task[q];
    return t->wi < 0 ? months_task(k, t->b, err)
                     : window_task(k, t->b, (size_t)t->wi, err);
}

static void *worker_main(void *arg)
{
    worker *k = arg;
    ctx *c = k->c;
    size_t ntasks = c->phase == 1 ? c->nwin + c->nmon : c->ntask;
    for (;;) {
        size_t q = atomic_fetch_add(&c->next, 1);
        if (q >= ntasks)
            break;
        pthread_mutex_lock(&c->lock);
        int stop = c->rc != HS_OK;
        pthread_mutex_unlock(&c->lock);
        if (stop)
            break;
        hs_error e = {0};
        hs_status rc = c->phase == 2 ? do_task(k, q, &e)
                       : q < c->nwin ? prepare_window(k, q, &e)
                                     : prepare_month(k, q - c->nwin, &e);
        if (rc) {
            pthread_mutex_lock(&c->lock);
            if (!c->rc) {
                c->rc = rc;
                c->err = e;
            }
            pthread_mutex_unlock(&c->lock);
            break;
        }
        if (c->phase == 2) /* progress: the task's rows */
            hs_tick_add(c->o->tick, c->task[q].wi < 0 ? (long)c->nwin : 1);
    }
    return NULL;
}

/* Runs one phase on every worker, the first on this thread. */
static void run_phase(ctx *c, worker *wk, int nwk, int phase)
{
    pthread_t th[MAX_THREADS];
    int started = 0;
    c->phase = phase;
    atomic_store(&c->next, 0);
    for (int i = 1; i < nwk; i++, started++)
        if (pthread_create(&th[i], NULL, worker_main, &wk[i]) != 0)
            break;
    worker_main(&wk[0]);
    for (int i = 1; i <= started; i++)
        pthread_join(th[i], NULL);
}

static void worker_free(worker *k)
{
    const ctx *c = k->c;
    give_back(c, k->dens);
    give_back(c, k->stamp);
    give_back(c, k->touched);
    give_back(c, k->tx);
    give_back(c, k->ty);
    give_back(c, k->tw);
    give_back(c, k->test);
    give_back(c, k->pos);
    give_back(c, k->vals);
    free(k->samp);
    for (size_t q = 0; q < HS_BACKTEST_MAX_TRAIN; q++)
        give_back(c, k->ring[q]);
    free(k->bnd);
    free(k->wb);
    free(k->want);
    free(k->done);
}

/* Worker w's scratch; its ring too when the months may go in one
 * (RING_MAX), untouched until months_task uses it. */
static int worker_init(worker *k, ctx *c, int w)
{
    const int s = w * S_WORKER;
    const size_t K = (size_t)c->o->train, cells = c->cells;
    memset(k, 0, sizeof *k);
    k->c = c;
    k->dens = take(c, s + S_DENS, cells * sizeof *k->dens, 1);
    k->stamp = take(c, s + S_STAMP, cells * sizeof *k->stamp, 1);
    k->touched = take(c, s + S_TOUCHED, cells * sizeof *k->touched, 0);
    k->pos = take(c, s + S_POS, cells * sizeof *k->pos, 0);
    k->vals = take(c, s + S_VALS, cells * sizeof *k->vals, 0);
    k->samp = malloc((cells / SAMPLE_STEP + 2) * sizeof *k->samp);
    k->tx = take(c, s + S_TX, (c->n + 1) * sizeof *k->tx, 0);
    k->ty = take(c, s + S_TY, (c->n + 1) * sizeof *k->ty, 0);
    k->test = take(c, s + S_TEST, (c->n + 1) * sizeof *k->test, 0);
    k->tw = take(c, s + S_TW, (c->n + 1) * sizeof *k->tw, 0);
    for (size_t q = 0; K > 1 && K * cells <= RING_MAX && q < K; q++)
        k->ring[q] = take(c, s + S_RING + (int)q, cells * sizeof *k->ring[q], 0);
    return k->dens && k->stamp && k->touched && k->pos && k->vals && k->samp && k->tx &&
           k->ty && k->test && k->tw;
}

hs_status hs_backtest_run(const double *x, const double *y, const float *w,
                          const float *share, const int32_t *month,
                          const unsigned char *inside,
                          size_t n, const hs_kde_grid *g, const int32_t *label,
                          int32_t first, int32_t last,
                          const hs_backtest_opts *o, hs_backtest *out,
                          hs_error *err)
{
    hs_status rc = HS_OK;
    memset(out, 0, sizeof *out);
    out->best = o->nbw;
    if (o->train < 1 || o->train > HS_BACKTEST_MAX_TRAIN || o->windows < 1 ||
        o->nbw < 1 || o->nbw > HS_BACKTEST_MAX_BW ||
        !(o->share > 0 && o->share <= 1))
        return hs_fail(err, HS_ERR_ARG, "back-test: bad options");
    for (size_t i = 0; share && i < n; i++)
        if (!(share[i] >= 0) || !isfinite(share[i]))
            return hs_fail(err, HS_ERR_ARG, "back-test: incident %zu has share "
                           "%g, not a finite number >= 0", i + 1,
                           (double)share[i]);
    ctx c = {.x = x, .y = y, .w = w, .share = share, .month = month,
             .inside = inside, .n = n,
             .g = g, .label = label, .o = o,
             .cells = g->cols * g->rows};
    worker wk[MAX_THREADS];
    int nwk = 0;
    hs_kde_grid sub;
    int32_t *sublabel = NULL;
    int32_t tm[64 * 12];
    /* the windows: the last ones that fit, ascending */
    size_t nwin = 0;
    for (int32_t t = last; t - o->train >= first && (int)nwin < o->windows &&
                           nwin < sizeof tm / sizeof *tm; t--)
        nwin++;
    for (size_t i = 0; i < nwin; i++)
        tm[i] = last - (int32_t)(nwin - 1 - i);
    c.tmonth = tm;
    c.nwin = nwin;
    out->nwindows = nwin;
    if (nwin == 0)
        return HS_OK;
    /* Only the unmasked cells matter: the surfaces are summed over their
     * bounding box (the same cell centres, as the grid's corners are whole
     * multiples of the cell), not the margins a wide kernel needs. */
    size_t r0 = g->rows, r1 = 0, c0 = g->cols, c1 = 0;
    for (size_t r = 0; r < g->rows; r++)
        for (size_t cc = 0; cc < g->cols; cc++)
            if (label[r * g->cols + cc] >= 0) {
                r0 = r < r0 ? r : r0;
                r1 = r;
                c0 = cc < c0 ? cc : c0;
                c1 = cc > c1 ? cc : c1;
            }
    if (r0 <= r1 && (r0 > 0 || c0 > 0 || r1 + 1 < g->rows || c1 + 1 < g->cols)) {
        sub = (hs_kde_grid){.x0 = g->x0 + (double)c0 * g->cell,
                            .y0 = g->y0 + (double)(g->rows - 1 - r1) * g->cell,
                            .cell = g->cell, .cols = c1 - c0 + 1,
                            .rows = r1 - r0 + 1};
        if (!(sublabel = malloc(sub.cols * sub.rows * sizeof *sublabel))) {
            rc = hs_fail(err, HS_ERR_NOMEM, "back-test: out of memory");
            goto done;
        }
        for (size_t r = 0; r < sub.rows; r++)
            memcpy(sublabel + r * sub.cols, label + (r0 + r) * g->cols + c0,
                   sub.cols * sizeof *sublabel);
        c.g = &sub;
        c.label = sublabel;
        c.cells = sub.cols * sub.rows;
    }
    c.nmon = nwin + (size_t)o->train - 1;
    c.ucount = malloc((c.cells + 1) * sizeof *c.ucount);
    c.rows = calloc(nwin * o->nbw, sizeof *c.rows);
    c.win = calloc(nwin, sizeof *c.win);
    c.mon = calloc(c.nmon, sizeof *c.mon);
    c.task = malloc(nwin * o->nbw * sizeof *c.task);
    if (!c.ucount || !c.rows || !c.win || !c.mon || !c.task || sort_points(&c) != 0) {
        rc = hs_fail(err, HS_ERR_NOMEM, "back-test: out of memory");
        goto done;
    }
    c.ucount[0] = 0;
    for (size_t i = 0; i < c.cells; i++)
        c.ucount[i + 1] = c.ucount[i] + (c.label[i] >= 0);
    c.U = c.ucount[c.cells];
    for (size_t ts = 8; ts <= 16; ts *= 2) {
        size_t tc = (c.g->cols + ts - 1) / ts, tr = (c.g->rows + ts - 1) / ts;
        unsigned char *um = calloc(tr * tc, 1);
        if (!um) {
            rc = hs_fail(err, HS_ERR_NOMEM, "back-test: out of memory");
            goto done;
        }
        for (size_t i = 0; i < c.cells; i++)
            if (c.label[i] >= 0)
                um[(i / c.g->cols / ts) * tc + (i % c.g->cols) / ts] = 1;
        *(ts == 8 ? &c.unmasked8 : &c.unmasked16) = um;
    }
    c.B = (long)floor(o->share * (double)c.U);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int nt = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS : (int)ncpu;
    if ((size_t)nt > nwin * o->nbw)
        nt = (int)(nwin * o->nbw);
    pthread_mutex_init(&c.lock, NULL);
    atomic_init(&c.next, 0);
    for (; nwk < nt; nwk++)
        if (!worker_init(&wk[nwk], &c, nwk)) {
            worker_free(&wk[nwk]);
            break;
        }
    if (nwk == 0) {
        rc = hs_fail(err, HS_ERR_NOMEM, "back-test: out of memory for %zu x %zu "
                     "cells", g->cols, g->rows);
        pthread_mutex_destroy(&c.lock);
        goto done;
    }
    run_phase(&c, wk, nwk, 1);
    if (c.rc == HS_OK) {
        /* a candidate whose surfaces go whole-grid is one task over the
         * windows, from single months (months_task); others, a task a
         * window */
        size_t ntrain = 0;
        for (size_t m = 0; m < c.nmon; m++)
            ntrain += c.mon[m].n;
        size_t per_window = ntrain * (size_t)o->train / c.nmon;
        for (size_t q = 0; q < o->nbw; q++) {
            size_t b = o->nbw - 1 - q;
            if (o->train > 1 && use_grid(&c, per_window, o->bw[b]) &&
                (size_t)o->train * c.cells <= RING_MAX)
                c.task[c.ntask++] = (task){b, -1};
            else
                for (size_t wi = 0; wi < nwin; wi++)
                    c.task[c.ntask++] = (task){b, (ptrdiff_t)wi};
        }
        run_phase(&c, wk, nwk, 2);
    }
    for (int i = 0; i < nwk; i++) {
        out->pruned += wk[i].pruned;
        out->retried += wk[i].retried;
        out->unpruned += wk[i].unpruned;
    }
    for (int i = 0; i < nwk; i++)
        worker_free(&wk[i]);
    pthread_mutex_destroy(&c.lock);
    if ((rc = c.rc)) {
        if (err)
            *err = c.err;
        goto done;
    }
    /* means over the windows with a value; the best mean PAI, ties to the
     * larger bandwidth (later in the ladder) */
    for (size_t b = 0; b < o->nbw; b++) {
        double sp = 0, sh = 0, se = 0;
        long np = 0, nh = 0, ne = 0;
        for (size_t wi = 0; wi < nwin; wi++) {
            const hs_backtest_row *r = &c.rows[wi * o->nbw + b];
            if (!isnan(r->pai))
                sp += r->pai, np++;
            if (!isnan(r->hit_rate))
                sh += r->hit_rate, nh++;
            if (!isnan(r->pei))
                se += r->pei, ne++;
        }
        out->mean_pai[b] = np ? sp / (double)np : NAN;
        out->mean_hit_rate[b] = nh ? sh / (double)nh : NAN;
        out->mean_pei[b] = ne ? se / (double)ne : NAN;
        out->scored[b] = np;
        if (np && (out->best == o->nbw || out->mean_pai[b] >= out->mean_pai[out->best]))
            out->best = b;
    }
    if (out->best < o->nbw)
        for (size_t wi = 0; wi < nwin; wi++)
            c.rows[wi * o->nbw + out->best].chosen = 1;
    out->rows = c.rows;
    out->nrows = nwin * o->nbw;
    c.rows = NULL;
done:
    for (size_t i = 0; c.win && i < nwin; i++) {
        free(c.win[i].x);
        free(c.win[i].y);
        free(c.win[i].w);
        free(c.win[i].test);
        free(c.win[i].tsum);
    }
    free(c.win);
    for (size_t i = 0; c.mon && i < c.nmon; i++) {
        free(c.mon[i].x);
        free(c.mon[i].y);
        free(c.mon[i].w);
    }
    free(c.mon);
    give_back(&c, c.sorted);
    free(c.task);
    free(sublabel);
    free(c.ucount);
    free(c.unmasked8);
    free(c.unmasked16);
    free(c.rows);
    return rc;
}
