/*
 * test_gistar.c - gistar.h against brute force written here: neighbours by
 * the distance between cell centres, the Gi* formula term by term, the
 * permutations re-drawn from splitmix64 as gistar.h states them, and
 * Benjamini-Hochberg on a case worked by hand.  (R spdep checks the same
 * z-scores in test_gistar_spdep.sh.)
 */
#include "util.h"

#include <math.h>

#include "analysis/gistar.h"
#include "core/keep.h"

#define ROWS 6
#define COLS 7
static const hs_grid_geom G = {1000, 2000, 100, COLS, ROWS};
static int32_t LAB[ROWS * COLS];
static double PX[400], PY[400];
static size_t NP;

/* Cells: all kept but a 2 x 2 notch (rows 0-1, columns 5-6) and cell
 * (4, 2).  Points: a cluster near (2, 3), a few elsewhere, some on edges,
 * one in the notch (counts nowhere). */
static void setup_data(void)
{
    for (int i = 0; i < ROWS * COLS; i++)
        LAB[i] = 0;
    LAB[0 * COLS + 5] = LAB[0 * COLS + 6] = LAB[1 * COLS + 5] = LAB[1 * COLS + 6] = -1;
    LAB[4 * COLS + 2] = -1;
    NP = 0;
    uint32_t s = 7;
    for (int k = 0; k < 60; k++) { /* cluster around cell (2, 3) */
        s = s * 1664525u + 1013904223u;
        double a = (s >> 8) / 16777216.0;
        s = s * 1664525u + 1013904223u;
        double b = (s >> 8) / 16777216.0;
        PX[NP] = 1000 + 3.5 * 100 + (a - 0.5) * 220;
        PY[NP++] = 2000 + (ROWS - 2 - 0.5) * 100 + (b - 0.5) * 220;
    }
    PX[NP] = 1000 + 100, PY[NP++] = 2000 + 100;      /* a corner: cell (4, 1) */
    PX[NP] = 1000 + 650, PY[NP++] = 2000 + 550;      /* the notch */
    PX[NP] = 1000 + 50, PY[NP++] = 2000 + 50;        /* cell (5, 0) */
    PX[NP] = 1000 + 50, PY[NP++] = 2000 + 50;
}

