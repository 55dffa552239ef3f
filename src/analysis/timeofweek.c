/* timeofweek.c - incidents by hour of the week (timeofweek.h). */
#include <stdio.h>
#include <string.h>

#include "analysis/timeofweek.h"
#include "input/when.h"

hs_status hs_timeofweek(const hs_incidents *s, const int *groups, size_t ng,
                        size_t na, int32_t from, int32_t to,
                        const uint16_t *inside, double *w, long *timed,
                        long *untimed, hs_error *err)
{
    *timed = *untimed = 0;
    if (!s || (ng && !groups) || !w)
        return hs_fail(err, HS_ERR_ARG, "time of week: inputs missing");
    memset(w, 0, na * ng * HS_TOW_SLOTS * sizeof *w);
    if (!s->month || !s->area || !s->group)
        return HS_OK;
    for (size_t i = 0; i < s->n; i++) {
        if (s->area[i] < 0 || (size_t)s->area[i] >= na || s->month[i] < from ||
            s->month[i] > to)
            continue;
        size_t g = 0;
        while (g < ng && groups[g] != s->group[i])
            g++;
        if (g == ng)
            continue;
        if (!s->day || !s->minute || s->day[i] <= 0 || s->minute[i] < 0 ||
            s->minute[i] > 1439) {
            (*untimed)++;
            continue;
        }
        hs_aoristic_add(hs_weekday(s->month[i], s->day[i]), s->minute[i],
                        s->span ? s->span[i] : -1,
                        s->weight ? (double)s->weight[i] : 1.0, inside,
                        w + ((size_t)s->area[i] * ng + g) * HS_TOW_SLOTS);
        (*timed)++;
    }
    return HS_OK;
}

void hs_aoristic_add(int d, int t, int32_t span, double wt,
                     const uint16_t *inside, double *out)
{
    int m = (d - 1) * 1440 + t, slot = m / 60;
    if (span < 2) {
        if (!inside || hs_when_inside(inside, m, 1))
            out[slot] += wt;
        return;
    }
    if (span >= HS_TOW_WEEK_MINUTES) {
        for (int k = 0; k < HS_TOW_SLOTS; k++)
            out[k] += inside ? wt * hs_when_inside(inside, k * 60, 60) / HS_TOW_WEEK_MINUTES
                             : wt / HS_TOW_SLOTS;
        return;
    }
    double per = wt / span;
    int32_t left = span, take = 60 - t % 60;
    while (left > 0) {
        take = take < left ? take : left;
        out[slot] += per * (inside ? hs_when_inside(inside, m, take) : take);
        left -= take;
        m = (m + take) % HS_TOW_WEEK_MINUTES;
        slot = (slot + 1) % HS_TOW_SLOTS;
        take = 60;
    }
}

int hs_tow_peak(const double *tow, int h, int *start, double *share)
{
    if (h < 1 || h > 24)
        return -1;
    double total = 0, best = -1;
    for (int k = 0; k < HS_TOW_SLOTS; k++)
        total += tow[k];
    if (!(total > 0))
        return -1;
    /* each window summed afresh: no drift from a running sum, so equal
     * windows compare equal and the earliest wins */
    for (int k = 0; k < HS_TOW_SLOTS; k++) {
        double sum = 0;
        for (int q = 0; q < h; q++)
            sum += tow[(k + q) % HS_TOW_SLOTS];
        if (sum > best) {
            best = sum;
            *start = k;
        }
    }
    *share = best / total;
    return 0;
}

void hs_tow_peak_text(int start, int h, char *buf, size_t n)
{
    static const char *const day[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    if (h == 24) /* the whole day from the start hour: name both days */
        snprintf(buf, n, "%s %02d:00-%s %02d:00", day[(start / 24) % 7],
                 start % 24, day[(start / 24 + 1) % 7], start % 24);
    else
        snprintf(buf, n, "%s %02d:00-%02d:00", day[(start / 24) % 7],
                 start % 24, (start % 24 + h) % 24);
}

hs_status hs_cell_series(const hs_incidents *s, int group,
                         const hs_grid_geom *g, const int32_t *cell_id,
                         size_t nid, int32_t from, int32_t to, int32_t m0,
                         size_t nm, const uint16_t *inside, double *tow,
                         double *monthly, long *timed, long *untimed,
                         hs_error *err)
{
    *timed = *untimed = 0;
    if (!s || !g || !cell_id || (nid && (!tow || (nm && !monthly))))
        return hs_fail(err, HS_ERR_ARG, "hotspot series: inputs missing");
    memset(tow, 0, nid * HS_TOW_SLOTS * sizeof *tow);
    if (nm)
        memset(monthly, 0, nid * nm * sizeof *monthly);
    if (!s->month || !s->area || !s->group)
        return HS_OK;
    for (size_t i = 0; i < s->n; i++) {
        size_t c;
        if (s->group[i] != group || s->area[i] < 0 ||
            !hs_grid_cell(g, s->x[i], s->y[i], &c) || cell_id[c] <= 0 ||
            (size_t)cell_id[c] > nid)
            continue;
        size_t id = (size_t)cell_id[c] - 1;
        double wt = s->weight ? (double)s->weight[i] : 1.0;
        if (s->month[i] >= m0 && (size_t)(s->month[i] - m0) < nm)
            monthly[id * nm + (size_t)(s->month[i] - m0)] +=
                s->share ? wt * s->share[i] : wt;
        if (s->month[i] < from || s->month[i] > to)
            continue;
        if (!s->day || !s->minute || s->day[i] <= 0 || s->minute[i] < 0 ||
            s->minute[i] > 1439) {
            (*untimed)++;
            continue;
        }
        hs_aoristic_add(hs_weekday(s->month[i], s->day[i]), s->minute[i],
                        s->span ? s->span[i] : -1, wt, inside,
                        tow + id * HS_TOW_SLOTS);
        (*timed)++;
    }
    return HS_OK;
}
