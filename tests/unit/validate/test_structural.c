/* SPDX-License-Identifier: MIT */
/*
 * Structural validators (no checksum): JWT, base64-json, PyPI macaroons, OpenAI marker,
 * Anthropic suffix, AWS key id metadata, and the entropy helper.
 */
#include "support/validate.h"
#include "validate/entropy.h"

#include <math.h>

/* ---- jwt ------------------------------------------------------------------------- */

#define JWT_IO                                                                                     \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."                                                        \
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"                                     \
    "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

Test(validate_jwt, jwt_io_example_is_well_formed)
{
    cr_assert(vt_check("jwt", JWT_IO, NULL));
}

Test(validate_jwt, alg_none_needs_empty_signature)
{
    /* {"alg":"none"} . {"sub":"1"} */
    cr_assert(vt_check("jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", NULL));
    cr_assert(not(vt_check("jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln", NULL)));
    /* HS256 without a signature is not a JWS */
    cr_assert(not(vt_check("jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.", NULL)));
}

Test(validate_jwt, malformed_fail)
{
    /* header without alg: {"typ":"JWT"} */
    cr_assert(not(vt_check("jwt", "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.c2ln", NULL)));
    /* alg not a string: {"alg":1} */
    cr_assert(not(vt_check("jwt", "eyJhbGciOjF9.eyJzdWIiOiIxIn0.c2ln", NULL)));
    /* payload is a JSON array: [1] */
    cr_assert(not(vt_check("jwt", "eyJhbGciOiJub25lIn0.WzFd.", NULL)));
    /* two and four segments */
    cr_assert(not(vt_check("jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0", NULL)));
    cr_assert(not(vt_check("jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0..", NULL)));
    /* standard-alphabet character in the signature */
    cr_assert(not(vt_check("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2l+", NULL)));
    cr_assert(not(vt_check("jwt", "...", NULL)));
    cr_assert(not(vt_check("jwt", "", NULL)));
    /* truncating the header breaks its JSON */
    cr_assert(not(vt_check("jwt", JWT_IO + 4, NULL)));
}

/* ---- base64-json ----------------------------------------------------------------- */

/* {"o":"1","n":"x","k":"abc","m":{"r":"prod-us-east-0"}} */
#define GLC "glc_eyJvIjoiMSIsIm4iOiJ4IiwiayI6ImFiYyIsIm0iOnsiciI6InByb2QtdXMtZWFzdC0wIn19"

Test(validate_b64json, grafana_cloud_keys)
{
    cr_assert(vt_check("base64-json", GLC, "prefix", "glc_", "required_keys", "o,n,k,m.r", NULL));
    cr_assert(vt_check("base64-json", GLC, "prefix", "glc_", NULL));
    cr_assert(
        not(vt_check("base64-json", GLC, "prefix", "glc_", "required_keys", "o,n,k,m.x", NULL)));
    cr_assert(not(vt_check("base64-json", GLC, "prefix", "glc_", "required_keys", "o.r", NULL)));
    cr_assert(not(vt_check("base64-json", GLC, "prefix", "GLC_", NULL)));
    /* the prefix is not base64 of JSON: without stripping it the decode fails */
    cr_assert(not(vt_check("base64-json", GLC, NULL)));
    cr_assert(not(vt_check("base64-json", GLC, "prefix", "glc_", "encoding", "url", "required_keys",
                           "x", NULL)));
}

Test(validate_b64json, sentry_split_part)
{
    /* sntrys_ + b64({"iat":1,"url":"u","region_url":"r","org":"o"}) + _ + secret */
    static const char sntrys[] = "sntrys_eyJpYXQiOjEsInVybCI6InUiLCJyZWdpb25fdXJsIjoiciIsIm9yZyI6"
                                 "Im8ifQ==_abcdefABCDEF0123456789abcdefABCDEF0123456";
    cr_assert(vt_check("base64-json", sntrys, "split", "_", "part", "1", "required_keys",
                       "iat,url,region_url,org", NULL));
    cr_assert(
        vt_check("base64-json", sntrys, "prefix", "sntrys_", "split", "_", "part", "0", NULL));
    cr_assert(not(vt_check("base64-json", sntrys, "split", "_", "part", "2", NULL)));
    cr_assert(not(vt_check("base64-json", sntrys, "split", "_", "part", "3", NULL)));
}

Test(validate_b64json, not_an_object_or_garbage)
{
    /* b64("[1,2]") and b64("\"s\"") */
    cr_assert(not(vt_check("base64-json", "WzEsMl0=", NULL)));
    cr_assert(not(vt_check("base64-json", "InMi", NULL)));
    cr_assert(vt_check("base64-json", "e30", NULL)); /* "{}" is an object */
    cr_assert(not(vt_check("base64-json", "e30", "required_keys", "a", NULL)));
    cr_assert(not(vt_check("base64-json", "!!!!", NULL)));
    cr_assert(not(vt_check("base64-json", "", NULL)));
}

