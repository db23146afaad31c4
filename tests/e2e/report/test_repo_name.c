/* SPDX-License-Identifier: MIT */
/*
 * The repository's name on every finding, for audits of many repositories: the origin URL
 * by default (credentials in it removed), `--repo-name` instead when given, in JSON, JSONL
 * and SARIF, also from a linked worktree (whose .git is a file).
 */
#include "support/report.h"

RT_FIXTURE(repo_name);

#define GITENV                                                                                     \
    "export GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=T "                \
    "GIT_COMMITTER_EMAIL=t@example.com HOME=\"$PWD\"; "

static const char *repository_of(const char *cwd, const char *extra)
{
    static char out[512];
    struct lh_run r;
    if (extra) {
        lh_run_lh(&r, cwd, NULL, "scan", "-f", "jsonl", extra, "acme/app", ".", NULL);
    } else {
        lh_run_lh(&r, cwd, NULL, "scan", "-f", "jsonl", ".", NULL);
    }
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, "s3cr3t-pw") == NULL, "credentials of the origin URL printed");
    json_t *f = json_loads(r.out, JSON_DISABLE_EOF_CHECK, NULL);
    cr_assert(f != NULL, "%s", r.out);
    const char *s = json_string_value(json_object_get(f, "repository"));
    snprintf(out, sizeof(out), "%s", s ? s : "(none)");
    json_decref(f);
    lh_run_dispose(&r);
    return out;
}

Test(repo_name, origin_url_without_credentials_or_the_given_name)
{
    cr_assert(eq(int,
                 lh_sh(dir, GITENV "git init -q repo && cd repo && git remote add origin "
                                   "https://bob:s3cr3t-pw@git.example.com/acme/app.git"),
                 0));
    rt_put(dir, "repo/a.env", "T=%s\n", tok);
    char repo[4096];
    snprintf(repo, sizeof(repo), "%s/repo", dir);
    cr_assert(eq(str, (char *)repository_of(repo, NULL), "https://git.example.com/acme/app.git"));
    cr_assert(eq(str, (char *)repository_of(repo, "--repo-name"), "acme/app"));

    /* a linked worktree reads the origin of the shared repository */
    cr_assert(eq(int,
                 lh_sh(dir, GITENV "cd repo && git add -A && git commit -q --no-verify -m x && "
                                   "git worktree add -q ../wt"),
                 0));
    char wt[4096];
    snprintf(wt, sizeof(wt), "%s/wt", dir);
    cr_assert(eq(str, (char *)repository_of(wt, NULL), "https://git.example.com/acme/app.git"));

    /* SARIF: the run's properties, and versionControlProvenance for a URL */
    struct lh_run r;
    lh_run_lh(&r, repo, NULL, "scan", "-f", "sarif", "-o", "out.sarif", ".", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    char path[4200];
    snprintf(path, sizeof(path), "%s/out.sarif", repo);
    json_t *doc = json_load_file(path, 0, NULL);
    cr_assert(doc != NULL);
    json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
    cr_assert(eq(str,
                 (char *)json_string_value(
                     json_object_get(json_object_get(run, "properties"), "repository")),
                 "https://git.example.com/acme/app.git"));
    cr_assert(eq(
        str,
        (char *)json_string_value(json_object_get(
            json_array_get(json_object_get(run, "versionControlProvenance"), 0), "repositoryUri")),
        "https://git.example.com/acme/app.git"));
    json_decref(doc);
    cr_assert(eq(int, rt_sarif_validate(repo, "out.sarif"), 0));
}
