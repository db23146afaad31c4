/* SPDX-License-Identifier: MIT */
/*
 * libmicrohttpd daemon of `leakhound serve`; see server.h. A request is one `struct
 * req`, created on the handler's first call (headers parsed) and freed in the
 * request-completed callback, which is also where the access log line is written, so
 * aborted and timed-out requests are logged too. The status is counted in the metrics
 * when the answer is queued, before the client can see it (a client that reads /metrics
 * right after its answer finds its request counted). The in-flight count is the number
 * of live `struct req`; graceful stop waits for it to reach zero. Each connection of the
 * public listener is registered with the guard (http/guard.h) from the connection
 * notification, which tells it when the headers are complete (first handler call), when
 * the answer starts (last call) and when it was sent (request completed). The body is
 * collected into a buffer capped at the endpoint's limit and reserved from the guard's
 * budget first (all of a declared Content-Length at once, so it is allocated once): a
 * declared length over the cap is refused (413) and one over the budget answered 503
 * before any byte is read; a chunked body that crosses either is discarded as it arrives
 * and answered 413 or 503 (or the connection is dropped once the client has sent four
 * times the cap, so an endless upload cannot hold a thread).
 * libmicrohttpd is reached through the table of http/libmhd.h, loaded when the first
 * server starts (not linked); each server keeps the table for its callbacks.
 */
#include "http/server.h"

#include "http/accesslog.h"
#include "http/guard.h"
#include "http/libmhd.h"
#include "util/clock.h"
#include "util/fs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PATH "/github/secret-scanning"
#define DEFAULT_MAX_CONNECTIONS 1000u
#define DEFAULT_TIMEOUT 30u
#define DEFAULT_THREADS 4u
#define ADMIN_MAX_CONNECTIONS 64u
#define ADMIN_TIMEOUT 10u
#define MAX_CERT_FILE (1024u * 1024u)
#define DISCARD_FACTOR 4
#define LISTEN_BACKLOG 1024u
#define LOG_BURST 10
#define DEFAULT_HEADER_TIMEOUT 10.0
#define DEFAULT_REQUEST_TIMEOUT 30.0
#define DEFAULT_BODY_BUDGET (64u * 1024u * 1024u)
/* libmicrohttpd's own limit leaves room for connections the guard has shut down but the
 * event loop has not closed yet; the guard enforces max_connections */
#define MHD_LIMIT_FACTOR 2
/* allocations from this size up (request bodies) get their own mapping; see start */
#define BODY_MMAP_THRESHOLD (128 * 1024)

enum route { R_PARTNER, R_HEALTHZ, R_METRICS, R_NOT_FOUND, R_BAD_METHOD };

struct lh_server;

/* The context of the daemon a request arrived on. */
struct listener {
    struct lh_server *s;
    bool admin;
};

struct lh_server {
    const struct lh_libmhd *mhd;
    char *path;
    struct lh_server_app app;
    struct lh_metrics *metrics;
    int log_fd;
    struct lh_guard *guard; /* public listener only */
    struct MHD_Daemon *d;
    struct MHD_Daemon *admin;
    unsigned port;
    unsigned admin_port;
    struct lh_buf cert;
    struct lh_buf key;
    struct listener pub;
    struct listener adm;
    MHD_socket quiesced[2];
    atomic_bool draining;
    atomic_size_t in_flight;
    bool stopped;
    pthread_mutex_t log_lock; /* guards the three log_ fields */
    long long log_second;
    size_t log_count;
    size_t log_dropped;
};

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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
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

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
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
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
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
static void on_mhd_log(void *cls, const char *fmt, va_list ap) LH_PRINTF(2, 0);
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
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

/* Splits "host:port" / "[v6]:port" and resolves it (numeric port; names allowed). */
static int resolve(struct sockaddr_storage *out, const char *spec, char *host, size_t cap)
{
    const char *colon = NULL;
    const char *h = spec;
    size_t hlen = 0;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':') {
            goto bad;
        }
        h = spec + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(spec, ':');
        if (!colon) {
            goto bad;
        }
        hlen = (size_t)(colon - spec);
    }
    if (hlen == 0 || hlen >= cap) {
        goto bad;
    }
    memcpy(host, h, hlen);
    host[hlen] = 0;
    const char *port = colon + 1;
    char *end = NULL;
    errno = 0;
    unsigned long p = strtoul(port, &end, 10);
    if (errno || end == port || *end || p > 65535 || port[0] == '-' || port[0] == '+') {
        goto bad;
    }
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0 || !res) {
        lh_error_set("cannot resolve listen address '%s': %s", spec, gai_strerror(gai));
        return LH_EINVAL;
    }
    memset(out, 0, sizeof(*out));
    memcpy(out, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
bad:
    lh_error_set("invalid listen address '%s' (expected host:port or [v6]:port)", spec);
    return LH_EINVAL;
}

