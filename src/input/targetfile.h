/*
 * targetfile.h - a targets CSV (--targets FILE.csv): how many incidents
 * each area and group should stay under in a period.  Internal; the
 * projections and the red / amber / green status are analysis/targets.h.
 *
 * The rules, exactly:
 *
 *  - The file: CSV as csv.h reads it (a BOM, any line ends, quotes), the
 *    separator picked from the header as GDAL's CSV driver does (',' ';'
 *    or TAB).  The first record is the header; it must hold the columns
 *    area_id, crime_group, period and target (any order, any case,
 *    spaces around a name ignored); other columns are ignored, and a
 *    column named twice is an error.
 *  - Each further record is one target.  Spaces and tabs around a value
 *    are ignored; a record with every field blank (",,," as spreadsheets
 *    leave) is skipped.
 *      area_id      an area id as the areas give it (compared exactly), or
 *                   "all" (any case): the whole study area.  Not empty.
 *      crime_group  a group of the category mapping (not checked here: the
 *                   run knows the groups).  Not empty.
 *      period       a period name of periods.h that does not depend on the
 *                   data: fy2024, fy2024q3, 2024, 2024q1, a month or a
 *                   range.  A -ytd is an error (a target is for a whole
 *                   period; the run counts it so far).
 *      target       a finite number >= 0 (incidents; fractions allowed).
 *  - Two records with the same area (exactly), group (any case) and
 *    months are an error naming both lines.
 *  - A file with a header and no records is an error.
 *
 * Errors: HS_ERR_IO when the file cannot be read; HS_ERR_DATA for the
 * content, each naming the file and, for a record, its line (the physical
 * line it starts on) and field: "targets 't.csv' line 4, field target:
 * '12x' is not a number (give a count >= 0)".
 *
 * Ownership: caller owns the hs_targets (hs_targets_destroy, NULL ok) and
 * with it every string in it.
 */
#ifndef HOTSPOT_TARGETFILE_H
#define HOTSPOT_TARGETFILE_H

#include <stddef.h>
#include <stdint.h>

#include "hotspot/hs_error.h"

typedef struct hs_target {
    char *area_id;    /* NULL: "all", the whole study area              */
    char *group;      /* crime_group as written (trimmed)              */
    char *period;     /* the period as written (trimmed), for output    */
    int32_t from, to; /* its months, year*12 + month-1, inclusive       */
    double target;    /* >= 0                                          */
    long line;        /* physical line of the record, header = 1       */
} hs_target;

typedef struct hs_targets {
    size_t n;
    hs_target *v;     /* in file order */
} hs_targets;

/* Reads the targets CSV at path.  NULL on failure (err set). */
hs_targets *hs_targets_read(const char *path, hs_error *err);

/* The same from memory (tests); name stands for the path in messages. */
hs_targets *hs_targets_read_mem(const char *data, size_t len,
                                const char *name, hs_error *err);

void hs_targets_destroy(hs_targets *t);

#endif
