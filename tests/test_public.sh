#!/bin/bash
# Public outputs (--public, src/analysis/privacy.c): the demo run from a profile with
# "public = yes" and a threshold of 20 (the demo's boards hold 11 or more
# incidents a group, so 10 would suppress nothing), beside the same run
# without it.  Checks: no incident points; every count under the threshold
# NULL with everything derived from it; no suppressed count recoverable from
# a total (study rate x population, an area's months) minus the published
# counts; hotspots, labels and density cells as the rule says; the run
# table states the rule; styles and project name no missing table; the
# report works and says so; --public-exclude leaves a crime type out.
set -euo pipefail
. "$(dirname "$0")/common.sh"
TH=20
KDE=(--bandwidth 300 --cell 100) # street-level: small hotspots to drop

D=$SRC/data/demo
cat > "$T/pub.ini" <<EOF
[hotspot]
incidents = $D/policeuk
areas = $D/boards.geojson
area_id = board_id
area_name = board_name
population = $D/zones.geojson
population_value = population
public = yes
public_threshold = $TH
EOF
(cd "$T" && "$BIN" demo "${KDE[@]}" -o base.gpkg > /dev/null 2> err.txt) ||
    fail "baseline run: $(cat "$T/err.txt")"
(cd "$T" && "$BIN" run pub.ini "${KDE[@]}" -o pub.gpkg > /dev/null 2> err.txt) ||
    fail "public run: $(cat "$T/err.txt")"
P=$T/pub.gpkg
B=$T/base.gpkg
[ -f "$T/pub.qgz" ] || fail "no pub.qgz"

# No incident points, in any form.
[ "$(sqlite3 "$P" "SELECT count(*) FROM sqlite_master WHERE name = 'incidents'")" = 0 ] ||
    fail "public file has an incidents table"
[ "$(sqlite3 "$P" "SELECT count(*) FROM layer_styles WHERE f_table_name = 'incidents'")" = 0 ] ||
    fail "public file has a style for incidents"

# The run table states the rule.
[ "$(sqlite3 "$P" "SELECT value FROM run WHERE section = 'public' AND key = 'threshold'")" = $TH ] ||
    fail "run table: no public threshold $TH"
rule=$(sqlite3 "$P" "SELECT value FROM run WHERE section = 'public' AND key = 'rule'")
[[ $rule == *"under the threshold"*suppressed* ]] || fail "run table: no suppression rule"

# Counts, derived fields and secondary suppression, against the baseline.
python3 - "$B" "$P" $TH <<'PY' || fail "suppression check failed"
import sqlite3, sys
base, pub, th = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2]), int(sys.argv[3])
errs = []
def run(key):
    r = pub.execute("SELECT value FROM run WHERE section = 'public' AND key = ?", (key,)).fetchone()
    return r[0] if r else None
derived = ["count_per_km2", "rate", "rate_low", "rate_high", "rate_annual"]
change = ["change", "change_pct", "change_p"]
months = {}
for g in ("asb", "sac", "violence"):
    cols = "area_id, count, prev_count, population, " + ", ".join(derived + change) + ", vs_study, change_flag, study_rate"
    b = {r[0]: r for r in base.execute(f"SELECT {cols} FROM rates_{g}")}
    p = {r[0]: r for r in pub.execute(f"SELECT {cols} FROM rates_{g}")}
    assert b.keys() == p.keys()
    sup = {"count": [], "prev_count": []}
    for a, pr in p.items():
        br = dict(zip(cols.split(", "), b[a])); pr = dict(zip(cols.split(", "), pr))
        for f in ("count", "prev_count"):
            if br[f] < th and pr[f] is not None:
                errs.append(f"{g} {a}: {f} {br[f]} under {th} published")
            if pr[f] is not None and pr[f] != br[f]:
                errs.append(f"{g} {a}: {f} {pr[f]} differs from {br[f]}")
            if pr[f] is None:
                sup[f].append(a)
        if pr["count"] is None:
            left = [k for k in derived if pr[k] is not None]
            if left or pr["vs_study"] != "suppressed":
                errs.append(f"{g} {a}: count suppressed but {left} / vs_study {pr['vs_study']} published")
        if pr["count"] is None or pr["prev_count"] is None:
            left = [k for k in change if pr[k] is not None]
            if left or pr["change_flag"] != "suppressed":
                errs.append(f"{g} {a}: a count suppressed but {left} / {pr['change_flag']} published")
    # every area has a population in the demo, so the study rate gives the
    # total; total minus the published counts must not single out a count
    pop = sum(r[3] for r in p.values())
    rate = next(iter(p.values()))[-1]
    if rate is not None:
        total = round(rate * pop / 1000)
        rest = total - sum(r[1] for r in p.values() if r[1] is not None)
        n = len(sup["count"])
        true_rest = sum(b[a][1] for a in sup["count"])
        if rest != true_rest:
            errs.append(f"{g}: study total {total} does not match the data")
        if n == 1 or (n > 1 and rest < th):
            errs.append(f"{g}: total minus published = {rest} over {n} area(s): recoverable")
    for f in ("count", "prev_count"):
        n, s = len(sup[f]), sum(b[a][1 if f == "count" else 2] for a in sup[f])
        if n == 1 or (n > 1 and s < th):
            errs.append(f"{g}: {f}: {n} suppressed holding {s}: recoverable from the total")
    want = f"{len(sup['count'])} ("
    if not (run(f"areas_suppressed_{g}") or "").startswith(want):
        errs.append(f"{g}: run table says {run(f'areas_suppressed_{g}')}, {len(sup['count'])} NULL")
    months[g] = sup
