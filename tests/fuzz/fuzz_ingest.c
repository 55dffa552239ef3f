/* fuzz_ingest.c - incident CSVs through hs_ingest_file, the code path of a
 * real run (police.uk and generic headers are both detected from the
 * input; coordinates are transformed to EPSG:27700). */
#include "fuzz.h"

#include "input/categories.h"
#include "input/incidents.h"
#include "input/ingest.h"

/* One ingest reads many inputs, as a run reads many files, so the PROJ
 * transform is built once; it is renewed every RENEW inputs so the
 * store's string pools stay small. */
#define RENEW 500

static hs_incidents *store;
static hs_ingest *in;
static const hs_ingest_opts opts = {.analysis_crs = "EPSG:27700"};

static void release(void)
{
    hs_ingest_destroy(in);
    hs_incidents_destroy(store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static long count;
    hs_error err = {0};
    if (count == 0)
        atexit(release);
    if (count++ % RENEW == 0) {
        hs_ingest_destroy(in);
        hs_incidents_destroy(store);
        if (!(store = hs_incidents_create(&err)) ||
            !(in = hs_ingest_create(store, &opts, fz_categories(), &err)))
            abort();
    }
    const char *path = fz_file(data, size, "incidents.csv");
    hs_ingest_report before = *hs_ingest_get_report(in);
    if (hs_ingest_file(in, path, &err) != HS_OK) {
        fz_check_msg(err.msg, sizeof err.msg);
    } else {
        /* The report adds up: every row read is kept or skipped once, and
         * the store holds exactly the rows kept. */
        const hs_ingest_report *r = hs_ingest_get_report(in);
        long read = r->rows_read - before.rows_read;
        long kept = r->rows_kept - before.rows_kept, skipped = 0;
        for (int i = 0; i < HS_SKIP_N; i++)
            skipped += r->skipped[i] - before.skipped[i];
        if (kept + skipped != read || kept != (long)store->n ||
            r->skipped[HS_SKIP_DUP_FILE] || r->skipped[HS_SKIP_DUP_FM] ||
            r->no_location - before.no_location > kept ||
            r->unknown_type - before.unknown_type > kept)
            abort();
    }
    if (hs_ingest_finish(in, &err) != HS_OK) /* one file: nothing to drop */
        abort();
    /* the next input starts empty, as a new run; the columns are reused */
    hs_ingest_reset(in);
    return 0;
}
