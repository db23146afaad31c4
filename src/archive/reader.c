/* SPDX-License-Identifier: MIT */
/*
 * The sequential archive reader of archive.h (container images): one level over a file
 * descriptor under a root with no limit but time, whose current member can be read into a
 * bounded buffer or walked as an archive of its own, streamed, under the caller's limits.
 */
#include "archive/internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct lh_archive_reader {
    struct lh_archive_opts opts; /* no limits but time */
    struct lh_archive_stats st;
    struct lh_archive_root r;
    struct lh_archive_level lv;
    struct archive_entry *e;
    bool open;
};

int lh_archive_reader_open(struct lh_archive_reader **out, int fd, const char *path, double seconds)
{
    uint8_t head[LH_ARCHIVE_SNIFF_LEN];
    ssize_t hn = pread(fd, head, sizeof(head), 0);
    if (hn < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        lh_error_set("cannot read '%s': not a seekable file", path);
        return LH_EIO;
    }
    enum lh_archive_kind kind = lh_archive_sniff(head, (size_t)hn);
    if (kind == LH_ARCHIVE_NONE) {
        lh_error_set("'%s' is not an archive", path);
        return LH_EIO;
    }
    struct lh_archive_reader *rd = calloc(1, sizeof(*rd));
    if (!rd) {
        return lh_error_oom();
    }
    rd->opts.limits.max_depth = 1;
    rd->opts.limits.max_seconds = seconds;
    rd->lv.name = strdup(path);
    int rc = rd->lv.name ? lh_archive_root_init(&rd->r, &rd->opts, &rd->st, NULL, rd->lv.name)
                         : lh_error_oom();
    rd->open = rc == 0 || rd->lv.name;
    if (rc == 0) {
        rd->lv.r = &rd->r;
        rd->lv.depth = 1;
        rd->lv.kind = kind;
        rd->lv.src = SRC_FD;
        rd->lv.fd = fd;
        rc = lh_archive_level_open(&rd->lv);
    }
    if (rc < 0) {
        lh_archive_reader_free(rd);
        return rc;
    }
    *out = rd;
    return 0;
}

int lh_archive_reader_next(struct lh_archive_reader *rd, const char **name, unsigned *type,
                           int64_t *size)
{
    if (lh_archive_level_next(&rd->lv, &rd->e, name) == 1) {
        *type = archive_entry_filetype(rd->e);
        *size = archive_entry_size_is_set(rd->e) ? archive_entry_size(rd->e) : -1;
        return 1;
    }
    if (rd->lv.broken || rd->r.stop != STOP_NONE) {
        const char *e = archive_error_string(rd->lv.a);
        lh_error_set("cannot read '%s': %s", rd->lv.name,
                     rd->r.stop != STOP_NONE ? "time limit reached (--max-archive-time)"
                     : e                     ? e
                                             : "corrupt or truncated");
        return LH_EIO;
    }
    return 0;
}

int lh_archive_reader_read(struct lh_archive_reader *rd, struct lh_buf *b)
{
    for (;;) {
        int rc = lh_buf_grow(b, LH_ARCHIVE_CHUNK);
        if (rc < 0) {
            if (rc == LH_ETOOBIG) {
                lh_error_set("'%s' in '%s' is too large", rd->r.path.ptr, rd->lv.name);
            }
            return rc;
        }
        size_t room = b->alloc - b->len - 1;
        if (b->cap && room > b->cap - b->len + 1) {
            room = b->cap - b->len + 1; /* one byte past the cap tells it is too large */
        }
        long n = lh_archive_level_read(&rd->lv, b->ptr + b->len, room);
        if (n < 0) {
            lh_error_set("cannot read '%s' in '%s'", rd->r.path.ptr, rd->lv.name);
            return LH_EIO;
        }
        if (n == 0) {
            return 0;
        }
        if (b->cap && b->len + (size_t)n > b->cap) {
            lh_error_set("'%s' in '%s' is too large", rd->r.path.ptr, rd->lv.name);
            return LH_ETOOBIG;
        }
        b->len += (size_t)n;
        b->ptr[b->len] = '\0';
    }
}

int lh_archive_reader_walk(struct lh_archive_reader *rd, const char *path,
                           const struct lh_archive_opts *o, struct lh_archive_stats *st)
{
    struct lh_archive_root r;
    struct lh_archive_stats own = {0};
    struct lh_archive_level lv = {.src = SRC_PARENT, .fd = -1, .parent = &rd->lv};
    uint8_t head[LH_ARCHIVE_SNIFF_LEN];
    size_t hn = 0;
    while (hn < sizeof(head)) {
        long n = lh_archive_level_read(&rd->lv, head + hn, sizeof(head) - hn);
        if (n <= 0) {
            break;
        }
        hn += (size_t)n;
    }
    if (lh_archive_sniff(head, hn) == LH_ARCHIVE_NONE) {
        return LH_ARCHIVE_NOT_ARCHIVE;
    }
    lv.head = head;
    lv.head_len = hn;
    int rc = lh_archive_root_init(&r, o, st, &own, path);
    if (rc == 0) {
        rc = lh_archive_walk_root(&r, &lv, head, hn, path);
    }
    lh_archive_root_finish(&r);
    return rc;
}

void lh_archive_reader_free(struct lh_archive_reader *rd)
{
    if (!rd) {
        return;
    }
    lh_archive_level_close(&rd->lv);
    if (rd->open) {
        lh_archive_root_finish(&rd->r);
    }
    free(rd->lv.name);
    free(rd);
}
