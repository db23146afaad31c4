/* SPDX-License-Identifier: MIT */
/* Index-against-HEAD diff with added line ranges; see git_staged.h. */
#include "source/git_staged.h"

#include <stdlib.h>
#include <string.h>

#include "source/git.h"

#define MAX_FILES ((size_t)1 << 24)
#define MAX_RANGES ((size_t)1 << 24)

struct collect {
    struct lh_git_staged *out;
    size_t alloc;
    size_t ranges_alloc; /* of the last file */
    bool current;        /* the last delta was kept */
    int error;
};

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
    return d->new_file.mode == GIT_FILEMODE_BLOB ||
           d->new_file.mode == GIT_FILEMODE_BLOB_EXECUTABLE ||
           d->new_file.mode == GIT_FILEMODE_LINK;
}

static int file_cb(const git_diff_delta *d, float progress, void *payload)
{
    struct collect *c = payload;
    struct lh_git_staged *s = c->out;
    (void)progress;
    c->current = false;
    /* an unchanged blob (pure rename, mode change) adds no line */
    if (!wanted(d) || (d->status != GIT_DELTA_ADDED &&
                       git_oid_equal(&d->old_file.id, &d->new_file.id))) {
        return 0;
    }
    if (s->count == c->alloc) {
        if (s->count >= MAX_FILES) {
            lh_error_set("more than %zu staged files", MAX_FILES);
            c->error = LH_ETOOBIG;
            return -1;
        }
        size_t n = c->alloc ? c->alloc * 2 : 16;
        struct lh_git_staged_file *f = realloc(s->files, n * sizeof(*f));
        if (!f) {
            c->error = lh_error_oom();
            return -1;
        }
        s->files = f;
        c->alloc = n;
    }
    struct lh_git_staged_file *f = &s->files[s->count];
    memset(f, 0, sizeof(*f));
    f->path = strdup(d->new_file.path);
    if (!f->path) {
        c->error = lh_error_oom();
        return -1;
    }
    f->blob = d->new_file.id;
    f->binary = (d->flags & GIT_DIFF_FLAG_BINARY) != 0;
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
        c->out->files[c->out->count - 1].binary = true;
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

int lh_git_staged_load(struct lh_git_staged *out, git_repository *repo, bool binary_as_text)
{
    git_index *index = NULL;
    git_reference *head = NULL;
    git_tree *tree = NULL;
    git_diff *diff = NULL;
    git_diff_options opts;
    git_diff_find_options fopts;
    struct collect c = {.out = out};
    int rc = 0;
    memset(out, 0, sizeof(*out));
    if (git_repository_is_bare(repo)) {
        lh_error_set("'%s' is a bare repository: it has no staged changes",
                     git_repository_path(repo));
        return LH_EUSAGE;
    }
    if (git_repository_index(&index, repo) < 0) {
        rc = lh_git_fail("cannot read the index of '%s'", git_repository_path(repo));
        goto out;
    }
    int hrc = git_repository_head(&head, repo);
    if (hrc == 0) {
        if (git_reference_peel((git_object **)&tree, head, GIT_OBJECT_TREE) < 0) {
            rc = lh_git_fail("cannot read the tree of HEAD in '%s'", git_repository_path(repo));
            goto out;
        }
    } else if (hrc != GIT_EUNBORNBRANCH && hrc != GIT_ENOTFOUND) {
        rc = lh_git_fail("cannot read HEAD in '%s'", git_repository_path(repo));
        goto out;
    }
    if (git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION) < 0 ||
        git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION) < 0) {
        rc = lh_git_fail("cannot set up the diff of '%s'", git_repository_path(repo));
        goto out;
    }
    opts.context_lines = 0;
    opts.interhunk_lines = 0;
    opts.flags = GIT_DIFF_IGNORE_SUBMODULES | (binary_as_text ? GIT_DIFF_FORCE_TEXT : 0);
    if (git_diff_tree_to_index(&diff, repo, tree, index, &opts) < 0) {
        rc = lh_git_fail("cannot diff the index against HEAD in '%s'",
                         git_repository_path(repo));
        goto out;
    }
    fopts.flags = GIT_DIFF_FIND_RENAMES;
    if (git_diff_find_similar(diff, &fopts) < 0) {
        rc = lh_git_fail("cannot detect renames in '%s'", git_repository_path(repo));
        goto out;
    }
    if (git_diff_foreach(diff, file_cb, binary_cb, hunk_cb, NULL, &c) < 0) {
        rc = c.error ? c.error
                     : lh_git_fail("cannot diff the index against HEAD in '%s'",
                                   git_repository_path(repo));
        goto out;
    }
out:
    git_diff_free(diff);
    git_tree_free(tree);
    git_reference_free(head);
    git_index_free(index);
    if (rc < 0) {
        lh_git_staged_dispose(out);
    }
    return rc;
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
    if (f->binary && f->nranges == 0) {
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
