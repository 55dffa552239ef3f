/* draw.c - cairo drawing shared by the report's PDFs (see draw.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include "hotspot/hotspot.h" /* hs_version */
#include "report/draw.h"

static const char ATTRIBUTION[] =
    "Sources: police.uk (crime and anti-social behaviour); Office for "
    "National Statistics (population, boundaries). Contains public sector "
    "information licensed under the Open Government Licence v3.0. Contains "
    "OS data \xc2\xa9 Crown copyright and database right.";

/* ---- small drawing helpers ------------------------------------------------ */

void hs_draw_rgb(cairo_t *cr, uint32_t c)
{
    cairo_set_source_rgb(cr, ((c >> 16) & 255) / 255.0,
                         ((c >> 8) & 255) / 255.0, (c & 255) / 255.0);
}

uint32_t hs_draw_mix(uint32_t a, uint32_t b, double t)
{
    uint32_t out = 0;
    for (int s = 0; s <= 16; s += 8) {
        double ca = (a >> s) & 255, cb = (b >> s) & 255;
        out |= (uint32_t)lround(ca + (cb - ca) * t) << s;
    }
    return out;
}

void hs_draw_font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, HS_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD
                                : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

double hs_draw_text_w(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* Shortens s (UTF-8) with "..." until it fits in w points. */
static void fit(cairo_t *cr, const char *s, double w, char *out, size_t n)
{
    snprintf(out, n, "%s", s);
    size_t len = strlen(out);
    while (len > 0 && hs_draw_text_w(cr, out) > w) {
        do /* back up over a whole UTF-8 character */
            len--;
        while (len > 0 && ((unsigned char)out[len] & 0xC0) == 0x80);
        if (len + 4 > n)
            break;
        memcpy(out + len, "\xe2\x80\xa6", 4); /* ellipsis */
    }
}

/* Draws s with its baseline at y, clipped to width w with an ellipsis
 * (w <= 0: no limit); returns the width drawn. */
double hs_draw_text(cairo_t *cr, double x, double y, int align, double w,
                   const char *s)
{
    char buf[512];
    if (w > 0)
        fit(cr, s, w, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "%s", s);
    double tw = hs_draw_text_w(cr, buf);
    cairo_move_to(cr,
                  align == HS_LEFT     ? x
                  : align == HS_CENTRE ? x - tw / 2
                                       : x - tw,
                  y);
    cairo_show_text(cr, buf);
    return tw;
}

void hs_draw_textf(cairo_t *cr, double x, double y, int align, double w,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void hs_draw_textf(cairo_t *cr, double x, double y, int align, double w,
                  const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    hs_draw_text(cr, x, y, align, w, buf);
}

/* Word-wraps s into width w from baseline y; returns the next baseline. */
double hs_draw_para(cairo_t *cr, double x, double y, double w, double lead,
                   const char *s)
{
    char line[512] = "";
    const char *p = s;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t wl = sp ? (size_t)(sp - p) : strlen(p);
        char trial[1100]; /* a line, a space and a word always fit */
        snprintf(trial, sizeof trial, "%s%s%.*s", line, *line ? " " : "",
                 (int)(wl < 500 ? wl : 500), p);
        if (*line && hs_draw_text_w(cr, trial) > w) {
            hs_draw_text(cr, x, y, HS_LEFT, 0, line);
            y += lead;
            snprintf(line, sizeof line, "%.*s", (int)(wl < 500 ? wl : 500), p);
        } else {
            snprintf(line, sizeof line, "%.500s", trial);
        }
        p += wl;
        while (*p == ' ')
            p++;
    }
    if (*line) {
        hs_draw_text(cr, x, y, HS_LEFT, 0, line);
        y += lead;
    }
    return y;
}

void hs_fmt_int(long v, char *b, size_t n)
{
    char t[32];
    snprintf(t, sizeof t, "%ld", labs(v));
    size_t len = strlen(t), k = 0;
    char out[48];
    if (v < 0)
        out[k++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = t[i];
    }
    out[k] = '\0';
    snprintf(b, n, "%s", out);
}

const char *const hs_month_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May",
                                       "Jun", "Jul", "Aug", "Sep", "Oct",
                                       "Nov", "Dec"};

