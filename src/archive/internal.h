/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by walk.c (the recursive walk) and reader.c (the sequential reader):
 * a root is one budget (the limits of one outermost archive), a level one open libarchive
 * reader with its byte source (a file descriptor, memory, or the current member of the
 * enclosing level). Not for use outside src/archive/.
 */
#ifndef LH_ARCHIVE_INTERNAL_H
#define LH_ARCHIVE_INTERNAL_H

#include "archive/archive.h"
#include "archive/libarchive.h"

#define LH_ARCHIVE_CHUNK (64u * 1024u)

enum lh_archive_stop { STOP_NONE = 0, STOP_SIZE, STOP_MEMBERS, STOP_TIME };

struct lh_archive_root {
    const struct lh_archive_opts *o; /* limits and callbacks */
    struct lh_archive_stats *st;     /* never NULL */
    const char *name;                /* the outermost archive's display path */
    double deadline;                 /* 0: none */
    uint64_t total;                  /* uncompressed bytes read at every level */
    uint64_t members;
    enum lh_archive_stop stop; /* set once, warned about when set */
    struct lh_buf leaf;        /* the member being scanned */
    struct lh_buf path;        /* display path of the current member of the deepest level */
    uint64_t deeper, encrypted, unsafe, large, ratio; /* hits, for the closing summary */
};

enum lh_archive_src { SRC_FD, SRC_MEM, SRC_PARENT };

struct lh_archive_level {
    struct lh_archive_root *r;
    struct archive *a;
    unsigned depth; /* 1: the outermost archive */
    enum lh_archive_kind kind;
    bool by_name;      /* opened for its name only: not an archive is no error */
    char *name;        /* display path of this archive (owned) */
    size_t prefix_len; /* r->path length of "<name>!/" */
    size_t member_len; /* r->path length of the current member's path */
    enum lh_archive_src src;
    int fd;
    const uint8_t *mem;
    size_t mem_len, mem_pos;
    struct lh_archive_level *parent;
    const uint8_t *head; /* bytes of the parent's member read before this level opened */
    size_t head_len;
    uint8_t *chunk;    /* LH_ARCHIVE_CHUNK bytes for fd and parent sources (owned) */
    uint64_t m_out;    /* uncompressed bytes of the current member so far */
    int64_t m_in0;     /* compressed position when it began */
    bool m_abort;      /* ratio hit on the current member: read no more of it */
    bool s_abort;      /* ratio hit on the whole stream: read no more of this archive */
    bool broken;       /* libarchive failed: warned, read no more of this archive */
    uint64_t nmembers; /* entries of this archive seen */
};

void lh_archive_warnf(const struct lh_archive_root *r, const char *fmt, ...) LH_PRINTF(2, 3);

/* Sets up a root for o (st may be NULL: a private one is used) named `name`. */
int lh_archive_root_init(struct lh_archive_root *r, const struct lh_archive_opts *o,
                         struct lh_archive_stats *st, struct lh_archive_stats *own,
                         const char *name) LH_WUR;
/* Warns the summary of repeated hits and frees the buffers. */
void lh_archive_root_finish(struct lh_archive_root *r);

/* Opens lv's libarchive reader (lv's source, kind and root set). LH_ENOMEM, LH_EIO. */
int lh_archive_level_open(struct lh_archive_level *lv) LH_WUR;
void lh_archive_level_close(struct lh_archive_level *lv);

/*
 * Reads up to n bytes of the current member of lv, counting them against the limits:
 * > 0 bytes, 0 at its end, -1 when a limit stopped it (warned) or libarchive failed
 * (lv->broken, warned).
 */
long lh_archive_level_read(struct lh_archive_level *lv, void *buf, size_t n);

/* Moves lv to its next entry: 1 (*e set, counted, path set), 0 at the end or when stopped. */
int lh_archive_level_next(struct lh_archive_level *lv, struct archive_entry **e, const char **name);

/* Walks every member of the open level lv (recursing into nested archives). Returns 0,
 * LH_ARCHIVE_NOT_ARCHIVE (by_name level that libarchive does not recognise) or a callback's
 * negative code / LH_ENOMEM. */
int lh_archive_level_walk(struct lh_archive_level *lv) LH_WUR;

/*
 * Opens lv (its source set; head: its first hn bytes for the sniff) as the outermost level
 * of root r and walks it; lv is closed after. Returns as lh_archive_walk_fd.
 */
int lh_archive_walk_root(struct lh_archive_root *r, struct lh_archive_level *lv,
                         const uint8_t *head, size_t hn, const char *path) LH_WUR;

#endif
