/* SPDX-License-Identifier: MIT */
/*
 * `basic-auth-b64`: the secret is base64 (standard or URL-safe alphabet, padding optional)
 * of `user:password`, as Docker's `auths` entries, `.dockercfg` and npm's `_auth` store it.
 * It passes when the bytes decode to printable ASCII with a non-empty user, a ':' and a
 * password that is neither empty nor a placeholder (lh_placeholder_check, plus the words
 * people type where a password belongs: `password`, `changeme`, ...). The user name is an
 * identifier, not a secret: it is set as `user` metadata. Structural only: a pass does not
 * confirm the credential (the rule's confidence applies). No heap use; thread-safe.
 */
#include "util/encode.h"
#include "validate/checks.h"
#include "validate/placeholder.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_B64 684 /* 512 decoded bytes */

static bool typed_password(const char *p, size_t n)
{
    static const char *const words[] = {"password", "passwd", "changeme", "secret", "example",
                                        "xxx",      "xxxx",   "****",     "pass",   "test",
                                        "none",     "null",   "redacted", "token",  "PASSWORD"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strlen(words[i]) == n && strncasecmp(p, words[i], n) == 0) {
            return true;
        }
    }
    return false;
}

bool lh_basicauth_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                        struct lh_validation *out)
{
    (void)rule;
    if (out) {
        out->pass = false;
    }
    unsigned char dec[MAX_B64];
    size_t n = 0;
    bool url = memchr(secret, '-', len) || memchr(secret, '_', len);
    if (len < 4 || len > MAX_B64 ||
        lh_encode_base64_decode(dec, sizeof(dec), &n, secret, len, url ? LH_ENC_URL : 0) < 0) {
        return false;
    }
    const unsigned char *colon = memchr(dec, ':', (size_t)n);
    if (!colon || colon == dec || colon == dec + n - 1) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (dec[i] < 0x20 || dec[i] > 0x7e) {
            return false;
        }
    }
    const char *pw = (const char *)colon + 1;
    size_t pwlen = (size_t)(dec + n - colon - 1);
    if (typed_password(pw, pwlen) || lh_placeholder_check((const uint8_t *)pw, pwlen, NULL)) {
        return false;
    }
    if (out) {
        out->pass = true;
        snprintf(out->meta_key, sizeof(out->meta_key), "user");
        snprintf(out->meta_value, sizeof(out->meta_value), "%.*s", (int)(colon - dec),
                 (const char *)dec);
    }
    return true;
}
