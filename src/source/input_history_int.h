/* SPDX-License-Identifier: MIT */
/*
 * The history input's state, shared by its two files: input_history.c (prepare, the blob
 * order, jobs and reads) and input_history_walk.c (the commit list walked in parallel
 * slices, other tips, unreachable objects). Nothing outside src/source/ includes it.
 */
#ifndef LH_SOURCE_INPUT_HISTORY_INT_H
#define LH_SOURCE_INPUT_HISTORY_INT_H

#include "source/git_family.h"
#include "source/git_revlist.h"
#include "source/input_history.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One blob to read: a copy of its table entry, so workers never touch the table. */
struct item {
    git_oid id;
    uint32_t commit; /* commit index, or LH_GIT_NO_COMMIT */
    uint32_t path;   /* path id in the merged walk */
};

struct history {
    struct lh_input base;
    const char *repo_path;
    struct lh_git_range_req select; /* used when selective */
    bool selective;                 /* a range, a date or a push: not every ref and object */
    bool all_objects;
    bool git_ready; /* lh_git_global_init succeeded: shut down on free */
    size_t max_size;
    size_t threads;
    git_repository *repo;
    bool shallow;
    struct lh_git_tips tips;
    struct lh_git_revlist rl;
    git_oid *commits; /* commit index -> id: the commit list, then unreachable commits */
    size_t ncommits;
    struct lh_git_walk seed; /* range boundary: known content, never reported */
    struct lh_git_walk walk; /* the merged result */
    struct item *order;
    size_t norder;
    size_t order_alloc;
    struct lh_git_family_plan plan; /* large scans: the order read by delta family */
    bool by_family;
    struct lh_git_history view;
};

/* The walk's warning callback: reports msg as an input error (payload: the history). */
void lh_history_walk_warn(const char *msg, void *payload);

/* The commits among the tips (heap, *out; free()); 0 or LH_ENOMEM. */
int lh_history_commit_tips(git_oid **out, size_t *n, const struct lh_git_tips *tips) LH_WUR;

/* Walks the commit list in parallel slices into h->walk (merged in order). 0 or negative. */
int lh_history_walk_commits(struct history *h) LH_WUR;

/* Adds the trees and blobs that tips which are not commits point at (tags of trees, blobs). */
int lh_history_walk_other_tips(struct history *h) LH_WUR;

/* Adds unreachable commits and objects (--all-objects). 0 or negative. */
int lh_history_walk_unreachable(struct history *h) LH_WUR;

#endif
