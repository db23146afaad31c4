/* SPDX-License-Identifier: MIT */
/*
 * util/encode: RFC 4648 base32/base64 test vectors, BIP-173/350 bech32 vectors, the
 * reference's radix values, base58 with the Bitcoin wiki key, round trips of random data,
 * strictness (padding, alphabets, trailing bits, capacities) and guard-page runs of the
 * decoders over every prefix and suffix of valid inputs.
 */
#include "util/encode.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define U8(s) ((const uint8_t *)(s))

/* ---- hex ------------------------------------------------------------------------- */

Test(encode, hex_round_trip_and_case)
{
    static const uint8_t bytes[] = {0x00, 0x5b, 0x58, 0x26, 0x97, 0xff};
    char text[13];
    uint8_t back[6];
    size_t n;

    cr_assert(eq(int, lh_encode_hex(text, sizeof(text), bytes, sizeof(bytes), false), 0));
    cr_assert(eq(str, text, "005b582697ff"));
    cr_assert(eq(int, lh_encode_hex(text, sizeof(text), bytes, sizeof(bytes), true), 0));
    cr_assert(eq(str, text, "005B582697FF"));
    cr_assert(eq(int, lh_encode_hex_decode(back, sizeof(back), &n, U8("005B582697ff"), 12), 0));
    cr_assert(eq(sz, n, 6));
    cr_assert(eq(int, memcmp(back, bytes, 6), 0));
}

Test(encode, hex_rejects_bad_input_and_small_buffers)
{
    char text[12];
    uint8_t back[2];
    size_t n;

    cr_assert(eq(int, lh_encode_hex(text, sizeof(text), U8("abcdef"), 6, false), LH_ETOOBIG));
    cr_assert(eq(int, lh_encode_hex_decode(back, sizeof(back), &n, U8("abc"), 3), LH_EINVAL));
    cr_assert(eq(int, lh_encode_hex_decode(back, sizeof(back), &n, U8("zz"), 2), LH_EINVAL));
    cr_assert(eq(int, lh_encode_hex_decode(back, sizeof(back), &n, U8("001122"), 6), LH_ETOOBIG));
}

/* ---- radix ----------------------------------------------------------------------- */

