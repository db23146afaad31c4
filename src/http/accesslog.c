/* SPDX-License-Identifier: MIT */
/*
 * JSON Lines log writer; see accesslog.h. Lines are built in a bounded buffer (messages
 * are truncated, never split) and escaped here rather than through jansson, so logging
 * allocates nothing and cannot fail a request.
 */
#include "http/accesslog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 8192 /* > 6 * MSG_MAX_BYTES: an escaped message always fits */
#define MSG_MAX_BYTES 1024

struct line {
    char buf[LINE_MAX_BYTES];
    size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
    if (n > sizeof(l->buf) - 2 - l->len) {
        n = sizeof(l->buf) - 2 - l->len; /* room for "\n" is always kept */
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void puts_(struct line *l, const char *s)
{
    put(l, s, strlen(s));
}

static void putf(struct line *l, const char *fmt, ...) LH_PRINTF(2, 3);
static void putf(struct line *l, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0) {
        put(l, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
    }
}

/* Appends s as a JSON string literal (or null). */
static void put_str(struct line *l, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        puts_(l, "null");
        return;
    }
    puts_(l, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            put(l, e, 2);
        } else if (*p < 0x20 || *p == 0x7f) {
            char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            put(l, e, 6);
        } else if (*p >= 0x80) {
            put(l, "?", 1); /* library messages are ASCII; never emit invalid UTF-8 */
        } else {
            put(l, (const char *)p, 1);
        }
    }
    puts_(l, "\"");
}

static void put_ts(struct line *l)
{
    struct timespec ts;
    struct tm tm;
    char t[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
    putf(l, "{\"ts\":\"%s.%03ldZ\"", t, ts.tv_nsec / 1000000L);
}

static void emit(int fd, struct line *l)
{
    l->buf[l->len++] = '\n';
    size_t off = 0;
    while (off < l->len) {
        ssize_t n = write(fd, l->buf + off, l->len - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        off += (size_t)n;
    }
}

void lh_accesslog_request(int fd, const struct lh_accesslog_entry *e)
{
    struct line l;
    if (fd < 0) {
        return;
    }
    l.len = 0;
    put_ts(&l);
    puts_(&l, ",\"event\":\"request\",\"method\":");
    put_str(&l, e->method);
    puts_(&l, ",\"path\":");
    put_str(&l, e->path);
    puts_(&l, ",\"remote\":");
    put_str(&l, e->remote);
    putf(&l, ",\"status\":%d,\"termination\":", e->status);
    put_str(&l, e->termination);
    putf(&l, ",\"bytes_in\":%zu,\"bytes_out\":%zu,\"duration_ms\":%.3f", e->bytes_in, e->bytes_out,
         e->seconds * 1000.0);
    puts_(&l, ",\"reporter\":");
    put_str(&l, e->reporter);
    puts_(&l, ",\"error\":");
    put_str(&l, e->error);
    putf(&l, ",\"tokens\":%zu,\"true_positive\":%zu,\"false_positive\":%zu,\"queued\":%zu}",
         e->tokens, e->true_positives, e->false_positives, e->queued);
    emit(fd, &l);
}

void lh_accesslog_event(int fd, const char *level, const char *event, const char *fmt, ...)
{
    struct line l;
    char msg[MSG_MAX_BYTES];
    va_list ap;
    if (fd < 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    l.len = 0;
    put_ts(&l);
    puts_(&l, ",\"level\":");
    put_str(&l, level);
    puts_(&l, ",\"event\":");
    put_str(&l, event);
    puts_(&l, ",\"msg\":");
    put_str(&l, msg);
    puts_(&l, "}");
    emit(fd, &l);
}

void lh_accesslog_listening(int fd, const char *scheme, const char *addr, unsigned port,
                            const char *path, unsigned admin_port)
{
    struct line l;
    if (fd < 0) {
        return;
    }
    l.len = 0;
    put_ts(&l);
    puts_(&l, ",\"level\":\"info\",\"event\":\"listening\",\"scheme\":");
    put_str(&l, scheme);
    puts_(&l, ",\"listen\":");
    put_str(&l, addr);
    putf(&l, ",\"port\":%u,\"path\":", port);
    put_str(&l, path);
    putf(&l, ",\"admin_port\":%u}", admin_port);
    emit(fd, &l);
}
