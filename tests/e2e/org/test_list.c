/* SPDX-License-Identifier: MIT */
/*
 * `leakhound org github|gitlab ... --list` against apiserver.py on 127.0.0.1: every page of
 * GitHub's Link pagination and GitLab's Link or X-Next-Page, the user fallback, subgroups,
 * the fork/archived/glob filters, shards that partition the listing, the token sent as an
 * Authorization header and never printed, rate limits (429 with Retry-After, an exhausted
 * X-RateLimit-Remaining / RateLimit-Remaining) waited out for as long as they ask and no
 * longer than --max-wait, 5xx retries, and one-line exit-4 errors for malformed answers.
 */
#include "orgsrv.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(org_list);

#define TOKEN "ghp_orgTestToken000000000000000000000000"

static struct orgsrv srv;

static void start(void)
{
    orgsrv_start(&srv, dir, NULL, NULL);
}

/* Runs `leakhound org <prov> <name> --api-url <scenario> --list [extra...]`. */
static void list(struct lh_run *r, const char *prov, const char *name, const char *scenario,
                 const char *extra1, const char *extra2)
{
    lh_run_lh(r, dir, NULL, "org", prov, name, "--api-url", orgsrv_api(&srv, scenario), "--list",
              extra1, extra2, NULL);
}

Test(org_list, github_org_every_page_forks_and_archived_excluded)
{
    start();
    setenv("GITHUB_TOKEN", TOKEN, 1);
    struct lh_run r;
    list(&r, "github", "acme", "ok", NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, count_lines(r.out), 6), "%s", r.out);
    char want[256];
    snprintf(want, sizeof(want), "acme/api\thttp://127.0.0.1:%d/git/acme/api.git", srv.port);
    cr_assert(has_line(r.out, want), "%s", r.out);
    cr_assert(lacks(r.out, "acme/forked") && lacks(r.out, "acme/old"));
    cr_assert(has(r.err, "8 repositories listed, 6 selected (skipped: 1 fork, 1 archived)"), "%s",
              r.err);
    /* 8 repositories at 3 per page: pages 1, 2 and 3, followed through Link rel="next" */
    char *log = orgsrv_requests(&srv);
    cr_assert(has(log, "/ok/orgs/acme/repos?per_page=100&type=all\""), "%s", log);
    cr_assert(has(log, "page=2"), "%s", log);
    cr_assert(has(log, "page=3"), "%s", log);
    cr_assert(lacks(log, "page=4"), "%s", log);
    /* the token went in the Authorization header of every request, and nowhere else */
    cr_assert(eq(int, count_lines(log), 3));
    int auths = 0;
    for (const char *p = log; (p = strstr(p, "\"auth\": \"Bearer " TOKEN "\"")); p++) {
        auths++;
    }
    cr_assert(eq(int, auths, 3), "%s", log);
    cr_assert(lacks(r.out, TOKEN) && lacks(r.err, TOKEN));
    free(log);
    lh_run_dispose(&r);
    list(&r, "github", "acme", "ok", "--include-forks", "--include-archived");
    cr_assert(eq(int, r.status, 0));
    cr_assert(eq(int, count_lines(r.out), 8), "%s", r.out);
    lh_run_dispose(&r);
    orgsrv_stop(&srv);
}

Test(org_list, github_user_when_no_such_org)
{
    start();
    unsetenv("GITHUB_TOKEN");
    struct lh_run r;
    list(&r, "github", "alice", "ok", NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, count_lines(r.out), 2));
    cr_assert(has(r.out, "alice/dotfiles\t") && has(r.out, "alice/blog\t"));
    cr_assert(has(r.err, "no GITHUB_TOKEN in the environment"), "%s", r.err);
    char *log = orgsrv_requests(&srv);
    cr_assert(has(log, "/ok/orgs/alice/repos") && has(log, "/ok/users/alice/repos"));
    cr_assert(has(log, "\"auth\": null"), "anonymous requests carry no Authorization");
    free(log);
    lh_run_dispose(&r);
    /* with alice's own token, her private repositories too (GET /user/repos: the public
     * /users/alice/repos leaves them out whoever asks) */
    setenv("GITHUB_TOKEN", ORGSRV_ALICE_TOKEN, 1);
    list(&r, "github", "Alice", "ok", NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, count_lines(r.out), 3), "%s", r.out);
    cr_assert(has(r.out, "alice/notes\t"), "%s", r.out);
    log = orgsrv_requests(&srv);
    cr_assert(has(log, "/ok/user?") || has(log, "\"/ok/user\""), "%s", log);
    cr_assert(has(log, "/ok/user/repos?per_page=100&affiliation=owner&visibility=all"), "%s", log);
    free(log);
    lh_run_dispose(&r);
    /* another user's token: the public listing */
    setenv("GITHUB_TOKEN", TOKEN, 1);
    list(&r, "github", "alice", "ok", NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, count_lines(r.out), 2), "%s", r.out);
    cr_assert(lacks(r.out, "alice/notes"), "%s", r.out);
    lh_run_dispose(&r);
    unsetenv("GITHUB_TOKEN");
    /* neither an org nor a user: one line, exit 4 */
    list(&r, "github", "nobody", "ok", NULL, NULL);
    cr_assert(eq(int, r.status, 4));
    char *e = lh_error_line(r.err);
    cr_assert(e && has(e, "no GitHub organisation or user 'nobody'"), "%s", r.err);
    free(e);
    lh_run_dispose(&r);
    orgsrv_stop(&srv);
}

