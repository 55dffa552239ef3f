/* fuzz_split.c - differential: every input is read twice through
 * hs_ingest_file, by the threads that split a big CSV at line ends (the
 * size threshold lowered to 1 byte, so small inputs take that path when
 * they can) and by the single sequential reader.  The two must agree on
 * the outcome, the error message, the report and every row kept. */
#include "fuzz.h"

#include <math.h>

#include "core/pool.h"
#include "input/categories.h"
#include "input/incidents.h"
#include "input/ingest.h"

static int same_double(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

static int same_str(const hs_pool *pa, int32_t a, const hs_pool *pb, int32_t b)
{
    if (a < 0 || b < 0)
        return a == b;
    return strcmp(hs_pool_str(pa, a), hs_pool_str(pb, b)) == 0;
}

/* The same rows, in the same order, with the same values. */
static int same_store(const hs_incidents *a, const hs_incidents *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!same_double(a->x[i], b->x[i]) || !same_double(a->y[i], b->y[i]) ||
            a->weight[i] != b->weight[i] || a->month[i] != b->month[i] ||
            a->day[i] != b->day[i] || a->minute[i] != b->minute[i] ||
            a->group[i] != b->group[i] || a->row[i] != b->row[i] ||
            !same_str(a->types, a->type[i], b->types, b->type[i]) ||
            !same_str(a->locations, a->location[i], b->locations, b->location[i]) ||
            !same_str(a->lsoas, a->lsoa[i], b->lsoas, b->lsoa[i]))
            return 0;
    return 1;
}

static int same_report(const hs_ingest_report *a, const hs_ingest_report *b)
{
    if (a->rows_read != b->rows_read || a->rows_kept != b->rows_kept ||
        a->no_location != b->no_location || a->unknown_type != b->unknown_type ||
        a->bad_text != b->bad_text)
        return 0;
    for (int k = 0; k < HS_SKIP_N; k++) {
        if (a->skipped[k] != b->skipped[k])
            return 0;
        for (long e = 0; e < a->skipped[k] && e < HS_INGEST_EXAMPLES; e++)
            if (strcmp(a->example[k][e], b->example[k][e]) != 0)
                return 0;
    }
    return 1;
}

/* As in fuzz_ingest.c, the two readers live for RENEW inputs, so PROJ's
 * transform is built once; both see the same inputs in the same order, so
 * their cumulative reports must stay equal too. */
#define RENEW 500

static hs_incidents *sa, *sb;
static hs_ingest *ia, *ib;
static const hs_ingest_opts split = {.analysis_crs = "EPSG:27700",
                                     .split_min_bytes = 1};
static const hs_ingest_opts whole = {.analysis_crs = "EPSG:27700",
                                     .split_min_bytes = (size_t)-1};

static void drop_readers(void)
{
    hs_ingest_destroy(ia);
    hs_ingest_destroy(ib);
    hs_incidents_destroy(sa);
    hs_incidents_destroy(sb);
    ia = ib = NULL;
    sa = sb = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static long count;
    hs_error err = {0};
    if (count == 0)
        atexit(drop_readers);
    if (count++ % RENEW == 0) {
        drop_readers();
        if (!(sa = hs_incidents_create(&err)) || !(sb = hs_incidents_create(&err)) ||
            !(ia = hs_ingest_create(sa, &split, fz_categories(), &err)) ||
            !(ib = hs_ingest_create(sb, &whole, fz_categories(), &err)))
            abort();
    }
    const char *path = fz_file(data, size, "split.csv");
    hs_error ea = {0}, eb = {0};
    hs_status ra = hs_ingest_file(ia, path, &ea);
    hs_status rb = hs_ingest_file(ib, path, &eb);
    if (ra != rb || (ra != HS_OK && strcmp(ea.msg, eb.msg) != 0) ||
        !same_report(hs_ingest_get_report(ia), hs_ingest_get_report(ib)) ||
        (ra == HS_OK && !same_store(sa, sb)))
        abort();
    hs_ingest_reset(ia); /* the next input starts empty, as a new run */
    hs_ingest_reset(ib);
    return 0;
}
