/* SPDX-License-Identifier: MIT */
/*
 * The partner endpoint's request logic as a pure function of (headers, raw body): size
 * cap (413), signature verification over the raw bytes BEFORE any parsing (400/401), then
 * the JSON array of {token, type, url, source} objects (400 when it is anything else),
 * classification of each token with the detector (the partner `type` selects rule id
 * globs through the type map; an unmapped type is classified against all rules) and the
 * feedback array: one {token_hash|token_raw, token_type, label} per reported token, in
 * order, with exactly one of token_hash (lowercase hex SHA-256, the default) or
 * token_raw. True positives are handed to an enqueue callback (the revocation spool)
 * before the answer is built; if the spool refuses one the answer is 503, so the reporter
 * retries instead of the token being forgotten. No socket is involved, so the function
 * can be unit-tested and fuzzed directly. Raw tokens never appear in `error`, in logs or
 * in any message; every buffer that held them is wiped before it is freed.
 */
#ifndef LH_PARTNER_HANDLER_H
#define LH_PARTNER_HANDLER_H

#include "finding/detect.h"
#include "http/metrics.h"
#include "http/server.h"
#include "partner/serve_cfg.h"
#include "partner/verify.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Tokens longer than this are classified false_positive without running any rule. */
#define LH_HANDLER_MAX_TOKEN 16384

/* A true positive, as handed to the enqueue callback. Every field is borrowed. */
struct lh_handler_hit {
    const struct lh_rule *rule;
    enum lh_confidence confidence;
    const uint8_t *token;
    size_t token_len;
    const char *type;     /* the partner's secret type */
    const char *url;      /* where it was found; may be "" */
    const char *source;   /* "commit", "content", ...; may be "" */
    const char *reporter; /* the verifier row's name */
};

/*
 * Writes one true positive to durable storage. Returns the number of entries newly
 * queued (0 when it was queued earlier or no route takes it: enqueueing must be
 * idempotent) or a negative code. Called from request threads concurrently.
 */
typedef int (*lh_handler_enqueue_fn)(const struct lh_handler_hit *hit, void *payload);

struct lh_handler_opts {
    const struct lh_detector *detector;       /* borrowed, shared */
    const struct lh_verifier *verifiers;      /* borrowed table */
    size_t nverifiers;                        /* at least 1 */
    const struct lh_type_map_entry *type_map; /* borrowed; may be NULL */
    size_t ntype_map;
    bool feedback_raw;             /* token_raw instead of token_hash */
    size_t max_body;               /* 0: 1 MiB */
    struct lh_metrics *metrics;    /* borrowed; may be NULL */
    lh_handler_enqueue_fn enqueue; /* may be NULL (no revocation) */
    void *enqueue_payload;
};

struct lh_handler;

/*
 * Creates a handler; borrows everything in opts (it must outlive the handler). Also makes
 * jansson wipe the memory it frees (process-wide; call before other threads use jansson),
 * because parsed request bodies hold raw tokens. Reporter names must be 1-32 characters
 * of [A-Za-z0-9_.-] (they appear in logs and metrics). Returns 0, LH_EINVAL (message),
 * LH_ENOMEM. Free with lh_handler_free.
 */
int lh_handler_new(struct lh_handler **out, const struct lh_handler_opts *opts) LH_WUR;
void lh_handler_free(struct lh_handler *h);

/*
 * Handles one POST: headers via `get` (case-insensitive; see lh_header_fn), the raw body
 * body[0..len). Always fills *out (status 200 with the feedback array, or 4xx/5xx with a
 * small JSON {"error": reason} body) and updates the metrics. Thread-safe; each call takes
 * a detector scratch from an internal pool.
 */
void lh_handler_post(struct lh_handler *h, lh_header_fn get, void *payload, const uint8_t *body,
                     size_t len, struct lh_server_result *out);

/*
 * The checks that need only the headers (a reporter's headers present, its key identifier
 * known), so that a request that cannot verify is answered before its body is read.
 * Returns true when the body is worth reading; otherwise fills *out (400/401 and the
 * error body, as lh_handler_post would) and counts the signature failure. Thread-safe.
 */
bool lh_handler_precheck(struct lh_handler *h, lh_header_fn get, void *payload,
                         struct lh_server_result *out);

/* The configured body cap in bytes. */
size_t lh_handler_max_body(const struct lh_handler *h);

/*
 * Fills *out so that an HTTP server (http/server.h) serves POST requests with h:
 * lh_handler_precheck, lh_handler_post and the body cap. h is borrowed by the server.
 */
void lh_handler_app(struct lh_server_app *out, struct lh_handler *h);

/*
 * Allocates metrics (http/metrics.h) whose signature-failure reasons are the results of
 * partner/verify.h. Returns 0 or LH_ENOMEM. Free with lh_metrics_free.
 */
int lh_handler_metrics_new(struct lh_metrics **out) LH_WUR;

/* A header list for lh_handler_post outside a server (tests, fuzzing). */
struct lh_header {
    const char *name;
    const char *value;
};
struct lh_header_list {
    const struct lh_header *items;
    size_t count;
};

/* lh_header_fn over a struct lh_header_list (payload): first case-insensitive match. */
const char *lh_handler_header_list_get(const char *name, void *payload);

#endif
