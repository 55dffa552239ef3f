#!/bin/bash
# cmake --install, then the installed copy on its own (README "Install"):
# installs the build to a temporary prefix and moves the prefix elsewhere,
# so only a lookup relative to the executable can find the data; checks
# that no source or build path is compiled into the binary (strings);
# hides the source and build trees (a private mount namespace, tmpfs over
# both) and runs "hotspot demo" and "hotspot report" from the moved copy
# with HOTSPOT_DATA unset and another working folder.  The run must equal
# the build tree's own run of the demo table for table (sqlite3 .dump, the
# data folder's path aside), its inputs must be the installed files (the
# run table's paths and sha256 against sha256sum of data/), the packs must
# have the build tree's pages, and nothing may be written into the prefix.
# Then the order of the data folder's lookup (HOTSPOT_DATA first, a
# symlinked binary, a binary without its data), and the man page: it
# renders without warnings and names every option of --help.
set -euo pipefail
. "$(dirname "$0")/common.sh"

BUILD=$(cd "$(dirname "$BIN")" && pwd -P)
[ -f "$BUILD/cmake_install.cmake" ] || { echo "SKIP: $BUILD is not a CMake build folder"; exit 77; }
for tool in strings sqlite3 sha256sum pdfinfo; do
    command -v "$tool" > /dev/null || { echo "SKIP: $tool not installed (binutils, sqlite3, poppler-utils)"; exit 77; }
done
SRCP=$(cd "$SRC" && pwd -P)
TP=$(cd "$T" && pwd -P)

# ---- install, then move ------------------------------------------------------
cmake --install "$BUILD" --prefix "$T/stage" > "$T/install.txt" 2>&1 ||
    fail "cmake --install failed: $(tail -5 "$T/install.txt")"
mkdir -p "$T/elsewhere/opt"
mv "$T/stage" "$T/elsewhere/opt/hotspot"
P=$T/elsewhere/opt/hotspot
[ ! -e "$T/stage" ] || fail "the staging prefix is still there"
[ -x "$P/bin/hotspot" ] || fail "no executable bin/hotspot"
# the data folder's content is data/'s, and the style templates are styles/'s
diff -r "$SRC/data" "$P/share/hotspot" -x styles > "$T/d.txt" || fail "share/hotspot differs from data/: $(head -5 "$T/d.txt")"
diff -r "$SRC/styles" "$P/share/hotspot/styles" > "$T/d.txt" || fail "share/hotspot/styles differs from styles/: $(head -5 "$T/d.txt")"
[ -f "$P/share/man/man1/hotspot.1" ] || fail "no man page share/man/man1/hotspot.1"
echo "installed: bin/hotspot, share/hotspot ($(find "$P/share/hotspot" -type f | wc -l) files), share/man/man1/hotspot.1"

# ---- no machine path in the binary ---------------------------------------------
strings -a "$P/bin/hotspot" > "$T/strings.txt"
# A sanitizer build (ASan, UBSan) names its source files in its reports,
# and GCC's file prefix map does not reach those: such a build, never one
# to install, may hold its .c and .h paths and nothing else.
sanitizer=0
if grep -q '__asan_init\|__ubsan_handle' "$T/strings.txt"; then
    sanitizer=1
    for root in "$SRC" "$SRCP" "$BUILD"; do
        grep -vE -- "${root//./\\.}/[A-Za-z0-9_/.-]+\.[ch]\$" "$T/strings.txt" > "$T/other.txt" || true
        mv "$T/other.txt" "$T/strings.txt"
    done
fi
for path in "$SRC" "$SRCP" "$BUILD" "$(dirname "$BIN")" "$T" "$TP"; do
    if grep -F -- "$path" "$T/strings.txt" > "$T/hits.txt"; then
        fail "the installed binary holds the path $path: $(head -3 "$T/hits.txt")"
    fi
done
if [ "$sanitizer" = 1 ]; then
    echo "strings: no source, build or install path in bin/hotspot but the sanitizers' source file names"
else
    echo "strings: no source, build or install path in bin/hotspot"
fi

