/*
 * hotspot - the command-line tool: a thin layer over the library that
 * parses flags, prints warnings and a summary, and picks the exit status.
 *
 * Exit status: 0 success, 1 the run failed (bad input, I/O), 2 usage error.
 */
#include <limits.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hotspot/hotspot.h"

enum { EXIT_RUN = 1, EXIT_USAGE = 2 };

/* "hotspot: error: ...", never silenced (defined with the display
 * below). */
static void print_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void usage(FILE *f)
{
    fprintf(f,
            "hotspot %s - crime and ASB hotspots and rates for community "
            "safety partnerships\n\n"
            "usage:\n"
            "  hotspot run [PROFILE.ini] [options]   per-area rates, "
            "intervals and change -> GeoPackage\n"
            "  hotspot demo [-o FILE.gpkg]           run the bundled demo "
            "county (demo.ini of the data folder)\n"
            "  hotspot kde [PROFILE.ini] [options]   one density surface -> "
            "GeoTIFF or GeoPackage raster\n"
            "  hotspot evaluate [PROFILE.ini] --target T --before FROM:TO "
            "--after FROM:TO [options]\n"
            "                                        did an intervention work: "
            "target, buffer, control\n"
            "  hotspot report RESULT.gpkg -o DIR [--area ID]\n"
            "                                        area-board packs (PDF) "
            "from a run's GeoPackage,\n"
            "                                        or an evaluation's one "
            "page\n"
            "  hotspot --help | run --help | report --help | --version\n\n"
            "Every command but --help and --version also takes --progress "
            "auto|json|no\n(progress on stderr: a line on a terminal, JSON "
            "lines for programs) and\n--quiet (no warnings or notes; errors "
            "still).  See the README.\n\n"
            "Exit status: 0 done, 1 the run failed (input or output problem; "
            "the message says which file and line), 2 bad usage.\n"
            "See 'hotspot run --help' for every option.\n",
            hs_version());
}

static void run_help(void)
{
    size_t n;
    const hs_option_info *t = hs_options_table(&n);
    printf("usage: hotspot run [PROFILE.ini] [options]\n\n"
           "Every option can also be set in the profile as 'name = value' "
           "(dashes or underscores);\nflags override the profile.  Input "
           "paths in a profile are relative to its folder.\n\n");
    for (size_t i = 0; i < n; i++) {
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", t[i].name);
        for (char *c = flag + 2; *c; c++)
            if (*c == '_')
                *c = '-';
        printf("  %s %s\n      %s", flag, t[i].metavar, t[i].help);
        if (t[i].dflt)
            printf(" [default: %s]", t[i].dflt);
        printf("\n");
    }
    printf("  -o FILE.gpkg|PG:...\n      same as --output\n");
    printf("  --progress auto|json|no\n      progress on stderr: auto shows "
           "a line that updates itself when\n      stderr is a terminal "
           "(nothing otherwise, or with --quiet); json prints\n      one "
           "JSON object a line for programs [default: auto]\n");
    printf("  --quiet, -q\n      no warnings or notes on stderr (errors "
           "still; the summary on stdout\n      still)\n");
}

/* ---- stderr: warnings, errors and progress ----------------------------- */

enum { SHOW_NO, SHOW_JSON, SHOW_LINE };

/* Warnings can come from the library's threads, progress from any one of
 * them at a time: the lock keeps the terminal line and the messages from
 * cutting into each other. */
static struct {
    int progress;         /* SHOW_*                                  */
    int quiet;            /* --quiet: no warnings or notes           */
    int drawn;            /* a progress line is on the terminal      */
    struct timespec t0;   /* the command's start                     */
    pthread_mutex_t lock;
} out = {.lock = PTHREAD_MUTEX_INITIALIZER};

static double elapsed(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - out.t0.tv_sec) +
           (double)(t.tv_nsec - out.t0.tv_nsec) / 1e9;
}

/* Under out.lock: the terminal's progress line wiped, if drawn. */
static void wipe_line(void)
{
    if (out.drawn)
        fputs("\r\033[K", stderr);
    out.drawn = 0;
}

/* One JSON object a line (README: "Progress"): stage names are static
 * lowercase words, escaped all the same. */
