#!/bin/bash
# --when with from/to windows (--start-time, --end-time) on the demo force
# extract: each incident counts by the share of its window inside
# "Thu-Sat 18:00-04:00" (when.h).  Python works the shares out here from
# the extract's own rows, minute by minute with datetime's calendar and
# the evening rule, and joins them by line to the areas, groups and
# periods of a run without --when; then checks every board's count and
# comparison count per group (sums of shares, real fields), the rows left
# out, the timeofweek table (only minutes inside carry weight), and that
# the hotspots, tasking, back-test and Gi* counts are real numbers whose
# totals do not exceed the shares in the period.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
W="Thu-Sat 18:00-04:00"
X=demo/local/demoshire-extract-2023-2024.csv

(cd "$D" && "$BIN" run demo-windows.ini --kde no --gistar no --lisa no -o "$T/all.gpkg") \
    > /dev/null 2> "$T/err.txt" || fail "run without --when: $(cat "$T/err.txt")"
(cd "$D" && "$BIN" run demo-windows.ini --when "$W" -o "$T/w.gpkg") \
    > "$T/out.txt" 2> "$T/err0.txt" || fail "run with --when and windows: $(cat "$T/err0.txt")"

python3 - "$T/all.gpkg" "$T/w.gpkg" "$D/$X" "$SRC/tests" > "$T/py.txt" <<'PY' || fail "--when shares differ from the brute force: $(cat "$T/py.txt")"
import csv, datetime, sqlite3, sys
from collections import defaultdict
sys.path.insert(0, sys.argv[4])
from windows import MIN, window
allr, w = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])

def inside(t):
    """Thu-Sat 18:00-04:00, the hours after midnight the evening before's"""
    m = t.hour * 60 + t.minute
    wd, prev = t.isoweekday(), (t - datetime.timedelta(days=1)).isoweekday()
    return (wd in (4, 5, 6) and m >= 18 * 60) or (prev in (4, 5, 6) and m < 4 * 60)

def minutes(r):
    """the window's minutes (datetimes) that carry weight, and the weight each"""
    s, e, d = window(r)
    if d is None or d < 2:
        return [s], 1.0
    if d >= 10080:  # a week: every minute of a week once
        return [s + k * MIN for k in range(10080)], 1 / 10080
    return [s + k * MIN for k in range(d)], 1 / d

rows = {i + 2: r for i, r in enumerate(csv.DictReader(open(sys.argv[3])))}
share, tow = {}, {}
for line, r in rows.items():
    ms, each = minutes(r)
    t = defaultdict(float)
    for m in ms:
        if inside(m):
            t[(m.isoweekday(), m.hour)] += each
    share[line], tow[line] = sum(t.values()), t
partly = sum(1 for v in share.values() if 0 < v < 1 - 1e-12)
if not partly or all(v == 0 for v in share.values()):
    sys.exit("no incident partly inside: a useless test")
inc = allr.execute("SELECT source_row, area_id, crime_group, period FROM incidents").fetchall()
errs = 0
for g in ("asb", "sac", "violence"):
    want, wantp = defaultdict(float), defaultdict(float)
    for line, a, grp, per in inc:
        if grp == g and a is not None:
            (want if per == "current" else wantp)[a] += share[line]
    n = 0
    for a, c, p, tc in w.execute(f"SELECT area_id, count, prev_count, typeof(count) FROM rates_{g}"):
        n += 1
        if tc != "real" or abs(c - want[a]) > 1e-4 or abs(p - wantp[a]) > 1e-4:
            print(f"{g} {a}: count {c} ({tc}) / {p}, brute force {want[a]:.6f} / {wantp[a]:.6f}")
            errs += 1
    if n == 0:
        sys.exit(f"rates_{g}: no rows")
if errs:
    sys.exit(1)
# rows left out: those whose window has no minute inside (every row read)
run = dict(w.execute("SELECT key, value FROM run WHERE section IN ('parameter', 'count')"))
zero = sum(1 for v in share.values() if v == 0)
if int(run["when_outside"]) != zero:
    sys.exit(f"when_outside {run['when_outside']}, brute force {zero}")
