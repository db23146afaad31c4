/* SPDX-License-Identifier: MIT */
/*
 * The recursive walk over an archive's members (see archive.h): each regular member's first
 * bytes decide whether it is an archive to open one level deeper (streamed from this level,
 * or for zip and 7z read whole into a buffer of at most --max-archive-member-size, since
 * they need to seek) or a file to hand over, read into the root's leaf buffer up to
 * --max-archive-member-size.
 */
#include "archive/internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BINARY_PROBE 8000 /* as git decides, and engine/scan.c */

static uint64_t member_cap(const struct lh_archive_root *r)
{
    return r->o->limits.max_member_size ? r->o->limits.max_member_size
                                        : LH_ARCHIVE_DEFAULT_MEMBER_SIZE;
}

/*
 * Reads the rest of the current member into b (which holds its first bytes) up to the
 * member cap. Returns 1 when the member is longer than that (the rest is not read), 0
 * at its end or when a limit or error cut it (warned), LH_ENOMEM. stop_binary: give up as
 * soon as a NUL byte shows in the first BINARY_PROBE bytes (returns 2).
 */
static int read_rest(struct lh_archive_level *lv, struct lh_buf *b, bool stop_binary)
{
    uint64_t cap = member_cap(lv->r);
    for (;;) {
        if (stop_binary && memchr(b->ptr, 0, b->len < BINARY_PROBE ? b->len : BINARY_PROBE)) {
            return 2;
        }
        if (b->len >= cap) {
            char one;
            return lh_archive_level_read(lv, &one, 1) > 0 ? 1 : 0;
        }
        size_t want = LH_ARCHIVE_CHUNK;
        if (want > cap - b->len) {
            want = (size_t)(cap - b->len);
        }
        int rc = lh_buf_grow(b, want);
        if (rc < 0) {
            return rc == LH_ETOOBIG ? 1 : rc;
        }
        long n = lh_archive_level_read(lv, b->ptr + b->len, want);
        if (n <= 0) {
            return 0;
        }
        b->len += (size_t)n;
        b->ptr[b->len] = '\0';
    }
}

static int hand_over(struct lh_archive_level *lv, const char *name, const uint8_t *data, size_t len)
{
    struct lh_archive_root *r = lv->r;
    if (!r->o->scan_binary && memchr(data, 0, len < BINARY_PROBE ? len : BINARY_PROBE)) {
        r->st->skipped_binary++;
        return 0;
    }
    struct lh_archive_member m = {
        .path = r->path.ptr,
        .name = name,
        .data = len ? data : (const uint8_t *)"",
        .len = len,
        .depth = lv->depth,
    };
    r->st->members++;
    r->st->bytes += len;
    return r->o->on_member(&m, r->o->payload);
}

static void too_large(struct lh_archive_level *lv, size_t scanned)
{
    struct lh_archive_root *r = lv->r;
    r->st->limited++;
    if (r->large++ == 0) {
        lh_archive_warnf(r,
                         "'%s' is larger than --max-archive-member-size (%llu bytes): only its "
                         "first %zu bytes were scanned",
                         r->path.ptr, (unsigned long long)member_cap(r), scanned);
    }
}

