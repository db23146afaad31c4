/* SPDX-License-Identifier: MIT */
/*
 * Where a scan stands in its project: the root of the git work tree around a path (a `.git`
 * directory, or a `.git` file as in linked worktrees and submodules, marks it), the project
 * root a full scan covers, the current directory relative to the work tree (SARIF URIs are
 * relative to the repository root) and the repository's name from its `origin` remote. Reads
 * the file system only (no libgit2): the pre-commit path must start fast.
 */
#ifndef LH_SESSION_PROJECT_H
#define LH_SESSION_PROJECT_H

#include <stdbool.h>

/*
 * The real path of the directory holding `.git` at or above `start` (a file or directory;
 * NULL: "."), or NULL outside a git work tree. Heap.
 */
char *lh_project_git_root(const char *start);

/*
 * The directory a full scan covers: the git root of `start`, else `file_dir` (the
 * configuration file's directory; may be NULL), else the current directory. A real path
 * (heap), or NULL. *in_git says whether it is a git root.
 */
char *lh_project_root(const char *start, const char *file_dir, bool *in_git);

/*
 * The current directory relative to the root of the work tree that contains it ("sub/dir/"),
 * or NULL at the root or outside any work tree. Heap.
 */
char *lh_project_uri_prefix(void);

/*
 * The `origin` remote URL of the work tree whose root is `root`, with any user:password@
 * removed (never print a secret), or NULL without one. Follows the `gitdir:` file of a
 * linked worktree or submodule to the shared config. Heap.
 */
char *lh_project_repo_name(const char *root);

#endif
