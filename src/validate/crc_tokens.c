/* SPDX-License-Identifier: MIT */
/*
 * Tokens whose issuer embeds a CRC-32 (zlib's IEEE CRC) or a truncated SHA-256 of the
 * token itself: GitHub classic and npm (base62 CRC), GitHub fine-grained PATs (base32
 * SHA-256), Grafana service-account tokens (little-endian hex CRC), Atlassian and Zuplo
 * (hex CRC, parameterised), Confluent (base64 of the little-endian CRC). Algorithms and
 * vectors: reference partner-and-checksums.md §2.1-2.5, 2.9, 2.10. Every check first
 * verifies the exact layout it needs from the end of the token, so it never indexes past
 * `len`; it never allocates (OpenSSL allocates inside EVP_Digest for SHA-256).
 */
#include "util/encode.h"
#include "validate/checks.h"
#include "validate/params.h"

#include <openssl/evp.h>
#include <string.h>
#include <zlib.h>

#define GH_CHECKSUM_LEN 6
#define GH_PREFIX_MAX 32
#define GH_PAT_LEN 93
#define GH_PAT_HASHED 77
#define GH_PAT_SEP 33
#define HEX_CRC_LEN 8
#define B64_CRC_LEN 6

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool all_alnum(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_alnum(s[i])) {
            return false;
        }
    }
    return true;
}

static uint32_t crc32_of(const uint8_t *buf, size_t len)
{
    return (uint32_t)crc32_z(0L, buf, len);
}

bool lh_crc_tokens_check_github(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                struct lh_validation *out)
{
    char want[GH_CHECKSUM_LEN];
    size_t us = 0;

    (void)rule;
    if (secret == NULL) {
        return lh_params_verdict(out, false);
    }
    /*
     * The prefix runs through the last '_' of a lower-case [a-z0-9_] head that starts with a
     * letter: ghp_ gho_ ghu_ ghs_ ghr_ npm_, and issuer prefixes such as acme_live_ made by
     * `leakhound keygen`. The body after it is alphanumeric, so the last '_' is unambiguous.
     */
    size_t head = 0;
    while (head < len && head < GH_PREFIX_MAX &&
           ((secret[head] >= 'a' && secret[head] <= 'z') ||
            (secret[head] >= '0' && secret[head] <= '9') || secret[head] == '_')) {
        if (secret[head] == '_') {
            us = head;
        }
        head++;
    }
    if (us < 2 || secret[0] < 'a' || secret[0] > 'z' || us >= len ||
        len - us - 1 <= GH_CHECKSUM_LEN) {
        return lh_params_verdict(out, false);
    }
    if (!all_alnum(secret + us + 1, len - us - 1)) {
        return lh_params_verdict(out, false);
    }
    if (lh_encode_base62_u32(want, sizeof(want),
                             crc32_of(secret + us + 1, len - us - 1 - GH_CHECKSUM_LEN)) != 0) {
        return lh_params_verdict(out, false);
    }
    return lh_params_verdict(out,
                             memcmp(want, secret + len - GH_CHECKSUM_LEN, GH_CHECKSUM_LEN) == 0);
}

bool lh_crc_tokens_check_github_pat(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                    struct lh_validation *out)
{
    static const char prefix[] = "github_pat_";
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    char b32[64];
    size_t b32len;

    (void)rule;
    if (secret == NULL || len != GH_PAT_LEN || memcmp(secret, prefix, sizeof(prefix) - 1) != 0 ||
        secret[GH_PAT_SEP] != '_') {
        return lh_params_verdict(out, false);
    }
    if (!all_alnum(secret + sizeof(prefix) - 1, GH_PAT_SEP - (sizeof(prefix) - 1)) ||
        !all_alnum(secret + GH_PAT_SEP + 1, len - GH_PAT_SEP - 1)) {
        return lh_params_verdict(out, false);
    }
    if (EVP_Digest(secret, GH_PAT_HASHED, digest, &dlen, EVP_sha256(), NULL) != 1 || dlen != 32) {
        return lh_params_verdict(out, false);
    }
    if (lh_encode_base32(b32, sizeof(b32), &b32len, digest, dlen, LH_ENC_NOPAD) != 0) {
        return lh_params_verdict(out, false);
    }
    return lh_params_verdict(out, memcmp(b32, secret + GH_PAT_HASHED, 8) == 0);
}

