/* SPDX-License-Identifier: MIT */
/*
 * The baseline workflow end to end through the binary: create, suppress, survive a rename
 * and a line move, report a new secret on the same line, expiry, stale entries (only after
 * a full scan), prune, and malformed or missing baselines failing loudly (exit 3, no
 * report) instead of silently reporting fewer findings.
 */
#include "support/report.h"

RT_FIXTURE(baseline_cli);

/* Creates bl.json from a scan of `path`; returns its text (caller frees). */
static char *create_baseline(const char *path)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "baseline", "create", path, NULL);
    cr_assert(eq(int, r.status, 0), "stderr: %s", r.err);
    cr_assert(strstr(r.out, tok) == NULL, "secret in baseline: %s", r.out);
    cr_assert(strstr(r.out, tok2) == NULL, "secret in baseline: %s", r.out);
    lh_write_file(dir, "bl.json", r.out, r.out_len);
    char *text = strdup(r.out);
    lh_run_dispose(&r);
    return text;
}

/* Runs `scan -f json --baseline bl.json ARGS...`, returns the number of reported findings. */
static size_t scan_bl(struct lh_run *r, const char *path)
{
    lh_run_lh(r, dir, NULL, "scan", "-f", "json", "--baseline", "bl.json", path, NULL);
    cr_assert(r->status == 0 || r->status == 1, "exit %d: %s", r->status, r->err);
    return rt_count(r);
}

/* Rewrites every entry of bl.json with key = value (via jansson, as a person would). */
static void set_all(const char *key, const char *value)
{
    json_t *doc = json_load_file(rt_path(dir, "bl.json"), 0, NULL);
    cr_assert(doc != NULL);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "entries"), i, e)
    {
        json_object_set_new(e, key, json_string(value));
    }
    cr_assert(eq(int, json_dump_file(doc, rt_path(dir, "bl.json"), JSON_INDENT(2)), 0));
    json_decref(doc);
}

Test(baseline_cli, create_records_fingerprints_and_suppresses)
{
    rt_put(dir, "app/a.env", "# app\nGITHUB_TOKEN=%s\n", tok);
    char *text = create_baseline("app");
    cr_assert(strstr(text, "\"rule_id\": \"github-pat-classic\"") != NULL, "%s", text);
    cr_assert(strstr(text, "\"path\": \"app/a.env\"") != NULL, "%s", text);
    free(text);
    struct lh_run r;
    cr_assert(eq(sz, scan_bl(&r, "app"), 0));
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "1 suppressed") != NULL, "the summary says so: %s", r.err);
    lh_run_dispose(&r);
    /* control: without the baseline the finding is there */
    lh_run_lh(&r, dir, NULL, "scan", "-f", "json", "app", NULL);
    cr_assert(eq(int, r.status, 1));
    cr_assert(eq(sz, rt_count(&r), 1));
    lh_run_dispose(&r);
}

Test(baseline_cli, suppression_survives_rename_and_line_move)
{
    rt_put(dir, "app/a.env", "GITHUB_TOKEN=%s\n", tok);
    free(create_baseline("app"));
    cr_assert(eq(int, lh_sh(dir, "rm app/a.env"), 0));
    rt_put(dir, "app/renamed/settings.yaml",
           "# moved here, reformatted\nservice:\n  name: demo\n\n  auth:\n    token: \"%s\"\n",
           tok);
    struct lh_run r;
    cr_assert(eq(sz, scan_bl(&r, "app"), 0), "%s", r.out);
    cr_assert(eq(int, r.status, 0));
    lh_run_dispose(&r);
}

Test(baseline_cli, new_secret_on_the_same_line_is_reported)
{
    rt_put(dir, "app/a.env", "GITHUB_TOKEN=%s\n", tok);
    free(create_baseline("app"));
    /* the same line now holds another secret as well */
    char line[128];
    snprintf(line, sizeof(line), "GITHUB_TOKEN=%s OTHER=%%s\n", tok);
    rt_put(dir, "app/a.env", line, tok2);
    struct lh_run r;
    cr_assert(eq(sz, scan_bl(&r, "app"), 1));
    cr_assert(eq(int, r.status, 1));
    json_t *arr = rt_json(&r);
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "line")), 1));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "column")), 61));
    json_decref(arr);
    lh_run_dispose(&r);
    /* and a different secret replacing the accepted one is reported too */
    rt_put(dir, "app/a.env", "GITHUB_TOKEN=%s\n", tok2);
    cr_assert(eq(sz, scan_bl(&r, "app"), 1));
    lh_run_dispose(&r);
}

Test(baseline_cli, expired_entry_no_longer_suppresses)
{
    rt_put(dir, "app/a.env", "GITHUB_TOKEN=%s\n", tok);
    free(create_baseline("app"));
    set_all("expires", "2999-12-31");
    set_all("reason", "rotated, kept for the docs");
    struct lh_run r;
    cr_assert(eq(sz, scan_bl(&r, "app"), 0), "future expiry still suppresses");
    lh_run_dispose(&r);
    set_all("expires", "2000-01-01");
    cr_assert(eq(sz, scan_bl(&r, "app"), 1));
    cr_assert(eq(int, r.status, 1));
    cr_assert(strstr(r.err, "bl.json:") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "expired on 2000-01-01") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "stale") == NULL, "an expired entry that matches is not stale");
    lh_run_dispose(&r);
}

