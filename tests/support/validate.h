/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the validator tests: build a struct lh_rule by hand with validator
 * parameters, run a validator by name, mutate tokens (one character changed within its
 * character class, truncation, prefix case swap) and run a check with its input ending
 * exactly before a PROT_NONE page. Header-only (static inline) so each test file stays
 * self-contained.
 */
#ifndef LH_TEST_SUPPORT_VALIDATE_H
#define LH_TEST_SUPPORT_VALIDATE_H

#include "validate/validator.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define VT_MAX_PARAMS 8
#define VT_MAX_TOKEN 4096

struct vt_rule {
    struct lh_rule rule;
    struct lh_param params[VT_MAX_PARAMS];
};

/* Fills r for `validator` with key/value pairs, NULL-terminated: vt_rule_init(&r, v, k, v, NULL).
 */
static inline void vt_rule_vinit(struct vt_rule *r, const char *validator, va_list ap)
{
    const char *key;

    memset(r, 0, sizeof(*r));
    r->rule.id = (char *)"test.rule";
    r->rule.validator = (char *)validator;
    r->rule.params = r->params;
    while ((key = va_arg(ap, const char *)) != NULL) {
        cr_assert(r->rule.nparams < VT_MAX_PARAMS);
        r->params[r->rule.nparams].key = (char *)key;
        r->params[r->rule.nparams].value = (char *)va_arg(ap, const char *);
        r->rule.nparams++;
    }
}

static inline void vt_rule_init(struct vt_rule *r, const char *validator, ...)
{
    va_list ap;

    va_start(ap, validator);
    vt_rule_vinit(r, validator, ap);
    va_end(ap);
}

static inline const struct lh_validator *vt_find(const char *validator)
{
    const struct lh_validator *v = lh_validator_find(validator);

    cr_assert(v != NULL, "validator '%s' not registered", validator);
    return v;
}

/* Runs `validator` on bytes with params (key, value, ..., NULL); also checks out->pass. */
static inline bool vt_checkn(const char *validator, const void *secret, size_t len, ...)
{
    const struct lh_validator *v = vt_find(validator);
    struct vt_rule r;
    struct lh_validation out;
    bool pass;
    va_list ap;

    va_start(ap, len);
    vt_rule_vinit(&r, validator, ap);
    va_end(ap);
    memset(&out, 0, sizeof(out));
    out.pass = true;
    pass = v->check(secret, len, &r.rule, &out);
    cr_assert(eq(int, pass, out.pass), "%s: return value and out->pass disagree", validator);
    return pass;
}

/* NUL-terminated convenience form: vt_check("github-crc32", "ghp_...", NULL). */
#define vt_check(validator, secret, ...) vt_checkn(validator, secret, strlen(secret), __VA_ARGS__)

/* The same character class, a different character ('9'->'0', 'z'->'a', others unchanged). */
static inline char vt_bump(char c)
{
    if (c >= '0' && c <= '9') {
        return (char)('0' + (c - '0' + 1) % 10);
    }
    if (c >= 'a' && c <= 'z') {
        return (char)('a' + (c - 'a' + 1) % 26);
    }
    if (c >= 'A' && c <= 'Z') {
        return (char)('A' + (c - 'A' + 1) % 26);
    }
    return c;
}

static inline char vt_swapcase(char c)
{
    if (c >= 'a' && c <= 'z') {
        return (char)(c - 'a' + 'A');
    }
    if (c >= 'A' && c <= 'Z') {
        return (char)(c - 'A' + 'a');
    }
    return c;
}

/*
 * The checksum contract for one valid token: it passes; every single alphanumeric change
 * in [from, len - tail) fails; dropping the last character (before any '=' padding) fails; dropping
 * the first fails when from == 0 (the checksum covers the prefix); empty input fails. Params as for
 * vt_check, NULL-terminated, at most 3 pairs.
 */
static inline void vt_checksum_contract(const char *validator, const char *token, size_t from,
                                        size_t tail, const char *k1, const char *v1, const char *k2,
                                        const char *v2, const char *k3, const char *v3)
{
    char buf[VT_MAX_TOKEN];
    size_t len = strlen(token);

    cr_assert(len < sizeof(buf));
    cr_assert(vt_checkn(validator, token, len, k1, v1, k2, v2, k3, v3, NULL),
              "%s rejects valid '%s'", validator, token);
    for (size_t i = from; i + tail < len; i++) {
        memcpy(buf, token, len + 1);
        buf[i] = vt_bump(buf[i]);
        if (buf[i] == token[i]) {
            continue;
        }
        cr_assert(not(vt_checkn(validator, buf, len, k1, v1, k2, v2, k3, v3, NULL)),
                  "%s accepts '%s' (position %zu changed)", validator, buf, i);
    }
    /* base64 padding is optional where the issuers' libraries say so: cut a real symbol */
    size_t cut = len;
    while (cut > 0 && token[cut - 1] == '=') {
        cut--;
    }
    cr_assert(cut > 0);
    cr_assert(not(vt_checkn(validator, token, cut - 1, k1, v1, k2, v2, k3, v3, NULL)),
              "%s accepts '%s' truncated by one", validator, token);
    if (from == 0) {
        /* only when the checksum covers the whole token, prefix included */
        cr_assert(not(vt_checkn(validator, token + 1, len - 1, k1, v1, k2, v2, k3, v3, NULL)),
                  "%s accepts '%s' without its first character", validator, token);
    }
    cr_assert(not(vt_checkn(validator, "", 0, k1, v1, k2, v2, k3, v3, NULL)));
}

/* Two pages, the second PROT_NONE; returns the address where the readable page ends. */
static inline uint8_t *vt_guard_alloc(void **base, size_t *maplen)
{
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *p;

    cr_assert(page > 0);
    *maplen = 2 * (size_t)page;
    p = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(p != MAP_FAILED);
    cr_assert(eq(int, mprotect(p + page, (size_t)page, PROT_NONE), 0));
    *base = p;
    return p + page;
}

typedef bool (*vt_bytes_fn)(const uint8_t *buf, size_t len, void *payload);

/*
 * Calls fn on every suffix and every prefix of token[0..len), each placed so that it ends
 * exactly at a PROT_NONE page: any read past the end faults.
 */
static inline void vt_guard_each(const void *token, size_t len, vt_bytes_fn fn, void *payload)
{
    void *base;
    size_t maplen;
    uint8_t *end = vt_guard_alloc(&base, &maplen);
    const uint8_t *t = token;

    cr_assert(len <= maplen / 2);
    for (size_t k = 0; k <= len; k++) {
        memcpy(end - k, t + len - k, k); /* suffix of length k */
        (void)fn(end - k, k, payload);
        memcpy(end - k, t, k); /* prefix of length k */
        (void)fn(end - k, k, payload);
    }
    munmap(base, maplen);
}

struct vt_guard_ctx {
    const struct lh_validator *v;
    const struct lh_rule *rule;
};

static inline bool vt_guard_validator_fn(const uint8_t *buf, size_t len, void *payload)
{
    struct vt_guard_ctx *c = payload;
    struct lh_validation out;

    memset(&out, 0, sizeof(out));
    return c->v->check(buf, len, c->rule, &out);
}

/* vt_guard_each over a validator with a hand-built rule. */
static inline void vt_guard_validator(const char *validator, const struct lh_rule *rule,
                                      const char *token)
{
    struct vt_guard_ctx c = {vt_find(validator), rule};

    vt_guard_each(token, strlen(token), vt_guard_validator_fn, &c);
}

#endif
