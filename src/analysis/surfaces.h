/*
 * surfaces.h - one group's density surface, hotspots and tasking table,
 * as the main run makes them (internal).
 *
 * The grid covers the study areas plus the kernel's radius, with corners on
 * whole multiples of the cell size (so runs for different months line up
 * cell for cell).  Densities are exact kernel sums at the cell centres
 * (kde.h), in incidents per km² or, by option, expected incidents per cell.
 * Hotspots are found on the masked surface (cells whose centre is in a
 * study area) by Chainey's incremental mean method (hotspots.h).
 *
 * The study area decides: the bandwidth, the surface, the class breaks and
 * every hotspot count come from the incidents assigned to a study area.
 * With --kde-edge buffer the incidents outside it (n_edge more points)
 * add density too, so cells near the edge see what lies just beyond it (an
 * edge correction: only incidents within the kernel's radius of a cell can
 * reach it); they never count in a hotspot, its share or its PAI.
 * A hotspot holding fewer than min_incidents incidents is dropped (noise
 * is not tasked); hotspots rank by incidents, so the rest keep ranks 1..n.
 * Incidents are counted by their shares (--when: the part of an incident's
 * time window inside the windows asked for; hotspots.h), so counts may be
 * fractional; every threshold (min_incidents, public_min) is compared
 * with them as a double.
 *
 * Ownership: hs_surface_free releases everything in an hs_surface.
 */
#ifndef HOTSPOT_SURFACES_H
#define HOTSPOT_SURFACES_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/hotspots.h"
#include "analysis/kde.h"
#include "geography/areas.h"
#include "hotspot/hs_error.h"

#define HS_NODATA (-9999.0f)

typedef struct hs_surface_opts {
    hs_kernel kernel;
    double bandwidth; /* metres; 0: automatic                             */
    int knn_k;        /* automatic rule: 0 ArcGIS's spatial Silverman,
                         k > 0 the mean distance to the k-th nearest
                         distinct incident location                       */
    double cell;      /* metres; 0: Chainey's shorter side / 150          */
    int unmasked;     /* 1: keep densities outside the areas              */
    int per_cell;     /* 1: expected incidents per cell, not per km²      */
    hs_hotspot_opts hot;
    double task_share; /* tasking: at most this share of each board       */
    long public_min;   /* --public: 0 off; else hotspots with fewer
                          incidents are dropped, cells within reach of fewer
                          are nodata, and hotspots carry no location label */
    long min_incidents; /* hotspots with fewer incidents are dropped     */
} hs_surface_opts;

typedef struct hs_surface {
    hs_kde_grid grid;
    double bandwidth;
    char bandwidth_rule[96];
    float *values;     /* rows * cols, north-up; HS_NODATA outside (masked) */
    double sum;        /* sum of unmasked densities x cell area = incidents */
    long points;       /* incidents with a location that went in          */
    hs_hotspots *hot;  /* thresholds in the surface's density units per km² */
    hs_task *tasks;
    size_t ntasks;
    long dropped;      /* --public: hotspots dropped                       */
    long small;        /* hotspots under min_incidents, dropped            */
    long blanked;      /* --public: cells set to nodata                    */
} hs_surface;

/* Cell labels of the last grid rasterised, reused by the next group when
 * its grid is the same (groups with the same bandwidth share one).
 * Zero-initialise; hs_label_cache_free releases it. */
typedef struct hs_label_cache {
    hs_kde_grid grid;
    int32_t *labels;
} hs_label_cache;

void hs_label_cache_free(hs_label_cache *c);

/*
 * --public: a cell of values (on grid g) becomes HS_NODATA unless at least
 * min of the n incidents lie within the kernel's radius of its centre; a
 * uniform kernel of that radius counts them exactly, having the same
 * support (kde.h).  share: --when's shares, counted as fractions (a sum
 * under min blanks), or NULL: whole.  *blanked is increased by the cells
 * it blanks.
 */
hs_status hs_blank_thin_cells(const double *x, const double *y,
                              const float *share, size_t n,
                              hs_kernel k, double bandwidth,
                              const hs_kde_grid *g, long min, float *values,
                              long *blanked, hs_error *err);

/*
 * Computes one group's surface from its n incidents in the study area (x,
 * y in the analysis CRS; NaN skipped; w weights or NULL; share their
 * shares in hotspot and tasking counts, or NULL: 1 each; loc location ids
 * or NULL), followed in the same arrays by n_edge incidents outside it
 * that add density only (--kde-edge buffer; 0 otherwise).
 * area_incidents: the group's incidents per area, sums of shares (for
 * tasking shares).
 * prefix: hotspot id prefix ("VIO").  On failure *out is left empty.
 */
hs_status hs_surface_compute(const hs_areas *a, const double *x,
                             const double *y, const float *w,
                             const float *share, const int32_t *loc,
                             size_t n, size_t n_edge, const char *prefix,
                             const double *area_incidents,
                             const hs_surface_opts *o, hs_label_cache *cache,
                             hs_surface *out, hs_error *err);

void hs_surface_free(hs_surface *s);

/* Parses "--bandwidth": "auto" (Silverman), "knn:K", or metres.  0 ok. */
int hs_parse_bandwidth(const char *s, double *metres, int *knn_k);

/* Parses "1,2,3,4,5" into o->k / o->nk.  0 ok. */
int hs_parse_breaks(const char *s, hs_hotspot_opts *o);

#endif
