/*
 * timeofweek.h - incidents by hour of the week, per area and group
 * (internal; the `timeofweek` table).
 *
 * The rules, exactly:
 *  - Incidents: those of the store in the analysis period [from, to]
 *    (months), assigned to an area, in one of the groups, with a date
 *    and a time (day > 0, minute >= 0).  Others are not counted; those
 *    with a month only or no time are counted in *untimed.
 *  - Slot: the incident's own weekday (hs_weekday: 1 = Monday .. 7 =
 *    Sunday, ISO 8601; not the evening rule of --when: a Saturday 02:00
 *    incident is Saturday, hour 2) and hour = minute / 60 (0..23).
 *  - Weight: the incident's weight (1 unless --weight), all of it in its
 *    hour: an exact time is a window of no length, which Ratcliffe's
 *    aoristic method gives wholly to the hour it falls in.
 * Units: incidents (weights) per hour of the week.
 *
 * Ownership: w is the caller's, na x ng x 168 doubles, [(a ng + g) 168 +
 * (day - 1) 24 + hour], filled here.
 */
#ifndef HOTSPOT_TIMEOFWEEK_H
#define HOTSPOT_TIMEOFWEEK_H

#include <stddef.h>
#include <stdint.h>

#include "hotspot/hs_error.h"
#include "input/incidents.h"

#define HS_TOW_SLOTS 168 /* 7 days x 24 hours */

hs_status hs_timeofweek(const hs_incidents *s, const int *groups, size_t ng,
                        size_t na, int32_t from, int32_t to, double *w,
                        long *timed, long *untimed, hs_error *err);

#endif
