/* SPDX-License-Identifier: MIT */
/*
 * Configuration found in the scanned tree is untrusted (issue #15): a committed
 * `.leakhound.yml` whose revoke section names a receiver must not make `scan` or `history`
 * send anything. The receiver is the real test receiver on 127.0.0.1; each test also runs
 * the same section from a trusted place (--config FILE, the user's configuration file) and
 * sees it delivered, so "nothing received" means the section was ignored, not that the
 * receiver was unreachable.
 */
#include "support/notify.h"
#include "support/receiver.h"
#include "support/support.h"
#include "util/fs.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GIT "git -c user.name=Ada -c user.email=ada@example.com -c gc.auto=0 "

static char *dir;
static char xdg[4096];
static char tok[2][41];

static void setup(void)
{
    t_env();
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    /* no user configuration unless a test writes one; no state dir from the environment */
    snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    for (unsigned i = 0; i < 2; i++) {
        t_token(tok[i], 700 + i);
    }
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(untrusted_config, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

/* A repository: two confirmed tokens and a .leakhound.yml routing them to url. */
static void repo(const char *url)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "A=%s\n", tok[0]);
    lh_write_file(dir, "repo/a.env", buf, strlen(buf));
    snprintf(buf, sizeof(buf), "B=%s\n", tok[1]);
    lh_write_file(dir, "repo/b.env", buf, strlen(buf));
    snprintf(buf, sizeof(buf),
             "revoke:\n"
             "  enabled: true\n"
             "  state_dir: state\n"
             "  routes:\n"
             "    - url: %s\n"
             "      timeout: 5\n"
             "      max_attempts: 1\n",
             url);
    lh_write_file(dir, "repo/.leakhound.yml", buf, strlen(buf));
    cr_assert(eq(int,
                 lh_sh(dir, "cd repo && git -c init.defaultBranch=main init -q . && " GIT
                            "add -A && " GIT "commit -qm fixture"),
                 0));
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static char *path(const char *rel)
{
    char *p = lh_path_join(dir, rel);
    cr_assert(p != NULL);
    return p;
}

static bool exists(const char *rel)
{
    char *p = path(rel);
    struct stat st;
    bool e = stat(p, &st) == 0;
    free(p);
    return e;
}

/* Runs `leakhound <cmd> [extra] .` in the repository; expects findings and one warning. */
static void run_untrusted(const char *cmd, struct rx *r)
{
    char *cwd = path("repo");
    struct lh_run run;
    lh_run_lh(&run, cwd, NULL, cmd, ".", NULL);
    cr_assert(eq(sz, rx_count(r), 0), "%s: the tree's route received a request", cmd);
    cr_assert(eq(int, run.status, 1), "%s: %s", cmd, run.err);
    cr_assert(eq(sz, count(run.err, "'revoke' ignored"), 1), "%s: %s", cmd, run.err);
    cr_assert(strstr(run.err, ".leakhound.yml:1:") != NULL, "%s", run.err);
    cr_assert(strstr(run.err, tok[0]) == NULL);
    lh_run_dispose(&run);
    /* --revoke alone finds no route: the file's routes are gone, not just disabled */
    lh_run_lh(&run, cwd, NULL, cmd, "--revoke", ".", NULL);
    cr_assert(eq(int, run.status, 3), "%s --revoke: %s", cmd, run.err);
    cr_assert(strstr(run.err, "no route is configured") != NULL, "%s", run.err);
    lh_run_dispose(&run);
    /* quiet: no warning at all */
    lh_run_lh(&run, cwd, NULL, cmd, "-q", ".", NULL);
    cr_assert(eq(int, run.status, 1), "%s -q: %s", cmd, run.err);
    cr_assert(strstr(run.err, "'revoke' ignored") == NULL, "%s", run.err);
    lh_run_dispose(&run);
    free(cwd);
    cr_assert(eq(sz, rx_count(r), 0), "%s: the tree's route received a request", cmd);
    cr_assert(eq(int, exists("repo/state"), 0), "%s wrote the tree's state_dir", cmd);
}

/* The same section named with --config is trusted: both tokens reach the receiver. */
static void run_named(const char *cmd, struct rx *r)
{
    char *cwd = path("repo");
    struct lh_run run;
    lh_run_lh(&run, cwd, NULL, cmd, "--config", ".leakhound.yml", ".", NULL);
    cr_assert(eq(int, run.status, 1), "%s --config: %s", cmd, run.err);
    cr_assert(strstr(run.err, "'revoke' ignored") == NULL, "%s", run.err);
    lh_run_dispose(&run);
    free(cwd);
    cr_assert(eq(sz, rx_count(r), 2), "%s --config", cmd);
    cr_assert(eq(int, exists("repo/state/revoke.jsonl"), 1));
}

/* Starts a receiver (its URL in url[128]). */
static struct rx *receiver(char url[128])
{
    struct rx_opts ro = {.secret = T_SECRET};
    struct rx *r = rx_start(&ro);
    cr_assert(r != NULL);
    rx_url(r, url, 128);
    return r;
}

/* The tree's route receives nothing from cmd; the same file named with --config does. */
static void tree_route_ignored_by(const char *cmd)
{
    char url[128];
    struct rx *r = receiver(url);
    repo(url);
    run_untrusted(cmd, r);
    run_named(cmd, r);
    rx_stop(r);
}

Test(untrusted_config, scan_of_a_tree_naming_a_route_sends_nothing)
{
    tree_route_ignored_by("scan");
}

Test(untrusted_config, history_of_a_repository_naming_a_route_sends_nothing)
{
    tree_route_ignored_by("history");
}

Test(untrusted_config, user_configuration_file_supplies_routes)
{
    char url[128];
    struct rx *r = receiver(url);
    repo("http://127.0.0.1:9/elsewhere");
    char cfg[1024];
    snprintf(cfg, sizeof(cfg),
             "revoke:\n  enabled: true\n  state_dir: user-state\n  routes:\n"
             "    - url: %s\n      secret_env: LEAKHOUND_REVOKE_SECRET\n",
             url);
    lh_write_file(dir, "xdg/leakhound/config.yml", cfg, strlen(cfg));
    char *cwd = path("repo");
    struct lh_run run;
    lh_run_lh(&run, cwd, NULL, "scan", ".", NULL);
    cr_assert(eq(int, run.status, 1), "%s", run.err);
    cr_assert(eq(sz, count(run.err, "'revoke' ignored"), 1), "%s", run.err);
    lh_run_dispose(&run);
    cr_assert(eq(sz, rx_count(r), 2));
    cr_assert(eq(int, rx_get(r, 0)->sig_ok, 1));
    /* state_dir is relative to the user's file */
    cr_assert(eq(int, exists("xdg/leakhound/user-state/revoke.jsonl"), 1));
    /* `revoke status` in the repository reads the user's state, not the tree's */
    lh_run_lh(&run, cwd, NULL, "revoke", "status", NULL);
    cr_assert(eq(int, run.status, 0), "%s", run.err);
    cr_assert(strstr(run.out, "0 pending, 0 failed, 2 delivered") != NULL, "%s", run.out);
    cr_assert(strstr(run.out, "user-state") != NULL, "%s", run.out);
    lh_run_dispose(&run);
    /* the user's file holds revoke settings only */
    const char *bad = "min_confidence: confirmed\n";
    lh_write_file(dir, "xdg/leakhound/config.yml", bad, strlen(bad));
    lh_run_lh(&run, cwd, NULL, "scan", ".", NULL);
    cr_assert(eq(int, run.status, 3), "%s", run.err);
    cr_assert(strstr(run.err, "only 'revoke' is read") != NULL, "%s", run.err);
    lh_run_dispose(&run);
    free(cwd);
    cr_assert(eq(int, exists("repo/state"), 0));
    rx_stop(r);
}

/*
 * Nor may the tree's file make `baseline prune` rewrite a file outside its directory: a
 * baseline it names there is read (it only changes what is reported) but not rewritten.
 */
Test(untrusted_config, baseline_prune_does_not_rewrite_a_baseline_outside_the_tree)
{
    repo("http://127.0.0.1:9/unused");
    char *cwd = path("repo");
    struct lh_run run;
    /* a valid baseline elsewhere holding both tokens */
    lh_run_lh(&run, cwd, NULL, "baseline", "create", "--no-config", "--output", "../outside.json",
              ".", NULL);
    cr_assert(eq(int, run.status, 0), "%s", run.err);
    lh_run_dispose(&run);
    char *outside = path("outside.json");
    char *before = lh_read_file(outside);
    cr_assert(before != NULL && strstr(before, "fingerprint") != NULL);
    const char *cfg = "baseline: ../outside.json\n";
    lh_write_file(dir, "repo/.leakhound.yml", cfg, strlen(cfg));
    lh_write_file(dir, "repo/b.env", "B=gone\n", 7); /* one entry is stale now */
    lh_run_lh(&run, cwd, NULL, "baseline", "prune", ".", NULL);
    cr_assert(eq(int, run.status, 2), "%s", run.err);
    cr_assert(strstr(run.err, "refusing to rewrite") != NULL, "%s", run.err);
    lh_run_dispose(&run);
    char *after = lh_read_file(outside);
    cr_assert(eq(str, after, before));
    /* the same baseline inside the tree is pruned as before */
    lh_write_file(dir, "repo/bl.json", before, strlen(before));
    cfg = "baseline: bl.json\n";
    lh_write_file(dir, "repo/.leakhound.yml", cfg, strlen(cfg));
    lh_run_lh(&run, cwd, NULL, "baseline", "prune", ".", NULL);
    cr_assert(eq(int, run.status, 0), "%s", run.err);
    cr_assert(strstr(run.err, "removed 1 stale entry") != NULL, "%s", run.err);
    lh_run_dispose(&run);
    free(after);
    free(before);
    free(outside);
    free(cwd);
}
