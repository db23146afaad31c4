/* SPDX-License-Identifier: MIT */
/*
 * Error codes and the thread-local "last error" message (the libgit2 convention).
 * The failing function records exactly one lower-case line with lh_error_set(); callers
 * propagate the negative code and never overwrite the message. Messages never contain
 * raw secret bytes: callers quote paths, rule ids and sizes, never scanned content.
 */
#ifndef LH_UTIL_ERROR_H
#define LH_UTIL_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define LH_WUR __attribute__((warn_unused_result))
#define LH_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum lh_error_code {
    LH_OK = 0,
    LH_ERROR = -1,     /* generic failure */
    LH_ENOMEM = -2,    /* allocation failed */
    LH_EIO = -3,       /* read/write/stat failed */
    LH_ENOTFOUND = -4, /* path, object, key or name not found */
    LH_EINVAL = -5,    /* malformed input (rule file, config, baseline, request) */
    LH_ETOOBIG = -6,   /* an input-controlled size exceeded its cap */
    LH_ERULE = -7,     /* a rule is invalid (pattern, validator, examples) */
    LH_EUSAGE = -8,    /* bad command-line usage */
    LH_EGIT = -9,      /* libgit2 reported an error */
    LH_ENET = -10,     /* network / HTTP failure */
    LH_EAGAIN = -11,   /* temporary failure, worth a retry */
};

/* Records the thread's last error message (cut in the middle past 1 KiB: lh_vformat_mid). */
void lh_error_set(const char *fmt, ...) LH_PRINTF(1, 2);
void lh_error_vset(const char *fmt, va_list ap) LH_PRINTF(1, 0);

/*
 * vsnprintf into out[cap] (cap > 16), except that a message too long for it keeps its
 * beginning and its end joined by "...": the reason that follows a long path ("cannot open
 * '<path>': permission denied") survives. Every fixed-size message buffer formats through it.
 */
void lh_vformat_mid(char *out, size_t cap, const char *fmt, va_list ap) LH_PRINTF(3, 0);

/* Borrows the thread's last error message; "" if none was set. */
const char *lh_error_get(void);

/* Clears the thread's last error message. */
void lh_error_clear(void);

/* Returns a static name for a code ("out of memory", ...). */
const char *lh_error_name(int code);

/* Records "out of memory" and returns LH_ENOMEM: `return lh_error_oom();`. */
int lh_error_oom(void) LH_WUR;

#define LH_ASSERT(cond) ((cond) ? (void)0 : lh_assert_fail(#cond, __FILE__, __LINE__))
_Noreturn void lh_assert_fail(const char *expr, const char *file, int line);

#endif
