/* SPDX-License-Identifier: MIT */
/*
 * The on-disk cache of compiled Vectorscan databases (matcher.c's only helper): a database
 * is keyed by the Vectorscan version, the platform and the exact literal list, stored whole
 * in the cache file and compared on load; a cached database whose key differs, that fails to
 * deserialize or to verify (CRC-32), or that does not find a canary keyword is discarded and
 * rebuilt, never trusted. Failing to read or write the cache is never an error: the caller
 * compiles instead. The directory keeps at most 16 databases, the oldest removed first.
 */
#include "match/dbcache.h"

#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

/*
 * The cache key is the exact text "leakhound-hsdb-2\n<vectorscan version>\n<machine>\n" plus
 * one "<flags>:<len>:<literal>\n" line per literal. The file name only needs to spread keys
 * (CRC-32 and Adler-32 of the key); the file holds the whole key and a load compares it byte
 * for byte, so a name collision costs a recompile, never a wrong database. No cryptographic
 * hash is needed, which keeps OpenSSL's ~2 ms initialisation off the start-up path.
 */
int lh_dbcache_key(struct lh_buf *b, const char *const *exprs, const unsigned *flags,
                   const size_t *lens, const bool *regex, size_t n)
{
    struct utsname u;
    int rc = lh_buf_printf(b, "leakhound-hsdb-3\n%s\n%s\n", hs_version(),
                           uname(&u) == 0 ? u.machine : "?");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = lh_buf_printf(b, "%c%u:%zu:", regex[i] ? 'R' : 'L', flags[i], lens[i]);
        if (rc == 0) {
            rc = lh_buf_put(b, exprs[i], lens[i]);
        }
        if (rc == 0) {
            rc = lh_buf_putc(b, '\n');
        }
    }
    return rc;
}

static uint64_t crc32_of(const void *p, size_t len)
{
    return crc32_z(0L, p, len) & 0xffffffffUL;
}

void lh_dbcache_name(char out[64], const struct lh_buf *key)
{
    snprintf(out, 64, "hsdb-%08lx%08lx.bin", (unsigned long)crc32_of(key->ptr, key->len),
             adler32_z(adler32(0L, Z_NULL, 0), (const Bytef *)key->ptr, key->len) & 0xffffffffUL);
}

/*
 * File layout: magic, key length (u64), key bytes, database length (u64), CRC-32 of the
 * database bytes (u64), database bytes. Vectorscan does not checksum a serialized database,
 * so a flipped bit would otherwise be loaded (0.14 ms to check 700 KB).
 */
static const char CACHE_MAGIC[8] = {'L', 'H', 'H', 'S', 'D', 'B', '3', '\n'};
#define CACHE_MAX_FILES 16 /* databases kept in the cache directory; the oldest go first */

static int canary_cb(unsigned int id, unsigned long long from, unsigned long long to,
                     unsigned int flags, void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    (void)id;
    *(int *)ctx = 1;
    return 1;
}

