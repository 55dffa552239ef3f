/* reportdata.c - reads a run's GeoPackage for the report (GDAL/OGR); see
 * reportdata.h. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

#include "input/incidents.h"
#include "report/gpkgin.h"
#include "report/reportdata.h"

const char *const hs_rgroup_key[HS_RG] = {"asb", "sac", "violence"};
const char *const hs_rgroup_short[HS_RG] = {"ASB", "SAC", "Violence"};
const char *const hs_rgroup_long[HS_RG] = {
    "Anti-social behaviour", "Serious acquisitive crime",
    "Violence and sexual offences"};

static char *str_dup(const char *s) { return s ? strdup(s) : NULL; }

void hs_rdata_destroy(hs_rdata *d)
{
    if (!d)
        return;
    free(d->targets);
    for (size_t a = 0; a < d->nareas; a++) {
        free(d->areas[a].id);
        free(d->areas[a].name);
        hs_rgeom_free(&d->areas[a].geom);
    }
    free(d->areas);
    free(d->by_id);
    for (int g = 0; g < HS_RG; g++) {
        free(d->rates[g]);
        free(d->monthly[g]);
        free(d->surf[g].v);
        for (size_t h = 0; h < d->nhot[g]; h++) {
            hs_rhot *hp = &d->hot[g][h];
            free(hp->id);
            free(hp->area_id);
            free(hp->label);
            free(hp->peak);
            free(hp->status);
            free(hp->first_seen);
            free(hp->tow);
            free(hp->monthly);
            hs_rgeom_free(&hp->geom);
        }
        free(d->hot[g]);
        for (size_t t = 0; t < d->ntask[g]; t++) {
            free(d->task[g][t].area_id);
            free(d->task[g][t].hotspot_id);
            free(d->task[g][t].label);
            free(d->task[g][t].peak);
            hs_rgeom_free(&d->task[g][t].geom);
        }
        free(d->task[g]);
        free(d->gi[g].cell);
        free(d->tow[g]);
    }
    free(d->hot_by_id);
    free(d->path);
    free(d);
}

long hs_rdata_find_area(const hs_rdata *d, const char *id)
{
    size_t lo = 0, hi = d->by_id ? d->nareas : 0; /* binary search */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(d->by_id[mid]->id, id);
        if (c == 0)
            return (long)(d->by_id[mid] - d->areas);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int by_id_cmp(const void *a, const void *b)
{
    return strcmp((*(hs_rarea *const *)a)->id, (*(hs_rarea *const *)b)->id);
}

static int hot_id_cmp(const void *a, const void *b)
{
    return strcmp((*(hs_rhot *const *)a)->id, (*(hs_rhot *const *)b)->id);
}

/* The hotspot with this id, to fill in; NULL when none. */
static hs_rhot *hot_of(const hs_rdata *d, const char *id)
{
    hs_rhot key = {.id = (char *)id}, *kp = &key, **hit;
    if (!id || !d->hot_by_id)
        return NULL;
    hit = bsearch(&kp, d->hot_by_id, d->nhot_all, sizeof *d->hot_by_id,
                  hot_id_cmp);
    return hit ? *hit : NULL;
}

const hs_rhot *hs_rdata_find_hot(const hs_rdata *d, const char *id)
{
    return hot_of(d, id);
}

int hs_rdata_peak(const char *peak, int *start, int *hours)
{
    static const char day[] = "MonTueWedThuFriSatSun";
    char d0[4], d1[4];
    int h0, h1, m0, m1, n = 0, k = -1;
    if (!peak)
        return -1;
    if (sscanf(peak, "%3s %2d:%2d-%n", d0, &h0, &m0, &n) != 3 || n == 0)
        return -1;
    for (int i = 0; i < 7; i++)
        if (strncmp(d0, day + 3 * i, 3) == 0 && strlen(d0) == 3)
            k = i;
    const char *rest = peak + n;
    int two = sscanf(rest, "%3s %2d:%2d", d1, &h1, &m1) == 3;
    if (!two && sscanf(rest, "%2d:%2d", &h1, &m1) != 2)
        return -1;
    if (k < 0 || h0 < 0 || h0 > 23 || h1 < 0 || h1 > 23 || m0 || m1 ||
        (two ? h1 != h0 || strncmp(d1, day + 3 * ((k + 1) % 7), 3) != 0
             : h1 == h0))
        return -1;
    *start = 24 * k + h0;
    *hours = two ? 24 : (h1 - h0 + 24) % 24;
    return 0;
}

/* Index of a crime group key among the report's groups, or -1. */
static int group_of(const char *key)
{
    for (int g = 0; g < HS_RG && key; g++)
        if (strcmp(key, hs_rgroup_key[g]) == 0)
            return g;
    return -1;
}

/* ---- layers -------------------------------------------------------------- */

