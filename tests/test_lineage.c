/*
 * test_lineage.c - lineage.h on cases worked by hand (every status, the
 * greedy number rule and its ties, merges and splits, fresh numbers past
 * last_id, the quarter threshold exactly, first_seen and months_seen, bad
 * input) and against a brute force written here: 200 random cases of up
 * to 6 x 6, the numbers handed out by scanning the whole matrix for the
 * largest remaining linked pair at each step instead of sorting.
 */
#include "util.h"

#include <limits.h>
#include <math.h>

#include "analysis/lineage.h"
#include "core/random.h"

#define M(y, m) ((int32_t)((y) * 12 + (m) - 1))

static hs_lineage run(const double *a, size_t n, const hs_lineage_old *old,
                      size_t m, const hs_overlap *p, size_t np, long last_id,
                      int32_t now)
{
    hs_lineage l;
    hs_error err = {0};
    hs_status rc = hs_lineage_compute(a, n, old, m, p, np, last_id, now, &l,
                                      &err);
    if (rc != HS_OK)
        fail_msg("hs_lineage_compute: %s", err.msg);
    assert_int_equal(l.n, n);
    assert_int_equal(l.m, m);
    return l;
}

static void expect(const hs_lineage *l, size_t i, long num,
                   hs_lineage_status st, int32_t first, int32_t months)
{
    const hs_lineage_new *v = &l->v[i];
    if (v->num != num || v->status != st || v->first_seen != first ||
        v->months_seen != months)
        fail_msg("new %zu: number %ld %s first %d months %d; expected %ld %s "
                 "%d %d", i, v->num, hs_lineage_status_name(v->status),
                 (int)v->first_seen, (int)v->months_seen, num,
                 hs_lineage_status_name(st), (int)first, (int)months);
}

/* One to one, each status, on the boundaries of grown and shrunk:
 *   i0 10   ~ j0 10 (o 6)    persisting, keeps 3
 *   i1 12.5 ~ j1 10 (o 9)    grown: 12.5 >= 1.25 x 10 exactly, keeps 5
 *   i2 8    ~ j2 10 (o 5)    shrunk: 8 <= 0.8 x 10 (= 8 in double)
 *   i3 4                     new: fresh 13 (last_id 12)
 *   i4 12.4 ~ j4 10 (o 7)    persisting: just under grown
 *   i5 8.01 ~ j5 10 (o 3)    persisting: just over shrunk; 3 >= 2.0025
 *   j3 10                    ceased (no overlap at all)
 *   j6 10   ~ i0 (o 2.49)    ceased: overlaps i0, but 2.49 < 2.5 */
static void test_one_to_one(void **state)
{
    (void)state;
    const double a[] = {10, 12.5, 8, 4, 12.4, 8.01};
    const hs_lineage_old old[] = {
        {10, 3, M(2024, 1), 4}, {10, 5, M(2023, 6), 9}, {10, 8, M(2024, 3), 2},
        {10, 9, M(2022, 1), 12}, {10, 1, M(2024, 4), 1}, {10, 2, M(2021, 2), 40},
        {10, 11, M(2020, 1), 50}};
    const hs_overlap p[] = {{5, 5, 3}, {0, 0, 6}, {4, 4, 7}, {2, 2, 5},
                            {1, 1, 9}, {0, 6, 2.49}};
    int32_t now = M(2024, 6);
    assert_true(0.8 * 10 == 8.0); /* the boundary below is exact */
    hs_lineage l = run(a, 6, old, 7, p, 6, 12, now);
    expect(&l, 0, 3, HS_LIN_PERSISTING, M(2024, 1), 5);
    expect(&l, 1, 5, HS_LIN_GROWN, M(2023, 6), 10);
    expect(&l, 2, 8, HS_LIN_SHRUNK, M(2024, 3), 3);
    expect(&l, 3, 13, HS_LIN_NEW, now, 1);
    expect(&l, 4, 1, HS_LIN_PERSISTING, M(2024, 4), 2);
    expect(&l, 5, 2, HS_LIN_PERSISTING, M(2021, 2), 41);
    assert_int_equal(l.last_id, 13);
    const unsigned char ceased[] = {0, 0, 0, 1, 0, 0, 1};
    assert_memory_equal(l.ceased, ceased, 7);
    assert_int_equal(l.v[0].from, 0);
    assert_int_equal(l.v[3].from, -1);
    hs_lineage_free(&l);
    assert_null(l.v);
    hs_lineage_free(NULL);
}