static int cell_of(double x, double y)
{
    int c = (int)floor((x - G.x0) / G.cell), rr = (int)floor((y - G.y0) / G.cell);
    if (c < 0 || c >= COLS || rr < 0 || rr >= ROWS)
        return -1;
    return (ROWS - 1 - rr) * COLS + c;
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Everything by brute force for one distance, the points weighing pw
 * (NULL: 1 each); compares with gi.  Sums in double: exact for whole
 * counts and for weights of a few binary digits (0.25, 0.125). */
static void brute_check_w(const hs_gi *gi, double dist, int R, uint64_t seed,
                          const float *pw)
{
    int idx[ROWS * COLS], n = 0;
    double x[ROWS * COLS];
    for (int i = 0; i < ROWS * COLS; i++)
        if (LAB[i] >= 0)
            idx[n++] = i;
    assert_int_equal(gi->n, n);
    for (int k = 0; k < n; k++)
        x[k] = 0;
    for (size_t q = 0; q < NP; q++) {
        int c = cell_of(PX[q], PY[q]);
        for (int k = 0; c >= 0 && k < n; k++)
            if (idx[k] == c)
                x[k] += pw ? pw[q] : 1;
    }
    double mean = 0, var = 0;
    for (int k = 0; k < n; k++)
        mean += x[k];
    mean /= n;
    for (int k = 0; k < n; k++)
        var += (x[k] - mean) * (x[k] - mean);
    var /= n;
    for (int i = 0; i < n; i++) {
        assert_int_equal(gi->cell[i], idx[i]);
        assert_true(gi->count[i] == x[i]);
        double xi = G.x0 + (idx[i] % COLS + 0.5) * G.cell;
        double yi = G.y0 + (ROWS - idx[i] / COLS - 0.5) * G.cell;
        double S = 0;
        int W = 0, nb[ROWS * COLS];
        for (int j = 0; j < n; j++) {
            double xj = G.x0 + (idx[j] % COLS + 0.5) * G.cell;
            double yj = G.y0 + (ROWS - idx[j] / COLS - 0.5) * G.cell;
            if (hypot(xi - xj, yi - yj) <= dist * (1 + 1e-9)) {
                nb[W++] = j;
                S += x[j];
            }
        }
        assert_int_equal(gi->nbrs[i], W);
        double z = (S - W * mean) / sqrt(var * (n * (double)W - (double)W * W) / (n - 1));
        if (fabs(gi->z[i] - z) > 1e-12 * (1 + fabs(z)))
            fail_msg("cell %d: z %.17g, brute force %.17g", idx[i], gi->z[i], z);
        double p = erfc(fabs(z) / sqrt(2.0));
        assert_true(fabs(gi->p[i] - p) <= 1e-15 + 1e-12 * p);
        if (R == 0) {
            assert_true(isnan(gi->p_sim[i]));
            continue;
        }
        /* the permutations, drawn again: the draws of the cells with
         * W - 1 other neighbours, one stream for them all */
        int m = W - 1;
        uint64_t s = mix64(seed ^ mix64((uint64_t)m));
        long hi = 0, lo = 0;
        for (int r = 0; r < R; r++) {
            double sim = x[i];
            for (int t = 0; t < m; t++) {
                s += 0x9E3779B97F4A7C15u;
                uint64_t v = mix64(s);
                int u = (int)(((unsigned __int128)v * (uint64_t)(n - 1)) >> 64);
                sim += x[u < i ? u : u + 1];
            }
            hi += sim >= S;
            lo += sim <= S;
        }
        double ps = (double)((hi < lo ? hi : lo) + 1) / (R + 1);
        if (gi->p_sim[i] != ps)
            fail_msg("cell %d: p_sim %.17g, brute force %.17g", idx[i], gi->p_sim[i], ps);
        assert_true(ps >= 1.0 / (R + 1) && ps <= 1);
        (void)nb;
    }
}

static void brute_check(const hs_gi *gi, double dist, int R, uint64_t seed)
{
    brute_check_w(gi, dist, R, seed, NULL);
}

static void test_queen_and_band(void **state)
{
    (void)state;
    setup_data();
    hs_error err = {0};
    /* queen (100 x sqrt 2: the diagonals kept), a 250 m band, rook */
    double dists[] = {100 * sqrt(2.0), 250, 100};
    for (int d = 0; d < 3; d++) {
        hs_gi_opts o = {.distance = dists[d], .permutations = 99, .seed = 42,
                        .fdr = 1, .threads = 1 + d % 2};
        hs_gi gi;
        assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, NULL, NP, &o, &gi, &err), HS_OK);
        assert_int_equal(gi.points, (long)NP - 1); /* the notch's point */
        brute_check(&gi, dists[d], 99, 42);
        /* the cluster's cell is a hot spot; bins follow the adjusted p */
        int hot = 0;
        for (size_t i = 0; i < gi.n; i++)
            if (gi.cell[i] == 2 * COLS + 3)
                hot = gi.bin[i];
        assert_true(hot >= 2);
        double *adj = malloc(gi.n * sizeof *adj);
        assert_int_equal(hs_bh_adjust(gi.p, gi.n, adj, &err), HS_OK);
        for (size_t i = 0; i < gi.n; i++) {
            int b = adj[i] <= 0.01 ? 3 : adj[i] <= 0.05 ? 2 : adj[i] <= 0.1 ? 1 : 0;
            assert_int_equal(gi.bin[i], gi.z[i] < 0 ? -b : b);
        }
        free(adj);
        hs_gi_free(&gi);
    }
    /* the same on one thread and two, and without permutations */
    hs_gi_opts o1 = {.distance = 250, .permutations = 49, .seed = 9, .threads = 1};
    hs_gi_opts o2 = o1;
    o2.threads = 2;
    hs_gi a, b;
    assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, NULL, NP, &o1, &a, &err), HS_OK);
    assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, NULL, NP, &o2, &b, &err), HS_OK);
    assert_memory_equal(a.p_sim, b.p_sim, a.n * sizeof *a.p_sim);
    hs_gi_free(&a);
    hs_gi_free(&b);
    hs_gi_opts o0 = {.distance = 250, .permutations = 0, .fdr = 0};
    assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, NULL, NP, &o0, &a, &err), HS_OK);
    brute_check(&a, 250, 0, 0);
    hs_gi_free(&a);
}

