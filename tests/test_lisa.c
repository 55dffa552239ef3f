/*
 * test_lisa.c - lisa.h on cases worked by hand (five areas in a line,
 * Empirical Bayes standardisation, islands, ties, quadrants, FDR) and
 * against a brute force written here: the formulas term by term and the
 * permutations re-drawn from splitmix64 as lisa.h states them.  (R spdep
 * localmoran checks real areas in test_lisa_spdep.sh.)
 */
#include "util.h"

#include <math.h>

#include "analysis/gistar.h"
#include "analysis/lisa.h"

#define NEAR(a, b) assert_true(fabs((a) - (double)(b)) <= 1e-12 * (1 + fabs((double)(b))))

/* Neighbour lists from an edge list (both ways). */
static void make_nb(hs_nb *nb, size_t n, const int (*edge)[2], size_t ne)
{
    nb->n = n;
    nb->start = calloc(n + 1, sizeof *nb->start);
    nb->nb = malloc((2 * ne + 1) * sizeof *nb->nb);
    assert_non_null(nb->start);
    assert_non_null(nb->nb);
    for (size_t e = 0; e < ne; e++) {
        nb->start[edge[e][0] + 1]++;
        nb->start[edge[e][1] + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        nb->start[i + 1] += nb->start[i];
    size_t *fill = malloc((n + 1) * sizeof *fill);
    memcpy(fill, nb->start, n * sizeof *fill);
    for (size_t i = 0; i < n; i++) /* ascending: each i in order */
        for (size_t j = 0; j < n; j++)
            for (size_t e = 0; e < ne; e++)
                if (((size_t)edge[e][0] == i && (size_t)edge[e][1] == j) ||
                    ((size_t)edge[e][1] == i && (size_t)edge[e][0] == j))
                    nb->nb[fill[i]++] = (uint32_t)j;
    free(fill);
}

static const hs_lisa_opts OPTS = {HS_LISA_EB, 999, 7, 0, 0.05};

/* ---- brute force -------------------------------------------------------- */

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double sum_sorted(double *v, int k)
{
    qsort(v, (size_t)k, sizeof *v, cmp_d);
    double s = 0;
    for (int t = 0; t < k; t++)
        s += v[t];
    return s;
}

/* Every figure of l from x and nb, the draws made again. */
static void brute_check(const double *x, size_t N, const hs_nb *nb,
                        const hs_lisa_opts *o, const hs_lisa *l)
{
    size_t pos[400], place[400], n = 0;
    assert_true(N <= 400);
    double mean = 0, m2 = 0;
    for (size_t i = 0; i < N; i++)
        if (!isnan(x[i])) {
            place[i] = n;
            pos[n++] = i;
            mean += x[i];
        }
    assert_int_equal(l->n, n);
    mean /= (double)n;
    for (size_t q = 0; q < n; q++)
        m2 += (x[pos[q]] - mean) * (x[pos[q]] - mean);
    m2 /= (double)n;
    NEAR(l->mean, mean);
    NEAR(l->m2, m2);
    double psim[400];
    for (size_t i = 0; i < N; i++) {
        psim[i] = NAN;
        if (isnan(x[i])) {
            assert_int_equal(l->in[i], 0);
            assert_int_equal(l->quadrant[i], HS_LISA_OUT);
            assert_true(isnan(l->value[i]) && isnan(l->local_i[i]) &&
                        isnan(l->p_sim[i]));
            continue;
        }
        double v[64], zi = x[i] - mean, lag = 0;
        int k = 0;
        for (size_t e = nb->start[i]; e < nb->start[i + 1]; e++)
            if (!isnan(x[nb->nb[e]])) {
                v[k++] = x[nb->nb[e]];
                lag += x[nb->nb[e]] - mean;
            }
        assert_int_equal(l->nbrs[i], k);
        assert_true(l->value[i] == x[i]);
        if (k == 0) {
            assert_true(isnan(l->local_i[i]) && isnan(l->p_sim[i]));
            assert_int_equal(l->quadrant[i], HS_LISA_NS);
            continue;
        }
        lag /= k;
        double I = zi / m2 * lag, dn = (double)n;
        double E = -zi * zi / ((dn - 1) * m2);
        double V = zi * zi / (m2 * m2) * dn / (dn - 2) * (1.0 / k - 1 / (dn - 1)) *
                   (m2 - zi * zi / (dn - 1));
        NEAR(l->lag[i], lag);
        NEAR(l->local_i[i], I);
        NEAR(l->e_i[i], E);
        NEAR(l->var_i[i], V);
        if (V > 0) {
            NEAR(l->z_i[i], (I - E) / sqrt(V));
            NEAR(l->p_z[i], erfc(fabs((I - E) / sqrt(V)) / sqrt(2.0)));
        } else {
            assert_true(isnan(l->z_i[i]) && isnan(l->p_z[i]));
        }
        double obs = sum_sorted(v, k);
        uint64_t s = mix64(o->seed ^ mix64((uint64_t)i));
        long hi = 0, lo = 0;
        for (int r = 0; r < o->permutations; r++) {
            size_t got[64];
            for (int t = 0; t < k; t++) {
                for (;;) {
                    s += 0x9E3779B97F4A7C15u;
                    size_t u = (size_t)(((unsigned __int128)mix64(s) *
                                         (uint64_t)(n - 1)) >> 64);
                    u = u < place[i] ? u : u + 1;
                    int seen = 0;
                    for (int w = 0; w < t; w++)
                        seen |= got[w] == u;
                    if (!seen) {
                        got[t] = u;
                        break;
                    }
                }
                v[t] = x[pos[got[t]]];
            }
            double sim = sum_sorted(v, k);
            hi += sim >= obs;
            lo += sim <= obs;
        }
        psim[i] = zi == 0 ? 1 : (double)((hi < lo ? hi : lo) + 1) / (o->permutations + 1);
        if (l->p_sim[i] != psim[i])
            fail_msg("area %zu: p_sim %.17g, brute force %.17g", i, l->p_sim[i],
                     psim[i]);
    }
    double adj[400];
    hs_error err = {0};
    assert_int_equal(hs_bh_adjust(psim, N, adj, &err), HS_OK);
    for (size_t i = 0; i < N; i++) {
        if (isnan(adj[i])) {
            assert_true(isnan(l->p_fdr[i]));
            continue;
        }
        assert_true(l->p_fdr[i] == adj[i]);
        double p = o->fdr ? adj[i] : psim[i];
        int q = HS_LISA_NS;
        if (p <= o->alpha)
            q = x[i] - mean > 0 ? (l->lag[i] > 0 ? HS_LISA_HH : HS_LISA_HL)
                                : (l->lag[i] > 0 ? HS_LISA_LH : HS_LISA_LL);
        assert_int_equal(l->quadrant[i], q);
    }
}

/* ---- hand-worked ------------------------------------------------------- */

/* Five areas in a line, 0-1-2-3-4, x = 1 2 3 6 8: x̄ = 4, z = -3 -2 -1 2
 * 4, m2 = (9 + 4 + 1 + 4 + 16) / 5 = 6.8; lags -2, (-3 - 1)/2 = -2,
 * (-2 + 2)/2 = 0, (-1 + 4)/2 = 1.5, 2; I = z lag / 6.8 = 6/6.8, 4/6.8, 0,
 * 3/6.8, 8/6.8; E = -z² / (4 x 6.8); Var = (z/6.8)² (5/3) (1/k - 1/4)
 * (6.8 - z²/4).  (spdep localmoran gives the same to 15 digits: Var
 * 1.106996107266436, 0.209054209919262, 0.059021770472895, ...)
 * Permutations, exactly: area 0 keeps x = 1 and draws one of 2 3 6 8 for
 * its neighbour's 2: <= 2 in 1 of 4, p -> 1/4; area 4 likewise; area 1
 * draws two of 1 3 6 8 (six pairs, sums 4 7 9 9 11 14) against 1 + 3 =
 * 4: p -> 1/6; area 3 (pairs of 1 2 3 8 against 3 + 8 = 11) 1/6; area 2
 * (pairs of 1 2 6 8, sums 3 7 9 8 10 14, against 2 + 6 = 8, which ties
 * once: 4 of 6 >=, 3 of 6 <=): p -> 1/2. */
static void test_line(void **state)
{
    (void)state;
    const int edge[][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 4}};
    hs_nb nb;
    make_nb(&nb, 5, edge, 4);
    const double x[5] = {1, 2, 3, 6, 8};
    hs_lisa_opts o = OPTS;
    o.permutations = 9999;
    o.alpha = 0.6;
    hs_lisa l;
    hs_error err = {0};
    assert_int_equal(hs_lisa_compute(x, 5, &nb, &o, &l, &err), HS_OK);
    assert_int_equal(l.n, 5);
    NEAR(l.mean, 4);
    NEAR(l.m2, 6.8);
    const double lag[5] = {-2, -2, 0, 1.5, 2}, I[5] = {6 / 6.8, 4 / 6.8, 0, 3 / 6.8, 8 / 6.8};
    const double z2[5] = {9, 4, 1, 4, 16}, k[5] = {1, 2, 2, 2, 1};
    const double Vspdep[5] = {1.106996107266436, 0.209054209919262,
                              0.059021770472895, 0.209054209919262,
                              1.211072664359861};
    for (int i = 0; i < 5; i++) {
        NEAR(l.lag[i], lag[i]);
        NEAR(l.local_i[i], I[i]);
        NEAR(l.e_i[i], -z2[i] / (4 * 6.8));
        double V = z2[i] / (6.8 * 6.8) * 5.0 / 3 * (1 / k[i] - 0.25) * (6.8 - z2[i] / 4);
        NEAR(l.var_i[i], V);
        assert_true(fabs(l.var_i[i] - Vspdep[i]) < 1e-14);
        assert_int_equal(l.nbrs[i], (int)k[i]);
    }
    assert_true(fabs(l.z_i[0] - 1.153113320394110) < 1e-13);
    assert_true(fabs(l.p_z[0] - 0.248863874937922) < 1e-13);
    const double p[5] = {0.25, 1 / 6.0, 0.5, 1 / 6.0, 0.25};
    for (int i = 0; i < 5; i++)
        if (fabs(l.p_sim[i] - p[i]) > 0.02)
            fail_msg("area %d: p_sim %g, expected about %g", i, l.p_sim[i], p[i]);
    /* alpha 0.6, no FDR: all significant; area 2 (z -1, lag exactly 0)
     * is LL: 0 counts as low */
    const int q[5] = {HS_LISA_LL, HS_LISA_LL, HS_LISA_LL, HS_LISA_HH, HS_LISA_HH};
    for (int i = 0; i < 5; i++)
        assert_int_equal(l.quadrant[i], q[i]);
    brute_check(x, 5, &nb, &o, &l);
    hs_lisa_free(&l);

    /* alpha 0.2: only areas 1 and 3 (p near 1/6) */
    o.alpha = 0.2;
    assert_int_equal(hs_lisa_compute(x, 5, &nb, &o, &l, &err), HS_OK);
    const int q2[5] = {HS_LISA_NS, HS_LISA_LL, HS_LISA_NS, HS_LISA_HH, HS_LISA_NS};
    for (int i = 0; i < 5; i++)
        assert_int_equal(l.quadrant[i], q2[i]);
    /* with FDR: BH of (1/4, 1/6, 1/2, 1/6, 1/4) is about 0.31, 0.31,
     * 0.5, 0.31, 0.31: none */
    hs_lisa_free(&l);
    o.fdr = 1;
    assert_int_equal(hs_lisa_compute(x, 5, &nb, &o, &l, &err), HS_OK);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(l.quadrant[i], HS_LISA_NS);
        assert_true(l.p_fdr[i] >= l.p_sim[i]);
    }
    brute_check(x, 5, &nb, &o, &l);
    hs_lisa_free(&l);
    hs_nb_free(&nb);
}

