/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the decoders (src/decode): lh_decode_find over arbitrary bytes with
 * every kind, the AVX2 pass against the portable one (same spans, in the same order), then
 * lh_decode_span and lh_decode_map on every span. Invariants: spans lie inside the input,
 * decoding writes no more than the span's length and is deterministic, every decoded byte
 * maps into its span with start < end, starts never decrease, and a cursor changes nothing.
 */
#include "decode/decode.h"
#include "fuzz/common.h"

#include <stdlib.h>
#include <string.h>

#define MAXSPANS 4096

struct spans {
    struct lh_decode_span s[MAXSPANS];
    size_t n;
};

static int collect(const struct lh_decode_span *sp, void *payload)
{
    struct spans *x = payload;
    if (x->n < MAXSPANS) {
        x->s[x->n] = *sp;
    }
    x->n++;
    return 0;
}

static struct spans a;
static struct spans b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    a.n = 0;
    b.n = 0;
    LH_FUZZ_CHECK(lh_decode_find(data, size, LH_DECODE_ALL_KINDS, collect, &a) == 0);
    LH_FUZZ_CHECK(lh_decode_find_portable(data, size, LH_DECODE_ALL_KINDS, collect, &b) == 0);
    LH_FUZZ_CHECK(a.n == b.n);
    size_t n = a.n < MAXSPANS ? a.n : MAXSPANS;
    LH_FUZZ_CHECK(memcmp(a.s, b.s, n * sizeof(a.s[0])) == 0);
    uint8_t *out = malloc(size + 1);
    uint8_t *again = malloc(size + 1);
    LH_FUZZ_CHECK(out != NULL && again != NULL);
    for (size_t i = 0; i < n; i++) {
        const struct lh_decode_span *sp = &a.s[i];
        LH_FUZZ_CHECK(sp->start < sp->end && sp->end <= size);
        LH_FUZZ_CHECK(sp->end - sp->start <= LH_DECODE_MAX_SPAN);
        LH_FUZZ_CHECK((unsigned)sp->kind < LH_DECODE_NKINDS);
        size_t cap = sp->end - sp->start;
        size_t got = lh_decode_span(out, cap, data, sp);
        LH_FUZZ_CHECK(got == 0 || (got >= LH_DECODE_MIN_OUT && got <= cap));
        LH_FUZZ_CHECK(lh_decode_span(again, cap, data, sp) == got);
        LH_FUZZ_CHECK(memcmp(out, again, got) == 0);
        struct lh_decode_cursor cur = {0};
        size_t prev = sp->start;
        for (size_t j = 0; j < got; j++) {
            size_t s = lh_decode_map(data, sp, j, false, &cur);
            size_t e = lh_decode_map(data, sp, j + 1, true, &cur);
            LH_FUZZ_CHECK(s >= prev && s < e && e <= sp->end);
            if (cap <= 4096) { /* without a cursor each map walks from the span's start */
                LH_FUZZ_CHECK(lh_decode_map(data, sp, j, false, NULL) == s);
                LH_FUZZ_CHECK(lh_decode_map(data, sp, j + 1, true, NULL) == e);
            }
            prev = s;
        }
    }
    free(out);
    free(again);
    return 0;
}
