/* SPDX-License-Identifier: MIT */
/*
 * End to end: the real `leakhound serve` binary on 127.0.0.1 (port 0), requests signed
 * with a key pair made in the test and sent with libcurl or raw sockets, a revocation
 * receiver in this process. Covers GitHub's vectors and every rejection with its metric,
 * labels for valid and invalid tokens of several formats, durable idempotent revocation,
 * TLS, key-list refetch from a URL, graceful SIGTERM with a request in flight, and hostile
 * clients (slow, truncated, garbage, 10,000 connections) while health checks keep
 * answering. Every server is stopped with SIGTERM and must exit 0 with a clean
 * sanitizer log; no raw token may appear in any log.
 */
#include "support/partner_vectors.h"
#include "support/serve.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static char *dir;
static struct th_key key;

static const char test_rules[] =
    "rules:\n"
    "  - id: test-probable\n"
    "    name: test token without a validator\n"
    "    keywords: [tstp_]\n"
    "    pattern: '(?<![A-Za-z0-9_])(?<secret>tstp_[a-z0-9]{24})(?![A-Za-z0-9_])'\n"
    "    confidence: probable\n"
    "    examples: [tstp_q8w7e6r5t4y3u2i1o0p9a8s7]\n"
    "    negative_examples: [tstp_short]\n";

/* GitHub's three keys plus the test's own, so both vectors and own requests verify. */
static void write_keys(void)
{
    json_error_t je;
    json_t *list = json_loads(github_keys, 0, &je);
    cr_assert(list != NULL);
    json_array_append_new(
        json_object_get(list, "public_keys"),
        json_pack("{s:s,s:s,s:b}", "key_identifier", key.id, "key", key.pem, "is_current", 0));
    char *s = json_dumps(list, 0);
    lh_write_file(dir, "keys.json", s, strlen(s));
    lh_write_file(dir, "test.yml", test_rules, strlen(test_rules));
    free(s);
    json_decref(list);
}

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    th_key_new(&key);
    write_keys();
}

static void teardown(void)
{
    th_server_kill_all();
    th_key_free(&key);
    lh_rmtree(dir);
    free(dir);
}

TestSuite(serve, .init = setup, .fini = teardown);

static void start(struct th_server *s, const char *const *args)
{
    cr_assert(eq(int, th_server_start(s, dir, args), 0));
}

/* Stops the server; it must exit 0 with a clean log that contains none of `secrets`. */
static void stop(struct th_server *s, const char *const *secrets)
{
    char *log = NULL;
    int st = th_server_stop(s, &log);
    cr_assert(log != NULL);
    cr_assert(eq(int, st, 0), "exit status %d; log:\n%s", st, log);
    for (size_t i = 0; secrets && secrets[i]; i++) {
        cr_assert(strstr(log, secrets[i]) == NULL, "a token appears in the log");
    }
    /* every line is a JSON object */
    for (char *line = log; *line;) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        json_error_t je;
        json_t *j = json_loadb(line, n, 0, &je);
        cr_assert(eq(int, json_is_object(j) ? 1 : 0, 1), "log line is not JSON: %.*s", (int)n,
                  line);
        json_decref(j);
        line += n + (nl ? 1 : 0);
    }
    free(log);
}

static void health_ok(unsigned port, const char *what);

static json_t *answer_json(const struct th_http *r)
{
    json_error_t je;
    return json_loadb(r->body, r->len, 0, &je);
}

static void post_vector(const char *url, const char *id, const char *sig, const char *body,
                        size_t len, struct th_http *r)
{
    char hid[256];
    char hsig[256];
    snprintf(hid, sizeof(hid), "Github-Public-Key-Identifier: %s", id);
    snprintf(hsig, sizeof(hsig), "Github-Public-Key-Signature: %s", sig);
    const char *const h[] = {hid, hsig, "Content-Type: application/json", NULL};
    th_post(r, url, h, body, len, NULL);
}

