/* SPDX-License-Identifier: MIT */
/*
 * Encoding helpers; see encode.h. Decoders validate the whole syntax before producing a
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
#define B58_ENCODE_MAX 256

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";
static const char b32_upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char b32_lower[] = "abcdefghijklmnopqrstuvwxyz234567";
static const char b58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
static const char bech32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

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

/* ---- base58 ---------------------------------------------------------------------- */

static int b58_value(uint8_t c)
{
    const char *p = c != 0 ? memchr(b58_alphabet, c, sizeof(b58_alphabet) - 1) : NULL;
    return p == NULL ? -1 : (int)(p - b58_alphabet);
}

int lh_encode_base58_decode(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *buf,
                            size_t len)
{
    size_t zeros = 0;
    size_t used = 0; /* significant bytes, kept big-endian at out[cap - used .. cap) */

    if (len == 0) {
        return LH_EINVAL;
    }
    while (zeros < len && buf[zeros] == '1') {
        zeros++;
    }
    if (zeros > cap) {
        return LH_ETOOBIG;
    }
    for (size_t i = zeros; i < len; i++) {
        int d = b58_value(buf[i]);
        uint32_t carry;
        if (d < 0) {
            return LH_EINVAL;
        }
        carry = (uint32_t)d;
        for (size_t j = cap; j > cap - used; j--) {
            carry += 58u * out[j - 1];
            out[j - 1] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
        while (carry > 0) {
            if (used + zeros >= cap) {
                return LH_ETOOBIG;
            }
            used++;
            out[cap - used] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
    }
    if (used > 0) {
        memmove(out + zeros, out + cap - used, used);
    }
    if (zeros > 0) {
        memset(out, 0, zeros);
    }
    *out_len = zeros + used;
    return 0;
}

int lh_encode_base58(char *out, size_t cap, size_t *out_len, const uint8_t *buf, size_t len)
{
    uint8_t digits[B58_ENCODE_MAX * 138 / 100 + 1];
    size_t zeros = 0;
    size_t used = 0; /* base-58 digits, least significant first */

    if (len > B58_ENCODE_MAX) {
        return LH_ETOOBIG;
    }
    while (zeros < len && buf[zeros] == 0) {
        zeros++;
    }
    for (size_t i = zeros; i < len; i++) {
        uint32_t carry = buf[i];
        for (size_t j = 0; j < used; j++) {
            carry += (uint32_t)digits[j] << 8;
            digits[j] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        while (carry > 0) {
            digits[used++] = (uint8_t)(carry % 58);
            carry /= 58;
        }
    }
    if (cap < zeros + used + 1) {
        return LH_ETOOBIG;
    }
    memset(out, '1', zeros);
    for (size_t j = 0; j < used; j++) {
        out[zeros + j] = b58_alphabet[digits[used - 1 - j]];
    }
    out[zeros + used] = '\0';
    *out_len = zeros + used;
    return 0;
}

/* ---- bech32 ---------------------------------------------------------------------- */

#define BECH32_CONST 1u
#define BECH32M_CONST 0x2bc830a3u
#define BECH32_HRP_MAX 83

static uint32_t bech32_polymod_step(uint32_t chk, uint8_t v)
{
    static const uint32_t gen[5] = {0x3b6a57b2u, 0x26508e6du, 0x1ea119fau, 0x3d4233ddu,
                                    0x2a1462b3u};
    uint32_t top = chk >> 25;

    chk = (chk & 0x1ffffffu) << 5 ^ v;
    for (int i = 0; i < 5; i++) {
        if ((top >> i) & 1) {
            chk ^= gen[i];
        }
    }
    return chk;
}

static uint8_t ascii_lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Polymod over the HRP expansion of hrp[0..n), which must already be lower case. */
static uint32_t bech32_hrp_polymod(const char *hrp, size_t n)
{
    uint32_t chk = 1;

    for (size_t i = 0; i < n; i++) {
        chk = bech32_polymod_step(chk, (uint8_t)((uint8_t)hrp[i] >> 5));
    }
    chk = bech32_polymod_step(chk, 0);
    for (size_t i = 0; i < n; i++) {
        chk = bech32_polymod_step(chk, (uint8_t)((uint8_t)hrp[i] & 31));
    }
    return chk;
}

int lh_encode_bech32_decode(char *hrp, size_t hrp_cap, uint8_t *data, size_t data_cap,
                            size_t *data_len, enum lh_bech32_variant *variant, const uint8_t *buf,
                            size_t len)
{
    bool lower = false;
    bool upper = false;
    size_t sep = 0;
    bool have_sep = false;
    uint32_t chk;

    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];
        if (c < 33 || c > 126) {
            return LH_EINVAL;
        }
        lower = lower || (c >= 'a' && c <= 'z');
        upper = upper || (c >= 'A' && c <= 'Z');
        if (c == '1') {
            sep = i;
            have_sep = true;
        }
    }
    if ((lower && upper) || !have_sep || sep < 1 || sep > BECH32_HRP_MAX || len - sep - 1 < 6) {
        return LH_EINVAL;
    }
    if (hrp_cap < sep + 1 || len - sep - 1 - 6 > data_cap) {
        return LH_ETOOBIG;
    }
    for (size_t i = 0; i < sep; i++) {
        hrp[i] = (char)ascii_lower(buf[i]);
    }
    hrp[sep] = '\0';
    chk = bech32_hrp_polymod(hrp, sep);
    for (size_t i = sep + 1; i < len; i++) {
        const char *p = memchr(bech32_charset, ascii_lower(buf[i]), 32);
        uint8_t v;
        if (p == NULL) {
            return LH_EINVAL;
        }
        v = (uint8_t)(p - bech32_charset);
        chk = bech32_polymod_step(chk, v);
        if (i < len - 6) {
            data[i - sep - 1] = v;
        }
    }
    if (chk == BECH32_CONST) {
        *variant = LH_BECH32;
    } else if (chk == BECH32M_CONST) {
        *variant = LH_BECH32M;
    } else {
        return LH_EINVAL;
    }
    *data_len = len - sep - 1 - 6;
    return 0;
}

int lh_encode_bech32(char *out, size_t cap, size_t *out_len, const char *hrp, const uint8_t *data,
                     size_t data_len, enum lh_bech32_variant variant)
{
    size_t n = strlen(hrp);
    size_t o = 0;
    uint32_t chk;

    if (n < 1 || n > BECH32_HRP_MAX) {
        return LH_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)hrp[i];
        if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z')) {
            return LH_EINVAL;
        }
    }
    if (data_len > SIZE_MAX / 2 || cap < n + 1 + data_len + 6 + 1) {
        return LH_ETOOBIG;
    }
    chk = bech32_hrp_polymod(hrp, n);
    memcpy(out, hrp, n);
    o = n;
    out[o++] = '1';
    for (size_t i = 0; i < data_len; i++) {
        if (data[i] > 31) {
            return LH_EINVAL;
        }
        chk = bech32_polymod_step(chk, data[i]);
        out[o++] = bech32_charset[data[i]];
    }
    for (int i = 0; i < 6; i++) {
        chk = bech32_polymod_step(chk, 0);
    }
    chk ^= variant == LH_BECH32M ? BECH32M_CONST : BECH32_CONST;
    for (int i = 0; i < 6; i++) {
        out[o++] = bech32_charset[(chk >> (5 * (5 - i))) & 31];
    }
    out[o] = '\0';
    *out_len = o;
    return 0;
}

int lh_encode_bits_regroup(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *in,
                           size_t in_len, unsigned from_bits, unsigned to_bits, bool pad)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    uint32_t maxv = (1u << to_bits) - 1;
    size_t o = 0;

    if (from_bits < 1 || from_bits > 8 || to_bits < 1 || to_bits > 8) {
        return LH_EINVAL;
    }
    for (size_t i = 0; i < in_len; i++) {
        if (in[i] >> from_bits != 0) {
            return LH_EINVAL;
        }
        acc = (acc << from_bits | in[i]) & 0xffff;
        bits += from_bits;
        while (bits >= to_bits) {
            bits -= to_bits;
            if (o >= cap) {
                return LH_ETOOBIG;
            }
            out[o++] = (uint8_t)((acc >> bits) & maxv);
        }
    }
    if (pad) {
        if (bits > 0) {
            if (o >= cap) {
                return LH_ETOOBIG;
            }
            out[o++] = (uint8_t)((acc << (to_bits - bits)) & maxv);
        }
    } else if (bits >= from_bits || ((acc << (to_bits - bits)) & maxv) != 0) {
        return LH_EINVAL;
    }
    *out_len = o;
    return 0;
}