static void show_json(const hs_progress *p)
{
    char stage[64];
    size_t k = 0;
    for (const char *c = p->stage; *c && k < sizeof stage - 7; c++) {
        if (*c == '"' || *c == '\\')
            stage[k++] = '\\', stage[k++] = *c;
        else if ((unsigned char)*c < 0x20)
            k += (size_t)snprintf(stage + k, 7, "\\u%04x", (unsigned char)*c);
        else
            stage[k++] = *c;
    }
    stage[k] = '\0';
    /* floor to a tenth: 100.0 only when it is 100 */
    double pc = floor(p->percent * 10) / 10;
    char line[256];
    snprintf(line, sizeof line, "{\"stage\":\"%s\",\"done\":%ld,\"total\":%ld,"
             "\"elapsed\":%.3f,\"percent\":%.1f}\n", stage, p->done, p->total,
             elapsed(), pc);
    fputs(line, stderr); /* one write: whole lines through a pipe */
}

static void show_progress(void *user, const hs_progress *p)
{
    (void)user;
    pthread_mutex_lock(&out.lock);
    if (out.progress == SHOW_JSON) {
        show_json(p);
    } else {
        char line[160];
        int n = snprintf(line, sizeof line, "\r\033[Khotspot: %s", p->stage);
        if (p->total > 0)
            n += snprintf(line + n, sizeof line - (size_t)n, " %ld/%ld", p->done,
                          p->total);
        snprintf(line + n, sizeof line - (size_t)n, ", %.0f%%, %.1f s",
                 floor(p->percent), elapsed());
        fputs(line, stderr);
        out.drawn = 1;
    }
    pthread_mutex_unlock(&out.lock);
}

static void print_warning(void *user, const char *msg)
{
    (void)user;
    if (out.quiet)
        return;
    pthread_mutex_lock(&out.lock);
    wipe_line(); /* the next update draws it again */
    if (strncmp(msg, "note: ", 6) == 0) /* hs_note */
        fprintf(stderr, "hotspot: %s\n", msg);
    else
        fprintf(stderr, "hotspot: warning: %s\n", msg);
    pthread_mutex_unlock(&out.lock);
}

/* "hotspot: error: ...", never silenced; wipes the progress line. */
static void print_error(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&out.lock);
    wipe_line();
    fprintf(stderr, "hotspot: error: %s\n", msg);
    pthread_mutex_unlock(&out.lock);
}

/* The command is over: the progress line goes before the summary. */
static void end_progress(void)
{
    pthread_mutex_lock(&out.lock);
    wipe_line();
    pthread_mutex_unlock(&out.lock);
}

/* The log every command hands the library. */
static hs_log make_log(void)
{
    return (hs_log){print_warning, NULL,
                    out.progress == SHOW_NO ? NULL : show_progress};
}

/*
 * Takes --progress auto|json|no (or --progress=...) and --quiet / -q out
 * of argv (*argc shrinks) and sets out.  auto: the updating line when
 * stderr is a terminal (and TERM is not "dumb"), but not with --quiet
 * unless --progress was given.  Returns 0, or EXIT_USAGE for a bad value.
 */
static int take_display_flags(int *argc, char **argv)
{
    const char *mode = NULL;
    int k = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            out.quiet = 1;
        } else if (strcmp(a, "--progress") == 0) {
            if (i + 1 >= *argc) {
                print_error("--progress needs a value: auto, json or no");
                return EXIT_USAGE;
            }
            mode = argv[++i];
        } else if (strncmp(a, "--progress=", 11) == 0) {
            mode = a + 11;
        } else {
            argv[k++] = argv[i];
        }
    }
    *argc = k;
    const char *term = getenv("TERM");
    int tty = isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
    if (!mode)
        out.progress = tty && !out.quiet ? SHOW_LINE : SHOW_NO;
    else if (strcmp(mode, "auto") == 0)
        out.progress = tty ? SHOW_LINE : SHOW_NO;
    else if (strcmp(mode, "json") == 0)
        out.progress = SHOW_JSON;
    else if (strcmp(mode, "no") == 0)
        out.progress = SHOW_NO;
    else {
        print_error("--progress '%s': use auto, json or no", mode);
        return EXIT_USAGE;
    }
    return 0;
}

/* Decimals to print a count with: none for whole incidents, one for sums
 * of --when shares. */
static int whole(double v) { return v == floor(v) ? 0 : 1; }

