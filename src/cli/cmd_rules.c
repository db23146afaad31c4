/* SPDX-License-Identifier: MIT */
/*
 * `leakhound rules list` and `leakhound rules check`. The check compiles every rule
 * (opt-in ones included), then requires: each example yields exactly one finding of its
 * rule with the expected secret; each negative example yields none; and, for rules whose
 * validator is a checksum, near misses of each example (one body character changed,
 * truncated by one, prefix case swapped) yield none. It also refuses a rule whose pattern
 * exceeds a cost budget on a generated reference corpus (match/cost.h), so that a
 * pattern prone to catastrophic backtracking cannot ship; keywords that Vectorscan cannot
 * compile are refused when the detector is built.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "engine/scan.h"
#include "match/cost.h"
#include "match/matcher.h"
#include "util/buf.h"
#include "validate/validator.h"

#include <ctype.h>
#include <jansson.h>
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

static void cost_problem(const char *msg, void *payload)
{
    struct checkctx *c = payload;
    fprintf(stderr, "leakhound: rules check: %s:%d: rule '%s': %s\n", c->rule->pos.file,
            c->rule->pos.line, c->rule->id, msg);
    c->errors++;
}

static int cmd_check(struct lh_session_opts *o, bool quiet, bool strict)
{
    struct lh_ruleset *rs = NULL;
    struct lh_detector *d = NULL;
    struct lh_detect_scratch *s = NULL;
    int rc = lh_session_load_rules(&rs, o);
    if (rc < 0) {
        return lh_cli_fail(rc);
    }
    /* every rule, opt-in ones included, but for those the user turned off */
    (void)lh_ruleset_select(rs, "*", true);
    for (size_t i = 0; i < o->file_disable.count; i++) {
        (void)lh_ruleset_select(rs, o->file_disable.items[i], false);
    }
    for (size_t i = 0; i < o->disable.count; i++) {
        (void)lh_ruleset_select(rs, o->disable.items[i], false);
    }
    o->eager_compile = true; /* every pattern compiles, and lazy pair detection holds */
    int ex = 0;
    rc = lh_session_build_detector(&d, rs, o);
    rc = rc ? rc : lh_detect_scratch_new(&s, d);
    if (rc < 0) {
        ex = lh_cli_fail(rc);
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
        (void)lh_cost_check(c.rule, cost_problem, &c);
        checked++;
    }
    if (c.errors) {
        fprintf(stderr, "leakhound: rules check: %zu problem%s in %zu rules\n", c.errors,
                c.errors == 1 ? "" : "s", checked);
        ex = LH_EXIT_CONFIG;
    } else if (!quiet) {
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

static int cmd_list(const struct lh_session_opts *o, bool json)
{
    struct lh_ruleset *rs = NULL;
    int rc = lh_session_load_rules(&rs, o);
    if (rc < 0) {
        return lh_cli_fail(rc);
    }
    if (json) {
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
    struct lh_cli_run r;
    struct rules_args a = {.format = "text"};
    int ex = lh_cli_prepare(&r, cmd, argc, argv, first, &a);
    if (ex == 0 && cmd == &lh_cli_cmd_rules_list) {
        ex = cmd_list(&r.args.so, !strcmp(a.format, "json"));
    } else if (ex == 0) {
        ex = cmd_check(&r.args.so, r.args.quiet, a.strict);
    }
    lh_cli_run_dispose(&r);
    return lh_cli_status(ex);
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
