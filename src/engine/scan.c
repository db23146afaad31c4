/* SPDX-License-Identifier: MIT */
/* Directory walker + worker pool for file scanning; see scan.h. */
#include "engine/scan.h"

#include "util/buf.h"
#include "util/fs.h"
#include "util/pool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BINARY_PROBE 8000
#define MAX_DEPTH 256
#define BATCH_FILES 64            /* paths per queued job: fewer wake-ups per file */
#define FIRST_READ (256u * 1024u) /* one read() covers most files whole */

struct batch {
    size_t n;
    char *paths[BATCH_FILES];
    bool follow[BATCH_FILES]; /* open through a symbolic link (named on the command line) */
};

/* read_file's outcomes besides 0 and a negative error code */
enum { READ_BINARY = 1, READ_NOT_REGULAR, READ_ARCHIVE };

struct scanctx {
    const struct lh_detector *d;
    const struct lh_scan_opts *o;
    struct lh_findings *out;
    struct lh_scan_stats *stats;
    size_t max_size;
    struct lh_pool *pool;  /* NULL: batches are scanned inline by `inl` */
    struct wstate *inl;    /* the calling thread's worker state when there is no pool */
    struct batch *pending; /* walker's batch being filled */
};

struct wstate {
    struct lh_detect_scratch *ds;
    struct lh_buf buf;
};

struct visited {
    dev_t *dev;
    ino_t *ino;
    size_t n;
};

static void warnf(const struct scanctx *c, const char *fmt, ...) LH_PRINTF(2, 3);
static void warnf(const struct scanctx *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->o->warn) {
        c->o->warn(msg, c->o->warn_payload);
    }
}

bool lh_scan_is_binary(const uint8_t *buf, size_t len)
{
    return memchr(buf, 0, len < BINARY_PROBE ? len : BINARY_PROBE) != NULL;
}

int lh_scan_collect(struct lh_finding *f, void *payload)
{
    return lh_findings_push(payload, f);
}

bool lh_scan_excluded(const struct lh_strlist *globs, const char *path)
{
    if (!globs) {
        return false;
    }
    const char *p = lh_str_startswith(path, "./") ? path + 2 : path;
    for (size_t i = 0; i < globs->count; i++) {
        if (fnmatch(globs->items[i], p, 0) == 0) {
            return true;
        }
    }
    return false;
}

bool lh_scan_is_archive(const struct lh_archive_limits *lim, const uint8_t *buf, size_t len,
                        const char *path)
{
    return lim && lim->max_depth > 0 &&
           (lh_archive_sniff(buf, len) != LH_ARCHIVE_NONE ||
            (path && lh_archive_kind_by_name(path) != LH_ARCHIVE_NONE));
}

struct member_ctx {
    const struct lh_detector *d;
    struct lh_detect_scratch *ds;
    lh_finding_cb cb;
    void *payload;
    lh_warn_fn warn;
    void *warn_payload;
};

static int scan_member(const struct lh_archive_member *m, void *payload)
{
    struct member_ctx *mc = payload;
    return lh_detect_blob(mc->d, mc->ds, m->data, m->len, m->path, mc->cb, mc->payload);
}

static void member_warn(const char *msg, void *payload)
{
    struct member_ctx *mc = payload;
    if (mc->warn) {
        mc->warn(msg, mc->warn_payload);
    }
}

static void archive_opts(struct lh_archive_opts *ao, struct member_ctx *mc,
                         const struct lh_archive_limits *lim, bool scan_binary)
{
    memset(ao, 0, sizeof(*ao));
    ao->limits = *lim;
    ao->scan_binary = scan_binary;
    ao->on_member = scan_member;
    ao->warn = member_warn;
    ao->payload = mc;
}

int lh_scan_archive_mem(const struct lh_detector *d, struct lh_detect_scratch *ds,
                        const uint8_t *data, size_t len, const char *path,
                        const struct lh_archive_limits *lim, bool scan_binary, lh_finding_cb cb,
                        void *payload, lh_warn_fn warn, void *warn_payload,
                        struct lh_archive_stats *st)
{
    struct member_ctx mc = {d, ds, cb, payload, warn, warn_payload};
    struct lh_archive_opts ao;
    archive_opts(&ao, &mc, lim, scan_binary);
    return lh_archive_walk_mem(data, len, path, &ao, st);
}

