/* SPDX-License-Identifier: MIT */
/*
 * `leakhound rules list` and `leakhound rules check`. The check compiles every rule
 * (opt-in ones included), then requires: each example yields exactly one finding of its
 * rule with the expected secret; each negative example yields none; and, for rules whose
 * validator is a checksum, near misses of each example (one body character changed,
 * truncated by one, prefix case swapped) yield none. It also refuses a rule whose pattern
 * exceeds a cost budget on a generated reference corpus (see cost_check below), so that a
 * pattern prone to catastrophic backtracking cannot ship; keywords that Vectorscan cannot
 * compile are refused when the detector is built.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "engine/scan.h"
#include "match/matcher.h"
#include "util/buf.h"
#include "validate/validator.h"

#include <ctype.h>
#include <jansson.h>
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MIN_EXAMPLES_STRICT 2
#define MIN_DESCRIPTION_STRICT 40 /* bytes: more than a name */

struct checkctx {
    const struct lh_detector *d;
    struct lh_detect_scratch *s;
    const struct lh_rule *rule;
    size_t errors;
};

/* An example's path as the scan sees it: its own `path`, or "example". */
static const char *example_path(const char *path)
{
    return path && *path ? path : "example";
}

static int count_rule(const struct lh_detector *d, struct lh_detect_scratch *s,
                      const struct lh_rule *r, const char *text, size_t len, const char *path,
                      struct lh_findings *out)
{
    struct lh_findings all;
    lh_findings_init(&all);
    int rc =
        lh_detect_blob(d, s, (const uint8_t *)text, len, example_path(path), lh_scan_collect, &all);
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < all.count; i++) {
        if (all.items[i].rule == r && !all.items[i].invalid && !all.items[i].suppressed) {
            n++;
            if (out) {
                rc = lh_findings_push(out, &all.items[i]);
            }
        }
    }
    lh_findings_dispose(&all);
    return rc < 0 ? rc : (int)n;
}

static void fail(struct checkctx *c, const char *what, size_t index, const char *detail)
{
    const struct lh_rule *r = c->rule;
    /* Examples are public test data, but print only their index and a redacted form. */
    fprintf(stderr, "leakhound: rules check: %s:%d: rule '%s': %s %zu: %s\n", r->pos.file,
            r->pos.line, r->id, what, index + 1, detail);
    c->errors++;
}

static bool bare_token(const char *s)
{
    for (; *s; s++) {
        if (isspace((unsigned char)*s) || strchr("\"'=:,;", *s)) {
            return false;
        }
    }
    return true;
}

/* Replaces secret span in text with mutated and reports whether the rule still fires. */
static void near_miss(struct checkctx *c, size_t ex, const char *text, size_t off, size_t slen,
                      const char *mutated, size_t mlen, const char *kind)
{
    struct lh_buf b;
    lh_buf_init(&b, 0);
    if (lh_buf_put(&b, text, off) < 0 || lh_buf_put(&b, mutated, mlen) < 0 ||
        lh_buf_puts(&b, text + off + slen) < 0) {
        lh_buf_dispose(&b);
        return;
    }
    int n = count_rule(c->d, c->s, c->rule, b.ptr, b.len, c->rule->example_paths.items[ex], NULL);
    if (n > 0) {
        char msg[128];
        snprintf(msg, sizeof(msg), "near miss (%s) is still reported", kind);
        fail(c, "example", ex, msg);
    }
    lh_buf_dispose(&b);
}

static char rotate(char ch)
{
    if (ch >= '0' && ch <= '8') {
        return (char)(ch + 1);
    }
    if (ch == '9') {
        return '0';
    }
    if ((ch >= 'a' && ch < 'z') || (ch >= 'A' && ch < 'Z')) {
        return (char)(ch + 1);
    }
    if (ch == 'z') {
        return 'a';
    }
    if (ch == 'Z') {
        return 'A';
    }
    return ch;
}

