/* SPDX-License-Identifier: MIT */
/*
 * The built-in rules are C tables generated at build time (rules/builtin.h, written by
 * src/tools/rulegen.c); rule files from disk go through the YAML parser. These tests require
 * the two to give the same rules, field by field and position by position (through the CLI:
 * tests/e2e/cli/test_rules_builtin.c), errors that quote a built-in rule's position to quote
 * the same one, and the placeholder table to hold exactly the values of rules/placeholders,
 * sorted.
 */
#include "rules/builtin.h"
#include "rules/ruleset.h"
#include "support/support.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/yaml.h"
#include "validate/placeholder.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <glob.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The built-in files parsed from their YAML source, under the same names ("rules/x.yml"). */
static struct lh_ruleset *load_sources(void)
{
    struct lh_ruleset *rs;
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    glob_t g;
    cr_assert(eq(int, glob(LH_SOURCE_DIR "/rules/*.yml", 0, NULL, &g), 0));
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *path = g.gl_pathv[i];
        char name[512];
        struct lh_buf text;
        snprintf(name, sizeof(name), "rules/%s", strrchr(path, '/') + 1);
        lh_buf_init(&text, LH_YAML_MAX_BYTES);
        cr_assert(eq(int, lh_fs_read_file(&text, path), 0), "%s", lh_error_get());
        int rc = lh_ruleset_load_buffer(rs, name, (const uint8_t *)text.ptr, text.len);
        cr_assert(eq(int, rc, 0), "%s", lh_error_get());
        lh_buf_dispose(&text);
    }
    globfree(&g);
    return rs;
}

static struct lh_ruleset *load_builtin(void)
{
    struct lh_ruleset *rs;
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(eq(int, lh_ruleset_load_builtin(rs), 0), "%s", lh_error_get());
    return rs;
}

static void same_str(const char *a, const char *b, const char *id, const char *field)
{
    if (!a || !b) {
        cr_assert(a == b, "rule %s: %s set on one side only", id, field);
        return;
    }
    cr_assert(eq(str, (char *)a, (char *)b), "rule %s: %s", id, field);
}

static void same_list(const struct lh_strlist *a, const struct lh_strlist *b, const char *id,
                      const char *field)
{
    cr_assert(eq(sz, a->count, b->count), "rule %s: %s count", id, field);
    for (size_t i = 0; i < a->count; i++) {
        same_str(a->items[i], b->items[i], id, field);
    }
}

static void same_pos(const struct lh_srcpos *a, const struct lh_srcpos *b, const char *id,
                     const char *field)
{
    same_str(a->file, b->file, id, field);
    cr_assert(eq(int, a->line, b->line), "rule %s: %s line", id, field);
    cr_assert(eq(int, a->column, b->column), "rule %s: %s column", id, field);
}

Test(rules_builtin, generated_rules_equal_the_parsed_yaml)
{
    struct lh_ruleset *snap = load_builtin();
    struct lh_ruleset *yaml = load_sources();
    cr_assert(eq(sz, snap->count, yaml->count));
    cr_assert(snap->count > 500);
    for (size_t i = 0; i < snap->count; i++) {
        const struct lh_rule *a = snap->rules[i];
        const struct lh_rule *b = yaml->rules[i];
        const char *id = b->id;
        same_str(a->id, b->id, id, "id");
        same_str(a->name, b->name, id, "name");
        same_str(a->description, b->description, id, "description");
        same_str(a->remediation, b->remediation, id, "remediation");
        same_str(a->provider, b->provider, id, "provider");
        same_list(&a->keywords, &b->keywords, id, "keywords");
        cr_assert(eq(int, a->keywords_caseless, b->keywords_caseless), "rule %s", id);
        cr_assert(eq(int, a->keywords_boundary, b->keywords_boundary), "rule %s", id);
        same_list(&a->prefilters, &b->prefilters, id, "prefilters");
        same_list(&a->paths, &b->paths, id, "paths");
        cr_assert(eq(int, a->yields, b->yields), "rule %s: yields", id);
        cr_assert(a->builtin && !b->builtin, "rule %s: builtin flag", id);
        same_str(a->pattern, b->pattern, id, "pattern");
        same_str(a->validator, b->validator, id, "validator");
        cr_assert(eq(sz, a->nparams, b->nparams), "rule %s: params", id);
        for (size_t k = 0; k < a->nparams; k++) {
            same_str(a->params[k].key, b->params[k].key, id, "param key");
            same_str(a->params[k].value, b->params[k].value, id, "param value");
        }
        cr_assert(a->min_entropy == b->min_entropy, "rule %s: min_entropy", id);
        same_list(&a->allow_regexes, &b->allow_regexes, id, "allow regexes");
        same_list(&a->allow_stopwords, &b->allow_stopwords, id, "allow stopwords");
        same_list(&a->allow_paths, &b->allow_paths, id, "allow paths");
        cr_assert(eq(int, a->confidence, b->confidence), "rule %s: confidence", id);
        cr_assert(eq(int, a->opt_in, b->opt_in), "rule %s: opt_in", id);
        cr_assert(eq(int, a->validator_soft, b->validator_soft), "rule %s", id);
        cr_assert(eq(int, a->disabled, b->disabled), "rule %s: disabled", id);
        cr_assert(eq(sz, a->max_length, b->max_length), "rule %s: max_length", id);
        cr_assert(eq(u32, a->decode, b->decode), "rule %s: decode", id);
        cr_assert(eq(int, a->has_decode, b->has_decode), "rule %s: decode given", id);
        same_list(&a->references, &b->references, id, "references");
        same_list(&a->examples, &b->examples, id, "examples");
        same_list(&a->example_secrets, &b->example_secrets, id, "example secrets");
        same_list(&a->example_paths, &b->example_paths, id, "example paths");
        same_list(&a->negative_examples, &b->negative_examples, id, "negative examples");
        same_list(&a->negative_paths, &b->negative_paths, id, "negative paths");
        same_pos(&a->pos, &b->pos, id, "position");
        same_pos(&a->pattern_pos, &b->pattern_pos, id, "pattern position");
    }
    lh_ruleset_free(snap);
    lh_ruleset_free(yaml);
}