static hs_status read_areas(hs_rdata *d, GDALDatasetH ds, hs_error *err)
{
    static const char *const names[] = {"area_id", "area_name", "population",
                                        "area_km2"};
    int fi[4];
    OGRLayerH l = hs_gin_layer(ds, d->path, "areas", "hotspot run", err);
    hs_status rc;
    if (!l)
        return HS_ERR_DATA;
    if ((rc = hs_gin_fields(l, d->path, names, fi, 4, err)))
        return rc;
    GIntBig n = OGR_L_GetFeatureCount(l, TRUE);
    if (n <= 0)
        return hs_fail(err, HS_ERR_DATA, "'%s' layer 'areas' is empty", d->path);
    if (!(d->areas = calloc((size_t)n, sizeof *d->areas)))
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    OGR_L_ResetReading(l);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) && d->nareas < (size_t)n) {
        hs_rarea *a = &d->areas[d->nareas++];
        const char *id = hs_gin_str(f, fi[0]), *name = hs_gin_str(f, fi[1]);
        a->id = str_dup(id ? id : "");
        a->name = str_dup(name ? name : a->id);
        a->pop = hs_gin_num(f, fi[2]);
        a->km2 = hs_gin_num(f, fi[3]);
        rc = !a->id || !a->name
                 ? hs_fail(err, HS_ERR_NOMEM, "report: out of memory")
                 : hs_rgeom_read(OGR_F_GetGeometryRef(f), &a->geom, err);
        OGR_F_Destroy(f);
        if (rc)
            return rc;
        if (!isnan(a->pop) && a->pop > 0)
            d->study_pop += a->pop;
    }
    if (f)
        OGR_F_Destroy(f);
    if (!(d->by_id = malloc(d->nareas * sizeof *d->by_id)))
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    for (size_t a = 0; a < d->nareas; a++)
        d->by_id[a] = &d->areas[a];
    qsort(d->by_id, d->nareas, sizeof *d->by_id, by_id_cmp);
    return HS_OK;
}

/* The area of row i of a layer written in area order: usually area i. */
static long area_at(const hs_rdata *d, size_t i, const char *id)
{
    if (!id)
        return -1;
    if (i < d->nareas && strcmp(d->areas[i].id, id) == 0)
        return (long)i;
    return hs_rdata_find_area(d, id);
}

static hs_status read_rates(hs_rdata *d, GDALDatasetH ds, int g, hs_error *err)
{
    static const char *const names[] = {
        "area_id", "count", "count_per_km2", "rate", "rate_low", "rate_high",
        "rate_annual", "study_rate", "vs_study", "prev_count", "change",
        "change_pct", "change_p", "change_flag"};
    int fi[14];
    char lname[64];
    snprintf(lname, sizeof lname, "rates_%s", hs_rgroup_key[g]);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, lname);
    hs_status rc;
    if (!l)
        return hs_fail(err, HS_ERR_DATA, "'%s' has no layer '%s': the report "
                       "needs a run with the groups asb, sac and violence",
                       d->path, lname);
    if ((rc = hs_gin_fields(l, d->path, names, fi, 14, err)))
        return rc;
    d->shares |= OGR_Fld_GetType(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(l),
                                                     fi[1])) == OFTReal;
    if (!(d->rates[g] = calloc(d->nareas, sizeof *d->rates[g])))
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    unsigned char *seen = calloc(d->nareas, 1);
    if (!seen)
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    OGR_L_ResetReading(l);
    OGRFeatureH f;
    size_t i = 0;
    while ((f = OGR_L_GetNextFeature(l))) {
        long a = area_at(d, i++, hs_gin_str(f, fi[0]));
        if (a >= 0) {
            hs_rrate *r = &d->rates[g][a];
            const char *vs = hs_gin_str(f, fi[8]), *fl = hs_gin_str(f, fi[13]);
            seen[a] = 1;
            r->count = OGR_F_GetFieldAsDouble(f, fi[1]);
            r->suppressed = !OGR_F_IsFieldSetAndNotNull(f, fi[1]);
            r->prev_suppressed = fl && strcmp(fl, "suppressed") == 0 &&
                                 !OGR_F_IsFieldSetAndNotNull(f, fi[9]);
            double *num[] = {&r->per_km2, &r->rate, &r->low, &r->high,
                             &r->annual, &r->study}; /* fields 2 to 7 */
            for (int k = 0; k < 6; k++)
                *num[k] = hs_gin_num(f, fi[2 + k]);
            snprintf(r->vs, sizeof r->vs, "%s", vs ? vs : "");
            r->prev_count = OGR_F_IsFieldSetAndNotNull(f, fi[9])
                                ? OGR_F_GetFieldAsDouble(f, fi[9])
                                : r->prev_suppressed ? 0 : -1;
            r->change = OGR_F_GetFieldAsDouble(f, fi[10]);
            r->change_pct = hs_gin_num(f, fi[11]);
            r->change_p = hs_gin_num(f, fi[12]);
            snprintf(r->flag, sizeof r->flag, "%s", fl ? fl : "");
        }
        OGR_F_Destroy(f);
    }
    rc = HS_OK;
    for (size_t a = 0; a < d->nareas && !rc; a++)
        if (!seen[a])
            rc = hs_fail(err, HS_ERR_DATA, "'%s' layer '%s' has no row for "
                         "area '%s'", d->path, lname, d->areas[a].id);
    free(seen);
    return rc;
}

