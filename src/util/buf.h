/* SPDX-License-Identifier: MIT */
/*
 * Bounded growable byte buffer. Every buffer has a cap; growth past it fails with
 * LH_ETOOBIG instead of aborting, so sizes that come from input can never exhaust memory.
 * The content is always NUL-terminated one byte past `len` (not counted) for convenience,
 * but the content itself may contain NUL bytes.
 */
#ifndef LH_UTIL_BUF_H
#define LH_UTIL_BUF_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lh_buf {
    char *ptr;
    size_t len;
    size_t alloc;
    size_t cap;   /* maximum len; 0 means SIZE_MAX/2 */
    size_t dirty; /* high-water mark of len across lh_buf_clear calls (for lh_buf_wipe) */
};

/* Initializes an empty buffer with the given cap (0: effectively unbounded). */
void lh_buf_init(struct lh_buf *b, size_t cap);

/* Frees the memory; the buffer is left empty and reusable. */
void lh_buf_dispose(struct lh_buf *b);

/*
 * Like dispose, but first overwrites every byte that was ever part of the content (up to the
 * largest len since init, plus the terminator), not the whole allocation: a worker's 256 KiB
 * read buffer that only ever held small files costs a few bytes to wipe, not 64 page faults.
 */
void lh_buf_wipe(struct lh_buf *b);

/* Ensures room for `extra` more bytes. LH_ETOOBIG past the cap, LH_ENOMEM. */
int lh_buf_grow(struct lh_buf *b, size_t extra) LH_WUR;

/*
 * Makes room for `total` bytes of content in one allocation of exactly that size (plus
 * the terminator), for a size known in advance; never shrinks. LH_ETOOBIG past the cap,
 * LH_ENOMEM.
 */
int lh_buf_reserve(struct lh_buf *b, size_t total) LH_WUR;

int lh_buf_put(struct lh_buf *b, const void *data, size_t len) LH_WUR;
int lh_buf_puts(struct lh_buf *b, const char *s) LH_WUR;
int lh_buf_putc(struct lh_buf *b, char c) LH_WUR;
int lh_buf_printf(struct lh_buf *b, const char *fmt, ...) LH_PRINTF(2, 3) LH_WUR;

/* Empties the buffer, keeping its memory. */
void lh_buf_clear(struct lh_buf *b);

/* Moves the content out as a NUL-terminated heap string (caller frees); buffer is reset. */
char *lh_buf_take(struct lh_buf *b);

/* Whether needle[0..n) occurs in hay[0..hlen) (an empty needle does); memchr finds the
 * candidates for its first byte. */
bool lh_mem_contains(const void *hay, size_t hlen, const void *needle, size_t n);

#endif
