/* targetfile.c - the targets CSV (see targetfile.h for the rules). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input/csv.h"
#include "input/periods.h"
#include "input/targetfile.h"

enum { COL_AREA, COL_GROUP, COL_PERIOD, COL_TARGET, NCOL };
static const char *const col_name[NCOL] = {"area_id", "crime_group", "period",
                                           "target"};

void hs_targets_destroy(hs_targets *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].area_id);
        free(t->v[i].group);
        free(t->v[i].period);
    }
    free(t->v);
    free(t);
}

/* Field i of the record without surrounding spaces and tabs, copied into
 * a new string (NULL: out of memory). */
static char *trimmed(const hs_csv *c, size_t i)
{
    size_t len;
    const char *f = hs_csv_field(c, i, &len);
    while (len && (*f == ' ' || *f == '\t'))
        f++, len--;
    while (len && (f[len - 1] == ' ' || f[len - 1] == '\t'))
        len--;
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, f, len);
        s[len] = '\0';
    }
    return s;
}

/* The header's column of each name, or an error naming what is there. */
static hs_status read_header(hs_csv *c, size_t col[NCOL], hs_error *err)
{
    const char *name = hs_csv_name(c);
    hs_error e = {0};
    int r = hs_csv_next(c, &e);
    if (r < 0)
        return hs_fail(err, e.code, "targets: %s", e.msg);
    if (r == 0)
        return hs_fail(err, HS_ERR_DATA, "targets '%s': empty file (give a "
                       "header area_id,crime_group,period,target and a row "
                       "per target)", name);
    for (int k = 0; k < NCOL; k++)
        col[k] = (size_t)-1;
    size_t nf = hs_csv_nfields(c);
    for (size_t i = 0; i < nf; i++) {
        char *h = trimmed(c, i);
        if (!h)
            return hs_fail(err, HS_ERR_NOMEM, "targets: out of memory");
        for (int k = 0; k < NCOL; k++) {
            if (strcasecmp(h, col_name[k]) != 0)
                continue;
            if (col[k] != (size_t)-1) {
                free(h);
                return hs_fail(err, HS_ERR_DATA, "targets '%s': column '%s' "
                               "appears twice in the header (columns %zu and "
                               "%zu)", name, col_name[k], col[k] + 1, i + 1);
            }
            col[k] = i;
        }
        free(h);
    }
    for (int k = 0; k < NCOL; k++) {
        if (col[k] != (size_t)-1)
            continue;
        char have[300] = "";
        for (size_t i = 0; i < nf && strlen(have) < 200; i++) {
            size_t l = strlen(have);
            snprintf(have + l, sizeof have - l, "%s'%.40s'", i ? ", " : "",
                     hs_csv_field(c, i, NULL));
        }
        return hs_fail(err, HS_ERR_DATA, "targets '%s': no column '%s' in the "
                       "header (it has %s); give area_id, crime_group, period "
                       "and target", name, col_name[k], have);
    }
    return HS_OK;
}

/* One record into t (its strings owned by t from the first one set). */
static hs_status read_row(hs_csv *c, const size_t col[NCOL], hs_target *t,
                          hs_error *err)
{
    const char *name = hs_csv_name(c);
    long line = hs_csv_line(c);
    char *target = NULL, *end = NULL;
    hs_status rc = HS_OK;
    hs_error e = {0};
    memset(t, 0, sizeof *t);
    t->line = line;
    if (!(t->area_id = trimmed(c, col[COL_AREA])) ||
        !(t->group = trimmed(c, col[COL_GROUP])) ||
        !(t->period = trimmed(c, col[COL_PERIOD])) ||
        !(target = trimmed(c, col[COL_TARGET]))) {
        rc = hs_fail(err, HS_ERR_NOMEM, "targets: out of memory");
        goto cleanup;
    }
    if (!*t->area_id) {
        rc = hs_fail(err, HS_ERR_DATA, "targets '%s' line %ld, field area_id: "
                     "empty (give an area id, or all for the whole study "
                     "area)", name, line);
        goto cleanup;
    }
    if (strcasecmp(t->area_id, "all") == 0) {
        free(t->area_id);
        t->area_id = NULL;
    }
    if (!*t->group) {
        rc = hs_fail(err, HS_ERR_DATA, "targets '%s' line %ld, field "
                     "crime_group: empty (give a group, e.g. asb)", name, line);
        goto cleanup;
    }
    if (hs_period_name_is_relative(t->period)) {
        rc = hs_fail(err, HS_ERR_DATA, "targets '%s' line %ld, field period: "
                     "'%.80s': a target is for a whole period (fy2024, not "
                     "fy2024-ytd); the run counts it so far", name, line,
                     t->period);
        goto cleanup;
    }
    if (hs_period_parse(t->period, -1, &t->from, &t->to, &e) != HS_OK) {
        rc = hs_fail(err, HS_ERR_DATA, "targets '%s' line %ld, field period: "
                     "%s", name, line, e.msg);
        goto cleanup;
    }
    t->target = strtod(target, &end);
    if (!*target || *end || !isfinite(t->target) || t->target < 0) {
        rc = hs_fail(err, HS_ERR_DATA, "targets '%s' line %ld, field target: "
                     "'%.40s' is not a number (give a count >= 0)", name, line,
                     target);
        goto cleanup;
    }
cleanup:
    free(target);
    return rc;
}

