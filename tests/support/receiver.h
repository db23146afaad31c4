/* SPDX-License-Identifier: MIT */
/*
 * A revocation receiver for the tests: libmicrohttpd on 127.0.0.1 (one thread per connection,
 * so a held request does not block others). It records every request, verifies the
 * Leakhound-Signature with its own OpenSSL HMAC code (independent of src/notify/sign.c),
 * checks that the Idempotency-Key is the SHA-256 of the token in the body, and answers from a
 * scripted list of status codes. Requests live in a fixed array, so pointers returned by
 * rx_get stay valid until rx_stop. Every wait is bounded.
 */
#ifndef LH_TEST_SUPPORT_RECEIVER_H
#define LH_TEST_SUPPORT_RECEIVER_H

#include <stddef.h>
#include <stdint.h>

#define RX_MAX_REQUESTS 512

struct rx_request {
    char method[16];
    char path[256];
    char idem[80];  /* Idempotency-Key */
    char sig[160];  /* Leakhound-Signature */
    char ctype[64]; /* Content-Type */
    char *body;     /* NUL-terminated */
    size_t body_len;
    int sig_ok;      /* HMAC matches and the timestamp is within 300 s */
    int key_ok;      /* Idempotency-Key == sha256(token) (or token_sha256 if no token) */
    char token[256]; /* "token" from the body, "" when absent */
    double at;       /* monotonic seconds when the request completed */
    int answered;    /* status code sent */
};

struct rx_opts {
    const char *secret; /* HMAC key the signature is checked with (NULL: sig_ok stays 0) */
    int statuses[16];   /* answers for requests 1..n, then `dflt` */
    size_t nstatuses;
    int dflt;                /* 0 means 200 */
    const char *retry_after; /* Retry-After value sent with non-2xx answers, or NULL */
    size_t hang_on;          /* 1-based request number held until rx_release (0: none) */
    uint16_t port;           /* 0: any free port */
};

struct rx;

/* Starts a receiver; NULL on failure (port taken). */
struct rx *rx_start(const struct rx_opts *o);
uint16_t rx_port(const struct rx *r);
/* "http://127.0.0.1:<port>/hook" */
void rx_url(const struct rx *r, char *out, size_t cap);
size_t rx_count(struct rx *r);
/* Waits until at least n requests were received (a held one counts); 1 if so, 0 on timeout. */
int rx_wait(struct rx *r, size_t n, int timeout_ms);
/* Request i (0-based), or NULL. */
const struct rx_request *rx_get(struct rx *r, size_t i);
/* Number of distinct Idempotency-Keys seen, and requests carrying `key`. */
size_t rx_unique_keys(struct rx *r);
size_t rx_count_key(struct rx *r, const char *key);
/* Lets a held request answer. */
void rx_release(struct rx *r);
/* Stops the daemon and frees everything (NULL is a no-op). */
void rx_stop(struct rx *r);

#endif
