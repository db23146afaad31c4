/* SPDX-License-Identifier: MIT */
/*
 * The revoker API (what the scan and the partner-endpoint server call) against a real HTTP
 * receiver on 127.0.0.1 that verifies each request's HMAC signature independently: dedup,
 * route selection, retries with backoff and Retry-After, permanent failures, a receiver that
 * is down, missing secrets, hash-only routes, thread safety, dry runs and interruption.
 */
#include "notify/revoke.h"
#include "notify/webhook.h"
#include "support/notify.h"
#include "support/receiver.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static char *dir;
static char state[4096];

static void setup(void)
{
    t_env();
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    snprintf(state, sizeof(state), "%s/state", dir);
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(revoke_api, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

static struct rx *start(const struct rx_opts *o, char url[128])
{
    struct rx *r = rx_start(o);
    cr_assert(r != NULL, "cannot start the receiver");
    rx_url(r, url, 128);
    return r;
}

static struct lh_revoker *open_rv(const struct lh_revoke_route *routes, size_t n)
{
    struct lh_revoker *rv = NULL;
    int rc = lh_revoker_open(&rv, state, routes, n);
    cr_assert(eq(int, rc, 0), "open: %s", lh_error_get());
    return rv;
}

static size_t enqueue(struct lh_revoker *rv, const struct lh_revoke_item *it)
{
    size_t q = 99;
    int rc = lh_revoker_enqueue(rv, it, &q);
    cr_assert(eq(int, rc, 0), "enqueue: %s", lh_error_get());
    return q;
}

static struct lh_revoke_stats flush(struct lh_revoker *rv)
{
    struct lh_revoke_stats st;
    memset(&st, 0xff, sizeof(st));
    int rc = lh_revoker_flush(rv, &st);
    cr_assert(eq(int, rc, 0), "flush: %s", lh_error_get());
    return st;
}

Test(revoke_api, one_signed_request_per_unique_token)
{
    struct rx_opts ro = {.secret = T_SECRET};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    struct lh_revoker *rv = open_rv(&route, 1);
    char a[41], b[41];
    t_token(a, 1);
    t_token(b, 2);
    struct lh_revoke_item ia = t_item(a);
    struct lh_revoke_item ib = t_item(b);
    cr_assert(eq(sz, enqueue(rv, &ia), 1));
    cr_assert(eq(sz, enqueue(rv, &ia), 0)); /* same token again: already pending */
    cr_assert(eq(sz, enqueue(rv, &ib), 1));
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.delivered, 2));
    cr_assert(eq(sz, st.pending, 0));
    cr_assert(eq(sz, st.failed, 0));
    cr_assert(eq(sz, st.queued, 2));
    cr_assert(eq(sz, st.skipped, 1));
    cr_assert(eq(sz, rx_count(r), 2));
    cr_assert(eq(sz, rx_unique_keys(r), 2));
    for (size_t i = 0; i < 2; i++) {
        const struct rx_request *q = rx_get(r, i);
        cr_assert(eq(str, (char *)q->method, "POST"));
        cr_assert(eq(str, (char *)q->path, "/hook"));
        cr_assert(eq(str, (char *)q->ctype, "application/json"));
        cr_assert(eq(int, q->sig_ok, 1), "signature '%s' does not verify", q->sig);
        cr_assert(eq(int, q->key_ok, 1), "Idempotency-Key '%s' is not the token's sha256", q->idem);
        json_error_t je;
        json_t *o = json_loads(q->body, 0, &je);
        cr_assert(o != NULL, "body is not JSON: %s", q->body);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(o, "rule_id")),
                     "github-pat-classic"));
        cr_assert(eq(str, (char *)json_string_value(json_object_get(o, "provider")), "GitHub"));
        cr_assert(
            eq(str, (char *)json_string_value(json_object_get(o, "confidence")), "confirmed"));
        cr_assert(eq(str, (char *)json_string_value(json_object_get(o, "source")), "scan"));
        json_t *loc = json_object_get(o, "location");
        cr_assert(
            eq(str, (char *)json_string_value(json_object_get(loc, "path")), "config/app.env"));
        cr_assert(eq(int, (int)json_integer_value(json_object_get(loc, "line")), 3));
        cr_assert(
            eq(str, (char *)json_string_value(json_object_get(loc, "repository")), "example/app"));
        cr_assert(eq(int, json_is_null(json_object_get(loc, "commit")) ? 1 : 0, 1));
        const char *when = json_string_value(json_object_get(o, "detected_at"));
        cr_assert(when != NULL);
        cr_assert(eq(sz, strlen(when), 20)); /* 2024-01-02T03:04:05Z */
        json_decref(o);
    }
    cr_assert(eq(str, (char *)rx_get(r, 0)->token, a));
    cr_assert(eq(str, (char *)rx_get(r, 1)->token, b));
    /* delivered tokens are never sent again, even by a new revoker on the same state */
    lh_revoker_close(rv);
    rv = open_rv(&route, 1);
    cr_assert(eq(sz, enqueue(rv, &ia), 0));
    st = flush(rv);
    cr_assert(eq(sz, st.delivered, 0));
    cr_assert(eq(sz, st.skipped, 1));
    cr_assert(eq(sz, rx_count(r), 2));
    lh_revoker_close(rv);
    rx_stop(r);
}

