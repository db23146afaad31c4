/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for findings and the detector: redaction, fingerprints, placeholder and
 * allow-list filtering, entropy, validators, line/column computation, inline allow,
 * whole-token classification.
 */
#include "engine/scan.h"
#include "finding/detect.h"
#include "support/support.h"
#include "validate/placeholder.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

static struct lh_ruleset *rs;
static struct lh_detector *d;
static struct lh_detect_scratch *s;
static struct lh_findings l;

static void setup(void)
{
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(eq(int, lh_ruleset_load_builtin(rs), 0), "%s", lh_error_get());
    const char *extra = "rules:\n"
                        "  - {id: t-ent, name: E, keywords: [ent_], min_entropy: 3.0,\n"
                        "     pattern: '(?<secret>ent_[a-z0-9]{12})',\n"
                        "     allow: {stopwords: [dummy], regexes: ['^ent_0']}}\n";
    cr_assert(
        eq(int, lh_ruleset_load_buffer(rs, "x.yml", (const uint8_t *)extra, strlen(extra)), 0));
    struct lh_detect_opts o = {.inline_allow = true};
    cr_assert(eq(int, lh_detector_new(&d, rs, &o), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_detect_scratch_new(&s, d), 0));
    lh_findings_init(&l);
}

static void teardown(void)
{
    lh_findings_dispose(&l);
    lh_detect_scratch_free(s);
    lh_detector_free(d);
    lh_ruleset_free(rs);
}

TestSuite(detect, .init = setup, .fini = teardown);

static size_t run(const char *text)
{
    lh_findings_dispose(&l);
    lh_findings_init(&l);
    cr_assert(
        eq(int, lh_detect_blob(d, s, (const uint8_t *)text, strlen(text), "p", lh_scan_collect, &l),
           0));
    return l.count;
}

Test(detect, line_and_column_of_secret)
{
    char tok[41];
    lh_make_github_token(tok, "ghp_", "q7Rk2mXv9LpA4sTz8nWc3BjH6yFd1e");
    char text[256];
    snprintf(text, sizeof(text), "one\ntwo\n\tthree = \"%s\"\n", tok);
    cr_assert(eq(sz, run(text), 1));
    cr_assert(eq(sz, l.items[0].line, 3));
    cr_assert(eq(sz, l.items[0].column, 11));
    cr_assert(eq(sz, l.items[0].end_column, 51));
    cr_assert(eq(int, l.items[0].confidence, LH_CONF_CONFIRMED));
    cr_assert(eq(str, l.items[0].path, "p"));
    cr_assert(eq(sz, l.items[0].secret_len, 40));
}

Test(detect, inline_allow_suppresses_only_its_line)
{
    char tok[41];
    lh_make_github_token(tok, "ghp_", "q7Rk2mXv9LpA4sTz8nWc3BjH6yFd1e");
    char text[256];
    snprintf(text, sizeof(text), "a = '%s' # leakhound:allow\nb = '%s'\n", tok, tok);
    /* both are delivered; the tagged one suppressed, so it is counted but never reported */
    cr_assert(eq(sz, run(text), 2));
    cr_assert(eq(sz, l.items[0].line, 1));
    cr_assert(l.items[0].suppressed);
    cr_assert(eq(int, l.items[0].suppressed_by, LH_SUPP_INLINE));
    cr_assert(eq(sz, l.items[1].line, 2));
    cr_assert(not(l.items[1].suppressed));
}

Test(detect, entropy_stopwords_and_allow_regexes)
{
    cr_assert(eq(sz, run("ent_k8s7d6f5g4h3"), 1));
    cr_assert(eq(sz, run("ent_aaaaabbbbbab"), 0)); /* low entropy */
    cr_assert(eq(sz, run("ent_dummyk8s7d6f"), 0)); /* stopword */
    cr_assert(eq(sz, run("ent_0k8s7d6f5g4h"), 0)); /* allow regex */
}

Test(detect, placeholders_are_never_findings)
{
    cr_assert(lh_placeholder_check((const uint8_t *)"AKIAIOSFODNN7EXAMPLE", 20, NULL));
    cr_assert(lh_placeholder_check((const uint8_t *)"${GITHUB_TOKEN}", 15, NULL));
    cr_assert(lh_placeholder_check((const uint8_t *)"{{ secret }}", 12, NULL));
    cr_assert(lh_placeholder_check((const uint8_t *)"%API_KEY%", 9, NULL));
    cr_assert(lh_placeholder_check((const uint8_t *)"xxxxxxxxxxxxxxxx", 16, NULL));
    cr_assert(eq(int, lh_placeholder_check((const uint8_t *)"k8s7d6f5g4h3j2l1", 16, NULL), 0));
    cr_assert(lh_placeholder_count() > 10);
    cr_assert(eq(sz, run("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"), 0));
}

