/* SPDX-License-Identifier: MIT */
/*
 * One HTTP attempt of a revocation request, on libcurl, and the retry policy around it.
 * An attempt is a single POST with TLS verification on, connect and total timeouts, no
 * redirects followed and only http/https allowed; its result is classified once here so the
 * caller never looks at status codes: 2xx delivered; network errors, 408, 429 and 5xx worth a
 * retry (with the server's Retry-After, in seconds or as an HTTP date, taken from libcurl);
 * configuration-like errors (TLS verification, bad URL) left for a later run; every other
 * status a permanent rejection. Response bodies are read and discarded, never quoted, because
 * a receiver could echo the token back. Thread-safe: each call owns its easy handle.
 * libcurl itself is loaded on the first use (http/libcurl.h), not linked.
 */
#ifndef LH_NOTIFY_WEBHOOK_H
#define LH_NOTIFY_WEBHOOK_H

#include "util/error.h"

#include <stddef.h>
#include <stdint.h>

enum lh_webhook_outcome {
    LH_WEBHOOK_DELIVERED = 0, /* 2xx */
    LH_WEBHOOK_RETRY,         /* transient: network error, 408, 429, 5xx */
    LH_WEBHOOK_DEFER,         /* not worth retrying now (TLS, URL): stays pending */
    LH_WEBHOOK_REJECTED,      /* permanent: any other status (4xx, 3xx, 1xx) */
};

struct lh_webhook_request {
    const char *url;
    const uint8_t *body;
    size_t body_len;
    const char *idempotency_key; /* hex SHA-256 of the token */
    const uint8_t *secret;       /* HMAC key; NULL sends the request unsigned */
    size_t secret_len;
    double timeout;         /* total seconds for the attempt */
    double connect_timeout; /* seconds */
};

struct lh_webhook_result {
    enum lh_webhook_outcome outcome;
    long status;      /* HTTP status, 0 when no response */
    long retry_after; /* seconds the server asked to wait, -1 when it did not say */
    char error[256];  /* "HTTP 503", "couldn't connect to server: ..."; never body text */
};

/*
 * Loads and initialises libcurl (http/libcurl.h) unless done already, so that a process
 * about to send can fail early and clearly. Returns 0 or LH_EIO ("cannot load libcurl.so.4
 * (needed for revoke webhooks): ..."). Idempotent and thread-safe.
 */
int lh_webhook_global_init(void) LH_WUR;

/*
 * Sends one POST and classifies the answer into *res. Returns 0 whenever an attempt was made
 * (whatever its outcome), LH_EIO when libcurl cannot be loaded, LH_ENOMEM or LH_ERROR when
 * the request could not even be set up (message set). Keeps no pointer to req.
 */
int lh_webhook_post(struct lh_webhook_result *res, const struct lh_webhook_request *req) LH_WUR;

/*
 * Full-jitter exponential backoff: a uniformly random delay in [0, min(cap, base * 2^retry)]
 * milliseconds for the retry-th retry (0-based), drawn from OpenSSL's RAND_bytes.
 */
uint64_t lh_webhook_backoff_ms(unsigned retry, uint64_t base_ms, uint64_t cap_ms);

#endif