Test(serve, github_vectors_verify_and_every_rejection_is_counted)
{
    struct th_server s;
    const char *const args[] = {"--no-config", "--github-keys", "keys.json",
                                "--max-body",  "4096",          NULL};
    start(&s, args);
    struct {
        const char *id, *sig, *body;
    } good[] = {{KEY_A_ID, sig_a, body_a}, {KEY_B_ID, sig_b, body_b}, {KEY_C_ID, sig_c, body_c}};
    char some[65];
    lh_test_sha256_hex(some, "some_token");
    for (size_t i = 0; i < 3; i++) {
        struct th_http r;
        post_vector(s.endpoint, good[i].id, good[i].sig, good[i].body, strlen(good[i].body), &r);
        cr_assert(eq(long, r.status, 200), "vector %zu: %ld %s", i, r.status, r.body);
        json_t *a = answer_json(&r);
        cr_assert(eq(sz, json_array_size(a), 1));
        json_t *e = json_array_get(a, 0);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(e, "token_hash")), some));
        cr_assert(
            eq(str, (char *)json_string_value(json_object_get(e, "token_type")), "some_type"));
        cr_assert(
            eq(str, (char *)json_string_value(json_object_get(e, "label")), "false_positive"));
        json_decref(a);
        th_http_dispose(&r);
    }

    char changed[sizeof(body_a)];
    memcpy(changed, body_a, sizeof(changed));
    changed[40] = 'X';
    char newline[sizeof(body_a) + 1];
    snprintf(newline, sizeof(newline), "%s\n", body_a);
    char notarray[] = "{\"token\":\"x\"}";
    char *own_sig = th_sign(&key, notarray, strlen(notarray));
    char big[5000];
    memset(big, ' ', sizeof(big));
    big[0] = '[';
    big[sizeof(big) - 1] = ']';
    struct {
        const char *id, *sig, *body;
        size_t len;
        long status;
    } bad[] = {
        {KEY_A_ID, sig_a, changed, strlen(changed), 401},
        {KEY_A_ID, sig_a, newline, strlen(newline), 401},
        {KEY_A_ID, sig_a, "[]", 2, 401},
        {"0000000000000000000000000000000000000000000000000000000000000000", sig_a, body_a,
         strlen(body_a), 401},
        {KEY_A_ID, "fakesignature", body_a, strlen(body_a), 400},
        {KEY_A_ID, "AAAA", body_a, strlen(body_a), 400},
        {KEY_A_ID, NULL, body_a, strlen(body_a), 400},
        {NULL, NULL, body_a, strlen(body_a), 400},
        {key.id, own_sig, notarray, strlen(notarray), 400},
        {KEY_A_ID, sig_a, big, sizeof(big), 413},
    };
    size_t n400 = 0, n401 = 0, n413 = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char hid[256];
        char hsig[256];
        const char *h[4];
        size_t nh = 0;
        if (bad[i].id) {
            snprintf(hid, sizeof(hid), "Github-Public-Key-Identifier: %s", bad[i].id);
            h[nh++] = hid;
        }
        if (bad[i].sig) {
            snprintf(hsig, sizeof(hsig), "Github-Public-Key-Signature: %s", bad[i].sig);
            h[nh++] = hsig;
        }
        h[nh] = NULL;
        struct th_http r;
        th_post(&r, s.endpoint, h, bad[i].body, bad[i].len, NULL);
        cr_assert(eq(long, r.status, bad[i].status), "case %zu: %ld %s", i, r.status, r.body);
        n400 += bad[i].status == 400;
        n401 += bad[i].status == 401;
        n413 += bad[i].status == 413;
        th_http_dispose(&r);
    }
    /* a chunked body that crosses the cap (no Content-Length to refuse up front) */
    const char *const chunked[] = {"Transfer-Encoding: chunked",
                                   "Github-Public-Key-Identifier: " KEY_A_ID,
                                   "Github-Public-Key-Signature: AAAA", NULL};
    struct th_http r;
    th_post(&r, s.endpoint, chunked, big, sizeof(big), NULL);
    cr_assert(eq(long, r.status, 413), "%ld %s", r.status, r.body);
    th_http_dispose(&r);
    n413++;

    cr_assert(eq(llong, th_metric(s.base, "leakhound_serve_requests_total{status=\"200\"}"), 3));
    cr_assert(eq(llong, th_metric(s.base, "leakhound_serve_requests_total{status=\"400\"}"),
                 (long long)n400));
    cr_assert(eq(llong, th_metric(s.base, "leakhound_serve_requests_total{status=\"401\"}"),
                 (long long)n401));
    cr_assert(eq(llong, th_metric(s.base, "leakhound_serve_requests_total{status=\"413\"}"),
                 (long long)n413));
    static const struct {
        const char *reason;
        long long n;
    } reasons[] = {{"bad_signature", 3},
                   {"unknown_key", 1},
                   {"bad_encoding", 1},
                   {"bad_der", 1},
                   {"missing_header", 2}};
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        char name[128];
        snprintf(name, sizeof(name), "leakhound_serve_signature_failures_total{reason=\"%s\"}",
                 reasons[i].reason);
        cr_assert(eq(llong, th_metric(s.base, name), reasons[i].n), "%s", reasons[i].reason);
    }
    cr_assert(
        eq(llong, th_metric(s.base, "leakhound_serve_tokens_total{label=\"false_positive\"}"), 3));
    cr_assert(
        eq(llong, th_metric(s.base, "leakhound_serve_request_duration_seconds_count"), 3 + 10 + 1));
    free(own_sig);
    const char *const secrets[] = {"some_token", NULL};
    stop(&s, secrets);
}

