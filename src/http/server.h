/* SPDX-License-Identifier: MIT */
/*
 * The HTTP(S) server of `leakhound serve` on libmicrohttpd: an epoll thread pool serving
 * POST <path> (an application behind struct lh_server_app: the partner endpoint of
 * partner/handler.h), GET /healthz and GET /metrics,
 * with a body cap, a per-address connection limit, an idle timeout, and the connection
 * guard of http/guard.h (header and request deadlines, slot eviction, a global budget
 * of buffered body bytes) against slow or hostile clients. A partner request whose key
 * identifier is unknown, or whose declared body does not fit the budget, is answered
 * before its body is read. /healthz answers 503 {"status":"saturated"} while connections
 * or bodies are being refused for lack of room, and reports the numbers. TLS through
 * libmicrohttpd's GnuTLS backend when a certificate and key are given, and one
 * structured access-log line per request. An optional admin listener serves only
 * /healthz and /metrics on its own small thread and connection budget, so health checks
 * keep answering while the public port is saturated. Stopping is graceful: the
 * listeners close first, requests already received are finished (bounded by a grace
 * period), then the daemons stop. It does not handle signals or run background work:
 * the caller (cli/cmd_serve.c) decides when to stop.
 */
#ifndef LH_HTTP_SERVER_H
#define LH_HTTP_SERVER_H

#include "http/metrics.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Returns the value of request header `name` (matched case-insensitively) as a
 * NUL-terminated string borrowed until the request ends, or NULL when absent.
 */
typedef const char *(*lh_header_fn)(const char *name, void *payload);

/* The application's answer to one request on the POST route. */
struct lh_server_result {
    int status;           /* HTTP status */
    struct lh_buf body;   /* response body (JSON), may hold secrets: dispose wipes */
    const char *reporter; /* who sent the request (access log), or NULL; borrowed, static */
    const char *error;    /* static reason for a 4xx/5xx ("bad_signature"), or NULL */
    size_t tokens;        /* counts for the access log */
    size_t true_positives;
    size_t false_positives;
    size_t queued;
};

void lh_server_result_init(struct lh_server_result *r);
/* Wipes and frees the body. */
void lh_server_result_dispose(struct lh_server_result *r);

/*
 * The application behind POST <path>. Both functions are called from the server's
 * threads concurrently, get the headers through `get(name, headers)` and always fill
 * *out. precheck sees only the headers and returns true when the body is worth reading
 * (false: *out is the early answer); post gets the complete body (at most max_body bytes).
 */
struct lh_server_app {
    size_t max_body;
    bool (*precheck)(void *payload, lh_header_fn get, void *headers, struct lh_server_result *out);
    void (*post)(void *payload, lh_header_fn get, void *headers, const uint8_t *body, size_t len,
                 struct lh_server_result *out);
    void *payload; /* borrowed */
};

struct lh_server_opts {
    const char *listen;       /* "host:port" or "[v6]:port"; port 0 picks a free one */
    const char *admin_listen; /* optional second listener for /healthz and /metrics */
    const char *path;         /* the partner endpoint path (default /github/secret-scanning) */
    const char *tls_cert;     /* PEM file; with tls_key enables HTTPS (both or neither) */
    const char *tls_key;
    size_t max_connections;        /* public listener (0: 1000) */
    size_t max_connections_per_ip; /* public listener, per client address (0: no limit) */
    unsigned timeout;              /* idle seconds before a connection is closed (0: 30) */
    double header_timeout;         /* seconds from accept or the previous answer to the end of the
                                      request headers (0: 10) */
    double request_timeout;        /* seconds from accept or the previous answer until the answer
                                      is sent (0: 30); header_timeout is cut to it */
    size_t body_budget;            /* request body bytes buffered at once over all connections
                                      (0: 64 MiB; raised to the body cap when smaller) */
    unsigned threads;              /* thread pool size (0: 4) */
    struct lh_server_app app;      /* the POST route (max_body > 0; payload borrowed) */
    struct lh_metrics *metrics;    /* borrowed; may be NULL */
    int log_fd;                    /* access log destination; -1: none */
};

struct lh_server;

/*
 * Starts the listeners and their threads, loading libmicrohttpd first (http/libmhd.h).
 * Copies what it needs from opts; the app's payload and metrics are borrowed until
 * lh_server_free. Returns 0, LH_EINVAL (bad address, only one of cert/key, TLS
 * unsupported), LH_EIO (libmicrohttpd cannot be loaded, certificate files, bind failure),
 * LH_ENOMEM; the message names the library, the address or the file.
 */
int lh_server_start(struct lh_server **out, const struct lh_server_opts *opts) LH_WUR;

/* The bound port of the public listener (useful with port 0). */
unsigned lh_server_port(const struct lh_server *s);

/* The bound port of the admin listener, or 0 when there is none. */
unsigned lh_server_admin_port(const struct lh_server *s);

/*
 * Stops gracefully: closes the listeners (new connections are refused), lets requests
 * already received finish for up to `grace` seconds (their answers carry
 * `Connection: close`; /healthz answers 503 meanwhile), then stops the daemons. Returns
 * the number of requests still unfinished when the grace period ended (0 normally).
 * Call once, from a thread that is not a server thread.
 */
size_t lh_server_stop(struct lh_server *s, double grace);

/* Stops (with no grace if not stopped yet) and frees; NULL is a no-op. */
void lh_server_free(struct lh_server *s);

#endif
