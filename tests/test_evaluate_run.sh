#!/bin/bash
# hotspot evaluate on the demo county: the counts per group, zone and
# period against SpatiaLite's own point-in-polygon count (ST_Covers of
# the zones the run wrote, over a run's incidents layer; a point on two
# zones' shared edge goes to the first, as regions.h says); a hotspot of
# a run as the target with a control of area ids and a control buffer;
# and bad input: each a clear error, nothing written.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 77; }
echo "SELECT load_extension('mod_spatialite');" | sqlite3 :memory: >/dev/null 2>&1 ||
    { echo "SKIP: SpatiaLite (mod_spatialite) not installed"; exit 77; }

(cd "$D" && "$BIN" run demo-local.ini --gistar no --lisa no --emerging no -o "$T/all.gpkg") \
    > /dev/null 2> "$T/err.txt" || fail "run: $(cat "$T/err.txt")"

# counts in the zones of ev.gpkg over the incidents of all.gpkg, by
# SpatiaLite; compared with the evaluation table
check() { # ev.gpkg before-from before-to after-from after-to
    cat > "$T/q.sql" <<EOF
SELECT load_extension('mod_spatialite');
SELECT EnableGpkgAmphibiousMode();
ATTACH '$1' AS ev;
CREATE TEMP TABLE hits AS
  SELECT i.fid, i.crime_group AS g,
         min(CASE z.zone WHEN 'target' THEN 0 WHEN 'buffer' THEN 1
                         WHEN 'control' THEN 2 ELSE 3 END) AS zi,
         CASE WHEN i.month BETWEEN '$2' AND '$3' THEN 'before'
              WHEN i.month BETWEEN '$4' AND '$5' THEN 'after' END AS per
  FROM incidents i JOIN ev.zones z ON ST_Covers(z.geom, i.geom)
  WHERE i.crime_group IN ('asb', 'sac', 'violence')
  GROUP BY i.fid;
CREATE TEMP TABLE counted AS
  SELECT g, CASE zi WHEN 0 THEN 'target' WHEN 1 THEN 'buffer' WHEN 2 THEN 'control'
                    ELSE 'control_buffer' END || '_' || per AS col, count(*) AS n
  FROM hits WHERE per IS NOT NULL GROUP BY g, zi, per;
SELECT 'diff', e.crime_group, c.col, c.n FROM counted c JOIN ev.evaluation e ON e.crime_group = c.g
WHERE c.n != CASE c.col
  WHEN 'target_before' THEN e.target_before WHEN 'target_after' THEN e.target_after
  WHEN 'buffer_before' THEN e.buffer_before WHEN 'buffer_after' THEN e.buffer_after
  WHEN 'control_before' THEN e.control_before WHEN 'control_after' THEN e.control_after
  WHEN 'control_buffer_before' THEN e.control_buffer_before
  ELSE e.control_buffer_after END;
SELECT 'total', sum(n) FROM counted;
SELECT 'table', sum(target_before + target_after + buffer_before + buffer_after +
       control_before + control_after + coalesce(control_buffer_before, 0) +
       coalesce(control_buffer_after, 0)) FROM ev.evaluation;
EOF
    sqlite3 "$T/all.gpkg" < "$T/q.sql" 2> "$T/sql.err" | grep -E "^(diff|total|table)" > "$T/cmp.txt" ||
        fail "SpatiaLite: $(cat "$T/sql.err")"
    if grep -q '^diff' "$T/cmp.txt"; then fail "counts differ: $(grep '^diff' "$T/cmp.txt")"; fi
    local a b
    a=$(sed -n 's/^total|//p' "$T/cmp.txt"); b=$(sed -n 's/^table|//p' "$T/cmp.txt")
    [ -n "$a" ] && [ "$a" -gt 0 ] && [ "${b%.0}" = "$a" ] ||
        fail "SpatiaLite counted $a incidents in the zones, the evaluation table $b"
    echo "$1: $a incidents in the zones, as SpatiaLite counts them"
}

# a board as the target; the rest of the county is the control
(cd "$D" && "$BIN" evaluate demo-local.ini --target AB03 --before 2023-01:2023-06 \
    --after 2024-01:2024-06 -o "$T/ev1.gpkg") > "$T/out.txt" 2> "$T/err.txt" ||
    fail "evaluate AB03: $(cat "$T/err.txt")"
