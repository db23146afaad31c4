/* SPDX-License-Identifier: MIT */
/* SHA-256 helpers on OpenSSL libcrypto (hex output), used for fingerprints and keys. */
#ifndef LH_UTIL_HASH_H
#define LH_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define LH_SHA256_HEX_LEN 64

/* Writes the lowercase hex SHA-256 of buf into out (65 bytes incl. NUL). */
void lh_sha256_hex(char out[LH_SHA256_HEX_LEN + 1], const void *buf, size_t len);

/* Raw 32-byte SHA-256. */
void lh_sha256(uint8_t out[32], const void *buf, size_t len);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void lh_hex(char *out, const uint8_t *in, size_t n);

#endif
