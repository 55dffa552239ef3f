/* report.c - area-board packs and the county summary as PDFs, drawn with
 * cairo from what reportdata.c read (see hs_report.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "core/ticker.h"
#include "hotspot/hotspot.h"
#include "hotspot/hs_report.h"
#include "input/incidents.h"
#include "report/draw.h"
#include "report/evaldata.h"
#include "report/report.h"
#include "report/reportdata.h"

/* Group colours (Okabe-Ito, safe for colour-blind readers) and dashes, so
 * the trend lines stay apart in grey print too. */
static const uint32_t GROUP_RGB[HS_RG] = {0x0072B2, 0xD55E00, 0x009E73};
static const double GROUP_DASH[HS_RG][2] = {{0, 0}, {5, 2.5}, {1.5, 2}};

/* Density below the hotspot classes: light to mid blue; hotspot classes:
 * orange to dark red, so hotspots stand out from the surface under them. */
static const uint32_t DENSITY_RGB[] = {0xEEF3F8, 0xC6DBEF, 0x9ECAE1, 0x6BAED6,
                                       0x4292C6};
static const uint32_t HOT_LOW = 0xFDAE61, HOT_HIGH = 0xA50026;
/* Places for tasking: violet on a white casing, apart from blues and reds. */
#define TASK_RGB 0x6A1B9A

/* A count as hs_fmt_count: one decimal in a file of --when shares
 * (when.h, d->shares). */
static void fmt_count(const hs_rdata *d, double v, char *b, size_t n)
{
    hs_fmt_count(v, d->shares, b, n);
}

/* ---- tables ---------------------------------------------------------------- */

static const char *vs_words(const hs_rrate *r)
{
    if (r->suppressed)
        return "suppressed";
    if (isnan(r->rate))
        return "no population";
    return strcmp(r->vs, "higher") == 0  ? "Higher"
           : strcmp(r->vs, "lower") == 0 ? "Lower"
                                         : "Similar";
}

static const char *change_words(const hs_rrate *r)
{
    if (r->suppressed || r->prev_suppressed)
        return "suppressed";
    if (r->prev_count < 0 || isnan(r->change_p))
        return "no comparison";
    int up = r->change > 0;
    if (r->change_p < 0.002)
        return up ? "Yes: up (99.8%)" : "Yes: down (99.8%)";
    if (r->change_p < 0.05)
        return up ? "Yes: up (95%)" : "Yes: down (95%)";
    return "No";
}

static void fmt_rate(double v, char *b, size_t n)
{
    if (isnan(v))
        snprintf(b, n, "n/a");
    else
        snprintf(b, n, "%.2f", v);
}

/* The board's key figures: measures down, groups across. */
static double key_table(cairo_t *cr, const hs_rdata *d, size_t a, double y)
{
    const double lw = 215, gw = (HS_CW - lw) / HS_RG, rh = 15.5;
    char per[48], prev[48], b[HS_RG][96];
    hs_fmt_period(d->cur_from, d->cur_to, per, sizeof per);
    if (d->prev_from >= 0)
        hs_fmt_period(d->prev_from, d->prev_to, prev, sizeof prev);
    hs_draw_rgb(cr, 0x1F3A5F);
    cairo_rectangle(cr, HS_ML, y, HS_CW, rh + 4);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    hs_draw_font(cr, 8.5, 1);
    hs_draw_text(cr, HS_ML + 4, y + 13, HS_LEFT, lw - 8, "Measure (unit)");
    for (int g = 0; g < HS_RG; g++)
        hs_draw_text(cr, HS_ML + lw + gw * (g + 0.5), y + 13, HS_CENTRE, gw - 4,
             hs_rgroup_short[g]);
    y += rh + 4;
    int months = d->cur_to - d->cur_from + 1;
    enum { R_COUNT, R_KM2, R_RATE, R_CI, R_ANNUAL, R_STUDY, R_VS, R_PREV,
           R_CHANGE, R_SIG, R_N };
    static const char *const label[R_N] = {
        NULL, "Incidents per km\xc2\xb2", "Rate per 1,000 residents",
        "95% confidence interval of the rate",
        "Rate per 1,000 residents per year", "County rate per 1,000 residents",
        "Compared with the county rate", NULL, "Change in incidents",
        "Is the change significant?"};
    for (int row = 0; row < R_N; row++) {
        if (row == R_ANNUAL && months == 12)
            continue; /* the same as the rate */
        if ((row >= R_PREV) && d->prev_from < 0)
            continue;
        char lab[96];
        if (row == R_COUNT)
            snprintf(lab, sizeof lab, "Incidents, %s", per);
        else if (row == R_PREV)
            snprintf(lab, sizeof lab, "Incidents a year earlier, %s", prev);
        else
            snprintf(lab, sizeof lab, "%s", label[row]);
        for (int g = 0; g < HS_RG; g++) {
            const hs_rrate *r = &d->rates[g][a];
            char x[32], z[32];
            switch (row) {
            case R_COUNT: fmt_count(d, r->count, b[g], sizeof b[g]); break;
            case R_KM2:
                if (isnan(r->per_km2))
                    snprintf(b[g], sizeof b[g], "n/a");
                else
                    snprintf(b[g], sizeof b[g], "%.1f", r->per_km2);
                break;
            case R_RATE: fmt_rate(r->rate, b[g], sizeof b[g]); break;
            case R_CI:
                fmt_rate(r->low, x, sizeof x);
                fmt_rate(r->high, z, sizeof z);
                snprintf(b[g], sizeof b[g], isnan(r->low) ? "n/a" : "%s to %s",
                         x, z);
                break;
            case R_ANNUAL: fmt_rate(r->annual, b[g], sizeof b[g]); break;
            case R_STUDY: fmt_rate(r->study, b[g], sizeof b[g]); break;
            case R_VS: snprintf(b[g], sizeof b[g], "%s", vs_words(r)); break;
            case R_PREV: fmt_count(d, r->prev_count, b[g], sizeof b[g]); break;
            case R_CHANGE:
                if (isnan(r->change_pct))
                    snprintf(b[g], sizeof b[g], "%+.*f (n/a, new)",
                             d->shares, r->change);
                else
                    snprintf(b[g], sizeof b[g], "%+.*f (%+.1f%%)", d->shares,
                             r->change, r->change_pct);
                break;
            case R_SIG:
                snprintf(b[g], sizeof b[g], "%s", change_words(r));
                break;
            }
            /* --public: what the count gave is not in the file */
            int gone = (r->suppressed && row != R_STUDY && row != R_PREV) ||
                       (r->prev_suppressed && row >= R_PREV) ||
                       (row == R_STUDY && isnan(r->study) &&
                        d->public_threshold > 0);
            if (gone)
                snprintf(b[g], sizeof b[g], "suppressed");
        }
        if (row % 2 == 0) {
            hs_draw_rgb(cr, 0xF2F5F9);
            cairo_rectangle(cr, HS_ML, y, HS_CW, rh);
            cairo_fill(cr);
        }
        hs_draw_rgb(cr, 0x222222);
        hs_draw_font(cr, 8.5, row == R_COUNT || row == R_RATE);
        hs_draw_text(cr, HS_ML + 4, y + 11, HS_LEFT, lw - 8, lab);
        for (int g = 0; g < HS_RG; g++) {
            const hs_rrate *r = &d->rates[g][a];
            hs_draw_rgb(cr, 0x222222);
            if (row == R_VS && strcmp(r->vs, "higher") == 0)
                hs_draw_rgb(cr, 0xB2182B);
            else if (row == R_VS && strcmp(r->vs, "lower") == 0)
                hs_draw_rgb(cr, 0x2166AC);
            hs_draw_text(cr, HS_ML + lw + gw * (g + 0.5), y + 11, HS_CENTRE,
                         gw - 4, b[g]);
        }
        y += rh;
    }
    hs_draw_rule(cr, y);
    return y;
}

/* ---- monthly trend chart ----------------------------------------------- */

/* The periods, the grid, both axes and their labels. */
static void chart_axes(cairo_t *cr, const hs_rdata *d, const hs_chart *c,
                       double step)
{
    hs_chart_period(cr, c, d->cur_from, d->cur_to, 1, "Analysis period");
    if (d->prev_from >= 0)
        hs_chart_period(cr, c, d->prev_from, d->prev_to, 0,
                        "Same months a year earlier");
    hs_chart_axes(cr, c, step, "Incidents per month");
}

/* One line per group: incidents per month in area a (or the whole study
 * area when a is (size_t)-1). */
static void trend_chart(cairo_t *cr, const hs_rdata *d, size_t a, double x,
                        double y, double w, double h)
{
    const int nm = d->nmonths;
    double *v = calloc((size_t)(HS_RG * nm) + 1, sizeof *v), vmax = 0, step;
    if (!v)
        return;
    for (int g = 0; g < HS_RG; g++)
        for (int m = 0; m < nm; m++) {
            double s = 0;
            for (size_t k = 0; k < d->nareas && !isnan(s); k++)
                if (a == (size_t)-1 || k == a) {
                    double c = d->monthly[g][k * (size_t)nm + (size_t)m];
                    s = c < 0 ? NAN : s + c; /* suppressed: a gap */
                }
            v[g * nm + m] = s;
            vmax = s > vmax ? s : vmax;
        }
    /* legend above the plot */
    double lx = x + 44;
    hs_draw_font(cr, 8, 0);
    for (int g = 0; g < HS_RG; g++) {
        hs_draw_line_key(cr, lx, y + 4, GROUP_RGB[g], GROUP_DASH[g]);
        hs_draw_rgb(cr, 0x222222);
        lx += 28 +
              hs_draw_text(cr, lx + 26, y + 7, HS_LEFT, 0, hs_rgroup_short[g]) +
              14;
    }
    hs_chart c = {d->month0, nm, x + 44, y + 32, w - 52, h - 64, 0};
    c.ymax = hs_chart_ymax(vmax, &step);
    chart_axes(cr, d, &c, step);
    for (int g = 0; g < HS_RG; g++)
        hs_chart_line(cr, &c,
                      &(hs_cline){v + g * nm, GROUP_RGB[g], GROUP_DASH[g]});
    free(v);
}

/* ---- maps ---------------------------------------------------------------- */
/* Colour of a hotspot class (hot_class .. nbreaks). */
static uint32_t hot_rgb(const hs_rdata *d, int g, int cls)
{
    int top = d->surf[g].nbreaks > d->hot_class ? d->surf[g].nbreaks
                                                 : d->hot_class;
    double t = top > d->hot_class ? (double)(cls - d->hot_class) /
                                        (top - d->hot_class)
                                  : 1.0;
    return hs_draw_mix(HOT_LOW, HOT_HIGH, fmin(1, fmax(0, t)));
}

/* Colour of a density value below the hotspot classes: by class. */
static uint32_t density_rgb(const hs_rsurf *s, int hot_class, double val)
{
    int cls = 0;
    while (cls < s->nbreaks && val >= s->breaks[cls])
        cls++;
    int n = (int)(sizeof DENSITY_RGB / sizeof *DENSITY_RGB);
    int below = hot_class > 0 ? hot_class : 1; /* classes under hotspots */
    int i = cls >= below ? n - 1 : cls * (n - 2) / (below > 1 ? below - 1 : 1);
    return DENSITY_RGB[i < n ? i : n - 1];
}

