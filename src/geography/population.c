/* population.c - area populations from a table or best-fit zones. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "geography/population.h"
#include "input/csv.h"
#include "input/pgsource.h"
#include "input/vector.h"

hs_pop_kind hs_population_kind(const char *arg)
{
    struct stat st;
    if (hs_pg_is_source(arg)) /* a database's table of zones */
        return HS_POP_ZONES;
    if (stat(arg, &st) != 0)
        return HS_POP_FIELD;
    return hs_has_ext(arg, ".csv") || hs_has_ext(arg, ".txt") ? HS_POP_TABLE
                                                         : HS_POP_ZONES;
}

/* A whole, trimmed field as a finite number >= 0; -1 otherwise. */
static int parse_pop(const char *s, size_t len, double *out)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    if (len == 0)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (end < s + len && isspace((unsigned char)*end))
        end++;
    if (end != s + len || errno || !isfinite(v) || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* Column spec: 1-based number -> index; name -> -2 (look up in header). */
static int col_number(const char *spec, int dflt)
{
    if (!spec)
        return dflt;
    char *end;
    long v = strtol(spec, &end, 10);
    if (*spec && !*end && v >= 1 && v <= 4096)
        return (int)v - 1;
    return -2;
}

static int header_col(const hs_csv *c, const char *name)
{
    for (size_t i = 0; i < hs_csv_nfields(c); i++) {
        size_t len;
        const char *f = hs_csv_field(c, i, &len);
        while (len && isspace((unsigned char)f[len - 1]))
            len--;
        if (strlen(name) == len && strncasecmp(f, name, len) == 0)
            return (int)i;
    }
    return -1;
}

hs_status hs_population_from_table(hs_areas *a, const char *path,
                                   const char *id_col, const char *value_col,
                                   hs_pop_report *rep, const hs_log *log,
                                   hs_error *err)
{
    hs_status rc = HS_OK;
    hs_csv *c = hs_csv_open(path, err);
    long *seen_line = NULL;
    int r, first = 1;
    int ic = col_number(id_col, 0), vc = col_number(value_col, 1);
    int by_name = ic == -2 || vc == -2;
    char unmatched_ex[200] = "";

    memset(rep, 0, sizeof *rep);
    if (!c)
        return err ? err->code : HS_ERR_IO;
    seen_line = calloc(hs_areas_count(a), sizeof *seen_line);
    if (!seen_line) {
        rc = hs_fail(err, HS_ERR_NOMEM, "population: out of memory");
        goto cleanup;
    }
    while ((r = hs_csv_next(c, err)) == 1) {
        long line = hs_csv_line(c);
        if (first) {
            first = 0;
            if (by_name) {
                if (ic == -2 && (ic = header_col(c, id_col)) < 0) {
                    rc = hs_fail(err, HS_ERR_DATA, "population '%s': no column "
                                 "'%s' in the header", path, id_col);
                    goto cleanup;
                }
                if (vc == -2 && (vc = header_col(c, value_col)) < 0) {
                    rc = hs_fail(err, HS_ERR_DATA, "population '%s': no column "
                                 "'%s' in the header", path, value_col);
                    goto cleanup;
                }
                continue;
            }
            size_t len;
            const char *v = hs_csv_field(c, (size_t)vc, &len);
            double p;
            if (parse_pop(v, len, &p) != 0)
                continue; /* a header row */
        }
        rep->rows++;
        size_t il, vl;
        const char *id = hs_csv_field(c, (size_t)ic, &il);
        const char *v = hs_csv_field(c, (size_t)vc, &vl);
        while (il && isspace((unsigned char)*id)) {
            id++;
            il--;
        }
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)il, id);
        for (size_t k = strlen(key); k && isspace((unsigned char)key[k - 1]); k--)
            key[k - 1] = '\0';
        int ai = hs_areas_find(a, key);
        if (ai < 0) {
            if (rep->unmatched++ < 3) {
                size_t l = strlen(unmatched_ex);
                snprintf(unmatched_ex + l, sizeof unmatched_ex - l, "%s'%.40s'",
                         l ? ", " : "", key);
            }
            continue;
        }
        double p;
        if (parse_pop(v, vl, &p) != 0) {
            rep->bad++;
            hs_warn(log, "population '%s' line %ld: '%.40s' for area '%s' is "
                    "not a population; area left without one", path, line, v,
                    key);
            continue;
        }
        if (seen_line[ai]) {
            rc = hs_fail(err, HS_ERR_DATA, "population '%s': area '%s' appears "
                         "on lines %ld and %ld", path, key, seen_line[ai], line);
            goto cleanup;
        }
        seen_line[ai] = line;
        hs_areas_set_population(a, (size_t)ai, p);
        rep->matched++;
    }
    if (r < 0) {
        rc = err ? err->code : HS_ERR_DATA;
        goto cleanup;
    }
    if (rep->unmatched && rep->matched) /* a typo or another geography */
        hs_warn(log, "population '%s': %ld row(s) match no area id (e.g. %s): "
                "not used", path, rep->unmatched, unmatched_ex);
    if (rep->rows == 0)
        rc = hs_fail(err, HS_ERR_DATA, "population '%s': no data rows", path);
    else if (rep->matched == 0)
        rc = hs_fail(err, HS_ERR_DATA, "population '%s': none of its %ld rows "
                     "matches an area id (file ids look like %s; area ids like "
                     "'%s')", path, rep->rows, *unmatched_ex ? unmatched_ex : "-",
                     hs_areas_count(a) ? hs_areas_id(a, 0) : "");
