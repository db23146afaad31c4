/* SPDX-License-Identifier: MIT */
/*
 * Connection guard; see guard.h. The registered connections form one list ordered by the
 * start of their current request (a connection whose answer was sent moves to the tail),
 * so the oldest request is at the head: eviction takes the first evictable entry and
 * the watchdog stops at the first entry whose earliest deadline is still ahead. One
 * mutex guards the list and the counters; every operation under it is O(1) apart from
 * those walks, which only pass entries being answered or already shut down.
 */
#include "http/guard.h"

#include "util/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define WATCH_INTERVAL_NS (100 * 1000 * 1000)
#define SATURATION_HOLD 5.0
/* every this many sweeps (1 s), receiving connections are checked for a client that left */
#define PEEK_EVERY 10

enum phase { P_HEADERS, P_BODY, P_ANSWER };

enum closed { C_HEADER_TIMEOUT, C_REQUEST_TIMEOUT, C_EVICTED, C_REFUSED, C_CLIENT_CLOSED, C_N };

static const char *const closed_names[C_N] = {"header_timeout", "request_timeout", "evicted",
                                              "refused", "client_closed"};

struct lh_guard_conn {
    struct lh_guard_conn *prev;
    struct lh_guard_conn *next;
    int fd;
    double start; /* of the current request */
    enum phase phase;
    bool shut;
    bool served;     /* an answer was sent on it */
    enum closed why; /* when shut */
    size_t reserved;
};

struct lh_guard {
    struct lh_guard_opts o;
    pthread_mutex_t lock; /* guards everything below */
    struct lh_guard_conn *head;
    struct lh_guard_conn *tail;
    size_t n;     /* registered */
    size_t nshut; /* registered and shut down */
    size_t reserved;
    double saturated_until;
    unsigned long long closed[C_N];
    unsigned long long budget_refusals;
    pthread_t watchdog;
    atomic_bool stop;
};

static void unlink_conn(struct lh_guard *g, struct lh_guard_conn *c)
{
    if (c->prev) {
        c->prev->next = c->next;
    } else {
        g->head = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    } else {
        g->tail = c->prev;
    }
    c->prev = c->next = NULL;
}

static void append_conn(struct lh_guard *g, struct lh_guard_conn *c)
{
    c->prev = g->tail;
    c->next = NULL;
    if (g->tail) {
        g->tail->next = c;
    } else {
        g->head = c;
    }
    g->tail = c;
}

/* Under the lock: the descriptor is still open (see the invariant in guard.h). */
static void shut(struct lh_guard *g, struct lh_guard_conn *c, enum closed why)
{
    if (c->shut) {
        return;
    }
    shutdown(c->fd, SHUT_RDWR);
    c->shut = true;
    c->why = why;
    g->nshut++;
    g->closed[why]++;
}

/*
 * The oldest connection still receiving (a body only, with `body`), other than `except`;
 * one that has had no answer yet before a keep-alive connection that has, so that a flood
 * of new connections does not close the connections of a client that is being served.
 */
static struct lh_guard_conn *oldest_receiving(struct lh_guard *g, bool body,
                                              const struct lh_guard_conn *except)
{
    struct lh_guard_conn *served = NULL;
    for (struct lh_guard_conn *c = g->head; c; c = c->next) {
        if (c->shut || c == except || c->phase == P_ANSWER) {
            continue;
        }
        if (body && (c->phase != P_BODY || c->reserved == 0)) {
            continue;
        }
        if (!c->served) {
            return c;
        }
        served = served ? served : c;
    }
    return served;
}

/*
 * Whether the client has closed its side: the end of the stream is all that is left to
 * read. libmicrohttpd 0.9.75 (epoll, edge-triggered) takes a short read for "drained" and
 * so can miss an end of stream that arrived with the last bytes, holding the connection
 * in CLOSE-WAIT until the idle timeout; shutting it down raises a new event.
 */