/* ---- pypi-macaroon --------------------------------------------------------------- */

/* 02 | 01 08 "pypi.org" | 02 04 "abcd" | 00 | 00 | 06 20 <32 x 0x11> */
#define PYPI_MIN "pypi-AgEIcHlwaS5vcmcCBGFiY2QAAAYgERERERERERERERERERERERERERERERERERERERERERE"

Test(validate_pypi, minimal_macaroon)
{
    cr_assert(vt_check("pypi-macaroon", PYPI_MIN, NULL));
    cr_assert(not(vt_check(
        "pypi-macaroon",
        "PYPI-AgEIcHlwaS5vcmcCBGFiY2QAAAYgERERERERERERERERERERERERERERERERERERERERERERE", NULL)));
    /* one signature byte short */
    cr_assert(not(vt_check(
        "pypi-macaroon",
        "pypi-AgEIcHlwaS5vcmcCBGFiY2QAAAYgEREREREREREREREREREREREREREREREREREREREREQ", NULL)));
    /* version 1 */
    cr_assert(not(vt_check(
        "pypi-macaroon",
        "pypi-AQEIcHlwaS5vcmcCBGFiY2QAAAYgERERERERERERERERERERERERERERERERERERERERERERE", NULL)));
    /* a trailing byte after the signature */
    cr_assert(not(vt_check(
        "pypi-macaroon",
        "pypi-AgEIcHlwaS5vcmcCBGFiY2QAAAYgEREREREREREREREREREREREREREREREREREREREREREA", NULL)));
    cr_assert(not(vt_check("pypi-macaroon", "pypi-", NULL)));
    cr_assert(not(vt_check("pypi-macaroon", "pypi-AgEIcHlwaS5vcmc", NULL)));
}

Test(validate_pypi, truncations_never_pass)
{
    size_t n = strlen(PYPI_MIN);
    for (size_t k = 0; k < n; k++) {
        cr_assert(not(vt_checkn("pypi-macaroon", PYPI_MIN, k, NULL)), "prefix of length %zu", k);
    }
}

/* ---- openai-marker / anthropic-suffix -------------------------------------------- */

Test(validate_openai, marker_in_the_middle)
{
    cr_assert(
        vt_check("openai-marker", "sk-abcdefghij0123456789T3BlbkFJabcdefghij0123456789", NULL));
    cr_assert(not(
        vt_check("openai-marker", "sk-abcdefghij0123456789T3BlbkFJabcdefghij01234567890", NULL)));
    cr_assert(vt_check("openai-marker", "sk-abcdefghij0123456789T3BlbkFJabcdefghij01234567890",
                       "balanced", "false", NULL));
    cr_assert(not(
        vt_check("openai-marker", "sk-abcdefghij0123456789XXXXXXXXabcdefghij0123456789", NULL)));
    cr_assert(not(
        vt_check("openai-marker", "SK-abcdefghij0123456789T3BlbkFJabcdefghij0123456789", NULL)));
    cr_assert(not(vt_check("openai-marker", "sk-T3BlbkFJ", NULL)));
}

Test(validate_openai, project_prefix)
{
    char key[200];
    size_t n = 0;

    memcpy(key, "sk-proj-", 8);
    n = 8;
    for (int i = 0; i < 74; i++) {
        key[n++] = "aB3-_"[i % 5];
    }
    memcpy(key + n, "T3BlbkFJ", 8);
    n += 8;
    for (int i = 0; i < 74; i++) {
        key[n++] = "Zx9_"[i % 4];
    }
    key[n] = '\0';
    cr_assert(vt_check("openai-marker", key, NULL));
    key[5] = 'x'; /* "sk-prxj-": the unknown word shifts the halves */
    cr_assert(not(vt_check("openai-marker", key, NULL)));
}

Test(validate_anthropic, length_and_suffix)
{
    char key[160];
    size_t n;

    memcpy(key, "sk-ant-api03-", 13);
    n = 13;
    for (int i = 0; i < 93; i++) {
        key[n++] = "Ab3-_z"[i % 6];
    }
    memcpy(key + n, "AA", 3);
    cr_assert(vt_check("anthropic-suffix", key, NULL));
    key[n + 1] = 'B';
    cr_assert(not(vt_check("anthropic-suffix", key, NULL)));
    key[n + 1] = 'A';
    cr_assert(not(vt_checkn("anthropic-suffix", key + 1, strlen(key) - 1, NULL)));
    memmove(key + 14, key + 15, strlen(key + 15) + 1); /* one body character fewer */
    cr_assert(not(vt_check("anthropic-suffix", key, NULL)));
    cr_assert(not(vt_check("anthropic-suffix", "sk-ant-api03-AA", NULL)));
}

/* ---- aws-key-id ------------------------------------------------------------------ */

