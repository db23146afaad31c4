/* SPDX-License-Identifier: MIT */
/*
 * What no ref reaches (history --all-objects): the objects of the object database that a
 * finished walk has not seen, sorted by type. Commits become a commit list of their own
 * (oldest first, minus what the ref tips reach, as lh_git_revlist_difference gives it);
 * trees and blobs that no listed commit holds stay loose lists. Listing only: the caller
 * walks the result into its blob table. Objects whose header cannot be read are warned
 * about by id and left out.
 */
#ifndef LH_SOURCE_GIT_UNREACHABLE_H
#define LH_SOURCE_GIT_UNREACHABLE_H

#include "source/git.h"
#include "source/git_revlist.h"
#include "source/git_walk.h"
#include "source/libgit2.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

struct lh_git_unreachable {
    struct lh_git_revlist commits; /* unreachable commits, oldest first, with their trees */
    git_oid *trees;                /* trees the walk has not seen */
    size_t ntrees;
    git_oid *blobs; /* blobs the walk has not seen */
    size_t nblobs;
};

/*
 * Lists the unreachable objects of repo: neither seen by `walk` nor among the `known`
 * commits; the commit list excludes what the commit `tips` reach. Warnings (unreadable
 * objects and commits) go to warn, which may be NULL. Returns 0 or a negative code; *out is
 * to be disposed of whatever the result.
 */
int lh_git_unreachable_list(struct lh_git_unreachable *out, git_repository *repo,
                            const struct lh_git_walk *walk, const git_oid *known, size_t nknown,
                            const git_oid *tips, size_t ntips, bool shallow, lh_git_warn_fn warn,
                            void *payload) LH_WUR;

/* Frees the lists; the struct is left empty. */
void lh_git_unreachable_dispose(struct lh_git_unreachable *u);

#endif