/* The quarter of the smaller area, exactly: o = 0.25 x min links, the
 * double just below does not.
 *   i0 8 ~ j0 12, o 2 = 0.25 x 8             linked: shrunk (8 <= 9.6)
 *   i1 8 ~ j1 12, o nextafter(2, 0)          not: i1 new, j1 ceased
 *   i2 3 ~ j2 7, o 0.75 = 0.25 x 3           linked (the smaller is new)
 *   i3 40 ~ j3 4, o 1 = 0.25 x 4             linked (the smaller is old):
 *                                            grown
 *   i4 40 ~ j4 4, o nextafter(1, 0)          not */
static void test_threshold(void **state)
{
    (void)state;
    const double a[] = {8, 8, 3, 40, 40};
    const hs_lineage_old old[] = {{12, 1, M(2024, 1), 1}, {12, 2, M(2024, 1), 1},
                                  {7, 3, M(2024, 1), 1}, {4, 4, M(2024, 1), 1},
                                  {4, 5, M(2024, 1), 1}};
    const hs_overlap p[] = {{0, 0, 2}, {1, 1, nextafter(2, 0)}, {2, 2, 0.75},
                            {3, 3, 1}, {4, 4, nextafter(1, 0)}};
    int32_t now = M(2024, 2);
    hs_lineage l = run(a, 5, old, 5, p, 5, 5, now);
    expect(&l, 0, 1, HS_LIN_SHRUNK, M(2024, 1), 2);
    expect(&l, 1, 6, HS_LIN_NEW, now, 1);
    expect(&l, 2, 3, HS_LIN_SHRUNK, M(2024, 1), 2);
    expect(&l, 3, 4, HS_LIN_GROWN, M(2024, 1), 2);
    expect(&l, 4, 7, HS_LIN_NEW, now, 1);
    const unsigned char ceased[] = {0, 1, 0, 0, 1};
    assert_memory_equal(l.ceased, ceased, 5);
    assert_int_equal(l.last_id, 7);
    hs_lineage_free(&l);
}

/* Merge: i0 (15) over j0 (10, no. 4, since 2023-01, 7 months) with o 9
 * and j1 (6, no. 9, since 2022-05, 3 months) with o 5 >= 0.25 x 6.  The
 * larger overlap gives its number: 4; the smaller old's 9 is not used and
 * not reissued; first_seen the earliest (2022-05, from j1), months 1 + 7
 * (from j0); neither old ceased.  i1 takes the fresh 10. */
static void test_merge(void **state)
{
    (void)state;
    const double a[] = {15, 2};
    const hs_lineage_old old[] = {{10, 4, M(2023, 1), 7}, {6, 9, M(2022, 5), 3}};
    const hs_overlap p[] = {{0, 1, 5}, {0, 0, 9}};
    hs_lineage l = run(a, 2, old, 2, p, 2, 9, M(2024, 6));
    expect(&l, 0, 4, HS_LIN_MERGED, M(2022, 5), 8);
    expect(&l, 1, 10, HS_LIN_NEW, M(2024, 6), 1);
    assert_int_equal(l.v[0].from, 0);
    assert_int_equal(l.ceased[0], 0);
    assert_int_equal(l.ceased[1], 0);
    assert_int_equal(l.last_id, 10);
    hs_lineage_free(&l);

    /* equal overlaps: the lower old index gives its number, not the lower
     * number (j0 has 20, j1 has 10) */
    const hs_lineage_old o2[] = {{10, 20, M(2024, 1), 2}, {10, 10, M(2024, 1), 5}};
    const hs_overlap p2[] = {{0, 1, 4}, {0, 0, 4}};
    l = run(a, 1, o2, 2, p2, 2, 20, M(2024, 6));
    expect(&l, 0, 20, HS_LIN_MERGED, M(2024, 1), 6);
    assert_int_equal(l.last_id, 20);
    hs_lineage_free(&l);
}

