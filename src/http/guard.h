/* SPDX-License-Identifier: MIT */
/*
 * The connection guard of the partner endpoint: deadlines, slots and the body budget,
 * enforced on socket descriptors so that it needs nothing from libmicrohttpd, whose own
 * connection timeout is only an idle timeout.
 *
 * Each accepted connection is registered with its descriptor. A request's clock starts
 * when the connection is accepted or when the previous answer on it was sent: its
 * headers must be complete within `header_timeout` and the answer sent within
 * `request_timeout`. A watchdog thread shuts down (shutdown(2), SHUT_RDWR) every
 * connection past its deadline; the server's event loop then sees the end of the stream
 * and closes it. When all slots are taken, a new connection takes the slot of the
 * connection that has been receiving its request for longest (headers or body; an
 * answer being computed or sent is never evicted; a connection that has had no answer
 * yet goes before a keep-alive one that has), so clients that trickle bytes cannot keep
 * out one that sends its request at once; only when every slot is answering is the
 * new connection refused. Request bodies reserve bytes of one global budget before they
 * are buffered; a reservation that does not fit is refused, and the connection that has
 * been receiving a body for longest is evicted so that a later request fits.
 *
 * Invariant: a descriptor is shut down only while its connection is registered, under
 * the guard's lock, and the caller unregisters a connection before closing its
 * descriptor, so a descriptor number reused by another connection is never touched.
 * It deliberately does not read or write the sockets (apart from a MSG_PEEK to see
 * whether a client has closed its side, which libmicrohttpd 0.9.75 can miss) and does not
 * parse HTTP.
 */
#ifndef LH_HTTP_GUARD_H
#define LH_HTTP_GUARD_H

#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

struct lh_guard_opts {
    size_t max_connections; /* slots, at least 1 */
    double header_timeout;  /* seconds, > 0 */
    double request_timeout; /* seconds, >= header_timeout */
    size_t body_budget;     /* bytes of request bodies held at once, at least 1 */
};

struct lh_guard;
struct lh_guard_conn;

/*
 * Creates a guard and starts its watchdog thread. Copies opts. Returns 0, LH_EINVAL
 * (message: inconsistent timeouts), LH_ENOMEM or LH_EIO (thread). Free with lh_guard_free.
 */
int lh_guard_new(struct lh_guard **out, const struct lh_guard_opts *opts) LH_WUR;

/* Stops the watchdog and frees; every connection must have been removed. NULL: no-op. */
void lh_guard_free(struct lh_guard *g);

/*
 * Registers a newly accepted connection on descriptor fd, evicting the longest-receiving
 * connection when all slots are taken. When no slot can be freed the new connection is
 * shut down and *out is NULL (counted as refused). Returns 0 or LH_ENOMEM (the
 * connection is then shut down as well). *out stays owned by the guard until
 * lh_guard_remove. Thread-safe.
 */
int lh_guard_add(struct lh_guard *g, struct lh_guard_conn **out, int fd) LH_WUR;

/* Unregisters c (NULL: no-op) and releases its body reservation; call before fd closes. */
void lh_guard_remove(struct lh_guard *g, struct lh_guard_conn *c);

/* The request's headers are complete: from now on its body is being received. */
void lh_guard_headers_done(struct lh_guard *g, struct lh_guard_conn *c);

/* The request is being answered: c can no longer be evicted (deadlines still apply). */
void lh_guard_answering(struct lh_guard *g, struct lh_guard_conn *c);

/*
 * The answer was sent (or the request ended): releases the body reservation and starts
 * the next request's clock. A client that has already closed its side of the connection
 * sends no further request, so its connection is shut down now rather than at the idle
 * timeout (the watchdog also checks waiting connections for this once a second).
 * Thread-safe, as are all the per-connection calls (c may be NULL: no-op).
 */
void lh_guard_request_done(struct lh_guard *g, struct lh_guard_conn *c);

/*
 * Makes c hold at least `total` bytes of the body budget. Returns false, holding what it
 * held before, when that does not fit (the caller answers 503); the connection that has
 * been receiving a body for longest is then evicted to make room for later requests.
 */
bool lh_guard_body_reserve(struct lh_guard *g, struct lh_guard_conn *c, size_t total) LH_WUR;

/* Gives c's whole reservation back (its body buffer was freed). */
void lh_guard_body_release(struct lh_guard *g, struct lh_guard_conn *c);

/*
 * Why the guard shut c down ("header_timeout", "request_timeout", "evicted", "refused",
 * "client_closed"; static), or NULL when it did not (or c is NULL). Thread-safe.
 */
const char *lh_guard_reason(struct lh_guard *g, struct lh_guard_conn *c);

struct lh_guard_stats {
    size_t connections;     /* registered and not shut down */
    size_t max_connections; /* slots */
    size_t body_bytes;      /* reserved */
    size_t body_budget;
    bool saturated; /* a connection or a body was refused for lack of room in the last
                       5 s, or more than 90% of the body budget is held */
};

/* A consistent snapshot. Thread-safe. */
void lh_guard_stats(struct lh_guard *g, struct lh_guard_stats *out);

/*
 * Appends the guard's Prometheus samples (connections, slots, body bytes and budget,
 * connections closed by reason, refused bodies) to b. Returns 0 or the buffer's error.
 */
int lh_guard_render(struct lh_guard *g, struct lh_buf *b) LH_WUR;

#endif