static hs_status read_monthly(hs_rdata *d, GDALDatasetH ds, hs_error *err)
{
    static const char *const names[] = {"area_id", "crime_group", "month",
                                        "count"};
    int fi[4];
    OGRLayerH l = hs_gin_layer(ds, d->path, "monthly", "hotspot run", err);
    hs_status rc;
    OGRFeatureH f;
    if (!l)
        return HS_ERR_DATA;
    if ((rc = hs_gin_fields(l, d->path, names, fi, 4, err)))
        return rc;
    /* the months shown: both periods, from the run table */
    int lo = d->prev_from >= 0 && d->prev_from < d->cur_from ? d->prev_from
                                                              : d->cur_from;
    int hi = d->prev_from >= 0 && d->prev_to > d->cur_to ? d->prev_to : d->cur_to;
    d->month0 = lo;
    d->nmonths = hi - lo + 1;
    for (int g = 0; g < HS_RG; g++)
        if (!(d->monthly[g] = calloc(d->nareas * (size_t)d->nmonths,
                                     sizeof *d->monthly[g])))
            return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    OGR_L_ResetReading(l);
    size_t i = 0, rows = 0;
    while ((f = OGR_L_GetNextFeature(l))) {
        const char *mo = hs_gin_str(f, fi[2]);
        int32_t m;
        int g = group_of(hs_gin_str(f, fi[1]));
        /* rows come area by area, so the row index / rows per area guesses
         * the area; area_at falls back to a search */
        long a = area_at(d, i++ / (size_t)(d->nmonths * HS_RG), hs_gin_str(f, fi[0]));
        if (g >= 0 && a >= 0 && mo && hs_month_parse(mo, strlen(mo), &m) == 0 &&
            m >= lo && m <= hi) {
            d->monthly[g][(size_t)a * (size_t)d->nmonths + (size_t)(m - lo)] =
                OGR_F_IsFieldSetAndNotNull(f, fi[3])
                    ? OGR_F_GetFieldAsDouble(f, fi[3]) : -1;
            rows++;
        }
        OGR_F_Destroy(f);
    }
    if (rows == 0)
        return hs_fail(err, HS_ERR_DATA, "'%s' layer 'monthly' has no rows "
                       "for asb, sac or violence in the periods", d->path);
    return HS_OK;
}

/* hotspots_<group>: its optional fields (reportdata.h) NULL or NaN when
 * the file lacks them. */
static hs_status read_hot(hs_rdata *d, GDALDatasetH ds, int g, hs_error *err)
{
    static const char *const hn[] = {"hotspot_id", "rank", "class", "incidents",
                                     "area_km2", "share_pct", "pai", "area_id",
                                     "label"};
    static const char *const on[] = {"peak", "peak_share", "status",
                                     "first_seen", "months_seen"};
    int hi[9], oi[5];
    char lname[64];
    hs_status rc;
    OGRFeatureH f;
    snprintf(lname, sizeof lname, "hotspots_%s", hs_rgroup_key[g]);
    OGRLayerH l = hs_gin_layer(ds, d->path, lname, "hotspot run", err);
    if (!l)
        return HS_ERR_DATA;
    if ((rc = hs_gin_fields(l, d->path, hn, hi, 9, err)))
        return rc;
    hs_gin_opt_fields(l, on, oi, 5);
    GIntBig n = OGR_L_GetFeatureCount(l, TRUE);
    if (n > 0 && !(d->hot[g] = calloc((size_t)n, sizeof *d->hot[g])))
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    OGR_L_ResetReading(l);
    while (n > 0 && (f = OGR_L_GetNextFeature(l))) {
        if (d->nhot[g] == (size_t)n) {
            OGR_F_Destroy(f);
            break;
        }
        hs_rhot *h = &d->hot[g][d->nhot[g]++];
        h->id = str_dup(hs_gin_str(f, hi[0]));
        h->rank = OGR_F_GetFieldAsInteger(f, hi[1]);
        h->cls = OGR_F_GetFieldAsInteger(f, hi[2]);
        h->incidents = OGR_F_GetFieldAsDouble(f, hi[3]);
        h->km2 = hs_gin_num(f, hi[4]);
        h->share_pct = hs_gin_num(f, hi[5]);
        h->pai = hs_gin_num(f, hi[6]);
        h->area_id = str_dup(hs_gin_str(f, hi[7]));
        h->label = str_dup(hs_gin_str(f, hi[8]));
        h->peak = str_dup(hs_gin_str(f, oi[0]));
        h->peak_share = hs_gin_num(f, oi[1]);
        h->status = str_dup(hs_gin_str(f, oi[2]));
        h->first_seen = str_dup(hs_gin_str(f, oi[3]));
        h->months_seen = isnan(hs_gin_num(f, oi[4])) ? -1 : lround(hs_gin_num(f, oi[4]));
        rc = !h->id ? hs_fail(err, HS_ERR_DATA, "'%s' layer '%s': a hotspot "
                              "without hotspot_id", d->path, lname)
                    : hs_rgeom_read(OGR_F_GetGeometryRef(f), &h->geom, err);
        OGR_F_Destroy(f);
        if (rc)
            return rc;
    }
    return HS_OK;
}

/* tasking_<group>: peak and peak_share optional, as in read_hot. */
static hs_status read_task(hs_rdata *d, GDALDatasetH ds, int g, hs_error *err)
{
    static const char *const tn[] = {"area_id", "priority", "hotspot_id",
                                     "label", "incidents", "area_km2",
                                     "cum_area_pct", "cum_incidents_pct",
                                     "class", "pai"};
    static const char *const on[] = {"peak", "peak_share"};
    int ti[10], oi[2];
    char lname[64];
    hs_status rc;
    OGRFeatureH f;
    snprintf(lname, sizeof lname, "tasking_%s", hs_rgroup_key[g]);
    OGRLayerH l = hs_gin_layer(ds, d->path, lname, "hotspot run", err);
    if (!l)
        return HS_ERR_DATA;
    if ((rc = hs_gin_fields(l, d->path, tn, ti, 10, err)))
        return rc;
    hs_gin_opt_fields(l, on, oi, 2);
    GIntBig n = OGR_L_GetFeatureCount(l, TRUE);
    if (n > 0 && !(d->task[g] = calloc((size_t)n, sizeof *d->task[g])))
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    OGR_L_ResetReading(l);
    while (n > 0 && (f = OGR_L_GetNextFeature(l))) {
        if (d->ntask[g] == (size_t)n) {
            OGR_F_Destroy(f);
            break;
        }
        hs_rtask *t = &d->task[g][d->ntask[g]++];
        t->area_id = str_dup(hs_gin_str(f, ti[0]));
        t->priority = OGR_F_GetFieldAsInteger(f, ti[1]);
        t->hotspot_id = str_dup(hs_gin_str(f, ti[2]));
        t->label = str_dup(hs_gin_str(f, ti[3]));
        t->incidents = OGR_F_GetFieldAsDouble(f, ti[4]);
        t->km2 = hs_gin_num(f, ti[5]);
        t->cum_area_pct = hs_gin_num(f, ti[6]);
        t->cum_incidents_pct = hs_gin_num(f, ti[7]);
        t->cls = OGR_F_GetFieldAsInteger(f, ti[8]);
        t->pai = hs_gin_num(f, ti[9]);
        t->peak = str_dup(hs_gin_str(f, oi[0]));
        t->peak_share = hs_gin_num(f, oi[1]);
        rc = !t->area_id ? hs_fail(err, HS_ERR_DATA, "'%s' layer '%s': a row "
                                   "without area_id", d->path, lname)
                         : hs_rgeom_read(OGR_F_GetGeometryRef(f), &t->geom, err);
        OGR_F_Destroy(f);
        if (rc)
            return rc;
    }
    return HS_OK;
}