static int same_target(const hs_target *a, const hs_target *b)
{
    return a->from == b->from && a->to == b->to &&
           strcasecmp(a->group, b->group) == 0 &&
           (a->area_id && b->area_id ? strcmp(a->area_id, b->area_id) == 0
                                     : a->area_id == b->area_id);
}

/* 1 if every field of the record is blank (",,," rows that spreadsheets
 * leave at the end). */
static int blank_record(const hs_csv *c)
{
    for (size_t i = 0; i < hs_csv_nfields(c); i++)
        for (const char *f = hs_csv_field(c, i, NULL); *f; f++)
            if (*f != ' ' && *f != '\t')
                return 0;
    return 1;
}

static hs_targets *read_all(hs_csv *c, hs_error *err)
{
    hs_targets *T = NULL;
    size_t col[NCOL], cap = 0;
    hs_status rc;
    int r;
    hs_error e = {0};
    if (!c) { /* csv.h's message names the file */
        if (err) {
            char m[sizeof err->msg];
            snprintf(m, sizeof m, "%s", err->msg);
            hs_fail(err, err->code, "targets: %s", m);
        }
        return NULL;
    }
    hs_csv_detect_separator(c);
    if ((rc = read_header(c, col, err)))
        goto fail;
    if (!(T = calloc(1, sizeof *T))) {
        hs_fail(err, HS_ERR_NOMEM, "targets: out of memory");
        goto fail;
    }
    while ((r = hs_csv_next(c, &e)) == 1) {
        if (blank_record(c))
            continue;
        if (T->n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            hs_target *v = realloc(T->v, nc * sizeof *v);
            if (!v) {
                hs_fail(err, HS_ERR_NOMEM, "targets: out of memory");
                goto fail;
            }
            T->v = v;
            cap = nc;
        }
        hs_target *t = &T->v[T->n++]; /* counted now: freed on failure */
        if ((rc = read_row(c, col, t, err)))
            goto fail;
        for (size_t i = 0; i + 1 < T->n; i++)
            if (same_target(&T->v[i], t)) {
                hs_fail(err, HS_ERR_DATA, "targets '%s' line %ld repeats line "
                        "%ld: area %.60s, group %.40s, period %.40s",
                        hs_csv_name(c), t->line, T->v[i].line,
                        t->area_id ? t->area_id : "all", t->group, t->period);
                goto fail;
            }
    }
    if (r < 0) {
        hs_fail(err, e.code, "targets: %s", e.msg);
        goto fail;
    }
    if (T->n == 0) {
        hs_fail(err, HS_ERR_DATA, "targets '%s': no data rows (header only)",
                hs_csv_name(c));
        goto fail;
    }
    hs_csv_close(c);
    return T;
fail:
    hs_targets_destroy(T);
    hs_csv_close(c);
    return NULL;
}

hs_targets *hs_targets_read(const char *path, hs_error *err)
{
    return read_all(hs_csv_open(path, err), err);
}

hs_targets *hs_targets_read_mem(const char *data, size_t len,
                                const char *name, hs_error *err)
{
    return read_all(hs_csv_open_mem(data, len, name, err), err);
}