/* year*12+m-1 -> "Jan 2024" */
void hs_fmt_count(double v, int shares, char *b, size_t n)
{
    double r = round(v * 10) / 10, ip = trunc(r);
    if (!shares) {
        hs_fmt_int(lround(v), b, n);
        return;
    }
    char t[48];
    hs_fmt_int((long)ip, t, sizeof t);
    snprintf(b, n, "%s%s.%ld", r < 0 && ip == 0 ? "-" : "", t,
             lround(fabs(r - ip) * 10));
}

/* year*12+m-1 -> "Jan 2024" */
void hs_fmt_month(int m, char *b, size_t n)
{
    snprintf(b, n, "%s %d", hs_month_abbr[((m % 12) + 12) % 12], m / 12);
}

void hs_fmt_period(int from, int to, char *b, size_t n)
{
    char a[16], c[16];
    hs_fmt_month(from, a, sizeof a);
    hs_fmt_month(to, c, sizeof c);
    snprintf(b, n, "%s to %s", a, c);
}

/* ---- the PDF file: written to a temporary name, renamed when complete --- */

static cairo_status_t hs_pdf_write(void *closure, const unsigned char *data,
                                unsigned int len)
{
    hs_pdf *p = closure;
    return fwrite(data, 1, len, p->f) == len ? CAIRO_STATUS_SUCCESS
                                             : CAIRO_STATUS_WRITE_ERROR;
}

void hs_pdf_abort(hs_pdf *p)
{
    if (p->cr)
        cairo_destroy(p->cr);
    if (p->s)
        cairo_surface_destroy(p->s);
    if (p->f)
        fclose(p->f);
    else if (p->fd >= 0)
        close(p->fd);
    if (*p->tmp)
        unlink(p->tmp);
    p->cr = NULL;
    p->s = NULL;
    p->f = NULL;
    p->fd = -1;
    *p->tmp = '\0';
}

hs_status hs_pdf_begin(hs_pdf *p, const char *dir, const char *name,
                       const char *title, const char *date,
                       const char *source, const char *made, hs_error *err)
{
    memset(p, 0, sizeof *p);
    p->fd = -1;
    p->title = title;
    p->source = source;
    p->made = made && *made ? made : hs_version();
    if ((size_t)snprintf(p->path, sizeof p->path, "%s/%s.pdf", dir, name) >=
            sizeof p->path ||
        (size_t)snprintf(p->tmp, sizeof p->tmp, "%s/.%s.pdf.tmp-XXXXXX", dir,
                         name) >= sizeof p->tmp) {
        *p->tmp = '\0';
        return hs_fail(err, HS_ERR_ARG, "output folder '%.200s...': path too "
                       "long", dir);
    }
    if ((p->fd = mkstemp(p->tmp)) < 0) {
        *p->tmp = '\0';
        return hs_fail(err, HS_ERR_IO, "cannot write in folder '%s': %s", dir,
                       strerror(errno));
    }
    fchmod(p->fd, 0644); /* mkstemp makes 0600; a report is for sharing */
    if (!(p->f = fdopen(p->fd, "wb"))) {
        hs_pdf_abort(p);
        return hs_fail(err, HS_ERR_IO, "'%s': %s", p->path, strerror(errno));
    }
    p->s = cairo_pdf_surface_create_for_stream(hs_pdf_write, p, HS_PW, HS_PH);
    p->cr = cairo_create(p->s);
    if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
        hs_pdf_abort(p);
        return hs_fail(err, HS_ERR_IO, "'%s': cairo cannot start a PDF",
                       p->path);
    }
    cairo_pdf_surface_set_metadata(p->s, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(p->s, CAIRO_PDF_METADATA_CREATOR,
                                   "Hotspot");
    /* the input's date, not the clock's: cairo would stamp the local time
     * of writing, and then no two reports of one file were the same */
    cairo_pdf_surface_set_metadata(p->s, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(p->s, CAIRO_PDF_METADATA_MOD_DATE, date);
    return HS_OK;
}

hs_status hs_pdf_end(hs_pdf *p, hs_error *err)
{
    cairo_destroy(p->cr);
    p->cr = NULL;
    cairo_surface_finish(p->s);
    cairo_status_t st = cairo_surface_status(p->s);
    cairo_surface_destroy(p->s);
    p->s = NULL;
    if (st != CAIRO_STATUS_SUCCESS) {
        hs_pdf_abort(p);
        return hs_fail(err, HS_ERR_IO, "writing '%s': %s", p->path,
                       cairo_status_to_string(st));
    }
    FILE *f = p->f;
    p->f = NULL;
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(p->tmp, p->path) != 0) {
        int e = errno;
        unlink(p->tmp);
        *p->tmp = '\0';
        return hs_fail(err, HS_ERR_IO, "writing '%s': %s", p->path,
                       strerror(e));
    }
    *p->tmp = '\0';
    return HS_OK;
}

