/* SPDX-License-Identifier: MIT */
/*
 * Entry points of every validator family, for the registry table (registry.c) and the
 * unit tests. Each check has the lh_validator_check_fn contract of validator.h: pure,
 * bounded, safe on any bytes and length, no heap use by our code (OpenSSL and jansson
 * allocate internally for SHA-256 and JSON), no logging; `rule` and `out` may be NULL.
 * Each *_params function has the lh_validator_params_fn contract. Not a public API:
 * other modules go through lh_validator_find().
 */
#ifndef LH_VALIDATE_CHECKS_H
#define LH_VALIDATE_CHECKS_H

#include "rules/rule.h"
#include "validate/validator.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* crc_tokens.c: CRC-32 (zlib) / SHA-256 checksummed tokens */
bool lh_crc_tokens_check_github(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                struct lh_validation *out);
bool lh_crc_tokens_check_github_pat(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                    struct lh_validation *out);
bool lh_crc_tokens_check_hex(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                             struct lh_validation *out);
bool lh_crc_tokens_check_le_hex(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                struct lh_validation *out);
int lh_crc_tokens_params_hex(const struct lh_rule *rule);
bool lh_crc_tokens_check_le_b64(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                struct lh_validation *out);
int lh_crc_tokens_params_le_b64(const struct lh_rule *rule);

/* gitlab.c */
bool lh_gitlab_check_routable(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                              struct lh_validation *out);

/* microsoft.c: Marvin32-based keys, Azure DevOps legacy PAT */
bool lh_microsoft_check_identifiable(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                     struct lh_validation *out);
int lh_microsoft_params_identifiable(const struct lh_rule *rule);
bool lh_microsoft_check_aad(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                            struct lh_validation *out);
bool lh_microsoft_check_ado_pat(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                struct lh_validation *out);
bool lh_microsoft_check_cask(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                             struct lh_validation *out);

/* crc16.c: Stellar StrKey */
bool lh_crc16_check_strkey(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                           struct lh_validation *out);
int lh_crc16_params_strkey(const struct lh_rule *rule);

/* base58check.c: Bitcoin WIF */
bool lh_base58check_check_wif(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                              struct lh_validation *out);

/* privkey.c: PEM / OpenSSH private-key blocks, parsed (OpenSSL); sets out->confidence */
bool lh_privkey_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                      struct lh_validation *out);

/* basicauth.c: base64 of user:password (Docker auths, npm _auth) */
bool lh_basicauth_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                        struct lh_validation *out);

/* bech32_keys.c: age identities, Nostr nsec, ... */
bool lh_bech32_keys_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                          struct lh_validation *out);
int lh_bech32_keys_params(const struct lh_rule *rule);

/* luhn.c */
bool lh_luhn_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                   struct lh_validation *out);

/* jwt.c */
bool lh_jwt_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                  struct lh_validation *out);

/* b64json.c */
bool lh_b64json_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                      struct lh_validation *out);
int lh_b64json_params(const struct lh_rule *rule);

/* pypi.c */
bool lh_pypi_check_macaroon(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                            struct lh_validation *out);

/* structural.c: OpenAI marker, Anthropic suffix */
bool lh_structural_check_openai(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                struct lh_validation *out);
int lh_structural_params_openai(const struct lh_rule *rule);
bool lh_structural_check_anthropic(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                   struct lh_validation *out);

/* aws.c */
bool lh_aws_check_key_id(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                         struct lh_validation *out);

#endif
