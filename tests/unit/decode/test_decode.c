/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the decoders (src/decode): which spans lh_decode_find reports (base64 runs
 * at every offset around the 64-byte blocks, wrapped values, percent and escape spans, hex
 * on request), what lh_decode_span makes of them (and refuses: binary, controls, lone
 * surrogates), where lh_decode_map puts each decoded byte, the bounds, inputs that end on a
 * PROT_NONE page, and the AVX2 pass against the portable one on random input.
 */
#include "decode/decode.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAXSPANS 4096
#define ALL LH_DECODE_ALL_KINDS
#define DEF LH_DECODE_DEFAULT_KINDS

struct spans {
    struct lh_decode_span s[MAXSPANS];
    size_t n;
};

static int collect(const struct lh_decode_span *sp, void *payload)
{
    struct spans *x = payload;
    cr_assert(x->n < MAXSPANS);
    x->s[x->n++] = *sp;
    return 0;
}

/* Spans of buf[0..len) found by both passes, which must agree. Heap; caller frees. */
static struct spans *findn(const void *buf, size_t len, unsigned kinds)
{
    struct spans *a = calloc(1, sizeof(*a));
    struct spans *b = calloc(1, sizeof(*b));
    cr_assert(a && b);
    cr_assert(eq(int, lh_decode_find(buf, len, kinds, collect, a), 0));
    cr_assert(eq(int, lh_decode_find_portable(buf, len, kinds, collect, b), 0));
    cr_assert(eq(sz, a->n, b->n));
    for (size_t i = 0; i < a->n; i++) {
        cr_assert(eq(sz, a->s[i].start, b->s[i].start));
        cr_assert(eq(sz, a->s[i].end, b->s[i].end));
        cr_assert(eq(int, a->s[i].kind, b->s[i].kind));
        cr_assert(eq(u32, a->s[i].flags, b->s[i].flags));
    }
    free(b);
    return a;
}

static struct spans *find(const char *text, unsigned kinds)
{
    return findn(text, strlen(text), kinds);
}

/* The decoded text of span i (NUL-terminated heap string), or NULL when refused. */
static char *decoded(const char *text, const struct spans *x, size_t i)
{
    const struct lh_decode_span *sp = &x->s[i];
    size_t cap = sp->end - sp->start;
    char *out = malloc(cap + 1);
    cr_assert(out != NULL);
    size_t n = lh_decode_span((uint8_t *)out, cap, (const uint8_t *)text, sp);
    if (!n) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    return out;
}

/* The one span of `kind` in text: its start, end and decoded text (must decode). */
static void expect_one(const char *text, unsigned kinds, enum lh_decode_kind kind,
                       const char *span_text, const char *want)
{
    struct spans *x = find(text, kinds);
    size_t hits = 0;
    for (size_t i = 0; i < x->n; i++) {
        if (x->s[i].kind != kind) {
            continue;
        }
        hits++;
        const char *at = strstr(text, span_text);
        cr_assert(at != NULL);
        cr_assert(eq(sz, x->s[i].start, (size_t)(at - text)), "span of '%s'", span_text);
        cr_assert(eq(sz, x->s[i].end, (size_t)(at - text) + strlen(span_text)), "in '%s'", text);
        char *got = decoded(text, x, i);
        cr_assert(got != NULL, "'%s' does not decode", span_text);
        cr_assert(eq(str, got, (char *)want));
        free(got);
    }
    cr_assert(eq(sz, hits, 1), "%zu %s spans in '%s'", hits, lh_decode_kind_name(kind), text);
    free(x);
}

static size_t count_kind(const char *text, unsigned kinds, enum lh_decode_kind kind)
{
    struct spans *x = find(text, kinds);
    size_t n = 0;
    for (size_t i = 0; i < x->n; i++) {
        n += x->s[i].kind == kind;
    }
    free(x);
    return n;
}

Test(decode, kind_names_round_trip)
{
    for (unsigned k = 0; k < LH_DECODE_NKINDS; k++) {
        enum lh_decode_kind got;
        cr_assert(eq(int, lh_decode_kind_parse(&got, lh_decode_kind_name(k)), 0));
        cr_assert(eq(u32, (unsigned)got, k));
    }
    enum lh_decode_kind got;
    cr_assert(eq(int, lh_decode_kind_parse(&got, "base32"), LH_EINVAL));
    cr_assert(eq(int, lh_decode_kind_parse(&got, NULL), LH_EINVAL));
    cr_assert(eq(str, (char *)lh_decode_kind_name(LH_DECODE_NKINDS), "?"));
}

