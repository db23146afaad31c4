/* SPDX-License-Identifier: MIT */
/*
 * Internal to the revoker (revoke.c: opening, route matching, bodies and queueing, listing;
 * revoke_flush.c: delivering what is queued). Not for use outside src/notify/revoke*.c.
 */
#ifndef LH_NOTIFY_REVOKE_INT_H
#define LH_NOTIFY_REVOKE_INT_H

#include "notify/revoke.h"
#include "notify/spool.h"

#include <stdatomic.h>
#include <stddef.h>

struct lh_revoker {
    struct lh_spool *sp;
    struct lh_revoke_route *routes;
    size_t nroutes;
    struct lh_revoke_opts opts;
    atomic_int stop;
    /* under the spool lock */
    size_t queued;
    size_t skipped;
    unsigned run_seq;
};

/* Wipes then frees p[0..n) (NULL is a no-op). */
void lh_revoke_wipe_free(char *p, size_t n);
/* Passes one event to the caller's event callback, if any. */
void lh_revoker_emit(struct lh_revoker *rv, const struct lh_revoke_event *ev);

#endif
