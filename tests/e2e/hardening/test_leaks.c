/* SPDX-License-Identifier: MIT */
/*
 * Secret-leak audit (issue #9): plants tokens of several formats (GitHub classic and
 * fine-grained, npm, Grafana, Zuplo, OpenAI, Anthropic, an AWS secret access key next to
 * its key id, a PEM private key, and a checksum-failing GitHub look-alike) and runs every
 * command at its most talkative: scan in every format with --show-invalid and warnings
 * (a file over the size cap, an expired baseline entry), history and staged with a
 * missing object, rules check on a rule file made of the tokens, baseline create,
 * revocation (dry run, a failing delivery, status and flush), and serve (access log,
 * /metrics, feedback). No planted token, and not even its middle (redaction shows at
 * most the first 6 and last 4 characters), may appear in any of that output; with
 * --show-secrets only the JSON report's `secret` fields may hold it. The AWS key id is
 * not planted as a secret: it is an identifier and reported in clear by design
 * (`pair_id`). The spool file itself holds tokens by design and is not checked.
 */
#include "support/measure.h"
#include "support/serve.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NTOK 10

static char *dir;
static char *toks[NTOK];
static size_t ntoks;
static char pem_line[] = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun";

#define GIT "git -c user.name=Ada -c user.email=ada@example.com -c gc.auto=0 "

static void add_tok(const char *t)
{
    cr_assert(ntoks < NTOK);
    toks[ntoks++] = strdup(t);
}

/* The planted file set, under root/. */
static void plant(const char *root)
{
    char buf[8192];
    char rel[256];
    for (size_t i = 0; i < ntoks; i++) {
        snprintf(rel, sizeof(rel), "%s/conf/t%zu.env", root, i);
        int n = snprintf(buf, sizeof(buf), "# token %zu\nexport API_TOKEN=\"%s\"\n", i, toks[i]);
        lh_write_file(dir, rel, buf, (size_t)n);
    }
    int n = snprintf(buf, sizeof(buf),
                     "[default]\naws_access_key_id = AKIAZ7VRSQ5TLQTMGQXB\n"
                     "aws_secret_access_key = %s\n",
                     toks[0 + 7]);
    snprintf(rel, sizeof(rel), "%s/conf/aws.ini", root);
    lh_write_file(dir, rel, buf, (size_t)n);
    n = snprintf(buf, sizeof(buf),
                 "-----BEGIN RSA PRIVATE KEY-----\n%s\n"
                 "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
                 "LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo\n"
                 "-----END RSA PRIVATE KEY-----\n",
                 pem_line);
    snprintf(rel, sizeof(rel), "%s/keys/id_rsa", root);
    lh_write_file(dir, rel, buf, (size_t)n);
}

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
    setenv("HOME", dir, 1);
    unsetenv("LEAKHOUND_STATE_DIR");
    char t[41];
    ntoks = 0;
    lh_make_github_token(t, "ghp_", "Lk3Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    add_tok(t);
    lh_make_github_token(t, "npm_", "Lk4Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    add_tok(t);
    static const char *const kinds[] = {"github_pat", "glsa", "zuplo", "openai", "anthropic"};
    for (size_t i = 0; i < 5; i++) {
        char *x = hh_token(kinds[i], 900 + (int)i);
        add_tok(x);
        free(x);
    }
    add_tok("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq9Qm4TvXs"); /* [7]: AWS secret access key */
    lh_make_github_token(t, "ghp_", "Lk5Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    t[12] = t[12] == 'A' ? 'B' : 'A'; /* [8]: checksum fails: --show-invalid lists it */
    add_tok(t);
    cr_assert(eq(int, lh_sh(dir, "git -c init.defaultBranch=main init -q repo"), 0));
    plant("tree");
}

static void teardown(void)
{
    th_server_kill_all();
    for (size_t i = 0; i < ntoks; i++) {
        free(toks[i]);
    }
    lh_rmtree(dir);
    free(dir);
}

TestSuite(leaks, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

/* Asserts that no planted secret (whole, or its middle 16 characters) is in buf. */
static void assert_clean(const char *what, const char *buf, size_t len)
{
    for (size_t i = 0; i < ntoks; i++) {
        const char *t = toks[i];
        size_t tl = strlen(t);
        char mid[17];
        memcpy(mid, t + tl / 2 - 8, 16);
        mid[16] = '\0';
        cr_assert(eq(int, hh_contains(buf, len, t), 0), "%s holds planted token %zu", what, i);
        cr_assert(eq(int, hh_contains(buf, len, mid), 0), "%s holds the middle of token %zu: %s",
                  what, i, mid);
    }
    cr_assert(eq(int, hh_contains(buf, len, pem_line + 8), 0), "%s holds the private key", what);
}

static void assert_run_clean(const char *what, const struct hh_run *r)
{
    char label[256];
    cr_assert(lt(int, r->status, 128), "%s crashed: %s", what, r->err);
    snprintf(label, sizeof(label), "%s: stdout", what);
    assert_clean(label, r->out, r->out_len);
    snprintf(label, sizeof(label), "%s: stderr", what);
    assert_clean(label, r->err, r->err_len);
}

/* Removes every "secret" member of the report's findings (recursively), in place. */
static void strip_secrets(json_t *j)
{
    if (json_is_object(j)) {
        json_object_del(j, "secret");
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            strip_secrets(v);
        }
    } else if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            strip_secrets(json_array_get(j, i));
        }
    }
}

