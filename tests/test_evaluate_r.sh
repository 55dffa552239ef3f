#!/bin/bash
# analysis/evaluate.h against R, through a small driver compiled here
# against the library, on inputs R draws at test time (base R only):
#  - WDD: all nine figures against ptools 2.0.0 wdd() (its body pasted
#    below: MIT, Andrew Wheeler) to 1e-12 relative, for 24 inputs: whole
#    and fractional counts (sums of shares), zeros, all zero, unequal time
#    weights, alpha 0.05 / 0.1 / 0.2, with a control buffer and without
#    (then ptools is given the control twice);
#  - exact ratio of rate ratios: p as fisher.test(matrix(c(a1, b1, a0, b0),
#    2)) to 1e-9; estimate and interval against fisher.test's own
#    equations solved with uniroot at tol = 1e-15 to 1e-8, and against
#    fisher.test itself within its uniroot tolerance (1.22e-4 on the root
#    in (0, 1), i.e. on min(v, 1/v)), for 26 tables: zeros, zero margins,
#    hundreds and thousands, fractional counts (rounded as R rounds);
#  - rate ratio: estimate and interval as poisson.test(c(x1, x0), c(e1,
#    e0)) to 1e-8, p as the central conditional binomial p to 1e-9 and as
#    poisson.test's p when e1 = e0, for 22 pairs.
set -euo pipefail
. "$(dirname "$0")/common.sh"
command -v Rscript >/dev/null || { echo "SKIP: Rscript not installed"; exit 77; }
need_driver_tools

# The driver: one case a line on stdin, the figures a line on stdout.
#   wdd t0 t1 b0 b1 c0 c1 cb0 cb1 has_cb w0 w1 alpha -> the nine figures
#   rr a1 a0 b1 b0 conf                             -> ratio est low high p
#   pr x1 e1 x0 e0 conf                             -> ratio low high p
cat > "$T/driver.c" <<'EOF'
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/evaluate.h"

static void num(double v)
{
    if (isnan(v))
        fputs(" NaN", stdout);
    else if (isinf(v))
        fputs(v > 0 ? " Inf" : " -Inf", stdout);
    else
        printf(" %.17g", v);
}

int main(void)
{
    char kind[8];
    hs_error err = {0};
    while (scanf("%7s", kind) == 1) {
        if (!strcmp(kind, "wdd")) {
            hs_wdd_in in;
            hs_wdd o;
            if (scanf("%lf %lf %lf %lf %lf %lf %lf %lf %d %lf %lf %lf",
                      &in.target[0], &in.target[1], &in.buffer[0],
                      &in.buffer[1], &in.control[0], &in.control[1],
                      &in.control_buffer[0], &in.control_buffer[1],
                      &in.has_control_buffer, &in.weight[0], &in.weight[1],
                      &in.alpha) != 12)
                return 2;
            if (hs_wdd_compute(&in, &o, &err) != HS_OK)
                goto fail;
            fputs("wdd", stdout);
            num(o.local), num(o.local_se), num(o.displace), num(o.displace_se);
            num(o.total), num(o.total_se), num(o.z), num(o.low), num(o.high);
        } else if (!strcmp(kind, "rr")) {
            double a1, a0, b1, b0, conf;
            hs_exact_rr o;
            if (scanf("%lf %lf %lf %lf %lf", &a1, &a0, &b1, &b0, &conf) != 5)
                return 2;
            if (hs_exact_rr_compute(a1, a0, b1, b0, conf, &o, &err) != HS_OK)
                goto fail;
            fputs("rr", stdout);
            num(o.ratio), num(o.estimate), num(o.low), num(o.high), num(o.p);
        } else if (!strcmp(kind, "pr")) {
            double x1, e1, x0, e0, conf, r, lo, hi, p;
            if (scanf("%lf %lf %lf %lf %lf", &x1, &e1, &x0, &e0, &conf) != 5)
                return 2;
            if (hs_rate_ratio(x1, e1, x0, e0, conf, &r, &lo, &hi, &p, &err) !=
                HS_OK)
                goto fail;
            fputs("pr", stdout);
            num(r), num(lo), num(hi), num(p);
        } else {
            return 2;
        }
        putchar('\n');
    }
    return 0;
fail:
    fprintf(stderr, "%s\n", err.msg);
    return 1;
}
EOF
build_driver "$T/driver.c" "$T/driver"

