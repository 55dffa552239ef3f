/*
 * test_emerging.c - emerging.h against brute force written here:
 * Mann-Kendall by pairs with the ties grouped after a sort, the
 * space-time Gi* term by term on a cylinder of queen neighbours, bins by
 * Benjamini-Hochberg month by month, the pseudo-p rule, and a bin series
 * built for every category and for the edges of the rules.
 */
#include "util.h"

#include <math.h>

#include "analysis/emerging.h"
#include "core/keep.h"
#include "analysis/gistar.h"

/* ---- Mann-Kendall ------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* S over the pairs; the tie groups from a sorted copy. */
static double brute_mk(const double *x, size_t n, double *z, double *p)
{
    double s = 0, ties = 0, y[64];
    assert_true(n <= 64);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            s += x[j] > x[i] ? 1 : x[j] < x[i] ? -1 : 0;
    memcpy(y, x, n * sizeof *y);
    qsort(y, n, sizeof *y, cmp_double);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && y[j] == y[i])
            j++;
        double t = (double)(j - i);
        ties += t * (t - 1) * (2 * t + 5);
        i = j;
    }
    double dn = (double)n, var = (dn * (dn - 1) * (2 * dn + 5) - ties) / 18;
    *z = *p = NAN;
    if (n >= 3 && var > 0) {
        *z = s > 0 ? (s - 1) / sqrt(var) : s < 0 ? (s + 1) / sqrt(var) : 0;
        *p = 2 * (1 - 0.5 * erfc(-fabs(*z) / sqrt(2.0))); /* 2 (1 - Phi) */
    }
    return s;
}

