/*
 * draw.h - what the report's PDFs share (internal; cairo): A4 pages
 * written atomically, colours, fonts, text and paragraphs, number and
 * month formats, monthly line charts and maps of polygons.  report.c
 * draws the area-board packs with it, evalreport.c the evaluation page.
 *
 * Units: points (1/72 inch) on the page, y down; maps take world
 * coordinates in metres (a projected CRS, y up).  Months are counted as
 * year * 12 + month - 1.  Colours are 0xRRGGBB.
 *
 * Ownership: an hs_pdf owns its cairo surface, context and file from
 * hs_pdf_begin until hs_pdf_end or hs_pdf_abort; its title, source and
 * made strings are borrowed (they must outlive the last hs_pdf_frame).
 * Every other function borrows what it is given for the call only.
 */
#ifndef HOTSPOT_DRAW_H
#define HOTSPOT_DRAW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cairo.h>

#include "hotspot/hs_error.h"

/* A4 portrait in points; margins; the text width between them. */
#define HS_PW 595.28
#define HS_PH 841.89
#define HS_ML 40.0
#define HS_MR 40.0
#define HS_CW (HS_PW - HS_ML - HS_MR)
#define HS_FONT "DejaVu Sans"

enum { HS_LEFT, HS_CENTRE, HS_RIGHT }; /* text alignment at x */

/* A ring-list geometry ready to draw: polygons of rings of points. */
typedef struct hs_rgeom {
    size_t nrings;
    size_t *ring_len; /* points per ring                                 */
    double *xy;       /* all rings' points, x y x y ...                  */
    double minx, miny, maxx, maxy;
    double lx, ly;    /* a point inside, for a label                     */
} hs_rgeom;

/* ---- colour and text ------------------------------------------------------ */

void hs_draw_rgb(cairo_t *cr, uint32_t c);
/* a + (b - a) t, channel by channel, t in [0, 1]. */
uint32_t hs_draw_mix(uint32_t a, uint32_t b, double t);
void hs_draw_font(cairo_t *cr, double size, int bold);
double hs_draw_text_w(cairo_t *cr, const char *s);
/* Draws s (UTF-8) with its baseline at y, aligned at x, shortened with an
 * ellipsis to width w (w <= 0: no limit); returns the width drawn. */
double hs_draw_text(cairo_t *cr, double x, double y, int align, double w,
                    const char *s);
