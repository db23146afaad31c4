/* SPDX-License-Identifier: MIT */
/*
 * libcurl delivery of one revocation request and the backoff draw; see webhook.h. A fresh
 * easy handle per attempt keeps attempts independent (a retry never inherits a half-broken
 * connection) at the cost of a new handshake, which is irrelevant at revocation volumes.
 * libcurl is reached through the table of http/libcurl.h (loaded on first use), so the
 * option values passed to easy_setopt are not type-checked at compile time: longs are
 * written 1L, sizes cast to curl_off_t.
 */
#include "notify/webhook.h"

#include "http/libcurl.h"
#include "notify/sign.h"

#include <curl/curl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define PURPOSE "revoke webhooks"

int lh_webhook_global_init(void)
{
    const struct lh_libcurl *cu = NULL;
    return lh_libcurl_load(&cu, PURPOSE);
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *payload)
{
    (void)ptr;
    (void)payload;
    return size * nmemb;
}

static long ms(double seconds)
{
    double v = seconds * 1000.0;
    if (v < 1) {
        return 1;
    }
    return v > 86400000.0 ? 86400000L : (long)v;
}

/* Errors that another attempt a few seconds later cannot fix: wait for a later run. */
static int is_defer_code(CURLcode c)
{
    switch (c) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
        return 1;
    default:
        return 0;
    }
}

static void classify(struct lh_webhook_result *res, long status)
{
    res->status = status;
    if (status >= 200 && status < 300) {
        res->outcome = LH_WEBHOOK_DELIVERED;
    } else if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
        res->outcome = LH_WEBHOOK_RETRY;
    } else {
        /* 4xx: the receiver refused this request; 1xx/3xx: redirects are not followed */
        res->outcome = LH_WEBHOOK_REJECTED;
    }
    snprintf(res->error, sizeof(res->error), "HTTP %ld", status);
}

static int add_header(const struct lh_libcurl *cu, struct curl_slist **list, const char *line)
{
    struct curl_slist *n = cu->slist_append(*list, line);
    if (!n) {
        return lh_error_oom();
    }
    *list = n;
    return 0;
}

static int build_headers(const struct lh_libcurl *cu, struct curl_slist **out,
                         const struct lh_webhook_request *req)
{
    char line[256];
    int rc = add_header(cu, out, "Content-Type: application/json");
    if (rc == 0) {
        rc = add_header(cu, out, "Accept: application/json");
    }
    if (rc == 0) {
        rc = add_header(cu, out, "User-Agent: leakhound-revoke/1");
    }
    if (rc == 0) {
        rc = add_header(cu, out, "Expect:"); /* no 100-continue round trip */
    }
    if (rc == 0) {
        snprintf(line, sizeof(line), "Idempotency-Key: %s", req->idempotency_key);
        rc = add_header(cu, out, line);
    }
    if (rc == 0 && req->secret) {
        char sig[LH_SIGN_HEADER_MAX];
        rc = lh_sign_header(sig, sizeof(sig), req->secret, req->secret_len, (int64_t)time(NULL),
                            req->body, req->body_len);
        if (rc == 0) {
            snprintf(line, sizeof(line), "Leakhound-Signature: %s", sig);
            rc = add_header(cu, out, line);
        }
    }
    return rc;
}

/*
 * What a Retry-After value is: 1 delta-seconds (digits, blanks around them allowed), 0 maybe
 * an HTTP date (no leading digit: libcurl parses it), -1 neither ("1.5", "5 minutes", where
 * libcurl would read the leading digits).
 */
static int retry_after_kind(const char *v)
{
    size_t i = 0;
    size_t digits = 0;
    if (!v) {
        return -1;
    }
    while (v[i] == ' ' || v[i] == '\t') {
        i++;
    }
    while (v[i] >= '0' && v[i] <= '9') {
        i++;
        digits++;
    }
    while (v[i] == ' ' || v[i] == '\t') {
        i++;
    }
    if (digits) {
        return v[i] == '\0' ? 1 : -1;
    }
    return 0;
}

int lh_webhook_post(struct lh_webhook_result *res, const struct lh_webhook_request *req)
{
    memset(res, 0, sizeof(*res));
    res->retry_after = -1;
    struct curl_slist *headers = NULL;
    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';
    const struct lh_libcurl *cu = NULL;
    int rc = lh_libcurl_load(&cu, PURPOSE);
    if (rc < 0) {
        return rc;
    }
    CURL *h = cu->easy_init();
    if (!h) {
        lh_error_set("cannot create a libcurl handle");
        return LH_ERROR;
    }
    rc = build_headers(cu, &headers, req);
    if (rc < 0) {
        goto out;
    }
    int bad = 0;
    /* each setopt can only fail on out-of-memory or an unknown option; check them together */
    bad |= cu->easy_setopt(h, CURLOPT_URL, req->url) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_TIMEOUT_MS, ms(req->timeout)) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms(req->connect_timeout)) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_HTTPHEADER, headers) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_POST, 1L) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_POSTFIELDS, (const char *)req->body) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_WRITEFUNCTION, discard) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
    if (bad) {
        /* no URL here: it may carry credentials, and the caller knows which route it was */
        lh_error_set("cannot configure a libcurl request (out of memory?)");
        rc = LH_ERROR;
        goto out;
    }
    CURLcode c = cu->easy_perform(h);
    long status = 0;
    cu->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (c != CURLE_OK || status == 0) {
        res->outcome = is_defer_code(c) ? LH_WEBHOOK_DEFER : LH_WEBHOOK_RETRY;
        /* libcurl's error buffer is more specific than its code's description */
        snprintf(res->error, sizeof(res->error), "%.240s",
                 errbuf[0] ? errbuf : cu->easy_strerror(c));
        goto out;
    }
    classify(res, status);
    struct curl_header *ra = NULL;
    if (cu->easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &ra) == CURLHE_OK) {
        /*
         * libcurl has already turned seconds or an HTTP date into seconds from now, but it
         * answers 0 for a value it cannot parse (and for a date in the past), and a 0 made
         * every retry immediate: 5 attempts in 3 ms (issue #15). Only delta-seconds or a
         * date still ahead count; anything else is treated as no Retry-After at all.
         */
        curl_off_t secs = 0;
        cu->easy_getinfo(h, CURLINFO_RETRY_AFTER, &secs);
        int kind = retry_after_kind(ra->value);
        if (kind == 1 || (kind == 0 && secs > 0)) {
            res->retry_after = secs < 0 ? 0 : secs > 86400 * 365 ? 86400L * 365 : (long)secs;
        }
    }
out:
    cu->slist_free_all(headers);
    cu->easy_cleanup(h);
    return rc;
}

uint64_t lh_webhook_backoff_ms(unsigned retry, uint64_t base_ms, uint64_t cap_ms)
{
    uint64_t ceiling = base_ms;
    for (unsigned i = 0; i < retry && ceiling < cap_ms; i++) {
        ceiling *= 2;
    }
    if (ceiling > cap_ms) {
        ceiling = cap_ms;
    }
    if (ceiling == 0) {
        return 0;
    }
    uint64_t r = 0;
    if (RAND_bytes((unsigned char *)&r, (int)sizeof(r)) != 1) {
        /* no randomness: fall back to the ceiling (no jitter beats no backoff) */
        return ceiling;
    }
    return r % (ceiling + 1);
}
