/* SPDX-License-Identifier: MIT */
/*
 * Blob reads by delta family, for the history scan. A plan takes the blobs to read, finds
 * each in the pack files (source/git_pack.h) and follows its delta chain to the full object
 * at its root; the blobs and the objects between them form trees ("families"), one per root.
 * Reading a family inflates its root once and derives every member from its parent by one
 * delta, depth first, so each object of the family is inflated once, whatever the chain
 * depth and the number of threads (libgit2 would resolve each blob's whole chain alone).
 * Families are grouped into jobs, the largest first; the blobs the plan cannot place (loose,
 * in an alternate, behind a delta base in another pack or a corrupt entry) and the members
 * of a family that cannot be read here (a root that is no blob, a size over the limit, a
 * malformed delta, a family over the memory budget) are handed to the caller's fallback,
 * which reads them one by one through libgit2 and reports problems as before. Memory: about
 * 48 bytes per family member and 4 bytes per packed object while planned; while read, the
 * buffers of the current path from the root (a parent is freed before its last child is
 * read), at most `budget` bytes per reader. A plan is read-only once made: readers on
 * different threads share it, each with its own scratch.
 */
#ifndef LH_SOURCE_GIT_FAMILY_H
#define LH_SOURCE_GIT_FAMILY_H

#include "source/git_pack.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>

#define LH_GIT_FAMILY_NONE UINT32_MAX

struct lh_git_family_node;

struct lh_git_family_plan {
    struct lh_git_packs packs;
    struct lh_git_family_node *nodes;
    size_t nnodes;
    size_t nodes_alloc;
    uint32_t *children; /* CSR: node i's children are children[first[i] .. first[i + 1]) */
    uint32_t *first;
    uint32_t *roots; /* families with at least one blob to read, grouped into jobs */
    size_t nroots;
    size_t *job_start; /* job j reads roots[job_start[j] .. job_start[j + 1]) */
    size_t njobs;
    uint32_t *fallback; /* item indices the plan could not place */
    size_t nfallback;
};

/* Returns the 20-byte id of item i of the caller's list. */
typedef const uint8_t *(*lh_git_family_id_fn)(size_t i, const void *items);

/*
 * Plans reading the n items (ids through id_of) from the packs under objects_dir (borrowed).
 * Every item ends in exactly one family or in ->fallback. Returns 0 or LH_ENOMEM/LH_ETOOBIG.
 */
int lh_git_family_plan(struct lh_git_family_plan *out, const char *objects_dir,
                       lh_git_family_id_fn id_of, const void *items, size_t n) LH_WUR;

void lh_git_family_plan_dispose(struct lh_git_family_plan *p);

/*
 * Scans item `item` whose content is buf[0..len) (a private heap buffer, NUL after it).
 * Returns >= 0 (> 0: the buffer held a secret and is wiped before it is freed) or a negative
 * code that stops the read.
 */
typedef int (*lh_git_family_visit_fn)(uint32_t item, const uint8_t *buf, size_t len, void *payload);
/* Reads item `item` another way (libgit2). Returns 0 or a negative code that stops. */
typedef int (*lh_git_family_fallback_fn)(uint32_t item, void *payload);

/*
 * Reads job `job` of plan p: every item of its families goes to visit or, when it cannot
 * be read here, to fallback, exactly once. max: the largest object materialized (bigger
 * ones and their descendants go to fallback); budget: bytes held at once. Returns 0 or the
 * first negative code of a callback or LH_ENOMEM.
 */
int lh_git_family_read(const struct lh_git_family_plan *p, size_t job,
                       struct lh_git_pack_scratch *s, size_t max, size_t budget,
                       lh_git_family_visit_fn visit, lh_git_family_fallback_fn fallback,
                       void *payload) LH_WUR;

#endif