/* Header rule and footer (attribution, page number) on the current page. */
void hs_pdf_frame(hs_pdf *p)
{
    cairo_t *cr = p->cr;
    p->page++;
    hs_draw_rgb(cr, 0x1F3A5F);
    cairo_rectangle(cr, 0, 0, HS_PW, 8);
    cairo_fill(cr);
    hs_draw_rgb(cr, 0x555555);
    hs_draw_font(cr, 6.5, 0);
    if (p->public_min > 0) { /* a public file: say what is missing */
        hs_draw_rgb(cr, 0x8B0000);
        hs_draw_font(cr, 7, 1);
        hs_draw_textf(cr, HS_ML, HS_PH - 50, HS_LEFT, HS_CW,
                      "Public release: counts under %ld "
                      "suppressed, and others so no total reveals them.",
                      p->public_min);
    }
    hs_draw_rgb(cr, 0x555555);
    hs_draw_font(cr, 6.5, 0);
    double y = hs_draw_para(cr, HS_ML, HS_PH - 44, HS_CW, 8.5, ATTRIBUTION);
    hs_draw_rgb(cr, 0x333333);
    hs_draw_font(cr, 7, 0);
    hs_draw_textf(cr, HS_ML, y + 2, HS_LEFT, HS_CW - 60,
                  "%s. Figures from %s (Hotspot %s).", p->title, p->source,
                  p->made);
    hs_draw_textf(cr, HS_PW - HS_MR, y + 2, HS_RIGHT, 0, "Page %d of %d",
                  p->page, p->pages);
}

double hs_draw_heading(cairo_t *cr, double y, const char *s)
{
    hs_draw_rgb(cr, 0x1F3A5F);
    hs_draw_font(cr, 12, 1);
    hs_draw_text(cr, HS_ML, y, HS_LEFT, HS_CW, s);
    return y + 16;
}

/* ---- monthly trend chart ----------------------------------------------- */

static double nice_step(double range, int ticks)
{
    double raw = range / ticks, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}


/* A y axis of whole incidents over values up to vmax, with headroom so
 * that peaks do not touch the top. */
double hs_chart_ymax(double vmax, double *step)
{
    double top = vmax > 0 ? 1.05 * vmax : 4.0;
    *step = fmax(1, nice_step(top, 4));
    double ymax = *step * ceil(top / *step);
    return ymax > 0 ? ymax : 1;
}

/* Shades months from .. to of the chart (clipped to it) and names them
 * above; nothing when they lie outside. */
