/* SPDX-License-Identifier: MIT */
/*
 * The monotonic clock in seconds, for deadlines and durations that must not jump with
 * the wall clock. Nothing else: no sleeping, no formatting.
 */
#ifndef LH_UTIL_CLOCK_H
#define LH_UTIL_CLOCK_H

/* Seconds on CLOCK_MONOTONIC (an arbitrary origin). Thread-safe. */
double lh_clock_now(void);

#endif
