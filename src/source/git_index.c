/* SPDX-License-Identifier: MIT */
/* Read-only git index reader (versions 2-4, cache-tree); see git_index.h. */
#include "source/git_index.h"

#include "util/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER 12
#define TRAILER 20
#define ENTRY_FIXED 62 /* stat data, mode, ids, object id, flags */
#define FLAG_EXTENDED 0x4000u
#define FLAG_STAGE 0x3000u
#define XFLAG_INTENT_TO_ADD 0x2000u
#define NAME_MASK 0x0fffu
#define MAX_PATH_LEN 4096u /* git refuses longer paths on most systems */
#define MAX_ARENA ((size_t)512 * 1024 * 1024)
#define MAX_TREE_DEPTH 512
#define DECLINE 1

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static int malformed(size_t off, const char *what)
{
    lh_error_set("malformed git index at byte %zu: %s", off, what);
    return LH_EINVAL;
}

/* git's offset varint (version 4 path prefixes); 0 on overflow or truncation. */
static int varint(size_t *out, const uint8_t *buf, size_t *pos, size_t end)
{
    if (*pos >= end) {
        return -1;
    }
    uint8_t c = buf[(*pos)++];
    size_t v = c & 127u;
    while (c & 128u) {
        if (*pos >= end || v > (SIZE_MAX >> 8)) {
            return -1;
        }
        v += 1;
        c = buf[(*pos)++];
        v = (v << 7) + (c & 127u);
    }
    *out = v;
    return 0;
}

/* Bytewise order of full paths, as git sorts index entries (stage 0 only here). */
static int path_cmp(const struct lh_git_index_entry *a, const struct lh_git_index_entry *b)
{
    size_t n = a->path_len < b->path_len ? a->path_len : b->path_len;
    int c = memcmp(a->path, b->path, n);
    if (c) {
        return c;
    }
    return a->path_len < b->path_len ? -1 : a->path_len > b->path_len;
}

/* ---- cache-tree (TREE extension) ---- */

struct tparse {
    struct lh_git_index *ix;
    const uint8_t *p;
    size_t n;
    size_t pos;
    size_t cap; /* of trees and kids */
    size_t nkids;
};

static int decimal(int64_t *out, struct tparse *t, char stop)
{
    bool neg = false;
    int64_t v = 0;
    size_t digits = 0;
    if (t->pos < t->n && t->p[t->pos] == '-') {
        neg = true;
        t->pos++;
    }
    while (t->pos < t->n && t->p[t->pos] >= '0' && t->p[t->pos] <= '9' && digits < 10) {
        v = v * 10 + (t->p[t->pos] - '0');
        t->pos++;
        digits++;
    }
    if (!digits || t->pos >= t->n || t->p[t->pos] != (uint8_t)stop || v > INT32_MAX) {
        return -1;
    }
    t->pos++;
    *out = neg ? -v : v;
    return 0;
}

/* Parses one node and its subtrees (pre-order); *index gets the node. 1: declined. */
static int tree_node(struct tparse *t, uint32_t *index, int depth)
{
    struct lh_git_index *ix = t->ix;
    int64_t entries = 0;
    int64_t nsub = 0;
    if (depth > MAX_TREE_DEPTH || ix->ntrees >= t->cap) {
        return DECLINE;
    }
    const uint8_t *nul = memchr(t->p + t->pos, 0, t->n - t->pos);
    if (!nul) {
        return DECLINE;
    }
    uint32_t me = (uint32_t)ix->ntrees++;
    struct lh_git_index_tree *node = &ix->trees[me];
    node->name = (const char *)t->p + t->pos;
    node->name_len = (uint32_t)(nul - (t->p + t->pos));
    t->pos = (size_t)(nul - t->p) + 1;
    if (decimal(&entries, t, ' ') < 0 || decimal(&nsub, t, '\n') < 0 || entries < -1 || nsub < 0 ||
        (size_t)nsub > t->cap - t->nkids) {
        return DECLINE;
    }
    node->entries = (int32_t)entries;
    node->nkids = (uint32_t)nsub;
    node->kids = (uint32_t)t->nkids;
    t->nkids += (size_t)nsub;
    if (entries >= 0) {
        if (t->n - t->pos < GIT_OID_RAWSZ) {
            return DECLINE;
        }
        memcpy(node->id.id, t->p + t->pos, GIT_OID_RAWSZ); /* parsing needs no libgit2 */
        t->pos += GIT_OID_RAWSZ;
    }
    for (uint32_t i = 0; i < (uint32_t)nsub; i++) {
        uint32_t kid = 0;
        int rc = tree_node(t, &kid, depth + 1);
        if (rc) {
            return rc;
        }
        /* re-fetch: the array does not move (preallocated), but keep it obvious */
        ix->kids[ix->trees[me].kids + i] = kid;
    }
    *index = me;
    return 0;
}