Test(detect, whole_token_classification)
{
    char tok[41];
    lh_make_github_token(tok, "ghp_", "q7Rk2mXv9LpA4sTz8nWc3BjH6yFd1e");
    const struct lh_rule *r = NULL;
    cr_assert(
        eq(int, lh_detect_token(d, s, (const uint8_t *)tok, 40, NULL, &r), LH_CONF_CONFIRMED));
    cr_assert(eq(str, r->id, "github-pat-classic"));
    tok[20] = tok[20] == 'x' ? 'y' : 'x';
    cr_assert(eq(int, lh_detect_token(d, s, (const uint8_t *)tok, 40, NULL, &r), LH_CONF_NONE));
    struct lh_strlist only = {0};
    cr_assert(eq(int, lh_strlist_push(&only, "npm-*"), 0));
    lh_make_github_token(tok, "ghp_", "q7Rk2mXv9LpA4sTz8nWc3BjH6yFd1e");
    cr_assert(eq(int, lh_detect_token(d, s, (const uint8_t *)tok, 40, &only, &r), LH_CONF_NONE));
    lh_strlist_dispose(&only);
    /* a token inside a longer string is not a whole-token match */
    char longer[64];
    snprintf(longer, sizeof(longer), "x %s", tok);
    cr_assert(eq(int, lh_detect_token(d, s, (const uint8_t *)longer, strlen(longer), NULL, &r),
                 LH_CONF_NONE));
}

Test(finding, redaction_never_shows_whole_secret)
{
    char out[64];
    const char *t = "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";
    lh_redact(out, sizeof(out), (const uint8_t *)t, strlen(t));
    cr_assert(eq(str, out, "ghp_e7****cD47"));
    lh_redact(out, sizeof(out), (const uint8_t *)"short", 5);
    cr_assert(eq(str, out, "****"));
    lh_redact(out, sizeof(out), (const uint8_t *)"abcdefghijkl", 12);
    cr_assert(eq(str, out, "abcd****kl"));
    lh_redact(out, 4, (const uint8_t *)t, strlen(t));
    cr_assert(eq(sz, strlen(out), 3));
}

Test(finding, fingerprint_depends_on_rule_and_secret_only)
{
    char a[LH_FINGERPRINT_LEN + 1];
    char b[LH_FINGERPRINT_LEN + 1];
    char c[LH_FINGERPRINT_LEN + 1];
    lh_finding_fingerprint(a, "r1", "00ff");
    lh_finding_fingerprint(b, "r1", "00ff");
    lh_finding_fingerprint(c, "r2", "00ff");
    cr_assert(eq(str, a, b));
    cr_assert(strcmp(a, c) != 0);
    cr_assert(eq(sz, strlen(a), LH_FINGERPRINT_LEN));
}

Test(detect_soft, validator_on_fail_probable_keeps_failed_checksum_as_probable)
{
    struct lh_ruleset *r2;
    struct lh_detector *d2;
    struct lh_detect_scratch *s2;
    const char *y = "rules:\n"
                    "  - {id: soft, name: S, keywords: [ghp_], validator: github-crc32,\n"
                    "     validator_on_fail: probable,\n"
                    "     pattern: '(?<secret>ghp_[A-Za-z0-9]{36})'}\n";
    cr_assert(eq(int, lh_ruleset_new(&r2), 0));
    cr_assert(eq(int, lh_ruleset_load_buffer(r2, "s.yml", (const uint8_t *)y, strlen(y)), 0), "%s",
              lh_error_get());
    cr_assert(r2->rules[0]->validator_soft);
    cr_assert(eq(int, lh_detector_new(&d2, r2, NULL), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_detect_scratch_new(&s2, d2), 0));
    char tok[41];
    lh_make_github_token(tok, "ghp_", "q7Rk2mXv9LpA4sTz8nWc3BjH6yFd1e");
    cr_assert(
        eq(int, lh_detect_token(d2, s2, (const uint8_t *)tok, 40, NULL, NULL), LH_CONF_CONFIRMED));
    tok[20] = tok[20] == 'x' ? 'y' : 'x';
    cr_assert(
        eq(int, lh_detect_token(d2, s2, (const uint8_t *)tok, 40, NULL, NULL), LH_CONF_PROBABLE));
    lh_detect_scratch_free(s2);
    lh_detector_free(d2);
    lh_ruleset_free(r2);
    const char *bad = "rules:\n  - {id: x, name: X, keywords: [k], pattern: '(?<secret>k)',\n"
                      "     validator_on_fail: maybe}\n";
    cr_assert(eq(int, lh_ruleset_new(&r2), 0));
    cr_assert(
        eq(int, lh_ruleset_load_buffer(r2, "b.yml", (const uint8_t *)bad, strlen(bad)), LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "b.yml:3:") != NULL, "%s", lh_error_get());
    lh_ruleset_free(r2);
}