/* ---- hex CRC family (crc32-hex, crc32-le-hex) ------------------------------------- */

enum crc_covers { COVERS_BEFORE, COVERS_THROUGH, COVERS_BODY };
enum crc_case { CASE_LOWER, CASE_UPPER, CASE_ANY };
enum crc_endian { ENDIAN_BIG, ENDIAN_LITTLE };

static const char *const covers_names[] = {"before_separator", "through_separator", "body", NULL};
static const char *const case_names[] = {"lower", "upper", "any", NULL};
static const char *const endian_names[] = {"big", "little", NULL};

struct crc_hex_opts {
    uint8_t separator; /* 0 (`separator: none`): the checksum follows the body directly */
    enum crc_covers covers;
    enum crc_case letter_case;
    enum crc_endian endian;
};

/* Reads the parameters over the given defaults; false if one is malformed. */
static bool crc_hex_opts_read(struct crc_hex_opts *o, const struct lh_rule *rule)
{
    const char *sep = lh_params_get(rule, "separator");
    int covers = lh_params_choice(lh_params_get(rule, "covers"), covers_names, (int)o->covers);
    int lcase = lh_params_choice(lh_params_get(rule, "case"), case_names, (int)o->letter_case);
    int endian = lh_params_choice(lh_params_get(rule, "endian"), endian_names, (int)o->endian);

    if (covers < 0 || lcase < 0 || endian < 0) {
        return false;
    }
    if (sep != NULL && strcmp(sep, "none") == 0) {
        o->separator = 0;
    } else if (sep != NULL) {
        if (strlen(sep) != 1) {
            return false;
        }
        o->separator = (uint8_t)sep[0];
    }
    o->covers = (enum crc_covers)covers;
    o->letter_case = (enum crc_case)lcase;
    o->endian = (enum crc_endian)endian;
    return true;
}

static bool hex_digit_ok(uint8_t c, enum crc_case lc)
{
    if (c >= '0' && c <= '9') {
        return true;
    }
    if (c >= 'a' && c <= 'f') {
        return lc != CASE_UPPER;
    }
    if (c >= 'A' && c <= 'F') {
        return lc != CASE_LOWER;
    }
    return false;
}

static bool crc_hex_check(const uint8_t *secret, size_t len, const struct crc_hex_opts *o)
{
    const uint8_t *sum;
    size_t sep_at;
    size_t start = 0;
    size_t end;
    uint32_t crc;
    uint8_t bytes[4];
    char want[HEX_CRC_LEN + 1];

    if (secret == NULL || len < HEX_CRC_LEN + 2) {
        return false;
    }
    /* with no separator, sep_at is where the checksum starts and nothing is skipped */
    sep_at = o->separator ? len - HEX_CRC_LEN - 1 : len - HEX_CRC_LEN;
    sum = secret + len - HEX_CRC_LEN;
    if (o->separator && secret[sep_at] != o->separator) {
        return false;
    }
    for (size_t i = 0; i < HEX_CRC_LEN; i++) {
        if (!hex_digit_ok(sum[i], o->letter_case)) {
            return false;
        }
    }
    switch (o->covers) {
    case COVERS_THROUGH:
        end = o->separator ? sep_at + 1 : sep_at;
        break;
    case COVERS_BEFORE:
        end = sep_at;
        break;
    case COVERS_BODY:
    default: {
        /* the body starts after the prefix: its separator, or '_' when there is none */
        const uint8_t *first = memchr(secret, o->separator ? o->separator : '_', sep_at);
        if (first == NULL) {
            return false;
        }
        start = (size_t)(first - secret) + 1;
        end = sep_at;
        break;
    }
    }
    if (end <= start) {
        return false;
    }
    crc = crc32_of(secret + start, end - start);
    for (int i = 0; i < 4; i++) {
        int shift = o->endian == ENDIAN_BIG ? 24 - 8 * i : 8 * i;
        bytes[i] = (uint8_t)(crc >> shift);
    }
    if (lh_encode_hex(want, sizeof(want), bytes, sizeof(bytes), o->letter_case == CASE_UPPER) !=
        0) {
        return false;
    }
    for (size_t i = 0; i < HEX_CRC_LEN; i++) {
        uint8_t c = sum[i];
        if (c >= 'A' && c <= 'F') {
            c = (uint8_t)(c - 'A' + 'a');
        }
        if ((o->letter_case == CASE_ANY ? c : sum[i]) != (uint8_t)want[i]) {
            return false;
        }
    }
    return true;
}

