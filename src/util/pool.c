/* SPDX-License-Identifier: MIT */
/* Bounded-queue worker pool on pthreads; see pool.h. */
#include "util/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct lh_pool {
    pthread_mutex_t lock;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    void **q;
    size_t cap, head, count;
    bool closing;
    int error;
    char errmsg[1024];
    pthread_t *threads;
    size_t nthreads;
    lh_pool_init_fn init;
    lh_pool_work_fn work;
    lh_pool_fini_fn fini;
    void *payload;
};

struct worker_arg {
    struct lh_pool *p;
    size_t index;
};

static void set_error(struct lh_pool *p, int rc)
{
    pthread_mutex_lock(&p->lock);
    if (!p->error) {
        p->error = rc;
        snprintf(p->errmsg, sizeof(p->errmsg), "%s", lh_error_get());
    }
    pthread_cond_broadcast(&p->not_full);
    pthread_cond_broadcast(&p->not_empty);
    pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg)
{
    struct worker_arg *wa = arg;
    struct lh_pool *p = wa->p;
    void *state = NULL;
    int rc = p->init ? p->init(&state, wa->index, p->payload) : 0;
    free(wa);
    if (rc < 0) {
        set_error(p, rc);
    }
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (p->count == 0 && !p->closing) {
            pthread_cond_wait(&p->not_empty, &p->lock);
        }
        if (p->count == 0) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        void *job = p->q[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        bool failed = p->error != 0 || rc < 0;
        pthread_cond_signal(&p->not_full);
        pthread_mutex_unlock(&p->lock);
        if (failed) {
            /* drain: the job's owner is the work function, which must free it */
            (void)p->work(NULL, job, p->payload);
            continue;
        }
        int wrc = p->work(state, job, p->payload);
        if (wrc < 0) {
            set_error(p, wrc);
        }
    }
    if (p->fini && rc == 0) {
        p->fini(state, p->payload);
    }
    return NULL;
}

size_t lh_pool_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

int lh_pool_new(struct lh_pool **out, size_t nthreads, size_t queue_cap, lh_pool_init_fn init,
                lh_pool_work_fn work, lh_pool_fini_fn fini, void *payload)
{
    struct lh_pool *p = calloc(1, sizeof(*p));
    if (!p) {
        return lh_error_oom();
    }
    if (nthreads < 1) {
        nthreads = 1;
    }
    p->cap = queue_cap ? queue_cap : 64;
    p->q = calloc(p->cap, sizeof(*p->q));
    p->threads = calloc(nthreads, sizeof(*p->threads));
    if (!p->q || !p->threads) {
        free(p->q);
        free(p->threads);
        free(p);
        return lh_error_oom();
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->not_empty, NULL);
    pthread_cond_init(&p->not_full, NULL);
    p->init = init;
    p->work = work;
    p->fini = fini;
    p->payload = payload;
    for (size_t i = 0; i < nthreads; i++) {
        struct worker_arg *wa = malloc(sizeof(*wa));
        if (wa) {
            wa->p = p;
            wa->index = i;
        }
        if (!wa || pthread_create(&p->threads[i], NULL, worker, wa) != 0) {
            free(wa);
            set_error(p, lh_error_oom());
            break;
        }
        p->nthreads++;
    }
    *out = p;
    return 0;
}

int lh_pool_submit(struct lh_pool *p, void *job)
{
    pthread_mutex_lock(&p->lock);
    while (p->count == p->cap && !p->error) {
        pthread_cond_wait(&p->not_full, &p->lock);
    }
    int rc = p->error;
    if (!rc) {
        p->q[(p->head + p->count) % p->cap] = job;
        p->count++;
        pthread_cond_signal(&p->not_empty);
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

int lh_pool_finish(struct lh_pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->closing = true;
    pthread_cond_broadcast(&p->not_empty);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < p->nthreads; i++) {
        pthread_join(p->threads[i], NULL);
    }
    int rc = p->error;
    if (rc) {
        lh_error_set("%s", p->errmsg);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->not_empty);
    pthread_cond_destroy(&p->not_full);
    free(p->q);
    free(p->threads);
    free(p);
    return rc;
}
