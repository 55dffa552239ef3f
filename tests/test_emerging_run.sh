#!/bin/bash
# Emerging hot spots end to end (emerging_<group>), recomputed in R from the
# run's own incidents layer, independently of the C code:
#  - the cube: the demo county's violence in the period, counted per Gi*
#    cell (floor rule on 1 km squares, whose corners are multiples of the
#    cell) and month;
#  - Gi* of every cell-month over the whole cube: neighbours the cells
#    within 1.5 km (spdep dnearneigh, the cell included) this month and last
#    (none before the first), x̄ and s² over all cell-months, z as localG's
#    formula; p = 2 pnorm(-|z|); bins per month from p.adjust(p, "BH");
#  - months_hot, months_cold, last_bin; the Mann-Kendall trend of each
#    cell's z series written out here (S, tie-corrected variance, continuity
#    correction) against trend_z and trend_p;
#  - the category of every cell from emerging.h's rules written again in R.
# Permutations are off (--emerging-permutations 0), so bins come from p
# alone and R can repeat them exactly; the pseudo-p rule is checked against
# a brute force in test_emerging.c.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data/demo
command -v Rscript >/dev/null || { echo "SKIP: Rscript not installed (apt-get install r-cran-spdep)"; exit 77; }
Rscript -e 'suppressMessages(library(spdep))' 2>/dev/null || { echo "SKIP: R package spdep not installed (apt-get install r-cran-spdep)"; exit 77; }
command -v ogr2ogr >/dev/null || { echo "SKIP: ogr2ogr not installed"; exit 77; }

"$BIN" run --incidents "$D/policeuk" --areas "$D/boards.geojson" --area-id board_id \
    --groups violence --compare none --kde no --gi-cell 1000 --gi-distance 1500 \
    --gi-permutations 0 --emerging-permutations 0 -o "$T/em.gpkg" >/dev/null 2>"$T/err.txt" ||
    fail "run: $(cat "$T/err.txt")"
ogr2ogr -f CSV "$T/cells.csv" "$T/em.gpkg" -dialect SQLite -sql \
    "SELECT cell_id, category, trend_z, trend_p, months_hot, months_cold, last_bin,
            ST_X(ST_Centroid(geom)) AS x, ST_Y(ST_Centroid(geom)) AS y FROM emerging_violence"
ogr2ogr -f CSV "$T/inc.csv" "$T/em.gpkg" -dialect SQLite -sql \
    "SELECT month, ST_X(geom) AS x, ST_Y(geom) AS y FROM incidents
     WHERE crime_group = 'violence' AND period = 'current' AND area_id IS NOT NULL"
period=$(sqlite3 "$T/em.gpkg" "SELECT value FROM run WHERE key = 'period'")
[ "$(sqlite3 "$T/em.gpkg" "SELECT count(*) FROM gistar_violence")" = \
  "$(sqlite3 "$T/em.gpkg" "SELECT count(*) FROM emerging_violence")" ] ||
    fail "emerging_violence and gistar_violence hold different cells"