Test(decode, base64_standard_and_url_safe_padded_or_not)
{
    expect_one("auth: ZGVwbG95OlMzY3IzdD5wYXNzP3dvcmR+b2s=\n", DEF, LH_DECODE_BASE64,
               "ZGVwbG95OlMzY3IzdD5wYXNzP3dvcmR+b2s=", "deploy:S3cr3t>pass?word~ok");
    expect_one("auth: 'ZGVwbG95OlMzY3IzdD5wYXNzP3dvcmR-b2s'\n", DEF, LH_DECODE_BASE64,
               "ZGVwbG95OlMzY3IzdD5wYXNzP3dvcmR-b2s", "deploy:S3cr3t>pass?word~ok");
    expect_one("x=cGFzc3dvcmQ9Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5LXN0YXBsZQ==;", DEF, LH_DECODE_BASE64,
               "cGFzc3dvcmQ9Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5LXN0YXBsZQ==",
               "password=correct-horse-battery-staple");
    /* URL-safe values of text with '?' or '>': found by the 20 characters after the '_' or
     * '-', read whole from their start */
    expect_one(
        "v: YWI_aGVsbG8gd29ybGQsIHRoZSBxdWljayBicm93biBmb3g=\n", DEF, LH_DECODE_BASE64,
        "YWI_aGVsbG8gd29ybGQsIHRoZSBxdWljayBicm93biBmb3g=", "ab?hello world, the quick brown fox");
    expect_one("v: YWI-P2NkPj9oZWxsbyB0aGVyZSwgZ2VuZXJhbCBrZW5vYmkhIQ==\n", DEF, LH_DECODE_BASE64,
               "YWI-P2NkPj9oZWxsbyB0aGVyZSwgZ2VuZXJhbCBrZW5vYmkhIQ==",
               "ab>?cd>?hello there, general kenobi!!");
    /* the shortest run looked at: 20 characters, 15 bytes */
    expect_one("(SGkgdGhlcmUsIGhlbGxv)", DEF, LH_DECODE_BASE64, "SGkgdGhlcmUsIGhlbGxv",
               "Hi there, hello");
    cr_assert(eq(sz, count_kind("(SGkgdGhlcmUsIGhlbGx)", DEF, LH_DECODE_BASE64), 0));
}

Test(decode, runs_that_cannot_be_base64_are_not_candidates)
{
    /* one letter case only: identifiers, hex digests, constants, rulers */
    cr_assert(eq(
        sz, count_kind("static int lh_detect_scratch_free_all(void);", DEF, LH_DECODE_BASE64), 0));
    cr_assert(
        eq(sz, count_kind("da39a3ee5e6b4b0d3255bfef95601890afd80709", DEF, LH_DECODE_BASE64), 0));
    cr_assert(eq(sz, count_kind("MAX_DECODE_DEPTH_OF_EVERYTHING", DEF, LH_DECODE_BASE64), 0));
    cr_assert(
        eq(sz, count_kind("----------------------------------------", DEF, LH_DECODE_BASE64), 0));
    /* both alphabets at once */
    cr_assert(eq(sz, count_kind("aGVsbG8gd29y+bGQ_gMTIzNDU", DEF, LH_DECODE_BASE64), 0));
    /* 4n + 1 characters is no base64 length */
    cr_assert(eq(sz, count_kind("aGVsbG8gd29ybGQgMTIzNDUxY", DEF, LH_DECODE_BASE64), 0));
    /* a candidate that decodes to binary is refused by lh_decode_span */
    const char *bin = "key: iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4\n";
    struct spans *x = find(bin, DEF);
    cr_assert(eq(sz, x->n, 1));
    cr_assert(decoded(bin, x, 0) == NULL);
    free(x);
}

