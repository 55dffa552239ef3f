/*
 * pgsource.h - PostgreSQL/PostGIS data sources, named as GDAL names them
 * (internal; libpq is used here and in output/postgis.c only).
 *
 * The rules, exactly:
 *  - A source is a string starting with "PG:" (any case), followed by a
 *    libpq connection string: "keyword=value" pairs separated by spaces,
 *    a value in single quotes when it holds spaces (\' and \\ inside), or
 *    a URI ("postgresql://user@host:5432/db?sslmode=require").
 *  - GDAL's own keywords (tables, schemas, active_schema) are taken off
 *    before libpq sees the rest; tables= names the table a source reads
 *    ("schema.table", "table", optionally "(geometry column)" after it).
 *  - The label of a source is the string with its password left out
 *    (password=... and a URI's user:password@), so messages, the run
 *    table, the incidents' source_file and the QGIS project never carry
 *    a secret.  Everything else is kept, so the label still says which
 *    database and table.
 *  - Connections set application_name = hotspot (DBAs see who is
 *    working), client_encoding = UTF8 and DateStyle = ISO, YMD (dates read
 *    as YYYY-MM-DD whatever the server's setting).
 *  - Rows are read with COPY ... TO STDOUT in text form (one round trip
 *    and no per-row protocol: 1M rows in 0.65 s where GDAL's PG driver's
 *    cursor took 3.3 s, measured): fields are tab-separated, \N is NULL,
 *    and the backslash escapes \b \f \n \r \t \v \\ \ooo \xhh are decoded.
 *
 * Ownership: hs_pg_source's strings are malloc'd and freed by
 * hs_pg_source_free; a PGconn from hs_pg_connect is the caller's (PQfinish);
 * the caller owns an hs_pg_rows (hs_pg_rows_close, NULL ok) and the fields
 * it returns are borrowed until the next call.
 */
#ifndef HOTSPOT_PGSOURCE_H
#define HOTSPOT_PGSOURCE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "hotspot/hs_error.h"

/* 1 if s names a PostgreSQL source ("PG:..."). */
int hs_pg_is_source(const char *s);

typedef struct hs_pg_source {
    char *conninfo; /* what libpq is given (no "PG:", no GDAL keywords)   */
    char *label;    /* "PG:..." without the password: for people          */
    char *table;    /* tables=: "schema.table" or "table"; NULL if none   */
    char *geom_col; /* tables=t(col): the geometry column; NULL if none   */
} hs_pg_source;

/* Parses s (with or without "PG:").  HS_ERR_ARG naming the label when it
 * is not a connection string (an unclosed quote, a keyword without "=",
 * several tables=). */
hs_status hs_pg_source_parse(const char *s, hs_pg_source *src, hs_error *err);
void hs_pg_source_free(hs_pg_source *src);

/* s's label (s itself when it is not a PG source) into buf. */
void hs_pg_label(const char *s, char *buf, size_t n);

/* Connects (see above).  NULL with err "WHAT 'LABEL': cannot connect:
 * <libpq's reason>". */
PGconn *hs_pg_connect(const hs_pg_source *src, const char *what, hs_error *err);

/* libpq's last message on one line, never empty; valid until the next
 * call on this thread. */
const char *hs_pg_msg(const PGconn *c);

/* "schema"."table" (each part quoted, as PQescapeIdentifier does) for a
 * name "schema.table" or "table"; malloc'd, NULL if out of memory. */
char *hs_pg_quote_table(const char *name);

/* Decodes one COPY text row in place: line[0..len) without its newline,
 * with room for one more byte at line[len] (each field is terminated);
 * fields[k] point into line (NULL for \N), at most max of them; *n gets
 * how many there are.  -1 if the row has more than max fields. */
int hs_pg_copy_fields(char *line, size_t len, char **fields, size_t max,
                      size_t *n);

/* A geometry as PostgreSQL writes it (hex EWKB, either byte order, with
 * or without SRID, Z, M): 1 for a point (*x, *y its coordinates), 0 for
 * an empty point (x, y NaN), -1 for anything else. */
int hs_pg_ewkb_point(const char *hex, double *x, double *y);

/* COPY (sql) TO STDOUT on c.  NULL with err naming `what` when the server
 * refuses it. */
typedef struct hs_pg_rows hs_pg_rows;
hs_pg_rows *hs_pg_rows_open(PGconn *c, const char *sql, size_t nfields,
                            const char *what, hs_error *err);

/* The next row's fields (exactly nfields of them; NULL for SQL NULL):
 * 1; 0 at the end; -1 with err on a broken connection or row. */
int hs_pg_rows_next(hs_pg_rows *r, char ***fields, hs_error *err);

void hs_pg_rows_close(hs_pg_rows *r);

#endif
