/* SPDX-License-Identifier: MIT */
/*
 * The revocation journal; see spool.h for the guarantees. Records are JSON objects, one per
 * line, each with "v" (1), "op", "id" and "ts"; replay applies them in order to a small table
 * searched linearly (one entry per route and unique token: hundreds, not millions). The
 * `attempts` field of deferred/done/failed records is cumulative, so a compacted snapshot and
 * the original history replay to the same table. Buffers that held request bodies are wiped,
 * including the strings inside jansson objects just before they are released (jansson's own
 * transient parser buffers are outside our reach).
 */
#include "notify/spool.h"

#include "util/buf.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
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
#define MAX_FIELD 4096

struct lh_spool {
    pthread_mutex_t mu;
    char *dir;
    char *path;
    char *lock_path;
    int fd;      /* journal; -1 when read-only and absent */
    int lock_fd; /* -1 when read-only and absent */
    bool read_only;
    bool broken; /* a write or fsync failed: refuse further writes */
    dev_t dev;
    ino_t ino;
    size_t off;      /* journal bytes applied */
    bool tail_clean; /* the journal ends with '\n' (or is empty) */
    size_t lines;    /* lines seen, for messages */
    size_t records;  /* records applied from the current file */
    size_t corrupt;  /* lines skipped in the current file */
    struct lh_spool_entry *items;
    size_t count;
    size_t alloc;
    size_t *index; /* id hash table: 1 + position in items, 0 = empty; nindex is a power of 2 */
    size_t nindex;
    lh_spool_warn_fn warn;
    void *payload;
};

static void warnf(struct lh_spool *sp, const char *fmt, ...) LH_PRINTF(2, 3);

static void warnf(struct lh_spool *sp, const char *fmt, ...)
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

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static void drop_body(struct lh_spool_entry *e)
{
    if (e->body) {
        OPENSSL_cleanse(e->body, e->body_len);
        free(e->body);
    }
    e->body = NULL;
    e->body_len = 0;
}

static void entry_dispose(struct lh_spool_entry *e)
{
    drop_body(e);
    free(e->url);
    free(e->secret_env);
    free(e->rule_id);
    free(e->last_error);
    memset(e, 0, sizeof(*e));
}

static void table_clear(struct lh_spool *sp)
{
    for (size_t i = 0; i < sp->count; i++) {
        entry_dispose(&sp->items[i]);
    }
    sp->count = 0;
    if (sp->index) {
        memset(sp->index, 0, sp->nindex * sizeof(*sp->index));
    }
}

/*
 * Hardening (issue #9): lh_spool_find was a linear search, so replaying or filling a journal
 * of n entries cost O(n^2): 50,000 entries took 3.7 s to open and the 64 MiB cap allows
 * ~300,000 (minutes per open, and per scan --revoke of a repository full of tokens). Ids
 * are looked up through this open-addressing table instead; entries are only ever appended
 * or all cleared, so it needs no deletion.
 */
static size_t id_hash(const char *id)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *id; id++) {
        h = (h ^ (uint8_t)*id) * 1099511628211ull;
    }
    return (size_t)h;
}

static void index_put(struct lh_spool *sp, size_t pos)
{
    size_t mask = sp->nindex - 1;
    size_t i = id_hash(sp->items[pos].id) & mask;
    while (sp->index[i]) {
        i = (i + 1) & mask;
    }
    sp->index[i] = pos + 1;
}

/* Makes room for one more entry in the index (load factor at most 1/2). */
static int index_reserve(struct lh_spool *sp)
{
    if ((sp->count + 1) * 2 <= sp->nindex) {
        return 0;
    }
    size_t n = sp->nindex ? sp->nindex * 2 : 64;
    size_t *index = calloc(n, sizeof(*index));
    if (!index) {
        return lh_error_oom();
    }
    free(sp->index);
    sp->index = index;
    sp->nindex = n;
    for (size_t i = 0; i < sp->count; i++) {
        index_put(sp, i);
    }
    return 0;
}

