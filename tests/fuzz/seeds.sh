#!/bin/sh
# Usage: seeds.sh OUTDIR - writes a seed corpus for each harness into
# OUTDIR/<name>/: small slices of the demo data in data/ (made here, so no
# copies of data files are committed) plus the hand-made seeds/<name>/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../../data
out=$1
for n in categories ingest population profile split ogr; do
    mkdir -p "$out/$n"
    [ -d "$here/seeds/$n" ] && cp "$here/seeds/$n"/* "$out/$n/" 2>/dev/null || true
done
cp "$data/categories.csv" "$out/categories/data-categories.csv"
cp "$data/demo.ini" "$data/demo-local.ini" "$out/profile/"
# The first 30 rows of a few police.uk months and of the force extract:
# enough to reach every column and format, small enough to mutate fast.
for f in "$data"/demo/policeuk/2023-01/*.csv "$data"/demo/policeuk/2024-12/*.csv \
         "$data"/demo/local/*.csv; do
    [ -f "$f" ] && head -n 31 "$f" > "$out/ingest/head-$(basename "$f")"
done
cp "$out"/ingest/* "$out/split/" # the split reader: the same inputs
# Population: the first byte picks the column mode (see fuzz_population.c).
pop=$data/demo/zone_population.csv
for m in 0 1 2 3; do
    { printf "\\$(printf %03o "$m")"; head -n 20 "$pop"; } > "$out/population/mode$m.csv"
done
