/* SPDX-License-Identifier: MIT */
/*
 * Pair rules end to end: a secret that is only meaningful next to its identifier (an AWS
 * secret access key and its AKIA id, a Twilio auth token and its AC account SID, a GCP key
 * file's private key and its private_key_id) is reported by the built binary with the
 * built-in rules as one finding, with the identifier as `pair_id` metadata, and the
 * identifier's own rule (or the generic PEM rule) does not report it a second time. The
 * matcher part is tests/unit/match/test_pairs.c.
 */
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Synthetic values (random, never issued). */
#define KEY_ID "AKIA22MLJFC57VSESZQC"
#define KEY_ID2 "AKIANIYUW5BTRUGSARBO"
#define TMP_ID "ASIATCJJP4CU3GXASYGC"
#define SECRET "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"
#define SECRET2 "pJy4gEwHmBp8TyY/efWjnbU8v+PIkQ1h4rts6jsR"
#define SECRET3 "aILyyg83ZYtrfwZM+pZhGVWh3jdT8r8pbKEq0KKr"
#define TW_SID "AC4d91bbe12b762b2e5d7ef7fd62a93dee"
#define TW_TOKEN "86f0ff6f8238e13c93acaf9eacfd7ad9"

/* ---- end to end ---- */

LH_TMPDIR_SUITE(catalogue_pairs_scan);

static json_t *scan_text(const char *name, const char *text)
{
    lh_write_file(dir, name, text, strlen(text));
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--format", "json", "--show-secrets", name, NULL);
    cr_assert(r.status == 0 || r.status == 1, "scan failed (%d): %s", r.status, r.err);
    json_error_t je;
    json_t *arr = json_loads(r.out, 0, &je);
    cr_assert(eq(int, json_is_array(arr) ? 1 : 0, 1), "not json: %s", r.out);
    lh_run_dispose(&r);
    return arr;
}

static const char *field(json_t *f, const char *key)
{
    const char *s = json_string_value(json_object_get(f, key));
    return s ? s : "";
}

static const char *pair_id(json_t *f)
{
    const char *s = json_string_value(json_object_get(json_object_get(f, "metadata"), "pair_id"));
    return s ? s : "";
}

Test(catalogue_pairs_scan, aws_key_id_and_secret_are_one_finding)
{
    json_t *arr = scan_text("credentials", "[default]\n"
                                           "aws_access_key_id = " KEY_ID "\n"
                                           "aws_secret_access_key = " SECRET "\n"
                                           "region = eu-west-1\n");
    cr_assert(eq(sz, json_array_size(arr), 1));
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)field(f, "rule_id"), "aws-secret-access-key"));
    cr_assert(eq(str, (char *)field(f, "secret"), SECRET));
    cr_assert(eq(str, (char *)pair_id(f), KEY_ID));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "line")), 3));
    json_decref(arr);
}

Test(catalogue_pairs_scan, id_after_the_secret_is_paired)
{
    json_t *arr =
        scan_text("creds.json", "{\"Credentials\": {\"SecretAccessKey\": \"" SECRET2
                                "\", \"SessionToken\": \"x\", \"AccessKeyId\": \"" TMP_ID "\"}}\n");
    cr_assert(eq(sz, json_array_size(arr), 1));
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)field(f, "rule_id"), "aws-secret-access-key"));
    cr_assert(eq(str, (char *)pair_id(f), TMP_ID));
    json_decref(arr);
}

Test(catalogue_pairs_scan, credentials_csv_pairs_each_row)
{
    json_t *arr = scan_text("keys.csv", "Access key ID,Secret access key\n" KEY_ID "," SECRET
                                        "\n" KEY_ID2 "," SECRET3 "\n");
    cr_assert(eq(sz, json_array_size(arr), 2));
    cr_assert(eq(str, (char *)pair_id(json_array_get(arr, 0)), KEY_ID));
    cr_assert(eq(str, (char *)field(json_array_get(arr, 0), "secret"), SECRET));
    cr_assert(eq(str, (char *)pair_id(json_array_get(arr, 1)), KEY_ID2));
    cr_assert(eq(str, (char *)field(json_array_get(arr, 1), "secret"), SECRET3));
    json_decref(arr);
}

