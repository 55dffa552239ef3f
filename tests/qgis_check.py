#!/usr/bin/python3
"""Opens a Hotspot GeoPackage the way an analyst does, in QGIS (PyQGIS,
headless), and checks the styles and the project (run by test_qgis.sh).

usage: qgis_check.py RESULT.gpkg PNG_DIR

Expected values are recomputed here from the data, not taken from the
code: the rate classes from the rates table (study-area rate = incidents
in areas with a population / their population x 1,000), the density and
hotspot classes from the kde raster (mean of its non-zero cells times the
run's multiples), the categories from the values in the tables.
Exit status 0 when all checks pass, 1 otherwise (every failure printed).
"""
import math
import os
import sqlite3
import sys

from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem,
                       QgsExpression, QgsExpressionContext,
                       QgsExpressionContextUtils, QgsLayerTreeGroup,
                       QgsLayerTreeLayer, QgsMapRendererSequentialJob,
                       QgsMapSettings, QgsProject, QgsRasterLayer,
                       QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

GPKG, PNG_DIR = sys.argv[1], sys.argv[2]
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
    return ok


def close(a, b, rel=1e-6):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-12)


app = QgsApplication([], False)
app.initQgis()
db = sqlite3.connect(GPKG)
run = {k: v for k, v in db.execute(
    "SELECT key, value FROM run WHERE section = 'parameter'")}
groups = run["groups"].split(",")
ks = [float(x) for x in run["hotspot_breaks"].split(",")]
hot_class = int(run["hotspot_class"])
method = run["hotspot_method"]
unit = ("incidents per cell" if run.get("kde_units", "").endswith("per cell")
        else "incidents per km²")
tables = {t: d for t, d in db.execute(
    "SELECT table_name, data_type FROM gpkg_contents")}


# layer_styles as QGIS expects it (DESIGN-NOTES 7.1)
check(tables.get("layer_styles") == "attributes",
      "layer_styles registered in gpkg_contents as attributes")
bad = db.execute("SELECT count(*) FROM layer_styles WHERE f_table_catalog != '' "
                 "OR f_table_schema != '' OR styleQML IS NULL OR styleSLD IS NULL"
                 ).fetchone()[0]
check(bad == 0, "layer_styles: catalog and schema '', QML and SLD in every row")


def table(prefix, g):
    return prefix + g.replace("-", "_").replace(" ", "_")


def vlayer(name):
    lyr = QgsVectorLayer(f"{GPKG}|layername={name}", name, "ogr")
    check(lyr.isValid(), f"{name}: valid vector layer")
    return lyr


# ---- every layer valid, with its default style from layer_styles --------
for t, kind in sorted(tables.items()):
    if kind == "2d-gridded-coverage":
        r = QgsRasterLayer(f"GPKG:{GPKG}:{t}", t, "gdal")
        check(r.isValid() and r.bandCount() == 1, f"{t}: valid raster")
    elif t != "layer_styles":
        vlayer(t)

areas = vlayer("areas")
r = areas.renderer()
check(r.type() == "singleSymbol" and areas.labelsEnabled() and
      areas.labeling().settings().fieldName == "area_name",
      "areas: default style outlines the areas and labels them with area_name")

# incidents: one category per group found in the data, plus the rest
if "incidents" in tables:
    inc = vlayer("incidents")
    r = inc.renderer()
    vals = {c.value() for c in r.categories()} if r.type() == "categorizedSymbol" else set()
    data = {v for (v,) in db.execute(
        "SELECT DISTINCT crime_group FROM incidents WHERE crime_group IS NOT NULL")}
    check(r.type() == "categorizedSymbol" and r.classAttribute() == "crime_group"
          and data <= vals and set(groups) <= vals and "" in vals,
          f"incidents: categorised by crime_group {sorted(data)} + other")


def study_rate(g):
    n, pop = db.execute(
        f'SELECT sum("count"), sum(population) FROM "{table("rates_", g)}" '
        "WHERE population IS NOT NULL AND population > 0").fetchone()
    return 1000.0 * n / pop


