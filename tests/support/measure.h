/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the hardening tests (issue #9): run the leakhound binary with its output in
 * files (hostile inputs can make output large) and measure its peak RSS and wall time with
 * wait4(); write large generated files without holding them in memory; fresh test tokens
 * of several formats from scripts/mktoken.py; find a needle in a byte range. Inputs are
 * generated at test time, never committed. Each measured run is also printed on stderr
 * ("hardening: NAME: peak RSS ... MB, ... s") so CI logs keep the numbers.
 */
#ifndef LH_TEST_SUPPORT_MEASURE_H
#define LH_TEST_SUPPORT_MEASURE_H

#include "support/support.h"

#include <stdbool.h>
#include <stddef.h>

struct hh_run {
    int status;  /* exit code, or 128+signal */
    long rss_kb; /* peak resident set of the child */
    double secs; /* wall time */
    char *out;   /* stdout (heap, NUL-terminated, at most HH_MAX_CAPTURE bytes kept) */
    size_t out_len;
    size_t out_size; /* full stdout size */
    char *err;
    size_t err_len;
    size_t err_size;
};

#define HH_MAX_CAPTURE (8u * 1024u * 1024u)

/*
 * A peak-RSS bound on a run: it holds for the ASan and release builds. A ThreadSanitizer
 * binary (the tsan preset, LH_BIN_TSAN) keeps shadow memory several times the size of what
 * it touches, which makes its RSS meaningless, so there the bound is not checked (the run,
 * its exit code and its findings still are).
 */
static inline bool hh_rss_below(const struct hh_run *r, long kib)
{
    return LH_BIN_TSAN || r->rss_kb < kib;
}

/*
 * Runs LH_BIN with args (NULL-terminated, at most 40) in cwd; name labels the stderr log
 * line. The child's ASan quarantine is capped so that its RSS reflects leakhound's own
 * memory. A run longer than timeout_s is killed (status 128+9).
 */
void hh_lh(struct hh_run *r, const char *name, const char *cwd, int timeout_s, ...);
void hh_run_dispose(struct hh_run *r);

/* Writes `size` bytes to path by repeating `chunk` (in 1 MiB writes); see hh_patch. */
void hh_write_repeat(const char *path, const char *chunk, size_t size);

/* Overwrites bytes of an existing file at offset. */
void hh_patch(const char *path, size_t offset, const void *data, size_t len);

/* A fresh token of a scripts/mktoken.py kind (deterministic for a seed). Heap. */
char *hh_token(const char *kind, int seed);

/* Whether needle occurs in buf[0..len). */
bool hh_contains(const char *buf, size_t len, const char *needle);

/* Path join into a heap string. */
char *hh_path(const char *dir, const char *rel);

#endif
