#!/bin/bash
# --progress and --quiet (README "Progress"), for programs and people:
#  - json: every stderr line is either one JSON object with stage, done,
#    total, elapsed and percent (read by Python's json) or a plain
#    "hotspot: ..." line; percent never goes down and the last is 100;
#    0 <= done <= total when total > 0; elapsed never goes down; each
#    stage's last line is whole (done = total), so the run's count of the
#    back-test's rows agrees with the back-test's; the demo has the
#    stages it should; the warnings are still there as plain lines
#  - auto with stderr in a file: no progress at all (only hotspot: lines,
#    no carriage return or escape); on a terminal (script(1) gives one)
#    the line that rewrites itself, and the summary after it
#  - --quiet: warnings and notes gone, errors kept, the summary kept
#  - a bad --progress value: usage error, exit 2
source "$(dirname "$0")/common.sh"
D=$SRC/data/demo
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 0; }

# check_json FILE WHAT [STAGES]: the JSON rules above; STAGES, if given,
# a comma list that must be exactly the stages seen
check_json() {
    python3 - "$1" "$2" "${3:-}" <<'EOF' || fail "$2: $(cat "$T/why")"
import json, re, sys
path, what, want = sys.argv[1], sys.argv[2], sys.argv[3]
why = open(sys.argv[1].rsplit("/", 1)[0] + "/why", "w")
def bad(msg):
    why.write(msg); why.close(); sys.exit(1)
last_pc, last_el, n, plain = -1.0, -1.0, 0, 0
final = {}
for line in open(path, encoding="utf-8").read().split("\n")[:-1]:
    if line.startswith("hotspot: "):
        plain += 1
        continue
    if not line.startswith("{"):
        bad("a line neither JSON nor 'hotspot: ...': %r" % line)
    try:
        o = json.loads(line)
    except ValueError as e:
        bad("not JSON (%s): %r" % (e, line))
    if sorted(o) != ["done", "elapsed", "percent", "stage", "total"]:
        bad("keys %s: %r" % (sorted(o), line))
    s, d, t, el, pc = o["stage"], o["done"], o["total"], o["elapsed"], o["percent"]
    if not (isinstance(s, str) and re.fullmatch(r"[a-z][a-z*-]*", s)):
        bad("stage %r" % s)
    if not all(type(v) is int for v in (d, t)) or d < 0 or t < 0:
        bad("done/total not whole numbers >= 0: %r" % line)
    if t > 0 and d > t:
        bad("done > total: %r" % line)
    if not (0 <= pc <= 100) or pc < last_pc:
        bad("percent %s after %s" % (pc, last_pc))
    if el < last_el:
        bad("elapsed %s after %s" % (el, last_el))
    last_pc, last_el, n = pc, el, n + 1
    final[s] = (d, t)
if n < 2:
    bad("%d progress lines" % n)
if last_pc != 100:
    bad("the last percent is %s, not 100" % last_pc)
for s, (d, t) in final.items():
    if d != t:
        bad("stage %s ends at %d of %d" % (s, d, t))
if want and sorted(final) != sorted(want.split(",")):
    bad("stages %s, want %s" % (sorted(final), sorted(want.split(","))))
print("%s: %d progress lines, %d plain, stages %s" % (what, n, plain, ",".join(final)))
EOF
}

# --- the demo, for a program -------------------------------------------
"$BIN" demo -o "$T/demo.gpkg" --progress json > "$T/out.txt" 2> "$T/err.txt" ||
    fail "demo --progress json: $(cat "$T/err.txt")"
check_json "$T/err.txt" "demo --progress json" \
    areas,incidents,assignment,rates,lisa,back-test,density,gistar,emerging,writing
grep -q '^hotspot: warning: .*outside every area' "$T/err.txt" ||
    fail "the demo's warning is missing among the JSON lines"