static void near_misses(struct checkctx *c, size_t ex, const char *text, const struct lh_finding *f)
{
    size_t off = f->offset;
    size_t slen = f->length;
    char *m = malloc(slen + 1);
    if (!m) {
        return;
    }
    /* one body character changed: middle of the secret, alphanumeric */
    memcpy(m, f->secret, slen);
    m[slen] = 0;
    size_t pos = slen / 2;
    while (pos < slen && !isalnum((unsigned char)m[pos])) {
        pos++;
    }
    if (pos < slen) {
        m[pos] = rotate(m[pos]);
        near_miss(c, ex, text, off, slen, m, slen, "one character changed");
    }
    /* truncated by one */
    if (slen > 1) {
        near_miss(c, ex, text, off, slen, (const char *)f->secret, slen - 1, "truncated");
    }
    /* prefix case swapped */
    memcpy(m, f->secret, slen);
    size_t swapped = 0;
    for (size_t i = 0; i < slen && swapped < 3; i++) {
        if (isalpha((unsigned char)m[i])) {
            m[i] = (char)(isupper((unsigned char)m[i]) ? tolower((unsigned char)m[i])
                                                       : toupper((unsigned char)m[i]));
            swapped++;
        }
    }
    if (swapped) {
        near_miss(c, ex, text, off, slen, m, slen, "prefix case swapped");
    }
    free(m);
}

static void check_rule(struct checkctx *c, bool strict)
{
    const struct lh_rule *r = c->rule;
    size_t min = strict ? MIN_EXAMPLES_STRICT : 1;
    if (r->examples.count < min) {
        fail(c, "needs examples, has", r->examples.count, "too few examples");
    }
    if (r->negative_examples.count < min) {
        fail(c, "needs negative_examples, has", r->negative_examples.count,
             "too few negative examples");
    }
    if (strict && r->references.count == 0) {
        fail(c, "references", 0, "no references to the issuer's documentation");
    }
    /* reports show the description as what the credential is and how to revoke it */
    if (strict && (!r->description || strlen(r->description) < MIN_DESCRIPTION_STRICT ||
                   !strcmp(r->description, r->name))) {
        fail(c, "description", r->description ? strlen(r->description) : 0,
             "no description (a paragraph: what the credential is, what it gives access to, "
             "how to revoke it)");
    }
    /* a repeated keyword is dead weight: usually a case variant under keywords_case: insensitive */
    for (size_t j = 1; strict && j < r->keywords.count; j++) {
        for (size_t i = 0; i < j; i++) {
            const char *a = r->keywords.items[i], *b = r->keywords.items[j];
            if (r->keywords_caseless ? !strcasecmp(a, b) : !strcmp(a, b)) {
                fail(c, "keyword", j,
                     r->keywords_caseless ? "repeats an earlier keyword (keywords_case: "
                                            "insensitive)"
                                          : "repeats an earlier keyword");
                break;
            }
        }
    }
    const struct lh_validator *v = r->validator ? lh_validator_find(r->validator) : NULL;
    for (size_t i = 0; i < r->examples.count; i++) {
        const char *text = r->examples.items[i];
        const char *want = r->example_secrets.items[i];
        struct lh_findings got;
        lh_findings_init(&got);
        int n = count_rule(c->d, c->s, r, text, strlen(text), r->example_paths.items[i], &got);
        if (n != 1) {
            char msg[96];
            snprintf(msg, sizeof(msg), "expected exactly one finding, got %d", n);
            fail(c, "example", i, msg);
        } else {
            const struct lh_finding *f = &got.items[0];
            const char *expect = *want ? want : bare_token(text) ? text : NULL;
            if (expect && (strlen(expect) != f->secret_len ||
                           memcmp(expect, f->secret, f->secret_len) != 0)) {
                fail(c, "example", i, "the finding's secret is not the expected secret");
            }
            if (v && v->confirms && f->confidence != LH_CONF_CONFIRMED) {
                fail(c, "example", i, "not confirmed by its validator");
            }
            if (v && v->checksum && !r->validator_soft) {
                near_misses(c, i, text, f);
            }
        }
        lh_findings_dispose(&got);
    }
    for (size_t i = 0; i < r->negative_examples.count; i++) {
        const char *text = r->negative_examples.items[i];
        int n = count_rule(c->d, c->s, r, text, strlen(text), r->negative_paths.items[i], NULL);
        if (n != 0) {
            char msg[96];
            snprintf(msg, sizeof(msg), "expected no finding, got %d", n);
            fail(c, "negative example", i, msg);
        }
    }
}

