/* test_aggregate.c - counts, rates, intervals, study rate and change on a
 * hand-worked example; population tables and best-fit zones. */
#include <math.h>

#include "util.h"

#include "analysis/aggregate.h"
#include "geography/areas.h"
#include "geography/population.h"
#include "input/incidents.h"

#define X0 400000.0
#define Y0 100000.0

static char dir[64];

#define square tu_square

static void write_fc(const char *name, const char *feats, char *path, size_t n)
{
    tu_write_fc(dir, name, feats, path, n);
}

/* Areas A (pop 2000), B (pop 5000), C (no population). */
static hs_areas *three_areas(const char *pop_field)
{
    char f[3][600], feats[2000], path[256];
    square(f[0], sizeof f[0], "A", X0, Y0, 1000, "2000");
    square(f[1], sizeof f[1], "B", X0 + 1000, Y0, 1000, "5000");
    square(f[2], sizeof f[2], "C", X0 + 2000, Y0, 1000, "null");
    snprintf(feats, sizeof feats, "%s,%s,%s", f[0], f[1], f[2]);
    write_fc("areas.geojson", feats, path, sizeof path);
    hs_areas_opts o = {.path = path, .id_field = "id", .name_field = NULL,
                       .pop_field = pop_field, .crs = "EPSG:27700"};
    hs_error err = {0};
    hs_areas *a = hs_areas_load(&o, NULL, &err);
    assert_non_null(a);
    return a;
}

static void add(hs_incidents *s, int area, int group, int32_t month, long n)
{
    hs_error err = {0};
    assert_int_equal(hs_incidents_reserve(s, (size_t)n, &err), HS_OK);
    for (long k = 0; k < n; k++) {
        size_t i = s->n++;
        memset(&s->x[i], 0, sizeof s->x[i]);
        s->x[i] = area >= 0 ? X0 : NAN;
        s->y[i] = Y0;
        s->month[i] = month;
        s->group[i] = (int16_t)group;
        s->area[i] = area;
    }
}

#define M(y, m) ((y) * 12 + (m) - 1)

