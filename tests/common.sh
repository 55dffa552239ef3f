# Sourced by the shell tests: the source tree, the hotspot binary (ctest
# passes both), a temporary folder removed on exit (HOTSPOT_KEEP=1 keeps
# it, to look at), and fail().
SRC=${HOTSPOT_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HOTSPOT_BIN:-$SRC/build/hotspot}
T=$(mktemp -d)
if [ -n "${HOTSPOT_KEEP:-}" ]; then
    echo "keeping $T"
else
    trap 'rm -rf "$T"' EXIT
fi
fail() { echo "FAIL: $*"; exit 1; }

# Driver tests (C compiled here against the library, compared with R):
# need_driver_tools skips (77) without a C compiler, pkg-config or
# geos-config, and fails without the library; build_driver SRC.c OUT
# compiles and links it, with the sanitizers when the library has them.
LIB=${HOTSPOT_LIB:-$SRC/build/libhotspot.a}
need_driver_tools() {
    CC=${CC:-cc}
    command -v "$CC" >/dev/null || { echo "SKIP: no C compiler ($CC) for the driver"; exit 77; }
    for tool in pkg-config geos-config; do
        command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
    done
    [ -f "$LIB" ] || fail "no library at $LIB"
}
build_driver() {
    local san=""
    # a sanitizer build of the library needs the runtimes; through a file,
    # as grep -q closing the pipe early fails the pipe under pipefail
    nm "$LIB" > "$T/nm.txt" 2>/dev/null || true
    grep -q '__asan_' "$T/nm.txt" && san="-fsanitize=address,undefined"
    # shellcheck disable=SC2046,SC2086
    "$CC" -std=c11 -D_DEFAULT_SOURCE $san -I"$SRC/include" -I"$SRC/src" -o "$2" "$1" \
        "$LIB" $(pkg-config --libs gdal proj sqlite3 cairo cairo-pdf fontconfig nettle inih libpq) \
        $(geos-config --clibs) -lm -lpthread 2>"$T/cc.txt" || fail "cannot build the driver: $(cat "$T/cc.txt")"
}
