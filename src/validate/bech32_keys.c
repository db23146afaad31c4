/* SPDX-License-Identifier: MIT */
/*
 * Bech32/bech32m-encoded private keys (BIP-173/350; reference §2.22 age identities
 * `AGE-SECRET-KEY-1...`, §2.23 Nostr `nsec1...`): the checksum must verify with the
 * configured variant, the HRP must equal the `hrp` parameter (case-insensitively, as
 * bech32 prescribes) and the data must regroup from 5 to 8 bits, without padding, into
 * exactly `bytes` bytes. Optionally the letter case is pinned (age writes identities in
 * upper case). Stack buffers only; longer inputs than they hold fail.
 */
#include "util/encode.h"
#include "validate/checks.h"
#include "validate/params.h"

#include <string.h>

#define B32K_HRP_MAX 84
#define B32K_DATA_MAX 512
#define B32K_BYTES_DEFAULT 32

static const char *const variant_names[] = {"bech32", "bech32m", NULL};
static const char *const case_names[] = {"any", "lower", "upper", NULL};

struct b32k_opts {
    const char *hrp;
    enum lh_bech32_variant variant;
    size_t bytes;
    int letter_case; /* index into case_names */
};

static bool b32k_opts_read(struct b32k_opts *o, const struct lh_rule *rule)
{
    const char *bytes = lh_params_get(rule, "bytes");
    int variant = lh_params_choice(lh_params_get(rule, "variant"), variant_names, 0);
    uint64_t n = B32K_BYTES_DEFAULT;

    o->hrp = lh_params_get(rule, "hrp");
    o->letter_case = lh_params_choice(lh_params_get(rule, "case"), case_names, 0);
    if (o->hrp == NULL || o->hrp[0] == '\0' || strlen(o->hrp) >= B32K_HRP_MAX || variant < 0 ||
        o->letter_case < 0) {
        return false;
    }
    if (bytes != NULL && (lh_params_parse_u64(&n, bytes, B32K_DATA_MAX * 5 / 8) != 0 || n == 0)) {
        return false;
    }
    o->variant = variant == 1 ? LH_BECH32M : LH_BECH32;
    o->bytes = (size_t)n;
    return true;
}

static bool hrp_equal(const char *decoded_lower, const char *want)
{
    size_t n = strlen(want);

    if (strlen(decoded_lower) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = want[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != decoded_lower[i]) {
            return false;
        }
    }
    return true;
}

bool lh_bech32_keys_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                          struct lh_validation *out)
{
    struct b32k_opts o;
    char hrp[B32K_HRP_MAX];
    uint8_t data[B32K_DATA_MAX];
    uint8_t bytes[B32K_DATA_MAX];
    size_t dlen;
    size_t blen;
    enum lh_bech32_variant variant;

    if (secret == NULL || !b32k_opts_read(&o, rule)) {
        return lh_params_verdict(out, false);
    }
    if (lh_encode_bech32_decode(hrp, sizeof(hrp), data, sizeof(data), &dlen, &variant, secret,
                                len) != 0 ||
        variant != o.variant || !hrp_equal(hrp, o.hrp)) {
        return lh_params_verdict(out, false);
    }
    /* the decoder already refused mixed case; look at any letter for the case pin */
    if (o.letter_case != 0) {
        for (size_t i = 0; i < len; i++) {
            uint8_t c = secret[i];
            if ((o.letter_case == 1 && c >= 'A' && c <= 'Z') ||
                (o.letter_case == 2 && c >= 'a' && c <= 'z')) {
                return lh_params_verdict(out, false);
            }
        }
    }
    if (lh_encode_bits_regroup(bytes, sizeof(bytes), &blen, data, dlen, 5, 8, false) != 0) {
        return lh_params_verdict(out, false);
    }
    return lh_params_verdict(out, blen == o.bytes);
}

int lh_bech32_keys_params(const struct lh_rule *rule)
{
    static const char *const keys[] = {"hrp", "variant", "bytes", "case", NULL};
    const char *hrp = lh_params_get(rule, "hrp");
    const char *bytes = lh_params_get(rule, "bytes");
    uint64_t n;
    int rc = lh_params_check_keys(rule, keys);

    if (rc < 0) {
        return rc;
    }
    if (hrp == NULL || hrp[0] == '\0') {
        return lh_params_error(rule, "hrp", "is required");
    }
    if (strlen(hrp) >= B32K_HRP_MAX) {
        return lh_params_error(rule, "hrp", "is longer than 83 characters");
    }
    for (const char *p = hrp; *p != '\0'; p++) {
        if ((unsigned char)*p < 33 || (unsigned char)*p > 126) {
            return lh_params_error(rule, "hrp", "must be printable ASCII without spaces");
        }
    }
    if (lh_params_choice(lh_params_get(rule, "variant"), variant_names, 0) < 0) {
        return lh_params_error(rule, "variant", "must be 'bech32' or 'bech32m'");
    }
    if (lh_params_choice(lh_params_get(rule, "case"), case_names, 0) < 0) {
        return lh_params_error(rule, "case", "must be 'any', 'lower' or 'upper'");
    }
    if (bytes != NULL && (lh_params_parse_u64(&n, bytes, B32K_DATA_MAX * 5 / 8) != 0 || n == 0)) {
        return lh_params_error(rule, "bytes", "must be a byte count from 1 to 320");
    }
    return 0;
}