Test(validate_aws, account_metadata)
{
    const struct lh_validator *v = vt_find("aws-key-id");
    struct lh_validation out;

    cr_assert(not(v->confirms));
    memset(&out, 0, sizeof(out));
    cr_assert(v->check((const uint8_t *)"ASIAY34FZKBOKMUTVV7A", 20, NULL, &out));
    cr_assert(eq(str, out.meta_key, "aws_account"));
    cr_assert(eq(str, out.meta_value, "609629065308"));
}

Test(validate_aws, old_ids_pass_without_metadata)
{
    const struct lh_validator *v = vt_find("aws-key-id");
    struct lh_validation out;

    memset(&out, 0, sizeof(out));
    cr_assert(v->check((const uint8_t *)"AKIAIOSFODNN7EXAMPLE", 20, NULL, &out));
    cr_assert(eq(str, out.meta_key, ""));
    cr_assert(v->check((const uint8_t *)"AKIAIOSFODNN7EXAMPLE", 20, NULL, NULL));
}

Test(validate_aws, malformed_fail)
{
    cr_assert(not(vt_check("aws-key-id", "AKIAY34FZKBOKMUTVV7", NULL)));
    cr_assert(not(vt_check("aws-key-id", "AKIAY34FZKBOKMUTVV7AA", NULL)));
    cr_assert(not(vt_check("aws-key-id", "AKIAY34FZKBOKMUTVV1A", NULL))); /* '1' not base32 */
    cr_assert(not(vt_check("aws-key-id", "akiay34fzkbokmutvv7a", NULL)));
    cr_assert(not(vt_check("aws-key-id", "BKIAY34FZKBOKMUTVV7A", NULL)));
}

/* ---- entropy --------------------------------------------------------------------- */

Test(validate_entropy, shannon_bits_per_byte)
{
    uint8_t all[256];

    for (int i = 0; i < 256; i++) {
        all[i] = (uint8_t)i;
    }
    cr_assert(eq(dbl, lh_entropy_shannon(NULL, 0), 0.0));
    cr_assert(eq(dbl, lh_entropy_shannon((const uint8_t *)"aaaaaaaa", 8), 0.0));
    cr_assert(eq(dbl, lh_entropy_shannon((const uint8_t *)"abab", 4), 1.0));
    cr_assert(eq(dbl, lh_entropy_shannon((const uint8_t *)"abcd", 4), 2.0));
    cr_assert(eq(dbl, lh_entropy_shannon(all, sizeof(all)), 8.0));
    cr_assert(fabs(lh_entropy_shannon((const uint8_t *)"aab", 3) - 0.9182958340544896) < 1e-12);
}

/* base64 of user:password, as Docker's auths and npm's _auth hold it */
Test(validate_basic_auth, user_and_real_password_pass)
{
    /* "deploy:Xk4v9Qp2Lm7w" and its URL-safe, unpadded forms */
    cr_assert(vt_check("basic-auth-b64", "ZGVwbG95OlhrNHY5UXAyTG03dw==", NULL));
    cr_assert(vt_check("basic-auth-b64", "ZGVwbG95OlhrNHY5UXAyTG03dw", NULL));
    struct vt_rule r;
    struct lh_validation out;
    vt_rule_init(&r, "basic-auth-b64", NULL);
    memset(&out, 0, sizeof(out));
    const char *t = "ZGVwbG95OlhrNHY5UXAyTG03dw==";
    cr_assert(vt_find("basic-auth-b64")->check((const uint8_t *)t, strlen(t), &r.rule, &out));
    cr_assert(eq(str, out.meta_key, "user"));
    cr_assert(eq(str, out.meta_value, "deploy"));
    vt_guard_validator("basic-auth-b64", &r.rule, t);
}

Test(validate_basic_auth, placeholders_and_non_credentials_fail)
{
    cr_assert(not(vt_check("basic-auth-b64", "dXNlcjpwYXNzd29yZA==", NULL))); /* user:password */
    cr_assert(not(vt_check("basic-auth-b64", "YWRtaW46Y2hhbmdlbWU=", NULL))); /* admin:changeme */
    cr_assert(not(vt_check("basic-auth-b64", "dXNlcjoke1BBU1N9", NULL)));     /* user:${PASS} */
    cr_assert(not(vt_check("basic-auth-b64", "bm9jb2xvbmhlcmU=", NULL)));     /* nocolonhere */
    cr_assert(not(vt_check("basic-auth-b64", "OnNlY3JldHBhc3N3b3Jk", NULL))); /* no user */
    cr_assert(not(vt_check("basic-auth-b64", "dXNlcjo=", NULL)));             /* no password */
    cr_assert(not(vt_check("basic-auth-b64", "AAECAwQFBgcICQoLDA0ODxAREhM=", NULL))); /* binary */
    cr_assert(not(vt_check("basic-auth-b64", "not base64!", NULL)));
    cr_assert(not(vt_check("basic-auth-b64", "", NULL)));
}
