/* evalreport.c - the evaluation's one-page PDF, drawn with cairo from what
 * evaldata.c read (see evalreport.h and hs_report.h). */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>

#include "hotspot/hotspot.h"
#include "hotspot/hs_report.h"
#include "report/draw.h"
#include "report/evaldata.h"
#include "report/evalreport.h"
#include "report/reportdata.h"

/* The zones as styles/zones.qml draws them: target red, buffer hatched
 * orange, control blue, the control's buffer dashed blue. */
static const uint32_t ZONE_LINE[HS_REV_ZONES] = {0xA50026, 0xF46D43, 0x313695,
                                                 0x4575B4};
static const uint32_t ZONE_FILL[HS_REV_ZONES] = {0xD73027, 0xF46D43, 0x4575B4,
                                                 0x4575B4};
static const double ZONE_ALPHA[HS_REV_ZONES] = {110 / 255.0, 0, 40 / 255.0, 0};
/* Chart lines: the zones' colours, and dashes so that they part in grey. */
static const double ZONE_DASH[HS_REV_ZONES][2] = {
    {0, 0}, {5, 2.5}, {1.5, 2}, {6, 2}};
static const char *const ZONE_TITLE[HS_REV_ZONES] = {
    "Target", "Buffer", "Control", "Control buffer"};

#define BOTTOM (HS_PH - 56) /* the footer's attribution starts below */

/* ---- words ----------------------------------------------------------------- */

/* "ASB" for asb (and the other report groups), else the key itself. */
static const char *short_name(const char *key)
{
    for (int g = 0; g < HS_RG; g++)
        if (strcmp(key, hs_rgroup_key[g]) == 0)
            return hs_rgroup_short[g];
    return key;
}

