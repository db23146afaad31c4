/* SPDX-License-Identifier: MIT */
/*
 * A ruleset: rules loaded from YAML files (built-in, files, directories), with selection
 * (disabled / opt-in rules). Loading checks the data only (required fields, known keys,
 * types, unique ids) and reports "file:line:col: message"; pattern compilation and
 * validator resolution happen in the matcher/detector. Not thread-safe while loading;
 * read-only (and shareable) afterwards.
 */
#ifndef LH_RULES_RULESET_H
#define LH_RULES_RULESET_H

#include "rules/rule.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>

struct lh_ruleset {
    struct lh_rule **rules; /* owned */
    size_t count;
    size_t cap;    /* allocated entries of rules */
    size_t *index; /* open-addressing table of rule indexes + 1 by id (0 = empty) */
    size_t icap;   /* its size, a power of two, at least twice count */
    char **files;  /* owned file names, referenced by rule srcpos */
    size_t nfiles;
};

/* Allocates an empty ruleset. Caller frees with lh_ruleset_free. */
int lh_ruleset_new(struct lh_ruleset **out) LH_WUR;
void lh_ruleset_free(struct lh_ruleset *rs);

/* Parses rules from a YAML buffer named `name` (used in errors). LH_EINVAL/LH_ETOOBIG. */
int lh_ruleset_load_buffer(struct lh_ruleset *rs, const char *name, const uint8_t *buf,
                           size_t len) LH_WUR;

/* Loads one YAML file, or every *.yml / *.yaml in a directory (sorted, recursive). */
int lh_ruleset_load_path(struct lh_ruleset *rs, const char *path) LH_WUR;

/*
 * Loads the embedded built-in rules (rules/builtin.h: generated C tables, checked by this
 * loader at build time); names and positions are those of the files in rules/. Each rule is a
 * heap copy of its generated struct (so selection may flag it) that borrows the static
 * strings and lists; lh_rule_free frees only the copy. LH_EINVAL (duplicate id), LH_ENOMEM.
 */
int lh_ruleset_load_builtin(struct lh_ruleset *rs) LH_WUR;

/*
 * Adds r to the set, taking ownership on success (on failure r stays the caller's).
 * `name` is the rule's file, for the message. LH_EINVAL (duplicate id), LH_ENOMEM.
 */
int lh_ruleset_add(struct lh_ruleset *rs, struct lh_rule *r, const char *name) LH_WUR;

/* Finds a rule by id; NULL if absent. Borrowed. */
struct lh_rule *lh_ruleset_find(const struct lh_ruleset *rs, const char *id);

/*
 * Marks rules whose id matches the glob as disabled (enable=false) or enabled (also turns on
 * opt-in rules). Returns the number of rules matched.
 */
size_t lh_ruleset_select(struct lh_ruleset *rs, const char *id_glob, bool enable);

/* Frees one rule and everything it owns. */
void lh_rule_free(struct lh_rule *r);

#endif