/* Split: j0 (20, no. 7) into i0 (6, o 5) and i1 (9, o 8).  The piece with
 * the larger overlap, i1, keeps 7 though it ranks second; i0 gets
 * last_id + 1 = 16.  Both split, both with j0's history. */
static void test_split(void **state)
{
    (void)state;
    const double a[] = {6, 9};
    const hs_lineage_old old[] = {{20, 7, M(2024, 2), 3}};
    const hs_overlap p[] = {{0, 0, 5}, {1, 0, 8}};
    hs_lineage l = run(a, 2, old, 1, p, 2, 15, M(2024, 5));
    expect(&l, 0, 16, HS_LIN_SPLIT, M(2024, 2), 4);
    expect(&l, 1, 7, HS_LIN_SPLIT, M(2024, 2), 4);
    assert_int_equal(l.v[0].from, -1);
    assert_int_equal(l.v[1].from, 0);
    assert_int_equal(l.last_id, 16);
    assert_int_equal(l.ceased[0], 0);
    hs_lineage_free(&l);

    /* equal overlaps: the lower new index (the higher rank) keeps it */
    const hs_overlap p2[] = {{1, 0, 5}, {0, 0, 5}};
    l = run(a, 2, old, 1, p2, 2, 15, M(2024, 5));
    expect(&l, 0, 7, HS_LIN_SPLIT, M(2024, 2), 4);
    expect(&l, 1, 16, HS_LIN_SPLIT, M(2024, 2), 4);
    hs_lineage_free(&l);
}

/* The greedy rule across a tangle (all areas 10, links from 2.5):
 *   (i0,j0) 9, (i0,j1) 8, (i1,j0) 7, (i1,j1) 3, (i2,j2) 7, (i2,j1) 7
 * Sorted: (i0,j0) 9 -> i0 takes j0's 31; (i0,j1) 8 skipped (i0 has one);
 * (i1,j0) 7, (i2,j1) 7, (i2,j2) 7 in j order: (i1,j0) skipped (j0
 * given), (i2,j1) -> i2 takes j1's 32, (i2,j2) skipped; (i1,j1) 3
 * skipped (j1 given).  i1 and i3 get 41, 42 in rank order (last_id 40);
 * j2's 33 is not reused.  i0, i1, i2 are merged; i3 new; none ceased. */
static void test_greedy(void **state)
{
    (void)state;
    const double a[] = {10, 10, 10, 10};
    const hs_lineage_old old[] = {{10, 31, M(2024, 1), 1},
                                  {10, 32, M(2024, 1), 1},
                                  {10, 33, M(2024, 1), 1}};
    const hs_overlap p[] = {{1, 1, 3}, {2, 2, 7}, {1, 0, 7}, {0, 1, 8},
                            {2, 1, 7}, {0, 0, 9}};
    hs_lineage l = run(a, 4, old, 3, p, 6, 40, M(2024, 2));
    assert_int_equal(l.v[0].num, 31);
    assert_int_equal(l.v[1].num, 41);
    assert_int_equal(l.v[2].num, 32);
    assert_int_equal(l.v[3].num, 42);
    assert_int_equal(l.v[0].status, HS_LIN_MERGED);
    assert_int_equal(l.v[1].status, HS_LIN_MERGED);
    assert_int_equal(l.v[2].status, HS_LIN_MERGED);
    assert_int_equal(l.v[3].status, HS_LIN_NEW);
    assert_int_equal(l.last_id, 42);
    for (size_t j = 0; j < 3; j++)
        assert_int_equal(l.ceased[j], 0);
    hs_lineage_free(&l);
}

/* Fresh numbers start past last_id, not past the olds' numbers: numbers
 * of hotspots that ceased in earlier runs (up to 50 here) stay retired. */
