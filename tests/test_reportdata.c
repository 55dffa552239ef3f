/* test_reportdata.c - what "hotspot report" reads from a run's GeoPackage,
 * on a run over planted incidents (the monthly table's counts are known by
 * construction); its errors; and the PDF file names.  A second run over
 * planted incidents with dates and times: the time-of-week arrays, the
 * hotspots' hours, months and peaks, as planted and as sqlite3 sums the
 * tables (timeofweek, hotspot_timeofweek, hotspot_monthly) and reads the
 * layers' peak fields. */
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

static char dir[64], gpkg[256], timed[256];

/* The timed run: the same areas; incidents with a date and a time.  2024-03-02
 * is a Saturday, 2024-06-03 a Monday, 2024-12-06 a Friday.  Area A: ASB 8
 * at one point (Sat 22:10 x4, Sat 23:30 x2, Sun 01:00 x2), 2 on Mon 09:15
 * 500 m away, 1 in 2023; burglary 1 on Tue 2024-05-07 14:00.  Area B:
 * violence 2 on Fri 20:00.  Density surfaces with a fixed bandwidth, so
 * that the cluster makes a hotspot. */
static void run_timed(const char *areas)
{
    char csv[256];
    tu_write(dir, "timed.csv",
             "category,date,time,x,y\n"
             "Anti-social behaviour,2024-03-02,22:10,400250,100250\n"
             "Anti-social behaviour,2024-03-02,22:10,400250,100250\n"
             "Anti-social behaviour,2024-03-02,22:10,400250,100250\n"
             "Anti-social behaviour,2024-03-02,22:10,400250,100250\n"
             "Anti-social behaviour,2024-03-02,23:30,400250,100250\n"
             "Anti-social behaviour,2024-03-02,23:30,400250,100250\n"
             "Anti-social behaviour,2024-03-03,01:00,400250,100250\n"
             "Anti-social behaviour,2024-03-03,01:00,400250,100250\n"
             "Anti-social behaviour,2024-06-03,09:15,400750,100750\n"
             "Anti-social behaviour,2024-06-03,09:15,400750,100750\n"
             "Anti-social behaviour,2023-01-10,12:00,400500,100500\n"
             "Burglary,2024-05-07,14:00,400500,100500\n"
             "Violence and sexual offences,2024-12-06,20:00,401500,100500\n"
             "Violence and sexual offences,2024-12-06,20:00,401600,100500\n",
             csv, sizeof csv);
    snprintf(timed, sizeof timed, "%s/timed.gpkg", dir);
    hs_options o;
    hs_error err = {0};
    hs_summary sum;
    hs_options_init(&o);
    const char *kv[][2] = {
        {"incidents", csv}, {"areas", areas}, {"area_id", "id"},
        {"area_name", "name"}, {"population", "pop"}, {"category", "category"},
        {"date", "date"}, {"time", "time"}, {"x", "x"}, {"y", "y"},
        {"incidents_crs", "EPSG:27700"}, {"bandwidth", "200"}, {"cell", "50"},
        {"gistar", "no"}, {"lisa", "no"}, {"emerging", "no"},
        {"incidents_layer", "no"}, {"output", timed}};
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i++)
        assert_int_equal(hs_options_set(&o, kv[i][0], kv[i][1], NULL, &err),
                         HS_OK);
    hs_status rc = hs_run(&o, NULL, &sum, &err);
    if (rc)
        print_message("hs_run (timed): %s\n", err.msg);
    assert_int_equal(rc, HS_OK);
    hs_options_free(&o);
}

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
    run_timed(areas);
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
    /* a folder where a file is: an error naming it */
    snprintf(out, sizeof out, "%s/afile", dir);
    FILE *fp = fopen(out, "w");
    assert_non_null(fp);
    fclose(fp);
    o = (hs_report_options){gpkg, out, NULL};
    assert_int_equal(hs_report_run(&o, NULL, &s, &err), HS_ERR_IO);
    assert_non_null(strstr(err.msg, "/afile' is a file, not a folder"));
    /* a good one into a missing folder, made as mkdir -p: two packs and
     * the county page, nothing else */
    snprintf(out, sizeof out, "%s/none/sub", dir);
    o = (hs_report_options){gpkg, out, NULL};
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

