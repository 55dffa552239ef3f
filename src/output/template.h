/*
 * template.h - fills the style and project templates of styles/ (internal).
 *
 * A template is text with three kinds of marks:
 *   {{key}}            the value of key, escaped for XML (& < > " ')
 *   {{{key}}}          the value of key as it is (a piece of XML made by
 *                      the caller)
 *   <!--rows--> ... <!--/rows-->
 *                      the text between is repeated once per row; inside
 *                      it a key is looked up in the row first, then in the
 *                      global values.  A template may hold several such
 *                      sections (e.g. a QGIS renderer's ranges and their
 *                      symbols); all iterate over the same rows.
 * An unknown key or an unclosed mark is an error, so a typo in a template
 * fails the run (and the tests) instead of writing "{{colr}}" into a style.
 *
 * Ownership: the caller owns the hs_vars (hs_vars_destroy, NULL ok) and
 * the string hs_tpl_render returns (free()).  Keys and values are copied.
 */
#ifndef HOTSPOT_TEMPLATE_H
#define HOTSPOT_TEMPLATE_H

#include <stddef.h>

#include "hotspot/hs_error.h"

typedef struct hs_vars hs_vars;

hs_vars *hs_vars_create(void); /* NULL: out of memory */
void hs_vars_destroy(hs_vars *v);

/* Sets key in row `row` (0, 1, ...; rows are created as needed) or, with
 * row -1, among the global values.  printf-style value.  Setting a key
 * again replaces it.  0 ok, -1 out of memory. */
int hs_vars_set(hs_vars *v, int row, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Number of rows set so far. */
size_t hs_vars_rows(const hs_vars *v);

/* Renders tpl with v.  NULL with err set (HS_ERR_ARG: bad template or
 * unknown key; HS_ERR_NOMEM).  name is for messages only. */
char *hs_tpl_render(const char *name, const char *tpl, const hs_vars *v,
                    hs_error *err);

/* Appends s to a growing string *buf of length *len (capacity *cap).
 * 0 ok, -1 out of memory (buf unchanged). */
int hs_str_append(char **buf, size_t *len, size_t *cap, const char *s,
                  size_t n);

#endif
