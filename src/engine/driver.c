/* SPDX-License-Identifier: MIT */
/*
 * The scan driver (see driver.h): one worker pool for every input, one per-item entry point.
 * A job's life: the input's produce hands it to submit; submit queues it (or, in the inline
 * mode, reads it at once on the calling thread); a worker reads it with its own reader state
 * and detector scratch; a job that will never be read (the pool stopped on an error) goes
 * back to the input's discard. Nothing of an item outlives the sink call that scans it
 * except the findings, which own copies of what they show.
 */
#include "engine/driver.h"

#include "util/buf.h"
#include "util/pool.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_PER_THREAD 4 /* jobs queued per worker: enough to keep each busy */

struct run {
    const struct lh_detector *d;
    const struct lh_archive_limits *archive; /* NULL: archives are not opened */
    struct lh_input *in;
    const struct lh_input_env *env;
    struct lh_findings *out;
    struct lh_pool *pool;  /* NULL: jobs are read on the calling thread by `inl` */
    struct lh_worker *inl; /* made at the first inline job */
};

struct lh_worker {
    struct lh_sink sink; /* first: the sink an input holds is its worker */
    const struct run *run;
    struct lh_detect_scratch *ds;
    void *reader;
};

/* The findings of one item being scanned. */
struct found {
    const struct run *run;
    const struct lh_item *item;
    size_t kept;
};

static int sink_scan(struct lh_sink *sink, const struct lh_item *item)
{
    return lh_driver_scan_item((struct lh_worker *)sink, item);
}

static bool opens(const struct run *r, const uint8_t *buf, size_t len, const char *path)
{
    return r->archive && r->archive->max_depth > 0 &&
           (lh_archive_sniff(buf, len) != LH_ARCHIVE_NONE ||
            (path && lh_archive_kind_by_name(path) != LH_ARCHIVE_NONE));
}

static bool sink_opens(struct lh_sink *sink, const uint8_t *buf, size_t len, const char *path)
{
    return opens(((struct lh_worker *)sink)->run, buf, len, path);
}

struct lh_sink *lh_worker_sink(struct lh_worker *w)
{
    return &w->sink;
}

/*
 * What a finding takes from its origin. The reported path was already given to the
 * detector; the blob id is the nearest blob of the chain (an archive member found in a
 * blob is attributed to that blob's commits), the layer the nearest image layer's digest.
 */
static int apply_origin(struct lh_finding *f, const struct lh_origin *o)
{
    const char *blob = lh_origin_blob(o);
    if (blob && !f->prov.blob) {
        f->prov.blob = strdup(blob);
        if (!f->prov.blob) {
            return lh_error_oom();
        }
    }
    for (; o && !f->prov.layer; o = o->parent) {
        if (o->kind == LH_ORIGIN_LAYER && o->id) {
            f->prov.layer = strdup(o->id);
            if (!f->prov.layer) {
                return lh_error_oom();
            }
        }
    }
    return 0;
}

static int on_finding(struct lh_finding *f, void *payload)
{
    struct found *c = payload;
    const struct lh_item *it = c->item;
    if (it->lines && !it->lines(it->lines_payload, f->line, f->end_line ? f->end_line : f->line)) {
        return 0; /* the detector disposes of what the callback does not take */
    }
    int rc = apply_origin(f, &it->origin);
    if (rc == 0) {
        rc = lh_findings_push(c->run->out, f);
    }
    if (rc == 0) {
        c->kept++;
    }
    return rc;
}

/* Detector over one item's content, at `path` (the origin's reported path). */
static int scan_content(struct lh_worker *w, const struct lh_item *item, const char *path)
{
    const struct run *r = w->run;
    struct lh_scan_stats *st = r->env->stats;
    atomic_fetch_add(&st->bytes, item->len);
    if (!r->env->scan_binary && lh_input_is_binary(item->buf, item->len)) {
        atomic_fetch_add(&st->skipped_binary, 1);
        return 0;
    }
    atomic_fetch_add(&st->scanned, 1);
    struct found c = {r, item, 0};
    int rc = lh_detect_blob(r->d, w->ds, item->buf, item->len, path, on_finding, &c);
    if (rc < 0) {
        return rc;
    }
    return c.kept > INT_MAX ? INT_MAX : (int)c.kept;
}

