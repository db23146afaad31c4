/* SPDX-License-Identifier: MIT */
/*
 * Candidate spans for decoding (lh_decode_find, see decode.h), in one pass over the buffer.
 * The pass classifies 64 bytes at a time into bit masks (AVX2 where the CPU has it, else SSE2
 * where the compiler targets it, else a plain loop): the base64 alphabet without '-' and '_',
 * and the two bytes that start an encoded sequence, '%' and '\\'. Runs of
 * LH_DECODE_MIN_BASE64 such bytes are found with shifts on the mask (a run crossing a block
 * boundary through the count of alphabet bytes that ended the previous block), so ordinary
 * text, where such runs are rare, costs a few instructions per 64 bytes; a '%' or '\\' that
 * starts no encoded sequence (a printf format, "\\n") is dropped at once. Only at a run or at
 * a '%XX', '\\uXXXX', '\\xXX' or '\\/' does byte-by-byte work begin.
 *
 * '-' and '_' count only once a run is found, which is then read over the whole alphabet in
 * both directions: they are everywhere in identifiers (snake_case, kebab-case: eight of nine
 * 20-character runs of source code), while base64 of ASCII text has them (or '+' and '/')
 * only where the text has '>', '?' or '~', so a URL-safe value of text is still found by its
 * 20-character stretches between them.
 *
 * Linear time: a run is read once and the scan resumes after it; a percent or escape span
 * extends left no further than the previous span of its kind and at most LH_DECODE_MAX_SPAN
 * either way, and the '%' / '\\' bytes inside it start nothing new.
 */
#include "decode/decode.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#define LH_DECODE_AVX2 1
#include <immintrin.h>
#endif

/* A wrapped base64 value: lines of one width, at least this wide and a multiple of 4. */
#define MIN_WRAP 60

/* The shortest run lh_decode_find looks at (the smaller of the base64 and hex minimums). */
#define MIN_RUN                                                                                    \
    (LH_DECODE_MIN_BASE64 < LH_DECODE_MIN_HEX ? LH_DECODE_MIN_BASE64 : LH_DECODE_MIN_HEX)

struct finder {
    const uint8_t *buf;
    size_t len;
    unsigned kinds;
    lh_decode_span_cb cb;
    void *payload;
};

/* Byte classes, one bit each (see the names below); generated, checked by test_decode. */
enum {
    C_B64 = 0x01,  /* either base64 alphabet: what the run masks mark */
    C_STD = 0x02,  /* '+' '/' (standard alphabet only) */
    C_URL = 0x04,  /* '-' '_' (URL-safe alphabet only) */
    C_UP = 0x08,   /* 'A'-'Z' */
    C_LO = 0x10,   /* 'a'-'z' */
    C_HEX = 0x20,  /* hex digit */
    C_URLC = 0x40, /* URL character (RFC 3986 unreserved, reserved, '%'); no quotes */
    C_STRC = 0x80, /* inside a quoted string: not a quote, line break or other control */
};

static const uint8_t ctab[256] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x80, 0xc0, 0x00, 0xc0, 0xc0, 0xc0, 0xc0, 0x00, 0xc0, 0xc0, 0xc0, 0xc3, 0xc0, 0xc5, 0xc0, 0xc3,
    0xe1, 0xe1, 0xe1, 0xe1, 0xe1, 0xe1, 0xe1, 0xe1, 0xe1, 0xe1, 0xc0, 0xc0, 0x80, 0xc0, 0x80, 0xc0,
    0xc0, 0xe9, 0xe9, 0xe9, 0xe9, 0xe9, 0xe9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc9,
    0xc9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc9, 0xc0, 0x80, 0xc0, 0x80, 0xc5,
    0x00, 0xf1, 0xf1, 0xf1, 0xf1, 0xf1, 0xf1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1,
    0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0x80, 0x80, 0x80, 0xc0, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
};

static bool hexdigit(uint8_t c)
{
    return ctab[c] & C_HEX;
}

static bool urlchar(uint8_t c)
{
    return ctab[c] & C_URLC;
}

static bool strchar(uint8_t c)
{
    return ctab[c] & C_STRC;
}

/*
 * The masks of p[0..64): m, its alphabet bytes; pct and esc, its '%' and '\\' bytes. SSE2
 * (the x86-64 baseline) tests ranges with signed compares after a shift; AVX2, where the CPU
 * has it, looks both nibbles of each byte up in two 16-byte tables (row and column bits of
 * the alphabet) and does 32 bytes per step.
 */
