/* SPDX-License-Identifier: MIT */
/*
 * The pre-push protocol parser (what git writes on a pre-push hook's stdin): lines of four
 * fields, deletions with the zero id, and one error line naming the bad line for short
 * ids, wrong field counts, double spaces, control characters and non-hex ids; a huge line
 * is refused without being kept.
 */
#include "source/git_range.h"
#include "source/libgit2.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#define ZERO "0000000000000000000000000000000000000000"

TestSuite(range, .timeout = LH_TEST_TIMEOUT);

Test(range, push_input_parses_and_rejects_bad_lines)
{
    cr_assert(eq(int, lh_libgit2_load("test"), 0));
    static const char in[] =
        "refs/heads/feat 1111111111111111111111111111111111111111 refs/heads/feat " ZERO "\n"
        "\n"
        "(delete) " ZERO " refs/heads/old 2222222222222222222222222222222222222222\r\n";
    struct lh_git_push p;
    cr_assert(eq(int, lh_git_push_parse(&p, in, sizeof(in) - 1), 0));
    cr_assert(eq(sz, p.count, 2));
    cr_assert(eq(str, p.items[0].local_ref, "refs/heads/feat"));
    cr_assert(eq(int, git_oid_is_zero(&p.items[0].remote), 1));
    cr_assert(eq(str, p.items[1].local_ref, "(delete)"));
    cr_assert(eq(int, git_oid_is_zero(&p.items[1].local), 1));
    lh_git_push_dispose(&p);
    static const char *const bad[] = {
        "refs/heads/a 1111 refs/heads/a " ZERO "\n",                          /* short id */
        "refs/heads/a " ZERO " refs/heads/a\n",                               /* three fields */
        "refs/heads/a  " ZERO " refs/heads/a " ZERO "\n",                     /* two spaces */
        "refs/heads/a " ZERO " refs/heads/a " ZERO " extra\n",                /* five fields */
        "refs/heads/\x1b " ZERO " refs/heads/a " ZERO "\n",                   /* control char */
        "refs/heads/a g111111111111111111111111111111111111111 x " ZERO "\n", /* not hex */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert(eq(int, lh_git_push_parse(&p, bad[i], strlen(bad[i])), LH_EINVAL), "%zu", i);
        cr_assert(eq(sz, p.count, 0));
        cr_assert(strstr(lh_error_get(), "line 1") != NULL, "%s", lh_error_get());
    }
    /* bounded: a huge line is refused without being kept */
    size_t n = LH_GIT_PUSH_MAX_LINE + 10;
    char *big = malloc(n);
    cr_assert(big != NULL);
    memset(big, 'a', n);
    cr_assert(eq(int, lh_git_push_parse(&p, big, n), LH_ETOOBIG));
    free(big);
}
