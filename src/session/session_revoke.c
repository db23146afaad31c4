/* SPDX-License-Identifier: MIT */
/*
 * Revocation in a session. At open time the settings are checked: --revoke-url without
 * revocation on is a usage error, revocation without a route a configuration error, a route
 * that sends raw tokens over plain http to another host a warning. After the report, every
 * reported finding (not invalid, not suppressed by inline allow, baseline or minimum
 * confidence) is queued durably, then the queue is flushed. Delivery problems are events
 * (the requests stay pending for `revoke flush`), so the run fails only when the journal
 * itself does. A receiver's Retry-After may not hold a scan for minutes: a scan waits at
 * most SCAN_RETRY_AFTER_MAX seconds (`revoke flush` and the server wait longer).
 */
#include "session/session_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest Retry-After (seconds) a scan waits for; docs/revocation.md */
#define SCAN_RETRY_AFTER_MAX 5

bool lh_session_revoke_enabled(const struct lh_session *s)
{
    return s->o->revoke || (s->o->revoke_file && s->o->revoke_file->enabled);
}

static bool is_loopback(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    return !strncmp(h, "127.", 4) || !strncmp(h, "localhost", 9) || !strncmp(h, "[::1]", 5);
}

int lh_session_revoke_check(struct lh_session *s)
{
    const struct lh_session_opts *o = s->o;
    const struct lh_revoke_config *file = o->revoke_file;
    size_t from_file = file ? file->nroutes : 0;
    if (!lh_session_revoke_enabled(s)) {
        if (o->revoke_urls.count) {
            lh_error_set("--revoke-url needs --revoke (or 'revoke: true' in a --config file or "
                         "the user configuration file)");
            return LH_EUSAGE;
        }
        return 0;
    }
    for (size_t i = 0; i < o->revoke_urls.count; i++) {
        const char *u = o->revoke_urls.items[i];
        if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) {
            lh_error_set("--revoke-url must start with https:// or http://, not '%s'", u);
            return LH_EUSAGE;
        }
    }
    if (from_file + o->revoke_urls.count == 0) {
        lh_error_set("revocation is enabled but no route is configured (add --revoke-url URL "
                     "or revoke.routes in a --config file or the user configuration file)");
        return LH_EINVAL;
    }
    for (size_t i = 0; i < from_file; i++) {
        const struct lh_revoke_route *r = &file->routes[i];
        if (r->send == LH_SEND_TOKEN && !strncmp(r->url, "http://", 7) && !is_loopback(r->url)) {
            char url[512];
            lh_revoke_url_display(url, sizeof(url), r->url);
            lh_session_warn(s, "revoke route '%s' sends raw tokens over plain http", url);
        }
    }
    return 0;
}

/* The revoker has one payload for its warnings and events: the session, which passes the
 * events on to the caller's callback */
static void on_journal_warning(const char *msg, void *payload)
{
    const struct lh_session *s = payload;
    lh_session_warn(s, "%s", msg);
}

static void on_event(const struct lh_revoke_event *ev, void *payload)
{
    const struct lh_session *s = payload;
    if (s->o->revoke_event) {
        s->o->revoke_event(ev, s->o->payload);
    }
}

int lh_session_revoke_run(struct lh_session *s, struct lh_outcome *out)
{
    const struct lh_session_opts *o = s->o;
    if (!lh_session_revoke_enabled(s)) {
        return 0;
    }
    char secret_env[] = "LEAKHOUND_REVOKE_SECRET";
    struct lh_revoke_route *routes = NULL;
    size_t nroutes = 0;
    struct lh_revoker *rv = NULL;
    s->revoke_dir = lh_revoke_config_state_dir(o->state_dir, o->revoke_file);
    if (!s->revoke_dir) {
        lh_error_set("no state directory for revocation: set --state-dir, LEAKHOUND_STATE_DIR "
                     "or HOME");
        return LH_EINVAL;
    }
    int rc =
        lh_revoke_config_routes(&routes, &nroutes, o->revoke_file, &o->revoke_urls, secret_env);
    struct lh_revoke_opts ro = {.dry_run = o->dry_run,
                                .max_retry_after = SCAN_RETRY_AFTER_MAX,
                                .warn = on_journal_warning,
                                .event = on_event,
                                .payload = s};
    rc = rc ? rc : lh_revoker_open_opts(&rv, s->revoke_dir, routes, nroutes, &ro);
    for (size_t i = 0; rc == 0 && i < s->findings.count; i++) {
        const struct lh_finding *f = &s->findings.items[i];
        if (f->invalid || f->suppressed || !f->secret || !f->secret_len) {
            continue;
        }
        struct lh_revoke_item it = {
            .rule_id = f->rule->id,
            .provider = f->rule->provider,
            .confidence = f->confidence,
            .token = f->secret,
            .token_len = f->secret_len,
            .source = o->revoke_source ? o->revoke_source : "scan",
            .path = f->path,
            .line = f->line,
            .commit = f->prov.commit,
            .repository = s->repo_name,
        };
        rc = lh_revoker_enqueue(rv, &it, NULL);
        if (rc == LH_ETOOBIG || rc == LH_EINVAL) {
            /* one odd finding must not stop the others from being revoked */
            lh_session_warn(s, "%s", lh_error_get());
            rc = 0;
        }
    }
    if (rc == 0) {
        rc = lh_revoker_flush(rv, &out->revoke);
    }
    if (rc == 0) {
        out->revoked = true;
        out->revoke_dir = s->revoke_dir;
    } else {
        char msg[1024];
        snprintf(msg, sizeof(msg), "%s", lh_error_get());
        lh_error_set("revocation: %s", msg);
    }
    lh_revoker_close(rv);
    free(routes);
    return rc;
}
