#!/bin/sh
# Builds the Debian package (cpack -G DEB) in a build folder, installs it
# with apt-get as an administrator would, runs "hotspot demo" and "hotspot
# report" from PATH in a temporary folder outside the tree, checks them, and
# purges the package and any package its installation pulled in, so the
# machine is left as found.  Root only (CI: .ci/run, after scripts/test.sh).
#
#   scripts/deb-check.sh [BUILD]     BUILD: the build folder, default build
set -eu
cd "$(dirname "$0")/.."
SRC=$(pwd -P)
BUILD=${1:-build}
fail() { echo "deb-check: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || { echo "deb-check: needs root (apt-get install, purge)" >&2; exit 2; }
# never touch an installation that is not ours: a package or a file of
# that name would be replaced and then purged
if dpkg-query -W -f='${Status}' hotspot 2> /dev/null | grep -q "ok installed"; then
    fail "a package 'hotspot' is installed already; remove it first"
fi
for f in /usr/bin/hotspot /usr/share/hotspot /usr/share/man/man1/hotspot.1.gz; do
    [ ! -e "$f" ] || fail "$f exists already; remove it first"
done
for tool in cpack dpkg-deb dpkg-shlibdeps sqlite3 pdfinfo; do
    command -v "$tool" > /dev/null || fail "$tool not found (cmake, dpkg-dev, sqlite3, poppler-utils)"
done

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOTSPOT_WERROR=ON > /dev/null
fi
cmake --build "$BUILD" -j"$(nproc)" > /dev/null
rm -f "$BUILD"/hotspot_*.deb
(cd "$BUILD" && cpack -G DEB > cpack.log 2>&1) || fail "cpack failed: $(tail -5 "$BUILD/cpack.log")"
set -- "$BUILD"/hotspot_*.deb
[ $# = 1 ] && [ -f "$1" ] || fail "cpack made no single hotspot_*.deb: $*"
DEB=$(basename "$1")
echo "deb-check: $DEB, $(stat -c %s "$1") bytes"
depends=$(dpkg-deb -f "$1" Depends)
echo "deb-check: Depends: $depends"
# what the binary links and what the report needs at run time
for lib in libc6 libgdal libproj libgeos-c libsqlite3 libcairo2 libinih libnettle fonts-dejavu-core; do
    echo "$depends" | grep -q "$lib" || fail "Depends names no $lib"
done

before=$(mktemp)
after=$(mktemp)
W=$(mktemp -d)
installed() {
    dpkg-query -W -f='${Package}:${Architecture} ${db:Status-Status}\n' |
        awk '$2 == "installed" { print $1 }' | sort
}
installed > "$before"
purge() { # the package, then whatever its installation added
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq hotspot > /dev/null 2>&1 || true
    installed > "$after"
    added=$(comm -13 "$before" "$after")
    if [ -n "$added" ]; then
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $added > /dev/null 2>&1 || true
    fi
}
trap 'purge; rm -rf "$W" "$before" "$after"' EXIT

(cd "$BUILD" && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$DEB" > apt.log 2>&1) ||
    fail "apt-get install ./$DEB failed: $(tail -5 "$BUILD/apt.log")"
[ "$(command -v hotspot)" = /usr/bin/hotspot ] || fail "hotspot on PATH is $(command -v hotspot), not /usr/bin/hotspot"
dpkg-deb -c "$BUILD/$DEB" | grep -q ' ./usr/share/man/man1/hotspot.1.gz$' || fail "the package has no man page"
# (minimal images exclude /usr/share/man from dpkg, or have no man-db)
if [ -e /usr/share/man/man1/hotspot.1.gz ] && command -v man > /dev/null; then
    [ "$(man -w hotspot)" = /usr/share/man/man1/hotspot.1.gz ] || fail "man hotspot does not find the page"
fi

# the demo and a report, from PATH, away from the tree and without HOTSPOT_DATA
cd "$W"
env -u HOTSPOT_DATA hotspot demo -o "$W/demo.gpkg" > demo.txt 2> demo_err.txt ||
    fail "hotspot demo failed: $(cat demo_err.txt)"
env -u HOTSPOT_DATA hotspot report "$W/demo.gpkg" -o "$W/packs" > report.txt 2> report_err.txt ||
    fail "hotspot report failed: $(cat report_err.txt)"
cd "$SRC"
q() { sqlite3 "$W/demo.gpkg" "$@"; }
for t in areas rates_asb rates_sac rates_violence hotspots_asb kde_asb layer_styles run; do
    [ "$(q "SELECT count(*) FROM gpkg_contents WHERE table_name = '$t'")" = 1 ] || fail "the demo has no $t"
done
# every input file is the package's copy of the demo, byte for byte
q "SELECT key || ' ' || value FROM run WHERE section = 'input' AND key LIKE '/%'" |
while read -r path hash rest; do
    case "$path" in /usr/share/hotspot/demo/*) ;; *) fail "the demo read $path" ;; esac
    [ "$hash" = "sha256=$(sha256sum "data/${path#/usr/share/hotspot/}" | cut -d' ' -f1)" ] ||
        fail "$path differs from data/"
    : "$rest"
done
n=$(q "SELECT count(*) FROM run WHERE section = 'input' AND key LIKE '/usr/share/hotspot/demo/%'")
[ "$n" = "$(find data/demo/policeuk -name '*.csv' | wc -l)" ] || fail "the demo read $n files"
areas=$(q "SELECT count(*) FROM areas")
[ "$(ls "$W/packs" | grep -c '\.pdf$')" = $((areas + 1)) ] || fail "expected $areas packs and county.pdf"
for f in "$W"/packs/*.pdf; do
    pages=$(pdfinfo "$f" | awk '/^Pages:/ { print $2 }')
    [ "${pages:-0}" -ge 1 ] || fail "$f has no pages"
done
echo "deb-check: /usr/bin/hotspot ran the demo ($n files from /usr/share/hotspot, $(q "SELECT count(*) FROM gpkg_contents") tables) and wrote $areas packs and county.pdf"

# the Debian archive has an unrelated "hotspot" (KDAB's perf GUI): the
# epoch keeps apt from taking it for an upgrade of this one (README
# "Install")
inst=$(dpkg-query -W -f='${Version}' hotspot)
case "$inst" in 1:*) ;; *) fail "the installed version $inst has no epoch 1" ;; esac
cand=$(apt-cache policy hotspot 2> /dev/null | awk '/Candidate:/ { print $2 }')
[ "$cand" = "$inst" ] || fail "apt's candidate for 'hotspot' is $cand, not the installed $inst"
apt-cache madison hotspot 2> /dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
while read -r v; do
    dpkg --compare-versions "$inst" ge "$v" || fail "the archive's hotspot $v sorts above $inst"
done
if apt-get -s -qq upgrade 2> /dev/null | grep -q '^Inst hotspot '; then
    fail "apt-get upgrade would replace hotspot $inst"
fi
others=$(apt-cache madison hotspot 2> /dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | grep -vxF "$inst" | tr '\n' ' ')
echo "deb-check: hotspot $inst stays installed: apt's candidate, above the archive's ${others:-(none)}"

purge
installed > "$after"
cmp -s "$before" "$after" || fail "the installed packages differ from before: $(diff "$before" "$after" | head -5)"
[ ! -e /usr/bin/hotspot ] && [ ! -e /usr/share/hotspot ] || fail "apt-get purge left files behind"
echo "deb-check: purged; the same packages are installed as before"