check "$T/ev1.gpkg" 2023-01 2023-06 2024-01 2024-06
n=$(sqlite3 "$T/ev1.gpkg" "SELECT count(*) FROM zones")
[ "$n" = 3 ] || fail "ev1: $n zones, want target, buffer and control"

# the largest violence hotspot of the run, a control of two boards with a
# 200 m ring of its own, periods of unequal length
vio=$(sqlite3 "$T/all.gpkg" "SELECT hotspot_id FROM hotspots_violence ORDER BY rank LIMIT 1")
(cd "$D" && "$BIN" evaluate demo-local.ini --target-from "$T/all.gpkg" --target "$vio" \
    --buffer 400 --control AB05,AB06 --control-buffer 200 --before 2023-03:2023-12 \
    --after 2024-01:2024-04 -o "$T/ev2.gpkg") > "$T/out.txt" 2> "$T/err.txt" ||
    fail "evaluate $vio: $(cat "$T/err.txt")"
check "$T/ev2.gpkg" 2023-03 2023-12 2024-01 2024-04
n=$(sqlite3 "$T/ev2.gpkg" "SELECT count(*) FROM zones")
[ "$n" = 4 ] || fail "ev2: $n zones, want four"

# opened in QGIS: the project beside the file loads the zones with their
# style (a category per zone) and the tables
if /usr/bin/python3 -c "import qgis.core" 2>/dev/null; then
    export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$T/xdg
    mkdir -m 700 -p "$XDG_RUNTIME_DIR"
    /usr/bin/python3 - "$T/ev2.qgz" > "$T/qgis.txt" 2> /dev/null <<'PY' || fail "QGIS: $(cat "$T/qgis.txt")"
import sys
from qgis.core import QgsApplication, QgsProject
app = QgsApplication([], False)
app.initQgis()
p = QgsProject.instance()
if not p.read(sys.argv[1]):
    sys.exit("the project does not load")
names = sorted(l.name() for l in p.mapLayers().values())
want = ["Before and after: counts, WDD, WDQ", "How this file was made",
        "Incidents per zone and month", "Target, buffer and control"]
if names != want:
    sys.exit(f"layers {names}, want {want}")
z = [l for l in p.mapLayers().values() if l.name() == "Target, buffer and control"][0]
r = z.renderer()
if not z.isValid() or r.type() != "categorizedSymbol" or r.classAttribute() != "zone":
    sys.exit("zones: not valid or not styled by zone")
cats = sorted(c.value() for c in r.categories())
if cats != ["buffer", "control", "control buffer", "target"]:
    sys.exit(f"zones: categories {cats}")
if z.featureCount() != 4:
    sys.exit(f"zones: {z.featureCount()} features")
print("QGIS: the project loads the zones styled by zone and the tables")
app.exitQgis()
PY
    cat "$T/qgis.txt"
else
    echo "note: QGIS Python bindings not installed; the project is not opened"
fi

# bad input: a clear error naming what is wrong, no file written
bad() { # want-status message args...
    local want=$1 msg=$2
    shift 2
    rm -f "$T/bad.gpkg"
    set +e
    (cd "$D" && "$BIN" evaluate demo-local.ini "$@" -o "$T/bad.gpkg") > /dev/null 2> "$T/err.txt"
    local st=$?
    set -e
    [ "$st" = "$want" ] || fail "evaluate $*: exit $st, want $want: $(cat "$T/err.txt")"
    grep -q -- "$msg" "$T/err.txt" || fail "evaluate $*: no '$msg' in: $(cat "$T/err.txt")"
    [ ! -e "$T/bad.gpkg" ] || fail "evaluate $*: wrote a file"
}
P=(--before 2023-01:2023-06 --after 2024-01:2024-06)
bad 2 "the control overlaps the target or its 250 m buffer" --target AB03 --control AB03,AB05 "${P[@]}"
bad 2 "no area 'AB99'" --target AB99 "${P[@]}"
bad 2 "no hotspot of that id" --target-from "$T/all.gpkg" --target VIO-999 "${P[@]}"
bad 2 "overlap: a month cannot be both" --target AB03 --before 2023-01:2024-02 --after 2024-01:2024-06
bad 1 "lies outside the data" --target AB03 --before 2022-01:2022-06 --after 2024-01:2024-06
bad 2 "give a number of metres" --target AB03 --buffer 0 "${P[@]}"
bad 2 "no target" "${P[@]}"
bad 2 "--before .2023-13." --target AB03 --before 2023-13 --after 2024-01:2024-06
bad 2 "--alpha '2': give a number between 0 and 1" --target AB03 --alpha 2 "${P[@]}"

