/*
 * test_when.c - when.h: windows parsed and normalised, the evening rule
 * past midnight worked by hand, errors naming the part, and hs_weekday
 * against a count of days from 1970-01-01 (a Thursday) kept here.
 */
#include "util.h"

#include "input/when.h"

enum { MON = 1, TUE, WED, THU, FRI, SAT, SUN };

static hs_when parse_ok(const char *spec, const char *text)
{
    hs_when w;
    hs_error err = {0};
    if (hs_when_parse(spec, &w, &err) != HS_OK)
        fail_msg("'%s': %s", spec, err.msg);
    assert_string_equal(w.text, text);
    return w;
}

static void test_parse(void **state)
{
    (void)state;
    hs_when w = parse_ok("Thu-Sat 18:00-04:00", "Thu-Sat 18:00-04:00");
    assert_int_equal(w.n, 1);
    assert_int_equal(w.w[0].days, (1 << 3) | (1 << 4) | (1 << 5));
    assert_int_equal(w.w[0].start, 18 * 60);
    assert_int_equal(w.w[0].end, 4 * 60);
    /* full names, any case, spaces, a range that wraps, two windows */
    w = parse_ok(" friday - MONDAY 22:30 - 02:15 , sun 12:00-14:00 ",
                 "Fri-Mon 22:30-02:15, Sun 12:00-14:00");
    assert_int_equal(w.n, 2);
    assert_int_equal(w.w[0].days, (1 << 4) | (1 << 5) | (1 << 6) | (1 << 0));
    /* no days: every day; 24:00 and 00:00 as the end are midnight */
    w = parse_ok("09:00-17:00", "09:00-17:00");
    assert_int_equal(w.w[0].days, 0x7f);
    w = parse_ok("Sat 18:00-24:00", "Sat 18:00-24:00");
    assert_int_equal(w.w[0].end, 1440);
    w = parse_ok("Sat 18:00-00:00", "Sat 18:00-24:00");
    assert_int_equal(w.w[0].end, 1440);
    w = parse_ok("Mon 00:00-24:00", "Mon 00:00-24:00");
    /* the normalised text parses to the same windows */
    hs_when again = parse_ok(w.text, w.text);
    assert_memory_equal(&again.w[0], &w.w[0], sizeof w.w[0]);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *spec, *msg;
    } bad[] = {
        {"", "--when: empty"},
        {"   ", "--when: empty"},
        {"Funday 18:00-04:00", "'Funday 18:00-04:00' does not start with a day"},
        {"Thu-", "has a day range without a second day"},
        {"Thu-Xyz 18:00-04:00", "has a day range without a second day"},
        {"Thu 25:00-04:00", "has no start time"},
        {"Thu 18:60-04:00", "has no start time"},
        {"Thu 8:00-04:00", "has no start time"},
        {"Thu 18:00", "has no end time"},
        {"Thu 18:00-4", "has no end time"},
        {"Thu 18:00-24:01", "has no end time"},
        {"Thu 18:00-04:00x", "has something after the end time"},
        {"Thu 18:00-18:00", "is empty or starts at 24:00"},
        {"Thu 24:00-04:00", "is empty or starts at 24:00"},
        {"Thu 18:00-04:00,", "a comma with no window after it"},
        {"Thu 18:00-04:00,,Fri 18:00-20:00", "an empty window between commas"},
        {",Thu 18:00-04:00", "an empty window between commas"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        hs_when w;
        hs_error err = {0};
        if (hs_when_parse(bad[k].spec, &w, &err) != HS_ERR_ARG)
            fail_msg("'%s' was accepted", bad[k].spec);
        if (!strstr(err.msg, bad[k].msg))
            fail_msg("'%s': message '%s' lacks '%s'", bad[k].spec, err.msg, bad[k].msg);
    }
    /* the 17th window */
    char many[512] = "";
    for (int k = 0; k < HS_WHEN_MAX + 1; k++)
        strcat(many, k ? ",Mon 01:00-02:00" : "Mon 01:00-02:00");
    hs_when w;
    hs_error err = {0};
    assert_int_equal(hs_when_parse(many, &w, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "one window too many"));
}

