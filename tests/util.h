/* util.h - small helpers shared by the cmocka tests (temp files). */
#ifndef HOTSPOT_TEST_UTIL_H
#define HOTSPOT_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* A fresh temporary folder; the path is static storage per call site. */
static inline void tu_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/hotspot-test-XXXXXX");
    assert_non_null(mkdtemp(buf));
}

/* Writes text to dir/name and returns the full path in out. */
static inline void tu_write(const char *dir, const char *name,
                            const char *text, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", dir, name);
    FILE *f = fopen(out, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static inline void tu_rmrf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* A GeoJSON FeatureCollection in EPSG:27700 holding features (JSON text),
 * written to dir/name; the full path goes to path. */
static inline void tu_write_fc(const char *dir, const char *name,
                               const char *features, char *path, size_t n)
{
    char *text = malloc(strlen(features) + 256);
    assert_non_null(text);
    sprintf(text, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\","
            "\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::27700\"}},"
            "\"features\":[%s]}", features);
    tu_write(dir, name, text, path, n);
    free(text);
}

/* A square feature [x, x+s] x [y, y+s] with properties id, name ("Area
 * <id>") and pop (JSON text: "1500" or "null"). */
static inline void tu_square(char *buf, size_t n, const char *id, double x,
                             double y, double s, const char *pop)
{
    snprintf(buf, n, "{\"type\":\"Feature\",\"properties\":{\"id\":\"%s\","
             "\"name\":\"Area %s\",\"pop\":%s},\"geometry\":{\"type\":"
             "\"Polygon\",\"coordinates\":[[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],"
             "[%.3f,%.3f],[%.3f,%.3f]]]}}", id, id, pop, x, y, x + s, y, x + s,
             y + s, x, y + s, x, y);
}

#endif
