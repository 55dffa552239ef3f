/* test_ingest.c - reading police.uk and generic incident files. */
#include <math.h>
#include <sys/stat.h>

#include "util.h"

#include "input/categories.h"
#include "input/crs.h"
#include "input/incidents.h"
#include "input/ingest.h"

static const char *CATS =
    "value,group,note\n"
    "Anti-social behaviour,asb,\n"
    "Burglary,sac,\n"
    "Violence and sexual offences,violence,\n"
    "Violent crime,violence,legacy\n"
    "28E,sac,\n"
    "8N,violence,\n";

static const char *POLICE_HEADER =
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context\n";

typedef struct fx {
    char dir[64];
    hs_categories *cats;
    hs_incidents *s;
    hs_ingest *in;
    hs_ingest_opts o;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    hs_error err = {0};
    tu_tmpdir(f->dir, sizeof f->dir);
    f->cats = hs_categories_load_mem(CATS, strlen(CATS), "cats", &err);
    assert_non_null(f->cats);
    f->s = hs_incidents_create(&err);
    f->o.analysis_crs = "EPSG:27700";
    f->in = hs_ingest_create(f->s, &f->o, f->cats, &err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    hs_ingest_destroy(f->in);
    hs_incidents_destroy(f->s);
    hs_categories_destroy(f->cats);
    tu_rmrf(f->dir);
    free(f);
    return 0;
}

static hs_status ingest_text(fx *f, const char *name, const char *text,
                             hs_error *err)
{
    char path[256];
    tu_write(f->dir, name, text, path, sizeof path);
    return hs_ingest_file(f->in, path, err);
}

/* police.uk rows: ASB without Crime ID, No Location rows, legacy labels,
 * unknown types kept, BOM + CRLF + quoted Location. */
static void test_police_uk(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    char text[4096];
    snprintf(text, sizeof text,
             "\xEF\xBB\xBF%s"
             ",2019-01,Wiltshire Police,Wiltshire Police,-1.794,51.069,"
             "On or near High Street,E01031952,Wiltshire 001A,"
             "Anti-social behaviour,,\r\n"
             "abc,2019-01,Wiltshire Police,Wiltshire Police,,,No Location,,,"
             "Burglary,Under investigation,\r\n"
             "def,2013-03,W,W,-1.8,51.07,\"On or near Mill Road, Eastfield\","
             "E01031953,W 002,Violent crime,,\r\n"
             "ghi,2019-02,W,W,-1.8,51.07,On or near X,E01031953,W 002,"
             "Drugs,,\r\n",
             POLICE_HEADER);
    assert_int_equal(ingest_text(f, "2019-01-x-street.csv", text, &err), HS_OK);
    const hs_ingest_report *r = hs_ingest_get_report(f->in);
    assert_int_equal(r->rows_read, 4);
    assert_int_equal(r->rows_kept, 4);
    assert_int_equal(r->no_location, 1);
    assert_int_equal(r->unknown_type, 1); /* Drugs is not in CATS */
    hs_incidents *s = f->s;
    assert_int_equal(s->n, 4);
    /* row 1: ASB, projected to BNG near Salisbury (independent value from
     * the OS transformation is tested in test_crs; here just plausibility) */
    assert_true(s->x[0] > 414000 && s->x[0] < 416000);
    assert_true(s->y[0] > 129000 && s->y[0] < 131000);
    assert_int_equal(s->group[0], hs_categories_find_group(f->cats, "asb"));
    assert_int_equal(s->month[0], 2019 * 12 + 0);
    assert_int_equal(s->row[0], 2);
    assert_string_equal(hs_pool_str(s->locations, s->location[0]),
                        "On or near High Street");
    assert_string_equal(hs_pool_str(s->lsoas, s->lsoa[0]), "E01031952");
    assert_true(isnan(s->x[1])); /* No Location */
    assert_int_equal(s->group[1], hs_categories_find_group(f->cats, "sac"));
    assert_int_equal(s->group[2], hs_categories_find_group(f->cats, "violence"));
    assert_string_equal(hs_pool_str(s->locations, s->location[2]),
                        "On or near Mill Road, Eastfield");
    assert_int_equal(s->group[3], -1);
    assert_string_equal(hs_pool_str(s->types, s->type[3]), "Drugs");
    assert_int_equal(s->row[3], 5);
}

/* Bad rows are skipped, counted by reason, with file and line. */
static void test_bad_rows(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    char text[4096];
    snprintf(text, sizeof text,
             "%s"
             ",2019-13,W,W,-1.8,51.07,L,E,N,Burglary,,\n"       /* 2 month  */
             ",2019-01,W,W,abc,51.07,L,E,N,Burglary,,\n"        /* 3 coord  */
             ",2019-01,W,W,-1.8,51.07,L,E,N,,,\n"               /* 4 type   */
             ",2019-01,W,W,-1.8,51.07,L,E,N,Burglary,\n"        /* 5 fields */
             ",2019-01,W,W,0,0,L,E,N,Burglary,,\n"              /* 6 (0,0)  */
             ",2019-01,W,W,-1.8,95,L,E,N,Burglary,,\n"          /* 7 range  */
             ",2019-01,W,W,nan,51,L,E,N,Burglary,,\n"           /* 8 NaN    */
             ",2019-01,W,W,-1.8,51.07,L,E,N,Burglary,,\n",      /* 9 good   */
             POLICE_HEADER);
    assert_int_equal(ingest_text(f, "bad.csv", text, &err), HS_OK);
    const hs_ingest_report *r = hs_ingest_get_report(f->in);
    assert_int_equal(r->rows_read, 8);
    assert_int_equal(r->rows_kept, 1);
    assert_int_equal(r->skipped[HS_SKIP_DATE], 1);
    assert_int_equal(r->skipped[HS_SKIP_COORD], 4);
    assert_int_equal(r->skipped[HS_SKIP_CATEGORY], 1);
    assert_int_equal(r->skipped[HS_SKIP_FIELDS], 1);
    assert_non_null(strstr(r->example[HS_SKIP_DATE][0], "bad.csv line 2"));
    assert_non_null(strstr(r->example[HS_SKIP_COORD][0], "line 3"));
    assert_non_null(strstr(r->example[HS_SKIP_FIELDS][0], "line 5"));
    assert_int_equal(f->s->row[0], 9);
}

/* A local extract: BNG easting/northing, UK dates, times, offence codes. */
static void test_generic_bng(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    const char *text =
        "incident_ref,offence_code,occurred_date,occurred_time,easting,northing\n"
        "A1,8N,05/03/2024,23:15,414123,130456\n"
        "A2,28E,2024-03-06,,414000,130000\n"
        "A3,8N,31/02/2024,01:00,414000,130000\n"   /* no 31 February */
        "A4,8N,06/03/2024,25:00,414000,130000\n"   /* no hour 25 */
        "A5,8N,06/03/2024,,,\n";                   /* no location */
    assert_int_equal(ingest_text(f, "extract.csv", text, &err), HS_OK);
    const hs_ingest_report *r = hs_ingest_get_report(f->in);
    assert_int_equal(r->rows_kept, 3);
    assert_int_equal(r->skipped[HS_SKIP_DATE], 2);
    hs_incidents *s = f->s;
    assert_true(s->x[0] == 414123 && s->y[0] == 130456); /* no transform */
    assert_int_equal(s->month[0], 2024 * 12 + 2);
    assert_int_equal(s->day[0], 5);
    assert_int_equal(s->minute[0], 23 * 60 + 15);
    assert_int_equal(s->day[1], 6);
    assert_int_equal(s->minute[1], -1);
    assert_int_equal(s->group[1], hs_categories_find_group(f->cats, "sac"));
    assert_true(isnan(s->x[2]));
}

/* Explicit column flags, a CRS given for the file, and weights. */
static void test_generic_flags(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    f->o.x = "E";
    f->o.y = "N";
    f->o.category = "what";
    f->o.date = "when";
    f->o.weight = "w";
    f->o.crs = "EPSG:27700";
    const char *text = "E,N,what,when,w\n"
                       "414000,130000,Burglary,2024-01-02T10:30:00Z,2.5\n"
                       "414000,130000,Burglary,2024-01,-1\n";
    assert_int_equal(ingest_text(f, "g.csv", text, &err), HS_OK);
    assert_int_equal(f->s->n, 1);
    assert_true(f->s->weight[0] == 2.5f);
    assert_int_equal(f->s->minute[0], 10 * 60 + 30);
    assert_int_equal(hs_ingest_get_report(f->in)->skipped[HS_SKIP_WEIGHT], 1);
    /* a named column that is missing is an error naming it and the flag
     * (another file: one with the same bytes would not be read again) */
    f->o.category = "nope";
    assert_int_not_equal(ingest_text(f, "g2.csv", "E,N,what,when,w\n"
                                     "414000,130000,Burglary,2024-01,1\n", &err),
                         HS_OK);
    assert_non_null(strstr(err.msg, "'nope'"));
    assert_non_null(strstr(err.msg, "--category"));
}

/* --start-time / --end-time: the span in minutes, the end of a date-only
 * end's day, blank (-1) and reversed (-2) ends, an unreadable end skipped;
 * then many rows read by threads (split path) keep their spans. */
static void test_end_times(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    f->o.x = "x";
    f->o.y = "y";
    f->o.category = "c";
    f->o.date = "from";
    f->o.end = "to";
    f->o.crs = "EPSG:27700";
    const char *text =
        "x,y,c,from,to\n"
        "414000,130000,Burglary,2024-01-31 22:15,2024-02-01 07:45\n" /* 570 */
        "414000,130000,Burglary,2024-02-28 23:00,2024-03-01\n"  /* leap day */
        "414000,130000,Burglary,2024-01-05 10:00,\n"
        "414000,130000,Burglary,2024-01-05 10:00,2024-01-05 09:59\n"
        "414000,130000,Burglary,2024-01-05 10:00,2024-01-05 10:00\n"
        "414000,130000,Burglary,2024-01-05,2024-01-06 10:00\n" /* no start time */
        "414000,130000,Burglary,2023-12-31 12:00,2025-01-01 12:00\n"
        "414000,130000,Burglary,2024-01-05 10:00,tomorrow\n"
        "414000,130000,Burglary,05/01/2024 10:00,06/01/2024 11:30\n"
        /* the clocks went forward at 01:00: wall-clock minutes, as written */
        "414000,130000,Burglary,2024-03-31 00:30,2024-03-31 02:30\n";
    assert_int_equal(ingest_text(f, "w.csv", text, &err), HS_OK);
    assert_non_null(f->s->span);
    int32_t want[] = {570, 24 * 60 + 60 + 24 * 60, -1, -2, 0, -1,
                      367 * 24 * 60, 25 * 60 + 30, 120};
    assert_int_equal(f->s->n, 9);
    for (size_t i = 0; i < 9; i++)
        if (f->s->span[i] != want[i])
            fail_msg("row %zu: span %d, want %d", i, f->s->span[i], want[i]);
    const hs_ingest_report *r = hs_ingest_get_report(f->in);
    assert_int_equal(r->skipped[HS_SKIP_DATE], 1);
    assert_non_null(strstr(r->example[HS_SKIP_DATE][0], "line 9: end time"));

    /* the split path: 3,000 rows by several threads */
    size_t n = 3000, cap = 64 * n + 64, len = 0;
    char *big = malloc(cap);
    assert_non_null(big);
    len += (size_t)snprintf(big + len, cap - len, "x,y,c,from,to\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(big + len, cap - len, "414000,130000,Burglary,"
                                "2024-01-%02zu 10:00,2024-01-%02zu %02zu:%02zu\n",
                                i % 28 + 1, i % 28 + 2, i % 24, i % 60);
    hs_incidents *b = hs_incidents_create(&err);
    hs_ingest_opts o = f->o;
    o.split_min_bytes = 1;
    hs_ingest *in2 = hs_ingest_create(b, &o, f->cats, &err);
    char path[256];
    tu_write(f->dir, "wbig.csv", big, path, sizeof path);
    free(big);
    assert_int_equal(hs_ingest_file(in2, path, &err), HS_OK);
    assert_int_equal(b->n, n);
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)(b->row[i] - 2); /* the generator's row */
        int32_t s = (int32_t)(24 * 60 + (k % 24) * 60 + k % 60 - 600);
        if (b->span[i] != s)
            fail_msg("split row %zu (line %lld): span %d, want %d", i,
                     (long long)b->row[i], b->span[i], s);
    }
    hs_ingest_destroy(in2);
    hs_incidents_destroy(b);
}

