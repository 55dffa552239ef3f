#!/bin/bash
# Faults: what a run guarantees about its output when it is killed or cannot
# write.  (a) A run killed (SIGKILL) at any moment leaves, under the output
# names, either the previous files or the complete new ones, byte for byte,
# and no SQLite side file; the temporary file a kill leaves is removed by
# the next run.  (b) A run that cannot write (a file size limit: writes fail
# with EFBIG, as on a full disk) exits 1 with an error naming the output,
# leaves the previous output intact and no temporary file.  (c) After all
# that, the same inputs still give the same bytes.
set -euo pipefail
. "$(dirname "$0")/common.sh"
ms() { echo $(( $(date +%s%N) / 1000000 )); }
W=$T/w

# The new output (timed, for the kill delays) and a previous output that
# differs from it (no density layers), so "intact" can be told from "replaced".
mkdir "$T/new" "$W"
t0=$(ms)
(cd "$T/new" && "$BIN" demo -o demo.gpkg >/dev/null 2>&1) || fail "demo run failed"
run_ms=$(( $(ms) - t0 ))
(cd "$W" && "$BIN" demo --kde no -o demo.gpkg >/dev/null 2>&1) || fail "--kde no run failed"
cp "$W/demo.gpkg" "$T/old.gpkg"
cp "$W/demo.qgz" "$T/old.qgz"
! cmp -s "$T/old.gpkg" "$T/new/demo.gpkg" || fail "previous and new outputs should differ"
echo "a whole run takes ${run_ms} ms"

reset_old() {
    rm -rf "$W"; mkdir "$W"
    cp "$T/old.gpkg" "$W/demo.gpkg"
    cp "$T/old.qgz" "$W/demo.qgz"
}
# Nothing under the final names but whole files; prints "old" or "new".
whole() {
    local state=
    for f in gpkg qgz; do
        if cmp -s "$W/demo.$f" "$T/old.$f"; then s=old
        elif cmp -s "$W/demo.$f" "$T/new/demo.$f"; then s=new
        else fail "$1: demo.$f is neither the previous nor the new output"; fi
        [ $f = gpkg ] && state=$s
    done
    # A stale -journal beside the final name would be rolled into it on open.
    if ls -A "$W" | grep -q '^demo\.gpkg-'; then fail "$1: side file $(ls -A "$W" | grep '^demo\.gpkg-')"; fi
    echo "$state"
}
temps() { ls -A "$W" | grep -c '\.tmp-' || true; }

# (a) SIGKILL at 2%, 10%, ..., 95% of a run.
n_old=0 n_new=0 n_tmp=0
for pct in 2 10 25 40 55 70 85 95; do
    reset_old
    (cd "$W" && exec "$BIN" demo -o demo.gpkg >/dev/null 2>&1) &
    pid=$!
    sleep "$(awk -v t="$run_ms" -v p="$pct" 'BEGIN { printf "%.3f", t * p / 100000 }')"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    state=$(whole "killed at $pct%") || { echo "$state"; exit 1; }
    t=$(temps)
    echo "killed at $pct%: $state output under the final name, $t temporary file(s)"
    [ "$state" = old ] && n_old=$((n_old + 1)) || n_new=$((n_new + 1))
    [ "$t" -gt 0 ] && n_tmp=$((n_tmp + 1))
    # Keep this kill's leftovers for the clean-up check below.
    mkdir -p "$T/left"; cp -a "$W"/.demo.gpkg.tmp-* "$T/left/" 2>/dev/null || true
done
# The kills must have hit a run in the middle of writing, or this proved nothing.
[ "$n_old" -gt 0 ] && [ "$n_tmp" -gt 0 ] || fail "no kill landed while the output was being written ($n_old old, $n_tmp with temporary files)"

# The next run removes temporary files of dead runs, but not of a live one.
reset_old
cp -a "$T/left"/. "$W/"
[ "$(temps)" -gt 0 ] || fail "no leftovers to clean"
live="$W/.demo.gpkg.tmp-$$.gpkg"   # this shell is alive
echo "not ours" > "$live"
(cd "$W" && "$BIN" demo -o demo.gpkg >/dev/null 2>&1) || fail "run after kills failed"
[ -f "$live" ] || fail "a live run's temporary file was removed"
rm -f "$live"
[ "$(temps)" = 0 ] || fail "stale temporary files left: $(ls -A "$W" | grep '\.tmp-')"
echo "next run: stale temporary files removed, a live run's kept"
# (c) and the result is the same bytes as an undisturbed run.
cmp -s "$W/demo.gpkg" "$T/new/demo.gpkg" || fail "run after kills differs from an undisturbed run"
cmp -s "$W/demo.qgz" "$T/new/demo.qgz" || fail ".qgz after kills differs from an undisturbed run"
echo "run after kills: byte-identical to an undisturbed run"

# (b) Writes fail with EFBIG past a file size limit (bash: KiB), at points
# from the first page of the temporary file to the commit.
size_kb=$(( $(stat -c %s "$T/new/demo.gpkg") / 1024 ))
for lim in 1 8 64 512 $((size_kb / 2)) $((size_kb - 16)); do
    reset_old
    set +e
    (cd "$W" && trap '' XFSZ && ulimit -f "$lim" && exec "$BIN" demo -o demo.gpkg >/dev/null 2>"$T/err.txt")
    rc=$?
    set -e
    [ $rc = 1 ] || fail "limit ${lim}K: exit $rc, want 1: $(cat "$T/err.txt")"
    grep -q "^hotspot: error: .*demo\.gpkg.*\(I/O\|disk\|space\|too large\)" "$T/err.txt" ||
        fail "limit ${lim}K: no clear error naming the output: $(cat "$T/err.txt")"
    [ "$(whole "limit ${lim}K")" = old ] || fail "limit ${lim}K: previous output replaced"
    [ "$(temps)" = 0 ] || fail "limit ${lim}K: temporary file left: $(ls -A "$W")"
    echo "limit ${lim}K: exit 1, '$(grep '^hotspot: error' "$T/err.txt" | cut -c1-110)...', previous output intact"
done
echo "faults: all checks passed"