/*
 * ---- cost budget (issue #9) ----
 *
 * Every rule's pattern is run, as the scanner runs it (every match, left to right, from
 * each start position), over a reference corpus generated from the rule itself: each of
 * its first keywords followed by a long run of one character, for every character of an
 * alphabet taken from the pattern, the keywords and the examples (plus common
 * punctuation), then that whole alphabet (so a required last character such as the `b` of
 * `(a+)+b` is present and the matcher really backtracks); the examples repeated back to
 * back; the first half of each example followed by a long run of its middle character;
 * and pseudo-random text over the alphabet with keywords every 64 bytes. The
 * pattern is compiled with PCRE2_AUTO_CALLOUT and a callout counts the steps the
 * interpreter takes (an operation count, independent of machine speed and sanitizers).
 * A rule is refused when one input costs more than COST_OPS_BASE + COST_OPS_PER_BYTE steps
 * per input byte, or hits the production PCRE2 match/depth limit. Linear patterns use a
 * few dozen steps per byte; exponential backtracking exceeds the budget by orders of
 * magnitude on runs of COST_RUN bytes, and cost that grows faster than the input
 * (quadratic) shows on the costliest run repeated eight times longer.
 */
#define COST_RUN 256
#define COST_MAX_KEYWORDS 4
#define COST_MAX_ALPHABET 96
#define COST_EXAMPLE_REPEAT 3
#define COST_RANDOM_BYTES 4096
#define COST_OPS_PER_BYTE 1000u
#define COST_OPS_BASE 100000u

struct cost {
    uint64_t ops;
    uint64_t cap;
};

static int cost_callout(pcre2_callout_block *cb, void *payload)
{
    (void)cb;
    struct cost *c = payload;
    c->ops++;
    return c->ops > c->cap ? PCRE2_ERROR_CALLOUT : 0;
}

struct costrun {
    struct checkctx *c;
    const char *subject; /* "pattern", "allow regex" */
    size_t index;        /* allow regex number (1-based); 0 for the pattern */
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    struct cost cost;
    bool failed;
};

/* A byte for a message: 'x' when printable, else 0xNN. */
static void cost_char(char *out, size_t cap, uint8_t ch)
{
    if (ch > 0x20 && ch < 0x7f && ch != '\'') {
        snprintf(out, cap, "'%c'", ch);
    } else {
        snprintf(out, cap, "0x%02x", ch);
    }
}

/* Runs the pattern over text like the scanner; reports the rule when over budget. */
static void cost_run(struct costrun *cr, const struct lh_buf *text, const char *what)
{
    const uint8_t *s = (const uint8_t *)(text->ptr ? text->ptr : "");
    size_t len = text->len;
    size_t pos = 0;
    int rc = 0;
    if (cr->failed) {
        return; /* one report per rule */
    }
    cr->cost.ops = 0;
    cr->cost.cap = COST_OPS_BASE + (uint64_t)COST_OPS_PER_BYTE * len;
    while (pos <= len) {
        rc = pcre2_match(cr->code, s, len, pos, 0, cr->md, cr->mc);
        if (rc < 0) {
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(cr->md);
        size_t next = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        pos = next > pos ? next : pos + 1;
    }
    if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) {
        return;
    }
    const struct lh_rule *r = cr->c->rule;
    char why[160];
    if (rc == PCRE2_ERROR_CALLOUT) {
        snprintf(why, sizeof(why), "more than %llu PCRE2 steps", (unsigned long long)cr->cost.cap);
    } else if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
               rc == PCRE2_ERROR_HEAPLIMIT) {
        snprintf(why, sizeof(why), "hits the PCRE2 %s limit",
                 rc == PCRE2_ERROR_MATCHLIMIT   ? "match"
                 : rc == PCRE2_ERROR_DEPTHLIMIT ? "depth"
                                                : "heap");
    } else {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(rc, msg, sizeof(msg));
        snprintf(why, sizeof(why), "fails with PCRE2 error '%s'", (const char *)msg);
    }
    char subject[48];
    if (cr->index) {
        snprintf(subject, sizeof(subject), "%s %zu", cr->subject, cr->index);
    } else {
        snprintf(subject, sizeof(subject), "%s", cr->subject);
    }
    fprintf(stderr,
            "leakhound: rules check: %s:%d: rule '%s': %s exceeds the cost budget: %s "
            "on a %zu-byte reference input (%s); avoid nested or adjacent quantifiers that can "
            "match the same text (catastrophic backtracking)\n",
            r->pos.file, r->pos.line, r->id, subject, why, len, what);
    cr->c->errors++;
    cr->failed = true;
}

