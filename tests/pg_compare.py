#!/usr/bin/python3
"""Compares a run written to PostGIS with the same run's GeoPackage (run by
test_postgis.sh).

usage: pg_compare.py RESULT.gpkg DBNAME SCHEMA

The GeoPackage is read by GDAL (ogr2ogr to CSV, geometry as WKT) and
sqlite3; the database by psql (ST_AsText), with the connection in PGHOST,
PGPORT and PGUSER.  Checks: the same tables; every vector table row for
row (fid order), text and integers equal, reals within 1e-12 relative,
geometry WKT of the same shape with coordinates within 1e-6 m; the
layer_styles rows of the schema are the GeoPackage's (QML and SLD text
equal; a raster's f_geometry_column 'rast' for ''), each styled vector
layer with one default; the project in SCHEMA.qgis_projects is a .qgz
whose layers are the GeoPackage project's, every data source a table of
SCHEMA.  Rasters are compared by test_postgis.sh (GDAL, cell for cell).
Exit 0 when all pass, 1 otherwise (every failure printed).
"""
import csv
import io
import re
import sqlite3
import subprocess
import sys
import zipfile

GPKG, DB, SCHEMA = sys.argv[1:4]
failures = []


def check(ok, what):
    if not ok:
        print("FAIL " + what)
        failures.append(what)
    return ok


def psql(sql):
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", DB,
                          "-c", "\\copy (%s) TO STDOUT CSV HEADER" % sql],
                         check=True, capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def qi(name):
    return '"' + name.replace('"', '""') + '"'


def ql(text):
    return "'" + text.replace("'", "''") + "'"


NUM = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def same_wkt(a, b):
    na, nb = NUM.findall(a), NUM.findall(b)
    if NUM.sub("#", a).replace(" ", "") != NUM.sub("#", b).replace(" ", ""):
        return False
    return len(na) == len(nb) and all(abs(float(x) - float(y)) <= 1e-6
                                      for x, y in zip(na, nb))


