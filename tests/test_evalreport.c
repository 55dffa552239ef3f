/*
 * test_evalreport.c - report/evalreport.h: the verdict in plain words, on
 * hand-made groups whose every figure is worked in the comments (incidents
 * a month = count / months; change = 100 (after / before - 1), rounded),
 * for each reading of the WDD's sign and interval, each class of the
 * WDQ's reading, the empty buffer, the caution on a control of another
 * size, and the short form.  tests/test_evaluate_report.sh checks the page
 * against SpatiaLite's counts.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "report/evalreport.h"

static hs_revgroup group(double t0, double t1, double b0, double b1,
                         double c0, double c1, double wdd, double lo,
                         double hi, double wdq, const char *reading)
{
    hs_revgroup g;
    memset(&g, 0, sizeof g);
    snprintf(g.key, sizeof g.key, "asb");
    g.count[0][0] = t0;
    g.count[0][1] = t1;
    g.count[1][0] = b0;
    g.count[1][1] = b1;
    g.count[2][0] = c0;
    g.count[2][1] = c1;
    g.count[3][0] = g.count[3][1] = NAN;
    g.wdd = wdd;
    g.wdd_low = lo;
    g.wdd_high = hi;
    g.wdq = wdq;
    snprintf(g.wdq_reading, sizeof g.wdq_reading, "%s", reading);
    g.rr = 0.5;
    g.rr_low = 0.36;
    g.rr_high = 0.69;
    g.rr_p = 2.2e-5;
    return g;
}

/* One case: a group's counts {before, after} of target, buffer and
 * control, its WDD with interval, WDQ and reading; the periods' months and
 * alpha; sentences that must be in the verdict, and one that must not. */
typedef struct vcase {
    const char *what, *label;
    double t[2], b[2], c[2], wdd, lo, hi, wdq;
    const char *reading;
    double w0, w1, alpha;
    const char *want[4], *not_want;
} vcase;

