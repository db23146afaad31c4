/* SPDX-License-Identifier: MIT */
/*
 * The connection guard on socket pairs: the guard holds one end, the test watches the
 * other for the end of stream that a shutdown(2) by the guard produces.
 */
#include "http/guard.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

struct pair {
    int mine; /* the guard's end */
    int peer; /* the client's end */
    struct lh_guard_conn *c;
};

static void pair_open(struct pair *p)
{
    int fds[2];
    cr_assert(eq(int, socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0));
    p->mine = fds[0];
    p->peer = fds[1];
    p->c = NULL;
}

/* Opens a pair and registers its guard end, which must be admitted. */
static void pair_add(struct lh_guard *g, struct pair *p)
{
    pair_open(p);
    cr_assert(eq(int, lh_guard_add(g, &p->c, p->mine), 0));
    cr_assert(p->c != NULL);
}

static void pair_close(struct lh_guard *g, struct pair *p)
{
    lh_guard_remove(g, p->c);
    close(p->mine);
    close(p->peer);
}

/* Whether the guard shut the connection down: the peer sees the end of the stream. */
static bool shut_down(const struct pair *p, int ms)
{
    struct pollfd pf = {p->peer, POLLIN, 0};
    if (poll(&pf, 1, ms) != 1) {
        return false;
    }
    char c;
    return recv(p->peer, &c, 1, MSG_DONTWAIT) == 0;
}

static struct lh_guard *guard(size_t slots, double header, double request, size_t budget)
{
    struct lh_guard_opts o = {slots, header, request, budget};
    struct lh_guard *g = NULL;
    cr_assert(eq(int, lh_guard_new(&g, &o), 0));
    return g;
}

Test(guard, a_full_table_evicts_the_longest_receiving_connection)
{
    struct lh_guard *g = guard(2, 10, 20, 1000);
    struct pair a, b, c, d;
    pair_add(g, &a);
    pair_add(g, &b);
    lh_guard_answering(g, a.c); /* a is being answered: never evicted */
    pair_add(g, &c);
    pair_open(&d);
    cr_assert(shut_down(&b, 200), "the receiving connection was not evicted");
    cr_assert(not(shut_down(&a, 50)), "the connection being answered was evicted");
    lh_guard_answering(g, c.c);
    /* every slot is answering: the newcomer is refused */
    cr_assert(eq(int, lh_guard_add(g, &d.c, d.mine), 0));
    cr_assert(d.c == NULL);
    cr_assert(shut_down(&d, 200));
    struct lh_guard_stats st;
    lh_guard_stats(g, &st);
    cr_assert(eq(sz, st.connections, 2));
    cr_assert(st.saturated);
    struct lh_buf b2;
    lh_buf_init(&b2, 0);
    cr_assert(eq(int, lh_guard_render(g, &b2), 0));
    cr_assert(strstr(b2.ptr, "leakhound_serve_connections_closed_total{reason=\"evicted\"} 1\n") !=
              NULL);
    cr_assert(strstr(b2.ptr, "leakhound_serve_connections_closed_total{reason=\"refused\"} 1\n") !=
              NULL);
    lh_buf_dispose(&b2);
    pair_close(g, &a);
    pair_close(g, &b);
    pair_close(g, &c);
    pair_close(g, &d);
    lh_guard_free(g);
}

Test(guard, a_served_keep_alive_connection_goes_after_new_ones)
{
    struct lh_guard *g = guard(2, 10, 20, 1000);
    struct pair kept, fresh, newcomer;
    pair_add(g, &kept);
    lh_guard_request_done(g, kept.c); /* answered once; now waits for its next request */
    pair_add(g, &fresh);
    pair_add(g, &newcomer); /* the table is full: the fresh one goes, though it is newer */
    cr_assert(shut_down(&fresh, 200));
    cr_assert(not(shut_down(&kept, 50)));
    pair_close(g, &kept);
    pair_close(g, &fresh);
    pair_close(g, &newcomer);
    lh_guard_free(g);
}

Test(guard, header_and_request_deadlines_are_not_idle_timeouts)
{
    struct lh_guard *g = guard(10, 0.3, 0.9, 1000);
    struct pair slow, fast;
    pair_add(g, &slow);
    pair_add(g, &fast);
    lh_guard_headers_done(g, fast.c);
    /* the slow client keeps sending; activity does not extend its deadline */
    for (int i = 0; i < 5; i++) {
        cr_assert(eq(long, (long)send(slow.peer, "X", 1, MSG_NOSIGNAL), 1L));
        usleep(60 * 1000);
    }
    cr_assert(shut_down(&slow, 500), "headers past their deadline");
    cr_assert(not(shut_down(&fast, 0)), "complete headers closed at the header deadline");
    cr_assert(shut_down(&fast, 1000), "request past its deadline");
    pair_close(g, &slow);
    pair_close(g, &fast);
    lh_guard_free(g);
}

Test(guard, the_body_budget_refuses_and_evicts_the_oldest_body)
{
    struct lh_guard *g = guard(10, 10, 20, 100);
    struct pair a, b;
    pair_add(g, &a);
    pair_add(g, &b);
    lh_guard_headers_done(g, a.c);
    lh_guard_headers_done(g, b.c);
    cr_assert(lh_guard_body_reserve(g, a.c, 60));
    cr_assert(lh_guard_body_reserve(g, a.c, 40)); /* already held */
    cr_assert(not(lh_guard_body_reserve(g, b.c, 50)));
    cr_assert(shut_down(&a, 200), "the oldest body was not evicted");
    struct lh_guard_stats st;
    lh_guard_stats(g, &st);
    cr_assert(eq(sz, st.body_bytes, 60));
    cr_assert(st.saturated);
    lh_guard_body_release(g, a.c);
    cr_assert(lh_guard_body_reserve(g, b.c, 100));
    lh_guard_request_done(g, b.c); /* releases */
    lh_guard_stats(g, &st);
    cr_assert(eq(sz, st.body_bytes, 0));
    pair_close(g, &a);
    pair_close(g, &b);
    lh_guard_free(g);
}

Test(guard, a_client_that_closed_its_side_is_closed_after_its_answer)
{
    struct lh_guard *g = guard(10, 10, 20, 100);
    struct pair a, b;
    pair_add(g, &a);
    pair_add(g, &b);
    shutdown(a.peer, SHUT_WR);
    lh_guard_request_done(g, a.c);
    lh_guard_request_done(g, b.c);
    cr_assert(shut_down(&a, 200));
    cr_assert(not(shut_down(&b, 50)), "a keep-alive client was closed");
    /* a waiting client that leaves is noticed by the watchdog within a second or so */
    shutdown(b.peer, SHUT_WR);
    cr_assert(shut_down(&b, 2000));
    pair_close(g, &a);
    pair_close(g, &b);
    lh_guard_free(g);
}

Test(guard, rejects_a_header_timeout_longer_than_the_request_timeout)
{
    struct lh_guard_opts o = {10, 30, 10, 100};
    struct lh_guard *g = NULL;
    cr_assert(eq(int, lh_guard_new(&g, &o), LH_EINVAL));
    cr_assert(g == NULL);
}
