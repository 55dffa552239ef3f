#!/bin/bash
# hotspot report, end to end on the demo county: the run's monthly table
# against a count over the incidents layer (sqlite3); then the PDFs: page
# counts (pdfinfo), the numbers printed (pdftotext) against values computed
# here from the GeoPackage (counts from the incidents layer, rates and
# Byar's interval with awk), pixels of the rendered pages (pdftoppm), the
# same report without density surfaces (no hotspot colour may appear), file
# names, and the errors for bad input.  The force extract (dates and times,
# a --previous run): the time-of-week page (totals, scale and the busiest
# and empty hours' cells against sqlite sums of timeofweek), the hotspots'
# grids and the tasking table's peaks as the layers hold them, the county's
# hotspot trends with their status; police.uk and --public packs say why
# they have no time-of-week page.
set -euo pipefail
. "$(dirname "$0")/common.sh"
q() { sqlite3 "$G" "$@"; }

# Street-level bandwidth and cell (README), so that boards have hotspots
# small enough for their tasking lists.
(cd "$T" && "$BIN" demo --bandwidth 500 --cell 100 -o demo.gpkg > out.txt 2> err.txt) ||
    fail "demo run failed: $(cat "$T/err.txt")"
G=$T/demo.gpkg

# ---- the monthly table -------------------------------------------------------
nareas=$(q "SELECT count(*) FROM areas")
months=$(q "SELECT value FROM run WHERE section='parameter' AND key='months'")
rows=$(q "SELECT count(*) FROM monthly")
[ "$rows" = $((nareas * 3 * months * 2)) ] ||
    fail "monthly has $rows rows, want areas $nareas x 3 groups x $((months * 2)) months"
[ "$(q "SELECT count(DISTINCT area_id || '|' || crime_group || '|' || month) FROM monthly")" = "$rows" ] ||
    fail "monthly has duplicate area x group x month rows"
[ "$(q "SELECT count(*) FROM monthly WHERE count = 0")" -gt 0 ] || fail "monthly has no zero rows"
# every non-zero row equals a GROUP BY over the incident points
q "SELECT area_id, crime_group, month, count(*) FROM incidents
   WHERE area_id IS NOT NULL AND crime_group IN ('asb', 'sac', 'violence')
     AND period IN ('current', 'comparison') GROUP BY 1, 2, 3 ORDER BY 1, 2, 3" > "$T/want_m.txt"
q "SELECT area_id, crime_group, month, count FROM monthly WHERE count > 0 ORDER BY 1, 2, 3" > "$T/got_m.txt"
diff "$T/want_m.txt" "$T/got_m.txt" > /dev/null ||
    fail "monthly differs from the incidents layer: $(diff "$T/want_m.txt" "$T/got_m.txt" | head -5)"
# the months are exactly those of both periods, from the run table
read -r pfrom pto < <(q "SELECT value FROM run WHERE key='period'" | awk '{ print $1, $3 }')
read -r cfrom cto < <(q "SELECT value FROM run WHERE key='compare_period'" | awk '{ print $1, $3 }')
bad=$(q "SELECT count(*) FROM monthly WHERE NOT (month BETWEEN '$pfrom' AND '$pto' OR month BETWEEN '$cfrom' AND '$cto')")
[ "$bad" = 0 ] || fail "$bad monthly rows outside both periods"
echo "monthly: $rows rows (zeros included), as a GROUP BY over the incidents layer counts"

# ---- the PDFs -----------------------------------------------------------------
for tool in pdfinfo pdftoppm pdftotext python3; do
    command -v "$tool" > /dev/null || { echo "SKIP: $tool not installed (poppler-utils, python3)"; exit 77; }
done

mkdir "$T/packs"
"$BIN" report "$G" -o "$T/packs" > "$T/out.txt" 2> "$T/err.txt" || fail "report failed: $(cat "$T/err.txt")"
[ "$(ls "$T/packs" | grep -c '\.pdf$')" = $((nareas + 1)) ] || fail "expected $nareas area PDFs and county.pdf: $(ls "$T/packs")"
[ -z "$(ls -A "$T/packs" | grep -v '\.pdf$' || true)" ] || fail "stray files: $(ls -A "$T/packs")"
for id in $(q "SELECT area_id FROM areas"); do
    n=$(pdfinfo "$T/packs/$id.pdf" | awk '/^Pages:/ { print $2 }')
    [ "$n" = 4 ] || fail "$id.pdf has $n pages, want 4 (the fourth: Gi*)"
done
[ "$(pdfinfo "$T/packs/county.pdf" | awk '/^Pages:/ { print $2 }')" = 2 ] ||
    fail "county.pdf is not two pages (the second: hotspot trends)"
