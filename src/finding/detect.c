/* SPDX-License-Identifier: MIT */
/*
 * Detector: matcher hits -> checks -> findings; see detect.h. The order of checks is the
 * cheap-first order: path allowlist, placeholders, stopwords, allow regexes, entropy, then
 * the validator. A match that fails a validator is dropped unless keep_invalid is set, in
 * which case it is delivered with `invalid = true` for --show-invalid.
 *
 * Pair rules (patterns with an `id` group, e.g. an AWS secret key next to its AKIA id) are
 * matched first (the matcher orders their regions first); each reported pair remembers
 * its secret and id spans, and a later finding of another rule that overlaps one of them
 * is dropped, so the pair is one finding. The id is an identifier, not a secret: it is
 * recorded in clear as the `pair_id` metadata. Rules with `yields: true` (generic shapes: any
 * JWT, a password in a URL or a .env assignment) run last and are dropped where another
 * rule reported an overlapping secret, so a provider's JWT is reported once, by its rule.
 * The checks of one candidate (lh_detect_judge) and the one-token check are detect_judge.c.
 */
#include "finding/detect_int.h"
#include "validate/validator.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_PER_BLOB 1000
#define INLINE_ALLOW_SCAN 4096

static int compile_allow(struct drule *dr, const struct lh_matcher_opts *mopts)
{
    const struct lh_rule *r = dr->rule;
    if (!r->allow_regexes.count) {
        return 0;
    }
    dr->allow = calloc(r->allow_regexes.count, sizeof(*dr->allow));
    if (!dr->allow) {
        return lh_error_oom();
    }
    for (size_t i = 0; i < r->allow_regexes.count; i++) {
        char what[512];
        snprintf(what, sizeof(what), "%s:%d:%d: rule '%s': allow regex %zu", r->pos.file,
                 r->pos.line, r->pos.column, r->id, i + 1);
        int rc = lh_regex_new(&dr->allow[i], r->allow_regexes.items[i], mopts, what);
        if (rc < 0) {
            return rc;
        }
        dr->nallow++;
    }
    return 0;
}

int lh_detector_new(struct lh_detector **out, const struct lh_ruleset *rs,
                    const struct lh_detect_opts *opts)
{
    struct lh_detector *d = calloc(1, sizeof(*d));
    int rc = 0;
    if (!d) {
        return lh_error_oom();
    }
    d->rs = rs;
    if (opts) {
        d->opts = *opts;
    } else {
        d->opts.inline_allow = true;
    }
    if (!d->opts.max_per_blob) {
        d->opts.max_per_blob = DEFAULT_MAX_PER_BLOB;
    }
    d->nrules = rs->count;
    d->rules = calloc(rs->count ? rs->count : 1, sizeof(*d->rules));
    if (!d->rules) {
        rc = lh_error_oom();
        goto fail;
    }
    for (size_t i = 0; i < rs->count; i++) {
        struct drule *dr = &d->rules[i];
        const struct lh_rule *r = rs->rules[i];
        dr->rule = r;
        if (r->validator) {
            dr->validator = lh_validator_find(r->validator);
            if (!dr->validator) {
                lh_error_set("%s:%d:%d: rule '%s': unknown validator '%s'", r->pos.file,
                             r->pos.line, r->pos.column, r->id, r->validator);
                rc = LH_ERULE;
                goto fail;
            }
            if (dr->validator->check_params) {
                rc = dr->validator->check_params(r);
                if (rc < 0) {
                    char msg[512];
                    snprintf(msg, sizeof(msg), "%s", lh_error_get());
                    lh_error_set("%s:%d:%d: rule '%s': validator '%s': %s", r->pos.file,
                                 r->pos.line, r->pos.column, r->id, r->validator, msg);
                    rc = LH_ERULE;
                    goto fail;
                }
            }
        } else if (r->nparams) {
            lh_error_set("%s:%d:%d: rule '%s': validator parameters without a validator",
                         r->pos.file, r->pos.line, r->pos.column, r->id);
            rc = LH_ERULE;
            goto fail;
        }
        rc = compile_allow(dr, &d->opts.matcher);
        if (rc < 0) {
            goto fail;
        }
        d->has_yields |= r->yields && lh_rule_active(r);
        dr->decode = lh_rule_decode_kinds(r);
        d->decode |= lh_rule_active(r) ? dr->decode : 0;
    }
    d->decode_depth =
        d->opts.decode_depth < LH_DECODE_MAX_DEPTH ? d->opts.decode_depth : LH_DECODE_MAX_DEPTH;
    if (!d->decode_depth) {
        d->decode = 0;
    }
    rc = lh_matcher_new(&d->matcher, rs->rules, rs->count, &d->opts.matcher);
    if (rc < 0) {
        goto fail;
    }
    *out = d;
    return 0;
fail:
    lh_detector_free(d);
    return rc;
}