static void print_summary(const hs_summary *s)
{
    const double *t = s->seconds;
    char full[PATH_MAX];
    printf("hotspot: wrote %s\n", realpath(s->output, full) ? full : s->output);
    if (*s->project)
        printf("  QGIS project: %s (Project > Open From > PostgreSQL)\n",
               s->project);
    printf("  period %s, compared with %s\n", s->period, s->compare);
    printf("  incidents: %ld rows read from %ld file(s), %ld used, %ld "
           "skipped (%ld of them dropped as duplicates), %ld without "
           "location, %ld of unknown type\n",
           s->rows_read, s->files, s->rows_kept, s->rows_skipped,
           s->rows_duplicate, s->no_location, s->unknown_type);
    printf("  in the period: %ld, in an area and a group: %ld, outside every "
           "area: %ld; outside both periods: %ld\n",
           s->in_period, s->assigned, s->outside_areas, s->outside_period);
    printf("  areas: %ld (%ld without population), population %.0f\n",
           s->areas, s->areas_no_population, s->population);
    for (size_t g = 0; g < s->ngroups; g++) {
        const hs_group_summary *gs = &s->group[g];
        /* incidents, not count: count leaves out areas without a
         * population, so with none anywhere it would read 0 */
        printf("  %-10s %7.*f incidents", gs->name, whole(gs->incidents),
               gs->incidents);
        if (isfinite(gs->study_rate)) {
            printf(", %8.2f per 1,000 residents", gs->study_rate);
            if (gs->count != gs->incidents) /* the rate's own numerator */
                printf(" (counting the %.*f in areas with a population)",
                       whole(gs->count), gs->count);
            if (gs->prev_incidents >= 0)
                printf(" (comparison period %.*f)", whole(gs->prev_incidents),
                       gs->prev_incidents);
            printf("; areas significantly higher %d, lower %d", gs->higher,
                   gs->lower);
        } else {
            /* no rates, so no area is higher or lower either */
            if (gs->prev_incidents >= 0)
                printf(" (comparison period %.*f)", whole(gs->prev_incidents),
                       gs->prev_incidents);
            printf("; no rate: no area has a population");
        }
        if (gs->bandwidth > 0)
            printf("; %ld hotspots (bandwidth %.0f m)", gs->hotspots,
                   gs->bandwidth);
        printf("\n");
        if (gs->backtest_windows > 0)
            printf("  %-10s hotspots covering %.3g%% of the study area held "
                   "%.1f%% of the next month's incidents on average over %ld "
                   "months (PAI %.1f, PEI %.2f)\n", "", 100 * gs->tasking_share,
                   gs->backtest_hit_rate, gs->backtest_windows, gs->backtest_pai,
                   gs->backtest_pei);
        if (*gs->gap) {
            printf("  %-10s priority areas' rate %.2f times the rest's", "",
                   gs->gap_ratio);
            if (!isnan(gs->gap_prev_ratio))
                printf(" (%.2f in the comparison period): gap %s",
                       gs->gap_prev_ratio, gs->gap);
            printf("\n");
        }
    }
    printf("  time: areas %.2f s, incidents %.2f s, assignment %.2f s, rates "
           "%.2f s, density %.2f s (back-test %.2f s; Gi* beside it %.2f s), "
           "%s %.2f s\n", t[0], t[1], t[2], t[3], t[4], s->backtest_seconds,
           s->gistar_seconds, *s->project ? "PostGIS" : "GeoPackage", t[5]);
}

/* 1 if a is the flag --name or --name=VALUE. */
static int flag_is(const char *a, const char *name)
{
    size_t n = strlen(name);
    return strncmp(a, "--", 2) == 0 && strncmp(a + 2, name, n) == 0 &&
           (a[2 + n] == '\0' || a[2 + n] == '=');
}

