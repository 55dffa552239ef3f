"""Hotspot's QGIS plugin: a Processing provider that runs the hotspot
program (hotspot run, kde, evaluate, report) from the Toolbox."""


def classFactory(iface):
    from .plugin import HotspotPlugin
    return HotspotPlugin(iface)
