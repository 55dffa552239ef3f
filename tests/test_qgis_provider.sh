#!/bin/bash
# The QGIS plugin (scripts/qgis/hotspot_provider), headless:
#  - packaged by scripts/qgis/package.sh, unpacked by QGIS's own "Install
#    from ZIP" code (pyplugin_installer.unzip) into a throw-away profile
#    (QGIS_CUSTOM_CONFIG_PATH) and enabled with `qgis_process plugins enable`;
#  - `qgis_process list` shows hotspot:run, kde, evaluate and report;
#  - `qgis_process run hotspot:run` on the demo county, with other than the
#    default values for many parameters, writes a GeoPackage equal to the
#    CLI's for the same flags: every table's rows compared with sqlite3
#    (nothing is excluded: see "compare" below); likewise evaluate (tables),
#    kde (the GeoTIFF byte for byte) and report (the PDFs byte for byte);
#  - tests/qgis_provider_check.py (PyQGIS): defaults and choices against
#    `hotspot CMD --help`, the progress contract, cancelling, errors, layers
#    that are not plain files, the results added to a project.
# Skips (77) without qgis_process or QGIS's Python bindings.
set -euo pipefail
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c "import qgis.core" 2>/dev/null ||
    { echo "SKIP: QGIS Python bindings (python3-qgis) are not installed"; exit 77; }
command -v qgis_process >/dev/null || command -v qgis_process.bin >/dev/null ||
    { echo "SKIP: qgis_process is not installed"; exit 77; }
. "$(dirname "$0")/common.sh"
D=$SRC/data/demo

export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$T/xdg QGIS_CUSTOM_CONFIG_PATH=$T/qgis
export HOTSPOT_BIN=$BIN
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
# Debian's qgis_process wrapper adds a flag QGIS 3.22 rejects: then the binary
QP=qgis_process
command -v qgis_process >/dev/null && qgis_process --version > /dev/null 2>&1 ||
    QP=qgis_process.bin
PLUG=$QGIS_CUSTOM_CONFIG_PATH/profiles/default/python/plugins
mkdir -p "$PLUG" "$T/cli" "$T/qgis-out"
qp() { "$QP" "$@" 2> "$T/qp.err"; }
qp_fail() { grep -v "^Warning\|QStandardPaths\|setapi" "$T/qp.err" | tail -20; fail "$*"; }

# ---- install as "Install from ZIP" does, enable, list --------------------
"$SRC/scripts/qgis/package.sh" "$T/hotspot_provider.zip" > /dev/null
"$PY" - "$T/hotspot_provider.zip" "$PLUG" <<'EOF'
import glob, sys, zipfile
found = glob.glob("/usr/share/qgis/python/pyplugin_installer/unzip.py")
if found:  # QGIS's own code for Plugins > Install from ZIP
    sys.path.insert(0, found[0].rsplit("/pyplugin_installer", 1)[0])
    from pyplugin_installer.unzip import unzip
    unzip(sys.argv[1], sys.argv[2])
else:
    zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
EOF
[ -f "$PLUG/hotspot_provider/metadata.txt" ] || fail "the zip has no hotspot_provider/metadata.txt"
grep -qx "version=$("$BIN" --version | awk '{print $2}')" "$PLUG/hotspot_provider/metadata.txt" ||
    fail "metadata.txt's version is not hotspot --version's"
qp plugins enable hotspot_provider > "$T/enable.txt" || qp_fail "qgis_process plugins enable failed"
grep -q "^\[PythonPlugins\]" "$QGIS_CUSTOM_CONFIG_PATH/profiles/default/QGIS/QGIS3.ini" ||
    fail "plugins enable wrote no [PythonPlugins] into the temporary profile"
qp list > "$T/list.txt" || qp_fail "qgis_process list failed"
for a in run kde evaluate report; do
    grep -q "hotspot:$a" "$T/list.txt" || fail "qgis_process list does not show hotspot:$a"
done
echo "ok: qgis_process list shows hotspot:run, kde, evaluate, report"

# ---- compare: every table of two GeoPackages, row by row -----------------
# Nothing is excluded.  Checked when this was written: the run table holds
# no start time, duration or command line (the summary's timings go to
# standard output only), gpkg_contents' last_change is pinned (README
# "Output"), both runs name the same input files, and the project inside
# names its GeoPackage relatively (./result.gpkg), so every row is equal.
# A future field that records when or how a run was started would differ
# here and be excluded by name, with its reason.
compare() {
    local a=$1 b=$2 ta tb t n=0
    ta=$(sqlite3 "$a" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    tb=$(sqlite3 "$b" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    [ "$ta" = "$tb" ] || fail "tables differ: $(diff <(echo "$ta") <(echo "$tb") | head -5)"
    for t in $ta; do
        cmp -s <(sqlite3 -cmd ".mode quote" "$a" "SELECT * FROM \"$t\"" | sort) \
               <(sqlite3 -cmd ".mode quote" "$b" "SELECT * FROM \"$t\"" | sort) ||
            fail "table $t differs: $(diff <(sqlite3 "$a" "SELECT * FROM \"$t\"" | sort) \
                 <(sqlite3 "$b" "SELECT * FROM \"$t\"" | sort) | head -6)"
        n=$((n + $(sqlite3 "$a" "SELECT count(*) FROM \"$t\"")))
    done
    echo "$(echo "$ta" | wc -w) tables, $n rows"
}

