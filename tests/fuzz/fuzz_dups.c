/* fuzz_dups.c - duplicates and damaged text across files: the input is cut
 * into up to three files at each "\n--8<--\n", read in order by one ingest
 * and resolved by hs_ingest_finish.  The first byte picks the rule (last,
 * first, keep) and whether --id incident_ref is given.  Checked: the report
 * adds up (every row read is kept or skipped once; the store holds the
 * rows kept; the sources' counts sum to the report's); after last or first
 * no police.uk force-month comes from two files and no crime reference is
 * kept twice, and keep drops nothing; every text kept is valid UTF-8. */
#include "fuzz.h"

#include "core/pool.h"
#include "input/categories.h"
#include "input/incidents.h"
#include "input/ingest.h"

#define CUT "\n--8<--\n"
#define MAX_FILES 3

/* 1 if s is valid UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF): written here again, not taken from ingest.c, so the check is
 * independent of the code it checks. */
static int utf8_ok(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s, n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1
                   : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
        if (n == 9 || (n == 1 && c < 0xc2))
            return 0;
        unsigned cp = n ? c & (0x3f >> n) : c;
        for (unsigned i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        s += n + 1;
    }
    return 1;
}

/* The files of one input stay until the next input: an identical file is
 * found by hashing an earlier one again.  fz_file makes the folder. */
static char paths[MAX_FILES][300];

static void remove_files(void)
{
    for (int i = 0; i < MAX_FILES; i++)
        if (*paths[i])
            unlink(paths[i]);
}

static const char *put(int i, const char *data, size_t n)
{
    if (!*paths[0]) {
        fz_file((const uint8_t *)"", 0, "dir");
        atexit(remove_files); /* before fz_cleanup removes the folder */
    }
    snprintf(paths[i], sizeof paths[i], "%s/f%d.csv", fz_dir, i);
    FILE *f = fopen(paths[i], "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0)
        abort();
    return paths[i];
}

static int pool_utf8_ok(const hs_pool *p)
{
    for (size_t i = 0; i < hs_pool_count(p); i++)
        if (!utf8_ok((const unsigned char *)hs_pool_str(p, (int)i)))
            return 0;
    return 1;
}

/* One ingest per choice of rule and --id, reused (hs_ingest_reset) so the
 * PROJ transform is built once; renewed every RENEW inputs so the string
 * pools stay small. */
#define RENEW 500
static hs_ingest_opts opts[6];
static hs_incidents *stores[6];
static hs_ingest *ingests[6];

static void release(void)
{
    for (int i = 0; i < 6; i++) {
        hs_ingest_destroy(ingests[i]);
        hs_incidents_destroy(stores[i]);
        ingests[i] = NULL;
        stores[i] = NULL;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static long count;
    if (size < 1)
        return 0;
    hs_error err = {0};
    if (count == 0)
        atexit(release);
    if (count++ % RENEW == 0) {
        release();
        for (int i = 0; i < 6; i++) {
            opts[i] = (hs_ingest_opts){.analysis_crs = "EPSG:27700",
                                       .duplicates = (hs_dup_rule)(i % 3),
                                       .id = i >= 3 ? "incident_ref" : NULL};
            if (!(stores[i] = hs_incidents_create(&err)) ||
                !(ingests[i] = hs_ingest_create(stores[i], &opts[i],
                                                fz_categories(), &err)))
                abort();
        }
    }
    int pick = data[0] % 3 + (data[0] & 4 ? 3 : 0);
    const hs_ingest_opts o = opts[pick];
    hs_incidents *s = stores[pick];
    hs_ingest *in = ingests[pick];
    hs_ingest_reset(in);
    hs_ingest_report before = *hs_ingest_get_report(in);
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    hs_status rc = HS_OK;
    for (int f = 0; f < MAX_FILES && p <= end && !rc; f++) {
        const char *cut = NULL;
        for (const char *q = p; f + 1 < MAX_FILES && q + sizeof CUT - 1 <= end; q++)
            if (memcmp(q, CUT, sizeof CUT - 1) == 0) {
                cut = q;
                break;
            }
        size_t n = (size_t)((cut ? cut : end) - p);
        rc = hs_ingest_file(in, put(f, p, n), &err);
        if (!cut)
            break;
        p = cut + sizeof CUT - 1;
    }
    if (!rc)
        rc = hs_ingest_finish(in, &err);
    if (rc) {
        fz_check_msg(err.msg, sizeof err.msg);
        goto done;
    }
    /* this input's counts: the report's, less those before it */
    hs_ingest_report now = *hs_ingest_get_report(in), *r = &now;
    r->rows_read -= before.rows_read;
    r->rows_kept -= before.rows_kept;
    r->no_location -= before.no_location;
    r->unknown_type -= before.unknown_type;
    long skipped = 0, kept = 0, dups = 0;
    for (int k = 0; k < HS_SKIP_N; k++)
        skipped += r->skipped[k] -= before.skipped[k];
    size_t ns;
    const hs_ingest_source *src = hs_ingest_sources(in, &ns);
    for (size_t i = 0; i < ns; i++)
        kept += src[i].rows_kept, dups += src[i].duplicates;
    long dropped = r->skipped[HS_SKIP_DUP_FILE] + r->skipped[HS_SKIP_DUP_FM] +
                   r->skipped[HS_SKIP_DUP_ID];
    if (r->rows_kept + skipped != r->rows_read || r->rows_kept != (long)s->n ||
        kept != r->rows_kept || dups != dropped ||
        r->no_location > r->rows_kept || r->unknown_type > r->rows_kept ||
        (o.duplicates == HS_DUP_KEEP && dropped != 0))
        abort();
    if (o.duplicates != HS_DUP_KEEP && s->key) {
        /* each key: one file (force-month) or one row (reference) left */
        size_t nk = hs_pool_count(s->keys);
        int32_t *seen = malloc((nk + 1) * sizeof *seen);
        if (!seen)
            abort();
        for (size_t k = 0; k < nk; k++)
            seen[k] = -1;
        for (size_t i = 0; i < s->n; i++) {
            int32_t k = s->key[i];
            if (k < 0)
                continue;
            int fm = hs_pool_str(s->keys, k)[0] == 'f';
            if (seen[k] >= 0 && (!fm || seen[k] != s->file[i]))
                abort();
            seen[k] = s->file[i];
        }
        free(seen);
    }
    if (!pool_utf8_ok(s->types) || !pool_utf8_ok(s->locations) ||
        !pool_utf8_ok(s->lsoas))
        abort();
done:
    return 0;
}