/* A user rule reusing a built-in id: the error quotes where the built-in rule is defined. */
Test(rules_builtin, errors_quote_the_same_builtin_positions)
{
    struct lh_ruleset *snap = load_builtin();
    struct lh_ruleset *yaml = load_sources();
    const struct lh_rule *r = snap->rules[snap->count / 2];
    char text[512];
    snprintf(text, sizeof(text),
             "rules:\n  - {id: %s, name: x, keywords: [k], pattern: '(?<secret>k)'}\n", r->id);
    int rc = lh_ruleset_load_buffer(snap, "mine.yml", (const uint8_t *)text, strlen(text));
    cr_assert(eq(int, rc, LH_EINVAL));
    char *from_snapshot = strdup(lh_error_get());
    rc = lh_ruleset_load_buffer(yaml, "mine.yml", (const uint8_t *)text, strlen(text));
    cr_assert(eq(int, rc, LH_EINVAL));
    cr_assert(eq(str, from_snapshot, (char *)lh_error_get()));
    char want[256];
    snprintf(want, sizeof(want), "(first defined at %s:%d:%d)", r->pos.file, r->pos.line,
             r->pos.column);
    cr_assert(strstr(from_snapshot, want) != NULL, "%s", from_snapshot);
    cr_assert(strstr(from_snapshot, "rules/") != NULL, "%s", from_snapshot);
    free(from_snapshot);
    lh_ruleset_free(snap);
    lh_ruleset_free(yaml);
}

/* Two rulesets share the generated strings but not the rules: disabling one leaves the other. */
Test(rules_builtin, rulesets_do_not_share_selection)
{
    struct lh_ruleset *a = load_builtin();
    struct lh_ruleset *b = load_builtin();
    cr_assert(lh_ruleset_select(a, "github-*", false) > 0);
    const struct lh_rule *ra = lh_ruleset_find(a, "github-pat-classic");
    const struct lh_rule *rb = lh_ruleset_find(b, "github-pat-classic");
    cr_assert(ra && rb && ra != rb);
    cr_assert(ra->disabled && !rb->disabled);
    cr_assert(ra->pattern == rb->pattern, "strings are borrowed from the generated table");
    lh_ruleset_free(a);
    lh_ruleset_free(b);
}

/* The placeholder table holds every value of rules/placeholders once, sorted by strcmp. */
Test(rules_builtin, placeholder_table_is_the_yaml_values_sorted)
{
    glob_t g;
    cr_assert(eq(int, glob(LH_SOURCE_DIR "/rules/placeholders/*.yml", 0, NULL, &g), 0));
    size_t want = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        struct lh_buf text;
        yaml_document_t doc;
        lh_buf_init(&text, LH_YAML_MAX_BYTES);
        cr_assert(eq(int, lh_fs_read_file(&text, g.gl_pathv[i]), 0));
        cr_assert(eq(int, lh_yaml_load(&doc, "p.yml", (const uint8_t *)text.ptr, text.len), 0));
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        yaml_node_t *list = yaml_document_get_node(&doc, root->data.mapping.pairs.start->value);
        for (yaml_node_item_t *it = list->data.sequence.items.start;
             it < list->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(&doc, *it);
            for (yaml_node_pair_t *q = e->data.mapping.pairs.start; q < e->data.mapping.pairs.top;
                 q++) {
                const char *k = lh_yaml_scalar(&doc, yaml_document_get_node(&doc, q->key));
                const char *v = lh_yaml_scalar(&doc, yaml_document_get_node(&doc, q->value));
                if (!strcmp(k, "value")) {
                    const uint8_t *u = (const uint8_t *)v;
                    const char *why = NULL;
                    cr_assert(lh_placeholder_check(u, strlen(v), &why), "'%s' not known", v);
                    want++;
                }
            }
        }
        yaml_document_delete(&doc);
        lh_buf_dispose(&text);
    }
    globfree(&g);
    cr_assert(want > 10);
    cr_assert(lh_placeholder_count() <= want && lh_placeholder_count() > want / 2);
    for (size_t i = 1; i < lh_placeholder_values_count; i++) {
        cr_assert(strcmp(lh_placeholder_values[i - 1], lh_placeholder_values[i]) < 0,
                  "not sorted and unique at %zu", i);
    }
    cr_assert(lh_placeholder_values[lh_placeholder_values_count] == NULL);
}
