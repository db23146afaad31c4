/* SPDX-License-Identifier: MIT */
/* Directory walker + worker pool for file scanning; see scan.h. */
#include "engine/scan.h"

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

#include "util/buf.h"
#include "util/fs.h"
#include "util/pool.h"

#define BINARY_PROBE 8000
#define MAX_DEPTH 256

struct scanctx {
    const struct lh_detector *d;
    const struct lh_scan_opts *o;
    struct lh_findings *out;
    struct lh_scan_stats *stats;
    size_t max_size;
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
    vsnprintf(msg, sizeof(msg), fmt, ap);
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

static int wwork(void *state, void *job, void *payload)
{
    struct scanctx *c = payload;
    struct wstate *w = state;
    char *path = job;
    int rc = 0;
    if (!w) {
        free(path);
        return 0;
    }
    lh_buf_clear(&w->buf);
    rc = lh_fs_read_file(&w->buf, path);
    if (rc == LH_ETOOBIG) {
        atomic_fetch_add(&c->stats->skipped_large, 1);
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
    free(path);
    return rc;
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

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct scanctx *c, struct lh_pool *pool, const char *path, int depth,
                struct visited *v, bool top);

static int walk_dir(struct scanctx *c, struct lh_pool *pool, const char *path, int depth,
                    struct visited *v)
{
    DIR *dir = opendir(path);
    if (!dir) {
        atomic_fetch_add(&c->stats->errors, 1);
        warnf(c, "cannot open directory '%s': %s", path, strerror(errno));
        return 0;
    }
    char **names = NULL;
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
            char **nn = realloc(names, alloc * sizeof(*nn));
            if (!nn) {
                rc = lh_error_oom();
                break;
            }
            names = nn;
        }
        /* "." as a root gives "a.txt", not "./a.txt" */
        names[n] = strcmp(path, ".") ? lh_path_join(path, e->d_name) : strdup(e->d_name);
        if (!names[n]) {
            rc = lh_error_oom();
            break;
        }
        n++;
    }
    closedir(dir);
    if (rc == 0 && n) {
        qsort(names, n, sizeof(*names), cmp_str);
    }
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            rc = walk(c, pool, names[i], depth + 1, v, false);
        }
        free(names[i]);
    }
    free(names);
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
        atomic_fetch_add(&c->stats->skipped_large, 1);
        return 0;
    }
    char *job = strdup(path);
    if (!job) {
        return lh_error_oom();
    }
    int rc = lh_pool_submit(pool, job);
    if (rc < 0) {
        free(job);
    }
    return rc;
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
    if (rc == 0) {
        rc = scan_buffer(c, ds, (const uint8_t *)(b.ptr ? b.ptr : ""), b.len, "-");
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
    struct scanctx c = {d, o, out, stats, o->max_file_size ? o->max_file_size
                                                            : LH_DEFAULT_MAX_FILE_SIZE};
    /* Fail fast on a missing top-level path, before any work. */
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) != 0) {
            lh_error_set("cannot read '%s': %s", paths[i], strerror(errno));
            return LH_EIO;
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
    struct lh_pool *pool = NULL;
    size_t threads = o->threads ? o->threads : lh_pool_default_threads();
    int rc = lh_pool_new(&pool, threads, threads * 16, winit, wwork, wfini, &c);
    if (rc < 0) {
        return rc;
    }
    struct visited v = {0};
    for (size_t i = 0; rc == 0 && i < npaths; i++) {
        if (strcmp(paths[i], "-") != 0) {
            rc = walk(&c, pool, paths[i], 0, &v, true);
        }
    }
    free(v.dev);
    free(v.ino);
    int frc = lh_pool_finish(pool);
    return rc ? rc : frc;
}
