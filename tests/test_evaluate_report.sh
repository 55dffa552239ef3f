#!/bin/bash
# hotspot report on an evaluation's GeoPackage: DIR/evaluation.pdf, one
# page (pdfinfo), whose counts table (pdftotext) holds the counts that
# SpatiaLite gives (ST_Covers of the zones over the run's incidents; a
# point on a shared edge goes to the first zone, as regions.h says), whose
# WDD and interval are those worked here from those counts (Wheeler &
# Ratcliffe 2018 as ptools wdd(): counts over months, Poisson variances,
# the control standing in for a missing control buffer), and whose verdict
# says what the sign and interval say (and the buffer what the WDQ
# worked here says).  On the demo county (an area as the target with the
# rest as control; a control of two areas with a control buffer and
# unequal periods), and on incidents planted in a target, buffer and
# control made here (a significant rise, a significant fall, no change, an
# empty buffer: the counts known by construction).  Then: the same file
# gives the same bytes; --area and a broken file are errors, nothing
# written.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data
for tool in sqlite3 pdfinfo pdftotext python3; do
    command -v "$tool" > /dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
echo "SELECT load_extension('mod_spatialite');" | sqlite3 :memory: > /dev/null 2>&1 ||
    { echo "SKIP: SpatiaLite (mod_spatialite) not installed"; exit 77; }

# counts per group, zone and period of ev.gpkg's zones over the incidents
# of run.gpkg, by SpatiaLite: "group|column|n" into out
# (the incidents: SQL giving fid, g, month, geom)
RUN_INCIDENTS="SELECT fid, crime_group AS g, month, geom FROM incidents"
spatialite_counts() { # db ev.gpkg before-from before-to after-from after-to out [incidents]
    cat > "$T/q.sql" <<EOF
SELECT load_extension('mod_spatialite');
SELECT EnableGpkgAmphibiousMode();
ATTACH '$2' AS ev;
CREATE TEMP TABLE hits AS
  SELECT i.fid, i.g,
         min(CASE z.zone WHEN 'target' THEN 0 WHEN 'buffer' THEN 1
                         WHEN 'control' THEN 2 ELSE 3 END) AS zi,
         CASE WHEN i.month BETWEEN '$3' AND '$4' THEN 'before'
              WHEN i.month BETWEEN '$5' AND '$6' THEN 'after' END AS per
  FROM (${8:-$RUN_INCIDENTS}) i JOIN ev.zones z ON ST_Covers(z.geom, i.geom)
  GROUP BY i.fid;
SELECT g, CASE zi WHEN 0 THEN 'target' WHEN 1 THEN 'buffer' WHEN 2 THEN 'control'
                  ELSE 'control_buffer' END || '_' || per, count(*)
  FROM hits WHERE per IS NOT NULL GROUP BY g, zi, per;
EOF
    sqlite3 "$1" < "$T/q.sql" 2> "$T/sql.err" | grep '|' > "$7" ||
        fail "SpatiaLite: $(cat "$T/sql.err")"
}