void hs_chart_period(cairo_t *cr, const hs_chart *c, int from, int to,
                         int shade, const char *name)
{
    int c0 = from - c->m0, c1 = to - c->m0;
    double cw = c->pw / c->nm;
    c0 = c0 < 0 ? 0 : c0;
    c1 = c1 >= c->nm ? c->nm - 1 : c1;
    if (c1 < c0)
        return;
    if (shade) {
        hs_draw_rgb(cr, 0xEDF2F7);
        cairo_rectangle(cr, c->px + c0 * cw, c->py, (c1 - c0 + 1) * cw, c->ph);
        cairo_fill(cr);
    }
    hs_draw_rgb(cr, 0x555555);
    hs_draw_font(cr, 7, 1);
    hs_draw_text(cr, c->px + (c0 + c1 + 1) * cw / 2, c->py - 4, HS_CENTRE,
         (c1 - c0 + 1) * cw, name);
}

void hs_chart_axes(cairo_t *cr, const hs_chart *c, double step,
                   const char *ytitle)
{
    const double px = c->px, py = c->py, pw = c->pw, ph = c->ph;
    double cw = pw / c->nm;
    hs_draw_font(cr, 7, 0);
    cairo_set_line_width(cr, 0.4);
    for (double t = 0; t <= c->ymax + step / 2; t += step) {
        double yy = py + ph - t / c->ymax * ph;
        hs_draw_rgb(cr, 0xCCCCCC);
        cairo_move_to(cr, px, yy);
        cairo_line_to(cr, px + pw, yy);
        cairo_stroke(cr);
        hs_draw_rgb(cr, 0x333333);
        hs_draw_textf(cr, px - 4, yy + 2.5, HS_RIGHT, 0, "%.0f", t);
    }
    cairo_save(cr);
    cairo_translate(cr, px - 35, py + ph / 2);
    cairo_rotate(cr, -M_PI / 2);
    hs_draw_font(cr, 7.5, 0);
    hs_draw_text(cr, 0, 0, HS_CENTRE, 0, ytitle);
    cairo_restore(cr);
    /* x labels: every month's initial, with the year under January and at
     * the start */
    for (int m = 0; m < c->nm; m++) {
        int mm = c->m0 + m;
        double xx = px + (m + 0.5) * cw;
        hs_draw_rgb(cr, 0x333333);
        hs_draw_font(cr, 6.5, 0);
        hs_draw_text(cr, xx, py + ph + 9, HS_CENTRE, 0,
                     cw >= 16 ? hs_month_abbr[mm % 12]
                              : (char[2]){hs_month_abbr[mm % 12][0], 0});
        if (mm % 12 == 0 || m == 0) {
            hs_draw_font(cr, 6.5, 1);
            hs_draw_textf(cr, xx, py + ph + 18, HS_CENTRE, 0, "%d", mm / 12);
        }
    }
    hs_draw_rgb(cr, 0x333333);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, px, py);
    cairo_line_to(cr, px, py + ph);
    cairo_line_to(cr, px + pw, py + ph);
    cairo_stroke(cr);
}