Test(revoke_api, probable_matches_need_a_route_that_asks_for_them)
{
    struct rx_opts ro = {.secret = T_SECRET};
    char url[128];
    struct rx *r = start(&ro, url);
    char url2[160];
    snprintf(url2, sizeof(url2), "%s?probable", url);
    struct lh_revoke_route routes[3];
    routes[0] = t_route(url); /* default: confirmed only */
    routes[1] = t_route(url2);
    routes[1].min_confidence = LH_CONF_PROBABLE;
    char glob[] = "slack-*";
    char *globs[] = {glob};
    routes[1].rules.items = globs;
    routes[1].rules.count = 1;
    char url3[160];
    snprintf(url3, sizeof(url3), "%s?npm", url);
    routes[2] = t_route(url3);
    char glob3[] = "npm-*";
    char *globs3[] = {glob3};
    routes[2].rules.items = globs3;
    routes[2].rules.count = 1;
    struct lh_revoker *rv = open_rv(routes, 3);
    const char *slack = "xoxb-2851932441137-2860412309764-Bq5pX7wQ0dKr3TzLmN8vYc2H";
    struct lh_revoke_item it = t_item(slack);
    it.rule_id = "slack-bot-token";
    it.confidence = LH_CONF_PROBABLE;
    cr_assert(eq(sz, enqueue(rv, &it), 1)); /* only the route that asked for probable */
    char tok[41];
    t_token(tok, 3);
    struct lh_revoke_item gh = t_item(tok);
    cr_assert(
        eq(sz, enqueue(rv, &gh), 1)); /* the all-rules route; slack-* and npm-* do not match */
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.delivered, 2));
    cr_assert(eq(sz, rx_count(r), 2));
    size_t probable_seen = 0;
    for (size_t i = 0; i < 2; i++) {
        const struct rx_request *q = rx_get(r, i);
        cr_assert(eq(int, q->sig_ok, 1));
        if (!strcmp(q->token, slack)) {
            probable_seen++;
            cr_assert(eq(str, (char *)q->path, "/hook")); /* MHD strips the query */
            cr_assert(strstr(q->body, "\"confidence\":\"probable\"") != NULL);
        } else {
            cr_assert(eq(str, (char *)q->token, tok));
        }
    }
    cr_assert(eq(sz, probable_seen, 1));
    lh_revoker_close(rv);
    rx_stop(r);
}

