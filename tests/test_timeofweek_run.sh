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
# without surfaces there are no hotspots, so nothing to say of their hours
! grep -q "no peak hours" "$T/err.txt" || fail "--kde no: a note on peak hours: $(cat "$T/err.txt")"
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

# From/to windows (--start-time, --end-time on the extract's occurred_from
# and occurred_to): the timeofweek table against Ratcliffe's rules worked
# here from the extract's own rows (joined by line) with Python's calendar,
# hour by hour; hotspot_timeofweek and hotspot_monthly against the same,
# an incident being in a hotspot when the centre of its cell (floor rule:
# the cell east / north of an edge) is inside the polygon (ray casting
# here); each hotspot's and place's peak by brute force.
X=demo/local/demoshire-extract-2023-2024.csv
(cd "$D" && "$BIN" run --incidents "$X" --category offence_code --start-time occurred_from \
    --end-time occurred_to --x easting --y northing --incidents-crs EPSG:27700 \
    --areas demo/boards.geojson --area-id board_id --area-name board_name \
    --population demo/zones.geojson --population-value population --gistar no --lisa no \
    --emerging no -o "$T/ao.gpkg") > /dev/null 2> "$T/err.txt" || fail "run with windows: $(cat "$T/err.txt")"
python3 - "$T/ao.gpkg" "$D/$X" "$SRC/tests" <<'PY' || fail "aoristic tables differ from Ratcliffe's rules worked here"
import csv, datetime, math, sqlite3, struct, sys
from collections import defaultdict
sys.path.insert(0, sys.argv[3])
from windows import MIN, window
db = sqlite3.connect(sys.argv[1])
rows = {i + 2: r for i, r in enumerate(csv.DictReader(open(sys.argv[2])))}

def spread(r):
    """{(day, hour): share} by Ratcliffe's rules, hour by hour in calendar time"""
    s, e, d = window(r)
    if d is None or d < 2:
        return {(s.isoweekday(), s.hour): 1.0}
    if d >= 10080:
        return {(a, h): 1 / 168 for a in range(1, 8) for h in range(24)}
    out, h = defaultdict(float), s.replace(minute=0)
    while h < e:
        nxt = h + datetime.timedelta(hours=1)
        out[(h.isoweekday(), h.hour)] += ((min(nxt, e) - max(h, s)) // MIN) / d
        h = nxt
    return out

def wkb(blob):
    """GeoPackage geometry -> (type, WKB body offset) after the GP header"""
    flags = blob[3]
    env = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 7]
    return blob[8 + env:]

def point(blob):
    b = wkb(blob)
    e = "<" if b[0] == 1 else ">"
    return struct.unpack(e + "dd", b[5:21])

def polygons(blob):
    """a MultiPolygon's rings, [[ring, ...], ...]"""
    b, off = wkb(blob), 0
    def u32(): nonlocal off; v = struct.unpack(e + "I", b[off:off + 4])[0]; off += 4; return v
    e = "<" if b[0] == 1 else ">"
    off = 5
    polys = []
    for _ in range(u32()):
        e = "<" if b[off] == 1 else ">"
        off += 5
        rings = []
        for _ in range(u32()):
            n = u32()
            rings.append(struct.unpack(e + "d" * 2 * n, b[off:off + 16 * n]))
            off += 16 * n
        polys.append(rings)
    return polys

def inside(x, y, polys):
    c = False
    for rings in polys:
        for r in rings:
            pts = list(zip(r[0::2], r[1::2]))
            for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
                if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    c = not c
    return c

want = defaultdict(float)
inc = list(db.execute("SELECT fid, area_id, crime_group, source_row, month, period, geom "
                      "FROM incidents WHERE area_id IS NOT NULL "
                      "AND crime_group IN ('asb', 'sac', 'violence')"))
windows = 0
for fid, area, group, line, month, period, geom in inc:
    if period != "current":
        continue
    sp = spread(rows[line])
    windows += len(sp) > 1
    for k, v in sp.items():
        want[(area, group) + k] += v
got = {(a, g, d, h): w for a, g, d, h, w in
       db.execute("SELECT area_id, crime_group, day, hour, weight FROM timeofweek")}
keys = set(got) | {k for k, v in want.items() if v > 1e-12}
bad = [k for k in keys if abs(got.get(k, 0) - want.get(k, 0)) > 1e-9]
if bad:
    sys.exit(f"timeofweek: {len(bad)} rows differ, e.g. {bad[0]}: {got.get(bad[0])} vs {want.get(bad[0])}")
if windows < 1000:
    sys.exit(f"only {windows} incidents spread over several hours")

