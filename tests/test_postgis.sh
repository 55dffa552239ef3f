#!/bin/bash
# PostGIS in and out, against a real PostgreSQL + PostGIS that this test
# starts (tests/pgserver.sh: initdb in a temporary folder, 127.0.0.1 and a
# socket there) and stops.  Skips (77) without Debian's postgresql and
# postgresql-15-postgis-3 (.ci/run installs them).
#  (1) In: the demo's force extract and boards loaded into a warehouse
#      schema (psql \copy, ogr2ogr); runs reading a table (tables=), SQL
#      with a geometry, SQL with x/y columns and the areas by
#      --areas-layer and --areas-sql give the rates and monthly tables of
#      the run from the CSV and GeoJSON, and the counts equal PostGIS's own
#      spatial join (ST_Covers, smallest board id).  Bad rows are named by
#      source, feature id and field; the password never shows.
#  (2) Out: the demo written to a schema equals its GeoPackage (every
#      table row for row, geometry as WKT; layer_styles; the project:
#      tests/pg_compare.py), the rasters cell for cell (GDAL's PostGIS
#      raster driver against the GeoPackage's), and QGIS (where its Python
#      bindings are) opens the project from the database, every layer
#      valid, the rates layer with its default style.
#  (3) Atomic: a second run replaces the schema and its styles; runs
#      killed (SIGKILL) while writing leave the previous schema, its
#      styles and project exactly as they were and no temporary schema;
#      a schema Hotspot did not write is refused, untouched.
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$SRC/tests/pgserver.sh"
pg_available || { echo "SKIP: PostgreSQL + PostGIS are not installed (apt-get install postgresql postgresql-15-postgis-3)"; exit 77; }
PGD=$(mktemp -d)
trap 'pg_stop "$PGD"; rm -rf "$T" "$PGD"' EXIT
pg_start "$PGD" || fail "could not start PostgreSQL"
export PGDATABASE=hs
createdb hs
PSQL="psql -X -q -v ON_ERROR_STOP=1"
$PSQL -c "CREATE EXTENSION postgis; CREATE EXTENSION postgis_raster" >/dev/null
# trust authentication: the password is never checked, only never shown
SECRET=s3cret-never-shown
DB="PG:host=$PGHOST port=$PGPORT user=postgres dbname=hs password=$SECRET"
cd "$T"

# ---- (1) in ----------------------------------------------------------------
D=$SRC/data
$PSQL <<EOF
CREATE SCHEMA warehouse;
CREATE TABLE warehouse.raw (incident_ref text, offence_code text,
  offence_description text, occurred_date text, occurred_time text,
  easting float8, northing float8, beat text, occurred_from text,
  occurred_to text);
\copy warehouse.raw FROM '$D/demo/local/demoshire-extract-2023-2024.csv' WITH (FORMAT csv, HEADER true)
-- as a warehouse holds them: dates and times typed, a point geometry
CREATE TABLE warehouse.crimes AS
  SELECT row_number() OVER ()::integer AS id, incident_ref, offence_code,
         to_date(occurred_date, 'DD/MM/YYYY') AS occurred_date,
         nullif(occurred_time, '')::time AS occurred_time,
         ST_SetSRID(ST_MakePoint(easting, northing), 27700)::geometry(Point, 27700) AS geom
    FROM warehouse.raw;
ALTER TABLE warehouse.crimes ADD PRIMARY KEY (id);
EOF
for l in boards zones; do
    ogr2ogr -f PostgreSQL "PG:host=$PGHOST port=$PGPORT user=postgres dbname=hs" \
        "$D/demo/$l.geojson" -nln "warehouse.$l" -lco GEOMETRY_NAME=geom ||
        fail "ogr2ogr could not load $l"
done
common=(--kde no --gistar no --lisa no --emerging no --incidents-layer no
        --category offence_code --date occurred_date --time occurred_time
        --area-id board_id --area-name board_name --population-value population
        --groups asb,sac,violence)
"$BIN" run "$D/demo-local.ini" --kde no --gistar no --lisa no --emerging no \
    --incidents-layer no -o ref.gpkg > ref.out 2> ref.err || fail "CSV run: $(cat ref.err)"