if sum(len(s["count"]) for s in months.values()) == 0:
    errs.append("the test suppressed nothing: raise its threshold")

# monthly: an area's months of one period add up to its count
per = {r[1]: r[2] for r in pub.execute("SELECT section, key, value FROM run WHERE section = 'parameter'")}
cur = per["period"].split(" to ")
bm = {(r[0], r[1], r[2]): r[3] for r in base.execute("SELECT area_id, crime_group, month, count FROM monthly")}
pm = {(r[0], r[1], r[2]): r[3] for r in pub.execute("SELECT area_id, crime_group, month, count FROM monthly")}
assert bm.keys() == pm.keys()
groups = {}
for (a, g, m), v in pm.items():
    bv = bm[(a, g, m)]
    if bv < th and v is not None:
        errs.append(f"monthly {a} {g} {m}: {bv} under {th} published")
    if v is not None and v != bv:
        errs.append(f"monthly {a} {g} {m}: {v} differs from {bv}")
    period = "count" if cur[0] <= m <= cur[1] else "prev_count"
    groups.setdefault((a, g, period), []).append((v, bv))
nsup = 0
for (a, g, period), vs in groups.items():
    area_sup = a in months[g][period]
    hidden = [bv for v, bv in vs if v is None]
    nsup += len(hidden)
    if area_sup and len(hidden) != len(vs):
        errs.append(f"monthly {a} {g} {period}: area suppressed but months published")
    if not area_sup and (len(hidden) == 1 or (hidden and sum(hidden) < th)):
        errs.append(f"monthly {a} {g} {period}: {len(hidden)} month(s) holding {sum(hidden)}: recoverable from the area's count")
if nsup == 0:
    errs.append("no monthly count suppressed")

# hotspots: none under the threshold, no labels; tasking as published
for g in ("asb", "sac", "violence"):
    small = base.execute(f"SELECT count(*) FROM hotspots_{g} WHERE incidents < ?", (th,)).fetchone()[0]
    if run(f"hotspots_dropped_{g}") != str(small):
        errs.append(f"{g}: {small} hotspots under {th}, run table says {run(f'hotspots_dropped_{g}')}")
    if pub.execute(f"SELECT count(*) FROM hotspots_{g} WHERE incidents < ? OR label IS NOT NULL", (th,)).fetchone()[0]:
        errs.append(f"{g}: hotspot under the threshold or with a label")
    kept = pub.execute(f"SELECT count(*) FROM hotspots_{g}").fetchone()[0]
    allb = base.execute(f"SELECT count(*) FROM hotspots_{g}").fetchone()[0]
    if kept != allb - small:
        errs.append(f"{g}: {kept} hotspots kept of {allb}, {small} small")
    if pub.execute(f"SELECT count(*) FROM tasking_{g} WHERE hotspot_id NOT IN (SELECT hotspot_id FROM hotspots_{g})").fetchone()[0]:
        errs.append(f"tasking_{g} names a dropped hotspot")
    for a, pct, pai in pub.execute(f"SELECT area_id, cum_incidents_pct, pai FROM tasking_{g}"):
        if a in months[g]["count"] and (pct is not None or pai is not None):
            errs.append(f"tasking_{g} {a}: cum_incidents_pct or pai gives a suppressed count")
    if pub.execute(f"SELECT count(*) FROM tasking_{g} WHERE incidents < ? OR label IS NOT NULL", (th,)).fetchone()[0]:
        errs.append(f"tasking_{g}: a place under the threshold or with a label")
    # the same places as the baseline's that hold the threshold or more
    want = base.execute(f"SELECT area_id, hex(geom), incidents FROM tasking_{g} WHERE incidents >= ? ORDER BY 1, 2", (th,)).fetchall()
    got = pub.execute(f"SELECT area_id, hex(geom), incidents FROM tasking_{g} ORDER BY 1, 2").fetchall()
    if want != got:
        errs.append(f"tasking_{g}: {len(got)} places published, {len(want)} of the baseline's hold {th} or more")
