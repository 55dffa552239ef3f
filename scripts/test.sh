#!/bin/sh
# Installs dependencies, builds Hotspot warning-free and runs every test;
# then the same under AddressSanitizer + UBSan.  Set HOTSPOT_NO_ASAN=1 to
# skip the sanitizer build.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOTSPOT_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
(cd build && ctest --output-on-failure -j2)
if [ "${HOTSPOT_NO_ASAN:-0}" != 1 ]; then
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHOTSPOT_SANITIZE=ON \
          -DHOTSPOT_WERROR=ON >/dev/null
    cmake --build build-asan -j"$(nproc)"
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest --output-on-failure -j2)
fi
