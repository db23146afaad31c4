/* SPDX-License-Identifier: MIT */
/*
 * An open-addressing hash map from 20-byte git object ids to two 32-bit values: the
 * history walk's seen-sets (trees, commits) and its blob table (introducing commit index,
 * path id). Entries are 28 bytes and the table is kept between a quarter and half full, so
 * N unique objects cost 56 to 112 N bytes whatever the size of their contents. The all-zero
 * id (git's null id, never a real object) marks empty slots and cannot be inserted. Slots
 * are chosen by mixing the id with a per-map random seed, so object ids crafted to collide
 * cannot turn lookups quadratic. There is no deletion. A map is not thread-safe: each walker
 * owns its maps, and shared maps are read-only while threads use them.
 */
#ifndef LH_SOURCE_GIT_OIDMAP_H
#define LH_SOURCE_GIT_OIDMAP_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LH_GIT_OID_RAWSZ 20
#define LH_GIT_OIDMAP_MAX_ENTRIES ((size_t)1 << 30)

struct lh_git_oidmap_entry {
    uint8_t id[LH_GIT_OID_RAWSZ];
    uint32_t a; /* caller-defined (blob table: introducing commit index) */
    uint32_t b; /* caller-defined (blob table: path id) */
};

struct lh_git_oidmap {
    struct lh_git_oidmap_entry *slots;
    size_t cap; /* 0 or a power of two */
    size_t count;
    uint64_t seed;
};

/* Initializes an empty map (no allocation until the first insert). */
void lh_git_oidmap_init(struct lh_git_oidmap *m);

/* Frees the slots; the map is left empty and reusable. */
void lh_git_oidmap_dispose(struct lh_git_oidmap *m);

/*
 * Finds or inserts `id`. *out (optional) points at the entry, which stays valid until the
 * next insert; a new entry has a = b = 0. Returns 1 if inserted, 0 if it was present,
 * LH_EINVAL for the null id, LH_ETOOBIG past LH_GIT_OIDMAP_MAX_ENTRIES, LH_ENOMEM.
 */
int lh_git_oidmap_put(struct lh_git_oidmap_entry **out, struct lh_git_oidmap *m,
                      const uint8_t *id) LH_WUR;

/* Looks `id` up; NULL if absent. The pointer is borrowed and valid until the next insert. */
struct lh_git_oidmap_entry *lh_git_oidmap_get(const struct lh_git_oidmap *m, const uint8_t *id);

/*
 * Iterates: start with *pos = 0; returns the next entry, or NULL at the end. The order is
 * the slot order (depends on the seed): callers that need a stable order sort the result.
 */
struct lh_git_oidmap_entry *lh_git_oidmap_next(const struct lh_git_oidmap *m, size_t *pos);

/* True if the id is all zeros (git's null id). */
bool lh_git_oid_is_null(const uint8_t *id);

#endif
