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
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
W=${BENCH_DIR:-$ROOT/build/bench}
BIN=$ROOT/build/hotspot
sizes=() anchors=0
for a in "$@"; do
    case $a in 1m|10m|100k) sizes+=("$a");; --anchors) anchors=1;;
    *) echo "usage: $0 [100k] [1m] [10m] [--anchors]"; exit 2;; esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1m)
[ -f "$SHARED/gen_points.py" ] || { echo "needs ../shared/bench (gen_points.py)"; exit 1; }
need="python3-numpy python3-gdal hyperfine time gdal-bin"
[ $anchors = 1 ] && need="$need postgresql postgresql-15-postgis-3 spatialite-bin python3-geopandas python3-rtree"
missing=$(for p in $need; do dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q "ok installed" || echo $p; done)
[ -z "$missing" ] || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
[ -x "$BIN" ] || { cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null; cmake --build "$ROOT/build" -j"$(nproc)" >/dev/null; }
mkdir -p "$W" && cd "$W"

[ -f areas.gpkg ] || /usr/bin/python3 "$SHARED/gen_points.py" --polygons areas.gpkg
[ -f points_1m.csv ] || /usr/bin/python3 "$SHARED/gen_points.py" --n 1000000 --out points_1m.csv
if [ ! -f lsoa1800.gpkg ]; then
    awk -F, 'NR > 1 && NR % 555 == 0 { print "POINT(" $2 " " $3 ")" }' points_1m.csv | head -1800 |
        awk 'BEGIN { print "id,wkt" } { print NR ",\"" $0 "\"" }' > seeds.csv
    ogr2ogr -f GPKG lsoa1800.gpkg seeds.csv -a_srs EPSG:27700 -nln seeds
    ogr2ogr -f GPKG voronoi.gpkg lsoa1800.gpkg -nln cells -explodecollections -dialect SQLite \
        -sql "SELECT ST_VoronojDiagram(ST_Collect(geom), 0, 0) AS geom FROM seeds"
    ogr2ogr -f GPKG lsoa1800.gpkg voronoi.gpkg cells -update -nln lsoa -nlt POLYGON \
        -clipdst 380000 120000 450000 200000
    ogrinfo -q lsoa1800.gpkg -sql "ALTER TABLE lsoa ADD COLUMN lsoa_code TEXT" >/dev/null
    ogrinfo -q lsoa1800.gpkg -sql "ALTER TABLE lsoa ADD COLUMN population INTEGER" >/dev/null
    ogrinfo -q lsoa1800.gpkg -sql "UPDATE lsoa SET lsoa_code = printf('L%04d', fid), population = 1000 + (fid * 7919) % 2000" >/dev/null
fi
printf 'value,group\nASB,asb\nSAC,sac\nVIOLENCE,violence\nOTHER,other\n' > cats.csv
echo "polygons: $(ogrinfo -q -sql 'SELECT count(*) FROM lsoa' lsoa1800.gpkg | awk '/=/ { print $NF }') (lsoa1800.gpkg), 500 (areas.gpkg)"

for s in "${sizes[@]}"; do
    case $s in 100k) n=100000;; 1m) n=1000000;; 10m) n=10000000;; esac
    [ -f points_$s.csv ] || /usr/bin/python3 "$SHARED/gen_points.py" --n $n --out points_$s.csv
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
        [ -f points_$s.gpkg ] || ogr2ogr -f GPKG points_$s.gpkg points_$s.csv -nln points -a_srs EPSG:27700 \
            -oo X_POSSIBLE_NAMES=x -oo Y_POSSIBLE_NAMES=y -oo KEEP_GEOM_COLUMNS=NO -oo AUTODETECT_TYPE=YES \
            -gt 200000 -lco SPATIAL_INDEX=YES
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
