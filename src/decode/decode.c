/* SPDX-License-Identifier: MIT */
/*
 * Decoding and position mapping of candidate spans; see decode.h. A span is read as a
 * sequence of units: a base64 quantum (up to four significant characters, blanks skipped
 * in a wrapped value), two hex digits, a `%XX`, an escape sequence, or one plain byte. Each
 * unit yields at most four bytes and consumes at least as many, so decoding never grows the
 * text. lh_decode_span checks the bytes as they are produced and gives up at the first one
 * that cannot be part of text; lh_decode_map walks the same units to find where a decoded
 * byte came from.
 */
#include "decode/decode.h"

#include "util/encode.h"

#include <string.h>

static const char *const kind_names[LH_DECODE_NKINDS] = {"base64", "percent", "escape", "hex"};

const char *lh_decode_kind_name(enum lh_decode_kind kind)
{
    return (unsigned)kind < LH_DECODE_NKINDS ? kind_names[kind] : "?";
}

int lh_decode_kind_parse(enum lh_decode_kind *out, const char *name)
{
    for (unsigned k = 0; name && k < LH_DECODE_NKINDS; k++) {
        if (!strcmp(name, kind_names[k])) {
            *out = (enum lh_decode_kind)k;
            return 0;
        }
    }
    return LH_EINVAL;
}

static bool blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Encodes code point cp as UTF-8 into out; returns the length. */
static int utf8_put(uint8_t out[4], unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* The 16-bit value of the four hex digits at p (end bounds them), or -1. */
static long hex4(const uint8_t *p, const uint8_t *end)
{
    if (end - p < 4) {
        return -1;
    }
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = lh_hex_digit(p[i]);
        if (h < 0) {
            return -1;
        }
        v = v * 16 + h;
    }
    return v;
}

/* One escape sequence at p (p[0] == '\\', p + 1 < end): bytes into out, *len consumed. */
static int escape_unit(const uint8_t *p, const uint8_t *end, uint8_t out[4], size_t *len)
{
    *len = 2;
    switch (p[1]) {
    case 'u': {
        long cp = hex4(p + 2, end);
        if (cp < 0) {
            break;
        }
        *len = 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            long lo = end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? hex4(p + 8, end) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF) {
                return -1; /* a lone high surrogate is not text */
            }
            *len = 12;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return -1;
        }
        return utf8_put(out, (unsigned)cp);
    }
    case 'x': {
        int h = end - p >= 4 ? lh_hex_digit(p[2]) : -1;
        int l = h >= 0 ? lh_hex_digit(p[3]) : -1;
        if (l < 0) {
            break;
        }
        *len = 4;
        out[0] = (uint8_t)(h * 16 + l);
        return 1;
    }
    case 'n':
        out[0] = '\n';
        return 1;
    case 'r':
        out[0] = '\r';
        return 1;
    case 't':
        out[0] = '\t';
        return 1;
    case 'b':
    case 'f':
        out[0] = ' '; /* never part of a secret; a space keeps the rest of the string text */
        return 1;
    case '"':
    case '\'':
    case '\\':
    case '/':
        out[0] = p[1];
        return 1;
    default:
        break;
    }
    /* not an escape this decoder knows: both characters as they are */
    out[0] = p[0];
    out[1] = p[1];
    return 2;
}

/*
 * The unit of span at p (p < span end): its decoded bytes into out (returns how many: 0 at
 * the end of a base64 value, -1 when it cannot be decoded), the offset after it in *next,
 * and for base64 the offsets of its significant characters in pos[0..3].
 */
