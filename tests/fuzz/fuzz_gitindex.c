/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the git index reader of the pre-commit fast path (lh_git_index_parse),
 * which reads .git/index of the repository being scanned, i.e. a file an attacker can
 * write. Invariants for an index that parses: every entry's path is NUL-terminated at
 * path_len and lies inside the file or the v4 arena; entries are in git's order; the
 * cache-tree's child indices stay inside the node table.
 */
#include "fuzz/common.h"
#include "source/git_index.h"

#include <stdlib.h>
#include <string.h>

static bool inside(const struct lh_git_index *ix, const char *p, size_t n)
{
    const char *file = (const char *)ix->data;
    if (p >= file && p + n < file + ix->size) {
        return true;
    }
    return ix->arena != NULL && p >= ix->arena; /* the arena's size is private: best effort */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lh_git_index ix;
    memset(&ix, 0, sizeof(ix));
    int rc = lh_git_index_parse(&ix, data, size);
    if (rc < 0) {
        LH_FUZZ_CHECK(rc == LH_EINVAL || rc == LH_ETOOBIG || rc == LH_ENOMEM);
        lh_error_clear();
        lh_git_index_dispose(&ix);
        return 0;
    }
    if (rc == 0) {
        for (size_t i = 0; i < ix.count; i++) {
            const struct lh_git_index_entry *e = &ix.entries[i];
            LH_FUZZ_CHECK(e->path != NULL && inside(&ix, e->path, e->path_len));
            LH_FUZZ_CHECK(strlen(e->path) >= e->path_len);
            if (i > 0) {
                const struct lh_git_index_entry *p = &ix.entries[i - 1];
                size_t n = p->path_len < e->path_len ? p->path_len : e->path_len;
                int c = memcmp(p->path, e->path, n);
                LH_FUZZ_CHECK(c < 0 || (c == 0 && p->path_len <= e->path_len));
            }
        }
        if (ix.has_tree) {
            LH_FUZZ_CHECK(ix.ntrees >= 1);
            for (size_t i = 0; i < ix.ntrees; i++) {
                const struct lh_git_index_tree *t = &ix.trees[i];
                /*
                 * t->entries is not checked against ix.count: the reader takes the
                 * cache-tree's counts as written (git does too) and its only user reads
                 * `entries >= 0` as "valid", never as a range (git_staged.c diff_dir).
                 */
                for (uint32_t k = 0; k < t->nkids; k++) {
                    LH_FUZZ_CHECK(ix.kids[t->kids + k] < ix.ntrees);
                }
            }
        }
    }
    lh_error_clear();
    lh_git_index_dispose(&ix);
    return 0;
}
