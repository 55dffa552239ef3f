#!/bin/bash
# The per-group lines of "hotspot run"'s summary on the demo data, with and
# without populations.  The incidents printed are the group's incidents in
# an area, in the period (and in the comparison period), whatever the
# population: checked against sqlite3 on the incidents layer written.  The
# rate per 1,000 residents is printed only when some area has a population
# (checked against the rates table), else the summary says there is none.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data/demo
GROUPS_=asb,sac,violence
# flags for the demo's incidents and the areas $1, without a population
args() {
    ARGS=(--incidents "$D/policeuk" --areas "$1" --area-id board_id
          --area-name board_name --groups "$GROUPS_" --compare previous-year --kde no)
}

# hs CASE ARGS...: runs hotspot to $T/CASE.gpkg, its stdout to $T/CASE.txt
hs() {
    local c=$1
    shift
    "$BIN" run "$@" -o "$T/$c.gpkg" > "$T/$c.txt" 2> "$T/$c.err" ||
        fail "$c: hotspot run failed: $(cat "$T/$c.err")"
}

# want CASE: "group current comparison" from the incidents layer, per group
want() {
    sqlite3 -separator ' ' "$T/$1.gpkg" "SELECT crime_group,
        sum(period = 'current'), sum(period = 'comparison') FROM incidents
        WHERE area_id IS NOT NULL AND crime_group IN ('asb', 'sac', 'violence')
        GROUP BY crime_group ORDER BY crime_group"
}

# line CASE GROUP: the summary's line for GROUP
line() {
    local l
    # on stderr: the caller's $(...) would swallow fail's message
    l=$(grep -E "^  $2 +[0-9]+ incidents" "$T/$1.txt") ||
        { echo "FAIL: $1: no summary line for $2: $(cat "$T/$1.txt")" >&2; exit 1; }
    printf '%s\n' "$l"
}

# check_counts CASE: the printed counts are the incidents layer's
check_counts() {
    local c=$1 g cur prev l
    while read -r g cur prev; do
        [ "$cur" -gt 0 ] || fail "$c: no $g incidents in the demo?"
        l=$(line "$c" "$g")
        [[ $l =~ ^\ \ $g\ +$cur\ incidents[,\ ] ]] ||
            fail "$c: $g: want $cur incidents in the period; got: $l"
        [[ $l == *"(comparison period $prev)"* ]] ||
            fail "$c: $g: want $prev in the comparison period; got: $l"
        # the same totals as the rates table's per-area counts
        [ "$(sqlite3 -separator ' ' "$T/$c.gpkg" "SELECT sum(count), sum(prev_count) FROM rates_$g")" = "$cur $prev" ] ||
            fail "$c: $g: rates_$g counts differ from the incidents layer"
        echo "$c: $g $cur incidents, comparison period $prev: as sqlite3 counts"
    done < <(want "$c")
    [ "$(want "$c" | wc -l)" = 3 ] || fail "$c: expected 3 groups in the incidents layer"
}

# check_no_rate CASE: every group line says plainly there is no rate
check_no_rate() {
    local c=$1 g l
    grep -Eq '^  areas: 18 \(18 without population\), population 0$' "$T/$c.txt" ||
        fail "$c: areas line: $(grep '^  areas' "$T/$c.txt")"
    for g in ${GROUPS_//,/ }; do
        l=$(line "$c" "$g")
        [[ $l =~ \;\ no\ rate:\ no\ area\ has\ a\ population$ ]] ||
            fail "$c: $g: no 'no rate: no area has a population': $l"
        [[ $l != *"per 1,000"* && $l != *nan* ]] || fail "$c: $g: a rate without population: $l"
    done
}

# check_rate CASE: every group line gives the study rate of the rates table;
# when some areas have no population, also the rate's own count
check_rate() {
    local c=$1 g l rate cnt all
    for g in ${GROUPS_//,/ }; do
        l=$(line "$c" "$g")
        read -r rate cnt all < <(sqlite3 -separator ' ' "$T/$c.gpkg" "SELECT printf('%.2f', max(study_rate)),
            sum(CASE WHEN population > 0 THEN count ELSE 0 END), sum(count) FROM rates_$g")
        [[ $l =~ ^\ \ $g\ +[0-9]+\ incidents,\ +$rate\ per\ 1,000\ residents\  ]] ||
            fail "$c: $g: want rate $rate per 1,000 residents; got: $l"
        if [ "$cnt" = "$all" ]; then
            [[ $l != *counting* ]] || fail "$c: $g: every area has a population, yet: $l"
        else
            [[ $l == *"(counting the $cnt in areas with a population)"* ]] ||
                fail "$c: $g: want 'counting the $cnt in areas with a population': $l"
        fi
        [[ $l =~ \;\ areas\ significantly\ higher\ [0-9]+,\ lower\ [0-9]+$ ]] ||
            fail "$c: $g: no 'areas significantly higher/lower': $l"
        echo "$c: $g rate $rate per 1,000 residents, from $cnt of $all incidents: as the rates table"
    done
}

# No population given at all: counts only.
args "$D/boards.geojson"
hs nopop "${ARGS[@]}"
check_counts nopop
check_no_rate nopop

# Areas whose population field is 0 (AB01-AB09) or NULL (the others).
ogr2ogr -f GeoJSON "$T/boards0.geojson" "$D/boards.geojson" -dialect sqlite \
    -sql "SELECT *, CASE WHEN board_id < 'AB10' THEN 0 END AS pop FROM boards"
[ "$(ogrinfo -q -dialect sqlite -sql "SELECT count(*) AS n FROM boards WHERE pop IS NULL" "$T/boards0.geojson" |
    awk -F'= ' '/n \(Integer\)/ { print $2 }')" = 9 ] || fail "boards0: expected 9 NULL populations"
args "$T/boards0.geojson"
hs zeropop "${ARGS[@]}" --population pop
check_counts zeropop
check_no_rate zeropop

# Two boards with a population: the rate is theirs, the incidents all.
printf 'id,pop\nAB01,33369\nAB03,73960\n' > "$T/part.csv"
args "$D/boards.geojson"
hs part "${ARGS[@]}" --population "$T/part.csv"
check_counts part
check_rate part

# The demo as shipped (every board has a population): as before.
hs demo "$SRC/data/demo.ini" --kde no
check_counts demo
check_rate demo
echo "PASS"
