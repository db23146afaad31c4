/* SPDX-License-Identifier: MIT */
/*
 * SARIF output through the real binary: schema validity (official 2.1.0 schema, checked by
 * python3-jsonschema, with a negative control proving the check can fail), what GitHub
 * code scanning needs (rules with help, relative URIs, regions, partialFingerprints), the
 * fingerprint's independence from path and line, and that no secret is ever written.
 */
#include "support/report.h"

RT_FIXTURE(sarif);

static json_t *first_run(json_t *doc)
{
    json_t *runs = json_object_get(doc, "runs");
    cr_assert(eq(sz, json_array_size(runs), 1));
    return json_array_get(runs, 0);
}

static const char *str_at(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    cr_assert(s != NULL, "missing string '%s'", k);
    return s;
}

static json_t *scan_sarif(const char *extra)
{
    struct lh_run r;
    if (extra) {
        lh_run_lh(&r, dir, NULL, "scan", "--format", "sarif", "--output", "out.sarif", extra, "src",
                  NULL);
    } else {
        lh_run_lh(&r, dir, NULL, "scan", "--format", "sarif", "--output", "out.sarif", "src", NULL);
    }
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    lh_run_dispose(&r);
    char *text = lh_read_file(rt_path(dir, "out.sarif"));
    cr_assert(text != NULL);
    cr_assert(strstr(text, tok) == NULL, "raw secret in SARIF");
    cr_assert(strstr(text, tok2) == NULL, "raw secret in SARIF");
    json_t *doc = json_loads(text, 0, NULL);
    cr_assert(doc != NULL, "not JSON: %s", text);
    free(text);
    return doc;
}

Test(sarif, scan_with_findings_validates_against_official_schema)
{
    rt_put(dir, "src/config/deploy.env", "# deploy\nGITHUB_TOKEN=%s\n", tok);
    rt_put(dir, "src/my app/main.py", "import os\n\nTOKEN = \"%s\"\n", tok2);
    json_t *doc = scan_sarif(NULL);
    cr_assert(eq(int, rt_sarif_validate(dir, "out.sarif"), 0));
    cr_assert(eq(str, (char *)str_at(doc, "version"), "2.1.0"));
    json_t *run = first_run(doc);
    cr_assert(eq(str, (char *)str_at(run, "columnKind"), "unicodeCodePoints"));
    json_t *results = json_object_get(run, "results");
    cr_assert(eq(sz, json_array_size(results), 2));
    json_decref(doc);
}

Test(sarif, schema_check_rejects_a_broken_document)
{
    /* negative control: the validation used above really fails on invalid SARIF */
    rt_put(dir, "src/f.env", "T=%s\n", tok);
    json_t *doc = scan_sarif(NULL);
    json_object_set_new(doc, "version", json_string("2.0.0"));
    json_t *res = json_array_get(json_object_get(first_run(doc), "results"), 0);
    json_object_set_new(res, "level", json_string("catastrophic"));
    cr_assert(eq(int, json_dump_file(doc, rt_path(dir, "broken.sarif"), 0), 0));
    cr_assert(rt_sarif_validate(dir, "broken.sarif") != 0);
    json_decref(doc);
}

Test(sarif, clean_scan_is_valid_and_lists_rules)
{
    rt_put(dir, "src/ok.txt", "nothing to see\n", NULL);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-f", "sarif", "-o", "out.sarif", "src", NULL);
    cr_assert(eq(int, r.status, 0), "stderr: %s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, rt_sarif_validate(dir, "out.sarif"), 0));
    char *text = lh_read_file(rt_path(dir, "out.sarif"));
    json_t *doc = json_loads(text, 0, NULL);
    free(text);
    json_t *run = first_run(doc);
    cr_assert(eq(sz, json_array_size(json_object_get(run, "results")), 0));
    json_t *rules =
        json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
    cr_assert(json_array_size(rules) > 5, "every active rule is described");
    json_decref(doc);
}

Test(sarif, result_has_location_rule_help_and_fingerprint)
{
    rt_put(dir, "src/my app/main.py", "import os\n\nTOKEN = \"%s\"\n", tok);
    json_t *doc = scan_sarif(NULL);
    json_t *run = first_run(doc);
    json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
    cr_assert(eq(str, (char *)str_at(driver, "name"), "leakhound"));
    json_t *res = json_array_get(json_object_get(run, "results"), 0);
    cr_assert(eq(str, (char *)str_at(res, "ruleId"), "github-pat-classic"));
    cr_assert(eq(str, (char *)str_at(res, "level"), "error"));
    /* ruleIndex points at the descriptor of the same rule */
    size_t idx = (size_t)json_integer_value(json_object_get(res, "ruleIndex"));
    json_t *rule = json_array_get(json_object_get(driver, "rules"), idx);
    cr_assert(rule != NULL);
    cr_assert(eq(str, (char *)str_at(rule, "id"), "github-pat-classic"));
    cr_assert(json_object_get(json_object_get(rule, "shortDescription"), "text") != NULL);
    cr_assert(json_object_get(json_object_get(rule, "fullDescription"), "text") != NULL);
    const char *help = str_at(json_object_get(rule, "help"), "text");
    cr_assert(strstr(help, "revoke") != NULL, "%s", help);
    cr_assert(strstr(help, "https://") != NULL, "references are in the help: %s", help);
    cr_assert(eq(int, strncmp(str_at(rule, "helpUri"), "https://", 8), 0));
    json_t *props = json_object_get(rule, "properties");
    cr_assert(eq(str, (char *)str_at(props, "precision"), "very-high"));
    cr_assert(eq(str, (char *)str_at(props, "security-severity"), "9.0"));
    /* physical location: relative, percent-encoded URI; 1-based region, exclusive end */
    json_t *phys =
        json_object_get(json_array_get(json_object_get(res, "locations"), 0), "physicalLocation");
    json_t *art = json_object_get(phys, "artifactLocation");
    cr_assert(eq(str, (char *)str_at(art, "uri"), "src/my%20app/main.py"));
    cr_assert(eq(str, (char *)str_at(art, "uriBaseId"), "%SRCROOT%"));
    json_t *region = json_object_get(phys, "region");
    cr_assert(eq(int, (int)json_integer_value(json_object_get(region, "startLine")), 3));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(region, "startColumn")), 10));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(region, "endLine")), 3));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(region, "endColumn")), 50));
    /* the message names the rule and shows the redacted secret only */
    const char *msg = str_at(json_object_get(res, "message"), "text");
    cr_assert(strstr(msg, "ghp_") != NULL && strstr(msg, "****") != NULL, "%s", msg);
    json_t *fps = json_object_get(res, "partialFingerprints");
    cr_assert(eq(sz, strlen(str_at(fps, "leakhound/v1")), 32));
    json_decref(doc);
}

