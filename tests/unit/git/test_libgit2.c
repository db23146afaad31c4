/* SPDX-License-Identifier: MIT */
/*
 * libgit2 is loaded on first use: every function in the table is the real one, loading is
 * idempotent, and with an unloadable libgit2 the git commands fail with one clear line
 * while `scan` (which never touches git) still works.
 */
#include "gitfix.h"
#include "source/git.h"
#include "source/libgit2.h"

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

/* ---- the binary without a loadable libgit2 ---- */

static char *libs;

static void setup(void)
{
    static const char *const sonames[] = {LH_LIBGIT2_SONAME, NULL};
    gf_setup();
    gf_write("a.txt", "nothing to see\n", NULL);
    gf_commit_q("init");
    libs = lh_shadow_libs(sonames);
    cr_assert(libs != NULL);
}

static void teardown(void)
{
    lh_unshadow_libs(libs);
    gf_teardown();
}

TestSuite(libgit2_missing, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

static void fails_naming(const struct lh_run *r, const char *purpose)
{
    cr_assert(eq(int, r->status, 4), "status %d, stderr: %s", r->status, r->err);
    cr_assert(eq(ptr, strstr(r->err, "Sanitizer"), NULL), "%s", r->err);
    char *line = lh_error_line(r->err);
    cr_assert(not(eq(ptr, line, NULL)), "no single error line in: %s", r->err);
    char want[256];
    snprintf(want, sizeof(want),
             "leakhound: error: cannot load %s (needed for %s): ", LH_LIBGIT2_SONAME, purpose);
    cr_assert(eq(int, strncmp(line, want, strlen(want)), 0), "%s", line);
    cr_assert(not(eq(ptr, strstr(line, libs), NULL)), "the loader's reason is missing: %s", line);
    free(line);
}

Test(libgit2_missing, git_commands_fail_with_one_line_and_scan_still_works)
{
    struct lh_run r;
    lh_run_lh(&r, gf_path("repo"), NULL, "history", "--quiet", NULL);
    fails_naming(&r, "git repositories");
    lh_run_dispose(&r);
    lh_run_lh(&r, gf_path("repo"), NULL, "staged", "--quiet", NULL);
    fails_naming(&r, "git repositories");
    lh_run_dispose(&r);
    lh_run_lh(&r, gf_path("repo"), NULL, "install-hook", ".", NULL);
    fails_naming(&r, "install-hook");
    lh_run_dispose(&r);
    /* scan never needs libgit2, not even inside a repository */
    lh_run_lh(&r, gf_path("repo"), NULL, "scan", "--quiet", ".", NULL);
    cr_assert(eq(int, r.status, 0), "status %d, stderr: %s", r.status, r.err);
    lh_run_dispose(&r);
}
