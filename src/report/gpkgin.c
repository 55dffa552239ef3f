/* gpkgin.c - reading the report's GeoPackages with GDAL/OGR (see
 * gpkgin.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

#include "report/gpkgin.h"

GDALDatasetH hs_gin_open(const char *path, hs_error *err)
{
    static const char *const gpkg_only[] = {"GPKG", NULL};
    if (access(path, R_OK) != 0) {
        hs_fail(err, HS_ERR_IO, "cannot read '%s': no such file or not "
                "readable", path);
        return NULL;
    }
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                 gpkg_only, NULL, NULL);
    if (!ds)
        hs_fail(err, HS_ERR_DATA, "'%s' is not a GeoPackage", path);
    return ds;
}

int hs_gin_has_layer(const char *path, const char *name)
{
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = hs_gin_open(path, NULL);
    int has = ds && GDALDatasetGetLayerByName(ds, name) != NULL;
    if (ds)
        GDALClose(ds);
    CPLPopErrorHandler();
    return has;
}

void hs_rgeom_free(hs_rgeom *g)
{
    free(g->ring_len);
    free(g->xy);
}

OGRLayerH hs_gin_layer(GDALDatasetH ds, const char *path, const char *name,
                       const char *maker, hs_error *err)
{
    OGRLayerH l = GDALDatasetGetLayerByName(ds, name);
    if (!l)
        hs_fail(err, HS_ERR_DATA, "'%s' has no layer '%s': is it the output "
                "of %s?", path, name, maker);
    return l;
}

OGRLayerH hs_gin_table(GDALDatasetH ds, const char *path, const char *name,
                       const char *maker, const char *const *names, int *idx,
                       int n, hs_error *err)
{
    OGRLayerH l = hs_gin_layer(ds, path, name, maker, err);
    if (!l || hs_gin_fields(l, path, names, idx, n, err))
        return NULL;
    CPLErrorReset();
    OGR_L_ResetReading(l);
    return l;
}

/* Field indexes of names[0..n-1] in l, or HS_ERR_DATA naming the field. */
hs_status hs_gin_fields(OGRLayerH l, const char *path,
                        const char *const *names, int *idx, int n,
                        hs_error *err)
{
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(l);
    for (int i = 0; i < n; i++)
        if ((idx[i] = OGR_FD_GetFieldIndex(fd, names[i])) < 0)
            return hs_fail(err, HS_ERR_DATA, "'%s' layer '%s' has no field "
                           "'%s'", path, OGR_L_GetName(l), names[i]);
    return HS_OK;
}

hs_status hs_gin_read_check(OGRLayerH l, const char *path, hs_error *err)
{
    if (CPLGetLastErrorType() != CE_Failure && CPLGetLastErrorType() != CE_Fatal)
        return HS_OK;
    return hs_fail(err, HS_ERR_DATA, "'%s' layer '%s' cannot be read to its "
                   "end: %s", path, OGR_L_GetName(l), CPLGetLastErrorMsg());
}

/* Field indexes of optional fields: -1 for those l lacks. */
void hs_gin_opt_fields(OGRLayerH l, const char *const *names, int *idx, int n)
{
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(l);
    for (int i = 0; i < n; i++)
        idx[i] = OGR_FD_GetFieldIndex(fd, names[i]);
}

/* A field's value, NaN or NULL when it is null or (i < 0) absent. */
double hs_gin_num(OGRFeatureH f, int i)
{
    return i >= 0 && OGR_F_IsFieldSetAndNotNull(f, i)
               ? OGR_F_GetFieldAsDouble(f, i) : NAN;
}

const char *hs_gin_str(OGRFeatureH f, int i)
{
    /* text fields only: OGR gives another type's value as text in a buffer
     * that its next such call reuses, and callers hold several at once
     * (a run writes these fields as TEXT; a file that does not is damaged) */
    return i >= 0 && OGR_F_IsFieldSetAndNotNull(f, i) &&
                   OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, i)) == OFTString
               ? OGR_F_GetFieldAsString(f, i) : NULL;
}

/* Rings of a (multi)polygon, flattened for drawing; a point inside for a
 * label.  An empty or missing geometry gives no rings. */
hs_status hs_rgeom_read(OGRGeometryH g, hs_rgeom *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    out->minx = out->miny = INFINITY;
    out->maxx = out->maxy = -INFINITY;
    if (!g || OGR_G_IsEmpty(g))
        return HS_OK;
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    int npoly = t == wkbMultiPolygon ? OGR_G_GetGeometryCount(g) : 1;
    size_t nr = 0, np = 0;
    for (int p = 0; p < npoly; p++) {
        OGRGeometryH poly =
            t == wkbMultiPolygon ? OGR_G_GetGeometryRef(g, p) : g;
        for (int r = 0; r < OGR_G_GetGeometryCount(poly); r++) {
            nr++;
            np += (size_t)OGR_G_GetPointCount(OGR_G_GetGeometryRef(poly, r));
        }
    }
    out->ring_len = malloc((nr + 1) * sizeof *out->ring_len);
    out->xy = malloc((2 * np + 1) * sizeof *out->xy);
    if (!out->ring_len || !out->xy)
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    size_t k = 0;
    for (int p = 0; p < npoly; p++) {
        OGRGeometryH poly =
            t == wkbMultiPolygon ? OGR_G_GetGeometryRef(g, p) : g;
        for (int r = 0; r < OGR_G_GetGeometryCount(poly); r++) {
            OGRGeometryH ring = OGR_G_GetGeometryRef(poly, r);
            int n = OGR_G_GetPointCount(ring);
            out->ring_len[out->nrings++] = (size_t)n;
            for (int i = 0; i < n; i++) {
                double x = OGR_G_GetX(ring, i), y = OGR_G_GetY(ring, i);
                out->xy[k++] = x;
                out->xy[k++] = y;
                out->minx = fmin(out->minx, x);
                out->maxx = fmax(out->maxx, x);
                out->miny = fmin(out->miny, y);
                out->maxy = fmax(out->maxy, y);
            }
        }
    }
    out->lx = (out->minx + out->maxx) / 2;
    out->ly = (out->miny + out->maxy) / 2;
    OGRGeometryH pt = OGR_G_PointOnSurface(g); /* inside, unlike a centroid */
    if (pt) {
        out->lx = OGR_G_GetX(pt, 0);
        out->ly = OGR_G_GetY(pt, 0);
        OGR_G_DestroyGeometry(pt);
    }
    return HS_OK;
}


void hs_gin_stamp(GDALDatasetH ds, const char *table, const char *dflt,
                  char out[24])
{
    static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
    char sql[200];
    snprintf(out, 24, "%s", dflt);
    /* table is one of ours, a plain name: no quoting needed */
    snprintf(sql, sizeof sql, "SELECT strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', "
             "last_change) AS stamp FROM gpkg_contents WHERE table_name = "
             "'%s'", table);
    OGRLayerH l = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    if (!l) {
        CPLErrorReset(); /* not an error: the date is optional */
        return;
    }
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    const char *v = f && OGR_F_IsFieldSetAndNotNull(f, 0)
                        ? OGR_F_GetFieldAsString(f, 0) : "";
    size_t i;
    for (i = 0; pat[i] && v[i]; i++)
        if (pat[i] == 'd' ? v[i] < '0' || v[i] > '9' : v[i] != pat[i])
            break;
    if (!pat[i] && !v[i])
        snprintf(out, 24, "%s", v);
    if (f)
        OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(ds, l);
}