"$BIN" run "${common[@]}" --incidents "$DB tables=warehouse.crimes" \
    --areas "$DB" --areas-layer warehouse.boards \
    --population "$DB tables=warehouse.zones" -o table.gpkg > table.out 2> table.err ||
    fail "run from tables: $(cat table.err)"
"$BIN" run "${common[@]}" --incidents "$DB" --incidents-sql \
    "SELECT id, offence_code, occurred_date, occurred_time, geom FROM warehouse.crimes; " \
    --areas "$DB" --areas-sql "SELECT * FROM warehouse.boards" \
    --population "$DB tables=warehouse.zones" -o sql.gpkg > sql.out 2> sql.err ||
    fail "run from SQL: $(cat sql.err)"
"$BIN" run "${common[@]}" --incidents "$DB" --incidents-sql \
    "SELECT offence_code, occurred_date, occurred_time, ST_X(geom) AS e, ST_Y(geom) AS n FROM warehouse.crimes ORDER BY id" \
    --x e --y n --incidents-crs EPSG:27700 --areas "$DB" --areas-layer warehouse.boards \
    --population "$DB tables=warehouse.zones" -o xy.gpkg > xy.out 2> xy.err ||
    fail "run from SQL with x/y: $(cat xy.err)"
rates() {
    for g in asb sac violence; do
        sqlite3 "$1" "SELECT area_id, area_name, population, count, rate, rate_low,
            rate_high, prev_count, change, change_p, vs_study, change_flag, rate_eb
            FROM rates_$g ORDER BY area_id"
    done
    sqlite3 "$1" "SELECT area_id, crime_group, month, count FROM monthly
        ORDER BY area_id, crime_group, month"
    sqlite3 "$1" "SELECT key, value FROM run WHERE section = 'count' ORDER BY key"
}
rates ref.gpkg > ref.rates
[ "$(wc -l < ref.rates)" -gt 1000 ] || fail "reference run has too few rows"
for r in table sql xy; do
    rates $r.gpkg > $r.rates
    cmp -s ref.rates $r.rates || { diff ref.rates $r.rates | head; fail "$r: rates differ from the CSV run's"; }
done
# PostGIS's own count: points of each group in 2024 (the period), each to
# the smallest board id that covers it (the mapping loaded as it reads)
grep -v '^#' "$D/categories.csv" > cats.csv
$PSQL <<EOF
CREATE TABLE warehouse.cats (value text, grp text, note text);
\copy warehouse.cats FROM '$T/cats.csv' WITH (FORMAT csv, HEADER true)
EOF
for g in asb sac violence; do
    $PSQL -At -F'|' -c "WITH p AS (
        SELECT c.id, c.geom FROM warehouse.crimes c
          JOIN (SELECT DISTINCT upper(trim(value)) AS v FROM warehouse.cats WHERE grp = '$g') k
            ON k.v = upper(trim(c.offence_code))
         WHERE c.occurred_date >= '2024-01-01' AND c.occurred_date < '2025-01-01'),
      hit AS (SELECT p.id, min(b.board_id) AS board_id FROM p
                JOIN warehouse.boards b ON ST_Covers(b.geom, p.geom) GROUP BY p.id)
      SELECT b.board_id, count(hit.id) FROM warehouse.boards b
        LEFT JOIN hit ON hit.board_id = b.board_id GROUP BY b.board_id ORDER BY b.board_id" > pg_$g.txt
    sqlite3 -separator '|' table.gpkg "SELECT area_id, count FROM rates_$g ORDER BY area_id" > hs_$g.txt
    cmp -s pg_$g.txt hs_$g.txt || { diff pg_$g.txt hs_$g.txt | head; fail "$g counts differ from PostGIS's spatial join"; }
done
echo "in: a table, SQL (geometry, x/y) and SQL areas give the CSV run's rates; counts equal PostGIS's join"

