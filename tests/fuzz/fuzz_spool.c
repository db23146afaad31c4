/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the revocation spool reader. Each input becomes the journal file
 * (revoke.jsonl) of a scratch state directory, which is opened read-only (what
 * `revoke status` and dry runs do: replay, skipping torn and corrupt lines with a
 * warning). Then it is opened read-write and compacted (the snapshot writer), and the
 * compacted journal is replayed again. Invariants: replay never fails on content (only
 * LH_ETOOBIG past the journal cap), every entry has a well-formed id and key, and
 * compaction preserves every entry's id, state, key, URL, rule id and attempt count.
 * Warnings must not quote journal content (which holds raw tokens): they may name the
 * file, a line number and a fixed reason, so no JSON punctuation may appear in them.
 */
#include "fuzz/common.h"
#include "notify/spool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct snap {
    char id[LH_SPOOL_ID_LEN + 1];
    char key[LH_SHA256_HEX_LEN + 1];
    int state;
    unsigned attempts;
    char *url;
    char *rule_id;
};

static struct snap *before;
static size_t nbefore;
static size_t warnings;

static void on_warn(const char *msg, void *payload)
{
    (void)payload;
    LH_FUZZ_CHECK(msg != NULL && strlen(msg) < 1024);
    LH_FUZZ_CHECK(strchr(msg, '{') == NULL && strchr(msg, '"') == NULL);
    warnings++;
}

static void take(struct lh_spool *sp)
{
    nbefore = lh_spool_count(sp);
    before = calloc(nbefore + 1, sizeof(*before));
    LH_FUZZ_CHECK(before != NULL);
    for (size_t i = 0; i < nbefore; i++) {
        const struct lh_spool_entry *e = lh_spool_at(sp, i);
        LH_FUZZ_CHECK(strlen(e->id) == LH_SPOOL_ID_LEN && strlen(e->key) == LH_SHA256_HEX_LEN);
        LH_FUZZ_CHECK(e->url != NULL && e->rule_id != NULL);
        LH_FUZZ_CHECK(e->state != LH_SPOOL_PENDING || e->body != NULL);
        LH_FUZZ_CHECK(e->state == LH_SPOOL_PENDING || e->body == NULL);
        memcpy(before[i].id, e->id, sizeof(before[i].id));
        memcpy(before[i].key, e->key, sizeof(before[i].key));
        before[i].state = (int)e->state;
        before[i].attempts = e->attempts;
        before[i].url = strdup(e->url);
        before[i].rule_id = strdup(e->rule_id);
        LH_FUZZ_CHECK(before[i].url != NULL && before[i].rule_id != NULL);
    }
}

static void compare(struct lh_spool *sp)
{
    LH_FUZZ_CHECK(lh_spool_count(sp) == nbefore);
    for (size_t i = 0; i < nbefore; i++) {
        const struct lh_spool_entry *e = lh_spool_find(sp, before[i].id);
        LH_FUZZ_CHECK(e != NULL);
        LH_FUZZ_CHECK((int)e->state == before[i].state);
        LH_FUZZ_CHECK(strcmp(e->key, before[i].key) == 0);
        LH_FUZZ_CHECK(strcmp(e->url, before[i].url) == 0);
        LH_FUZZ_CHECK(strcmp(e->rule_id, before[i].rule_id) == 0);
        LH_FUZZ_CHECK(e->attempts == before[i].attempts);
    }
}

static void release(void)
{
    for (size_t i = 0; i < nbefore; i++) {
        free(before[i].url);
        free(before[i].rule_id);
    }
    free(before);
    before = NULL;
    nbefore = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char dir[400];
    char path[512];
    snprintf(dir, sizeof(dir), "%s/state", lh_fuzz_tmpdir());
    (void)mkdir(dir, 0700);
    snprintf(path, sizeof(path), "%s/%s", dir, LH_SPOOL_JOURNAL);
    lh_fuzz_write(path, data, size);

    struct lh_spool *sp = NULL;
    int rc = lh_spool_open(&sp, dir, true, on_warn, NULL);
    if (rc < 0) {
        LH_FUZZ_CHECK(rc == LH_ETOOBIG || rc == LH_ENOMEM);
        lh_error_clear();
        return 0;
    }
    LH_FUZZ_CHECK(lh_spool_lock(sp) == 0);
    take(sp);
    lh_spool_unlock(sp);
    lh_spool_free(sp);

    /* read-write: compact, then replay the snapshot */
    sp = NULL;
    LH_FUZZ_CHECK(lh_spool_open(&sp, dir, false, on_warn, NULL) == 0);
    LH_FUZZ_CHECK(lh_spool_lock(sp) == 0);
    LH_FUZZ_CHECK(lh_spool_compact(sp) == 0);
    lh_spool_unlock(sp);
    lh_spool_free(sp);
    sp = NULL;
    LH_FUZZ_CHECK(lh_spool_open(&sp, dir, true, on_warn, NULL) == 0);
    LH_FUZZ_CHECK(lh_spool_lock(sp) == 0);
    compare(sp);
    lh_spool_unlock(sp);
    lh_spool_free(sp);
    release();
    lh_error_clear();
    return 0;
}
