/* SPDX-License-Identifier: MIT */
/*
 * A string interning table: each distinct string (a path in a git tree) gets a dense
 * 32-bit id, and the text is stored once in an arena of large chunks, so a history with a
 * million blob versions of ten thousand paths stores ten thousand path strings. Returned
 * strings stay valid (and at the same address) until the table is disposed. Strings may
 * not contain NUL bytes (git tree entry names cannot). Not thread-safe.
 */
#ifndef LH_SOURCE_GIT_STRTAB_H
#define LH_SOURCE_GIT_STRTAB_H

#include "util/error.h"

#include <stddef.h>
#include <stdint.h>

#define LH_GIT_STRTAB_MAX_BYTES ((size_t)1 << 32)

struct lh_git_strtab {
    char **chunks; /* arena chunks */
    size_t nchunks;
    size_t chunk_used; /* bytes used in the last chunk */
    size_t chunk_size; /* size of the last chunk */
    size_t bytes;      /* total string bytes stored */
    const char **strs; /* id -> string */
    uint32_t *lens;    /* id -> length */
    size_t count;
    size_t strs_alloc;
    uint32_t *index; /* open addressing: id + 1, 0 = empty */
    size_t index_cap;
    uint64_t seed;
};

/* Initializes an empty table (no allocation until the first string). */
void lh_git_strtab_init(struct lh_git_strtab *t);
/* Frees every string and index; the table is left empty and reusable. */
void lh_git_strtab_dispose(struct lh_git_strtab *t);

/*
 * Interns s[0..len) and stores its id in *id. Returns 0, LH_ETOOBIG past
 * LH_GIT_STRTAB_MAX_BYTES of text or 2^31 strings, LH_ENOMEM.
 */
int lh_git_strtab_intern(uint32_t *id, struct lh_git_strtab *t, const char *s, size_t len) LH_WUR;

/* The NUL-terminated string with that id (borrowed). The id must come from this table. */
const char *lh_git_strtab_get(const struct lh_git_strtab *t, uint32_t id);

#endif
