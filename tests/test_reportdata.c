/* test_reportdata.c - what "hotspot report" reads from a run's GeoPackage,
 * on a run over planted incidents (the monthly table's counts are known by
 * construction); its errors; and the PDF file names. */
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#include "hotspot/hotspot.h"
#include "input/incidents.h"
#include "report/report.h"
#include "report/reportdata.h"

#define X0 400000.0
#define Y0 100000.0
#define M(y, m) ((y) * 12 + (m) - 1)

static char dir[64], gpkg[256];

/* Areas A (pop 2000) and B (pop 5000), side by side; incidents planted:
 * A: ASB 3 in 2024-03, 1 in 2023-01; burglary 1 in 2024-05.
 * B: violence 2 in 2024-12.  The period is then 2024-01..2024-12 and the
 * comparison 2023-01..2023-12. */
static int setup(void **state)
{
    (void)state;
    char f[2][600], feats[1300], areas[256], csv[256];
    tu_tmpdir(dir, sizeof dir);
    tu_square(f[0], sizeof f[0], "A", X0, Y0, 1000, "2000");
    tu_square(f[1], sizeof f[1], "B", X0 + 1000, Y0, 1000, "5000");
    snprintf(feats, sizeof feats, "%s,%s", f[0], f[1]);
    tu_write_fc(dir, "areas.geojson", feats, areas, sizeof areas);
    tu_write(dir, "inc.csv",
             "category,month,x,y\n"
             "Anti-social behaviour,2024-03,400100,100100\n"
             "Anti-social behaviour,2024-03,400200,100100\n"
             "Anti-social behaviour,2024-03,400300,100900\n"
             "Anti-social behaviour,2023-01,400500,100500\n"
             "Burglary,2024-05,400500,100500\n"
             "Violence and sexual offences,2024-12,401500,100500\n"
             "Violence and sexual offences,2024-12,401600,100500\n",
             csv, sizeof csv);
    snprintf(gpkg, sizeof gpkg, "%s/run.gpkg", dir);
    hs_options o;
    hs_error err = {0};
    hs_summary sum;
    hs_options_init(&o);
    const char *kv[][2] = {{"incidents", csv}, {"areas", areas},
                           {"area_id", "id"}, {"area_name", "name"},
                           {"population", "pop"}, {"kde", "no"},
                           {"incidents_layer", "no"}, {"output", gpkg}};
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i++)
        assert_int_equal(hs_options_set(&o, kv[i][0], kv[i][1], NULL, &err),
                         HS_OK);
    hs_status rc = hs_run(&o, NULL, &sum, &err);
    if (rc)
        print_message("hs_run: %s\n", err.msg);
    assert_int_equal(rc, HS_OK);
    hs_options_free(&o);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmrf(dir);
    hs_report_cleanup(); /* cairo's font caches, for LeakSanitizer */
    return 0;
}

static long monthly(const hs_rdata *d, int g, const char *area, int m)
{
    long a = hs_rdata_find_area(d, area);
    assert_true(a >= 0);
    assert_true(m >= d->month0 && m < d->month0 + d->nmonths);
    return d->monthly[g][(size_t)a * (size_t)d->nmonths + (size_t)(m - d->month0)];
}

static void test_reads_planted_run(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_rdata *d = hs_rdata_open(gpkg, &err);
    if (!d)
        print_message("%s\n", err.msg);
    assert_non_null(d);
    assert_int_equal(d->nareas, 2);
    assert_int_equal(d->cur_from, M(2024, 1));
    assert_int_equal(d->cur_to, M(2024, 12));
    assert_int_equal(d->prev_from, M(2023, 1));
    assert_int_equal(d->prev_to, M(2023, 12));
    assert_int_equal(d->month0, M(2023, 1));
    assert_int_equal(d->nmonths, 24);
    /* group 0 asb, 1 sac, 2 violence */
    assert_int_equal(monthly(d, 0, "A", M(2024, 3)), 3);
    assert_int_equal(monthly(d, 0, "A", M(2023, 1)), 1);
    assert_int_equal(monthly(d, 1, "A", M(2024, 5)), 1);
    assert_int_equal(monthly(d, 2, "B", M(2024, 12)), 2);
    long total = 0;
    for (int g = 0; g < HS_RG; g++)
        for (int k = 0; k < 2 * d->nmonths; k++)
            total += d->monthly[g][k];
    assert_int_equal(total, 7); /* every other cell is zero */
    long a = hs_rdata_find_area(d, "A");
    const hs_rrate *r = &d->rates[0][a];
    assert_int_equal(r->count, 3);
    assert_int_equal(r->prev_count, 1);
    assert_true(fabs(r->rate - 3.0 / 2000 * 1000) < 1e-12);
    assert_true(fabs(r->study - 3.0 / 7000 * 1000) < 1e-12);
    assert_string_equal(d->areas[a].name, "Area A");
    assert_true(fabs(d->study_pop - 7000) < 1e-9);
    for (int g = 0; g < HS_RG; g++)
        assert_false(d->has_surf[g]); /* --kde no */
    assert_int_equal(hs_rdata_find_area(d, "C"), -1);
    /* hs_run pins the file's timestamps to 2000-01-01 (output.h) */
    assert_string_equal(d->stamp, "2000-01-01T00:00:00Z");
    hs_rdata_destroy(d);
}

