/*
 * gistar.h - Getis-Ord Gi* hot and cold spots on a grid of square or
 * hexagonal cells, with conditional permutations and Benjamini-Hochberg
 * FDR (internal).
 *
 * The rules, exactly (../shared/METHODS.md 1; Getis & Ord 1992, Ord &
 * Getis 1995; R spdep localG / localG_perm; ArcGIS Hot Spot Analysis):
 *
 *  - Grid of squares: north-up, row 0 north, cell (r, c) centred at x0 +
 *    (c + 0.5) cell, y0 + (rows - r - 0.5) cell (hotspots.h).
 *    Hexagons (opts.hex): pointy-top, `cell` the distance between the
 *    centres of neighbouring hexagons (the width across flats; a
 *    hexagon's area is sqrt(3)/2 cell²), rows h = cell sqrt(3)/2 apart,
 *    odd rows shifted half a cell east: (r, c) centred at x0 + (c + 0.5 +
 *    (r odd ? 0.5 : 0)) cell, y0 + (rows - r - 0.5) h (hs_gi_hex_grid
 *    makes one covering an extent).  Either way a cell is kept when
 *    label[i] >= 0: the caller decides by the cell-centre rule (areas.h).
 *    Kept cells, in row-major order, are the n features.
 *  - Values: a cell's value x is the sum of its points' weights (1 each
 *    unless given: then the count; weights finite and >= 0, summed in
 *    double).  Squares: point (x, y) is in cell floor((x - x0) / cell),
 *    rows - 1 - floor((y - y0) / cell): a point on a shared edge counts in
 *    the cell east / north of it.  Hexagons: in the hexagon of the nearest
 *    centre (in double precision); a point as near two centres (on an
 *    edge) counts in the first in row-major order.  So in exactly one.
 *    Points in cells not kept, or outside the grid, count nowhere.
 *  - Neighbours: the kept cells whose centres lie within `distance` of the
 *    cell's centre, the cell itself included (Gi*); binary weights.
 *    Decided on grid offsets (dr, dc) in integers: squares dr² + dc² <=
 *    (distance / cell)²; hexagons (2 dc + q - p)² + 3 dr² <= 4 (distance
 *    / cell)², p and q the parities of the two rows; with a relative
 *    tolerance of 1e-9, so that distance = cell x sqrt 2 keeps every
 *    diagonal (sfhotspot's float test drops some) and distance = cell
 *    every one of a hexagon's six neighbours.
 *  - z: x̄ = mean value, s² = sum (x - x̄)² / n (population variance), for
 *    cell i with W_i neighbours (self included) and S_i their values'
 *    sum: z_i = (S_i - W_i x̄) / sqrt(s² (n W_i - W_i²) / (n - 1)), as
 *    spdep localG with the cell included (binary weights: S1_i = W_i).
 *    NaN (no z) when s² = 0, n < 2 or W_i = n.  A cell whose only
 *    neighbour is itself keeps its z, as spdep does (ArcGIS writes NULL).
 *  - p = 2 Phi(-|z|) = erfc(|z| / sqrt 2), two-sided; NaN with z.
 *  - Permutations (R of them, R = 0: none): conditional, as spdep
 *    localG_perm: for cell i the own value stays, and each of its W_i - 1
 *    other neighbours gets the value of a cell drawn uniformly, with
 *    replacement, from the other n - 1 cells.  k_hi = simulations whose sum
 *    is >= S_i, k_lo = those <= S_i; p_sim = (min(k_hi, k_lo) + 1) / (R +
 *    1), the folded pseudo-p of spdep (one tail, the nearer, not doubled),
 *    but with ties counted on both sides: spdep counts only k_hi, so a cell
 *    of zeros among zeros, which every simulation ties or exceeds, comes
 *    out "significantly cold" at 1 / (R + 1); here its p_sim is the share
 *    of simulations that are also 0.  Sums are doubles.  Whole values
 *    (every x an integer, their total below 2^53) are summed exactly and
 *    compared exactly: ties where the sums are equal.  With fractional
 *    values sums within rounding of each other tie: |a - b| <= 4 k² ε
 *    max x, k the largest W_i, ε = DBL_EPSILON (a bound on the rounding of
 *    two sums of k values in any order; 8e-12 for k = 30 and values up to
 *    10), so that a simulation of zeros ties a cell of zeros whatever the
 *    order its sum was taken in.  Draws: as PySAL esda does, the cells
 *    with the same number m of other neighbours share one set of R x m
 *    draws (each cell's own value still left out, below): splitmix64
 *    (Steele et al. 2014) started at mix(seed ^ mix(m)), mix being
 *    splitmix64's output function, simulation by simulation; a draw v (64
 *    bits) gives u = (v x (n - 1)) >> 64, and for cell i the value of cell
 *    u < i ? u : u + 1 (bias below (n-1) / 2^64).  Each cell's pseudo-p
 *    has the conditional distribution spdep's has; sharing the draws makes
 *    the cells' p-values correlated, and the work R x (m + n) per group
 *    instead of R x m x n.  Results do not depend on the number of threads.
 *  - Bins: from p, adjusted by Benjamini-Hochberg over the cells with a p
 *    when fdr is set (R p.adjust "BH": by p descending, min(1, cummin(m /
 *    rank x p)), m cells): |bin| = 3 when p <= 0.01, 2 when <= 0.05, 1
 *    when <= 0.10, else 0; the sign is z's (hot +, cold -), as ArcGIS's
 *    Gi_Bin.  p_sim is reported beside it, not used for the bin.
 *  - Automatic scale (ArcGIS Optimized Hot Spot Analysis, METHODS 2):
 *    cell (hs_gi_auto_cell): from the nearest-neighbour distances d of
 *    the distinct incident locations, with m and s their mean and sd, the
 *    locational outliers ((d - m) / s >= 3) left out; L and S the larger
 *    and smaller of the rest's mean and median: cell = L x max(2, L / S),
 *    rounded to a whole metre (at least 1).  Distance (distance <= 0):
 *    incremental spatial autocorrelation on the cells' values: global
 *    Moran's I with row-standardised binary weights (the cell itself not
 *    a neighbour; cells without neighbours have no row) and its z under
 *    normality (Cliff & Ord: E = -1/(n-1), Var = (n² S1 - n S2 + 3 S0²) /
 *    ((n² - 1) S0²) - E²) at 10 distances, cell x 1 .. 10 (the cells'
 *    nearest-neighbour distance is the cell, start and step); the first
 *    peak (z above both neighbours in the sequence) with z > 1.65, else
 *    the highest peak; with no peak, the mean over the cells of the
 *    distance to the k-th nearest kept cell, k = 5% of n clamped to
 *    [3, 30].  The choice and the ten z-values are in hs_gi.  On
 *    hexagons the same, cell x 1 .. 10 being the centre distances.
 * Units: metres; values in the points' weight (incidents when none given);
 * z dimensionless, p and p_sim probabilities.
 *
 * Cost: O(n x neighbours) for z; for p_sim, R x m draws per neighbour
 * count m shared by its features, O(n log R) to count, on all cores.
 *
 * Ownership: hs_gi_free releases what hs_gi_compute allocated in *out.
 */
