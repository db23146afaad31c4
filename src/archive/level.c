/* SPDX-License-Identifier: MIT */
/*
 * One open libarchive reader and the limits it reads under: the byte sources (file
 * descriptor, memory, the enclosing archive's member), where the time and the stream's
 * compression ratio are checked each time libarchive asks for input, and the member reads,
 * where the total size and the member's compression ratio are checked. A limit hit is warned
 * about once, where it is detected; later reads fail quietly so every level unwinds. See
 * internal.h.
 */
#include "archive/internal.h"
#include "util/clock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RATIO_FLOOR (1024u * 1024u) /* below this, any ratio is fine */
#define PATH_CAP (64u * 1024u)

void lh_archive_warnf(const struct lh_archive_root *r, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (!r->o->warn) {
        return;
    }
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* member names are the archive author's: no terminal control through them */
    for (char *p = msg; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            *p = '?';
        }
    }
    r->o->warn(msg, r->o->payload);
}

static void fmt_size(char out[32], uint64_t n)
{
    if (n >= (1u << 30) && n % (1u << 30) == 0) {
        snprintf(out, 32, "%lluG", (unsigned long long)(n >> 30));
    } else if (n >= (1u << 20) && n % (1u << 20) == 0) {
        snprintf(out, 32, "%lluM", (unsigned long long)(n >> 20));
    } else {
        snprintf(out, 32, "%llu bytes", (unsigned long long)n);
    }
}

static void stop_root(struct lh_archive_root *r, enum lh_archive_stop why)
{
    char sz[32];
    if (r->stop != STOP_NONE) {
        return;
    }
    r->stop = why;
    r->st->limited++;
    const char *at = r->path.len ? r->path.ptr : r->name;
    switch (why) {
    case STOP_SIZE:
        fmt_size(sz, r->o->limits.max_size);
        lh_archive_warnf(r,
                         "archive '%s': more than %s of uncompressed data (--max-archive-size), "
                         "stopped at '%s'; the rest of the archive was not scanned",
                         r->name, sz, at);
        break;
    case STOP_MEMBERS:
        lh_archive_warnf(r,
                         "archive '%s': more than %llu members (--max-archive-members), stopped "
                         "at '%s'; the rest of the archive was not scanned",
                         r->name, (unsigned long long)r->o->limits.max_members, at);
        break;
    case STOP_TIME:
        lh_archive_warnf(r,
                         "archive '%s': still reading after %g s (--max-archive-time), stopped "
                         "at '%s'; the rest of the archive was not scanned",
                         r->name, r->o->limits.max_seconds, at);
        break;
    default:
        break;
    }
}

static bool time_up(struct lh_archive_root *r)
{
    if (r->deadline > 0 && lh_clock_now() > r->deadline) {
        stop_root(r, STOP_TIME);
        return true;
    }
    return false;
}

/* Whole-stream ratio: only where a decompression filter sits under the format. */
static bool stream_ratio_hit(struct lh_archive_level *lv)
{
    unsigned ratio = lv->r->o->limits.max_ratio;
    if (!ratio || lv->s_abort || archive_filter_count(lv->a) < 2) {
        return lv->s_abort;
    }
    int64_t out = archive_filter_bytes(lv->a, 0);
    int64_t in = archive_filter_bytes(lv->a, -1);
    if (out > (int64_t)RATIO_FLOOR && (uint64_t)out / ratio > (uint64_t)(in > 0 ? in : 0)) {
        lv->s_abort = true;
        lv->r->st->limited++;
        if (lv->m_abort) {
            return true; /* its member's ratio was just reported */
        }
        lh_archive_warnf(lv->r,
                         "archive '%s' expands more than %u times its compressed size "
                         "(--max-archive-ratio); the rest of it was not scanned",
                         lv->name, ratio);
    }
    return lv->s_abort;
}

