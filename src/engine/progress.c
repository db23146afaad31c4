/* SPDX-License-Identifier: MIT */
/* The progress ticker thread; see progress.h. */
#include "engine/progress.h"

#include "util/clock.h"

#include <string.h>
#include <time.h>

static void *tick_main(void *arg)
{
    struct lh_progress *p = arg;
    /* at once: the walk of a long history shows no item count for a while */
    p->fn(p->st, 0.0, p->payload);
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long ns = ts.tv_nsec + (long)(p->interval * 1e9);
        ts.tv_sec += ns / 1000000000L;
        ts.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&p->cond, &p->lock, &ts);
        if (p->stop) {
            break;
        }
        pthread_mutex_unlock(&p->lock);
        p->fn(p->st, lh_clock_now() - p->t0, p->payload);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

void lh_progress_start(struct lh_progress *p, lh_progress_fn fn, void *payload,
                       const struct lh_scan_stats *st, double interval)
{
    memset(p, 0, sizeof(*p));
    p->fn = fn;
    p->payload = payload;
    p->st = st;
    p->interval = interval > 0 ? interval : 0.2;
    p->t0 = lh_clock_now();
    if (!fn) {
        return;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->running = pthread_create(&p->thread, NULL, tick_main, p) == 0;
    if (!p->running) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->cond);
    }
}

void lh_progress_stop(struct lh_progress *p)
{
    if (!p->running) {
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    p->running = false;
}
