/* SPDX-License-Identifier: MIT */
/*
 * Revocation request signatures (HMAC-SHA256 over "<t>.<body>"); see sign.h. The signed
 * message is assembled in one heap buffer because OpenSSL's one-shot HMAC() is the simplest
 * non-deprecated interface; the buffer holds the body (which may carry a raw token), so it is
 * wiped before it is freed.
 */
#include "notify/sign.h"

#include "util/hash.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGN_MAX_BODY (16u * 1024u * 1024u)

/* Lower-case hex of HMAC-SHA256(secret, "<t>." body), as the header carries it. */
static int mac_hex(char hex[65], const uint8_t *secret, size_t secret_len, int64_t t,
                   const uint8_t *body, size_t len)
{
    char ts[32];
    int tn = snprintf(ts, sizeof(ts), "%" PRId64 ".", t);
    if (tn < 0 || (size_t)tn >= sizeof(ts) || len > SIGN_MAX_BODY || secret_len > INT32_MAX) {
        lh_error_set("cannot sign a request body of %zu bytes", len);
        return LH_ETOOBIG;
    }
    size_t n = (size_t)tn + len;
    uint8_t *msg = malloc(n ? n : 1);
    if (!msg) {
        return lh_error_oom();
    }
    memcpy(msg, ts, (size_t)tn);
    if (len) {
        memcpy(msg + tn, body, len);
    }
    uint8_t d[32];
    unsigned int outlen = sizeof(d);
    static const uint8_t empty[1] = {0};
    const uint8_t *key = secret_len ? secret : empty;
    uint8_t *r = HMAC(EVP_sha256(), key, (int)secret_len, msg, n, d, &outlen);
    OPENSSL_cleanse(msg, n);
    free(msg);
    if (!r || outlen != sizeof(d)) {
        lh_error_set("cannot compute the request signature (openssl hmac failed)");
        return LH_ERROR;
    }
    lh_hex(hex, d, sizeof(d));
    OPENSSL_cleanse(d, sizeof(d));
    return 0;
}

int lh_sign_header(char *out, size_t cap, const uint8_t *secret, size_t secret_len, int64_t t,
                   const uint8_t *body, size_t len)
{
    if (cap < LH_SIGN_HEADER_MAX) {
        lh_error_set("signature buffer of %zu bytes is too small", cap);
        return LH_ETOOBIG;
    }
    char hex[65];
    int rc = mac_hex(hex, secret, secret_len, t, body, len);
    if (rc < 0) {
        return rc;
    }
    snprintf(out, cap, "t=%" PRId64 ",v1=%s", t, hex);
    return 0;
}

static int parse_t(int64_t *out, const char *s, size_t n)
{
    if (n == 0 || n > 19) {
        return -1;
    }
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int lh_sign_verify(const char *header, const uint8_t *secret, size_t secret_len,
                   const uint8_t *body, size_t len, int64_t now, int64_t tolerance)
{
    int64_t t = -1;
    const char *sigs[8];
    size_t nsigs = 0;
    /* elements are comma-separated `k=v`; unknown keys are ignored (forward compatible) */
    for (const char *p = header; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t el = comma ? (size_t)(comma - p) : strlen(p);
        if (el > 2 && p[0] == 't' && p[1] == '=') {
            if (parse_t(&t, p + 2, el - 2) < 0) {
                t = -1;
            }
        } else if (el == 67 && !strncmp(p, "v1=", 3) && nsigs < 8) {
            sigs[nsigs++] = p + 3;
        }
        p = comma ? comma + 1 : NULL;
    }
    if (t < 0 || nsigs == 0) {
        lh_error_set("malformed signature header (expected t=<seconds>,v1=<hex>)");
        return LH_EINVAL;
    }
    if (t > now + tolerance || t < now - tolerance) {
        lh_error_set("signature timestamp %" PRId64 " is outside the %" PRId64 "-second tolerance",
                     t, tolerance);
        return LH_EINVAL;
    }
    char hex[65];
    int rc = mac_hex(hex, secret, secret_len, t, body, len);
    if (rc < 0) {
        return rc;
    }
    int match = 0;
    for (size_t i = 0; i < nsigs; i++) {
        /* lower-case hex only, as lh_sign_header writes it */
        match |= CRYPTO_memcmp(hex, sigs[i], 64) == 0;
    }
    if (!match) {
        lh_error_set("signature does not match the request body");
        return LH_EINVAL;
    }
    return 0;
}