static void assert_same(double want, double got, double tol)
{
    if (isnan(want)) {
        assert_true(isnan(got));
        return;
    }
    assert_false(isnan(got));
    assert_true(fabs(want - got) <= tol * (1 + fabs(want)));
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void test_mann_kendall(void **state)
{
    (void)state;
    double z, p;
    /* 1, 2, 2, 3 by hand: pairs (1,2) (1,2) (1,3) (2,3) (2,3) up, (2,2)
     * tied: S = 5.  One tie group of 2: Var = [4 x 3 x 13 - 2 x 1 x 9] /
     * 18 = (156 - 18) / 18 = 23/3.  Z = (5 - 1) / sqrt(23/3) = 1.44463,
     * p = 0.148562 (R: 2 * (1 - pnorm(4 / sqrt(23/3)))). */
    const double a[] = {1, 2, 2, 3};
    assert_true(hs_mann_kendall(a, 4, &z, &p) == 5);
    assert_same(1.4446302370292303, z, 1e-14);
    assert_same(0.14856177489186861, p, 1e-12);
    /* 3, 1, 3, 1, 2: down (3,1) (3,1) (3,2) (3,1) (3,2), up (1,3) (1,2)
     * (1,2): S = -2.  Two groups of 2: Var = (300 - 18 - 18) / 18 = 264 /
     * 18; Z = (-2 + 1) / sqrt(264 / 18) = -0.261116, p = 0.794003. */
    const double b[] = {3, 1, 3, 1, 2};
    assert_true(hs_mann_kendall(b, 5, &z, &p) == -2);
    assert_same(-0.26111648393354675, z, 1e-14);
    assert_same(0.79400268019276199, p, 1e-12);
    /* S = 0: 1, 2, 1 (up, down, tie): Z = 0, p = 1 */
    const double c[] = {1, 2, 1};
    assert_true(hs_mann_kendall(c, 3, &z, &p) == 0);
    assert_true(z == 0 && p == 1);
    /* T < 3: S still counted, no Z */
    const double d[] = {1, 2};
    assert_true(hs_mann_kendall(d, 2, &z, &p) == 1);
    assert_true(isnan(z) && isnan(p));
    assert_true(hs_mann_kendall(d, 1, &z, &p) == 0 && isnan(z) && isnan(p));
    assert_true(hs_mann_kendall(NULL, 0, &z, &p) == 0 && isnan(z));
    /* all tied: Var = 0, no Z; NULL outputs are allowed */
    const double e[] = {2, 2, 2, 2};
    assert_true(hs_mann_kendall(e, 4, &z, &p) == 0 && isnan(z) && isnan(p));
    assert_true(hs_mann_kendall(a, 4, NULL, NULL) == 5);
    /* random series against the brute force: integers from a few values
     * (many ties), halves, and distinct values, lengths 3 to 40 */
    uint32_t s = 11;
    for (int k = 0; k < 3000; k++) {
        size_t n = 3 + lcg(&s) % 38;
        int kind = k % 3, levels = 1 + (int)(lcg(&s) % 6);
        double x[64], bz, bp;
        for (size_t i = 0; i < n; i++)
            x[i] = kind == 0 ? (double)(lcg(&s) % (uint32_t)levels)
                   : kind == 1 ? 0.5 * (double)(lcg(&s) % 9) - 2
                               : (double)lcg(&s) / 65536.0 + 0.001 * (double)i;
        double bs = brute_mk(x, n, &bz, &bp);
        assert_true(hs_mann_kendall(x, n, &z, &p) == bs);
        assert_same(bz, z, 1e-12);
        assert_same(bp, p, 1e-9);
    }
}

/* ---- categories -------------------------------------------------------- */

/* A bin series as text: '.' 0, 'h' 1, 'H' 3, 'c' -1, 'C' -3. */
static size_t bins_of(const char *txt, signed char *bin)
{
    size_t T = strlen(txt);
    for (size_t t = 0; t < T; t++)
        bin[t] = (signed char)(txt[t] == 'h' ? 1 : txt[t] == 'H' ? 3
                               : txt[t] == 'c' ? -1 : txt[t] == 'C' ? -3 : 0);
    return T;
}

#define NT NAN
#define UP 3.0, 0.001     /* a significant upward trend   */
#define DOWN -3.0, 0.001  /* a significant downward trend */
#define FLAT 0.5, 0.6     /* no significant trend         */

static const struct {
    const char *bins;
    double tz, tp;
    int want;
} CASES[] = {
    /* one per category, hot */
    {"...........h", FLAT, HS_EMERGING_NEW},
    {"........hhHh", FLAT, HS_EMERGING_CONSECUTIVE},
    {"hhhhhhhhhhhh", UP, HS_EMERGING_INTENSIFYING},
    {"hhhhhhhhhhhh", FLAT, HS_EMERGING_PERSISTENT},
    {"hhhhhhhhhhhh", DOWN, HS_EMERGING_DIMINISHING},
    {"..h..h...h.h", FLAT, HS_EMERGING_SPORADIC},
    {"..c..h...h.h", FLAT, HS_EMERGING_OSCILLATING},
    {"hhhhhhhhhhh.", FLAT, HS_EMERGING_HISTORICAL},
    /* and cold: the trend mirrored (intensifying cold: z falls) */
    {"...........c", FLAT, -HS_EMERGING_NEW},
    {"........ccCc", FLAT, -HS_EMERGING_CONSECUTIVE},
    {"cccccccccccc", DOWN, -HS_EMERGING_INTENSIFYING},
    {"cccccccccccc", FLAT, -HS_EMERGING_PERSISTENT},
    {"cccccccccccc", UP, -HS_EMERGING_DIMINISHING},
    {"..c..c...c.c", FLAT, -HS_EMERGING_SPORADIC},
    {"..h..c...c.c", FLAT, -HS_EMERGING_OSCILLATING},
    {"ccccccccccc.", FLAT, -HS_EMERGING_HISTORICAL},
    /* no pattern: nothing, or hot once but not at the end and < 90% */
    {"............", FLAT, HS_EMERGING_NONE},
    {"..hhh.......", UP, HS_EMERGING_NONE},
    {"..ccc.......", DOWN, HS_EMERGING_NONE},
    /* 90%: 9 of 10 is, 8 of 10 is not; 18 of 20 is, 17 is not */
    {".hhhhhhhhh", FLAT, HS_EMERGING_PERSISTENT},    /* not consecutive */
    {"..hhhhhhhh", FLAT, HS_EMERGING_CONSECUTIVE},
    {"h.hhhhhhhh", FLAT, HS_EMERGING_PERSISTENT},
    {"h..hhhhhhh", FLAT, HS_EMERGING_SPORADIC},
    {"..hhhhhhhhhhhhhhhhhh", UP, HS_EMERGING_INTENSIFYING},
    {"...hhhhhhhhhhhhhhhhh", UP, HS_EMERGING_CONSECUTIVE},
    {"hhhhhhhhh.", DOWN, HS_EMERGING_HISTORICAL},
    {"hhhhhhhh..", DOWN, HS_EMERGING_NONE},
    /* the final month decides between the 90% ones: without it,
     * historical whatever the trend (persistent needs it too) */
    {"hhhhhhhhhhh.", UP, HS_EMERGING_HISTORICAL},
    {"hhhhhhhhhhh.", NT, NT, HS_EMERGING_HISTORICAL},
    {"hhhhhhhhhhhh", NT, NT, HS_EMERGING_PERSISTENT},
    {"Hhhhhhhhhh.h", UP, HS_EMERGING_INTENSIFYING}, /* a gap is fine */
    {"chhhhhhhhhhh", DOWN, HS_EMERGING_DIMINISHING}, /* a cold month too */
    /* the trend threshold: p <= 0.05 */
    {"hhhhhhhhhh", 2.0, 0.05, HS_EMERGING_INTENSIFYING},
    {"hhhhhhhhhh", 2.0, 0.0500001, HS_EMERGING_PERSISTENT},
    /* new and consecutive need nothing significant before: after a cold
     * month they are oscillating; after a hot one, sporadic */
    {"c..........h", FLAT, HS_EMERGING_OSCILLATING},
    {"c.......hhhh", FLAT, HS_EMERGING_OSCILLATING},
    {"..h........h", FLAT, HS_EMERGING_SPORADIC},
    {"..h.....hhhh", FLAT, HS_EMERGING_SPORADIC},
    {"..h....c.hhh", FLAT, HS_EMERGING_OSCILLATING},
    /* the final month's side first: 9 hot then cold is an oscillating
     * cold spot (not a historical hot one), the mirror of 9 cold then hot */
    {"hhhhhhhhhc", FLAT, -HS_EMERGING_OSCILLATING},
    {"cccccccccH", FLAT, HS_EMERGING_OSCILLATING},
    {"hhhhhhhhhhc", FLAT, -HS_EMERGING_OSCILLATING},
    /* final month 0: only the historical ones */
    {"ccccccccccc.", UP, -HS_EMERGING_HISTORICAL},
    /* short series */
    {"h", NT, NT, HS_EMERGING_NEW},
    {"C", NT, NT, -HS_EMERGING_NEW},
    {".", NT, NT, HS_EMERGING_NONE},
    {"hh", NT, NT, HS_EMERGING_PERSISTENT},
    {".h", NT, NT, HS_EMERGING_NEW},
    {"h.", NT, NT, HS_EMERGING_NONE}, /* 1 of 2 is not 90% */
};

static void test_classify(void **state)
{
    (void)state;
    signed char bin[64];
    int seen[17] = {0};
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        size_t T = bins_of(CASES[k].bins, bin);
        int got = hs_emerging_classify(bin, T, CASES[k].tz, CASES[k].tp);
        if (got != CASES[k].want)
            fail_msg("\"%s\" (%g, %g): %s, want %s", CASES[k].bins, CASES[k].tz,
                     CASES[k].tp, hs_emerging_name(got),
                     hs_emerging_name(CASES[k].want));
        seen[got + 8] = 1;
    }
    for (int c = 0; c < 17; c++)
        assert_true(seen[c]); /* every category reached */
    assert_int_equal(hs_emerging_classify(bin, 0, 0, 1), 0);
    assert_string_equal(hs_emerging_name(HS_EMERGING_NEW), "new hot spot");
    assert_string_equal(hs_emerging_name(-HS_EMERGING_PERSISTENT),
                        "persistent cold spot");
    assert_string_equal(hs_emerging_name(HS_EMERGING_OSCILLATING),
                        "oscillating hot spot");
    assert_string_equal(hs_emerging_name(-HS_EMERGING_HISTORICAL),
                        "historical cold spot");
    assert_string_equal(hs_emerging_name(0), "no pattern detected");
    assert_string_equal(hs_emerging_name(9), "no pattern detected");
    assert_string_equal(hs_emerging_name(-9), "no pattern detected");
}

