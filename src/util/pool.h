/* SPDX-License-Identifier: MIT */
/*
 * A fixed-size worker pool with a bounded job queue: the producer blocks when the queue is
 * full, so memory stays bounded however many jobs there are. Each worker owns a state made
 * by `init` (e.g. its matcher scratch or libgit2 repository handle).
 */
#ifndef LH_UTIL_POOL_H
#define LH_UTIL_POOL_H

#include "util/error.h"

#include <stddef.h>

typedef int (*lh_pool_init_fn)(void **state, size_t worker, void *payload);
typedef void (*lh_pool_fini_fn)(void *state, void *payload);
/* Processes one job (ownership of job passes to the worker). Negative stops the pool. */
typedef int (*lh_pool_work_fn)(void *state, void *job, void *payload);

struct lh_pool;

/* Starts nthreads workers (>= 1). init failures are returned by lh_pool_finish. */
int lh_pool_new(struct lh_pool **out, size_t nthreads, size_t queue_cap, lh_pool_init_fn init,
                lh_pool_work_fn work, lh_pool_fini_fn fini, void *payload) LH_WUR;

/*
 * Queues a job, blocking while the queue is full. Returns 0, or the pool's first error
 * (the job is then not queued and still belongs to the caller).
 */
int lh_pool_submit(struct lh_pool *p, void *job) LH_WUR;

/* Waits for all queued jobs, joins and frees. Returns the first worker error, or 0. */
int lh_pool_finish(struct lh_pool *p) LH_WUR;

/* Default worker count: online CPUs (at least 1). */
size_t lh_pool_default_threads(void);

#endif
