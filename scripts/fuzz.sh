#!/bin/sh
# Usage: scripts/fuzz.sh [SECONDS] [NAME...] - builds the libFuzzer
# harnesses of tests/fuzz with clang (ASan + UBSan) in build-fuzz/ and runs
# each for SECONDS (default 300) on a corpus kept in build-fuzz/corpus/NAME
# (grown from the seeds, kept between runs).  Fails on the first crash,
# leak or timeout; the input is left in build-fuzz/crashes/NAME/: fix the
# bug, then copy the input to tests/fuzz/regress/NAME/ so ctest replays it.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-300}
[ $# -gt 0 ] && shift
names=${*:-categories ingest population profile split ogr dups wkb when span previous targets polygons evaldata pgsource}
command -v clang >/dev/null || { echo "fuzz: clang is not installed" >&2; exit 1; }
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DHOTSPOT_FUZZ=ON >/dev/null
for n in $names; do
    cmake --build build-fuzz -j"${HOTSPOT_JOBS:-2}" --target "fuzz_$n" >/dev/null
done
seeds=build-fuzz/seeds
rm -rf "$seeds"
sh tests/fuzz/seeds.sh "$seeds"
status=0
for n in $names; do
    corpus=build-fuzz/corpus/$n crashes=build-fuzz/crashes/$n
    mkdir -p "$corpus" "$crashes"
    echo "fuzz: $n for ${secs}s"
    # saved crashes, when the harness has any
    regress=tests/fuzz/regress/$n
    [ -d "$regress" ] || regress=
    # a GeoPackage (fuzz_previous) is some 100 kB; text inputs stay short
    maxlen=4096
    [ "$n" = previous ] || [ "$n" = evaldata ] && maxlen=262144
    # -timeout: a single input taking 10 s is a hang worth reporting.
    if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
         "build-fuzz/tests/fuzz/fuzz_$n" -max_total_time="$secs" -timeout=10 \
         -max_len="$maxlen" -print_final_stats=1 -artifact_prefix="$crashes/" \
         "$corpus" "$seeds/$n" $regress \
         >"build-fuzz/fuzz-$n.log" 2>&1; then
        echo "fuzz: $n FAILED; log build-fuzz/fuzz-$n.log, input in $crashes/" >&2
        tail -n 40 "build-fuzz/fuzz-$n.log" >&2
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::new_units_added" \
             "build-fuzz/fuzz-$n.log" | sed "s/^/fuzz: $n /"
    fi
done
exit $status
