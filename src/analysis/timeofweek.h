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
 *  - Weight: the incident's weight (1 unless --weight) spread from its
 *    start over its window by hs_aoristic_add (below); without a span
 *    column (no --end-time) all of it goes to the start hour.
 * Units: incidents (weights) per hour of the week.
 *
 * Aoristic spreading (Ratcliffe 2002; R package aoristic, aoristic.df;
 * METHODS.md 5), hs_aoristic_add:
 *  - The window starts at weekday d (1 = Monday; the package numbers
 *    Sunday 1, these tables Monday 1, ISO 8601), minute t of the day, and
 *    lasts D = span whole minutes.  Local times are taken as written: a
 *    window across a clock change is as long as its wall-clock times say.
 *  - D < 2 (0 or 1 minute), or no usable end (span -1 missing, -2 end
 *    before start): all the weight to the start hour.
 *  - D >= 10,080 (a week or longer): weight / 168 to every hour.
 *  - Otherwise each minute of [start, start + D) carries weight / D: the
 *    start hour gets (60 - t mod 60, or D if less) minutes' worth, then
 *    whole hours walking forward, wrapping from Sunday 23:00 to Monday
 *    00:00, the last hour the minutes left.
 *  - Under --when (inside: its prefix table, when.h; NULL: every minute
 *    inside) only the minutes inside carry weight: a point (D < 2, no
 *    usable end) gives its weight only when its start minute is inside, a
 *    week or longer weight x (minutes of the hour inside) / 10,080, others
 *    weight / D for each minute inside.  The weights an incident spreads
 *    so add up to weight x its share (when.h).
 *
 * Peak (hs_tow_peak), per hotspot and tasking place: the H consecutive
 * hours of the week (1 <= H <= 24, wrapping round the week) whose weights
 * add up to the most; ties go to the earliest start (Monday 00:00 first).
 * share = that sum / the week's sum.  A week with no weight has no peak.
 * Written "Sat 22:00-02:00": the start's weekday, start and end hours
 * (the end is exclusive and may be on the next day, as in --when); 24
 * hours name both days, "Sat 22:00-Sun 22:00".
 *
 * Per hotspot (hs_cell_series): the incidents of one group assigned to a
 * study area, with a location, in a cell (hotspots.h's cell rule) whose
 * id is > 0: their weights by hour of the week (spread as above) in the
 * analysis period [from, to], and by month over [m0, m0 + nm) (weight x
 * share under --when).
 *
 * Ownership: w, tow and monthly are the caller's, filled here: w is
 * na x ng x 168 doubles, [(a ng + g) 168 + (day - 1) 24 + hour]; tow
 * nid x 168 and monthly nid x nm, by id - 1.
 */
#ifndef HOTSPOT_TIMEOFWEEK_H
#define HOTSPOT_TIMEOFWEEK_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/hotspots.h"
#include "hotspot/hs_error.h"
#include "input/incidents.h"

#define HS_TOW_SLOTS 168 /* 7 days x 24 hours */

hs_status hs_timeofweek(const hs_incidents *s, const int *groups, size_t ng,
                        size_t na, int32_t from, int32_t to,
                        const uint16_t *inside, double *w, long *timed,
                        long *untimed, hs_error *err);

#define HS_TOW_WEEK_MINUTES 10080

/* Adds wt to out[168] spread over the window (above): weekday d (1..7),
 * minute t (0..1439), span minutes (or -1, -2: no usable end); only the
 * minutes inside (NULL: all). */
void hs_aoristic_add(int d, int t, int32_t span, double wt,
                     const uint16_t *inside, double *out);

/* The peak of tow[168] over h hours: *start (slot, (day - 1) 24 + hour)
 * and *share (0..1); returns 0, or -1 when the week holds no weight (or h
 * is not 1..24). */
int hs_tow_peak(const double *tow, int h, int *start, double *share);

/* "Sat 22:00-02:00" for a peak of h hours from slot start. */
void hs_tow_peak_text(int start, int h, char *buf, size_t n);

/* The series above for the cells with id > 0 (cell_id per cell of g, ids
 * 1..nid) of group `group`; *timed counts the incidents in the period
 * and in a cell that had a time, *untimed those that had none.  With
 * nm = 0 there is no monthly series (monthly may be NULL). */
hs_status hs_cell_series(const hs_incidents *s, int group,
                         const hs_grid_geom *g, const int32_t *cell_id,
                         size_t nid, int32_t from, int32_t to, int32_t m0,
                         size_t nm, const uint16_t *inside, double *tow,
                         double *monthly, long *timed, long *untimed,
                         hs_error *err);

#endif
