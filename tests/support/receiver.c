/* SPDX-License-Identifier: MIT */
/* The tests' revocation receiver on libmicrohttpd; see receiver.h. */
#include "support/receiver.h"

#include "support/support.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#define RX_MAX_BODY (1024 * 1024)
#define RX_HANG_MAX_MS 30000

struct rx {
    struct MHD_Daemon *d;
    struct rx_opts o;
    char secret[256];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct rx_request reqs[RX_MAX_REQUESTS];
    size_t n; /* requests recorded (complete bodies) */
    int released;
    uint16_t port;
};

struct conn {
    char *body;
    size_t len;
    int too_big;
};

/* Stripe-style check, written independently of src/notify/sign.c. */
static int verify(const char *secret, const char *header, const char *body, size_t len)
{
    if (!secret || !header) {
        return 0;
    }
    long long t = -1;
    char v1[65] = "";
    if (sscanf(header, "t=%lld,v1=%64[0-9a-f]", &t, v1) != 2 || strlen(v1) != 64) {
        return 0;
    }
    long long now = (long long)time(NULL);
    if (t < now - 300 || t > now + 300) {
        return 0;
    }
    char prefix[32];
    int pl = snprintf(prefix, sizeof(prefix), "%lld.", t);
    unsigned char *msg = malloc((size_t)pl + len + 1);
    memcpy(msg, prefix, (size_t)pl);
    memcpy(msg + pl, body, len);
    unsigned char mac[32];
    unsigned int ml = 32;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, (size_t)pl + len, mac, &ml);
    free(msg);
    char hex[65];
    for (int i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    }
    return strcmp(hex, v1) == 0;
}

static void copy_header(char *dst, size_t cap, struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    snprintf(dst, cap, "%s", v ? v : "");
}

static void inspect_body(struct rx_request *q)
{
    json_error_t je;
    json_t *o = json_loadb(q->body, q->body_len, 0, &je);
    const char *tok = json_string_value(json_object_get(o, "token"));
    const char *th = json_string_value(json_object_get(o, "token_sha256"));
    if (tok) {
        char h[65];
        snprintf(q->token, sizeof(q->token), "%s", tok);
        lh_test_sha256_hex(h, tok);
        q->key_ok = strcmp(h, q->idem) == 0 && th && strcmp(th, h) == 0;
    } else {
        q->key_ok = th && strcmp(th, q->idem) == 0;
    }
    json_decref(o);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    (void)version;
    struct rx *r = cls;
    struct conn *cn = *con_cls;
    if (!cn) {
        cn = calloc(1, sizeof(*cn));
        *con_cls = cn;
        return MHD_YES;
    }
    if (*upload_size) {
        if (cn->len + *upload_size > RX_MAX_BODY) {
            cn->too_big = 1;
        } else {
            char *b = realloc(cn->body, cn->len + *upload_size + 1);
            memcpy(b + cn->len, upload, *upload_size);
            cn->body = b;
            cn->len += *upload_size;
            cn->body[cn->len] = 0;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&r->mu);
    size_t idx = r->n;
    int status = r->o.dflt ? r->o.dflt : 200;
    if (idx < r->o.nstatuses) {
        status = r->o.statuses[idx];
    }
    if (idx < RX_MAX_REQUESTS) {
        struct rx_request *q = &r->reqs[idx];
        snprintf(q->method, sizeof(q->method), "%s", method);
        snprintf(q->path, sizeof(q->path), "%s", url);
        copy_header(q->idem, sizeof(q->idem), c, "Idempotency-Key");
        copy_header(q->sig, sizeof(q->sig), c, "Leakhound-Signature");
        copy_header(q->ctype, sizeof(q->ctype), c, "Content-Type");
        q->body = cn->body ? cn->body : strdup("");
        q->body_len = cn->len;
        cn->body = NULL;
        q->sig_ok = verify(r->o.secret ? r->secret : NULL, q->sig, q->body, q->body_len);
        inspect_body(q);
        q->at = (double)lh_now_ms() / 1000.0;
        q->answered = status;
        r->n++;
    }
    pthread_cond_broadcast(&r->cv);
    if (r->o.hang_on && idx + 1 == r->o.hang_on) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += RX_HANG_MAX_MS / 1000;
        while (!r->released) {
            if (pthread_cond_timedwait(&r->cv, &r->mu, &until) != 0) {
                break;
            }
        }
    }
    pthread_mutex_unlock(&r->mu);
    if (cn->too_big) {
        status = 413;
    }
    static const char ok[] = "{\"ok\":true}";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(sizeof(ok) - 1, (void *)ok, MHD_RESPMEM_PERSISTENT);
    if (r->o.retry_after && (status < 200 || status > 299)) {
        MHD_add_response_header(resp, "Retry-After", r->o.retry_after);
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned int)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct conn *cn = *con_cls;
    if (cn) {
        free(cn->body);
        free(cn);
        *con_cls = NULL;
    }
}

struct rx *rx_start(const struct rx_opts *o)
{
    struct rx *r = calloc(1, sizeof(*r));
    r->o = *o;
    if (o->secret) {
        snprintf(r->secret, sizeof(r->secret), "%s", o->secret);
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(o->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
                            NULL, NULL, handler, r, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, r,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_END);
    if (!r->d) {
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        free(r);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
    r->port = info ? info->port : o->port;
    return r;
}

uint16_t rx_port(const struct rx *r)
{
    return r->port;
}

void rx_url(const struct rx *r, char *out, size_t cap)
{
    snprintf(out, cap, "http://127.0.0.1:%u/hook", (unsigned)r->port);
}

size_t rx_count(struct rx *r)
{
    pthread_mutex_lock(&r->mu);
    size_t n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

int rx_wait(struct rx *r, size_t n, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->mu);
    while (r->n < n) {
        if (pthread_cond_timedwait(&r->cv, &r->mu, &until) != 0) {
            break;
        }
    }
    int ok = r->n >= n;
    pthread_mutex_unlock(&r->mu);
    return ok;
}

const struct rx_request *rx_get(struct rx *r, size_t i)
{
    pthread_mutex_lock(&r->mu);
    const struct rx_request *q = i < r->n ? &r->reqs[i] : NULL;
    pthread_mutex_unlock(&r->mu);
    return q;
}

size_t rx_unique_keys(struct rx *r)
{
    pthread_mutex_lock(&r->mu);
    size_t u = 0;
    for (size_t i = 0; i < r->n; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = !strcmp(r->reqs[i].idem, r->reqs[j].idem);
        }
        u += !seen;
    }
    pthread_mutex_unlock(&r->mu);
    return u;
}

size_t rx_count_key(struct rx *r, const char *key)
{
    pthread_mutex_lock(&r->mu);
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        n += !strcmp(r->reqs[i].idem, key);
    }
    pthread_mutex_unlock(&r->mu);
    return n;
}

void rx_release(struct rx *r)
{
    pthread_mutex_lock(&r->mu);
    r->released = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void rx_stop(struct rx *r)
{
    if (!r) {
        return;
    }
    rx_release(r);
    MHD_stop_daemon(r->d);
    for (size_t i = 0; i < r->n && i < RX_MAX_REQUESTS; i++) {
        free(r->reqs[i].body);
    }
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}
