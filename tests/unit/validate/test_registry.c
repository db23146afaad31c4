/* SPDX-License-Identifier: MIT */
/*
 * The validator table (names, lookup, flags), compile-time parameter checks with their
 * error messages, and a deterministic garbage run: random bytes, random token-alphabet
 * strings and NULL/empty input through every validator and every parameter set used in
 * the other tests. Crashes and sanitizer reports are the failure mode here.
 */
#include "support/support.h"
#include "support/validate.h"
#include "util/error.h"

#include <stdio.h>

Test(validate_registry, names_unique_and_complete)
{
    static const char *const expected[] = {
        "github-crc32",
        "github-pat-sha256-b32",
        "crc32-le-hex",
        "crc32-hex",
        "crc32-le-b64",
        "gitlab-routable",
        "marvin-identifiable",
        "azure-aad-secret",
        "azure-devops-pat",
        "cask",
        "crc16-xmodem",
        "base58check",
        "bech32",
        "luhn",
        "jwt",
        "base64-json",
        "pypi-macaroon",
        "openai-marker",
        "anthropic-suffix",
        "private-key",
        "basic-auth-b64",
        "aws-key-id",
    };
    size_t n = 0;

    for (const struct lh_validator *v = lh_validator_all(); v->name != NULL; v++, n++) {
        cr_assert(v->check != NULL && v->check_params != NULL && v->description != NULL);
        cr_assert(eq(ptr, (void *)lh_validator_find(v->name), (void *)v), "%s", v->name);
        /* private-key decides its confidence itself (lh_validation.confidence) */
        cr_assert(eq(int, v->confirms,
                     strcmp(v->name, "aws-key-id") != 0 && strcmp(v->name, "private-key") != 0 &&
                         strcmp(v->name, "basic-auth-b64") != 0),
                  "%s", v->name);
    }
    cr_assert(eq(sz, n, sizeof(expected) / sizeof(expected[0])));
    for (size_t i = 0; i < n; i++) {
        cr_assert(lh_validator_find(expected[i]) != NULL, "%s", expected[i]);
    }
    cr_assert(eq(ptr, (void *)lh_validator_find("entropy"), NULL));
    cr_assert(eq(ptr, (void *)lh_validator_find(NULL), NULL));
    cr_assert(eq(ptr, (void *)lh_validator_find("GITHUB-CRC32"), NULL));
}

/* Runs check_params; returns the code and copies the error message. */
static int params(const char *validator, char msg[256], ...)
{
    struct vt_rule r;
    va_list ap;
    int rc;

    va_start(ap, msg);
    vt_rule_vinit(&r, validator, ap);
    va_end(ap);
    lh_error_clear();
    rc = vt_find(validator)->check_params(&r.rule);
    snprintf(msg, 256, "%s", lh_error_get());
    return rc;
}

Test(validate_registry, good_params_accepted)
{
    char m[256];

    cr_assert(eq(int, params("github-crc32", m, NULL), 0));
    cr_assert(eq(int,
                 params("crc32-hex", m, "separator", "=", "covers", "through_separator", "case",
                        "upper", "endian", "big", NULL),
                 0));
    cr_assert(eq(int, params("crc32-le-hex", m, "covers", "before_separator", NULL), 0));
    cr_assert(eq(int, params("crc32-le-b64", m, "prefix", "cflt", NULL), 0));
    cr_assert(eq(int,
                 params("marvin-identifiable", m, "signature", "+ASt", "seeds",
                        "Default0, 0x53656e6452656376", "urlsafe", "false", NULL),
                 0));
    cr_assert(eq(int, params("crc16-xmodem", m, "version", "0x90", NULL), 0));
    cr_assert(eq(int,
                 params("bech32", m, "hrp", "age-secret-key-", "variant", "bech32", "bytes", "32",
                        "case", "upper", NULL),
                 0));
    cr_assert(eq(int,
                 params("base64-json", m, "prefix", "sntrys_", "encoding", "std", "split", "_",
                        "part", "0", "required_keys", "iat,url", NULL),
                 0));
    cr_assert(eq(int, params("openai-marker", m, "balanced", "false", NULL), 0));
}

