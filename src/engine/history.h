/* SPDX-License-Identifier: MIT */
/*
 * Git history and staged scanning. The history pipeline: list the ref tips; list their
 * commits oldest first (or a range's); walk the commits' trees in parallel slices, skipping
 * trees already seen, to record each unique blob once with its introducing commit and path;
 * order the blobs by their place in the pack files, backwards (git_odb_foreach enumerates
 * packs in offset order), so libgit2's delta-base cache holds the bases each read needs; then
 * worker threads, each with its own repository handle and detector scratch, read and scan
 * consecutive batches through a bounded queue. Blob contents are never held beyond the
 * worker that scans them; memory grows only with the number of objects (about 100 bytes per
 * tree or blob). Findings are then reduced to one per secret and path (the earliest blob
 * version that holds it), given commit provenance, and the tips that still contain them.
 * Unreadable objects are warned about by id and counted as errors; the scan goes on.
 */
#ifndef LH_ENGINE_HISTORY_H
#define LH_ENGINE_HISTORY_H

#include "engine/scan.h"
#include "finding/detect.h"
#include "finding/finding.h"
#include "source/git_range.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lh_history_stats {
    atomic_size_t commits; /* commits walked */
    atomic_size_t commits_total;
    atomic_size_t blobs_total; /* unique blobs to scan */
    atomic_size_t blobs;       /* blobs read (scanned or skipped) */
    atomic_size_t scanned;     /* blobs scanned */
    atomic_size_t bytes;       /* bytes read */
    atomic_size_t skipped_binary;
    atomic_size_t skipped_large;
    atomic_size_t errors; /* unreadable refs, commits, trees and blobs */
    atomic_int phase;     /* enum lh_history_phase */
    bool shallow;
};

enum lh_history_phase {
    LH_HISTORY_START = 0,
    LH_HISTORY_WALK,   /* listing commits and walking trees */
    LH_HISTORY_SCAN,   /* reading and scanning blobs */
    LH_HISTORY_REPORT, /* provenance of findings */
};

/* Called about every progress_interval seconds from a helper thread while a scan runs. */
typedef void (*lh_history_progress_fn)(const struct lh_history_stats *st, double elapsed,
                                       void *payload);

struct lh_history_opts {
    size_t threads;       /* 0: all cores */
    size_t max_file_size; /* 0: LH_DEFAULT_MAX_FILE_SIZE */
    bool scan_binary;
    bool all_objects;  /* also unreachable objects of the object database */
    const char *range; /* NULL: every ref; else "BASE..HEAD", "A...B" or "REV" */
    /* with range: the branch to compare with when BASE is missing or all zeros (NULL: the
     * default branch; see source/git_range.h) */
    const char *range_fallback;
    int64_t since;                  /* > 0 (range NULL): commits of HEAD from this time */
    const struct lh_git_push *push; /* pre-push updates (range NULL): the pushed commits */
    const char *push_remote;        /* the hook's remote argument */
    lh_warn_fn notice; /* a fallback taken, in one line (may be NULL; gets warn_payload) */
    const struct lh_strlist *exclude;
    const struct lh_archive_limits *archive; /* blobs that are archives: see lh_scan_opts */
    lh_warn_fn warn; /* may be NULL; called from any thread */
    void *warn_payload;
    lh_history_progress_fn progress; /* may be NULL */
    void *progress_payload;
    double progress_interval; /* 0: 0.2 s */
};

/*
 * Scans the history of the repository at or above `repo_path`, appending findings (with
 * commit, author, date, message, blob and refs) to out. Returns 0 (unreadable objects are
 * counted in st->errors, not returned), LH_ENOTFOUND (not a repository), LH_EUSAGE (unknown
 * revision, bad range) or another negative code. Thread-safe for distinct outputs.
 */
int lh_history_scan(const struct lh_detector *d, const char *repo_path,
                    const struct lh_history_opts *o, struct lh_findings *out,
                    struct lh_history_stats *st) LH_WUR;

/*
 * Scans the staged changes (index against HEAD) of the work tree at or above `repo_path`,
 * appending findings that touch added or changed lines, with staged paths and line numbers.
 * st->scanned counts the files scanned. Returns 0, LH_ENOTFOUND, LH_EUSAGE (a bare
 * repository) or another negative code. The same as the three calls below.
 */
int lh_history_staged(const struct lh_detector *d, const char *repo_path,
                      const struct lh_history_opts *o, struct lh_findings *out,
                      struct lh_history_stats *st) LH_WUR;

/* The repository and its list of staged changes, between open and scan. */
struct lh_staged;

/*
 * Opens the repository and lists its staged changes. It needs no detector, so a caller can
 * run it on another thread while it builds one (the pre-commit path's startup: libgit2's
 * initialization alone takes ~6 ms). *out is always set; free it with lh_history_staged_free
 * whatever the result. Returns 0, LH_ENOTFOUND, LH_EUSAGE (bare repository) or negative.
 */
int lh_history_staged_open(struct lh_staged **out, const char *repo_path, bool scan_binary) LH_WUR;

/* Scans what lh_history_staged_open listed (same thread rules as lh_history_staged). */
int lh_history_staged_scan(struct lh_staged *s, const struct lh_detector *d,
                           const struct lh_history_opts *o, struct lh_findings *out,
                           struct lh_history_stats *st) LH_WUR;

/* Frees what open made (NULL is a no-op). */
void lh_history_staged_free(struct lh_staged *s);

#endif