Test(leaks, scan_reports_and_messages_hold_no_secret)
{
    /* warnings: a file over the size cap (holding tokens), an expired baseline entry */
    char big[70000];
    memset(big, 'x', sizeof(big));
    int n = snprintf(big, 200, "T=%s\n", toks[0]);
    big[n] = '\n';
    lh_write_file(dir, "tree/big/huge.txt", big, sizeof(big));
    cr_assert(eq(
        int, lh_sh(dir, "%s baseline create --no-config --no-cache tree > base.json", LH_BIN), 0));
    cr_assert(eq(int,
                 lh_sh(dir, "sed -i 's/\"rule_id\"/\"expires\": \"2001-01-01\", \"rule_id\"/' "
                            "base.json"),
                 0));
    struct hh_run r;
    hh_lh(&r, "baseline create", dir, 120, "baseline", "create", "--no-config", "tree", NULL);
    assert_run_clean("baseline create", &r);
    hh_run_dispose(&r);
    static const char *const formats[] = {"text", "json", "jsonl", "sarif"};
    for (size_t i = 0; i < 4; i++) {
        char what[64];
        snprintf(what, sizeof(what), "scan --format %s", formats[i]);
        hh_lh(&r, what, dir, 120, "scan", "--no-config", "--show-invalid", "--threads", "2",
              "--max-file-size", "64K", "--baseline", "base.json", "--color", "always", "--format",
              formats[i], "tree", NULL);
        cr_assert(eq(int, r.status, 1), "%s: %s", what, r.err);
        cr_assert(eq(int, hh_contains(r.err, r.err_len, "huge.txt"), 1), "%s", r.err);
        cr_assert(eq(int, hh_contains(r.err, r.err_len, "expired"), 1), "%s", r.err);
        assert_run_clean(what, &r);
        hh_run_dispose(&r);
    }
    /* stdin, and the text report's summary */
    hh_lh(&r, "scan the tree via --output", dir, 120, "scan", "--no-config", "--show-invalid",
          "--output", "report.txt", "tree", NULL);
    assert_run_clean("scan --output", &r);
    hh_run_dispose(&r);
    char *rep_path = hh_path(dir, "report.txt");
    char *rep = lh_read_file(rep_path);
    free(rep_path);
    cr_assert(rep != NULL);
    assert_clean("report.txt", rep, strlen(rep));
    free(rep);
    /* a secret-bearing file given as --baseline by mistake: the JSON error must not quote it */
    char wrong[256];
    int wn = snprintf(wrong, sizeof(wrong), "{\"version\": 1 \"%s\"}\n", toks[0]);
    lh_write_file(dir, "wrong.json", wrong, (size_t)wn);
    hh_lh(&r, "scan --baseline <not a baseline>", dir, 60, "scan", "--no-config", "--baseline",
          "wrong.json", "tree", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    assert_run_clean("scan --baseline wrong.json", &r);
    hh_run_dispose(&r);
    /* --show-secrets: the JSON report's secret fields, and nothing else, hold them */
    hh_lh(&r, "scan --show-secrets --format json", dir, 120, "scan", "--no-config",
          "--show-invalid", "--show-secrets", "--format", "json", "tree", NULL);
    cr_assert(eq(int, r.status, 1));
    cr_assert(eq(int, hh_contains(r.out, r.out_len, toks[0]), 1), "--show-secrets shows them");
    json_error_t je;
    json_t *j = json_loadb(r.out, r.out_len, 0, &je);
    cr_assert(j != NULL);
    strip_secrets(j);
    char *rest = json_dumps(j, JSON_COMPACT);
    cr_assert(rest != NULL);
    assert_clean("scan --show-secrets: report without its secret fields", rest, strlen(rest));
    assert_clean("scan --show-secrets: stderr", r.err, r.err_len);
    free(rest);
    json_decref(j);
    hh_run_dispose(&r);
}

Test(leaks, history_staged_and_rules_check_hold_no_secret)
{
    plant("repo");
    char *repo = hh_path(dir, "repo");
    cr_assert(eq(int,
                 lh_sh(repo, GIT "add -A && " GIT "commit -qm planted && "
                                 "echo 0123456789abcdef0123456789abcdef01234567 > "
                                 ".git/refs/heads/ghost"),
                 0));
    struct hh_run r;
    static const char *const formats[] = {"text", "json", "sarif"};
    for (size_t i = 0; i < 3; i++) {
        char what[64];
        snprintf(what, sizeof(what), "history --format %s", formats[i]);
        hh_lh(&r, what, repo, 120, "history", "--no-config", "--show-invalid", "--all-objects",
              "--format", formats[i], NULL);
        cr_assert(eq(int, r.status, 4), "%s: %s", what, r.err); /* the ghost ref */
        assert_run_clean(what, &r);
        hh_run_dispose(&r);
    }
    /* staged: the same secrets, changed and staged again */
    cr_assert(eq(int,
                 lh_sh(repo, "for f in conf/*.env; do echo '# again' >> $f; done && "
                             "cp conf/t0.env conf/copy.env && " GIT "add -A"),
                 0));
    for (size_t i = 0; i < 2; i++) {
        char what[64];
        snprintf(what, sizeof(what), "staged --format %s", formats[i]);
        hh_lh(&r, what, repo, 120, "staged", "--no-config", "--show-invalid", "--format",
              formats[i], NULL);
        cr_assert(eq(int, r.status, 1), "%s: %s", what, r.err);
        assert_run_clean(what, &r);
        hh_run_dispose(&r);
    }
    /* rules check over rules whose examples are the tokens, with failing examples */
    char yaml[4096];
    snprintf(yaml, sizeof(yaml),
             "rules:\n"
             "  - id: planted-github\n"
             "    name: planted\n"
             "    keywords: [ghp_]\n"
             "    pattern: '(?<secret>ghp_[A-Za-z0-9]{36})'\n"
             "    validator: github-crc32\n"
             "    examples: ['%s', '%s', {text: 'x=%s', secret: '%s'}]\n"
             "    negative_examples: ['%s']\n"
             "  - id: planted-slow\n"
             "    name: planted\n"
             "    keywords: [npm_]\n"
             "    pattern: '(?<secret>npm_(?:[A-Za-z0-9]|[A-Za-z0-9])*!)'\n"
             "    examples: ['%s']\n"
             "    negative_examples: ['%s']\n",
             toks[0], toks[8], toks[0], toks[1], toks[0], toks[1], toks[1]);
    lh_write_file(dir, "planted.yml", yaml, strlen(yaml));
    hh_lh(&r, "rules check on planted tokens", dir, 120, "rules", "check", "--strict",
          "--no-builtin-rules", "--no-cache", "--rules", "planted.yml", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    assert_run_clean("rules check", &r);
    hh_run_dispose(&r);
    hh_lh(&r, "rules list --format json on planted tokens", dir, 120, "rules", "list",
          "--no-builtin-rules", "--rules", "planted.yml", "--format", "json", NULL);
    assert_run_clean("rules list", &r);
    hh_run_dispose(&r);
    free(repo);
}

Test(leaks, revocation_output_holds_no_secret)
{
    /* a route nobody listens on: delivery fails and is reported, the spool keeps it */
    const char *cfg = "revoke:\n"
                      "  enabled: true\n"
                      "  routes:\n"
                      "    - url: http://127.0.0.1:9/revoke\n"
                      "      min_confidence: probable\n"
                      "      max_attempts: 1\n"
                      "      timeout: 2\n"
                      "      connect_timeout: 1\n";
    lh_write_file(dir, "revoke.yml", cfg, strlen(cfg));
    struct hh_run r;
    hh_lh(&r, "scan --revoke --dry-run", dir, 120, "scan", "--config", "revoke.yml", "--state-dir",
          "state", "--revoke", "--dry-run", "--show-invalid", "tree", NULL);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "dry run"), 1), "%s", r.err);
    assert_run_clean("scan --revoke --dry-run", &r);
    hh_run_dispose(&r);
    hh_lh(&r, "scan --revoke (delivery fails)", dir, 120, "scan", "--config", "revoke.yml",
          "--state-dir", "state", "--revoke", "--show-invalid", "tree", NULL);
    assert_run_clean("scan --revoke", &r);
    hh_run_dispose(&r);
    hh_lh(&r, "revoke status", dir, 60, "revoke", "status", "--state-dir", "state", "--config",
          "revoke.yml", NULL);
    assert_run_clean("revoke status", &r);
    hh_run_dispose(&r);
    hh_lh(&r, "revoke status --all --format json", dir, 60, "revoke", "status", "--all", "--format",
          "json", "--state-dir", "state", "--config", "revoke.yml", NULL);
    assert_run_clean("revoke status --format json", &r);
    hh_run_dispose(&r);
    hh_lh(&r, "revoke flush (fails)", dir, 120, "revoke", "flush", "--state-dir", "state",
          "--config", "revoke.yml", NULL);
    assert_run_clean("revoke flush", &r);
    hh_run_dispose(&r);
}

