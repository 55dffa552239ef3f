#!/bin/bash
# Gi* against R spdep (Debian r-cran-spdep), on the demo county's
# violence, with the tool's own cells and counts (gistar_violence):
#  - z: spdep localG with the cell included (include.self, binary
#    weights, neighbours by dnearneigh on the cell centres) to 1e-9, for a
#    1,000 m band on 500 m cells, for queen neighbours (500 m x sqrt 2)
#    and for a 1,000 m band on 500 m hexagons (--gi-grid hex);
#  - p: 2 pnorm(-|z|); gi_bin from p.adjust(p, "BH") at 0.01 / 0.05 / 0.10;
#  - the automatic distance: Moran's I z at 1 to 10 cells of 1,500 m,
#    squares and hexagons (moran.test,
#    row-standardised weights without the cell, no randomisation,
#    adjust.n = FALSE: every cell counts in n, gistar.h);
#  - permutations: the share of cells with a pseudo-p below 0.01, 0.05
#    and 0.10 against the same conditional draws made in R, within
#    sampling error (spdep localG_perm's own pseudo-p is printed beside:
#    it counts ties one way, gistar.h both ways); exact draws are checked
#    against a brute force in test_gistar.c;
#  - weighted points (fractional cell values, as the share of each
#    incident's time window inside --when gives), through a small driver
#    compiled here against the library: R sums the weights into the cells
#    by the floor rule itself (to 1e-9) and spdep localG on those values
#    gives z to 1e-9, for queen neighbours and a 250 m band on 100 m cells
#    with holes.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data/demo
LIB=${HOTSPOT_LIB:-$SRC/build/libhotspot.a}
command -v Rscript >/dev/null || { echo "SKIP: Rscript not installed (apt-get install r-cran-spdep)"; exit 77; }
Rscript -e 'suppressMessages(library(spdep))' 2>/dev/null || { echo "SKIP: R package spdep not installed (apt-get install r-cran-spdep)"; exit 77; }
command -v ogr2ogr >/dev/null || { echo "SKIP: ogr2ogr not installed"; exit 77; }
CC=${CC:-cc}
command -v "$CC" >/dev/null || { echo "SKIP: no C compiler ($CC) for the driver"; exit 77; }
for tool in pkg-config geos-config; do
    command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -f "$LIB" ] || fail "no library at $LIB"

# The driver: weighted points on a 40 x 30 grid of 100 m cells (a corner
# and a column of cells not kept) -> points.csv (x, y, weight) and, for
# each distance in metres given, gi_<distance>.csv (the cells' centres,
# values and z).
cat > "$T/driver.c" <<'EOF'
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/gistar.h"

enum { C = 40, RW = 30, NP = 3000 };