Test(org_list, gitlab_group_with_subgroups_and_user_by_x_next_page)
{
    start();
    setenv("GITLAB_TOKEN", "glpat-orgTestToken0000", 1);
    struct lh_run r;
    list(&r, "gitlab", "grp", "ok", "--include-forks", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, count_lines(r.out), 6), "%s", r.out);
    cr_assert(has(r.out, "grp/sub/b\t") && has(r.out, "grp/sub/c\t"));
    cr_assert(lacks(r.out, "grp/d\t"), "archived excluded");
    char *log = orgsrv_requests(&srv);
    cr_assert(has(log, "/ok/api/v4/groups/grp/projects?include_subgroups=true"), "%s", log);
    cr_assert(has(log, "\"auth\": \"Bearer glpat-orgTestToken0000\""));
    cr_assert(has(log, "page=3"));
    free(log);
    cr_assert(lacks(r.err, "glpat-orgTestToken0000"));
    lh_run_dispose(&r);
    /* bob is a user; its pages carry X-Next-Page and no Link header */
    list(&r, "gitlab", "bob", "ok", NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, count_lines(r.out), 4), "%s", r.out);
    log = orgsrv_requests(&srv);
    cr_assert(has(log, "/ok/api/v4/users/bob/projects?per_page=100&order_by=id&sort=asc&page=2"),
              "%s", log);
    free(log);
    lh_run_dispose(&r);
    /* a subgroup is addressed as parent/child, sent as one path segment */
    list(&r, "gitlab", "grp/sub", "ok", NULL, NULL);
    log = orgsrv_requests(&srv);
    cr_assert(has(log, "/groups/grp%2Fsub/projects"), "%s", log);
    free(log);
    lh_run_dispose(&r);
    orgsrv_stop(&srv);
}

Test(org_list, include_and_exclude_globs_over_full_names)
{
    start();
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "org", "github", "acme", "--api-url", orgsrv_api(&srv, "ok"), "--list",
              "--include", "ACME/infra-*", "--include", "acme/api", "--exclude", "*-b", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, count_lines(r.out), 2), "%s", r.out);
    cr_assert(has(r.out, "acme/infra-a\t") && has(r.out, "acme/api\t"));
    cr_assert(has(r.err, "4 by name"), "%s", r.err);
    lh_run_dispose(&r);
    /* '*' crosses '/' in GitLab's nested names */
    lh_run_lh(&r, dir, NULL, "org", "gitlab", "grp", "--api-url", orgsrv_api(&srv, "ok"), "--list",
              "--include", "grp/*b", NULL);
    cr_assert(eq(int, count_lines(r.out), 1), "%s", r.out);
    cr_assert(has(r.out, "grp/sub/b\t"));
    lh_run_dispose(&r);
    orgsrv_stop(&srv);
}

/* The shard sha256sum gives: the first 16 hex digits, mod n, plus one. */
static unsigned shell_shard(const char *name, unsigned n)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "printf %%s '%s' | sha256sum | cut -c1-16 | "
             "python3 -c 'import sys; print(int(sys.stdin.read(), 16) %% %u + 1)' > shard.txt",
             name, n);
    cr_assert(eq(int, lh_sh(dir, "%s", cmd), 0));
    char path[600];
    snprintf(path, sizeof(path), "%s/shard.txt", dir);
    char *t = lh_read_file(path);
    unsigned v = (unsigned)atoi(t);
    free(t);
    return v;
}

