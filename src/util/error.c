/* SPDX-License-Identifier: MIT */
/* Thread-local last-error message storage; see error.h. */
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_error[1024];

/* Longest message kept whole before cutting: a PATH_MAX path and then some. */
#define FORMAT_MID_MAX 16384

void lh_vformat_mid(char *out, size_t cap, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(out, cap, fmt, ap);
    if (n < 0 || (size_t)n < cap || cap <= 16) {
        va_end(again);
        return;
    }
    char whole[FORMAT_MID_MAX];
    int m = vsnprintf(whole, sizeof(whole), fmt, again);
    va_end(again);
    size_t len = m < 0 ? 0 : (size_t)m < sizeof(whole) ? (size_t)m : sizeof(whole) - 1;
    size_t keep = cap - 1 - 3;
    size_t head = keep * 2 / 5;
    size_t tail = keep - head;
    if (len < head + tail) {
        return; /* cannot happen: the first try did not fit */
    }
    memcpy(out, whole, head);
    memcpy(out + head, "...", 3);
    memcpy(out + head + 3, whole + len - tail, tail);
    out[cap - 1] = '\0';
}

void lh_error_vset(const char *fmt, va_list ap)
{
    lh_vformat_mid(last_error, sizeof(last_error), fmt, ap);
}

void lh_error_set(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lh_error_vset(fmt, ap);
    va_end(ap);
}

const char *lh_error_get(void)
{
    return last_error;
}

void lh_error_clear(void)
{
    last_error[0] = '\0';
}

int lh_error_oom(void)
{
    lh_error_set("out of memory");
    return LH_ENOMEM;
}

const char *lh_error_name(int code)
{
    switch (code) {
    case LH_OK:
        return "ok";
    case LH_ENOMEM:
        return "out of memory";
    case LH_EIO:
        return "i/o error";
    case LH_ENOTFOUND:
        return "not found";
    case LH_EINVAL:
        return "invalid input";
    case LH_ETOOBIG:
        return "too big";
    case LH_ERULE:
        return "invalid rule";
    case LH_EUSAGE:
        return "usage error";
    case LH_EGIT:
        return "git error";
    case LH_ENET:
        return "network error";
    case LH_EAGAIN:
        return "temporary failure";
    default:
        return "error";
    }
}

void lh_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "leakhound: internal error: assertion '%s' failed at %s:%d\n", expr, file,
            line);
    abort();
}
