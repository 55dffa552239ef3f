/*
 * test_kde.c - checks src/analysis/kde.c against an independent brute-force double
 * loop over every cell and every point (written here from the definitions in
 * kde.h, not from the code under test), against the kernels' integrals
 * (normalisation), hand-worked values, and on its argument errors.
 *
 * Exactness: max |fast - brute| <= 1e-9 max(brute), and a cell that brute
 * force leaves at 0 must be exactly 0.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/kde.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static const hs_kernel all_kernels[] = {
    HS_KERNEL_QUARTIC,   HS_KERNEL_TRIANGULAR,   HS_KERNEL_UNIFORM,
    HS_KERNEL_TRIWEIGHT, HS_KERNEL_EPANECHNIKOV, HS_KERNEL_GAUSSIAN,
};
#define NK (sizeof all_kernels / sizeof all_kernels[0])

/* Fails with both values shown when |got - want| > tol. */
static void check_near(double got, double want, double tol, const char *what, int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("line %d: %s = %.17g, expected %.17g (diff %.3g)\n", line, what, got,
                    want, got - want);
        fail();
    }
}
#define CHECK_NEAR(got, want, tol) check_near((got), (want), (tol), #got, __LINE__)

/* ---- the reference ------------------------------------------------------ */

/* K_h at squared distance d2, from the definitions (0 outside the support). */
static double ref_kernel(hs_kernel k, double h, double d2)
{
    double u2 = d2 / (h * h), a = M_PI * h * h;
    switch (k) {
    case HS_KERNEL_QUARTIC:
        return d2 < h * h ? 3.0 / a * (1 - u2) * (1 - u2) : 0.0;
    case HS_KERNEL_TRIANGULAR:
        return d2 < h * h ? 3.0 / a * (1 - sqrt(u2)) : 0.0;
    case HS_KERNEL_UNIFORM:
        return d2 < h * h ? 1.0 / a : 0.0;
    case HS_KERNEL_TRIWEIGHT:
        return d2 < h * h ? 4.0 / a * pow(1 - u2, 3) : 0.0;
    case HS_KERNEL_EPANECHNIKOV:
        return d2 < h * h ? 2.0 / a * (1 - u2) : 0.0;
    case HS_KERNEL_GAUSSIAN:
        return d2 < (4 * h) * (4 * h) ? exp(-d2 / (2 * h * h)) / (2 * a * (1 - exp(-8.0)))
                                      : 0.0;
    }
    return NAN;
}

/* Brute force over every cell and point; the support test is the header's:
 * dx*dx + dy*dy < r*r with r = h (4h for Gaussian). */
static double *brute(const double *x, const double *y, const float *w, size_t n,
                     hs_kernel k, double h, const hs_kde_grid *g)
{
    double *out = calloc(g->cols * g->rows, sizeof *out);
    assert_non_null(out);
    double r = k == HS_KERNEL_GAUSSIAN ? 4 * h : h;
    for (size_t row = 0; row < g->rows; row++) {
        double yc = g->y0 + ((double)(g->rows - row) - 0.5) * g->cell;
        for (size_t c = 0; c < g->cols; c++) {
            double xc = g->x0 + ((double)c + 0.5) * g->cell, v = 0.0;
            for (size_t i = 0; i < n; i++) {
                if (isnan(x[i]) || isnan(y[i]))
                    continue;
                double dx = xc - x[i], dy = yc - y[i], d2 = dx * dx + dy * dy;
                if (d2 < r * r)
                    v += (w ? w[i] : 1.0) * ref_kernel(k, h, d2);
            }
            out[row * g->cols + c] = v;
        }
    }
    return out;
}

/* Fails unless got matches want to 1e-9 of want's maximum, with want's zeros
 * exactly 0; prints the worst cell. */
static void check_close_grid(const double *got, const double *want, const hs_kde_grid *g,
                             const char *what)
{
    size_t nc = g->cols * g->rows, worst = 0, zero_bad = SIZE_MAX;
    double mx = 0.0, md = 0.0;
    for (size_t i = 0; i < nc; i++)
        mx = fmax(mx, fabs(want[i]));
    for (size_t i = 0; i < nc; i++) {
        double d = fabs(got[i] - want[i]);
        if (!(d <= md)) {
            md = d;
            worst = i;
        }
        if (want[i] == 0.0 && got[i] != 0.0 && zero_bad == SIZE_MAX)
            zero_bad = i;
    }
    if (!(md <= 1e-9 * mx) || zero_bad != SIZE_MAX) {
        print_error("%s: grid %zux%zu cell %g: max |diff| %.3g at cell %zu (got %.17g, "
                    "want %.17g), max %.3g; first nonzero-for-zero cell %zd\n",
                    what, g->cols, g->rows, g->cell, md, worst, got[worst], want[worst],
                    mx, zero_bad == SIZE_MAX ? (ptrdiff_t)-1 : (ptrdiff_t)zero_bad);
        fail();
    }
}

