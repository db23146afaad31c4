/* SPDX-License-Identifier: MIT */
/*
 * Placeholder detection; see placeholder.h. The literal list comes from the YAML files of
 * rules/placeholders (`placeholders: [{value, source}]`), turned at build time into a sorted
 * C table by src/tools/rulegen.c (which fails the build on a malformed file), so there is
 * nothing to load or to fail at run time.
 */
#include "validate/placeholder.h"

#include "rules/builtin.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

size_t lh_placeholder_count(void)
{
    return lh_placeholder_values_count;
}

/* Binary search of the generated table (sorted by strcmp, so by unsigned bytes). */
static bool known(const uint8_t *s, size_t len)
{
    size_t lo = 0;
    size_t hi = lh_placeholder_values_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *v = lh_placeholder_values[mid];
        size_t ml = strlen(v);
        int c = memcmp(v, s, ml < len ? ml : len);
        if (c == 0) {
            c = ml < len ? -1 : ml > len ? 1 : 0;
        }
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

static bool has(const uint8_t *s, size_t len, const char *needle)
{
    return lh_mem_contains(s, len, needle, strlen(needle));
}

static bool is_template(const uint8_t *s, size_t len)
{
    if (len == 0) {
        return false;
    }
    if (has(s, len, "${") || has(s, len, "{{") || has(s, len, "$(") || has(s, len, "<%")) {
        return true;
    }
    if (s[0] == '$' && len > 1 && (s[1] == '_' || (s[1] >= 'A' && s[1] <= 'Z'))) {
        return true;
    }
    if (len >= 3 && ((s[0] == '%' && s[len - 1] == '%') || (s[0] == '<' && s[len - 1] == '>') ||
                     (s[0] == '@' && s[len - 1] == '@'))) {
        return true;
    }
    return false;
}

/* A run of 10+ identical characters, or almost no variety over a long secret. */
static bool is_filler(const uint8_t *s, size_t len)
{
    size_t run = 1;
    for (size_t i = 1; i < len; i++) {
        run = s[i] == s[i - 1] ? run + 1 : 1;
        if (run >= 10 && s[i] != '=') {
            return true;
        }
    }
    if (len >= 16) {
        uint8_t seen[256] = {0};
        size_t distinct = 0;
        for (size_t i = 0; i < len; i++) {
            if (!seen[s[i]]++) {
                distinct++;
            }
        }
        if (distinct <= 4) {
            return true;
        }
    }
    return false;
}

static bool is_alnum_byte(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * A run of ASC_RUN characters counting up the alphabet or the digits (`abcdefgh`,
 * `KLMNOPQR`, `12345678`): typed by a person (`sk_live_abcdefgh...`, `AIzaSyabcdefg...`),
 * never drawn at random (one in 62^7 for each position of a base62 token).
 */
#define ASC_RUN 8
static bool is_alphabet_run(const uint8_t *s, size_t len)
{
    size_t run = 1;
    for (size_t i = 1; i < len; i++) {
        run = s[i] == s[i - 1] + 1 && is_alnum_byte(s[i]) && is_alnum_byte(s[i - 1]) ? run + 1 : 1;
        if (run >= ASC_RUN) {
            return true;
        }
    }
    return false;
}

bool lh_placeholder_check(const uint8_t *secret, size_t len, const char **why)
{
    const char *w = NULL;
    if (known(secret, len)) {
        w = "documented example";
    } else if (is_template(secret, len)) {
        w = "template";
    } else if (is_filler(secret, len)) {
        w = "repeated filler";
    } else if (is_alphabet_run(secret, len)) {
        w = "alphabet run";
    }
    if (why) {
        *why = w;
    }
    return w != NULL;
}
