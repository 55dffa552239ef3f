/*
 * test_backtest.c - src/analysis/backtest.c against a brute force written
 * here: for every window and bandwidth, the quartic sum at each unmasked
 * cell centre by a double loop, the budget by sorting (density descending,
 * row-major index ascending), hits by counting, n* by sorting the counts;
 * with shares (--when's aoristic weights), hits and N by summing shares
 * and n* by sorting the per-cell sums of shares.
 * Data: a 20 x 20 grid of 100 m cells, the east quarter masked; 600
 * incidents in three clusters and a scatter over 8 months (a fixed LCG),
 * some outside the study area.  Shares are multiples of 1/8 (0 included),
 * so every sum is exact in any order and compares with ==.
 */
#include "util.h"

#include <math.h>

#include "analysis/backtest.h"
#include "core/keep.h"
#include "hotspot/hs_options.h"

#define COLS 20
#define ROWS 20
#define NPTS 600

static double X[NPTS], Y[NPTS];
static float W[NPTS], S[NPTS], ONES[NPTS];
static int32_t M[NPTS];
static unsigned char IN[NPTS];
static int32_t LABEL[COLS * ROWS];
static const hs_kde_grid G = {500000.0, 200000.0, 100.0, COLS, ROWS};

static uint32_t seed = 2024;
static double unif(void)
{
    seed = seed * 1664525u + 1013904223u; /* Numerical Recipes LCG */
    return (seed >> 8) / 16777216.0;
}

static void make_data(void)
{
    static const double cx[3] = {500300, 500950, 501200}, cy[3] = {201500, 200600, 201700};
    for (int i = 0; i < NPTS; i++) {
        int k = i % 4;
        if (k < 3) {
            X[i] = cx[k] + 250 * (unif() - 0.5) + 120 * (unif() - 0.5);
            Y[i] = cy[k] + 250 * (unif() - 0.5) + 120 * (unif() - 0.5);
        } else {
            X[i] = G.x0 + 2000 * unif();
            Y[i] = G.y0 + 2000 * unif();
        }
        W[i] = 1.0f;
        S[i] = (float)((i * 37) % 9) / 8.0f; /* 0, 1/8, ..., 1 */
        ONES[i] = 1.0f;
        M[i] = 2023 * 12 + (int32_t)(8 * unif());
        IN[i] = X[i] < G.x0 + 1500; /* the east quarter is outside */
    }
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++)
            LABEL[r * COLS + c] = c < 15 ? 0 : -1;
}

typedef struct cellv { double d; int idx; } cellv;

static int by_density(const void *a, const void *b)
{
    const cellv *p = a, *q = b;
    if (p->d != q->d)
        return p->d < q->d ? 1 : -1;
    return p->idx - q->idx;
}

static int by_sum_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* The brute force of one window (test month t) and bandwidth h; edge: the
 * outside incidents train too; sh: the incidents' shares, NULL 1 each.
 * Returns hits; *N, *best (n*), *B, *U. */