/* ---- random point sets -------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static double urand(void) /* [0, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * (1.0 / 9007199254740992.0);
}

typedef struct pointset {
    double *x, *y;
    float *w;
    size_t n;
} pointset;

/* n points over the grid and a margin of 2r around it (so some cannot reach
 * it and some reach it from outside), with points exactly on cell centres,
 * coincident points, NaN points and random weights (some zero). */
static pointset make_points(const hs_kde_grid *g, double r, size_t n)
{
    pointset p = {malloc(n * sizeof(double)), malloc(n * sizeof(double)),
                  malloc(n * sizeof(float)), n};
    assert_true(p.x && p.y && p.w);
    double wx = (double)g->cols * g->cell + 4 * r, wy = (double)g->rows * g->cell + 4 * r;
    for (size_t i = 0; i < n; i++) {
        double u = urand();
        if (u < 0.15 && i > 0) { /* coincident with an earlier point */
            size_t j = (size_t)(urand() * (double)i);
            p.x[i] = p.x[j];
            p.y[i] = p.y[j];
        } else if (u < 0.3) { /* exactly on a cell centre */
            size_t c = (size_t)(urand() * (double)g->cols);
            size_t row = (size_t)(urand() * (double)g->rows);
            p.x[i] = g->x0 + ((double)c + 0.5) * g->cell;
            p.y[i] = g->y0 + ((double)(g->rows - row) - 0.5) * g->cell;
        } else if (u < 0.33) {
            p.x[i] = NAN;
            p.y[i] = urand() * wy + g->y0 - 2 * r;
        } else {
            p.x[i] = urand() * wx + g->x0 - 2 * r;
            p.y[i] = urand() * wy + g->y0 - 2 * r;
        }
        double v = urand();
        p.w[i] = v < 0.1 ? 0.0f : (float)(3.0 * v);
    }
    return p;
}

static void free_points(pointset *p)
{
    free(p->x);
    free(p->y);
    free(p->w);
}

/* Every kernel, 1 and 2 threads, weights and no weights, against brute force. */
static void check_all(const hs_kde_grid *g, double h, size_t n)
{
    for (size_t ki = 0; ki < NK; ki++) {
        hs_kernel k = all_kernels[ki];
        pointset p = make_points(g, hs_kernel_radius(k, h), n);
        double *want = brute(p.x, p.y, p.w, p.n, k, h, g);
        double *want1 = brute(p.x, p.y, NULL, p.n, k, h, g);
        double *got = malloc(g->cols * g->rows * sizeof *got);
        double *got1 = malloc(g->cols * g->rows * sizeof *got1);
        assert_true(got && got1);
        char what[128];
        for (int threads = 1; threads <= 2; threads++) {
            hs_error err = {0};
            snprintf(what, sizeof what, "%s h=%g threads=%d", hs_kernel_name(k), h,
                     threads);
            assert_int_equal(
                hs_kde_compute(p.x, p.y, p.w, p.n, k, h, g, got, threads, &err), HS_OK);
            check_close_grid(got, want, g, what);
            if (threads == 2) /* independent of threads, bit for bit */
                assert_memory_equal(got, got1, g->cols * g->rows * sizeof *got);
            memcpy(got1, got, g->cols * g->rows * sizeof *got);
        }
        assert_int_equal(hs_kde_compute(p.x, p.y, NULL, p.n, k, h, g, got, 2, NULL),
                         HS_OK);
        snprintf(what, sizeof what, "%s h=%g unweighted", hs_kernel_name(k), h);
        check_close_grid(got, want1, g, what);
        free(got);
        free(got1);
        free(want);
        free(want1);
        free_points(&p);
    }
}

/* ---- against brute force ------------------------------------------------ */

static void test_brute_square(void **state)
{
    (void)state;
    /* BNG-sized coordinates, bandwidth of several cells (the poly rows) */
    hs_kde_grid g = {412345.67, 156789.01, 25.0, 40, 30};
    check_all(&g, 130.0, 400);
    check_all(&g, 61.0, 400); /* 2.44 cells: direct */
}