/* Weighted points (a share of an incident's time window, say): a cell's
 * value is the sum of its points' weights, z and p_sim as the brute force
 * on those values, on one thread and two; p_sim in [1 / (R + 1), 1].
 * Weights NULL are weights of 1, to the bit.  A weight below 0 or not
 * finite is refused, naming the point. */
static void test_weights(void **state)
{
    (void)state;
    setup_data();
    static float w[400], ones[400];
    const float kinds[] = {0.25f, 0.5f, 0.125f, 1, 0.75f, 0, 2.5f};
    for (size_t q = 0; q < NP; q++) {
        w[q] = kinds[q % 7];
        ones[q] = 1;
    }
    hs_error err = {0};
    const double dists[] = {100 * sqrt(2.0), 250};
    for (int d = 0; d < 2; d++) {
        hs_gi_opts o = {.distance = dists[d], .permutations = 99, .seed = 42,
                        .fdr = 1, .threads = 1};
        hs_gi a, b;
        assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, w, NP, &o, &a, &err), HS_OK);
        assert_int_equal(a.points, (long)NP - 1); /* points, not weights */
        brute_check_w(&a, dists[d], 99, 42, w);
        int fractional = 0;
        for (size_t i = 0; i < a.n; i++)
            fractional += a.count[i] != floor(a.count[i]);
        assert_true(fractional > 3);
        o.threads = 2;
        assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, w, NP, &o, &b, &err), HS_OK);
        assert_memory_equal(a.p_sim, b.p_sim, a.n * sizeof *a.p_sim);
        hs_gi_free(&a);
        hs_gi_free(&b);
    }
    /* NULL and all ones: the same, the automatic distance included */
    for (int d = 0; d < 2; d++) {
        hs_gi_opts o = {.distance = d ? 250 : 0, .permutations = 49, .seed = 7,
                        .fdr = 1};
        hs_gi a, b;
        assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, NULL, NP, &o, &a, &err), HS_OK);
        assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, ones, NP, &o, &b, &err), HS_OK);
        assert_int_equal(a.n, b.n);
        assert_memory_equal(a.count, b.count, a.n * sizeof *a.count);
        assert_memory_equal(a.nbrs, b.nbrs, a.n * sizeof *a.nbrs);
        assert_memory_equal(a.z, b.z, a.n * sizeof *a.z);
        assert_memory_equal(a.p, b.p, a.n * sizeof *a.p);
        assert_memory_equal(a.p_sim, b.p_sim, a.n * sizeof *a.p_sim);
        assert_memory_equal(a.bin, b.bin, a.n);
        assert_memory_equal(a.point_cell, b.point_cell, NP * sizeof *a.point_cell);
        assert_memory_equal(a.isa_z, b.isa_z, sizeof a.isa_z);
        assert_true(a.mean == b.mean && a.var == b.var && a.points == b.points &&
                    a.distance == b.distance);
        assert_string_equal(a.rule, b.rule);
        hs_gi_free(&a);
        hs_gi_free(&b);
    }
    /* bad weights */
    const float bad[] = {-0.5f, NAN, INFINITY};
    for (int k = 0; k < 3; k++) {
        hs_gi_opts o = {.distance = 250, .permutations = 9, .seed = 1};
        hs_gi gi;
        w[3 + k] = bad[k];
        assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, w, NP, &o, &gi, &err), HS_ERR_ARG);
        char want[32];
        snprintf(want, sizeof want, "point %d ", 3 + k);
        if (!strstr(err.msg, want))
            fail_msg("\"%s\" lacks \"%s\"", err.msg, want);
        assert_null(gi.count);
        w[3 + k] = 0.5f;
    }
}

/* Values that are not binary fractions (tenths): their sums taken in
 * different orders differ in the last bits.  The brute force sums tenths
 * as integers, so its ties are exact; gistar.h's rounding tolerance makes
 * hs_gi_perm tie the same sums (zeros among simulations of zeros above
 * all), over two chunks of the sweep. */
