/* SPDX-License-Identifier: MIT */
/*
 * The detector turns matcher hits into findings: it applies each rule's path allowlist,
 * stopwords and allow regexes, the placeholder list, min_entropy and the validator, then
 * computes the location (line/column in Unicode code points) and the fingerprint, and
 * honours inline `leakhound:allow` comments. With decode_depth, the encoded spans of a blob
 * (base64, percent encoding, escapes; hex for the rules that ask) are decoded and scanned
 * too, recursively; such a finding is located where its encoded text is and carries the
 * decoders applied (detect_decode.c). It is immutable after creation and shared by threads;
 * each thread owns an lh_detect_scratch.
 */
#ifndef LH_FINDING_DETECT_H
#define LH_FINDING_DETECT_H

#include "finding/finding.h"
#include "match/matcher.h"
#include "rules/ruleset.h"
#include "validate/validator.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lh_detector;
struct lh_detect_scratch;

struct lh_detect_opts {
    struct lh_matcher_opts matcher;
    bool inline_allow;             /* honour `leakhound:allow` (default true) */
    bool inline_allow_unconfirmed; /* ...but never for a confirmed finding */
    bool keep_invalid;             /* report validator failures as invalid findings */
    size_t max_per_blob;           /* cap on findings per blob (0: 1000) */
    /*
     * Levels of decoding (base64, percent, escapes, hex: decode/decode.h) whose text is
     * scanned too; 0 turns decoding off, more than LH_DECODE_MAX_DEPTH counts as that many.
     */
    size_t decode_depth;
};

/* Compiles the ruleset (borrowed; must outlive the detector). Errors name the rule. */
int lh_detector_new(struct lh_detector **out, const struct lh_ruleset *rs,
                    const struct lh_detect_opts *opts) LH_WUR;
void lh_detector_free(struct lh_detector *d);
const struct lh_matcher *lh_detector_matcher(const struct lh_detector *d);

int lh_detect_scratch_new(struct lh_detect_scratch **out, const struct lh_detector *d) LH_WUR;
void lh_detect_scratch_free(struct lh_detect_scratch *s);

/*
 * Receives each finding; the callee takes ownership of *f's heap fields (e.g. via
 * lh_findings_push). Return 0 to continue, negative to stop.
 */
typedef int (*lh_finding_cb)(struct lh_finding *f, void *payload);

/*
 * Scans one blob. `path` (borrowed, may be NULL for stdin → "-") is copied into findings
 * and used for the rules' path allowlists. Returns 0 or a negative code.
 */
int lh_detect_blob(const struct lh_detector *d, struct lh_detect_scratch *s, const uint8_t *buf,
                   size_t len, const char *path, lh_finding_cb cb, void *payload) LH_WUR;

/*
 * Classifies one whole token (the partner endpoint, `rules check`): returns the best
 * confidence of a rule among `rule_ids` (NULL: all rules) whose match covers the whole
 * token and whose checks pass; LH_CONF_NONE otherwise. *rule_out (optional) gets the rule.
 */
enum lh_confidence lh_detect_token(const struct lh_detector *d, struct lh_detect_scratch *s,
                                   const uint8_t *tok, size_t len,
                                   const struct lh_strlist *rule_ids,
                                   const struct lh_rule **rule_out);

/* Outcome of the checks on one candidate secret for one rule (used by `rules check`). */
enum lh_verdict {
    LH_VERDICT_FINDING,
    LH_VERDICT_INVALID,     /* validator failed */
    LH_VERDICT_ALLOWED,     /* stopword / allow regex */
    LH_VERDICT_PLACEHOLDER, /* known placeholder / template / filler */
    LH_VERDICT_LOW_ENTROPY,
};
enum lh_verdict lh_detect_judge(const struct lh_detector *d, struct lh_detect_scratch *s,
                                size_t rule, const uint8_t *secret, size_t len,
                                enum lh_confidence *conf, struct lh_validation *val);

#endif
