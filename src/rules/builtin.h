/* SPDX-License-Identifier: MIT */
/*
 * The built-in rule files, embedded at build time by cmake/embed.cmake from the rules directory,
 * so an installed binary needs no data files. Each array is NUL-terminated past `len`.
 */
#ifndef LH_RULES_BUILTIN_H
#define LH_RULES_BUILTIN_H

#include <stddef.h>

struct lh_builtin_file {
    const char *name; /* "rules/github.yml" */
    const unsigned char *data;
    size_t len;
};

extern const struct lh_builtin_file lh_builtin_files[];
extern const size_t lh_builtin_files_count;

/* Placeholder lists (the YAML files in rules/placeholders), read by validate/placeholder. */
extern const struct lh_builtin_file lh_placeholder_files[];
extern const size_t lh_placeholder_files_count;

/* The pre-commit hook template (hooks/pre-commit), linked into the binary only. */
extern const struct lh_builtin_file lh_hook_files[];
extern const size_t lh_hook_files_count;

#endif