static void test_fraction_ties(void **state)
{
    (void)state;
    enum { C = 80, Rw = 60, N = C * Rw, R = 99 };
    static double x[N], S[N], ps[N];
    static long x10[N], S10[N];
    static int W[N];
    uint32_t s32 = 17;
    for (int i = 0; i < N; i++) {
        s32 = s32 * 1664525u + 1013904223u;
        uint32_t u = (s32 >> 8) % 100;
        x10[i] = u < 70 ? 0 : u < 80 ? 1 : u < 88 ? 2 : u < 94 ? 3 : u < 98 ? 7 : 13;
        x[i] = (double)x10[i] / 10;
    }
    for (int i = 0; i < N; i++) { /* queen neighbours, the cell included */
        int r0 = i / C, c0 = i % C;
        W[i] = 0;
        S[i] = 0;
        S10[i] = 0;
        for (int dr = -1; dr <= 1; dr++)
            for (int dc = -1; dc <= 1; dc++) {
                int rr = r0 + dr, cc = c0 + dc;
                if (rr >= 0 && rr < Rw && cc >= 0 && cc < C) {
                    W[i]++;
                    S[i] += x[rr * C + cc];
                    S10[i] += x10[rr * C + cc];
                }
            }
    }
    hs_gi_opts o = {.permutations = R, .seed = 3, .threads = 2};
    hs_error err = {0};
    assert_int_equal(hs_gi_perm(N, x, W, S, &o, NULL, ps, &err), HS_OK);
    int zeros = 0;
    for (int i = 0; i < N; i++) {
        int m = W[i] - 1;
        uint64_t st = mix64(3 ^ mix64((uint64_t)m));
        long hi = 0, lo = 0;
        for (int r = 0; r < R; r++) {
            long sim = x10[i];
            for (int t = 0; t < m; t++) {
                st += 0x9E3779B97F4A7C15u;
                int u = (int)(((unsigned __int128)mix64(st) * (uint64_t)(N - 1)) >> 64);
                sim += x10[u < i ? u : u + 1];
            }
            hi += sim >= S10[i];
            lo += sim <= S10[i];
        }
        double want = (double)((hi < lo ? hi : lo) + 1) / (R + 1);
        if (ps[i] != want)
            fail_msg("feature %d (sum %ld tenths): p_sim %.17g, brute force %.17g",
                     i, S10[i], ps[i], want);
        zeros += S10[i] == 0;
    }
    assert_true(zeros > 50);
}

/* A 120 x 100 grid (12,000 cells: the permutations sweep each group in
 * chunks of 4,096 cells), 3,000 random points: p_sim of every 37th cell
 * against the draws summed cell by cell. */
