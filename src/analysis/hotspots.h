/*
 * hotspots.h - ranked hotspot polygons from a density surface, and the
 * tasking table (internal).
 *
 * Input is one crime group's kernel density surface (incidents per km²)
 * on a north-up grid: row 0 is the north row, and cell (r, c) has centre
 * x = x0 + (c + 0.5) * cell, y = y0 + (rows - r - 0.5) * cell, where
 * (x0, y0) is the lower-left corner of the grid.  Cells are row-major
 * (index r * cols + c).
 *
 * The rules, exactly (DESIGN-NOTES 4.1, 4.3):
 *
 *  - Mask.  A cell is unmasked when label is NULL or label[i] >= 0 (the
 *    index of the study area holding it); negative labels are outside
 *    every study area.  Unmasked densities must be finite and >= 0
 *    (HS_ERR_ARG otherwise); masked ones are never read.
 *  - Basis.  The unmasked cells with density > 0.  mean = their mean,
 *    sd = their population standard deviation (divide by n).
 *  - Breaks.  HS_THRESH_MEAN_MULTIPLE (the Home Office / Chainey toolkit
 *    method, the default): break_i = k_i * mean.  HS_THRESH_MEAN_SD:
 *    break_i = mean + k_i * sd.  The k must be finite and strictly
 *    increasing, 1 <= nk <= 8.
 *  - Class.  A cell's class is the number of breaks its density is >=
 *    (>= 1x mean is class 1, >= 2x mean class 2, ...).  Cells with
 *    density 0 are class 0 whatever the breaks; masked cells are 255.
 *  - Hotspots.  Unmasked cells of class >= hot_class are hot.  A hotspot
 *    is a 4-connected component of hot cells: cells sharing an edge join,
 *    cells touching only at a corner do not.  A component can have holes.
 *  - Incidents.  Point (x, y) is in cell c = floor((x - x0) / cell),
 *    r = rows - 1 - floor((y - y0) / cell): a point on a cell edge belongs
 *    to the cell east / north of the edge.  Points with NaN coordinates or
 *    outside the grid (including on its north and east edges) are ignored.
 *    Each point counts its share pw[p] (--when: the part of its time
 *    window inside the windows asked for, Ratcliffe's aoristic weight;
 *    finite and >= 0, HS_ERR_ARG otherwise), 1 when pw is NULL.
 *    mask_incidents = the sum of the shares of the points in unmasked
 *    cells; a hotspot's incidents = the sum of the shares of the points in
 *    its cells (whole numbers when pw is NULL).
 *  - Area, share, PAI.  km2 = ncells * cell² / 1e6 and
 *    mask_km2 = unmasked cells * cell² / 1e6 (coordinates in metres);
 *    share = incidents / mask_incidents (0 when mask_incidents is 0);
 *    pai = share / (km2 / mask_km2) (Chainey, Tompson & Uhlig 2008).
 *  - Rank.  Incidents descending, then km2 descending, then the smallest
 *    row-major cell index of the component: deterministic.  Rank 1 first.
 *    Incidents tie only when the two sums are equal doubles.
 *  - Study area.  The label held by most of the component's cells; ties
 *    go to the smallest label; -1 when label is NULL.
 *  - Location.  The commonest loc value >= 0 among the component's
 *    incidents, each weighted by its share: the loc with the largest sum
 *    of shares (a point count when pw is NULL; ties: the smallest); -1
 *    when none has a sum above 0 (or loc is NULL).
 *  - Degenerate input: an all-zero surface or no unmasked cells gives no
 *    hotspots and mean = sd = 0 (not an error).
 *
 * Geometry: each hotspot's cells as one ISO WKB MultiPolygon (little
 * endian), vertices on exact cell edges in grid coordinates, made by
 * GDALPolygonize (4-connected) over a raster of component ids.
 *
 * Ownership: caller owns the hs_hotspots (hs_hotspots_destroy, NULL ok),
 * including every hotspot's wkb; the tasking rows with hs_tasks_free.
 * Thread safety: calls share no state, GDAL's driver registration aside.
 */
#ifndef HOTSPOT_HOTSPOTS_H
#define HOTSPOT_HOTSPOTS_H