/* Worked by hand (when.h): Thu-Sat 18:00-04:00. */
static void test_evenings(void **state)
{
    (void)state;
    hs_when w = parse_ok("Thu-Sat 18:00-04:00", "Thu-Sat 18:00-04:00");
    static const struct {
        int d, h, m, in;
    } c[] = {
        {THU, 17, 59, 0}, {THU, 18, 0, 1},  {THU, 23, 59, 1}, /* Thursday night */
        {FRI, 2, 0, 1},   {FRI, 3, 59, 1},  {FRI, 4, 0, 0},   /* ... to 04:00 */
        {SAT, 2, 0, 1},                                       /* Friday night */
        {SUN, 2, 0, 1},   {SUN, 4, 0, 0},   {SUN, 18, 0, 0},  /* Saturday night */
        {THU, 2, 0, 0},                                       /* Wednesday night */
        {MON, 2, 0, 0},   {WED, 20, 0, 0},  {FRI, 12, 0, 0},
    };
    for (size_t k = 0; k < sizeof c / sizeof *c; k++)
        if (hs_when_contains(&w, c[k].d, c[k].h * 60 + c[k].m) != c[k].in)
            fail_msg("day %d %02d:%02d: want %d", c[k].d, c[k].h, c[k].m, c[k].in);
    /* a window over Sunday night into Monday: the week wraps */
    w = parse_ok("Sun 22:00-02:00", "Sun 22:00-02:00");
    assert_true(hs_when_contains(&w, MON, 60));
    assert_false(hs_when_contains(&w, SUN, 60));
    assert_true(hs_when_contains(&w, SUN, 23 * 60));
    /* the same day; the end excluded; several windows: any */
    w = parse_ok("Mon-Fri 09:00-17:00, Sat 10:00-11:00", "Mon-Fri 09:00-17:00, Sat 10:00-11:00");
    assert_true(hs_when_contains(&w, TUE, 9 * 60));
    assert_false(hs_when_contains(&w, TUE, 17 * 60));
    assert_true(hs_when_contains(&w, SAT, 10 * 60 + 30));
    assert_false(hs_when_contains(&w, SUN, 10 * 60 + 30));
    /* every minute of every day, against the rule written again here */
    w = parse_ok("Fri-Sun 21:00-03:30, 07:00-08:00", "Fri-Sun 21:00-03:30, 07:00-08:00");
    for (int d = 1; d <= 7; d++)
        for (int t = 0; t < 1440; t++) {
            int prev = d == 1 ? 7 : d - 1;
            int fss = d >= 5, fss_prev = prev >= 5;
            int want = (fss && t >= 21 * 60) || (fss_prev && t < 3 * 60 + 30) ||
                       (t >= 7 * 60 && t < 8 * 60);
            if (hs_when_contains(&w, d, t) != want)
                fail_msg("day %d minute %d: want %d", d, t, want);
        }
}

/* hs_weekday against counting days from Thursday 1 January 1970, over
 * 1970-2199 (leap years by the Gregorian rule, 2000 one, 2100 not). */
static void test_weekday(void **state)
{
    (void)state;
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int wd = THU;
    for (int y = 1970; y < 2200; y++)
        for (int mo = 0; mo < 12; mo++) {
            int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            int n = len[mo] + (mo == 1 && leap);
            for (int d = 1; d <= n; d++) {
                if (hs_weekday(y * 12 + mo, d) != wd)
                    fail_msg("%04d-%02d-%02d: %d, want %d", y, mo + 1, d,
                             hs_weekday(y * 12 + mo, d), wd);
                wd = wd % 7 + 1;
            }
        }
    assert_int_equal(hs_weekday(1969 * 12 + 11, 31), WED); /* before 1970 */
    assert_int_equal(hs_weekday(1600 * 12 + 1, 29), TUE);  /* 29 Feb 1600 */
}

/* Clock changes: times are taken as written, local and naive.  On
 * Sunday 31 March 2024 UK clocks went from 01:00 to 02:00, so 01:30 never
 * happened; an extract that says 01:30 is placed at 01:30 of that Sunday.
 * On 27 October 2024 01:30 happened twice: both are the same minute. */
static void test_clock_changes(void **state)
{
    (void)state;
    hs_when w = parse_ok("Sat 22:00-03:00", "Sat 22:00-03:00");
    int32_t mar = 2024 * 12 + 2, oct = 2024 * 12 + 9;
    assert_int_equal(hs_weekday(mar, 31), SUN);
    assert_int_equal(hs_weekday(oct, 27), SUN);
    assert_true(hs_when_contains(&w, hs_weekday(mar, 31), 1 * 60 + 30));
    assert_true(hs_when_contains(&w, hs_weekday(oct, 27), 1 * 60 + 30));
    assert_false(hs_when_contains(&w, hs_weekday(mar, 31), 3 * 60));
    /* days across the change are whole days: 30 March to 1 April is 2 */
    assert_int_equal(hs_days_from_civil(2024 * 12 + 3, 1) -
                     hs_days_from_civil(mar, 30), 2);
}

/* The minutes of a window inside, one by one with hs_when_contains: the
 * brute force of hs_when_share's rules (when.h). */
static double share_brute(const hs_when *w, int d, int t, int32_t span)
{
    if (span < 2)
        return hs_when_contains(w, d, t);
    long len = span >= HS_WHEN_WEEK ? HS_WHEN_WEEK : span, in = 0;
    long m0 = span >= HS_WHEN_WEEK ? 0 : (d - 1) * 1440L + t;
    for (long k = 0; k < len; k++) {
        long m = (m0 + k) % HS_WHEN_WEEK;
        in += hs_when_contains(w, (int)(m / 1440) + 1, (int)(m % 1440));
    }
    return (double)in / (double)len;
}

