/* SPDX-License-Identifier: MIT */
/*
 * The bridge between the partner endpoint and the revocation spool (notify/revoke.h):
 * request threads enqueue true positives (durable, idempotent per route and token hash,
 * fast) and one background thread flushes the spool, every `interval` seconds and soon
 * after each newly queued entry, so a slow or failing revocation receiver never delays
 * the answer to the reporter. After each flush the spool depth and delivery counts go to
 * the metrics, and delivery events (token hashes only) to the structured log. The
 * flusher owns its revoker (it opens it with itself as the event sink).
 */
#ifndef LH_PARTNER_FLUSHER_H
#define LH_PARTNER_FLUSHER_H

#include "http/metrics.h"
#include "notify/revoke.h"
#include "partner/handler.h"
#include "util/error.h"

struct lh_flusher;

/*
 * Opens the revoker on state_dir with the routes (copied) and starts the flushing thread.
 * `m` (may be NULL) is borrowed until lh_flusher_free; log_fd (-1: none) receives
 * "revoke" events and journal warnings. interval <= 0 means 5 s. Returns 0, the
 * revoker's error (LH_EIO, LH_EINVAL, ...), LH_ENOMEM or LH_ERROR (thread creation).
 */
int lh_flusher_new(struct lh_flusher **out, const char *state_dir,
                   const struct lh_revoke_route *routes, size_t nroutes, struct lh_metrics *m,
                   double interval, int log_fd) LH_WUR;

/*
 * lh_handler_enqueue_fn for the handler (payload: the flusher). Enqueues the hit with
 * source "<reporter>-partner" and its URL, and wakes the thread when something new was
 * queued. Returns the number of entries newly queued, or the revoker's negative code.
 */
int lh_flusher_enqueue(const struct lh_handler_hit *hit, void *payload);

/*
 * Stops the thread (interrupting a flush after its current HTTP attempt; pending entries
 * stay in the spool for the next run), closes the revoker and frees. NULL is a no-op.
 */
void lh_flusher_free(struct lh_flusher *f);

#endif