/* A loaded database must find the first literal in a canary buffer (NULL: no literal). */
static bool db_sane(hs_database_t *db, const char *lit, size_t len)
{
    if (!lit) {
        return true;
    }
    hs_scratch_t *s = NULL;
    if (hs_alloc_scratch(db, &s) != HS_SUCCESS) {
        return false;
    }
    int found = 0;
    hs_error_t e = hs_scan(db, lit, (unsigned)len, 0, s, canary_cb, &found);
    hs_free_scratch(s);
    return (e == HS_SUCCESS || e == HS_SCAN_TERMINATED) && found;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/*
 * Loads a cached database. The file is read into, and the database deserialized into,
 * anonymous mappings populated in one system call each: on virtual machines every page
 * fault is expensive, and faulting in the two ~700 KB copies page by page cost ~4 ms of a
 * 20 ms budget. Sets m->db and m->db_map_len (the database is freed with
 * munmap, not hs_free_database). Any mismatch or damage just means "no cached database".
 */
hs_database_t *lh_dbcache_load(size_t *map_len, const char *path, const struct lh_buf *key,
                               const char *lit, size_t litlen)
{
    hs_database_t *found = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 32 ||
        (uint64_t)st.st_size > LH_DBCACHE_MAX_BYTES) {
        close(fd);
        return NULL;
    }
    /*
     * Read (not mapped: a file truncated by someone else while mapped would raise SIGBUS)
     * into a mapping populated in one call rather than page by page.
     */
    size_t flen = (size_t)st.st_size;
    unsigned char *f =
        mmap(NULL, flen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (f == MAP_FAILED) {
        close(fd);
        return NULL;
    }
    size_t got = 0;
    while (got < flen) {
        ssize_t r = read(fd, f + got, flen - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    size_t need = 0;
    void *mem = MAP_FAILED;
    uint64_t klen = get_u64(f + 8);
    if (got != flen || memcmp(f, CACHE_MAGIC, sizeof(CACHE_MAGIC)) != 0 || klen != key->len ||
        klen > flen - 32 || memcmp(f + 16, key->ptr, key->len) != 0) {
        goto out;
    }
    size_t off = 16 + key->len; /* off + 16 <= flen */
    uint64_t dblen = get_u64(f + off);
    if (dblen == 0 || dblen != flen - off - 16 ||
        get_u64(f + off + 8) != crc32_of(f + off + 16, (size_t)dblen)) {
        goto out;
    }
    const char *bytes = (const char *)f + off + 16;
    if (hs_serialized_database_size(bytes, dblen, &need) != HS_SUCCESS || need == 0 ||
        need > LH_DBCACHE_MAX_BYTES) {
        goto out;
    }
    mem =
        mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (mem == MAP_FAILED) {
        goto out;
    }
    hs_database_t *db = mem;
    if (hs_deserialize_database_at(bytes, dblen, db) != HS_SUCCESS || !db_sane(db, lit, litlen)) {
        munmap(mem, need);
        goto out;
    }
    found = db;
    *map_len = need;
out:
    munmap(f, flen);
    lh_error_clear();
    return found;
}

struct cached {
    char *path;
    struct timespec mtime;
};

static int cmp_cached(const void *a, const void *b)
{
    const struct cached *x = a, *y = b;
    if (x->mtime.tv_sec != y->mtime.tv_sec) {
        return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
    }
    return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : x->mtime.tv_nsec > y->mtime.tv_nsec;
}

/* Keeps the cache directory bounded: removes the oldest hsdb-* files beyond CACHE_MAX_FILES. */
static void cache_prune(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        return;
    }
    struct cached *v = NULL;
    size_t n = 0, alloc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "hsdb-", 5) != 0 || !lh_str_endswith(e->d_name, ".bin")) {
            continue;
        }
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 32;
            struct cached *nv = realloc(v, alloc * sizeof(*nv));
            if (!nv) {
                break;
            }
            v = nv;
        }
        struct stat st;
        char *p = lh_path_join(dir, e->d_name);
        if (!p || stat(p, &st) != 0) {
            free(p);
            continue;
        }
        v[n].path = p;
        v[n].mtime = st.st_mtim;
        n++;
    }
    closedir(d);
    if (n > CACHE_MAX_FILES) {
        qsort(v, n, sizeof(*v), cmp_cached);
        for (size_t i = 0; i < n - CACHE_MAX_FILES; i++) {
            (void)unlink(v[i].path);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(v[i].path);
    }
    free(v);
}

void lh_dbcache_store(const char *dir, const char *path, const struct lh_buf *key,
                      const hs_database_t *db)
{
    char *bytes = NULL;
    size_t len = 0;
    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) {
        return;
    }
    struct lh_buf f;
    lh_buf_init(&f, 0);
    uint64_t klen = key->len, dblen = len, crc = crc32_of(bytes, len);
    /* Failure to cache is not an error: the next run compiles again. */
    if (lh_buf_put(&f, CACHE_MAGIC, sizeof(CACHE_MAGIC)) == 0 &&
        lh_buf_put(&f, &klen, sizeof(klen)) == 0 && lh_buf_put(&f, key->ptr, key->len) == 0 &&
        lh_buf_put(&f, &dblen, sizeof(dblen)) == 0 && lh_buf_put(&f, &crc, sizeof(crc)) == 0 &&
        lh_buf_put(&f, bytes, len) == 0 && lh_fs_mkdirs(dir) == 0 &&
        lh_fs_write_atomic(path, f.ptr, f.len) == 0) {
        cache_prune(dir);
    }
    lh_buf_dispose(&f);
    free(bytes);
    lh_error_clear();
}
