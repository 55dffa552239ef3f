/* defaults.c - the version, the bundled data folder and the option default
 * rule (defaults.h, hotspot.h, hs_run.h). */
#include <stdlib.h>

#include "core/defaults.h"
#include "hotspot/hotspot.h"

#ifndef HOTSPOT_VERSION
#define HOTSPOT_VERSION "0.0.0"
#endif
#ifndef HOTSPOT_DATA_DIR
#define HOTSPOT_DATA_DIR "data"
#endif

const char *hs_version(void) { return HOTSPOT_VERSION; }

const char *hs_data_dir(void)
{
    const char *env = getenv("HOTSPOT_DATA");
    return env && *env ? env : HOTSPOT_DATA_DIR;
}

const char *hs_or_default(const char *v, const char *d) { return v && *v ? v : d; }
