/*
 * csv.h - a streaming RFC 4180 CSV reader (internal).
 *
 * Written rather than using OGR's CSV driver because ingest must read
 * millions of rows a second and report exact source line numbers; OGR's
 * driver builds a feature per row (scripts/bench_rates.sh times ingest).
 *
 * Handles a UTF-8 BOM, LF / CRLF / lone-CR line ends (mixed in one file),
 * quoted fields with embedded separators, quotes ("") and newlines, and blank
 * lines (skipped).  Fields are returned unquoted, as byte ranges valid until
 * the next hs_csv_next() call.  Ownership: caller owns the reader and must
 * call hs_csv_close() (NULL is a no-op).
 */
#ifndef HOTSPOT_CSV_H
#define HOTSPOT_CSV_H

#include <stddef.h>
#include <sys/types.h>
#include <stdio.h>

#include "hotspot/hs_error.h"

typedef struct hs_csv hs_csv;

/* Opens path for reading.  NULL on failure (err names the file). */
hs_csv *hs_csv_open(const char *path, hs_error *err);

/* Reads from a memory buffer instead of a file (for tests and fuzzing).
 * The buffer is not copied and must outlive the reader. */
hs_csv *hs_csv_open_mem(const char *data, size_t len, const char *name,
                        hs_error *err);

/* Reads bytes [start, start + len) of the open file fd (not owned; it must
 * outlive the reader), with pread: several readers can share one fd, each
 * on its own range, on their own threads. */
hs_csv *hs_csv_open_range(int fd, off_t start, size_t len, const char *name,
                          hs_error *err);

/* Reads the next record.  Returns 1 for a record, 0 at end of input, -1 on
 * error (err set: file and line, e.g. unterminated quote, line longer than
 * the limit, NUL byte). */
int hs_csv_next(hs_csv *c, hs_error *err);

/* Sets the field separator (default ','), e.g. ';' as Excel writes where
 * the decimal mark is a comma, or TAB.  Any byte but '"', CR, LF and NUL;
 * others are ignored.  Takes effect from the next hs_csv_next(). */
void hs_csv_set_separator(hs_csv *c, char sep);

/* Picks the separator from the first line by the rule of GDAL's CSV driver
 * (SEPARATOR=AUTO), so a file splits here as it does through OGR: outside
 * quotes, the first of ',' ';' TAB; ',' if another of them follows on the
 * line, or if there is none (GDAL's ' ' fallback is not copied).  Looks only
 * at what open buffered (1 MiB for files).  Call before the first
 * hs_csv_next() (later it changes nothing); sets and returns the separator. */
char hs_csv_detect_separator(hs_csv *c);

/* Off by default (a NUL byte is then an error).  On: a record holding a
 * binary byte (0x00-0x08, 0x0E-0x1F; not the separator) anywhere is
 * returned with no fields and hs_csv_binary() == 1, dropped through the end
 * of the physical line holding that byte, so one damaged line does not
 * stop a whole import; hs_csv_line() stays exact for every record. */
void hs_csv_skip_binary(hs_csv *c, int on);

/* 1 if the current record was such a dropped binary line, else 0. */
int hs_csv_binary(const hs_csv *c);

size_t hs_csv_nfields(const hs_csv *c);

/* Field i of the current record (0-based), NUL-terminated; *len (if not
 * NULL) gets its length.  "" for i >= nfields. */
const char *hs_csv_field(const hs_csv *c, size_t i, size_t *len);

/* 1-based physical line number at which the current record starts. */
long hs_csv_line(const hs_csv *c);

/* Name given at open (the path), for messages. */
const char *hs_csv_name(const hs_csv *c);

void hs_csv_close(hs_csv *c);

#endif
