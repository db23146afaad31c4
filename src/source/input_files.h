/* SPDX-License-Identifier: MIT */
/*
 * The files input: files and directories, walked on the calling thread and read by the
 * scan driver's workers in batches of 64 paths. Directories are walked recursively in name
 * order, `.git` entries skipped, excluded paths pruned; symbolic links are not followed
 * unless env->follow_symlinks (then with loop detection), except a path named on the command
 * line, which is always opened through its link. Files over max_file_size are skipped with a
 * warning naming them, binary files (a NUL in the first 8000 bytes, tested on the first
 * read, before the rest is read) skipped and counted. A file is opened so that one replaced
 * during the scan by a FIFO, a device or a link cannot block or redirect the read. No
 * .gitignore handling: hidden and ignored files are scanned, as a secret in an ignored file
 * is still on disk.
 */
#ifndef LH_SOURCE_INPUT_FILES_H
#define LH_SOURCE_INPUT_FILES_H

#include "source/input.h"

#include <stddef.h>

/*
 * Makes the input over paths (borrowed: they must outlive it; "-" is an ordinary name
 * here, stdin is input_stdin's). *out is set on success only. Its prepare fails with LH_EIO,
 * naming the path, when a path does not exist. Returns 0 or LH_ENOMEM.
 */
int lh_input_files_new(struct lh_input **out, const char *const *paths, size_t npaths,
                       const struct lh_input_env *env) LH_WUR;

#endif