/* Walks the archive open as fd; LH_ARCHIVE_NOT_ARCHIVE: scan it as a plain file. */
static int scan_archive_fd(struct scanctx *c, struct wstate *w, int fd, const char *path)
{
    struct member_ctx mc = {c->d, w->ds, lh_scan_collect, c->out, c->o->warn, c->o->warn_payload};
    struct lh_archive_opts ao;
    struct lh_archive_stats st = {0};
    archive_opts(&ao, &mc, c->o->archive, c->o->scan_binary);
    int rc = lh_archive_walk_fd(fd, path, &ao, &st);
    atomic_fetch_add(&c->stats->files, (size_t)st.members);
    atomic_fetch_add(&c->stats->bytes, (size_t)st.bytes);
    atomic_fetch_add(&c->stats->skipped_binary, (size_t)st.skipped_binary);
    if (rc == LH_EIO) {
        atomic_fetch_add(&c->stats->errors, 1);
        warnf(c, "%s ('%s' not scanned)", lh_error_get(), path);
        rc = 0;
    }
    return rc;
}

static int winit(void **state, size_t index, void *payload)
{
    (void)index;
    struct scanctx *c = payload;
    struct wstate *w = calloc(1, sizeof(*w));
    if (!w) {
        return lh_error_oom();
    }
    int rc = lh_detect_scratch_new(&w->ds, c->d);
    if (rc < 0) {
        free(w);
        return rc;
    }
    lh_buf_init(&w->buf, c->max_size);
    *state = w;
    return 0;
}

static void wfini(void *state, void *payload)
{
    (void)payload;
    struct wstate *w = state;
    lh_detect_scratch_free(w->ds);
    lh_buf_wipe(&w->buf);
    free(w);
}

static int scan_buffer(struct scanctx *c, struct lh_detect_scratch *ds, const uint8_t *data,
                       size_t len, const char *path)
{
    if (!c->o->scan_binary && lh_scan_is_binary(data, len)) {
        atomic_fetch_add(&c->stats->skipped_binary, 1);
        return 0;
    }
    atomic_fetch_add(&c->stats->files, 1);
    atomic_fetch_add(&c->stats->bytes, len);
    return lh_detect_blob(c->d, ds, data, len, path, lh_scan_collect, c->out);
}

/*
 * Reads a regular file with as few system calls as possible: open, fstat, one read and close
 * for files under FIRST_READ bytes (a short read of a regular file means end of file).
 * Hardening (issue #15): the file may have been replaced since the walk saw it, so it is
 * opened with O_NONBLOCK (a FIFO cannot block the open or the read) and O_NOFOLLOW unless
 * links are followed, and fstat must call it regular (READ_NOT_REGULAR otherwise, a message
 * set); unless binary files are scanned, the binary check runs on the first read, before the
 * rest is read (READ_BINARY), so a large file with a NUL up front costs one read. LH_ETOOBIG
 * past max_size, LH_EIO with the path named.
 */
static int read_file(struct lh_buf *b, const char *path, size_t max_size, bool follow,
                     bool scan_binary, const struct lh_archive_limits *arch, int *archive_fd)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0) {
        if (errno == ELOOP && !follow) {
            lh_error_set("'%s' became a symbolic link during the scan; skipped", path);
            return READ_NOT_REGULAR;
        }
        lh_error_set("cannot open '%s': %s", path, strerror(errno));
        return LH_EIO;
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        lh_error_set("cannot stat '%s': %s", path, strerror(errno));
        rc = LH_EIO;
    } else if (!S_ISREG(st.st_mode)) {
        lh_error_set("'%s' is not a regular file (it changed during the scan); skipped", path);
        rc = READ_NOT_REGULAR;
    } else if ((uint64_t)st.st_size > max_size) {
        rc = LH_ETOOBIG;
    } else {
        rc = lh_buf_grow(b, FIRST_READ < max_size ? FIRST_READ : max_size);
    }
    if (rc != 0) {
        close(fd);
        return rc;
    }
    size_t want = b->alloc - b->len - 1;
    ssize_t n = read(fd, b->ptr + b->len, want);
    if (n < 0) {
        lh_error_set("cannot read '%s': %s", path, strerror(errno));
        close(fd);
        return LH_EIO;
    }
    b->len += (size_t)n;
    b->ptr[b->len] = '\0';
    /*
     * Hardening (issue #9): the buffer is rounded up to a power of two, so one read can
     * return more than max_size; without this check a small --max-file-size let files of
     * up to twice the limit through.
     */
    if (b->len > max_size) {
        rc = LH_ETOOBIG;
    } else if (archive_fd && lh_scan_is_archive(arch, (const uint8_t *)b->ptr, b->len, path)) {
        *archive_fd = fd; /* the archive walk reads it from the start */
        return READ_ARCHIVE;
    } else if (!scan_binary && lh_scan_is_binary((const uint8_t *)b->ptr, b->len)) {
        rc = READ_BINARY;
    } else if ((size_t)n == want) {
        rc = lh_fs_read_fd(b, fd, path);
    }
    close(fd);
    return rc;
}