bool lh_crc_tokens_check_hex(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                             struct lh_validation *out)
{
    struct crc_hex_opts o = {'_', COVERS_BODY, CASE_LOWER, ENDIAN_BIG};

    if (!crc_hex_opts_read(&o, rule)) {
        return lh_params_verdict(out, false);
    }
    return lh_params_verdict(out, crc_hex_check(secret, len, &o));
}

bool lh_crc_tokens_check_le_hex(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                struct lh_validation *out)
{
    struct crc_hex_opts o = {'_', COVERS_BEFORE, CASE_LOWER, ENDIAN_LITTLE};

    if (!crc_hex_opts_read(&o, rule)) {
        return lh_params_verdict(out, false);
    }
    return lh_params_verdict(out, crc_hex_check(secret, len, &o));
}

int lh_crc_tokens_params_hex(const struct lh_rule *rule)
{
    static const char *const keys[] = {"separator", "covers", "case", "endian", NULL};
    const char *sep = lh_params_get(rule, "separator");
    int rc = lh_params_check_keys(rule, keys);

    if (rc < 0) {
        return rc;
    }
    if (sep != NULL && strlen(sep) != 1 && strcmp(sep, "none") != 0) {
        return lh_params_error(rule, "separator", "must be exactly one character or 'none'");
    }
    if (lh_params_choice(lh_params_get(rule, "covers"), covers_names, 0) < 0) {
        return lh_params_error(rule, "covers",
                               "must be 'before_separator', 'through_separator' or 'body'");
    }
    if (lh_params_choice(lh_params_get(rule, "case"), case_names, 0) < 0) {
        return lh_params_error(rule, "case", "must be 'lower', 'upper' or 'any'");
    }
    if (lh_params_choice(lh_params_get(rule, "endian"), endian_names, 0) < 0) {
        return lh_params_error(rule, "endian", "must be 'big' or 'little'");
    }
    return 0;
}

/* ---- crc32-le-b64 (Confluent) ----------------------------------------------------- */

bool lh_crc_tokens_check_le_b64(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                struct lh_validation *out)
{
    const char *prefix = lh_params_get(rule, "prefix");
    size_t plen;
    uint32_t crc;
    uint8_t bytes[4];
    char want[16];
    size_t wlen;

    if (prefix == NULL) {
        prefix = "cflt";
    }
    plen = strlen(prefix);
    if (secret == NULL || len <= plen + B64_CRC_LEN || memcmp(secret, prefix, plen) != 0) {
        return lh_params_verdict(out, false);
    }
    crc = crc32_of(secret + plen, len - plen - B64_CRC_LEN);
    for (int i = 0; i < 4; i++) {
        bytes[i] = (uint8_t)(crc >> (8 * i));
    }
    if (lh_encode_base64(want, sizeof(want), &wlen, bytes, sizeof(bytes), 0) != 0) {
        return lh_params_verdict(out, false);
    }
    return lh_params_verdict(out, memcmp(want, secret + len - B64_CRC_LEN, B64_CRC_LEN) == 0);
}

int lh_crc_tokens_params_le_b64(const struct lh_rule *rule)
{
    static const char *const keys[] = {"prefix", NULL};
    const char *prefix = lh_params_get(rule, "prefix");
    int rc = lh_params_check_keys(rule, keys);

    if (rc < 0) {
        return rc;
    }
    if (prefix != NULL && prefix[0] == '\0') {
        return lh_params_error(rule, "prefix", "must not be empty");
    }
    return 0;
}
