/* SPDX-License-Identifier: MIT */
/* Index-against-HEAD comparison with added line ranges; see git_staged.h. */
#include "source/git_staged.h"

#include "source/git.h"
#include "source/git_index.h"
#include "source/git_oidmap.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FILES ((size_t)1 << 24)
#define MAX_RANGES ((size_t)1 << 24)
#define MAX_DEPTH 512
#define NO_NODE UINT32_MAX
#define DECLINE 1

/* ---- the result list ---- */

struct collect {
    struct lh_git_staged *out;
    size_t alloc;
    size_t ranges_alloc; /* of the last file */
    bool current;        /* the last file takes the hunks that follow */
    int error;
};

static bool is_empty_blob(const git_oid *id)
{
    git_oid empty;
    return git_oid_fromstr(&empty, LH_GIT_EMPTY_BLOB) == 0 && git_oid_equal(id, &empty);
}

/* Adds a staged file; the empty blob (also `git add -N`) holds nothing and is left out. */
static int add_file(struct collect *c, const char *path, size_t len, const git_oid *blob,
                    bool all_lines)
{
    struct lh_git_staged *s = c->out;
    c->current = false;
    if (is_empty_blob(blob)) {
        return 0;
    }
    if (s->count == c->alloc) {
        if (s->count >= MAX_FILES) {
            lh_error_set("more than %zu staged files", MAX_FILES);
            return LH_ETOOBIG;
        }
        size_t n = c->alloc ? c->alloc * 2 : 16;
        struct lh_git_staged_file *f = realloc(s->files, n * sizeof(*f));
        if (!f) {
            return lh_error_oom();
        }
        s->files = f;
        c->alloc = n;
    }
    struct lh_git_staged_file *f = &s->files[s->count];
    memset(f, 0, sizeof(*f));
    f->path = strndup(path, len);
    if (!f->path) {
        return lh_error_oom();
    }
    f->blob = *blob;
    f->all_lines = all_lines;
    s->count++;
    c->ranges_alloc = 0;
    c->current = true;
    return 0;
}

static int binary_cb(const git_diff_delta *d, const git_diff_binary *b, void *payload)
{
    struct collect *c = payload;
    (void)d;
    (void)b;
    if (c->current) {
        c->out->files[c->out->count - 1].all_lines = true;
    }
    return 0;
}

static int hunk_cb(const git_diff_delta *d, const git_diff_hunk *h, void *payload)
{
    struct collect *c = payload;
    (void)d;
    if (!c->current || h->new_lines <= 0) {
        return 0;
    }
    struct lh_git_staged_file *f = &c->out->files[c->out->count - 1];
    if (f->nranges == c->ranges_alloc) {
        if (f->nranges >= MAX_RANGES) {
            lh_error_set("more than %zu changed ranges in '%s'", MAX_RANGES, f->path);
            c->error = LH_ETOOBIG;
            return -1;
        }
        size_t n = c->ranges_alloc ? c->ranges_alloc * 2 : 8;
        struct lh_git_line_range *r = realloc(f->ranges, n * sizeof(*r));
        if (!r) {
            c->error = lh_error_oom();
            return -1;
        }
        f->ranges = r;
        c->ranges_alloc = n;
    }
    f->ranges[f->nranges].start = (size_t)(h->new_start > 0 ? h->new_start : 1);
    f->ranges[f->nranges].count = (size_t)h->new_lines;
    f->nranges++;
    return 0;
}

static void diff_opts(git_diff_options *o, bool binary_as_text)
{
    o->context_lines = 0;
    o->interhunk_lines = 0;
    o->flags = GIT_DIFF_IGNORE_SUBMODULES | (binary_as_text ? GIT_DIFF_FORCE_TEXT : 0);
}

static bool is_file_mode(uint32_t mode)
{
    return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE ||
           mode == GIT_FILEMODE_LINK;
}

/* ---- fast path: the index reader and the cache-tree ---- */

struct change {
    uint32_t entry; /* index entry */
    git_oid old;    /* zero when added */
};

struct kid;

