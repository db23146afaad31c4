/* SPDX-License-Identifier: MIT */
/*
 * Git input through libgit2 (never a `git` subprocess): opening a repository (work tree,
 * bare, linked work tree or shallow clone), one extra repository handle per worker thread,
 * the ref tips a history scan starts from, commit metadata for provenance and bounded blob
 * reads (commit lists are in git_revlist.h, tree walks in git_walk.h). libgit2 is set up
 * once for a read-only scanner: object hashes are not re-verified on read (the id is
 * already trusted; `git fsck` checks hashes), the object cache is off (the walk never reads
 * an object twice, so the cache only churned), pack windows are capped so mapped pack files
 * stay well under the memory budget, and repository ownership is not checked (we never run
 * hooks or config-defined commands). Errors carry libgit2's message and name the
 * repository, object or revision.
 */
#ifndef LH_SOURCE_GIT_H
#define LH_SOURCE_GIT_H

#include "source/input.h"
#include "source/libgit2.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*lh_git_warn_fn)(const char *msg, void *payload);

/* The id of the empty blob, which `git add -N` stages without writing it. */
#define LH_GIT_EMPTY_BLOB "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"

/*
 * Initializes libgit2 with the scanner's options (reference-counted: pair with
 * lh_git_global_shutdown). Thread-safe. Returns 0 or LH_EGIT.
 */
int lh_git_global_init(void) LH_WUR;
void lh_git_global_shutdown(void);

/*
 * Opens the repository at or above `path` (a work tree, a subdirectory of one, a .git
 * directory or a bare repository). Returns 0, LH_ENOTFOUND ("'path' is not a git
 * repository") or LH_EGIT. *out is freed with git_repository_free.
 */
int lh_git_open(git_repository **out, const char *path) LH_WUR;

/*
 * Opens a second handle on the object store of `repo` (for a worker thread; libgit2 handles
 * must not be shared between threads). Returns 0 or LH_EGIT.
 */
int lh_git_reopen(git_repository **out, git_repository *repo) LH_WUR;

/* Sets the thread's error to "<what>: <libgit2's last message>" and returns LH_EGIT. */
int lh_git_fail(const char *what_fmt, ...) LH_PRINTF(1, 2) LH_WUR;

/* Lowercase hex of an object id into out (41 bytes). */
void lh_git_hex(char out[GIT_OID_HEXSZ + 1], const git_oid *id);

/* A place a history scan starts from: a ref (or HEAD, or a stash reflog entry), peeled. */
struct lh_git_tip {
    char *name;        /* "refs/heads/main", "HEAD", "refs/stash@{1}" (owned) */
    git_oid id;        /* the object after peeling tags */
    git_object_t type; /* GIT_OBJECT_COMMIT, _TREE or _BLOB */
};

struct lh_git_tips {
    struct lh_git_tip *items;
    size_t count;
};

/*
 * Lists every ref (branches, tags, remote branches, notes, stash, anything under refs/),
 * HEAD when detached, and the older stash entries of the stash reflog, with tags peeled to
 * what they point at. Broken refs are reported through warn (may be NULL) and skipped; the
 * count of them is added to *broken. Sorted by name. Returns 0 or a negative code.
 */
int lh_git_tips_load(struct lh_git_tips *out, git_repository *repo, lh_git_warn_fn warn,
                     void *payload, size_t *broken) LH_WUR;
/* Frees the names and the array; the struct is left empty. */
void lh_git_tips_dispose(struct lh_git_tips *t);

/* Provenance of a commit, for findings. All strings owned. */
struct lh_git_commit_info {
    char *author;  /* "Name <email>" */
    char *date;    /* author date, ISO 8601 with the author's UTC offset */
    char *summary; /* first line of the message */
};

/* Reads a commit's metadata. Returns 0 or LH_EGIT (names the commit). */
int lh_git_commit_info_load(struct lh_git_commit_info *out, git_repository *repo,
                            const git_oid *commit) LH_WUR;
/* Frees the strings; the struct is left empty. */
void lh_git_commit_info_dispose(struct lh_git_commit_info *ci);

/*
 * Reads a blob of at most `max` bytes. The size is checked from the object header before
 * anything is inflated, so a huge blob costs no memory. Returns 0 (*out freed with
 * git_odb_object_free), LH_ETOOBIG (message gives the size), LH_EINVAL (the object is not
 * a blob) or LH_EGIT (missing or corrupt; the message names the object id).
 */
int lh_git_blob_read(git_odb_object **out, git_odb *odb, const git_oid *id, size_t max) LH_WUR;

/*
 * Reads the blob `id` (at most env's max_file_size) and hands it to sink as one item (origin:
 * the blob's hex id at `path`; `lines`, which may be NULL, filters its findings), wiping the
 * object after a finding. A blob over the limit is counted as skipped (no warning). Returns
 * 0, LH_EGIT or LH_EINVAL when it cannot be read (nothing counted: the caller knows where the
 * blob was and warns with lh_input_skip), or a fatal negative code from the read or the sink.
 */
int lh_git_blob_scan(git_odb *odb, const git_oid *id, const char *path, lh_line_filter_fn lines,
                     const void *lines_payload, const struct lh_input_env *env,
                     struct lh_sink *sink) LH_WUR;

#endif
