"""QGIS layers as paths hotspot reads.

A layer whose data is a plain file hotspot can open is passed as that file,
so the run table names the analyst's own file and police.uk CSVs keep their
header (hotspot recognises them by it).  Anything else - a memory or
database layer, a filter (subset), "selected features only", a feature
limit, or for incidents and zones a layer that is not the first of its file
(hotspot reads the first) - is first written to a temporary file: CSV for a
layer read from a CSV (its columns unchanged), else a GeoPackage.
"""
import os

from osgeo import ogr
from qgis.core import (QgsCoordinateTransformContext, QgsFeatureRequest,
                       QgsProcessingException,
                       QgsProcessingFeatureSource,
                       QgsProcessingFeatureSourceDefinition, QgsProcessingUtils,
                       QgsProviderRegistry,
                       QgsVectorFileWriter, QgsVectorLayer, QgsWkbTypes)
from qgis.PyQt.QtCore import QUrl

# what hotspot opens itself (any other OGR format would do, but these are
# the ones worth not copying)
FILE_EXTS = {".csv", ".txt", ".gpkg", ".shp", ".geojson", ".json", ".fgb",
             ".sqlite", ".gml", ".kml", ".tab", ".mif"}


def _file_of(layer):
    """(path, layer name or None) when the layer is a plain file read whole,
    else None."""
    if layer.subsetString():
        return None
    prov = layer.providerType()
    if prov == "delimitedtext":
        path = QUrl(layer.source()).toLocalFile()
        return (path, None) if os.path.isfile(path) else None
    if prov != "ogr":
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path") or ""
    if not os.path.isfile(path) or os.path.splitext(path)[1].lower() not in FILE_EXTS:
        return None
    # a subset, a geometry type of a mixed layer...: only part of the file
    if any(v for k, v in parts.items() if k not in ("path", "layerName", "layerId")):
        return None
    name = parts.get("layerName") or None
    lid = parts.get("layerId")
    if not name and isinstance(lid, int):
        ds = ogr.Open(path)
        if ds is None or lid >= ds.GetLayerCount():
            return None
        name = ds.GetLayer(lid).GetName()
    return path, name


def _is_csv(layer):
    """A CSV stays a CSV when exported: police.uk files are known by their
    header, and generic columns by their names."""
    if layer is None:
        return False
    if layer.providerType() == "delimitedtext":
        return True
    path = QgsProviderRegistry.instance().decodeUri(
        layer.providerType(), layer.source()).get("path") or ""
    return layer.providerType() == "ogr" and path.lower().endswith((".csv", ".txt"))


def _first_layer_name(path):
    ds = ogr.Open(path)
    return ds.GetLayer(0).GetName() if ds is not None and ds.GetLayerCount() else None


def _layer_count(path):
    ds = ogr.Open(path)
    return ds.GetLayerCount() if ds is not None else 0


def _export(source, crs, dest, csv, context, feedback):
    """Writes a feature source to dest (GeoPackage, or CSV without geometry,
    keeping the columns) and returns dest."""
    opts = QgsVectorFileWriter.SaveVectorOptions()
    opts.driverName = "CSV" if csv else "GPKG"
    opts.fileEncoding = "UTF-8"
    if not csv:
        # a source field called "fid" need not be a unique integer
        opts.layerOptions = ["FID=hotspot_fid"]
    wkb = QgsWkbTypes.NoGeometry if csv else source.wkbType()
    tc = context.transformContext() if context else QgsCoordinateTransformContext()
    writer = QgsVectorFileWriter.create(dest, source.fields(), wkb, crs, tc, opts)
    if writer is None or writer.hasError() != QgsVectorFileWriter.NoError:
        raise QgsProcessingException("cannot write %s: %s" % (
            dest, writer.errorMessage() if writer else "no writer"))
    n = 0
    for f in source.getFeatures(QgsFeatureRequest()):
        if feedback and feedback.isCanceled():
            break
        if csv:
            f.clearGeometry()
        if not writer.addFeature(f):
            raise QgsProcessingException("cannot write %s: %s" % (dest, writer.errorMessage()))
        n += 1
    del writer  # closes the file
    if feedback:
        feedback.pushInfo("%d feature(s) written to %s for hotspot" % (n, dest))
    return dest


def source_path(alg, parameters, name, context, feedback, tmpdir, first_only):
    """The parameter `name` (a feature source) as (path, layer name or None),
    or None when not given.  first_only: hotspot reads only the file's first
    layer (incidents, zones)."""
    val = parameters.get(name)
    if val is None or val == "":
        return None
    defn = val if isinstance(val, QgsProcessingFeatureSourceDefinition) else None
    if defn is not None:
        # parameterAsVectorLayer gives None for a definition: its layer
        ref = defn.source.valueAsString(context.expressionContext())[0]
        layer = QgsProcessingUtils.mapLayerFromString(ref, context)
    else:
        layer = alg.parameterAsVectorLayer(parameters, name, context)
    partial = defn is not None and (
        defn.selectedFeaturesOnly or defn.featureLimit != -1 or
        bool(getattr(defn, "filterExpression", "")))
    if layer is not None and not partial:
        got = _file_of(layer)
        if got and got[1] and first_only:
            if got[1] == _first_layer_name(got[0]):
                return got[0], None
        elif got:
            # a layer name only where the file has a choice
            return got if got[1] and _layer_count(got[0]) > 1 else (got[0], None)
    source = alg.parameterAsSource(parameters, name, context)
    if source is None:
        raise QgsProcessingException("%s: the layer cannot be read" % name)
    csv = _is_csv(layer)
    dest = os.path.join(tmpdir, name.lower() + (".csv" if csv else ".gpkg"))
    return _export(source, source.sourceCrs(), dest, csv, context, feedback), None


def layer_path(layer, context, feedback, tmpdir, tag, first_only):
    """A layer of a multiple-layer parameter as a path (see source_path)."""
    got = _file_of(layer)
    if got and not (first_only and got[1] and got[1] != _first_layer_name(got[0])):
        return got[0]
    if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        raise QgsProcessingException("layer '%s' cannot be read" % layer.name())
    # read as Processing reads the layers of its own parameters
    source = QgsProcessingFeatureSource(layer, context, False)
    csv = _is_csv(layer)
    dest = os.path.join(tmpdir, tag + (".csv" if csv else ".gpkg"))
    return _export(source, layer.crs(), dest, csv, context, feedback)