struct fast {
    git_repository *repo;
    const struct lh_git_index *ix;
    struct change *changes;
    size_t nchanges;
    size_t alloc;
    struct lh_git_oidmap deleted; /* blobs HEAD has where the index has nothing */
    struct kid *sorted;           /* cache-tree kids, sorted per node on first use */
    bool *sorted_done;
};

static int push_change(struct fast *f, size_t entry, const git_oid *old)
{
    if (f->nchanges == f->alloc) {
        size_t n = f->alloc ? f->alloc * 2 : 16;
        struct change *c = realloc(f->changes, n * sizeof(*c));
        if (!c) {
            return lh_error_oom();
        }
        f->changes = c;
        f->alloc = n;
    }
    f->changes[f->nchanges].entry = (uint32_t)entry;
    if (old) {
        f->changes[f->nchanges].old = *old;
    } else {
        memset(&f->changes[f->nchanges].old, 0, sizeof(git_oid));
    }
    f->nchanges++;
    return 0;
}

/* git's tree order: a directory sorts as if its name ended in '/' */
static int name_cmp(const char *a, size_t alen, bool adir, const char *b, size_t blen, bool bdir)
{
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    if (c) {
        return c;
    }
    unsigned ca = alen > n ? (unsigned char)a[n] : adir ? '/' : 0u;
    unsigned cb = blen > n ? (unsigned char)b[n] : bdir ? '/' : 0u;
    return ca < cb ? -1 : ca > cb;
}

struct kid {
    const char *name;
    uint32_t len;
    uint32_t node;
};

static int kid_cmp(const void *pa, const void *pb)
{
    const struct kid *a = pa;
    const struct kid *b = pb;
    return name_cmp(a->name, a->len, true, b->name, b->len, true);
}

/* The cache-tree child of `node` named name[0..len), or NO_NODE. */
static uint32_t find_kid(struct fast *f, uint32_t node, const char *name, size_t len)
{
    if (node == NO_NODE) {
        return NO_NODE;
    }
    const struct lh_git_index_tree *t = &f->ix->trees[node];
    struct kid *kids = f->sorted + t->kids;
    if (!f->sorted_done[node]) {
        for (uint32_t i = 0; i < t->nkids; i++) {
            const struct lh_git_index_tree *k = &f->ix->trees[f->ix->kids[t->kids + i]];
            kids[i].name = k->name;
            kids[i].len = k->name_len;
            kids[i].node = f->ix->kids[t->kids + i];
        }
        qsort(kids, t->nkids, sizeof(*kids), kid_cmp);
        f->sorted_done[node] = true;
    }
    size_t lo = 0;
    size_t hi = t->nkids;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = name_cmp(kids[mid].name, kids[mid].len, true, name, len, true);
        if (c == 0) {
            return kids[mid].node;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NO_NODE;
}

/* Records every blob below a tree HEAD has and the index lost (renamed directories). */
static int collect_deleted(struct fast *f, const git_oid *tree, int depth)
{
    git_tree *t = NULL;
    int rc = 0;
    if (depth > MAX_DEPTH || git_tree_lookup(&t, f->repo, tree) < 0) {
        return 0; /* only used to spot renames: missing it costs precision, not safety */
    }
    for (size_t i = 0; rc == 0 && i < git_tree_entrycount(t); i++) {
        const git_tree_entry *e = git_tree_entry_byindex(t, i);
        if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
            rc = collect_deleted(f, git_tree_entry_id(e), depth + 1);
        } else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
            rc = lh_git_oidmap_put(NULL, &f->deleted, git_tree_entry_id(e)->id);
            rc = rc > 0 ? 0 : rc;
        }
    }
    git_tree_free(t);
    return rc;
}

/*
 * Compares index entries [lo, hi), all under the directory prefix[0..plen), with HEAD's
 * tree for that directory (NULL: HEAD has none). `node` is the cache-tree node of the
 * directory; when it is valid and names the same tree as HEAD, nothing below changed.
 */
