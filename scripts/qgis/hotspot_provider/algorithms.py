"""The Processing algorithms: hotspot run, kde, evaluate and report.

Each one turns its parameters into the command line (flags.py for the plain
flags, custom code below for inputs that are layers, the population's three
forms, the bandwidth rule and the extent), runs the binary (runner.py) and,
for run and evaluate, adds the result to the project styled (results.py).
"""
import os
import shlex
import shutil
import tempfile

from qgis.core import (QgsProcessing, QgsProcessingAlgorithm,
                       QgsProcessingException, QgsProcessingOutputFile,
                       QgsProcessingParameterBoolean,
                       QgsProcessingParameterDefinition,
                       QgsProcessingParameterEnum,
                       QgsProcessingParameterExtent,
                       QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterFile,
                       QgsProcessingParameterFileDestination,
                       QgsProcessingParameterFolderDestination,
                       QgsProcessingParameterMultipleLayers,
                       QgsProcessingParameterNumber,
                       QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterString, QgsProcessingUtils)

from . import layers, results, runner
from .flags import (FILTERS, Flag, common_tail, incident_fields, kernel_flags,
                    num, period_flags, public_flags)

BINARY_SETTING = "HOTSPOT_BINARY"


def binary_setting():
    try:
        from processing.core.ProcessingConfig import ProcessingConfig
        return ProcessingConfig.getSetting(BINARY_SETTING)
    except ImportError:  # Processing's Python side absent: env or PATH
        return None


def advanced(p):
    p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    return p