/* ---- the cube ---------------------------------------------------------- */

#define ROWS 8
#define COLS 10
#define NC (ROWS * COLS)
#define TM 12

/* Queen neighbours with the cell itself, ascending, as CSR. */
static size_t ST[NC + 1];
static uint32_t NB[NC * 9];

static void queen(void)
{
    size_t k = 0;
    for (int i = 0; i < NC; i++) {
        ST[i] = k;
        for (int j = 0; j < NC; j++)
            if (abs(i / COLS - j / COLS) <= 1 && abs(i % COLS - j % COLS) <= 1)
                NB[k++] = (uint32_t)j;
    }
    ST[NC] = k;
}

static int cell(int r, int c)
{
    return r * COLS + c;
}

static int in_block(int i, int r, int c) /* the 3 x 3 block centred (r, c) */
{
    return abs(i / COLS - r) <= 1 && abs(i % COLS - c) <= 1;
}

/* Background noise of 2, 3 and 4 (mean 3, little variance), and three
 * blocks: A (centred 2, 2) rising from 5 to 16; B (centred 5, 7) flat at
 * 3 and 15 in the final month; C (centred 6, 1) empty throughout.  (With
 * a noisier background C's months are not all significant after FDR:
 * Benjamini-Hochberg per month lets more through in the months where A
 * is strong, so C's equal z-scores get different bins.) */