int main(int argc, char **argv)
{
    static int32_t lab[C * RW];
    static double px[NP], py[NP];
    static float pw[NP];
    const hs_grid_geom g = {500000, 200000, 100, C, RW};
    for (int i = 0; i < C * RW; i++) /* a corner and a column not kept */
        lab[i] = (i / C < 8 && i % C < 10) || i % C == 25 ? -1 : 0;
    uint32_t s = 1;
    for (int k = 0; k < NP; k++) { /* denser to the south-west */
        s = s * 1664525u + 1013904223u;
        double a = (s >> 8) / 16777216.0;
        s = s * 1664525u + 1013904223u;
        double b = (s >> 8) / 16777216.0;
        px[k] = g.x0 + C * g.cell * a * a;
        py[k] = g.y0 + RW * g.cell * b * sqrt(b);
        pw[k] = (float)(k % 9 + 1) / 7.0f; /* shares of a time window */
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/points.csv", argv[1]);
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    fprintf(f, "x,y,w\n");
    for (int k = 0; k < NP; k++)
        fprintf(f, "%.17g,%.17g,%.17g\n", px[k], py[k], (double)pw[k]);
    fclose(f);
    for (int a = 2; a < argc; a++) {
        hs_gi_opts o = {.distance = atof(argv[a]), .permutations = 0, .fdr = 1};
        hs_gi gi;
        hs_error err = {0};
        if (hs_gi_compute(lab, &g, px, py, pw, NP, &o, &gi, &err) != HS_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        snprintf(path, sizeof path, "%s/gi_%s.csv", argv[1], argv[a]);
        if (!(f = fopen(path, "w")))
            return 1;
        fprintf(f, "x,y,count,gi_z\n");
        for (size_t i = 0; i < gi.n; i++) {
            double x, y;
            hs_gi_centre(&g, 0, gi.cell[i], &x, &y);
            fprintf(f, "%.17g,%.17g,%.17g,%.17g\n", x, y, gi.count[i], gi.z[i]);
        }
        fclose(f);
        hs_gi_free(&gi);
    }
    return 0;
}
EOF
SAN= # a sanitizer build of the library needs the runtimes (not grep -q: pipefail)
nm "$LIB" > "$T/nm.txt" 2>/dev/null || true
grep -q '__asan_' "$T/nm.txt" && SAN="-fsanitize=address,undefined"
# shellcheck disable=SC2046
"$CC" -std=c11 -D_DEFAULT_SOURCE $SAN -I"$SRC/include" -I"$SRC/src" -o "$T/driver" "$T/driver.c" \
    "$LIB" $(pkg-config --libs gdal proj sqlite3 cairo cairo-pdf fontconfig nettle inih libpq) \
    $(geos-config --clibs) -lm -lpthread 2>"$T/cc.txt" || fail "cannot build the driver: $(cat "$T/cc.txt")"
"$T/driver" "$T" 141.4213562373095 250 || fail "the driver failed"

run() { # name, extra flags
    local name=$1; shift
    "$BIN" run --incidents "$D/policeuk" --areas "$D/boards.geojson" --area-id board_id \
        --groups violence --compare none --kde no --incidents-layer no \
        "$@" -o "$T/$name.gpkg" >/dev/null 2>"$T/err.txt" ||
        fail "run $name: $(cat "$T/err.txt")"
    ogr2ogr -f CSV "$T/$name.csv" "$T/$name.gpkg" -dialect SQLite -sql \
        "SELECT cell_id, count, gi_z, gi_p, gi_p_sim, gi_bin, ST_X(ST_Centroid(geom)) AS x,
                ST_Y(ST_Centroid(geom)) AS y FROM gistar_violence"
}
run band --gi-cell 500 --gi-distance 1000 --gi-permutations 0
run queen --gi-cell 500 --gi-distance 707.1067811865476 --gi-permutations 0
run auto --gi-cell 1500 --gi-permutations 0
run hex --gi-grid hex --gi-cell 500 --gi-distance 1000 --gi-permutations 0
run hexauto --gi-grid hex --gi-cell 1500 --gi-permutations 0
hexmoran=$(sqlite3 "$T/hexauto.gpkg" "SELECT value FROM run WHERE key = 'gi_moran_z_violence'")
run perm --gi-cell 2000 --gi-distance 4000 --gi-permutations 999
moran=$(sqlite3 "$T/auto.gpkg" "SELECT value FROM run WHERE key = 'gi_moran_z_violence'")
[ -n "$moran" ] || fail "no gi_moran_z_violence in the run table"

cat > "$T/check.R" <<'EOF'
suppressMessages(library(spdep))
args <- commandArgs(TRUE)
T <- args[1]
fail <- function(...) { cat("FAIL:", ..., "\n"); quit(status = 1) }
check_z <- function(name, dist) {
    d <- read.csv(file.path(T, paste0(name, ".csv")))
    xy <- cbind(d$x, d$y)
    nb <- include.self(dnearneigh(xy, 0, dist * (1 + 1e-9)))
    lw <- nb2listw(nb, style = "B", zero.policy = TRUE)
    z <- as.numeric(localG(d$count, lw, zero.policy = TRUE))
    err <- max(abs(z - d$gi_z))
    if (!(err < 1e-9)) fail(name, ": z differs from spdep localG by", err)
    p <- 2 * pnorm(-abs(z))
    if (max(abs(p - d$gi_p)) > 1e-12) fail(name, ": p differs")
    q <- p.adjust(p, "BH")
    b <- ifelse(q <= 0.01, 3, ifelse(q <= 0.05, 2, ifelse(q <= 0.10, 1, 0))) * sign(z)
    if (any(b != d$gi_bin)) fail(name, ":", sum(b != d$gi_bin), "bins differ from p.adjust BH")
    cat(sprintf("%s: %d cells, z as spdep localG (max difference %.1e), %d hot and %d cold after BH\n",
                name, nrow(d), err, sum(b > 0), sum(b < 0)))
    list(d = d, lw = lw)
}
invisible(check_z("band", 1000))
invisible(check_z("queen", 500 * sqrt(2)))
invisible(check_z("hex", 1000)) # hexagons: 18 neighbours and the cell
perm <- check_z("perm", 4000)

# weighted points: the cells' values summed here by the floor rule (x0 =
# 500,000, y0 = 200,000, 100 m cells, 30 rows), then localG on them
pts <- read.csv(file.path(T, "points.csv"))
key <- function(x, y) paste(floor((x - 500000) / 100), 29 - floor((y - 200000) / 100))
sums <- tapply(pts$w, key(pts$x, pts$y), sum)
for (dist in c("141.4213562373095", "250")) {
    d <- read.csv(file.path(T, paste0("gi_", dist, ".csv")))
    v <- as.numeric(sums[key(d$x, d$y)])
    v[is.na(v)] <- 0
    if (max(abs(v - d$count)) > 1e-9)
        fail("weights,", dist, "m: cell values differ from R's sums by", max(abs(v - d$count)))
    if (all(v == round(v))) fail("weights,", dist, "m: no fractional cell values")
    lw <- nb2listw(include.self(dnearneigh(cbind(d$x, d$y), 0, as.numeric(dist) * (1 + 1e-9))),
                   style = "B", zero.policy = TRUE)
    z <- as.numeric(localG(v, lw, zero.policy = TRUE))
    err <- max(abs(z - d$gi_z))
    if (!(err < 1e-9)) fail("weights,", dist, "m: z differs from spdep localG by", err)
    cat(sprintf("weighted points, %s m: %d cells, values as R's sums of the weights, z as spdep localG (max difference %.1e)\n",
                dist, nrow(d), err))
}

# Moran's I z at 1 .. 10 cells, as the run table gives them
for (grid in c("auto", "hexauto")) {
    d <- read.csv(file.path(T, paste0(grid, ".csv")))
    want <- as.numeric(sub(".*: ", "", strsplit(args[if (grid == "auto") 2 else 3], "; ")[[1]]))
    xy <- cbind(d$x, d$y)
    for (k in 1:10) {
        lw <- nb2listw(dnearneigh(xy, 0, 1500 * k * (1 + 1e-9)), style = "W", zero.policy = TRUE)
        m <- moran.test(d$count, lw, randomisation = FALSE, zero.policy = TRUE,
                        adjust.n = FALSE)
        if (abs(m$statistic - want[k]) > 1e-4 * max(1, abs(want[k])))
            fail(grid, ": Moran's I z at", 1500 * k, "m:", m$statistic, "; the run:", want[k])
    }
    cat(sprintf("automatic distance (%s): Moran's I z at 1.5 to 15 km as spdep moran.test (%s)\n",
                grid, paste(sprintf("%.2f", want), collapse = ", ")))
}

# permutations, in distribution: 2 km cells, a 4 km band (~49 neighbours).
# The same conditional draws in R (sample(x[-i], replace = TRUE)) with
# gistar.h's tie rule; spdep localG_perm's folded pseudo-p beside it for
# information: it counts ties one way only, so low sums tie with many
# simulations and come out "significant" more often.
set.seed(1)
x <- perm$d$count
nbs <- perm$lw$neighbours
R <- 999
pr <- sapply(seq_along(x), function(i) {
    m <- length(nbs[[i]]) - 1; obs <- sum(x[nbs[[i]]])
    s <- x[i] + if (m > 0) colSums(matrix(sample(x[-i], m * R, replace = TRUE), nrow = m)) else rep(0, R)
    (min(sum(s >= obs), sum(s <= obs)) + 1) / (R + 1)
})
g <- localG_perm(x, perm$lw, nsim = R, zero.policy = TRUE)
ps <- attr(g, "internals")[, "Pr(folded) Sim"]
for (cut in c(0.01, 0.05, 0.1)) {
    a <- mean(perm$d$gi_p_sim < cut); b <- mean(pr < cut)
    se <- sqrt((a * (1 - a) + b * (1 - b)) / length(x))
    if (abs(a - b) > 4 * se + 0.005)
        fail("pseudo-p below", cut, ":", a, "here,", b, "from R's draws")
    cat(sprintf("permutations: %.3f of %d cells below %.2f here, %.3f from R's draws (spdep localG_perm: %.3f)\n",
                a, length(x), cut, b, mean(ps < cut)))
}
EOF
Rscript "$T/check.R" "$T" "$moran" "$hexmoran" || fail "R spdep disagrees"
echo PASS