/* Parses "hotspot run" arguments into o.  Returns 0, or an exit status. */
static int parse_run_args(int argc, char **argv, hs_options *o, int *help)
{
    hs_error err = {0};
    const char *profile = NULL;
    int flags_have_incidents = 0, flags_period = 0, flags_from_to = 0;
    /* first pass: the profile, and whether flags name incidents or the
     * period */
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            *help = 1;
            return 0;
        }
        if (strcmp(argv[i], "--incidents") == 0)
            flags_have_incidents = 1;
        flags_period |= flag_is(argv[i], "period");
        flags_from_to |= flag_is(argv[i], "from") || flag_is(argv[i], "to");
        if (argv[i][0] != '-' && i == 0)
            profile = argv[i];
    }
    if (profile && hs_options_load_profile(o, profile, &err) != HS_OK) {
        print_error("%s", err.msg);
        return EXIT_USAGE;
    }
    if (flags_have_incidents)
        hs_options_clear_incidents(o); /* flags replace the profile's list */
    /* --period and --from/--to set one thing, so a flag replaces the
     * profile's other way of giving it (both as flags: a usage error) */
    if (flags_period) {
        free(o->from);
        free(o->to);
        o->from = o->to = NULL;
    }
    if (flags_from_to) {
        free(o->period);
        o->period = NULL;
    }
    for (int i = profile ? 1 : 0; i < argc; i++) {
        const char *a = argv[i];
        const char *key;
        if (strcmp(a, "-o") == 0)
            key = "output";
        else if (strncmp(a, "--", 2) == 0 && a[2])
            key = a + 2;
        else {
            print_error("unexpected argument '%s' (see hotspot run --help)",
                        a);
            return EXIT_USAGE;
        }
        char keybuf[64];
        const char *eq = strchr(key, '=');
        const char *inline_val = NULL;
        if (eq) { /* --from=2024-01 */
            snprintf(keybuf, sizeof keybuf, "%.*s", (int)(eq - key), key);
            key = keybuf;
            inline_val = eq + 1;
        }
        int nvals = 0;
        if (inline_val) {
            if (hs_options_set(o, key, inline_val, NULL, &err) != HS_OK)
                goto bad;
            continue;
        }
        /* --incidents takes several paths; other options one value */
        int multi = strcmp(key, "incidents") == 0;
        while (i + 1 < argc && (nvals == 0 || multi) &&
               !(argv[i + 1][0] == '-' && argv[i + 1][1])) {
            if (hs_options_set(o, key, argv[++i], NULL, &err) != HS_OK)
                goto bad;
            nvals++;
        }
        if (nvals == 0 && strcmp(key, "public") == 0) { /* a bare switch */
            if (hs_options_set(o, key, "yes", NULL, &err) != HS_OK)
                goto bad;
            nvals = 1;
        }
        if (nvals == 0) {
            print_error("%s needs a value", a);
            return EXIT_USAGE;
        }
        continue;
    bad:
        print_error("%s (see hotspot run --help)", err.msg);
        return EXIT_USAGE;
    }
    return 0;
}

static int do_kde(hs_options *o)
{
    hs_error err = {0};
    hs_kde_summary s;
    hs_log log = make_log();
    if (hs_kde_run(o, &log, &s, &err) != HS_OK) {
        print_error("%s", err.msg);
        return err.code == HS_ERR_ARG ? EXIT_USAGE : EXIT_RUN;
    }
    end_progress();
    char full[PATH_MAX];
    printf("hotspot: wrote %s\n", realpath(s.output, full) ? full : s.output);
    printf("  %ld incidents (of %ld rows), bandwidth %.0f m (%s)\n", s.points,
           s.rows_read, s.bandwidth, s.rule);
    printf("  grid %zu x %zu cells of %g m, lower-left corner (%.0f, %.0f); "
           "%.1f incidents under the surface; %.2f s\n", s.cols, s.rows,
           s.cell, s.x0, s.y0, s.sum, s.seconds);
    if (s.public_min > 0)
        printf("  public: %ld of %zu cells are nodata (fewer than %ld "
               "incidents within the kernel's radius); %ld incidents of "
               "excluded types left out\n", s.blanked, s.cols * s.rows,
               s.public_min, s.excluded);
    printf("  seconds: reading %.2f, bandwidth and grid %.2f, density %.2f, "
           "finishing the file %.2f\n", s.stage[0], s.stage[1], s.stage[2],
           s.stage[3]);
    return 0;
}

static int do_run(hs_options *o)
{
    hs_error err = {0};
    hs_summary sum;
    hs_log log = make_log();
    if (hs_run(o, &log, &sum, &err) != HS_OK) {
        print_error("%s", err.msg);
        return err.code == HS_ERR_ARG ? EXIT_USAGE : EXIT_RUN;
    }
    end_progress();
    print_summary(&sum);
    return 0;
}

