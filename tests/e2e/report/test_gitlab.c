/* SPDX-License-Identifier: MIT */
/*
 * The GitLab secret-detection report through the real binary, validated against GitLab's
 * published schema (fixtures/gitlab/, version 15.2.1, with python3-jsonschema): a history
 * scan of a real repository names each introducing commit and the repository-relative file
 * and lines; a work-tree scan from a subdirectory gives paths from the repository root and the
 * pipeline's CI_COMMIT_SHA (else GitLab's "0000000"); ids are UUIDs, unique, and stable across
 * runs; every active rule is a primary identifier; no secret is written; an incomplete scan
 * says "failure" and why, and still validates.
 */
#include "support/report.h"

#include <regex.h>
#include <sys/stat.h>
#include <unistd.h>

#define GL_SCHEMA LH_SOURCE_DIR "/fixtures/gitlab/secret-detection-report-format-15.2.1.json"

RT_FIXTURE(gitlab);

static int gl_validate(const char *file)
{
    return lh_sh(dir,
                 "python3 -c 'import json, sys, jsonschema\n"
                 "schema = json.load(open(sys.argv[1]))\n"
                 "jsonschema.Draft7Validator.check_schema(schema)\n"
                 "doc = json.load(open(sys.argv[2]))\n"
                 "jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())"
                 ".validate(doc)\n"
                 "' '%s' '%s'",
                 GL_SCHEMA, file);
}

static json_t *load(const char *rel)
{
    json_error_t je;
    json_t *j = json_load_file(rt_path(dir, rel), 0, &je);
    cr_assert(j != NULL, "%s: %s", rel, je.text);
    return j;
}

static json_t *vulns(json_t *doc)
{
    return json_object_get(doc, "vulnerabilities");
}

static const char *sget(json_t *o, const char *path)
{
    /* "a.b.c" */
    char key[64];
    const char *p = path;
    while (o && *p) {
        size_t n = strcspn(p, ".");
        snprintf(key, sizeof(key), "%.*s", (int)n, p);
        o = json_object_get(o, key);
        p += n + (p[n] == '.');
    }
    const char *s = json_string_value(o);
    return s ? s : "";
}

/* The vulnerability whose location.file is `file`. */
static json_t *by_file(json_t *doc, const char *file)
{
    json_t *v = vulns(doc);
    for (size_t i = 0; i < json_array_size(v); i++) {
        if (!strcmp(sget(json_array_get(v, i), "location.file"), file)) {
            return json_array_get(v, i);
        }
    }
    cr_assert(false, "no vulnerability in %s", file);
    return NULL;
}

static char *git_out(const char *cmd)
{
    char line[512];
    snprintf(line, sizeof(line), "cd repo && %s > ../git.out", cmd);
    cr_assert(eq(int, lh_sh(dir, "%s", line), 0));
    char *s = lh_read_file(rt_path(dir, "git.out"));
    cr_assert(s != NULL);
    s[strcspn(s, "\n")] = '\0';
    return s;
}

#define GIT                                                                                        \
    "GIT_AUTHOR_NAME=A GIT_AUTHOR_EMAIL=a@example.com GIT_COMMITTER_NAME=A "                       \
    "GIT_COMMITTER_EMAIL=a@example.com git"

Test(gitlab, history_report_validates_and_names_each_commit)
{
    rt_put(dir, "repo/app/config.yml", "deploy:\n  token: %s\n", tok);
    cr_assert(
        eq(int,
           lh_sh(dir, "cd repo && git init -q -b main && " GIT " add -A && " GIT " commit -qm one"),
           0));
    char *first = git_out("git rev-parse HEAD");
    /* a secret that lives only in history: added, then deleted */
    rt_put(dir, "repo/old.env", "OLD=%s\n", tok2);
    cr_assert(eq(int,
                 lh_sh(dir, "cd repo && " GIT " add -A && " GIT " commit -qm two && "
                            "git rm -q old.env && " GIT " commit -qm three"),
                 0));
    char *second = git_out("git rev-parse HEAD~1");
    unsetenv("CI_COMMIT_SHA");
    struct lh_run r;
    lh_run_lh(&r, rt_path(dir, "repo"), NULL, "history", "-q", "--report",
              "gitlab:../gl-secret-detection-report.json", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, gl_validate("gl-secret-detection-report.json"), 0));
    char *text = lh_read_file(rt_path(dir, "gl-secret-detection-report.json"));
    cr_assert(strstr(text, tok) == NULL && strstr(text, tok2) == NULL, "a secret in clear");
    free(text);
    json_t *doc = load("gl-secret-detection-report.json");
    cr_assert(eq(str, (char *)sget(doc, "version"), "15.2.1"));
    cr_assert(eq(str, (char *)sget(doc, "scan.type"), "secret_detection"));
    cr_assert(eq(str, (char *)sget(doc, "scan.status"), "success"));
    cr_assert(eq(sz, json_array_size(vulns(doc)), 2));
    json_t *a = by_file(doc, "app/config.yml");
    cr_assert(eq(str, (char *)sget(a, "location.commit.sha"), first));
    cr_assert(eq(
        int, (int)json_integer_value(json_object_get(json_object_get(a, "location"), "start_line")),
        2));
    cr_assert(eq(str, (char *)sget(a, "severity"), "Critical"));
    cr_assert(eq(str, (char *)sget(json_array_get(json_object_get(a, "identifiers"), 0), "value"),
                 "github-pat-classic"));
    cr_assert(strlen(sget(a, "description")) > 20, "%s", sget(a, "description"));
    cr_assert(strstr(sget(a, "solution"), "Personal access tokens (classic)") != NULL, "%s",
              sget(a, "solution"));
    json_t *b = by_file(doc, "old.env");
    cr_assert(eq(str, (char *)sget(b, "location.commit.sha"), second));
    cr_assert(eq(str, (char *)sget(b, "location.commit.message"), "two"));
    /* ids: UUIDs, distinct */
    regex_t re;
    cr_assert(
        eq(int,
           regcomp(&re, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                   REG_EXTENDED | REG_NOSUB),
           0));
    cr_assert(eq(int, regexec(&re, sget(a, "id"), 0, NULL, 0), 0), "%s", sget(a, "id"));
    cr_assert(eq(int, regexec(&re, sget(b, "id"), 0, NULL, 0), 0), "%s", sget(b, "id"));
    regfree(&re);
    cr_assert(strcmp(sget(a, "id"), sget(b, "id")) != 0);
    /* every active rule is a primary identifier */
    lh_run_lh(&r, dir, NULL, "rules", "list", "--format", "json", NULL);
    json_t *rules = rt_json(&r);
    size_t active = 0;
    for (size_t i = 0; i < json_array_size(rules); i++) {
        active += json_is_true(json_object_get(json_array_get(rules, i), "enabled")) ? 1 : 0;
    }
    json_decref(rules);
    lh_run_dispose(&r);
    size_t prim =
        json_array_size(json_object_get(json_object_get(doc, "scan"), "primary_identifiers"));
    cr_assert(active > 100 && prim == active, "%zu primary identifiers, %zu active rules", prim,
              active);
    /* a second run gives the same ids: GitLab keeps one vulnerability per finding */
    lh_run_lh(&r, rt_path(dir, "repo"), NULL, "history", "-q", "--format", "gitlab", "--output",
              "../again.json", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    json_t *again = load("again.json");
    cr_assert(eq(str, (char *)sget(by_file(again, "app/config.yml"), "id"), (char *)sget(a, "id")));
    cr_assert(eq(str, (char *)sget(by_file(again, "old.env"), "id"), (char *)sget(b, "id")));
    json_decref(again);
    json_decref(doc);
    free(first);
    free(second);
}

