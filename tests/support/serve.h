/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the partner-endpoint tests: an EC P-256 key pair made in the test and its
 * GitHub-style key list, request signing (base64 DER, as GitHub does), a libcurl client,
 * starting the real `leakhound serve` on 127.0.0.1 with port 0 and reading the bound port
 * from its structured log, and small in-process HTTP receivers (libmicrohttpd) standing in
 * for the revocation webhook and for the key-list URL. Every wait is bounded.
 */
#ifndef LH_TEST_SUPPORT_SERVE_H
#define LH_TEST_SUPPORT_SERVE_H

#include "support/support.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* One P-256 key pair; `id` is the SHA-256 of `pem`, as GitHub's identifiers are. */
struct th_key {
    EVP_PKEY *pk;
    char *pem;
    char id[65];
};

void th_key_new(struct th_key *k);
void th_key_free(struct th_key *k);

/* {"public_keys":[...]} for n keys (the first is_current). Heap. */
char *th_keys_json(const struct th_key *keys, size_t n);

/* Writes dir/keys.json: the key list of k alone. */
void th_write_keys(const char *dir, const struct th_key *k);

/* Base64 of the DER ECDSA-SHA256 signature of body[0..len). Heap. */
char *th_sign(const struct th_key *k, const void *body, size_t len);

/* A finished HTTP exchange. */
struct th_http {
    long status; /* 0: no answer (connection failed) */
    char *body;
    size_t len;
};

/*
 * POSTs body with extra header lines ("Name: value", NULL-terminated array, may be NULL).
 * cafile (may be NULL) enables TLS verification against it. Bounded by 20 s.
 */
void th_post(struct th_http *r, const char *url, const char *const *headers, const void *body,
             size_t len, const char *cafile);
/* POSTs body signed with k under GitHub's header names (id_override: other identifier). */
void th_post_signed(struct th_http *r, const char *url, const struct th_key *k,
                    const char *id_override, const void *body, size_t len);
void th_get(struct th_http *r, const char *url);
void th_http_dispose(struct th_http *r);

/* The running `leakhound serve`. */
struct th_server {
    struct lh_proc proc;
    int pid; /* as started (proc.pid becomes 0 once reaped) */
    unsigned port;
    unsigned admin_port;
    char base[128];     /* http://127.0.0.1:PORT */
    char endpoint[256]; /* base + /github/secret-scanning */
};

/*
 * Starts LH_BIN serve --listen 127.0.0.1:0 in dir (log in dir/serve.log) with the extra
 * arguments (NULL-terminated), and waits (20 s) for its "listening" line. Returns 0, or
 * -1 with the log printed to stderr.
 */
int th_server_start(struct th_server *s, const char *dir, const char *const *args);

/*
 * SIGTERM, wait (20 s), and return the exit status (-1: had to be killed). *log (optional)
 * receives the whole log (heap). A sanitizer report in the log is printed to stderr, so the
 * test fails through ctest's FAIL_REGULAR_EXPRESSION as well.
 */
int th_server_stop(struct th_server *s, char **log);

/*
 * Kills (SIGKILL) every server started by th_server_start and not stopped yet: call it in
 * each suite's .fini, so a failed assertion never leaves a server running.
 */
void th_server_kill_all(void);

/* The value of one sample ("name{labels}" exactly as rendered) in exposition text; -1. */
long long th_sample(const char *text, const char *name);

/* Reads one sample ("name{labels}" exactly as rendered) from GET /metrics; -1 if absent. */
long long th_metric(const char *base, const char *sample);

/* A tiny HTTP receiver: records POST bodies, answers GET with a settable body. */
struct th_sink {
    void *daemon;
    unsigned port;
    pthread_mutex_t lock;
    char **bodies; /* POST bodies received, in order */
    size_t nbodies;
    size_t gets;     /* GET requests served */
    char *get_body;  /* answer to GET (NULL: 404) */
    char etag[64];   /* sent with GET answers when non-empty; If-None-Match -> 304 */
    int post_status; /* answer to POST (default 200) */
};

void th_sink_start(struct th_sink *s);
void th_sink_set_get(struct th_sink *s, const char *body, const char *etag);
/* Waits up to timeout_ms until at least n POST bodies arrived; returns the count. */
size_t th_sink_wait(struct th_sink *s, size_t n, int timeout_ms);
size_t th_sink_gets(struct th_sink *s);
void th_sink_stop(struct th_sink *s);

/*
 * A TCP connection to 127.0.0.1:port from the loopback address `src` (NULL: any; e.g.
 * "127.0.0.2" to look like another client). Blocking ones get 10 s send and receive
 * timeouts. Returns the descriptor or -1.
 */
int th_dial_from(const char *src, unsigned port, bool nonblock);
int th_dial(unsigned port, bool nonblock);
/* Sends all of buf, or stops at the first error. */
void th_send_all(int fd, const void *buf, size_t len);

/* The server process's /proc/<pid>/status field ("VmHWM", "VmRSS") in KiB; -1 if absent. */
long th_proc_status_kib(int pid, const char *field);

#endif
