/*
 * test_text.c - src/input/text.c against glibc's iconv, an independent
 * implementation of both encodings: every Windows-1252 byte (iconv refuses
 * the five undefined ones, which must become '?'), Windows-1252 strings,
 * and 200,000 random byte strings, whose longest valid UTF-8 prefix must be
 * where iconv's UTF-8 decoder stops.
 */
#include "util.h"

#include <errno.h>
#include <iconv.h>

#include "input/text.h"

/* iconv of in[0..n) from one encoding to another: bytes written to out, or
 * -1; *used gets how many input bytes were converted. */
static long conv(const char *from, const char *to, const char *in, size_t n,
                 char *out, size_t cap, size_t *used)
{
    iconv_t cd = iconv_open(to, from);
    assert_true(cd != (iconv_t)-1);
    char *ip = (char *)in, *op = out;
    size_t il = n, ol = cap;
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    *used = n - il;
    return r == (size_t)-1 ? -1 : (long)(cap - ol);
}

static void test_cp1252_every_byte(void **state)
{
    (void)state;
    int undefined_seen = 0;
    for (int b = 1; b < 256; b++) {
        char in[1] = {(char)b}, want[8], got[8];
        size_t used;
        long n = conv("WINDOWS-1252", "UTF-8", in, 1, want, sizeof want, &used);
        int undefined = 0;
        size_t len = hs_cp1252_to_utf8(in, 1, got, &undefined);
        if (n < 0) { /* undefined in Windows-1252 */
            assert_int_equal(len, 1);
            assert_int_equal(got[0], '?');
            assert_true(undefined);
            undefined_seen++;
        } else {
            assert_int_equal(len, (size_t)n);
            assert_memory_equal(got, want, len);
            assert_false(undefined);
        }
        assert_int_equal(got[len], '\0');
    }
    assert_int_equal(undefined_seen, 5); /* 0x81 0x8D 0x8F 0x90 0x9D */
}

static void test_cp1252_strings(void **state)
{
    (void)state;
    const char *in = "On or near \x93" "Caf\xe9\x94, \xa3" "5 \x80 \x96 Na\xefve";
    char want[128], got[128];
    size_t used;
    long n = conv("WINDOWS-1252", "UTF-8", in, strlen(in), want, sizeof want, &used);
    assert_true(n > 0);
    size_t len = hs_cp1252_to_utf8(in, strlen(in), got, NULL);
    assert_int_equal(len, (size_t)n);
    assert_memory_equal(got, want, len);
    /* and the result is UTF-8 */
    assert_int_equal(hs_utf8_valid_prefix(got, len), len);
}

static void test_utf8_prefix_random(void **state)
{
    (void)state;
    uint32_t seed = 7;
    long valid = 0;
    for (int t = 0; t < 200000; t++) {
        unsigned char s[6];
        size_t n = 1 + (size_t)(t % 6);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1664525u + 1013904223u; /* Numerical Recipes LCG */
            unsigned r = seed >> 24;
            /* mostly lead and continuation bytes, where the rules bite */
            s[i] = (unsigned char)(t & 1 ? r : 0x80 | (r & 0x7f));
            if (s[i] == 0)
                s[i] = 'a';
        }
        char out[64];
        size_t used;
        conv("UTF-8", "UTF-32LE", (const char *)s, n, out, sizeof out, &used);
        size_t got = hs_utf8_valid_prefix((const char *)s, n);
        if (got != used)
            fail_msg("case %d: prefix %zu, iconv %zu", t, got, used);
        valid += got == n;
    }
    assert_true(valid > 1000); /* the random strings reach valid ones too */
}

static void test_utf8_known(void **state)
{
    (void)state;
    static const struct { const char *s; size_t prefix; } c[] = {
        {"Caf\xc3\xa9", 5},
        {"\xc0\xaf", 0},             /* overlong '/' */
        {"a\xed\xa0\x80", 1},        /* surrogate U+D800 */
        {"a\xf4\x90\x80\x80", 1},    /* above U+10FFFF */
        {"\xf0\x9f\x98\x80z", 5},    /* U+1F600 */
        {"end\xe2\x82", 3},          /* truncated */
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++)
        assert_int_equal(hs_utf8_valid_prefix(c[i].s, strlen(c[i].s)), c[i].prefix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cp1252_every_byte),
        cmocka_unit_test(test_cp1252_strings),
        cmocka_unit_test(test_utf8_prefix_random),
        cmocka_unit_test(test_utf8_known),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