/* EB standardisation by hand.
 * (1) O = 10 40 0 5, P = 100 each (and three areas out: P = 0, P NaN,
 * O NaN): b = 55/400 = 0.1375; r - b = -0.0375 0.2625 -0.1375 -0.0875;
 * s² = 100 (0.00140625 + 0.06890625 + 0.01890625 + 0.00765625) / 400 =
 * 0.02421875; a = s² - b / (400/4) = 0.02284375 (spdep EBest's a);
 * v = a + b/100 = 0.02421875 = s² (equal populations), x = (r - b) /
 * sqrt(0.02421875).
 * (2) O = 1 4 0, P = 100 200 100: b = 0.0125, r - b = -0.0025 0.0075
 * -0.0125, s² = (100 x 6.25e-6 + 200 x 5.625e-5 + 100 x 1.5625e-4) / 400
 * = 6.875e-5 < b / (400/3) = 9.375e-5: a = 0 (clamped); v = b / P;
 * x² = 6.25e-6 / 1.25e-4 = 0.05, 5.625e-5 / 6.25e-5 = 0.9, 1.5625e-4 /
 * 1.25e-4 = 1.25. */
static void test_eb(void **state)
{
    (void)state;
    const double O[7] = {10, 40, 0, 5, 3, 2, NAN}, P[7] = {100, 100, 100, 100, 0, NAN, 100};
    double x[7], b, a;
    int cl;
    hs_error err = {0};
    assert_int_equal(hs_lisa_eb(O, P, 7, x, &b, &a, &cl, &err), HS_OK);
    NEAR(b, 0.1375);
    NEAR(a, 0.02284375);
    assert_int_equal(cl, 0);
    const double d[4] = {-0.0375, 0.2625, -0.1375, -0.0875};
    for (int i = 0; i < 4; i++)
        NEAR(x[i], d[i] / sqrt(0.02421875));
    assert_true(isnan(x[4]) && isnan(x[5]) && isnan(x[6]));

    const double O2[3] = {1, 4, 0}, P2[3] = {100, 200, 100};
    assert_int_equal(hs_lisa_eb(O2, P2, 3, x, &b, &a, &cl, &err), HS_OK);
    NEAR(b, 0.0125);
    assert_true(a == 0 && cl == 1);
    NEAR(x[0], -sqrt(0.05));
    NEAR(x[1], sqrt(0.9));
    NEAR(x[2], -sqrt(1.25));

    /* through hs_lisa_rates: the same values, and b, a reported */
    const int edge[][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}};
    hs_nb nb;
    make_nb(&nb, 7, edge, 6);
    hs_lisa l;
    assert_int_equal(hs_lisa_rates(O, P, 7, &nb, &OPTS, &l, &err), HS_OK);
    assert_int_equal(l.n, 4);
    NEAR(l.eb_b, 0.1375);
    NEAR(l.eb_a, 0.02284375);
    for (int i = 0; i < 4; i++)
        NEAR(l.value[i], d[i] / sqrt(0.02421875));
    for (int i = 4; i < 7; i++) {
        assert_int_equal(l.quadrant[i], HS_LISA_OUT);
        assert_null(hs_lisa_quad_name(l.quadrant[i]));
    }
    assert_int_equal(l.nbrs[3], 1); /* area 4 is out */
    hs_lisa_free(&l);
    /* plain rates: x = O / P */
    hs_lisa_opts o = OPTS;
    o.var = HS_LISA_RATE;
    assert_int_equal(hs_lisa_rates(O, P, 7, &nb, &o, &l, &err), HS_OK);
    for (int i = 0; i < 4; i++)
        assert_true(l.value[i] == O[i] / P[i]);
    assert_true(isnan(l.eb_b));
    /* local I does not depend on the rate's scale */
    double xr[7];
    for (int i = 0; i < 7; i++)
        xr[i] = i < 4 ? 1000 * O[i] / P[i] : NAN;
    hs_lisa l2;
    assert_int_equal(hs_lisa_compute(xr, 7, &nb, &o, &l2, &err), HS_OK);
    for (int i = 0; i < 4; i++) {
        NEAR(l2.local_i[i], l.local_i[i]);
        NEAR(l2.z_i[i], l.z_i[i]);
    }
    hs_lisa_free(&l);
    hs_lisa_free(&l2);

    /* no incidents anywhere: every x is 0, no statistic */
    const double O0[3] = {0, 0, 0};
    assert_int_equal(hs_lisa_rates(O0, P2, 3, &nb, &OPTS, &l, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "neighbour lists for 7 areas"));
    hs_nb_free(&nb);
    make_nb(&nb, 3, edge, 2);
    assert_int_equal(hs_lisa_rates(O0, P2, 3, &nb, &OPTS, &l, &err), HS_OK);
    for (int i = 0; i < 3; i++) {
        assert_true(l.value[i] == 0);
        assert_true(isnan(l.local_i[i]) && isnan(l.p_sim[i]));
        assert_int_equal(l.quadrant[i], HS_LISA_NS);
    }
    assert_true(l.eb_b == 0 && l.eb_a == 0);
    hs_lisa_free(&l);
    /* a negative count or an infinite population is an error */
    const double Oneg[3] = {1, -1, 0}, Pinf[3] = {100, INFINITY, 100};
    assert_int_equal(hs_lisa_rates(Oneg, P2, 3, &nb, &OPTS, &l, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "area 1"));
    assert_int_equal(hs_lisa_rates(O2, Pinf, 3, &nb, &OPTS, &l, &err), HS_ERR_ARG);
    o.var = (hs_lisa_var)9;
    assert_int_equal(hs_lisa_rates(O2, P2, 3, &nb, &o, &l, &err), HS_ERR_ARG);
    hs_nb_free(&nb);
}

