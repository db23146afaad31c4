/* SPDX-License-Identifier: MIT */
/* Delta-family planning and depth-first family reads; see git_family.h. */
#include "source/git_family.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHAIN 10000    /* git writes at most 4095; deeper is a crafted pack */
#define JOB_ITEMS 64       /* blobs per job when families are small */
#define JOBS_PER_PLAN 4096 /* bound on small-family jobs: enough for any thread count */

enum { ST_NEW, ST_LINKING, ST_DONE, ST_BROKEN };

struct lh_git_family_node {
    uint64_t size;
    uint64_t data;
    uint64_t end;
    uint32_t pack;
    uint32_t parent;
    uint32_t item;
    uint32_t root;
    uint32_t weight;
    uint8_t type;
    uint8_t state;
    uint8_t useful;
};

struct planner {
    struct lh_git_family_plan *p;
    uint32_t **node_of; /* per pack: position -> node, NONE if none yet */
    uint32_t *chain;
    size_t chain_alloc;
    struct lh_git_pack_window *win;
};

/* An item found in a pack; the items are linked in pack order, so headers read ahead. */
struct placed {
    uint32_t pack;
    uint32_t pos;
    uint32_t item;
};

static int cmp_placed(const void *pa, const void *pb)
{
    const struct placed *a = pa;
    const struct placed *b = pb;
    if (a->pack != b->pack) {
        return a->pack < b->pack ? -1 : 1;
    }
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static int push_u32(uint32_t **v, size_t *n, size_t *alloc, uint32_t x)
{
    if (*n == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 256;
        uint32_t *nv = realloc(*v, na * sizeof(*nv));
        if (!nv) {
            return lh_error_oom();
        }
        *v = nv;
        *alloc = na;
    }
    (*v)[(*n)++] = x;
    return 0;
}

static int node_get(uint32_t *out, struct planner *pl, uint32_t pack, uint32_t pos)
{
    struct lh_git_family_plan *p = pl->p;
    uint32_t *slot = &pl->node_of[pack][pos];
    if (*slot != LH_GIT_FAMILY_NONE) {
        *out = *slot;
        return 0;
    }
    if (p->nnodes >= UINT32_MAX - 1) {
        lh_error_set("too many objects in the packs");
        return LH_ETOOBIG;
    }
    if (p->nnodes == p->nodes_alloc) {
        size_t na = p->nodes_alloc ? p->nodes_alloc * 2 : 1024;
        struct lh_git_family_node *nn = realloc(p->nodes, na * sizeof(*nn));
        if (!nn) {
            return lh_error_oom();
        }
        p->nodes = nn;
        p->nodes_alloc = na;
    }
    struct lh_git_family_node *nd = &p->nodes[p->nnodes];
    memset(nd, 0, sizeof(*nd));
    nd->pack = pack;
    nd->parent = LH_GIT_FAMILY_NONE;
    nd->item = LH_GIT_FAMILY_NONE;
    nd->root = LH_GIT_FAMILY_NONE;
    nd->data = pos; /* the position until the header is read */
    *slot = (uint32_t)p->nnodes;
    *out = (uint32_t)p->nnodes++;
    return 0;
}

/* Reads the headers up n's delta chain, linking each object to its base. */
static int link_chain(struct planner *pl, uint32_t n)
{
    struct lh_git_family_plan *p = pl->p;
    size_t depth = 0;
    uint32_t cur = n;
    int rc = 0;
    while (rc == 0 && p->nodes[cur].state == ST_NEW) {
        struct lh_git_family_node *nd = &p->nodes[cur];
        const struct lh_git_pack *pk = &p->packs.items[nd->pack];
        struct lh_git_pack_obj o;
        uint32_t bpos = 0;
        uint32_t base = 0;
        nd->state = ST_LINKING;
        rc = push_u32(&pl->chain, &depth, &pl->chain_alloc, cur);
        if (rc < 0 || lh_git_pack_header(&o, pk, (uint32_t)nd->data, pl->win) < 0) {
            nd->state = ST_BROKEN;
            break;
        }
        nd->type = (uint8_t)o.type;
        nd->size = o.size;
        nd->data = o.data;
        nd->end = o.end;
        if (o.type != LH_GIT_PACK_OFS_DELTA && o.type != LH_GIT_PACK_REF_DELTA) {
            break; /* a full object: the root */
        }
        uint64_t boff = o.base;
        if (depth >= MAX_CHAIN ||
            (o.type == LH_GIT_PACK_REF_DELTA && !lh_git_pack_find(pk, o.base_id, &boff)) ||
            !lh_git_pack_position(pk, boff, &bpos)) {
            nd->state = ST_BROKEN; /* too deep, base elsewhere, or not an object start */
            break;
        }
        rc = node_get(&base, pl, nd->pack, bpos);
        if (rc == 0) {
            p->nodes[cur].parent = base;
            if (p->nodes[base].state == ST_LINKING) {
                p->nodes[cur].state = ST_BROKEN; /* a cycle of ref deltas */
                p->nodes[cur].parent = LH_GIT_FAMILY_NONE;
                break;
            }
            cur = base;
        }
    }
    for (size_t i = 0; i < depth; i++) {
        struct lh_git_family_node *nd = &p->nodes[pl->chain[i]];
        if (nd->state == ST_LINKING) {
            nd->state = ST_DONE;
        } else if (nd->state == ST_BROKEN) {
            nd->parent = LH_GIT_FAMILY_NONE;
        }
    }
    return rc;
}

/* The root of n's family, memoized along the way. */
static uint32_t find_root(struct lh_git_family_plan *p, struct planner *pl, uint32_t n)
{
    size_t depth = 0;
    uint32_t cur = n;
    while (p->nodes[cur].root == LH_GIT_FAMILY_NONE && p->nodes[cur].parent != LH_GIT_FAMILY_NONE) {
        if (depth < pl->chain_alloc) {
            pl->chain[depth++] = cur;
        }
        cur = p->nodes[cur].parent;
    }
    uint32_t root = p->nodes[cur].root != LH_GIT_FAMILY_NONE ? p->nodes[cur].root : cur;
    p->nodes[cur].root = root;
    for (size_t i = 0; i < depth; i++) {
        p->nodes[pl->chain[i]].root = root;
    }
    return root;
}

struct ranked {
    uint32_t weight;
    uint32_t node;
};

/* Heaviest family first (the longest jobs start first), then by node: a stable plan. */
static int cmp_ranked(const void *pa, const void *pb)
{
    const struct ranked *a = pa;
    const struct ranked *b = pb;
    if (a->weight != b->weight) {
        return a->weight > b->weight ? -1 : 1;
    }
    return a->node < b->node ? -1 : a->node > b->node;
}

/* Children lists, the roots with items, and the jobs. */
static int build(struct lh_git_family_plan *p, struct planner *pl)
{
    size_t nn = p->nnodes;
    size_t items = 0;
    p->first = calloc(nn + 2, sizeof(*p->first));
    p->children = malloc((nn ? nn : 1) * sizeof(*p->children));
    if (!p->first || !p->children) {
        return lh_error_oom();
    }
    /* useful: has an item below it (or is one); weight of each root: its items */
    for (size_t i = 0; i < nn; i++) {
        if (p->nodes[i].item == LH_GIT_FAMILY_NONE) {
            continue;
        }
        items++;
        p->nodes[find_root(p, pl, (uint32_t)i)].weight++;
        for (uint32_t c = (uint32_t)i; c != LH_GIT_FAMILY_NONE && !p->nodes[c].useful;
             c = p->nodes[c].parent) {
            p->nodes[c].useful = 1;
        }
    }
    for (size_t i = 0; i < nn; i++) {
        uint32_t par = p->nodes[i].parent;
        if (par != LH_GIT_FAMILY_NONE && p->nodes[i].useful) {
            p->first[par + 2]++;
        }
    }
    for (size_t i = 0; i < nn; i++) {
        p->first[i + 2] += p->first[i + 1];
    }
    for (size_t i = 0; i < nn; i++) {
        uint32_t par = p->nodes[i].parent;
        if (par != LH_GIT_FAMILY_NONE && p->nodes[i].useful) {
            p->children[p->first[par + 1]++] = (uint32_t)i;
        }
    }
    /* now first[i] .. first[i + 1] are node i's children */
    struct ranked *rk = malloc((nn ? nn : 1) * sizeof(*rk));
    if (!rk) {
        return lh_error_oom();
    }
    for (size_t i = 0; i < nn; i++) {
        if (p->nodes[i].parent == LH_GIT_FAMILY_NONE && p->nodes[i].useful) {
            rk[p->nroots++] = (struct ranked){p->nodes[i].weight, (uint32_t)i};
        }
    }
    qsort(rk, p->nroots, sizeof(*rk), cmp_ranked);
    for (size_t i = 0; i < p->nroots; i++) {
        p->roots[i] = rk[i].node;
    }
    free(rk);
    /* the largest families alone, then runs of small ones */
    size_t per_job = items / JOBS_PER_PLAN > JOB_ITEMS ? items / JOBS_PER_PLAN : JOB_ITEMS;
    p->job_start = malloc((p->nroots + 1) * sizeof(*p->job_start));
    if (!p->job_start) {
        return lh_error_oom();
    }
    size_t acc = 0;
    for (size_t r = 0; r < p->nroots; r++) {
        if (acc == 0) {
            p->job_start[p->njobs++] = r;
        }
        acc += p->nodes[p->roots[r]].weight;
        if (acc >= per_job) {
            acc = 0;
        }
    }
    p->job_start[p->njobs] = p->nroots;
    return 0;
}

int lh_git_family_plan(struct lh_git_family_plan *out, const char *objects_dir,
                       lh_git_family_id_fn id_of, const void *items, size_t n)
{
    struct planner pl = {out, NULL, NULL, 0, NULL};
    struct placed *placed = NULL;
    size_t nplaced = 0;
    size_t fb_alloc = 0;
    memset(out, 0, sizeof(*out));
    int rc = lh_git_packs_open(&out->packs, objects_dir);
    if (rc == 0 && n >= UINT32_MAX) {
        lh_error_set("too many blobs to read (%zu)", n);
        rc = LH_ETOOBIG;
    }
    if (rc == 0) {
        pl.node_of = calloc(out->packs.count + 1, sizeof(*pl.node_of));
        pl.win = malloc(sizeof(*pl.win));
        placed = malloc((n ? n : 1) * sizeof(*placed));
        rc = pl.node_of && pl.win && placed ? 0 : lh_error_oom();
    }
    if (pl.win) {
        pl.win->pack = NULL;
    }
    for (size_t k = 0; rc == 0 && k < out->packs.count; k++) {
        pl.node_of[k] = malloc(((size_t)out->packs.items[k].count + 1) * sizeof(uint32_t));
        if (!pl.node_of[k]) {
            rc = lh_error_oom();
        } else {
            memset(pl.node_of[k], 0xff, ((size_t)out->packs.items[k].count + 1) * sizeof(uint32_t));
        }
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const uint8_t *id = id_of(i, items);
        uint64_t off = 0;
        uint32_t pos = 0;
        size_t k = 0;
        while (k < out->packs.count && !lh_git_pack_find(&out->packs.items[k], id, &off)) {
            k++;
        }
        if (k == out->packs.count || !lh_git_pack_position(&out->packs.items[k], off, &pos)) {
            rc = push_u32(&out->fallback, &out->nfallback, &fb_alloc, (uint32_t)i);
            continue;
        }
        placed[nplaced++] = (struct placed){(uint32_t)k, pos, (uint32_t)i};
    }
    if (rc == 0) {
        qsort(placed, nplaced, sizeof(*placed), cmp_placed);
    }
    for (size_t i = 0; rc == 0 && i < nplaced; i++) {
        uint32_t node = 0;
        rc = node_get(&node, &pl, placed[i].pack, placed[i].pos);
        if (rc == 0) {
            out->nodes[node].item = placed[i].item;
            rc = link_chain(&pl, node);
        }
    }
    if (rc == 0) {
        out->roots = malloc((out->nnodes ? out->nnodes : 1) * sizeof(*out->roots));
        rc = out->roots ? build(out, &pl) : lh_error_oom();
    }
    for (size_t k = 0; pl.node_of && k < out->packs.count; k++) {
        free(pl.node_of[k]);
    }
    free(pl.node_of);
    free(pl.chain);
    free(pl.win);
    free(placed);
    if (rc < 0) {
        lh_git_family_plan_dispose(out);
    }
    return rc;
}

void lh_git_family_plan_dispose(struct lh_git_family_plan *p)
{
    lh_git_packs_dispose(&p->packs);
    free(p->nodes);
    free(p->children);
    free(p->first);
    free(p->roots);
    free(p->job_start);
    free(p->fallback);
    memset(p, 0, sizeof(*p));
}

/* ---- reading ---- */

struct frame {
    uint32_t node;
    uint32_t next; /* index into children */
    uint8_t *buf;
    size_t len;
    bool secret;
};

struct reading {
    const struct lh_git_family_plan *p;
    struct lh_git_pack_scratch *s;
    size_t max;
    size_t budget;
    size_t held;
    lh_git_family_visit_fn visit;
    lh_git_family_fallback_fn fallback;
    void *payload;
    struct frame *stack;
    size_t depth;
    size_t stack_alloc;
    uint32_t *todo; /* scratch for fallback_subtree */
    size_t todo_alloc;
};

static void release(struct reading *r, struct frame *f)
{
    if (f->buf && f->secret) {
        OPENSSL_cleanse(f->buf, f->len);
    }
    free(f->buf);
    r->held -= f->buf ? f->len : 0;
    f->buf = NULL;
}

/* Every item at or below n goes to the fallback. */
static int fallback_subtree(struct reading *r, uint32_t n)
{
    const struct lh_git_family_plan *p = r->p;
    size_t sp = 0;
    int rc = push_u32(&r->todo, &sp, &r->todo_alloc, n);
    while (rc == 0 && sp > 0) {
        uint32_t v = r->todo[--sp];
        if (p->nodes[v].item != LH_GIT_FAMILY_NONE) {
            rc = r->fallback(p->nodes[v].item, r->payload);
        }
        for (uint32_t c = p->first[v]; rc == 0 && c < p->first[v + 1]; c++) {
            rc = push_u32(&r->todo, &sp, &r->todo_alloc, p->children[c]);
        }
    }
    return rc;
}

static struct lh_git_pack_obj obj_of(const struct lh_git_family_node *nd)
{
    struct lh_git_pack_obj o;
    memset(&o, 0, sizeof(o));
    o.type = nd->type;
    o.size = nd->size;
    o.data = nd->data;
    o.end = nd->end;
    return o;
}

/* Scans n's content if it is an item, then makes it the top of the stack. */
static int enter(struct reading *r, uint32_t n, uint8_t *buf, size_t len)
{
    const struct lh_git_family_node *nd = &r->p->nodes[n];
    bool secret = false;
    if (r->depth == r->stack_alloc) {
        size_t na = r->stack_alloc ? r->stack_alloc * 2 : 64;
        struct frame *ns = realloc(r->stack, na * sizeof(*ns));
        if (!ns) {
            free(buf);
            return lh_error_oom();
        }
        r->stack = ns;
        r->stack_alloc = na;
    }
    r->held += len;
    struct frame *f = &r->stack[r->depth++];
    *f = (struct frame){n, r->p->first[n], buf, len, false};
    if (nd->item != LH_GIT_FAMILY_NONE) {
        int rc = r->visit(nd->item, buf, len, r->payload);
        if (rc < 0) {
            return rc;
        }
        secret = rc > 0;
        r->stack[r->depth - 1].secret = secret;
    }
    return 0;
}

/* The next child of the top frame, derived by its delta; fallback for what fails. */
static int step(struct reading *r)
{
    const struct lh_git_family_plan *p = r->p;
    struct frame *top = &r->stack[r->depth - 1];
    if (top->next >= p->first[top->node + 1]) {
        release(r, top);
        r->depth--;
        return 0;
    }
    uint32_t c = p->children[top->next++];
    bool last = top->next >= p->first[top->node + 1];
    struct lh_git_pack_obj o = obj_of(&p->nodes[c]);
    uint8_t *delta = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    /* a delta is at most its result plus a byte per 127 and its headers */
    int rc = lh_git_pack_inflate(&delta, r->s, &p->packs.items[p->nodes[c].pack], &o,
                                 r->max + r->max / 64 + 64);
    if (rc == 0) {
        rc = lh_git_delta_apply(&buf, &len, top->buf, top->len, delta, (size_t)o.size, r->max);
    }
    free(delta);
    if (rc == 0 && r->held + len > r->budget) {
        free(buf);
        rc = LH_ETOOBIG;
    }
    if (rc == LH_ENOMEM) {
        return rc;
    }
    if (rc < 0) {
        return fallback_subtree(r, c);
    }
    if (last) {
        release(r, top); /* nothing else derives from it: free it before going deeper */
        r->depth--;
    }
    return enter(r, c, buf, len);
}

static int read_family(struct reading *r, uint32_t root)
{
    const struct lh_git_family_node *nd = &r->p->nodes[root];
    uint8_t *buf = NULL;
    int rc = LH_EINVAL;
    if (nd->state != ST_BROKEN && nd->type == LH_GIT_PACK_BLOB) {
        struct lh_git_pack_obj o = obj_of(nd);
        rc = lh_git_pack_inflate(&buf, r->s, &r->p->packs.items[nd->pack], &o, r->max);
    }
    if (rc == LH_ENOMEM) {
        return rc;
    }
    if (rc < 0) {
        return fallback_subtree(r, root);
    }
    rc = enter(r, root, buf, (size_t)nd->size);
    while (rc == 0 && r->depth > 0) {
        rc = step(r);
    }
    return rc;
}

int lh_git_family_read(const struct lh_git_family_plan *p, size_t job,
                       struct lh_git_pack_scratch *s, size_t max, size_t budget,
                       lh_git_family_visit_fn visit, lh_git_family_fallback_fn fallback,
                       void *payload)
{
    struct reading r = {p, s, max, budget, 0, visit, fallback, payload, NULL, 0, 0, NULL, 0};
    int rc = 0;
    LH_ASSERT(job < p->njobs);
    for (size_t i = p->job_start[job]; rc == 0 && i < p->job_start[job + 1]; i++) {
        rc = read_family(&r, p->roots[i]);
    }
    while (r.depth > 0) {
        release(&r, &r.stack[--r.depth]);
    }
    free(r.stack);
    free(r.todo);
    return rc;
}
