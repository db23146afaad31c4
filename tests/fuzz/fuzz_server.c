/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the partner endpoint's request handling without a socket
 * (lh_handler_post: body cap, signature verification over the raw bytes, JSON parsing,
 * token classification with the built-in rules, enqueueing, the feedback answer).
 * Input layout: one flag byte, then header lines `Name: value` up to an empty line, then
 * the raw body. Flag bits: 1 = replace the signature headers with a valid signature of
 * the body by the harness's own key (so the fuzzer reaches the JSON and classification
 * code; without it, verification itself is fuzzed), 2 = the handler answering with
 * token_raw instead of token_hash, 4 = the enqueue callback fails (the 503 path),
 * 8 = a tiny body cap (the 413 path). Invariants: the status is one the handler
 * documents; every answer is JSON; a 200 answer is an array with one feedback object per
 * reported token; with hashing, no feedback object carries a raw token (only a 64-digit
 * hash); counters add up.
 */
#include "finding/detect.h"
#include "fuzz/common.h"
#include "http/metrics.h"
#include "partner/handler.h"
#include "partner/keyring.h"
#include "rules/ruleset.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADERS 8
#define MAX_HEADER_LINE 1024

static struct lh_ruleset *rs;
static struct lh_detector *det;
static struct lh_keyring *ring;
static struct lh_metrics *metrics;
static struct lh_verifier verifier;
static struct lh_type_map_entry tmap[2];
static struct lh_handler *handlers[4]; /* [raw][tiny] */
static bool fail_enqueue;

static int enqueue(const struct lh_handler_hit *hit, void *payload)
{
    (void)payload;
    LH_FUZZ_CHECK(hit->rule != NULL && hit->token != NULL && hit->token_len > 0);
    LH_FUZZ_CHECK(hit->type != NULL && hit->url != NULL && hit->source != NULL);
    return fail_enqueue ? LH_EIO : 1;
}

static void init(void)
{
    if (det) {
        return;
    }
    LH_FUZZ_CHECK(lh_ruleset_new(&rs) == 0);
    LH_FUZZ_CHECK(lh_ruleset_load_builtin(rs) == 0);
    LH_FUZZ_CHECK(lh_detector_new(&det, rs, NULL) == 0);
    struct lh_keyring_opts ko;
    memset(&ko, 0, sizeof(ko));
    ko.name = "github";
    ko.file = lh_fuzz_keyfile(NULL);
    ko.min_refetch = 3600; /* unknown identifiers must not reread the file per input */
    LH_FUZZ_CHECK(lh_keyring_new(&ring, &ko) == 0);
    LH_FUZZ_CHECK(lh_handler_metrics_new(&metrics) == 0);
    verifier.name = "github";
    verifier.key_id_header = "Github-Public-Key-Identifier";
    verifier.signature_header = "Github-Public-Key-Signature";
    verifier.keys = ring;
    tmap[0].type = (char *)"github_personal_access_token";
    LH_FUZZ_CHECK(lh_strlist_push(&tmap[0].rule_ids, "github-*") == 0);
    tmap[1].type = (char *)"npm_access_token";
    LH_FUZZ_CHECK(lh_strlist_push(&tmap[1].rule_ids, "npm-*") == 0);
    for (int i = 0; i < 4; i++) {
        struct lh_handler_opts o;
        memset(&o, 0, sizeof(o));
        o.detector = det;
        o.verifiers = &verifier;
        o.nverifiers = 1;
        o.type_map = tmap;
        o.ntype_map = 2;
        o.feedback_raw = (i & 1) != 0;
        o.max_body = (i & 2) ? 64 : 0;
        o.metrics = metrics;
        o.enqueue = enqueue;
        LH_FUZZ_CHECK(lh_handler_new(&handlers[i], &o) == 0);
    }
}

static bool all_hex64(const char *s)
{
    if (!s || strlen(s) != 64) {
        return false;
    }
    for (size_t i = 0; i < 64; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

static void check_answer(const struct lh_server_result *r, bool raw)
{
    LH_FUZZ_CHECK(r->status == 200 || r->status == 400 || r->status == 401 || r->status == 413 ||
                  r->status == 500 || r->status == 503);
    json_error_t je;
    json_t *j = json_loadb(r->body.ptr ? r->body.ptr : "", r->body.len, 0, &je);
    LH_FUZZ_CHECK(j != NULL);
    if (r->status != 200) {
        LH_FUZZ_CHECK(json_is_object(j) && json_is_string(json_object_get(j, "error")));
        LH_FUZZ_CHECK(r->error != NULL);
        json_decref(j);
        return;
    }
    LH_FUZZ_CHECK(json_is_array(j) && json_array_size(j) == r->tokens);
    LH_FUZZ_CHECK(r->tokens == r->true_positives + r->false_positives);
    LH_FUZZ_CHECK(r->queued <= r->true_positives);
    for (size_t i = 0; i < json_array_size(j); i++) {
        json_t *fb = json_array_get(j, i);
        LH_FUZZ_CHECK(json_is_string(json_object_get(fb, "label")));
        if (raw) {
            LH_FUZZ_CHECK(json_is_string(json_object_get(fb, "token_raw")));
        } else {
            LH_FUZZ_CHECK(json_object_get(fb, "token_raw") == NULL);
            LH_FUZZ_CHECK(all_hex64(json_string_value(json_object_get(fb, "token_hash"))));
        }
    }
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    if (size == 0) {
        return 0;
    }
    uint8_t flags = data[0];
    const uint8_t *p = data + 1;
    const uint8_t *end = data + size;
    struct lh_header items[MAX_HEADERS + 2];
    char lines[MAX_HEADERS][MAX_HEADER_LINE];
    size_t n = 0;
    /* header lines up to an empty line (or the end of the input) */
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const uint8_t *next = nl ? nl + 1 : end;
        if (len == 0) {
            p = next;
            break;
        }
        if (n < MAX_HEADERS && len < MAX_HEADER_LINE) {
            memcpy(lines[n], p, len);
            lines[n][len] = '\0';
            char *colon = memchr(lines[n], ':', len);
            if (colon && strlen(lines[n]) == len) {
                *colon = '\0';
                char *v = colon + 1;
                while (*v == ' ') {
                    v++;
                }
                items[n].name = lines[n];
                items[n].value = v;
                n++;
            }
        }
        p = next;
    }
    const uint8_t *body = p;
    size_t blen = (size_t)(end - p);
    char sig[160];
    if (flags & 1) {
        lh_fuzz_sign(sig, sizeof(sig), body, blen);
        /* first match wins in the header list: the valid pair goes in front */
        memmove(items + 2, items, n * sizeof(items[0]));
        items[0].name = "Github-Public-Key-Identifier";
        items[0].value = LH_FUZZ_KEY_ID;
        items[1].name = "Github-Public-Key-Signature";
        items[1].value = sig;
        n += 2;
    }
    struct lh_header_list hl = {items, n};
    bool raw = (flags & 2) != 0;
    fail_enqueue = (flags & 4) != 0;
    struct lh_handler *h = handlers[(raw ? 1 : 0) | ((flags & 8) ? 2 : 0)];
    struct lh_server_result r;
    lh_server_result_init(&r);
    lh_handler_post(h, lh_handler_header_list_get, &hl, body, blen, &r);
    check_answer(&r, raw);
    if (blen > lh_handler_max_body(h)) {
        LH_FUZZ_CHECK(r.status == 413);
    }
    lh_server_result_dispose(&r);
    lh_error_clear();
    return 0;
}