static int scan_one(struct scanctx *c, struct wstate *w, const char *path, bool follow)
{
    lh_buf_clear(&w->buf);
    int afd = -1;
    int rc = read_file(&w->buf, path, c->max_size, follow, c->o->scan_binary, c->o->archive, &afd);
    if (rc == READ_ARCHIVE) {
        rc = scan_archive_fd(c, w, afd, path);
        close(afd);
        if (rc != LH_ARCHIVE_NOT_ARCHIVE) {
            return rc;
        }
        /* a zip-named file that is no zip: a plain file after all */
        lh_buf_clear(&w->buf);
        rc = read_file(&w->buf, path, c->max_size, follow, c->o->scan_binary, NULL, NULL);
    }
    if (rc == LH_ETOOBIG) {
        atomic_fetch_add(&c->stats->skipped_large, 1);
        warnf(c, "'%s' is over the --max-file-size limit of %zu bytes; skipped", path, c->max_size);
        rc = 0;
    } else if (rc == READ_BINARY) {
        atomic_fetch_add(&c->stats->skipped_binary, 1);
        rc = 0;
    } else if (rc == READ_NOT_REGULAR) {
        atomic_fetch_add(&c->stats->skipped_other, 1);
        warnf(c, "%s", lh_error_get());
        rc = 0;
    } else if (rc == LH_ENOMEM) {
        /* an error (exit 4), not "too large": the file was within the limit (issue #15) */
        atomic_fetch_add(&c->stats->errors, 1);
        warnf(c, "cannot read '%s': out of memory", path);
        rc = 0;
    } else if (rc < 0) {
        atomic_fetch_add(&c->stats->errors, 1);
        warnf(c, "%s", lh_error_get());
        rc = 0;
    } else {
        rc = scan_buffer(c, w->ds, (const uint8_t *)w->buf.ptr, w->buf.len, path);
    }
    /* keep big buffers from lingering in every worker */
    if (w->buf.alloc > 4u * 1024u * 1024u) {
        lh_buf_wipe(&w->buf);
    }
    return rc;
}

static int wwork(void *state, void *job, void *payload)
{
    struct scanctx *c = payload;
    struct wstate *w = state;
    struct batch *bt = job;
    int rc = 0;
    for (size_t i = 0; i < bt->n; i++) {
        if (w && rc == 0) {
            rc = scan_one(c, w, bt->paths[i], bt->follow[i]);
        }
        free(bt->paths[i]);
    }
    free(bt);
    return rc;
}

/* Queues the walker's current batch (if any). */
static int flush_batch(struct scanctx *c)
{
    struct batch *bt = c->pending;
    if (!bt || bt->n == 0) {
        return 0;
    }
    c->pending = NULL;
    if (!c->pool) {
        return wwork(c->inl, bt, c); /* frees bt */
    }
    int rc = lh_pool_submit(c->pool, bt);
    if (rc < 0) {
        for (size_t i = 0; i < bt->n; i++) {
            free(bt->paths[i]);
        }
        free(bt);
    }
    return rc;
}

/*
 * Adds a file to the walker's batch, queueing it when full. Takes ownership of path. follow:
 * open it through a symbolic link (a path named on the command line, or --follow-symlinks).
 */
static int add_file(struct scanctx *c, char *path, bool follow)
{
    if (!c->pending) {
        c->pending = calloc(1, sizeof(*c->pending));
        if (!c->pending) {
            free(path);
            return lh_error_oom();
        }
    }
    c->pending->follow[c->pending->n] = follow;
    c->pending->paths[c->pending->n++] = path;
    return c->pending->n == BATCH_FILES ? flush_batch(c) : 0;
}

