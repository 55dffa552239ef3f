/*
 * test_csv.c - tests for the streaming CSV reader (src/input/csv.c).
 *
 * Every input is built here, parsed from memory and (for a few) from a
 * temporary file, and every field, field count and line number is checked.
 * Records crossing the reader's 1 MiB read blocks are covered by generated
 * inputs of several MiB, checked against an independent trivial parser
 * (unquoted data) and against the generator's own record list (quoted data
 * with embedded line ends, mixed LF / CRLF / CR and blank lines).
 * Separator detection (GDAL's rule) and the opt-in skipping of binary lines
 * are checked on hand-written inputs, on every shift of a binary line across
 * the 1 MiB read block, and on a generated input with a known answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cpl_csv.h> /* CSVDetectSeperator: the rule hs_csv_detect_separator copies */
#include <unistd.h>

#include "input/csv.h"

#define MAX_RECORD (1024 * 1024) /* HS_CSV_MAX_RECORD in csv.c */
#define MiB (1024 * 1024)

/* ---- helpers ----------------------------------------------------------- */

typedef struct dbuf {
    char *d;
    size_t n, cap;
} dbuf;

static void db_put(dbuf *b, const void *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        while (b->n + n + 1 > ncap)
            ncap *= 2;
        b->d = realloc(b->d, ncap);
        assert_non_null(b->d);
        b->cap = ncap;
    }
    memcpy(b->d + b->n, p, n);
    b->n += n;
    b->d[b->n] = '\0';
}

static void db_putc(dbuf *b, char ch)
{
    db_put(b, &ch, 1);
}

static void db_fill(dbuf *b, char ch, size_t n)
{
    for (size_t i = 0; i < n; i++)
        db_putc(b, ch);
}

static hs_csv *open_str(const char *s)
{
    hs_error err;
    hs_csv *c;
    hs_error_clear(&err);
    c = hs_csv_open_mem(s, strlen(s), "test.csv", &err);
    if (!c)
        fail_msg("open_mem: %s", err.msg);
    return c;
}