static void test_brute_small_bandwidth(void **state)
{
    (void)state;
    hs_kde_grid g = {-100.0, 250.0, 10.0, 25, 20};
    check_all(&g, 4.0, 500);  /* smaller than a cell  */
    check_all(&g, 10.0, 500); /* exactly one cell     */
    check_all(&g, 14.9, 300);
}

static void test_brute_wide_bandwidth(void **state)
{
    (void)state;
    hs_kde_grid g = {0.0, 0.0, 7.3, 37, 23};
    check_all(&g, 23.9 * 7.3, 150); /* 23.9 cells: wider than the grid */
    check_all(&g, 3.7 * 7.3, 300);  /* non-integer ratio                */
}

static void test_brute_shapes(void **state)
{
    (void)state;
    hs_kde_grid one = {1000.0, 2000.0, 50.0, 1, 1};
    check_all(&one, 180.0, 200);
    check_all(&one, 30.0, 200);
    hs_kde_grid row = {1000.0, 2000.0, 50.0, 57, 1}, col = {1000.0, 2000.0, 50.0, 1, 57};
    check_all(&row, 180.0, 200);
    check_all(&col, 180.0, 200);
    check_all(&row, 45.0, 200);
    check_all(&col, 45.0, 200);
}

/* More rows than one chunk holds, and buckets of many points. */
static void test_brute_many_chunks(void **state)
{
    (void)state;
    hs_kde_grid g = {350000.0, 100000.0, 20.0, 31, 171};
    pointset p = make_points(&g, 90.0, 3000);
    double *want = brute(p.x, p.y, p.w, p.n, HS_KERNEL_QUARTIC, 90.0, &g);
    double *got = malloc(g.cols * g.rows * sizeof *got);
    assert_non_null(got);
    for (int threads = 0; threads <= 3; threads++) {
        assert_int_equal(hs_kde_compute(p.x, p.y, p.w, p.n, HS_KERNEL_QUARTIC, 90.0, &g,
                                        got, threads, NULL),
                         HS_OK);
        check_close_grid(got, want, &g, "quartic, many chunks");
    }
    free(got);
    free(want);
    free_points(&p);
}

/* Thousands of points at a few locations (police.uk snap points). */
static void test_brute_coincident(void **state)
{
    (void)state;
    hs_kde_grid g = {0.0, 0.0, 10.0, 30, 20};
    size_t n = 20000;
    double sites[7][2] = {{55, 55},  {55.000001, 55}, {-0.0, 100},   {0.0, 100},
                          {150, 95}, {299, 1},        {123.4, 187.6}};
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    float *w = malloc(n * sizeof *w);
    assert_true(x && y && w);
    for (size_t i = 0; i < n; i++) {
        size_t s = (size_t)(urand() * 7);
        x[i] = sites[s][0];
        y[i] = sites[s][1];
        w[i] = (float)(1 + i % 3);
    }
    double *got = malloc(g.cols * g.rows * sizeof *got);
    assert_non_null(got);
    for (size_t ki = 0; ki < NK; ki++) {
        double *want = brute(x, y, w, n, all_kernels[ki], 45.0, &g);
        assert_int_equal(
            hs_kde_compute(x, y, w, n, all_kernels[ki], 45.0, &g, got, 2, NULL), HS_OK);
        check_close_grid(got, want, &g, hs_kernel_name(all_kernels[ki]));
        free(want);
    }
    free(got);
    free(x);
    free(y);
    free(w);
}

/* Points at exactly distance h from cell centres (3-4-5 and 5-12-13 in exact
 * arithmetic) contribute nothing there, for every kernel; uniform, with its
 * step at h, would show any difference. */