static void test_rates_hand_worked(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_areas *a = three_areas("pop");
    int A = hs_areas_find(a, "A"), B = hs_areas_find(a, "B"),
        C = hs_areas_find(a, "C");
    hs_incidents *s = hs_incidents_create(&err);
    /* group 0 in 2024 (period): A 4, B 25, C 7; in 2023: A 4, B 10, C 0 */
    add(s, A, 0, M(2024, 3), 4);
    add(s, B, 0, M(2024, 6), 25);
    add(s, C, 0, M(2024, 1), 7);
    add(s, A, 0, M(2023, 12), 4);
    add(s, B, 0, M(2023, 2), 10);
    add(s, A, 1, M(2024, 3), 9);     /* group 1: not analysed */
    add(s, -1, 0, M(2024, 3), 3);    /* no location */
    add(s, A, 0, M(2021, 1), 5);     /* outside both periods */
    int groups[] = {0};
    hs_agg_opts o = {{M(2024, 1), M(2024, 12)}, {M(2023, 1), M(2023, 12)}, 1,
                     groups, 1};
    hs_agg_report rep;
    hs_rates *R = hs_aggregate(s, a, &o, &rep, &err);
    assert_non_null(R);
    assert_int_equal(rep.in_period, 4 + 25 + 7 + 9 + 3);
    assert_int_equal(rep.in_compare, 14);
    assert_int_equal(rep.outside_period, 5);
    assert_int_equal(rep.no_location, 3);
    assert_int_equal(rep.other_groups, 9);
    assert_int_equal(rep.assigned, 36);
    assert_int_equal(R->months, 12);

    /* Study area: only areas with a population: (4 + 25) / 7000 x 1000 */
    assert_float_equal(R->study_rate[0], 29.0 / 7.0, 1e-12);
    assert_int_equal(R->study_count[0], 29);

    /* A: 4 in 2,000 -> 2.0 per 1,000.  Exact 95% limits on the count from
     * chi-square tables: chi2(0.025; 8)/2 = 2.17973/2, chi2(0.975; 10)/2 =
     * 20.4832/2 -> 0.5449 and 5.1208 per 1,000. */
    const hs_rate *ra = &R->r[A];
    assert_int_equal(ra->count, 4);
    assert_float_equal(ra->rate, 2.0, 1e-12);
    assert_float_equal(ra->rate_low, 2.17973 / 2 / 2, 1e-4);
    assert_float_equal(ra->rate_high, 20.4832 / 2 / 2, 1e-4);
    assert_float_equal(ra->rate_annual, 2.0, 1e-12);
    assert_string_equal(hs_rate_vs_text(ra), "similar"); /* 4.14 inside */
    assert_int_equal(ra->prev_count, 4);
    assert_int_equal(ra->change, 0);
    assert_float_equal(ra->change_pct, 0, 0);
    assert_float_equal(ra->change_p, 1.0, 1e-12);
    assert_string_equal(hs_rate_change_flag(ra), "no significant change");

    /* B: 25 in 5,000 -> 5.0.  Byar: L = 25(1 - 1/225 - z/15)^3,
     * U = 26(1 - 1/234 + z/(3 sqrt 26))^3, z = 1.959964 */
    const hs_rate *rb = &R->r[B];
    double z = 1.959963984540054;
    double L = 25 * pow(1 - 1.0 / 225 - z / 15, 3);
    double U = 26 * pow(1 - 1.0 / 234 + z / (3 * sqrt(26)), 3);
    assert_float_equal(rb->rate, 5.0, 1e-12);
    assert_float_equal(rb->rate_low, L / 5, 1e-9);
    assert_float_equal(rb->rate_high, U / 5, 1e-9);
    /* and Byar's is close to the exact limit chi2(0.025; 50)/2 = 32.357/2
     * from tables */
    assert_float_equal(L, 32.357 / 2, 0.01);
    /* 25 vs 10: binom.test(25, 35) two-sided p = 0.0166738 (R) */
    assert_float_equal(rb->change_p, 0.0166738478, 1e-8);
    assert_string_equal(hs_rate_change_flag(rb), "increase (95%)");
    assert_float_equal(rb->change_pct, 150.0, 1e-12);

    /* C: no population: counts, no rate, no comparison with the study */
    const hs_rate *rc = &R->r[C];
    assert_int_equal(rc->count, 7);
    assert_true(isnan(rc->rate) && isnan(rc->rate_low));
    assert_string_equal(hs_rate_vs_text(rc), "no population");
    assert_true(isnan(rc->change_pct)); /* 0 before: n/a (new) */
    hs_rates_destroy(R);

    /* a six-month period with no comparison: annualised rate doubles */
    hs_agg_opts o2 = {{M(2024, 1), M(2024, 6)}, {0, 0}, 0, groups, 1};
    R = hs_aggregate(s, a, &o2, &rep, &err);
    assert_non_null(R);
    assert_int_equal(R->months, 6);
    assert_float_equal(R->r[B].rate_annual, 10.0, 1e-12);
    assert_int_equal(R->r[B].prev_count, -1);
    assert_string_equal(hs_rate_change_flag(&R->r[B]), "no comparison");
    hs_rates_destroy(R);

    /* significant at 99.8%: 80 vs 10 (p = 2 P(X >= 80 | Bin(90, .5)) < 0.002);
     * B's rate 16.0, Byar lower limit 80(1 - 1/720 - z/(3 sqrt 80))^3 / 5 =
     * 12.69 per 1,000, above the study rate 84/7 = 12.0 */
    add(s, B, 0, M(2024, 6), 55);
    R = hs_aggregate(s, a, &o, &rep, &err);
    assert_string_equal(hs_rate_change_flag(&R->r[B]), "increase (99.8%)");
    assert_float_equal(R->study_rate[0], 12.0, 1e-12);
    assert_float_equal(R->r[B].rate_low, 80 * pow(1 - 1.0 / 720 - z / (3 * sqrt(80)), 3) / 5, 1e-9);
    assert_string_equal(hs_rate_vs_text(&R->r[B]), "higher");
    hs_rates_destroy(R);
    hs_incidents_destroy(s);
    hs_areas_destroy(a);
}

