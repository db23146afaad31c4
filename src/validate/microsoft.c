/* SPDX-License-Identifier: MIT */
/*
 * Microsoft "identifiable secrets" (microsoft/security-utilities, reference §2.8):
 * HIS v1 identifiable keys (base64 text ending in a fixed 4-character signature and a
 * Marvin32 checksum of the decoded bytes, one seed per key kind), Azure AD client secrets
 * (`8Q~`, three characters of a base-66 Marvin32), legacy Azure DevOps PATs (CRC-32 XOR a
 * seed, scattered through 32 base32-decoded bytes) and CASK / "common annotated" keys
 * (`JQQJ9`, Marvin32 written either as plain base64 or through the library's base62
 * detour). Each function mirrors the library's validation routine, not its scanner regex,
 * plus the layout checks that make indexing safe. Not covered: the Azure Cache for Redis
 * variant that rewrites '+' '/' to 'P' 'F', and `7Q~` AAD secrets (no checksum).
 */
#include "util/encode.h"
#include "validate/checks.h"
#include "validate/marvin.h"
#include "validate/params.h"

#include <string.h>
#include <zlib.h>

#define HIS_SIG_LEN 4
#define HIS_CHECKSUM_CHARS 6
#define HIS_MIN_BYTES 8
#define HIS_MAX_BYTES 256

#define AAD_LEN 40
#define AAD_HASHED 37
#define AAD_SEED 0x4161645077643030ull /* "AadPwd00" */

#define ADO_LEN 52
#define ADO_USER_SEED 0xE0B9692Du
#define ADO_APP_SEED 0x1019F92Eu

#define CASK_STD_LEN 84
#define CASK_LONG_LEN 88
#define CASK_HASHED_CHARS 80
#define CASK_SEED 0x44656661756c7430ull /* "Default0" */

static const char aad_alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "1234567890.-_~";

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_alpha(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Parses one `seeds` item: an 8-character kind name or 0x + 1..16 hex digits. */
static bool parse_seed(uint64_t *seed, const char *item, size_t n)
{
    char tmp[20];

    if (n >= 3 && item[0] == '0' && (item[1] == 'x' || item[1] == 'X') && n <= 18) {
        memcpy(tmp, item, n);
        tmp[n] = '\0';
        return lh_params_parse_u64(seed, tmp, UINT64_MAX) == 0;
    }
    if (n != 8) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if ((uint8_t)item[i] < 0x21 || (uint8_t)item[i] > 0x7e) {
            return false;
        }
    }
    *seed = lh_marvin_seed(item);
    return true;
}

static bool his_urlsafe(const struct lh_rule *rule, bool *urlsafe)
{
    static const char *const names[] = {"false", "true", NULL};
    int v = lh_params_choice(lh_params_get(rule, "urlsafe"), names, 0);

    *urlsafe = v == 1;
    return v >= 0;
}

bool lh_microsoft_check_identifiable(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                     struct lh_validation *out)
{
    const char *sig = lh_params_get(rule, "signature");
    const char *cursor = lh_params_get(rule, "seeds");
    uint8_t key[HIS_MAX_BYTES];
    size_t klen;
    size_t pad = 0;
    bool urlsafe;
    uint32_t expected;
    const char *item;
    size_t item_len;

    if (secret == NULL || sig == NULL || strlen(sig) != HIS_SIG_LEN || cursor == NULL ||
        !his_urlsafe(rule, &urlsafe)) {
        return lh_params_verdict(out, false);
    }
    /* the library refuses the other alphabet's special characters outright */
    for (size_t i = 0; i < len; i++) {
        uint8_t c = secret[i];
        if (urlsafe ? (c == '+' || c == '/') : (c == '-' || c == '_')) {
            return lh_params_verdict(out, false);
        }
    }
    /*
     * Issuers emit canonical base64: spare bits in the last symbol are 0, and standard
     * kinds always carry their '=' padding (URL-safe kinds such as Functions may drop it).
     */
    if (lh_encode_base64_decode(key, sizeof(key), &klen, secret, len,
                                (urlsafe ? LH_ENC_URL : LH_ENC_PAD) | LH_ENC_STRICT) != 0 ||
        klen < HIS_MIN_BYTES) {
        return lh_params_verdict(out, false);
    }
    while (pad < len && secret[len - 1 - pad] == '=') {
        pad++;
    }
    /* decoded length >= 8 implies at least 11 characters, so this cannot underflow */
    if (memcmp(secret + len - pad - HIS_CHECKSUM_CHARS - HIS_SIG_LEN, sig, HIS_SIG_LEN) != 0) {
        return lh_params_verdict(out, false);
    }
    expected = le32(key + klen - 4);
    while (lh_params_next_item(&cursor, &item, &item_len)) {
        uint64_t seed;
        if (parse_seed(&seed, item, item_len) &&
            lh_marvin_hash32(seed, key, klen - 4) == expected) {
            return lh_params_verdict(out, true);
        }
    }
    return lh_params_verdict(out, false);
}

