/* message.c - one-line messages (see message.h). */
#include <stdio.h>

#include "core/message.h"

const char *hs_one_line(const char *m, const char *empty, char *buf, size_t n)
{
    size_t k = 0;
    if (n == 0)
        return buf;
    for (; m && *m && k + 1 < n; m++) {
        char c = (*m == '\n' || *m == '\r' || *m == '\t') ? ' ' : *m;
        if (c == ' ' && (k == 0 || buf[k - 1] == ' '))
            continue;
        buf[k++] = c;
    }
    while (k > 0 && buf[k - 1] == ' ')
        k--;
    buf[k] = '\0';
    if (k == 0)
        snprintf(buf, n, "%s", empty);
    return buf;
}