Test(baseline_cli, stale_entry_reported_after_full_scan_only)
{
    rt_put(dir, "app/a.env", "GITHUB_TOKEN=%s\n", tok);
    rt_put(dir, "app/b.env", "OTHER=%s\n", tok2);
    free(create_baseline("."));
    cr_assert(eq(int, lh_sh(dir, "rm app/a.env"), 0));
    struct lh_run r;
    /* full scan of the project root: the entry for tok matched nothing */
    cr_assert(eq(sz, scan_bl(&r, "."), 0));
    cr_assert(eq(int, r.status, 0));
    cr_assert(strstr(r.err, "stale baseline entry for rule 'github-pat-classic'") != NULL, "%s",
              r.err);
    cr_assert(strstr(r.err, "bl.json:") != NULL, "names the file and line: %s", r.err);
    cr_assert(strstr(r.err, "1 stale baseline entry") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    /* a partial scan cannot tell, so it says nothing */
    cr_assert(eq(sz, scan_bl(&r, "app"), 0));
    cr_assert(strstr(r.err, "stale") == NULL, "%s", r.err);
    lh_run_dispose(&r);
    char in[64];
    snprintf(in, sizeof(in), "x=%s\n", tok2);
    lh_run_lh(&r, dir, in, "scan", "--baseline", "bl.json", "-", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "stale") == NULL, "stdin is never a full scan: %s", r.err);
    lh_run_dispose(&r);
}

