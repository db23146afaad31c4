/* SPDX-License-Identifier: MIT */
/*
 * Text encodings used by token checksums: hex, fixed-width radix numbers (base62 "GitHub
 * style", base36), RFC 4648 base32 and base64 (standard and URL-safe), Bitcoin base58,
 * and BIP-173 bech32/bech32m. Every function takes `(const uint8_t *buf, size_t len)`,
 * never assumes NUL termination, writes only into caller buffers with explicit capacities
 * and never allocates, so the validators can run them on stack buffers for any input.
 * Decoders are strict about syntax (alphabet, padding placement, lengths) and return
 * LH_EINVAL for malformed text and LH_ETOOBIG when the result does not fit the output;
 * they never call lh_error_set(), because their input is scanned content and a failing
 * decode is an expected, frequent outcome, not an error worth a message. Base64 runs on
 * OpenSSL (EVP_EncodeBlock / EVP_DecodeBlock); the others are small enough to write here.
 * All functions are thread-safe.
 */
#ifndef LH_UTIL_ENCODE_H
#define LH_UTIL_ENCODE_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Flags for the base32 and base64 functions; combine with '|'. */
enum lh_encode_flag {
    LH_ENC_URL = 1 << 0,    /* base64: URL-safe alphabet '-' '_' instead of '+' '/' */
    LH_ENC_NOPAD = 1 << 1,  /* encode: omit '='; decode: reject '=' */
    LH_ENC_PAD = 1 << 2,    /* decode: require '=' padding to a whole group */
    LH_ENC_STRICT = 1 << 3, /* decode: reject non-zero unused bits in the last symbol */
    LH_ENC_LOWER = 1 << 4,  /* base32: lower-case alphabet (encode) / lower case only (decode) */
    LH_ENC_NOCASE = 1 << 5, /* base32 decode: accept either case (even mixed) */
};

enum lh_bech32_variant {
    LH_BECH32 = 1,  /* BIP-173, checksum constant 1 */
    LH_BECH32M = 2, /* BIP-350, checksum constant 0x2bc830a3 */
};

#define LH_BASE62_ALPHABET "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define LH_BASE36_ALPHABET "0123456789abcdefghijklmnopqrstuvwxyz"

/*
 * Writes `len` bytes as 2*len hex digits plus a NUL into out[cap]. Returns 0, or
 * LH_ETOOBIG when cap < 2*len + 1 (nothing useful is written then).
 */
int lh_encode_hex(char *out, size_t cap, const uint8_t *buf, size_t len, bool upper) LH_WUR;

/*
 * Decodes an even number of hex digits (either case) into out[cap]; *out_len receives the
 * byte count. Returns 0, LH_EINVAL (odd length or a non-hex byte) or LH_ETOOBIG.
 */
int lh_encode_hex_decode(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *buf,
                         size_t len) LH_WUR;

/*
 * Writes `value` in the radix strlen(alphabet) (2..94), most significant digit first,
 * left-padded with alphabet[0] to exactly `width` characters (no NUL). Returns 0,
 * LH_ETOOBIG when the value needs more than `width` digits, LH_EINVAL for a bad alphabet.
 */
int lh_encode_radix_u32(char *out, size_t width, uint32_t value, const char *alphabet) LH_WUR;

/* lh_encode_radix_u32 with LH_BASE62_ALPHABET (digits, upper, lower: GitHub, npm). */
int lh_encode_base62_u32(char *out, size_t width, uint32_t value) LH_WUR;

/* lh_encode_radix_u32 with LH_BASE36_ALPHABET (digits, lower: GitLab). */
int lh_encode_base36_u32(char *out, size_t width, uint32_t value) LH_WUR;

/*
 * Reads a number written in the radix strlen(alphabet), MSD first (leading alphabet[0]
 * digits allowed). Returns 0, LH_EINVAL (empty or a byte outside the alphabet) or
 * LH_ETOOBIG (does not fit in 64 bits).
 */
int lh_encode_radix_decode(uint64_t *out, const uint8_t *buf, size_t len,
                           const char *alphabet) LH_WUR;

/* lh_encode_radix_decode with LH_BASE62_ALPHABET. */
int lh_encode_base62_decode(uint64_t *out, const uint8_t *buf, size_t len) LH_WUR;

/* lh_encode_radix_decode with LH_BASE36_ALPHABET (lower case only). */
int lh_encode_base36_decode(uint64_t *out, const uint8_t *buf, size_t len) LH_WUR;

/*
 * RFC 4648 base32 (A-Z2-7). Writes the text plus a NUL into out[cap], *out_len = text
 * length. Flags: LH_ENC_NOPAD (no '='), LH_ENC_LOWER (lower-case letters).
 * Returns 0 or LH_ETOOBIG.
 */
int lh_encode_base32(char *out, size_t cap, size_t *out_len, const uint8_t *buf, size_t len,
                     unsigned flags) LH_WUR;