class HotspotAlgorithm(QgsProcessingAlgorithm):
    COMMAND = None
    TITLE = None
    HELP = None

    def __init__(self):
        super().__init__()
        self.flag_list = []
        self.output_path = None
        self.load = False

    def createInstance(self):
        return type(self)()

    def name(self):
        return self.COMMAND

    def displayName(self):
        return self.TITLE

    def shortHelpString(self):
        return self.HELP + (
            "<p>Runs the <code>hotspot</code> program (Settings &gt; Options &gt; "
            "Processing &gt; Providers &gt; Hotspot sets its path). Every "
            "parameter is one of its flags: the help line of each names it, "
            "and <code>hotspot %s --help</code> explains them.</p>" % self.COMMAND)

    def tags(self):
        return ["hotspot", "crime", "asb", "police", "kde", self.COMMAND]

    # -- parameters ---------------------------------------------------------
    def add(self, item):
        """A Flag (kept for the command line) or a plain parameter."""
        if isinstance(item, Flag):
            self.flag_list.append(item)
            self.addParameter(item.make())
        else:
            self.addParameter(item)

    def add_incidents(self):
        self.add(QgsProcessingParameterFeatureSource(
            "INCIDENTS", "Incidents (a point layer or a CSV file)",
            [QgsProcessing.TypeVectorPoint], None, True))
        self.add(QgsProcessingParameterMultipleLayers(
            "INCIDENTS_MORE", "More incident layers",
            QgsProcessing.TypeVectorPoint, None, True))
        self.add(QgsProcessingParameterFile(
            "INCIDENTS_FOLDER", "Folder of incident CSVs (searched recursively)",
            QgsProcessingParameterFile.Folder,
            "", None, True))

    def add_output_gpkg(self, label):
        self.add(QgsProcessingParameterFileDestination(
            "OUTPUT", label, FILTERS["gpkg"]))
        self.add(QgsProcessingParameterBoolean(
            "LOAD", "Add the results to the project, styled (the run's own "
            "QGIS project: its groups, styles and drawing order)", True))
        self.addOutput(QgsProcessingOutputFile(
            "PROJECT", "QGIS project beside the GeoPackage (.qgz)"))

    def flags_covered(self):
        """The CLI flags this algorithm sets (tests compare with --help)."""
        return {f.flag for f in self.flag_list} | set(self.EXTRA_FLAGS)

    EXTRA_FLAGS = ()

    # -- command line -------------------------------------------------------
    def incident_args(self, parameters, context, feedback, tmp):
        paths = []
        got = layers.source_path(self, parameters, "INCIDENTS", context, feedback,
                                 tmp, True)
        if got:
            paths.append(got[0])
        more = self.parameterAsLayerList(parameters, "INCIDENTS_MORE", context)
        for i, lyr in enumerate(more):
            paths.append(layers.layer_path(lyr, context, feedback, tmp,
                                           "incidents_%d" % (i + 2), True))
        folder = self.parameterAsFile(parameters, "INCIDENTS_FOLDER", context)
        if folder:
            paths.append(folder)
        if not paths:
            raise QgsProcessingException(
                "No incidents: choose a layer or CSV file, more layers, or a folder")
        return ["--incidents"] + [os.path.abspath(p) for p in paths]

    def areas_args(self, parameters, context, feedback, tmp, name="AREAS",
                   flag="--areas"):
        got = layers.source_path(self, parameters, name, context, feedback, tmp, False)
        if not got:
            return []
        a = [flag, os.path.abspath(got[0])]
        return a + ["--areas-layer", got[1]] if got[1] else a

    BANDWIDTH_RULES = ()  # the first is the CLI's default

    def bandwidth_args(self, parameters, context):
        rules = self.BANDWIDTH_RULES
        rule = rules[self.parameterAsEnum(parameters, "BANDWIDTH_RULE", context)]
        metres = parameters.get("BANDWIDTH") not in (None, "")
        k = parameters.get("KNN_K") not in (None, "")
        if rule == "fixed":
            if not metres:
                raise QgsProcessingException(
                    "Bandwidth rule 'fixed': give the bandwidth in metres")
            v = num(self.parameterAsDouble(parameters, "BANDWIDTH", context))
        elif rule == "knn":
            if not k:
                raise QgsProcessingException(
                    "Bandwidth rule 'knn': give K, the neighbour whose distance is used")
            v = "knn:%d" % self.parameterAsInt(parameters, "KNN_K", context)
        else:
            if metres or k:
                raise QgsProcessingException(
                    "A bandwidth in metres or K is given but the rule is '%s': "
                    "choose 'fixed' or 'knn'" % rule)
            v = rule
        return [] if v == rules[0] else ["--bandwidth", v]

    def add_bandwidth(self, labels):
        self.add(QgsProcessingParameterEnum(
            "BANDWIDTH_RULE", "Bandwidth (search radius)", labels, False, 0, False))
        self.add(QgsProcessingParameterNumber(
            "BANDWIDTH", "Bandwidth in metres (rule 'fixed')",
            QgsProcessingParameterNumber.Double, None, True, 0.0))
        self.add(advanced(QgsProcessingParameterNumber(
            "KNN_K", "K for the rule 'knn' (mean distance to the K-th nearest "
            "distinct location)", QgsProcessingParameterNumber.Integer, None, True, 1)))

    def command_args(self, parameters, context, feedback, tmp):
        raise NotImplementedError

    def flag_args(self, parameters, context):
        a = []
        for f in self.flag_list:
            a += f.args(self, parameters, context)
        return a

    def on_cancel(self, pid):
        if self.output_path:
            runner.remove_leftovers(self.output_path, pid)

    def processAlgorithm(self, parameters, context, feedback):
        try:
            binary = runner.find_binary(binary_setting())
        except runner.HotspotError as e:
            raise QgsProcessingException(str(e))
        tmp = tempfile.mkdtemp(prefix="hotspot-", dir=QgsProcessingUtils.tempFolder())
        try:
            args = [binary, self.COMMAND] + self.command_args(
                parameters, context, feedback, tmp)
            if feedback.isCanceled():
                return {}
            progress = runner.supports_progress(binary, self.COMMAND)
            feedback.pushCommandInfo(" ".join(shlex.quote(a) for a in args))
            if not progress:
                feedback.pushInfo("(this hotspot has no --progress: no progress "
                                  "is shown until it ends)")
            runner.run(args + (["--progress", "json"] if progress else []),
                       feedback, on_cancel=self.on_cancel)
        except runner.HotspotError as e:
            raise QgsProcessingException(str(e))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        feedback.setProgress(100)
        return self.outputs(parameters, context)

    def outputs(self, parameters, context):
        return {"OUTPUT": self.output_path, "PROJECT": results.qgz_path(self.output_path)}

    def postProcessAlgorithm(self, context, feedback):
        # main thread: the project may be changed here, not in processAlgorithm
        if self.load and self.output_path and context.project() is not None:
            results.add_to_project(self.output_path, context.project(), feedback)
        return {}