static double brute_on(const hs_kde_grid *g, const int32_t *label, int32_t t,
                       int K, double h, double share, int edge, const float *sh,
                       double *N, double *best, long *B, long *U, int *ambiguous)
{
    const int cols = (int)g->cols, rows = (int)g->rows;
    cellv *cv = malloc((size_t)cols * rows * sizeof *cv);
    double *cnt = calloc((size_t)cols * rows, sizeof *cnt);
    unsigned char *in_budget = calloc((size_t)cols * rows, 1);
    assert_non_null(cv);
    assert_non_null(cnt);
    assert_non_null(in_budget);
    int nu = 0;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            int idx = r * cols + c;
            if (label[idx] < 0)
                continue;
            double xc = g->x0 + (c + 0.5) * g->cell, yc = g->y0 + (rows - r - 0.5) * g->cell, s = 0;
            for (int i = 0; i < NPTS; i++) {
                if (M[i] < t - K || M[i] >= t || (!IN[i] && !edge))
                    continue;
                double d2 = (xc - X[i]) * (xc - X[i]) + (yc - Y[i]) * (yc - Y[i]);
                if (d2 < h * h)
                    s += W[i] * 3.0 / (M_PI * h * h) * (1 - d2 / (h * h)) * (1 - d2 / (h * h));
            }
            cv[nu++] = (cellv){s, idx};
        }
    qsort(cv, (size_t)nu, sizeof *cv, by_density);
    *U = nu;
    *B = (long)floor(share * nu);
    /* a near-tie across the budget's edge could fall either way */
    *ambiguous = *B > 0 && *B < nu && cv[*B - 1].d > 0 &&
                 fabs(cv[*B - 1].d - cv[*B].d) <= 1e-9 * cv[0].d;
    for (long j = 0; j < *B; j++)
        in_budget[cv[j].idx] = 1;
    double hits = 0;
    *N = 0;
    for (int i = 0; i < NPTS; i++) {
        if (M[i] != t || !IN[i])
            continue;
        double w = sh ? sh[i] : 1.0;
        *N += w;
        int c = (int)floor((X[i] - g->x0) / g->cell), rr = (int)floor((Y[i] - g->y0) / g->cell);
        if (c < 0 || c >= cols || rr < 0 || rr >= rows)
            continue;
        int idx = (rows - 1 - rr) * cols + c;
        if (label[idx] < 0)
            continue;
        cnt[idx] += w;
        hits += in_budget[idx] ? w : 0;
    }
    qsort(cnt, (size_t)cols * rows, sizeof *cnt, by_sum_desc);
    *best = 0;
    for (long j = 0; j < *B; j++)
        *best += cnt[j];
    free(cv);
    free(cnt);
    free(in_budget);
    return hits;
}

static double brute(int32_t t, int K, double h, double share, int edge,
                    const float *sh, double *N, double *best, long *B, long *U,
                    int *ambiguous)
{
    return brute_on(&G, LABEL, t, K, h, share, edge, sh, N, best, B, U,
                    ambiguous);
}

/* A row's hits, hit rate, PAI and PEI against the brute force's hits,
 * test incidents N, best set, budget B and unmasked cells U. */
static void check_figures(const hs_backtest_row *row, double hits, double N,
                          double best, long B, long U)
{
    if (row->hits != hits)
        fail_msg("month %d, %g m: hits %g, brute force %g", row->test_month,
                 row->bandwidth, row->hits, hits);
    assert_true(fabs(row->hit_rate - 100.0 * hits / N) < 1e-12);
    assert_true(fabs(row->pai - (hits / N) / ((double)B / U)) < 1e-12);
    assert_true(fabs(row->pei - hits / best) < 1e-12);
}

/* shares: 0 none (NULL), 1 the fractional S */
static void check(int edge, double share, int shares)
{
    hs_backtest_opts o = {.train = 3, .windows = 12, .share = share,
                          .kernel = HS_KERNEL_QUARTIC, .spacing = 150};
    assert_int_equal(hs_backtest_parse_bandwidths("60,100,150,250,400,900", &o), 0);
    hs_backtest bt;
    hs_error err = {0};
    /* clip: the caller passes only the study area's incidents */
    static double x[NPTS], y[NPTS];
    static float w[NPTS], sh[NPTS];
    static int32_t m[NPTS];
    size_t n = 0;
    for (int i = 0; i < NPTS; i++)
        if (edge || IN[i]) {
            x[n] = X[i], y[n] = Y[i], w[n] = W[i], sh[n] = S[i], m[n] = M[i];
            n++;
        }
    assert_int_equal(hs_backtest_run(x, y, w, shares ? sh : NULL, m,
                                     edge ? IN : NULL, n, &G, LABEL, 2023 * 12,
                                     2023 * 12 + 7, &o, &bt, &err), HS_OK);
    /* 8 months, 3 to train: test months 3..7, 5 windows */
    assert_int_equal(bt.nwindows, 5);
    assert_int_equal(bt.nrows, 5 * o.nbw);
    long checked = 0;
    for (size_t r = 0; r < bt.nrows; r++) {
        const hs_backtest_row *row = &bt.rows[r];
        double N, best;
        long B, U;
        int amb;
        double hits = brute(row->test_month, 3, row->bandwidth, share, edge,
                            shares ? S : NULL, &N, &best, &B, &U, &amb);
        assert_int_equal(row->train_from, row->test_month - 3);
        assert_int_equal(row->train_to, row->test_month - 1);
        assert_true(row->test_incidents == N);
        if (shares) /* fractional, and not a whole count */
            assert_true(N > 0 && N < 100);
        assert_int_equal(row->budget_cells, B);
        assert_int_equal(row->unmasked_cells, U);
        assert_int_equal(row->below_spacing, row->bandwidth < 150);
        if (amb)
            continue;
        check_figures(row, hits, N, best, B, U);
        checked++;
    }
    assert_true(checked >= (long)bt.nrows - 2);
    /* the choice: the highest mean PAI, ties to the larger bandwidth */
    size_t want = o.nbw;
    for (size_t b = 0; b < o.nbw; b++) {
        double s = 0;
        for (size_t wi = 0; wi < bt.nwindows; wi++)
            s += bt.rows[wi * o.nbw + b].pai;
        assert_true(fabs(bt.mean_pai[b] - s / bt.nwindows) < 1e-12);
        if (want == o.nbw || bt.mean_pai[b] >= bt.mean_pai[want])
            want = b;
    }
    assert_int_equal(bt.best, want);
    for (size_t r = 0; r < bt.nrows; r++)
        assert_int_equal(bt.rows[r].chosen, r % o.nbw == want);
    hs_backtest_free(&bt);
}

