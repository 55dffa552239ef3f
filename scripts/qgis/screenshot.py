#!/usr/bin/python3
"""Takes the README's picture of the plugin's "hotspot run" dialog, headless.

usage: scripts/qgis/screenshot.py OUT.png [ALG]
       (the README's: scripts/qgis/screenshot.py scripts/qgis/dialog.png)

Opens QGIS's own Processing dialog for hotspot:run (or ALG) with a month of
the demo county's police.uk incidents, its area boards and zones in the
project and the fields chosen, as an analyst sees it after picking them,
and saves it as a PNG.  Runs offscreen, in a throw-away QGIS profile.
"""
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # nothing left in the source tree
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
PROFILE = None
if not os.environ.get("QGIS_CUSTOM_CONFIG_PATH"):
    PROFILE = os.environ["QGIS_CUSTOM_CONFIG_PATH"] = tempfile.mkdtemp(prefix="qgis-profile-")

from qgis.core import QgsApplication, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QImage
from qgis.PyQt.QtWidgets import QSplitter

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "..", "data", "demo")
out = sys.argv[1]
alg_id = sys.argv[2] if len(sys.argv) > 2 else "hotspot:run"

app = QgsApplication([], True)
app.initQgis()
sys.path.insert(0, HERE)
from hotspot_provider.plugin import standalone  # noqa: E402

plugin = standalone()
from processing.gui.AlgorithmDialog import AlgorithmDialog  # noqa: E402

project = QgsProject.instance()
boards = QgsVectorLayer(os.path.join(DEMO, "boards.geojson"), "area boards", "ogr")
zones = QgsVectorLayer(os.path.join(DEMO, "zones.geojson"), "zones", "ogr")
points = QgsVectorLayer(
    "file://%s?type=csv&xField=Longitude&yField=Latitude&crs=EPSG:4326"
    % os.path.abspath(os.path.join(DEMO, "policeuk", "2024-12",
                                   "2024-12-demoshire-street.csv")),
    "2024-12-demoshire-street", "delimitedtext")
for lyr in (points, boards, zones):
    assert lyr.isValid(), lyr.name()
    project.addMapLayer(lyr)

alg = QgsApplication.processingRegistry().createAlgorithmById(alg_id)
dlg = AlgorithmDialog(alg)
dlg.setParameters({"INCIDENTS": points.id(), "AREAS": boards.id(), "AREA_ID": "board_id",
                   "AREA_NAME": "board_name", "POPULATION_ZONES": zones.id(),
                   "POPULATION_ZONE_FIELD": "population"})
dlg.resize(QSize(860, 720))
dlg.show()
for sp in dlg.findChildren(QSplitter):
    sp.setSizes([600, 240])
for _ in range(20):
    app.processEvents()
# a palette of 256 colours: a third of the bytes, the same to the eye
img = dlg.grab().toImage().convertToFormat(QImage.Format_Indexed8,
                                           Qt.ThresholdDither | Qt.AvoidDither)
ok = img.save(out, "PNG", 9)
dlg.close()
plugin.unload()
if PROFILE:
    shutil.rmtree(PROFILE, ignore_errors=True)
print(("wrote %s" % out) if ok else "could not write %s" % out)
sys.exit(0 if ok else 1)
