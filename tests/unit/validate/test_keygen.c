/* SPDX-License-Identifier: MIT */
/*
 * Key issuing (validate/keygen): the key layout and checksum (recomputed here independently
 * with zlib), uniformity and uniqueness, and prefix validation. The round trip through the
 * binary (`leakhound keygen`, then `scan --rules`) is tests/e2e/cli/test_keygen.c.
 */
#include "support/support.h"
#include "util/hash.h"
#include "validate/keygen.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* The GitHub checksum, written out here rather than taken from src/. */
static void checksum(char out[7], const char *random, size_t n)
{
    unsigned long c = crc32(0L, (const unsigned char *)random, (unsigned)n);
    for (int i = 5; i >= 0; i--) {
        out[i] = b62[c % 62];
        c /= 62;
    }
    out[6] = 0;
}

Test(keygen, key_layout_and_checksum)
{
    const size_t lens[] = {LH_KEYGEN_MIN_RANDOM, 30, 64, LH_KEYGEN_MAX_RANDOM};
    for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
        char key[LH_KEYGEN_MAX_KEY];
        cr_assert(eq(int, lh_keygen_key(key, sizeof(key), "acme_live_", lens[li]), 0));
        cr_assert(eq(sz, strlen(key), 10 + lens[li] + 6));
        cr_assert(eq(int, strncmp(key, "acme_live_", 10), 0));
        for (size_t i = 10; i < strlen(key); i++) {
            cr_assert(strchr(b62, key[i]) != NULL, "character %zu", i);
        }
        char want[7];
        checksum(want, key + 10, lens[li]);
        cr_assert(eq(str, key + 10 + lens[li], want));
    }
    char small[20];
    cr_assert(eq(int, lh_keygen_key(small, sizeof(small), "acme_", 30), LH_ETOOBIG));
    cr_assert(eq(int, lh_keygen_key(small, sizeof(small), "acme_", 21), LH_EINVAL));
}

Test(keygen, keys_are_unique_and_use_the_whole_alphabet)
{
    enum { N = 400 };
    static char keys[N][48];
    size_t counts[128] = {0};
    for (int i = 0; i < N; i++) {
        cr_assert(eq(int, lh_keygen_key(keys[i], sizeof(keys[i]), "t_", 30), 0));
        for (int j = 0; j < 30; j++) {
            counts[(unsigned char)keys[i][2 + j]]++;
        }
        for (int k = 0; k < i; k++) {
            cr_assert(ne(str, keys[i], keys[k]));
        }
    }
    /* 12000 draws over 62 symbols: ~194 each; a biased or truncated alphabet shows */
    for (size_t c = 0; c < 62; c++) {
        size_t n = counts[(unsigned char)b62[c]];
        cr_assert(gt(sz, n, 100), "'%c' drawn %zu times", b62[c], n);
        cr_assert(lt(sz, n, 300), "'%c' drawn %zu times", b62[c], n);
    }
}

Test(keygen, rejects_bad_prefixes)
{
    static const char *const bad[] = {
        "",       "_",      "a",      "acme", "1acme_",
        "acme-_", "ac me_", "acme_$", "ébc_", "abcdefghijklmnopqrstuvwxyzabcdefgh_"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert(eq(int, lh_keygen_check_prefix(bad[i]), LH_EINVAL), "prefix %zu", i);
    }
    cr_assert(eq(int, lh_keygen_check_prefix("acme_live_"), 0));
    cr_assert(eq(int, lh_keygen_check_prefix("Ab_"), 0));
    char id[64];
    lh_keygen_rule_id(id, sizeof(id), "acme_live_");
    cr_assert(eq(str, id, "acme-live-key"));
    lh_keygen_rule_id(id, sizeof(id), "Acme__x_");
    cr_assert(eq(str, id, "acme-x-key"));
}