/* ---- time of week and the hotspots' series ------------------------------ */

/* Rows of a query by sqlite3 on path, fields split at '|', given to
 * each(); returns the number of rows. */
static long sql_rows(const char *path, const char *q,
                     void (*each)(const hs_rdata *, char **, int),
                     const hs_rdata *d)
{
    char cmd[1400], line[512];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"%s\"", path, q);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    long n = 0;
    while (fgets(line, sizeof line, f)) {
        char *field[8], *cur = line;
        int nf = 0;
        line[strcspn(line, "\n")] = '\0';
        while (cur && nf < 8)
            field[nf++] = strsep(&cur, "|");
        each(d, field, nf);
        n++;
    }
    assert_int_equal(pclose(f), 0);
    return n;
}

static int group_index(const char *key)
{
    for (int g = 0; g < HS_RG; g++)
        if (strcmp(key, hs_rgroup_key[g]) == 0)
            return g;
    return -1;
}

static double tow_sum; /* what the rows checked so far add up to */

/* area_id | crime_group | day | hour | sum(weight) */
static void check_tow_row(const hs_rdata *d, char **f, int nf)
{
    assert_int_equal(nf, 5);
    long a = hs_rdata_find_area(d, f[0]);
    int g = group_index(f[1]), slot = (atoi(f[2]) - 1) * 24 + atoi(f[3]);
    assert_true(a >= 0 && g >= 0 && slot >= 0 && slot < HS_RTOW);
    assert_float_equal(d->tow[g][(size_t)a * HS_RTOW + (size_t)slot],
                       atof(f[4]), 1e-9);
    tow_sum += atof(f[4]);
}

/* hotspot_id | day | hour | sum(weight) */
static void check_hot_tow_row(const hs_rdata *d, char **f, int nf)
{
    assert_int_equal(nf, 4);
    const hs_rhot *h = hs_rdata_find_hot(d, f[0]);
    assert_non_null(h);
    assert_non_null(h->tow);
    assert_float_equal(h->tow[(atoi(f[1]) - 1) * 24 + atoi(f[2])], atof(f[3]),
                       1e-9);
    tow_sum += atof(f[3]);
}

/* hotspot_id | month | sum(incidents) */
static void check_hot_month_row(const hs_rdata *d, char **f, int nf)
{
    int32_t m;
    assert_int_equal(nf, 3);
    const hs_rhot *h = hs_rdata_find_hot(d, f[0]);
    assert_non_null(h);
    assert_non_null(h->monthly);
    assert_int_equal(hs_month_parse(f[1], strlen(f[1]), &m), 0);
    assert_true(m >= d->hm_month0 && m < d->hm_month0 + d->hm_nmonths);
    assert_float_equal(h->monthly[m - d->hm_month0], atof(f[2]), 1e-9);
    tow_sum += atof(f[2]);
}

/* hotspot_id | peak | peak_share ('' and -1 for NULL) */
static void check_hot_peak_row(const hs_rdata *d, char **f, int nf)
{
    assert_int_equal(nf, 3);
    const hs_rhot *h = hs_rdata_find_hot(d, f[0]);
    assert_non_null(h);
    assert_string_equal(h->peak ? h->peak : "", f[1]);
    if (atof(f[2]) < 0)
        assert_true(isnan(h->peak_share));
    else
        assert_float_equal(h->peak_share, atof(f[2]), 1e-9);
}

/* group | area_id | priority | peak ('' for NULL) */
static void check_task_peak_row(const hs_rdata *d, char **f, int nf)
{
    assert_int_equal(nf, 4);
    int g = group_index(f[0]), hit = 0;
    for (size_t t = 0; g >= 0 && t < d->ntask[g]; t++) {
        const hs_rtask *tk = &d->task[g][t];
        if (strcmp(tk->area_id, f[1]) == 0 && tk->priority == atoi(f[2])) {
            assert_string_equal(tk->peak ? tk->peak : "", f[3]);
            hit++;
        }
    }
    assert_int_equal(hit, 1);
}

