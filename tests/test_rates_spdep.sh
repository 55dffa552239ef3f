#!/bin/bash
# rate_eb on rates_<group> against R spdep EBest (Marshall's global
# empirical Bayes, Debian r-cran-spdep), on the demo county's 18 boards and
# on 300 small zones (where the smoothing matters), for every group; and
# --public leaves it out of a group with a suppressed count.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data/demo
command -v Rscript >/dev/null || { echo "SKIP: Rscript not installed (apt-get install r-cran-spdep)"; exit 77; }
Rscript -e 'suppressMessages(library(spdep))' 2>/dev/null || { echo "SKIP: R package spdep not installed (apt-get install r-cran-spdep)"; exit 77; }
A=(--incidents "$D/policeuk" --kde no --gistar no --incidents-layer no --compare none)
"$BIN" run "${A[@]}" --areas "$D/boards.geojson" --area-id board_id --population "$D/zones.geojson" \
    --population-value population -o "$T/boards.gpkg" >/dev/null 2>"$T/err.txt" || fail "boards: $(cat "$T/err.txt")"
"$BIN" run "${A[@]}" --areas "$D/zones.geojson" --area-id zone_code --population population \
    -o "$T/zones.gpkg" >/dev/null 2>"$T/err.txt" || fail "zones: $(cat "$T/err.txt")"
for f in boards zones; do
    for g in asb sac violence; do
        sqlite3 -csv -header "$T/$f.gpkg" "SELECT count, population, rate_eb FROM rates_$g" > "$T/${f}_$g.csv"
    done
done
Rscript - "$T" <<'R' || fail "R spdep disagrees"
suppressMessages(library(spdep))
T <- commandArgs(TRUE)[1]
for (f in c("boards", "zones")) for (g in c("asb", "sac", "violence")) {
    d <- read.csv(file.path(T, paste0(f, "_", g, ".csv")))
    e <- EBest(d$count, d$population)$estmm * 1000
    err <- max(abs(e - d$rate_eb) / e)
    if (!(err < 1e-12)) { cat("FAIL:", f, g, ": rate_eb differs from EBest by", err, "\n"); quit(status = 1) }
    raw <- d$count / d$population * 1000
    cat(sprintf("%s %s: %d areas, rate_eb as EBest (relative %.1e); smoothing moves rates by up to %.2f per 1,000\n",
                f, g, nrow(d), err, max(abs(raw - d$rate_eb))))
}
R
"$BIN" run "${A[@]}" --areas "$D/zones.geojson" --area-id zone_code --population population \
    --public yes -o "$T/pub.gpkg" >/dev/null 2>"$T/err.txt" || fail "public: $(cat "$T/err.txt")"
for g in asb sac violence; do
    read -r nsup neb < <(sqlite3 -separator ' ' "$T/pub.gpkg" "SELECT sum(count IS NULL), sum(rate_eb IS NOT NULL) FROM rates_$g")
    [ "$nsup" -gt 0 ] && [ "$neb" -ne 0 ] && fail "public $g: $nsup counts suppressed but $neb rate_eb published"
    echo "public $g: $nsup counts suppressed, rate_eb published for $neb areas"
done
echo PASS
