/* fuzz_previous.c - a previous run's GeoPackage (--previous) through
 * hs_previous_read, GDAL reading it: the run table's period and last id,
 * the hotspot ids, first_seen, months_seen, incidents and geometries.
 * Properties: an error has a message; a file that reads gives ids with
 * their numbers, months_seen >= 1, first_seen not after the period's end,
 * a WKB for every hotspot and a last id at least every number. */
#include "fuzz.h"

#include "input/previous.h"
#include "input/vector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_error err = {0};
    hs_gdal_init();
    const char *path = fz_file(data, size, "previous.gpkg");
    hs_previous *p = hs_previous_read(path, "violence", "EPSG:27700", &err);
    if (!p) {
        fz_check_msg(err.msg, sizeof err.msg);
        return 0;
    }
    for (size_t i = 0; i < p->n; i++) {
        const hs_prev_hotspot *h = &p->v[i];
        if (h->months_seen < 1 || h->first_seen > p->period_end ||
            !h->wkb || h->wkb_len < 9 || h->num > p->last_id || h->num < 0 ||
            !memchr(h->id, '\0', sizeof h->id))
            abort();
    }
    hs_previous_destroy(p);
    return 0;
}