/* Islands: 0-1-2-3 in a line, 4 alone, 5 whose one neighbour (6) is out.
 * Both islands count in n = 6 and in x̄ = 25/6, but have no statistic
 * and stay out of the FDR. */
static void test_islands(void **state)
{
    (void)state;
    const int edge[][2] = {{0, 1}, {1, 2}, {2, 3}, {5, 6}};
    hs_nb nb;
    make_nb(&nb, 7, edge, 4);
    const double x[7] = {1, 2, 3, 4, 10, 5, NAN};
    hs_lisa_opts o = OPTS;
    o.fdr = 1;
    hs_lisa l;
    hs_error err = {0};
    assert_int_equal(hs_lisa_compute(x, 7, &nb, &o, &l, &err), HS_OK);
    assert_int_equal(l.n, 6);
    NEAR(l.mean, 25.0 / 6);
    for (int i = 4; i <= 5; i++) {
        assert_int_equal(l.nbrs[i], 0);
        assert_true(isnan(l.lag[i]) && isnan(l.local_i[i]) && isnan(l.z_i[i]));
        assert_true(isnan(l.p_sim[i]) && isnan(l.p_fdr[i]));
        assert_int_equal(l.quadrant[i], HS_LISA_NS);
        assert_true(l.in[i] == 1 && l.value[i] == x[i]);
    }
    /* area 0: z = 1 - 25/6 = -19/6, lag = 2 - 25/6 = -13/6 */
    double m2 = 0;
    for (int i = 0; i < 6; i++)
        m2 += (x[i] - 25.0 / 6) * (x[i] - 25.0 / 6);
    m2 /= 6;
    NEAR(l.local_i[0], (-19.0 / 6) / m2 * (-13.0 / 6));
    brute_check(x, 7, &nb, &o, &l);
    hs_lisa_free(&l);
    hs_nb_free(&nb);
}

