/* keep.c - big working arrays kept from one use to the next (keep.h). */
#include "core/keep.h"

#include <stdlib.h>
#include <string.h>

#include "core/memory.h"

struct hs_keep {
    void **a;
    size_t *cap;
    size_t n; /* slots in a and cap */
};

hs_keep *hs_keep_create(void)
{
    return calloc(1, sizeof(hs_keep));
}

void hs_keep_destroy(hs_keep *k)
{
    if (!k)
        return;
    for (size_t s = 0; s < k->n; s++)
        free(k->a[s]);
    free(k->a);
    free(k->cap);
    free(k);
}

/* bytes (at least 1), 2 MiB-aligned and on huge pages from 2 MiB. */
static void *fresh(size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    void *p = NULL;
    if (bytes < huge)
        return malloc(bytes ? bytes : 1);
    if (posix_memalign(&p, huge, bytes) != 0)
        return NULL;
    hs_advise_huge(p, bytes);
    return p;
}

/* Room for slot s; 0 when out of memory. */
static int grow(hs_keep *k, size_t s)
{
    if (s < k->n)
        return 1;
    size_t n = k->n ? k->n : 16;
    while (n <= s)
        n *= 2;
    void **a = realloc(k->a, n * sizeof *a);
    if (!a)
        return 0;
    k->a = a;
    size_t *cap = realloc(k->cap, n * sizeof *cap);
    if (!cap)
        return 0;
    k->cap = cap;
    memset(a + k->n, 0, (n - k->n) * sizeof *a);
    memset(cap + k->n, 0, (n - k->n) * sizeof *cap);
    k->n = n;
    return 1;
}

void *hs_keep_get(hs_keep *k, int slot, size_t bytes)
{
    if (!k || slot < 0 || slot >= HS_KEEP_SLOTS || !grow(k, (size_t)slot))
        return NULL;
    bytes = bytes ? bytes : 1;
    if (bytes > k->cap[slot]) {
        /* free, then a fresh one: realloc would copy what no one wants */
        free(k->a[slot]);
        k->cap[slot] = 0;
        if (!(k->a[slot] = fresh(bytes)))
            return NULL;
        k->cap[slot] = bytes;
    }
    return k->a[slot];
}

void *hs_keep_take(hs_keep *k, int slot, size_t bytes, int zero)
{
    void *p = k ? hs_keep_get(k, slot, bytes) : fresh(bytes);
    if (p && zero)
        memset(p, 0, bytes);
    return p;
}

void hs_keep_give(hs_keep *k, void *p)
{
    if (!k)
        free(p);
}
