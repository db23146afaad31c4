/* SPDX-License-Identifier: MIT */
/*
 * Partner request verification; see verify.h. The DER check is done before the ECDSA
 * verify (d2i_ECDSA_SIG must consume every byte and re-encode to the same bytes), so a
 * BER-encoded or padded signature is reported as malformed rather than as "wrong";
 * OpenSSL's own verify applies the same canonical-DER rule, so this only sharpens the
 * diagnosis, never what is accepted.
 */
#include "partner/verify.h"

#include "util/encode.h"

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <string.h>

static const char *const result_names[LH_VERIFY_NRESULTS] = {
    "ok", "missing_header", "unknown_key", "bad_encoding", "bad_der", "bad_signature", "error",
};

const char *lh_verify_result_name(enum lh_verify_result r)
{
    if ((unsigned)r >= LH_VERIFY_NRESULTS) {
        return "error";
    }
    return result_names[r];
}

const char *const *lh_verify_result_names(void)
{
    return result_names;
}

static bool canonical_der(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    uint8_t *re = NULL;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    bool ok = false;
    if (sig && p == der + len) {
        int n = i2d_ECDSA_SIG(sig, &re);
        ok = n > 0 && (size_t)n == len && memcmp(re, der, len) == 0;
    }
    OPENSSL_free(re);
    ECDSA_SIG_free(sig);
    ERR_clear_error();
    return ok;
}

enum lh_verify_result lh_verify_signature(EVP_PKEY *pk, const uint8_t *body, size_t len,
                                          const char *sig, size_t sig_len)
{
    uint8_t der[LH_VERIFY_MAX_SIGNATURE];
    size_t der_len = 0;
    if (sig_len == 0 || sig_len > LH_VERIFY_MAX_SIGNATURE) {
        return LH_VERIFY_BAD_ENCODING;
    }
    if (lh_encode_base64_decode(der, sizeof(der), &der_len, (const uint8_t *)sig, sig_len,
                                LH_ENC_PAD | LH_ENC_STRICT) != 0) {
        return LH_VERIFY_BAD_ENCODING;
    }
    if (der_len == 0 || !canonical_der(der, der_len)) {
        return LH_VERIFY_BAD_DER;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) {
        return LH_VERIFY_ERROR;
    }
    enum lh_verify_result r = LH_VERIFY_ERROR;
    if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pk) == 1) {
        int v = EVP_DigestVerify(ctx, der, der_len, body, len);
        r = v == 1 ? LH_VERIFY_OK : LH_VERIFY_BAD_SIGNATURE;
    }
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return r;
}

/* Picks the reporter row and looks its key up; *pk is set only on LH_VERIFY_OK. */
static enum lh_verify_result find_key(const struct lh_verifier *table, size_t n, lh_header_fn get,
                                      void *payload, EVP_PKEY **pk, const char **sig,
                                      size_t *reporter)
{
    const char *id = NULL;
    size_t row = n;
    for (size_t i = 0; i < n; i++) {
        id = get(table[i].key_id_header, payload);
        if (id) {
            row = i;
            break;
        }
    }
    if (row == n) {
        return LH_VERIFY_MISSING_HEADER;
    }
    if (reporter) {
        *reporter = row;
    }
    *sig = get(table[row].signature_header, payload);
    if (!*sig) {
        return LH_VERIFY_MISSING_HEADER;
    }
    if (lh_keyring_lookup(table[row].keys, pk, NULL, id, strlen(id)) < 0) {
        return LH_VERIFY_UNKNOWN_KEY;
    }
    return LH_VERIFY_OK;
}

enum lh_verify_result lh_verify_headers(const struct lh_verifier *table, size_t n, lh_header_fn get,
                                        void *payload, size_t *reporter)
{
    EVP_PKEY *pk = NULL;
    const char *sig = NULL;
    enum lh_verify_result r = find_key(table, n, get, payload, &pk, &sig, reporter);
    EVP_PKEY_free(pk);
    return r;
}

enum lh_verify_result lh_verify_request(const struct lh_verifier *table, size_t n, lh_header_fn get,
                                        void *payload, const uint8_t *body, size_t len,
                                        size_t *reporter)
{
    EVP_PKEY *pk = NULL;
    const char *sig = NULL;
    enum lh_verify_result r = find_key(table, n, get, payload, &pk, &sig, reporter);
    if (r == LH_VERIFY_OK) {
        r = lh_verify_signature(pk, body, len, sig, strlen(sig));
    }
    EVP_PKEY_free(pk);
    return r;
}