static int diff_dir(struct fast *f, uint32_t node, const git_oid *head_id, size_t plen, size_t lo,
                    size_t hi, int depth)
{
    const struct lh_git_index *ix = f->ix;
    git_tree *tree = NULL;
    int rc = 0;
    if (depth > MAX_DEPTH) {
        return DECLINE;
    }
    if (node != NO_NODE && head_id && ix->trees[node].entries >= 0 &&
        git_oid_equal(&ix->trees[node].id, head_id)) {
        return 0;
    }
    if (head_id && git_tree_lookup(&tree, f->repo, head_id) < 0) {
        char hex[GIT_OID_HEXSZ + 1];
        lh_git_hex(hex, head_id);
        return lh_git_fail("cannot read tree %s of HEAD", hex);
    }
    size_t nt = tree ? git_tree_entrycount(tree) : 0;
    size_t t = 0;
    size_t i = lo;
    while (rc == 0 && (i < hi || t < nt)) {
        const struct lh_git_index_entry *e = i < hi ? &ix->entries[i] : NULL;
        const char *name = e ? e->path + plen : NULL;
        size_t nlen = e ? e->path_len - plen : 0;
        const char *slash = e ? memchr(name, '/', nlen) : NULL;
        bool idir = slash != NULL;
        size_t j = i + 1; /* end of this item's entries */
        if (idir) {
            nlen = (size_t)(slash - name);
            while (j < hi && ix->entries[j].path_len > plen + nlen &&
                   !memcmp(ix->entries[j].path + plen, name, nlen + 1)) {
                j++;
            }
        }
        const git_tree_entry *te = t < nt ? git_tree_entry_byindex(tree, t) : NULL;
        git_object_t ttype = te ? git_tree_entry_type(te) : GIT_OBJECT_INVALID;
        const char *tname = te ? git_tree_entry_name(te) : NULL;
        int c = !e    ? 1
                : !te ? -1
                      : name_cmp(name, nlen, idir, tname, strlen(tname), ttype == GIT_OBJECT_TREE);
        if (c > 0) {
            /* only in HEAD: a deletion, remembered to recognize renames */
            if (ttype == GIT_OBJECT_TREE) {
                rc = collect_deleted(f, git_tree_entry_id(te), depth + 1);
            } else if (ttype == GIT_OBJECT_BLOB) {
                rc = lh_git_oidmap_put(NULL, &f->deleted, git_tree_entry_id(te)->id);
                rc = rc > 0 ? 0 : rc;
            }
            t++;
            continue;
        }
        const git_oid *sub = c == 0 && ttype == GIT_OBJECT_TREE ? git_tree_entry_id(te) : NULL;
        if (idir) {
            rc = diff_dir(f, find_kid(f, node, name, nlen), sub, plen + nlen + 1, i, j, depth + 1);
        } else if (is_file_mode(e->mode) && !e->intent_to_add) {
            bool same_type = c == 0 && ttype == GIT_OBJECT_BLOB;
            if (!same_type) {
                rc = push_change(f, i, NULL);
            } else if (!git_oid_equal(e->id, git_tree_entry_id(te))) {
                rc = push_change(f, i, git_tree_entry_id(te));
            }
        }
        i = j;
        if (c == 0) {
            t++;
        }
    }
    git_tree_free(tree);
    return rc;
}

static int head_tree_id(git_oid *out, bool *found, git_repository *repo)
{
    git_reference *head = NULL;
    git_object *tree = NULL;
    *found = false;
    int hrc = git_repository_head(&head, repo);
    if (hrc == GIT_EUNBORNBRANCH || hrc == GIT_ENOTFOUND) {
        return 0;
    }
    if (hrc < 0) {
        return lh_git_fail("cannot read HEAD in '%s'", git_repository_path(repo));
    }
    int rc = 0;
    if (git_reference_peel(&tree, head, GIT_OBJECT_TREE) < 0) {
        rc = lh_git_fail("cannot read the tree of HEAD in '%s'", git_repository_path(repo));
    } else {
        *out = *git_object_id(tree);
        *found = true;
    }
    git_object_free(tree);
    git_reference_free(head);
    return rc;
}

