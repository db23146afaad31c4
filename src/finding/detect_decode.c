/* SPDX-License-Identifier: MIT */
/*
 * Findings in decoded text (issue 14). After the plain scan of a blob, its candidate spans
 * (decode/decode.h) are decoded into one buffer, level 1, each decoded span followed by a
 * newline; level 1 is scanned with the same matcher (one scan, however many spans), then its
 * own candidates are decoded into level 2, and so on up to the depth limit. A match counts
 * only when it lies within one decoded span and its rule is matched in every decoder of the
 * chain (`decode` in the rule); its secret and id are mapped back span by span
 * (lh_decode_map) to the blob, where it is reported, carrying the chain, by the same code as
 * a plain match (lh_detect_report): the same validators, placeholder list, allow lists,
 * inline allow comments (on the line of the encoded text), cap per blob, fingerprint.
 *
 * Bounds: each level holds at most as many bytes as the one above (decoding never grows
 * text) and at most MAX_LEVEL_BYTES, and at most MAX_SEGMENTS spans; what does not fit is
 * not decoded. The buffers live in the thread's scratch, reused from blob to blob, and are
 * wiped when it is freed, since decoded text may hold secrets.
 */
#include "finding/detect_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LEVEL_BYTES ((size_t)64 << 20)
#define MAX_SEGMENTS ((size_t)1 << 20)
#define NO_PARENT UINT32_MAX

/* Building one level: where the spans come from and where they go. */
struct build {
    struct dlevel *out;
    const uint8_t *base; /* the buffer lh_decode_find runs on (a span of the parent level) */
    size_t base_off;     /* its offset in the parent level's buffer */
    uint32_t parent;
    bool full; /* a bound was reached: the rest of this level is not decoded */
};

static int on_span(const struct lh_decode_span *sp, void *payload)
{
    struct build *b = payload;
    struct dlevel *out = b->out;
    size_t n = sp->end - sp->start;
    if (out->nsegs >= MAX_SEGMENTS || out->text.len + n + 1 > MAX_LEVEL_BYTES) {
        b->full = true;
        return LH_ETOOBIG; /* stops lh_decode_find; not an error (see decode_level) */
    }
    int rc = lh_buf_grow(&out->text, n + 1);
    if (rc < 0) {
        return rc;
    }
    size_t got = lh_decode_span((uint8_t *)out->text.ptr + out->text.len, n, b->base, sp);
    if (!got) {
        return 0;
    }
    if (out->nsegs == out->asegs) {
        size_t a = out->asegs ? out->asegs * 2 : 16;
        struct dseg *segs = realloc(out->segs, a * sizeof(*segs));
        if (!segs) {
            return lh_error_oom();
        }
        out->segs = segs;
        out->asegs = a;
    }
    /* offsets fit in 32 bits: the matcher refuses blobs of 4 GiB and more */
    out->segs[out->nsegs++] = (struct dseg){
        .dst = (uint32_t)out->text.len,
        .dst_end = (uint32_t)(out->text.len + got),
        .src = (uint32_t)(b->base_off + sp->start),
        .src_end = (uint32_t)(b->base_off + sp->end),
        .parent = b->parent,
        .kind = (uint8_t)sp->kind,
        .flags = (uint8_t)sp->flags,
    };
    out->text.len += got;
    out->text.ptr[out->text.len++] = '\n';
    out->text.ptr[out->text.len] = '\0';
    return 0;
}

/* Decodes the candidates of level k (0: the blob) into levels[k]. */
static int decode_level(struct blobctx *c, size_t k)
{
    struct dlevel *out = &c->s->levels[k];
    lh_buf_clear(&out->text);
    out->nsegs = 0;
    struct build b = {.out = out, .parent = NO_PARENT};
    int rc = 0;
    if (k == 0) {
        b.base = c->buf;
        rc = lh_decode_find(c->buf, c->len, c->d->decode, on_span, &b);
    } else {
        const struct dlevel *in = &c->s->levels[k - 1];
        for (size_t i = 0; rc == 0 && !b.full && i < in->nsegs; i++) {
            const struct dseg *g = &in->segs[i];
            b.base = (const uint8_t *)in->text.ptr + g->dst;
            b.base_off = g->dst;
            b.parent = (uint32_t)i;
            rc = lh_decode_find(b.base, g->dst_end - g->dst, c->d->decode, on_span, &b);
        }
    }
    if (rc == LH_ETOOBIG && b.full) {
        lh_error_clear();
        rc = 0;
    }
    return rc;
}