def kde_breaks(g):
    """The run's breaks recomputed from the stored raster."""
    lyr = QgsRasterLayer(f"GPKG:{GPKG}:{table('kde_', g)}", "k", "gdal")
    p = lyr.dataProvider()
    blk = p.block(1, p.extent(), p.xSize(), p.ySize())
    v = [blk.value(i, j) for i in range(p.ySize()) for j in range(p.xSize())
         if not blk.isNoData(i, j)]
    nz = [x for x in v if x > 0]
    mean = sum(nz) / len(nz)
    sd = math.sqrt(sum((x - mean) ** 2 for x in nz) / len(nz))
    return [mean + k * sd if method == "mean-sd" else k * mean for k in ks]


def km2_scale(g):
    """Raster unit per (incidents per km²): the hotspot classes are per km²
    even when the raster is per cell."""
    if unit != "incidents per cell":
        return 1.0
    lyr = QgsRasterLayer(f"GPKG:{GPKG}:{table('kde_', g)}", "k", "gdal")
    cell = lyr.extent().width() / lyr.width()
    return cell * cell / 1e6


def fill_colour(sym):
    return sym.symbolLayer(0).color().name()


class_colour = {}
for g in groups:
    # rates: graduated on rate, bounds at fixed multiples of the study rate
    rt = table("rates_", g)
    lyr = vlayer(rt)
    r = lyr.renderer()
    s = study_rate(g)
    want = [0, 0.5 * s, 0.8 * s, 1.25 * s, 2 * s]
    ok = r.type() == "graduatedSymbol" and r.classAttribute() == "rate"
    if ok:
        rng = r.ranges()
        ok = (len(rng) == 5 and all(close(x.lowerValue(), w) for x, w in zip(rng, want))
              and all(close(rng[i].upperValue(), want[i + 1]) for i in range(4))
              and all("per 1,000 residents" in x.label() for x in rng))
        cols = [fill_colour(x.symbol()) for x in rng]
        ok = ok and len(set(cols)) == 5
    tip = lyr.mapTipTemplate()
    check(all(f in tip for f in ('"rate_low"', '"rate_high"', "per 1,000 residents")),
          f"{rt}: map tip gives the rate with its 95% interval")
    check(ok, f"{rt}: graduated on rate, bounds 0.5/0.8/1.25/2 x study rate "
          f"{s:.4f} (recomputed), labels per 1,000 residents")

    # its other styles in layer_styles, not default
    names = {n for (n,) in db.execute(
        "SELECT styleName FROM layer_styles WHERE f_table_name = ? AND "
        "f_table_schema = '' AND f_geometry_column = 'geom' AND NOT useAsDefault", (rt,))}
    check({"Compared with study area", "Change"} <= names,
          f"{rt}: 'compared with study area' and 'change' styles stored")
    ndef = db.execute("SELECT count(*) FROM layer_styles WHERE f_table_name = ? "
                      "AND useAsDefault", (rt,)).fetchone()[0]
    check(ndef == 1, f"{rt}: exactly one default style")

    # hotspots: categories = the run's classes from hot_class up
    ht = table("hotspots_", g)
    if ht not in tables:
        continue
    b = kde_breaks(g)
    lyr = vlayer(ht)
    r = lyr.renderer()
    cats = {}
    if r.type() == "categorizedSymbol" and r.classAttribute() == "class":
        cats = {int(c.value()): c for c in r.categories()}
    have = {c for (c,) in db.execute(f'SELECT DISTINCT "class" FROM "{ht}"')}
    check(set(cats) == set(range(hot_class, len(ks) + 1)) and have <= set(cats),
          f"{ht}: categorised by class {hot_class}..{len(ks)} (table has {sorted(have)})")
    bk = [x / km2_scale(g) for x in b]
    check(all((("%.2f" % bk[c - 1]) in cats[c].label() or ("%.3g" % bk[c - 1]) in cats[c].label())
              and "incidents per km²" in cats[c].label() for c in cats),
          f"{ht}: class labels give the breaks in incidents per km²")
    lab = lyr.labeling().settings() if lyr.labelsEnabled() else None
    check(lab is not None and "hotspot_id" in lab.fieldName and "label" in lab.fieldName,
          f"{ht}: labelled with hotspot_id and label")
    class_colour[g] = {c: QColor(fill_colour(cats[c].symbol())) for c in cats}

    # kde: pseudocolour, discrete, transparent up to the first break, then
    # one item per class with the hotspot colours
    kt = table("kde_", g)
    row = db.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = ?",
                     (kt,)).fetchone()
    rl = QgsRasterLayer(f"GPKG:{GPKG}:{kt}", kt, "gdal")
    ok = row is not None
    if ok:
        from qgis.PyQt.QtXml import QDomDocument
        doc = QDomDocument()
        doc.setContent(row[0])
        ok, _ = rl.importNamedStyle(doc)
    rr = rl.renderer()
    ok = ok and rr.type() == "singlebandpseudocolor"
    if ok:
        items = rr.shader().rasterShaderFunction().colorRampItemList()
        vals = [it.value for it in items]
        ok = (len(items) == len(ks) + 1 and items[0].color.alpha() == 0
              and all(close(v, w, 1e-5) for v, w in zip(vals, b))
              and math.isinf(vals[-1])
              and all(items[c].color.name() == class_colour[g][c].name()
                      for c in class_colour[g])
              and all(unit in it.label for it in items))
    check(ok, f"{kt}: discrete pseudocolour, labels in {unit}, transparent below {b[0]:.4g}, "
          f"breaks {[round(x, 4) for x in b]} (recomputed from the raster)")

    # vs_study: the three verdicts and no population
    vs = {n: q for n, q in db.execute(
        "SELECT styleName, styleQML FROM layer_styles WHERE f_table_name = ?", (rt,))}
    for style, test in (("Compared with study area", "vs"), ("Change", "change")):
        lyr = vlayer(rt)
        from qgis.PyQt.QtXml import QDomDocument
        doc = QDomDocument()
        doc.setContent(vs.get(style, ""))
        lyr.importNamedStyle(doc)
        r = lyr.renderer()
        if test == "vs":
            vals = {c.value() for c in r.categories()} if r.type() == "categorizedSymbol" else set()
            data = {v for (v,) in db.execute(f'SELECT DISTINCT vs_study FROM "{rt}"')}
            check(r.classAttribute() == "vs_study" and
                  vals == {"higher", "similar", "lower", "no population"} and data <= vals,
                  f"{rt} / {style}: categorised by vs_study")
        else:
            # every area gets exactly one fill class; every significant
            # change exactly one marker, and only those
            rules = r.rootRule().children() if r.type() == "RuleRenderer" else []
            ctx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(lyr))
            ok = len(rules) > 0
            for f in lyr.getFeatures():
                ctx.setFeature(f)
                hit = [ru for ru in rules if QgsExpression(ru.filterExpression()).evaluate(ctx)]
                fills = [ru for ru in hit if "change_pct" in ru.filterExpression()]
                marks = [ru for ru in hit if "change_flag" in ru.filterExpression()]
                sig = f["change_flag"].startswith(("increase", "decrease"))
                if len(fills) != 1 or len(marks) != (1 if sig else 0):
                    ok = False
                    print(f"  {f['area_id']}: change_pct {f['change_pct']} flag "
                          f"{f['change_flag']}: {len(fills)} fills, {len(marks)} marks")
            check(ok, f"{rt} / {style}: rule-based on change_pct, significant "
                  "changes (change_flag) marked")

