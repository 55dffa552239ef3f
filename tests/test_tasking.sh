#!/bin/bash
# Places for tasking (hotspots.h) on the demo county, against a brute force
# written here: ASB at 400 m on 100 m cells, every place kept
# (--hotspot-min-incidents 0), so each board's places are exactly its
# budget.
#  - Cells: the boards burned with gdal_rasterize (cell centres) must mask
#    the same cells as the density surface; per board, U cells and the
#    budget B = floor(0.03 U).  The density surface is Float32, so the
#    brute force ranks the board's positive cells by that: every cell above
#    the B-th largest value is in a place, every cell below is not, and the
#    cells equal to it fill what is left (rounding to Float32 keeps order).
#  - The places, burned with gdal_rasterize, cover exactly those cells.
#  - Each place's incidents are the ASB incidents of the period inside it
#    (SpatiaLite); priorities follow incidents; the cumulative shares add
#    up to the budget over U cells and to the incidents over the board's;
#    pai is the place's share of the board's incidents over its share of
#    the board's cells.
#  - The default run (minimum 5 incidents) keeps exactly the places with 5
#    or more, and every board with such a place has a row.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data/demo
for t in ogr2ogr gdal_rasterize gdal_translate ogrinfo; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
# The boards moved by a fraction of a metre: their vertices are on a 100 m
# lattice, so 45-degree edges would pass through cell centres, where
# gdal_rasterize and Hotspot may break the tie differently.
ogr2ogr -f GPKG "$T/b.gpkg" "$D/boards.geojson" -nln boards -dialect SQLite \
    -sql "SELECT ST_Translate(geometry, 0.37, 0.61, 0) AS geom, board_id,
          CAST(substr(board_id, 3) AS integer) AS bi FROM boards"
A=(--incidents "$D/policeuk" --areas "$T/b.gpkg" --area-id board_id
   --bandwidth 400 --cell 100 --groups asb --compare none)
"$BIN" run "${A[@]}" --hotspot-min-incidents 0 -o "$T/all.gpkg" >/dev/null 2>"$T/err.txt" ||
    fail "run: $(cat "$T/err.txt")"
"$BIN" run "${A[@]}" -o "$T/min.gpkg" >/dev/null 2>"$T/err.txt" ||
    fail "run: $(cat "$T/err.txt")"
q() { sqlite3 "$1" "$2"; }

