#!/bin/bash
# Benchmark: emerging hot spots (issue 13's target: 24 months of a
# 100,000-cell grid with 199 permutations in under 30 s on 2 cores).
# Data: the 1M generated incidents of bench_common.sh (2024) and the same
# points again a year earlier (2023), so 24 months; ASB only (797,824
# incidents over the two years); the 1,800 LSOA-like areas.  Gi* cells of
# 235 m give ~101,000 cells in the areas, a 500 m band (~15 neighbours).
# hyperfine times the run with and without emerging hot spots (--kde no,
# no points layer, --lisa no): the difference is emerging's own time; the
# run's time line and /usr/bin/time -v's peak memory are printed too.
#
# No R package of Debian computes emerging hot spots (sfdep is not
# packaged), so there is nothing to run beside it here; the Gi* of each
# month is the statistic bench_gistar.sh times beside spdep.
#
#   scripts/bench_emerging.sh      (data in $BENCH_DIR, default build/bench)
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
bench_setup ""
bench_points 1m
bench_lsoa1800
[ -f points_24m.csv ] || awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next } { print }
    { $1 = $1 + 1000000; sub(/^2024/, "2023", $5); print }' points_1m.csv > points_24m.csv
A="--incidents points_24m.csv --areas lsoa1800.gpkg --areas-layer lsoa --area-id lsoa_code"
A="$A --categories cats.csv --groups asb --from 2023-01 --to 2024-12 --compare none"
A="$A --kde no --incidents-layer no --lisa no --gi-cell 235 --gi-distance 500"
echo "== 24 months, 235 m cells, 500 m band: Gi* (999 permutations) with and without emerging (199)"
hyperfine --warmup 1 --runs 3 --style basic \
    "$BIN run $A --emerging no -o em_no.gpkg" \
    "$BIN run $A --emerging-permutations 199 -o em_yes.gpkg" 2>&1 |
    grep -E "Benchmark|Time|Range"
/usr/bin/time -v "$BIN" run $A --emerging-permutations 199 -o em_yes.gpkg 2> time.txt | grep -E "time:"
grep -E "Maximum resident|Elapsed" time.txt
sqlite3 em_yes.gpkg "SELECT key || ': ' || value FROM run WHERE key IN ('gi_cell_asb', 'emerging_asb')"
