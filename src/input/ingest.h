/*
 * ingest.h - reading incidents into the store (internal).
 *
 * Formats: police.uk street-level CSVs (recognised by their header), other
 * CSVs with named columns, and any OGR point layer (GeoPackage, Shapefile,
 * GeoJSON, ...).  Coordinates are transformed to the analysis CRS.  Rows
 * that cannot be used are skipped and counted by reason, with the file and
 * line of the first few; rows without a location and rows whose crime type
 * is not in the mapping are kept and counted (they are reported, never
 * silently dropped).
 *
 * Ownership: the caller owns the hs_ingest and must destroy it (NULL ok);
 * the store, options and mapping are borrowed and must outlive it.
 */
#ifndef HOTSPOT_INGEST_H
#define HOTSPOT_INGEST_H

#include <stddef.h>

#include "hotspot/hs_error.h"
#include "input/categories.h"
#include "input/incidents.h"

typedef struct hs_ingest_opts {
    const char *analysis_crs; /* e.g. "EPSG:27700" (required)              */
    const char *crs;      /* CRS of generic inputs; NULL: EPSG:4326 for
                             lon/lat columns, else the analysis CRS        */
    const char *x, *y;    /* coordinate columns; NULL: detect by name     */
    const char *category; /* crime type / offence code column             */
    const char *date;     /* date, date-time or month column              */
    const char *time;     /* time-of-day column (optional)                */
    const char *weight;   /* weight column (optional)                     */
    const char *location; /* location label column (optional)            */
    int32_t max_month;    /* rows dated after this month are skipped as in
                             the future (year*12+month-1); 0: no check    */
    int optional_type;    /* no crime type column: every row is typed
                             "incident" (for a density of everything)    */
    int optional_date;    /* no date column: every row has month 0       */
    size_t split_min_bytes; /* CSVs at least this big are read by several
                             threads; 0: 8 MB.  Tests and fuzzing lower it
                             to take small files down that path          */
} hs_ingest_opts;

typedef enum hs_skip {
    HS_SKIP_FIELDS,   /* wrong number of fields                    */
    HS_SKIP_DATE,     /* month/date/time missing or unparseable    */
    HS_SKIP_FUTURE,   /* dated in the future                       */
    HS_SKIP_COORD,    /* coordinates not numbers / out of range    */
    HS_SKIP_CATEGORY, /* empty crime type                          */
    HS_SKIP_WEIGHT,   /* weight not a finite non-negative number   */
    HS_SKIP_N
} hs_skip;

#define HS_INGEST_EXAMPLES 3

typedef struct hs_ingest_report {
    long files;
    long rows_read;         /* data rows seen                            */
    long rows_kept;         /* stored (with or without a location)       */
    long no_location;       /* stored without coordinates                */
    long unknown_type;      /* stored, type not in the category mapping  */
    long skipped[HS_SKIP_N];
    long bad_text;          /* kept; text not UTF-8, bytes replaced by '?' */
    char text_example[HS_INGEST_EXAMPLES][256];
    char example[HS_SKIP_N][HS_INGEST_EXAMPLES][256]; /* "file line N: why" */
} hs_ingest_report;

typedef struct hs_ingest hs_ingest;

hs_ingest *hs_ingest_create(hs_incidents *store, const hs_ingest_opts *opts,
                            const hs_categories *cats, hs_error *err);
void hs_ingest_destroy(hs_ingest *in);

/* Reads one file (any supported format).  Errors that stop the whole file
 * (cannot open, no recognisable columns, unparseable CSV) return an error
 * naming the file; bad rows are skipped and counted instead. */
hs_status hs_ingest_file(hs_ingest *in, const char *path, hs_error *err);

const hs_ingest_report *hs_ingest_get_report(const hs_ingest *in);

/* Short name of a skip reason, e.g. "bad coordinates". */
const char *hs_skip_name(hs_skip why);

/* The operation used to transform incident coordinates ("" if none). */
const char *hs_ingest_transform_desc(const hs_ingest *in);

/*
 * Expands paths (files, directories searched recursively for *.csv, and
 * glob patterns) into a sorted, de-duplicated list of files.  A path that
 * matches nothing is an error naming it.  *files is a NULL-terminated
 * array owned by the caller: free with hs_paths_free().
 */
hs_status hs_paths_expand(const char *const *paths, size_t n, char ***files,
                          size_t *nfiles, hs_error *err);
void hs_paths_free(char **files);

#endif