/* The density raster as an image under the polygons, one pixel a cell. */
static void draw_surface(cairo_t *cr, const hs_rdata *d, int g,
                         const hs_view *v)
{
    const hs_rsurf *s = &d->surf[g];
    const double *gt = s->gt;
    double wx1 = v->wx0 + v->w / v->s, wy0 = v->wy1 - v->h / v->s;
    int c0 = (int)floor((v->wx0 - gt[0]) / gt[1]);
    int c1 = (int)ceil((wx1 - gt[0]) / gt[1]);
    int r0 = (int)floor((gt[3] - v->wy1) / -gt[5]);
    int r1 = (int)ceil((gt[3] - wy0) / -gt[5]);
    c0 = c0 < 0 ? 0 : c0;
    r0 = r0 < 0 ? 0 : r0;
    c1 = c1 > s->cols ? s->cols : c1;
    r1 = r1 > s->rows ? s->rows : r1;
    if (c1 <= c0 || r1 <= r0)
        return;
    int iw = c1 - c0, ih = r1 - r0;
    cairo_surface_t *img =
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, iw, ih);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return;
    }
    cairo_surface_flush(img);
    unsigned char *px = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (int r = 0; r < ih; r++) {
        uint32_t *row = (uint32_t *)(void *)(px + (size_t)r * (size_t)stride);
        for (int c = 0; c < iw; c++) {
            double val =
                s->v[(size_t)(r + r0) * (size_t)s->cols + (size_t)(c + c0)];
            if (isnan(val) || (!isnan(s->nodata) && val == s->nodata))
                row[c] = 0; /* transparent outside the areas */
            else
                row[c] = 0xFF000000u | density_rgb(s, d->hot_class, val);
        }
    }
    cairo_surface_mark_dirty(img);
    double ox, oy;
    hs_view_to_page(v, gt[0] + c0 * gt[1], gt[3] + r0 * gt[5], &ox, &oy);
    cairo_save(cr);
    cairo_translate(cr, ox, oy);
    cairo_scale(cr, gt[1] * v->s, -gt[5] * v->s);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
}

/* A map of area a in the box (x, y, w, h): the view centred on the area
 * with a margin, clipped and cleared.  0 (and a line of text) when the
 * area has no boundary to centre on; else hs_map_close ends it. */
static int map_open(cairo_t *cr, const hs_rdata *d, size_t a, double x,
                    double y, double w, double h, hs_view *v)
{
    const hs_rgeom *ag = &d->areas[a].geom;
    if (!ag->nrings) {
        hs_draw_rgb(cr, 0x333333);
        hs_draw_font(cr, 8, 0);
        hs_draw_text(cr, x + 4, y + 14, HS_LEFT, w - 8,
                     "This area has no boundary in "
                     "the file.");
        return 0;
    }
    *v = hs_view_fit(x, y, w, h, ag->minx, ag->miny, ag->maxx, ag->maxy, 0.08);
    hs_map_open(cr, v);
    return 1;
}

/* The areas other than a, thin. */
static void map_others(cairo_t *cr, const hs_rdata *d, size_t a,
                       const hs_view *v)
{
    cairo_set_line_width(cr, 0.5);
    hs_draw_rgb(cr, 0x8A8A8A);
    for (size_t k = 0; k < d->nareas; k++)
        if (k != a && hs_view_has(v, &d->areas[k].geom)) {
            hs_view_path(cr, v, &d->areas[k].geom);
            cairo_stroke(cr);
        }
}

/* Area a, bold, with a white casing so it shows on any colour. */
static void map_area(cairo_t *cr, const hs_rdata *d, size_t a, const hs_view *v)
{
    hs_view_path(cr, v, &d->areas[a].geom);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, 3.2);
    cairo_stroke_preserve(cr);
    hs_draw_rgb(cr, 0x111111);
    cairo_set_line_width(cr, 1.6);
    cairo_stroke(cr);
}

/* Scale bar, north arrow, and the frame round the box. */
/* Map of area a for group g: density, other areas, hotspots, the area. */
static void draw_map(cairo_t *cr, const hs_rdata *d, size_t a, int g, double x,
                     double y, double w, double h)
{
    hs_view v;
    if (!map_open(cr, d, a, x, y, w, h, &v))
        return;
    double s = v.s;
    if (d->has_surf[g])
        draw_surface(cr, d, g, &v);
    map_others(cr, d, a, &v);
    /* hotspots in class colours */
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (size_t k = 0; d->has_surf[g] && k < d->nhot[g]; k++) {
        const hs_rhot *hp = &d->hot[g][k];
        if (!hs_view_has(&v, &hp->geom))
            continue;
        hs_view_path(cr, &v, &hp->geom);
        hs_draw_rgb(cr, hot_rgb(d, g, hp->cls));
        cairo_fill_preserve(cr);
        hs_draw_rgb(cr, 0x5A0016);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
    }
    map_area(cr, d, a, &v);
    /* this board's places for tasking: outlined, priority beside */
    for (size_t k = 0; d->has_surf[g] && k < d->ntask[g]; k++) {
        const hs_rtask *tk = &d->task[g][k];
        if (strcmp(tk->area_id, d->areas[a].id) != 0 ||
            !hs_view_has(&v, &tk->geom))
            continue;
        hs_view_path(cr, &v, &tk->geom);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 2.8);
        cairo_stroke_preserve(cr);
        hs_draw_rgb(cr, TASK_RGB);
        cairo_set_line_width(cr, 1.4);
        cairo_stroke(cr);
        double px, py;
        hs_view_to_page(&v, tk->geom.maxx, tk->geom.maxy, &px, &py);
        char pr[16];
        snprintf(pr, sizeof pr, "%d", tk->priority);
        hs_draw_font(cr, 7, 1);
        hs_draw_text(cr, px + 2, py - 1, HS_LEFT, 0, pr);
    }
    /* a ring around hotspots too small to see at this scale */
    for (size_t k = 0; d->has_surf[g] && k < d->nhot[g]; k++) {
        const hs_rhot *hp = &d->hot[g][k];
        if (!hs_view_has(&v, &hp->geom) ||
            fmax(hp->geom.maxx - hp->geom.minx, hp->geom.maxy - hp->geom.miny) *
                    s >= 8)
            continue;
        double px, py;
        hs_view_to_page(&v, (hp->geom.minx + hp->geom.maxx) / 2,
                (hp->geom.miny + hp->geom.maxy) / 2, &px, &py);
        cairo_new_path(cr);
        cairo_arc(cr, px, py, 6, 0, 2 * M_PI);
        hs_draw_rgb(cr, hot_rgb(d, g, hp->cls));
        cairo_set_line_width(cr, 1.4);
        cairo_stroke(cr);
    }
    /* labels of this area's hotspots, beside them so they hide nothing;
     * the first of four places that overlaps no label already placed */
    hs_draw_font(cr, 7, 1);
    double placed[64][4];
    int np = 0;
    for (size_t k = 0; d->has_surf[g] && k < d->nhot[g] && np < 64; k++) {
        const hs_rhot *hp = &d->hot[g][k];
        if (!hp->area_id || strcmp(hp->area_id, d->areas[a].id) != 0 ||
            !hs_view_has(&v, &hp->geom))
            continue;
        double px, py, x0, y0, x1, y1;
        hs_view_to_page(&v, hp->geom.minx, hp->geom.miny, &x0, &y1);
        hs_view_to_page(&v, hp->geom.maxx, hp->geom.maxy, &x1, &y0);
        hs_view_to_page(&v, hp->geom.lx, hp->geom.ly, &px, &py);
        double tw = hs_draw_text_w(cr, hp->id) + 4, th = 9.5;
        double cand[4][2] = {{x1 + 4, py - th / 2}, {x0 - 4 - tw, py - th / 2},
                             {px - tw / 2, y0 - 4 - th}, {px - tw / 2, y1 + 4}};
        int c = 0;
        for (; c < 4; c++) {
            int clash = 0;
            for (int q = 0; q < np && !clash; q++)
                clash = cand[c][0] < placed[q][2] &&
                        cand[c][0] + tw > placed[q][0] &&
                        cand[c][1] < placed[q][3] &&
                        cand[c][1] + th > placed[q][1];
            if (!clash)
                break;
        }
        c = c == 4 ? 0 : c;
        double lx = cand[c][0], ly = cand[c][1];
        placed[np][0] = lx;
        placed[np][1] = ly;
        placed[np][2] = lx + tw;
        placed[np][3] = ly + th;
        np++;
        cairo_set_source_rgba(cr, 1, 1, 1, 0.92);
        cairo_rectangle(cr, lx, ly, tw, th);
        cairo_fill_preserve(cr);
        hs_draw_rgb(cr, 0x5A0016);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
        hs_draw_rgb(cr, 0x111111);
        hs_draw_text(cr, lx + tw / 2, ly + 7.3, HS_CENTRE, 0, hp->id);
    }
    hs_map_close(cr, &v);
}

/* The legend cell of the map page. */
static void map_legend(cairo_t *cr, const hs_rdata *d, double x, double y,
                       double w)
{
    int mm = strcmp(d->method, "mean-sd") != 0;
    int g0 = 0;
    while (g0 < HS_RG - 1 && !d->has_surf[g0])
        g0++;
    hs_draw_rgb(cr, 0x1F3A5F);
    hs_draw_font(cr, 10, 1);
    hs_draw_text(cr, x, y, HS_LEFT, w, "Key");
    y += 16;
    hs_draw_font(cr, 8, 0);
    hs_draw_rgb(cr, 0x222222);
    if (!d->has_surf[g0]) {
        y = hs_draw_para(
                cr, x, y, w, 10.5,
                "This file has no density surfaces or "
                "hotspots (the run used --kde no): the maps show boundaries "
                "only.") +
            4;
        goto boundaries;
    }
    y = hs_draw_para(
            cr, x, y, w, 10.5,
            mm ? "Density of incidents (kernel density), "
                 "in classes of the group's average density over the county "
                 "(Home Office / Chainey method):"
               : "Density of incidents (kernel density), in classes of the "
                 "mean plus multiples of the standard deviation:") +
        4;
    int n = (int)(sizeof DENSITY_RGB / sizeof *DENSITY_RGB);
    char lab[128];
    hs_draw_swatch(cr, x, y, DENSITY_RGB[0],
                   mm ? "below the average" : "below class 1");
    y += 14;
    for (int c = 1; c < d->hot_class && c < 8; c++) {
        int i = c * (n - 2) / (d->hot_class > 1 ? d->hot_class - 1 : 1);
        if (mm)
            snprintf(lab, sizeof lab, "%d to %d times the average", c, c + 1);
        else
            snprintf(lab, sizeof lab, "class %d", c);
        hs_draw_swatch(cr, x, y, DENSITY_RGB[i < n ? i : n - 1], lab);
        y += 14;
    }
    int top = d->surf[g0].nbreaks > d->hot_class ? d->surf[g0].nbreaks
                                                 : d->hot_class;
    for (int c = d->hot_class; c <= top && c < 12; c++) {
        if (mm && c < top)
            snprintf(lab, sizeof lab, "hotspot, %d to %d times the average", c,
                     c + 1);
        else if (mm)
            snprintf(lab, sizeof lab, "hotspot, %d or more times the average",
                     c);
        else
            snprintf(lab, sizeof lab, "hotspot, class %d", c);
        hs_draw_swatch(cr, x, y, hot_rgb(d, g0, c), lab);
        y += 14;
    }
    y += 4;
boundaries:
    hs_draw_rgb(cr, 0x111111);
    cairo_set_line_width(cr, 1.6);
    cairo_move_to(cr, x, y - 3);
    cairo_line_to(cr, x + 14, y - 3);
    cairo_stroke(cr);
    hs_draw_text(cr, x + 20, y, HS_LEFT, w - 20, "this area board");
    y += 14;
    hs_draw_rgb(cr, 0x8A8A8A);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, x, y - 3);
    cairo_line_to(cr, x + 14, y - 3);
    cairo_stroke(cr);
    hs_draw_rgb(cr, 0x222222);
    hs_draw_text(cr, x + 20, y, HS_LEFT, w - 20, "other area boards");
    y += 14;
    if (d->has_surf[g0]) {
        hs_draw_rgb(cr, TASK_RGB);
        cairo_set_line_width(cr, 1.4);
        cairo_rectangle(cr, x + 1, y - 8, 12, 9);
        cairo_stroke(cr);
        hs_draw_rgb(cr, 0x222222);
        hs_draw_text(cr, x + 20, y, HS_LEFT, w - 20,
                     "places for tasking, by priority");
        y += 14;
    }
    y += 4;
    hs_draw_font(cr, 7.5, 0);
    hs_draw_para(
        cr, x, y, w, 9.5,
        "Hotspot labels (e.g. ASB-01) are the group and "
        "the hotspot's rank in the county by incidents; see the tasking page. "
        "Only this board's hotspots are labelled. Grid north is up (British "
        "National Grid).");
}

