/*
 * contiguity.h - queen contiguity of area polygons, as a neighbour list
 * (internal; GEOS).
 *
 * The rule, exactly:
 *
 *  - Neighbours.  Areas i != j are neighbours when their polygons come
 *    within snap of each other (GEOS distance <= snap, in the units of
 *    the coordinates: metres in the analysis CRS); with snap = 0, when
 *    they share at least one point (GEOS intersects).  So a common edge,
 *    a single common vertex (queen, not rook), any overlap or
 *    containment, and with snap a gap narrower than snap, all count.
 *    The test is the prepared polygon of the lower index against the
 *    other; candidate pairs come from an STRtree of the envelopes (grown
 *    by snap); each unordered pair is tested once, so the lists are
 *    symmetric by construction.
 *  - Snap.  HS_CONTIGUITY_SNAP, 1 mm, is for boundaries that should
 *    share vertices but, after conversions, miss by rounding: the 1,761
 *    ONS generalised LSOAs of ../shared/data/real have 257 touching pairs
 *    apart by about 1.5 micrometres.  With 1 mm they give R spdep's
 *    poly2nb(queen = TRUE) lists exactly (test_lisa_spdep.sh), and the
 *    same lists at 10 micrometres and at 1 m; with snap = 0 those 257
 *    pairs are lost.
 *  - Against poly2nb: poly2nb makes two polygons neighbours when a vertex
 *    of one lies within its snap (default sqrt(machine eps), 1.5e-8
 *    coordinate units) of a vertex of the other.  Where boundaries share
 *    vertices, or miss by less than both snaps, the rules agree.  They
 *    differ where one polygon's vertex lies inside another's edge with no
 *    vertex of that edge near (a T-junction), or polygons overlap with no
 *    vertices close: neighbours here, not in poly2nb.
 *  - Output: a compressed neighbour list over the areas in input order
 *    (for hs_areas: its order, by id): the neighbours of area i are
 *    nb[start[i] .. start[i + 1]), ascending, never i itself.  An area
 *    touching no other (an island) has none.
 *  - Input: ISO or extended WKB of Polygon or MultiPolygon, not empty.
 *    Validity is not checked (hs_areas repairs at load); a GEOS failure
 *    on a pair is an error naming both areas.
 *
 * Errors: HS_ERR_GEOM names the area by index and id (WKB that GEOS
 * cannot read, a geometry that is empty or not polygonal, a failed
 * test); HS_ERR_ARG for a bad snap or more than UINT32_MAX areas;
 * HS_ERR_NOMEM.  On error *out is empty.
 *
 * Cost: O(n log n) for the tree, then one prepared test per pair of
 * overlapping envelopes (about 10 per area for a tiling): 0.17 s for
 * 1,761 LSOAs with the snap, 0.07 s with snap = 0.  Single-threaded, no shared state: calls may run at once.
 *
 * Ownership: the caller owns *out (hs_nb_free: zeroes it, NULL ok); the
 * inputs are borrowed for the call only.
 */
#ifndef HOTSPOT_CONTIGUITY_H
#define HOTSPOT_CONTIGUITY_H

#include <stddef.h>
#include <stdint.h>

#include "geography/areas.h"
#include "hotspot/hs_error.h"

#define HS_CONTIGUITY_SNAP 0.001 /* metres: rounding gaps, not real ones */

typedef struct hs_nb {
    size_t n;        /* areas                                  */
    size_t *start;   /* n + 1 offsets into nb                  */
    uint32_t *nb;    /* start[n] area indices                  */
} hs_nb;

/* Queen contiguity of the n polygons wkb[i] (len[i] bytes).  ids (NULL:
 * none) only name areas in messages.  snap >= 0, finite. */
hs_status hs_contiguity_queen_wkb(const unsigned char *const *wkb,
                                  const size_t *len, const char *const *ids,
                                  size_t n, double snap, hs_nb *out,
                                  hs_error *err);

/* The same for the areas' polygons (hs_areas_wkb), in their order. */
hs_status hs_contiguity_queen(const hs_areas *a, double snap, hs_nb *out,
                              hs_error *err);

void hs_nb_free(hs_nb *nb);

#endif
