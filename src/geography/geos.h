/*
 * geos.h - a GEOS context that keeps the text of its last error
 * (internal), for the modules of this stage that name the feature GEOS
 * failed on (contiguity.c, overlap.c, regions.c).
 *
 * Ownership: the context is the caller's (GEOS_finish_r); m must outlive
 * it, as GEOS writes the error text there.
 */
#ifndef HOTSPOT_GEOS_H
#define HOTSPOT_GEOS_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

typedef struct hs_geos_msg {
    char text[256]; /* GEOS's last error, "" when none */
} hs_geos_msg;

/* A new context whose errors are copied into m->text and whose notices
 * are dropped; NULL when GEOS cannot start. */
GEOSContextHandle_t hs_geos_start(hs_geos_msg *m);

#endif