/* Every group's hotspots sorted by id, for hs_rdata_find_hot. */
static hs_status index_hot(hs_rdata *d, hs_error *err)
{
    size_t n = 0;
    for (int g = 0; g < HS_RG; g++)
        n += d->nhot[g];
    if (!(d->hot_by_id = malloc((n + 1) * sizeof *d->hot_by_id)))
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    for (int g = 0; g < HS_RG; g++)
        for (size_t h = 0; h < d->nhot[g]; h++)
            d->hot_by_id[d->nhot_all++] = &d->hot[g][h];
    qsort(d->hot_by_id, d->nhot_all, sizeof *d->hot_by_id, hot_id_cmp);
    return HS_OK;
}

/* The slot of a time-of-week row (fields day, hour), or an error naming
 * the table when it is outside the week. */
static hs_status tow_slot(const hs_rdata *d, OGRFeatureH f, int fday,
                          int fhour, const char *table, int *slot,
                          hs_error *err)
{
    double day = hs_gin_num(f, fday), hour = hs_gin_num(f, fhour);
    if (isnan(day) || isnan(hour))
        return hs_fail(err, HS_ERR_DATA, "'%s' table '%s': a row without day "
                       "or hour", d->path, table);
    if (!(day >= 1 && day <= 7 && hour >= 0 && hour <= 23 &&
          day == floor(day) && hour == floor(hour)))
        return hs_fail(err, HS_ERR_DATA, "'%s' table '%s': day %g, hour %g "
                       "is not an hour of the week (day 1-7, hour 0-23)",
                       d->path, table, day, hour);
    *slot = ((int)day - 1) * 24 + (int)hour;
    return HS_OK;
}

/* timeofweek, if the file has one (reportdata.h). */
static hs_status read_timeofweek(hs_rdata *d, GDALDatasetH ds, hs_error *err)
{
    static const char *const names[] = {"area_id", "crime_group", "day",
                                        "hour", "weight"};
    int fi[5], slot;
    hs_status rc;
    OGRFeatureH f;
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "timeofweek");
    if (!l)
        return HS_OK;
    if ((rc = hs_gin_fields(l, d->path, names, fi, 5, err)))
        return rc;
    for (int g = 0; g < HS_RG; g++)
        if (!(d->tow[g] = calloc(d->nareas * HS_RTOW, sizeof *d->tow[g])))
            return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    OGR_L_ResetReading(l);
    while ((f = OGR_L_GetNextFeature(l))) {
        const char *aid = hs_gin_str(f, fi[0]);
        long a = aid ? hs_rdata_find_area(d, aid) : -1;
        int g = group_of(hs_gin_str(f, fi[1]));
        double w = hs_gin_num(f, fi[4]);
        rc = tow_slot(d, f, fi[2], fi[3], "timeofweek", &slot, err);
        if (!rc && a >= 0 && g >= 0 && !isnan(w))
            d->tow[g][(size_t)a * HS_RTOW + (size_t)slot] += w;
        OGR_F_Destroy(f);
        if (rc)
            return rc;
    }
    d->has_tow = 1;
    return HS_OK;
}

/* hotspot_timeofweek, if the file has one (reportdata.h). */
static hs_status read_hot_tow(hs_rdata *d, GDALDatasetH ds, hs_error *err)
{
    static const char *const names[] = {"hotspot_id", "day", "hour", "weight"};
    int fi[4], slot;
    hs_status rc;
    OGRFeatureH f;
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "hotspot_timeofweek");
    if (!l)
        return HS_OK;
    if ((rc = hs_gin_fields(l, d->path, names, fi, 4, err)))
        return rc;
    OGR_L_ResetReading(l);
    while ((f = OGR_L_GetNextFeature(l))) {
        hs_rhot *h = hot_of(d, hs_gin_str(f, fi[0]));
        double w = hs_gin_num(f, fi[3]);
        rc = tow_slot(d, f, fi[1], fi[2], "hotspot_timeofweek", &slot, err);
        if (!rc && h && !h->tow && !(h->tow = calloc(HS_RTOW, sizeof *h->tow)))
            rc = hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
        if (!rc && h && !isnan(w))
            h->tow[slot] += w;
        OGR_F_Destroy(f);
        if (rc)
            return rc;
    }
    d->has_hot_tow = 1;
    return HS_OK;
}

