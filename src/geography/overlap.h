/*
 * overlap.h - the areas of intersection between two sets of polygons
 * (internal; GEOS), for following hotspots from one run to the next
 * (analysis/lineage.h).
 *
 * The rules, exactly:
 *
 *  - Input.  Two sets, a (na polygons) and b (nb polygons), each polygon
 *    ISO or extended WKB of a Polygon or MultiPolygon, not empty, in one
 *    projected CRS with coordinates in metres (the caller checks the CRS:
 *    input/previous.h does for a previous run).  Validity is not checked:
 *    hotspot polygons (GDALPolygonize of a grid) are valid by making; a
 *    GEOS failure on a pair is an error naming both.
 *  - Areas.  area_a[i], area_b[j] = GEOSArea of each polygon, m² (holes
 *    subtracted; the parts of a MultiPolygon added).
 *  - Pairs.  Candidates are the b polygons whose envelope meets a[i]'s
 *    (an STRtree of the b envelopes); a candidate that intersects a[i]
 *    (prepared GEOS intersects) gets area = GEOSArea(GEOSIntersection(
 *    a[i], b[j])), m².  A pair is listed when that area is > 0: polygons
 *    that only touch (a common edge or vertex: the intersection is a line
 *    or a point, area 0) give none, and neither do disjoint ones.
 *  - Order.  The pairs by i ascending, then j ascending; each (i, j) at
 *    most once.  Deterministic, whatever order the tree answers in.
 *
 * Errors: HS_ERR_GEOM names the set and index ("this run's hotspots,
 * polygon 3"): WKB that GEOS cannot read, a geometry that is empty or not
 * polygonal, a failed intersection (naming both); HS_ERR_ARG for missing
 * arrays; HS_ERR_NOMEM.  On error *out is empty.
 *
 * Cost: O((na + nb) log nb) for the tree, then one prepared test per pair
 * of overlapping envelopes and one intersection per intersecting pair.
 * Single-threaded; a GEOS context of its own per call, so calls may run
 * at once.
 *
 * Ownership: the caller owns *out (hs_overlaps_free: zeroes it, NULL ok);
 * the inputs are borrowed for the call only.
 */
#ifndef HOTSPOT_OVERLAP_H
#define HOTSPOT_OVERLAP_H

#include <stddef.h>

#include "hotspot/hs_error.h"

typedef struct hs_overlap {
    size_t i;    /* index in set a                              */
    size_t j;    /* index in set b                              */
    double area; /* of the intersection, m² (> 0)               */
} hs_overlap;

typedef struct hs_overlaps {
    hs_overlap *v;  /* n pairs, by i then j (NULL when n is 0)   */
    size_t n;
    double *area_a; /* na areas, m² (NULL when na is 0)          */
    double *area_b; /* nb areas, m² (NULL when nb is 0)          */
    size_t na, nb;
} hs_overlaps;

/*
 * The intersections of a[0..na) (alen[i] bytes each) with b[0..nb).
 * name_a, name_b (NULL: "set a", "set b") name the sets in messages,
 * e.g. "this run's hotspots" and "the previous run's hotspots".
 */
hs_status hs_overlaps_compute(const unsigned char *const *a, const size_t *alen,
                              size_t na, const unsigned char *const *b,
                              const size_t *blen, size_t nb,
                              const char *name_a, const char *name_b,
                              hs_overlaps *out, hs_error *err);

void hs_overlaps_free(hs_overlaps *o); /* NULL is a no-op; zeroes *o */

#endif