static void make_cube(double *x, int T)
{
    uint32_t s = 5;
    for (int t = 0; t < T; t++)
        for (int i = 0; i < NC; i++) {
            uint32_t u = lcg(&s) % 100;
            double v = u < 25 ? 2 : u < 75 ? 3 : 4;
            if (in_block(i, 2, 2))
                v = 5 + t;
            else if (in_block(i, 5, 7))
                v = t == T - 1 ? 15 : 3;
            else if (in_block(i, 6, 1))
                v = 0;
            x[t * NC + i] = v;
        }
}

typedef struct brute {
    int W[TM * NC];
    double S[TM * NC];
    double z[TM * NC], p[TM * NC];
    double mean, var;
} brute;

/* Gi* on the cylinder: queen cells in month t and t - 1, by distance. */
static void brute_gi(const double *x, int T, brute *b)
{
    const int N = T * NC;
    double m = 0, v = 0;
    for (int k = 0; k < N; k++)
        m += x[k];
    m /= N;
    for (int k = 0; k < N; k++)
        v += (x[k] - m) * (x[k] - m);
    v /= N;
    b->mean = m;
    b->var = v;
    for (int t = 0; t < T; t++)
        for (int i = 0; i < NC; i++) {
            int W = 0;
            double S = 0;
            for (int u = t - 1; u <= t; u++)
                for (int j = 0; u >= 0 && j < NC; j++)
                    if (abs(i / COLS - j / COLS) <= 1 && abs(i % COLS - j % COLS) <= 1) {
                        W++;
                        S += x[u * NC + j];
                    }
            int k = t * NC + i;
            b->W[k] = W;
            b->S[k] = S;
            double den = v * ((double)N * W - (double)W * W) / (N - 1);
            b->z[k] = den > 0 ? (S - W * m) / sqrt(den) : NAN;
            b->p[k] = isnan(b->z[k]) ? NAN : 2 * (1 - 0.5 * erfc(-fabs(b->z[k]) / sqrt(2.0)));
        }
}

static int level(double q)
{
    return q <= 0.01 ? 3 : q <= 0.05 ? 2 : q <= 0.10 ? 1 : 0;
}

/* Everything of e against the brute force; R > 0: the pseudo-p rule with
 * e's p_sim, itself checked against hs_gi_stat on the brute W and S. */