/* Wipes a jansson string member before the object is released (it may hold a token). */
static void wipe_member(json_t *obj, const char *key)
{
    json_t *s = json_object_get(obj, key);
    if (json_is_string(s) && json_string_length(s) > 0) {
        OPENSSL_cleanse((char *)json_string_value(s), json_string_length(s));
    }
}

static void record_free(json_t *rec)
{
    if (rec) {
        wipe_member(rec, "body");
        json_decref(rec);
    }
}

size_t lh_spool_count(const struct lh_spool *sp)
{
    return sp->count;
}

struct lh_spool_entry *lh_spool_at(struct lh_spool *sp, size_t i)
{
    LH_ASSERT(i < sp->count);
    return &sp->items[i];
}

struct lh_spool_entry *lh_spool_find(struct lh_spool *sp, const char *id)
{
    if (sp->nindex == 0) {
        return NULL;
    }
    size_t mask = sp->nindex - 1;
    for (size_t i = id_hash(id) & mask; sp->index[i]; i = (i + 1) & mask) {
        struct lh_spool_entry *e = &sp->items[sp->index[i] - 1];
        if (!strcmp(e->id, id)) {
            return e;
        }
    }
    return NULL;
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

static bool is_hex(const char *s, size_t n)
{
    if (!s || strlen(s) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

static int entry_add(struct lh_spool_entry **out, struct lh_spool *sp, const char *id)
{
    if (sp->count == sp->alloc) {
        size_t n = sp->alloc ? sp->alloc * 2 : 16;
        struct lh_spool_entry *items = realloc(sp->items, n * sizeof(*items));
        if (!items) {
            return lh_error_oom();
        }
        sp->items = items;
        sp->alloc = n;
    }
    int rc = index_reserve(sp);
    if (rc < 0) {
        return rc;
    }
    struct lh_spool_entry *e = &sp->items[sp->count++];
    memset(e, 0, sizeof(*e));
    memcpy(e->id, id, LH_SPOOL_ID_LEN + 1);
    index_put(sp, sp->count - 1);
    *out = e;
    return 0;
}

static int set_str(char **dst, const char *src)
{
    char *c = NULL;
    if (src) {
        c = strdup(src);
        if (!c) {
            return lh_error_oom();
        }
    }
    free(*dst);
    *dst = c;
    return 0;
}

static const char *str_field(json_t *rec, const char *key)
{
    const char *s = json_string_value(json_object_get(rec, key));
    return s && strlen(s) <= MAX_FIELD ? s : NULL;
}

static int64_t int_field(json_t *rec, const char *key, int64_t dflt)
{
    json_t *v = json_object_get(rec, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/* Fields every identity-carrying record has (queued, done, failed). */
static int set_identity(struct lh_spool_entry *e, json_t *rec)
{
    const char *key = str_field(rec, "key");
    const char *url = str_field(rec, "url");
    const char *rule = str_field(rec, "rule_id");
    memcpy(e->key, key, LH_SHA256_HEX_LEN + 1);
    int64_t route = int_field(rec, "route", 0);
    e->route = route < 0 ? 0 : (size_t)route;
    int rc = set_str(&e->url, url);
    if (rc == 0) {
        rc = set_str(&e->rule_id, rule);
    }
    return rc;
}

static bool has_identity(json_t *rec)
{
    return is_hex(str_field(rec, "key"), LH_SHA256_HEX_LEN) && str_field(rec, "url") &&
           str_field(rec, "rule_id");
}

static void set_outcome(struct lh_spool_entry *e, json_t *rec, int64_t ts)
{
    int64_t a = int_field(rec, "attempts", e->attempts);
    e->attempts = a < 0 ? 0 : a > 1000000 ? 1000000u : (unsigned)a;
    e->last_status = (long)int_field(rec, "status", 0);
    const char *err = str_field(rec, "error");
    if (set_str(&e->last_error, err) < 0) {
        e->last_error = NULL; /* the message is informational; keep the state */
    }
    e->lease_pid = 0;
    e->lease_until = 0;
    e->updated_at = ts;
}

/*
 * Applies one parsed record. Returns 0, 1 when the record is not usable (*why says why; the
 * caller warns and skips it) or LH_ENOMEM.
 */
static int apply(struct lh_spool *sp, json_t *rec, const char **why)
{
    const char *op = str_field(rec, "op");
    const char *id = str_field(rec, "id");
    int64_t ts = int_field(rec, "ts", 0);
    if (!json_is_object(rec) || int_field(rec, "v", 0) != 1 || !op ||
        !is_hex(id, LH_SPOOL_ID_LEN)) {
        *why = "not a version 1 journal record";
        return 1;
    }
    struct lh_spool_entry *e = lh_spool_find(sp, id);
    int rc = 0;
    if (!strcmp(op, "queued")) {
        json_t *body = json_object_get(rec, "body");
        if (!has_identity(rec) || !json_is_string(body) ||
            json_string_length(body) > LH_SPOOL_MAX_BODY) {
            *why = "queued record without key, url, rule_id or body";
            return 1;
        }
        if (e && e->state == LH_SPOOL_PENDING && e->body) {
            return 0; /* already pending: the first body stands */
        }
        if (!e) {
            rc = entry_add(&e, sp, id);
            if (rc < 0) {
                return rc;
            }
        }
        rc = set_identity(e, rec);
        if (rc == 0) {
            rc = set_str(&e->secret_env, str_field(rec, "secret_env"));
        }
        if (rc < 0) {
            return rc;
        }
        drop_body(e);
        size_t n = json_string_length(body);
        e->body = malloc(n + 1);
        if (!e->body) {
            return lh_error_oom();
        }
        memcpy(e->body, json_string_value(body), n);
        e->body[n] = '\0';
        e->body_len = n;
        e->body_on_disk = true;
        e->state = LH_SPOOL_PENDING;
        e->attempts = 0;
        e->last_status = 0;
        free(e->last_error);
        e->last_error = NULL;
        e->lease_pid = 0;
        e->lease_until = 0;
        e->queued_at = ts;
        e->updated_at = ts;
        return 0;
    }
    if (!strcmp(op, "lease")) {
        if (!e || e->state != LH_SPOOL_PENDING) {
            *why = "lease for an entry that is not pending";
            return 1;
        }
        e->lease_pid = (pid_t)int_field(rec, "pid", 0);
        e->lease_until = int_field(rec, "until", 0);
        return 0;
    }
    if (!strcmp(op, "deferred")) {
        if (!e || e->state != LH_SPOOL_PENDING) {
            *why = "deferred record for an entry that is not pending";
            return 1;
        }
        set_outcome(e, rec, ts);
        return 0;
    }
    if (!strcmp(op, "done") || !strcmp(op, "failed")) {
        if (!has_identity(rec)) {
            *why = "done/failed record without key, url or rule_id";
            return 1;
        }
        if (!e) {
            rc = entry_add(&e, sp, id);
            if (rc == 0) {
                rc = set_identity(e, rec);
            }
            if (rc < 0) {
                return rc;
            }
            e->queued_at = int_field(rec, "queued_at", ts);
        }
        e->state = !strcmp(op, "done") ? LH_SPOOL_DONE : LH_SPOOL_FAILED;
        drop_body(e);
        set_outcome(e, rec, ts);
        return 0;
    }
    *why = "unknown record type";
    return 1;
}

/* Applies one line (without its '\n'); warns about and skips unusable ones. */
static int apply_line(struct lh_spool *sp, const char *line, size_t len, bool last)
{
    sp->lines++;
    if (len == 0) {
        return 0;
    }
    json_error_t je;
    json_t *rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    const char *why = "not valid JSON";
    int rc = rec ? apply(sp, rec, &why) : 1;
    record_free(rec);
    if (rc == 1) {
        sp->corrupt++;
        if (last) {
            warnf(sp,
                  "ignoring an incomplete last record in '%s' (line %zu: an interrupted "
                  "write); earlier records are intact",
                  sp->path, sp->lines);
        } else {
            warnf(sp, "ignoring a corrupt record in '%s' at line %zu (%s)", sp->path, sp->lines,
                  why);
        }
        return 0;
    }
    if (rc == 0) {
        sp->records++;
    }
    return rc;
}

/* Applies buf[len] (journal bytes from sp->off on). */
static int apply_bytes(struct lh_spool *sp, const char *buf, size_t len)
{
    const char *p = buf;
    const char *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            /*
             * No writer holds the lock, so bytes after the last newline are what a crash
             * left; a complete record there (only its newline missing) still counts.
             */
            int rc = apply_line(sp, p, (size_t)(end - p), true);
            sp->off += (size_t)(end - p);
            sp->tail_clean = false;
            return rc;
        }
        int rc = apply_line(sp, p, (size_t)(nl - p), false);
        if (rc < 0) {
            return rc;
        }
        sp->off += (size_t)(nl - p) + 1;
        sp->tail_clean = true;
        p = nl + 1;
    }
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
        rc = apply_bytes(sp, b.ptr, got);
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
    table_clear(sp);
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

static int fsync_dir(const char *dir)
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
static int open_journal(struct lh_spool *sp)
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
    return created ? fsync_dir(sp->dir) : 0;
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
        int rc = open_journal(sp);
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
        int rc = open_journal(sp);
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
            warnf(sp,
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
    table_clear(sp);
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

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Serialises rec as one line into b (appended). */
static int dump_line(struct lh_buf *b, json_t *rec)
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
        rc = dump_line(&b, rec);
    }
    if (rc < 0) {
        goto out;
    }
    if (!sp->read_only) {
        if (write_all(sp->fd, b.ptr, b.len) != 0) {
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
    rc = apply(sp, rec, &why);
    if (rc == 1) {
        lh_error_set("internal error: a new journal record was rejected (%s)", why);
        rc = LH_ERROR;
    } else if (rc == 0) {
        sp->records++;
    }
out:
    lh_buf_wipe(&b);
    record_free(rec);
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
                  (json_int_t)now_s(), "pid", (json_int_t)pid, "until", (json_int_t)until);
    return append(sp, rec, true);
}

int lh_spool_defer(struct lh_spool *sp, const char *id, unsigned attempts, long status,
                   const char *error)
{
    struct lh_spool_entry *e = lh_spool_find(sp, id);
    LH_ASSERT(e != NULL);
    json_t *rec =
        json_pack("{s:i,s:s,s:s,s:I,s:I,s:I,s:s*}", "v", 1, "op", "deferred", "id", id, "ts",
                  (json_int_t)now_s(), "attempts", (json_int_t)(e->attempts + attempts), "status",
                  (json_int_t)status, "error", error);
    return append(sp, rec, true);
}

static json_t *finish_record(const struct lh_spool_entry *e, const char *op, int64_t ts,
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
    json_t *rec = finish_record(e, delivered ? "done" : "failed", now_s(), e->attempts + attempts,
                                status, error);
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

bool lh_spool_should_compact(const struct lh_spool *sp)
{
    if (sp->read_only || sp->broken) {
        return false;
    }
    if (sp->corrupt > 0 || sp->records > 2 * sp->count + 64) {
        return true;
    }
    for (size_t i = 0; i < sp->count; i++) {
        if (sp->items[i].state != LH_SPOOL_PENDING && sp->items[i].body_on_disk) {
            return true;
        }
    }
    return false;
}

/* One entry as the records that replay to it. */
static int snapshot(struct lh_buf *b, const struct lh_spool_entry *e, int64_t now)
{
    if (e->state != LH_SPOOL_PENDING) {
        json_t *rec = finish_record(e, e->state == LH_SPOOL_DONE ? "done" : "failed", e->updated_at,
                                    e->attempts, e->last_status, e->last_error);
        int rc = rec ? dump_line(b, rec) : lh_error_oom();
        json_decref(rec);
        return rc;
    }
    json_t *q =
        json_pack("{s:i,s:s,s:s,s:I,s:s,s:s,s:s*,s:s,s:I,s:s%}", "v", 1, "op", "queued", "id",
                  e->id, "ts", (json_int_t)e->queued_at, "key", e->key, "url", e->url, "secret_env",
                  e->secret_env, "rule_id", e->rule_id, "route", (json_int_t)e->route, "body",
                  e->body ? e->body : "{}", e->body ? e->body_len : (size_t)2);
    int rc = q ? dump_line(b, q) : lh_error_oom();
    record_free(q);
    if (rc == 0 && (e->attempts || e->last_error)) {
        json_t *d =
            json_pack("{s:i,s:s,s:s,s:I,s:I,s:I,s:s*}", "v", 1, "op", "deferred", "id", e->id, "ts",
                      (json_int_t)e->updated_at, "attempts", (json_int_t)e->attempts, "status",
                      (json_int_t)e->last_status, "error", e->last_error);
        rc = d ? dump_line(b, d) : lh_error_oom();
        json_decref(d);
    }
    if (rc == 0 && lh_spool_leased(e, now)) {
        json_t *l =
            json_pack("{s:i,s:s,s:s,s:I,s:I,s:I}", "v", 1, "op", "lease", "id", e->id, "ts",
                      (json_int_t)now, "pid", (json_int_t)(e->inflight ? getpid() : e->lease_pid),
                      "until", (json_int_t)e->lease_until);
        rc = l ? dump_line(b, l) : lh_error_oom();
        json_decref(l);
    }
    return rc;
}

int lh_spool_compact(struct lh_spool *sp)
{
    if (sp->read_only) {
        return 0;
    }
    struct lh_buf b;
    lh_buf_init(&b, LH_SPOOL_MAX_BYTES);
    char *tmp = NULL;
    int fd = -1;
    int64_t now = now_s();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sp->count; i++) {
        rc = snapshot(&b, &sp->items[i], now);
    }
    if (rc < 0) {
        goto out;
    }
    tmp = lh_path_join(sp->dir, LH_SPOOL_JOURNAL ".tmp");
    if (!tmp) {
        rc = lh_error_oom();
        goto out;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || write_all(fd, b.ptr ? b.ptr : "", b.len) != 0 || fsync(fd) != 0) {
        lh_error_set("cannot write '%s': %s", tmp, strerror(errno));
        rc = LH_EIO;
        goto out;
    }
    close(fd);
    fd = -1;
    if (rename(tmp, sp->path) != 0) {
        lh_error_set("cannot replace '%s': %s", sp->path, strerror(errno));
        rc = LH_EIO;
        goto out;
    }
    rc = fsync_dir(sp->dir);
    if (rc == 0) {
        rc = open_journal(sp);
    }
    struct stat st;
    if (rc == 0 && fstat(sp->fd, &st) != 0) {
        lh_error_set("cannot stat '%s': %s", sp->path, strerror(errno));
        rc = LH_EIO;
    }
    if (rc < 0) {
        sp->broken = true;
        goto out;
    }
    sp->dev = st.st_dev;
    sp->ino = st.st_ino;
    sp->off = (size_t)st.st_size;
    sp->tail_clean = true;
    sp->corrupt = 0;
    sp->records = 0;
    for (size_t i = 0; i < sp->count; i++) {
        struct lh_spool_entry *e = &sp->items[i];
        e->body_on_disk = e->state == LH_SPOOL_PENDING;
        sp->records += e->state == LH_SPOOL_PENDING ? 1u + (e->attempts || e->last_error) : 1u;
    }
out:
    if (fd >= 0) {
        close(fd);
    }
    if (rc < 0 && tmp) {
        unlink(tmp);
    }
    free(tmp);
    lh_buf_wipe(&b);
    return rc;
}
