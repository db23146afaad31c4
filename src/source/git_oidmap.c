/* SPDX-License-Identifier: MIT */
/* Open-addressing object-id map with linear probing and a seeded mix; see git_oidmap.h. */
#include "source/git_oidmap.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* splitmix64 finalizer: every input bit reaches every output bit */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static uint64_t new_seed(const void *addr)
{
    static atomic_uint_fast64_t counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)addr;
    return mix64(s + atomic_fetch_add(&counter, 1) * 0x9e3779b97f4a7c15ull);
}

static size_t slot_of(const struct lh_git_oidmap *m, const uint8_t *id)
{
    uint64_t k;
    memcpy(&k, id, sizeof(k));
    return (size_t)mix64(k ^ m->seed) & (m->cap - 1);
}

bool lh_git_oid_is_null(const uint8_t *id)
{
    for (size_t i = 0; i < LH_GIT_OID_RAWSZ; i++) {
        if (id[i]) {
            return false;
        }
    }
    return true;
}

void lh_git_oidmap_init(struct lh_git_oidmap *m)
{
    memset(m, 0, sizeof(*m));
    m->seed = new_seed(m);
}

void lh_git_oidmap_dispose(struct lh_git_oidmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
}

static int grow(struct lh_git_oidmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    struct lh_git_oidmap_entry *ns = calloc(ncap, sizeof(*ns));
    if (!ns) {
        return lh_error_oom();
    }
    struct lh_git_oidmap_entry *old = m->slots;
    size_t ocap = m->cap;
    m->slots = ns;
    m->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (lh_git_oid_is_null(old[i].id)) {
            continue;
        }
        size_t j = slot_of(m, old[i].id);
        while (!lh_git_oid_is_null(ns[j].id)) {
            j = (j + 1) & (ncap - 1);
        }
        ns[j] = old[i];
    }
    free(old);
    return 0;
}

struct lh_git_oidmap_entry *lh_git_oidmap_get(const struct lh_git_oidmap *m, const uint8_t *id)
{
    if (!m->cap) {
        return NULL;
    }
    size_t j = slot_of(m, id);
    for (;;) {
        struct lh_git_oidmap_entry *e = &m->slots[j];
        if (lh_git_oid_is_null(e->id)) {
            return NULL;
        }
        if (!memcmp(e->id, id, LH_GIT_OID_RAWSZ)) {
            return e;
        }
        j = (j + 1) & (m->cap - 1);
    }
}

int lh_git_oidmap_put(struct lh_git_oidmap_entry **out, struct lh_git_oidmap *m, const uint8_t *id)
{
    if (lh_git_oid_is_null(id)) {
        lh_error_set("the null object id cannot be stored");
        return LH_EINVAL;
    }
    if ((m->count + 1) * 2 > m->cap) {
        if (m->count >= LH_GIT_OIDMAP_MAX_ENTRIES) {
            lh_error_set("more than %zu git objects", LH_GIT_OIDMAP_MAX_ENTRIES);
            return LH_ETOOBIG;
        }
        int rc = grow(m);
        if (rc < 0) {
            return rc;
        }
    }
    size_t j = slot_of(m, id);
    for (;;) {
        struct lh_git_oidmap_entry *e = &m->slots[j];
        if (lh_git_oid_is_null(e->id)) {
            memcpy(e->id, id, LH_GIT_OID_RAWSZ);
            e->a = 0;
            e->b = 0;
            m->count++;
            if (out) {
                *out = e;
            }
            return 1;
        }
        if (!memcmp(e->id, id, LH_GIT_OID_RAWSZ)) {
            if (out) {
                *out = e;
            }
            return 0;
        }
        j = (j + 1) & (m->cap - 1);
    }
}

struct lh_git_oidmap_entry *lh_git_oidmap_next(const struct lh_git_oidmap *m, size_t *pos)
{
    while (*pos < m->cap) {
        struct lh_git_oidmap_entry *e = &m->slots[(*pos)++];
        if (!lh_git_oid_is_null(e->id)) {
            return e;
        }
    }
    return NULL;
}
