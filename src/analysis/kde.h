/*
 * kde.h - kernel density estimation on a regular grid (internal).
 *
 * Pure C (libm + pthreads).  The result is the exact kernel sum at every
 * cell centre in double precision - no binning of points to cells, no float
 * accumulation - so it matches a brute-force double loop to rounding (tests:
 * within 1e-9 of the largest cell, measured ~1e-12) and, for the quartic
 * kernel, GRASS v.kernel / kde_ref.c "--scale unit" by definition.
 *
 * Kernels, with d = distance, h = bandwidth, u = d/h; each is normalised so
 * that its integral over the plane is 1, so a density is in incidents per
 * square metre (x 1e6 for per km²):
 *
 *   quartic (biweight)  3/(pi h²) (1-u²)²   u < 1   the default (Chainey)
 *   triangular          3/(pi h²) (1-u)     u < 1
 *   uniform             1/(pi h²)           u < 1
 *   triweight           4/(pi h²) (1-u²)³   u < 1
 *   epanechnikov        2/(pi h²) (1-u²)    u < 1
 *   gaussian            exp(-d²/(2h²)) / (2 pi h² (1 - e^-8))   d < 4h
 *
 * Gaussian: the bandwidth IS the standard deviation (sigma = h); the kernel
 * is cut at radius 4h and divided by the mass inside that disc,
 * 1 - exp(-4²/2) = 1 - e^-8, so that the truncated kernel integrates to 1.
 * Its disc is 16 times the quartic's at the same bandwidth, and so is its
 * cost.
 *
 * Support, exactly: a point contributes to a cell centre when
 * dx*dx + dy*dy < r*r in double precision (round to nearest, no fused
 * multiply-add), with dx = xc - px, dy = yc - py, xc and yc as in
 * hs_kde_grid and r = hs_kernel_radius().  A point at exactly distance r
 * contributes nothing, for every kernel.
 *
 * Cost: quartic, triweight, epanechnikov and uniform with r >= 2.5 cells cost
 * O(rows of a point's disc) per point (difference arrays along rows), the
 * others O(cells of its disc).  1M points, 1376 x 1577 cells of 50 m,
 * quartic, h = 500 m: 0.35 s on one core, 0.22 s on two.
 */
#ifndef HOTSPOT_KDE_H
#define HOTSPOT_KDE_H

#include <stddef.h>

#include "hotspot/hs_error.h"

typedef enum hs_kernel {
    HS_KERNEL_QUARTIC,
    HS_KERNEL_TRIANGULAR,
    HS_KERNEL_UNIFORM,
    HS_KERNEL_TRIWEIGHT,
    HS_KERNEL_EPANECHNIKOV,
    HS_KERNEL_GAUSSIAN
} hs_kernel;

/* "quartic" (or "biweight"), "triangular", "uniform", "triweight",
 * "epanechnikov", "gaussian"; ASCII case-insensitive.  -1 if unknown or NULL. */
int hs_kernel_parse(const char *name);

/* The canonical lower-case name ("quartic", ...); "unknown" if out of range.
 * Static storage. */
const char *hs_kernel_name(hs_kernel k);

/* Radius of the kernel's support: bandwidth, or 4 * bandwidth for Gaussian
 * (for sizing grids: a point reaches cells within this distance). */
double hs_kernel_radius(hs_kernel k, double bandwidth);

/* The kernel of one incident of weight 1 at squared distance d2 (m²), per
 * m²: the formulas above, 0 unless d2 < r² (r = hs_kernel_radius), the
 * support rule below.  For sums over few cells (analysis/backtest.c). */
double hs_kernel_at(hs_kernel k, double bandwidth, double d2);

/* A north-up grid.  Cell (r, c) has its centre at
 *     xc = x0 + ((double)c + 0.5) * cell
 *     yc = y0 + ((double)(rows - r) - 0.5) * cell
 * i.e. row 0 is the NORTH row (as in GeoTIFF) and (x0, y0) the lower-left
 * corner of the grid, in metres. */
typedef struct hs_kde_grid {
    double x0, y0;
    double cell;
    size_t cols, rows;
} hs_kde_grid;

