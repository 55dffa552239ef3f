#!/bin/sh
# Installs dependencies, builds Hotspot and runs the main job on the demo
# county in data/demo; the GeoPackage is written to ./hotspot-demo.gpkg.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHOTSPOT_WERROR=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
./build/hotspot demo -o hotspot-demo.gpkg
