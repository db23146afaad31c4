/* SPDX-License-Identifier: MIT */
/* The lazily loaded libgit2; see libgit2.h. */
#include "source/libgit2.h"

#include "util/dynlib.h"

struct lh_libgit2 lh_libgit2_api;

/* The symbol table, from the same list as the struct (# and ## do not expand the macros). */
static const struct lh_dynlib_sym syms[] = {
#define LH_LIBGIT2_SYM(f) {#f, offsetof(struct lh_libgit2, fn_##f)},
    LH_LIBGIT2_FUNCTIONS(LH_LIBGIT2_SYM)
#undef LH_LIBGIT2_SYM
};

static struct lh_dynlib lib = LH_DYNLIB_INIT(LH_LIBGIT2_SONAME, syms, &lh_libgit2_api, NULL);

int lh_libgit2_load(const char *purpose)
{
    return lh_dynlib_load(&lib, purpose);
}