static void test_clip(void **state) { (void)state; check(0, 0.03, 0); }
static void test_buffer(void **state) { (void)state; check(1, 0.03, 0); }
/* a budget bigger than the cells with density at 60 m: zero cells fill it */
static void test_zero_fill(void **state) { (void)state; check(0, 0.5, 0); }
/* the same with fractional shares */
static void test_shares_clip(void **state) { (void)state; check(0, 0.03, 1); }
static void test_shares_buffer(void **state) { (void)state; check(1, 0.03, 1); }
static void test_shares_zero_fill(void **state) { (void)state; check(0, 0.5, 1); }

/* Worked by hand: 5 x 4 cells of 100 m, all unmasked, budget 0.5 -> 10
 * cells.  One training incident at the centre of cell 7 (row 1, column 2)
 * with h = 50 m: only cell 7 has density, so the budget is cell 7 and the
 * first 9 zero cells in row-major order, 0-6, 8 and 9.  Test incidents in
 * cells 7, 9 and 10: hits 2 of 3, PAI (2/3)/(10/20), n* = 3, PEI 2/3. */
static void test_zero_fill_by_hand(void **state)
{
    (void)state;
    static const hs_kde_grid g = {0, 0, 100, 5, 4};
    int32_t lab[20] = {0};
    /* cell (r, c) centre: x = (c + .5) 100, y = (4 - r - .5) 100 */
    double x[4] = {250, 250, 450, 50}, y[4] = {250, 250, 250, 150};
    int32_t m[4] = {0, 3, 3, 3}; /* train month 0; test month 3: cells 7, 9, 10 */
    hs_backtest_opts o = {.train = 3, .windows = 1, .share = 0.5,
                          .kernel = HS_KERNEL_QUARTIC};
    assert_int_equal(hs_backtest_parse_bandwidths("50", &o), 0);
    hs_backtest bt;
    hs_error err = {0};
    assert_int_equal(hs_backtest_run(x, y, NULL, NULL, m, NULL, 4, &g, lab, 0,
                                     3,
                                     &o, &bt, &err), HS_OK);
    assert_int_equal(bt.nrows, 1);
    assert_int_equal(bt.rows[0].budget_cells, 10);
    assert_true(bt.rows[0].test_incidents == 3);
    assert_true(bt.rows[0].hits == 2);
    assert_true(fabs(bt.rows[0].pai - (2.0 / 3) / 0.5) < 1e-12);
    assert_true(fabs(bt.rows[0].pei - 2.0 / 3) < 1e-12);
    hs_backtest_free(&bt);
}

/* The same by hand with shares: the training incident's share plays no
 * part (surfaces use weights).  Test incidents in cells 7 (0.5), 9 (0.25),
 * 10 (1 and 0.75) and 3 (0): N = 2.5; hits = 0.5 + 0.25 + 0 (cells 7, 9
 * and 3 are in the budget) = 0.75; hit rate 30%; PAI (0.75/2.5)/(10/20) =
 * 0.6; n* = every cell's sum (4 test cells, B = 10) = 2.5, PEI 0.3.  With
 * all test shares 0: N = 0, and hit rate, PAI and PEI are NaN. */
