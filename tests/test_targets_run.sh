#!/bin/bash
# --targets on the demo county: the targets table against Python's own
# count of the run's incidents layer (assigned to an area, in the group,
# by month) and the rules of analysis/targets.h worked here (so far; a
# year earlier; complete, seasonal or straight-line projection; red /
# amber / green at --rag-amber); then bad rows: each an error naming the
# file, line and field, nothing written.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }

# The demo data run to 2024-12: fy2024 is 9 months in (seasonal: 2023-04
# to 2024-03 is in the data), 2024q2 and 2024 complete, fy2023 complete
# with no year before it, 2024q4 complete; an amber and a green row.
cat > "$T/targets.csv" <<'EOF'
area_id,crime_group,period,target
all,asb,fy2024,3000
AB03,violence,2024q2,200
all,sac,2024,1200
AB05,asb,fy2023,100
ALL,violence,fy2024,2600
AB01,sac,2024q4,20
EOF
(cd "$D" && "$BIN" run demo-local.ini --kde no --gistar no --lisa no --targets "$T/targets.csv" \
    --rag-amber 7.5 -o "$T/t.gpkg") > /dev/null 2> "$T/err.txt" || fail "run: $(cat "$T/err.txt")"
python3 - "$T/t.gpkg" "$T/targets.csv" <<'PY' || fail "targets differ from the rules worked here"
import csv, sqlite3, sys
from collections import defaultdict
db = sqlite3.connect(sys.argv[1])
def m(s): y, mo = s.split("-"); return int(y) * 12 + int(mo) - 1
def period(p):
    p = p.lower()
    if p.startswith("fy"):
        y = int(p[2:6]); s = y * 12 + 3
        if "q" in p: q = int(p[-1]); return s + 3 * (q - 1), s + 3 * q - 1
        return s, s + 11
    y = int(p[:4])
    if "q" in p: q = int(p[-1]); return y * 12 + 3 * (q - 1), y * 12 + 3 * q - 1
    return y * 12, y * 12 + 11
count = defaultdict(float)
months = set()
for a, g, mo in db.execute("SELECT area_id, crime_group, month FROM incidents"):
    months.add(m(mo))
    if a is not None:
        count[(a, g, m(mo))] += 1
        count[("all", g, m(mo))] += 1
first, last = min(months), max(months)
amber = 7.5
got = {(r[0], r[1], r[2]): r[3:] for r in db.execute(
    "SELECT area_id, crime_group, period, count, prev_count, projected, target, status FROM targets")}
n = 0
for row in csv.DictReader(open(sys.argv[2])):
    a = "all" if row["area_id"].lower() == "all" else row["area_id"]
    g, p, target = row["crime_group"], row["period"], float(row["target"])
    f, t = period(p)
    upto = min(t, last)
    so_far = sum(count[(a, g, k)] for k in range(f, upto + 1))
    prev = (sum(count[(a, g, k - 12)] for k in range(f, upto + 1))
            if f - 12 >= first else None)
    if t <= last:
        proj = so_far
    elif f - 12 >= first and t - 12 <= last and prev:
        proj = so_far * sum(count[(a, g, k - 12)] for k in range(f, t + 1)) / prev
    else:
        proj = so_far * (t - f + 1) / (upto - f + 1)
    status = "green" if proj <= target else "amber" if proj <= target * (1 + amber / 100) else "red"
    c, pc, pj, tg, st = got[(a, g, p)]
    if abs(c - so_far) > 1e-9 or (prev is None) != (pc is None) or \
       (prev is not None and abs(pc - prev) > 1e-9) or abs(pj - proj) > 1e-9 * proj or st != status:
        sys.exit(f"{a} {g} {p}: {got[(a, g, p)]}, worked here {so_far} {prev} {proj} {status}")
    n += 1
if n != len(got) or {s for *_, s in got.values()} != {"green", "amber", "red"}:
    sys.exit(f"{len(got)} rows, statuses {[s for *_, s in got.values()]}: want every colour")
print(f"{n} targets as the rules say")
PY

# the county pack prints them as "Table 1", with their status
mkdir -p "$T/pack"
"$BIN" report "$T/t.gpkg" -o "$T/pack" > /dev/null 2> "$T/err.txt" || fail "report: $(cat "$T/err.txt")"
if command -v pdftotext > /dev/null; then
    pdftotext -layout "$T/pack/county.pdf" "$T/county.txt"
    grep -q "Table 1: performance against targets" "$T/county.txt" || fail "county.pdf: no Table 1"
    row=$(sqlite3 -separator ' ' "$T/t.gpkg" "SELECT period, printf('%,d', target), printf('%,d', count),
        printf('%,d', prev_count), printf('%,d', round(projected)), status FROM targets
        WHERE area_id = 'all' AND crime_group = 'asb'")
    grep -Eq "all +asb +$(echo "$row" | sed 's/ / +/g')" "$T/county.txt" ||
        fail "county.pdf: no row '$row': $(grep -A8 'Table 1' "$T/county.txt")"
fi

bad() { # message csv-body [flags]
    local msg=$1 body=$2
    shift 2
    printf 'area_id,crime_group,period,target\n%s\n' "$body" > "$T/bad.csv"
    rm -f "$T/bad.gpkg"
    set +e
    (cd "$D" && "$BIN" run demo-local.ini --kde no --gistar no --lisa no --targets "$T/bad.csv" \
        "$@" -o "$T/bad.gpkg") > /dev/null 2> "$T/err.txt"
    local st=$?
    set -e
    [ "$st" != 0 ] || fail "targets '$body': accepted"
    grep -q -- "$msg" "$T/err.txt" || fail "targets '$body': no '$msg' in: $(cat "$T/err.txt")"
    [ ! -e "$T/bad.gpkg" ] || fail "targets '$body': wrote a file"
}
bad "line 2, field area_id: no area 'AB99'" "AB99,asb,fy2024,10"
bad "line 2, field crime_group: 'burglary' is not one of this run's groups" "all,burglary,fy2024,10"
bad "line 2" "all,asb,fy2021,10"
bad "--rag-amber 'lots'" "all,asb,fy2024,10" --rag-amber lots
echo "bad rows: each an error naming the line and field"
