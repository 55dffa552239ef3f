/* polygons.c - the polygons of a file, reprojected, as WKB (polygons.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/polygons.h"
#include "input/vector.h"

void hs_polygons_free(unsigned char **wkb, size_t *len, size_t n)
{
    for (size_t i = 0; wkb && i < n; i++)
        free(wkb[i]);
    free(wkb);
    free(len);
}

hs_status hs_polygons_read(const char *path, const char *layer,
                           const char *crs, const char *what,
                           unsigned char ***wkb, size_t **len, size_t *n,
                           int *no_srs, hs_error *err)
{
    hs_status rc = HS_OK;
    OGRCoordinateTransformationH ct = NULL;
    OGRFeatureH f = NULL;
    size_t cap = 0;
    *wkb = NULL;
    *len = NULL;
    *n = 0;
    GDALDatasetH ds = hs_vector_open(path, what, err);
    if (!ds)
        return err ? err->code : HS_ERR_IO;
    OGRLayerH lyr = layer ? GDALDatasetGetLayerByName(ds, layer)
                          : GDALDatasetGetLayer(ds, 0);
    if (!lyr) {
        rc = hs_fail(err, HS_ERR_DATA, "%s '%s': no layer '%s'", what, path,
                     layer ? layer : "(first)");
        goto cleanup;
    }
    if ((rc = hs_vector_transform(lyr, crs, what, path, &ct, no_srs, err)))
        goto cleanup;
    OGR_L_ResetReading(lyr);
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        long fid = (long)OGR_F_GetFID(f);
        OGRGeometryH g = OGR_F_GetGeometryRef(f); /* borrowed */
        OGRwkbGeometryType gt = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbNone;
        if (!g || OGR_G_IsEmpty(g) || (gt != wkbPolygon && gt != wkbMultiPolygon)) {
            rc = hs_fail(err, HS_ERR_DATA, "%s '%s' feature %ld: %s", what,
                         path, fid, !g || OGR_G_IsEmpty(g) ? "no geometry"
                                                           : "not a polygon");
            goto cleanup;
        }
        if (ct && OGR_G_Transform(g, ct) != OGRERR_NONE) {
            rc = hs_fail(err, HS_ERR_CRS, "%s '%s' feature %ld: cannot "
                         "transform to %s", what, path, fid, crs);
            goto cleanup;
        }
        OGR_G_FlattenTo2D(g);
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            unsigned char **w = realloc(*wkb, cap * sizeof *w);
            size_t *l = w ? realloc(*len, cap * sizeof *l) : NULL;
            if (w)
                *wkb = w;
            if (!w || !l) {
                rc = hs_fail(err, HS_ERR_NOMEM, "%s: out of memory", what);
                goto cleanup;
            }
            *len = l;
        }
        size_t sz = (size_t)OGR_G_WkbSize(g);
        if (!((*wkb)[*n] = malloc(sz ? sz : 1))) {
            rc = hs_fail(err, HS_ERR_NOMEM, "%s: out of memory", what);
            goto cleanup;
        }
        OGR_G_ExportToIsoWkb(g, wkbNDR, (*wkb)[*n]);
        (*len)[(*n)++] = sz;
        OGR_F_Destroy(f);
        f = NULL;
    }
    if (*n == 0)
        rc = hs_fail(err, HS_ERR_DATA, "%s '%s': no polygon in layer '%s'",
                     what, path, OGR_L_GetName(lyr));
cleanup:
    if (f)
        OGR_F_Destroy(f);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    GDALClose(ds);
    if (rc) {
        hs_polygons_free(*wkb, *len, *n);
        *wkb = NULL;
        *len = NULL;
        *n = 0;
    }
    return rc;
}