/* One line with a marker a month; NaN months leave a gap. */
void hs_chart_line(cairo_t *cr, const hs_chart *c, const hs_cline *l)
{
    double cw = c->pw / c->nm;
    int solid = !l->dash || l->dash[0] <= 0;
    hs_draw_rgb(cr, l->rgb);
    cairo_set_line_width(cr, 1.8);
    cairo_set_dash(cr, l->dash, solid ? 0 : 2, 0);
    for (int m = 0; m < c->nm; m++) {
        double xx = c->px + (m + 0.5) * cw;
        double yy = c->py + c->ph - l->v[m] / c->ymax * c->ph;
        if (isnan(l->v[m]))
            continue;
        if (m == 0 || isnan(l->v[m - 1]))
            cairo_move_to(cr, xx, yy);
        else
            cairo_line_to(cr, xx, yy);
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    for (int m = 0; m < c->nm; m++) {
        if (isnan(l->v[m]))
            continue;
        cairo_arc(cr, c->px + (m + 0.5) * cw,
                  c->py + c->ph - l->v[m] / c->ymax * c->ph, 1.6, 0, 2 * M_PI);
        cairo_fill(cr);
    }
}

/* The legend sample of a line: a stroke 22 points long at y. */
void hs_draw_line_key(cairo_t *cr, double x, double y, uint32_t c,
                     const double *dash)
{
    hs_draw_rgb(cr, c);
    cairo_set_line_width(cr, 2);
    cairo_set_dash(cr, dash, dash && dash[0] > 0 ? 2 : 0, 0);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + 22, y);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* ---- maps ---------------------------------------------------------------- */

hs_view hs_view_fit(double x, double y, double w, double h, double minx,
                    double miny, double maxx, double maxy, double pad)
{
    double ex = maxx - minx, ey = maxy - miny;
    double m = pad * fmax(ex, ey) + 1;
    double s = fmin(w / (ex + 2 * m), h / (ey + 2 * m));
    double cx = (minx + maxx) / 2, cy = (miny + maxy) / 2;
    return (hs_view){x, y, w, h, cx - w / (2 * s), cy + h / (2 * s), s};
}

void hs_view_to_page(const hs_view *v, double wx, double wy, double *px,
                     double *py)
{
    *px = v->x + (wx - v->wx0) * v->s;
    *py = v->y + (v->wy1 - wy) * v->s;
}

void hs_view_path(cairo_t *cr, const hs_view *v, const hs_rgeom *g)
{
    size_t k = 0;
    for (size_t r = 0; r < g->nrings; r++) {
        for (size_t i = 0; i < g->ring_len[r]; i++, k += 2) {
            double px, py;
            hs_view_to_page(v, g->xy[k], g->xy[k + 1], &px, &py);
            if (i == 0)
                cairo_move_to(cr, px, py);
            else
                cairo_line_to(cr, px, py);
        }
        cairo_close_path(cr);
    }
}

int hs_view_has(const hs_view *v, const hs_rgeom *g)
{
    double wx1 = v->wx0 + v->w / v->s, wy0 = v->wy1 - v->h / v->s;
    return g->nrings && g->maxx >= v->wx0 && g->minx <= wx1 &&
           g->maxy >= wy0 && g->miny <= v->wy1;
}

static void scale_bar(cairo_t *cr, const hs_view *v)
{
    double want = v->w * 0.3 / v->s; /* metres */
    double p = pow(10, floor(log10(want))), m = want / p;
    double len = (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p, lp = len * v->s;
    double x = v->x + 8, y = v->y + v->h - 12;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_rectangle(cr, x - 4, y - 14, lp + 40, 22);
    cairo_fill(cr);
    for (int i = 0; i < 2; i++) {
        cairo_rectangle(cr, x + i * lp / 2, y, lp / 2, 4);
        if (i == 0)
            hs_draw_rgb(cr, 0x222222);
        else
            cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        hs_draw_rgb(cr, 0x222222);
        cairo_set_line_width(cr, 0.6);
        cairo_stroke(cr);
    }
    hs_draw_font(cr, 7, 0);
    hs_draw_text(cr, x, y - 3, HS_CENTRE, 0, "0");
    if (len >= 1000)
        hs_draw_textf(cr, x + lp, y - 3, HS_CENTRE, 0, "%g km", len / 1000);
    else
        hs_draw_textf(cr, x + lp, y - 3, HS_CENTRE, 0, "%g m", len);
}

static void north_arrow(cairo_t *cr, const hs_view *v)
{
    double x = v->x + v->w - 16, y = v->y + 10;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_rectangle(cr, x - 9, y - 3, 18, 34);
    cairo_fill(cr);
    hs_draw_rgb(cr, 0x222222);
    cairo_move_to(cr, x, y + 10);
    cairo_line_to(cr, x - 6, y + 28);
    cairo_line_to(cr, x, y + 23);
    cairo_line_to(cr, x + 6, y + 28);
    cairo_close_path(cr);
    cairo_fill(cr);
    hs_draw_font(cr, 8, 1);
    hs_draw_text(cr, x, y + 8, HS_CENTRE, 0, "N");
}

void hs_map_open(cairo_t *cr, const hs_view *v)
{
    cairo_save(cr);
    cairo_rectangle(cr, v->x, v->y, v->w, v->h);
    cairo_clip(cr);
    hs_draw_rgb(cr, 0xFAFAFA);
    cairo_paint(cr);
}

void hs_map_close(cairo_t *cr, const hs_view *v)
{
    scale_bar(cr, v);
    north_arrow(cr, v);
    cairo_restore(cr);
    hs_draw_rgb(cr, 0x444444);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, v->x, v->y, v->w, v->h);
    cairo_stroke(cr);
}

void hs_draw_swatch_box(cairo_t *cr, double x, double y, uint32_t c)
{
    hs_draw_rgb(cr, c);
    cairo_rectangle(cr, x, y - 8, 14, 10);
    cairo_fill_preserve(cr);
    hs_draw_rgb(cr, 0x666666);
    cairo_set_line_width(cr, 0.4);
    cairo_stroke(cr);
    hs_draw_rgb(cr, 0x222222);
}

void hs_draw_swatch(cairo_t *cr, double x, double y, uint32_t c, const char *s)
{
    hs_draw_swatch_box(cr, x, y, c);
    hs_draw_text(cr, x + 20, y, HS_LEFT, HS_CW / 2 - 40, s);
}

void hs_draw_rule(cairo_t *cr, double y)
{
    hs_draw_rgb(cr, 0x1F3A5F);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, HS_ML, y);
    cairo_line_to(cr, HS_ML + HS_CW, y);
    cairo_stroke(cr);
}

