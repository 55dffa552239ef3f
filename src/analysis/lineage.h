/*
 * lineage.h - hotspots followed from one run to the next (--previous):
 * which of this run's hotspots continue which of the previous run's, the
 * id number each keeps or gets, and what happened to it (internal; pure
 * arithmetic on areas, no geometry and no I/O).
 *
 * Inputs: this run's n hotspots ("new", index i, in rank order) with
 * areas a_i; the previous run's m hotspots ("old", index j, in the order
 * of its layer) with areas b_j, id numbers num_j (the integer after the
 * last '-' of the id: VIO-07 is 7), first_seen_j (a month, year * 12 +
 * month - 1) and months_seen_j; the overlaps o_ij (area of the
 * intersection, any order, each pair at most once; pairs not listed do
 * not overlap); last_id, the highest id number ever issued for the group
 * before this run; now, this run's month.  Areas in any one unit: the
 * rules compare only ratios, so the m² of geography/overlap.h (a_i, b_j
 * from its area_a, area_b, measured the same way as o_ij) serve as they
 * are.
 *
 * The rules, exactly:
 *
 *  - Link.  New i and old j are linked when o_ij >= HS_LINEAGE_LINK x
 *    min(a_i, b_j): the intersection covers at least a quarter of the
 *    smaller of the two (the product in double; 0.25 x is exact, so a
 *    quarter exactly links).  L(i) = the olds linked to i, L'(j) = the
 *    news linked to j.
 *  - Ids.  The linked pairs sorted by o_ij descending, ties by j
 *    ascending, then by i ascending; in that order, new i takes old j's
 *    number when i has no number yet and j's number has not been given.
 *    So of two pieces of a split old, the one sharing more area with it
 *    keeps its number; of two olds merged into one new, the one sharing
 *    more area gives its number.  Then every new left without a number
 *    gets a fresh one, last_id + 1, last_id + 2, ... in index (rank)
 *    order, so a number once issued is never issued again, even for a
 *    hotspot that ceased long ago.  last_id out = the highest number
 *    issued so far (last_id in when no fresh number was needed).
 *  - Status of new i.  |L(i)| = 0: HS_LIN_NEW.  |L(i)| >= 2:
 *    HS_LIN_MERGED.  |L(i)| = 1, L(i) = {j}, and |L'(j)| >= 2:
 *    HS_LIN_SPLIT (every piece of the split, the one keeping the number
 *    too).  Otherwise (one to one): HS_LIN_GROWN when a_i >=
 *    HS_LINEAGE_GROWN x b_j, HS_LIN_SHRUNK when a_i <= HS_LINEAGE_SHRUNK
 *    x b_j, else HS_LIN_PERSISTING (products in double).
 *  - first_seen of new i: the earliest first_seen_j over L(i); now when
 *    L(i) is empty.  months_seen: 1 + the largest months_seen_j over
 *    L(i); 1 when L(i) is empty.  (So a hotspot counts the months of its
 *    longest-lived ancestor, plus this one; a merged or split hotspot
 *    keeps the history of all its ancestors, whichever number it got.)
 *  - Ceased: old j with no link at all (L'(j) empty).  An old absorbed
 *    into a merge without keeping its number is not ceased: it merged.
 *
 * Checks (HS_ERR_ARG, naming the hotspot or the pair): every area finite
 * and > 0 (a_i, b_j, o_ij); pair indices i < n and j < m; a pair listed
 * twice; 1 <= months_seen_j < INT32_MAX; num_j >= 0, no two olds with
 * one number; last_id >= 0 and >= every num_j (else a fresh number could
 * repeat an old one); last_id + n must not overflow a long.
 *
 * Cost: O(P log P + n + m) for P pairs.  No shared state.
 *
 * Ownership: the caller owns *out (hs_lineage_free: zeroes it, NULL ok);
 * the inputs are borrowed for the call only.  On error *out is empty.
 */
#ifndef HOTSPOT_LINEAGE_H
#define HOTSPOT_LINEAGE_H

#include <stddef.h>
#include <stdint.h>

#include "geography/overlap.h"
#include "hotspot/hs_error.h"

#define HS_LINEAGE_LINK 0.25  /* of the smaller area: linked            */
#define HS_LINEAGE_GROWN 1.25 /* a_i >= this x b_j: grown                */
#define HS_LINEAGE_SHRUNK 0.8 /* a_i <= this x b_j: shrunk               */

typedef enum hs_lineage_status {
    HS_LIN_NEW,        /* linked to no old                          */
    HS_LIN_PERSISTING, /* one to one, area within 0.8x..1.25x       */
    HS_LIN_GROWN,      /* one to one, a_i >= 1.25 b_j               */
    HS_LIN_SHRUNK,     /* one to one, a_i <= 0.8 b_j                */
    HS_LIN_MERGED,     /* linked to two or more olds                */
    HS_LIN_SPLIT       /* its one old is linked to two or more news */
} hs_lineage_status;

/* One of the previous run's hotspots. */
typedef struct hs_lineage_old {
    double area;         /* b_j > 0, the unit of a_i and o_ij        */
    long num;            /* its id number, >= 0                      */
    int32_t first_seen;  /* month: year * 12 + month - 1             */
    int32_t months_seen; /* >= 1                                     */
} hs_lineage_old;

/* What became of one of this run's hotspots. */
typedef struct hs_lineage_new {
    long num;                 /* its id number, kept or fresh            */
    long from;                /* the old whose number it kept, -1: fresh */
    hs_lineage_status status;
    int32_t first_seen;       /* month                                   */
    int32_t months_seen;      /* >= 1                                    */
} hs_lineage_new;

typedef struct hs_lineage {
    hs_lineage_new *v;      /* n, in the news' order (NULL when n is 0) */
    size_t n;
    unsigned char *ceased;  /* m flags, 1: ceased (NULL when m is 0)    */
    size_t m;
    long last_id;           /* the highest number issued, this run too  */
} hs_lineage;

/*
 * The lineage of new[0..n) (areas a) from old[0..m), given the overlaps
 * pairs[0..npairs) (i indexes a, j old; area o_ij in the unit of a and b).
 */
hs_status hs_lineage_compute(const double *a, size_t n,
                             const hs_lineage_old *old, size_t m,
                             const hs_overlap *pairs, size_t npairs,
                             long last_id, int32_t now, hs_lineage *out,
                             hs_error *err);

void hs_lineage_free(hs_lineage *l); /* NULL is a no-op; zeroes *l */

/* "new", "persisting", "grown", "shrunk", "merged", "split"; "?" for a
 * value outside the enum. */
const char *hs_lineage_status_name(hs_lineage_status s);

#endif