Test(revoke_api, two_503_then_200_is_delivered_with_one_key)
{
    struct rx_opts ro = {.secret = T_SECRET, .statuses = {503, 503}, .nstatuses = 2};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    struct lh_revoker *rv = open_rv(&route, 1);
    char tok[41];
    t_token(tok, 4);
    struct lh_revoke_item it = t_item(tok);
    cr_assert(eq(sz, enqueue(rv, &it), 1));
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.delivered, 1));
    cr_assert(eq(sz, st.pending, 0));
    cr_assert(eq(sz, rx_count(r), 3));
    cr_assert(eq(sz, rx_unique_keys(r), 1));
    for (size_t i = 0; i < 3; i++) {
        cr_assert(eq(int, rx_get(r, i)->sig_ok, 1));
        cr_assert(eq(int, rx_get(r, i)->key_ok, 1));
    }
    lh_revoker_close(rv);
    rx_stop(r);
}

Test(revoke_api, retries_run_out_and_the_entry_stays_pending)
{
    struct rx_opts ro = {.secret = T_SECRET, .dflt = 500};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    route.max_attempts = 3;
    struct lh_revoker *rv = open_rv(&route, 1);
    char a[41], b[41];
    t_token(a, 5);
    t_token(b, 6);
    struct lh_revoke_item ia = t_item(a);
    struct lh_revoke_item ib = t_item(b);
    enqueue(rv, &ia);
    enqueue(rv, &ib);
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.delivered, 0));
    cr_assert(eq(sz, st.failed, 0));
    cr_assert(eq(sz, st.pending, 2));
    /* max_attempts for the first entry, then the route is left alone for this flush */
    cr_assert(eq(sz, rx_count(r), 3));
    lh_revoker_close(rv);
    rx_stop(r);
}

static double gap(struct rx *r, size_t i)
{
    return rx_get(r, i + 1)->at - rx_get(r, i)->at;
}

Test(revoke_api, honours_retry_after_seconds)
{
    struct rx_opts ro = {.secret = T_SECRET, .statuses = {429}, .nstatuses = 1, .retry_after = "1"};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    struct lh_revoker *rv = open_rv(&route, 1);
    char tok[41];
    t_token(tok, 7);
    struct lh_revoke_item it = t_item(tok);
    enqueue(rv, &it);
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.delivered, 1));
    cr_assert(eq(sz, rx_count(r), 2));
    /* the backoff alone would be a few milliseconds (LEAKHOUND_REVOKE_BACKOFF_MS=5) */
    cr_assert(ge(dbl, gap(r, 0), 0.95), "retried after %.3f s despite Retry-After: 1", gap(r, 0));
    lh_revoker_close(rv);
    rx_stop(r);
}

Test(revoke_api, honours_retry_after_http_date)
{
    char date[64];
    time_t when = time(NULL) + 2;
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    struct rx_opts ro = {
        .secret = T_SECRET, .statuses = {503}, .nstatuses = 1, .retry_after = date};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    struct lh_revoker *rv = open_rv(&route, 1);
    char tok[41];
    t_token(tok, 8);
    struct lh_revoke_item it = t_item(tok);
    enqueue(rv, &it);
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.delivered, 1));
    cr_assert(eq(sz, rx_count(r), 2));
    /* a date 2 s ahead (1 s granularity): at least ~1 s */
    cr_assert(ge(dbl, gap(r, 0), 0.9), "retried after %.3f s despite Retry-After: %s", gap(r, 0),
              date);
    lh_revoker_close(rv);
    rx_stop(r);
}

