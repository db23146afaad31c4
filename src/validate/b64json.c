/* SPDX-License-Identifier: MIT */
/*
 * The `base64-json` validator: tokens that are (or contain) base64 of a JSON object, such
 * as Grafana Cloud `glc_`, Sentry org tokens `sntrys_<b64>_<secret>` and 1Password service
 * accounts `ops_` (reference §2.4, §2.7, §2.13). There is no checksum; a pass means the
 * text decodes to a JSON object that has the issuer's keys, which random base64-looking
 * text essentially never does. Decoded JSON is capped (B64JSON_MAX); larger tokens fail.
 * jansson allocates the parsed tree internally; it is released before returning.
 */
#include "validate/b64json.h"

#include "util/encode.h"
#include "validate/checks.h"
#include "validate/params.h"

#include <string.h>

#define B64JSON_MAX 4096
#define B64JSON_PATH_MAX 8 /* dotted path components in one required key */

static const char *const encoding_names[] = {"std", "url", NULL};

json_t *lh_b64json_load_object(const uint8_t *buf, size_t len, unsigned flags, uint8_t *scratch,
                               size_t cap)
{
    size_t n;
    json_t *root;
    json_error_t err;

    if (lh_encode_base64_decode(scratch, cap, &n, buf, len, flags) != 0 || n == 0) {
        return NULL;
    }
    root = json_loadb((const char *)scratch, n, JSON_REJECT_DUPLICATES, &err);
    if (root != NULL && !json_is_object(root)) {
        json_decref(root);
        root = NULL;
    }
    return root;
}

/* Looks a dotted path ("m.r") up through nested objects. */
static bool has_path(json_t *obj, const char *path, size_t n)
{
    size_t depth = 0;

    while (obj != NULL && json_is_object(obj) && depth++ < B64JSON_PATH_MAX) {
        const char *dot = memchr(path, '.', n);
        size_t klen = dot != NULL ? (size_t)(dot - path) : n;
        obj = json_object_getn(obj, path, klen);
        if (dot == NULL) {
            return obj != NULL;
        }
        path = dot + 1;
        n -= klen + 1;
    }
    return false;
}

struct b64json_opts {
    const char *prefix;
    unsigned flags;
    char split; /* 0: none */
    size_t part;
};

static bool b64json_opts_read(struct b64json_opts *o, const struct lh_rule *rule)
{
    const char *split = lh_params_get(rule, "split");
    const char *part = lh_params_get(rule, "part");
    int enc = lh_params_choice(lh_params_get(rule, "encoding"), encoding_names, 0);
    uint64_t n = 0;

    o->prefix = lh_params_get(rule, "prefix");
    if (enc < 0) {
        return false;
    }
    o->flags = enc == 1 ? LH_ENC_URL : 0;
    o->split = 0;
    if (split != NULL) {
        if (strlen(split) != 1) {
            return false;
        }
        o->split = split[0];
    }
    if (part != NULL && (split == NULL || lh_params_parse_u64(&n, part, 64) != 0)) {
        return false;
    }
    o->part = (size_t)n;
    return true;
}

bool lh_b64json_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                      struct lh_validation *out)
{
    struct b64json_opts o;
    uint8_t scratch[B64JSON_MAX];
    const uint8_t *text = secret;
    size_t tlen = len;
    const char *cursor;
    const char *item;
    size_t item_len;
    json_t *root;
    bool ok = true;

    if (secret == NULL || !b64json_opts_read(&o, rule)) {
        return lh_params_verdict(out, false);
    }
    if (o.prefix != NULL) {
        size_t plen = strlen(o.prefix);
        if (tlen < plen || memcmp(text, o.prefix, plen) != 0) {
            return lh_params_verdict(out, false);
        }
        text += plen;
        tlen -= plen;
    }
    if (o.split != 0) {
        size_t i = 0;
        for (size_t k = 0; k < o.part; k++) {
            const uint8_t *sep = memchr(text + i, o.split, tlen - i);
            if (sep == NULL) {
                return lh_params_verdict(out, false);
            }
            i = (size_t)(sep - text) + 1;
        }
        const uint8_t *end = memchr(text + i, o.split, tlen - i);
        text += i;
        tlen = end != NULL ? (size_t)(end - text) : tlen - i;
    }
    root = lh_b64json_load_object(text, tlen, o.flags, scratch, sizeof(scratch));
    if (root == NULL) {
        return lh_params_verdict(out, false);
    }
    cursor = lh_params_get(rule, "required_keys");
    while (ok && cursor != NULL && lh_params_next_item(&cursor, &item, &item_len)) {
        ok = item_len == 0 || has_path(root, item, item_len);
    }
    json_decref(root);
    return lh_params_verdict(out, ok);
}

int lh_b64json_params(const struct lh_rule *rule)
{
    static const char *const keys[] = {"prefix", "encoding", "required_keys",
                                       "split",  "part",     NULL};
    const char *split = lh_params_get(rule, "split");
    const char *part = lh_params_get(rule, "part");
    uint64_t n;
    int rc = lh_params_check_keys(rule, keys);

    if (rc < 0) {
        return rc;
    }
    if (lh_params_choice(lh_params_get(rule, "encoding"), encoding_names, 0) < 0) {
        return lh_params_error(rule, "encoding", "must be 'std' or 'url'");
    }
    if (split != NULL && strlen(split) != 1) {
        return lh_params_error(rule, "split", "must be exactly one character");
    }
    if (part != NULL && split == NULL) {
        return lh_params_error(rule, "part", "needs 'split'");
    }
    if (part != NULL && lh_params_parse_u64(&n, part, 64) != 0) {
        return lh_params_error(rule, "part", "must be a number from 0 to 64");
    }
    return 0;
}
