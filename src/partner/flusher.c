/* SPDX-License-Identifier: MIT */
/*
 * Background delivery of the revocation spool for `leakhound serve`; see flusher.h. The
 * thread sleeps on a condition variable with a deadline (the interval) and is woken early
 * by enqueues; a wake that arrives during a flush is remembered (`pending_wake`) so an
 * entry queued mid-flush is picked up right after, not one interval later.
 */
#include "partner/flusher.h"

#include "http/accesslog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define DEFAULT_INTERVAL 5.0

struct lh_flusher {
    struct lh_revoker *rv;
    struct lh_metrics *m;
    double interval;
    int log_fd;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    bool pending_wake;
};

static void deadline_after(struct timespec *ts, double secs)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    time_t whole = (time_t)secs;
    long ns = ts->tv_nsec + (long)((secs - (double)whole) * 1e9);
    ts->tv_sec += whole + ns / 1000000000L;
    ts->tv_nsec = ns % 1000000000L;
}

static void on_event(const struct lh_revoke_event *ev, void *payload)
{
    struct lh_flusher *f = payload;
    static const char *const kinds[] = {"queued", "preview", "delivered", "failed", "deferred"};
    char url[512];
    if (ev->kind == LH_REVOKE_EV_QUEUED || (unsigned)ev->kind >= sizeof(kinds) / sizeof(*kinds)) {
        return; /* queueing is already in the request's access-log line */
    }
    lh_revoke_url_display(url, sizeof(url), ev->url ? ev->url : "");
    lh_accesslog_event(f->log_fd, ev->kind == LH_REVOKE_EV_DELIVERED ? "info" : "warning", "revoke",
                       "%s rule=%s sha256=%s url=%s status=%ld attempts=%u%s%s", kinds[ev->kind],
                       ev->rule_id ? ev->rule_id : "", ev->key ? ev->key : "", url, ev->status,
                       ev->attempts, ev->error ? " error=" : "", ev->error ? ev->error : "");
}

static void *run(void *arg)
{
    struct lh_flusher *f = arg;
    pthread_mutex_lock(&f->lock);
    while (!f->stop) {
        if (!f->pending_wake) {
            struct timespec ts;
            deadline_after(&ts, f->interval);
            while (!f->stop && !f->pending_wake) {
                if (pthread_cond_timedwait(&f->cond, &f->lock, &ts) != 0) {
                    break; /* the interval elapsed */
                }
            }
        }
        if (f->stop) {
            break;
        }
        f->pending_wake = false;
        pthread_mutex_unlock(&f->lock);
        struct lh_revoke_stats st = {0};
        int rc = lh_revoker_flush(f->rv, &st);
        if (rc < 0) {
            lh_accesslog_event(f->log_fd, "error", "revoke", "flush failed: %s", lh_error_get());
        }
        lh_metrics_spool(f->m, st.pending, st.delivered, st.failed);
        pthread_mutex_lock(&f->lock);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

static void on_warn(const char *msg, void *payload)
{
    struct lh_flusher *f = payload;
    lh_accesslog_event(f->log_fd, "warning", "revoke", "%s", msg);
}

int lh_flusher_new(struct lh_flusher **out, const char *state_dir,
                   const struct lh_revoke_route *routes, size_t nroutes, struct lh_metrics *m,
                   double interval, int log_fd)
{
    pthread_condattr_t ca;
    *out = NULL;
    struct lh_flusher *f = calloc(1, sizeof(*f));
    if (!f) {
        return lh_error_oom();
    }
    struct lh_revoke_opts ro = {.warn = on_warn, .event = on_event, .payload = f};
    f->log_fd = log_fd;
    int rc = lh_revoker_open_opts(&f->rv, state_dir, routes, nroutes, &ro);
    if (rc < 0) {
        free(f);
        return rc;
    }
    f->m = m;
    f->interval = interval > 0 ? interval : DEFAULT_INTERVAL;
    f->log_fd = log_fd;
    f->pending_wake = true; /* deliver what earlier runs left in the spool right away */
    pthread_mutex_init(&f->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&f->thread, NULL, run, f) != 0) {
        pthread_cond_destroy(&f->cond);
        pthread_mutex_destroy(&f->lock);
        lh_revoker_close(f->rv);
        free(f);
        lh_error_set("cannot start the revocation thread");
        return LH_ERROR;
    }
    *out = f;
    return 0;
}

int lh_flusher_enqueue(const struct lh_handler_hit *hit, void *payload)
{
    struct lh_flusher *f = payload;
    char source[64];
    size_t queued = 0;
    snprintf(source, sizeof(source), "%s-partner", hit->reporter ? hit->reporter : "unknown");
    struct lh_revoke_item item = {
        .rule_id = hit->rule->id,
        .provider = hit->rule->provider,
        .confidence = hit->confidence,
        .token = hit->token,
        .token_len = hit->token_len,
        .source = source,
        .url = hit->url && hit->url[0] ? hit->url : NULL,
    };
    int rc = lh_revoker_enqueue(f->rv, &item, &queued);
    if (rc == LH_ETOOBIG || rc == LH_EINVAL) {
        /* a token the spool can never take: retrying the request would not help */
        lh_accesslog_event(f->log_fd, "warning", "revoke", "true positive not queued: %s",
                           lh_error_get());
        return 0;
    }
    if (rc < 0) {
        lh_accesslog_event(f->log_fd, "error", "revoke", "cannot queue a true positive: %s",
                           lh_error_get());
        return rc;
    }
    if (queued > 0) {
        pthread_mutex_lock(&f->lock);
        f->pending_wake = true;
        pthread_cond_signal(&f->cond);
        pthread_mutex_unlock(&f->lock);
    }
    return (int)queued;
}

void lh_flusher_free(struct lh_flusher *f)
{
    if (!f) {
        return;
    }
    pthread_mutex_lock(&f->lock);
    f->stop = true;
    pthread_cond_signal(&f->cond);
    pthread_mutex_unlock(&f->lock);
    lh_revoker_interrupt(f->rv);
    pthread_join(f->thread, NULL);
    pthread_cond_destroy(&f->cond);
    pthread_mutex_destroy(&f->lock);
    lh_revoker_close(f->rv);
    free(f);
}
