/* SPDX-License-Identifier: MIT */
/*
 * The request handler as a pure function (no socket): real rules and detector, a key pair
 * made here, and every answer checked field by field: labels for valid and invalid tokens
 * of several formats, the type map, token_hash versus token_raw, rejection before parsing,
 * the body cap, spool failures, metrics, and a body that ends right before a guard page.
 */
#include "finding/detect.h"
#include "partner/handler.h"
#include "rules/ruleset.h"
#include "support/serve.h"
#include "util/hash.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char test_rules[] =
    "rules:\n"
    "  - id: test-probable\n"
    "    name: test token without a validator\n"
    "    keywords: [tstp_]\n"
    "    pattern: '(?<![A-Za-z0-9_])(?<secret>tstp_[a-z0-9]{24})(?![A-Za-z0-9_])'\n"
    "    confidence: probable\n"
    "    examples: [tstp_q8w7e6r5t4y3u2i1o0p9a8s7]\n"
    "    negative_examples: [tstp_short]\n";

static char *dir;
static struct lh_ruleset *rs;
static struct lh_detector *det;
static struct th_key key;
static struct lh_keyring *kr;
static struct lh_verifier row;
static struct lh_metrics *metrics;
static struct lh_handler *h;
static struct lh_type_map_entry tmap[1];

#define MAX_HITS 64
static struct {
    char rule[64];
    char sha[65];
    int conf;
    char type[64];
    char url[128];
    char reporter[32];
} hits[MAX_HITS];
static size_t nhits;
static int enqueue_rc;

static int record(const struct lh_handler_hit *hit, void *payload)
{
    (void)payload;
    if (enqueue_rc < 0) {
        return enqueue_rc;
    }
    if (nhits < MAX_HITS) {
        snprintf(hits[nhits].rule, sizeof(hits[nhits].rule), "%s", hit->rule->id);
        lh_sha256_hex(hits[nhits].sha, hit->token, hit->token_len);
        hits[nhits].conf = (int)hit->confidence;
        snprintf(hits[nhits].type, sizeof(hits[nhits].type), "%s", hit->type);
        snprintf(hits[nhits].url, sizeof(hits[nhits].url), "%s", hit->url);
        snprintf(hits[nhits].reporter, sizeof(hits[nhits].reporter), "%s", hit->reporter);
        nhits++;
    }
    return 1;
}

static void make_handler(bool raw, size_t max_body)
{
    lh_handler_free(h);
    h = NULL;
    struct lh_handler_opts o = {
        .detector = det,
        .verifiers = &row,
        .nverifiers = 1,
        .type_map = tmap,
        .ntype_map = 1,
        .feedback_raw = raw,
        .max_body = max_body,
        .metrics = metrics,
        .enqueue = record,
    };
    cr_assert(eq(int, lh_handler_new(&h, &o), 0), "%s", lh_error_get());
}

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(eq(int, lh_ruleset_load_builtin(rs), 0), "%s", lh_error_get());
    cr_assert(
        eq(int,
           lh_ruleset_load_buffer(rs, "test.yml", (const uint8_t *)test_rules, strlen(test_rules)),
           0),
        "%s", lh_error_get());
    struct lh_detect_opts dopts = {.matcher = {.use_cache = true}, .inline_allow = true};
    cr_assert(eq(int, lh_detector_new(&det, rs, &dopts), 0), "%s", lh_error_get());
    th_key_new(&key);
    char *json = th_keys_json(&key, 1);
    lh_write_file(dir, "keys.json", json, strlen(json));
    free(json);
    char path[4096];
    snprintf(path, sizeof(path), "%s/keys.json", dir);
    struct lh_keyring_opts ko = {.name = "github", .file = path};
    cr_assert(eq(int, lh_keyring_new(&kr, &ko), 0));
    row = (struct lh_verifier){"github", "Github-Public-Key-Identifier",
                               "Github-Public-Key-Signature", kr};
    tmap[0].type = "npm_access_token";
    memset(&tmap[0].rule_ids, 0, sizeof(tmap[0].rule_ids));
    cr_assert(eq(int, lh_strlist_push(&tmap[0].rule_ids, "npm-*"), 0));
    cr_assert(eq(int, lh_handler_metrics_new(&metrics), 0));
    nhits = 0;
    enqueue_rc = 0;
    make_handler(false, 0);
}

