/* SPDX-License-Identifier: MIT */
/*
 * The binary with an unloadable libgit2: the git commands fail with one clear line (exit 4)
 * naming the library and the loader's reason, while `scan` (which never touches git)
 * still works, even inside a repository.
 */
#include "source/libgit2.h"
#include "support/git.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
