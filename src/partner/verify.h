/* SPDX-License-Identifier: MIT */
/*
 * Request signature verification for the partner endpoint, table-driven: each reporter
 * (GitHub, deps.dev, ...) is one row of (key-identifier header, signature header, key
 * ring), so another reporter with the same payload format is added by configuration.
 * The signature is ECDSA P-256 / SHA-256 over the raw body bytes, sent as standard
 * base64 (padded) of a DER ECDSA-Sig-Value. Verification never parses, trims or
 * re-encodes the body. Malformed encodings are told apart from wrong signatures so that
 * metrics and status codes can say which; none of the results carries input bytes.
 * It deliberately does not decide HTTP status codes (handler.c does).
 */
#ifndef LH_PARTNER_VERIFY_H
#define LH_PARTNER_VERIFY_H

#include "http/server.h"
#include "partner/keyring.h"

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/* Longest signature header value accepted (a P-256 DER signature is at most 72 bytes). */
#define LH_VERIFY_MAX_SIGNATURE 512

enum lh_verify_result {
    LH_VERIFY_OK = 0,
    LH_VERIFY_MISSING_HEADER, /* no reporter's headers, or only one of a pair */
    LH_VERIFY_UNKNOWN_KEY,    /* the identifier is in no key list (after one refetch) */
    LH_VERIFY_BAD_ENCODING,   /* the signature header is not strict padded base64 */
    LH_VERIFY_BAD_DER,        /* the decoded bytes are not a DER ECDSA-Sig-Value */
    LH_VERIFY_BAD_SIGNATURE,  /* well-formed, but does not verify */
    LH_VERIFY_ERROR,          /* internal failure (out of memory) */
    LH_VERIFY_NRESULTS,
};

/* One reporter: a row of the verifier table. All fields borrowed. */
struct lh_verifier {
    const char *name;             /* "github"; appears in logs and metrics */
    const char *key_id_header;    /* e.g. Github-Public-Key-Identifier */
    const char *signature_header; /* e.g. Github-Public-Key-Signature */
    struct lh_keyring *keys;
};

/*
 * Picks the reporter (the first row whose key-identifier header is present; else
 * LH_VERIFY_MISSING_HEADER), looks its key up and verifies the signature over
 * body[0..len). *reporter (optional) receives the row index whenever a row was picked.
 * Thread-safe (the key ring may refetch once for an unknown identifier).
 */
enum lh_verify_result lh_verify_request(const struct lh_verifier *table, size_t n, lh_header_fn get,
                                        void *payload, const uint8_t *body, size_t len,
                                        size_t *reporter);

/*
 * The part of lh_verify_request that needs only the headers: picks the reporter and looks
 * its key identifier up (LH_VERIFY_OK, _MISSING_HEADER or _UNKNOWN_KEY), so that a request
 * that cannot verify is answered before its body is read. *reporter as for
 * lh_verify_request. Thread-safe (may refetch the key list once, as lh_verify_request).
 */
enum lh_verify_result lh_verify_headers(const struct lh_verifier *table, size_t n, lh_header_fn get,
                                        void *payload, size_t *reporter);

/*
 * Verifies a base64 DER signature sig[0..sig_len) over body[0..len) with key pk (EC
 * P-256). Returns LH_VERIFY_OK, _BAD_ENCODING, _BAD_DER, _BAD_SIGNATURE or _ERROR.
 * Thread-safe for a shared key.
 */
enum lh_verify_result lh_verify_signature(EVP_PKEY *pk, const uint8_t *body, size_t len,
                                          const char *sig, size_t sig_len);

/* Static snake_case name of a result ("bad_signature"), used as a metrics label. */
const char *lh_verify_result_name(enum lh_verify_result r);

/* The LH_VERIFY_NRESULTS names, indexed by result (the reasons of http/metrics.h). */
const char *const *lh_verify_result_names(void);

#endif
