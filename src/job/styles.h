/*
 * styles.h - QGIS/SLD styles for every layer of a run, and a QGIS project
 * (internal).
 *
 * The templates are the files of styles/ (QML for QGIS, SLD 1.0 for other
 * GIS), compiled into the binary by the build (cmake/embed_styles.cmake)
 * and filled with the run's values (template.h): the rate classes are
 * fixed multiples of the study-area rate, the density and hotspot classes
 * the run's hotspot breaks, so maps of different boards and months
 * compare.
 *
 * What is written (README "Styles and the QGIS project"):
 *  - `layer_styles` (as QGIS creates it; DESIGN-NOTES 7.1): for every
 *    vector layer one default style (useAsDefault = 1) with its QML and
 *    SLD; rates_<group> also carries its "compared with study area" and
 *    "change" styles (not default); each kde_<group> raster has a row
 *    with its QML and SLD, not default and with no geometry column (QGIS
 *    does not read raster styles from the table; it is there for export).
 *  - `qgis_projects` (DESIGN-NOTES 7.4): the project "hotspot", every layer
 *    styled, grouped by crime group, in EPSG:27700 (the run's CRS), with
 *    data sources relative to the GeoPackage ("./NAME.gpkg").
 *  - the same project as NAME.qgz beside NAME.gpkg (hs_project_write_qgz).
 *
 * Ownership: strings returned are malloc'd and owned by the caller.
 */
#ifndef HOTSPOT_STYLES_H
#define HOTSPOT_STYLES_H

#include <stddef.h>

#include "hotspot/hs_error.h"
#include "job/job.h"

#define HS_PROJECT_NAME "hotspot" /* name in qgis_projects */

/* The embedded file of styles/ called name ("rates.qml"), NUL-terminated;
 * NULL if there is none.  Static storage. */
const char *hs_style_template(const char *name);

/*
 * Writes layer_styles and qgis_projects into j->gpkg.  Call after every
 * layer is written, before hs_gpkg_commit (the file is still the writer's
 * temporary one, so the styles are part of the atomic commit).
 */
hs_status hs_styles_write(job *j, hs_error *err);

/* "out/RESULT.gpkg" -> "out/RESULT.qgz" (any other name gets ".qgz"
 * appended).  NULL: out of memory. */
char *hs_project_qgz_path(const char *gpkg_path);

/*
 * Writes the run's project as a .qgz beside the committed GeoPackage at
 * gpkg_path, through a temporary file renamed into place; an existing
 * file there that is not a zip archive is not overwritten.
 */
hs_status hs_project_write_qgz(const job *j, const char *gpkg_path,
                               hs_error *err);

#endif
