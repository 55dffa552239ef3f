/* pool.c - interned strings: an open-addressing hash of ids (see pool.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"

struct hs_pool {
    char **str;     /* id -> string                  */
    size_t *len;    /* id -> length                  */
    size_t n, cap;  /* ids used / allocated          */
    int *slot;      /* hash slots: id + 1, 0 = empty */
    size_t nslot;   /* power of two                  */
};

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a: short keys, good enough */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

hs_pool *hs_pool_create(void)
{
    hs_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->nslot = 64;
    p->slot = calloc(p->nslot, sizeof *p->slot);
    if (!p->slot) {
        free(p);
        return NULL;
    }
    return p;
}

void hs_pool_destroy(hs_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->str[i]);
    free(p->str);
    free(p->len);
    free(p->slot);
    free(p);
}

static size_t probe(const hs_pool *p, const char *s, size_t len)
{
    size_t mask = p->nslot - 1;
    size_t i = (size_t)hash_bytes(s, len) & mask;
    for (;;) {
        int v = p->slot[i];
        if (v == 0)
            return i;
        size_t id = (size_t)v - 1;
        if (p->len[id] == len && memcmp(p->str[id], s, len) == 0)
            return i;
        i = (i + 1) & mask;
    }
}

int hs_pool_find(const hs_pool *p, const char *s, size_t len)
{
    int v = p->slot[probe(p, s, len)];
    return v - 1;
}

static int grow(hs_pool *p)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        char **str = realloc(p->str, cap * sizeof *str);
        if (!str)
            return -1;
        p->str = str;
        size_t *len = realloc(p->len, cap * sizeof *len);
        if (!len)
            return -1;
        p->len = len;
        p->cap = cap;
    }
    if ((p->n + 1) * 2 > p->nslot) { /* keep load <= 1/2 */
        size_t nslot = p->nslot * 2;
        int *slot = calloc(nslot, sizeof *slot);
        if (!slot)
            return -1;
        free(p->slot);
        p->slot = slot;
        p->nslot = nslot;
        for (size_t id = 0; id < p->n; id++)
            p->slot[probe(p, p->str[id], p->len[id])] = (int)id + 1;
    }
    return 0;
}

int hs_pool_intern(hs_pool *p, const char *s, size_t len)
{
    size_t i = probe(p, s, len);
    if (p->slot[i])
        return p->slot[i] - 1;
    if (p->n >= INT32_MAX - 1 || grow(p) != 0)
        return -1;
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    int id = (int)p->n;
    p->str[p->n] = copy;
    p->len[p->n] = len;
    p->n++;
    p->slot[probe(p, s, len)] = id + 1; /* probe again: grow may rehash */
    return id;
}

const char *hs_pool_str(const hs_pool *p, int id)
{
    if (id < 0 || (size_t)id >= p->n)
        return "";
    return p->str[id];
}

size_t hs_pool_count(const hs_pool *p) { return p->n; }
