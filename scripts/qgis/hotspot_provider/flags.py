"""Hotspot's command-line flags as Processing parameters, one table.

Each Flag makes one parameter and turns its value back into the flag.  A
value equal to the CLI's default is not passed, so the command in the log is
the short one an analyst would type (tests/qgis_provider_check.py checks
every default here against `hotspot run --help`).
"""
from qgis.core import (QgsCoordinateReferenceSystem, QgsProcessingParameterBoolean,
                       QgsProcessingParameterCrs, QgsProcessingParameterDefinition,
                       QgsProcessingParameterEnum, QgsProcessingParameterField,
                       QgsProcessingParameterFile, QgsProcessingParameterNumber,
                       QgsProcessingParameterString)


FILTERS = {"csv": "CSV files (*.csv *.CSV *.txt);;All files (*)",
           "gpkg": "GeoPackage (*.gpkg *.GPKG)", None: ""}


def num(v):
    """A number as the CLI reads it: 250.0 -> 250, 0.03 -> 0.03."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


class Flag:
    """kind: str, int, float, bool, enum (values: the CLI's words), field
    (of parent), file (ext), crs."""

    def __init__(self, name, flag, label, kind, default=None, help=None,
                 values=None, labels=None, parent=None, numeric=False,
                 optional=True, advanced=True, minimum=None, maximum=None,
                 ext=None):
        self.name, self.flag, self.label, self.kind = name, flag, label, kind
        self.default, self.help, self.values = default, help, values
        self.labels, self.parent, self.numeric = labels or values, parent, numeric
        self.optional, self.advanced = optional, advanced
        self.minimum, self.maximum, self.ext = minimum, maximum, ext

    def make(self):
        k = self.kind
        if k == "str":
            p = QgsProcessingParameterString(self.name, self.label, self.default,
                                             False, self.optional)
        elif k in ("int", "float"):
            t = (QgsProcessingParameterNumber.Integer if k == "int"
                 else QgsProcessingParameterNumber.Double)
            p = QgsProcessingParameterNumber(self.name, self.label, t, self.default,
                                             self.optional)
            if self.minimum is not None:
                p.setMinimum(self.minimum)
            if self.maximum is not None:
                p.setMaximum(self.maximum)
        elif k == "bool":
            p = QgsProcessingParameterBoolean(self.name, self.label, self.default, False)
        elif k == "enum":
            p = QgsProcessingParameterEnum(self.name, self.label, self.labels, False,
                                           self.values.index(self.default), False)
        elif k == "field":
            p = QgsProcessingParameterField(
                self.name, self.label, self.default, self.parent,
                QgsProcessingParameterField.Numeric if self.numeric
                else QgsProcessingParameterField.Any, False, self.optional)
        elif k == "file":
            p = QgsProcessingParameterFile(self.name, self.label,
                                           QgsProcessingParameterFile.File, "",
                                           None, self.optional, FILTERS[self.ext])
        elif k == "crs":
            p = QgsProcessingParameterCrs(self.name, self.label, self.default,
                                          self.optional)
        else:
            raise ValueError(k)
        if self.advanced:
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        p.setHelp("hotspot %s%s" % (self.flag, " (%s)" % self.help if self.help else ""))
        return p

    def given(self, parameters):
        v = parameters.get(self.name)
        return v is not None and v != "" and v != []

    def args(self, alg, parameters, context):
        """[flag, value], or [] for the CLI's default or nothing given."""
        k, f = self.kind, self.flag
        if k == "bool":
            v = alg.parameterAsBoolean(parameters, self.name, context)
            return [] if v == self.default else [f, "yes" if v else "no"]
        if k == "enum":
            v = self.values[alg.parameterAsEnum(parameters, self.name, context)]
            return [] if v == self.default else [f, v]
        if not self.given(parameters):
            return []
        if k == "str":
            v = alg.parameterAsString(parameters, self.name, context).strip()
            return [] if v in ("", self.default) else [f, v]
        if k == "int":
            v = alg.parameterAsInt(parameters, self.name, context)
            return [] if v == self.default else [f, str(v)]
        if k == "float":
            v = alg.parameterAsDouble(parameters, self.name, context)
            return [] if self.default is not None and v == self.default else [f, num(v)]
        if k == "field":
            v = alg.parameterAsFields(parameters, self.name, context)
            return [f, v[0]] if v and v[0] != self.default else []
        if k == "file":
            v = alg.parameterAsFile(parameters, self.name, context)
            return [f, v] if v else []
        if k == "crs":
            c = alg.parameterAsCrs(parameters, self.name, context)
            if not c.isValid():
                return []
            v = c.authid() or c.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED)
            return [] if v == self.default else [f, v]
        raise ValueError(k)