Test(revoke_api, overlong_retry_after_defers_to_a_later_flush)
{
    struct rx_opts ro = {
        .secret = T_SECRET, .statuses = {503}, .nstatuses = 1, .retry_after = "3600"};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    struct lh_revoker *rv = open_rv(&route, 1);
    char tok[41];
    t_token(tok, 9);
    struct lh_revoke_item it = t_item(tok);
    enqueue(rv, &it);
    double t0 = ((double)lh_now_ms() / 1000.0);
    struct lh_revoke_stats st = flush(rv);
    cr_assert(lt(dbl, ((double)lh_now_ms() / 1000.0) - t0, 10.0));
    cr_assert(eq(sz, st.pending, 1));
    cr_assert(eq(sz, rx_count(r), 1));
    st = flush(rv); /* the next flush tries again (and the receiver now says 200) */
    cr_assert(eq(sz, st.delivered, 1));
    cr_assert(eq(sz, rx_count(r), 2));
    lh_revoker_close(rv);
    rx_stop(r);
}

/* The Retry-After lh_webhook_post reports for a 503 carrying `value`. */
static long retry_after_of(const char *value)
{
    struct rx_opts ro = {.secret = T_SECRET, .dflt = 503, .retry_after = value};
    char url[128];
    struct rx *r = start(&ro, url);
    const char *body = "{\"token\":\"x\"}";
    char key[65];
    lh_test_sha256_hex(key, "x");
    struct lh_webhook_request req = {.url = url,
                                     .body = (const uint8_t *)body,
                                     .body_len = strlen(body),
                                     .idempotency_key = key,
                                     .secret = (const uint8_t *)T_SECRET,
                                     .secret_len = strlen(T_SECRET),
                                     .timeout = 5,
                                     .connect_timeout = 2};
    struct lh_webhook_result res;
    cr_assert(eq(int, lh_webhook_post(&res, &req), 0), "%s", lh_error_get());
    cr_assert(eq(long, res.status, 503));
    cr_assert(eq(int, res.outcome, LH_WEBHOOK_RETRY));
    rx_stop(r);
    return res.retry_after;
}

/*
 * Issue #15: libcurl reads an unparsable Retry-After as 0, which made every retry immediate
 * (5 attempts in 3 ms). Only delta-seconds and a date still ahead count; the rest is as if
 * the header were absent (-1: the normal backoff).
 */
Test(revoke_api, unparsable_retry_after_counts_as_absent)
{
    cr_assert(eq(long, retry_after_of("soon"), -1));
    cr_assert(eq(long, retry_after_of("1.5"), -1));
    cr_assert(eq(long, retry_after_of("-3"), -1));
    cr_assert(eq(long, retry_after_of("Mon, 01 Jan 2001 00:00:00 GMT"), -1)); /* in the past */
    cr_assert(eq(long, retry_after_of("12"), 12));
    cr_assert(eq(long, retry_after_of(" 0 "), 0)); /* "retry now", said explicitly */
    char date[64];
    time_t when = time(NULL) + 100;
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    long ahead = retry_after_of(date);
    cr_assert(ahead >= 95 && ahead <= 100, "%ld", ahead);
}

/* A scan-sized cap: a Retry-After over max_retry_after ends the attempts at once. */
Test(revoke_api, max_retry_after_caps_the_wait_of_one_flush)
{
    struct rx_opts ro = {.secret = T_SECRET, .statuses = {503}, .nstatuses = 1, .retry_after = "3"};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    struct lh_revoker *rv = NULL;
    struct lh_revoke_opts opts = {.max_retry_after = 2};
    cr_assert(eq(int, lh_revoker_open_opts(&rv, state, &route, 1, &opts), 0), "%s", lh_error_get());
    char tok[41];
    t_token(tok, 40);
    struct lh_revoke_item it = t_item(tok);
    enqueue(rv, &it);
    double t0 = ((double)lh_now_ms() / 1000.0);
    struct lh_revoke_stats st = flush(rv);
    cr_assert(lt(dbl, ((double)lh_now_ms() / 1000.0) - t0, 2.0), "waited %.2f s",
              ((double)lh_now_ms() / 1000.0) - t0);
    cr_assert(eq(sz, st.pending, 1));
    cr_assert(eq(sz, rx_count(r), 1));
    lh_revoker_close(rv);
    /* the default (60 s) waits the 3 s and delivers */
    rv = open_rv(&route, 1);
    st = flush(rv);
    cr_assert(eq(sz, st.delivered, 1));
    lh_revoker_close(rv);
    rx_stop(r);
}