static void test_default_period(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_incidents *s = hs_incidents_create(&err);
    hs_period p;
    assert_int_not_equal(hs_default_period(s, &p, &err), HS_OK);
    add(s, 0, 0, M(2022, 5), 1);
    add(s, 0, 0, M(2024, 2), 1);
    assert_int_equal(hs_default_period(s, &p, &err), HS_OK);
    assert_int_equal(p.to, M(2024, 2));
    assert_int_equal(p.from, M(2023, 3));
    hs_incidents_destroy(s);
    s = hs_incidents_create(&err);
    add(s, 0, 0, M(2024, 1), 1);
    add(s, 0, 0, M(2024, 5), 1);
    assert_int_equal(hs_default_period(s, &p, &err), HS_OK);
    assert_int_equal(p.from, M(2024, 1)); /* fewer than 12 months of data */
    hs_incidents_destroy(s);
}

static void test_population_table(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_pop_report rep;
    char path[256];
    hs_areas *a = three_areas(NULL);
    /* BOM, no header, an unknown id, CRLF */
    tu_write(dir, "pop.csv", "\xEF\xBB\xBF" "A,100\r\nZ,5\r\nB,250\r\n", path,
             sizeof path);
    assert_int_equal(hs_population_from_table(a, path, NULL, NULL, &rep, NULL,
                                              &err), HS_OK);
    assert_int_equal(rep.rows, 3);
    assert_int_equal(rep.matched, 2);
    assert_int_equal(rep.unmatched, 1);
    assert_float_equal(hs_areas_population(a, (size_t)hs_areas_find(a, "B")), 250, 0);
    assert_true(isnan(hs_areas_population(a, (size_t)hs_areas_find(a, "C"))));
    /* columns by name and by number, header present */
    tu_write(dir, "pop2.csv", "name,code,residents\nx,C,77\n", path, sizeof path);
    assert_int_equal(hs_population_from_table(a, path, "code", "residents",
                                              &rep, NULL, &err), HS_OK);
    assert_float_equal(hs_areas_population(a, (size_t)hs_areas_find(a, "C")), 77, 0);
    assert_int_equal(hs_population_from_table(a, path, "2", "3", &rep, NULL,
                                              &err), HS_OK);
    assert_int_equal(rep.matched, 1);
    /* nothing matches: an error that shows both kinds of id */
    tu_write(dir, "pop3.csv", "E01000001,5\n", path, sizeof path);
    assert_int_not_equal(hs_population_from_table(a, path, NULL, NULL, &rep,
                                                  NULL, &err), HS_OK);
    assert_non_null(strstr(err.msg, "'E01000001'"));
    assert_non_null(strstr(err.msg, "'A'"));
    /* an id twice: error naming both lines */
    tu_write(dir, "pop4.csv", "A,1\nB,2\nA,3\n", path, sizeof path);
    assert_int_not_equal(hs_population_from_table(a, path, NULL, NULL, &rep,
                                                  NULL, &err), HS_OK);
    assert_non_null(strstr(err.msg, "lines 1 and 3"));
    hs_areas_destroy(a);
}

/* Zones best-fitted by interior point: a zone straddling A and B mostly in
 * A goes wholly to A (ONS best-fit), never split. */