Test(validate_registry, bad_params_rejected_with_message)
{
    char m[256];

    cr_assert(eq(int, params("github-crc32", m, "width", "6", NULL), LH_ERULE));
    cr_assert(eq(str, m, "parameter 'width' is not known to this validator"));
    cr_assert(eq(int, params("crc32-hex", m, "case", "mixed", NULL), LH_ERULE));
    cr_assert(eq(str, m, "parameter 'case' must be 'lower', 'upper' or 'any'"));
    cr_assert(eq(int, params("crc32-hex", m, "separator", "==", NULL), LH_ERULE));
    cr_assert(eq(int, params("crc32-hex", m, "covers", "all", NULL), LH_ERULE));
    cr_assert(eq(int, params("crc32-hex", m, "endian", "middle", NULL), LH_ERULE));
    cr_assert(eq(int, params("crc32-le-b64", m, "prefix", "", NULL), LH_ERULE));
    cr_assert(eq(int, params("marvin-identifiable", m, "seeds", "Default0", NULL), LH_ERULE));
    cr_assert(eq(str, m, "parameter 'signature' must be the 4-character key signature"));
    cr_assert(eq(int, params("marvin-identifiable", m, "signature", "+ASt", NULL), LH_ERULE));
    cr_assert(eq(str, m, "parameter 'seeds' is required"));
    cr_assert(eq(int,
                 params("marvin-identifiable", m, "signature", "+ASt", "seeds", "Default", NULL),
                 LH_ERULE));
    cr_assert(eq(int, params("marvin-identifiable", m, "signature", "+ASt", "seeds", "0x", NULL),
                 LH_ERULE));
    cr_assert(eq(int,
                 params("marvin-identifiable", m, "signature", "+A t", "seeds", "Default0", NULL),
                 LH_ERULE));
    cr_assert(eq(int,
                 params("marvin-identifiable", m, "signature", "+ASt", "seeds", "Default0",
                        "urlsafe", "yes", NULL),
                 LH_ERULE));
    cr_assert(eq(int, params("crc16-xmodem", m, "version", "256", NULL), LH_ERULE));
    cr_assert(eq(int, params("bech32", m, NULL), LH_ERULE));
    cr_assert(eq(str, m, "parameter 'hrp' is required"));
    cr_assert(eq(int, params("bech32", m, "hrp", "nsec", "variant", "bech32x", NULL), LH_ERULE));
    cr_assert(eq(int, params("bech32", m, "hrp", "nsec", "bytes", "0", NULL), LH_ERULE));
    cr_assert(eq(int, params("bech32", m, "hrp", "nsec", "case", "title", NULL), LH_ERULE));
    cr_assert(eq(int, params("base64-json", m, "part", "1", NULL), LH_ERULE));
    cr_assert(eq(str, m, "parameter 'part' needs 'split'"));
    cr_assert(eq(int, params("base64-json", m, "encoding", "hex", NULL), LH_ERULE));
    cr_assert(eq(int, params("base64-json", m, "split", "_", "part", "x", NULL), LH_ERULE));
    cr_assert(eq(int, params("openai-marker", m, "balanced", "maybe", NULL), LH_ERULE));
}

Test(validate_registry, bad_params_at_check_time_fail_closed)
{
    /* a rule that skipped check_params must not pass by accident */
    cr_assert(not(vt_check("crc32-hex", "zpka_b3f94d8d3d4d4a6ea5c5b20d0a5bb407_18eb262b", "case",
                           "mixed", NULL)));
    cr_assert(not(vt_check(
        "bech32", "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5", NULL)));
    cr_assert(
        not(vt_check("crc16-xmodem", "SAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABSU2",
                     "version", "x", NULL)));
}

/* xorshift64*: deterministic, so a failure reproduces */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

struct param_set {
    const char *validator;
    const char *k1, *v1, *k2, *v2, *k3, *v3;
};

