/* ticker.c - a command's progress, throttled and serialised for the
 * caller's hs_progress_fn (see ticker.h). */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/ticker.h"

#define TELL_EVERY 0.1 /* seconds between a stage's calls, at most 10/s */

struct hs_tick {
    hs_ticker *t;
    const char *name;
    double weight;
    long done, total;
    int ended;
    int told;          /* the stage has been told at least once */
    double last;       /* when it was last told (monotonic s)   */
};

struct hs_ticker {
    hs_progress_fn fn;
    void *user;
    pthread_mutex_t lock;
    hs_tick stage[HS_TICKER_MAX_STAGES];
    size_t n;
    double weights;    /* their sum */
    double percent;    /* the last told */
    int finished;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

hs_ticker *hs_ticker_create(const hs_log *log)
{
    if (!log || !log->progress)
        return NULL;
    hs_ticker *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->fn = log->progress;
    t->user = log->user;
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

void hs_ticker_destroy(hs_ticker *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t);
}

hs_tick *hs_ticker_stage(hs_ticker *t, const char *name, double weight,
                         long total)
{
    if (!t || !(weight > 0) || t->n == HS_TICKER_MAX_STAGES)
        return NULL;
    pthread_mutex_lock(&t->lock);
    hs_tick *s = &t->stage[t->n++];
    *s = (hs_tick){.t = t, .name = name, .weight = weight,
                   .total = total > 0 ? total : 0};
    t->weights += weight;
    pthread_mutex_unlock(&t->lock);
    return s;
}

static double fraction(const hs_tick *s)
{
    if (s->total > 0)
        return s->done >= s->total ? 1.0 : (double)s->done / (double)s->total;
    return s->ended ? 1.0 : 0.0;
}

/* Under the lock: tells s's state if the rules (ticker.h) say so. */
static void tell(hs_tick *s, int force)
{
    hs_ticker *t = s->t;
    double now = now_s();
    int whole = s->ended || (s->total > 0 && s->done >= s->total);
    if (t->finished || (s->told && !force && !whole &&
                        now - s->last < TELL_EVERY))
        return;
    double sum = 0;
    for (size_t i = 0; i < t->n; i++)
        sum += t->stage[i].weight * fraction(&t->stage[i]);
    double p = t->weights > 0 ? 100.0 * sum / t->weights : 0;
    if (p > 100)
        p = 100;
    if (p > t->percent)
        t->percent = p;
    s->told = 1;
    s->last = now;
    hs_progress pr = {s->name, s->done, s->total, t->percent};
    t->fn(t->user, &pr);
}

void hs_tick_total(hs_tick *s, long total)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->t->lock);
    s->total = total > 0 ? total : 0;
    if (s->done > s->total && s->total > 0)
        s->done = s->total;
    pthread_mutex_unlock(&s->t->lock);
}

void hs_tick_start(hs_tick *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->t->lock);
    if (!s->told)
        tell(s, 1);
    pthread_mutex_unlock(&s->t->lock);
}

/* Under the lock: done raised to v (at most the total), told if due. */
static void raise_to(hs_tick *s, long v)
{
    if (s->total > 0 && v > s->total)
        v = s->total;
    if (v <= s->done && s->told)
        return;
    int was_whole = s->total > 0 && s->done >= s->total && s->told;
    if (v > s->done)
        s->done = v;
    if (!was_whole)
        tell(s, 0);
}

void hs_tick_add(hs_tick *s, long n)
{
    if (!s || n <= 0)
        return;
    pthread_mutex_lock(&s->t->lock);
    raise_to(s, s->done + n);
    pthread_mutex_unlock(&s->t->lock);
}

void hs_tick_set(hs_tick *s, long done)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->t->lock);
    raise_to(s, done);
    pthread_mutex_unlock(&s->t->lock);
}

void hs_tick_end(hs_tick *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->t->lock);
    if (!s->ended) {
        int was_whole = s->total > 0 && s->done >= s->total && s->told;
        if (s->total > 0)
            s->done = s->total;
        else
            s->total = s->done;
        s->ended = 1;
        if (!was_whole)
            tell(s, 1);
    }
    pthread_mutex_unlock(&s->t->lock);
}

void hs_ticker_finish(hs_ticker *t)
{
    if (!t || t->n == 0)
        return;
    pthread_mutex_lock(&t->lock);
    hs_tick *last = NULL;
    for (size_t i = 0; i < t->n; i++) {
        hs_tick *s = &t->stage[i];
        if (s->total > 0)
            s->done = s->total;
        else
            s->total = s->done;
        s->ended = 1;
        if (s->told && (!last || s->last >= last->last))
            last = s; /* the stage told last: its line ends the run */
    }
    if (t->percent < 100) {
        tell(last ? last : &t->stage[t->n - 1], 1);
    }
    t->finished = 1;
    pthread_mutex_unlock(&t->lock);
}
