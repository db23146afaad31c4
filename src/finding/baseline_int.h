/* SPDX-License-Identifier: MIT */
/*
 * Internal to the baseline (baseline.c: the model, matching and saving; baseline_load.c:
 * reading a baseline file and locating its content errors). Not for use outside
 * src/finding/baseline*.c.
 */
#ifndef LH_FINDING_BASELINE_INT_H
#define LH_FINDING_BASELINE_INT_H

#include "finding/baseline.h"

#include <stdbool.h>
#include <stddef.h>

#define LH_BASELINE_MAX_TEXT 4096 /* bytes in rule_id, path, reason, owner */

/* 7 to LH_BASELINE_COMMIT_MAX lower-case hex digits. */
bool lh_baseline_is_commit(const char *s);
/* Frees an entry's strings and zeroes it. */
void lh_baseline_entry_dispose(struct lh_baseline_entry *e);
/* Room for `extra` more entries (LH_ENOMEM). */
int lh_baseline_reserve(struct lh_baseline *b, size_t extra);
/* Sorts the entries by fingerprint, then path. */
void lh_baseline_sort(struct lh_baseline *b);
/* Whether s[0..n) holds a control character (baseline_load.c). */
bool lh_baseline_has_control(const char *s, size_t n);

#endif
