/* SPDX-License-Identifier: MIT */
/*
 * A minimal, read-only reader of git's index file (.git/index, versions 2 to 4) for the
 * pre-commit fast path. libgit2 1.5 loads an index by hashing the whole file and allocating
 * every entry, about 1 us per entry: 40-50 ms for a 40,000-file work tree, the whole budget
 * of `leakhound staged`. This reader maps the file, keeps entries as views into it (version 4
 * paths are rebuilt in one arena) and parses the cache-tree (TREE extension) so unchanged
 * directories can be skipped by comparing one object id, as git does. It does not verify the
 * trailing checksum (git does not either, outside fsck) and never writes. Anything it does
 * not fully understand (split or sparse index, other mandatory extensions, merge conflicts,
 * unsorted entries) makes it decline, and the caller uses libgit2 instead. Every offset is
 * bounds-checked against the buffer; sizes derive from the file and are capped.
 */
#ifndef LH_SOURCE_GIT_INDEX_H
#define LH_SOURCE_GIT_INDEX_H

#include "source/libgit2.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LH_GIT_INDEX_MAX_BYTES ((size_t)1 << 30)

struct lh_git_index_entry {
    const char *path; /* NUL-terminated; into the file (v2, v3) or the arena (v4) */
    uint32_t path_len;
    uint32_t mode;      /* 0100644, 0100755, 0120000, 0160000 */
    bool intent_to_add; /* `git add -N`: a placeholder, not content */
    const git_oid *id;  /* into the file (a git_oid is 20 bytes, no alignment) */
};

/* A cache-tree node: the tree the index entries under `name` would write, if known. */
struct lh_git_index_tree {
    const char *name; /* component relative to the parent; "" for the root (not NUL-ended) */
    uint32_t name_len;
    int32_t entries; /* index entries covered; -1 when invalidated */
    uint32_t nkids;
    uint32_t kids; /* first child in lh_git_index.kids */
    git_oid id;    /* valid when entries >= 0 */
};

struct lh_git_index {
    const uint8_t *data; /* the file (mapped or borrowed) */
    size_t size;
    bool mapped;
    struct lh_git_index_entry *entries;
    size_t count;
    size_t entries_mapped;           /* bytes, when entries came from mmap (see git_index.c) */
    char *arena;                     /* v4 paths */
    struct lh_git_index_tree *trees; /* trees[0] is the root, when has_tree */
    size_t ntrees;
    uint32_t *kids; /* child node indices, contiguous per node */
    bool has_tree;
};

/*
 * Parses an index held in buf[0..len) (borrowed; must outlive the index). Returns 0, 1 when
 * the index uses something this reader declines (the caller falls back to libgit2), or
 * LH_EINVAL (malformed; the message gives the offset) / LH_ETOOBIG / LH_ENOMEM.
 */
int lh_git_index_parse(struct lh_git_index *out, const uint8_t *buf, size_t len) LH_WUR;

/*
 * Maps and parses the index file at `path`. Returns as lh_git_index_parse, plus
 * LH_ENOTFOUND when there is no index file (nothing was ever staged) and LH_EIO.
 */
int lh_git_index_load(struct lh_git_index *out, const char *path) LH_WUR;

/* Unmaps the file (when load mapped it) and frees the tables; the struct is left empty. */
void lh_git_index_dispose(struct lh_git_index *ix);

#endif