static inline void masks_base(const uint8_t *p, uint64_t *m, uint64_t *pct, uint64_t *esc)
{
    uint64_t mm = 0;
    uint64_t pp = 0;
    uint64_t ee = 0;
#if defined(__SSE2__)
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
        __m128i alpha = _mm_cmplt_epi8(_mm_add_epi8(lower, _mm_set1_epi8((char)(0x80 - 'a'))),
                                       _mm_set1_epi8((char)(-128 + 26)));
        __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - '0'))),
                                       _mm_set1_epi8((char)(-128 + 10)));
        __m128i sym = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('+')),
                                   _mm_cmpeq_epi8(x, _mm_set1_epi8('/')));
        __m128i cls = _mm_or_si128(_mm_or_si128(alpha, digit), sym);
        mm |= (uint64_t)(uint16_t)_mm_movemask_epi8(cls) << (16 * k);
        pp |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('%')))
              << (16 * k);
        ee |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')))
              << (16 * k);
    }
#else
    for (int i = 0; i < 64; i++) {
        mm |= (uint64_t)((ctab[p[i]] & (C_B64 | C_URL)) == C_B64) << i;
        pp |= (uint64_t)(p[i] == '%') << i;
        ee |= (uint64_t)(p[i] == '\\') << i;
    }
#endif
    *m = mm;
    *pct = pp;
    *esc = ee;
}

#if defined(LH_DECODE_AVX2)
__attribute__((target("avx2"))) static inline void masks_avx2(const uint8_t *p, uint64_t *m,
                                                              uint64_t *pct, uint64_t *esc)
{
    /* row bits by high nibble: 2x (+ /), 3x (digits), 4x and 6x (A-O, a-o), 5x (P-Z),
     * 7x (p-z); column bits by low nibble: which rows have it */
#define C09 (2 | 4 | 8 | 16) /* low nibbles 1-9: a digit and a letter of every letter row */
    const __m256i rows = _mm256_setr_epi8(0, 0, 1, 2, 4, 8, 4, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
                                          2, 4, 8, 4, 16, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i cols = _mm256_setr_epi8(
        2 | 8 | 16, C09, C09, C09, C09, C09, C09, C09, C09, C09, 4 | 8 | 16, 1 | 4, 4, 4, 4, 1 | 4,
        2 | 8 | 16, C09, C09, C09, C09, C09, C09, C09, C09, C09, 4 | 8 | 16, 1 | 4, 4, 4, 4, 1 | 4);
#undef C09
    /* what may follow a '%' or '\\' that starts a sequence: a hex digit, 'u', 'x' or '/'
     * (rows 2x '/', 3x digits, 4x and 6x A-F a-f, 7x 'u' 'x') */
    const __m256i frows = _mm256_setr_epi8(0, 0, 1, 2, 4, 0, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
                                           2, 4, 0, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i fcols = _mm256_setr_epi8(2, 6, 6, 6, 6, 14, 6, 2, 10, 2, 0, 0, 0, 0, 0, 1, 2, 6,
                                           6, 6, 6, 14, 6, 2, 10, 2, 0, 0, 0, 0, 0, 1);
    const __m256i nib = _mm256_set1_epi8(0x0F);
    const __m256i zero = _mm256_setzero_si256();
    const __m256i percent = _mm256_set1_epi8('%');
    const __m256i backslash = _mm256_set1_epi8('\\');
    const uint8_t *q = p;
    uint64_t out = 0;
    uint64_t pp = 0;
    uint64_t ee = 0;
    uint64_t fol = 0;
    /* two halves of 32 bytes, written out: a loop over them was not unrolled */
#define HALF(shift)                                                                                \
    do {                                                                                           \
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)q);                          \
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), nib);                               \
        __m256i lo = _mm256_and_si256(x, nib);                                                     \
        __m256i c =                                                                                \
            _mm256_and_si256(_mm256_shuffle_epi8(rows, hi), _mm256_shuffle_epi8(cols, lo));        \
        __m256i fc =                                                                               \
            _mm256_and_si256(_mm256_shuffle_epi8(frows, hi), _mm256_shuffle_epi8(fcols, lo));      \
        out |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(c, zero)) << (shift);    \
        fol |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(fc, zero)) << (shift);   \
        pp |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, percent)) << (shift);  \
        ee |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, backslash))            \
              << (shift);                                                                          \
    } while (0)
    HALF(0);
    q += 32;
    HALF(32);
#undef HALF
    /* a '%' or '\\' followed by none of them starts nothing (the last byte's follower is in
     * the next block: kept, trigger() decides) */
    uint64_t next = ~fol >> 1 | 1ull << 63;
    *m = ~out;
    *pct = pp & next;
    *esc = ee & next;
}
#endif

