/* SPDX-License-Identifier: MIT */
/*
 * The `Leakhound-Signature` header of a revocation request: `t=<unix seconds>,v1=<hex>`, where
 * the hex is HMAC-SHA256 (OpenSSL) keyed with the route's secret over the bytes "<t>." followed
 * by the raw request body, the scheme Stripe uses for its webhooks. The timestamp is signed
 * with the body so a receiver can reject replays older than its tolerance. The secret is used
 * as the raw bytes of the environment variable that holds it (no hex or base64 decoding).
 * This module only computes and checks signatures; it never sees where secrets come from and
 * never records them in error messages. Every function is thread-safe.
 */
#ifndef LH_NOTIFY_SIGN_H
#define LH_NOTIFY_SIGN_H

#include "util/error.h"

#include <stddef.h>
#include <stdint.h>

/* "t=" + 20 digits + ",v1=" + 64 hex digits + NUL, rounded up. */
#define LH_SIGN_HEADER_MAX 96

/*
 * Writes the header value for body[len] signed at unix time t into out[cap] (NUL-terminated).
 * Returns 0, LH_ETOOBIG when cap < LH_SIGN_HEADER_MAX, LH_ENOMEM, or LH_ERROR when OpenSSL
 * fails. The secret is not kept.
 */
int lh_sign_header(char *out, size_t cap, const uint8_t *secret, size_t secret_len, int64_t t,
                   const uint8_t *body, size_t len) LH_WUR;

/*
 * Checks a header value against body[len]: parses `t=` and every `v1=` element (a receiver
 * may see several during secret rotation; any one matching suffices), compares in constant
 * time and rejects timestamps more than `tolerance` seconds away from `now`.
 * Returns 0 when valid, LH_EINVAL when malformed, mismatched or outside the tolerance
 * (message says which, never the secret), LH_ENOMEM.
 */
int lh_sign_verify(const char *header, const uint8_t *secret, size_t secret_len,
                   const uint8_t *body, size_t len, int64_t now, int64_t tolerance) LH_WUR;

#endif
