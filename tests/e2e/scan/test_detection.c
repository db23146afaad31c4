/* SPDX-License-Identifier: MIT */
/*
 * End-to-end detection tests of the built-in catalogue (issue 13), through the real binary
 * on real files: checksum formats without a context word, private keys made by OpenSSL and
 * ssh-keygen (plain, in JSON strings), credential files written as a user's machine has
 * them, and the precision cases (identifier boundaries, `sk_live_` of other issuers,
 * typed placeholders).
 */
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(detection);

static void put(const char *rel, const char *text)
{
    lh_write_file(dir, rel, text, strlen(text));
}

/* Scans dir (JSON); returns the findings array (caller json_decref) and checks the exit. */
static json_t *scan_json(int want_status)
{
    struct lh_run r;
    cr_assert(eq(int, lh_run_lh(&r, dir, NULL, "scan", "--format", "json", ".", NULL), 0));
    cr_assert(eq(int, r.status, want_status), "exit %d, stderr: %s", r.status, r.err);
    json_error_t e;
    json_t *doc = json_loads(r.out, 0, &e);
    cr_assert(doc != NULL, "%s", r.out);
    lh_run_dispose(&r);
    json_t *arr = json_is_array(doc) ? doc : json_object_get(doc, "findings");
    cr_assert(arr != NULL && json_is_array(arr));
    json_incref(arr);
    json_decref(doc);
    return arr;
}

/* The finding of `rule` in file `path`, or NULL. Borrowed from arr. */
static json_t *find(json_t *arr, const char *path, const char *rule)
{
    size_t i;
    json_t *f;
    json_array_foreach(arr, i, f)
    {
        const char *p = json_string_value(json_object_get(f, "path"));
        const char *id = json_string_value(json_object_get(f, "rule_id"));
        if (p && id && !strcmp(id, rule) &&
            (!strcmp(p, path) || (p[0] == '.' && p[1] == '/' && !strcmp(p + 2, path)))) {
            return f;
        }
    }
    return NULL;
}

static const char *conf(json_t *f)
{
    return json_string_value(json_object_get(f, "confidence"));
}

static size_t count_in(json_t *arr, const char *path)
{
    size_t i, n = 0;
    json_t *f;
    json_array_foreach(arr, i, f)
    {
        const char *p = json_string_value(json_object_get(f, "path"));
        if (p && (!strcmp(p, path) || (p[0] == '.' && p[1] == '/' && !strcmp(p + 2, path)))) {
            n++;
        }
    }
    return n;
}

Test(detection, wif_and_stellar_seed_without_context_are_confirmed)
{
    /* no "bitcoin", "wif", "stellar" or "secret" anywhere in these files */
    put("a.txt", "value: L46nU8is2onRBZbD9zZqttunWBeW5udxdFpvRYejaXGRJTvjVrDN\n");
    put("b.txt", "k = \"SDMH3QGZFUQT25TLPQTLGY56GEWIYCAKNOTJGRFDLDACR2BIIAXLFY7M\"\n");
    /* one character changed each: not reported */
    put("c.txt", "value: L46nU8is2onRBZbD9zZqttunWBeW5udxdFpvRYejaXGRJTvjVrDM\n");
    put("d.txt", "k = \"SDMH3QGZFUQT25TLPQTLGY56GEWIYCAKNOTJGRFDLDACR2BIIAXLFY7N\"\n");
    json_t *arr = scan_json(1);
    json_t *f = find(arr, "a.txt", "bitcoin-wif-private-key");
    cr_assert(f != NULL);
    cr_assert(eq(str, (char *)conf(f), "confirmed"));
    f = find(arr, "b.txt", "stellar-secret-seed");
    cr_assert(f != NULL);
    cr_assert(eq(str, (char *)conf(f), "confirmed"));
    cr_assert(eq(sz, count_in(arr, "c.txt"), 0));
    cr_assert(eq(sz, count_in(arr, "d.txt"), 0));
    json_decref(arr);
}

/* Writes key `name` with cmd, and a JSON file `name.json` holding it as a string. */
static void key_and_json(const char *name, const char *cmd)
{
    cr_assert(eq(int, lh_sh(dir, "%s >/dev/null 2>&1", cmd), 0), "%s", cmd);
    cr_assert(eq(int,
                 lh_sh(dir,
                       "python3 -c 'import json,sys; print(json.dumps({\"type\": \"key\", "
                       "\"private_key\": open(sys.argv[1]).read()}))' %s > %s.json",
                       name, name),
                 0));
}