static void map_caption(cairo_t *cr, const hs_rdata *d, int g, double x,
                        double y, double w)
{
    hs_draw_rgb(cr, 0x333333);
    hs_draw_font(cr, 7, 0);
    const hs_rsurf *s = &d->surf[g];
    if (!d->has_surf[g]) {
        hs_draw_text(cr, x, y, HS_LEFT, w,
                     "No density surface in this file for this "
                     "group.");
        return;
    }
    if (s->nbreaks >= d->hot_class && d->hot_class >= 1) {
        char b[256];
        if (strcmp(d->method, "mean-sd") != 0)
            snprintf(b, sizeof b, "Average density %.2f incidents per "
                     "km\xc2\xb2; hotspots from %.2f incidents per km\xc2\xb2.",
                     s->breaks[0], s->breaks[d->hot_class - 1]);
        else
            snprintf(b, sizeof b, "Hotspots from %.2f incidents per "
                     "km\xc2\xb2.", s->breaks[d->hot_class - 1]);
        hs_draw_para(cr, x, y, w, 9, b);
    }
}

/* ---- pages ----------------------------------------------------------------- */

static double area_title(hs_pdf *p, const hs_rdata *d, size_t a)
{
    cairo_t *cr = p->cr;
    const hs_rarea *ar = &d->areas[a];
    char per[48], pop[32], line[256];
    hs_fmt_period(d->cur_from, d->cur_to, per, sizeof per);
    hs_draw_rgb(cr, 0x1F3A5F);
    hs_draw_font(cr, 18, 1);
    double y = 44;
    hs_draw_textf(cr, HS_ML, y, HS_LEFT, HS_CW, "%s (%s)", ar->name, ar->id);
    y += 16;
    hs_draw_font(cr, 9.5, 0);
    hs_draw_rgb(cr, 0x333333);
    hs_draw_textf(cr, HS_ML, y, HS_LEFT, HS_CW,
                  "Area board pack: crime and anti-social "
                  "behaviour, %s (%d months)",
                  per, d->cur_to - d->cur_from + 1);
    y += 13;
    if (*d->when) { /* --when: the hours the pack covers */
        hs_draw_textf(cr, HS_ML, y, HS_LEFT, HS_CW, "Only incidents in: %s",
                      d->when);
        y += 13;
    }
    if (isnan(ar->pop))
        snprintf(pop, sizeof pop, "unknown");
    else
        hs_fmt_int(lround(ar->pop), pop, sizeof pop);
    snprintf(line, sizeof line, "Residents: %s   Area: %.1f km\xc2\xb2", pop,
             ar->km2);
    hs_draw_text(cr, HS_ML, y, HS_LEFT, HS_CW, line);
    return y + 22;
}

static void page_summary(hs_pdf *p, const hs_rdata *d, size_t a)
{
    cairo_t *cr = p->cr;
    double y = area_title(p, d, a);
    y = hs_draw_heading(cr, y, "Key figures");
    y = key_table(cr, d, a, y) + 14;
    hs_draw_font(cr, 7.5, 0);
    hs_draw_rgb(cr, 0x333333);
    y = hs_draw_para(cr, HS_ML, y, HS_CW, 9.5,
             "How to read this: the rate is incidents per 1,000 residents in "
             "the period. The 95% confidence interval is the range the "
             "underlying rate probably lies in, allowing for chance variation "
             "(Byar's method; exact Poisson below 10 incidents). \"Higher\" "
             "or \"Lower\" means the whole interval lies above or below the "
             "county rate; otherwise \"Similar\". The change is tested with an "
             "exact test of the two counts; with many areas and groups some "
             "95% results happen by chance, so 99.8% is the firmer signal. "
             "Town centres with few residents have high rates; incidents per "
             "km\xc2\xb2 helps there.");
    if (d->shares)
        y = hs_draw_para(cr, HS_ML, y + 2, HS_CW, 9.5,
                 "Incidents known only within a window of time count by the "
                 "share of their window inside the hours analysed, so counts "
                 "have decimals. Their intervals are Fay and Feuer's gamma "
                 "intervals for such weighted counts, and the change test "
                 "rounds both counts to whole incidents.");
    y = hs_draw_para(cr, HS_ML, y + 2, HS_CW, 9.5,
             "Groups: ASB = anti-social behaviour; SAC = serious acquisitive "
             "crime (burglary, robbery and vehicle crime); Violence = violence "
             "and sexual offences.") + 10;
    y = hs_draw_heading(cr, y, "Incidents per month");
    double h = HS_PH - 70 - y;
    trend_chart(cr, d, a, HS_ML, y, HS_CW, h > 280 ? 280 : h);
    hs_pdf_frame(p);
    cairo_show_page(cr);
}

/* A page's title, "Name (id): what", and a subtitle under it (NULL:
 * none). */
static void page_head(cairo_t *cr, const hs_rdata *d, size_t a,
                      const char *what, const char *sub)
{
    hs_draw_rgb(cr, 0x1F3A5F);
    hs_draw_font(cr, 14, 1);
    hs_draw_textf(cr, HS_ML, 40, HS_LEFT, HS_CW, "%s (%s): %s",
                  d->areas[a].name, d->areas[a].id, what);
    if (!sub)
        return;
    hs_draw_font(cr, 9, 0);
    hs_draw_rgb(cr, 0x333333);
    hs_draw_text(cr, HS_ML, 54, HS_LEFT, HS_CW, sub);
}

/* Panel k of a page of four (the groups, then the key): its box, and for
 * a group its title above the box, in the group's colour. */
static const double PANEL_GAP = 14, PANEL_H = 315, PANEL_Y0 = 76;
#define PANEL_W ((HS_CW - PANEL_GAP) / 2)
static void panel(cairo_t *cr, int k, double *x, double *y)
{
    *x = HS_ML + (k % 2) * (PANEL_W + PANEL_GAP);
    *y = PANEL_Y0 + (k / 2) * (PANEL_H + 38);
    if (k == HS_RG)
        return;
    hs_draw_rgb(cr, GROUP_RGB[k]);
    hs_draw_font(cr, 9.5, 1);
    hs_draw_textf(cr, *x, *y + 8, HS_LEFT, PANEL_W, "%s (%s)",
                  hs_rgroup_long[k], hs_rgroup_short[k]);
}

static void page_maps(hs_pdf *p, const hs_rdata *d, size_t a)
{
    cairo_t *cr = p->cr;
    char per[48];
    char sub[96];
    const double w = PANEL_W, h = PANEL_H;
    hs_fmt_period(d->cur_from, d->cur_to, per, sizeof per);
    snprintf(sub, sizeof sub, "Density of incidents and hotspots, %s", per);
    page_head(cr, d, a, "where incidents concentrate", sub);
    for (int k = 0; k < 4; k++) {
        double x, y;
        panel(cr, k, &x, &y);
        if (k == HS_RG) {
            map_legend(cr, d, x + 4, y + 10, w - 8);
            continue;
        }
        draw_map(cr, d, a, k, x, y + 13, w, h);
        map_caption(cr, d, k, x, y + 13 + h + 10, w);
    }
    hs_pdf_frame(p);
    cairo_show_page(cr);
}

/* ---- the Gi* page ---------------------------------------------------------- */

/* Gi* bins -3..3, as the QGIS style (styles.c: ColorBrewer RdYlBu). */
static const uint32_t GI_RGB[7] = {0x4575B4, 0x91BFDB, 0xE0F3F8, 0xFFFFFF,
                                   0xFEE090, 0xFC8D59, 0xD73027};

/* Map of area a for group g: the significant Gi* cells, the areas. */
static void draw_gi_map(cairo_t *cr, const hs_rdata *d, size_t a, int g,
                        double x, double y, double w, double h)
{
    hs_view v;
    if (!map_open(cr, d, a, x, y, w, h, &v))
        return;
    double vx1 = v.wx0 + w / v.s, vy0 = v.wy1 - h / v.s;
    const hs_rgi *gi = &d->gi[g];
    for (size_t k = 0; k < gi->ncell; k++) {
        const hs_rcell *c = &gi->cell[k];
        double m = isfinite(gi->cell_m) ? 2 * gi->cell_m : 0;
        if (c->xy[0] < v.wx0 - m || c->xy[0] > vx1 + m || c->xy[1] < vy0 - m ||
            c->xy[1] > v.wy1 + m)
            continue;
        cairo_new_path(cr);
        for (int i = 0; i < c->np; i++) {
            double px, py;
            hs_view_to_page(&v, c->xy[2 * i], c->xy[2 * i + 1], &px, &py);
            if (i)
                cairo_line_to(cr, px, py);
            else
                cairo_move_to(cr, px, py);
        }
        cairo_close_path(cr);
        hs_draw_rgb(cr, GI_RGB[(c->bin < -3  ? -3
                                : c->bin > 3 ? 3
                                             : c->bin) +
                               3]);
        cairo_fill_preserve(cr); /* a hairline of the fill: no seams */
        cairo_set_line_width(cr, 0.25);
        cairo_stroke(cr);
    }
    map_others(cr, d, a, &v);
    map_area(cr, d, a, &v);
    hs_map_close(cr, &v);
}

/* Cells of area a in each bin. */
static void gi_tally(const hs_rgi *gi, const char *area_id, long n[7])
{
    for (int b = 0; b < 7; b++)
        n[b] = 0;
    for (size_t k = 0; k < gi->ncell; k++)
        if (strcmp(gi->cell[k].area_id, area_id) == 0 &&
            gi->cell[k].bin >= -3 && gi->cell[k].bin <= 3)
            n[gi->cell[k].bin + 3]++;
}

