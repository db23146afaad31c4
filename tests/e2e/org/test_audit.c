/* SPDX-License-Identifier: MIT */
/*
 * `leakhound org github acme` end to end: apiserver.py lists three repositories whose clone
 * URLs point at its own git smart-HTTP endpoint (git http-backend over bare repositories built
 * here, each with a planted token). The audit finds all three secrets, each stored with its
 * repository; a new commit is the only thing the next run scans; a run killed with SIGKILL
 * after its first repository resumes without auditing that repository again, and the blobs
 * of both runs add up to the repositories' blobs: none was scanned twice. Triaged secrets
 * stop counting as findings; `org gitlab` audits a group's projects the same way.
 */
#include "orgsrv.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(org_audit);

static struct orgsrv srv;

static const char repos3[] = "{\"github\": {\"acme\": {\"repos\": [{\"name\": \"api\"}, "
                             "{\"name\": \"tools\"}, {\"name\": \"web\"}]}}, \"gitlab\": {}}";

/* Unique blobs of one bare repository. */
static int blob_count(const char *name)
{
    char path[600];
    int rc = lh_sh(dir,
                   "git -C git/acme/%s.git rev-list --objects --all | cut -d' ' -f1 | "
                   "git -C git/acme/%s.git cat-file --batch-check='%%(objecttype)' | "
                   "grep -c '^blob$' > count.txt",
                   name, name);
    cr_assert(eq(int, rc, 0));
    snprintf(path, sizeof(path), "%s/count.txt", dir);
    char *t = lh_read_file(path);
    int n = atoi(t);
    free(t);
    return n;
}

static char *query(const char *sql)
{
    return orgsrv_query(dir, "org.db", sql);
}

static void make_repo(const char *name, int files, const char *token)
{
    orgsrv_make_repo(dir, name, files, token);
}

/* The number after `key` in text ("5 blobs scanned"), searching for "<n> key". */
static long number_before(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    cr_assert(p != NULL, "no '%s' in %s", key, text);
    while (p > text && p[-1] == ' ') {
        p--;
    }
    while (p > text && p[-1] >= '0' && p[-1] <= '9') {
        p--;
    }
    return strtol(p, NULL, 10);
}

/* The mirrors (and the compiled-rules cache) go under the test's directory. */
static void use_cache(void)
{
    char cache[600];
    snprintf(cache, sizeof(cache), "%s/cache", dir);
    setenv("LEAKHOUND_CACHE_DIR", cache, 1);
}

/* Starts apiserver.py over repos_json with the test's bare repositories (git/), the mirrors
 * under the test's directory, and the token env=token (env NULL: none set here). */
static void serve(const char *repos_json, const char *env, const char *token)
{
    char root[600];
    snprintf(root, sizeof(root), "%s/git", dir);
    use_cache();
    if (env) {
        setenv(env, token, 1);
    }
    orgsrv_start(&srv, dir, repos_json, root);
}

static void org(struct lh_run *r, const char *extra)
{
    lh_run_lh(r, dir, NULL, "org", "github", "acme", "--api-url", orgsrv_api(&srv, "ok"), "--db",
              "org.db", "--no-config", extra, NULL);
}