# The page of ev.gpkg against counts.txt ("group|column|n"): the table's
# row of each group, WDD and its interval worked from the counts, the
# verdict's words.  The evaluation table gives only the groups' order and
# whether there is a control buffer.
check_page() { # ev.gpkg counts.txt months-before months-after label
    local dir=$T/pdf-$5
    "$BIN" report "$1" -o "$dir" > "$T/out.txt" 2> "$T/err.txt" ||
        fail "$5: report: $(cat "$T/err.txt")"
    grep -q "wrote .*evaluation.pdf" "$T/out.txt" || fail "$5: the report says $(cat "$T/out.txt")"
    [ "$(ls "$dir")" = evaluation.pdf ] || fail "$5: the folder holds $(ls "$dir")"
    local pages
    pages=$(pdfinfo "$dir/evaluation.pdf" | awk '/^Pages:/ { print $2 }')
    [ "$pages" = 1 ] || fail "$5: evaluation.pdf has $pages pages, want 1"
    pdftotext -layout "$dir/evaluation.pdf" "$T/layout.txt"
    pdftotext "$dir/evaluation.pdf" "$T/raw.txt"
    sqlite3 "$1" "SELECT crime_group FROM evaluation ORDER BY fid" > "$T/groups.txt"
    cb=$(sqlite3 "$1" "SELECT count(*) FROM zones WHERE zone = 'control buffer'")
    python3 - "$2" "$3" "$4" "$cb" "$T/groups.txt" "$T/layout.txt" "$T/raw.txt" <<'PY' ||
import math, re, sys
counts_f, wb, wa, cb, groups_f, layout_f, raw_f = sys.argv[1:]
wb, wa, cb = float(wb), float(wa), cb == "1"
label = {"asb": "ASB", "sac": "SAC", "violence": "Violence"}
n = {}
for line in open(counts_f):
    g, col, k = line.strip().split("|")
    n[(g, col)] = int(k)
layout = open(layout_f).read().splitlines()
raw = " ".join(open(raw_f).read().split())
z90 = 1.6448536269514722
zones = ["target", "buffer", "control"] + (["control_buffer"] if cb else [])
bad = []
def fmt(v):
    return f"{v:,d}"
def moved(c0, c1):
    x0, x1 = c0 / wb, c1 / wa
    if x0 <= 0 and x1 <= 0:
        return "had none in either period"
    if x0 <= 0:
        return f"rose from none to {x1:.1f} incidents a month"
    pct = 100 * (x1 / x0 - 1)
    r = int(math.floor(abs(pct) + 0.5)) * (1 if pct >= 0 else -1)
    if r == 0:
        return f"stayed level ({x0:.1f} and {x1:.1f} incidents a month)"
    return f"{'fell' if r < 0 else 'rose'} by {abs(r)}% ({x0:.1f} to {x1:.1f} incidents a month)"
for g in open(groups_f).read().split():
    c = {f"{z}_{p}": n.get((g, f"{z}_{p}"), 0) for z in zones for p in ("before", "after")}
    T, B, C = [(c[f"{z}_before"], c[f"{z}_after"]) for z in ("target", "buffer", "control")]
    D = (c["control_buffer_before"], c["control_buffer_after"]) if cb else C
    d = lambda x: x[1] / wa - x[0] / wb
    v = lambda x: x[1] / wa ** 2 + x[0] / wb ** 2
    wdd = d(T) - d(C) + d(B) - d(D)
    se = math.sqrt(v(T) + v(C) + v(B) + v(D))
    lo, hi = wdd - z90 * se, wdd + z90 * se
    lab = label.get(g, g)
    # the table: the group's row, its counts in zone order, then WDD
    rows = [l.split() for l in layout if l.split()[:1] == [lab]]
    row = next((r for r in rows if len(r) > 2 * len(zones) + 3), None)
    if not row:
        bad.append(f"{g}: no table row starting '{lab}'")
        continue
    want = [fmt(c[f"{z}_{p}"]) for z in zones for p in ("before", "after")]
    if row[1:1 + len(want)] != want:
        bad.append(f"{g}: counts {row[1:1 + len(want)]}, SpatiaLite {want}")
    got = [float(x) for x in (row[1 + len(want)], row[2 + len(want)], row[4 + len(want)])]
    if row[3 + len(want)] != "to" or any(abs(a - b) > 0.005 + 1e-9 for a, b in zip(got, (wdd, lo, hi))):
        bad.append(f"{g}: WDD {row[1 + len(want):5 + len(want)]}, worked here {wdd:.4f} ({lo:.4f} to {hi:.4f})")
    # the verdict: the changes, the WDD's reading, the buffer's
    if f"{lab} in the target {moved(*T)}, against the control, which {moved(*C)}." not in raw:
        bad.append(f"{g}: no '{lab} in the target {moved(*T)}, against the control, which {moved(*C)}.'")
    if wdd == 0:
        words = "so there is no net change"
    else:
        sig = lo > 0 or hi < 0
        words = (f"so the net {'fall' if wdd < 0 else 'rise'} is "
                 f"{'' if sig else 'not '}larger than chance would give")
    if f"WDD = {wdd:.2f} incidents a month (90% interval {lo:.2f} to {hi:.2f}), {words}." not in raw:
        bad.append(f"{g}: no 'WDD = {wdd:.2f} ... {words}' in the verdict")
    # this group's verdict: from its first words to the next verdict
    start = raw.find(f"{lab} in the target ")
    ends = [raw.find(f"{label.get(h, h)} in the target ", start + 1) for h in label.values()]
    ends = [e for e in ends + [raw.find("How to read this", start)] if e > start]
    seg = raw[start:min(ends)] if start >= 0 and ends else ""
    succ = T[1] / C[1] - T[0] / C[0] if C[0] and C[1] else float("nan")
    q = None
    if B == (0, 0):
        buf = "The buffer had no incidents in either period"
    elif not C[0] or not C[1]:
        buf = "No WDQ: no control crime"
    elif succ >= 0:
        buf = "No WDQ: the target did no better than the control" if succ > 0 else "No WDQ: the target changed as the control did"
    else:
        q = (B[1] / C[1] - B[0] / C[0]) / succ
        buf = "The buffer suggests " + ("diffusion of benefit" if q > 0 else
                                        "displacement" if q < 0 else "neither")
    if buf not in seg:
        bad.append(f"{g}: no '{buf}' in its verdict: {seg}")
    if q is not None:
        m = re.search(r"\(WDQ (-?[0-9]+\.[0-9][0-9])\)\.", seg)
        if not m or abs(float(m.group(1)) - q) > 0.005 + 1e-9:
            bad.append(f"{g}: WDQ {m.group(1) if m else 'none'} in its verdict, worked here {q:.4f}")
    print(f"  {lab}: counts {' '.join(want)}; WDD {wdd:+.2f} ({lo:.2f} to {hi:.2f}): {words}")
if bad:
    sys.exit("\n".join(bad))
PY
        fail "$5: the page differs from the counts worked here"
    echo "$5: evaluation.pdf, one page, as SpatiaLite counts and the formulas give"
}