# ---- the source and build trees out of reach ------------------------------------
# unshare: root, or a user namespace mapping us to root; tmpfs over the
# build tree first (it may lie inside the source tree), then the source.
UNSHARE=(unshare --mount)
[ "$(id -u)" -eq 0 ] || UNSHARE+=(--map-root-user)
hidden() {
    "${UNSHARE[@]}" bash -c 'mount -t tmpfs hidden "$1" && mount -t tmpfs hidden "$2" || exit 97
        shift 2; exec "$@"' hidden "$BUILD" "$SRCP" "$@"
}
HIDE=1
case "$TP/" in "$SRCP"/* | "$BUILD"/*) HIDE=0 ;; esac
if [ "$HIDE" = 1 ] && hidden test ! -e "$SRCP/data/categories.csv" 2> /dev/null; then
    echo "the source tree and the build folder are hidden (tmpfs in a mount namespace)"
else
    HIDE=0
    echo "note: no mount namespace here (or the temporary folder is inside the tree):"
    echo "      the trees stay visible; the strings check above still holds"
fi
run_installed() { # runs the moved copy, as a user would, away from the tree
    if [ "$HIDE" = 1 ]; then
        (cd "$T/run" && hidden env -u HOTSPOT_DATA PATH="$P/bin:/usr/bin:/bin" "$@")
    else
        (cd "$T/run" && env -u HOTSPOT_DATA PATH="$P/bin:/usr/bin:/bin" "$@")
    fi
}

find "$P" -type f -exec sha256sum {} + | sort > "$T/prefix_before.txt"
mkdir "$T/run" "$T/tree"
run_installed hotspot demo -o demo.gpkg > "$T/demo.txt" 2> "$T/demo_err.txt" ||
    fail "hotspot demo from the installed copy failed: $(cat "$T/demo_err.txt")"
G=$T/run/demo.gpkg
[ -s "$G" ] || fail "no demo.gpkg"
grep -q "^hotspot: wrote $T/run/demo.gpkg\|^hotspot: wrote $TP/run/demo.gpkg" "$T/demo.txt" ||
    fail "the summary does not name the output: $(head -1 "$T/demo.txt")"

# the inputs were the installed files, and they are data/'s bytes
sqlite3 -separator ' ' "$G" "SELECT key, value FROM run WHERE section = 'input' AND key LIKE '/%'" \
    > "$T/inputs.txt"
n=$(wc -l < "$T/inputs.txt")
[ "$n" = "$(find "$SRC/data/demo/policeuk" -name '*.csv' | wc -l)" ] ||
    fail "$n input files in the run table, want the demo's $(find "$SRC/data/demo/policeuk" -name '*.csv' | wc -l)"
while read -r path hash rows; do
    case "$path" in
        "$P/share/hotspot/demo/policeuk/"*) ;;
        *) fail "the run read $path, not a file of the installed data folder" ;;
    esac
    want=$(sha256sum "$SRC/data/${path#"$P/share/hotspot/"}" | cut -d' ' -f1)
    [ "$hash" = "sha256=$want" ] || fail "$path: run table $hash, sha256sum of data/ $want"
    : "$rows"
done < "$T/inputs.txt"
for key in areas population; do
    v=$(sqlite3 "$G" "SELECT value FROM run WHERE section = 'parameter' AND key = '$key'")
    case "$v" in "$P/share/hotspot/demo/"*) ;; *) fail "run table $key = $v, not in the installed data folder" ;; esac
done
echo "demo: $n input files, all from $P/share/hotspot, bytes as data/'s"

# the same run from the build tree: every table equal (sqlite3 .dump; the
# data folder's path, which the layers and the run table record, aside)
(cd "$T/tree" && "$BIN" demo -o demo.gpkg > out.txt 2> err.txt) ||
    fail "the build tree's demo failed: $(cat "$T/tree/err.txt")"
sqlite3 "$G" .dump | sed "s|$P/share/hotspot|DATA|g" > "$T/installed.sql"
sqlite3 "$T/tree/demo.gpkg" .dump | sed "s|$BUILD/share/hotspot|DATA|g; s|$(dirname "$BIN")/share/hotspot|DATA|g" > "$T/tree.sql"
grep -q DATA "$T/tree.sql" || fail "the build tree's run names no file of build/share/hotspot"
cmp -s "$T/installed.sql" "$T/tree.sql" ||
    fail "the installed copy's demo differs from the build tree's: $(diff "$T/installed.sql" "$T/tree.sql" | cut -c1-200 | head -4)"
tables=$(sqlite3 "$G" "SELECT count(*) FROM gpkg_contents")
styles=$(sqlite3 "$G" "SELECT count(*) FROM layer_styles")
for t in areas rates_asb rates_sac rates_violence hotspots_asb kde_asb gistar_asb layer_styles run; do
    [ "$(sqlite3 "$G" "SELECT count(*) FROM gpkg_contents WHERE table_name = '$t'")" = 1 ] ||
        fail "the installed copy's demo has no $t"
done
[ "$styles" -gt 0 ] || fail "no layer styles: the compiled-in templates are missing"
echo "demo: $tables tables and $styles styles, equal to the build tree's run"

# ---- hotspot report from the installed copy ---------------------------------------
run_installed hotspot report demo.gpkg -o packs > "$T/rep.txt" 2> "$T/rep_err.txt" ||
    fail "hotspot report from the installed copy failed: $(cat "$T/rep_err.txt")"
(cd "$T/tree" && "$BIN" report demo.gpkg -o packs > /dev/null 2> err.txt) ||
    fail "the build tree's report failed: $(cat "$T/tree/err.txt")"
nareas=$(sqlite3 "$G" "SELECT count(*) FROM areas")
[ "$(ls "$T/run/packs" | grep -c '\.pdf$')" = $((nareas + 1)) ] ||
    fail "expected $nareas area packs and county.pdf: $(ls "$T/run/packs")"
for id in $(sqlite3 "$G" "SELECT area_id FROM areas") county; do
    f=$T/run/packs/$id.pdf
    [ -s "$f" ] || fail "no $id.pdf"
    got=$(pdfinfo "$f" | awk '/^Pages:/ { print $2 }')
    want=$(pdfinfo "$T/tree/packs/$id.pdf" | awk '/^Pages:/ { print $2 }')
    [ -n "$got" ] && [ "$got" -ge 1 ] || fail "$id.pdf has no pages"
    [ "$got" = "$want" ] || fail "$id.pdf has $got pages, the build tree's $want"
done
echo "report: $nareas area packs and county.pdf ($(pdfinfo "$T/run/packs/county.pdf" | awk '/^Pages:/ { print $2 }') pages), pages as the build tree's"

# nothing was written into the prefix (no GDAL side files beside the data)
find "$P" -type f -exec sha256sum {} + | sort > "$T/prefix_after.txt"
diff "$T/prefix_before.txt" "$T/prefix_after.txt" > "$T/d.txt" ||
    fail "running changed the installed files: $(head -5 "$T/d.txt")"
echo "the prefix is unchanged by the runs"

# ---- the lookup's order ----------------------------------------------------------
FAST=(--kde no --gistar no --lisa no)
groups_of() { sqlite3 "$1" "SELECT group_concat(table_name, ' ') FROM (SELECT table_name FROM gpkg_contents WHERE table_name LIKE 'rates\_%' ESCAPE '\' ORDER BY 1)"; }
# HOTSPOT_DATA beats the folder beside the executable: a copy whose demo
# profile asks for ASB only
cp -r "$P/share/hotspot" "$T/mydata"
sed -i 's/^groups = .*/groups = asb/' "$T/mydata/demo.ini"
(cd "$T/run" && HOTSPOT_DATA=$T/mydata "$P/bin/hotspot" demo "${FAST[@]}" -o env.gpkg > /dev/null 2> "$T/err.txt") ||
    fail "demo with HOTSPOT_DATA failed: $(cat "$T/err.txt")"
