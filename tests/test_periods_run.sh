#!/bin/bash
# --period end to end on the demo force extract (2023-01 to 2024-12):
# fy2024-ytd resolves after the incidents are read to 2024-04..2024-12 and
# gives the same rates tables as --from 2024-04 --to 2024-12 (comparison
# period included); fy2023q4 the same as 2024-01..2024-03; a profile's
# period gives way to --from/--to flags and the reverse; the run table
# keeps the name.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 77; }

# run NAME ARGS...: a quick run of the demo extract to $T/NAME.gpkg
run() {
    local name=$1
    shift
    (cd "$D" && "$BIN" run demo-local.ini --kde no --gistar no --lisa no \
        --incidents-layer no "$@" -o "$T/$name.gpkg") > "$T/$name.out" 2> "$T/$name.err" ||
        fail "run $name $*: $(cat "$T/$name.err")"
}
# every rates table, each row in full, in one text
tables() {
    local t
    for t in $(sqlite3 "$1" "SELECT table_name FROM gpkg_contents WHERE table_name LIKE 'rates\_%' ESCAPE '\\' ORDER BY 1"); do
        echo "== $t"
        sqlite3 -header "$1" "SELECT * FROM \"$t\" ORDER BY area_id"
    done
}
param() { sqlite3 "$1" "SELECT value FROM run WHERE section = 'parameter' AND key = '$2'"; }
same() { # same NAME1 NAME2
    local a b
    a=$(tables "$T/$1.gpkg") b=$(tables "$T/$2.gpkg")
    [ -n "$a" ] && echo "$a" | grep -q "^== rates_" || fail "$1: no rates tables"
    [ "$a" = "$b" ] || fail "$1 and $2 differ: $(diff <(echo "$a") <(echo "$b") | head -5)"
}

run ytd --period fy2024-ytd
run months --from 2024-04 --to 2024-12
same ytd months
[ "$(param "$T/ytd.gpkg" period)" = "2024-04 to 2024-12" ] || fail "ytd period: $(param "$T/ytd.gpkg" period)"
[ "$(param "$T/ytd.gpkg" compare_period)" = "2023-04 to 2023-12" ] ||
    fail "ytd comparison period: $(param "$T/ytd.gpkg" compare_period)"
[ "$(param "$T/ytd.gpkg" period_name)" = "fy2024-ytd" ] || fail "no period_name in the run table"
[ -z "$(param "$T/months.gpkg" period_name)" ] || fail "period_name without --period"
grep -q "period 2024-04 to 2024-12, compared with 2023-04 to 2023-12" "$T/ytd.out" ||
    fail "summary: $(head -3 "$T/ytd.out")"

# a financial quarter across the calendar year's end, and previous-period
run q4 --period FY2023Q4 --compare previous-period
run q4m --from 2024-01 --to 2024-03 --compare previous-period
same q4 q4m
[ "$(param "$T/q4.gpkg" compare_period)" = "2023-10 to 2023-12" ] || fail "q4 comparison"
run range --period 2024-04:2024-12
same range months

# a profile's period gives way to --from/--to flags, and --period to them
printf '[hotspot]\nperiod = fy2023q1\n' > "$T/p.ini"
grep -v '^\[hotspot\]' "$D/demo-local.ini" | sed "s#= demo/#= $D/demo/#" >> "$T/p.ini"
(cd "$D" && "$BIN" run "$T/p.ini" --kde no --gistar no --lisa no --incidents-layer no \
    --from 2024-04 --to 2024-12 -o "$T/pflags.gpkg") > /dev/null 2> "$T/pflags.err" ||
    fail "profile period with --from/--to flags: $(cat "$T/pflags.err")"
same pflags months
printf '[hotspot]\nfrom = 2023-01\nto = 2023-06\n' > "$T/p2.ini"
grep -v '^\[hotspot\]' "$D/demo-local.ini" | sed "s#= demo/#= $D/demo/#" >> "$T/p2.ini"
(cd "$D" && "$BIN" run "$T/p2.ini" --kde no --gistar no --lisa no --incidents-layer no \
    --period fy2024-ytd -o "$T/p2flags.gpkg") > /dev/null 2> "$T/p2flags.err" ||
    fail "profile from/to with a --period flag: $(cat "$T/p2flags.err")"
same p2flags months
# both in the profile: a usage error
printf 'period = fy2024\nfrom = 2024-01\n' >> "$T/p2.ini"
set +e
(cd "$D" && "$BIN" run "$T/p2.ini" --kde no -o "$T/both.gpkg") > /dev/null 2> "$T/both.err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "period and from in one profile: exit $rc, want 2"
grep -q "period 'fy2024' names the whole period: give it or --from/--to, not both" "$T/both.err" ||
    fail "message: $(cat "$T/both.err")"
[ ! -e "$T/both.gpkg" ] || fail "a file was written"
echo "ok"
