/*
 * csv.c - streaming CSV reader (see csv.h).
 *
 * Design: input is read in large blocks (fread, 1 MiB) into one buffer and
 * each record is parsed in place, so ordinary data is never copied:
 *  - an unquoted field is NUL-terminated by overwriting its separator;
 *  - a quoted field is unescaped ("" -> ") inside its own span, which only
 *    ever shrinks, and NUL-terminated at its new end.
 * The byte after the buffered data is always a '\0' sentinel, so the scan
 * loops (256-entry class tables) need no bounds check: when they stop on a
 * NUL we ask whether it was the sentinel (need more input) or a real NUL.
 * A record that runs off the end of the buffer is moved to the front and
 * the rest of the input is read after it; the parser state is kept in
 * locals and in offsets relative to the record start, so parsing simply
 * resumes.  The buffer grows only when one record fills half of it, which
 * the record limit bounds (about 2 MiB at most).
 *
 * Memory input (hs_csv_open_mem) is copied block by block into the same
 * buffer, so it runs exactly the same code (the input may be read-only and
 * is not NUL-terminated).
 *
 * Leniency, as Python's csv module with strict=False: bytes after a closing
 * quote and before the separator are kept literally ("ab"c -> abc), and a
 * quote inside an unquoted field is an ordinary byte (ab"c -> ab"c).
 *
 * The stop tables belong to the reader, rebuilt when the separator or the
 * binary option changes, so the scan loops stay one table load per byte
 * whatever the options.  Skipping binary lines costs nothing on clean data:
 * the binary bytes are simply more stop bytes, and only a stop that is none
 * of separator, quote, line end or NUL leads to the (cold) skip code.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fileno */
#endif

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/csv.h"

#define HS_CSV_MAX_RECORD (1024 * 1024) /* bytes, line ends excluded */
#define HS_CSV_MAX_FIELDS 4096
#define HS_CSV_BLOCK (1024 * 1024) /* read size for files */
#define HS_CSV_MIN_CAP 64

/* Bytes that end the scan of the rest of a dropped (binary) line. */
static const unsigned char stop_line[256] = {
    ['\0'] = 1, ['\n'] = 1, ['\r'] = 1,
};

enum parse_state {
    S_START,    /* at the first byte of a field                  */
    S_UNQUOTED, /* inside an unquoted field                      */
    S_QUOTED,   /* inside quotes                                 */
    S_QUOTE,    /* just read a quote inside quotes: "" or close  */
    S_TAIL      /* bytes after the closing quote (kept literally) */
};

struct hs_csv {
    FILE *fp;          /* NULL when reading from memory or a range */
    const char *mem;   /* memory input, not owned       */
    int fd;            /* a byte range of a file (not owned), or -1 */
    off_t fd_start;
    size_t mem_len, mem_pos; /* memory or range: length, bytes read */
    char *name;
    char *buf;         /* cap + 1 bytes: room for the sentinel */
    size_t cap, len;   /* allocated (minus 1) and filled bytes */
    size_t pos;        /* next unparsed byte                    */
    size_t rec_start;  /* current record's first byte           */
    int eof;           /* the source is exhausted               */
    int skip_lf;       /* last line end was a CR: a LF right after it
                          belongs to it (CRLF split across calls) */
    int failed;        /* an error was reported; stay stopped   */
    long line;         /* physical line of buf[pos]             */
    long rec_line;     /* line where the current record starts  */
    size_t nf, fcap;
    size_t *foff, *flen; /* fields, offsets relative to rec_start */
    char sep;          /* field separator, ',' unless set        */
    int skip_bin;      /* drop lines holding binary bytes        */
    int bin;           /* the current record was such a line     */
    int started;       /* hs_csv_next has been called            */
    /* Bytes that end the fast scan of an unquoted / a quoted field:
     * NUL, line ends, and the separator / the quote; with skip_bin also
     * the binary bytes.  Built by build_tables(). */
    unsigned char stop_unq[256], stop_q[256];
};

/* NUL and the C0 controls other than TAB, LF, VT, FF and CR (0x1A, the DOS
 * end-of-file mark, included): no text file holds them, so a line that does
 * is damage (a truncated write, a binary file renamed .csv). */
static int is_binary_byte(unsigned char b)
{
    return b <= 0x08 || (b >= 0x0E && b <= 0x1F);
}

