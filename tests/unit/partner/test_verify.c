/* SPDX-License-Identifier: MIT */
/*
 * Signature verification and key rings: GitHub's three public test vectors, every way a
 * request can be malformed (one byte changed, a trailing newline, unknown identifier,
 * base64 and DER errors, missing headers), the table-driven second reporter, key-list
 * parsing, the rate-limited refetch on unknown identifiers, and fetching the list from a
 * URL with conditional requests.
 */
#include "partner/handler.h"
#include "partner/keyring.h"
#include "partner/verify.h"
#include "support/partner_vectors.h"
#include "support/serve.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char *dir;
static char *keys_path;
static struct lh_keyring *kr;

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    lh_write_file(dir, "keys.json", github_keys, strlen(github_keys));
    size_t n = strlen(dir) + 16;
    keys_path = malloc(n);
    snprintf(keys_path, n, "%s/keys.json", dir);
    struct lh_keyring_opts o = {.name = "github", .file = keys_path};
    cr_assert(eq(int, lh_keyring_new(&kr, &o), 0), "%s", lh_error_get());
}

static void teardown(void)
{
    lh_keyring_free(kr);
    lh_rmtree(dir);
    free(dir);
    free(keys_path);
}

TestSuite(verify, .init = setup, .fini = teardown);

static enum lh_verify_result check(const char *id, const char *sig, const void *body, size_t len)
{
    struct lh_header h[2];
    size_t n = 0;
    if (id) {
        h[n++] = (struct lh_header){"Github-Public-Key-Identifier", id};
    }
    if (sig) {
        h[n++] = (struct lh_header){"Github-Public-Key-Signature", sig};
    }
    struct lh_header_list l = {h, n};
    struct lh_verifier row = {"github", "Github-Public-Key-Identifier",
                              "Github-Public-Key-Signature", kr};
    return lh_verify_request(&row, 1, lh_handler_header_list_get, &l, body, len, NULL);
}

Test(verify, github_public_vectors_verify)
{
    cr_assert(eq(sz, lh_keyring_count(kr), 3));
    cr_assert(eq(sz, strlen(body_a), 104));
    cr_assert(eq(sz, strlen(body_c), 83));
    cr_assert(eq(int, check(KEY_A_ID, sig_a, body_a, strlen(body_a)), LH_VERIFY_OK));
    cr_assert(eq(int, check(KEY_B_ID, sig_b, body_b, strlen(body_b)), LH_VERIFY_OK));
    cr_assert(eq(int, check(KEY_C_ID, sig_c, body_c, strlen(body_c)), LH_VERIFY_OK));
}

Test(verify, any_changed_byte_fails)
{
    char body[sizeof(body_a)];
    size_t len = strlen(body_a);
    for (size_t i = 0; i < len; i++) {
        memcpy(body, body_a, sizeof(body));
        body[i] ^= 0x01;
        cr_assert(eq(int, check(KEY_A_ID, sig_a, body, len), LH_VERIFY_BAD_SIGNATURE), "byte %zu",
                  i);
    }
}

Test(verify, trailing_newline_and_reserialised_bodies_fail)
{
    char body[256];
    snprintf(body, sizeof(body), "%s\n", body_a);
    cr_assert(eq(int, check(KEY_A_ID, sig_a, body, strlen(body)), LH_VERIFY_BAD_SIGNATURE));
    cr_assert(eq(int, check(KEY_A_ID, sig_a, "[]", 2), LH_VERIFY_BAD_SIGNATURE));
    cr_assert(eq(int, check(KEY_A_ID, sig_a, body_a, strlen(body_a) - 1), LH_VERIFY_BAD_SIGNATURE));
    /* the right signature under another listed key */
    cr_assert(eq(int, check(KEY_B_ID, sig_a, body_a, strlen(body_a)), LH_VERIFY_BAD_SIGNATURE));
}

Test(verify, unknown_key_identifier)
{
    static const char *const ids[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "BCB53661C06B4728E59D897FB6165D5C9CDA0FD9CDF9D09EAD458168DEB7518C", "", "bcb5",
        KEY_A_ID "00"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        cr_assert(eq(int, check(ids[i], sig_a, body_a, strlen(body_a)), LH_VERIFY_UNKNOWN_KEY),
                  "id %zu", i);
    }
}