# ---- the demo county -------------------------------------------------------------
(cd "$D" && "$BIN" run demo-local.ini --kde no --gistar no --lisa no --emerging no \
    -o "$T/all.gpkg") > /dev/null 2> "$T/err.txt" || fail "run: $(cat "$T/err.txt")"

(cd "$D" && "$BIN" evaluate demo-local.ini --target AB03 --before 2023-01:2023-06 \
    --after 2024-01:2024-06 -o "$T/ev1.gpkg") > /dev/null 2> "$T/err.txt" ||
    fail "evaluate AB03: $(cat "$T/err.txt")"
spatialite_counts "$T/all.gpkg" "$T/ev1.gpkg" 2023-01 2023-06 2024-01 2024-06 "$T/n1.txt"
check_page "$T/ev1.gpkg" "$T/n1.txt" 6 6 demo-AB03

(cd "$D" && "$BIN" evaluate demo-local.ini --target AB03 --buffer 400 --control AB05,AB06 \
    --control-buffer 200 --before 2023-03:2023-12 --after 2024-01:2024-04 -o "$T/ev2.gpkg") \
    > /dev/null 2> "$T/err.txt" || fail "evaluate AB03 against AB05,AB06: $(cat "$T/err.txt")"
spatialite_counts "$T/all.gpkg" "$T/ev2.gpkg" 2023-03 2023-12 2024-01 2024-04 "$T/n2.txt"
check_page "$T/ev2.gpkg" "$T/n2.txt" 10 4 demo-control-buffer

