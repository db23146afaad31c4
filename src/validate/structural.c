/* SPDX-License-Identifier: MIT */
/*
 * Structural checks for tokens without a checksum whose layout is still distinctive
 * (reference §2.16, §2.17). OpenAI keys carry the marker `T3BlbkFJ` (base64 "OpenAI")
 * exactly in the middle of the random part: `sk-` [proj-|svcacct-|admin-|service-|None-]
 * then N characters, the marker, N characters (N = 20 legacy, 58 or 74 today). Anthropic
 * keys are `sk-ant-<kind><2 digits>-` + 93 characters + `AA`. A pass raises confidence
 * that a match is a real key of that issuer, not a proof of validity.
 */
#include "validate/checks.h"
#include "validate/params.h"

#include <string.h>

#define OPENAI_MARKER "T3BlbkFJ"
#define OPENAI_MARKER_LEN 8
#define OPENAI_MIN_SIDE 20
#define ANTHROPIC_BODY 95

static bool is_token_char(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '_';
}

static bool starts_with(const uint8_t *s, size_t n, const char *prefix)
{
    size_t plen = strlen(prefix);
    return n >= plen && memcmp(s, prefix, plen) == 0;
}

static const char *const balanced_names[] = {"false", "true", NULL};

/* Is there a marker in rest[0..n) with equal sides (or, unbalanced, long enough sides)? */
static bool openai_rest_ok(const uint8_t *rest, size_t n, bool balanced)
{
    if (n < 2 * OPENAI_MIN_SIDE + OPENAI_MARKER_LEN) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_token_char(rest[i])) {
            return false;
        }
    }
    if (balanced) {
        if ((n - OPENAI_MARKER_LEN) % 2 != 0) {
            return false;
        }
        return memcmp(rest + (n - OPENAI_MARKER_LEN) / 2, OPENAI_MARKER, OPENAI_MARKER_LEN) == 0;
    }
    for (size_t i = OPENAI_MIN_SIDE; i + OPENAI_MARKER_LEN + OPENAI_MIN_SIDE <= n; i++) {
        if (memcmp(rest + i, OPENAI_MARKER, OPENAI_MARKER_LEN) == 0) {
            return true;
        }
    }
    return false;
}

bool lh_structural_check_openai(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                struct lh_validation *out)
{
    static const char *const kinds[] = {"proj-", "svcacct-", "admin-", "service-", "None-", NULL};
    int b = lh_params_choice(lh_params_get(rule, "balanced"), balanced_names, 1);

    if (secret == NULL || b < 0 || !starts_with(secret, len, "sk-")) {
        return lh_params_verdict(out, false);
    }
    if (openai_rest_ok(secret + 3, len - 3, b == 1)) {
        return lh_params_verdict(out, true);
    }
    for (size_t k = 0; kinds[k] != NULL; k++) {
        size_t klen = strlen(kinds[k]);
        if (starts_with(secret + 3, len - 3, kinds[k]) &&
            openai_rest_ok(secret + 3 + klen, len - 3 - klen, b == 1)) {
            return lh_params_verdict(out, true);
        }
    }
    return lh_params_verdict(out, false);
}

int lh_structural_params_openai(const struct lh_rule *rule)
{
    static const char *const keys[] = {"balanced", NULL};
    int rc = lh_params_check_keys(rule, keys);

    if (rc < 0) {
        return rc;
    }
    if (lh_params_choice(lh_params_get(rule, "balanced"), balanced_names, 1) < 0) {
        return lh_params_error(rule, "balanced", "must be 'true' or 'false'");
    }
    return 0;
}

bool lh_structural_check_anthropic(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                   struct lh_validation *out)
{
    size_t i = 7;
    size_t letters = 0;

    (void)rule;
    if (secret == NULL || !starts_with(secret, len, "sk-ant-")) {
        return lh_params_verdict(out, false);
    }
    /* kind: lower-case word, two digits, '-' (api03-, admin01-, oat01-, ort01-) */
    while (i < len && secret[i] >= 'a' && secret[i] <= 'z' && letters < 16) {
        i++;
        letters++;
    }
    if (letters == 0 || len - i < 3 || secret[i] < '0' || secret[i] > '9' || secret[i + 1] < '0' ||
        secret[i + 1] > '9' || secret[i + 2] != '-') {
        return lh_params_verdict(out, false);
    }
    i += 3;
    if (len - i != ANTHROPIC_BODY) {
        return lh_params_verdict(out, false);
    }
    for (size_t k = i; k < len; k++) {
        if (!is_token_char(secret[k])) {
            return lh_params_verdict(out, false);
        }
    }
    return lh_params_verdict(out, secret[len - 2] == 'A' && secret[len - 1] == 'A');
}
