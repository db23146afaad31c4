/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the Vectorscan + PCRE2 matcher: windows around keyword hits, matches longer
 * than the window, dense hits, caseless keywords, and a guard-page test (input that ends
 * right before a PROT_NONE page, every suffix length).
 */
#include "match/matcher.h"
#include "rules/ruleset.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct hits {
    size_t n;
    struct lh_match m[64];
};

static int collect(const struct lh_match *m, void *payload)
{
    struct hits *h = payload;
    if (h->n < 64) {
        h->m[h->n] = *m;
    }
    h->n++;
    return 0;
}

static struct lh_ruleset *rs;
static struct lh_matcher *m;
static struct lh_matcher_scratch *s;

static void build(const char *yaml)
{
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(eq(int, lh_ruleset_load_buffer(rs, "t.yml", (const uint8_t *)yaml, strlen(yaml)), 0),
              "%s", lh_error_get());
    struct lh_matcher_opts o = {0};
    cr_assert(eq(int, lh_matcher_new(&m, rs->rules, rs->count, &o), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_matcher_scratch_new(&s, m), 0));
}

static void teardown(void)
{
    lh_matcher_scratch_free(s);
    lh_matcher_free(m);
    lh_ruleset_free(rs);
}

static const char *rules_yaml =
    "rules:\n"
    "  - {id: tok, name: T, keywords: [tok_], max_length: 64,\n"
    "     pattern: '(?<![A-Za-z0-9_])(?<secret>tok_[a-z0-9]{8})(?![a-z0-9])'}\n"
    "  - {id: ctx, name: C, keywords: [password], keywords_case: insensitive,\n"
    "     pattern: '(?i)password\\s*=\\s*(?<secret>[A-Za-z0-9]{6,})'}\n"
    "  - {id: long, name: L, keywords: [BEGIN], max_length: 16,\n"
    "     pattern: '(?<secret>BEGIN[a-z]+END)'}\n";

TestSuite(matcher, .fini = teardown);

Test(matcher, finds_secret_group_offsets)
{
    build(rules_yaml);
    const char *in = "x tok_abcd1234 y tok_zz";
    struct hits h = {0};
    cr_assert(eq(int, lh_matcher_scan(m, s, (const uint8_t *)in, strlen(in), collect, &h), 0));
    cr_assert(eq(sz, h.n, 1));
    cr_assert(eq(sz, h.m[0].rule, 0));
    cr_assert(eq(sz, h.m[0].sstart, 2));
    cr_assert(eq(sz, h.m[0].send, 14));
}

Test(matcher, caseless_keyword_and_context_group)
{
    build(rules_yaml);
    const char *in = "PassWord = hunter2abc\n";
    struct hits h = {0};
    cr_assert(eq(int, lh_matcher_scan(m, s, (const uint8_t *)in, strlen(in), collect, &h), 0));
    cr_assert(eq(sz, h.n, 1));
    cr_assert(eq(sz, h.m[0].rule, 1));
    cr_assert(eq(sz, h.m[0].sstart, 11));
}

Test(matcher, match_longer_than_window_is_completed)
{
    build(rules_yaml);
    char in[400];
    memset(in, 'a', sizeof(in));
    memcpy(in + 10, "BEGIN", 5);
    memcpy(in + 300, "END", 3);
    struct hits h = {0};
    cr_assert(eq(int, lh_matcher_scan(m, s, (const uint8_t *)in, 303, collect, &h), 0));
    cr_assert(eq(sz, h.n, 1));
    cr_assert(eq(sz, h.m[0].send, 303));
}

Test(matcher, dense_hits_are_merged_and_all_found)
{
    build(rules_yaml);
    size_t n = 5000;
    char *in = malloc(n * 14 + 1);
    for (size_t i = 0; i < n; i++) {
        memcpy(in + i * 14, "tok_abcd1234 ", 13);
        in[i * 14 + 13] = '\n';
    }
    struct hits h = {0};
    cr_assert(eq(int, lh_matcher_scan(m, s, (const uint8_t *)in, n * 14, collect, &h), 0));
    cr_assert(eq(sz, h.n, n));
    free(in);
}

Test(matcher, keyword_without_pattern_match_reports_nothing)
{
    build(rules_yaml);
    const char *in = "tok_ tok_XYZ password= ";
    struct hits h = {0};
    cr_assert(eq(int, lh_matcher_scan(m, s, (const uint8_t *)in, strlen(in), collect, &h), 0));
    cr_assert(eq(sz, h.n, 0));
}

Test(matcher, rejects_pattern_without_secret_group)
{
    const char *y = "rules:\n  - {id: bad, name: B, keywords: [k], pattern: 'k(x)'}\n";
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(eq(int, lh_ruleset_load_buffer(rs, "t.yml", (const uint8_t *)y, strlen(y)), 0));
    struct lh_matcher_opts o = {0};
    cr_assert(eq(int, lh_matcher_new(&m, rs->rules, rs->count, &o), LH_ERULE));
    cr_assert(strstr(lh_error_get(), "'bad'") != NULL);
    cr_assert(strstr(lh_error_get(), "t.yml:2:") != NULL, "%s", lh_error_get());
}

