/* SPDX-License-Identifier: MIT */
/*
 * Allow regexes on PCRE2; see regex.h. Each regex carries its own match context (the
 * limits), so a regex is self-contained and the caller holds no PCRE2 object.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "match/regex.h"

#include <pcre2.h>
#include <stdlib.h>

struct lh_regex {
    pcre2_code *code;
    pcre2_match_context *mctx;
};

struct lh_regex_scratch {
    pcre2_match_data *md;
};

int lh_regex_new(struct lh_regex **out, const char *pattern, const struct lh_matcher_opts *opts,
                 const char *what)
{
    struct lh_regex *re = calloc(1, sizeof(*re));
    if (!re) {
        return lh_error_oom();
    }
    int err = 0;
    PCRE2_SIZE off = 0;
    re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
    if (!re->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof(msg));
        lh_error_set("%s does not compile at offset %zu: %s", what, (size_t)off, (const char *)msg);
        lh_regex_free(re);
        return LH_ERULE;
    }
    re->mctx = pcre2_match_context_create(NULL);
    if (!re->mctx) {
        lh_regex_free(re);
        return lh_error_oom();
    }
    pcre2_set_match_limit(re->mctx,
                          opts && opts->match_limit ? opts->match_limit : LH_MATCHER_MATCH_LIMIT);
    pcre2_set_depth_limit(re->mctx,
                          opts && opts->depth_limit ? opts->depth_limit : LH_MATCHER_DEPTH_LIMIT);
    *out = re;
    return 0;
}

void lh_regex_free(struct lh_regex *re)
{
    if (!re) {
        return;
    }
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->mctx);
    free(re);
}

int lh_regex_scratch_new(struct lh_regex_scratch **out)
{
    struct lh_regex_scratch *s = calloc(1, sizeof(*s));
    if (!s) {
        return lh_error_oom();
    }
    s->md = pcre2_match_data_create(1, NULL);
    if (!s->md) {
        free(s);
        return lh_error_oom();
    }
    *out = s;
    return 0;
}

void lh_regex_scratch_free(struct lh_regex_scratch *s)
{
    if (!s) {
        return;
    }
    pcre2_match_data_free(s->md);
    free(s);
}

bool lh_regex_match(const struct lh_regex *re, struct lh_regex_scratch *s, const uint8_t *buf,
                    size_t len)
{
    return pcre2_match(re->code, buf, len, 0, 0, s->md, re->mctx) >= 0;
}
