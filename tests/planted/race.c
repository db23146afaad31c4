/* SPDX-License-Identifier: MIT */
/*
 * A planted fault, linked only into the test binary `leakhound_planted_race` (tsan preset):
 * when the binary starts, a thread and the main thread both increment a plain int with no
 * lock between them, a data race whatever the timing (both writes fall between
 * pthread_create and pthread_join). tests/planted/test_planted.c runs an ordinary scan with
 * that binary; the suite must fail on ThreadSanitizer's report (see
 * cmake/expect_sanitizer_failure.cmake). Never part of the real binary.
 */
#include <pthread.h>
#include <stddef.h>

int lh_planted_counter;

static void *bump(void *arg)
{
    (void)arg;
    lh_planted_counter++;
    return NULL;
}

__attribute__((constructor)) static void plant(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, bump, NULL) != 0) {
        return;
    }
    lh_planted_counter++;
    pthread_join(t, NULL);
}