Test(matcher, scan_rule_matches_whole_token)
{
    build(rules_yaml);
    struct hits h = {0};
    const char *t = "tok_abcd1234";
    cr_assert(
        eq(int, lh_matcher_scan_rule(m, s, 0, (const uint8_t *)t, strlen(t), collect, &h), 0));
    cr_assert(eq(sz, h.n, 1));
    cr_assert(eq(sz, h.m[0].send, strlen(t)));
}

/*
 * Every region is matched in PCRE2_PARTIAL_HARD mode, also the ones that end with the buffer
 * (one JIT mode per rule): a token that ends the buffer, where its lookahead and `$` see the
 * end, must still be found whole once the JIT-compiled copy has taken over (after a few
 * regions), and one cut short by the end must not be reported.
 */
Test(matcher, tokens_at_the_buffer_end_are_found_once_the_jit_takes_over)
{
    build("rules:\n"
          "  - {id: tok, name: T, keywords: [tok_], max_length: 64,\n"
          "     pattern: '(?<![A-Za-z0-9_])(?<secret>tok_[a-z0-9]{8})(?![a-z0-9])'}\n"
          "  - {id: eol, name: E, keywords: ['key='], max_length: 64,\n"
          "     pattern: 'key=(?<secret>[a-z0-9]{4,})$'}\n");
    for (int round = 0; round < 40; round++) {
        const char *ends = "x = 1\nt tok_abcd1234";
        struct hits h = {0};
        cr_assert(
            eq(int, lh_matcher_scan(m, s, (const uint8_t *)ends, strlen(ends), collect, &h), 0));
        cr_assert(eq(sz, h.n, 1), "round %d", round);
        cr_assert(eq(sz, h.m[0].send, strlen(ends)));
        const char *eol = "key=abcdef";
        h.n = 0;
        cr_assert(
            eq(int, lh_matcher_scan(m, s, (const uint8_t *)eol, strlen(eol), collect, &h), 0));
        cr_assert(eq(sz, h.n, 1), "round %d", round);
        cr_assert(eq(sz, h.m[0].sstart, 4));
        cr_assert(eq(sz, h.m[0].send, strlen(eol)));
        const char *longer = "t tok_abcd12345";
        h.n = 0;
        cr_assert(eq(
            int, lh_matcher_scan(m, s, (const uint8_t *)longer, strlen(longer), collect, &h), 0));
        cr_assert(eq(sz, h.n, 0), "round %d", round);
    }
}

/*
 * A rule bound to `paths` with no keywords runs over the whole of a file whose path matches
 * (a secret 2 MiB in is found), and never over other paths or a buffer without a path.
 */
Test(matcher, path_rule_without_keywords_covers_the_whole_file)
{
    build("rules:\n"
          "  - {id: netrc, name: N, paths: ['.netrc'],\n"
          "     pattern: '(?<![^\\s])password[ \\t]+(?<secret>[A-Za-z0-9]{12,64})'}\n");
    size_t n = 2u << 20;
    char *in = malloc(n + 64);
    cr_assert(in != NULL);
    memset(in, '\n', n);
    strcpy(in + n, "machine h login u password Zk3dQ9wLp2Xs7Vb\n");
    size_t len = strlen(in + n) + n;
    struct hits h = {0};
    cr_assert(eq(int,
                 lh_matcher_scan_path(m, s, (const uint8_t *)in, len, "home/u/.netrc", collect, &h),
                 0));
    cr_assert(eq(sz, h.n, 1));
    cr_assert(eq(sz, h.m[0].sstart, n + 27));
    h.n = 0;
    cr_assert(eq(
        int, lh_matcher_scan_path(m, s, (const uint8_t *)in, len, "home/u/notes", collect, &h), 0));
    cr_assert(eq(int, lh_matcher_scan(m, s, (const uint8_t *)in, len, collect, &h), 0));
    cr_assert(eq(sz, h.n, 0));
    free(in);
}

Test(matcher, a_rule_needs_keywords_a_prefilter_or_paths)
{
    const char *y = "rules:\n  - {id: nokw, name: B, pattern: '(?<secret>x)'}\n";
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(lt(int, lh_ruleset_load_buffer(rs, "t.yml", (const uint8_t *)y, strlen(y)), 0));
    cr_assert(strstr(lh_error_get(), "'nokw' is missing required key 'keywords'") != NULL, "%s",
              lh_error_get());
}

Test(matcher, guard_page_every_suffix)
{
    build(rules_yaml);
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *mem =
        mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(mem != MAP_FAILED);
    cr_assert(eq(int, mprotect(mem + pg, (size_t)pg, PROT_NONE), 0));
    const char *text = "a tok_abcd1234 password = s3cr3tpw BEGINabcEND tok_";
    size_t tl = strlen(text);
    for (size_t cut = 0; cut <= tl; cut++) {
        size_t len = tl - cut;
        uint8_t *start = mem + pg - len;
        memcpy(start, text + cut, len);
        struct hits h = {0};
        cr_assert(eq(int, lh_matcher_scan(m, s, start, len, collect, &h), 0));
        for (size_t r = 0; r < 3; r++) {
            struct hits h2 = {0};
            cr_assert(eq(int, lh_matcher_scan_rule(m, s, r, start, len, collect, &h2), 0));
        }
    }
    munmap(mem, (size_t)pg * 2);
}
