#!/bin/bash
# Local Moran's I (analysis/lisa.h) and queen contiguity
# (geography/contiguity.h) against R spdep 1.2 (Debian r-cran-spdep, which
# brings r-cran-sf), through a small driver compiled here against the
# library: violence counted per area over the demo county's 306 zones
# and, when ../shared/data/real is present, over the 1,761 real LSOAs of
# three police forces (police.uk Oct 2018 - Feb 2019, ONS mid-2019
# populations; three areas' populations are blanked to exercise areas
# left out).  Checked:
#  - neighbours (snap HS_CONTIGUITY_SNAP, 1 mm): the same lists as
#    poly2nb(queen = TRUE) on the same polygons, area by area;
#  - EB standardisation: b and a as spdep EBest's parameters and as the
#    formula written out in R; the values as EBImoran.mc's z to 1e-12;
#  - localmoran (style "W", the lists subset to the areas in): Ii, E.Ii,
#    Var.Ii, Z.Ii and the normal p to 1e-9, for EB values and plain rates;
#  - p_fdr as p.adjust(p_sim, "BH"); the quadrants from the signs and
#    p_fdr <= 0.05;
#  - permutations in distribution: the share of areas with p_sim <= 0.05
#    and <= 0.01 against the same conditional draws made in R (without
#    replacement, ties both ways) and against spdep localmoran_perm (with
#    replacement, ties one way), within sampling error.  The exact draws
#    are checked against a brute force in test_lisa.c.
set -euo pipefail
. "$(dirname "$0")/common.sh"
D=$SRC/data/demo
REAL=${HOTSPOT_REAL_DATA:-$SRC/../shared/data/real}
LIB=${HOTSPOT_LIB:-$SRC/build/libhotspot.a}
command -v Rscript >/dev/null || { echo "SKIP: Rscript not installed (apt-get install r-cran-spdep)"; exit 77; }
Rscript -e 'suppressMessages({library(spdep); library(sf)})' 2>/dev/null ||
    { echo "SKIP: R packages spdep and sf not installed (apt-get install r-cran-spdep)"; exit 77; }
CC=${CC:-cc}
command -v "$CC" >/dev/null || { echo "SKIP: no C compiler ($CC) for the driver"; exit 77; }
for tool in pkg-config geos-config; do
    command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -f "$LIB" ] || fail "no library at $LIB"

# The driver: areas, counts -> each area's neighbours and LISA figures.
cat > "$T/driver.c" <<'EOF'
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/lisa.h"
#include "geography/areas.h"
#include "geography/contiguity.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void num(FILE *f, double v)
{
    if (isnan(v))
        fputs(",NA", f);
    else
        fprintf(f, ",%.17g", v);
}