static void check_cube(const double *x, int T, const hs_emerging *e,
                       const hs_emerging_opts *o)
{
    static brute b;
    const int N = T * NC;
    brute_gi(x, T, &b);
    assert_int_equal(e->n, NC);
    assert_int_equal(e->T, T);
    assert_same(b.mean, e->mean, 1e-12);
    assert_same(b.var, e->var, 1e-12);
    for (int k = 0; k < N; k++) {
        assert_same(b.z[k], e->z[k], 1e-10);
        assert_same(b.p[k], e->p[k], 1e-9);
    }
    static double psim[TM * NC], z2[TM * NC], p2[TM * NC], adj[NC];
    double m2, v2;
    hs_gi_opts go = {.permutations = o->permutations, .seed = o->seed, .threads = 1};
    assert_int_equal(hs_gi_stat((size_t)N, x, b.W, b.S, &go, z2, p2, psim, &m2,
                                &v2, NULL), HS_OK);
    double total = 0;
    for (int k = 0; k < N; k++)
        total += x[k];
    int lowered = 0;
    for (int t = 0; t < T; t++) {
        if (o->fdr)
            assert_int_equal(hs_bh_adjust(b.p + t * NC, NC, adj, NULL), HS_OK);
        else
            memcpy(adj, b.p + t * NC, sizeof adj);
        for (int i = 0; i < NC; i++) {
            int k = t * NC + i, a = isnan(adj[i]) ? 0 : level(adj[i]);
            int sgn = b.z[k] < 0 ? -1 : 1, from_p = a;
            if (o->permutations > 0) {
                /* p_sim: the same as for every bin, where p made it
                 * significant; NaN (not computed) elsewhere */
                if (from_p)
                    assert_true(psim[k] == e->p_sim[k]);
                else
                    assert_true(isnan(e->p_sim[k]) || psim[k] == e->p_sim[k]);
                double obs = (b.S[k] - x[k]) * (N - 1);
                double mean = (double)(b.W[k] - 1) * (total - x[k]);
                int side = obs > mean ? 1 : obs < mean ? -1 : 0;
                int cap = side == sgn ? level(psim[k]) : 0;
                a = a < cap ? a : cap;
                lowered += a < from_p;
            } else {
                assert_true(isnan(e->p_sim[k]));
            }
            assert_int_equal(e->bin[k], sgn * a);
        }
    }
    if (o->permutations > 0)
        assert_true(lowered > 0); /* the rule did something here */
    for (int i = 0; i < NC; i++) {
        double zs[TM], bz, bp;
        signed char bins[TM];
        int hot = 0, cold = 0;
        for (int t = 0; t < T; t++) {
            zs[t] = isnan(e->z[t * NC + i]) ? 0 : e->z[t * NC + i];
            bins[t] = e->bin[t * NC + i];
            hot += bins[t] >= 1;
            cold += bins[t] <= -1;
        }
        brute_mk(zs, (size_t)T, &bz, &bp);
        if (!hot && !cold) /* never significant: no trend worked out */
            bz = bp = NAN;
        assert_same(bz, e->trend_z[i], 1e-12);
        assert_same(bp, e->trend_p[i], 1e-9);
        assert_int_equal(e->months_hot[i], hot);
        assert_int_equal(e->months_cold[i], cold);
        assert_int_equal(e->last_bin[i], bins[T - 1]);
        assert_int_equal(e->category[i], hs_emerging_classify(bins, (size_t)T,
                                                              e->trend_z[i], e->trend_p[i]));
    }
}

static void same_results(const hs_emerging *a, const hs_emerging *b)
{
    size_t N = a->n * a->T;
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->T, b->T);
    assert_memory_equal(a->z, b->z, N * sizeof *a->z);
    assert_memory_equal(a->p, b->p, N * sizeof *a->p);
    assert_memory_equal(a->p_sim, b->p_sim, N * sizeof *a->p_sim);
    assert_memory_equal(a->bin, b->bin, N);
    assert_memory_equal(a->category, b->category, a->n * sizeof *a->category);
    assert_memory_equal(a->trend_z, b->trend_z, a->n * sizeof *a->trend_z);
    assert_memory_equal(a->trend_p, b->trend_p, a->n * sizeof *a->trend_p);
}