Rscript - "$T/driver" "$T" <<'R' || fail "R disagrees (above)"
a <- commandArgs(TRUE); drv <- a[1]; dir <- a[2]
set.seed(20150)
bad <- 0
check <- function(what, got, want, rtol, scale = 0) {
    ok <- (is.nan(got) && is.nan(want)) ||
          (is.infinite(got) && identical(got, want)) ||
          (is.finite(got) && is.finite(want) &&
           abs(got - want) <= rtol * max(abs(got), abs(want), scale))
    if (!ok) {
        cat(sprintf("FAIL %s: got %.17g, want %.17g\n", what, got, want))
        bad <<- bad + 1
    }
}

# ---- ptools 2.0.0 R/wdd.R (apwheele/ptools 31c972b), MIT licence,
# copyright 2021 Andrew Wheeler: the function body as published, with
# printing cut (silent).
wdd <- function(control,treated,disp_control=c(0,0),
                disp_treated=c(0,0),
                time_weights=c(1,1),area_weights=c(1,1,1,1),
                alpha=0.1, silent=FALSE){
    # Generating the weights
    cpre_w  <- time_weights[1]*area_weights[1]
    cpost_w <- time_weights[2]*area_weights[1]
    tpre_w  <- time_weights[1]*area_weights[2]
    tpost_w  <- time_weights[2]*area_weights[2]
    dcpre_w <- time_weights[1]*area_weights[3]
    dcpos_w <- time_weights[2]*area_weights[3]
    dpre_w <-  time_weights[1]*area_weights[4]
    dpost_w <- time_weights[2]*area_weights[4]
    # Generating the stats
    est_local <- (treated[2]/tpost_w - treated[1]/tpre_w) - (control[2]/cpost_w - control[1]/cpre_w)
    var_local <- treated[2]*((1/tpost_w)^2) + treated[1]*((1/tpre_w)^2) + control[2]*((1/cpost_w)^2) + control[1]*((1/cpre_w)^2)
    est_disp <- (disp_treated[2]/dpost_w - disp_treated[1]/dpre_w) - (disp_control[2]/dcpos_w - disp_control[1]/dcpre_w)
    var_disp <- disp_treated[2]*((1/dpost_w)^2) + disp_treated[1]*((1/dpre_w)^2) + disp_control[2]*((1/dcpos_w)^2) + disp_control[1]*((1/dcpre_w)^2)
    tot_est <- est_local + est_disp
    var_tot <- var_local + var_disp
    # Inference stats
    level <- stats::qnorm(1 - alpha/2)
    z_score <- tot_est/sqrt(var_tot)
    low_ci  <- tot_est - level*sqrt(var_tot)
    high_ci <- tot_est + level*sqrt(var_tot)
    res <- c(est_local,sqrt(var_local),est_disp,sqrt(var_disp),tot_est,sqrt(var_tot),z_score,low_ci,high_ci)
    names(res) <- c('Est_Local','SE_Local','Est_Displace','SE_Displace','Est_Total','SE_Total','Z','LowCI','HighCI')
    return(res)
}

