/* SPDX-License-Identifier: MIT */
/* SHA-256 via OpenSSL's one-shot EVP_Digest; see hash.h. */
#include "util/hash.h"

#include <openssl/evp.h>

void lh_sha256(uint8_t out[32], const void *buf, size_t len)
{
    unsigned int n = 32;
    EVP_Digest(buf, len, out, &n, EVP_sha256(), NULL);
}

void lh_hex(char *out, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void lh_sha256_hex(char out[LH_SHA256_HEX_LEN + 1], const void *buf, size_t len)
{
    uint8_t d[32];
    lh_sha256(d, buf, len);
    lh_hex(out, d, 32);
}