static void test_population_zones(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_pop_report rep;
    char f[4][600], feats[2600], path[256];
    hs_areas *a = three_areas(NULL);
    square(f[0], sizeof f[0], "z1", X0 + 100, Y0 + 100, 300, "100");
    square(f[1], sizeof f[1], "z2", X0 + 500, Y0 + 500, 400, "30");
    /* z3: a 900 m wide strip, 700 m in A and 200 m in B; its interior point
     * lies in A (GEOS puts it at the middle of the widest run: x = X0+550) */
    snprintf(f[2], sizeof f[2], "{\"type\":\"Feature\",\"properties\":{\"pop\":"
             "1000},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%f,%f],"
             "[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}}", X0 + 300, Y0 + 0, X0 + 1200,
             Y0, X0 + 1200, Y0 + 50, X0 + 300, Y0 + 50, X0 + 300, Y0);
    square(f[3], sizeof f[3], "z4", X0 + 5000, Y0, 100, "9"); /* outside */
    snprintf(feats, sizeof feats, "%s,%s,%s,%s", f[0], f[1], f[2], f[3]);
    write_fc("zones.geojson", feats, path, sizeof path);
    assert_int_equal(hs_population_from_zones(a, path, "pop", "EPSG:27700",
                                              &rep, NULL, &err), HS_OK);
    assert_int_equal(rep.rows, 4);
    assert_int_equal(rep.matched, 3);
    assert_int_equal(rep.unmatched, 1);
    assert_float_equal(hs_areas_population(a, (size_t)hs_areas_find(a, "A")),
                       1130, 0);
    assert_true(isnan(hs_areas_population(a, (size_t)hs_areas_find(a, "B"))));
    assert_int_equal(hs_population_kind(path), HS_POP_ZONES);
    assert_int_equal(hs_population_kind("pop"), HS_POP_FIELD);
    hs_areas_destroy(a);
}

/* Counts as sums of --when shares (aggregate.h): A holds 3 whole
 * incidents and shares 0.5 and 0.25 in 2024, shares 1 and 0.5 in 2023;
 * B 12 whole in 2024 and none in 2023. */
static void test_rates_shares(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_areas *a = three_areas("pop");
    int A = hs_areas_find(a, "A"), B = hs_areas_find(a, "B");
    hs_incidents *s = hs_incidents_create(&err);
    assert_int_equal(hs_incidents_add_cols(s, HS_COL_SHARE, &err), HS_OK);
    add(s, A, 0, M(2024, 3), 5);
    add(s, A, 0, M(2023, 3), 2);
    add(s, B, 0, M(2024, 3), 12);
    for (size_t i = 0; i < s->n; i++)
        s->share[i] = 1;
    s->share[3] = 0.5f;
    s->share[4] = 0.25f;
    s->share[6] = 0.5f;
    int groups[] = {0};
    hs_agg_opts o = {{M(2024, 1), M(2024, 12)}, {M(2023, 1), M(2023, 12)}, 1,
                     groups, 1};
    hs_agg_report rep;
    hs_rates *R = hs_aggregate(s, a, &o, &rep, &err);
    assert_non_null(R);
    const hs_rate *ra = &R->r[A], *rb = &R->r[B];
    assert_float_equal(ra->count, 3.75, 0);
    assert_float_equal(ra->prev_count, 1.5, 0);
    assert_float_equal(ra->change, 2.25, 0);
    assert_float_equal(ra->change_pct, 150, 1e-12);
    assert_float_equal(ra->rate, 3.75 / 2, 1e-12);
    /* Fay & Feuer: y = 3.75, v = 3 + 0.25 + 0.0625, wmax = 1 */
    double lo, hi;
    assert_int_equal(hs_weighted_poisson_ci(3.75, 3.3125, 1, 0.95, &lo, &hi, &err), HS_OK);
    assert_float_equal(ra->rate_low, lo / 2, 1e-12);
    assert_float_equal(ra->rate_high, hi / 2, 1e-12);
    /* the change test on whole incidents: 3.75 -> 4 against 1.5 -> 2 */
    assert_float_equal(ra->change_p, hs_change_p(4, 2, 1, 1), 0);
    /* B's shares are all whole: Byar's interval, as without --when */
    double blo, bhi;
    assert_int_equal(hs_poisson_ci(12, 0.95, &blo, &bhi, &err), HS_OK);
    assert_float_equal(rb->rate_low, blo / 5, 1e-12);
    assert_float_equal(R->study_count[0], 15.75, 0);
    assert_float_equal(R->study_rate[0], 15.75 / 7, 1e-12);
    hs_rates_destroy(R);
    hs_incidents_destroy(s);
    hs_areas_destroy(a);
}

static int setup(void **state)
{
    (void)state;
    tu_tmpdir(dir, sizeof dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmrf(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rates_hand_worked),
        cmocka_unit_test(test_rates_shares),
        cmocka_unit_test(test_default_period),
        cmocka_unit_test(test_population_table),
        cmocka_unit_test(test_population_zones),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