static void many_cells(int R)
{
    enum { C = 120, Rw = 100, N = C * Rw, NPT = 3000 };
    static int32_t lab[N];
    static double px[NPT], py[NPT];
    static long x[N];
    const hs_grid_geom g = {0, 0, 10, C, Rw};
    uint32_t s32 = 99;
    for (int i = 0; i < N; i++)
        lab[i] = 0;
    for (int k = 0; k < NPT; k++) {
        s32 = s32 * 1664525u + 1013904223u;
        px[k] = 1200.0 * ((s32 >> 8) / 16777216.0);
        s32 = s32 * 1664525u + 1013904223u;
        py[k] = 1000.0 * ((s32 >> 8) / 16777216.0) * ((s32 >> 8) / 16777216.0);
    }
    hs_gi_opts o = {.distance = 25, .permutations = R, .seed = 5, .fdr = 1};
    hs_gi gi;
    hs_error err = {0};
    assert_int_equal(hs_gi_compute(lab, &g, px, py, NULL, NPT, &o, &gi, &err), HS_OK);
    for (int i = 0; i < N; i++)
        x[i] = (long)gi.count[i];
    for (int i = 0; i < N; i += 37) {
        int r0 = i / C, c0 = i % C, W = 0;
        long S = 0;
        for (int dr = -2; dr <= 2; dr++)
            for (int dc = -2; dc <= 2; dc++) {
                int rr = r0 + dr, cc = c0 + dc;
                if (rr >= 0 && rr < Rw && cc >= 0 && cc < C &&
                    hypot(dr * 10.0, dc * 10.0) <= 25) {
                    W++;
                    S += x[rr * C + cc];
                }
            }
        assert_int_equal(gi.nbrs[i], W);
        int m = W - 1;
        uint64_t st = mix64(5 ^ mix64((uint64_t)m));
        long hi = 0, lo = 0;
        for (int r = 0; r < R; r++) {
            long sim = x[i];
            for (int t = 0; t < m; t++) {
                st += 0x9E3779B97F4A7C15u;
                int u = (int)(((unsigned __int128)mix64(st) * (uint64_t)(N - 1)) >> 64);
                sim += x[u < i ? u : u + 1];
            }
            hi += sim >= S;
            lo += sim <= S;
        }
        double ps = (double)((hi < lo ? hi : lo) + 1) / (R + 1);
        if (gi.p_sim[i] != ps)
            fail_msg("cell %d: p_sim %.17g, brute force %.17g", i, gi.p_sim[i], ps);
    }
    /* hs_gi_perm with a mask: the same p_sim where asked, NaN elsewhere */
    static int Wm[N];
    static double Sm[N], xm[N];
    static unsigned char need[N];
    static double ps[N];
    for (int i = 0; i < N; i++) {
        Wm[i] = gi.nbrs[i];
        xm[i] = (double)x[i];
        need[i] = i % 3 == 1;
        Sm[i] = 0;
    }
    for (int i = 0; i < N; i++) /* S from z: S = z sd + W mean */
        Sm[i] = (double)lround(gi.z[i] * sqrt(gi.var * ((double)N * Wm[i] - (double)Wm[i] * Wm[i]) /
                                      (N - 1)) + Wm[i] * gi.mean);
    assert_int_equal(hs_gi_perm(N, xm, Wm, Sm, &o, need, ps, &err), HS_OK);
    for (int i = 0; i < N; i++)
        if (need[i])
            assert_true(ps[i] == gi.p_sim[i]);
        else
            assert_true(isnan(ps[i]));
    hs_gi_free(&gi);
}

/* R = 39: the draws of each neighbour count sorted by counting; R = 3:
 * so few among the 12,000 cells that they are sorted by comparison
 * (gistar.c): the same p_sim as the brute force either way. */
static void test_many_cells(void **state)
{
    (void)state;
    many_cells(39);
    many_cells(3);
}

/* Worked by hand: p = 0.01, 0.04, 0.03, 0.5 (m = 4).  Ascending ranks
 * 1..4: 0.01, 0.03, 0.04, 0.5; m/rank x p = 0.04, 0.06, 0.0533.., 0.5;
 * cumulative minimum from the top: 0.04, 0.0533.., 0.0533.., 0.5.  NaN
 * stays out of m. */
static void test_bh(void **state)
{
    (void)state;
    double p[5] = {0.01, 0.04, NAN, 0.03, 0.5}, adj[5];
    hs_error err = {0};
    assert_int_equal(hs_bh_adjust(p, 5, adj, &err), HS_OK);
    assert_true(fabs(adj[0] - 0.04) < 1e-15);
    assert_true(fabs(adj[1] - 0.16 / 3) < 1e-15);
    assert_true(isnan(adj[2]));
    assert_true(fabs(adj[3] - 0.16 / 3) < 1e-15);
    assert_true(fabs(adj[4] - 0.5) < 1e-15);
    /* in place; a large p caps at 1 */
    double q[2] = {0.9, 0.8};
    assert_int_equal(hs_bh_adjust(q, 2, q, &err), HS_OK);
    assert_true(q[0] == 0.9 && q[1] == 0.9);
}

/* No variation: no z, no p, bin 0; a cell of zeros among zeros has
 * p_sim 1 (ties count both ways). */