/* A regular member that is not opened as an archive; its first hn bytes are in head. */
static int leaf(struct lh_archive_level *lv, const char *name, const uint8_t *head, size_t hn)
{
    struct lh_archive_root *r = lv->r;
    lh_buf_clear(&r->leaf);
    int rc = lh_buf_put(&r->leaf, head, hn);
    if (rc == 0) {
        rc = read_rest(lv, &r->leaf, !r->o->scan_binary);
    }
    if (rc == 2) {
        r->st->skipped_binary++;
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    if (rc == 1) {
        too_large(lv, r->leaf.len);
    }
    return hand_over(lv, name, (const uint8_t *)(r->leaf.ptr ? r->leaf.ptr : ""), r->leaf.len);
}

/* Opens the current member of lv as an archive of `kind` one level deeper and walks it. */
static int nested(struct lh_archive_level *lv, struct archive_entry *e, const char *name,
                  enum lh_archive_kind kind, bool by_name, const uint8_t *head, size_t hn)
{
    struct lh_archive_root *r = lv->r;
    struct lh_archive_level child = {
        .r = r, .depth = lv->depth + 1, .kind = kind, .by_name = by_name, .fd = -1};
    struct lh_buf whole;
    size_t back = r->path.len;
    int rc = 0;
    lh_buf_init(&whole, (size_t)member_cap(r));
    child.name = strdup(r->path.ptr);
    if (!child.name) {
        return lh_error_oom();
    }
    if (kind == LH_ARCHIVE_ZIP || kind == LH_ARCHIVE_7Z) {
        /* seekable formats: the whole member in memory, when it fits */
        bool fits =
            !archive_entry_size_is_set(e) || (uint64_t)archive_entry_size(e) <= member_cap(r);
        rc = fits ? lh_buf_put(&whole, head, hn) : 0;
        if (rc == 0 && fits) {
            rc = read_rest(lv, &whole, false);
        }
        if (rc < 0) {
            goto out;
        }
        if (!fits || rc == 1) {
            if (kind == LH_ARCHIVE_ZIP && !by_name && !fits) {
                goto stream; /* the streaming zip reader reads local headers */
            }
            too_large(lv, 0);
            rc = 0;
            goto out;
        }
        child.src = SRC_MEM;
        child.mem = (const uint8_t *)(whole.ptr ? whole.ptr : "");
        child.mem_len = whole.len;
    } else {
    stream:
        child.src = SRC_PARENT;
        child.parent = lv;
        child.head = head;
        child.head_len = hn;
    }
    rc = lh_buf_puts(&r->path, "!/");
    if (rc < 0) {
        lh_error_clear();
        rc = 0;
        goto out;
    }
    child.prefix_len = r->path.len;
    rc = lh_archive_level_open(&child);
    if (rc == 0) {
        rc = lh_archive_level_walk(&child);
    } else if (rc == LH_EIO) {
        rc = by_name ? LH_ARCHIVE_NOT_ARCHIVE : 0;
        /* a limit that stopped the read was warned about where it was hit */
        if (!by_name && r->stop == STOP_NONE && !lv->m_abort && !lv->s_abort) {
            lh_archive_warnf(r, "%s; not scanned", lh_error_get());
        }
    }
    if (rc == LH_ARCHIVE_NOT_ARCHIVE) {
        /* a zip-named member that is no zip: an ordinary file after all */
        r->path.len = back;
        r->path.ptr[back] = '\0';
        rc = child.src == SRC_MEM ? hand_over(lv, name, child.mem, child.mem_len) : 0;
    }
out:
    lh_archive_level_close(&child);
    free(child.name);
    lh_buf_wipe(&whole);
    return rc;
}

static int member(struct lh_archive_level *lv, struct archive_entry *e, const char *name)
{
    struct lh_archive_root *r = lv->r;
    uint8_t head[LH_ARCHIVE_SNIFF_LEN];
    size_t hn = 0;
    while (hn < sizeof(head)) {
        long n = lh_archive_level_read(lv, head + hn, sizeof(head) - hn);
        if (n <= 0) {
            break;
        }
        hn += (size_t)n;
    }
    enum lh_archive_kind kind = lh_archive_sniff(head, hn);
    bool by_name = false;
    if (kind == LH_ARCHIVE_NONE && !lv->broken && lh_archive_kind_by_name(name)) {
        kind = LH_ARCHIVE_ZIP;
        by_name = true;
    }
    if (kind == LH_ARCHIVE_NONE || lv->broken) {
        return leaf(lv, name, head, hn);
    }
    if (lv->depth >= r->o->limits.max_depth) {
        if (by_name) {
            return leaf(lv, name, head, hn);
        }
        r->st->limited++;
        if (r->deeper++ == 0) {
            lh_archive_warnf(r,
                             "'%s' is an archive nested deeper than --max-archive-depth %u; "
                             "not opened",
                             r->path.ptr, r->o->limits.max_depth);
        }
        return 0;
    }
    return nested(lv, e, name, kind, by_name, head, hn);
}

int lh_archive_level_walk(struct lh_archive_level *lv)
{
    struct archive_entry *e = NULL;
    const char *name = NULL;
    int rc = 0;
    while (rc == 0 && lh_archive_level_next(lv, &e, &name) == 1) {
        unsigned type = archive_entry_filetype(e);
        if (lv->depth == 1 && lv->r->o->on_entry) {
            rc = lv->r->o->on_entry(name, type, lv->r->o->payload);
            if (rc != 0) {
                rc = rc > 0 ? 0 : rc;
                continue;
            }
        }
        if (type != AE_IFREG) {
            continue; /* directories, links, devices: names only */
        }
        if (archive_entry_is_encrypted(e)) {
            lv->r->encrypted++;
            continue;
        }
        rc = member(lv, e, name);
    }
    if (rc == 0 && lv->by_name && lv->broken && lv->nmembers == 0) {
        return LH_ARCHIVE_NOT_ARCHIVE;
    }
    return rc;
}

/* Opens lv (source set) as the outermost level of root r and walks it. */
int lh_archive_walk_root(struct lh_archive_root *r, struct lh_archive_level *lv,
                         const uint8_t *head, size_t hn, const char *path)
{
    lv->r = r;
    lv->depth = 1;
    lv->kind = lh_archive_sniff(head, hn);
    if (lv->kind == LH_ARCHIVE_NONE) {
        lv->kind = lh_archive_kind_by_name(path);
        lv->by_name = true;
    }
    if (lv->kind == LH_ARCHIVE_NONE || r->o->limits.max_depth == 0) {
        return LH_ARCHIVE_NOT_ARCHIVE;
    }
    lv->name = strdup(path);
    int rc = lv->name ? 0 : lh_error_oom();
    if (rc == 0 && r->o->prefix) {
        rc = lh_buf_puts(&r->path, r->o->prefix);
    } else if (rc == 0) {
        rc = lh_buf_puts(&r->path, path);
        rc = rc == 0 ? lh_buf_puts(&r->path, "!/") : rc;
    }
    if (rc == LH_ETOOBIG) {
        lh_error_set("archive path '%s' is too long", path);
        rc = LH_EIO;
    }
    if (rc == 0) {
        lv->prefix_len = r->path.len;
        rc = lh_archive_level_open(lv);
        if (rc == LH_EIO && lv->by_name) {
            rc = LH_ARCHIVE_NOT_ARCHIVE;
        } else if (rc == LH_EIO) {
            if (r->stop == STOP_NONE && !(lv->parent && lv->parent->m_abort)) {
                lh_archive_warnf(r, "%s; not scanned", lh_error_get());
            }
            rc = 0;
        } else if (rc == 0) {
            rc = lh_archive_level_walk(lv);
        }
    }
    lh_archive_level_close(lv);
    free(lv->name);
    lv->name = NULL;
    return rc;
}

int lh_archive_walk_fd(int fd, const char *path, const struct lh_archive_opts *o,
                       struct lh_archive_stats *st)
{
    struct lh_archive_root r;
    struct lh_archive_stats own = {0};
    struct lh_archive_level lv = {.src = SRC_FD, .fd = fd};
    uint8_t head[LH_ARCHIVE_SNIFF_LEN];
    ssize_t hn = pread(fd, head, sizeof(head), 0);
    if (hn < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        return LH_ARCHIVE_NOT_ARCHIVE;
    }
    int rc = lh_archive_root_init(&r, o, st, &own, path);
    if (rc == 0) {
        rc = lh_archive_walk_root(&r, &lv, head, (size_t)hn, path);
    }
    lh_archive_root_finish(&r);
    return rc;
}

int lh_archive_walk_mem(const uint8_t *buf, size_t len, const char *path,
                        const struct lh_archive_opts *o, struct lh_archive_stats *st)
{
    struct lh_archive_root r;
    struct lh_archive_stats own = {0};
    struct lh_archive_level lv = {.src = SRC_MEM, .fd = -1, .mem = buf, .mem_len = len};
    int rc = lh_archive_root_init(&r, o, st, &own, path);
    if (rc == 0) {
        rc = lh_archive_walk_root(&r, &lv, buf,
                                  len < LH_ARCHIVE_SNIFF_LEN ? len : LH_ARCHIVE_SNIFF_LEN, path);
    }
    lh_archive_root_finish(&r);
    return rc;
}

void lh_archive_limits_default(struct lh_archive_limits *l)
{
    l->max_depth = LH_ARCHIVE_DEFAULT_DEPTH;
    l->max_size = LH_ARCHIVE_DEFAULT_SIZE;
    l->max_member_size = LH_ARCHIVE_DEFAULT_MEMBER_SIZE;
    l->max_members = LH_ARCHIVE_DEFAULT_MEMBERS;
    l->max_ratio = LH_ARCHIVE_DEFAULT_RATIO;
    l->max_seconds = LH_ARCHIVE_DEFAULT_SECONDS;
}