static double all_tow(const hs_rdata *d)
{
    double s = 0;
    for (int g = 0; g < HS_RG; g++)
        for (size_t k = 0; k < d->nareas * HS_RTOW; k++)
            s += d->tow[g][k];
    return s;
}

/* The planted hours, and every cell against sqlite's GROUP BY (the
 * totals match too, so no cell holds what the table lacks). */
static void test_timeofweek(void **state)
{
    (void)state;
    if (system("command -v sqlite3 >/dev/null 2>&1") != 0)
        skip();
    hs_error err = {0};
    hs_rdata *d = hs_rdata_open(timed, &err);
    if (!d)
        print_message("%s\n", err.msg);
    assert_non_null(d);
    assert_true(d->has_tow);
    long a = hs_rdata_find_area(d, "A"), b = hs_rdata_find_area(d, "B");
    const double *asb = d->tow[0] + a * HS_RTOW;
    assert_float_equal(asb[5 * 24 + 22], 4, 1e-12); /* Sat 22:00 */
    assert_float_equal(asb[5 * 24 + 23], 2, 1e-12);
    assert_float_equal(asb[6 * 24 + 1], 2, 1e-12);  /* Sun 01:00 */
    assert_float_equal(asb[0 * 24 + 9], 2, 1e-12);  /* Mon 09:00 */
    assert_float_equal(d->tow[1][a * HS_RTOW + 1 * 24 + 14], 1, 1e-12);
    assert_float_equal(d->tow[2][b * HS_RTOW + 4 * 24 + 20], 2, 1e-12);
    assert_float_equal(all_tow(d), 13, 1e-9); /* the 2023 one is outside */
    assert_int_equal(d->tow_timed, 13);
    tow_sum = 0;
    assert_true(sql_rows(timed, "SELECT area_id, crime_group, day, hour, "
                         "sum(weight) FROM timeofweek GROUP BY 1, 2, 3, 4",
                         check_tow_row, d) > 0);
    assert_float_equal(tow_sum, all_tow(d), 1e-9);
    hs_rdata_destroy(d);
}

static void test_hotspot_series(void **state)
{
    (void)state;
    if (system("command -v sqlite3 >/dev/null 2>&1") != 0)
        skip();
    hs_error err = {0};
    hs_rdata *d = hs_rdata_open(timed, &err);
    if (!d)
        print_message("%s\n", err.msg);
    assert_non_null(d);
    assert_true(d->has_hot_tow && d->has_hot_monthly);
    assert_true(d->nhot[0] >= 1);
    const hs_rhot *top = hs_rdata_find_hot(d, "ASB-01");
    assert_non_null(top);
    assert_ptr_equal(top, &d->hot[0][0]);
    assert_null(hs_rdata_find_hot(d, "ASB-99"));
    assert_null(hs_rdata_find_hot(d, NULL));
    /* the cluster: Sat 22:00, 23:00 and Sun 01:00 hold 8 */
    assert_string_equal(top->peak, "Sat 22:00-02:00");
    assert_int_equal(d->peak_hours, 4);
    assert_int_equal(d->hm_month0, M(2023, 1));
    assert_int_equal(d->hm_nmonths, 24);
    assert_float_equal(top->monthly[M(2024, 3) - d->hm_month0], 8, 1e-12);
    double hot_tow = 0, hot_mon = 0;
    for (size_t k = 0; k < d->nhot_all; k++)
        for (int s = 0; s < HS_RTOW && d->hot_by_id[k]->tow; s++)
            hot_tow += d->hot_by_id[k]->tow[s];
    for (size_t k = 0; k < d->nhot_all; k++)
        for (int m = 0; m < d->hm_nmonths && d->hot_by_id[k]->monthly; m++)
            hot_mon += d->hot_by_id[k]->monthly[m];
    tow_sum = 0;
    assert_true(sql_rows(timed, "SELECT hotspot_id, day, hour, sum(weight) "
                         "FROM hotspot_timeofweek GROUP BY 1, 2, 3",
                         check_hot_tow_row, d) > 0);
    assert_float_equal(tow_sum, hot_tow, 1e-9);
    tow_sum = 0;
    assert_true(sql_rows(timed, "SELECT hotspot_id, month, sum(incidents) "
                         "FROM hotspot_monthly GROUP BY 1, 2",
                         check_hot_month_row, d) > 0);
    assert_float_equal(tow_sum, hot_mon, 1e-9);
    for (int g = 0; g < HS_RG; g++) {
        char q[400];
        snprintf(q, sizeof q, "SELECT hotspot_id, coalesce(peak, ''), "
                 "coalesce(peak_share, -1) FROM hotspots_%s", hs_rgroup_key[g]);
        assert_int_equal(sql_rows(timed, q, check_hot_peak_row, d),
                         (long)d->nhot[g]);
        snprintf(q, sizeof q, "SELECT '%s', area_id, priority, coalesce(peak, "
                 "'') FROM tasking_%s", hs_rgroup_key[g], hs_rgroup_key[g]);
        assert_int_equal(sql_rows(timed, q, check_task_peak_row, d),
                         (long)d->ntask[g]);
    }
    hs_rdata_destroy(d);
}

