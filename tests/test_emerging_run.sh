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
# every Gi* cell, with its emerging row where it has one (cells with no
# pattern have none)
ogr2ogr -f CSV "$T/cells.csv" "$T/em.gpkg" -dialect SQLite -sql \
    "SELECT g.cell_id, e.category, e.trend_z, e.trend_p, e.months_hot, e.months_cold,
            e.last_bin, ST_X(ST_Centroid(g.geom)) AS x, ST_Y(ST_Centroid(g.geom)) AS y
     FROM gistar_violence g LEFT JOIN emerging_violence e USING (cell_id)"
ogr2ogr -f CSV "$T/inc.csv" "$T/em.gpkg" -dialect SQLite -sql \
    "SELECT month, ST_X(geom) AS x, ST_Y(geom) AS y FROM incidents
     WHERE crime_group = 'violence' AND period = 'current' AND area_id IS NOT NULL"
period=$(sqlite3 "$T/em.gpkg" "SELECT value FROM run WHERE key = 'period'")
# the run table's tally of the categories, against the layer's
want="12 months$(sqlite3 "$T/em.gpkg" "SELECT group_concat('; ' || category || ' ' || n, '') FROM
    (SELECT category, count(*) AS n FROM emerging_violence GROUP BY category)")"
got=$(sqlite3 "$T/em.gpkg" "SELECT value FROM run WHERE key = 'emerging_violence'")
[ "$(echo "$got" | tr ';' '\n' | sort)" = "$(echo "$want" | tr ';' '\n' | sort)" ] ||
    fail "run table emerging_violence '$got', the layer has '$want'"
[ "$(sqlite3 "$T/em.gpkg" "SELECT count(*) FROM emerging_violence WHERE cell_id NOT IN
    (SELECT cell_id FROM gistar_violence) OR category = 'no pattern detected'")" = 0 ] ||
    fail "emerging_violence holds cells not in gistar_violence, or cells with no pattern"

cat > "$T/check.R" <<'EOF'
suppressMessages(library(spdep))
args <- commandArgs(TRUE)
T <- args[1]
fail <- function(...) { cat("FAIL:", ..., "\n"); quit(status = 1) }
d <- read.csv(file.path(T, "cells.csv"))
none <- is.na(d$category) | d$category == ""
if (!all(is.na(d$trend_z[none]))) fail("a cell without a row has a trend")
d$category[none] <- "no pattern detected"
d$months_hot[none] <- NA; d$months_cold[none] <- NA; d$last_bin[none] <- NA
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
hot <- rowSums(B >= 1); cold <- rowSums(B <= -1); has <- !none
if (any(hot[has] != d$months_hot[has])) fail(sum(hot[has] != d$months_hot[has]), "cells: months_hot differs")
if (any(cold[has] != d$months_cold[has])) fail(sum(cold[has] != d$months_cold[has]), "cells: months_cold differs")
if (any(B[has, Tn] != d$last_bin[has])) fail("last_bin differs")
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
e <- max(abs(tr[has, 1] - d$trend_z[has]), na.rm = TRUE)
if (any(is.na(tr[has, 1]) != is.na(d$trend_z[has])) || e > 1e-9) fail("trend_z differs by", e)
if (max(abs(tr[has, 2] - d$trend_p[has]), na.rm = TRUE) > 1e-12) fail("trend_p differs")
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
