/* SPDX-License-Identifier: MIT */
/* Commit graph walk, range limiting and date-ordered topological sort; see git_revlist.h. */
#include "source/git_revlist.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F_PARSED 1u
#define F_BAD 2u           /* unreadable: no tree, no parents */
#define F_UNINTERESTING 4u /* reachable from an excluded commit */
#define F_QUEUED 8u
#define F_VISITED 16u /* popped from the queue */
#define F_RESULT 32u  /* popped while interesting */
#define F_BOUNDARY 64u

/* git's "slop": keep walking a few commits after only uninteresting ones are queued */
#define SLOP 5

struct node {
    git_oid id;
    git_oid tree;
    int64_t time;
    uint32_t flags;
    uint32_t parent_off;
    uint32_t nparents;
};

struct heap {
    uint32_t *items;
    size_t count;
    size_t alloc;
    bool newest_first;
};

struct graph {
    git_repository *repo;
    bool shallow;
    int64_t min_time; /* > 0: commits older than this are uninteresting (--since DATE) */
    lh_git_warn_fn warn;
    void *payload;
    size_t errors;
    struct node *nodes;
    size_t count;
    size_t alloc;
    uint32_t *parents;
    size_t nparents;
    size_t parents_alloc;
    struct lh_git_oidmap index; /* id -> node index + 1 */
    struct heap queue;
    size_t queued_interesting;
    uint32_t *stack; /* scratch for propagation */
    size_t stack_alloc;
};

/* ---- heap of node indices, ordered by commit time, ties by index (stable) ---- */

static bool before(const struct graph *g, const struct heap *h, uint32_t a, uint32_t b)
{
    int64_t ta = g->nodes[a].time;
    int64_t tb = g->nodes[b].time;
    if (ta != tb) {
        return h->newest_first ? ta > tb : ta < tb;
    }
    return a < b;
}

static int heap_push(const struct graph *g, struct heap *h, uint32_t v)
{
    if (h->count == h->alloc) {
        size_t n = h->alloc ? h->alloc * 2 : 256;
        uint32_t *items = realloc(h->items, n * sizeof(*items));
        if (!items) {
            return lh_error_oom();
        }
        h->items = items;
        h->alloc = n;
    }
    size_t i = h->count++;
    h->items[i] = v;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(g, h, h->items[i], h->items[p])) {
            break;
        }
        uint32_t t = h->items[i];
        h->items[i] = h->items[p];
        h->items[p] = t;
        i = p;
    }
    return 0;
}

static uint32_t heap_pop(const struct graph *g, struct heap *h)
{
    uint32_t top = h->items[0];
    h->items[0] = h->items[--h->count];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1;
        size_t r = l + 1;
        size_t m = i;
        if (l < h->count && before(g, h, h->items[l], h->items[m])) {
            m = l;
        }
        if (r < h->count && before(g, h, h->items[r], h->items[m])) {
            m = r;
        }
        if (m == i) {
            break;
        }
        uint32_t t = h->items[i];
        h->items[i] = h->items[m];
        h->items[m] = t;
        i = m;
    }
    return top;
}

/* ---- graph ---- */

static void warnf(struct graph *g, const char *fmt, ...) LH_PRINTF(2, 3);
static void warnf(struct graph *g, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (!g->warn) {
        return;
    }
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    g->warn(msg, g->payload);
}

static int get_node(uint32_t *out, struct graph *g, const git_oid *id)
{
    struct lh_git_oidmap_entry *e = NULL;
    int rc = lh_git_oidmap_put(&e, &g->index, id->id);
    if (rc < 0) {
        return rc;
    }
    if (rc == 0) {
        *out = e->a - 1;
        return 0;
    }
    if (g->count == g->alloc) {
        if (g->count >= LH_GIT_MAX_COMMITS) {
            lh_error_set("more than %zu commits", LH_GIT_MAX_COMMITS);
            return LH_ETOOBIG;
        }
        size_t n = g->alloc ? g->alloc * 2 : 1024;
        struct node *nodes = realloc(g->nodes, n * sizeof(*nodes));
        if (!nodes) {
            return lh_error_oom();
        }
        g->nodes = nodes;
        g->alloc = n;
    }
    struct node *nd = &g->nodes[g->count];
    memset(nd, 0, sizeof(*nd));
    nd->id = *id;
    e->a = (uint32_t)(g->count + 1);
    *out = (uint32_t)g->count;
    g->count++;
    return 0;
}