static la_ssize_t src_read(struct archive *a, void *p, const void **out)
{
    struct lh_archive_level *lv = p;
    if (lv->r->stop != STOP_NONE || time_up(lv->r) || stream_ratio_hit(lv) ||
        (lv->parent && (lv->parent->m_abort || lv->parent->s_abort))) {
        archive_set_error(a, ECANCELED, "stopped by a limit");
        return -1;
    }
    switch (lv->src) {
    case SRC_MEM: {
        size_t n = lv->mem_len - lv->mem_pos;
        n = n < LH_ARCHIVE_CHUNK ? n : LH_ARCHIVE_CHUNK;
        *out = lv->mem + lv->mem_pos;
        lv->mem_pos += n;
        return (la_ssize_t)n;
    }
    case SRC_FD: {
        ssize_t n;
        do {
            n = read(lv->fd, lv->chunk, LH_ARCHIVE_CHUNK);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            archive_set_error(a, errno, "read error: %s", strerror(errno));
            return -1;
        }
        *out = lv->chunk;
        return n;
    }
    case SRC_PARENT:
    default:
        if (lv->head_len) {
            size_t n = lv->head_len;
            *out = lv->head;
            lv->head_len = 0;
            return (la_ssize_t)n;
        }
        long n = lh_archive_level_read(lv->parent, lv->chunk, LH_ARCHIVE_CHUNK);
        if (n < 0) {
            archive_set_error(a, EIO, "the enclosing archive could not be read");
            return -1;
        }
        *out = lv->chunk;
        return n;
    }
}

static la_int64_t src_seek(struct archive *a, void *p, la_int64_t off, int whence)
{
    struct lh_archive_level *lv = p;
    (void)a;
    if (lv->src == SRC_FD) {
        off_t o = lseek(lv->fd, (off_t)off, whence);
        return o < 0 ? ARCHIVE_FATAL : (la_int64_t)o;
    }
    int64_t base = whence == SEEK_SET   ? 0
                   : whence == SEEK_CUR ? (int64_t)lv->mem_pos
                                        : (int64_t)lv->mem_len;
    if (off < -base || base + off > (int64_t)lv->mem_len) {
        return ARCHIVE_FATAL;
    }
    lv->mem_pos = (size_t)(base + off);
    return (la_int64_t)lv->mem_pos;
}

static la_int64_t src_skip(struct archive *a, void *p, la_int64_t req)
{
    struct lh_archive_level *lv = p;
    (void)a;
    if (req <= 0) {
        return 0;
    }
    if (lv->src == SRC_FD) {
        off_t cur = lseek(lv->fd, 0, SEEK_CUR);
        if (cur < 0 || lseek(lv->fd, (off_t)req, SEEK_CUR) < 0) {
            return 0; /* not seekable: libarchive reads instead */
        }
        return req;
    }
    size_t left = lv->mem_len - lv->mem_pos;
    size_t n = (uint64_t)req < left ? (size_t)req : left;
    lv->mem_pos += n;
    return (la_int64_t)n;
}

int lh_archive_root_init(struct lh_archive_root *r, const struct lh_archive_opts *o,
                         struct lh_archive_stats *st, struct lh_archive_stats *own,
                         const char *name)
{
    memset(r, 0, sizeof(*r));
    r->o = o;
    r->st = st ? st : own;
    r->name = name;
    if (o->limits.max_seconds > 0) {
        r->deadline = lh_clock_now() + o->limits.max_seconds;
    }
    size_t cap =
        o->limits.max_member_size ? o->limits.max_member_size : LH_ARCHIVE_DEFAULT_MEMBER_SIZE;
    lh_buf_init(&r->leaf, cap);
    lh_buf_init(&r->path, PATH_CAP);
    return lh_libarchive_load();
}

void lh_archive_root_finish(struct lh_archive_root *r)
{
    if (r->deeper > 1) {
        lh_archive_warnf(r,
                         "archive '%s': %llu more archives nested deeper than "
                         "--max-archive-depth %u were not opened",
                         r->name, (unsigned long long)r->deeper - 1, r->o->limits.max_depth);
    }
    if (r->large > 1 || r->ratio > 1) {
        lh_archive_warnf(
            r,
            "archive '%s': %llu more members cut by --max-archive-member-size or "
            "--max-archive-ratio",
            r->name,
            (unsigned long long)(r->large + r->ratio - (r->large ? 1 : 0) - (r->ratio ? 1 : 0)));
    }
    if (r->unsafe > 1) {
        lh_archive_warnf(r,
                         "archive '%s': %llu more members with absolute or '..' names "
                         "(names only: nothing is extracted)",
                         r->name, (unsigned long long)r->unsafe - 1);
    }
    if (r->encrypted) {
        lh_archive_warnf(r, "archive '%s': %llu encrypted members not scanned", r->name,
                         (unsigned long long)r->encrypted);
    }
    lh_buf_wipe(&r->leaf);
    lh_buf_dispose(&r->path);
}

