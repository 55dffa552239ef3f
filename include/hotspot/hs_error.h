/*
 * hs_error.h - the one error type of the Hotspot library.
 *
 * Every fallible call takes an hs_error * (may be NULL) and returns an
 * hs_status or NULL.  On failure the message names the operation and the
 * input ("incidents 'jan.csv' line 12, field Longitude: not a number").
 * Library code never prints and never exits; the CLI decides what to show.
 */
#ifndef HOTSPOT_HS_ERROR_H
#define HOTSPOT_HS_ERROR_H

typedef enum hs_status {
    HS_OK = 0,
    HS_ERR_ARG,   /* caller or user passed something invalid           */
    HS_ERR_NOMEM, /* allocation failed                                 */
    HS_ERR_IO,    /* a file could not be opened, read or written       */
    HS_ERR_DATA,  /* an input file's content is unusable               */
    HS_ERR_CRS,   /* PROJ could not build or run a transformation      */
    HS_ERR_GEOM,  /* GEOS rejected or failed on a geometry             */
    HS_ERR_DB     /* a GeoPackage/SQLite statement failed              */
} hs_status;

typedef struct hs_error {
    hs_status code;
    char msg[1024]; /* "what we were doing: why it failed" */
} hs_error;

/* Sets err (if not NULL) and returns code, so callers can `return hs_fail(...)`. */
hs_status hs_fail(hs_error *err, hs_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears err to HS_OK with an empty message. NULL is a no-op. */
void hs_error_clear(hs_error *err);

/* "HS_ERR_IO" etc.; never NULL. */
const char *hs_status_name(hs_status code);

/*
 * Warnings (a repaired polygon, rows skipped, a small bandwidth) go to a
 * callback the caller supplies, so the library never prints.  msg is only
 * valid during the call.  A NULL callback discards warnings.  Warnings can
 * come from the library's worker threads, so fn must be safe to call from
 * any thread (one fprintf per message is).
 */
typedef void (*hs_log_fn)(void *user, const char *msg);

/*
 * Progress of a long command (hs_run, hs_kde_run, hs_evaluate,
 * hs_report_run), for a display: which stage is working and how far it
 * has got.
 *   stage    a short lowercase name, static ("incidents", "areas",
 *            "assignment", "rates", "lisa", "back-test", "density",
 *            "gistar", "emerging", "zones", "counting", "writing",
 *            "reading", "report"); stages can overlap (the run computes
 *            Gi* and writes the file on threads beside the surfaces)
 *   done     units finished in the stage (files, groups, windows x
 *            bandwidths, grid rows, layers, PDFs), 0 <= done <= total
 *   total    units in the stage; 0 if unknown
 *   percent  the whole command's estimated progress, 0 to 100: each
 *            stage's share of done/total weighted by its usual share of
 *            the time; never decreases from one call to the next, and
 *            is 100 on the last call of a command that succeeds
 * Calls are throttled by the library (each stage's first and last, and
 * otherwise at most one a stage every 0.1 s) and never concurrent: they
 * may come from any of the library's threads, one at a time, so fn needs
 * no lock of its own (but must not call back into the library).  p and
 * its stage are valid only during the call.
 */
typedef struct hs_progress {
    const char *stage;
    long done, total;
    double percent;
} hs_progress;

typedef void (*hs_progress_fn)(void *user, const hs_progress *p);

/* What the library tells its caller while it works.  user is passed to
 * both callbacks; either may be NULL. */
typedef struct hs_log {
    hs_log_fn fn;            /* warnings and notes                 */
    void *user;
    hs_progress_fn progress; /* NULL: no progress is tracked (free) */
} hs_log;

/* Formats a warning and passes it to log (NULL or log->fn NULL: dropped). */
void hs_warn(const hs_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same for a note: something done as asked or as the data said, worth
 * knowing but not a problem.  The message passed starts with "note: ". */
void hs_note(const hs_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
