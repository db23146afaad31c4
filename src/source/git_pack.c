/* SPDX-License-Identifier: MIT */
/* Pack index, object headers, inflation and deltas, read with pread; see git_pack.h. */
#include "source/git_pack.h"

#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IDX_HEADER 8
#define FANOUT_BYTES 1024
#define TRAILER 40      /* .idx: pack and index checksums */
#define PACK_HEADER 12  /* "PACK", version, count */
#define PACK_TRAILER 20 /* .pack: its checksum */
#define MAX_IDX_BYTES ((size_t)4 * 1024 * 1024 * 1024)
#define MAX_HEADER 32 /* type/size varint (<= 10) + base offset (<= 10) or id (20) */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t nth_offset(const struct lh_git_pack *p, uint32_t i)
{
    uint32_t o = be32(p->off32 + (size_t)i * 4);
    if (!(o & 0x80000000u)) {
        return o;
    }
    return be64(p->off64 + (size_t)(o & 0x7fffffffu) * 8);
}

static void pack_dispose(struct lh_git_pack *p)
{
    if (p->fd >= 0) {
        close(p->fd);
    }
    free(p->path);
    free(p->idx);
    free(p->sorted);
    memset(p, 0, sizeof(*p));
    p->fd = -1;
}

static bool read_all(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, (off_t)got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        got += (size_t)n;
    }
    return true;
}

/* Checks the index layout and every offset; false leaves the pack out. */
static bool index_valid(struct lh_git_pack *p)
{
    const uint8_t *x = p->idx;
    if (p->idx_len < IDX_HEADER + FANOUT_BYTES + TRAILER || memcmp(x, "\377tOc", 4) ||
        be32(x + 4) != 2) {
        return false;
    }
    uint32_t prev = 0;
    for (int i = 0; i < 256; i++) {
        uint32_t n = be32(x + IDX_HEADER + i * 4);
        if (n < prev) {
            return false;
        }
        prev = n;
    }
    p->count = prev;
    size_t fixed = IDX_HEADER + FANOUT_BYTES + (size_t)p->count * 28 + TRAILER;
    if (p->idx_len < fixed || (p->idx_len - fixed) % 8) {
        return false;
    }
    p->ids = x + IDX_HEADER + FANOUT_BYTES;
    p->off32 = p->ids + (size_t)p->count * 24; /* after the ids and the CRCs */
    p->off64 = p->off32 + (size_t)p->count * 4;
    p->n64 = (p->idx_len - fixed) / 8;
    p->sorted = malloc(((size_t)p->count + 1) * sizeof(*p->sorted));
    if (!p->sorted) {
        return false;
    }
    for (uint32_t i = 0; i < p->count; i++) {
        uint32_t o = be32(p->off32 + (size_t)i * 4);
        if ((o & 0x80000000u) && (o & 0x7fffffffu) >= p->n64) {
            return false;
        }
        uint64_t off = nth_offset(p, i);
        if (off < PACK_HEADER || off >= p->size - PACK_TRAILER) {
            return false;
        }
        p->sorted[i] = off;
    }
    qsort(p->sorted, p->count, sizeof(*p->sorted), cmp_u64);
    for (uint32_t i = 1; i < p->count; i++) {
        if (p->sorted[i] == p->sorted[i - 1]) {
            return false;
        }
    }
    p->sorted[p->count] = p->size - PACK_TRAILER;
    return true;
}