cleanup:
    free(seen_line);
    hs_csv_close(c);
    return rc;
}

hs_status hs_population_from_zones(hs_areas *a, const char *given,
                                   const char *value_field, const char *crs,
                                   hs_pop_report *rep, const hs_log *log,
                                   hs_error *err)
{
    /* messages name a database without its password (pgsource.h) */
    char path[1024];
    hs_pg_label(given, path, sizeof path);
    hs_status rc = HS_OK;
    GDALDatasetH ds = NULL;
    OGRCoordinateTransformationH ct = NULL;
    OGRFeatureH f = NULL;
    double *sum = NULL;

    memset(rep, 0, sizeof *rep);
    if (!(ds = hs_vector_open(given, "population zones", err))) {
        rc = err ? err->code : HS_ERR_IO;
        goto cleanup;
    }
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    const char *field = value_field ? value_field : "population";
    int iv = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(lyr), field);
    if (iv < 0) {
        rc = hs_fail(err, HS_ERR_DATA, "population zones '%s': no field '%s' "
                     "(name it with --population-value)", path, field);
        goto cleanup;
    }
    if ((rc = hs_vector_transform(lyr, crs, "population zones", path, &ct,
                                  NULL, err)))
        goto cleanup;
    sum = calloc(hs_areas_count(a), sizeof *sum);
    if (!sum) {
        rc = hs_fail(err, HS_ERR_NOMEM, "population: out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < hs_areas_count(a); i++)
        sum[i] = NAN;
    OGR_L_ResetReading(lyr);
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        long fid = (long)OGR_F_GetFID(f);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        rep->rows++;
        double p = OGR_F_GetFieldAsDouble(f, iv);
        if (!OGR_F_IsFieldSetAndNotNull(f, iv) || !isfinite(p) || p < 0) {
            rep->bad++;
            hs_warn(log, "population zones '%s' feature %ld: %s '%s' is not a "
                    "population; zone ignored", path, fid, field,
                    OGR_F_GetFieldAsString(f, iv));
            goto next;
        }
        if (!g || OGR_G_IsEmpty(g) || (ct && OGR_G_Transform(g, ct) != OGRERR_NONE)) {
            rep->bad++;
            hs_warn(log, "population zones '%s' feature %ld: no usable "
                    "geometry; zone ignored", path, fid);
            goto next;
        }
        CPLPushErrorHandler(CPLQuietErrorHandler);
        OGRGeometryH pt = OGR_G_PointOnSurface(g);
        if (!pt) { /* invalid zone polygon: repair, then try again */
            OGRGeometryH fixed = OGR_G_MakeValid(g);
            if (fixed) {
                pt = OGR_G_PointOnSurface(fixed);
                OGR_G_DestroyGeometry(fixed);
            }
        }
        CPLPopErrorHandler();
        int ai = pt ? hs_areas_locate(a, OGR_G_GetX(pt, 0), OGR_G_GetY(pt, 0))
                    : -1;
        if (pt)
            OGR_G_DestroyGeometry(pt);
        if (ai < 0) {
            rep->unmatched++;
            goto next;
        }
        sum[ai] = isnan(sum[ai]) ? p : sum[ai] + p;
        rep->matched++;
    next:
        OGR_F_Destroy(f);
        f = NULL;
    }
    if (rep->matched == 0) {
        rc = hs_fail(err, HS_ERR_DATA, "population zones '%s': none of its %ld "
                     "zones lies in an area", path, rep->rows);
        goto cleanup;
    }
    for (size_t i = 0; i < hs_areas_count(a); i++)
        hs_areas_set_population(a, i, sum[i]);
cleanup:
    if (f)
        OGR_F_Destroy(f);
    free(sum);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (ds)
        GDALClose(ds);
    return rc;
}
