/* SPDX-License-Identifier: MIT */
/* The git history input: walk, blob order and blob reads; see input_history.h. */
#include "source/input_history.h"

#include "source/git_oidmap.h"
#include "source/git_revlist.h"
#include "source/git_unreachable.h"
#include "util/pool.h"

#include <stdlib.h>
#include <string.h>

#define MIN_SLICE 512         /* commits per parallel walk slice */
#define SLICES_PER_THREAD 4   /* a few per thread: slices differ in cost */
#define BATCH 16              /* consecutive blobs per job */
#define SMALL_SCAN 4096       /* below this many blobs, pack order is not worth a pass */
#define QUEUED_BIT (1u << 31) /* on a blob entry's path id: already in the scan order */

/* One blob to read: a copy of its table entry, so workers never touch the table. */
struct item {
    git_oid id;
    uint32_t commit; /* commit index, or LH_GIT_NO_COMMIT */
    uint32_t path;   /* path id in the merged walk */
};

struct history {
    struct lh_input base;
    const char *repo_path;
    struct lh_git_range_req select; /* used when selective */
    bool selective;                 /* a range, a date or a push: not every ref and object */
    bool all_objects;
    bool git_ready; /* lh_git_global_init succeeded: shut down on free */
    size_t max_size;
    size_t threads;
    git_repository *repo;
    bool shallow;
    struct lh_git_tips tips;
    struct lh_git_revlist rl;
    git_oid *commits; /* commit index -> id: the commit list, then unreachable commits */
    size_t ncommits;
    struct lh_git_walk seed; /* range boundary: known content, never reported */
    struct lh_git_walk walk; /* the merged result */
    struct item *order;
    size_t norder;
    size_t order_alloc;
    struct lh_git_history view;
};

struct range {
    size_t start;
    size_t end;
};

/* A worker's own handles: libgit2 objects are not shared between threads. */
struct reader {
    git_repository *repo;
    git_odb *odb;
};

static void walk_warn(const char *msg, void *payload)
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
    w->warn = walk_warn;
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

static int walk_commits(struct history *h)
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
static int walk_other_tips(struct history *h)
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

