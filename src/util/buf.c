/* SPDX-License-Identifier: MIT */
/* Bounded growable byte buffer; see buf.h. */
#include "util/buf.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lh_buf_init(struct lh_buf *b, size_t cap)
{
    b->ptr = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap ? cap : SIZE_MAX / 2;
    b->dirty = 0;
}

void lh_buf_dispose(struct lh_buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->alloc = 0;
}

void lh_buf_wipe(struct lh_buf *b)
{
    if (b->ptr) {
        size_t used = (b->dirty > b->len ? b->dirty : b->len) + 1;
        OPENSSL_cleanse(b->ptr, used < b->alloc ? used : b->alloc);
    }
    lh_buf_dispose(b);
    b->dirty = 0;
}

int lh_buf_grow(struct lh_buf *b, size_t extra)
{
    if (extra > b->cap || b->len > b->cap - extra) {
        lh_error_set("buffer limit of %zu bytes exceeded", b->cap);
        return LH_ETOOBIG;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->alloc) {
        return 0;
    }
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need) {
        n = n > SIZE_MAX / 2 ? need : n * 2;
    }
    char *p = realloc(b->ptr, n);
    if (!p) {
        return lh_error_oom();
    }
    b->ptr = p;
    b->alloc = n;
    return 0;
}

int lh_buf_reserve(struct lh_buf *b, size_t total)
{
    if (total > b->cap) {
        lh_error_set("buffer limit of %zu bytes exceeded", b->cap);
        return LH_ETOOBIG;
    }
    if (total + 1 <= b->alloc) {
        return 0;
    }
    char *p = realloc(b->ptr, total + 1);
    if (!p) {
        return lh_error_oom();
    }
    b->ptr = p;
    b->alloc = total + 1;
    return 0;
}

int lh_buf_put(struct lh_buf *b, const void *data, size_t len)
{
    int rc = lh_buf_grow(b, len);
    if (rc < 0) {
        return rc;
    }
    if (len) {
        memcpy(b->ptr + b->len, data, len);
    }
    b->len += len;
    b->ptr[b->len] = '\0';
    return 0;
}

int lh_buf_puts(struct lh_buf *b, const char *s)
{
    return lh_buf_put(b, s, strlen(s));
}

int lh_buf_putc(struct lh_buf *b, char c)
{
    return lh_buf_put(b, &c, 1);
}

int lh_buf_printf(struct lh_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        lh_error_set("formatting failed");
        return LH_ERROR;
    }
    int rc = lh_buf_grow(b, (size_t)n);
    if (rc < 0) {
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void lh_buf_clear(struct lh_buf *b)
{
    if (b->len > b->dirty) {
        b->dirty = b->len;
    }
    b->len = 0;
    if (b->ptr) {
        b->ptr[0] = '\0';
    }
}

char *lh_buf_take(struct lh_buf *b)
{
    char *p = b->ptr;
    if (!p) {
        p = calloc(1, 1);
    }
    b->ptr = NULL;
    b->len = 0;
    b->alloc = 0;
    return p;
}

bool lh_mem_contains(const void *hay, size_t hlen, const void *needle, size_t n)
{
    const uint8_t *nd = needle;
    if (n == 0 || n > hlen) {
        return n == 0;
    }
    /* memchr (vectorised) finds the candidates for the first byte */
    const uint8_t *p = hay;
    const uint8_t *last = p + (hlen - n); /* the last place a match can start */
    while (p <= last && (p = memchr(p, nd[0], (size_t)(last - p) + 1)) != NULL) {
        if (memcmp(p + 1, nd + 1, n - 1) == 0) {
            return true;
        }
        p++;
    }
    return false;
}
