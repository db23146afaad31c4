/* SPDX-License-Identifier: MIT */
/*
 * Commit lists for history scans: every commit reachable from a set of tips, the commits
 * of a revision range, or the commits nothing reaches, in topological order with the oldest
 * first (parents before children; among commits whose parents are all listed, the earliest
 * committer date first, as `git log --date-order --reverse`). The walk is our own rather
 * than git_revwalk's because libgit2 1.5 stops at the first unreadable commit and knows
 * nothing of shallow clones: here a missing or corrupt commit is reported once and treated
 * as a root, and the parents cut off by a shallow clone are skipped silently. Ranges use
 * git's algorithm (walk newest first, propagate "uninteresting" from the base, stop when
 * only uninteresting commits are queued); clock skew can only make a range larger, never
 * drop a commit. Each commit's tree id is kept, so the tree walk does not read commits again.
 */
#ifndef LH_SOURCE_GIT_REVLIST_H
#define LH_SOURCE_GIT_REVLIST_H

#include "source/git.h"
#include "source/git_oidmap.h"
#include "source/libgit2.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LH_GIT_MAX_COMMITS ((size_t)1 << 31)

struct lh_git_revlist {
    git_oid *ids;   /* commits, oldest first */
    git_oid *trees; /* their root trees (zero id: unreadable commit) */
    size_t count;
    git_oid *boundary_trees; /* ranges: trees of the parents just outside the range */
    size_t nboundary;
    size_t errors; /* unreadable commits (each named in a warning) */
};

/*
 * Every commit reachable from `tips` (commit ids), oldest first. `shallow` silences missing
 * parents. Unreadable commits are warned about (warn may be NULL) and counted in ->errors.
 * Returns 0 or a negative code (LH_ENOMEM, LH_ETOOBIG).
 */
int lh_git_revlist_reachable(struct lh_git_revlist *out, git_repository *repo, const git_oid *tips,
                             size_t ntips, bool shallow, lh_git_warn_fn warn, void *payload) LH_WUR;

/*
 * The commits reachable from `include` but not from `exclude`, oldest first, with the trees
 * of the excluded parents of range commits in ->boundary_trees (what the range builds on).
 * Returns 0 or a negative code.
 */
int lh_git_revlist_difference(struct lh_git_revlist *out, git_repository *repo,
                              const git_oid *include, size_t ninclude, const git_oid *exclude,
                              size_t nexclude, bool shallow, lh_git_warn_fn warn,
                              void *payload) LH_WUR;

/*
 * The commits reachable from `tip` whose committer date is at or after `since` (Unix
 * seconds), oldest first, with the trees of their older parents in ->boundary_trees. As
 * `git log --since`, the walk stops below the date: a commit dated later than an older
 * ancestor (clock skew) behind it is not listed. Returns 0 or a negative code.
 */
int lh_git_revlist_since(struct lh_git_revlist *out, git_repository *repo, const git_oid *tip,
                         int64_t since, bool shallow, lh_git_warn_fn warn, void *payload) LH_WUR;

/* Frees the arrays; the struct is left empty. */
void lh_git_revlist_dispose(struct lh_git_revlist *l);

#endif