static void test_degenerate(void **state)
{
    (void)state;
    setup_data();
    hs_error err = {0};
    hs_gi_opts o = {.distance = 150, .permutations = 19, .seed = 1, .fdr = 1};
    hs_gi gi;
    assert_int_equal(hs_gi_compute(LAB, &G, NULL, NULL, NULL, 0, &o, &gi, &err), HS_OK);
    for (size_t i = 0; i < gi.n; i++) {
        assert_true(isnan(gi.z[i]) && isnan(gi.p[i]));
        assert_true(gi.p_sim[i] == 1.0);
        assert_int_equal(gi.bin[i], 0);
    }
    hs_gi_free(&gi);
    assert_string_equal(hs_gi_class(3), "hot spot, 99%");
    assert_string_equal(hs_gi_class(-1), "cold spot, 90%");
    assert_string_equal(hs_gi_class(0), "not significant");
    /* bad options */
    o.distance = NAN;
    assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, NULL, NP, &o, &gi, &err), HS_ERR_ARG);
    o.distance = 100;
    o.permutations = -1;
    assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, NULL, NP, &o, &gi, &err), HS_ERR_ARG);
}

/* The automatic cell, by hand: ten 10 m and one 1,000 m (m = 100, sd =
 * sqrt(81,000) = 284.6: (1000 - 100) / 284.6 = 3.16, an outlier): the rest
 * have mean = median = 10, so 10 x max(2, 1) = 20 m.  10, 20, 30, 40, 100
 * (m = 40, sd = 31.6, no outlier): mean 40, median 30, 40 x max(2, 4/3) =
 * 80 m. */
static void test_auto_cell(void **state)
{
    (void)state;
    double a[11] = {10, 10, 10, 1000, 10, 10, 10, 10, 10, 10, 10};
    assert_true(hs_gi_auto_cell(a, 11) == 20);
    double b[5] = {100, 20, 30, 10, 40};
    assert_true(hs_gi_auto_cell(b, 5) == 80);
    double c[1] = {5};
    assert_true(hs_gi_auto_cell(c, 1) == 0);
}

/* The automatic distance on the test grid: one of the ten bands, and
 * the z-values recorded (R spdep's moran.test checks them in
 * test_gistar_spdep.sh). */
static void test_auto_distance(void **state)
{
    (void)state;
    setup_data();
    hs_error err = {0};
    hs_gi_opts o = {.distance = 0, .permutations = 0, .fdr = 1};
    hs_gi gi;
    assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, NULL, NP, &o, &gi, &err), HS_OK);
    assert_true(gi.distance > 0);
    assert_non_null(strstr(gi.rule, "Moran"));
    brute_check(&gi, gi.distance, 0, 0);
    hs_gi_free(&gi);
}

/* Hexagons: centres from gistar.h's formula written here, a point counts
 * in the nearest centre (the first in row-major order when two are as
 * near), neighbours by the distance between centres; z term by term.
 * Every distinct neighbour distance of a hexagonal lattice (1, sqrt 3, 2,
 * sqrt 7, 3 cells) is tried, and the neighbour lists against the same
 * brute force. */
static void hex_centre(const hs_grid_geom *g, int i, double *x, double *y)
{
    int r = i / (int)g->cols, c = i % (int)g->cols;
    *x = g->x0 + (c + 0.5 + (r % 2 ? 0.5 : 0)) * g->cell;
    *y = g->y0 + (g->rows - r - 0.5) * g->cell * sqrt(3.0) / 2;
}

