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

# 1b. A download folder holding a month twice (a copy "(1)" left beside it):
#     the counts are still awk's over the clean files, not doubled.
mkdir "$T/dl"
cp "${CSVS[@]}" "$T/dl/"
cp "$T/dl/2019-01-wiltshire-street.csv" "$T/dl/2019-01-wiltshire-street (1).csv"
"$BIN" run --incidents "$T/dl" --areas "$LSOA" --area-id LSOA11CD \
    --area-name LSOA11NM --population "$POP" --assign lsoa-code \
    --compare none --kde no -o "$T/dl.gpkg" 2>"$T/dl.log" >/dev/null
grep -q "the same bytes as" "$T/dl.log" || { echo "FAIL: no warning about the copy"; exit 1; }
compare "$T/dl.gpkg" "$T/want_code.csv" "a month given twice"

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
# 3. Avon and Somerset, five months: one Crime ID may be on several rows
#    (the same crime at several locations or with several outcomes), and
#    ASB rows have none.  No row is dropped as a duplicate: every row read is
#    kept or skipped for a reason of its own, and the rows kept are awk's.
AS=("$R"/policeuk-street-2018-10_2019-02/*/*-avon-and-somerset-street.csv)
"$BIN" run --incidents "${AS[@]}" --areas "$LSOA" --area-id LSOA11CD \
    --compare none --kde no --incidents-layer no -o "$T/as.gpkg" 2>"$T/as.log" >/dev/null
read -r rows repeated ids <<<"$(awk -F, 'FNR > 1 { n++; if ($1 != "") c[$1]++ }
    END { for (k in c) if (c[k] > 1) { r += c[k]; i++ }; print n, r, i }' "${AS[@]}")"
count() { sqlite3 "$T/as.gpkg" "SELECT value FROM run WHERE section = 'count' AND key = '$1'"; }
echo "Avon and Somerset: $rows rows; $ids Crime IDs on more than one row ($repeated rows)"
[ "$ids" -gt 1000 ] || { echo "FAIL: expected the repeated Crime IDs of these files"; exit 1; }
[ "$(count rows_read)" = "$rows" ] || { echo "FAIL: rows read $(count rows_read), awk $rows"; exit 1; }
for k in "skipped: duplicate force-month" "skipped: duplicate id" "skipped: identical file"; do
    [ "$(count "$k")" = 0 ] || { echo "FAIL: $k = $(count "$k")"; exit 1; }
done
# rows with a location inside the force's published range are kept; awk
# counts the rows hotspot must skip (none here: every row has a month and a
# type, and coordinates that are numbers or empty)
bad=$(awk -F, 'FNR > 1 && ($2 !~ /^20[0-9][0-9]-[01][0-9]$/ || $10 == "" ||
        ($5 != "" && $5 !~ /^-?[0-9.]+$/)) { n++ } END { print n + 0 }' "${AS[@]}")
[ "$(count rows_kept)" = "$((rows - bad))" ] ||
    { echo "FAIL: rows kept $(count rows_kept), awk $((rows - bad))"; exit 1; }
echo "every one of the $repeated rows with a repeated Crime ID is kept ($(count rows_kept) kept of $rows)"

# 4. The study area decides: Bath and North East Somerset's 115 LSOAs with
#    the whole force's files, and with only the rows of those LSOAs (awk on
#    the LSOA code; both runs assign by that code, so the same rows are in
#    the study area), give identical surfaces, hotspots, tasking tables and
#    back-tests (5 months: 2 windows of 3 training months).
BANES=$R/ons-boundaries-2011-martinjc/lsoa2011_by_lad/E06000022.json
ogr2ogr -f CSV "$T/banes.csv" "$BANES" -select LSOA11CD
mkdir "$T/banes_rows"
for f in "${AS[@]}"; do
    awk -F, 'FNR == NR { if (FNR > 1) in_area[$1] = 1; next }
             FNR == 1 || ($8 in in_area)' "$T/banes.csv" "$f" > "$T/banes_rows/$(basename "$f")"
done
for which in force area; do
    src=("${AS[@]}")
    [ $which = area ] && src=("$T"/banes_rows/*.csv)
    "$BIN" run --incidents "${src[@]}" --areas "$BANES" --area-id LSOA11CD --assign lsoa-code \
        --incidents-layer no -o "$T/banes_$which.gpkg" 2>"$T/banes_$which.log" >/dev/null ||
        { echo "FAIL: B&NES run ($which)"; cat "$T/banes_$which.log"; exit 1; }
done
inside=$(awk -F, 'FNR > 1' "$T"/banes_rows/*.csv | wc -l)
echo "B&NES: $(awk -F, 'FNR > 1' "${AS[@]}" | wc -l) force rows, $inside in the study area"
for g in asb sac violence; do
    for t in kde_$g hotspots_$g tasking_$g backtest_$g; do
        a=$(sqlite3 "$T/banes_force.gpkg" "SELECT * FROM \"$t\"" | md5sum)
        b=$(sqlite3 "$T/banes_area.gpkg" "SELECT * FROM \"$t\"" | md5sum)
        [ "$a" = "$b" ] || { echo "FAIL: $t differs between the force's files and the study area's rows"; exit 1; }
    done
    bw=$(sqlite3 "$T/banes_force.gpkg" "SELECT value FROM run WHERE key = 'bandwidth_$g'")
    [ "$bw" = "$(sqlite3 "$T/banes_area.gpkg" "SELECT value FROM run WHERE key = 'bandwidth_$g'")" ] ||
        { echo "FAIL: bandwidth_$g differs"; exit 1; }
    nbt=$(sqlite3 "$T/banes_force.gpkg" "SELECT count(*) FROM backtest_$g")
    [ "$nbt" -gt 0 ] || { echo "FAIL: backtest_$g is empty"; exit 1; }
    echo "$g: kde, hotspots, tasking and $nbt back-test rows identical from the force's files and the area's rows (bandwidth $bw)"
done
# and no hotspot holds fewer than the minimum (5) incidents of the study area
small=$(sqlite3 "$T/banes_force.gpkg" "SELECT count(*) FROM hotspots_asb WHERE incidents < 5
    UNION ALL SELECT count(*) FROM hotspots_violence WHERE incidents < 5" | awk '{ s += $1 } END { print s }')
[ "$small" = 0 ] || { echo "FAIL: $small hotspots under 5 incidents"; exit 1; }
echo "PASS"
