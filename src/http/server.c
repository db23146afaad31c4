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
 * server starts (not linked); each server keeps the table for its callbacks. This file
 * listens, starts and stops the daemons; the request callbacks are server_request.c.
 */
#include "http/guard.h"
#include "http/libmhd.h"
#include "http/server_int.h"
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
#define LISTEN_BACKLOG 1024u
#define DEFAULT_HEADER_TIMEOUT 10.0
#define DEFAULT_REQUEST_TIMEOUT 30.0
#define DEFAULT_BODY_BUDGET (64u * 1024u * 1024u)
/* libmicrohttpd's own limit leaves room for connections the guard has shut down but the
 * event loop has not closed yet; the guard enforces max_connections */
#define MHD_LIMIT_FACTOR 2
/* allocations from this size up (request bodies) get their own mapping; see start */
#define BODY_MMAP_THRESHOLD (128 * 1024)

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
    *out = s->mhd->start_daemon(
        flags, 0, NULL, NULL, lh_server_on_request, l, MHD_OPTION_EXTERNAL_LOGGER,
        lh_server_on_mhd_log, s, MHD_OPTION_NOTIFY_COMPLETED, lh_server_on_completed, l,
        MHD_OPTION_NOTIFY_CONNECTION, l->admin ? NULL : lh_server_on_connection, s,
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
