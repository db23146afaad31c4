/* SPDX-License-Identifier: MIT */
/*
 * The on-disk cache of compiled Vectorscan databases, used by the matcher only (see
 * dbcache.c for the file layout and why nothing in the cache is trusted).
 */
#ifndef LH_MATCH_DBCACHE_H
#define LH_MATCH_DBCACHE_H

#include "util/buf.h"

#include <hs/hs.h>
#include <stdbool.h>
#include <stddef.h>

/* Largest cache file or database accepted. */
#define LH_DBCACHE_MAX_BYTES (64u * 1024u * 1024u)

/*
 * Appends to b the key of the database compiled from exprs[0..n) (flags, byte lengths, and
 * whether each is a regex or a literal). 0 or LH_ENOMEM.
 */
int lh_dbcache_key(struct lh_buf *b, const char *const *exprs, const unsigned *flags,
                   const size_t *lens, const bool *regex, size_t n) LH_WUR;

/* The file name for key (a spread of it: the file holds the whole key). */
void lh_dbcache_name(char out[64], const struct lh_buf *key);

/*
 * Loads the database cached at path for key, checked by finding the canary literal lit
 * (NULL: no check). Returns it in an anonymous mapping of *map_len bytes (free with munmap,
 * not hs_free_database), or NULL when there is no usable cached database.
 */
hs_database_t *lh_dbcache_load(size_t *map_len, const char *path, const struct lh_buf *key,
                               const char *lit, size_t litlen);

/* Stores db at path (atomically; creates dir) and prunes the directory. Never fails loudly. */
void lh_dbcache_store(const char *dir, const char *path, const struct lh_buf *key,
                      const hs_database_t *db);

#endif
