/* SPDX-License-Identifier: MIT */
/*
 * The cost budget of a rule's pattern and allow regexes: each is run, as the scanner runs it
 * (every match, left to right, from each start position), over reference inputs generated
 * from the rule, and PCRE2 steps are counted (an operation count, independent of machine
 * speed and sanitizers). A regex prone to catastrophic backtracking, or one whose cost grows
 * faster than its input, exceeds the budget by orders of magnitude and is refused. Used by
 * `leakhound rules check`; the matcher itself never pays for it.
 */
#ifndef LH_MATCH_COST_H
#define LH_MATCH_COST_H

#include "rules/rule.h"

/* Receives one problem: "pattern exceeds the cost budget: ..." (no rule id or position). */
typedef void (*lh_cost_report_fn)(const char *msg, void *payload);

/*
 * Checks r's pattern and allow regexes (r compiled by the matcher already, so only memory
 * can be short here; a regex that cannot be prepared is skipped). Reports each problem, at
 * most one per regex. Returns the number of problems.
 */
int lh_cost_check(const struct lh_rule *r, lh_cost_report_fn report, void *payload);

#endif
