#!/bin/bash
# Integration: the README's demo run, checked end to end against values
# computed here by other tools (awk over the CSVs, SpatiaLite through GDAL,
# the zones' own board_id for populations), plus determinism and the
# "a failed run never harms the previous output" rule.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data/demo

(cd "$T" && "$BIN" demo -o demo.gpkg > out.txt 2> err.txt) || fail "demo run failed: $(cat "$T/err.txt")"
grep -q "wrote .*/demo.gpkg" "$T/out.txt" || fail "no summary"
G=$T/demo.gpkg

# Layers and the run table.
for l in areas rates_asb rates_sac rates_violence incidents run; do
    sqlite3 "$G" "SELECT count(*) FROM gpkg_contents WHERE table_name='$l'" | grep -qx 1 || fail "layer $l missing"
done
[ "$(sqlite3 "$G" "SELECT count(*) FROM areas")" = 18 ] || fail "expected 18 boards"
files=$(sqlite3 "$G" "SELECT count(*) FROM run WHERE section='input' AND key LIKE '%street.csv'")
[ "$files" = 24 ] || fail "expected 24 input files in run, got $files"

# Rows read and rows without location, from awk over the raw CSVs.
CSVS=("$D"/policeuk/*/*.csv)
read -r want_rows want_noloc < <(awk -F, 'FNR > 1 { n++; if ($5 == "" && $6 == "") e++ } END { print n, e }' "${CSVS[@]}")
got_rows=$(sqlite3 "$G" "SELECT value FROM run WHERE key='rows_read'")
got_noloc=$(sqlite3 "$G" "SELECT value FROM run WHERE key='no_location'")
[ "$got_rows" = "$want_rows" ] || fail "rows_read $got_rows, want $want_rows"
[ "$got_noloc" = "$want_noloc" ] || fail "no_location $got_noloc, want $want_noloc"
echo "rows read $got_rows, without location $got_noloc: as awk counts"

# Populations: each board's population is the sum of its zones (the zones
# carry the board_id the generator gave them).
ogr2ogr -f CSV "$T/zones.csv" "$D/zones.geojson" -select board_id,population
awk -F, 'FNR > 1 { gsub(/"/, ""); p[$1] += $2 } END { for (b in p) print b "," p[b] }' "$T/zones.csv" | sort > "$T/want_pop.csv"
sqlite3 -separator , "$G" "SELECT area_id, CAST(population AS INTEGER) FROM areas ORDER BY area_id" > "$T/got_pop.csv"
diff "$T/want_pop.csv" "$T/got_pop.csv" >/dev/null || fail "board populations differ: $(diff "$T/want_pop.csv" "$T/got_pop.csv" | head -5)"
echo "board populations: as the zones' own board ids give"

# Counts per board for ASB in 2024 and 2023: SpatiaLite point in polygon.
ogr2ogr -f GPKG "$T/ref.gpkg" "$D/boards.geojson" -nln boards
for f in "${CSVS[@]}"; do
    ogr2ogr -f GPKG "$T/ref.gpkg" "$f" -update -append -nln pts \
        -oo X_POSSIBLE_NAMES=Longitude -oo Y_POSSIBLE_NAMES=Latitude \
        -s_srs EPSG:4326 -t_srs EPSG:27700 -where "Longitude <> ''" 2>/dev/null
done
for grp in "asb:'Anti-social behaviour'" "sac:'Burglary','Robbery','Vehicle crime'" \
           "violence:'Violence and sexual offences'"; do
    name=${grp%%:*} types=${grp#*:}
    sqlite3 -separator , "$G" "SELECT area_id, count, prev_count FROM rates_$name ORDER BY area_id" > "$T/got.csv"
    ogrinfo -q "$T/ref.gpkg" -sql "CREATE TABLE c_$name AS SELECT b.board_id AS id,
        sum(p.Month LIKE '2024-%') AS cur, sum(p.Month LIKE '2023-%') AS prev
        FROM boards b JOIN pts p ON ST_Intersects(b.geom, p.geom)
        WHERE p.\"Crime type\" IN ($types) GROUP BY b.board_id" >/dev/null
    sqlite3 -separator , "$T/ref.gpkg" "SELECT id, cur, prev FROM c_$name ORDER BY id" > "$T/want.csv"
    diff "$T/want.csv" "$T/got.csv" >/dev/null || fail "$name counts differ from SpatiaLite: $(diff "$T/want.csv" "$T/got.csv" | head -6)"
    echo "$name: counts per board in both periods match SpatiaLite"
done

# Rates are count / population x 1000; the study rate is total / total.
bad=$(sqlite3 "$G" "SELECT count(*) FROM rates_asb WHERE abs(rate - count * 1000.0 / population) > 1e-9 * rate
    OR abs(study_rate - (SELECT sum(count) * 1000.0 / sum(population) FROM rates_asb)) > 1e-9")
[ "$bad" = 0 ] || fail "$bad rate rows wrong"

# Density: kde_violence at a few cells is the exact quartic sum (awk, brute
# force over the period's violence points in the study area, exported from
# the incidents layer: the study area decides) and the hotspots hold the
# incidents SpatiaLite finds inside them.
for l in kde_violence hotspots_violence tasking_violence; do
    sqlite3 "$G" "SELECT count(*) FROM gpkg_contents WHERE table_name='$l'" | grep -qx 1 || fail "layer $l missing"
done
bw=$(sqlite3 "$G" "SELECT value FROM run WHERE key='bandwidth_violence'" | awk '{ print $1 }')
ogr2ogr -f CSV "$T/vio.csv" "$G" incidents -where "crime_group='violence' AND period='current' AND area_id IS NOT NULL" \
    -lco GEOMETRY=AS_XY -select crime_group
# The default bandwidth is the back-test's: the candidate with the highest
# mean PAI over the windows of backtest_violence (ties: the larger), and the
# table marks it chosen.
want=$(sqlite3 "$G" "SELECT bandwidth FROM backtest_violence WHERE pai IS NOT NULL
    GROUP BY bandwidth ORDER BY avg(pai) DESC, bandwidth DESC LIMIT 1" | awk '{ printf "%.0f", $1 }')
[ "$bw" = "$want" ] || fail "bandwidth_violence $bw, the back-test's best mean PAI is at $want m"
[ "$(sqlite3 "$G" "SELECT DISTINCT bandwidth FROM backtest_violence WHERE chosen = 1" | awk '{ printf "%.0f", $1 }')" = "$bw" ] ||
    fail "backtest_violence does not mark $bw m chosen"
echo "back-test bandwidth: $bw m, the best mean PAI in backtest_violence"
# the summary's back-test line for each group: the means of its chosen rows
for g in asb sac violence; do
    want=$(sqlite3 "$G" "SELECT printf('held %.1f%% of the next month''s incidents on average over %d months (PAI %.1f, PEI %.2f)',
        avg(hit_rate), count(*), avg(pai), avg(pei)) FROM backtest_$g WHERE chosen = 1 AND pai IS NOT NULL")
    grep -A1 "^  $g " "$T/out.txt" | grep -qF "$want" || fail "summary lacks '$want' for $g"
done
echo "summary: each group's back-test line as sqlite averages backtest_<group>"
# Tasking by default: most boards get places (a board gets none only when
# no place in its densest 3% holds 5 incidents; test_tasking.sh checks the
# rule itself), each inside its board (SpatiaLite) and within 3% of it.
for g in asb sac violence; do
    nb=$(sqlite3 "$G" "SELECT count(DISTINCT area_id) FROM tasking_$g WHERE incidents >= 5")
    [ "$nb" -ge 12 ] || fail "tasking_$g: places in only $nb of 18 boards"
    [ "$(sqlite3 "$G" "SELECT count(*) FROM tasking_$g WHERE cum_area_pct > 3 OR incidents < 5")" = 0 ] ||
        fail "tasking_$g: a board's places beyond 3% of it, or under 5 incidents"
    bad=$(ogrinfo -q "$G" -dialect SQLite -sql "SELECT count(*) AS n FROM tasking_$g t JOIN areas a USING (area_id)
        WHERE NOT ST_Within(t.geom, ST_Buffer(a.geom, 100))" | awk -F'= ' '/n \(Integer\)/ { print $2 }')
    [ "$bad" = 0 ] || fail "tasking_$g: $bad places outside their board"
    echo "tasking_$g: places in $nb of 18 boards"
done
# --bandwidth auto is ArcGIS's spatial Silverman rule on these points:
# 0.9 min(SD, sqrt(1/ln 2) Dm) n^-0.2, rounded to a metre (awk and sort).
(cd "$T" && "$BIN" demo -o auto.gpkg --bandwidth auto --groups violence \
    --incidents-layer no >/dev/null 2>&1) || fail "demo --bandwidth auto failed"
auto=$(sqlite3 "$T/auto.gpkg" "SELECT value FROM run WHERE key='bandwidth_violence'" | awk '{ print $1 }')
awk -F, 'NR > 1 { x[NR] = $1; y[NR] = $2; sx += $1; sy += $2; n++ }
    END { mx = sx / n; my = sy / n
          for (i in x) { d2 = (x[i] - mx)^2 + (y[i] - my)^2; ss += d2; print sqrt(d2) > "/dev/stderr" }
          print n, sqrt(ss / n) }' "$T/vio.csv" 2>"$T/dists.txt" > "$T/sd.txt"
read -r nv sd < "$T/sd.txt"
dm=$(sort -g "$T/dists.txt" | awk -v n="$nv" '{ v[NR] = $1 } END { print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }')
want_bw=$(awk -v n="$nv" -v sd="$sd" -v dm="$dm" 'BEGIN { a = sqrt(1 / log(2)) * dm; m = sd < a ? sd : a
    printf "%.0f", 0.9 * m * n^-0.2 }')
[ "$auto" = "$want_bw" ] || fail "--bandwidth auto: $auto, Silverman by awk $want_bw"
echo "automatic bandwidth: $auto m, as the Silverman rule computed here gives"

# cell centres and values: the densest cell and two other non-zero cells
gdal_translate -q -of XYZ "GPKG:$G:kde_violence" "$T/kde.xyz"
awk '$3 > 0 && $3 != -9999 { n++; if ($3 > m) { m = $3; best = $0 } if (n == 500 || n == 2000) print }
     END { print best }' "$T/kde.xyz" > "$T/cells.txt"
[ "$(wc -l < "$T/cells.txt")" = 3 ] || fail "expected 3 test cells"
while read -r cx cy got; do
    awk -F, -v cx="$cx" -v cy="$cy" -v h="$bw" -v got="$got" '
        NR > 1 { d2 = ($1 - cx)^2 + ($2 - cy)^2
            if (d2 < h * h) s += 3 / (3.141592653589793 * h * h) * (1 - d2 / (h * h))^2 }
        END { want = s * 1e6; printf "kde_violence at (%.1f, %.1f): %s, brute force %.6g\n", cx, cy, got, want
              exit (want <= 0 || (got - want)^2 > (1e-6 * want)^2) }' "$T/vio.csv" || fail "density differs from brute force"
done < "$T/cells.txt"
ogr2ogr -f GPKG "$T/ref.gpkg" "$G" hotspots_violence -update -nln hot 2>/dev/null
ogr2ogr -f GPKG "$T/ref.gpkg" "$T/vio.csv" -update -nln vio -oo X_POSSIBLE_NAMES=X -oo Y_POSSIBLE_NAMES=Y -a_srs EPSG:27700
bad=$(ogrinfo -q "$T/ref.gpkg" -dialect SQLite -sql "SELECT count(*) AS n FROM hot h WHERE h.incidents <>
    (SELECT count(*) FROM vio v WHERE ST_Intersects(h.geom, v.geom))" | awk -F'= ' '/n \(Integer\)/ { print $2 }')
[ "$bad" = 0 ] || fail "$bad hotspots hold a different number of incidents than SpatiaLite finds"
nhot=$(sqlite3 "$G" "SELECT count(*) FROM hotspots_violence")
[ "$nhot" -gt 0 ] || fail "no violence hotspots"
sqlite3 "$G" "SELECT hotspot_id FROM hotspots_violence ORDER BY rank LIMIT 1" | grep -qx "VIO-01" || fail "ids"
echo "density: 3 cells equal the brute-force kernel sum; $nhot hotspots hold what SpatiaLite counts"

# The standalone step: hotspot kde on the police.uk files, violence in 2024,
# a fixed bandwidth and cell; the densest cell against the same brute force
# over every violence point of 2024 (hotspot kde knows no study area).
ogr2ogr -f CSV "$T/vio_all.csv" "$G" incidents -where "crime_group='violence' AND period='current'" \
    -lco GEOMETRY=AS_XY -select crime_group
"$BIN" kde --incidents "$D/policeuk" --groups violence --from 2024-01 --to 2024-12 \
    --bandwidth 800 --cell 200 -o "$T/vio.tif" >/dev/null 2>&1 || fail "hotspot kde failed"
gdal_translate -q -of XYZ "$T/vio.tif" "$T/vio.xyz"
read -r cx cy got < <(awk '$3 > m { m = $3; best = $0 } END { print best }' "$T/vio.xyz")
awk -F, -v cx="$cx" -v cy="$cy" -v h=800 -v got="$got" '
    NR > 1 { d2 = ($1 - cx)^2 + ($2 - cy)^2
        if (d2 < h * h) s += 3 / (3.141592653589793 * h * h) * (1 - d2 / (h * h))^2 }
    END { want = s * 1e6; printf "hotspot kde at (%.0f, %.0f): %s, brute force %.6g\n", cx, cy, got, want
          exit (want <= 0 || (got - want)^2 > (1e-6 * want)^2) }' "$T/vio_all.csv" || fail "hotspot kde differs"
gdalinfo "$T/vio.tif" | grep -q "Pixel Size = (200.000000000000000,-200" || fail "kde cell size"
# --compress deflate: a compressed file with the same values, cell for cell;
# the default is uncompressed, as QGIS writes
"$BIN" kde --incidents "$D/policeuk" --groups violence --from 2024-01 --to 2024-12 \
    --bandwidth 800 --cell 200 --compress deflate -o "$T/vio-deflate.tif" >/dev/null 2>&1 ||
    fail "hotspot kde --compress deflate failed"
gdalinfo "$T/vio.tif" | grep -q "COMPRESSION=" && fail "the default is compressed"
gdalinfo "$T/vio-deflate.tif" | grep -q "COMPRESSION=DEFLATE" || fail "--compress deflate is not DEFLATE"
gdal_translate -q -of XYZ "$T/vio-deflate.tif" "$T/vio-deflate.xyz"
cmp -s "$T/vio.xyz" "$T/vio-deflate.xyz" || fail "--compress deflate changed values"
"$BIN" kde --incidents "$D/policeuk" --bandwidth 800 --cell 200 -o "$T/all.gpkg" >/dev/null 2>&1 || fail "kde to gpkg"
gdalinfo "GPKG:$T/all.gpkg:kde" >/dev/null 2>&1 || fail "no kde raster in the GeoPackage"
# A GeoTIFF is written while its density is computed, each row of tiles as
# its rows are final; a GeoPackage raster is written afterwards from the
# whole grid.  On a grid of ten rows of tiles, both hold the same values.
"$BIN" kde --incidents "$D/policeuk" --bandwidth 800 --cell 50 -o "$T/s50.tif" >/dev/null 2>&1 || fail "kde 50 m to tif"
"$BIN" kde --incidents "$D/policeuk" --bandwidth 800 --cell 50 -o "$T/s50.gpkg" >/dev/null 2>&1 || fail "kde 50 m to gpkg"
rows=$(gdalinfo "$T/s50.tif" | sed -n 's/^Size is [0-9]*, \([0-9]*\)$/\1/p')
[ "${rows:-0}" -gt 2304 ] || fail "the 50 m grid has $rows rows, not more than 9 rows of 256-row tiles"
gdal_translate -q -of XYZ "$T/s50.tif" "$T/s50-tif.xyz"
gdal_translate -q -of XYZ "GPKG:$T/s50.gpkg:kde" "$T/s50-gpkg.xyz"
cmp -s "$T/s50-tif.xyz" "$T/s50-gpkg.xyz" || fail "the streamed GeoTIFF differs from the GeoPackage raster"
set +e; "$BIN" kde --incidents "$D/policeuk" -o "$T/x.txt" >/dev/null 2>&1; rc=$?; set -e
[ $rc = 2 ] || fail "kde to .txt: exit $rc"

# Same inputs, same bytes.  Same file name too: the QGIS project inside
# names its GeoPackage (README "Styles and the QGIS project").
mkdir "$T/again"
(cd "$T/again" && "$BIN" demo -o demo.gpkg >/dev/null 2>&1)
cmp -s "$G" "$T/again/demo.gpkg" || fail "two runs gave different files"
cmp -s "$T/demo.qgz" "$T/again/demo.qgz" || fail "two runs gave different .qgz"
echo "two runs: byte-identical"

# A failed run leaves the previous output intact and no temporary file.
cp "$G" "$T/before.gpkg"
if (cd "$T" && "$BIN" demo -o demo.gpkg --areas nonexistent.geojson >/dev/null 2>&1); then
    fail "run with missing areas succeeded"
fi
cmp -s "$G" "$T/before.gpkg" || fail "failed run changed the previous output"
[ -z "$(ls -A "$T" | grep '\.tmp-')" ] || fail "temporary file left behind"
# Output into a missing folder: exit 1, a message naming it.
set +e
"$BIN" demo -o "$T/no/such/dir/x.gpkg" >/dev/null 2>"$T/err.txt"; rc=$?
set -e
[ $rc = 1 ] || fail "missing output folder: exit $rc"
grep -q "no/such/dir" "$T/err.txt" || fail "message does not name the folder"
# A usage error exits 2.
set +e; "$BIN" run --bogus x >/dev/null 2>&1; rc=$?; set -e
[ $rc = 2 ] || fail "unknown flag: exit $rc"

# A geographic analysis CRS is refused (areas in km2 need metres).
set +e; "$BIN" demo --crs EPSG:4326 -o "$T/geo.gpkg" >/dev/null 2>"$T/err.txt"; rc=$?; set -e
[ $rc = 2 ] && grep -q "geographic" "$T/err.txt" || fail "geographic --crs: exit $rc"
[ ! -e "$T/geo.gpkg" ] || fail "geographic --crs wrote a file"

# Bad density options: exit 2 and a message naming the flag; nothing written.
while IFS='|' read -r flag value; do
    set +e; "$BIN" demo -o "$T/bad.gpkg" "$flag" "$value" >/dev/null 2>"$T/err.txt"; rc=$?; set -e
    [ $rc = 2 ] || fail "$flag $value: exit $rc"
    grep -q -- "$flag" "$T/err.txt" || fail "$flag $value: message does not name the flag: $(cat "$T/err.txt")"
    [ ! -e "$T/bad.gpkg" ] || fail "$flag $value wrote a file"
done <<'EOS'
--kernel|cosine
--bandwidth|-5
--bandwidth|knn:0
--cell|0
--kde-units|m2
--kde-mask|maybe
--hotspot-method|median
--hotspot-breaks|3,2,1
--hotspot-class|9
--tasking-share|1.5
--kde|perhaps
EOS
set +e; "$BIN" kde --incidents "$D/policeuk" --compress zip -o "$T/z.tif" >/dev/null 2>"$T/err.txt"; rc=$?; set -e
[ $rc = 2 ] && grep -q -- "--compress" "$T/err.txt" && [ ! -e "$T/z.tif" ] || fail "bad --compress: exit $rc"
set +e; "$BIN" kde --incidents "$D/policeuk" --extent 1,2,3 -o "$T/e.tif" >/dev/null 2>"$T/err.txt"; rc=$?; set -e
[ $rc = 2 ] && grep -q -- "--extent" "$T/err.txt" || fail "bad --extent: exit $rc"

# The force-extract profile runs and finds times of day.
(cd "$T" && "$BIN" run "$SRC/data/demo-local.ini" -o local.gpkg >/dev/null 2>&1) || fail "demo-local failed"
timed=$(sqlite3 "$T/local.gpkg" "SELECT count(*) FROM incidents WHERE time IS NOT NULL")
# Every incident's date and time in the layer are the extract's own
# (DD/MM/YYYY -> YYYY-MM-DD, HH:MM kept; 00:00 is a real time of day here),
# matched by source row: awk rewrites the dates and compares.
sqlite3 -separator , "$T/local.gpkg" \
    "SELECT source_row, date, time, month FROM incidents ORDER BY source_row" > "$T/got.csv"
awk -F, 'NR > 1 { split($4, d, "/"); printf "%d,%s-%s-%s,%s,%s-%s\n", NR, d[3], d[2], d[1], $5, d[3], d[2] }' \
    "$D/local/demoshire-extract-2023-2024.csv" | sort -t, -k1,1n > "$T/want.csv"
n_got=$(wc -l < "$T/got.csv")
n_same=$(awk -F, 'NR == FNR { w[$1] = $0; next } ($1 in w) && w[$1] == $0' "$T/want.csv" "$T/got.csv" | wc -l)
[ "$n_got" -gt 1000 ] && [ "$n_same" = "$n_got" ] ||
    fail "incident dates/times: $n_same of $n_got rows match the extract"
echo "incident dates and times: $n_same rows match the extract"
[ "$timed" -gt 0 ] || fail "no times in the local extract output"
# A group name from the user's mapping that would break naive SQL becomes
# table names (rates_..., hotspots_..., kde_...) and values without
# injecting anything: every table is there and holds what it should.
HG='x'"'"'";DROP/**/TABLE/**/areas;--'
awk -F, -v g="$HG" '$2 == "asb" { $2 = g } { print }' OFS=, "$SRC/data/categories.csv" > "$T/hostile.csv"
(cd "$T" && "$BIN" demo --categories hostile.csv --groups "$HG,sac" -o hostile.gpkg >/dev/null 2>&1) ||
    fail "run with a hostile group name failed"
hg=$(printf '%s' "$HG" | tr 'A-Z' 'a-z' | tr ' -' '__')   # as layer names make it
q=$(printf '%s' "$hg" | sed "s/'/''/g")                  # inside '...' in SQL
H="$T/hostile.gpkg"
[ "$(sqlite3 "$H" "SELECT count(*) FROM areas")" = 18 ] || fail "hostile name: areas lost"
for t in rates_ hotspots_ tasking_ kde_; do
    [ "$(sqlite3 "$H" "SELECT count(*) FROM gpkg_contents WHERE table_name = '$t$q'")" = 1 ] ||
        fail "hostile name: no table $t$hg"
done
[ "$(sqlite3 "$H" "SELECT count(*) FROM \"rates_$(printf '%s' "$hg" | sed 's/"/""/g')\"")" = 18 ] ||
    fail "hostile name: rates table incomplete"
hv=$(printf '%s' "$HG" | tr 'A-Z' 'a-z' | sed "s/'/''/g")  # the group as a value
n_hostile=$(sqlite3 "$H" "SELECT count(*) FROM incidents WHERE crime_group = '$hv'")
n_asb=$(sqlite3 "$G" "SELECT count(*) FROM incidents WHERE crime_group = 'asb'")
[ "$n_hostile" -gt 0 ] && [ "$n_hostile" = "$n_asb" ] ||
    fail "hostile name: $n_hostile incidents in the group, $n_asb asb in the demo"
[ "$(sqlite3 "$H" "SELECT count(*) FROM layer_styles WHERE f_table_name = 'rates_$q'")" -ge 1 ] ||
    fail "hostile name: no style for its rates layer"
echo "hostile group name: tables, rows and styles intact"
echo "PASS"