static void test_support_edge(void **state)
{
    (void)state;
    /* cell 1 m: centres at half-integers.  h = 5 (poly rows) and h = 13. */
    hs_kde_grid g = {0.0, 0.0, 1.0, 40, 40};
    double x[] = {20.5 + 3, 20.5, 10.5 - 4, 30.5 + 12, 7.5, 33.5 - 5};
    double y[] = {20.5 + 4, 20.5 - 5, 10.5 + 3, 30.5 - 5, 7.5 + 13, 20.5 + 12};
    double *got = malloc(g.cols * g.rows * sizeof *got);
    assert_non_null(got);
    for (size_t ki = 0; ki < NK; ki++)
        for (int hi = 0; hi < 2; hi++) {
            double h = hi ? 13.0 : 5.0;
            double *want = brute(x, y, NULL, 6, all_kernels[ki], h, &g);
            assert_int_equal(
                hs_kde_compute(x, y, NULL, 6, all_kernels[ki], h, &g, got, 1, NULL),
                HS_OK);
            check_close_grid(got, want, &g, hs_kernel_name(all_kernels[ki]));
            free(want);
        }
    /* cell 4 m, h = 5 m: 1.25 cells, the direct path; centres at 4 c */
    hs_kde_grid g4 = {-2.0, -2.0, 4.0, 12, 12};
    double x4[] = {16.0 + 3, 24.0 - 4, 8.0};
    double y4[] = {16.0 + 4, 24.0 + 3, 8.0 - 5};
    for (size_t ki = 0; ki < NK; ki++) {
        double *want = brute(x4, y4, NULL, 3, all_kernels[ki], 5.0, &g4);
        assert_int_equal(
            hs_kde_compute(x4, y4, NULL, 3, all_kernels[ki], 5.0, &g4, got, 1, NULL),
            HS_OK);
        check_close_grid(got, want, &g4, hs_kernel_name(all_kernels[ki]));
        free(want);
    }
    /* the first point alone, uniform, h = 5: the cell at distance exactly 5
     * (centre (20.5, 20.5): column 20, row 19) gets nothing, its neighbour
     * at distance sqrt(20) gets 1/(pi h²) */
    assert_int_equal(
        hs_kde_compute(x, y, NULL, 1, HS_KERNEL_UNIFORM, 5.0, &g, got, 1, NULL), HS_OK);
    assert_true(got[19 * 40 + 20] == 0.0);
    CHECK_NEAR(got[19 * 40 + 21], 1.0 / (M_PI * 25.0), 1e-15);
    free(got);
}

/* Points within a few ulp of distance h from a cell centre: the support
 * test's rounding decides, and the result must follow it exactly. */
static void test_support_rounding(void **state)
{
    (void)state;
    size_t n = 2000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double *got = malloc(30 * 30 * sizeof *got);
    assert_true(x && y && got);
    /* BNG-sized and small coordinates (where rounding is coarser relative to
     * the spacing of doubles); 3.9 cells (poly rows) and 1.9 (direct) */
    for (int gi = 0; gi < 4; gi++) {
        hs_kde_grid g = {412000.0, 156000.0, 25.0, 30, 30};
        if (gi >= 2)
            g = (hs_kde_grid){0.3, -0.2, 0.7, 30, 30};
        double h = g.cell * (gi % 2 ? 3.9 : 1.9);
        for (size_t i = 0; i < n; i++) {
            size_t c = (size_t)(urand() * 30), row = (size_t)(urand() * 30);
            double xc = g.x0 + ((double)c + 0.5) * g.cell;
            double yc = g.y0 + ((double)(g.rows - row) - 0.5) * g.cell;
            double t = urand() * 2 * M_PI;
            y[i] = yc - h * sin(t);
            double dy = yc - y[i], dx = sqrt(h * h - dy * dy);
            x[i] = cos(t) < 0 ? xc + dx : xc - dx;
            for (int k = (int)(urand() * 9) - 4; k != 0; k += k < 0 ? 1 : -1)
                x[i] = nextafter(x[i], k < 0 ? -INFINITY : INFINITY);
        }
        for (size_t ki = 0; ki < NK; ki++) {
            if (all_kernels[ki] == HS_KERNEL_GAUSSIAN)
                continue; /* its support is 4h */
            double *want = brute(x, y, NULL, n, all_kernels[ki], h, &g);
            assert_int_equal(
                hs_kde_compute(x, y, NULL, n, all_kernels[ki], h, &g, got, 2, NULL),
                HS_OK);
            check_close_grid(got, want, &g, hs_kernel_name(all_kernels[ki]));
            free(want);
        }
    }
    free(x);
    free(y);
    free(got);
}

/* ---- integrals and hand-worked values ----------------------------------- */