/* The report the end-to-end test sends: tokens, types and expected labels. */
struct item {
    char token[48];
    const char *type;
    bool tp;
    bool revoked;
};

static size_t make_batch(struct item it[8])
{
    size_t n = 0;
    memset(it, 0, 8 * sizeof(*it));
    lh_make_github_token(it[n].token, "ghp_", "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    it[n].type = "github_personal_access_token";
    it[n].tp = it[n].revoked = true;
    n++;
    memcpy(it[n].token, it[0].token, sizeof(it[n].token));
    it[n].token[12] = it[n].token[12] == 'A' ? 'B' : 'A';
    it[n].type = "github_personal_access_token";
    n++;
    lh_make_github_token(it[n].token, "gho_", "Pz4Xc7Vb2Nm9Lk1Jh6Gf3Ds8Aq5Wr0");
    it[n].type = "github_oauth_access_token";
    it[n].tp = it[n].revoked = true;
    n++;
    lh_make_github_token(it[n].token, "npm_", "Hy2Tg5Rf8Ed1Ws4Qa7Zx0Cv3Bn6Mk9");
    it[n].type = "npm_access_token";
    it[n].tp = it[n].revoked = true;
    n++;
    /* a valid GitHub token reported under the npm type: the type map excludes it */
    lh_make_github_token(it[n].token, "ghp_", "Mn3Bv6Cx9Zl2Kj5Hg8Fd1Sa4Qw7Er0");
    it[n].type = "npm_access_token";
    n++;
    /* a rule without a validator: a true positive, but only `probable`, so the route
     * (min_confidence confirmed) does not revoke it */
    snprintf(it[n].token, sizeof(it[n].token), "tstp_q8w7e6r5t4y3u2i1o0p9a8s7");
    it[n].type = "test_token";
    it[n].tp = true;
    n++;
    snprintf(it[n].token, sizeof(it[n].token), "ghp_16C7e42F292c6912E7710c838347Ae178B4a");
    it[n].type = "github_personal_access_token";
    n++;
    return n;
}

static char *batch_json(const struct item *it, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(
            a, json_pack("{s:s,s:s,s:s,s:s}", "token", it[i].token, "type", it[i].type, "url",
                         "https://github.com/o/r/blob/abc/x.env", "source", "content"));
    }
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

static void check_labels(const struct th_http *r, const struct item *it, size_t n)
{
    cr_assert(eq(long, r->status, 200), "%ld %s", r->status, r->body);
    json_t *a = answer_json(r);
    cr_assert(eq(sz, json_array_size(a), n));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(a, i);
        char want[65];
        lh_test_sha256_hex(want, it[i].token);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(e, "token_hash")), want));
        cr_assert(eq(str, (char *)json_string_value(json_object_get(e, "token_type")),
                     (char *)it[i].type));
        cr_assert(eq(str, (char *)json_string_value(json_object_get(e, "label")),
                     it[i].tp ? "true_positive" : "false_positive"),
                  "token %zu", i);
    }
    json_decref(a);
}

