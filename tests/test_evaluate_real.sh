#!/bin/bash
# hotspot evaluate on real data: police.uk street crime of Wiltshire Police
# (Oct 2018 - Feb 2019) in Swindon's ONS 2013 wards (../shared/data/real;
# skips when absent).  The target is two town-centre wards (Central,
# Eastcott), before Oct-Dec 2018 and after Jan-Feb 2019 (unequal), a 300 m
# buffer and the rest of Swindon as the control; then two northern wards
# as the control with a 200 m control buffer.  SpatiaLite builds the zones
# itself from the same ward polygons (ST_Union, ST_Buffer with 8 segments a
# quarter circle as GEOS's default, ST_Difference) and counts the same
# points (the incidents layer of a hotspot run over the same files) with
# ST_Intersects, a point on an edge going to the first of target, buffer,
# control, control buffer (README, "Did it work?"); every count of the
# evaluation table must match, and each zone's area to a millionth.  The
# incidents layer itself is checked against awk's count of the CSV rows
# with coordinates, by group and month.
set -euo pipefail
. "$(dirname "$0")/common.sh"
R=${HOTSPOT_REAL_DATA:-$SRC/../shared/data/real}
if [ ! -d "$R/policeuk-street-2018-10_2019-02" ] || [ ! -d "$R/ons-boundaries-2011-martinjc" ]; then
    echo "SKIP: real data folder $R is absent"
    exit 77
fi
for tool in ogr2ogr sqlite3 awk; do
    command -v $tool > /dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
echo "SELECT load_extension('mod_spatialite');" | sqlite3 :memory: > /dev/null 2>&1 ||
    { echo "SKIP: SpatiaLite (mod_spatialite) not installed"; exit 77; }
