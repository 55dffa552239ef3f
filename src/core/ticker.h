/*
 * ticker.h - a command's progress, told to the caller's hs_progress_fn
 * (hs_error.h) (internal).
 *
 * The job plans its stages before any work, each with a weight (its usual
 * share of the time, any unit) and, when known, a total of units; the
 * analysis loops and the writers then count units done, from any thread.
 * The rules, exactly:
 *
 *  - Stage fraction.  min(done, total) / total; with total 0 (unknown),
 *    0 until the stage ends and 1 after.  A stage's done never goes down:
 *    hs_tick_set to a smaller value is ignored.
 *  - Percent.  100 * sum(weight * fraction) / sum(weight) over the planned
 *    stages, and never below the last percent told (a total raised after
 *    the stage began cannot make it go back).  hs_ticker_finish makes
 *    every stage whole: the last call says 100.
 *  - Calls.  A change is told when it is the stage's first, when the
 *    stage reaches its total (or ends), or when 0.1 s have passed since
 *    the stage was last told; other changes are counted silently.  Calls
 *    are made under the ticker's lock, one at a time.
 *  - Cost.  Without a progress callback hs_ticker_create returns NULL and
 *    every other call takes NULL and does nothing: a run without progress
 *    pays one pointer test a call.  With one, a call takes a lock and
 *    reads the monotonic clock: call them per task, file, group or block
 *    of rows, not per point.
 *
 * Ownership: the caller owns the ticker (hs_ticker_destroy, NULL ok); the
 * stages (hs_tick) belong to it and die with it.  Stage names must be
 * static strings.
 */
#ifndef HOTSPOT_TICKER_H
#define HOTSPOT_TICKER_H

#include "hotspot/hs_error.h"

#define HS_TICKER_MAX_STAGES 16

typedef struct hs_ticker hs_ticker;
typedef struct hs_tick hs_tick; /* one stage of a ticker */

/* NULL when log is NULL or has no progress callback (or out of memory:
 * progress is then simply not shown). */
hs_ticker *hs_ticker_create(const hs_log *log);
void hs_ticker_destroy(hs_ticker *t);

/* Plans a stage (before any is counted; at most HS_TICKER_MAX_STAGES).
 * NULL for a NULL ticker, weight <= 0 or too many stages. */
hs_tick *hs_ticker_stage(hs_ticker *t, const char *name, double weight,
                         long total);

/* Sets the stage's total (units), once it is known. */
void hs_tick_total(hs_tick *s, long total);

/* Tells the stage has begun (done 0), so a display names it at once. */
void hs_tick_start(hs_tick *s);

/* Adds n units done; thread-safe. */
void hs_tick_add(hs_tick *s, long n);

/* Raises done to at least done (a job settling a stage's count). */
void hs_tick_set(hs_tick *s, long done);

/* The stage is over: done = total (total = done if it was unknown). */
void hs_tick_end(hs_tick *s);

/* The command succeeded: every stage ends and the last call says 100. */
void hs_ticker_finish(hs_ticker *t);

#endif