grep -q '^hotspot: wrote ' "$T/out.txt" || fail "no summary on stdout"
# the back-test's total: groups x windows x candidates, from the run table
bt=$(grep -o '"stage":"back-test","done":[0-9]*,"total":[0-9]*' "$T/err.txt" | tail -1)
nbw=$(sqlite3 "$T/demo.gpkg" "SELECT count(DISTINCT bandwidth) FROM backtest_violence")
nwin=$(sqlite3 "$T/demo.gpkg" "SELECT count(DISTINCT test_month) FROM backtest_violence")
[ "$bt" = "\"stage\":\"back-test\",\"done\":$((3 * nbw * nwin)),\"total\":$((3 * nbw * nwin))" ] ||
    fail "back-test progress '$bt', the tables hold 3 groups x $nwin windows x $nbw bandwidths"

# --- the other commands, and the --progress=json form --------------------
"$BIN" report "$T/demo.gpkg" -o "$T/packs" --progress=json > /dev/null 2> "$T/err.txt" ||
    fail "report --progress=json: $(cat "$T/err.txt")"
check_json "$T/err.txt" "report" reading,report
n=$(grep -o '"stage":"report","done":[0-9]*' "$T/err.txt" | tail -1 | grep -o '[0-9]*$')
[ "$n" = $(( $(ls "$T/packs"/*.pdf | wc -l) )) ] || fail "report counted $n PDFs"
"$BIN" kde --incidents "$D/policeuk" --bandwidth 800 --cell 200 -o "$T/k.tif" \
    --progress json > /dev/null 2> "$T/err.txt" || fail "kde: $(cat "$T/err.txt")"
check_json "$T/err.txt" "kde" incidents,bandwidth,density,writing
rows=$(grep -o '"stage":"density","done":[0-9]*,"total":[0-9]*' "$T/err.txt" | tail -1 | grep -o '[0-9]*$')
[ "$rows" = "$(gdalinfo "$T/k.tif" | sed -n 's/^Size is [0-9]*, //p')" ] ||
    fail "kde: density counted $rows rows, the GeoTIFF has $(gdalinfo "$T/k.tif" | grep '^Size')"
sed "s#= demo/#= $D/#" "$SRC/data/demo.ini" > "$T/demo.ini"
"$BIN" evaluate "$T/demo.ini" --target AB03 --before 2023-01:2023-06 \
    --after 2024-01:2024-06 -o "$T/ev.gpkg" --progress json > /dev/null 2> "$T/err.txt" ||
    fail "evaluate: $(cat "$T/err.txt")"
check_json "$T/err.txt" "evaluate" areas,incidents,zones,counting,writing

# --- auto (the default) with stderr in a file: nothing but messages ------
cp "$D/policeuk/2024-01/2024-01-demoshire-street.csv" "$T/a.csv"
echo 'x,2024-01,A,B,notanumber,51.5,On or near X,E01,L,Burglary,,' >> "$T/a.csv"
for mode in "" "--progress auto" "--progress no"; do
    "$BIN" kde --incidents "$T/a.csv" -o "$T/a.tif" $mode > "$T/out.txt" 2> "$T/err.txt" ||
        fail "kde $mode: $(cat "$T/err.txt")"
    [ "$(grep -c . "$T/err.txt")" = 1 ] && grep -q '^hotspot: warning: 1 row(s) skipped' "$T/err.txt" ||
        fail "kde $mode with stderr in a file: want the one warning, got: $(cat -v "$T/err.txt")"
    ! grep -q $'[\r\033{]' "$T/err.txt" || fail "kde $mode: progress in a file"
done
echo "auto (default and given) and no, stderr in a file: only the warning"

# --- auto on a terminal: the line that rewrites itself -------------------
if command -v script >/dev/null; then
    script -qec "'$BIN' kde --incidents '$T/a.csv' -o '$T/b.tif'" /dev/null > "$T/tty.txt" ||
        fail "kde on a terminal: $(cat -v "$T/tty.txt")"
    grep -q $'\r\033\\[Khotspot: density [0-9]*/[0-9]*, [0-9]*%, [0-9.]* s' "$T/tty.txt" ||
        fail "no progress line on a terminal: $(cat -v "$T/tty.txt" | head -c 600)"
    grep -q $'\r\033\\[Khotspot: writing 1/1, 100%' "$T/tty.txt" || fail "no 100% on a terminal"
    # wiped before the warning and before the summary
    grep -q $'\r\033\\[Khotspot: warning: 1 row' "$T/tty.txt" || fail "the warning is not on a line of its own"
    grep -q $'\r\033\\[Khotspot: wrote ' "$T/tty.txt" || fail "the summary is not on a line of its own"
    # --quiet on a terminal: no warning, no line, unless --progress asks
    script -qec "'$BIN' kde --incidents '$T/a.csv' -o '$T/b.tif' --quiet" /dev/null > "$T/tty.txt" ||
        fail "kde --quiet on a terminal"
    ! grep -q $'warning\\|%\\|\033' "$T/tty.txt" || fail "--quiet on a terminal: $(cat -v "$T/tty.txt")"
    script -qec "'$BIN' kde --incidents '$T/a.csv' -o '$T/b.tif' -q --progress auto" /dev/null > "$T/tty.txt"
    grep -q $'\r\033\\[Khotspot: density' "$T/tty.txt" && ! grep -q warning "$T/tty.txt" ||
        fail "-q --progress auto on a terminal: $(cat -v "$T/tty.txt")"
    echo "terminal: the progress line, wiped before messages; --quiet hides it"
else
    echo "SKIP terminal checks: no script(1) (util-linux)"
fi

# --- --quiet: warnings and notes gone, errors kept -----------------------
"$BIN" demo -o "$T/demo3.gpkg" --quiet > "$T/out.txt" 2> "$T/err.txt" || fail "demo --quiet"
[ ! -s "$T/err.txt" ] || fail "demo --quiet printed: $(cat "$T/err.txt")"
grep -q '^hotspot: wrote ' "$T/out.txt" || fail "demo --quiet: no summary"
"$BIN" kde --incidents "$T/a.csv" -o "$T/a.tif" -q --progress json > /dev/null 2> "$T/err.txt" ||
    fail "kde -q --progress json"
! grep -q '^hotspot:' "$T/err.txt" || fail "kde -q --progress json: $(grep '^hotspot:' "$T/err.txt")"
check_json "$T/err.txt" "kde -q --progress json"
printf 'Month,Crime type\n2024-01,Burglary\n' > "$T/nocoords.csv"
rc=0
"$BIN" kde --incidents "$T/nocoords.csv" -o "$T/c.tif" --quiet --progress json > /dev/null 2> "$T/err.txt" || rc=$?
[ $rc = 1 ] || fail "kde of a file without coordinates: exit $rc, want 1"
grep -q '^hotspot: error: .*nocoords.csv' "$T/err.txt" || fail "--quiet hid the error: $(cat "$T/err.txt")"
! grep -q '"percent":100' "$T/err.txt" || fail "a failed run said 100%"
echo "--quiet: no warnings, the error kept (exit 1)"

# --- bad values: usage errors ------------------------------------------
for args in "--progress foo" "--progress" "--progress=yes"; do
    rc=0
    "$BIN" kde --incidents "$T/a.csv" -o "$T/d.tif" $args > /dev/null 2> "$T/err.txt" || rc=$?
    [ $rc = 2 ] && grep -q '^hotspot: error: --progress' "$T/err.txt" ||
        fail "kde $args: exit $rc, $(cat "$T/err.txt")"
    [ ! -e "$T/d.tif" ] || fail "kde $args wrote a file"
done
rc=0
"$BIN" report "$T/demo.gpkg" -o "$T/p2" --progress foo 2> "$T/err.txt" || rc=$?
[ $rc = 2 ] || fail "report --progress foo: exit $rc"
echo "bad --progress values: exit 2"
echo "PASS"