/* Next record must exist, start on `line` and hold exactly fields[0..n). */
static void check_rec(hs_csv *c, long line, const char *const *fields, size_t n)
{
    hs_error err;
    hs_error_clear(&err);
    int r = hs_csv_next(c, &err);
    if (r != 1)
        fail_msg("expected a record at line %ld, got %d (%s)", line, r, err.msg);
    assert_int_equal(hs_csv_line(c), line);
    assert_int_equal(hs_csv_nfields(c), n);
    for (size_t i = 0; i < n; i++) {
        size_t len = 99;
        const char *f = hs_csv_field(c, i, &len);
        assert_int_equal(len, strlen(fields[i]));
        assert_memory_equal(f, fields[i], len);
        assert_int_equal(f[len], '\0');
    }
}
#define REC(c, line, ...)                                                      \
    check_rec((c), (line), (const char *const[]){__VA_ARGS__},                 \
              sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void check_end(hs_csv *c)
{
    hs_error err;
    hs_error_clear(&err);
    assert_int_equal(hs_csv_next(c, &err), 0);
    assert_int_equal(err.code, HS_OK);
    assert_int_equal(hs_csv_nfields(c), 0);
    assert_int_equal(hs_csv_next(c, &err), 0); /* stays at the end */
}

/* Next call must fail with code and a message containing each of needles. */
static void check_fail(hs_csv *c, hs_status code, const char *n1, const char *n2)
{
    hs_error err;
    hs_error_clear(&err);
    assert_int_equal(hs_csv_next(c, &err), -1);
    assert_int_equal(err.code, code);
    if (n1 && !strstr(err.msg, n1))
        fail_msg("message '%s' lacks '%s'", err.msg, n1);
    if (n2 && !strstr(err.msg, n2))
        fail_msg("message '%s' lacks '%s'", err.msg, n2);
    /* The reader stays stopped. */
    assert_int_equal(hs_csv_next(c, &err), -1);
}

static const char *tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

/* Writes data to a new temporary file; returns its malloc'd path. */
static char *write_tmp(const char *data, size_t len)
{
    char *path = malloc(strlen(tmp_dir()) + 32);
    assert_non_null(path);
    sprintf(path, "%s/test_csv_XXXXXX", tmp_dir());
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    return path;
}

static hs_csv *open_file(const char *path)
{
    hs_error err;
    hs_error_clear(&err);
    hs_csv *c = hs_csv_open(path, &err);
    if (!c)
        fail_msg("open: %s", err.msg);
    assert_string_equal(hs_csv_name(c), path);
    return c;
}

/* ---- small inputs ------------------------------------------------------ */

static void test_simple(void **state)
{
    (void)state;
    hs_csv *c = open_str("h1,h2,h3\na,b,c\n1,22,333\n");
    assert_string_equal(hs_csv_name(c), "test.csv");
    REC(c, 1, "h1", "h2", "h3");
    REC(c, 2, "a", "b", "c");
    REC(c, 3, "1", "22", "333");
    /* Out-of-range fields are "" with length 0. */
    size_t len = 7;
    assert_string_equal(hs_csv_field(c, 3, &len), "");
    assert_int_equal(len, 0);
    check_end(c);
    hs_csv_close(c);
}

static void test_quoted(void **state)
{
    (void)state;
    hs_csv *c = open_str("\"a,b\",\"say \"\"hi\"\"\",plain\n"
                         "\"x\ny\",\"p\r\nq\",\"\"\n" /* lines 2-4 */
                         "after,1\n"                  /* line 5 */
                         "\"r\rs\"\r\n"               /* lines 6-7 */
                         "\"\"\"\",\"\"\"a\"\"\"\n"   /* line 8 */
                         "\"a\n\n\nb\",\"\r\n\r\n\"\n" /* lines 9-14 */
                         "last\n");                   /* line 15 */
    REC(c, 1, "a,b", "say \"hi\"", "plain");
    REC(c, 2, "x\ny", "p\r\nq", "");
    REC(c, 5, "after", "1");
    REC(c, 6, "r\rs");
    REC(c, 8, "\"", "\"a\"");
    REC(c, 9, "a\n\n\nb", "\r\n\r\n");
    REC(c, 15, "last");
    check_end(c);
    hs_csv_close(c);
}

static void test_bom(void **state)
{
    (void)state;
    hs_csv *c = open_str("\xEF\xBB\xBFid,name\n1,x\n");
    REC(c, 1, "id", "name");
    REC(c, 2, "1", "x");
    check_end(c);
    hs_csv_close(c);

    c = open_str("\xEF\xBB\xBF\"q\",r\n");
    REC(c, 1, "q", "r");
    check_end(c);
    hs_csv_close(c);

    c = open_str("\xEF\xBB\xBF");
    check_end(c);
    hs_csv_close(c);

    /* Only at the very start, and only the whole mark. */
    c = open_str("\xEF\xBB\na\n\xEF\xBB\xBF" "b\n");
    REC(c, 1, "\xEF\xBB");
    REC(c, 2, "a");
    REC(c, 3, "\xEF\xBB\xBF" "b");
    check_end(c);
    hs_csv_close(c);
}

static void test_line_endings(void **state)
{
    (void)state;
    hs_csv *c = open_str("a,b\r\nc,d\r\n");
    REC(c, 1, "a", "b");
    REC(c, 2, "c", "d");
    check_end(c);
    hs_csv_close(c);

    c = open_str("a\rb,\rc");
    REC(c, 1, "a");
    REC(c, 2, "b", "");
    REC(c, 3, "c");
    check_end(c);
    hs_csv_close(c);

    /* Mixed; "\r" then "\r\n" alone are blank lines 5 and 7. */
    c = open_str("a\r\nb\rc\nd\r\n\re\n\r\nf");
    REC(c, 1, "a");
    REC(c, 2, "b");
    REC(c, 3, "c");
    REC(c, 4, "d");
    REC(c, 6, "e");
    REC(c, 8, "f");
    check_end(c);
    hs_csv_close(c);

    /* LF CR is two line ends, CR LF one. */
    c = open_str("a\n\rb\r\n\nc\n");
    REC(c, 1, "a");
    REC(c, 3, "b");
    REC(c, 5, "c");
    check_end(c);
    hs_csv_close(c);
}

static void test_blank_lines(void **state)
{
    (void)state;
    hs_csv *c = open_str("\n\na\n\n\nb\n\n");
    REC(c, 3, "a");
    REC(c, 6, "b");
    check_end(c);
    hs_csv_close(c);

    c = open_str("\r\n\r\n\n\r");
    check_end(c);
    hs_csv_close(c);

    c = open_str("");
    check_end(c);
    hs_csv_close(c);

    hs_error err;
    c = hs_csv_open_mem(NULL, 0, NULL, &err);
    assert_non_null(c);
    assert_string_equal(hs_csv_name(c), "<memory>");
    check_end(c);
    hs_csv_close(c);

    /* A space is data, not a blank line. */
    c = open_str(" \n");
    REC(c, 1, " ");
    check_end(c);
    hs_csv_close(c);
}

static void test_no_trailing_newline(void **state)
{
    (void)state;
    hs_csv *c = open_str("a,b\nc,d");
    REC(c, 1, "a", "b");
    REC(c, 2, "c", "d");
    check_end(c);
    hs_csv_close(c);

    c = open_str("\"x\"");
    REC(c, 1, "x");
    check_end(c);
    hs_csv_close(c);

    c = open_str("a,");
    REC(c, 1, "a", "");
    check_end(c);
    hs_csv_close(c);

    c = open_str("\"ab\"c");
    REC(c, 1, "abc");
    check_end(c);
    hs_csv_close(c);

    c = open_str("x\n\"a\nb\"");
    REC(c, 1, "x");
    REC(c, 2, "a\nb");
    check_end(c);
    hs_csv_close(c);
}

static void test_empty_fields(void **state)
{
    (void)state;
    hs_csv *c = open_str("a,b,\n,,\n\"\"\n,\n\"\",\"\"\n,a\n");
    REC(c, 1, "a", "b", "");
    REC(c, 2, "", "", "");
    REC(c, 3, "");
    REC(c, 4, "", "");
    REC(c, 5, "", "");
    REC(c, 6, "", "a");
    check_end(c);
    hs_csv_close(c);
}

static void test_lenient(void **state)
{
    (void)state;
    /* Bytes after a closing quote are kept; a quote inside an unquoted
     * field is data (as Python's csv with strict=False). */
    hs_csv *c = open_str("\"ab\"c,d\nab\"c,\"a\"b\"c\"\n x ,\" y\"\n\"a\" \r\n");
    REC(c, 1, "abc", "d");
    REC(c, 2, "ab\"c", "ab\"c\"");
    REC(c, 3, " x ", " y");
    REC(c, 4, "a ");
    check_end(c);
    hs_csv_close(c);
}

/* ---- errors ------------------------------------------------------------ */

static void test_nul_byte(void **state)
{
    (void)state;
    static const char in[] = "a,b\nc\0d\n";
    hs_error err;
    hs_csv *c = hs_csv_open_mem(in, sizeof in - 1, "bin.csv", &err);
    assert_non_null(c);
    REC(c, 1, "a", "b");
    check_fail(c, HS_ERR_DATA, "'bin.csv'", "NUL byte at line 2");
    hs_csv_close(c);

    /* Inside a quoted field spanning lines: the NUL's own line. */
    static const char in2[] = "x\n\"a\nb\0\"\n";
    c = hs_csv_open_mem(in2, sizeof in2 - 1, "bin.csv", &err);
    assert_non_null(c);
    REC(c, 1, "x");
    check_fail(c, HS_ERR_DATA, "binary data?", "NUL byte at line 3");
    hs_csv_close(c);

    /* At the very end of the input (just before the sentinel). */
    static const char in3[] = "a\0";
    c = hs_csv_open_mem(in3, sizeof in3 - 1, "bin.csv", &err);
    assert_non_null(c);
    check_fail(c, HS_ERR_DATA, "NUL byte at line 1", NULL);
    hs_csv_close(c);
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    hs_csv *c = open_str("a\nb,\"x\ny\nz\n");
    REC(c, 1, "a");
    check_fail(c, HS_ERR_DATA, "'test.csv' line 2:", "unterminated");
    hs_csv_close(c);

    c = open_str("\n\n\"abc\"\"");
    check_fail(c, HS_ERR_DATA, "line 3:", "unterminated");
    hs_csv_close(c);
}

static void test_record_limit(void **state)
{
    (void)state;
    dbuf b = {0};
    char msg[64];
    snprintf(msg, sizeof msg, "line 3: record longer than %d bytes", MAX_RECORD);

    /* Exactly the limit is fine, one more byte is not. */
    db_put(&b, "a\n\n", 3);
    db_fill(&b, 'x', MAX_RECORD);
    db_put(&b, "\r\nz\n", 4);
    hs_csv *c = hs_csv_open_mem(b.d, b.n, "big.csv", NULL);
    assert_non_null(c);
    REC(c, 1, "a");
    assert_int_equal(hs_csv_next(c, NULL), 1);
    assert_int_equal(hs_csv_line(c), 3);
    size_t len;
    const char *f = hs_csv_field(c, 0, &len);
    assert_int_equal(len, MAX_RECORD);
    assert_true(f[0] == 'x' && f[len - 1] == 'x' && f[len] == '\0');
    REC(c, 4, "z");
    check_end(c);
    hs_csv_close(c);

    b.n = 0;
    db_put(&b, "a\n\n", 3);
    db_fill(&b, 'x', MAX_RECORD + 1);
    db_put(&b, "\nz\n", 3);
    c = hs_csv_open_mem(b.d, b.n, "big.csv", NULL);
    REC(c, 1, "a");
    check_fail(c, HS_ERR_DATA, "'big.csv'", msg);
    hs_csv_close(c);

    /* A record that never ends must not grow the buffer without bound. */
    b.n = 0;
    db_put(&b, "a\n\n\"", 4);
    db_fill(&b, 'x', 5 * MiB);
    c = hs_csv_open_mem(b.d, b.n, "big.csv", NULL);
    REC(c, 1, "a");
    check_fail(c, HS_ERR_DATA, msg, NULL);
    hs_csv_close(c);

    /* The same from a file, with quoted data and no final newline. */
    b.n = 0;
    db_put(&b, "a\n\n\"", 4);
    db_fill(&b, ',', MAX_RECORD);
    db_putc(&b, '"');
    char *path = write_tmp(b.d, b.n);
    c = open_file(path);
    REC(c, 1, "a");
    check_fail(c, HS_ERR_DATA, path, msg);
    hs_csv_close(c);
    unlink(path);
    free(path);
    free(b.d);
}

static void test_field_limit(void **state)
{
    (void)state;
    dbuf b = {0};
    db_put(&b, "h\n", 2);
    db_fill(&b, ',', 4095); /* 4096 empty fields */
    db_put(&b, "\n", 1);
    db_fill(&b, ',', 4096); /* 4097 */
    db_put(&b, "\n", 1);
    hs_csv *c = hs_csv_open_mem(b.d, b.n, "wide.csv", NULL);
    REC(c, 1, "h");
    assert_int_equal(hs_csv_next(c, NULL), 1);
    assert_int_equal(hs_csv_nfields(c), 4096);
    assert_string_equal(hs_csv_field(c, 4095, NULL), "");
    check_fail(c, HS_ERR_DATA, "'wide.csv' line 3:", "more than 4096 fields");
    hs_csv_close(c);
    free(b.d);
}

static void test_open_errors(void **state)
{
    (void)state;
    hs_error err;
    char path[4096], want[4200];

    snprintf(path, sizeof path, "%s/test_csv_no_such_file_%ld.csv", tmp_dir(),
             (long)getpid());
    hs_error_clear(&err);
    assert_null(hs_csv_open(path, &err));
    assert_int_equal(err.code, HS_ERR_IO);
    snprintf(want, sizeof want, "cannot open '%s': %s", path, strerror(ENOENT));
    assert_string_equal(err.msg, want);

    snprintf(path, sizeof path, "%s/test_csv_dir_XXXXXX", tmp_dir());
    assert_non_null(mkdtemp(path));
    hs_error_clear(&err);
    assert_null(hs_csv_open(path, &err));
    assert_int_equal(err.code, HS_ERR_IO);
    snprintf(want, sizeof want, "'%s' is a directory", path);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_int_equal(rmdir(path), 0);

    /* NULL arguments. */
    hs_error_clear(&err);
    assert_null(hs_csv_open(NULL, &err));
    assert_int_equal(err.code, HS_ERR_ARG);
    assert_null(hs_csv_open_mem(NULL, 3, "x", &err));
    assert_int_equal(err.code, HS_ERR_ARG);
    assert_int_equal(hs_csv_next(NULL, &err), -1);
    assert_int_equal(hs_csv_nfields(NULL), 0);
    assert_int_equal(hs_csv_line(NULL), 0);
    hs_csv_close(NULL);
}

static void test_files(void **state)
{
    (void)state;
    static const char in[] = "\xEF\xBB\xBFh1,h2\r\n\"a\r\nb\",c\r\n\r\nd,\"e\"\"\"";
    char *path = write_tmp(in, sizeof in - 1);
    hs_csv *c = open_file(path);
    REC(c, 1, "h1", "h2");
    REC(c, 2, "a\r\nb", "c");
    REC(c, 5, "d", "e\"");
    check_end(c);
    hs_csv_close(c);
    unlink(path);
    free(path);

    path = write_tmp("", 0);
    c = open_file(path);
    check_end(c);
    hs_csv_close(c);
    unlink(path);
    free(path);
}

/* ---- generated multi-MiB inputs ---------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic, so failures reproduce. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t rnd_below(size_t n)
{
    return (size_t)(rnd() % n);
}

static size_t rnd_len(void)
{
    size_t r = rnd_below(1000);
    if (r < 3)
        return 50000 + rnd_below(200000);
    if (r < 80)
        return 500 + rnd_below(5000);
    return rnd_below(24);
}

static void put_unquoted(dbuf *b, size_t n)
{
    static const char alpha[] = "abcdefxyz0123456789 .-_:;'\t";
    for (size_t i = 0; i < n; i++)
        db_putc(b, alpha[rnd_below(sizeof alpha - 1)]);
}

/* The trivial reference parser for unquoted, LF-only data. */
static void check_unquoted(hs_csv *c, const char *d, size_t n)
{
    long line = 0, nrec = 0;
    const char *p = d, *end = d + n;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line++;
        if (eol > p) {
            hs_error err;
            hs_error_clear(&err);
            if (hs_csv_next(c, &err) != 1)
                fail_msg("record at line %ld: %s", line, err.msg);
            assert_int_equal(hs_csv_line(c), line);
            size_t i = 0;
            const char *f = p;
            for (;;) {
                const char *comma = memchr(f, ',', (size_t)(eol - f));
                const char *fe = comma ? comma : eol;
                size_t len;
                const char *got = hs_csv_field(c, i, &len);
                assert_true(i < hs_csv_nfields(c));
                assert_int_equal(len, (size_t)(fe - f));
                assert_memory_equal(got, f, len);
                i++;
                if (!comma)
                    break;
                f = comma + 1;
            }
            assert_int_equal(hs_csv_nfields(c), i);
            nrec++;
        }
        p = eol + 1;
    }
    check_end(c);
    assert_true(nrec > 100);
}

