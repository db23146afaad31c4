/* SPDX-License-Identifier: MIT */
/*
 * The binary with unloadable libmicrohttpd and libcurl (junk libraries first in
 * LD_LIBRARY_PATH): `leakhound serve` exits 4 with one error line naming the library it
 * needs (libcurl for a key-list URL), while `leakhound scan` works as before.
 */
#include "http/libcurl.h"
#include "http/libmhd.h"
#include "support/serve.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the binary without loadable libraries ---- */

static char *dir;
static char *libs;
static struct th_key key;

static void setup(void)
{
    static const char *const sonames[] = {LH_LIBMHD_SONAME, LH_LIBCURL_SONAME, NULL};
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    th_key_new(&key);
    th_write_keys(dir, &key);
    lh_write_file(dir, "src/a.txt", "nothing to see\n", 15);
    libs = lh_shadow_libs(sonames);
    cr_assert(libs != NULL);
}

static void teardown(void)
{
    lh_unshadow_libs(libs);
    th_key_free(&key);
    lh_rmtree(dir);
    free(dir);
}

TestSuite(libmhd_missing, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

/* Exit 4 (not a crash) and exactly one error line: the library, why, and for what. */
static void fails_naming(const struct lh_run *r, const char *soname, const char *purpose)
{
    cr_assert(eq(int, r->status, 4), "status %d, stderr: %s", r->status, r->err);
    cr_assert(strstr(r->err, "Sanitizer") == NULL, "%s", r->err);
    char *line = lh_error_line(r->err);
    cr_assert(line != NULL, "no single error line in: %s", r->err);
    char want[256];
    snprintf(want, sizeof(want), "leakhound: error: cannot load %s (needed for %s): ", soname,
             purpose);
    cr_assert(strncmp(line, want, strlen(want)) == 0, "%s", line);
    cr_assert(strstr(line, libs) != NULL, "the loader's reason is missing: %s", line);
    free(line);
}

Test(libmhd_missing, serve_exits_4_with_one_line_naming_the_library)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "serve", "--no-config", "--github-keys", "keys.json", "--listen",
              "127.0.0.1:0", NULL);
    fails_naming(&r, LH_LIBMHD_SONAME, "leakhound serve");
    cr_assert(strstr(r.err, "\"listening\"") == NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(libmhd_missing, serve_with_a_key_url_exits_4_naming_libcurl)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "serve", "--no-config", "--github-keys-url", "http://127.0.0.1:9/keys",
              "--listen", "127.0.0.1:0", NULL);
    fails_naming(&r, LH_LIBCURL_SONAME, "key list URLs");
    lh_run_dispose(&r);
}

Test(libmhd_missing, scan_does_not_need_either_library)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--no-config", "src", NULL);
    cr_assert(eq(int, r.status, 0), "status %d, stderr: %s", r.status, r.err);
    cr_assert(strstr(r.err, "cannot load") == NULL, "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "--version", NULL);
    cr_assert(eq(int, r.status, 0), "status %d, stderr: %s", r.status, r.err);
    lh_run_dispose(&r);
}