Test(org_audit, finds_every_repository_secret_and_rescans_only_new_blobs)
{
    char tok[3][41];
    lh_make_github_token(tok[0], "ghp_", "apiHAZt9xslXTTIQrh6bpy0VAq3GZu");
    lh_make_github_token(tok[1], "ghp_", "toolsO2R8UziJdi0Y4mj4TIJZ9RnvI");
    lh_make_github_token(tok[2], "ghp_", "webh4TOetAfG82EOMjRZA0G6vbBxKd");
    make_repo("api", 3, tok[0]);
    make_repo("tools", 4, tok[1]);
    make_repo("web", 5, tok[2]);
    int blobs = blob_count("api") + blob_count("tools") + blob_count("web");
    cr_assert(eq(int, blobs, (3 + 2) + (4 + 2) + (5 + 2)));
    serve(repos3, "GITHUB_TOKEN", "ghp_orgAuditApiToken00000000000000000000");
    struct lh_run r;
    org(&r, NULL);
    cr_assert(eq(int, r.status, 1), "%d %s", r.status, r.err);
    cr_assert(has(r.err, "] acme/api: ") && has(r.err, "] acme/tools: ") &&
                  has(r.err, "] acme/web: "),
              "%s", r.err);
    cr_assert(
        eq(long, number_before(strstr(r.err, "repositories in 'org.db'"), "blobs scanned"), blobs),
        "%s", r.err);
    cr_assert(has(r.err, "3 findings (3 secrets) in 3 repositories"), "%s", r.err);
    for (int i = 0; i < 3; i++) {
        cr_assert(lacks(r.err, tok[i]) && lacks(r.out, tok[i]), "a raw secret was printed");
    }
    /* the API token: in the Authorization header of the API requests, in no output, in no
     * file of the database or the mirrors */
    cr_assert(lacks(r.err, "ghp_orgAuditApiToken") && lacks(r.out, "ghp_orgAuditApiToken"));
    char *log = orgsrv_requests(&srv);
    cr_assert(has(log, "\"auth\": \"Bearer ghp_orgAuditApiToken00000000000000000000\""));
    free(log);
    cr_assert(eq(int, lh_sh(dir, "! grep -rqa ghp_orgAuditApiToken org.db* cache"), 0),
              "the token was written to disk");
    lh_run_dispose(&r);
    /* each finding is stored with its repository: <name>.env holds <name>'s token */
    char *rows = query("SELECT r.name, f.path, f.rule_id FROM findings f JOIN repositories r "
                       "ON r.id = f.repo ORDER BY r.name");
    cr_assert(eq(str, rows,
                 "acme/api|api.env|github-pat-classic\nacme/tools|tools.env|github-pat-classic\n"
                 "acme/web|web.env|github-pat-classic\n"),
              "%s", rows);
    free(rows);
    /* one new commit with two new files: the next run scans exactly those */
    int rc = lh_sh(dir, ORGSRV_GIT_ENV
                   "set -e; cd w-web; echo new1 > n1.txt; echo new2 > n2.txt; "
                   "git add -A; git commit -qm three; git push -q ../git/acme/web.git "
                   "main");
    cr_assert(eq(int, rc, 0));
    org(&r, NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(has(r.err, "] acme/api: unchanged since its last audit"), "%s", r.err);
    cr_assert(has(r.err, "] acme/web: 1 refs, 2 blobs scanned"), "%s", r.err);
    cr_assert(has(r.err, "audited, 0 finished by the interrupted run, 0 failed; 2 blobs scanned"),
              "%s", r.err);
    lh_run_dispose(&r);
    /* triaged secrets are not open findings: the run says so, and passes once none is open */
    char *fps = query("SELECT f.fingerprint FROM findings f JOIN repositories r ON r.id = f.repo "
                      "ORDER BY r.name DESC");
    cr_assert(eq(sz, strlen(fps), 3 * 33), "%s", fps);
    for (int i = 0; i < 3; i++) {
        char fp[33];
        snprintf(fp, sizeof(fp), "%.32s", fps + i * 33);
        lh_run_lh(&r, dir, NULL, "triage", fp, "--status", "false-positive", "--db", "org.db",
                  NULL);
        cr_assert(eq(int, r.status, 0), "%s", r.err);
        lh_run_dispose(&r);
        org(&r, NULL);
        cr_assert(eq(int, r.status, i < 2 ? 1 : 0), "%s", r.err);
        char want[128];
        snprintf(want, sizeof(want),
                 "%d finding%s (%d secret%s) in %d repositor%s; %d more (%d secret%s) triaged",
                 2 - i, i == 1 ? "" : "s", 2 - i, i == 1 ? "" : "s", 2 - i, i == 1 ? "y" : "ies",
                 i + 1, i + 1, i ? "s" : "");
        cr_assert(has(r.err, want), "want '%s' in %s", want, r.err);
        lh_run_dispose(&r);
    }
    free(fps);
    orgsrv_stop(&srv);
}

/*
 * `org gitlab GROUP`: the projects of a GitLab group are audited through their
 * http_url_to_repo, each finding stored under its project's full path; the GitLab token
 * reaches the API and no output.
 */
Test(org_audit, gitlab_group_is_audited_through_its_projects_clone_urls)
{
    static const char repos_gl[] = "{\"github\": {}, \"gitlab\": {\"acme\": {\"repos\": "
                                   "[{\"name\": \"api\"}, {\"name\": \"web\"}]}}}";
    char tok[2][41];
    lh_make_github_token(tok[0], "ghp_", "glApiR8UziJdi0Y4mj4TIJZ9RnvIq1");
    lh_make_github_token(tok[1], "ghp_", "glWebOetAfG82EOMjRZA0G6vbBxKd2");
    make_repo("api", 2, tok[0]);
    make_repo("web", 3, tok[1]);
    serve(repos_gl, "GITLAB_TOKEN", "glpat-orgAuditGitLab00000");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "org", "gitlab", "acme", "--api-url", orgsrv_api(&srv, "ok"), "--db",
              "gl.db", "--no-config", NULL);
    cr_assert(eq(int, r.status, 1), "%d %s", r.status, r.err);
    cr_assert(has(r.err, "2 findings (2 secrets) in 2 repositories"), "%s", r.err);
    cr_assert(lacks(r.err, "glpat-orgAuditGitLab") && lacks(r.out, "glpat-orgAuditGitLab"));
    for (int i = 0; i < 2; i++) {
        cr_assert(lacks(r.err, tok[i]) && lacks(r.out, tok[i]), "a raw secret was printed");
    }
    lh_run_dispose(&r);
    char *log = orgsrv_requests(&srv);
    cr_assert(has(log, "/ok/api/v4/groups/acme/projects?include_subgroups=true"), "%s", log);
    cr_assert(has(log, "\"auth\": \"Bearer glpat-orgAuditGitLab00000\""), "%s", log);
    cr_assert(has(log, "/git/acme/api.git/info/refs") && has(log, "/git/acme/web.git/info/refs"),
              "%s", log);
    free(log);
    char *rows = orgsrv_query(dir, "gl.db",
                              "SELECT r.name, f.path, f.rule_id FROM findings f JOIN "
                              "repositories r ON r.id = f.repo ORDER BY r.name");
    cr_assert(
        eq(str, rows, "acme/api|api.env|github-pat-classic\nacme/web|web.env|github-pat-classic\n"),
        "%s", rows);
    free(rows);
    cr_assert(eq(int, lh_sh(dir, "! grep -rqa glpat-orgAuditGitLab gl.db* cache"), 0),
              "the token was written to disk");
    orgsrv_stop(&srv);
}

