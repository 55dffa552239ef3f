#!/bin/bash
# --priority-areas on the demo county: the priority_gap table against R
# computed here from the run's own rates tables (areas with a population):
# the rate ratio and its interval as poisson.test, its p as twice the
# smaller binomial tail (stats.h's change test), the gap's change as
# fisher.test of the 2x2 table (estimate: the sample ratio of ratios), and
# the verdict by the rule (p < 0.05, towards or away from 1).  AB02 and
# AB05 as the priority areas give a widened and a narrowed gap.  Then bad
# ids: an error naming them.  Skips without Rscript.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data
command -v Rscript >/dev/null || { echo "SKIP: R (Rscript) not installed"; exit 77; }

# The boards with a field marking AB03 ("yes") and AB12 (2): the field form
# must give what the ids AB03,AB12 give, by the same R.  The other boards:
# "no", "0", "N", an empty text or NULL, in turn.
python3 - "$D/demo/boards.geojson" "$T" <<'PY' || fail "python3: cannot write the boards"
import json, sys
fc = json.load(open(sys.argv[1]))
rest = ["no", "0", "N", "", None]
for k, f in enumerate(fc["features"]):
    mark = {"AB03": "yes", "AB12": "2"}.get(f["properties"]["board_id"], rest[k % len(rest)])
    f["properties"]["priority"] = mark
    f["properties"]["bad"] = "maybe" if f["properties"]["board_id"] == "AB07" else "no"
    f["properties"]["none"] = "false"
json.dump(fc, open(sys.argv[2] + "/boards.geojson", "w"))
PY

words=""
for P in AB02 AB05 AB03,AB12 field:AB03,AB12; do
    case $P in
        field:*) P=${P#field:}; how=(--areas "$T/boards.geojson" --priority-field priority) ;;
        *) how=(--priority-areas "$P") ;;
    esac
    (cd "$D" && "$BIN" run demo-local.ini --kde no --gistar no --lisa no --incidents-layer no \
        "${how[@]}" -o "$T/p.gpkg") > "$T/out.txt" 2> "$T/err.txt" ||
        fail "run ${how[*]}: $(cat "$T/err.txt")"
    for g in asb sac violence; do
        sqlite3 -csv "$T/p.gpkg" "SELECT area_id, count, prev_count, population FROM rates_$g
            WHERE population IS NOT NULL" > "$T/rates_$g.csv"
    done
    sqlite3 -csv "$T/p.gpkg" "SELECT * FROM priority_gap" > "$T/gap.csv"
    Rscript - "$T" "$P" > "$T/r.txt" 2>&1 <<'R' || fail "priority $P: $(cat "$T/r.txt")"
args <- commandArgs(TRUE); dir <- args[1]; pri <- strsplit(args[2], ",")[[1]]
gap <- read.csv(file.path(dir, "gap.csv"), header = FALSE)
near <- function(a, b, tol) abs(a - b) <= tol * max(1, abs(b))
for (k in seq_len(nrow(gap))) {
  g <- as.character(gap[k, 2])
  r <- read.csv(file.path(dir, paste0("rates_", g, ".csv")), header = FALSE)
  p <- r[, 1] %in% pri
  P1 <- sum(r[p, 2]); R1 <- sum(r[!p, 2]); P0 <- sum(r[p, 3]); R0 <- sum(r[!p, 3])
  PP <- sum(r[p, 4]); RP <- sum(r[!p, 4])
  pt <- poisson.test(c(P1, R1), c(PP, RP))
  q <- PP / (PP + RP)
  ptail <- min(1, 2 * min(pbinom(P1, P1 + R1, q), 1 - pbinom(P1 - 1, P1 + R1, q)))
  pt0 <- poisson.test(c(P0, R0), c(PP, RP))
  ft <- fisher.test(matrix(c(P1, R1, P0, R0), 2))
  change <- (P1 / P0) / (R1 / R0)
  word <- if (ft$p.value >= 0.05) "no significant change" else
    if ((pt0$estimate > 1) == (change < 1)) "narrowed" else "widened"
  got <- gap[k, ]
  ok <- got[3] == sum(p) && near(got[4], P1, 0) && near(got[7], R1, 0) &&
    near(got[10], pt$estimate, 1e-9) && near(got[11], pt$conf.int[1], 1e-6) &&
    near(got[12], pt$conf.int[2], 1e-6) && near(got[13], ptail, 1e-9) &&
    near(got[16], pt0$estimate, 1e-9) && near(got[19], change, 1e-9) &&
    near(got[20], ft$conf.int[1], 1e-3) && near(got[21], ft$conf.int[2], 1e-3) &&
    near(got[22], ft$p.value, 1e-6) && got[23] == word
  if (!isTRUE(ok)) {
    print(got); print(c(pt$estimate, pt$conf.int, ptail, pt0$estimate, change,
                        ft$conf.int, ft$p.value)); print(word)
    quit(status = 1)
  }
  cat(g, word, "\n")
}
R
    words="$words $(tr '\n' ' ' < "$T/r.txt")"
