#!/bin/bash
# Benchmark: density surfaces (issue 3).  hotspot kde against QGIS's
# heatmap on the same points and grid, and the whole hotspot run.
#
#   scripts/bench_kde.sh [1m] [10m] [--anchors]
#
# Grid: the points' extent plus the 500 m radius, 50 m cells, quartic
# kernel: 70 x 80 km, 1,400 x 1,600 cells (the bench data's points are
# pinned so that every tool derives this grid; QGIS adds one row and one
# column).  Each tool is a whole process writing a GeoTIFF.
#   hotspot kde      hyperfine (10 runs at 1M, 3 at 10M), uncompressed (the
#                    default, as QGIS writes) and --compress deflate; peak
#                    memory and its own stage times from one more run
#   hotspot run      1M points, 1,800 LSOA-like areas: rates, three
#                    surfaces, hotspots, tasking, incident points, styles
#                    and project: the whole default GeoPackage
#   --anchors        QGIS 3.22 qgis:heatmapkerneldensityestimation through
#                    ../shared/bench/run_qgis.sh (once per size; 10M takes
#                    about 90 s)
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
sizes=() anchors=0
for a in "$@"; do
    case $a in 1m|10m|100k) sizes+=("$a");; --anchors) anchors=1;;
    *) echo "usage: $0 [100k] [1m] [10m] [--anchors]"; exit 2;; esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1m)
extra=
[ $anchors = 1 ] && extra="qgis python3-qgis"
bench_setup "$extra"

for s in "${sizes[@]}"; do
    bench_points "$s"
    runs=10
    [ "$s" = 10m ] && runs=3
    for c in none deflate; do
        cmd="$BIN kde --incidents points_$s.csv --bandwidth 500 --cell 50 --compress $c -o kde_${s}_$c.tif"
        echo "== hotspot kde, $s points, --compress $c"
        /usr/bin/time -v $cmd 2>&1 | grep -E "grid|seconds:|Elapsed|Maximum resident" | sed 's/^\t*/   /'
        hyperfine --warmup 1 --runs $runs --style basic "$cmd" 2>&1 | grep -E "Time|Range"
    done
    if [ $anchors = 1 ]; then
        bench_points_gpkg "$s"
        echo "== QGIS heatmap, $s points"
        bash "$SHARED/run_qgis.sh" "points_$s.csv" 50 500 "qgis_$s.tif" >/dev/null 2>&1 || echo "   QGIS failed"
        [ -f "qgis_$s.tif.time" ] && grep -E "Elapsed|Maximum resident" "qgis_$s.tif.time" | sed 's/^\t*/   /'
    fi
done

bench_lsoa1800
cmd="$BIN run --incidents points_1m.csv --areas lsoa1800.gpkg --areas-layer lsoa --area-id lsoa_code --population population --categories cats.csv --groups asb,sac,violence --from 2024-01 --to 2024-12 --compare none --bandwidth 500 --cell 50 -o run_1m.gpkg"
echo "== hotspot run, 1M points, 1,800 areas, everything written"
/usr/bin/time -v $cmd 2>&1 | grep -E "time:|Elapsed|Maximum resident" | sed 's/^\t*/   /'
hyperfine --warmup 1 --runs 5 --style basic "$cmd" 2>&1 | grep -E "Time|Range"