echo "report: $nareas packs of 4 pages and a two-page county.pdf"

# Reproducible: the same GeoPackage gives byte-identical PDFs.  cairo would
# stamp the clock's local time, so the second report runs in another time
# zone (a POSIX rule, no tzdata needed), which differs even in the same
# second.  The dates are the run's own timestamp (gpkg_contents.last_change
# of layer 'run', pinned by hotspot run), whatever the clock says.
mkdir "$T/again"
TZ=XYZ-13 "$BIN" report "$G" -o "$T/again" > /dev/null 2> "$T/err.txt" ||
    fail "second report failed: $(cat "$T/err.txt")"
[ "$(ls -A "$T/again")" = "$(ls -A "$T/packs")" ] || fail "the second report wrote: $(ls -A "$T/again")"
for f in "$T"/packs/*.pdf; do
    cmp -s "$f" "$T/again/${f##*/}" ||
        fail "${f##*/} differs between two reports of one GeoPackage: $(cmp "$f" "$T/again/${f##*/}" || true)"
done
stamp=$(q "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', last_change) FROM gpkg_contents WHERE table_name = 'run'")
pdate() { pdfinfo -isodates "$1" | awk -v k="$2:" '$1 == k { print $2 }'; }
for k in CreationDate ModDate; do
    [ "$(pdate "$T/packs/county.pdf" $k)" = "$stamp" ] ||
        fail "county.pdf $k is '$(pdate "$T/packs/county.pdf" $k)', want the run's $stamp"
done
# another timestamp in the file, another date in the PDFs
cp "$G" "$T/dated.gpkg"
sqlite3 "$T/dated.gpkg" "UPDATE gpkg_contents SET last_change = '2024-01-31T12:34:56.789Z' WHERE table_name = 'run'"
mkdir "$T/dated"
"$BIN" report "$T/dated.gpkg" --area AB05 -o "$T/dated" > /dev/null 2>&1 || fail "report of dated.gpkg failed"
[ "$(pdate "$T/dated/AB05.pdf" CreationDate)" = 2024-01-31T12:34:56Z ] ||
    fail "AB05.pdf is dated '$(pdate "$T/dated/AB05.pdf" CreationDate)', not by the run's last_change"
echo "reproducible: $((nareas + 1)) PDFs byte-identical across two reports, dated $stamp (the run's)"

# Page 1 of AB03: the key figures, computed here.  Counts from the incident
# points, rates from the areas' population, Byar's 95% interval with awk
# (all three counts are >= 10), the county rate from the totals.
A=AB03
pdftotext -layout -f 1 -l 1 "$T/packs/$A.pdf" "$T/p1.txt"
want_counts="" want_rates="" want_ci="" want_study=""
pop=$(q "SELECT population FROM areas WHERE area_id='$A'")
for g in asb sac violence; do
    n=$(q "SELECT count(*) FROM incidents WHERE area_id='$A' AND crime_group='$g' AND period='current'")
    [ "$n" -ge 10 ] || fail "test assumes $g count >= 10 in $A"
    tot=$(q "SELECT count(*) FROM incidents i JOIN areas a USING (area_id) WHERE i.crime_group='$g' AND i.period='current' AND a.population > 0")
    totpop=$(q "SELECT sum(population) FROM areas WHERE population > 0")
    want_counts="$want_counts $n"
    want_rates="$want_rates $(awk -v n="$n" -v p="$pop" 'BEGIN { printf "%.2f", n / p * 1000 }')"
    want_ci="$want_ci $(awk -v o="$n" -v p="$pop" 'BEGIN { z = 1.959964
        l = o * (1 - 1 / (9 * o) - z / (3 * sqrt(o)))^3
        u = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * sqrt(o + 1)))^3
        printf "%.2f to %.2f", l / p * 1000, u / p * 1000 }')"
    want_study="$want_study $(awk -v n="$tot" -v p="$totpop" 'BEGIN { printf "%.2f", n / p * 1000 }')"
