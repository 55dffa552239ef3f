/*
 * message.h - a library's error text made fit for one of ours (internal).
 *
 * GDAL and libpq write some messages over several lines, with tabs and
 * trailing newlines; ours are one line.  Ownership: the text is written
 * into the caller's buffer.
 */
#ifndef HOTSPOT_MESSAGE_H
#define HOTSPOT_MESSAGE_H

#include <stddef.h>

/* m on one line into buf (n bytes): newlines, returns and tabs become
 * spaces, runs of spaces one, no space at either end; `empty` when m is
 * NULL or blank.  Returns buf. */
const char *hs_one_line(const char *m, const char *empty, char *buf, size_t n);

#endif