Test(gitlab, worktree_scan_paths_from_the_root_and_pipeline_commit)
{
    rt_put(dir, "repo/services/api/.env", "API=%s\n", tok);
    cr_assert(eq(int, lh_sh(dir, "cd repo && git init -q -b main"), 0));
    setenv("CI_COMMIT_SHA", "4b825dc642cb6eb9a060e54bf8d69288fbee4904", 1);
    struct lh_run r;
    lh_run_lh(&r, rt_path(dir, "repo/services/api"), NULL, "scan", "-q", "--report",
              "gitlab:../../../gl.json", ".", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, gl_validate("gl.json"), 0));
    json_t *doc = load("gl.json");
    json_t *v = by_file(doc, "services/api/.env");
    cr_assert(eq(str, (char *)sget(v, "location.commit.sha"),
                 "4b825dc642cb6eb9a060e54bf8d69288fbee4904"));
    json_decref(doc);
    /* outside a pipeline: GitLab's own placeholder for a working-tree scan */
    unsetenv("CI_COMMIT_SHA");
    lh_run_lh(&r, rt_path(dir, "repo"), NULL, "scan", "-q", "--format", "gitlab", "-o",
              "../gl2.json", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, gl_validate("gl2.json"), 0));
    doc = load("gl2.json");
    cr_assert(
        eq(str, (char *)sget(by_file(doc, "services/api/.env"), "location.commit.sha"), "0000000"));
    json_decref(doc);
}

Test(gitlab, empty_and_incomplete_scans_validate)
{
    rt_put(dir, "clean/readme.txt", "nothing here\n", NULL);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-q", "--report", "gitlab:empty.json", "clean", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, gl_validate("empty.json"), 0));
    json_t *doc = load("empty.json");
    cr_assert(eq(sz, json_array_size(vulns(doc)), 0));
    cr_assert(eq(str, (char *)sget(doc, "scan.status"), "success"));
    json_decref(doc);
    rt_put(dir, "some/a.env", "A=%s\n", tok);
    /* an input that cannot be read: a file without permissions, or for root (who reads
     * everything) /proc/self/mem, a regular file whose read fails */
    const char *bad = "/proc/self/mem";
    if (geteuid() != 0) {
        rt_put(dir, "some/locked.txt", "x", NULL);
        cr_assert(eq(int, chmod(rt_path(dir, "some/locked.txt"), 0), 0));
        bad = "some/locked.txt";
    }
    lh_run_lh(&r, dir, NULL, "scan", "-q", "--report", "gitlab:partial.json", "some", bad, NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, gl_validate("partial.json"), 0));
    doc = load("partial.json");
    cr_assert(eq(str, (char *)sget(doc, "scan.status"), "failure"));
    json_t *msg = json_array_get(json_object_get(json_object_get(doc, "scan"), "messages"), 0);
    cr_assert(strstr(sget(msg, "value"), "could not be read") != NULL);
    cr_assert(eq(sz, json_array_size(vulns(doc)), 1));
    json_decref(doc);
}

Test(gitlab, a_report_that_breaks_the_schema_is_caught)
{
    /* the validation above can fail: a report without its commit is refused */
    rt_put(dir, "a.env", "A=%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-q", "--report", "gitlab:gl.json", "a.env", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, gl_validate("gl.json"), 0));
    cr_assert(eq(int,
                 lh_sh(dir, "python3 -c 'import json; d = json.load(open(\"gl.json\")); "
                            "del d[\"vulnerabilities\"][0][\"location\"][\"commit\"]; "
                            "json.dump(d, open(\"broken.json\", \"w\"))'"),
                 0));
    cr_assert(gl_validate("broken.json") != 0);
}
