/* SPDX-License-Identifier: MIT */
/* Thread-local last-error message storage; see error.h. */
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>

static _Thread_local char last_error[1024];

void lh_error_vset(const char *fmt, va_list ap)
{
    vsnprintf(last_error, sizeof(last_error), fmt, ap);
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