static bool client_left(const struct lh_guard_conn *c)
{
    char byte;
    return recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

static void sweep(struct lh_guard *g, bool peek)
{
    double now = lh_clock_now();
    pthread_mutex_lock(&g->lock);
    for (struct lh_guard_conn *c = g->head; peek && c; c = c->next) {
        if (!c->shut && c->phase != P_ANSWER && client_left(c)) {
            shut(g, c, C_CLIENT_CLOSED);
        }
    }
    for (struct lh_guard_conn *c = g->head; c; c = c->next) {
        if (c->start + g->o.header_timeout > now) {
            break; /* ordered by start; header_timeout is the shorter deadline */
        }
        if (c->phase == P_HEADERS) {
            shut(g, c, C_HEADER_TIMEOUT);
        } else if (c->start + g->o.request_timeout <= now) {
            shut(g, c, C_REQUEST_TIMEOUT);
        }
    }
    pthread_mutex_unlock(&g->lock);
}

static void *watch(void *arg)
{
    struct lh_guard *g = arg;
    for (unsigned n = 1; !atomic_load(&g->stop); n++) {
        struct timespec ts = {0, WATCH_INTERVAL_NS};
        nanosleep(&ts, NULL);
        sweep(g, n % PEEK_EVERY == 0);
    }
    return NULL;
}

int lh_guard_new(struct lh_guard **out, const struct lh_guard_opts *o)
{
    LH_ASSERT(o && o->max_connections > 0 && o->body_budget > 0);
    *out = NULL;
    if (!(o->header_timeout > 0) || o->request_timeout < o->header_timeout) {
        lh_error_set("the header timeout (%g s) must be positive and at most the request "
                     "timeout (%g s)",
                     o->header_timeout, o->request_timeout);
        return LH_EINVAL;
    }
    struct lh_guard *g = calloc(1, sizeof(*g));
    if (!g) {
        return lh_error_oom();
    }
    g->o = *o;
    pthread_mutex_init(&g->lock, NULL);
    atomic_init(&g->stop, false);
    int e = pthread_create(&g->watchdog, NULL, watch, g);
    if (e != 0) {
        pthread_mutex_destroy(&g->lock);
        free(g);
        lh_error_set("cannot start the connection watchdog: %s", strerror(e));
        return LH_EIO;
    }
    *out = g;
    return 0;
}

void lh_guard_free(struct lh_guard *g)
{
    if (!g) {
        return;
    }
    atomic_store(&g->stop, true);
    pthread_join(g->watchdog, NULL);
    LH_ASSERT(g->head == NULL);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

int lh_guard_add(struct lh_guard *g, struct lh_guard_conn **out, int fd)
{
    *out = NULL;
    struct lh_guard_conn *c = calloc(1, sizeof(*c));
    double now = lh_clock_now();
    pthread_mutex_lock(&g->lock);
    if (!c) {
        shutdown(fd, SHUT_RDWR);
        pthread_mutex_unlock(&g->lock);
        return lh_error_oom();
    }
    if (g->n - g->nshut >= g->o.max_connections) {
        struct lh_guard_conn *victim = oldest_receiving(g, false, NULL);
        if (!victim) {
            shutdown(fd, SHUT_RDWR);
            g->closed[C_REFUSED]++;
            g->saturated_until = now + SATURATION_HOLD;
            pthread_mutex_unlock(&g->lock);
            free(c);
            return 0;
        }
        shut(g, victim, C_EVICTED);
    }
    c->fd = fd;
    c->start = now;
    c->phase = P_HEADERS;
    append_conn(g, c);
    g->n++;
    pthread_mutex_unlock(&g->lock);
    *out = c;
    return 0;
}

void lh_guard_remove(struct lh_guard *g, struct lh_guard_conn *c)
{
    if (!c) {
        return;
    }
    pthread_mutex_lock(&g->lock);
    unlink_conn(g, c);
    g->n--;
    if (c->shut) {
        g->nshut--;
    }
    g->reserved -= c->reserved;
    pthread_mutex_unlock(&g->lock);
    free(c);
}

static void set_phase(struct lh_guard *g, struct lh_guard_conn *c, enum phase p)
{
    if (!c) {
        return;
    }
    pthread_mutex_lock(&g->lock);
    c->phase = p;
    pthread_mutex_unlock(&g->lock);
}

void lh_guard_headers_done(struct lh_guard *g, struct lh_guard_conn *c)
{
    set_phase(g, c, P_BODY);
}

void lh_guard_answering(struct lh_guard *g, struct lh_guard_conn *c)
{
    set_phase(g, c, P_ANSWER);
}

void lh_guard_request_done(struct lh_guard *g, struct lh_guard_conn *c)
{
    if (!c) {
        return;
    }
    pthread_mutex_lock(&g->lock);
    g->reserved -= c->reserved;
    c->reserved = 0;
    c->phase = P_HEADERS;
    c->served = true;
    c->start = lh_clock_now();
    unlink_conn(g, c);
    append_conn(g, c);
    if (client_left(c)) {
        shut(g, c, C_CLIENT_CLOSED);
    }
    pthread_mutex_unlock(&g->lock);
}

bool lh_guard_body_reserve(struct lh_guard *g, struct lh_guard_conn *c, size_t total)
{
    if (!c) {
        return true;
    }
    bool ok = true;
    pthread_mutex_lock(&g->lock);
    if (total > c->reserved) {
        size_t more = total - c->reserved;
        ok = more <= g->o.body_budget - g->reserved;
        if (ok) {
            g->reserved += more;
            c->reserved = total;
        } else {
            g->budget_refusals++;
            g->saturated_until = lh_clock_now() + SATURATION_HOLD;
            struct lh_guard_conn *victim = oldest_receiving(g, true, c);
            if (victim) {
                shut(g, victim, C_EVICTED);
            }
        }
    }
    pthread_mutex_unlock(&g->lock);
    return ok;
}

void lh_guard_body_release(struct lh_guard *g, struct lh_guard_conn *c)
{
    if (!c) {
        return;
    }
    pthread_mutex_lock(&g->lock);
    g->reserved -= c->reserved;
    c->reserved = 0;
    pthread_mutex_unlock(&g->lock);
}

const char *lh_guard_reason(struct lh_guard *g, struct lh_guard_conn *c)
{
    if (!c) {
        return NULL;
    }
    pthread_mutex_lock(&g->lock);
    const char *why = c->shut ? closed_names[c->why] : NULL;
    pthread_mutex_unlock(&g->lock);
    return why;
}

void lh_guard_stats(struct lh_guard *g, struct lh_guard_stats *out)
{
    double now = lh_clock_now();
    pthread_mutex_lock(&g->lock);
    out->connections = g->n - g->nshut;
    out->max_connections = g->o.max_connections;
    out->body_bytes = g->reserved;
    out->body_budget = g->o.body_budget;
    /* a refusal in the last seconds, or a budget so full that the next body may not fit */
    out->saturated =
        now < g->saturated_until || g->reserved > g->o.body_budget - g->o.body_budget / 10;
    pthread_mutex_unlock(&g->lock);
}

int lh_guard_render(struct lh_guard *g, struct lh_buf *b)
{
    static const char cl[] = "leakhound_serve_connections_closed_total";
    unsigned long long closed[C_N];
    unsigned long long refusals = 0;
    struct lh_guard_stats st;
    lh_guard_stats(g, &st);
    pthread_mutex_lock(&g->lock);
    for (size_t i = 0; i < C_N; i++) {
        closed[i] = g->closed[i];
    }
    refusals = g->budget_refusals;
    pthread_mutex_unlock(&g->lock);
    int rc = lh_buf_printf(b,
                           "# HELP leakhound_serve_connections Open connections of the public "
                           "listener.\n# TYPE leakhound_serve_connections gauge\n"
                           "leakhound_serve_connections %zu\n"
                           "# HELP leakhound_serve_connection_slots Connection slots of the "
                           "public listener.\n# TYPE leakhound_serve_connection_slots gauge\n"
                           "leakhound_serve_connection_slots %zu\n"
                           "# HELP leakhound_serve_body_bytes Request body bytes held.\n"
                           "# TYPE leakhound_serve_body_bytes gauge\n"
                           "leakhound_serve_body_bytes %zu\n"
                           "# HELP leakhound_serve_body_budget_bytes Most request body bytes "
                           "held at once.\n# TYPE leakhound_serve_body_budget_bytes gauge\n"
                           "leakhound_serve_body_budget_bytes %zu\n"
                           "# HELP leakhound_serve_body_budget_refusals_total Requests answered "
                           "503 because the body budget was spent.\n"
                           "# TYPE leakhound_serve_body_budget_refusals_total counter\n"
                           "leakhound_serve_body_budget_refusals_total %llu\n"
                           "# HELP %s Connections closed by the server's guard, by reason.\n"
                           "# TYPE %s counter\n",
                           st.connections, st.max_connections, st.body_bytes, st.body_budget,
                           refusals, cl, cl);
    for (size_t i = 0; rc == 0 && i < C_N; i++) {
        rc = lh_buf_printf(b, "%s{reason=\"%s\"} %llu\n", cl, closed_names[i], closed[i]);
    }
    return rc;
}
