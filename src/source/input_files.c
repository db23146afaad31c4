/* SPDX-License-Identifier: MIT */
/* The files input: directory walk (producer) and bounded file reads (workers); see input_files.h.
 */
#include "source/input_files.h"

#include "util/buf.h"
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 256
#define BATCH_FILES 64                   /* paths per job: fewer wake-ups per file */
#define FIRST_READ (256u * 1024u)        /* one read() covers most files whole */
#define KEEP_BUFFER (4u * 1024u * 1024u) /* larger read buffers are freed after their file */

struct batch {
    size_t n;
    char *paths[BATCH_FILES];
    bool follow[BATCH_FILES]; /* open through a symbolic link (named on the command line) */
    /* opened as openat(dirfd[i], paths[i] + rel[i]): relative to the directory named on
     * the command line, so the kernel resolves only the components below it */
    int dirfd[BATCH_FILES];
    size_t rel[BATCH_FILES];
};

struct visited {
    dev_t *dev;
    ino_t *ino;
    size_t n;
};

struct files {
    struct lh_input base;
    const char *const *paths;
    size_t npaths;
    size_t max_size;
    /* the walk (calling thread only) */
    lh_submit_fn submit;
    void *submit_payload;
    struct batch *pending; /* being filled */
    struct visited seen;
    int root_fd;        /* the directory argument being walked (AT_FDCWD: none) */
    size_t root_prefix; /* length of its path plus separator, in the paths below it */
    int *root_fds;      /* every directory argument opened (closed by files_free) */
    size_t nroot_fds;
};

/* read_file's outcomes besides 0 and a negative error code */
enum { READ_BINARY = 1, READ_NOT_REGULAR };

static int files_prepare(struct lh_input *in, size_t *max_jobs)
{
    struct files *f = (struct files *)in;
    size_t nfiles = 0, ndirs = 0;
    /* fail fast on a missing top-level path, before any work */
    for (size_t i = 0; i < f->npaths; i++) {
        struct stat st;
        if (stat(f->paths[i], &st) != 0) {
            lh_error_set("cannot read '%s': %s", f->paths[i], strerror(errno));
            return LH_EIO;
        }
        if (S_ISDIR(st.st_mode)) {
            ndirs++;
        } else {
            nfiles++;
        }
    }
    /*
     * Explicit files only (a pre-commit hook's argument list, one file in an editor): when
     * they fit in one batch, a pool would only add thread start-up.
     */
    *max_jobs = nfiles <= BATCH_FILES && ndirs == 0 ? 1 : SIZE_MAX;
    return 0;
}

static void batch_free(struct batch *bt)
{
    for (size_t i = 0; i < bt->n; i++) {
        free(bt->paths[i]);
    }
    free(bt);
}

/* Hands the walker's current batch (if any) to the driver. */
static int flush_batch(struct files *f)
{
    struct batch *bt = f->pending;
    if (!bt || bt->n == 0) {
        return 0;
    }
    f->pending = NULL;
    return f->submit(bt, f->submit_payload);
}

