/* SPDX-License-Identifier: MIT */
/*
 * Rule help in reports, through the real binary: in a SARIF run of the built-in rules every
 * rule has a real description (fullDescription is not its name), help text and Markdown that
 * hold the description, what to do and the references, and a helpUri; a rule's own
 * `remediation:` replaces the default advice; a user's rule without prose gets a paragraph
 * built from its fields; `rules check --strict` refuses a rule without a description.
 */
#include "support/report.h"

RT_FIXTURE(rule_help);

static const char user_rule[] =
    "rules:\n"
    "  - id: acme-key\n"
    "    name: Acme key\n"
    "    provider: Acme\n"
    "%s"
    "    keywords: [acme_]\n"
    "    pattern: '(?<secret>acme_[a-z0-9]{24})'\n"
    "    references: [https://docs.acme.example/keys]\n"
    "    examples: [acme_q8w7e6r5t4y3u2i1o9p8a7s6, acme_z1x2c3v4b5n6m7l8k9j0h1g2]\n"
    "    negative_examples: [acme_short, nothing here]\n";

Test(rule_help, every_builtin_rule_has_description_help_and_link)
{
    rt_put(dir, "a.env", "A=%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-q", "-f", "sarif", "-o", "out.sarif", "a.env", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    json_error_t je;
    json_t *doc = json_load_file(rt_path(dir, "out.sarif"), 0, &je);
    cr_assert(doc != NULL, "%s", je.text);
    json_t *rules = json_object_get(
        json_object_get(json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "tool"),
                        "driver"),
        "rules");
    size_t n = json_array_size(rules);
    cr_assert(n > 500, "%zu rules", n);
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_array_get(rules, i);
        const char *id = json_string_value(json_object_get(d, "id"));
        const char *name = json_string_value(json_object_get(d, "name"));
        const char *full =
            json_string_value(json_object_get(json_object_get(d, "fullDescription"), "text"));
        const char *text = json_string_value(json_object_get(json_object_get(d, "help"), "text"));
        const char *md = json_string_value(json_object_get(json_object_get(d, "help"), "markdown"));
        const char *uri = json_string_value(json_object_get(d, "helpUri"));
        cr_assert(full && strcmp(full, name) != 0 && strlen(full) >= 40, "%s: %s", id, full);
        cr_assert(text && strstr(text, full) == text, "%s: help does not open with the description",
                  id);
        cr_assert(strstr(text, "What to do: ") != NULL, "%s: %s", id, text);
        cr_assert(md && strstr(md, "**What to do:**") != NULL, "%s", id);
        cr_assert(uri && strncmp(uri, "http", 4) == 0, "%s: no helpUri", id);
        cr_assert(strstr(text, uri) != NULL, "%s: the link is not in the help", id);
    }
    /* a rule's own remediation replaces the default advice */
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_array_get(rules, i);
        if (strcmp(json_string_value(json_object_get(d, "id")), "github-pat-classic") != 0) {
            continue;
        }
        const char *text = json_string_value(json_object_get(json_object_get(d, "help"), "text"));
        cr_assert(strstr(text, "What to do: Delete the token under Settings > Developer "
                               "settings") != NULL,
                  "%s", text);
        cr_assert(strstr(text, "Revoke or rotate it with GitHub first") == NULL, "%s", text);
    }
    cr_assert(eq(int, rt_sarif_validate(dir, "out.sarif"), 0));
    json_decref(doc);
}

Test(rule_help, user_rule_without_prose_gets_a_paragraph_and_strict_check_refuses_it)
{
    rt_put(dir, "rules/acme.yml", user_rule, "");
    rt_put(dir, "k.txt", "key acme_q8w7e6r5t4y3u2i1o9p8a7s6\n", NULL);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-q", "--no-builtin-rules", "--rules", "rules", "-f", "sarif",
              "k.txt", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    json_t *doc = rt_json(&r);
    json_t *d = json_array_get(
        json_object_get(
            json_object_get(
                json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "tool"), "driver"),
            "rules"),
        0);
    const char *full =
        json_string_value(json_object_get(json_object_get(d, "fullDescription"), "text"));
    cr_assert(eq(str, (char *)full,
                 "Acme key, issued by Acme, recognised by `acme_`. Whoever holds it can act with "
                 "the access it was issued with, until it is revoked."));
    const char *text = json_string_value(json_object_get(json_object_get(d, "help"), "text"));
    cr_assert(strstr(text, "What to do: Revoke or rotate it with Acme first (see "
                           "https://docs.acme.example/keys)") != NULL,
              "%s", text);
    json_decref(doc);
    lh_run_dispose(&r);
    /* non-strict check passes; strict wants a description */
    lh_run_lh(&r, dir, NULL, "rules", "check", "--no-builtin-rules", "--rules", "rules", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "rules", "check", "--strict", "--no-builtin-rules", "--rules", "rules",
              NULL);
    cr_assert(r.status != 0, "%s", r.err);
    cr_assert(strstr(r.err, "rule 'acme-key': description") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    rt_put(dir, "rules/acme.yml", user_rule,
           "    description: An Acme key (acme_ + 24 characters); it charges the account. "
           "Delete it in the Acme dashboard.\n");
    lh_run_lh(&r, dir, NULL, "rules", "check", "--strict", "--no-builtin-rules", "--rules", "rules",
              NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
}
