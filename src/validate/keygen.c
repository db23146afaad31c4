/* SPDX-License-Identifier: MIT */
/*
 * Issuer key generation; see keygen.h. Rejection sampling: a random byte b is used only
 * when b < 248 (= 4 * 62), so b % 62 is uniform; about 3% of bytes are discarded. The
 * rule is emitted as YAML text with only [A-Za-z0-9_-] characters in values, so nothing
 * needs quoting beyond the fixed single-quoted pattern.
 */
#include "validate/keygen.h"

#include "util/encode.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>
#include <zlib.h>

#define ACCEPT_BELOW 248 /* 4 * 62 */
#define MAX_RAND_ROUNDS 64
#define REFERENCE                                                                                  \
    "https://docs.github.com/en/code-security/secret-scanning/"                                    \
    "secret-scanning-partnership-program/secret-scanning-partner-program"

int lh_keygen_check_prefix(const char *prefix)
{
    size_t n = prefix ? strlen(prefix) : 0;
    bool ok = n >= LH_KEYGEN_MIN_PREFIX && n <= LH_KEYGEN_MAX_PREFIX &&
              isalpha((unsigned char)prefix[0]) && prefix[n - 1] == '_';
    for (size_t i = 0; ok && i < n; i++) {
        ok = isalnum((unsigned char)prefix[i]) || prefix[i] == '_';
    }
    if (!ok) {
        lh_error_set("invalid prefix '%s': use %d-%d characters of A-Z a-z 0-9 _, starting "
                     "with a letter and ending in '_' (e.g. acme_live_)",
                     prefix ? prefix : "", LH_KEYGEN_MIN_PREFIX, LH_KEYGEN_MAX_PREFIX);
        return LH_EINVAL;
    }
    return 0;
}

static int check_len(size_t random_len)
{
    if (random_len < LH_KEYGEN_MIN_RANDOM || random_len > LH_KEYGEN_MAX_RANDOM) {
        lh_error_set("the random part must be %d to %d characters, not %zu", LH_KEYGEN_MIN_RANDOM,
                     LH_KEYGEN_MAX_RANDOM, random_len);
        return LH_EINVAL;
    }
    return 0;
}

/* Fills out[0..n) with uniform base62 characters from the CSPRNG. */
static int random_base62(char *out, size_t n)
{
    static const char alphabet[] = LH_BASE62_ALPHABET;
    unsigned char bytes[64];
    size_t have = 0;
    int rc = LH_ERROR;
    for (int round = 0; round < MAX_RAND_ROUNDS && have < n; round++) {
        if (RAND_bytes(bytes, (int)sizeof(bytes)) != 1) {
            lh_error_set("the system random number generator failed");
            goto out;
        }
        for (size_t i = 0; i < sizeof(bytes) && have < n; i++) {
            if (bytes[i] < ACCEPT_BELOW) {
                out[have++] = alphabet[bytes[i] % 62];
            }
        }
    }
    if (have < n) {
        lh_error_set("the system random number generator returned biased output");
        goto out;
    }
    rc = 0;
out:
    OPENSSL_cleanse(bytes, sizeof(bytes));
    return rc;
}

int lh_keygen_key(char *out, size_t cap, const char *prefix, size_t random_len)
{
    int rc = lh_keygen_check_prefix(prefix);
    if (rc == 0) {
        rc = check_len(random_len);
    }
    if (rc < 0) {
        return rc;
    }
    size_t plen = strlen(prefix);
    size_t total = plen + random_len + LH_KEYGEN_CHECKSUM_LEN;
    if (cap < total + 1) {
        lh_error_set("key buffer too small (%zu bytes for a %zu-character key)", cap, total);
        return LH_ETOOBIG;
    }
    memcpy(out, prefix, plen);
    rc = random_base62(out + plen, random_len);
    if (rc < 0) {
        OPENSSL_cleanse(out, cap);
        return rc;
    }
    uint32_t crc = (uint32_t)crc32_z(0L, (const unsigned char *)out + plen, random_len);
    rc = lh_encode_base62_u32(out + plen + random_len, LH_KEYGEN_CHECKSUM_LEN, crc);
    LH_ASSERT(rc == 0); /* any 32-bit value fits in 6 base62 digits (62^6 > 2^32) */
    out[total] = 0;
    return 0;
}

