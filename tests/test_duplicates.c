/*
 * test_duplicates.c - src/input/duplicates.c on a store built by hand:
 * three files, read in order: f0 (police.uk) holds force-months A, A, B, B;
 * f1 (police.uk) A, A; f2 (an extract with --id) references R, R, and one
 * row with none.  Worked by hand: "last" takes A from f1 and B from f0
 * (f0's two A rows go) and keeps R's second row; "first" takes A from f0
 * (f1's rows go) and keeps R's first row; "keep" removes nothing but
 * reports what "last" would.
 */
#include "util.h"

#include <math.h>

#include "input/duplicates.h"
#include "input/incidents.h"

static hs_incidents *store(int32_t *A, int32_t *B, int32_t *R)
{
    hs_error err = {0};
    hs_incidents *s = hs_incidents_create(&err);
    assert_non_null(s);
    assert_int_equal(hs_incidents_add_cols(s, HS_COL_KEY, &err), HS_OK);
    assert_int_equal(hs_incidents_reserve(s, 9, &err), HS_OK);
    *A = hs_pool_intern(s->keys, "fm:W|2019-01", 12);
    *B = hs_pool_intern(s->keys, "fm:W|2019-02", 12);
    *R = hs_pool_intern(s->keys, "id:R", 4);
    int32_t keys[9] = {*A, *A, *B, *B, *A, *A, *R, -1, *R};
    for (size_t i = 0; i < 9; i++) {
        s->x[i] = s->y[i] = i == 1 ? NAN : 0; /* row 1 has no location */
        s->group[i] = 0;
        s->row[i] = (int64_t)i + 2; /* tells the rows apart */
        s->key[i] = keys[i];
    }
    s->n = 9;
    return s;
}

static void run(hs_dup_rule rule, const char *want, long fm, long refs,
                long no_location)
{
    int32_t A, B, R;
    hs_incidents *s = store(&A, &B, &R);
    hs_dup_file f[3] = {{0, 4, 1, 0}, {4, 6, 1, 0}, {6, 9, 0, 0}};
    hs_dup_result d;
    hs_error err = {0};
    assert_int_equal(hs_dups_resolve(s, f, 3, rule, &d, &err), HS_OK);
    char got[16] = "";
    for (size_t i = 0; i < s->n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%d", (int)s->row[i] - 2);
    assert_string_equal(got, want);
    assert_int_equal(d.fm_rows, fm);
    assert_int_equal(d.ref_rows, refs);
    assert_int_equal(d.no_location, no_location);
    /* the ranges follow the compaction and the removals add up */
    assert_int_equal(f[0].start, 0);
    assert_int_equal(f[2].end, s->n);
    long removed = f[0].removed + f[1].removed + f[2].removed;
    assert_int_equal(removed, rule == HS_DUP_KEEP ? 0 : fm + refs);
    assert_int_equal((long)s->n, 9 - removed);
    /* one run: the two A rows of the file that loses A */
    assert_int_equal(d.nruns, 1);
    assert_int_equal(d.runs[0].key, A);
    assert_int_equal(d.runs[0].n, 2);
    assert_int_equal(d.runs[0].file, rule == HS_DUP_FIRST ? 1 : 0);
    assert_int_equal(d.runs[0].kept_in, rule == HS_DUP_FIRST ? 0 : 1);
    /* the reference's example names both lines */
    assert_int_equal(d.ref_example[0].line, rule == HS_DUP_FIRST ? 10 : 8);
    assert_int_equal(d.ref_example[0].kept_line, rule == HS_DUP_FIRST ? 8 : 10);
    hs_dup_result_free(&d);
    hs_incidents_destroy(s);
}

static void test_last(void **state) { (void)state; run(HS_DUP_LAST, "234578", 2, 1, 1); }
static void test_first(void **state) { (void)state; run(HS_DUP_FIRST, "012367", 2, 1, 0); }
static void test_keep(void **state) { (void)state; run(HS_DUP_KEEP, "012345678", 2, 1, 0); }

static void test_rule_names(void **state)
{
    (void)state;
    hs_dup_rule r;
    assert_int_equal(hs_dup_rule_parse("first", &r), 0);
    assert_int_equal(r, HS_DUP_FIRST);
    assert_string_equal(hs_dup_rule_name(r), "first");
    assert_int_equal(hs_dup_rule_parse("twice", &r), -1);
    char b[64];
    hs_dup_key_text("fm:Wiltshire Police|2019-01", b, sizeof b);
    assert_string_equal(b, "Wiltshire Police 2019-01");
    hs_dup_key_text("id:23/001|x", b, sizeof b);
    assert_string_equal(b, "23/001|x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_last),
        cmocka_unit_test(test_first),
        cmocka_unit_test(test_keep),
        cmocka_unit_test(test_rule_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
