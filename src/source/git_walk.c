/* SPDX-License-Identifier: MIT */
/* Tree walk with seen-sets, merging of parallel walks, tips containment; see git_walk.h. */
#include "source/git_walk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATH_BYTES ((size_t)64 * 1024)

static void warnf(const struct lh_git_walk *w, const char *fmt, ...) LH_PRINTF(2, 3);
static void warnf(const struct lh_git_walk *w, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (!w->warn) {
        return;
    }
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    w->warn(msg, w->warn_payload);
}

void lh_git_walk_init(struct lh_git_walk *w, git_repository *repo)
{
    memset(w, 0, sizeof(*w));
    w->repo = repo;
    lh_git_oidmap_init(&w->trees);
    lh_git_oidmap_init(&w->blobs);
    lh_git_strtab_init(&w->paths);
    lh_buf_init(&w->path, MAX_PATH_BYTES);
}

void lh_git_walk_dispose(struct lh_git_walk *w)
{
    lh_git_oidmap_dispose(&w->trees);
    lh_git_oidmap_dispose(&w->blobs);
    lh_git_strtab_dispose(&w->paths);
    lh_buf_dispose(&w->path);
}

bool lh_git_walk_seen_tree(const struct lh_git_walk *w, const git_oid *tree)
{
    return lh_git_oidmap_get(&w->trees, tree->id) != NULL ||
           (w->base && lh_git_walk_seen_tree(w->base, tree));
}

bool lh_git_walk_seen_blob(const struct lh_git_walk *w, const git_oid *blob)
{
    return lh_git_oidmap_get(&w->blobs, blob->id) != NULL ||
           (w->base && lh_git_walk_seen_blob(w->base, blob));
}

static int record(struct lh_git_walk *w, const git_oid *blob, uint32_t commit, const char *path,
                  size_t len)
{
    struct lh_git_oidmap_entry *e = NULL;
    uint32_t pid = UINT32_MAX;
    /* seeded blobs are never reported: no path to keep */
    if (commit != LH_GIT_SEEDED) {
        int rc = lh_git_strtab_intern(&pid, &w->paths, path, len);
        if (rc < 0) {
            return rc;
        }
    }
    int rc = lh_git_oidmap_put(&e, &w->blobs, blob->id);
    if (rc < 0) {
        return rc;
    }
    e->a = commit;
    e->b = pid;
    return 0;
}

int lh_git_walk_blob(struct lh_git_walk *w, const git_oid *blob, uint32_t commit, const char *path)
{
    if (git_oid_is_zero(blob) || lh_git_walk_seen_blob(w, blob)) {
        return 0;
    }
    return record(w, blob, commit, path, strlen(path));
}

static int walk_rec(struct lh_git_walk *w, const git_oid *id, uint32_t commit, int depth)
{
    git_tree *t = NULL;
    char hex[GIT_OID_HEXSZ + 1];
    int rc = 0;
    if (depth > LH_GIT_MAX_TREE_DEPTH) {
        lh_git_hex(hex, id);
        warnf(w, "tree %s at '%.*s' is nested more than %d levels deep; skipped", hex,
              (int)w->path.len, w->path.ptr ? w->path.ptr : "", LH_GIT_MAX_TREE_DEPTH);
        w->errors++;
        return 0;
    }
    if (git_tree_lookup(&t, w->repo, id) < 0) {
        const git_error *e = git_error_last();
        lh_git_hex(hex, id);
        warnf(w, "cannot read tree %s at '%.*s': %s", hex, (int)w->path.len,
              w->path.ptr ? w->path.ptr : "", e && e->message ? e->message : "unknown error");
        w->errors++;
        return 0;
    }
    w->trees_read++;
    size_t n = git_tree_entrycount(t);
    size_t dirlen = w->path.len;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const git_tree_entry *e = git_tree_entry_byindex(t, i);
        const git_oid *eid = git_tree_entry_id(e);
        git_object_t type = git_tree_entry_type(e);
        if (git_oid_is_zero(eid) || (type != GIT_OBJECT_TREE && type != GIT_OBJECT_BLOB)) {
            continue; /* submodules (commits) and malformed entries */
        }
        if (type == GIT_OBJECT_TREE) {
            if (w->base && lh_git_walk_seen_tree(w->base, eid)) {
                continue;
            }
            rc = lh_git_oidmap_put(NULL, &w->trees, eid->id);
            if (rc <= 0) {
                continue; /* seen (0) or an error that ends the loop */
            }
        } else if (lh_git_oidmap_get(&w->blobs, eid->id) ||
                   (w->base && lh_git_walk_seen_blob(w->base, eid))) {
            continue;
        }
        const char *name = git_tree_entry_name(e);
        rc = lh_buf_puts(&w->path, name);
        if (rc == 0 && type == GIT_OBJECT_TREE) {
            rc = lh_buf_putc(&w->path, '/');
        }
        if (rc == LH_ETOOBIG) {
            lh_git_hex(hex, eid);
            warnf(w, "path of object %s is longer than %zu bytes; skipped", hex, MAX_PATH_BYTES);
            w->errors++;
            rc = 0;
        } else if (rc == 0 && type == GIT_OBJECT_TREE) {
            rc = walk_rec(w, eid, commit, depth + 1);
        } else if (rc == 0 && commit == LH_GIT_SEEDED) {
            rc = record(w, eid, commit, NULL, 0);
        } else if (rc == 0 && !(w->skip && w->skip(w->path.ptr, w->skip_payload))) {
            rc = record(w, eid, commit, w->path.ptr, w->path.len);
        }
        w->path.len = dirlen;
        if (w->path.ptr) {
            w->path.ptr[dirlen] = '\0';
        }
    }
    git_tree_free(t);
    return rc;
}

