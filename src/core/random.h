/*
 * random.h - splitmix64 (Steele, Lea & Flood 2014), the generator of the
 * permutation tests (Gi*, local Moran): small, fast, and the same stream
 * on every platform for a given seed, so a run can be repeated exactly.
 * Header only.
 */
#ifndef HOTSPOT_RANDOM_H
#define HOTSPOT_RANDOM_H

#include <stdint.h>

/* splitmix64's output function: a 64-bit mix, also used to derive seeds. */
static inline uint64_t hs_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* The next value of the stream whose state is *s. */
static inline uint64_t hs_next64(uint64_t *s)
{
    return hs_mix64(*s += 0x9E3779B97F4A7C15u);
}

/* A uniform integer in [0, n) from one draw (Lemire's multiply-shift:
 * bias below n / 2^64). */
static inline uint64_t hs_below64(uint64_t *s, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)hs_next64(s) * n) >> 64);
}

#endif