/* The legend of the Gi* page, in plain words. */
static void gi_legend(cairo_t *cr, const hs_rdata *d, double x, double y,
                      double w)
{
    static const char *const words[7] = {
        "cold spot, 99%: far fewer incidents around this cell than chance "
        "would give",
        "cold spot, 95%",
        "cold spot, 90%",
        NULL,
        "hot spot, 90%",
        "hot spot, 95%",
        "hot spot, 99%: far more incidents around this cell than chance would "
        "give"};
    hs_draw_rgb(cr, 0x1F3A5F);
    hs_draw_font(cr, 10, 1);
    hs_draw_text(cr, x, y, HS_LEFT, w, "Key");
    y += 16;
    hs_draw_font(cr, 8, 0);
    hs_draw_rgb(cr, 0x222222);
    for (int b = 6; b >= 0; b--) {
        if (!words[b])
            continue;
        hs_draw_swatch_box(cr, x, y, GI_RGB[b]);
        y = hs_draw_para(cr, x + 20, y, w - 20, 10, words[b]) + 3;
    }
    y += 2;
    hs_draw_font(cr, 7.5, 0);
    y = hs_draw_para(cr, x, y, w, 9.5,
             "Cells left blank are not significant: what is there could be "
             "chance. A hot spot is not just a busy cell: it is a cell whose "
             "neighbourhood (the cell and the cells around it) holds more "
             "incidents than the county's cells would by chance, allowing for "
             "the number of cells tested (false discovery rate). 99% means "
             "about 1 such result in 100 would be chance.") + 3;
    for (int g = 0; g < HS_RG; g++) {
        char b[160];
        if (!d->gi[g].has || !isfinite(d->gi[g].cell_m) ||
            !isfinite(d->gi[g].distance_m))
            continue;
        snprintf(b, sizeof b, "%s: %s of %.0f m, neighbours within %.0f m.",
                 hs_rgroup_short[g], d->gi[g].hex ? "hexagons" : "cells",
                 d->gi[g].cell_m, d->gi[g].distance_m);
        y = hs_draw_para(cr, x, y, w, 9.5, b);
    }
    y += 3;
    hs_draw_para(
        cr, x, y, w, 9.5,
        "Density maps (previous page) show how much; this "
        "page shows where a cluster is more than chance. The two can differ: "
        "a dense street among dense streets may not be significant.");
}

/* The Gi* page of area a: one map a group, and the cells it holds. */
static void page_gistar(hs_pdf *p, const hs_rdata *d, size_t a)
{
    cairo_t *cr = p->cr;
    char per[48];
    char sub[96];
    const double w = PANEL_W, h = PANEL_H;
    hs_fmt_period(d->cur_from, d->cur_to, per, sizeof per);
    snprintf(sub, sizeof sub, "Getis-Ord Gi* statistic, %s", per);
    page_head(cr, d, a, "hot and cold spots beyond chance", sub);
    for (int k = 0; k < 4; k++) {
        double x, y;
        panel(cr, k, &x, &y);
        if (k == HS_RG) {
            gi_legend(cr, d, x + 4, y + 10, w - 8);
            continue;
        }
        hs_draw_rgb(cr, 0x333333);
        hs_draw_font(cr, 7, 0);
        if (!d->gi[k].has) {
            hs_draw_text(cr, x, y + 13 + 14, HS_LEFT, w,
                         "No Gi* in this file for this group.");
            continue;
        }
        draw_gi_map(cr, d, a, k, x, y + 13, w, h);
        long n[7];
        gi_tally(&d->gi[k], d->areas[a].id, n);
        char b[192];
        long hot = n[4] + n[5] + n[6], cold = n[0] + n[1] + n[2];
        if (hot + cold == 0)
            snprintf(b, sizeof b, "No hot or cold spot in this board.");
        else
            snprintf(b, sizeof b, "In this board: %ld hot-spot cell%s (%ld at "
                     "99%%), %ld cold-spot cell%s.", hot, hot == 1 ? "" : "s",
                     n[6], cold, cold == 1 ? "" : "s");
        hs_draw_para(cr, x, y + 13 + h + 10, w, 9, b);
    }
    hs_pdf_frame(p);
    cairo_show_page(cr);
}

#define TASK_MAX 8 /* rows per list on the page */

/* "Sat 22:00-02:00 (31%)", without the share when it is NaN (--public);
 * a dash without a peak. */
static void fmt_peak(const char *peak, double share, char *b, size_t n)
{
    if (!peak)
        snprintf(b, n, "\xe2\x80\x93");
    else if (isnan(share))
        snprintf(b, n, "%s", peak);
    else
        snprintf(b, n, "%s (%.0f%%)", peak, share);
}

#define TCOLS 10
static const double TCOLW[TCOLS] = {34, 42, 120.28, 26, 42, 28, 28, 48, 48, 99};
#define TPEAK 9 /* the peak column, in a smaller type */

/* Header of a tasking table; names may hold one '\n'. */
static double task_header(cairo_t *cr, double y)
{
    static const char *const head[TCOLS] = {
        "Priority", "Hotspot", "Where", "Class", "Incidents",
        "Area\n(km\xc2\xb2)", "PAI in\nboard", "% of board\narea",
        "% of board\nincidents", "Peak hours\n(share)"};
    double x = HS_ML;
    hs_draw_rgb(cr, 0xE3E9F1);
    cairo_rectangle(cr, HS_ML, y, HS_CW, 22);
    cairo_fill(cr);
    hs_draw_rgb(cr, 0x1F3A5F);
    hs_draw_font(cr, 7.5, 1);
    for (int c = 0; c < TCOLS; c++) {
        const char *nl = strchr(head[c], '\n');
        double cx = c == 2 ? x + 3 : x + TCOLW[c] / 2;
        int al = c == 2 ? HS_LEFT : HS_CENTRE;
        if (nl) {
            char first[32];
            snprintf(first, sizeof first, "%.*s", (int)(nl - head[c]), head[c]);
            hs_draw_text(cr, cx, y + 9, al, TCOLW[c] - 2, first);
            hs_draw_text(cr, cx, y + 18, al, TCOLW[c] - 2, nl + 1);
        } else {
            hs_draw_text(cr, cx, y + 14, al, TCOLW[c] - 2, head[c]);
        }
        x += TCOLW[c];
    }
    return y + 22;
}

static double task_row(cairo_t *cr, double y, int shade,
                       char cell[TCOLS][128])
{
    if (shade) {
        hs_draw_rgb(cr, 0xF5F7FA);
        cairo_rectangle(cr, HS_ML, y, HS_CW, 14);
        cairo_fill(cr);
    }
    hs_draw_rgb(cr, 0x222222);
    double x = HS_ML;
    for (int c = 0; c < TCOLS; c++) {
        hs_draw_font(cr, c == TPEAK ? 7.5 : 8, c == 1);
        if (c == TPEAK && hs_draw_text_w(cr, cell[c]) > TCOLW[c] - 4)
            hs_draw_font(cr, 6,
                         0); /* a 24-hour peak: "Sat 22:00-Sun 22:00 (100%)" */
        hs_draw_text(cr, c == 2 ? x + 3 : x + TCOLW[c] / 2, y + 10,
             c == 2 ? HS_LEFT : HS_CENTRE, TCOLW[c] - 4, cell[c]);
        x += TCOLW[c];
    }
    return y + 14;
}

/* "Tested on the 12 months before: hotspots covering 3% of the county
 * held 80% of the next month's incidents (PAI 27, PEI 0.80)." or "" */
static void backtest_text(const hs_rdata *d, int g, char *b, size_t n)
{
    const hs_rbacktest *t = &d->bt[g];
    *b = '\0';
    if (t->months == 0)
        return;
    char pei[32] = "";
    if (!isnan(t->pei))
        snprintf(pei, sizeof pei, ", PEI %.2f", t->pei);
    snprintf(b, n, "Tested month by month (%ld months), hotspots made from "
             "the months before and covering %.3g%% of the county held %.0f%% "
             "of the next month's incidents on average (PAI %.1f%s; bandwidth "
             "%.0f m).", t->months, 100 * d->task_share, t->hit_rate, t->pai,
             pei, t->bandwidth);
}

/* Why the file has no time-of-week tables, in a sentence. */
static void tow_reason(const hs_rdata *d, char *b, size_t n)
{
    if (d->public_threshold > 0)
        snprintf(b, n, "A public release (--public) leaves out the hours of "
                 "the week: no shares of the peak and no time-of-week page.");
    else if (d->tow_timed == 0)
        snprintf(b, n, "The incidents have no times (police.uk gives months "
                 "only): no hours of the week, so no peak hours and no "
                 "time-of-week page.");
    else
        snprintf(b, n, "This file has no timeofweek table (a run of an older "
                 "Hotspot): no time-of-week page.");
}

/* The tasking page's words on the Peak column. */
static void peak_note(const hs_rdata *d, char *b, size_t n)
{
    char h[16] = "";
    if (d->peak_hours)
        snprintf(h, sizeof h, "%d ", d->peak_hours);
    int k = snprintf(b, n, "\"Peak hours\" are the %shours in a row of the "
                     "week that hold most of the place's incidents in the "
                     "period, with their share of them. ", h);
    if (k < 0 || (size_t)k >= n)
        return;
    if (d->has_tow)
        snprintf(b + k, n - (size_t)k, "The next page shows the board's and "
                 "its hotspots' hours of the week.");
    else
        tow_reason(d, b + k, n - (size_t)k);
}

static void page_tasking(hs_pdf *p, const hs_rdata *d, size_t a)
{
    cairo_t *cr = p->cr;
    const char *aid = d->areas[a].id;
    char b[1400];
    page_head(cr, d, a, "places for tasking", NULL);
    hs_draw_font(cr, 8, 0);
    hs_draw_rgb(cr, 0x333333);
    snprintf(b, sizeof b, "For tasking: the board's own densest places. The "
             "cells of the density map with the highest density in the board, "
             "up to %.3g%% of the board's area, joined where they touch, and "
             "ranked by the incidents inside them in the period (outlined in "
             "violet on the maps, with their priority). A place with fewer "
             "than %ld incidents is left out: that is noise, not a pattern. "
             "\"Hotspot\" is the county hotspot the place lies in (a dash when "
             "it is below the county's hotspot class, as in quieter boards). "
             "\"Where\" is the commonest police.uk location inside it. PAI "
             "(Predictive Accuracy Index) is the place's share of the board's "
             "incidents divided by its share of the board's area: above 1, "
             "incidents concentrate there. The last two columns add up the "
             "places from the top.", 100 * d->task_share, d->min_incidents);
    double y = hs_draw_para(cr, HS_ML, 58, HS_CW, 10, b) + 2;
    peak_note(d, b, sizeof b);
    y = hs_draw_para(cr, HS_ML, y, HS_CW, 10, b) + 10;
    for (int g = 0; g < HS_RG; g++) {
        hs_draw_rgb(cr, GROUP_RGB[g]);
        hs_draw_font(cr, 11, 1);
        hs_draw_textf(cr, HS_ML, y, HS_LEFT, HS_CW, "%s (%s)",
                      hs_rgroup_long[g], hs_rgroup_short[g]);
        y += 7;
        if (!d->has_surf[g]) {
            hs_draw_rgb(cr, 0x333333);
            hs_draw_font(cr, 8.5, 0);
            hs_draw_text(cr, HS_ML, y + 10, HS_LEFT, HS_CW,
                         "No density surface in this file "
                         "for this group, so no places for tasking.");
            y += 34;
            continue;
        }
        char bt[512];
        backtest_text(d, g, bt, sizeof bt);
        if (*bt) {
            hs_draw_rgb(cr, 0x333333);
            hs_draw_font(cr, 7.5, 0);
            y = hs_draw_para(cr, HS_ML, y + 8, HS_CW, 9, bt) - 2;
        }
        y = task_header(cr, y);
        int rows = 0, more = 0;
        char cell[TCOLS][128];
        for (size_t t = 0; t < d->ntask[g]; t++) {
            const hs_rtask *tk = &d->task[g][t];
            if (strcmp(tk->area_id, aid) != 0)
                continue;
            if (rows == TASK_MAX) {
                more++;
                continue;
            }
            snprintf(cell[0], 128, "%d", tk->priority);
            snprintf(cell[1], 128, "%s", tk->hotspot_id ? tk->hotspot_id
                                                          : "\xe2\x80\x93");
            snprintf(cell[2], 128, "%s",
                     tk->label ? tk->label : "(no location)");
            snprintf(cell[3], 128, "%d", tk->cls);
            fmt_count(d, tk->incidents, cell[4], 128);
            snprintf(cell[5], 128, "%.2f", tk->km2);
            if (isnan(tk->pai))
                snprintf(cell[6], 128, "n/a");
            else
                snprintf(cell[6], 128, "%.1f", tk->pai);
            snprintf(cell[7], 128, "%.1f", tk->cum_area_pct);
            if (isnan(tk->cum_incidents_pct))
                snprintf(cell[8], 128, "n/a");
            else
                snprintf(cell[8], 128, "%.1f", tk->cum_incidents_pct);
            fmt_peak(tk->peak, tk->peak_share, cell[9], 128);
            y = task_row(cr, y, rows++ % 2, cell);
        }
        hs_draw_font(cr, 8, 0);
        hs_draw_rgb(cr, 0x333333);
        if (rows == 0) {
            hs_draw_textf(
                cr, HS_ML + 3, y + 10, HS_LEFT, HS_CW,
                "No place in the board's "
                "densest %.3g%% held %ld or more incidents in the period: "
                "nothing stands out to task.",
                100 * d->task_share, d->min_incidents);
            y += 14;
        }
        if (more) {
            hs_draw_textf(cr, HS_ML + 3, y + 10, HS_LEFT, HS_CW,
                          "and %d more (see tasking_%s "
                          "in the GeoPackage)",
                          more, hs_rgroup_key[g]);
            y += 14;
        }
        y += 20;
    }
    hs_pdf_frame(p);
    cairo_show_page(cr);
}

