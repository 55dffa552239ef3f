/* test_periods.c - period names: every form, year ends, year to date,
 * errors (input/periods.h). */
#include "util.h"

#include "input/incidents.h"
#include "input/periods.h"

/* year*12 + month-1 */
static int32_t M(int y, int m) { return (int32_t)y * 12 + m - 1; }

/* s resolves to [from, to] with the data's last month last. */
static void is(const char *s, int32_t last, int32_t from, int32_t to)
{
    hs_error err = {0};
    int32_t f = -1, t = -1;
    if (hs_period_parse(s, last, &f, &t, &err) != HS_OK)
        fail_msg("'%s': %s", s, err.msg);
    if (f != from || t != to) {
        char a[8], b[8], c[8], d[8];
        hs_month_format(f, a);
        hs_month_format(t, b);
        hs_month_format(from, c);
        hs_month_format(to, d);
        fail_msg("'%s': %s to %s, want %s to %s", s, a, b, c, d);
    }
    assert_int_equal(hs_period_check(s, &err), HS_OK);
}

/* s fails with a message holding want, leaving from and to. */
static void bad(const char *s, int32_t last, const char *want)
{
    hs_error err = {0};
    int32_t f = 7, t = 9;
    assert_int_equal(hs_period_parse(s, last, &f, &t, &err), HS_ERR_ARG);
    assert_int_equal(f, 7);
    assert_int_equal(t, 9);
    if (!strstr(err.msg, want))
        fail_msg("'%s': message '%s' lacks '%s'", s, err.msg, want);
}

static void test_fixed(void **state)
{
    (void)state;
    int32_t none = -1; /* fixed names need no data */
    is("2024-05", none, M(2024, 5), M(2024, 5));
    is("2024", none, M(2024, 1), M(2024, 12));
    is("2024q1", none, M(2024, 1), M(2024, 3));
    is("2024q2", none, M(2024, 4), M(2024, 6));
    is("2024q3", none, M(2024, 7), M(2024, 9));
    is("2024q4", none, M(2024, 10), M(2024, 12)); /* the calendar year's end */
    is("fy2024", none, M(2024, 4), M(2025, 3));   /* April to March */
    is("fy2024q1", none, M(2024, 4), M(2024, 6));
    is("fy2024q2", none, M(2024, 7), M(2024, 9));
    is("fy2024q3", none, M(2024, 10), M(2024, 12));
    is("fy2024q4", none, M(2025, 1), M(2025, 3)); /* in the next calendar year */
    /* any case */
    is("FY2024Q4", none, M(2025, 1), M(2025, 3));
    is("Fy2023", none, M(2023, 4), M(2024, 3));
    is("2024Q2", none, M(2024, 4), M(2024, 6));
    /* ranges: first month of one, last of the other */
    is("2024-04:2024-12", none, M(2024, 4), M(2024, 12));
    is("2024-04:2024-04", none, M(2024, 4), M(2024, 4));
    is("fy2023q3:fy2024q2", none, M(2023, 10), M(2024, 9));
    is("2023:fy2024", none, M(2023, 1), M(2025, 3));
    is("2023-12:2024q1", none, M(2023, 12), M(2024, 3));
    /* the data's last month changes nothing for fixed names */
    is("fy2024", M(2024, 6), M(2024, 4), M(2025, 3));
    assert_int_equal(hs_period_name_is_relative("fy2024"), 0);
    assert_int_equal(hs_period_name_is_relative("2024-04:2024-12"), 0);
    assert_int_equal(hs_period_name_is_relative("nonsense"), 0);
}