/* Context of the scan of one level. */
struct dscan {
    struct blobctx *c;
    size_t level; /* levels[level] is scanned */
};

/* The segment of lv holding decoded offset off, or NULL (off is a separator). */
static struct dseg *segment_at(const struct dlevel *lv, size_t off)
{
    size_t lo = 0;
    size_t hi = lv->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lv->segs[mid].dst_end <= off) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < lv->nsegs && lv->segs[lo].dst <= off ? &lv->segs[lo] : NULL;
}

/*
 * Maps offset off of levels[level], inside segment g, to the blob: through each level's
 * span in the one above. `end`: off is an exclusive end.
 */
static size_t map_to_blob(struct blobctx *c, size_t level, struct dseg *g, size_t off, bool end)
{
    for (size_t k = level + 1; k-- > 0;) {
        const uint8_t *above = k ? (const uint8_t *)c->s->levels[k - 1].text.ptr : c->buf;
        struct lh_decode_span sp = {g->src, g->src_end, (enum lh_decode_kind)g->kind, g->flags};
        struct lh_decode_cursor cur = {g->cur_src, g->cur_dst};
        off = lh_decode_map(above, &sp, off - g->dst, end, &cur);
        g->cur_src = (uint32_t)cur.src;
        g->cur_dst = (uint32_t)cur.dst;
        if (k) {
            g = &c->s->levels[k - 1].segs[g->parent];
        }
    }
    return off;
}

static int on_decoded_match(const struct lh_match *m, void *payload)
{
    struct dscan *ds = payload;
    struct blobctx *c = ds->c;
    struct dlevel *lv = &c->s->levels[ds->level];
    struct dseg *g = segment_at(lv, m->sstart);
    if (!g || m->start < g->dst || m->end > g->dst_end || m->send <= m->sstart) {
        return 0; /* across the boundary of two decoded spans */
    }
    struct hit h = {.rule = m->rule, .nchain = ds->level + 1};
    const struct dseg *e = g;
    for (size_t k = ds->level + 1; k-- > 0;) {
        h.chain[k] = e->kind;
        if (k) {
            e = &c->s->levels[k - 1].segs[e->parent];
        }
    }
    unsigned want = c->d->rules[m->rule].decode;
    for (size_t k = 0; k < h.nchain; k++) {
        if (!(want & LH_DECODE_BIT(h.chain[k]))) {
            return 0;
        }
    }
    const uint8_t *text = (const uint8_t *)lv->text.ptr;
    h.secret = text + m->sstart;
    h.slen = m->send - m->sstart;
    h.sstart = map_to_blob(c, ds->level, g, m->sstart, false);
    h.send = map_to_blob(c, ds->level, g, m->send, true);
    if (m->iend > m->istart && m->istart >= g->dst && m->iend <= g->dst_end) {
        h.id = text + m->istart;
        h.idlen = m->iend - m->istart;
        h.istart = map_to_blob(c, ds->level, g, m->istart, false);
        h.iend = map_to_blob(c, ds->level, g, m->iend, true);
    }
    return lh_detect_report(c, &h);
}

int lh_detect_decoded(struct blobctx *c)
{
    for (size_t k = 0; k < c->d->decode_depth; k++) {
        int rc = decode_level(c, k);
        if (rc < 0) {
            return rc;
        }
        struct dlevel *lv = &c->s->levels[k];
        if (!lv->nsegs) {
            return 0;
        }
        struct dscan ds = {c, k};
        rc = lh_matcher_scan_path(c->d->matcher, c->s->ms, (const uint8_t *)lv->text.ptr,
                                  lv->text.len, c->path, on_decoded_match, &ds);
        if (rc < 0) {
            return rc;
        }
        if (c->count >= c->d->opts.max_per_blob) {
            return 0;
        }
    }
    return 0;
}

void lh_detect_levels_init(struct lh_detect_scratch *s)
{
    for (size_t k = 0; k < LH_DECODE_MAX_DEPTH; k++) {
        lh_buf_init(&s->levels[k].text, MAX_LEVEL_BYTES);
    }
}

void lh_detect_levels_free(struct lh_detect_scratch *s)
{
    for (size_t k = 0; k < LH_DECODE_MAX_DEPTH; k++) {
        lh_buf_wipe(&s->levels[k].text);
        free(s->levels[k].segs);
        s->levels[k].segs = NULL;
    }
}