class RunAlgorithm(HotspotAlgorithm):
    COMMAND = "run"
    BANDWIDTH_RULES = ["backtest", "auto", "knn", "fixed"]
    TITLE = "Rates, hotspots and hot spots (hotspot run)"
    HELP = (
        "<p>Per-area counts and rates per 1,000 residents with 95% intervals, "
        "comparison with the study area and with a year earlier, kernel density "
        "surfaces, ranked hotspots and places for tasking (back-tested), Gi* "
        "and emerging hot spots, local Moran clusters: one GeoPackage, every "
        "layer styled, with a QGIS project inside.</p>"
        "<p><b>Incidents</b>: a point layer or a CSV file (police.uk street "
        "CSVs are recognised by their header), more layers, and/or a folder of "
        "CSVs. <b>Areas</b>: polygons with a unique id field. <b>Population</b>: "
        "one of a field of the areas, small zones with a population field "
        "(best-fitted to the areas) or a CSV joined on the area id.</p>")
    EXTRA_FLAGS = ("--incidents", "--areas", "--areas-layer", "--population",
                   "--population-value", "--bandwidth", "--output", "-o")

    def initAlgorithm(self, config=None):
        self.add_incidents()
        self.add(QgsProcessingParameterFeatureSource(
            "AREAS", "Areas (polygons)",
            [QgsProcessing.TypeVectorPolygon]))
        self.add(Flag("AREA_ID", "--area-id", "Area id field (unique)", "field",
                      parent="AREAS", optional=False, advanced=False))
        self.add(Flag("AREA_NAME", "--area-name", "Area name field", "field",
                      parent="AREAS", advanced=False, help="default: the id"))
        self.add(QgsProcessingParameterField(
            "POPULATION_FIELD", "Population: a field of the areas", None, "AREAS",
            QgsProcessingParameterField.Numeric, False, True))
        self.add(QgsProcessingParameterFeatureSource(
            "POPULATION_ZONES", "Population: or small zones (best-fitted to the areas)",
            [QgsProcessing.TypeVectorPolygon], None, True))
        self.add(QgsProcessingParameterField(
            "POPULATION_ZONE_FIELD", "Population field of the zones "
            "[default: population]", None, "POPULATION_ZONES",
            QgsProcessingParameterField.Numeric, False, True))
        self.add(Flag("POPULATION_CSV", "--population", "Population: or a CSV "
                      "joined on the area id", "file", ext="csv",
                      advanced=False))
        self.add(Flag("POPULATION_ID", "--population-id", "Population CSV: area id "
                      "column (name or 1-based number) [default: column 1]", "str"))
        self.add(Flag("POPULATION_VALUE", "--population-value", "Population CSV: "
                      "population column (name or number) [default: column 2]",
                      "str"))
        for f in period_flags():
            self.add(f)
        self.add(Flag("GROUPS", "--groups", "Groups to analyse (from the category "
                      "mapping)", "str", "asb,sac,violence", advanced=False))
        for f in common_tail():
            self.add(f)
        self.add(Flag("ASSIGN", "--assign", "Assign incidents to areas by", "enum",
                      "point", values=["point", "lsoa-code"],
                      labels=["point in polygon", "the police.uk LSOA code (areas are "
                              "LSOAs)"]))
        for f in incident_fields():
            self.add(f)
        self.add(Flag("INCIDENTS_LAYER", "--incidents-layer",
                      "Write the incident points (layer 'incidents')", "bool", True))
        self.add(Flag("KDE", "--kde", "Density surfaces, hotspots and places for "
                      "tasking", "bool", True, advanced=False))
        for f in kernel_flags()[:1]:
            self.add(f)
        self.add_bandwidth(
            ["back-test: the candidate that caught most of the next month's "
             "incidents", "auto: ArcGIS's spatial Silverman rule, per group",
             "knn: mean distance to the K-th nearest distinct location",
             "fixed: the metres below"])
        for f in kernel_flags()[1:]:
            self.add(f)
        for f in [
            Flag("BACKTEST_TRAIN", "--backtest-train", "Back-test: months of "
                 "training before each test month", "int", 3, minimum=1),
            Flag("BACKTEST_WINDOWS", "--backtest-windows", "Back-test: the last W "
                 "test months", "int", 12, minimum=1),
            Flag("BACKTEST_BANDWIDTHS", "--backtest-bandwidths", "Back-test: "
                 "candidate bandwidths, metres, increasing", "str",
                 "100,150,200,300,400,600,800,1200,1600"),
            Flag("KDE_MASK", "--kde-mask", "Cells outside every area are nodata",
                 "bool", True),
            Flag("HOTSPOT_METHOD", "--hotspot-method", "Hotspot class breaks",
                 "enum", "mean-multiple", values=["mean-multiple", "mean-sd"],
                 labels=["multiples of the mean of non-zero cells (Home Office / "
                         "Chainey)", "the mean plus multiples of the standard "
                         "deviation"]),
            Flag("HOTSPOT_BREAKS", "--hotspot-breaks", "Hotspot class breaks "
                 "(multiples, increasing)", "str", "1,2,3,4,5"),
            Flag("HOTSPOT_CLASS", "--hotspot-class", "Cells in this class or above "
                 "form hotspots", "int", 3, minimum=1),
            Flag("HOTSPOT_MIN_INCIDENTS", "--hotspot-min-incidents", "Hotspots "
                 "holding fewer incidents are dropped", "int", 5, minimum=0),
            Flag("KDE_EDGE", "--kde-edge", "Incidents outside the study area",
                 "enum", "clip", values=["clip", "buffer"],
                 labels=["clip: only the study area's incidents make the surfaces",
                         "buffer: outside ones add density near the edge"]),
            Flag("TASKING_SHARE", "--tasking-share", "Tasking: each area's densest "
                 "cells up to this share of it", "float", 0.03, minimum=0.0,
                 maximum=1.0),
            Flag("PEAK_HOURS", "--peak-hours", "Peak: the H consecutive hours of the "
                 "week holding most incidents", "int", 4, minimum=1, maximum=24),
            Flag("GISTAR", "--gistar", "Getis-Ord Gi* hot and cold spots", "bool",
                 True, advanced=False),
            Flag("GI_GRID", "--gi-grid", "Gi*: cells", "enum", "square",
                 values=["square", "hex"], labels=["square", "hexagons"]),
            Flag("GI_CELL", "--gi-cell", "Gi*: cell size, metres [empty: auto]",
                 "float", minimum=0.0, help="auto: ArcGIS Optimized Hot Spot "
                 "Analysis's rule"),
            Flag("GI_DISTANCE", "--gi-distance", "Gi*: neighbourhood distance, "
                 "metres [empty: auto]", "float", minimum=0.0,
                 help="auto: the first peak of Moran's I z over 1 to 10 cells"),
            Flag("GI_PERMUTATIONS", "--gi-permutations", "Gi*: permutations for "
                 "the pseudo-p (0: none)", "int", 999, minimum=0),
            Flag("GI_SEED", "--gi-seed", "Gi*: seed of the permutations", "int",
                 12345, minimum=0),
            Flag("GI_FDR", "--gi-fdr", "Gi*: false discovery rate correction "
                 "(also local Moran and emerging)", "bool", True),
            Flag("EMERGING", "--emerging", "Emerging hot and cold spots (needs Gi*)",
                 "bool", True, advanced=False),
            Flag("EMERGING_PERMUTATIONS", "--emerging-permutations", "Emerging: "
                 "permutations of each cell-month (0: none)", "int", 199, minimum=0),
            Flag("LISA", "--lisa", "Local Moran's I of the areas' rates", "bool",
                 True, advanced=False),
            Flag("LISA_PERMUTATIONS", "--lisa-permutations", "Local Moran: "
                 "permutations", "int", 999, minimum=1, maximum=99999),
            Flag("PREVIOUS", "--previous", "A previous run's GeoPackage (hotspots "
                 "keep their ids and get a status)", "file", ext="gpkg"),
            Flag("TARGETS", "--targets", "Targets (CSV: area_id or 'all', "
                 "crime_group, period, target)", "file", ext="csv"),
            Flag("RAG_AMBER", "--rag-amber", "Targets: amber up to this % above "
                 "the target", "float", 5.0, minimum=0.0),
            Flag("PRIORITY_AREAS", "--priority-areas", "Priority areas (ids, "
                 "comma-separated): the gap with the rest", "str"),
            Flag("PRIORITY_FIELD", "--priority-field", "Priority areas: or a "
                 "field of the areas marking them (non-zero, yes, true)",
                 "field", parent="AREAS"),
        ] + public_flags():
            self.add(f)
        self.add_output_gpkg("Output GeoPackage")

    def command_args(self, parameters, context, feedback, tmp):
        a = self.incident_args(parameters, context, feedback, tmp)
        a += self.areas_args(parameters, context, feedback, tmp)
        a += self.population_args(parameters, context, feedback, tmp)
        a += self.bandwidth_args(parameters, context)
        a += self.flag_args(parameters, context)
        self.output_path = os.path.abspath(
            self.parameterAsFileOutput(parameters, "OUTPUT", context))
        self.load = self.parameterAsBoolean(parameters, "LOAD", context)
        return a + ["-o", self.output_path]

    def population_args(self, parameters, context, feedback, tmp):
        field = self.parameterAsFields(parameters, "POPULATION_FIELD", context)
        zones = layers.source_path(self, parameters, "POPULATION_ZONES", context,
                                   feedback, tmp, True)
        csv = self.parameterAsFile(parameters, "POPULATION_CSV", context)
        n = bool(field) + bool(zones) + bool(csv)
        if n > 1:
            raise QgsProcessingException(
                "Population: give one of a field of the areas, zones or a CSV")
        zf = self.parameterAsFields(parameters, "POPULATION_ZONE_FIELD", context)
        if zf and not zones:
            raise QgsProcessingException(
                "Population field of the zones: choose the zones layer too")
        for f in ("POPULATION_ID", "POPULATION_VALUE"):
            if parameters.get(f) and not csv:
                raise QgsProcessingException(
                    "%s is for a population CSV: choose the CSV, or leave it empty" % f)
        if field:
            return ["--population", field[0]]
        if zones:
            # "population" is the CLI's default zone field
            return (["--population", os.path.abspath(zones[0])] +
                    (["--population-value", zf[0]] if zf and zf[0] != "population"
                     else []))
        return []  # the CSV: a plain flag


