/* SPDX-License-Identifier: MIT */
/*
 * Progress of a long scan: a helper thread calls a callback with the scan's stats at once
 * and then about every interval seconds until stopped, so a display (cli/) can redraw a
 * line without the scanning threads knowing about it. The callback reads the atomic
 * counters of lh_scan_stats; it runs on the helper thread, never concurrently with itself.
 */
#ifndef LH_ENGINE_PROGRESS_H
#define LH_ENGINE_PROGRESS_H

#include "source/input.h"

#include <pthread.h>
#include <stdbool.h>

/* Called with the stats and the seconds since lh_progress_start. */
typedef void (*lh_progress_fn)(const struct lh_scan_stats *st, double elapsed, void *payload);

struct lh_progress {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    bool running;
    lh_progress_fn fn;
    void *payload;
    const struct lh_scan_stats *st;
    double interval;
    double t0;
};

/*
 * Starts calling fn (NULL: does nothing, lh_progress_stop is still safe). interval <= 0
 * means 0.2 s. If the thread cannot start, the scan simply runs without progress.
 */
void lh_progress_start(struct lh_progress *p, lh_progress_fn fn, void *payload,
                       const struct lh_scan_stats *st, double interval);

/* Stops and joins the helper thread: fn is not called after this returns. */
void lh_progress_stop(struct lh_progress *p);

#endif
