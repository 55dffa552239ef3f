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

static int reset(void **state)
{
    (void)state;
    ncalls = 0;
    atomic_store(&overlapped, 0);
    return 0;
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
    hs_ticker *t = hs_ticker_create(&LOG);
    assert_non_null(t);
    hs_tick *a = hs_ticker_stage(t, "a", 1, 4), *b = hs_ticker_stage(t, "b", 3, 2);
    assert_null(hs_ticker_stage(t, "zero", 0, 1)); /* no weight: refused */
    hs_tick_start(a);
    hs_tick_set(a, 4);
    hs_tick_add(b, 1);
    hs_tick_add(b, 1);
    assert_int_equal(ncalls, 4);
    assert_string_equal(calls[0].stage, "a");
    assert_int_equal(calls[0].done, 0);
    assert_int_equal(calls[0].total, 4);
    assert_true(calls[0].percent == 0);
    assert_int_equal(calls[1].done, 4);
    assert_true(fabs(calls[1].percent - 25) < 1e-12);
    assert_string_equal(calls[2].stage, "b");
    assert_int_equal(calls[2].done, 1);
    assert_true(fabs(calls[2].percent - 62.5) < 1e-12);
    assert_int_equal(calls[3].done, 2);
    assert_true(calls[3].percent == 100);
    /* a whole stage is told no more; finish has nothing left to say */
    hs_tick_add(a, 1);
    hs_ticker_finish(t);
    assert_int_equal(ncalls, 4);
    hs_ticker_destroy(t);
}

/* 100,000 adds in a tight loop: the first and the last are told, and in
 * between at most one per 0.1 s that passed. */
static void test_throttle(void **state)
{
    (void)state;
    hs_ticker *t = hs_ticker_create(&LOG);
    hs_tick *s = hs_ticker_stage(t, "rows", 1, 100000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 100000; i++)
        hs_tick_add(s, 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(ncalls >= 2);
    assert_true((double)ncalls <= 2 + secs / 0.1 + 1);
    assert_int_equal(calls[0].done, 1);
    assert_int_equal(calls[ncalls - 1].done, 100000);
    assert_true(calls[ncalls - 1].percent == 100);
    hs_ticker_destroy(t);
}

/* A total raised after the stage began lowers its fraction, but the
 * percent told stays where it was. */
static void test_never_down(void **state)
{
    (void)state;
    hs_ticker *t = hs_ticker_create(&LOG);
    hs_tick *s = hs_ticker_stage(t, "s", 1, 10);
    hs_tick_set(s, 5); /* first: told, 50% */
    hs_tick_total(s, 20);
    sleep_s(0.11);
    hs_tick_add(s, 1); /* 6/20 = 30%: told as 50 */
    hs_tick_set(s, 2); /* lower: ignored */
    assert_int_equal(ncalls, 2);
    assert_true(fabs(calls[0].percent - 50) < 1e-12);
    assert_int_equal(calls[1].done, 6);
    assert_int_equal(calls[1].total, 20);
    assert_true(fabs(calls[1].percent - 50) < 1e-12);
    hs_ticker_destroy(t);
}

/* finish: the stage told last says 100, whole; nothing after it. */
static void test_finish(void **state)
{
    (void)state;
    hs_ticker *t = hs_ticker_create(&LOG);
    hs_tick *a = hs_ticker_stage(t, "a", 1, 3), *b = hs_ticker_stage(t, "b", 1, 0);
    hs_tick *c = hs_ticker_stage(t, "c", 2, 5);
    (void)c; /* never counted: skipped by the run */
    hs_tick_add(a, 1);
    hs_tick_add(b, 7); /* unknown total */
    assert_int_equal(ncalls, 2);
    assert_int_equal(calls[1].total, 0);
    assert_true(fabs(calls[1].percent - 100.0 / 3 / 4) < 1e-12); /* a: 1/3 of 1/4 */
    hs_ticker_finish(t);
    assert_int_equal(ncalls, 3);
    assert_string_equal(calls[2].stage, "b");
    assert_int_equal(calls[2].done, 7); /* unknown total: the count */
    assert_int_equal(calls[2].total, 7);
    assert_true(calls[2].percent == 100);
    hs_tick_add(a, 1);
    hs_tick_end(c);
    assert_int_equal(ncalls, 3);
    hs_ticker_destroy(t);
}

/* end on a stage of unknown total: its count becomes the total. */
static void test_end_unknown(void **state)
{
    (void)state;
    hs_ticker *t = hs_ticker_create(&LOG);
    hs_tick *s = hs_ticker_stage(t, "files", 1, 0);
    hs_tick_add(s, 3);
    hs_tick_end(s);
    assert_int_equal(ncalls, 2);
    assert_int_equal(calls[1].done, 3);
    assert_int_equal(calls[1].total, 3);
    assert_true(calls[1].percent == 100);
    hs_ticker_destroy(t);
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
    hs_ticker *t = hs_ticker_create(&LOG);
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
    assert_int_equal(calls[ncalls - 1].done, 200000);
    assert_true(calls[ncalls - 1].percent == 100);
    hs_ticker_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_no_callback, reset),
        cmocka_unit_test_setup(test_weighted_percent, reset),
        cmocka_unit_test_setup(test_throttle, reset),
        cmocka_unit_test_setup(test_never_down, reset),
        cmocka_unit_test_setup(test_finish, reset),
        cmocka_unit_test_setup(test_end_unknown, reset),
        cmocka_unit_test_setup(test_threads, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