Test(org_audit, killed_run_resumes_without_rescanning)
{
    char tok[3][41];
    lh_make_github_token(tok[0], "ghp_", "api5WVwd9ExLXa3zphJn9pH9xdreYr");
    lh_make_github_token(tok[1], "ghp_", "toolsmVM1JIJ5iqQt6wukvg6KLYrva");
    lh_make_github_token(tok[2], "ghp_", "webdWwbDVrEOdUmtqeVT6FbNKHRizF");
    /* the first repository is small, the next two take long enough to be killed in */
    make_repo("api", 2, tok[0]);
    make_repo("tools", 2000, tok[1]);
    make_repo("web", 2000, tok[2]);
    int api = blob_count("api");
    int total = api + blob_count("tools") + blob_count("web");
    serve(repos3, NULL, NULL);
    char log[600];
    snprintf(log, sizeof(log), "%s/run1.log", dir);
    const char *argv[] = {
        LH_BIN, "org",    "github",      "acme",   "--api-url", orgsrv_api(&srv, "ok"),
        "--db", "org.db", "--no-config", "--jobs", "1",         "--threads",
        "1",    NULL};
    struct lh_proc p;
    cr_assert(eq(int, lh_proc_start(&p, dir, argv, log), 0));
    char *out1 = lh_proc_wait_log(&p, "[1/3] acme/api:", 120000);
    cr_assert(out1 != NULL, "the first repository was never finished");
    int st = lh_proc_stop(&p, SIGKILL, 10000);
    lh_proc_dispose(&p);
    free(out1);
    out1 = lh_read_file(log);
    lh_forward_sanitizer_report("org (killed)", out1, st);
    cr_assert(eq(int, st, 128 + SIGKILL));
    cr_assert(lacks(out1, "[3/3]") && lacks(out1, "repositories in 'org.db'"),
              "the run ended before it was killed: %s", out1);
    cr_assert(has(out1, "[1/3] acme/api: 1 refs"), "%s", out1);
    long first = number_before(strstr(out1, "[1/3] acme/api:"), "blobs scanned");
    cr_assert(eq(long, first, api));
    /* blobs the killed run committed (the audit commits in batches) */
    char *committed = query("SELECT COUNT(*) FROM blobs");
    long before = strtol(committed, NULL, 10);
    free(committed);
    cr_assert(before >= api && before < total, "%ld of %d", before, total);

    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "org", "github", "acme", "--api-url", orgsrv_api(&srv, "ok"), "--db",
              "org.db", "--no-config", "--jobs", "1", NULL);
    cr_assert(eq(int, r.status, 1), "%d %s", r.status, r.err);
    cr_assert(has(r.err, "resuming the interrupted run"), "%s", r.err);
    cr_assert(has(r.err, "1 of 3 repositories were finished by the interrupted run"), "%s", r.err);
    /* acme/api is not audited again; the other two are, for the blobs not yet committed */
    cr_assert(lacks(r.err, "acme/api:"), "%s", r.err);
    cr_assert(has(r.err, "[1/2] acme/tools:") && has(r.err, "[2/2] acme/web:"), "%s", r.err);
    long second = number_before(strstr(r.err, "repositories in 'org.db'"), "blobs scanned");
    cr_assert(eq(long, before + second, total), "%ld committed + %ld scanned now != %d", before,
              second, total);
    cr_assert(has(r.err, "3 findings (3 secrets) in 3 repositories"), "%s", r.err);
    lh_run_dispose(&r);
    free(out1);
    char *rows = query("SELECT COUNT(*), COUNT(DISTINCT blob) FROM blobs");
    char want[64];
    snprintf(want, sizeof(want), "%d|%d\n", total, total);
    cr_assert(eq(str, rows, want));
    free(rows);
    /* the finished run is not resumed again: a new run, nothing changed */
    lh_run_lh(&r, dir, NULL, "org", "github", "acme", "--api-url", orgsrv_api(&srv, "ok"), "--db",
              "org.db", "--no-config", NULL);
    cr_assert(eq(int, r.status, 1));
    cr_assert(lacks(r.err, "resuming"), "%s", r.err);
    cr_assert(has(r.err, "3 audited, 0 finished by the interrupted run, 0 failed; 0 blobs scanned"),
              "%s", r.err);
    lh_run_dispose(&r);
    orgsrv_stop(&srv);
}