/* Files without recognisable columns, empty files, missing files. */
static void test_file_errors(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    assert_int_not_equal(ingest_text(f, "empty.csv", "", &err), HS_OK);
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_not_equal(ingest_text(f, "nocoord.csv", "a,b\n1,2\n", &err),
                         HS_OK);
    assert_non_null(strstr(err.msg, "coordinate"));
    assert_int_not_equal(hs_ingest_file(f->in, "/nonexistent/x.csv", &err),
                         HS_OK);
    assert_non_null(strstr(err.msg, "/nonexistent/x.csv"));
    /* header only: read, nothing kept, not an error */
    assert_int_equal(ingest_text(f, "hdr.csv", POLICE_HEADER, &err), HS_OK);
    assert_int_equal(f->s->n, 0);
}

/* An OGR point layer (GeoJSON in WGS84) is read through GDAL. */
static void test_ogr_layer(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    const char *gj =
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"category\":\"8N\","
        "\"date\":\"2024-05-01\"},\"geometry\":{\"type\":\"Point\","
        "\"coordinates\":[-1.794,51.069]}},"
        "{\"type\":\"Feature\",\"properties\":{\"category\":\"8N\","
        "\"date\":\"bad\"},\"geometry\":{\"type\":\"Point\","
        "\"coordinates\":[-1.794,51.069]}}]}";
    assert_int_equal(ingest_text(f, "pts.geojson", gj, &err), HS_OK);
    assert_int_equal(f->s->n, 1);
    assert_true(f->s->x[0] > 414000 && f->s->x[0] < 416000);
    assert_int_equal(hs_ingest_get_report(f->in)->skipped[HS_SKIP_DATE], 1);
}