Test(verify, malformed_base64_signatures)
{
    char longsig[700];
    memset(longsig, 'A', sizeof(longsig) - 1);
    longsig[sizeof(longsig) - 1] = 0;
    char unpadded[sizeof(sig_a)];
    memcpy(unpadded, sig_a, sizeof(sig_a));
    unpadded[strlen(unpadded) - 2] = 0; /* "==" removed */
    char urlsafe[sizeof(sig_a)];
    memcpy(urlsafe, sig_a, sizeof(sig_a));
    for (char *p = urlsafe; *p; p++) {
        *p = *p == '/' ? '_' : *p == '+' ? '-' : *p;
    }
    char spaced[sizeof(sig_a) + 1];
    snprintf(spaced, sizeof(spaced), " %s", sig_a);
    const char *const sigs[] = {"fakesignature", "",     "MEQC!", unpadded,
                                urlsafe,         spaced, longsig, "===="};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        cr_assert(eq(int, check(KEY_A_ID, sigs[i], body_a, strlen(body_a)), LH_VERIFY_BAD_ENCODING),
                  "signature %zu", i);
    }
}

Test(verify, malformed_der_signatures)
{
    /* base64 of: 3 zero bytes; the vector's DER with a trailing byte; a BER long-form
     * length (0x30 0x81 0x44 ...) of the same integers */
    unsigned char der[128];
    int n = EVP_DecodeBlock(der, (const unsigned char *)sig_a, (int)strlen(sig_a));
    cr_assert(gt(int, n, 70));
    size_t dlen = (size_t)der[1] + 2;
    unsigned char trailing[130];
    memcpy(trailing, der, dlen);
    trailing[dlen] = 0;
    unsigned char ber[130];
    ber[0] = 0x30;
    ber[1] = 0x81;
    memcpy(ber + 2, der + 1, dlen - 1);
    char t64[200];
    char b64[200];
    EVP_EncodeBlock((unsigned char *)t64, trailing, (int)dlen + 1);
    EVP_EncodeBlock((unsigned char *)b64, ber, (int)dlen + 1);
    const char *const sigs[] = {"AAAA", t64, b64, "MAA=", "MAYCAQECAQE="};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        enum lh_verify_result r = check(KEY_A_ID, sigs[i], body_a, strlen(body_a));
        if (i == 4) {
            /* well-formed DER of (r=1, s=1): parses, but does not verify */
            cr_assert(eq(int, r, LH_VERIFY_BAD_SIGNATURE));
        } else {
            cr_assert(eq(int, r, LH_VERIFY_BAD_DER), "signature %zu", i);
        }
    }
}

Test(verify, missing_headers)
{
    cr_assert(eq(int, check(NULL, NULL, body_a, strlen(body_a)), LH_VERIFY_MISSING_HEADER));
    cr_assert(eq(int, check(KEY_A_ID, NULL, body_a, strlen(body_a)), LH_VERIFY_MISSING_HEADER));
    cr_assert(eq(int, check(NULL, sig_a, body_a, strlen(body_a)), LH_VERIFY_MISSING_HEADER));
}

Test(verify, header_names_are_case_insensitive)
{
    struct lh_header h[] = {{"GITHUB-PUBLIC-KEY-IDENTIFIER", KEY_A_ID},
                            {"github-public-key-signature", sig_a}};
    struct lh_header_list l = {h, 2};
    struct lh_verifier row = {"github", "Github-Public-Key-Identifier",
                              "Github-Public-Key-Signature", kr};
    cr_assert(eq(int,
                 lh_verify_request(&row, 1, lh_handler_header_list_get, &l, (const uint8_t *)body_a,
                                   strlen(body_a), NULL),
                 LH_VERIFY_OK));
}

