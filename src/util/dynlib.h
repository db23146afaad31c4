/* SPDX-License-Identifier: MIT */
/*
 * Generic dlopen helper for libraries loaded on first use (http/libcurl.c,
 * http/libmhd.c, source/libgit2.c): opens a library by SONAME and resolves a list of
 * functions into the caller's table of function pointers, once per process
 * (lh_dynlib_load). It knows no library in particular; the per-library modules own the
 * table and the struct lh_dynlib that records the outcome. Libraries are never closed: the ones
 * loaded this way keep per-thread state and atexit handlers that would dangle after a dlclose, and
 * a process loads each at most once anyway.
 */
#ifndef LH_UTIL_DYNLIB_H
#define LH_UTIL_DYNLIB_H

#include "util/error.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* One function to resolve: its name and the offset of its pointer in the caller's table. */
struct lh_dynlib_sym {
    const char *name;
    size_t offset;
};

/* An entry for the function `name` stored in member `member` of table type `type`. */
#define LH_DYNLIB_SYM(type, member, name)                                                          \
    {                                                                                              \
        name, offsetof(type, member)                                                               \
    }

/*
 * dlopens `soname` (RTLD_NOW | RTLD_LOCAL: its symbols stay out of the global namespace)
 * and stores the address of each of the nsyms functions in `table` at its offset; each
 * member must be a function pointer. Returns 0, or LH_EIO with dlerror's text (which
 * names the file, and the symbol when one is missing) copied into err[0..cap); the table
 * may then be partly filled and must not be used. Does not set the thread's error
 * message: callers load once for all threads and report the text in whichever thread
 * asks, with their own context. Never dlcloses, even on failure. Not thread-safe for a
 * given table: lh_dynlib_load calls it once, under its lock.
 */
int lh_dynlib_open(void *table, const char *soname, const struct lh_dynlib_sym *syms, size_t nsyms,
                   char *err, size_t cap) LH_WUR;

/*
 * A library loaded once per process: a static instance per library (LH_DYNLIB_INIT) and
 * lh_dynlib_load wherever the library is needed. The first call opens it and runs `init`
 * (optional: a library's own global initialisation, e.g. curl_global_init; 0 or a negative
 * LH_E* code with the reason in err); every call returns that first outcome.
 */
struct lh_dynlib {
    const char *soname;
    const struct lh_dynlib_sym *syms;
    size_t nsyms;
    void *table;
    int (*init)(void *table, char *err, size_t cap);
    pthread_mutex_t lock; /* the rest is written once, under lock */
    bool done;
    int rc;
    char err[512];
};

#define LH_DYNLIB_INIT(soname, syms, table, init)                                                  \
    {                                                                                              \
        (soname), (syms), sizeof(syms) / sizeof((syms)[0]), (table), (init),                       \
            PTHREAD_MUTEX_INITIALIZER, false, 0,                                                   \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

/*
 * Loads d on the first call (thread-safe); later calls return the first outcome. Returns 0,
 * or the load's negative code with "cannot load <soname> (needed for <purpose>): <reason>"
 * as this thread's error message; a failure is final for the process.
 */
int lh_dynlib_load(struct lh_dynlib *d, const char *purpose) LH_WUR;

#endif