Test(serve, labels_tokens_and_revokes_true_positives_once)
{
    struct th_sink sink;
    th_sink_start(&sink);
    char cfg[1024];
    snprintf(cfg, sizeof(cfg),
             "serve:\n"
             "  admin_listen: 127.0.0.1:0\n"
             "  flush_interval: 0.2\n"
             "  type_map:\n"
             "    npm_access_token: [npm-*]\n"
             "    github_personal_access_token: [github-pat-*]\n"
             "revoke:\n"
             "  enabled: true\n"
             "  state_dir: state\n"
             "  routes:\n"
             "    - url: http://127.0.0.1:%u/revoke\n",
             sink.port);
    lh_write_file(dir, "leakhound.yml", cfg, strlen(cfg));
    struct th_server s;
    const char *const args[] = {
        "--config", "leakhound.yml", "--github-keys", "keys.json", "--rules", "test.yml", NULL};
    start(&s, args);
    cr_assert(ne(int, (int)s.admin_port, 0), "serve.admin_listen was not applied");
    health_ok(s.admin_port, "admin port from the configuration");

    struct item it[8];
    size_t n = make_batch(it);
    size_t ntp = 0, nrev = 0;
    for (size_t i = 0; i < n; i++) {
        ntp += it[i].tp;
        nrev += it[i].revoked;
    }
    char *body = batch_json(it, n);
    struct th_http r;
    th_post_signed(&r, s.endpoint, &key, NULL, body, strlen(body));
    check_labels(&r, it, n);
    th_http_dispose(&r);

    /* the confirmed true positives reach the revocation receiver, and nothing else does */
    cr_assert(eq(sz, th_sink_wait(&sink, nrev, 15000), nrev));
    for (size_t i = 0; i < n; i++) {
        char sha[65];
        lh_test_sha256_hex(sha, it[i].token);
        size_t seen = 0;
        for (size_t b = 0; b < sink.nbodies; b++) {
            json_error_t je;
            json_t *j = json_loads(sink.bodies[b], 0, &je);
            cr_assert(j != NULL, "%s", sink.bodies[b]);
            const char *got = json_string_value(json_object_get(j, "token_sha256"));
            if (got && !strcmp(got, sha)) {
                seen++;
                cr_assert(
                    eq(str, (char *)json_string_value(json_object_get(j, "token")), it[i].token));
            }
            json_decref(j);
        }
        cr_assert(eq(sz, seen, it[i].revoked ? 1 : 0), "token %zu", i);
    }

    /* the same report again: same answer, nothing revoked twice */
    th_post_signed(&r, s.endpoint, &key, NULL, body, strlen(body));
    check_labels(&r, it, n);
    th_http_dispose(&r);
    usleep(1500 * 1000);
    cr_assert(eq(sz, th_sink_wait(&sink, nrev + 1, 10), nrev));
    cr_assert(eq(llong, th_metric(s.base, "leakhound_serve_tokens_total{label=\"true_positive\"}"),
                 (long long)(2 * ntp)));
    cr_assert(eq(llong, th_metric(s.base, "leakhound_serve_tokens_total{label=\"false_positive\"}"),
                 (long long)(2 * (n - ntp))));
    cr_assert(eq(llong, th_metric(s.base, "leakhound_serve_spool_depth"), 0));
    cr_assert(
        eq(llong, th_metric(s.base, "leakhound_serve_revoke_delivered_total"), (long long)nrev));
    const char *secrets[9];
    for (size_t i = 0; i < n; i++) {
        secrets[i] = it[i].token;
    }
    secrets[n] = NULL;
    stop(&s, secrets);
    th_sink_stop(&sink);
    free(body);
}