int lh_git_walk_tree(struct lh_git_walk *w, const git_oid *tree, uint32_t commit,
                     const char *prefix)
{
    if (git_oid_is_zero(tree) || lh_git_walk_seen_tree(w, tree)) {
        return 0;
    }
    int rc = lh_git_oidmap_put(NULL, &w->trees, tree->id);
    if (rc < 0) {
        return rc;
    }
    lh_buf_clear(&w->path);
    if (prefix && *prefix) {
        rc = lh_buf_puts(&w->path, prefix);
        if (rc == 0 && prefix[strlen(prefix) - 1] != '/') {
            rc = lh_buf_putc(&w->path, '/');
        }
        if (rc < 0) {
            return rc;
        }
    }
    rc = walk_rec(w, tree, commit, 0);
    lh_buf_clear(&w->path);
    return rc;
}

int lh_git_walk_merge(struct lh_git_walk *dst, struct lh_git_walk *src, bool trees)
{
    size_t pos = 0;
    int rc = 0;
    struct lh_git_oidmap_entry *se;
    while (rc == 0 && (se = lh_git_oidmap_next(&src->blobs, &pos)) != NULL) {
        struct lh_git_oidmap_entry *de = NULL;
        if (lh_git_oidmap_get(&dst->blobs, se->id)) {
            continue; /* an earlier slice introduced it */
        }
        uint32_t pid = UINT32_MAX;
        if (se->b != UINT32_MAX) {
            const char *p = lh_git_strtab_get(&src->paths, se->b);
            rc = lh_git_strtab_intern(&pid, &dst->paths, p, strlen(p));
        }
        if (rc == 0) {
            rc = lh_git_oidmap_put(&de, &dst->blobs, se->id);
        }
        if (rc > 0) {
            de->a = se->a;
            de->b = pid;
            rc = 0;
        }
    }
    pos = 0;
    while (trees && rc == 0 && (se = lh_git_oidmap_next(&src->trees, &pos)) != NULL) {
        rc = lh_git_oidmap_put(NULL, &dst->trees, se->id);
        rc = rc > 0 ? 0 : rc;
    }
    dst->errors += src->errors;
    dst->trees_read += src->trees_read;
    src->errors = 0;
    src->trees_read = 0;
    lh_git_oidmap_dispose(&src->blobs);
    lh_git_oidmap_dispose(&src->trees);
    lh_git_strtab_dispose(&src->paths);
    return rc;
}

/* ---- which tips contain which blobs ---- */

struct contain {
    git_repository *repo;
    struct lh_git_oidmap targets; /* blob -> a: bit index + 1 */
    struct lh_git_oidmap memo;    /* tree -> a: row + 1, or 0 for the empty set */
    uint64_t *rows;               /* non-empty sets, `words` each */
    size_t nrows;
    size_t rows_alloc;
    size_t words;
};

static int new_row(struct contain *c, uint32_t *row)
{
    if (c->nrows == c->rows_alloc) {
        size_t n = c->rows_alloc ? c->rows_alloc * 2 : 64;
        uint64_t *r = realloc(c->rows, n * c->words * sizeof(*r));
        if (!r) {
            return lh_error_oom();
        }
        c->rows = r;
        c->rows_alloc = n;
    }
    memset(c->rows + c->nrows * c->words, 0, c->words * sizeof(*c->rows));
    *row = (uint32_t)c->nrows++;
    return 0;
}

