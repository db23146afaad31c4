/* SPDX-License-Identifier: MIT */
/*
 * The git history input: every unique blob of every ref once (or of a commit range, or with
 * the unreachable objects too). Its prepare, on the calling thread: list the ref tips; list
 * their commits oldest first (or a range's); walk the commits' trees in parallel slices,
 * skipping trees already seen, to record each unique blob once with its introducing commit
 * and a path; add what tags on trees and blobs reach and, with all_objects, what nothing
 * reaches; then, for 4,096 blobs or more, plan reading the packed ones by delta family
 * (source/git_family.h: each object inflated once). Its jobs are the plan's family jobs, the
 * largest first, then runs of 16 blobs read one by one through libgit2 (everything in a
 * small scan, and what the plan could not place); each worker reads through its own
 * repository handle and pack scratch and hands each blob to the driver as an item (origin:
 * the blob id and its path). A blob's content is held only while it is scanned or, in a
 * family, while the versions derived from it are (at most 8 size limits per worker); other
 * memory grows only with the number of objects (about 150 bytes per tree or blob).
 * Unreadable objects are warned about by id and counted as errors; the scan goes on.
 *
 * Which commit introduced a finding and which refs still hold it is not this input's
 * business: engine/provenance.h does it afterwards from lh_input_history_view.
 */
#ifndef LH_SOURCE_INPUT_HISTORY_H
#define LH_SOURCE_INPUT_HISTORY_H

#include "source/git.h"
#include "source/git_range.h"
#include "source/git_walk.h"
#include "source/input.h"
#include "source/libgit2.h"

#include <stdbool.h>
#include <stddef.h>

/* What the history input knows once prepared: read-only from then on. */
struct lh_git_history {
    git_repository *repo;
    const struct lh_git_tips *tips;
    const git_oid *commits; /* commit index (lh_git_walk blob entries' `a`) -> id */
    size_t ncommits;
    const struct lh_git_walk *walk; /* blob -> introducing commit index and path */
    const git_oid *boundary_trees;  /* a range's base: the trees it builds on */
    size_t nboundary;
};

/*
 * Makes the input for the repository at or above repo_path (borrowed). select (copied; its
 * strings and push borrowed) chooses commits as source/git_range.h says (its shallow, warn
 * and payload are the input's own); NULL scans every ref and, with all_objects, the
 * unreachable objects too. Initializes libgit2 (loading it on first use). *out is set on
 * success only. Its prepare returns LH_ENOTFOUND (not a repository), LH_EUSAGE (unknown
 * revision, bad range) or another negative code. Returns 0 or a negative code.
 */
int lh_input_history_new(struct lh_input **out, const char *repo_path,
                         const struct lh_git_range_req *select, bool all_objects,
                         const struct lh_input_env *env) LH_WUR;

/* The prepared history (borrowed from in, which must be a history input that was run). */
const struct lh_git_history *lh_input_history_view(const struct lh_input *in);

#endif