void lh_detector_free(struct lh_detector *d)
{
    if (!d) {
        return;
    }
    for (size_t i = 0; d->rules && i < d->nrules; i++) {
        for (size_t j = 0; j < d->rules[i].nallow; j++) {
            lh_regex_free(d->rules[i].allow[j]);
        }
        free(d->rules[i].allow);
    }
    free(d->rules);
    lh_matcher_free(d->matcher);
    free(d);
}

const struct lh_matcher *lh_detector_matcher(const struct lh_detector *d)
{
    return d->matcher;
}

int lh_detect_scratch_new(struct lh_detect_scratch **out, const struct lh_detector *d)
{
    struct lh_detect_scratch *s = calloc(1, sizeof(*s));
    if (!s) {
        return lh_error_oom();
    }
    lh_detect_levels_init(s);
    int rc = lh_matcher_scratch_new(&s->ms, d->matcher);
    if (rc < 0) {
        free(s);
        return rc;
    }
    rc = lh_regex_scratch_new(&s->rs);
    if (rc < 0) {
        lh_detect_scratch_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void lh_detect_scratch_free(struct lh_detect_scratch *s)
{
    if (!s) {
        return;
    }
    lh_matcher_scratch_free(s->ms);
    lh_regex_scratch_free(s->rs);
    free(s->nl);
    free(s->pairs);
    lh_detect_levels_free(s);
    free(s);
}

static int build_nl(struct lh_detect_scratch *s, const uint8_t *buf, size_t len)
{
    s->nnl = 0;
    const uint8_t *p = buf;
    const uint8_t *end = buf + len;
    while (p < end) {
        const uint8_t *q = memchr(p, '\n', (size_t)(end - p));
        if (!q) {
            break;
        }
        if (s->nnl == s->anl) {
            size_t n = s->anl ? s->anl * 2 : 256;
            uint32_t *nl = realloc(s->nl, n * sizeof(*nl));
            if (!nl) {
                return lh_error_oom();
            }
            s->nl = nl;
            s->anl = n;
        }
        s->nl[s->nnl++] = (uint32_t)(q - buf);
        p = q + 1;
    }
    s->nl_built = true;
    return 0;
}

/* 1-based line of offset and the offset where that line starts. */
static void locate(const struct lh_detect_scratch *s, size_t off, size_t *line, size_t *lstart)
{
    size_t lo = 0;
    size_t hi = s->nnl;
    while (lo < hi) { /* number of newlines before off */
        size_t mid = lo + (hi - lo) / 2;
        if (s->nl[mid] < off) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *line = lo + 1;
    *lstart = lo ? s->nl[lo - 1] + 1 : 0;
}

static size_t codepoints(const uint8_t *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c += (p[i] & 0xC0) != 0x80;
    }
    return c;
}

/*
 * 1 + the code points in buf[lstart..off), counting on from the previous call when it was
 * on the same line and not further right. Hardening (issue #9): counting from the line
 * start for every finding made a long line quadratic (1000 findings on one 20 MB line took
 * 23 s); findings arrive left to right within each rule's regions.
 */
static size_t column_of(struct blobctx *c, size_t lstart, size_t off)
{
    size_t n;
    if (c->col_valid && c->col_lstart == lstart && off >= c->col_off) {
        n = c->col_n + codepoints(c->buf + c->col_off, off - c->col_off);
    } else {
        n = codepoints(c->buf + lstart, off - lstart);
    }
    c->col_valid = true;
    c->col_lstart = lstart;
    c->col_off = off;
    c->col_n = n;
    return 1 + n;
}

/*
 * Whether `leakhound:allow` occurs on the line where the secret [sstart, send) starts.
 * The tag is a plain substring, so every comment syntax works (#, //, slash-star, --,
 * <!-- -->, ;, REM, %, ' ...) and so does a tag before the secret. Only the part of the
 * line within INLINE_ALLOW_SCAN bytes of the secret counts: a long line such as minified
 * code may hold many secrets, and one tag far away must not hide them all; a short line
 * is covered whole, wherever the comment sits (the old scan from the line start missed a
 * tag after a secret that began more than INLINE_ALLOW_SCAN bytes into its line).
 */
static bool line_has_allow(const uint8_t *buf, size_t len, size_t lstart, size_t sstart,
                           size_t send)
{
    static const char tag[] = "leakhound:allow";
    const size_t tlen = sizeof(tag) - 1;
    size_t from = sstart - lstart > INLINE_ALLOW_SCAN ? sstart - INLINE_ALLOW_SCAN : lstart;
    size_t lim = len - send > INLINE_ALLOW_SCAN ? send + INLINE_ALLOW_SCAN : len;
    const uint8_t *nl = memchr(buf + sstart, '\n', lim - sstart);
    size_t to = nl ? (size_t)(nl - buf) : lim;
    for (size_t i = from; i + tlen <= to; i++) {
        if (buf[i] == 'l' && !memcmp(buf + i, tag, tlen)) {
            return true;
        }
    }
    return false;
}

static bool path_allowed(const struct lh_rule *r, const char *path)
{
    if (!path) {
        return false;
    }
    for (size_t i = 0; i < r->allow_paths.count; i++) {
        if (fnmatch(r->allow_paths.items[i], path, 0) == 0) {
            return true;
        }
    }
    return false;
}

static int push_span(struct lh_detect_scratch *s, size_t rule, size_t start, size_t end,
                     struct span how)
{
    if (end <= start) {
        return 0;
    }
    if (s->npairs == s->apairs) {
        size_t n = s->apairs ? s->apairs * 2 : 16;
        struct span *p = realloc(s->pairs, n * sizeof(*p));
        if (!p) {
            return lh_error_oom();
        }
        s->pairs = p;
        s->apairs = n;
    }
    how.rule = rule;
    how.start = start;
    how.end = end;
    s->pairs[s->npairs++] = how;
    return 0;
}

/*
 * Does [start, end) overlap a span reported by another rule: a pair's secret or id, or, for
 * a rule that yields (`yields: true`: generic shapes such as any JWT or a password in a
 * URL), any other finding's secret? Pair regions run first and yielding rules' last.
 *
 * A finding in decoded text comes after every finding of the plain text, and is dropped
 * where it overlaps what was reported already: by its own rule (the same secret, found
 * plain and encoded, or through two decoders), by a rule that does not yield (a validator
 * that decodes, as the Docker `auth` one does, reported the encoded value itself), or by
 * any rule when it yields. It is kept only next to a generic finding of another rule.
 */
static bool in_reported_span(const struct lh_detect_scratch *s, size_t rule, bool yields,
                             size_t start, size_t end, bool decoded)
{
    for (size_t i = 0; i < s->npairs; i++) {
        const struct span *p = &s->pairs[i];
        if (start >= p->end || end <= p->start) {
            continue;
        }
        if (decoded ? p->rule == rule || !p->yields || yields
                    : !p->hidden && p->rule != rule && (p->pair || yields)) {
            return true;
        }
    }
    return false;
}

/* pair_id metadata: the identifier in clear, printable ASCII only, truncated to fit. */
static void set_pair_meta(struct lh_finding *f, const uint8_t *id, size_t len)
{
    static const char key[] = "pair_id";
    size_t n = len < sizeof(f->meta_value) - 1 ? len : sizeof(f->meta_value) - 1;
    memcpy(f->meta_key, key, sizeof(key));
    for (size_t i = 0; i < n; i++) {
        f->meta_value[i] = id[i] >= 0x20 && id[i] < 0x7f ? (char)id[i] : '?';
    }
    f->meta_value[n] = '\0';
}

/* Records the spans of a delivered finding for the checks of the findings after it. */
static int record(struct blobctx *c, const struct hit *h, const struct lh_finding *f)
{
    const struct lh_detector *d = c->d;
    bool decoding = d->decode != 0;
    struct span how = {.yields = f->rule->yields, .hidden = f->suppressed};
    if (f->invalid || (f->suppressed && !decoding)) {
        return 0;
    }
    if (lh_matcher_rule_is_pair(d->matcher, h->rule)) {
        how.pair = true;
        int rc = push_span(c->s, h->rule, h->sstart, h->send, how);
        return rc < 0 ? rc : push_span(c->s, h->rule, h->istart, h->iend, how);
    }
    if (d->has_yields || decoding) {
        return push_span(c->s, h->rule, h->sstart, h->send, how);
    }
    return 0;
}

int lh_detect_report(struct blobctx *c, const struct hit *h)
{
    const struct lh_detector *d = c->d;
    const struct lh_rule *r = d->rules[h->rule].rule;
    if (c->have_last && c->last_rule == h->rule && h->sstart < c->last_end &&
        h->send > c->last_start) {
        return 0; /* overlapping re-report from an adjacent region (or decoded again) */
    }
    if (c->count >= d->opts.max_per_blob) {
        return 0;
    }
    if (path_allowed(r, c->path)) {
        return 0;
    }
    if (c->s->npairs &&
        in_reported_span(c->s, h->rule, r->yields, h->sstart, h->send, h->nchain > 0)) {
        return 0; /* reported as part of a pair, or by a rule this one yields to */
    }
    enum lh_confidence conf;
    struct lh_validation val;
    enum lh_verdict v = lh_detect_judge(d, c->s, h->rule, h->secret, h->slen, &conf, &val);
    if (v != LH_VERDICT_FINDING && !(v == LH_VERDICT_INVALID && d->opts.keep_invalid)) {
        return 0;
    }
    /* --show-invalid lists checksum failures of the text as written, not of decoded text */
    if (v == LH_VERDICT_INVALID && h->nchain) {
        return 0;
    }
    /*
     * Hardening (issue #9): invalid findings (--show-invalid) are capped too, separately so
     * they never crowd out valid ones; uncapped, a file full of checksum-failing look-alikes
     * grew the finding list (a heap copy of path and secret each) without bound.
     */
    if (v == LH_VERDICT_INVALID && c->ninvalid++ >= d->opts.max_per_blob) {
        return 0;
    }
    c->have_last = true;
    c->last_rule = h->rule;
    c->last_start = h->sstart;
    c->last_end = h->send;
    if (!c->s->nl_built) {
        int rc = build_nl(c->s, c->buf, c->len);
        if (rc < 0) {
            return rc;
        }
    }
    struct lh_finding f;
    memset(&f, 0, sizeof(f));
    size_t lstart;
    size_t elstart;
    locate(c->s, h->sstart, &f.line, &lstart);
    /* an allowed finding is delivered suppressed: counted and listable, never reported */
    if (d->opts.inline_allow && !(d->opts.inline_allow_unconfirmed && conf == LH_CONF_CONFIRMED) &&
        line_has_allow(c->buf, c->len, lstart, h->sstart, h->send)) {
        f.suppressed = true;
        f.suppressed_by = LH_SUPP_INLINE;
    }
    locate(c->s, h->send, &f.end_line, &elstart);
    f.column = column_of(c, lstart, h->sstart);
    f.end_column = column_of(c, elstart, h->send);
    f.rule = r;
    f.confidence = conf;
    f.invalid = v == LH_VERDICT_INVALID;
    f.offset = h->sstart;
    f.length = h->send - h->sstart;
    memcpy(f.decoded, h->chain, h->nchain);
    f.ndecoded = (uint8_t)h->nchain;
    memcpy(f.meta_key, val.meta_key, sizeof(f.meta_key));
    memcpy(f.meta_value, val.meta_value, sizeof(f.meta_value));
    f.meta_key[sizeof(f.meta_key) - 1] = '\0';
    f.meta_value[sizeof(f.meta_value) - 1] = '\0';
    if (h->idlen && !f.meta_key[0]) {
        set_pair_meta(&f, h->id, h->idlen);
    }
    f.path = strdup(c->path ? c->path : "-");
    int rc = f.path ? lh_finding_set_secret(&f, h->secret, h->slen) : lh_error_oom();
    if (rc == 0 && !f.invalid && !f.suppressed) {
        c->count++;
    }
    if (rc == 0) {
        rc = record(c, h, &f);
    }
    if (rc < 0) {
        lh_finding_dispose(&f);
        return rc;
    }
    rc = c->cb(&f, c->payload);
    lh_finding_dispose(&f);
    return rc;
}

static int on_match(const struct lh_match *m, void *payload)
{
    struct blobctx *c = payload;
    struct hit h = {
        .rule = m->rule,
        .sstart = m->sstart,
        .send = m->send,
        .istart = m->istart,
        .iend = m->iend,
        .secret = c->buf + m->sstart,
        .slen = m->send - m->sstart,
        .id = c->buf + m->istart,
        .idlen = m->iend > m->istart ? m->iend - m->istart : 0,
    };
    return lh_detect_report(c, &h);
}

int lh_detect_blob(const struct lh_detector *d, struct lh_detect_scratch *s, const uint8_t *buf,
                   size_t len, const char *path, lh_finding_cb cb, void *payload)
{
    struct blobctx c = {
        .d = d, .s = s, .buf = buf, .len = len, .path = path, .cb = cb, .payload = payload};
    s->nl_built = false;
    s->npairs = 0;
    int rc = lh_matcher_scan_path(d->matcher, s->ms, buf, len, path, on_match, &c);
    if (rc == 0 && d->decode && c.count < d->opts.max_per_blob) {
        rc = lh_detect_decoded(&c);
    }
    return rc;
}