done
row() { grep -m1 "^ *$1" "$T/p1.txt" | sed "s/^ *$1//" | tr -s ' ' | sed 's/^ //; s/ $//'; }
got=$(row "Incidents, $(date -d "${pfrom}-01" '+%b %Y') to $(date -d "${pto}-01" '+%b %Y')")
[ "$got" = "${want_counts# }" ] || fail "$A counts printed '$got', want '${want_counts# }'"
got=$(row "Rate per 1,000 residents")
[ "$got" = "${want_rates# }" ] || fail "$A rates printed '$got', want '${want_rates# }'"
got=$(row "95% confidence interval of the rate")
[ "$got" = "${want_ci# }" ] || fail "$A intervals printed '$got', want '${want_ci# }'"
got=$(row "County rate per 1,000 residents")
[ "$got" = "${want_study# }" ] || fail "$A county rates printed '$got', want '${want_study# }'"
# the comparison, from the interval and the county rate computed above
want_vs=$(paste <(echo $want_ci | sed 's/ to /:/g' | tr ' ' '\n') <(echo $want_study | tr ' ' '\n') |
    awk -F'[:\t]' '{ printf "%s%s", (NR > 1 ? " " : ""), ($1 > $3 ? "Higher" : $2 < $3 ? "Lower" : "Similar") }')
got=$(row "Compared with the county rate")
[ "$got" = "$want_vs" ] || fail "$A comparison printed '$got', want '$want_vs'"
grep -q "Open Government Licence v3.0" "$T/p1.txt" || fail "no OGL attribution on page 1"
grep -q "Contains OS data © Crown copyright and database right" "$T/p1.txt" || fail "no OS attribution"
echo "$A page 1: counts${want_counts}, rates${want_rates}, intervals and county rates as computed here"

