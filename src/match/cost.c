/* SPDX-License-Identifier: MIT */
/*
 * The cost budget of a rule's regexes (issue #9), run by `leakhound rules check`; see cost.h.
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
#define PCRE2_CODE_UNIT_WIDTH 8
#include "match/cost.h"

#include "match/matcher.h"
#include "util/buf.h"

#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define COST_RUN 256
#define COST_MAX_KEYWORDS 4
#define COST_MAX_ALPHABET 96
#define COST_EXAMPLE_REPEAT 3
#define COST_RANDOM_BYTES 4096
#define COST_OPS_PER_BYTE 1000u
#define COST_OPS_BASE 100000u

struct costctx {
    const struct lh_rule *rule;
    lh_cost_report_fn report;
    void *payload;
    size_t problems;
};

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
    struct costctx *c;
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
    char msg[768];
    snprintf(msg, sizeof(msg),
             "%s exceeds the cost budget: %s on a %zu-byte reference input (%s); avoid nested or "
             "adjacent quantifiers that can match the same text (catastrophic backtracking)",
             subject, why, len, what);
    cr->c->report(msg, cr->c->payload);
    cr->c->problems++;
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
static void cost_check_allow(struct costctx *c, const char *alpha, size_t nalpha, struct lh_buf *b)
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

int lh_cost_check(const struct lh_rule *r, lh_cost_report_fn report, void *payload)
{
    struct costctx ctx = {r, report, payload, 0};
    struct costctx *c = &ctx;
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
    return (int)ctx.problems;
}