def same_value(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= 1e-12 * max(abs(x), abs(y))


db = sqlite3.connect(GPKG)
contents = dict(db.execute("SELECT table_name, data_type FROM gpkg_contents"))
vectors = sorted(t for t, k in contents.items()
                 if k in ("features", "attributes")
                 and t not in ("layer_styles", "qgis_projects"))
rasters = sorted(t for t, k in contents.items() if k == "2d-gridded-coverage")
pg_tables = {r["table_name"] for r in psql(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
    % ql(SCHEMA))}
check(pg_tables == set(vectors) | set(rasters) | {"qgis_projects"},
      "tables: PostGIS %s, GeoPackage %s" % (
          sorted(pg_tables), sorted(set(vectors) | set(rasters))))

rows_compared = 0
for t in vectors:
    if t not in pg_tables:
        continue
    g = subprocess.run(["ogr2ogr", "-f", "CSV", "/vsistdout/", GPKG, "-sql",
                        'SELECT fid AS hs_fid, * FROM %s ORDER BY fid' % qi(t),
                        "-lco", "GEOMETRY=AS_WKT"],
                       check=True, capture_output=True, text=True).stdout
    grows = list(csv.DictReader(io.StringIO(g)))
    cols = [r["column_name"] for r in psql(
        "SELECT column_name FROM information_schema.columns WHERE "
        "table_schema = %s AND table_name = %s AND column_name NOT IN "
        "('fid', 'geom') ORDER BY ordinal_position" % (ql(SCHEMA), ql(t)))]
    geom = contents[t] == "features"
    sel = ", ".join(["fid AS hs_fid"] + [qi(c) for c in cols])
    if geom:
        sel = 'ST_AsText(geom) AS "WKT", ' + sel
    prows = psql("SELECT %s FROM %s.%s ORDER BY fid" % (sel, qi(SCHEMA), qi(t)))
    gcols = list(grows[0].keys()) if grows else []
    if grows and not check(set(gcols) == set(prows[0].keys()) if prows else False,
                           "%s: columns %s against %s" % (
                               t, gcols, list(prows[0].keys()) if prows else [])):
        continue
    if not check(len(grows) == len(prows), "%s: %d rows in PostGIS, %d in the "
                 "GeoPackage" % (t, len(prows), len(grows))):
        continue
    bad = 0
    for gr, pr in zip(grows, prows):
        for c in gr:
            ok = same_wkt(gr[c], pr[c]) if c == "WKT" else same_value(gr[c], pr[c])
            if not ok and bad < 3:
                check(False, "%s fid %s, %s: GeoPackage %.80r, PostGIS %.80r"
                      % (t, gr["hs_fid"], c, gr[c], pr[c]))
            bad += not ok
        rows_compared += 1
    check(bad == 0, "%s: %d differing values" % (t, bad))

# layer_styles
gst = sorted((r[0], r[1], r[2], r[3], r[4], int(r[5]), r[6]) for r in db.execute(
    "SELECT f_table_name, f_geometry_column, styleName, styleQML, styleSLD, "
    "useAsDefault, description FROM layer_styles"))
pst = sorted((r["f_table_name"],
              "" if r["f_geometry_column"] == "rast" else r["f_geometry_column"],
              r["stylename"], r["styleqml"], r["stylesld"],
              1 if r["useasdefault"] == "t" else 0, r["description"])
             # ::text: the stored text (xml's output leaves out a
             # standard <?xml ...?> declaration)
             for r in psql("SELECT f_table_name, f_geometry_column, stylename, "
                           "styleqml::text AS styleqml, stylesld::text AS "
                           "stylesld, useasdefault, description FROM "
                           "layer_styles WHERE f_table_schema = %s AND "
                           "f_table_catalog = current_database()" % ql(SCHEMA)))
check(len(gst) == len(pst), "layer_styles: %d rows in PostGIS, %d in the "
      "GeoPackage" % (len(pst), len(gst)))
for a, b in zip(gst, pst):
    check(a == b, "layer_styles row %s/%s differs" % (a[0], a[2]))
defaults = {}
for r in pst:
    if r[1] == "geom":
        defaults[r[0]] = defaults.get(r[0], 0) + r[5]
check(defaults and all(n == 1 for n in defaults.values()),
      "each styled vector layer has one default style: %s" % defaults)

# the project
proj = psql("SELECT name, encode(content, 'hex') AS content FROM %s.qgis_projects"
            % qi(SCHEMA))
if check(len(proj) == 1 and proj[0]["name"] == "hotspot",
         "one project 'hotspot' in %s.qgis_projects" % SCHEMA):
    z = zipfile.ZipFile(io.BytesIO(bytes.fromhex(proj[0]["content"])))
    qgs = z.read("hotspot.qgs").decode()
    gz = zipfile.ZipFile(io.BytesIO(bytes.fromhex(db.execute(
        "SELECT content FROM qgis_projects WHERE name = 'hotspot'").fetchone()[0])))
    gqgs = gz.read("hotspot.qgs").decode()
    names = re.findall(r"<layername>(.*?)</layername>", qgs)
    check(names == re.findall(r"<layername>(.*?)</layername>", gqgs),
          "the project's layers are the GeoPackage project's")
    sources = re.findall(r"<datasource>(.*?)</datasource>", qgs)
    tables = [re.search(r'table=&quot;(.*?)&quot;\.&quot;(.*?)&quot;', s)
              for s in sources]
    check(len(sources) == len(names) and all(
        m and m.group(1) == SCHEMA and m.group(2) in pg_tables for m in tables),
        "every data source is a table of %s" % SCHEMA)
    check("password" not in qgs, "no password in the project")
    providers = set(re.findall(r"<provider[^>]*>(.*?)</provider>", qgs))
    check(providers <= {"postgres", "postgresraster"},
          "providers postgres and postgresraster: %s" % providers)

print("compared %d tables (%d rows), %d style rows, %d rasters listed" % (
    len(vectors), rows_compared, len(pst), len(rasters)))
sys.exit(1 if failures else 0)