Test(verify, second_reporter_added_by_configuration)
{
    struct th_key k;
    th_key_new(&k);
    char *json = th_keys_json(&k, 1);
    lh_write_file(dir, "depsdev.json", json, strlen(json));
    char path[4096];
    snprintf(path, sizeof(path), "%s/depsdev.json", dir);
    struct lh_keyring *kr2 = NULL;
    struct lh_keyring_opts o = {.name = "depsdev", .file = path};
    cr_assert(eq(int, lh_keyring_new(&kr2, &o), 0));
    struct lh_verifier table[] = {
        {"github", "Github-Public-Key-Identifier", "Github-Public-Key-Signature", kr},
        {"depsdev", "GOSST-PUBLIC-KEY-IDENTIFIER", "GOSST-PUBLIC-KEY-SIGNATURE", kr2},
    };
    char *sig = th_sign(&k, body_c, strlen(body_c));
    struct lh_header h[] = {{"Gosst-Public-Key-Identifier", k.id},
                            {"Gosst-Public-Key-Signature", sig}};
    struct lh_header_list l = {h, 2};
    size_t row = 99;
    cr_assert(eq(int,
                 lh_verify_request(table, 2, lh_handler_header_list_get, &l,
                                   (const uint8_t *)body_c, strlen(body_c), &row),
                 LH_VERIFY_OK));
    cr_assert(eq(sz, row, 1));
    /* the deps.dev key under GitHub's headers is unknown to GitHub's key ring */
    struct lh_header hg[] = {{"Github-Public-Key-Identifier", k.id},
                             {"Github-Public-Key-Signature", sig}};
    struct lh_header_list lg = {hg, 2};
    cr_assert(eq(int,
                 lh_verify_request(table, 2, lh_handler_header_list_get, &lg,
                                   (const uint8_t *)body_c, strlen(body_c), &row),
                 LH_VERIFY_UNKNOWN_KEY));
    cr_assert(eq(sz, row, 0));
    free(sig);
    free(json);
    lh_keyring_free(kr2);
    th_key_free(&k);
}

Test(verify, result_names_are_metric_labels)
{
    cr_assert(eq(str, (char *)lh_verify_result_name(LH_VERIFY_BAD_DER), "bad_der"));
    cr_assert(eq(str, (char *)lh_verify_result_name(LH_VERIFY_UNKNOWN_KEY), "unknown_key"));
    cr_assert(eq(str, (char *)lh_verify_result_name((enum lh_verify_result)77), "error"));
}

/* ---- key rings ---- */

TestSuite(keyring, .init = setup, .fini = teardown);

Test(keyring, rejects_malformed_lists_and_keeps_the_old_set)
{
    static const char *const bad[] = {
        "",
        "not json",
        "[]",
        "{\"keys\":[]}",
        "{\"public_keys\":{}}",
        "{\"public_keys\":[]}",
        "{\"public_keys\":[1]}",
        "{\"public_keys\":[{\"key_identifier\":\"x\"}]}",
        "{\"public_keys\":[{\"key_identifier\":5,\"key\":\"" PEM_A "\"}]}",
        "{\"public_keys\":[{\"key_identifier\":\"a b\",\"key\":\"" PEM_A "\"}]}",
        "{\"public_keys\":[{\"key_identifier\":\"x\",\"key\":\"not a pem\"}]}",
        "{\"public_keys\":[{\"key_identifier\":\"x\",\"key\":\"" PEM_A "\",\"is_current\":1}]}",
        "{\"public_keys\":[{\"key_identifier\":\"x\",\"key\":\"" PEM_A
        "\"},{\"key_identifier\":\"x\",\"key\":\"" PEM_B "\"}]}",
        "{\"public_keys\":[],\"public_keys\":[]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = lh_keyring_load_buffer(kr, (const uint8_t *)bad[i], strlen(bad[i]), "test");
        cr_assert(lt(int, rc, 0), "list %zu accepted", i);
        cr_assert(ne(str, (char *)lh_error_get(), ""));
        cr_assert(eq(sz, lh_keyring_count(kr), 3), "list %zu replaced the set", i);
    }
}