# an empty zone is a warning, not a silent zero: the ring round the whole
# rest of the county lies outside the data, and few drugs incidents fall
# in the 250 m round AB03 and AB04
(cd "$D" && "$BIN" evaluate demo-local.ini --groups asb,drugs --target AB03,AB04 \
    --control-buffer 300 "${P[@]}" -o "$T/ev3.gpkg") > /dev/null 2> "$T/err.txt" ||
    fail "evaluate with a control buffer outside the data: $(cat "$T/err.txt")"
grep -q "warning: the control buffer (.* km²) holds no incidents of any group, before or after: does it lie outside the data's area" \
    "$T/err.txt" || fail "no warning of the empty control buffer: $(cat "$T/err.txt")"
nb=$(sqlite3 "$T/ev3.gpkg" "SELECT buffer_before + buffer_after FROM evaluation WHERE crime_group = 'drugs'")
if [ "${nb%.0}" = 0 ]; then
    grep -q "warning: the buffer holds no drugs incidents before or after: its WDQ says nothing" "$T/err.txt" ||
        fail "no warning of the buffer without drugs incidents: $(cat "$T/err.txt")"
elif grep -q "the buffer holds no" "$T/err.txt"; then
    fail "a warning of an empty buffer that holds $nb drugs incidents"
fi
echo "empty zones: warnings naming the zone and the groups"

# WDD, WDQ and the rate ratio of ev2 (unequal periods: 10 and 4 months)
# from its own counts, by the formulas (Wheeler & Ratcliffe 2018 as ptools
# wdd with time weights: counts / months, variances counts / months²;
# Bowers & Johnson 2003), worked here
command -v python3 >/dev/null || { echo "SKIP: python3 not installed (formulas)"; exit 0; }
python3 - "$T/ev2.gpkg" <<'PY' || fail "ev2: WDD or WDQ differ from the formulas"
import math, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.row_factory = sqlite3.Row
wb, wa = 10.0, 4.0
z90 = 1.6448536269514722
for r in db.execute("SELECT * FROM evaluation"):
    T = (r["target_before"], r["target_after"]); B = (r["buffer_before"], r["buffer_after"])
    C = (r["control_before"], r["control_after"])
    D = (r["control_buffer_before"], r["control_buffer_after"])
    d = lambda x: x[1] / wa - x[0] / wb
    v = lambda x: x[1] / wa ** 2 + x[0] / wb ** 2
    local, disp = d(T) - d(C), d(B) - d(D)
    tot, se = local + disp, math.sqrt(v(T) + v(C) + v(B) + v(D))
    want = {"wdd_local": local, "wdd_displace": disp, "wdd": tot, "wdd_se": se,
            "wdd_z": tot / se, "wdd_low": tot - z90 * se, "wdd_high": tot + z90 * se,
            "wdd_local_se": math.sqrt(v(T) + v(C)), "wdd_displace_se": math.sqrt(v(B) + v(D))}
    succ = T[1] / C[1] - T[0] / C[0]
    if succ < 0:
        want["wdq"] = (B[1] / C[1] - B[0] / C[0]) / succ
    want["rate_ratio"] = (T[1] / T[0]) / (C[1] / C[0])
    for k, x in want.items():
        if abs(r[k] - x) > 1e-9 * max(1, abs(x)):
            sys.exit(f"{r['crime_group']} {k}: {r[k]}, by the formula {x}")
    if succ >= 0 and r["wdq"] is not None:
        sys.exit(f"{r['crime_group']}: a WDQ where the target did no better")
    print(f"{r['crime_group']}: WDD {tot:+.3f} a month, WDQ {r['wdq']}, as the formulas give")
PY
