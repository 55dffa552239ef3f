/* incidents.c - the incident store (see incidents.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "input/incidents.h"

hs_incidents *hs_incidents_create(hs_error *err)
{
    return hs_incidents_create_cols(HS_COL_ALL, err);
}

hs_incidents *hs_incidents_create_cols(unsigned cols, hs_error *err)
{
    hs_incidents *s = calloc(1, sizeof *s);
    if (s)
        s->cols = cols & (HS_COL_ALL | HS_COL_KEY | HS_COL_SPAN | HS_COL_SHARE);
    if (!s || !(s->types = hs_pool_create()) ||
        !(s->locations = hs_pool_create()) || !(s->lsoas = hs_pool_create()) ||
        !(s->files = hs_pool_create()) || !(s->keys = hs_pool_create())) {
        hs_incidents_destroy(s);
        hs_fail(err, HS_ERR_NOMEM, "incident store: out of memory");
        return NULL;
    }
    return s;
}

void hs_incidents_destroy(hs_incidents *s)
{
    if (!s)
        return;
    free(s->x);
    free(s->y);
    free(s->month);
    free(s->day);
    free(s->minute);
    free(s->group);
    free(s->type);
    free(s->location);
    free(s->lsoa);
    free(s->file);
    free(s->row);
    free(s->weight);
    free(s->area);
    free(s->key);
    free(s->span);
    free(s->share);
    hs_pool_destroy(s->types);
    hs_pool_destroy(s->locations);
    hs_pool_destroy(s->lsoas);
    hs_pool_destroy(s->files);
    hs_pool_destroy(s->keys);
    free(s);
}

#define GROW(field)                                                           \
    do {                                                                      \
        void *p_ = realloc(s->field, cap * sizeof *s->field);                 \
        if (!p_)                                                              \
            return hs_fail(err, HS_ERR_NOMEM,                                 \
                           "incident store: out of memory at %zu rows", cap); \
        s->field = p_;                                                        \
        hs_advise_huge(p_, cap * sizeof *s->field);                           \
    } while (0)

hs_status hs_incidents_reserve(hs_incidents *s, size_t more, hs_error *err)
{
    if (s->n + more <= s->cap)
        return HS_OK;
    if (s->borrowed)
        return hs_fail(err, HS_ERR_NOMEM, "incident store: a borrowed view "
                       "cannot grow past %zu rows", s->cap);
    size_t cap = s->cap ? s->cap : 4096;
    while (cap < s->n + more)
        cap += cap / 2; /* 1.5x keeps the transient peak of realloc lower */
    GROW(x);
    GROW(y);
    GROW(weight);
    if (s->cols & HS_COL_SOURCE) {
        GROW(file);
        GROW(row);
    }
    if (s->cols & HS_COL_TIME) {
        GROW(month);
        GROW(day);
        GROW(minute);
    }
    if (s->cols & HS_COL_TYPE) {
        GROW(group);
        GROW(type);
    }
    if (s->cols & HS_COL_LABELS) {
        GROW(location);
        GROW(lsoa);
    }
    if (s->cols & HS_COL_AREA)
        GROW(area);
    if (s->cols & HS_COL_KEY)
        GROW(key);
    if (s->cols & HS_COL_SPAN)
        GROW(span);
    if (s->cols & HS_COL_SHARE)
        GROW(share);
    s->cap = cap;
    return HS_OK;
}

hs_status hs_incidents_add_cols(hs_incidents *s, unsigned cols, hs_error *err)
{
    size_t cap = s->cap ? s->cap : 1;
    if ((cols & HS_COL_KEY) && !(s->cols & HS_COL_KEY)) {
        GROW(key);
        for (size_t i = 0; i < s->n; i++)
            s->key[i] = -1;
        s->cols |= HS_COL_KEY;
    }
    if ((cols & HS_COL_SPAN) && !(s->cols & HS_COL_SPAN)) {
        GROW(span);
        for (size_t i = 0; i < s->n; i++)
            s->span[i] = -1;
        s->cols |= HS_COL_SPAN;
    }
    if ((cols & HS_COL_SHARE) && !(s->cols & HS_COL_SHARE)) {
        GROW(share);
        for (size_t i = 0; i < s->n; i++)
            s->share[i] = 1;
        s->cols |= HS_COL_SHARE;
    }
    if (cols & ~(unsigned)(HS_COL_KEY | HS_COL_SPAN | HS_COL_SHARE) & ~s->cols)
        return hs_fail(err, HS_ERR_ARG, "incident store: only the key, span "
                       "and share columns can be added");
    return HS_OK;
}

void hs_incidents_move_row(hs_incidents *s, size_t d, size_t from)
{
#define COPY(col) if (s->col) s->col[d] = s->col[from]
    COPY(x); COPY(y); COPY(month); COPY(day); COPY(minute); COPY(group);
    COPY(type); COPY(location); COPY(lsoa); COPY(file); COPY(row);
    COPY(weight); COPY(area); COPY(key); COPY(span); COPY(share);
#undef COPY
}

int hs_month_parse(const char *s, size_t len, int32_t *out)
{
    /* exactly YYYY-MM */
    if (len != 7 || s[4] != '-')
        return -1;
    int y = 0, m = 0;
    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        y = y * 10 + (s[i] - '0');
    }
    for (int i = 5; i < 7; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        m = m * 10 + (s[i] - '0');
    }
    if (y < 1900 || m < 1 || m > 12)
        return -1;
    *out = y * 12 + m - 1;
    return 0;
}

/* By hand, not snprintf: it runs for every incident written (snprintf was
 * a tenth of writing 1M points, measured). */
void hs_month_format(int32_t m, char buf[8])
{
    unsigned y = (unsigned)(m / 12) % 10000u, mo = (unsigned)(m % 12) % 12u + 1u;
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + mo / 10);
    buf[6] = (char)('0' + mo % 10);
    buf[7] = '\0';
}

long hs_days_from_civil(int32_t m, int day)
{
    long y = m / 12, mo = m % 12 + 1;
    y -= mo <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}
