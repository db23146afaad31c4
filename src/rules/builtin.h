/* SPDX-License-Identifier: MIT */
/*
 * Data embedded in the binary at build time, so an installed binary needs no data files.
 * The built-in rules and placeholder values are C tables written by the build's rulegen tool
 * (src/tools/rulegen.c), which loads rules/<file>.yml with the same loader and checks as a user's
 * rule file: read-only, shared, never freed (lh_ruleset_load_builtin copies each struct and
 * borrows its strings). The hook template is raw bytes, embedded by cmake/embed.cmake and
 * NUL-terminated past `len`; its table ends with a {0, 0, 0} entry.
 */
#ifndef LH_RULES_BUILTIN_H
#define LH_RULES_BUILTIN_H

#include <stddef.h>

struct lh_builtin_file {
    const char *name; /* the source file: "rules/github.yml"; used in messages and positions */
    const unsigned char *data;
    size_t len;
};

struct lh_rule;

/* Built-in rules, in file then rule order (rules/<file>.yml), read by rules/builtin.c. */
extern const struct lh_rule *const lh_builtin_rules[];
extern const size_t lh_builtin_rules_count;

/* Placeholder values of rules/placeholders/<file>.yml: sorted (strcmp), unique, NULL-terminated. */
extern const char *const lh_placeholder_values[];
extern const size_t lh_placeholder_values_count;

/* The pre-commit hook template (hooks/pre-commit), linked into the binary only. */
extern const struct lh_builtin_file lh_hook_files[];
extern const size_t lh_hook_files_count;

#endif
