/* SPDX-License-Identifier: MIT */
/*
 * The scan entry points of the core for git: a repository's history (every unique blob of
 * every ref once, or of a range, or with the unreachable objects) and its staged changes.
 * Each runs one input (source/input_history.h, source/input_staged.h) through the scan
 * driver; the history's findings are then attributed to commits and refs
 * (engine/provenance.h) while a progress callback (engine/progress.h) may report the phases.
 * Options and stats are the ones of every scan (engine/scan.h).
 */
#ifndef LH_ENGINE_HISTORY_H
#define LH_ENGINE_HISTORY_H

#include "engine/scan.h"
#include "finding/detect.h"
#include "finding/finding.h"
#include "source/git_range.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Scans the history of the repository at or above `repo_path`, appending findings (with
 * commit, author, date, message, blob and refs) to out. Returns 0 (unreadable objects are
 * counted in st->errors, not returned), LH_ENOTFOUND (not a repository), LH_EUSAGE (unknown
 * revision, bad range) or another negative code. Thread-safe for distinct outputs.
 */
int lh_history_scan(const struct lh_detector *d, const char *repo_path,
                    const struct lh_scan_opts *o, struct lh_findings *out,
                    struct lh_scan_stats *st) LH_WUR;

/*
 * Scans the staged changes (index against HEAD) of the work tree at or above `repo_path`,
 * appending findings that touch added or changed lines, with staged paths and line numbers.
 * st->scanned counts the files scanned. Returns 0, LH_ENOTFOUND, LH_EUSAGE (a bare
 * repository) or another negative code. The same as the three calls below.
 */
int lh_history_staged(const struct lh_detector *d, const char *repo_path,
                      const struct lh_scan_opts *o, struct lh_findings *out,
                      struct lh_scan_stats *st) LH_WUR;

/* The repository and its list of staged changes, between open and scan. */
struct lh_staged;

/*
 * Opens the repository and lists its staged changes. It needs no detector, so a caller can
 * run it on another thread while it builds one (the pre-commit path's startup: libgit2's
 * initialization alone takes ~6 ms). *out is always set; free it with lh_history_staged_free
 * whatever the result. Returns 0, LH_ENOTFOUND, LH_EUSAGE (bare repository) or negative.
 */
int lh_history_staged_open(struct lh_staged **out, const char *repo_path, bool scan_binary) LH_WUR;

/* Scans what lh_history_staged_open listed (same thread rules as lh_history_staged). */
int lh_history_staged_scan(struct lh_staged *s, const struct lh_detector *d,
                           const struct lh_scan_opts *o, struct lh_findings *out,
                           struct lh_scan_stats *st) LH_WUR;

/* Frees what open made (NULL is a no-op). */
void lh_history_staged_free(struct lh_staged *s);

#endif