static int commit_tips(git_oid **out, size_t *n, const struct lh_git_tips *tips)
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
static int walk_unreachable(struct history *h)
{
    struct lh_git_unreachable u;
    struct lh_git_walk w;
    git_oid *tips = NULL;
    size_t ntips = 0;
    lh_git_walk_init(&w, h->repo);
    int rc = commit_tips(&tips, &ntips, &h->tips);
    if (rc == 0) {
        rc = lh_git_unreachable_list(&u, h->repo, &h->walk, h->commits, h->ncommits, tips, ntips,
                                     h->shallow, walk_warn, h);
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

/* ---- scan order: as the blobs lie in the packs ---- */

static int order_push(struct history *h, const uint8_t *id, struct lh_git_oidmap_entry *e)
{
    const struct lh_blob_filter *bf = h->base.env->blob_filter;
    if (bf && bf->known(id, bf->payload)) {
        e->b |= QUEUED_BIT; /* scanned before: left out, counted once */
        atomic_fetch_add(&h->base.env->stats->skipped_known, 1);
        return 0;
    }
    if (h->norder == h->order_alloc) {
        size_t n = h->order_alloc ? h->order_alloc * 2 : 1024;
        struct item *o = realloc(h->order, n * sizeof(*o));
        if (!o) {
            return lh_error_oom();
        }
        h->order = o;
        h->order_alloc = n;
    }
    struct item *it = &h->order[h->norder++];
    memcpy(it->id.id, id, GIT_OID_RAWSZ);
    it->commit = e->a;
    it->path = e->b & ~QUEUED_BIT;
    e->b |= QUEUED_BIT;
    return 0;
}

struct order_ctx {
    struct history *h;
    int error;
};

static int order_cb(const git_oid *id, void *payload)
{
    struct order_ctx *c = payload;
    struct lh_git_oidmap_entry *e = lh_git_oidmap_get(&c->h->walk.blobs, id->id);
    if (!e || e->a == LH_GIT_SEEDED || (e->b & QUEUED_BIT)) {
        return 0;
    }
    c->error = order_push(c->h, id->id, e);
    return c->error ? -1 : 0;
}

static int build_order(struct history *h)
{
    struct lh_git_oidmap_entry *e;
    size_t pos = 0;
    int rc = 0;
    if (h->walk.blobs.count >= SMALL_SCAN) {
        git_odb *odb = NULL;
        struct order_ctx c = {h, 0};
        if (git_repository_odb(&odb, h->repo) < 0) {
            return lh_git_fail("cannot open the object database");
        }
        if (git_odb_foreach(odb, order_cb, &c) < 0) {
            rc = c.error ? c.error : lh_git_fail("cannot list the object database");
        }
        git_odb_free(odb);
    }
    /* the rest: small scans, loose objects foreach missed, missing objects (warned later) */
    while (rc == 0 && (e = lh_git_oidmap_next(&h->walk.blobs, &pos)) != NULL) {
        if (e->a != LH_GIT_SEEDED && !(e->b & QUEUED_BIT)) {
            rc = order_push(h, e->id, e);
        }
    }
    /*
     * Backwards: git writes each delta family base first, and libgit2 caches the bases it
     * walks through to resolve a delta but not the object it returns. Reading a family's
     * deltas first leaves the base and the intermediate versions in the cache for the
     * reads that follow; reading the base first inflates it twice. (Measured on curl:
     * 5% less inflating and CPU time.)
     */
    for (size_t i = 0, j = h->norder ? h->norder - 1 : 0; i < j; i++, j--) {
        struct item t = h->order[i];
        h->order[i] = h->order[j];
        h->order[j] = t;
    }
    atomic_store(&h->base.env->stats->items_total, h->norder);
    return rc;
}

/* ---- prepare: the repository, its commits, the walk and the order ---- */

static int list_commits(struct history *h)
{
    git_oid *tips = NULL;
    size_t ntips = 0;
    int rc = 0;
    if (h->selective) {
        h->select.shallow = h->shallow;
        h->select.warn = walk_warn;
        h->select.payload = h;
        rc = lh_git_range_list(&h->rl, h->repo, &h->select);
    } else {
        rc = commit_tips(&tips, &ntips, &h->tips);
        if (rc == 0) {
            rc = lh_git_revlist_reachable(&h->rl, h->repo, tips, ntips, h->shallow, walk_warn, h);
        }
        free(tips);
    }
    if (rc < 0) {
        return rc;
    }
    h->commits = malloc((h->rl.count + 1) * sizeof(*h->commits));
    if (!h->commits) {
        return lh_error_oom();
    }
    if (h->rl.count) {
        memcpy(h->commits, h->rl.ids, h->rl.count * sizeof(*h->commits));
    }
    h->ncommits = h->rl.count;
    atomic_store(&h->base.env->stats->commits_total, h->rl.count);
    /* a range builds on its boundary: that content is known, not introduced */
    for (size_t i = 0; rc == 0 && i < h->rl.nboundary; i++) {
        rc = lh_git_walk_tree(&h->seed, &h->rl.boundary_trees[i], LH_GIT_SEEDED, NULL);
    }
    return rc;
}

static int open_repo(struct history *h)
{
    int rc = lh_git_open(&h->repo, h->repo_path);
    if (rc < 0) {
        return rc;
    }
    h->shallow = git_repository_is_shallow(h->repo) == 1;
    atomic_store(&h->base.env->stats->shallow, h->shallow);
    if (h->shallow) {
        lh_input_warn(h->base.env,
                      "history is incomplete (shallow clone): '%s' lacks the commits before its "
                      "cut-off; 'git fetch --unshallow' gets them",
                      h->repo_path);
    }
    return 0;
}

static int history_prepare(struct lh_input *in, size_t *max_jobs)
{
    struct history *h = (struct history *)in;
    size_t broken = 0;
    atomic_store(&in->env->stats->phase, LH_PHASE_WALK);
    int rc = open_repo(h);
    if (rc == 0) {
        h->seed.repo = h->repo;
        h->seed.warn = walk_warn;
        h->seed.warn_payload = h;
        rc = lh_git_tips_load(&h->tips, h->repo, in->env->warn, in->env->warn_payload, &broken);
        atomic_fetch_add(&in->env->stats->errors, broken);
    }
    if (rc == 0) {
        rc = list_commits(h);
    }
    if (rc == 0) {
        rc = walk_commits(h);
    }
    if (rc == 0 && !h->selective) {
        rc = walk_other_tips(h);
    }
    if (rc == 0 && h->all_objects && !h->selective) {
        rc = walk_unreachable(h);
    }
    if (rc == 0) {
        rc = build_order(h);
    }
    *max_jobs = (h->norder + BATCH - 1) / BATCH;
    h->view = (struct lh_git_history){
        .repo = h->repo,
        .tips = &h->tips,
        .commits = h->commits,
        .ncommits = h->ncommits,
        .walk = &h->walk,
        .boundary_trees = h->rl.boundary_trees,
        .nboundary = h->rl.nboundary,
    };
    return rc;
}

/* ---- jobs: runs of the order, read by the workers ---- */

static int history_produce(struct lh_input *in, lh_submit_fn submit, void *payload)
{
    struct history *h = (struct history *)in;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < h->norder; i += BATCH) {
        struct range *r = malloc(sizeof(*r));
        if (!r) {
            return lh_error_oom();
        }
        r->start = i;
        r->end = i + BATCH < h->norder ? i + BATCH : h->norder;
        rc = submit(r, payload);
    }
    return rc;
}

static int history_reader_new(struct lh_input *in, void **out)
{
    struct history *h = (struct history *)in;
    struct reader *r = calloc(1, sizeof(*r));
    if (!r) {
        return lh_error_oom();
    }
    int rc = lh_git_reopen(&r->repo, h->repo);
    if (rc == 0 && git_repository_odb(&r->odb, r->repo) < 0) {
        rc = lh_git_fail("cannot open the object database");
    }
    if (rc < 0) {
        git_odb_free(r->odb);
        git_repository_free(r->repo);
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

static void history_reader_free(struct lh_input *in, void *reader)
{
    struct reader *r = reader;
    (void)in;
    git_odb_free(r->odb);
    git_repository_free(r->repo);
    free(r);
}

static const char *item_path(const struct history *h, const struct item *it)
{
    return it->path == UINT32_MAX ? "" : lh_git_strtab_get(&h->walk.paths, it->path);
}

/* Reads and scans one blob; only fatal errors (out of memory) are returned. */
static int read_one(struct history *h, struct reader *r, const struct item *it,
                    struct lh_sink *sink)
{
    int rc = lh_git_blob_scan(r->odb, &it->id, item_path(h, it), NULL, NULL, h->base.env, sink);
    if (rc == LH_EGIT || rc == LH_EINVAL) {
        char chex[GIT_OID_HEXSZ + 1] = "";
        if (it->commit < h->ncommits) {
            lh_git_hex(chex, &h->commits[it->commit]);
        }
        lh_input_skip(h->base.env, LH_SKIP_ERROR, "%s (path '%s'%s%s); skipped", lh_error_get(),
                      item_path(h, it), chex[0] ? " in commit " : "", chex);
        return 0;
    }
    const struct lh_blob_filter *bf = h->base.env->blob_filter;
    if (rc == 0 && bf) {
        rc = bf->scanned(it->id.id, bf->payload);
    }
    return rc;
}

static int history_read(struct lh_input *in, void *reader, void *job, struct lh_sink *sink)
{
    struct history *h = (struct history *)in;
    struct range *r = job;
    int rc = 0;
    for (size_t i = r->start; rc == 0 && i < r->end; i++) {
        rc = read_one(h, reader, &h->order[i], sink);
    }
    free(r);
    return rc;
}

static void history_discard(struct lh_input *in, void *job)
{
    (void)in;
    free(job);
}

static void history_free(struct lh_input *in)
{
    struct history *h = (struct history *)in;
    if (h->git_ready) {
        free(h->order);
        free(h->commits);
        lh_git_walk_dispose(&h->walk);
        lh_git_walk_dispose(&h->seed);
        lh_git_revlist_dispose(&h->rl);
        lh_git_tips_dispose(&h->tips);
        git_repository_free(h->repo);
        lh_git_global_shutdown();
    }
    free(h);
}

static const struct lh_input_ops history_ops = {
    .name = "git history",
    .prepare = history_prepare,
    .produce = history_produce,
    .reader_new = history_reader_new,
    .reader_free = history_reader_free,
    .read = history_read,
    .discard = history_discard,
    .free = history_free,
};

int lh_input_history_new(struct lh_input **out, const char *repo_path,
                         const struct lh_git_range_req *select, bool all_objects,
                         const struct lh_input_env *env)
{
    struct history *h = calloc(1, sizeof(*h));
    if (!h) {
        return lh_error_oom();
    }
    h->base.ops = &history_ops;
    h->base.env = env;
    h->repo_path = repo_path;
    if (select) {
        h->select = *select;
        h->selective = true;
    }
    h->all_objects = all_objects;
    h->max_size = lh_input_max_size(env);
    h->threads = env->threads ? env->threads : lh_pool_default_threads();
    int rc = lh_git_global_init();
    if (rc < 0) {
        free(h);
        return rc;
    }
    h->git_ready = true;
    lh_git_walk_init(&h->seed, NULL);
    lh_git_walk_init(&h->walk, NULL);
    *out = &h->base;
    return 0;
}

const struct lh_git_history *lh_input_history_view(const struct lh_input *in)
{
    LH_ASSERT(in->ops == &history_ops);
    return &((const struct history *)in)->view;
}
