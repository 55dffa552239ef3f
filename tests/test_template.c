/*
 * test_template.c - tests for the template filler (src/output/template.c) and the
 * styles compiled into the binary (src/job/styles.c, cmake/embed_styles.cmake).
 *
 * Renders are compared with the exact text expected; every error case
 * (unknown key, unclosed marks) must fail with a message.  The embedded
 * styles are compared byte for byte with the files in styles/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/styles.h"
#include "output/template.h"

static char *render(const char *tpl, const hs_vars *v, hs_error *err)
{
    return hs_tpl_render("test", tpl, v, err);
}

static void test_values_and_escaping(void **state)
{
    (void)state;
    hs_vars *v = hs_vars_create();
    hs_error err = {0};
    assert_non_null(v);
    assert_int_equal(hs_vars_set(v, -1, "name", "%s", "A&B <\"x\"> 'y'"), 0);
    assert_int_equal(hs_vars_set(v, -1, "n", "%d", 42), 0);
    assert_int_equal(hs_vars_set(v, -1, "xml", "%s", "<b>raw</b>"), 0);
    char *s = render("[{{name}}] {{n}} {{{xml}}} {{xml}}", v, &err);
    assert_non_null(s);
    assert_string_equal(s, "[A&amp;B &lt;&quot;x&quot;&gt; &apos;y&apos;] 42 "
                           "<b>raw</b> &lt;b&gt;raw&lt;/b&gt;");
    free(s);
    /* setting again replaces */
    assert_int_equal(hs_vars_set(v, -1, "n", "%d", 7), 0);
    s = render("{{n}}", v, &err);
    assert_string_equal(s, "7");
    free(s);
    hs_vars_destroy(v);
}

static void test_rows(void **state)
{
    (void)state;
    hs_vars *v = hs_vars_create();
    hs_error err = {0};
    assert_int_equal(hs_vars_rows(v), 0);
    assert_int_equal(hs_vars_set(v, -1, "unit", "km²"), 0);
    assert_int_equal(hs_vars_set(v, 0, "i", "0"), 0);
    assert_int_equal(hs_vars_set(v, 1, "i", "1"), 0);
    assert_int_equal(hs_vars_set(v, 2, "i", "2"), 0);
    assert_int_equal(hs_vars_set(v, 2, "unit", "m"), 0); /* row wins */
    assert_int_equal(hs_vars_rows(v), 3);
    char *s = render("<a><!--rows-->[{{i}} {{unit}}]<!--/rows--></a>"
                     "<b><!--rows-->{{i}},<!--/rows--></b>{{unit}}", v, &err);
    assert_non_null(s);
    assert_string_equal(s, "<a>[0 km²][1 km²][2 m]</a><b>0,1,2,</b>km²");
    free(s);
    hs_vars_destroy(v);

    /* no rows: the sections vanish */
    v = hs_vars_create();
    s = render("x<!--rows-->{{nothing}}<!--/rows-->y", v, &err);
    assert_string_equal(s, "xy");
    free(s);
    hs_vars_destroy(v);
}

static void test_errors(void **state)
{
    (void)state;
    hs_vars *v = hs_vars_create();
    assert_int_equal(hs_vars_set(v, 0, "i", "0"), 0);
    static const char *const bad[] = {
        "{{colr}}",                          /* unknown key            */
        "{{i}}",                             /* row key outside rows   */
        "abc {{i",                           /* unclosed               */
        "{{{i}}",                            /* raw mark closed as {{  */
        "<!--rows-->{{i}}",                  /* section not closed     */
        "{{i}}<!--/rows-->",                 /* close without open     */
        "<!--rows--><!--rows-->x<!--/rows--><!--/rows-->", /* nested */
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        hs_error err = {0};
        char *s = render(bad[k], v, &err);
        if (s)
            print_error("template '%s' rendered as '%s'\n", bad[k], s);
        assert_null(s);
        assert_int_equal(err.code, HS_ERR_ARG);
        assert_non_null(strstr(err.msg, "test"));
    }
    hs_vars_destroy(v);
}

/* Every file of styles/ is in the binary, byte for byte. */
static void test_embedded(void **state)
{
    (void)state;
    static const char *const names[] = {
        "areas.qml",  "areas.sld",     "rates.qml",     "rates.sld",
        "vs_study.qml", "vs_study.sld", "change.qml",   "change.sld",
        "incidents.qml", "incidents.sld", "hotspots.qml", "hotspots.sld",
        "kde.qml",    "kde.sld",       "project.qgs",   "project_group.xml",
        "project_node.xml", "project_layer.xml", "project_srs.xml"};
    const char *src = getenv("HOTSPOT_SOURCE_DIR");
    assert_null(hs_style_template("no-such.qml"));
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        const char *t = hs_style_template(names[k]);
        if (!t)
            print_error("%s is not embedded\n", names[k]);
        assert_non_null(t);
        if (!src)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/styles/%s", src, names[k]);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        assert_int_equal(strlen(t), n);
        assert_memory_equal(t, buf, n);
    }
}

static void test_qgz_path(void **state)
{
    (void)state;
    static const char *const io[][2] = {
        {"out/result.gpkg", "out/result.qgz"},
        {"result.gpkg", "result.qgz"},
        {"dir.gpkg/result", "dir.gpkg/result.qgz"},
        {"result.GPKG", "result.GPKG.qgz"},
        {".gpkg", ".gpkg.qgz"}};
    for (size_t k = 0; k < sizeof io / sizeof *io; k++) {
        char *p = hs_project_qgz_path(io[k][0]);
        assert_non_null(p);
        assert_string_equal(p, io[k][1]);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_escaping),
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_embedded),
        cmocka_unit_test(test_qgz_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