# ---- fisher.test's 2x2 estimate and interval (R 4.2 stats), the same
# equations with uniroot's tolerance at tol: the reference to ~1e-13.
fisher_tight <- function(x, conf.level = 0.95, tol = 1e-15) {
    m <- sum(x[, 1L]); n <- sum(x[, 2L]); k <- sum(x[1L, ]); x <- x[1L, 1L]
    lo <- max(0L, k - n); hi <- min(k, m); support <- lo:hi
    logdc <- dhyper(support, m, n, k, log = TRUE)
    dnhyper <- function(ncp) { d <- logdc + log(ncp) * support
        d <- exp(d - max(d)); d / sum(d) }
    mnhyper <- function(ncp) { if (ncp == 0) return(lo)
        if (ncp == Inf) return(hi); sum(support * dnhyper(ncp)) }
    pnhyper <- function(q, ncp = 1, upper.tail = FALSE) {
        if (ncp == 1) return(if (upper.tail) phyper(x - 1, m, n, k, lower.tail = FALSE)
                             else phyper(x, m, n, k))
        if (ncp == 0) return(as.numeric(if (upper.tail) q <= lo else q >= lo))
        if (ncp == Inf) return(as.numeric(if (upper.tail) q <= hi else q >= hi))
        sum(dnhyper(ncp)[if (upper.tail) support >= q else support <= q]) }
    ur <- function(f, int) uniroot(f, int, tol = tol, maxiter = 5000)$root
    mle <- function(x) { if (x == lo) return(0); if (x == hi) return(Inf)
        mu <- mnhyper(1)
        if (mu > x) ur(function(t) mnhyper(t) - x, c(0, 1))
        else if (mu < x) 1 / ur(function(t) mnhyper(1/t) - x, c(.Machine$double.eps, 1))
        else 1 }
    ncp.U <- function(x, alpha) { if (x == hi) return(Inf); p <- pnhyper(x, 1)
        if (p < alpha) ur(function(t) pnhyper(x, t) - alpha, c(0, 1))
        else if (p > alpha) 1 / ur(function(t) pnhyper(x, 1/t) - alpha, c(.Machine$double.eps, 1))
        else 1 }
    ncp.L <- function(x, alpha) { if (x == lo) return(0)
        p <- pnhyper(x, 1, upper.tail = TRUE)
        if (p > alpha) ur(function(t) pnhyper(x, t, upper.tail = TRUE) - alpha, c(0, 1))
        else if (p < alpha) 1 / ur(function(t) pnhyper(x, 1/t, upper.tail = TRUE) - alpha, c(.Machine$double.eps, 1))
        else 1 }
    alpha <- (1 - conf.level) / 2
    c(mle(x), ncp.L(x, alpha), ncp.U(x, alpha))
}

# ---- the cases
wcase <- list()
share <- function(n) round(runif(n, 0, 300), 3)  # sums of aoristic shares
for (i in 1:24) {
    cnt <- if (i %% 3 == 0) share(8) else rpois(8, sample(c(3, 40, 300), 1))
    if (i %% 5 == 0) cnt[sample(8, 3)] <- 0
    if (i == 24) cnt[] <- 0
    w <- switch(1 + i %% 4, c(1, 1), c(2, 1), c(24, 12), round(runif(2, 0.25, 4), 4))
    wcase[[i]] <- list(cnt = cnt, has = as.integer(i %% 2 == 0), w = w,
                       alpha = c(0.1, 0.05, 0.2)[1 + i %% 3])
}
rcase <- list(c(0, 0, 3, 4), c(3, 4, 0, 0), c(0, 5, 0, 7), c(5, 0, 0, 3),
              c(0, 7, 9, 0), c(7, 0, 0, 9), c(1, 0, 5, 5), c(20, 40, 30, 30),
              c(110, 207, 318, 308), c(2, 9, 7, 3), c(1, 1, 1, 1),
              c(12.4, 3.5, 7.6, 2.5), c(2.5, 3.5, 0.4, 9.51))
for (i in 1:13) {
    mu <- sample(c(2, 15, 150, 600, 2500), 1)
    rcase[[length(rcase) + 1]] <- rpois(4, mu * runif(4, 0.5, 1.5))
}
rconf <- rep(c(0.95, 0.9, 0.99), length.out = length(rcase))
pcase <- list(c(0, 1, 0, 1), c(0, 2, 5, 1), c(5, 1, 0, 2), c(10, 1, 10, 1),
              c(20, 12, 10, 24), c(1, 3.5, 400, 17), c(499, 1, 1, 1),
              c(7.6, 2, 2.4, 2))
for (i in 1:14) {
    e <- if (i %% 3 == 0) c(1, 1) else round(runif(2, 0.2, 50), 3)
    x <- rpois(2, sample(c(4, 60, 800, 5000), 1) * e / sum(e))
    pcase[[length(pcase) + 1]] <- c(x[1], e[1], x[2], e[2])
}
pconf <- rep(c(0.95, 0.9, 0.99), length.out = length(pcase))

lines <- c(
    sapply(wcase, function(k) paste("wdd", paste(sprintf("%.17g", k$cnt), collapse = " "),
                                    k$has, sprintf("%.17g", k$w[1]), sprintf("%.17g", k$w[2]), k$alpha)),
    mapply(function(v, cf) paste("rr", paste(sprintf("%.17g", v), collapse = " "), cf), rcase, rconf),
    mapply(function(v, cf) paste("pr", paste(sprintf("%.17g", v), collapse = " "), cf), pcase, pconf))
writeLines(lines, file.path(dir, "in.txt"))
out <- system2(drv, stdin = file.path(dir, "in.txt"), stdout = TRUE)
if (length(out) != length(lines)) stop("the driver answered ", length(out), " of ", length(lines))
got <- lapply(strsplit(out, " "), function(f) as.numeric(f[-1]))