class KdeAlgorithm(HotspotAlgorithm):
    COMMAND = "kde"
    BANDWIDTH_RULES = ["auto", "knn", "fixed"]
    TITLE = "Kernel density surface (hotspot kde)"
    HELP = (
        "<p>One exact kernel density surface from any incidents, as a GeoTIFF "
        "or a GeoPackage raster: the fast replacement for the Heatmap "
        "algorithm, in incidents per km² (or per cell), with the bandwidth "
        "rules of <code>hotspot run</code>.</p>")
    EXTRA_FLAGS = ("--incidents", "--bandwidth", "--extent", "--output", "-o")

    def initAlgorithm(self, config=None):
        self.add_incidents()
        for f in period_flags(compare=False):
            self.add(f)
        self.add(Flag("GROUPS", "--groups", "Only these groups (from the category "
                      "mapping) [default: every incident]", "str", advanced=False))
        for f in kernel_flags()[:1]:
            self.add(f)
        self.add_bandwidth(
            ["auto: ArcGIS's spatial Silverman rule",
             "knn: mean distance to the K-th nearest distinct location",
             "fixed: the metres below"])
        for f in kernel_flags()[1:]:
            self.add(f)
        self.add(QgsProcessingParameterExtent(
            "EXTENT", "Grid extent [default: the points' extent + the radius]",
            None, True))
        self.add(Flag("COMPRESS", "--compress", "GeoTIFF compression", "enum", "none",
                      values=["none", "deflate", "lzw", "zstd"],
                      labels=["none (as QGIS writes)", "deflate (~40% smaller)",
                              "lzw", "zstd"]))
        for f in common_tail() + incident_fields() + public_flags():
            self.add(f)
        self.add(QgsProcessingParameterRasterDestination(
            "OUTPUT", "Density surface (GeoTIFF or GeoPackage)"))

    def command_args(self, parameters, context, feedback, tmp):
        a = self.incident_args(parameters, context, feedback, tmp)
        a += self.bandwidth_args(parameters, context)
        a += self.flag_args(parameters, context)
        if parameters.get("EXTENT") not in (None, ""):
            crs = self.parameterAsCrs(parameters, "CRS", context)
            r = self.parameterAsExtent(parameters, "EXTENT", context, crs)
            a += ["--extent", ",".join(num(v) for v in (
                r.xMinimum(), r.yMinimum(), r.xMaximum(), r.yMaximum()))]
        self.output_path = os.path.abspath(
            self.parameterAsOutputLayer(parameters, "OUTPUT", context))
        return a + ["-o", self.output_path]

    def outputs(self, parameters, context):
        return {"OUTPUT": self.output_path}


