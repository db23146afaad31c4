/* SPDX-License-Identifier: MIT */
/*
 * The tree walk of a history scan: for each commit, oldest first, its root tree is walked
 * and every tree already seen is skipped, so the cost follows the number of unique trees,
 * not commits x files. Each blob seen for the first time is recorded with the commit that
 * introduced it and the path it had there; a blob that first appears in a merge commit's
 * tree (a conflict resolution) is therefore attributed to the merge. A walker can be given
 * a read-only `base` walker whose trees and blobs count as seen: the boundary of a range,
 * or the reachable history when unreachable commits are walked. Walkers over consecutive
 * slices of the commit list can run in parallel (one per thread, each with its own
 * repository handle) and be merged in order: the result is the same as one sequential walk.
 * Unreadable trees are warned about, counted and skipped. Paths excluded by the caller are
 * not recorded, so the blob is still recorded if it shows up later at another path.
 */
#ifndef LH_SOURCE_GIT_WALK_H
#define LH_SOURCE_GIT_WALK_H

#include "source/git.h"
#include "source/git_oidmap.h"
#include "source/git_strtab.h"
#include "source/libgit2.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Values of a blob entry's `a` (otherwise: commit index in the commit list). */
#define LH_GIT_NO_COMMIT                                                                           \
    (UINT32_MAX - 1)             /* reachable from a tag on a tree or blob, or unreachable */
#define LH_GIT_SEEDED UINT32_MAX /* known before the range: not to be scanned */

#define LH_GIT_MAX_TREE_DEPTH 512

/* Returns true to leave a blob path out (e.g. --exclude). */
typedef bool (*lh_git_skip_fn)(const char *path, void *payload);

struct lh_git_walk {
    git_repository *repo;           /* borrowed */
    const struct lh_git_walk *base; /* borrowed, read-only; may be NULL */
    struct lh_git_oidmap trees;     /* seen trees */
    struct lh_git_oidmap blobs;     /* blob -> a: commit index, b: path id */
    struct lh_git_strtab paths;
    struct lh_buf path; /* scratch: the current directory */
    lh_git_skip_fn skip;
    void *skip_payload;
    lh_git_warn_fn warn;
    void *warn_payload;
    size_t errors; /* unreadable trees */
    size_t trees_read;
};

/* Initializes a walker on `repo` (borrowed; one thread at a time). */
void lh_git_walk_init(struct lh_git_walk *w, git_repository *repo);
/* Frees the seen-sets and paths (not the repository); the walker is left empty. */
void lh_git_walk_dispose(struct lh_git_walk *w);

/*
 * Walks `tree` as the root tree of commit number `commit` (or LH_GIT_NO_COMMIT /
 * LH_GIT_SEEDED), recording blobs not seen before under `prefix` (NULL for none). Returns 0
 * or a fatal negative code; unreadable trees are only warned about and counted.
 */
int lh_git_walk_tree(struct lh_git_walk *w, const git_oid *tree, uint32_t commit,
                     const char *prefix) LH_WUR;

/* Records one blob (a tag pointing at a blob, an unreachable blob). Returns 0 or negative. */
int lh_git_walk_blob(struct lh_git_walk *w, const git_oid *blob, uint32_t commit,
                     const char *path) LH_WUR;

/* Whether a tree or blob is already known to this walker or its base. */
bool lh_git_walk_seen_tree(const struct lh_git_walk *w, const git_oid *tree);
bool lh_git_walk_seen_blob(const struct lh_git_walk *w, const git_oid *blob);

/*
 * Moves what `src` (the walk of a later slice of commits) found into `dst`: blobs dst
 * already has keep their earlier attribution; trees are merged only when `trees` is set.
 * src is left empty. Returns 0 or a negative code.
 */
int lh_git_walk_merge(struct lh_git_walk *dst, struct lh_git_walk *src, bool trees) LH_WUR;

/*
 * For provenance: which tips still contain which blobs. `blobs` are n ids; the result is a
 * bit matrix, tips->count rows of `*words` 64-bit words, bit j of row i set when tip i's
 * tree (anywhere below it) or the tip itself is blob j. Each distinct tree is read once.
 * *out is heap (free()). Returns 0 or a negative code; unreadable trees count as empty.
 */
int lh_git_walk_tips_containing(uint64_t **out, size_t *words, git_repository *repo,
                                const struct lh_git_tips *tips, const git_oid *blobs,
                                size_t n) LH_WUR;

#endif