/* Adds a file to the walker's batch, submitting it when full. Takes ownership of path. */
static int add_file(struct files *f, char *path, bool follow)
{
    if (!f->pending) {
        f->pending = calloc(1, sizeof(*f->pending));
        if (!f->pending) {
            free(path);
            return lh_error_oom();
        }
    }
    size_t i = f->pending->n++;
    f->pending->follow[i] = follow;
    f->pending->paths[i] = path;
    f->pending->dirfd[i] = f->root_fd;
    f->pending->rel[i] = f->root_fd == AT_FDCWD ? 0 : f->root_prefix;
    return f->pending->n == BATCH_FILES ? flush_batch(f) : 0;
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

static int walk(struct files *f, const char *path, int depth, bool top);

struct dentry {
    char *path;
    unsigned char type; /* DT_* from readdir */
};

static int cmp_dentry(const void *a, const void *b)
{
    return strcmp(((const struct dentry *)a)->path, ((const struct dentry *)b)->path);
}

/*
 * Makes the directory argument being listed (a copy of its descriptor: the directory
 * listed, whatever its path names later) the root for openat() of the paths below it,
 * whose prefix is `prefix` bytes. Without the copy (fd limit), files are opened by their
 * whole path as before.
 */
static void set_root(struct files *f, DIR *dir, size_t prefix)
{
    int *fds = realloc(f->root_fds, (f->nroot_fds + 1) * sizeof(*fds));
    if (!fds) {
        return;
    }
    f->root_fds = fds;
    int fd = fcntl(dirfd(dir), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        return;
    }
    f->root_fds[f->nroot_fds++] = fd;
    f->root_fd = fd;
    f->root_prefix = prefix;
}

static int walk_dir(struct files *f, const char *path, int depth)
{
    const struct lh_input_env *env = f->base.env;
    DIR *dir = opendir(path);
    if (!dir) {
        lh_input_error(env, "cannot open directory '%s': %s", path, strerror(errno));
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
        bool dot = !strcmp(path, ".");
        ents[n].path = dot ? strdup(e->d_name) : lh_path_join(path, e->d_name);
        ents[n].type = e->d_type;
        if (!ents[n].path) {
            rc = lh_error_oom();
            break;
        }
        if (depth == 0 && !dot && f->root_fd == AT_FDCWD) {
            set_root(f, dir, strlen(ents[n].path) - strlen(e->d_name));
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
            if (lh_input_excluded(env, ents[i].path)) {
                free(ents[i].path);
                continue;
            }
            rc = add_file(f, ents[i].path, env->follow_symlinks);
            continue;
        }
        rc = walk(f, ents[i].path, depth + 1, false);
        free(ents[i].path);
    }
    free(ents);
    return rc;
}

static int walk(struct files *f, const char *path, int depth, bool top)
{
    const struct lh_input_env *env = f->base.env;
    struct stat st;
    if (depth > MAX_DEPTH) {
        lh_input_skip(env, LH_SKIP_OTHER, "'%s' is nested more than %d directories deep; skipped",
                      path, MAX_DEPTH);
        return 0;
    }
    if (lstat(path, &st) != 0) {
        if (top) {
            lh_error_set("cannot read '%s': %s", path, strerror(errno));
            return LH_EIO;
        }
        lh_input_skip(env, LH_SKIP_ERROR, "cannot read '%s': %s", path, strerror(errno));
        return 0;
    }
    if (!top && lh_input_excluded(env, path)) {
        return 0;
    }
    if (S_ISLNK(st.st_mode)) {
        if (!env->follow_symlinks && !top) {
            lh_input_skip(env, LH_SKIP_OTHER, NULL);
            return 0;
        }
        if (stat(path, &st) != 0) {
            lh_input_skip(env, LH_SKIP_OTHER, NULL); /* dangling link */
            return 0;
        }
    }
    if (S_ISDIR(st.st_mode)) {
        if (seen_dir(&f->seen, &st)) {
            return 0; /* symlink loop or repeated argument */
        }
        return walk_dir(f, path, depth);
    }
    if (!S_ISREG(st.st_mode)) {
        lh_input_skip(env, LH_SKIP_OTHER, NULL);
        return 0;
    }
    if ((size_t)st.st_size > f->max_size) {
        /* hardening (issue #9): say which file went unscanned, not just how many */
        lh_input_skip(env, LH_SKIP_LARGE,
                      "'%s' is %lld bytes, over the --max-file-size limit of %zu; skipped", path,
                      (long long)st.st_size, f->max_size);
        return 0;
    }
    char *job = strdup(path);
    return job ? add_file(f, job, top || env->follow_symlinks) : lh_error_oom();
}

static int files_produce(struct lh_input *in, lh_submit_fn submit, void *payload)
{
    struct files *f = (struct files *)in;
    int rc = 0;
    f->submit = submit;
    f->submit_payload = payload;
    for (size_t i = 0; rc == 0 && i < f->npaths; i++) {
        f->root_fd = AT_FDCWD;
        rc = walk(f, f->paths[i], 0, true);
    }
    if (rc == 0) {
        rc = flush_batch(f);
    } else if (f->pending) {
        batch_free(f->pending);
        f->pending = NULL;
    }
    return rc;
}

/*
 * Reads a regular file with as few system calls as possible: open, fstat, one read and close
 * for files under FIRST_READ bytes (a short read of a regular file means end of file).
 * Hardening (issue #15): the file may have been replaced since the walk saw it, so it is
 * opened with O_NONBLOCK (a FIFO cannot block the open or the read) and O_NOFOLLOW unless
 * links are followed, and fstat must call it regular (READ_NOT_REGULAR otherwise, a message
 * set); unless binary files are scanned, the binary check runs on the first read, before the
 * rest is read (READ_BINARY), so a large file with a NUL up front costs one read; content the
 * sink opens (an archive) is read whole all the same. LH_ETOOBIG
 * past max_size, LH_EIO with the path named.
 */
static int read_file(struct lh_buf *b, int dirfd, const char *path, size_t rel, size_t max_size,
                     bool follow, bool scan_binary, struct lh_sink *sink)
{
    int fd = openat(dirfd, path + rel,
                    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW));
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
    } else if (!scan_binary && lh_input_is_binary((const uint8_t *)b->ptr, b->len) &&
               !sink->opens(sink, (const uint8_t *)b->ptr, b->len, path)) {
        rc = READ_BINARY;
    } else if ((size_t)n == want) {
        rc = lh_fs_read_fd(b, fd, path);
    }
    close(fd);
    return rc;
}

