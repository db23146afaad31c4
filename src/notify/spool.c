/* SPDX-License-Identifier: MIT */
/*
 * The revocation journal file; see spool.h for the guarantees. Records are JSON objects, one
 * per line, each with "v" (1), "op", "id" and "ts"; this file opens, locks and follows the
 * journal (reloading it when another process compacted or truncated it) and appends records,
 * which spool_replay.c applies to the entry table; spool_compact.c rewrites it. The
 * `attempts` field of deferred/done/failed records is cumulative, so a compacted snapshot and
 * the original history replay to the same table. Buffers that held request bodies are wiped
 * (jansson's own transient parser buffers are outside our reach).
 */
#include "notify/spool_int.h"
#include "util/buf.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCK_WAIT_MS 30000

void lh_spool_warnf(struct lh_spool *sp, const char *fmt, ...)
{
    if (!sp->warn) {
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sp->warn(msg, sp->payload);
}

int64_t lh_spool_now(void)
{
    return (int64_t)time(NULL);
}

const char *lh_spool_path(const struct lh_spool *sp)
{
    return sp->path;
}

int lh_spool_id(char out[LH_SPOOL_ID_LEN + 1], const char *url, const char *key)
{
    size_t ul = strlen(url);
    size_t kl = strlen(key);
    char *m = malloc(ul + kl + 2);
    if (!m) {
        return lh_error_oom();
    }
    memcpy(m, url, ul);
    m[ul] = '\n';
    memcpy(m + ul + 1, key, kl + 1);
    char full[LH_SHA256_HEX_LEN + 1];
    lh_sha256_hex(full, m, ul + kl + 1);
    free(m);
    memcpy(out, full, LH_SPOOL_ID_LEN);
    out[LH_SPOOL_ID_LEN] = '\0';
    return 0;
}

/* Reads the journal from sp->off to its end and applies it. */
static int read_tail(struct lh_spool *sp, size_t size)
{
    if (size <= sp->off) {
        return 0;
    }
    if (size > LH_SPOOL_MAX_BYTES) {
        lh_error_set("revocation journal '%s' is larger than %u bytes", sp->path,
                     LH_SPOOL_MAX_BYTES);
        return LH_ETOOBIG;
    }
    struct lh_buf b;
    lh_buf_init(&b, LH_SPOOL_MAX_BYTES);
    int rc = lh_buf_grow(&b, size - sp->off);
    size_t got = 0;
    while (rc == 0 && got < size - sp->off) {
        ssize_t n = pread(sp->fd, b.ptr + got, size - sp->off - got, (off_t)(sp->off + got));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            lh_error_set("cannot read '%s': %s", sp->path, strerror(errno));
            rc = LH_EIO;
        } else if (n == 0) {
            break; /* shrank under us: apply what we have; the next sync reloads */
        }
        got += n > 0 ? (size_t)n : 0;
    }
    if (rc == 0) {
        rc = lh_spool_apply_bytes(sp, b.ptr, got);
    } else if (rc == LH_ENOMEM) {
        rc = lh_error_oom();
    }
    lh_buf_wipe(&b);
    return rc;
}

struct local_flags {
    char id[LH_SPOOL_ID_LEN + 1];
    bool inflight;
    unsigned run;
};

/* Rebuilds the table from the start of the (possibly replaced) journal file. */
static int reload(struct lh_spool *sp, size_t size)
{
    struct local_flags *keep = NULL;
    size_t nkeep = 0;
    if (sp->count) {
        keep = calloc(sp->count, sizeof(*keep));
        if (!keep) {
            return lh_error_oom();
        }
    }
    for (size_t i = 0; i < sp->count; i++) {
        if (sp->items[i].inflight || sp->items[i].run) {
            memcpy(keep[nkeep].id, sp->items[i].id, sizeof(keep[nkeep].id));
            keep[nkeep].inflight = sp->items[i].inflight;
            keep[nkeep].run = sp->items[i].run;
            nkeep++;
        }
    }
    lh_spool_table_clear(sp);
    sp->off = 0;
    sp->lines = 0;
    sp->records = 0;
    sp->corrupt = 0;
    sp->tail_clean = true;
    int rc = read_tail(sp, size);
    for (size_t i = 0; i < nkeep; i++) {
        struct lh_spool_entry *e = lh_spool_find(sp, keep[i].id);
        if (e) {
            e->inflight = keep[i].inflight;
            e->run = keep[i].run;
        }
    }
    free(keep);
    return rc;
}

