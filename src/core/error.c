/* error.c - the library's one error type (see hs_error.h). */
#include <stdarg.h>
#include <stdio.h>

#include "hotspot/hs_error.h"

hs_status hs_fail(hs_error *err, hs_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap); /* always terminated */
        va_end(ap);
        err->code = code;
    }
    return code;
}

void hs_error_clear(hs_error *err)
{
    if (!err)
        return;
    err->code = HS_OK;
    err->msg[0] = '\0';
}

const char *hs_status_name(hs_status code)
{
    switch (code) {
    case HS_OK: return "HS_OK";
    case HS_ERR_ARG: return "HS_ERR_ARG";
    case HS_ERR_NOMEM: return "HS_ERR_NOMEM";
    case HS_ERR_IO: return "HS_ERR_IO";
    case HS_ERR_DATA: return "HS_ERR_DATA";
    case HS_ERR_CRS: return "HS_ERR_CRS";
    case HS_ERR_GEOM: return "HS_ERR_GEOM";
    case HS_ERR_DB: return "HS_ERR_DB";
    }
    return "HS_ERR_UNKNOWN";
}

static void vlog(const hs_log *log, const char *prefix, const char *fmt,
                 va_list ap)
{
    if (!log || !log->fn)
        return;
    char msg[1024];
    size_t n = (size_t)snprintf(msg, sizeof msg, "%s", prefix);
    vsnprintf(msg + n, sizeof msg - n, fmt, ap);
    log->fn(log->user, msg);
}

void hs_warn(const hs_log *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(log, "", fmt, ap);
    va_end(ap);
}

void hs_note(const hs_log *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(log, "note: ", fmt, ap);
    va_end(ap);
}
