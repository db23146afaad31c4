/* SPDX-License-Identifier: MIT */
/*
 * Baselines: the list of accepted findings, keyed by fingerprint (rule id + the secret's
 * SHA-256, never the path or line), so a suppression survives moves, renames, reformatting
 * and rebases while a different secret on the same line is still reported. An entry may
 * carry a reason, an owner and an expiry date (YYYY-MM-DD, UTC); it suppresses up to and
 * including that day and never after. The file is JSON with entries sorted by fingerprint,
 * one entry per line and a fixed key order, so it diffs and merges cleanly. It never holds a
 * secret, not even redacted: only the fingerprint, the rule id and a path hint that is never
 * used for matching. Loading is strict (unknown keys, duplicates, bad dates and malformed
 * fingerprints are errors naming file:line:col) because a baseline that is misread could
 * hide findings. This module does not decide which scans are "full"; callers do.
 */
#ifndef LH_FINDING_BASELINE_H
#define LH_FINDING_BASELINE_H

#include "finding/finding.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

#define LH_BASELINE_VERSION 1
#define LH_BASELINE_MAX_BYTES (64u * 1024u * 1024u)
#define LH_BASELINE_DATE_LEN 10   /* YYYY-MM-DD */
#define LH_BASELINE_COMMIT_MAX 64 /* hex digits of a SHA-256 object id */

struct lh_baseline_entry {
    char fingerprint[LH_FINGERPRINT_LEN + 1];
    char *rule_id;                           /* owned, required */
    char *path;                              /* owned or NULL: a hint for people only */
    char commit[LH_BASELINE_COMMIT_MAX + 1]; /* "" or the introducing commit (hex): the entry
                                                came from a history scan (a hint too, never
                                                used for matching) */
    char *reason;                            /* owned or NULL */
    char *owner;                             /* owned or NULL */
    char expires[LH_BASELINE_DATE_LEN + 1];  /* "" (never) or YYYY-MM-DD */
    int line;       /* 1-based line of the entry in the file it came from; 0 if none */
    size_t matched; /* findings it matched in this run (expired or not) */
};

struct lh_baseline {
    struct lh_baseline_entry *entries; /* sorted by fingerprint, fingerprints unique */
    size_t count;
    size_t alloc;
};

/* What lh_baseline_apply did. */
struct lh_baseline_stats {
    size_t suppressed; /* findings newly suppressed by an entry in force */
    size_t expired;    /* findings matched only by an expired entry (still reported) */
};

/*
 * Initialises an empty baseline. Functions that change a baseline are not thread-safe;
 * lh_baseline_find on a baseline nobody changes may run in any number of threads.
 */
void lh_baseline_init(struct lh_baseline *b);

/* Frees every entry; the baseline is left empty and reusable. Safe on a zeroed struct. */
void lh_baseline_dispose(struct lh_baseline *b);

/*
 * Parses a baseline from buf (not necessarily NUL-terminated); `name` is used in messages.
 * Entries are appended to b (which is normally empty) and b stays sorted. Returns 0,
 * LH_EINVAL ("name:line:col: ..." for malformed JSON or content), LH_ETOOBIG (over
 * LH_BASELINE_MAX_BYTES) or LH_ENOMEM. On error b is left as it was.
 */
int lh_baseline_load_buffer(struct lh_baseline *b, const char *name, const char *buf,
                            size_t len) LH_WUR;

/*
 * Loads a baseline file. Returns what lh_baseline_load_buffer returns, LH_ENOTFOUND when
 * the file does not exist, or LH_EIO when it cannot be read (messages name the path).
 */
int lh_baseline_load_file(struct lh_baseline *b, const char *path) LH_WUR;

/* Finds the entry for a fingerprint (binary search); NULL if none. Borrowed. */
struct lh_baseline_entry *lh_baseline_find(const struct lh_baseline *b, const char *fingerprint);

/* Writes today's UTC date as YYYY-MM-DD into out. */
void lh_baseline_today(char out[LH_BASELINE_DATE_LEN + 1]);

/* True when the entry has an expiry date and `today` (YYYY-MM-DD) is after it. */
bool lh_baseline_expired(const struct lh_baseline_entry *e, const char *today);

/* True when s is a real calendar date written as YYYY-MM-DD. */
bool lh_baseline_valid_date(const char *s);

/*
 * Matches findings against the baseline: a valid (not invalid) finding whose fingerprint
 * and rule id equal an entry's counts as a match of that entry (entry->matched); it is
 * marked suppressed unless the entry expired before `today`. Counters are reset first, so
 * the function can run once per scan. stats may be NULL. Not thread-safe.
 */
void lh_baseline_apply(struct lh_baseline *b, struct lh_findings *l, const char *today,
                       struct lh_baseline_stats *stats);

/*
 * Adds an entry for every finding that would be reported (not invalid, not suppressed),
 * one per fingerprint; the path hint is the first path in list order, and the commit hint
 * the finding's introducing commit (history scans). When `previous` is
 * given, reason, owner and expiry of entries with the same fingerprint are carried over so
 * re-creating a baseline keeps its annotations (an expired entry stays expired). Existing
 * entries of b are kept. Returns 0 or LH_ENOMEM.
 */
int lh_baseline_add_findings(struct lh_baseline *b, const struct lh_findings *l,
                             const struct lh_baseline *previous) LH_WUR;

/* Adds a copy of src unless b has its fingerprint already. Returns 0 or LH_ENOMEM. */
int lh_baseline_add_entry(struct lh_baseline *b, const struct lh_baseline_entry *src) LH_WUR;

/* Removes and frees entry i (i < b->count); the others keep their order. */
void lh_baseline_remove(struct lh_baseline *b, size_t i);

/*
 * Serialises the baseline into *out (heap, NUL-terminated, caller frees): a fixed header,
 * one entry per line in fingerprint order, keys in a fixed order, a final newline. The same
 * baseline always gives the same bytes. Returns 0 or LH_ENOMEM.
 */
int lh_baseline_dump(char **out, const struct lh_baseline *b) LH_WUR;

#endif