static void teardown(void)
{
    lh_handler_free(h);
    h = NULL;
    lh_metrics_free(metrics);
    lh_strlist_dispose(&tmap[0].rule_ids);
    lh_keyring_free(kr);
    th_key_free(&key);
    lh_detector_free(det);
    lh_ruleset_free(rs);
    lh_rmtree(dir);
    free(dir);
}

TestSuite(handler, .init = setup, .fini = teardown);

/* Signs body with the test key (or uses sig), posts it, returns the parsed JSON answer. */
static json_t *post(struct lh_server_result *res, const char *body, size_t len, const char *sig)
{
    char *own = sig ? NULL : th_sign(&key, body, len);
    struct lh_header hs[] = {{"Github-Public-Key-Identifier", key.id},
                             {"Github-Public-Key-Signature", sig ? sig : own}};
    struct lh_header_list l = {hs, 2};
    lh_server_result_init(res);
    lh_handler_post(h, lh_handler_header_list_get, &l, (const uint8_t *)body, len, res);
    free(own);
    json_error_t je;
    return json_loadb(res->body.ptr, res->body.len, 0, &je);
}

static const char *field(json_t *arr, size_t i, const char *k)
{
    return json_string_value(json_object_get(json_array_get(arr, i), k));
}

Test(handler, labels_valid_and_invalid_tokens_of_several_formats)
{
    char ghp[41], gho[41], npm[41], bad[41];
    lh_make_github_token(ghp, "ghp_", "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    lh_make_github_token(gho, "gho_", "Pz4Xc7Vb2Nm9Lk1Jh6Gf3Ds8Aq5Wr0");
    lh_make_github_token(npm, "npm_", "Hy2Tg5Rf8Ed1Ws4Qa7Zx0Cv3Bn6Mk9");
    memcpy(bad, ghp, sizeof(bad));
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    const char *tokens[] = {ghp,
                            bad,
                            gho,
                            npm,
                            "tstp_q8w7e6r5t4y3u2i1o0p9a8s7",
                            "some_token",
                            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
                            ""};
    const bool expect[] = {true, false, true, true, true, false, false, false};
    size_t n = sizeof(tokens) / sizeof(tokens[0]);
    json_t *req = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(req, json_pack("{s:s,s:s,s:s,s:s}", "token", tokens[i], "type",
                                             "some_type", "url", "https://example.com/x", "source",
                                             "commit"));
    }
    char *body = json_dumps(req, JSON_COMPACT);
    struct lh_server_result res;
    json_t *ans = post(&res, body, strlen(body), NULL);
    cr_assert(eq(int, res.status, 200), "%s", res.body.ptr);
    cr_assert(eq(int, json_is_array(ans) ? 1 : 0, 1));
    cr_assert(eq(sz, json_array_size(ans), n));
    size_t tp = 0;
    for (size_t i = 0; i < n; i++) {
        char want[65];
        lh_test_sha256_hex(want, tokens[i]);
        json_t *e = json_array_get(ans, i);
        cr_assert(eq(sz, json_object_size(e), 3), "element %zu has other fields", i);
        cr_assert(eq(str, (char *)field(ans, i, "token_hash"), want));
        cr_assert(json_object_get(e, "token_raw") == NULL);
        cr_assert(eq(str, (char *)field(ans, i, "token_type"), "some_type"));
        cr_assert(
            eq(str, (char *)field(ans, i, "label"), expect[i] ? "true_positive" : "false_positive"),
            "token %zu", i);
        tp += expect[i];
    }
    cr_assert(eq(sz, res.tokens, n));
    cr_assert(eq(sz, res.true_positives, tp));
    cr_assert(eq(sz, res.false_positives, n - tp));
    cr_assert(eq(str, (char *)res.reporter, "github"));
    /* every true positive went to the spool, with its rule and confidence */
    cr_assert(eq(sz, nhits, tp));
    cr_assert(eq(str, hits[0].rule, "github-pat-classic"));
    cr_assert(eq(int, hits[0].conf, LH_CONF_CONFIRMED));
    cr_assert(eq(str, hits[1].rule, "github-oauth-token"));
    cr_assert(eq(str, hits[2].rule, "npm-access-token"));
    cr_assert(eq(str, hits[3].rule, "test-probable"));
    cr_assert(eq(int, hits[3].conf, LH_CONF_PROBABLE));
    cr_assert(eq(str, hits[0].url, "https://example.com/x"));
    cr_assert(eq(str, hits[0].reporter, "github"));
    char s0[65];
    lh_test_sha256_hex(s0, ghp);
    cr_assert(eq(str, hits[0].sha, s0));
    json_decref(ans);
    json_decref(req);
    free(body);
    lh_server_result_dispose(&res);
}