struct seen {
    size_t n;
    char kinds[16];
    char text[4096];
};

static void record_event(const struct lh_revoke_event *ev, void *payload)
{
    struct seen *s = payload;
    if (s->n < sizeof(s->kinds)) {
        s->kinds[s->n++] = "QPDFR"[ev->kind];
    }
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof(s->text) - len, "%s|%s|%s|%ld|%s\n", ev->url, ev->rule_id,
             ev->key, ev->status, ev->error ? ev->error : "-");
    if (ev->body) {
        len = strlen(s->text);
        snprintf(s->text + len, sizeof(s->text) - len, "%s\n", ev->body);
    }
}

Test(revoke_api, bad_request_fails_permanently_once)
{
    struct rx_opts ro = {.secret = T_SECRET, .dflt = 400};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    struct seen s = {0};
    struct lh_revoke_opts opts = {.event = record_event, .payload = &s};
    struct lh_revoker *rv = NULL;
    cr_assert(eq(int, lh_revoker_open_opts(&rv, state, &route, 1, &opts), 0));
    char tok[41];
    t_token(tok, 10);
    struct lh_revoke_item it = t_item(tok);
    enqueue(rv, &it);
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.failed, 1));
    cr_assert(eq(sz, st.pending, 0));
    cr_assert(eq(sz, st.delivered, 0));
    cr_assert(eq(sz, rx_count(r), 1)); /* not retried */
    cr_assert(eq(str, s.kinds, "QF"));
    cr_assert(strstr(s.text, "HTTP 400") != NULL);
    cr_assert(strstr(s.text, tok) == NULL);
    st = flush(rv);
    cr_assert(eq(sz, rx_count(r), 1)); /* a failed entry is not flushed again */
    /* a later detection of the same token queues it again (the receiver may be fixed) */
    cr_assert(eq(sz, enqueue(rv, &it), 1));
    lh_revoker_close(rv);
    rx_stop(r);
}

Test(revoke_api, redirects_are_not_followed)
{
    struct rx_opts ro = {.secret = T_SECRET, .dflt = 302};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    struct lh_revoker *rv = open_rv(&route, 1);
    char tok[41];
    t_token(tok, 11);
    struct lh_revoke_item it = t_item(tok);
    enqueue(rv, &it);
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.failed, 1));
    cr_assert(eq(sz, rx_count(r), 1));
    lh_revoker_close(rv);
    rx_stop(r);
}

Test(revoke_api, receiver_down_then_up)
{
    uint16_t port = t_closed_port();
    cr_assert(port != 0);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", (unsigned)port);
    struct lh_revoke_route route = t_route(url);
    struct lh_revoker *rv = open_rv(&route, 1);
    char tok[41];
    t_token(tok, 12);
    struct lh_revoke_item it = t_item(tok);
    enqueue(rv, &it);
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.pending, 1));
    cr_assert(eq(sz, st.delivered, 0));
    lh_revoker_close(rv);
    struct rx_opts ro = {.secret = T_SECRET, .port = port};
    struct rx *r = rx_start(&ro);
    cr_assert(r != NULL, "port %u was taken meanwhile", (unsigned)port);
    rv = open_rv(&route, 1);
    st = flush(rv);
    cr_assert(eq(sz, st.delivered, 1));
    cr_assert(eq(sz, st.pending, 0));
    cr_assert(eq(sz, rx_count(r), 1));
    cr_assert(eq(int, rx_get(r, 0)->sig_ok, 1));
    cr_assert(eq(str, (char *)rx_get(r, 0)->token, tok));
    st = flush(rv);
    cr_assert(eq(sz, rx_count(r), 1));
    lh_revoker_close(rv);
    rx_stop(r);
}