/* The members of an archive being walked, scanned as nested items. */
struct members {
    struct lh_worker *w;
    const struct lh_item *container;
    const char *path; /* the container's reported path */
    size_t plen;
    size_t kept;
};

static int on_member(const struct lh_archive_member *m, void *payload)
{
    struct members *mc = payload;
    /*
     * The walker names members "<container path>!/<member>[!/<member>...]" (its warnings
     * too); the origin keeps the part below the container, whose own origin is the parent.
     */
    const char *rel = m->path;
    if (!strncmp(rel, mc->path, mc->plen) && rel[mc->plen] == '!' && rel[mc->plen + 1] == '/') {
        rel += mc->plen + 2;
    }
    struct lh_item it = {
        .buf = m->data ? m->data : (const uint8_t *)"",
        .len = m->len,
        .origin = {.kind = LH_ORIGIN_MEMBER, .path = rel, .parent = &mc->container->origin},
    };
    int rc = lh_driver_scan_item(mc->w, &it);
    if (rc < 0) {
        return rc;
    }
    mc->kept += (size_t)rc;
    return 0;
}

static void on_archive_warn(const char *msg, void *payload)
{
    struct members *mc = payload;
    lh_input_warn(mc->w->run->env, "%s", msg);
}

/*
 * Walks an archive item (display path `path`): LH_ARCHIVE_NOT_ARCHIVE when it is none after
 * all (nothing scanned), else the findings kept in its members or a fatal code. The walker
 * opens the archives inside it itself (its limits hold for the whole tree), so a member is
 * never walked again.
 */
static int scan_archive(struct lh_worker *w, const struct lh_item *item, const char *path)
{
    const struct run *r = w->run;
    struct members mc = {w, item, path, strlen(path), 0};
    struct lh_archive_stats as = {0};
    struct lh_archive_opts ao = {
        .limits = *r->archive,
        .scan_binary = r->env->scan_binary,
        .on_member = on_member,
        .warn = on_archive_warn,
        .payload = &mc,
    };
    int rc = lh_archive_walk_mem(item->buf, item->len, path, &ao, &as);
    if (rc == LH_ARCHIVE_NOT_ARCHIVE) {
        return rc;
    }
    atomic_fetch_add(&r->env->stats->skipped_binary, (size_t)as.skipped_binary);
    if (rc == LH_EIO) {
        lh_input_error(r->env, "%s ('%s' not scanned)", lh_error_get(), path);
        rc = 0;
    }
    if (rc < 0) {
        return rc;
    }
    return mc.kept > INT_MAX ? INT_MAX : (int)mc.kept;
}

int lh_driver_scan_item(struct lh_worker *w, const struct lh_item *item)
{
    const struct run *r = w->run;
    if (!item->origin.parent) {
        atomic_fetch_add(&r->env->stats->items, 1);
    }
    struct lh_buf scratch; /* a nested item's path: per call, as calls nest */
    lh_buf_init(&scratch, 0);
    const char *path = lh_origin_path(&item->origin, &scratch);
    if (!path) {
        lh_buf_dispose(&scratch);
        return lh_error_oom();
    }
    int rc = LH_ARCHIVE_NOT_ARCHIVE;
    if (item->origin.kind != LH_ORIGIN_MEMBER && opens(r, item->buf, item->len, path)) {
        rc = scan_archive(w, item, path);
    }
    if (rc == LH_ARCHIVE_NOT_ARCHIVE) {
        rc = scan_content(w, item, path);
    }
    lh_buf_dispose(&scratch);
    return rc;
}