void lh_keygen_rule_id(char *out, size_t cap, const char *prefix)
{
    size_t o = 0;
    LH_ASSERT(cap > 0);
    for (const char *p = prefix; *p && o + 1 < cap; p++) {
        char c = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
        if (c == '-' && (o == 0 || out[o - 1] == '-')) {
            continue;
        }
        out[o++] = c;
    }
    while (o > 0 && out[o - 1] == '-') {
        o--;
    }
    out[o] = 0;
    if (o + 5 < cap) {
        memcpy(out + o, "-key", 5);
    }
}

int lh_keygen_partner_regex(struct lh_buf *out, const char *prefix, size_t random_len)
{
    return lh_buf_printf(out, "%s[A-Za-z0-9]{%zu}", prefix, random_len + LH_KEYGEN_CHECKSUM_LEN);
}

/* The environment-variable style name for the example line: ACME_LIVE_KEY. */
static void env_name(char *out, size_t cap, const char *prefix)
{
    size_t o = 0;
    for (const char *p = prefix; *p && o + 5 < cap; p++) {
        out[o++] = (char)toupper((unsigned char)*p);
    }
    while (o > 0 && out[o - 1] == '_') {
        o--;
    }
    memcpy(out + o, "_KEY", 5);
}

int lh_keygen_rule(struct lh_buf *out, const char *prefix, size_t random_len, const char *rule_id)
{
    char id[LH_KEYGEN_MAX_PREFIX + 8];
    char env[LH_KEYGEN_MAX_PREFIX + 8];
    char ex1[LH_KEYGEN_MAX_KEY];
    char ex2[LH_KEYGEN_MAX_KEY];
    char bad[LH_KEYGEN_MAX_KEY];
    char filler[LH_KEYGEN_MAX_RANDOM + LH_KEYGEN_CHECKSUM_LEN + 1];
    size_t width = random_len + LH_KEYGEN_CHECKSUM_LEN;
    int rc = lh_keygen_key(ex1, sizeof(ex1), prefix, random_len);
    if (rc == 0) {
        rc = lh_keygen_key(ex2, sizeof(ex2), prefix, random_len);
    }
    if (rc < 0) {
        goto out;
    }
    if (!rule_id) {
        lh_keygen_rule_id(id, sizeof(id), prefix);
        rule_id = id;
    }
    env_name(env, sizeof(env), prefix);
    /* one checksum character changed: the CRC no longer matches */
    memcpy(bad, ex1, sizeof(bad));
    size_t last = strlen(bad) - 1;
    bad[last] = bad[last] == 'A' ? 'B' : 'A';
    /* a documentation-style filler of the right length */
    for (size_t i = 0; i < width; i++) {
        filler[i] = "EXAMPLE"[i % 7];
    }
    filler[width] = 0;
    rc = lh_buf_printf(out,
                       "# leakhound rule for keys made by `leakhound keygen --prefix %s`.\n"
                       "# Layout (GitHub's): the prefix, %zu random base62 characters, then\n"
                       "# the 6-character base62 CRC-32 of the random part, so a match is\n"
                       "# confirmed offline and a one-character change is not reported.\n"
                       "#\n"
                       "# Regex to register with the GitHub secret scanning partner program:\n"
                       "#   ",
                       prefix, random_len);
    if (rc == 0) {
        rc = lh_keygen_partner_regex(out, prefix, random_len);
    }
    if (rc == 0) {
        rc = lh_buf_printf(
            out,
            "\nrules:\n"
            "  - id: %s\n"
            "    name: %s key\n"
            "    description: API key with the prefix %s, issued with leakhound keygen.\n"
            "    keywords: [%s]\n"
            "    pattern: '(?<![A-Za-z0-9_])(?<secret>%s[A-Za-z0-9]{%zu})(?![A-Za-z0-9_])'\n"
            "    validator: github-crc32\n"
            "    references:\n"
            "      - " REFERENCE "\n"
            "    examples:\n"
            "      - %s\n"
            "      - {text: '%s=\"%s\"', secret: %s}\n"
            "    negative_examples:\n"
            "      - %s\n"
            "      - %.*s\n"
            "      - %s%s\n",
            rule_id, prefix, prefix, prefix, prefix, width, ex1, env, ex2, ex2, bad,
            (int)(strlen(ex1) - 1), ex1, prefix, filler);
    }
out:
    OPENSSL_cleanse(ex1, sizeof(ex1));
    OPENSSL_cleanse(ex2, sizeof(ex2));
    OPENSSL_cleanse(bad, sizeof(bad));
    return rc;
}