class EvaluateAlgorithm(HotspotAlgorithm):
    COMMAND = "evaluate"
    TITLE = "Did it work? Intervention evaluation (hotspot evaluate)"
    HELP = (
        "<p>Counts incidents in a target, the ring round it and a control, "
        "before and after an intervention, and gives the Weighted Displacement "
        "Difference and Quotient and the rate ratio with Fisher's test.</p>"
        "<p><b>Target</b>: a polygon layer, area ids of the areas "
        "(comma-separated), or a hotspot id of a run's GeoPackage. "
        "<b>Control</b> [default: the study area outside target and buffer]: "
        "a polygon layer or area ids.</p>")
    EXTRA_FLAGS = ("--incidents", "--areas", "--areas-layer", "--target",
                   "--control", "--output", "-o")

    def initAlgorithm(self, config=None):
        self.add_incidents()
        self.add(QgsProcessingParameterFeatureSource(
            "AREAS", "Areas (for area ids and the study area)",
            [QgsProcessing.TypeVectorPolygon], None, True))
        self.add(Flag("AREA_ID", "--area-id", "Area id field", "field",
                      parent="AREAS", advanced=False))
        self.add(QgsProcessingParameterFeatureSource(
            "TARGET_LAYER", "Target: polygons", [QgsProcessing.TypeVectorPolygon],
            None, True))
        self.add(QgsProcessingParameterString(
            "TARGET", "Target: or area ids (comma-separated), or a hotspot id of "
            "the run below", None, False, True))
        self.add(Flag("TARGET_FROM", "--target-from", "Run whose hotspot the target "
                      "names (GeoPackage)", "file", ext="gpkg", advanced=False))
        self.add(Flag("BUFFER", "--buffer", "Buffer: the ring round the target "
                      "(metres)", "float", 250.0, minimum=0.0, advanced=False))
        self.add(QgsProcessingParameterFeatureSource(
            "CONTROL_LAYER", "Control: polygons [default: the study area outside "
            "target and buffer]", [QgsProcessing.TypeVectorPolygon], None, True))
        self.add(QgsProcessingParameterString(
            "CONTROL", "Control: or area ids (comma-separated)", None, False, True))
        self.add(Flag("CONTROL_BUFFER", "--control-buffer", "Control buffer: a ring "
                      "round the control (metres) [default: none]", "float",
                      minimum=0.0))
        self.add(Flag("BEFORE", "--before", "Before: the period before (FROM:TO, "
                      "or a name such as fy2023q1)", "str", optional=False,
                      advanced=False))
        self.add(Flag("AFTER", "--after", "After: the period after", "str",
                      optional=False, advanced=False))
        self.add(Flag("ALPHA", "--alpha", "WDD's interval is 1 - alpha", "float", 0.1,
                      minimum=0.0, maximum=1.0))
        self.add(Flag("GROUPS", "--groups", "Groups (from the category mapping)",
                      "str", "asb,sac,violence", advanced=False))
        for f in common_tail() + incident_fields():
            self.add(f)
        self.add_output_gpkg("Output GeoPackage")

    def place(self, parameters, context, feedback, tmp, name, flag):
        got = layers.source_path(self, parameters, name + "_LAYER", context,
                                 feedback, tmp, True)
        ids = self.parameterAsString(parameters, name, context).strip()
        if got and ids:
            raise QgsProcessingException(
                "%s: give polygons or ids, not both" % name.title())
        if got:
            return [flag, os.path.abspath(got[0])]
        return [flag, ids] if ids else []

    def command_args(self, parameters, context, feedback, tmp):
        a = self.incident_args(parameters, context, feedback, tmp)
        a += self.areas_args(parameters, context, feedback, tmp)
        t = self.place(parameters, context, feedback, tmp, "TARGET", "--target")
        if not t:
            raise QgsProcessingException("Target: choose polygons or give area or "
                                         "hotspot ids")
        a += t + self.place(parameters, context, feedback, tmp, "CONTROL", "--control")
        a += self.flag_args(parameters, context)
        self.output_path = os.path.abspath(
            self.parameterAsFileOutput(parameters, "OUTPUT", context))
        self.load = self.parameterAsBoolean(parameters, "LOAD", context)
        return a + ["-o", self.output_path]


