/*
 * when.h - windows of the week (--when), such as "Thu-Sat 18:00-04:00",
 * and whether an incident's date and time fall inside them (internal).
 *
 * The rules, exactly:
 *
 *  - Spec: one or more windows separated by commas, each [DAYS] START-END.
 *    DAYS: a day, or a range of days DAY-DAY that wraps round the week
 *    ("Fri-Mon" is Friday, Saturday, Sunday and Monday); a day is Mon,
 *    Tue, Wed, Thu, Fri, Sat, Sun or its full name, in any case.  Without
 *    DAYS, every day.  START and END are HH:MM on the 24-hour clock, START
 *    00:00 to 23:59, END 00:01 to 24:00 (an END of 00:00 is midnight,
 *    24:00), START != END.  Spaces around the
 *    parts are allowed.  At most HS_WHEN_MAX windows.
 *  - Inside: an incident on weekday d (1 = Monday .. 7 = Sunday, ISO 8601)
 *    at minute t of the day (0 .. 1439) is inside a window when
 *      START < END (the same day):  d in DAYS and START <= t < END;
 *      START > END (past midnight): d in DAYS and t >= START, or the day
 *        before d in DAYS and t < END - the hours after midnight belong to
 *        the evening the window started on, so a Saturday 02:00 incident
 *        is Friday night ("Thu-Sat 18:00-04:00" holds it; it also holds
 *        Sunday 02:00, Saturday night, and not Thursday 02:00).
 *    END is exclusive: "18:00-04:00" holds 03:59, not 04:00.  Inside the
 *    spec when inside any window.
 *  - Weekday of a date: hs_weekday, proleptic Gregorian calendar
 *    (days-from-civil, Hinnant), 1 = Monday.
 *  - Local times are taken as written, with no time zone: on the day the
 *    clocks go forward an extract's 01:30 (an hour that did not happen)
 *    is 01:30; on the day they go back, both 01:30s are 01:30.
 *  - Windows of time (--start-time, --end-time; the span column): the
 *    incident counts by its share, the aoristic weight (Ratcliffe 2002;
 *    METHODS.md 5) of the minutes inside: with minute of the week m =
 *    (d - 1) 1440 + t and each minute inside as above,
 *      span < 2, no end (-1) or an end before the start (-2): 1 when its
 *        start minute is inside, else 0 (as the time of week puts all of
 *        it at the start);
 *      span >= 10,080 (a week or longer): the minutes of the week inside
 *        / 10,080 (the time of week spreads it evenly);
 *      otherwise: the minutes of [m, m + span) inside, wrapping from
 *        Sunday to Monday, / span.
 *    Each minute of a window is judged on its own, so the minutes after
 *    midnight of "Thu-Sat 18:00-04:00" count on Friday, Saturday and
 *    Sunday mornings, as above.  Share 0: outside.  The share is a
 *    fraction of one incident: counts become sums of shares (README).
 * Units: minutes of the day, weekdays 1..7; shares 0..1.
 *
 * Ownership: hs_when is a plain value (no allocation); hs_when_filter
 * changes the store it is given; prefix tables are the caller's.
 */
#ifndef HOTSPOT_WHEN_H
#define HOTSPOT_WHEN_H

#include <stdint.h>

#include "hotspot/hs_error.h"
#include "input/incidents.h"

#define HS_WHEN_MAX 16

typedef struct hs_when_window {
    unsigned char days;   /* bit d - 1 set: weekday d (1 = Monday) in it */
    int start, end;       /* minutes: start 0..1439, end 1..1440         */
} hs_when_window;

typedef struct hs_when {
    int n;                /* windows; 0: no restriction                  */
    hs_when_window w[HS_WHEN_MAX];
    char text[HS_WHEN_MAX * 24]; /* normalised: "Thu-Sat 18:00-04:00" is 19
                                    characters, ", " between: all fit */
} hs_when;

/* Parses spec into *out.  HS_ERR_ARG with a message naming the part that
 * is wrong (and what a window looks like). */
hs_status hs_when_parse(const char *spec, hs_when *out, hs_error *err);

/* 1 when weekday d (1..7) at minute t (0..1439) is inside w (above). */
int hs_when_contains(const hs_when *w, int d, int t);

#define HS_WHEN_WEEK 10080 /* minutes in a week */

/* p[m] = the minutes of the week before minute m (0..HS_WHEN_WEEK) that
 * are inside w; p has HS_WHEN_WEEK + 1 entries. */
void hs_when_prefix(const hs_when *w, uint16_t *p);

/* The minutes of [m0, m0 + len) inside (p from hs_when_prefix), wrapping
 * round the week; 0 <= m0 < HS_WHEN_WEEK, 0 <= len <= HS_WHEN_WEEK. */
int hs_when_inside(const uint16_t *p, int m0, int len);

/* The share of a window (weekday d, minute t, span as the store keeps it)
 * inside: the rules above. */
double hs_when_share(const uint16_t *p, int d, int t, int32_t span);

/*
 * Keeps in store s only the incidents inside w, compacting it in place:
 * *outside counts those left out, *no_time those with a date but no time
 * (they cannot be placed: left out too).  A row with a month only (day 0:
 * police.uk) is HS_ERR_DATA naming its file (the store needs the time
 * columns, HS_COL_TIME, and the file column, HS_COL_SOURCE).  With a span
 * column (HS_COL_SPAN) each incident's share is kept in a share column
 * (HS_COL_SHARE, added here) and those of share 0 are outside.
 */
hs_status hs_when_filter(const hs_when *w, hs_incidents *s, long *outside,
                         long *no_time, hs_error *err);

/* ISO weekday (1 = Monday .. 7 = Sunday) of day `day` (1..31) of month m
 * (year * 12 + month - 1, as the incident store keeps it). */
int hs_weekday(int32_t m, int day);

#endif