done
case "$words" in *widened*) ;; *) fail "no widened gap in: $words" ;; esac
case "$words" in *narrowed*) ;; *) fail "no narrowed gap in: $words" ;; esac
grep -q "priority areas' rate" "$T/out.txt" || fail "the summary does not give the gap"
echo "priority_gap as R computes it:$words"
grep -q "priority-field 'priority': 2 priority area(s): AB03,AB12" "$T/err.txt" ||
    fail "the field form does not say which areas it marked: $(cat "$T/err.txt")"
[ "$(sqlite3 "$T/p.gpkg" "SELECT value FROM run WHERE key = 'priority_field'")" = priority ] ||
    fail "the run table does not record --priority-field"
# the county pack says it in words (the last run: AB03 and AB12 by field)
mkdir -p "$T/pack"
"$BIN" report "$T/p.gpkg" -o "$T/pack" > /dev/null 2> "$T/err.txt" || fail "report: $(cat "$T/err.txt")"
if command -v pdftotext > /dev/null; then
    pdftotext "$T/pack/county.pdf" "$T/county.txt"
    r=$(sqlite3 "$T/p.gpkg" "SELECT printf('%.2f', rate_ratio) FROM priority_gap WHERE crime_group = 'asb'")
    tr '\n' ' ' < "$T/county.txt" | grep -q "Anti-social behaviour: the priority areas' rate is $r times" ||
        fail "county.pdf: no sentence with the ratio $r"
fi

set +e
(cd "$D" && "$BIN" run demo-local.ini --kde no --gistar no --lisa no \
    --priority-areas AB03,AB99 -o "$T/bad.gpkg") > /dev/null 2> "$T/err.txt"
st=$?
set -e
[ "$st" = 2 ] && grep -q "no area 'AB99'" "$T/err.txt" ||
    fail "an unknown priority area: exit $st, $(cat "$T/err.txt")"

# the field form's bad input: an unknown field, a value that is no mark,
# a field marking no area, both forms at once
badp() { # want-status message args...
    local want=$1 msg=$2
    shift 2
    rm -f "$T/bad.gpkg"
    set +e
    (cd "$D" && "$BIN" run demo-local.ini --kde no --gistar no --lisa no \
        --areas "$T/boards.geojson" "$@" -o "$T/bad.gpkg") > /dev/null 2> "$T/err.txt"
    local st=$?
    set -e
    [ "$st" = "$want" ] && grep -q -- "$msg" "$T/err.txt" ||
        fail "$*: exit $st (want $want), no '$msg' in: $(cat "$T/err.txt")"
    [ ! -e "$T/bad.gpkg" ] || fail "$*: wrote a file"
}
badp 1 "no field 'nosuch'" --priority-field nosuch
badp 1 "area 'AB07' (feature [0-9]* of '.*boards.geojson') has 'maybe'" --priority-field bad
badp 1 "--priority-field 'none' marks none of the 18 areas" --priority-field none
badp 2 "give --priority-areas or --priority-field, not both" --priority-field priority --priority-areas AB03
echo "--priority-field: as the ids give; an unknown field, a bad mark, none marked, both forms: errors"
