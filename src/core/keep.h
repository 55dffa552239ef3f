/*
 * keep.h - big working arrays kept from one use to the next (internal).
 *
 * Memory given back to the system and taken again is touched afresh: on
 * the virtual machines this project is measured on, whose host reclaims
 * freed memory, a 2 MiB page's first touch costs ~5 ms, against nothing
 * for memory the process still holds (memory.h).  A stage that runs once
 * a group on arrays of much the same size - the back-test's grids,
 * emerging hot spots' cube (~300 MB a group at 1M incidents) - takes them
 * from one hs_keep instead of malloc and free, and pays the first touch
 * once.
 *
 * Slots: an array per integer slot (0 .. HS_KEEP_SLOTS - 1; the table
 * of slots grows to the highest used), the array grown when a bigger one
 * is asked for (its contents then lost), never shrunk.  Arrays of 2 MiB
 * or more are 2 MiB-aligned and advised to use huge pages (memory.h):
 * with 4 KiB pages the back-test's grids were ~230,000 page faults (2 s
 * of system time) at 1M incidents.
 *
 * Ownership: the caller of hs_keep_create destroys the keep
 * (hs_keep_destroy, NULL is a no-op); an array from hs_keep_get belongs
 * to the keep and is valid until the next hs_keep_get of its slot or
 * hs_keep_destroy.  One thread at a time (even for different slots: the
 * table may grow); the arrays themselves may go to other threads.
 */
#ifndef HOTSPOT_KEEP_H
#define HOTSPOT_KEEP_H

#include <stddef.h>

#define HS_KEEP_SLOTS 4096

typedef struct hs_keep hs_keep;

hs_keep *hs_keep_create(void);
void hs_keep_destroy(hs_keep *k);

/* Slot's array of at least bytes (at least 1), its contents undefined
 * (those of the slot's last array when that was big enough); NULL when
 * out of memory (the slot's old array is then freed) or slot out of
 * range. */
void *hs_keep_get(hs_keep *k, int slot, size_t bytes);

/* For code that runs with a keep or without: k's slot (hs_keep_get), or
 * with k NULL a fresh array the caller hands back to hs_keep_give; zeroed
 * when zero.  NULL when out of memory. */
void *hs_keep_take(hs_keep *k, int slot, size_t bytes, int zero);

/* Frees p when it was fresh (k NULL); a keep's stays.  NULL-safe. */
void hs_keep_give(hs_keep *k, void *p);

#endif
