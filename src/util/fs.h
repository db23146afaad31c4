/* SPDX-License-Identifier: MIT */
/*
 * File-system and string helpers: bounded whole-file reads, path joining. Reads respect
 * the buffer's cap (LH_ETOOBIG) so an input file can never exhaust memory.
 */
#ifndef LH_UTIL_FS_H
#define LH_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

/*
 * Reads a whole file (or "-" for stdin) into b (appending), up to b->cap bytes.
 * Returns 0, LH_EIO (message names the path and errno), LH_ETOOBIG (message names the path).
 */
int lh_fs_read_file(struct lh_buf *b, const char *path) LH_WUR;

/* Reads all of fd into b up to its cap. `name` is used in messages. */
int lh_fs_read_fd(struct lh_buf *b, int fd, const char *name) LH_WUR;

/* Writes the whole buffer to path atomically (temp file, fsync, rename). */
int lh_fs_write_atomic(const char *path, const void *data, size_t len) LH_WUR;

/* Creates a directory and its parents (mode 0700 for new ones). */
int lh_fs_mkdirs(const char *path) LH_WUR;

/* Returns "a/b" (heap; NULL on OOM). Avoids a double slash. */
char *lh_path_join(const char *a, const char *b);

bool lh_str_endswith(const char *s, const char *suffix);
bool lh_str_startswith(const char *s, const char *prefix);

/* Cache directory: $LEAKHOUND_CACHE_DIR, $XDG_CACHE_HOME/leakhound, ~/.cache/leakhound. Heap. */
char *lh_fs_cache_dir(void);

#endif
