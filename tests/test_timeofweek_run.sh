#!/bin/bash
# The timeofweek table on the demo force extract (dates and times) against
# a Python count of the run's own incidents layer (datetime's ISO weekday,
# the hour of the time; the analysis period, incidents in an area and a
# group); run with --when, only the window's hours have weight; police.uk
# (months only) and --public write no table.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }

(cd "$D" && "$BIN" run demo-local.ini --kde no --gistar no --lisa no -o "$T/t.gpkg") \
    > /dev/null 2> "$T/err.txt" || fail "run: $(cat "$T/err.txt")"
(cd "$D" && "$BIN" run demo-local.ini --kde no --gistar no --lisa no --when "Fri-Sat 20:00-02:00" \
    -o "$T/w.gpkg") > /dev/null 2> "$T/err.txt" || fail "run --when: $(cat "$T/err.txt")"
python3 - "$T/t.gpkg" "$T/w.gpkg" <<'PY' || fail "timeofweek differs from the brute force"
import datetime, sqlite3, sys
from collections import Counter
for path in sys.argv[1:]:
    db = sqlite3.connect(path)
    want = Counter()
    for date, time, area, group in db.execute(
            "SELECT date, time, area_id, crime_group FROM incidents WHERE period = 'current' "
            "AND area_id IS NOT NULL AND crime_group IN ('asb', 'sac', 'violence')"):
        d = datetime.date.fromisoformat(date)
        want[(area, group, d.isoweekday(), int(time.split(":")[0]))] += 1
    got = {(a, g, d, h): w for a, g, d, h, w in
           db.execute("SELECT area_id, crime_group, day, hour, weight FROM timeofweek")}
    if got != dict(want):
        bad = [k for k in set(got) | set(want) if got.get(k) != want.get(k)][:3]
        sys.exit(f"{path}: {len(got)} rows, brute force {len(want)}; e.g. {bad}")
    if any(w == 0 for w in got.values()):
        sys.exit("a row of weight 0")
    n = dict(db.execute("SELECT key, value FROM run WHERE key = 'timeofweek_timed'"))
    if int(n["timeofweek_timed"]) != sum(want.values()):
        sys.exit("run table: timeofweek_timed differs")
    print(f"{path.split('/')[-1]}: {sum(want.values())} incidents in {len(got)} area-group-hour rows, as counted here")
w = sqlite3.connect(sys.argv[2])
hours = {(d, h) for d, h in w.execute("SELECT DISTINCT day, hour FROM timeofweek")}
allowed = {(5, h) for h in range(20, 24)} | {(6, h) for h in range(0, 2)} | \
          {(6, h) for h in range(20, 24)} | {(7, h) for h in range(0, 2)}
if not hours <= allowed:
    sys.exit(f"--when Fri-Sat 20:00-02:00: weight in hours {sorted(hours - allowed)[:4]}")
PY
grep -q "timeofweek" <(sqlite3 "$T/t.gpkg" "SELECT table_name FROM gpkg_contents") ||
    fail "timeofweek not in gpkg_contents"
(cd "$T" && "$BIN" demo --kde no --gistar no --lisa no -o pol.gpkg) > /dev/null 2>&1 || fail "demo run"
[ "$(sqlite3 "$T/pol.gpkg" "SELECT count(*) FROM gpkg_contents WHERE table_name = 'timeofweek'")" = 0 ] ||
    fail "police.uk months gave a timeofweek table"
echo PASS