static void test_cube(void **state)
{
    (void)state;
    static double x[TM * NC];
    queen();
    make_cube(x, TM);
    const int A = cell(2, 2), B = cell(5, 7), C = cell(6, 1);
    for (int R = 0; R <= 199; R += 199)
        for (int fdr = 0; fdr <= 1; fdr++) {
            hs_emerging_opts o = {.permutations = R, .seed = 99, .fdr = fdr, .threads = 1};
            hs_emerging e1, e2;
            hs_error err = {0};
            assert_int_equal(hs_emerging_compute(NC, TM, x, ST, NB, &o, &e1, &err), HS_OK);
            check_cube(x, TM, &e1, &o);
            /* the designed cells come out as designed, either way */
            if (e1.category[A] != HS_EMERGING_INTENSIFYING ||
                e1.category[B] != HS_EMERGING_NEW ||
                e1.category[C] != -HS_EMERGING_PERSISTENT)
                fail_msg("R %d fdr %d: A %s, B %s, C %s", R, fdr,
                         hs_emerging_name(e1.category[A]),
                         hs_emerging_name(e1.category[B]),
                         hs_emerging_name(e1.category[C]));
            assert_true(e1.trend_p[A] <= 0.05 && e1.trend_z[A] > 0);
            assert_int_equal(e1.months_hot[B], 1);
            assert_true(e1.last_bin[B] >= 1);
            assert_true(e1.months_cold[C] >= 11);
            /* threads do not matter */
            o.threads = 2;
            assert_int_equal(hs_emerging_compute(NC, TM, x, ST, NB, &o, &e2, &err), HS_OK);
            same_results(&e1, &e2);
            /* dropping the cube keeps the cells' results (the job's use) */
            hs_emerging_drop_cube(&e2);
            assert_null(e2.z);
            assert_null(e2.p);
            assert_null(e2.p_sim);
            assert_null(e2.bin);
            assert_int_equal(e2.n, e1.n);
            assert_memory_equal(e1.category, e2.category, NC * sizeof *e1.category);
            assert_memory_equal(e1.trend_z, e2.trend_z, NC * sizeof *e1.trend_z);
            assert_memory_equal(e1.months_hot, e2.months_hot, NC * sizeof *e1.months_hot);
            assert_memory_equal(e1.months_cold, e2.months_cold, NC * sizeof *e1.months_cold);
            assert_memory_equal(e1.last_bin, e2.last_bin, NC);
            /* with a keep (the job's use): the cells' results the same
             * whatever the keep's arrays held before - a smaller cube's
             * (grown), then this one's, then a smaller one's again (stale
             * values past its end) - and the cube stays in the keep */
            hs_keep *kp = hs_keep_create();
            assert_non_null(kp);
            hs_emerging_opts ko = o;
            ko.keep = kp;
            for (int run = 0; run < 3; run++) {
                size_t T3 = run == 1 ? TM : TM / 2; /* x's first months */
                hs_emerging e3, e4;
                assert_int_equal(hs_emerging_compute(NC, T3, x, ST, NB, &ko, &e3, &err), HS_OK);
                assert_null(e3.z);
                assert_null(e3.p);
                assert_null(e3.p_sim);
                assert_null(e3.bin);
                assert_int_equal(hs_emerging_compute(NC, T3, x, ST, NB, &o, &e4, &err), HS_OK);
                hs_emerging_drop_cube(&e4);
                assert_int_equal(e3.n, e4.n);
                assert_int_equal(e3.T, e4.T);
                assert_memory_equal(e3.category, e4.category, NC * sizeof *e3.category);
                assert_memory_equal(e3.trend_z, e4.trend_z, NC * sizeof *e3.trend_z);
                assert_memory_equal(e3.trend_p, e4.trend_p, NC * sizeof *e3.trend_p);
                assert_memory_equal(e3.months_hot, e4.months_hot, NC * sizeof *e3.months_hot);
                assert_memory_equal(e3.months_cold, e4.months_cold, NC * sizeof *e3.months_cold);
                assert_memory_equal(e3.last_bin, e4.last_bin, NC);
                assert_true(e3.mean == e4.mean && e3.var == e4.var);
                if (run == 1)
                    assert_memory_equal(e3.category, e1.category, NC * sizeof *e1.category);
                hs_emerging_free(&e3);
                hs_emerging_free(&e4);
            }
            hs_keep_destroy(kp);
            hs_emerging_free(&e1);
            hs_emerging_free(&e2);
        }
}

/* A cube of weight sums (shares of incidents' time windows, say): make_cube
 * scaled by a quarter plus eighths of noise, so every sum is exact and
 * the brute force's side rule compares the same doubles; and tenths (not
 * binary fractions), z alone.  z, p, the bins, the pseudo-p rule and the
 * trends as the brute force. */
static void test_fractional_cube(void **state)
{
    (void)state;
    static double x[TM * NC];
    queen();
    make_cube(x, TM);
    uint32_t s = 8;
    for (int k = 0; k < TM * NC; k++)
        x[k] = 0.25 * x[k] + 0.125 * (double)(lcg(&s) % 4);
    for (int R = 0; R <= 199; R += 199)
        for (int fdr = 0; fdr <= 1; fdr++) {
            hs_emerging_opts o = {.permutations = R, .seed = 3, .fdr = fdr, .threads = 2};
            hs_emerging e;
            hs_error err = {0};
            assert_int_equal(hs_emerging_compute(NC, TM, x, ST, NB, &o, &e, &err), HS_OK);
            check_cube(x, TM, &e, &o);
            assert_true(e.months_hot[cell(2, 2)] > 0); /* block A rises */
            hs_emerging_free(&e);
        }
    make_cube(x, TM);
    for (int k = 0; k < TM * NC; k++)
        x[k] = 0.3 * x[k] + 0.1 * (double)(lcg(&s) % 3);
    hs_emerging_opts o = {.permutations = 0, .fdr = 1, .threads = 1};
    hs_emerging e;
    assert_int_equal(hs_emerging_compute(NC, TM, x, ST, NB, &o, &e, NULL), HS_OK);
    check_cube(x, TM, &e, &o);
    hs_emerging_free(&e);
}