static void build_tables(hs_csv *c)
{
    memset(c->stop_unq, 0, sizeof c->stop_unq);
    memset(c->stop_q, 0, sizeof c->stop_q);
    if (c->skip_bin) {
        for (unsigned b = 0; b < 256; b++)
            if (is_binary_byte((unsigned char)b) && (char)b != c->sep)
                c->stop_unq[b] = c->stop_q[b] = 1;
    }
    c->stop_unq['\0'] = c->stop_unq['\n'] = c->stop_unq['\r'] = 1;
    c->stop_unq[(unsigned char)c->sep] = 1;
    c->stop_q['\0'] = c->stop_q['\n'] = c->stop_q['\r'] = c->stop_q['"'] = 1;
}

static char *copy_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Appends input to buf[len..cap) and re-places the sentinel. */
static hs_status fill(hs_csv *c, hs_error *err)
{
    size_t room = c->cap - c->len, n;

    if (c->fp) {
        n = fread(c->buf + c->len, 1, room, c->fp);
        if (n < room) {
            if (ferror(c->fp)) {
                int e = errno;
                return hs_fail(err, HS_ERR_IO, "reading '%s' near line %ld: %s",
                               c->name, c->line, strerror(e));
            }
            c->eof = 1; /* fread is only short at end of file or on error */
        }
    } else {
        n = c->mem_len - c->mem_pos;
        if (n > room)
            n = room;
        if (c->fd >= 0) {
            for (size_t got = 0; got < n;) {
                ssize_t r = pread(c->fd, c->buf + c->len + got, n - got,
                                  c->fd_start + (off_t)(c->mem_pos + got));
                if (r < 0 && errno == EINTR)
                    continue;
                if (r <= 0)
                    return hs_fail(err, HS_ERR_IO, "reading '%s' near line %ld: %s",
                                   c->name, c->line, r < 0 ? strerror(errno)
                                   : "the file got shorter while it was read");
                got += (size_t)r;
            }
        } else if (n) {
            memcpy(c->buf + c->len, c->mem + c->mem_pos, n);
        }
        c->mem_pos += n;
        if (c->mem_pos == c->mem_len)
            c->eof = 1;
    }
    c->len += n;
    c->buf[c->len] = '\0';
    return HS_OK;
}

/* Moves the partial record buf[rec_start..len) to the front, grows the
 * buffer if that record fills more than half of it, and reads more. */
static hs_status refill(hs_csv *c, hs_error *err)
{
    size_t keep = c->len - c->rec_start;

    if (c->rec_start > 0) {
        memmove(c->buf, c->buf + c->rec_start, keep);
        c->rec_start = 0;
        c->len = keep;
    }
    if (c->cap - c->len < c->cap / 2) {
        size_t ncap = c->cap;
        char *nb;
        while (ncap - c->len < ncap / 2)
            ncap *= 2;
        nb = realloc(c->buf, ncap + 1);
        if (!nb)
            return hs_fail(err, HS_ERR_NOMEM, "reading '%s' line %ld: out of memory",
                           c->name, c->rec_line);
        c->buf = nb;
        c->cap = ncap;
    }
    return fill(c, err);
}

/* Records field [off, off + len) of the current record (offsets relative
 * to its start). */
static hs_status push_field(hs_csv *c, size_t off, size_t len, hs_error *err)
{
    if (c->nf == c->fcap) {
        size_t ncap;
        size_t *no, *nl;
        if (c->nf >= HS_CSV_MAX_FIELDS)
            return hs_fail(err, HS_ERR_DATA, "'%s' line %ld: more than %d fields",
                           c->name, c->rec_line, HS_CSV_MAX_FIELDS);
        ncap = c->fcap * 2;
        no = realloc(c->foff, ncap * sizeof *no);
        if (!no)
            goto nomem;
        c->foff = no;
        nl = realloc(c->flen, ncap * sizeof *nl);
        if (!nl)
            goto nomem;
        c->flen = nl;
        c->fcap = ncap;
    }
    c->foff[c->nf] = off;
    c->flen[c->nf] = len;
    c->nf++;
    return HS_OK;
nomem:
    return hs_fail(err, HS_ERR_NOMEM, "reading '%s' line %ld: out of memory",
                   c->name, c->rec_line);
}

/* Allocates a reader with a cap-byte buffer; the caller sets the source. */
static hs_csv *reader_new(const char *name, size_t cap, hs_error *err)
{
    hs_csv *c = calloc(1, sizeof *c);

    if (!c)
        goto nomem;
    c->line = 1;
    c->fd = -1;
    c->sep = ',';
    build_tables(c);
    c->cap = cap;
    c->fcap = 16;
    c->name = copy_str(name);
    c->buf = malloc(cap + 1);
    c->foff = malloc(c->fcap * sizeof *c->foff);
    c->flen = malloc(c->fcap * sizeof *c->flen);
    if (!c->name || !c->buf || !c->foff || !c->flen)
        goto nomem;
    c->buf[0] = '\0';
    return c;
nomem:
    hs_csv_close(c);
    hs_fail(err, HS_ERR_NOMEM, "opening '%s': out of memory", name);
    return NULL;
}