# WDD: the driver's order t, b, c, cb; ptools' wdd(control, treated,
# disp_control, disp_treated); without a control buffer, the control twice.
for (i in seq_along(wcase)) {
    k <- wcase[[i]]; v <- k$cnt
    tr <- v[1:2]; bu <- v[3:4]; co <- v[5:6]; cb <- if (k$has) v[7:8] else co
    want <- wdd(co, tr, cb, bu, time_weights = k$w, alpha = k$alpha, silent = TRUE)
    g <- got[[i]]
    for (j in 1:9)
        check(sprintf("wdd case %d %s", i, names(want)[j]), g[j], unname(want[j]),
              1e-12, scale = want[["SE_Total"]])
}

# Exact ratio of rate ratios.
off <- length(wcase)
for (i in seq_along(rcase)) {
    v <- rcase[[i]]; cf <- rconf[i]; g <- got[[off + i]]
    w <- round(v)
    tab <- matrix(c(w[1], w[3], w[2], w[4]), 2)
    ft <- suppressWarnings(fisher.test(matrix(c(v[1], v[3], v[2], v[4]), 2), conf.level = cf))
    tag <- sprintf("fisher case %d (%s, conf %g)", i, paste(v, collapse = ","), cf)
    check(paste(tag, "ratio"), g[1], (w[1] * w[4]) / (w[2] * w[3]), 1e-15)
    check(paste(tag, "p"), g[5], ft$p.value, 1e-9)
    if (min(rowSums(tab), colSums(tab)) == 0) {
        # a zero margin: R's estimate is 0, ours NaN (evaluate.h)
        check(paste(tag, "estimate (zero margin)"), g[2], NaN, 0)
        check(paste(tag, "low"), g[3], 0, 0)
        check(paste(tag, "high"), g[4], Inf, 0)
        next
    }
    tight <- fisher_tight(tab, cf)
    check(paste(tag, "estimate"), g[2], tight[1], 1e-8)
    check(paste(tag, "low"), g[3], tight[2], 1e-8)
    check(paste(tag, "high"), g[4], tight[3], 1e-8)
    fold <- function(v) ifelse(v > 1, 1 / v, v)
    r <- c(ft$estimate, ft$conf.int)
    for (j in 1:3)
        if (abs(fold(g[1 + j]) - fold(r[j])) > 1.3e-4) {
            cat(sprintf("FAIL %s fisher.test figure %d: got %.9g, R %.9g\n", tag, j, g[1 + j], r[j]))
            bad <- bad + 1
        }
}

# Rate ratios.
off <- off + length(rcase)
for (i in seq_along(pcase)) {
    v <- pcase[[i]]; cf <- pconf[i]; g <- got[[off + i]]
    x <- round(v[c(1, 3)]); e <- v[c(2, 4)]
    tag <- sprintf("rate ratio case %d (%s, conf %g)", i, paste(v, collapse = ","), cf)
    if (sum(x) == 0) {  # poisson.test stops; ours: NaN, [0, Inf], p 1
        check(paste(tag, "ratio"), g[1], NaN, 0); check(paste(tag, "low"), g[2], 0, 0)
        check(paste(tag, "high"), g[3], Inf, 0); check(paste(tag, "p"), g[4], 1, 0)
        next
    }
    pt <- poisson.test(x, e, conf.level = cf)
    check(paste(tag, "ratio"), g[1], unname(pt$estimate), 1e-14)
    check(paste(tag, "low"), g[2], pt$conf.int[1], 1e-8)
    check(paste(tag, "high"), g[3], pt$conf.int[2], 1e-8)
    n <- sum(x); p0 <- e[1] / sum(e)
    central <- min(1, 2 * min(pbinom(x[1], n, p0), pbinom(x[1] - 1, n, p0, lower.tail = FALSE)))
    check(paste(tag, "p (central)"), g[4], central, 1e-9)
    if (e[1] == e[2]) check(paste(tag, "p (poisson.test)"), g[4], pt$p.value, 1e-9)
}
cat(sprintf("%d WDD, %d Fisher, %d rate-ratio cases; %d failure(s)\n",
            length(wcase), length(rcase), length(pcase), bad))
quit(status = if (bad) 1 else 0)
R
echo "PASS: evaluate against ptools wdd, fisher.test and poisson.test"
