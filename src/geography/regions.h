/*
 * regions.h - the zones of an evaluation (hotspot evaluate): the target,
 * the displacement buffer round it, the control and the control's own
 * buffer, and which zone each incident lies in (internal; GEOS).
 *
 * The rules, exactly:
 *
 *  - Input polygons: ISO or extended WKB of Polygons or MultiPolygons in
 *    one projected CRS in metres (the caller's analysis CRS).  GEOS must
 *    read each; an empty or non-polygonal one is an error naming its set
 *    and index.
 *  - Target T: the union of the target polygons (at least one).
 *  - Buffer B: GEOSBuffer(T, d) minus T, d = buffer metres > 0, with
 *    GEOS's defaults (round joins and caps, 8 segments a quarter circle:
 *    as PostGIS ST_Buffer), so the ring of width d round the target.
 *  - Control C: the union of the control polygons.  Given by the user
 *    (control_is_rest = 0) it must not overlap T or B: an overlap of
 *    positive area is an error saying by how many m² (a place cannot be
 *    both treated and a control).  The default (control_is_rest = 1) is
 *    the study area's polygons minus (T union B).  Either way an empty C
 *    is an error.
 *  - Control buffer CB (cd > 0; cd = 0: none): GEOSBuffer(C, cd) minus
 *    (C union T union B).  Empty is an error.
 *  - Membership: the zones share edges but no area.  A point is in the
 *    first zone, in the order T, B, C, CB, that covers it (GEOS prepared
 *    covers: the boundary included), so a point on the target's edge is
 *    the target's; a point in none is in no zone (-1).  Points with a
 *    NaN coordinate are in none.
 *  - Areas: GEOSArea of each zone / 1e6, km².
 * Units: metres, km².
 *
 * Cost: one prepared covers test per point and zone tried (1M points,
 * four zones: well under a second).  A GEOS context of its own per
 * hs_regions, so two may be used at once; one hs_regions is not to be
 * used from two threads.
 *
 * Ownership: hs_regions_create returns a handle the caller frees with
 * hs_regions_destroy (NULL ok); inputs are borrowed for the call; the
 * WKB that hs_regions_wkb returns belongs to the handle.
 */
#ifndef HOTSPOT_REGIONS_H
#define HOTSPOT_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#include "hotspot/hs_error.h"

typedef enum hs_zone {
    HS_ZONE_TARGET,
    HS_ZONE_BUFFER,
    HS_ZONE_CONTROL,
    HS_ZONE_CONTROL_BUFFER,
    HS_NZONES
} hs_zone;

typedef struct hs_regions hs_regions;

/* The zones above.  target[0..nt) and control[0..nc) with their byte
 * lengths; d = buffer (m, > 0); control_is_rest as above; cd = control
 * buffer (m, >= 0).  NULL with err set on failure. */
hs_regions *hs_regions_create(const unsigned char *const *target,
                              const size_t *tlen, size_t nt, double d,
                              const unsigned char *const *control,
                              const size_t *clen, size_t nc,
                              int control_is_rest, double cd, hs_error *err);
void hs_regions_destroy(hs_regions *r);

/* 1 when zone z exists (the control buffer only with cd > 0). */
int hs_regions_has(const hs_regions *r, hs_zone z);

/* Zone z as ISO WKB of a MultiPolygon (little endian), *len bytes; NULL
 * when absent. */
const unsigned char *hs_regions_wkb(const hs_regions *r, hs_zone z,
                                    size_t *len);

/* The box round every zone present: xmin, ymin, xmax, ymax (m). */
void hs_regions_extent(const hs_regions *r, double box[4]);

/* Zone z's area, km² (0 when absent). */
double hs_regions_km2(const hs_regions *r, hs_zone z);

/* The zone of each of n points (hs_zone, or -1: none) into zone[]. */
hs_status hs_regions_locate(const hs_regions *r, const double *x,
                            const double *y, size_t n, int8_t *zone,
                            hs_error *err);

/* "target", "buffer", "control", "control buffer". */
const char *hs_zone_name(hs_zone z);

#endif
