/* SPDX-License-Identifier: MIT */
/*
 * Data embedded in the binary at build time, so an installed binary needs no data files.
 * The built-in rule files and placeholder lists are parsed YAML snapshots written by the
 * build's yamlsnap tool (src/tools/yamlsnap.c): load them with lh_yaml_load_snapshot
 * (util/yaml.h), not with the YAML parser. The hook template is raw bytes, embedded by
 * cmake/embed.cmake and NUL-terminated past `len`. Each table ends with a {0, 0, 0} entry.
 */
#ifndef LH_RULES_BUILTIN_H
#define LH_RULES_BUILTIN_H

#include <stddef.h>

struct lh_builtin_file {
    const char *name; /* the source file: "rules/github.yml"; used in messages and positions */
    const unsigned char *data;
    size_t len;
};

/* Built-in rules (snapshots of the YAML files in rules/), read by rules/ruleset. */
extern const struct lh_builtin_file lh_builtin_files[];
extern const size_t lh_builtin_files_count;

/* Placeholder lists (snapshots of the YAML files in rules/placeholders), read by
 * validate/placeholder. */
extern const struct lh_builtin_file lh_placeholder_files[];
extern const size_t lh_placeholder_files_count;

/* The pre-commit hook template (hooks/pre-commit), linked into the binary only. */
extern const struct lh_builtin_file lh_hook_files[];
extern const size_t lh_hook_files_count;

#endif
