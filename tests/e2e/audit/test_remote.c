/* SPDX-License-Identifier: MIT */
/*
 * `history` of remote repositories over real smart HTTP (git http-backend on 127.0.0.1):
 * mirrors, incremental fetches, credentials from the environment that reach the server and
 * nowhere else, redacted URLs, and the errors of a missing repository or a refused login.
 */
#include "audit_helpers.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(audit_remote);

static char tok1[41];
static char tok2[41];

static void plant(const char *name, const char *body)
{
    char t[41];
    char f[128];
    lh_make_github_token(t, "ghp_", body);
    snprintf(f, sizeof(f), "config.env=GITHUB_TOKEN=%s\n", t);
    const char *files[] = {"README.md=hello\n", f, NULL};
    repo_create(dir, name, files);
}

static void env_cache(void)
{
    char c[512];
    snprintf(c, sizeof(c), "%s/cache", dir);
    setenv("LEAKHOUND_CACHE_DIR", c, 1);
    unsetenv("GITHUB_TOKEN");
    unsetenv("GITLAB_TOKEN");
    unsetenv("LEAKHOUND_GIT_TOKEN");
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("HOME", dir, 1); /* no credential helper of the machine's user */
}

Test(audit_remote, http_mirror_names_the_repository_and_fetches_again)
{
    env_cache();
    lh_make_github_token(tok1, "ghp_", "Pw4Nc8Rv1Lk6Tq3Xz9Bm2Hd7Js5Fy0");
    plant("acme/api", "Pw4Nc8Rv1Lk6Tq3Xz9Bm2Hd7Js5Fy0");
    struct git_server s;
    git_server_start(&s, dir, NULL);
    char url[256];
    git_server_url(url, sizeof(url), &s, "acme/api.git");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "history", url, "--format", "jsonl", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, "\"repository\":\"acme/api\"") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\"path\":\"config.env\"") != NULL);
    lh_run_dispose(&r);
    /* a bare mirror of every ref, with the URL and no credential in its config */
    char cfg[512];
    snprintf(cfg, sizeof(cfg), "%s/cache/repos/127.0.0.1_%d/acme/api.git/config", dir, s.port);
    char *c = lh_read_file(cfg);
    cr_assert(c != NULL);
    cr_assert(strstr(c, "bare = true") && strstr(c, "fetch = +refs/*:refs/*"), "%s", c);
    free(c);
    /* a new commit upstream: the next run fetches it */
    lh_make_github_token(tok2, "ghp_", "Mt6Kq1Vz8Rb3Wn5Lc9Xp2Hd7Dj4Gs0");
    char content[128];
    snprintf(content, sizeof(content), "token: %s\n", tok2);
    repo_commit(dir, "acme/api", "deploy.yml", content);
    lh_run_lh(&r, dir, NULL, "history", url, "--format", "jsonl", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, "\"path\":\"deploy.yml\"") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    /* a branch deleted upstream is pruned from the mirror */
    cr_assert(lh_sh(dir, "git --git-dir=srv/acme/api.git branch -q gone main") == 0);
    lh_run_lh(&r, dir, NULL, "history", url, "-q", NULL);
    lh_run_dispose(&r);
    cr_assert(lh_sh(dir,
                    "git --git-dir=cache/repos/127.0.0.1_%d/acme/api.git rev-parse -q "
                    "--verify refs/heads/gone >/dev/null",
                    s.port) == 0);
    cr_assert(lh_sh(dir, "git --git-dir=srv/acme/api.git branch -q -D gone") == 0);
    lh_run_lh(&r, dir, NULL, "history", url, "-q", NULL);
    lh_run_dispose(&r);
    cr_assert(lh_sh(dir,
                    "git --git-dir=cache/repos/127.0.0.1_%d/acme/api.git rev-parse -q "
                    "--verify refs/heads/gone >/dev/null",
                    s.port) != 0);
    git_server_stop(&s);
}

