#!/bin/sh
# Usage: seeds.sh OUTDIR - writes a seed corpus for each harness into
# OUTDIR/<name>/: small slices of the demo data in data/ (made here, so no
# copies of data files are committed) plus the hand-made seeds/<name>/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../../data
out=$1
for n in categories ingest population profile split ogr dups wkb when span previous targets polygons evaldata pgsource; do
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
# An evaluation (hotspot evaluate's layers) made with ogr2ogr: zones, the
# evaluation and evaluation_monthly tables and run, one group, every
# figure in reach of the page (a WDD below 0, a WDQ, a control buffer).
if command -v ogr2ogr >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    sq() { printf '{"type":"Feature","properties":{"zone":"%s","area_km2":%s},"geometry":{"type":"Polygon","coordinates":[[[%s,0],[%s,0],[%s,1000],[%s,1000],[%s,0]]]}}' \
        "$1" "$2" "$3" "$4" "$4" "$3" "$3"; }
    printf '{"type":"FeatureCollection","features":[%s,%s,%s,%s]}\n' "$(sq target 1 0 1000)" \
        "$(sq buffer 0.5 1000 1250)" "$(sq control 1 5000 6000)" "$(sq 'control buffer' 0.4 6000 6200)" \
        > "$tmp/zones.geojson"
    printf 'section,key,value\nsoftware,hotspot,0.1.0\nparameter,target,AB03\nparameter,buffer_m,250\nparameter,control_buffer_m,200\nparameter,before,2024-01 to 2024-03\nparameter,after,2024-04 to 2024-09\nparameter,alpha,0.1\n' > "$tmp/run.csv"
    printf 'crime_group,target_before,target_after,buffer_before,buffer_after,control_before,control_after,control_buffer_before,control_buffer_after,wdd,wdd_se,wdd_z,wdd_low,wdd_high,wdq,wdq_reading,rate_ratio,rate_ratio_low,rate_ratio_high,rate_ratio_p\nsac,30,12,3,12,30,60,1,2,-7,3.79,-1.85,-13.2,-0.8,-0.125,"displacement, smaller than the direct effect: a net gain remains",0.2,0.08,0.45,0.0001\n' > "$tmp/evaluation.csv"
    { echo crime_group,month,zone,incidents
      for m in 01 02 03 04 05 06 07 08 09; do
          echo "sac,2024-$m,target,5"; echo "sac,2024-$m,control,10"; echo "sac,2024-$m,buffer,1"
      done; } > "$tmp/monthly.csv"
    ogr2ogr -q -f GPKG "$out/evaldata/evaluation.gpkg" "$tmp/zones.geojson" -nln zones \
        -a_srs EPSG:27700 -nlt MULTIPOLYGON &&
        ogr2ogr -q -update -f GPKG "$out/evaldata/evaluation.gpkg" "$tmp/run.csv" -nln run &&
        ogr2ogr -q -update -f GPKG "$out/evaldata/evaluation.gpkg" "$tmp/evaluation.csv" \
            -nln evaluation -oo AUTODETECT_TYPE=YES &&
        ogr2ogr -q -update -f GPKG "$out/evaldata/evaluation.gpkg" "$tmp/monthly.csv" \
            -nln evaluation_monthly -oo AUTODETECT_TYPE=YES || true
    rm -rf "$tmp"
fi