#ifndef HOTSPOT_GISTAR_H
#define HOTSPOT_GISTAR_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/hotspots.h"
#include "hotspot/hs_error.h"

#define HS_GI_PERMUTATIONS 999
#define HS_GI_SEED 12345
/* The automatic cell is raised so that the study area holds at most this
 * many (a county at ~100 m): ArcGIS's rule gives ~20 m cells for a
 * force's exact coordinates, 11M cells of counts of 0 and 1. */
#define HS_GI_MAX_CELLS 500000

typedef struct hs_gi_opts {
    double distance;   /* metres, > 0                                   */
    int permutations;  /* R >= 0                                        */
    uint64_t seed;
    int fdr;           /* 1: Benjamini-Hochberg before binning          */
    int hex;           /* 1: hexagons, 0: squares                       */
    int threads;       /* <= 0: one per online CPU                      */
} hs_gi_opts;

typedef struct hs_gi {
    int hex;           /* the lattice: hexagons (1) or squares (0)      */
    size_t n;          /* kept cells                                    */
    uint32_t *cell;    /* their row-major indices, ascending            */
    double *count;     /* x: the sum of the weights of its points       */
    int *nbrs;         /* W_i, self included                            */
    double *z, *p, *p_sim; /* NaN: none (p_sim NaN when R = 0)          */
    signed char *bin;  /* -3 .. 3                                       */
    double mean, var;  /* x̄ and s² of the values                        */
    long points;       /* points counted in kept cells                  */
    size_t npoints;    /* points given                                  */
    int32_t *point_cell; /* each given point's kept cell, -1: none       */
    double distance;   /* the band used, metres                         */
    char rule[160];    /* how it was chosen                             */
    double isa_z[10];  /* automatic distance: Moran's I z at cell x k    */
} hs_gi;

