/* SPDX-License-Identifier: MIT */
/*
 * `.leakhound.yml` through the binary: malformed files (bad YAML, unknown keys at any
 * depth, wrong types, repeated keys, empty values, selections that match no rule) stop
 * the scan with one file:line:col line and exit 3, never with a quieter report; the file
 * is found at the repository root; the command line overrides it key by key.
 */
#include "support/report.h"

static char *dir;
static char tok[41];

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    rt_token(tok, 0);
    cr_assert(eq(int, lh_sh(dir, "git init -q ."), 0));
    rt_put(dir, "app/a.env", "GITHUB_TOKEN=%s\n", tok);
    rt_put(dir, "rules/probable.yml",
           "rules:\n  - id: test-probable\n    name: Test probable token\n"
           "    keywords: [tstp_]\n    pattern: '(?<secret>tstp_[A-Za-z0-9]{24})'\n"
           "    confidence: probable\n",
           NULL);
    rt_put(dir, "app/p.txt", "p = tstp_q8Zr3Lm7Wx2Nc5Vb9Kt4Hy6J\n", NULL);
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(config, .init = setup, .fini = teardown);

/* Writes .leakhound.yml, scans app/ and expects exit 3 with `where` and `what` on one line. */
static void expect_config_error(const char *yaml, const char *where, const char *what)
{
    rt_put(dir, ".leakhound.yml", yaml, NULL);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "app", NULL);
    cr_assert(eq(int, r.status, 3), "config accepted:\n%s\nstderr: %s", yaml, r.err);
    cr_assert(strstr(r.err, where) != NULL, "'%s' not in: %s", where, r.err);
    cr_assert(strstr(r.err, what) != NULL, "'%s' not in: %s", what, r.err);
    cr_assert(eq(sz, rt_lines(r.err), 1), "one line: %s", r.err);
    cr_assert(eq(sz, r.out_len, 0), "no report from a broken config: %s", r.out);
    lh_run_dispose(&r);
}

Test(config, bad_yaml)
{
    expect_config_error("disable_rules: [github-pat-classic\nformat: json\n",
                        ".leakhound.yml:", "error");
    expect_config_error("min_confidence: probable\n\tformat: json\n", ".leakhound.yml:2:", "");
}

Test(config, unknown_keys_at_any_depth)
{
    expect_config_error("format: json\nmin_confidance: probable\n",
                        ".leakhound.yml:2:1:", "unknown key 'min_confidance'");
    expect_config_error("serve:\n  listen: 127.0.0.1:9000\n  lisen: x\n",
                        ".leakhound.yml:3:3:", "unknown serve key 'lisen'");
    expect_config_error("revoke:\n  routes:\n    - url: https://example.com/revoke\n"
                        "      retries: 3\n",
                        ".leakhound.yml:4:7:", "unknown revoke route key 'retries'");
}

Test(config, wrong_types)
{
    expect_config_error("disable_rules: {github-pat-classic: true}\n",
                        ".leakhound.yml:1:16:", "expected a string or a list of strings");
    expect_config_error("min_confidence: [low]\n",
                        ".leakhound.yml:1:17:", "expected confirmed, probable or low");
    expect_config_error("min_confidence: high\n",
                        ".leakhound.yml:1:17:", "expected confirmed, probable or low");
    expect_config_error("fail_on: 3\n", ".leakhound.yml:1:10:", "expected confirmed");
    expect_config_error("revoke: maybe\n", ".leakhound.yml:1:9:", "");
    expect_config_error("baseline: [a, b]\n", ".leakhound.yml:1:11:", "expected a string");
    expect_config_error("- rules\n", ".leakhound.yml:1:1:", "must be a mapping");
}

Test(config, repeated_and_empty_keys)
{
    /* a second key further down must not silently win */
    expect_config_error("min_confidence: low\nformat: json\nmin_confidence: confirmed\n",
                        ".leakhound.yml:3:1:", "duplicate key 'min_confidence' (first at line 1)");
    expect_config_error("serve:\n  threads: 2\n  threads: 8\n",
                        ".leakhound.yml:3:3:", "duplicate key 'threads'");
    expect_config_error("baseline:\n", ".leakhound.yml:1:", "baseline");
    expect_config_error("format: xml\n", ".leakhound.yml:1:9:", "unknown format 'xml'");
}

Test(config, selection_that_matches_no_rule_is_an_error)
{
    expect_config_error("disable_rules: [github-pat-clasic]\n", ".leakhound.yml",
                        "disable_rules: 'github-pat-clasic' matches no rule");
    expect_config_error("enable_rules: [no-such-rule]\n", ".leakhound.yml",
                        "enable_rules: 'no-such-rule' matches no rule");
}