/* The month of a hotspot_monthly row, or an error naming the table. */
static hs_status hm_month(const hs_rdata *d, OGRFeatureH f, int i, int32_t *m,
                          hs_error *err)
{
    const char *mo = hs_gin_str(f, i);
    if (!mo || hs_month_parse(mo, strlen(mo), m) != 0)
        return hs_fail(err, HS_ERR_DATA, "'%s' table 'hotspot_monthly': month "
                       "'%s' is not YYYY-MM", d->path, mo ? mo : "NULL");
    return HS_OK;
}

/* hotspot_monthly, if the file has one (reportdata.h): one pass for the
 * months it spans, one for the values. */
static hs_status read_hot_monthly(hs_rdata *d, GDALDatasetH ds, hs_error *err)
{
    static const char *const names[] = {"hotspot_id", "month", "incidents"};
    int fi[3];
    int32_t m, lo = INT32_MAX, hi = INT32_MIN;
    hs_status rc = HS_OK;
    OGRFeatureH f;
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "hotspot_monthly");
    if (!l)
        return HS_OK;
    if ((rc = hs_gin_fields(l, d->path, names, fi, 3, err)))
        return rc;
    OGR_L_ResetReading(l);
    while (!rc && (f = OGR_L_GetNextFeature(l))) {
        if (!(rc = hm_month(d, f, fi[1], &m, err))) {
            lo = m < lo ? m : lo;
            hi = m > hi ? m : hi;
        }
        OGR_F_Destroy(f);
    }
    if (rc)
        return rc;
    d->has_hot_monthly = 1;
    if (lo > hi)
        return HS_OK; /* no rows */
    if (hi - lo >= 1200)
        return hs_fail(err, HS_ERR_DATA, "'%s' table 'hotspot_monthly' spans "
                       "over 100 years", d->path);
    d->hm_month0 = lo;
    d->hm_nmonths = hi - lo + 1;
    OGR_L_ResetReading(l);
    while (!rc && (f = OGR_L_GetNextFeature(l))) {
        hs_rhot *h = hot_of(d, hs_gin_str(f, fi[0]));
        if (h && !h->monthly &&
            !(h->monthly = calloc((size_t)d->hm_nmonths, sizeof *h->monthly)))
            rc = hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
        if (!rc && h && !(rc = hm_month(d, f, fi[1], &m, err)))
            h->monthly[m - lo] += hs_gin_num(f, fi[2]);
        OGR_F_Destroy(f);
    }
    return rc;
}

/* targets and priority_gap, if the file has them (reportdata.h). */
static hs_status read_progress(hs_rdata *d, GDALDatasetH ds, hs_error *err)
{
    static const char *const tn[] = {"area_id", "crime_group", "period", "count",
                                      "prev_count", "projected", "target",
                                      "status"};
    static const char *const gn[] = {"crime_group", "rate_ratio", "rate_ratio_low",
                                      "rate_ratio_high", "prev_rate_ratio",
                                      "gap_change", "gap_p", "gap"};
    int fi[8];
    hs_status rc;
    OGRFeatureH f;
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "targets");
    if (l) {
        if ((rc = hs_gin_fields(l, d->path, tn, fi, 8, err)))
            return rc;
        GIntBig n = OGR_L_GetFeatureCount(l, 1);
        if (n > 0 && !(d->targets = calloc((size_t)n, sizeof *d->targets)))
            return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
        OGR_L_ResetReading(l);
        while ((f = OGR_L_GetNextFeature(l))) {
            if (d->ntargets < (size_t)n) {
                hs_rtarget *t = &d->targets[d->ntargets++];
                const char *s[4] = {hs_gin_str(f, fi[0]), hs_gin_str(f, fi[1]), hs_gin_str(f, fi[2]),
                                    hs_gin_str(f, fi[7])};
                snprintf(t->area_id, sizeof t->area_id, "%s", s[0] ? s[0] : "");
                snprintf(t->group, sizeof t->group, "%s", s[1] ? s[1] : "");
                snprintf(t->period, sizeof t->period, "%s", s[2] ? s[2] : "");
                snprintf(t->status, sizeof t->status, "%s", s[3] ? s[3] : "");
                t->count = hs_gin_num(f, fi[3]);
                t->prev_count = hs_gin_num(f, fi[4]);
                t->projected = hs_gin_num(f, fi[5]);
                t->target = hs_gin_num(f, fi[6]);
            }
            OGR_F_Destroy(f);
        }
    }
    if (!(l = GDALDatasetGetLayerByName(ds, "priority_gap")))
        return HS_OK;
    if ((rc = hs_gin_fields(l, d->path, gn, fi, 8, err)))
        return rc;
    OGR_L_ResetReading(l);
    while ((f = OGR_L_GetNextFeature(l))) {
        int g = group_of(hs_gin_str(f, fi[0]));
        if (g >= 0) {
            hs_rgap *r = &d->gap[g];
            const char *w = hs_gin_str(f, fi[7]);
            *r = (hs_rgap){1, hs_gin_num(f, fi[1]), hs_gin_num(f, fi[2]), hs_gin_num(f, fi[3]),
                           hs_gin_num(f, fi[4]), hs_gin_num(f, fi[5]), hs_gin_num(f, fi[6]), ""};
            snprintf(r->word, sizeof r->word, "%s", w ? w : "");
            d->has_gap = 1;
        }
        OGR_F_Destroy(f);
    }
    return HS_OK;
}

/* The hours in a peak when the run table does not say: off the first peak
 * text that reads. */