/* First read, and skip a UTF-8 byte order mark (Excel writes one). */
static hs_status reader_start(hs_csv *c, hs_error *err)
{
    hs_status st = fill(c, err);

    if (st != HS_OK)
        return st;
    if (c->len >= 3 && memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0)
        c->pos = 3;
    return HS_OK;
}

hs_csv *hs_csv_open(const char *path, hs_error *err)
{
    FILE *fp = NULL;
    hs_csv *c = NULL;
    struct stat sb;

    if (!path) {
        hs_fail(err, HS_ERR_ARG, "hs_csv_open: NULL path");
        return NULL;
    }
    fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        hs_fail(err, HS_ERR_IO, "cannot open '%s': %s", path, strerror(e));
        goto cleanup;
    }
    /* fopen succeeds on a directory on Linux; only fread would fail. */
    if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        hs_fail(err, HS_ERR_IO, "cannot open '%s': '%s' is a directory", path, path);
        goto cleanup;
    }
    /* We read in 1 MiB blocks ourselves; stdio buffering would only copy. */
    setvbuf(fp, NULL, _IONBF, 0);
    c = reader_new(path, HS_CSV_BLOCK, err);
    if (!c)
        goto cleanup;
    c->fp = fp;
    fp = NULL;
    if (reader_start(c, err) != HS_OK) {
        hs_csv_close(c);
        c = NULL;
    }
cleanup:
    if (fp)
        fclose(fp);
    return c;
}

/* A reader of len bytes from memory (data) or from a file's range (fd):
 * small inputs get a small buffer (cheap for fuzzing); large ones are
 * streamed in blocks like a file. */
static hs_csv *open_bytes(const char *data, int fd, off_t start, size_t len,
                          const char *name, hs_error *err)
{
    size_t cap = len < HS_CSV_MIN_CAP ? HS_CSV_MIN_CAP
               : len > HS_CSV_BLOCK  ? HS_CSV_BLOCK : len;
    hs_csv *c = reader_new(name, cap, err);
    if (!c)
        return NULL;
    c->mem = data;
    c->fd = fd;
    c->fd_start = start;
    c->mem_len = len;
    if (reader_start(c, err) != HS_OK) {
        hs_csv_close(c);
        return NULL;
    }
    return c;
}

hs_csv *hs_csv_open_mem(const char *data, size_t len, const char *name,
                        hs_error *err)
{
    if (!name)
        name = "<memory>";
    if (!data && len > 0) {
        hs_fail(err, HS_ERR_ARG, "hs_csv_open_mem '%s': NULL data", name);
        return NULL;
    }
    return open_bytes(data, -1, 0, len, name, err);
}

hs_csv *hs_csv_open_range(int fd, off_t start, size_t len, const char *name,
                          hs_error *err)
{
    if (!name)
        name = "<file range>";
    if (fd < 0 || start < 0) {
        hs_fail(err, HS_ERR_ARG, "hs_csv_open_range '%s': no file", name);
        return NULL;
    }
    return open_bytes(NULL, fd, start, len, name, err);
}

