/* SPDX-License-Identifier: MIT */
/*
 * Partner endpoint request logic; see handler.h. The whole body is validated (every
 * element an object with a string token) before any token is classified or enqueued, so
 * a rejected request has no side effect. Detector scratches come from a small pool under
 * a mutex: libmicrohttpd's pool threads are not ours to give thread-local state a
 * destructor, and a pool bounds the scratches to the peak number of concurrent requests.
 */
#include "partner/handler.h"

#include "util/hash.h"

#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_BODY (1024u * 1024u)
#define MAX_POOL 256
#define MAX_NAME 32
/* The feedback is ~120 bytes per token, the request at least ~14 (`{"token":"x"},`). */
#define FEEDBACK_FACTOR 16

struct lh_handler {
    struct lh_handler_opts o;
    pthread_mutex_t lock; /* guards the scratch pool */
    struct lh_detect_scratch *pool[MAX_POOL];
    size_t npool;
};

/* jansson's free: wipe first, because parsed bodies hold raw tokens. */
static void wipe_free(void *p)
{
    if (p) {
        explicit_bzero(p, malloc_usable_size(p));
        free(p);
    }
}

static void install_wiping_allocator(void)
{
    json_set_alloc_funcs(malloc, wipe_free);
}

static bool valid_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > MAX_NAME) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-')) {
            return false;
        }
    }
    return true;
}

int lh_handler_new(struct lh_handler **out, const struct lh_handler_opts *opts)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    LH_ASSERT(opts && opts->detector && opts->verifiers);
    *out = NULL;
    if (opts->nverifiers == 0) {
        lh_error_set("the partner endpoint needs at least one reporter");
        return LH_EINVAL;
    }
    for (size_t i = 0; i < opts->nverifiers; i++) {
        if (!valid_name(opts->verifiers[i].name)) {
            lh_error_set("reporter name '%s' must be 1-%d characters of A-Z a-z 0-9 _ . -",
                         opts->verifiers[i].name ? opts->verifiers[i].name : "", MAX_NAME);
            return LH_EINVAL;
        }
    }
    struct lh_handler *h = calloc(1, sizeof(*h));
    if (!h) {
        return lh_error_oom();
    }
    h->o = *opts;
    if (h->o.max_body == 0) {
        h->o.max_body = DEFAULT_MAX_BODY;
    }
    pthread_mutex_init(&h->lock, NULL);
    pthread_once(&once, install_wiping_allocator);
    *out = h;
    return 0;
}

void lh_handler_free(struct lh_handler *h)
{
    if (!h) {
        return;
    }
    for (size_t i = 0; i < h->npool; i++) {
        lh_detect_scratch_free(h->pool[i]);
    }
    pthread_mutex_destroy(&h->lock);
    free(h);
}

size_t lh_handler_max_body(const struct lh_handler *h)
{
    return h->o.max_body;
}

static int scratch_take(struct lh_handler *h, struct lh_detect_scratch **out)
{
    pthread_mutex_lock(&h->lock);
    if (h->npool > 0) {
        *out = h->pool[--h->npool];
        pthread_mutex_unlock(&h->lock);
        return 0;
    }
    pthread_mutex_unlock(&h->lock);
    return lh_detect_scratch_new(out, h->o.detector);
}

static void scratch_give(struct lh_handler *h, struct lh_detect_scratch *s)
{
    pthread_mutex_lock(&h->lock);
    if (h->npool < MAX_POOL) {
        h->pool[h->npool++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&h->lock);
    lh_detect_scratch_free(s);
}

const char *lh_handler_header_list_get(const char *name, void *payload)
{
    const struct lh_header_list *l = payload;
    for (size_t i = 0; i < l->count; i++) {
        if (strcasecmp(l->items[i].name, name) == 0) {
            return l->items[i].value;
        }
    }
    return NULL;
}

static void fail(struct lh_server_result *out, int status, const char *reason)
{
    out->status = status;
    out->error = reason;
    lh_buf_clear(&out->body);
    if (lh_buf_printf(&out->body, "{\"error\":\"%s\"}", reason) < 0) {
        lh_buf_clear(&out->body);
    }
}

static int verify_status(enum lh_verify_result r)
{
    switch (r) {
    case LH_VERIFY_MISSING_HEADER:
    case LH_VERIFY_BAD_ENCODING:
    case LH_VERIFY_BAD_DER:
        return 400;
    case LH_VERIFY_UNKNOWN_KEY:
    case LH_VERIFY_BAD_SIGNATURE:
        return 401;
    default:
        return 500;
    }
}

static const struct lh_strlist *rules_for_type(const struct lh_handler *h, const char *type)
{
    for (size_t i = 0; i < h->o.ntype_map; i++) {
        if (strcmp(h->o.type_map[i].type, type) == 0) {
            return &h->o.type_map[i].rule_ids;
        }
    }
    return NULL;
}

static const char *opt_string(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* Every element must be an object whose token is a string; the rest is optional. */
static bool well_formed(json_t *arr)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        if (!json_is_object(e) || !json_is_string(json_object_get(e, "token"))) {
            return false;
        }
    }
    return true;
}

static int dump_cb(const char *buf, size_t size, void *payload)
{
    return lh_buf_put(payload, buf, size) < 0 ? -1 : 0;
}

struct classify {
    struct lh_handler *h;
    struct lh_detect_scratch *scratch;
    struct lh_server_result *out;
    json_t *feedback;
};

