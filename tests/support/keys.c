/* SPDX-License-Identifier: MIT */
/*
 * Keys for the partner-endpoint tests (serve.h): EC P-256 key pairs made with OpenSSL,
 * GitHub-style key lists and base64 DER signatures. Needs only libcrypto.
 */
#include "support/serve.h"

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what)
{
    fprintf(stderr, "test helper failed: %s\n", what);
    abort();
}

void th_key_new(struct th_key *k)
{
    memset(k, 0, sizeof(*k));
    k->pk = EVP_EC_gen("P-256");
    if (!k->pk) {
        die("EVP_EC_gen");
    }
    BIO *b = BIO_new(BIO_s_mem());
    if (!b || PEM_write_bio_PUBKEY(b, k->pk) != 1) {
        die("PEM_write_bio_PUBKEY");
    }
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    k->pem = strndup(data, (size_t)n);
    BIO_free(b);
    lh_test_sha256_hex(k->id, k->pem);
}

void th_key_free(struct th_key *k)
{
    EVP_PKEY_free(k->pk);
    free(k->pem);
    memset(k, 0, sizeof(*k));
}

void th_write_keys(const char *dir, const struct th_key *k)
{
    char *keys = th_keys_json(k, 1);
    lh_write_file(dir, "keys.json", keys, strlen(keys));
    free(keys);
}

char *th_keys_json(const struct th_key *keys, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, json_pack("{s:s,s:s,s:b}", "key_identifier", keys[i].id, "key",
                                             keys[i].pem, "is_current", i == 0));
    }
    json_t *root = json_pack("{s:o}", "public_keys", arr);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return s;
}

char *th_sign(const struct th_key *k, const void *body, size_t len)
{
    unsigned char sig[256];
    size_t slen = sizeof(sig);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pk) != 1 ||
        EVP_DigestSign(ctx, sig, &slen, body, len) != 1) {
        die("EVP_DigestSign");
    }
    EVP_MD_CTX_free(ctx);
    char *out = calloc(1, 4 * ((slen + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, sig, (int)slen);
    return out;
}
