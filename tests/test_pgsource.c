/* test_pgsource.c - PostgreSQL source strings, labels without passwords,
 * COPY text rows and points in EWKB (input/pgsource.h).  The EWKB values
 * are PostGIS 3.3's own output for the geometries named beside them. */
#include "util.h"

#include <math.h>

#include "input/pgsource.h"

static void parses(const char *s, const char *conninfo, const char *label,
                   const char *table, const char *geom_col)
{
    hs_error err = {0};
    hs_pg_source src;
    if (hs_pg_source_parse(s, &src, &err) != HS_OK)
        fail_msg("'%s': %s", s, err.msg);
    assert_string_equal(src.conninfo, conninfo);
    assert_string_equal(src.label, label);
    if (table)
        assert_string_equal(src.table, table);
    else
        assert_null(src.table);
    if (geom_col)
        assert_string_equal(src.geom_col, geom_col);
    else
        assert_null(src.geom_col);
    hs_pg_source_free(&src);
    char lab[256];
    hs_pg_label(s, lab, sizeof lab);
    assert_string_equal(lab, label);
}

static void test_sources(void **state)
{
    (void)state;
    assert_true(hs_pg_is_source("PG:dbname=x"));
    assert_true(hs_pg_is_source("pg:dbname=x"));
    assert_false(hs_pg_is_source("pg.gpkg"));
    assert_false(hs_pg_is_source(NULL));
    /* GDAL's tables= is taken off, the password left out of the label */
    parses("PG:dbname=hs host=/tmp/x user=me password=s3cret "
           "tables=warehouse.crimes",
           "dbname='hs' host='/tmp/x' user='me' password='s3cret'",
           "PG:dbname=hs host=/tmp/x user=me tables=warehouse.crimes",
           "warehouse.crimes", NULL);
    /* quoted values, escapes, spaces round '=' */
    parses("PG: dbname = 'my db' password='a\\'b c' application_name=x\\ y",
           "dbname='my db' password='a\\'b c' application_name='x y'",
           "PG:dbname='my db' application_name='x y'", NULL, NULL);
    parses("PG:dbname=hs tables=crimes(geom2) schemas=a active_schema=a",
           "dbname='hs'",
           "PG:dbname=hs tables=crimes(geom2) schemas=a active_schema=a",
           "crimes", "geom2");
    /* a URI: user:password@ and password= go from the label only */
    parses("PG:postgresql://me:s3cret@db.example:5433/hs?sslmode=require&"
           "password=x&connect_timeout=5",
           "postgresql://me:s3cret@db.example:5433/hs?sslmode=require&"
           "password=x&connect_timeout=5",
           "PG:postgresql://me@db.example:5433/hs?sslmode=require&"
           "connect_timeout=5", NULL, NULL);
    parses("PG:postgres://db/hs", "postgres://db/hs", "PG:postgres://db/hs",
           NULL, NULL);
    char lab[64];
    hs_pg_label("data/boards.geojson", lab, sizeof lab);
    assert_string_equal(lab, "data/boards.geojson");
}

static void refused(const char *s, const char *secret)
{
    hs_error err = {0};
    hs_pg_source src;
    assert_int_equal(hs_pg_source_parse(s, &src, &err), HS_ERR_ARG);
    assert_null(src.conninfo);
    if (!strstr(err.msg, "is not a PostgreSQL connection string"))
        fail_msg("'%s': message '%s'", s, err.msg);
    if (secret && strstr(err.msg, secret))
        fail_msg("'%s': message '%s' shows the password", s, err.msg);
    char lab[256];
    hs_pg_label(s, lab, sizeof lab);
    if (secret && strstr(lab, secret))
        fail_msg("'%s': label '%s' shows the password", s, lab);
}