static void test_big_unquoted(void **state)
{
    (void)state;
    dbuf b = {0};
    rng_state = 0x9E3779B97F4A7C15ULL;

    /* Random lines up to just under 1 MiB, then one padding line so that a
     * record of exactly 1 MiB (the read block and the record limit) starts
     * exactly at the second block, followed by more random lines. */
    while (b.n < MiB - 4000) { /* lines of at most 20 * 150 + 21 bytes */
        size_t nf = 1 + rnd_below(20);
        for (size_t i = 0; i < nf; i++) {
            if (i)
                db_putc(&b, ',');
            put_unquoted(&b, rnd_len() % 150);
        }
        db_putc(&b, '\n');
        if (rnd_below(20) == 0)
            db_putc(&b, '\n');
    }
    assert_true(b.n < MiB - 1);
    db_fill(&b, 'p', MiB - b.n - 1);
    db_putc(&b, '\n');
    assert_int_equal(b.n, MiB);
    db_fill(&b, 'B', MiB);
    db_putc(&b, '\n');
    db_fill(&b, 'b', MiB / 2);
    db_putc(&b, ',');
    db_fill(&b, 'c', MiB / 2 - 2); /* record of MiB - 1 bytes */
    db_putc(&b, '\n');
    while (b.n < 3 * MiB + MiB / 2) {
        size_t nf = 1 + rnd_below(20);
        for (size_t i = 0; i < nf; i++) {
            if (i)
                db_putc(&b, ',');
            put_unquoted(&b, rnd_len());
        }
        db_putc(&b, '\n');
        if (rnd_below(20) == 0)
            db_putc(&b, '\n');
    }
    db_put(&b, "last,record", 11); /* no final newline */

    hs_csv *c = hs_csv_open_mem(b.d, b.n, "gen.csv", NULL);
    assert_non_null(c);
    check_unquoted(c, b.d, b.n);
    hs_csv_close(c);

    char *path = write_tmp(b.d, b.n);
    c = open_file(path);
    check_unquoted(c, b.d, b.n);
    hs_csv_close(c);
    unlink(path);
    free(path);
    free(b.d);
}

/* Expected records of a generated quoted input. */
typedef struct gen {
    dbuf raw;       /* the CSV text           */
    dbuf content;   /* all expected field bytes */
    size_t *foff, *flen, nfields, fcap;
    long *line;
    size_t *first, *nf, nrec, rcap;
} gen;

static void gen_field(gen *g, size_t off, size_t len)
{
    if (g->nfields == g->fcap) {
        g->fcap = g->fcap ? g->fcap * 2 : 1024;
        g->foff = realloc(g->foff, g->fcap * sizeof *g->foff);
        g->flen = realloc(g->flen, g->fcap * sizeof *g->flen);
        assert_true(g->foff && g->flen);
    }
    g->foff[g->nfields] = off;
    g->flen[g->nfields] = len;
    g->nfields++;
}

