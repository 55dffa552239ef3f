#!/bin/bash
# Benchmark: what duplicate handling costs (issue 11).  Two overlapping
# police.uk downloads made from the demo county: dl1 holds its 24 months,
# each month's rows 25 times over (about 515,000 rows, 100 MB); dl2 the same
# files less one row each, so no file is identical and every force-month
# is in both.  Timed with hyperfine (5 runs), rates only:
#   dl2 alone                  the clean input
#   dl1 + dl2                  515,250 rows skipped as duplicate force-months
#   dl1 + dl1 copy             every file identical: hashed, read once
# and checked: the rates of both duplicated runs equal the clean run's.
#
#   scripts/bench_dups.sh        (data in $BENCH_DIR, default build/bench)
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
bench_setup ""
D=$ROOT/data/demo
rm -rf dl1 dl2 dl1copy && mkdir dl1 dl2
for f in "$D"/policeuk/*/*.csv; do
    b=$(basename "$f")
    { head -n 1 "$f"; for i in $(seq 25); do tail -n +2 "$f"; done; } > "dl1/$b"
    sed '2d' "dl1/$b" > "dl2/$b"
done
cp -r dl1 dl1copy
A="--areas $D/boards.geojson --area-id board_id --kde no --incidents-layer no"
hyperfine --warmup 1 --runs 5 --style basic \
    "$BIN run --incidents dl2 $A -o dups_clean.gpkg" \
    "$BIN run --incidents dl1 dl2 $A -o dups_fm.gpkg" \
    "$BIN run --incidents dl1 $A -o dups_one.gpkg" \
    "$BIN run --incidents dl1 dl1copy $A -o dups_same.gpkg" 2>&1 |
    grep -E "Benchmark|Time|Range"
rates() { for g in asb sac violence; do sqlite3 "$1" "SELECT group_concat(count) FROM rates_$g"; done; }
[ "$(rates dups_clean.gpkg)" = "$(rates dups_fm.gpkg)" ] || { echo "FAIL: force-month counts differ"; exit 1; }
[ "$(rates dups_one.gpkg)" = "$(rates dups_same.gpkg)" ] || { echo "FAIL: identical-file counts differ"; exit 1; }
echo "rates of the duplicated runs equal the clean runs'"