Test(config, missing_rule_file_or_config_is_an_error)
{
    rt_put(dir, ".leakhound.yml", "rules: [rules/nope.yml]\n", NULL);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "app", NULL);
    cr_assert(r.status == 3 || r.status == 4, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "nope.yml") != NULL, "%s", r.err);
    cr_assert(eq(sz, r.out_len, 0));
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--config", "absent.yml", "app", NULL);
    cr_assert(r.status == 3 || r.status == 4, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "absent.yml") != NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(config, every_key_is_accepted)
{
    rt_put(dir, "ci/bl.json", "{\"version\": 1, \"entries\": []}\n", NULL);
    rt_put(dir, ".leakhound.yml",
           "rules: [rules/probable.yml]\n"
           "enable_rules: [test-*]\n"
           "disable_rules: [slack-*]\n"
           "allow_paths: ['*/vendor/*']\n"
           "min_confidence: low\n"
           "fail_on: probable\n"
           "baseline: ci/bl.json\n"
           "format: jsonl\n"
           "revoke:\n"
           "  enabled: false\n"
           "  state_dir: .leakhound-state\n"
           "  routes:\n"
           "    - url: https://revoke.example.com/hook\n"
           "      rules: [github-*]\n"
           "      min_confidence: confirmed\n"
           "      secret_env: LEAKHOUND_HOOK_KEY\n"
           "      send: sha256\n"
           "      timeout: 10\n"
           "      connect_timeout: 5\n"
           "      max_attempts: 3\n"
           "serve:\n"
           "  listen: 127.0.0.1:8080\n"
           "  path: /github/secret-scanning\n"
           "  max_body: 1048576\n"
           "  max_connections: 100\n"
           "  timeout: 30\n"
           "  threads: 2\n"
           "  feedback: token_hash\n",
           NULL);
    rt_put(dir, "app/vendor/lib.env", "T=%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "app", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    /* jsonl from the file; the custom rule loaded; vendor/ not scanned */
    cr_assert(eq(sz, rt_lines(r.out), 2), "%s", r.out);
    cr_assert(strstr(r.out, "\"test-probable\"") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "vendor") == NULL, "%s", r.out);
    lh_run_dispose(&r);
}

Test(config, found_at_repository_root_from_a_subdirectory)
{
    rt_put(dir, ".leakhound.yml", "format: jsonl\n", NULL);
    struct lh_run r;
    lh_run_lh(&r, rt_path(dir, "app"), NULL, "scan", ".", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    json_t *o = json_loads(r.out, JSON_DISABLE_EOF_CHECK, NULL);
    cr_assert(o != NULL, "not jsonl: %s", r.out);
    json_decref(o);
    lh_run_dispose(&r);
    /* --no-config ignores it, even a broken one */
    rt_put(dir, ".leakhound.yml", "format: [\n", NULL);
    lh_run_lh(&r, rt_path(dir, "app"), NULL, "scan", "--no-config", ".", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, "a.env:1:14") != NULL, "text report: %s", r.out);
    lh_run_dispose(&r);
}

Test(config, command_line_overrides_the_file)
{
    rt_put(dir, ".leakhound.yml",
           "rules: [rules/probable.yml]\nformat: sarif\nmin_confidence: confirmed\n"
           "disable_rules: [github-pat-classic]\nfail_on: confirmed\n",
           NULL);
    struct lh_run r;
    /* the file alone: sarif, confirmed only, the github rule off -> nothing reported */
    lh_run_lh(&r, dir, NULL, "scan", "app", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "\"version\": \"2.1.0\"") != NULL, "%s", r.out);
    cr_assert(strstr(r.err, "1 suppressed") != NULL, "min_confidence is not silent: %s", r.err);
    lh_run_dispose(&r);
    /* explicit --format text, --min-confidence low, --enable-rule, --fail-on low win */
    lh_run_lh(&r, dir, NULL, "scan", "--format", "text", "--min-confidence", "low", "--enable-rule",
              "github-pat-classic", "--fail-on", "low", "app", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, "github-pat-classic") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "test-probable") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\"version\"") == NULL, "text, not sarif: %s", r.out);
    lh_run_dispose(&r);
}

Test(config, documented_example_is_valid)
{
    /* the example in docs/configuration.md, run as is */
    char *doc = lh_read_file(LH_SOURCE_DIR "/docs/configuration.md");
    cr_assert(doc != NULL);
    const char *ex = strstr(doc, "## Example");
    const char *start = ex ? strstr(ex, "```yaml\n") : NULL;
    const char *end = start ? strstr(start + 8, "```") : NULL;
    cr_assert(start != NULL && end != NULL, "no yaml example in docs/configuration.md");
    start += 8;
    lh_write_file(dir, ".leakhound.yml", start, (size_t)(end - start));
    free(doc);
    rt_put(dir, "ci/leakhound-rules.yml",
           "rules:\n  - id: acme-api-key\n    name: Acme API key\n    keywords: [acme_]\n"
           "    pattern: '(?<secret>acme_[A-Za-z0-9]{24})'\n    enabled: false\n",
           NULL);
    rt_put(dir, ".leakhound-baseline.json", "{\"version\": 1, \"entries\": []}\n", NULL);
    rt_put(dir, "app/k.txt", "k = acme_R7mK2xQ9vL4tB8nW3pH6jD1s\n", NULL);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-o", "out.sarif", ".", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    char *out = lh_read_file(rt_path(dir, "out.sarif"));
    cr_assert(strstr(out, "\"ruleId\": \"github-pat-classic\"") != NULL, "%s", out);
    cr_assert(strstr(out, "\"ruleId\": \"acme-api-key\"") != NULL, "opt-in rule enabled: %s", out);
    free(out);
}
