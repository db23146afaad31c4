/* SPDX-License-Identifier: MIT */
/*
 * Single regexes outside a compiled ruleset (a rule's allow regexes), so that match/ is the
 * one module that calls PCRE2: compile with a positioned error message, and match under the
 * matcher's limits (LH_MATCHER_MATCH_LIMIT/DEPTH_LIMIT, or the ones the scan was given), so
 * a backtracking-prone allow regex costs no more than a rule pattern (hardening, issue #9:
 * PCRE2's own default is 10 million steps per start position). A compiled regex is
 * immutable and shared read-only by all threads; each thread owns an lh_regex_scratch.
 * Does not JIT (allow regexes run on one secret span each) nor capture groups.
 */
#ifndef LH_MATCH_REGEX_H
#define LH_MATCH_REGEX_H

#include "match/matcher.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lh_regex;
struct lh_regex_scratch;

/*
 * Compiles pattern (NUL-terminated PCRE2 syntax, no options) with the limits of opts (NULL
 * or 0: the matcher's defaults). On a syntax error returns LH_ERULE with the message
 * "<what> does not compile at offset N: <PCRE2's reason>" (`what` names the regex for the
 * user, e.g. "file:3:5: rule 'x': allow regex 1"); LH_ENOMEM. Free with lh_regex_free.
 */
int lh_regex_new(struct lh_regex **out, const char *pattern, const struct lh_matcher_opts *opts,
                 const char *what) LH_WUR;
void lh_regex_free(struct lh_regex *re);

/* Per-thread match state. Returns 0 or LH_ENOMEM. Free with lh_regex_scratch_free. */
int lh_regex_scratch_new(struct lh_regex_scratch **out) LH_WUR;
void lh_regex_scratch_free(struct lh_regex_scratch *s);

/*
 * True when re matches somewhere in buf[0..len). A match attempt that hits a limit counts
 * as no match. Thread-safe with one scratch per thread.
 */
bool lh_regex_match(const struct lh_regex *re, struct lh_regex_scratch *s, const uint8_t *buf,
                    size_t len);

#endif
