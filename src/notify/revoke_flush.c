/* SPDX-License-Identifier: MIT */
/*
 * The revoker's flush loop over the spool (revoke_int.h): claim a pending entry under the
 * lock with a lease record (for other processes) and an in-memory flag (for other threads),
 * deliver it without the lock, then settle it as done, deferred or failed. A route that
 * answered with network errors, 408/429/5xx or an over-long Retry-After is not tried again in
 * the same flush, which bounds a flush against a dead receiver to one entry's retries per
 * route. Backoff between attempts is interruptible.
 */
#include "notify/revoke_int.h"
#include "notify/webhook.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_BASE_MS 500
#define BACKOFF_CAP_MS 30000

static const struct lh_revoke_route *find_route(const struct lh_revoker *rv, const char *url)
{
    for (size_t i = 0; i < rv->nroutes; i++) {
        if (!strcmp(rv->routes[i].url, url)) {
            return &rv->routes[i];
        }
    }
    return NULL;
}

static bool contains(const struct lh_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++) {
        if (!strcmp(l->items[i], s)) {
            return true;
        }
    }
    return false;
}

static uint64_t backoff_base_ms(void)
{
    const char *e = getenv("LEAKHOUND_REVOKE_BACKOFF_MS");
    if (!e || !*e) {
        return BACKOFF_BASE_MS;
    }
    char *end = NULL;
    unsigned long long v = strtoull(e, &end, 10);
    if (*end || v > BACKOFF_CAP_MS) {
        return BACKOFF_BASE_MS;
    }
    return (uint64_t)v;
}

