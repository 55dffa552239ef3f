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
    const hs_ingest_opts opts = {.analysis_crs = "EPSG:27700",
                                 .crs = "EPSG:27700",
                                 .date = "occurred_from",
                                 .end = "occurred_to"};
    hs_incidents *s = fz_ingest(&opts, data, size, "extract.csv");
    for (size_t i = 0; s && i < s->n && s->span; i++)
        if (s->span[i] < -2 ||
            (s->span[i] >= 0 && (s->day[i] <= 0 || s->minute[i] < 0)))
            abort();
    hs_incidents_destroy(s);
    return 0;
}