static void test_refused(void **state)
{
    (void)state;
    refused("PG:dbname=hs password='s3cret", "s3cret");  /* unclosed quote */
    refused("PG:password=s3cret dbname", "s3cret");      /* no '=' */
    refused("PG:dbname=hs tables=a,b", NULL);            /* two tables */
    refused("PG:tables=a tables=b", NULL);
}

static void test_quote_table(void **state)
{
    (void)state;
    char *q = hs_pg_quote_table("warehouse.crimes");
    assert_string_equal(q, "\"warehouse\".\"crimes\"");
    free(q);
    q = hs_pg_quote_table("we\"ird");
    assert_string_equal(q, "\"we\"\"ird\"");
    free(q);
}

static void test_copy_fields(void **state)
{
    (void)state;
    /* a, b<TAB>c, NULL, "", \xAA (escaped backslash, octal, hex) */
    char line[64] = "a\tb\\tc\t\\N\t\t\\\\x\\101\\x41\t\\n\\r\\b\\f\\v\\q";
    char *f[8];
    size_t n;
    assert_int_equal(hs_pg_copy_fields(line, strlen(line), f, 8, &n), 0);
    assert_int_equal(n, 6);
    assert_string_equal(f[0], "a");
    assert_string_equal(f[1], "b\tc");
    assert_null(f[2]);
    assert_string_equal(f[3], "");
    assert_string_equal(f[4], "\\xAA");
    assert_string_equal(f[5], "\n\r\b\f\vq");
    char two[16] = "x\ty\tz";
    assert_int_equal(hs_pg_copy_fields(two, strlen(two), f, 2, &n), -1);
    char empty[4] = "";
    assert_int_equal(hs_pg_copy_fields(empty, 0, f, 1, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(f[0], "");
}

static void test_ewkb_point(void **state)
{
    (void)state;
    double x, y;
    /* SRID=27700;POINT(400000.5 150000.25) */
    assert_int_equal(hs_pg_ewkb_point("0101000020346C000000000000026A184100000000824F0241",
                                      &x, &y), 1);
    assert_true(x == 400000.5 && y == 150000.25);
    /* SRID=4326;POINT(-1.5 51.25), big-endian (ST_AsEWKB(g, 'XDR')) */
    assert_int_equal(hs_pg_ewkb_point("0020000001000010e6bff80000000000004049a00000000000",
                                      &x, &y), 1);
    assert_true(x == -1.5 && y == 51.25);
    /* POINT Z (1 2 3), POINT M (1 2 4): x and y */
    assert_int_equal(hs_pg_ewkb_point("0101000080000000000000F03F00000000000000400000000000000840",
                                      &x, &y), 1);
    assert_true(x == 1 && y == 2);
    assert_int_equal(hs_pg_ewkb_point("0101000040000000000000F03F00000000000000400000000000001040",
                                      &x, &y), 1);
    assert_true(x == 1 && y == 2);
    /* POINT EMPTY */
    assert_int_equal(hs_pg_ewkb_point("0101000000000000000000F87F000000000000F87F", &x, &y), 0);
    assert_true(isnan(x) && isnan(y));
    /* LINESTRING(0 0,1 1), MULTIPOINT(1 2), cut short, not hex */
    assert_int_equal(hs_pg_ewkb_point("01020000000200000000000000000000000000000000000000000000000000F03F000000000000F03F",
                                      &x, &y), -1);
    assert_int_equal(hs_pg_ewkb_point("0104000000010000000101000000000000000000F03F0000000000000040",
                                      &x, &y), -1);
    assert_int_equal(hs_pg_ewkb_point("0101000020346C000000000000026A1841", &x, &y), -1);
    assert_int_equal(hs_pg_ewkb_point("0101000020346C0000000000000Z6A184100000000824F0241",
                                      &x, &y), -1);
    assert_int_equal(hs_pg_ewkb_point("", &x, &y), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sources),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_quote_table),
        cmocka_unit_test(test_copy_fields),
        cmocka_unit_test(test_ewkb_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
