/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the rule YAML loader (lh_ruleset_load_buffer) and, for inputs that load,
 * the whole compile step (lh_detector_new: PCRE2 patterns, allow regexes, validator
 * parameters, the Vectorscan literal database), then each rule's examples and negative
 * examples through lh_detect_blob and lh_detect_token, as `rules check` does. The PCRE2
 * limits are lowered so that a fuzzed catastrophic pattern costs milliseconds, not the
 * production budget (rules check's cost check is what refuses such rules). Invariants:
 * findings lie inside the scanned text and their secret is the text at their offset.
 */
#include "finding/detect.h"
#include "fuzz/common.h"
#include "rules/ruleset.h"

#include <stdlib.h>
#include <string.h>

#define FUZZ_MATCH_LIMIT 20000
#define FUZZ_DEPTH_LIMIT 1000

struct blob {
    const uint8_t *buf;
    size_t len;
    size_t findings;
};

static int on_finding(struct lh_finding *f, void *payload)
{
    struct blob *b = payload;
    LH_FUZZ_CHECK(f->offset <= b->len && f->length <= b->len - f->offset);
    LH_FUZZ_CHECK(f->secret_len == f->length);
    LH_FUZZ_CHECK(memcmp(f->secret, b->buf + f->offset, f->length) == 0);
    LH_FUZZ_CHECK(f->line >= 1 && f->end_line >= f->line && f->column >= 1);
    b->findings++;
    lh_finding_dispose(f);
    return 0;
}

static void run_text(const struct lh_detector *d, struct lh_detect_scratch *s, const char *text)
{
    struct blob b = {(const uint8_t *)text, strlen(text), 0};
    int rc = lh_detect_blob(d, s, b.buf, b.len, "fuzz/example.txt", on_finding, &b);
    LH_FUZZ_CHECK(rc == 0);
    (void)lh_detect_token(d, s, b.buf, b.len, NULL, NULL);
}

static void exercise(const struct lh_ruleset *rs)
{
    struct lh_detect_opts o;
    memset(&o, 0, sizeof(o));
    o.inline_allow = true;
    o.keep_invalid = true;
    o.matcher.match_limit = FUZZ_MATCH_LIMIT;
    o.matcher.depth_limit = FUZZ_DEPTH_LIMIT;
    struct lh_detector *d = NULL;
    struct lh_detect_scratch *s = NULL;
    if (lh_detector_new(&d, rs, &o) < 0) {
        return; /* a rule error: the message names it; nothing more to run */
    }
    if (lh_detect_scratch_new(&s, d) == 0) {
        for (size_t i = 0; i < rs->count; i++) {
            const struct lh_rule *r = rs->rules[i];
            for (size_t k = 0; k < r->examples.count; k++) {
                run_text(d, s, r->examples.items[k]);
            }
            for (size_t k = 0; k < r->negative_examples.count; k++) {
                run_text(d, s, r->negative_examples.items[k]);
            }
        }
    }
    lh_detect_scratch_free(s);
    lh_detector_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lh_ruleset *rs = NULL;
    LH_FUZZ_CHECK(lh_ruleset_new(&rs) == 0);
    int rc = lh_ruleset_load_buffer(rs, "fuzz.yml", data, size);
    if (rc == 0) {
        (void)lh_ruleset_select(rs, "*", true);
        exercise(rs);
    } else {
        LH_FUZZ_CHECK(rc == LH_EINVAL || rc == LH_ETOOBIG || rc == LH_ENOMEM);
        LH_FUZZ_CHECK(lh_error_get()[0] != '\0');
    }
    lh_error_clear();
    lh_ruleset_free(rs);
    return 0;
}