Test(org_list, shards_partition_the_listing)
{
    start();
    struct lh_run all;
    list(&all, "github", "acme", "ok", "--include-forks", "--include-archived");
    cr_assert(eq(int, count_lines(all.out), 8));
    char *seen = calloc(1, 1);
    int total = 0;
    for (int i = 1; i <= 3; i++) {
        char shard[16];
        snprintf(shard, sizeof(shard), "%d/3", i);
        struct lh_run r;
        lh_run_lh(&r, dir, NULL, "org", "github", "acme", "--api-url", orgsrv_api(&srv, "ok"),
                  "--list", "--include-forks", "--include-archived", "--shard", shard, NULL);
        cr_assert(eq(int, r.status, 0), "%s", r.err);
        total += count_lines(r.out);
        /* disjoint: no line of this shard was in an earlier one; each agrees with sha256sum */
        for (char *line = r.out; line && *line;) {
            char *nl = strchr(line, '\n');
            *nl = '\0';
            cr_assert(has_line(seen, line) == 0, "'%s' is in two shards", line);
            cr_assert(has_line(all.out, line), "'%s' is not in the listing", line);
            char name[128];
            snprintf(name, sizeof(name), "%.*s", (int)strcspn(line, "\t"), line);
            cr_assert(eq(u32, shell_shard(name, 3), (unsigned)i), "%s", name);
            size_t n = strlen(seen);
            seen = realloc(seen, n + strlen(line) + 2);
            sprintf(seen + n, "%s\n", line);
            line = nl + 1;
        }
        lh_run_dispose(&r);
    }
    /* the union is everything */
    cr_assert(eq(int, total, 8));
    free(seen);
    lh_run_dispose(&all);
    orgsrv_stop(&srv);
}

Test(org_list, retry_after_429_is_waited_out_and_bounded)
{
    start();
    struct lh_run r;
    long long t0 = lh_now_ms();
    list(&r, "github", "acme", "retry429", NULL, NULL);
    long long ms = lh_now_ms() - t0;
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, count_lines(r.out), 6));
    cr_assert(has(r.err, "waiting 2 s (Retry-After)"), "%s", r.err);
    double t[8];
    int n = orgsrv_request_times(&srv, "/retry429/orgs/acme/repos", t, 8);
    cr_assert(eq(int, n, 4), "page 1, page 2 (429), page 2 again, page 3");
    cr_assert(t[2] - t[1] >= 1.9, "retried after %.2f s", t[2] - t[1]);
    cr_assert(t[2] - t[1] < 4.0, "waited %.2f s for Retry-After: 2", t[2] - t[1]);
    cr_assert(ms < 8000);
    lh_run_dispose(&r);
    /* a wait longer than --max-wait is an error at once, not an hour of sleep */
    t0 = lh_now_ms();
    list(&r, "github", "acme", "retrylong", "--max-wait", "5");
    ms = lh_now_ms() - t0;
    cr_assert(eq(int, r.status, 4));
    char *e = lh_error_line(r.err);
    cr_assert(e && has(e, "Retry-After asks to wait 3600 s, more than --max-wait 5 s"), "%s",
              r.err);
    free(e);
    cr_assert(ms < 3000, "took %lld ms", ms);
    lh_run_dispose(&r);
    orgsrv_stop(&srv);
}

