/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the validator families: reading a rule's validator parameters
 * (borrowed strings from the rule), checking them at ruleset compile time with one
 * uniform error message, and walking comma-separated lists without copying. Nothing here
 * allocates; everything is thread-safe because rules are immutable once compiled.
 */
#ifndef LH_VALIDATE_PARAMS_H
#define LH_VALIDATE_PARAMS_H

#include "rules/rule.h"
#include "validate/validator.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Borrowed value of parameter `key`; NULL when absent or when rule is NULL. */
const char *lh_params_get(const struct lh_rule *rule, const char *key);

/*
 * Checks that every parameter of the rule is named in `allowed` (NULL-terminated; may be
 * just {NULL}). Returns 0, or LH_ERULE with lh_error_set() naming the unknown parameter.
 */
int lh_params_check_keys(const struct lh_rule *rule, const char *const *allowed) LH_WUR;

/* check_params for validators that take no parameters: rejects any. */
int lh_params_none(const struct lh_rule *rule) LH_WUR;

/*
 * Records "parameter 'K' WHY" with lh_error_set() and returns LH_ERULE:
 * `return lh_params_error(rule, "hrp", "is required");`. The ruleset compiler prefixes the
 * rule's position, id and validator name; `rule` is kept for that symmetry.
 */
int lh_params_error(const struct lh_rule *rule, const char *key, const char *why) LH_WUR;

/*
 * Index of `value` in the NULL-terminated `choices`; `def` when value is NULL; -1 when
 * the value is not one of the choices.
 */
int lh_params_choice(const char *value, const char *const *choices, int def);

/*
 * Parses a whole string as an unsigned number, decimal or 0x-prefixed hex, at most `max`.
 * Returns 0 or LH_EINVAL.
 */
int lh_params_parse_u64(uint64_t *out, const char *s, uint64_t max) LH_WUR;

/*
 * Iterates a comma-separated list: on each call sets item/item_len to the next element
 * with surrounding spaces trimmed (possibly empty) and advances *cursor; returns false
 * when the list is exhausted. Start with *cursor = the value string.
 */
bool lh_params_next_item(const char **cursor, const char **item, size_t *item_len);

/* Validators call this on every return path: records the verdict in out (if any). */
static inline bool lh_params_verdict(struct lh_validation *out, bool pass)
{
    if (out != NULL) {
        out->pass = pass;
    }
    return pass;
}

#endif
