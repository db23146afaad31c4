/* SPDX-License-Identifier: MIT */
/* Unit tests for the rule model and YAML loader. */
#include "rules/builtin.h"
#include "rules/ruleset.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

static int load(struct lh_ruleset **rs, const char *yaml)
{
    cr_assert(eq(int, lh_ruleset_new(rs), 0));
    return lh_ruleset_load_buffer(*rs, "t.yml", (const uint8_t *)yaml, strlen(yaml));
}

Test(rules_yaml, loads_all_fields)
{
    struct lh_ruleset *rs;
    int rc = load(&rs, "rules:\n"
                       "  - id: a\n    name: A\n    provider: P\n    keywords: [k1, k2]\n"
                       "    keywords_case: insensitive\n"
                       "    pattern: '(?<secret>k1x)'\n"
                       "    validator: {name: crc32-hex, params: {covers: body, seps: [a, b]}}\n"
                       "    min_entropy: 2.5\n    confidence: low\n    max_length: 64\n"
                       "    enabled: false\n"
                       "    allow: {regexes: [x], stopwords: [y], paths: ['*.md']}\n"
                       "    references: [https://example.com]\n"
                       "    examples: [k1x, {text: 'v=k1x', secret: k1x}]\n"
                       "    negative_examples: [k2]\n");
    cr_assert(eq(int, rc, 0), "%s", lh_error_get());
    cr_assert(eq(sz, rs->count, 1));
    struct lh_rule *r = rs->rules[0];
    cr_assert(eq(str, r->id, "a"));
    cr_assert(eq(sz, r->keywords.count, 2));
    cr_assert(r->keywords_caseless);
    cr_assert(eq(str, r->validator, "crc32-hex"));
    cr_assert(eq(str, (char *)lh_rule_param(r, "covers"), "body"));
    cr_assert(eq(str, (char *)lh_rule_param(r, "seps"), "a,b"));
    cr_assert(eq(int, r->confidence, LH_CONF_LOW));
    cr_assert(eq(sz, r->max_length, 64));
    cr_assert(r->opt_in);
    cr_assert(eq(int, lh_rule_active(r), 0));
    cr_assert(eq(sz, r->examples.count, 2));
    cr_assert(eq(str, r->example_secrets.items[0], ""));
    cr_assert(eq(str, r->example_secrets.items[1], "k1x"));
    cr_assert(eq(sz, lh_ruleset_select(rs, "a", true), 1));
    cr_assert(lh_rule_active(r));
    lh_ruleset_free(rs);
}

Test(rules_yaml, rejects_duplicate_id)
{
    struct lh_ruleset *rs;
    int rc = load(&rs, "rules:\n  - {id: a, name: A, keywords: [k], pattern: '(?<secret>k)'}\n"
                       "  - {id: a, name: B, keywords: [k], pattern: '(?<secret>k)'}\n");
    cr_assert(eq(int, rc, LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "duplicate rule id 'a'") != NULL, "%s", lh_error_get());
    cr_assert(strstr(lh_error_get(), "t.yml:3:") != NULL, "%s", lh_error_get());
    lh_ruleset_free(rs);
}

Test(rules_yaml, rejects_missing_required_keys)
{
    struct lh_ruleset *rs;
    int rc = load(&rs, "rules:\n  - {id: a, name: A, pattern: '(?<secret>k)'}\n");
    cr_assert(eq(int, rc, LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "keywords") != NULL, "%s", lh_error_get());
    lh_ruleset_free(rs);
}

Test(rules_yaml, rejects_confirmed_confidence_and_bad_types)
{
    struct lh_ruleset *rs;
    int rc = load(&rs, "rules:\n  - {id: a, name: A, keywords: [k], pattern: x, "
                       "confidence: confirmed}\n");
    cr_assert(eq(int, rc, LH_EINVAL));
    lh_ruleset_free(rs);
    rc = load(&rs, "rules:\n  - {id: a, name: A, keywords: [k], pattern: x, min_entropy: lots}\n");
    cr_assert(eq(int, rc, LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "t.yml:2:") != NULL, "%s", lh_error_get());
    lh_ruleset_free(rs);
    rc = load(&rs, "rules: {a: 1}\n");
    cr_assert(eq(int, rc, LH_EINVAL));
    lh_ruleset_free(rs);
    rc = load(&rs, "rulez: []\n");
    cr_assert(eq(int, rc, LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "rulez") != NULL);
    lh_ruleset_free(rs);
}

Test(rules_yaml, empty_file_has_no_rules)
{
    struct lh_ruleset *rs;
    cr_assert(eq(int, load(&rs, ""), 0));
    cr_assert(eq(sz, rs->count, 0));
    lh_ruleset_free(rs);
}

Test(rules_builtin, embedded_rules_load_with_unique_ids)
{
    struct lh_ruleset *rs;
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(eq(int, lh_ruleset_load_builtin(rs), 0), "%s", lh_error_get());
    cr_assert(rs->count >= 15);
    for (size_t i = 0; i < rs->count; i++) {
        struct lh_rule *r = rs->rules[i];
        cr_assert(r->examples.count >= 2, "rule %s has too few examples", r->id);
        cr_assert(r->negative_examples.count >= 2, "rule %s: too few negative examples", r->id);
        cr_assert(r->references.count >= 1, "rule %s has no references", r->id);
    }
    lh_ruleset_free(rs);
}
