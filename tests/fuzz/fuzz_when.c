/* fuzz_when.c - --when windows (hs_when_parse).  Properties: an error has
 * a message; a spec that parses gives a normalised text that parses to
 * the same windows (a round trip), and every weekday and minute can be
 * asked about. */
#include "fuzz.h"

#include "input/when.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char spec[600];
    if (size >= sizeof spec)
        return 0;
    memcpy(spec, data, size);
    spec[size] = '\0';
    hs_error err = {0};
    hs_when w, again;
    if (hs_when_parse(spec, &w, &err) != HS_OK) {
        fz_check_msg(err.msg, sizeof err.msg);
        return 0;
    }
    if (w.n < 1 || w.n > HS_WHEN_MAX)
        abort();
    if (hs_when_parse(w.text, &again, &err) != HS_OK || again.n != w.n ||
        memcmp(again.w, w.w, (size_t)w.n * sizeof *w.w) != 0)
        abort(); /* the normalised text must say the same */
    long inside = 0;
    for (int d = 1; d <= 7; d++)
        for (int t = 0; t < 1440; t++)
            inside += hs_when_contains(&w, d, t);
    if (inside == 0)
        abort(); /* a window is never empty */
    return 0;
}
