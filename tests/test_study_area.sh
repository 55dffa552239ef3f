#!/bin/bash
# The study area decides (issue 12): half the demo county's boards (AB01 to
# AB09) as the study area, the incidents of the whole county, at a tasking
# scale (250 m bandwidth, 100 m cells).
#  - --hotspot-min-incidents: the default run's hotspots are exactly the
#    hotspots of a run without the minimum that hold 5 incidents or more,
#    and the run table counts the others;
#  - --kde-edge buffer: at the cell where it changes the surface most, the
#    density is the brute-force quartic sum (awk) over every violence point
#    of the period, and with clip over those in the study area only; in
#    both, each hotspot holds the study area's incidents in its cells
#    (SpatiaLite), never those outside.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data/demo
command -v ogr2ogr >/dev/null || { echo "SKIP: ogr2ogr not installed"; exit 77; }
ogr2ogr -f GeoJSON "$T/half.geojson" "$D/boards.geojson" -where "board_id <= 'AB09'"
A=(--incidents "$D/policeuk" --areas "$T/half.geojson" --area-id board_id
   --bandwidth 250 --cell 100 --groups violence --compare none)
run() { "$BIN" run "${A[@]}" "$@" >/dev/null 2>"$T/err.txt" || fail "run $*: $(cat "$T/err.txt")"; }
run --hotspot-min-incidents 0 -o "$T/all.gpkg"
run -o "$T/min.gpkg"
run --kde-edge buffer -o "$T/buf.gpkg"
q() { sqlite3 "$1" "$2"; }

# 1. the minimum
n_small=$(q "$T/all.gpkg" "SELECT count(*) FROM hotspots_violence WHERE incidents < 5")
[ "$n_small" -gt 0 ] || fail "no small hotspots at 250 m: the case tests nothing"
[ "$(q "$T/min.gpkg" "SELECT value FROM run WHERE key = 'hotspots_under_min_violence'")" = "$n_small" ] ||
    fail "hotspots_under_min_violence is not $n_small"
cols="hotspot_id, rank, class, incidents, area_km2, share_pct, pai, area_id, label, hex(geom)"
a=$(q "$T/all.gpkg" "SELECT $cols FROM hotspots_violence WHERE incidents >= 5 ORDER BY rank" | md5sum)
b=$(q "$T/min.gpkg" "SELECT $cols FROM hotspots_violence ORDER BY rank" | md5sum)
[ "$a" = "$b" ] || fail "the default run's hotspots are not those of 5 incidents or more"
echo "minimum: $n_small hotspots under 5 incidents dropped, the other $(q "$T/min.gpkg" "SELECT count(*) FROM hotspots_violence") unchanged"

# 2. the edge: points of the period, in the study area and all
for which in in all; do
    where="crime_group='violence' AND period='current'"
    [ $which = in ] && where="$where AND area_id IS NOT NULL"
    ogr2ogr -f CSV "$T/vio_$which.csv" "$T/all.gpkg" incidents -where "$where" \
        -lco GEOMETRY=AS_XY -select crime_group
done
nin=$(($(wc -l < "$T/vio_in.csv") - 1)) nall=$(($(wc -l < "$T/vio_all.csv") - 1))
[ "$nall" -gt "$nin" ] || fail "no violence outside the study area: the case tests nothing"
gdal_translate -q -of XYZ "GPKG:$T/min.gpkg:kde_violence" "$T/clip.xyz"
gdal_translate -q -of XYZ "GPKG:$T/buf.gpkg:kde_violence" "$T/buf.xyz"
read -r cx cy vclip vbuf < <(paste -d' ' "$T/clip.xyz" "$T/buf.xyz" |
    awk '$3 != -9999 { d = $6 - $3; if (d > m) { m = d; best = $1 " " $2 " " $3 " " $6 } } END { print best }')
[ -n "${vbuf:-}" ] || fail "buffer changes no cell"
brute() { # points.csv: the quartic sum at (cx, cy) with h = 250, per km²
    awk -F, -v cx="$cx" -v cy="$cy" -v h=250 'NR > 1 { d2 = ($1 - cx)^2 + ($2 - cy)^2
        if (d2 < h * h) s += 3 / (3.141592653589793 * h * h) * (1 - d2 / (h * h))^2 }
        END { printf "%.9g", s * 1e6 }' "$1"; }
want_clip=$(brute "$T/vio_in.csv") want_buf=$(brute "$T/vio_all.csv")
awk -v a="$vclip" -v b="$want_clip" -v c="$vbuf" -v d="$want_buf" 'BEGIN {
    exit ((a - b)^2 > (1e-6 * b)^2 + 1e-18 || (c - d)^2 > (1e-6 * d)^2 || d <= b) }' ||
    fail "at ($cx, $cy): clip $vclip (brute force $want_clip), buffer $vbuf (brute force $want_buf)"
echo "edge cell ($cx, $cy): clip $vclip = sum over $nin points inside; buffer $vbuf = sum over all $nall"
[ "$(q "$T/buf.gpkg" "SELECT value FROM run WHERE section = 'parameter' AND key = 'kde_edge'")" = buffer ] ||
    fail "the run table does not say buffer"
ogr2ogr -f GPKG "$T/ref.gpkg" "$T/vio_in.csv" -nln vio -oo X_POSSIBLE_NAMES=X \
    -oo Y_POSSIBLE_NAMES=Y -a_srs EPSG:27700
for f in min buf; do
    ogr2ogr -f GPKG "$T/ref.gpkg" "$T/$f.gpkg" hotspots_violence -update -nln "hot_$f" 2>/dev/null
    bad=$(ogrinfo -q "$T/ref.gpkg" -dialect SQLite -sql "SELECT count(*) AS n FROM hot_$f h WHERE h.incidents <>
        (SELECT count(*) FROM vio v WHERE ST_Intersects(h.geom, v.geom))" | awk -F'= ' '/n \(Integer\)/ { print $2 }')
    [ "$bad" = 0 ] || fail "$f: $bad hotspots hold other than the study area's incidents in their cells"
done
echo "hotspots hold only the study area's incidents, with clip and with buffer"
echo PASS