Test(handler, type_map_restricts_the_rules)
{
    char ghp[41], npm[41];
    lh_make_github_token(ghp, "ghp_", "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    lh_make_github_token(npm, "npm_", "Hy2Tg5Rf8Ed1Ws4Qa7Zx0Cv3Bn6Mk9");
    char body[512];
    snprintf(body, sizeof(body),
             "[{\"token\":\"%s\",\"type\":\"npm_access_token\"},"
             "{\"token\":\"%s\",\"type\":\"npm_access_token\"},"
             "{\"token\":\"%s\",\"type\":\"unmapped_type\"},"
             "{\"token\":\"%s\"}]",
             ghp, npm, ghp, ghp);
    struct lh_server_result res;
    json_t *ans = post(&res, body, strlen(body), NULL);
    cr_assert(eq(int, res.status, 200));
    cr_assert(eq(str, (char *)field(ans, 0, "label"), "false_positive"));
    cr_assert(eq(str, (char *)field(ans, 1, "label"), "true_positive"));
    cr_assert(eq(str, (char *)field(ans, 2, "label"), "true_positive"));
    cr_assert(eq(str, (char *)field(ans, 3, "label"), "true_positive"));
    cr_assert(eq(str, (char *)field(ans, 0, "token_type"), "npm_access_token"));
    cr_assert(eq(str, (char *)field(ans, 3, "token_type"), ""));
    json_decref(ans);
    lh_server_result_dispose(&res);
}

Test(handler, token_raw_feedback_has_no_hash)
{
    make_handler(true, 0);
    char ghp[41];
    lh_make_github_token(ghp, "ghp_", "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    char body[256];
    snprintf(body, sizeof(body), "[{\"token\":\"%s\",\"type\":\"t\"},{\"token\":\"x\\\"y\"}]", ghp);
    struct lh_server_result res;
    json_t *ans = post(&res, body, strlen(body), NULL);
    cr_assert(eq(int, res.status, 200));
    cr_assert(eq(str, (char *)field(ans, 0, "token_raw"), ghp));
    cr_assert(eq(str, (char *)field(ans, 1, "token_raw"), "x\"y"));
    cr_assert(json_object_get(json_array_get(ans, 0), "token_hash") == NULL);
    cr_assert(eq(str, (char *)field(ans, 0, "label"), "true_positive"));
    json_decref(ans);
    lh_server_result_dispose(&res);
}

Test(handler, verifies_before_parsing)
{
    /* not JSON, badly signed: the signature decides (401), never the parser */
    struct lh_server_result res;
    char *sig = th_sign(&key, "other", 5);
    json_t *ans = post(&res, "{{{ not json", 12, sig);
    cr_assert(eq(int, res.status, 401));
    cr_assert(eq(str, (char *)res.error, "bad_signature"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(ans, "error")), "bad_signature"));
    cr_assert(eq(sz, nhits, 0));
    json_decref(ans);
    lh_server_result_dispose(&res);
    free(sig);
    /* missing headers */
    struct lh_header_list none = {NULL, 0};
    lh_server_result_init(&res);
    lh_handler_post(h, lh_handler_header_list_get, &none, (const uint8_t *)"[]", 2, &res);
    cr_assert(eq(int, res.status, 400));
    cr_assert(eq(str, (char *)res.error, "missing_header"));
    lh_server_result_dispose(&res);
    cr_assert(eq(int, (int)lh_metrics_get_signature_failures(metrics, LH_VERIFY_BAD_SIGNATURE), 1));
    cr_assert(
        eq(int, (int)lh_metrics_get_signature_failures(metrics, LH_VERIFY_MISSING_HEADER), 1));
}

Test(handler, signed_bodies_that_are_not_arrays_of_token_objects_are_400)
{
    static const char *const bodies[] = {"{}",
                                         "\"x\"",
                                         "[1]",
                                         "[{\"type\":\"x\"}]",
                                         "[{\"token\":5}]",
                                         "nul",
                                         "",
                                         "[{\"token\":\"a\"}] x",
                                         "[{\"token\":\"a\",\"token\":\"b\"}]",
                                         "[{\"token\":\"a\\u0000b\"}]",
                                         "[[]]",
                                         "[{\"token\":\"a\"},null]"};
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct lh_server_result res;
        json_t *ans = post(&res, bodies[i], strlen(bodies[i]), NULL);
        cr_assert(eq(int, res.status, 400), "body %zu: %d", i, res.status);
        cr_assert(ans != NULL);
        json_decref(ans);
        lh_server_result_dispose(&res);
    }
    cr_assert(eq(sz, nhits, 0));
    /* an empty array is a valid, empty report */
    struct lh_server_result res;
    json_t *ans = post(&res, "[]", 2, NULL);
    cr_assert(eq(int, res.status, 200));
    cr_assert(eq(sz, json_array_size(ans), 0));
    json_decref(ans);
    lh_server_result_dispose(&res);
}