int lh_microsoft_params_identifiable(const struct lh_rule *rule)
{
    static const char *const keys[] = {"signature", "seeds", "urlsafe", NULL};
    const char *sig = lh_params_get(rule, "signature");
    const char *cursor = lh_params_get(rule, "seeds");
    const char *item;
    size_t item_len;
    size_t nseeds = 0;
    bool urlsafe;
    int rc = lh_params_check_keys(rule, keys);

    if (rc < 0) {
        return rc;
    }
    if (sig == NULL || strlen(sig) != HIS_SIG_LEN) {
        return lh_params_error(rule, "signature", "must be the 4-character key signature");
    }
    for (size_t i = 0; i < HIS_SIG_LEN; i++) {
        uint8_t c = (uint8_t)sig[i];
        if (!is_alnum(c) && c != '+' && c != '/' && c != '-' && c != '_') {
            return lh_params_error(rule, "signature", "must be base64 characters");
        }
    }
    if (cursor == NULL) {
        return lh_params_error(rule, "seeds", "is required");
    }
    while (lh_params_next_item(&cursor, &item, &item_len)) {
        uint64_t seed;
        if (!parse_seed(&seed, item, item_len)) {
            return lh_params_error(rule, "seeds",
                                   "must list 8-character seed names or 0x hex numbers");
        }
        nseeds++;
    }
    if (nseeds == 0) {
        return lh_params_error(rule, "seeds", "must not be empty");
    }
    if (!his_urlsafe(rule, &urlsafe)) {
        return lh_params_error(rule, "urlsafe", "must be 'true' or 'false'");
    }
    return 0;
}

bool lh_microsoft_check_aad(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                            struct lh_validation *out)
{
    char want[6];

    (void)rule;
    if (secret == NULL || len != AAD_LEN || memcmp(secret + 3, "8Q~", 3) != 0) {
        return lh_params_verdict(out, false);
    }
    for (size_t i = 0; i < len; i++) {
        if (secret[i] == 0 || memchr(aad_alphabet, secret[i], sizeof(aad_alphabet) - 1) == NULL) {
            return lh_params_verdict(out, false);
        }
    }
    if (lh_encode_radix_u32(want, sizeof(want), lh_marvin_hash32(AAD_SEED, secret, AAD_HASHED),
                            aad_alphabet) != 0) {
        return lh_params_verdict(out, false);
    }
    /* the issuer keeps only the first 3 of the 6 checksum characters */
    return lh_params_verdict(out, memcmp(want, secret + AAD_HASHED, 3) == 0);
}

bool lh_microsoft_check_ado_pat(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                struct lh_validation *out)
{
    uint8_t b[40];
    uint8_t token[28];
    size_t blen;
    uint32_t crc;
    uint32_t embedded;

    (void)rule;
    if (secret == NULL || len != ADO_LEN ||
        lh_encode_base32_decode(b, sizeof(b), &blen, secret, len, LH_ENC_LOWER | LH_ENC_NOPAD) !=
            0 ||
        blen != 32) {
        return lh_params_verdict(out, false);
    }
    memcpy(token, b, 2);
    memcpy(token + 2, b + 3, 4);
    memcpy(token + 6, b + 9, 13);
    memcpy(token + 19, b + 23, 9);
    crc = (uint32_t)crc32_z(0L, token, sizeof(token));
    embedded = (uint32_t)b[22] | (uint32_t)b[8] << 8 | (uint32_t)b[7] << 16 | (uint32_t)b[2] << 24;
    return lh_params_verdict(out,
                             (crc ^ ADO_USER_SEED) == embedded || (crc ^ ADO_APP_SEED) == embedded);
}

