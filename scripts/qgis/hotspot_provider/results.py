"""Adds a run's GeoPackage to a QGIS project, styled.

hotspot stores a QGIS project in the GeoPackage (and beside it as .qgz)
with every layer styled - the density rasters too, which the GeoPackage's
layer_styles table cannot style - grouped per crime group and in drawing
order.  That project is read into a project of its own and its layer tree
copied into the analyst's project as one group named after the file.
Without it, each table is added: vector layers from a GeoPackage take their
default style from layer_styles by themselves.
"""
import os
import sqlite3

from qgis.core import (QgsLayerTreeGroup, QgsLayerTreeLayer, QgsProject,
                       QgsRasterLayer, QgsVectorLayer)

MARK = "hotspot/output"  # custom property of the group: which file it shows


def qgz_path(gpkg):
    """hotspot writes the project beside the GeoPackage: a.gpkg -> a.qgz."""
    return gpkg[:-5] + ".qgz" if gpkg.endswith(".gpkg") else gpkg + ".qgz"


def _copy(src, dst, project):
    """Copies the layer tree below src into dst; returns the layers added."""
    n = 0
    for node in src.children():
        if isinstance(node, QgsLayerTreeGroup):
            g = dst.addGroup(node.name())
            g.setItemVisibilityChecked(node.itemVisibilityChecked())
            g.setExpanded(node.isExpanded())
            n += _copy(node, g, project)
        elif isinstance(node, QgsLayerTreeLayer) and node.layer() is not None:
            lyr = node.layer().clone()
            project.addMapLayer(lyr, False)
            t = dst.addLayer(lyr)
            t.setItemVisibilityChecked(node.itemVisibilityChecked())
            t.setExpanded(node.isExpanded())
            n += 1
    return n


def _from_project(gpkg, group, project):
    for uri in ("geopackage:%s?projectName=hotspot" % gpkg, qgz_path(gpkg)):
        src = QgsProject()
        try:
            if (uri.startswith("geopackage:") or os.path.exists(uri)) and src.read(uri):
                n = _copy(src.layerTreeRoot(), group, project)
                if n:
                    return n
        finally:
            src.clear()
    return 0


def _each_table(gpkg, group, project):
    db = sqlite3.connect("file:%s?mode=ro" % gpkg, uri=True)
    try:
        rows = db.execute("SELECT table_name, data_type FROM gpkg_contents "
                          "ORDER BY rowid").fetchall()
    finally:
        db.close()
    n = 0
    for name, kind in rows:
        if kind == "features":
            lyr = QgsVectorLayer("%s|layername=%s" % (gpkg, name), name, "ogr")
        elif kind == "2d-gridded-coverage":
            lyr = QgsRasterLayer("GPKG:%s:%s" % (gpkg, name), name, "gdal")
        else:
            continue
        if lyr.isValid():
            project.addMapLayer(lyr, False)
            group.addLayer(lyr)
            n += 1
    return n


def add_to_project(gpkg, project, feedback=None):
    """Adds the run's layers as a group at the top of project, replacing the
    group an earlier run of the same file added.  Returns the group."""
    root = project.layerTreeRoot()
    for g in root.findGroups():
        if g.customProperty(MARK) == gpkg:
            for lyr in g.findLayers():
                project.removeMapLayer(lyr.layerId())
            root.removeChildNode(g)
    name = os.path.splitext(os.path.basename(gpkg))[0]
    group = root.insertGroup(0, name)
    group.setCustomProperty(MARK, gpkg)
    n = _from_project(gpkg, group, project)
    how = "as in its QGIS project"
    if not n:
        n = _each_table(gpkg, group, project)
        how = "with their default styles (no QGIS project in the file)"
    if feedback:
        feedback.pushInfo("Added %d layer(s) of %s to the project, %s. The same "
                          "project: Project > Open From > GeoPackage, or %s"
                          % (n, gpkg, how, qgz_path(gpkg)))
    return group
