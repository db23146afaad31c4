/* SPDX-License-Identifier: MIT */
/*
 * The requests of `leakhound serve` (server_int.h): routing, the body collected into a buffer
 * capped at the endpoint's limit and reserved from the guard's budget, the answers (the
 * partner handler's, /healthz, /metrics), the access log line written when the request
 * completes (so aborted and timed-out requests are logged too), the guard's view of each
 * public connection, and libmicrohttpd's own messages, rate-limited. See server.c for the
 * order of events and the limits.
 */
#include "http/accesslog.h"
#include "http/server_int.h"
#include "util/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_BURST 10
#define DISCARD_FACTOR 4

struct req {
    double t0;
    enum route route;
    const char *method;
    const char *path;
    char remote[INET6_ADDRSTRLEN];
    struct lh_guard_conn *gc; /* NULL on the admin listener */
    struct lh_buf body;
    bool declared;    /* the body's length was declared and reserved up front */
    bool over_budget; /* the body did not fit the budget: discarded, answered 503 */
    bool too_big;
    size_t bytes_in;
    size_t bytes_out;
    int status;
    const char *reporter;
    const char *error;
    size_t tokens, tp, fp, queued;
};

static const char *canonical_method(const char *m)
{
    static const char *const known[] = {"GET",     "HEAD",  "POST",  "PUT",    "DELETE",
                                        "OPTIONS", "PATCH", "TRACE", "CONNECT"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(m, known[i]) == 0) {
            return known[i];
        }
    }
    return "OTHER";
}

static enum route route_of(const struct listener *l, const char *url, const char *method,
                           const char **path)
{
    bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (!strcmp(url, "/healthz") || !strcmp(url, "/metrics")) {
        *path = !strcmp(url, "/healthz") ? "/healthz" : "/metrics";
        if (!get) {
            return R_BAD_METHOD;
        }
        return !strcmp(url, "/healthz") ? R_HEALTHZ : R_METRICS;
    }
    if (!l->admin && !strcmp(url, l->s->path)) {
        *path = l->s->path;
        return !strcmp(method, "POST") ? R_PARTNER : R_BAD_METHOD;
    }
    *path = "other";
    return R_NOT_FOUND;
}

static void remote_of(const struct lh_libmhd *mhd, struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        mhd->get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = 0;
    if (!ci || !ci->client_addr) {
        return;
    }
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)cap);
    }
}

struct owned {
    char *ptr;
    size_t len;
};

static void owned_free(void *cls)
{
    struct owned *o = cls;
    explicit_bzero(o->ptr, o->len);
    free(o->ptr);
    free(o);
}

/*
 * Queues an answer. `body` is either copied (take == NULL) or, for the partner feedback
 * that may hold raw tokens, moved out of *take and wiped when libmicrohttpd releases it.
 */
void lh_server_result_init(struct lh_server_result *r)
{
    memset(r, 0, sizeof(*r));
    lh_buf_init(&r->body, 0);
}

void lh_server_result_dispose(struct lh_server_result *r)
{
    lh_buf_wipe(&r->body);
}