[ "$(groups_of "$T/run/env.gpkg")" = "rates_asb" ] ||
    fail "HOTSPOT_DATA was not used first: tables $(groups_of "$T/run/env.gpkg")"
# an empty HOTSPOT_DATA counts as unset
(cd "$T/run" && HOTSPOT_DATA= "$P/bin/hotspot" demo "${FAST[@]}" -o empty.gpkg > /dev/null 2> "$T/err.txt") ||
    fail "demo with an empty HOTSPOT_DATA failed: $(cat "$T/err.txt")"
[ "$(groups_of "$T/run/empty.gpkg")" = "rates_asb rates_sac rates_violence" ] ||
    fail "an empty HOTSPOT_DATA did not fall back to the installed data: $(groups_of "$T/run/empty.gpkg")"
# a symlink to the binary (as /usr/local/bin links do) finds the real prefix
mkdir -p "$T/links"
ln -s "$P/bin/hotspot" "$T/links/hotspot"
(cd "$T/run" && env -u HOTSPOT_DATA "$T/links/hotspot" demo "${FAST[@]}" -o link.gpkg > /dev/null 2> "$T/err.txt") ||
    fail "demo through a symlink failed: $(cat "$T/err.txt")"
# the binary alone: a usage error naming where the data should be, and
# HOTSPOT_DATA repairs it
mkdir -p "$T/lonely/bin"
cp "$P/bin/hotspot" "$T/lonely/bin/"
rc=0
(cd "$T/run" && env -u HOTSPOT_DATA "$T/lonely/bin/hotspot" demo -o lonely.gpkg > /dev/null 2> "$T/err.txt") || rc=$?
[ "$rc" = 2 ] || fail "demo without a data folder: exit $rc, want 2"
grep -qF "$T/lonely/share/hotspot/demo.ini" "$T/err.txt" ||
    fail "the error does not name the missing data folder: $(cat "$T/err.txt")"