/* Folders, globs and duplicates expand to a sorted list of files. */
static void test_paths(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    char p[256], sub[128], glob_pat[256];
    snprintf(sub, sizeof sub, "%s/sub", f->dir);
    mkdir(sub, 0755);
    tu_write(f->dir, "sub/b.csv", "x", p, sizeof p);
    tu_write(f->dir, "sub/a.csv", "x", p, sizeof p);
    tu_write(f->dir, "sub/notes.txt", "x", p, sizeof p);
    snprintf(glob_pat, sizeof glob_pat, "%s/sub/*.csv", f->dir);
    const char *paths[] = {sub, glob_pat};
    char **files;
    size_t n;
    assert_int_equal(hs_paths_expand(paths, 2, &files, &n, &err), HS_OK);
    assert_int_equal(n, 2);
    assert_non_null(strstr(files[0], "/sub/a.csv"));
    assert_non_null(strstr(files[1], "/sub/b.csv"));
    hs_paths_free(files);
    const char *missing[] = {"/nonexistent-folder"};
    assert_int_not_equal(hs_paths_expand(missing, 1, &files, &n, &err), HS_OK);
    assert_non_null(strstr(err.msg, "/nonexistent-folder"));
}

/* Coordinates parse to exactly what strtod gives, for decimals of every
 * length (the fast path) and for exponents and long digit strings (the
 * fallback). */
