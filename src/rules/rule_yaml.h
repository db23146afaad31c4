/* SPDX-License-Identifier: MIT */
/*
 * One rule from its YAML mapping (internal to the rules module: ruleset.c reads rule files,
 * rule_yaml.c parses each rule). Every unknown key, wrong type, empty string and out-of-range
 * value is an error quoting its position; the rule is validated as a whole (validator and
 * decode names, examples) before it is returned.
 */
#ifndef LH_RULES_RULE_YAML_H
#define LH_RULES_RULE_YAML_H

#include "rules/rule.h"
#include "util/error.h"

#include <yaml.h>

/*
 * Parses the rule mapping n of doc (the file `name`; `file` is the interned name the rule's
 * positions point to). On success *out is a new rule (free with lh_rule_free); otherwise a
 * negative LH_E* code with the message set and *out untouched.
 */
int lh_rule_parse(struct lh_rule **out, const char *name, yaml_document_t *doc, const char *file,
                  yaml_node_t *n) LH_WUR;

#endif
