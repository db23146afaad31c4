/* SPDX-License-Identifier: MIT */
/* match/regex.h: allow regexes compile with a positioned message and match under limits. */
#include "match/regex.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

static bool matches(const struct lh_regex *re, const char *s)
{
    struct lh_regex_scratch *sc = NULL;
    cr_assert(eq(int, lh_regex_scratch_new(&sc), 0));
    bool m = lh_regex_match(re, sc, (const uint8_t *)s, strlen(s));
    lh_regex_scratch_free(sc);
    return m;
}

Test(regex, matches_anywhere_in_a_span_that_is_not_nul_terminated)
{
    struct lh_regex *re = NULL;
    cr_assert(eq(int, lh_regex_new(&re, "^EXAMPLE|test[0-9]+$", NULL, "allow regex 1"), 0));
    cr_assert(matches(re, "EXAMPLEKEY"));
    cr_assert(matches(re, "abc_test42"));
    cr_assert(not(matches(re, "abc_test42x")));
    struct lh_regex_scratch *sc = NULL;
    cr_assert(eq(int, lh_regex_scratch_new(&sc), 0));
    /* "test4" then "2x": the length bounds the subject, the 'x' after it is not seen */
    cr_assert(lh_regex_match(re, sc, (const uint8_t *)"abc_test42x", 10));
    lh_regex_scratch_free(sc);
    lh_regex_free(re);
    lh_regex_free(NULL);
}

Test(regex, a_syntax_error_names_the_regex_and_the_offset)
{
    struct lh_regex *re = NULL;
    cr_assert(
        eq(int, lh_regex_new(&re, "ab(c", NULL, "r.yml:3:5: rule 'x': allow regex 2"), LH_ERULE));
    cr_assert(eq(ptr, re, NULL));
    cr_assert(eq(str, (char *)lh_error_get(),
                 "r.yml:3:5: rule 'x': allow regex 2 does not compile at offset 4: missing "
                 "closing parenthesis"));
}

Test(regex, a_match_that_hits_the_limit_is_no_match)
{
    /* (a+)+b backtracks exponentially over the 16 a's before the X (about 2^16 steps), then
     * matches "ab" at the end: found with the default limits, not under a limit of 1000 */
    const char *subject = "aaaaaaaaaaaaaaaaXab";
    struct lh_regex *re = NULL;
    cr_assert(eq(int, lh_regex_new(&re, "(a+)+b", NULL, "allow regex 1"), 0));
    cr_assert(matches(re, subject));
    lh_regex_free(re);
    struct lh_matcher_opts low = {.match_limit = 1000};
    cr_assert(eq(int, lh_regex_new(&re, "(a+)+b", &low, "allow regex 1"), 0));
    cr_assert(not(matches(re, subject)));
    cr_assert(matches(re, "Xab")); /* cheap matches still match under the low limit */
    lh_regex_free(re);
}