static void test_shares_by_hand(void **state)
{
    (void)state;
    static const hs_kde_grid g = {0, 0, 100, 5, 4};
    int32_t lab[20] = {0};
    double x[6] = {250, 250, 450, 50, 50, 350};
    double y[6] = {250, 250, 250, 150, 150, 350};
    int32_t m[6] = {0, 3, 3, 3, 3, 3};
    float sh[6] = {0.125f, 0.5f, 0.25f, 1.0f, 0.75f, 0.0f};
    hs_backtest_opts o = {.train = 3, .windows = 1, .share = 0.5,
                          .kernel = HS_KERNEL_QUARTIC};
    assert_int_equal(hs_backtest_parse_bandwidths("50", &o), 0);
    hs_backtest bt;
    hs_error err = {0};
    assert_int_equal(hs_backtest_run(x, y, NULL, sh, m, NULL, 6, &g, lab, 0, 3,
                                     &o, &bt, &err), HS_OK);
    assert_int_equal(bt.nrows, 1);
    const hs_backtest_row *r = &bt.rows[0];
    assert_int_equal(r->budget_cells, 10);
    assert_true(r->test_incidents == 2.5);
    assert_true(r->hits == 0.75);
    assert_true(fabs(r->hit_rate - 30.0) < 1e-12);
    assert_true(fabs(r->pai - 0.6) < 1e-12);
    assert_true(fabs(r->pei - 0.3) < 1e-12);
    hs_backtest_free(&bt);

    float zero[6] = {1, 0, 0, 0, 0, 0};
    assert_int_equal(hs_backtest_run(x, y, NULL, zero, m, NULL, 6, &g, lab, 0,
                                     3,
                                     &o, &bt, &err), HS_OK);
    assert_true(bt.rows[0].test_incidents == 0 && bt.rows[0].hits == 0);
    assert_true(isnan(bt.rows[0].hit_rate) && isnan(bt.rows[0].pai) &&
                isnan(bt.rows[0].pei));
    assert_int_equal(bt.best, o.nbw); /* no window to judge by */
    hs_backtest_free(&bt);

    /* a share that is not a finite number >= 0 is refused */
    float bad[6] = {1, 1, -0.5f, 1, 1, 1};
    assert_int_equal(hs_backtest_run(x, y, NULL, bad, m, NULL, 6, &g, lab, 0, 3,
                                     &o, &bt, &err), HS_ERR_ARG);
    bad[2] = NAN;
    assert_int_equal(hs_backtest_run(x, y, NULL, bad, m, NULL, 6, &g, lab, 0, 3,
                                     &o, &bt, &err), HS_ERR_ARG);
}

/* Progress (core/ticker.h): the last done told and whether every call's
 * done stayed within [previous, total]. */
static long tick_last, tick_total;
static int tick_bad;

static void tick_record(void *user, const hs_progress *p)
{
    (void)user;
    if (p->done < tick_last || p->total != tick_total || p->done > p->total)
        tick_bad = 1;
    tick_last = p->done;
}

static const hs_log TICK_LOG = {NULL, NULL, tick_record};

/* A ticker whose one stage expects total rows. */
static hs_ticker *tick_begin(long total, hs_tick **stage)
{
    tick_last = 0;
    tick_total = total;
    tick_bad = 0;
    hs_ticker *t = hs_ticker_create(&TICK_LOG);
    assert_non_null(t);
    *stage = hs_ticker_stage(t, "back-test", 1, total);
    return t;
}

/* Two rows agree in every field (NaN equal to NaN). */
static void same_row(const hs_backtest_row *a, const hs_backtest_row *b)
{
    assert_int_equal(a->test_month, b->test_month);
    assert_int_equal(a->train_from, b->train_from);
    assert_int_equal(a->train_to, b->train_to);
    assert_true(a->bandwidth == b->bandwidth);
    assert_int_equal(a->budget_cells, b->budget_cells);
    assert_int_equal(a->unmasked_cells, b->unmasked_cells);
    assert_true(a->test_incidents == b->test_incidents);
    assert_true(a->hits == b->hits);
    const double fa[3] = {a->hit_rate, a->pai, a->pei},
                 fb[3] = {b->hit_rate, b->pai, b->pei};
    for (int k = 0; k < 3; k++)
        assert_true(fa[k] == fb[k] || (isnan(fa[k]) && isnan(fb[k])));
    assert_int_equal(a->below_spacing, b->below_spacing);
    assert_int_equal(a->chosen, b->chosen);
}

