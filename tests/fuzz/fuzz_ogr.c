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
    hs_gdal_init();
    const hs_ingest_opts opts = {.analysis_crs = "EPSG:27700",
                                 .optional_type = size % 2,
                                 .optional_date = size % 3 == 0};
    hs_incidents_destroy(fz_ingest(&opts, data, size, "incidents.geojson"));
    return 0;
}