/* ---- the time-of-week page ------------------------------------------------- */

/* Sequential blues (ColorBrewer Blues): white for an hour without
 * incidents, then up to HEAT_CLASSES classes of equal width, the darkest
 * always the busiest hours' class. */
#define HEAT_CLASSES 5
static const uint32_t HEAT_RGB[HEAT_CLASSES + 1] = {
    0xFFFFFF, 0xDEEBF7, 0x9ECAE1, 0x6BAED6, 0x3182BD, 0x08519C};
static const char *const DAYS[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
                                    "Sun"};

/* The classes of a grid: (k - 1) step < v <= k step, k = 1 .. ncls. */
typedef struct hscale {
    double step, vmax; /* vmax: the busiest hour's incidents */
    int ncls, whole;   /* whole: every value a whole number  */
} hscale;

/* A 7 x 24 grid: cells from (x, y), days down, hours across. */
typedef struct hgrid {
    double x, y, cw, ch;
    hscale sc;
} hgrid;

/* Classes for v[HS_RTOW] (NULL: none): the least round width (1, 2, 2.5
 * or 5 times a power of ten; whole numbers for whole counts) that needs
 * no more than HEAT_CLASSES classes. */
static hscale heat_scale(const double *v)
{
    hscale sc = {1, 0, 1, 1};
    double vmax = 0;
    for (int s = 0; v && s < HS_RTOW; s++) {
        vmax = v[s] > vmax ? v[s] : vmax;
        sc.whole &= v[s] == floor(v[s]);
    }
    if (!(vmax > 0))
        return sc;
    sc.vmax = vmax;
    double raw = vmax / HEAT_CLASSES, p = pow(10, floor(log10(raw)));
    double m = raw / p;
    sc.step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
    if (sc.whole && sc.step < 1)
        sc.step = 1;
    sc.ncls = (int)ceil(vmax / sc.step - 1e-9);
    sc.ncls = sc.ncls < 1 ? 1 : sc.ncls > HEAT_CLASSES ? HEAT_CLASSES : sc.ncls;
    return sc;
}

/* The colour of class k (0: none), spread over the ramp. */
static uint32_t heat_class_rgb(const hscale *sc, int k)
{
    if (k <= 0)
        return HEAT_RGB[0];
    if (sc->ncls == 1)
        return HEAT_RGB[HEAT_CLASSES];
    return HEAT_RGB[1 + (int)lround((k - 1) * (HEAT_CLASSES - 1.0) /
                                    (sc->ncls - 1))];
}

static uint32_t heat_rgb(const hscale *sc, double v)
{
    if (!(v > 0))
        return HEAT_RGB[0];
    int k = (int)ceil(v / sc->step - 1e-9);
    return heat_class_rgb(sc, k < 1 ? 1 : k > sc->ncls ? sc->ncls : k);
}

/* The cells of v[HS_RTOW], hairlines between them, a frame. */
static void heat_cells(cairo_t *cr, const hgrid *h, const double *v)
{
    for (int s = 0; s < HS_RTOW; s++) {
        hs_draw_rgb(cr, heat_rgb(&h->sc, v ? v[s] : 0));
        cairo_rectangle(cr, h->x + (s % 24) * h->cw, h->y + (s / 24) * h->ch,
                        h->cw, h->ch);
        cairo_fill(cr);
    }
    hs_draw_rgb(cr, 0xD9D9D9);
    cairo_set_line_width(cr, 0.3);
    for (int c = 1; c < 24; c++) {
        cairo_move_to(cr, h->x + c * h->cw, h->y);
        cairo_line_to(cr, h->x + c * h->cw, h->y + 7 * h->ch);
    }
    for (int r = 1; r < 7; r++) {
        cairo_move_to(cr, h->x, h->y + r * h->ch);
        cairo_line_to(cr, h->x + 24 * h->cw, h->y + r * h->ch);
    }
    cairo_stroke(cr);
    hs_draw_rgb(cr, 0x777777);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, h->x, h->y, 24 * h->cw, 7 * h->ch);
    cairo_stroke(cr);
}

/* Day names left of the rows, hours under the columns (every hour, or
 * every `every` hours). */
static void heat_axes(cairo_t *cr, const hgrid *h, double size, int every)
{
    hs_draw_rgb(cr, 0x333333);
    hs_draw_font(cr, size, 0);
    for (int r = 0; r < 7; r++)
        hs_draw_text(cr, h->x - 3, h->y + (r + 0.5) * h->ch + size * 0.35,
                     HS_RIGHT, 0, DAYS[r]);
    for (int c = 0; c < 24; c += every)
        hs_draw_textf(cr, h->x + (c + 0.5) * h->cw,
                      h->y + 7 * h->ch + size + 1.5, HS_CENTRE, 0, "%02d", c);
}

/* Outlines the peak: hours from slot start, wrapping to the next day and
 * from Sunday to Monday, one box a day. */
static void heat_peak(cairo_t *cr, const hgrid *h, int start, int hours)
{
    cairo_set_line_width(cr, 1.3);
    hs_draw_rgb(cr, 0x111111);
    for (int done = 0; done < hours;) {
        int s = (start + done) % HS_RTOW, len = 24 - s % 24;
        len = len > hours - done ? hours - done : len;
        cairo_rectangle(cr, h->x + (s % 24) * h->cw, h->y + (s / 24) * h->ch,
                        len * h->cw, h->ch);
        cairo_stroke(cr);
        done += len;
    }
}

/* "2 to 4" for class k (0: "none"; whole counts a class apart: "3"). */
static void heat_class_text(const hscale *sc, int k, char *b, size_t n)
{
    if (k == 0)
        snprintf(b, n, "none");
    else if (sc->whole && sc->step == 1)
        snprintf(b, n, "%d", k);
    else
        snprintf(b, n, "%g to %g", (k - 1) * sc->step, k * sc->step);
}

/* The key of a board's grid, down its right side from y: a swatch and
 * its range a class, in incidents in the hour. */
static void heat_key(cairo_t *cr, double x, double y, double w,
                     const hscale *sc)
{
    char b[64];
    hs_draw_font(cr, 6.5, 0);
    for (int k = 0; k <= sc->ncls; k++) {
        double yy = y + k * 11;
        hs_draw_rgb(cr, heat_class_rgb(sc, k));
        cairo_rectangle(cr, x, yy, 10, 8);
        cairo_fill_preserve(cr);
        hs_draw_rgb(cr, 0x777777);
        cairo_set_line_width(cr, 0.4);
        cairo_stroke(cr);
        heat_class_text(sc, k, b, sizeof b);
        hs_draw_rgb(cr, 0x222222);
        hs_draw_text(cr, x + 13, yy + 7, HS_LEFT, w - 13, b);
    }
}

/* Group g's grid for area a from y; returns the y below it. */
static double board_grid(cairo_t *cr, const hs_rdata *d, size_t a, int g,
                         double y)
{
    const double kw = 52, lw = 22;
    const double *v = d->tow[g] + a * HS_RTOW;
    double total = 0;
    for (int s = 0; s < HS_RTOW; s++)
        total += v[s];
    hgrid h = {HS_ML + lw, y + 6, (HS_CW - lw - kw - 6) / 24, 11.5,
               heat_scale(v)};
    hs_draw_rgb(cr, GROUP_RGB[g]);
    hs_draw_font(cr, 9.5, 1);
    hs_draw_textf(cr, HS_ML, y, HS_LEFT, HS_CW - kw - 150, "%s (%s)",
                  hs_rgroup_long[g], hs_rgroup_short[g]);
    hs_draw_rgb(cr, 0x333333);
    hs_draw_font(cr, 7.5, 0);
    if (total > 0)
        hs_draw_textf(cr, HS_ML + HS_CW - kw - 6, y, HS_RIGHT, 140,
                      "%.0f incidents with a "
                      "time",
                      total);
    else
        hs_draw_text(cr, HS_ML + HS_CW - kw - 6, y, HS_RIGHT, 140,
                     "no incidents with a time");
    hs_draw_font(cr, 6.5, 1);
    hs_draw_text(cr, HS_ML + HS_CW - kw, y, HS_LEFT, kw, "Incidents");
    heat_cells(cr, &h, v);
    heat_axes(cr, &h, 6.5, 1);
    heat_key(cr, HS_ML + HS_CW - kw, h.y + 2, kw, &h.sc);
    return h.y + 7 * h.ch + 24;
}

/* The hotspots of this board's places for tasking, once each, in group
 * and priority order; returns how many (up to max). */
static size_t tasked_hotspots(const hs_rdata *d, size_t a,
                              const hs_rhot **out, size_t max, size_t *all)
{
    size_t n = 0;
    *all = 0;
    for (int g = 0; g < HS_RG; g++)
        for (size_t t = 0; t < d->ntask[g]; t++) {
            const hs_rtask *tk = &d->task[g][t];
            const hs_rhot *h = hs_rdata_find_hot(d, tk->hotspot_id);
            int seen = 0;
            if (!h || strcmp(tk->area_id, d->areas[a].id) != 0)
                continue;
            for (size_t k = 0; k < n && !seen; k++)
                seen = out[k] == h;
            if (seen)
                continue;
            if (n < max)
                out[n++] = h;
            ++*all;
        }
    return n;
}

/* A small grid's scale, right-aligned at (x, y): its classes' swatches
 * and the top of the last ("to 12"); returns the width used. */
static double mini_key(cairo_t *cr, const hscale *sc, double x, double y)
{
    char top[32];
    snprintf(top, sizeof top, "to %g", sc->ncls * sc->step);
    hs_draw_rgb(cr, 0x333333);
    hs_draw_font(cr, 6.5, 0);
    double w = hs_draw_text(cr, x, y, HS_RIGHT, 0, top) + 3;
    for (int k = sc->ncls; k >= 1; k--) {
        w += 6;
        hs_draw_rgb(cr, heat_class_rgb(sc, k));
        cairo_rectangle(cr, x - w, y - 5.5, 6, 6);
        cairo_fill(cr);
    }
    return w + 4;
}

/* A hotspot's small grid in the box from (x, y), w wide: its id and
 * location, its peak and scale, the hours. */