/* Months only: no time-of-week arrays, and the run says none had times. */
static void test_no_times(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_rdata *d = hs_rdata_open(gpkg, &err);
    assert_non_null(d);
    assert_false(d->has_tow);
    assert_false(d->has_hot_tow);
    for (int g = 0; g < HS_RG; g++)
        assert_null(d->tow[g]);
    assert_int_equal(d->tow_timed, 0);
    hs_rdata_destroy(d);
}

/* A bad hour in timeofweek is an error naming the table. */
static void test_tow_errors(void **state)
{
    (void)state;
    char copy[300], cmd[1200];
    hs_error err = {0};
    snprintf(copy, sizeof copy, "%s/badhour.gpkg", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && ogrinfo -q '%s' -sql "
             "\"UPDATE timeofweek SET hour = 24 WHERE fid = 1\" >/dev/null "
             "2>&1", timed, copy, copy);
    assert_int_equal(system(cmd), 0);
    assert_null(hs_rdata_open(copy, &err));
    assert_int_equal(err.code, HS_ERR_DATA);
    assert_non_null(strstr(err.msg, "table 'timeofweek'"));
    assert_non_null(strstr(err.msg, "hour 24"));
}

/* Peak texts as hotspot run writes them (timeofweek.h). */
static void test_peak_text(void **state)
{
    (void)state;
    int s, h;
    assert_int_equal(hs_rdata_peak("Sat 22:00-02:00", &s, &h), 0);
    assert_int_equal(s, 5 * 24 + 22);
    assert_int_equal(h, 4);
    assert_int_equal(hs_rdata_peak("Mon 00:00-04:00", &s, &h), 0);
    assert_int_equal(s, 0);
    assert_int_equal(h, 4);
    assert_int_equal(hs_rdata_peak("Sun 23:00-00:00", &s, &h), 0);
    assert_int_equal(s, 167);
    assert_int_equal(h, 1);
    assert_int_equal(hs_rdata_peak("Sun 22:00-Mon 22:00", &s, &h), 0);
    assert_int_equal(s, 6 * 24 + 22);
    assert_int_equal(h, 24);
    static const char *const bad[] = {"", "Sat", "Sat 22:00", "Xyz 22:00-02:00",
                                      "Sat 22:00-22:00", "Sat 25:00-02:00",
                                      "Sat 22:30-02:30", "Sat 22:00-Mon 22:00"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(hs_rdata_peak(bad[i], &s, &h), -1);
    assert_int_equal(hs_rdata_peak(NULL, &s, &h), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_planted_run),
        cmocka_unit_test(test_stamp),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_report_errors),
        cmocka_unit_test(test_file_names),
        cmocka_unit_test(test_timeofweek),
        cmocka_unit_test(test_hotspot_series),
        cmocka_unit_test(test_no_times),
        cmocka_unit_test(test_tow_errors),
        cmocka_unit_test(test_peak_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
