#!/bin/bash
# Proven by QGIS: the demo's GeoPackage opened in QGIS 3 (PyQGIS, headless)
# the way an analyst opens it - every layer valid, each vector layer's
# default style from layer_styles applied with the run's classes (recomputed
# from the data in qgis_check.py), the project stored in the GeoPackage and
# the .qgz beside it load every layer from the file, grouped and in drawing
# order, and a rendered PNG per group shows the hotspots in their colours.
# The files are moved to another folder first: the project's paths are
# relative.  The run follows an earlier one (--previous), so its ceased
# hotspots are there too, and so are its targets and priority_gap tables.
# Skips (77) without QGIS's Python bindings.
# HOTSPOT_QGIS_PNG_DIR=dir (or HOTSPOT_KEEP=1) keeps the PNGs for a look.
set -euo pipefail
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c "import qgis.core" 2>/dev/null ||
    { echo "SKIP: QGIS Python bindings (python3-qgis) are not installed"; exit 77; }
. "$(dirname "$0")/common.sh"

mkdir -p "$T/run" "$T/moved/sub" "$T/cell"
# the month before first, so the file has hotspots_ceased_<group> too
(cd "$T/run" && "$BIN" demo --to 2024-11 --gistar no --lisa no -o prev.gpkg > out.txt 2> err.txt) ||
    fail "demo run to 2024-11 failed: $(cat "$T/run/err.txt")"
# with targets and priority areas, so their tables are opened too
printf 'area_id,crime_group,period,target\nall,asb,fy2024,3000\nAB03,violence,2024q2,200\n' \
    > "$T/run/targets.csv"
(cd "$T/run" && "$BIN" demo --previous prev.gpkg --targets targets.csv --priority-areas AB03,AB12 \
    -o result.gpkg > out.txt 2> err.txt) || fail "demo run failed: $(cat "$T/run/err.txt")"
[ -f "$T/run/result.qgz" ] || fail "no result.qgz beside result.gpkg"
mv "$T/run/result.gpkg" "$T/run/result.qgz" "$T/moved/sub/"
# densities per cell: the raster's classes must follow its unit
(cd "$T/cell" && "$BIN" demo -o cell.gpkg --kde-units cell > out.txt 2> err.txt) ||
    fail "demo --kde-units cell failed: $(cat "$T/cell/err.txt")"

export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$T/xdg
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
PNG=${HOTSPOT_QGIS_PNG_DIR:-$T/png}
# QGIS prints start-up noise on stderr; the checks print on stdout
"$PY" "$SRC/tests/qgis_check.py" "$T/moved/sub/result.gpkg" "$PNG" 2> "$T/qgis.err" ||
    { grep -v "^Warning\|QStandardPaths" "$T/qgis.err" | tail -20; fail "QGIS checks failed"; }
"$PY" "$SRC/tests/qgis_check.py" "$T/cell/cell.gpkg" "$PNG/cell" 2> "$T/qgis.err" ||
    { grep -v "^Warning\|QStandardPaths" "$T/qgis.err" | tail -20; fail "QGIS checks failed (per cell)"; }
echo "PASS: QGIS opens the styled GeoPackage and its project (PNGs: $PNG)"