/* fingerprint of the only result of a SARIF scan of dir */
static char *only_fingerprint(void)
{
    json_t *doc = scan_sarif(NULL);
    json_t *results = json_object_get(first_run(doc), "results");
    cr_assert(eq(sz, json_array_size(results), 1));
    json_t *fps = json_object_get(json_array_get(results, 0), "partialFingerprints");
    char *fp = strdup(str_at(fps, "leakhound/v1"));
    json_decref(doc);
    return fp;
}

Test(sarif, fingerprint_survives_move_rename_and_reformat)
{
    rt_put(dir, "src/a.env", "TOKEN=%s\n", tok);
    char *before = only_fingerprint();
    cr_assert(eq(int, lh_sh(dir, "rm src/a.env"), 0));
    rt_put(dir, "src/moved/elsewhere/b.yaml",
           "# moved and reformatted\n\n\nauth:\n  token:   '%s'\n", tok);
    char *after = only_fingerprint();
    cr_assert(eq(str, before, after));
    /* and it is the fingerprint the json report shows */
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-f", "json", "src", NULL);
    json_t *arr = rt_json(&r);
    cr_assert(eq(str, (char *)str_at(json_array_get(arr, 0), "fingerprint"), before));
    json_decref(arr);
    lh_run_dispose(&r);
    /* a different secret at the same place has a different fingerprint */
    rt_put(dir, "src/moved/elsewhere/b.yaml",
           "# moved and reformatted\n\n\nauth:\n  token:   '%s'\n", tok2);
    char *other = only_fingerprint();
    cr_assert(strcmp(other, before) != 0);
    free(before);
    free(after);
    free(other);
}

Test(sarif, show_secrets_never_reaches_sarif)
{
    rt_put(dir, "src/a.env", "TOKEN=%s\n", tok);
    json_t *doc = scan_sarif("--show-secrets"); /* scan_sarif fails on a raw secret */
    json_decref(doc);
    /* control: the same option does reveal it in the json format */
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-f", "json", "--show-secrets", "src", NULL);
    cr_assert(strstr(r.out, tok) != NULL);
    lh_run_dispose(&r);
}

Test(sarif, absolute_paths_become_file_uris)
{
    rt_put(dir, "src/a.env", "TOKEN=%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-f", "sarif", rt_path(dir, "src/a.env"), NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    json_t *doc = rt_json(&r);
    json_t *res = json_array_get(json_object_get(first_run(doc), "results"), 0);
    json_t *art = json_object_get(
        json_object_get(json_array_get(json_object_get(res, "locations"), 0), "physicalLocation"),
        "artifactLocation");
    const char *uri = str_at(art, "uri");
    cr_assert(eq(int, strncmp(uri, "file:///tmp/", 12), 0), "%s", uri);
    cr_assert(json_object_get(art, "uriBaseId") == NULL);
    json_decref(doc);
    lh_run_dispose(&r);
}

Test(sarif, probable_and_low_map_to_levels)
{
    rt_put(dir, "rules.yml",
           "rules:\n"
           "  - id: test-probable\n    name: Test probable token\n    keywords: [tstp_]\n"
           "    pattern: '(?<secret>tstp_[A-Za-z0-9]{24})'\n    confidence: probable\n"
           "  - id: test-low\n    name: Test low token\n    keywords: [tstl_]\n"
           "    pattern: '(?<secret>tstl_[A-Za-z0-9]{24})'\n    confidence: low\n",
           NULL);
    rt_put(dir, "in/a.txt",
           "p = tstp_q8Zr3Lm7Wx2Nc5Vb9Kt4Hy6J\nl = tstl_R7mK2xQ9vL4tB8nW3pH6jD1s\n", NULL);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--no-builtin-rules", "--rules", "rules.yml", "-f", "sarif",
              "-o", "out.sarif", "in", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, rt_sarif_validate(dir, "out.sarif"), 0));
    char *text = lh_read_file(rt_path(dir, "out.sarif"));
    json_t *doc = json_loads(text, 0, NULL);
    free(text);
    json_t *results = json_object_get(first_run(doc), "results");
    cr_assert(eq(sz, json_array_size(results), 2));
    for (size_t i = 0; i < 2; i++) {
        json_t *res = json_array_get(results, i);
        const char *id = str_at(res, "ruleId");
        const char *want = !strcmp(id, "test-low") ? "warning" : "error";
        cr_assert(eq(str, (char *)str_at(res, "level"), (char *)want), "%s", id);
    }
    json_decref(doc);
}

