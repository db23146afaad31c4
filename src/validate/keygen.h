/* SPDX-License-Identifier: MIT */
/*
 * Key generation for token issuers (`leakhound keygen`), in the format GitHub recommends
 * to secret-scanning partners: a unique prefix, a high-entropy random part and a 32-bit
 * checksum. A key is prefix + N base62 characters from the system CSPRNG (OpenSSL
 * RAND_bytes, rejection sampling so every character is uniform) + the 6-character
 * base62 CRC-32 of the random part, exactly the GitHub classic layout, so leakhound's
 * `github-crc32` validator (crc_tokens.c) confirms it offline: this is that validator's
 * inverse. Also builds the matching leakhound rule
 * and the regex to register with the partner program. Keys are written only into caller
 * buffers; nothing here logs or keeps them.
 */
#ifndef LH_VALIDATE_KEYGEN_H
#define LH_VALIDATE_KEYGEN_H

#include "util/buf.h"
#include "util/error.h"

#include <stddef.h>

#define LH_KEYGEN_DEFAULT_RANDOM 30 /* as GitHub: 30 random + 6 checksum characters */
#define LH_KEYGEN_MIN_RANDOM 22     /* at least 128 bits: 22 * log2(62) = 131 */
#define LH_KEYGEN_MAX_RANDOM 200
#define LH_KEYGEN_CHECKSUM_LEN 6
#define LH_KEYGEN_MIN_PREFIX 2
#define LH_KEYGEN_MAX_PREFIX 32
/* Room for the longest key and its NUL. */
#define LH_KEYGEN_MAX_KEY (LH_KEYGEN_MAX_PREFIX + LH_KEYGEN_MAX_RANDOM + LH_KEYGEN_CHECKSUM_LEN + 1)

/*
 * Checks a prefix: 2-32 characters of [A-Za-z0-9_], starting with a letter and ending in
 * '_'. Returns 0 or LH_EINVAL (message names the prefix).
 */
int lh_keygen_check_prefix(const char *prefix) LH_WUR;

/*
 * Writes a new key and its NUL into out[cap] (cap >= LH_KEYGEN_MAX_KEY is always
 * enough). random_len is LH_KEYGEN_MIN_RANDOM..LH_KEYGEN_MAX_RANDOM. Returns 0,
 * LH_EINVAL (prefix or length; message), LH_ETOOBIG (cap), LH_ERROR (the CSPRNG failed).
 * The caller wipes out[] when done. Thread-safe.
 */
int lh_keygen_key(char *out, size_t cap, const char *prefix, size_t random_len) LH_WUR;

/*
 * Appends to out a leakhound rule file (YAML) for keys with this prefix and length: id
 * (rule_id, or derived from the prefix when NULL), keywords, pattern, validator
 * github-crc32, a reference, two freshly generated examples and three negative examples,
 * preceded by a comment with the partner-program regex. Returns 0, LH_EINVAL, LH_ERROR
 * (CSPRNG) or the buffer's error.
 */
int lh_keygen_rule(struct lh_buf *out, const char *prefix, size_t random_len,
                   const char *rule_id) LH_WUR;

/* Appends the regex to register with the partner program, e.g. `acme_[A-Za-z0-9]{36}`. */
int lh_keygen_partner_regex(struct lh_buf *out, const char *prefix, size_t random_len) LH_WUR;

/* Writes the default rule id for a prefix ("acme_live_" -> "acme-live-key") into out[cap]. */
void lh_keygen_rule_id(char *out, size_t cap, const char *prefix);

#endif
