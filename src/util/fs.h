/* SPDX-License-Identifier: MIT */
/*
 * File-system and string helpers: bounded whole-file reads, path joining. Reads respect
 * the buffer's cap (LH_ETOOBIG) so an input file can never exhaust memory.
 */
#ifndef LH_UTIL_FS_H
#define LH_UTIL_FS_H

#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Reads a whole file (or "-" for stdin) into b (appending), up to b->cap bytes.
 * Returns 0, LH_EIO (message names the path and errno), LH_ETOOBIG (message names the path).
 */
int lh_fs_read_file(struct lh_buf *b, const char *path) LH_WUR;

/* Reads all of fd into b up to its cap. `name` is used in messages. */
int lh_fs_read_fd(struct lh_buf *b, int fd, const char *name) LH_WUR;

/*
 * Writes data[0..len) to fd, retrying short writes and EINTR. Returns 0, or -1 with errno set
 * (EIO when write made no progress). Sets no message: the caller names what it wrote.
 */
int lh_fs_write_all(int fd, const void *data, size_t len) LH_WUR;

/* Writes the whole buffer to path atomically (temp file, fsync, rename). */
int lh_fs_write_atomic(const char *path, const void *data, size_t len) LH_WUR;

/* The same with the new file created with `mode` (less the umask) instead of 0600. */
int lh_fs_write_atomic_mode(const char *path, const void *data, size_t len, unsigned mode) LH_WUR;

/* Creates a directory and its parents (mode 0700 for new ones). */
int lh_fs_mkdirs(const char *path) LH_WUR;

/*
 * Opens path for state that must stay private to this user (the revocation journal, its lock
 * and directory): open(2) with flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC (O_NONBLOCK so a
 * FIFO put in its place cannot block the open), then checks the opened object with fstat: a
 * directory when O_DIRECTORY is in flags, else a regular file; owned by the effective uid; not
 * writable by group or others. Returns the descriptor, or -1 with errno kept when open failed
 * (the message names path; ENOENT is for the caller to judge), or -2 when the object was
 * refused (closed; the message says "refusing 'path': ..."). Messages via lh_error_set.
 */
int lh_fs_open_private(const char *path, int flags, unsigned mode) LH_WUR;

/* Returns "a/b" (heap; NULL on OOM). Avoids a double slash. */
char *lh_path_join(const char *a, const char *b);

bool lh_str_endswith(const char *s, const char *suffix);
bool lh_str_startswith(const char *s, const char *prefix);

/*
 * A per-user leakhound directory (XDG base directories): $override_env when set and not empty
 * (override_env NULL: none), else $xdg_env/leakhound when that is an absolute path, else
 * $HOME/home_rel/leakhound. Heap; NULL without an absolute HOME, or on OOM.
 */
char *lh_fs_user_dir(const char *override_env, const char *xdg_env, const char *home_rel);

/* Cache directory: $LEAKHOUND_CACHE_DIR, $XDG_CACHE_HOME/leakhound, ~/.cache/leakhound. Heap. */
char *lh_fs_cache_dir(void);

#endif
