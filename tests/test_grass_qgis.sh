#!/bin/bash
# Agreement with the tools analysts use, on real police.uk data (Wiltshire,
# October 2018, points inside the county), where they are installed:
#  - GRASS v.kernel (quartic) on the same grid: the exact kernel sum, so it
#    must equal hotspot kde cell for cell (both stored as Float32);
#  - QGIS's Heatmap (Raw): its own grid and its y-mirrored kernel blocks
#    (see README) make single cells differ, but the mass must agree:
#    sum(Raw) x 3/(pi r^2) x cell^2 = sum(ours) x cell^2 = number of points.
# Skips (77) when neither tool nor the data is there.
set -euo pipefail
SRC=${HOTSPOT_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HOTSPOT_BIN:-$SRC/build/hotspot}
R=${HOTSPOT_REAL_DATA:-$SRC/../shared/data/real}
CSV=$R/policeuk-street-2018-10_2019-02/2018-10/2018-10-wiltshire-street.csv
[ -f "$CSV" ] || { echo "SKIP: $CSV is absent"; exit 77; }
have_grass=0 have_qgis=0
command -v grass >/dev/null && have_grass=1
command -v qgis_process.bin >/dev/null && have_qgis=1
[ $have_grass = 1 ] || [ $have_qgis = 1 ] || { echo "SKIP: neither GRASS nor QGIS installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The points in BNG, inside the county's box (police.uk also lists a force's
# crimes recorded far away).
ogr2ogr -f CSV "$T/pts.csv" "$CSV" -oo X_POSSIBLE_NAMES=Longitude -oo Y_POSSIBLE_NAMES=Latitude -oo KEEP_GEOM_COLUMNS=NO \
    -s_srs EPSG:4326 -t_srs EPSG:27700 -spat -2.4 50.9 -1.45 51.75 -lco GEOMETRY=AS_XY \
    -select Month 2>/dev/null
# GDAL 3.6's CSV writer ends that header with a stray comma: keep x, y only
awk -F, 'NR == 1 { print "X,Y"; next } { print $1 "," $2 }' "$T/pts.csv" > "$T/xy.csv"
mv "$T/xy.csv" "$T/pts.csv"
n=$(($(wc -l < "$T/pts.csv") - 1))
[ "$n" -gt 4000 ] || fail "only $n points"
"$BIN" kde --incidents "$T/pts.csv" --x X --y Y --bandwidth 500 --cell 50 -o "$T/ours.tif" >/dev/null
gdal_translate -q -of XYZ "$T/ours.tif" "$T/ours.xyz"
read -r W N < <(gdalinfo "$T/ours.tif" | awk -F'[(,)]' '/^Upper Left/ { print $2 + 0, $3 + 0 }')
read -r E S < <(gdalinfo "$T/ours.tif" | awk -F'[(,)]' '/^Lower Right/ { print $2 + 0, $3 + 0 }')
echo "grid: W $W S $S E $E N $N, $n points"

if [ $have_grass = 1 ]; then
    awk -F, 'NR > 1 { print $1 "|" $2 }' "$T/pts.csv" > "$T/pts.txt"
    cat > "$T/job.sh" <<EOS
set -e
v.in.ascii --quiet input="$T/pts.txt" output=pts separator=pipe x=1 y=2
g.region n=$N s=$S w=$W e=$E res=50
v.kernel --quiet input=pts output=kde radius=500 kernel=quartic
r.out.gdal --quiet -c -f input=kde output="$T/grass.tif" format=GTiff type=Float32
EOS
    grass --tmp-location EPSG:27700 --exec bash "$T/job.sh" >/dev/null 2>&1 || fail "GRASS failed"
    gdal_translate -q -of XYZ "$T/grass.tif" "$T/grass.xyz"
    # GRASS gives incidents per m2; ours per km2
    paste -d' ' "$T/ours.xyz" "$T/grass.xyz" | awk '
        { if ($1 != $4 || $2 != $5) { bad = "cell centres differ: " $0; exit 1 }
          g = $6 * 1e6; d = $3 - g; if (d < 0) d = -d; if (d > md) md = d; if (g > mx) mx = g; n++ }
        END { if (bad) { print bad; exit 1 }
              printf "GRASS v.kernel: %d cells, max difference %.3g of max %.6g (%.2g relative)\n", n, md, mx, md / mx
              exit (n == 0 || md > 1e-6 * mx) }' || fail "GRASS v.kernel disagrees"
fi

if [ $have_qgis = 1 ]; then
    ogr2ogr -f GPKG "$T/pts.gpkg" "$T/pts.csv" -nln points -a_srs EPSG:27700 \
        -oo X_POSSIBLE_NAMES=X -oo Y_POSSIBLE_NAMES=Y
    export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$T/xdg
    mkdir -p "$XDG_RUNTIME_DIR"
    # Debian's qgis_process wrapper adds a flag QGIS 3.22 rejects: call the binary
    qgis_process.bin run qgis:heatmapkerneldensityestimation --INPUT="$T/pts.gpkg|layername=points" \
        --RADIUS=500 --PIXEL_SIZE=50 --KERNEL=0 --OUTPUT_VALUE=0 --OUTPUT="$T/qgis.tif" >/dev/null 2>&1 ||
        fail "QGIS heatmap failed"
    gdal_translate -q -of XYZ "$T/qgis.tif" "$T/qgis.xyz"
    awk -v n="$n" 'FNR == 1 { f++ }
        f == 1 { ours += $3 * 2500 / 1e6; next }
        $3 > 0 { q += $3 * 3 / (3.141592653589793 * 500 * 500) * 2500 }
        END { printf "mass: ours %.2f, QGIS Raw x 3/(pi r^2) %.2f, points %d\n", ours, q, n
              exit ((ours - n)^2 > (0.002 * n)^2 || (q - n)^2 > (0.002 * n)^2) }' \
        "$T/ours.xyz" "$T/qgis.xyz" || fail "masses disagree"
fi
echo PASS
