/* SPDX-License-Identifier: MIT */
/*
 * Encoding helpers (hex, base62/base36, base32, base64; base58 and bech32 are encode_addr.c);
 * see encode.h. Decoders validate the whole syntax before producing a
 * single byte so that OpenSSL only ever sees clean, complete base64 groups (its
 * EVP_DecodeBlock is deliberately lenient: it skips whitespace and treats '=' as zero
 * bits anywhere). Nothing here allocates; the only scratch buffers are small and on the
 * stack. Nothing here records an error message: decode failures are the normal outcome
 * for most scanned text.
 */
#include "util/encode.h"

#include <limits.h>
#include <openssl/evp.h>
#include <string.h>

#define B64_CHUNK 256 /* characters handed to EVP_DecodeBlock at once; multiple of 4 */

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";
static const char b32_upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char b32_lower[] = "abcdefghijklmnopqrstuvwxyz234567";

int lh_hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int lh_encode_hex(char *out, size_t cap, const uint8_t *buf, size_t len, bool upper)
{
    const char *digits = upper ? hex_upper : hex_lower;

    if (len > (SIZE_MAX - 1) / 2 || cap < 2 * len + 1) {
        return LH_ETOOBIG;
    }
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[buf[i] >> 4];
        out[2 * i + 1] = digits[buf[i] & 0x0f];
    }
    out[2 * len] = '\0';
    return 0;
}

int lh_encode_hex_decode(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *buf, size_t len)
{
    if (len % 2 != 0) {
        return LH_EINVAL;
    }
    if (len / 2 > cap) {
        return LH_ETOOBIG;
    }
    for (size_t i = 0; i < len; i += 2) {
        int hi = lh_hex_digit(buf[i]);
        int lo = lh_hex_digit(buf[i + 1]);
        if (hi < 0 || lo < 0) {
            return LH_EINVAL;
        }
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = len / 2;
    return 0;
}

int lh_encode_radix_u32(char *out, size_t width, uint32_t value, const char *alphabet)
{
    size_t base = strlen(alphabet);
    size_t i = width;

    if (base < 2 || base > 94) {
        return LH_EINVAL;
    }
    while (i > 0) {
        out[--i] = alphabet[value % base];
        value = (uint32_t)(value / base);
    }
    return value == 0 ? 0 : LH_ETOOBIG;
}

int lh_encode_base62_u32(char *out, size_t width, uint32_t value)
{
    return lh_encode_radix_u32(out, width, value, LH_BASE62_ALPHABET);
}

int lh_encode_base36_u32(char *out, size_t width, uint32_t value)
{
    return lh_encode_radix_u32(out, width, value, LH_BASE36_ALPHABET);
}

int lh_encode_radix_decode(uint64_t *out, const uint8_t *buf, size_t len, const char *alphabet)
{
    size_t base = strlen(alphabet);
    uint64_t v = 0;

    if (base < 2 || base > 94 || len == 0) {
        return LH_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        const char *p = buf[i] != 0 ? memchr(alphabet, buf[i], base) : NULL;
        uint64_t d;
        if (p == NULL) {
            return LH_EINVAL;
        }
        d = (uint64_t)(p - alphabet);
        if (v > (UINT64_MAX - d) / base) {
            return LH_ETOOBIG;
        }
        v = v * base + d;
    }
    *out = v;
    return 0;
}

int lh_encode_base62_decode(uint64_t *out, const uint8_t *buf, size_t len)
{
    return lh_encode_radix_decode(out, buf, len, LH_BASE62_ALPHABET);
}

int lh_encode_base36_decode(uint64_t *out, const uint8_t *buf, size_t len)
{
    return lh_encode_radix_decode(out, buf, len, LH_BASE36_ALPHABET);
}

/* ---- base32 ---------------------------------------------------------------------- */

static int b32_value(uint8_t c, unsigned flags)
{
    bool upper_ok = (flags & LH_ENC_NOCASE) || !(flags & LH_ENC_LOWER);
    bool lower_ok = (flags & (LH_ENC_NOCASE | LH_ENC_LOWER)) != 0;

    if (c >= 'A' && c <= 'Z' && upper_ok) {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z' && lower_ok) {
        return c - 'a';
    }
    if (c >= '2' && c <= '7') {
        return c - '2' + 26;
    }
    return -1;
}

int lh_encode_base32(char *out, size_t cap, size_t *out_len, const uint8_t *buf, size_t len,
                     unsigned flags)
{
    const char *alphabet = (flags & LH_ENC_LOWER) ? b32_lower : b32_upper;
    size_t nchars;
    size_t total;
    size_t o = 0;
    uint64_t acc = 0;
    unsigned bits = 0;

    if (len > SIZE_MAX / 16) {
        return LH_ETOOBIG;
    }
    nchars = (len * 8 + 4) / 5;
    total = (flags & LH_ENC_NOPAD) ? nchars : (nchars + 7) / 8 * 8;
    if (cap < total + 1) {
        return LH_ETOOBIG;
    }
    for (size_t i = 0; i < len; i++) {
        acc = acc << 8 | buf[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = alphabet[(acc >> bits) & 31];
        }
    }
    if (bits > 0) {
        out[o++] = alphabet[(acc << (5 - bits)) & 31];
    }
    while (o < total) {
        out[o++] = '=';
    }
    out[o] = '\0';
    *out_len = o;
    return 0;
}

/* Padding characters RFC 4648 requires after r data symbols in the last group. */
static size_t b32_pad_for(size_t r)
{
    static const size_t pad[8] = {0, 0, 6, 0, 4, 3, 0, 1};
    return pad[r];
}

int lh_encode_base32_decode(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *buf,
                            size_t len, unsigned flags)
{
    size_t pad = 0;
    size_t n;
    size_t r;
    size_t nbytes;
    size_t o = 0;
    uint64_t acc = 0;
    unsigned bits = 0;

    while (pad < len && buf[len - 1 - pad] == '=') {
        pad++;
    }
    n = len - pad;
    r = n % 8;
    if (r == 1 || r == 3 || r == 6) {
        return LH_EINVAL;
    }
    if (pad > 0 && ((flags & LH_ENC_NOPAD) || pad != b32_pad_for(r) || r == 0)) {
        return LH_EINVAL;
    }
    if ((flags & LH_ENC_PAD) && (n + pad) % 8 != 0) {
        return LH_EINVAL;
    }
    nbytes = n * 5 / 8;
    if (nbytes > cap) {
        return LH_ETOOBIG;
    }
    for (size_t i = 0; i < n; i++) {
        int v = b32_value(buf[i], flags);
        if (v < 0) {
            return LH_EINVAL;
        }
        acc = (acc << 5 | (unsigned)v) & 0xffff;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    if ((flags & LH_ENC_STRICT) && (acc & ((1u << bits) - 1)) != 0) {
        return LH_EINVAL;
    }
    *out_len = o;
    return 0;
}

/* ---- base64 ---------------------------------------------------------------------- */

int lh_b64_digit(uint8_t c, bool url)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == (url ? '-' : '+')) {
        return 62;
    }
    if (c == (url ? '_' : '/')) {
        return 63;
    }
    return -1;
}