Test(baseline_cli, prune_removes_stale_entries_and_keeps_the_rest)
{
    cr_assert(eq(int, lh_sh(dir, "git init -q ."), 0));
    rt_put(dir, "app/a.env", "GITHUB_TOKEN=%s\n", tok);
    rt_put(dir, "app/b.env", "OTHER=%s\n", tok2);
    free(create_baseline("."));
    set_all("owner", "team-secops");
    cr_assert(eq(int, lh_sh(dir, "rm app/a.env"), 0));
    char *before = lh_read_file(rt_path(dir, "bl.json"));
    struct lh_run r;
    /* refuses a partial scan: it would delete entries for what it did not see */
    lh_run_lh(&r, dir, NULL, "baseline", "prune", "--baseline", "bl.json", "app", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    cr_assert(strstr(r.err, "full scan") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    char *unchanged = lh_read_file(rt_path(dir, "bl.json"));
    cr_assert(eq(str, before, unchanged));
    free(unchanged);
    /* a full scan of the project root prunes */
    lh_run_lh(&r, dir, NULL, "baseline", "prune", "--baseline", "bl.json", ".", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "removed 1 stale entry, kept 1") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    char *after = lh_read_file(rt_path(dir, "bl.json"));
    cr_assert(strstr(after, "github-pat-classic") != NULL, "the matched entry stays: %s", after);
    cr_assert(strstr(after, "team-secops") != NULL, "annotations stay: %s", after);
    json_t *doc = json_loads(after, 0, NULL);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "entries")), 1));
    json_decref(doc);
    free(after);
    free(before);
    /* nothing stale any more, and the remaining secret is still suppressed */
    cr_assert(eq(sz, scan_bl(&r, "."), 0));
    cr_assert(strstr(r.err, "stale") == NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(baseline_cli, malformed_baseline_fails_loudly_without_report)
{
    rt_put(dir, "app/a.env", "GITHUB_TOKEN=%s\n", tok);
    rt_put(dir, "bl.json",
           "{\n  \"version\": 1,\n  \"entries\": [\n    {\"fingerprint\": 7}\n"
           "  ]\n}\n",
           NULL);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--baseline", "bl.json", "app", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    cr_assert(strstr(r.err, "bl.json:4:21:") != NULL, "%s", r.err);
    cr_assert(eq(sz, rt_lines(r.err), 1), "one line: %s", r.err);
    cr_assert(eq(sz, r.out_len, 0), "no partial report: %s", r.out);
    lh_run_dispose(&r);
    rt_put(dir, "bl.json", "{\"version\": 1, \"entries\": [\n", NULL);
    lh_run_lh(&r, dir, NULL, "scan", "--baseline", "bl.json", "app", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    cr_assert(strstr(r.err, "bl.json:2:") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--baseline", "missing.json", "app", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    cr_assert(strstr(r.err, "missing.json") != NULL, "%s", r.err);
    cr_assert(eq(sz, r.out_len, 0));
    lh_run_dispose(&r);
}

Test(baseline_cli, config_baseline_is_relative_to_the_config_file)
{
    cr_assert(eq(int, lh_sh(dir, "git init -q ."), 0));
    rt_put(dir, "app/a.env", "GITHUB_TOKEN=%s\n", tok);
    rt_put(dir, ".leakhound.yml", "baseline: ci/leakhound-baseline.json\n", NULL);
    /* create for the first time: the configured file does not exist yet */
    cr_assert(eq(int, lh_sh(dir, "mkdir ci"), 0));
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "baseline", "create", "-o", "ci/leakhound-baseline.json", ".", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    /* scanning from a subdirectory still finds it */
    lh_run_lh(&r, rt_path(dir, "app"), NULL, "scan", "-f", "json", ".", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(sz, rt_count(&r), 0));
    lh_run_dispose(&r);
    /* a broken configured baseline stops the scan with exit 3 */
    rt_put(dir, "ci/leakhound-baseline.json", "not json", NULL);
    lh_run_lh(&r, rt_path(dir, "app"), NULL, "scan", ".", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    cr_assert(strstr(r.err, "ci/leakhound-baseline.json:1:") != NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(baseline_cli, recreate_keeps_annotations_and_survives_shell_redirect)
{
    cr_assert(eq(int, lh_sh(dir, "git init -q ."), 0));
    rt_put(dir, "app/a.env", "GITHUB_TOKEN=%s\n", tok);
    rt_put(dir, ".leakhound.yml", "baseline: bl.json\n", NULL);
    free(create_baseline("app"));
    set_all("reason", "test fixture");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "baseline", "create", "-o", "bl.json", "app", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    char *text = lh_read_file(rt_path(dir, "bl.json"));
    cr_assert(strstr(text, "\"reason\": \"test fixture\"") != NULL, "%s", text);
    free(text);
    /* `baseline create > bl.json`: the shell empties the configured file first */
    cr_assert(eq(int, lh_sh(dir, "'%s' baseline create app > bl.json", LH_BIN), 0));
    text = lh_read_file(rt_path(dir, "bl.json"));
    cr_assert(strstr(text, "github-pat-classic") != NULL, "%s", text);
    free(text);
}

Test(baseline_cli, usage_errors)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "baseline", NULL);
    cr_assert(eq(int, r.status, 2));
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "baseline", "frobnicate", NULL);
    cr_assert(eq(int, r.status, 2));
    cr_assert(strstr(r.err, "frobnicate") != NULL);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "baseline", "prune", ".", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    cr_assert(strstr(r.err, "--baseline") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "baseline", "--help", NULL);
    cr_assert(eq(int, r.status, 0));
    cr_assert(strstr(r.out, "baseline create") != NULL);
    lh_run_dispose(&r);
}

/*
 * The hook's advice works as written: `baseline create -o .leakhound-baseline.json` at the
 * repository root is honoured without configuration (scan, staged from a subdirectory), a
 * rerun keeps the reasons, and prune rewrites it in place.
 */
Test(baseline_cli, root_baseline_is_found_and_create_o_keeps_reasons)
{
    cr_assert(eq(int, lh_sh(dir, "git init -q repo && mkdir -p repo/src/deep"), 0));
    rt_put(dir, "repo/src/deep/app.env", "TOKEN=%s\n", tok);
    char repo[4096];
    snprintf(repo, sizeof(repo), "%s/repo", dir);
    struct lh_run r;
    lh_run_lh(&r, repo, NULL, "scan", ".", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, repo, NULL, "baseline", "create", "-o", ".leakhound-baseline.json", ".", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    /* found without --baseline or a config, from the root and from a subdirectory */
    lh_run_lh(&r, repo, NULL, "scan", ".", NULL);
    cr_assert(eq(int, r.status, 0), "the root baseline was not used: %s", r.err);
    cr_assert(strstr(r.err, "1 baseline") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    char deep[4200];
    snprintf(deep, sizeof(deep), "%s/src/deep", repo);
    lh_run_lh(&r, deep, NULL, "scan", ".", NULL);
    cr_assert(eq(int, r.status, 0), "not found from a subdirectory: %s", r.err);
    lh_run_dispose(&r);
    /* a person adds a reason; `create -o` again keeps it */
    char bl[4300];
    snprintf(bl, sizeof(bl), "%s/.leakhound-baseline.json", repo);
    json_t *doc = json_load_file(bl, 0, NULL);
    cr_assert(doc != NULL);
    json_t *e = json_array_get(json_object_get(doc, "entries"), 0);
    cr_assert(e != NULL);
    json_object_set_new(e, "reason", json_string("rotated; test fixture"));
    cr_assert(eq(int, json_dump_file(doc, bl, JSON_INDENT(2)), 0));
    json_decref(doc);
    lh_run_lh(&r, repo, NULL, "baseline", "create", "-o", ".leakhound-baseline.json", ".", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    char *text = lh_read_file(bl);
    cr_assert(text != NULL && strstr(text, "rotated; test fixture") != NULL,
              "the reason was lost on rerun: %s", text);
    free(text);
    lh_run_lh(&r, repo, NULL, "baseline", "prune", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
}
