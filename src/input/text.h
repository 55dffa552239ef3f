/*
 * text.h - text encodings of incident files (internal).
 *
 * SQLite and QGIS expect UTF-8.  Text that is not UTF-8 is almost always
 * Windows-1252: Excel's "CSV" on UK office PCs writes £, é, curly quotes
 * and € in it.  Rules:
 *  - valid UTF-8 is RFC 3629's: no overlong forms, no surrogates
 *    (U+D800-DFFF), nothing above U+10FFFF;
 *  - Windows-1252 maps 0x00-0x7F and 0xA0-0xFF to the same code points and
 *    0x80-0x9F as the Unicode Consortium's table (MAPPINGS/VENDORS/MICSFT/
 *    WINDOWS/CP1252.TXT); 0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined
 *    there and become '?'.
 * Pure functions: no allocation, no state.
 */
#ifndef HOTSPOT_TEXT_H
#define HOTSPOT_TEXT_H

#include <stddef.h>

/* Length of the longest prefix of s[0..n) that is valid UTF-8. */
size_t hs_utf8_valid_prefix(const char *s, size_t n);

/* s[0..n) read as Windows-1252, written to out as UTF-8 (out holds at least
 * 3n + 1 bytes: a byte becomes at most 3) and NUL-terminated.  Returns the
 * length written; *undefined (if not NULL) is set to 1 when an undefined
 * byte became '?'. */
size_t hs_cp1252_to_utf8(const char *s, size_t n, char *out, int *undefined);

#endif
