/* SPDX-License-Identifier: MIT */
/*
 * The revoker: opening the spool, route matching, request bodies and queueing, and listing;
 * see revoke.h. The flush loop is revoke_flush.c. The spool lock is held only while reading
 * or appending records, never during HTTP, so enqueuers are never blocked by a slow
 * receiver.
 */
#include "finding/finding.h"
#include "notify/revoke_int.h"
#include "notify/spool.h"
#include "notify/webhook.h"
#include "util/encode.h"
#include "util/fs.h"
#include "util/hash.h"

#include <fnmatch.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_TOKEN 4096

static int route_copy(struct lh_revoke_route *dst, const struct lh_revoke_route *src)
{
    *dst = *src;
    dst->url = NULL;
    dst->secret_env = NULL;
    memset(&dst->rules, 0, sizeof(dst->rules));
    dst->url = strdup(src->url);
    if (!dst->url) {
        return lh_error_oom();
    }
    if (src->secret_env) {
        dst->secret_env = strdup(src->secret_env);
        if (!dst->secret_env) {
            return lh_error_oom();
        }
    }
    for (size_t i = 0; i < src->rules.count; i++) {
        if (lh_strlist_push(&dst->rules, src->rules.items[i]) < 0) {
            return lh_error_oom();
        }
    }
    return 0;
}

static void spool_warn(const char *msg, void *payload)
{
    struct lh_revoker *rv = payload;
    if (rv->opts.warn) {
        rv->opts.warn(msg, rv->opts.payload);
    }
}

int lh_revoker_open(struct lh_revoker **out, const char *state_dir,
                    const struct lh_revoke_route *routes, size_t nroutes)
{
    return lh_revoker_open_opts(out, state_dir, routes, nroutes, NULL);
}

int lh_revoker_open_opts(struct lh_revoker **out, const char *state_dir,
                         const struct lh_revoke_route *routes, size_t nroutes,
                         const struct lh_revoke_opts *opts)
{
    *out = NULL;
    if (!state_dir || !*state_dir) {
        lh_error_set("no state directory for the revocation journal");
        return LH_EINVAL;
    }
    struct lh_revoker *rv = calloc(1, sizeof(*rv));
    if (!rv) {
        return lh_error_oom();
    }
    atomic_init(&rv->stop, 0);
    if (opts) {
        rv->opts = *opts;
    }
    int rc = 0;
    if (nroutes) {
        rv->routes = calloc(nroutes, sizeof(*rv->routes));
        if (!rv->routes) {
            rc = lh_error_oom();
            goto out;
        }
    }
    for (size_t i = 0; i < nroutes; i++) {
        if (!routes[i].url || !*routes[i].url) {
            lh_error_set("revoke route %zu has no url", i + 1);
            rc = LH_EINVAL;
            goto out;
        }
        rv->nroutes++;
        rc = route_copy(&rv->routes[i], &routes[i]);
        if (rc < 0) {
            goto out;
        }
    }
    /* a revoker that may send loads libcurl now, so that a missing library is reported
     * before anything is queued; status listings and dry runs never send and need none */
    if (!rv->opts.dry_run) {
        rc = lh_webhook_global_init();
    }
    if (rc == 0) {
        rc = lh_spool_open(&rv->sp, state_dir, rv->opts.dry_run, spool_warn, rv);
    }
out:
    if (rc < 0) {
        lh_revoker_close(rv);
        return rc;
    }
    *out = rv;
    return 0;
}

void lh_revoker_close(struct lh_revoker *rv)
{
    if (!rv) {
        return;
    }
    lh_spool_free(rv->sp);
    for (size_t i = 0; i < rv->nroutes; i++) {
        lh_revoke_route_dispose(&rv->routes[i]);
    }
    free(rv->routes);
    free(rv);
}

void lh_revoker_interrupt(struct lh_revoker *rv)
{
    atomic_store(&rv->stop, 1);
}

const char *lh_revoker_journal_path(const struct lh_revoker *rv)
{
    return lh_spool_path(rv->sp);
}

static bool route_matches(const struct lh_revoke_route *r, const struct lh_revoke_item *it)
{
    if (it->confidence < r->min_confidence) {
        return false;
    }
    if (r->rules.count == 0) {
        return true;
    }
    for (size_t i = 0; i < r->rules.count; i++) {
        if (fnmatch(r->rules.items[i], it->rule_id, 0) == 0) {
            return true;
        }
    }
    return false;
}

/* A JSON string for text that should be UTF-8 but comes from file names and git. */
static json_t *text(const char *s)
{
    if (!s) {
        return json_null();
    }
    json_t *j = json_string(s);
    if (j) {
        return j;
    }
    char *c = strdup(s);
    if (!c) {
        return NULL;
    }
    for (char *p = c; *p; p++) {
        unsigned char u = (unsigned char)*p;
        if (u >= 0x80 || u < 0x20) {
            *p = '?';
        }
    }
    j = json_string(c);
    free(c);
    return j;
}

