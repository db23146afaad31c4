/* SPDX-License-Identifier: MIT */
/*
 * Prometheus metrics for `leakhound serve`; see metrics.h. Status codes index a fixed
 * array (100..599), so recording never allocates. Histogram buckets are cumulative at
 * render time: each observation increments exactly one bucket.
 */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

#define STATUS_MIN 100
#define STATUS_MAX 599
#define NSTATUS (STATUS_MAX - STATUS_MIN + 1)

static const double bucket_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
#define NBUCKETS (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))

struct lh_metrics {
    atomic_ullong requests[NSTATUS];
    atomic_ullong tokens_tp;
    atomic_ullong tokens_fp;
    const char *const *reasons;
    size_t nreasons;
    atomic_ullong sigfail[LH_METRICS_MAX_REASONS];
    atomic_ullong enqueue_errors;
    atomic_llong in_flight;
    atomic_ullong spool_pending;
    atomic_ullong spool_delivered;
    atomic_ullong spool_failed;
    atomic_ullong buckets[NBUCKETS + 1]; /* last: +Inf only */
    atomic_ullong latency_count;
    atomic_ullong latency_sum_us;
};

int lh_metrics_new(struct lh_metrics **out, const char *const *reasons, size_t nreasons)
{
    LH_ASSERT(nreasons <= LH_METRICS_MAX_REASONS);
    struct lh_metrics *m = calloc(1, sizeof(*m));
    if (!m) {
        return lh_error_oom();
    }
    m->reasons = reasons;
    m->nreasons = nreasons;
    *out = m;
    return 0;
}

void lh_metrics_free(struct lh_metrics *m)
{
    free(m);
}