Test(keyring, skips_keys_that_are_not_p256)
{
    cr_assert(eq(int,
                 lh_sh(dir, "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 "
                            "-out rsa.pem 2>/dev/null && openssl pkey -in rsa.pem -pubout "
                            "-out rsa.pub && openssl genpkey -algorithm EC -pkeyopt "
                            "ec_paramgen_curve:P-384 -out p384.pem 2>/dev/null && openssl "
                            "pkey -in p384.pem -pubout -out p384.pub"),
                 0));
    char path[4096];
    snprintf(path, sizeof(path), "%s/rsa.pub", dir);
    char *rsa = lh_read_file(path);
    snprintf(path, sizeof(path), "%s/p384.pub", dir);
    char *p384 = lh_read_file(path);
    cr_assert(rsa != NULL);
    cr_assert(p384 != NULL);
    json_t *list = json_pack("{s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}]}", "public_keys", "key_identifier",
                             "rsa", "key", rsa, "key_identifier", "p384", "key", p384,
                             "key_identifier", "p256", "key",
                             "-----BEGIN PUBLIC KEY-----\n"
                             "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYAGMWO8XgCamYKMJS6jc/qgvSlAd\n"
                             "AjPuDPRcXU22YxgBrz+zoN19MzuRyW87qEt9/AmtoNP5GrobzUvQSyJFVw==\n"
                             "-----END PUBLIC KEY-----\n");
    cr_assert(list != NULL);
    char *s = json_dumps(list, 0);
    cr_assert(eq(int, lh_keyring_load_buffer(kr, (const uint8_t *)s, strlen(s), "test"), 0));
    cr_assert(eq(sz, lh_keyring_count(kr), 1));
    EVP_PKEY *pk = NULL;
    cr_assert(eq(int, lh_keyring_lookup(kr, &pk, NULL, "p256", 4), 0));
    EVP_PKEY_free(pk);
    /* (an unknown identifier reloads the sources: the file's GitHub keys come back) */
    cr_assert(eq(int, lh_keyring_lookup(kr, &pk, NULL, "rsa", 3), LH_ENOTFOUND));
    cr_assert(eq(sz, lh_keyring_count(kr), 3));
    /* a list with no P-256 key at all is refused */
    json_array_remove(json_object_get(list, "public_keys"), 2);
    free(s);
    s = json_dumps(list, 0);
    cr_assert(
        eq(int, lh_keyring_load_buffer(kr, (const uint8_t *)s, strlen(s), "test"), LH_EINVAL));
    cr_assert(eq(sz, lh_keyring_count(kr), 3));
    free(s);
    json_decref(list);
    free(rsa);
    free(p384);
}

Test(keyring, lookup_reports_is_current)
{
    EVP_PKEY *pk = NULL;
    bool cur = false;
    cr_assert(eq(int, lh_keyring_lookup(kr, &pk, &cur, KEY_A_ID, strlen(KEY_A_ID)), 0));
    cr_assert(eq(int, cur, 1));
    EVP_PKEY_free(pk);
    cr_assert(eq(int, lh_keyring_lookup(kr, &pk, &cur, KEY_B_ID, strlen(KEY_B_ID)), 0));
    cr_assert(eq(int, cur, 0));
    EVP_PKEY_free(pk);
}

Test(keyring, unknown_identifier_refetches_once_then_is_rate_limited)
{
    struct th_key k[3];
    for (int i = 0; i < 3; i++) {
        th_key_new(&k[i]);
    }
    char *one = th_keys_json(k, 1);
    lh_write_file(dir, "rot.json", one, strlen(one));
    char path[4096];
    snprintf(path, sizeof(path), "%s/rot.json", dir);
    struct lh_keyring *r = NULL;
    struct lh_keyring_opts o = {.name = "github", .file = path, .min_refetch = 60};
    cr_assert(eq(int, lh_keyring_new(&r, &o), 0));
    /* the list rotates: key 1 appears; the first unknown identifier reloads at once */
    char *two = th_keys_json(k, 2);
    lh_write_file(dir, "rot.json", two, strlen(two));
    EVP_PKEY *pk = NULL;
    cr_assert(eq(int, lh_keyring_lookup(r, &pk, NULL, k[1].id, 64), 0));
    EVP_PKEY_free(pk);
    cr_assert(eq(sz, lh_keyring_reloads(r), 1));
    /* a second rotation within min_refetch is not picked up by unknown identifiers */
    char *three = th_keys_json(k, 3);
    lh_write_file(dir, "rot.json", three, strlen(three));
    for (int i = 0; i < 20; i++) {
        cr_assert(eq(int, lh_keyring_lookup(r, &pk, NULL, k[2].id, 64), LH_ENOTFOUND));
    }
    cr_assert(eq(sz, lh_keyring_reloads(r), 1));
    /* but an explicit refresh (SIGHUP) is */
    cr_assert(eq(int, lh_keyring_refresh(r, true), 0));
    cr_assert(eq(int, lh_keyring_lookup(r, &pk, NULL, k[2].id, 64), 0));
    EVP_PKEY_free(pk);
    lh_keyring_free(r);
    free(one);
    free(two);
    free(three);
    for (int i = 0; i < 3; i++) {
        th_key_free(&k[i]);
    }
}