static int add_parent(struct graph *g, uint32_t parent)
{
    if (g->nparents == g->parents_alloc) {
        if (g->nparents >= UINT32_MAX / 2) {
            lh_error_set("too many commit parents");
            return LH_ETOOBIG;
        }
        size_t n = g->parents_alloc ? g->parents_alloc * 2 : 1024;
        uint32_t *p = realloc(g->parents, n * sizeof(*p));
        if (!p) {
            return lh_error_oom();
        }
        g->parents = p;
        g->parents_alloc = n;
    }
    g->parents[g->nparents++] = parent;
    return 0;
}

/* Reads a commit's time, tree and parents once; unreadable commits become roots. */
static int parse(struct graph *g, uint32_t n)
{
    git_commit *c = NULL;
    int rc = 0;
    if (g->nodes[n].flags & F_PARSED) {
        return 0;
    }
    g->nodes[n].flags |= F_PARSED;
    int grc = git_commit_lookup(&c, g->repo, &g->nodes[n].id);
    if (grc < 0) {
        g->nodes[n].flags |= F_BAD;
        /* a shallow clone's cut-off parents are missing by design */
        if (!(g->shallow && grc == GIT_ENOTFOUND)) {
            char hex[GIT_OID_HEXSZ + 1];
            const git_error *e = git_error_last();
            lh_git_hex(hex, &g->nodes[n].id);
            warnf(g, "cannot read commit %s: %s", hex,
                  e && e->message ? e->message : "unknown error");
            g->errors++;
        }
        return 0;
    }
    unsigned int np = git_commit_parentcount(c);
    git_oid pids[64];
    git_oid *pid = np <= 64 ? pids : malloc(np * sizeof(*pid));
    if (!pid) {
        rc = lh_error_oom();
        goto out;
    }
    /* copy first: get_node may grow the node array, but not the commit */
    for (unsigned int i = 0; i < np; i++) {
        pid[i] = *git_commit_parent_id(c, i);
    }
    g->nodes[n].tree = *git_commit_tree_id(c);
    g->nodes[n].time = (int64_t)git_commit_time(c);
    if (g->min_time > 0 && g->nodes[n].time < g->min_time) {
        /* parsed before it is queued: the walk propagates this to its parents */
        g->nodes[n].flags |= F_UNINTERESTING;
    }
    g->nodes[n].parent_off = (uint32_t)g->nparents;
    for (unsigned int i = 0; rc == 0 && i < np; i++) {
        uint32_t p = 0;
        rc = get_node(&p, g, &pid[i]);
        if (rc == 0) {
            rc = add_parent(g, p);
        }
    }
    g->nodes[n].nparents = (uint32_t)(g->nparents - g->nodes[n].parent_off);
    if (pid != pids) {
        free(pid);
    }
out:
    git_commit_free(c);
    return rc;
}

static int enqueue(struct graph *g, uint32_t n)
{
    if (g->nodes[n].flags & (F_QUEUED | F_VISITED)) {
        return 0;
    }
    int rc = parse(g, n);
    if (rc < 0) {
        return rc;
    }
    g->nodes[n].flags |= F_QUEUED;
    if (!(g->nodes[n].flags & F_UNINTERESTING)) {
        g->queued_interesting++;
    }
    return heap_push(g, &g->queue, n);
}

static int stack_push(struct graph *g, size_t *sp, uint32_t v)
{
    if (*sp == g->stack_alloc) {
        size_t n = g->stack_alloc ? g->stack_alloc * 2 : 256;
        uint32_t *s = realloc(g->stack, n * sizeof(*s));
        if (!s) {
            return lh_error_oom();
        }
        g->stack = s;
        g->stack_alloc = n;
    }
    g->stack[(*sp)++] = v;
    return 0;
}

/* Marks n and its known ancestors uninteresting (iteratively: histories are deep). */
static int mark_uninteresting(struct graph *g, uint32_t n)
{
    size_t sp = 0;
    int rc = stack_push(g, &sp, n);
    while (rc == 0 && sp > 0) {
        uint32_t v = g->stack[--sp];
        struct node *nd = &g->nodes[v];
        if (nd->flags & F_UNINTERESTING) {
            continue;
        }
        nd->flags |= F_UNINTERESTING;
        if (nd->flags & F_QUEUED) {
            g->queued_interesting--;
        }
        for (uint32_t i = 0; rc == 0 && i < nd->nparents; i++) {
            rc = stack_push(g, &sp, g->parents[nd->parent_off + i]);
            nd = &g->nodes[v];
        }
    }
    return rc;
}

