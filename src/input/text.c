/* text.c - UTF-8 checks and Windows-1252 transcoding (see text.h). */
#include <stdint.h>

#include "input/text.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xc2 && s[0] <= 0xdf ? 2
               : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    /* no overlong forms, surrogates or code points above U+10FFFF */
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
        return 0;
    return len;
}

size_t hs_utf8_valid_prefix(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, q;
    while (i < n && (q = utf8_seq(p + i, n - i)) > 0)
        i += q;
    return i;
}

/* Windows-1252's 0x80-0x9F as code points; 0: undefined there. */
static const uint16_t cp1252_80[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

size_t hs_cp1252_to_utf8(const char *s, size_t n, char *out, int *undefined)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char *b = (unsigned char *)out;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned cp = p[i] >= 0x80 && p[i] < 0xa0 ? cp1252_80[p[i] - 0x80] : p[i];
        if (cp == 0 && p[i] != 0) {
            b[o++] = '?';
            if (undefined)
                *undefined = 1;
        } else if (cp < 0x80) {
            b[o++] = (unsigned char)cp;
        } else if (cp < 0x800) {
            b[o++] = (unsigned char)(0xc0 | cp >> 6);
            b[o++] = (unsigned char)(0x80 | (cp & 0x3f));
        } else {
            b[o++] = (unsigned char)(0xe0 | cp >> 12);
            b[o++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
            b[o++] = (unsigned char)(0x80 | (cp & 0x3f));
        }
    }
    b[o] = '\0';
    return o;
}
