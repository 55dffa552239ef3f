/* test_options.c - flags and INI profiles share one set of keys. */
#include "util.h"

#include "hotspot/hs_options.h"

static void test_profile(void **state)
{
    (void)state;
    char dir[64], path[256];
    hs_error err = {0};
    hs_options o;
    hs_options_init(&o);
    tu_tmpdir(dir, sizeof dir);
    tu_write(dir, "p.ini",
             "; a profile\n"
             "[hotspot]\n"
             "incidents = police/2024-01.csv police/2024-02.csv\n"
             "incidents = /abs/extract.csv\n"
             "areas = boards.geojson\n"
             "area-id = board_id\n"
             "area_name = board_name\n"
             "population = residents\n"
             "from = 2024-01\n"
             "period = FY2024-ytd\n"
             "compare =\n"
             "output = out.gpkg\n",
             path, sizeof path);
    assert_int_equal(hs_options_load_profile(&o, path, &err), HS_OK);
    assert_int_equal(o.n_incidents, 3);
    char want[256];
    snprintf(want, sizeof want, "%s/police/2024-01.csv", dir);
    assert_string_equal(o.incidents[0], want);
    assert_string_equal(o.incidents[2], "/abs/extract.csv");
    snprintf(want, sizeof want, "%s/boards.geojson", dir);
    assert_string_equal(o.areas, want);
    assert_string_equal(o.area_id, "board_id");
    assert_string_equal(o.area_name, "board_name");
    assert_string_equal(o.population, "residents"); /* no such file: a field */
    assert_null(o.compare);                         /* empty: default */
    assert_string_equal(o.period, "FY2024-ytd");    /* resolved by the run */
    assert_string_equal(o.output, "out.gpkg");      /* output not resolved */
    /* a flag overrides; incidents can be replaced */
    assert_int_equal(hs_options_set(&o, "from", "2023-06", NULL, &err), HS_OK);
    assert_string_equal(o.from, "2023-06");
    hs_options_clear_incidents(&o);
    assert_int_equal(o.n_incidents, 0);
    assert_int_not_equal(hs_options_set(&o, "colour", "red", NULL, &err), HS_OK);
    assert_non_null(strstr(err.msg, "colour"));
    hs_options_free(&o);

    /* errors name the file and line */
    hs_options_init(&o);
    tu_write(dir, "bad.ini", "areas = a\nbogus = 1\n", path, sizeof path);
    assert_int_not_equal(hs_options_load_profile(&o, path, &err), HS_OK);
    assert_non_null(strstr(err.msg, "bad.ini"));
    assert_non_null(strstr(err.msg, "bogus"));
    hs_options_free(&o);
    hs_options_init(&o);
    tu_write(dir, "bad2.ini", "areas = a\nthis is not a key value line\n",
             path, sizeof path);
    assert_int_not_equal(hs_options_load_profile(&o, path, &err), HS_OK);
    assert_non_null(strstr(err.msg, "line 2"));
    hs_options_free(&o);
    hs_options_init(&o);
    tu_write(dir, "bad3.ini", "[other]\nareas = a\n", path, sizeof path);
    assert_int_not_equal(hs_options_load_profile(&o, path, &err), HS_OK);
    assert_non_null(strstr(err.msg, "[other]"));
    assert_int_not_equal(hs_options_load_profile(&o, "/nonexistent.ini", &err),
                         HS_OK);
    assert_int_not_equal(hs_options_load_profile(&o, dir, &err), HS_OK);
    assert_non_null(strstr(err.msg, "folder"));
    hs_options_free(&o);
    tu_rmrf(dir);
}

/* Every option named in the issue is there (a contract with users). */
static void test_table(void **state)
{
    (void)state;
    static const char *const names[] = {
        "incidents", "areas", "areas_layer", "area_id", "area_name",
        "population", "population_id", "population_value", "from", "to",
        "compare", "groups", "output", "x", "y", "incidents_crs", "category",
        "date", "time", "assign", "categories", "weight", "crs", "period"};
    size_t n;
    const hs_option_info *t = hs_options_table(&n);
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= strcmp(t[i].name, names[k]) == 0 && t[i].help && *t[i].help;
        if (!found)
            fail_msg("option %s missing", names[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
