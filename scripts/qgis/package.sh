#!/bin/sh
# Packages the QGIS plugin (scripts/qgis/hotspot_provider) as a zip for
# QGIS > Plugins > Manage and Install Plugins > Install from ZIP.
#   scripts/qgis/package.sh [OUT.zip]     (default: ./hotspot_provider.zip)
# The zip holds one folder, hotspot_provider/, with the version of
# CMakeLists.txt in metadata.txt; the same sources give the same bytes.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-hotspot_provider.zip}
VERSION=$(sed -n 's/^project(hotspot VERSION \([0-9.]*\).*/\1/p' "$HERE/../../CMakeLists.txt")
[ -n "$VERSION" ] || { echo "package.sh: no version in CMakeLists.txt" >&2; exit 1; }
python3 - "$HERE/hotspot_provider" "$OUT" "$VERSION" <<'PY'
import os, re, sys, zipfile
src, out, version = sys.argv[1:]
tmp = out + ".tmp"
names = sorted(n for n in os.listdir(src)
               if not n.startswith(".") and n != "__pycache__" and not n.endswith(".pyc"))
with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
    for n in names:
        with open(os.path.join(src, n), "rb") as f:
            data = f.read()
        if n == "metadata.txt":
            data = re.sub(rb"(?m)^version=.*$", b"version=" + version.encode(), data)
        # fixed time and mode: the same sources give the same zip
        info = zipfile.ZipInfo("hotspot_provider/" + n, (2024, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
os.replace(tmp, out)
print("wrote %s (hotspot_provider %s, %d files)" % (out, version, len(names)))
PY