/* The PDF date is the run layer's last_change, in the form cairo takes;
 * anything unreadable there gives the fixed HS_RDATA_STAMP. */
static void test_stamp(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"2024-01-31T12:34:56.789Z", "2024-01-31T12:34:56Z"},
        {"2024-01-31T12:34:56Z", "2024-01-31T12:34:56Z"},
        {"2024-01-31T13:34:56+01:00", "2024-01-31T12:34:56Z"},
        {"yesterday", HS_RDATA_STAMP},
        {"", HS_RDATA_STAMP}};
    char copy[300], cmd[1200];
    hs_error err = {0};
    snprintf(copy, sizeof copy, "%s/stamp.gpkg", dir);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(cmd, sizeof cmd, "cp '%s' '%s' && ogrinfo -q '%s' -sql "
                 "\"UPDATE gpkg_contents SET last_change = '%s' WHERE "
                 "table_name = 'run'\" >/dev/null 2>&1", gpkg, copy, copy,
                 cases[i][0]);
        assert_int_equal(system(cmd), 0);
        hs_rdata *d = hs_rdata_open(copy, &err);
        assert_non_null(d);
        assert_string_equal(d->stamp, cases[i][1]);
        hs_rdata_destroy(d);
    }
}

static void test_open_errors(void **state)
{
    (void)state;
    hs_error err = {0};
    char path[256], copy[300];
    snprintf(path, sizeof path, "%s/missing.gpkg", dir);
    assert_null(hs_rdata_open(path, &err));
    assert_int_equal(err.code, HS_ERR_IO);
    assert_non_null(strstr(err.msg, "missing.gpkg"));
    tu_write(dir, "text.gpkg", "hello\n", path, sizeof path);
    assert_null(hs_rdata_open(path, &err));
    assert_int_equal(err.code, HS_ERR_DATA);
    assert_non_null(strstr(err.msg, "text.gpkg' is not a GeoPackage"));
    /* a GeoPackage without the rates of one group */
    snprintf(copy, sizeof copy, "%s/nosac.gpkg", dir);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && ogrinfo -q '%s' -sql 'DROP "
             "TABLE rates_sac' >/dev/null 2>&1", gpkg, copy, copy);
    assert_int_equal(system(cmd), 0);
    assert_null(hs_rdata_open(copy, &err));
    assert_int_equal(err.code, HS_ERR_DATA);
    assert_non_null(strstr(err.msg, "no layer 'rates_sac'"));
}

static void test_report_errors(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_report_summary s;
    char out[128];
    hs_report_options o = {gpkg, dir, "ZZ"};
    assert_int_equal(hs_report_run(&o, NULL, &s, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "--area 'ZZ'"));
    assert_non_null(strstr(err.msg, "A, B")); /* the ids it has */
    snprintf(out, sizeof out, "%s/none", dir);
    o = (hs_report_options){gpkg, out, NULL};
    assert_int_equal(hs_report_run(&o, NULL, &s, &err), HS_ERR_IO);
    assert_non_null(strstr(err.msg, "/none' does not exist"));
    /* a good one: two packs and the county page, nothing else */
    mkdir(out, 0755);
    assert_int_equal(hs_report_run(&o, NULL, &s, &err), HS_OK);
    assert_int_equal(s.areas, 2);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s' | tr '\\n' ' ')\" = "
             "'A.pdf B.pdf county.pdf '", out);
    assert_int_equal(system(cmd), 0);
}

static void test_file_names(void **state)
{
    (void)state;
    char a[128], b[128];
    hs_report_file_name("AB03", a, sizeof a);
    assert_string_equal(a, "AB03");
    hs_report_file_name("E01031841.x-y_z", a, sizeof a);
    assert_string_equal(a, "E01031841.x-y_z");
    /* unsafe characters: replaced, and a hash keeps names apart */
    hs_report_file_name("a/b", a, sizeof a);
    hs_report_file_name("a b", b, sizeof b);
    assert_int_equal(strncmp(a, "a_b-", 4), 0);
    assert_int_equal(strncmp(b, "a_b-", 4), 0);
    assert_int_equal(strlen(a), 12);
    assert_string_not_equal(a, b);
    hs_report_file_name("../etc", a, sizeof a);
    assert_null(strchr(a, '/'));
    assert_true(a[0] != '.');
    hs_report_file_name("county", a, sizeof a);
    assert_string_not_equal(a, "county");
    hs_report_file_name("", a, sizeof a);
    assert_int_equal(strncmp(a, "area-", 5), 0);
    hs_report_file_name("Stra\xc3\x9f" "e", a, sizeof a); /* UTF-8 */
    assert_int_equal(strncmp(a, "Stra__e-", 8), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_planted_run),
        cmocka_unit_test(test_stamp),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_report_errors),
        cmocka_unit_test(test_file_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