cat > "$T/check.R" <<'EOF'
suppressMessages(library(spdep))
args <- commandArgs(TRUE)
T <- args[1]
fail <- function(...) { cat("FAIL:", ..., "\n"); quit(status = 1) }
d <- read.csv(file.path(T, "cells.csv"))
inc <- read.csv(file.path(T, "inc.csv"))
per <- strsplit(args[2], " to ")[[1]]
mnum <- function(s) { p <- as.integer(strsplit(s, "-")[[1]]); p[1] * 12 + p[2] - 1 }
m0 <- mnum(per[1]); Tn <- mnum(per[2]) - m0 + 1
cell <- 1000; n <- nrow(d)
# the cube: each incident in the cell of its floor indices, months from 0
key <- function(x, y) paste(floor(x / cell), floor(y / cell))
ck <- match(key(inc$x, inc$y), key(d$x, d$y))
mi <- sapply(inc$month, mnum) - m0
ok <- !is.na(ck) & mi >= 0 & mi < Tn
X <- matrix(0, n, Tn)
for (k in which(ok)) X[ck[k], mi[k] + 1] <- X[ck[k], mi[k] + 1] + 1
nb <- include.self(dnearneigh(cbind(d$x, d$y), 0, 1500 * (1 + 1e-9)))
N <- length(X); xbar <- mean(X); s2 <- sum((X - xbar)^2) / N
Z <- matrix(NA, n, Tn)
for (t in 1:Tn) for (i in 1:n) {
    js <- nb[[i]]
    S <- sum(X[js, t]); W <- length(js)
    if (t > 1) { S <- S + sum(X[js, t - 1]); W <- 2 * W }
    Z[i, t] <- (S - W * xbar) / sqrt(s2 * (N * W - W^2) / (N - 1))
}
B <- matrix(0, n, Tn)
for (t in 1:Tn) {
    q <- p.adjust(2 * pnorm(-abs(Z[, t])), "BH")
    B[, t] <- ifelse(q <= 0.01, 3, ifelse(q <= 0.05, 2, ifelse(q <= 0.10, 1, 0))) * sign(Z[, t])
}
hot <- rowSums(B >= 1); cold <- rowSums(B <= -1)
if (any(hot != d$months_hot)) fail(sum(hot != d$months_hot), "cells: months_hot differs")
if (any(cold != d$months_cold)) fail(sum(cold != d$months_cold), "cells: months_cold differs")
if (any(B[, Tn] != d$last_bin)) fail("last_bin differs")
# Mann-Kendall, written out
mk <- function(z) {
    z[is.na(z)] <- 0; m <- length(z); S <- 0
    for (a in 1:(m - 1)) for (b in (a + 1):m) S <- S + sign(z[b] - z[a])
    tg <- table(z); v <- (m * (m - 1) * (2 * m + 5) - sum(tg * (tg - 1) * (2 * tg + 5))) / 18
    if (m < 3 || v == 0) return(c(NA, NA))
    Zs <- if (S > 0) (S - 1) / sqrt(v) else if (S < 0) (S + 1) / sqrt(v) else 0
    c(Zs, 2 * pnorm(-abs(Zs)))
}
tr <- t(apply(Z, 1, mk))
e <- max(abs(tr[, 1] - d$trend_z), na.rm = TRUE)
if (any(is.na(tr[, 1]) != is.na(d$trend_z)) || e > 1e-9) fail("trend_z differs by", e)
if (max(abs(tr[, 2] - d$trend_p), na.rm = TRUE) > 1e-12) fail("trend_p differs")
# the categories (emerging.h), hot side and its cold mirror
words <- c("new", "consecutive", "intensifying", "persistent", "diminishing",
           "sporadic", "oscillating", "historical")
cat1 <- function(b, tz, tp, side) {
    m <- length(b); h <- side * b >= 1; c <- side * b <= -1
    H <- sum(h); ninety <- 10 * H >= 9 * m; fin <- h[m]
    sig <- !is.na(tp) && tp <= 0.05; up <- sig && side * tz > 0; down <- sig && side * tz < 0
    run <- 0; while (run < m && h[m - run]) run <- run + 1
    clean <- !any(b[seq_len(m - run)] != 0)
    if (fin && run == 1 && clean) return(1)
    if (fin && run >= 2 && clean && !ninety) return(2)
    if (fin && ninety && up) return(3)
    if (fin && ninety && !sig) return(4)
    if (fin && ninety && down) return(5)
    if (fin && !ninety && any(c)) return(7)
    if (!fin && ninety) return(8)
    if (fin && !ninety && !any(c)) return(6)
    0
}
name <- function(k) if (k == 0) "no pattern detected" else
    paste(words[abs(k)], if (k > 0) "hot spot" else "cold spot")
want <- sapply(1:n, function(i) {
    b <- B[i, ]; first <- if (b[Tn] < 0) -1 else 1
    k <- cat1(b, tr[i, 1], tr[i, 2], first)
    if (k == 0) k <- -cat1(b, tr[i, 1], tr[i, 2], -first) * first else k <- k * first
    name(k)
})
bad <- which(want != d$category)
if (length(bad)) fail(length(bad), "categories differ, e.g. cell", d$cell_id[bad[1]], ":",
                      d$category[bad[1]], "here,", want[bad[1]], "in R")
tab <- table(want)
cat(sprintf("%d cells x %d months (%d incidents): bins, months hot and cold, Mann-Kendall (max difference %.1e) and categories as R (%s)\n",
            n, Tn, sum(X), e, paste(names(tab), tab, sep = ": ", collapse = ", ")))
EOF
Rscript "$T/check.R" "$T" "$period" || fail "R disagrees"
echo PASS
