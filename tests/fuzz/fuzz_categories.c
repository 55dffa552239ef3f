/* fuzz_categories.c - the category mapping CSV (hs_categories_load_mem,
 * the same loader hs_categories_load uses after opening the file). */
#include "fuzz.h"

#include "input/categories.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_error err = {0};
    hs_categories *c = hs_categories_load_mem((const char *)data, size,
                                              "fuzz.csv", &err);
    if (!c) {
        fz_check_msg(err.msg, sizeof err.msg);
        return 0;
    }
    /* Every group has a name that finds it again; every value looks up. */
    for (size_t g = 0; g < hs_categories_ngroups(c); g++) {
        const char *name = hs_categories_group_name(c, (int)g);
        if (!name || hs_categories_find_group(c, name) < 0)
            abort();
    }
    (void)hs_categories_group_of(c, (const char *)data, size < 64 ? size : 64);
    hs_categories_destroy(c);
    return 0;
}
