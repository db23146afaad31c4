/* SPDX-License-Identifier: MIT */
/*
 * File and directory scanning: a walker (main thread) feeds paths through a bounded queue
 * to worker threads, each with its own detector scratch and read buffer. Directories are
 * walked recursively, `.git` directories skipped, symlinks not followed unless asked (then
 * with loop detection), files over max_file_size and binary files (a NUL byte in the first
 * 8000 bytes, as git decides) skipped and counted. Warnings (unreadable files) go through
 * a callback; the scan goes on and the stats say so.
 */
#ifndef LH_ENGINE_SCAN_H
#define LH_ENGINE_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "finding/detect.h"
#include "finding/finding.h"

typedef void (*lh_warn_fn)(const char *msg, void *payload);

struct lh_scan_stats {
    atomic_size_t files;          /* scanned */
    atomic_size_t bytes;          /* scanned */
    atomic_size_t skipped_binary;
    atomic_size_t skipped_large;
    atomic_size_t skipped_other; /* symlinks, devices, sockets */
    atomic_size_t errors;        /* unreadable inputs */
};

struct lh_scan_opts {
    size_t threads;          /* 0: all cores */
    size_t max_file_size;    /* 0: 25 MiB */
    bool follow_symlinks;
    bool scan_binary;        /* scan files with NUL bytes too */
    const struct lh_strlist *exclude; /* path globs (fnmatch, '*' crosses '/') */
    lh_warn_fn warn;
    void *warn_payload;
};

#define LH_DEFAULT_MAX_FILE_SIZE (25u * 1024u * 1024u)

/*
 * Scans the given paths ("-" is stdin) and appends findings to out. Returns 0, or a negative
 * code for a fatal error (a top-level path that does not exist: LH_EIO, message names it).
 */
int lh_scan_paths(const struct lh_detector *d, const char *const *paths, size_t npaths,
                  const struct lh_scan_opts *o, struct lh_findings *out,
                  struct lh_scan_stats *stats) LH_WUR;

/* True if the buffer looks binary (NUL in the first 8000 bytes). */
bool lh_scan_is_binary(const uint8_t *buf, size_t len);

/* Finding callback that pushes into a struct lh_findings (payload). */
int lh_scan_collect(struct lh_finding *f, void *payload);

/* True if path matches any glob of the list (NULL list: false). */
bool lh_scan_excluded(const struct lh_strlist *globs, const char *path);

#endif