static bool seen_dir(struct visited *v, const struct stat *st)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->dev[i] == st->st_dev && v->ino[i] == st->st_ino) {
            return true;
        }
    }
    dev_t *d = realloc(v->dev, (v->n + 1) * sizeof(*d));
    if (d) {
        v->dev = d;
    }
    ino_t *ino = realloc(v->ino, (v->n + 1) * sizeof(*ino));
    if (ino) {
        v->ino = ino;
    }
    if (d && ino) {
        v->dev[v->n] = st->st_dev;
        v->ino[v->n] = st->st_ino;
        v->n++;
    }
    return false;
}

static int walk(struct scanctx *c, struct lh_pool *pool, const char *path, int depth,
                struct visited *v, bool top);

struct dentry {
    char *path;
    unsigned char type; /* DT_* from readdir */
};

static int cmp_dentry(const void *a, const void *b)
{
    return strcmp(((const struct dentry *)a)->path, ((const struct dentry *)b)->path);
}

static int walk_dir(struct scanctx *c, struct lh_pool *pool, const char *path, int depth,
                    struct visited *v)
{
    DIR *dir = opendir(path);
    if (!dir) {
        atomic_fetch_add(&c->stats->errors, 1);
        warnf(c, "cannot open directory '%s': %s", path, strerror(errno));
        return 0;
    }
    struct dentry *ents = NULL;
    size_t n = 0;
    size_t alloc = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git")) {
            continue;
        }
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 32;
            struct dentry *ne = realloc(ents, alloc * sizeof(*ne));
            if (!ne) {
                rc = lh_error_oom();
                break;
            }
            ents = ne;
        }
        /* "." as a root gives "a.txt", not "./a.txt" */
        ents[n].path = strcmp(path, ".") ? lh_path_join(path, e->d_name) : strdup(e->d_name);
        ents[n].type = e->d_type;
        if (!ents[n].path) {
            rc = lh_error_oom();
            break;
        }
        n++;
    }
    closedir(dir);
    if (rc == 0 && n > 1) {
        qsort(ents, n, sizeof(*ents), cmp_dentry);
    }
    for (size_t i = 0; i < n; i++) {
        if (rc != 0) {
            free(ents[i].path);
            continue;
        }
        /* The common case, a regular file known from d_type, needs no stat at all. */
        if (ents[i].type == DT_REG) {
            if (lh_scan_excluded(c->o->exclude, ents[i].path)) {
                free(ents[i].path);
                continue;
            }
            rc = add_file(c, ents[i].path, c->o->follow_symlinks);
            continue;
        }
        rc = walk(c, pool, ents[i].path, depth + 1, v, false);
        free(ents[i].path);
    }
    free(ents);
    return rc;
}

static int walk(struct scanctx *c, struct lh_pool *pool, const char *path, int depth,
                struct visited *v, bool top)
{
    struct stat st;
    if (depth > MAX_DEPTH) {
        warnf(c, "'%s' is nested more than %d directories deep; skipped", path, MAX_DEPTH);
        atomic_fetch_add(&c->stats->skipped_other, 1);
        return 0;
    }
    if (lstat(path, &st) != 0) {
        if (top) {
            lh_error_set("cannot read '%s': %s", path, strerror(errno));
            return LH_EIO;
        }
        atomic_fetch_add(&c->stats->errors, 1);
        warnf(c, "cannot read '%s': %s", path, strerror(errno));
        return 0;
    }
    if (!top && lh_scan_excluded(c->o->exclude, path)) {
        return 0;
    }
    if (S_ISLNK(st.st_mode)) {
        if (!c->o->follow_symlinks && !top) {
            atomic_fetch_add(&c->stats->skipped_other, 1);
            return 0;
        }
        if (stat(path, &st) != 0) {
            atomic_fetch_add(&c->stats->skipped_other, 1);
            return 0; /* dangling link */
        }
    }
    if (S_ISDIR(st.st_mode)) {
        if (seen_dir(v, &st)) {
            return 0; /* symlink loop or repeated argument */
        }
        return walk_dir(c, pool, path, depth, v);
    }
    if (!S_ISREG(st.st_mode)) {
        atomic_fetch_add(&c->stats->skipped_other, 1);
        return 0;
    }
    if ((size_t)st.st_size > c->max_size) {
        /* hardening (issue #9): say which file went unscanned, not just how many */
        atomic_fetch_add(&c->stats->skipped_large, 1);
        warnf(c, "'%s' is %lld bytes, over the --max-file-size limit of %zu; skipped", path,
              (long long)st.st_size, c->max_size);
        return 0;
    }
    (void)pool;
    char *job = strdup(path);
    return job ? add_file(c, job, top || c->o->follow_symlinks) : lh_error_oom();
}