static void worker_free(struct lh_worker *w)
{
    if (!w) {
        return;
    }
    if (w->run->in->ops->reader_free) {
        w->run->in->ops->reader_free(w->run->in, w->reader);
    }
    lh_detect_scratch_free(w->ds);
    free(w);
}

static int worker_new(struct lh_worker **out, const struct run *r)
{
    struct lh_worker *w = calloc(1, sizeof(*w));
    *out = NULL;
    if (!w) {
        return lh_error_oom();
    }
    w->sink.scan = sink_scan;
    w->sink.opens = sink_opens;
    w->run = r;
    int rc = lh_detect_scratch_new(&w->ds, r->d);
    if (rc == 0 && r->in->ops->reader_new) {
        rc = r->in->ops->reader_new(r->in, &w->reader); /* leaves nothing on failure */
    }
    if (rc < 0) {
        lh_detect_scratch_free(w->ds);
        free(w);
        return rc;
    }
    *out = w;
    return 0;
}

static void discard(const struct run *r, void *job)
{
    if (r->in->ops->discard) {
        r->in->ops->discard(r->in, job);
    }
}

static int pool_init(void **state, size_t index, void *payload)
{
    struct lh_worker *w = NULL;
    (void)index;
    int rc = worker_new(&w, payload);
    *state = w;
    return rc;
}

static void pool_fini(void *state, void *payload)
{
    (void)payload;
    worker_free(state);
}

static int pool_work(void *state, void *job, void *payload)
{
    const struct run *r = payload;
    struct lh_worker *w = state;
    if (!w) {
        discard(r, job); /* draining after an error */
        return 0;
    }
    return r->in->ops->read(r->in, w->reader, job, &w->sink);
}

static int submit_pool(void *job, void *payload)
{
    struct run *r = payload;
    int rc = lh_pool_submit(r->pool, job);
    if (rc < 0) {
        discard(r, job);
    }
    return rc;
}

static int submit_inline(void *job, void *payload)
{
    struct run *r = payload;
    if (!r->inl) {
        int rc = worker_new(&r->inl, r);
        if (rc < 0) {
            discard(r, job);
            return rc;
        }
    }
    return r->in->ops->read(r->in, r->inl->reader, job, &r->inl->sink);
}

static int run_input(const struct lh_detector *d, struct lh_input *in, size_t max_jobs,
                     const struct lh_driver_opts *o, struct lh_findings *out)
{
    struct run r = {.d = d, .archive = o ? o->archive : NULL, .in = in, .env = in->env, .out = out};
    atomic_store(&in->env->stats->phase, LH_PHASE_READ);
    if (max_jobs <= 1) {
        int rc = in->ops->produce(in, submit_inline, &r);
        worker_free(r.inl);
        return rc;
    }
    size_t threads = in->env->threads ? in->env->threads : lh_pool_default_threads();
    if (threads > max_jobs) {
        threads = max_jobs;
    }
    int rc = lh_pool_new(&r.pool, threads, threads * QUEUE_PER_THREAD, pool_init, pool_work,
                         pool_fini, &r);
    if (rc < 0) {
        return rc;
    }
    rc = in->ops->produce(in, submit_pool, &r);
    int frc = lh_pool_finish(r.pool);
    return rc ? rc : frc;
}

int lh_driver_run(const struct lh_detector *d, struct lh_input *const *inputs, size_t n,
                  const struct lh_driver_opts *o, struct lh_findings *out)
{
    size_t *max_jobs = calloc(n ? n : 1, sizeof(*max_jobs));
    int rc = 0;
    if (!max_jobs) {
        return lh_error_oom();
    }
    /* every input is prepared before any is read: a bad argument fails the run at once */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        max_jobs[i] = SIZE_MAX;
        if (inputs[i]->ops->prepare) {
            rc = inputs[i]->ops->prepare(inputs[i], &max_jobs[i]);
        }
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = run_input(d, inputs[i], max_jobs[i], o, out);
    }
    free(max_jobs);
    return rc;
}
