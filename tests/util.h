/* util.h - small helpers shared by the cmocka tests (temp files). */
#ifndef HOTSPOT_TEST_UTIL_H
#define HOTSPOT_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* A fresh temporary folder; the path is static storage per call site. */
static inline void tu_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/hotspot-test-XXXXXX");
    assert_non_null(mkdtemp(buf));
}

/* Writes text to dir/name and returns the full path in out. */
static inline void tu_write(const char *dir, const char *name,
                            const char *text, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", dir, name);
    FILE *f = fopen(out, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static inline void tu_rmrf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

#endif
