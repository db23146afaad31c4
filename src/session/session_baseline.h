/* SPDX-License-Identifier: MIT */
/*
 * `baseline create` and `baseline prune` as session operations. Both scan like a session's
 * run (same settings, configuration and rules), then write a baseline atomically (a failed
 * run never leaves a half-written file) to a file or to the session's stream. create writes
 * one entry per fingerprint of every finding that would be reported, carrying reason, owner
 * and expiry over from the session's baseline; prune removes the entries that matched
 * nothing. prune refuses a partial or incomplete scan, since every entry it did not see
 * would look stale and be deleted; entries whose rule is not active are never judged, nor
 * are entries made from history (they carry the introducing commit) by a scan of files.
 */
#ifndef LH_SESSION_SESSION_BASELINE_H
#define LH_SESSION_SESSION_BASELINE_H

#include "session/session.h"

struct lh_baseline_result {
    bool written;     /* the baseline was written (create: even when an input failed) */
    const char *dest; /* where: a path, or "stdout" for the stream */
    size_t entries;   /* entries written */
    size_t findings;  /* create: findings they cover */
    size_t files;     /* create: inputs scanned */
    const char *unit; /* create: what they are: "files" or "blobs" */
    size_t removed;   /* prune: stale entries removed */
};

/*
 * Scans and writes the baseline of every reported finding to `dest` (NULL or "-": the
 * session's stream). Returns 0; LH_EIO when an input could not be read (the baseline is
 * written but does not cover it; out->written says so) or when writing failed; another
 * negative code before anything is written.
 */
int lh_session_baseline_create(struct lh_session *s, const char *dest,
                               struct lh_baseline_result *out) LH_WUR;

/*
 * Scans the whole project and writes the session's baseline without its stale entries to
 * `dest` (NULL: the baseline file itself; "-": the stream), announcing each removal through
 * the note callback. Returns 0; LH_EUSAGE without a baseline, when the scan is not of the
 * project root, or when the baseline may not be rewritten (named by an untrusted
 * configuration, outside its directory; dest NULL); LH_EIO when an input could not be read
 * (nothing is written) or writing failed.
 */
int lh_session_baseline_prune(struct lh_session *s, const char *dest,
                              struct lh_baseline_result *out) LH_WUR;

#endif