# hotspots: each incident's cell centre in a hotspot's polygon
htow, hmon, peaks, nh = defaultdict(float), defaultdict(float), {}, 0
ptow, place_peaks = defaultdict(float), {}
lo, hi = db.execute("SELECT min(month), max(month) FROM incidents").fetchone()
months = [f"{y}-{m:02d}" for y in range(int(lo[:4]), int(hi[:4]) + 1) for m in range(1, 13)
          if lo <= f"{y}-{m:02d}" <= hi]
for g in ("asb", "sac", "violence"):
    cell = db.execute("SELECT pixel_x_size FROM gpkg_tile_matrix WHERE table_name = ? "
                      "ORDER BY zoom_level DESC LIMIT 1",
                      (f"kde_{g}",)).fetchone()[0]
    spots = [(hid, polygons(geom), peak, share) for hid, geom, peak, share in
             db.execute(f"SELECT hotspot_id, geom, peak, peak_share FROM hotspots_{g}")]
    nh += len(spots)
    for fid, area, group, line, month, period, geom in inc:
        if group != g:
            continue
        x, y = point(geom)
        cx, cy = (math.floor(x / cell) + 0.5) * cell, (math.floor(y / cell) + 0.5) * cell
        for hid, polys, _, _ in spots:
            if inside(cx, cy, polys):
                hmon[(hid, month)] += 1
                if period == "current":
                    for k, v in spread(rows[line]).items():
                        htow[(hid,) + k] += v
                break
    for hid, _, peak, share in spots:
        peaks[hid] = (peak, share)
    # places for tasking: the same, their own cells
    places = [(f"{g}:{a}/{p}", polygons(geom), peak, share) for a, p, geom, peak, share in
              db.execute(f"SELECT area_id, priority, geom, peak, peak_share FROM tasking_{g}")]
    for fid, area, group, line, month, period, geom in inc:
        if group != g or period != "current":
            continue
        x, y = point(geom)
        cx, cy = (math.floor(x / cell) + 0.5) * cell, (math.floor(y / cell) + 0.5) * cell
        for pid, polys, _, _ in places:
            if inside(cx, cy, polys):
                for k, v in spread(rows[line]).items():
                    ptow[(pid,) + k] += v
                break
    for pid, _, peak, share in places:
        place_peaks[pid] = (peak, share)
got = {(i, d, h): w for i, d, h, w in db.execute("SELECT hotspot_id, day, hour, weight FROM hotspot_timeofweek")}
keys = set(got) | {k for k, v in htow.items() if v > 1e-12}
bad = [k for k in keys if abs(got.get(k, 0) - htow.get(k, 0)) > 1e-9]
if bad:
    sys.exit(f"hotspot_timeofweek: {len(bad)} rows differ, e.g. {bad[0]}: {got.get(bad[0])} vs {htow.get(bad[0])}")
got = {(i, m): n for i, m, n in db.execute("SELECT hotspot_id, month, incidents FROM hotspot_monthly")}
if set(got) != {(h, m) for h in peaks for m in months} or \
        any(abs(got[k] - hmon.get(k, 0)) > 1e-9 for k in got):
    sys.exit("hotspot_monthly differs from the count here")
# peaks by brute force: the H = 4 hours with most weight, earliest first
days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
tows = dict(htow)
tows.update(ptow)
for hid, (peak, share) in list(peaks.items()) + list(place_peaks.items()):
    w = [tows.get((hid, k // 24 + 1, k % 24), 0) for k in range(168)]
    sums = [sum(w[(k + q) % 168] for q in range(4)) for k in range(168)]
    best = max(sums)
    k = next(k for k in range(168) if sums[k] >= best - 1e-9)
    text = f"{days[k // 24]} {k % 24:02d}:00-{(k % 24 + 4) % 24:02d}:00"
    if peak != text or abs(share - 100 * best / sum(w)) > 1e-9:
        sys.exit(f"{hid}: peak {peak} {share}, brute force {text} {100 * best / sum(w)}")
print(f"windows: {len(inc)} incidents, {windows} in the period spread over several hours; "
      f"{nh} hotspots, their hours, months and peaks, and {len(place_peaks)} places' peaks "
      "as worked here")
PY
grep -q "timeofweek" <(sqlite3 "$T/t.gpkg" "SELECT table_name FROM gpkg_contents") ||
    fail "timeofweek not in gpkg_contents"
(cd "$T" && "$BIN" demo --kde no --gistar no --lisa no -o pol.gpkg) > /dev/null 2>&1 || fail "demo run"
[ "$(sqlite3 "$T/pol.gpkg" "SELECT count(*) FROM gpkg_contents WHERE table_name = 'timeofweek'")" = 0 ] ||
    fail "police.uk months gave a timeofweek table"
echo PASS