static int parse_tree_ext(struct lh_git_index *ix, const uint8_t *p, size_t n)
{
    /* the smallest node is "\0-1 0\n": 6 bytes, so n / 6 + 1 bounds both arrays */
    struct tparse t = {.ix = ix, .p = p, .n = n, .cap = n / 6 + 1};
    uint32_t root = 0;
    ix->trees = calloc(t.cap, sizeof(*ix->trees));
    ix->kids = calloc(t.cap, sizeof(*ix->kids));
    if (!ix->trees || !ix->kids) {
        return lh_error_oom();
    }
    int rc = n ? tree_node(&t, &root, 0) : DECLINE;
    if (rc == 0 && (t.pos != n || root != 0)) {
        rc = DECLINE;
    }
    if (rc) {
        /* no usable cache-tree: compare everything, which is still correct */
        free(ix->trees);
        free(ix->kids);
        ix->trees = NULL;
        ix->kids = NULL;
        ix->ntrees = 0;
        return 0;
    }
    ix->has_tree = true;
    return 0;
}

/* ---- entries ---- */

static int parse_entries(struct lh_git_index *ix, uint32_t version, size_t *offp, size_t end)
{
    const uint8_t *buf = ix->data;
    size_t off = HEADER;
    struct lh_buf arena;
    size_t prev_off = 0; /* v4: previous path in the arena */
    size_t prev_len = 0;
    int rc = 0;
    lh_buf_init(&arena, MAX_ARENA);
    for (size_t i = 0; i < ix->count; i++) {
        struct lh_git_index_entry *e = &ix->entries[i];
        if (end - off < ENTRY_FIXED + 1) {
            rc = malformed(off, "truncated entry");
            goto out;
        }
        const uint8_t *p = buf + off;
        uint16_t flags = be16(p + 60);
        if (flags & FLAG_STAGE) {
            rc = DECLINE; /* merge conflicts: libgit2 knows what to do */
            goto out;
        }
        e->mode = be32(p + 24);
        e->id = (const git_oid *)(p + 40);
        size_t pos = off + ENTRY_FIXED;
        if (flags & FLAG_EXTENDED) {
            if (version < 3) {
                rc = malformed(off, "extended flags in a version 2 index");
                goto out;
            }
            e->intent_to_add = (be16(p + 62) & XFLAG_INTENT_TO_ADD) != 0;
            pos += 2;
        }
        if (version < 4) {
            size_t len = flags & NAME_MASK;
            if (len == NAME_MASK) {
                /* a long name: its length is where the NUL is */
                const uint8_t *nul = pos <= end ? memchr(buf + pos, 0, end - pos) : NULL;
                len = nul ? (size_t)(nul - (buf + pos)) : SIZE_MAX;
            }
            if (len > MAX_PATH_LEN || pos > end || len >= end - pos || buf[pos + len] != 0 ||
                memchr(buf + pos, 0, len) != NULL) {
                rc = malformed(off, "bad path");
                goto out;
            }
            e->path = (const char *)buf + pos;
            e->path_len = (uint32_t)len;
            /* entries are padded with 1-8 NULs to a multiple of 8 bytes */
            size_t size = ((pos - off) + len + 8) & ~(size_t)7;
            if (size > end - off) {
                rc = malformed(off, "truncated entry");
                goto out;
            }
            off += size;
        } else {
            size_t strip = 0;
            if (varint(&strip, buf, &pos, end) < 0 || strip > prev_len) {
                rc = malformed(off, "bad path prefix");
                goto out;
            }
            const uint8_t *nul = memchr(buf + pos, 0, end - pos);
            if (!nul) {
                rc = malformed(off, "unterminated path");
                goto out;
            }
            size_t suffix = (size_t)(nul - (buf + pos));
            size_t keep = prev_len - strip;
            if (keep + suffix > MAX_PATH_LEN) {
                rc = malformed(off, "path too long");
                goto out;
            }
            size_t at = arena.len;
            rc = lh_buf_grow(&arena, keep + suffix + 1);
            if (rc < 0) {
                goto out;
            }
            memmove(arena.ptr + at, arena.ptr + prev_off, keep);
            memcpy(arena.ptr + at + keep, buf + pos, suffix);
            arena.ptr[at + keep + suffix] = '\0';
            arena.len += keep + suffix + 1;
            e->path = (const char *)(uintptr_t)at; /* an offset until the arena settles */
            e->path_len = (uint32_t)(keep + suffix);
            prev_off = at;
            prev_len = keep + suffix;
            off = (size_t)(nul - buf) + 1;
        }
    }
    if (version == 4) {
        for (size_t i = 0; i < ix->count; i++) {
            ix->entries[i].path = arena.ptr + (uintptr_t)ix->entries[i].path;
        }
        ix->arena = arena.ptr;
        arena.ptr = NULL;
    }
    /* the fast path merges by order: an unsorted index is left to libgit2 */
    for (size_t i = 1; i < ix->count; i++) {
        if (path_cmp(&ix->entries[i - 1], &ix->entries[i]) >= 0) {
            rc = DECLINE;
            goto out;
        }
    }
    *offp = off;
out:
    lh_buf_dispose(&arena);
    return rc;
}