int lh_spool_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        lh_error_set("cannot open directory '%s': %s", dir, strerror(errno));
        return LH_EIO;
    }
    int rc = 0;
    if (fsync(fd) != 0 && errno != EINVAL) {
        lh_error_set("cannot sync directory '%s': %s", dir, strerror(errno));
        rc = LH_EIO;
    }
    close(fd);
    return rc;
}

/* Opens (read-write: creating) the journal file into sp->fd. */
int lh_spool_open_journal(struct lh_spool *sp)
{
    if (sp->fd >= 0) {
        close(sp->fd);
        sp->fd = -1;
    }
    /* never through a symbolic link, never a file another user owns or can write */
    if (sp->read_only) {
        sp->fd = lh_fs_open_private(sp->path, O_RDONLY, 0);
        bool missing = sp->fd == -1 && errno == ENOENT;
        if (sp->fd < 0) {
            sp->fd = -1;
            return missing ? 0 : LH_EIO;
        }
        return 0;
    }
    bool created = false;
    sp->fd = lh_fs_open_private(sp->path, O_RDWR | O_APPEND, 0);
    if (sp->fd == -1 && errno == ENOENT) {
        sp->fd = lh_fs_open_private(sp->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL, 0600);
        created = sp->fd >= 0;
    }
    if (sp->fd < 0) {
        sp->fd = -1;
        return LH_EIO;
    }
    struct stat st;
    if (fstat(sp->fd, &st) == 0 && (st.st_mode & 077) && fchmod(sp->fd, 0600) != 0) {
        lh_error_set("cannot restrict '%s' to its owner: %s", sp->path, strerror(errno));
        return LH_EIO;
    }
    return created ? lh_spool_fsync_dir(sp->dir) : 0;
}

/* Applies what changed on disk since the last look (called with the lock held). */
static int sync_tail(struct lh_spool *sp)
{
    struct stat path_st;
    if (lstat(sp->path, &path_st) != 0) {
        if (errno != ENOENT) {
            lh_error_set("cannot stat '%s': %s", sp->path, strerror(errno));
            return LH_EIO;
        }
        if (sp->read_only) {
            return 0;
        }
        /* removed by hand: start a new journal rather than writing into an unlinked file */
        int rc = lh_spool_open_journal(sp);
        if (rc < 0) {
            return rc;
        }
        if (fstat(sp->fd, &path_st) != 0) {
            lh_error_set("cannot stat '%s': %s", sp->path, strerror(errno));
            return LH_EIO;
        }
        sp->dev = path_st.st_dev;
        sp->ino = path_st.st_ino;
        return reload(sp, (size_t)path_st.st_size);
    }
    if (sp->fd < 0 || path_st.st_dev != sp->dev || path_st.st_ino != sp->ino ||
        (size_t)path_st.st_size < sp->off) {
        /* first look, compacted by another process, or truncated: read it all again */
        int rc = lh_spool_open_journal(sp);
        if (rc < 0) {
            return rc;
        }
        if (sp->fd < 0) {
            return 0;
        }
        struct stat st;
        if (fstat(sp->fd, &st) != 0) {
            lh_error_set("cannot stat '%s': %s", sp->path, strerror(errno));
            return LH_EIO;
        }
        sp->dev = st.st_dev;
        sp->ino = st.st_ino;
        return reload(sp, (size_t)st.st_size);
    }
    return read_tail(sp, (size_t)path_st.st_size);
}

int lh_spool_lock(struct lh_spool *sp)
{
    pthread_mutex_lock(&sp->mu);
    if (sp->lock_fd >= 0) {
        int op = sp->read_only ? LOCK_SH : LOCK_EX;
        int waited = 0;
        while (flock(sp->lock_fd, op | LOCK_NB) != 0) {
            if (errno != EWOULDBLOCK && errno != EINTR) {
                lh_error_set("cannot lock '%s': %s", sp->lock_path, strerror(errno));
                pthread_mutex_unlock(&sp->mu);
                return LH_EIO;
            }
            if (waited >= LOCK_WAIT_MS) {
                lh_error_set("'%s' has been locked by another process for %d s", sp->lock_path,
                             LOCK_WAIT_MS / 1000);
                pthread_mutex_unlock(&sp->mu);
                return LH_EAGAIN;
            }
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
            waited += 10;
        }
    }
    int rc = sync_tail(sp);
    if (rc < 0) {
        lh_spool_unlock(sp);
    }
    return rc;
}

void lh_spool_unlock(struct lh_spool *sp)
{
    if (sp->lock_fd >= 0) {
        flock(sp->lock_fd, LOCK_UN);
    }
    pthread_mutex_unlock(&sp->mu);
}