/*
 * The pseudo-p rule on two cases.  A lone incident at month 0 in a cube
 * of three: the normal approximation calls it hot at 99% (z = 3.2,
 * without FDR), the permutations do not (its neighbours are empty like
 * most bins).  A spike of 200 among empty neighbours in a cube of 2s: z is
 * hot (p < 0.01) and p_sim is 1 / (R + 1), but from the lower tail (no
 * simulation draws 17 zeros): the neighbourhood is significantly low, so
 * the hot bin is not confirmed.
 */
static void test_pseudo_p(void **state)
{
    (void)state;
    enum { T = 4, N = T * NC };
    static double x[N];
    queen();
    hs_error err = {0};
    hs_emerging e;
    const int lone = cell(3, 4), spike = 2 * NC + cell(3, 4);

    memset(x, 0, sizeof x);
    x[lone] = 1;
    x[2 * NC + cell(6, 1)] = 1;
    x[3 * NC + cell(1, 8)] = 1;
    hs_emerging_opts o = {.permutations = 0, .seed = 1, .fdr = 0, .threads = 1};
    assert_int_equal(hs_emerging_compute(NC, T, x, ST, NB, &o, &e, &err), HS_OK);
    assert_true(e.z[lone] > 0 && e.p[lone] <= 0.01);
    assert_int_equal(e.bin[lone], 3);
    hs_emerging_free(&e);
    o.permutations = 199;
    assert_int_equal(hs_emerging_compute(NC, T, x, ST, NB, &o, &e, &err), HS_OK);
    assert_true(e.p_sim[lone] > 0.5);
    assert_int_equal(e.bin[lone], 0);
    check_cube(x, T, &e, &o);
    hs_emerging_free(&e);

    for (int k = 0; k < N; k++)
        x[k] = 2;
    for (int t = 1; t <= 2; t++)
        for (int i = 0; i < NC; i++)
            if (in_block(i, 3, 4))
                x[t * NC + i] = 0;
    x[spike] = 200;
    o.permutations = 0;
    assert_int_equal(hs_emerging_compute(NC, T, x, ST, NB, &o, &e, &err), HS_OK);
    assert_true(e.z[spike] > 0 && e.p[spike] <= 0.01);
    assert_int_equal(e.bin[spike], 3);
    hs_emerging_free(&e);
    o.permutations = 199;
    assert_int_equal(hs_emerging_compute(NC, T, x, ST, NB, &o, &e, &err), HS_OK);
    assert_true(e.p_sim[spike] <= 0.01);
    assert_int_equal(e.bin[spike], 0);
    check_cube(x, T, &e, &o);
    hs_emerging_free(&e);
}

/* A constant cube: no z anywhere (s² = 0), taken as 0 for the trend: all
 * tied, no trend, no bins, no pattern. */
static void test_constant(void **state)
{
    (void)state;
    static double x[TM * NC];
    queen();
    for (int k = 0; k < TM * NC; k++)
        x[k] = 3;
    hs_emerging_opts o = {.permutations = 19, .seed = 1, .fdr = 1, .threads = 2};
    hs_emerging e;
    assert_int_equal(hs_emerging_compute(NC, TM, x, ST, NB, &o, &e, NULL), HS_OK);
    for (int k = 0; k < TM * NC; k++)
        assert_true(isnan(e.z[k]) && e.bin[k] == 0);
    for (int i = 0; i < NC; i++)
        assert_true(e.category[i] == 0 && isnan(e.trend_z[i]) &&
                    isnan(e.trend_p[i]) && e.months_hot[i] == 0);
    hs_emerging_free(&e);
    hs_emerging_free(&e); /* twice, and NULL: harmless */
    hs_emerging_free(NULL);
}