static unsigned bound_port(const struct lh_libmhd *mhd, struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *di = mhd->get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

static int start_daemon(struct lh_server *s, struct listener *l, const char *spec,
                        const struct lh_server_opts *o, struct MHD_Daemon **out, unsigned *port)
{
    struct sockaddr_storage ss;
    char host[256];
    int rc = resolve(&ss, spec, host, sizeof(host));
    if (rc < 0) {
        return rc;
    }
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    struct MHD_OptionItem ops[16];
    size_t n = 0;
    unsigned limit =
        l->admin ? ADMIN_MAX_CONNECTIONS : (unsigned)o->max_connections * MHD_LIMIT_FACTOR;
    unsigned timeout = l->admin ? ADMIN_TIMEOUT : o->timeout;
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, limit, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, timeout, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_BACKLOG_SIZE, LISTEN_BACKLOG, NULL};
    if (!l->admin && o->max_connections_per_ip > 0) {
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                           (intptr_t)o->max_connections_per_ip, NULL};
    }
    if (!l->admin && o->threads > 1) {
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, o->threads, NULL};
    }
    if (!l->admin && s->cert.len > 0) {
        flags |= MHD_USE_TLS;
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert.ptr};
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->key.ptr};
    }
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    *out = s->mhd->start_daemon(flags, 0, NULL, NULL, on_request, l, MHD_OPTION_EXTERNAL_LOGGER,
                                on_mhd_log, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
                                MHD_OPTION_NOTIFY_CONNECTION, l->admin ? NULL : on_connection, s,
                                MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
    if (!*out) {
        lh_error_set("cannot listen on '%s' (address in use, or not permitted?)", spec);
        return LH_EIO;
    }
    *port = bound_port(s->mhd, *out);
    return 0;
}

static int read_pem(struct lh_buf *b, const char *path, const char *what)
{
    lh_buf_init(b, MAX_CERT_FILE);
    int rc = lh_fs_read_file(b, path);
    if (rc < 0) {
        return rc;
    }
    if (b->len == 0) {
        lh_error_set("TLS %s '%s' is empty", what, path);
        return LH_EINVAL;
    }
    return 0;
}