static void test_ytd(void **state)
{
    (void)state;
    /* the demo data end in 2024-12: fy2024-ytd is 2024-04..2024-12 */
    is("fy2024-ytd", M(2024, 12), M(2024, 4), M(2024, 12));
    is("FY2024-YTD", M(2024, 12), M(2024, 4), M(2024, 12));
    is("fy2024-ytd", M(2024, 4), M(2024, 4), M(2024, 4)); /* its first month */
    is("fy2024-ytd", M(2025, 3), M(2024, 4), M(2025, 3)); /* its last */
    is("fy2024-ytd", M(2026, 1), M(2024, 4), M(2025, 3)); /* over: the year */
    is("2024-ytd", M(2024, 12), M(2024, 1), M(2024, 12));
    is("2025-ytd", M(2025, 2), M(2025, 1), M(2025, 2));
    is("2023-10:fy2024-ytd", M(2024, 8), M(2023, 10), M(2024, 8));
    assert_int_equal(hs_period_name_is_relative("fy2024-ytd"), 1);
    assert_int_equal(hs_period_name_is_relative("Fy2024-YTD"), 1);
    assert_int_equal(hs_period_name_is_relative("2023:2024-ytd"), 1);
    assert_int_equal(hs_period_name_is_relative("2024-ytd:2025"), 1);

    /* the year has not started in the data: name both */
    bad("fy2024-ytd", M(2024, 3), "'fy2024-ytd': the financial year 2024 "
        "starts in 2024-04, after the last month in the data (2024-03)");
    bad("fy2025-ytd", M(2024, 12), "the financial year 2025 starts in "
        "2025-04, after the last month in the data (2024-12)");
    bad("2025-ytd", M(2024, 12), "the calendar year 2025 starts in 2025-01");
    /* no data yet: said so, but the syntax is fine */
    bad("fy2024-ytd", -1, "'fy2024-ytd': a year-to-date period needs the "
        "last month in the data");
    hs_error err = {0};
    assert_int_equal(hs_period_check("fy2024-ytd", &err), HS_OK);
    assert_int_equal(hs_period_check("fy2024q5-ytd", &err), HS_ERR_ARG);
}

static void test_errors(void **state)
{
    (void)state;
    const int32_t last = M(2024, 12);
    bad("fy2024q5", last, "'fy2024q5': a quarter is q1 to q4");
    bad("2024q0", last, "'2024q0': a quarter is q1 to q4");
    bad("2024q", last, "a quarter is q1 to q4");
    bad("2024q12", last, "a quarter is q1 to q4");
    bad("2024-13", last, "'2024-13': a month is 01 to 12");
    bad("2024-00", last, "a month is 01 to 12");
    bad("fy24", last, "'fy24': a financial year is fy and the four-digit "
        "year it starts in, e.g. fy2024");
    bad("2024/25", last, "'2024/25': write a financial year as fy and the "
        "year it starts in: fy2024 (April 2024 to March 2025)");
    bad("fy2024-05", last, "a month is YYYY-MM");
    bad("24q1", last, "'24q1': a year has four digits");
    bad("1899", last, "years run from 1900 to 9999");
    bad("last-year", last, "'last-year': not a period; give YYYY-MM, "
        "FROM:TO, YYYY, YYYYqN, fyYYYY, fyYYYYqN, fyYYYY-ytd or YYYY-ytd");
    bad("", last, "an empty period");
    bad(" fy2024", last, "not a period");
    bad("2024-1", last, "not a period");
    bad("fy2024 ", last, "not a period");
    bad("2024-06:2024-01", last, "'2024-06:2024-01': starts (2024-06) after "
        "it ends (2024-01)");
    bad("2024-01:", last, "an empty period");
    bad("2024:2025:2026", last, "a range is FROM:TO, with one ':'");
    bad("2024-01:fy2024q5", last, "'fy2024q5' (in '2024-01:fy2024q5'): a "
        "quarter is q1 to q4");
    bad("fy2024-ytd:2025", M(2024, 1), "'fy2024-ytd' (in 'fy2024-ytd:2025')"
        ": the financial year 2024 starts in 2024-04");
    char longer[200];
    memset(longer, '9', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    bad(longer, last, "not a period");
    hs_error err = {0};
    assert_int_equal(hs_period_check("fy2024q5", &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "a quarter is q1 to q4"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_ytd),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
