/* SPDX-License-Identifier: MIT */
/*
 * Filtering and sharding of an enumeration; see org.h. The shard of a repository is a
 * function of its full name alone (SHA-256, lower-cased), never of its position in the
 * list, so N machines given the same N partition any listing the same way, and a
 * repository created between two runs lands in one shard without moving the others.
 */
#include "org/org.h"
#include "util/hash.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHARDS 100000u

static void lower(char *out, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++) {
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[i] = '\0';
}

unsigned lh_org_shard_of(const char *name, unsigned shards)
{
    char low[LH_ORG_MAX_NAME + 1];
    uint8_t md[32];
    LH_ASSERT(shards > 0);
    lower(low, sizeof(low), name);
    lh_sha256(md, low, strlen(low));
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = v << 8 | md[i];
    }
    return (unsigned)(v % shards) + 1;
}

int lh_org_shard_parse(unsigned *shard, unsigned *shards, const char *s)
{
    unsigned long i = 0, n = 0;
    char *end = NULL;
    if (!isdigit((unsigned char)s[0])) {
        goto bad;
    }
    i = strtoul(s, &end, 10);
    if (*end != '/' || !isdigit((unsigned char)end[1])) {
        goto bad;
    }
    n = strtoul(end + 1, &end, 10);
    if (*end || n < 1 || n > MAX_SHARDS || i < 1 || i > n) {
        goto bad;
    }
    *shard = (unsigned)i;
    *shards = (unsigned)n;
    return 0;
bad:
    lh_error_set("--shard takes I/N with 1 <= I <= N <= %u, such as 2/4, not '%.40s'", MAX_SHARDS,
                 s);
    return LH_EINVAL;
}

static bool any_glob(const struct lh_strlist *globs, const char *low)
{
    char pat[LH_ORG_MAX_NAME + 1];
    for (size_t i = 0; globs && i < globs->count; i++) {
        lower(pat, sizeof(pat), globs->items[i]);
        if (fnmatch(pat, low, 0) == 0) {
            return true;
        }
    }
    return false;
}

void lh_org_select(struct lh_org_list *l, const struct lh_org_filter *f)
{
    char low[LH_ORG_MAX_NAME + 1];
    size_t o = 0;
    bool includes = f->include && f->include->count > 0;
    for (size_t i = 0; i < l->count; i++) {
        struct lh_org_repo *r = &l->items[i];
        size_t *why = NULL;
        lower(low, sizeof(low), r->name);
        if (r->fork && !f->include_forks) {
            why = &l->skipped_forks;
        } else if (r->archived && !f->include_archived) {
            why = &l->skipped_archived;
        } else if ((includes && !any_glob(f->include, low)) || any_glob(f->exclude, low)) {
            why = &l->skipped_globs;
        } else if (f->shards > 0 && lh_org_shard_of(r->name, f->shards) != f->shard) {
            why = &l->skipped_shard;
        }
        if (why) {
            (*why)++;
            free(r->name);
            free(r->clone_url);
            free(r->default_branch);
        } else {
            l->items[o++] = *r;
        }
    }
    l->count = o;
}
