#!/bin/bash
# --when end to end on the demo force extract (dates and times): the run
# with "Thu-Sat 18:00-04:00, Sun 12:00-14:00" against the run without it,
# whose incidents layer Python filters by the same rule written again here
# (datetime's weekday; the hours past midnight belong to the evening
# before).  Checks every board's count per group in the period and the
# comparison period, the incidents layer itself, the run table's window
# and counts; then police.uk months (an error naming the file, nothing
# written) and an incident without a time (left out and counted).
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
W="Thu-Sat 18:00-04:00, Sun 12:00-14:00"

(cd "$D" && "$BIN" run demo-local.ini --kde no --gistar no --lisa no -o "$T/all.gpkg") \
    > /dev/null 2> "$T/err.txt" || fail "run without --when: $(cat "$T/err.txt")"
(cd "$D" && "$BIN" run demo-local.ini --kde no --gistar no --lisa no --when "$W" -o "$T/w.gpkg") \
    > /dev/null 2> "$T/err.txt" || fail "run with --when: $(cat "$T/err.txt")"
# the note's count: every row read, less those outside (none lack a time)
inside=$(sqlite3 "$T/w.gpkg" "SELECT (SELECT value FROM run WHERE key = 'rows_kept') -
    (SELECT value FROM run WHERE key = 'when_outside')")
grep -q "note: --when Thu-Sat 18:00-04:00, Sun 12:00-14:00: $inside incident(s) inside" "$T/err.txt" ||
    fail "no note of the window with $inside inside: $(cat "$T/err.txt")"

python3 - "$T/all.gpkg" "$T/w.gpkg" "$(ls "$D"/demo/local/*.csv)" "$T/inside.txt" <<'PY' || fail "--when differs from the brute force"
import datetime, sqlite3, sys
from collections import Counter
allr, w = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
def inside(date, time):
    d = datetime.date.fromisoformat(date)
    h, m = map(int, time.split(":"))
    t = h * 60 + m
    wd, prev = d.isoweekday(), (d - datetime.timedelta(days=1)).isoweekday()
    thu_sat = lambda x: x in (4, 5, 6)
    return ((thu_sat(wd) and t >= 18 * 60) or (thu_sat(prev) and t < 4 * 60) or
            (wd == 7 and 12 * 60 <= t < 14 * 60))
rows = allr.execute("SELECT date, time, area_id, crime_group, period, source_row FROM incidents").fetchall()
keep = [r for r in rows if inside(r[0], r[1])]
if not keep or len(keep) == len(rows):
    sys.exit("the window keeps all or nothing: a useless test")
got = w.execute("SELECT date, time, area_id, crime_group, period, source_row FROM incidents").fetchall()
if sorted(map(repr, keep)) != sorted(map(repr, got)):
    sys.exit(f"incidents layer: {len(got)} rows, the brute force keeps {len(keep)}")
errs = 0
for g in ("asb", "sac", "violence"):
    want = Counter(r[2] for r in keep if r[3] == g and r[4] == "current")
    wantp = Counter(r[2] for r in keep if r[3] == g and r[4] == "comparison")
    for a, c, p in w.execute(f"SELECT area_id, count, prev_count FROM rates_{g}"):
        if c != want.get(a, 0) or p != wantp.get(a, 0):
            print(f"{g} {a}: count {c}/{p}, brute force {want.get(a, 0)}/{wantp.get(a, 0)}")
            errs += 1
if errs:
    sys.exit(1)
run = dict(w.execute("SELECT key, value FROM run WHERE section IN ('parameter', 'count')"))
if run.get("when") != "Thu-Sat 18:00-04:00, Sun 12:00-14:00":
    sys.exit(f"run table: when = {run.get('when')}")
# when_outside counts every row read (other groups and months too): from
# the extract itself, dd/mm/yyyy dates
import csv
out = located = 0
with open(sys.argv[3], newline="") as f:
    for r in csv.DictReader(f):
        dd, mm, yy = r["occurred_date"].split("/")
        ins = inside(f"{yy}-{mm}-{dd}", r["occurred_time"])
        out += not ins
        located += ins and r["easting"] != "" and r["northing"] != ""
if int(run["rows_kept"]) != int(run["rows_read"]):
    sys.exit("the extract has rows the ingest skips: when_outside cannot be counted here")
if int(run["when_outside"]) != out or run["when_no_time"] != "0":
    sys.exit(f"run table: when_outside {run['when_outside']}, the extract has {out} outside")
open(sys.argv[4], "w").write(f"{located}\n") # inside, with a location
print(f"--when: {len(keep)} of {len(rows)} incidents inside, every board's counts as the brute force")
PY

# hotspot kde takes the same window: as many incidents as the extract has
# inside with a location
(cd "$D" && "$BIN" kde --incidents demo/local/demoshire-extract-2023-2024.csv --category offence_code \
    --date occurred_date --time occurred_time --x easting --y northing --incidents-crs EPSG:27700 \
    --when "$W" -o "$T/k.tif") > "$T/kde.txt" 2>&1 || fail "kde --when: $(cat "$T/kde.txt")"
grep -q "^ *$(cat "$T/inside.txt") incidents (of" "$T/kde.txt" ||
    fail "kde --when: $(grep incidents "$T/kde.txt"), want $(cat "$T/inside.txt") inside"

# the packs say which hours they cover
command -v pdftotext >/dev/null || { echo "SKIP: pdftotext not installed (poppler-utils)"; exit 77; }
mkdir "$T/packs"
"$BIN" report "$T/w.gpkg" -o "$T/packs" --area AB01 > /dev/null 2> "$T/err.txt" || fail "report: $(cat "$T/err.txt")"
for f in AB01 county; do
    pdftotext -f 1 -l 1 "$T/packs/$f.pdf" - | tr '\n' ' ' | grep -q "Only incidents in: Thu-Sat 18:00-04:00, Sun 12:00-14:00" ||
        fail "$f.pdf does not say which hours it covers"
done

# police.uk gives months only: an error naming the file, nothing written
set +e
(cd "$T" && "$BIN" demo --when "$W" -o pol.gpkg) > /dev/null 2> "$T/err.txt"
rc=$?
set -e
[ "$rc" = 1 ] || fail "police.uk with --when: exit $rc, want 1"
grep -q "incidents '.*-street.csv': --when needs each incident's date and time, and this file gives months only" "$T/err.txt" ||
    fail "police.uk with --when: $(cat "$T/err.txt")"
[ ! -e "$T/pol.gpkg" ] || fail "police.uk with --when left a GeoPackage"

# an incident with a date but no time: left out and counted
src=$(ls "$D"/demo/local/*.csv)
awk -F, 'BEGIN { OFS = "," } NR == 3 { $5 = "" } { print }' "$src" > "$T/notime.csv"
(cd "$D" && "$BIN" run demo-local.ini --incidents "$T/notime.csv" --kde no --gistar no \
    --lisa no --when "$W" -o "$T/nt.gpkg") > /dev/null 2> "$T/err.txt" || fail "no-time run: $(cat "$T/err.txt")"
grep -q "warning: --when: 1 incident(s) have a date but no time: left out" "$T/err.txt" ||
    fail "no warning for the incident without a time: $(cat "$T/err.txt")"
[ "$(sqlite3 "$T/nt.gpkg" "SELECT value FROM run WHERE key = 'when_no_time'")" = 1 ] ||
    fail "run table: when_no_time is not 1"
echo PASS