static void peak_hours_of_texts(hs_rdata *d)
{
    int start, h;
    for (size_t k = 0; k < d->nhot_all && !d->peak_hours; k++)
        if (hs_rdata_peak(d->hot_by_id[k]->peak, &start, &h) == 0)
            d->peak_hours = h;
    for (int g = 0; g < HS_RG; g++)
        for (size_t t = 0; t < d->ntask[g] && !d->peak_hours; t++)
            if (hs_rdata_peak(d->task[g][t].peak, &start, &h) == 0)
                d->peak_hours = h;
}

/* backtest_<group>, if the file has one (files of older runs do not):
 * the means over the chosen bandwidth's months with a PAI. */
static hs_status read_backtest(hs_rdata *d, GDALDatasetH ds, int g,
                               hs_error *err)
{
    static const char *const bn[] = {"bandwidth", "hit_rate", "pai", "pei",
                                     "chosen"};
    int bi[5];
    char lname[64];
    hs_status rc;
    OGRFeatureH f;
    snprintf(lname, sizeof lname, "backtest_%s", hs_rgroup_key[g]);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, lname);
    if (!l)
        return HS_OK;
    if ((rc = hs_gin_fields(l, d->path, bn, bi, 5, err)))
        return rc;
    hs_rbacktest *b = &d->bt[g];
    double sh = 0, sp = 0, se = 0;
    long ne = 0;
    OGR_L_ResetReading(l);
    while ((f = OGR_L_GetNextFeature(l))) {
        if (OGR_F_GetFieldAsInteger(f, bi[4]) == 1 &&
            OGR_F_IsFieldSetAndNotNull(f, bi[2])) {
            b->bandwidth = hs_gin_num(f, bi[0]);
            sh += hs_gin_num(f, bi[1]);
            sp += hs_gin_num(f, bi[2]);
            if (OGR_F_IsFieldSetAndNotNull(f, bi[3]))
                se += hs_gin_num(f, bi[3]), ne++;
            b->months++;
        }
        OGR_F_Destroy(f);
    }
    if (b->months) {
        b->hit_rate = sh / (double)b->months;
        b->pai = sp / (double)b->months;
        b->pei = ne ? se / (double)ne : NAN;
    }
    return HS_OK;
}

/* gistar_<group>, if the file has one: the significant cells.  A cell is
 * one polygon ring of 5 (square) or 7 (hexagon) points; anything else is
 * an error naming the cell. */
static hs_status read_gistar(hs_rdata *d, GDALDatasetH ds, int g, hs_error *err)
{
    static const char *const gn[] = {"cell_id", "gi_bin", "area_id"};
    int gi[3];
    char lname[64];
    hs_status rc;
    OGRFeatureH f;
    hs_rgi *r = &d->gi[g];
    snprintf(lname, sizeof lname, "gistar_%s", hs_rgroup_key[g]);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, lname);
    if (!l)
        return HS_OK;
    if ((rc = hs_gin_fields(l, d->path, gn, gi, 3, err)))
        return rc;
    r->cells = (long)OGR_L_GetFeatureCount(l, TRUE);
    OGR_L_SetAttributeFilter(l, "gi_bin <> 0");
    GIntBig n = OGR_L_GetFeatureCount(l, TRUE);
    if (n > 0 && !(r->cell = calloc((size_t)n, sizeof *r->cell)))
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    OGR_L_ResetReading(l);
    while (n > 0 && (f = OGR_L_GetNextFeature(l))) {
        if (r->ncell == (size_t)n) {
            OGR_F_Destroy(f);
            break;
        }
        hs_rcell *c = &r->cell[r->ncell++];
        c->bin = OGR_F_GetFieldAsInteger(f, gi[1]);
        snprintf(c->area_id, sizeof c->area_id, "%s", hs_gin_str(f, gi[2]) ? hs_gin_str(f, gi[2]) : "");
        OGRGeometryH geo = OGR_F_GetGeometryRef(f);
        if (geo && wkbFlatten(OGR_G_GetGeometryType(geo)) == wkbMultiPolygon &&
            OGR_G_GetGeometryCount(geo) == 1)
            geo = OGR_G_GetGeometryRef(geo, 0);
        OGRGeometryH ring = geo && wkbFlatten(OGR_G_GetGeometryType(geo)) == wkbPolygon &&
                                    OGR_G_GetGeometryCount(geo) == 1
                                ? OGR_G_GetGeometryRef(geo, 0) : NULL;
        int np = ring ? OGR_G_GetPointCount(ring) : 0;
        if (np != 5 && np != 7) {
            rc = hs_fail(err, HS_ERR_DATA, "'%s' layer '%s': cell %lld is not "
                         "a square or a hexagon", d->path, lname,
                         (long long)OGR_F_GetFieldAsInteger64(f, gi[0]));
            OGR_F_Destroy(f);
            return rc;
        }
        c->np = np;
        for (int i = 0; i < np; i++) {
            c->xy[2 * i] = OGR_G_GetX(ring, i);
            c->xy[2 * i + 1] = OGR_G_GetY(ring, i);
        }
        OGR_F_Destroy(f);
    }
    OGR_L_SetAttributeFilter(l, NULL);
    r->has = 1;
    return HS_OK;
}

/* emerging_<group>, if the file has one: cells per category (the words of
 * emerging.h, matched here), and the boards with most rising or lasting
 * hot cells (new, consecutive, intensifying, persistent). */