/* sum(out) x cell² for one point on a grid much finer than the kernel. */
static double mass_of_one(hs_kernel k, double rcells, double fx, double fy)
{
    size_t side = 2 * (size_t)rcells + 9;
    hs_kde_grid g = {0.0, 0.0, 1.0, side, side};
    double h = k == HS_KERNEL_GAUSSIAN ? rcells / 4 : rcells;
    double x = (double)side / 2 + fx, y = (double)side / 2 + fy;
    double *out = malloc(side * side * sizeof *out), sum = 0.0;
    assert_non_null(out);
    assert_int_equal(hs_kde_compute(&x, &y, NULL, 1, k, h, &g, out, 0, NULL), HS_OK);
    for (size_t i = 0; i < side * side; i++)
        sum += out[i];
    free(out);
    return sum; /* cell = 1 */
}

static void test_normalisation(void **state)
{
    (void)state;
    /* each constant integrates to 1 (derivations in kde.c); radius 700
     * cells keeps the lattice error of the uniform kernel's edge < 1e-4 */
    for (size_t ki = 0; ki < NK; ki++) {
        double m = mass_of_one(all_kernels[ki], 700.0, 0.31, -0.17);
        if (!(fabs(m - 1.0) < 1e-4)) {
            print_error("%s: mass %.9f\n", hs_kernel_name(all_kernels[ki]), m);
            fail();
        }
    }
}

static void test_mass(void **state)
{
    (void)state;
    /* one point, quartic, h = 20 cells, far from the edges */
    double m = mass_of_one(HS_KERNEL_QUARTIC, 20.0, 0.42, 0.13);
    assert_true(fabs(m - 1.0) < 1e-3);

    /* N weighted points away from the edges: sum x cell² = sum of weights */
    hs_kde_grid g = {500000.0, 200000.0, 10.0, 200, 150};
    size_t n = 5000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), sw = 0.0, sum = 0.0;
    float *w = malloc(n * sizeof *w);
    double *out = malloc(g.cols * g.rows * sizeof *out);
    assert_true(x && y && w && out);
    for (size_t i = 0; i < n; i++) {
        x[i] = g.x0 + 300.0 + urand() * 1400.0;
        y[i] = g.y0 + 300.0 + urand() * 900.0;
        w[i] = (float)(0.5 + urand());
        sw += w[i];
    }
    assert_int_equal(
        hs_kde_compute(x, y, w, n, HS_KERNEL_QUARTIC, 250.0, &g, out, 2, NULL), HS_OK);
    for (size_t i = 0; i < g.cols * g.rows; i++)
        sum += out[i];
    sum *= g.cell * g.cell;
    assert_true(fabs(sum - sw) < 1e-3 * sw);
    free(x);
    free(y);
    free(w);
    free(out);
}

static void test_hand_worked(void **state)
{
    (void)state;
    /* one point on the centre of cell (5, 7) of a 50 m grid */
    hs_kde_grid g = {1000.0, 2000.0, 50.0, 15, 12};
    double x = 1000.0 + 7.5 * 50.0, y = 2000.0 + (12 - 5 - 0.5) * 50.0;
    double out[15 * 12];
    for (int i = 0; i < 2; i++) {
        double h = i ? 500.0 : 120.0; /* poly rows (10 cells), direct (2.4) */
        double c = 3.0 / (M_PI * h * h);
        assert_int_equal(
            hs_kde_compute(&x, &y, NULL, 1, HS_KERNEL_QUARTIC, h, &g, out, 1, NULL),
            HS_OK);
        double d1 = 50.0 * 50.0 / (h * h), d2 = 2 * d1; /* edge and corner neighbours */
        CHECK_NEAR(out[5 * 15 + 7], c, 1e-12 * c);
        CHECK_NEAR(out[5 * 15 + 8], c * (1 - d1) * (1 - d1), 1e-12 * c);
        CHECK_NEAR(out[4 * 15 + 7], c * (1 - d1) * (1 - d1), 1e-12 * c);
        CHECK_NEAR(out[6 * 15 + 6], c * (1 - d2) * (1 - d2), 1e-12 * c);
        /* two rows up and one column left: d² = 5 cells² */
        double d5 = 5 * d1, v5 = d5 < 1 ? c * (1 - d5) * (1 - d5) : 0.0;
        CHECK_NEAR(out[3 * 15 + 6], v5, 1e-12 * c);
    }
    /* a point outside every cell's reach leaves the grid exactly 0 */
    double fx = 0.0, fy = 0.0;
    assert_int_equal(
        hs_kde_compute(&fx, &fy, NULL, 1, HS_KERNEL_QUARTIC, 500.0, &g, out, 1, NULL),
        HS_OK);
    for (size_t i = 0; i < 15 * 12; i++)
        assert_true(out[i] == 0.0);
    /* no points at all */
    out[3] = 1.0;
    assert_int_equal(
        hs_kde_compute(NULL, NULL, NULL, 0, HS_KERNEL_QUARTIC, 500.0, &g, out, 2, NULL),
        HS_OK);
    assert_true(out[3] == 0.0);
}

