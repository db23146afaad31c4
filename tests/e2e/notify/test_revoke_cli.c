/* SPDX-License-Identifier: MIT */
/*
 * End to end: the real leakhound binary scanning real files with --revoke against the test
 * receiver on 127.0.0.1 (which verifies every signature), `revoke flush` and `revoke status`,
 * a scan killed with SIGKILL while a request is in flight, and the rule that no output ever
 * contains a raw token.
 */
#include "support/notify.h"
#include "support/receiver.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *dir;
static char state[4096];
static char tok[3][41];
static const char *slack = "xoxb-2851932441137-2860412309764-Bq5pX7wQ0dKr3TzLmN8vYc2H";

static void setup(void)
{
    t_env();
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    snprintf(state, sizeof(state), "%s/state", dir);
    for (unsigned i = 0; i < 3; i++) {
        t_token(tok[i], 300 + i);
    }
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(revoke_cli, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

static void put(const char *rel, const char *prefix, const char *secret)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "# test fixture\n%s%s\n", prefix, secret);
    lh_write_file(dir, rel, buf, strlen(buf));
}

/* The tree most tests scan: token 0 twice, token 1 once, one probable Slack token. */
static void tree(void)
{
    put("src/a.env", "GITHUB_TOKEN=", tok[0]);
    put("src/copy.env", "token: ", tok[0]);
    put("deploy/b.env", "GH=", tok[1]);
    put("chat/slack.env", "SLACK_BOT_TOKEN=", slack);
}

/* Also fails on sanitizer reports of the binary itself (its stderr is not ctest's). */
static void no_tokens_in(const struct lh_run *r)
{
    cr_assert(strstr(r->err, "Sanitizer") == NULL, "%s", r->err);
    cr_assert(strstr(r->err, "runtime error") == NULL, "%s", r->err);
    for (unsigned i = 0; i < 3; i++) {
        cr_assert(strstr(r->out, tok[i]) == NULL, "raw token on stdout: %s", r->out);
        cr_assert(strstr(r->err, tok[i]) == NULL, "raw token on stderr: %s", r->err);
    }
    cr_assert(strstr(r->out, slack) == NULL);
    cr_assert(strstr(r->err, slack) == NULL);
    cr_assert(strstr(r->out, T_SECRET) == NULL);
    cr_assert(strstr(r->err, T_SECRET) == NULL);
}

static void scan(struct lh_run *r, const char *url)
{
    lh_run_lh(r, dir, NULL, "scan", "--revoke", "--revoke-url", url, "--state-dir", state, ".",
              NULL);
    no_tokens_in(r);
}

static struct rx *start(const struct rx_opts *o, char url[128])
{
    struct rx *r = rx_start(o);
    cr_assert(r != NULL);
    rx_url(r, url, 128);
    return r;
}

Test(revoke_cli, scan_sends_one_signed_request_per_unique_confirmed_token)
{
    tree();
    struct rx_opts ro = {.secret = T_SECRET};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_run run;
    scan(&run, url);
    cr_assert(eq(int, run.status, 1), "stderr: %s", run.err);
    cr_assert(strstr(run.err, "2 queued, 1 already handled, 2 delivered, 0 failed, 0 pending") !=
                  NULL,
              "%s", run.err);
    lh_run_dispose(&run);
    cr_assert(eq(sz, rx_count(r), 2));
    cr_assert(eq(sz, rx_unique_keys(r), 2));
    size_t seen[2] = {0, 0};
    for (size_t i = 0; i < 2; i++) {
        const struct rx_request *q = rx_get(r, i);
        cr_assert(eq(int, q->sig_ok, 1), "bad signature %s", q->sig);
        cr_assert(eq(int, q->key_ok, 1));
        for (int k = 0; k < 2; k++) {
            seen[k] += !strcmp(q->token, tok[k]);
        }
        cr_assert(strstr(q->body, "\"source\":\"scan\"") != NULL);
    }
    cr_assert(eq(sz, seen[0], 1));
    cr_assert(eq(sz, seen[1], 1)); /* and the probable Slack token was not sent */
    /* a later scan of the same tree sends nothing again */
    scan(&run, url);
    cr_assert(eq(int, run.status, 1));
    cr_assert(strstr(run.err, "0 queued, 3 already handled, 0 delivered") != NULL, "%s", run.err);
    lh_run_dispose(&run);
    cr_assert(eq(sz, rx_count(r), 2));
    lh_run_lh(&run, dir, NULL, "revoke", "status", "--state-dir", state, NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 0));
    cr_assert(strstr(run.out, "0 pending, 0 failed, 2 delivered") != NULL, "%s", run.out);
    lh_run_dispose(&run);
    rx_stop(r);
}

