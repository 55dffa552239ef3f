/*
 * bandwidth.h - choosing the density grid and bandwidth, and measuring the
 * spacing of police.uk's anonymous map points (internal, pure C).
 */
#ifndef HOTSPOT_BANDWIDTH_H
#define HOTSPOT_BANDWIDTH_H

#include <stddef.h>

#include "analysis/kde.h"
#include "hotspot/hs_error.h"

/* Chainey's default cell: the shorter side of the extent / 150, rounded to
 * a whole metre (at least 1 m). */
double hs_default_cell(double xmin, double ymin, double xmax, double ymax);

/* The grid covering [xmin, xmax] x [ymin, ymax] grown by margin on every
 * side, with its corners on whole multiples of cell, so that runs with the
 * same cell line up cell for cell.  HS_ERR_ARG for an empty extent or a
 * grid over 2^31 cells. */
hs_status hs_aligned_grid(double xmin, double ymin, double xmax, double ymax,
                          double margin, double cell, hs_kde_grid *g,
                          hs_error *err);

/*
 * ArcGIS's spatial variant of Silverman's rule of thumb (Esri, "How Kernel
 * Density works"):
 *   h = 0.9 * min(SD, sqrt(1/ln 2) * Dm) * n^-0.2
 * SD = standard distance sqrt(mean (x - mx)^2 + mean (y - my)^2) about the
 * mean centre (mx, my); Dm = median distance to the mean centre; n points
 * (non-finite ones skipped).  0 when fewer than 2 points or all coincide.
 */
double hs_bandwidth_silverman(const double *x, const double *y, size_t n);

/*
 * The bandwidth for these points, and in rule how it was chosen: metres
 * if > 0 (as given); else, automatically rounded to a whole metre, the
 * mean distance to the knn_k-th nearest distinct location if knn_k > 0, or
 * hs_bandwidth_silverman().  HS_ERR_DATA when an automatic rule finds too
 * few distinct locations.  Shared by the run and "hotspot kde".
 */
hs_status hs_choose_bandwidth(const double *x, const double *y, size_t n,
                              double metres, int knn_k, double *bw,
                              char *rule, size_t rule_len, hs_error *err);

/*
 * Distances from each distinct location to its k-th nearest other distinct
 * location (1 <= k <= 64).  Coincident points count once: police.uk stacks
 * many incidents on one map point, and their spacing is what matters.  At
 * most max_samples locations (spread evenly through the list of distinct
 * locations in order of first appearance) are measured, against all of
 * them.  *mean and *median get the statistics;
 * both 0 with fewer than k + 1 distinct locations.
 */
hs_status hs_knn_distance(const double *x, const double *y, size_t n, int k,
                          size_t max_samples, double *mean, double *median,
                          size_t *distinct, hs_error *err);

/* Every distinct location's distance to its nearest other one, in *d
 * (malloc'd, *nd of them, in no particular order; NULL and 0 with fewer
 * than 2 locations).  On all cores. */
hs_status hs_nn_distances(const double *x, const double *y, size_t n,
                          double **d, size_t *nd, hs_error *err);

#endif