CSVS=("$R"/policeuk-street-2018-10_2019-02/*/*-wiltshire-street.csv)
# The wards in British National Grid, one file that both read (so no
# second transformation can move an edge).
ogr2ogr -f GPKG -t_srs EPSG:27700 -nln wards "$T/wards.gpkg" \
    "$R/ons-boundaries-2011-martinjc/wards2013_by_lad/E06000030.json"
TARGET="E05008954,E05008957"   # Central, Eastcott
CONTROL="E05008959,E05008965"  # Haydon Wick, Priory Vale
q() { echo "'${1//,/\',\'}'"; } # "a,b" -> 'a','b' for SQL

# the points: hotspot's own reading of the files, in its incidents layer
"$BIN" run --incidents "${CSVS[@]}" --areas "$T/wards.gpkg" --area-id WD13CD --area-name WD13NM \
    --from 2018-10 --to 2019-02 --compare none --kde no --gistar no --lisa no --emerging no \
    -o "$T/run.gpkg" > /dev/null 2> "$T/err.txt" || fail "run: $(cat "$T/err.txt")"
# ... which hold every CSV row with coordinates of the three groups
awk -F, 'FNR == 1 { next }
    $5 == "" || $6 == "" { next }
    { t = $10; g = ""
      if (t == "Anti-social behaviour") g = "asb"
      if (t == "Burglary" || t == "Robbery" || t == "Vehicle crime") g = "sac"
      if (t == "Violence and sexual offences") g = "violence"
      if (g != "") n[g "|" $2]++ }
    END { for (k in n) print k "|" n[k] }' "${CSVS[@]}" | sort > "$T/csv_n.txt"
sqlite3 "$T/run.gpkg" "SELECT crime_group, month, count(*) FROM incidents
    WHERE crime_group IN ('asb', 'sac', 'violence') GROUP BY 1, 2" | sort > "$T/layer_n.txt"
diff "$T/csv_n.txt" "$T/layer_n.txt" > /dev/null ||
    fail "the incidents layer differs from awk's count of the CSVs: $(diff "$T/csv_n.txt" "$T/layer_n.txt" | head -5)"

# SpatiaLite's zones and counts, compared with ev.gpkg: "diff" rows and
# totals; cb = control buffer metres (0: none), control = ward ids or "".
check() { # ev.gpkg control cb label
    local ctl
    if [ -n "$2" ]; then
        ctl="SELECT ST_Union(geom) FROM w.wards WHERE WD13CD IN ($(q "$2"))"
    else
        ctl="SELECT ST_Difference(ST_Union(geom), (SELECT ST_Union(g) FROM zones WHERE zi < 2)) FROM w.wards"
    fi
    cat > "$T/q.sql" <<EOF
SELECT load_extension('mod_spatialite');
SELECT EnableGpkgAmphibiousMode();
ATTACH '$T/wards.gpkg' AS w;
ATTACH '$1' AS ev;
CREATE TEMP TABLE zones (zi INTEGER, name TEXT, g BLOB);
INSERT INTO zones SELECT 0, 'target', ST_Union(geom) FROM w.wards WHERE WD13CD IN ($(q "$TARGET"));
INSERT INTO zones SELECT 1, 'buffer', ST_Difference(ST_Buffer(g, 300, 8), g) FROM zones WHERE zi = 0;
INSERT INTO zones SELECT 2, 'control', ($ctl);
INSERT INTO zones SELECT 3, 'control buffer',
    ST_Difference(ST_Buffer(c.g, $3, 8), (SELECT ST_Union(g) FROM zones))
  FROM zones c WHERE c.zi = 2 AND $3 > 0;
-- each zone's area against the file's
SELECT 'area', z.name, ST_Area(z.g) / 1e6, e.area_km2 FROM zones z JOIN ev.zones e ON e.zone = z.name
 WHERE abs(ST_Area(z.g) / 1e6 - e.area_km2) > 1e-6 * e.area_km2;
SELECT 'nzones', (SELECT count(*) FROM zones), (SELECT count(*) FROM ev.zones);
CREATE TEMP TABLE hits AS
  SELECT i.fid, i.crime_group AS grp, min(z.zi) AS zi,
         CASE WHEN i.month BETWEEN '2018-10' AND '2018-12' THEN 'before' ELSE 'after' END AS per
  FROM incidents i JOIN zones z ON ST_Intersects(z.g, i.geom)
  WHERE i.crime_group IN ('asb', 'sac', 'violence') AND i.month BETWEEN '2018-10' AND '2019-02'
  GROUP BY i.fid;
CREATE TEMP TABLE counted AS
  SELECT grp, CASE zi WHEN 0 THEN 'target' WHEN 1 THEN 'buffer' WHEN 2 THEN 'control'
                      ELSE 'control_buffer' END || '_' || per AS col, count(*) AS n
  FROM hits GROUP BY grp, zi, per;
-- every count of the evaluation table, zeros included
CREATE TEMP TABLE cols (col TEXT);
INSERT INTO cols VALUES ('target_before'), ('target_after'), ('buffer_before'), ('buffer_after'),
  ('control_before'), ('control_after'), ('control_buffer_before'), ('control_buffer_after');
SELECT 'diff', e.crime_group, c.col, coalesce(n.n, 0),
       CASE c.col WHEN 'target_before' THEN e.target_before WHEN 'target_after' THEN e.target_after
         WHEN 'buffer_before' THEN e.buffer_before WHEN 'buffer_after' THEN e.buffer_after
         WHEN 'control_before' THEN e.control_before WHEN 'control_after' THEN e.control_after
         WHEN 'control_buffer_before' THEN e.control_buffer_before
         ELSE e.control_buffer_after END AS got
  FROM ev.evaluation e CROSS JOIN cols c LEFT JOIN counted n ON n.grp = e.crime_group AND n.col = c.col
 WHERE (c.col NOT LIKE 'control_buffer%' OR $3 > 0) AND coalesce(got, -1) != coalesce(n.n, 0);
SELECT 'total', (SELECT count(*) FROM hits),
  (SELECT sum(target_before + target_after + buffer_before + buffer_after + control_before +
       control_after + coalesce(control_buffer_before, 0) + coalesce(control_buffer_after, 0))
     FROM ev.evaluation);
SELECT 'zone', zi, per, count(*) FROM hits GROUP BY zi, per ORDER BY zi, per DESC;
EOF
    sqlite3 "$T/run.gpkg" < "$T/q.sql" 2> "$T/sql.err" | grep -E '^(area|nzones|diff|total|zone)\|' \
        > "$T/cmp.txt" || fail "$4: SpatiaLite: $(cat "$T/sql.err")"
    if grep -qE '^(area|diff)\|' "$T/cmp.txt"; then
        fail "$4: differs from SpatiaLite: $(grep -E '^(area|diff)' "$T/cmp.txt" | head -8)"
    fi
    local nz a b
    nz=$(sed -n 's/^nzones|//p' "$T/cmp.txt")
    [ "${nz%|*}" = "${nz#*|}" ] || fail "$4: SpatiaLite made ${nz%|*} zones, the file has ${nz#*|}"
    read -r a b < <(sed -n 's/^total|//p' "$T/cmp.txt" | tr '|' ' ')
    [ -n "$a" ] && [ "$a" -gt 1000 ] && [ "${b%.0}" = "$a" ] ||
        fail "$4: SpatiaLite counted $a incidents in the zones, the table $b"
    echo "$4: $a incidents in ${nz%|*} zones, each count and area as SpatiaLite makes them:" \
        "$(sed -n 's/^zone|//p' "$T/cmp.txt" | awk -F'|' '{ sep = (NR > 1) ? ", " : ""
            split("T B C CB", z, " "); printf "%s%s %s %s", sep, z[$1 + 1], $2, $3 }')"
}

P=(--before 2018-10:2018-12 --after 2019-01:2019-02)
"$BIN" evaluate --incidents "${CSVS[@]}" --areas "$T/wards.gpkg" --area-id WD13CD \
    --target "$TARGET" --buffer 300 "${P[@]}" -o "$T/ev1.gpkg" > /dev/null 2> "$T/err.txt" ||
    fail "evaluate: $(cat "$T/err.txt")"
check "$T/ev1.gpkg" "" 0 "Central and Eastcott against the rest of Swindon"

"$BIN" evaluate --incidents "${CSVS[@]}" --areas "$T/wards.gpkg" --area-id WD13CD \
    --target "$TARGET" --buffer 300 --control "$CONTROL" --control-buffer 200 "${P[@]}" \
    -o "$T/ev2.gpkg" > /dev/null 2> "$T/err.txt" || fail "evaluate with a control: $(cat "$T/err.txt")"
check "$T/ev2.gpkg" "$CONTROL" 200 "against Haydon Wick and Priory Vale with a 200 m ring"