/* The token as JSON: text when it is UTF-8, else base64 under another key. */
static int put_token(json_t *o, const struct lh_revoke_item *it, bool redact)
{
    if (redact) {
        char red[64];
        lh_redact(red, sizeof(red), it->token, it->token_len);
        return json_object_set_new(o, "token", json_string(red));
    }
    json_t *t = json_stringn((const char *)it->token, it->token_len);
    if (t) {
        return json_object_set_new(o, "token", t);
    }
    char b64[MAX_TOKEN / 3 * 4 + 8];
    size_t n = 0;
    if (lh_encode_base64(b64, sizeof(b64), &n, it->token, it->token_len, 0) < 0) {
        return -1;
    }
    int rc = json_object_set_new(o, "token_base64", json_stringn(b64, n));
    OPENSSL_cleanse(b64, sizeof(b64));
    return rc;
}

/*
 * Builds the request body (heap, NUL-terminated, wiped by the caller). With redact the token
 * is shown as lh_redact() prints it (dry runs).
 */
static int build_body(char **out, size_t *out_len, const struct lh_revoke_item *it,
                      const struct lh_revoke_route *r, const char *key, const char *id, int64_t now,
                      bool redact)
{
    char when[32];
    time_t tt = (time_t)now;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    int bad = 0;
    json_t *o = json_object();
    json_t *loc = json_object();
    if (!o || !loc) {
        json_decref(o);
        json_decref(loc);
        return lh_error_oom();
    }
    bad |= json_object_set_new(o, "type", json_string("leakhound.revoke"));
    bad |= json_object_set_new(o, "version", json_integer(1));
    bad |= json_object_set_new(o, "id", json_string(id));
    bad |= json_object_set_new(o, "idempotency_key", json_string(key));
    if (r->send == LH_SEND_TOKEN) {
        bad |= put_token(o, it, redact);
    }
    bad |= json_object_set_new(o, "token_sha256", json_string(key));
    bad |= json_object_set_new(o, "rule_id", text(it->rule_id));
    bad |= json_object_set_new(o, "provider", text(it->provider));
    bad |= json_object_set_new(o, "confidence", json_string(lh_confidence_name(it->confidence)));
    bad |= json_object_set_new(o, "source", text(it->source ? it->source : "unknown"));
    bad |= json_object_set_new(loc, "path", text(it->path));
    bad |= json_object_set_new(loc, "line",
                               it->line ? json_integer((json_int_t)it->line) : json_null());
    bad |= json_object_set_new(loc, "commit", text(it->commit));
    bad |= json_object_set_new(loc, "repository", text(it->repository));
    bad |= json_object_set_new(loc, "url", text(it->url));
    bad |= json_object_set_new(o, "location", loc);
    bad |= json_object_set_new(o, "detected_at", json_string(when));
    int rc = 0;
    char *buf = NULL;
    size_t n = bad ? 0 : json_dumpb(o, NULL, 0, JSON_COMPACT);
    if (n == 0) {
        rc = lh_error_oom();
        goto out;
    }
    buf = malloc(n + 1);
    if (!buf || json_dumpb(o, buf, n, JSON_COMPACT) != n) {
        free(buf);
        buf = NULL;
        rc = lh_error_oom();
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
out:
    for (int i = 0; i < 2; i++) {
        json_t *t = json_object_get(o, i ? "token_base64" : "token");
        if (json_is_string(t) && json_string_length(t)) {
            OPENSSL_cleanse((char *)json_string_value(t), json_string_length(t));
        }
    }
    json_decref(o);
    return rc;
}

void lh_revoke_wipe_free(char *p, size_t n)
{
    if (p) {
        OPENSSL_cleanse(p, n);
        free(p);
    }
}

void lh_revoker_emit(struct lh_revoker *rv, const struct lh_revoke_event *ev)
{
    if (rv->opts.event) {
        rv->opts.event(ev, rv->opts.payload);
    }
}

int lh_revoker_enqueue(struct lh_revoker *rv, const struct lh_revoke_item *item, size_t *queued)
{
    if (queued) {
        *queued = 0;
    }
    if (!item->rule_id || !*item->rule_id || !item->token || item->token_len == 0) {
        lh_error_set("a revocation request needs a rule id and a token");
        return LH_EINVAL;
    }
    if (item->token_len > MAX_TOKEN) {
        lh_error_set("a %zu-byte token for rule '%s' is over the %d-byte revocation limit",
                     item->token_len, item->rule_id, MAX_TOKEN);
        return LH_ETOOBIG;
    }
    bool any = false;
    for (size_t i = 0; i < rv->nroutes && !any; i++) {
        any = route_matches(&rv->routes[i], item);
    }
    if (!any) {
        return 0;
    }
    char key[LH_SHA256_HEX_LEN + 1];
    lh_sha256_hex(key, item->token, item->token_len);
    int64_t now = (int64_t)time(NULL);
    int rc = lh_spool_lock(rv->sp);
    if (rc < 0) {
        return rc;
    }
    size_t n = 0;
    char(*ids)[LH_SPOOL_ID_LEN + 1] = calloc(rv->nroutes, sizeof(*ids));
    if (!ids) {
        rc = lh_error_oom();
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < rv->nroutes; i++) {
        const struct lh_revoke_route *r = &rv->routes[i];
        if (!route_matches(r, item)) {
            continue;
        }
        struct lh_spool_entry proto;
        memset(&proto, 0, sizeof(proto));
        rc = lh_spool_id(proto.id, r->url, key);
        if (rc < 0) {
            break;
        }
        const struct lh_spool_entry *e = lh_spool_find(rv->sp, proto.id);
        if (e && e->state != LH_SPOOL_FAILED) {
            rv->skipped++; /* pending or delivered: never twice */
            continue;
        }
        rc =
            build_body(&proto.body, &proto.body_len, item, r, key, proto.id, now, rv->opts.dry_run);
        if (rc < 0) {
            break;
        }
        memcpy(proto.key, key, sizeof(proto.key));
        proto.url = r->url;
        proto.secret_env = r->secret_env;
        proto.rule_id = (char *)item->rule_id;
        proto.route = i;
        proto.queued_at = now;
        rc = lh_spool_queue(rv->sp, &proto, false);
        if (rc == 0 && rv->opts.dry_run) {
            struct lh_revoke_event ev = {.kind = LH_REVOKE_EV_PREVIEW,
                                         .url = r->url,
                                         .rule_id = item->rule_id,
                                         .key = key,
                                         .id = proto.id,
                                         .body = proto.body};
            lh_revoker_emit(rv, &ev);
        }
        lh_revoke_wipe_free(proto.body, proto.body_len);
        if (rc == 0) {
            memcpy(ids[n++], proto.id, LH_SPOOL_ID_LEN + 1);
        }
    }
    if (rc == 0 && n > 0) {
        rc = lh_spool_sync(rv->sp);
    }
    if (rc == 0) {
        rv->queued += n;
        if (queued) {
            *queued = n;
        }
        for (size_t i = 0; i < n && !rv->opts.dry_run; i++) {
            const struct lh_spool_entry *e = lh_spool_find(rv->sp, ids[i]);
            struct lh_revoke_event ev = {.kind = LH_REVOKE_EV_QUEUED,
                                         .url = e->url,
                                         .rule_id = e->rule_id,
                                         .key = e->key,
                                         .id = e->id};
            lh_revoker_emit(rv, &ev);
        }
    }
out:
    free(ids);
    lh_spool_unlock(rv->sp);
    return rc;
}

int lh_revoker_list(struct lh_revoker *rv, lh_revoke_list_fn fn, void *payload)
{
    int rc = lh_spool_lock(rv->sp);
    if (rc < 0) {
        return rc;
    }
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; i < lh_spool_count(rv->sp); i++) {
        const struct lh_spool_entry *e = lh_spool_at(rv->sp, i);
        static const char *const names[] = {"pending", "delivered", "failed"};
        struct lh_revoke_entry_info info = {
            .id = e->id,
            .state = names[e->state],
            .url = e->url,
            .rule_id = e->rule_id,
            .key = e->key,
            .route = e->route,
            .attempts = e->attempts,
            .last_status = e->last_status,
            .last_error = e->last_error,
            .queued_at = e->queued_at,
            .updated_at = e->updated_at,
            .in_flight = e->state == LH_SPOOL_PENDING && lh_spool_leased(e, now),
        };
        fn(&info, payload);
    }
    lh_spool_unlock(rv->sp);
    return 0;
}

char *lh_revoke_default_state_dir(void)
{
    return lh_fs_user_dir("LEAKHOUND_STATE_DIR", "XDG_STATE_HOME", ".local/state");
}

void lh_revoke_url_display(char *out, size_t cap, const char *url)
{
    if (cap == 0) {
        return;
    }
    const char *sep = strstr(url, "://");
    const char *auth = sep ? sep + 3 : url;
    size_t auth_len = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', auth_len);
    const char *host = at ? at + 1 : auth;
    const char *q = strchr(host, '?');
    const char *frag = strchr(host, '#');
    size_t upto = q ? (size_t)(q - host) : frag ? (size_t)(frag - host) : strlen(host);
    snprintf(out, cap, "%.*s%s%.*s%s", (int)(auth - url), url, at ? "***@" : "", (int)upto, host,
             q ? "?***" : "");
}
