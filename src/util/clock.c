/* SPDX-License-Identifier: MIT */
/* The monotonic clock; see clock.h. */
#include "util/clock.h"

#include <time.h>

double lh_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
