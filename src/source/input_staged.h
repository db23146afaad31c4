/* SPDX-License-Identifier: MIT */
/*
 * The staged-changes input (the pre-commit scan): each file the index would commit that
 * differs from HEAD is one item, its staged blob, with a line filter so that only findings
 * on added or changed lines are kept; the origin is the blob with its staged path. Opening
 * (libgit2's initialization, the repository, the index diff) needs no detector, so a caller
 * can run it on another thread while it builds one. One job, read on the calling thread:
 * a commit stages few files and starting threads would cost more than it saves.
 */
#ifndef LH_SOURCE_INPUT_STAGED_H
#define LH_SOURCE_INPUT_STAGED_H

#include "source/input.h"

#include <stdbool.h>

/*
 * Opens the repository at or above repo_path and lists its staged changes (scan_binary:
 * diff files with NUL bytes as text). *out is always set (NULL only when out of memory);
 * free it with lh_input_free whatever the result. Its env must be set (in->env) before it
 * runs. Returns 0, LH_ENOTFOUND (not a repository), LH_EUSAGE (a bare repository) or
 * another negative code.
 */
int lh_input_staged_open(struct lh_input **out, const char *repo_path, bool scan_binary) LH_WUR;

#endif
