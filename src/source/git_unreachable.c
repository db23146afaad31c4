/* SPDX-License-Identifier: MIT */
/* Objects no ref reaches; see git_unreachable.h. */
#include "source/git_unreachable.h"

#include "source/git_oidmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct oidvec {
    git_oid *ids;
    size_t count;
    size_t alloc;
};

static int oidvec_push(struct oidvec *v, const git_oid *id)
{
    if (v->count == v->alloc) {
        size_t n = v->alloc ? v->alloc * 2 : 256;
        git_oid *ids = realloc(v->ids, n * sizeof(*ids));
        if (!ids) {
            return lh_error_oom();
        }
        v->ids = ids;
        v->alloc = n;
    }
    v->ids[v->count++] = *id;
    return 0;
}

struct unknown {
    const struct lh_git_walk *walk;
    struct lh_git_oidmap known; /* reachable commits, and unknown ids already listed */
    struct oidvec ids;
    int error;
};

static int unknown_cb(const git_oid *id, void *payload)
{
    struct unknown *u = payload;
    if (lh_git_walk_seen_blob(u->walk, id) || lh_git_walk_seen_tree(u->walk, id)) {
        return 0;
    }
    int rc = lh_git_oidmap_put(NULL, &u->known, id->id);
    if (rc > 0) {
        rc = oidvec_push(&u->ids, id);
    }
    if (rc < 0) {
        u->error = rc;
        return -1;
    }
    return 0;
}

static void warn_unreadable(const git_oid *id, lh_git_warn_fn warn, void *payload)
{
    char hex[GIT_OID_HEXSZ + 1];
    char msg[1536];
    const git_error *e = git_error_last();
    if (!warn) {
        return;
    }
    lh_git_hex(hex, id);
    snprintf(msg, sizeof(msg), "cannot read object %s: %s", hex,
             e && e->message ? e->message : "unknown error");
    warn(msg, payload);
}

int lh_git_unreachable_list(struct lh_git_unreachable *out, git_repository *repo,
                            const struct lh_git_walk *walk, const git_oid *known, size_t nknown,
                            const git_oid *tips, size_t ntips, bool shallow, lh_git_warn_fn warn,
                            void *payload)
{
    struct unknown u = {.walk = walk};
    struct oidvec commits = {0};
    struct oidvec trees = {0};
    struct oidvec blobs = {0};
    git_odb *odb = NULL;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    lh_git_oidmap_init(&u.known);
    for (size_t i = 0; rc == 0 && i < nknown; i++) {
        rc = lh_git_oidmap_put(NULL, &u.known, known[i].id);
        rc = rc > 0 ? 0 : rc;
    }
    if (rc < 0) {
        goto out;
    }
    if (git_repository_odb(&odb, repo) < 0) {
        rc = lh_git_fail("cannot open the object database");
        goto out;
    }
    if (git_odb_foreach(odb, unknown_cb, &u) < 0) {
        rc = u.error ? u.error : lh_git_fail("cannot list the object database");
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < u.ids.count; i++) {
        size_t size = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if (git_odb_read_header(&size, &type, odb, &u.ids.ids[i]) < 0) {
            warn_unreadable(&u.ids.ids[i], warn, payload);
            continue;
        }
        if (type == GIT_OBJECT_COMMIT) {
            rc = oidvec_push(&commits, &u.ids.ids[i]);
        } else if (type == GIT_OBJECT_TREE) {
            rc = oidvec_push(&trees, &u.ids.ids[i]);
        } else if (type == GIT_OBJECT_BLOB) {
            rc = oidvec_push(&blobs, &u.ids.ids[i]);
        }
    }
    if (rc == 0 && commits.count) {
        rc = lh_git_revlist_difference(&out->commits, repo, commits.ids, commits.count, tips, ntips,
                                       shallow, warn, payload);
    }
out:
    out->trees = trees.ids;
    out->ntrees = trees.count;
    out->blobs = blobs.ids;
    out->nblobs = blobs.count;
    free(commits.ids);
    free(u.ids.ids);
    lh_git_oidmap_dispose(&u.known);
    git_odb_free(odb);
    return rc;
}

void lh_git_unreachable_dispose(struct lh_git_unreachable *u)
{
    lh_git_revlist_dispose(&u->commits);
    free(u->trees);
    free(u->blobs);
    memset(u, 0, sizeof(*u));
}
