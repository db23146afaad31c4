/* SPDX-License-Identifier: MIT */
/*
 * AWS access key ids (reference §2.18): 4-character type prefix (AKIA, ASIA, ..., A3T?)
 * + 16 RFC 4648 base32 characters. There is no checksum, so this validator never
 * confirms: it passes every well-formed id and adds the AWS account the id encodes
 * (meta `aws_account`, 12 digits) for new-generation ids, i.e. those whose fifth
 * character is not 'I' or 'J'. The account is bits 7..46 of the first six decoded bytes.
 */
#include "util/encode.h"
#include "validate/checks.h"
#include "validate/params.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define AWS_ID_LEN 20
#define AWS_PREFIX_LEN 4

bool lh_aws_check_key_id(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                         struct lh_validation *out)
{
    uint8_t raw[16];
    size_t rlen;
    uint64_t z = 0;

    (void)rule;
    if (secret == NULL || len != AWS_ID_LEN || secret[0] != 'A') {
        return lh_params_verdict(out, false);
    }
    for (size_t i = 1; i < AWS_PREFIX_LEN; i++) {
        uint8_t c = secret[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return lh_params_verdict(out, false);
        }
    }
    if (lh_encode_base32_decode(raw, sizeof(raw), &rlen, secret + AWS_PREFIX_LEN,
                                len - AWS_PREFIX_LEN, LH_ENC_NOPAD) != 0 ||
        rlen != 10) {
        return lh_params_verdict(out, false);
    }
    if (out != NULL && secret[AWS_PREFIX_LEN] != 'I' && secret[AWS_PREFIX_LEN] != 'J') {
        for (int i = 0; i < 6; i++) {
            z = z << 8 | raw[i];
        }
        snprintf(out->meta_key, sizeof(out->meta_key), "aws_account");
        snprintf(out->meta_value, sizeof(out->meta_value), "%012" PRIu64,
                 (uint64_t)((z & UINT64_C(0x7FFFFFFFFF80)) >> 7));
    }
    return lh_params_verdict(out, true);
}