static void expect_arg(hs_status rc, const hs_error *err, const hs_emerging *e,
                       const char *words)
{
    assert_int_equal(rc, HS_ERR_ARG);
    assert_int_equal(err->code, HS_ERR_ARG);
    if (!strstr(err->msg, words))
        fail_msg("\"%s\" lacks \"%s\"", err->msg, words);
    assert_null(e->z);
    assert_null(e->category);
    assert_int_equal(e->n, 0);
}

static void test_bad_input(void **state)
{
    (void)state;
    static double x[TM * NC];
    queen();
    make_cube(x, TM);
    hs_emerging_opts o = {.permutations = 9, .seed = 1, .fdr = 1, .threads = 1};
    hs_emerging e;
    hs_error err = {0};
    expect_arg(hs_emerging_compute(NC, 0, x, ST, NB, &o, &e, &err), &err, &e,
               "nothing to analyse");
    expect_arg(hs_emerging_compute(0, TM, x, ST, NB, &o, &e, &err), &err, &e,
               "nothing to analyse");
    expect_arg(hs_emerging_compute(NC, TM, NULL, ST, NB, &o, &e, &err), &err, &e,
               "missing");
    expect_arg(hs_emerging_compute(NC, TM, x, NULL, NB, &o, &e, &err), &err, &e,
               "missing");
    expect_arg(hs_emerging_compute(NC, TM, x, ST, NULL, &o, &e, &err), &err, &e,
               "missing");
    expect_arg(hs_emerging_compute(NC, TM, x, ST, NB, NULL, &e, &err), &err, &e,
               "missing");
    assert_int_equal(hs_emerging_compute(NC, TM, x, ST, NB, &o, NULL, &err), HS_ERR_ARG);
    /* 2^20 cells x 2^12 months = 2^32 bins: one too many (nothing read) */
    expect_arg(hs_emerging_compute((size_t)1 << 20, (size_t)1 << 12, x, ST, NB, &o,
                                   &e, &err), &err, &e, "2^32 - 1");
    expect_arg(hs_emerging_compute(SIZE_MAX / 2, 3, x, ST, NB, &o, &e, &err), &err,
               &e, "2^32 - 1");
    o.permutations = -1;
    expect_arg(hs_emerging_compute(NC, TM, x, ST, NB, &o, &e, &err), &err, &e,
               "-1 permutations");
    o.permutations = 9;
    /* neighbour lists: a cell beyond n, a list without its cell, a list
     * ending before it starts */
    static uint32_t nb[NC * 9];
    static size_t st[NC + 1];
    memcpy(nb, NB, sizeof nb);
    memcpy(st, ST, sizeof st);
    nb[ST[5]] = NC;
    expect_arg(hs_emerging_compute(NC, TM, x, st, nb, &o, &e, &err), &err, &e,
               "beyond the 80 cells");
    memcpy(nb, NB, sizeof nb);
    st[7] = st[8] - 1; /* cell 7's list loses its first entries */
    for (size_t k = st[7]; k < st[8]; k++)
        nb[k] = 0;
    expect_arg(hs_emerging_compute(NC, TM, x, st, nb, &o, &e, &err), &err, &e,
               "cell 7 is not in its own neighbour list");
    memcpy(nb, NB, sizeof nb);
    memcpy(st, ST, sizeof st);
    st[3] = st[4] + 1;
    expect_arg(hs_emerging_compute(NC, TM, x, st, nb, &o, &e, &err), &err, &e,
               "not usable");
    /* a negative count, one not a number */
    x[5 * NC + 17] = -2;
    expect_arg(hs_emerging_compute(NC, TM, x, ST, NB, &o, &e, &err), &err, &e,
               "cell 17, month 5: count -2");
    x[5 * NC + 17] = 1;
    x[2 * NC + 4] = NAN;
    expect_arg(hs_emerging_compute(NC, TM, x, ST, NB, &o, &e, &err), &err, &e,
               "cell 4, month 2: count nan");
    x[2 * NC + 4] = INFINITY;
    expect_arg(hs_emerging_compute(NC, TM, x, ST, NB, &o, &e, &err), &err, &e,
               "not a number");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mann_kendall),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_cube),
        cmocka_unit_test(test_fractional_cube),
        cmocka_unit_test(test_pseudo_p),
        cmocka_unit_test(test_constant),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
