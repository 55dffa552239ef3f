/* test_bandwidth.c - grid alignment, bandwidth rules and map-point spacing,
 * against hand-worked values and brute force. */
#include <math.h>

#include "util.h"

#include "analysis/bandwidth.h"

static void test_cell_and_grid(void **state)
{
    (void)state;
    hs_error err = {0};
    /* 70 x 80 km: 70000 / 150 = 466.67 -> 467 m */
    assert_float_equal(hs_default_cell(380000, 120000, 450000, 200000), 467, 0);
    assert_float_equal(hs_default_cell(0, 0, 10, 10), 1, 0); /* at least 1 */
    hs_kde_grid g;
    assert_int_equal(hs_aligned_grid(1234.5, 2000, 5678.9, 2100, 100, 50, &g,
                                     &err), HS_OK);
    assert_float_equal(g.x0, 1100, 0); /* floor(1134.5 / 50) * 50 */
    assert_float_equal(g.y0, 1900, 0);
    assert_int_equal(g.cols, (5800 - 1100) / 50); /* ceil(5778.9/50)*50 = 5800 */
    assert_int_equal(g.rows, (2200 - 1900) / 50);
    /* shifting the extent by less than a cell keeps the same lines */
    hs_kde_grid g2;
    assert_int_equal(hs_aligned_grid(1240, 2001, 5670, 2099, 100, 50, &g2,
                                     &err), HS_OK);
    assert_float_equal(g2.x0, g.x0, 0);
    assert_int_not_equal(hs_aligned_grid(0, 0, 1e9, 1e9, 0, 1, &g, &err), HS_OK);
    assert_non_null(strstr(err.msg, "--cell"));
    assert_int_not_equal(hs_aligned_grid(0, 0, 1, 1, 0, 0, &g, &err), HS_OK);
}

/* Four points at distance 100 from their centre: SD = 100, Dm = 100,
 * h = 0.9 * min(100, 100 / sqrt(ln 2)) * 4^-0.2. */
static void test_silverman(void **state)
{
    (void)state;
    double x[] = {100, -100, 0, 0, NAN}, y[] = {0, 0, 100, -100, 5};
    assert_float_equal(hs_bandwidth_silverman(x, y, 5),
                       0.9 * 100 * pow(4, -0.2), 1e-9);
    /* Dm smaller than SD / sqrt(1/ln2): one far point pulls SD up */
    double x2[] = {0, 1, 2, 1000}, y2[] = {0, 0, 0, 0};
    double mx = 1003.0 / 4, ss = 0, d[4];
    for (int i = 0; i < 4; i++) {
        ss += (x2[i] - mx) * (x2[i] - mx);
        d[i] = fabs(x2[i] - mx);
    }
    /* distances 250.75, 249.75, 248.75, 749.25: median (249.75 + 250.75) / 2 */
    double dm = (d[1] + d[0]) / 2;
    assert_float_equal(dm, 250.25, 0);
    double want = 0.9 * fmin(sqrt(ss / 4), sqrt(1 / log(2)) * dm) * pow(4, -0.2);
    assert_float_equal(hs_bandwidth_silverman(x2, y2, 4), want, 1e-9);
    assert_float_equal(hs_bandwidth_silverman(x2, y2, 1), 0, 0);

    /* the choice: fixed as given, automatic rounded to a metre, too few */
    hs_error err = {0};
    char rule[96];
    double bw;
    assert_int_equal(hs_choose_bandwidth(x, y, 5, 250.5, 0, &bw, rule,
                                         sizeof rule, &err), HS_OK);
    assert_float_equal(bw, 250.5, 0);
    assert_string_equal(rule, "fixed");
    assert_int_equal(hs_choose_bandwidth(x, y, 5, 0, 0, &bw, rule, sizeof rule,
                                         &err), HS_OK);
    assert_float_equal(bw, round(0.9 * 100 * pow(4, -0.2)), 0);
    assert_non_null(strstr(rule, "Silverman"));
    assert_int_equal(hs_choose_bandwidth(x, y, 5, 0, 1, &bw, rule, sizeof rule,
                                         &err), HS_OK);
    assert_float_equal(bw, round(100 * sqrt(2)), 0); /* nearest: a diagonal */
    assert_int_equal(hs_choose_bandwidth(x2, y2, 1, 0, 0, &bw, rule,
                                         sizeof rule, &err), HS_ERR_DATA);
    assert_non_null(strstr(err.msg, "--bandwidth"));
}

