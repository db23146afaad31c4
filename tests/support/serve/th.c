/* SPDX-License-Identifier: MIT */
/* Partner-endpoint test helpers; see th.h. */
#include "support/serve/th.h"

#include "util/hash.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "test helper failed: %s\n", what);
    abort();
}

void th_sha256_hex(char out[65], const char *s)
{
    lh_sha256_hex(out, s, strlen(s));
}

void th_key_new(struct th_key *k)
{
    memset(k, 0, sizeof(*k));
    k->pk = EVP_EC_gen("P-256");
    if (!k->pk) {
        die("EVP_EC_gen");
    }
    BIO *b = BIO_new(BIO_s_mem());
    if (!b || PEM_write_bio_PUBKEY(b, k->pk) != 1) {
        die("PEM_write_bio_PUBKEY");
    }
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    k->pem = strndup(data, (size_t)n);
    BIO_free(b);
    th_sha256_hex(k->id, k->pem);
}

void th_key_free(struct th_key *k)
{
    EVP_PKEY_free(k->pk);
    free(k->pem);
    memset(k, 0, sizeof(*k));
}

void th_write_keys(const char *dir, const struct th_key *k)
{
    char *keys = th_keys_json(k, 1);
    lh_write_file(dir, "keys.json", keys, strlen(keys));
    free(keys);
}

char *th_keys_json(const struct th_key *keys, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, json_pack("{s:s,s:s,s:b}", "key_identifier", keys[i].id, "key",
                                             keys[i].pem, "is_current", i == 0));
    }
    json_t *root = json_pack("{s:o}", "public_keys", arr);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return s;
}

char *th_sign(const struct th_key *k, const void *body, size_t len)
{
    unsigned char sig[256];
    size_t slen = sizeof(sig);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pk) != 1 ||
        EVP_DigestSign(ctx, sig, &slen, body, len) != 1) {
        die("EVP_DigestSign");
    }
    EVP_MD_CTX_free(ctx);
    char *out = calloc(1, 4 * ((slen + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, sig, (int)slen);
    return out;
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

/* pids of servers not stopped yet (the th_server itself may be gone with its stack) */
#define MAX_LIVE 16
static int live[MAX_LIVE];

static void track(int pid, bool on)
{
    for (size_t i = 0; i < MAX_LIVE; i++) {
        if (live[i] == (on ? 0 : pid)) {
            live[i] = on ? pid : 0;
            return;
        }
    }
}

void th_server_kill_all(void)
{
    for (size_t i = 0; i < MAX_LIVE; i++) {
        if (live[i] > 0) {
            kill(live[i], SIGKILL);
            waitpid(live[i], NULL, 0);
            live[i] = 0;
        }
    }
}

int th_server_start(struct th_server *s, const char *dir, const char *const *args)
{
    const char *argv[64];
    char log[4096];
    size_t n = 0;
    memset(s, 0, sizeof(*s));
    argv[n++] = LH_BIN;
    argv[n++] = "serve";
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    for (size_t i = 0; args && args[i] && n < 62; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    snprintf(log, sizeof(log), "%s/serve.log", dir);
    if (lh_proc_start(&s->proc, dir, argv, log) != 0) {
        return -1;
    }
    s->pid = s->proc.pid;
    track(s->pid, true);
    char *text = lh_proc_wait_log(&s->proc, "\"event\":\"listening\"", 15000);
    if (!text) {
        char *all = lh_read_file(log);
        fprintf(stderr, "leakhound serve did not start; log:\n%s\n", all ? all : "");
        free(all);
        return -1;
    }
    const char *hit = strstr(text, "\"event\":\"listening\"");
    const char *line = hit;
    while (line > text && line[-1] != '\n') {
        line--;
    }
    json_error_t je;
    json_t *j = json_loadb(line, strcspn(line, "\n"), 0, &je);
    s->port = (unsigned)json_integer_value(json_object_get(j, "port"));
    s->admin_port = (unsigned)json_integer_value(json_object_get(j, "admin_port"));
    json_decref(j);
    free(text);
    if (s->port == 0) {
        return -1;
    }
    snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u", s->port);
    snprintf(s->endpoint, sizeof(s->endpoint), "%s/github/secret-scanning", s->base);
    return 0;
}

int th_server_stop(struct th_server *s, char **log)
{
    track(s->pid, false);
    int st = lh_proc_stop(&s->proc, SIGTERM, 20000);
    char *text = lh_read_file(s->proc.log);
    if (text && (strstr(text, "ERROR: AddressSanitizer") || strstr(text, "ERROR: LeakSanitizer") ||
                 strstr(text, "runtime error:") || strstr(text, "WARNING: ThreadSanitizer") ||
                 strstr(text, "ERROR: ThreadSanitizer"))) {
        fprintf(stderr, "sanitizer report in the server log:\n%s\n", text);
        st = -2;
    }
    if (log) {
        *log = text;
    } else {
        free(text);
    }
    lh_proc_dispose(&s->proc);
    return st;
}

long long th_sample(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p;) {
        if (strncmp(p, name, n) == 0 && p[n] == ' ') {
            return strtoll(p + n + 1, NULL, 10);
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return -1;
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

long th_proc_status_kib(int pid, const char *field)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    char *text = lh_read_file(path);
    long v = -1;
    size_t n = strlen(field);
    for (const char *p = text; p && *p;) {
        if (strncmp(p, field, n) == 0 && p[n] == ':') {
            v = strtol(p + n + 1, NULL, 10);
            break;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    free(text);
    return v;
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
