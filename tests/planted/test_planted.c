/* SPDX-License-Identifier: MIT */
/*
 * An ordinary end-to-end test (scan a file holding a token, expect exit 1 and the finding),
 * built against a binary with a planted fault (LH_BIN = leakhound_planted_leak or _oob). It
 * must FAIL: the support library forwards the spawned binary's sanitizer report to this
 * test's stderr and treats the sanitizer exit code as a failure, so a fault anywhere in a
 * spawned binary's path fails the suite. cmake/expect_sanitizer_failure.cmake runs it and
 * passes only if it failed for that reason.
 */
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(planted);

Test(planted, ordinary_scan_with_a_finding)
{
    /* a Slack incoming-webhook URL: a finding without a checksum to compute */
    const char *text = "url = \"https://hooks.slack.com/services/T0123ABCD/B0123ABCD/"
                       "q1w2e3r4t5y6u7i8o9p0a1s2\"\n";
    lh_write_file(dir, "config.txt", text, strlen(text));
    struct lh_run r;
    const char *const argv[] = {LH_BIN, "scan", "config.txt", NULL};
    cr_assert(eq(int, lh_run_in(&r, dir, NULL, 0, argv), 0));
    cr_assert(eq(int, r.status, 1), "status %d, stderr: %s", r.status, r.err);
    cr_assert(strstr(r.out, "config.txt") != NULL, "%s", r.out);
    lh_run_dispose(&r);
}
