/* lineage.c - hotspots followed from run to run (lineage.h). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/lineage.h"

void hs_lineage_free(hs_lineage *l)
{
    if (!l)
        return;
    free(l->v);
    free(l->ceased);
    memset(l, 0, sizeof *l);
}

const char *hs_lineage_status_name(hs_lineage_status s)
{
    switch (s) {
    case HS_LIN_NEW: return "new";
    case HS_LIN_PERSISTING: return "persisting";
    case HS_LIN_GROWN: return "grown";
    case HS_LIN_SHRUNK: return "shrunk";
    case HS_LIN_MERGED: return "merged";
    case HS_LIN_SPLIT: return "split";
    }
    return "?";
}

static int positive(double x) { return isfinite(x) && x > 0; }

/* A pair with its keys: qsort has no user pointer, so the pairs are
 * sorted as copies rather than as indices into the caller's array. */
typedef struct keyed {
    size_t i, j;
    double area;
} keyed;

static int by_ij(const void *pa, const void *pb)
{
    const keyed *x = pa, *y = pb;
    if (x->i != y->i)
        return x->i < y->i ? -1 : 1;
    return (x->j > y->j) - (x->j < y->j);
}

/* The id rule's order: area descending, then j, then i ascending. */
static int by_rule(const void *pa, const void *pb)
{
    const keyed *x = pa, *y = pb;
    if (x->area != y->area)
        return x->area > y->area ? -1 : 1;
    if (x->j != y->j)
        return x->j < y->j ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

typedef struct numbered {
    long num;
    size_t j;
} numbered;

static int by_num(const void *pa, const void *pb)
{
    const numbered *x = pa, *y = pb;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return (x->j > y->j) - (x->j < y->j);
}

/* Every check of lineage.h's "Checks" but the pairs' uniqueness. */
static hs_status check_inputs(const double *a, size_t n,
                              const hs_lineage_old *old, size_t m,
                              const hs_overlap *pairs, size_t npairs,
                              long last_id, hs_error *err)
{
    if ((n && !a) || (m && !old) || (npairs && !pairs))
        return hs_fail(err, HS_ERR_ARG, "lineage: inputs missing");
    for (size_t i = 0; i < n; i++)
        if (!positive(a[i]))
            return hs_fail(err, HS_ERR_ARG, "lineage: new hotspot %zu has "
                           "area %g, not > 0", i, a[i]);
    if (last_id < 0)
        return hs_fail(err, HS_ERR_ARG, "lineage: last id %ld is negative",
                       last_id);
    for (size_t j = 0; j < m; j++) {
        const hs_lineage_old *o = &old[j];
        if (!positive(o->area))
            return hs_fail(err, HS_ERR_ARG, "lineage: old hotspot %zu (number "
                           "%ld) has area %g, not > 0", j, o->num, o->area);
        if (o->num < 0 || o->num > last_id)
            return hs_fail(err, HS_ERR_ARG, "lineage: old hotspot %zu has "
                           "number %ld, not in 0..last id %ld", j, o->num,
                           last_id);
        if (o->months_seen < 1 || o->months_seen == INT32_MAX)
            return hs_fail(err, HS_ERR_ARG, "lineage: old hotspot %zu (number "
                           "%ld) has months_seen %ld, not >= 1", j, o->num,
                           (long)o->months_seen);
    }
    if ((size_t)(LONG_MAX - last_id) < n)
        return hs_fail(err, HS_ERR_ARG, "lineage: last id %ld leaves no room "
                       "for %zu new numbers", last_id, n);
    for (size_t k = 0; k < npairs; k++) {
        const hs_overlap *p = &pairs[k];
        if (p->i >= n || p->j >= m)
            return hs_fail(err, HS_ERR_ARG, "lineage: overlap %zu pairs new "
                           "%zu with old %zu: out of range (%zu new, %zu old)",
                           k, p->i, p->j, n, m);
        if (!positive(p->area))
            return hs_fail(err, HS_ERR_ARG, "lineage: overlap of new %zu and "
                           "old %zu has area %g, not > 0", p->i, p->j,
                           p->area);
    }
    return HS_OK;
}

hs_status hs_lineage_compute(const double *a, size_t n,
                             const hs_lineage_old *old, size_t m,
                             const hs_overlap *pairs, size_t npairs,
                             long last_id, int32_t now, hs_lineage *out,
                             hs_error *err)
{
    hs_status rc;
    keyed *kp = NULL;
    numbered *nums = NULL;
    size_t *nl = NULL, *nlp = NULL, *only = NULL;
    unsigned char *given = NULL;
    size_t nlinked = 0;

    memset(out, 0, sizeof *out);
    if ((rc = check_inputs(a, n, old, m, pairs, npairs, last_id, err)))
        return rc;
    kp = malloc((npairs ? npairs : 1) * sizeof *kp);
    nums = malloc((m ? m : 1) * sizeof *nums);
    nl = calloc(n ? n : 1, sizeof *nl);       /* |L(i)|             */
    only = calloc(n ? n : 1, sizeof *only);   /* L(i)'s j when one  */
    nlp = calloc(m ? m : 1, sizeof *nlp);     /* |L'(j)|            */
    given = calloc(m ? m : 1, 1);             /* j's number taken   */
    out->v = n ? malloc(n * sizeof *out->v) : NULL;
    out->ceased = m ? calloc(m, 1) : NULL;
    if (!kp || !nums || !nl || !only || !nlp || !given || (n && !out->v) ||
        (m && !out->ceased)) {
        rc = hs_fail(err, HS_ERR_NOMEM, "lineage: out of memory for %zu "
                     "pairs", npairs);
        goto cleanup;
    }
    out->n = n;
    out->m = m;

    /* two olds with one number would hand it to two news */
    for (size_t j = 0; j < m; j++)
        nums[j] = (numbered){old[j].num, j};
    qsort(nums, m, sizeof *nums, by_num);
    for (size_t k = 1; k < m; k++)
        if (nums[k].num == nums[k - 1].num) {
            rc = hs_fail(err, HS_ERR_ARG, "lineage: old hotspots %zu and %zu "
                         "have the same number %ld", nums[k - 1].j, nums[k].j,
                         nums[k].num);
            goto cleanup;
        }

    for (size_t k = 0; k < npairs; k++)
        kp[k] = (keyed){pairs[k].i, pairs[k].j, pairs[k].area};
    qsort(kp, npairs, sizeof *kp, by_ij);
    for (size_t k = 1; k < npairs; k++)
        if (kp[k].i == kp[k - 1].i && kp[k].j == kp[k - 1].j) {
            rc = hs_fail(err, HS_ERR_ARG, "lineage: the overlap of new %zu "
                         "and old %zu is listed twice", kp[k].i, kp[k].j);
            goto cleanup;
        }

    for (size_t i = 0; i < n; i++)
        out->v[i] = (hs_lineage_new){-1, -1, HS_LIN_NEW, now, 1};
    /* keep the linked pairs only, gathering L(i) and L'(j) on the way */
    for (size_t k = 0; k < npairs; k++) {
        size_t i = kp[k].i, j = kp[k].j;
        double small = a[i] < old[j].area ? a[i] : old[j].area;
        if (!(kp[k].area >= HS_LINEAGE_LINK * small))
            continue;
        hs_lineage_new *v = &out->v[i];
        if (nl[i] == 0 || old[j].first_seen < v->first_seen)
            v->first_seen = old[j].first_seen;
        if (nl[i] == 0 || old[j].months_seen + 1 > v->months_seen)
            v->months_seen = old[j].months_seen + 1;
        nl[i]++;
        only[i] = j;
        nlp[j]++;
        kp[nlinked++] = kp[k];
    }

    qsort(kp, nlinked, sizeof *kp, by_rule);
    for (size_t k = 0; k < nlinked; k++) {
        size_t i = kp[k].i, j = kp[k].j;
        if (out->v[i].from >= 0 || given[j])
            continue;
        out->v[i].from = (long)j;
        out->v[i].num = old[j].num;
        given[j] = 1;
    }
    out->last_id = last_id;
    for (size_t i = 0; i < n; i++) /* fresh numbers in rank order */
        if (out->v[i].from < 0)
            out->v[i].num = ++out->last_id;

    for (size_t i = 0; i < n; i++) {
        hs_lineage_new *v = &out->v[i];
        if (nl[i] == 0)
            v->status = HS_LIN_NEW;
        else if (nl[i] >= 2)
            v->status = HS_LIN_MERGED;
        else if (nlp[only[i]] >= 2)
            v->status = HS_LIN_SPLIT;
        else if (a[i] >= HS_LINEAGE_GROWN * old[only[i]].area)
            v->status = HS_LIN_GROWN;
        else if (a[i] <= HS_LINEAGE_SHRUNK * old[only[i]].area)
            v->status = HS_LIN_SHRUNK;
        else
            v->status = HS_LIN_PERSISTING;
    }
    for (size_t j = 0; j < m; j++)
        out->ceased[j] = nlp[j] == 0;

cleanup:
    free(kp);
    free(nums);
    free(nl);
    free(only);
    free(nlp);
    free(given);
    if (rc != HS_OK)
        hs_lineage_free(out);
    return rc;
}
