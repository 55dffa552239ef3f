/*
 * ingest.h - reading incidents into the store (internal).
 *
 * Formats: police.uk street-level CSVs (recognised by their header), other
 * CSVs with named columns, any OGR point layer (GeoPackage, Shapefile,
 * GeoJSON, ...; its first layer, or the rows of opts.sql), and PostgreSQL
 * tables or queries ("PG:..." sources, pgsource.h: a tables= table or
 * opts.sql, read by COPY; a geometry column or x/y columns).  OGR and
 * PostgreSQL sources take the same field options and give the same
 * messages, naming the source (a database by its label, without the
 * password), the feature id (a table's one-column integer primary key,
 * else the row number from 1) and the field.  Coordinates are transformed to the analysis CRS.  Rows
 * that cannot be used are skipped and counted by reason, with the file and
 * line of the first few; rows without a location and rows whose crime type
 * is not in the mapping are kept and counted (they are reported, never
 * silently dropped).
 *
 * Real download folders (README "Duplicates and damaged files"):
 *  - CSV separator: ',' unless the header says ';' or TAB (GDAL's
 *    SEPARATOR=AUTO rule, csv.h); a note names the file.
 *  - A line holding a NUL or control byte inside a CSV whose header is
 *    text is skipped ("binary data") and the rest of the file read; a file
 *    that is binary from its start is refused, an Excel workbook or a ZIP
 *    by name.
 *  - A text field that is not UTF-8 is read as Windows-1252 (what Excel
 *    writes on UK office PCs) and transcoded; its bytes 0x81, 0x8D, 0x8F,
 *    0x90, 0x9D (undefined there) become '?'.  A warning names the file.
 *  - Duplicates (duplicates.h), resolved by hs_ingest_finish after the last
 *    file, in the order the files were read (hs_paths_expand: name order):
 *    . a file with the same bytes (SHA-256) as one read before is not read
 *      again: its rows count as read and skipped ("identical file");
 *    . police.uk: one force-month ("Falls within" + Month) is taken from
 *      one file only, the last file holding it (first: the first); its rows
 *      in other files are skipped ("duplicate force-month").  Rows are
 *      never matched by Crime ID: one crime may have several rows, and ASB
 *      rows have none;
 *    . other inputs with opts.id: a crime reference seen on several rows
 *      is kept on its last row (first: its first) and skipped on the others
 *      ("duplicate id"); rows with an empty reference are all kept;
 *    . HS_DUP_KEEP keeps every row and every file, and only warns.
 *
 * Ownership: the caller owns the hs_ingest and must destroy it (NULL ok);
 * the store, options and mapping are borrowed and must outlive it.
 */
#ifndef HOTSPOT_INGEST_H
#define HOTSPOT_INGEST_H

#include <stddef.h>

#include "hotspot/hs_error.h"
#include "input/categories.h"
#include "input/duplicates.h"
#include "input/incidents.h"

typedef struct hs_ingest_opts {
    const char *analysis_crs; /* e.g. "EPSG:27700" (required)              */
    const char *crs;      /* CRS of generic inputs; NULL: EPSG:4326 for
                             lon/lat columns, else the analysis CRS        */
    const char *x, *y;    /* coordinate columns; NULL: detect by name     */
    const char *category; /* crime type / offence code column             */
    const char *date;     /* date, date-time or month column              */
    const char *time;     /* time-of-day column (optional)                */
    const char *end;      /* date-time column: when the incident ended at
                             the latest (optional; the date column is then
                             when it began at the earliest).  Gives the
                             store its span column (incidents.h): minutes
                             from start to end; an end with a date only is
                             the end of that day; a blank end (span -1) or
                             one before the start (span -2) is kept; an
                             unreadable one is skipped                   */
    int start_time;       /* the date column is --start-time, a date-time:
                             no time column is looked for by name        */
    const char *weight;   /* weight column (optional)                     */
    const char *location; /* location label column (optional)            */
    const char *id;       /* unique crime reference column (optional)    */
    const char *sql;      /* --incidents-sql: the rows of a database or GIS
                             file (its own SQL dialect) instead of its
                             first layer or tables= table                */
    hs_dup_rule duplicates;
    int hash_files;       /* SHA-256 of every file (else only of files of
                             equal size, to find identical ones)         */
    const hs_log *log;    /* warnings and notes about files (NULL: none) */
    int32_t max_month;    /* rows dated after this month are skipped as in
                             the future (year*12+month-1); 0: no check    */
    int optional_type;    /* no crime type column: every row is typed
                             "incident" (for a density of everything)    */
    int optional_date;    /* no date column: every row has month 0       */
    size_t split_min_bytes; /* CSVs at least this big are read by several
                             threads; 0: 8 MB.  Tests and fuzzing lower it
                             to take small files down that path          */
} hs_ingest_opts;