static void add(atomic_ullong *c, unsigned long long n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static unsigned long long get(atomic_ullong *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

void lh_metrics_request(struct lh_metrics *m, int status)
{
    if (m && status >= STATUS_MIN && status <= STATUS_MAX) {
        add(&m->requests[status - STATUS_MIN], 1);
    }
}

void lh_metrics_latency(struct lh_metrics *m, double seconds)
{
    if (!m) {
        return;
    }
    if (seconds < 0) {
        seconds = 0;
    }
    size_t b = 0;
    while (b < NBUCKETS && seconds > bucket_bounds[b]) {
        b++;
    }
    add(&m->buckets[b], 1);
    add(&m->latency_count, 1);
    add(&m->latency_sum_us, (unsigned long long)(seconds * 1e6));
}

void lh_metrics_in_flight(struct lh_metrics *m, int delta)
{
    if (m) {
        atomic_fetch_add_explicit(&m->in_flight, delta, memory_order_relaxed);
    }
}

void lh_metrics_tokens(struct lh_metrics *m, size_t true_positives, size_t false_positives)
{
    if (m) {
        add(&m->tokens_tp, true_positives);
        add(&m->tokens_fp, false_positives);
    }
}

void lh_metrics_signature_failure(struct lh_metrics *m, unsigned reason)
{
    if (m && reason < m->nreasons) {
        add(&m->sigfail[reason], 1);
    }
}

void lh_metrics_enqueue_error(struct lh_metrics *m)
{
    if (m) {
        add(&m->enqueue_errors, 1);
    }
}

void lh_metrics_spool(struct lh_metrics *m, size_t pending, size_t delivered, size_t failed)
{
    if (m) {
        atomic_store_explicit(&m->spool_pending, pending, memory_order_relaxed);
        add(&m->spool_delivered, delivered);
        add(&m->spool_failed, failed);
    }
}

unsigned long long lh_metrics_get_requests(struct lh_metrics *m, int status)
{
    if (status < STATUS_MIN || status > STATUS_MAX) {
        return 0;
    }
    return get(&m->requests[status - STATUS_MIN]);
}

unsigned long long lh_metrics_get_signature_failures(struct lh_metrics *m, unsigned reason)
{
    if (reason >= m->nreasons) {
        return 0;
    }
    return get(&m->sigfail[reason]);
}

static int header(struct lh_buf *b, const char *name, const char *type, const char *help)
{
    return lh_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int lh_metrics_render(struct lh_metrics *m, struct lh_buf *b)
{
    static const char req[] = "leakhound_serve_requests_total";
    static const char tok[] = "leakhound_serve_tokens_total";
    static const char sig[] = "leakhound_serve_signature_failures_total";
    static const char lat[] = "leakhound_serve_request_duration_seconds";
    int rc = header(b, req, "counter", "HTTP requests answered, by status code.");
    for (int s = 0; rc == 0 && s < NSTATUS; s++) {
        unsigned long long v = get(&m->requests[s]);
        if (v) {
            rc = lh_buf_printf(b, "%s{status=\"%d\"} %llu\n", req, s + STATUS_MIN, v);
        }
    }
    if (rc == 0) {
        rc = header(b, tok, "counter", "Reported tokens classified, by feedback label.");
    }
    if (rc == 0) {
        rc = lh_buf_printf(b,
                           "%s{label=\"true_positive\"} %llu\n%s{label=\"false_positive\"} "
                           "%llu\n",
                           tok, get(&m->tokens_tp), tok, get(&m->tokens_fp));
    }
    if (rc == 0) {
        rc = header(b, sig, "counter", "Requests rejected by signature verification, by reason.");
    }
    for (size_t r = 1; rc == 0 && r < m->nreasons; r++) {
        rc = lh_buf_printf(b, "%s{reason=\"%s\"} %llu\n", sig, m->reasons[r], get(&m->sigfail[r]));
    }
    if (rc == 0) {
        rc = header(b, "leakhound_serve_revoke_enqueue_errors_total", "counter",
                    "True positives that could not be written to the revocation spool.");
    }
    if (rc == 0) {
        rc = lh_buf_printf(b, "leakhound_serve_revoke_enqueue_errors_total %llu\n",
                           get(&m->enqueue_errors));
    }
    if (rc == 0) {
        rc = header(b, "leakhound_serve_spool_depth", "gauge",
                    "Revocation requests waiting in the durable spool (at the last flush).");
    }
    if (rc == 0) {
        rc = lh_buf_printf(b, "leakhound_serve_spool_depth %llu\n", get(&m->spool_pending));
    }
    if (rc == 0) {
        rc = header(b, "leakhound_serve_revoke_delivered_total", "counter",
                    "Revocation requests delivered (receiver answered 2xx).");
    }
    if (rc == 0) {
        rc = lh_buf_printf(b, "leakhound_serve_revoke_delivered_total %llu\n",
                           get(&m->spool_delivered));
    }
    if (rc == 0) {
        rc = header(b, "leakhound_serve_revoke_failed_total", "counter",
                    "Revocation requests rejected permanently by the receiver.");
    }
    if (rc == 0) {
        rc = lh_buf_printf(b, "leakhound_serve_revoke_failed_total %llu\n", get(&m->spool_failed));
    }
    if (rc == 0) {
        rc = header(b, "leakhound_serve_in_flight_requests", "gauge",
                    "Requests being received or processed.");
    }
    if (rc == 0) {
        rc = lh_buf_printf(b, "leakhound_serve_in_flight_requests %lld\n",
                           atomic_load_explicit(&m->in_flight, memory_order_relaxed));
    }
    if (rc == 0) {
        rc = header(b, lat, "histogram",
                    "Partner requests: time from the request headers to the end of the answer.");
    }
    unsigned long long cum = 0;
    for (size_t i = 0; rc == 0 && i < NBUCKETS; i++) {
        cum += get(&m->buckets[i]);
        rc = lh_buf_printf(b, "%s_bucket{le=\"%g\"} %llu\n", lat, bucket_bounds[i], cum);
    }
    if (rc == 0) {
        cum += get(&m->buckets[NBUCKETS]);
        rc = lh_buf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n", lat, cum,
                           lat, (double)get(&m->latency_sum_us) / 1e6, lat, get(&m->latency_count));
    }
    return rc;
}
