# Sourced by the benchmark scripts: paths, packages, build, generated data.
#   bench_setup "PACKAGES"  installs what is missing, builds, enters $W
#   bench_points SIZE       points_SIZE.csv (100k, 1m, 10m) in $W
#   bench_points_gpkg SIZE  the same points as a GeoPackage (for QGIS etc.)
#   bench_lsoa1800          lsoa1800.gpkg: ~1,800 Voronoi cells of 1,800
#                           seeds sampled from the 1M points (small where
#                           incidents are dense, as LSOAs are where people
#                           live), layer lsoa, fields lsoa_code, population
# Data come from ../shared/bench/gen_points.py (deterministic, seed 42):
# clustered incidents in a 70 x 80 km county, EPSG:27700, columns
# id,x,y,category,month; and areas.gpkg with 500 LSOA-like polygons.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
W=${BENCH_DIR:-$ROOT/build/bench}
BIN=${HOTSPOT_BIN:-$ROOT/build/hotspot}

bench_setup() {
    [ -f "$SHARED/gen_points.py" ] || { echo "needs ../shared/bench (gen_points.py)"; exit 1; }
    local need="python3-numpy python3-gdal hyperfine time gdal-bin $1" missing
    missing=$(for p in $need; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || echo "$p"; done)
    [ -z "$missing" ] || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
    [ -x "$BIN" ] || { cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null; cmake --build "$ROOT/build" -j"$(nproc)" >/dev/null; }
    mkdir -p "$W" && cd "$W"
    [ -f areas.gpkg ] || /usr/bin/python3 "$SHARED/gen_points.py" --polygons areas.gpkg
    printf 'value,group\nASB,asb\nSAC,sac\nVIOLENCE,violence\nOTHER,other\n' > cats.csv
}

bench_points() {
    local n
    case $1 in 100k) n=100000;; 1m) n=1000000;; 10m) n=10000000;; *) echo "size $1?"; exit 2;; esac
    [ -f "points_$1.csv" ] || /usr/bin/python3 "$SHARED/gen_points.py" --n $n --out "points_$1.csv"
}

bench_points_gpkg() {
    bench_points "$1"
    [ -f "points_$1.gpkg" ] || ogr2ogr -f GPKG "points_$1.gpkg" "points_$1.csv" -nln points -a_srs EPSG:27700 \
        -oo X_POSSIBLE_NAMES=x -oo Y_POSSIBLE_NAMES=y -oo KEEP_GEOM_COLUMNS=NO -oo AUTODETECT_TYPE=YES \
        -gt 200000 -lco SPATIAL_INDEX=YES
}

bench_lsoa1800() {
    bench_points 1m
    [ -f lsoa1800.gpkg ] && return 0
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
}