static void test_hex(void **state)
{
    (void)state;
    enum { C = 9, RW = 8, N = C * RW, NPT = 500 };
    const hs_grid_geom g = {1000, 2000, 100, C, RW};
    int32_t lab[N];
    double px[NPT], py[NPT];
    long x[N];
    int idx[N], n = 0, kept[N], pcell[NPT];
    for (int i = 0; i < N; i++)
        lab[i] = (i % 11 == 3) ? -1 : 0; /* a few holes */
    uint32_t s32 = 3;
    for (int k = 0; k < NPT; k++) {
        s32 = s32 * 1664525u + 1013904223u;
        double a = (s32 >> 8) / 16777216.0;
        s32 = s32 * 1664525u + 1013904223u;
        double b = (s32 >> 8) / 16777216.0;
        px[k] = 1000 + 950 * a * a; /* denser to the west */
        py[k] = 2000 + 700 * b;
    }
    /* on the edge between the centres of (2, 3) and (2, 4): x = 1000 +
     * 4 x 100 exactly, as near both: counts in (2, 3) */
    double ex, ey, fx, fy;
    hex_centre(&g, 2 * C + 3, &ex, &ey);
    hex_centre(&g, 2 * C + 4, &fx, &fy);
    px[0] = (ex + fx) / 2, py[0] = ey;
    assert_true(px[0] - ex == fx - px[0]);
    assert_int_equal(hs_gi_locate(&g, 1, px[0], py[0]), 2 * C + 3);
    for (int i = 0; i < N; i++)
        if (lab[i] >= 0)
            kept[i] = n, idx[n++] = i;
        else
            kept[i] = -1;
    for (int k = 0; k < n; k++)
        x[k] = 0;
    long points = 0;
    for (int q = 0; q < NPT; q++) {
        /* the nearest centre of the lattice carried one row and column
         * beyond the grid: a point nearest one of those is outside */
        int best = -1;
        double bd = INFINITY;
        for (int r = -1; r <= RW; r++)
            for (int c = -1; c <= C; c++) {
                double cx = g.x0 + (c + 0.5 + ((r + 2) % 2 ? 0.5 : 0)) * g.cell;
                double cy = g.y0 + (g.rows - r - 0.5) * g.cell * sqrt(3.0) / 2;
                double d = (px[q] - cx) * (px[q] - cx) + (py[q] - cy) * (py[q] - cy);
                if (d < bd)
                    bd = d, best = r < 0 || r >= RW || c < 0 || c >= C ? -1 : r * C + c;
            }
        assert_int_equal(hs_gi_locate(&g, 1, px[q], py[q]), best);
        pcell[q] = best >= 0 ? kept[best] : -1;
        if (best >= 0 && kept[best] >= 0)
            x[kept[best]]++, points++;
    }
    double mean = 0, var = 0;
    for (int k = 0; k < n; k++)
        mean += x[k];
    mean /= n;
    for (int k = 0; k < n; k++)
        var += (x[k] - mean) * (x[k] - mean);
    var /= n;
    const double dists[] = {100, 100 * sqrt(3.0), 200, 100 * sqrt(7.0), 300};
    const int interior[] = {7, 13, 19, 31, 37}; /* 1 + 6, + 6, + 6, + 12, + 6 */
    hs_keep *kp = hs_keep_create(); /* the job's way: lists kept between uses */
    assert_non_null(kp);
    for (int d = 0; d < 5; d++) {
        hs_gi_opts o = {.distance = dists[d], .permutations = 0, .fdr = 1, .hex = 1};
        hs_gi gi;
        hs_error err = {0};
        assert_int_equal(hs_gi_compute(lab, &g, px, py, NULL, NPT, &o, &gi, &err), HS_OK);
        assert_int_equal(gi.n, n);
        assert_int_equal(gi.points, points);
        assert_int_equal(gi.npoints, NPT);
        for (int q = 0; q < NPT; q++) /* each point's cell, for emerging */
            assert_int_equal(gi.point_cell[q], pcell[q]);
        size_t *st;
        uint32_t *nb;
        assert_int_equal(hs_gi_neighbours(&gi, &g, NULL, 0, &st, &nb, &err), HS_OK);
        int seen_interior = 0;
        for (int i = 0; i < n; i++) {
            assert_true(gi.count[i] == (double)x[i]);
            double xi, yi;
            hex_centre(&g, idx[i], &xi, &yi);
            int W = 0, all = 0;
            long S = 0;
            for (int j = 0; j < N; j++) {
                double xj, yj;
                hex_centre(&g, j, &xj, &yj);
                if (hypot(xi - xj, yi - yj) > dists[d] * (1 + 1e-9))
                    continue;
                all++;
                if (kept[j] < 0)
                    continue;
                assert_int_equal(nb[st[i] + (size_t)W], kept[j]); /* ascending */
                W++;
                S += x[kept[j]];
            }
            assert_int_equal(st[i + 1] - st[i], W);
            assert_int_equal(gi.nbrs[i], W);
            int r = idx[i] / C, c = idx[i] % C;
            if (r >= 3 && r < RW - 3 && c >= 3 && c < C - 3) {
                assert_int_equal(all, interior[d]);
                seen_interior = 1;
            }
            double z = (S - W * mean) / sqrt(var * (n * (double)W - (double)W * W) / (n - 1));
            if (fabs(gi.z[i] - z) > 1e-12 * (1 + fabs(z)))
                fail_msg("hexagon %d: z %.17g, brute force %.17g", idx[i], gi.z[i], z);
        }
        assert_true(seen_interior);
        /* from the keep (bigger lists each distance, then smaller: the
         * last distance again): the same lists */
        for (int again = 0; again < (d == 4 ? 2 : 1); again++) {
            hs_gi gk = gi;
            if (again) { /* a smaller set of lists after the biggest */
                gk.distance = dists[0];
                free(st);
                free(nb);
                assert_int_equal(hs_gi_neighbours(&gk, &g, NULL, 0, &st, &nb, &err), HS_OK);
            }
            size_t *kst;
            uint32_t *knb;
            assert_int_equal(hs_gi_neighbours(&gk, &g, kp, 3, &kst, &knb, &err), HS_OK);
            assert_memory_equal(kst, st, ((size_t)n + 1) * sizeof *st);
            assert_memory_equal(knb, nb, st[n] * sizeof *nb);
        }
        free(st);
        free(nb);
        hs_gi_free(&gi);
    }
    hs_keep_destroy(kp);
    /* outlines: six corners at cell / sqrt 3 from the centre, and two
     * neighbours share an edge (two corners) */
    double a[14], b[14];
    assert_int_equal(hs_gi_ring(&g, 1, 2 * C + 3, a), 7);
    assert_int_equal(hs_gi_ring(&g, 1, 3 * C + 3, b), 7); /* south-east of it */
    double cx, cy;
    hex_centre(&g, 2 * C + 3, &cx, &cy);
    int shared = 0;
    for (int k = 0; k < 6; k++) {
        assert_true(fabs(hypot(a[2 * k] - cx, a[2 * k + 1] - cy) - 100 / sqrt(3.0)) < 1e-9);
        for (int l = 0; l < 6; l++)
            shared += hypot(a[2 * k] - b[2 * l], a[2 * k + 1] - b[2 * l + 1]) < 1e-9;
    }
    assert_int_equal(shared, 2);
    assert_true(a[0] == a[12] && a[1] == a[13]);
    /* a grid covering an extent: every point of it is in a hexagon */
    hs_grid_geom hg;
    hs_error err = {0};
    assert_int_equal(hs_gi_hex_grid(0, 0, 1000, 500, 137, &hg, &err), HS_OK);
    for (double yy = 0; yy <= 500; yy += 12.5)
        for (double xx = 0; xx <= 1000; xx += 12.5)
            assert_true(hs_gi_locate(&hg, 1, xx, yy) >= 0);
}

