/* SPDX-License-Identifier: MIT */
/*
 * The one parallel scan driver: runs inputs (source/input.h) over a worker pool and turns
 * their items into findings. Per run: every input is prepared (its enumeration that must
 * end first, e.g. a git walk), then each input in turn produces jobs on the calling thread
 * into a bounded queue while workers, each with its own detector scratch and the input's
 * reader state, read the jobs and scan the items. An input that announces at most one job
 * is read on the calling thread with no thread started (a pre-commit hook's few files,
 * stdin, staged changes). Memory is bounded by the queue (threads * 4 jobs) and what each
 * worker holds for one item.
 *
 * Findings get their origin's provenance (the path of the chain, the blob id) here and
 * nowhere else; commit and ref attribution of git findings is a later pass
 * (engine/provenance.h). The driver does not sort or deduplicate findings.
 */
#ifndef LH_ENGINE_DRIVER_H
#define LH_ENGINE_DRIVER_H

#include "archive/archive.h"
#include "finding/detect.h"
#include "finding/finding.h"
#include "source/input.h"

#include <stddef.h>

/* One scanning thread's state: its sink, detector scratch and the input's reader. */
struct lh_worker;

/* What the driver does with items, the same for every input of a run. */
struct lh_driver_opts {
    /* archives (by their first bytes, or a zip-family name) are opened and their members
     * scanned as nested items; NULL or max_depth 0: archives are content like any other */
    const struct lh_archive_limits *archive;
};

/*
 * Runs the inputs in order (each input's env gives the threads, options and the stats it
 * updates; they may share one) and appends findings to out; o may be NULL (no archive is
 * opened). Returns 0, or the first fatal
 * error: a failed prepare (before anything is read: a missing top-level path, not a
 * repository), out of memory, a worker that could not start. Unreadable items are counted
 * in the stats, not returned. The inputs are borrowed, not freed. Thread-safe for distinct
 * outputs.
 */
int lh_driver_run(const struct lh_detector *d, struct lh_input *const *inputs, size_t n,
                  const struct lh_driver_opts *o, struct lh_findings *out) LH_WUR;

/*
 * THE per-item scan entry point (lh_sink.scan of every worker's sink calls it):
 *   - counts a top-level item (items);
 *   - an archive (see lh_driver_opts), unless the item is itself an archive member: walks
 *     it (archive/archive.h: nested archives, depth, size, member, ratio and time limits)
 *     and scans each member by calling this function again, on the same worker, with an
 *     item whose origin is the member (path: its name in the archive, "a/b.jar!/c.yml" for
 *     an archive inside it) and whose parent is &item->origin; an unreadable archive is
 *     counted as an error and warned about; content that is no archive after all (a
 *     zip-named file that is no zip) is scanned as below;
 *   - otherwise counts its bytes, skips it as binary (a NUL in its first 8000 bytes) unless
 *     env->scan_binary, and runs the detector over (buf, len) with the path lh_origin_path
 *     gives the origin ("container!/member" for a nested item, built per call);
 *   - drops findings outside item->lines, gives the rest the origin's provenance (the
 *     nearest blob id of the chain), appends them to the run's output.
 * Reentrant on its worker, not across threads: call it only from the thread running the
 * worker's read (or a nested scan). Returns the number of findings kept for this item and
 * its members (>= 0), or a negative fatal code (LH_ENOMEM) that the caller must return to
 * stop the run.
 */
int lh_driver_scan_item(struct lh_worker *w, const struct lh_item *item) LH_WUR;

/* The sink of a worker, as handed to an input's read (lh_sink.scan == lh_driver_scan_item). */
struct lh_sink *lh_worker_sink(struct lh_worker *w);

#endif