/* Sets *set to the row + 1 of the blobs under tree `id`, or 0 when there are none. */
static int contains(struct contain *c, const git_oid *id, int depth, uint32_t *set)
{
    struct lh_git_oidmap_entry *m = lh_git_oidmap_get(&c->memo, id->id);
    git_tree *t = NULL;
    uint32_t row = 0; /* row + 1, 0 while empty */
    int rc = 0;
    if (m) {
        *set = m->a;
        return 0;
    }
    *set = 0;
    if (depth > LH_GIT_MAX_TREE_DEPTH || git_tree_lookup(&t, c->repo, id) < 0) {
        return lh_git_oidmap_put(NULL, &c->memo, id->id) < 0 ? LH_ENOMEM : 0;
    }
    size_t n = git_tree_entrycount(t);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const git_tree_entry *e = git_tree_entry_byindex(t, i);
        git_object_t type = git_tree_entry_type(e);
        uint32_t sub = 0;
        if (type == GIT_OBJECT_BLOB) {
            struct lh_git_oidmap_entry *te =
                lh_git_oidmap_get(&c->targets, git_tree_entry_id(e)->id);
            if (!te) {
                continue;
            }
            if (!row) {
                rc = new_row(c, &row);
                row++;
            }
            if (rc == 0) {
                c->rows[(row - 1) * c->words + (te->a - 1) / 64] |= 1ull << ((te->a - 1) % 64);
            }
        } else if (type == GIT_OBJECT_TREE) {
            rc = contains(c, git_tree_entry_id(e), depth + 1, &sub);
            if (rc == 0 && sub) {
                if (!row) {
                    rc = new_row(c, &row);
                    row++;
                }
                for (size_t k = 0; rc == 0 && k < c->words; k++) {
                    c->rows[(row - 1) * c->words + k] |= c->rows[(sub - 1) * c->words + k];
                }
            }
        }
    }
    git_tree_free(t);
    if (rc == 0) {
        struct lh_git_oidmap_entry *me = NULL;
        rc = lh_git_oidmap_put(&me, &c->memo, id->id);
        if (rc >= 0) {
            me->a = row;
            rc = 0;
        }
    }
    *set = row;
    return rc;
}

int lh_git_walk_tips_containing(uint64_t **out, size_t *words, git_repository *repo,
                                const struct lh_git_tips *tips, const git_oid *blobs, size_t n)
{
    struct contain c;
    int rc = 0;
    memset(&c, 0, sizeof(c));
    c.repo = repo;
    c.words = (n + 63) / 64 ? (n + 63) / 64 : 1;
    lh_git_oidmap_init(&c.targets);
    lh_git_oidmap_init(&c.memo);
    *out = calloc((tips->count ? tips->count : 1) * c.words, sizeof(**out));
    *words = c.words;
    if (!*out) {
        rc = lh_error_oom();
        goto out;
    }
    for (size_t j = 0; rc == 0 && j < n; j++) {
        struct lh_git_oidmap_entry *e = NULL;
        rc = lh_git_oidmap_put(&e, &c.targets, blobs[j].id);
        if (rc > 0) {
            e->a = (uint32_t)(j + 1);
        }
        rc = rc > 0 ? 0 : rc;
    }
    for (size_t i = 0; rc == 0 && i < tips->count; i++) {
        const struct lh_git_tip *tip = &tips->items[i];
        uint64_t *dst = *out + i * c.words;
        uint32_t set = 0;
        if (tip->type == GIT_OBJECT_BLOB) {
            struct lh_git_oidmap_entry *te = lh_git_oidmap_get(&c.targets, tip->id.id);
            if (te) {
                dst[(te->a - 1) / 64] |= 1ull << ((te->a - 1) % 64);
            }
            continue;
        }
        git_oid tree = tip->id;
        if (tip->type == GIT_OBJECT_COMMIT) {
            git_commit *commit = NULL;
            if (git_commit_lookup(&commit, repo, &tip->id) < 0) {
                continue;
            }
            tree = *git_commit_tree_id(commit);
            git_commit_free(commit);
        }
        rc = contains(&c, &tree, 0, &set);
        for (size_t k = 0; rc == 0 && set && k < c.words; k++) {
            dst[k] = c.rows[(set - 1) * c.words + k];
        }
    }
out:
    free(c.rows);
    lh_git_oidmap_dispose(&c.targets);
    lh_git_oidmap_dispose(&c.memo);
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    return rc;
}
