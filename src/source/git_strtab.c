/* SPDX-License-Identifier: MIT */
/* String interning with an arena and a seeded FNV-1a index; see git_strtab.h. */
#include "source/git_strtab.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK_MIN (256u * 1024u)
#define MAX_STRINGS ((size_t)1 << 31)

static uint64_t hash_str(uint64_t seed, const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)s[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
}

void lh_git_strtab_init(struct lh_git_strtab *t)
{
    struct timespec ts;
    memset(t, 0, sizeof(*t));
    clock_gettime(CLOCK_REALTIME, &ts);
    t->seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)t;
}

void lh_git_strtab_dispose(struct lh_git_strtab *t)
{
    for (size_t i = 0; i < t->nchunks; i++) {
        free(t->chunks[i]);
    }
    free(t->chunks);
    free(t->strs);
    free(t->lens);
    free(t->index);
    uint64_t seed = t->seed;
    memset(t, 0, sizeof(*t));
    t->seed = seed;
}

static int grow_index(struct lh_git_strtab *t)
{
    size_t ncap = t->index_cap ? t->index_cap * 2 : 1024;
    uint32_t *ni = calloc(ncap, sizeof(*ni));
    if (!ni) {
        return lh_error_oom();
    }
    for (size_t id = 0; id < t->count; id++) {
        size_t j = (size_t)hash_str(t->seed, t->strs[id], t->lens[id]) & (ncap - 1);
        while (ni[j]) {
            j = (j + 1) & (ncap - 1);
        }
        ni[j] = (uint32_t)(id + 1);
    }
    free(t->index);
    t->index = ni;
    t->index_cap = ncap;
    return 0;
}

static char *arena_copy(struct lh_git_strtab *t, const char *s, size_t len)
{
    if (!t->nchunks || t->chunk_size - t->chunk_used < len + 1) {
        size_t size = len + 1 > CHUNK_MIN ? len + 1 : CHUNK_MIN;
        char **nc = realloc(t->chunks, (t->nchunks + 1) * sizeof(*nc));
        if (!nc) {
            return NULL;
        }
        t->chunks = nc;
        t->chunks[t->nchunks] = malloc(size);
        if (!t->chunks[t->nchunks]) {
            return NULL;
        }
        t->nchunks++;
        t->chunk_size = size;
        t->chunk_used = 0;
    }
    char *p = t->chunks[t->nchunks - 1] + t->chunk_used;
    memcpy(p, s, len);
    p[len] = '\0';
    t->chunk_used += len + 1;
    return p;
}

int lh_git_strtab_intern(uint32_t *id, struct lh_git_strtab *t, const char *s, size_t len)
{
    if ((t->count + 1) * 2 > t->index_cap) {
        int rc = grow_index(t);
        if (rc < 0) {
            return rc;
        }
    }
    size_t j = (size_t)hash_str(t->seed, s, len) & (t->index_cap - 1);
    while (t->index[j]) {
        uint32_t cand = t->index[j] - 1;
        if (t->lens[cand] == len && !memcmp(t->strs[cand], s, len)) {
            *id = cand;
            return 0;
        }
        j = (j + 1) & (t->index_cap - 1);
    }
    if (t->count >= MAX_STRINGS || len >= UINT32_MAX ||
        t->bytes + len + 1 > LH_GIT_STRTAB_MAX_BYTES) {
        lh_error_set("too many distinct paths in the history (%zu bytes)", t->bytes);
        return LH_ETOOBIG;
    }
    if (t->count == t->strs_alloc) {
        size_t n = t->strs_alloc ? t->strs_alloc * 2 : 256;
        const char **ns = realloc(t->strs, n * sizeof(*ns));
        if (!ns) {
            return lh_error_oom();
        }
        t->strs = ns;
        uint32_t *nl = realloc(t->lens, n * sizeof(*nl));
        if (!nl) {
            return lh_error_oom();
        }
        t->lens = nl;
        t->strs_alloc = n;
    }
    char *copy = arena_copy(t, s, len);
    if (!copy) {
        return lh_error_oom();
    }
    t->strs[t->count] = copy;
    t->lens[t->count] = (uint32_t)len;
    t->index[j] = (uint32_t)(t->count + 1);
    *id = (uint32_t)t->count;
    t->count++;
    t->bytes += len + 1;
    return 0;
}

const char *lh_git_strtab_get(const struct lh_git_strtab *t, uint32_t id)
{
    LH_ASSERT(id < t->count);
    return t->strs[id];
}