if errs:
    print("\n".join(errs[:20]))
    sys.exit(1)
print("counts, derived fields, monthly and hotspots: suppressed as the rule says")
PY

# Density: published cells equal the baseline, and each is reached by at
# least TH incidents (quartic: radius = bandwidth); blanked cells by fewer.
gdal_translate -q -of XYZ "GPKG:$P:kde_violence" "$T/p.xyz"
gdal_translate -q -of XYZ "GPKG:$B:kde_violence" "$T/b.xyz"
ogr2ogr -f CSV "$T/pts.csv" "$B" incidents -lco GEOMETRY=AS_XY \
    -where "crime_group = 'violence' AND period = 'current'"
bw=$(sqlite3 "$P" "SELECT value FROM run WHERE key = 'bandwidth_violence'" | cut -d' ' -f1)
python3 - "$T/p.xyz" "$T/b.xyz" "$T/pts.csv" "$bw" $TH <<'PY' || fail "density check failed"
import csv, random, sys
p = [l.split() for l in open(sys.argv[1])]
b = [l.split() for l in open(sys.argv[2])]
pts = [(float(r["X"]), float(r["Y"])) for r in csv.DictReader(open(sys.argv[3]))]
r2, th = float(sys.argv[4]) ** 2, int(sys.argv[5])
assert len(p) == len(b)
shown, blank = [], []
for (x, y, v), (_, _, bv) in zip(p, b):
    if float(v) != -9999:
        if float(v) != float(bv):
            sys.exit(f"cell {x},{y}: {v} differs from {bv}")
        shown.append((float(x), float(y)))
    elif float(bv) != -9999:
        blank.append((float(x), float(y)))
if not blank or not shown:
    sys.exit(f"{len(shown)} cells shown, {len(blank)} blanked: nothing tested")
random.seed(1)
for cells, ok in ((shown, lambda n: n >= th), (blank, lambda n: n < th)):
    for x, y in random.sample(cells, min(300, len(cells))):
        n = sum((x - px) ** 2 + (y - py) ** 2 < r2 for px, py in pts)
        if not ok(n):
            sys.exit(f"cell {x},{y}: reached by {n} incidents, shown={cells is shown}")
print(f"density: {len(shown)} cells shown, {len(blank)} blanked, as the rule says")
PY