/* Checks the syntax; *ndata = number of data symbols (padding excluded). */
static int b64_scan(size_t *ndata, size_t *nbytes, const uint8_t *buf, size_t len, unsigned flags)
{
    size_t pad = 0;
    size_t n;
    size_t r;
    int last = 0;

    while (pad < len && pad < 3 && buf[len - 1 - pad] == '=') {
        pad++;
    }
    n = len - pad;
    r = n % 4;
    if (r == 1) {
        return LH_EINVAL;
    }
    if (pad > 0 && ((flags & LH_ENC_NOPAD) || r == 0 || pad != 4 - r)) {
        return LH_EINVAL;
    }
    if ((flags & LH_ENC_PAD) && len % 4 != 0) {
        return LH_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        last = lh_b64_digit(buf[i], (flags & LH_ENC_URL) != 0);
        if (last < 0) {
            return LH_EINVAL;
        }
    }
    if ((flags & LH_ENC_STRICT) &&
        ((r == 2 && (last & 0x0f) != 0) || (r == 3 && (last & 0x03) != 0))) {
        return LH_EINVAL;
    }
    *ndata = n;
    *nbytes = n / 4 * 3 + (r == 0 ? 0 : r - 1);
    return 0;
}

int lh_encode_base64_decoded_len(size_t *out, const uint8_t *buf, size_t len, unsigned flags)
{
    size_t ndata;

    return b64_scan(&ndata, out, buf, len, flags);
}

int lh_encode_base64_decode(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *buf,
                            size_t len, unsigned flags)
{
    unsigned char chunk[B64_CHUNK];
    unsigned char bytes[B64_CHUNK / 4 * 3];
    size_t ndata;
    size_t nbytes;
    size_t o = 0;
    int rc;

    rc = b64_scan(&ndata, &nbytes, buf, len, flags);
    if (rc < 0) {
        return rc;
    }
    if (nbytes > cap) {
        return LH_ETOOBIG;
    }
    for (size_t i = 0; i < ndata; i += B64_CHUNK) {
        size_t n = ndata - i < B64_CHUNK ? ndata - i : B64_CHUNK;
        size_t want = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
        size_t padded = (n + 3) / 4 * 4;
        int got;
        for (size_t j = 0; j < n; j++) {
            uint8_t c = buf[i + j];
            /* EVP_DecodeBlock knows only the standard alphabet */
            chunk[j] = c == '-' ? '+' : c == '_' ? '/' : c;
        }
        /* 'A' is zero bits: the tail group decodes to the wanted bytes plus junk zeros */
        memset(chunk + n, 'A', padded - n);
        got = EVP_DecodeBlock(bytes, chunk, (int)padded);
        if (got < 0 || (size_t)got < want) {
            return LH_EINVAL;
        }
        memcpy(out + o, bytes, want);
        o += want;
    }
    *out_len = o;
    return 0;
}

int lh_encode_base64(char *out, size_t cap, size_t *out_len, const uint8_t *buf, size_t len,
                     unsigned flags)
{
    unsigned char text[B64_CHUNK + 1];
    size_t full;
    size_t total;
    size_t o = 0;

    if (len > (size_t)1 << 30) {
        return LH_ETOOBIG;
    }
    full = (len + 2) / 3 * 4;
    total = (flags & LH_ENC_NOPAD) ? len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1) : full;
    if (cap < total + 1) {
        return LH_ETOOBIG;
    }
    for (size_t i = 0; i < len; i += B64_CHUNK / 4 * 3) {
        size_t n = len - i < B64_CHUNK / 4 * 3 ? len - i : B64_CHUNK / 4 * 3;
        int got = EVP_EncodeBlock(text, buf + i, (int)n);
        for (int j = 0; j < got && o < total; j++) {
            unsigned char c = text[j];
            if (flags & LH_ENC_URL) {
                c = c == '+' ? '-' : c == '/' ? '_' : c;
            }
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    *out_len = o;
    return 0;
}
