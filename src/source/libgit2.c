/* SPDX-License-Identifier: MIT */
/* The lazily loaded libgit2; see libgit2.h. */
#include "source/libgit2.h"

#include <pthread.h>
#include <stdatomic.h>

#include "util/dynlib.h"

struct lh_libgit2 lh_libgit2_api;

/* The symbol table, from the same list as the struct (# and ## do not expand the macros). */
static const struct lh_dynlib_sym syms[] = {
#define LH_LIBGIT2_SYM(f) {#f, offsetof(struct lh_libgit2, fn_##f)},
    LH_LIBGIT2_FUNCTIONS(LH_LIBGIT2_SYM)
#undef LH_LIBGIT2_SYM
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static atomic_int loaded;
static char load_error[512];

static void load(void)
{
    load_rc = lh_dynlib_open(&lh_libgit2_api, LH_LIBGIT2_SONAME, syms,
                             sizeof(syms) / sizeof(syms[0]), load_error, sizeof(load_error));
    atomic_store(&loaded, load_rc == 0);
}

int lh_libgit2_load(const char *purpose)
{
    pthread_once(&once, load);
    if (load_rc < 0) {
        lh_error_set("cannot load %s (needed for %s): %s", LH_LIBGIT2_SONAME, purpose,
                     load_error);
        return load_rc;
    }
    return 0;
}

int lh_libgit2_loaded(void)
{
    return atomic_load(&loaded);
}
