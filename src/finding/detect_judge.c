/* SPDX-License-Identifier: MIT */
/*
 * The verdict on one candidate secret (lh_detect_judge, detect.h), in the cheap-first order:
 * placeholders, stopwords, allow regexes, entropy, then the validator, whose result sets the
 * confidence; and lh_detect_token, which judges a whole token on its own (the partner
 * endpoint's question: is this string a secret of ours, and how sure are we?) with the
 * rules whose keywords the prefilter finds in it.
 */
#include "finding/detect_int.h"
#include "validate/entropy.h"
#include "validate/placeholder.h"
#include "validate/validator.h"

#include <fnmatch.h>
#include <string.h>
#include <strings.h>

static bool ci_contains(const uint8_t *s, size_t len, const char *word)
{
    size_t wl = strlen(word);
    for (size_t i = 0; i + wl <= len; i++) {
        if (!strncasecmp((const char *)s + i, word, wl)) {
            return true;
        }
    }
    return false;
}

enum lh_verdict lh_detect_judge(const struct lh_detector *d, struct lh_detect_scratch *s,
                                size_t rule, const uint8_t *secret, size_t len,
                                enum lh_confidence *conf, struct lh_validation *val)
{
    const struct drule *dr = &d->rules[rule];
    const struct lh_rule *r = dr->rule;
    memset(val, 0, sizeof(*val));
    *conf = LH_CONF_NONE;
    if (lh_placeholder_check(secret, len, NULL)) {
        return LH_VERDICT_PLACEHOLDER;
    }
    for (size_t i = 0; i < r->allow_stopwords.count; i++) {
        if (ci_contains(secret, len, r->allow_stopwords.items[i])) {
            return LH_VERDICT_ALLOWED;
        }
    }
    for (size_t i = 0; i < dr->nallow; i++) {
        if (lh_regex_match(dr->allow[i], s->rs, secret, len)) {
            return LH_VERDICT_ALLOWED;
        }
    }
    if (r->min_entropy > 0 && lh_entropy_shannon(secret, len) < r->min_entropy) {
        return LH_VERDICT_LOW_ENTROPY;
    }
    if (dr->validator) {
        if (!dr->validator->check(secret, len, r, val)) {
            if (!r->validator_soft) {
                return LH_VERDICT_INVALID;
            }
            /* an unverified checksum only raises confidence: a failure keeps the match */
            memset(val, 0, sizeof(*val));
            *conf = r->confidence;
            return LH_VERDICT_FINDING;
        }
        *conf = val->confidence           ? val->confidence
                : dr->validator->confirms ? LH_CONF_CONFIRMED
                                          : r->confidence;
        return LH_VERDICT_FINDING;
    }
    *conf = r->confidence;
    return LH_VERDICT_FINDING;
}

struct tokctx {
    const struct lh_detector *d;
    struct lh_detect_scratch *s;
    size_t len;
    enum lh_confidence best;
    const struct lh_rule *best_rule;
    const uint8_t *tok;
    const struct lh_strlist *rule_ids;
};

static bool id_selected(const struct lh_strlist *ids, const char *id);

static int on_token_match(const struct lh_match *m, void *payload)
{
    struct tokctx *c = payload;
    if (m->sstart != 0 || m->send != c->len ||
        !id_selected(c->rule_ids, c->d->rules[m->rule].rule->id)) {
        return 0;
    }
    enum lh_confidence conf;
    struct lh_validation val;
    if (lh_detect_judge(c->d, c->s, m->rule, c->tok, c->len, &conf, &val) == LH_VERDICT_FINDING &&
        conf > c->best) {
        c->best = conf;
        c->best_rule = c->d->rules[m->rule].rule;
    }
    return 0;
}

static bool id_selected(const struct lh_strlist *ids, const char *id)
{
    if (!ids) {
        return true;
    }
    for (size_t i = 0; i < ids->count; i++) {
        if (fnmatch(ids->items[i], id, 0) == 0) {
            return true;
        }
    }
    return false;
}

enum lh_confidence lh_detect_token(const struct lh_detector *d, struct lh_detect_scratch *s,
                                   const uint8_t *tok, size_t len,
                                   const struct lh_strlist *rule_ids,
                                   const struct lh_rule **rule_out)
{
    struct tokctx c = {d, s, len, LH_CONF_NONE, NULL, tok, rule_ids};
    /*
     * Every match contains one of its rule's keywords, so the prefilter picks the few rules
     * worth running on this token; only active rules are in the prefilter database.
     */
    if (lh_matcher_scan(d->matcher, s->ms, tok, len, on_token_match, &c) < 0) {
        lh_error_clear();
    }
    if (rule_out) {
        *rule_out = c.best_rule;
    }
    return c.best;
}
