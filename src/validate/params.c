/* SPDX-License-Identifier: MIT */
/* Validator parameter helpers; see params.h. */
#include "validate/params.h"

#include "util/error.h"

#include <string.h>

const char *lh_params_get(const struct lh_rule *rule, const char *key)
{
    return rule == NULL ? NULL : lh_rule_param(rule, key);
}

int lh_params_error(const struct lh_rule *rule, const char *key, const char *why)
{
    /* the ruleset compiler prefixes "file:line:col: rule 'ID': validator 'V': " */
    (void)rule;
    lh_error_set("parameter '%s' %s", key, why);
    return LH_ERULE;
}

int lh_params_check_keys(const struct lh_rule *rule, const char *const *allowed)
{
    if (rule == NULL) {
        return 0;
    }
    for (size_t i = 0; i < rule->nparams; i++) {
        const char *key = rule->params[i].key != NULL ? rule->params[i].key : "";
        bool known = false;
        for (size_t j = 0; allowed[j] != NULL; j++) {
            known = known || strcmp(key, allowed[j]) == 0;
        }
        if (!known) {
            return lh_params_error(rule, key, "is not known to this validator");
        }
    }
    return 0;
}

int lh_params_none(const struct lh_rule *rule)
{
    static const char *const none[] = {NULL};

    return lh_params_check_keys(rule, none);
}

int lh_params_choice(const char *value, const char *const *choices, int def)
{
    if (value == NULL) {
        return def;
    }
    for (int i = 0; choices[i] != NULL; i++) {
        if (strcmp(value, choices[i]) == 0) {
            return i;
        }
    }
    return -1;
}

int lh_params_parse_u64(uint64_t *out, const char *s, uint64_t max)
{
    uint64_t base = 10;
    uint64_t v = 0;

    if (s == NULL || *s == '\0') {
        return LH_EINVAL;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (*s == '\0') {
            return LH_EINVAL;
        }
    }
    for (; *s != '\0'; s++) {
        uint64_t d;
        if (*s >= '0' && *s <= '9') {
            d = (uint64_t)(*s - '0');
        } else if (base == 16 && *s >= 'a' && *s <= 'f') {
            d = (uint64_t)(*s - 'a' + 10);
        } else if (base == 16 && *s >= 'A' && *s <= 'F') {
            d = (uint64_t)(*s - 'A' + 10);
        } else {
            return LH_EINVAL;
        }
        if (d > max || v > (max - d) / base) {
            return LH_EINVAL;
        }
        v = v * base + d;
    }
    *out = v;
    return 0;
}

bool lh_params_next_item(const char **cursor, const char **item, size_t *item_len)
{
    const char *s = *cursor;
    const char *end;

    if (s == NULL) {
        return false;
    }
    end = strchr(s, ',');
    *cursor = end != NULL ? end + 1 : NULL;
    if (end == NULL) {
        end = s + strlen(s);
    }
    while (s < end && *s == ' ') {
        s++;
    }
    while (end > s && end[-1] == ' ') {
        end--;
    }
    *item = s;
    *item_len = (size_t)(end - s);
    return true;
}