int lh_spool_open(struct lh_spool **out, const char *dir, bool read_only, lh_spool_warn_fn warn,
                  void *payload)
{
    *out = NULL;
    struct lh_spool *sp = calloc(1, sizeof(*sp));
    if (!sp) {
        return lh_error_oom();
    }
    pthread_mutex_init(&sp->mu, NULL);
    sp->fd = -1;
    sp->lock_fd = -1;
    sp->read_only = read_only;
    sp->tail_clean = true;
    sp->warn = warn;
    sp->payload = payload;
    sp->dir = strdup(dir);
    sp->path = lh_path_join(dir, LH_SPOOL_JOURNAL);
    sp->lock_path = lh_path_join(dir, LH_SPOOL_LOCK);
    int rc = 0;
    if (!sp->dir || !sp->path || !sp->lock_path) {
        rc = lh_error_oom();
        goto out;
    }
    if (!read_only) {
        rc = lh_fs_mkdirs(dir);
        if (rc < 0) {
            goto out;
        }
    }
    /*
     * Issue #15: a state directory, journal or lock that another user owns or can write, or
     * a symbolic link in their place, would let that user read the raw tokens or have them
     * appended to a file of their choosing: refused, not warned about.
     */
    int dfd = lh_fs_open_private(dir, O_RDONLY | O_DIRECTORY, 0);
    if (dfd == -1 && read_only && errno == ENOENT) {
        /* status of a spool never written: nothing to read */
    } else if (dfd < 0) {
        rc = LH_EIO;
        goto out;
    } else {
        struct stat st;
        if (!read_only && fstat(dfd, &st) == 0 && (st.st_mode & 077)) {
            lh_spool_warnf(sp,
                           "state directory '%s' is readable by other users (mode %03o); the "
                           "revocation journal holds raw tokens until they are delivered",
                           dir, (unsigned)(st.st_mode & 0777));
        }
        close(dfd);
    }
    sp->lock_fd = lh_fs_open_private(sp->lock_path, read_only ? O_RDONLY : O_RDWR | O_CREAT, 0600);
    if (sp->lock_fd < 0) {
        bool missing = sp->lock_fd == -1 && read_only && errno == ENOENT;
        sp->lock_fd = -1;
        if (!missing) {
            rc = LH_EIO;
            goto out;
        }
    }
    rc = lh_spool_lock(sp);
    if (rc == 0) {
        lh_spool_unlock(sp);
    }
out:
    if (rc < 0) {
        lh_spool_free(sp);
        return rc;
    }
    *out = sp;
    return 0;
}

void lh_spool_free(struct lh_spool *sp)
{
    if (!sp) {
        return;
    }
    lh_spool_table_clear(sp);
    free(sp->items);
    free(sp->index);
    if (sp->fd >= 0) {
        close(sp->fd);
    }
    if (sp->lock_fd >= 0) {
        close(sp->lock_fd);
    }
    free(sp->dir);
    free(sp->path);
    free(sp->lock_path);
    pthread_mutex_destroy(&sp->mu);
    free(sp);
}

/* Serialises rec as one line into b (appended). */
int lh_spool_dump_line(struct lh_buf *b, json_t *rec)
{
    size_t n = json_dumpb(rec, NULL, 0, JSON_COMPACT);
    if (n == 0) {
        return lh_error_oom();
    }
    int rc = lh_buf_grow(b, n + 1);
    if (rc < 0) {
        lh_error_set("a revocation journal record of %zu bytes is too big", n);
        return rc;
    }
    if (json_dumpb(rec, b->ptr + b->len, n, JSON_COMPACT) != n) {
        return lh_error_oom();
    }
    b->len += n;
    b->ptr[b->len++] = '\n';
    b->ptr[b->len] = '\0';
    return 0;
}

int lh_spool_sync(struct lh_spool *sp)
{
    if (sp->read_only) {
        return 0;
    }
    if (sp->broken) {
        lh_error_set("the revocation journal '%s' failed an earlier write", sp->path);
        return LH_EIO;
    }
    if (fsync(sp->fd) != 0) {
        sp->broken = true;
        lh_error_set("cannot sync '%s': %s", sp->path, strerror(errno));
        return LH_EIO;
    }
    return 0;
}