/* Bit i set when bits i .. i + MIN_RUN - 1 of m are all set (within the word). */
static uint64_t runs(uint64_t m)
{
    uint64_t t = m & (m >> 1);
    t &= t >> 2;
    t &= t >> 4;
    t &= t >> 8; /* 16 in a row */
    _Static_assert(MIN_RUN >= 16 && MIN_RUN <= 32, "runs() covers 16 to 32");
    return MIN_RUN > 16 ? t & (t >> (MIN_RUN - 16)) : t;
}

/* Bits of m from `from` (0..64) up. */
static uint64_t from_bit(uint64_t m, size_t from)
{
    return from >= 64 ? 0 : m & (~0ull << from);
}

struct run {
    size_t end;
    bool std, url, upper, lower, hex;
};

/* Reads the alphabet run at r->end on, noting what it holds. */
static void read_run(const struct finder *f, struct run *r)
{
    const uint8_t *p = f->buf + r->end;
    const uint8_t *end = f->buf + f->len;
    unsigned any = 0;
    unsigned all = C_HEX;
    while (p < end) {
        unsigned c = ctab[*p];
        if (!(c & C_B64)) {
            break;
        }
        any |= c;
        all &= c;
        p++;
    }
    r->end = (size_t)(p - f->buf);
    r->std |= any & C_STD;
    r->url |= any & C_URL;
    r->upper |= any & C_UP;
    r->lower |= any & C_LO;
    r->hex &= all != 0;
}

/* Up to two '=' at p: how many. */
static size_t padding(const struct finder *f, size_t p)
{
    size_t n = 0;
    while (n < 2 && p + n < f->len && f->buf[p + n] == '=') {
        n++;
    }
    return n;
}

/* The line break at p ("\n" or "\r\n"): its length, or 0. */
static size_t eol(const struct finder *f, size_t p)
{
    if (p < f->len && f->buf[p] == '\n') {
        return 1;
    }
    return p + 1 < f->len && f->buf[p] == '\r' && f->buf[p + 1] == '\n' ? 2 : 0;
}

/*
 * A run [start, r->end) of width w that ends its line: takes in the following lines that are
 * blanks + a run of the same width (the last one may be shorter and padded) + blanks, the
 * way PEM bodies, `base64` output and YAML block scalars wrap a value. Returns the end of
 * the last line's run (and padding) taken in, or 0 when no line follows.
 */
static size_t wrap(const struct finder *f, size_t start, struct run *r)
{
    size_t w = r->end - start;
    size_t p = r->end;
    size_t nl = eol(f, p);
    size_t end = 0;
    if (w < MIN_WRAP || w % 4 || !nl) {
        return 0;
    }
    for (;;) {
        p += nl;
        while (p < f->len && (f->buf[p] == ' ' || f->buf[p] == '\t')) {
            p++;
        }
        struct run line = *r;
        line.end = p;
        read_run(f, &line);
        size_t n = line.end - p;
        size_t pad = padding(f, line.end);
        size_t q = line.end + pad;
        while (q < f->len && (f->buf[q] == ' ' || f->buf[q] == '\t')) {
            q++;
        }
        if (n == 0 || n > w || (n < w && n % 4 == 1) || (q < f->len && !eol(f, q))) {
            return end;
        }
        *r = line;
        end = line.end + pad;
        if (n < w || pad || q >= f->len) {
            return end;
        }
        nl = eol(f, q);
        p = q;
    }
}

/*
 * The base64 or hex run found at start (by the pass, which does not count '-' and '_'): takes
 * in the whole alphabet on both sides (back to floor, where the previous run ended), emits
 * its spans, and sets where the scan resumes.
 */
static int do_run(const struct finder *f, size_t start, size_t floor, size_t *resume)
{
    while (start > floor && (ctab[f->buf[start - 1]] & C_B64)) {
        start--;
    }
    struct run r = {.end = start, .hex = true};
    read_run(f, &r);
    size_t len = r.end - start;
    *resume = r.end;
    if ((f->kinds & LH_DECODE_BIT(LH_DECODE_HEX)) && r.hex && len >= LH_DECODE_MIN_HEX &&
        len % 2 == 0 && len <= LH_DECODE_MAX_SPAN) {
        struct lh_decode_span sp = {start, r.end, LH_DECODE_HEX, 0};
        int rc = f->cb(&sp, f->payload);
        if (rc < 0) {
            return rc;
        }
    }
    if (!(f->kinds & LH_DECODE_BIT(LH_DECODE_BASE64)) || len < LH_DECODE_MIN_BASE64) {
        return 0;
    }
    size_t pad = padding(f, r.end);
    size_t end = r.end + pad;
    unsigned flags = 0;
    if (!pad) {
        size_t wend = wrap(f, start, &r);
        if (wend) {
            end = wend;
            flags |= LH_DECODE_F_WRAPPED;
        }
    }
    *resume = end;
    /* one alphabet; both letter cases (hex digests, identifiers and rulers have not) */
    if ((r.std && r.url) || !r.upper || !r.lower || end - start > LH_DECODE_MAX_SPAN) {
        return 0;
    }
    if (!(flags & LH_DECODE_F_WRAPPED) && len % 4 == 1) {
        return 0; /* no base64 value has this length */
    }
    struct lh_decode_span sp = {start, end, LH_DECODE_BASE64,
                                flags | (r.url ? LH_DECODE_F_URL : 0)};
    return f->cb(&sp, f->payload);
}