Test(encode, base62_reference_values)
{
    char out[8] = {0};
    uint64_t v;

    /* crc32("hello") = 0x3610A686 */
    cr_assert(eq(int, lh_encode_base62_u32(out, 6, 0x3610A686u), 0));
    cr_assert(eq(str, out, "0zNvy2"));
    /* GitHub worked example: CRC32 0xE0A6D806 -> 474T38; body 'a'*30 -> 1yLcDB */
    cr_assert(eq(int, lh_encode_base62_u32(out, 6, 0xE0A6D806u), 0));
    cr_assert(eq(str, out, "474T38"));
    cr_assert(eq(int, lh_encode_base62_u32(out, 6, 0x6BC1D3C1u), 0));
    cr_assert(eq(str, out, "1yLcDB"));
    cr_assert(eq(int, lh_encode_base62_u32(out, 6, 0), 0));
    cr_assert(eq(str, out, "000000"));
    cr_assert(eq(int, lh_encode_base62_u32(out, 5, 0xFFFFFFFFu), LH_ETOOBIG));
    cr_assert(eq(int, lh_encode_base62_decode(&v, U8("0zNvy2"), 6), 0));
    cr_assert(eq(u64, v, 907060870));
    cr_assert(eq(int, lh_encode_base62_decode(&v, U8("0zN-y2"), 6), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base62_decode(&v, U8(""), 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base62_decode(&v, U8("zzzzzzzzzzzzzzz"), 15), LH_ETOOBIG));
}

Test(encode, base36_reference_values)
{
    char out[8] = {0};
    uint64_t v;

    /* GitLab spec vector: CRC32 0x41544F2D -> 0i4k17x */
    cr_assert(eq(int, lh_encode_base36_u32(out, 7, 0x41544F2Du), 0));
    cr_assert(eq(str, out, "0i4k17x"));
    cr_assert(eq(int, lh_encode_base36_u32(out, 2, 27), 0));
    out[2] = '\0';
    cr_assert(eq(str, out, "0r"));
    cr_assert(eq(int, lh_encode_base36_decode(&v, U8("0r"), 2), 0));
    cr_assert(eq(u64, v, 27));
    cr_assert(eq(int, lh_encode_base36_decode(&v, U8("0R"), 2), LH_EINVAL));
}

Test(encode, radix_round_trip)
{
    char out[7];
    uint64_t v;
    uint32_t x = 1;

    for (int i = 0; i < 2000; i++) {
        x = x * 1664525u + 1013904223u;
        cr_assert(eq(int, lh_encode_base62_u32(out, 6, x), 0));
        cr_assert(eq(int, lh_encode_base62_decode(&v, U8(out), 6), 0));
        cr_assert(eq(u64, v, x));
        cr_assert(eq(int, lh_encode_base36_u32(out, 7, x), 0));
        cr_assert(eq(int, lh_encode_base36_decode(&v, U8(out), 7), 0));
        cr_assert(eq(u64, v, x));
    }
}

/* ---- base32 ---------------------------------------------------------------------- */

static const char *const rfc_plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
static const char *const rfc_b32[] = {
    "", "MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=", "MZXW6YTB", "MZXW6YTBOI======"};
static const char *const rfc_b64[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};

Test(encode, base32_rfc4648_vectors)
{
    char text[32];
    uint8_t back[16];
    size_t n;

    for (size_t i = 0; i < 7; i++) {
        size_t plen = strlen(rfc_plain[i]);
        size_t tlen = strlen(rfc_b32[i]);
        cr_assert(eq(int, lh_encode_base32(text, sizeof(text), &n, U8(rfc_plain[i]), plen, 0), 0));
        cr_assert(eq(str, text, (char *)rfc_b32[i]));
        cr_assert(
            eq(int, lh_encode_base32_decode(back, sizeof(back), &n, U8(rfc_b32[i]), tlen, 0), 0));
        cr_assert(eq(sz, n, plen));
        cr_assert(eq(int, memcmp(back, rfc_plain[i], plen), 0));
        /* the same without padding */
        cr_assert(eq(int,
                     lh_encode_base32(text, sizeof(text), &n, U8(rfc_plain[i]), plen, LH_ENC_NOPAD),
                     0));
        cr_assert(eq(int,
                     lh_encode_base32_decode(back, sizeof(back), &n, U8(text), n,
                                             LH_ENC_NOPAD | LH_ENC_STRICT),
                     0));
        cr_assert(eq(sz, n, plen));
    }
}

Test(encode, base32_case_padding_and_bits)
{
    uint8_t back[16];
    size_t n;

    cr_assert(eq(int, lh_encode_base32_decode(back, 16, &n, U8("mzxw6ytb"), 8, 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base32_decode(back, 16, &n, U8("mzxw6ytb"), 8, LH_ENC_LOWER), 0));
    cr_assert(
        eq(int, lh_encode_base32_decode(back, 16, &n, U8("MZXW6YTB"), 8, LH_ENC_LOWER), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base32_decode(back, 16, &n, U8("MzXw6yTb"), 8, LH_ENC_NOCASE), 0));
    /* impossible lengths: 1, 3, 6 symbols in the last group */
    cr_assert(eq(int, lh_encode_base32_decode(back, 16, &n, U8("M"), 1, 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base32_decode(back, 16, &n, U8("MZX"), 3, 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base32_decode(back, 16, &n, U8("MZXW6Y"), 6, 0), LH_EINVAL));
    /* wrong or forbidden padding */
    cr_assert(eq(int, lh_encode_base32_decode(back, 16, &n, U8("MY====="), 7, 0), LH_EINVAL));
    cr_assert(
        eq(int, lh_encode_base32_decode(back, 16, &n, U8("MY======"), 8, LH_ENC_NOPAD), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base32_decode(back, 16, &n, U8("MY"), 2, LH_ENC_PAD), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base32_decode(back, 16, &n, U8("M=Y====="), 8, 0), LH_EINVAL));
    /* "MZ": 2 spare bits set; ignored unless strict */
    cr_assert(eq(int, lh_encode_base32_decode(back, 16, &n, U8("MZ"), 2, 0), 0));
    cr_assert(
        eq(int, lh_encode_base32_decode(back, 16, &n, U8("MZ"), 2, LH_ENC_STRICT), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base32_decode(back, 2, &n, U8("MZXW6YTB"), 8, 0), LH_ETOOBIG));
}

/* ---- base64 ---------------------------------------------------------------------- */

Test(encode, base64_rfc4648_vectors)
{
    char text[32];
    uint8_t back[16];
    size_t n;

    for (size_t i = 0; i < 7; i++) {
        size_t plen = strlen(rfc_plain[i]);
        size_t tlen = strlen(rfc_b64[i]);
        cr_assert(eq(int, lh_encode_base64(text, sizeof(text), &n, U8(rfc_plain[i]), plen, 0), 0));
        cr_assert(eq(str, text, (char *)rfc_b64[i]));
        cr_assert(eq(int,
                     lh_encode_base64_decode(back, sizeof(back), &n, U8(rfc_b64[i]), tlen,
                                             LH_ENC_PAD | LH_ENC_STRICT),
                     0));
        cr_assert(eq(sz, n, plen));
        cr_assert(eq(int, memcmp(back, rfc_plain[i], plen), 0));
        cr_assert(eq(int, lh_encode_base64_decoded_len(&n, U8(rfc_b64[i]), tlen, 0), 0));
        cr_assert(eq(sz, n, plen));
        cr_assert(eq(int,
                     lh_encode_base64(text, sizeof(text), &n, U8(rfc_plain[i]), plen, LH_ENC_NOPAD),
                     0));
        cr_assert(
            eq(int, lh_encode_base64_decode(back, sizeof(back), &n, U8(text), n, LH_ENC_NOPAD), 0));
        cr_assert(eq(sz, n, plen));
    }
}

Test(encode, base64_urlsafe_alphabet)
{
    static const uint8_t bytes[] = {0xfb, 0xff, 0xbf};
    char text[8];
    uint8_t back[4];
    size_t n;

    cr_assert(eq(int, lh_encode_base64(text, sizeof(text), &n, bytes, 3, 0), 0));
    cr_assert(eq(str, text, "+/+/"));
    cr_assert(eq(int, lh_encode_base64(text, sizeof(text), &n, bytes, 3, LH_ENC_URL), 0));
    cr_assert(eq(str, text, "-_-_"));
    cr_assert(eq(int, lh_encode_base64_decode(back, 4, &n, U8("-_-_"), 4, LH_ENC_URL), 0));
    cr_assert(eq(int, memcmp(back, bytes, 3), 0));
    cr_assert(eq(int, lh_encode_base64_decode(back, 4, &n, U8("-_-_"), 4, 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base64_decode(back, 4, &n, U8("+/+/"), 4, LH_ENC_URL), LH_EINVAL));
    /* URL-safe with padding is accepted unless NOPAD */
    cr_assert(eq(int, lh_encode_base64_decode(back, 4, &n, U8("-_8="), 4, LH_ENC_URL), 0));
    cr_assert(eq(sz, n, 2));
    cr_assert(eq(int,
                 lh_encode_base64_decode(back, 4, &n, U8("-_8="), 4, LH_ENC_URL | LH_ENC_NOPAD),
                 LH_EINVAL));
    cr_assert(eq(int, lh_encode_base64_decode(back, 4, &n, U8("-_8"), 3, LH_ENC_URL), 0));
    cr_assert(eq(sz, n, 2));
}

Test(encode, base64_rejects_what_openssl_would_skip)
{
    uint8_t back[16];
    size_t n;

    cr_assert(eq(int, lh_encode_base64_decode(back, 16, &n, U8(" QUJD"), 5, 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base64_decode(back, 16, &n, U8("QUJD\n"), 5, 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base64_decode(back, 16, &n, U8("QQ=A"), 4, 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base64_decode(back, 16, &n, U8("Q==="), 4, 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base64_decode(back, 16, &n, U8("QQ="), 3, 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base64_decode(back, 16, &n, U8("QQ"), 2, LH_ENC_PAD), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base64_decode(back, 16, &n, U8("QUJDR"), 5, 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base64_decode(back, 16, &n, U8("===="), 4, 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base64_decode(back, 16, &n, U8("QR=="), 4, 0), 0));
    cr_assert(
        eq(int, lh_encode_base64_decode(back, 16, &n, U8("QR=="), 4, LH_ENC_STRICT), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base64_decode(back, 2, &n, U8("QUJD"), 4, 0), LH_ETOOBIG));
}

Test(encode, base64_long_round_trip)
{
    /* crosses the 256-character chunk size several times, every length mod 3 */
    uint8_t bytes[1000];
    char text[1400];
    uint8_t back[1000];
    size_t n;
    size_t m;
    uint32_t x = 7;

    for (size_t i = 0; i < sizeof(bytes); i++) {
        x = x * 1103515245u + 12345u;
        bytes[i] = (uint8_t)(x >> 16);
    }
    for (size_t len = 0; len < sizeof(bytes); len += 37) {
        for (unsigned flags = 0; flags < 4; flags++) {
            unsigned f = (flags & 1 ? LH_ENC_URL : 0) | (flags & 2 ? LH_ENC_NOPAD : 0);
            cr_assert(eq(int, lh_encode_base64(text, sizeof(text), &n, bytes, len, f), 0));
            cr_assert(
                eq(int,
                   lh_encode_base64_decode(back, sizeof(back), &m, U8(text), n, f | LH_ENC_STRICT),
                   0));
            cr_assert(eq(sz, m, len));
            cr_assert(eq(int, memcmp(back, bytes, len), 0));
        }
    }
}

/* ---- base58 ---------------------------------------------------------------------- */

Test(encode, base58_bitcoin_wiki_key)
{
    static const uint8_t key[] = {0x0C, 0x28, 0xFC, 0xA3, 0x86, 0xC7, 0xA2, 0x27, 0x60, 0x0B, 0x2F,
                                  0xE5, 0x0B, 0x7C, 0xAE, 0x11, 0xEC, 0x86, 0xD3, 0xBF, 0x1F, 0xBE,
                                  0x47, 0x1B, 0xE8, 0x98, 0x27, 0xE1, 0x9D, 0x72, 0xAA, 0x1D};
    static const char wif[] = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ";
    uint8_t raw[40];
    char text[64];
    size_t n;

    cr_assert(eq(int, lh_encode_base58_decode(raw, sizeof(raw), &n, U8(wif), sizeof(wif) - 1), 0));
    cr_assert(eq(sz, n, 37));
    cr_assert(eq(u8, raw[0], 0x80));
    cr_assert(eq(int, memcmp(raw + 1, key, 32), 0));
    cr_assert(eq(u8, raw[33], 0x50)); /* checksum 507A5B8D */
    cr_assert(eq(u8, raw[36], 0x8D));
    cr_assert(eq(int, lh_encode_base58(text, sizeof(text), &n, raw, 37), 0));
    cr_assert(eq(str, text, (char *)wif));
}

Test(encode, base58_leading_zeros_and_errors)
{
    uint8_t raw[8];
    char text[16];
    size_t n;
    static const uint8_t zz[] = {0, 0, 1};

    cr_assert(eq(int, lh_encode_base58(text, sizeof(text), &n, zz, 3), 0));
    cr_assert(eq(str, text, "112"));
    cr_assert(eq(int, lh_encode_base58_decode(raw, sizeof(raw), &n, U8("112"), 3), 0));
    cr_assert(eq(sz, n, 3));
    cr_assert(eq(int, memcmp(raw, zz, 3), 0));
    cr_assert(eq(int, lh_encode_base58_decode(raw, sizeof(raw), &n, U8("111"), 3), 0));
    cr_assert(eq(sz, n, 3));
    cr_assert(eq(int, lh_encode_base58_decode(raw, sizeof(raw), &n, U8("0"), 1), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base58_decode(raw, sizeof(raw), &n, U8("O"), 1), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base58_decode(raw, sizeof(raw), &n, U8("I"), 1), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base58_decode(raw, sizeof(raw), &n, U8("l"), 1), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base58_decode(raw, sizeof(raw), &n, U8(""), 0), LH_EINVAL));
    cr_assert(eq(int, lh_encode_base58_decode(raw, 2, &n, U8("zzzz"), 4), LH_ETOOBIG));
    cr_assert(eq(int, lh_encode_base58_decode(raw, 2, &n, U8("111"), 3), LH_ETOOBIG));
}

Test(encode, base58_round_trip)
{
    uint8_t bytes[40];
    uint8_t back[40];
    char text[64];
    size_t n;
    size_t m;
    uint32_t x = 99;

    for (int iter = 0; iter < 300; iter++) {
        size_t len = (size_t)iter % sizeof(bytes);
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            bytes[i] = iter % 7 == 0 && i < 3 ? 0 : (uint8_t)(x >> 16);
        }
        cr_assert(eq(int, lh_encode_base58(text, sizeof(text), &n, bytes, len), 0));
        if (len == 0) {
            continue;
        }
        cr_assert(eq(int, lh_encode_base58_decode(back, sizeof(back), &m, U8(text), n), 0));
        cr_assert(eq(sz, m, len));
        cr_assert(eq(int, memcmp(back, bytes, len), 0));
    }
}

/* ---- bech32 ---------------------------------------------------------------------- */

static int b32_decode(const char *s, enum lh_bech32_variant *variant)
{
    char hrp[90];
    uint8_t data[100];
    size_t n;

    return lh_encode_bech32_decode(hrp, sizeof(hrp), data, sizeof(data), &n, variant, U8(s),
                                   strlen(s));
}

Test(encode, bech32_bip173_bip350_vectors)
{
    static const char *const bech32[] = {
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tg"
        "s",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247"
        "j",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    };
    static const char *const bech32m[] = {
        "A1LQFN3A",
        "a1lqfn3a",
        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
        "?1v759aa",
    };
    enum lh_bech32_variant v;

    for (size_t i = 0; i < sizeof(bech32) / sizeof(bech32[0]); i++) {
        cr_assert(eq(int, b32_decode(bech32[i], &v), 0), "%s", bech32[i]);
        cr_assert(eq(int, v, LH_BECH32), "%s", bech32[i]);
    }
    for (size_t i = 0; i < sizeof(bech32m) / sizeof(bech32m[0]); i++) {
        cr_assert(eq(int, b32_decode(bech32m[i], &v), 0), "%s", bech32m[i]);
        cr_assert(eq(int, v, LH_BECH32M), "%s", bech32m[i]);
    }
}

Test(encode, bech32_invalid_vectors)
{
    static const char *const invalid[] = {
        "pzry9x0s0muk",  /* no separator */
        "1pzry9x0s0muk", /* empty HRP */
        "x1b4n0q5v",     /* invalid data character */
        "li1dgmt3",      /* checksum too short */
        "A1G7SGD8",      /* checksum computed with the upper-case HRP */
        "10a06t8",       /* empty HRP */
        "1qzzfhee",      /* empty HRP */
        "a12UEL5L",      /* mixed case */
        "\x7f"
        "1axkwrx", /* HRP character out of range */
    };
    enum lh_bech32_variant v;

    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        cr_assert(eq(int, b32_decode(invalid[i], &v), LH_EINVAL), "%s", invalid[i]);
    }
}

Test(encode, bech32_round_trip_nsec)
{
    static const uint8_t key[32] = {0x67, 0xde, 0xa2, 0xed, 0x01, 0x80, 0x72, 0xd6,
                                    0x75, 0xf5, 0x41, 0x5e, 0xcf, 0xae, 0xd7, 0xd2,
                                    0x59, 0x75, 0x55, 0xe2, 0x02, 0xd8, 0x5b, 0x3d,
                                    0x65, 0xea, 0x4e, 0x58, 0xd2, 0xd9, 0x2f, 0xfa};
    uint8_t five[64];
    uint8_t back[40];
    char text[100];
    char hrp[16];
    size_t n5;
    size_t n;
    enum lh_bech32_variant v;

    cr_assert(eq(int, lh_encode_bits_regroup(five, sizeof(five), &n5, key, 32, 8, 5, true), 0));
    cr_assert(eq(sz, n5, 52));
    cr_assert(eq(int, lh_encode_bech32(text, sizeof(text), &n, "nsec", five, n5, LH_BECH32), 0));
    cr_assert(eq(str, text, "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"));
    cr_assert(
        eq(int, lh_encode_bech32_decode(hrp, sizeof(hrp), five, sizeof(five), &n5, &v, U8(text), n),
           0));
    cr_assert(eq(str, hrp, "nsec"));
    cr_assert(eq(int, lh_encode_bits_regroup(back, sizeof(back), &n, five, n5, 5, 8, false), 0));
    cr_assert(eq(sz, n, 32));
    cr_assert(eq(int, memcmp(back, key, 32), 0));
    /* small buffers */
    cr_assert(eq(int, lh_encode_bech32_decode(hrp, 4, five, sizeof(five), &n5, &v, U8(text), n),
                 LH_ETOOBIG));
    cr_assert(eq(int, lh_encode_bech32_decode(hrp, sizeof(hrp), five, 10, &n5, &v, U8(text), n),
                 LH_ETOOBIG));
}

Test(encode, bits_regroup_rules)
{
    static const uint8_t in[] = {0xff};
    static const uint8_t five_bad[] = {31, 31}; /* 10 bits: 2 non-zero leftover bits */
    static const uint8_t wide[] = {32};
    uint8_t out[4];
    size_t n;

    cr_assert(eq(int, lh_encode_bits_regroup(out, 4, &n, in, 1, 8, 5, true), 0));
    cr_assert(eq(sz, n, 2));
    cr_assert(eq(u8, out[0], 31));
    cr_assert(eq(u8, out[1], 28));
    cr_assert(eq(int, lh_encode_bits_regroup(out, 4, &n, in, 1, 8, 5, false), LH_EINVAL));
    cr_assert(eq(int, lh_encode_bits_regroup(out, 4, &n, five_bad, 2, 5, 8, false), LH_EINVAL));
    cr_assert(eq(int, lh_encode_bits_regroup(out, 4, &n, wide, 1, 5, 8, true), LH_EINVAL));
    cr_assert(eq(int, lh_encode_bits_regroup(out, 1, &n, in, 1, 8, 5, true), LH_ETOOBIG));
    cr_assert(eq(int, lh_encode_bits_regroup(out, 4, &n, in, 1, 0, 5, true), LH_EINVAL));
}

/* ---- guard pages ----------------------------------------------------------------- */

typedef void (*decode_fn)(const uint8_t *buf, size_t len);

/* Decoders return 0 or a negative code; anything else (or a crash) is a failure. */
static void run_b64(const uint8_t *buf, size_t len)
{
    uint8_t out[512];
    size_t n;
    int rc = lh_encode_base64_decode(out, sizeof(out), &n, buf, len, 0);
    rc += lh_encode_base64_decode(out, sizeof(out), &n, buf, len, LH_ENC_URL | LH_ENC_STRICT);
    rc += lh_encode_base64_decoded_len(&n, buf, len, LH_ENC_PAD);
    cr_assert(rc <= 0);
}

static void run_bech32(const uint8_t *buf, size_t len)
{
    char hrp[90];
    uint8_t out[512];
    size_t n;
    enum lh_bech32_variant v;
    int rc = lh_encode_bech32_decode(hrp, sizeof(hrp), out, sizeof(out), &n, &v, buf, len);
    cr_assert(rc <= 0);
}

static void run_others(const uint8_t *buf, size_t len)
{
    uint8_t out[512];
    size_t n;
    uint64_t v;
    int rc = lh_encode_base32_decode(out, sizeof(out), &n, buf, len, LH_ENC_NOCASE);
    rc += lh_encode_base58_decode(out, sizeof(out), &n, buf, len);
    rc += lh_encode_hex_decode(out, sizeof(out), &n, buf, len);
    rc += lh_encode_base62_decode(&v, buf, len);
    rc += lh_encode_base36_decode(&v, buf, len);
    cr_assert(rc <= 0);
}

/* Every prefix and suffix of `text`, each ending exactly before a PROT_NONE page. */
static void guard_each(const char *text, decode_fn fn)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t len = strlen(text);
    uint8_t *p =
        mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *end;

    cr_assert(p != MAP_FAILED);
    cr_assert(eq(int, mprotect(p + page, (size_t)page, PROT_NONE), 0));
    end = p + page;
    for (size_t k = 0; k <= len; k++) {
        memcpy(end - k, text + len - k, k);
        fn(end - k, k);
        memcpy(end - k, text, k);
        fn(end - k, k);
    }
    munmap(p, 2 * (size_t)page);
}

Test(encode, guard_page_base64)
{
    guard_each("Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFy+/8=", run_b64);
    guard_each("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9-_8", run_b64);
    guard_each("QQ==", run_b64);
}

Test(encode, guard_page_bech32)
{
    guard_each("nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5", run_bech32);
    guard_each("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX",
               run_bech32);
    guard_each("?1ezyfcl", run_bech32);
}

Test(encode, guard_page_other_decoders)
{
    guard_each("MZXW6YTBOI======", run_others);
    guard_each("5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ", run_others);
    guard_each("0123456789abcdefABCDEF", run_others);
}