/* ---- the output folder ---------------------------------------------------- */

hs_status hs_pdf_outdir_check(const char *input, const char *what,
                              const char *dir, hs_error *err)
{
    struct stat st;
    if (!input || !*input)
        return hs_fail(err, HS_ERR_ARG, "report: give %s", what);
    if (!dir || !*dir)
        return hs_fail(err, HS_ERR_ARG, "report: give an output folder "
                       "with -o DIR");
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return hs_fail(err, HS_ERR_IO, "output folder '%s' is a file, not a "
                       "folder", dir);
    return HS_OK;
}

const char *hs_pdf_source(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* path and every missing folder above it (mkdir -p). */
static hs_status make_folders(const char *path, hs_error *err)
{
    char p[4096];
    struct stat st;
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
        return hs_fail(err, HS_ERR_IO, "output folder '%.200s...': path too "
                       "long", path);
    for (char *c = p + 1; ; c++) {
        if (*c != '/' && *c)
            continue;
        char keep = *c;
        int blocked = 0, e = 0;
        *c = '\0';
        if (stat(p, &st) == 0)
            blocked = !S_ISDIR(st.st_mode);
        else if (mkdir(p, 0777) != 0 && errno != EEXIST)
            e = errno;
        if (blocked || e)
            return hs_fail(err, HS_ERR_IO, "output folder '%s': cannot make "
                           "'%s' (%s)", path, p,
                           blocked ? "a file is in the way" : strerror(e));
        if (!(*c = keep))
            break;
    }
    return HS_OK;
}

hs_status hs_pdf_outdir_make(const char *dir, const hs_log *log, hs_error *err)
{
    struct stat st;
    hs_status rc;
    if (stat(dir, &st) != 0) {
        if ((rc = make_folders(dir, err)))
            return rc;
        hs_note(log, "made the output folder '%s'", dir);
    }
    if (access(dir, W_OK) != 0)
        return hs_fail(err, HS_ERR_IO, "output folder '%s' is not writable",
                       dir);
    return HS_OK;
}
