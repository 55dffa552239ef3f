"""The "Hotspot" provider of the Processing Toolbox."""
import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms import ALGORITHMS, BINARY_SETTING

ICON = os.path.join(os.path.dirname(__file__), "icon.svg")


class HotspotProvider(QgsProcessingProvider):

    def load(self):
        # the binary's path, in Settings > Options > Processing > Providers
        try:
            from processing.core.ProcessingConfig import ProcessingConfig, Setting
        except ImportError:  # no Processing plugin: $HOTSPOT_BIN or the PATH
            ProcessingConfig = None
        if ProcessingConfig is not None:
            ProcessingConfig.settingIcons[self.name()] = self.icon()
            ProcessingConfig.addSetting(Setting(
                self.name(), BINARY_SETTING,
                "hotspot executable (empty: hotspot on the PATH; the "
                "environment variable HOTSPOT_BIN overrides it)", "",
                valuetype=Setting.FILE))
            ProcessingConfig.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self):
        try:
            from processing.core.ProcessingConfig import ProcessingConfig
            ProcessingConfig.removeSetting(BINARY_SETTING)
        except ImportError:
            pass

    def loadAlgorithms(self):
        for cls in ALGORITHMS:
            self.addAlgorithm(cls())

    def id(self):
        return "hotspot"

    def name(self):
        return "Hotspot"

    def longName(self):
        return "Hotspot: crime and ASB hotspots and rates"

    def icon(self):
        return QIcon(ICON)

    def svgIconPath(self):
        return ICON

    def supportedOutputRasterLayerExtensions(self):
        return ["tif", "gpkg"]

    def defaultRasterFileExtension(self):
        return "tif"
