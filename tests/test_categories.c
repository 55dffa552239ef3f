/* test_categories.c - the category mapping: matching, and names too long to
 * keep (found by fuzzing: they used to be cut silently). */
#include "util.h"

#include "input/categories.h"

static hs_categories *load(const char *text, hs_error *err)
{
    return hs_categories_load_mem(text, strlen(text), "map.csv", err);
}

/* Values match trimmed and case-insensitively; groups by their names. */
static void test_matching(void **state)
{
    (void)state;
    hs_error err = {0};
    hs_categories *c = load("# comment\nvalue,group,note\n"
                            " Burglary ,SAC,\n28E,sac,\nDrugs,drugs,\n", &err);
    assert_non_null(c);
    assert_int_equal(hs_categories_ngroups(c), 2);
    int sac = hs_categories_find_group(c, "sac");
    assert_true(sac >= 0);
    assert_int_equal(hs_categories_group_of(c, "BURGLARY", 8), sac);
    assert_int_equal(hs_categories_group_of(c, "  28e", 5), sac);
    assert_int_equal(hs_categories_group_of(c, "Robbery", 7), -1);
    hs_categories_destroy(c);
}

/* A group name or value longer than kept is an error naming the line, not
 * a cut name (a cut could end in a space, or equal another name's prefix). */
static void test_too_long(void **state)
{
    (void)state;
    char text[1024], longv[301];
    hs_error err = {0};
    memset(longv, 'x', 300);
    longv[300] = '\0';

    snprintf(text, sizeof text, "value,group\nBurglary,%.*s\n", 70, longv);
    assert_null(load(text, &err));
    assert_non_null(strstr(err.msg, "line 2"));
    assert_non_null(strstr(err.msg, "group name is longer than 63"));

    snprintf(text, sizeof text, "value,group\n%s,sac\n", longv);
    assert_null(load(text, &err));
    assert_non_null(strstr(err.msg, "value is longer than 255"));

    /* 63 and 255 bytes still fit; a longer incident type matches nothing,
     * even when its first 255 bytes are a mapped value. */
    snprintf(text, sizeof text, "value,group\n%.*s,%.*s\n", 255, longv, 63,
             longv);
    hs_categories *c = load(text, &err);
    assert_non_null(c);
    assert_int_equal(hs_categories_group_of(c, longv, 255), 0);
    assert_int_equal(hs_categories_group_of(c, longv, 300), -1);
    assert_int_equal(hs_categories_find_group(c, longv), -1);
    longv[63] = '\0';
    assert_int_equal(hs_categories_find_group(c, longv), 0);
    hs_categories_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
