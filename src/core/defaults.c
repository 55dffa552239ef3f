/* defaults.c - the version, the bundled data folder and the option default
 * rule (defaults.h, hotspot.h, hs_run.h). */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/defaults.h"
#include "hotspot/hotspot.h"

#ifndef HOTSPOT_VERSION
#define HOTSPOT_VERSION "0.0.0"
#endif

const char *hs_version(void) { return HOTSPOT_VERSION; }

/* Found once per process (the executable does not move while it runs);
 * pthread_once because a library caller may ask from several threads. */
static char found_dir[PATH_MAX];
static pthread_once_t found_once = PTHREAD_ONCE_INIT;

/* 1 if dir holds the data: categories.csv is in every data folder. */
static int holds_data(const char *dir)
{
    char f[PATH_MAX + 32];
    snprintf(f, sizeof f, "%s/categories.csv", dir);
    return access(f, R_OK) == 0;
}

static void find_data_dir(void)
{
    char exe[PATH_MAX], beside[sizeof found_dir];
    /* the executable's real path, symlinks resolved: a link in
     * /usr/local/bin to /opt/hotspot/bin/hotspot finds /opt/hotspot/share */
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = NULL;
    if (n > 0) {
        exe[n] = '\0';
        slash = strrchr(exe, '/');
    }
    if (!slash) { /* no /proc: nothing to look beside; name the way out */
        snprintf(found_dir, sizeof found_dir, "(set HOTSPOT_DATA)");
        return;
    }
    *slash = '\0'; /* the executable's folder: PREFIX/bin, or build */
    char *up = strrchr(exe, '/');
    int prefix_len = up ? (int)(up - exe) : 0;
    /* installed: PREFIX/bin/hotspot and PREFIX/share/hotspot (written
     * without "bin/..", for clearer messages) */
    snprintf(found_dir, sizeof found_dir, "%.*s/share/hotspot", prefix_len, exe);
    if (holds_data(found_dir))
        return;
    /* the build tree: build/hotspot and build/share/hotspot, which CMake
     * links to the source's data/ */
    int len = snprintf(beside, sizeof beside, "%s/share/hotspot", exe);
    if (len < (int)sizeof beside && holds_data(beside))
        memcpy(found_dir, beside, sizeof found_dir);
    /* neither: found_dir stays the installed path, which "cannot open"
     * then names */
}

const char *hs_data_dir(void)
{
    /* an explicit choice beats a guess, as GDAL_DATA and PROJ_DATA do */
    const char *env = getenv("HOTSPOT_DATA");
    if (env && *env)
        return env;
    pthread_once(&found_once, find_data_dir);
    return found_dir;
}

const char *hs_or_default(const char *v, const char *d) { return v && *v ? v : d; }
