/* SPDX-License-Identifier: MIT */
/*
 * Counters of `leakhound serve`, rendered in the Prometheus text exposition format
 * (version 0.0.4): requests by status code, tokens by label, signature failures by
 * reason, revocation enqueue failures, requests in flight, the revocation spool depth and
 * a request-latency histogram. Every update is a relaxed atomic add, so recording costs a
 * few nanoseconds and needs no lock; a scrape sees each counter consistently but not a
 * snapshot of all of them at one instant (Prometheus does not need one). Labels are fixed
 * vocabularies (status numbers, label and reason names), never request text. The
 * signature-failure reasons are numbers whose names the application gives at creation
 * (partner/handler.h: lh_handler_metrics_new), so this module knows no protocol.
 */
#ifndef LH_HTTP_METRICS_H
#define LH_HTTP_METRICS_H

#include "util/buf.h"
#include "util/error.h"

#include <stddef.h>

/* The most signature-failure reasons a metrics object counts. */
#define LH_METRICS_MAX_REASONS 16

struct lh_metrics;

/*
 * Allocates zeroed metrics. reasons[0..nreasons) names each signature-failure reason
 * (nreasons <= LH_METRICS_MAX_REASONS); reason 0 stands for "no failure" and is never
 * rendered. The names are borrowed (static strings). Returns 0 or LH_ENOMEM. Free with
 * lh_metrics_free.
 */
int lh_metrics_new(struct lh_metrics **out, const char *const *reasons, size_t nreasons) LH_WUR;
void lh_metrics_free(struct lh_metrics *m);

/* One answered HTTP request, by status (100..599). Thread-safe. */
void lh_metrics_request(struct lh_metrics *m, int status);

/* One partner request's duration, for the latency histogram. Thread-safe. */
void lh_metrics_latency(struct lh_metrics *m, double seconds);

/* Adjusts the in-flight gauge by +1 or -1. Thread-safe. */
void lh_metrics_in_flight(struct lh_metrics *m, int delta);

/* Classified tokens of one request. Thread-safe. */
void lh_metrics_tokens(struct lh_metrics *m, size_t true_positives, size_t false_positives);

/* One request that failed verification, by reason (an index into the names given to
 * lh_metrics_new; others are ignored). Thread-safe. */
void lh_metrics_signature_failure(struct lh_metrics *m, unsigned reason);

/* One true positive that could not be written to the revocation spool. Thread-safe. */
void lh_metrics_enqueue_error(struct lh_metrics *m);

/*
 * After one flush of the revocation spool: entries still pending (the depth gauge), and
 * entries that flush delivered and gave up (added to counters). Thread-safe.
 */
void lh_metrics_spool(struct lh_metrics *m, size_t pending, size_t delivered, size_t failed);

/*
 * Appends the exposition text to b. Returns 0 or the buffer's error (LH_ENOMEM,
 * LH_ETOOBIG). Thread-safe.
 */
int lh_metrics_render(struct lh_metrics *m, struct lh_buf *b) LH_WUR;

/* Reads one counter for tests: requests with `status`, or tokens with `label`. */
unsigned long long lh_metrics_get_requests(struct lh_metrics *m, int status);
unsigned long long lh_metrics_get_signature_failures(struct lh_metrics *m, unsigned reason);

#endif
