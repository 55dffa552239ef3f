/* template.c - see template.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/template.h"

typedef struct var {
    int row; /* -1: global */
    char *key, *val;
} var;

struct hs_vars {
    var *v;
    size_t n, cap;
    size_t rows;
};

hs_vars *hs_vars_create(void) { return calloc(1, sizeof(hs_vars)); }

void hs_vars_destroy(hs_vars *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->v[i].key);
        free(v->v[i].val);
    }
    free(v->v);
    free(v);
}

size_t hs_vars_rows(const hs_vars *v) { return v ? v->rows : 0; }

static var *find(const hs_vars *v, int row, const char *key, size_t klen)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i].row == row && strlen(v->v[i].key) == klen &&
            memcmp(v->v[i].key, key, klen) == 0)
            return &v->v[i];
    return NULL;
}

int hs_vars_set(hs_vars *v, int row, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *val = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!val)
        return -1;
    va_start(ap, fmt);
    vsnprintf(val, (size_t)n + 1, fmt, ap);
    va_end(ap);

    var *old = find(v, row, key, strlen(key));
    if (old) {
        free(old->val);
        old->val = val;
        return 0;
    }
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 32;
        var *nv = realloc(v->v, cap * sizeof *nv);
        if (!nv) {
            free(val);
            return -1;
        }
        v->v = nv;
        v->cap = cap;
    }
    char *k = malloc(strlen(key) + 1);
    if (!k) {
        free(val);
        return -1;
    }
    strcpy(k, key);
    v->v[v->n++] = (var){row, k, val};
    if (row >= 0 && (size_t)row + 1 > v->rows)
        v->rows = (size_t)row + 1;
    return 0;
}

int hs_str_append(char **buf, size_t *len, size_t *cap, const char *s,
                  size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (c < *len + n + 1)
            c *= 2;
        char *nb = realloc(*buf, c);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

static int append_xml(char **buf, size_t *len, size_t *cap, const char *s)
{
    for (; *s; s++) {
        const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;"
                      : *s == '>' ? "&gt;" : *s == '"' ? "&quot;"
                      : *s == '\'' ? "&apos;" : NULL;
        if (e ? hs_str_append(buf, len, cap, e, strlen(e))
              : hs_str_append(buf, len, cap, s, 1))
            return -1;
    }
    return 0;
}

#define ROWS_OPEN "<!--rows-->"
#define ROWS_CLOSE "<!--/rows-->"

/* Renders [p, end) for one row (-1: outside any rows section). */
static hs_status render_span(const char *name, const char *p, const char *end,
                             const hs_vars *v, int row, char **buf,
                             size_t *len, size_t *cap, hs_error *err)
{
    while (p < end) {
        const char *m = strstr(p, "{{");
        if (!m || m >= end)
            m = end;
        if (hs_str_append(buf, len, cap, p, (size_t)(m - p)))
            return hs_fail(err, HS_ERR_NOMEM, "style '%s': out of memory", name);
        if (m == end)
            break;
        int raw = m + 2 < end && m[2] == '{';
        const char *k = m + 2 + raw;
        const char *close = strstr(k, raw ? "}}}" : "}}");
        if (!close || close >= end)
            return hs_fail(err, HS_ERR_ARG, "style '%s': unclosed '{{' at "
                           "offset %ld", name, (long)(m - p));
        size_t klen = (size_t)(close - k);
        const var *x = row >= 0 ? find(v, row, k, klen) : NULL;
        if (!x)
            x = find(v, -1, k, klen);
        if (!x)
            return hs_fail(err, HS_ERR_ARG, "style '%s': no value for "
                           "'%.*s'", name, (int)klen, k);
        if (raw ? hs_str_append(buf, len, cap, x->val, strlen(x->val))
                : append_xml(buf, len, cap, x->val))
            return hs_fail(err, HS_ERR_NOMEM, "style '%s': out of memory", name);
        p = close + 2 + raw;
    }
    return HS_OK;
}

char *hs_tpl_render(const char *name, const char *tpl, const hs_vars *v,
                    hs_error *err)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    const char *p = tpl;
    if (!tpl || !v) {
        hs_fail(err, HS_ERR_ARG, "style '%s': missing template", name);
        return NULL;
    }
    if (hs_str_append(&buf, &len, &cap, "", 0)) {
        hs_fail(err, HS_ERR_NOMEM, "style '%s': out of memory", name);
        return NULL;
    }
    for (;;) {
        const char *open = strstr(p, ROWS_OPEN);
        const char *stop = open ? open : p + strlen(p);
        const char *stray = strstr(p, ROWS_CLOSE);
        if (stray && stray < stop) {
            hs_fail(err, HS_ERR_ARG, "style '%s': '%s' without '%s'", name,
                    ROWS_CLOSE, ROWS_OPEN);
            goto fail;
        }
        if (render_span(name, p, stop, v, -1, &buf, &len, &cap, err))
            goto fail;
        if (!open)
            break;
        const char *body = open + strlen(ROWS_OPEN);
        const char *close = strstr(body, ROWS_CLOSE);
        const char *nested = strstr(body, ROWS_OPEN);
        if (!close || (nested && nested < close)) {
            hs_fail(err, HS_ERR_ARG, "style '%s': '%s' without '%s' (or "
                    "nested)", name, ROWS_OPEN, ROWS_CLOSE);
            goto fail;
        }
        for (size_t r = 0; r < v->rows; r++)
            if (render_span(name, body, close, v, (int)r, &buf, &len, &cap,
                            err))
                goto fail;
        p = close + strlen(ROWS_CLOSE);
    }
    return buf;
fail:
    free(buf);
    return NULL;
}
