#!/bin/bash
# Benchmark: ingest + assignment + rates, hotspot against the tools analysts
# would use instead (PostGIS, SpatiaLite, GeoPandas from ../shared/bench).
#
#   scripts/bench_rates.sh [1m] [10m] [--anchors]
#
# Data (generated, deterministic, in $BENCH_DIR, default build/bench):
#   points_N.csv  clustered incidents, EPSG:27700, columns id,x,y,category,month
#                 (../shared/bench/gen_points.py, seed 42)
#   areas.gpkg    500 LSOA-like polygons (layer lsoa), from the same script
#   lsoa1800.gpkg ~1,800 LSOA-sized polygons: Voronoi cells (SpatiaLite) of
#                 1,800 seeds sampled from the 1M points, so cells are small
#                 where incidents are dense, as LSOAs are where people live
# hotspot is timed as a whole process with hyperfine (3 runs) writing areas,
# rates and the run table (--incidents-layer no), and once with GNU time -v
# for peak memory; its own stage times are printed too.  --anchors also runs
# ../shared/bench's PostGIS, SpatiaLite and GeoPandas point-in-polygon
# scripts on the same points and the 500 polygons (slow: minutes at 10M).
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
sizes=() anchors=0
for a in "$@"; do
    case $a in 1m|10m|100k) sizes+=("$a");; --anchors) anchors=1;;
    *) echo "usage: $0 [100k] [1m] [10m] [--anchors]"; exit 2;; esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1m)
extra=
[ $anchors = 1 ] && extra="postgresql postgresql-15-postgis-3 spatialite-bin python3-geopandas python3-rtree"
bench_setup "$extra"
bench_lsoa1800
echo "polygons: $(ogrinfo -q -sql 'SELECT count(*) FROM lsoa' lsoa1800.gpkg | awk '/=/ { print $NF }') (lsoa1800.gpkg), 500 (areas.gpkg)"

for s in "${sizes[@]}"; do
    bench_points "$s"
    for areas in lsoa1800.gpkg areas.gpkg; do
        cmd="$BIN run --incidents points_$s.csv --areas $areas --areas-layer lsoa --area-id lsoa_code --population population --categories cats.csv --from 2024-01 --to 2024-12 --compare none --incidents-layer no --kde no -o rates_$s.gpkg"
        echo "== hotspot, $s points, $areas"
        $cmd 2>/dev/null | grep -E "time:" || echo "   hotspot failed"
        /usr/bin/time -v $cmd 2>&1 >/dev/null | grep -E "Elapsed|Maximum resident" | sed 's/^\t*/   /'
        hyperfine --warmup 1 --runs 3 --style basic "$cmd" 2>&1 | grep -E "Time|Range"
    done
    echo "== hotspot, $s points, with the incidents layer written too (lsoa1800.gpkg)"
    /usr/bin/time -v $BIN run --incidents points_$s.csv --areas lsoa1800.gpkg --areas-layer lsoa \
        --area-id lsoa_code --population population --categories cats.csv --compare none --kde no \
        -o full_$s.gpkg 2>&1 | grep -E "time:|Elapsed|Maximum resident"
    if [ $anchors = 1 ]; then
        bench_points_gpkg "$s"
        mkdir -p anchors
        for tool in postgis spatialite geopandas; do
            echo "== $tool, $s points, 500 polygons"
            bash "$SHARED/run_pip_$tool.sh" points_$s.csv areas.gpkg anchors $s >/dev/null 2>&1 || echo "   $tool failed"
            for f in anchors/pip_${tool}_*$s.time; do
                [ -f "$f" ] && echo "   $(basename "$f" .time): $(grep -h Elapsed "$f" | awk '{ print $NF }' | paste -sd+) (wall, per step)" \
                    "max RSS $(grep -h Maximum "$f" | awk '{ print $NF }' | sort -n | tail -1) kB"
            done
        done
        # cross-check: hotspot's counts per LSOA equal PostGIS's (ST_Contains)
        if [ -f anchors/pip_postgis_lsoa_$s.csv ]; then
            $BIN run --incidents points_$s.csv --areas areas.gpkg --areas-layer lsoa --area-id lsoa_code \
                --population population --categories cats.csv --from 2024-01 --to 2024-12 --compare none \
                --groups asb,sac,violence,other --incidents-layer no --kde no -o check_$s.gpkg >/dev/null 2>&1
            sqlite3 -separator , check_$s.gpkg "SELECT a.area_id, a.count + s.count + v.count + o.count FROM rates_asb a
                JOIN rates_sac s USING (area_id) JOIN rates_violence v USING (area_id) JOIN rates_other o USING (area_id)
                ORDER BY a.area_id" > check_$s.csv
            if diff -q <(sort anchors/pip_postgis_lsoa_$s.csv) <(sort check_$s.csv) >/dev/null; then
                echo "   counts per LSOA: identical to PostGIS"
            else
                echo "   counts per LSOA differ from PostGIS: $(diff <(sort anchors/pip_postgis_lsoa_$s.csv) <(sort check_$s.csv) | grep -c '^<') rows"
            fi
        fi
    fi
done
