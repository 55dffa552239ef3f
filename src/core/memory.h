/* memory.h - advice for big arrays.
 *
 * A fresh page costs a page fault on first touch.  On the virtual machines
 * this project is measured on a fault costs about 13 us, so touching 64 MB
 * of 4 KiB pages takes 200 ms, against 6-12 ms in 2 MiB transparent huge
 * pages (measured; see scripts/BENCHMARKS.md).  Big arrays - the incident
 * columns, the density grids - are therefore advised to use huge pages
 * where the kernel allows it ("madvise" mode is the Debian default).  The
 * advice changes nothing but speed, and is skipped where unavailable.
 * (Measured again on 2026-12-03, a VM whose host reclaims freed memory: a
 * 4 KiB fault ~1.6 us, a huge page's first touch ~5 ms when reclaimed and
 * ~0.2 ms when not; the 1M run with and without the advice alike within
 * the noise, so it stays.)
 */
#ifndef HS_MEMORY_H
#define HS_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

/* Call after malloc/realloc and before first touch; p may be NULL. */
static inline void hs_advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20, page = 4096;
    if (!p || bytes < 2 * huge)
        return;
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t b = ((uintptr_t)p + bytes) & ~(page - 1);
    if (b > a)
        (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

#endif