/* NULL shares and shares of 1 give the very same rows and choice. */
static void test_ones_as_null(void **state)
{
    (void)state;
    hs_backtest_opts o = {.train = 3, .windows = 12, .share = 0.03,
                          .kernel = HS_KERNEL_QUARTIC, .spacing = 150};
    assert_int_equal(hs_backtest_parse_bandwidths("60,150,400,900", &o), 0);
    hs_backtest a, b;
    hs_error err = {0};
    /* progress: a unit a row; months 0-7, K = 3: windows t = 3..7, 5 x 4 */
    hs_ticker *t = tick_begin(20, &o.tick);
    assert_int_equal(hs_backtest_run(X, Y, W, NULL, M, IN, NPTS, &G, LABEL,
                                     2023 * 12, 2023 * 12 + 7, &o, &a, &err),
                     HS_OK);
    assert_int_equal(tick_last, 20);
    assert_false(tick_bad);
    hs_ticker_destroy(t);
    o.tick = NULL;
    assert_int_equal(hs_backtest_run(X, Y, W, ONES, M, IN, NPTS, &G, LABEL,
                                     2023 * 12, 2023 * 12 + 7, &o, &b, &err),
                     HS_OK);
    assert_int_equal(a.nrows, b.nrows);
    assert_true(a.nrows > 0);
    for (size_t r = 0; r < a.nrows; r++)
        same_row(&a.rows[r], &b.rows[r]);
    assert_int_equal(a.best, b.best);
    for (size_t q = 0; q < o.nbw; q++)
        assert_true(a.mean_pai[q] == b.mean_pai[q] &&
                    a.mean_pei[q] == b.mean_pei[q]);
    hs_backtest_free(&a);
    hs_backtest_free(&b);
}

/* A 400 x 400 grid of 5 m cells, the east quarter masked (120,000
 * unmasked cells), and its labels (caller frees). */
static const hs_kde_grid FINE = {500000.0, 200000.0, 5.0, 400, 400};

static int32_t *fine_labels(void)
{
    int32_t *lab = malloc(400 * 400 * sizeof *lab);
    assert_non_null(lab);
    for (int i = 0; i < 400 * 400; i++)
        lab[i] = i % 400 < 300 ? 0 : -1;
    return lab;
}

/* A row on the fine grid (K = 2, budget share) against the brute force;
 * a near-tie across the budget's edge is allowed (its hits skipped) only
 * when amb_ok.  sh: the shares, or NULL. */
static void check_fine_row(const int32_t *lab, const hs_backtest_row *row,
                           double share, const float *sh, int amb_ok)
{
    double N, best;
    long B, U;
    int amb;
    double hits = brute_on(&FINE, lab, row->test_month, 2, row->bandwidth,
                           share, 0, sh, &N, &best, &B, &U, &amb);
    assert_int_equal(row->budget_cells, B);
    assert_int_equal(U, 120000);
    assert_true(row->test_incidents == N);
    if (amb && amb_ok)
        return;
    assert_false(amb);
    check_figures(row, hits, N, best, B, U);
}

/* The same incidents on the fine grid, K = 2: the whole-grid surfaces
 * come from single months summed, and the budget's threshold is first
 * guessed from a sample (B = 3,600 of 120,000 unmasked cells); both must
 * give the brute force's hits. */