Test(sarif, paths_that_are_not_utf8_keep_their_findings)
{
    /* jansson refuses such strings; the finding must not lose its path (or vanish) */
    rt_put(dir, "in/bad\xff name.env", "T=%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-f", "json", "in", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    json_t *arr = rt_json(&r);
    cr_assert(eq(sz, json_array_size(arr), 1));
    cr_assert(
        eq(str, (char *)str_at(json_array_get(arr, 0), "path"), "in/bad\xEF\xBF\xBD name.env"));
    json_decref(arr);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "-f", "sarif", "-o", "out.sarif", "in", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, rt_sarif_validate(dir, "out.sarif"), 0));
    char *text = lh_read_file(rt_path(dir, "out.sarif"));
    cr_assert(strstr(text, "\"uri\": \"in/bad%FF%20name.env\"") != NULL, "%s", text);
    free(text);
}

/*
 * Code scanning rejects a whole SARIF file with more than 25,000 results in a run: a scan
 * with 32,000 findings writes a valid file with exactly 25,000, says what was left out, and
 * still fails the build (exit 1); the run carries a stable automationDetails category.
 */
Test(sarif, over_25000_results_are_capped_with_a_notification)
{
    /* 40 files of 800 lines, each holding the same checksum-valid token: 32,000 findings */
    char *line = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&line, &n);
    cr_assert(mem != NULL);
    for (int i = 0; i < 800; i++) {
        fprintf(mem, "key_%d = \"%s\"\n", i, tok);
    }
    fclose(mem);
    for (int f = 0; f < 40; f++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "many/f%02d.txt", f);
        lh_write_file(dir, rel, line, n);
    }
    free(line);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--format", "sarif", "--output", "many.sarif", "many", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, rt_sarif_validate(dir, "many.sarif"), 0));
    json_t *doc = json_load_file(rt_path(dir, "many.sarif"), 0, NULL);
    cr_assert(doc != NULL);
    json_t *run = first_run(doc);
    cr_assert(eq(sz, json_array_size(json_object_get(run, "results")), 25000));
    cr_assert(
        eq(str, (char *)str_at(json_object_get(run, "automationDetails"), "id"), "leakhound/"));
    json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
    json_t *notes = json_object_get(inv, "toolExecutionNotifications");
    cr_assert(eq(sz, json_array_size(notes), 1));
    const char *text = str_at(json_object_get(json_array_get(notes, 0), "message"), "text");
    cr_assert(strstr(text, "7000 results were left out") != NULL, "%s", text);
    json_decref(doc);
}

/* A scan from a subdirectory of a work tree gives URIs relative to the repository root */
Test(sarif, uris_are_relative_to_the_repository_root_from_a_subdirectory)
{
    cr_assert(eq(int, lh_sh(dir, "git init -q repo"), 0));
    rt_put(dir, "repo/services/api/config.yml", "token: %s\n", tok);
    rt_put(dir, "repo/services/web/.env", "T=%s\n", tok2);
    struct lh_run r;
    char sub[4096];
    snprintf(sub, sizeof(sub), "%s/repo/services/api", dir);
    lh_run_lh(&r, sub, NULL, "scan", "-f", "sarif", "-o", "out.sarif", ".", "../web", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    char path[4200];
    snprintf(path, sizeof(path), "%s/out.sarif", sub);
    json_t *doc = json_load_file(path, 0, NULL);
    cr_assert(doc != NULL);
    json_t *results = json_object_get(first_run(doc), "results");
    cr_assert(eq(sz, json_array_size(results), 2));
    bool api = false, web = false;
    for (size_t i = 0; i < 2; i++) {
        json_t *loc = json_object_get(
            json_object_get(
                json_array_get(json_object_get(json_array_get(results, i), "locations"), 0),
                "physicalLocation"),
            "artifactLocation");
        const char *uri = str_at(loc, "uri");
        api |= !strcmp(uri, "services/api/config.yml");
        web |= !strcmp(uri, "services/web/.env");
    }
    cr_assert(api && web, "URIs are not relative to the repository root");
    json_decref(doc);
}