Test(serve, revocation_receiver_down_does_not_delay_answers)
{
    /* a route to a port nobody listens on: answers stay fast, the entry stays pending */
    static const char cfg[] = "revoke:\n  enabled: true\n  state_dir: state\n  routes:\n"
                              "    - {url: 'http://127.0.0.1:1/revoke', max_attempts: 1}\n";
    lh_write_file(dir, "leakhound.yml", cfg, strlen(cfg));
    struct th_server s;
    const char *const args[] = {
        "--config", "leakhound.yml", "--github-keys", "keys.json", "--flush-interval", "0.1", NULL};
    start(&s, args);
    struct item it[8];
    make_batch(it);
    char *body = batch_json(it, 1);
    for (int i = 0; i < 5; i++) {
        long long t0 = lh_now_ms();
        struct th_http r;
        th_post_signed(&r, s.endpoint, &key, NULL, body, strlen(body));
        cr_assert(eq(long, r.status, 200));
        cr_assert(lt(llong, lh_now_ms() - t0, 2000));
        th_http_dispose(&r);
    }
    long long depth = -1;
    for (int i = 0; i < 100 && depth != 1; i++) {
        usleep(100 * 1000);
        depth = th_metric(s.base, "leakhound_serve_spool_depth");
    }
    cr_assert(eq(llong, depth, 1));
    const char *const secrets[] = {it[0].token, NULL};
    stop(&s, secrets);
    free(body);
}

Test(serve, token_raw_feedback_over_tls)
{
    cr_assert(eq(int,
                 lh_sh(dir, "openssl req -x509 -newkey ec -pkeyopt "
                            "ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem "
                            "-days 2 -subj /CN=localhost -addext "
                            "subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null"),
                 0));
    struct th_server s;
    const char *const args[] = {
        "--no-config", "--github-keys", "keys.json",  "--tls-cert", "cert.pem",
        "--tls-key",   "key.pem",       "--feedback", "token_raw",  NULL};
    start(&s, args);
    char url[256];
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/github/secret-scanning", s.port);
    char ca[4096];
    snprintf(ca, sizeof(ca), "%s/cert.pem", dir);
    char tok[41];
    lh_make_github_token(tok, "ghp_", "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    char body[128];
    snprintf(body, sizeof(body), "[{\"token\":\"%s\",\"type\":\"t\"}]", tok);
    char *sig = th_sign(&key, body, strlen(body));
    char hid[256];
    char hsig[256];
    snprintf(hid, sizeof(hid), "GITHUB-PUBLIC-KEY-IDENTIFIER: %s", key.id);
    snprintf(hsig, sizeof(hsig), "github-public-key-signature: %s", sig);
    const char *const h[] = {hid, hsig, NULL};
    struct th_http r;
    th_post(&r, url, h, body, strlen(body), ca);
    cr_assert(eq(long, r.status, 200), "%ld", r.status);
    json_t *a = answer_json(&r);
    json_t *e = json_array_get(a, 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(e, "token_raw")), tok));
    cr_assert(json_object_get(e, "token_hash") == NULL);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(e, "label")), "true_positive"));
    json_decref(a);
    th_http_dispose(&r);
    /* plain HTTP to the TLS port gets no answer */
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/healthz", s.port);
    th_get(&r, url);
    cr_assert(ne(long, r.status, 200));
    th_http_dispose(&r);
    free(sig);
    const char *const secrets[] = {tok, NULL};
    stop(&s, secrets);
}

Test(serve, routes_methods_and_a_configured_path)
{
    struct th_server s;
    const char *const args[] = {"--no-config", "--github-keys", "keys.json",
                                "--path",      "/hooks/gh",     NULL};
    start(&s, args);
    char url[256];
    struct th_http r;
    snprintf(url, sizeof(url), "%s/hooks/gh", s.base);
    th_get(&r, url);
    cr_assert(eq(long, r.status, 405));
    th_http_dispose(&r);
    th_post_signed(&r, url, &key, NULL, "[]", 2);
    cr_assert(eq(long, r.status, 200));
    cr_assert(eq(str, r.body, "[]"));
    th_http_dispose(&r);
    th_post_signed(&r, s.endpoint, &key, NULL, "[]", 2); /* the default path is not served */
    cr_assert(eq(long, r.status, 404));
    th_http_dispose(&r);
    snprintf(url, sizeof(url), "%s/healthz", s.base);
    th_post(&r, url, NULL, "x", 1, NULL);
    cr_assert(eq(long, r.status, 405));
    th_http_dispose(&r);
    th_get(&r, url);
    cr_assert(eq(long, r.status, 200));
    cr_assert(eq(int, strncmp(r.body, "{\"status\":\"ok\",", 15), 0), "%s", r.body);
    th_http_dispose(&r);
    stop(&s, NULL);
}

