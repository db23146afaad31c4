/* SPDX-License-Identifier: MIT */
/* The staged-changes input; see input_staged.h. */
#include "source/input_staged.h"

#include "source/git.h"
#include "source/git_staged.h"
#include "source/libgit2.h"

#include <stdlib.h>

struct staged {
    struct lh_input base;
    git_repository *repo;
    git_odb *odb;
    struct lh_git_staged sg;
    bool git_ready; /* lh_git_global_init succeeded: shut down on free */
};

static bool touches(const void *payload, size_t first, size_t last)
{
    return lh_git_staged_touches(payload, first, last);
}

static int staged_prepare(struct lh_input *in, size_t *max_jobs)
{
    struct staged *s = (struct staged *)in;
    *max_jobs = 1;
    atomic_store(&in->env->stats->items_total, s->sg.count);
    return 0;
}

static int staged_produce(struct lh_input *in, lh_submit_fn submit, void *payload)
{
    struct staged *s = (struct staged *)in;
    return s->sg.count ? submit(in, payload) : 0; /* the one job: the input itself */
}

/* Reads and scans one staged file; only fatal errors are returned. */
static int read_one(struct staged *s, const struct lh_git_staged_file *f, struct lh_sink *sink)
{
    int rc = lh_git_blob_scan(s->odb, &f->blob, f->path, touches, f, s->base.env, sink);
    if (rc == LH_EGIT || rc == LH_EINVAL) {
        lh_input_skip(s->base.env, LH_SKIP_ERROR, "%s (staged '%s'); skipped", lh_error_get(),
                      f->path);
        rc = 0;
    }
    return rc;
}

static int staged_read(struct lh_input *in, void *reader, void *job, struct lh_sink *sink)
{
    struct staged *s = (struct staged *)in;
    git_oid empty;
    int rc = 0;
    (void)reader;
    (void)job;
    /* the empty blob (`git add -N` placeholders) holds nothing and may not even exist */
    if (git_oid_fromstr(&empty, LH_GIT_EMPTY_BLOB) < 0) {
        return lh_git_fail("cannot parse the empty blob id");
    }
    for (size_t i = 0; rc == 0 && i < s->sg.count; i++) {
        const struct lh_git_staged_file *f = &s->sg.files[i];
        if (!lh_input_excluded(in->env, f->path) && !git_oid_equal(&f->blob, &empty)) {
            rc = read_one(s, f, sink);
        }
    }
    return rc;
}

static void staged_free(struct lh_input *in)
{
    struct staged *s = (struct staged *)in;
    /* without git_ready libgit2 may not even be loaded: nothing of it to free */
    if (s->git_ready) {
        lh_git_staged_dispose(&s->sg);
        git_odb_free(s->odb);
        git_repository_free(s->repo);
        lh_git_global_shutdown();
    }
    free(s);
}

static const struct lh_input_ops staged_ops = {
    .name = "staged changes",
    .prepare = staged_prepare,
    .produce = staged_produce,
    .read = staged_read,
    .free = staged_free,
};

int lh_input_staged_open(struct lh_input **out, const char *repo_path, bool scan_binary)
{
    struct lh_git_staged_opts sopts = {.binary_as_text = scan_binary};
    struct staged *s = calloc(1, sizeof(*s));
    *out = s ? &s->base : NULL;
    if (!s) {
        return lh_error_oom();
    }
    s->base.ops = &staged_ops;
    int rc = lh_git_global_init();
    if (rc < 0) {
        return rc;
    }
    s->git_ready = true;
    rc = lh_git_open(&s->repo, repo_path);
    if (rc == 0) {
        rc = lh_git_staged_load(&s->sg, s->repo, &sopts);
    }
    if (rc == 0 && git_repository_odb(&s->odb, s->repo) < 0) {
        rc = lh_git_fail("cannot open the object database of '%s'", repo_path);
    }
    return rc;
}
