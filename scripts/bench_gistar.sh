#!/bin/bash
# Benchmark: Gi* hot and cold spots (issue 13), Hotspot beside R spdep, on
# the 1M generated incidents (ASB, 2024: 398,912 incidents) and the 1,800
# LSOA-like areas of bench_common.sh:
#   county grid   106 m cells (482,856 in the areas), queen-like 150 m band,
#                 999 permutations: the whole run (--kde no, no points
#                 layer) with and without Gi*, hyperfine, 3 runs each, and
#                 Gi*'s own time from the run's time line
#   10,000 cells  750 m cells, 1,000 m band, 499 permutations: Hotspot's
#                 Gi* time against spdep localG_perm (nsim 499) on the same
#                 cells and counts (read from Hotspot's gistar layer), and
#                 spdep localG (no permutations), timed in R
#
#   scripts/bench_gistar.sh      (data in $BENCH_DIR, default build/bench)
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
bench_setup "r-cran-spdep"
bench_points 1m
bench_lsoa1800
A="--incidents points_1m.csv --areas lsoa1800.gpkg --areas-layer lsoa --area-id lsoa_code"
A="$A --categories cats.csv --groups asb --from 2024-01 --to 2024-12 --compare none"
A="$A --kde no --incidents-layer no"
echo "== county grid: 106 m cells, 150 m band, 999 permutations"
hyperfine --warmup 1 --runs 3 --style basic \
    "$BIN run $A --gistar no -o gi_none.gpkg" \
    "$BIN run $A --gi-cell 106 --gi-distance 150 --gi-permutations 999 -o gi_county.gpkg" 2>&1 |
    grep -E "Benchmark|Time|Range"
$BIN run $A --gi-cell 106 --gi-distance 150 --gi-permutations 999 -o gi_county.gpkg 2>&1 |
    grep -E "time:"
sqlite3 gi_county.gpkg "SELECT value FROM run WHERE key = 'gi_cell_asb'"

echo "== 10,000 cells: 750 m cells, 1,000 m band, 499 permutations, beside spdep"
$BIN run $A --gi-cell 750 --gi-distance 1000 --gi-permutations 499 -o gi_10k.gpkg 2>&1 |
    grep -E "time:"
ogr2ogr -f CSV gi_10k.csv gi_10k.gpkg -dialect SQLite -sql \
    "SELECT count, ST_X(ST_Centroid(geom)) AS x, ST_Y(ST_Centroid(geom)) AS y FROM gistar_asb"
Rscript - <<'EOF'
suppressMessages(library(spdep))
d <- read.csv("gi_10k.csv")
t0 <- system.time(lw <- nb2listw(include.self(dnearneigh(cbind(d$x, d$y), 0, 1000 * (1 + 1e-9))),
                                 style = "B", zero.policy = TRUE))
t1 <- system.time(g <- localG(d$count, lw, zero.policy = TRUE))
set.seed(1)
t2 <- system.time(gp <- localG_perm(d$count, lw, nsim = 499, zero.policy = TRUE))
cat(sprintf("spdep on %d cells: neighbours %.2f s, localG %.2f s, localG_perm (499) %.2f s\n",
            nrow(d), t0[["elapsed"]], t1[["elapsed"]], t2[["elapsed"]]))
EOF
