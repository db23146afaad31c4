/* SPDX-License-Identifier: MIT */
/*
 * Payment card numbers (reference §2.24): 13 to 19 digits, optionally grouped with single
 * spaces or dashes between digits, valid under the Luhn mod-10 check. Separators at
 * either end, or two in a row, fail: they are never part of a printed card number.
 * Industry prefix ranges are not checked (rules can pin them in their pattern).
 */
#include "validate/checks.h"
#include "validate/params.h"

#define PAN_MIN 13
#define PAN_MAX 19

bool lh_luhn_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                   struct lh_validation *out)
{
    unsigned sum = 0;
    size_t ndigits = 0;
    bool prev_sep = true; /* a leading separator is an error */

    (void)rule;
    if (secret == NULL) {
        return lh_params_verdict(out, false);
    }
    /* right to left, doubling every second digit */
    for (size_t i = len; i > 0; i--) {
        uint8_t c = secret[i - 1];
        if (c == ' ' || c == '-') {
            if (prev_sep) {
                return lh_params_verdict(out, false);
            }
            prev_sep = true;
            continue;
        }
        if (c < '0' || c > '9' || ndigits >= PAN_MAX) {
            return lh_params_verdict(out, false);
        }
        unsigned d = (unsigned)(c - '0');
        if (ndigits % 2 == 1) {
            d *= 2;
            if (d > 9) {
                d -= 9;
            }
        }
        sum += d;
        ndigits++;
        prev_sep = false;
    }
    return lh_params_verdict(out, !prev_sep && ndigits >= PAN_MIN && sum % 10 == 0);
}