/* ---- names and errors --------------------------------------------------- */

/* Copies rows as hs_kde_compute_f32 says they are final. */
typedef struct snapshot {
    const float *out;
    float *copy;
    size_t cols, done, calls;
} snapshot;

static void take_rows(void *ctx, size_t done)
{
    snapshot *s = ctx;
    if (done <= s->done)
        fail_msg("rows_done went from %zu to %zu", s->done, done);
    memcpy(s->copy + s->done * s->cols, s->out + s->done * s->cols,
           (done - s->done) * s->cols * sizeof *s->copy);
    s->done = done;
    s->calls++;
}

/* Float output is the double output times the scale, rounded once, cell
 * for cell; its sum is the double surface's, added row by row; with 1 or
 * 2 threads alike.  Both the polynomial path and the direct path (radius
 * under 2.5 cells, which goes through a double grid).  Rows reported
 * final (rows_done) do not change afterwards. */
static void test_float_output(void **state)
{
    (void)state;
    hs_kde_grid g = {412345.67, 156789.01, 25.0, 61, 47};
    const double radii[2] = {130.0, 40.0}, scale = 1e6;
    size_t nc = g.cols * g.rows;
    double *d = malloc(nc * sizeof *d);
    float *f = malloc(nc * sizeof *f), *f1 = malloc(nc * sizeof *f1);
    assert_true(d && f && f1);
    for (int k = 0; k < 2; k++) {
        pointset p = make_points(&g, radii[k], 700);
        hs_error err = {0};
        double sum = -1, sum1 = -2;
        assert_int_equal(hs_kde_compute(p.x, p.y, p.w, p.n, HS_KERNEL_QUARTIC,
                                        radii[k], &g, d, 2, &err), HS_OK);
        snapshot snap = {f, calloc(nc, sizeof(float)), g.cols, 0, 0};
        assert_non_null(snap.copy);
        assert_int_equal(hs_kde_compute_f32(p.x, p.y, p.w, p.n,
                                            HS_KERNEL_QUARTIC, radii[k], &g,
                                            scale, f, &sum, 2, take_rows,
                                            &snap, &err), HS_OK);
        /* rows were final when said to be: copies taken then match */
        assert_int_equal(snap.done, g.rows);
        assert_true(snap.calls >= 1);
        assert_memory_equal(snap.copy, f, nc * sizeof *f);
        free(snap.copy);
        assert_int_equal(hs_kde_compute_f32(p.x, p.y, p.w, p.n,
                                            HS_KERNEL_QUARTIC, radii[k], &g,
                                            scale, f1, &sum1, 1, NULL, NULL,
                                            &err), HS_OK);
        double want = 0;
        for (size_t r = 0; r < g.rows; r++) {
            double row = 0;
            for (size_t c = 0; c < g.cols; c++) {
                size_t i = r * g.cols + c;
                row += d[i];
                if (f[i] != (float)(d[i] * scale) || f1[i] != f[i])
                    fail_msg("radius %g, cell (%zu, %zu): float %.9g, double "
                             "x scale %.17g", radii[k], r, c, (double)f[i],
                             d[i] * scale);
            }
            want += row;
        }
        assert_true(want > 0 && sum == want && sum1 == want);
        free_points(&p);
    }
    hs_error err = {0};
    double one = 1, nowhere = 0;
    assert_int_equal(hs_kde_compute_f32(&one, &one, NULL, 1, HS_KERNEL_QUARTIC,
                                        100, &g, 0.0, f, NULL, 1, NULL, NULL,
                                        &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "scale"));
    assert_int_equal(hs_kde_compute_f32(&nowhere, &nowhere, NULL, 1,
                                        HS_KERNEL_QUARTIC, 100, &g, NAN, f,
                                        NULL, 1, NULL, NULL, &err), HS_ERR_ARG);
    free(d);
    free(f);
    free(f1);
}


/* hs_kde_compute_need: every wanted cell bit for bit as hs_kde_compute
 * gives it, whatever the tiles (none, scattered, all), kernel, radius
 * (poly rows and direct) and threads; a tile that is not a power of two is
 * refused. */
