/* fuzz_population.c - population tables (hs_population_from_table, joined
 * to three areas loaded once).  The first input byte picks how the columns
 * are named, as --population-id / --population-value would: by position
 * (default), by header name, or by 1-based number. */
#include "fuzz.h"

#include "geography/areas.h"
#include "geography/population.h"

static const char AREAS[] =
    "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
    "{\"name\":\"urn:ogc:def:crs:EPSG::27700\"}},\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"E01900001\"},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[100,0],[100,100],[0,100],[0,0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"E01900002\"},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":[[[100,0],[200,0],[200,100],[100,100],[100,0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"3\"},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":[[[0,100],[100,100],[100,200],[0,200],[0,100]]]}}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hs_areas *areas; /* loaded once, lives for the process */
    static const char *const cols[][2] = {
        {NULL, NULL}, {"zone_code", "population"}, {"1", "2"}, {"2", "3"}};
    hs_error err = {0};
    if (!areas) {
        /* GeoJSON must be read through a file too (OGR); written once. */
        const char *apath = fz_file((const uint8_t *)AREAS, sizeof AREAS - 1,
                                    "areas.geojson");
        hs_areas_opts ao = {.path = apath, .id_field = "id",
                            .crs = "EPSG:27700"};
        static char keep[300];
        snprintf(keep, sizeof keep, "%s", apath);
        if (!(areas = hs_areas_load(&ao, NULL, &err)))
            abort();
        unlink(keep);
    }
    unsigned mode = size ? data[0] % 4 : 0;
    if (size) {
        data++;
        size--;
    }
    const char *path = fz_file(data, size, "population.csv");
    hs_pop_report rep;
    if (hs_population_from_table(areas, path, cols[mode][0], cols[mode][1],
                                 &rep, NULL, &err) != HS_OK)
        fz_check_msg(err.msg, sizeof err.msg);
    else if (rep.matched < 1 || rep.matched + rep.unmatched + rep.bad >
                                    rep.rows)
        abort();
    return 0;
}
