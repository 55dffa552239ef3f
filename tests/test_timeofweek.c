/*
 * test_timeofweek.c - timeofweek.h: aoristic spreading on hand-worked
 * windows (Ratcliffe's rules, METHODS.md 5), the peak against a brute
 * force kept here, its text, and the per-cell series on a small store.
 */
#include <math.h>

#include "util.h"

#include "analysis/timeofweek.h"
#include "input/when.h"

enum { MON = 1, TUE, WED, THU, FRI, SAT, SUN };

#define SLOT(d, h) (((d) - 1) * 24 + (h))

static void spread(int d, int t, int32_t span, double *w)
{
    memset(w, 0, HS_TOW_SLOTS * sizeof *w);
    hs_aoristic_add(d, t, span, 1.0, NULL, w);
}

/* Every slot but those listed is 0; listed ones hold the values. */
static void expect(const double *w, int n, const int *slot, const double *v)
{
    double total = 0;
    for (int k = 0; k < HS_TOW_SLOTS; k++) {
        double want = 0;
        for (int q = 0; q < n; q++)
            if (slot[q] == k)
                want = v[q];
        if (fabs(w[k] - want) > 1e-12)
            fail_msg("slot %d (day %d hour %d): %.15g, want %.15g", k,
                     k / 24 + 1, k % 24, w[k], want);
        total += w[k];
    }
    assert_true(fabs(total - 1.0) < 1e-12);
}

static void test_aoristic(void **state)
{
    (void)state;
    double w[HS_TOW_SLOTS];
    /* exact time, 1 minute, no end, reversed end: all to the start hour */
    int32_t spans[] = {0, 1, -1, -2};
    for (int k = 0; k < 4; k++) {
        spread(WED, 14 * 60 + 59, spans[k], w);
        expect(w, 1, (int[]){SLOT(WED, 14)}, (double[]){1});
    }
    /* 22:30 for an hour: half in 22, half in 23 */
    spread(MON, 22 * 60 + 30, 60, w);
    expect(w, 2, (int[]){SLOT(MON, 22), SLOT(MON, 23)}, (double[]){0.5, 0.5});
    /* 2 minutes from 10:59: one minute in 10, one in 11 */
    spread(TUE, 10 * 60 + 59, 2, w);
    expect(w, 2, (int[]){SLOT(TUE, 10), SLOT(TUE, 11)}, (double[]){0.5, 0.5});
    /* Friday 22:00 to Saturday 06:00: 8 hours, 1/8 each */
    spread(FRI, 22 * 60, 480, w);
    {
        int sl[8];
        double v[8];
        for (int q = 0; q < 8; q++) {
            sl[q] = (SLOT(FRI, 22) + q) % HS_TOW_SLOTS;
            v[q] = 1.0 / 8;
        }
        expect(w, 8, sl, v);
    }
    /* Sunday 23:30 for 2 hours: wraps to Monday; 30, 60, 30 minutes */
    spread(SUN, 23 * 60 + 30, 120, w);
    expect(w, 3, (int[]){SLOT(SUN, 23), SLOT(MON, 0), SLOT(MON, 1)},
           (double[]){0.25, 0.5, 0.25});
    /* 17:45 to 08:15 next day (870 minutes): 15 + 14 x 60 + 15 */
    spread(THU, 17 * 60 + 45, 870, w);
    {
        int sl[16];
        double v[16];
        for (int q = 0; q < 16; q++) {
            sl[q] = SLOT(THU, 17) + q;
            v[q] = (q == 0 || q == 15 ? 15.0 : 60.0) / 870;
        }
        expect(w, 16, sl, v);
    }
    /* a week or longer: 1/168 each */
    int32_t longs[] = {10080, 20000};
    for (int k = 0; k < 2; k++) {
        spread(SAT, 3 * 60 + 17, longs[k], w);
        for (int q = 0; q < HS_TOW_SLOTS; q++)
            assert_true(fabs(w[q] - 1.0 / 168) < 1e-15);
    }
    /* a minute short of a week from 00:00 Monday: the last hour has 59 */
    spread(MON, 0, 10079, w);
    for (int q = 0; q < HS_TOW_SLOTS; q++)
        assert_true(fabs(w[q] - (q == 167 ? 59.0 : 60.0) / 10079) < 1e-15);
    /* the weight scales */
    memset(w, 0, sizeof w);
    hs_aoristic_add(MON, 0, 120, 3.0, NULL, w);
    assert_true(fabs(w[0] - 1.5) < 1e-15 && fabs(w[1] - 1.5) < 1e-15);
}

/* The brute force: every start, every hour of the window added in turn
 * from a table of the week laid out twice (no modulo). */
static int brute_peak(const double *tow, int h, double *share)
{
    double twice[2 * HS_TOW_SLOTS], total = 0, best = -1;
    int at = -1;
    for (int k = 0; k < 2 * HS_TOW_SLOTS; k++)
        twice[k] = tow[k % HS_TOW_SLOTS];
    for (int k = 0; k < HS_TOW_SLOTS; k++)
        total += tow[k];
    for (int k = 0; k < HS_TOW_SLOTS; k++) {
        double s = 0;
        for (int q = k; q < k + h; q++)
            s += twice[q];
        if (s > best) {
            best = s;
            at = k;
        }
    }
    *share = best / total;
    return at;
}

