/*
 * defaults.h - the small facts every stage may use: the option default
 * rule below; the version (hotspot.h) and the data folder (hs_run.h: the
 * environment, then beside the executable; never a compiled-in path) are
 * defined in defaults.c.  They live here, below every stage, so that a
 * writer never calls back into the job that calls it (src/README.md).
 */
#ifndef HOTSPOT_DEFAULTS_H
#define HOTSPOT_DEFAULTS_H

/* v if set and not empty, else d (an option's value or its default). */
const char *hs_or_default(const char *v, const char *d);

#endif