static void fine_grid(int shares)
{
    const hs_kde_grid g = FINE;
    int32_t *lab = fine_labels();
    hs_backtest_opts o = {.train = 2, .windows = 2, .share = 0.03,
                          .kernel = HS_KERNEL_QUARTIC, .spacing = 0};
    assert_int_equal(hs_backtest_parse_bandwidths("40,300", &o), 0);
    static double x[NPTS], y[NPTS];
    static float sh[NPTS];
    static int32_t m[NPTS];
    size_t n = 0;
    for (int i = 0; i < NPTS; i++)
        if (IN[i]) {
            x[n] = X[i], y[n] = Y[i], sh[n] = S[i], m[n] = M[i];
            n++;
        }
    hs_backtest bt;
    hs_error err = {0};
    /* progress: the whole-grid task counts its 2 windows' rows at once */
    hs_ticker *t = tick_begin(4, &o.tick);
    assert_int_equal(hs_backtest_run(x, y, NULL, shares ? sh : NULL, m, NULL, n,
                                     &g, lab, 2023 * 12, 2023 * 12 + 7, &o, &bt,
                                     &err), HS_OK);
    assert_int_equal(tick_last, 4);
    assert_false(tick_bad);
    hs_ticker_destroy(t);
    assert_int_equal(bt.nrows, 4);
    for (size_t r = 0; r < bt.nrows; r++)
        check_fine_row(lab, &bt.rows[r], 0.03, shares ? S : NULL, 0);
    hs_backtest_free(&bt);
    free(lab);
}

static void test_fine_grid(void **state) { (void)state; fine_grid(0); }
static void test_fine_grid_shares(void **state) { (void)state; fine_grid(1); }


/* Pruning (backtest.c): on the fine grid, bandwidths of 8 and 30 cells
 * (tiles of 8 and 16), 6 windows of K = 2.  The early months weigh 8 times
 * the later ones, so a window's threshold falls below the last one's
 * guess: with a 3% budget the window gets a lower guess from its highest
 * bounds (retried); with 15% those are most of the grid, and its months go
 * again over every cell (unpruned).  Every row must still equal the brute
 * force's. */
static void pruning(double share)
{
    const hs_kde_grid g = FINE;
    int32_t *lab = fine_labels();
    hs_backtest_opts o = {.train = 2, .windows = 6, .share = share,
                          .kernel = HS_KERNEL_QUARTIC, .spacing = 0};
    assert_int_equal(hs_backtest_parse_bandwidths("40,150", &o), 0);
    static double x[NPTS], y[NPTS];
    static float w[NPTS];
    static int32_t m[NPTS];
    float keep[NPTS];
    memcpy(keep, W, sizeof keep);
    size_t n = 0;
    for (int i = 0; i < NPTS; i++) {
        W[i] = M[i] < 2023 * 12 + 4 ? 8.0f : 1.0f; /* brute_on reads W */
        if (IN[i]) {
            x[n] = X[i], y[n] = Y[i], w[n] = W[i], m[n] = M[i];
            n++;
        }
    }
    hs_backtest bt;
    hs_error err = {0};
    assert_int_equal(hs_backtest_run(x, y, w, NULL, m, NULL, n, &g, lab,
                                     2023 * 12, 2023 * 12 + 7, &o, &bt, &err),
                     HS_OK);
    assert_int_equal(bt.nrows, 12);
    /* windows after each bandwidth's first: summed over tiles, or again */
    assert_true(bt.pruned > 0);
    if (share < 0.1)
        assert_true(bt.retried > 0);
    else
        assert_true(bt.unpruned > 0);
    assert_true(bt.pruned + bt.retried + bt.unpruned <= 10);
    for (size_t r = 0; r < bt.nrows; r++)
        check_fine_row(lab, &bt.rows[r], share, NULL, 1);
    memcpy(W, keep, sizeof keep);
    hs_backtest_free(&bt);
    free(lab);
}

static void test_pruning(void **state) { (void)state; pruning(0.03); }
static void test_pruning_again(void **state) { (void)state; pruning(0.15); }

/* Every figure of two back-tests' rows alike (NaN alike too). */
static void same_rows(const hs_backtest *a, const hs_backtest *b)
{
    assert_int_equal(a->nrows, b->nrows);
    assert_int_equal(a->best, b->best);
    for (size_t r = 0; r < a->nrows; r++) {
        const hs_backtest_row *p = &a->rows[r], *q = &b->rows[r];
        assert_int_equal(p->test_month, q->test_month);
        assert_true(p->bandwidth == q->bandwidth);
        assert_int_equal(p->budget_cells, q->budget_cells);
        assert_true(p->test_incidents == q->test_incidents && p->hits == q->hits);
        assert_memory_equal(&p->hit_rate, &q->hit_rate, sizeof p->hit_rate);
        assert_memory_equal(&p->pai, &q->pai, sizeof p->pai);
        assert_memory_equal(&p->pei, &q->pei, sizeof p->pei);
        assert_int_equal(p->chosen, q->chosen);
    }
}

