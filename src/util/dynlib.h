/* SPDX-License-Identifier: MIT */
/*
 * Generic dlopen helper for libraries loaded on first use (notify/libcurl.c,
 * server/libmhd.c): opens a library by SONAME and resolves a list of functions into the
 * caller's table of function pointers. It knows no library in particular and keeps no
 * state; the per-library modules run it once (pthread_once) and own the table. Libraries
 * are never closed: the ones loaded this way keep per-thread state and atexit handlers
 * that would dangle after a dlclose, and a process loads each at most once anyway.
 */
#ifndef LH_UTIL_DYNLIB_H
#define LH_UTIL_DYNLIB_H

#include <stddef.h>

#include "util/error.h"

/* One function to resolve: its name and the offset of its pointer in the caller's table. */
struct lh_dynlib_sym {
    const char *name;
    size_t offset;
};

/* An entry for the function `name` stored in member `member` of table type `type`. */
#define LH_DYNLIB_SYM(type, member, name) {name, offsetof(type, member)}

/*
 * dlopens `soname` (RTLD_NOW | RTLD_LOCAL: its symbols stay out of the global namespace)
 * and stores the address of each of the nsyms functions in `table` at its offset; each
 * member must be a function pointer. Returns 0, or LH_EIO with dlerror's text (which
 * names the file, and the symbol when one is missing) copied into err[0..cap); the table
 * may then be partly filled and must not be used. Does not set the thread's error
 * message: callers load once for all threads and report the text in whichever thread
 * asks, with their own context. Never dlcloses, even on failure. Not thread-safe for a
 * given table: call it once, under pthread_once.
 */
int lh_dynlib_open(void *table, const char *soname, const struct lh_dynlib_sym *syms, size_t nsyms,
                   char *err, size_t cap) LH_WUR;

#endif
