/*
 * test_ticker.c - src/core/ticker.c against its rules (ticker.h), with the
 * percents worked by hand from the weights: the weighted mean of the
 * stages' fractions, never going down, 100 at the end; the throttle (first
 * and last of a stage always, at most one a stage every 0.1 s between);
 * calls never concurrent when threads count at once; nothing at all
 * without a callback.
 */
#include "util.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "core/ticker.h"

#define MAXCALLS 4096

typedef struct call {
    const char *stage;
    long done, total;
    double percent;
} call;

static call calls[MAXCALLS];
static size_t ncalls;
static atomic_int inside, overlapped;

static void record(void *user, const hs_progress *p)
{
    (void)user;
    if (atomic_fetch_add(&inside, 1) != 0)
        atomic_store(&overlapped, 1);
    if (ncalls < MAXCALLS)
        calls[ncalls++] = (call){p->stage, p->done, p->total, p->percent};
    atomic_fetch_sub(&inside, 1);
}

static const hs_log LOG = {NULL, NULL, record};

static hs_ticker *t; /* each test's, made and destroyed by the fixture */

static int reset(void **state)
{
    (void)state;
    ncalls = 0;
    atomic_store(&overlapped, 0);
    return 0;
}

static int fresh(void **state)
{
    reset(state);
    t = hs_ticker_create(&LOG);
    return t ? 0 : -1;
}

static int done(void **state)
{
    (void)state;
    hs_ticker_destroy(t);
    t = NULL;
    return 0;
}

/* Call i told stage (NULL: any), done of total and percent (< 0: any). */
static void want(size_t i, const char *stage, long done, long total,
                 double percent)
{
    assert_true(i < ncalls);
    if (stage)
        assert_string_equal(calls[i].stage, stage);
    assert_int_equal(calls[i].done, done);
    assert_int_equal(calls[i].total, total);
    if (percent >= 0 && fabs(calls[i].percent - percent) > 1e-12)
        fail_msg("call %zu: percent %.15g, want %.15g", i, calls[i].percent,
                 percent);
}

static void sleep_s(double s)
{
    struct timespec ts = {0, (long)(s * 1e9)};
    nanosleep(&ts, NULL);
}

static void test_no_callback(void **state)
{
    (void)state;
    const hs_log quiet = {NULL, NULL, NULL};
    assert_null(hs_ticker_create(NULL));
    assert_null(hs_ticker_create(&quiet));
    assert_null(hs_ticker_stage(NULL, "x", 1, 1));
    /* every call takes NULL and does nothing */
    hs_tick_total(NULL, 5);
    hs_tick_start(NULL);
    hs_tick_add(NULL, 1);
    hs_tick_set(NULL, 3);
    hs_tick_end(NULL);
    hs_ticker_finish(NULL);
    hs_ticker_destroy(NULL);
    assert_int_equal(ncalls, 0);
}

/* a weight 1, 4 units; b weight 3, 2 units: a whole is 1/4 of the run,
 * then b's first unit adds 3/4 x 1/2. */
static void test_weighted_percent(void **state)
{
    (void)state;
    hs_tick *a = hs_ticker_stage(t, "a", 1, 4), *b = hs_ticker_stage(t, "b", 3, 2);
    assert_null(hs_ticker_stage(t, "zero", 0, 1)); /* no weight: refused */
    hs_tick_start(a);
    hs_tick_set(a, 4);
    hs_tick_add(b, 1);
    hs_tick_add(b, 1);
    assert_int_equal(ncalls, 4);
    want(0, "a", 0, 4, 0);
    want(1, "a", 4, 4, 25);
    want(2, "b", 1, 2, 62.5);
    want(3, "b", 2, 2, 100);
    /* a whole stage is told no more; finish has nothing left to say */
    hs_tick_add(a, 1);
    hs_ticker_finish(t);
    assert_int_equal(ncalls, 4);
}

/* 100,000 adds in a tight loop: the first and the last are told, and in
 * between at most one per 0.1 s that passed. */
static void test_throttle(void **state)
{
    (void)state;
    hs_tick *s = hs_ticker_stage(t, "rows", 1, 100000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 100000; i++)
        hs_tick_add(s, 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(ncalls >= 2);
    assert_true((double)ncalls <= 2 + secs / 0.1 + 1);
    want(0, "rows", 1, 100000, 0.001);
    want(ncalls - 1, "rows", 100000, 100000, 100);
}

/* A total raised after the stage began lowers its fraction, but the
 * percent told stays where it was. */
static void test_never_down(void **state)
{
    (void)state;
    hs_tick *s = hs_ticker_stage(t, "s", 1, 10);
    hs_tick_set(s, 5); /* first: told, 50% */
    hs_tick_total(s, 20);
    sleep_s(0.11);
    hs_tick_add(s, 1); /* 6/20 = 30%: told as 50 */
    hs_tick_set(s, 2); /* lower: ignored */
    assert_int_equal(ncalls, 2);
    want(0, "s", 5, 10, 50);
    want(1, "s", 6, 20, 50);
}

/* finish: the stage told last says 100, whole; nothing after it.  A stage
 * of unknown total counts 0 until it ends. */
static void test_finish(void **state)
{
    hs_tick *a = hs_ticker_stage(t, "a", 1, 3), *b = hs_ticker_stage(t, "b", 1, 0);
    hs_tick *c = hs_ticker_stage(t, "c", 2, 5);
    (void)c; /* never counted: skipped by the run */
    hs_tick_add(a, 1);
    hs_tick_add(b, 7); /* unknown total */
    assert_int_equal(ncalls, 2);
    want(0, "a", 1, 3, 100.0 / 3 / 4); /* a: 1/3 of 1/4 */
    want(1, "b", 7, 0, 100.0 / 3 / 4); /* unknown: 0 until it ends */
    hs_ticker_finish(t);
    assert_int_equal(ncalls, 3);
    want(2, "b", 7, 7, 100); /* the count is the total */
    hs_tick_add(a, 1);
    hs_tick_end(c);
    assert_int_equal(ncalls, 3);
    /* end on a stage of unknown total: its count becomes the total */
    done(state);
    fresh(state);
    hs_tick *f = hs_ticker_stage(t, "files", 1, 0);
    hs_tick_add(f, 3);
    hs_tick_end(f);
    assert_int_equal(ncalls, 2);
    want(0, "files", 3, 0, 0);
    want(1, "files", 3, 3, 100);
}

typedef struct worker_arg {
    hs_tick *s;
    int n;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *w = p;
    for (int i = 0; i < w->n; i++)
        hs_tick_add(w->s, 1);
    return NULL;
}

/* Four threads count at once: every unit is counted, calls never
 * overlap, done and percent never go down, the last is whole. */
static void test_threads(void **state)
{
    (void)state;
    hs_tick *s = hs_ticker_stage(t, "back-test", 1, 4 * 50000);
    pthread_t th[4];
    worker_arg w = {s, 50000};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, &w), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_false(atomic_load(&overlapped));
    assert_true(ncalls >= 2);
    for (size_t i = 1; i < ncalls; i++) {
        assert_true(calls[i].done >= calls[i - 1].done);
        assert_true(calls[i].percent >= calls[i - 1].percent);
    }
    want(ncalls - 1, "back-test", 200000, 200000, 100);
}

int main(void)
{
#define WITH_TICKER(f) cmocka_unit_test_setup_teardown(f, fresh, done)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_no_callback, reset),
        WITH_TICKER(test_weighted_percent), WITH_TICKER(test_throttle),
        WITH_TICKER(test_never_down), WITH_TICKER(test_finish),
        WITH_TICKER(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
