/* SPDX-License-Identifier: MIT */
/*
 * Pair rules in the matcher: the `id` span is reported before or after the secret, a secret
 * may be named in several alternatives (duplicate group names), and pair rules are matched
 * first. The scan of real files with the built-in pair rules is tests/e2e/scan/test_pairs.c.
 */
#include "match/matcher.h"
#include "rules/ruleset.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hits {
    size_t n;
    struct lh_match m[16];
};

static int collect(const struct lh_match *m, void *payload)
{
    struct hits *h = payload;
    if (h->n < 16) {
        h->m[h->n] = *m;
    }
    h->n++;
    return 0;
}

static const char *pair_yaml = "rules:\n"
                               "  - id: plain\n"
                               "    name: plain\n"
                               "    keywords: [ID-]\n"
                               "    pattern: '(?<secret>ID-[0-9]{4})'\n"
                               "  - id: pair\n"
                               "    name: pair\n"
                               "    keywords: ['key=']\n"
                               "    pattern: '(?:(?<id>ID-[0-9]{4}) )?key=(?<secret>[a-z]{6})"
                               "(?(<id>)|(?: (?<id>ID-[0-9]{4}))?)'\n";

static void match_text(const char *text, struct hits *h, bool *is_pair)
{
    struct lh_ruleset *rs = NULL;
    struct lh_matcher *m = NULL;
    struct lh_matcher_scratch *s = NULL;
    struct lh_matcher_opts o = {0};
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(
        eq(int,
           lh_ruleset_load_buffer(rs, "pair.yml", (const uint8_t *)pair_yaml, strlen(pair_yaml)),
           0),
        "%s", lh_error_get());
    cr_assert(eq(int, lh_matcher_new(&m, rs->rules, rs->count, &o), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_matcher_scratch_new(&s, m), 0));
    is_pair[0] = lh_matcher_rule_is_pair(m, 0);
    is_pair[1] = lh_matcher_rule_is_pair(m, 1);
    memset(h, 0, sizeof(*h));
    cr_assert(eq(int, lh_matcher_scan(m, s, (const uint8_t *)text, strlen(text), collect, h), 0));
    lh_matcher_scratch_free(s);
    lh_matcher_free(m);
    lh_ruleset_free(rs);
}

Test(catalogue_pairs, matcher_reports_the_id_span_before_or_after)
{
    static const char text[] = "ID-1234 key=abcdef; key=ghijkl ID-5678; key=mnopqr";
    struct hits h;
    bool is_pair[2];
    match_text(text, &h, is_pair);
    cr_assert(eq(int, is_pair[0], 0));
    cr_assert(eq(int, is_pair[1], 1));
    /* the pair rule's three matches come first, then the plain rule's two */
    cr_assert(eq(sz, h.n, 5));
    for (size_t i = 0; i < 3; i++) {
        cr_assert(eq(sz, h.m[i].rule, 1));
    }
    cr_assert(eq(sz, h.m[0].sstart, 12));
    cr_assert(eq(sz, h.m[0].istart, 0));
    cr_assert(eq(sz, h.m[0].iend, 7));
    cr_assert(eq(sz, h.m[1].sstart, 24));
    cr_assert(eq(sz, h.m[1].istart, 31));
    cr_assert(eq(sz, h.m[1].iend, 38));
    cr_assert(eq(sz, h.m[2].sstart, 44));
    cr_assert(eq(sz, h.m[2].istart, h.m[2].iend), "no id: empty span");
    cr_assert(eq(sz, h.m[3].rule, 0));
    cr_assert(eq(sz, h.m[3].istart, h.m[3].iend));
}

Test(catalogue_pairs, secret_may_be_named_in_several_alternatives)
{
    static const char yaml[] = "rules:\n"
                               "  - id: alt\n"
                               "    name: alt\n"
                               "    keywords: [k]\n"
                               "    pattern: 'k=(?<secret>[0-9]+)|(?<secret>[a-z]+)=k'\n";
    struct lh_ruleset *rs = NULL;
    struct lh_matcher *m = NULL;
    struct lh_matcher_scratch *s = NULL;
    struct lh_matcher_opts o = {0};
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(
        eq(int, lh_ruleset_load_buffer(rs, "alt.yml", (const uint8_t *)yaml, strlen(yaml)), 0));
    cr_assert(eq(int, lh_matcher_new(&m, rs->rules, rs->count, &o), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_matcher_rule_is_pair(m, 0), 0));
    cr_assert(eq(int, lh_matcher_scratch_new(&s, m), 0));
    static const char text[] = "k=42 abc=k";
    struct hits h = {0};
    cr_assert(eq(int, lh_matcher_scan(m, s, (const uint8_t *)text, strlen(text), collect, &h), 0));
    cr_assert(eq(sz, h.n, 2));
    cr_assert(eq(sz, h.m[0].sstart, 2));
    cr_assert(eq(sz, h.m[0].send, 4));
    cr_assert(eq(sz, h.m[1].sstart, 5));
    cr_assert(eq(sz, h.m[1].send, 8));
    lh_matcher_scratch_free(s);
    lh_matcher_free(m);
    lh_ruleset_free(rs);
}