static const vcase CASES[] = {
    /* 120 -> 60 over 6 and 6 months: 20.0 -> 10.0 a month, -50%; control
     * 600 -> 600: 100.0 both, level.  WDD -10 in [-15, -5]: below 0, the
     * interval too.  Control / target before = 5 > 2: the caution, with
     * the rate ratio and p < 0.001 */
    {"fall beyond chance", "ASB", {120, 60}, {30, 40}, {600, 600}, -10, -15,
     -5, 0.2, "diffusion of benefit", 6, 6, 0.1,
     {"ASB in the target fell by 50% (20.0 to 10.0 incidents a month), "
      "against the control, which stayed level (100.0 and 100.0 incidents a "
      "month).",
      "WDD = -10.00 incidents a month (90% interval -15.00 to -5.00), so "
      "the net fall is larger than chance would give.",
      "The buffer suggests diffusion of benefit (WDQ 0.20).",
      "The control had 5.0 times the target's incidents before; the WDD "
      "takes the control's change in counts as the target's would-be change, "
      "which fits a control of about the target's size, so weigh the change "
      "in proportion too: a rate ratio of 0.50 (95% interval 0.36 to 0.69, "
      "exact p < 0.001)."},
     NULL},
    /* unequal periods: 120 in 12 months (10.0) -> 90 in 6 (15.0): +50%;
     * control 200 -> 100: 16.7 both, level.  WDD 3 in [-1, 7] holds 0.
     * An empty buffer.  Control / target 1.67: no caution.  alpha 0.05 */
    {"rise within chance", "SAC", {120, 90}, {0, 0}, {200, 100}, 3, -1, 7, 0,
     "no displacement or diffusion", 12, 6, 0.05,
     {"SAC in the target rose by 50% (10.0 to 15.0 incidents a month), "
      "against the control, which stayed level (16.7 and 16.7 incidents a "
      "month).",
      "WDD = 3.00 incidents a month (95% interval -1.00 to 7.00), so the net "
      "rise is not larger than chance would give.",
      "The buffer had no incidents in either period, so it shows neither "
      "displacement nor diffusion; a wider buffer may."},
     "times the target's"},
    {"rise beyond chance", "ASB", {10, 40}, {5, 5}, {12, 12}, 5, 1, 9, NAN,
     "no success to displace: the target did worse than the control", 1, 1,
     0.1,
     {"so the net rise is larger than chance would give.",
      "No WDQ: the target did no better than the control, so there was no "
      "success to displace."},
     NULL},
    {"fall within chance", "ASB", {10, 8}, {5, 5}, {12, 12}, -2, -6, 2, -0.5,
     "displacement, smaller than the direct effect: a net gain remains", 1,
     1, 0.1,
     {"so the net fall is not larger than chance would give.",
      "The buffer suggests displacement, smaller than the direct effect: a "
      "net gain remains (WDQ -0.50)."},
     NULL},
    {"no change", "ASB", {10, 10}, {5, 5}, {10, 10}, 0, -3, 3, NAN,
     "undefined: the target changed as the control did", 1, 1, 0.1,
     {"in the target stayed level (10.0 and 10.0 incidents a month)",
      "WDD = 0.00 incidents a month (90% interval -3.00 to 3.00), so there "
      "is no net change.",
      "No WDQ: the target changed as the control did."},
     NULL},
    {"nothing at all", "ASB", {0, 0}, {0, 0}, {0, 0}, NAN, NAN, NAN, NAN,
     "undefined: no control crime before", 1, 1, 0.1,
     {"ASB in the target had none in either period",
      "The WDD cannot be read: no incidents in any zone."},
     NULL},
    /* from none: 0 -> 12 over 6 months is 2.0 a month; no target before:
     * no caution */
    {"target from none", "Violence", {0, 12}, {3, 3}, {30, 30}, 2, 0.5, 3.5,
     NAN, "no success to displace: ...", 6, 6, 0.1,
     {"Violence in the target rose from none to 2.0 incidents a month"},
     "times the target's"},
    {"neither", "ASB", {100, 50}, {100, 100}, {100, 100}, -8, -12, -4, 0,
     "no displacement or diffusion", 1, 1, 0.1,
     {"The buffer suggests neither displacement nor diffusion of benefit "
      "(WDQ 0.00)."},
     NULL},
    /* the example: R 100 -> 50, D 100 -> 150, C 100 -> 100 */
    {"WDQ of -1", "ASB", {100, 50}, {100, 150}, {100, 100}, -8, -12, -4, -1,
     "displacement, smaller than the direct effect: a net gain remains", 1,
     1, 0.1, {"(WDQ -1.00)."}, NULL},
    /* a control with none before: no ratio, no caution */
    {"control from none", "ASB", {100, 50}, {10, 12}, {0, 5}, -8, -12, -4,
     NAN, "undefined: no control crime before", 1, 1, 0.1,
     {"No WDQ: no control crime before.",
      "the control, which rose from none to 5.0 incidents a month"},
     "times the target's"},
};

static void verdicts(void **state)
{
    (void)state;
    char v[1024];
    int bad = 0;
    for (size_t k = 0; k < sizeof CASES / sizeof *CASES; k++) {
        const vcase *c = &CASES[k];
        hs_revgroup g = group(c->t[0], c->t[1], c->b[0], c->b[1], c->c[0],
                              c->c[1], c->wdd, c->lo, c->hi, c->wdq,
                              c->reading);
        hs_eval_verdict(&g, c->label, c->w0, c->w1, c->alpha, 0, v, sizeof v);
        for (int w = 0; w < 4 && c->want[w]; w++)
            if (!strstr(v, c->want[w])) {
                print_error("%s: no \"%s\" in \"%s\"\n", c->what, c->want[w],
                            v);
                bad = 1;
            }
        if (c->not_want && strstr(v, c->not_want)) {
            print_error("%s: \"%s\" in \"%s\"\n", c->what, c->not_want, v);
            bad = 1;
        }
    }
    if (bad)
        fail();
}

/* The short form: WDD's reading and the buffer's, nothing else. */
static void short_form(void **state)
{
    (void)state;
    char v[1024];
    hs_revgroup g = group(120, 60, 30, 40, 600, 600, -10, -15, -5, 0.2,
                          "diffusion of benefit");
    hs_eval_verdict(&g, "ASB", 6, 6, 0.1, 1, v, sizeof v);
    assert_string_equal(v, "ASB: net fall, larger than chance would give "
                           "(WDD -10.00 a month, 90% interval -15.00 to "
                           "-5.00); buffer: diffusion of benefit (WDQ 0.20).");
    /* a small buffer: cut, terminated */
    char small[20];
    hs_eval_verdict(&g, "ASB", 6, 6, 0.1, 0, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verdicts),
        cmocka_unit_test(short_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