Test(revoke_cli, nothing_is_sent_without_revoke)
{
    tree();
    struct rx_opts ro = {.secret = T_SECRET};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_run run;
    lh_run_lh(&run, dir, NULL, "scan", "--state-dir", state, ".", NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 1));
    lh_run_dispose(&run);
    lh_run_lh(&run, dir, NULL, "scan", "--revoke-url", url, "--state-dir", state, ".", NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 2));
    cr_assert(strstr(run.err, "--revoke-url needs --revoke") != NULL, "%s", run.err);
    lh_run_dispose(&run);
    lh_run_lh(&run, dir, NULL, "scan", "--revoke", "--state-dir", state, ".", NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 3));
    cr_assert(strstr(run.err, "no route is configured") != NULL, "%s", run.err);
    lh_run_dispose(&run);
    struct stat st;
    cr_assert(eq(int, stat(state, &st), -1));
    cr_assert(eq(sz, rx_count(r), 0));
    rx_stop(r);
}

Test(revoke_cli, dry_run_prints_what_would_be_sent_and_sends_nothing)
{
    tree();
    struct rx_opts ro = {.secret = T_SECRET};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_run run;
    lh_run_lh(&run, dir, NULL, "scan", "--revoke", "--dry-run", "--revoke-url", url, "--state-dir",
              state, ".", NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 1));
    char h[65];
    lh_test_sha256_hex(h, tok[0]);
    char needle[128];
    snprintf(needle, sizeof(needle), "sha256 %.12s", h);
    cr_assert(strstr(run.err, needle) != NULL, "%s", run.err);
    cr_assert(strstr(run.err, url) != NULL);
    cr_assert(strstr(run.err, "\"idempotency_key\"") != NULL);
    cr_assert(strstr(run.err, "2 revocation requests would be queued") != NULL, "%s", run.err);
    lh_run_dispose(&run);
    struct stat st;
    cr_assert(eq(int, stat(state, &st), -1));
    cr_assert(eq(sz, rx_count(r), 0));
    rx_stop(r);
}

Test(revoke_cli, receiver_down_leaves_pending_and_flush_delivers_later)
{
    tree();
    uint16_t port = t_closed_port();
    cr_assert(port != 0);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", (unsigned)port);
    struct lh_run run;
    scan(&run, url);
    cr_assert(eq(int, run.status, 1));
    cr_assert(strstr(run.err, "still pending") != NULL, "%s", run.err);
    cr_assert(strstr(run.err, "2 pending") != NULL, "%s", run.err);
    lh_run_dispose(&run);

    lh_run_lh(&run, dir, NULL, "revoke", "status", "--state-dir", state, "--format", "json", NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 0));
    json_error_t je;
    json_t *doc = json_loads(run.out, 0, &je);
    cr_assert(doc != NULL, "%s", run.out);
    cr_assert(eq(int, (int)json_integer_value(json_object_get(doc, "pending")), 2));
    json_t *entries = json_object_get(doc, "entries");
    cr_assert(eq(sz, json_array_size(entries), 2));
    char h0[65];
    lh_test_sha256_hex(h0, tok[0]);
    int found = 0;
    long long attempts = 0;
    for (size_t i = 0; i < 2; i++) {
        json_t *e = json_array_get(entries, i);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(e, "state")), "pending"));
        attempts += json_integer_value(json_object_get(e, "attempts"));
        found += !strcmp(json_string_value(json_object_get(e, "token_sha256")), h0);
    }
    cr_assert(eq(int, found, 1));
    /* the first entry used its attempts; the route was then left alone for that run */
    cr_assert(eq(i64, attempts, 5));
    json_decref(doc);
    lh_run_dispose(&run);

    lh_run_lh(&run, dir, NULL, "revoke", "flush", "--state-dir", state, NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 4)); /* still down: still pending */
    lh_run_dispose(&run);

    struct rx_opts ro = {.secret = T_SECRET, .port = port};
    struct rx *r = rx_start(&ro);
    cr_assert(r != NULL, "port %u was taken meanwhile", (unsigned)port);
    lh_run_lh(&run, dir, NULL, "revoke", "flush", "--state-dir", state, NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 0), "%s", run.err);
    cr_assert(strstr(run.err, "2 delivered, 0 failed, 0 pending") != NULL, "%s", run.err);
    lh_run_dispose(&run);
    cr_assert(eq(sz, rx_count(r), 2));
    cr_assert(eq(sz, rx_unique_keys(r), 2));
    cr_assert(eq(int, rx_get(r, 0)->sig_ok, 1));
    cr_assert(eq(int, rx_get(r, 1)->sig_ok, 1));
    lh_run_lh(&run, dir, NULL, "revoke", "flush", "--state-dir", state, NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 0));
    lh_run_dispose(&run);
    cr_assert(eq(sz, rx_count(r), 2));
    rx_stop(r);
}

