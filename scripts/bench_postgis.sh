#!/bin/bash
# Benchmark: PostGIS in and out (issue 16).
#
#   scripts/bench_postgis.sh [RUNS]
#
# A throw-away PostgreSQL + PostGIS (tests/pgserver.sh, with the settings
# of ../shared/bench/run_pip_postgis.sh: shared_buffers 1 GB, fsync off)
# holds the 1M bench points (points_1m.csv, bench_common.sh) as a
# warehouse table: id primary key, category, month, geom Point 27700 with
# a GiST index.  Timed with hyperfine (RUNS runs, default 3), each a whole
# hotspot process:
#  1. in: 1M incidents read from the table (tables=) to rates (no
#     density, Gi*, local Moran: --kde no --gistar no ...) over the
#     1,800 LSOA-sized polygons and the 500 of areas.gpkg, against the
#     same run from the CSV; the counts of both are compared.  Anchor:
#     PostGIS's own load + ST_Contains count of the same points in 500
#     polygons, 3.4 + 2.6 s (issue 16).
#  2. out: the same run (points from the CSV) with the 1M-point incidents
#     layer written, to a GeoPackage and to a PostGIS schema; and with
#     density surfaces, hotspots and tasking too (--bandwidth 400): the
#     whole process and the stage times it prints.
# Data in $BENCH_DIR (default build/bench); files already there are used
# as they are (e.g. links to a shared read-only copy).
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
source "$ROOT/tests/pgserver.sh"
runs=${1:-3}
bench_setup "postgresql postgresql-15-postgis-3"
bench_lsoa1800
bench_points 1m
pg_available || { echo "PostgreSQL + PostGIS are not installed"; exit 1; }
PGD=$(mktemp -d)
trap 'pg_stop "$PGD"; rm -rf "$PGD"' EXIT
pg_start "$PGD" "-c shared_buffers=1GB -c work_mem=256MB -c maintenance_work_mem=1GB" ||
    { echo "could not start PostgreSQL"; exit 1; }
export PGDATABASE=bench
createdb bench
PSQL="psql -X -q -v ON_ERROR_STOP=1"
$PSQL -c "CREATE EXTENSION postgis; CREATE EXTENSION postgis_raster"
DB="PG:host=$PGHOST port=$PGPORT user=postgres dbname=bench"
echo "== loading the 1M points (psql \\copy, geometry, key, GiST, ANALYZE)"
/usr/bin/time -f "   %e s" $PSQL <<EOF
CREATE UNLOGGED TABLE raw (id int, x float8, y float8, category text, month text);
\\copy raw FROM '$PWD/points_1m.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE pts AS SELECT id, category, month,
  ST_SetSRID(ST_MakePoint(x, y), 27700)::geometry(Point, 27700) AS geom FROM raw;
DROP TABLE raw;
ALTER TABLE pts ADD PRIMARY KEY (id);
CREATE INDEX ON pts USING gist (geom);
VACUUM ANALYZE pts;
EOF

opts="--population population --area-id lsoa_code --areas-layer lsoa --categories cats.csv --date month --from 2024-01 --to 2024-12 --compare none --gistar no --lisa no --emerging no"
# Two commands: each once for its stage times (or why it failed), then
# both timed by hyperfine.
compare() {
    local n1=$1 c1=$2 n2=$3 c2=$4 c
    for c in "$c1" "$c2"; do
        eval "$c" > stages.out 2> stages.err && grep "time:" stages.out | sed 's/^ */   /' ||
            echo "   FAILED: $(tail -n 2 stages.err)"
    done
    hyperfine --warmup 1 --runs "$runs" --style basic -n "$n1" "$c1" -n "$n2" "$c2" 2>&1 |
        grep -E "^Benchmark|Time|Range|rror" || echo "   hyperfine failed"
}

for areas in lsoa1800.gpkg areas.gpkg; do
    echo "== in: 1M incidents to rates, $areas"
    compare "from PostGIS" "$BIN run --incidents '$DB tables=public.pts' --areas $areas $opts --incidents-layer no --kde no -o in_pg.gpkg" \
            "from the CSV" "$BIN run --incidents points_1m.csv --areas $areas $opts --incidents-layer no --kde no -o in_csv.gpkg"
    for g in asb sac; do
        cmp -s <(sqlite3 in_pg.gpkg "SELECT area_id, count FROM rates_$g ORDER BY area_id") \
               <(sqlite3 in_csv.gpkg "SELECT area_id, count FROM rates_$g ORDER BY area_id") ||
            echo "   COUNTS DIFFER ($g)"
    done
done

for what in "--kde no" "--bandwidth 400 --cell 50"; do
    base="$BIN run --incidents points_1m.csv --areas lsoa1800.gpkg $opts $what"
    echo "== out: 1M incidents layer, $what"
    compare "GeoPackage" "$base -o out.gpkg" "PostGIS" "$base -o '$DB' --schema bench"
done