/* Writes rec as one line (after a '\n' if a crash left a torn line) and applies it. */
static int append(struct lh_spool *sp, json_t *rec, bool sync)
{
    if (!rec) {
        return lh_error_oom();
    }
    struct lh_buf b;
    lh_buf_init(&b, LH_SPOOL_MAX_BODY * 8);
    int rc = 0;
    if (sp->broken) {
        lh_error_set("the revocation journal '%s' failed an earlier write", sp->path);
        rc = LH_EIO;
        goto out;
    }
    if (!sp->read_only && !sp->tail_clean) {
        rc = lh_buf_putc(&b, '\n');
    }
    if (rc == 0) {
        rc = lh_spool_dump_line(&b, rec);
    }
    if (rc < 0) {
        goto out;
    }
    if (!sp->read_only) {
        if (lh_fs_write_all(sp->fd, b.ptr, b.len) != 0) {
            sp->broken = true;
            lh_error_set("cannot append to '%s': %s", sp->path, strerror(errno));
            rc = LH_EIO;
            goto out;
        }
        sp->off += b.len;
        sp->tail_clean = true;
        if (sync) {
            rc = lh_spool_sync(sp);
            if (rc < 0) {
                goto out;
            }
        }
    }
    const char *why = NULL;
    rc = lh_spool_apply(sp, rec, &why);
    if (rc == 1) {
        lh_error_set("internal error: a new journal record was rejected (%s)", why);
        rc = LH_ERROR;
    } else if (rc == 0) {
        sp->records++;
    }
out:
    lh_buf_wipe(&b);
    lh_spool_record_free(rec);
    return rc;
}

int lh_spool_queue(struct lh_spool *sp, const struct lh_spool_entry *e, bool sync)
{
    if (e->body_len > LH_SPOOL_MAX_BODY) {
        lh_error_set("a revocation request body of %zu bytes is over the %u-byte limit",
                     e->body_len, LH_SPOOL_MAX_BODY);
        return LH_ETOOBIG;
    }
    json_t *rec = json_pack("{s:i,s:s,s:s,s:I,s:s,s:s,s:s*,s:s,s:I,s:s%}", "v", 1, "op", "queued",
                            "id", e->id, "ts", (json_int_t)e->queued_at, "key", e->key, "url",
                            e->url, "secret_env", e->secret_env, "rule_id", e->rule_id, "route",
                            (json_int_t)e->route, "body", e->body, e->body_len);
    return append(sp, rec, sync);
}

int lh_spool_lease(struct lh_spool *sp, const char *id, pid_t pid, int64_t until)
{
    json_t *rec =
        json_pack("{s:i,s:s,s:s,s:I,s:I,s:I}", "v", 1, "op", "lease", "id", id, "ts",
                  (json_int_t)lh_spool_now(), "pid", (json_int_t)pid, "until", (json_int_t)until);
    return append(sp, rec, true);
}

int lh_spool_defer(struct lh_spool *sp, const char *id, unsigned attempts, long status,
                   const char *error)
{
    struct lh_spool_entry *e = lh_spool_find(sp, id);
    LH_ASSERT(e != NULL);
    json_t *rec =
        json_pack("{s:i,s:s,s:s,s:I,s:I,s:I,s:s*}", "v", 1, "op", "deferred", "id", id, "ts",
                  (json_int_t)lh_spool_now(), "attempts", (json_int_t)(e->attempts + attempts),
                  "status", (json_int_t)status, "error", error);
    return append(sp, rec, true);
}

json_t *lh_spool_finish_record(const struct lh_spool_entry *e, const char *op, int64_t ts,
                               unsigned attempts, long status, const char *error)
{
    return json_pack("{s:i,s:s,s:s,s:I,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:s*}", "v", 1, "op", op, "id",
                     e->id, "ts", (json_int_t)ts, "key", e->key, "url", e->url, "rule_id",
                     e->rule_id, "route", (json_int_t)e->route, "queued_at",
                     (json_int_t)e->queued_at, "attempts", (json_int_t)attempts, "status",
                     (json_int_t)status, "error", error);
}

int lh_spool_finish(struct lh_spool *sp, const char *id, bool delivered, unsigned attempts,
                    long status, const char *error)
{
    struct lh_spool_entry *e = lh_spool_find(sp, id);
    LH_ASSERT(e != NULL);
    json_t *rec = lh_spool_finish_record(e, delivered ? "done" : "failed", lh_spool_now(),
                                         e->attempts + attempts, status, error);
    return append(sp, rec, true);
}

static bool pid_alive(pid_t pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

bool lh_spool_leased(const struct lh_spool_entry *e, int64_t now)
{
    if (e->inflight) {
        return true;
    }
    return e->lease_pid != 0 && e->lease_pid != getpid() && e->lease_until > now &&
           pid_alive(e->lease_pid);
}
