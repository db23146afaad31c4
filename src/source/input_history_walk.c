/* SPDX-License-Identifier: MIT */
/*
 * The history input's walk (see input_history_int.h): the commit list cut into consecutive
 * slices walked in parallel and merged in order, the tips that are not commits, and
 * --all-objects' unreachable objects.
 */
#include "source/git_unreachable.h"
#include "source/input_history_int.h"
#include "util/pool.h"

#include <stdlib.h>
#include <string.h>

#define MIN_SLICE 512       /* commits per parallel walk slice */
#define SLICES_PER_THREAD 4 /* a few per thread: slices differ in cost */

void lh_history_walk_warn(const char *msg, void *payload)
{
    const struct history *h = payload;
    lh_input_error(h->base.env, "%s", msg);
}

static bool walk_skip(const char *path, void *payload)
{
    const struct history *h = payload;
    return lh_input_excluded(h->base.env, path);
}

/* ---- walk: consecutive slices of the commit list, in parallel, merged in order ---- */

struct slice {
    struct history *h;
    size_t start;
    size_t end;
    struct lh_git_walk w;
};

static void walk_setup(struct lh_git_walk *w, struct history *h, const struct lh_git_walk *base)
{
    w->base = base;
    w->skip = h->base.env->nexclude ? walk_skip : NULL;
    w->skip_payload = h;
    w->warn = lh_history_walk_warn;
    w->warn_payload = h;
}

static int walk_slice(struct slice *s)
{
    int rc = 0;
    for (size_t i = s->start; rc == 0 && i < s->end; i++) {
        rc = lh_git_walk_tree(&s->w, &s->h->rl.trees[i], (uint32_t)i, NULL);
        atomic_fetch_add(&s->h->base.env->stats->commits, 1);
    }
    return rc;
}

static int repo_init(void **state, size_t index, void *payload)
{
    struct history *h = payload;
    git_repository *r = NULL;
    (void)index;
    int rc = lh_git_reopen(&r, h->repo);
    *state = r;
    return rc;
}

static void repo_fini(void *state, void *payload)
{
    (void)payload;
    git_repository_free(state);
}

static int walk_work(void *state, void *job, void *payload)
{
    struct slice *s = job;
    (void)payload;
    if (!state) {
        return 0; /* draining after an error; slices belong to the caller */
    }
    s->w.repo = state;
    int rc = walk_slice(s);
    s->w.repo = NULL;
    return rc;
}

int lh_history_walk_commits(struct history *h)
{
    size_t n = h->rl.count;
    size_t nslices = 1;
    int rc = 0;
    if (h->threads > 1 && n >= 2 * MIN_SLICE) {
        nslices = h->threads * SLICES_PER_THREAD;
        if (nslices > n / MIN_SLICE) {
            nslices = n / MIN_SLICE;
        }
    }
    struct slice *slices = calloc(nslices, sizeof(*slices));
    if (!slices) {
        return lh_error_oom();
    }
    const struct lh_git_walk *base = h->seed.blobs.count || h->seed.trees.count ? &h->seed : NULL;
    for (size_t i = 0; i < nslices; i++) {
        lh_git_walk_init(&slices[i].w, h->repo);
        walk_setup(&slices[i].w, h, base);
        slices[i].h = h;
        slices[i].start = n * i / nslices;
        slices[i].end = n * (i + 1) / nslices;
    }
    if (nslices == 1) {
        rc = walk_slice(&slices[0]);
    } else {
        struct lh_pool *pool = NULL;
        size_t nt = h->threads < nslices ? h->threads : nslices;
        rc = lh_pool_new(&pool, nt, nslices, repo_init, walk_work, repo_fini, h);
        for (size_t i = 0; rc == 0 && i < nslices; i++) {
            rc = lh_pool_submit(pool, &slices[i]);
        }
        if (pool) {
            int frc = lh_pool_finish(pool);
            rc = rc ? rc : frc;
        }
    }
    /* merge in commit order: an earlier slice's attribution wins */
    for (size_t i = 1; rc == 0 && i < nslices; i++) {
        rc = lh_git_walk_merge(&slices[0].w, &slices[i].w, h->all_objects);
    }
    if (rc == 0) {
        h->walk = slices[0].w;
        h->walk.repo = h->repo;
        lh_git_walk_init(&slices[0].w, NULL);
    }
    for (size_t i = 0; i < nslices; i++) {
        lh_git_walk_dispose(&slices[i].w);
    }
    free(slices);
    return rc;
}

