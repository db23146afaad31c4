/* SPDX-License-Identifier: MIT */
/*
 * JSON Web Tokens in compact JWS form (RFC 7515/7519, reference §2.19): exactly three
 * base64url segments; the header decodes to a JSON object with a string `alg`, the
 * payload to a JSON object; `alg: none` requires an empty signature, any other alg a
 * non-empty, well-formed one. Signatures are not verified (that needs the issuer's key).
 * JWE (five segments) and unencoded payloads fail. Decoded header and payload are capped
 * (JWT_HEADER_MAX, JWT_PAYLOAD_MAX); larger tokens fail.
 */
#include "util/encode.h"
#include "validate/b64json.h"
#include "validate/checks.h"
#include "validate/params.h"

#include <string.h>

#define JWT_HEADER_MAX 1024
#define JWT_PAYLOAD_MAX 8192

static bool jwt_header_ok(const uint8_t *seg, size_t n, bool *alg_none)
{
    uint8_t scratch[JWT_HEADER_MAX];
    json_t *hdr = lh_b64json_load_object(seg, n, LH_ENC_URL, scratch, sizeof(scratch));
    json_t *alg;
    bool ok;

    if (hdr == NULL) {
        return false;
    }
    alg = json_object_get(hdr, "alg");
    ok = json_is_string(alg);
    *alg_none = ok && strcmp(json_string_value(alg), "none") == 0;
    json_decref(hdr);
    return ok;
}

static bool jwt_payload_ok(const uint8_t *seg, size_t n)
{
    uint8_t scratch[JWT_PAYLOAD_MAX];
    json_t *payload = lh_b64json_load_object(seg, n, LH_ENC_URL, scratch, sizeof(scratch));

    if (payload == NULL) {
        return false;
    }
    json_decref(payload);
    return true;
}

bool lh_jwt_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                  struct lh_validation *out)
{
    const uint8_t *dot1;
    const uint8_t *dot2;
    size_t hlen;
    size_t plen;
    size_t slen;
    size_t sig_bytes;
    bool alg_none = false;

    (void)rule;
    if (secret == NULL || len == 0) {
        return lh_params_verdict(out, false);
    }
    dot1 = memchr(secret, '.', len);
    if (dot1 == NULL) {
        return lh_params_verdict(out, false);
    }
    hlen = (size_t)(dot1 - secret);
    dot2 = memchr(dot1 + 1, '.', len - hlen - 1);
    if (dot2 == NULL) {
        return lh_params_verdict(out, false);
    }
    plen = (size_t)(dot2 - dot1) - 1;
    slen = len - hlen - plen - 2;
    if (memchr(dot2 + 1, '.', slen) != NULL) {
        return lh_params_verdict(out, false);
    }
    if (!jwt_header_ok(secret, hlen, &alg_none) || !jwt_payload_ok(dot1 + 1, plen)) {
        return lh_params_verdict(out, false);
    }
    if (alg_none) {
        return lh_params_verdict(out, slen == 0);
    }
    return lh_params_verdict(
        out, slen > 0 && lh_encode_base64_decoded_len(&sig_bytes, dot2 + 1, slen, LH_ENC_URL) == 0);
}