static void hotspot_grid(cairo_t *cr, const hs_rhot *hp, double x, double y,
                         double w)
{
    const double lw = 17;
    int start, hours;
    hgrid h = {x + lw, y + 16, (w - lw) / 24, 7.2, heat_scale(hp->tow)};
    char b[160], pk[96];
    hs_draw_rgb(cr, 0x111111);
    hs_draw_font(cr, 7.5, 1);
    double iw = hs_draw_text(cr, x, y, HS_LEFT, w / 2, hp->id);
    hs_draw_font(cr, 7.5, 0);
    hs_draw_text(cr, x + iw + 5, y, HS_LEFT, w - iw - 5,
         hp->label ? hp->label : "(no location)");
    int any = h.sc.vmax > 0;
    double kw = any ? mini_key(cr, &h.sc, x + w, y + 9.5) : 0;
    fmt_peak(hp->peak, hp->peak_share, pk, sizeof pk);
    snprintf(b, sizeof b, any ? "Peak %s" : "No incidents with a time",
             hp->peak ? pk : "none");
    hs_draw_rgb(cr, 0x333333);
    hs_draw_font(cr, 6.5, 0);
    hs_draw_text(cr, x, y + 9.5, HS_LEFT, w - kw, b);
    heat_cells(cr, &h, hp->tow);
    heat_axes(cr, &h, 5, 6);
    if (any && hs_rdata_peak(hp->peak, &start, &hours) == 0)
        heat_peak(cr, &h, start, hours);
}

/* The small grids of the board's tasked hotspots, three a row, from y. */
static void hotspot_grids(cairo_t *cr, const hs_rdata *d, size_t a, double y)
{
    const double gap = 14, w = (HS_CW - 2 * gap) / 3, rh = 88;
    const hs_rhot *list[60];
    size_t rows = (size_t)fmax(0, floor((HS_PH - 96 - y) / rh));
    size_t all, n = tasked_hotspots(d, a, list, rows * 3 < 60 ? rows * 3 : 60,
                                    &all);
    hs_draw_rgb(cr, 0x333333);
    hs_draw_font(cr, 8, 0);
    if (!d->has_hot_tow) {
        hs_draw_text(cr, HS_ML, y + 4, HS_LEFT, HS_CW,
                     "No hotspot_timeofweek table in this "
                     "file.");
        return;
    }
    if (all == 0) {
        hs_draw_text(cr, HS_ML, y + 4, HS_LEFT, HS_CW,
                     "No place for tasking in this board "
                     "lies in a county hotspot.");
        return;
    }
    for (size_t k = 0; k < n; k++)
        hotspot_grid(cr, list[k], HS_ML + (double)(k % 3) * (w + gap),
                     y + (double)(k / 3) * rh, w);
    if (all > n) {
        hs_draw_rgb(cr, 0x333333);
        hs_draw_font(cr, 8, 0);
        hs_draw_textf(cr, HS_ML, y + ((n + 2) / 3) * rh, HS_LEFT, HS_CW,
                      "and %zu more (see "
                      "hotspot_timeofweek in the GeoPackage)",
                      all - n);
    }
}

/* The time-of-week page of area a: a grid a group, then the tasked
 * hotspots' grids. */
static void page_timeofweek(hs_pdf *p, const hs_rdata *d, size_t a)
{
    cairo_t *cr = p->cr;
    char per[48], b[600], hrs[16] = "";
    hs_fmt_period(d->cur_from, d->cur_to, per, sizeof per);
    page_head(cr, d, a, "when incidents happen", NULL);
    hs_draw_font(cr, 8, 0);
    hs_draw_rgb(cr, 0x333333);
    snprintf(b, sizeof b, "Incidents by the weekday and hour they happened, "
             "%s. A cell adds up the period's incidents in that hour of the "
             "week (every Friday 22:00 to 23:00, say): the darker, the more, "
             "each grid on its own scale. An incident recorded over a window "
             "of time counts in part in each hour of it.", per);
    double y = hs_draw_para(cr, HS_ML, 54, HS_CW, 10, b) + 12;
    for (int g = 0; g < HS_RG; g++)
        y = board_grid(cr, d, a, g, y);
    y = hs_draw_heading(cr, y, "The hours of the hotspots for tasking");
    hs_draw_font(cr, 7.5, 0);
    hs_draw_rgb(cr, 0x333333);
    if (!d->has_surf[0] && !d->has_surf[1] && !d->has_surf[2]) {
        hs_draw_para(
            cr, HS_ML, y, HS_CW, 9.5,
            "No density surfaces in this file (the run "
            "used --kde no), so no hotspots and no places for tasking.");
    } else {
        if (d->peak_hours)
            snprintf(hrs, sizeof hrs, "%d ", d->peak_hours);
        snprintf(b, sizeof b, "The county hotspots holding this board's places "
                 "for tasking (previous page), over all their boards. "
                 "Outlined: the peak, the %shours in a row holding most of the "
                 "hotspot's incidents, with their share. Beside it, the grid's "
                 "scale: the same blues, in equal steps up to the number "
                 "given.", hrs);
        y = hs_draw_para(cr, HS_ML, y, HS_CW, 9.5, b) + 10;
        hotspot_grids(cr, d, a, y);
    }
    hs_pdf_frame(p);
    cairo_show_page(cr);
}

/* The county page: totals, every area's rates, the top hotspots. */
/* Group g's emerging and persistent hot spots in a sentence; 0 without
 * emerging_<group>. */
static int emerging_text(const hs_rdata *d, int g, char *b, size_t n)
{
    const hs_remerging *e = &d->em[g];
    if (!e->has)
        return 0;
    const long *c = e->n + 8; /* by category, -8 .. 8 */
    int k = snprintf(b, n, "Emerging and persistent Gi* hot spots");
    if (e->months)
        k += snprintf(b + k, n - (size_t)k, " over %ld months", e->months);
    k += snprintf(b + k, n - (size_t)k,
                  ", cells: %ld persistent, %ld "
                  "intensifying, %ld new, %ld consecutive",
                  c[4], c[3], c[1], c[2]);
    if (e->top_n[0] > 0) {
        k += snprintf(b + k, n - (size_t)k, "; most in");
        for (int t = 0; t < HS_REM_TOP && e->top_n[t] > 0 && k < (int)n; t++)
            k += snprintf(b + k, n - (size_t)k, "%s %s (%ld)", t ? "," : "",
                          e->top_area[t], e->top_n[t]);
    }
    if (k < (int)n)
        snprintf(b + k, n - (size_t)k, ".");
    return 1;
}

