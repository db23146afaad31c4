/* SPDX-License-Identifier: MIT */
/*
 * File and directory scanning: a walker (main thread) feeds paths through a bounded queue
 * to worker threads, each with its own detector scratch and read buffer. Directories are
 * walked recursively, `.git` directories skipped, symlinks not followed unless asked (then
 * with loop detection), files over max_file_size and binary files (a NUL byte in the first
 * 8000 bytes, as git decides) skipped and counted. Warnings (unreadable files) go through
 * a callback; the scan goes on and the stats say so. Archives (recognised by their first
 * bytes, before the binary check) are walked by archive/archive.h from the open file, their
 * members scanned under "<file>!/<member>" paths and counted as files.
 */
#ifndef LH_ENGINE_SCAN_H
#define LH_ENGINE_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "archive/archive.h"
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
    /* archives are opened and their members scanned ("a.zip!/x"); NULL or max_depth 0:
     * archives are files like any other (binary: skipped) */
    const struct lh_archive_limits *archive;
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

/*
 * Scans the archive in memory `data` (a git blob, stdin) named `path`: each member goes to
 * lh_detect_blob with its display path and cb/payload. Returns 0 (limits and corruption are
 * warned about through warn), LH_ARCHIVE_NOT_ARCHIVE when data is no archive after all
 * (scan it as a plain blob), or a negative code. st may be NULL.
 */
int lh_scan_archive_mem(const struct lh_detector *d, struct lh_detect_scratch *ds,
                        const uint8_t *data, size_t len, const char *path,
                        const struct lh_archive_limits *lim, bool scan_binary, lh_finding_cb cb,
                        void *payload, lh_warn_fn warn, void *warn_payload,
                        struct lh_archive_stats *st) LH_WUR;

/* Whether a blob named path starting with buf[0..len) is to be walked as an archive. */
bool lh_scan_is_archive(const struct lh_archive_limits *lim, const uint8_t *buf, size_t len,
                        const char *path);

/* True if the buffer looks binary (NUL in the first 8000 bytes). */
bool lh_scan_is_binary(const uint8_t *buf, size_t len);

/* Finding callback that pushes into a struct lh_findings (payload). */
int lh_scan_collect(struct lh_finding *f, void *payload);

/* True if path matches any glob of the list (NULL list: false). */
bool lh_scan_excluded(const struct lh_strlist *globs, const char *path);

#endif
