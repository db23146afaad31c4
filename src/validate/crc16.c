/* SPDX-License-Identifier: MIT */
/*
 * Stellar StrKey validation (stellar-protocol ecosystem/sep-0023.md, reference §2.20):
 * base32 (upper case, no padding) of version byte + 32-byte payload + CRC-16/XMODEM of
 * both, little-endian. A key is valid only if it re-encodes to exactly the same text,
 * which rejects padding, impossible lengths and non-zero unused bits. The version byte is
 * a parameter (default 0x90, secret seeds `S...`); only 32-byte payloads are accepted
 * (seeds and account ids; muxed and signed-payload keys are out of scope).
 */
#include "validate/crc16.h"

#include "util/encode.h"
#include "validate/checks.h"
#include "validate/params.h"

#include <string.h>

#define STRKEY_PAYLOAD 32
#define STRKEY_BYTES (1 + STRKEY_PAYLOAD + 2)
#define STRKEY_LEN 56 /* base32 of 35 bytes, no padding */
#define STRKEY_SEED_VERSION 0x90u

uint16_t lh_crc16_xmodem(const uint8_t *buf, size_t len)
{
    uint16_t crc = 0;

    for (size_t i = 0; i < len; i++) {
        crc = (uint16_t)(crc ^ (uint16_t)buf[i] << 8);
        for (int b = 0; b < 8; b++) {
            crc = (uint16_t)((crc & 0x8000) ? ((crc << 1) ^ 0x1021) : (crc << 1));
        }
    }
    return crc;
}

static bool strkey_version(uint8_t *version, const struct lh_rule *rule)
{
    const char *v = lh_params_get(rule, "version");
    uint64_t n;

    if (v == NULL) {
        *version = STRKEY_SEED_VERSION;
        return true;
    }
    if (lh_params_parse_u64(&n, v, 0xff) != 0) {
        return false;
    }
    *version = (uint8_t)n;
    return true;
}

bool lh_crc16_check_strkey(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                           struct lh_validation *out)
{
    uint8_t raw[STRKEY_BYTES + 8];
    size_t rlen;
    char again[STRKEY_LEN + 8];
    size_t alen;
    uint8_t version;
    uint16_t crc;

    if (secret == NULL || len != STRKEY_LEN || !strkey_version(&version, rule)) {
        return lh_params_verdict(out, false);
    }
    if (lh_encode_base32_decode(raw, sizeof(raw), &rlen, secret, len, LH_ENC_NOPAD) != 0 ||
        rlen != STRKEY_BYTES || raw[0] != version) {
        return lh_params_verdict(out, false);
    }
    crc = lh_crc16_xmodem(raw, STRKEY_BYTES - 2);
    if (raw[STRKEY_BYTES - 2] != (uint8_t)crc || raw[STRKEY_BYTES - 1] != (uint8_t)(crc >> 8)) {
        return lh_params_verdict(out, false);
    }
    /* SEP-23: valid only if the decoded bytes encode back to the very same string */
    if (lh_encode_base32(again, sizeof(again), &alen, raw, rlen, LH_ENC_NOPAD) != 0) {
        return lh_params_verdict(out, false);
    }
    return lh_params_verdict(out, alen == len && memcmp(again, secret, len) == 0);
}

int lh_crc16_params_strkey(const struct lh_rule *rule)
{
    static const char *const keys[] = {"version", NULL};
    uint8_t version;
    int rc = lh_params_check_keys(rule, keys);

    if (rc < 0) {
        return rc;
    }
    if (!strkey_version(&version, rule)) {
        return lh_params_error(rule, "version", "must be a byte (0..255, decimal or 0x hex)");
    }
    return 0;
}