# bad rows: named by source, feature id and field, skipped, counted
$PSQL <<'EOF'
CREATE TABLE warehouse.bad AS SELECT * FROM warehouse.crimes WHERE id <= 40;
ALTER TABLE warehouse.bad ADD PRIMARY KEY (id);
ALTER TABLE warehouse.bad ALTER COLUMN geom TYPE geometry(Geometry, 27700);
UPDATE warehouse.bad SET occurred_date = NULL WHERE id = 5;
UPDATE warehouse.bad SET geom = ST_MakeLine(geom, ST_Translate(geom, 10, 10)) WHERE id = 7;
UPDATE warehouse.bad SET offence_code = '' WHERE id = 9;
EOF
"$BIN" run "${common[@]}" --incidents "$DB tables=warehouse.bad" --areas "$DB" \
    --areas-layer warehouse.boards --population "$DB tables=warehouse.zones" \
    --from 2023-01 --to 2023-12 --compare none -o bad.gpkg > bad.out 2> bad.err ||
    fail "run with bad rows: $(cat bad.err)"
src="incidents 'PG:host=$PGHOST port=$PGPORT user=postgres dbname=hs tables=warehouse.bad'"
for want in "PG:host=$PGHOST port=$PGPORT user=postgres dbname=hs tables=warehouse.bad feature 5: field occurred_date: '' is not a month (YYYY-MM) or date" \
            "tables=warehouse.bad feature 7: geometry is not a point" \
            "tables=warehouse.bad feature 9: empty crime type"; do
    grep -qF "$want" bad.err || { cat bad.err; fail "no warning '$want'"; }
done
[ "$(sqlite3 bad.gpkg "SELECT value FROM run WHERE key = 'rows_kept'")" = 37 ] ||
    fail "40 rows, 3 bad: $(sqlite3 bad.gpkg "SELECT value FROM run WHERE key = 'rows_kept'") kept"
set +e
"$BIN" run "${common[@]}" --incidents "$DB tables=warehouse.crimes" --date nope \
    --areas "$DB" --areas-layer warehouse.boards -o x.gpkg > /dev/null 2> nofield.err
rc1=$?
"$BIN" run "${common[@]}" --incidents "$DB" --areas "$DB" --areas-layer warehouse.boards \
    -o x.gpkg > /dev/null 2> notable.err
rc2=$?
"$BIN" run "${common[@]}" --incidents "$DB" --incidents-sql "SELEC 1" --areas "$DB" \
    --areas-layer warehouse.boards -o x.gpkg > /dev/null 2> badsql.err
rc3=$?
"$BIN" run "${common[@]}" --incidents "$DB tables=warehouse.crimes" --areas "$DB" \
    --areas-sql "SELECT * FROM warehouse.nowhere" -o x.gpkg > /dev/null 2> badarea.err
rc4=$?
"$BIN" run "${common[@]}" --incidents "PG:host=$PGHOST port=1 dbname=hs password=$SECRET tables=x" \
    --areas "$DB" --areas-layer warehouse.boards -o x.gpkg > /dev/null 2> noconn.err
rc5=$?
set -e
[ $rc1 = 1 ] && grep -qF "tables=warehouse.crimes': no field 'nope' (given by --date)" nofield.err ||
    fail "missing field: exit $rc1, $(cat nofield.err)"
[ $rc2 = 2 ] && grep -qF "which table? Give tables=SCHEMA.TABLE" notable.err ||
    fail "no table: exit $rc2, $(cat notable.err)"
[ $rc3 = 1 ] && grep -q "incidents 'PG:.*dbname=hs': .*syntax error" badsql.err ||
    fail "bad SQL: exit $rc3, $(cat badsql.err)"
[ $rc4 = 1 ] && grep -q "areas 'PG:.*': --areas-sql 'SELECT \* FROM warehouse.nowhere' failed" badarea.err ||
    fail "bad areas SQL: exit $rc4, $(cat badarea.err)"
[ $rc5 = 1 ] && grep -q "incidents 'PG:host=$PGHOST port=1 dbname=hs tables=x': cannot connect" noconn.err ||
    fail "no server: exit $rc5, $(cat noconn.err)"
