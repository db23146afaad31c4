/* SPDX-License-Identifier: MIT */
/*
 * Test support: run the built leakhound binary (or any program) with arguments, optional
 * stdin and environment, capturing stdout, stderr and the exit status; temporary
 * directories and files. Used by the integration tests.
 */
#ifndef LH_TEST_SUPPORT_H
#define LH_TEST_SUPPORT_H

#include <stddef.h>

struct lh_run {
    int status; /* exit code, or 128+signal */
    char *out;
    size_t out_len;
    char *err;
    size_t err_len;
};

/* Runs argv[0] with argv (NULL-terminated) in cwd (NULL: current), feeding `in` (may be NULL). */
int lh_run_in(struct lh_run *r, const char *cwd, const char *in, size_t in_len,
              const char *const argv[]);
/* Runs the leakhound binary: lh_run_lh(&r, cwd, stdin, "scan", "x", NULL). */
int lh_run_lh(struct lh_run *r, const char *cwd, const char *in, ...);
void lh_run_dispose(struct lh_run *r);

/* Creates a fresh temporary directory (heap path). */
char *lh_tmpdir(void);
/* Removes a directory tree (rm -rf). */
void lh_rmtree(const char *path);
/* Writes a file (creating parent directories) under dir. */
void lh_write_file(const char *dir, const char *rel, const char *content, size_t len);
/* Runs a shell command line in dir; returns the exit status. For building git fixtures. */
int lh_sh(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns a newly allocated string of a file's content (NULL if missing). */
char *lh_read_file(const char *path);

/* Checksum-valid GitHub classic tokens built by the tests (body of 30 chars). */
void lh_make_github_token(char out[41], const char *prefix, const char *body30);

#endif