static void alphabet_add(bool *seen, const char *s)
{
    for (; s && *s; s++) {
        seen[(uint8_t)*s] = true;
    }
}

/* keyword + run of `runlen` x alpha[i] (i == nalpha: the alphabet cycled) + the alphabet */
static int cost_input(struct lh_buf *b, const char *kw, const char *alpha, size_t nalpha, size_t i,
                      size_t runlen)
{
    lh_buf_clear(b);
    int rc = lh_buf_puts(b, kw);
    for (size_t k = 0; rc == 0 && k < runlen; k++) {
        rc = lh_buf_putc(b, alpha[i < nalpha ? i : k % nalpha]);
    }
    rc = rc ? rc : lh_buf_putc(b, '\x01');
    rc = rc ? rc : lh_buf_put(b, alpha, nalpha);
    return rc ? rc : lh_buf_putc(b, '\n');
}

static void cost_keyword_runs(struct costrun *cr, const char *kw, const char *alpha, size_t nalpha,
                              struct lh_buf *b)
{
    char what[256];
    char chname[16];
    size_t worst = 0;
    double worst_rate = -1;
    for (size_t i = 0; i <= nalpha && !cr->failed; i++) {
        if (cost_input(b, kw, alpha, nalpha, i, COST_RUN) < 0) {
            return;
        }
        if (i < nalpha) {
            cost_char(chname, sizeof(chname), (uint8_t)alpha[i]);
        } else {
            snprintf(chname, sizeof(chname), "alphabet");
        }
        snprintf(what, sizeof(what), "%s%.64s%s%d x %s", kw[0] ? "keyword '" : "", kw,
                 kw[0] ? "' followed by " : "", COST_RUN, chname);
        cost_run(cr, b, what);
        double rate = (double)cr->cost.ops / (double)b->len;
        if (rate > worst_rate) {
            worst_rate = rate;
            worst = i;
        }
    }
    /* the costliest run again, 8 times longer: cost that grows faster than the input shows */
    if (cr->failed || cost_input(b, kw, alpha, nalpha, worst, COST_RUN * 8) < 0) {
        return;
    }
    if (worst < nalpha) {
        cost_char(chname, sizeof(chname), (uint8_t)alpha[worst]);
    } else {
        snprintf(chname, sizeof(chname), "alphabet");
    }
    snprintf(what, sizeof(what), "%s%.64s%s%d x %s", kw[0] ? "keyword '" : "", kw,
             kw[0] ? "' followed by " : "", COST_RUN * 8, chname);
    cost_run(cr, b, what);
}

/*
 * Allow regexes run on every candidate secret of their rule (detect.c), so they get the same
 * budget, on runs of each alphabet character (the costliest again, 8 times longer) and on
 * the examples.
 */