static void test_fresh(void **state)
{
    (void)state;
    const double a[] = {1, 1, 1};
    const hs_lineage_old old[] = {{1, 2, M(2024, 1), 1}, {1, 5, M(2024, 1), 1}};
    hs_lineage l = run(a, 3, old, 2, NULL, 0, 50, M(2024, 2));
    assert_int_equal(l.v[0].num, 51);
    assert_int_equal(l.v[1].num, 52);
    assert_int_equal(l.v[2].num, 53);
    assert_int_equal(l.last_id, 53);
    assert_int_equal(l.ceased[0], 1);
    assert_int_equal(l.ceased[1], 1);
    hs_lineage_free(&l);

    /* nothing before: numbers from 1; nothing now: all ceased */
    l = run(a, 2, NULL, 0, NULL, 0, 0, M(2024, 2));
    assert_int_equal(l.v[0].num, 1);
    assert_int_equal(l.v[1].num, 2);
    assert_null(l.ceased);
    hs_lineage_free(&l);
    l = run(NULL, 0, old, 2, NULL, 0, 5, M(2024, 2));
    assert_null(l.v);
    assert_int_equal(l.last_id, 5);
    assert_int_equal(l.ceased[0] + l.ceased[1], 2);
    hs_lineage_free(&l);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(hs_lineage_status_name(HS_LIN_NEW), "new");
    assert_string_equal(hs_lineage_status_name(HS_LIN_PERSISTING), "persisting");
    assert_string_equal(hs_lineage_status_name(HS_LIN_GROWN), "grown");
    assert_string_equal(hs_lineage_status_name(HS_LIN_SHRUNK), "shrunk");
    assert_string_equal(hs_lineage_status_name(HS_LIN_MERGED), "merged");
    assert_string_equal(hs_lineage_status_name(HS_LIN_SPLIT), "split");
    assert_string_equal(hs_lineage_status_name((hs_lineage_status)99), "?");
}

/* The call fails with HS_ERR_ARG, a message holding want, *out empty. */
static void bad(const double *a, size_t n, const hs_lineage_old *old, size_t m,
                const hs_overlap *p, size_t np, long last_id, const char *want)
{
    hs_lineage l;
    hs_error err = {0};
    assert_int_equal(hs_lineage_compute(a, n, old, m, p, np, last_id, 0, &l,
                                        &err), HS_ERR_ARG);
    assert_int_equal(err.code, HS_ERR_ARG);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_null(l.v);
    assert_null(l.ceased);
}

static void test_bad(void **state)
{
    (void)state;
    const double a[] = {1, 2};
    const double a0[] = {1, 0}, anan[] = {NAN, 1};
    const hs_lineage_old old[] = {{1, 3, 0, 1}, {2, 4, 0, 2}};
    const hs_lineage_old neg[] = {{1, 3, 0, 1}, {-2, 4, 0, 2}};
    const hs_lineage_old months0[] = {{1, 3, 0, 1}, {2, 4, 0, 0}};
    const hs_lineage_old same[] = {{1, 4, 0, 1}, {2, 4, 0, 1}};
    const hs_overlap ok[] = {{0, 0, 0.5}};
    const hs_overlap twice[] = {{1, 0, 0.5}, {0, 1, 0.5}, {1, 0, 0.7}};
    const hs_overlap far_i[] = {{2, 0, 0.5}};
    const hs_overlap far_j[] = {{0, 2, 0.5}};
    const hs_overlap zero[] = {{1, 0, 0}};
    const hs_overlap inf[] = {{1, 1, INFINITY}};

    bad(a0, 2, old, 2, ok, 1, 4, "new hotspot 1 has area 0");
    bad(anan, 2, old, 2, ok, 1, 4, "new hotspot 0 has area nan");
    bad(a, 2, neg, 2, ok, 1, 4, "old hotspot 1 (number 4) has area -2");
    bad(a, 2, months0, 2, ok, 1, 4, "old hotspot 1 (number 4) has months_seen 0");
    bad(a, 2, same, 2, ok, 1, 4, "old hotspots 0 and 1 have the same number 4");
    bad(a, 2, old, 2, ok, 1, 3, "old hotspot 1 has number 4, not in 0..last id 3");
    bad(a, 2, old, 2, ok, 1, -1, "last id -1 is negative");
    bad(a, 2, old, 2, twice, 3, 4, "the overlap of new 1 and old 0 is listed twice");
    bad(a, 2, old, 2, far_i, 1, 4, "pairs new 2 with old 0: out of range");
    bad(a, 2, old, 2, far_j, 1, 4, "pairs new 0 with old 2: out of range");
    bad(a, 2, old, 2, zero, 1, 4, "overlap of new 1 and old 0 has area 0");
    bad(a, 2, old, 2, inf, 1, 4, "overlap of new 1 and old 1 has area inf");
    bad(a, 2, old, 2, NULL, 1, 4, "inputs missing");
    bad(a, 2, old, 2, NULL, 0, LONG_MAX - 1, "leaves no room for 2 new numbers");
}