# ---- planted incidents -------------------------------------------------------------
# Target the square 1000-2000 (EPSG:27700), the buffer its 250 m ring, the
# control the square 5000-6000.  Before: 2024-01 to 2024-03 (3 months);
# after: 2024-04 to 2024-09 (6).  Per group, counts before -> after:
#   ASB      target 6 -> 60, buffer 0 -> 0, control 30 -> 60:  WDD +8.00
#            (se sqrt(12.33) = 3.51, z 2.28): a rise beyond chance; an
#            empty buffer
#   SAC      target 30 -> 12, buffer 3 -> 12, control 30 -> 60: WDD -7.00
#            (se 3.79, z -1.85): a fall beyond chance; WDQ (0.2 - 0.1) /
#            (0.2 - 1) = -0.125, displacement
#   Violence target 3 -> 6, buffer 1 -> 2, control 3 -> 6: WDD 0
# One target point of each period lies on the target's edge (x = 2000):
# the target's, not the buffer's.
cat > "$T/zone.py" <<'PY'
import json, sys
def square(x0, y0, s):
    return {"type": "Feature", "properties": {},
            "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + s, y0],
                         [x0 + s, y0 + s], [x0, y0 + s], [x0, y0]]]}}
x0 = float(sys.argv[1])
print(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties":
      {"name": "urn:ogc:def:crs:EPSG::27700"}}, "features": [square(x0, 1000, 1000)]}))
PY
python3 "$T/zone.py" 1000 > "$T/target.geojson"
python3 "$T/zone.py" 5000 > "$T/control.geojson"
python3 - "$T/planted.csv" <<'PY'
import sys
rows = ["category,date,x,y"]
types = {"asb": "Anti-social behaviour", "sac": "Burglary",
         "violence": "Violence and sexual offences"}
where = {"target": (1500, 1500), "buffer": (2100, 1500), "control": (5500, 1500)}
plan = {"asb": {"target": (6, 60), "buffer": (0, 0), "control": (30, 60)},
        "sac": {"target": (30, 12), "buffer": (3, 12), "control": (30, 60)},
        "violence": {"target": (3, 6), "buffer": (1, 2), "control": (3, 6)}}
for g, zones in plan.items():
    for z, (nb, na) in zones.items():
        for p, k in (("before", nb), ("after", na)):
            months = (1, 2, 3) if p == "before" else (4, 5, 6, 7, 8, 9)
            for i in range(k):
                x, y = where[z]
                if z == "target" and i == 0:
                    x = 2000  # on the edge
                rows.append(f"{types[g]},2024-{months[i % len(months)]:02d}-15,{x + i % 7},{y + i % 5}")
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
"$BIN" evaluate --incidents "$T/planted.csv" --category category --date date --x x --y y \
    --incidents-crs EPSG:27700 --target "$T/target.geojson" --control "$T/control.geojson" \
    --before 2024-01:2024-03 --after 2024-04:2024-09 -o "$T/ev3.gpkg" > "$T/out3.txt" 2> "$T/err.txt" ||
    fail "evaluate the planted incidents: $(cat "$T/err.txt")"
# no incident in any zone leaves WDD's z and the rate ratio undefined:
# said in words, not printf's "-nan"
head -n 1 "$T/planted.csv" > "$T/far.csv"
printf '%s\n' "Anti-social behaviour,2024-01-15,90000,90000" \
    "Anti-social behaviour,2024-02-15,90000,90000" >> "$T/far.csv"
"$BIN" evaluate --incidents "$T/far.csv" --category category --date date --x x --y y \
    --incidents-crs EPSG:27700 --target "$T/target.geojson" --control "$T/control.geojson" \
    --before 2024-01:2024-01 --after 2024-02:2024-02 -o "$T/ev4.gpkg" > "$T/out4.txt" 2> "$T/err4.txt" ||
    fail "evaluate incidents outside every zone: $(cat "$T/err4.txt")"
! grep -qi "nan" "$T/out4.txt" || fail "the summary prints NaN: $(grep -i nan "$T/out4.txt")"
grep -q "z undefined); WDQ none" "$T/out4.txt" || fail "no undefined z: $(cat "$T/out4.txt")"
grep -q "the buffer holds no asb incidents before or after" "$T/err.txt" ||
    fail "no warning of the empty buffer: $(cat "$T/err.txt")"
