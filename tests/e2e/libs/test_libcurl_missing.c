/* SPDX-License-Identifier: MIT */
/*
 * The binary with a junk libcurl.so.4 first in LD_LIBRARY_PATH: the commands that need
 * libcurl (revoke flush, scan --revoke) exit 4 with one error line naming it, while those
 * that do not (scan, a dry run, revoke status) work as before.
 */
#include "http/libcurl.h"
#include "support/notify.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the binary without a loadable libcurl ---- */

static char *dir;
static char *libs;
static char state[4096];
static char tok[41];

static void setup(void)
{
    static const char *const sonames[] = {LH_LIBCURL_SONAME, NULL};
    t_env();
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    snprintf(state, sizeof(state), "%s/state", dir);
    t_token(tok, 500);
    char line[128];
    snprintf(line, sizeof(line), "GITHUB_TOKEN=%s\n", tok);
    lh_write_file(dir, "src/app.env", line, strlen(line));
    libs = lh_shadow_libs(sonames);
    cr_assert(libs != NULL);
}

static void teardown(void)
{
    lh_unshadow_libs(libs);
    lh_rmtree(dir);
    free(dir);
}

TestSuite(libcurl_missing, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

/* Exit 4, stdout as given, and exactly one error line: the library, why, and for what. */
static void fails_naming_libcurl(const struct lh_run *r, const char *prefix)
{
    cr_assert(eq(int, r->status, 4), "status %d, stderr: %s", r->status, r->err);
    cr_assert(strstr(r->err, "Sanitizer") == NULL, "%s", r->err);
    cr_assert(strstr(r->err, tok) == NULL);
    char *line = lh_error_line(r->err);
    cr_assert(line != NULL, "no single error line in: %s", r->err);
    char want[256];
    snprintf(want, sizeof(want),
             "leakhound: error: %scannot load libcurl.so.4 (needed for revoke webhooks): ", prefix);
    cr_assert(strncmp(line, want, strlen(want)) == 0, "%s", line);
    cr_assert(strstr(line, libs) != NULL, "the loader's reason is missing: %s", line);
    free(line);
}

Test(libcurl_missing, revoke_flush_exits_4_with_one_line_naming_the_library)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "revoke", "flush", "--no-config", "--state-dir", state, NULL);
    fails_naming_libcurl(&r, "");
    cr_assert(eq(sz, r.out_len, 0));
    lh_run_dispose(&r);
}

Test(libcurl_missing, scan_revoke_reports_then_exits_4)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--no-config", "--revoke", "--revoke-url",
              "http://127.0.0.1:9/hook", "--state-dir", state, ".", NULL);
    fails_naming_libcurl(&r, "revocation: ");
    cr_assert(strstr(r.out, "github-pat-classic") != NULL, "the report is missing: %s", r.out);
    lh_run_dispose(&r);
}

Test(libcurl_missing, scan_and_revoke_status_do_not_need_it)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--no-config", ".", NULL);
    cr_assert(eq(int, r.status, 1), "status %d, stderr: %s", r.status, r.err);
    cr_assert(strstr(r.out, "github-pat-classic") != NULL, "%s", r.out);
    cr_assert(strstr(r.err, "libcurl") == NULL, "%s", r.err);
    lh_run_dispose(&r);
    /* a dry run queues nothing and sends nothing, so it needs no libcurl either */
    lh_run_lh(&r, dir, NULL, "scan", "--no-config", "--revoke", "--dry-run", "--revoke-url",
              "http://127.0.0.1:9/hook", "--state-dir", state, ".", NULL);
    cr_assert(eq(int, r.status, 1), "status %d, stderr: %s", r.status, r.err);
    cr_assert(strstr(r.err, "would be queued") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "revoke", "status", "--no-config", "--state-dir", state, NULL);
    cr_assert(eq(int, r.status, 0), "status %d, stderr: %s", r.status, r.err);
    cr_assert(strstr(r.out, "0 pending, 0 failed, 0 delivered") != NULL, "%s", r.out);
    lh_run_dispose(&r);
}