Test(org_audit, a_failing_repository_is_reported_and_retried_by_the_next_run)
{
    char tok[41];
    lh_make_github_token(tok, "ghp_", "apiU89L0zlmq9jRh6nd1ItZ46uZudk");
    make_repo("api", 1, tok);
    make_repo("web", 1, tok);
    /* tools is listed but has no repository behind its clone URL */
    serve(repos3, NULL, NULL);
    struct lh_run r;
    org(&r, NULL);
    cr_assert(eq(int, r.status, 4), "%d %s", r.status, r.err);
    cr_assert(has(r.err, "leakhound: error: ["), "%s", r.err);
    cr_assert(has(r.err, "acme/tools: "), "%s", r.err);
    cr_assert(has(r.err, "2 audited, 0 finished by the interrupted run, 1 failed"), "%s", r.err);
    cr_assert(has(r.err, "run the same command again to retry them"), "%s", r.err);
    lh_run_dispose(&r);
    /* now it exists: the next run resumes, audits only tools */
    make_repo("tools", 1, tok);
    org(&r, NULL);
    cr_assert(eq(int, r.status, 1), "%d %s", r.status, r.err);
    cr_assert(has(r.err, "2 of 3 repositories were finished by the interrupted run"), "%s", r.err);
    cr_assert(has(r.err, "[1/1] acme/tools:"), "%s", r.err);
    lh_run_dispose(&r);
    orgsrv_stop(&srv);
}