Test(serve, keys_from_a_url_are_refetched_once_for_a_new_identifier)
{
    struct th_sink ks;
    struct th_key k2;
    th_key_new(&k2);
    th_sink_start(&ks);
    char *one = th_keys_json(&key, 1);
    th_sink_set_get(&ks, one, "\"one\"");
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/meta/public_keys/secret_scanning", ks.port);
    struct th_server s;
    const char *const args[] = {"--no-config", "--github-keys-url", url, "--keys-refetch", "30",
                                NULL};
    start(&s, args);
    cr_assert(eq(sz, th_sink_gets(&ks), 1));
    struct th_http r;
    th_post_signed(&r, s.endpoint, &key, NULL, "[]", 2);
    cr_assert(eq(long, r.status, 200));
    th_http_dispose(&r);
    /* GitHub rotates its key: the first request signed with the new one triggers a refetch */
    struct th_key both[2] = {k2, key};
    char *two = th_keys_json(both, 2);
    th_sink_set_get(&ks, two, "\"two\"");
    th_post_signed(&r, s.endpoint, &k2, NULL, "[]", 2);
    cr_assert(eq(long, r.status, 200), "%ld %s", r.status, r.body);
    th_http_dispose(&r);
    cr_assert(eq(sz, th_sink_gets(&ks), 2));
    /* a flood of unknown identifiers costs at most that one fetch per --keys-refetch */
    for (int i = 0; i < 20; i++) {
        char bogus[65];
        snprintf(bogus, sizeof(bogus), "%064d", i);
        th_post_signed(&r, s.endpoint, &key, bogus, "[]", 2);
        cr_assert(eq(long, r.status, 401));
        th_http_dispose(&r);
    }
    cr_assert(eq(sz, th_sink_gets(&ks), 2));
    stop(&s, NULL);
    th_sink_stop(&ks);
    free(one);
    free(two);
    th_key_free(&k2);
}