static void test_number_parsing(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    size_t n = 20000, cap = n * 64 + 64;
    char *text = malloc(cap), (*xs)[40] = malloc(n * sizeof *xs),
         (*ys)[40] = malloc(n * sizeof *ys);
    size_t len = (size_t)snprintf(text, cap, "x,y,category,month\n");
    unsigned seed = 7;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        int decimals = (int)(seed >> 16) % 19; /* 0..18 decimals */
        double v = 100000.0 + (double)(seed % 700000) + (seed >> 8) / 16777216.0;
        snprintf(xs[i], sizeof xs[i], "%.*f", decimals, v);
        snprintf(ys[i], sizeof ys[i], i % 5 == 0 ? "%.17e" : "%.9f",
                 200000.0 + (double)(seed % 9999) / 7.0);
        if (i % 11 == 0) /* 20 significant digits: beyond the fast path */
            snprintf(xs[i], sizeof xs[i], "412345.12345678901234");
        len += (size_t)snprintf(text + len, cap - len, "%s,%s,Burglary,2024-01\n",
                                xs[i], ys[i]);
    }
    assert_int_equal(ingest_text(f, "nums.csv", text, &err), HS_OK);
    assert_int_equal(f->s->n, n);
    for (size_t i = 0; i < n; i++) {
        double wx = strtod(xs[i], NULL), wy = strtod(ys[i], NULL);
        if (f->s->x[i] != wx || f->s->y[i] != wy)
            fail_msg("row %zu: '%s','%s' -> %.17g,%.17g want %.17g,%.17g", i,
                     xs[i], ys[i], f->s->x[i], f->s->y[i], wx, wy);
    }
    free(text);
    free(xs);
    free(ys);
}