Test(audit_remote, missing_repository_is_a_usage_error)
{
    env_cache();
    struct git_server s;
    git_server_start(&s, dir, NULL);
    char url[256];
    git_server_url(url, sizeof(url), &s, "acme/nope.git");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "history", url, NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    char *line = lh_error_line(r.err);
    cr_assert(line && strstr(line, "repository not found") && strstr(line, "acme/nope.git"), "%s",
              r.err);
    free(line);
    lh_run_dispose(&r);
    /* and no empty mirror is left behind */
    cr_assert(lh_sh(dir, "test -e cache/repos/127.0.0.1_%d/acme/nope.git", s.port) != 0);
    /* nothing listening: a network error */
    lh_run_lh(&r, dir, NULL, "history", "http://127.0.0.1:1/acme/api.git", NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    cr_assert(strstr(r.err, "cannot fetch 'http://127.0.0.1:1/acme/api.git'") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    git_server_stop(&s);
}

/* Every file under path, and the named files, must not contain needle. */
static void assert_nowhere(const char *needle)
{
    cr_assert(lh_sh(dir, "! grep -rqF -- '%s' cache audit.db* 2>/dev/null", needle) == 0,
              "the credential was written to disk");
}

Test(audit_remote, github_token_reaches_the_server_and_nothing_else)
{
    env_cache();
    const char *token = "gho_TestTokenNotARealOne4217";
    char cred[128];
    snprintf(cred, sizeof(cred), "x-access-token:%s", token);
    plant("acme/private", "Hd7Js5Fy0Pw4Nc8Rv1Lk6Tq3Xz9Bm2");
    struct git_server s;
    git_server_start(&s, dir, cred);
    char url[256];
    git_server_url(url, sizeof(url), &s, "acme/private.git");
    struct lh_run r;
    /* no credential: the server's 401 is an authentication error naming the variables */
    lh_run_lh(&r, dir, NULL, "history", url, NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    cr_assert(strstr(r.err, "authentication required for") && strstr(r.err, "GITHUB_TOKEN"), "%s",
              r.err);
    lh_run_dispose(&r);
    /* GITHUB_TOKEN for a host listed as GitHub's */
    setenv("LEAKHOUND_GITHUB_HOSTS", "127.0.0.1", 1);
    setenv("GITHUB_TOKEN", token, 1);
    lh_run_lh(&r, dir, NULL, "history", url, "--db", "audit.db", "--format", "jsonl", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, "\"repository\":\"acme/private\"") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, token) == NULL && strstr(r.err, token) == NULL);
    lh_run_dispose(&r);
    char *log = lh_read_file(s.authlog);
    cr_assert(log != NULL);
    cr_assert(strstr(log, "Basic eC1hY2Nlc3MtdG9rZW46Z2hvX1Rlc3RUb2tlbk5vdEFSZWFsT25lNDIxNw==") !=
                  NULL,
              "the token did not reach the server: %s", log);
    free(log);
    assert_nowhere(token);
    /* a wrong token: refused, and said so without showing it */
    setenv("GITHUB_TOKEN", "gho_WrongTokenValue99", 1);
    lh_run_lh(&r, dir, NULL, "history", url, NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    cr_assert(strstr(r.err, "authentication failed") && strstr(r.err, "GITHUB_TOKEN") &&
                  !strstr(r.err, "WrongTokenValue"),
              "%s", r.err);
    lh_run_dispose(&r);
    /* LEAKHOUND_GIT_TOKEN serves any host */
    unsetenv("GITHUB_TOKEN");
    unsetenv("LEAKHOUND_GITHUB_HOSTS");
    setenv("LEAKHOUND_GIT_TOKEN", token, 1);
    lh_run_lh(&r, dir, NULL, "history", url, "-q", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    assert_nowhere(token);
    git_server_stop(&s);
}

Test(audit_remote, url_password_is_redacted_everywhere)
{
    env_cache();
    plant("acme/locked", "Lk6Tq3Xz9Bm2Hd7Js5Fy0Pw4Nc8Rv1");
    struct git_server s;
    git_server_start(&s, dir, "alice:Hunter2Secret");
    char url[256];
    /* a wrong password in the URL: refused; the message shows the URL without it */
    snprintf(url, sizeof(url), "http://alice:WrongPassw0rd@127.0.0.1:%d/acme/locked.git", s.port);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "history", url, NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    cr_assert(strstr(r.err, "authentication failed") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "WrongPassw0rd") == NULL && strstr(r.out, "WrongPassw0rd") == NULL,
              "%s", r.err);
    lh_run_dispose(&r);
    /* the right one: scanned; the mirror's config and the database hold no password */
    snprintf(url, sizeof(url), "http://alice:Hunter2Secret@127.0.0.1:%d/acme/locked.git", s.port);
    lh_run_lh(&r, dir, NULL, "history", url, "--db", "audit.db", "--format", "json", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.err, "Hunter2Secret") == NULL && strstr(r.out, "Hunter2Secret") == NULL);
    lh_run_dispose(&r);
    assert_nowhere("Hunter2Secret");
    /* a missing repository with a password in the URL */
    snprintf(url, sizeof(url), "http://alice:Hunter2Secret@127.0.0.1:%d/acme/none.git", s.port);
    lh_run_lh(&r, dir, NULL, "history", url, NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    cr_assert(strstr(r.err, "Hunter2Secret") == NULL, "%s", r.err);
    lh_run_dispose(&r);
    /* a URL that cannot be used at all */
    lh_run_lh(&r, dir, NULL, "history", "ftp://bob:Pa55word@example.com/x.git", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    cr_assert(strstr(r.err, "Pa55word") == NULL && strstr(r.err, "unsupported scheme"), "%s",
              r.err);
    lh_run_dispose(&r);
    /* no URL places a mirror outside the cache */
    lh_run_lh(&r, dir, NULL, "history", "https://example.com/a/../../../etc.git", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    cr_assert(strstr(r.err, "'.' or '..' component") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    git_server_stop(&s);
}
