/* SPDX-License-Identifier: MIT */
/*
 * What a report tells a person about a rule: a one-paragraph description (what the
 * credential is and what it gives access to), the remediation (how to revoke or rotate it,
 * then clean up), and a link. The rule's own `description:` and `remediation:` are used when
 * it has them (every built-in rule has a description: `rules check --strict` requires one);
 * otherwise the text is built from the rule's name, provider, keywords, validator and first
 * reference, so a user's rule without prose still gets a useful paragraph. Used by the SARIF
 * rule help and the GitLab report. Pure; thread-safe.
 */
#ifndef LH_REPORT_HELP_H
#define LH_REPORT_HELP_H

#include "rules/rule.h"
#include "util/buf.h"

/* The first http(s) reference of the rule (borrowed), or NULL. */
const char *lh_report_rule_link(const struct lh_rule *r);

/* Appends the description to out, NUL-terminated. Returns 0 or LH_ENOMEM. */
int lh_report_rule_description(struct lh_buf *out, const struct lh_rule *r) LH_WUR;

/* Appends the remediation to out, NUL-terminated. Returns 0 or LH_ENOMEM. */
int lh_report_rule_remediation(struct lh_buf *out, const struct lh_rule *r) LH_WUR;

#endif
