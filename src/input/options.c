/* options.c - run options from flags and INI profiles (see hs_options.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ini.h>

#include "hotspot/hs_options.h"

/* analysis/backtest.h's HS_BACKTEST_LADDER, for --help (input/ does not
 * include analysis/: src/README.md) */
#define HS_LADDER_TEXT "100,150,200,300,400,600,800,1200,1600"

/* Kinds of value: plain text, an input path resolved against the profile
 * folder, or a path-or-field (resolved only if such a file exists). */
enum { TEXT, PATH, PATH_OR_FIELD, LIST };

typedef struct opt {
    hs_option_info info;
    size_t offset;
    int kind;
} opt;

#define O(field, kind, meta, dflt, help)                                      \
    { {#field, meta, help, dflt}, offsetof(hs_options, field), kind }

static const opt table[] = {
    O(incidents, LIST, "PATH...", NULL,
      "incident files, folders (searched for *.csv) or globs; police.uk "
      "street CSVs are recognised by their header"),
    O(incidents_sql, TEXT, "SQL", NULL, "the incidents are the rows of this "
      "query on each --incidents source that is a database (PG:...) or a GIS "
      "file (in its SQL dialect), instead of its table or first layer"),
    O(areas, PATH, "PATH", NULL, "area polygons: any OGR source (GeoPackage, "
      "GeoJSON, Shapefile, PG:\"dbname=... tables=schema.table\")"),
    O(areas_layer, TEXT, "NAME", "the first layer", "layer of --areas (a "
      "database: schema.table)"),
    O(areas_sql, TEXT, "SQL", NULL, "the areas are the rows of this query on "
      "--areas (a database's SQL, or a GIS file's dialect)"),
    O(area_id, TEXT, "FIELD", NULL, "unique id field of the areas"),
    O(area_name, TEXT, "FIELD", "the id", "name field of the areas"),
    O(population, PATH_OR_FIELD, "FIELD|CSV|ZONES", NULL,
      "resident population: a field on the areas, a CSV joined on the area "
      "id, or small zones (polygons with a population) best-fitted to the "
      "areas by their interior point"),
    O(population_id, TEXT, "COL", "column 1",
      "CSV column with the area id (name or 1-based number)"),
    O(population_value, TEXT, "COL", "column 2 / population",
      "CSV column or zone field with the population"),
    O(from, TEXT, "YYYY-MM", "12 months before --to", "first month of the "
      "analysis period"),
    O(to, TEXT, "YYYY-MM", "the latest month in the data",
      "last month of the analysis period"),
    O(period, TEXT, "NAME", NULL, "the analysis period by name, instead of "
      "--from/--to: fy2024 (UK financial year, April 2024 to March 2025), "
      "fy2024q1 (April-June 2024; q4 is January-March 2025), 2024 (calendar "
      "year), 2024q1 (January-March 2024), fy2024-ytd or 2024-ytd (from the "
      "year's first month to the last month in the data), 2024-05 (a "
      "month), FROM:TO (from the first month of one to the last of the "
      "other, e.g. 2024-04:2024-12)"),
    O(compare, TEXT, "previous-year|previous-period|none", "previous-year",
      "comparison period: the same months a year earlier, the equally long "
      "period just before, or none"),
    O(groups, TEXT, "LIST", "asb,sac,violence",
      "comma-separated groups from the category mapping to analyse"),
    O(categories, PATH, "CSV", "categories.csv in the data folder",
      "mapping of crime types and offence codes to groups"),
    O(assign, TEXT, "point|lsoa-code", "point",
      "assign incidents to areas by point in polygon, or by the police.uk "
      "LSOA code when the areas are LSOAs"),
    O(crs, TEXT, "CRS", "EPSG:27700", "analysis CRS (projected, metres)"),
    O(x, TEXT, "FIELD", "longitude/x/easting", "generic incidents: x or "
      "longitude column"),
    O(y, TEXT, "FIELD", "latitude/y/northing", "generic incidents: y or "
      "latitude column"),
    O(incidents_crs, TEXT, "CRS", "EPSG:4326 for lon/lat, else --crs",
      "generic incidents: CRS of the coordinates"),
    O(category, TEXT, "FIELD", "category/offence_code",
      "generic incidents: crime type or offence code column"),
    O(date, TEXT, "FIELD", "date/month", "generic incidents: date "
      "(YYYY-MM-DD or DD/MM/YYYY, optional time), date-time or month "
      "(YYYY-MM) column"),
    O(time, TEXT, "FIELD", NULL, "generic incidents: time of day column "
      "(HH:MM)"),
    O(start_time, TEXT, "FIELD", NULL, "generic incidents: date-time column "
      "of the earliest time the incident began (instead of --date and "
      "--time; with --end-time: a window, spread over the hours of the week "
      "by Ratcliffe's aoristic method)"),
    O(end_time, TEXT, "FIELD", NULL, "generic incidents: date-time column "
      "of the latest time the incident ended (a date only: the end of that "
      "day); needs --start-time"),
    O(weight, TEXT, "FIELD", NULL, "generic incidents: weight column"),
    O(location, TEXT, "FIELD", "location", "generic incidents: location "
      "label column"),
    O(id, TEXT, "FIELD", NULL, "generic incidents: unique crime reference "
      "column; a reference on several rows is counted once (see "
      "--duplicates)"),
    O(duplicates, TEXT, "last|first|keep", "last", "a police.uk force-month "
      "in several files is taken from the last of them (files in name "
      "order) or the first; a --id reference on several rows is kept on its "
      "last or first row; keep: keep everything (and warn). Files with "
      "identical bytes are read once unless keep"),
    O(output, TEXT, "FILE.gpkg|PG:...", "hotspot.gpkg", "the GeoPackage to "
      "write (replaced only when the run succeeds), or a PostGIS database "
      "(PG:\"dbname=... host=...\"; with --schema)"),
    O(schema, TEXT, "NAME", NULL, "PostGIS output: the schema that holds the "
      "run's layers and tables, its QGIS project and (in layer_styles) its "
      "styles; replaced whole, in one transaction, only when the run "
      "succeeds"),
    O(incidents_layer, TEXT, "yes|no", "yes", "write the incident points "
      "(layer 'incidents'); 'no' for a small file of areas and rates"),
    O(kde, TEXT, "yes|no", "yes", "kernel density surfaces (kde_<group>), "
      "hotspot polygons (hotspots_<group>) and places for tasking (tasking_<group>)"),
    O(kernel, TEXT, "NAME", "quartic", "kernel: quartic, triangular, "
      "uniform, triweight, epanechnikov, gaussian (sigma = bandwidth, cut at "
      "4 sigma)"),
    O(bandwidth, TEXT, "METRES|backtest|auto|knn:K", "backtest (run), auto "
      "(kde)", "search radius: metres; backtest (hotspot run): the candidate "
      "whose hotspots caught most of the next month's incidents (highest mean "
      "PAI over the back-test windows); auto (ArcGIS's spatial Silverman "
      "rule, per group); knn:K (mean distance to the K-th nearest distinct "
      "location)"),
    O(cell, TEXT, "METRES", "run: the smallest back-test bandwidth / 2; kde: "
      "shorter side of the extent / 150", "cell size of the density grid"),
    O(backtest_train, TEXT, "K", "3", "back-test: months of training before "
      "each test month"),
    O(backtest_windows, TEXT, "W", "12", "back-test: the last W test months "
      "that fit in the data"),
    O(backtest_bandwidths, TEXT, "LIST", HS_LADDER_TEXT, "back-test: "
      "candidate bandwidths, metres, increasing"),
    O(kde_mask, TEXT, "yes|no", "yes", "cells outside every area are "
      "nodata; 'no' keeps them"),
    O(kde_units, TEXT, "km2|cell", "km2", "density in incidents per km2, or "
      "expected incidents per cell"),
    O(hotspot_method, TEXT, "mean-multiple|mean-sd", "mean-multiple",
      "class breaks: multiples of the mean of non-zero cells (Home Office / "
      "Chainey), or the mean plus multiples of the standard deviation"),
    O(hotspot_breaks, TEXT, "LIST", "1,2,3,4,5", "the multiples (class "
      "breaks), increasing"),
    O(hotspot_class, TEXT, "N", "3", "cells in class N or above form "
      "hotspots (3: at least 3x the mean)"),
    O(hotspot_min_incidents, TEXT, "N", "5", "hotspots holding fewer "
      "incidents are dropped (and counted in the run table): noise is not "
      "tasked"),
    O(kde_edge, TEXT, "clip|buffer", "clip", "clip: only incidents in the "
      "study area make the surfaces, bandwidths, breaks and hotspots; "
      "buffer: incidents outside it add density near its edge too (never "
      "counted in a hotspot)"),
    O(tasking_share, TEXT, "SHARE", "0.03", "tasking: each area's densest "
      "cells up to this share of it, joined into places"),
    O(gistar, TEXT, "yes|no", "yes", "Getis-Ord Gi* hot and cold spots on a "
      "grid of cells (gistar_<group>)"),
    O(gi_grid, TEXT, "square|hex", "square", "Gi*: square cells or "
      "hexagons (pointy-top; the cell size is the distance between "
      "neighbouring centres)"),
    O(gi_cell, TEXT, "METRES|auto", "auto", "Gi*: cell size; auto: ArcGIS "
      "Optimized Hot Spot Analysis's rule from the nearest-neighbour "
      "distances of distinct incident locations"),
    O(gi_distance, TEXT, "METRES|auto", "auto", "Gi*: neighbours are the "
      "cells with centres within this distance (the cell itself included); "
      "auto: the first peak of Moran's I z over 1 to 10 cells"),
    O(gi_permutations, TEXT, "N", "999", "Gi*: conditional permutations "
      "for the pseudo-p gi_p_sim (0: none)"),
    O(gi_seed, TEXT, "N", "12345", "Gi*: seed of the permutations"),
    O(gi_fdr, TEXT, "yes|no", "yes", "Gi*: bins after the Benjamini-"
      "Hochberg false discovery rate correction over the cells (also for "
      "local Moran and emerging hot spots)"),
    O(emerging, TEXT, "yes|no", "yes", "emerging hot and cold spots: Gi* "
      "per cell and month, a Mann-Kendall trend, ArcGIS's categories "
      "(emerging_<group>; needs --gistar yes)"),
    O(emerging_permutations, TEXT, "N", "199", "emerging hot spots: "
      "conditional permutations of each cell-month (0: none)"),
    O(lisa, TEXT, "yes|no", "yes", "local Moran's I of the areas' "
      "EB-standardised rates (lisa_<group>)"),
    O(lisa_permutations, TEXT, "N", "999", "local Moran: conditional "
      "permutations for p_sim (1 to 99999)"),
    O(when, TEXT, "WINDOWS", "all hours", "only incidents inside these "
      "windows of the week, e.g. \"Thu-Sat 18:00-04:00\" (several separated "
      "by commas; past midnight counts as the evening before); needs dates "
      "and times"),
    O(peak_hours, TEXT, "H", "4", "each hotspot's and tasking place's "
      "peak: the H consecutive hours of the week holding most of its "
      "incidents (1 to 24)"),
    O(previous, PATH, "OLD.gpkg", "none", "a previous run's output for the "
      "same groups: hotspots are matched to its hotspots by overlap, keep "
      "their ids while they persist, and get a status (new, persisting, "
      "grown, shrunk, merged, split; ceased ones in hotspots_ceased_<group>)"),
    O(extent, TEXT, "XMIN,YMIN,XMAX,YMAX", "the points' extent + the "
      "kernel radius", "hotspot kde only: the grid's extent in the analysis "
      "CRS (corners are moved out to multiples of the cell size)"),
    O(compress, TEXT, "none|deflate|lzw|zstd", "none", "hotspot kde "
      "only: GeoTIFF compression (none, as QGIS writes; deflate: ~40% "
      "smaller)"),
    O(targets, PATH, "FILE.csv", NULL, "targets (columns area_id or 'all', "
      "crime_group, period such as fy2024, target): the targets table gives "
      "each one's count so far, a year earlier, projected to the period's "
      "end, and red / amber / green"),
    O(rag_amber, TEXT, "PCT", "5", "--targets: a projection up to PCT% above "
      "its target is amber, beyond it red"),
    O(priority_areas, TEXT, "IDS", NULL, "area ids (comma-separated): their "
      "rate against the rest's as a ratio with a 95% interval, now and in "
      "the comparison period, and whether the gap narrowed (table "
      "priority_gap)"),
    O(priority_field, TEXT, "FIELD", NULL, "instead of --priority-areas: "
      "a field of --areas marking the priority areas (a number other than "
      "0, or yes, y, true, t; 0, no, n, false, f, empty and NULL mark the "
      "rest)"),
    O(target, PATH_OR_FIELD, "FILE|IDS|HOTSPOT", NULL, "hotspot evaluate "
      "only: the place treated: a polygon file, area ids of --areas "
      "(comma-separated), or a hotspot id of --target-from"),
    O(target_from, PATH, "RUN.gpkg", NULL, "hotspot evaluate only: the run "
      "whose hotspot --target names (e.g. VIO-03)"),
    O(buffer, TEXT, "METRES", "250", "hotspot evaluate only: the ring round "
      "the target where crime may move to (displacement)"),
    O(control, PATH_OR_FIELD, "FILE|IDS", "the study area outside target and "
      "buffer", "hotspot evaluate only: the comparison place: a polygon file "
      "or area ids of --areas"),
    O(control_buffer, TEXT, "METRES", "none", "hotspot evaluate only: a ring "
      "round the control, the control's own displacement area"),
    O(before, TEXT, "FROM:TO", NULL, "hotspot evaluate only: the period "
      "before the intervention, months YYYY-MM:YYYY-MM"),
    O(after, TEXT, "FROM:TO", NULL, "hotspot evaluate only: the period "
      "after it (the two may differ in length)"),
    O(alpha, TEXT, "A", "0.1", "hotspot evaluate only: WDD's interval is "
      "1 - A (90%)"),
    { {"public", "yes|no", "release-safe output: no incident points, counts "
       "under --public-threshold suppressed (and enough others that no "
       "total gives them away), small hotspots and thin density cells left "
       "out, no location labels; the run table states the rule", "no"},
      offsetof(hs_options, public_), TEXT },
    O(public_threshold, TEXT, "N", "10", "--public: counts under N are "
      "suppressed, hotspots with fewer than N incidents dropped, density "
      "cells within reach of fewer than N incidents left blank"),
    O(public_exclude, TEXT, "LIST", NULL, "--public: comma-separated crime "
      "types, offence codes or groups left out of every count and surface "
      "(e.g. \"Sexual offences\")"),
};

#define NOPT (sizeof table / sizeof *table)

const hs_option_info *hs_options_table(size_t *n)
{
    static hs_option_info infos[NOPT];
    for (size_t i = 0; i < NOPT; i++)
        infos[i] = table[i].info;
    *n = NOPT;
    return infos;
}

void hs_options_init(hs_options *o) { memset(o, 0, sizeof *o); }

void hs_options_clear_incidents(hs_options *o)
{
    for (size_t i = 0; i < o->n_incidents; i++)
        free(o->incidents[i]);
    free(o->incidents);
    o->incidents = NULL;
    o->n_incidents = 0;
}

void hs_options_free(hs_options *o)
{
    hs_options_clear_incidents(o);
    for (size_t i = 0; i < NOPT; i++)
        if (table[i].kind != LIST)
            free(*(char **)((char *)o + table[i].offset));
    memset(o, 0, sizeof *o);
}

/* base_dir/value if value is relative and base_dir is set, else value. */
static char *resolve(const char *value, const char *base_dir)
{
    /* a database (PG:...) is not a file */
    if (!base_dir || !*base_dir || value[0] == '/' ||
        strncasecmp(value, "PG:", 3) == 0)
        return strdup(value);
    size_t n = strlen(base_dir) + strlen(value) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", base_dir, value);
    return p;
}

hs_status hs_options_set(hs_options *o, const char *key, const char *value,
                         const char *base_dir, hs_error *err)
{
    const opt *op = NULL;
    char norm[64];
    snprintf(norm, sizeof norm, "%s", key);
    for (char *c = norm; *c; c++)
        if (*c == '-')
            *c = '_'; /* --areas-layer and areas_layer are the same key */
    for (size_t i = 0; i < NOPT; i++)
        if (strcmp(table[i].info.name, norm) == 0)
            op = &table[i];
    if (!op)
        return hs_fail(err, HS_ERR_ARG, "unknown option '%s'", key);
    char *v;
    if (op->kind == PATH || op->kind == LIST) {
        v = resolve(value, base_dir);
    } else if (op->kind == PATH_OR_FIELD) {
        v = resolve(value, base_dir);
        struct stat st;
        if (v && stat(v, &st) != 0) { /* no such file: a field name */
            free(v);
            v = strdup(value);
        }
    } else {
        v = strdup(value);
    }
    if (!v)
        return hs_fail(err, HS_ERR_NOMEM, "options: out of memory");
    if (op->kind == LIST) {
        char **l = realloc(o->incidents, (o->n_incidents + 1) * sizeof *l);
        if (!l) {
            free(v);
            return hs_fail(err, HS_ERR_NOMEM, "options: out of memory");
        }
        o->incidents = l;
        o->incidents[o->n_incidents++] = v;
        return HS_OK;
    }
    char **slot = (char **)((char *)o + op->offset);
    free(*slot);
    *slot = v;
    return HS_OK;
}

typedef struct ini_ctx {
    hs_options *o;
    const char *path;
    char dir[4096];
    hs_error *err;
    hs_status rc;
} ini_ctx;

static int on_ini(void *user, const char *section, const char *name,
                  const char *value)
{
    ini_ctx *c = user;
    if (*section && strcmp(section, "hotspot") != 0) {
        c->rc = hs_fail(c->err, HS_ERR_ARG, "profile '%s': unknown section "
                        "[%s] (use [hotspot] or none)", c->path, section);
        return 0;
    }
    if (!*value)
        return 1; /* "key =" leaves the default */
    /* several incident paths may share one line, separated by spaces */
    if (strcmp(name, "incidents") == 0) {
        char *copy = strdup(value), *save = NULL;
        if (!copy) {
            c->rc = hs_fail(c->err, HS_ERR_NOMEM, "out of memory");
            return 0;
        }
        for (char *t = strtok_r(copy, " \t", &save); t;
             t = strtok_r(NULL, " \t", &save))
            if ((c->rc = hs_options_set(c->o, name, t, c->dir, c->err)))
                break;
        free(copy);
    } else {
        c->rc = hs_options_set(c->o, name, value, c->dir, c->err);
    }
    if (c->rc && c->err) {
        char m[sizeof c->err->msg];
        snprintf(m, sizeof m, "%s", c->err->msg);
        hs_fail(c->err, c->rc, "profile '%s': %s", c->path, m);
    }
    return c->rc == HS_OK;
}

hs_status hs_options_load_profile(hs_options *o, const char *path,
                                  hs_error *err)
{
    ini_ctx c = {o, path, "", err, HS_OK};
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(c.dir, sizeof c.dir, "%.*s", (int)(slash - path), path);
    if (slash == path)
        snprintf(c.dir, sizeof c.dir, "/");
    struct stat st;
    if (stat(path, &st) != 0)
        return hs_fail(err, HS_ERR_IO, "profile '%s': cannot open", path);
    if (S_ISDIR(st.st_mode))
        return hs_fail(err, HS_ERR_IO, "profile '%s': is a folder", path);
    int line = ini_parse(path, on_ini, &c);
    if (c.rc)
        return c.rc;
    if (line < 0)
        return hs_fail(err, HS_ERR_IO, "profile '%s': cannot open", path);
    if (line > 0)
        return hs_fail(err, HS_ERR_ARG, "profile '%s' line %d: not 'key = "
                       "value'", path, line);
    return HS_OK;
}