printf '%s\n' "asb|target_before|6" "asb|target_after|60" "asb|control_before|30" \
    "asb|control_after|60" "sac|target_before|30" "sac|target_after|12" "sac|buffer_before|3" \
    "sac|buffer_after|12" "sac|control_before|30" "sac|control_after|60" \
    "violence|target_before|3" "violence|target_after|6" "violence|buffer_before|1" \
    "violence|buffer_after|2" "violence|control_before|3" "violence|control_after|6" > "$T/n3.txt"
# SpatiaLite's count of the planted file itself, read by sqlite3
sqlite3 "$T/planted.db" ".import --csv $T/planted.csv planted"
spatialite_counts "$T/planted.db" "$T/ev3.gpkg" 2024-01 2024-03 2024-04 2024-09 "$T/n3s.txt" \
    "SELECT rowid AS fid, CASE category WHEN 'Anti-social behaviour' THEN 'asb'
       WHEN 'Burglary' THEN 'sac' ELSE 'violence' END AS g, substr(date, 1, 7) AS month,
       MakePoint(CAST(x AS REAL), CAST(y AS REAL), 27700) AS geom FROM planted"
diff <(sort "$T/n3.txt") <(sort "$T/n3s.txt") > /dev/null ||
    fail "SpatiaLite counts the planted incidents otherwise: $(diff <(sort "$T/n3.txt") <(sort "$T/n3s.txt"))"
check_page "$T/ev3.gpkg" "$T/n3.txt" 3 6 planted
tr '\n' ' ' < "$T/raw.txt" | tr -s ' ' > "$T/words.txt"
for want in "ASB in the target rose by 400% (2.0 to 10.0 incidents a month), against the control, which stayed level (10.0 and 10.0 incidents a month)." \
    "so the net rise is larger than chance would give" "so the net fall is larger than chance would give" \
    "so there is no net change" "The buffer had no incidents in either period" \
    "The buffer suggests displacement, smaller than the direct effect: a net gain remains (WDQ -0.1" \
    "How to read this." "Wheeler and Ratcliffe 2018" "Bowers and Johnson 2003" "Guerette 2009"; do
    grep -qF "$want" "$T/words.txt" || fail "planted: no '$want' in the verdicts"
done
echo "planted: a rise and a fall beyond chance, no change and an empty buffer, in words"

# ---- the same bytes; bad input ----------------------------------------------------
TZ=XYZ-13 "$BIN" report "$T/ev3.gpkg" -o "$T/again" > /dev/null 2>&1 || fail "second report"
cmp -s "$T/pdf-planted/evaluation.pdf" "$T/again/evaluation.pdf" ||
    fail "two reports of one evaluation differ"

set +e
"$BIN" report "$T/ev1.gpkg" -o "$T/bad1" --area AB03 > /dev/null 2> "$T/err.txt"
st=$?
set -e
[ "$st" = 2 ] && grep -q "is an evaluation" "$T/err.txt" ||
    fail "--area on an evaluation: exit $st, $(cat "$T/err.txt")"
[ ! -e "$T/bad1" ] || fail "--area on an evaluation made the folder"
cp "$T/ev1.gpkg" "$T/broken.gpkg"
sqlite3 "$T/broken.gpkg" "DROP TABLE evaluation_monthly; DELETE FROM gpkg_contents WHERE table_name = 'evaluation_monthly'"
set +e
"$BIN" report "$T/broken.gpkg" -o "$T/bad2" > /dev/null 2> "$T/err.txt"
st=$?
set -e
[ "$st" = 1 ] && grep -q "has no layer 'evaluation_monthly'" "$T/err.txt" ||
    fail "an evaluation without its monthly table: exit $st, $(cat "$T/err.txt")"
[ ! -e "$T/bad2" ] || fail "a broken evaluation made the folder"
echo "the same bytes twice; --area and a broken file are errors, nothing written"
