#!/bin/bash
# The stage rules of src/README.md (scripts/check_stages.sh): the library
# keeps them, and the check catches each kind of breach in small trees of
# real object files built here: a call back up into a stage that depends
# on the caller, a circle of calls inside one stage, and a forbidden
# #include (a stage's and the CLI's), a folder with no row in the table
# and two sources of one name.
set -euo pipefail
. "$(dirname "$0")/common.sh"
CHECK=$SRC/scripts/check_stages.sh
LIB=${HOTSPOT_LIB:-$SRC/build/libhotspot.a}
[ -f "$LIB" ] || fail "no library at $LIB"

# The library itself: every source of a stage folder is a member, and calls
# between files were read (an empty nm listing would pass vacuously).
out=$("$CHECK" "$LIB" 2>&1) || fail "the library breaks the stage rules:
$out"
n=$(cd "$SRC/src" && find . -mindepth 2 -name '*.c' ! -path './cli/*' | wc -l)
m=$(ar t "$LIB" | grep -c '\.c\.o$')
[ "$m" -ge "$n" ] || fail "$n sources in stage folders, $m library members"
calls=$(echo "$out" | sed -n 's/.* \([0-9]*\) calls between files.*/\1/p')
[ "${calls:-0}" -ge 50 ] || fail "only '${calls:-}' calls between files read: $out"

# A small tree: tree NAME FILE=CODE... (the table is src/README.md's own).
tree() {
    local d=$T/$1; shift
    mkdir -p "$d/src"
    cp "$SRC/src/README.md" "$d/src/"
    for spec in "$@"; do
        local f=${spec%%=*}
        mkdir -p "$d/src/$(dirname "$f")"
        printf '%s\n' "${spec#*=}" > "$d/src/$f"
    done
    (cd "$d/src" && for c in $(find . -mindepth 2 -name '*.c' ! -path './cli/*'); do
        cc -c -I. -o "$d/$(basename "$c").o" "$c" || exit 1
    done && ar rcs "$d/lib.a" "$d"/*.o) || fail "cannot build the tree $1"
}
expect() { # expect NAME 0|1 PATTERN...
    local name=$1 want=$2 rc=0; shift 2
    out=$("$CHECK" "$T/$name/lib.a" "$T/$name/src" 2>&1) || rc=$?
    [ "$rc" = "$want" ] || fail "$name: exit $rc, wanted $want: $out"
    for p in "$@"; do
        grep -q -- "$p" <<<"$out" || fail "$name: no '$p' in: $out"
    done
}

tree clean 'core/c.c=int c(void) { return 1; }' \
    'output/w.c=int c(void); int w(void) { return c(); }' \
    'job/j.c=int w(void); int j(void) { return w(); }' \
    'job/k.h=int j(void);' \
    'cli/main.c=#include "hotspot/hotspot.h"'
expect clean 0 "3 files, 2 calls between files: every stage rule holds"

tree back 'output/w.c=int j(void); int w(void) { return j(); }' \
    'job/j.c=int w(void); int j(int n) { return n ? w() : 0; }'
expect back 1 "output/w.c uses j of job/j.c: output/ may not use job/" \
    "calls go round a circle" "job/j.c" "output/w.c"

tree circle 'analysis/a.c=int b(int); int a(int n) { return n ? b(n - 1) : 0; }' \
    'analysis/b.c=int c(int); int b(int n) { return c(n); }' \
    'analysis/c.c=int a(int); int c(int n) { return a(n); }'
expect circle 1 "calls go round a circle" "analysis/a.c" "analysis/b.c" "analysis/c.c"
grep -q "may not use" <<<"$out" && fail "circle: a circle in one stage reported as a breach: $out"

tree include 'analysis/a.h=int a(void);' \
    'geography/g.c=#include "analysis/a.h"
int g(void) { return 0; }' \
    'cli/main.c=#include "input/csv.h"'
expect include 1 "geography/g.c includes a header of analysis/: geography/ may not use analysis/" \
    "cli/main.c includes a header of input/: cli/ may not use input/"
tree stray 'core/c.c=int c(void) { return 1; }' 'misc/m.c=int c(void); int m(void) { return c(); }' \
    'job/c.c=int k(void) { return 0; }'
expect stray 1 "src/misc/ has no row in src/README.md's stage table" "two sources share a name: c.c"
echo "test_stages: the library keeps the stage rules ($calls calls); 5 planted breaches caught"