/* Ties.  x = 0 0 0 1 in a line: area 0 draws one of 0 0 1 for its
 * neighbour's 0, equal in 2 of 3 simulations: counted on both sides, p
 * near 2/3 (counted on one side, as spdep, all R simulations are >= and
 * none is below: it would look significant).  x = 1 2 3 in a line: area
 * 1 is the mean, z = 0: every simulation ties, p_sim = 1, and Var = 0, so
 * no Z. */
/* A tie that rounding hides in some orders: area 0's neighbours hold 0.1,
 * 0.2 and 0.3, whose ascending sum is 0.6000000000000001 but 0.3 + 0.2 +
 * 0.1 = 0.6; a simulation drawing those three (1 set of the 10; the others
 * sum lower) must tie whatever order it drew them in, as brute_check's
 * ascending sums say.  (Summed in draw order alone, 2 orders of 6 fall
 * below and area 0's p_sim comes out lower.) */
static void test_order_ties(void **state)
{
    (void)state;
    const int edge[][2] = {{0, 1}, {0, 2}, {0, 3}, {3, 4}, {4, 5}};
    hs_nb nb;
    make_nb(&nb, 6, edge, 5);
    const double x[6] = {1.0, 0.1, 0.2, 0.3, 0.01, 0.02};
    assert_true((0.1 + 0.2) + 0.3 != (0.3 + 0.2) + 0.1); /* the premise */
    hs_lisa_opts o = OPTS;
    o.permutations = 999;
    hs_lisa l;
    hs_error err = {0};
    assert_int_equal(hs_lisa_compute(x, 6, &nb, &o, &l, &err), HS_OK);
    /* about 1 in 10 simulations ties (k_hi), the rest are below */
    assert_true(l.p_sim[0] > 0.05 && l.p_sim[0] < 0.15);
    brute_check(x, 6, &nb, &o, &l);
    hs_lisa_free(&l);
    hs_nb_free(&nb);
}