def incident_fields():
    """The generic incident columns: fields of the INCIDENTS layer."""
    def fld(name, flag, label, help, numeric=False):
        return Flag(name, flag, label, "field", parent="INCIDENTS", help=help,
                    numeric=numeric)
    return [
        fld("X", "--x", "Incidents: x or longitude column",
            "detected by name (longitude/x/easting) or the layer's geometry", True),
        fld("Y", "--y", "Incidents: y or latitude column",
            "detected by name (latitude/y/northing) or the layer's geometry", True),
        Flag("INCIDENTS_CRS", "--incidents-crs", "Incidents: CRS of the x/y columns",
             "crs", help="EPSG:4326 for longitude/latitude, else the analysis CRS"),
        fld("CATEGORY", "--category", "Incidents: crime type or offence code column",
            "detected by name (crime type/category/offence_code)"),
        fld("DATE", "--date", "Incidents: date or month column",
            "YYYY-MM-DD, DD/MM/YYYY, a date-time or YYYY-MM; detected by name "
            "(date/month)"),
        fld("TIME", "--time", "Incidents: time of day column (HH:MM)", None),
        fld("START_TIME", "--start-time", "Incidents: window start (date-time column)",
            "instead of date and time: spread over the hours of the week with "
            "the end time (Ratcliffe's aoristic method)"),
        fld("END_TIME", "--end-time", "Incidents: window end (date-time column)",
            "needs the start time"),
        fld("WEIGHT", "--weight", "Incidents: weight column", None, True),
        fld("LOCATION", "--location", "Incidents: location label column",
            "detected by name (location)"),
        fld("ID", "--id", "Incidents: unique crime reference column",
            "a reference on several rows is counted once (see duplicates)"),
        Flag("DUPLICATES", "--duplicates", "Duplicates: which copy is kept", "enum",
             "last", values=["last", "first", "keep"],
             labels=["last (a police.uk force-month from the last file, a reference "
                     "on its last row)", "first", "keep everything (and warn)"]),
    ]


def period_flags(compare=True):
    f = [Flag("FROM", "--from", "First month of the period (YYYY-MM)", "str",
              help="default: 12 months before the last", advanced=False),
         Flag("TO", "--to", "Last month of the period (YYYY-MM)", "str",
              help="default: the latest month in the data", advanced=False),
         Flag("PERIOD", "--period", "Or the period by name (fy2024, 2024q1, "
              "fy2024-ytd, FROM:TO...)", "str", advanced=False)]
    if compare:
        f.append(Flag("COMPARE", "--compare", "Comparison period", "enum",
                      "previous-year",
                      values=["previous-year", "previous-period", "none"],
                      labels=["the same months a year earlier",
                              "the equally long period just before", "none"],
                      advanced=False))
    return f


def common_tail():
    """Flags every command shares after the incidents."""
    return [
        Flag("WHEN", "--when", "Only incidents inside these windows of the week",
             "str", help='e.g. "Thu-Sat 18:00-04:00"; needs dates and times'),
        Flag("CATEGORIES", "--categories", "Category mapping (CSV)", "file",
             ext="csv", help="crime types and offence codes to groups; default: "
             "the bundled data/categories.csv"),
        Flag("CRS", "--crs", "Analysis CRS (projected, metres)", "crs",
             "EPSG:27700"),
    ]


KERNELS = ["quartic", "triangular", "uniform", "triweight", "epanechnikov", "gaussian"]


def kernel_flags():
    return [
        Flag("KERNEL", "--kernel", "Kernel", "enum", "quartic", values=KERNELS,
             labels=KERNELS[:-1] + ["gaussian (sigma = bandwidth, cut at 4 sigma)"]),
        Flag("CELL", "--cell", "Cell size of the density grid (metres)", "float",
             minimum=0.0,
             help="empty: run: the smallest back-test bandwidth / 2; kde: the "
             "shorter side of the extent / 150"),
        Flag("KDE_UNITS", "--kde-units", "Density units", "enum", "km2",
             values=["km2", "cell"],
             labels=["incidents per km²", "expected incidents per cell"]),
    ]


def public_flags():
    return [
        Flag("PUBLIC", "--public", "Release-safe output (small numbers suppressed)",
             "bool", False),
        Flag("PUBLIC_THRESHOLD", "--public-threshold",
             "Release-safe: counts under this are suppressed", "int", 10,
             minimum=1),
        Flag("PUBLIC_EXCLUDE", "--public-exclude",
             "Release-safe: crime types, codes or groups left out", "str",
             help='comma-separated, e.g. "Sexual offences"'),
    ]
