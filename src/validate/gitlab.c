/* SPDX-License-Identifier: MIT */
/*
 * GitLab routable tokens (gitlabhq lib/authn/token_field/generator/routable_token.rb,
 * reference §2.6): PREFIX B64 ".01." LL CCCCCCC, where B64 is unpadded URL-safe base64
 * of 16 random bytes + routing payload + one byte holding the payload length, LL is the
 * base36 length of B64 (2 digits) and CCCCCCC the base36 CRC-32 of everything before it
 * (prefix included). The token is parsed from its end: the length field says where B64
 * starts, so any prefix (glpat-, glrt-t1_, ...) works without a prefix table. Besides the
 * CRC it checks the two structural invariants: LL = len(B64) and last byte = decoded
 * length - 17. Legacy `glpat-` + 20 characters has no checksum and always fails here.
 */
#include "util/encode.h"
#include "validate/checks.h"
#include "validate/params.h"

#include <string.h>
#include <zlib.h>

#define GL_CRC_LEN 7
#define GL_LEN_LEN 2
#define GL_VERSION ".01."
#define GL_VERSION_LEN 4
#define GL_TAIL (GL_VERSION_LEN + GL_LEN_LEN + GL_CRC_LEN)
#define GL_RANDOM_LEN 16
#define GL_DECODED_MAX 256 /* 16 random + payload (<= 159) + 1 */

bool lh_gitlab_check_routable(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                              struct lh_validation *out)
{
    uint8_t decoded[GL_DECODED_MAX];
    size_t dlen;
    uint64_t b64len;
    size_t b64_at;
    char want[GL_CRC_LEN];
    uint32_t crc;

    (void)rule;
    if (secret == NULL || len <= GL_TAIL ||
        memcmp(secret + len - GL_TAIL, GL_VERSION, GL_VERSION_LEN) != 0) {
        return lh_params_verdict(out, false);
    }
    if (lh_encode_base36_decode(&b64len, secret + len - GL_CRC_LEN - GL_LEN_LEN, GL_LEN_LEN) != 0 ||
        b64len == 0 || b64len >= len - GL_TAIL) {
        return lh_params_verdict(out, false);
    }
    /* b64len < len - GL_TAIL, so the prefix is at least one byte */
    b64_at = len - GL_TAIL - (size_t)b64len;
    if (lh_encode_base64_decode(decoded, sizeof(decoded), &dlen, secret + b64_at, (size_t)b64len,
                                LH_ENC_URL | LH_ENC_NOPAD) != 0) {
        return lh_params_verdict(out, false);
    }
    if (dlen <= GL_RANDOM_LEN || decoded[dlen - 1] != dlen - GL_RANDOM_LEN - 1) {
        return lh_params_verdict(out, false);
    }
    crc = (uint32_t)crc32_z(0L, secret, len - GL_CRC_LEN);
    if (lh_encode_base36_u32(want, sizeof(want), crc) != 0) {
        return lh_params_verdict(out, false);
    }
    return lh_params_verdict(out, memcmp(want, secret + len - GL_CRC_LEN, GL_CRC_LEN) == 0);
}