/* CommonAnnotatedKeyRegexPattern, checked position by position. */
static bool cask_shape(const uint8_t *k, size_t len)
{
    for (size_t i = 0; i < CASK_STD_LEN; i++) {
        if (i >= 52 && i < 57) {
            if (k[i] != (uint8_t) "JQQJ9"[i - 52]) {
                return false;
            }
        } else if (i == 57) {
            if (k[i] != '9' && k[i] != 'D' && k[i] != 'H') {
                return false;
            }
        } else if (i == 59) {
            if (k[i] < 'A' || k[i] > 'L') {
                return false;
            }
        } else if (i == 76) {
            if (!is_alpha(k[i])) {
                return false;
            }
        } else if (!is_alnum(k[i])) {
            return false;
        }
    }
    if (len == CASK_LONG_LEN) {
        return is_alnum(k[84]) && is_alnum(k[85]) && k[86] == '=' && k[87] == '=';
    }
    return true;
}

/*
 * The library's base62 detour (GetBase62EncodedChecksum): the 4 checksum bytes as a
 * big-endian number in base62 (one '0' per leading zero byte, at most 3, as Base62.Net
 * does), right-padded with '0' to 6, read as base64 text to 4 bytes and re-encoded.
 */
static bool cask_base62_text(char text[16], const uint8_t cb[4])
{
    uint32_t v = (uint32_t)cb[0] << 24 | (uint32_t)cb[1] << 16 | (uint32_t)cb[2] << 8 | cb[3];
    char digits[8];
    char six[8];
    uint8_t bytes[8];
    size_t n = 0;
    size_t nd = 0;
    size_t blen;
    size_t tlen;

    for (size_t i = 0; i < 3 && cb[i] == 0; i++) {
        six[n++] = '0';
    }
    do {
        digits[nd++] = LH_BASE62_ALPHABET[v % 62];
        v /= 62;
    } while (v > 0);
    if (n + nd > 6) {
        return false;
    }
    while (nd > 0) {
        six[n++] = digits[--nd];
    }
    while (n < 6) {
        six[n++] = '0';
    }
    six[6] = '=';
    six[7] = '=';
    return lh_encode_base64_decode(bytes, sizeof(bytes), &blen, (const uint8_t *)six, 8, 0) == 0 &&
           lh_encode_base64(text, 16, &tlen, bytes, blen, 0) == 0;
}

bool lh_microsoft_check_cask(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                             struct lh_validation *out)
{
    uint8_t bytes[64];
    size_t blen;
    uint8_t cb[4];
    uint32_t c;
    char text[16];
    size_t tlen;
    size_t given;

    (void)rule;
    if (secret == NULL || (len != CASK_STD_LEN && len != CASK_LONG_LEN) ||
        !cask_shape(secret, len)) {
        return lh_params_verdict(out, false);
    }
    if (lh_encode_base64_decode(bytes, sizeof(bytes), &blen, secret, CASK_HASHED_CHARS, 0) != 0) {
        return lh_params_verdict(out, false);
    }
    c = lh_marvin_hash32(CASK_SEED, bytes, blen);
    for (int i = 0; i < 4; i++) {
        cb[i] = (uint8_t)(c >> (8 * i));
    }
    given = len == CASK_LONG_LEN ? 6 : 4; /* checksum characters without '=' */
    /* (b): plain base64 of the first 3 (standard) or 4 (long form) checksum bytes */
    if (lh_encode_base64(text, sizeof(text), &tlen, cb, len == CASK_LONG_LEN ? 4 : 3, 0) == 0 &&
        tlen == len - CASK_HASHED_CHARS && memcmp(text, secret + CASK_HASHED_CHARS, tlen) == 0) {
        return lh_params_verdict(out, true);
    }
    /* (a): the base62 detour's text must start with the given characters */
    return lh_params_verdict(out, cask_base62_text(text, cb) &&
                                      memcmp(text, secret + CASK_HASHED_CHARS, given) == 0);
}