static hs_status read_emerging(hs_rdata *d, GDALDatasetH ds, int g, hs_error *err)
{
    static const char *const word[8] = {"new", "consecutive", "intensifying",
                                        "persistent", "diminishing", "sporadic",
                                        "oscillating", "historical"};
    hs_remerging *e = &d->em[g];
    char lname[64], sql[256];
    snprintf(lname, sizeof lname, "emerging_%s", hs_rgroup_key[g]);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, lname);
    if (!l)
        return HS_OK;
    const char *desc = GDALGetMetadataItem((GDALMajorObjectH)l, "DESCRIPTION", NULL);
    const char *over = desc ? strstr(desc, " over ") : NULL;
    e->months = over ? atol(over + 6) : 0;
    snprintf(sql, sizeof sql, "SELECT category, area_id, count(*) FROM \"%s\" "
             "GROUP BY category, area_id", lname);
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    if (!r)
        return hs_fail(err, HS_ERR_DATA, "'%s' layer '%s': no category or "
                       "area_id field", d->path, lname);
    long *per = calloc(d->nareas + 1, sizeof *per);
    if (!per) {
        GDALDatasetReleaseResultSet(ds, r);
        return hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
    }
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(r))) {
        const char *c = hs_gin_str(f, 0), *a = hs_gin_str(f, 1);
        long n = (long)OGR_F_GetFieldAsInteger64(f, 2), k = 0;
        int sign = c && strstr(c, "cold spot") ? -1 : 1;
        for (int w = 0; c && w < 8 && !k; w++)
            if (strncmp(c, word[w], strlen(word[w])) == 0 && c[strlen(word[w])] == ' ')
                k = w + 1;
        e->n[sign * k + 8] += n;
        long ai = a ? hs_rdata_find_area(d, a) : -1;
        if (sign > 0 && k >= 1 && k <= 4 && ai >= 0)
            per[ai] += n;
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(ds, r);
    for (int t = 0; t < HS_REM_TOP; t++) { /* most first, ties by file order */
        long best = -1;
        for (size_t a = 0; a < d->nareas; a++)
            if (per[a] > 0 && (best < 0 || per[a] > per[best]))
                best = (long)a;
        if (best < 0)
            break;
        snprintf(e->top_area[t], sizeof e->top_area[t], "%s", d->areas[best].name);
        e->top_n[t] = per[best];
        per[best] = 0;
    }
    free(per);
    e->has = 1;
    return HS_OK;
}

static hs_status read_surface(hs_rdata *d, int g, hs_error *err)
{
    char name[4200];
    hs_rsurf *s = &d->surf[g];
    snprintf(name, sizeof name, "GPKG:%s:kde_%s", d->path, hs_rgroup_key[g]);
    GDALDatasetH r = GDALOpenEx(name, GDAL_OF_RASTER | GDAL_OF_READONLY,
                                NULL, NULL, NULL);
    if (!r)
        return hs_fail(err, HS_ERR_DATA, "'%s' has no raster 'kde_%s', though "
                       "its run table lists a density surface for %s", d->path,
                       hs_rgroup_key[g], hs_rgroup_key[g]);
    hs_status rc = HS_OK;
    GDALRasterBandH b = GDALGetRasterBand(r, 1);
    s->cols = GDALGetRasterXSize(r);
    s->rows = GDALGetRasterYSize(r);
    int has_nd = 0;
    double nd = b ? GDALGetRasterNoDataValue(b, &has_nd) : 0;
    s->nodata = has_nd ? nd : NAN;
    if (!b || GDALGetGeoTransform(r, s->gt) != CE_None || s->gt[2] != 0 ||
        s->gt[4] != 0 || s->gt[5] >= 0) {
        rc = hs_fail(err, HS_ERR_DATA, "'%s' raster 'kde_%s': not a north-up "
                     "grid", d->path, hs_rgroup_key[g]);
        goto cleanup;
    }
    if (!(s->v = malloc((size_t)s->cols * (size_t)s->rows * sizeof *s->v))) {
        rc = hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
        goto cleanup;
    }
    if (GDALRasterIO(b, GF_Read, 0, 0, s->cols, s->rows, s->v, s->cols, s->rows,
                     GDT_Float32, 0, 0) != CE_None)
        rc = hs_fail(err, HS_ERR_IO, "'%s' raster 'kde_%s': %s", d->path,
                     hs_rgroup_key[g], CPLGetLastErrorMsg());
cleanup:
    GDALClose(r);
    return rc;
}