static void test_ties(void **state)
{
    (void)state;
    const int edge[][2] = {{0, 1}, {1, 2}, {2, 3}};
    hs_nb nb;
    make_nb(&nb, 4, edge, 3);
    const double x[4] = {0, 0, 0, 1};
    hs_lisa_opts o = OPTS;
    o.permutations = 9999;
    hs_lisa l;
    hs_error err = {0};
    assert_int_equal(hs_lisa_compute(x, 4, &nb, &o, &l, &err), HS_OK);
    assert_true(fabs(l.p_sim[0] - 2 / 3.0) < 0.02);
    brute_check(x, 4, &nb, &o, &l);
    hs_lisa_free(&l);
    hs_nb_free(&nb);

    make_nb(&nb, 3, edge, 2);
    const double y[3] = {1, 2, 3};
    assert_int_equal(hs_lisa_compute(y, 3, &nb, &o, &l, &err), HS_OK);
    assert_true(l.p_sim[1] == 1.0);
    assert_true(l.local_i[1] == 0 && l.var_i[1] == 0 && isnan(l.z_i[1]));
    assert_int_equal(l.quadrant[1], HS_LISA_NS);
    hs_lisa_free(&l);
    /* all equal, or fewer than 3 areas: no statistic, nothing significant */
    const double c[3] = {5, 5, 5};
    assert_int_equal(hs_lisa_compute(c, 3, &nb, &o, &l, &err), HS_OK);
    for (int i = 0; i < 3; i++)
        assert_true(isnan(l.local_i[i]) && isnan(l.p_sim[i]) &&
                    l.quadrant[i] == HS_LISA_NS);
    hs_lisa_free(&l);
    const double two[3] = {1, NAN, 3};
    assert_int_equal(hs_lisa_compute(two, 3, &nb, &o, &l, &err), HS_OK);
    assert_true(l.n == 2 && isnan(l.local_i[0]) && l.quadrant[0] == HS_LISA_NS);
    hs_lisa_free(&l);
    hs_nb_free(&nb);
}