/* With a keep (the job's way, group after group): the fine grid's
 * pruned back-test, then the coarse one's (smaller grids over the kept
 * ones), then the fine one's again (over what the coarse left): every row
 * as with fresh memory. */
static void test_keep(void **state)
{
    (void)state;
    const hs_kde_grid fine = FINE;
    int32_t *lab = fine_labels();
    hs_keep *kp = hs_keep_create();
    assert_non_null(kp);
    for (int run = 0; run < 3; run++) {
        int coarse = run == 1;
        hs_backtest_opts o = {.train = coarse ? 3 : 2, .windows = 6,
                              .share = 0.03, .kernel = HS_KERNEL_QUARTIC};
        assert_int_equal(hs_backtest_parse_bandwidths(coarse ? "60,250,900"
                                                             : "40,150", &o), 0);
        hs_backtest a, b;
        hs_error err = {0};
        const hs_kde_grid *g = coarse ? &G : &fine;
        const int32_t *l = coarse ? LABEL : lab;
        assert_int_equal(hs_backtest_run(X, Y, W, NULL, M, NULL, NPTS, g, l,
                                         2023 * 12, 2023 * 12 + 7, &o, &a, &err),
                         HS_OK);
        o.keep = kp;
        assert_int_equal(hs_backtest_run(X, Y, W, NULL, M, NULL, NPTS, g, l,
                                         2023 * 12, 2023 * 12 + 7, &o, &b, &err),
                         HS_OK);
        assert_true(a.nrows > 0);
        same_rows(&a, &b);
        hs_backtest_free(&a);
        hs_backtest_free(&b);
    }
    hs_keep_destroy(kp);
    free(lab);
}

static void test_short_data(void **state)
{
    (void)state;
    hs_backtest_opts o = {.train = 3, .windows = 12, .share = 0.03,
                          .kernel = HS_KERNEL_QUARTIC};
    assert_int_equal(hs_backtest_parse_bandwidths("200", &o), 0);
    hs_backtest bt;
    hs_error err = {0};
    /* three months: no window fits */
    assert_int_equal(hs_backtest_run(X, Y, W, NULL, M, NULL, NPTS, &G, LABEL,
                                     2023 * 12, 2023 * 12 + 2, &o, &bt, &err),
                     HS_OK);
    assert_int_equal(bt.nwindows, 0);
    assert_int_equal(bt.best, o.nbw);
    hs_backtest_free(&bt);
}

static void test_parse(void **state)
{
    (void)state;
    hs_backtest_opts o = {0};
    assert_int_equal(hs_backtest_parse_bandwidths(HS_BACKTEST_LADDER, &o), 0);
    assert_int_equal(o.nbw, 9);
    assert_true(o.bw[8] == 1600);
    assert_int_equal(hs_backtest_parse_bandwidths("", &o), -1);
    assert_int_equal(hs_backtest_parse_bandwidths("200,100", &o), -1);
    assert_int_equal(hs_backtest_parse_bandwidths("100,100", &o), -1);
    assert_int_equal(hs_backtest_parse_bandwidths("100,x", &o), -1);
    assert_int_equal(hs_backtest_parse_bandwidths("-5", &o), -1);
    /* --help states the same ladder (input/options.c keeps a copy) */
    size_t n;
    const hs_option_info *t = hs_options_table(&n);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, "backtest_bandwidths") == 0) {
            assert_string_equal(t[i].dflt, HS_BACKTEST_LADDER);
            found = 1;
        }
    assert_true(found);
}

int main(void)
{
    make_data();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_buffer),
        cmocka_unit_test(test_zero_fill),
        cmocka_unit_test(test_zero_fill_by_hand),
        cmocka_unit_test(test_shares_clip),
        cmocka_unit_test(test_shares_buffer),
        cmocka_unit_test(test_shares_zero_fill),
        cmocka_unit_test(test_shares_by_hand),
        cmocka_unit_test(test_ones_as_null),
        cmocka_unit_test(test_fine_grid),
        cmocka_unit_test(test_fine_grid_shares),
        cmocka_unit_test(test_pruning),
        cmocka_unit_test(test_pruning_again),
        cmocka_unit_test(test_keep),
        cmocka_unit_test(test_short_data),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