void hs_draw_textf(cairo_t *cr, double x, double y, int align, double w,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Word-wraps s into width w from baseline y, lead points a line; returns
 * the next baseline. */
double hs_draw_para(cairo_t *cr, double x, double y, double w, double lead,
                    const char *s);
/* A section heading at the left margin; returns the next baseline. */
double hs_draw_heading(cairo_t *cr, double y, const char *s);
/* A 14 x 10 colour sample at (x, y - 8), outlined grey; the colour is
 * then the labels' dark grey. */
void hs_draw_swatch_box(cairo_t *cr, double x, double y, uint32_t c);
/* The sample, its label to the right. */
void hs_draw_swatch(cairo_t *cr, double x, double y, uint32_t c,
                    const char *s);
/* A rule across the text width at y: the end of a table. */
void hs_draw_rule(cairo_t *cr, double y);
/* The legend sample of a chart line: a stroke 22 points long at y; dash
 * {on, off}, NULL or on 0: solid. */
void hs_draw_line_key(cairo_t *cr, double x, double y, uint32_t c,
                      const double *dash);

/* ---- numbers and months ---------------------------------------------------- */

extern const char *const hs_month_abbr[12]; /* "Jan" .. "Dec" */
/* 12345 -> "12,345" */
void hs_fmt_int(long v, char *b, size_t n);
/* A count: whole, as hs_fmt_int; with shares (sums of --when's shares)
 * one decimal, "1,234.5". */
void hs_fmt_count(double v, int shares, char *b, size_t n);
/* year*12+m-1 -> "Jan 2024" */
void hs_fmt_month(int m, char *b, size_t n);
/* "Jan 2024 to Jun 2024" */
void hs_fmt_period(int from, int to, char *b, size_t n);

/* ---- the PDF file: written to a temporary name, renamed when complete ---- */

typedef struct hs_pdf {
    cairo_surface_t *s;
    cairo_t *cr;
    FILE *f;
    int fd;
    char tmp[4200], path[4096];
    int page, pages;
    const char *title;  /* footer: what this document is          */
    const char *source; /* footer: the GeoPackage's file name      */
    const char *made;   /* footer: the Hotspot version of the run  */
    long public_min;    /* --public file: counts under it suppressed */
} hs_pdf;

/* Starts dir/name.pdf (A4) in a temporary file of dir; the PDF's title and
 * its creation and modification dates ("YYYY-MM-DDTHH:MM:SSZ", not the
 * clock's: the same input gives the same bytes); the footer's title, input
 * file (source) and Hotspot version that made it (made; NULL or "": this
 * one).  Errors name the folder or the file; nothing is left behind. */
hs_status hs_pdf_begin(hs_pdf *p, const char *dir, const char *name,
                       const char *title, const char *date,
                       const char *source, const char *made, hs_error *err);
/* Finishes the PDF and renames it onto its name; on failure removes it. */
hs_status hs_pdf_end(hs_pdf *p, hs_error *err);
/* Frees what hs_pdf_begin took and removes the temporary file. */
void hs_pdf_abort(hs_pdf *p);
/* The header rule and the footer (attribution, what and whence, page N of
 * pages) of the current page. */
void hs_pdf_frame(hs_pdf *p);

/* Before any work: the input given ("report: give <what>"), the output
 * folder given, and no file in its way (HS_ERR_ARG, HS_ERR_IO) ... */
hs_status hs_pdf_outdir_check(const char *input, const char *what,
                              const char *dir, hs_error *err);
/* ... and, once the input reads, made with the folders above it when
 * missing (as mkdir -p, with a note), then checked writable. */
hs_status hs_pdf_outdir_make(const char *dir, const hs_log *log,
                             hs_error *err);

/* The file name of path, for the footer: a report names no machine
 * paths.  Borrowed from path. */
const char *hs_pdf_source(const char *path);

/* ---- monthly line charts ---------------------------------------------------- */

/* Months m0 .. m0 + nm - 1 in the plot box (px, py, pw, ph), the axis
 * titles outside it, ymax at the top. */
typedef struct hs_chart {
    int m0, nm;
    double px, py, pw, ph, ymax;
} hs_chart;

/* A line of it: a value a month (NaN: a gap), a colour, a dash. */
typedef struct hs_cline {
    const double *v;
    uint32_t rgb;
    const double *dash; /* {on, off}; on 0 or NULL: solid */
} hs_cline;

/* A y axis of whole units over values up to vmax, headroom above the
 * peak; *step the grid's step. */
double hs_chart_ymax(double vmax, double *step);
/* Shades months from .. to (clipped to the chart) when shade is set, and
 * names them above the plot; nothing when they lie outside. */
void hs_chart_period(cairo_t *cr, const hs_chart *c, int from, int to,
                     int shade, const char *name);
/* The grid every step (labels "%.0f"), both axes, the y axis title and the
 * months along x (initials when narrow, the year under January). */
void hs_chart_axes(cairo_t *cr, const hs_chart *c, double step,
                   const char *ytitle);
/* One line with a marker a month; NaN months leave a gap. */
void hs_chart_line(cairo_t *cr, const hs_chart *c, const hs_cline *l);

/* ---- maps -------------------------------------------------------------------- */

typedef struct hs_view {
    double x, y, w, h;   /* on the page  */
    double wx0, wy1, s;  /* world top-left, points per metre */
} hs_view;

/* The view of the box (x, y, w, h) centred on the world box (minx, miny,
 * maxx, maxy) with a margin of pad times its larger side (+ 1 m). */
hs_view hs_view_fit(double x, double y, double w, double h, double minx,
                    double miny, double maxx, double maxy, double pad);
void hs_view_to_page(const hs_view *v, double wx, double wy, double *px,
                     double *py);
/* g's rings as a cairo path (to fill or stroke). */
void hs_view_path(cairo_t *cr, const hs_view *v, const hs_rgeom *g);
/* 1 when g has rings and its box meets the view. */
int hs_view_has(const hs_view *v, const hs_rgeom *g);
/* Clips to the view's box and clears it; hs_map_close ends the clip. */
void hs_map_open(cairo_t *cr, const hs_view *v);
/* A scale bar of a round length, a north arrow, the frame. */
void hs_map_close(cairo_t *cr, const hs_view *v);

#endif
