/* SPDX-License-Identifier: MIT */
/*
 * The compiled ruleset. Every active rule's keywords go into one Vectorscan database (the
 * prefilter), together with the Vectorscan regexes of rules that give a `prefilter` instead
 * (checksum formats without a literal prefix); keywords of rules with `keywords_boundary:
 * identifier` count only at identifier boundaries. Each rule's pattern is one PCRE2 code
 * object, JIT-compiled on first use. A scan runs Vectorscan once over the buffer, merges the
 * windows around each rule's keyword hits ([hit - max_length, hit + max_length]) into regions, and
 * runs that rule's PCRE2 pattern only inside those regions, so the cost of a rule is proportional
 * to its hits, not to the input size.
 *
 * The matcher is immutable after lh_matcher_new (lazy JIT is guarded internally) and is
 * shared by all threads; each thread owns an lh_matcher_scratch.
 *
 * Does not: validate secrets, compute lines, or decide confidence (see finding/detect).
 */
#ifndef LH_MATCH_MATCHER_H
#define LH_MATCH_MATCHER_H

#include "rules/rule.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lh_matcher;
struct lh_matcher_scratch;

/*
 * PCRE2 limits applied to every rule pattern (docs/limits.md). PCRE2 counts them per start
 * position of one pcre2_match() call; a region whose match attempt hits one is abandoned
 * (its rule finds nothing there), the scan goes on.
 */
#define LH_MATCHER_MATCH_LIMIT 2000000u
#define LH_MATCHER_DEPTH_LIMIT 10000u

struct lh_matcher_opts {
    bool use_cache;        /* load/store the Vectorscan database in the cache dir */
    const char *cache_dir; /* NULL: lh_fs_cache_dir() */
    uint32_t match_limit;  /* PCRE2 match limit per match attempt (0: default) */
    uint32_t depth_limit;  /* PCRE2 depth limit (0: default) */
    /*
     * Compile every pattern now. By default the patterns of built-in rules are compiled on
     * their first use (start-up cost grows with the catalogue; a one-file scan uses a few),
     * while user rules are compiled at once so that their errors are reported before the
     * scan. `rules check` (run over the built-in catalogue in CI) sets it.
     */
    bool eager_compile;
};

/*
 * One match of a rule: byte offsets into the scanned buffer, [start, end). A pattern may
 * name `secret` (and `id`) in several alternatives (PCRE2 duplicate names): the group that
 * took part in the match is reported.
 */
struct lh_match {
    size_t rule;         /* index into the rules array given to lh_matcher_new */
    size_t start, end;   /* whole match */
    size_t sstart, send; /* the `secret` group */
    size_t istart, iend; /* the `id` group of a pair rule; istart == iend when unset */
};

/* Return 0 to continue, a negative code to stop the scan (propagated). */
typedef int (*lh_match_cb)(const struct lh_match *m, void *payload);

/*
 * Compiles the rules (borrowed; they must outlive the matcher). Rules that are not active
 * are skipped. Errors (LH_ERULE) name the rule id and its file:line: pattern does not compile,
 * no `secret` group, empty keyword. The Vectorscan database is loaded from the cache when
 * present and sane, else compiled (and cached when opts->use_cache).
 */
int lh_matcher_new(struct lh_matcher **out, struct lh_rule *const *rules, size_t nrules,
                   const struct lh_matcher_opts *opts) LH_WUR;
void lh_matcher_free(struct lh_matcher *m);

/* True when the database came from the cache (for tests and --verbose). */
bool lh_matcher_from_cache(const struct lh_matcher *m);

/* Per-thread scratch. */
int lh_matcher_scratch_new(struct lh_matcher_scratch **out, const struct lh_matcher *m) LH_WUR;
void lh_matcher_scratch_free(struct lh_matcher_scratch *s);

/*
 * Scans buf[0..len) and calls cb for every match, in order of (region, position).
 * Thread-safe for distinct scratches. Returns 0, or the first negative code from cb,
 * or LH_ERROR on an engine failure (message set).
 */
int lh_matcher_scan(const struct lh_matcher *m, struct lh_matcher_scratch *s, const uint8_t *buf,
                    size_t len, lh_match_cb cb, void *payload) LH_WUR;

/*
 * The same for a blob at `path` (borrowed; NULL when it has none, e.g. stdin): rules bound
 * to `paths` take part only when their globs match it (lh_rule_path_applies). Rules bound
 * to paths never take part in lh_matcher_scan.
 */
int lh_matcher_scan_path(const struct lh_matcher *m, struct lh_matcher_scratch *s,
                         const uint8_t *buf, size_t len, const char *path, lh_match_cb cb,
                         void *payload) LH_WUR;

/*
 * The prefilter pass alone: runs the Vectorscan database over buf[0..len) and counts its
 * hits in *hits (no regions, no PCRE2). For measuring what the prefilter costs
 * (src/tools/scancost.c, bench/scan.sh). Returns 0 or LH_ERROR (message set).
 */
int lh_matcher_prefilter(const struct lh_matcher *m, struct lh_matcher_scratch *s,
                         const uint8_t *buf, size_t len, size_t *hits) LH_WUR;

/*
 * Matches one rule's pattern against the whole of buf (no prefilter), as `rules check` and
 * the partner endpoint need: "does this rule match this token?". Same callback contract.
 */
int lh_matcher_scan_rule(const struct lh_matcher *m, struct lh_matcher_scratch *s, size_t rule,
                         const uint8_t *buf, size_t len, lh_match_cb cb, void *payload) LH_WUR;

/*
 * True when rule's pattern has a group named `id` (a pair rule: the secret is reported
 * together with the identifier it belongs to). lh_matcher_scan runs pair rules' regions
 * before all others, so a detector sees every pair match of a buffer first.
 */
bool lh_matcher_rule_is_pair(const struct lh_matcher *m, size_t rule);

/*
 * Whether a pattern's text defines a group named `id`: how a lazily compiled built-in rule
 * is known to be a pair rule before it is compiled. `rules check` verifies that it agrees
 * with the compiled pattern for every rule.
 */
bool lh_matcher_pattern_names_id(const char *pattern);

/* Number of rules the matcher was built with (including inactive ones). */
size_t lh_matcher_rule_count(const struct lh_matcher *m);

#endif
