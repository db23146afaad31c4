/* SPDX-License-Identifier: MIT */
/*
 * The staged changes of a work tree, for the pre-commit scan: the index against HEAD's tree
 * (against the empty tree before the first commit). For every staged file whose content is
 * new or changed it gives the staged blob and the line ranges of the staged file that were
 * added or changed (libgit2's blob diff, no context lines), so the caller reports only
 * findings that touch those lines. Deletions, mode changes, renames without edits and
 * submodules yield nothing; a file renamed and edited at once counts as added. The index is
 * compared with HEAD through git_index.h's reader and the cache-tree, so only directories
 * with changes are looked at; an index that reader declines goes through libgit2's
 * tree-to-index diff instead, with the same results. Nothing here reads the work tree: what
 * is scanned is exactly what would be committed.
 */
#ifndef LH_SOURCE_GIT_STAGED_H
#define LH_SOURCE_GIT_STAGED_H

#include "source/libgit2.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Lines [start, start + count) of the staged file (1-based) are added or changed. */
struct lh_git_line_range {
    size_t start;
    size_t count;
};

struct lh_git_staged_file {
    char *path;                       /* path in the index (owned) */
    git_oid blob;                     /* staged content */
    struct lh_git_line_range *ranges; /* owned, in file order */
    size_t nranges;
    bool all_lines; /* added, or binary: every line counts as changed */
};

struct lh_git_staged {
    struct lh_git_staged_file *files;
    size_t count;
};

struct lh_git_staged_opts {
    bool binary_as_text; /* diff files with NUL bytes as text (--scan-binary) */
    bool use_libgit2;    /* skip the index reader (tests compare both paths) */
};

/*
 * Lists the staged changes of `repo`, sorted by path. Returns 0, LH_EUSAGE for a bare
 * repository (it has no index) or LH_EGIT.
 */
int lh_git_staged_load(struct lh_git_staged *out, git_repository *repo,
                       const struct lh_git_staged_opts *opts) LH_WUR;
/* Frees the files, paths and ranges; the struct is left empty. */
void lh_git_staged_dispose(struct lh_git_staged *s);

/* Whether lines [first, last] of a staged file touch one of its changed ranges. */
bool lh_git_staged_touches(const struct lh_git_staged_file *f, size_t first, size_t last);

#endif