Test(serve, startup_errors_have_exit_codes)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "serve", "--no-config", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    cr_assert(strstr(r.err, "--github-keys") != NULL);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "serve", "--no-config", "--github-keys", "missing.json", NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    lh_run_dispose(&r);
    lh_write_file(dir, "empty.json", "{\"public_keys\":[]}", 18);
    lh_run_lh(&r, dir, NULL, "serve", "--no-config", "--github-keys", "empty.json", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "serve", "--no-config", "--github-keys", "keys.json", "--listen",
              "nonsense", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "serve", "--no-config", "--github-keys", "keys.json", "--tls-cert",
              "keys.json", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "serve", "--no-config", "--github-keys", "keys.json", "--feedback",
              "both", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    lh_run_dispose(&r);
    /* the port is taken */
    struct th_server s;
    const char *const args[] = {"--no-config", "--github-keys", "keys.json", NULL};
    start(&s, args);
    char listen[64];
    snprintf(listen, sizeof(listen), "127.0.0.1:%u", s.port);
    lh_run_lh(&r, dir, NULL, "serve", "--no-config", "--github-keys", "keys.json", "--listen",
              listen, NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    lh_run_dispose(&r);
    stop(&s, NULL);
}

/* ---- raw sockets ---- */

/* Reads until the peer closes or 10 s pass. Heap, NUL-terminated. */
static char *recv_all(int fd)
{
    size_t len = 0;
    char *buf = calloc(1, 65536);
    long long end = lh_now_ms() + 10000;
    while (len < 65535 && lh_now_ms() < end) {
        ssize_t n = recv(fd, buf + len, 65535 - len, 0);
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
    }
    return buf;
}

Test(serve, sigterm_finishes_the_request_in_flight)
{
    struct th_server s;
    const char *const args[] = {"--no-config", "--github-keys", "keys.json", "--timeout", "10",
                                NULL};
    start(&s, args);
    char tok[41];
    lh_make_github_token(tok, "gho_", "Pz4Xc7Vb2Nm9Lk1Jh6Gf3Ds8Aq5Wr0");
    char body[128];
    snprintf(body, sizeof(body), "[{\"token\":\"%s\",\"type\":\"t\"}]", tok);
    size_t len = strlen(body);
    char *sig = th_sign(&key, body, len);
    char head[1024];
    snprintf(head, sizeof(head),
             "POST /github/secret-scanning HTTP/1.1\r\nHost: localhost\r\n"
             "Content-Type: application/json\r\nGithub-Public-Key-Identifier: %s\r\n"
             "Github-Public-Key-Signature: %s\r\nContent-Length: %zu\r\n\r\n",
             key.id, sig, len);
    int fd = th_dial(s.port, false);
    cr_assert(ge(int, fd, 0));
    th_send_all(fd, head, strlen(head));
    th_send_all(fd, body, len / 2);
    usleep(300 * 1000);
    cr_assert(eq(int, kill(s.proc.pid, SIGTERM), 0));
    usleep(500 * 1000);
    cr_assert(eq(int, lh_proc_alive(&s.proc), 1), "the server quit with a request in flight");
    /* no new connections are accepted while draining */
    int late = th_dial(s.port, false);
    if (late >= 0) {
        char c;
        static const char get[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        th_send_all(late, get, strlen(get));
        cr_assert(le(long, (long)recv(late, &c, 1, 0), 0), "a new connection was served");
        close(late);
    }
    th_send_all(fd, body + len / 2, len - len / 2);
    char *resp = recv_all(fd);
    close(fd);
    cr_assert(eq(int, strncmp(resp, "HTTP/1.1 200", 12), 0), "%s", resp);
    cr_assert(strstr(resp, "true_positive") != NULL, "%s", resp);
    free(resp);
    free(sig);
    const char *const secrets[] = {tok, NULL};
    stop(&s, secrets);
}

/*
 * Sends bytes for the server to survive. With `answer`, waits (3 s at most) for the reply
 * and checks that it is an HTTP status line; otherwise closes at once (a client that gives
 * up mid-request).
 */
static void poke(unsigned port, const char *data, size_t len, bool answer)
{
    int fd = th_dial(port, false);
    if (fd < 0) {
        return;
    }
    th_send_all(fd, data, len);
    if (answer) {
        struct timeval tv = {3, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        char buf[64] = "";
        ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
        cr_assert(gt(long, (long)n, 8L), "no answer to garbage");
        cr_assert(eq(int, strncmp(buf, "HTTP/1.1 4", 10) && strncmp(buf, "HTTP/1.1 5", 10), 0),
                  "%s", buf);
    }
    close(fd);
}

static void health_ok(unsigned port, const char *what)
{
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/healthz", port);
    long long t0 = lh_now_ms();
    struct th_http r;
    th_get(&r, url);
    cr_assert(eq(long, r.status, 200), "health check (%s) failed: %ld", what, r.status);
    cr_assert(lt(llong, lh_now_ms() - t0, 5000), "health check (%s) took too long", what);
    th_http_dispose(&r);
}

Test(serve, hostile_clients_do_not_stop_health_checks)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 10400 && rl.rlim_max >= 10400) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    cr_assert(ge(llong, (long long)rl.rlim_cur, 10400LL), "need 10400 descriptors");
    struct th_server s;
    /* every client here shares 127.0.0.1, as behind a reverse proxy: no per-address limit */
    const char *const args[] = {"--no-config", "--github-keys",
                                "keys.json",   "--admin-listen",
                                "127.0.0.1:0", "--timeout",
                                "3",           "--threads",
                                "2",           "--max-body",
                                "65536",       "--max-connections-per-ip",
                                "0",           NULL};
    start(&s, args);
    cr_assert(ne(int, (int)s.admin_port, 0));
    const char marker[] = "ghp_HOSTILEmarkerHOSTILEmarkerHOSTILE1234";

    /* slow clients: headers trickled a byte at a time, keeping the connection busy */
    enum { SLOW = 200 };
    int slow[SLOW];
    const char slow_head[] = "POST /github/secret-scanning HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < SLOW; i++) {
        slow[i] = th_dial(s.port, false);
        cr_assert(ge(int, slow[i], 0));
        th_send_all(slow[i], slow_head, strlen(slow_head));
    }
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < SLOW; i++) {
            th_send_all(slow[i], "X", 1);
        }
        health_ok(s.port, "public port, slow clients");
        health_ok(s.admin_port, "admin port, slow clients");
        usleep(400 * 1000);
    }

    /* truncated bodies, garbage, oversized headers, tokens in odd places */
    char trunc[512];
    snprintf(trunc, sizeof(trunc),
             "POST /github/secret-scanning HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
             "Github-Public-Key-Identifier: %s\r\nGithub-Public-Key-Signature: AAAA\r\n\r\n"
             "[{\"token\":\"",
             key.id);
    char *hugeh = malloc(200000);
    int hn = snprintf(hugeh, 200000, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(hugeh + hn, 'a', 150000);
    memcpy(hugeh + hn + 150000, "\r\n\r\n", 5);
    char tokpath[256];
    snprintf(tokpath, sizeof(tokpath), "POST /%s HTTP/1.1\r\nHost: x\r\nX-Token: %s\r\n\r\n",
             marker, marker);
    char badlen[] = "POST /github/secret-scanning HTTP/1.1\r\nHost: x\r\n"
                    "Content-Length: 99999999999999999999999\r\n\r\n";
    char badchunk[] = "POST /github/secret-scanning HTTP/1.1\r\nHost: x\r\n"
                      "Transfer-Encoding: chunked\r\n\r\nZZZZ\r\nabc\r\n";
    unsigned char binary[512];
    for (size_t i = 0; i < sizeof(binary); i++) {
        binary[i] = (unsigned char)(i * 131u + 7u);
    }
    for (int round = 0; round < 20; round++) {
        poke(s.port, trunc, strlen(trunc), false);
        poke(s.port, (const char *)binary, sizeof(binary), true);
        poke(s.port, "\r\n\r\n\r\n", 6, false);
        poke(s.port, "GET / HTTP/9.9\r\n\r\n", 18, true);
        poke(s.port, "G\x01T /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 34, true);
        poke(s.port, tokpath, strlen(tokpath), true);
        poke(s.port, badlen, strlen(badlen), true);
        poke(s.port, badchunk, strlen(badchunk), true);
    }
    poke(s.port, hugeh, strlen(hugeh), false);
    free(hugeh);
    health_ok(s.port, "public port, garbage");
    for (int i = 0; i < SLOW; i++) {
        close(slow[i]);
    }

    /* 10,000 concurrent connections, far over the limit of 1000 */
    enum { FLOOD = 10000 };
    int *flood = malloc(sizeof(int) * FLOOD);
    size_t opened = 0;
    for (int i = 0; i < FLOOD; i++) {
        flood[i] = th_dial(s.port, true);
        opened += flood[i] >= 0;
    }
    cr_assert(gt(sz, opened, (size_t)(FLOOD * 9 / 10)), "only %zu connections opened", opened);
    usleep(500 * 1000);
    for (int i = 0; i < FLOOD; i += 2) {
        if (flood[i] >= 0) {
            send(flood[i], "GET /healthz HTTP/1.1\r\nHo", 25, MSG_NOSIGNAL);
        }
    }
    for (int round = 0; round < 3; round++) {
        health_ok(s.admin_port, "admin port, 10000 connections");
        cr_assert(eq(int, lh_proc_alive(&s.proc), 1));
        usleep(300 * 1000);
    }
    for (int i = 0; i < FLOOD; i++) {
        if (flood[i] >= 0) {
            close(flood[i]);
        }
    }
    free(flood);
    /* once the flood is gone the public port answers again (bounded by the idle timeout) */
    long status = 0;
    long long end = lh_now_ms() + 20000;
    while (status != 200 && lh_now_ms() < end) {
        char url[256];
        snprintf(url, sizeof(url), "%s/healthz", s.base);
        struct th_http r;
        th_get(&r, url);
        status = r.status;
        th_http_dispose(&r);
        if (status != 200) {
            usleep(200 * 1000);
        }
    }
    cr_assert(eq(long, status, 200));
    /* and still does its job */
    struct th_http r;
    post_vector(s.endpoint, KEY_A_ID, sig_a, body_a, strlen(body_a), &r);
    cr_assert(eq(long, r.status, 200));
    th_http_dispose(&r);
    cr_assert(eq(int, lh_proc_alive(&s.proc), 1));
    const char *const secrets[] = {marker, NULL};
    stop(&s, secrets);
}