/*
 * The entry table of a large index is mapped with MAP_POPULATE: one system call instead of
 * a page fault per 4 KB, which on a 40,000-file work tree is a sizeable part of the
 * pre-commit budget. *mapped gets the mapping's size (0: malloc'd).
 */
#define MAP_MIN ((size_t)256 * 1024)

static struct lh_git_index_entry *alloc_entries(size_t *mapped, size_t count)
{
    size_t bytes = (count ? count : 1) * sizeof(struct lh_git_index_entry);
    *mapped = 0;
    if (bytes >= MAP_MIN) {
        void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p != MAP_FAILED) {
            *mapped = bytes;
            return p;
        }
    }
    return calloc(1, bytes);
}

int lh_git_index_parse(struct lh_git_index *out, const uint8_t *buf, size_t len)
{
    memset(out, 0, sizeof(*out));
    out->data = buf;
    out->size = len;
    if (len < HEADER + TRAILER) {
        return malformed(len, "truncated file");
    }
    if (memcmp(buf, "DIRC", 4) != 0) {
        return malformed(0, "bad signature");
    }
    uint32_t version = be32(buf + 4);
    uint32_t count = be32(buf + 8);
    size_t end = len - TRAILER;
    if (version < 2 || version > 4) {
        return DECLINE;
    }
    if (count > (end - HEADER) / (ENTRY_FIXED + 2)) {
        return malformed(8, "more entries than the file can hold");
    }
    out->count = count;
    out->entries = alloc_entries(&out->entries_mapped, count);
    if (!out->entries) {
        return lh_error_oom();
    }
    size_t off = 0;
    int rc = parse_entries(out, version, &off, end);
    while (rc == 0 && off < end) {
        if (end - off < 8) {
            rc = malformed(off, "truncated extension");
            break;
        }
        const uint8_t *sig = buf + off;
        size_t size = be32(buf + off + 4);
        if (size > end - off - 8) {
            rc = malformed(off, "extension larger than the file");
            break;
        }
        if (!memcmp(sig, "TREE", 4) && !out->trees) {
            rc = parse_tree_ext(out, buf + off + 8, size);
        } else if (sig[0] < 'A' || sig[0] > 'Z') {
            rc = DECLINE; /* mandatory extension: split index, sparse index, ... */
        }
        off += 8 + size;
    }
    if (rc != 0) {
        lh_git_index_dispose(out); /* not mapped yet: the buffer stays the caller's */
    }
    return rc;
}

int lh_git_index_load(struct lh_git_index *out, const char *path)
{
    struct stat st;
    memset(out, 0, sizeof(*out));
    /* O_NONBLOCK: a FIFO in its place must not block the open (fstat then refuses it) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT) {
            lh_error_set("no index file '%s'", path);
            return LH_ENOTFOUND;
        }
        lh_error_set("cannot read the index '%s': %s", path, strerror(errno));
        return LH_EIO;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        lh_error_set("cannot read the index '%s': not a regular file", path);
        close(fd);
        return LH_EIO;
    }
    if ((uint64_t)st.st_size > LH_GIT_INDEX_MAX_BYTES) {
        lh_error_set("the index '%s' is larger than %zu bytes", path, LH_GIT_INDEX_MAX_BYTES);
        close(fd);
        return LH_ETOOBIG;
    }
    size_t size = (size_t)st.st_size;
    void *map = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : MAP_FAILED;
    close(fd);
    if (map == MAP_FAILED) {
        lh_error_set("cannot map the index '%s'", path);
        return size ? LH_EIO : malformed(0, "empty file");
    }
    int rc = lh_git_index_parse(out, map, size);
    if (rc != 0) {
        munmap(map, size);
        memset(out, 0, sizeof(*out));
        return rc;
    }
    out->mapped = true;
    return 0;
}

void lh_git_index_dispose(struct lh_git_index *ix)
{
    if (ix->mapped && ix->data) {
        munmap((void *)(uintptr_t)ix->data, ix->size);
    }
    if (ix->entries_mapped) {
        munmap(ix->entries, ix->entries_mapped);
    } else {
        free(ix->entries);
    }
    free(ix->arena);
    free(ix->trees);
    free(ix->kids);
    memset(ix, 0, sizeof(*ix));
}