static void cat(char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cat(char *out, size_t n, const char *fmt, ...)
{
    size_t l = strlen(out);
    if (l + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + l, n - l, fmt, ap);
    va_end(ap);
}

/* How a zone moved, in incidents a month (evalreport.h, 1). */
static void moved(double c0, double c1, double w0, double w1, char *b,
                  size_t n)
{
    double x0 = c0 / w0, x1 = c1 / w1;
    if (x0 <= 0 && x1 <= 0) {
        snprintf(b, n, "had none in either period");
        return;
    }
    if (x0 <= 0) {
        snprintf(b, n, "rose from none to %.1f incidents a month", x1);
        return;
    }
    double pct = round(100 * (x1 / x0 - 1)); /* half away from 0 */
    if (pct == 0)
        snprintf(b, n, "stayed level (%.1f and %.1f incidents a month)", x0,
                 x1);
    else
        snprintf(b, n, "%s by %.0f%% (%.1f to %.1f incidents a month)",
                 pct < 0 ? "fell" : "rose", fabs(pct), x0, x1);
}

static void fmt_p(double p, char *b, size_t n)
{
    if (isnan(p))
        snprintf(b, n, "n/a");
    else if (p < 0.001)
        snprintf(b, n, "< 0.001");
    else
        snprintf(b, n, "%.2g", p);
}

/* A limit of an interval: "inf" past the largest number. */
static void fmt_lim(double v, char *b, size_t n)
{
    if (isinf(v))
        snprintf(b, n, "%s", v > 0 ? "\xe2\x88\x9e" : "-\xe2\x88\x9e");
    else if (isnan(v))
        snprintf(b, n, "n/a");
    else
        snprintf(b, n, "%.2f", v);
}

/* The WDD's reading (evalreport.h, 2): -1 net fall beyond chance, 1 net
 * rise beyond chance, -2 / 2 within chance, 0 no change, 9 unreadable. */
static int wdd_class(const hs_revgroup *g)
{
    if (isnan(g->wdd))
        return 9;
    if (g->wdd == 0)
        return 0;
    int sig = g->wdd_low > 0 || g->wdd_high < 0;
    return g->wdd < 0 ? (sig ? -1 : -2) : (sig ? 1 : 2);
}

/* Sentence 3: the buffer (evalreport.h). */
static void buffer_words(const hs_revgroup *g, int brief, char *b, size_t n)
{
    const char *r = g->wdq_reading;
    char q[32];
    snprintf(q, sizeof q, isnan(g->wdq) ? "n/a" : "%.2f", g->wdq);
    if (g->count[1][0] == 0 && g->count[1][1] == 0)
        snprintf(b, n, brief ? "buffer: no incidents, so it shows nothing"
                             : "The buffer had no incidents in either period, "
                               "so it shows neither displacement nor "
                               "diffusion; a wider buffer may.");
    else if (strncmp(r, "no success", 10) == 0)
        snprintf(b, n, brief ? "no WDQ (no success to displace)"
                             : "No WDQ: the target did no better than the "
                               "control, so there was no success to "
                               "displace.");
    else if (strncmp(r, "undefined: ", 11) == 0)
        snprintf(b, n, brief ? "no WDQ (%s)" : "No WDQ: %s.", r + 11);
    else if (strncmp(r, "no displacement or diffusion", 28) == 0)
        snprintf(b, n, brief ? "buffer: neither (WDQ %s)"
                             : "The buffer suggests neither displacement nor "
                               "diffusion of benefit (WDQ %s).", q);
    else if (*r)
        snprintf(b, n, brief ? "buffer: %s (WDQ %s)"
                             : "The buffer suggests %s (WDQ %s).", r, q);
    else
        snprintf(b, n, brief ? "no WDQ" : "No WDQ in the file.");
}

void hs_eval_verdict(const hs_revgroup *g, const char *label, double w0,
                     double w1, double alpha, int shortened, char *out,
                     size_t n)
{
    char t[128], c[128], lo[32], hi[32], bw[256];
    int cls = wdd_class(g);
    double level = 100 * (1 - alpha);
    *out = '\0';
    fmt_lim(g->wdd_low, lo, sizeof lo);
    fmt_lim(g->wdd_high, hi, sizeof hi);
    buffer_words(g, shortened, bw, sizeof bw);
    if (shortened) {
        static const char *const brief[] = {
            "net fall, larger than chance would give",
            "net fall, not larger than chance would give", "no net change",
            "net rise, not larger than chance would give",
            "net rise, larger than chance would give"};
        if (cls == 9)
            snprintf(out, n, "%s: WDD cannot be read (no incidents); %s.",
                     label, bw);
        else
            snprintf(out, n, "%s: %s (WDD %.2f a month, %g%% interval %s to "
                     "%s); %s.", label,
                     brief[cls == -1 ? 0 : cls == -2 ? 1 : cls == 0 ? 2
                           : cls == 2 ? 3 : 4],
                     g->wdd, level, lo, hi, bw);
        return;
    }
    moved(g->count[0][0], g->count[0][1], w0, w1, t, sizeof t);
    moved(g->count[2][0], g->count[2][1], w0, w1, c, sizeof c);
    cat(out, n, "%s in the target %s, against the control, which %s. ", label,
        t, c);
    if (cls == 9)
        cat(out, n, "The WDD cannot be read: no incidents in any zone. ");
    else if (cls == 0)
        cat(out, n, "WDD = 0.00 incidents a month (%g%% interval %s to %s), "
            "so there is no net change. ", level, lo, hi);
    else
        cat(out, n, "WDD = %.2f incidents a month (%g%% interval %s to %s), "
            "so the net %s %s larger than chance would give. ", g->wdd, level,
            lo, hi, cls < 0 ? "fall" : "rise",
            cls == -1 || cls == 1 ? "is" : "is not");
    cat(out, n, "%s", bw);
    double tb = g->count[0][0], cb = g->count[2][0];
    if (tb > 0 && cb > 0 && (cb > 2 * tb || cb < tb / 2)) {
        char rr[32], rl[32], rh[32], p[32];
        fmt_lim(g->rr, rr, sizeof rr);
        fmt_lim(g->rr_low, rl, sizeof rl);
        fmt_lim(g->rr_high, rh, sizeof rh);
        fmt_p(g->rr_p, p, sizeof p);
        cat(out, n, " The control had %.1f times the target's incidents "
            "before; the WDD takes the control's change in counts as the "
            "target's would-be change, which fits a control of about the "
            "target's size, so weigh the change in proportion too: a rate "
            "ratio of %s (95%% interval %s to %s, exact p %s).",
            cb / tb, rr, rl, rh, p);
    }
}

/* ---- the map ----------------------------------------------------------------- */

/* Diagonal hatching inside the current path (then cleared). */
static void hatch(cairo_t *cr, uint32_t c, double gap)
{
    double x0, y0, x1, y1;
    cairo_save(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_clip_extents(cr, &x0, &y0, &x1, &y1);
    cairo_clip(cr);
    hs_draw_rgb(cr, c);
    cairo_set_line_width(cr, 0.7);
    double h = y1 - y0;
    for (double x = x0 - h; x < x1; x += gap) {
        cairo_move_to(cr, x, y0);
        cairo_line_to(cr, x + h, y1);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* Zone z in the view, styled as zones.qml. */
static void draw_zone(cairo_t *cr, const hs_reval *e, int z, const hs_view *v,
                      double scale)
{
    if (!e->has_zone[z] || !hs_view_has(v, &e->zone[z]))
        return;
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    hs_view_path(cr, v, &e->zone[z]);
    if (z == 1) {
        cairo_path_t *path = cairo_copy_path(cr);
        hatch(cr, ZONE_FILL[z], 4.5);
        cairo_new_path(cr);
        cairo_append_path(cr, path);
        cairo_path_destroy(path);
    } else if (ZONE_ALPHA[z] > 0) {
        uint32_t f = ZONE_FILL[z];
        cairo_set_source_rgba(cr, ((f >> 16) & 255) / 255.0,
                              ((f >> 8) & 255) / 255.0, (f & 255) / 255.0,
                              ZONE_ALPHA[z]);
        cairo_fill_preserve(cr);
    }
    static const double dash[] = {4, 2.5};
    hs_draw_rgb(cr, ZONE_LINE[z]);
    cairo_set_line_width(cr, (z == 0 ? 1.7 : 1.1) * scale);
    cairo_set_dash(cr, dash, z == 3 ? 2 : 0, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* The main map: target and buffer with the control round them. */
static void main_map(cairo_t *cr, const hs_reval *e, double x, double y,
                     double w, double h, hs_view *v)
{
    double minx = e->zone[0].minx, miny = e->zone[0].miny;
    double maxx = e->zone[0].maxx, maxy = e->zone[0].maxy;
    if (e->has_zone[1]) {
        minx = fmin(minx, e->zone[1].minx);
        miny = fmin(miny, e->zone[1].miny);
        maxx = fmax(maxx, e->zone[1].maxx);
        maxy = fmax(maxy, e->zone[1].maxy);
    }
    *v = hs_view_fit(x, y, w, h, minx, miny, maxx, maxy, 0.25);
    hs_map_open(cr, v);
    for (int z = 3; z >= 0; z--) /* the control below, the target on top */
        draw_zone(cr, e, z == 1 ? 2 : z == 2 ? 1 : z, v, 1);
    hs_map_close(cr, v);
}

/* The overview: every zone, the main map's extent outlined. */
static void inset_map(cairo_t *cr, const hs_reval *e, const hs_view *mv,
                      double x, double y, double w, double h)
{
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (int z = 0; z < HS_REV_ZONES; z++)
        if (e->has_zone[z]) {
            minx = fmin(minx, e->zone[z].minx);
            miny = fmin(miny, e->zone[z].miny);
            maxx = fmax(maxx, e->zone[z].maxx);
            maxy = fmax(maxy, e->zone[z].maxy);
        }
    hs_view v = hs_view_fit(x, y, w, h, minx, miny, maxx, maxy, 0.04);
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    hs_draw_rgb(cr, 0xFAFAFA);
    cairo_paint(cr);
    for (int z = 3; z >= 0; z--)
        draw_zone(cr, e, z == 1 ? 2 : z == 2 ? 1 : z, &v, 0.6);
    /* the main map's extent */
    double ax, ay, bx, by;
    hs_view_to_page(&v, mv->wx0, mv->wy1, &ax, &ay);
    hs_view_to_page(&v, mv->wx0 + mv->w / mv->s, mv->wy1 - mv->h / mv->s,
                    &bx, &by);
    hs_draw_rgb(cr, 0x111111);
    cairo_set_line_width(cr, 0.9);
    cairo_rectangle(cr, ax, ay, fmax(bx - ax, 2), fmax(by - ay, 2));
    cairo_stroke(cr);
    cairo_restore(cr);
    hs_draw_rgb(cr, 0x444444);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, x, y, w, h);
    cairo_stroke(cr);
}

/* A key entry: the zone's style in a 16 x 11 box, its name and area. */
static double key_entry(cairo_t *cr, const hs_reval *e, int z, double x,
                        double y, double w)
{
    hs_rgeom box = {0};
    double xy[10] = {0, 0, 16, 0, 16, 11, 0, 11, 0, 0};
    size_t len = 5;
    box.nrings = 1;
    box.ring_len = &len;
    box.xy = xy;
    box.maxx = 16;
    box.maxy = 11;
    hs_view v = {x, y - 9, 16, 11, 0, 11, 1};
    hs_reval k = *e; /* draw_zone's view of the sample */
    k.zone[z] = box;
    k.has_zone[z] = 1;
    draw_zone(cr, &k, z, &v, 0.8);
    char km2[32] = "";
    if (!isnan(e->km2[z]))
        snprintf(km2, sizeof km2, ", %.2f km\xc2\xb2", e->km2[z]);
    hs_draw_rgb(cr, 0x222222);
    hs_draw_font(cr, 8, 0);
    hs_draw_textf(cr, x + 22, y, HS_LEFT, w - 22, "%s%s", ZONE_TITLE[z], km2);
    return y + 14;
}

/* ---- the table ----------------------------------------------------------------- */

#define MAXCOL 16 /* 1 + 4 zones x 2 + 2 + 1 + 3 = 15 */

typedef struct table {
    int ncol;
    char head[MAXCOL][32];       /* second header row                   */
    double w[MAXCOL];
    int span0[8], span1[8], nspan; /* first header row: columns a..b     */
    char span[8][40];
} table;

/* The cells of group g's row. */
static int row_cells(const hs_reval *e, const hs_revgroup *g, int cb,
                     char cell[MAXCOL][80])
{
    int k = 0;
    snprintf(cell[k++], 80, "%s", short_name(g->key));
    for (int z = 0; z < (cb ? 4 : 3); z++)
        for (int p = 0; p < 2; p++)
            hs_fmt_count(g->count[z][p], e->shares, cell[k++], 80);
    char lo[32], hi[32];
    if (isnan(g->wdd))
        snprintf(cell[k++], 80, "n/a");
    else
        snprintf(cell[k++], 80, "%.2f", g->wdd);
    fmt_lim(g->wdd_low, lo, sizeof lo);
    fmt_lim(g->wdd_high, hi, sizeof hi);
    snprintf(cell[k++], 80, "%s to %s", lo, hi);
    snprintf(cell[k++], 80, isnan(g->wdq) ? "n/a" : "%.2f", g->wdq);
    fmt_lim(g->rr, cell[k++], 80);
    fmt_lim(g->rr_low, lo, sizeof lo);
    fmt_lim(g->rr_high, hi, sizeof hi);
    snprintf(cell[k++], 80, "%s to %s", lo, hi);
    fmt_p(g->rr_p, cell[k++], 80);
    return k;
}

/* Column widths from the widest text at font size fs; 0 when they do not
 * fit the text width. */
static int table_fit(cairo_t *cr, const hs_reval *e, table *t, double fs)
{
    int cb = e->has_zone[3];
    char cell[MAXCOL][80];
    hs_draw_font(cr, fs, 0);
    for (int c = 0; c < t->ncol; c++)
        t->w[c] = hs_draw_text_w(cr, t->head[c]) + 6;
    for (size_t g = 0; g < e->ngroups; g++) {
        row_cells(e, &e->g[g], cb, cell);
        for (int c = 0; c < t->ncol; c++)
            t->w[c] = fmax(t->w[c], hs_draw_text_w(cr, cell[c]) + 6);
    }
    hs_draw_font(cr, fs, 1);
    for (int s = 0; s < t->nspan; s++) { /* a span's title fits its columns */
        double sw = 0, need = hs_draw_text_w(cr, t->span[s]) + 6;
        for (int c = t->span0[s]; c <= t->span1[s]; c++)
            sw += t->w[c];
        for (int c = t->span0[s]; need > sw && c <= t->span1[s]; c++)
            t->w[c] += (need - sw) / (t->span1[s] - t->span0[s] + 1);
    }
    double sum = 0;
    for (int c = 0; c < t->ncol; c++)
        sum += t->w[c];
    if (sum > HS_CW)
        return 0;
    for (int c = 0; c < t->ncol; c++) /* share what is left */
        t->w[c] += (HS_CW - sum) / t->ncol;
    return 1;
}

static void table_setup(const hs_reval *e, table *t)
{
    int cb = e->has_zone[3], k = 0;
    memset(t, 0, sizeof *t);
    snprintf(t->head[k++], 32, "Group");
    for (int z = 0; z < (cb ? 4 : 3); z++) {
        t->span0[t->nspan] = k;
        t->span1[t->nspan] = k + 1;
        snprintf(t->span[t->nspan++], 40, "%s", ZONE_TITLE[z]);
        snprintf(t->head[k++], 32, "before");
        snprintf(t->head[k++], 32, "after");
    }
    t->span0[t->nspan] = k;
    t->span1[t->nspan] = k + 1;
    snprintf(t->span[t->nspan++], 40, "WDD, incidents a month");
    snprintf(t->head[k++], 32, "WDD");
    snprintf(t->head[k++], 32, "%g%% interval", 100 * (1 - e->alpha));
    t->span0[t->nspan] = t->span1[t->nspan] = k;
    snprintf(t->span[t->nspan++], 40, "Buffer");
    snprintf(t->head[k++], 32, "WDQ");
    t->span0[t->nspan] = k;
    t->span1[t->nspan] = k + 2;
    snprintf(t->span[t->nspan++], 40, "Target against control");
    snprintf(t->head[k++], 32, "rate ratio");
    snprintf(t->head[k++], 32, "95%% interval");
    snprintf(t->head[k++], 32, "exact p");
    t->ncol = k;
}

/* Draws the table from y with rows rh high at font fs; returns its end. */
static double draw_table(cairo_t *cr, const hs_reval *e, const table *t,
                         double y, double fs, double rh)
{
    char cell[MAXCOL][80];
    double x[MAXCOL + 1];
    x[0] = HS_ML;
    for (int c = 0; c < t->ncol; c++)
        x[c + 1] = x[c] + t->w[c];
    hs_draw_rgb(cr, 0x1F3A5F);
    cairo_rectangle(cr, HS_ML, y, HS_CW, 2 * rh + 2);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    hs_draw_font(cr, fs, 1);
    for (int s = 0; s < t->nspan; s++)
        hs_draw_text(cr, (x[t->span0[s]] + x[t->span1[s] + 1]) / 2,
                     y + rh - 3, HS_CENTRE,
                     x[t->span1[s] + 1] - x[t->span0[s]] - 2, t->span[s]);
    hs_draw_font(cr, fs, 0);
    for (int c = 0; c < t->ncol; c++)
        hs_draw_text(cr, c ? (x[c] + x[c + 1]) / 2 : x[0] + 3, y + 2 * rh - 2,
                     c ? HS_CENTRE : HS_LEFT, t->w[c] - 2, t->head[c]);
    y += 2 * rh + 2;
    for (size_t g = 0; g < e->ngroups; g++) {
        row_cells(e, &e->g[g], e->has_zone[3], cell);
        if (g % 2) {
            hs_draw_rgb(cr, 0xF2F5F9);
            cairo_rectangle(cr, HS_ML, y, HS_CW, rh);
            cairo_fill(cr);
        }
        int cls = wdd_class(&e->g[g]);
        for (int c = 0; c < t->ncol; c++) {
            int wddc = c == t->ncol - 6 || c == t->ncol - 5;
            hs_draw_rgb(cr, wddc && cls == -1  ? 0x1A7A3A
                            : wddc && cls == 1 ? 0xB2182B
                                               : 0x222222);
            hs_draw_font(cr, fs, c == 0 || (wddc && (cls == 1 || cls == -1)));
            hs_draw_text(cr, c ? (x[c] + x[c + 1]) / 2 : x[0] + 3,
                         y + rh - 3.5, c ? HS_CENTRE : HS_LEFT, t->w[c] - 2,
                         cell[c]);
        }
        y += rh;
    }
    hs_draw_rule(cr, y);
    return y;
}

/* ---- the charts ------------------------------------------------------------------ */

/* Group g's chart: the target's and the control's incidents a month, each
 * as a percentage of its own average before, in the box (x, y, w, h). */
static void group_chart(cairo_t *cr, const hs_reval *e, const hs_revgroup *g,
                        double x, double y, double w, double h)
{
    int nm = e->nmonths, nz = 3; /* target and control are drawn */
    double w0 = e->before[1] - e->before[0] + 1, vmax = 0, step;
    double *v = calloc((size_t)(nz * nm) + 1, sizeof *v);
    if (!v)
        return;
    int drawn[HS_REV_ZONES] = {0};
    for (int z = 0; z < nz; z++) {
        double base = g->count[z][0] / w0;
        drawn[z] = base > 0 && z != 1;
        for (int m = 0; m < nm; m++) {
            v[z * nm + m] = drawn[z] ? 100 * g->monthly[(size_t)z * (size_t)nm +
                                                        (size_t)m] / base
                                     : NAN;
            if (!(v[z * nm + m] <= 1e9)) /* a tiny base: off the chart */
                v[z * nm + m] = NAN;
            if (drawn[z])
                vmax = fmax(vmax, v[z * nm + m]);
        }
    }
    hs_draw_rgb(cr, 0x111111);
    hs_draw_font(cr, 8.5, 1);
    hs_draw_text(cr, x, y + 8, HS_LEFT, w, short_name(g->key));
    hs_chart c = {e->month0, nm, x + 38, y + 24, w - 44, h - 24 - 24, 0};
    c.ymax = hs_chart_ymax(vmax, &step);
    hs_chart_period(cr, &c, e->before[0], e->before[1], 1, "Before");
    hs_chart_period(cr, &c, e->after[0], e->after[1], 1, "After");
    hs_chart_axes(cr, &c, step, "% of before");
    /* 100: the before average */
    double yy = c.py + c.ph - 100 / c.ymax * c.ph;
    hs_draw_rgb(cr, 0x888888);
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, c.px, yy);
    cairo_line_to(cr, c.px + c.pw, yy);
    cairo_stroke(cr);
    for (int z = 2; z >= 0; z -= 2) /* the target last, on top */
        if (drawn[z])
            hs_chart_line(cr, &c, &(hs_cline){v + z * nm, ZONE_FILL[z],
                                              ZONE_DASH[z]});
    if (!drawn[0] || !drawn[2]) {
        char b[96] = "";
        for (int z = 0; z < 3; z += 2)
            if (!drawn[z])
                cat(b, sizeof b, "%s%s", *b ? ", " : "no ", ZONE_TITLE[z]);
        hs_draw_rgb(cr, 0x8B0000);
        hs_draw_font(cr, 6.5, 0);
        hs_draw_textf(cr, c.px + 3, c.py + 8, HS_LEFT, c.pw - 6,
                      "%s line: none before", b);
    }
    free(v);
}

/* ---- layout -------------------------------------------------------------------- */

/* The height a paragraph takes at font fs, drawn on a scratch surface. */
static double para_h(double fs, double w, double lead, const char *s)
{
    cairo_surface_t *rs =
        cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
    cairo_t *cr = cairo_create(rs);
    hs_draw_font(cr, fs, 0);
    double h = hs_draw_para(cr, 0, 0, w, lead, s);
    cairo_destroy(cr);
    cairo_surface_destroy(rs);
    return h;
}

static const char READING[] =
    "How to read this. Counts are incidents in each zone; the periods may "
    "differ in length, so the WDD (weighted displacement difference, "
    "Wheeler and Ratcliffe 2018, as R ptools wdd()) divides each count by "
    "its period's months: the target's change minus the control's, plus "
    "the buffer's change minus the control's (or the control buffer's), in "
    "incidents a month. Below 0 is a fall net of the control's change that "
    "counts crime that moved next door; its interval is the range chance "
    "allows. The WDQ (weighted displacement quotient, Bowers and Johnson "
    "2003; reading after Guerette 2009) is the buffer's change relative to "
    "the control over the target's: below 0 displacement, above 0 "
    "diffusion of benefit, beyond -1 or 1 larger than the direct effect; it "
    "is read only when the target did better than the control and has no "
    "test of its own. The rate ratio is (target after / before) / (control "
    "after / before) with Fisher's exact test. The charts put the target's and "
    "the control's months on their own before-period averages (100), so a "
    "small target and a large control share one scale.";

typedef struct layout {
    double vfs, vlead;   /* verdict font and line spacing              */
    int brief;           /* short verdicts                             */
    double tfs, trh;     /* table font and row height                  */
    double map_h;
    int charts, per_row, rows;
    double chart_h;
} layout;

/* The first layout, from roomy to tight, that fits the page from y0. */
static layout plan(cairo_t *cr, const hs_reval *e, table *t, double y0,
                   char **verdict)
{
    static const struct { double vfs; int brief; double tfs, trh; } lv[] = {
        {8, 0, 7.5, 13}, {7, 0, 7, 12}, {7, 1, 6.5, 11}, {6.5, 1, 6, 9.5}};
    enum { NL = sizeof lv / sizeof *lv };
    size_t ng = e->ngroups;
    double w0 = e->before[1] - e->before[0] + 1;
    double w1 = e->after[1] - e->after[0] + 1;
    layout L = {0};
    double note = 4 + para_h(6.5, HS_CW, 8, READING);
    for (int pass = 0; pass < 2; pass++) /* with charts, then without */
        for (int k = 0; k < NL; k++) {
            L = (layout){lv[k].vfs, lv[k].vfs * 1.28, lv[k].brief, lv[k].tfs,
                         lv[k].trh, 0, !pass, 0, 0, 0};
            table_setup(e, t);
            for (double fs = L.tfs; !table_fit(cr, e, t, fs) && fs > 5;
                 fs -= 0.5)
                L.tfs = fs - 0.5;
            double vh = 20; /* the heading, then each paragraph */
            for (size_t g = 0; g < ng; g++) {
                hs_eval_verdict(&e->g[g], short_name(e->g[g].key), w0, w1,
                                e->alpha, L.brief, verdict[g], 1024);
                vh += para_h(L.vfs, HS_CW, L.vlead, verdict[g]) + 3;
            }
            /* as draw_page spends it: the table's heading, the table and
             * the space after it, the words, the note */
            double fixed = 16 + 2 * L.trh + 2 + L.trh * (double)ng + 14 + vh +
                           note;
            /* what is left for the map (and 14 after it) and the charts
             * (30 of heading, key and space, or 12 for a line without) */
            double room = BOTTOM + 6 - y0 - fixed - 14 - (L.charts ? 30 : 12);
            L.per_row = ng <= 4 ? (int)ng : 4;
            L.rows = (int)((ng + (size_t)L.per_row - 1) / (size_t)L.per_row);
            double charts_min = L.charts ? L.rows * 78.0 : 0;
            if (room - charts_min < 110)
                continue;
            L.map_h = fmin(215, room - charts_min);
            if (L.charts)
                L.chart_h = fmin(150, (room - L.map_h) / L.rows);
            return L;
        }
    L.map_h = 0; /* nothing fits: the table and the words alone */
    L.charts = 0;
    return L;
}

static void title_block(cairo_t *cr, const hs_reval *e, double *y)
{
    char b[600], bf[48], af[48];
    hs_draw_rgb(cr, 0x1F3A5F);
    hs_draw_font(cr, 17, 1);
    if (*e->target_from)
        snprintf(b, sizeof b, "Did it work? Target: hotspot %s of %s",
                 e->target, e->target_from);
    else
        snprintf(b, sizeof b, "Did it work? Target: %s", e->target);
    hs_draw_text(cr, HS_ML, *y, HS_LEFT, HS_CW, b);
    *y += 16;
    hs_fmt_period(e->before[0], e->before[1], bf, sizeof bf);
    hs_fmt_period(e->after[0], e->after[1], af, sizeof af);
    hs_draw_rgb(cr, 0x333333);
    hs_draw_font(cr, 9, 0);
    char w[32] = "?";
    if (!isnan(e->buffer_m))
        snprintf(w, sizeof w, "%g", e->buffer_m);
    snprintf(b, sizeof b, "Before: %s (%d months). After: %s (%d months). "
             "Buffer: the ring of %s m round the target. Control: %s%s.", bf,
             e->before[1] - e->before[0] + 1, af,
             e->after[1] - e->after[0] + 1, w,
             *e->control ? e->control
                         : "the study area outside target and buffer",
             e->control_buffer_m > 0 ? ", with a buffer of its own" : "");
    *y = hs_draw_para(cr, HS_ML, *y, HS_CW, 11, b);
    if (*e->when) {
        hs_draw_textf(cr, HS_ML, *y, HS_LEFT, HS_CW, "Only incidents in: %s",
                      e->when);
        *y += 11;
    }
    *y += 6;
}

static void draw_page(hs_pdf *p, const hs_reval *e)
{
    cairo_t *cr = p->cr;
    double y = 40;
    table t;
    char **verdict = calloc(e->ngroups + 1, sizeof *verdict);
    char *store = calloc((e->ngroups + 1) * 1024, 1);
    if (!verdict || !store)
        goto done;
    for (size_t g = 0; g < e->ngroups; g++)
        verdict[g] = store + g * 1024;
    title_block(cr, e, &y);
    layout L = plan(cr, e, &t, y, verdict);
    if (L.map_h > 0) {
        const double mw = 318, kx = HS_ML + mw + 14, kw = HS_CW - mw - 14;
        hs_view mv;
        main_map(cr, e, HS_ML, y, mw, L.map_h, &mv);
        double ky = y + 10;
        hs_draw_rgb(cr, 0x1F3A5F);
        hs_draw_font(cr, 10, 1);
        hs_draw_text(cr, kx, ky, HS_LEFT, kw, "Key");
        ky += 16;
        for (int z = 0; z < HS_REV_ZONES; z++)
            if (e->has_zone[z])
                ky = key_entry(cr, e, z, kx, ky, kw);
        double ih = L.map_h - (ky - y) - 4;
        if (ih > 50) {
            hs_draw_rgb(cr, 0x333333);
            hs_draw_font(cr, 7, 0);
            hs_draw_text(cr, kx, ky + 2, HS_LEFT, kw,
                         "All the zones; the map's extent in black:");
            inset_map(cr, e, &mv, kx, ky + 6, kw, ih - 6);
        }
        y += L.map_h + 14;
    }
    y = hs_draw_heading(cr, y + 4, "Counts and tests") - 4;
    y = draw_table(cr, e, &t, y, L.tfs, L.trh) + 14;
    if (L.charts) {
        y = hs_draw_heading(cr, y + 4, "Month by month: target and control, "
                            "each against its own average before") - 2;
        double lx = HS_ML;
        hs_draw_font(cr, 7.5, 0);
        for (int z = 0; z < 3; z += 2) {
            hs_draw_line_key(cr, lx, y - 3, ZONE_FILL[z], ZONE_DASH[z]);
            hs_draw_rgb(cr, 0x222222);
            lx += 28 + hs_draw_text(cr, lx + 26, y, HS_LEFT, 0, ZONE_TITLE[z]) +
                  12;
        }
        hs_draw_rgb(cr, 0x222222);
        hs_draw_text(cr, lx, y, HS_LEFT, HS_ML + HS_CW - lx,
                     "(grey: the before average, 100)");
        y += 6;
        double cw = HS_CW / L.per_row;
        for (size_t g = 0; g < e->ngroups; g++)
            group_chart(cr, e, &e->g[g], HS_ML + cw * (double)(g % (size_t)L.per_row),
                        y + L.chart_h * (double)(g / (size_t)L.per_row),
                        cw - 6, L.chart_h - 4);
        y += L.chart_h * L.rows + 6;
    } else {
        hs_draw_rgb(cr, 0x333333);
        hs_draw_font(cr, 7, 0);
        hs_draw_text(cr, HS_ML, y, HS_LEFT, HS_CW, "No room on the page for "
                     "the monthly charts: table evaluation_monthly holds the "
                     "series.");
        y += 12;
    }
    y = hs_draw_heading(cr, y + 4, "In plain words");
    hs_draw_rgb(cr, 0x222222);
    for (size_t g = 0; g < e->ngroups; g++) {
        hs_draw_font(cr, L.vfs, 0);
        if (y + para_h(L.vfs, HS_CW, L.vlead, verdict[g]) > BOTTOM) {
            /* only with dozens of groups: the page ends here */
            hs_draw_text(cr, HS_ML, y, HS_LEFT, HS_CW, "No room for the "
                         "other groups' words: their figures are in the "
                         "table above.");
            y = BOTTOM;
            break;
        }
        y = hs_draw_para(cr, HS_ML, y, HS_CW, L.vlead, verdict[g]) + 3;
    }
    hs_draw_rgb(cr, 0x444444);
    hs_draw_font(cr, 6.5, 0);
    if (y + 4 + para_h(6.5, HS_CW, 8, READING) <= BOTTOM + 8)
        hs_draw_para(cr, HS_ML, y + 4, HS_CW, 8, READING);
done:
    free(verdict);
    free(store);
    hs_pdf_frame(p);
    cairo_show_page(cr);
}

hs_status hs_report_evaluation(const hs_report_options *o, const hs_log *log,
                               hs_report_summary *sum, hs_error *err)
{
    hs_reval *e = NULL;
    hs_status rc;
    hs_pdf p;
    if (!o)
        return hs_fail(err, HS_ERR_ARG, "report: no options");
    if ((rc = hs_pdf_outdir_check(o->input, "the evaluation's GeoPackage",
                                  o->outdir, err)))
        return rc;
    if (o->area)
        return hs_fail(err, HS_ERR_ARG, "--area '%s': '%s' is an evaluation "
                       "(hotspot evaluate), which has one page and no area "
                       "packs", o->area, o->input);
    if (!(e = hs_reval_open(o->input, err)))
        return err ? err->code : HS_ERR_DATA;
    if ((rc = hs_pdf_outdir_make(o->outdir, log, err)))
        goto cleanup;
    char title[] = "Evaluation: did it work?";
    if ((rc = hs_pdf_begin(&p, o->outdir, "evaluation", title, e->stamp,
                           hs_pdf_source(o->input), e->software, err)))
        goto cleanup;
    p.pages = 1;
    draw_page(&p, e);
    if ((rc = hs_pdf_end(&p, err)))
        goto cleanup;
    if (sum) {
        memset(sum, 0, sizeof *sum);
        snprintf(sum->outdir, sizeof sum->outdir, "%s", o->outdir);
        snprintf(sum->evaluation, sizeof sum->evaluation, "%s", p.path);
    }
cleanup:
    hs_reval_destroy(e);
    return rc;
}