# Page 3: the board's first place for tasking, with its hotspot, label and
# incidents.  The incidents inside it are counted again with SpatiaLite.
IFS='|' read -r B hid label < <(q "SELECT area_id, coalesce(hotspot_id, '–'), label FROM tasking_asb WHERE priority = 1 ORDER BY area_id LIMIT 1")
[ -n "$B" ] || fail "no tasking rows for asb in the street-level run"
n=$(ogrinfo -q "$G" -dialect SQLite -sql "SELECT count(*) AS n FROM tasking_asb t, incidents i
    WHERE t.area_id = '$B' AND t.priority = 1 AND i.crime_group = 'asb' AND i.period = 'current'
      AND ST_Intersects(t.geom, i.geom)" | awk -F'= ' '/n \(Integer\)/ { print $2 }')
pdftotext -layout -f 3 -l 3 "$T/packs/$B.pdf" "$T/p3.txt"
grep -Eq "^ *1 +$hid +$label +[0-9]+ +$n .* –$" "$T/p3.txt" ||
    fail "$B page 3 lacks priority 1 '$hid $label' with $n incidents and no peak: $(grep -m2 "$label" "$T/p3.txt" || true)"
# police.uk has months only: no peak hours, and the page says why there is
# no time-of-week page (the pack is 4 pages, the fourth Gi*: checked above)
[ "$(q "SELECT count(*) FROM tasking_asb WHERE peak IS NOT NULL")" = 0 ] || fail "police.uk run has peaks"
tr '\n' ' ' < "$T/p3.txt" | tr -s ' ' | grep -q "The incidents have no times (police.uk gives months only): no hours of the week, so no peak hours and no time-of-week page." ||
    fail "$B page 3 does not say why there is no time-of-week page"
echo "$B page 3: priority 1 is in $hid ($label), $n incidents as SpatiaLite counts; no peak, and why"

# The county page: every board, and the top ASB hotspot with its board.
pdftotext -layout "$T/packs/county.pdf" "$T/county.txt"
for id in $(q "SELECT area_id FROM areas"); do
    grep -q "($id)" "$T/county.txt" || fail "county.pdf lacks $id"
done
IFS="|" read -r top_id top_board < <(q "SELECT h.hotspot_id, a.area_name FROM hotspots_asb h JOIN areas a USING (area_id) ORDER BY h.incidents DESC LIMIT 1")
grep -q "$top_id  *$top_board" "$T/county.txt" || fail "county.pdf: top ASB hotspot $top_id ($top_board) missing"
# The back-test in plain words, on the county page and the tasking pages:
# the means of backtest_<group>'s chosen rows, as sqlite computes them.
for g in asb sac violence; do
    IFS='|' read -r m hr pai bw < <(q "SELECT count(*), printf('%.0f', avg(hit_rate)),
        printf('%.1f', avg(pai)), printf('%.0f', max(bandwidth)) FROM backtest_$g
        WHERE chosen = 1 AND pai IS NOT NULL")
    [ "$m" -gt 0 ] || fail "backtest_$g has no chosen rows"
    want="($m months).*held $hr% of the next.*(PAI $pai, PEI [0-9.]+; bandwidth $bw m)"
    tr '\n' ' ' < "$T/county.txt" | tr -s ' ' | grep -Eq "$want" || fail "county.pdf: no '$want' for $g"
    tr '\n' ' ' < "$T/p3.txt" | tr -s ' ' | grep -Eq "$want" || fail "$B page 3: no '$want' for $g"
done
echo "county page and tasking page: the back-tests' hit rates and PAI, as sqlite averages them"
# ... and each group's emerging and persistent hot cells, as sqlite counts
# them in emerging_<group>, with the board holding most of them.
for g in asb sac violence; do
    IFS='|' read -r pe it nw co < <(q "SELECT sum(category = 'persistent hot spot'),
        sum(category = 'intensifying hot spot'), sum(category = 'new hot spot'),
        sum(category = 'consecutive hot spot') FROM emerging_$g")
    want="cells: $pe persistent, $it intensifying, $nw new, $co consecutive"
    IFS='|' read -r top tn < <(q "SELECT a.area_name, count(*) FROM emerging_$g e JOIN areas a USING (area_id)
        WHERE category IN ('persistent hot spot', 'intensifying hot spot', 'new hot spot',
        'consecutive hot spot') GROUP BY a.fid ORDER BY 2 DESC, a.fid LIMIT 1")
    [ -z "$top" ] || want="$want; most in $top \\($tn\\)"
    tr '\n' ' ' < "$T/county.txt" | tr -s ' ' | grep -Eq "$want" || fail "county.pdf: no '$want' for $g"
done
echo "county page: emerging and persistent hot cells per group as sqlite counts them"
# Page 2 of county.pdf: each group's 5 top hotspots by rank, with their
# boards, as lines of a monthly chart
pdftotext -layout -f 2 -l 2 "$T/packs/county.pdf" "$T/county2.txt"
grep -q "the largest hotspots month by month" "$T/county2.txt" || fail "county.pdf page 2 is not the trends"
for g in asb sac violence; do
    q "SELECT h.hotspot_id, a.area_name FROM hotspots_$g h JOIN areas a USING (area_id)
       ORDER BY h.rank LIMIT 5" > "$T/top5.txt"
    [ "$(wc -l < "$T/top5.txt")" = 5 ] || fail "test assumes 5 $g hotspots"
    while IFS='|' read -r id board; do
        grep -Eq "$id +$board" "$T/county2.txt" || fail "county.pdf page 2: no $id ($board) in the $g key"
    done < "$T/top5.txt"
done
[ "$(q "SELECT count(DISTINCT month) FROM hotspot_monthly")" = $((months * 2)) ] ||
    fail "hotspot_monthly does not span both periods"
echo "county page 2: the 5 top hotspots of each group by rank, with their boards"

# Pixels.  pdftoppm writes PPM; count the pixels near a colour.
# Optional: a box in PDF points (x0 y0 x1 y1, pages rendered at 60 dpi).
count_px() { # file rrggbb tolerance [x0 y0 x1 y1] -> pixels near the colour
    python3 - "$@" <<'EOF'
import sys
path, hexc, tol = sys.argv[1], sys.argv[2], int(sys.argv[3])
box = [round(float(v) * 60 / 72) for v in sys.argv[4:8]] or None
want = [int(hexc[i:i + 2], 16) for i in (0, 2, 4)]
data = open(path, "rb").read()
fields, pos = [], 0
while len(fields) < 4:  # P6 width height maxval, then one whitespace byte
    while data[pos:pos + 1].isspace():
        pos += 1
    end = pos
    while not data[end:end + 1].isspace():
        end += 1
    fields.append(data[pos:end])
    pos = end
pix = data[pos + 1:]
w, h = int(fields[1]), int(fields[2])
n = 0
x0, y0, x1, y1 = box or (0, 0, w, h)
for y in range(max(0, y0), min(h, y1)):
    for x in range(max(0, x0), min(w, x1)):
        i = 3 * (y * w + x)
        if all(abs(pix[i + k] - want[k]) <= tol for k in range(3)):
            n += 1
print(n)
EOF
}
nonwhite() { # file -> % of pixels that are not near white
    python3 - "$1" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
parts = data.split(b"\n", 3)
w, h = map(int, parts[1].split())
pix = parts[3]
n = sum(1 for i in range(0, w * h * 3, 3) if min(pix[i:i + 3]) < 235)
print(100 * n // (w * h))
EOF
}
# hotspot classes run from orange FDAE61 (first class) to dark red A50026
# (the top class); the top ASB hotspot of the county is in the top class
top_class=$(q "SELECT class FROM hotspots_asb WHERE hotspot_id = '$top_id'")
max_class=$(q "SELECT max(class) FROM hotspots_asb")
[ "$top_class" = "$max_class" ] || fail "test assumes $top_id is in the top class"
top_area=$(q "SELECT area_id FROM hotspots_asb WHERE hotspot_id = '$top_id'")
pdftoppm -r 60 "$T/packs/$top_area.pdf" "$T/pg"
for p in 1 2 3; do
    pct=$(nonwhite "$T/pg-$p.ppm")
    [ "$pct" -ge 4 ] || fail "$top_area page $p is nearly blank ($pct% ink)"
done
# the ASB map is the top-left panel of page 2 (points 40,89 to 290,404);
# the key, which also shows the colours, is outside it
ASB_MAP="42 91 288 402"
hot=$(count_px "$T/pg-2.ppm" A50026 12 $ASB_MAP)
[ "$hot" -ge 100 ] || fail "$top_area ASB map: $hot pixels of the top hotspot colour, want >= 100"
dens=$(count_px "$T/pg-2.ppm" C6DBEF 6 $ASB_MAP)
[ "$dens" -ge 20 ] || fail "$top_area ASB map: no density surface colour ($dens pixels)"
line=$(count_px "$T/pg-1.ppm" 0072B2 30)
[ "$line" -ge 50 ] || fail "$top_area trend chart: no ASB line ($line pixels)"
echo "$top_area pixels: $hot of the top hotspot class, $dens of the density surface, $line of the ASB trend line"

# Without density surfaces: the same maps carry no hotspot colour at all.
(cd "$T" && "$BIN" demo --kde no -o nokde.gpkg > /dev/null 2>&1) || fail "demo --kde no failed"
mkdir "$T/nokde"
"$BIN" report "$T/nokde.gpkg" -o "$T/nokde" --area "$top_area" > /dev/null 2> "$T/err.txt" ||
    fail "report without surfaces failed: $(cat "$T/err.txt")"
grep -q "no density surfaces" "$T/err.txt" || fail "no warning about the missing surfaces"
pdftoppm -r 60 -f 2 -l 2 "$T/nokde/$top_area.pdf" "$T/nk"
for c in A50026 FDAE61; do
    n=$(count_px "$T/nk-2.ppm" "$c" 12)
    [ "$n" = 0 ] || fail "map without surfaces has $n pixels of hotspot colour $c"
done
pdftotext -f 3 -l 3 "$T/nokde/$top_area.pdf" - | grep -q "No density surface" || fail "page 3 without surfaces"
echo "without surfaces: no hotspot colour on the map, and page 3 says so"

# Page 4, Gi*: each board's tally of hot and cold cells as sqlite counts
# them in gistar_<group>, and the 99% hot colour (D73027) on the ASB map
# exactly when the board's map shows such cells.
for id in $(q "SELECT area_id FROM areas"); do
    pdftotext -f 4 -l 4 "$T/packs/$id.pdf" - | tr '\n' ' ' | tr -s ' ' > "$T/p4.txt"
    grep -q "hot and cold spots beyond chance" "$T/p4.txt" || fail "$id page 4 is not the Gi* page"
    for g in asb sac violence; do
        IFS='|' read -r hot h99 cold < <(q "SELECT coalesce(sum(gi_bin > 0), 0), coalesce(sum(gi_bin = 3), 0),
            coalesce(sum(gi_bin < 0), 0) FROM gistar_$g WHERE area_id = '$id'")
        if [ "$hot" = 0 ] && [ "$cold" = 0 ]; then
            want="No hot or cold spot in this board"
        else
            want="In this board: $hot hot-spot cells? \($h99 at 99%\), $cold cold-spot cells?"
        fi
        grep -Eq "$want" "$T/p4.txt" || fail "$id page 4 ($g): no '$want'"
    done
done
IFS='|' read -r gid g99 < <(q "SELECT area_id, count(*) FROM gistar_asb WHERE gi_bin = 3 GROUP BY area_id ORDER BY 2 DESC LIMIT 1")
pdftoppm -r 60 -f 4 -l 4 "$T/packs/$gid.pdf" "$T/gi"
red=$(count_px "$T/gi-4.ppm" D73027 10 $ASB_MAP)
[ "$red" -ge 50 ] || fail "$gid Gi* ASB map: $red pixels of the 99% hot colour for $g99 cells"
(cd "$T" && "$BIN" demo --gistar no --kde no -o nogi.gpkg > /dev/null 2>&1) || fail "demo --gistar no failed"
mkdir "$T/nogi"
"$BIN" report "$T/nogi.gpkg" -o "$T/nogi" --area "$gid" > /dev/null 2>&1 || fail "report without Gi* failed"
[ "$(pdfinfo "$T/nogi/$gid.pdf" | awk '/^Pages:/ { print $2 }')" = 3 ] || fail "without Gi* the pack is not 3 pages"
echo "page 4: every board's Gi* tally as sqlite counts it; $red pixels of the 99% hot colour in $gid's $g99 cells; 3 pages without Gi*"

# ---- time of week: the force extract ----------------------------------------
# A run to November, then one to December with --previous (statuses).
local_run() { # out, args...
    local out=$1
    shift
    (cd "$T" && "$BIN" run "$SRC/data/demo-local.ini" --gistar no --lisa no \
        --bandwidth 500 --cell 100 -o "$out" "$@" > /dev/null 2> "$T/err.txt") ||
        fail "local run $out: $(cat "$T/err.txt")"
}
local_run local0.gpkg --to 2024-11
local_run local.gpkg --previous local0.gpkg
L=$T/local.gpkg
ql() { sqlite3 "$L" "$@"; }
mkdir "$T/lpacks"
"$BIN" report "$L" -o "$T/lpacks" > /dev/null 2> "$T/err.txt" || fail "report of the extract: $(cat "$T/err.txt")"
for id in $(ql "SELECT area_id FROM areas"); do
    [ "$(pdfinfo "$T/lpacks/$id.pdf" | awk '/^Pages:/ { print $2 }')" = 4 ] || fail "$id.pdf (extract) is not 4 pages"
    pdftotext -layout -f 4 -l 4 "$T/lpacks/$id.pdf" "$T/tow.txt"
    grep -q "($id): when incidents happen" "$T/tow.txt" || fail "$id page 4 is not the time-of-week page"
    # each group's total, in report order, as sqlite sums timeofweek
    want=$(for g in asb sac violence; do
        ql "SELECT CASE WHEN sum(weight) > 0 THEN printf('%.0f incidents with a time', sum(weight))
            ELSE 'no incidents with a time' END FROM timeofweek WHERE area_id = '$id' AND crime_group = '$g'"
    done)
    got=$(grep -o -E "([0-9]+ incidents|no incidents) with a time" "$T/tow.txt")
    [ "$got" = "$want" ] || fail "$id page 4 totals '$(echo $got)', want '$(echo $want)'"
done
echo "extract: every pack has the time-of-week page, each grid's total as sqlite sums timeofweek"

# AB03's grids: the key's top class from the busiest hour (classes of a
# round width, 1, 2, 2.5 or 5 x 10^k, at most 5 of them, whole for whole
# counts), and the cells of the busiest hour (the darkest blue, 08519C) and
# of an hour without incidents (white), found by the day and hour labels'
# places on the page (pdftotext -bbox).
A=AB03
pdftotext -layout -f 4 -l 4 "$T/lpacks/$A.pdf" "$T/tow.txt"
pdftotext -bbox -f 4 -l 4 "$T/lpacks/$A.pdf" "$T/tow.html"
pdftoppm -r 60 -f 4 -l 4 "$T/lpacks/$A.pdf" "$T/tw"
centre() { # word occurrence axis(x|y) -> the word's centre on the page
    python3 - "$T/tow.html" "$@" <<'EOF'
import re, sys
path, word, k, axis = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
hits = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  + re.escape(word) + '<', open(path).read())
x0, y0, x1, y1 = map(float, hits[k - 1])
print((x0 + x1) / 2 if axis == "x" else (y0 + y1) / 2)
EOF
}
around() { awk -v x="$1" -v y="$2" 'BEGIN { print x - 2, y - 2, x + 2, y + 2 }'; }
days=(Mon Tue Wed Thu Fri Sat Sun)
k=0
for g in asb sac violence; do
    k=$((k + 1))
    IFS='|' read -r day hour top < <(ql "SELECT day, hour, sum(weight) FROM timeofweek
        WHERE area_id = '$A' AND crime_group = '$g' GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 1")
    whole=$(ql "SELECT count(*) = 0 FROM timeofweek WHERE area_id = '$A' AND crime_group = '$g'
        AND weight <> round(weight)")
    label=$(awk -v m="$top" -v whole="$whole" 'BEGIN {
        raw = m / 5; e = int(log(raw) / log(10) + 100 + 1e-9) - 100; p = 10 ^ e; r = raw / p
        s = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * p
        if (whole && s < 1) s = 1
        n = int(m / s - 1e-9); if (n < m / s - 1e-9) n++
        if (whole && s == 1) print n; else printf "%g to %g\n", (n - 1) * s, n * s }')
    grep -Eq " $label\$" "$T/tow.txt" || fail "$A page 4 ($g): no key class '$label' for a busiest hour of $top"
    n=$(count_px "$T/tw-4.ppm" 08519C 12 $(around "$(centre "$(printf '%02d' "$hour")" "$k" x)" \
        "$(centre "${days[day - 1]}" "$k" y)"))
    [ "$n" -ge 4 ] || fail "$A page 4 ($g): the busiest hour (day $day, $hour:00, $top) is not the darkest blue"
    IFS='|' read -r eday ehour < <(ql "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 167)
        SELECT i / 24 + 1, i % 24 FROM s WHERE NOT EXISTS (SELECT 1 FROM timeofweek WHERE area_id = '$A'
        AND crime_group = '$g' AND day = i / 24 + 1 AND hour = i % 24 AND weight > 0) LIMIT 1")
    if [ -n "$eday" ]; then
        n=$(count_px "$T/tw-4.ppm" FFFFFF 3 $(around "$(centre "$(printf '%02d' "$ehour")" "$k" x)" \
            "$(centre "${days[eday - 1]}" "$k" y)"))
        [ "$n" -ge 4 ] || fail "$A page 4 ($g): the empty hour (day $eday, $ehour:00) is not white"
    fi
done
echo "$A page 4: each key's top class, and the busiest and an empty hour's cells, as sqlite sums timeofweek"

# The tasking table's peak column, and the hotspots' grids, from the layers.
pdftotext -layout -f 3 -l 3 "$T/lpacks/$A.pdf" "$T/p3.txt"
for g in asb sac violence; do
    while IFS='|' read -r pr hid peak share; do
        grep -E "^ *$pr +$hid " "$T/p3.txt" | grep -qF -- "$peak ($share%)" ||
            fail "$A page 3 ($g): priority $pr ($hid) lacks the peak '$peak ($share%)'"
    done < <(ql "SELECT priority, coalesce(hotspot_id, '–'), peak, printf('%.0f', peak_share) FROM tasking_$g
                 WHERE area_id = '$A' AND peak IS NOT NULL ORDER BY priority")
done
ql "SELECT DISTINCT hotspot_id FROM (SELECT hotspot_id FROM tasking_asb WHERE area_id = '$A' UNION ALL
    SELECT hotspot_id FROM tasking_sac WHERE area_id = '$A' UNION ALL SELECT hotspot_id FROM tasking_violence
    WHERE area_id = '$A') WHERE hotspot_id IS NOT NULL" > "$T/hids.txt"
[ -s "$T/hids.txt" ] || fail "test assumes $A has tasked hotspots"
while read -r hid; do
    g=$(case $hid in ASB*) echo asb ;; SAC*) echo sac ;; *) echo violence ;; esac)
    IFS='|' read -r peak share < <(ql "SELECT peak, printf('%.0f', peak_share) FROM hotspots_$g WHERE hotspot_id = '$hid'")
    grep -q "$hid " "$T/tow.txt" || fail "$A page 4: no grid for $hid"
    grep -qF "Peak $peak ($share%)" "$T/tow.txt" || fail "$A page 4: no 'Peak $peak ($share%)' for $hid"
done < "$T/hids.txt"
echo "$A pages 3 and 4: peaks as in tasking_<group>; grids of $(wc -l < "$T/hids.txt") tasked hotspots with their peaks"

# The county's trends with --previous: the status of each top hotspot.
pdftotext -layout -f 2 -l 2 "$T/lpacks/county.pdf" - | tr -s ' ' > "$T/lcounty2.txt"
for g in asb sac violence; do
    while IFS='|' read -r hid status first ms; do
        want="$status; first seen $(date -d "${first}-01" '+%b %Y'), $ms month"
        grep -qF "$want" "$T/lcounty2.txt" || fail "county.pdf page 2: no '$want' for $hid"
    done < <(ql "SELECT hotspot_id, status, first_seen, months_seen FROM hotspots_$g ORDER BY rank LIMIT 5")
done
IFS='|' read -r hid status < <(ql "SELECT hotspot_id, status FROM hotspots_asb ORDER BY rank LIMIT 1")
pdftotext -layout -f 1 -l 1 "$T/lpacks/county.pdf" - | grep -q "$hid .*; $status\$" ||
    fail "county.pdf page 1: the list lacks $hid's status '$status'"
pdftoppm -r 60 -f 2 -l 2 "$T/lpacks/county.pdf" "$T/lc"
line=$(count_px "$T/lc-2.ppm" 0072B2 30)
[ "$line" -ge 50 ] || fail "county.pdf page 2: no line of the top hotspots ($line pixels)"
echo "county page 2 (extract, --previous): each top hotspot's status and first month, and its line"

# --public: no time-of-week tables, and the tasking page says why.
(cd "$T" && "$BIN" run "$SRC/data/demo-local.ini" --kde no --gistar no --lisa no --public \
    -o pub.gpkg > /dev/null 2>&1) || fail "public run failed"
mkdir "$T/pub"
"$BIN" report "$T/pub.gpkg" --area "$A" -o "$T/pub" > /dev/null 2>&1 || fail "report of the public run failed"
[ "$(pdfinfo "$T/pub/$A.pdf" | awk '/^Pages:/ { print $2 }')" = 3 ] || fail "public pack is not 3 pages"
pdftotext -f 3 -l 3 "$T/pub/$A.pdf" - | tr '\n' ' ' | tr -s ' ' |
    grep -q "A public release (--public) leaves out the hours of the week" || fail "public pack: no reason for the missing page"
echo "public: no time-of-week page, and the tasking page says why"

# --area: only that board (and county.pdf).
mkdir "$T/one"
"$BIN" report "$G" --area AB05 -o "$T/one" > /dev/null 2>&1 || fail "--area AB05 failed"
[ "$(ls "$T/one" | tr '\n' ' ')" = "AB05.pdf county.pdf " ] || fail "--area AB05 wrote: $(ls "$T/one")"

# File names: an id with a slash and a space is made safe, and unique.
cp "$G" "$T/odd.gpkg"
for l in areas rates_asb rates_sac rates_violence monthly tasking_asb tasking_sac tasking_violence hotspots_asb hotspots_sac hotspots_violence; do
    # through GDAL: the layers' R-tree triggers need its ST_ functions
    ogrinfo -q "$T/odd.gpkg" -sql "UPDATE $l SET area_id = 'AB/05 x' WHERE area_id = 'AB05'" > /dev/null
done
mkdir "$T/odd"
"$BIN" report "$T/odd.gpkg" --area "AB/05 x" -o "$T/odd" > /dev/null 2>&1 || fail "--area 'AB/05 x' failed"
ls "$T/odd" | grep -Eqx 'AB_05_x-[0-9a-f]{8}\.pdf' || fail "unsafe id gave file: $(ls "$T/odd")"
pdftotext -f 1 -l 1 "$T/odd"/AB_05_x-*.pdf - | grep -q "(AB/05 x)" || fail "the pack does not show the id as it is"

# Errors: the message names the file, layer, area or folder; exit 1 for a
# failed report, 2 for bad usage; nothing left behind.
expect() { # status pattern args...
    local want=$1 pat=$2
    shift 2
    set +e; "$BIN" report "$@" > /dev/null 2> "$T/err.txt"; local rc=$?; set -e
    [ "$rc" = "$want" ] || fail "report $*: exit $rc, want $want ($(cat "$T/err.txt"))"
    grep -q -- "$pat" "$T/err.txt" || fail "report $*: message lacks '$pat': $(cat "$T/err.txt")"
}
mkdir "$T/e"
echo "not a geopackage" > "$T/bad.gpkg"
expect 1 "bad.gpkg' is not a GeoPackage" "$T/bad.gpkg" -o "$T/e"
expect 1 "no such file" "$T/none.gpkg" -o "$T/e"
cp "$G" "$T/nomonthly.gpkg"
sqlite3 "$T/nomonthly.gpkg" "DROP TABLE monthly; DELETE FROM gpkg_contents WHERE table_name = 'monthly'"
expect 1 "no layer 'monthly'" "$T/nomonthly.gpkg" -o "$T/e"
expect 2 "--area 'ZZ99'" "$G" -o "$T/e" --area ZZ99
expect 1 "a file is in the way" "$G" -o "$T/bad.gpkg/sub"
expect 1 "bad.gpkg' is a file, not a folder" "$G" -o "$T/bad.gpkg"
# a missing folder is made (as mkdir -p), and the terminal says so
"$BIN" report "$G" --area AB05 -o "$T/made/sub" > /dev/null 2> "$T/err.txt" ||
    fail "report into a new folder: $(cat "$T/err.txt")"
grep -q "made the output folder" "$T/err.txt" && [ -f "$T/made/sub/AB05.pdf" ] ||
    fail "report into a new folder: no note or no pack: $(cat "$T/err.txt")"
[ ! -e "$T/nomade" ] || fail "a folder before the test"
expect 1 "not a GeoPackage" "$T/bad.gpkg" -o "$T/nomade"
[ ! -e "$T/nomade" ] || fail "a failed report made its folder"
expect 2 "needs RESULT.gpkg and -o DIR" "$G"
expect 2 "unexpected argument '--bogus'" "$G" -o "$T/e" --bogus
[ -z "$(ls -A "$T/e")" ] || fail "failed reports left files: $(ls -A "$T/e")"
"$BIN" report --help | grep -q "usage: hotspot report" || fail "report --help"
echo "PASS"
