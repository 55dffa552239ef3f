/* fuzz_profile.c - INI profiles (hs_options_load_profile, through a real
 * file, as "hotspot run PROFILE" reads it). */
#include "fuzz.h"

#include "hotspot/hs_options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_file(data, size, "profile.ini");
    hs_error err = {0};
    hs_options o;
    hs_options_init(&o);
    if (hs_options_load_profile(&o, path, &err) != HS_OK)
        fz_check_msg(err.msg, sizeof err.msg);
    hs_options_free(&o);
    return 0;
}
