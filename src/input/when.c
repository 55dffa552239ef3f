/* when.c - windows of the week (when.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input/when.h"

static const char *const DAY[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const FULL[7] = {"monday", "tuesday", "wednesday", "thursday",
                                    "friday", "saturday", "sunday"};

static const char *skip(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* A day name at p: its number 1..7 and *end after it, or 0. */
static int day_at(const char *p, const char **end)
{
    size_t n = 0;
    while (isalpha((unsigned char)p[n]))
        n++;
    for (int d = 0; d < 7 && n >= 3; d++)
        if ((n == 3 && strncasecmp(p, DAY[d], 3) == 0) ||
            (n == strlen(FULL[d]) && strncasecmp(p, FULL[d], n) == 0)) {
            *end = p + n;
            return d + 1;
        }
    return 0;
}

/* HH:MM at p into minutes, *end after it; -1 if not a time. */
static int time_at(const char *p, const char **end)
{
    if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
        p[2] != ':' || !isdigit((unsigned char)p[3]) || !isdigit((unsigned char)p[4]) ||
        isdigit((unsigned char)p[5]))
        return -1;
    int h = (p[0] - '0') * 10 + (p[1] - '0'), m = (p[3] - '0') * 10 + (p[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    *end = p + 5;
    return h * 60 + m;
}

static hs_status bad(hs_error *err, const char *spec, const char *part, size_t len,
                     const char *why)
{
    return hs_fail(err, HS_ERR_ARG, "--when '%s': '%.*s' %s (a window is [DAYS] "
                   "HH:MM-HH:MM, e.g. \"Thu-Sat 18:00-04:00\", several separated "
                   "by commas)", spec, (int)len, part, why);
}

hs_status hs_when_parse(const char *spec, hs_when *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    if (!spec || !*skip(spec))
        return hs_fail(err, HS_ERR_ARG, "--when: empty (a window is [DAYS] "
                       "HH:MM-HH:MM, e.g. \"Thu-Sat 18:00-04:00\")");
    const char *p = spec;
    size_t tl = 0;
    for (;;) {
        const char *part = skip(p), *q = part, *e;
        size_t plen = strcspn(part, ",");
        while (plen && (part[plen - 1] == ' ' || part[plen - 1] == '\t'))
            plen--;
        if (plen == 0)
            return hs_fail(err, HS_ERR_ARG, "--when '%s': an empty window "
                           "between commas", spec);
        if (out->n == HS_WHEN_MAX)
            return bad(err, spec, part, plen, "is one window too many");
        hs_when_window *w = &out->w[out->n];
        int d0 = day_at(q, &e), d1 = d0;
        if (d0) {
            q = skip(e);
            d1 = d0;
            if (*q == '-' && (d1 = day_at(skip(q + 1), &e)) != 0)
                q = skip(e);
            else if (*q == '-')
                return bad(err, spec, part, plen, "has a day range without a "
                           "second day");
            for (int d = d0;; d = d % 7 + 1) { /* wraps: Fri-Mon */
                w->days |= (unsigned char)(1u << (d - 1));
                if (d == d1)
                    break;
            }
        } else if (isalpha((unsigned char)*q)) {
            return bad(err, spec, part, plen, "does not start with a day "
                       "(Mon .. Sun) or a time");
        } else {
            w->days = 0x7f;
        }
        if ((w->start = time_at(q, &e)) < 0)
            return bad(err, spec, part, plen, "has no start time HH:MM (00:00 "
                       "to 23:59)");
        q = skip(e);
        if (*q != '-' || (w->end = time_at(skip(q + 1), &e)) < 0)
            return bad(err, spec, part, plen, "has no end time HH:MM (00:01 to "
                       "24:00) after the '-'");
        q = skip(e);
        if (*q && *q != ',')
            return bad(err, spec, part, plen, "has something after the end time");
        if (w->end == 0) /* "18:00-00:00": until midnight */
            w->end = 1440;
        if (w->start == 1440 || w->start == w->end)
            return bad(err, spec, part, plen, "is empty or starts at 24:00 "
                       "(start 00:00 to 23:59, end 00:01 to 24:00, not equal)");
        /* normalised text: days as given (first-last), times */
        char days[16] = "";
        if (w->days != 0x7f || d0)
            snprintf(days, sizeof days, d0 == d1 ? "%s " : "%s-%s ", DAY[d0 - 1],
                     DAY[d1 - 1]);
        int k = snprintf(out->text + tl, sizeof out->text - tl, "%s%s%02d:%02d-%02d:%02d",
                         out->n ? ", " : "", days, w->start / 60, w->start % 60,
                         w->end / 60, w->end % 60);
        if (k > 0 && (size_t)k < sizeof out->text - tl)
            tl += (size_t)k;
        out->n++;
        if (!*q)
            break;
        p = q + 1;
        if (!*skip(p))
            return hs_fail(err, HS_ERR_ARG, "--when '%s': a comma with no window "
                           "after it", spec);
    }
    return HS_OK;
}

int hs_when_contains(const hs_when *w, int d, int t)
{
    int prev = d == 1 ? 7 : d - 1;
    for (int k = 0; k < w->n; k++) {
        const hs_when_window *x = &w->w[k];
        int today = (x->days >> (d - 1)) & 1, yesterday = (x->days >> (prev - 1)) & 1;
        if (x->start < x->end ? today && t >= x->start && t < x->end
                              : (today && t >= x->start) || (yesterday && t < x->end))
            return 1;
    }
    return 0;
}

hs_status hs_when_filter(const hs_when *w, hs_incidents *s, long *outside,
                         long *no_time, hs_error *err)
{
    size_t k = 0;
    *outside = *no_time = 0;
    if (!s->day || !s->minute || !s->month)
        return hs_fail(err, HS_ERR_ARG, "--when: the incidents were read "
                       "without their dates and times");
    uint16_t *pre = NULL;
    hs_status rc = HS_OK;
    if (s->span) {
        if (!(pre = malloc((HS_WHEN_WEEK + 1) * sizeof *pre)) ||
            (rc = hs_incidents_add_cols(s, HS_COL_SHARE, err))) {
            free(pre);
            return rc ? rc : hs_fail(err, HS_ERR_NOMEM, "--when: out of memory");
        }
        hs_when_prefix(w, pre);
    }
    for (size_t i = 0; i < s->n; i++) {
        if (s->day[i] == 0) {
            free(pre);
            return hs_fail(err, HS_ERR_DATA, "incidents '%s': --when needs "
                           "each incident's date and time, and this file "
                           "gives months only (as police.uk street files "
                           "do): leave --when out, or use an extract with "
                           "dates and times (--date, --time)",
                           s->file ? hs_pool_str(s->files, s->file[i]) : "?");
        }
        if (s->minute[i] < 0) {
            (*no_time)++;
            continue;
        }
        int d = hs_weekday(s->month[i], s->day[i]);
        if (pre) {
            double share = hs_when_share(pre, d, s->minute[i], s->span[i]);
            s->share[i] = (float)share;
            if (!(share > 0)) {
                (*outside)++;
                continue;
            }
        } else if (!hs_when_contains(w, d, s->minute[i])) {
            (*outside)++;
            continue;
        }
        hs_incidents_move_row(s, k++, i);
    }
    s->n = k;
    free(pre);
    return HS_OK;
}

void hs_when_prefix(const hs_when *w, uint16_t *p)
{
    p[0] = 0;
    for (int m = 0; m < HS_WHEN_WEEK; m++)
        p[m + 1] = (uint16_t)(p[m] + hs_when_contains(w, m / 1440 + 1, m % 1440));
}

int hs_when_inside(const uint16_t *p, int m0, int len)
{
    int m1 = m0 + len;
    if (m1 <= HS_WHEN_WEEK)
        return p[m1] - p[m0];
    return (p[HS_WHEN_WEEK] - p[m0]) + p[m1 - HS_WHEN_WEEK];
}

double hs_when_share(const uint16_t *p, int d, int t, int32_t span)
{
    int m = (d - 1) * 1440 + t;
    if (span < 2)
        return hs_when_inside(p, m, 1);
    if (span >= HS_WHEN_WEEK)
        return (double)p[HS_WHEN_WEEK] / HS_WHEN_WEEK;
    return (double)hs_when_inside(p, m, (int)span) / (double)span;
}

int hs_weekday(int32_t m, int day)
{
    long days = hs_days_from_civil(m, day); /* 1970-01-01 was a Thursday */
    return (int)((days % 7 + 7 + 3) % 7) + 1;
}