/* Classifies element e, enqueues it when true, appends its feedback. 0, LH_EAGAIN or oom. */
static int classify_one(struct classify *c, json_t *e)
{
    json_t *jtok = json_object_get(e, "token");
    const uint8_t *tok = (const uint8_t *)json_string_value(jtok);
    size_t len = json_string_length(jtok);
    const char *type = opt_string(e, "type");
    const struct lh_rule *rule = NULL;
    enum lh_confidence conf = LH_CONF_NONE;
    if (len > 0 && len <= LH_HANDLER_MAX_TOKEN) {
        conf = lh_detect_token(c->h->o.detector, c->scratch, tok, len, rules_for_type(c->h, type),
                               &rule);
    }
    bool tp = conf != LH_CONF_NONE && rule != NULL;
    c->out->tokens++;
    if (tp) {
        c->out->true_positives++;
    } else {
        c->out->false_positives++;
    }
    if (tp && c->h->o.enqueue) {
        struct lh_handler_hit hit = {
            .rule = rule,
            .confidence = conf,
            .token = tok,
            .token_len = len,
            .type = type,
            .url = opt_string(e, "url"),
            .source = opt_string(e, "source"),
            .reporter = c->out->reporter,
        };
        int q = c->h->o.enqueue(&hit, c->h->o.enqueue_payload);
        if (q < 0) {
            lh_metrics_enqueue_error(c->h->o.metrics);
            return LH_EAGAIN;
        }
        c->out->queued += (size_t)q;
    }
    json_t *fb = json_object();
    if (!fb || json_array_append_new(c->feedback, fb) < 0) {
        return lh_error_oom();
    }
    int rc = 0;
    if (c->h->o.feedback_raw) {
        rc |= json_object_set_new(fb, "token_raw", json_stringn((const char *)tok, len));
    } else {
        char hex[LH_SHA256_HEX_LEN + 1];
        lh_sha256_hex(hex, tok, len);
        rc |= json_object_set_new(fb, "token_hash", json_string(hex));
    }
    rc |= json_object_set_new(fb, "token_type", json_string(type));
    rc |= json_object_set_new(fb, "label", json_string(tp ? "true_positive" : "false_positive"));
    return rc ? lh_error_oom() : 0;
}

/* Names the reporter; on a verification failure counts it and fills the rejection. */
static bool accepted(struct lh_handler *h, enum lh_verify_result vr, size_t row,
                     struct lh_server_result *out)
{
    if (row < h->o.nverifiers) {
        out->reporter = h->o.verifiers[row].name;
    }
    if (vr != LH_VERIFY_OK) {
        lh_metrics_signature_failure(h->o.metrics, vr);
        fail(out, verify_status(vr), lh_verify_result_name(vr));
        return false;
    }
    return true;
}

bool lh_handler_precheck(struct lh_handler *h, lh_header_fn get, void *payload,
                         struct lh_server_result *out)
{
    size_t row = 0; /* as lh_handler_post: the first row when none was picked */
    enum lh_verify_result vr =
        lh_verify_headers(h->o.verifiers, h->o.nverifiers, get, payload, &row);
    return accepted(h, vr, row, out);
}

void lh_handler_post(struct lh_handler *h, lh_header_fn get, void *payload, const uint8_t *body,
                     size_t len, struct lh_server_result *out)
{
    json_error_t je;
    json_t *arr = NULL;
    struct classify c = {h, NULL, out, NULL};
    size_t row = 0;
    int rc = 0;

    out->body.cap = h->o.max_body * FEEDBACK_FACTOR + 4096;
    if (len > h->o.max_body) {
        fail(out, 413, "body_too_large");
        goto out;
    }
    enum lh_verify_result vr =
        lh_verify_request(h->o.verifiers, h->o.nverifiers, get, payload, body, len, &row);
    if (!accepted(h, vr, row, out)) {
        goto out;
    }
    /* only a verified body is parsed */
    arr = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_array(arr)) {
        fail(out, 400, "not_a_json_array");
        goto out;
    }
    if (!well_formed(arr)) {
        fail(out, 400, "bad_element");
        goto out;
    }
    c.feedback = json_array();
    if (!c.feedback) {
        fail(out, 500, "error");
        goto out;
    }
    rc = scratch_take(h, &c.scratch);
    for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++) {
        rc = classify_one(&c, json_array_get(arr, i));
    }
    if (c.scratch) {
        scratch_give(h, c.scratch);
    }
    lh_metrics_tokens(h->o.metrics, out->true_positives, out->false_positives);
    if (rc == LH_EAGAIN) {
        fail(out, 503, "spool_unavailable");
        goto out;
    }
    if (rc == 0) {
        rc = json_dump_callback(c.feedback, dump_cb, &out->body, JSON_COMPACT) < 0 ? LH_ENOMEM : 0;
    }
    if (rc < 0) {
        fail(out, 500, "error");
        goto out;
    }
    out->status = 200;
out:
    json_decref(c.feedback);
    json_decref(arr);
}

static bool app_precheck(void *payload, lh_header_fn get, void *headers,
                         struct lh_server_result *out)
{
    return lh_handler_precheck(payload, get, headers, out);
}

static void app_post(void *payload, lh_header_fn get, void *headers, const uint8_t *body,
                     size_t len, struct lh_server_result *out)
{
    lh_handler_post(payload, get, headers, body, len, out);
}

void lh_handler_app(struct lh_server_app *out, struct lh_handler *h)
{
    out->max_body = lh_handler_max_body(h);
    out->precheck = app_precheck;
    out->post = app_post;
    out->payload = h;
}

int lh_handler_metrics_new(struct lh_metrics **out)
{
    return lh_metrics_new(out, lh_verify_result_names(), LH_VERIFY_NRESULTS);
}
