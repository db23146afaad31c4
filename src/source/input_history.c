/* SPDX-License-Identifier: MIT */
/*
 * The git history input: blob order and blob reads; see input_history.h. The walk that
 * finds the blobs is in input_history_walk.c.
 */
#include "source/git_family.h"
#include "source/git_oidmap.h"
#include "source/git_revlist.h"
#include "source/input_history_int.h"
#include "util/fs.h"
#include "util/pool.h"

#include <stdlib.h>
#include <string.h>

#define BATCH 16              /* consecutive blobs per job */
#define SMALL_SCAN 4096       /* below this many blobs, planning by family is not worth it */
#define QUEUED_BIT (1u << 31) /* on a blob entry's path id: already in the scan order */
#define HELD_PER_MAX 8        /* a family reader holds at most this many max-size objects */

/* A job: a family job of the plan, or a run of the order (of plan.fallback if by_family). */
struct range {
    size_t start;
    size_t end;
    bool family;
};

/* A worker's own handles: libgit2 objects are not shared between threads. */
struct reader {
    git_repository *repo;
    git_odb *odb;
    struct lh_git_pack_scratch pack;
};

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

static const uint8_t *order_id(size_t i, const void *items)
{
    return ((const struct item *)items)[i].id.id;
}

/*
 * The blobs to read. Large scans read the packed ones by delta family (source/git_family.h),
 * so each object is inflated once: libgit2's delta-base cache is too small for long chains
 * (on the curl mirror, reading blob by blob inflated twice what `git cat-file` does). Small
 * scans read blob by blob through libgit2, where planning would cost more than it saves.
 */
static int build_order(struct history *h)
{
    struct lh_git_oidmap_entry *e;
    size_t pos = 0;
    int rc = 0;
    while (rc == 0 && (e = lh_git_oidmap_next(&h->walk.blobs, &pos)) != NULL) {
        if (e->a != LH_GIT_SEEDED && !(e->b & QUEUED_BIT)) {
            rc = order_push(h, e->id, e);
        }
    }
    atomic_store(&h->base.env->stats->items_total, h->norder);
    if (rc < 0 || h->norder < SMALL_SCAN) {
        return rc;
    }
    char *objects = lh_path_join(git_repository_commondir(h->repo), "objects");
    if (!objects) {
        return lh_error_oom();
    }
    rc = lh_git_family_plan(&h->plan, objects, order_id, h->order, h->norder);
    free(objects);
    h->by_family = rc == 0;
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
        h->select.warn = lh_history_walk_warn;
        h->select.payload = h;
        rc = lh_git_range_list(&h->rl, h->repo, &h->select);
    } else {
        rc = lh_history_commit_tips(&tips, &ntips, &h->tips);
        if (rc == 0) {
            rc = lh_git_revlist_reachable(&h->rl, h->repo, tips, ntips, h->shallow,
                                          lh_history_walk_warn, h);
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
        h->seed.warn = lh_history_walk_warn;
        h->seed.warn_payload = h;
        rc = lh_git_tips_load(&h->tips, h->repo, in->env->warn, in->env->warn_payload, &broken);
        atomic_fetch_add(&in->env->stats->errors, broken);
    }
    if (rc == 0) {
        rc = list_commits(h);
    }
    if (rc == 0) {
        rc = lh_history_walk_commits(h);
    }
    if (rc == 0 && !h->selective) {
        rc = lh_history_walk_other_tips(h);
    }
    if (rc == 0 && h->all_objects && !h->selective) {
        rc = lh_history_walk_unreachable(h);
    }
    if (rc == 0) {
        rc = build_order(h);
    }
    *max_jobs = h->by_family ? h->plan.njobs + (h->plan.nfallback + BATCH - 1) / BATCH
                             : (h->norder + BATCH - 1) / BATCH;
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

static int submit_range(size_t start, size_t end, bool family, lh_submit_fn submit, void *payload)
{
    struct range *r = malloc(sizeof(*r));
    if (!r) {
        return lh_error_oom();
    }
    *r = (struct range){start, end, family};
    return submit(r, payload);
}

/* Family jobs first (the largest first), then runs of what is read blob by blob. */
static int history_produce(struct lh_input *in, lh_submit_fn submit, void *payload)
{
    struct history *h = (struct history *)in;
    size_t n = h->by_family ? h->plan.nfallback : h->norder;
    int rc = 0;
    for (size_t j = 0; rc == 0 && h->by_family && j < h->plan.njobs; j++) {
        rc = submit_range(j, j + 1, true, submit, payload);
    }
    for (size_t i = 0; rc == 0 && i < n; i += BATCH) {
        rc = submit_range(i, i + BATCH < n ? i + BATCH : n, false, submit, payload);
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
    lh_git_pack_scratch_dispose(&r->pack);
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

struct family_ctx {
    struct history *h;
    struct reader *r;
    struct lh_sink *sink;
};

/* A blob of a family, derived from its base in memory: scanned as lh_git_blob_scan would. */
static int family_visit(uint32_t item, const uint8_t *buf, size_t len, void *payload)
{
    struct family_ctx *c = payload;
    const struct item *it = &c->h->order[item];
    char hex[GIT_OID_HEXSZ + 1];
    lh_git_hex(hex, &it->id);
    struct lh_item li = {
        .buf = buf,
        .len = len,
        .origin = {.kind = LH_ORIGIN_BLOB, .path = item_path(c->h, it), .id = hex},
    };
    return c->sink->scan(c->sink, &li);
}

static int family_fallback(uint32_t item, void *payload)
{
    struct family_ctx *c = payload;
    return read_one(c->h, c->r, &c->h->order[item], c->sink);
}

static int history_read(struct lh_input *in, void *reader, void *job, struct lh_sink *sink)
{
    struct history *h = (struct history *)in;
    struct range *r = job;
    struct family_ctx c = {h, reader, sink};
    int rc = 0;
    if (r->family) {
        rc = lh_git_family_read(&h->plan, r->start, &c.r->pack, h->max_size,
                                h->max_size * HELD_PER_MAX, family_visit, family_fallback, &c);
    }
    for (size_t i = r->start; !r->family && rc == 0 && i < r->end; i++) {
        rc = read_one(h, reader, &h->order[h->by_family ? h->plan.fallback[i] : i], sink);
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
        lh_git_family_plan_dispose(&h->plan);
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