# time of week: only the minutes inside, per area, group and hour
want = defaultdict(float)
for line, a, grp, per in inc:
    if per == "current" and a is not None and grp in ("asb", "sac", "violence"):
        for k, v in tow[line].items():
            want[(a, grp) + k] += v
got = {(a, g, d, h): x for a, g, d, h, x in
       w.execute("SELECT area_id, crime_group, day, hour, weight FROM timeofweek")}
bad = [k for k in set(got) | set(want) if abs(got.get(k, 0) - want.get(k, 0)) > 1e-6]
if bad:
    sys.exit(f"timeofweek: {len(bad)} rows differ, e.g. {bad[0]}: {got.get(bad[0])} vs {want.get(bad[0])}")
# counts downstream are real numbers, bounded by the period's shares
cur = {g: sum(share[l] for l, a, grp, per in inc if grp == g and per == "current" and a is not None)
       for g in ("asb", "sac", "violence")}
for g in ("asb", "sac", "violence"):
    for table, col in ((f"hotspots_{g}", "incidents"), (f"tasking_{g}", "incidents"),
                       (f"gistar_{g}", "count")):
        t = w.execute(f"SELECT count(*), sum({col}), sum(typeof({col}) != 'real') FROM {table}").fetchone()
        if t[0] and (t[2] or t[1] > cur[g] + 1e-3):
            sys.exit(f"{table}.{col}: {t[2]} not real, total {t[1]} against {cur[g]:.3f} shares")
    t = w.execute(f"SELECT count(*), sum(typeof(hits) != 'real'), max(hits - test_incidents) "
                  f"FROM backtest_{g}").fetchone()
    if t[0] == 0 or t[1] or t[2] > 1e-9:
        sys.exit(f"backtest_{g}: {t}")
gi = w.execute("SELECT sum(count) FROM gistar_violence").fetchone()[0]
if abs(gi - cur["violence"]) > 0.05 * cur["violence"]:
    sys.exit(f"gistar_violence holds {gi:.2f} of {cur['violence']:.2f} shares")
print(f"{len(rows)} rows: {partly} partly inside, {zero} outside; counts, timeofweek and "
      "downstream fields as worked here")
PY
cat "$T/py.txt"
# the notes of the run and of hotspot kde count those partly inside as here
partly=$(sed -n 's/.* \([0-9]*\) partly inside.*/\1/p' "$T/py.txt")
grep -q "inside, $partly of them partly" "$T/err0.txt" ||
    fail "run: the note does not count $partly partly inside: $(cat "$T/err0.txt")"
(cd "$D" && "$BIN" kde --incidents "$X" --category offence_code --start-time occurred_from \
    --end-time occurred_to --x easting --y northing --incidents-crs EPSG:27700 --when "$W" \
    --bandwidth 500 -o "$T/k.tif") > /dev/null 2> "$T/err.txt" || fail "kde: $(cat "$T/err.txt")"
grep -q "inside, $partly of them partly" "$T/err.txt" ||
    fail "kde: the note does not count $partly partly inside: $(cat "$T/err.txt")"

# the pack says so, and prints the counts with their decimals
mkdir -p "$T/pack"
"$BIN" report "$T/w.gpkg" -o "$T/pack" > /dev/null 2> "$T/err.txt" || fail "report: $(cat "$T/err.txt")"
if command -v pdftotext > /dev/null; then
    pdftotext -layout "$T/pack/AB03.pdf" "$T/ab03.txt"
    grep -q "Fay and Feuer's gamma" "$T/ab03.txt" || fail "AB03.pdf does not say how shares are counted"
    want=$(sqlite3 "$T/w.gpkg" "SELECT printf('%.1f', count) FROM rates_asb WHERE area_id = 'AB03'")
    grep -q "Incidents, Jan 2024 to Dec 2024 *$want " "$T/ab03.txt" ||
        fail "AB03.pdf: no ASB count $want: $(grep 'Incidents, Jan' "$T/ab03.txt")"
fi
