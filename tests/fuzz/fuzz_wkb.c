/* fuzz_wkb.c - differential: the WKB reader that writes polygon rows
 * (hs_wkb_poly_envelope, output.h) against GDAL.  When it accepts the
 * bytes, GDAL must read them as the same kind of geometry (a Polygon or a
 * MultiPolygon, 2D) with the same envelope and use every byte; when GDAL
 * reads a 2D little-endian Polygon or MultiPolygon that holds only
 * little-endian polygons, uses every byte and has finite coordinates, the
 * reader must accept it. */
#include "fuzz.h"

#include <math.h>

#include <ogr_api.h>

#include "output/output.h"

static int same(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* Every point of g is finite (polygons: rings; multipolygons: parts). */
static int all_finite(OGRGeometryH g)
{
    int n = OGR_G_GetGeometryCount(g);
    if (n == 0) {
        for (int i = 0; i < OGR_G_GetPointCount(g); i++)
            if (!isfinite(OGR_G_GetX(g, i)) || !isfinite(OGR_G_GetY(g, i)))
                return 0;
        return 1;
    }
    for (int k = 0; k < n; k++)
        if (!all_finite(OGR_G_GetGeometryRef(g, k)))
            return 0;
    return 1;
}

/* Every part of a MultiPolygon is a little-endian Polygon in the bytes. */
static int parts_ndr(const uint8_t *w, size_t n, OGRGeometryH g)
{
    size_t p = 9;
    for (int k = 0; k < OGR_G_GetGeometryCount(g); k++) {
        OGRGeometryH part = OGR_G_GetGeometryRef(g, k);
        if (p + 5 > n || w[p] != 1)
            return 0;
        p += (size_t)OGR_G_WkbSize(part);
    }
    return p == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int multi = 0;
    double env[4];
    int ours = hs_wkb_poly_envelope(data, size, &multi, env);
    OGRGeometryH g = NULL;
    int theirs = OGR_G_CreateFromWkbEx(data, NULL, &g, size) == OGRERR_NONE && g;
    OGRwkbGeometryType t = theirs ? OGR_G_GetGeometryType(g) : wkbUnknown;
    int used_all = theirs && (size_t)OGR_G_WkbSize(g) == size;
    if (ours == 0) {
        if (!theirs || !used_all || t != (multi ? wkbMultiPolygon : wkbPolygon))
            abort();
        if (!OGR_G_IsEmpty(g)) {
            OGREnvelope e;
            OGR_G_GetEnvelope(g, &e);
            if (!same(e.MinX, env[0]) || !same(e.MaxX, env[1]) ||
                !same(e.MinY, env[2]) || !same(e.MaxY, env[3]))
                abort();
        }
    } else if (theirs && used_all && size > 0 && data[0] == 1 &&
               (t == wkbPolygon || (t == wkbMultiPolygon && parts_ndr(data, size, g))) &&
               !OGR_G_IsEmpty(g)) {
        /* a polygon GDAL reads in full: ours must read it too, unless a
         * coordinate is not finite (refused) */
        if (all_finite(g))
            abort();
    }
    OGR_G_DestroyGeometry(g);
    return 0;
}
