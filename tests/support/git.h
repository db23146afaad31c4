/* SPDX-License-Identifier: MIT */
/*
 * Git fixtures for the history and staged tests: a fresh repository per test, built with
 * the git CLI under a fixed identity, fixed dates (every commit one minute after the last,
 * so date order is deterministic), no global or system git config, and helpers to run
 * `leakhound` on it and read its JSON report.
 */
#ifndef LH_TEST_SUPPORT_GIT_H
#define LH_TEST_SUPPORT_GIT_H

#include "support/support.h"

#include <jansson.h>
#include <stddef.h>

extern char *gf_dir; /* temporary directory of the test; the repository is gf_dir/repo */

/* Creates gf_dir and an empty repository `repo` with branch main. */
void gf_setup(void);
void gf_teardown(void);

/* Path under gf_dir (static buffer, overwritten by the next call). */
const char *gf_path(const char *rel);

/* Runs a shell line in gf_dir/repo with the fixture's git environment; asserts success. */
void gf_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell line in gf_dir/repo and returns its trimmed stdout (heap). */
char *gf_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes repo/<rel> with fmt's single "%s" replaced by arg (arg may be NULL: fmt as is). */
void gf_write(const char *rel, const char *fmt, const char *arg);

/* `git add -A && git commit` with the next fixed date; returns the new commit id (heap). */
char *gf_commit(const char *msg);

/* The same, when the id is not needed. */
void gf_commit_q(const char *msg);

/* A checksum-valid GitHub token, different for each n. */
void gf_token(char out[41], int n);

/*
 * Runs leakhound in gf_dir/repo with the given arguments (NULL-terminated, at most 62),
 * parses stdout as JSON when it is an array (*out, NULL otherwise). Returns the run.
 */
struct lh_run gf_lh(json_t **out, const char *arg0, ...);

/* The findings of arr whose field `key` equals `value` (count), first one in *first. */
size_t gf_find(json_t *arr, const char *key, const char *value, json_t **first);

/* String field of a finding ("" when absent). */
const char *gf_str(json_t *f, const char *key);

/* Whether the finding's refs array holds `ref`. */
int gf_has_ref(json_t *f, const char *ref);

#endif