Test(catalogue_pairs_scan, halves_alone_are_ordinary_findings)
{
    json_t *arr = scan_text("halves.env", "AWS_ACCESS_KEY_ID=" KEY_ID "\n" /* no secret */
                                          "\n\n# unrelated\n");
    cr_assert(eq(sz, json_array_size(arr), 1));
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)field(f, "rule_id"), "aws-access-key-id"));
    cr_assert(json_object_get(json_object_get(f, "metadata"), "aws_account") != NULL);
    json_decref(arr);

    arr = scan_text("secret.env", "AWS_SECRET_ACCESS_KEY=" SECRET "\n");
    cr_assert(eq(sz, json_array_size(arr), 1));
    f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)field(f, "rule_id"), "aws-secret-access-key"));
    cr_assert(json_object_get(f, "metadata") == NULL);
    json_decref(arr);
}

Test(catalogue_pairs_scan, twilio_account_sid_and_auth_token)
{
    json_t *arr = scan_text("twilio.py", "account_sid = '" TW_SID "'\n"
                                         "auth_token = '" TW_TOKEN "'\n"
                                         "client = Client(account_sid, auth_token)\n");
    cr_assert(eq(sz, json_array_size(arr), 1));
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)field(f, "rule_id"), "twilio-auth-token"));
    cr_assert(eq(str, (char *)field(f, "secret"), TW_TOKEN));
    cr_assert(eq(str, (char *)pair_id(f), TW_SID));
    json_decref(arr);
}

Test(catalogue_pairs_scan, gcp_key_file_is_not_also_a_pem_finding)
{
    static const char key[] =
        "{\n"
        "  \"type\": \"service_account\",\n"
        "  \"project_id\": \"demo\",\n"
        "  \"private_key_id\": \"87928959b308e2c395271e526b762046598ae15d\",\n"
        "  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n"
        "xfiPI+peF76z0EFgam5o/2D0KqM/rwqStBIuoYBZwpA+447SjDgUm6+WoW51qUmV\\n"
        "Tq8b1kJ8T0y3sS/2nCq4XWv0lq6tUyV8mO9cGm7r5dQz1HkP3sE2aN6wYbR4iLfJ\\n"
        "pX2gM7hK9cZ0eT5uV3wA1sB6nD8qF4yR2jL0oI7vC5xE9kG3mH1tU6zW8aQ2bN4c\\n"
        "dS7fJ9gK1hL3jM5nP7qR9sT1uV3wX5yZ7a9b1c3d5e7f9g1h3j5k7m9n1p3q5r7s\\n"
        "-----END PRIVATE KEY-----\\n\",\n"
        "  \"client_email\": \"ci@demo.iam.gserviceaccount.com\"\n"
        "}\n";
    json_t *arr = scan_text("sa.json", key);
    cr_assert(eq(sz, json_array_size(arr), 1));
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)field(f, "rule_id"), "gcp-service-account-key"));
    cr_assert(eq(str, (char *)pair_id(f), "87928959b308e2c395271e526b762046598ae15d"));
    json_decref(arr);
}

Test(catalogue_pairs_scan, user_pair_rule_with_rules_option)
{
    static const char rules[] =
        "rules:\n"
        "  - id: acme-secret\n"
        "    name: Acme secret\n"
        "    keywords: [acme_secret]\n"
        "    pattern: "
        "'(?:(?<id>acme_id_[0-9]{6})[\\s\\S]{0,100}?)?acme_secret=(?<secret>[a-z0-9]{16})'\n"
        "    examples: [{text: 'acme_id_123456 acme_secret=8c1f4e0b7a93d625', secret: "
        "8c1f4e0b7a93d625}]\n"
        "    negative_examples: [acme_secret=short]\n";
    lh_write_file(dir, "acme.yml", rules, strlen(rules));
    static const char text[] = "acme_id_424242\nacme_secret=k3j5h7g9f1d3s5a7\n";
    lh_write_file(dir, "app.cfg", text, strlen(text));
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--format", "jsonl", "--no-builtin-rules", "--rules",
              "acme.yml", "app.cfg", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(strstr(r.out, "\"metadata\":{\"pair_id\":\"acme_id_424242\"}") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "rules", "check", "--no-builtin-rules", "--rules", "acme.yml", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
}