int hs_csv_next(hs_csv *c, hs_error *err)
{
    char *base, *p, *w, *end, *fend;
    const unsigned char *su, *sq; /* the reader's stop tables       */
    size_t fb = 0; /* current field's first byte, relative to base */
    long nl = 0;   /* line ends inside quoted fields so far         */
    enum parse_state st = S_START;
    char ch, sep;

    if (!c) {
        hs_fail(err, HS_ERR_ARG, "hs_csv_next: NULL reader");
        return -1;
    }
    c->bin = 0;
    c->started = 1;
    if (c->failed) {
        hs_fail(err, HS_ERR_ARG, "'%s': reading after an earlier error", c->name);
        return -1;
    }
    c->nf = 0;

    /* Skip line ends: blank lines, and the LF of a CRLF whose CR ended the
     * previous record.  Every line end still counts for line numbers. */
    for (;;) {
        if (c->pos == c->len) {
            if (c->eof)
                return 0;
            c->rec_start = c->pos; /* nothing to keep */
            if (refill(c, err) != HS_OK)
                goto fail;
            c->pos = 0;
            continue;
        }
        ch = c->buf[c->pos];
        if (ch == '\n') {
            if (!c->skip_lf)
                c->line++;
        } else if (ch == '\r') {
            c->line++;
        } else {
            break;
        }
        c->skip_lf = (ch == '\r');
        c->pos++;
    }
    c->skip_lf = 0;
    c->rec_start = c->pos;
    c->rec_line = c->line;
    su = c->stop_unq;
    sq = c->stop_q;
    sep = c->sep;

    base = c->buf + c->rec_start;
    p = w = base;
    end = c->buf + c->len;
    for (;;) {
        switch (st) {
        case S_START:
            fb = (size_t)(p - base);
            if (*p == '"') {
                p++;
                fb = (size_t)(p - base);
                w = p;
                st = S_QUOTED;
                continue;
            }
            if (*p == '\0')
                break; /* stay in S_START: the next byte may be a quote */
            st = S_UNQUOTED;
            /* fall through */
        case S_UNQUOTED:
            while (!su[(unsigned char)*p])
                p++;
            if (*p == sep) {
                *p = '\0';
                if (push_field(c, fb, (size_t)(p - base) - fb, err) != HS_OK)
                    goto fail;
                p++;
                st = S_START;
                continue;
            }
            if (*p == '\n' || *p == '\r') {
                fend = p;
                goto record_end;
            }
            break;
        case S_QUOTED:
            if (w == p) { /* nothing unescaped yet: scan without copying */
                while (!sq[(unsigned char)*p])
                    p++;
                w = p;
            } else {
                while (!sq[(unsigned char)*p])
                    *w++ = *p++;
            }
            ch = *p;
            if (ch == '"') {
                p++;
                st = S_QUOTE;
                continue;
            }
            if (ch == '\n' || ch == '\r') {
                /* p[-1] is still the input byte (writes stay behind p, and
                 * the opening quote precedes p): CRLF is one line end. */
                if (ch == '\r' || p[-1] != '\r')
                    nl++;
                *w++ = *p++;
                continue;
            }
            break;
        case S_QUOTE:
            ch = *p;
            if (ch == '"') { /* "" is a literal quote */
                *w++ = '"';
                p++;
                st = S_QUOTED;
                continue;
            }
            if (ch == sep) {
                *w = '\0';
                if (push_field(c, fb, (size_t)(w - base) - fb, err) != HS_OK)
                    goto fail;
                p++;
                st = S_START;
                continue;
            }
            if (ch == '\n' || ch == '\r') {
                fend = w;
                goto record_end;
            }
            if (ch == '\0')
                break;
            st = S_TAIL; /* lenient: "ab"c -> abc */
            /* fall through */
        case S_TAIL:
            while (!su[(unsigned char)*p])
                *w++ = *p++;
            if (*p == sep) {
                *w = '\0';
                if (push_field(c, fb, (size_t)(w - base) - fb, err) != HS_OK)
                    goto fail;
                p++;
                st = S_START;
                continue;
            }
            if (*p == '\n' || *p == '\r') {
                fend = w;
                goto record_end;
            }
            break;
        }

        /* Stopped on a NUL: real data, end of input, or end of buffer; or,
         * with skip_bin, on another binary byte (never at end). */
        if (p < end) {
            if (c->skip_bin)
                goto binary;
            hs_fail(err, HS_ERR_DATA, "'%s': binary data? NUL byte at line %ld",
                    c->name, c->rec_line + nl);
            goto fail;
        }
        if (c->eof) {
            if (st == S_QUOTED) {
                hs_fail(err, HS_ERR_DATA,
                        "'%s' line %ld: unterminated quoted field "
                        "(the record starting here runs to end of file)",
                        c->name, c->rec_line);
                goto fail;
            }
            fend = (st == S_QUOTE || st == S_TAIL) ? w : p;
            goto record_end;
        }
        if (c->len - c->rec_start > HS_CSV_MAX_RECORD)
            goto too_long;
        {
            size_t po = (size_t)(p - base), wo = (size_t)(w - base);
            if (refill(c, err) != HS_OK)
                goto fail;
            base = c->buf + c->rec_start;
            p = base + po;
            w = base + wo;
            end = c->buf + c->len;
        }
    }

record_end:
    /* p is at the line end (or the end of input); fend ends the last field. */
    if ((size_t)(p - base) > HS_CSV_MAX_RECORD)
        goto too_long;
    ch = *p;
    *fend = '\0';
    if (push_field(c, fb, (size_t)(fend - base) - fb, err) != HS_OK)
        goto fail;
    c->line += nl;
    if (p < end) { /* a line end, not the end of input */
        c->line++;
        c->skip_lf = (ch == '\r');
        p++;
    }
    c->pos = (size_t)(p - c->buf);
    return 1;

binary:
    /* p is at a binary byte and nl counts the line ends before it: drop the
     * record through the end of this physical line.  What is skipped stays
     * buffered from rec_start, as in any record, so the record limit holds
     * and refill needs nothing new. */
    for (;;) {
        while (!stop_line[(unsigned char)*p])
            p++;
        if (*p != '\0' || (p == end && c->eof))
            break; /* the line end, or the end of input */
        if (p < end) { /* another NUL of the dropped line */
            p++;
            continue;
        }
        if (c->len - c->rec_start > HS_CSV_MAX_RECORD)
            goto too_long;
        {
            size_t po = (size_t)(p - base);
            if (refill(c, err) != HS_OK)
                goto fail;
            base = c->buf + c->rec_start;
            p = base + po;
            end = c->buf + c->len;
        }
    }
    if ((size_t)(p - base) > HS_CSV_MAX_RECORD)
        goto too_long;
    c->bin = 1;
    c->nf = 0;
    c->line += nl;
    if (p < end) { /* as at record_end: CRLF is one line end */
        c->line++;
        c->skip_lf = (*p == '\r');
        p++;
    }
    c->pos = (size_t)(p - c->buf);
    return 1;

too_long:
    hs_fail(err, HS_ERR_DATA, "'%s' line %ld: record longer than %d bytes",
            c->name, c->rec_line, HS_CSV_MAX_RECORD);
fail:
    c->failed = 1;
    c->nf = 0;
    return -1;
}

