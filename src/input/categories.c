/* categories.c - crime type / offence code -> group mapping (categories.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"
#include "input/categories.h"
#include "input/csv.h"

struct hs_categories {
    hs_pool *values; /* lower-cased, trimmed value -> id */
    int *group;      /* value id -> group id           */
    size_t cap;
    hs_pool *groups; /* group names (lower case)       */
};

/* Lower-cases and trims s[0..len) into buf (size cap); returns the new
 * length, or TOO_LONG (buf "") if it does not fit.  Never truncates: a cut
 * name could end in a space it no longer trims, or equal a different long
 * name's prefix (both found by fuzzing, tests/fuzz/regress/categories). */
#define TOO_LONG ((size_t)-1)
static size_t normalise(const char *s, size_t len, char *buf, size_t cap)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len >= cap) {
        buf[0] = '\0';
        return TOO_LONG;
    }
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    buf[len] = '\0';
    return len;
}

void hs_categories_destroy(hs_categories *c)
{
    if (!c)
        return;
    hs_pool_destroy(c->values);
    hs_pool_destroy(c->groups);
    free(c->group);
    free(c);
}

static hs_categories *load(hs_csv *csv, hs_error *err)
{
    hs_categories *c = calloc(1, sizeof *c);
    int header_seen = 0;
    if (!c || !(c->values = hs_pool_create()) ||
        !(c->groups = hs_pool_create())) {
        hs_fail(err, HS_ERR_NOMEM, "category mapping: out of memory");
        goto fail;
    }
    int r;
    while ((r = hs_csv_next(csv, err)) == 1) {
        size_t l0, l1;
        const char *v = hs_csv_field(csv, 0, &l0);
        if (l0 > 0 && v[0] == '#')
            continue;
        if (!header_seen) { /* the first non-comment line is the header */
            header_seen = 1;
            char b[16];
            normalise(v, l0, b, sizeof b);
            if (strcmp(b, "value") != 0) {
                hs_fail(err, HS_ERR_DATA,
                        "category mapping '%s' line %ld: expected a header "
                        "'value,group[,note]'",
                        hs_csv_name(csv), hs_csv_line(csv));
                goto fail;
            }
            continue;
        }
        const char *g = hs_csv_field(csv, 1, &l1);
        char vb[256], gb[64];
        size_t vn = normalise(v, l0, vb, sizeof vb);
        size_t gn = normalise(g, l1, gb, sizeof gb);
        if (vn == TOO_LONG || gn == TOO_LONG) {
            hs_fail(err, HS_ERR_DATA,
                    "category mapping '%s' line %ld: %s is longer than %zu "
                    "bytes", hs_csv_name(csv), hs_csv_line(csv),
                    vn == TOO_LONG ? "the value" : "the group name",
                    (vn == TOO_LONG ? sizeof vb : sizeof gb) - 1);
            goto fail;
        }
        if (hs_csv_nfields(csv) < 2 || vn == 0 || gn == 0) {
            hs_fail(err, HS_ERR_DATA,
                    "category mapping '%s' line %ld: need a value and a group",
                    hs_csv_name(csv), hs_csv_line(csv));
            goto fail;
        }
        if (hs_categories_group_of(c, vb, vn) >= 0) {
            hs_fail(err, HS_ERR_DATA,
                    "category mapping '%s' line %ld: value '%s' is mapped twice",
                    hs_csv_name(csv), hs_csv_line(csv), vb);
            goto fail;
        }
        int gid = hs_pool_intern(c->groups, gb, gn);
        int vid = hs_pool_intern(c->values, vb, vn);
        if (gid < 0 || vid < 0)
            goto nomem;
        if ((size_t)vid >= c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 64;
            int *grp = realloc(c->group, cap * sizeof *grp);
            if (!grp)
                goto nomem;
            c->group = grp;
            c->cap = cap;
        }
        c->group[vid] = gid;
    }
    if (r < 0)
        goto fail;
    if (hs_pool_count(c->values) == 0) {
        hs_fail(err, HS_ERR_DATA, "category mapping '%s': no mappings",
                hs_csv_name(csv));
        goto fail;
    }
    return c;
nomem:
    hs_fail(err, HS_ERR_NOMEM, "category mapping: out of memory");
fail:
    hs_categories_destroy(c);
    return NULL;
}

hs_categories *hs_categories_load(const char *path, hs_error *err)
{
    hs_csv *csv = hs_csv_open(path, err);
    if (!csv)
        return NULL;
    hs_categories *c = load(csv, err);
    hs_csv_close(csv);
    return c;
}

hs_categories *hs_categories_load_mem(const char *data, size_t len,
                                      const char *name, hs_error *err)
{
    hs_csv *csv = hs_csv_open_mem(data, len, name, err);
    if (!csv)
        return NULL;
    hs_categories *c = load(csv, err);
    hs_csv_close(csv);
    return c;
}

int hs_categories_group_of(const hs_categories *c, const char *value,
                           size_t len)
{
    char b[256];
    size_t n = normalise(value, len, b, sizeof b);
    if (n == TOO_LONG)
        return -1; /* longer than any value the mapping accepts */
    int vid = hs_pool_find(c->values, b, n);
    return vid < 0 ? -1 : c->group[vid];
}

size_t hs_categories_ngroups(const hs_categories *c)
{
    return hs_pool_count(c->groups);
}

const char *hs_categories_group_name(const hs_categories *c, int group)
{
    return hs_pool_str(c->groups, group);
}

int hs_categories_find_group(const hs_categories *c, const char *name)
{
    char b[64];
    size_t n = normalise(name, strlen(name), b, sizeof b);
    if (n == TOO_LONG)
        return -1;
    return hs_pool_find(c->groups, b, n);
}