static int support(struct archive *a, enum lh_archive_kind kind, bool by_name)
{
    /* built into Debian's libarchive; ARCHIVE_WARN would mean an external program */
    int (*const filters[])(struct archive *) = {
        archive_read_support_filter_gzip,     archive_read_support_filter_bzip2,
        archive_read_support_filter_xz,       archive_read_support_filter_lzma,
        archive_read_support_filter_zstd,     archive_read_support_filter_lz4,
        archive_read_support_filter_compress, archive_read_support_filter_lzip,
    };
    for (size_t i = 0; !by_name && i < sizeof(filters) / sizeof(filters[0]); i++) {
        if (filters[i](a) != ARCHIVE_OK) {
            return -1;
        }
    }
    int rc = ARCHIVE_OK;
    switch (kind) {
    case LH_ARCHIVE_ZIP:
        rc = archive_read_support_format_zip(a);
        break;
    case LH_ARCHIVE_7Z:
        rc = archive_read_support_format_7zip(a);
        break;
    case LH_ARCHIVE_RAR:
        rc = archive_read_support_format_rar(a);
        if (rc == ARCHIVE_OK) {
            rc = archive_read_support_format_rar5(a);
        }
        break;
    case LH_ARCHIVE_AR:
        rc = archive_read_support_format_ar(a);
        break;
    case LH_ARCHIVE_COMPRESSED:
        /* a compressed tar, zip or ar, else one compressed file (raw) */
        rc = archive_read_support_format_zip(a);
        if (rc == ARCHIVE_OK) {
            rc = archive_read_support_format_ar(a);
        }
        if (rc == ARCHIVE_OK) {
            rc = archive_read_support_format_raw(a);
        }
        /* fall through */
    case LH_ARCHIVE_TAR:
    default:
        if (rc == ARCHIVE_OK) {
            rc = archive_read_support_format_tar(a);
        }
        break;
    }
    return rc == ARCHIVE_OK ? 0 : -1;
}

int lh_archive_level_open(struct lh_archive_level *lv)
{
    lv->a = archive_read_new();
    if (lv->src != SRC_MEM) {
        lv->chunk = malloc(LH_ARCHIVE_CHUNK);
    }
    if (!lv->a || (lv->src != SRC_MEM && !lv->chunk)) {
        return lh_error_oom();
    }
    if (support(lv->a, lv->kind, lv->by_name) < 0) {
        lh_error_set("cannot read '%s': libarchive lacks a built-in decoder", lv->name);
        return LH_EIO;
    }
    archive_read_set_callback_data(lv->a, lv);
    archive_read_set_read_callback(lv->a, src_read);
    if (lv->src != SRC_PARENT) {
        archive_read_set_seek_callback(lv->a, src_seek);
        archive_read_set_skip_callback(lv->a, src_skip);
    }
    if (archive_read_open1(lv->a) != ARCHIVE_OK) {
        const char *e = archive_error_string(lv->a);
        lh_error_set("cannot read archive '%s': %s", lv->name, e ? e : "unknown error");
        return LH_EIO;
    }
    lv->r->st->archives++;
    return 0;
}

void lh_archive_level_close(struct lh_archive_level *lv)
{
    if (lv->a) {
        archive_read_free(lv->a);
        lv->a = NULL;
    }
    free(lv->chunk);
    lv->chunk = NULL;
}

/* The warning for a libarchive failure, unless a limit caused it (already warned about). */
static void broken(struct lh_archive_level *lv)
{
    struct lh_archive_root *r = lv->r;
    if (lv->broken || r->stop != STOP_NONE || lv->s_abort || lv->m_abort ||
        (lv->by_name && lv->nmembers == 0) ||
        (lv->parent && (lv->parent->broken || lv->parent->m_abort || lv->parent->s_abort ||
                        lv->parent->r->stop != STOP_NONE))) {
        lv->broken = true;
        return;
    }
    lv->broken = true;
    const char *e = archive_error_string(lv->a);
    lh_archive_warnf(r,
                     "cannot read archive '%s' after %llu members (corrupt or truncated): %s; "
                     "the rest of it was not scanned",
                     lv->name, (unsigned long long)lv->nmembers, e ? e : "unknown error");
}