/* areas id_field counts.csv eb|rate permutations seed out.csv */
int main(int argc, char **argv)
{
    if (argc != 8)
        return 2;
    hs_error err = {0};
    hs_areas_opts ao = {.path = argv[1], .id_field = argv[2], .crs = "EPSG:27700"};
    hs_areas *a = hs_areas_load(&ao, NULL, &err);
    if (!a) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    size_t n = hs_areas_count(a);
    double *cnt = malloc(n * sizeof *cnt), *pop = malloc(n * sizeof *pop);
    for (size_t i = 0; i < n; i++)
        cnt[i] = pop[i] = NAN;
    FILE *f = fopen(argv[3], "r");
    char line[512];
    if (!f || !fgets(line, sizeof line, f))
        return 1;
    while (fgets(line, sizeof line, f)) {
        char *id = strtok(line, ",\r\n"), *c = strtok(NULL, ",\r\n"),
             *p = strtok(NULL, ",\r\n");
        int i = id ? hs_areas_find(a, id) : -1;
        if (i >= 0) {
            cnt[i] = c && strcmp(c, "NA") ? atof(c) : NAN;
            pop[i] = p && strcmp(p, "NA") ? atof(p) : NAN;
        }
    }
    fclose(f);
    hs_nb nb, nb0;
    double t0 = now();
    if (hs_contiguity_queen(a, HS_CONTIGUITY_SNAP, &nb, &err) ||
        hs_contiguity_queen(a, 0, &nb0, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double t1 = now();
    hs_lisa_opts o = {strcmp(argv[4], "eb") ? HS_LISA_RATE : HS_LISA_EB,
                      atoi(argv[5]), strtoull(argv[6], NULL, 10), 1, 0.05};
    hs_lisa l;
    if (hs_lisa_rates(cnt, pop, n, &nb, &o, &l, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double t2 = now();
    printf("%zu areas, %zu in, %zu neighbour links (%zu with snap 0); contiguity "
           "%.3f s (twice), LISA %.3f s; eb_b %.17g eb_a %.17g clamped %d\n", n, l.n,
           nb.start[n], nb0.start[n], t1 - t0, t2 - t1, l.eb_b, l.eb_a, l.eb_a_clamped);
    hs_nb_free(&nb0);
    FILE *out = fopen(argv[7], "w");
    fputs("id,k,neighbours,count,population,value,lag,local_i,e_i,var_i,z_i,"
          "p_z,p_sim,p_fdr,quadrant\n", out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s,%d,", hs_areas_id(a, i), l.nbrs[i]);
        for (size_t e = nb.start[i]; e < nb.start[i + 1]; e++)
            fprintf(out, "%s%s", e > nb.start[i] ? ";" : "", hs_areas_id(a, nb.nb[e]));
        double v[] = {cnt[i], pop[i], l.value[i], l.lag[i], l.local_i[i], l.e_i[i],
                      l.var_i[i], l.z_i[i], l.p_z[i], l.p_sim[i], l.p_fdr[i]};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            num(out, v[k]);
        const char *q = hs_lisa_quad_name(l.quadrant[i]);
        fprintf(out, ",%s\n", q ? q : "NA");
    }
    fclose(out);
    hs_lisa_free(&l);
    hs_nb_free(&nb);
    hs_areas_destroy(a);
    free(cnt);
    free(pop);
    return 0;
}
EOF
SAN= # a sanitizer build of the library needs the runtimes (not grep -q: pipefail)
nm "$LIB" > "$T/nm.txt" 2>/dev/null || true
grep -q '__asan_' "$T/nm.txt" && SAN="-fsanitize=address,undefined"
# shellcheck disable=SC2046
"$CC" -std=c11 -D_DEFAULT_SOURCE $SAN -I"$SRC/include" -I"$SRC/src" -o "$T/driver" "$T/driver.c" \
    "$LIB" $(pkg-config --libs gdal proj sqlite3 cairo cairo-pdf fontconfig nettle inih libpq) \
    $(geos-config --clibs) -lm -lpthread 2>"$T/cc.txt" || fail "cannot build the driver: $(cat "$T/cc.txt")"

# The counts: violence per area (police.uk's LSOA code column), with the
# populations; R reads the CSVs (quoted fields).
cat > "$T/counts.R" <<'EOF'
suppressMessages(library(sf))
a <- commandArgs(TRUE); T <- a[1]; D <- a[2]; REAL <- a[3]
violence <- function(files) {
    v <- do.call(rbind, lapply(files, function(f) read.csv(f)[, c("LSOA.code", "Crime.type")]))
    table(v$LSOA.code[v$Crime.type == "Violence and sexual offences"])
}
cnt <- function(ids, tab) { k <- as.numeric(tab[ids]); k[is.na(k)] <- 0; k }
z <- st_read(file.path(D, "zones.geojson"), quiet = TRUE)
tab <- violence(Sys.glob(file.path(D, "policeuk", "*", "*.csv")))
write.csv(data.frame(id = z$zone_code, count = cnt(z$zone_code, tab), population = z$population),
          file.path(T, "demo_counts.csv"), row.names = FALSE, quote = FALSE)
if (nzchar(REAL)) {
    l <- st_read(file.path(T, "real.gpkg"), quiet = TRUE)
    pop <- read.csv(file.path(REAL, "ons-lsoa2011-population-mid2019", "lsoa_population.csv"),
                    header = FALSE, fileEncoding = "UTF-8-BOM", col.names = c("id", "population"))
    tab <- violence(Sys.glob(file.path(REAL, "policeuk-street-2018-10_2019-02", "*", "*.csv")))
    p <- pop$population[match(l$LSOA11CD, pop$id)]
    p[c(5, 500, 1000)] <- NA    # left out of the analysis
    write.csv(data.frame(id = l$LSOA11CD, count = cnt(l$LSOA11CD, tab), population = p),
              file.path(T, "real_counts.csv"), row.names = FALSE, quote = FALSE)
}
EOF
real=
if [ -d "$REAL/ons-boundaries-2011-martinjc/lsoa2011_by_lad" ] && command -v ogr2ogr >/dev/null; then
    real=$REAL
    first=1
    for f in "$REAL"/ons-boundaries-2011-martinjc/lsoa2011_by_lad/*.json; do
        if [ $first = 1 ]; then
            ogr2ogr -f GPKG "$T/real.gpkg" "$f" -nln lsoa -nlt MULTIPOLYGON 2>"$T/ogr.txt" ||
                fail "ogr2ogr $f: $(cat "$T/ogr.txt")"
            first=0
        else
            ogr2ogr -update -append "$T/real.gpkg" "$f" -nln lsoa -nlt MULTIPOLYGON 2>"$T/ogr.txt" ||
                fail "ogr2ogr $f: $(cat "$T/ogr.txt")"
        fi
    done
else
    echo "note: real data absent ($REAL): the demo zones only"
fi
Rscript "$T/counts.R" "$T" "$D" "$real" || fail "R could not count the incidents"

run() { # set polygons id_field: EB and rates at R = 999, EB at R = 9,999
    for v in eb:999 rate:999 eb:9999; do
        local var=${v%:*} r=${v#*:}
        local out=$1_$var
        [ "$r" = 999 ] || out=$out$r
        "$T/driver" "$2" "$3" "$T/$1_counts.csv" "$var" "$r" 12345 "$T/$out.csv" \
            > "$T/$out.txt" 2>&1 || fail "driver $1 $v: $(cat "$T/$out.txt")"
        echo "$1, $var, R = $r: $(cat "$T/$out.txt")"
    done
}
run demo "$D/zones.geojson" zone_code
[ -n "$real" ] && run real "$T/real.gpkg" LSOA11CD

cat > "$T/check.R" <<'EOF'
suppressMessages({library(spdep); library(sf)})
a <- commandArgs(TRUE); T <- a[1]; name <- a[2]; poly <- a[3]; idf <- a[4]
fail <- function(...) { cat("FAIL:", name, ":", ..., "\n"); quit(status = 1) }
d <- read.csv(file.path(T, paste0(name, "_eb.csv")), stringsAsFactors = FALSE)
dr <- read.csv(file.path(T, paste0(name, "_rate.csv")), stringsAsFactors = FALSE)
info <- readLines(file.path(T, paste0(name, "_eb.txt")))
n <- nrow(d)

# neighbours: poly2nb on the same polygons, in the driver's order
# (in the file's own coordinates: reprojected, shared vertices can part by
# more than poly2nb's snap of 1.5e-8; planar, as s2 rejects some rings)
p <- st_read(poly, quiet = TRUE)
p <- p[match(d$id, p[[idf]]), ]
if (any(is.na(p[[idf]]))) fail("areas differ between the driver and sf")
suppressMessages(sf_use_s2(FALSE))
nb <- suppressMessages(poly2nb(p, queen = TRUE))
here <- lapply(strsplit(d$neighbours, ";"), function(s) sort(match(s, d$id)))
diff <- which(!mapply(function(a, b) identical(as.integer(a), as.integer(sort(b[b > 0]))), here, nb))
if (length(diff)) fail(length(diff), "areas' neighbours differ from poly2nb, e.g.", d$id[diff[1]])
cat(sprintf("%s: neighbours as poly2nb(queen = TRUE) for all %d areas (%d links, %d islands)\n",
            name, n, sum(card(nb)), sum(card(nb) == 0)))

# EB standardisation
inn <- !is.na(d$count) & !is.na(d$population) & d$population > 0
O <- d$count[inn]; P <- d$population[inn]
e <- attr(EBest(O, P), "parameters")
b <- sum(O) / sum(P); s2 <- sum(P * (O / P - b)^2) / sum(P)
a0 <- max(0, s2 - b / (sum(P) / length(P)))
got <- as.numeric(c(sub(".*eb_b ([^ ]*) .*", "\\1", info), sub(".*eb_a ([^ ]*) .*", "\\1", info)))
if (abs(e$b - b) > 1e-15 || abs(e$a - a0) > 1e-15) fail("EBest's parameters are not the formula's")
if (abs(got[1] - b) > 1e-15 * b || abs(got[2] - a0) > 1e-12 * max(a0, 1e-300)) fail("b, a:", got, "; R:", b, a0)
x <- (O / P - e$b) / sqrt(e$a + e$b / P)       # EBImoran.mc's z
err <- max(abs(x - d$value[inn]))
if (!(err < 1e-12)) fail("EB values differ by", err)
if (any(!is.na(d$value[!inn]))) fail("areas left out have values")
cat(sprintf("%s: %d areas in; EB b = %.4g, a = %.4g as EBest and EBImoran.mc (values to %.1e)\n",
            name, sum(inn), b, a0, err))

# local Moran: localmoran on the lists subset to the areas in
sub <- subset(nb, inn)
lw <- nb2listw(sub, style = "W", zero.policy = TRUE)
k <- card(sub)
if (any(k != d$k[inn])) fail("neighbour counts after leaving areas out differ")
cmp <- function(dd, xv, label) {
    lm <- localmoran(xv, lw, zero.policy = TRUE)
    w <- k > 0
    cols <- list(Ii = "local_i", E.Ii = "e_i", Var.Ii = "var_i", Z.Ii = "z_i")
    worst <- 0
    for (cn in names(cols)) {
        h <- dd[[cols[[cn]]]][inn][w]
        r <- lm[w, cn]
        dv <- max(abs(h - r) / pmax(1, abs(r)), na.rm = TRUE)
        if (!(dv < 1e-9) || any(is.na(h) != is.na(r))) fail(label, cn, "differs from localmoran by", dv)
        worst <- max(worst, dv)
    }
    pz <- dd$p_z[inn][w]
    if (max(abs(pz - lm[w, 5])) > 1e-9) fail(label, "normal p differs")
    if (any(!is.na(dd$local_i[inn][!w]))) fail(label, "islands have a local I")
    if (any(lm[!w, "Ii"] != 0)) fail(label, "spdep's islands are not 0")
    cat(sprintf("%s %s: Ii, E.Ii, Var.Ii, Z.Ii as spdep localmoran (max relative difference %.1e)\n",
                name, label, worst))
    lm
}
lm <- cmp(d, x, "EB")
invisible(cmp(dr, O / P, "rates"))

# FDR and quadrants, at R = 999 and 9,999 (BH needs p_sim below 0.05 k / n:
# at R = 999 the floor of 0.001 can leave nothing significant)
z <- x - mean(x); lag <- lag.listw(lw, z, zero.policy = TRUE)
quad0 <- ifelse(z > 0, ifelse(lag > 0, "HH", "HL"), ifelse(lag > 0, "LH", "LL"))
lv <- c("HH", "LL", "HL", "LH", "not significant")
for (f in c("eb", "eb9999")) {
    dd <- read.csv(file.path(T, paste0(name, "_", f, ".csv")), stringsAsFactors = FALSE)
    q <- p.adjust(dd$p_sim[inn], "BH")
    if (max(abs(q - dd$p_fdr[inn]), na.rm = TRUE) > 1e-12) fail(f, "p_fdr is not p.adjust BH")
    quad <- quad0
    quad[is.na(q) | q > 0.05] <- "not significant"
    if (any(quad != dd$quadrant[inn])) fail(f, sum(quad != dd$quadrant[inn]), "quadrants differ")
    if (any(!is.na(dd$quadrant[!inn]))) fail(f, "areas left out have a quadrant")
    nofdr <- quad0
    nofdr[is.na(dd$p_sim[inn]) | dd$p_sim[inn] > 0.05] <- "not significant"
    tq <- table(factor(dd$quadrant[inn], lv)); tn <- table(factor(nofdr, lv))
    cat(sprintf("%s, R = %s: quadrants after BH at 0.05: %s (without FDR: %s)\n", name,
                if (f == "eb") "999" else "9,999", paste(names(tq), tq, collapse = ", "),
                paste(names(tn), tn, collapse = ", ")))
}

# permutations in distribution
set.seed(1)
R <- 999; nin <- length(x); nbl <- lw$neighbours
pr <- rep(NA_real_, nin)
for (i in which(k > 0)) {
    ki <- k[i]; xi <- x[-i]; obs <- sum(x[nbl[[i]]])
    idx <- matrix(sample.int(nin - 1, R * ki, replace = TRUE), R, ki)
    if (ki > 1) repeat {   # without replacement: redraw rows with a repeat
        dup <- rep(FALSE, R)
        for (u in 1:(ki - 1)) for (v in (u + 1):ki) dup <- dup | idx[, u] == idx[, v]
        if (!any(dup)) break
        idx[dup, ] <- sample.int(nin - 1, sum(dup) * ki, replace = TRUE)
    }
    s <- rowSums(matrix(xi[idx], R, ki))
    tol <- 1e-9 * max(1, abs(obs))        # equal sets of values tie
    pr[i] <- (min(sum(s >= obs - tol), sum(s <= obs + tol)) + 1) / (R + 1)
}
ps <- localmoran_perm(x, lw, nsim = R, zero.policy = TRUE, iseed = 1)[, "Pr(folded) Sim"]
here <- d$p_sim[inn]
w <- k > 0
for (cut in c(0.05, 0.01)) {
    h <- mean(here[w] <= cut); r <- mean(pr[w] <= cut); s <- mean(ps[w] <= cut)
    se <- sqrt((h * (1 - h) + r * (1 - r)) / sum(w))
    if (abs(h - r) > 4 * se + 0.005) fail("p_sim <=", cut, ":", h, "here,", r, "from R's draws")
    if (abs(h - s) > 4 * se + 0.005) fail("p_sim <=", cut, ":", h, "here,", s, "from localmoran_perm")
    cat(sprintf("%s: p_sim <= %.2f for %.3f of %d areas here, %.3f from R's draws, %.3f from spdep localmoran_perm\n",
                name, cut, h, sum(w), r, s))
}
cat(sprintf("%s: p_sim against R's draws area by area: correlation %.3f, median |difference| %.4f\n",
            name, cor(here[w], pr[w]), median(abs(here[w] - pr[w]))))
EOF
Rscript "$T/check.R" "$T" demo "$D/zones.geojson" zone_code || fail "R spdep disagrees (demo)"
if [ -n "$real" ]; then
    Rscript "$T/check.R" "$T" real "$T/real.gpkg" LSOA11CD || fail "R spdep disagrees (real)"
fi
echo PASS