/* The text of a big CSV; quote != 0 puts one quoted field in row 2. */
static char *big_csv(size_t rows, int quote, size_t *out_len)
{
    size_t cap = rows * 64 + 256;
    char *text = malloc(cap);
    size_t len = (size_t)snprintf(text, cap, "x,y,category,month,location\r\n");
    for (size_t i = 0; i < rows; i++) {
        const char *cat = i % 3 ? "Burglary" : "Drugs";
        if (i == 7 || i == 150001 || i == 299990) /* bad months */
            len += (size_t)snprintf(text + len, cap - len, "1,2,%s,2024-13,L%zu\r\n", cat, i % 7);
        else if (i % 50000 == 3) /* blank line */
            len += (size_t)snprintf(text + len, cap - len, "\r\n");
        else
            len += (size_t)snprintf(text + len, cap - len, "%zu.5,%zu.25,%s%s%s,2024-%02zu,L%zu\r\n",
                                    400000 + i, 100000 + i % 977, quote && i == 1 ? "\"" : "",
                                    cat, quote && i == 1 ? "\"" : "", 1 + i % 12, i % 7);
    }
    *out_len = len;
    return text;
}

/* A big file is parsed by several threads (when it has no quotes); the
 * result must be exactly what one thread gives: same rows, order, line
 * numbers, strings, counts and first examples. */
static void test_split_equals_sequential(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    size_t rows = 300000, len;
    char *text = big_csv(rows, 0, &len);
    assert_true(len > 9u << 20); /* above the split threshold */
    assert_int_equal(ingest_text(f, "split.csv", text, &err), HS_OK);
    free(text);
    hs_ingest_report r1 = *hs_ingest_get_report(f->in);
    hs_incidents *a = f->s;

    /* the same content with one quoted field is read by one thread */
    text = big_csv(rows, 1, &len);
    hs_incidents *b = hs_incidents_create(&err);
    hs_ingest *in2 = hs_ingest_create(b, &f->o, f->cats, &err);
    char path[256];
    tu_write(f->dir, "seq.csv", text, path, sizeof path);
    free(text);
    assert_int_equal(hs_ingest_file(in2, path, &err), HS_OK);
    const hs_ingest_report *r2 = hs_ingest_get_report(in2);
    assert_int_equal(r1.rows_read, 299994);
    assert_int_equal(r1.rows_read, r2->rows_read);
    assert_int_equal(r1.rows_kept, r2->rows_kept);
    assert_int_equal(r1.unknown_type, 99998); /* Drugs: not in CATS */
    assert_int_equal(r1.unknown_type, r2->unknown_type);
    assert_int_equal(r1.skipped[HS_SKIP_DATE], 3);
    assert_int_equal(r2->skipped[HS_SKIP_DATE], 3);
    for (int e = 0; e < 3; e++) /* same lines, other file name */
        assert_string_equal(strstr(r1.example[HS_SKIP_DATE][e], " line "),
                            strstr(r2->example[HS_SKIP_DATE][e], " line "));
    assert_non_null(strstr(r1.example[HS_SKIP_DATE][1], "line 150003:"));
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        if (a->x[i] != b->x[i] || a->y[i] != b->y[i] || a->month[i] != b->month[i] ||
            a->row[i] != b->row[i] || a->group[i] != b->group[i] ||
            strcmp(hs_pool_str(a->types, a->type[i]), hs_pool_str(b->types, b->type[i])) ||
            strcmp(hs_pool_str(a->locations, a->location[i]),
                   hs_pool_str(b->locations, b->location[i])))
            fail_msg("row %zu differs (line %lld vs %lld)", i,
                     (long long)a->row[i], (long long)b->row[i]);
    }
    /* generator row i is on line i + 2 (header first) */
    assert_int_equal(a->row[0], 2);
    assert_int_equal(a->row[a->n - 1], (int64_t)rows + 1);
    hs_ingest_destroy(in2);
    hs_incidents_destroy(b);
}

/* A big file whose last line has no line end: read by threads, the last
 * row is there, on its line, and the rows fill their place exactly. */