/* Square cells' neighbour lists against brute_check's distance rule. */
static void test_neighbours_square(void **state)
{
    (void)state;
    setup_data();
    hs_gi_opts o = {.distance = 250, .permutations = 0};
    hs_gi gi;
    hs_error err = {0};
    assert_int_equal(hs_gi_compute(LAB, &G, PX, PY, NULL, NP, &o, &gi, &err), HS_OK);
    size_t *st;
    uint32_t *nb;
    assert_int_equal(hs_gi_neighbours(&gi, &G, NULL, 0, &st, &nb, &err), HS_OK);
    for (size_t i = 0; i < gi.n; i++) {
        size_t k = st[i];
        for (size_t j = 0; j < gi.n; j++) {
            double dx = (double)(gi.cell[i] % COLS) - (double)(gi.cell[j] % COLS);
            double dy = (double)(gi.cell[i] / COLS) - (double)(gi.cell[j] / COLS);
            if (hypot(dx, dy) * 100 <= 250)
                assert_int_equal(nb[k++], j);
        }
        assert_int_equal(k, st[i + 1]);
        assert_int_equal(st[i + 1] - st[i], gi.nbrs[i]);
    }
    free(st);
    free(nb);
    hs_gi_free(&gi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queen_and_band),
        cmocka_unit_test(test_many_cells),
        cmocka_unit_test(test_weights),
        cmocka_unit_test(test_fraction_ties),
        cmocka_unit_test(test_bh),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_auto_cell),
        cmocka_unit_test(test_auto_distance),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_neighbours_square),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
