/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the baseline loader (lh_baseline_load_buffer). Invariants: a failed load
 * leaves the baseline empty and names the problem; a successful one is sorted with unique
 * fingerprints, every entry is found by lh_baseline_find, and the canonical dump loads
 * back to the same entries and dumps to the very same bytes (the file format is meant to
 * be stable under a load/save round trip).
 */
#include "finding/baseline.h"
#include "fuzz/common.h"

#include <stdlib.h>
#include <string.h>

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void round_trip(const struct lh_baseline *b)
{
    char *dump = NULL;
    char *dump2 = NULL;
    struct lh_baseline b2;
    lh_baseline_init(&b2);
    LH_FUZZ_CHECK(lh_baseline_dump(&dump, b) == 0);
    LH_FUZZ_CHECK(lh_baseline_load_buffer(&b2, "dump.json", dump, strlen(dump)) == 0);
    LH_FUZZ_CHECK(b2.count == b->count);
    for (size_t i = 0; i < b->count; i++) {
        const struct lh_baseline_entry *x = &b->entries[i];
        const struct lh_baseline_entry *y = &b2.entries[i];
        LH_FUZZ_CHECK(strcmp(x->fingerprint, y->fingerprint) == 0);
        LH_FUZZ_CHECK(same_str(x->rule_id, y->rule_id));
        LH_FUZZ_CHECK(same_str(x->path, y->path));
        LH_FUZZ_CHECK(strcmp(x->commit, y->commit) == 0);
        LH_FUZZ_CHECK(same_str(x->reason, y->reason));
        LH_FUZZ_CHECK(same_str(x->owner, y->owner));
        LH_FUZZ_CHECK(strcmp(x->expires, y->expires) == 0);
    }
    LH_FUZZ_CHECK(lh_baseline_dump(&dump2, &b2) == 0);
    LH_FUZZ_CHECK(strcmp(dump, dump2) == 0);
    free(dump);
    free(dump2);
    lh_baseline_dispose(&b2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lh_baseline b;
    lh_baseline_init(&b);
    int rc = lh_baseline_load_buffer(&b, "fuzz-baseline.json", (const char *)data, size);
    if (rc < 0) {
        LH_FUZZ_CHECK(rc == LH_EINVAL || rc == LH_ETOOBIG || rc == LH_ENOMEM);
        LH_FUZZ_CHECK(b.count == 0);
        LH_FUZZ_CHECK(lh_error_get()[0] != '\0');
    } else {
        for (size_t i = 0; i < b.count; i++) {
            if (i > 0) {
                LH_FUZZ_CHECK(strcmp(b.entries[i - 1].fingerprint, b.entries[i].fingerprint) < 0);
            }
            LH_FUZZ_CHECK(lh_baseline_find(&b, b.entries[i].fingerprint) == &b.entries[i]);
            LH_FUZZ_CHECK(b.entries[i].rule_id != NULL);
        }
        round_trip(&b);
    }
    lh_error_clear();
    lh_baseline_dispose(&b);
    return 0;
}
