#!/bin/sh
# Usage: replay.sh HARNESS NAME - ctest: runs the replay build of a harness
# over the seed corpus and every saved crash (regress/NAME), so bugs the
# fuzzers found stay fixed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$here/seeds.sh" "$tmp"
set -- "$1" "$tmp/$2" "$here/regress/$2"
[ -d "$3" ] || set -- "$1" "$2"
"$@"
