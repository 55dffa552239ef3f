/* fuzz_polygons.c - a target or control file (hotspot evaluate) through
 * hs_polygons_read: GeoJSON here, GDAL/OGR reading and reprojecting it.
 * Properties: an error has a message and leaves no arrays behind;
 * otherwise at least one polygon, each little-endian WKB of a 2D Polygon
 * or MultiPolygon. */
#include "fuzz.h"

#include "input/polygons.h"
#include "input/vector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_error err = {0};
    unsigned char **wkb = NULL;
    size_t *len = NULL, n = 0;
    int no_srs = 0;
    hs_gdal_init();
    const char *path = fz_file(data, size, "target.geojson");
    if (hs_polygons_read(path, NULL, "EPSG:27700", "target", &wkb, &len, &n,
                         &no_srs, &err) != HS_OK) {
        fz_check_msg(err.msg, sizeof err.msg);
        if (wkb || len || n)
            abort(); /* a refusal leaves nothing behind */
        return 0;
    }
    if (n == 0)
        abort();
    for (size_t i = 0; i < n; i++) {
        uint32_t type;
        if (!wkb[i] || len[i] < 9 || wkb[i][0] != 1)
            abort();
        memcpy(&type, wkb[i] + 1, 4);
        if (type != 3 && type != 6)
            abort(); /* 2D Polygon or MultiPolygon, little endian */
    }
    hs_polygons_free(wkb, len, n);
    return 0;
}