static void test_need(void **state)
{
    (void)state;
    hs_kde_grid g = {412345.67, 156789.01, 10.0, 157, 93};
    size_t nc = g.cols * g.rows;
    const size_t tiles[4] = {1, 2, 8, 16};
    const double radii[4] = {131.0, 63.0, 31.0, 19.0}; /* 13.1 .. 1.9 cells */
    const double dens[4] = {0.0, 0.08, 0.3, 1.0};
    double *want = malloc(nc * sizeof *want), *got = malloc(nc * sizeof *got);
    unsigned char *mask = malloc(nc);
    assert_true(want && got && mask);
    for (size_t ki = 0; ki < NK; ki++) {
        hs_kernel k = all_kernels[ki];
        for (int ri = 0; ri < 4; ri++) {
            double h = k == HS_KERNEL_GAUSSIAN ? radii[ri] / 4 : radii[ri];
            pointset p = make_points(&g, hs_kernel_radius(k, h), 900);
            assert_int_equal(hs_kde_compute(p.x, p.y, p.w, p.n, k, h, &g, want,
                                            1, NULL), HS_OK);
            for (int ti = 0; ti < 4; ti++)
                for (int di = 0; di < 4; di++) {
                    size_t t = tiles[ti], tc = (g.cols + t - 1) / t, tr = (g.rows + t - 1) / t;
                    for (size_t i = 0; i < tr * tc; i++)
                        mask[i] = urand() < dens[di];
                    hs_kde_need need = {mask, t};
                    for (size_t i = 0; i < nc; i++)
                        got[i] = -1.0;
                    int threads = 1 + (di & 1);
                    hs_error err = {0};
                    assert_int_equal(hs_kde_compute_need(p.x, p.y, p.w, p.n, k, h, &g,
                                                         &need, got, threads, &err),
                                     HS_OK);
                    for (size_t r = 0; r < g.rows; r++)
                        for (size_t c = 0; c < g.cols; c++) {
                            size_t i = r * g.cols + c;
                            /* a cell not wanted: left as it was, or exact
                             * (so a second call for other tiles keeps the
                             * first's: the back-test's first window) */
                            int exact = memcmp(&got[i], &want[i], sizeof got[i]) == 0;
                            if (!exact && (mask[(r / t) * tc + c / t] || got[i] != -1.0))
                                fail_msg("%s h=%g tile %zu density %g: cell (%zu, "
                                         "%zu)%s %.17g, all cells give %.17g",
                                         hs_kernel_name(k), h, t, dens[di], r, c,
                                         mask[(r / t) * tc + c / t] ? "" : " (not wanted)",
                                         got[i], want[i]);
                        }
                }
            free_points(&p);
        }
    }
    hs_kde_need bad = {mask, 6};
    hs_error err = {0};
    double one = 1;
    assert_int_equal(hs_kde_compute_need(&one, &one, NULL, 1, HS_KERNEL_QUARTIC,
                                         100, &g, &bad, got, 1, &err), HS_ERR_ARG);
    assert_non_null(strstr(err.msg, "power of two"));
    free(want);
    free(got);
    free(mask);
}

static void test_names(void **state)
{
    (void)state;
    for (size_t ki = 0; ki < NK; ki++)
        assert_int_equal(hs_kernel_parse(hs_kernel_name(all_kernels[ki])),
                         all_kernels[ki]);
    assert_int_equal(hs_kernel_parse("Quartic"), HS_KERNEL_QUARTIC);
    assert_int_equal(hs_kernel_parse("BIWEIGHT"), HS_KERNEL_QUARTIC);
    assert_int_equal(hs_kernel_parse("epanechnikov"), HS_KERNEL_EPANECHNIKOV);
    assert_int_equal(hs_kernel_parse("quartic "), -1);
    assert_int_equal(hs_kernel_parse(""), -1);
    assert_int_equal(hs_kernel_parse(NULL), -1);
    assert_string_equal(hs_kernel_name((hs_kernel)42), "unknown");
    assert_true(hs_kernel_radius(HS_KERNEL_QUARTIC, 300.0) == 300.0);
    assert_true(hs_kernel_radius(HS_KERNEL_GAUSSIAN, 300.0) == 1200.0);
}

