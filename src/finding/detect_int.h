/* SPDX-License-Identifier: MIT */
/*
 * Internals of the detector shared by detect.c (plain text: matches to findings),
 * detect_judge.c (the verdict on one candidate) and detect_decode.c (decoded text: the levels
 * of decoded spans, their matches mapped back to the blob). Not part of the detector's API:
 * nothing outside src/finding/detect*.c includes it.
 */
#ifndef LH_FINDING_DETECT_INT_H
#define LH_FINDING_DETECT_INT_H

#include "decode/decode.h"
#include "finding/detect.h"
#include "match/regex.h"
#include "util/buf.h"

struct drule {
    const struct lh_rule *rule;
    const struct lh_validator *validator;
    struct lh_regex **allow; /* compiled allow regexes (with the matcher's limits) */
    size_t nallow;
    unsigned decode; /* LH_DECODE_BIT mask: the decoded text this rule is matched in */
};

struct lh_detector {
    const struct lh_ruleset *rs;
    struct lh_matcher *matcher;
    struct drule *rules;
    size_t nrules;
    struct lh_detect_opts opts;
    bool has_yields;     /* an active rule has `yields`: findings' spans are recorded */
    unsigned decode;     /* kinds some active rule is matched in (0 when decoding is off) */
    size_t decode_depth; /* opts.decode_depth, at most LH_DECODE_MAX_DEPTH */
};

/* A reported span, in the blob's offsets (decoded findings: where the encoded text is). */
struct span {
    size_t rule, start, end;
    bool pair;   /* part of a pair finding (secret or id); else an ordinary finding's secret */
    bool yields; /* reported by a rule with `yields` */
    bool hidden; /* suppressed inline: seen only by decoded findings (no duplicate of it) */
};

/* One decoded span: its bytes in a level's buffer, its encoded text in the level above. */
struct dseg {
    uint32_t dst, dst_end;     /* decoded bytes in this level's buffer */
    uint32_t src, src_end;     /* the encoded span in the parent level's buffer (level 1: blob) */
    uint32_t parent;           /* the parent level's segment holding it (level 1: none) */
    uint32_t cur_src, cur_dst; /* lh_decode_map cursor */
    uint8_t kind, flags;
};

/* Level k + 1 of decoding (levels[0] holds what was decoded from the blob itself). */
struct dlevel {
    struct lh_buf text; /* the decoded spans, each followed by '\n' */
    struct dseg *segs;  /* in increasing order of dst */
    size_t nsegs, asegs;
};

struct lh_detect_scratch {
    struct lh_matcher_scratch *ms;
    struct lh_regex_scratch *rs; /* allow regexes */
    /* spans of the current blob's findings: pairs' secret and id (which every other rule
     * yields to), and other findings' secrets (which rules with `yields` yield to) */
    struct span *pairs;
    size_t npairs, apairs;
    /*
     * Newline offsets of the current blob, built on the first finding. uint32_t (hardening,
     * issue #9): a file of newlines costs 4 bytes per byte here, not 8; the matcher refuses
     * blobs over 4 GiB, so every offset fits.
     */
    uint32_t *nl;
    size_t nnl, anl;
    bool nl_built;
    struct dlevel levels[LH_DECODE_MAX_DEPTH];
};

struct blobctx {
    const struct lh_detector *d;
    struct lh_detect_scratch *s;
    const uint8_t *buf;
    size_t len;
    const char *path;
    lh_finding_cb cb;
    void *payload;
    size_t count;
    size_t ninvalid; /* invalid findings delivered (keep_invalid), capped like count */
    /* the last column computed: code points in buf[col_lstart..col_off) (see column_of) */
    size_t col_lstart, col_off, col_n;
    bool col_valid;
    size_t last_rule, last_start, last_end;
    bool have_last;
};

/* A match to report, located in the blob (see lh_detect_report). */
struct hit {
    size_t rule;
    size_t sstart, send;        /* the secret's location in the blob */
    size_t istart, iend;        /* the `id` group's location (istart == iend: none) */
    const uint8_t *secret, *id; /* their bytes (decoded ones for decoded text) */
    size_t slen, idlen;
    uint8_t chain[LH_DECODE_MAX_DEPTH]; /* decoders applied, outermost first */
    size_t nchain;
};

/* Applies the checks to a hit and delivers the finding (or drops it). 0 or a negative code. */
int lh_detect_report(struct blobctx *c, const struct hit *h) LH_WUR;

/*
 * Decodes the candidate spans of c's blob level by level (up to d->decode_depth) and
 * reports the matches in decoded text through lh_detect_report. 0 or a negative code.
 */
int lh_detect_decoded(struct blobctx *c) LH_WUR;

/* Initialises the scratch's (empty) decoding levels. */
void lh_detect_levels_init(struct lh_detect_scratch *s);

/* Frees (wiping the decoded text) the scratch's decoding levels. */
void lh_detect_levels_free(struct lh_detect_scratch *s);

#endif
