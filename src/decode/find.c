/* SPDX-License-Identifier: MIT */
/*
 * Candidate spans for decoding (lh_decode_find, see decode.h), in one pass over the buffer.
 * The pass classifies 64 bytes at a time into two bit masks (SSE2 where the compiler targets
 * it, a plain loop elsewhere): base64-alphabet bytes and the two bytes that start an encoded
 * sequence, '%' and '\\'. Runs of LH_DECODE_MIN_BASE64 alphabet bytes are found with shifts
 * on the mask (a run crossing a block boundary through the count of alphabet bytes that
 * ended the previous block), so ordinary text, where such runs are rare, costs a few
 * instructions per 64 bytes. Only at a run or at a '%' / '\\' does byte-by-byte work begin.
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

static bool alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* The alphabet of both base64 variants: what the run masks mark. */
static bool b64char(uint8_t c)
{
    return alnum(c) || c == '+' || c == '/' || c == '-' || c == '_';
}

static bool hexdigit(uint8_t c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Characters of a URL (RFC 3986 unreserved, reserved and '%'), quotes excluded. */
static bool urlchar(uint8_t c)
{
    return alnum(c) || (c && strchr("-._~:/?#[]@!$&()*+,;=%", c));
}

/* Characters inside a quoted string: everything but quotes and line breaks or controls. */
static bool strchar(uint8_t c)
{
    return c >= 0x20 ? c != '"' && c != '\'' && c != '`' : c == '\t';
}

/* m: the alphabet bytes of p[0..64); s: its '%' and '\\' bytes. */
static void masks(const uint8_t *p, uint64_t *m, uint64_t *pct, uint64_t *esc)
{
#if defined(__SSE2__)
    uint64_t mm = 0;
    uint64_t pp = 0;
    uint64_t ee = 0;
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        /* c | 0x20 in 'a'..'z', and c in '0'..'9', as signed compares after a shift */
        __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
        __m128i alpha = _mm_cmplt_epi8(_mm_add_epi8(lower, _mm_set1_epi8((char)(0x80 - 'a'))),
                                       _mm_set1_epi8((char)(-128 + 26)));
        __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - '0'))),
                                       _mm_set1_epi8((char)(-128 + 10)));
        __m128i sym = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('+')),
                                                _mm_cmpeq_epi8(x, _mm_set1_epi8('/'))),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('-')),
                                                _mm_cmpeq_epi8(x, _mm_set1_epi8('_'))));
        __m128i cls = _mm_or_si128(_mm_or_si128(alpha, digit), sym);
        mm |= (uint64_t)(uint16_t)_mm_movemask_epi8(cls) << (16 * k);
        pp |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('%')))
              << (16 * k);
        ee |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')))
              << (16 * k);
    }
    *m = mm;
    *pct = pp;
    *esc = ee;
#else
    uint64_t mm = 0;
    uint64_t pp = 0;
    uint64_t ee = 0;
    for (int i = 0; i < 64; i++) {
        mm |= (uint64_t)b64char(p[i]) << i;
        pp |= (uint64_t)(p[i] == '%') << i;
        ee |= (uint64_t)(p[i] == '\\') << i;
    }
    *m = mm;
    *pct = pp;
    *esc = ee;
#endif
}

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
    size_t e = r->end;
    while (e < f->len && b64char(f->buf[e])) {
        uint8_t c = f->buf[e++];
        r->std |= c == '+' || c == '/';
        r->url |= c == '-' || c == '_';
        r->upper |= c >= 'A' && c <= 'Z';
        r->lower |= c >= 'a' && c <= 'z';
        r->hex &= hexdigit(c);
    }
    r->end = e;
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

/* The base64 or hex run at start: emits its spans; returns where the scan resumes. */
static int do_run(const struct finder *f, size_t start, size_t *resume)
{
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
static bool trigger(const struct finder *f, size_t p)
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

int lh_decode_find(const uint8_t *buf, size_t len, unsigned kinds, lh_decode_span_cb cb,
                   void *payload)
{
    struct finder f = {buf, len, kinds, cb, payload};
    bool want_runs = kinds & (LH_DECODE_BIT(LH_DECODE_BASE64) | LH_DECODE_BIT(LH_DECODE_HEX));
    bool want_pct = kinds & LH_DECODE_BIT(LH_DECODE_PERCENT);
    bool want_esc = kinds & LH_DECODE_BIT(LH_DECODE_ESCAPE);
    size_t floor_pct = 0; /* '%' before it are inside a span already emitted */
    size_t floor_esc = 0;
    size_t carry = 0; /* alphabet bytes that ended the previous block */
    size_t i = 0;
    uint8_t tail[64];
    while (i < len) {
        const uint8_t *p = buf + i;
        if (len - i < 64) {
            memset(tail, 0, sizeof(tail));
            memcpy(tail, p, len - i);
            p = tail;
        }
        uint64_t m;
        uint64_t pm;
        uint64_t em;
        masks(p, &m, &pm, &em);
        m = want_runs ? m : 0;
        pm = want_pct ? from_bit(pm, floor_pct > i ? floor_pct - i : 0) : 0;
        em = want_esc ? from_bit(em, floor_esc > i ? floor_esc - i : 0) : 0;
        size_t run_at = SIZE_MAX;
        if (carry) {
            size_t head = ~m ? (size_t)__builtin_ctzll(~m) : 64;
            if (carry + head >= MIN_RUN) {
                run_at = i - carry;
            }
        }
        if (run_at == SIZE_MAX && m) {
            uint64_t t = runs(m);
            run_at = t ? i + (size_t)__builtin_ctzll(t) : SIZE_MAX;
        }
        /* the '%' and '\\' of this block in order, up to the first run (runs are rare) */
        int rc = 0;
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
                rc = do_special(&f, at, pct ? &floor_pct : &floor_esc);
                if (pct) {
                    pm = from_bit(pm, floor_pct - i);
                } else {
                    em = from_bit(em, floor_esc - i);
                }
            }
            if (rc < 0) {
                return rc;
            }
        }
        if (run_at != SIZE_MAX) {
            rc = do_run(&f, run_at, &i);
            carry = 0;
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        carry = !~m ? carry + 64 : ~m >> 63 ? 0 : (size_t)__builtin_clzll(~m);
        i += 64;
    }
    return 0;
}