/* The incident columns of the options (--x, --y, --incidents-crs,
 * --category, --date, --time, --start-time, --end-time, --weight,
 * --location, --id, --incidents-sql) into io, leaving its other fields alone.
 * --start-time is the date column (with its time); it replaces --date
 * and --time, and --end-time needs it; --when with --end-time is not
 * taken yet: HS_ERR_ARG otherwise. */
struct hs_options;
hs_status hs_ingest_opts_columns(hs_ingest_opts *io, const struct hs_options *o,
                                 hs_error *err);

typedef enum hs_skip {
    HS_SKIP_FIELDS,   /* wrong number of fields                    */
    HS_SKIP_DATE,     /* month/date/time missing or unparseable    */
    HS_SKIP_FUTURE,   /* dated in the future                       */
    HS_SKIP_COORD,    /* coordinates not numbers / out of range    */
    HS_SKIP_CATEGORY, /* empty crime type                          */
    HS_SKIP_WEIGHT,   /* weight not a finite non-negative number   */
    HS_SKIP_BINARY,   /* a NUL or control byte: damaged line       */
    HS_SKIP_DUP_FILE, /* the file is identical to one read before  */
    HS_SKIP_DUP_FM,   /* police.uk force-month taken from another file */
    HS_SKIP_DUP_ID,   /* crime reference (opts.id) kept on another row */
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
    long bad_text;          /* kept; text not UTF-8 (read as Windows-1252) */
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

/* After the last file: resolves duplicate force-months and crime
 * references (see above), compacting the store, and warns about them.
 * Only once. */
hs_status hs_ingest_finish(hs_ingest *in, hs_error *err);

/* Forgets the files read and empties the store, keeping the cached CRS
 * transformation and the counts (for fuzzing many inputs). */
void hs_ingest_reset(hs_ingest *in);

const hs_ingest_report *hs_ingest_get_report(const hs_ingest *in);

/* What became of each file given, in reading order. */
typedef struct hs_ingest_source {
    const char *path;   /* as given; owned by the ingest                */
    char sha256[65];    /* "" unless hashed (opts.hash_files)           */
    long rows_read;     /* data rows; an identical copy: the original's */
    long rows_kept;     /* rows it gives the store, duplicates removed  */
    long duplicates;    /* its rows skipped as duplicates               */
    int same_as;        /* identical to (and not read): this source; -1 */
    char sep;           /* CSV field separator; 0 for other formats     */
    long cp1252;        /* rows whose text was read as Windows-1252     */
} hs_ingest_source;

/* The sources, *n of them; valid until the next call on in. */
const hs_ingest_source *hs_ingest_sources(const hs_ingest *in, size_t *n);

/* Short name of a skip reason, e.g. "bad coordinates". */
const char *hs_skip_name(hs_skip why);

/* The operation used to transform incident coordinates ("" if none). */
const char *hs_ingest_transform_desc(const hs_ingest *in);

/* SHA-256 of a file's bytes as 64 hex digits. */
hs_status hs_file_sha256(const char *path, char out[65], hs_error *err);

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
