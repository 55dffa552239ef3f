/* duplicates.c - resolving duplicate force-months and references (see
 * duplicates.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/duplicates.h"

int hs_dup_rule_parse(const char *s, hs_dup_rule *rule)
{
    static const char *const names[] = {"last", "first", "keep"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *rule = (hs_dup_rule)i;
            return 0;
        }
    return -1;
}

const char *hs_dup_rule_name(hs_dup_rule rule)
{
    return rule == HS_DUP_FIRST ? "first" : rule == HS_DUP_KEEP ? "keep" : "last";
}

void hs_dup_key_text(const char *key, char *buf, size_t n)
{
    snprintf(buf, n, "%s", strlen(key) > 3 ? key + 3 : key);
    char *bar = key[0] == 'f' ? strrchr(buf, '|') : NULL;
    if (bar)
        *bar = ' ';
}

void hs_dup_result_free(hs_dup_result *res)
{
    if (!res)
        return;
    free(res->runs);
    res->runs = NULL;
    res->nruns = 0;
}

/* Notes that row r of file f (key k) goes, kept in kept_in. */
static int add_run(hs_dup_result *res, size_t *cap, size_t f, size_t kept_in,
                   int32_t k)
{
    hs_dup_run *last = res->nruns ? &res->runs[res->nruns - 1] : NULL;
    if (last && last->file == f && last->key == k) {
        last->n++;
        return 0;
    }
    if (res->nruns == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        hs_dup_run *r = realloc(res->runs, c * sizeof *r);
        if (!r)
            return -1;
        res->runs = r;
        *cap = c;
    }
    res->runs[res->nruns++] = (hs_dup_run){f, kept_in, k, 1};
    return 0;
}

/* The file holding store row r. */
static size_t file_of(const hs_dup_file *files, size_t n, size_t r)
{
    size_t f = 0;
    while (f + 1 < n && r >= files[f].end)
        f++;
    return f;
}

hs_status hs_dups_resolve(hs_incidents *s, hs_dup_file *files, size_t nfiles,
                          hs_dup_rule rule, hs_dup_result *res, hs_error *err)
{
    memset(res, 0, sizeof *res);
    size_t nkeys = s->key ? hs_pool_count(s->keys) : 0;
    if (nkeys == 0)
        return HS_OK;
    int first = rule == HS_DUP_FIRST, keep = rule == HS_DUP_KEEP;
    /* owner: a force-month's file, a reference's row */
    int64_t *owner = malloc(nkeys * sizeof *owner);
    unsigned char *remove = calloc(s->n ? s->n : 1, 1);
    size_t cap = 0;
    if (!owner || !remove)
        goto nomem;
    for (size_t k = 0; k < nkeys; k++)
        owner[k] = -1;
    for (size_t f = 0; f < nfiles; f++)
        for (size_t r = files[f].start; r < files[f].end; r++) {
            int32_t k = s->key[r];
            if (k >= 0 && (owner[k] < 0 || !first))
                owner[k] = files[f].police ? (int64_t)f : (int64_t)r;
        }
    /* First decide and note every removal, so that an error leaves the
     * store as it was; then compact. */
    for (size_t f = 0; f < nfiles; f++)
        for (size_t r = files[f].start; r < files[f].end; r++) {
            int32_t k = s->key[r];
            if (k < 0)
                continue;
            int64_t own = owner[k];
            if (files[f].police ? own == (int64_t)f : own == (int64_t)r)
                continue;
            if (files[f].police) {
                if (add_run(res, &cap, f, (size_t)own, k) != 0)
                    goto nomem;
                res->fm_rows++;
            } else {
                if (res->ref_rows < 3) {
                    size_t kf = file_of(files, nfiles, (size_t)own);
                    res->ref_example[res->ref_rows] = (hs_dup_ref){
                        f, kf, s->row ? s->row[r] : 0, s->row ? s->row[own] : 0, k};
                }
                res->ref_rows++;
            }
            remove[r] = !keep;
        }
    size_t to = 0;
    for (size_t f = 0; f < nfiles; f++) {
        size_t start = to;
        for (size_t r = files[f].start; r < files[f].end; r++) {
            if (remove[r]) {
                files[f].removed++;
                res->no_location += isnan(s->x[r]);
                res->unknown_type += s->group && s->group[r] < 0;
                continue;
            }
            if (to != r)
                hs_incidents_move_row(s, to, r);
            to++;
        }
        files[f].start = start;
        files[f].end = to;
    }
    s->n = to;
    free(owner);
    free(remove);
    return HS_OK;
nomem:
    free(owner);
    free(remove);
    hs_dup_result_free(res);
    return hs_fail(err, HS_ERR_NOMEM, "duplicates: out of memory");
}