Test(revoke_api, unset_secret_keeps_the_entry_pending_and_unsent)
{
    struct rx_opts ro = {.secret = T_SECRET};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    route.secret_env = (char *)"LH_TEST_UNSET_SECRET";
    unsetenv("LH_TEST_UNSET_SECRET");
    struct lh_revoker *rv = open_rv(&route, 1);
    char tok[41];
    t_token(tok, 13);
    struct lh_revoke_item it = t_item(tok);
    enqueue(rv, &it);
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.pending, 1));
    cr_assert(eq(sz, rx_count(r), 0)); /* never sent unsigned */
    setenv("LH_TEST_UNSET_SECRET", T_SECRET, 1);
    st = flush(rv);
    cr_assert(eq(sz, st.delivered, 1));
    cr_assert(eq(int, rx_get(r, 0)->sig_ok, 1));
    lh_revoker_close(rv);
    rx_stop(r);
}

Test(revoke_api, sha256_route_never_sends_or_stores_the_token)
{
    struct rx_opts ro = {.secret = T_SECRET};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    route.send = LH_SEND_SHA256;
    struct lh_revoker *rv = open_rv(&route, 1);
    char tok[41];
    t_token(tok, 14);
    struct lh_revoke_item it = t_item(tok);
    enqueue(rv, &it);
    char path[4200];
    snprintf(path, sizeof(path), "%s/revoke.jsonl", state);
    char *journal = lh_read_file(path);
    cr_assert(journal != NULL);
    cr_assert(strstr(journal, tok) == NULL);
    free(journal);
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.delivered, 1));
    const struct rx_request *q = rx_get(r, 0);
    cr_assert(eq(str, (char *)q->token, ""));
    cr_assert(eq(int, q->key_ok, 1));
    cr_assert(eq(int, q->sig_ok, 1));
    cr_assert(strstr(q->body, tok) == NULL);
    char h[65];
    lh_test_sha256_hex(h, tok);
    cr_assert(eq(str, (char *)q->idem, h));
    lh_revoker_close(rv);
    rx_stop(r);
}

Test(revoke_api, dry_run_writes_and_sends_nothing)
{
    struct rx_opts ro = {.secret = T_SECRET};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    struct seen s = {0};
    struct lh_revoke_opts opts = {.dry_run = true, .event = record_event, .payload = &s};
    struct lh_revoker *rv = NULL;
    cr_assert(eq(int, lh_revoker_open_opts(&rv, state, &route, 1, &opts), 0));
    char tok[41];
    t_token(tok, 15);
    struct lh_revoke_item it = t_item(tok);
    cr_assert(eq(sz, enqueue(rv, &it), 1));
    cr_assert(eq(sz, enqueue(rv, &it), 0));
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.delivered, 0));
    cr_assert(eq(sz, st.pending, 1));
    cr_assert(eq(str, s.kinds, "P"));
    cr_assert(strstr(s.text, "\"token\":\"ghp_Rk****") != NULL, "%s", s.text);
    cr_assert(strstr(s.text, tok) == NULL);
    lh_revoker_close(rv);
    struct stat st_dir;
    cr_assert(eq(int, stat(state, &st_dir), -1)); /* not even created */
    cr_assert(eq(sz, rx_count(r), 0));
    rx_stop(r);
}

struct worker {
    struct lh_revoker *rv;
    unsigned seed;
    int failures;
};

#define NTOKENS 40

static void *enqueue_all(void *p)
{
    struct worker *w = p;
    for (unsigned k = 0; k < NTOKENS; k++) {
        unsigned i = (k * 7 + w->seed) % NTOKENS; /* every worker, all tokens, its own order */
        char tok[41];
        t_token(tok, 100 + i);
        struct lh_revoke_item it = t_item(tok);
        if (lh_revoker_enqueue(w->rv, &it, NULL) != 0) {
            w->failures++;
        }
    }
    return NULL;
}