/* Whether the '%' or '\\' at p starts an encoded sequence that makes its span a candidate. */
static inline __attribute__((always_inline)) bool trigger(const struct finder *f, size_t p)
{
    const uint8_t *b = f->buf;
    size_t left = f->len - p;
    if (b[p] == '%') {
        return left >= 3 && hexdigit(b[p + 1]) && hexdigit(b[p + 2]);
    }
    if (left < 2) {
        return false;
    }
    switch (b[p + 1]) {
    case 'u':
        return left >= 6 && hexdigit(b[p + 2]) && hexdigit(b[p + 3]) && hexdigit(b[p + 4]) &&
               hexdigit(b[p + 5]);
    case 'x':
        return left >= 4 && hexdigit(b[p + 2]) && hexdigit(b[p + 3]);
    case '/':
        return true;
    default:
        return false;
    }
}

/* A quote at q preceded by an odd number of backslashes is escaped (part of the string). */
static bool escaped(const struct finder *f, size_t q, size_t floor)
{
    size_t n = 0;
    while (q > floor && f->buf[q - 1] == '\\') {
        q--;
        n++;
    }
    return n % 2 == 1;
}

/*
 * The span around the '%' or '\\' at p, extending no further left than floor: URL
 * characters around a '%', string characters around a '\\' (escaped quotes included).
 * Emits it; *floor becomes its end.
 */
static int do_special(const struct finder *f, size_t p, size_t *floor)
{
    const uint8_t *b = f->buf;
    bool pct = b[p] == '%';
    size_t lo = p > LH_DECODE_MAX_SPAN / 2 ? p - LH_DECODE_MAX_SPAN / 2 : 0;
    size_t s = p;
    if (lo < *floor) {
        lo = *floor;
    }
    while (s > lo) {
        uint8_t c = b[s - 1];
        bool in =
            pct ? urlchar(c) : strchar(c) || ((c == '"' || c == '\'') && escaped(f, s - 1, lo));
        if (!in) {
            break;
        }
        s--;
    }
    size_t hi = s + LH_DECODE_MAX_SPAN < f->len ? s + LH_DECODE_MAX_SPAN : f->len;
    size_t e = p;
    while (e < hi) {
        if (pct) {
            if (!urlchar(b[e])) {
                break;
            }
            e++;
        } else if (b[e] == '\\' && e + 1 < hi && b[e + 1] >= 0x20) {
            e += 2; /* an escape pair: \" does not end the string */
        } else if (strchar(b[e])) {
            e++;
        } else {
            break;
        }
    }
    *floor = e;
    if (e - s < LH_DECODE_MIN_OUT) {
        return 0;
    }
    struct lh_decode_span sp = {s, e, pct ? LH_DECODE_PERCENT : LH_DECODE_ESCAPE, 0};
    return f->cb(&sp, f->payload);
}

/*
 * The pass itself, inlined twice: with the AVX2 masks (find_avx2, compiled for AVX2) and
 * with the baseline ones (find_base), so neither pays a call or a branch per block.
 */
static inline __attribute__((always_inline)) void
block_masks(const uint8_t *p, bool avx2, uint64_t *m, uint64_t *pm, uint64_t *em)
{
#if defined(LH_DECODE_AVX2)
    if (avx2) {
        masks_avx2(p, m, pm, em);
        return;
    }
#endif
    (void)avx2;
    masks_base(p, m, pm, em);
}