/* ---- brute force -------------------------------------------------------- */

#define MAXN 6

/* The rules of lineage.h, by the matrix: at each step the largest o over
 * the linked pairs still open, scanning j then i ascending and keeping
 * the first maximum (so ties go to the lower j, then the lower i). */
static void brute(const double *a, size_t n, const hs_lineage_old *old,
                  size_t m, const double o[MAXN][MAXN], long last_id,
                  int32_t now, hs_lineage_new *want, unsigned char *ceased,
                  long *last_out)
{
    int link[MAXN][MAXN] = {{0}}, has[MAXN] = {0}, given[MAXN] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++)
            link[i][j] = o[i][j] > 0 &&
                         o[i][j] >= 0.25 * fmin(a[i], old[j].area);
    for (;;) {
        long bi = -1, bj = -1;
        for (size_t j = 0; j < m; j++)
            for (size_t i = 0; i < n; i++)
                if (link[i][j] && !has[i] && !given[j] &&
                    (bi < 0 || o[i][j] > o[bi][bj])) {
                    bi = (long)i;
                    bj = (long)j;
                }
        if (bi < 0)
            break;
        has[bi] = given[bj] = 1;
        want[bi].num = old[bj].num;
        want[bi].from = bj;
    }
    for (size_t i = 0; i < n; i++)
        if (!has[i]) {
            want[i].num = ++last_id;
            want[i].from = -1;
        }
    *last_out = last_id;
    for (size_t i = 0; i < n; i++) {
        int nl = 0, jj = -1;
        want[i].first_seen = now;
        want[i].months_seen = 1;
        for (size_t j = 0; j < m; j++)
            if (link[i][j]) {
                if (nl == 0 || old[j].first_seen < want[i].first_seen)
                    want[i].first_seen = old[j].first_seen;
                if (old[j].months_seen + 1 > want[i].months_seen)
                    want[i].months_seen = old[j].months_seen + 1;
                nl++;
                jj = (int)j;
            }
        int nlp = 0;
        for (size_t k = 0; jj >= 0 && k < n; k++)
            nlp += link[k][jj];
        want[i].status = nl == 0    ? HS_LIN_NEW
                         : nl >= 2  ? HS_LIN_MERGED
                         : nlp >= 2 ? HS_LIN_SPLIT
                         : a[i] >= 1.25 * old[jj].area ? HS_LIN_GROWN
                         : a[i] <= 0.8 * old[jj].area  ? HS_LIN_SHRUNK
                                                       : HS_LIN_PERSISTING;
    }
    for (size_t j = 0; j < m; j++) {
        int any = 0;
        for (size_t i = 0; i < n; i++)
            any |= link[i][j];
        ceased[j] = !any;
    }
}

static double uniform(uint64_t *s) { return (double)(hs_next64(s) >> 11) * 0x1p-53; }

