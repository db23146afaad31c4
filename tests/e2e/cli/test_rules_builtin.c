/* SPDX-License-Identifier: MIT */
/*
 * The built-in rules through the CLI: `rules list --format json` with the built-in tables
 * and with the source files of rules/ given as --rules (through the YAML parser) print the
 * same rules, field by field, in the same order. The in-process comparison is
 * tests/unit/rules/test_builtin.c.
 */
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <glob.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Parses `rules list --format json` and makes each "source" relative to the source tree. */
static json_t *rules_json(const struct lh_run *r)
{
    json_error_t je;
    json_t *j = json_loadb(r->out, r->out_len, 0, &je);
    cr_assert(j != NULL && json_is_array(j), "not a JSON array: %s", je.text);
    const char *prefix = LH_SOURCE_DIR "/";
    size_t i;
    json_t *rule;
    json_array_foreach(j, i, rule)
    {
        const char *src = json_string_value(json_object_get(rule, "source"));
        cr_assert(src != NULL, "rule %zu has no source", i);
        if (strncmp(src, prefix, strlen(prefix)) == 0) {
            json_object_set_new(rule, "source", json_string(src + strlen(prefix)));
        }
    }
    return j;
}

Test(rules_builtin, cli_rules_list_matches_the_yaml_files)
{
    struct lh_run builtin;
    cr_assert(
        eq(int, lh_run_lh(&builtin, NULL, NULL, "rules", "list", "--format", "json", NULL), 0));
    cr_assert(eq(int, builtin.status, 0), "%s", builtin.err);

    /* the same files, in the same (name) order, through the YAML parser */
    glob_t g;
    cr_assert(eq(int, glob(LH_SOURCE_DIR "/rules/*.yml", 0, NULL, &g), 0));
    const char **argv = calloc(2 * g.gl_pathc + 8, sizeof(*argv));
    size_t n = 0;
    argv[n++] = LH_BIN;
    argv[n++] = "rules";
    argv[n++] = "list";
    argv[n++] = "--format";
    argv[n++] = "json";
    argv[n++] = "--no-builtin-rules";
    for (size_t i = 0; i < g.gl_pathc; i++) {
        argv[n++] = "--rules";
        argv[n++] = g.gl_pathv[i];
    }
    struct lh_run parsed;
    cr_assert(eq(int, lh_run_in(&parsed, NULL, NULL, 0, argv), 0));
    cr_assert(eq(int, parsed.status, 0), "%s", parsed.err);
    free(argv);
    globfree(&g);

    json_t *a = rules_json(&builtin);
    json_t *b = rules_json(&parsed);
    cr_assert(eq(sz, json_array_size(a), json_array_size(b)));
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *x = json_array_get(a, i);
        json_t *y = json_array_get(b, i);
        cr_assert(json_equal(x, y), "rule %zu (%s) differs", i,
                  json_string_value(json_object_get(y, "id")));
    }
    json_decref(a);
    json_decref(b);
    lh_run_dispose(&builtin);
    lh_run_dispose(&parsed);
}