! grep -l "$SECRET" ./*.err ./*.out || fail "the password shows in messages"
for f in table sql xy bad; do
    ! sqlite3 $f.gpkg "SELECT * FROM run" | grep -q "$SECRET" || fail "the password shows in $f.gpkg's run table"
done
echo "in: bad rows and sources named by source, feature and field; no password shown"

# ---- (2) out ---------------------------------------------------------------
"$BIN" demo -o demo.gpkg > gpkg.out 2> gpkg.err || fail "demo to GeoPackage: $(cat gpkg.err)"
"$BIN" demo -o "$DB" --schema demo > pg.out 2> pg.err || fail "demo to PostGIS: $(cat pg.err)"
grep -q "^hotspot: wrote PG:host=$PGHOST port=$PGPORT user=postgres dbname=hs schema demo$" pg.out ||
    fail "summary: $(head -2 pg.out)"
grep -qF "QGIS project: postgresql://postgres@$PGHOST:$PGPORT?dbname=hs&schema=demo&project=hotspot" pg.out ||
    fail "no project URI in the summary: $(head -3 pg.out)"
! grep -q "$SECRET" pg.out pg.err || fail "the password shows in the PostGIS run's messages"
python3 "$SRC/tests/pg_compare.py" demo.gpkg hs demo 2>&1 || fail "PostGIS output differs from the GeoPackage"
for g in asb sac violence; do
    read -r cols rows < <(gdalinfo "GPKG:demo.gpkg:kde_$g" | sed -n 's/^Size is \([0-9]*\), \([0-9]*\)$/\1 \2/p')
    gdal_translate -q -of ENVI "GPKG:demo.gpkg:kde_$g" g_$g.envi
    gdal_translate -q -of ENVI -srcwin 0 0 "$cols" "$rows" \
        "PG:host=$PGHOST port=$PGPORT user=postgres dbname=hs schema=demo table=kde_$g column=rast mode=2" p_$g.envi
    cmp -s g_$g.envi p_$g.envi || fail "kde_$g: PostGIS raster differs from the GeoPackage's"
    [ "$(gdalinfo "GPKG:demo.gpkg:kde_$g" | grep '^Origin')" = \
      "$(gdalinfo "PG:host=$PGHOST port=$PGPORT user=postgres dbname=hs schema=demo table=kde_$g column=rast mode=2" | grep '^Origin')" ] ||
        fail "kde_$g: origins differ"
done
echo "out: every table, style, the project and the rasters equal the GeoPackage's"
QPY=/usr/bin/python3
if [ -x "$QPY" ] && "$QPY" -c "import qgis.core" 2>/dev/null; then
    export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$T/xdg
    mkdir -m 700 -p "$XDG_RUNTIME_DIR"
    cat > qgis_pg.py <<'EOF'
import sys
from qgis.core import QgsApplication, QgsProject, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
p = QgsProject.instance()
ok = p.read(sys.argv[1])
layers = list(p.mapLayers().values())
bad = [l.name() for l in layers if not l.isValid()]
print("project read: %s, %d layers, invalid: %s" % (ok, len(layers), bad))
rates = [l for l in layers if l.name() == "ASB rate per 1,000 residents"]
styled = bool(rates) and rates[0].renderer().type() == "graduatedSymbol"
alone = QgsVectorLayer(rates[0].source(), "alone", "postgres") if rates else None
default = alone is not None and alone.isValid() and alone.renderer().type() == "graduatedSymbol"
print("rates styled in the project: %s; default style from layer_styles: %s" % (styled, default))
app.exitQgis()
sys.exit(0 if ok and layers and not bad and styled and default and
         len(layers) == int(sys.argv[2]) else 1)
EOF
    n=$(python3 -c "import sqlite3, zipfile, io, sys; c = sqlite3.connect(sys.argv[1]).execute(
        \"SELECT content FROM qgis_projects\").fetchone()[0]; print(zipfile.ZipFile(io.BytesIO(
        bytes.fromhex(c))).read('hotspot.qgs').decode().count('<maplayer '))" demo.gpkg)
    "$QPY" qgis_pg.py "postgresql://postgres@$PGHOST:$PGPORT?dbname=hs&schema=demo&project=hotspot" "$n" 2> qgis.err ||
        { grep -v "^Warning\|QStandardPaths" qgis.err | tail; fail "QGIS cannot open the project from PostGIS"; }
else
    echo "note: QGIS's Python bindings are not installed: the project is not opened in QGIS"
fi

# ---- (3) atomic --------------------------------------------------------------
# The state of a schema: every table's rows (md5 of their text, fid
# order), its styles and its project's content, as psql sees it.
state() {
    local t key
    for t in $($PSQL -At -c "SELECT table_name FROM information_schema.tables
                             WHERE table_schema = '$1' ORDER BY 1"); do
        case $t in kde_*) key=rid ;; qgis_projects) key=name ;; *) key=fid ;; esac
        # the project's metadata holds its time: its content is what counts
        [ "$t" = qgis_projects ] && col="md5(content)" || col="md5(string_agg(t::text, E'\\n' ORDER BY $key))"
        echo "$t $($PSQL -At -c "SELECT $col FROM \"$1\".\"$t\" t")"
    done
    $PSQL -At -c "SELECT count(*), md5(string_agg(f_table_name || f_geometry_column ||
        stylename || styleqml::text || stylesld::text || useasdefault || description,
        '' ORDER BY f_table_name, stylename)) FROM layer_styles WHERE f_table_schema = '$1'"
}
temps() { $PSQL -At -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'demo\\_\\_%'"; }
"$BIN" demo --kde no --gistar no -o "$DB" --schema demo > old.out 2>&1 || fail "--kde no run: $(cat old.out)"
state demo > old.state
# the previous run's rows in layer_styles were replaced, not added to
[ "$($PSQL -At -c "SELECT count(*) FROM layer_styles WHERE f_table_schema = 'demo' AND f_table_name LIKE 'kde\\_%'")" = 0 ] ||
    fail "the replaced run's raster styles are still in layer_styles"
"$BIN" demo -o "$DB" --schema demo > new.out 2>&1 || fail "second full run: $(cat new.out)"
state demo > new.state
! cmp -s old.state new.state || fail "the previous and new schemas should differ"
"$BIN" demo --kde no --gistar no -o "$DB" --schema demo > /dev/null 2>&1 || fail "back to the --kde no run"
state demo > again.state
cmp -s old.state again.state || fail "the same run gave another state"
# Where a kill lands.  Two points are made certain by holding a lock the
# run waits for, then killing it while it waits:
#   copy  in the middle of the rows: an event trigger (test only) gives
#         every table made in a temporary schema a row trigger that waits
#         for an advisory lock the test holds, so the first COPY stops
#         after its first rows reached the server;
#   swap  every row sent and indexed: the test holds the advisory lock
#         the writer takes before the swap (its key: hashtext('hotspot
#         schema ' || schema), src/output/postgis.c).
# Then kills after 0.5-5 s, wherever the run is (before or after commit).
HOLD=hs_test_hold
hold() { # $1: the lock's key (SQL); returns when the lock is held
    PGAPPNAME=$HOLD $PSQL -c "SELECT pg_advisory_lock($1)" -c "SELECT pg_sleep(600)" > /dev/null 2>&1 &
    HOLD_PID=$!
    for i in $(seq 1 300); do
        [ "$($PSQL -At -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
              WHERE a.application_name = '$HOLD' AND l.locktype = 'advisory' AND l.granted")" = 1 ] && return 0
        sleep 0.1
    done
    fail "the test could not take its advisory lock"
}
release() {
    $PSQL -At -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '$HOLD'" > /dev/null
    [ -z "${HOLD_PID:-}" ] || wait $HOLD_PID 2>/dev/null || true
    HOLD_PID=
}
waiting() { # the run's statement while it waits for the test's lock
    $PSQL -At -c "SELECT left(query, 40) FROM pg_stat_activity WHERE application_name = 'hotspot'
                  AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
}
$PSQL <<'EOF' > /dev/null
CREATE FUNCTION hs_test_wait() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN PERFORM pg_advisory_xact_lock_shared(4242); RETURN NEW; END $$;
CREATE FUNCTION hs_test_attach() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands()
           WHERE command_tag = 'CREATE TABLE' AND schema_name LIKE 'demo\_\_new\_%' LOOP
    EXECUTE format('CREATE TRIGGER hs_test_wait BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION public.hs_test_wait()',
                   r.object_identity);
  END LOOP;
END $$;
EOF
n_old=0
for at in copy swap 0.5 1.5 3 5; do
    busy=
    case $at in
    copy) hold 4242
          $PSQL -c "CREATE EVENT TRIGGER hs_test_attach ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
                    EXECUTE FUNCTION hs_test_attach()" > /dev/null ;;
    swap) hold "hashtext('hotspot schema demo')" ;;
    esac
    (exec "$BIN" demo -o "$DB" --schema demo > /dev/null 2>&1) &
    pid=$!
    case $at in
    copy|swap)
        for i in $(seq 1 1200); do
            busy=$(waiting)
            [ -n "$busy" ] && break
            kill -0 $pid 2>/dev/null || fail "killed at $at: the run ended without waiting for the test's lock"
            sleep 0.05
        done
        [ -n "$busy" ] || fail "killed at $at: the run never waited for the test's lock"
        case $at in
        copy) case $busy in "COPY "*) ;; *) fail "killed at copy: waiting in '$busy', not a COPY" ;; esac ;;
        swap) case $busy in *pg_advisory_xact_lock*) ;; *) fail "killed at swap: waiting in '$busy'" ;; esac ;;
        esac ;;
    *) sleep $at ;;
    esac
    kill -KILL $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    if [ $at = copy ]; then
        $PSQL -c "DROP EVENT TRIGGER hs_test_attach" > /dev/null
    fi
    release
    for i in $(seq 1 100); do # the server rolls back when it sees the drop
        [ "$($PSQL -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hotspot'")" = 0 ] && break
        sleep 0.1
    done
    state demo > killed.state
    if cmp -s killed.state old.state; then
        n_old=$((n_old + 1)); what=previous
    elif cmp -s killed.state new.state; then
        what=new
    else
        diff old.state killed.state | head -5
        fail "killed at $at: the schema is neither the previous nor the new run"
    fi
    case $at in copy|swap) [ $what = previous ] || fail "killed at $at (waiting in '$busy'): the new run was committed" ;; esac
    [ "$(temps)" = 0 ] || fail "killed at $at: a temporary schema is left"
    echo "killed at $at (waiting in: ${busy:-no lock, a timed kill}): $what schema, no temporary schema"
    [ $what = new ] && { "$BIN" demo --kde no --gistar no -o "$DB" --schema demo > /dev/null 2>&1; state demo > s && cmp -s s old.state || fail "reset"; }
done
[ "$($PSQL -At -c "SELECT count(*) FROM pg_trigger WHERE tgname = 'hs_test_wait'")" = 0 ] ||
    fail "a test trigger outlived its temporary schema"
$PSQL -c "DROP FUNCTION hs_test_attach(); DROP FUNCTION hs_test_wait()" > /dev/null
# a schema Hotspot did not write is refused and left alone
$PSQL -c "CREATE SCHEMA theirs; CREATE TABLE theirs.t (x int); INSERT INTO theirs.t VALUES (1)"
set +e
"$BIN" demo --kde no -o "$DB" --schema theirs > /dev/null 2> theirs.err; rc1=$?
"$BIN" demo --kde no -o "$DB" --schema public > /dev/null 2> public.err; rc2=$?
"$BIN" demo --kde no -o "$DB" > /dev/null 2> noschema.err; rc3=$?
"$BIN" demo --kde no -o x.gpkg --schema demo > /dev/null 2> gpkgschema.err; rc4=$?
set -e
[ $rc1 = 1 ] && grep -q "refusing to replace schema 'theirs'" theirs.err || fail "schema theirs: exit $rc1, $(cat theirs.err)"
[ $rc2 = 1 ] && grep -q "refusing to replace schema 'public'" public.err || fail "schema public: exit $rc2, $(cat public.err)"
[ $rc3 = 2 ] && grep -q "give --schema NAME" noschema.err || fail "no --schema: exit $rc3, $(cat noschema.err)"
[ $rc4 = 2 ] && grep -q "is for a PostGIS output" gpkgschema.err || fail "--schema with a file: exit $rc4, $(cat gpkgschema.err)"
[ "$($PSQL -At -c "SELECT x FROM theirs.t")" = 1 ] || fail "schema theirs was touched"
[ ! -e x.gpkg ] || fail "a refused run wrote x.gpkg"
echo "PASS: PostGIS in and out; killed runs ($n_old of them before the commit, one in a COPY, one before the swap) left the previous schema"
