/* test_targetfile.c - the targets CSV: columns, values, and errors that
 * name the file, line and field (input/targetfile.h). */
#include "util.h"

#include "input/targetfile.h"

static int32_t M(int y, int m) { return (int32_t)y * 12 + m - 1; }

static hs_targets *mem(const char *text, hs_error *err)
{
    return hs_targets_read_mem(text, strlen(text), "t.csv", err);
}

/* text fails with code and a message holding want. */
static void bad(const char *text, hs_status code, const char *want)
{
    hs_error err = {0};
    hs_targets *t = mem(text, &err);
    assert_null(t);
    assert_int_equal(err.code, code);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
}

static void test_good(void **state)
{
    (void)state;
    hs_error err = {0};
    /* any column order and case, an extra column, spaces, "all", a BOM,
     * CRLF, and the blank rows a spreadsheet leaves */
    hs_targets *t = mem("\xEF\xBB\xBF" "Target, Period ,crime_group,AREA_ID,note\r\n"
                        "120,fy2024,asb,AB01,agreed at the board\r\n"
                        " 80.5 ,FY2024Q4,SAC, all ,\r\n"
                        "30,2024q1,violence,AB02,\r\n"
                        "10,2024-04:2024-12,asb,AB02,\r\n"
                        ",,,,\r\n", &err);
    if (!t)
        fail_msg("%s", err.msg);
    assert_int_equal(t->n, 4);
    assert_string_equal(t->v[0].area_id, "AB01");
    assert_string_equal(t->v[0].group, "asb");
    assert_string_equal(t->v[0].period, "fy2024");
    assert_int_equal(t->v[0].from, M(2024, 4));
    assert_int_equal(t->v[0].to, M(2025, 3));
    assert_float_equal(t->v[0].target, 120, 0);
    assert_int_equal(t->v[0].line, 2);
    assert_null(t->v[1].area_id); /* all: the study area */
    assert_string_equal(t->v[1].group, "SAC");
    assert_string_equal(t->v[1].period, "FY2024Q4");
    assert_int_equal(t->v[1].from, M(2025, 1));
    assert_int_equal(t->v[1].to, M(2025, 3));
    assert_float_equal(t->v[1].target, 80.5, 0);
    assert_int_equal(t->v[2].from, M(2024, 1));
    assert_int_equal(t->v[2].to, M(2024, 3));
    assert_int_equal(t->v[3].from, M(2024, 4));
    assert_int_equal(t->v[3].to, M(2024, 12));
    assert_int_equal(t->v[3].line, 5);
    hs_targets_destroy(t);

    /* semicolons (Excel where the decimal mark is a comma), from a file */
    char dir[64], path[256];
    tu_tmpdir(dir, sizeof dir);
    tu_write(dir, "t.csv", "area_id;crime_group;period;target\n"
             "all;asb;fy2024;1000\n", path, sizeof path);
    t = hs_targets_read(path, &err);
    if (!t)
        fail_msg("%s", err.msg);
    assert_int_equal(t->n, 1);
    assert_null(t->v[0].area_id);
    assert_float_equal(t->v[0].target, 1000, 0);
    hs_targets_destroy(t);
    /* a missing file: an I/O error naming it */
    snprintf(path, sizeof path, "%s/none.csv", dir);
    assert_null(hs_targets_read(path, &err));
    assert_int_equal(err.code, HS_ERR_IO);
    assert_non_null(strstr(err.msg, "targets: "));
    assert_non_null(strstr(err.msg, "none.csv"));
    tu_rmrf(dir);
    hs_targets_destroy(NULL);
}

static void test_errors(void **state)
{
    (void)state;
    const char *H = "area_id,crime_group,period,target\n";
    char b[512];
    bad("", HS_ERR_DATA, "targets 't.csv': empty file");
    bad(H, HS_ERR_DATA, "targets 't.csv': no data rows (header only)");
    bad("area_id,crime_group,period,goal\nAB01,asb,fy2024,10\n", HS_ERR_DATA,
        "targets 't.csv': no column 'target' in the header (it has "
        "'area_id', 'crime_group', 'period', 'goal'); give area_id, "
        "crime_group, period and target");
    bad("area,crime_group,period,target\n", HS_ERR_DATA,
        "no column 'area_id'");
    bad("area_id,period,crime_group,period,target\n", HS_ERR_DATA,
        "column 'period' appears twice in the header (columns 2 and 4)");
    snprintf(b, sizeof b, "%sAB01,asb,fy2024,12x\n", H);
    bad(b, HS_ERR_DATA, "targets 't.csv' line 2, field target: '12x' is not "
        "a number (give a count >= 0)");
    snprintf(b, sizeof b, "%sAB01,asb,fy2024,10\nAB02,asb,fy2024,-3\n", H);
    bad(b, HS_ERR_DATA, "line 3, field target: '-3' is not a number");
    snprintf(b, sizeof b, "%sAB01,asb,fy2024,\n", H);
    bad(b, HS_ERR_DATA, "line 2, field target: '' is not a number");
    snprintf(b, sizeof b, "%sAB01,asb,fy2024,inf\n", H);
    bad(b, HS_ERR_DATA, "field target: 'inf' is not a number");
    snprintf(b, sizeof b, "%sAB01,asb,fy2024q5,10\n", H);
    bad(b, HS_ERR_DATA, "targets 't.csv' line 2, field period: 'fy2024q5': a "
        "quarter is q1 to q4");
    snprintf(b, sizeof b, "%sAB01,asb,next year,10\n", H);
    bad(b, HS_ERR_DATA, "line 2, field period: 'next year': not a period; "
        "give YYYY-MM");
    snprintf(b, sizeof b, "%sAB01,asb,fy2024-ytd,10\n", H);
    bad(b, HS_ERR_DATA, "line 2, field period: 'fy2024-ytd': a target is for "
        "a whole period");
    snprintf(b, sizeof b, "%s,asb,fy2024,10\n", H);
    bad(b, HS_ERR_DATA, "line 2, field area_id: empty");
    snprintf(b, sizeof b, "%sAB01, ,fy2024,10\n", H);
    bad(b, HS_ERR_DATA, "line 2, field crime_group: empty");
    snprintf(b, sizeof b, "%sAB01,asb,fy2024,10\nAB02,asb,fy2024,10\n"
             "AB01,ASB,FY2024,12\n", H);
    bad(b, HS_ERR_DATA, "targets 't.csv' line 4 repeats line 2: area AB01, "
        "group ASB, period FY2024");
    snprintf(b, sizeof b, "%sall,asb,fy2024,10\nALL,asb,2024-04:2025-03,12\n",
             H);
    bad(b, HS_ERR_DATA, "line 3 repeats line 2: area all");
    snprintf(b, sizeof b, "%sAB01,asb,\"fy2024,10\n", H);
    bad(b, HS_ERR_DATA, "targets: ");
    /* a NUL byte: the CSV reader's error, with the file */
    static const char nul[] = "area_id,crime_group,period,target\n"
                              "AB01,asb,fy2024,1\0\n";
    hs_error err = {0};
    assert_null(hs_targets_read_mem(nul, sizeof nul - 1, "t.csv", &err));
    assert_int_equal(err.code, HS_ERR_DATA);
    assert_non_null(strstr(err.msg, "targets: 't.csv'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