static void page_county(hs_pdf *p, const hs_rdata *d)
{
    cairo_t *cr = p->cr;
    char per[48], prev[48], b[128], pop[32];
    double km2 = 0;
    for (size_t a = 0; a < d->nareas; a++)
        km2 += isnan(d->areas[a].km2) ? 0 : d->areas[a].km2;
    hs_fmt_period(d->cur_from, d->cur_to, per, sizeof per);
    hs_draw_rgb(cr, 0x1F3A5F);
    hs_draw_font(cr, 18, 1);
    hs_draw_textf(cr, HS_ML, 44, HS_LEFT, HS_CW,
                  "County summary: all %zu area boards", d->nareas);
    hs_draw_rgb(cr, 0x333333);
    hs_draw_font(cr, 9.5, 0);
    hs_draw_textf(cr, HS_ML, 60, HS_LEFT, HS_CW,
                  "Crime and anti-social behaviour, %s (%d "
                  "months)",
                  per, d->cur_to - d->cur_from + 1);
    if (*d->when)
        hs_draw_textf(cr, HS_ML, 86, HS_LEFT, HS_CW, "Only incidents in: %s",
                      d->when);
    hs_fmt_int(lround(d->study_pop), pop, sizeof pop);
    hs_draw_textf(cr, HS_ML, 73, HS_LEFT, HS_CW,
                  "Residents: %s   Area: %.1f km\xc2\xb2", pop, km2);
    double y = hs_draw_heading(cr, 98, "Totals");
    static const char *const th[] = {"Group", "Incidents", "Rate per 1,000",
                                     "A year earlier", "Change", "Hotspots",
                                     "Boards \xe2\x96\xb2 / \xe2\x96\xbc"};
    static const double tw[] = {138, 52, 84, 62, 72, 44, 63};
    double x = HS_ML;
    hs_draw_rgb(cr, 0x1F3A5F);
    cairo_rectangle(cr, HS_ML, y, HS_CW, 16);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    hs_draw_font(cr, 7.5, 1);
    for (int c = 0; c < 7; c++) {
        hs_draw_text(cr, c ? x + tw[c] / 2 : x + 4, y + 11,
                     c ? HS_CENTRE : HS_LEFT, tw[c] - 2, th[c]);
        x += tw[c];
    }
    y += 16;
    for (int g = 0; g < HS_RG; g++) {
        double n = 0, n0 = 0;
        int hi = 0, lo = 0, cmp = d->prev_from >= 0, sup = 0, sup0 = 0;
        double rate = NAN;
        for (size_t a = 0; a < d->nareas; a++) {
            const hs_rrate *r = &d->rates[g][a];
            if (isnan(r->rate) && !r->suppressed)
                continue; /* as the study rate: areas with a population */
            n += r->count;
            n0 += r->prev_count > 0 ? r->prev_count : 0;
            sup |= r->suppressed;
            sup0 |= r->prev_suppressed;
            rate = r->study;
            hi += strcmp(r->vs, "higher") == 0;
            lo += strcmp(r->vs, "lower") == 0;
        }
        char cell[7][96];
        snprintf(cell[0], 96, "%s", hs_rgroup_long[g]);
        /* --public: the total is the study rate's, when it is published */
        if (sup)
            n = isnan(rate) ? -1 : lround(rate * d->study_pop / 1000);
        fmt_count(d, n, cell[1], 96);
        if (n < 0)
            snprintf(cell[1], 96, "suppressed");
        fmt_rate(rate, cell[2], 96);
        if (cmp) {
            fmt_count(d, n0, cell[3], 96);
            int dp = d->shares;
            if (n0 > 0)
                snprintf(cell[4], 96, "%+.*f (%+.1f%%)", dp, n - n0,
                         100.0 * (n - n0) / n0);
            else
                snprintf(cell[4], 96, "%+.*f", dp, n - n0);
        } else {
            snprintf(cell[3], 96, "n/a");
            snprintf(cell[4], 96, "n/a");
        }
        if (cmp && (sup0 || n < 0)) {
            if (sup0)
                snprintf(cell[3], 96, "suppressed");
            snprintf(cell[4], 96, "suppressed");
        }
        snprintf(cell[5], 96, d->has_surf[g] ? "%zu" : "n/a", d->nhot[g]);
        snprintf(cell[6], 96, "%d / %d", hi, lo);
        if (g % 2) {
            hs_draw_rgb(cr, 0xF2F5F9);
            cairo_rectangle(cr, HS_ML, y, HS_CW, 15);
            cairo_fill(cr);
        }
        hs_draw_rgb(cr, 0x222222);
        hs_draw_font(cr, 8, 0);
        x = HS_ML;
        for (int c = 0; c < 7; c++) {
            hs_draw_text(cr, c ? x + tw[c] / 2 : x + 4, y + 11,
                         c ? HS_CENTRE : HS_LEFT, tw[c] - 4, cell[c]);
            x += tw[c];
        }
        y += 15;
    }
    if (d->prev_from >= 0) {
        hs_fmt_period(d->prev_from, d->prev_to, prev, sizeof prev);
        hs_draw_font(cr, 7.5, 0);
        hs_draw_rgb(cr, 0x333333);
        hs_draw_textf(cr, HS_ML, y + 11, HS_LEFT, HS_CW,
                      "Rates per 1,000 residents. A year "
                      "earlier: %s. Boards \xe2\x96\xb2 / \xe2\x96\xbc: boards "
                      "significantly higher / lower than the county rate.",
                      prev);
        y += 14;
    }
    y = hs_draw_heading(cr, y + 20, "Rate per 1,000 residents by area board");
    static const double aw[] = {200, 70, 81, 82, 82};
    x = HS_ML;
    hs_draw_rgb(cr, 0x1F3A5F);
    cairo_rectangle(cr, HS_ML, y, HS_CW, 16);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    hs_draw_font(cr, 7.5, 1);
    static const char *const ah[] = {"Area board", "Residents"};
    for (int c = 0; c < 5; c++) {
        hs_draw_text(cr, c ? x + aw[c] / 2 : x + 4, y + 11,
                     c ? HS_CENTRE : HS_LEFT, aw[c] - 2,
                     c < 2 ? ah[c] : hs_rgroup_short[c - 2]);
        x += aw[c];
    }
    y += 16;
    /* rows that fit above the hotspot list and the footer */
    double list_h = 20 + HS_RG * 4 * 11.5 + 30;
    size_t fit_rows = (size_t)fmax(1, floor((HS_PH - 80 - list_h - y) / 12.5));
    size_t shown = d->nareas < fit_rows ? d->nareas : fit_rows - 1;
    for (size_t a = 0; a < shown; a++) {
        if (a % 2) {
            hs_draw_rgb(cr, 0xF2F5F9);
            cairo_rectangle(cr, HS_ML, y, HS_CW, 12.5);
            cairo_fill(cr);
        }
        x = HS_ML;
        hs_draw_rgb(cr, 0x222222);
        hs_draw_font(cr, 7.5, 0);
        hs_draw_textf(cr, x + 4, y + 9, HS_LEFT, aw[0] - 6, "%s (%s)",
                      d->areas[a].name, d->areas[a].id);
        x += aw[0];
        if (isnan(d->areas[a].pop))
            snprintf(pop, sizeof pop, "unknown");
        else
            hs_fmt_int(lround(d->areas[a].pop), pop, sizeof pop);
        hs_draw_text(cr, x + aw[1] / 2, y + 9, HS_CENTRE, 0, pop);
        x += aw[1];
        for (int g = 0; g < HS_RG; g++) {
            const hs_rrate *r = &d->rates[g][a];
            fmt_rate(r->rate, b, sizeof b);
            if (r->suppressed)
                snprintf(b, sizeof b, "suppressed");
            hs_draw_rgb(cr, 0x222222);
            if (strcmp(r->vs, "higher") == 0) {
                hs_draw_rgb(cr, 0xB2182B);
                strcat(b, " \xe2\x96\xb2"); /* up triangle */
            } else if (strcmp(r->vs, "lower") == 0) {
                hs_draw_rgb(cr, 0x2166AC);
                strcat(b, " \xe2\x96\xbc"); /* down triangle */
            }
            hs_draw_text(cr, x + aw[2 + g] / 2, y + 9, HS_CENTRE, 0, b);
            x += aw[2 + g];
        }
        y += 12.5;
    }
    hs_draw_font(cr, 7.5, 0);
    hs_draw_rgb(cr, 0x333333);
    if (shown < d->nareas) {
        hs_draw_textf(cr, HS_ML + 4, y + 9, HS_LEFT, HS_CW,
                      "and %zu more area boards: see "
                      "the rates_<group> layers in the GeoPackage",
                      d->nareas - shown);
        y += 12.5;
    }
    hs_draw_text(
        cr, HS_ML, y + 11, HS_LEFT, HS_CW,
        "\xe2\x96\xb2 significantly higher than the "
        "county rate, \xe2\x96\xbc significantly lower (95% interval).");
    y = hs_draw_heading(cr, y + 30, "Largest hotspots");
    for (int g = 0; g < HS_RG; g++) {
        hs_draw_rgb(cr, GROUP_RGB[g]);
        hs_draw_font(cr, 8.5, 1);
        hs_draw_textf(cr, HS_ML, y, HS_LEFT, HS_CW, "%s (%s)",
                      hs_rgroup_long[g], hs_rgroup_short[g]);
        y += 11.5;
        hs_draw_rgb(cr, 0x222222);
        hs_draw_font(cr, 8, 0);
        if (!d->has_surf[g] || d->nhot[g] == 0) {
            hs_draw_text(cr, HS_ML + 10, y, HS_LEFT, HS_CW,
                         d->has_surf[g] ? "no hotspots"
                                        : "no density surface in this file");
            y += 11.5;
            continue;
        }
        char bt[512];
        backtest_text(d, g, bt, sizeof bt);
        if (*bt) {
            hs_draw_font(cr, 7.5, 0);
            y = hs_draw_para(cr, HS_ML + 10, y, HS_CW - 10, 9, bt) + 2;
            hs_draw_font(cr, 8, 0);
        }
        for (size_t h = 0; h < d->nhot[g] && h < 3; h++) {
            const hs_rhot *hp = &d->hot[g][h];
            long ai = hp->area_id ? hs_rdata_find_area(d, hp->area_id) : -1;
            fmt_count(d, hp->incidents, b, sizeof b);
            hs_draw_textf(cr, HS_ML + 10, y, HS_LEFT, HS_CW - 10,
                          "%s  %s, %s: %s incidents in "
                          "%.2f km\xc2\xb2 (%.1f%% of the county's)%s%s",
                          hp->id, ai >= 0 ? d->areas[ai].name : "no board",
                          hp->label ? hp->label : "(no location)", b, hp->km2,
                          hp->share_pct, hp->status ? "; " : "",
                          hp->status ? hp->status : "");
            y += 11.5;
        }
        char em[512];
        if (emerging_text(d, g, em, sizeof em)) {
            hs_draw_font(cr, 7.5, 0);
            y = hs_draw_para(cr, HS_ML + 10, y, HS_CW - 10, 9, em) + 4;
        }
    }
    hs_pdf_frame(p);
    cairo_show_page(cr);
}

/* ---- the county's hotspot trends ------------------------------------------ */

#define TOP_HOT 5 /* hotspots a chart */
/* Their lines: Okabe-Ito colours and dashes, apart in grey print too. */
static const uint32_t TOP_RGB[TOP_HOT] = {0x0072B2, 0xD55E00, 0x009E73,
                                          0xCC79A7, 0x000000};
static const double TOP_DASH[TOP_HOT][2] = {{0, 0}, {5, 2.5}, {1.5, 2},
                                            {8, 2.5}, {3, 3}};

/* Group g's hotspots with a monthly series, the first max by rank. */
static size_t top_hot(const hs_rdata *d, int g, const hs_rhot **out,
                      size_t max)
{
    size_t n = 0;
    while (n < max) {
        const hs_rhot *best = NULL;
        for (size_t h = 0; h < d->nhot[g]; h++) {
            const hs_rhot *hp = &d->hot[g][h];
            int taken = !hp->monthly;
            for (size_t k = 0; k < n && !taken; k++)
                taken = out[k] == hp;
            if (!taken && (!best || hp->rank < best->rank))
                best = hp;
        }
        if (!best)
            break;
        out[n++] = best;
    }
    return n;
}

/* With --previous: "persisting; first seen Jan 2024, 3 months"; else "". */
static void hot_status(const hs_rhot *hp, char *b, size_t n)
{
    char first[16] = "";
    int32_t m;
    *b = '\0';
    if (!hp->status)
        return;
    if (hp->first_seen &&
        hs_month_parse(hp->first_seen, strlen(hp->first_seen), &m) == 0)
        hs_fmt_month(m, first, sizeof first);
    if (*first && hp->months_seen > 0)
        snprintf(b, n, "%s; first seen %s, %ld month%s", hp->status, first,
                 hp->months_seen, hp->months_seen == 1 ? "" : "s");
    else
        snprintf(b, n, "%s", hp->status);
}

/* The key of a trend chart, down from (x, y), w wide: a line sample, the
 * id and board, the location and the status under them. */
static void trend_key(cairo_t *cr, const hs_rdata *d, const hs_rhot **hp,
                      size_t n, double x, double y, double w)
{
    char st[160];
    for (size_t k = 0; k < n; k++) {
        long ai = hp[k]->area_id ? hs_rdata_find_area(d, hp[k]->area_id) : -1;
        hs_draw_line_key(cr, x, y - 3, TOP_RGB[k], TOP_DASH[k]);
        hs_draw_rgb(cr, 0x111111);
        hs_draw_font(cr, 8, 1);
        double iw = hs_draw_text(cr, x + 27, y, HS_LEFT, 0, hp[k]->id);
        hs_draw_font(cr, 8, 0);
        hs_draw_text(cr, x + 31 + iw, y, HS_LEFT, w - 31 - iw,
             ai >= 0 ? d->areas[ai].name : "no board");
        hs_draw_rgb(cr, 0x444444);
        hs_draw_font(cr, 7, 0);
        hs_draw_text(cr, x + 27, y + 9, HS_LEFT, w - 27,
             hp[k]->label ? hp[k]->label : "(no location)");
        hot_status(hp[k], st, sizeof st);
        if (*st)
            hs_draw_text(cr, x + 27, y + 18, HS_LEFT, w - 27, st);
        y += *st ? 31 : 23;
    }
}

/* Group g's chart: its top hotspots' incidents a month, from y, h high. */
static void hot_trend(cairo_t *cr, const hs_rdata *d, int g, double y,
                      double h)
{
    const double kw = 180;
    const hs_rhot *hp[TOP_HOT];
    size_t n = d->has_surf[g] ? top_hot(d, g, hp, TOP_HOT) : 0;
    double vmax = 0, step;
    hs_draw_rgb(cr, GROUP_RGB[g]);
    hs_draw_font(cr, 9.5, 1);
    hs_draw_textf(cr, HS_ML, y, HS_LEFT, HS_CW, "%s (%s)", hs_rgroup_long[g],
          hs_rgroup_short[g]);
    if (n == 0) {
        hs_draw_rgb(cr, 0x333333);
        hs_draw_font(cr, 8, 0);
        hs_draw_text(cr, HS_ML, y + 14, HS_LEFT, HS_CW, d->has_surf[g]
             ? "No hotspots with a monthly series."
             : "No density surface in this file for this group, so no "
               "hotspots.");
        return;
    }
    for (size_t k = 0; k < n; k++)
        for (int m = 0; m < d->hm_nmonths; m++)
            vmax = hp[k]->monthly[m] > vmax ? hp[k]->monthly[m] : vmax;
    hs_chart c = {d->hm_month0, d->hm_nmonths, HS_ML + 44, y + 22,
                HS_CW - 44 - kw - 12, h - 22 - 30, 0};
    c.ymax = hs_chart_ymax(vmax, &step);
    chart_axes(cr, d, &c, step);
    for (size_t k = n; k-- > 0;) /* the top hotspot drawn last, on top */
        hs_chart_line(cr, &c,
                      &(hs_cline){hp[k]->monthly, TOP_RGB[k], TOP_DASH[k]});
    trend_key(cr, d, hp, n, HS_ML + HS_CW - kw, c.py + 6, kw);
}

/* Whether the county has a trend page: hotspot_monthly with months and a
 * hotspot with a series. */
/* County page: "Table 1", each target's progress (--targets), and the gap
 * between the priority areas and the rest (--priority-areas). */