static void test_split_no_final_newline(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    size_t rows = 300000, len;
    char *text = big_csv(rows, 0, &len);
    assert_true(len > 9u << 20 && text[len - 2] == '\r');
    text[len - 2] = '\0'; /* drop the last CRLF */
    assert_int_equal(ingest_text(f, "nonl.csv", text, &err), HS_OK);
    free(text);
    const hs_ingest_report *r = hs_ingest_get_report(f->in);
    assert_int_equal(r->rows_read, 299994);
    hs_incidents *a = f->s;
    assert_int_equal(a->row[a->n - 1], (int64_t)rows + 1);
    assert_true(a->x[a->n - 1] == 400000.0 + (double)(rows - 1) + 0.5);
    for (size_t i = 1; i < a->n; i++)
        if (a->row[i] <= a->row[i - 1])
            fail_msg("rows %zu and %zu out of order", i - 1, i);
}

/* A big file whose every record spans two lines (a quoted line break at
 * the end of a long location): wherever the parser threads would cut it,
 * the first line end after the cut is inside a quoted field (checked for 2
 * to 8 threads, as plan_split cuts), so reading it in pieces would break
 * records there.  It must be read whole, with the right records and
 * line numbers. */
static void test_split_quoted_line_breaks(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    const size_t rows = 40000;
    size_t cap = rows * 300 + 64, len;
    char *text = malloc(cap), pad[201];
    memset(pad, 'x', 200);
    pad[200] = '\0';
    len = (size_t)snprintf(text, cap, "x,y,category,month,location\r\n");
    size_t header_end = len;
    for (size_t i = 0; i < rows; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "%zu.5,%zu.25,Burglary,2024-%02zu,\"L%zu %s\nend\"\r\n",
                                400000 + i, 100000 + i % 977, 1 + i % 12, i, pad);
    assert_true(len > 9u << 20); /* above the split threshold */
    for (size_t nt = 2; nt <= 8; nt++)
        for (size_t t = 1; t < nt; t++) {
            const char *q = strchr(text + header_end + (len - header_end) * t / nt, '\n');
            assert_memory_equal(q + 1, "end\"", 4);
        }
    assert_int_equal(ingest_text(f, "quoted.csv", text, &err), HS_OK);
    free(text);
    const hs_ingest_report *r = hs_ingest_get_report(f->in);
    assert_int_equal(r->rows_read, (long)rows);
    assert_int_equal(r->rows_kept, (long)rows);
    hs_incidents *a = f->s;
    assert_int_equal(a->n, rows);
    for (size_t i = 0; i < rows; i++) {
        const char *loc = hs_pool_str(a->locations, a->location[i]);
        char want[32];
        snprintf(want, sizeof want, "L%zu ", i);
        if (a->x[i] != 400000.5 + (double)i || a->row[i] != (int64_t)(2 + 2 * i) ||
            strncmp(loc, want, strlen(want)) || strcmp(loc + strlen(loc) - 4, "\nend"))
            fail_msg("record %zu: x %.2f, line %lld, location '%.12s'", i, a->x[i],
                     (long long)a->row[i], loc);
    }
}

/* A store that keeps only x, y and weight (what a density needs) reads
 * the same points as a full one, by one thread and by several, and the
 * columns it does not keep are not there. */
static void test_lean_store(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    size_t len;
    for (int quote = 0; quote < 2; quote++) { /* split path, then one thread */
        char *text = big_csv(300000, quote, &len), path[256];
        char name[32];
        snprintf(name, sizeof name, "lean%d.csv", quote);
        tu_write(f->dir, name, text, path, sizeof path);
        free(text);
        hs_incidents *full = hs_incidents_create(&err);
        hs_incidents *lean = hs_incidents_create_cols(0, &err);
        hs_ingest_opts o = f->o;
        o.optional_type = o.optional_date = 1;
        hs_ingest *a = hs_ingest_create(full, &o, f->cats, &err);
        hs_ingest *b = hs_ingest_create(lean, &o, f->cats, &err);
        assert_int_equal(hs_ingest_file(a, path, &err), HS_OK);
        assert_int_equal(hs_ingest_file(b, path, &err), HS_OK);
        /* rows with a bad month count as read and are kept: dates are not
         * read at all */
        assert_int_equal(full->n, 299994 - 3);
        assert_int_equal(lean->n, 299994);
        assert_null(lean->month);
        assert_null(lean->type);
        assert_null(lean->location);
        assert_null(lean->row);
        assert_null(lean->area);
        size_t j = 0;
        for (size_t i = 0; i < lean->n; i++) {
            if (lean->x[i] == 1 && lean->y[i] == 2)
                continue; /* a bad-month row: only in the lean store */
            if (j >= full->n || lean->x[i] != full->x[j] ||
                lean->y[i] != full->y[j] || lean->weight[i] != full->weight[j])
                fail_msg("lean row %zu differs from full row %zu", i, j);
            j++;
        }
        assert_int_equal(j, full->n);
        hs_ingest_destroy(a);
        hs_ingest_destroy(b);
        hs_incidents_destroy(full);
        hs_incidents_destroy(lean);
    }
}

