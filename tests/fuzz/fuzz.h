/*
 * fuzz.h - shared by the libFuzzer harnesses in tests/fuzz/.
 *
 * Each harness defines LLVMFuzzerTestOneInput and nothing else.  Built with
 * clang -fsanitize=fuzzer (HOTSPOT_FUZZ=ON) libFuzzer supplies main();
 * in the normal build replay.c supplies one that runs saved inputs, so
 * ctest replays the seeds and every saved crash under ASan + UBSan.
 *
 * The parsers that read files (ingest, profiles, population tables) are
 * fed through a real file, so the harness exercises the same code path as
 * a run: fz_file() writes the input to a per-process temporary folder,
 * removed at exit.
 */
#ifndef HOTSPOT_FUZZ_H
#define HOTSPOT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input/categories.h"
#include "input/incidents.h"
#include "input/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir[256];
static char fz_path[300];

static void fz_cleanup(void)
{
    if (*fz_path)
        unlink(fz_path);
    if (*fz_dir)
        rmdir(fz_dir);
}

/* Writes data to <tmpdir>/<name> and returns that path (static storage).
 * Aborts if it cannot: a harness that silently tests nothing is worse. */
static inline const char *fz_file(const uint8_t *data, size_t size,
                                  const char *name)
{
    if (!*fz_dir) {
        const char *t = getenv("TMPDIR");
        snprintf(fz_dir, sizeof fz_dir, "%s/hotspot-fuzz-XXXXXX",
                 t && *t ? t : "/tmp");
        if (!mkdtemp(fz_dir))
            abort();
        atexit(fz_cleanup);
    }
    if (*fz_path)
        unlink(fz_path);
    snprintf(fz_path, sizeof fz_path, "%s/%s", fz_dir, name);
    FILE *f = fopen(fz_path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
    return fz_path;
}

/* The category mapping the incident harnesses read with: police.uk
 * types and Home Office codes in three groups.  Loaded at the first call,
 * freed at exit. */
static hs_categories *fz_cats_loaded;

static void fz_cats_free(void)
{
    hs_categories_destroy(fz_cats_loaded);
}

static inline const hs_categories *fz_categories(void)
{
    static const char cats[] = "value,group,note\n"
                               "Anti-social behaviour,asb,\n"
                               "Burglary,sac,\n"
                               "Violence and sexual offences,violence,\n"
                               "28E,sac,\n"
                               "8N,violence,\n";
    if (!fz_cats_loaded) {
        hs_error err = {0};
        if (!(fz_cats_loaded = hs_categories_load_mem(cats, sizeof cats - 1,
                                                      "cats", &err)))
            abort();
        atexit(fz_cats_free);
    }
    return fz_cats_loaded;
}

/* Every error a parser returns must carry a terminated, non-empty message. */
static inline void fz_check_msg(const char *msg, size_t cap)
{
    if (!memchr(msg, '\0', cap) || !*msg)
        abort();
}

/* Reads data as incident file `name` with opts: an error must have a
 * message; otherwise every row read is kept or skipped once, and the
 * store holds exactly the ones kept.  Returns the store (the caller
 * destroys it) or NULL when the file was refused. */
static inline hs_incidents *fz_ingest(const hs_ingest_opts *opts,
                                      const uint8_t *data, size_t size,
                                      const char *name)
{
    hs_error err = {0};
    hs_incidents *s = hs_incidents_create(&err);
    hs_ingest *in = s ? hs_ingest_create(s, opts, fz_categories(), &err) : NULL;
    if (!in)
        abort();
    if (hs_ingest_file(in, fz_file(data, size, name), &err) != HS_OK) {
        fz_check_msg(err.msg, sizeof err.msg);
        hs_incidents_destroy(s);
        s = NULL;
    } else {
        const hs_ingest_report *r = hs_ingest_get_report(in);
        long skipped = 0;
        for (int i = 0; i < HS_SKIP_N; i++)
            skipped += r->skipped[i];
        if (r->rows_kept + skipped != r->rows_read || r->rows_kept != (long)s->n)
            abort();
    }
    hs_ingest_destroy(in);
    return s;
}

#endif
