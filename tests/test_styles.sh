#!/bin/bash
# Styles and project (src/job/styles.c) without QGIS: layer_styles in the shape
# QGIS creates (DESIGN-NOTES 7.1) with one default style per vector layer,
# well-formed QML/SLD/project XML, the project in qgis_projects equal to
# the .qgz beside the GeoPackage, the same bytes on every run, a run without
# density surfaces or incidents layer, and no overwriting of a file that
# is not a QGIS project.  test_qgis.sh checks what QGIS makes of them.
set -euo pipefail
. "$(dirname "$0")/common.sh"

mkdir -p "$T/a" "$T/b" "$T/c" "$T/d"
(cd "$T/a" && "$BIN" demo -o r.gpkg > /dev/null 2> err.txt) || fail "demo: $(cat "$T/a/err.txt")"
(cd "$T/b" && "$BIN" demo -o r.gpkg > /dev/null 2> err.txt) || fail "demo again: $(cat "$T/b/err.txt")"
G=$T/a/r.gpkg
[ -f "$T/a/r.qgz" ] || fail "no r.qgz beside r.gpkg"
cmp -s "$T/a/r.qgz" "$T/b/r.qgz" || fail "the .qgz differs between two identical runs"
for q in "SELECT * FROM layer_styles ORDER BY id" "SELECT * FROM qgis_projects"; do
    [ "$(sqlite3 "$G" "$q" | md5sum)" = "$(sqlite3 "$T/b/r.gpkg" "$q" | md5sum)" ] ||
        fail "'$q' differs between two identical runs"
done

# layer_styles: QGIS's columns, registered as attributes
cols=$(sqlite3 "$G" "SELECT group_concat(name, ',') FROM pragma_table_info('layer_styles')")
[ "$cols" = "id,f_table_catalog,f_table_schema,f_table_name,f_geometry_column,styleName,styleQML,styleSLD,useAsDefault,description,owner,ui,update_time" ] ||
    fail "layer_styles columns: $cols"
[ "$(sqlite3 "$G" "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'")" = attributes ] ||
    fail "layer_styles not registered as attributes"
# exactly one default style per vector layer, on its real geometry column
bad=$(sqlite3 "$G" "SELECT c.table_name || ':' || (SELECT count(*) FROM layer_styles s
        WHERE s.f_table_name = c.table_name AND s.f_geometry_column = c.column_name
          AND s.f_table_schema = '' AND s.f_table_catalog = '' AND s.useAsDefault = 1)
        FROM gpkg_geometry_columns c" | grep -v ':1$' || true)
[ -z "$bad" ] || fail "vector layers without exactly one default style: $bad"
n=$(sqlite3 "$G" "SELECT count(*) FROM layer_styles WHERE f_table_name IN
        (SELECT table_name FROM gpkg_contents WHERE data_type = '2d-gridded-coverage')
        AND useAsDefault = 0 AND f_geometry_column = ''")
[ "$n" = 3 ] || fail "expected a (non-default) style row for each of 3 rasters, got $n"

# well-formed XML everywhere; the stored project equals the .qgz
python3 - "$G" "$T/a/r.qgz" <<'PY' || fail "XML or project check failed"
import io, sqlite3, sys, zipfile
from xml.dom import minidom
db = sqlite3.connect(sys.argv[1])
for t, n, q, s in db.execute("SELECT f_table_name, styleName, styleQML, styleSLD FROM layer_styles"):
    for kind, text in (("QML", q), ("SLD", s)):
        try:
            minidom.parseString(text.encode())
        except Exception as e:
            sys.exit(f"{t} / {n}: {kind} not well-formed: {e}")
        if "{{" in text:
            sys.exit(f"{t} / {n}: {kind} holds an unfilled mark")
(content,) = db.execute("SELECT content FROM qgis_projects WHERE name = 'hotspot'").fetchone()
stored = bytes.fromhex(content)
beside = open(sys.argv[2], "rb").read()
if stored != beside:
    sys.exit("qgis_projects content differs from the .qgz beside the GeoPackage")
z = zipfile.ZipFile(io.BytesIO(stored))
if z.namelist() != ["hotspot.qgs"]:
    sys.exit(f"qgz holds {z.namelist()}")
qgs = z.read("hotspot.qgs").decode()
minidom.parseString(qgs)
if "./r.gpkg|layername=areas" not in qgs or "GPKG:./r.gpkg:kde_asb" not in qgs:
    sys.exit("project data sources are not relative to the GeoPackage")
PY

# no density surfaces, no incidents layer: styles and project for the rest
(cd "$T/c" && "$BIN" demo -o r.gpkg --kde no --incidents-layer no > /dev/null 2> err.txt) ||
    fail "demo --kde no: $(cat "$T/c/err.txt")"
got=$(sqlite3 "$T/c/r.gpkg" "SELECT group_concat(DISTINCT f_table_name) FROM layer_styles")
[ "$got" = "areas,gistar_asb,emerging_asb,lisa_asb,rates_asb,gistar_sac,emerging_sac,lisa_sac,rates_sac,gistar_violence,emerging_violence,lisa_violence,rates_violence" ] ||
    fail "styles without kde: $got"
(cd "$T/c" && "$BIN" demo -o e.gpkg --kde no --emerging no --lisa no --incidents-layer no > /dev/null 2> err.txt) ||
    fail "demo --kde no --emerging no --lisa no: $(cat "$T/c/err.txt")"
got=$(sqlite3 "$T/c/e.gpkg" "SELECT group_concat(DISTINCT f_table_name) FROM layer_styles")
[ "$got" = "areas,gistar_asb,rates_asb,gistar_sac,rates_sac,gistar_violence,rates_violence" ] ||
    fail "styles without kde, emerging and lisa: $got"
(cd "$T/c" && "$BIN" demo -o s.gpkg --kde no --gistar no --lisa no --incidents-layer no > /dev/null 2> err.txt) ||
    fail "demo --kde no --gistar no: $(cat "$T/c/err.txt")"
got=$(sqlite3 "$T/c/s.gpkg" "SELECT group_concat(DISTINCT f_table_name) FROM layer_styles")
[ "$got" = "areas,rates_asb,rates_sac,rates_violence" ] || fail "styles without kde and gistar: $got"
python3 -c "import zipfile,sys; q=zipfile.ZipFile(sys.argv[1]).read('hotspot.qgs').decode(); sys.exit('kde_' in q or 'hotspots_' in q or 'layername=incidents' in q)" \
    "$T/c/r.qgz" || fail "project without kde names missing layers"

# a file at the .qgz's name that is not a QGIS project is never overwritten
echo "my notes" > "$T/d/r.qgz"
if (cd "$T/d" && "$BIN" demo -o r.gpkg > /dev/null 2> err.txt); then fail "ran over a non-project r.qgz"; fi
grep -q "r.qgz.*not overwritten" "$T/d/err.txt" || fail "message: $(cat "$T/d/err.txt")"
[ "$(cat "$T/d/r.qgz")" = "my notes" ] || fail "r.qgz was changed"
[ ! -e "$T/d/r.gpkg" ] || fail "r.gpkg written although the run failed"
ls "$T/d" | grep -q tmp && fail "temporary file left: $(ls "$T/d")"
echo "PASS: styles and project"
