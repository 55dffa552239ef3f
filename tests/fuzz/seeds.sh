#!/bin/sh
# Usage: seeds.sh OUTDIR - writes a seed corpus for each harness into
# OUTDIR/<name>/: small slices of the demo data in data/ (made here, so no
# copies of data files are committed) plus the hand-made seeds/<name>/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../../data
out=$1
for n in categories ingest population profile split ogr dups wkb when span previous targets polygons pgsource; do
    mkdir -p "$out/$n"
    [ -d "$here/seeds/$n" ] && cp "$here/seeds/$n"/* "$out/$n/" 2>/dev/null || true
done
cp "$data/categories.csv" "$out/categories/data-categories.csv"
cp "$data/demo.ini" "$data/demo-local.ini" "$data/demo-windows.ini" "$out/profile/"
# The first 30 rows of a few police.uk months and of the force extract:
# enough to reach every column and format, small enough to mutate fast.
for f in "$data"/demo/policeuk/2023-01/*.csv "$data"/demo/policeuk/2024-12/*.csv \
         "$data"/demo/local/*.csv; do
    [ -f "$f" ] && head -n 31 "$f" > "$out/ingest/head-$(basename "$f")"
done
cp "$out"/ingest/* "$out/split/" # the split reader: the same inputs
# Duplicates: the first byte picks the rule and --id (see fuzz_dups.c);
# files are cut at "--8<--" lines: a month twice, two overlapping months,
# an extract with a repeated reference, text in Windows-1252.
pol=$(ls "$data"/demo/policeuk/2024-01/*.csv) pol2=$(ls "$data"/demo/policeuk/2024-02/*.csv)
ext=$(ls "$data"/demo/local/*.csv)
for b in 0 1 2; do
    { printf "\\$(printf %03o "$b")"; head -n 12 "$pol"; echo '--8<--'; head -n 9 "$pol";
      echo '--8<--'; head -n 8 "$pol2"; } > "$out/dups/police$b.csv"
    { printf "\\$(printf %03o "$b")"; head -n 12 "$pol"; echo '--8<--'; head -n 12 "$pol";
      } > "$out/dups/same$b.csv"
    { printf "\\$(printf %03o $((b + 4)))"; head -n 12 "$ext"; sed -n 2,4p "$ext";
      echo '--8<--'; head -n 1 "$ext"; sed -n 3,6p "$ext"; } > "$out/dups/extract$b.csv"
done
{ printf '\000'; head -n 1 "$pol"; printf ',2024-01,D,D,-1.7,51.17,On or near \223Caf\351\224 \243 \200 \201,E0,C,Burglary,,\n'; } > "$out/dups/cp1252.csv"
# Population: the first byte picks the column mode (see fuzz_population.c).
pop=$data/demo/zone_population.csv
for m in 0 1 2 3; do
    { printf "\\$(printf %03o "$m")"; head -n 20 "$pop"; } > "$out/population/mode$m.csv"
done
# Windows: the head of the force extract (its occurred_from/occurred_to).
for f in "$data"/demo/local/*.csv; do
    [ -f "$f" ] && head -n 31 "$f" > "$out/span/head-$(basename "$f")"
done
# A previous run: a run table and a hotspots layer made with ogr2ogr (a
# GeoPackage of a few kB); without ogr2ogr, the hand-made seeds only.
if command -v ogr2ogr >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    printf 'section,key,value\nparameter,period,2024-01 to 2024-12\nlineage,last_id_violence,7\n' > "$tmp/run.csv"
    printf '{"type":"FeatureCollection","features":[%s,%s]}\n' \
        '{"type":"Feature","properties":{"hotspot_id":"VIO-01","first_seen":"2024-11","months_seen":2,"incidents":40},"geometry":{"type":"Polygon","coordinates":[[[421000,141000],[421200,141000],[421200,141200],[421000,141200],[421000,141000]]]}}' \
        '{"type":"Feature","properties":{"hotspot_id":"VIO-07","first_seen":"2024-12","months_seen":1,"incidents":9},"geometry":{"type":"MultiPolygon","coordinates":[[[[422000,141000],[422100,141000],[422100,141100],[422000,141000]]]]}}' \
        > "$tmp/hot.geojson"
    ogr2ogr -q -f GPKG "$out/previous/run.gpkg" "$tmp/run.csv" -nln run &&
        ogr2ogr -q -update -f GPKG "$out/previous/run.gpkg" "$tmp/hot.geojson" \
            -nln hotspots_violence -a_srs EPSG:27700 -nlt MULTIPOLYGON || true
    rm -rf "$tmp"
fi
