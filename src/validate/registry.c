/* SPDX-License-Identifier: MIT */
/*
 * The static validator table: the names rules use in `validator:`, one line each, in the
 * order `rules list` and docs/validators.md show them. Adding a validator = one check
 * function in its family file, one prototype in checks.h, one line here, one section in
 * docs/validators.md. The table is immutable and shared by all threads.
 */
#include "validate/checks.h"
#include "validate/params.h"
#include "validate/validator.h"

#include <string.h>

static const struct lh_validator table[] = {
    {"github-crc32", "GitHub classic (ghp_ gho_ ghu_ ghs_ ghr_) and npm tokens: base62 CRC-32",
     lh_crc_tokens_check_github, lh_params_none, true, true},
    {"github-pat-sha256-b32", "GitHub fine-grained PAT: base32 SHA-256 of the first 77 chars",
     lh_crc_tokens_check_github_pat, lh_params_none, true, true},
    {"crc32-le-hex", "Grafana glsa_: little-endian hex CRC-32 after the last '_'",
     lh_crc_tokens_check_le_hex, lh_crc_tokens_params_hex, true, true},
    {"crc32-hex", "hex CRC-32 after a separator (Atlassian ATATT3, Zuplo zpka_)",
     lh_crc_tokens_check_hex, lh_crc_tokens_params_hex, true, true},
    {"crc32-le-b64", "Confluent cflt: base64 of the little-endian CRC-32 of the body",
     lh_crc_tokens_check_le_b64, lh_crc_tokens_params_le_b64, true, true},
    {"gitlab-routable", "GitLab routable tokens: base36 CRC-32, length field, payload length",
     lh_gitlab_check_routable, lh_params_none, true, true},
    {"marvin-identifiable", "Microsoft HIS v1 identifiable keys: signature + Marvin32",
     lh_microsoft_check_identifiable, lh_microsoft_params_identifiable, true, true},
    {"azure-aad-secret", "Azure AD client secret (8Q~): base-66 Marvin32 suffix",
     lh_microsoft_check_aad, lh_params_none, true, true},
    {"azure-devops-pat", "Azure DevOps legacy PAT (52 base32): CRC-32 XOR seed",
     lh_microsoft_check_ado_pat, lh_params_none, true, true},
    {"cask", "Microsoft common annotated security key (JQQJ9): Marvin32 checksum",
     lh_microsoft_check_cask, lh_params_none, true, true},
    {"crc16-xmodem", "Stellar StrKey (secret seed S...): CRC-16/XMODEM, base32 round trip",
     lh_crc16_check_strkey, lh_crc16_params_strkey, true, true},
    {"base58check", "Bitcoin WIF private key: Base58Check double SHA-256", lh_base58check_check_wif,
     lh_params_none, true, true},
    {"bech32", "bech32/bech32m keys (age, nsec): checksum, HRP, data length", lh_bech32_keys_check,
     lh_bech32_keys_params, true, true},
    {"luhn", "payment card number: 13-19 digits, Luhn mod 10", lh_luhn_check, lh_params_none, true,
     false},
    {"jwt", "JSON Web Token: three base64url segments, JSON header with alg, JSON payload",
     lh_jwt_check, lh_params_none, true, false},
    {"base64-json", "base64 of a JSON object with required keys (glc_, sntrys_, ops_)",
     lh_b64json_check, lh_b64json_params, true, false},
    {"pypi-macaroon", "PyPI token: base64url v2 macaroon with identifier and signature",
     lh_pypi_check_macaroon, lh_params_none, true, false},
    {"openai-marker", "OpenAI key: T3BlbkFJ marker in the middle of the random part",
     lh_structural_check_openai, lh_structural_params_openai, true, false},
    {"anthropic-suffix", "Anthropic key: sk-ant-<kind>NN- + 93 chars + AA",
     lh_structural_check_anthropic, lh_params_none, true, false},
    {"private-key",
     "PEM/OpenSSH private key: parsed by OpenSSL (confirmed), encrypted (low), "
     "or not parsable (probable)",
     lh_privkey_check, lh_params_none, false, false},
    {"basic-auth-b64",
     "base64 of user:password (Docker auths, npm _auth): printable, not a "
     "placeholder password",
     lh_basicauth_check, lh_params_none, false, false},
    {"aws-key-id", "AWS access key id: shape only; decodes the AWS account (metadata)",
     lh_aws_check_key_id, lh_params_none, false, false},
    {NULL, NULL, NULL, NULL, false, false},
};

const struct lh_validator *lh_validator_find(const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    for (const struct lh_validator *v = table; v->name != NULL; v++) {
        if (strcmp(v->name, name) == 0) {
            return v;
        }
    }
    return NULL;
}

const struct lh_validator *lh_validator_all(void)
{
    return table;
}
