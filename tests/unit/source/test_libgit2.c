/* SPDX-License-Identifier: MIT */
/*
 * libgit2 is loaded on first use: every function in the table is the real one and loading
 * is idempotent. The binary without a loadable libgit2 is tests/e2e/libs.
 *//*
 * libgit2 is loaded on first use: every function in the table is the real one, loading is
 * idempotent, and with an unloadable libgit2 the git commands fail with one clear line
 * while `scan` (which never touches git) still works.
 */
#include "source/git.h"
#include "source/libgit2.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(libgit2, table_holds_the_real_functions_and_loading_is_idempotent)
{
    cr_assert(eq(int, lh_libgit2_load("tests"), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_libgit2_load("tests"), 0));
    void *h = dlopen(LH_LIBGIT2_SONAME, RTLD_NOW | RTLD_NOLOAD);
    cr_assert(not(eq(ptr, h, NULL)), "the loader must have loaded %s", LH_LIBGIT2_SONAME);
    size_t n = 0;
#define CHECK(f)                                                                                   \
    do {                                                                                           \
        void *real = dlsym(h, #f);                                                                 \
        cr_assert(not(eq(ptr, real, NULL)), #f);                                                   \
        cr_assert(eq(ptr, (void *)lh_libgit2_api.fn_##f, real), #f " is not the real one");        \
        n++;                                                                                       \
    } while (0);
    LH_LIBGIT2_FUNCTIONS(CHECK)
#undef CHECK
    cr_assert(gt(sz, n, 50));
    dlclose(h); /* drops the NOLOAD reference only */
}