long lh_archive_level_read(struct lh_archive_level *lv, void *buf, size_t n)
{
    struct lh_archive_root *r = lv->r;
    const struct lh_archive_limits *lim = &r->o->limits;
    if (r->stop != STOP_NONE || lv->m_abort || lv->s_abort || lv->broken) {
        return -1;
    }
    la_ssize_t got = archive_read_data(lv->a, buf, n);
    if (got < 0) {
        broken(lv);
        return -1;
    }
    r->total += (uint64_t)got;
    lv->m_out += (uint64_t)got;
    if (lim->max_size && r->total > lim->max_size) {
        stop_root(r, STOP_SIZE);
    } else if (got > 0) {
        time_up(r);
    }
    if (lim->max_ratio && lv->m_out > RATIO_FLOOR) {
        int64_t in = archive_filter_bytes(lv->a, -1) - lv->m_in0;
        if (lv->m_out / lim->max_ratio > (uint64_t)(in > 0 ? in : 0)) {
            lv->m_abort = true;
            if (r->ratio++ == 0) {
                lh_archive_warnf(r,
                                 "'%.*s' expands more than %u times its compressed size "
                                 "(--max-archive-ratio); the rest of it was not scanned",
                                 (int)lv->member_len, r->path.ptr, lim->max_ratio);
            }
            r->st->limited++;
        }
    }
    return (long)got;
}

static bool unsafe_name(const char *n)
{
    if (n[0] == '/' || n[0] == '\\' || (n[0] && n[1] == ':')) {
        return true;
    }
    for (const char *p = n; (p = strstr(p, "..")) != NULL; p += 2) {
        bool start = p == n || p[-1] == '/' || p[-1] == '\\';
        bool end = p[2] == '\0' || p[2] == '/' || p[2] == '\\';
        if (start && end) {
            return true;
        }
    }
    return false;
}

int lh_archive_level_next(struct lh_archive_level *lv, struct archive_entry **e, const char **name)
{
    struct lh_archive_root *r = lv->r;
    const struct lh_archive_limits *lim = &r->o->limits;
    for (int retries = 0;;) {
        if (r->stop != STOP_NONE || lv->broken || lv->s_abort ||
            (lv->parent && lv->parent->m_abort)) {
            return 0;
        }
        int rc = archive_read_next_header(lv->a, e);
        if (rc == ARCHIVE_EOF) {
            return 0;
        }
        if (rc == ARCHIVE_RETRY && ++retries < 8) {
            continue;
        }
        if (rc < ARCHIVE_WARN) {
            broken(lv);
            return 0;
        }
        break;
    }
    lv->nmembers++;
    if (lim->max_members && ++r->members > lim->max_members) {
        stop_root(r, STOP_MEMBERS);
        return 0;
    }
    const char *n = archive_entry_pathname(*e);
    if (!n) {
        n = archive_entry_pathname_utf8(*e);
    }
    if (!n || !*n) {
        n = "?";
    }
    while (n[0] == '.' && n[1] == '/' && n[2]) {
        n += 2;
    }
    if (archive_format(lv->a) == ARCHIVE_FORMAT_RAW) {
        const char *slash = strrchr(lv->name, '/');
        n = slash ? slash + 1 : lv->name;
    }
    *name = n;
    lv->m_out = 0;
    lv->m_abort = false;
    lv->m_in0 = archive_filter_bytes(lv->a, -1);
    r->path.len = lv->prefix_len;
    if (lh_buf_puts(&r->path, n) < 0) {
        r->path.len = lv->prefix_len;
        lh_error_clear();
        if (lh_buf_puts(&r->path, "?") < 0) {
            return 0;
        }
    }
    if (archive_format(lv->a) == ARCHIVE_FORMAT_RAW) {
        /* "app.log.gz!/app.log": the compression suffix goes */
        char *dot = strrchr(r->path.ptr + lv->prefix_len, '.');
        if (dot && dot != r->path.ptr + lv->prefix_len) {
            r->path.len = (size_t)(dot - r->path.ptr);
            r->path.ptr[r->path.len] = '\0';
        }
    }
    lv->member_len = r->path.len;
    if (archive_entry_filetype(*e) == AE_IFREG && unsafe_name(n) && r->unsafe++ == 0) {
        lh_archive_warnf(r,
                         "archive '%s' has a member named '%s' (absolute or with '..'): "
                         "scanned as a name only, nothing is extracted",
                         lv->name, n);
    }
    return 1;
}