# The grid of the surface, and the boards and places burned onto it.
read -r x0 y1 res x1 y0 < <(gdalinfo "GPKG:$T/all.gpkg:kde_asb" | awk '
    /^Upper Left/ { gsub(/[(),]/, " "); ulx = $3; uly = $4 }
    /^Lower Right/ { gsub(/[(),]/, " "); lrx = $3; lry = $4 }
    /^Pixel Size/ { gsub(/[(),=]/, " "); r = $3 }
    END { print ulx, uly, r, lrx, lry }')
[ "${res%%.*}" = 100 ] || fail "cell $res, not 100 m"
burn() { gdal_rasterize -q -a "$2" -ot Int32 -init 0 -te "$x0" "$y0" "$x1" "$y1" \
    -tr 100 100 -l "$3" "$1" "$T/$4.tif"; gdal_translate -q -of XYZ "$T/$4.tif" "$T/$4.xyz"; }
burn "$T/b.gpkg" bi boards lab
ogr2ogr -f GPKG "$T/p.gpkg" "$T/all.gpkg" tasking_asb -nln places \
    -dialect SQLite -sql "SELECT geom, 1 AS one FROM tasking_asb"
burn "$T/p.gpkg" one places placed
gdal_translate -q -of XYZ "GPKG:$T/all.gpkg:kde_asb" "$T/dens.xyz"
[ "$(wc -l < "$T/dens.xyz")" = "$(wc -l < "$T/lab.xyz")" ] || fail "grids differ in size"

# Brute force: per board, U, B, the B-th largest density, and each cell's
# verdict (in / out / tie); then compare with the burned places.
paste -d' ' "$T/lab.xyz" "$T/dens.xyz" "$T/placed.xyz" |
    awk '{ print NR - 1, $3, $6, $9 }' > "$T/cells.txt" # index label density placed
awk '$3 != -9999 && $2 == 0 { bad++ } $3 == -9999 && $2 != 0 { bad++ }
     END { exit bad > 0 }' "$T/cells.txt" ||
    fail "gdal_rasterize's boards and the surface's mask differ"
awk '$2 > 0 { u[$2]++ } $2 > 0 && $3 > 0 { print $2, $3 }
     END { for (b in u) print b, "U", u[b] > "/dev/stderr" }' "$T/cells.txt" 2>"$T/u.txt" |
    sort -k1,1n -k2,2gr > "$T/pos.txt"
awk 'FNR == NR { U[$1] = $3; B[$1] = int(0.03 * $3); next }
     { k[$1]++; if (k[$1] == B[$1]) T[$1] = $2 }
     END { for (b in U) print b, U[b], B[b], B[b] == 0 ? 1e300 : (b in T) ? T[b] : 0 }' "$T/u.txt" "$T/pos.txt" |
    sort -n > "$T/budget.txt"
awk 'FNR == NR { B[$1] = $3; T[$1] = $4; next }
     $2 > 0 && $3 > 0 {
        b = $2
        if ($3 > T[b]) { if (!$4) miss++; above[b]++ }
        else if ($3 < T[b]) { if ($4) extra++ }
        else { tie[b]++; tied_in[b] += $4 }
     }
     $4 && !($2 > 0 && $3 > 0) { extra++ }
     END {
        for (b in B) {
            want = B[b] - above[b]
            if (tie[b] + 0 > 0 && tied_in[b] != (want < tie[b] ? want : tie[b])) ties++
        }
        printf "%d %d %d\n", miss, extra, ties
     }' "$T/budget.txt" "$T/cells.txt" > "$T/verdict.txt"
read -r miss extra ties < "$T/verdict.txt"
[ "$miss$extra$ties" = 000 ] ||
    fail "places differ from the brute-force budgets: $miss cells missing, $extra extra, $ties boards with ties filled wrongly"
nplaced=$(awk '$4 { n++ } END { print n + 0 }' "$T/cells.txt")
want_cells=$(awk 'FNR == NR { P[$1]++; next } { s += ($3 < P[$1] ? $3 : P[$1]) } END { print s }' "$T/pos.txt" "$T/budget.txt")
[ "$nplaced" = "$want_cells" ] || fail "$nplaced cells in places, the budgets hold $want_cells"
[ "$nplaced" -gt 0 ] || fail "no places: the case tests nothing"

# Incidents inside each place (SpatiaLite), priorities and shares.
ogr2ogr -f GPKG "$T/ref.gpkg" "$T/all.gpkg" incidents -nln inc \
    -where "crime_group = 'asb' AND period = 'current' AND area_id IS NOT NULL"
ogr2ogr -f GPKG "$T/ref.gpkg" "$T/all.gpkg" tasking_asb -update -nln places
bad=$(ogrinfo -q "$T/ref.gpkg" -dialect SQLite -sql "SELECT count(*) AS n FROM places p
    WHERE p.incidents <> (SELECT count(*) FROM inc i WHERE ST_Intersects(p.geom, i.geom))" |
    awk -F'= ' '/n \(Integer\)/ { print $2 }')
[ "$bad" = 0 ] || fail "$bad places hold other than their incidents"
# priorities 1..n by incidents, descending
bad=$(q "$T/all.gpkg" "SELECT count(*) FROM tasking_asb a JOIN tasking_asb b
    ON a.area_id = b.area_id AND b.priority = a.priority + 1 WHERE b.incidents > a.incidents")
[ "$bad" = 0 ] || fail "$bad priorities out of incident order"
q "$T/all.gpkg" "SELECT area_id, max(priority), count(*), sum(area_km2), max(cum_area_pct),
    sum(incidents), max(cum_incidents_pct) FROM tasking_asb GROUP BY area_id" |
    tr '|' ' ' > "$T/sums.txt"
q "$T/all.gpkg" "SELECT area_id, count FROM rates_asb" | tr '|' ' ' > "$T/counts.txt"
awk 'FNR == NR { U[sprintf("AB%02d", $1)] = $2; next }
     FILENAME ~ /counts/ { N[$1] = $2; next }
     { if ($2 != $3) bad++
       if ((100 * $4 / (U[$1] * 0.01) - $5)^2 > 1e-12) bad++
       if (N[$1] > 0 && (100 * $6 / N[$1] - $7)^2 > 1e-12) bad++ }
     END { exit bad > 0 }' "$T/budget.txt" "$T/counts.txt" "$T/sums.txt" ||
    fail "priorities or cumulative shares do not add up"
# each place's pai: (incidents / the board's) / (cells / the board's cells)
q "$T/all.gpkg" "SELECT area_id, incidents, area_km2, pai FROM tasking_asb" | tr '|' ' ' > "$T/pai.txt"
awk 'FNR == NR { U[sprintf("AB%02d", $1)] = $2; next }
     FILENAME ~ /counts/ { N[$1] = $2; next }
     { want = ($2 / N[$1]) / (($3 / 0.01) / U[$1]); if ((want - $4)^2 > 1e-18 * want^2) bad++ }
     END { exit bad > 0 }' "$T/budget.txt" "$T/counts.txt" "$T/pai.txt" ||
    fail "a place's pai is not (incidents / the board's) / (cells / the board's cells)"
echo "places: $nplaced cells in $(q "$T/all.gpkg" "SELECT count(*) FROM tasking_asb") places over $(wc -l < "$T/sums.txt") boards, exactly the brute-force budgets; incidents as SpatiaLite counts"

# The minimum: the places with 5 or more, and no others.
a=$(q "$T/all.gpkg" "SELECT area_id, hex(geom), incidents FROM tasking_asb WHERE incidents >= 5 ORDER BY 1, 2" | md5sum)
b=$(q "$T/min.gpkg" "SELECT area_id, hex(geom), incidents FROM tasking_asb ORDER BY 1, 2" | md5sum)
[ "$a" = "$b" ] || fail "the default run's places are not those holding 5 or more"
nb=$(q "$T/min.gpkg" "SELECT count(DISTINCT area_id) FROM tasking_asb")
echo "minimum 5: $(q "$T/min.gpkg" "SELECT count(*) FROM tasking_asb") places in $nb of 18 boards"
echo PASS