Test(keyring, fetches_from_a_url_with_conditional_requests)
{
    struct th_sink sink;
    struct th_key k[2];
    th_key_new(&k[0]);
    th_key_new(&k[1]);
    th_sink_start(&sink);
    char *one = th_keys_json(k, 1);
    th_sink_set_get(&sink, one, "\"v1\"");
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/keys", sink.port);
    struct lh_keyring *r = NULL;
    struct lh_keyring_opts o = {.name = "github", .url = url, .ttl = 3600, .timeout = 5};
    cr_assert(eq(int, lh_keyring_new(&r, &o), 0), "%s", lh_error_get());
    cr_assert(eq(sz, lh_keyring_count(r), 1));
    cr_assert(eq(sz, th_sink_gets(&sink), 1));
    /* not due: no fetch */
    cr_assert(eq(int, lh_keyring_refresh(r, false), 0));
    cr_assert(eq(sz, th_sink_gets(&sink), 1));
    /* forced, unchanged: 304 keeps the keys */
    cr_assert(eq(int, lh_keyring_refresh(r, true), 0));
    cr_assert(eq(sz, th_sink_gets(&sink), 2));
    cr_assert(eq(sz, lh_keyring_count(r), 1));
    /* rotated: an unknown identifier fetches the new list */
    char *two = th_keys_json(k, 2);
    th_sink_set_get(&sink, two, "\"v2\"");
    EVP_PKEY *pk = NULL;
    cr_assert(eq(int, lh_keyring_lookup(r, &pk, NULL, k[1].id, 64), 0));
    EVP_PKEY_free(pk);
    cr_assert(eq(sz, th_sink_gets(&sink), 3));
    /* the URL fails: the keys stay */
    th_sink_set_get(&sink, NULL, NULL);
    cr_assert(lt(int, lh_keyring_refresh(r, true), 0));
    cr_assert(eq(sz, lh_keyring_count(r), 2));
    lh_keyring_free(r);
    th_sink_stop(&sink);
    free(one);
    free(two);
    th_key_free(&k[0]);
    th_key_free(&k[1]);
}

static int warnings;
static void count_warn(const char *msg, void *payload)
{
    (void)msg;
    (void)payload;
    warnings++;
}

Test(keyring, unreachable_url_falls_back_to_the_file)
{
    struct lh_keyring *r = NULL;
    struct lh_keyring_opts o = {.name = "github",
                                .file = keys_path,
                                .url = "http://127.0.0.1:1/keys",
                                .timeout = 2,
                                .warn = count_warn};
    warnings = 0;
    cr_assert(eq(int, lh_keyring_new(&r, &o), 0));
    cr_assert(eq(sz, lh_keyring_count(r), 3));
    cr_assert(eq(int, warnings, 1));
    lh_keyring_free(r);
    /* no source at all, or only a broken one, is an error */
    struct lh_keyring_opts none = {.name = "github"};
    cr_assert(eq(int, lh_keyring_new(&r, &none), LH_EINVAL));
    struct lh_keyring_opts gone = {.name = "github", .file = "/nonexistent/keys.json"};
    cr_assert(eq(int, lh_keyring_new(&r, &gone), LH_EIO));
}
