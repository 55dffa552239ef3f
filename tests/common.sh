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