static void cost_check_allow(struct checkctx *c, const char *alpha, size_t nalpha, struct lh_buf *b)
{
    const struct lh_rule *r = c->rule;
    for (size_t i = 0; i < r->allow_regexes.count; i++) {
        struct costrun cr = {.c = c, .subject = "allow regex", .index = i + 1};
        int err = 0;
        PCRE2_SIZE off = 0;
        cr.code = pcre2_compile((PCRE2_SPTR)r->allow_regexes.items[i], PCRE2_ZERO_TERMINATED,
                                PCRE2_AUTO_CALLOUT, &err, &off, NULL);
        cr.md = cr.code ? pcre2_match_data_create_from_pattern(cr.code, NULL) : NULL;
        cr.mc = pcre2_match_context_create(NULL);
        if (cr.code && cr.md && cr.mc) {
            pcre2_set_callout(cr.mc, cost_callout, &cr.cost);
            pcre2_set_match_limit(cr.mc, LH_MATCHER_MATCH_LIMIT);
            pcre2_set_depth_limit(cr.mc, LH_MATCHER_DEPTH_LIMIT);
            cost_keyword_runs(&cr, "", alpha, nalpha, b);
            for (size_t k = 0; k < r->examples.count && !cr.failed; k++) {
                lh_buf_clear(b);
                char what[48];
                snprintf(what, sizeof(what), "example %zu", k + 1);
                if (lh_buf_puts(b, r->examples.items[k]) == 0) {
                    cost_run(&cr, b, what);
                }
            }
        }
        pcre2_match_context_free(cr.mc);
        pcre2_match_data_free(cr.md);
        pcre2_code_free(cr.code);
    }
}

static void cost_check(struct checkctx *c)
{
    const struct lh_rule *r = c->rule;
    struct costrun cr = {.c = c, .subject = "pattern"};
    struct lh_buf b;
    bool seen[256] = {false};
    char alpha[COST_MAX_ALPHABET];
    size_t nalpha = 0;
    int err = 0;
    PCRE2_SIZE off = 0;
    lh_buf_init(&b, 0);
    /* same options as the matcher (match/matcher.c), plus the step counter */
    cr.code =
        pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
                      PCRE2_DUPNAMES | PCRE2_NEVER_UTF | PCRE2_AUTO_CALLOUT, &err, &off, NULL);
    cr.md = cr.code ? pcre2_match_data_create_from_pattern(cr.code, NULL) : NULL;
    cr.mc = pcre2_match_context_create(NULL);
    if (!cr.code || !cr.md || !cr.mc) {
        goto out; /* the matcher compiled it, so only memory can be short here */
    }
    pcre2_set_callout(cr.mc, cost_callout, &cr.cost);
    pcre2_set_match_limit(cr.mc, LH_MATCHER_MATCH_LIMIT);
    pcre2_set_depth_limit(cr.mc, LH_MATCHER_DEPTH_LIMIT);

    alphabet_add(seen, " \t\"'=:/+-_.,;~!@#$%^&*()[]{}<>?|`\\aA0");
    alphabet_add(seen, r->pattern);
    for (size_t i = 0; i < r->keywords.count; i++) {
        alphabet_add(seen, r->keywords.items[i]);
    }
    for (size_t i = 0; i < r->examples.count; i++) {
        alphabet_add(seen, r->examples.items[i]);
    }
    seen['\n'] = false; /* runs stay on one line; the inputs end in one */
    for (int ch = 1; ch < 256 && nalpha < COST_MAX_ALPHABET; ch++) {
        if (seen[ch]) {
            alpha[nalpha++] = (char)ch;
        }
    }
    for (size_t k = 0; k < r->keywords.count && k < COST_MAX_KEYWORDS; k++) {
        cost_keyword_runs(&cr, r->keywords.items[k], alpha, nalpha, &b);
    }
    for (size_t i = 0; i < r->examples.count && !cr.failed; i++) {
        lh_buf_clear(&b);
        int rc = 0;
        for (int k = 0; rc == 0 && k < COST_EXAMPLE_REPEAT; k++) {
            rc = lh_buf_puts(&b, r->examples.items[i]);
        }
        char what[64];
        snprintf(what, sizeof(what), "example %zu repeated %d times", i + 1, COST_EXAMPLE_REPEAT);
        if (rc == 0) {
            cost_run(&cr, &b, what);
        }
    }
    /* the first half of each example, then its middle character repeated: a real token
     * that runs on (the prefix that anchors the pattern is really there) */
    for (size_t i = 0; i < r->examples.count && !cr.failed; i++) {
        const char *ex = r->examples.items[i];
        size_t half = strlen(ex) / 2;
        lh_buf_clear(&b);
        int rc = lh_buf_put(&b, ex, half);
        for (size_t k = 0; rc == 0 && ex[half] && k < COST_RUN * 4; k++) {
            rc = lh_buf_putc(&b, ex[half]);
        }
        rc = rc ? rc : lh_buf_putc(&b, '\x01');
        rc = rc ? rc : lh_buf_put(&b, alpha, nalpha);
        char what[96];
        snprintf(what, sizeof(what),
                 "the first half of example %zu, then its middle character "
                 "%d times",
                 i + 1, COST_RUN * 4);
        if (rc == 0) {
            cost_run(&cr, &b, what);
        }
    }
    /* pseudo-random text over the alphabet, a keyword every 64 bytes (xorshift, fixed seed) */
    lh_buf_clear(&b);
    uint32_t x = 2463534242u;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < COST_RANDOM_BYTES && r->keywords.count; i++) {
        if (i % 64 == 0) {
            rc = lh_buf_puts(&b, r->keywords.items[(i / 64) % r->keywords.count]);
        }
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        rc = rc ? rc : lh_buf_putc(&b, alpha[x % nalpha]);
    }
    if (rc == 0 && r->keywords.count) {
        cost_run(&cr, &b, "random text over the alphabet with keywords");
    }
    cost_check_allow(c, alpha, nalpha, &b);
