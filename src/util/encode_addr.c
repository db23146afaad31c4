/* SPDX-License-Identifier: MIT */
/*
 * The address and key encodings of encode.h: base58 (Bitcoin's alphabet, leading-zero
 * bytes as '1'), bech32 and bech32m (BIP 173/350: charset, checksum over the human-readable
 * part and the data, mixed case refused) and the 8-to-5-bit regrouping they need. Like the
 * rest of encode.h, nothing here allocates or records an error message.
 */
#include "util/encode.h"

#include <limits.h>
#include <string.h>

#define B58_ENCODE_MAX 256

static const char b58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
static const char bech32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

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