/* Line ranges of a modified file: the blob diff of HEAD's version and the staged one. */
static int diff_blobs(struct collect *c, git_repository *repo, const git_oid *old,
                      const git_oid *new, const char *path, bool binary_as_text)
{
    git_blob *a = NULL;
    git_blob *b = NULL;
    git_diff_options o;
    char hex[GIT_OID_HEXSZ + 1];
    int rc = 0;
    if (git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION) < 0) {
        return lh_git_fail("cannot set up a diff");
    }
    diff_opts(&o, binary_as_text);
    if (git_blob_lookup(&a, repo, old) < 0 || git_blob_lookup(&b, repo, new) < 0) {
        /* unreadable: scan the whole staged file rather than guess */
        c->out->files[c->out->count - 1].all_lines = true;
        goto out;
    }
    /*
     * Buffers, not blobs: with a repository at hand libgit2 looks up the `diff` attribute,
     * which loads the whole index through libgit2 (tens of ms on a large work tree) and is
     * the cost this path avoids. Binary detection still happens, by content.
     */
    if (git_diff_buffers(git_blob_rawcontent(a), (size_t)git_blob_rawsize(a), path,
                         git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), path, &o, NULL,
                         binary_cb, hunk_cb, NULL, c) < 0) {
        lh_git_hex(hex, new);
        rc = c->error ? c->error : lh_git_fail("cannot diff the staged '%s' (%s)", path, hex);
    }
out:
    git_blob_free(a);
    git_blob_free(b);
    return rc;
}

static int fast_path(struct lh_git_staged *out, git_repository *repo,
                     const struct lh_git_staged_opts *opts)
{
    struct lh_git_index ix;
    struct fast f;
    struct collect c = {.out = out};
    git_oid head;
    bool has_head = false;
    struct lh_buf path;
    memset(&f, 0, sizeof(f));
    lh_buf_init(&path, 0);
    lh_git_oidmap_init(&f.deleted);
    int rc = lh_buf_puts(&path, git_repository_path(repo));
    if (rc == 0) {
        rc = lh_buf_puts(&path, "index");
    }
    if (rc == 0) {
        rc = lh_git_index_load(&ix, path.ptr);
    }
    lh_buf_dispose(&path);
    if (rc != 0) {
        lh_git_oidmap_dispose(&f.deleted);
        return DECLINE; /* missing, odd or malformed: libgit2 decides (and names errors) */
    }
    f.repo = repo;
    f.ix = &ix;
    if (ix.has_tree) {
        f.sorted = calloc(ix.ntrees + 1, sizeof(*f.sorted));
        f.sorted_done = calloc(ix.ntrees + 1, sizeof(*f.sorted_done));
        if (!f.sorted || !f.sorted_done) {
            rc = lh_error_oom();
            goto out;
        }
    }
    rc = head_tree_id(&head, &has_head, repo);
    if (rc == 0) {
        rc = diff_dir(&f, ix.has_tree ? 0 : NO_NODE, has_head ? &head : NULL, 0, 0, ix.count, 0);
    }
    for (size_t k = 0; rc == 0 && k < f.nchanges; k++) {
        const struct lh_git_index_entry *e = &ix.entries[f.changes[k].entry];
        bool added = git_oid_is_zero(&f.changes[k].old);
        /* the same content deleted elsewhere: a rename, nothing new */
        if (added && lh_git_oidmap_get(&f.deleted, e->id->id)) {
            continue;
        }
        rc = add_file(&c, e->path, e->path_len, e->id, added);
        if (rc == 0 && !added && c.current) {
            rc = diff_blobs(&c, repo, &f.changes[k].old, e->id, out->files[out->count - 1].path,
                            opts->binary_as_text);
        }
    }
out:
    free(f.changes);
    free(f.sorted);
    free(f.sorted_done);
    lh_git_oidmap_dispose(&f.deleted);
    lh_git_index_dispose(&ix);
    return rc;
}

/* ---- libgit2 path: tree-to-index diff ---- */

static bool wanted(const git_diff_delta *d)
{
    switch (d->status) {
    case GIT_DELTA_ADDED:
    case GIT_DELTA_MODIFIED:
    case GIT_DELTA_RENAMED:
    case GIT_DELTA_COPIED:
    case GIT_DELTA_TYPECHANGE:
        break;
    default:
        return false;
    }
    return is_file_mode(d->new_file.mode);
}

