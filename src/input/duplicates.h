/*
 * duplicates.h - which copy of a duplicated incident the store keeps
 * (internal; the ingest calls it once, after the last file).
 *
 * Inputs: the store, whose rows carry a key (incidents.h: key column,
 * interned in s->keys as "fm:FORCE|YYYY-MM" for a police.uk force-month or
 * "id:REF" for a --id crime reference; -1: no key), and the files read, in
 * reading order, each with its rows' range in the store.  Rules:
 *  - a force-month belongs to one file: the last file holding it
 *    (HS_DUP_LAST) or the first (HS_DUP_FIRST); its rows in every other
 *    file are removed.  Never matched by police.uk Crime ID (one crime may
 *    have several rows; ASB rows have none);
 *  - a crime reference belongs to one row: its last (or first) row, in
 *    reading order, across files; its other rows are removed;
 *  - HS_DUP_KEEP removes nothing, and reports what the others would;
 *  - rows keep their order; file ranges are updated to the compacted store.
 * Identical files never reach here: the ingest does not read them again.
 *
 * Ownership: res->runs is malloc'd; free with hs_dup_result_free.
 */
#ifndef HOTSPOT_DUPLICATES_H
#define HOTSPOT_DUPLICATES_H

#include <stddef.h>
#include <stdint.h>

#include "hotspot/hs_error.h"
#include "input/incidents.h"

/* Which copy of a duplicate is kept (--duplicates). */
typedef enum hs_dup_rule { HS_DUP_LAST, HS_DUP_FIRST, HS_DUP_KEEP } hs_dup_rule;

/* "last", "first" or "keep" -> *rule; -1 if none of them. */
int hs_dup_rule_parse(const char *s, hs_dup_rule *rule);
const char *hs_dup_rule_name(hs_dup_rule rule);

typedef struct hs_dup_file {
    size_t start, end; /* in/out: its rows in the store, [start, end)   */
    int police;        /* its keys are force-months                    */
    long removed;      /* out: its rows removed as duplicates          */
} hs_dup_file;

/* Rows of file `file` with force-month `key`, whose force-month is taken
 * from file `kept_in` (HS_DUP_KEEP: which would be). */
typedef struct hs_dup_run {
    size_t file, kept_in;
    int32_t key;
    long n;
} hs_dup_run;

/* A row whose reference is kept on another row (rows as store indices
 * before compaction, with their files). */
typedef struct hs_dup_ref {
    size_t file, kept_file;
    int64_t line, kept_line; /* source lines; 0 if the store has none */
    int32_t key;
} hs_dup_ref;

typedef struct hs_dup_result {
    hs_dup_run *runs;  /* force-month runs, in store order             */
    size_t nruns;
    long fm_rows;      /* rows in the runs                              */
    long ref_rows;     /* rows whose reference is kept on another row   */
    hs_dup_ref ref_example[3];
    long no_location;  /* of the rows removed: without a location       */
    long unknown_type; /*                      of a type not mapped     */
} hs_dup_result;

/* Applies the rule to the store (see above).  On error (out of memory)
 * the store is unchanged. */
hs_status hs_dups_resolve(hs_incidents *s, hs_dup_file *files, size_t nfiles,
                          hs_dup_rule rule, hs_dup_result *res, hs_error *err);

void hs_dup_result_free(hs_dup_result *res);

/* "fm:Wiltshire Police|2019-01" -> "Wiltshire Police 2019-01"; an "id:"
 * key -> the reference. */
void hs_dup_key_text(const char *key, char *buf, size_t n);

#endif