out:
    lh_buf_dispose(&b);
    pcre2_match_context_free(cr.mc);
    pcre2_match_data_free(cr.md);
    pcre2_code_free(cr.code);
}

static int cmd_check(struct lh_cli_opts *o, bool strict)
{
    struct lh_ruleset *rs = NULL;
    struct lh_detector *d = NULL;
    struct lh_detect_scratch *s = NULL;
    int ex = lh_cli_load_rules(&rs, o);
    if (ex) {
        return ex;
    }
    (void)lh_ruleset_select(rs, "*", true);
    for (size_t i = 0; i < o->disable.count; i++) {
        (void)lh_ruleset_select(rs, o->disable.items[i], false);
    }
    o->eager_compile = true; /* every pattern compiles, and lazy pair detection holds */
    ex = lh_cli_build_detector(&d, rs, o);
    if (ex) {
        goto out;
    }
    if (lh_detect_scratch_new(&s, d) < 0) {
        lh_cli_error("%s", lh_error_get());
        ex = LH_EXIT_IO;
        goto out;
    }
    struct checkctx c = {d, s, NULL, 0};
    size_t checked = 0;
    for (size_t i = 0; i < rs->count; i++) {
        if (rs->rules[i]->disabled) {
            continue;
        }
        c.rule = rs->rules[i];
        if (lh_matcher_rule_is_pair(lh_detector_matcher(d), i) !=
            lh_matcher_pattern_names_id(rs->rules[i]->pattern)) {
            fail(&c, "pattern", 0,
                 "its `id` group is not written `(?<id>`, so a built-in rule would not be "
                 "known as a pair rule before it is compiled");
        }
        check_rule(&c, strict);
        cost_check(&c);
        checked++;
    }
    if (c.errors) {
        fprintf(stderr, "leakhound: rules check: %zu problem%s in %zu rules\n", c.errors,
                c.errors == 1 ? "" : "s", checked);
        ex = LH_EXIT_CONFIG;
    } else if (!o->quiet) {
        fprintf(stderr, "leakhound: rules check: %zu rules ok\n", checked);
    }
out:
    lh_detect_scratch_free(s);
    lh_detector_free(d);
    lh_ruleset_free(rs);
    return ex;
}

/* The best confidence a rule's findings can have. */
static const char *rule_confidence(const struct lh_rule *r)
{
    const struct lh_validator *v = r->validator ? lh_validator_find(r->validator) : NULL;
    return v && v->confirms ? "confirmed" : lh_confidence_name(r->confidence);
}

