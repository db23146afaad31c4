/* SPDX-License-Identifier: MIT */
/*
 * HTTP for the tests (serve.h): a libcurl client, raw loopback TCP connections, the
 * /metrics reader, and a small libmicrohttpd receiver (th_sink). The only support object
 * that calls libcurl: executables that do not use these helpers do not link it (see
 * --as-needed in CMakeLists.txt).
 */
#include "support/serve.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "test helper failed: %s\n", what);
    abort();
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *payload)
{
    struct th_http *r = payload;
    size_t n = size * nmemb;
    char *p = realloc(r->body, r->len + n + 1);
    if (!p) {
        return 0;
    }
    memcpy(p + r->len, ptr, n);
    r->len += n;
    p[r->len] = 0;
    r->body = p;
    return n;
}

static void perform(struct th_http *r, const char *url, const char *const *headers,
                    const void *body, size_t len, bool post, const char *cafile)
{
    memset(r, 0, sizeof(*r));
    r->body = calloc(1, 1);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; headers && headers[i]; i++) {
        h = curl_slist_append(h, headers[i]);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    if (post) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    if (cafile) {
        curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
    }
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

void th_post(struct th_http *r, const char *url, const char *const *headers, const void *body,
             size_t len, const char *cafile)
{
    perform(r, url, headers, body, len, true, cafile);
}

void th_post_signed(struct th_http *r, const char *url, const struct th_key *k,
                    const char *id_override, const void *body, size_t len)
{
    char hid[512];
    char hsig[512];
    char *sig = th_sign(k, body, len);
    snprintf(hid, sizeof(hid), "Github-Public-Key-Identifier: %s",
             id_override ? id_override : k->id);
    snprintf(hsig, sizeof(hsig), "Github-Public-Key-Signature: %s", sig);
    const char *const headers[] = {hid, hsig, "Content-Type: application/json", NULL};
    th_post(r, url, headers, body, len, NULL);
    free(sig);
}

void th_get(struct th_http *r, const char *url)
{
    perform(r, url, NULL, NULL, 0, false, NULL);
}

void th_http_dispose(struct th_http *r)
{
    free(r->body);
    memset(r, 0, sizeof(*r));
}

long long th_metric(const char *base, const char *sample)
{
    char url[256];
    struct th_http r;
    snprintf(url, sizeof(url), "%s/metrics", base);
    th_get(&r, url);
    long long v = th_sample(r.body, sample);
    th_http_dispose(&r);
    return v;
}

int th_dial_from(const char *src, unsigned port, bool nonblock)
{
    int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0) | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    if (src) {
        inet_pton(AF_INET, src, &sa.sin_addr);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
            close(fd);
            return -1;
        }
    }
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    if (!nonblock) {
        struct timeval tv = {10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    }
    return fd;
}

int th_dial(unsigned port, bool nonblock)
{
    return th_dial_from(NULL, port, nonblock);
}

void th_send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0) {
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

/* ---- the in-process receiver ---- */

struct sink_req {
    char *buf;
    size_t len;
};

static enum MHD_Result sink_answer(struct MHD_Connection *c, unsigned status, const char *body,
                                   const char *etag)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(body), (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (etag && *etag) {
        MHD_add_response_header(resp, "ETag", etag);
    }
    enum MHD_Result ok = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result sink_handler(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version, const char *data,
                                    size_t *size, void **ctx)
{
    struct th_sink *s = cls;
    struct sink_req *r = *ctx;
    (void)url;
    (void)version;
    if (!r) {
        *ctx = calloc(1, sizeof(struct sink_req));
        return *ctx ? MHD_YES : MHD_NO;
    }
    if (*size) {
        char *p = realloc(r->buf, r->len + *size + 1);
        if (!p) {
            return MHD_NO;
        }
        memcpy(p + r->len, data, *size);
        r->len += *size;
        p[r->len] = 0;
        r->buf = p;
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->lock);
    enum MHD_Result ok;
    if (!strcmp(method, "GET")) {
        s->gets++;
        const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
        if (s->etag[0] && inm && !strcmp(inm, s->etag)) {
            ok = sink_answer(c, 304, "", s->etag);
        } else if (s->get_body) {
            ok = sink_answer(c, 200, s->get_body, s->etag);
        } else {
            ok = sink_answer(c, 404, "", NULL);
        }
    } else {
        char **b = realloc(s->bodies, (s->nbodies + 1) * sizeof(*b));
        if (b) {
            s->bodies = b;
            s->bodies[s->nbodies++] = r->buf ? r->buf : strdup("");
            r->buf = NULL;
        }
        ok = sink_answer(c, (unsigned)s->post_status, "{}", NULL);
    }
    pthread_mutex_unlock(&s->lock);
    return ok;
}

static void sink_done(void *cls, struct MHD_Connection *c, void **ctx,
                      enum MHD_RequestTerminationCode toe)
{
    struct sink_req *r = *ctx;
    (void)cls;
    (void)c;
    (void)toe;
    if (r) {
        free(r->buf);
        free(r);
        *ctx = NULL;
    }
}

void th_sink_start(struct th_sink *s)
{
    struct sockaddr_in sa;
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    s->post_status = 200;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL, sink_handler, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, sink_done, s,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!d) {
        die("MHD_start_daemon (sink)");
    }
    s->daemon = d;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
}

void th_sink_set_get(struct th_sink *s, const char *body, const char *etag)
{
    pthread_mutex_lock(&s->lock);
    free(s->get_body);
    s->get_body = body ? strdup(body) : NULL;
    snprintf(s->etag, sizeof(s->etag), "%s", etag ? etag : "");
    pthread_mutex_unlock(&s->lock);
}

size_t th_sink_wait(struct th_sink *s, size_t n, int timeout_ms)
{
    long long end = lh_now_ms() + timeout_ms;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        size_t have = s->nbodies;
        pthread_mutex_unlock(&s->lock);
        if (have >= n || lh_now_ms() >= end) {
            return have;
        }
        usleep(20 * 1000);
    }
}

size_t th_sink_gets(struct th_sink *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->gets;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void th_sink_stop(struct th_sink *s)
{
    if (s->daemon) {
        MHD_stop_daemon(s->daemon);
    }
    for (size_t i = 0; i < s->nbodies; i++) {
        free(s->bodies[i]);
    }
    free(s->bodies);
    free(s->get_body);
    pthread_mutex_destroy(&s->lock);
    memset(s, 0, sizeof(*s));
}
