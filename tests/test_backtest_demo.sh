#!/bin/bash
# The back-test on the demo county, against a brute force written here:
# violence, one window (train 2024-09 to 2024-11, test 2024-12), at 100 m
# (fewer cells with density than the budget: zero cells fill it) and at
# 1,200 m (more: the budget is the densest cells).
# The study-area mask is the run's own, as its kde_violence layer shows it
# (data or nodata), cut to the grid the run table names (the masks' rule is
# tested in test_areas.c; GDAL's gdal_rasterize differs on 0.02% of the
# cells, along the boards' shared edges); the density is the
# quartic sum at each cell centre within 100 m of a training incident
# (awk); the budget is the densest 3% of unmasked cells, ties and zeros by
# row-major index (sort); hits, PAI and PEI are counted from the test
# month's incidents.  All incidents come from the run's incidents layer,
# those in the study area (area_id set).
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data/demo
for tool in gdal_translate ogr2ogr sort; do
    command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
(cd "$T" && "$BIN" demo --groups violence --backtest-bandwidths 100,1200 \
    --backtest-windows 1 -o bt.gpkg >/dev/null 2>err.txt) || fail "run: $(cat "$T/err.txt")"
G=$T/bt.gpkg
read -r cols rows cell x0 y0 < <(sqlite3 "$G" "SELECT value FROM run WHERE key = 'backtest_grid'" |
    sed -E 's/^([0-9]+) x ([0-9]+) cells of ([0-9.]+) m from \(([-0-9.]+), ([-0-9.]+)\)$/\1 \2 \3 \4 \5/')
[ -n "${y0:-}" ] || fail "no backtest_grid in the run table"
gdal_translate -q -of XYZ -projwin "$x0" $((y0 + rows * cell)) $((x0 + cols * cell)) "$y0" \
    "GPKG:$G:kde_violence" "$T/kde.xyz"
awk '{ print $1, $2, ($3 == -9999 ? 0 : 1) }' "$T/kde.xyz" > "$T/mask.xyz"
[ "$(wc -l < "$T/mask.xyz")" = $((cols * rows)) ] || fail "the kde layer does not cover the back-test grid"
for part in train test; do
    w="month IN ('2024-09', '2024-10', '2024-11')"
    [ $part = test ] && w="month = '2024-12'"
    ogr2ogr -f CSV "$T/$part.csv" "$G" incidents -where "crime_group = 'violence' AND area_id IS NOT NULL AND $w" \
        -lco GEOMETRY=AS_XY -select crime_group
done
for h in 100 1200; do
    # densities of the cells a training incident reaches: "index density"
    awk -F, -v x0="$x0" -v y0="$y0" -v s="$cell" -v cols="$cols" -v rows="$rows" -v h="$h" '
        NR > 1 { px = $1; py = $2
            for (c = int((px - h - x0) / s) - 1; c <= int((px + h - x0) / s) + 1; c++)
                for (r = rows - int((py + h - y0) / s) - 2; r <= rows - int((py - h - y0) / s) + 1; r++) {
                    if (c < 0 || c >= cols || r < 0 || r >= rows) continue
                    dx = x0 + (c + 0.5) * s - px; dy = y0 + (rows - r - 0.5) * s - py; d2 = dx * dx + dy * dy
                    if (d2 < h * h) dens[r * cols + c] += 3 / (3.141592653589793 * h * h) * (1 - d2 / (h * h))^2
                } }
        END { for (i in dens) printf "%d %.17g\n", i, dens[i] }' "$T/train.csv" > "$T/dens.txt"
    # the budget: unmasked cells by density (then index), zero cells after
    awk 'FNR == NR { d[$1] = $2; next } $3 == 1 { printf "%d %.17g\n", FNR - 1, ((FNR - 1) in d) ? d[FNR - 1] : 0 }' \
        "$T/dens.txt" "$T/mask.xyz" | sort -k2,2gr -k1,1n > "$T/ranked.txt"
    U=$(wc -l < "$T/ranked.txt")
    B=$(awk -v u="$U" 'BEGIN { printf "%d", 0.03 * u }')
    head -n "$B" "$T/ranked.txt" | awk '{ print $1 }' > "$T/budget.txt"
    # the test month: each incident's cell (edges belong east / north)
    read -r N hits best < <(awk -F, -v x0="$x0" -v y0="$y0" -v s="$cell" -v cols="$cols" -v rows="$rows" -v B="$B" '
        FILENAME ~ /budget/ { inb[$1] = 1; next }
        FILENAME ~ /mask/ { split($0, m, " "); if (m[3] == 1) un[FNR - 1] = 1; next }
        FNR > 1 { N++; c = int((($1 - x0) / s) - (($1 - x0) / s < 0)); fr = ($2 - y0) / s; r = rows - 1 - int(fr)
            if (c < 0 || c >= cols || r < 0 || r >= rows) next
            i = r * cols + c; if (!(i in un)) next
            cnt[i]++; if (i in inb) hits++ }
        END { n = 0; for (i in cnt) v[++n] = cnt[i]
              for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++) if (v[b] > v[a]) { t = v[a]; v[a] = v[b]; v[b] = t }
              for (a = 1; a <= n && a <= B; a++) best += v[a]
              print N, hits + 0, best }' "$T/budget.txt" "$T/mask.xyz" "$T/test.csv")
    IFS='|' read -r gb gn gh gpai gpei < <(sqlite3 "$G" "SELECT budget_cells, test_incidents, hits, pai, pei FROM backtest_violence WHERE bandwidth = $h")
    [ "$gb" = "$B" ] || fail "$h m: budget_cells $gb, brute force $B (of $U unmasked cells)"
    [ "$gn" = "$N" ] || fail "$h m: test_incidents $gn, brute force $N"
    [ "$gh" = "$hits" ] || fail "$h m: hits $gh, brute force $hits"
    awk -v p="$gpai" -v e="$gpei" -v n="$N" -v h="$hits" -v b="$B" -v u="$U" -v best="$best" 'BEGIN {
        wp = (h / n) / (b / u); we = h / best
        exit ((p - wp)^2 > (1e-9 * wp)^2 || (e - we)^2 > (1e-9 * we)^2) }' ||
        fail "$h m: pai $gpai, pei $gpei; brute force $(awk -v n="$N" -v h="$hits" -v b="$B" -v u="$U" -v best="$best" 'BEGIN { print (h / n) / (b / u), h / best }')"
    echo "back-test 2024-12, $h m: budget $B of $U cells, $hits of $N test incidents hit, PAI $gpai, PEI $gpei: as the brute force gives"
done