static void page_progress(hs_pdf *p, const hs_rdata *d)
{
    cairo_t *cr = p->cr;
    double y = 40;
    if (d->ntargets) {
        y = hs_draw_heading(cr, y, "Table 1: performance against targets");
        static const char *const th[] = {"Area", "Group", "Period", "Target",
                                         "So far", "A year earlier",
                                         "Projected", "Status"};
        static const double tw[] = {70, 62, 56, 58, 58, 90, 62, 59};
        double x = HS_ML;
        hs_draw_rgb(cr, 0x1F3A5F);
        cairo_rectangle(cr, HS_ML, y, HS_CW, 16);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        hs_draw_font(cr, 7.5, 1);
        for (int c = 0; c < 8; c++) {
            hs_draw_text(cr, x + tw[c] / 2, y + 11, HS_CENTRE, tw[c] - 2,
                         th[c]);
            x += tw[c];
        }
        y += 16;
        for (size_t k = 0; k < d->ntargets && y < HS_PH - 160; k++) {
            const hs_rtarget *t = &d->targets[k];
            char cell[8][64];
            snprintf(cell[0], 64, "%s", t->area_id);
            snprintf(cell[1], 64, "%s", t->group);
            snprintf(cell[2], 64, "%s", t->period);
            fmt_count(d, t->target, cell[3], 64);
            fmt_count(d, t->count, cell[4], 64);
            if (isnan(t->prev_count))
                snprintf(cell[5], 64, "not in the data");
            else
                fmt_count(d, t->prev_count, cell[5], 64);
            if (isnan(t->projected))
                snprintf(cell[6], 64, "not started");
            else
                fmt_count(d, round(t->projected), cell[6], 64);
            snprintf(cell[7], 64, "%s", t->status);
            uint32_t sc = strcmp(t->status, "green") == 0 ? 0x1A9850
                          : strcmp(t->status, "amber") == 0 ? 0xF0A30A
                          : strcmp(t->status, "red") == 0 ? 0xD73027 : 0x999999;
            if (k % 2) {
                hs_draw_rgb(cr, 0xF2F5F9);
                cairo_rectangle(cr, HS_ML, y, HS_CW, 15);
                cairo_fill(cr);
            }
            x = HS_ML;
            hs_draw_font(cr, 8, 0);
            for (int c = 0; c < 8; c++) {
                if (c == 7) {
                    hs_draw_rgb(cr, sc);
                    cairo_rectangle(cr, x + 4, y + 2, tw[c] - 8, 11);
                    cairo_fill(cr);
                    cairo_set_source_rgb(cr, 1, 1, 1);
                } else {
                    hs_draw_rgb(cr, 0x222222);
                }
                hs_draw_text(cr, x + tw[c] / 2, y + 11, HS_CENTRE, tw[c] - 4,
                             cell[c]);
                x += tw[c];
            }
            y += 15;
        }
        hs_draw_font(cr, 7.5, 0);
        hs_draw_rgb(cr, 0x333333);
        y = hs_draw_para(
                cr, HS_ML, y + 6, HS_CW, 9.5,
                "A year earlier: the same months. "
                "Projected: the count so far scaled "
                "by last year's whole period over last year's same months "
                "(seasonality respected), or in a straight line when last "
                "year is not in the data; the count itself once the period "
                "is over. Green: projected at or under the target; amber: "
                "up to the amber margin above it; red: beyond.") +
            14;
    }
    if (d->has_gap) {
        y = hs_draw_heading(cr, y, "Priority areas against the rest");
        hs_draw_font(cr, 8.5, 0);
        hs_draw_rgb(cr, 0x222222);
        for (int g = 0; g < HS_RG; g++) {
            const hs_rgap *r = &d->gap[g];
            char b[400], prev[96] = "";
            if (!r->present)
                continue;
            if (!isnan(r->prev_ratio))
                snprintf(prev, sizeof prev, "; %.2f a year earlier: %s (exact "
                         "test p %.2g)", r->prev_ratio,
                         strcmp(r->word, "narrowed") == 0 ? "the gap narrowed"
                         : strcmp(r->word, "widened") == 0 ? "the gap widened"
                         : "no significant change in the gap", r->change_p);
            snprintf(b, sizeof b, "%s: the priority areas' rate is %.2f times "
                     "the rest's (95%% interval %.2f to %.2f)%s.",
                     hs_rgroup_long[g], r->ratio, r->low, r->high, prev);
            y = hs_draw_para(cr, HS_ML, y, HS_CW, 11, b) + 4;
        }
    }
    hs_pdf_frame(p);
    cairo_show_page(cr);
}

static int has_trends(const hs_rdata *d)
{
    const hs_rhot *hp;
    for (int g = 0; d->has_hot_monthly && d->hm_nmonths > 0 && g < HS_RG; g++)
        if (d->has_surf[g] && top_hot(d, g, &hp, 1))
            return 1;
    return 0;
}

/* The county's second page: each group's top hotspots month by month. */
static void page_hot_trends(hs_pdf *p, const hs_rdata *d)
{
    cairo_t *cr = p->cr;
    char per[48], b[400];
    hs_fmt_period(d->hm_month0, d->hm_month0 + d->hm_nmonths - 1, per,
                  sizeof per);
    hs_draw_rgb(cr, 0x1F3A5F);
    hs_draw_font(cr, 14, 1);
    hs_draw_text(cr, HS_ML, 40, HS_LEFT, HS_CW,
                 "County: the largest hotspots month by month");
    hs_draw_font(cr, 8, 0);
    hs_draw_rgb(cr, 0x333333);
    snprintf(b, sizeof b, "Incidents a month in each group's %d largest "
             "hotspots (by rank, as on the previous page), %s: the incidents "
             "inside today's hotspot in each month, before and during the "
             "analysis period.", TOP_HOT, per);
    double y = hs_draw_para(cr, HS_ML, 54, HS_CW, 10, b) + 14;
    double h = (HS_PH - 86 - y) / HS_RG;
    for (int g = 0; g < HS_RG; g++)
        hot_trend(cr, d, g, y + g * h, h - 10);
    hs_pdf_frame(p);
    cairo_show_page(cr);
}

/* ---- files ------------------------------------------------------------------ */

void hs_report_file_name(const char *id, char *out, size_t n)
{
    size_t k = 0;
    int changed = 0;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)id; *c; c++) {
        h = (h ^ *c) * 16777619u;
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                 (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' ||
                 (*c == '.' && k > 0);
        if (k + 1 < n && k < 80)
            out[k++] = ok ? (char)*c : '_';
        changed |= !ok;
    }
    out[k] = '\0';
    changed |= k == 0 || strlen(id) > 80 || strcasecmp(out, "county") == 0;
    if (changed)
        snprintf(out + k, n - k, "%s%08x", k ? "-" : "area-", h);
}

static hs_status area_pdf(const hs_rdata *d, size_t a, const char *dir,
                          const char *source, char *path, size_t n,
                          hs_error *err)
{
    hs_pdf p;
    char name[128], title[512];
    hs_report_file_name(d->areas[a].id, name, sizeof name);
    snprintf(title, sizeof title, "Area board pack: %s (%s)",
             d->areas[a].name, d->areas[a].id);
    hs_status rc = hs_pdf_begin(&p, dir, name, title, d->stamp, source,
                                d->software, err);
    if (rc)
        return rc;
    p.public_min = d->public_threshold;
    int gi = d->gi[0].has || d->gi[1].has || d->gi[2].has;
    p.pages = 3 + d->has_tow + gi;
    page_summary(&p, d, a);
    page_maps(&p, d, a);
    page_tasking(&p, d, a);
    if (d->has_tow)
        page_timeofweek(&p, d, a);
    if (gi)
        page_gistar(&p, d, a);
    if ((rc = hs_pdf_end(&p, err)) == HS_OK)
        snprintf(path, n, "%s", p.path);
    return rc;
}

hs_status hs_report_run(const hs_report_options *o, const hs_log *log,
                        hs_report_summary *sum, hs_error *err)
{
    hs_rdata *d = NULL;
    hs_status rc = HS_OK;
    long chosen = -1;
    if (!o)
        return hs_fail(err, HS_ERR_ARG, "report: no options");
    if ((rc = hs_pdf_outdir_check(o->input, "the run's GeoPackage", o->outdir,
                                  err)))
        return rc;
    if (hs_reval_is(o->input)) /* hotspot evaluate's file: its page */
        return hs_report_evaluation(o, log, sum, err);
    /* progress (core/ticker.h): reading the run, then a PDF a unit */
    hs_ticker *tk = hs_ticker_create(log);
    hs_tick *t_read = hs_ticker_stage(tk, "reading", 3, 1);
    hs_tick *t_pdf = hs_ticker_stage(tk, "report", 7, 0);
    hs_tick_start(t_read);
    if (!(d = hs_rdata_open(o->input, err))) {
        hs_ticker_destroy(tk);
        return err ? err->code : HS_ERR_DATA;
    }
    hs_tick_end(t_read);
    /* a missing folder is made, as mkdir -p would, once the input reads */
    if ((rc = hs_pdf_outdir_make(o->outdir, log, err)))
        goto cleanup;
    if (o->area && (chosen = hs_rdata_find_area(d, o->area)) < 0) {
        char ids[256] = "";
        for (size_t a = 0; a < d->nareas && a < 6; a++)
            snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%s",
                     a ? ", " : "", d->areas[a].id);
        rc = hs_fail(err, HS_ERR_ARG, "--area '%s': no area with this id in "
                     "'%s' (its %zu areas: %s%s)", o->area, o->input,
                     d->nareas, ids, d->nareas > 6 ? ", ..." : "");
        goto cleanup;
    }
    int any = 0;
    for (int g = 0; g < HS_RG; g++)
        any |= d->has_surf[g];
    if (!any)
        hs_warn(log, "'%s' has no density surfaces (the run used --kde no): "
                "the maps show boundaries only and there are no hotspots",
                o->input);
    const char *source = hs_pdf_source(o->input);
    if (sum) {
        memset(sum, 0, sizeof *sum);
        snprintf(sum->outdir, sizeof sum->outdir, "%s", o->outdir);
    }
    hs_tick_total(t_pdf, (chosen >= 0 ? 1 : (long)d->nareas) + 1); /* + county */
    hs_tick_start(t_pdf);
    for (size_t a = 0; a < d->nareas; a++) {
        char path[4096];
        if (chosen >= 0 && (size_t)chosen != a)
            continue;
        if ((rc = area_pdf(d, a, o->outdir, source, path, sizeof path, err)))
            goto cleanup;
        hs_tick_add(t_pdf, 1);
        if (sum && sum->areas++ == 0)
            snprintf(sum->first, sizeof sum->first, "%s", path);
    }
    hs_pdf p;
    char title[] = "County summary";
    if ((rc = hs_pdf_begin(&p, o->outdir, "county", title, d->stamp, source,
                           d->software, err)))
        goto cleanup;
    p.public_min = d->public_threshold;
    int progress = d->ntargets > 0 || d->has_gap;
    p.pages = 1 + has_trends(d) + progress;
    page_county(&p, d);
    if (has_trends(d))
        page_hot_trends(&p, d);
    if (progress)
        page_progress(&p, d);
    if ((rc = hs_pdf_end(&p, err)))
        goto cleanup;
    if (sum)
        snprintf(sum->county, sizeof sum->county, "%s", p.path);
    hs_ticker_finish(tk);
cleanup:
    hs_ticker_destroy(tk);
    hs_rdata_destroy(d);
    return rc;
}

void hs_report_cleanup(void)
{
    cairo_debug_reset_static_data(); /* first: it holds fontconfig patterns */
    FcFini();
}
