/* fuzz_targets.c - a targets CSV (--targets) through hs_targets_read.
 * Properties: an error has a message; a file that reads has at least one
 * target, each with a non-empty group and period, an area id that is NULL
 * ("all") or not empty, months in order, a finite target >= 0 and a line
 * after the header, lines increasing. */
#include <math.h>

#include "fuzz.h"

#include "input/targetfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_error err = {0};
    const char *path = fz_file(data, size, "targets.csv");
    hs_targets *t = hs_targets_read(path, &err);
    if (!t) {
        fz_check_msg(err.msg, sizeof err.msg);
        return 0;
    }
    if (t->n == 0)
        abort();
    for (size_t i = 0; i < t->n; i++) {
        const hs_target *r = &t->v[i];
        if (!r->group || !*r->group || !r->period || !*r->period ||
            (r->area_id && !*r->area_id) || r->from > r->to ||
            !isfinite(r->target) || r->target < 0 || r->line < 2 ||
            (i && r->line <= t->v[i - 1].line))
            abort();
    }
    hs_targets_destroy(t);
    return 0;
}
