/* SPDX-License-Identifier: MIT */
/*
 * Attribution of git history findings; see provenance.h. The findings of one secret at one
 * path are grouped (fingerprint, path, and whether allowed inline or invalid, which never
 * merge with a plain finding); a group keeps the findings of its earliest blob version, by
 * the introducing commit's place in the commit list.
 */
#include "engine/provenance.h"

#include "source/git_oidmap.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

struct attr {
    const struct lh_git_history *h;
    const struct lh_input_env *env;
    struct lh_findings *out;
};

struct fkey {
    const char *fingerprint; /* borrowed from the finding */
    const char *path;        /* borrowed from the finding */
    int state;               /* allowed inline / invalid: never merged with a plain finding */
    size_t idx;              /* in the finding list */
    uint32_t commit;         /* introducing commit index (LH_GIT_NO_COMMIT sorts last) */
    git_oid blob;
    size_t group;
};

static int cmp_fkey(const void *pa, const void *pb)
{
    const struct fkey *a = pa;
    const struct fkey *b = pb;
    int c = strcmp(a->fingerprint, b->fingerprint);
    if (c) {
        return c;
    }
    c = strcmp(a->path, b->path);
    if (c) {
        return c;
    }
    if (a->state != b->state) {
        return a->state - b->state;
    }
    if (a->commit != b->commit) {
        return a->commit < b->commit ? -1 : 1;
    }
    c = git_oid_cmp(&a->blob, &b->blob);
    if (c) {
        return c;
    }
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static bool same_group(const struct fkey *a, const struct fkey *b)
{
    return !strcmp(a->fingerprint, b->fingerprint) && !strcmp(a->path, b->path) &&
           a->state == b->state;
}

/*
 * The tips a finding lists: branches first, then tags, remote-tracking branches, a detached
 * HEAD and stash entries. Other namespaces (refs/pull, refs/notes, refs/original, ...)
 * are scanned but not listed: a mirror of a busy project has tens of thousands of them, and
 * checking each tip's tree would cost more than the scan's attribution is worth.
 */
struct ranked_tip {
    int rank;
    size_t idx;
};

#define RANK_UNLISTED 99

static int tip_rank(const char *name)
{
    static const char *const order[] = {"refs/heads/", "refs/tags/", "refs/remotes/", "HEAD",
                                        "refs/stash"};
    for (int i = 0; i < 5; i++) {
        if (!strncmp(name, order[i], strlen(order[i])) && (i != 3 || name[4] == '\0')) {
            return i;
        }
    }
    return RANK_UNLISTED;
}

static int cmp_ranked(const void *pa, const void *pb)
{
    const struct ranked_tip *a = pa;
    const struct ranked_tip *b = pb;
    if (a->rank != b->rank) {
        return a->rank - b->rank;
    }
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int add_refs(struct attr *a, const struct lh_git_tips *tips, struct fkey *keys, size_t nkeys,
                    const bool *drop, size_t *bidx, const uint64_t *bits, size_t words,
                    const struct ranked_tip *tip_order)
{
    int rc = 0;
    size_t g0 = 0;
    while (rc == 0 && g0 < nkeys) {
        size_t g1 = g0 + 1;
        while (g1 < nkeys && keys[g1].group == keys[g0].group) {
            g1++;
        }
        for (size_t t = 0; rc == 0 && t < tips->count; t++) {
            size_t ti = tip_order[t].idx;
            bool has = false;
            for (size_t k = g0; !has && k < g1; k++) {
                size_t j = bidx[k];
                has = (bits[ti * words + j / 64] >> (j % 64)) & 1u;
            }
            for (size_t k = g0; has && rc == 0 && k < g1; k++) {
                struct lh_finding *f = &a->out->items[keys[k].idx];
                if (!drop[k]) {
                    rc = lh_strlist_push(&f->prov.refs, tips->items[ti].name) < 0 ? LH_ENOMEM : 0;
                }
            }
        }
        g0 = g1;
    }
    return rc;
}

static int add_commit_info(struct attr *a, struct lh_finding *f, uint32_t commit,
                           struct lh_git_oidmap *cache, struct lh_git_commit_info **infos,
                           size_t *ninfos)
{
    char hex[GIT_OID_HEXSZ + 1];
    if (commit >= a->h->ncommits) {
        return 0;
    }
    lh_git_hex(hex, &a->h->commits[commit]);
    f->prov.commit = strdup(hex);
    if (!f->prov.commit) {
        return lh_error_oom();
    }
    struct lh_git_oidmap_entry *e = NULL;
    int rc = lh_git_oidmap_put(&e, cache, a->h->commits[commit].id);
    if (rc < 0) {
        return rc;
    }
    if (rc > 0) {
        struct lh_git_commit_info *ni = realloc(*infos, (*ninfos + 1) * sizeof(*ni));
        if (!ni) {
            return lh_error_oom();
        }
        *infos = ni;
        if (lh_git_commit_info_load(&ni[*ninfos], a->h->repo, &a->h->commits[commit]) < 0) {
            lh_input_warn(a->env, "%s", lh_error_get());
            memset(&ni[*ninfos], 0, sizeof(ni[*ninfos]));
        }
        e->a = (uint32_t)(*ninfos)++;
    }
    const struct lh_git_commit_info *ci = &(*infos)[e->a];
    if ((ci->author && !(f->prov.author = strdup(ci->author))) ||
        (ci->date && !(f->prov.date = strdup(ci->date))) ||
        (ci->summary && !(f->prov.message = strdup(ci->summary)))) {
        return lh_error_oom();
    }
    return 0;
}

#define MAX_BOUNDARY_CHECKS 256

static bool holds(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    if (m == 0 || m > n) {
        return false;
    }
    const uint8_t *end = hay + (n - m) + 1;
    for (const uint8_t *p = hay; p < end; p++) {
        p = memchr(p, needle[0], (size_t)(end - p));
        if (!p) {
            return false;
        }
        if (!memcmp(p, needle, m)) {
            return true;
        }
    }
    return false;
}

/*
 * Range scans: a secret the range's base already held at the same path is not new, even
 * when the range edited that file (a new blob version that still holds it).
 */
static bool in_boundary(struct attr *a, git_odb *odb, git_tree **roots, size_t nroots,
                        const struct lh_finding *f)
{
    bool found = false;
    for (size_t i = 0; !found && i < nroots; i++) {
        git_tree_entry *e = NULL;
        git_odb_object *obj = NULL;
        if (!roots[i] || !f->path || git_tree_entry_bypath(&e, roots[i], f->path) < 0) {
            continue;
        }
        if (git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
            lh_git_blob_read(&obj, odb, git_tree_entry_id(e), lh_input_max_size(a->env)) == 0) {
            const uint8_t *data = git_odb_object_data(obj);
            size_t len = git_odb_object_size(obj);
            found = data && holds(data, len, f->secret, f->secret_len);
            OPENSSL_cleanse((void *)(uintptr_t)data, len);
            git_odb_object_free(obj);
        }
        git_tree_entry_free(e);
    }
    return found;
}

static int drop_known_in_boundary(struct attr *a, const struct fkey *keys, bool *drop, size_t n)
{
    size_t nroots = a->h->nboundary < MAX_BOUNDARY_CHECKS ? a->h->nboundary : MAX_BOUNDARY_CHECKS;
    git_tree **roots = calloc(nroots ? nroots : 1, sizeof(*roots));
    git_odb *odb = NULL;
    int rc = 0;
    if (!roots) {
        return lh_error_oom();
    }
    if (git_repository_odb(&odb, a->h->repo) < 0) {
        free(roots);
        return lh_git_fail("cannot open the object database");
    }
    for (size_t i = 0; i < nroots; i++) {
        if (git_tree_lookup(&roots[i], a->h->repo, &a->h->boundary_trees[i]) < 0) {
            roots[i] = NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!drop[i] && in_boundary(a, odb, roots, nroots, &a->out->items[keys[i].idx])) {
            drop[i] = true;
        }
    }
    for (size_t i = 0; i < nroots; i++) {
        git_tree_free(roots[i]);
    }
    free(roots);
    git_odb_free(odb);
    return rc;
}

int lh_provenance_attribute(struct lh_findings *l, size_t first, const struct lh_git_history *h,
                            const struct lh_input_env *env)
{
    struct attr actx = {h, env, l};
    struct attr *a = &actx;
    size_t n = l->count - first;
    struct fkey *keys = NULL;
    struct lh_git_oidmap bmap;
    struct lh_git_oidmap cache;
    struct lh_git_commit_info *infos = NULL;
    size_t ninfos = 0;
    git_oid *blobs = NULL;
    size_t nblobs = 0;
    size_t *bidx = NULL;
    struct ranked_tip *tip_order = NULL;
    struct lh_git_tips listed = {0}; /* borrows the names of h->tips */
    uint64_t *bits = NULL;
    size_t words = 0;
    bool *drop = NULL;
    int rc = 0;
    lh_git_oidmap_init(&bmap);
    lh_git_oidmap_init(&cache);
    if (n == 0) {
        goto out;
    }
    keys = calloc(n, sizeof(*keys));
    blobs = calloc(n, sizeof(*blobs));
    bidx = calloc(n, sizeof(*bidx));
    drop = calloc(n, sizeof(*drop));
    tip_order = calloc(a->h->tips->count + 1, sizeof(*tip_order));
    listed.items = calloc(a->h->tips->count + 1, sizeof(*listed.items));
    if (!keys || !blobs || !bidx || !drop || !tip_order || !listed.items) {
        rc = lh_error_oom();
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct lh_finding *f = &l->items[first + i];
        keys[i].fingerprint = f->fingerprint;
        keys[i].path = f->path ? f->path : "";
        keys[i].state = (f->suppressed ? 1 : 0) | (f->invalid ? 2 : 0);
        keys[i].idx = first + i;
        keys[i].commit = LH_GIT_NO_COMMIT;
        if (f->prov.blob && git_oid_fromstr(&keys[i].blob, f->prov.blob) == 0) {
            struct lh_git_oidmap_entry *e = lh_git_oidmap_get(&a->h->walk->blobs, keys[i].blob.id);
            if (e) {
                keys[i].commit = e->a;
            }
        }
    }
    qsort(keys, n, sizeof(*keys), cmp_fkey);
    /* group by secret and path; keep the findings of the earliest blob version */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        keys[i].group = i > 0 && same_group(&keys[i - 1], &keys[i]) ? keys[i - 1].group : i;
        size_t g = keys[i].group;
        drop[i] = keys[i].commit != keys[g].commit;
        struct lh_git_oidmap_entry *e = NULL;
        rc = lh_git_oidmap_put(&e, &bmap, keys[i].blob.id);
        if (rc > 0) {
            e->a = (uint32_t)nblobs;
            blobs[nblobs++] = keys[i].blob;
            rc = 0;
        }
        if (rc == 0) {
            bidx[i] = e->a;
        }
    }
    if (rc == 0 && a->h->nboundary) {
        rc = drop_known_in_boundary(a, keys, drop, n);
    }
    /* which listed tips still contain the secret: any blob version of the group */
    for (size_t t = 0; rc == 0 && t < a->h->tips->count; t++) {
        int rank = tip_rank(a->h->tips->items[t].name);
        if (rank != RANK_UNLISTED) {
            tip_order[listed.count].rank = rank;
            tip_order[listed.count].idx = listed.count;
            listed.items[listed.count++] = a->h->tips->items[t];
        }
    }
    if (rc == 0 && listed.count) {
        qsort(tip_order, listed.count, sizeof(*tip_order), cmp_ranked);
        rc = lh_git_walk_tips_containing(&bits, &words, a->h->repo, &listed, blobs, nblobs);
        if (rc == 0) {
            rc = add_refs(a, &listed, keys, n, drop, bidx, bits, words, tip_order);
        }
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!drop[i]) {
            rc =
                add_commit_info(a, &l->items[keys[i].idx], keys[i].commit, &cache, &infos, &ninfos);
        }
    }
    if (rc == 0) {
        /* compact: dropped later versions go; the kept order is re-sorted by the caller */
        bool *gone = calloc(n, sizeof(*gone));
        if (!gone) {
            rc = lh_error_oom();
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            gone[keys[i].idx - first] = drop[i];
        }
        size_t w = first;
        for (size_t i = first; i < l->count; i++) {
            if (gone[i - first]) {
                lh_finding_dispose(&l->items[i]);
            } else {
                l->items[w++] = l->items[i];
            }
        }
        l->count = w;
        free(gone);
    }
out:
    for (size_t i = 0; i < ninfos; i++) {
        lh_git_commit_info_dispose(&infos[i]);
    }
    free(infos);
    free(bits);
    free(listed.items);
    free(tip_order);
    free(drop);
    free(bidx);
    free(blobs);
    free(keys);
    lh_git_oidmap_dispose(&bmap);
    lh_git_oidmap_dispose(&cache);
    return rc;
}