/*
 * Density at every cell centre into out[r*cols + c]:
 *
 *     out = sum_i w_i * K_h(distance from the centre to point i)
 *
 * out: caller-owned, cols*rows doubles; every cell is written, all values
 * are >= 0 and a cell that no point reaches is exactly 0.
 * x, y: n coordinates (borrowed; may be NULL when n is 0); a point with a
 * NaN or infinite coordinate is skipped.
 * w: n weights (borrowed), or NULL for all 1.  Weights must be finite and
 * >= 0.  Identical points are merged (weights summed) first, which changes
 * nothing but rounding.
 * threads <= 0: one per online CPU.  The result does not depend on threads,
 * bit for bit.
 *
 * Memory besides out: 4 bytes a point (8 if n >= 2^32), and per thread
 * ~80 bytes a point of the most populous grid row plus, for the
 * difference arrays, 80 bytes a point of the rows one chunk reaches (at
 * most 256 + 2 r/cell + 6 rows) and one row of ~2 cols (m + 1) doubles
 * (m = 5 quartic, 7 triweight): ~8 MB for the example above.
 *
 * Errors: HS_ERR_ARG (bandwidth not a finite number > 0 or out of range,
 * cell not a finite number > 0 or too small for the coordinates, empty or
 * oversized grid, unknown kernel, NULL array, bad weight - the message names
 * the first such point), HS_ERR_NOMEM.  On error out is unspecified.
 */
hs_status hs_kde_compute(const double *x, const double *y, const float *w,
                         size_t n, hs_kernel k, double bandwidth,
                         const hs_kde_grid *g, double *out, int threads,
                         hs_error *err);

/*
 * Only some cells, for the back-test (backtest.c), which needs the cells
 * that may be in a budget and no others: tiles of tile x tile cells (a
 * power of two), tile (r / tile, c / tile) at tiles[(r / tile) * tcols +
 * c / tile], tcols = ceil(cols / tile); cell (r, c) is wanted where that
 * byte is not 0.  NULL (or tiles NULL): every cell.
 */
typedef struct hs_kde_need {
    const unsigned char *tiles;
    size_t tile;
} hs_kde_need;

/*
 * As hs_kde_compute, but only the wanted cells are sure to be written, each
 * bit for bit as hs_kde_compute writes it; the others are left as they
 * were or given that same value (so calls for other tiles into the same
 * output keep what the first wrote).  With the polynomial kernels' rows
 * (r >= 2.5 cells) a row with no wanted cell is skipped, an incident whose
 * run lies in no block of wanted cells is not added, and the values of the
 * cells not wanted are not formed (nor summed past a stretch's last wanted
 * cell); otherwise every cell is computed.  Errors as
 * hs_kde_compute, and HS_ERR_ARG for a tile that is not a power of two.
 */
hs_status hs_kde_compute_need(const double *x, const double *y, const float *w,
                              size_t n, hs_kernel k, double bandwidth,
                              const hs_kde_grid *g, const hs_kde_need *need,
                              double *out, int threads, hs_error *err);

/*
 * The same densities stored as float: out[r*cols + c] = (float)(density x
 * scale), e.g. scale 1e6 for incidents per km².  *sum (if not NULL) gets
 * the sum of all densities (per m², before scaling and rounding) in
 * double, added row by row in order, so it does not depend on threads.
 * Needs no double grid (cols*rows*8 bytes less) for radii of 2.5 cells
 * or more.  Errors as above, and HS_ERR_ARG for a scale that is not a
 * finite number > 0.
 */
/*
 * rows_done (may be NULL) is told, as rows are finished, that rows [0, done)
 * of out are final, so a writer can start on them while the rest is
 * computed: called from a worker thread, one call at a time, with done
 * growing; it must be quick (signal another thread, not write).
 */
typedef void (*hs_kde_rows_fn)(void *ctx, size_t done);

hs_status hs_kde_compute_f32(const double *x, const double *y, const float *w,
                             size_t n, hs_kernel k, double bandwidth,
                             const hs_kde_grid *g, double scale, float *out,
                             double *sum, int threads, hs_kde_rows_fn rows_done,
                             void *ctx, hs_error *err);

#endif
