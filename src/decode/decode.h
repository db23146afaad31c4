/* SPDX-License-Identifier: MIT */
/*
 * Encoded spans inside scanned text (issue 14): base64 (standard and URL-safe, padded or not,
 * also wrapped over lines as in PEM bodies and YAML block scalars), percent encoding,
 * backslash escapes (`\uXXXX` with surrogate pairs, `\xXX`, JSON's `\" \\ \/ \n \r \t \b \f`)
 * and hex. lh_decode_find scans a buffer once (16 bytes at a time where SSE2 exists) for
 * candidate spans: base64 and hex runs of a minimum length, and the strings or URLs around an
 * escape or a `%XX`; lh_decode_span decodes one and accepts it only when the result is text
 * (UTF-8 without control characters other than tab and line breaks) of at least
 * LH_DECODE_MIN_OUT bytes; lh_decode_map maps an offset of the decoded bytes back into the
 * encoded span, so a secret found in decoded text is located where its encoded form is.
 *
 * Every span is at most LH_DECODE_MAX_SPAN bytes and decodes to at most as many bytes as it
 * has, so the cost is linear in the input. Pure functions over `(buf, len)`: nothing is
 * allocated, nothing is logged (a span that does not decode is the common, expected case),
 * thread-safe. Knows nothing of rules, depth limits or findings (finding/detect_decode.c).
 * Written by hand rather than on OpenSSL's base64: decoding stops at the first byte that
 * cannot be text, skips the line breaks of wrapped values, and maps positions back.
 */
#ifndef LH_DECODE_DECODE_H
#define LH_DECODE_DECODE_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a span is encoded with; the order is the one of lh_decode_kind_name. */
enum lh_decode_kind {
    LH_DECODE_BASE64 = 0,
    LH_DECODE_PERCENT,
    LH_DECODE_ESCAPE,
    LH_DECODE_HEX,
    LH_DECODE_NKINDS,
};

#define LH_DECODE_BIT(kind) (1u << (kind))
/* What a rule without a `decode` key is looked for in: every kind but hex. */
#define LH_DECODE_DEFAULT_KINDS                                                                    \
    (LH_DECODE_BIT(LH_DECODE_BASE64) | LH_DECODE_BIT(LH_DECODE_PERCENT) |                          \
     LH_DECODE_BIT(LH_DECODE_ESCAPE))
#define LH_DECODE_ALL_KINDS ((1u << LH_DECODE_NKINDS) - 1)

/* Largest --max-decode-depth (decode chains are this long at most). */
#define LH_DECODE_MAX_DEPTH 8
/* Longest encoded span: longer base64 or hex runs are not decoded, strings are cut. */
#define LH_DECODE_MAX_SPAN (1u << 20)
/* Shortest base64 run (characters) and hex run (digits) that is a candidate. */
#define LH_DECODE_MIN_BASE64 20
#define LH_DECODE_MIN_HEX 32
/* Shortest decoded text kept. */
#define LH_DECODE_MIN_OUT 8

/* lh_decode_span flags */
#define LH_DECODE_F_URL 1u     /* base64: the URL-safe alphabet (- and _) */
#define LH_DECODE_F_WRAPPED 2u /* base64: over several lines (blanks and line breaks skipped) */

/* One candidate span: buf[start, end) of the buffer given to lh_decode_find. */
struct lh_decode_span {
    size_t start, end;
    enum lh_decode_kind kind;
    unsigned flags;
};

/* "base64", "percent", "escape", "hex". */
const char *lh_decode_kind_name(enum lh_decode_kind kind);

/* Parses a kind name. Returns 0 and sets *out, or LH_EINVAL (no message set). */
int lh_decode_kind_parse(enum lh_decode_kind *out, const char *name) LH_WUR;

/* Return 0 to continue, a negative code to stop lh_decode_find (propagated). */
typedef int (*lh_decode_span_cb)(const struct lh_decode_span *span, void *payload);

/*
 * Calls cb for every candidate span of the kinds in `kinds` (LH_DECODE_BIT mask) in
 * buf[0..len), in increasing order of start for each kind (spans of different kinds may
 * overlap: a base64 run inside a URL is both). Base64 runs are at least LH_DECODE_MIN_BASE64
 * characters of one alphabet with both upper- and lower-case letters; a run that ends a line
 * continues over following lines of the same width (a wrapped value). Hex runs are an even
 * number of at least LH_DECODE_MIN_HEX digits. Percent spans are the URL characters around a
 * `%XX`, escape spans the string characters around a `\uXXXX`, `\xXX` or `\/` (quotes and
 * line breaks end them). Candidates are not decoded here: lh_decode_span decides.
 */
int lh_decode_find(const uint8_t *buf, size_t len, unsigned kinds, lh_decode_span_cb cb,
                   void *payload) LH_WUR;

/*
 * lh_decode_find without the code paths chosen by CPU (AVX2 on x86-64): what a CPU without
 * them runs. The same results; tests compare the two.
 */
int lh_decode_find_portable(const uint8_t *buf, size_t len, unsigned kinds, lh_decode_span_cb cb,
                            void *payload) LH_WUR;

/*
 * Decodes span (found in buf) into out[0..cap); cap >= span->end - span->start always
 * suffices. Returns the number of bytes written, or 0 when the span does not decode to text
 * of at least LH_DECODE_MIN_OUT bytes (nothing useful is in out then).
 */
size_t lh_decode_span(uint8_t *out, size_t cap, const uint8_t *buf,
                      const struct lh_decode_span *span);

/*
 * Resumable position of lh_decode_map within one span (zero-initialise; one per span): maps
 * of increasing offsets cost the encoded bytes between them, not a walk from the span start.
 */
struct lh_decode_cursor {
    size_t src; /* offset in buf of a unit boundary (0: the span's start) */
    size_t dst; /* decoded bytes before it */
};

/*
 * The offset in buf of the decoded byte `off` of span (0 <= off < decoded length): where the
 * encoded text of that byte begins, or, with `end`, where the encoded text of byte off - 1
 * ends (an exclusive end, 0 < off <= decoded length). For base64 that is the character
 * holding the byte's first (last) bits; for an escape or `%XX`, the whole sequence.
 */
size_t lh_decode_map(const uint8_t *buf, const struct lh_decode_span *span, size_t off, bool end,
                     struct lh_decode_cursor *cur);

#endif
