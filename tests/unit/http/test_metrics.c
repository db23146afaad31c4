/* SPDX-License-Identifier: MIT */
/* Prometheus rendering of the endpoint's counters: names, labels, cumulative histogram. */
#include "http/metrics.h"
#include "support/serve.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the reasons the partner endpoint names (partner/verify.h), by number */
static const char *const reasons[] = {"ok", "missing_header", "bad_der", "bad_signature"};
enum { BAD_DER = 2 };

Test(metrics, renders_counters_gauges_and_a_cumulative_histogram)
{
    struct lh_metrics *m = NULL;
    cr_assert(eq(int, lh_metrics_new(&m, reasons, 4), 0));
    lh_metrics_request(m, 200);
    lh_metrics_request(m, 200);
    lh_metrics_request(m, 413);
    lh_metrics_request(m, 0);    /* no answer: not a status */
    lh_metrics_request(m, 1000); /* out of range: ignored */
    lh_metrics_latency(m, 0.0002);
    lh_metrics_latency(m, 0.003);
    lh_metrics_latency(m, 42.0);
    lh_metrics_tokens(m, 3, 5);
    lh_metrics_signature_failure(m, BAD_DER);
    lh_metrics_signature_failure(m, BAD_DER);
    lh_metrics_enqueue_error(m);
    lh_metrics_in_flight(m, 1);
    lh_metrics_spool(m, 7, 2, 1);
    lh_metrics_spool(m, 4, 3, 0);
    struct lh_buf b;
    lh_buf_init(&b, 0);
    cr_assert(eq(int, lh_metrics_render(m, &b), 0));
    const char *t = b.ptr;
    cr_assert(eq(llong, th_sample(t, "leakhound_serve_requests_total{status=\"200\"}"), 2));
    cr_assert(eq(llong, th_sample(t, "leakhound_serve_requests_total{status=\"413\"}"), 1));
    cr_assert(eq(llong, th_sample(t, "leakhound_serve_requests_total{status=\"404\"}"), -1));
    cr_assert(eq(llong, th_sample(t, "leakhound_serve_tokens_total{label=\"true_positive\"}"), 3));
    cr_assert(eq(llong, th_sample(t, "leakhound_serve_tokens_total{label=\"false_positive\"}"), 5));
    cr_assert(
        eq(llong, th_sample(t, "leakhound_serve_signature_failures_total{reason=\"bad_der\"}"), 2));
    cr_assert(eq(llong,
                 th_sample(t, "leakhound_serve_signature_failures_total{reason=\"bad_signature\"}"),
                 0));
    cr_assert(eq(llong, th_sample(t, "leakhound_serve_revoke_enqueue_errors_total"), 1));
    cr_assert(eq(llong, th_sample(t, "leakhound_serve_in_flight_requests"), 1));
    cr_assert(eq(llong, th_sample(t, "leakhound_serve_spool_depth"), 4));
    cr_assert(eq(llong, th_sample(t, "leakhound_serve_revoke_delivered_total"), 5));
    cr_assert(eq(llong, th_sample(t, "leakhound_serve_revoke_failed_total"), 1));
    const char *lat = "leakhound_serve_request_duration_seconds";
    char name[128];
    snprintf(name, sizeof(name), "%s_bucket{le=\"0.0005\"}", lat);
    cr_assert(eq(llong, th_sample(t, name), 1));
    snprintf(name, sizeof(name), "%s_bucket{le=\"0.005\"}", lat);
    cr_assert(eq(llong, th_sample(t, name), 2));
    snprintf(name, sizeof(name), "%s_bucket{le=\"10\"}", lat);
    cr_assert(eq(llong, th_sample(t, name), 2));
    snprintf(name, sizeof(name), "%s_bucket{le=\"+Inf\"}", lat);
    cr_assert(eq(llong, th_sample(t, name), 3));
    snprintf(name, sizeof(name), "%s_count", lat);
    cr_assert(eq(llong, th_sample(t, name), 3));
    cr_assert(strstr(t, "# TYPE leakhound_serve_request_duration_seconds histogram\n") != NULL);
    cr_assert(strstr(t, "# TYPE leakhound_serve_requests_total counter\n") != NULL);
    cr_assert(strstr(t, "reason=\"ok\"") == NULL); /* reason 0 is no failure */
    lh_metrics_signature_failure(m, 4);            /* out of range: ignored */
    cr_assert(eq(int, (int)lh_metrics_get_signature_failures(m, BAD_DER), 2));
    cr_assert(eq(int, (int)lh_metrics_get_signature_failures(m, 4), 0));
    cr_assert(eq(int, (int)lh_metrics_get_requests(m, 200), 2));
    lh_buf_dispose(&b);
    lh_metrics_free(m);
}