Test(detection, private_keys_of_every_kind_found_and_parsed)
{
    struct {
        const char *name, *cmd, *rule, *conf;
    } keys[] = {
        {"ed25519.pem", "openssl genpkey -algorithm ed25519 -out ed25519.pem", "pem-private-key",
         "confirmed"},
        {"x25519.pem", "openssl genpkey -algorithm x25519 -out x25519.pem", "pem-private-key",
         "confirmed"},
        {"ed448.pem", "openssl genpkey -algorithm ed448 -out ed448.pem", "pem-private-key",
         "confirmed"},
        {"ec.pem", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem",
         "pem-private-key", "confirmed"},
        {"rsa8.pem", "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa8.pem",
         "pem-private-key", "confirmed"},
        {"rsa1.pem", "openssl genrsa -traditional -out rsa1.pem 2048", "pem-private-key",
         "confirmed"},
        {"id_ed25519", "ssh-keygen -q -t ed25519 -N '' -C '' -f id_ed25519", "openssh-private-key",
         "confirmed"},
        {"id_rsa", "ssh-keygen -q -t rsa -b 2048 -N '' -C '' -f id_rsa", "openssh-private-key",
         "confirmed"},
        {"enc.pem", "openssl genpkey -algorithm ed25519 -aes256 -pass pass:pw -out enc.pem",
         "pem-private-key", "low"},
        {"id_enc", "ssh-keygen -q -t ed25519 -N pw12345 -C '' -f id_enc", "openssh-private-key",
         "low"},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        key_and_json(keys[i].name, keys[i].cmd);
    }
    json_t *arr = scan_json(1);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char js[64];
        snprintf(js, sizeof(js), "%s.json", keys[i].name);
        json_t *f = find(arr, keys[i].name, keys[i].rule);
        cr_assert(f != NULL, "%s not found", keys[i].name);
        cr_assert(eq(str, (char *)conf(f), (char *)keys[i].conf), "%s", keys[i].name);
        cr_assert(eq(sz, count_in(arr, keys[i].name), 1), "%s", keys[i].name);
        f = find(arr, js, keys[i].rule);
        cr_assert(f != NULL, "%s not found", js);
        cr_assert(eq(str, (char *)conf(f), (char *)keys[i].conf), "%s", js);
    }
    json_decref(arr);
}

/* The rule ids reported for file `path`, as one comma-separated string (heap). */
static char *rules_in(json_t *arr, const char *path)
{
    char *s = calloc(1, 4096);
    cr_assert(s != NULL);
    size_t i;
    json_t *f;
    json_array_foreach(arr, i, f)
    {
        const char *p = json_string_value(json_object_get(f, "path"));
        if (p && (!strcmp(p, path) || (p[0] == '.' && p[1] == '/' && !strcmp(p + 2, path)))) {
            if (*s) {
                strncat(s, ",", 4095 - strlen(s));
            }
            strncat(s, json_string_value(json_object_get(f, "rule_id")), 4095 - strlen(s));
        }
    }
    return s;
}

Test(detection, sk_live_keys_of_other_issuers_are_not_stripe)
{
    put("stripe.env", "STRIPE_KEY=sk_live_51Hx9kQJ2eZvKYlo2CwZ7qT3mN8pR4sV6uW1xY0aB5cD7eF9gH\n");
    put("paystack.env", "PAYSTACK_SECRET=sk_live_85efd9d1df902f0337794450eb0e550e74dfc089\n");
    put("clerk.env", "CLERK_SECRET_KEY=sk_live_bKRKiBhNJ5mBWiTvuXuplGlX3solSBrsX7J1pFQAob\n");
    put("workos.env", "WORKOS_API_KEY=sk_live_a2V5XzAxTVNUSDBTQTUzODJaMlI5QkcyQVhUNk1DLGZkS0VSMFlR"
                      "bjFFTW9NTDl6eU5sTWN2ZHA\n");
    json_t *arr = scan_json(1);
    const char *want[][2] = {{"stripe.env", "stripe-secret-key"},
                             {"paystack.env", "paystack-secret-key"},
                             {"clerk.env", "clerk-secret-key"},
                             {"workos.env", "workos-api-key"}};
    for (size_t i = 0; i < 4; i++) {
        char *got = rules_in(arr, want[i][0]);
        cr_assert(eq(str, got, (char *)want[i][1]), "%s", want[i][0]);
        free(got);
    }
    json_decref(arr);
}

Test(detection, typed_placeholders_and_word_internal_keywords_are_not_reported)
{
    /* the right shape, typed by a person: alphabet and digit runs */
    put("a.env", "STRIPE_KEY=sk_live_abcdefghijklmnopqrstuvwx\n"
                 "GOOGLE_KEY=AIzaSyabcdefghijklmnopqrstuvwxyz0123456\n"
                 "ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
                 "VWXYZ0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSAA\n");
    /* `okta` inside an identifier: no Okta token */
    put("b.js", "const rookTable = \"00Fq3LmZ9vR2tXw7KpN4bYc8HdJ6sGe1Ua5VoIyQ0r\";\n");
    /* the same value next to a real okta word is found */
    put("c.js", "const oktaToken = \"00Fq3LmZ9vR2tXw7KpN4bYc8HdJ6sGe1Ua5VoIyQ0r\";\n");
    json_t *arr = scan_json(1);
    cr_assert(eq(sz, count_in(arr, "a.env"), 0));
    cr_assert(eq(sz, count_in(arr, "b.js"), 0));
    cr_assert(find(arr, "c.js", "okta-api-token") != NULL);
    json_decref(arr);
}