struct flusher {
    struct lh_revoker *rv;
    struct rx *r;
    int failures;
};

static void *flush_until_done(void *p)
{
    struct flusher *f = p;
    double t0 = ((double)lh_now_ms() / 1000.0);
    while (rx_count(f->r) < NTOKENS && ((double)lh_now_ms() / 1000.0) - t0 < 60) {
        struct lh_revoke_stats st;
        if (lh_revoker_flush(f->rv, &st) != 0) {
            f->failures++;
        }
    }
    return NULL;
}

Test(revoke_api, concurrent_enqueues_and_flushes_send_each_token_once)
{
    struct rx_opts ro = {.secret = T_SECRET};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    struct lh_revoker *rv = open_rv(&route, 1);
    pthread_t th[4];
    struct worker w[4];
    /* two flushers: the server's background thread plus, say, a signal-triggered flush */
    struct flusher f = {rv, r, 0};
    struct flusher f2 = {rv, r, 0};
    pthread_t ft, ft2;
    pthread_create(&ft, NULL, flush_until_done, &f);
    pthread_create(&ft2, NULL, flush_until_done, &f2);
    for (unsigned i = 0; i < 4; i++) {
        w[i] = (struct worker){rv, i * 11, 0};
        pthread_create(&th[i], NULL, enqueue_all, &w[i]);
    }
    for (unsigned i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        cr_assert(eq(int, w[i].failures, 0));
    }
    pthread_join(ft, NULL);
    pthread_join(ft2, NULL);
    cr_assert(eq(int, f.failures, 0));
    cr_assert(eq(int, f2.failures, 0));
    struct lh_revoke_stats st = flush(rv);
    cr_assert(eq(sz, st.pending, 0));
    cr_assert(eq(sz, st.queued, NTOKENS));
    cr_assert(eq(sz, st.skipped, 3 * NTOKENS));
    cr_assert(eq(sz, rx_count(r), NTOKENS));
    cr_assert(eq(sz, rx_unique_keys(r), NTOKENS));
    lh_revoker_close(rv);
    rx_stop(r);
}

struct bg {
    struct lh_revoker *rv;
    struct lh_revoke_stats st;
    int rc;
    double done_at;
};

static void *bg_flush(void *p)
{
    struct bg *b = p;
    b->rc = lh_revoker_flush(b->rv, &b->st);
    b->done_at = ((double)lh_now_ms() / 1000.0);
    return NULL;
}

Test(revoke_api, interrupt_stops_a_flush_while_it_waits)
{
    /* without the interrupt the flush would wait the full 30 s the receiver asks for */
    struct rx_opts ro = {.secret = T_SECRET, .dflt = 503, .retry_after = "30"};
    char url[128];
    struct rx *r = start(&ro, url);
    struct lh_revoke_route route = t_route(url);
    struct lh_revoker *rv = open_rv(&route, 1);
    char tok[41];
    t_token(tok, 16);
    struct lh_revoke_item it = t_item(tok);
    enqueue(rv, &it);
    struct bg b = {rv, {0}, -1, 0};
    pthread_t t;
    pthread_create(&t, NULL, bg_flush, &b);
    cr_assert(eq(int, rx_wait(r, 1, 10000), 1));
    struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep(&pause, NULL);
    double asked = ((double)lh_now_ms() / 1000.0);
    lh_revoker_interrupt(rv);
    pthread_join(t, NULL);
    cr_assert(eq(int, b.rc, 0));
    cr_assert(lt(dbl, b.done_at - asked, 2.0), "flush took %.2f s to stop", b.done_at - asked);
    cr_assert(eq(sz, b.st.pending, 1));
    lh_revoker_close(rv);
    rx_stop(r);
}
