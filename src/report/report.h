/*
 * report.h - internals of "hotspot report" that tests reach (see
 * hs_report.h for the command itself).
 */
#ifndef HOTSPOT_REPORT_H
#define HOTSPOT_REPORT_H

#include <stddef.h>

/* The PDF name (without ".pdf") for an area id: letters, digits, '-', '_'
 * and '.' (not leading) are kept, anything else becomes '_'; if anything
 * changed, or the name would be empty, longer than 80 bytes or "county",
 * "-" and 8 hex digits of a hash of the id are added, so two ids never
 * share a file.  out gets at most n bytes, terminated; n >= 100 keeps the
 * whole name. */
void hs_report_file_name(const char *id, char *out, size_t n);

#endif