static enum MHD_Result respond(struct lh_server *s, struct MHD_Connection *c, struct req *r,
                               int status, const char *ctype, const char *body, size_t len,
                               struct lh_buf *take, const char *allow)
{
    struct MHD_Response *resp = NULL;
    if (take) {
        struct owned *o = malloc(sizeof(*o));
        if (!o) {
            return MHD_NO;
        }
        o->len = take->len;
        o->ptr = lh_buf_take(take);
        if (!o->ptr) {
            free(o);
            return MHD_NO;
        }
        resp = s->mhd->create_response_from_buffer_with_free_callback_cls(o->len, o->ptr,
                                                                          owned_free, o);
        if (!resp) {
            owned_free(o);
            return MHD_NO;
        }
        len = o->len;
    } else {
        resp = s->mhd->create_response_from_buffer(len, (void *)(uintptr_t)body,
                                                   MHD_RESPMEM_MUST_COPY);
        if (!resp) {
            return MHD_NO;
        }
    }
    enum MHD_Result ok = s->mhd->add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (ok == MHD_YES) {
        ok = s->mhd->add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    if (ok == MHD_YES && allow) {
        ok = s->mhd->add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    }
    if (ok == MHD_YES && status == 503) {
        ok = s->mhd->add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    }
    if (ok == MHD_YES && atomic_load(&s->draining)) {
        ok = s->mhd->add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    }
    if (ok == MHD_YES) {
        /* counted before the client can read the answer (see the file comment) */
        lh_metrics_request(s->metrics, status);
        if (r->route == R_PARTNER) {
            lh_metrics_latency(s->metrics, lh_clock_now() - r->t0);
        }
        lh_guard_answering(s->guard, r->gc);
        ok = s->mhd->queue_response(c, (unsigned int)status, resp);
    }
    s->mhd->destroy_response(resp);
    if (ok == MHD_YES) {
        r->status = status;
        r->bytes_out = len;
    }
    return ok;
}

static enum MHD_Result respond_json(struct lh_server *s, struct MHD_Connection *c, struct req *r,
                                    int status, const char *json, const char *allow)
{
    return respond(s, c, r, status, "application/json", json, strlen(json), NULL, allow);
}

/* The payload of mhd_header: a connection and the table to read its headers with. */
struct header_src {
    const struct lh_libmhd *mhd;
    struct MHD_Connection *c;
};

static const char *mhd_header(const char *name, void *payload)
{
    const struct header_src *h = payload;
    return h->mhd->lookup_connection_value(h->c, MHD_HEADER_KIND, name);
}

/* 503 for a body that does not fit the budget; the client retries (Retry-After). */
static enum MHD_Result busy(struct lh_server *s, struct MHD_Connection *c, struct req *r)
{
    r->error = "busy";
    return respond_json(s, c, r, 503, "{\"error\":\"busy\"}", NULL);
}

/* Moves an application result (a rejection or the feedback) into the answer. */
static enum MHD_Result respond_result(struct lh_server *s, struct MHD_Connection *c, struct req *r,
                                      struct lh_server_result *res)
{
    r->reporter = res->reporter;
    r->error = res->error;
    r->tokens = res->tokens;
    r->tp = res->true_positives;
    r->fp = res->false_positives;
    r->queued = res->queued;
    enum MHD_Result ok =
        respond(s, c, r, res->status, "application/json", NULL, 0, &res->body, NULL);
    lh_server_result_dispose(res);
    return ok;
}

static enum MHD_Result answer_partner(struct lh_server *s, struct MHD_Connection *c, struct req *r)
{
    struct lh_server_result res;
    if (r->too_big) {
        r->error = "body_too_large";
        return respond_json(s, c, r, 413, "{\"error\":\"body_too_large\"}", NULL);
    }
    if (r->over_budget) {
        return busy(s, c, r);
    }
    struct header_src hs = {s->mhd, c};
    lh_server_result_init(&res);
    s->app.post(s->app.payload, mhd_header, &hs, (const uint8_t *)r->body.ptr, r->body.len, &res);
    lh_buf_wipe(&r->body); /* the raw tokens are no longer needed */
    lh_guard_body_release(s->guard, r->gc);
    return respond_result(s, c, r, &res);
}

/*
 * 503 while draining or saturated (refusing connections or bodies for lack of room in
 * the last seconds), so that a load balancer sends the traffic elsewhere; 200 otherwise,
 * also while slow clients are being evicted to make room, since requests are served.
 */
static enum MHD_Result answer_health(struct lh_server *s, struct MHD_Connection *c, struct req *r)
{
    struct lh_guard_stats st;
    lh_guard_stats(s->guard, &st);
    const char *status = atomic_load(&s->draining) ? "draining" : st.saturated ? "saturated" : "ok";
    char json[256];
    snprintf(json, sizeof(json),
             "{\"status\":\"%s\",\"connections\":%zu,\"max_connections\":%zu,"
             "\"body_bytes\":%zu,\"body_budget\":%zu}",
             status, st.connections, st.max_connections, st.body_bytes, st.body_budget);
    return respond_json(s, c, r, strcmp(status, "ok") ? 503 : 200, json, NULL);
}

static enum MHD_Result answer(struct lh_server *s, struct MHD_Connection *c, struct req *r)
{
    switch (r->route) {
    case R_PARTNER:
        return answer_partner(s, c, r);
    case R_HEALTHZ:
        return answer_health(s, c, r);
    case R_METRICS: {
        struct lh_buf b;
        lh_buf_init(&b, 1024u * 1024u);
        enum MHD_Result ok = MHD_NO;
        if (s->metrics && lh_metrics_render(s->metrics, &b) == 0 &&
            lh_guard_render(s->guard, &b) == 0) {
            ok = respond(s, c, r, 200, "text/plain; version=0.0.4; charset=utf-8", b.ptr, b.len,
                         NULL, NULL);
        } else {
            ok = respond_json(s, c, r, 500, "{\"error\":\"error\"}", NULL);
        }
        lh_buf_dispose(&b);
        return ok;
    }
    case R_BAD_METHOD:
        r->error = "method_not_allowed";
        return respond_json(s, c, r, 405, "{\"error\":\"method_not_allowed\"}",
                            r->path == s->path ? "POST" : "GET, HEAD");
    default:
        r->error = "not_found";
        return respond_json(s, c, r, 404, "{\"error\":\"not_found\"}", NULL);
    }
}

/*
 * The declared Content-Length: false when there is none, SIZE_MAX when it does not fit.
 * libmicrohttpd has already rejected a malformed one.
 */
static bool declared_length(const struct lh_libmhd *mhd, struct MHD_Connection *c, size_t *out)
{
    const char *cl =
        mhd->lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl) {
        return false;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(cl, &end, 10);
    *out = errno == ERANGE || v >= SIZE_MAX ? SIZE_MAX : (size_t)v;
    return end != cl;
}

/*
 * The partner route once the headers are complete: a body over the cap (413), a request
 * that cannot verify (400/401) and a declared body over the budget (503) are answered now,
 * before the body is read; otherwise a declared body is reserved and allocated at once.
 */
static enum MHD_Result start_partner(struct lh_server *s, struct MHD_Connection *c, struct req *r)
{
    size_t cap = s->app.max_body;
    size_t len = 0;
    r->declared = declared_length(s->mhd, c, &len);
    if (r->declared && len > cap) {
        r->error = "body_too_large";
        return respond_json(s, c, r, 413, "{\"error\":\"body_too_large\"}", NULL);
    }
    struct header_src hs = {s->mhd, c};
    struct lh_server_result res;
    lh_server_result_init(&res);
    if (!s->app.precheck(s->app.payload, mhd_header, &hs, &res)) {
        return respond_result(s, c, r, &res);
    }
    r->reporter = res.reporter;
    lh_server_result_dispose(&res);
    if (r->declared && !lh_guard_body_reserve(s->guard, r->gc, len + 1)) {
        return busy(s, c, r);
    }
    if (r->declared && lh_buf_reserve(&r->body, len) < 0) {
        return MHD_NO; /* out of memory */
    }
    return MHD_YES;
}

/*
 * Appends a piece of the partner body; a chunked one (no declared length) reserves from
 * the budget as it grows, doubling up to the cap.
 */
static void take_body(struct lh_server *s, struct req *r, const char *data, size_t n)
{
    if (r->status || r->too_big || r->over_budget) {
        return; /* answered early, or being discarded */
    }
    size_t cap = s->app.max_body;
    size_t need = r->body.len + n;
    if (need > cap) {
        r->too_big = true;
    } else if (!r->declared && need + 1 > r->body.alloc) {
        size_t want = r->body.alloc * 2 > need ? r->body.alloc * 2 : need;
        want = want > cap ? cap : want;
        if (!lh_guard_body_reserve(s->guard, r->gc, want + 1)) {
            r->over_budget = true;
        } else if (lh_buf_reserve(&r->body, want) < 0) {
            r->over_budget = true; /* out of memory: as busy */
        }
    }
    if (!r->too_big && !r->over_budget && lh_buf_put(&r->body, data, n) < 0) {
        r->too_big = true;
    }
    if (r->too_big || r->over_budget) {
        lh_buf_wipe(&r->body);
        lh_guard_body_release(s->guard, r->gc);
    }
}

enum MHD_Result lh_server_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_data_size,
                                     void **con_cls)
{
    struct listener *l = cls;
    struct lh_server *s = l->s;
    struct req *r = *con_cls;
    (void)version;
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (!r) {
            return MHD_NO;
        }
        r->t0 = lh_clock_now();
        r->method = canonical_method(method);
        r->route = route_of(l, url, method, &r->path);
        remote_of(s->mhd, c, r->remote, sizeof(r->remote));
        if (!l->admin) {
            const union MHD_ConnectionInfo *ci =
                s->mhd->get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
            r->gc = ci ? ci->socket_context : NULL;
            lh_guard_headers_done(s->guard, r->gc);
        }
        lh_buf_init(&r->body, s->app.max_body);
        atomic_fetch_add(&s->in_flight, 1);
        lh_metrics_in_flight(s->metrics, 1);
        *con_cls = r;
        return r->route == R_PARTNER ? start_partner(s, c, r) : MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        r->bytes_in += n;
        if (r->route == R_PARTNER) {
            take_body(s, r, upload_data, n);
        }
        *upload_data_size = 0;
        if (r->too_big && r->bytes_in / DISCARD_FACTOR > s->app.max_body) {
            return MHD_NO; /* an endless upload: drop the connection */
        }
        return MHD_YES;
    }
    if (r->status) {
        return MHD_YES; /* answered early (413, 400/401, 503) */
    }
    lh_guard_answering(s->guard, r->gc); /* the request is complete: no longer evictable */
    return answer(s, c, r);
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return "completed";
    case MHD_REQUEST_TERMINATED_WITH_ERROR:
        return "error";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "read_error";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return "aborted";
    default:
        return "other";
    }
}