static void test_peak(void **state)
{
    (void)state;
    double tow[HS_TOW_SLOTS] = {0}, share;
    int start;
    char buf[32];
    /* nothing timed: no peak */
    assert_int_equal(hs_tow_peak(tow, 4, &start, &share), -1);
    /* Friday night 22:00-02:00 holds 8 of 10 */
    tow[SLOT(FRI, 22)] = 2;
    tow[SLOT(FRI, 23)] = 3;
    tow[SLOT(SAT, 0)] = 2;
    tow[SLOT(SAT, 1)] = 1;
    tow[SLOT(TUE, 9)] = 2;
    assert_int_equal(hs_tow_peak(tow, 4, &start, &share), 0);
    assert_int_equal(start, SLOT(FRI, 22));
    assert_true(fabs(share - 0.8) < 1e-15);
    hs_tow_peak_text(start, 4, buf, sizeof buf);
    assert_string_equal(buf, "Fri 22:00-02:00");
    /* over the week's end: Sunday 23:00 to Monday 01:00 */
    memset(tow, 0, sizeof tow);
    tow[SLOT(SUN, 23)] = 1;
    tow[SLOT(MON, 0)] = 1;
    assert_int_equal(hs_tow_peak(tow, 2, &start, &share), 0);
    assert_int_equal(start, SLOT(SUN, 23));
    hs_tow_peak_text(start, 2, buf, sizeof buf);
    assert_string_equal(buf, "Sun 23:00-01:00");
    /* ties: the earliest start (two equal nights) */
    memset(tow, 0, sizeof tow);
    tow[SLOT(TUE, 20)] = 1;
    tow[SLOT(THU, 20)] = 1;
    assert_int_equal(hs_tow_peak(tow, 1, &start, &share), 0);
    assert_int_equal(start, SLOT(TUE, 20));
    assert_true(fabs(share - 0.5) < 1e-15);
    /* the whole day: both days named; bad h */
    hs_tow_peak_text(SLOT(SAT, 22), 24, buf, sizeof buf);
    assert_string_equal(buf, "Sat 22:00-Sun 22:00");
    assert_int_equal(hs_tow_peak(tow, 0, &start, &share), -1);
    assert_int_equal(hs_tow_peak(tow, 25, &start, &share), -1);
    /* random weeks against the brute force, every h */
    uint64_t x = 88172645463325252ull;
    for (int rep = 0; rep < 300; rep++) {
        for (int k = 0; k < HS_TOW_SLOTS; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* small whole numbers: many ties */
            tow[k] = rep % 2 ? (double)(x % 4) : (double)(x % 1000) / 7.0;
        }
        for (int h = 1; h <= 24; h++) {
            double bs;
            int want = brute_peak(tow, h, &bs);
            assert_int_equal(hs_tow_peak(tow, h, &start, &share), 0);
            if (start != want || fabs(share - bs) > 1e-12)
                fail_msg("rep %d h %d: start %d share %.15g, brute force %d %.15g",
                         rep, h, start, share, want, bs);
        }
    }
}

/* A store of five incidents on a 2 x 2 grid of 100 m cells, cells 0 and
 * 3 with ids 1 and 2: the series by id. */
