#!/usr/bin/python3
"""Checks the QGIS plugin scripts/qgis/hotspot_provider in PyQGIS, headless
(run by test_qgis_provider.sh, after the qgis_process checks).

usage: qgis_provider_check.py PLUGINS_DIR HOTSPOT_BIN WORK_DIR SRC RUN.gpkg

- defaults and choices: every parameter's default and every enum's words
  against the binary's own `hotspot CMD --help`; every flag the plugin can
  pass exists there, and every flag there is offered (run, kde-only,
  evaluate-only, report);
- the progress contract with a stand-in binary: JSON percent -> progress
  bar, stage -> progress text, warnings, notes and errors to the log, the
  flag passed only when `--help` has it; cancelling stops the process and
  removes its temporary file; the binary from the provider's setting, and
  an error naming it when it is not a program;
- an error of the real binary reaches QGIS's log and the exception;
- layers that are not plain files (a filter, selected features, the second
  layer of a GeoPackage, a memory layer) give the same surface as the CLI
  on the same points filtered here with Python's csv module / GDAL;
- the results added to a project: the same tree as the .qgz's XML, every
  layer valid with the .qgz's renderer; without a project in the file, each
  table, vector layers styled by layer_styles' default QML;
- QGIS's own dialog (AlgorithmDialog, the task in a thread): its progress
  bar follows the JSON percent, warnings reach its log, and evaluate's
  layers are added to the project as a group.
Exit status 0 when all pass, 1 otherwise (every failure printed).
"""
import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile

from osgeo import gdal
sys.dont_write_bytecode = True  # the plugin folder stays as unpacked

from qgis.core import (QgsApplication, QgsFeature, QgsLayerTreeGroup,
                       QgsLayerTreeLayer, QgsProcessingContext,
                       QgsProcessingException,
                       QgsProcessingFeatureSourceDefinition,
                       QgsProcessingFeedback, QgsProject, QgsVectorLayer)

PLUGINS, BIN, WORK, SRC, RUN_GPKG = sys.argv[1:6]
failures = []


quiet = [0]  # passes not printed (the long lists of flags)


def check(ok, what, loud=True):
    if loud or not ok:
        print(("ok   " if ok else "FAIL ") + what)
    else:
        quiet[0] += 1
    if not ok:
        failures.append(what)
    return ok


app = QgsApplication([], True)  # with widgets: the dialog is checked too
app.initQgis()
sys.path.insert(0, PLUGINS)
from hotspot_provider import results  # noqa: E402
from hotspot_provider.plugin import standalone  # noqa: E402

plugin = standalone()
import processing  # noqa: E402
reg = QgsApplication.processingRegistry()
ALGS = {c: reg.createAlgorithmById("hotspot:" + c)
        for c in ("run", "kde", "evaluate", "report")}
check(all(ALGS.values()), "the provider registers run, kde, evaluate and report")


