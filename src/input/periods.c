/* periods.c - periods by name (see periods.h for the rules). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "input/incidents.h"
#include "input/periods.h"

#define MAX_TERM 32 /* "fy2024-ytd" is 10; anything longer is not a period */

/* One side of a range, as written. */
typedef struct term {
    int32_t from, to; /* for a -ytd: the whole year        */
    int ytd;          /* 1: to is cut at the data's last month */
    int fy;
    int year;
} term;

/* "'fy2024q5'" or "'fy2024q5' (in '2024-01:fy2024q5')" into q. */
static void quote(char *q, size_t n, const char *t, size_t len,
                  const char *whole)
{
    if (strlen(whole) == len)
        snprintf(q, n, "'%.*s'", (int)len, t);
    else
        snprintf(q, n, "'%.*s' (in '%.80s')", (int)len, t, whole);
}

static hs_status parse_term(const char *t, size_t len, const char *whole,
                            term *out, hs_error *err)
{
    char s[MAX_TERM + 1], q[200];
    quote(q, sizeof q, t, len < 80 ? len : 80, whole);
    if (len == 0)
        return hs_fail(err, HS_ERR_ARG, "'%.80s': an empty period; give %s",
                       whole, HS_PERIOD_FORMS);
    if (len > MAX_TERM)
        return hs_fail(err, HS_ERR_ARG, "%s: not a period; give %s", q,
                       HS_PERIOD_FORMS);
    for (size_t i = 0; i < len; i++)
        s[i] = (char)tolower((unsigned char)t[i]);
    s[len] = '\0';

    memset(out, 0, sizeof *out);
    const char *p = s;
    if (strncmp(p, "fy", 2) == 0) {
        out->fy = 1;
        p += 2;
    }
    size_t nd = 0;
    int y = 0;
    while (isdigit((unsigned char)p[nd])) {
        if (nd < 4)
            y = y * 10 + (p[nd] - '0');
        nd++;
    }
    if (nd != 4) {
        if (out->fy)
            return hs_fail(err, HS_ERR_ARG, "%s: a financial year is fy and "
                           "the four-digit year it starts in, e.g. fy2024 "
                           "(April 2024 to March 2025)", q);
        if (nd == 0)
            return hs_fail(err, HS_ERR_ARG, "%s: not a period; give %s", q,
                           HS_PERIOD_FORMS);
        return hs_fail(err, HS_ERR_ARG, "%s: a year has four digits; give %s",
                       q, HS_PERIOD_FORMS);
    }
    if (y < 1900)
        return hs_fail(err, HS_ERR_ARG, "%s: years run from 1900 to 9999", q);
    out->year = y;
    p += 4;
    /* the year's first month: January, or April for a financial year */
    int32_t y0 = (int32_t)y * 12 + (out->fy ? 3 : 0);

    if (*p == '\0') {
        out->from = y0;
        out->to = y0 + 11;
    } else if (strcmp(p, "-ytd") == 0) {
        out->from = y0;
        out->to = y0 + 11;
        out->ytd = 1;
    } else if (*p == 'q') {
        if (!(p[1] >= '1' && p[1] <= '4' && p[2] == '\0'))
            return hs_fail(err, HS_ERR_ARG, "%s: a quarter is q1 to q4", q);
        out->from = y0 + 3 * (p[1] - '1');
        out->to = out->from + 2;
    } else if (*p == '-' && !out->fy && isdigit((unsigned char)p[1]) &&
               isdigit((unsigned char)p[2]) && p[3] == '\0') {
        int32_t m;
        if (hs_month_parse(s, len, &m) != 0)
            return hs_fail(err, HS_ERR_ARG, "%s: a month is 01 to 12", q);
        out->from = out->to = m;
    } else if (*p == '-' && out->fy) {
        return hs_fail(err, HS_ERR_ARG, "%s: a financial year takes qN or "
                       "-ytd (fy2024q1, fy2024-ytd); a month is YYYY-MM", q);
    } else if (*p == '/' && !out->fy) {
        return hs_fail(err, HS_ERR_ARG, "%s: write a financial year as fy and "
                       "the year it starts in: fy%d (April %d to March %d)",
                       q, y, y, y + 1);
    } else {
        return hs_fail(err, HS_ERR_ARG, "%s: not a period; give %s", q,
                       HS_PERIOD_FORMS);
    }
    return HS_OK;
}

/* Cuts a -ytd term at the data's last month (check: syntax only). */
static hs_status resolve_ytd(term *t, int32_t last, int check,
                             const char *tx, size_t len, const char *whole,
                             hs_error *err)
{
    if (!t->ytd || check)
        return HS_OK;
    char q[200], a[8], b[8];
    quote(q, sizeof q, tx, len, whole);
    if (last < 0)
        return hs_fail(err, HS_ERR_ARG, "%s: a year-to-date period needs the "
                       "last month in the data", q);
    if (last < t->from) {
        hs_month_format(t->from, a);
        hs_month_format(last, b);
        return hs_fail(err, HS_ERR_ARG, "%s: the %s year %d starts in %s, "
                       "after the last month in the data (%s)", q,
                       t->fy ? "financial" : "calendar", t->year, a, b);
    }
    if (last < t->to)
        t->to = last;
    return HS_OK;
}

static hs_status parse(const char *s, int32_t last, int check, int32_t *from,
                       int32_t *to, hs_error *err)
{
    hs_status rc;
    const char *colon = strchr(s, ':');
    size_t n = strlen(s);
    if (!colon) {
        term t;
        if ((rc = parse_term(s, n, s, &t, err)) ||
            (rc = resolve_ytd(&t, last, check, s, n, s, err)))
            return rc;
        *from = t.from;
        *to = t.to;
        return HS_OK;
    }
    if (strchr(colon + 1, ':'))
        return hs_fail(err, HS_ERR_ARG, "'%.80s': a range is FROM:TO, with "
                       "one ':'", s);
    size_t la = (size_t)(colon - s), lb = n - la - 1;
    term a, b;
    if ((rc = parse_term(s, la, s, &a, err)) ||
        (rc = parse_term(colon + 1, lb, s, &b, err)) ||
        (rc = resolve_ytd(&a, last, check, s, la, s, err)) ||
        (rc = resolve_ytd(&b, last, check, colon + 1, lb, s, err)))
        return rc;
    if (a.from > b.to) {
        char x[8], y[8];
        hs_month_format(a.from, x);
        hs_month_format(b.to, y);
        return hs_fail(err, HS_ERR_ARG, "'%.80s': starts (%s) after it ends "
                       "(%s)", s, x, y);
    }
    *from = a.from;
    *to = b.to;
    return HS_OK;
}

hs_status hs_period_parse(const char *s, int32_t last_month, int32_t *from,
                          int32_t *to, hs_error *err)
{
    return parse(s, last_month, 0, from, to, err);
}

hs_status hs_period_check(const char *s, hs_error *err)
{
    int32_t from, to;
    return parse(s, -1, 1, &from, &to, err);
}

/* 1 if s[0..len) ends in "-ytd", any case. */
static int ends_ytd(const char *s, size_t len)
{
    return len >= 4 && strncasecmp(s + len - 4, "-ytd", 4) == 0;
}

int hs_period_name_is_relative(const char *s)
{
    const char *colon = strchr(s, ':');
    if (!colon)
        return ends_ytd(s, strlen(s));
    return ends_ytd(s, (size_t)(colon - s)) || ends_ytd(colon + 1, strlen(colon + 1));
}
