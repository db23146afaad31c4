/* SPDX-License-Identifier: MIT */
/*
 * `leakhound rules list` and `leakhound rules check`. The check compiles every rule
 * (opt-in ones included), then requires: each example yields exactly one finding of its
 * rule with the expected secret; each negative example yields none; and, for rules whose
 * validator is a checksum, near misses of each example (one body character changed,
 * truncated by one, prefix case swapped) yield none.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "util/buf.h"
#include "engine/scan.h"
#include "validate/validator.h"

#define MIN_EXAMPLES_STRICT 2

struct checkctx {
    const struct lh_detector *d;
    struct lh_detect_scratch *s;
    const struct lh_rule *rule;
    size_t errors;
};

static int count_rule(const struct lh_detector *d, struct lh_detect_scratch *s,
                      const struct lh_rule *r, const char *text, size_t len,
                      struct lh_findings *out)
{
    struct lh_findings all;
    lh_findings_init(&all);
    int rc = lh_detect_blob(d, s, (const uint8_t *)text, len, "example", lh_scan_collect,
                            &all);
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < all.count; i++) {
        if (all.items[i].rule == r && !all.items[i].invalid) {
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
    int n = count_rule(c->d, c->s, c->rule, b.ptr, b.len, NULL);
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

static void near_misses(struct checkctx *c, size_t ex, const char *text,
                        const struct lh_finding *f)
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
    const struct lh_validator *v = r->validator ? lh_validator_find(r->validator) : NULL;
    for (size_t i = 0; i < r->examples.count; i++) {
        const char *text = r->examples.items[i];
        const char *want = r->example_secrets.items[i];
        struct lh_findings got;
        lh_findings_init(&got);
        int n = count_rule(c->d, c->s, r, text, strlen(text), &got);
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
            if (v && v->checksum) {
                near_misses(c, i, text, f);
            }
        }
        lh_findings_dispose(&got);
    }
    for (size_t i = 0; i < r->negative_examples.count; i++) {
        const char *text = r->negative_examples.items[i];
        int n = count_rule(c->d, c->s, r, text, strlen(text), NULL);
        if (n != 0) {
            char msg[96];
            snprintf(msg, sizeof(msg), "expected no finding, got %d", n);
            fail(c, "negative example", i, msg);
        }
    }
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
        check_rule(&c, strict);
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
            json_object_set_new(j, "validator", r->validator ? json_string(r->validator)
                                                             : json_null());
            json_object_set_new(j, "confidence",
                                json_string(r->validator ? "confirmed"
                                                         : lh_confidence_name(r->confidence)));
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
                   r->validator ? "confirmed" : lh_confidence_name(r->confidence), r->name,
                   lh_rule_active(r) ? "" : " (opt-in)");
        }
    }
    lh_ruleset_free(rs);
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: leakhound rules list [--format text|json] [--rules PATH] [--no-builtin-rules]\n"
          "       leakhound rules check [--strict] [--rules PATH] [--no-builtin-rules]\n"
          "\n"
          "check: every example must give exactly one finding with the expected secret,\n"
          "every negative example none, and near misses of checksum-validated examples none.\n"
          "--strict also requires two examples, two negative examples and a reference.\n",
          f);
}

int lh_cmd_rules(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? LH_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    struct lh_cli_opts o;
    lh_cli_opts_init(&o);
    bool strict = false;
    struct option longopts[32];
    size_t n = 0;
    for (; n < lh_cli_common_nlongopts && n < 30; n++) {
        longopts[n] = lh_cli_common_longopts[n];
    }
    longopts[n++] = (struct option){"strict", no_argument, NULL, OPT_COMMON_LAST};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    optind = 2;
    int opt;
    int ex = 0;
    while ((opt = getopt_long(argc, argv, "+q", longopts, NULL)) != -1) {
        if (opt == OPT_HELP) {
            usage(stdout);
            goto out;
        }
        if (opt == OPT_COMMON_LAST) {
            strict = true;
            continue;
        }
        if (opt == OPT_FORMAT) {
            if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
                lh_cli_error("rules list --format takes text or json, not '%s'", optarg);
                ex = LH_EXIT_USAGE;
                goto out;
            }
            o.format = optarg;
            continue;
        }
        int h = lh_cli_opts_handle(&o, opt == 'q' ? OPT_QUIET : opt, optarg);
        if (h <= 0) {
            if (h == 0) {
                usage(stderr);
            }
            ex = LH_EXIT_USAGE;
            goto out;
        }
    }
    if (optind < argc) {
        lh_cli_error("unexpected argument '%s'", argv[optind]);
        ex = LH_EXIT_USAGE;
    } else if (!strcmp(sub, "list")) {
        ex = cmd_list(&o);
    } else if (!strcmp(sub, "check")) {
        ex = cmd_check(&o, strict);
    } else {
        lh_cli_error("unknown rules command '%s' (expected list or check)", sub);
        ex = LH_EXIT_USAGE;
    }
out:
    lh_cli_opts_dispose(&o);
    return ex;
}