static int file_cb(const git_diff_delta *d, float progress, void *payload)
{
    struct collect *c = payload;
    (void)progress;
    c->current = false;
    /* an unchanged blob (rename without edits, mode change) adds no line */
    if (!wanted(d) ||
        (d->status != GIT_DELTA_ADDED && git_oid_equal(&d->old_file.id, &d->new_file.id))) {
        return 0;
    }
    int rc = add_file(c, d->new_file.path, strlen(d->new_file.path), &d->new_file.id,
                      d->status == GIT_DELTA_ADDED || d->status == GIT_DELTA_TYPECHANGE);
    if (rc < 0) {
        c->error = rc;
        return -1;
    }
    return 0;
}

static int libgit2_path(struct lh_git_staged *out, git_repository *repo,
                        const struct lh_git_staged_opts *opts)
{
    git_index *index = NULL;
    git_tree *tree = NULL;
    git_diff *diff = NULL;
    git_diff_options o;
    git_diff_find_options fo;
    struct collect c = {.out = out};
    git_oid head;
    bool has_head = false;
    int rc = 0;
    if (git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION) < 0 ||
        git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION) < 0) {
        return lh_git_fail("cannot set up the diff of '%s'", git_repository_path(repo));
    }
    diff_opts(&o, opts->binary_as_text);
    if (git_repository_index(&index, repo) < 0) {
        rc = lh_git_fail("cannot read the index of '%s'", git_repository_path(repo));
        goto out;
    }
    rc = head_tree_id(&head, &has_head, repo);
    if (rc == 0 && has_head && git_tree_lookup(&tree, repo, &head) < 0) {
        rc = lh_git_fail("cannot read the tree of HEAD in '%s'", git_repository_path(repo));
    }
    if (rc < 0) {
        goto out;
    }
    if (git_diff_tree_to_index(&diff, repo, tree, index, &o) < 0) {
        rc = lh_git_fail("cannot diff the index against HEAD in '%s'", git_repository_path(repo));
        goto out;
    }
    /* renames without edits only, as the fast path sees them */
    fo.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_EXACT_MATCH_ONLY;
    if (git_diff_find_similar(diff, &fo) < 0) {
        rc = lh_git_fail("cannot detect renames in '%s'", git_repository_path(repo));
        goto out;
    }
    if (git_diff_foreach(diff, file_cb, binary_cb, hunk_cb, NULL, &c) < 0) {
        rc = c.error ? c.error
                     : lh_git_fail("cannot diff the index against HEAD in '%s'",
                                   git_repository_path(repo));
    }
out:
    git_diff_free(diff);
    git_tree_free(tree);
    git_index_free(index);
    return rc;
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct lh_git_staged_file *)a)->path,
                  ((const struct lh_git_staged_file *)b)->path);
}

int lh_git_staged_load(struct lh_git_staged *out, git_repository *repo,
                       const struct lh_git_staged_opts *opts)
{
    int rc = DECLINE;
    memset(out, 0, sizeof(*out));
    if (git_repository_is_bare(repo)) {
        lh_error_set("'%s' is a bare repository: it has no staged changes",
                     git_repository_path(repo));
        return LH_EUSAGE;
    }
    if (!opts->use_libgit2) {
        rc = fast_path(out, repo, opts);
    }
    if (rc == DECLINE) {
        lh_git_staged_dispose(out);
        rc = libgit2_path(out, repo, opts);
    }
    if (rc < 0) {
        lh_git_staged_dispose(out);
        return rc;
    }
    if (out->count > 1) {
        qsort(out->files, out->count, sizeof(*out->files), cmp_file);
    }
    return 0;
}

void lh_git_staged_dispose(struct lh_git_staged *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->files[i].path);
        free(s->files[i].ranges);
    }
    free(s->files);
    memset(s, 0, sizeof(*s));
}

bool lh_git_staged_touches(const struct lh_git_staged_file *f, size_t first, size_t last)
{
    if (f->all_lines) {
        return true;
    }
    for (size_t i = 0; i < f->nranges; i++) {
        size_t a = f->ranges[i].start;
        size_t b = a + f->ranges[i].count - 1;
        if (first <= b && last >= a) {
            return true;
        }
    }
    return false;
}