void lh_server_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                            enum MHD_RequestTerminationCode toe)
{
    struct listener *l = cls;
    struct lh_server *s = l->s;
    struct req *r = *con_cls;
    (void)c;
    if (!r) {
        return;
    }
    *con_cls = NULL;
    double secs = lh_clock_now() - r->t0;
    const char *guarded = lh_guard_reason(s->guard, r->gc);
    struct lh_accesslog_entry e = {
        .method = r->method,
        .path = r->path,
        .remote = r->remote[0] ? r->remote : NULL,
        .status = r->status,
        .termination = termination_name(toe),
        .bytes_in = r->bytes_in,
        .bytes_out = r->bytes_out,
        .seconds = secs,
        .reporter = r->reporter,
        .error = r->error ? r->error : guarded,
        .tokens = r->tokens,
        .true_positives = r->tp,
        .false_positives = r->fp,
        .queued = r->queued,
    };
    lh_accesslog_request(s->log_fd, &e);
    lh_buf_wipe(&r->body);
    lh_guard_request_done(s->guard, r->gc);
    free(r);
    lh_metrics_in_flight(s->metrics, -1);
    atomic_fetch_sub(&s->in_flight, 1);
}

/* Registers each public connection with the guard, which may shut it down at once. */
void lh_server_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                             enum MHD_ConnectionNotificationCode toe)
{
    struct lh_server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        lh_guard_remove(s->guard, *socket_context);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *ci =
        s->mhd->get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct lh_guard_conn *gc = NULL;
    if (ci && lh_guard_add(s->guard, &gc, ci->connect_fd) < 0) {
        gc = NULL; /* out of memory: the guard has shut the connection down */
    }
    *socket_context = gc;
}

