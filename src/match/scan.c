/* SPDX-License-Identifier: MIT */
/*
 * One scan: Vectorscan over the buffer collects, per rule, the windows around its keyword
 * hits and merges them into regions (on_hit); the regions are sorted (pair rules first,
 * rules that yield last) and each rule's PCRE2 pattern runs inside its regions only.
 */
#include "match/matcher_int.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

/* Whether r's globs may match path (a cheap necessary test; see struct path_rule). */
static bool path_may_apply(const struct path_rule *pr, const char *path, size_t plen)
{
    if (pr->always) {
        return true;
    }
    for (size_t i = 0; i < pr->nlits; i++) {
        const struct path_lit *l = &pr->lits[i];
        if (l->len > plen) {
            continue;
        }
        if (l->at_end ? memcmp(path + plen - l->len, l->s, l->len) == 0
                      : lh_mem_contains(path, plen, l->s, l->len)) {
            return true;
        }
    }
    return false;
}

static int push_region(struct lh_matcher_scratch *s, uint32_t rule, size_t start, size_t end)
{
    if (s->nregions == s->aregions) {
        size_t n = s->aregions ? s->aregions * 2 : 64;
        struct region *r = realloc(s->regions, n * sizeof(*r));
        if (!r) {
            return lh_error_oom();
        }
        s->regions = r;
        s->aregions = n;
    }
    const struct crule *cr = &s->m->rules[rule];
    uint32_t order = cr->pair ? 0u : cr->rule->yields ? 2u : 1u;
    s->regions[s->nregions++] = (struct region){rule, order, start, end};
    return 0;
}