static int walk(struct graph *g)
{
    int slop = SLOP;
    int rc = 0;
    while (rc == 0 && g->queue.count > 0) {
        if (g->queued_interesting == 0) {
            if (--slop <= 0) {
                break;
            }
        } else {
            slop = SLOP;
        }
        uint32_t n = heap_pop(g, &g->queue);
        g->nodes[n].flags &= ~F_QUEUED;
        g->nodes[n].flags |= F_VISITED;
        bool uninteresting = (g->nodes[n].flags & F_UNINTERESTING) != 0;
        if (!uninteresting) {
            g->queued_interesting--;
            g->nodes[n].flags |= F_RESULT;
        }
        uint32_t off = g->nodes[n].parent_off;
        uint32_t np = g->nodes[n].nparents;
        for (uint32_t i = 0; rc == 0 && i < np; i++) {
            uint32_t p = g->parents[off + i];
            if (uninteresting) {
                rc = mark_uninteresting(g, p);
            }
            if (rc == 0) {
                rc = enqueue(g, p);
            }
        }
    }
    return rc;
}

static bool in_result(const struct node *nd)
{
    return (nd->flags & (F_RESULT | F_UNINTERESTING | F_BAD)) == F_RESULT;
}

/* Kahn's algorithm over the result, earliest committer date first among ready commits. */
static int emit(struct lh_git_revlist *out, struct graph *g)
{
    size_t n = 0;
    int rc = 0;
    uint32_t *pending = calloc(g->count ? g->count : 1, sizeof(*pending));
    uint32_t *child_off = calloc(g->count + 1, sizeof(*child_off));
    uint32_t *children = NULL;
    struct heap ready = {.newest_first = false};
    if (!pending || !child_off) {
        rc = lh_error_oom();
        goto out;
    }
    /* count edges inside the result: pending[c] = parents of c still to emit */
    for (size_t c = 0; c < g->count; c++) {
        if (!in_result(&g->nodes[c])) {
            continue;
        }
        n++;
        for (uint32_t i = 0; i < g->nodes[c].nparents; i++) {
            uint32_t p = g->parents[g->nodes[c].parent_off + i];
            if (in_result(&g->nodes[p])) {
                pending[c]++;
                child_off[p + 1]++;
            }
        }
    }
    for (size_t i = 0; i < g->count; i++) {
        child_off[i + 1] += child_off[i];
    }
    children = malloc((child_off[g->count] ? child_off[g->count] : 1) * sizeof(*children));
    out->ids = malloc((n ? n : 1) * sizeof(*out->ids));
    out->trees = malloc((n ? n : 1) * sizeof(*out->trees));
    if (!children || !out->ids || !out->trees) {
        rc = lh_error_oom();
        goto out;
    }
    {
        uint32_t *fill = calloc(g->count ? g->count : 1, sizeof(*fill));
        if (!fill) {
            rc = lh_error_oom();
            goto out;
        }
        for (size_t c = 0; c < g->count; c++) {
            if (!in_result(&g->nodes[c])) {
                continue;
            }
            for (uint32_t i = 0; i < g->nodes[c].nparents; i++) {
                uint32_t p = g->parents[g->nodes[c].parent_off + i];
                if (in_result(&g->nodes[p])) {
                    children[child_off[p] + fill[p]++] = (uint32_t)c;
                }
            }
        }
        free(fill);
    }
    for (size_t c = 0; rc == 0 && c < g->count; c++) {
        if (in_result(&g->nodes[c]) && pending[c] == 0) {
            rc = heap_push(g, &ready, (uint32_t)c);
        }
    }
    while (rc == 0 && ready.count > 0) {
        uint32_t c = heap_pop(g, &ready);
        out->ids[out->count] = g->nodes[c].id;
        out->trees[out->count] = g->nodes[c].tree;
        out->count++;
        for (uint32_t i = child_off[c]; rc == 0 && i < child_off[c + 1]; i++) {
            if (--pending[children[i]] == 0) {
                rc = heap_push(g, &ready, children[i]);
            }
        }
    }
    /*
     * A cycle needs a SHA-1 preimage, but hashes are not verified on read, so a crafted
     * object store can hold one: its commits are listed last, in discovery order.
     */
    for (size_t c = 0; rc == 0 && out->count < n && c < g->count; c++) {
        if (in_result(&g->nodes[c]) && pending[c] > 0) {
            pending[c] = 0;
            out->ids[out->count] = g->nodes[c].id;
            out->trees[out->count] = g->nodes[c].tree;
            out->count++;
        }
    }
out:
    free(ready.items);
    free(children);
    free(child_off);
    free(pending);
    return rc;
}

