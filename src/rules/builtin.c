/* SPDX-License-Identifier: MIT */
/*
 * Loading of the built-in rules from the C tables the build generates (rules/builtin.h). The
 * tables went through the YAML loader and its checks at build time, so nothing is parsed or
 * re-checked here: each generated struct is copied (selection flags rules as disabled, and
 * two rulesets in one process must not share that) and its strings and lists are borrowed.
 */
#include "rules/builtin.h"

#include "rules/rule.h"
#include "rules/ruleset.h"

#include <stdlib.h>

int lh_ruleset_load_builtin(struct lh_ruleset *rs)
{
    for (size_t i = 0; i < lh_builtin_rules_count; i++) {
        struct lh_rule *r = malloc(sizeof(*r));
        if (!r) {
            return lh_error_oom();
        }
        *r = *lh_builtin_rules[i];
        int rc = lh_ruleset_add(rs, r, r->pos.file);
        if (rc < 0) {
            free(r);
            return rc;
        }
    }
    return 0;
}