static int unit(const uint8_t *buf, const struct lh_decode_span *sp, size_t p, size_t *next,
                uint8_t out[4], size_t pos[4])
{
    const uint8_t *end = buf + sp->end;
    switch (sp->kind) {
    case LH_DECODE_BASE64: {
        bool url = sp->flags & LH_DECODE_F_URL;
        bool wrapped = sp->flags & LH_DECODE_F_WRAPPED;
        int v[4];
        int n = 0;
        size_t q = p;
        while (n < 4 && q < sp->end) {
            if (wrapped && blank(buf[q])) {
                q++;
                continue;
            }
            v[n] = lh_b64_digit(buf[q], url);
            if (v[n] < 0) {
                break; /* '=' padding: the value ends */
            }
            pos[n++] = q++;
        }
        *next = n == 4 ? q : sp->end;
        if (n < 2) {
            return n == 0 ? 0 : -1;
        }
        out[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
        if (n == 2) {
            return 1;
        }
        out[1] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
        if (n == 3) {
            return 2;
        }
        out[2] = (uint8_t)((v[2] & 3) << 6 | v[3]);
        return 3;
    }
    case LH_DECODE_HEX: {
        int h = p + 1 < sp->end ? lh_hex_digit(buf[p]) : -1;
        int l = h >= 0 ? lh_hex_digit(buf[p + 1]) : -1;
        *next = p + 2;
        if (l < 0) {
            return -1;
        }
        out[0] = (uint8_t)(h * 16 + l);
        return 1;
    }
    case LH_DECODE_PERCENT:
        if (buf[p] == '%' && sp->end - p >= 3 && lh_hex_digit(buf[p + 1]) >= 0 &&
            lh_hex_digit(buf[p + 2]) >= 0) {
            *next = p + 3;
            out[0] = (uint8_t)(lh_hex_digit(buf[p + 1]) * 16 + lh_hex_digit(buf[p + 2]));
            return 1;
        }
        break;
    case LH_DECODE_ESCAPE:
        if (buf[p] == '\\' && p + 1 < sp->end) {
            size_t len = 0;
            int n = escape_unit(buf + p, end, out, &len);
            *next = p + len;
            return n;
        }
        break;
    default:
        return -1;
    }
    *next = p + 1;
    out[0] = buf[p];
    return 1;
}

/* Streaming check that bytes are text: UTF-8, no control characters but tab and newlines. */
struct textcheck {
    unsigned need; /* continuation bytes still expected */
};

static bool text_byte(struct textcheck *t, uint8_t b)
{
    if (t->need) {
        t->need--;
        return (b & 0xC0) == 0x80;
    }
    if (b < 0x80) {
        return b >= 0x20 ? b != 0x7F : b == '\t' || b == '\n' || b == '\r';
    }
    t->need = b >= 0xC2 && b <= 0xDF   ? 1
              : b >= 0xE0 && b <= 0xEF ? 2
              : b >= 0xF0 && b <= 0xF4 ? 3
                                       : 0;
    return t->need != 0;
}

size_t lh_decode_span(uint8_t *out, size_t cap, const uint8_t *buf, const struct lh_decode_span *sp)
{
    struct textcheck tc = {0};
    size_t n = 0;
    size_t p = sp->start;
    while (p < sp->end) {
        uint8_t u[4];
        size_t pos[4];
        size_t next = p;
        int k = unit(buf, sp, p, &next, u, pos);
        if (k < 0) {
            return 0;
        }
        if (n + (size_t)k > cap) {
            return 0; /* cannot happen for cap >= the span's length */
        }
        for (int i = 0; i < k; i++) {
            if (!text_byte(&tc, u[i])) {
                return 0;
            }
            out[n++] = u[i];
        }
        p = next;
    }
    return tc.need == 0 && n >= LH_DECODE_MIN_OUT ? n : 0;
}

size_t lh_decode_map(const uint8_t *buf, const struct lh_decode_span *sp, size_t off, bool end,
                     struct lh_decode_cursor *cur)
{
    size_t target = end ? (off ? off - 1 : 0) : off; /* the decoded byte asked about */
    size_t p = sp->start;
    size_t dst = 0;
    if (cur && cur->src >= sp->start && cur->src < sp->end && cur->dst <= target) {
        p = cur->src;
        dst = cur->dst;
    }
    while (p < sp->end) {
        uint8_t u[4];
        size_t pos[4];
        size_t next = p;
        int k = unit(buf, sp, p, &next, u, pos);
        if (k <= 0) {
            break;
        }
        if (target < dst + (size_t)k) {
            if (cur) {
                cur->src = p;
                cur->dst = dst;
            }
            if (sp->kind == LH_DECODE_BASE64) {
                size_t j = target - dst; /* byte j of a quantum: characters j and j + 1 */
                return end ? pos[j + 1] + 1 : pos[j];
            }
            return end ? next : p;
        }
        dst += (size_t)k;
        p = next;
    }
    return end ? sp->end : sp->start;
}