/* A 12 x 12 grid, queen neighbours: a high cluster in one corner (4 x 4),
 * a low one in the other (6 x 6), a lone high value among the lows and a
 * lone low among the highs: every figure against the brute force, with FDR on and off. */
#define GS 12
static void grid(hs_nb *nb, double *x)
{
    int (*edge)[2] = malloc(4 * GS * GS * sizeof *edge);
    size_t ne = 0;
    for (int r = 0; r < GS; r++)
        for (int c = 0; c < GS; c++) {
            const int d[4][2] = {{0, 1}, {1, -1}, {1, 0}, {1, 1}};
            for (int k = 0; k < 4; k++) {
                int rr = r + d[k][0], cc = c + d[k][1];
                if (rr < GS && cc >= 0 && cc < GS) {
                    edge[ne][0] = r * GS + c;
                    edge[ne++][1] = rr * GS + cc;
                }
            }
        }
    make_nb(nb, GS * GS, (const int (*)[2])edge, ne);
    free(edge);
    uint32_t s = 11;
    for (int i = 0; i < GS * GS; i++) {
        s = s * 1664525u + 1013904223u;
        int r = i / GS, c = i % GS;
        x[i] = (s >> 8) / 16777216.0;                 /* noise in [0, 1) */
        if (r < 4 && c < 4)
            x[i] += 3;                                /* high corner */
        if (r >= 6 && c >= 6)
            x[i] -= 2;                                /* low corner */
    }
    x[8 * GS + 8] = 6;    /* a lone high inside the low corner */
    x[1 * GS + 1] = -3;   /* a lone low inside the high corner */
}