/* Opens one pack from its .idx path; false (nothing kept) when it cannot be used. */
static bool pack_open(struct lh_git_pack *p, const char *idx_path)
{
    struct stat st;
    uint8_t head[PACK_HEADER];
    size_t n = strlen(idx_path);
    int ifd = -1;
    memset(p, 0, sizeof(*p));
    p->fd = -1;
    p->path = malloc(n + 2);
    if (!p->path) {
        return false;
    }
    memcpy(p->path, idx_path, n - 4);
    memcpy(p->path + n - 4, ".pack", 6);
    p->fd = open(p->path, O_RDONLY | O_CLOEXEC);
    ifd = open(idx_path, O_RDONLY | O_CLOEXEC);
    if (p->fd < 0 || ifd < 0 || fstat(p->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_size < PACK_HEADER + PACK_TRAILER) {
        goto fail;
    }
    p->size = (uint64_t)st.st_size;
    if (pread(p->fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) || memcmp(head, "PACK", 4) ||
        (be32(head + 4) != 2 && be32(head + 4) != 3)) {
        goto fail;
    }
    if (fstat(ifd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > MAX_IDX_BYTES) {
        goto fail;
    }
    p->idx_len = (size_t)st.st_size;
    p->idx = malloc(p->idx_len);
    if (!p->idx || !read_all(ifd, p->idx, p->idx_len) || !index_valid(p) ||
        be32(head + 8) != p->count) {
        goto fail;
    }
    close(ifd);
    return true;
fail:
    if (ifd >= 0) {
        close(ifd);
    }
    pack_dispose(p);
    return false;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int lh_git_packs_open(struct lh_git_packs *out, const char *objects_dir)
{
    char *dir = lh_path_join(objects_dir, "pack");
    char **names = NULL;
    size_t nnames = 0;
    size_t alloc = 0;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    if (!dir) {
        return lh_error_oom();
    }
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && rc == 0 && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len <= 4 || strcmp(de->d_name + len - 4, ".idx")) {
            continue;
        }
        if (nnames == alloc) {
            size_t na = alloc ? alloc * 2 : 16;
            char **nn = realloc(names, na * sizeof(*nn));
            if (!nn) {
                rc = lh_error_oom();
                break;
            }
            names = nn;
            alloc = na;
        }
        names[nnames] = lh_path_join(dir, de->d_name);
        rc = names[nnames] ? 0 : lh_error_oom();
        nnames += rc == 0;
    }
    if (d) {
        closedir(d);
    }
    /* a stable order: the first pack holding an object is where it is read from */
    if (nnames > 1) {
        qsort(names, nnames, sizeof(*names), cmp_name);
    }
    if (rc == 0 && nnames) {
        out->items = calloc(nnames, sizeof(*out->items));
        rc = out->items ? 0 : lh_error_oom();
    }
    for (size_t i = 0; rc == 0 && i < nnames; i++) {
        if (pack_open(&out->items[out->count], names[i])) {
            out->count++;
        }
    }
    for (size_t i = 0; i < nnames; i++) {
        free(names[i]);
    }
    free(names);
    free(dir);
    if (rc < 0) {
        lh_git_packs_dispose(out);
    }
    return rc;
}

void lh_git_packs_dispose(struct lh_git_packs *ps)
{
    for (size_t i = 0; i < ps->count; i++) {
        pack_dispose(&ps->items[i]);
    }
    free(ps->items);
    memset(ps, 0, sizeof(*ps));
}

bool lh_git_pack_find(const struct lh_git_pack *p, const uint8_t *id, uint64_t *offset)
{
    const uint8_t *fan = p->idx + IDX_HEADER;
    uint32_t lo = id[0] ? be32(fan + (id[0] - 1) * 4) : 0;
    uint32_t hi = be32(fan + id[0] * 4);
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = memcmp(p->ids + (size_t)mid * 20, id, 20);
        if (c == 0) {
            *offset = nth_offset(p, mid);
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

bool lh_git_pack_position(const struct lh_git_pack *p, uint64_t offset, uint32_t *pos)
{
    uint32_t lo = 0;
    uint32_t hi = p->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->sorted[mid] == offset) {
            *pos = mid;
            return true;
        }
        if (p->sorted[mid] < offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

/* The `want` bytes at `start`: from the window (refilled when they are not in it) or h. */
static const uint8_t *header_bytes(uint8_t *h, const struct lh_git_pack *p, uint64_t start,
                                   size_t want, struct lh_git_pack_window *win)
{
    if (!win) {
        return pread(p->fd, h, want, (off_t)start) == (ssize_t)want ? h : NULL;
    }
    if (win->pack != p || start < win->start || start + want > win->start + win->len) {
        ssize_t got = pread(p->fd, win->buf, sizeof(win->buf), (off_t)start);
        win->pack = got > 0 ? p : NULL;
        win->start = start;
        win->len = got > 0 ? (size_t)got : 0;
        if (win->len < want) {
            return NULL;
        }
    }
    return win->buf + (start - win->start);
}

int lh_git_pack_header(struct lh_git_pack_obj *out, const struct lh_git_pack *p, uint32_t pos,
                       struct lh_git_pack_window *win)
{
    uint8_t hbuf[MAX_HEADER];
    uint64_t start = p->sorted[pos];
    uint64_t end = p->sorted[pos + 1];
    size_t want = end - start < MAX_HEADER ? (size_t)(end - start) : MAX_HEADER;
    const uint8_t *h = want ? header_bytes(hbuf, p, start, want, win) : NULL;
    if (!h) {
        return LH_EINVAL;
    }
    size_t i = 0;
    uint8_t c = h[i++];
    uint64_t size = c & 15;
    unsigned shift = 4;
    memset(out, 0, sizeof(*out));
    out->type = (c >> 4) & 7;
    while (c & 0x80) {
        if (i >= want || shift > 57) {
            return LH_EINVAL;
        }
        c = h[i++];
        size |= (uint64_t)(c & 0x7f) << shift;
        shift += 7;
    }
    if (out->type == LH_GIT_PACK_OFS_DELTA) {
        if (i >= want) {
            return LH_EINVAL;
        }
        c = h[i++];
        uint64_t rel = c & 0x7f;
        while (c & 0x80) {
            if (i >= want || rel > (UINT64_MAX >> 8)) {
                return LH_EINVAL;
            }
            c = h[i++];
            rel = ((rel + 1) << 7) | (c & 0x7f);
        }
        if (rel == 0 || rel > start - PACK_HEADER) {
            return LH_EINVAL;
        }
        out->base = start - rel;
    } else if (out->type == LH_GIT_PACK_REF_DELTA) {
        if (i + 20 > want) {
            return LH_EINVAL;
        }
        memcpy(out->base_id, h + i, 20);
        i += 20;
    } else if (out->type < 1 || out->type > 4) {
        return LH_EINVAL;
    }
    out->size = size;
    out->start = start;
    out->data = start + i;
    out->end = end;
    return 0;
}

static int scratch_reserve(struct lh_git_pack_scratch *s, size_t n)
{
    if (s->in_alloc >= n) {
        return 0;
    }
    uint8_t *b = realloc(s->in, n);
    if (!b) {
        return lh_error_oom();
    }
    s->in = b;
    s->in_alloc = n;
    return 0;
}

int lh_git_pack_inflate(uint8_t **out, struct lh_git_pack_scratch *s, const struct lh_git_pack *p,
                        const struct lh_git_pack_obj *o, size_t max)
{
    *out = NULL;
    if (o->size > max || o->size > UINT32_MAX / 2) {
        return LH_ETOOBIG;
    }
    if (o->data >= o->end) {
        return LH_EINVAL;
    }
    /* deflate never grows data by more than 5 bytes per 16 KB block plus its header */
    uint64_t cap = o->size + o->size / 1024 + 64;
    size_t n = o->end - o->data < cap ? (size_t)(o->end - o->data) : (size_t)cap;
    if (!s->z_ready) {
        memset(&s->z, 0, sizeof(s->z));
        if (inflateInit(&s->z) != Z_OK) {
            return lh_error_oom();
        }
        s->z_ready = true;
    } else if (inflateReset(&s->z) != Z_OK) {
        return LH_EINVAL;
    }
    int rc = scratch_reserve(s, n);
    if (rc < 0) {
        return rc;
    }
    ssize_t got = pread(p->fd, s->in, n, (off_t)o->data);
    if (got != (ssize_t)n) {
        return LH_EIO;
    }
    uint8_t *buf = malloc((size_t)o->size + 1);
    if (!buf) {
        return lh_error_oom();
    }
    uint8_t spare;
    s->z.next_in = s->in;
    s->z.avail_in = (uInt)n;
    s->z.next_out = o->size ? buf : &spare;
    s->z.avail_out = o->size ? (uInt)o->size : 1;
    int zrc = inflate(&s->z, Z_FINISH);
    if (zrc != Z_STREAM_END || s->z.total_out != o->size) {
        free(buf);
        return LH_EINVAL;
    }
    buf[o->size] = '\0';
    *out = buf;
    return 0;
}

static bool varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t c;
    do {
        if (*p >= end || shift > 63) {
            return false;
        }
        c = *(*p)++;
        v |= (uint64_t)(c & 0x7f) << shift;
        shift += 7;
    } while (c & 0x80);
    *out = v;
    return true;
}

int lh_git_delta_apply(uint8_t **out, size_t *out_len, const uint8_t *base, size_t base_len,
                       const uint8_t *delta, size_t delta_len, size_t max)
{
    const uint8_t *d = delta;
    const uint8_t *end = delta + delta_len;
    uint64_t want_base = 0;
    uint64_t size = 0;
    *out = NULL;
    *out_len = 0;
    if (!varint(&d, end, &want_base) || !varint(&d, end, &size) || want_base != base_len) {
        return LH_EINVAL;
    }
    if (size > max) {
        return LH_ETOOBIG;
    }
    uint8_t *buf = malloc((size_t)size + 1);
    if (!buf) {
        return lh_error_oom();
    }
    size_t w = 0;
    while (d < end) {
        uint8_t cmd = *d++;
        if (cmd & 0x80) {
            uint64_t off = 0;
            uint64_t len = 0;
            for (int i = 0; i < 4; i++) {
                if (cmd & (1u << i)) {
                    if (d >= end) {
                        goto bad;
                    }
                    off |= (uint64_t)*d++ << (8 * i);
                }
            }
            for (int i = 0; i < 3; i++) {
                if (cmd & (0x10u << i)) {
                    if (d >= end) {
                        goto bad;
                    }
                    len |= (uint64_t)*d++ << (8 * i);
                }
            }
            len = len ? len : 0x10000;
            if (off > base_len || len > base_len - off || len > size - w) {
                goto bad;
            }
            memcpy(buf + w, base + off, (size_t)len);
            w += (size_t)len;
        } else if (cmd) {
            if (cmd > (size_t)(end - d) || cmd > size - w) {
                goto bad;
            }
            memcpy(buf + w, d, cmd);
            d += cmd;
            w += cmd;
        } else {
            goto bad; /* reserved opcode */
        }
    }
    if (w != size) {
        goto bad;
    }
    buf[size] = '\0';
    *out = buf;
    *out_len = (size_t)size;
    return 0;
bad:
    free(buf);
    return LH_EINVAL;
}

void lh_git_pack_scratch_dispose(struct lh_git_pack_scratch *s)
{
    if (s->z_ready) {
        inflateEnd(&s->z);
    }
    free(s->in);
    memset(s, 0, sizeof(*s));
}
