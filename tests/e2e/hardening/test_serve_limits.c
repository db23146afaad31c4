/* SPDX-License-Identifier: MIT */
/*
 * The partner endpoint's input limits (issue #9), against the real `leakhound serve`:
 * a body over --max-body is refused with 413 (declared) or the connection is dropped
 * (chunked, endless); a header block over libmicrohttpd's 32 KiB per-connection memory
 * is refused with 431; a client that drips its body one byte at a time under the idle
 * timeout is cut off at the request deadline (issue 15: --request-timeout, no longer
 * twice the idle timeout); the admin endpoints keep answering.
 */
#include "support/measure.h"
#include "support/serve.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static char *dir;

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void teardown(void)
{
    th_server_kill_all();
    lh_rmtree(dir);
    free(dir);
}

TestSuite(serve_limits, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

static int connect_to(int port)
{
    int fd = th_dial((unsigned)port, false);
    cr_assert(fd >= 0);
    return fd;
}

/* Sends req, returns the HTTP status of the answer (0: connection closed, no answer). */
static int exchange(int port, const char *req, size_t len)
{
    int fd = connect_to(port);
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(fd, req + off, len - off, 0);
        if (n <= 0) {
            break;
        }
        off += (size_t)n;
    }
    char buf[256] = {0};
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
    close(fd);
    int status = 0;
    if (n > 12 && sscanf(buf, "HTTP/1.%*d %d", &status) != 1) {
        status = 0;
    }
    return status;
}

Test(serve_limits, body_header_and_time_limits)
{
    struct th_key key;
    th_key_new(&key);
    th_write_keys(dir, &key);
    const char *args[] = {
        "--no-config", "--github-keys",     "keys.json", "--max-body", "1K", "--timeout",
        "1",           "--request-timeout", "2",         NULL};
    struct th_server srv;
    cr_assert(eq(int, th_server_start(&srv, dir, args), 0), "serve did not start");
    int port = (int)srv.port;
    char req[70000];
    /* a declared body over the cap */
    int n = snprintf(req, sizeof(req),
                     "POST /github/secret-scanning HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
                     "Github-Public-Key-Identifier: %s\r\nGithub-Public-Key-Signature: x\r\n\r\n",
                     key.id);
    cr_assert(eq(int, exchange(port, req, (size_t)n), 413));
    /* 64 KiB of headers */
    n = snprintf(req, sizeof(req), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(req + n, 'a', 65000);
    n += 65000;
    n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n\r\n");
    int st = exchange(port, req, (size_t)n);
    cr_assert(st == 431 || st == 413 || st == 0, "status %d", st);
    /* a body dripped one byte per 0.5 s (under the 1 s idle timeout): cut off */
    int fd = connect_to(port);
    n = snprintf(req, sizeof(req),
                 "POST /github/secret-scanning HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                 "Github-Public-Key-Identifier: %s\r\nGithub-Public-Key-Signature: x\r\n\r\n",
                 key.id);
    cr_assert(eq(int, (int)send(fd, req, (size_t)n, 0), n));
    long long t0 = lh_now_ms();
    bool dropped = false;
    for (int i = 0; i < 40 && !dropped; i++) {
        usleep(500 * 1000);
        dropped = send(fd, "a", 1, MSG_NOSIGNAL) != 1;
    }
    long long waited = lh_now_ms() - t0;
    close(fd);
    cr_assert(eq(int, dropped, 1), "a dripping client was kept for %lld ms", waited);
    cr_assert(lt(long, (long)waited, 10000L), "dropped only after %lld ms", waited);
    /* the endpoint still answers */
    n = snprintf(req, sizeof(req), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    cr_assert(eq(int, exchange(port, req, (size_t)n), 200));
    char *text = NULL;
    cr_assert(eq(int, th_server_stop(&srv, &text), 0));
    cr_assert(text != NULL);
    cr_assert(eq(int, hh_contains(text, strlen(text), "request_timeout"), 1), "%s", text);
    free(text);
    th_key_free(&key);
}

/* True when the server closed fd without answering (EOF or reset within the timeout). */
static bool closed_by_server(int fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

Test(serve_limits, connections_per_address_are_capped_and_freed)
{
    struct th_key key;
    th_key_new(&key);
    th_write_keys(dir, &key);
    const char *args[] = {
        "--no-config", "--github-keys", "keys.json", "--max-connections-per-ip", "2", NULL};
    struct th_server srv;
    cr_assert(eq(int, th_server_start(&srv, dir, args), 0), "serve did not start");
    int port = (int)srv.port;
    static const char health[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    /* two idle connections from 127.0.0.1 hold both slots ... */
    int a = connect_to(port);
    int b = connect_to(port);
    usleep(200 * 1000);
    /* ... so a third is accepted and closed at once, without an answer */
    int c = connect_to(port);
    cr_assert(closed_by_server(c), "a third connection from the same address was served");
    close(c);
    cr_assert(eq(int, exchange(port, health, sizeof(health) - 1), 0));
    /* freeing a slot lets the next request through */
    close(a);
    usleep(200 * 1000);
    cr_assert(eq(int, exchange(port, health, sizeof(health) - 1), 200));
    close(b);
    cr_assert(eq(int, th_server_stop(&srv, NULL), 0));
    th_key_free(&key);
}

Test(serve_limits, no_per_address_limit_by_default_and_config_sets_one)
{
    struct th_key key;
    th_key_new(&key);
    th_write_keys(dir, &key);
    static const char health[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    const char *args[] = {"--no-config", "--github-keys", "keys.json", NULL};
    struct th_server srv;
    cr_assert(eq(int, th_server_start(&srv, dir, args), 0), "serve did not start");
    int port = (int)srv.port;
    int fds[8];
    for (size_t i = 0; i < 8; i++) {
        fds[i] = connect_to(port);
    }
    usleep(200 * 1000);
    cr_assert(eq(int, exchange(port, health, sizeof(health) - 1), 200));
    for (size_t i = 0; i < 8; i++) {
        close(fds[i]);
    }
    cr_assert(eq(int, th_server_stop(&srv, NULL), 0));
    /* the same limit from .leakhound.yml */
    static const char cfg[] = "serve:\n  max_connections_per_ip: 1\n";
    lh_write_file(dir, "lh.yml", cfg, sizeof(cfg) - 1);
    const char *cargs[] = {"--config", "lh.yml", "--github-keys", "keys.json", NULL};
    cr_assert(eq(int, th_server_start(&srv, dir, cargs), 0), "serve did not start with the config");
    port = (int)srv.port;
    int a = connect_to(port);
    usleep(200 * 1000);
    cr_assert(eq(int, exchange(port, health, sizeof(health) - 1), 0));
    close(a);
    usleep(200 * 1000);
    cr_assert(eq(int, exchange(port, health, sizeof(health) - 1), 200));
    cr_assert(eq(int, th_server_stop(&srv, NULL), 0));
    th_key_free(&key);
}
