/*
 * test_keep.c - src/core/keep.c against its rules (keep.h): an array per
 * slot, the same memory again (with what it held) while it is big enough,
 * a bigger one when asked, every byte asked for usable (ASan checks the
 * writes), the slots apart, NULL for a slot out of range or no keep.
 */
#include "util.h"

#include "core/keep.h"

static void fill(unsigned char *a, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (unsigned char)(v + i);
}

static int holds(const unsigned char *a, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != (unsigned char)(v + i))
            return 0;
    return 1;
}

static void test_reuse(void **state)
{
    (void)state;
    hs_keep *k = hs_keep_create();
    assert_non_null(k);
    unsigned char *a = hs_keep_get(k, 0, 1000);
    assert_non_null(a);
    fill(a, 1000, 7);
    /* smaller or the same: the same array, its bytes as left */
    assert_ptr_equal(hs_keep_get(k, 0, 10), a);
    assert_ptr_equal(hs_keep_get(k, 0, 1000), a);
    assert_true(holds(a, 1000, 7));
    /* another slot: another array; the first untouched */
    unsigned char *b = hs_keep_get(k, HS_KEEP_SLOTS - 1, 1000);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    fill(b, 1000, 99);
    assert_true(holds(a, 1000, 7));
    /* bigger: every byte writable (ASan), kept at that size after */
    unsigned char *c = hs_keep_get(k, 0, (size_t)5 << 20);
    assert_non_null(c);
    fill(c, (size_t)5 << 20, 3);
    assert_ptr_equal(hs_keep_get(k, 0, 1000), c);
    assert_true(holds(c, (size_t)5 << 20, 3));
    assert_true(holds(b, 1000, 99));
    /* 0 bytes: an array all the same */
    assert_non_null(hs_keep_get(k, 1, 0));
    hs_keep_destroy(k);
}

static void test_bad(void **state)
{
    (void)state;
    hs_keep *k = hs_keep_create();
    assert_non_null(k);
    assert_null(hs_keep_get(k, -1, 10));
    assert_null(hs_keep_get(k, HS_KEEP_SLOTS, 10));
    assert_null(hs_keep_get(NULL, 0, 10));
    assert_non_null(hs_keep_get(k, 0, 10)); /* the slots still usable */
    hs_keep_destroy(k);
    hs_keep_destroy(NULL);
}

/* take and give: the keep's slot, or fresh; zeroed when asked, over
 * what the slot held; a fresh one given back is freed (ASan: no leak),
 * a kept one stays. */
static void test_take(void **state)
{
    (void)state;
    const size_t big = (size_t)3 << 20; /* aligned to 2 MiB */
    unsigned char *f = hs_keep_take(NULL, 0, big, 1);
    assert_non_null(f);
    assert_int_equal((uintptr_t)f % ((size_t)2 << 20), 0);
    for (size_t i = 0; i < big; i++)
        assert_int_equal(f[i], 0);
    hs_keep_give(NULL, f);
    hs_keep *k = hs_keep_create();
    assert_non_null(k);
    unsigned char *a = hs_keep_take(k, 2, 1000, 0);
    assert_non_null(a);
    fill(a, 1000, 5);
    assert_ptr_equal(hs_keep_take(k, 2, 500, 0), a);
    assert_true(holds(a, 500, 5));
    assert_ptr_equal(hs_keep_take(k, 2, 800, 1), a);
    for (size_t i = 0; i < 800; i++)
        assert_int_equal(a[i], 0);
    hs_keep_give(k, a); /* stays the keep's */
    assert_ptr_equal(hs_keep_get(k, 2, 10), a);
    hs_keep_give(NULL, NULL);
    hs_keep_destroy(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reuse),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