# ---- the project stored in the GeoPackage, and the .qgz beside it -------
qgz = os.path.splitext(GPKG)[0] + ".qgz"
expect = {t for t, k in tables.items() if t != "layer_styles"}
for uri in (f"geopackage:{GPKG}?projectName=hotspot", qgz):
    p = QgsProject.instance()
    p.clear()
    check(p.read(uri), f"project {uri}: read")
    lyrs = list(p.mapLayers().values())
    srcs = set()
    for lyr in lyrs:
        s = lyr.source()
        srcs.add(s.split("layername=")[-1] if "|layername=" in s else s.split(":")[-1])
    check(all(lyr.isValid() for lyr in lyrs), f"project {uri}: all {len(lyrs)} layers valid")
    check(srcs == expect, f"project {uri}: every table of the file is in it")
    check(all(os.path.samefile(lyr.source().split("|")[0].replace("GPKG:", "").rsplit(":", 1)[0]
                               if lyr.providerType() == "gdal" else lyr.source().split("|")[0], GPKG)
              for lyr in lyrs), f"project {uri}: layers read from this GeoPackage")
    check(p.crs() == QgsCoordinateReferenceSystem(run["crs"]), f"project {uri}: CRS {run['crs']}")
    root = p.layerTreeRoot()
    top = [n.name() for n in root.children()]
    gnames = [n.name() for n in root.children() if isinstance(n, QgsLayerTreeGroup)]
    want = [g.upper() if len(g) <= 3 else g[0].upper() + g[1:] for g in groups]
    check(gnames == want, f"project {uri}: groups {gnames}")
    check(isinstance(root.children()[0], QgsLayerTreeLayer) and
          root.children()[0].layer().source().endswith("layername=areas"),
          f"project {uri}: area boundaries on top")
    order = [lyr.source() for lyr in root.layerOrder()]
    for g in groups:
        ht, kt = table("hotspots_", g), table("kde_", g)
        if ht not in tables:
            continue
        ih = [i for i, s in enumerate(order) if s.endswith("layername=" + ht)]
        ik = [i for i, s in enumerate(order) if s.endswith(":" + kt)]
        ia = [i for i, s in enumerate(order) if s.endswith("layername=areas")]
        check(ih and ik and ia and ia[0] < ik[0] and ih[0] < ik[0],
              f"project {uri}: boundaries and {ht} drawn above {kt}")

