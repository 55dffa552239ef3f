/*
 * pool.h - interned strings (internal).
 *
 * Incidents repeat the same few thousand strings (crime types, Location
 * labels, LSOA codes, file names) millions of times; each is stored once and
 * referred to by a dense int id (0, 1, 2, ... in order of first sight, so ids
 * are reproducible for the same input order).
 *
 * Ownership: the caller owns the pool (hs_pool_destroy, NULL is a no-op);
 * strings returned by hs_pool_str are owned by the pool.
 */
#ifndef HOTSPOT_POOL_H
#define HOTSPOT_POOL_H

#include <stddef.h>

typedef struct hs_pool hs_pool;

hs_pool *hs_pool_create(void);
void hs_pool_destroy(hs_pool *p);

/* Returns the id of s[0..len) (adding it if new), or -1 if out of memory. */
int hs_pool_intern(hs_pool *p, const char *s, size_t len);

/* Returns the id of s or -1 if absent; does not add. */
int hs_pool_find(const hs_pool *p, const char *s, size_t len);

/* The string with this id, or "" for an id out of range. */
const char *hs_pool_str(const hs_pool *p, int id);

size_t hs_pool_count(const hs_pool *p);

#endif
