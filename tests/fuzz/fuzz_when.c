/* fuzz_when.c - --when windows (hs_when_parse).  Properties: an error has
 * a message; a spec that parses gives a normalised text that parses to
 * the same windows (a round trip), and every weekday and minute can be
 * asked about; the prefix table counts the same minutes, and shares of
 * windows (when.h) lie in [0, 1], a whole week's being the week's. */
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
    uint16_t p[HS_WHEN_WEEK + 1];
    hs_when_prefix(&w, p);
    if (p[HS_WHEN_WEEK] != inside)
        abort();
    for (int32_t span = -2; span <= 2 * HS_WHEN_WEEK; span += 97) {
        /* starts spread over the week from the input's bytes */
        int m = (int)((size * 7919u + (uint32_t)span * 31u) % HS_WHEN_WEEK);
        double s = hs_when_share(p, m / 1440 + 1, m % 1440, span);
        if (!(s >= 0 && s <= 1) ||
            (span >= HS_WHEN_WEEK && s != (double)inside / HS_WHEN_WEEK))
            abort();
    }
    return 0;
}