/* ---- serve ---- */

Test(leaks, serve_log_metrics_and_feedback_hold_no_secret)
{
    struct th_key key;
    th_key_new(&key);
    th_write_keys(dir, &key);
    const char *args[] = {"--no-config",
                          "--github-keys",
                          "keys.json",
                          "--revoke",
                          "--revoke-url",
                          "http://127.0.0.1:9/revoke",
                          "--state-dir",
                          "state",
                          "--flush-interval",
                          "1",
                          NULL};
    struct th_server srv;
    cr_assert(eq(int, th_server_start(&srv, dir, args), 0), "serve did not start");

    /* every planted token, reported by "GitHub"; one unsigned, one badly signed request */
    json_t *arr = json_array();
    for (size_t i = 0; i < ntoks; i++) {
        json_array_append_new(arr,
                              json_pack("{s:s,s:s,s:s,s:s}", "token", toks[i], "type", "planted",
                                        "url", "https://github.com/o/r", "source", "content"));
    }
    char *body = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    struct th_http h;
    th_post_signed(&h, srv.endpoint, &key, NULL, body, strlen(body));
    cr_assert(eq(long, h.status, 200), "%s", h.body);
    assert_clean("serve feedback", h.body, h.len);
    th_http_dispose(&h);
    char hid[128];
    snprintf(hid, sizeof(hid), "Github-Public-Key-Identifier: %s", key.id);
    const char *bad[] = {"Content-Type: application/json", hid,
                         "Github-Public-Key-Signature: MEUCIQDxxx", NULL};
    th_post(&h, srv.endpoint, bad, body, strlen(body), NULL);
    cr_assert(ge(long, h.status, 400));
    assert_clean("serve error answer", h.body, h.len);
    th_http_dispose(&h);
    char url[192];
    snprintf(url, sizeof(url), "%s/metrics", srv.base);
    th_get(&h, url);
    cr_assert(eq(long, h.status, 200));
    assert_clean("serve /metrics", h.body, h.len);
    th_http_dispose(&h);
    sleep(2); /* let the flusher try (and fail) to deliver */
    char *all = NULL;
    cr_assert(eq(int, th_server_stop(&srv, &all), 0));
    cr_assert(all != NULL);
    cr_assert(eq(int, hh_contains(all, strlen(all), "\"status\":200"), 1), "%s", all);
    assert_clean("serve access log", all, strlen(all));
    free(all);
    struct hh_run r;
    hh_lh(&r, "revoke status after serve", dir, 60, "revoke", "status", "--all", "--state-dir",
          "state", "--no-config", NULL);
    assert_run_clean("revoke status after serve", &r);
    hh_run_dispose(&r);
    free(body);
    th_key_free(&key);
}
