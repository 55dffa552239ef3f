/* fuzz_pgsource.c - PostgreSQL source strings, COPY rows and EWKB points
 * (input/pgsource.h).  Properties: a refused string has a message; a
 * parsed one has a label that parses again to the same label, and
 * hs_pg_label gives that label; a
 * COPY row splits into one field more than it has tabs (or is refused
 * when that is over the limit), each field no longer than the row; an
 * EWKB point is 1 with finite-or-NaN coordinates, 0 with NaN ones, or
 * -1. */
#include "fuzz.h"

#include <math.h>

#include "input/pgsource.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[700];
    if (size >= sizeof s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    hs_error err = {0};
    hs_pg_source src, again;
    char lab[2048];
    hs_pg_label(s, lab, sizeof lab);
    if (hs_pg_source_parse(s, &src, &err) != HS_OK) {
        fz_check_msg(err.msg, sizeof err.msg);
    } else {
        /* (without "PG:" the string is parsed all the same, but its
         * label is the string itself: not a database name to hide) */
        if ((hs_pg_is_source(s) && strcmp(src.label, lab) != 0) || !src.conninfo)
            abort();
        /* the label of a keyword string reads back to itself, so the
         * password, left out once, stays out (test_pgsource checks that
         * it is left out) */
        if (strncmp(src.label, "PG:postgres", 11) != 0) {
            if (hs_pg_source_parse(src.label, &again, &err) != HS_OK ||
                strcmp(again.label, src.label) != 0)
                abort();
            hs_pg_source_free(&again);
        }
        hs_pg_source_free(&src);
    }
    /* the same bytes as a COPY row */
    char line[701], *f[16];
    size_t n, tabs = 0;
    memcpy(line, data, size);
    line[size] = '\0';
    for (size_t i = 0; i < size; i++)
        tabs += data[i] == '\t';
    int r = hs_pg_copy_fields(line, size, f, 16, &n);
    if (r == 0 && n != tabs + 1)
        abort();
    if (r != 0 && tabs + 1 <= 16)
        abort();
    for (size_t i = 0; r == 0 && i < n; i++)
        if (f[i] && (f[i] < line || f[i] > line + size || strlen(f[i]) > size))
            abort();
    /* and as hex EWKB */
    double x, y;
    int p = hs_pg_ewkb_point(s, &x, &y);
    if (p == 0 && !(isnan(x) && isnan(y)))
        abort();
    if (p < -1 || p > 1)
        abort();
    return 0;
}
