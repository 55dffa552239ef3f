/*
 * hs_report.h - area-board packs: PDFs drawn from a run's GeoPackage.
 *
 * hs_report_run reads a GeoPackage that hs_run wrote (layers areas,
 * rates_asb, rates_sac, rates_violence, monthly and run; hotspots_<group>,
 * tasking_<group> and kde_<group> when the run made density surfaces) and
 * writes into an existing folder:
 *   - one PDF per area (or only the chosen one), named after the area id
 *     made safe for file names ("AB03.pdf"): a summary page with the
 *     table of counts, rates, comparison with the study area and change,
 *     and a monthly trend chart; a page of maps (density surface, hotspots,
 *     boundaries, scale bar, north arrow); a page of hotspots for tasking
 *     (with their peak hours); for data with times a page of 7 x 24 grids
 *     of incidents by weekday and hour (timeofweek, hotspot_timeofweek);
 *     with Gi*, a page of hot and cold spots;
 *   - county.pdf, two pages for the whole study area: totals, every
 *     area's rates and the largest hotspots; the largest hotspots'
 *     incidents per month (hotspot_monthly).
 * Given the GeoPackage of "hotspot evaluate" instead (a table
 * "evaluation"), it writes DIR/evaluation.pdf (hs_report_evaluation).
 * Each PDF is written to a temporary file in the folder and renamed onto
 * its name, so a failed report never leaves a half-written PDF.
 *
 * Ownership: the caller owns the options (read during the call only) and
 * the summary (filled on success).
 */
#ifndef HOTSPOT_HS_REPORT_H
#define HOTSPOT_HS_REPORT_H

#include "hotspot/hs_error.h"

typedef struct hs_report_options {
    const char *input;  /* the run's GeoPackage                        */
    const char *outdir; /* existing folder for the PDFs                */
    const char *area;   /* one area id, or NULL for every area         */
} hs_report_options;

typedef struct hs_report_summary {
    char outdir[4096];
    long areas;         /* area PDFs written (county.pdf not counted)   */
    char first[4096];   /* path of the first area PDF written           */
    char county[4096];  /* path of county.pdf                           */
    char evaluation[4096]; /* path of evaluation.pdf (an evaluation's
                              file; then no packs and no county.pdf)   */
} hs_report_summary;

/*
 * Writes the packs.  Errors name the file, layer or area: HS_ERR_ARG for
 * missing options or an unknown area id, HS_ERR_IO for an unreadable file
 * or a missing or unwritable folder, HS_ERR_DATA for a file that is not a
 * run's GeoPackage (not a GeoPackage, a layer or field missing).
 */
hs_status hs_report_run(const hs_report_options *o, const hs_log *log,
                        hs_report_summary *sum, hs_error *err);

/*
 * The one-page PDF of an evaluation: reads the GeoPackage that
 * hs_evaluate wrote (zones, evaluation, evaluation_monthly, run) and
 * writes DIR/evaluation.pdf: a map of the target, buffer, control (and
 * control buffer) styled as in QGIS, with an overview; a table per group
 * of the counts before and after in each zone, WDD with its interval, WDQ,
 * and the target's rate ratio against the control with Fisher's exact p;
 * a monthly chart per group of each zone against its own before-period
 * average, the periods marked; and a verdict in plain words per group
 * (the rules and their sources: src/report/evalreport.h).  Always one A4
 * page: with many groups the words shorten and the charts give way.
 * Errors as hs_report_run's; o->area is a usage error (HS_ERR_ARG).
 * hs_report_run calls it for an evaluation's file.
 */
hs_status hs_report_evaluation(const hs_report_options *o, const hs_log *log,
                               hs_report_summary *sum, hs_error *err);

/*
 * Frees the process-wide caches cairo and fontconfig keep (fonts), so leak
 * checkers see a clean exit.  Call once, just before the program ends,
 * when no cairo object of the caller is alive.
 */
void hs_report_cleanup(void);

#endif