#include <stddef.h>
#include <stdint.h>

#include "hotspot/hs_error.h"

#define HS_HOTSPOT_MAX_BREAKS 8
#define HS_CLS_MASKED 255       /* hs_hotspots.cls of a masked cell       */
#define HS_HOTSPOT_PREFIX_MAX 12 /* longest id prefix ("VIO")             */
#define HS_TASK_MAX_SHARE 0.03  /* Chainey's 3% of the study area         */
#define HS_HOTSPOT_MIN_INCIDENTS 5 /* fewer: noise, not tasked (README)   */

typedef struct hs_grid_geom {
    double x0, y0;  /* lower-left corner                       */
    double cell;    /* cell side, metres                       */
    size_t cols, rows;
} hs_grid_geom;

typedef enum hs_threshold {
    HS_THRESH_MEAN_MULTIPLE, /* break_i = k_i * mean            */
    HS_THRESH_MEAN_SD        /* break_i = mean + k_i * sd       */
} hs_threshold;

typedef struct hs_hotspot_opts {
    hs_threshold method;
    double k[HS_HOTSPOT_MAX_BREAKS]; /* strictly increasing           */
    int nk;                          /* 1..8                          */
    int hot_class;                   /* 1..nk: this class and above are hot */
} hs_hotspot_opts;

/* Fills o with the defaults: mean-multiple, k = 1,2,3,4,5, hot_class 3
 * (hot = at least 3x the mean of the non-zero cells). */
void hs_hotspot_opts_default(hs_hotspot_opts *o);

typedef struct hs_hotspot {
    char id[24];       /* prefix "-" rank: "VIO-03", "VIO-104"           */
    int rank;          /* 1 = most incidents                             */
    int cls;           /* highest class of any of its cells              */
    double incidents;  /* the group's incidents in its cells (shares)    */
    double km2;        /* its area                                       */
    double share;      /* incidents / mask_incidents                     */
    double pai;        /* share / (km2 / mask_km2)                       */
    int area;          /* majority study-area index (-1: no mask)        */
    int location;      /* commonest location id, -1 none                 */
    unsigned char *wkb; /* ISO WKB MultiPolygon (NDR), grid coordinates  */
    size_t wkb_len;
    size_t ncells;
} hs_hotspot;

typedef struct hs_hotspots {
    double mean, sd;       /* of the basis cells (non-zero, unmasked)    */
    double breaks[HS_HOTSPOT_MAX_BREAKS]; /* incidents per km²           */
    int nbreaks;
    unsigned char *cls;    /* per cell: 0..nbreaks, HS_CLS_MASKED        */
    int32_t *spot;         /* per cell: rank of its hotspot, 0 none; a
                              rank above n (a hotspot dropped later) is
                              none too.  NULL when no cell is hot.      */
    hs_hotspot *v;         /* in rank order (v[i].rank == i + 1)         */
    size_t n;
    double mask_km2;       /* unmasked area                              */
    double mask_incidents; /* shares of the points in unmasked cells     */
} hs_hotspots;

/*
 * Finds and ranks the hotspots of one group's surface.
 *   density  rows * cols values, incidents per km²
 *   label    rows * cols study-area indices (< 0: outside), or NULL
 *   px, py   the group's n incidents, grid coordinates
 *   pw       their shares (finite, >= 0), or NULL: 1 each
 *   loc      their location ids (< 0: none), or NULL
 *   prefix   id prefix, at most HS_HOTSPOT_PREFIX_MAX characters
 *   o        options, or NULL for hs_hotspot_opts_default()
 * Returns NULL with err set: HS_ERR_ARG for bad options, sizes or
 * densities; HS_ERR_NOMEM; HS_ERR_GEOM if GDAL fails to polygonise.
 * Caller owns the result: hs_hotspots_destroy().
 */
hs_hotspots *hs_hotspots_find(const double *density, const int32_t *label,
                              const hs_grid_geom *g, const double *px,
                              const double *py, const float *pw,
                              const int32_t *loc, size_t n, const char *prefix,
                              const hs_hotspot_opts *o, hs_error *err);