# ---- defaults and choices against --help --------------------------------
def parse_help(text):
    """{flag: (argument words, description)} from `hotspot CMD --help`."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^  (-[-\w]+)(?:, (--[-\w]+))?\s*(.*)$", line)
        if m:
            cur = m.group(2) or m.group(1)
            out[cur] = [m.group(3).strip(), ""]
            if m.group(2):
                out[m.group(1)] = out[cur]
            if "  " in m.group(3).strip():  # report: "-o, --output DIR   text"
                arg, desc = re.split(r"\s{2,}", m.group(3).strip(), 1)
                out[cur][:] = [arg, desc]
        elif cur and line.startswith("      "):
            out[cur][1] += " " + line.strip()
        elif not line.strip():
            cur = None
    return {k: (a, d.strip()) for k, (a, d) in out.items()}


def default_of(desc):
    m = re.search(r"\[default: ([^\]]*)\]$", desc)
    return m.group(1) if m else None


def choices_of(flag, arg, desc):
    if "|" in arg:
        return arg.split("|")
    m = re.match(r"^\w+: ([a-z, ]+?)(?: \(|$| \[)", desc)  # "kernel: a, b, c (..."
    return [w.strip() for w in m.group(1).split(",")] if m else None


helps = {c: subprocess.run([BIN, c, "--help"], capture_output=True, text=True).stdout
         for c in ALGS}
HANDLED = {"--progress": "added by the provider when the binary has it",
           "--quiet": "QGIS's log is where warnings belong",
           # QGIS chooses rows its own way: a layer's filter or a database
           # layer made from a query (DB Manager), which the provider exports
           "--incidents-sql": "a layer's filter or a query layer in QGIS",
           "--areas-sql": "a layer's filter or a query layer in QGIS",
           # the provider writes a GeoPackage that QGIS loads styled
           "--schema": "PostGIS output is the command line's (README)"}
def qcheck(ok, what):
    return check(ok, what, loud=False)


for cmd, alg in ALGS.items():
    h = parse_help(helps[cmd])
    qcheck(len(h) > 2, "%s --help parsed (%d flags)" % (cmd, len(h)))
    for f in alg.flag_list:
        if f.flag not in h:
            qcheck(False, "%s: %s (%s) is not in hotspot %s --help" % (cmd, f.flag, f.name, cmd))
            continue
        arg, desc = h[f.flag]
        d = default_of(desc)
        if f.kind == "enum":
            want = choices_of(f.flag, arg, desc)
            qcheck(want == f.values,
                   "%s %s: choices %s, the CLI's %s" % (cmd, f.flag, f.values, want))
            qcheck(d == f.default, "%s %s: default %s, the CLI's %s" % (cmd, f.flag, f.default, d))
        elif f.kind == "bool":
            qcheck(arg == "yes|no" and d == ("yes" if f.default else "no"),
                  "%s %s: default %s, the CLI's %s" % (cmd, f.flag, f.default, d))
        elif f.default is not None:
            if f.kind in ("int", "float"):
                same = d is not None and re.match(r"^[-\d.]+$", d) and float(d) == f.default
            else:
                same = d == f.default
            qcheck(bool(same), "%s %s: default %r, the CLI's %r" % (cmd, f.flag, f.default, d))
        elif f.optional and d is not None:
            # an empty parameter leaves the CLI's default, which must then be
            # a rule or "none", not a value the plugin should have shown
            qcheck(not re.match(r"^[-\d.]+$", d) and d not in ("yes", "no"),
                  "%s %s: no default in the plugin; the CLI's is %r" % (cmd, f.flag, d))
    covered = alg.flags_covered()
    for fl in covered:
        qcheck(fl in h, "%s: the plugin's %s is in hotspot %s --help" % (cmd, fl, cmd))
    for fl, (arg, desc) in h.items():
        only = re.search(r"hotspot (\w+) only", desc)
        if fl in HANDLED or fl == "--help":
            continue
        if cmd == "run" and not only or cmd in ("kde", "evaluate") and only and \
                only.group(1) == cmd or cmd == "report":
            qcheck(fl in covered, "%s: hotspot's %s is a parameter" % (cmd, fl))

# the bandwidth rule: an enum of its own (backtest in run, auto in kde)
arg, bw = parse_help(helps["run"])["--bandwidth"]
words = {"fixed": "METRES", "knn": "knn:K"}
for cmd, want in (("run", "backtest"), ("kde", "auto")):
    rules = ALGS[cmd].BANDWIDTH_RULES
    qcheck(re.search(r"%s \(%s\)" % (rules[0], cmd), default_of(bw)) and
           ALGS[cmd].parameterDefinition("BANDWIDTH_RULE").defaultValue() == 0 and
           rules[0] == want and all(words.get(r, r) in arg.split("|") for r in rules),
           "%s: bandwidth rules %s, first the CLI's default (%s; %s)"
           % (cmd, rules, default_of(bw), arg))
check(True, "%d checks of defaults, choices and flags against hotspot CMD --help" % quiet[0])


# ---- progress, messages and cancelling, with a stand-in binary ----------
class Recorder(QgsProcessingFeedback):
    def __init__(self, cancel_at=None):
        super().__init__()
        self.progress, self.texts, self.warnings, self.errors = [], [], [], []
        self.infos, self.commands, self.cancel_at, self.cancelled_at = [], [], cancel_at, None

    def setProgress(self, p):
        self.progress.append(p)
        super().setProgress(p)
        if self.cancel_at is not None and p >= self.cancel_at and not self.cancelled_at:
            self.cancelled_at = time.monotonic()
            self.cancel()

    def setProgressText(self, t):
        self.texts.append(t)

    def pushWarning(self, t):
        self.warnings.append(t)

    def reportError(self, t, fatal=False):
        self.errors.append(t)

    def pushInfo(self, t):
        self.infos.append(t)

    def pushCommandInfo(self, t):
        self.commands.append(t)


FAKE = os.path.join(WORK, "fake-hotspot")
with open(FAKE, "w") as f:
    f.write(r'''#!/usr/bin/python3
import json, os, sys, time
a = sys.argv[1:]
work = os.path.dirname(os.path.abspath(sys.argv[0]))
mode = open(os.path.join(work, "mode")).read().strip()
if "--help" in a:
    print("usage: hotspot run [PROFILE.ini] [options]")
    if not sys.argv[0].endswith("-old"):
        print("  --progress json\n      one JSON line per update on stderr")
    sys.exit(0)
json.dump({"argv": a, "pid": os.getpid()}, open(os.path.join(work, "argv.json"), "w"))
out = a[a.index("-o") + 1]
say = lambda s: (sys.stderr.write(s + "\n"), sys.stderr.flush())
if mode in ("progress", "old"):
    for stage, done, total, pct in (("reading", 1, 2, 5.0), ("reading", 2, 2, 12.5),
                                    ("density", 1, 3, 40.0), ("density", 3, 3, 80.25),
                                    ("writing", 1, 1, 100.0)):
        if mode == "progress":
            say(json.dumps({"stage": stage, "done": done, "total": total,
                            "elapsed": 0.1, "percent": pct}))
    say("hotspot: warning: 3 row(s) skipped: bad coordinates")
    say("  file x.csv line 7: coordinates 0, 0 are not a usable location")
    say("hotspot: note: no timeofweek table")
    print("hotspot: wrote " + out)
    open(out, "w").close()
elif mode == "slow":
    tmp = os.path.join(os.path.dirname(out),
                       ".%s.tmp-%d.gpkg" % (os.path.basename(out), os.getpid()))
    open(tmp, "w").write("half-written")
    say(json.dumps({"stage": "reading", "done": 1, "total": 9, "elapsed": 0.1, "percent": 3.0}))
    time.sleep(120)
elif mode == "fail":
    say(json.dumps({"stage": "reading", "done": 1, "total": 9, "elapsed": 0.1, "percent": 3.0}))
    say("hotspot: error: incidents 'x.csv' line 3: bad month")
    sys.exit(1)
''')
os.chmod(FAKE, 0o755)
OLD = FAKE + "-old"  # another file: --help answers are kept per binary
with open(FAKE) as a, open(OLD, "w") as b:
    b.write(a.read())
os.chmod(OLD, 0o755)
INC = os.path.join(SRC, "data", "demo", "policeuk", "2024-12", "2024-12-demoshire-street.csv")
os.environ["HOTSPOT_BIN"] = FAKE


def fake(mode, alg="hotspot:kde", extra=None, fb=None):
    with open(os.path.join(WORK, "mode"), "w") as f:
        f.write(mode)
    argv_file = os.path.join(WORK, "argv.json")
    if os.path.exists(argv_file):
        os.remove(argv_file)
    fb = fb or Recorder()
    params = {"INCIDENTS": INC, "OUTPUT": os.path.join(WORK, "fake.tif")}
    params.update(extra or {})
    err = None
    try:
        processing.run(alg, params, feedback=fb, context=QgsProcessingContext())
    except QgsProcessingException as e:
        err = str(e)
    if not os.path.exists(argv_file):  # not started
        return fb, err, {"argv": [], "pid": None}
    with open(argv_file) as f:
        return fb, err, json.load(f)


fb, err, argv = fake("progress")
check(err is None, "stand-in with progress: no error (%s)" % err)
check(argv["argv"][-2:] == ["--progress", "json"], "--progress json passed when --help has it")
check([p for p in fb.progress if p < 100] == [5.0, 12.5, 40.0, 80.25],
      "JSON percent -> setProgress: %s" % fb.progress)
check(fb.texts == ["reading", "density", "writing"],
      "stage -> setProgressText, once a stage: %s" % fb.texts)
check(fb.warnings == ["hotspot: warning: 3 row(s) skipped: bad coordinates",
                      "hotspot: warning: file x.csv line 7: coordinates 0, 0 are not a "
                      "usable location"],
      "warning and its continuation line -> pushWarning: %s" % fb.warnings)
check("hotspot: note: no timeofweek table" in fb.infos and
      any(i.startswith("hotspot: wrote ") for i in fb.infos) and not fb.errors,
      "note and summary -> pushInfo, no errors")

os.environ["HOTSPOT_BIN"] = OLD
fb, err, argv = fake("old")
os.environ["HOTSPOT_BIN"] = FAKE
check(err is None and "--progress" not in argv["argv"] and fb.texts == [],
      "a hotspot without --progress: not passed, the run still works")

fb, err, argv = fake("fail")
check(err is not None and "incidents 'x.csv' line 3: bad month" in err and
      fb.errors == ["hotspot: error: incidents 'x.csv' line 3: bad month"],
      "failure: the error line -> reportError and the exception (%s)" % err)

boards = os.path.join(SRC, "data", "demo", "boards.geojson")
out = os.path.join(WORK, "slow.gpkg")
fb = Recorder(cancel_at=3.0)
t0 = time.monotonic()
fb, err, argv = fake("slow", "hotspot:run", {"AREAS": boards, "AREA_ID": "board_id",
                                             "OUTPUT": out}, fb)
took = time.monotonic() - fb.cancelled_at if fb.cancelled_at else None
alive = True
try:
    os.kill(argv["pid"], 0)
except ProcessLookupError:
    alive = False
tmp = os.path.join(WORK, ".slow.gpkg.tmp-%d.gpkg" % argv["pid"])
check(err is not None and "cancelled" in err and not alive and took is not None and took < 3,
      "cancel: the process is stopped %.2f s after isCanceled() (%s)" % (took or -1, err))
check(not os.path.exists(tmp) and not os.path.exists(out),
      "cancel: its temporary %s is removed, no output" % os.path.basename(tmp))

# the provider's setting (Settings > Options > Processing > Providers), when
# HOTSPOT_BIN is not set; a wrong path is an error that names the setting
from processing.core.ProcessingConfig import ProcessingConfig  # noqa: E402
from hotspot_provider.algorithms import BINARY_SETTING  # noqa: E402

del os.environ["HOTSPOT_BIN"]
ProcessingConfig.setSettingValue(BINARY_SETTING, OLD)
fb, err, argv = fake("old")
check(err is None and argv["argv"][0] == "kde", "the setting's binary runs without HOTSPOT_BIN")
notexe = os.path.join(WORK, "not-a-program")  # QGIS refuses a path that does not exist
open(notexe, "w").close()
ProcessingConfig.setSettingValue(BINARY_SETTING, notexe)
fb, err, argv = fake("old")
check(err is not None and "Providers > Hotspot" in err and "not-a-program" in err and
      not argv["argv"],
      "a setting that is not a program: an error naming it (%s)" % err)
ProcessingConfig.setSettingValue(BINARY_SETTING, "")

# ---- the real binary's error ------------------------------------------------
os.environ["HOTSPOT_BIN"] = BIN
fb = Recorder()
try:
    processing.run("hotspot:kde", {"INCIDENTS": INC, "GROUPS": "nosuch",
                                   "OUTPUT": os.path.join(WORK, "bad.tif")},
                   feedback=fb, context=QgsProcessingContext())
    err = None
except QgsProcessingException as e:
    err = str(e)
check(err is not None and "no group 'nosuch'" in err and
      any("hotspot: error:" in e and "nosuch" in e for e in fb.errors),
      "hotspot's error (--groups nosuch) -> reportError and the exception: %s" % err)
check(not os.path.exists(os.path.join(WORK, "bad.tif")), "... and no output")


# ---- layers that are not plain files -------------------------------------
def kde_cli(path, tif):
    subprocess.run([BIN, "kde", "--incidents", path, "--bandwidth", "500", "--cell", "100",
                    "-o", tif], check=True, capture_output=True)
    return tif


def kde_plugin(value, tif, project=None, **extra):
    ctx = QgsProcessingContext()
    if project:
        ctx.setProject(project)
    fb = Recorder()
    params = {"INCIDENTS": value, "BANDWIDTH_RULE": 2, "BANDWIDTH": 500, "CELL": 100,
              "OUTPUT": tif}
    params.update(extra)
    try:
        processing.run("hotspot:kde", params, feedback=fb, context=ctx)
    except QgsProcessingException as e:
        print("     (%s)" % e)
        return None, fb.commands[-1] if fb.commands else ""
    return tif, fb.commands[-1]


def same_raster(a, b):
    if a is None:
        return False
    da, db = gdal.Open(a), gdal.Open(b)
    return (da.GetGeoTransform() == db.GetGeoTransform() and
            da.ReadAsArray().tolist() == db.ReadAsArray().tolist())


# Burglary rows, filtered here with the csv module
with open(INC, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
ci = rows[0].index("Crime type")
burg = [r for r in rows[1:] if r[ci] == "Burglary"]
ref_csv = os.path.join(WORK, "burglary.csv")
with open(ref_csv, "w", newline="", encoding="utf-8") as f:
    csv.writer(f, lineterminator="\n").writerows([rows[0]] + burg)
ref = kde_cli(ref_csv, os.path.join(WORK, "ref.tif"))
check(len(burg) > 20, "%d burglaries in %s" % (len(burg), os.path.basename(INC)))

project = QgsProject.instance()
uri = "file://%s?type=csv&xField=Longitude&yField=Latitude&crs=EPSG:4326" % INC
lyr = QgsVectorLayer(uri, "street", "delimitedtext")
project.addMapLayer(lyr)
tif, cmd = kde_plugin(lyr.id(), os.path.join(WORK, "whole.tif"), project)
check(INC in cmd, "a delimited-text layer is passed as its CSV file: %s" % cmd)

lyr.setSubsetString("\"Crime type\" = 'Burglary'")
tif, cmd = kde_plugin(lyr.id(), os.path.join(WORK, "subset.tif"), project)
check(INC not in cmd and same_raster(tif, ref),
      "a filtered (subset) layer: exported, the same surface as the CLI on the rows filtered here")
lyr.setSubsetString("")
# burglary and ASB selected, then --groups sac: the CLI must still see a
# police.uk CSV (crime types by its header), and the ASB rows go
asb = sum(r[ci] == "Anti-social behaviour" for r in rows[1:])
lyr.selectByExpression("\"Crime type\" IN ('Burglary', 'Anti-social behaviour')")
tif, cmd = kde_plugin(QgsProcessingFeatureSourceDefinition(lyr.id(), True),
                      os.path.join(WORK, "selected.tif"), project, GROUPS="sac")
check(lyr.selectedFeatureCount() == len(burg) + asb and INC not in cmd and
      re.search(r"--incidents \S+\.csv ", cmd) and same_raster(tif, ref),
      "selected features only: exported as CSV, read as police.uk (--groups sac), "
      "the same surface as the CLI on the rows filtered here")

# a GeoPackage whose second layer holds the points; the CLI reads first layers
two = os.path.join(WORK, "two.gpkg")
one = os.path.join(WORK, "one.gpkg")
pts = gdal.OpenEx(ref_csv, gdal.OF_VECTOR, open_options=[
    "X_POSSIBLE_NAMES=Longitude", "Y_POSSIBLE_NAMES=Latitude"])
gdal.VectorTranslate(two, boards, format="GPKG", layerName="boards")
gdal.VectorTranslate(two, pts, format="GPKG", accessMode="update", layerName="burglary",
                     srcSRS="EPSG:4326", dstSRS="EPSG:4326")
gdal.VectorTranslate(one, pts, format="GPKG", layerName="burglary", srcSRS="EPSG:4326",
                     dstSRS="EPSG:4326")
pts = None
ref1 = kde_cli(one, os.path.join(WORK, "ref1.tif"))
tif, cmd = kde_plugin(two + "|layername=burglary", os.path.join(WORK, "second.tif"))
check(two not in cmd and same_raster(tif, ref1),
      "the second layer of a GeoPackage: exported, the same surface as the CLI on it alone")
tif, cmd = kde_plugin(two + "|layerid=1", os.path.join(WORK, "second-id.tif"))
check(two not in cmd and same_raster(tif, ref1),
      "the same layer named by its index (layerid=1): exported, the same surface")
tif, cmd = kde_plugin(one + "|layername=burglary", os.path.join(WORK, "first.tif"))
check(one in cmd, "the first (only) layer of a GeoPackage: passed as the file")
mem = QgsVectorLayer("Point?crs=EPSG:4326", "mem", "memory")
src = QgsVectorLayer(one, "one", "ogr")
mem.dataProvider().addAttributes(src.fields().toList())
mem.updateFields()
feats = []
for ft in src.getFeatures():
    g = QgsFeature(mem.fields())
    g.setAttributes(ft.attributes())
    g.setGeometry(ft.geometry())
    feats.append(g)
mem.dataProvider().addFeatures(feats)
project.addMapLayer(mem)
tif, cmd = kde_plugin(mem.id(), os.path.join(WORK, "memory.tif"), project)
check(same_raster(tif, ref1), "a memory layer: exported, the same surface as the CLI")

# ---- the results in a project -------------------------------------------
proj = QgsProject()
group = results.add_to_project(RUN_GPKG, proj)
qgs = zipfile.ZipFile(results.qgz_path(RUN_GPKG))
root = ET.fromstring(qgs.read([n for n in qgs.namelist() if n.endswith(".qgs")][0]))


def xml_tree(node):
    """[(kind, name, checked, children)] from the .qgs layer-tree-group."""
    out = []
    for c in node:
        if c.tag == "layer-tree-group":
            out.append(("group", c.get("name"), c.get("checked"), xml_tree(c)))
        elif c.tag == "layer-tree-layer":
            out.append(("layer", c.get("name"), c.get("checked"), []))
    return out


def our_tree(node):
    out = []
    for c in node.children():
        state = "Qt::Checked" if c.itemVisibilityChecked() else "Qt::Unchecked"
        if isinstance(c, QgsLayerTreeGroup):
            out.append(("group", c.name(), state, our_tree(c)))
        elif isinstance(c, QgsLayerTreeLayer):
            out.append(("layer", c.name(), state, []))
    return out


want = xml_tree(root.find("layer-tree-group"))
got = our_tree(group)
check(got == want and len(group.findLayers()) >= 20,
      "project: the group holds the .qgz's tree (%d layers, groups %s)"
      % (len(group.findLayers()), [g[1] for g in got if g[0] == "group"]))
check(all(t.layer() is not None and t.layer().isValid() for t in group.findLayers()),
      "project: every layer valid")
qgs_renderer = {}
for m in root.iter("maplayer"):
    r = m.find("renderer-v2")
    if r is None:
        r = m.find("pipe/rasterrenderer")
    qgs_renderer[m.findtext("layername")] = r.get("type") if r is not None else None


def renderer(lyr):
    return lyr.renderer().type() if lyr.renderer() is not None else None  # tables: none


bad = ["%s: %s, the .qgz's %s" % (t.layer().name(), renderer(t.layer()),
                                 qgs_renderer.get(t.layer().name()))
       for t in group.findLayers()
       if renderer(t.layer()) != qgs_renderer.get(t.layer().name())]
check(not bad, "project: each layer's renderer as in the .qgz %s" % bad)
rasters = [t.layer() for t in group.findLayers() if t.layer().type() == t.layer().RasterLayer]
check(rasters and all(renderer(r) == "singlebandpseudocolor" for r in rasters),
      "project: the density rasters styled (%d, pseudocolour)" % len(rasters))
again = results.add_to_project(RUN_GPKG, proj)
check(len(proj.layerTreeRoot().findGroups()) == 1 and len(proj.mapLayers()) ==
      len(again.findLayers()), "project: a second run of the same file replaces its group")

# without a project in or beside the file: each table, vector layers with
# the default style of layer_styles
bare = os.path.join(WORK, "bare.gpkg")
with open(RUN_GPKG, "rb") as a, open(bare, "wb") as b:
    b.write(a.read())
db = sqlite3.connect(bare)
db.execute("DROP TABLE qgis_projects")
db.commit()
qml = {t: re.search(r'<renderer-v2 [^>]*type="(\w+)"', q).group(1) for t, q in db.execute(
    "SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault")}
tables = [t for (t,) in db.execute("SELECT table_name FROM gpkg_contents WHERE data_type "
                                   "IN ('features', '2d-gridded-coverage')")]
db.close()
proj2 = QgsProject()
g2 = results.add_to_project(bare, proj2)
names = [t.layer().name() for t in g2.findLayers()]
bad = [n for n in names if n in qml and renderer(proj2.mapLayersByName(n)[0]) != qml[n]]
check(sorted(names) == sorted(tables) and len(qml) > 10 and not bad,
      "no project: every table added, %d vector layers styled by layer_styles %s"
      % (len([n for n in names if n in qml]), bad))

# ---- QGIS's own dialog: the task in a thread, its progress bar, the group --
from processing.gui.AlgorithmDialog import AlgorithmDialog  # noqa: E402
from qgis.PyQt.QtWidgets import QProgressBar, QTextEdit  # noqa: E402


def dialog(alg_id, params):
    dlg = AlgorithmDialog(reg.createAlgorithmById(alg_id))
    dlg.setParameters(params)
    bar = [b for b in dlg.findChildren(QProgressBar) if b.maximum() == 100][0]
    seen = []
    bar.valueChanged.connect(seen.append)
    dlg.show()
    dlg.runAlgorithm()
    t0 = time.monotonic()
    while time.monotonic() - t0 < 120 and not dlg.wasExecuted():
        app.processEvents()
        time.sleep(0.01)
    log = "\n".join(w.toPlainText() for w in dlg.findChildren(QTextEdit))
    res = dlg.results()
    dlg.close()
    return seen, log, res


os.environ["HOTSPOT_BIN"] = FAKE
with open(os.path.join(WORK, "mode"), "w") as f:
    f.write("progress")
seen, log, res = dialog("hotspot:run", {"INCIDENTS": INC, "AREAS": boards, "AREA_ID": "board_id",
                                        "LOAD": False, "OUTPUT": os.path.join(WORK, "dlg.gpkg")})
check([v for v in seen if 0 < v < 100] == [5, 12, 40, 80] and
      "3 row(s) skipped: bad coordinates" in log and res.get("OUTPUT"),
      "dialog: the progress bar follows the JSON percent %s, warnings in its log" % seen)
os.environ["HOTSPOT_BIN"] = BIN
QgsProject.instance().clear()
ev = os.path.join(WORK, "dlg-eval.gpkg")
seen, log, res = dialog("hotspot:evaluate", {
    "INCIDENTS_FOLDER": os.path.dirname(os.path.dirname(INC)), "AREAS": boards,
    "AREA_ID": "board_id", "TARGET": "AB03", "BEFORE": "2023-01:2023-06",
    "AFTER": "2024-01:2024-06", "OUTPUT": ev})
grp = [g for g in QgsProject.instance().layerTreeRoot().findGroups() if g.name() == "dlg-eval"]
tables = {t.layer().source().split("layername=")[-1] for t in grp[0].findLayers()} if grp else ()
check(res.get("OUTPUT") == ev and set(tables) >= {"zones", "evaluation"} and
      all(t.layer().isValid() for t in grp[0].findLayers()),
      "dialog: hotspot:evaluate's layers added to the project as a group (%s)" %
      ([t.name() for t in grp[0].findLayers()] if grp else "none"))

plugin.unload()
check(reg.providerById("hotspot") is None, "unload removes the provider")
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