/* v in format f into buf (32 bytes), or "undefined" when v is NaN. */
static const char *number(char *buf, const char *f, double v)
{
    if (isnan(v))
        return "undefined";
    snprintf(buf, 32, f, v);
    return buf;
}
static int do_evaluate(hs_options *o)
{
    static const char *const zone[] = {"target", "buffer", "control",
                                       "control buffer"};
    hs_error err = {0};
    hs_eval_summary s;
    hs_log log = make_log();
    if (hs_evaluate(o, &log, &s, &err) != HS_OK) {
        print_error("%s", err.msg);
        return err.code == HS_ERR_ARG ? EXIT_USAGE : EXIT_RUN;
    }
    end_progress();
    char full[PATH_MAX];
    printf("hotspot: wrote %s\n", realpath(s.output, full) ? full : s.output);
    printf("  before %s, after %s\n", s.before, s.after);
    for (int z = 0; z < 4; z++)
        if (s.km2[z] > 0)
            printf("  %-15s %8.3f km2\n", zone[z], s.km2[z]);
    for (size_t g = 0; g < s.ngroups; g++) {
        printf("  %-10s", s.group[g].name);
        for (int z = 0; z < 4; z++)
            if (s.km2[z] > 0)
                printf("  %s %.*f -> %.*f", zone[z], whole(s.group[g].count[z][0]),
                       s.group[g].count[z][0], whole(s.group[g].count[z][1]),
                       s.group[g].count[z][1]);
        char n[6][32]; /* NaN: "undefined", not printf's "-nan" */
        printf("\n             WDD %s a month (%.0f%% interval %s to %s, "
               "z %s); WDQ %s", number(n[0], "%+.2f", s.group[g].wdd),
               100 * (1 - s.alpha), number(n[1], "%+.2f", s.group[g].wdd_low),
               number(n[2], "%+.2f", s.group[g].wdd_high),
               number(n[3], "%.2f", s.group[g].wdd_z),
               isnan(s.group[g].wdq) ? "none" : number(n[4], "%.2f", s.group[g].wdq));
        printf(" (%s); target against control: rate ratio %s, p %s\n",
               s.group[g].wdq_reading, number(n[5], "%.2f", s.group[g].rate_ratio),
               number(n[0], "%.3g", s.group[g].rate_ratio_p));
    }
    return 0;
}

static void report_help(void)
{
    printf("usage: hotspot report RESULT.gpkg -o DIR [--area ID]\n\n"
           "Writes area-board packs from the GeoPackage that 'hotspot run' "
           "wrote.  For each\narea (or only --area ID), DIR/<area id>.pdf "
           "has up to five A4 pages: the key\nfigures (counts, rates per "
           "1,000 residents with 95%% intervals, comparison with\nthe county, "
           "change on a year earlier) and a monthly trend chart; maps of the\n"
           "density surface and hotspots for ASB, SAC and violence; the places "
           "for tasking\nwith their peak hours; incidents by weekday and hour "
           "(data with times); and\nGi* hot and cold spots (when the run made "
           "them).  DIR/county.pdf is a county\nsummary and a trend chart of "
           "the largest hotspots (and, with --targets or\n--priority-areas, "
           "a page of targets and the priority areas' gap).\nGiven the GeoPackage of 'hotspot evaluate', it writes DIR/evaluation.pdf, one\npage: the zones' map, the counts and tests per group, a monthly chart of\ntarget against control and a verdict in plain words.\nCharacters other than letters, digits, "
           "'-', '_' and '.' in an area id become '_'\nin the file name (plus "
           "a short hash, so names stay unique).\n\n"
           "  -o, --output DIR   folder for the PDFs, made if missing (required)\n"
           "  --area ID          one area, by its area_id\n"
           "  --progress auto|json|no\n"
           "                     progress on stderr (as for hotspot run)\n"
           "  --quiet, -q        no warnings or notes (errors still)\n\n"
           "Exit status: 0 done, 1 the report failed (the input is not a run's "
           "GeoPackage,\na layer is missing, the folder cannot be made or is not "
           "writable), 2 bad usage\n(unknown option, unknown --area).\n");
}