static const struct param_set sets[] = {
    {"github-crc32", NULL, NULL, NULL, NULL, NULL, NULL},
    {"github-pat-sha256-b32", NULL, NULL, NULL, NULL, NULL, NULL},
    {"crc32-le-hex", NULL, NULL, NULL, NULL, NULL, NULL},
    {"crc32-hex", NULL, NULL, NULL, NULL, NULL, NULL},
    {"crc32-hex", "separator", "=", "covers", "through_separator", "case", "upper"},
    {"crc32-le-b64", NULL, NULL, NULL, NULL, NULL, NULL},
    {"gitlab-routable", NULL, NULL, NULL, NULL, NULL, NULL},
    {"marvin-identifiable", "signature", "+ASt", "seeds", "Default0", NULL, NULL},
    {"marvin-identifiable", "signature", "AzSe", "seeds", "Query000", "urlsafe", "true"},
    {"azure-aad-secret", NULL, NULL, NULL, NULL, NULL, NULL},
    {"azure-devops-pat", NULL, NULL, NULL, NULL, NULL, NULL},
    {"cask", NULL, NULL, NULL, NULL, NULL, NULL},
    {"crc16-xmodem", NULL, NULL, NULL, NULL, NULL, NULL},
    {"base58check", NULL, NULL, NULL, NULL, NULL, NULL},
    {"bech32", "hrp", "nsec", NULL, NULL, NULL, NULL},
    {"bech32", "hrp", "a", "variant", "bech32m", "bytes", "1"},
    {"luhn", NULL, NULL, NULL, NULL, NULL, NULL},
    {"jwt", NULL, NULL, NULL, NULL, NULL, NULL},
    {"base64-json", NULL, NULL, NULL, NULL, NULL, NULL},
    {"base64-json", "split", "_", "part", "1", "required_keys", "a.b.c.d.e.f.g.h.i.j"},
    {"base64-json", "prefix", "ops_", "encoding", "url", NULL, NULL},
    {"pypi-macaroon", NULL, NULL, NULL, NULL, NULL, NULL},
    {"openai-marker", NULL, NULL, NULL, NULL, NULL, NULL},
    {"openai-marker", "balanced", "false", NULL, NULL, NULL, NULL},
    {"anthropic-suffix", NULL, NULL, NULL, NULL, NULL, NULL},
    {"aws-key-id", NULL, NULL, NULL, NULL, NULL, NULL},
};

Test(validate_registry, garbage_never_crashes, .timeout = LH_TEST_TIMEOUT)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                   "+/=-_.~1";
    uint8_t buf[1200];
    uint64_t seed = 0x9E3779B97F4A7C15ull;

    for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
        const struct param_set *p = &sets[s];
        const struct lh_validator *v = vt_find(p->validator);
        struct vt_rule r;
        struct lh_validation out;

        vt_rule_init(&r, p->validator, p->k1, p->v1, p->k2, p->v2, p->k3, p->v3, NULL);
        cr_assert(not(v->check(NULL, 0, &r.rule, &out)), "%s on NULL", p->validator);
        cr_assert(not(v->check((const uint8_t *)"", 0, &r.rule, NULL)), "%s on empty",
                  p->validator);
        for (int iter = 0; iter < 3000; iter++) {
            size_t len = rng_next(&seed) % sizeof(buf);
            bool text = iter % 2 == 0;
            if (iter % 4 == 0) {
                len %= 120; /* token-sized inputs hit more code paths */
            }
            for (size_t i = 0; i < len; i++) {
                uint64_t x = rng_next(&seed);
                buf[i] = text ? (uint8_t)alphabet[x % (sizeof(alphabet) - 1)] : (uint8_t)x;
            }
            (void)v->check(buf, len, &r.rule, &out);
        }
    }
}

Test(validate_registry, null_rule_and_out_are_tolerated)
{
    for (const struct lh_validator *v = lh_validator_all(); v->name != NULL; v++) {
        (void)v->check((const uint8_t *)"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", 40, NULL, NULL);
        (void)v->check_params(NULL); /* required parameters are reported, nothing crashes */
    }
}
