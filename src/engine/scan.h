/* SPDX-License-Identifier: MIT */
/*
 * The scan entry points of the core for files, directories and stdin, and the options and
 * stats every scan shares (git history and staged changes: engine/history.h). Each entry
 * point builds inputs (source/input_*.h) and runs them through the one scan driver
 * (engine/driver.h); warnings (unreadable files, skipped large files) go through a callback,
 * the scan goes on and the stats say so.
 */
#ifndef LH_ENGINE_SCAN_H
#define LH_ENGINE_SCAN_H

#include "archive/archive.h"
#include "engine/progress.h"
#include "finding/detect.h"
#include "finding/finding.h"
#include "source/input.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lh_git_push;

/* Options of every scan; the git-only ones are ignored by lh_scan_paths. */
struct lh_scan_opts {
    size_t threads;       /* 0: all cores */
    size_t max_file_size; /* 0: LH_DEFAULT_MAX_FILE_SIZE (25 MiB) */
    bool follow_symlinks; /* files: follow links met in directories (loops are detected) */
    bool scan_binary;     /* scan content with NUL bytes too */
    const struct lh_strlist *exclude; /* path globs (fnmatch, '*' crosses '/'); may be NULL */
    /* archives are opened and their members scanned ("a.zip!/x"); NULL or max_depth 0:
     * archives are content like any other (binary: skipped) */
    const struct lh_archive_limits *archive;
    lh_warn_fn warn; /* may be NULL; called from any thread */
    void *warn_payload;
    /* git history (source/git_range.h: at most one of range, since and push) */
    bool all_objects;  /* also unreachable objects of the object database */
    const char *range; /* NULL: every ref; else "BASE..HEAD", "A...B" or "REV" */
    /* with range: the branch to compare with when BASE is missing or all zeros (NULL: the
     * default branch) */
    const char *range_fallback;
    int64_t since;                  /* > 0 (range NULL): commits of HEAD from this time */
    const struct lh_git_push *push; /* pre-push updates (range NULL): the pushed commits */
    const char *push_remote;        /* the hook's remote argument */
    /* git history (every ref): blobs scanned before, left out (audit/); may be NULL */
    const struct lh_blob_filter *blob_filter;
    lh_warn_fn notice;       /* a fallback taken, in one line (may be NULL; gets warn_payload) */
    lh_progress_fn progress; /* may be NULL; called from a helper thread */
    void *progress_payload;
    double progress_interval; /* 0: 0.2 s */
};

/*
 * Scans the given paths ("-" is stdin) and appends findings to out, counting in stats
 * (zeroed by the caller). Returns 0, or a negative code for a fatal error (a top-level path
 * that does not exist: LH_EIO, message names it, before anything is read).
 */
int lh_scan_paths(const struct lh_detector *d, const char *const *paths, size_t npaths,
                  const struct lh_scan_opts *o, struct lh_findings *out,
                  struct lh_scan_stats *stats) LH_WUR;

/* Finding callback that pushes into a struct lh_findings (payload). */
int lh_scan_collect(struct lh_finding *f, void *payload);

/* Fills the input environment of a scan from its options (borrowing o's exclude list). */
void lh_scan_env(struct lh_input_env *env, const struct lh_scan_opts *o,
                 struct lh_scan_stats *stats);

#endif
