/* SPDX-License-Identifier: MIT */
/*
 * The detector on decoded text (finding/detect_decode.c), driven directly so that every
 * finding it delivers is counted (the CLI's sorted list drops exact duplicates on its own):
 * a token seen plain and decoded is delivered once; a pair rule's id and secret are mapped
 * back together; a match that would join two decoded spans is not one; a rule's `decode`
 * list limits the decoded text it is matched in; depth 0 turns decoding off; the cap per
 * blob counts decoded findings; offset and length locate the encoded text.
 */
#include "engine/scan.h"
#include "finding/detect.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct lh_ruleset *rs;
static struct lh_detector *d;
static struct lh_detect_scratch *s;
static struct lh_findings l;
static char tok[41];
static char tok2[41];

static const char extra[] =
    "rules:\n"
    "  - {id: t-join, name: J, keywords: [zzk_], pattern: 'zzk_\\s*(?<secret>[a-z0-9]{16})'}\n"
    "  - {id: t-pct, name: P, keywords: [pqk_], pattern: '(?<secret>pqk_[a-z0-9]{16})',\n"
    "     decode: [percent]}\n"
    "  - {id: t-none, name: N, keywords: [nnk_], pattern: '(?<secret>nnk_[a-z0-9]{16})',\n"
    "     decode: []}\n";

static void build(size_t depth, size_t max_per_blob)
{
    lh_detect_scratch_free(s);
    lh_detector_free(d);
    struct lh_detect_opts o = {
        .inline_allow = true, .decode_depth = depth, .max_per_blob = max_per_blob};
    cr_assert(eq(int, lh_detector_new(&d, rs, &o), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_detect_scratch_new(&s, d), 0));
}

static void setup(void)
{
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(eq(int, lh_ruleset_load_builtin(rs), 0), "%s", lh_error_get());
    cr_assert(
        eq(int, lh_ruleset_load_buffer(rs, "x.yml", (const uint8_t *)extra, strlen(extra)), 0),
        "%s", lh_error_get());
    build(2, 0);
    lh_findings_init(&l);
    lh_make_github_token(tok, "ghp_", "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    lh_make_github_token(tok2, "ghp_", "Hb7Tq2Wm9Lx4Cv8Np3Rz6Kd1Fs5Gy0");
}

static void teardown(void)
{
    lh_findings_dispose(&l);
    lh_detect_scratch_free(s);
    lh_detector_free(d);
    lh_ruleset_free(rs);
}

TestSuite(detect_decode, .init = setup, .fini = teardown);

/* Every finding delivered for text at path (no sorting, no deduplication). */
static size_t run(const char *path, const char *text)
{
    lh_findings_dispose(&l);
    lh_findings_init(&l);
    cr_assert(
        eq(int,
           lh_detect_blob(d, s, (const uint8_t *)text, strlen(text), path, lh_scan_collect, &l), 0),
        "%s", lh_error_get());
    return l.count;
}

static const struct lh_finding *of_rule(const char *id)
{
    const struct lh_finding *found = NULL;
    for (size_t i = 0; i < l.count; i++) {
        if (!strcmp(l.items[i].rule->id, id)) {
            cr_assert(found == NULL, "two findings of %s", id);
            found = &l.items[i];
        }
    }
    cr_assert(found != NULL, "no finding of %s", id);
    return found;
}

static char *b64(const char *str)
{
    size_t n = strlen(str);
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    cr_assert(out != NULL);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)str, (int)n);
    return out;
}

Test(detect_decode, token_seen_plain_and_decoded_is_delivered_once)
{
    char text[512];
    /* the first token is plain inside a percent span; the second one is reported between
     * the plain pass and the decoded one */
    snprintf(text, sizeof(text), "u: https://h.test/x?a=%%20b&t=%s\nv: %s\n", tok, tok2);
    cr_assert(eq(sz, run("a.txt", text), 2));
    snprintf(text, sizeof(text), "{\"m\": \"https:\\/\\/h.test\\/ %s\",\n\"n\": \"%s\"}\n", tok,
             tok2);
    cr_assert(eq(sz, run("a.json", text), 2));
    for (size_t i = 0; i < l.count; i++) {
        cr_assert(eq(int, l.items[i].ndecoded, 0));
    }
}

