/* vector.c - OGR helpers shared by areas, population and ingest. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cpl_error.h>
#include <sqlite3.h>

#include "input/pgsource.h"
#include "input/vector.h"

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;

static void gdal_init_once(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* SQLITE_MISUSE if late */
    GDALAllRegister();
}

void hs_gdal_init(void)
{
    pthread_once(&gdal_once, gdal_init_once);
}

/* Keeps the first error GDAL reports about a CRS while a file is opened. */
static void CPL_STDCALL crs_error(CPLErr cls, CPLErrorNum no, const char *msg)
{
    char *first = CPLGetErrorHandlerUserData();
    (void)no;
    if (cls >= CE_Failure && !first[0] &&
        (strstr(msg, "crs") || strstr(msg, "CRS") || strstr(msg, "SRS")))
        snprintf(first, 256, "%s", msg);
}

GDALDatasetH hs_vector_open(const char *open_path, const char *what,
                            hs_error *err)
{
    char crs_msg[256] = "", path[1024];
    /* messages name a database without its password (pgsource.h) */
    hs_pg_label(open_path, path, sizeof path);
    hs_gdal_init();
    CPLPushErrorHandlerEx(crs_error, crs_msg);
    GDALDatasetH ds = GDALOpenEx(open_path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                 NULL, NULL, NULL);
    CPLPopErrorHandler();
    /* GeoJSON falls back to WGS84 when its "crs" cannot be resolved: the
     * numbers would then be read as degrees, so stop here instead */
    if (ds && crs_msg[0]) {
        hs_fail(err, HS_ERR_CRS, "%s '%s': its CRS cannot be resolved (%s)",
                what, path, crs_msg);
        GDALClose(ds);
        return NULL;
    }
    if (ds && GDALDatasetGetLayerCount(ds) > 0)
        return ds;
    /* GDAL says nothing when no driver knows the file: give the reason */
    struct stat st;
    const char *why = ds ? "no layers"
                    : !strchr(path, ':') && stat(path, &st) != 0 ? strerror(errno)
                    : *CPLGetLastErrorMsg() ? CPLGetLastErrorMsg()
                    : "not a format GDAL reads";
    hs_fail(err, HS_ERR_IO, "%s '%s': cannot open as a vector file: %s", what,
            path, why);
    if (ds)
        GDALClose(ds);
    return NULL;
}

OGRLayerH hs_vector_sql(GDALDatasetH ds, const char *sql, const char *what,
                        const char *label, const char *flag, hs_error *err)
{
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRLayerH l = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    CPLPopErrorHandler();
    if (!l) {
        const char *why = CPLGetLastErrorMsg();
        hs_fail(err, HS_ERR_DATA, "%s '%s': %s '%.200s' %s: %s", what, label,
                flag, sql, *why ? "failed" : "gives no rows",
                *why ? why : "a statement without a result");
    }
    return l;
}

hs_status hs_vector_transform(OGRLayerH lyr, const char *crs, const char *what,
                              const char *path,
                              OGRCoordinateTransformationH *ct, int *no_srs,
                              hs_error *err)
{
    hs_status rc = HS_OK;
    OGRSpatialReferenceH src = OGR_L_GetSpatialRef(lyr), s2 = NULL;
    OGRSpatialReferenceH dst = OSRNewSpatialReference(NULL);
    *ct = NULL;
    if (no_srs)
        *no_srs = !src;
    if (!dst || OSRSetFromUserInput(dst, crs) != OGRERR_NONE) {
        rc = hs_fail(err, HS_ERR_CRS, "cannot resolve CRS '%s'", crs);
        goto cleanup;
    }
    if (!src || OSRIsSame(src, dst))
        goto cleanup;
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    s2 = OSRClone(src);
    OSRSetAxisMappingStrategy(s2, OAMS_TRADITIONAL_GIS_ORDER);
    if (!(*ct = OCTNewCoordinateTransformation(s2, dst)))
        rc = hs_fail(err, HS_ERR_CRS, "%s '%s': cannot transform to %s", what,
                     path, crs);
cleanup:
    if (s2)
        OSRDestroySpatialReference(s2);
    if (dst)
        OSRDestroySpatialReference(dst);
    return rc;
}

int hs_has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n >= e && strcasecmp(path + n - e, ext) == 0;
}