static void gen_record(gen *g, long line, size_t first, size_t nf)
{
    if (g->nrec == g->rcap) {
        g->rcap = g->rcap ? g->rcap * 2 : 1024;
        g->line = realloc(g->line, g->rcap * sizeof *g->line);
        g->first = realloc(g->first, g->rcap * sizeof *g->first);
        g->nf = realloc(g->nf, g->rcap * sizeof *g->nf);
        assert_true(g->line && g->first && g->nf);
    }
    g->line[g->nrec] = line;
    g->first[g->nrec] = first;
    g->nf[g->nrec] = nf;
    g->nrec++;
}

/* Appends a line end, never "\n" right after a lone "\r" (that would read
 * as one CRLF). */
static void gen_eol(gen *g, int *prev_cr)
{
    size_t k = rnd_below(3);
    if (*prev_cr && k == 0)
        k = 1 + rnd_below(2);
    db_put(&g->raw, k == 0 ? "\n" : k == 1 ? "\r\n" : "\r", k == 1 ? 2 : 1);
    *prev_cr = (k == 2);
}

static void gen_quoted_input(gen *g, size_t target)
{
    static const char qalpha[] = "abc,\"\n\r xyz\"\r\n,;";
    long line = 1;
    int prev_cr = 0;

    while (g->raw.n < target) {
        size_t nf = 1 + rnd_below(12), first = g->nfields;
        size_t rec_start = g->raw.n;
        long nl = 0;
        for (size_t i = 0; i < nf; i++) {
            size_t len = rnd_len();
            int quoted = rnd_below(2) == 0;
            if (g->raw.n - rec_start > MAX_RECORD / 2)
                len = rnd_below(24); /* stay under the record limit */
            if (nf == 1 && len == 0)
                quoted = 1; /* an unquoted empty record is a blank line */
            if (i)
                db_putc(&g->raw, ',');
            size_t off = g->content.n;
            if (quoted) {
                db_putc(&g->raw, '"');
                for (size_t j = 0; j < len; j++) {
                    char ch = qalpha[rnd_below(sizeof qalpha - 1)];
                    db_putc(&g->content, ch);
                    if (ch == '"')
                        db_putc(&g->raw, '"');
                    db_putc(&g->raw, ch);
                    if (ch == '\r' ||
                        (ch == '\n' && (j == 0 || g->content.d[off + j - 1] != '\r')))
                        nl++;
                }
                db_putc(&g->raw, '"');
            } else {
                put_unquoted(&g->content, len);
                db_put(&g->raw, g->content.d + off, len);
            }
            gen_field(g, off, len);
        }
        gen_record(g, line, first, nf);
        line += nl;
        /* Line end, sometimes followed by blank lines. */
        prev_cr = 0;
        gen_eol(g, &prev_cr);
        line++;
        if (rnd_below(15) == 0) {
            for (size_t k = 1 + rnd_below(3); k > 0; k--) {
                gen_eol(g, &prev_cr);
                line++;
            }
        }
    }
    if (rnd_below(2) == 0) { /* sometimes no final line end */
        while (g->raw.n && (g->raw.d[g->raw.n - 1] == '\n' || g->raw.d[g->raw.n - 1] == '\r'))
            g->raw.n--;
    }
}

static void check_gen(hs_csv *c, const gen *g)
{
    hs_error err;
    for (size_t r = 0; r < g->nrec; r++) {
        hs_error_clear(&err);
        if (hs_csv_next(c, &err) != 1)
            fail_msg("record %zu: %s", r, err.msg);
        if (hs_csv_line(c) != g->line[r])
            fail_msg("record %zu: line %ld, expected %ld", r, hs_csv_line(c), g->line[r]);
        assert_int_equal(hs_csv_nfields(c), g->nf[r]);
        for (size_t i = 0; i < g->nf[r]; i++) {
            size_t k = g->first[r] + i, len;
            const char *f = hs_csv_field(c, i, &len);
            assert_int_equal(len, g->flen[k]);
            assert_memory_equal(f, g->content.d + g->foff[k], len);
            assert_int_equal(f[len], '\0');
        }
    }
    check_end(c);
}

static void test_big_quoted(void **state)
{
    (void)state;
    static const uint64_t seeds[] = {1, 0xC0FFEEULL, 424242};
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        gen g;
        memset(&g, 0, sizeof g);
        rng_state = seeds[s] * 0x9E3779B97F4A7C15ULL;
        gen_quoted_input(&g, 3 * MiB + MiB / 4);
        assert_true(g.nrec > 200);

        hs_csv *c = hs_csv_open_mem(g.raw.d, g.raw.n, "genq.csv", NULL);
        assert_non_null(c);
        check_gen(c, &g);
        hs_csv_close(c);

        char *path = write_tmp(g.raw.d, g.raw.n);
        c = open_file(path);
        check_gen(c, &g);
        hs_csv_close(c);
        unlink(path);
        free(path);

        free(g.raw.d);
        free(g.content.d);
        free(g.foff);
        free(g.flen);
        free(g.line);
        free(g.first);
        free(g.nf);
    }
}

/* ---- separators -------------------------------------------------------- */

/* Opens s from memory and returns what detection picks. */
static char detect_str(const char *s)
{
    hs_csv *c = open_str(s);
    char sep = hs_csv_detect_separator(c);
    hs_csv_close(c);
    return sep;
}

/* hs_csv_detect_separator against GDAL's own CSVDetectSeperator, on 20,000
 * random header lines over the bytes that matter (separators, quotes,
 * spaces, letters): the same answer, except where GDAL falls back to ' '
 * (not copied, csv.h), where ours is ','. */