/* Reads and scans one file; only fatal errors (from the sink) are returned. */
static int read_one(struct files *f, struct lh_buf *b, const struct batch *bt, size_t i,
                    struct lh_sink *sink)
{
    const struct lh_input_env *env = f->base.env;
    const char *path = bt->paths[i];
    lh_buf_clear(b);
    int rc = read_file(b, bt->dirfd[i], path, bt->rel[i], f->max_size, bt->follow[i],
                       env->scan_binary, sink);
    if (rc == LH_ETOOBIG) {
        lh_input_skip(env, LH_SKIP_LARGE,
                      "'%s' is over the --max-file-size limit of %zu bytes; skipped", path,
                      f->max_size);
        rc = 0;
    } else if (rc == READ_BINARY) {
        lh_input_skip(env, LH_SKIP_BINARY, NULL);
        rc = 0;
    } else if (rc == READ_NOT_REGULAR) {
        lh_input_skip(env, LH_SKIP_OTHER, "%s", lh_error_get());
        rc = 0;
    } else if (rc == LH_ENOMEM) {
        /* an error (exit 4), not "too large": the file was within the limit (issue #15) */
        lh_input_skip(env, LH_SKIP_ERROR, "cannot read '%s': out of memory", path);
        rc = 0;
    } else if (rc < 0) {
        lh_input_skip(env, LH_SKIP_ERROR, "%s", lh_error_get());
        rc = 0;
    } else {
        struct lh_item it = {
            .buf = (const uint8_t *)b->ptr,
            .len = b->len,
            .origin = {.kind = LH_ORIGIN_FILE, .path = path},
        };
        rc = sink->scan(sink, &it);
        rc = rc > 0 ? 0 : rc;
    }
    /* keep big buffers from lingering in every worker */
    if (b->alloc > KEEP_BUFFER) {
        lh_buf_wipe(b);
    }
    return rc;
}

static int files_reader_new(struct lh_input *in, void **out)
{
    struct files *f = (struct files *)in;
    struct lh_buf *b = malloc(sizeof(*b));
    if (!b) {
        return lh_error_oom();
    }
    lh_buf_init(b, f->max_size);
    *out = b;
    return 0;
}

static void files_reader_free(struct lh_input *in, void *reader)
{
    (void)in;
    if (reader) {
        lh_buf_wipe(reader);
        free(reader);
    }
}

static int files_read(struct lh_input *in, void *reader, void *job, struct lh_sink *sink)
{
    struct files *f = (struct files *)in;
    struct batch *bt = job;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < bt->n; i++) {
        rc = read_one(f, reader, bt, i, sink);
    }
    batch_free(bt);
    return rc;
}

static void files_discard(struct lh_input *in, void *job)
{
    (void)in;
    batch_free(job);
}

static void files_free(struct lh_input *in)
{
    struct files *f = (struct files *)in;
    if (f->pending) {
        batch_free(f->pending);
    }
    free(f->seen.dev);
    free(f->seen.ino);
    for (size_t i = 0; i < f->nroot_fds; i++) {
        close(f->root_fds[i]);
    }
    free(f->root_fds);
    free(f);
}

static const struct lh_input_ops files_ops = {
    .name = "files",
    .prepare = files_prepare,
    .produce = files_produce,
    .reader_new = files_reader_new,
    .reader_free = files_reader_free,
    .read = files_read,
    .discard = files_discard,
    .free = files_free,
};

int lh_input_files_new(struct lh_input **out, const char *const *paths, size_t npaths,
                       const struct lh_input_env *env)
{
    struct files *f = calloc(1, sizeof(*f));
    if (!f) {
        return lh_error_oom();
    }
    f->base.ops = &files_ops;
    f->base.env = env;
    f->paths = paths;
    f->npaths = npaths;
    f->max_size = lh_input_max_size(env);
    f->root_fd = AT_FDCWD;
    *out = &f->base;
    return 0;
}