static int collect_boundary(struct lh_git_revlist *out, struct graph *g)
{
    size_t alloc = 0;
    for (size_t c = 0; c < g->count; c++) {
        if (!in_result(&g->nodes[c])) {
            continue;
        }
        for (uint32_t i = 0; i < g->nodes[c].nparents; i++) {
            uint32_t p = g->parents[g->nodes[c].parent_off + i];
            struct node *pn = &g->nodes[p];
            if (in_result(pn) || (pn->flags & (F_BOUNDARY | F_BAD)) || !(pn->flags & F_PARSED)) {
                continue;
            }
            pn->flags |= F_BOUNDARY;
            if (out->nboundary == alloc) {
                size_t na = alloc ? alloc * 2 : 16;
                git_oid *bt = realloc(out->boundary_trees, na * sizeof(*bt));
                if (!bt) {
                    return lh_error_oom();
                }
                out->boundary_trees = bt;
                alloc = na;
            }
            out->boundary_trees[out->nboundary++] = pn->tree;
        }
    }
    return 0;
}

static void graph_dispose(struct graph *g)
{
    free(g->nodes);
    free(g->parents);
    free(g->queue.items);
    free(g->stack);
    lh_git_oidmap_dispose(&g->index);
}

static int difference(struct lh_git_revlist *out, git_repository *repo, const git_oid *include,
                      size_t ninclude, const git_oid *exclude, size_t nexclude, int64_t min_time,
                      bool shallow, lh_git_warn_fn warn, void *payload)
{
    struct graph g;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    memset(&g, 0, sizeof(g));
    g.repo = repo;
    g.shallow = shallow;
    g.min_time = min_time;
    g.warn = warn;
    g.payload = payload;
    g.queue.newest_first = true;
    lh_git_oidmap_init(&g.index);
    for (size_t i = 0; rc == 0 && i < nexclude; i++) {
        uint32_t n = 0;
        rc = get_node(&n, &g, &exclude[i]);
        if (rc == 0) {
            rc = parse(&g, n);
        }
        if (rc == 0) {
            rc = mark_uninteresting(&g, n);
        }
        if (rc == 0) {
            rc = enqueue(&g, n);
        }
    }
    for (size_t i = 0; rc == 0 && i < ninclude; i++) {
        uint32_t n = 0;
        rc = get_node(&n, &g, &include[i]);
        if (rc == 0) {
            rc = enqueue(&g, n);
        }
    }
    if (rc == 0) {
        rc = walk(&g);
    }
    if (rc == 0) {
        rc = emit(out, &g);
    }
    if (rc == 0 && (nexclude || min_time > 0)) {
        rc = collect_boundary(out, &g);
    }
    out->errors = g.errors;
    graph_dispose(&g);
    if (rc < 0) {
        lh_git_revlist_dispose(out);
    }
    return rc;
}

int lh_git_revlist_difference(struct lh_git_revlist *out, git_repository *repo,
                              const git_oid *include, size_t ninclude, const git_oid *exclude,
                              size_t nexclude, bool shallow, lh_git_warn_fn warn, void *payload)
{
    return difference(out, repo, include, ninclude, exclude, nexclude, 0, shallow, warn, payload);
}

int lh_git_revlist_since(struct lh_git_revlist *out, git_repository *repo, const git_oid *tip,
                         int64_t since, bool shallow, lh_git_warn_fn warn, void *payload)
{
    return difference(out, repo, tip, 1, NULL, 0, since > 0 ? since : 1, shallow, warn, payload);
}

int lh_git_revlist_reachable(struct lh_git_revlist *out, git_repository *repo, const git_oid *tips,
                             size_t ntips, bool shallow, lh_git_warn_fn warn, void *payload)
{
    return lh_git_revlist_difference(out, repo, tips, ntips, NULL, 0, shallow, warn, payload);
}

void lh_git_revlist_dispose(struct lh_git_revlist *l)
{
    free(l->ids);
    free(l->trees);
    free(l->boundary_trees);
    memset(l, 0, sizeof(*l));
}