static void test_detect_matches_gdal(void **state)
{
    (void)state;
    static const char alphabet[] = "ab,;\t\" ";
    uint32_t seed = 12345;
    char line[40];
    for (int t = 0; t < 20000; t++) {
        size_t n = 1 + t % 30;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1664525u + 1013904223u; /* Numerical Recipes LCG */
            line[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        line[n] = '\0';
        char want = CSVDetectSeperator(line);
        if (want == ' ')
            want = ',';
        char buf[48];
        snprintf(buf, sizeof buf, "%s\n", line);
        hs_error err = {0};
        hs_csv *c = hs_csv_open_mem(buf, strlen(buf), "gdal", &err);
        assert_non_null(c);
        char got = hs_csv_detect_separator(c);
        if (got != want)
            fail_msg("line '%s': GDAL '%c', hotspot '%c'", line, want, got);
        hs_csv_close(c);
    }
}

static void test_detect_separator(void **state)
{
    (void)state;
    assert_int_equal(detect_str("a,b,c\n1,2,3\n"), ',');
    assert_int_equal(detect_str("a;b;c\n1;2;3\n"), ';');
    assert_int_equal(detect_str("a\tb\tc\n1\t2\t3\n"), '\t');
    /* Inconsistent: ';' first, then ',' -> ','; likewise TAB then ';'. */
    assert_int_equal(detect_str("a;b,c\n"), ',');
    assert_int_equal(detect_str("a\tb;c\n"), ',');
    /* The same one repeated is consistent. */
    assert_int_equal(detect_str(";;;\n"), ';');
    /* None of the three: ','; spaces do not make ' ' (GDAL would). */
    assert_int_equal(detect_str("abc\n"), ',');
    assert_int_equal(detect_str("Crime ID\n"), ',');
    assert_int_equal(detect_str(""), ',');
    /* Inside quotes a separator does not count. */
    assert_int_equal(detect_str("\"a;b\",c\n"), ',');
    assert_int_equal(detect_str("\"a,b\";c\n"), ';');
    /* "" inside quotes is a literal quote: the ';' after a""b is still
     * quoted, the one after the closing quote is not. */
    assert_int_equal(detect_str("\"a\"\"b;c\";d\n"), ';');
    /* Only the first line counts (here ';'; the second would say ','). */
    assert_int_equal(detect_str("a;b\nc,d,e\n"), ';');
    assert_int_equal(detect_str("a\tb\r\nc;d\r\n"), '\t');
    /* Leading blank lines are passed over, as the reader passes over them. */
    hs_csv *c = open_str("\n\r\na\tb\n");
    assert_int_equal(hs_csv_detect_separator(c), '\t');
    REC(c, 3, "a", "b");
    check_end(c);
    hs_csv_close(c);

    /* After a BOM (which open skips), then the records read with it. */
    c = open_str("\xEF\xBB\xBFid;name\n1;\"x;y\"\n");
    assert_int_equal(hs_csv_detect_separator(c), ';');
    REC(c, 1, "id", "name");
    REC(c, 2, "1", "x;y");
    check_end(c);
    hs_csv_close(c);

    /* After the first hs_csv_next it is too late: nothing changes. */
    c = open_str("a;b\nc;d\n");
    REC(c, 1, "a;b");
    assert_int_equal(hs_csv_detect_separator(c), ',');
    REC(c, 2, "c;d");
    check_end(c);
    hs_csv_close(c);

    /* A first line longer than the 1 MiB read block: only the buffered
     * part is looked at.  Bytes [0, MiB - 2) are 'a', MiB - 2 is ';' (the
     * last separator in the buffer), the ',' at MiB is not read yet, so
     * ';' and not the inconsistent ','. */
    dbuf b = {0};
    db_fill(&b, 'a', MiB - 2);
    db_put(&b, ";x,y\nz\n", 7);
    c = hs_csv_open_mem(b.d, b.n, "long.csv", NULL);
    assert_non_null(c);
    assert_int_equal(hs_csv_detect_separator(c), ';');
    hs_csv_close(c);
    free(b.d);

    /* NULL readers. */
    assert_int_equal(hs_csv_detect_separator(NULL), ',');
    hs_csv_set_separator(NULL, ';');
    hs_csv_skip_binary(NULL, 1);
    assert_int_equal(hs_csv_binary(NULL), 0);
}

static void test_semicolon_file(void **state)
{
    (void)state;
    hs_csv *c = open_str("id;name;note\n"
                         "1;\"Smith; J\";x,y\n"    /* ',' is data now */
                         "2;\"a\"\"b\";\n"         /* "" and an empty last */
                         "\"p\nq\";r\n"            /* lines 4-5 */
                         "\"t\"u;;v\r\n"           /* tail after the quote */
                         ";\n");                   /* line 7: two empties */
    assert_int_equal(hs_csv_detect_separator(c), ';');
    REC(c, 1, "id", "name", "note");
    REC(c, 2, "1", "Smith; J", "x,y");
    REC(c, 3, "2", "a\"b", "");
    REC(c, 4, "p\nq", "r");
    REC(c, 6, "tu", "", "v");
    REC(c, 7, "", "");
    check_end(c);
    hs_csv_close(c);
}

static void test_tab_file(void **state)
{
    (void)state;
    static const char in[] = "a\tb\tc\r\n"
                             "\"x\ty\"\t2\t\r\n"      /* quoted TAB */
                             ",;\t\"q\"\r\n"          /* ',' ';' are data */
                             "\t\"m\r\nn\"\t\r\n"     /* lines 4-5 */
                             "last";
    for (int from_file = 0; from_file < 2; from_file++) {
        char *path = NULL;
        hs_csv *c;
        if (from_file) {
            path = write_tmp(in, sizeof in - 1);
            c = open_file(path);
        } else {
            c = open_str(in);
        }
        assert_int_equal(hs_csv_detect_separator(c), '\t');
        REC(c, 1, "a", "b", "c");
        REC(c, 2, "x\ty", "2", "");
        REC(c, 3, ",;", "q");
        REC(c, 4, "", "m\r\nn", "");
        REC(c, 6, "last");
        check_end(c);
        hs_csv_close(c);
        if (path) {
            unlink(path);
            free(path);
        }
    }
}

static void test_set_separator(void **state)
{
    (void)state;
    /* Detection says ';', the caller knows better: '|'. */
    hs_csv *c = open_str("a;b|c\n1;2|3\n4;5|6\n");
    assert_int_equal(hs_csv_detect_separator(c), ';');
    hs_csv_set_separator(c, '|');
    /* Invalid separators are ignored: still '|'. */
    hs_csv_set_separator(c, '"');
    hs_csv_set_separator(c, '\n');
    hs_csv_set_separator(c, '\r');
    hs_csv_set_separator(c, '\0');
    REC(c, 1, "a;b", "c");
    REC(c, 2, "1;2", "3");
    /* Between records it takes effect from the next one. */
    hs_csv_set_separator(c, ';');
    REC(c, 3, "4", "5|6");
    check_end(c);
    hs_csv_close(c);

    /* Back to ',' (the default) and a space separator. */
    c = open_str("a;b,c\n");
    hs_csv_set_separator(c, ';');
    hs_csv_set_separator(c, ',');
    REC(c, 1, "a;b", "c");
    check_end(c);
    hs_csv_close(c);
    c = open_str("a b  \"c d\"\n");
    hs_csv_set_separator(c, ' ');
    REC(c, 1, "a", "b", "", "c d");
    check_end(c);
    hs_csv_close(c);

    /* A control byte as separator is a separator, never binary (inside
     * quotes it is data); 0x02 still is. */
    static const char ctl[] = "a\x01" "b\n\x01\n\"x\x01" "y\"\x01" "z\n\x02\nw\n";
    c = hs_csv_open_mem(ctl, sizeof ctl - 1, "ctl.csv", NULL);
    hs_csv_set_separator(c, '\x01');
    hs_csv_skip_binary(c, 1);
    REC(c, 1, "a", "b");
    assert_int_equal(hs_csv_binary(c), 0);
    REC(c, 2, "", "");
    REC(c, 3, "x\x01" "y", "z");
    assert_int_equal(hs_csv_binary(c), 0);
    assert_int_equal(hs_csv_next(c, NULL), 1);
    assert_int_equal(hs_csv_binary(c), 1);
    assert_int_equal(hs_csv_line(c), 4);
    REC(c, 5, "w");
    check_end(c);
    hs_csv_close(c);
}

/* ---- binary lines ------------------------------------------------------ */

/* A reader of n bytes of s (which may hold NULs) with skip_binary on. */
static hs_csv *open_bin(const char *s, size_t n)
{
    hs_error err;
    hs_error_clear(&err);
    hs_csv *c = hs_csv_open_mem(s, n, "bin.csv", &err);
    if (!c)
        fail_msg("open_mem: %s", err.msg);
    hs_csv_skip_binary(c, 1);
    return c;
}
#define OPEN_BIN(lit) open_bin((lit), sizeof(lit) - 1)

/* Next record must be a dropped binary line starting on `line`. */
static void check_bin(hs_csv *c, long line)
{
    hs_error err;
    hs_error_clear(&err);
    int r = hs_csv_next(c, &err);
    if (r != 1)
        fail_msg("expected a binary record at line %ld, got %d (%s)", line, r, err.msg);
    if (hs_csv_binary(c) != 1)
        fail_msg("record at line %ld (expected %ld) is not binary", hs_csv_line(c), line);
    assert_int_equal(hs_csv_line(c), line);
    assert_int_equal(hs_csv_nfields(c), 0);
    size_t len = 9;
    assert_string_equal(hs_csv_field(c, 0, &len), "");
    assert_int_equal(len, 0);
}

/* As REC, and the record is not binary. */
static void check_good(hs_csv *c, long line, const char *const *fields, size_t n)
{
    check_rec(c, line, fields, n);
    assert_int_equal(hs_csv_binary(c), 0);
}
#define GREC(c, line, ...)                                                     \
    check_good((c), (line), (const char *const[]){__VA_ARGS__},                \
               sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void check_end_bin(hs_csv *c)
{
    check_end(c);
    assert_int_equal(hs_csv_binary(c), 0);
}

static void test_binary_unquoted(void **state)
{
    (void)state;
    /* A NUL inside an unquoted field. */
    hs_csv *c = OPEN_BIN("h1,h2\na,b\0c\nd,e\n");
    GREC(c, 1, "h1", "h2");
    check_bin(c, 2);
    GREC(c, 3, "d", "e");
    check_end_bin(c);
    hs_csv_close(c);

    /* Each byte 0-255 (but the line ends and ',') between 'a' and 'b':
     * binary exactly for 0x00-0x08 and 0x0E-0x1F; TAB, VT, FF, DEL, '"'
     * (an ordinary byte in an unquoted field) and the high bytes are data. */
    for (unsigned v = 0; v < 256; v++) {
        if (v == '\n' || v == '\r' || v == ',')
            continue;
        char in[] = "a?b\nz\n";
        in[1] = (char)v;
        c = open_bin(in, sizeof in - 1);
        if (v <= 0x08 || (v >= 0x0E && v <= 0x1F)) {
            check_bin(c, 1);
        } else {
            char want[4] = {'a', (char)v, 'b', '\0'};
            GREC(c, 1, want);
        }
        GREC(c, 2, "z");
        check_end_bin(c);
        hs_csv_close(c);
    }

    /* The rest of the line goes, fields after the byte included, and more
     * binary bytes on the same line change nothing. */
    c = OPEN_BIN("a,\x01" ",\"q\",\0\x02" "x,y\nb\n");
    check_bin(c, 1);
    GREC(c, 2, "b");
    check_end_bin(c);
    hs_csv_close(c);
}

static void test_binary_quoted(void **state)
{
    (void)state;
    /* 0x01 in a quoted field spanning lines 2-3: dropped through the end of
     * line 3; the next record is on line 4. */
    hs_csv *c = OPEN_BIN("h\n\"ab\ncd\x01" "ef\",x\nnext,1\n");
    GREC(c, 1, "h");
    check_bin(c, 2);
    GREC(c, 4, "next", "1");
    check_end_bin(c);
    hs_csv_close(c);

    /* The byte on the first line of a field whose quote closes on the
     * next: only line 1 goes, so line 2 reads as a new record, c" (a quote
     * in an unquoted field is data) and d. */
    c = OPEN_BIN("\"a\x01" "b\nc\",d\nz\n");
    check_bin(c, 1);
    GREC(c, 2, "c\"", "d");
    GREC(c, 3, "z");
    check_end_bin(c);
    hs_csv_close(c);

    /* CRLF line ends inside the quotes (two, lines 1-3), the byte on line
     * 3, its CRLF one line end: "ok" is line 4.  Then a lone CR inside
     * the quotes and a CR LF *outside* them on the binary line. */
    c = OPEN_BIN("\"p\r\nq\r\nr\x02\"\r\nok\r\n\"s\rt\x03\"\r\nu\n");
    check_bin(c, 1);
    GREC(c, 4, "ok");
    check_bin(c, 5);
    GREC(c, 7, "u");
    check_end_bin(c);
    hs_csv_close(c);

    /* After the closing quote (the lenient tail), and a NUL right after it. */
    c = OPEN_BIN("\"ab\"\x03" "c,d\nok\n\"ab\"\0,d\nok2\n");
    check_bin(c, 1);
    GREC(c, 2, "ok");
    check_bin(c, 3);
    GREC(c, 4, "ok2");
    check_end_bin(c);
    hs_csv_close(c);

    /* A good record on lines 1-2 (a quoted line end) is whole; then a
     * quoted field holding only 0x1F on line 3. */
    c = OPEN_BIN("\"x,y\",\"a\nb\"\n\"\x1f\"\nlast\n");
    GREC(c, 1, "x,y", "a\nb");
    check_bin(c, 3);
    GREC(c, 4, "last");
    check_end_bin(c);
    hs_csv_close(c);
}

static void test_binary_line_start(void **state)
{
    (void)state;
    /* 0x1A (DOS end of file), 0x05, NUL and 0x0E at the start of a line,
     * and a blank line after one. */
    hs_csv *c = OPEN_BIN("a\n\x1a\nb\n\x05" "x,y\r\nc\n\0abc\n\n\x0e\nd");
    GREC(c, 1, "a");
    check_bin(c, 2);
    GREC(c, 3, "b");
    check_bin(c, 4);
    GREC(c, 5, "c");
    check_bin(c, 6);
    check_bin(c, 8);
    GREC(c, 9, "d");
    check_end_bin(c);
    hs_csv_close(c);

    /* The first byte of the input (after a BOM). */
    c = OPEN_BIN("\xEF\xBB\xBF\x01" "h\nv\n");
    check_bin(c, 1);
    GREC(c, 2, "v");
    check_end_bin(c);
    hs_csv_close(c);
}

static void test_binary_end_of_input(void **state)
{
    (void)state;
    /* No line end after the binary byte: the record is binary, then 0. */
    hs_csv *c = OPEN_BIN("a,b\nc\x01");
    GREC(c, 1, "a", "b");
    check_bin(c, 2);
    check_end_bin(c);
    hs_csv_close(c);

    c = OPEN_BIN("\x01");
    check_bin(c, 1);
    check_end_bin(c);
    hs_csv_close(c);

    /* A NUL as the last byte, just before the sentinel. */
    c = OPEN_BIN("a\nb\0");
    GREC(c, 1, "a");
    check_bin(c, 2);
    check_end_bin(c);
    hs_csv_close(c);

    /* In a quote that never closes: binary, not "unterminated". */
    c = OPEN_BIN("a\n\"x\ny\x01" "zz");
    GREC(c, 1, "a");
    check_bin(c, 2);
    check_end_bin(c);
    hs_csv_close(c);

    /* A lone CR as the very last byte. */
    c = OPEN_BIN("x\x01\r");
    check_bin(c, 1);
    check_end_bin(c);
    hs_csv_close(c);
}

static void test_binary_crlf(void **state)
{
    (void)state;
    hs_csv *c = OPEN_BIN("h1,h2\r\na,b\r\nc\x02" "d,e\r\nf,g\r\n\r\ni,j\r\n");
    GREC(c, 1, "h1", "h2");
    GREC(c, 2, "a", "b");
    check_bin(c, 3);
    GREC(c, 4, "f", "g");
    GREC(c, 6, "i", "j");
    check_end_bin(c);
    hs_csv_close(c);

    /* Only the first line end goes with the binary line: LF then CR is two
     * line ends (line 2 is blank), CR LF one; a lone CR ends a line too. */
    c = OPEN_BIN("x\x01\n\ry\nz\x01\r\nw\rv\x01\rq\n");
    check_bin(c, 1);
    GREC(c, 3, "y");
    check_bin(c, 4);
    GREC(c, 5, "w");
    check_bin(c, 6);
    GREC(c, 7, "q");
    check_end_bin(c);
    hs_csv_close(c);
}

/* The tail of test_binary_refill, from its line t (t + 0 ...). */
static const char refill_tail[] =
    "a1,\"q\r\nq\"\r\n"     /* t+0, t+1: a1 | q CRLF q */
    "b\x01" ",x\r\n"        /* t+2: binary */
    "c1,c2\n"               /* t+3 */
    "\"m\nn\x02" "o\",z\n"  /* t+4, t+5: binary on t+5, dropped with it */
    "y\n"                   /* t+6 */
    "\0\0\n"                /* t+7: binary, NULs only */
    "d\r"                   /* t+8 */
    "e\x1a\r\n"             /* t+9: binary */
    "\n"                    /* t+10: blank */
    "f,\"g\"\n";            /* t+11 */

static void check_refill_input(hs_csv *c, long t)
{
    hs_csv_skip_binary(c, 1);
    REC(c, 1, "h1", "h2");
    for (long l = 2; l < t - 1; l++) {
        char want[32];
        snprintf(want, sizeof want, "r%ld", l);
        GREC(c, l, want, "v");
    }
    assert_int_equal(hs_csv_next(c, NULL), 1); /* the padding line */
    assert_int_equal(hs_csv_line(c), t - 1);
    GREC(c, t + 0, "a1", "q\r\nq");
    check_bin(c, t + 2);
    GREC(c, t + 3, "c1", "c2");
    check_bin(c, t + 4);
    GREC(c, t + 6, "y");
    check_bin(c, t + 7);
    GREC(c, t + 8, "d");
    check_bin(c, t + 9);
    GREC(c, t + 11, "f", "g");
    for (long i = 0; i < 20; i++) {
        char want[32];
        snprintf(want, sizeof want, "t%ld", i);
        GREC(c, t + 12 + i, want, "w");
    }
    GREC(c, t + 32, "end");
    check_end_bin(c);
}

/* Records that straddle a refill.  A memory reader's buffer is the whole
 * input up to 1 MiB (64 bytes only when the input is smaller than that), so
 * only inputs over 1 MiB are refilled: the tail above is placed so the
 * 1 MiB block ends at each of its bytes in turn (a CR LF split, a NUL or a
 * binary byte the last or first of a block, a quoted line end on either
 * side), read from memory, and every fifth shift also from a file. */
static void test_binary_refill(void **state)
{
    (void)state;
    const size_t tlen = sizeof refill_tail - 1;
    dbuf b = {0};
    for (size_t k = 0; k <= tlen; k++) {
        size_t start = MiB - k; /* the tail's first byte */
        long line = 1;
        char tmp[64];
        b.n = 0;
        db_put(&b, "h1,h2\n", 6);
        while (b.n < start - 200) {
            line++;
            int n = snprintf(tmp, sizeof tmp, "r%ld,v\n", line);
            db_put(&b, tmp, (size_t)n);
        }
        line++;
        db_put(&b, "p,", 2);
        db_fill(&b, 'x', start - b.n - 1);
        db_putc(&b, '\n');
        line++; /* the tail's first line */
        assert_int_equal(b.n, start);
        db_put(&b, refill_tail, tlen);
        for (int i = 0; i < 20; i++) {
            int n = snprintf(tmp, sizeof tmp, "t%d,w\n", i);
            db_put(&b, tmp, (size_t)n);
        }
        db_put(&b, "end", 3);

        hs_csv *c = hs_csv_open_mem(b.d, b.n, "refill.csv", NULL);
        assert_non_null(c);
        check_refill_input(c, line);
        hs_csv_close(c);
        if (k % 5 == 0) {
            char *path = write_tmp(b.d, b.n);
            c = open_file(path);
            check_refill_input(c, line);
            hs_csv_close(c);
            unlink(path);
            free(path);
        }
    }
    free(b.d);
}

/* The record limit holds for a dropped line as for any record. */
static void test_binary_record_limit(void **state)
{
    (void)state;
    dbuf b = {0};
    char msg[64];
    snprintf(msg, sizeof msg, "line 2: record longer than %d bytes", MAX_RECORD);

    /* "b" 0x01 and MAX_RECORD - 2 bytes: exactly the limit, dropped. */
    db_put(&b, "a\nb\x01", 4);
    db_fill(&b, 'x', MAX_RECORD - 2);
    db_put(&b, "\nz\n", 3);
    hs_csv *c = open_bin(b.d, b.n);
    GREC(c, 1, "a");
    check_bin(c, 2);
    GREC(c, 3, "z");
    check_end_bin(c);
    hs_csv_close(c);

    /* One byte more is the usual error. */
    b.n = 0;
    db_put(&b, "a\nb\x01", 4);
    db_fill(&b, 'x', MAX_RECORD - 1);
    db_put(&b, "\nz\n", 3);
    c = open_bin(b.d, b.n);
    GREC(c, 1, "a");
    check_fail(c, HS_ERR_DATA, "'bin.csv'", msg);
    hs_csv_close(c);

    /* A binary line that never ends does not grow the buffer unbounded. */
    b.n = 0;
    db_put(&b, "a\n\x02", 3);
    db_fill(&b, 'x', 5 * MiB);
    c = open_bin(b.d, b.n);
    GREC(c, 1, "a");
    check_fail(c, HS_ERR_DATA, msg, NULL);
    hs_csv_close(c);
    free(b.d);
}

static void test_binary_off(void **state)
{
    (void)state;
    /* Default: 0x01 is data, a NUL the error naming its line. */
    static const char in[] = "a\x01" "b,c\nd\0\n";
    hs_csv *c = hs_csv_open_mem(in, sizeof in - 1, "off.csv", NULL);
    GREC(c, 1, "a\x01" "b", "c");
    check_fail(c, HS_ERR_DATA, "'off.csv'", "binary data? NUL byte at line 2");
    assert_int_equal(hs_csv_binary(c), 0);
    hs_csv_close(c);

    /* On then off again is the default; the option may change between
     * records. */
    static const char in2[] = "a\n\x01\n\x02\nb\0\n";
    c = hs_csv_open_mem(in2, sizeof in2 - 1, "off.csv", NULL);
    hs_csv_skip_binary(c, 1);
    hs_csv_skip_binary(c, 0);
    GREC(c, 1, "a");
    GREC(c, 2, "\x01");
    hs_csv_skip_binary(c, 1);
    check_bin(c, 3);
    hs_csv_skip_binary(c, 0);
    check_fail(c, HS_ERR_DATA, "NUL byte at line 4", NULL);
    hs_csv_close(c);
}

/* 2,000 records, one in 97 damaged, LF and CRLF, some two lines long,
 * padded so that the input is over 1 MiB: every good record must come back
 * whole on its line, every damaged one as binary on its line. */
#define LONG_N 2000

static int long_is_bin(size_t i) { return i % 97 == 96; }
static size_t long_pad(size_t i) { return (i * 37) % 1200; }

static void check_long(hs_csv *c, const long *lines)
{
    char f0[32], f1[48];
    hs_csv_skip_binary(c, 1);
    for (size_t i = 0; i < LONG_N; i++) {
        if (long_is_bin(i)) {
            check_bin(c, lines[i]);
            continue;
        }
        hs_error err;
        hs_error_clear(&err);
        if (hs_csv_next(c, &err) != 1)
            fail_msg("record %zu: %s", i, err.msg);
        if (hs_csv_line(c) != lines[i])
            fail_msg("record %zu: line %ld, expected %ld", i, hs_csv_line(c), lines[i]);
        assert_int_equal(hs_csv_binary(c), 0);
        assert_int_equal(hs_csv_nfields(c), 3);
        snprintf(f0, sizeof f0, "r%zu", i);
        snprintf(f1, sizeof f1, i % 5 == 0 ? "a,%zu\nb" : "a,%zu", i);
        assert_string_equal(hs_csv_field(c, 0, NULL), f0);
        assert_string_equal(hs_csv_field(c, 1, NULL), f1);
        size_t len;
        const char *f2 = hs_csv_field(c, 2, &len);
        assert_int_equal(len, long_pad(i));
        for (size_t j = 0; j < len; j++)
            if (f2[j] != 'p')
                fail_msg("record %zu: pad byte %zu is 0x%02x", i, j, (unsigned char)f2[j]);
    }
    check_end_bin(c);
}

static void test_binary_long(void **state)
{
    (void)state;
    dbuf b = {0};
    long lines[LONG_N], line = 1;
    char tmp[64];

    for (size_t i = 0; i < LONG_N; i++) {
        const char *eol = i % 3 == 0 ? "\r\n" : "\n";
        lines[i] = line;
        if (!long_is_bin(i)) {
            int n = snprintf(tmp, sizeof tmp, i % 5 == 0 ? "r%zu,\"a,%zu\nb\","
                                                         : "r%zu,\"a,%zu\",", i, i);
            db_put(&b, tmp, (size_t)n);
            db_fill(&b, 'p', long_pad(i));
            line += (i % 5 == 0) ? 2 : 1;
        } else {
            switch ((i / 97) % 4) {
            case 0: /* unquoted; the whole line goes */
                db_put(&b, "r,\x01", 3);
                line += 1;
                break;
            case 1: /* on the second line of a quoted field */
                db_put(&b, "\"q\nq\x02\",", 7);
                line += 2;
                break;
            case 2: /* a NUL first */
                db_put(&b, "\0", 1);
                line += 1;
                break;
            default: /* after a closing quote */
                db_put(&b, "\"x\"\x1a", 4);
                line += 1;
                break;
            }
            db_fill(&b, 'p', long_pad(i)); /* the rest of the dropped line */
        }
        db_put(&b, eol, strlen(eol));
        if (i % 50 == 49) { /* and a blank line */
            db_putc(&b, '\n');
            line++;
        }
    }
    assert_true(b.n > MiB);

    hs_csv *c = hs_csv_open_mem(b.d, b.n, "long.csv", NULL);
    assert_non_null(c);
    check_long(c, lines);
    hs_csv_close(c);

    char *path = write_tmp(b.d, b.n);
    c = open_file(path);
    check_long(c, lines);
    hs_csv_close(c);
    unlink(path);
    free(path);
    free(b.d);
}

/* ---- real data --------------------------------------------------------- */

/* A byte range of a file, read with pread: only its records, numbered
 * from the range's first line; several readers share one descriptor; a
 * file cut short under the reader is an error, not a silent end. */
static void test_file_range(void **state)
{
    (void)state;
    char path[] = "/tmp/hotspot-csv-range-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] = "x,y\n1,2\n3,4\n5,\"six\"\n7,8\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    hs_error err;
    hs_error_clear(&err);
    size_t from = 4, to = sizeof text - 1 - 4; /* "1,2" .. "5,"six"" */
    hs_csv *a = hs_csv_open_range(fd, (off_t)from, to - from, "range", &err);
    hs_csv *b = hs_csv_open_range(fd, 0, 4, "header", &err);
    assert_true(a && b);
    static const char *const r1[] = {"1", "2"}, *const r2[] = {"3", "4"},
                             *const r3[] = {"5", "six"}, *const h[] = {"x", "y"};
    check_rec(a, 1, r1, 2);
    check_rec(b, 1, h, 2); /* interleaved: each keeps its own offset */
    check_rec(a, 2, r2, 2);
    check_rec(a, 3, r3, 2);
    assert_int_equal(hs_csv_next(a, &err), 0);
    assert_int_equal(hs_csv_next(b, &err), 0);
    hs_csv_close(a);
    hs_csv_close(b);

    /* the range runs past the end of the file now */
    a = hs_csv_open_range(fd, (off_t)from, 1 << 20, "short", &err);
    assert_null(a);
    assert_int_equal(err.code, HS_ERR_IO);
    assert_non_null(strstr(err.msg, "shorter"));
    assert_null(hs_csv_open_range(-1, 0, 10, "nofile", &err));
    close(fd);
    unlink(path);
}

static void test_real_policeuk(void **state)
{
    (void)state;
    static const char rel[] = "data/real/policeuk-street-2018-10_2019-02/2018-10/"
                              "2018-10-wiltshire-street.csv";
    char path[4096];
    struct stat sb;
    const char *src = getenv("HOTSPOT_SOURCE_DIR");

    if (src && *src)
        snprintf(path, sizeof path, "%s/../shared/%s", src, rel);
    else if (stat("../shared", &sb) == 0 && S_ISDIR(sb.st_mode))
        snprintf(path, sizeof path, "../shared/%s", rel);
    else {
        print_message("skipped: HOTSPOT_SOURCE_DIR not set and no ../shared\n");
        skip();
    }
    if (stat(path, &sb) != 0) {
        print_message("skipped: %s not found\n", path);
        skip();
    }

    hs_csv *c = open_file(path);
    hs_error err;
    long n = 0;
    int r;
    hs_error_clear(&err);
    while ((r = hs_csv_next(c, &err)) == 1) {
        n++;
        assert_int_equal(hs_csv_line(c), n);
        if (hs_csv_nfields(c) != 12)
            fail_msg("line %ld: %zu fields", hs_csv_line(c), hs_csv_nfields(c));
        if (n == 1)
            assert_string_equal(hs_csv_field(c, 0, NULL), "Crime ID");
        else
            assert_string_equal(hs_csv_field(c, 1, NULL), "2018-10");
    }
    if (r != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(n, 5058 + 1);
    hs_csv_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_no_trailing_newline),
        cmocka_unit_test(test_empty_fields),
        cmocka_unit_test(test_lenient),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_record_limit),
        cmocka_unit_test(test_field_limit),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_big_unquoted),
        cmocka_unit_test(test_big_quoted),
        cmocka_unit_test(test_file_range),
        cmocka_unit_test(test_real_policeuk),
        cmocka_unit_test(test_detect_separator),
        cmocka_unit_test(test_detect_matches_gdal),
        cmocka_unit_test(test_semicolon_file),
        cmocka_unit_test(test_tab_file),
        cmocka_unit_test(test_set_separator),
        cmocka_unit_test(test_binary_unquoted),
        cmocka_unit_test(test_binary_quoted),
        cmocka_unit_test(test_binary_line_start),
        cmocka_unit_test(test_binary_end_of_input),
        cmocka_unit_test(test_binary_crlf),
        cmocka_unit_test(test_binary_refill),
        cmocka_unit_test(test_binary_record_limit),
        cmocka_unit_test(test_binary_off),
        cmocka_unit_test(test_binary_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