/* A run that starts at every offset around two block boundaries is found whole. */
Test(decode, runs_found_at_every_offset_across_blocks)
{
    static const char *const runs[] = {"aGVsbG8gd29ybGQgMTIzNDU=", "SGkgdGhlcmUsIGhlbGxv",
                                       "cGFzc3dvcmQ9Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5LXN0YXBsZQ==",
                                       "ZGVwbG95OlMzY3IzdD5wYXNzP3dvcmR+b2s="};
    char buf[400];
    for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        size_t n = strlen(runs[r]);
        for (size_t off = 0; off + n <= 260; off++) {
            memset(buf, '.', sizeof(buf));
            memcpy(buf + off, runs[r], n);
            for (size_t len = off + n; len <= off + n + 1; len++) {
                struct spans *x = findn(buf, len, DEF);
                cr_assert(eq(sz, x->n, 1), "run %zu at %zu, len %zu", r, off, len);
                cr_assert(eq(sz, x->s[0].start, off));
                cr_assert(eq(sz, x->s[0].end, off + n));
                free(x);
            }
            /* one character shorter than the minimum, anywhere: nothing */
            memset(buf, '.', sizeof(buf));
            memcpy(buf + off, "SGkgdGhlcmUsIGhlbGx", 19);
            struct spans *x = findn(buf, sizeof(buf), DEF);
            cr_assert(eq(sz, x->n, 0), "19 characters at %zu", off);
            free(x);
        }
    }
}

/* base64 of `text`, wrapped at `width` with `indent` and `eol` (heap). */
static char *wrapped(const char *text, size_t width, const char *indent, const char *eol)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(text);
    size_t enc = (n + 2) / 3 * 4;
    char *b = malloc(enc + 1);
    char *out = malloc(enc * 4 + 64);
    cr_assert(b && out);
    const uint8_t *t = (const uint8_t *)text;
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)t[i] << 16 | (i + 1 < n ? (unsigned)t[i + 1] << 8 : 0) |
                     (i + 2 < n ? t[i + 2] : 0);
        b[k++] = a[v >> 18];
        b[k++] = a[(v >> 12) & 63];
        b[k++] = i + 1 < n ? a[(v >> 6) & 63] : '=';
        b[k++] = i + 2 < n ? a[v & 63] : '=';
    }
    b[k] = '\0';
    size_t o = 0;
    for (size_t i = 0; i < k; i += width) {
        o += (size_t)sprintf(out + o, "%s%.*s%s", indent, (int)width, b + i, eol);
    }
    free(b);
    return out;
}

static const char long_text[] =
    "apiVersion: v1\nkind: Config\nusers:\n- name: deploy\n  user:\n    token: "
    "not-a-real-token-but-long-enough-to-wrap-over-several-lines-of-base64-output\n";

Test(decode, wrapped_base64_pem_and_yaml_block_scalar)
{
    struct {
        size_t width;
        const char *indent, *eol;
    } cases[] = {{64, "", "\n"}, {76, "    ", "\n"}, {76, "  ", "\r\n"}, {60, "\t", "\n"}};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        char *w = wrapped(long_text, cases[c].width, cases[c].indent, cases[c].eol);
        char *doc = malloc(strlen(w) + 64);
        cr_assert(doc != NULL);
        sprintf(doc, "data:\n  config: |\n%s  other: 1\n", w);
        struct spans *x = find(doc, DEF);
        cr_assert(eq(sz, x->n, 1), "width %zu: %zu spans", cases[c].width, x->n);
        cr_assert(eq(u32, x->s[0].flags & LH_DECODE_F_WRAPPED, LH_DECODE_F_WRAPPED));
        char *got = decoded(doc, x, 0);
        cr_assert(got != NULL);
        cr_assert(eq(str, got, (char *)long_text));
        free(got);
        free(x);
        free(doc);
        free(w);
    }
}

Test(decode, lines_of_different_widths_are_not_one_value)
{
    /* two 64-character lines of separate values, then a longer one: no joining across */
    char *w = wrapped(long_text, 64, "", "\n");
    char doc[2048];
    size_t first = strlen("a: ") + 64;
    snprintf(doc, sizeof(doc), "a: %.64s\nb: %.64s\n", w, w + 65);
    struct spans *x = find(doc, DEF);
    cr_assert(eq(sz, x->n, 2));
    cr_assert(eq(u32, x->s[0].flags, 0));
    cr_assert(eq(sz, x->s[0].end, first));
    free(x);
    /* a 40-wide wrap (narrower than any tool's) stays separate lines */
    char *n40 = wrapped(long_text, 40, "", "\n");
    x = find(n40, DEF);
    cr_assert(x->n > 1);
    for (size_t i = 0; i < x->n; i++) {
        cr_assert(eq(u32, x->s[i].flags & LH_DECODE_F_WRAPPED, 0));
    }
    free(x);
    free(n40);
    free(w);
}