/*
 * libmicrohttpd reports every malformed request and every connection over the limit; a
 * flood of those must not become a flood of log lines, so at most LOG_BURST messages are
 * written per second and the number dropped is reported with the next one written.
 */
void lh_server_on_mhd_log(void *cls, const char *fmt, va_list ap) LH_PRINTF(2, 0);
void lh_server_on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct lh_server *s = cls;
    char msg[512];
    long long second = (long long)lh_clock_now();
    pthread_mutex_lock(&s->log_lock);
    if (second != s->log_second) {
        s->log_second = second;
        s->log_count = 0;
    }
    bool emit_line = ++s->log_count <= LOG_BURST;
    size_t dropped = emit_line ? s->log_dropped : 0;
    if (emit_line) {
        s->log_dropped = 0;
    } else {
        s->log_dropped++;
    }
    pthread_mutex_unlock(&s->log_lock);
    if (!emit_line) {
        return;
    }
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) {
        msg[--n] = 0;
    }
    if (dropped) {
        lh_accesslog_event(s->log_fd, "warning", "libmicrohttpd",
                           "%s (%zu similar messages "
                           "dropped)",
                           msg, dropped);
    } else {
        lh_accesslog_event(s->log_fd, "warning", "libmicrohttpd", "%s", msg);
    }
}
