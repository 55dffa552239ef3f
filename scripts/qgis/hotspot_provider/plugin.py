"""The plugin: registers the provider (also in qgis_process, which calls
initProcessing of plugins whose metadata says hasProcessingProvider=yes)."""
import os
import sys

from qgis.core import QgsApplication

from .provider import HotspotProvider


class HotspotPlugin:

    def __init__(self, iface=None):
        self.iface = iface
        self.provider = None

    def initProcessing(self):
        if self.provider is None:
            self.provider = HotspotProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None


def standalone():
    """For a PyQGIS script, once its QgsApplication is initialised: starts
    Processing and registers the provider as QGIS does for an enabled
    plugin, so that processing.run("hotspot:run", ...) works.  Returns the
    plugin (its unload() removes the provider)."""
    path = os.path.join(QgsApplication.pkgDataPath(), "python", "plugins")
    if path not in sys.path:
        sys.path.append(path)
    from processing.core.Processing import Processing
    Processing.initialize()
    plugin = HotspotPlugin()
    plugin.initProcessing()
    return plugin
