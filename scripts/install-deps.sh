#!/bin/sh
# Installs what Hotspot needs to build, test and run, from Debian packages.
# Safe to run again: apt-get skips what is already installed.
set -eu
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
PKGS="build-essential cmake pkg-config
      libgdal-dev gdal-bin libgeos-dev libproj-dev proj-bin proj-data
      libsqlite3-dev sqlite3 libinih-dev nettle-dev libcmocka-dev libpq-dev
      python3
      libcairo2-dev libfontconfig-dev fonts-dejavu-core poppler-utils
      man-db"
missing=
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