static inline __attribute__((always_inline)) int find_loop(const struct finder *fp, bool avx2)
{
    const struct finder f = *fp;
    const uint8_t *buf = f.buf;
    size_t len = f.len;
    unsigned kinds = f.kinds;
    uint64_t want_runs =
        kinds & (LH_DECODE_BIT(LH_DECODE_BASE64) | LH_DECODE_BIT(LH_DECODE_HEX)) ? ~0ull : 0;
    uint64_t want_pct = kinds & LH_DECODE_BIT(LH_DECODE_PERCENT) ? ~0ull : 0;
    uint64_t want_esc = kinds & LH_DECODE_BIT(LH_DECODE_ESCAPE) ? ~0ull : 0;
    size_t floor_pct = 0; /* '%' before it are inside a span already emitted */
    size_t floor_esc = 0;
    size_t floor_run = 0; /* where the previous run ended */
    size_t carry = 0;     /* alphabet bytes that ended the previous block */
    size_t i = 0;
    uint8_t tail[64];
    while (i < len) {
        uint64_t m = 0;
        uint64_t pm = 0;
        uint64_t em = 0;
        /* the quiet blocks, most of any text: no run that long, no '%' or '\\' */
        for (; len - i >= 64; i += 64) {
            block_masks(buf + i, avx2, &m, &pm, &em);
            m &= want_runs;
            pm &= want_pct;
            em &= want_esc;
            /* most '%' and '\\' (printf formats, "\\n") start no encoded sequence */
            for (uint64_t sm = pm | em; sm;) {
                uint64_t bit = sm & (~sm + 1);
                sm ^= bit;
                if (!trigger(&f, i + (size_t)__builtin_ctzll(bit))) {
                    pm &= ~bit;
                    em &= ~bit;
                }
            }
            uint64_t nm = ~m;
            size_t head = nm ? (size_t)__builtin_ctzll(nm) : 64;
            if ((pm | em) || runs(m) || carry + head >= MIN_RUN) {
                break;
            }
            carry = nm ? (size_t)__builtin_clzll(nm) : carry + 64;
        }
        if (i >= len) {
            break;
        }
        if (len - i < 64) {
            memset(tail, 0, sizeof(tail));
            memcpy(tail, buf + i, len - i);
            block_masks(tail, avx2, &m, &pm, &em);
            m &= want_runs;
            pm &= want_pct;
            em &= want_esc;
        }
        pm = from_bit(pm, floor_pct > i ? floor_pct - i : 0);
        em = from_bit(em, floor_esc > i ? floor_esc - i : 0);
        size_t run_at = SIZE_MAX;
        size_t head = ~m ? (size_t)__builtin_ctzll(~m) : 64;
        if (carry + head >= MIN_RUN) {
            run_at = i - carry;
        } else if (m) {
            uint64_t t = runs(m);
            run_at = t ? i + (size_t)__builtin_ctzll(t) : SIZE_MAX;
        }
        /* the '%' and '\\' of this block in order, up to the first run (runs are rare) */
        for (;;) {
            uint64_t sm = pm | em;
            size_t at = sm ? i + (size_t)__builtin_ctzll(sm) : SIZE_MAX;
            if (at == SIZE_MAX || run_at < at) {
                break;
            }
            uint64_t bit = 1ull << (at - i);
            pm &= ~bit;
            em &= ~bit;
            if (trigger(&f, at)) {
                bool pct = buf[at] == '%';
                int rc = do_special(&f, at, pct ? &floor_pct : &floor_esc);
                if (rc < 0) {
                    return rc;
                }
                if (pct) {
                    pm = from_bit(pm, floor_pct - i);
                } else {
                    em = from_bit(em, floor_esc - i);
                }
            }
        }
        if (run_at != SIZE_MAX) {
            int rc = do_run(&f, run_at, floor_run, &i);
            floor_run = i;
            if (rc < 0) {
                return rc;
            }
            carry = 0;
            continue;
        }
        carry = !~m ? carry + 64 : (size_t)__builtin_clzll(~m);
        i += 64;
    }
    return 0;
}

#if defined(LH_DECODE_AVX2)
__attribute__((target("avx2"))) static int find_avx2(const struct finder *f)
{
    return find_loop(f, true);
}
#endif

static int find_base(const struct finder *f)
{
    return find_loop(f, false);
}

int lh_decode_find(const uint8_t *buf, size_t len, unsigned kinds, lh_decode_span_cb cb,
                   void *payload)
{
    struct finder f = {buf, len, kinds, cb, payload};
#if defined(LH_DECODE_AVX2)
    if (__builtin_cpu_supports("avx2")) {
        return find_avx2(&f);
    }
#endif
    return find_base(&f);
}

int lh_decode_find_portable(const uint8_t *buf, size_t len, unsigned kinds, lh_decode_span_cb cb,
                            void *payload)
{
    struct finder f = {buf, len, kinds, cb, payload};
    return find_base(&f);
}