/* Tags on trees and blobs: their content is reachable without any commit. */
int lh_history_walk_other_tips(struct history *h)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < h->tips.count; i++) {
        const struct lh_git_tip *t = &h->tips.items[i];
        if (t->type == GIT_OBJECT_TREE) {
            rc = lh_git_walk_tree(&h->walk, &t->id, LH_GIT_NO_COMMIT, NULL);
        } else if (t->type == GIT_OBJECT_BLOB) {
            rc = lh_git_walk_blob(&h->walk, &t->id, LH_GIT_NO_COMMIT, t->name);
        }
    }
    return rc;
}

int lh_history_commit_tips(git_oid **out, size_t *n, const struct lh_git_tips *tips)
{
    *n = 0;
    *out = malloc((tips->count ? tips->count : 1) * sizeof(**out));
    if (!*out) {
        return lh_error_oom();
    }
    for (size_t i = 0; i < tips->count; i++) {
        if (tips->items[i].type == GIT_OBJECT_COMMIT) {
            (*out)[(*n)++] = tips->items[i].id;
        }
    }
    return 0;
}

/* --all-objects: what no ref reaches, walked after (and never attributed over) the rest. */
int lh_history_walk_unreachable(struct history *h)
{
    struct lh_git_unreachable u;
    struct lh_git_walk w;
    git_oid *tips = NULL;
    size_t ntips = 0;
    lh_git_walk_init(&w, h->repo);
    int rc = lh_history_commit_tips(&tips, &ntips, &h->tips);
    if (rc == 0) {
        rc = lh_git_unreachable_list(&u, h->repo, &h->walk, h->commits, h->ncommits, tips, ntips,
                                     h->shallow, lh_history_walk_warn, h);
    } else {
        memset(&u, 0, sizeof(u));
    }
    const struct lh_git_revlist *extra = &u.commits;
    if (rc == 0 && extra->count) {
        size_t first = h->ncommits;
        git_oid *c = realloc(h->commits, (h->ncommits + extra->count + 1) * sizeof(*c));
        if (!c) {
            rc = lh_error_oom();
        } else {
            h->commits = c;
            memcpy(h->commits + h->ncommits, extra->ids, extra->count * sizeof(*c));
            h->ncommits += extra->count;
            atomic_fetch_add(&h->base.env->stats->commits_total, extra->count);
        }
        walk_setup(&w, h, &h->walk);
        for (size_t i = 0; rc == 0 && i < extra->count; i++) {
            rc = lh_git_walk_tree(&w, &extra->trees[i], (uint32_t)(first + i), NULL);
            atomic_fetch_add(&h->base.env->stats->commits, 1);
        }
        if (rc == 0) {
            rc = lh_git_walk_merge(&h->walk, &w, true);
        }
    }
    /* trees and blobs no commit holds: paths relative to the tree, or the blob's id */
    for (size_t i = 0; rc == 0 && i < u.ntrees; i++) {
        rc = lh_git_walk_tree(&h->walk, &u.trees[i], LH_GIT_NO_COMMIT, NULL);
    }
    for (size_t i = 0; rc == 0 && i < u.nblobs; i++) {
        char hex[GIT_OID_HEXSZ + 1];
        lh_git_hex(hex, &u.blobs[i]);
        rc = lh_git_walk_blob(&h->walk, &u.blobs[i], LH_GIT_NO_COMMIT, hex);
    }
    lh_git_walk_dispose(&w);
    lh_git_unreachable_dispose(&u);
    free(tips);
    return rc;
}
