/* timeofweek.c - incidents by hour of the week (timeofweek.h). */
#include <string.h>

#include "analysis/timeofweek.h"
#include "input/when.h"

hs_status hs_timeofweek(const hs_incidents *s, const int *groups, size_t ng,
                        size_t na, int32_t from, int32_t to, double *w,
                        long *timed, long *untimed, hs_error *err)
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
        int d = hs_weekday(s->month[i], s->day[i]), h = s->minute[i] / 60;
        w[((size_t)s->area[i] * ng + g) * HS_TOW_SLOTS + (size_t)((d - 1) * 24 + h)] +=
            s->weight ? (double)s->weight[i] : 1.0;
        (*timed)++;
    }
    return HS_OK;
}
