/*
 * incidents.h - the in-memory incident store (internal).
 *
 * Columns (struct of arrays) so that assignment, aggregation and density
 * loops touch only what they need: at 10M incidents the store is about
 * 600 MB.  Strings (crime type, Location, LSOA code, source file) are
 * interned ids (pool.h).
 *
 * Ownership: caller owns the store (hs_incidents_destroy, NULL ok); the
 * arrays and pools belong to it.
 */
#ifndef HOTSPOT_INCIDENTS_H
#define HOTSPOT_INCIDENTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/pool.h"
#include "hotspot/hs_error.h"

/* Column sets a store may leave out (x, y and weight are always kept):
 * a density of all points needs 20 bytes a row, not 58. */
enum {
    HS_COL_TIME = 1,   /* month, day, minute */
    HS_COL_TYPE = 2,   /* type, group        */
    HS_COL_LABELS = 4, /* location, lsoa     */
    HS_COL_AREA = 8,   /* area               */
    HS_COL_SOURCE = 16, /* file, row         */
    HS_COL_ALL = 31,
    HS_COL_KEY = 32,   /* key: added by the ingest when an input has
                          duplicate keys to resolve (ingest.h)          */
    HS_COL_SPAN = 64,  /* span: added by the ingest when incidents have
                          an end time (--end-time)                      */
    HS_COL_SHARE = 128 /* share: added by --when (when.h) when incidents
                          have windows (HS_COL_SPAN)                    */
};

typedef struct hs_incidents {
    size_t n, cap;
    unsigned cols;      /* HS_COL_* kept; the arrays of the others are NULL */
    double *x, *y;      /* analysis CRS (metres); NaN = no location        */
    int32_t *month;     /* year*12 + (month-1)                             */
    int8_t *day;        /* day of month 1..31; 0 = month only              */
    int16_t *minute;    /* minute of day 0..1439; -1 = unknown             */
    int16_t *group;     /* category group id; -1 = type not in the mapping */
    int32_t *type;      /* id in types (crime type or offence code)        */
    int32_t *location;  /* id in locations ("On or near ..."); -1 none     */
    int32_t *lsoa;      /* id in lsoas (police.uk LSOA code); -1 none      */
    int32_t *file;      /* id in files                                     */
    int64_t *row;       /* line number in the source file (header = 1)     */
    float *weight;      /* 1 unless a weight field was given               */
    int32_t *area;      /* assigned area index; -1 none (set by assign)    */
    int32_t *key;       /* id in keys: police.uk force-month or --id crime
                           reference, for duplicates; -1 none (HS_COL_KEY) */
    int32_t *span;      /* minutes from the start (day, minute) to the end
                           of the incident's window, >= 0; -1: no end given
                           (or no start time), -2: the end is before the
                           start (HS_COL_SPAN)                             */
    float *share;       /* the share of the incident's window inside
                           --when's windows, (0, 1] (HS_COL_SHARE; NULL:
                           every incident counts whole)                    */
    hs_pool *types, *locations, *lsoas, *files, *keys;
    int borrowed;       /* columns belong to another store: never grown   */
} hs_incidents;

hs_incidents *hs_incidents_create(hs_error *err); /* every column */
hs_incidents *hs_incidents_create_cols(unsigned cols, hs_error *err);
void hs_incidents_destroy(hs_incidents *s);

/* Makes room for n more rows; returns HS_ERR_NOMEM on failure. */
hs_status hs_incidents_reserve(hs_incidents *s, size_t more, hs_error *err);

/* Adds the columns of cols the store lacks (HS_COL_KEY or HS_COL_SPAN:
 * rows already in the store get -1; HS_COL_SHARE: 1).  Not on a borrowed view. */
hs_status hs_incidents_add_cols(hs_incidents *s, unsigned cols, hs_error *err);

/* Row from -> row to (every column kept), to compact the store in place. */
void hs_incidents_move_row(hs_incidents *s, size_t to, size_t from);

/* Month helpers: "YYYY-MM" <-> year*12+month-1. */
int hs_month_parse(const char *s, size_t len, int32_t *out);
void hs_month_format(int32_t m, char buf[8]);

/* Days from 1970-01-01 to day `day` of month m (year*12 + month-1), in
 * the proleptic Gregorian calendar (Hinnant's days_from_civil). */
long hs_days_from_civil(int32_t m, int day);

#endif