class ReportAlgorithm(HotspotAlgorithm):
    COMMAND = "report"
    TITLE = "Area-board PDF packs (hotspot report)"
    HELP = (
        "<p>From the GeoPackage that <i>hotspot run</i> wrote: for each area (or "
        "one), a PDF pack of key figures, trend, maps, places for tasking, times "
        "of week and Gi* hot spots; and county.pdf, a county summary.</p>")
    EXTRA_FLAGS = ("--output", "-o")

    def initAlgorithm(self, config=None):
        self.add(QgsProcessingParameterFile(
            "INPUT", "A run's GeoPackage", QgsProcessingParameterFile.File, "",
            None, False, FILTERS["gpkg"]))
        self.add(Flag("AREA", "--area", "Only this area (its area_id)", "str",
                      advanced=False))
        self.add(QgsProcessingParameterFolderDestination(
            "OUTPUT", "Folder for the PDFs (made if missing)"))

    def command_args(self, parameters, context, feedback, tmp):
        gpkg = self.parameterAsFile(parameters, "INPUT", context)
        self.output_path = os.path.abspath(
            self.parameterAsFileOutput(parameters, "OUTPUT", context))
        self.before = runner.pdf_leftovers(self.output_path)
        return ([os.path.abspath(gpkg), "-o", self.output_path] +
                self.flag_args(parameters, context))

    def on_cancel(self, pid):
        # the PDFs' temporaries are random names: those that are new
        for nm in runner.pdf_leftovers(self.output_path) - self.before:
            try:
                os.remove(os.path.join(self.output_path, nm))
            except OSError:
                pass

    def outputs(self, parameters, context):
        return {"OUTPUT": self.output_path}


ALGORITHMS = [RunAlgorithm, KdeAlgorithm, EvaluateAlgorithm, ReportAlgorithm]