/* Starts `scan --revoke` in the background; its output goes to a log outside the scanned tree. */
static void spawn_scan(struct lh_proc *p, char **logdir, const char *url)
{
    char *d = lh_tmpdir();
    cr_assert(d != NULL);
    *logdir = d;
    char log[4096];
    snprintf(log, sizeof(log), "%s/scan.log", d);
    const char *const argv[] = {LH_BIN, "scan", "--revoke", "--revoke-url", url, "--state-dir",
                                state,  ".",    NULL};
    cr_assert(eq(int, lh_proc_start(p, dir, argv, log), 0));
}

Test(revoke_cli, killed_mid_delivery_loses_nothing_and_flush_sends_each_token_at_most_once_more)
{
    put("a/1.env", "T=", tok[0]);
    put("b/2.env", "T=", tok[1]);
    put("c/3.env", "T=", tok[2]);
    struct rx_opts ro = {.secret = T_SECRET, .hang_on = 2}; /* hold the second request */
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_proc bg;
    char *logdir = NULL;
    spawn_scan(&bg, &logdir, url);
    int got = rx_wait(r, 2, 60000);
    int status = lh_proc_stop(&bg, SIGKILL, 10000);
    lh_proc_dispose(&bg);
    lh_rmtree(logdir);
    free(logdir);
    cr_assert(eq(int, got, 1), "the scan never reached the second request");
    cr_assert(eq(int, status, 128 + SIGKILL));
    rx_release(r);
    size_t before = rx_count(r);
    cr_assert(eq(sz, before, 2));
    char done_key[80];
    snprintf(done_key, sizeof(done_key), "%s", rx_get(r, 0)->idem); /* answered 200 pre-kill */

    struct lh_run run;
    lh_run_lh(&run, dir, NULL, "revoke", "flush", "--state-dir", state, NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 0), "%s", run.err);
    lh_run_dispose(&run);
    size_t after = rx_count(r);
    cr_assert(eq(sz, rx_unique_keys(r), 3));
    cr_assert(eq(sz, rx_count_key(r, done_key), 1)); /* delivered before the kill: not again */
    for (unsigned i = 0; i < 3; i++) {
        char h[65];
        lh_test_sha256_hex(h, tok[i]);
        cr_assert(le(sz, rx_count_key(r, h), 2));
        size_t post = 0;
        for (size_t k = before; k < after; k++) {
            post += !strcmp(rx_get(r, k)->idem, h);
        }
        cr_assert(le(sz, post, 1), "token %u sent %zu times by one flush", i, post);
    }
    for (size_t k = 0; k < after; k++) {
        cr_assert(eq(int, rx_get(r, k)->sig_ok, 1));
    }
    /* nothing left: another flush and another scan send nothing */
    lh_run_lh(&run, dir, NULL, "revoke", "flush", "--state-dir", state, NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 0));
    lh_run_dispose(&run);
    scan(&run, url);
    lh_run_dispose(&run);
    cr_assert(eq(sz, rx_count(r), after));
    rx_stop(r);
}

Test(revoke_cli, bad_request_is_reported_as_failed_and_not_retried)
{
    put("a.env", "T=", tok[0]);
    struct rx_opts ro = {.secret = T_SECRET, .dflt = 400};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_run run;
    scan(&run, url);
    cr_assert(eq(int, run.status, 1));
    char h[65];
    lh_test_sha256_hex(h, tok[0]);
    char needle[512];
    snprintf(needle, sizeof(needle),
             "revocation request to '%s' for rule 'github-pat-classic' "
             "(sha256 %.12s) failed permanently: HTTP 400",
             url, h);
    cr_assert(strstr(run.err, needle) != NULL, "%s", run.err);
    lh_run_dispose(&run);
    cr_assert(eq(sz, rx_count(r), 1));
    lh_run_lh(&run, dir, NULL, "revoke", "status", "--state-dir", state, NULL);
    no_tokens_in(&run);
    cr_assert(strstr(run.out, "failed") != NULL);
    cr_assert(strstr(run.out, h) != NULL, "%s", run.out);
    cr_assert(strstr(run.out, "HTTP 400") != NULL);
    cr_assert(strstr(run.out, "0 pending, 1 failed, 0 delivered") != NULL, "%s", run.out);
    lh_run_dispose(&run);
    lh_run_lh(&run, dir, NULL, "revoke", "flush", "--state-dir", state, NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 0));
    lh_run_dispose(&run);
    cr_assert(eq(sz, rx_count(r), 1));
    rx_stop(r);
}