void hs_csv_set_separator(hs_csv *c, char sep)
{
    if (!c || sep == '"' || sep == '\r' || sep == '\n' || sep == '\0')
        return;
    c->sep = sep;
    build_tables(c);
}

/* GDAL's CSVDetectSeperator (port/cpl_csv.cpp), which the OGR CSV driver
 * uses for SEPARATOR=AUTO, on the first line: outside quotes (toggled by
 * every '"', anywhere in a field, as GDAL does; GDAL's "" rule toggles
 * twice, so it needs no code of its own) the first
 * of ',' ';' TAB is the separator, and a different one of them later on the
 * line means ',' (inconsistent), and none means ','.  GDAL also picks ' '
 * when the line has spaces but none of the three; we do not, on purpose: a
 * one-column file whose header has a space ("Crime ID") would split in two.
 * A space-separated file can still be read with hs_csv_set_separator.
 * Leading blank lines are passed over, as hs_csv_next passes over them: the
 * line looked at is the one that will be read as the header. */
char hs_csv_detect_separator(hs_csv *c)
{
    const char *p, *end;
    char found = '\0';
    int quoted = 0;

    if (!c)
        return ',';
    if (c->started)
        return c->sep; /* too late: records were read with c->sep */
    p = c->buf + c->pos;
    end = c->buf + c->len; /* only what open buffered */
    while (p < end && (*p == '\n' || *p == '\r'))
        p++;
    for (; p < end && *p != '\n' && *p != '\r' && *p != '\0'; p++) {
        char ch = *p;
        if (ch == '"') {
            quoted = !quoted;
        } else if (!quoted && (ch == ',' || ch == ';' || ch == '\t')) {
            if (!found) {
                found = ch;
            } else if (ch != found) {
                found = ',';
                break;
            }
        }
    }
    if (!found)
        found = ',';
    hs_csv_set_separator(c, found);
    return found;
}

void hs_csv_skip_binary(hs_csv *c, int on)
{
    if (!c)
        return;
    c->skip_bin = (on != 0);
    build_tables(c);
}

int hs_csv_binary(const hs_csv *c)
{
    return c ? c->bin : 0;
}

size_t hs_csv_nfields(const hs_csv *c)
{
    return c ? c->nf : 0;
}

const char *hs_csv_field(const hs_csv *c, size_t i, size_t *len)
{
    if (!c || i >= c->nf) {
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = c->flen[i];
    return c->buf + c->rec_start + c->foff[i];
}

long hs_csv_line(const hs_csv *c)
{
    return c ? c->rec_line : 0;
}

const char *hs_csv_name(const hs_csv *c)
{
    return c && c->name ? c->name : "";
}

void hs_csv_close(hs_csv *c)
{
    if (!c)
        return;
    if (c->fp)
        fclose(c->fp);
    free(c->name);
    free(c->buf);
    free(c->foff);
    free(c->flen);
    free(c);
}