/* Text that is not UTF-8: each bad byte becomes '?', valid sequences
 * (2 to 4 bytes) are kept, the row is kept and counted once. */
static void test_bad_utf8(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    static const struct {
        const char *in, *out;
    } cases[] = {
        /* valid UTF-8 is left alone */
        {"Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
        /* not UTF-8: the whole field read as Windows-1252; expected values
         * worked from the Unicode mapping table, and equal to Python's
         * bytes.decode("cp1252") (undefined bytes as '?') */
        {"Caf\xe9", "Caf\xc3\xa9"},                       /* é */
        {"a\xc0\xaf" "b", "a\xc3\x80\xc2\xaf" "b"},          /* overlong '/' */
        {"a\xed\xa0\x80" "b", "a\xc3\xad\xc2\xa0\xe2\x82\xac" "b"}, /* surrogate */
        {"a\xf4\x90\x80\x80", "a\xc3\xb4?\xe2\x82\xac\xe2\x82\xac"}, /* > U+10FFFF */
        {"end\xe2\x82", "end\xc3\xa2\xe2\x80\x9a"},         /* truncated */
        /* curly quote, pound, the five undefined bytes, Ÿ Ž ž */
        {"\x93\xa3\x81\x9f\x8e\x9e\x8d\x9d\x8f\x90",
         "\xe2\x80\x9c\xc2\xa3?\xc5\xb8\xc5\xbd\xc5\xbe????"},
    };
    size_t n = sizeof cases / sizeof *cases;
    char text[4096];
    size_t off = (size_t)snprintf(text, sizeof text, "%s", POLICE_HEADER);
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(text + off, sizeof text - off,
                                ",2019-01,W,W,-1.794,51.069,%s,E0,L,Burglary,,\n",
                                cases[i].in);
    assert_int_equal(ingest_text(f, "utf8.csv", text, &err), HS_OK);
    const hs_ingest_report *r = hs_ingest_get_report(f->in);
    assert_int_equal(r->rows_kept, (long)n);
    assert_int_equal(r->bad_text, (long)n - 1);
    assert_non_null(strstr(r->text_example[0], "utf8.csv line 3: field Location: "
                                               "not UTF-8, read as Windows-1252"));
    size_t ns;
    const hs_ingest_source *src = hs_ingest_sources(f->in, &ns);
    assert_int_equal(ns, 1);
    assert_int_equal(src[0].cp1252, (long)n - 1);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(hs_pool_str(f->s->locations, f->s->location[i]),
                            cases[i].out);
}

/* A police.uk row of force W, month M, longitude LON (rows told apart). */
#define PROW(m, lon) ",20" m ",W,W," lon ",51.069,On or near X,E0,L,Burglary,,\n"

/*
 * Three police.uk files, read in order: a.csv holds W 19-01 (3 rows) and
 * W 19-02 (2 rows); b.csv holds W 19-01 (2 other rows); c.csv has a.csv's
 * bytes.  Worked by hand: c.csv is not read (5 rows skipped as an
 * identical file); with "last" W 19-01 comes from b.csv, so a.csv's 3 rows
 * of it are skipped and 2 + 2 rows are kept; with "first" from a.csv, so
 * b.csv's 2 are skipped and 5 kept; "keep" reads all 12.
 */
static void police_dups(fx *f, hs_dup_rule rule, long kept, long fm,
                        long dup_file, const char *lons)
{
    hs_error err = {0};
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s" PROW("19-01", "-1.1") PROW("19-01", "-1.2")
             PROW("19-02", "-1.3") PROW("19-01", "-1.4") PROW("19-02", "-1.5"),
             POLICE_HEADER);
    snprintf(b, sizeof b, "%s" PROW("19-01", "-1.6") PROW("19-01", "-1.7"),
             POLICE_HEADER);
    f->o.duplicates = rule;
    assert_int_equal(ingest_text(f, "a.csv", a, &err), HS_OK);
    assert_int_equal(ingest_text(f, "b.csv", b, &err), HS_OK);
    assert_int_equal(ingest_text(f, "c.csv", a, &err), HS_OK);
    assert_int_equal(hs_ingest_finish(f->in, &err), HS_OK);
    const hs_ingest_report *r = hs_ingest_get_report(f->in);
    assert_int_equal(r->rows_read, 12); /* c.csv's rows count as read */
    assert_int_equal(r->rows_kept, kept);
    assert_int_equal((long)f->s->n, kept);
    assert_int_equal(r->skipped[HS_SKIP_DUP_FM], fm);
    assert_int_equal(r->skipped[HS_SKIP_DUP_FILE], dup_file);
    /* which rows, in store order: a.csv's lines 2..6 are rows 1..5, b.csv's
     * lines 2..3 rows 6..7 */
    char got[32] = "";
    size_t ns;
    const hs_ingest_source *src = hs_ingest_sources(f->in, &ns);
    assert_int_equal(ns, 3);
    for (size_t i = 0; i < f->s->n; i++) {
        int64_t row = f->s->row[i]; /* line in its file: 2.. */
        const char *file = hs_pool_str(f->s->files, f->s->file[i]);
        int b_file = strstr(file, "b.csv") != NULL;
        snprintf(got + strlen(got), sizeof got - strlen(got), "%d",
                 (int)(row - 1) + (b_file ? 5 : 0));
    }
    assert_string_equal(got, lons);
    long kept_sum = 0, dups = 0;
    for (size_t i = 0; i < ns; i++)
        kept_sum += src[i].rows_kept, dups += src[i].duplicates;
    assert_int_equal(kept_sum, kept);
    assert_int_equal(dups, fm + dup_file);
    assert_int_equal(src[2].same_as, rule == HS_DUP_KEEP ? -1 : 0);
}

