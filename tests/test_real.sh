#!/bin/bash
# Real police.uk data (Wiltshire Police, Oct 2018 - Feb 2019) against ONS
# LSOA boundaries and mid-2019 LSOA populations, from ../shared/data/real.
# Every expected value is computed here by other tools: awk from the raw
# CSVs (counts, rates, Byar intervals) and SpatiaLite through GDAL
# (point-in-polygon counts).  Skips (77) when the data folder is absent.
set -euo pipefail
SRC=${HOTSPOT_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HOTSPOT_BIN:-$SRC/build/hotspot}
R=${HOTSPOT_REAL_DATA:-$SRC/../shared/data/real}
if [ ! -d "$R/policeuk-street-2018-10_2019-02" ]; then
    echo "SKIP: real data folder $R is absent"
    exit 77
fi
for tool in ogr2ogr ogrinfo sqlite3 awk; do
    command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CSVS=("$R"/policeuk-street-2018-10_2019-02/*/*-wiltshire-street.csv)
LSOA=$R/ons-boundaries-2011-martinjc/lsoa2011_by_lad/E06000054.json
POP=$R/ons-lsoa2011-population-mid2019/lsoa_population.csv

# The reference: which LSOAs, their populations, and the group of each type.
ogr2ogr -f CSV "$T/lsoas.csv" "$LSOA" -select LSOA11CD
group_awk='function grp(t) {
    if (t == "Anti-social behaviour") return "asb";
    if (t == "Burglary" || t == "Robbery" || t == "Vehicle crime") return "sac";
    if (t == "Violence and sexual offences") return "violence";
    return "" }'

# Compares hotspot's rates_<group> layers with a reference "group,area,count"
# file; with population, also the rate and (counts >= 10) Byar's limits.
compare() { # output.gpkg reference.csv label
    sqlite3 -separator , "$1" "SELECT 'asb', area_id, count, rate, rate_low, rate_high FROM rates_asb
        UNION ALL SELECT 'sac', area_id, count, rate, rate_low, rate_high FROM rates_sac
        UNION ALL SELECT 'violence', area_id, count, rate, rate_low, rate_high FROM rates_violence" \
        > "$T/got.csv"
    awk -F, -v label="$3" '
    FNR == 1 { file++ }
    file == 1 { sub(/^\xef\xbb\xbf/, ""); pop[$1] = $2; next }
    file == 2 { want[$1 "," $2] = $3; next }
    {
        key = $1 "," $2; n++
        w = (key in want) ? want[key] : 0
        if ($3 != w) { bad++; if (bad < 5) print label ": " key " count " $3 " want " w }
        p = pop[$2]; rate = w / p * 1000
        if (($4 - rate)^2 > (1e-9 * rate)^2) { bad++; if (bad < 5) print label ": " key " rate " $4 " want " rate }
        if (w >= 10) {
            z = 1.959963984540054
            lo = w * (1 - 1/(9*w) - z/(3*sqrt(w)))^3 / p * 1000
            hi = (w+1) * (1 - 1/(9*(w+1)) + z/(3*sqrt(w+1)))^3 / p * 1000
            if (($5 - lo)^2 > (1e-9 * lo)^2 || ($6 - hi)^2 > (1e-9 * hi)^2) {
                bad++; if (bad < 5) print label ": " key " interval " $5 "-" $6 " want " lo "-" hi }
            checked++
        }
    }
    END {
        printf "%s: %d area-group rows compared, %d intervals checked, %d mismatches\n", label, n, checked, bad
        exit (bad > 0 || n == 0)
    }' "$POP" "$2" "$T/got.csv"
}

# 1. Assignment by the CSV's LSOA code: counts per LSOA and group from awk.
"$BIN" run --incidents "${CSVS[@]}" --areas "$LSOA" --area-id LSOA11CD \
    --area-name LSOA11NM --population "$POP" --assign lsoa-code \
    --compare none -o "$T/code.gpkg" 2>"$T/code.log" >/dev/null
awk -F, "$group_awk"'
    FNR == 1 { file++; next }
    file == 1 { ok[$1] = 1; next }
    { g = grp($10); if (g != "" && ($8 in ok)) n[g "," $8]++ }
    END { for (k in n) print k "," n[k] }' "$T/lsoas.csv" "${CSVS[@]}" > "$T/want_code.csv"
compare "$T/code.gpkg" "$T/want_code.csv" "by LSOA code"

# Study rate: all counts over all population (awk again).
got=$(sqlite3 "$T/code.gpkg" "SELECT DISTINCT study_rate FROM rates_asb")
awk -F, -v got="$got" 'FNR == 1 { file++ }
    file == 1 { sub(/^\xef\xbb\xbf/, ""); pop[$1] = $2; next }
    file == 2 { if (FNR > 1) { inl[$1] = 1; P += pop[$1] }; next }
    { if ($1 == "asb") N += $3 }
    END { want = N / P * 1000; printf "study rate asb %.6f (want %.6f)\n", got, want
          exit ((got - want)^2 > (1e-9 * want)^2) }' "$POP" "$T/lsoas.csv" "$T/want_code.csv"

# 2. Point in polygon, one month: SpatiaLite (through GDAL) counts points
#    whose transformed location intersects each LSOA.
M=2018-10
"$BIN" run --incidents "$R/policeuk-street-2018-10_2019-02/$M/$M-wiltshire-street.csv" \
    --areas "$LSOA" --area-id LSOA11CD --population "$POP" --from $M --to $M \
    --compare none -o "$T/pip.gpkg" 2>"$T/pip.log" >/dev/null
ogr2ogr -f GPKG "$T/ref.gpkg" "$R/policeuk-street-2018-10_2019-02/$M/$M-wiltshire-street.csv" \
    -oo X_POSSIBLE_NAMES=Longitude -oo Y_POSSIBLE_NAMES=Latitude -s_srs EPSG:4326 \
    -t_srs EPSG:27700 -nln pts
ogr2ogr -f GPKG "$T/ref.gpkg" "$LSOA" -t_srs EPSG:27700 -nln lsoa -update -makevalid
ogrinfo -q "$T/ref.gpkg" -sql "CREATE TABLE hits AS SELECT l.LSOA11CD AS code,
    p.\"Crime type\" AS type, p.fid AS pid FROM pts p JOIN rtree_lsoa_geom r
    ON r.minx <= ST_MinX(p.geom) AND r.maxx >= ST_MinX(p.geom)
    AND r.miny <= ST_MinY(p.geom) AND r.maxy >= ST_MinY(p.geom)
    JOIN lsoa l ON l.fid = r.id WHERE ST_Intersects(l.geom, p.geom)" >/dev/null
multi=$(sqlite3 "$T/ref.gpkg" "SELECT count(*) FROM (SELECT pid FROM hits GROUP BY pid HAVING count(*) > 1)")
echo "points on a shared boundary (SpatiaLite counts them twice): $multi"
sqlite3 -separator , "$T/ref.gpkg" "SELECT code, type, count(*) FROM hits GROUP BY code, type" |
    awk -F, "$group_awk"'{ g = grp($2); if (g != "") n[g "," $1] += $3 }
        END { for (k in n) print k "," n[k] }' > "$T/want_pip.csv"
if [ "$multi" -eq 0 ]; then
    compare "$T/pip.gpkg" "$T/want_pip.csv" "point in polygon"
else
    echo "FAIL: boundary points present; the comparison needs the tie rule"; exit 1
fi
echo "PASS"
