/*
 * backtest.h - how well a group's hotspots predict the next month, for
 * each candidate bandwidth (internal).
 *
 * Chainey, Tompson & Uhlig (2008) judge a hotspot map by how much of the
 * *next* period's crime falls in it.  The rules, exactly:
 *
 *  - Inputs: one group's incidents with a month (x, y in the analysis CRS,
 *    NaN: no location; month as year*12 + month-1; weights w or NULL;
 *    shares or NULL, 1 each: --when's part of each incident's time window
 *    inside the windows asked for, finite and >= 0); the
 *    grid and its mask (label >= 0: the cell's centre is in a study area,
 *    "unmasked"); first and last month of the data.  inside NULL: every
 *    incident is in the study area (--kde-edge clip passes only those);
 *    otherwise inside[i] says which are, and the others train the surfaces
 *    but are never tested (--kde-edge buffer).
 *  - Windows: test month t, training months t-K .. t-1 (K = train).  The
 *    last `windows` values of t that fit, t <= last and t-K >= first, in
 *    ascending order; fewer when the data are shorter, none with fewer
 *    than K + 1 months.
 *  - Surface: for each window and candidate bandwidth h, the exact kernel
 *    sum (kde.h) at every cell centre of the training months' incidents
 *    (weighted by w; shares play no part).
 *  - Budget: B = floor(share x U) cells, U the unmasked cells: the unmasked
 *    cells by density descending, ties by row-major index ascending (so
 *    when fewer than B cells have density > 0, the first zero-density
 *    cells in row-major order fill the budget).
 *  - Test: the test month's incidents inside the study area, each counting
 *    its share; N = the sum of their shares (their number when shares is
 *    NULL).  A point's cell as in hotspots.h (edges belong east / north).
 *    hits n = the sum of the shares of those in budget cells.  hit_rate =
 *    100 n / N (%); pai = (n/N) / (B/U); pei = n / n*, n* the largest sum
 *    of shares any B unmasked cells hold (the sum of the B largest
 *    per-cell sums of shares): Hunt (2016)'s predictive efficiency, the
 *    share of what a perfect map of that size would catch.  N = 0 (no test
 *    incident, or shares summing to 0): all three NULL (NaN here); n* = 0
 *    (every test incident in a masked cell, or their shares 0): pei NaN.
 *  - Choice: the candidate with the highest mean pai over the windows with
 *    a pai; ties go to the larger bandwidth.  None when no window has one.
 *  - below_spacing: h < spacing (police.uk's map points are coarser than
 *    the kernel; still tried, flagged).
 * Units: metres, months, incidents (possibly fractional: sums of shares),
 * cells; densities are never stored.
 *
 * Cost: surfaces are summed only over the bounding box of the unmasked
 * cells (the same cell centres).  A candidate whose surfaces are cheaper
 * over the whole grid (many incidents, wide discs) is summed from single
 * months: each training month's surface once (hs_kde_compute), a window's
 * surface the sum of its K months', in month order (a kernel sum is
 * linear; the sums differ by rounding only, cells no incident reaches stay
 * exactly 0).  Other candidates are summed point by point over the cells
 * each disc covers.  The budget's threshold is first guessed (from the
 * last window's, or a sample of the cells), then found exactly among those
 * at or above the guess.  With discs of 5 cells or more and polynomial
 * kernels, only the tiles whose upper bound reaches a guess are computed
 * and summed, the same values bit for bit: 0.9 x the last threshold, or
 * for a candidate's first window the B-th largest value over the tiles of
 * the highest bounds (a lower bound of its threshold); when fewer than B
 * cells reach the guess, the B-th largest value of the tiles summed (also
 * a lower bound) is the guess for the further tiles it reaches, and only
 * if those tiles hold fewer than B positive cells are the window's months
 * computed over every cell (backtest.c: the bound and why the result is
 * exact).  Tasks run on all cores; measured in scripts/BENCHMARKS.md.
 *
 * Ownership: hs_backtest_free releases the rows and means.  With
 * opts.keep the working grids, incident lists and rings stay in the keep
 * for the next run (a group after another: their first touch once).
 */
#ifndef HOTSPOT_BACKTEST_H
#define HOTSPOT_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/kde.h"
#include "core/ticker.h"
#include "hotspot/hs_error.h"

#define HS_BACKTEST_TRAIN 3    /* months, as Chainey et al. (2008)        */
#define HS_BACKTEST_MAX_TRAIN 60
#define HS_BACKTEST_SLOTS 1024 /* of opts.keep, at most                  */
#define HS_BACKTEST_WINDOWS 12
#define HS_BACKTEST_MAX_BW 32
/* The default ladder of candidate bandwidths, metres. */
#define HS_BACKTEST_LADDER "100,150,200,300,400,600,800,1200,1600"

typedef struct hs_backtest_opts {
    int train, windows;
    double bw[HS_BACKTEST_MAX_BW]; /* increasing, metres           */
    size_t nbw;
    double share;                  /* the budget: tasking share    */
    hs_kernel kernel;
    double spacing;                /* map-point spacing, metres    */
    hs_tick *tick;                 /* progress: a unit a row (window x
                                      bandwidth) scored; NULL: none    */
    struct hs_keep *keep;          /* NULL, or working memory kept for
                                      the next run (keep.h), its slots
                                      below HS_BACKTEST_SLOTS: a group
                                      after another reuses the grids   */
} hs_backtest_opts;

typedef struct hs_backtest_row {
    int32_t test_month, train_from, train_to;
    double bandwidth;
    long budget_cells, unmasked_cells;
    double test_incidents, hits; /* sums of shares (whole without)  */
    double hit_rate, pai, pei; /* NaN: undefined (see above)      */
    int below_spacing, chosen;
} hs_backtest_row;

typedef struct hs_backtest {
    hs_backtest_row *rows; /* by window, then candidate             */
    size_t nrows, nwindows;
    double mean_pai[HS_BACKTEST_MAX_BW], mean_hit_rate[HS_BACKTEST_MAX_BW],
        mean_pei[HS_BACKTEST_MAX_BW]; /* over windows with a value; NaN */
    long scored[HS_BACKTEST_MAX_BW];  /* windows with a pai              */
    size_t best;           /* chosen candidate; nbw when none        */
    long pruned, retried, unpruned; /* windows summed over the tiles that
                              may hold the budget / the guess was too
                              high: over those of a lower one / over
                              every cell: see backtest.c */
} hs_backtest;

/* "100,150,..." -> o->bw, o->nbw: at least one, each > 0 and finite,
 * strictly increasing, at most HS_BACKTEST_MAX_BW.  0 ok, -1 otherwise. */
int hs_backtest_parse_bandwidths(const char *s, hs_backtest_opts *o);

hs_status hs_backtest_run(const double *x, const double *y, const float *w,
                          const float *share, const int32_t *month,
                          const unsigned char *inside,
                          size_t n, const hs_kde_grid *g, const int32_t *label,
                          int32_t first, int32_t last,
                          const hs_backtest_opts *o, hs_backtest *out,
                          hs_error *err);

void hs_backtest_free(hs_backtest *b);

#endif
