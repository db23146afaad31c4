/* SPDX-License-Identifier: MIT */
/*
 * dlopen/dlsym into a table of function pointers; see dynlib.h. dlsym returns an object
 * pointer; POSIX guarantees it can hold a function address, and copying its bytes into
 * the function pointer member (rather than casting between the two pointer kinds, which
 * ISO C does not define and -Wpedantic rejects) is the portable way to store it.
 */
#include "util/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
               "function pointers must have the size of object pointers (POSIX dlsym)");

static void copy_error(char *err, size_t cap, const char *fallback)
{
    const char *e = dlerror();
    snprintf(err, cap, "%s", e ? e : fallback);
}

int lh_dynlib_open(void *table, const char *soname, const struct lh_dynlib_sym *syms, size_t nsyms,
                   char *err, size_t cap)
{
    LH_ASSERT(table && soname && err && cap > 0);
    err[0] = '\0';
    dlerror(); /* clear any earlier error */
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        copy_error(err, cap, "dlopen failed");
        return LH_EIO;
    }
    for (size_t i = 0; i < nsyms; i++) {
        dlerror();
        void *p = dlsym(h, syms[i].name);
        if (!p) {
            /* no dlclose: the handle is cheap to keep and other code may share it */
            char what[256];
            snprintf(what, sizeof(what), "undefined symbol: %s", syms[i].name);
            copy_error(err, cap, what);
            return LH_EIO;
        }
        memcpy((char *)table + syms[i].offset, &p, sizeof(p));
    }
    return 0;
}

int lh_dynlib_load(struct lh_dynlib *d, const char *purpose)
{
    pthread_mutex_lock(&d->lock);
    if (!d->done) {
        d->rc = lh_dynlib_open(d->table, d->soname, d->syms, d->nsyms, d->err, sizeof(d->err));
        if (d->rc == 0 && d->init) {
            d->rc = d->init(d->table, d->err, sizeof(d->err));
        }
        d->done = true;
    }
    int rc = d->rc;
    if (rc < 0) {
        lh_error_set("cannot load %s (needed for %s): %s", d->soname, purpose, d->err);
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}