Test(revoke_cli, receiver_answering_503_twice_gets_the_request)
{
    put("a.env", "T=", tok[0]);
    struct rx_opts ro = {.secret = T_SECRET, .statuses = {503, 503}, .nstatuses = 2};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_run run;
    scan(&run, url);
    cr_assert(eq(int, run.status, 1));
    cr_assert(strstr(run.err, "1 delivered") != NULL, "%s", run.err);
    lh_run_dispose(&run);
    cr_assert(eq(sz, rx_count(r), 3));
    cr_assert(eq(sz, rx_unique_keys(r), 1));
    cr_assert(eq(int, rx_get(r, 2)->answered, 200));
    cr_assert(eq(int, rx_get(r, 2)->sig_ok, 1));
    rx_stop(r);
}

Test(revoke_cli, config_routes_select_rules_confidence_and_hash_only)
{
    tree();
    struct rx_opts ro = {.secret = "cfg-secret"};
    char url[128];
    struct rx *r = start(&ro, url);
    char cfg[1024];
    snprintf(cfg, sizeof(cfg),
             "revoke:\n"
             "  enabled: true\n"
             "  state_dir: state\n"
             "  routes:\n"
             "    - url: %s\n"
             "      rules: [\"slack-*\"]\n"
             "      min_confidence: probable\n"
             "      secret_env: LH_TEST_CFG_SECRET\n"
             "      send: sha256\n",
             url);
    lh_write_file(dir, ".leakhound.yml", cfg, strlen(cfg));
    setenv("LH_TEST_CFG_SECRET", "cfg-secret", 1);
    struct lh_run run;
    /* enabled by the file, no flag; named with --config, so trusted (test_untrusted.c) */
    lh_run_lh(&run, dir, NULL, "scan", "--config", ".leakhound.yml", ".", NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 1), "%s", run.err);
    lh_run_dispose(&run);
    cr_assert(eq(sz, rx_count(r), 1));
    const struct rx_request *q = rx_get(r, 0);
    cr_assert(eq(int, q->sig_ok, 1));
    cr_assert(eq(int, q->key_ok, 1));
    cr_assert(eq(str, (char *)q->token, "")); /* hash only */
    char h[65];
    lh_test_sha256_hex(h, slack);
    cr_assert(eq(str, (char *)q->idem, h));
    cr_assert(strstr(q->body, "\"rule_id\":\"slack-bot-token\"") != NULL);
    struct stat st;
    char sd[4200];
    snprintf(sd, sizeof(sd), "%s/state/revoke.jsonl", dir); /* relative to the config file */
    cr_assert(eq(int, stat(sd, &st), 0));
    rx_stop(r);
}

Test(revoke_cli, status_survives_a_torn_journal)
{
    put("a.env", "T=", tok[0]);
    uint16_t port = t_closed_port();
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", (unsigned)port);
    struct lh_run run;
    scan(&run, url);
    lh_run_dispose(&run);
    char path[4200];
    snprintf(path, sizeof(path), "%s/revoke.jsonl", state);
    FILE *f = fopen(path, "a");
    cr_assert(f != NULL);
    fputs("{\"v\":1,\"op\":\"queued\",\"id\":\"00", f); /* a crash mid-append */
    fclose(f);
    lh_run_lh(&run, dir, NULL, "revoke", "status", "--state-dir", state, NULL);
    no_tokens_in(&run);
    cr_assert(eq(int, run.status, 0));
    cr_assert(strstr(run.err, "incomplete last record") != NULL, "%s", run.err);
    cr_assert(strstr(run.out, "1 pending") != NULL, "%s", run.out);
    no_tokens_in(&run);
    lh_run_dispose(&run);
    char *j = lh_read_file(path);
    cr_assert(strstr(j, "\"id\":\"00") != NULL); /* status did not touch the file */
    free(j);
}

/*
 * Issue #15: `Retry-After: 59` on every answer held a scan for minutes (59 s between each of
 * 5 attempts). A scan waits at most 5 s for a Retry-After; the request stays pending for
 * `revoke flush`, which waits up to 60 s.
 */
Test(revoke_cli, scan_is_not_held_by_a_long_retry_after)
{
    put("a.env", "GITHUB_TOKEN=", tok[0]);
    struct rx_opts ro = {.secret = T_SECRET, .dflt = 503, .retry_after = "59"};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_run run;
    double t0 = (double)lh_now_ms() / 1000;
    scan(&run, url);
    double secs = (double)lh_now_ms() / 1000 - t0;
    cr_assert(eq(int, run.status, 1), "%s", run.err);
    cr_assert(secs < 10, "the scan took %.1f s", secs);
    cr_assert(strstr(run.err, "Retry-After 59 s is over the 5 s this run waits") != NULL, "%s",
              run.err);
    cr_assert(strstr(run.err, "1 pending") != NULL, "%s", run.err);
    lh_run_dispose(&run);
    cr_assert(eq(sz, rx_count(r), 1));
    rx_stop(r);
}