/* SHA-256 of s as lower-case hex, as the JSON output's secret_sha256 */
static void sha256_hex(const char *s, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    cr_assert(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) == 1);
    for (int i = 0; i < 32; i++) {
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    }
}

/*
 * Credential files as a user's machine has them (.netrc, .pgpass, .docker/config.json,
 * .npmrc, settings.xml, wp-config.php, .env, htpasswd, shadow, ...): each planted password
 * gives exactly one finding of its rule, with that secret, on the password's line; the same
 * files holding placeholders (changeme, ${DB_PASSWORD}, <password>, xxx, ...) give none.
 * The cases are data (fixtures/credential-files/cases.json), written under one directory
 * each and scanned in one run of the real binary.
 */
Test(detection, credential_files_give_one_finding_and_placeholders_none)
{
    json_error_t e;
    json_t *doc = json_load_file(LH_SOURCE_DIR "/fixtures/credential-files/cases.json", 0, &e);
    cr_assert(doc != NULL, "%s", e.text);
    json_t *cases = json_object_get(doc, "cases");
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c)
    {
        char rel[512];
        snprintf(rel, sizeof(rel), "%s/%s", json_string_value(json_object_get(c, "dir")),
                 json_string_value(json_object_get(c, "path")));
        put(rel, json_string_value(json_object_get(c, "content")));
    }
    json_t *arr = scan_json(1);
    size_t positives = 0;
    json_array_foreach(cases, i, c)
    {
        const char *cdir = json_string_value(json_object_get(c, "dir"));
        const char *rule = json_string_value(json_object_get(c, "rule"));
        const char *secret = json_string_value(json_object_get(c, "secret"));
        size_t found = 0, j;
        json_t *f, *hit = NULL;
        json_array_foreach(arr, j, f)
        {
            const char *p = json_string_value(json_object_get(f, "path"));
            p = p && p[0] == '.' && p[1] == '/' ? p + 2 : p;
            if (p && !strncmp(p, cdir, strlen(cdir)) && p[strlen(cdir)] == '/') {
                found++;
                hit = f;
            }
        }
        if (!rule) {
            cr_assert(eq(sz, found, 0), "case %s (%s): a placeholder was reported by %s", cdir,
                      json_string_value(json_object_get(c, "path")),
                      hit ? json_string_value(json_object_get(hit, "rule_id")) : "?");
            continue;
        }
        positives++;
        cr_assert(eq(sz, found, 1), "case %s (%s): %zu findings, want one of %s", cdir,
                  json_string_value(json_object_get(c, "path")), found, rule);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(hit, "rule_id")), (char *)rule),
                  "case %s", cdir);
        char want[65];
        sha256_hex(secret, want);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(hit, "secret_sha256")), want),
                  "case %s: another secret was reported", cdir);
    }
    cr_assert(positives >= 40);
    json_decref(arr);
    json_decref(doc);
}

/* A provider's JWT is one finding, by the provider's rule: the generic `jwt` rule yields */
Test(detection, generic_rules_yield_to_provider_rules)
{
    put("monday.env", "MONDAY_API_TOKEN=eyJhbGciOiJIUzI1NiJ9."
                      "eyJ0aWQiOjE5NzYyODQ1NCwiYWFpIjoxMSwidWlkIjo5ODc2MTMwNCwiaWFkIjoiMjAyNS0wMy0w"
                      "NFQxMDoxMToxMi4wMDBaIiwicGVyIjoibWU6d3JpdGUiLCJhY3RpZCI6NTY3MzQwOSwicmduIjoi"
                      "dXNlMSJ9.F2c0C2kctl92lCR0ptAbodyUGLDupAfjkWtUghWLgnQ\n");
    /* the same JWT with no provider around it is still found, by the generic rule */
    put("plain.txt", "Authorization: Bearer "
                     "eyJhbGciOiJIUzI1NiJ9."
                     "eyJ0aWQiOjE5NzYyODQ1NCwiYWFpIjoxMSwidWlkIjo5ODc2MTMwNCwiaWFkIjoiMjAyNS0wMy0wN"
                     "FQxMDoxMToxMi4wMDBaIiwicGVyIjoibWU6d3JpdGUiLCJhY3RpZCI6NTY3MzQwOSwicmduIjoidX"
                     "NlMSJ9.F2c0C2kctl92lCR0ptAbodyUGLDupAfjkWtUghWLgnQ\n");
    json_t *arr = scan_json(1);
    char *got = rules_in(arr, "monday.env");
    cr_assert(eq(str, got, "monday-api-token"));
    free(got);
    got = rules_in(arr, "plain.txt");
    cr_assert(eq(str, got, "jwt"));
    free(got);
    json_decref(arr);
}