static bool is_lower(uint8_t c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_upper(uint8_t c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_alnum(uint8_t c)
{
    return is_lower(c) || is_upper(c) || (c >= '0' && c <= '9');
}

/*
 * Whether buf[start..end) stands at identifier boundaries: on each side either a character
 * that is not a letter or digit (so `_`, `-`, `.` separate words), or a camel-case step
 * (`myOkta`, `oktaToken`). `okta` inside `rookTable` is not at a boundary.
 */
static bool at_boundary(const uint8_t *buf, size_t len, size_t start, size_t end, bool both)
{
    bool left = start == 0 || !is_alnum(buf[start]) || !is_alnum(buf[start - 1]) ||
                (is_upper(buf[start]) && !is_upper(buf[start - 1]));
    bool right = !both || end >= len || !is_alnum(buf[end - 1]) || !is_alnum(buf[end]) ||
                 (is_upper(buf[end]) && !is_upper(buf[end - 1]));
    return left && right;
}

static int on_hit(unsigned int id, unsigned long long from, unsigned long long to,
                  unsigned int flags, void *ctx)
{
    (void)from;
    (void)flags;
    struct lh_matcher_scratch *s = ctx;
    const struct lit *l = &s->m->lits[id];
    if (s->skip[l->rule]) {
        return 0;
    }
    size_t maxlen = s->m->rules[l->rule].rule->max_length;
    size_t hit_start = (size_t)to - l->len;
    if (l->boundary &&
        !at_boundary(s->buf, s->len, hit_start, (size_t)to, l->boundary == LH_KWB_IDENTIFIER)) {
        return 0;
    }
    size_t ws = hit_start > maxlen ? hit_start - maxlen : 0;
    size_t we = (size_t)to + maxlen < s->len ? (size_t)to + maxlen : s->len;
    uint32_t r = l->rule;
    if (s->open[r] && ws <= s->open_end[r]) {
        if (we > s->open_end[r]) {
            s->open_end[r] = we;
        }
        return 0;
    }
    if (s->open[r]) {
        int rc = push_region(s, r, s->open_start[r], s->open_end[r]);
        if (rc < 0) {
            s->error = rc;
            return 1;
        }
    }
    if (!s->open[r]) {
        s->opened[s->nopened++] = r;
    }
    s->open[r] = 1;
    s->open_start[r] = ws;
    s->open_end[r] = we;
    return 0;
}

static int cmp_region(const void *a, const void *b)
{
    const struct region *x = a;
    const struct region *y = b;
    if (x->order != y->order) {
        return x->order < y->order ? -1 : 1;
    }
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* The first of groups[0..n) that took part in the match; 0 if none did. */
static size_t set_group(const PCRE2_SIZE *ov, const uint32_t *groups, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ov[2 * groups[i]] != PCRE2_UNSET) {
            return groups[i];
        }
    }
    return 0;
}

/*
 * Runs rule r's pattern over buf[start..end) (lookbehind may see before start).
 * PCRE2_PARTIAL_HARD tells us that a match attempt ran into the region's end; that
 * candidate is then re-matched anchored on the whole buffer, so a match longer than the
 * window is still found whole. Regions that end with the buffer are matched the same way
 * (the re-match then settles what lies at the end of the buffer): one mode for every
 * region is one JIT compilation per rule (pattern.c).
 */
static int match_region(const struct lh_matcher *m, struct lh_matcher_scratch *s, uint32_t r,
                        const uint8_t *buf, size_t len, size_t start, size_t end, lh_match_cb cb,
                        void *payload)
{
    struct crule *cr = &m->rules[r];
    const pcre2_code *code = lh_matcher_rule_code(m, cr, end - start);
    if (!code) {
        return 0;
    }
    size_t pos = start;
    while (pos <= end) {
        int n = pcre2_match(code, buf, end, pos, PCRE2_PARTIAL_HARD, s->md, s->mctx);
        if (n == PCRE2_ERROR_NOMATCH) {
            return 0;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        if (n == PCRE2_ERROR_PARTIAL) {
            size_t ps = ov[0];
            n = pcre2_match(code, buf, len, ps, PCRE2_ANCHORED, s->md, s->mctx);
            if (n < 0) {
                pos = ps + 1;
                continue;
            }
            ov = pcre2_get_ovector_pointer(s->md);
        } else if (n < 0) {
            /* match/depth limit: give up on this region, never on the scan */
            return 0;
        }
        size_t ms = ov[0];
        size_t me = ov[1];
        size_t g = set_group(ov, cr->secret_groups, cr->nsecret);
        if (g && ov[2 * g + 1] > ov[2 * g]) {
            struct lh_match mt = {r, ms, me, ov[2 * g], ov[2 * g + 1], 0, 0};
            size_t ig = set_group(ov, cr->id_groups, cr->nid);
            if (ig) {
                mt.istart = ov[2 * ig];
                mt.iend = ov[2 * ig + 1];
            }
            int rc = cb(&mt, payload);
            if (rc < 0) {
                return rc;
            }
        }
        pos = me > ms ? me : ms + 1;
    }
    return 0;
}

/* Vectorscan takes lengths as unsigned int: LH_ETOOBIG (message set) past that, else 0. */
static int check_len(size_t len)
{
    if (len > UINT32_MAX) {
        lh_error_set("buffer of %zu bytes is too large for one scan", len);
        return LH_ETOOBIG;
    }
    return 0;
}

static int prefilter_failed(hs_error_t e)
{
    lh_error_set("prefilter scan failed (vectorscan error %d)", (int)e);
    return LH_ERROR;
}

int lh_matcher_scan(const struct lh_matcher *m, struct lh_matcher_scratch *s, const uint8_t *buf,
                    size_t len, lh_match_cb cb, void *payload)
{
    return lh_matcher_scan_path(m, s, buf, len, NULL, cb, payload);
}

int lh_matcher_scan_path(const struct lh_matcher *m, struct lh_matcher_scratch *s,
                         const uint8_t *buf, size_t len, const char *path, lh_match_cb cb,
                         void *payload)
{
    if ((!m->db && !m->npath_rules) || len == 0) {
        return 0;
    }
    int lrc = check_len(len);
    if (lrc < 0) {
        return lrc;
    }
    s->m = m;
    s->buf = buf;
    s->len = len;
    s->error = 0;
    s->nregions = 0;
    s->nopened = 0;
    size_t plen = path ? strlen(path) : 0;
    for (size_t i = 0; i < m->npath_rules; i++) {
        const struct path_rule *pr = &m->path_rules[i];
        s->skip[pr->rule] = !path || !path_may_apply(pr, path, plen) ||
                            !lh_rule_path_applies(m->rules[pr->rule].rule, path);
        /* whole-file rules need no prefilter hit: their file's path is their context */
        if (pr->whole && !s->skip[pr->rule]) {
            int rc = push_region(s, pr->rule, 0, len);
            if (rc < 0) {
                return rc;
            }
        }
    }
    hs_error_t e =
        m->db ? hs_scan(m->db, (const char *)buf, (unsigned)len, 0, s->hs, on_hit, s) : HS_SUCCESS;
    /* close the regions still open; open[] is cleared whatever happened (the next scan
     * starts with every rule closed, without a pass over all rules) */
    for (size_t i = 0; i < s->nopened; i++) {
        uint32_t r = s->opened[i];
        if (!s->error && e == HS_SUCCESS) {
            int rc = push_region(s, r, s->open_start[r], s->open_end[r]);
            s->error = rc < 0 ? rc : 0;
        }
        s->open[r] = 0;
    }
    s->nopened = 0;
    if (s->error) {
        return s->error;
    }
    if (e != HS_SUCCESS) {
        return prefilter_failed(e);
    }
    if (s->nregions > 1) {
        qsort(s->regions, s->nregions, sizeof(*s->regions), cmp_region);
    }
    for (size_t i = 0; i < s->nregions; i++) {
        const struct region *rg = &s->regions[i];
        int rc = match_region(m, s, rg->rule, buf, len, rg->start, rg->end, cb, payload);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int count_hit(unsigned int id, unsigned long long from, unsigned long long to,
                     unsigned int flags, void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    (*(size_t *)ctx)++;
    return 0;
}

int lh_matcher_prefilter(const struct lh_matcher *m, struct lh_matcher_scratch *s,
                         const uint8_t *buf, size_t len, size_t *hits)
{
    if (!m->db || len == 0) {
        return 0;
    }
    int rc = check_len(len);
    if (rc < 0) {
        return rc;
    }
    hs_error_t e = hs_scan(m->db, (const char *)buf, (unsigned)len, 0, s->hs, count_hit, hits);
    return e == HS_SUCCESS ? 0 : prefilter_failed(e);
}

int lh_matcher_scan_rule(const struct lh_matcher *m, struct lh_matcher_scratch *s, size_t rule,
                         const uint8_t *buf, size_t len, lh_match_cb cb, void *payload)
{
    LH_ASSERT(rule < m->nrules);
    return match_region(m, s, (uint32_t)rule, buf, len, 0, len, cb, payload);
}
