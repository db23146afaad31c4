/* SPDX-License-Identifier: MIT */
/*
 * A minimal read-only reader of a repository's pack files, for the history scan's blob
 * reads (source/git_family.h): the version-2 .idx of every pack in objects/pack, object
 * headers, zlib inflation into exact-size buffers and git's delta format. It exists because
 * libgit2 1.5 resolves each object alone: its delta-base cache is 16 MB shared by every
 * thread and flushed whole when full, so reading a mirror's blobs inflates the bases of long
 * delta chains again and again (on curl, twice the zlib work of `git cat-file`). With the
 * chain structure known, every object is inflated once. It reads with pread (nothing is
 * mapped: memory does not grow with the pack size), verifies no hashes (as the libgit2
 * setup in git.c), and treats any inconsistency (bad index, offsets that are not object
 * starts, sizes that do not match) as "cannot read here": the caller then reads that object
 * through libgit2, which reports it as before. Loose objects, alternates and packs with a
 * version-1 index are not read here at all. Thread-safety: a pack set is read-only once
 * opened; reads take the caller's own scratch.
 */
#ifndef LH_SOURCE_GIT_PACK_H
#define LH_SOURCE_GIT_PACK_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

/* Pack object types (the 3-bit type of an object header). */
#define LH_GIT_PACK_BLOB 3
#define LH_GIT_PACK_OFS_DELTA 6
#define LH_GIT_PACK_REF_DELTA 7

struct lh_git_pack {
    char *path; /* the .pack file */
    int fd;
    uint64_t size; /* of the .pack file */
    uint8_t *idx;  /* the .idx file, read whole */
    size_t idx_len;
    uint32_t count;     /* objects */
    const uint8_t *ids; /* count x 20 bytes, sorted */
    const uint8_t *off32;
    const uint8_t *off64;
    size_t n64;
    uint64_t *sorted; /* object offsets, ascending: an object ends where the next begins */
};

struct lh_git_packs {
    struct lh_git_pack *items;
    size_t count;
};

/* One object's header. */
struct lh_git_pack_obj {
    int type;            /* 1..4 (commit, tree, blob, tag) or a delta type */
    uint64_t size;       /* inflated size (of the delta itself for a delta) */
    uint64_t start;      /* offset of the header */
    uint64_t data;       /* offset of the zlib stream */
    uint64_t end;        /* where the next object (or the trailer) begins */
    uint64_t base;       /* OFS_DELTA: offset of the base */
    uint8_t base_id[20]; /* REF_DELTA: id of the base */
};

/* A read-ahead window for reading many headers in offset order (planning). */
struct lh_git_pack_window {
    const struct lh_git_pack *pack;
    uint64_t start;
    size_t len;
    uint8_t buf[64 * 1024];
};

/* A worker's reading state: a zlib stream and a buffer for compressed bytes. */
struct lh_git_pack_scratch {
    z_stream z;
    bool z_ready;
    uint8_t *in;
    size_t in_alloc;
};

/*
 * Opens every objects/pack/ *.pack with a version-2 .idx under `objects_dir` (borrowed).
 * Packs whose files are missing, unreadable or inconsistent are left out silently (their
 * objects are then read through libgit2, which reports what is wrong). Returns 0 (possibly
 * with no packs) or LH_ENOMEM.
 */
int lh_git_packs_open(struct lh_git_packs *out, const char *objects_dir) LH_WUR;
void lh_git_packs_dispose(struct lh_git_packs *ps);

/* Where object `id` (20 bytes) starts in pack p: true and *offset, or false. */
bool lh_git_pack_find(const struct lh_git_pack *p, const uint8_t *id, uint64_t *offset);

/* The position of an object start in p->sorted, or false if `offset` is not one. */
bool lh_git_pack_position(const struct lh_git_pack *p, uint64_t offset, uint32_t *pos);

/*
 * Reads the header of the object at p->sorted[pos], through win (may be NULL: one pread;
 * headers read in increasing offset order then cost one read per 64 KB). Returns 0, or
 * LH_EINVAL if corrupt or unreadable.
 */
int lh_git_pack_header(struct lh_git_pack_obj *out, const struct lh_git_pack *p, uint32_t pos,
                       struct lh_git_pack_window *win) LH_WUR;

/*
 * Inflates o's data into a new heap buffer of exactly o->size bytes (*out, free(); one
 * extra NUL byte after it), refusing sizes over `max` (LH_ETOOBIG). Returns 0, LH_EINVAL
 * (corrupt or short stream), LH_EIO or LH_ENOMEM. No error message is recorded: the caller
 * falls back to libgit2, which names the problem.
 */
int lh_git_pack_inflate(uint8_t **out, struct lh_git_pack_scratch *s, const struct lh_git_pack *p,
                        const struct lh_git_pack_obj *o, size_t max) LH_WUR;

/*
 * Applies a git delta to base: a new heap buffer (*out, free(); one NUL after it) of the
 * delta's result size, at most `max` (LH_ETOOBIG). Every copy is bounds-checked; LH_EINVAL
 * if the delta is malformed or does not match base_len. LH_ENOMEM.
 */
int lh_git_delta_apply(uint8_t **out, size_t *out_len, const uint8_t *base, size_t base_len,
                       const uint8_t *delta, size_t delta_len, size_t max) LH_WUR;

void lh_git_pack_scratch_dispose(struct lh_git_pack_scratch *s);

#endif