void hs_hotspots_destroy(hs_hotspots *h); /* NULL is a no-op */

/*
 * The tasking table: for each study area (board), its own densest places,
 * so that every board's tasking group has targets sized for patrols, not
 * only the boards that hold the county's hotspots.  The rules, exactly:
 *
 *  - Cells of area a: the unmasked cells with label a; U_a of them.
 *  - Budget: B_a = floor(max_share x U_a) cells (Chainey's 3%; the same
 *    rule as backtest.h's budget, applied to one board).  The board's
 *    cells with density > 0, density descending, ties by row-major index
 *    ascending; the first B_a of them (all, when fewer).  Zero-density
 *    cells are never tasked.
 *  - Targets: 4-connected components of the chosen cells; cells of two
 *    boards never join, as each board chooses its own.
 *  - Incidents: the sum of the shares of the points in a target's cells
 *    (cell rule and shares as above).  Targets with incidents <
 *    min_incidents (compared as doubles) are dropped (noise is not
 *    tasked); their cells are not given to others.
 *  - Order within the board: incidents descending (ties: equal doubles),
 *    then cells descending, then the smallest row-major cell index;
 *    order = 1, 2, ...
 *  - hotspot: the county hotspot (index into h->v, spot 1..h->n) holding
 *    the most of its cells, ties to the higher-ranked; -1 when none does.
 *    cls: the highest class of its cells (h->cls).
 *  - km2 = cells x cell² / 1e6; area_km2 = U_a x cell² / 1e6 (the board
 *    in whole cells, as the budget counts it); pai = (incidents /
 *    area_incidents[a]) / (km2 / area_km2), NaN when area_incidents is 0;
 *    the cumulative shares add up the targets in order.
 *  - Location: as for hotspots (the loc >= 0 with the largest sum of
 *    shares; -1 none).
 * Inputs: density, label and g as hs_hotspots_find was given (label must
 * not be NULL); h its result; px, py, pw, loc, n the same incidents;
 * area_incidents the group's incidents in each area (sums of shares,
 * finite and >= 0; for the shares of the board).
 * Rows come by area, then order.  *out is malloc'd (NULL when *nout is 0),
 * each row owning its wkb; free with hs_tasks_free.
 */
typedef struct hs_task {
    int area;
    int order;                 /* 1-based within the area                */
    long hotspot;              /* index into h->v, -1: in no hotspot      */
    int cls;                   /* highest class of its cells             */
    double incidents;          /* sum of shares (hs_hotspots_find)        */
    size_t ncells;
    double km2, area_km2;      /* the target, the area (whole cells)     */
    double pai;                /* within the area; NaN: no incidents     */
    double cum_km2_share;      /* cumulative km2 / area_km2              */
    double cum_incident_share; /* cumulative incidents / area_incidents
                                  (0 when that is 0)                     */
    int location;              /* commonest location id, -1 none         */
    unsigned char *wkb;        /* ISO WKB MultiPolygon (NDR)             */
    size_t wkb_len;
    size_t *cells;             /* its ncells cell indices, ascending     */
} hs_task;

hs_status hs_tasking(const double *density, const int32_t *label,
                     const hs_grid_geom *g, const hs_hotspots *h,
                     const double *px, const double *py, const float *pw,
                     const int32_t *loc, size_t n, size_t nareas,
                     const double *area_incidents, double max_share,
                     double min_incidents, hs_task **out, size_t *nout,
                     hs_error *err);

void hs_tasks_free(hs_task *t, size_t n); /* NULL is a no-op */

/* Cell index of point (x, y) on g by the rule above (the cell east /
 * north of an edge) into *idx: 1, or 0 when it is outside the grid or
 * NaN. */
int hs_grid_cell(const hs_grid_geom *g, double x, double y, size_t *idx);

/* The k-th largest (0-based) of v[0..n), n > k, reordering v. */
double hs_kth_largest(double *v, size_t n, size_t k);

/* The median of v[0..n), n > 0 (the mean of the middle two when n is
 * even), reordering v: by selection, not a sort (sorting 1M distances
 * was a third of the automatic Gi* cell, measured). */
double hs_median(double *v, size_t n);

#endif