/* Sleeps ms milliseconds in slices, returning early when interrupted. */
static void pause_ms(struct lh_revoker *rv, uint64_t ms)
{
    while (ms > 0 && !atomic_load(&rv->stop)) {
        uint64_t step = ms < 50 ? ms : 50;
        struct timespec ts = {0, (long)(step * 1000000u)};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

/* What one flush needs to deliver one entry, copied out of the spool. */
struct job {
    char id[LH_SPOOL_ID_LEN + 1];
    char key[LH_SHA256_HEX_LEN + 1];
    char *url;
    char *body;
    size_t body_len;
    char *secret; /* NULL: unsigned */
    size_t secret_len;
    double timeout;
    double connect_timeout;
    unsigned max_attempts;
};

static void job_dispose(struct job *j)
{
    free(j->url);
    lh_revoke_wipe_free(j->body, j->body_len);
    lh_revoke_wipe_free(j->secret, j->secret_len);
    memset(j, 0, sizeof(*j));
}

/* The longest Retry-After this revoker waits for (seconds). */
static unsigned retry_after_max(const struct lh_revoker *rv)
{
    return rv->opts.max_retry_after ? rv->opts.max_retry_after : LH_REVOKE_RETRY_AFTER_MAX;
}

/* Up to max_attempts POSTs; res holds the last outcome, *attempts how many were made. */
static void deliver(struct lh_revoker *rv, const struct job *j, struct lh_webhook_result *res,
                    unsigned *attempts)
{
    struct lh_webhook_request req = {
        .url = j->url,
        .body = (const uint8_t *)j->body,
        .body_len = j->body_len,
        .idempotency_key = j->key,
        .secret = (const uint8_t *)j->secret,
        .secret_len = j->secret_len,
        .timeout = j->timeout,
        .connect_timeout = j->connect_timeout,
    };
    uint64_t base = backoff_base_ms();
    *attempts = 0;
    for (unsigned a = 1; a <= j->max_attempts; a++) {
        if (lh_webhook_post(res, &req) < 0) {
            res->outcome = LH_WEBHOOK_DEFER;
            snprintf(res->error, sizeof(res->error), "%s", lh_error_get());
            return;
        }
        *attempts = a;
        if (res->outcome != LH_WEBHOOK_RETRY || a == j->max_attempts) {
            return;
        }
        if (atomic_load(&rv->stop)) {
            return;
        }
        uint64_t delay = lh_webhook_backoff_ms(a - 1, base, BACKOFF_CAP_MS);
        unsigned max_wait = retry_after_max(rv);
        if (res->retry_after > (long)max_wait) {
            size_t len = strlen(res->error);
            snprintf(res->error + len, sizeof(res->error) - len,
                     " (Retry-After %ld s is over the %u s this run waits)", res->retry_after,
                     max_wait);
            return;
        }
        if (res->retry_after >= 0) {
            delay = (uint64_t)res->retry_after * 1000u;
        }
        pause_ms(rv, delay);
    }
}

/*
 * Picks the next entry for this run and leases it, filling *j. Returns 1 when there is one,
 * 0 when none is left, or an error. Called with the spool locked.
 */
static int claim(struct lh_revoker *rv, unsigned run, struct lh_strlist *down, struct job *j)
{
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; i < lh_spool_count(rv->sp); i++) {
        struct lh_spool_entry *e = lh_spool_at(rv->sp, i);
        if (e->state != LH_SPOOL_PENDING || e->run == run || !e->body || lh_spool_leased(e, now) ||
            contains(down, e->url)) {
            continue;
        }
        e->run = run;
        const struct lh_revoke_route *r = find_route(rv, e->url);
        struct lh_revoke_route dflt;
        lh_revoke_route_init(&dflt);
        const char *env = r ? r->secret_env : e->secret_env;
        const char *secret = env ? getenv(env) : NULL;
        if (env && (!secret || !*secret)) {
            char why[160];
            snprintf(why, sizeof(why), "signing secret variable '%s' is not set", env);
            char id[LH_SPOOL_ID_LEN + 1];
            memcpy(id, e->id, sizeof(id));
            int rc = lh_spool_defer(rv->sp, id, 0, 0, why);
            if (rc < 0) {
                return rc;
            }
            e = lh_spool_find(rv->sp, id);
            struct lh_revoke_event ev = {.kind = LH_REVOKE_EV_DEFERRED,
                                         .url = e->url,
                                         .rule_id = e->rule_id,
                                         .key = e->key,
                                         .id = e->id,
                                         .error = why};
            lh_revoker_emit(rv, &ev);
            if (lh_strlist_push(down, e->url) < 0) {
                return lh_error_oom();
            }
            continue; /* the route is down for this run; look further */
        }
        memcpy(j->id, e->id, sizeof(j->id));
        memcpy(j->key, e->key, sizeof(j->key));
        j->timeout = r ? r->timeout : dflt.timeout;
        j->connect_timeout = r ? r->connect_timeout : dflt.connect_timeout;
        j->max_attempts = r ? r->max_attempts : dflt.max_attempts;
        j->max_attempts = j->max_attempts ? j->max_attempts : 1;
        j->url = strdup(e->url);
        j->body = malloc(e->body_len + 1);
        if (secret) {
            j->secret_len = strlen(secret);
            j->secret = malloc(j->secret_len + 1);
        }
        if (!j->url || !j->body || (secret && !j->secret)) {
            return lh_error_oom();
        }
        memcpy(j->body, e->body, e->body_len + 1);
        j->body_len = e->body_len;
        if (secret) {
            memcpy(j->secret, secret, j->secret_len + 1);
        }
        int64_t until =
            now + (int64_t)j->max_attempts * ((int64_t)j->timeout + retry_after_max(rv)) + 60;
        int rc = lh_spool_lease(rv->sp, j->id, getpid(), until);
        if (rc < 0) {
            return rc;
        }
        lh_spool_find(rv->sp, j->id)->inflight = true;
        return 1;
    }
    return 0;
}

/* Records the outcome of one job. Called with the spool locked. */
static int settle(struct lh_revoker *rv, const struct job *j, const struct lh_webhook_result *res,
                  unsigned attempts, struct lh_revoke_stats *st, struct lh_strlist *down)
{
    struct lh_spool_entry *e = lh_spool_find(rv->sp, j->id);
    LH_ASSERT(e != NULL);
    e->inflight = false;
    int rc;
    enum lh_revoke_event_kind kind;
    const char *error = res->error[0] ? res->error : NULL;
    if (res->outcome == LH_WEBHOOK_DELIVERED) {
        rc = lh_spool_finish(rv->sp, j->id, true, attempts, res->status, NULL);
        kind = LH_REVOKE_EV_DELIVERED;
        error = NULL;
        st->delivered += rc == 0;
    } else if (res->outcome == LH_WEBHOOK_REJECTED) {
        rc = lh_spool_finish(rv->sp, j->id, false, attempts, res->status, error);
        kind = LH_REVOKE_EV_FAILED;
        st->failed += rc == 0;
    } else {
        rc = lh_spool_defer(rv->sp, j->id, attempts, res->status, error);
        kind = LH_REVOKE_EV_DEFERRED;
        if (rc == 0 && !atomic_load(&rv->stop) && lh_strlist_push(down, j->url) < 0) {
            rc = lh_error_oom();
        }
    }
    if (rc < 0) {
        return rc;
    }
    e = lh_spool_find(rv->sp, j->id);
    struct lh_revoke_event ev = {.kind = kind,
                                 .url = e->url,
                                 .rule_id = e->rule_id,
                                 .key = e->key,
                                 .id = e->id,
                                 .status = res->status,
                                 .attempts = attempts,
                                 .error = error};
    lh_revoker_emit(rv, &ev);
    return 0;
}

static size_t count_pending(struct lh_revoker *rv)
{
    size_t n = 0;
    for (size_t i = 0; i < lh_spool_count(rv->sp); i++) {
        n += lh_spool_at(rv->sp, i)->state == LH_SPOOL_PENDING;
    }
    return n;
}

int lh_revoker_flush(struct lh_revoker *rv, struct lh_revoke_stats *stats)
{
    struct lh_revoke_stats st = {0};
    struct lh_strlist down = {0};
    atomic_store(&rv->stop, 0);
    int rc = lh_spool_lock(rv->sp);
    if (rc < 0) {
        return rc;
    }
    unsigned run = ++rv->run_seq;
    lh_spool_unlock(rv->sp);
    while (!rv->opts.dry_run && !atomic_load(&rv->stop)) {
        struct job j;
        memset(&j, 0, sizeof(j));
        rc = lh_spool_lock(rv->sp);
        if (rc < 0) {
            break;
        }
        rc = claim(rv, run, &down, &j);
        lh_spool_unlock(rv->sp);
        if (rc <= 0) {
            job_dispose(&j);
            break;
        }
        struct lh_webhook_result res;
        unsigned attempts = 0;
        deliver(rv, &j, &res, &attempts);
        rc = lh_spool_lock(rv->sp);
        if (rc == 0) {
            rc = settle(rv, &j, &res, attempts, &st, &down);
            lh_spool_unlock(rv->sp);
        }
        job_dispose(&j);
        if (rc < 0) {
            break;
        }
    }
    lh_strlist_dispose(&down);
    int lrc = lh_spool_lock(rv->sp);
    if (lrc == 0) {
        if (rc == 0 && lh_spool_should_compact(rv->sp)) {
            rc = lh_spool_compact(rv->sp);
        }
        st.pending = count_pending(rv);
        st.queued = rv->queued;
        st.skipped = rv->skipped;
        lh_spool_unlock(rv->sp);
    }
    if (stats) {
        *stats = st;
    }
    return rc < 0 ? rc : lrc;
}