Test(detect_decode, pair_rule_in_base64_keeps_its_id)
{
    char *v = b64("[default]\naws_access_key_id = AKIA22MLJFC57VSESZQC\n"
                  "aws_secret_access_key = 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\n");
    char text[512];
    snprintf(text, sizeof(text), "data:\n  credentials: %s\n", v);
    run("k8s/aws.yaml", text);
    const struct lh_finding *f = of_rule("aws-secret-access-key");
    cr_assert(eq(str, (char *)f->meta_key, "pair_id"));
    cr_assert(eq(str, (char *)f->meta_value, "AKIA22MLJFC57VSESZQC"));
    cr_assert(eq(int, f->ndecoded, 1));
    cr_assert(eq(int, f->decoded[0], LH_DECODE_BASE64));
    cr_assert(eq(str, (char *)f->secret, "fAZ7gCdPylgPc2F08ERkIxhsWiMtWHwkDpysSoR1"));
    /* nothing else: the id is part of the pair */
    cr_assert(eq(sz, l.count, 1));
    free(v);
}

Test(detect_decode, offset_and_length_locate_the_encoded_text)
{
    char *v = b64(tok);
    char text[256];
    snprintf(text, sizeof(text), "line one\n  token: %s\n", v);
    cr_assert(eq(sz, run("s.yaml", text), 1));
    const struct lh_finding *f = &l.items[0];
    size_t at = strlen("line one\n  token: ");
    cr_assert(eq(sz, f->offset, at));
    cr_assert(eq(sz, f->length, 54)); /* 40 bytes: 53 1/3 characters, then "==" */
    cr_assert(eq(sz, f->line, 2));
    cr_assert(eq(sz, f->column, 10));
    cr_assert(eq(sz, f->secret_len, 40));
    cr_assert(eq(str, (char *)f->secret, tok));
    free(v);
}

Test(detect_decode, a_match_never_joins_two_decoded_spans)
{
    char *a = b64("hello there zzk_");
    char *b = b64("q8x2k9m4v7b1n5c3z6");
    char text[256];
    snprintf(text, sizeof(text), "%s %s\n", a, b);
    cr_assert(eq(sz, run("j.txt", text), 0));
    char *c = b64("hello there zzk_q8x2k9m4v7b1n5c3");
    snprintf(text, sizeof(text), "%s\n", c);
    cr_assert(eq(sz, run("j.txt", text), 1));
    cr_assert(eq(str, (char *)l.items[0].rule->id, "t-join"));
    free(a);
    free(b);
    free(c);
}

Test(detect_decode, rule_decode_list_limits_the_decoded_text)
{
    char *v = b64("key = pqk_q8x2k9m4v7b1n5c3 and nnk_q8x2k9m4v7b1n5c3");
    char text[512];
    snprintf(text, sizeof(text), "a: %s\n", v);
    cr_assert(eq(sz, run("r.txt", text), 0));
    cr_assert(
        eq(sz, run("r.txt", "a: https://h.test/?k=%70qk_q8x2k9m4v7b1n5c3&n=%6Enk_q8x2k9m4v7b1n5c3"),
           1));
    cr_assert(eq(str, (char *)l.items[0].rule->id, "t-pct"));
    free(v);
}

Test(detect_decode, depth_zero_is_off_and_large_depths_are_clamped)
{
    char *v = b64(tok);
    char text[256];
    snprintf(text, sizeof(text), "token: %s\n", v);
    build(0, 0);
    cr_assert(eq(sz, run("s.yaml", text), 0));
    build(1000, 0);
    cr_assert(eq(sz, run("s.yaml", text), 1));
    /* nested LH_DECODE_MAX_DEPTH + 1 times: out of reach even so */
    char *n = strdup(tok);
    for (int i = 0; i <= LH_DECODE_MAX_DEPTH; i++) {
        char *next = b64(n);
        free(n);
        n = next;
    }
    cr_assert(eq(sz, run("deep.txt", n), 0));
    free(n);
    free(v);
}

Test(detect_decode, cap_per_blob_counts_decoded_findings)
{
    char *v = b64(tok);
    char *w = b64(tok2);
    char text[512];
    snprintf(text, sizeof(text), "a: %s\nb: %s\nc: %s\n", tok, v, w);
    build(2, 2);
    cr_assert(eq(sz, run("c.txt", text), 2));
    cr_assert(eq(int, l.items[0].ndecoded, 0));
    cr_assert(eq(int, l.items[1].ndecoded, 1));
    build(2, 1);
    cr_assert(eq(sz, run("c.txt", text), 1));
    free(v);
    free(w);
}
