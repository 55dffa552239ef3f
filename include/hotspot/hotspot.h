/*
 * hotspot.h - the public API of the Hotspot library: the only header the
 * CLI needs.  Internals (ingest, areas, aggregate, output) live in src/.
 */
#ifndef HOTSPOT_HOTSPOT_H
#define HOTSPOT_HOTSPOT_H

#include "hotspot/hs_error.h"
#include "hotspot/hs_options.h"
#include "hotspot/hs_report.h"
#include "hotspot/hs_run.h"
#include "hotspot/hs_stats.h"

/* "0.1.0" */
const char *hs_version(void);

#endif