[ ! -e "$T/run/lonely.gpkg" ] || fail "a GeoPackage was written without data"
(cd "$T/run" && HOTSPOT_DATA=$P/share/hotspot "$T/lonely/bin/hotspot" demo "${FAST[@]}" -o lonely.gpkg > /dev/null 2> "$T/err.txt") ||
    fail "HOTSPOT_DATA did not rescue a binary without its data: $(cat "$T/err.txt")"
echo "lookup: HOTSPOT_DATA first (empty = unset), a symlink finds the prefix, a lone binary names $T/lonely/share/hotspot"

# ---- the man page ----------------------------------------------------------------
MANPAGE=$P/share/man/man1/hotspot.1
command -v man > /dev/null || { echo "SKIP (the rest): man not installed (man-db; scripts/install-deps.sh installs it)"; exit 77; }
LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings=w -l "$MANPAGE" > "$T/man.txt" 2> "$T/man_err.txt" ||
    fail "man -l failed: $(cat "$T/man_err.txt")"
[ ! -s "$T/man_err.txt" ] || fail "the man page has roff warnings: $(head -5 "$T/man_err.txt")"
# rendered hyphens and minus signs read as "-" for the comparison
sed 's/\xe2\x88\x92/-/g; s/\xe2\x80\x90/-/g' "$T/man.txt" > "$T/man_ascii.txt"
for sec in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
    grep -q "^$sec\$" "$T/man_ascii.txt" || fail "the man page has no $sec section"
done
grep -q "hotspot $("$BIN" --version | awk '{ print $2 }')" "$T/man_ascii.txt" || fail "the man page is not of this version"
# every command of the usage text has its entry under COMMANDS
cmds=$("$BIN" --help | awk '$1 == "hotspot" && $2 ~ /^[a-z]+$/ { print $2 }' | sort -u)
[ "$(echo "$cmds" | wc -l)" -ge 5 ] || fail "the usage text lists only: $cmds"
for c in $cmds; do
    grep -qE "^       $c( |\$)" "$T/man_ascii.txt" || fail "the man page does not describe the command '$c'"
done
# every option of run --help and report --help, with its value
{ "$BIN" run --help; "$BIN" report --help; } | grep -oE '^  --?[a-z][a-z0-9-]*' | sed 's/^ *//' | sort -u > "$T/flags.txt"
nflags=$(wc -l < "$T/flags.txt")
[ "$nflags" -ge 60 ] || fail "only $nflags options in --help"
while read -r flag; do
    grep -qE -- "(^|[ ,])$flag( |,|\$)" "$T/man_ascii.txt" || fail "the man page does not document $flag"
done < "$T/flags.txt"
"$BIN" run --help | awk '/^  --/ { print $1, $2 }' | while read -r flag meta; do
    grep -qF -- "$flag $meta" "$T/man_ascii.txt" || fail "the man page does not give $flag's value as $meta"
done
# the exit statuses of the usage text, each with its entry
for code in $("$BIN" --help | grep -oE '[0-9] (done|the run failed|bad usage)' | cut -c1); do
    grep -qE "^       $code  " "$T/man_ascii.txt" || fail "EXIT STATUS does not list $code"
done
grep -q "HOTSPOT_DATA" "$T/man_ascii.txt" || fail "the man page does not name HOTSPOT_DATA"
echo "man page: renders without warnings; $(echo "$cmds" | wc -w) commands, $nflags options and the exit statuses of --help"
