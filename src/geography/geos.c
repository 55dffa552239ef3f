/* geos.c - a GEOS context that keeps its last error (geos.h). */
#include <stdio.h>

#include "geography/geos.h"

static void on_error(const char *message, void *userdata)
{
    hs_geos_msg *m = userdata;
    snprintf(m->text, sizeof m->text, "%s", message ? message : "");
}

static void on_notice(const char *message, void *userdata)
{
    (void)message;
    (void)userdata;
}

GEOSContextHandle_t hs_geos_start(hs_geos_msg *m)
{
    GEOSContextHandle_t ctx = GEOS_init_r();
    if (!ctx)
        return NULL;
    m->text[0] = '\0';
    GEOSContext_setErrorMessageHandler_r(ctx, on_error, m);
    GEOSContext_setNoticeMessageHandler_r(ctx, on_notice, NULL);
    return ctx;
}
