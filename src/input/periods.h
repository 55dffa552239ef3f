/*
 * periods.h - periods by name: "fy2024", "2024q1", "fy2024-ytd", months
 * and ranges of them (internal).
 *
 * A period is a run of whole months, from and to inclusive, each month
 * year*12 + (month-1) as hs_month_parse gives.  The rules, exactly:
 *
 *  - Month.  "YYYY-MM": that month alone (from = to).
 *  - Calendar year.  "YYYY": January to December of YYYY.
 *  - Calendar quarter.  "YYYYqN", N 1 to 4: q1 January-March, q2 April-June,
 *    q3 July-September, q4 October-December of YYYY.
 *  - Financial year.  "fyYYYY": the UK financial year that starts in
 *    YYYY, April YYYY to March YYYY+1 (fy2024 = 2024-04 to 2025-03).  YYYY
 *    is always the year it starts in: there is no "fy24" or "2024/25".
 *  - Financial quarter.  "fyYYYYqN": q1 April-June YYYY, q2 July-September,
 *    q3 October-December YYYY, q4 January-March YYYY+1 (fy2024q4 =
 *    2025-01 to 2025-03).
 *  - Year to date.  "fyYYYY-ytd": from April YYYY to the last month in the
 *    data, or to March YYYY+1 once the data pass the year's end (then it
 *    is the whole year).  "YYYY-ytd": the same for the calendar year, from
 *    January YYYY.  These need the last month in the data; a year whose
 *    first month is after it is an error naming both.
 *  - Range.  "A:B", each side any of the forms above but a range: from A's
 *    first month to B's last ("2024-04:2024-12", "fy2023q3:fy2024q2").
 *    A must not start after B ends.
 *  - Letters ("fy", "q", "ytd") in any case; no spaces; years 1900 to
 *    9999, four digits.
 *
 * Units: months.  Errors are HS_ERR_ARG with a message that starts with
 * the text in quotes and says what is accepted, e.g. "'fy2024q5': a
 * quarter is q1 to q4"; a year-to-date period whose year starts after the
 * data's last month is HS_ERR_ARG too (the name does not fit the data, as
 * --compare previous-year on a long period), naming both.  The caller adds
 * the flag or file ("--period ...").
 */
#ifndef HOTSPOT_PERIODS_H
#define HOTSPOT_PERIODS_H

#include <stdint.h>

#include "hotspot/hs_error.h"

/* The forms, for messages and help texts. */
#define HS_PERIOD_FORMS "YYYY-MM, FROM:TO, YYYY, YYYYqN, fyYYYY, fyYYYYqN, " \
                        "fyYYYY-ytd or YYYY-ytd"

/* Parses s into [*from, *to].  last_month: the last month in the data, or
 * negative when it is not known yet (then a -ytd period is HS_ERR_ARG:
 * "needs the data").  On failure *from and *to are left as they were. */
hs_status hs_period_parse(const char *s, int32_t last_month, int32_t *from,
                          int32_t *to, hs_error *err);

/* 1 when s names a period relative to the data (a -ytd on either side of a
 * range), so it can only be resolved after the incidents are read; 0
 * otherwise (also for text that is not a period). */
int hs_period_name_is_relative(const char *s);

/* Checks the syntax of s without the data (a -ytd is taken as well
 * formed): for usage errors before any work is done.  HS_ERR_ARG as
 * hs_period_parse. */
hs_status hs_period_check(const char *s, hs_error *err);

#endif