static void test_dups_last(void **state) { police_dups(*state, HS_DUP_LAST, 4, 3, 5, "3567"); }
static void test_dups_first(void **state) { police_dups(*state, HS_DUP_FIRST, 5, 2, 5, "12345"); }
static void test_dups_keep(void **state)
{
    police_dups(*state, HS_DUP_KEEP, 12, 0, 0, "123456712345");
}

/* A crime reference (--id) on several rows, across two files; empty
 * references are never duplicates.  Kept: the last row of each reference
 * (first: the first).  Worked by hand from the rows below. */
static void test_dups_id(void **state)
{
    fx *f = *state;
    hs_error err = {0};
    for (int first = 0; first < 2; first++) {
        hs_ingest_reset(f->in);
        f->o.id = "ref";
        f->o.duplicates = first ? HS_DUP_FIRST : HS_DUP_LAST;
        const char *one = "x,y,category,date,ref\n"
                          "414001,130000,Burglary,2024-01,R1\n"
                          "414002,130000,Burglary,2024-01,R2\n"
                          "414003,130000,Burglary,2024-01, R1 \n" /* trimmed */
                          "414004,130000,Burglary,2024-01,\n"
                          "414005,130000,Burglary,2024-01,\n";
        const char *two = "x,y,category,date,ref\n"
                          "414006,130000,Burglary,2024-01,R2\n"
                          "414007,130000,Burglary,2024-01,R3\n";
        assert_int_equal(ingest_text(f, first ? "one1.csv" : "one.csv", one, &err), HS_OK);
        assert_int_equal(ingest_text(f, first ? "two1.csv" : "two.csv", two, &err), HS_OK);
        assert_int_equal(hs_ingest_finish(f->in, &err), HS_OK);
        char got[32] = "";
        for (size_t i = 0; i < f->s->n; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%d",
                     (int)f->s->x[i] - 414000);
        /* last: R2 at 6, R1 at 3; first: R1 at 1, R2 at 2 */
        assert_string_equal(got, first ? "12457" : "34567");
        assert_int_equal(hs_ingest_get_report(f->in)->skipped[HS_SKIP_DUP_ID],
                         2 * (first + 1));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_police_uk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generic_bng, setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generic_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogr_layer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_number_parsing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_equals_sequential, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_quoted_line_breaks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_no_final_newline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lean_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dups_last, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dups_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dups_keep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dups_id, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
