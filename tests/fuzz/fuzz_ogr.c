/* fuzz_ogr.c - incidents that are not CSV (GeoJSON here) through
 * hs_ingest_file, GDAL/OGR reading them: field detection, geometries that
 * are not points or are empty, CRSs, dates and weights in attributes. */
#include "fuzz.h"

#include "input/categories.h"
#include "input/incidents.h"
#include "input/ingest.h"
#include "input/vector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_error err = {0};
    hs_gdal_init();
    const hs_ingest_opts opts = {.analysis_crs = "EPSG:27700",
                                 .optional_type = size % 2,
                                 .optional_date = size % 3 == 0};
    hs_incidents *s = hs_incidents_create(&err);
    hs_ingest *in = s ? hs_ingest_create(s, &opts, fz_categories(), &err) : NULL;
    if (!in)
        abort();
    const char *path = fz_file(data, size, "incidents.geojson");
    if (hs_ingest_file(in, path, &err) != HS_OK) {
        fz_check_msg(err.msg, sizeof err.msg);
    } else {
        /* every feature read is kept or skipped once; the store holds
         * exactly the ones kept */
        const hs_ingest_report *r = hs_ingest_get_report(in);
        long skipped = 0;
        for (int i = 0; i < HS_SKIP_N; i++)
            skipped += r->skipped[i];
        if (r->rows_kept + skipped != r->rows_read || r->rows_kept != (long)s->n)
            abort();
    }
    hs_ingest_destroy(in);
    hs_incidents_destroy(s);
    return 0;
}