Test(decode, percent_spans)
{
    expect_one("curl 'https://api.example.test/cb?token=%67%68p%5Fabc&x=1' -o out", DEF,
               LH_DECODE_PERCENT, "https://api.example.test/cb?token=%67%68p%5Fabc&x=1",
               "https://api.example.test/cb?token=ghp_abc&x=1");
    /* printf formats are not percent encoding; %0 + digit decodes to a control byte */
    cr_assert(eq(sz, count_kind("printf(\"%s: %d\\n\", name, n);", DEF, LH_DECODE_PERCENT), 0));
    struct spans *x = find("snprintf(b, n, \"%02x%02x\", a, c);", DEF);
    for (size_t i = 0; i < x->n; i++) {
        cr_assert(decoded("snprintf(b, n, \"%02x%02x\", a, c);", x, i) == NULL);
    }
    free(x);
}

Test(decode, escape_spans_json_and_code)
{
    expect_one("{\"token\": \"\\u0067\\u0068p_abcdef\", \"n\": 1}", DEF, LH_DECODE_ESCAPE,
               "\\u0067\\u0068p_abcdef", "ghp_abcdef");
    /* the string's other escapes, an escaped quote, a surrogate pair, \x and \/ */
    expect_one("s = \"caf\\u00e9 \\\"q\\\" \\ud83d\\ude00 \\x41\\/b\\tc\";", DEF, LH_DECODE_ESCAPE,
               "caf\\u00e9 \\\"q\\\" \\ud83d\\ude00 \\x41\\/b\\tc",
               "caf\xc3\xa9 \"q\" \xf0\x9f\x98\x80 A/b\tc");
    expect_one("u = 'https:\\/\\/user:pa55@host.test\\/x'", DEF, LH_DECODE_ESCAPE,
               "https:\\/\\/user:pa55@host.test\\/x", "https://user:pa55@host.test/x");
    /* only \n-style escapes: not a candidate (nothing is hidden by them) */
    cr_assert(eq(sz, count_kind("printf(\"hello world\\n\");", DEF, LH_DECODE_ESCAPE), 0));
    /* a lone surrogate or a NUL is not text */
    struct spans *x = find("\"abc\\ud83d and more text\"", DEF);
    cr_assert(eq(sz, x->n, 1));
    cr_assert(decoded("\"abc\\ud83d and more text\"", x, 0) == NULL);
    free(x);
    x = find("\"abc\\u0000 and more text\"", DEF);
    cr_assert(eq(sz, x->n, 1));
    cr_assert(decoded("\"abc\\u0000 and more text\"", x, 0) == NULL);
    free(x);
}

Test(decode, hex_only_when_asked)
{
    const char *t = "k = 6768705f616263646566676869706a6b6c6d6e6f70 # hex\n";
    cr_assert(eq(sz, count_kind(t, DEF, LH_DECODE_HEX), 0));
    expect_one(t, ALL, LH_DECODE_HEX, "6768705f616263646566676869706a6b6c6d6e6f70",
               "ghp_abcdefghipjklmnop");
    /* a SHA-1 is a candidate, but not text */
    struct spans *x = find("da39a3ee5e6b4b0d3255bfef95601890afd80709", ALL);
    cr_assert(eq(sz, x->n, 1));
    cr_assert(decoded("da39a3ee5e6b4b0d3255bfef95601890afd80709", x, 0) == NULL);
    free(x);
}