static void expect_arg_error(hs_status st, const hs_error *err, const char *needle)
{
    assert_int_equal(st, HS_ERR_ARG);
    assert_int_equal(err->code, HS_ERR_ARG);
    if (!strstr(err->msg, needle)) {
        print_error("message '%s' lacks '%s'\n", err->msg, needle);
        fail();
    }
}

static void test_errors(void **state)
{
    (void)state;
    double x[2] = {10.0, 20.0}, y[2] = {10.0, 20.0}, out[16];
    hs_kde_grid g = {0.0, 0.0, 10.0, 4, 4};
    hs_error err = {0};
    const double bad_h[] = {0.0, -5.0, NAN, INFINITY, 1e-200, 1e200};
    for (size_t i = 0; i < sizeof bad_h / sizeof bad_h[0]; i++)
        expect_arg_error(
            hs_kde_compute(x, y, NULL, 2, HS_KERNEL_QUARTIC, bad_h[i], &g, out, 1, &err),
            &err, "bandwidth");

    const double bad_cell[] = {0.0, -1.0, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad_cell / sizeof bad_cell[0]; i++) {
        hs_kde_grid gb = g;
        gb.cell = bad_cell[i];
        expect_arg_error(
            hs_kde_compute(x, y, NULL, 2, HS_KERNEL_QUARTIC, 20.0, &gb, out, 1, &err),
            &err, "cell size");
    }
    hs_kde_grid gz = g;
    gz.cols = 0;
    expect_arg_error(
        hs_kde_compute(x, y, NULL, 2, HS_KERNEL_QUARTIC, 20.0, &gz, out, 1, &err), &err,
        "0 columns x 4 rows");
    gz = g;
    gz.rows = 0;
    expect_arg_error(
        hs_kde_compute(x, y, NULL, 2, HS_KERNEL_QUARTIC, 20.0, &gz, out, 1, &err), &err,
        "empty or too large");
    gz = g;
    gz.cols = (size_t)1 << 31;
    gz.rows = (size_t)1 << 31; /* 2^62 cells of 8 bytes: overflows */
    expect_arg_error(
        hs_kde_compute(x, y, NULL, 2, HS_KERNEL_QUARTIC, 20.0, &gz, out, 1, &err), &err,
        "too large");
    gz = g;
    gz.cols = SIZE_MAX;
    gz.rows = 2;
    expect_arg_error(
        hs_kde_compute(x, y, NULL, 2, HS_KERNEL_QUARTIC, 20.0, &gz, out, 1, &err), &err,
        "too large");
    gz = g;
    gz.x0 = NAN;
    expect_arg_error(
        hs_kde_compute(x, y, NULL, 2, HS_KERNEL_QUARTIC, 20.0, &gz, out, 1, &err), &err,
        "origin");

    expect_arg_error(hs_kde_compute(x, y, NULL, 2, (hs_kernel)17, 20.0, &g, out, 1, &err),
                     &err, "kernel");
    expect_arg_error(
        hs_kde_compute(x, y, NULL, 2, HS_KERNEL_QUARTIC, 20.0, NULL, out, 1, &err), &err,
        "grid");
    expect_arg_error(
        hs_kde_compute(NULL, y, NULL, 2, HS_KERNEL_QUARTIC, 20.0, &g, out, 1, &err), &err,
        "point");

    float wn[2] = {1.0f, NAN}, wneg[2] = {-1.0f, 1.0f};
    expect_arg_error(
        hs_kde_compute(x, y, wn, 2, HS_KERNEL_QUARTIC, 20.0, &g, out, 1, &err), &err,
        "weight of point 1");
    expect_arg_error(
        hs_kde_compute(x, y, wneg, 2, HS_KERNEL_QUARTIC, 20.0, &g, out, 2, &err), &err,
        "weight of point 0");
    /* err may be NULL */
    assert_int_equal(
        hs_kde_compute(x, y, NULL, 2, HS_KERNEL_QUARTIC, -1.0, &g, out, 1, NULL),
        HS_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brute_square),
        cmocka_unit_test(test_brute_small_bandwidth),
        cmocka_unit_test(test_brute_wide_bandwidth),
        cmocka_unit_test(test_brute_shapes),
        cmocka_unit_test(test_brute_many_chunks),
        cmocka_unit_test(test_brute_coincident),
        cmocka_unit_test(test_support_edge),
        cmocka_unit_test(test_support_rounding),
        cmocka_unit_test(test_normalisation),
        cmocka_unit_test(test_mass),
        cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_float_output),
        cmocka_unit_test(test_need),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