static void test_cell_series(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_incidents *s = hs_incidents_create(&err);
    assert_non_null(s);
    assert_int_equal(hs_incidents_add_cols(s, HS_COL_SPAN, &err), HS_OK);
    /* x, y, month, day, minute, span, group, area */
    struct { double x, y; int32_t m; int d, t, span, g, a; } r[] = {
        {10, 150, 2024 * 12 + 0, 5, 22 * 60, 120, 1, 0},   /* cell 0, Fri 5 Jan */
        {50, 199, 2024 * 12 + 0, 6, 9 * 60, 0, 1, 0},      /* cell 0, Sat */
        {150, 10, 2024 * 12 + 1, 5, 13 * 60 + 30, 60, 1, 1}, /* cell 3, Mon 5 Feb */
        {150, 10, 2024 * 12 + 1, 5, -1, -1, 1, 1},         /* cell 3, no time */
        {150, 10, 2023 * 12 + 11, 1, 0, 0, 1, 1},          /* cell 3, before the period */
        {10, 150, 2024 * 12 + 0, 5, 0, 0, 2, 0},           /* another group */
        {10, 150, 2024 * 12 + 0, 5, 0, 0, 1, -1},          /* in no area */
        {120, 150, 2024 * 12 + 0, 5, 0, 0, 1, 0},          /* cell 1: no id */
        {200, 10, 2024 * 12 + 0, 5, 0, 0, 1, 0},           /* on the east edge */
    };
    size_t n = sizeof r / sizeof *r;
    assert_int_equal(hs_incidents_reserve(s, n, &err), HS_OK);
    for (size_t i = 0; i < n; i++) {
        s->x[i] = r[i].x;
        s->y[i] = r[i].y;
        s->month[i] = r[i].m;
        s->day[i] = (int8_t)r[i].d;
        s->minute[i] = (int16_t)r[i].t;
        s->span[i] = r[i].span;
        s->group[i] = (int16_t)r[i].g;
        s->area[i] = r[i].a;
        s->weight[i] = 1;
    }
    s->n = n;
    hs_grid_geom g = {0, 0, 100, 2, 2};
    int32_t ids[4] = {1, 0, 0, 2};
    double tow[2 * HS_TOW_SLOTS], mon[2 * 3];
    long timed, untimed;
    /* the period: Jan-Feb 2024; months Dec 2023 - Feb 2024 */
    assert_int_equal(hs_cell_series(s, 1, &g, ids, 2, 2024 * 12, 2024 * 12 + 1,
                                    2023 * 12 + 11, 3, NULL, tow, mon, &timed,
                                    &untimed, &err), HS_OK);
    assert_int_equal(timed, 3);
    assert_int_equal(untimed, 1);
    double want_mon[6] = {0, 2, 0, 1, 0, 2};
    for (int k = 0; k < 6; k++)
        assert_true(mon[k] == want_mon[k]);
    for (int k = 0; k < HS_TOW_SLOTS; k++) {
        double a = k == SLOT(FRI, 22) || k == SLOT(FRI, 23) ? 0.5
                   : k == SLOT(SAT, 9) ? 1 : 0;
        double b = k == SLOT(MON, 13) || k == SLOT(MON, 14) ? 0.5 : 0;
        if (tow[k] != a || tow[HS_TOW_SLOTS + k] != b)
            fail_msg("slot %d: %g %g, want %g %g", k, tow[k],
                     tow[HS_TOW_SLOTS + k], a, b);
    }
    hs_incidents_destroy(s);
}

/* Under --when only the minutes inside carry weight (timeofweek.h): by
 * hand, then against a brute force that walks minute by minute. */
static void test_aoristic_when(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_when w;
    uint16_t p[HS_WHEN_WEEK + 1];
    double out[HS_TOW_SLOTS], want[HS_TOW_SLOTS];
    assert_int_equal(hs_when_parse("Fri 18:00-04:00", &w, &err), HS_OK);
    hs_when_prefix(&w, p);
    /* Fri 17:30 for an hour: 30 minutes inside, all in hour 18 */
    memset(out, 0, sizeof out);
    hs_aoristic_add(FRI, 17 * 60 + 30, 60, 1.0, p, out);
    assert_float_equal(out[SLOT(FRI, 17)], 0, 0);
    assert_float_equal(out[SLOT(FRI, 18)], 0.5, 1e-15);
    /* Sat 03:00 for two hours: hour 3 (Friday night) gets half */
    memset(out, 0, sizeof out);
    hs_aoristic_add(SAT, 3 * 60, 120, 2.0, p, out);
    assert_float_equal(out[SLOT(SAT, 3)], 1.0, 1e-15);
    assert_float_equal(out[SLOT(SAT, 4)], 0, 0);
    /* a point outside gives nothing; a week gives each hour inside 60/10080 */
    memset(out, 0, sizeof out);
    hs_aoristic_add(SAT, 5 * 60, -1, 1.0, p, out);
    hs_aoristic_add(MON, 0, 10080, 1.0, p, out);
    assert_float_equal(out[SLOT(FRI, 18)], 60.0 / 10080, 1e-15);
    assert_float_equal(out[SLOT(SAT, 4)], 0, 0);
    assert_float_equal(out[SLOT(SAT, 5)], 0, 0);
    srand(5);
    assert_int_equal(hs_when_parse("Thu-Sat 18:00-04:00, Sun 12:00-14:30", &w, &err), HS_OK);
    hs_when_prefix(&w, p);
    for (int rep = 0; rep < 2000; rep++) {
        int d = 1 + rand() % 7, t = rand() % 1440;
        int32_t span = rep % 7 == 0 ? 10080 + rand() % 100 : rep % 7 == 1 ? -1 : rand() % 3000;
        memset(out, 0, sizeof out);
        memset(want, 0, sizeof want);
        hs_aoristic_add(d, t, span, 1.0, p, out);
        long m0 = (d - 1) * 1440L + t, len = span < 2 ? 1 : span >= 10080 ? 10080 : span;
        if (span >= 10080)
            m0 = 0;
        for (long k = 0; k < len; k++) {
            long m = (m0 + k) % 10080;
            if (hs_when_contains(&w, (int)(m / 1440) + 1, (int)(m % 1440)))
                want[m / 60] += 1.0 / (double)len;
        }
        double tot = 0;
        for (int k = 0; k < HS_TOW_SLOTS; k++) {
            assert_float_equal(out[k], want[k], 1e-12);
            tot += out[k];
        }
        /* what an incident spreads is its share (when.h) */
        assert_float_equal(tot, hs_when_share(p, d, t, span), 1e-12);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aoristic),
        cmocka_unit_test(test_aoristic_when),
        cmocka_unit_test(test_peak),
        cmocka_unit_test(test_cell_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
