/*
 * previous.h - one group's hotspots from the GeoPackage of an earlier
 * hotspot run (--previous OLD.gpkg), for following hotspots from month to
 * month (analysis/lineage.h).  Internal.
 *
 * The rules, exactly:
 *
 *  - The file: any vector source GDAL opens (hs_vector_open); it is a
 *    hotspot output when it has a table named "run".
 *  - The run table (fields section, key, value; no geometry): the row
 *    section "parameter", key "period", value "YYYY-MM to YYYY-MM" (as
 *    the run writes it) gives period_end, the second month (year * 12 +
 *    month - 1, hs_month_parse).  The row section "lineage", key
 *    "last_id_G" (G the group name as given), value a decimal integer >=
 *    0, gives last_id.  Without that row (files from before lineage),
 *    last_id = the largest id number in the hotspots layer and, if the
 *    file has one, the ceased layer; with it, last_id is still raised to
 *    that largest number if below it (a number in the file was issued).
 *  - The hotspots layer: "hotspots_" + G with '-' and ' ' made '_' (the
 *    writer's rule, job.h hs_layer_name): "hotspots_VIO",
 *    "hotspots_anti_social".  Its features in the layer's order, each:
 *      hotspot_id   text, at most 23 characters, ending in '-' and one or
 *                   more digits; num = those digits (VIO-07 is 7).  Two
 *                   features with the same num are an error.
 *      first_seen   text "YYYY-MM", not after period_end.  Without the
 *                   field (files from before lineage): period_end.
 *      months_seen  integer >= 1.  Without the field: 1.
 *      incidents    a number >= 0: integer, or real (a run that counted
 *                   --when's shares, when.h).
 *      geometry     Polygon or MultiPolygon, not empty; returned as ISO
 *                   WKB (little endian) of a 2D MultiPolygon in the
 *                   layer's CRS.
 *    A field that exists must be set on every feature.  The layer's CRS
 *    must be the same as crs (OSRIsSame after OSRSetFromUserInput), so
 *    that its polygons overlay this run's.
 *  - The ceased layer "hotspots_ceased_" + G (same substitution), when
 *    present: only its hotspot_id field is read (same rule), for last_id.
 *
 * Errors, each naming the file and, where there is one, the layer, the
 * feature id (FID) and the field: HS_ERR_IO when the file cannot be
 * opened; HS_ERR_DATA when it is not a hotspot output (no run table), the
 * run table has no or a bad period or a bad last_id, there is no layer
 * for G ("the previous run has no hotspots for group G"), a field above
 * is missing (first_seen and months_seen excepted) or unset, an id has no
 * number after its last '-', first_seen or months_seen is bad, two ids
 * share a number, a geometry is missing, empty or not polygonal, or the
 * layer has no CRS or another CRS; HS_ERR_CRS when crs cannot be
 * resolved; HS_ERR_NOMEM.
 *
 * Ownership: the caller owns the result (hs_previous_destroy, NULL ok),
 * every hotspot's wkb included.  Thread safety: GDAL's, one file per
 * call; no state of its own.
 */
#ifndef HOTSPOT_PREVIOUS_H
#define HOTSPOT_PREVIOUS_H

#include <stddef.h>
#include <stdint.h>

#include "hotspot/hs_error.h"

/* The largest id number read (a hotspot's or last_id): ids of this run
 * are at most a few thousand more, 10 digits, which fit hs_hotspot.id. */
#define HS_PREV_MAX_ID 999999999L

typedef struct hs_prev_hotspot {
    char id[24];          /* "VIO-07"                                  */
    long num;             /* 7: the number after the last '-'          */
    int32_t first_seen;   /* month; period_end when the file lacks it  */
    int32_t months_seen;  /* >= 1; 1 when the file lacks it            */
    double incidents;
    unsigned char *wkb;   /* ISO WKB MultiPolygon (NDR), layer's CRS   */
    size_t wkb_len;
} hs_prev_hotspot;

typedef struct hs_previous {
    int32_t period_end;   /* the previous run's last month             */
    long last_id;         /* the highest id number issued for the group */
    int has_last_id;      /* 1: last_id came from the run table        */
    int has_first_seen;   /* 1: the layer has the field                */
    int has_months_seen;  /* 1: the layer has the field                */
    int real_incidents;   /* 1: incidents is a real field (shares)     */
    hs_prev_hotspot *v;   /* in the layer's order (NULL when n is 0)   */
    size_t n;
} hs_previous;

/*
 * Reads group's hotspots from the run written to path; crs is this run's
 * CRS as the user gave it ("EPSG:27700").  Returns NULL with err set.
 * Caller owns the result: hs_previous_destroy().
 */
hs_previous *hs_previous_read(const char *path, const char *group,
                              const char *crs, hs_error *err);

void hs_previous_destroy(hs_previous *p); /* NULL is a no-op */

#endif
