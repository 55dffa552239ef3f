/* fuzz_span.c - incident CSVs with a window (--start-time occurred_from
 * --end-time occurred_to) through hs_ingest_file: the end column's parser
 * and the span it gives.  Properties: every row read is kept or skipped
 * once; a span is a number of minutes (>= 0), -1 (no end) or -2 (an end
 * before the start); a span >= 0 belongs to a row with a start time. */
#include "fuzz.h"

#include "input/categories.h"
#include "input/incidents.h"
#include "input/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_error err = {0};
    const hs_ingest_opts opts = {.analysis_crs = "EPSG:27700",
                                 .crs = "EPSG:27700",
                                 .date = "occurred_from",
                                 .end = "occurred_to"};
    hs_incidents *s = hs_incidents_create(&err);
    hs_ingest *in = s ? hs_ingest_create(s, &opts, fz_categories(), &err) : NULL;
    if (!in)
        abort();
    const char *path = fz_file(data, size, "extract.csv");
    if (hs_ingest_file(in, path, &err) != HS_OK) {
        fz_check_msg(err.msg, sizeof err.msg);
    } else {
        const hs_ingest_report *r = hs_ingest_get_report(in);
        long skipped = 0;
        for (int i = 0; i < HS_SKIP_N; i++)
            skipped += r->skipped[i];
        if (r->rows_kept + skipped != r->rows_read || r->rows_kept != (long)s->n)
            abort();
        for (size_t i = 0; i < s->n && s->span; i++)
            if (s->span[i] < -2 ||
                (s->span[i] >= 0 && (s->day[i] <= 0 || s->minute[i] < 0)))
                abort();
    }
    hs_ingest_destroy(in);
    hs_incidents_destroy(s);
    return 0;
}