static int cmd_list(struct lh_cli_opts *o)
{
    struct lh_ruleset *rs = NULL;
    int ex = lh_cli_load_rules(&rs, o);
    if (ex) {
        return ex;
    }
    if (!strcmp(o->format, "json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < rs->count; i++) {
            const struct lh_rule *r = rs->rules[i];
            json_t *j = json_object();
            json_object_set_new(j, "id", json_string(r->id));
            json_object_set_new(j, "name", json_string(r->name));
            if (r->provider) {
                json_object_set_new(j, "provider", json_string(r->provider));
            }
            json_object_set_new(j, "validator",
                                r->validator ? json_string(r->validator) : json_null());
            json_object_set_new(j, "confidence", json_string(rule_confidence(r)));
            json_object_set_new(j, "enabled", json_boolean(lh_rule_active(r)));
            json_t *kw = json_array();
            for (size_t k = 0; k < r->keywords.count; k++) {
                json_array_append_new(kw, json_string(r->keywords.items[k]));
            }
            json_object_set_new(j, "keywords", kw);
            json_t *refs = json_array();
            for (size_t k = 0; k < r->references.count; k++) {
                json_array_append_new(refs, json_string(r->references.items[k]));
            }
            json_object_set_new(j, "references", refs);
            json_object_set_new(j, "source", json_string(r->pos.file));
            json_array_append_new(arr, j);
        }
        json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(arr);
    } else {
        printf("%-36s %-22s %-10s %s\n", "ID", "VALIDATOR", "CONFIDENCE", "NAME");
        for (size_t i = 0; i < rs->count; i++) {
            const struct lh_rule *r = rs->rules[i];
            printf("%-36s %-22s %-10s %s%s\n", r->id, r->validator ? r->validator : "-",
                   rule_confidence(r), r->name, lh_rule_active(r) ? "" : " (opt-in)");
        }
    }
    lh_ruleset_free(rs);
    return 0;
}

struct rules_args {
    const char *format;
    bool strict;
};

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct lh_cli_opts o;
    struct lh_cli_parsed p;
    struct rules_args a = {.format = "text"};
    lh_cli_opts_init(&o);
    int ex = lh_cli_parse_opts(&p, cmd, &o, &a, argc, argv, first);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
    } else if (cmd == &lh_cli_cmd_rules_list) {
        o.format = a.format;
        ex = cmd_list(&o);
    } else {
        ex = cmd_check(&o, a.strict);
    }
    lh_cli_parsed_dispose(&p);
    lh_cli_opts_dispose(&o);
    return ex;
}

static const struct lh_cli_option list_options[] = {
    {.name = "format",
     .short_name = 'f',
     .arg = LH_ARG_CHOICE,
     .choices = "text|json",
     .offset = offsetof(struct rules_args, format),
     .help = "listing format",
     .dflt = "text"},
    {0},
};

static const struct lh_cli_option check_options[] = {
    {.name = "strict",
     .arg = LH_ARG_FLAG,
     .offset = offsetof(struct rules_args, strict),
     .help = "also require two examples, two negative examples, a reference, a description "
             "(what it is, what it gives access to, how to revoke it) and no repeated keyword"},
    {0},
};

const struct lh_cli_command lh_cli_cmd_rules_list = {
    .name = "rules list",
    .bit = LH_CMD_RULES_LIST,
    .summary = "list the rules: id, validator, confidence, name",
    .description = "Lists the rules a scan would load (built-in ones and those of --rules), "
                   "opt-in rules marked as such.",
    .exit_status = "0 listed, 2 usage, 3 invalid rules, 4 a rule file could not be read.",
    .options = list_options,
    .run = run,
};

const struct lh_cli_command lh_cli_cmd_rules_check = {
    .name = "rules check",
    .bit = LH_CMD_RULES_CHECK,
    .summary = "check every rule against its examples and a cost budget",
    .description = "Compiles every rule, opt-in ones included (--disable-rule leaves some "
                   "out), then requires that every example gives exactly one finding with "
                   "the expected secret, every negative example none, and near misses of "
                   "checksum-validated examples (one character changed, truncated, prefix case "
                   "swapped) none. A pattern or allow regex that exceeds the cost budget on a "
                   "generated reference input (catastrophic backtracking) is refused.",
    .exit_status = "0 every rule passed, 2 usage, 3 a rule failed, 4 a rule file could not be "
                   "read.",
    .options = check_options,
    .run = run,
};