/*
 * Decodes RFC 4648 base32 into out[cap]. Upper case only unless LH_ENC_LOWER (lower case
 * only) or LH_ENC_NOCASE (either). Padding is optional unless LH_ENC_PAD / LH_ENC_NOPAD;
 * when present it must complete the last 8-character group exactly. Lengths that no byte
 * count produces (1, 3, 6 symbols in the last group) are LH_EINVAL; with LH_ENC_STRICT so
 * are non-zero unused bits in the last symbol (without it they are ignored, as Azure
 * DevOps PATs need). Returns 0, LH_EINVAL or LH_ETOOBIG.
 */
int lh_encode_base32_decode(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *buf,
                            size_t len, unsigned flags) LH_WUR;

/* The value of hex digit c (either case), or -1. */
int lh_hex_digit(uint8_t c);

/* The value of base64 digit c in the standard ('+' '/') or, with url, the URL-safe alphabet
 * ('-' '_'), or -1 (padding '=' included). */
int lh_b64_digit(uint8_t c, bool url);

/*
 * Base64 (RFC 4648 §4, or §5 with LH_ENC_URL) on OpenSSL's EVP_EncodeBlock. Writes the
 * text plus a NUL into out[cap]; LH_ENC_NOPAD omits the '=' padding.
 * Returns 0 or LH_ETOOBIG (also for inputs over 1 GiB).
 */
int lh_encode_base64(char *out, size_t cap, size_t *out_len, const uint8_t *buf, size_t len,
                     unsigned flags) LH_WUR;

/*
 * Validates base64 text and computes its decoded length without decoding. Flags as for
 * lh_encode_base64_decode. Returns 0 or LH_EINVAL.
 */
int lh_encode_base64_decoded_len(size_t *out, const uint8_t *buf, size_t len,
                                 unsigned flags) LH_WUR;

/*
 * Decodes base64 into out[cap]. The alphabet is standard ('+' '/') or, with LH_ENC_URL,
 * URL-safe ('-' '_'); the other alphabet's two symbols are rejected. Padding is optional
 * (if present it must be exactly right) unless LH_ENC_PAD (required) or LH_ENC_NOPAD
 * (rejected). No whitespace is accepted. LH_ENC_STRICT rejects non-zero unused bits.
 * The syntax is checked here; OpenSSL's EVP_DecodeBlock then decodes whole groups.
 * Returns 0, LH_EINVAL or LH_ETOOBIG.
 */
int lh_encode_base64_decode(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *buf,
                            size_t len, unsigned flags) LH_WUR;

/*
 * Bitcoin base58 (no checksum). Each leading '1' is one leading zero byte. The big-number
 * arithmetic runs in out[cap] itself, so the work is bounded by len * cap.
 * Returns 0, LH_EINVAL (empty or a byte outside the alphabet) or LH_ETOOBIG.
 */
int lh_encode_base58_decode(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *buf,
                            size_t len) LH_WUR;

/*
 * Bitcoin base58 encode (text plus NUL into out[cap]); inputs are capped at 256 bytes
 * because the conversion needs a stack scratch buffer. Returns 0 or LH_ETOOBIG.
 */
int lh_encode_base58(char *out, size_t cap, size_t *out_len, const uint8_t *buf, size_t len) LH_WUR;

/*
 * Decodes and verifies a bech32/bech32m string: the separator is the last '1', the HRP is
 * 1..83 printable ASCII characters, the data part at least the 6 checksum symbols, the
 * whole string all lower or all upper case. No overall length limit is imposed (age
 * post-quantum keys exceed BIP-173's 90). On success the HRP, lower-cased and
 * NUL-terminated, goes to hrp[hrp_cap], the 5-bit data symbols without the checksum to
 * data[data_cap] (*data_len of them), and the checksum variant to *variant.
 * Returns 0, LH_EINVAL (syntax or checksum) or LH_ETOOBIG.
 */
int lh_encode_bech32_decode(char *hrp, size_t hrp_cap, uint8_t *data, size_t data_cap,
                            size_t *data_len, enum lh_bech32_variant *variant, const uint8_t *buf,
                            size_t len) LH_WUR;

/*
 * Encodes 5-bit symbols with a lower-case HRP (1..83 printable ASCII) into bech32 text
 * (lower case) plus a NUL in out[cap]. Returns 0, LH_EINVAL or LH_ETOOBIG.
 */
int lh_encode_bech32(char *out, size_t cap, size_t *out_len, const char *hrp, const uint8_t *data,
                     size_t data_len, enum lh_bech32_variant variant) LH_WUR;

/*
 * Regroups a bit stream from `from_bits`-bit to `to_bits`-bit values (1..8 each), MSB
 * first, as BIP-173's convertbits. With `pad` a partial final group is zero-filled;
 * without it, leftover bits must be fewer than from_bits and all zero (LH_EINVAL
 * otherwise). Input values wider than from_bits are LH_EINVAL. Returns 0, LH_EINVAL or
 * LH_ETOOBIG.
 */
int lh_encode_bits_regroup(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *in,
                           size_t in_len, unsigned from_bits, unsigned to_bits, bool pad) LH_WUR;

#endif