# Styles and project: no table that is not in the file.
missing=$(sqlite3 "$P" "SELECT DISTINCT f_table_name FROM layer_styles WHERE f_table_name NOT IN (SELECT table_name FROM gpkg_contents)")
[ -z "$missing" ] || fail "styles for missing tables: $missing"
n=$(sqlite3 "$P" "SELECT count(*) FROM layer_styles WHERE f_table_name = 'rates_sac'
        AND styleQML LIKE '%value=\"suppressed\" label=\"Suppressed: fewer than $TH %'")
[ "$n" = 1 ] || fail "vs_study style has no suppressed class"
python3 - "$P" <<'PY' || fail "project check failed"
import io, re, sqlite3, sys, zipfile
db = sqlite3.connect(sys.argv[1])
tables = {r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")}
(content,) = db.execute("SELECT content FROM qgis_projects WHERE name = 'hotspot'").fetchone()
z = zipfile.ZipFile(io.BytesIO(bytes.fromhex(content)))
xml = z.read([n for n in z.namelist() if n.endswith(".qgs")][0]).decode()
named = set(re.findall(r"layername=([A-Za-z0-9_]+)", xml)) | set(re.findall(r"GPKG:[^<]*?:([A-Za-z0-9_]+)<", xml))
if not named:
    sys.exit("project names no layer")
if named - tables:
    sys.exit(f"project names missing tables: {named - tables}")
if "incidents" in named:
    sys.exit("project names the incidents layer")
PY

# The statistics: gistar_<group> shows no count under the threshold;
# emerging_<group> holds no counts at all; lisa_<group> leaves out every
# area whose count is suppressed (no value, lag, I or quadrant), and the
# others' values come from published counts only: b, the EB mean, is the
# published counts over their populations.
for g in asb sac violence; do
    n=$(sqlite3 "$P" "SELECT count(*) FROM gistar_$g WHERE count IS NOT NULL AND count < $TH")
    [ "$n" = 0 ] || fail "gistar_$g shows $n counts under $TH"
    n=$(sqlite3 "$P" "SELECT count(*) FROM pragma_table_info('emerging_$g') WHERE name LIKE '%count%'")
    [ "$n" = 0 ] || fail "emerging_$g has a count field"
    n=$(sqlite3 "$P" "SELECT count(*) FROM lisa_$g l JOIN rates_$g r USING (area_id)
        WHERE r.count IS NULL AND (l.value IS NOT NULL OR l.quadrant IS NOT NULL OR l.local_i IS NOT NULL)")
    [ "$n" = 0 ] || fail "lisa_$g: $n suppressed areas with a value or quadrant"
    n=$(sqlite3 "$P" "SELECT count(*) FROM lisa_$g l JOIN rates_$g r USING (area_id)
        WHERE r.count IS NOT NULL AND r.population > 0 AND l.value IS NULL")
    [ "$n" = 0 ] || fail "lisa_$g: $n published areas left out"
    b=$(sqlite3 "$P" "SELECT value FROM run WHERE key = 'lisa_$g'" | sed 's/.*EB b \([^,]*\),.*/\1/')
    want=$(sqlite3 "$P" "SELECT printf('%.6g', 1.0 * sum(count) / sum(population)) FROM rates_$g
        WHERE count IS NOT NULL AND population > 0")
    [ "$(printf '%.6g' "$b")" = "$want" ] || fail "lisa_$g: EB b $b, from the published counts $want"
done
# the run table's quadrant tally, against the layer (the baseline run)
for g in asb sac violence; do
    want=$(sqlite3 "$B" "SELECT printf('%d areas in the analysis; HH %d, LL %d, HL %d, LH %d, not significant %d',
        sum(quadrant IS NOT NULL), sum(quadrant = 'HH'), sum(quadrant = 'LL'), sum(quadrant = 'HL'),
        sum(quadrant = 'LH'), sum(quadrant = 'not significant')) FROM lisa_$g")
    got=$(sqlite3 "$B" "SELECT value FROM run WHERE key = 'lisa_$g'")
    [ "${got%%; EB*}" = "$want" ] || fail "run table lisa_$g '$got', the layer: '$want'"
done
echo "statistics: no Gi* count under $TH, emerging without counts, local Moran from published counts only"

# The report works on the public file and says the data are suppressed.
mkdir "$T/packs"
"$BIN" report "$P" -o "$T/packs" > /dev/null 2> "$T/err.txt" || fail "report: $(cat "$T/err.txt")"
a=$(sqlite3 "$P" "SELECT area_id FROM rates_sac WHERE count IS NULL LIMIT 1")
pdftotext -layout -f 1 -l 1 "$T/packs/$a.pdf" "$T/r.txt"
grep -q "Public release: counts under $TH suppressed" "$T/r.txt" || fail "report: no public-release note"
grep -Eq "^ *Incidents, .* suppressed" "$T/r.txt" || fail "report: $a's suppressed count not shown as suppressed"
pdftotext -layout "$T/packs/county.pdf" "$T/c.txt"
grep -q "Public release" "$T/c.txt" || fail "county.pdf: no public-release note"
! grep -q "On or near" "$T/c.txt" || fail "county.pdf names a location"

# --public-exclude: Robbery left out of SAC (police.uk files can separate it).
(cd "$T" && "$BIN" run pub.ini --public-exclude "robbery, No such type" --kde no \
    -o ex.gpkg > /dev/null 2> err.txt) || fail "exclude run: $(cat "$T/err.txt")"
grep -q "no crime type or group 'No such type'" "$T/err.txt" || fail "no warning for an unknown exclusion"
want=$(python3 -c 'import csv, glob, sys
print(sum(r["Crime type"] == "Robbery" for f in glob.glob(sys.argv[1] + "/*/*.csv") for r in csv.DictReader(open(f))))' "$D/policeuk")
got=$(sqlite3 "$T/ex.gpkg" "SELECT value FROM run WHERE section = 'public' AND key = 'excluded_incidents'")
[ "$got" = "$want" ] && [ "$want" -gt 0 ] || fail "excluded_incidents $got, want $want Robbery rows"
want=$(sqlite3 "$B" "SELECT count(*) FROM incidents WHERE crime_group = 'sac' AND crime_type <> 'Robbery' AND period = 'current' AND area_id IS NOT NULL")
got=$(sqlite3 "$T/ex.gpkg" "SELECT CAST(round(max(study_rate) * sum(population) / 1000) AS INTEGER) FROM rates_sac")
[ "$got" = "$want" ] || fail "SAC without Robbery: study total $got, want $want"

# hotspot kde --public: June 2024, Anti-social behaviour left out, r = 1 km
# on 2 km cells, threshold 5.  Every cell against a count of the incidents
# within r of its centre, from the baseline run's incidents layer (the same
# rows, in British National Grid): nodata exactly where fewer than 5.
ogr2ogr -f CSV "$T/jun.csv" "$B" incidents -where "month = '2024-06'" \
    -lco GEOMETRY=AS_XY -select crime_type
"$BIN" kde --incidents "$D/policeuk" --from 2024-06 --to 2024-06 --bandwidth 1000 \
    --cell 2000 --public --public-threshold 5 --public-exclude "Anti-social behaviour" \
    -o "$T/pk.tif" > "$T/pk.txt" 2> "$T/err.txt" || fail "kde --public: $(cat "$T/err.txt")"
want=$(python3 -c 'import csv, glob, sys
print(sum(r["Crime type"] == "Anti-social behaviour" for f in glob.glob(sys.argv[1] + "/*/*.csv") for r in csv.DictReader(open(f))))' "$D/policeuk")
grep -q "; $want incidents of excluded types left out" "$T/pk.txt" && [ "$want" -gt 0 ] ||
    fail "kde --public: not $want ASB incidents left out: $(cat "$T/pk.txt")"
gdalinfo "$T/pk.tif" | grep -q "NoData Value=-9999" || fail "kde --public: no nodata value"
gdal_translate -q -of XYZ "$T/pk.tif" "$T/pk.xyz"
awk -v r=1000 -v th=5 '
    FNR == NR { if (FNR > 1 && $3 != "Anti-social behaviour") { n++; px[n] = $1; py[n] = $2 }; next }
    { c = 0
      for (i = 1; i <= n; i++) if (($1 - px[i])^2 + ($2 - py[i])^2 < r * r) c++
      if (($3 == -9999) != (c < th)) bad++
      if ($3 == -9999) blank++; else kept++ }
    END { printf "kde --public: %d cells kept, %d nodata, %d against the count\n", kept, blank, bad
          print blank, kept + blank > "/dev/stderr"
          exit (bad > 0 || kept == 0 || blank == 0) }' FS=, "$T/jun.csv" FS=' ' "$T/pk.xyz" 2> "$T/pk.n" ||
    fail "kde --public: cells kept or blanked against the rule"
read -r blank cells < "$T/pk.n"
grep -q "public: $blank of $cells cells are nodata" "$T/pk.txt" ||
    fail "kde --public: the summary does not say $blank of $cells cells: $(cat "$T/pk.txt")"

# Bad values are usage errors.
set +e
"$BIN" demo --public --public-threshold 0 -o "$T/x.gpkg" > /dev/null 2>&1; rc=$?
"$BIN" kde --incidents "$D/policeuk" --public maybe -o "$T/x.tif" > /dev/null 2>&1; rk=$?
set -e
[ $rc = 2 ] || fail "--public-threshold 0: exit $rc, want 2"
[ $rk = 2 ] && [ ! -e "$T/x.tif" ] || fail "kde --public maybe: exit $rk, want 2"
echo "public outputs: OK"