/* Every decoded byte of span 0 of text maps into the span, in order, ends after starts. */
static void check_map_monotonic(const char *text, const struct spans *x, size_t i)
{
    const struct lh_decode_span *sp = &x->s[i];
    char *d = decoded(text, x, i);
    cr_assert(d != NULL);
    size_t n = strlen(d);
    struct lh_decode_cursor cur = {0};
    size_t prev = sp->start;
    for (size_t j = 0; j < n; j++) {
        size_t s = lh_decode_map((const uint8_t *)text, sp, j, false, &cur);
        size_t e = lh_decode_map((const uint8_t *)text, sp, j + 1, true, &cur);
        cr_assert(s >= prev && s < e && e <= sp->end, "byte %zu: [%zu, %zu)", j, s, e);
        /* the same without a cursor, and backwards from a later cursor */
        cr_assert(eq(sz, lh_decode_map((const uint8_t *)text, sp, j, false, NULL), s));
        cr_assert(eq(sz, lh_decode_map((const uint8_t *)text, sp, j + 1, true, NULL), e));
        prev = s;
    }
    struct lh_decode_cursor late = {0};
    (void)lh_decode_map((const uint8_t *)text, sp, n - 1, false, &late);
    cr_assert(eq(sz, lh_decode_map((const uint8_t *)text, sp, 0, false, &late), sp->start));
    free(d);
}

Test(decode, map_puts_each_byte_where_its_encoding_is)
{
    /* base64: byte j of a quantum has its bits in characters j and j + 1 */
    const char *t = "x: aGVsbG8gd29ybGQgMTIzNDU=\n";
    struct spans *x = find(t, DEF);
    cr_assert(eq(sz, x->n, 1));
    for (size_t j = 0; j < 17; j++) {
        size_t q = 3 + 4 * (j / 3) + j % 3;
        cr_assert(eq(sz, lh_decode_map((const uint8_t *)t, &x->s[0], j, false, NULL), q));
        cr_assert(eq(sz, lh_decode_map((const uint8_t *)t, &x->s[0], j + 1, true, NULL), q + 2));
    }
    check_map_monotonic(t, x, 0);
    free(x);
    /* escapes: a byte maps to its whole escape sequence */
    t = "{\"k\": \"\\u0067\\u0068p_abcdef\"}";
    x = find(t, DEF);
    cr_assert(eq(sz, lh_decode_map((const uint8_t *)t, &x->s[0], 0, false, NULL), 7));
    cr_assert(eq(sz, lh_decode_map((const uint8_t *)t, &x->s[0], 1, true, NULL), 13));
    cr_assert(eq(sz, lh_decode_map((const uint8_t *)t, &x->s[0], 1, false, NULL), 13));
    cr_assert(eq(sz, lh_decode_map((const uint8_t *)t, &x->s[0], 3, false, NULL), 20));
    check_map_monotonic(t, x, 0);
    free(x);
    /* percent */
    t = "u=https://h.test/?a=%67%68p_x";
    x = find(t, DEF);
    cr_assert(eq(sz, x->s[0].start, 0)); /* "u=" is made of URL characters too */
    cr_assert(eq(sz, lh_decode_map((const uint8_t *)t, &x->s[0], 20, false, NULL), 20));
    cr_assert(eq(sz, lh_decode_map((const uint8_t *)t, &x->s[0], 21, true, NULL), 23));
    cr_assert(eq(sz, lh_decode_map((const uint8_t *)t, &x->s[0], 22, false, NULL), 26));
    check_map_monotonic(t, x, 0);
    free(x);
    /* wrapped: 64 characters (48 bytes) a line; the line break and indent are skipped */
    char *w = wrapped(long_text, 64, "  ", "\n");
    x = find(w, DEF);
    cr_assert(eq(sz, x->n, 1));
    cr_assert(eq(sz, lh_decode_map((const uint8_t *)w, &x->s[0], 48, true, NULL), 2 + 64));
    cr_assert(eq(sz, lh_decode_map((const uint8_t *)w, &x->s[0], 48, false, NULL), 2 + 64 + 3));
    cr_assert(eq(sz, lh_decode_map((const uint8_t *)w, &x->s[0], 49, true, NULL), 2 + 64 + 5));
    check_map_monotonic(w, x, 0);
    free(x);
    free(w);
}

Test(decode, long_runs_are_skipped_and_the_scan_goes_on)
{
    size_t n = LH_DECODE_MAX_SPAN + 8;
    char *buf = malloc(n + 64);
    cr_assert(buf != NULL);
    for (size_t i = 0; i < n; i++) {
        buf[i] = "aGVsbG8g"[i % 8];
    }
    strcpy(buf + n, " SGkgdGhlcmUsIGhlbGxv");
    struct spans *x = findn(buf, strlen(buf), DEF);
    cr_assert(eq(sz, x->n, 1));
    cr_assert(eq(sz, x->s[0].start, n + 1));
    free(x);
    free(buf);
}