# ---- render each group's map as the project shows it -------------------
p = QgsProject.instance()
p.clear()
p.read(f"geopackage:{GPKG}?projectName=hotspot")
root = p.layerTreeRoot()
os.makedirs(PNG_DIR, exist_ok=True)
WHITE = QColor(255, 255, 255).rgb()
for gi, gnode in enumerate(n for n in root.children() if isinstance(n, QgsLayerTreeGroup)):
    g = groups[gi]
    ht, kt = table("hotspots_", g), table("kde_", g)
    if ht not in tables:
        continue
    for other in root.children():
        if isinstance(other, QgsLayerTreeGroup):
            other.setItemVisibilityChecked(other is gnode)
    layers = [lyr for lyr in root.checkedLayers()
              if lyr.type() != lyr.VectorLayer or lyr.isSpatial()]
    hot = next(lyr for lyr in layers if lyr.source().endswith("layername=" + ht))
    kde = next(lyr for lyr in layers if lyr.source().endswith(":" + kt))
    ext = QgsRectangle(kde.extent())
    ext.scale(1.1)
    W = H = 800

    def render(lyrs, name):
        ms = QgsMapSettings()
        ms.setLayers(lyrs)
        ms.setDestinationCrs(p.crs())
        ms.setOutputSize(QSize(W, H))
        ms.setBackgroundColor(QColor(255, 255, 255))
        ms.setExtent(ext)
        job = QgsMapRendererSequentialJob(ms)
        job.start()
        job.waitForFinished()
        path = os.path.join(PNG_DIR, name)
        job.renderedImage().save(path)
        return ms, job.renderedImage(), path

    ms, img, png = render(layers, f"{g}.png")
    # the density layer alone, for its own colours (no lines or labels)
    _, dimg, dpng = render([kde], f"{g}-density.png")
    ve = ms.visibleExtent()
    mupp = ve.width() / W

    def px(x, y):
        return int((x - ve.xMinimum()) / mupp), int((ve.yMaximum() - y) / mupp)

    # hotspot colours inside the hotspots' extent: at least half the
    # pixels their polygons cover (outlines and labels take the rest)
    he = hot.extent()
    x0, y0 = px(he.xMinimum(), he.yMaximum())
    x1, y1 = px(he.xMaximum(), he.yMinimum())
    colours = {c.rgb(): k for k, c in class_colour[g].items()}
    seen = {}
    for yy in range(max(y0, 0), min(y1 + 1, H)):
        for xx in range(max(x0, 0), min(x1 + 1, W)):
            k = colours.get(img.pixel(xx, yy))
            if k is not None:
                seen[k] = seen.get(k, 0) + 1
    area = sum(f.geometry().area() for f in hot.getFeatures())
    expect_px = area / mupp / mupp
    have = {c for (c,) in db.execute(f'SELECT DISTINCT "class" FROM "{ht}"')}
    check(sum(seen.values()) >= 0.5 * expect_px and all(seen.get(c, 0) > 0 for c in have),
          f"{png}: hotspot class colours {dict(sorted(seen.items()))} pixels inside "
          f"the hotspots' extent (polygons cover {expect_px:.0f})")
    # background outside the density grid (the map's 5% margin)
    kx0, ky0 = px(kde.extent().xMinimum(), kde.extent().yMaximum())
    kx1, ky1 = px(kde.extent().xMaximum(), kde.extent().yMinimum())
    out = [img.pixel(xx, yy) for yy in range(H) for xx in range(W)
           if not (kx0 - 2 <= xx <= kx1 + 2 and ky0 - 2 <= yy <= ky1 + 2)]
    white = sum(1 for v in out if v == WHITE)
    check(len(out) > 0 and white >= 0.99 * len(out),
          f"{png}: background outside the grid ({white} of {len(out)} pixels white)")
    # density cells below the first break are transparent, cells of a
    # class below the hotspot class show that class's colour (sampled
    # away from hotspots, cell centres; only cells whose neighbours within
    # a pixel and a half are in the same class, as a pixel may show a
    # neighbour when cells are smaller than pixels)
    b = kde_breaks(g)
    prov = kde.dataProvider()
    blk = prov.block(1, prov.extent(), prov.xSize(), prov.ySize())
    cw = prov.extent().width() / prov.xSize()
    below = inclass = below_white = inclass_ok = 0
    ramp = kde.renderer().shader().rasterShaderFunction().colorRampItemList()
    def cls(i, j):
        if not (0 <= i < prov.ySize() and 0 <= j < prov.xSize()) or blk.isNoData(i, j):
            return None
        v = blk.value(i, j)
        return 0 if v <= 0 else sum(v >= x for x in b)
    step = max(1, int((prov.xSize() * prov.ySize() / 60000) ** 0.5))  # ~60,000 cells
    # neighbours within a pixel and a half of the cell (pixel rounding)
    reach = 1 + int(1.5 * (prov.extent().width() / W) / cw)
    R = range(-reach, reach + 1)
    for i in range(0, prov.ySize(), step):
        for j in range(0, prov.xSize(), step):
            if blk.isNoData(i, j):
                continue
            v = blk.value(i, j)
            c = cls(i, j)
            if c not in (0, 1) or any(cls(i + di, j + dj) != c for di in R
                                      for dj in R):
                continue
            X, Y = px(prov.extent().xMinimum() + (j + 0.5) * cw,
                      prov.extent().yMaximum() - (i + 0.5) * cw)
            if not (0 <= X < W and 0 <= Y < H):
                continue
            pix = dimg.pixel(X, Y)
            if 0 < v < b[0] * 0.999:
                below += 1
                below_white += pix == WHITE
            elif b[0] * 1.001 < v < b[1] * 0.999:
                inclass += 1
                inclass_ok += pix == ramp[1].color.rgb()
    check(below > 0 and below_white == below,
          f"{dpng}: density under the first break is not drawn ({below_white}/{below} cells white)")
    check(inclass > 0 and inclass_ok == inclass,
          f"{dpng}: density class 1 drawn in its colour ({inclass_ok}/{inclass} cells)")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