static int scan_stdin(struct scanctx *c)
{
    struct lh_buf b;
    struct lh_detect_scratch *ds = NULL;
    lh_buf_init(&b, c->max_size);
    int rc = lh_fs_read_fd(&b, STDIN_FILENO, "<stdin>");
    if (rc == LH_ETOOBIG) {
        atomic_fetch_add(&c->stats->skipped_large, 1);
        warnf(c, "%s; skipped", lh_error_get());
        rc = 0;
        goto out;
    }
    if (rc < 0) {
        goto out;
    }
    rc = lh_detect_scratch_new(&ds, c->d);
    const uint8_t *data = (const uint8_t *)(b.ptr ? b.ptr : "");
    if (rc == 0 && lh_scan_is_archive(c->o->archive, data, b.len, NULL)) {
        struct lh_archive_stats st = {0};
        rc = lh_scan_archive_mem(c->d, ds, data, b.len, "-", c->o->archive, c->o->scan_binary,
                                 lh_scan_collect, c->out, c->o->warn, c->o->warn_payload, &st);
        atomic_fetch_add(&c->stats->files, (size_t)st.members);
        atomic_fetch_add(&c->stats->bytes, (size_t)st.bytes);
        atomic_fetch_add(&c->stats->skipped_binary, (size_t)st.skipped_binary);
        if (rc == LH_EIO) {
            atomic_fetch_add(&c->stats->errors, 1);
            warnf(c, "%s (stdin not scanned)", lh_error_get());
            rc = 0;
        }
    } else if (rc == 0) {
        rc = scan_buffer(c, ds, data, b.len, "-");
    }
out:
    lh_detect_scratch_free(ds);
    lh_buf_wipe(&b);
    return rc;
}

int lh_scan_paths(const struct lh_detector *d, const char *const *paths, size_t npaths,
                  const struct lh_scan_opts *o, struct lh_findings *out,
                  struct lh_scan_stats *stats)
{
    struct scanctx c = {.d = d,
                        .o = o,
                        .out = out,
                        .stats = stats,
                        .max_size = o->max_file_size ? o->max_file_size : LH_DEFAULT_MAX_FILE_SIZE};
    /* Fail fast on a missing top-level path, before any work. */
    size_t nfiles = 0, ndirs = 0;
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        if (!strcmp(paths[i], "-")) {
            continue;
        }
        if (stat(paths[i], &st) != 0) {
            lh_error_set("cannot read '%s': %s", paths[i], strerror(errno));
            return LH_EIO;
        }
        if (S_ISDIR(st.st_mode)) {
            ndirs++;
        } else {
            nfiles++;
        }
    }
    for (size_t i = 0; i < npaths; i++) {
        if (!strcmp(paths[i], "-")) {
            int rc = scan_stdin(&c);
            if (rc < 0) {
                return rc;
            }
        }
    }
    /*
     * Explicit files only (a pre-commit hook's argument list, one file in an editor): when
     * they fit in one batch, a pool would only add thread start-up, so the calling thread
     * scans them.
     */
    struct lh_pool *pool = NULL;
    struct wstate *inl = NULL;
    int rc = 0;
    if (nfiles <= BATCH_FILES && ndirs == 0) {
        void *state = NULL;
        rc = winit(&state, 0, &c);
        if (rc < 0) {
            return rc;
        }
        inl = state;
        c.inl = inl;
    } else {
        size_t threads = o->threads ? o->threads : lh_pool_default_threads();
        rc = lh_pool_new(&pool, threads, threads * 4, winit, wwork, wfini, &c);
        if (rc < 0) {
            return rc;
        }
        c.pool = pool;
    }
    struct visited v = {0};
    for (size_t i = 0; rc == 0 && i < npaths; i++) {
        if (strcmp(paths[i], "-") != 0) {
            rc = walk(&c, pool, paths[i], 0, &v, true);
        }
    }
    if (rc == 0) {
        rc = flush_batch(&c);
    } else if (c.pending) {
        for (size_t i = 0; i < c.pending->n; i++) {
            free(c.pending->paths[i]);
        }
        free(c.pending);
    }
    free(v.dev);
    free(v.ino);
    if (inl) {
        wfini(inl, &c);
        return rc;
    }
    int frc = lh_pool_finish(pool);
    return rc ? rc : frc;
}