static int stop_at_first(const struct lh_decode_span *sp, void *payload)
{
    (void)sp;
    (*(int *)payload)++;
    return LH_EIO;
}

Test(decode, callback_error_stops_the_scan)
{
    int calls = 0;
    const char *t = "SGkgdGhlcmUsIGhlbGxv SGkgdGhlcmUsIGhlbGxv %41%42%43%44%45%46";
    cr_assert(
        eq(int, lh_decode_find((const uint8_t *)t, strlen(t), DEF, stop_at_first, &calls), LH_EIO));
    cr_assert(eq(int, calls, 1));
}

/* Finds, decodes and maps every span of buf[0..len); reads must stay inside it. */
static void exercise(const uint8_t *buf, size_t len)
{
    struct spans *x = findn(buf, len, ALL);
    uint8_t *out = malloc(len + 1);
    cr_assert(out != NULL);
    for (size_t i = 0; i < x->n; i++) {
        const struct lh_decode_span *sp = &x->s[i];
        cr_assert(sp->start < sp->end && sp->end <= len);
        size_t n = lh_decode_span(out, sp->end - sp->start, buf, sp);
        struct lh_decode_cursor cur = {0};
        for (size_t j = 0; j < n; j++) {
            size_t s = lh_decode_map(buf, sp, j, false, &cur);
            size_t e = lh_decode_map(buf, sp, j + 1, true, &cur);
            cr_assert(s >= sp->start && s < e && e <= sp->end);
        }
    }
    free(out);
    free(x);
}

Test(decode, input_ending_before_a_guard_page)
{
    static const char *const texts[] = {
        "token: SGkgdGhlcmUsIGhlbGxv",
        "x SGkgdGhlcmUsIGhlbGxvSGkgdGhlcmUsIGhlbGxv==",
        "\"a\\u0067\\u00",
        "\"abc\\ud83d\\ude0",
        "\"abcdefgh\\x4",
        "\"abcdefgh\\",
        "https://a.test/?q=%41%4",
        "https://a.test/?q=%",
        "6768705f61626364656667686970",
        "\"q\\\"\\\"\\\\\\/abc",
    };
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *p =
        mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(p != MAP_FAILED);
    cr_assert(eq(int, mprotect(p + page, (size_t)page, PROT_NONE), 0));
    uint8_t *end = p + page;
    for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        size_t len = strlen(texts[t]);
        for (size_t k = 0; k <= len; k++) {
            memcpy(end - k, texts[t] + len - k, k);
            exercise(end - k, k);
            memcpy(end - k, texts[t], k);
            exercise(end - k, k);
        }
    }
    /* a whole page of base64 characters that ends at the guard */
    for (long i = 0; i < page; i++) {
        p[i] = (uint8_t) "aGVsbG8g"[i % 8];
    }
    exercise(p, (size_t)page);
    munmap(p, 2 * (size_t)page);
}

Test(decode, random_input_avx2_and_portable_agree)
{
    static const char alphabet[] = "aGVsbG8gZ2hwX0FB+/-_=%\\\"' \n\r\t:u0x7e{}.,Q";
    uint8_t *buf = malloc(70000);
    cr_assert(buf != NULL);
    unsigned seed = 12345;
    for (int round = 0; round < 200; round++) {
        size_t len = (size_t)(rand_r(&seed) % 70000);
        /* long stretches of one kind of character, so runs and spans form */
        for (size_t i = 0; i < len;) {
            size_t stretch = 1 + (size_t)(rand_r(&seed) % 80);
            int kind = rand_r(&seed) % 4;
            for (size_t j = 0; j < stretch && i < len; j++, i++) {
                switch (kind) {
                case 0:
                    buf[i] = (uint8_t)alphabet[rand_r(&seed) % 16];
                    break;
                case 1:
                    buf[i] = (uint8_t)alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
                    break;
                case 2:
                    buf[i] = (uint8_t)(rand_r(&seed) & 0xFF);
                    break;
                default:
                    buf[i] = (uint8_t) "%41\\u0067\\/"[j % 11];
                    break;
                }
            }
        }
        exercise(buf, len);
    }
    free(buf);
}
