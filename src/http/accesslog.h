/* SPDX-License-Identifier: MIT */
/*
 * The structured log of `leakhound serve`: one JSON object per line (JSON Lines) with a
 * UTC timestamp, written with a single write(2) so concurrent lines never interleave.
 * Request lines carry only fixed vocabularies and numbers (method, canonical path, status,
 * sizes, duration, reporter, counts): never a header value, a body byte or a token.
 * Event lines carry a message that callers build from configuration and library errors,
 * never from request content. Write errors are ignored (logging must not fail a request).
 */
#ifndef LH_HTTP_ACCESSLOG_H
#define LH_HTTP_ACCESSLOG_H

#include "util/error.h"

#include <stddef.h>

struct lh_accesslog_entry {
    const char *method;      /* canonical: GET HEAD POST ... or OTHER */
    const char *path;        /* canonical route: the endpoint path, /healthz, or "other" */
    const char *remote;      /* client IP address text, or NULL */
    int status;              /* 0 when no answer was sent */
    const char *termination; /* "completed", "timeout", "aborted", ... */
    size_t bytes_in;
    size_t bytes_out;
    double seconds;
    const char *reporter; /* or NULL */
    const char *error;    /* static reason, or NULL */
    size_t tokens;
    size_t true_positives;
    size_t false_positives;
    size_t queued;
};

/* Writes one "request" line to fd (-1: nothing). Thread-safe. */
void lh_accesslog_request(int fd, const struct lh_accesslog_entry *e);

/*
 * Writes one event line {"ts","level","event","msg"} to fd (-1: nothing); `level` and
 * `event` are static words, msg is formatted and JSON-escaped. Thread-safe.
 */
void lh_accesslog_event(int fd, const char *level, const char *event, const char *fmt, ...)
    LH_PRINTF(4, 5);

/*
 * Writes the "listening" event: scheme (http/https), the listen address as configured,
 * the bound port (useful with port 0), the endpoint path and the admin listener's port
 * (0: none). Thread-safe.
 */
void lh_accesslog_listening(int fd, const char *scheme, const char *addr, unsigned port,
                            const char *path, unsigned admin_port);

#endif