/* The automatic cell size (above) from nd nearest-neighbour distances
 * (reordered).  0 when there are fewer than 2 or they are all 0. */
double hs_gi_auto_cell(double *d, size_t nd);

/*
 * Gi* for every kept cell of grid g (label: rows x cols, < 0 not kept)
 * from the npts points (px, py) with weights pw (NULL: 1 each).
 * HS_ERR_ARG for a bad grid or options or a weight below 0 or not finite
 * (naming the point), HS_ERR_NOMEM.  On error *out is empty.
 */
hs_status hs_gi_compute(const int32_t *label, const hs_grid_geom *g,
                        const double *px, const double *py, const float *pw,
                        size_t npts, const hs_gi_opts *o, hs_gi *out,
                        hs_error *err);

void hs_gi_free(hs_gi *gi);

/* The lattice (above).  The centre of cell idx (row-major). */
void hs_gi_centre(const hs_grid_geom *g, int hex, size_t idx, double *x, double *y);
/* Its outline, closed and counter-clockwise, into xy (x, y pairs, room
 * for 7): returns the number of points, 5 for a square, 7 a hexagon. */
size_t hs_gi_ring(const hs_grid_geom *g, int hex, size_t idx, double *xy);
/* The cell a point counts in (above), -1 outside the grid. */
ptrdiff_t hs_gi_locate(const hs_grid_geom *g, int hex, double x, double y);
/* Hexagons of `cell` covering the extent with a cell to spare each way. */
hs_status hs_gi_hex_grid(double xmin, double ymin, double xmax, double ymax,
                         double cell, hs_grid_geom *g, hs_error *err);

struct hs_keep;

/* The kept cells' neighbours (gi->distance, self included), as lists:
 * cell i's are nb[start[i] .. start[i + 1]), kept indices ascending.
 * keep NULL: the caller frees *start and *nb; else they are keep's slots
 * slot and slot + 1 (keep.h), kept for the next group (~30 a cell: 60 MB
 * at 1M incidents). */
hs_status hs_gi_neighbours(const hs_gi *gi, const hs_grid_geom *g,
                           struct hs_keep *keep, int slot, size_t **start,
                           uint32_t **nb, hs_error *err);

/*
 * The statistic on any n features (the cells here; emerging.h's
 * space-time bins): values x (finite, >= 0), W[i] >= 1 neighbours of
 * feature i (self included) and S[i] the sum of their values; z, p and p_sim (NaN with R
 * = 0) as above, and the mean and population variance of x.  Only
 * o->permutations, o->seed and o->threads are read.  Feature indices
 * must fit in 32 bits.  p_sim may be NULL: not worked out, and the
 * permutations not read (emerging.c takes them afterwards, for a few).
 */
hs_status hs_gi_stat(size_t n, const double *x, const int *W, const double *S,
                     const hs_gi_opts *o, double *z, double *p, double *p_sim,
                     double *mean, double *var, hs_error *err);

/* hs_gi_stat's p_sim alone, for the features with need[i] set (need
 * NULL: all; the others get NaN): the same draws and values whatever the
 * mask, at the cost of two binary searches over the R sums a feature
 * needed, the sweep through the others, and R x m per neighbour count m. */
hs_status hs_gi_perm(size_t n, const double *x, const int *W, const double *S,
                     const hs_gi_opts *o, const unsigned char *need,
                     double *p_sim, hs_error *err);

/* Bins -3..3 from z and p (above), BH-adjusted over the n when fdr. */
hs_status hs_gi_bins(const double *z, const double *p, size_t n, int fdr,
                     signed char *bin, hs_error *err);

/* Benjamini-Hochberg adjusted p-values of the finite p[0..n) into adj
 * (NaN stays NaN; m = the finite ones).  adj may be p. */
hs_status hs_bh_adjust(const double *p, size_t n, double *adj, hs_error *err);

/* "hot spot, 99%", "cold spot, 90%", "not significant" for bin -3..3. */
const char *hs_gi_class(int bin);

#endif
