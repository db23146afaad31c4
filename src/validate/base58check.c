/* SPDX-License-Identifier: MIT */
/*
 * Bitcoin WIF private keys (Base58Check, https://en.bitcoin.it/wiki/Wallet_import_format,
 * reference §2.21): base58 of version (0x80 mainnet, 0xEF testnet) + 32-byte key +
 * optional 0x01 (compressed) + the first 4 bytes of SHA-256(SHA-256(payload)). Decodes
 * into a small stack buffer; anything longer than a compressed WIF fails.
 */
#include "util/encode.h"
#include "validate/checks.h"
#include "validate/params.h"

#include <openssl/evp.h>
#include <string.h>

#define WIF_KEY 32
#define WIF_MAX_TEXT 60
#define WIF_MAX_BYTES 38

bool lh_base58check_check_wif(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                              struct lh_validation *out)
{
    uint8_t raw[WIF_MAX_BYTES];
    size_t rlen;
    size_t plen;
    uint8_t h1[EVP_MAX_MD_SIZE];
    uint8_t h2[EVP_MAX_MD_SIZE];
    unsigned int n1 = 0;
    unsigned int n2 = 0;

    (void)rule;
    if (secret == NULL || len == 0 || len > WIF_MAX_TEXT ||
        lh_encode_base58_decode(raw, sizeof(raw), &rlen, secret, len) != 0) {
        return lh_params_verdict(out, false);
    }
    if (rlen != 1 + WIF_KEY + 4 && rlen != 1 + WIF_KEY + 1 + 4) {
        return lh_params_verdict(out, false);
    }
    plen = rlen - 4;
    if ((raw[0] != 0x80 && raw[0] != 0xef) || (plen == 1 + WIF_KEY + 1 && raw[plen - 1] != 0x01)) {
        return lh_params_verdict(out, false);
    }
    if (EVP_Digest(raw, plen, h1, &n1, EVP_sha256(), NULL) != 1 ||
        EVP_Digest(h1, n1, h2, &n2, EVP_sha256(), NULL) != 1 || n2 < 4) {
        return lh_params_verdict(out, false);
    }
    return lh_params_verdict(out, memcmp(h2, raw + plen, 4) == 0);
}