/* The run table: periods, hotspot settings, which surfaces exist. */
static hs_status read_run(hs_rdata *d, GDALDatasetH ds, int *has_surf,
                          hs_error *err)
{
    static const char *const names[] = {"section", "key", "value"};
    int fi[3];
    hs_status rc;
    OGRFeatureH f;
    OGRLayerH l = hs_gin_layer(ds, d->path, "run", "hotspot run", err);
    if (!l)
        return HS_ERR_DATA;
    if ((rc = hs_gin_fields(l, d->path, names, fi, 3, err)))
        return rc;
    int have_period = 0, kde = 0;
    d->cur_from = d->cur_to = d->prev_from = d->prev_to = -1;
    d->hot_class = 3;
    d->task_share = 0.03;
    for (int g = 0; g < HS_RG; g++)
        d->gi[g].cell_m = d->gi[g].distance_m = NAN;
    d->min_incidents = 5;
    d->tow_timed = -1;
    OGR_L_ResetReading(l);
    while ((f = OGR_L_GetNextFeature(l))) {
        const char *sec = hs_gin_str(f, fi[0]), *k = hs_gin_str(f, fi[1]),
                   *v = hs_gin_str(f, fi[2]);
        char a[16], b[16];
        int32_t ma, mb;
        if (sec && strcmp(sec, "software") == 0 && k && v &&
            strcmp(k, "hotspot") == 0)
            snprintf(d->software, sizeof d->software, "%s", v);
        if (sec && strcmp(sec, "public") == 0 && k && v &&
            strcmp(k, "threshold") == 0)
            d->public_threshold = atol(v);
        if (sec && strcmp(sec, "count") == 0 && k && v &&
            strcmp(k, "timeofweek_timed") == 0)
            d->tow_timed = atol(v);
        /* the settings are in section "parameter"; "method" reuses keys */
        if (!sec || strcmp(sec, "parameter") != 0 || !k || !v) {
            OGR_F_Destroy(f);
            continue;
        }
        int two = sscanf(v, "%15s to %15s", a, b) == 2 &&
                  hs_month_parse(a, strlen(a), &ma) == 0 &&
                  hs_month_parse(b, strlen(b), &mb) == 0;
        if (strcmp(k, "period") == 0 && two) {
            d->cur_from = ma;
            d->cur_to = mb;
            have_period = 1;
        } else if (strcmp(k, "compare_period") == 0 && two) {
            d->prev_from = ma;
            d->prev_to = mb;
        } else if (strcmp(k, "kde") == 0) {
            kde = strcmp(v, "yes") == 0;
        } else if (strcmp(k, "hotspot_class") == 0) {
            d->hot_class = atoi(v);
        } else if (strcmp(k, "tasking_share") == 0) {
            d->task_share = atof(v);
        } else if (strcmp(k, "hotspot_min_incidents") == 0) {
            d->min_incidents = atol(v);
        } else if (strcmp(k, "when") == 0 && strcmp(v, "all hours") != 0) {
            snprintf(d->when, sizeof d->when, "%s", v);
        } else if (strcmp(k, "hotspot_method") == 0) {
            snprintf(d->method, sizeof d->method, "%s", v);
        } else if (strcmp(k, "peak_hours") == 0 && atoi(v) >= 1 &&
                   atoi(v) <= 24) {
            d->peak_hours = atoi(v);
        }
        if (strcmp(k, "gi_grid") == 0)
            for (int g = 0; g < HS_RG; g++)
                d->gi[g].hex = strcmp(v, "hex") == 0;
        for (int g = 0; g < HS_RG; g++) {
            char key[64];
            snprintf(key, sizeof key, "bandwidth_%s", hs_rgroup_key[g]);
            if (strcmp(k, key) == 0)
                has_surf[g] = 1;
            snprintf(key, sizeof key, "gi_cell_%s", hs_rgroup_key[g]);
            if (strcmp(k, key) == 0) /* "105 m (...); ..." */
                d->gi[g].cell_m = atof(v);
            snprintf(key, sizeof key, "gi_distance_%s", hs_rgroup_key[g]);
            if (strcmp(k, key) == 0)
                d->gi[g].distance_m = atof(v);
            snprintf(key, sizeof key, "hotspot_breaks_%s", hs_rgroup_key[g]);
            if (strcmp(k, key) == 0) { /* "0.83,1.67,... incidents/km2 (...)" */
                const char *p = v;
                char *end;
                hs_rsurf *s = &d->surf[g];
                s->nbreaks = 0;
                while (s->nbreaks < 16) {
                    double x = strtod(p, &end);
                    if (end == p)
                        break;
                    s->breaks[s->nbreaks++] = x;
                    if (*end != ',')
                        break;
                    p = end + 1;
                }
            }
        }
        OGR_F_Destroy(f);
    }
    if (!have_period)
        return hs_fail(err, HS_ERR_DATA, "'%s' layer 'run' has no analysis "
                       "period (key 'period')", d->path);
    for (int g = 0; g < HS_RG; g++)
        has_surf[g] &= kde;
    return HS_OK;
}

hs_rdata *hs_rdata_open(const char *path, hs_error *err)
{
    hs_rdata *d = calloc(1, sizeof *d);
    GDALDatasetH ds = NULL;
    hs_status rc = HS_OK;
    int has_surf[HS_RG] = {0};
    if (!d || !(d->path = strdup(path))) {
        hs_fail(err, HS_ERR_NOMEM, "report: out of memory");
        goto fail;
    }
    CPLPushErrorHandler(CPLQuietErrorHandler); /* the library never prints */
    if (!(ds = hs_gin_open(path, err)))
        goto fail_pop;
    if ((rc = read_run(d, ds, has_surf, err)) || (rc = read_areas(d, ds, err)))
        goto fail_pop;
    hs_gin_stamp(ds, "run", HS_RDATA_STAMP, d->stamp);
    for (int g = 0; g < HS_RG && !rc; g++)
        rc = read_rates(d, ds, g, err);
    if (rc || (rc = read_monthly(d, ds, err)))
        goto fail_pop;
    for (int g = 0; g < HS_RG && !rc; g++)
        if (!(rc = read_gistar(d, ds, g, err)))
            rc = read_emerging(d, ds, g, err);
    if (rc)
        goto fail_pop;
    for (int g = 0; g < HS_RG && !rc; g++) {
        if (!has_surf[g])
            continue;
        if (!(rc = read_hot(d, ds, g, err)) && !(rc = read_task(d, ds, g, err)) &&
            !(rc = read_backtest(d, ds, g, err)) &&
            !(rc = read_surface(d, g, err)))
            d->has_surf[g] = 1;
    }
    if (rc || (rc = index_hot(d, err)) || (rc = read_timeofweek(d, ds, err)) ||
        (rc = read_hot_tow(d, ds, err)) || (rc = read_hot_monthly(d, ds, err)) ||
        (rc = read_progress(d, ds, err)))
        goto fail_pop;
    if (!d->peak_hours)
        peak_hours_of_texts(d);
    GDALClose(ds);
    CPLPopErrorHandler();
    return d;
fail_pop:
    if (ds)
        GDALClose(ds);
    CPLPopErrorHandler();
fail:
    hs_rdata_destroy(d);
    return NULL;
}