/* Shares of windows worked by hand, then against the brute force. */
static void test_shares(void **state)
{
    (void)state;
    hs_when w = parse_ok("Thu-Sat 18:00-04:00", "Thu-Sat 18:00-04:00");
    uint16_t p[HS_WHEN_WEEK + 1];
    hs_when_prefix(&w, p);
    assert_int_equal(p[HS_WHEN_WEEK], 3 * 600); /* three nights of 10 h */
    /* Fri 17:00-19:00: the hour from 18:00 inside */
    assert_float_equal(hs_when_share(p, FRI, 17 * 60, 120), 0.5, 0);
    /* Sat 03:00-05:00: 03:00-04:00 is Friday night */
    assert_float_equal(hs_when_share(p, SAT, 3 * 60, 120), 0.5, 0);
    /* Sun 03:30-04:30: Saturday night until 04:00 */
    assert_float_equal(hs_when_share(p, SUN, 3 * 60 + 30, 60), 0.5, 0);
    /* Thu 03:00-04:00 belongs to Wednesday night: outside */
    assert_float_equal(hs_when_share(p, THU, 3 * 60, 60), 0, 0);
    /* Sat 20:00 to Sun 02:00 (360 minutes): all inside */
    assert_float_equal(hs_when_share(p, SAT, 20 * 60, 360), 1, 0);
    /* Sun 23:00 to Fri 19:00 (4 days 20 h): Thursday night 10 h, Friday
     * evening 1 h, of 6,960 minutes */
    assert_float_equal(hs_when_share(p, SUN, 23 * 60, 6960), 660.0 / 6960, 1e-15);
    /* a week or longer: the week's share; a point: its start minute */
    assert_float_equal(hs_when_share(p, MON, 0, 20000), 1800.0 / 10080, 1e-15);
    assert_float_equal(hs_when_share(p, SAT, 2 * 60, 1), 1, 0);
    assert_float_equal(hs_when_share(p, SAT, 5 * 60, -1), 0, 0);
    assert_float_equal(hs_when_share(p, FRI, 23 * 60, -2), 1, 0);
    /* Sunday into Monday round the end of the week */
    hs_when m = parse_ok("Mon 00:00-02:00", "Mon 00:00-02:00");
    hs_when_prefix(&m, p);
    assert_float_equal(hs_when_share(p, SUN, 23 * 60, 120), 0.5, 0);
    /* random windows, several specs, against the minute-by-minute count */
    const char *spec[] = {"Thu-Sat 18:00-04:00, Sun 12:00-14:00", "Fri-Mon 23:30-00:15",
                          "09:00-17:00", "Sun 22:00-02:00"};
    srand(11);
    for (size_t k = 0; k < sizeof spec / sizeof *spec; k++) {
        hs_error err = {0};
        assert_int_equal(hs_when_parse(spec[k], &w, &err), HS_OK);
        hs_when_prefix(&w, p);
        for (int rep = 0; rep < 3000; rep++) {
            int d = 1 + rand() % 7, t = rand() % 1440;
            int32_t span = rep % 10 == 0 ? 10080 + rand() % 5000
                           : rep % 10 == 1 ? -1 - rand() % 2 : rand() % 4000;
            assert_float_equal(hs_when_share(p, d, t, span),
                               share_brute(&w, d, t, span), 1e-15);
        }
    }
}

/* hs_when_filter with windows: a share column, share-0 rows left out. */
static void test_filter_shares(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_when w = parse_ok("Fri 18:00-04:00", "Fri 18:00-04:00");
    hs_incidents *s = hs_incidents_create(&err);
    assert_non_null(s);
    assert_int_equal(hs_incidents_add_cols(s, HS_COL_SPAN, &err), HS_OK);
    assert_int_equal(hs_incidents_reserve(s, 4, &err), HS_OK);
    /* Friday 7 June 2024: 17:00 for 2 h (half), 20:00 point (whole),
     * 10:00 for 1 h (none); Saturday 8 June 03:00 for 2 h (half) */
    int32_t jun = 2024 * 12 + 5;
    struct { int day, minute; int32_t span; } r[] = {
        {7, 17 * 60, 120}, {7, 20 * 60, -1}, {7, 10 * 60, 60}, {8, 3 * 60, 120}};
    for (size_t i = 0; i < 4; i++) {
        s->x[i] = (double)i;
        s->y[i] = 0;
        s->weight[i] = 1;
        s->month[i] = jun;
        s->day[i] = (int8_t)r[i].day;
        s->minute[i] = (int16_t)r[i].minute;
        s->span[i] = r[i].span;
        s->file[i] = 0;
        s->row[i] = (int64_t)i + 2;
        s->n++;
    }
    long outside, no_time;
    assert_int_equal(hs_when_filter(&w, s, &outside, &no_time, &err), HS_OK);
    assert_int_equal(outside, 1);
    assert_int_equal(no_time, 0);
    assert_int_equal(s->n, 3);
    assert_non_null(s->share);
    assert_float_equal(s->share[0], 0.5, 0);
    assert_float_equal(s->share[1], 1, 0);
    assert_float_equal(s->share[2], 0.5, 0);
    assert_float_equal(s->x[2], 3, 0); /* the row moved with its share */
    hs_incidents_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_evenings),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_clock_changes),
        cmocka_unit_test(test_shares),
        cmocka_unit_test(test_filter_shares),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