int lh_server_start(struct lh_server **out, const struct lh_server_opts *o)
{
    LH_ASSERT(o && o->app.post && o->app.precheck && o->app.max_body > 0 && o->listen);
    *out = NULL;
    if (!o->tls_cert != !o->tls_key) {
        lh_error_set("TLS needs both a certificate and a key");
        return LH_EINVAL;
    }
    const struct lh_libmhd *mhd = NULL;
    int lrc = lh_libmhd_load(&mhd, "leakhound serve");
    if (lrc < 0) {
        return lrc;
    }
    if (o->tls_cert && mhd->is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        lh_error_set("this libmicrohttpd was built without TLS support");
        return LH_EINVAL;
    }
    struct lh_server *s = calloc(1, sizeof(*s));
    if (!s) {
        return lh_error_oom();
    }
    s->mhd = mhd;
    s->quiesced[0] = MHD_INVALID_SOCKET;
    s->quiesced[1] = MHD_INVALID_SOCKET;
    pthread_mutex_init(&s->log_lock, NULL);
    s->app = o->app;
    s->metrics = o->metrics;
    s->log_fd = o->log_fd;
    s->pub = (struct listener){s, false};
    s->adm = (struct listener){s, true};
    lh_buf_init(&s->cert, 0);
    lh_buf_init(&s->key, 0);
    s->path = strdup(o->path ? o->path : DEFAULT_PATH);
    int rc = s->path ? 0 : lh_error_oom();
    if (rc == 0 && s->path[0] != '/') {
        lh_error_set("the endpoint path '%s' must start with '/'", s->path);
        rc = LH_EINVAL;
    }
    if (rc == 0 && o->tls_cert) {
        rc = read_pem(&s->cert, o->tls_cert, "certificate");
    }
    if (rc == 0 && o->tls_key) {
        rc = read_pem(&s->key, o->tls_key, "key");
    }
    struct lh_server_opts eff = *o;
    eff.max_connections = o->max_connections ? o->max_connections : DEFAULT_MAX_CONNECTIONS;
    eff.timeout = o->timeout ? o->timeout : DEFAULT_TIMEOUT;
    eff.threads = o->threads ? o->threads : DEFAULT_THREADS;
    size_t max_body = o->app.max_body;
    struct lh_guard_opts go = {
        .max_connections = eff.max_connections,
        .header_timeout = o->header_timeout > 0 ? o->header_timeout : DEFAULT_HEADER_TIMEOUT,
        .request_timeout = o->request_timeout > 0 ? o->request_timeout : DEFAULT_REQUEST_TIMEOUT,
        .body_budget = o->body_budget ? o->body_budget : DEFAULT_BODY_BUDGET,
    };
    /* the headers are part of the request: their deadline is at most the request's */
    if (go.header_timeout > go.request_timeout) {
        go.header_timeout = go.request_timeout;
    }
    /* a body at the cap must fit (with its terminator), or it could never be received */
    if (go.body_budget <= max_body) {
        go.body_budget = max_body + 1;
    }
    /*
     * glibc raises its mmap threshold after a large block is freed and then serves large
     * blocks from arenas that keep their pages: after a flood of one-megabyte bodies, RSS
     * would stay at about twice the body budget. A fixed threshold (process-wide; this is
     * the `serve` process) maps each body on its own and unmaps it when freed, so RSS
     * follows the bodies held.
     */
    mallopt(M_MMAP_THRESHOLD, BODY_MMAP_THRESHOLD);
    if (rc == 0) {
        rc = lh_guard_new(&s->guard, &go);
    }
    if (rc == 0) {
        rc = start_daemon(s, &s->pub, o->listen, &eff, &s->d, &s->port);
    }
    if (rc == 0 && o->admin_listen) {
        rc = start_daemon(s, &s->adm, o->admin_listen, &eff, &s->admin, &s->admin_port);
    }
    if (rc < 0) {
        lh_server_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

unsigned lh_server_port(const struct lh_server *s)
{
    return s->port;
}

unsigned lh_server_admin_port(const struct lh_server *s)
{
    return s->admin_port;
}

size_t lh_server_stop(struct lh_server *s, double grace)
{
    if (s->stopped) {
        return 0;
    }
    atomic_store(&s->draining, true);
    if (s->d) {
        s->quiesced[0] = s->mhd->quiesce_daemon(s->d);
        /* libmicrohttpd's threads may still hold the descriptor, so it is closed only after
         * the stop; shutting it down now makes new clients get a reset instead of waiting
         * in the backlog of a socket nobody accepts from any more */
        if (s->quiesced[0] != MHD_INVALID_SOCKET) {
            shutdown(s->quiesced[0], SHUT_RDWR);
        }
    }
    double deadline = lh_clock_now() + grace;
    while (atomic_load(&s->in_flight) > 0 && lh_clock_now() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    size_t left = atomic_load(&s->in_flight);
    if (s->admin) {
        s->quiesced[1] = s->mhd->quiesce_daemon(s->admin);
    }
    if (s->d) {
        s->mhd->stop_daemon(s->d);
        s->d = NULL;
    }
    if (s->admin) {
        s->mhd->stop_daemon(s->admin);
        s->admin = NULL;
    }
    for (int i = 0; i < 2; i++) {
        if (s->quiesced[i] != MHD_INVALID_SOCKET) {
            close(s->quiesced[i]);
            s->quiesced[i] = MHD_INVALID_SOCKET;
        }
    }
    s->stopped = true;
    return left;
}

void lh_server_free(struct lh_server *s)
{
    if (!s) {
        return;
    }
    (void)lh_server_stop(s, 0);
    lh_guard_free(s->guard);
    lh_buf_dispose(&s->cert);
    lh_buf_wipe(&s->key);
    pthread_mutex_destroy(&s->log_lock);
    free(s->path);
    free(s);
}