static void test_brute(void **state)
{
    (void)state;
    uint64_t s = 20240601;
    int statuses[6] = {0}, nceased = 0;
    for (int c = 0; c < 200; c++) {
        size_t n = (size_t)hs_below64(&s, MAXN + 1);
        size_t m = (size_t)hs_below64(&s, MAXN + 1);
        double a[MAXN], o[MAXN][MAXN] = {{0}};
        hs_lineage_old old[MAXN];
        hs_overlap p[MAXN * MAXN];
        size_t np = 0;
        /* areas from a few values, so grown / shrunk and ties happen */
        static const double areas[] = {1, 2, 2.5, 4, 5, 8, 10, 12.5};
        for (size_t i = 0; i < n; i++)
            a[i] = hs_below64(&s, 3) ? areas[hs_below64(&s, 8)]
                                     : 0.5 + 10 * uniform(&s);
        int perm[20];
        for (int k = 0; k < 20; k++)
            perm[k] = k;
        long maxnum = 0;
        for (size_t j = 0; j < m; j++) { /* distinct numbers, any order */
            int k = (int)j + (int)hs_below64(&s, 20 - j);
            int t = perm[j];
            perm[j] = perm[k];
            perm[k] = t;
            old[j] = (hs_lineage_old){
                hs_below64(&s, 3) ? areas[hs_below64(&s, 8)]
                                  : 0.5 + 10 * uniform(&s),
                perm[j], M(2020, 1) + (int32_t)hs_below64(&s, 48),
                1 + (int32_t)hs_below64(&s, 12)};
            if (perm[j] > maxnum)
                maxnum = perm[j];
        }
        long last_id = maxnum + (long)hs_below64(&s, 4);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < m; j++) {
                if (hs_below64(&s, 2))
                    continue;
                double small = fmin(a[i], old[j].area);
                switch (hs_below64(&s, 4)) {
                case 0: o[i][j] = 0.25 * small; break;           /* boundary */
                case 1: o[i][j] = nextafter(0.25 * small, 0); break;
                case 2: o[i][j] = (double)(1 + hs_below64(&s, 3)); break; /* ties */
                default: o[i][j] = small * (0.01 + 0.99 * uniform(&s));
                }
                p[np++] = (hs_overlap){i, j, o[i][j]};
            }
        for (size_t k = np; k > 1; k--) { /* any order */
            size_t r = (size_t)hs_below64(&s, k);
            hs_overlap t = p[k - 1];
            p[k - 1] = p[r];
            p[r] = t;
        }
        int32_t now = M(2024, 6);
        hs_lineage_new want[MAXN];
        unsigned char ceased[MAXN];
        long last_want;
        brute(a, n, old, m, o, last_id, now, want, ceased, &last_want);
        hs_lineage l = run(a, n, old, m, p, np, last_id, now);
        for (size_t i = 0; i < n; i++) {
            const hs_lineage_new *g = &l.v[i], *w = &want[i];
            if (g->num != w->num || g->from != w->from ||
                g->status != w->status || g->first_seen != w->first_seen ||
                g->months_seen != w->months_seen)
                fail_msg("case %d, new %zu: got %ld from %ld %s %d %d, want "
                         "%ld from %ld %s %d %d", c, i, g->num, g->from,
                         hs_lineage_status_name(g->status), (int)g->first_seen,
                         (int)g->months_seen, w->num, w->from,
                         hs_lineage_status_name(w->status), (int)w->first_seen,
                         (int)w->months_seen);
            statuses[g->status]++;
        }
        for (size_t j = 0; j < m; j++) {
            if (l.ceased[j] != ceased[j])
                fail_msg("case %d, old %zu: ceased %d, want %d", c, j,
                         l.ceased[j], ceased[j]);
            nceased += ceased[j];
        }
        assert_int_equal(l.last_id, last_want);
        hs_lineage_free(&l);
    }
    for (int k = 0; k < 6; k++) /* the cases reach every status */
        if (statuses[k] == 0)
            fail_msg("no random case gave %s",
                     hs_lineage_status_name((hs_lineage_status)k));
    assert_true(nceased > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_to_one),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_greedy),
        cmocka_unit_test(test_fresh),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_brute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