# ---- hotspot:run against the CLI ------------------------------------------
# every value below differs from the default, so a flag the plugin dropped
# or mistranslated changes the run table (parameters) and the results
"$BIN" run --incidents "$D/policeuk" --areas "$D/boards.geojson" --area-id board_id \
    --area-name board_name --population "$D/zones.geojson" --from 2024-01 --to 2024-09 \
    --compare previous-period --groups violence,sac,asb --kernel epanechnikov --bandwidth 800 \
    --cell 200 --backtest-windows 4 --hotspot-class 2 --tasking-share 0.05 --gi-grid hex \
    --gi-permutations 99 --emerging no --lisa-permutations 199 --kde-units cell \
    -o "$T/cli/result.gpkg" > "$T/cli.out" 2> "$T/cli.err" || fail "CLI run: $(cat "$T/cli.err")"
qp run hotspot:run -- INCIDENTS_FOLDER="$D/policeuk" AREAS="$D/boards.geojson" \
    AREA_ID=board_id AREA_NAME=board_name POPULATION_ZONES="$D/zones.geojson" \
    POPULATION_ZONE_FIELD=population FROM=2024-01 TO=2024-09 COMPARE=1 GROUPS=violence,sac,asb \
    KERNEL=4 BANDWIDTH_RULE=3 BANDWIDTH=800 CELL=200 BACKTEST_WINDOWS=4 HOTSPOT_CLASS=2 \
    TASKING_SHARE=0.05 GI_GRID=1 GI_PERMUTATIONS=99 EMERGING=false LISA_PERMUTATIONS=199 \
    KDE_UNITS=1 LOAD=false OUTPUT="$T/qgis-out/result.gpkg" > "$T/run.out" ||
    qp_fail "qgis_process run hotspot:run failed"
grep -q "^PROJECT:.*result.qgz" "$T/run.out" || fail "no PROJECT output: $(tail -5 "$T/run.out")"
[ -f "$T/qgis-out/result.qgz" ] || fail "no result.qgz beside the plugin's GeoPackage"
echo "ok: hotspot:run = hotspot run: $(compare "$T/cli/result.gpkg" "$T/qgis-out/result.gpkg")"

# ---- evaluate, kde, report ------------------------------------------------
"$BIN" evaluate --incidents "$D/policeuk" --areas "$D/boards.geojson" --area-id board_id \
    --target AB03 --buffer 400 --control AB05,AB06 --before 2023-01:2023-06 \
    --after 2024-01:2024-06 --alpha 0.05 -o "$T/cli/eval.gpkg" > /dev/null 2>&1 ||
    fail "CLI evaluate failed"
qp run hotspot:evaluate -- INCIDENTS_FOLDER="$D/policeuk" AREAS="$D/boards.geojson" \
    AREA_ID=board_id TARGET=AB03 BUFFER=400 CONTROL=AB05,AB06 BEFORE=2023-01:2023-06 \
    AFTER=2024-01:2024-06 ALPHA=0.05 LOAD=false OUTPUT="$T/qgis-out/eval.gpkg" > /dev/null ||
    qp_fail "qgis_process run hotspot:evaluate failed"
echo "ok: hotspot:evaluate = hotspot evaluate: $(compare "$T/cli/eval.gpkg" "$T/qgis-out/eval.gpkg")"

"$BIN" kde --incidents "$D/policeuk" --groups violence --from 2024-01 --to 2024-06 \
    --kernel triweight --bandwidth knn:10 --cell 250 --extent 380000,110000,420000,150000 \
    --compress deflate -o "$T/cli/k.tif" > /dev/null 2>&1 || fail "CLI kde failed"
qp run hotspot:kde -- INCIDENTS_FOLDER="$D/policeuk" GROUPS=violence FROM=2024-01 TO=2024-06 \
    KERNEL=3 BANDWIDTH_RULE=1 KNN_K=10 CELL=250 \
    EXTENT="380000,420000,110000,150000 [EPSG:27700]" COMPRESS=1 \
    OUTPUT="$T/qgis-out/k.tif" > /dev/null || qp_fail "qgis_process run hotspot:kde failed"
cmp "$T/cli/k.tif" "$T/qgis-out/k.tif" > /dev/null ||
    fail "hotspot:kde's GeoTIFF differs from hotspot kde's"
echo "ok: hotspot:kde = hotspot kde (GeoTIFF byte for byte, $(stat -c %s "$T/cli/k.tif") bytes)"

"$BIN" report "$T/cli/result.gpkg" -o "$T/cli/packs" --area AB03 > /dev/null 2>&1 ||
    fail "CLI report failed"
qp run hotspot:report -- INPUT="$T/qgis-out/result.gpkg" AREA=AB03 \
    OUTPUT="$T/qgis-out/packs" > /dev/null || qp_fail "qgis_process run hotspot:report failed"
[ "$(ls "$T/cli/packs")" = "$(ls "$T/qgis-out/packs")" ] ||
    fail "report: files differ: $(ls "$T/cli/packs") / $(ls "$T/qgis-out/packs")"
for f in "$T/cli/packs"/*.pdf; do
    cmp -s "$f" "$T/qgis-out/packs/${f##*/}" || fail "report: ${f##*/} differs"
done
echo "ok: hotspot:report = hotspot report ($(ls "$T/cli/packs" | tr '\n' ' '))"

# ---- PyQGIS checks ---------------------------------------------------------
mkdir -p "$T/py"
"$PY" "$SRC/tests/qgis_provider_check.py" "$PLUG" "$BIN" "$T/py" "$SRC" \
    "$T/qgis-out/result.gpkg" 2> "$T/py.err" ||
    { grep -v "^Warning\|QStandardPaths\|setapi" "$T/py.err" | tail -20; fail "PyQGIS checks failed"; }
echo "PASS: the QGIS plugin installs, lists, runs and equals the CLI"