Test(org_list, exhausted_rate_limits_wait_for_the_reset)
{
    start();
    struct lh_run r;
    double t[8];
    /* a 200 with X-RateLimit-Remaining: 0: the next request waits for X-RateLimit-Reset */
    list(&r, "github", "acme", "reset0", NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(has(r.err, "(X-RateLimit-Reset)"), "%s", r.err);
    int n = orgsrv_request_times(&srv, "/reset0/", t, 8);
    cr_assert(eq(int, n, 3));
    cr_assert(t[1] - t[0] >= 1.0 && t[1] - t[0] < 5.0, "waited %.2f s", t[1] - t[0]);
    lh_run_dispose(&r);
    /* a 403 with X-RateLimit-Remaining: 0 (GitHub's primary limit) */
    list(&r, "github", "acme", "reset403", NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, count_lines(r.out), 6));
    n = orgsrv_request_times(&srv, "/reset403/", t, 8);
    cr_assert(eq(int, n, 4));
    cr_assert(t[2] - t[1] >= 1.0 && t[2] - t[1] < 5.0, "waited %.2f s", t[2] - t[1]);
    lh_run_dispose(&r);
    /* GitLab's 429 with RateLimit-Remaining: 0 and RateLimit-Reset */
    list(&r, "gitlab", "grp", "gl429", NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(has(r.err, "(RateLimit-Reset)"), "%s", r.err);
    n = orgsrv_request_times(&srv, "/gl429/", t, 8);
    cr_assert(eq(int, n, 4));
    cr_assert(t[2] - t[1] >= 1.0 && t[2] - t[1] < 5.0, "waited %.2f s", t[2] - t[1]);
    lh_run_dispose(&r);
    orgsrv_stop(&srv);
}

Test(org_list, server_errors_are_retried)
{
    start();
    struct lh_run r;
    list(&r, "github", "acme", "err500", NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, count_lines(r.out), 6));
    cr_assert(has(r.err, "answered HTTP 502: retry 1/3"), "%s", r.err);
    cr_assert(has(r.err, "answered HTTP 502: retry 2/3"), "%s", r.err);
    lh_run_dispose(&r);
    /* a 503 with Retry-After waits what it says */
    list(&r, "github", "acme", "maint503", NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(has(r.err, "waiting 1 s (Retry-After)"), "%s", r.err);
    lh_run_dispose(&r);
    /* GitHub's secondary limit may only say so in the message: one minute, over --max-wait */
    list(&r, "github", "acme", "secondary403", "--max-wait", "5");
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    cr_assert(has(r.err, "asks to wait 60 s, more than --max-wait 5 s"), "%s", r.err);
    lh_run_dispose(&r);
    orgsrv_stop(&srv);
}

/* Each malformed answer: exit 4, one error line naming the page, nothing on stdout. */
static void bad(const char *scenario, const char *want)
{
    struct lh_run r;
    setenv("GITHUB_TOKEN", TOKEN, 1);
    list(&r, "github", "acme", scenario, NULL, NULL);
    cr_assert(eq(int, r.status, 4), "%s: %d %s", scenario, r.status, r.err);
    char *e = lh_error_line(r.err);
    cr_assert(e != NULL, "%s: not one error line: %s", scenario, r.err);
    cr_assert(has(e, want), "%s: %s", scenario, e);
    cr_assert(has(e, "/orgs/acme/repos"), "%s: the page is not named: %s", scenario, e);
    cr_assert(lacks(r.err, TOKEN));
    cr_assert(eq(sz, r.out_len, 0));
    free(e);
    lh_run_dispose(&r);
}

Test(org_list, malformed_answers_are_one_line_errors)
{
    start();
    bad("badjson", "malformed JSON from");
    bad("notarray", "not a JSON array of repositories");
    bad("noname", "repository 1 has no string 'full_name'");
    bad("html", "content type 'text/html; charset=utf-8', not JSON");
    bad("huge", "larger than 8388608 bytes");
    bad("offsite", "refusing to follow a next-page link to another host");
    orgsrv_stop(&srv);
}

Test(org_list, usage_errors)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "org", "github", "acme", "--shard", "4/3", "--list", NULL);
    cr_assert(eq(int, r.status, 2));
    cr_assert(has(r.err, "--shard takes I/N"));
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "org", "github", "a b", "--list", NULL);
    cr_assert(eq(int, r.status, 2));
    cr_assert(has(r.err, "invalid GitHub organisation or user name"), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "org", "github", "acme", "--api-url", "ftp://x", "--list", NULL);
    cr_assert(eq(int, r.status, 2));
    lh_run_dispose(&r);
    unsetenv("NO_SUCH_TOKEN_VAR");
    lh_run_lh(&r, dir, NULL, "org", "github", "acme", "--token-env", "NO_SUCH_TOKEN_VAR", "--list",
              NULL);
    cr_assert(eq(int, r.status, 2));
    cr_assert(has(r.err, "NO_SUCH_TOKEN_VAR"));
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "org", "bitbucket", "acme", NULL);
    cr_assert(eq(int, r.status, 2));
    lh_run_dispose(&r);
}

Test(org_list, token_env_names_the_variable)
{
    start();
    setenv("MY_GHE_TOKEN", "ghe_token_value_0000", 1);
    unsetenv("GITHUB_TOKEN");
    struct lh_run r;
    list(&r, "github", "acme", "ok", "--token-env", "MY_GHE_TOKEN");
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    char *log = orgsrv_requests(&srv);
    cr_assert(has(log, "\"auth\": \"Bearer ghe_token_value_0000\""), "%s", log);
    free(log);
    cr_assert(lacks(r.err, "ghe_token_value_0000") && lacks(r.out, "ghe_token_value_0000"));
    lh_run_dispose(&r);
    orgsrv_stop(&srv);
}