static int do_report(int argc, char **argv)
{
    hs_report_options ro = {0};
    hs_report_summary s;
    hs_error err = {0};
    hs_log log = make_log();
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            report_help();
            return 0;
        }
        const char **dst = strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0
                               ? &ro.outdir
                           : strcmp(a, "--area") == 0 ? &ro.area
                                                      : NULL;
        if (dst) {
            if (i + 1 >= argc) {
                print_error("%s needs a value", a);
                return EXIT_USAGE;
            }
            *dst = argv[++i];
        } else if (strncmp(a, "--area=", 7) == 0) {
            ro.area = a + 7;
        } else if (strncmp(a, "--output=", 9) == 0) {
            ro.outdir = a + 9;
        } else if (a[0] == '-' || ro.input) {
            print_error("unexpected argument '%s' (see hotspot report --help)",
                        a);
            return EXIT_USAGE;
        } else {
            ro.input = a;
        }
    }
    if (!ro.input || !ro.outdir) {
        print_error("report needs RESULT.gpkg and -o DIR (see hotspot "
                    "report --help)");
        return EXIT_USAGE;
    }
    if (hs_report_run(&ro, &log, &s, &err) != HS_OK) {
        print_error("%s", err.msg);
        return err.code == HS_ERR_ARG ? EXIT_USAGE : EXIT_RUN;
    }
    end_progress();
    if (*s.evaluation) {
        printf("hotspot: wrote %s\n", s.evaluation);
        return 0;
    }
    printf("hotspot: wrote %ld area pack(s) and %s\n", s.areas, s.county);
    if (s.areas == 1)
        printf("  %s\n", s.first);
    return 0;
}

/* Keeps freed memory for the next allocation instead of handing it back
 * to the kernel: a run allocates and frees grid-sized buffers hundreds of
 * times (back-test surfaces, Gi* arrays, emerging hot spots' 200 MB of
 * cell-months a group), and each fresh page is a fault and a zeroing by
 * the kernel.  So every block comes from the heap (none mapped on its
 * own, whatever its size) and the heap is never trimmed: at 1M incidents
 * the first step (blocks up to 32 MB) took the run from 15.7 to 14.9 s,
 * the second its system time from 2.4-2.8 to 1.8-2.0 s at the same peak
 * memory (scripts/BENCHMARKS.md). */
static void keep_freed_memory(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_MAX) && defined(M_TRIM_THRESHOLD)
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

int main(int argc, char **argv)
{
    hs_options o;
    int help = 0, rc;
    keep_freed_memory();
    hs_options_init(&o);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("hotspot %s\n", hs_version());
        return 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &out.t0); /* progress's elapsed */
    /* --progress and --quiet, taken out before the command's own flags */
    int nargs = argc - 2;
    if ((strcmp(cmd, "run") == 0 || strcmp(cmd, "kde") == 0 ||
         strcmp(cmd, "evaluate") == 0 || strcmp(cmd, "report") == 0 ||
         strcmp(cmd, "demo") == 0) &&
        (rc = take_display_flags(&nargs, argv + 2)) != 0)
        return rc;
    if (strcmp(cmd, "run") == 0) {
        rc = parse_run_args(nargs, argv + 2, &o, &help);
        if (help)
            run_help();
        else if (rc == 0)
            rc = do_run(&o);
    } else if (strcmp(cmd, "kde") == 0) {
        rc = parse_run_args(nargs, argv + 2, &o, &help);
        if (help)
            run_help();
        else if (rc == 0)
            rc = do_kde(&o);
    } else if (strcmp(cmd, "evaluate") == 0) {
        rc = parse_run_args(nargs, argv + 2, &o, &help);
        if (help)
            run_help();
        else if (rc == 0)
            rc = do_evaluate(&o);
    } else if (strcmp(cmd, "report") == 0) {
        rc = do_report(nargs, argv + 2);
        hs_report_cleanup(); /* font caches, for leak checkers */
    } else if (strcmp(cmd, "demo") == 0) {
        char profile[4096];
        snprintf(profile, sizeof profile, "%s/demo.ini", hs_data_dir());
        /* the demo is "run data/demo.ini" plus any flags given */
        char **args = calloc((size_t)nargs + 1, sizeof *args);
        if (!args)
            return EXIT_RUN;
        args[0] = profile;
        for (int i = 0; i < nargs; i++)
            args[i + 1] = argv[i + 2];
        rc = parse_run_args(nargs + 1, args, &o, &help);
        free(args);
        if (!o.output && rc == 0)
            hs_options_set(&o, "output", "hotspot-demo.gpkg", NULL, NULL);
        if (help)
            usage(stdout);
        else if (rc == 0)
            rc = do_run(&o);
    } else {
        print_error("unknown command '%s'\n", cmd);
        usage(stderr);
        rc = EXIT_USAGE;
    }
    hs_options_free(&o);
    return rc;
}