static int cmpd(const void *a, const void *b)
{
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

/* k-th smallest distance from (x[i], y[i]) to the other points, all of
 * which are distinct locations. */
static double brute_kth(const double *x, const double *y, size_t n, size_t i,
                        int k)
{
    double *d = malloc(n * sizeof *d);
    size_t m = 0;
    for (size_t j = 0; j < n; j++)
        if (j != i)
            d[m++] = hypot(x[j] - x[i], y[j] - y[i]);
    qsort(d, m, sizeof *d, cmpd);
    double r = d[k - 1];
    free(d);
    return r;
}


/* A 20 x 20 lattice of 10 m (each point given three times: duplicates
 * count once): k = 1 is 10 m everywhere; k = 4 is 10 m inside, 14.14 m
 * on the edges, 20 m at the corners. */
static void test_knn_lattice(void **state)
{
    (void)state;
    hs_error err = {0};
    size_t n = 20 * 20 * 3, u;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        x[i] = 500000 + 10.0 * (double)((i / 3) % 20);
        y[i] = 200000 + 10.0 * (double)((i / 3) / 20);
    }
    double mean, med;
    assert_int_equal(hs_knn_distance(x, y, n, 1, 0, &mean, &med, &u, &err), HS_OK);
    assert_int_equal(u, 400);
    assert_float_equal(mean, 10, 1e-9);
    assert_float_equal(med, 10, 1e-9);
    assert_int_equal(hs_knn_distance(x, y, n, 4, 0, &mean, &med, &u, &err), HS_OK);
    assert_float_equal(mean, (324 * 10 + 72 * sqrt(200) + 4 * 20) / 400.0, 1e-9);
    assert_float_equal(med, 10, 1e-9);
    assert_int_not_equal(hs_knn_distance(x, y, n, 0, 0, &mean, &med, &u, &err), HS_OK);
    free(x);
    free(y);
}

/* Clustered random points: every k-th distance equals brute force. */
static void test_knn_random(void **state)
{
    (void)state;
    hs_error err = {0};
    size_t n = 3000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    unsigned s = 3;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        double u = (s >> 8) / 16777216.0;
        s = s * 1103515245u + 12345u;
        double v = (s >> 8) / 16777216.0;
        double c = i % 4 == 0 ? 1.0 : 0.05; /* a dense cluster and a sparse field */
        x[i] = 400000 + u * 20000 * c;
        y[i] = 100000 + v * 10000 * c;
        if (i % 17 == 0 && i) { /* some coincident points */
            x[i] = x[i - 1];
            y[i] = y[i - 1];
        }
    }
    for (int k = 1; k <= 9; k += 4) {
        double mean, med;
        size_t u;
        assert_int_equal(hs_knn_distance(x, y, n, k, 0, &mean, &med, &u, &err), HS_OK);
        /* brute force over distinct locations */
        double *ux = malloc(n * sizeof *ux), *uy = malloc(n * sizeof *uy);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            int dup = 0;
            for (size_t j = 0; j < m && !dup; j++)
                dup = ux[j] == x[i] && uy[j] == y[i];
            if (!dup) {
                ux[m] = x[i];
                uy[m++] = y[i];
            }
        }
        double *d = malloc(m * sizeof *d), sum = 0;
        for (size_t i = 0; i < m; i++)
            sum += d[i] = brute_kth(ux, uy, m, i, k);
        free(ux);
        free(uy);
        assert_int_equal(u, m);
        qsort(d, m, sizeof *d, cmpd);
        double want_med = m % 2 ? d[m / 2] : (d[m / 2 - 1] + d[m / 2]) / 2;
        assert_float_equal(mean, sum / (double)m, 1e-9 * sum / (double)m);
        assert_float_equal(med, want_med, 1e-9 * want_med);
        free(d);
    }
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cell_and_grid),
        cmocka_unit_test(test_silverman),
        cmocka_unit_test(test_knn_lattice),
        cmocka_unit_test(test_knn_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
