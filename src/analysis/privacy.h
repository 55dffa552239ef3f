/*
 * privacy.h - disclosure control for release-safe outputs (--public).
 *
 * Rules (README "Public outputs", DESIGN-NOTES section 6):
 *  - primary: any count under the threshold T (zeros included) is
 *    suppressed, with every field derived from it;
 *  - secondary: within each set whose total can be worked out (the areas
 *    of a group; the areas with a population, whose total study_rate
 *    reveals; the months of one area), more cells are suppressed, the
 *    smallest first, until none or at least two are suppressed and they
 *    hold at least T together, so "total minus published" gives neither
 *    one cell nor a small number;
 *  - the study rate is suppressed when the study total is under T.
 *
 * Marks: 0 published, HS_SUP_PRIMARY, HS_SUP_SECONDARY.
 * Ownership: hs_privacy_destroy frees an hs_privacy (NULL ok).
 */
#ifndef HOTSPOT_PRIVACY_H
#define HOTSPOT_PRIVACY_H

#include <stddef.h>

#include "analysis/aggregate.h"
#include "hotspot/hs_error.h"
#include "hotspot/hs_run.h"
#include "input/categories.h"
#include "input/incidents.h"

#define HS_SUP_PRIMARY 1
#define HS_SUP_SECONDARY 2
#define HS_PUBLIC_THRESHOLD 10 /* ONS's rule of thumb (DESIGN-NOTES 6) */

/* Marks v[i] (for in[i] != 0, or all if in is NULL) under t as primary,
 * then adds secondary marks as above.  Existing marks are kept.  Counts
 * may be sums of --when shares (when.h): a count is under t as a real
 * number (9.5 < 10 is suppressed). */
void hs_suppress(const double *v, const unsigned char *in, size_t n, long t,
                 unsigned char *mark);

typedef struct hs_privacy {
    long threshold;
    size_t ngroups, nareas;
    unsigned char *cur;  /* [g * nareas + a]: the period's count          */
    unsigned char *prev; /* [g * nareas + a]: the comparison count        */
    /* per group (at most HS_MAX_GROUPS, as --groups allows) */
    int study_sup[HS_MAX_GROUPS]; /* study_rate suppressed              */
    long primary[HS_MAX_GROUPS], secondary[HS_MAX_GROUPS]; /* areas     */
    long prev_primary[HS_MAX_GROUPS], prev_secondary[HS_MAX_GROUPS];
    long monthly[HS_MAX_GROUPS]; /* monthly cells suppressed            */
    long excluded;       /* incidents left out by --public-exclude        */
} hs_privacy;

/* Suppression marks for the rates (counts of areas with a population
 * are one set, all areas another). */
hs_privacy *hs_privacy_create(const hs_rates *r, long threshold,
                              hs_error *err);
void hs_privacy_destroy(hs_privacy *p);

/* 1 if any value of area a, group g, derived from the period's count
 * (prev: the comparison count) must be left out. */
int hs_privacy_cur(const hs_privacy *p, size_t g, size_t a);
int hs_privacy_prev(const hs_privacy *p, size_t g, size_t a);

/* Marks the months of one area and group for one period: all when the
 * area's count is suppressed, else by hs_suppress.  Adds to monthly[g]. */
void hs_privacy_months(hs_privacy *p, size_t g, int area_suppressed,
                       const double *v, size_t n, unsigned char *mark);

/* --public-exclude: every incident whose crime type (or offence code) or
 * group is named in list (comma-separated, any case) is put in no group,
 * so no count, month, surface or hotspot holds it; *n gets how many, and
 * with locations != 0 it also loses its location (x, y NaN), for callers
 * that do not select by group.  A name found nowhere is warned about: the
 * data cannot separate it. */
hs_status hs_privacy_exclude(hs_incidents *s, const hs_categories *c,
                             const char *list, int locations,
                             const hs_log *log, long *n, hs_error *err);

#endif