static void test_grid(void **state)
{
    (void)state;
    hs_nb nb;
    double x[GS * GS];
    grid(&nb, x);
    hs_error err = {0};
    hs_lisa l0, l1;
    hs_lisa_opts o = OPTS;
    assert_int_equal(hs_lisa_compute(x, GS * GS, &nb, &o, &l0, &err), HS_OK);
    brute_check(x, GS * GS, &nb, &o, &l0);
    o.fdr = 1;
    assert_int_equal(hs_lisa_compute(x, GS * GS, &nb, &o, &l1, &err), HS_OK);
    brute_check(x, GS * GS, &nb, &o, &l1);
    int n0[5] = {0}, n1[5] = {0};
    for (int i = 0; i < GS * GS; i++) {
        n0[l0.quadrant[i]]++;
        n1[l1.quadrant[i]]++;
        assert_true(l0.p_sim[i] == l1.p_sim[i]);
    }
    /* the corners' centres, the lone values */
    assert_int_equal(l0.quadrant[1 * GS + 2], HS_LISA_HH);
    assert_int_equal(l1.quadrant[10 * GS + 10], HS_LISA_LL);
    assert_int_equal(l0.quadrant[8 * GS + 8], HS_LISA_HL);
    assert_int_equal(l0.quadrant[1 * GS + 1], HS_LISA_LH);
    assert_true(n0[HS_LISA_HH] >= 8 && n0[HS_LISA_LL] >= 5);
    /* FDR keeps fewer */
    assert_true(n1[HS_LISA_NS] > n0[HS_LISA_NS]);
    assert_true(n1[HS_LISA_HH] > 0 && n1[HS_LISA_LL] > 0);
    assert_string_equal(hs_lisa_quad_name(HS_LISA_HL), "HL");
    assert_string_equal(hs_lisa_quad_name(HS_LISA_LH), "LH");
    assert_string_equal(hs_lisa_quad_name(HS_LISA_NS), "not significant");
    assert_null(hs_lisa_quad_name(7));

    /* the same again; another seed moves some p_sim */
    hs_lisa l2;
    assert_int_equal(hs_lisa_compute(x, GS * GS, &nb, &o, &l2, &err), HS_OK);
    assert_memory_equal(l1.p_sim, l2.p_sim, GS * GS * sizeof *l1.p_sim);
    assert_memory_equal(l1.quadrant, l2.quadrant, GS * GS);
    hs_lisa_free(&l2);
    o.seed = 8;
    assert_int_equal(hs_lisa_compute(x, GS * GS, &nb, &o, &l2, &err), HS_OK);
    int moved = 0;
    for (int i = 0; i < GS * GS; i++)
        moved += l1.p_sim[i] != l2.p_sim[i];
    assert_true(moved > GS * GS / 2);
    brute_check(x, GS * GS, &nb, &o, &l2);
    hs_lisa_free(&l2);
    /* an area out of the analysis: the others draw from n - 1 = 142 */
    double y[GS * GS];
    memcpy(y, x, sizeof y);
    y[GS * GS - 1] = NAN;
    o.seed = 7;
    assert_int_equal(hs_lisa_compute(y, GS * GS, &nb, &o, &l2, &err), HS_OK);
    brute_check(y, GS * GS, &nb, &o, &l2);
    hs_lisa_free(&l2);
    hs_lisa_free(&l0);
    hs_lisa_free(&l1);
    hs_nb_free(&nb);
}

static void test_args(void **state)
{
    (void)state;
    const int edge[][2] = {{0, 1}, {1, 2}};
    hs_nb nb;
    make_nb(&nb, 3, edge, 2);
    const double x[3] = {1, 2, 4};
    hs_lisa l;
    hs_error err = {0};
    hs_lisa_opts o = OPTS;
    o.permutations = 0;
    assert_int_equal(hs_lisa_compute(x, 3, &nb, &o, &l, &err), HS_ERR_ARG);
    assert_null(l.local_i);
    o = OPTS;
    double bad_alpha[] = {0, 1, NAN, -0.1};
    for (int k = 0; k < 4; k++) {
        o.alpha = bad_alpha[k];
        assert_int_equal(hs_lisa_compute(x, 3, &nb, &o, &l, &err), HS_ERR_ARG);
    }
    o = OPTS;
    const double xi[3] = {1, INFINITY, 4};
    assert_int_equal(hs_lisa_compute(xi, 3, &nb, &o, &l, &err), HS_ERR_ARG);
    assert_int_equal(hs_lisa_compute(x, 2, &nb, &o, &l, &err), HS_ERR_ARG);
    nb.nb[0] = 0; /* area 0 its own neighbour */
    assert_int_equal(hs_lisa_compute(x, 3, &nb, &o, &l, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "area 0"));
    nb.nb[0] = 3;
    assert_int_equal(hs_lisa_compute(x, 3, &nb, &o, &l, &err), HS_ERR_ARG);
    nb.nb[0] = 1;
    assert_int_equal(hs_lisa_compute(x, 3, &nb, NULL, &l, &err), HS_ERR_ARG);
    /* no areas at all */
    hs_nb empty = {0};
    size_t zero = 0;
    empty.start = &zero;
    assert_int_equal(hs_lisa_compute(NULL, 0, &empty, &o, &l, &err), HS_OK);
    assert_int_equal(l.n, 0);
    hs_lisa_free(&l);
    hs_lisa_free(NULL);
    hs_nb_free(&nb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line),
        cmocka_unit_test(test_eb),
        cmocka_unit_test(test_islands),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_order_ties),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