Test(handler, body_over_the_cap_is_413_without_verification)
{
    make_handler(false, 64);
    char body[65];
    memset(body, ' ', sizeof(body));
    body[0] = '[';
    body[63] = ']';
    struct lh_server_result res;
    json_t *ans = post(&res, body, 65, "garbage");
    cr_assert(eq(int, res.status, 413));
    json_decref(ans);
    lh_server_result_dispose(&res);
    ans = post(&res, body, 64, NULL);
    cr_assert(eq(int, res.status, 200));
    json_decref(ans);
    lh_server_result_dispose(&res);
}

Test(handler, spool_failure_is_503)
{
    enqueue_rc = LH_EIO;
    char ghp[41];
    lh_make_github_token(ghp, "ghp_", "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    char body[128];
    snprintf(body, sizeof(body), "[{\"token\":\"%s\",\"type\":\"t\"}]", ghp);
    struct lh_server_result res;
    json_t *ans = post(&res, body, strlen(body), NULL);
    cr_assert(eq(int, res.status, 503));
    cr_assert(eq(str, (char *)res.error, "spool_unavailable"));
    cr_assert(strstr(res.body.ptr, ghp) == NULL);
    json_decref(ans);
    lh_server_result_dispose(&res);
    /* false positives alone never touch the spool */
    ans = post(&res, "[{\"token\":\"nope\"}]", 18, NULL);
    cr_assert(eq(int, res.status, 200));
    json_decref(ans);
    lh_server_result_dispose(&res);
}

Test(handler, huge_tokens_and_batches)
{
    /* a 20 KB token is a false positive, classified without running the rules */
    size_t big = 20000;
    char *body = malloc(big + 64);
    memcpy(body, "[{\"token\":\"ghp_", 15);
    memset(body + 15, 'a', big);
    memcpy(body + 15 + big, "\"}]", 4);
    struct lh_server_result res;
    json_t *ans = post(&res, body, strlen(body), NULL);
    cr_assert(eq(int, res.status, 200));
    cr_assert(eq(str, (char *)field(ans, 0, "label"), "false_positive"));
    json_decref(ans);
    lh_server_result_dispose(&res);
    free(body);
    /* 1000 tokens in one request */
    json_t *req = json_array();
    for (unsigned i = 0; i < 1000; i++) {
        char tok[41];
        char b30[32];
        snprintf(b30, sizeof(b30), "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9G%05u", i % 100000u);
        lh_make_github_token(tok, "ghp_", b30);
        json_array_append_new(req, json_pack("{s:s,s:s}", "token", tok, "type", "t"));
    }
    body = json_dumps(req, JSON_COMPACT);
    ans = post(&res, body, strlen(body), NULL);
    cr_assert(eq(int, res.status, 200));
    cr_assert(eq(sz, json_array_size(ans), 1000));
    cr_assert(eq(sz, res.true_positives, 1000));
    json_decref(ans);
    json_decref(req);
    free(body);
    lh_server_result_dispose(&res);
}

/* The body ends exactly where an inaccessible page begins: any over-read faults. */
Test(handler, body_at_a_guard_page)
{
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *map =
        mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(map != MAP_FAILED);
    cr_assert(eq(int, mprotect(map + page, (size_t)page, PROT_NONE), 0));
    char ghp[41];
    lh_make_github_token(ghp, "ghp_", "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    char text[128];
    snprintf(text, sizeof(text), "[{\"token\":\"%s\"}]", ghp);
    const char *const bodies[] = {text, "[{\"token\":\"ghp_", "[",
                                  "{\"a\":", "[{\"token\":\"x\"}]"};
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        size_t len = strlen(bodies[i]);
        uint8_t *at = map + page - len;
        memcpy(at, bodies[i], len);
        struct lh_server_result res;
        char *sig = th_sign(&key, at, len);
        struct lh_header hs[] = {{"Github-Public-Key-Identifier", key.id},
                                 {"Github-Public-Key-Signature", sig}};
        struct lh_header_list l = {hs, 2};
        lh_server_result_init(&res);
        lh_handler_post(h, lh_handler_header_list_get, &l, at, len, &res);
        cr_assert(eq(int, res.status, i == 0 || i == 4 ? 200 : 400), "body %zu", i);
        lh_server_result_dispose(&res);
        free(sig);
    }
    munmap(map, (size_t)page * 2);
}

Test(handler, rejects_bad_reporter_names)
{
    struct lh_verifier bad = {"git hub", "a", "b", kr};
    struct lh_handler_opts o = {.detector = det, .verifiers = &bad, .nverifiers = 1};
    struct lh_handler *x = NULL;
    cr_assert(eq(int, lh_handler_new(&x, &o), LH_EINVAL));
    o.nverifiers = 0;
    cr_assert(eq(int, lh_handler_new(&x, &o), LH_EINVAL));
}

Test(handler, precheck_answers_unknown_keys_and_missing_headers_from_the_headers_alone)
{
    struct lh_server_result res;
    char bogus[65];
    memset(bogus, '0', 64);
    bogus[64] = 0;
    struct {
        const char *id, *sig;
        bool go_on;
        int status;
        const char *error;
    } cases[] = {
        {key.id, "AAAA", true, 0, NULL}, /* known key: the body decides, even if badly signed */
        {bogus, "AAAA", false, 401, "unknown_key"},
        {key.id, NULL, false, 400, "missing_header"},
        {NULL, NULL, false, 400, "missing_header"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lh_header hs[2];
        size_t n = 0;
        if (cases[i].id) {
            hs[n++] = (struct lh_header){"Github-Public-Key-Identifier", cases[i].id};
        }
        if (cases[i].sig) {
            hs[n++] = (struct lh_header){"Github-Public-Key-Signature", cases[i].sig};
        }
        struct lh_header_list l = {hs, n};
        lh_server_result_init(&res);
        bool go_on = lh_handler_precheck(h, lh_handler_header_list_get, &l, &res);
        cr_assert(eq(int, go_on, cases[i].go_on), "case %zu", i);
        cr_assert(eq(int, res.status, cases[i].status), "case %zu", i);
        if (cases[i].error) {
            cr_assert(eq(str, (char *)res.error, (char *)cases[i].error));
            cr_assert(strstr(res.body.ptr, cases[i].error) != NULL, "case %zu", i);
        }
        cr_assert(eq(str, (char *)res.reporter, "github"));
        lh_server_result_dispose(&res);
    }
    cr_assert(eq(int, (int)lh_metrics_get_signature_failures(metrics, LH_VERIFY_UNKNOWN_KEY), 1));
    cr_assert(
        eq(int, (int)lh_metrics_get_signature_failures(metrics, LH_VERIFY_MISSING_HEADER), 2));
    cr_assert(eq(sz, nhits, 0));
}
