/* SPDX-License-Identifier: MIT */
/*
 * The delta-family reader (source/git_family.h, source/git_pack.h) in process, on the
 * repository of tests/e2e/history_refs/mkrepo.sh (chains up to 50 deep): every blob is read
 * exactly once and hashes to its id; and with the pack or its index damaged at a hundred
 * places, every blob still goes exactly once to the reader or to the fallback and nothing
 * crashes or reads out of bounds (ASan).
 */
#include "source/git_family.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(git_family);

#define MAX_BLOBS 8192

struct blobs {
    uint8_t ids[MAX_BLOBS][20];
    size_t n;
    unsigned visits[MAX_BLOBS];
    unsigned fallbacks[MAX_BLOBS];
    size_t bad_hash;
};

static const uint8_t *id_at(size_t i, const void *items)
{
    return ((const struct blobs *)items)->ids[i];
}

static void hex_to_id(uint8_t out[20], const char *hex)
{
    for (int i = 0; i < 20; i++) {
        unsigned v = 0;
        cr_assert(eq(int, sscanf(hex + 2 * i, "%2x", &v), 1));
        out[i] = (uint8_t)v;
    }
}

static void list_blobs(struct blobs *b, const char *repo)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/blobs.txt", dir);
    cr_assert(eq(int,
                 lh_sh(repo,
                       "git cat-file --batch-all-objects --batch-check='%%(objecttype) "
                       "%%(objectname)' | sed -n 's/^blob //p' > '%s'",
                       path),
                 0));
    FILE *f = fopen(path, "r");
    char line[128];
    cr_assert(f != NULL);
    memset(b, 0, sizeof(*b));
    while (fgets(line, sizeof(line), f)) {
        cr_assert(b->n < MAX_BLOBS);
        hex_to_id(b->ids[b->n++], line);
    }
    fclose(f);
    cr_assert(b->n > 4500, "%zu blobs", b->n);
}

static int visit(uint32_t item, const uint8_t *buf, size_t len, void *payload)
{
    struct blobs *b = payload;
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    char head[64];
    int hl = snprintf(head, sizeof(head), "blob %zu", len) + 1;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    cr_assert(c != NULL);
    EVP_DigestInit_ex(c, EVP_sha1(), NULL);
    EVP_DigestUpdate(c, head, (size_t)hl);
    EVP_DigestUpdate(c, buf, len);
    EVP_DigestFinal_ex(c, md, &mdlen);
    EVP_MD_CTX_free(c);
    cr_assert(buf[len] == '\0');
    b->visits[item]++;
    b->bad_hash += memcmp(md, b->ids[item], 20) != 0;
    return 0;
}

static int fallback(uint32_t item, void *payload)
{
    struct blobs *b = payload;
    b->fallbacks[item]++;
    return 0;
}

/* Plans and reads everything; returns how many blobs the fallback got. */
static size_t read_all(struct blobs *b, const char *objects)
{
    struct lh_git_family_plan plan;
    struct lh_git_pack_scratch s;
    memset(&s, 0, sizeof(s));
    memset(b->visits, 0, sizeof(b->visits));
    memset(b->fallbacks, 0, sizeof(b->fallbacks));
    b->bad_hash = 0;
    cr_assert(eq(int, lh_git_family_plan(&plan, objects, id_at, b, b->n), 0));
    for (size_t i = 0; i < plan.nfallback; i++) {
        b->fallbacks[plan.fallback[i]]++;
    }
    for (size_t j = 0; j < plan.njobs; j++) {
        int rc = lh_git_family_read(&plan, j, &s, 1 << 20, 8 << 20, visit, fallback, b);
        cr_assert(eq(int, rc, 0));
    }
    size_t fb = 0;
    for (size_t i = 0; i < b->n; i++) {
        cr_assert(eq(u32, b->visits[i] + b->fallbacks[i], 1), "blob %zu read %u + %u times", i,
                  b->visits[i], b->fallbacks[i]);
        fb += b->fallbacks[i];
    }
    lh_git_pack_scratch_dispose(&s);
    lh_git_family_plan_dispose(&plan);
    return fb;
}

static void make_repo(char *repo, size_t size)
{
    char tok1[41];
    char tok2[41];
    lh_make_github_token(tok1, "ghp_", "R8fKq2LmN4pX7vT1wZ3yB6cD9eG0hJ");
    lh_make_github_token(tok2, "ghp_", "u5Ws8Ta1Qe4Rb7Yn0Mk3Lj6Hg9Fd2S");
    snprintf(repo, size, "%s/repo", dir);
    cr_assert(eq(int,
                 lh_sh(dir, "sh '%s/tests/e2e/history_refs/mkrepo.sh' '%s' '%s' '%s'",
                       LH_SOURCE_DIR, repo, tok1, tok2),
                 0));
}

Test(git_family, every_blob_once_with_its_content)
{
    static struct blobs b;
    char repo[4096];
    char objects[4200];
    make_repo(repo, sizeof(repo));
    list_blobs(&b, repo);
    snprintf(objects, sizeof(objects), "%s/.git/objects", repo);
    cr_assert(eq(sz, read_all(&b, objects), 0));
    cr_assert(eq(sz, b.bad_hash, 0));
    /* a blob the packs do not have goes to the fallback */
    memset(b.ids[b.n++], 0x42, 20);
    cr_assert(eq(sz, read_all(&b, objects), 1));
}

Test(git_family, damaged_pack_or_index_never_crashes_nor_loses_a_blob)
{
    static struct blobs b;
    char repo[4096];
    char objects[4200];
    make_repo(repo, sizeof(repo));
    list_blobs(&b, repo);
    snprintf(objects, sizeof(objects), "%s/.git/objects", repo);
    cr_assert(eq(int, lh_sh(repo, "cp .git/objects/pack/*.pack ../orig.pack"), 0));
    unsigned seed = 12345;
    for (int round = 0; round < 100; round++) {
        seed = seed * 1103515245u + 12345u;
        /* a few bytes anywhere after the pack header: headers, offsets, zlib data */
        cr_assert(eq(int,
                     lh_sh(repo,
                           "p=$(ls .git/objects/pack/*.pack) && cp ../orig.pack \"$p\" && "
                           "chmod u+w \"$p\" && size=$(wc -c < \"$p\") && "
                           "off=$(( 12 + %u %% (size - 32) )) && "
                           "printf '\\377\\000\\201' | dd of=\"$p\" bs=1 seek=$off conv=notrunc "
                           "2>/dev/null",
                           seed >> 4),
                     0));
        read_all(&b, objects);
    }
    /* a truncated index: the pack is left out, everything goes to the fallback */
    cr_assert(eq(int,
                 lh_sh(repo, "p=$(ls .git/objects/pack/*.idx) && chmod u+w \"$p\" && "
                             "truncate -s 2000 \"$p\""),
                 0));
    cr_assert(eq(sz, read_all(&b, objects), b.n));
}
