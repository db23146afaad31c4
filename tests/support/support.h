/* SPDX-License-Identifier: MIT */
/*
 * Test support, the core of the one support library of tests/unit and tests/e2e (the other
 * headers of tests/support add git fixtures, measured runs, the serve launcher and HTTP,
 * the revocation receiver, report and validator helpers): run the built leakhound binary
 * (or any program) with arguments and optional stdin, capturing stdout, stderr and the exit
 * status, and failing the test on any sanitizer report of the spawned process; temporary
 * directories and files; background processes; unloadable libraries.
 */
#ifndef LH_TEST_SUPPORT_H
#define LH_TEST_SUPPORT_H

/* Exit codes ctest gives the sanitizers (ASAN_OPTIONS / UBSAN_OPTIONS / TSAN_OPTIONS in
 * CMakeLists.txt). */
#define LH_ASAN_EXITCODE 86
#define LH_UBSAN_EXITCODE 87
#define LH_TSAN_EXITCODE 88

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Per-test timeout for Criterion suites: every suite and test that sets `.timeout` uses this
 * one value. Criterion 2.4.1's bundled BoxFort keeps pending timeouts in a deadline-sorted
 * list and drops the tail when a request with an earlier deadline is inserted in front of it
 * (bxfi_push_timeout never links req->next), which leaks 48 bytes in the runner whenever two
 * suites with different timeouts run concurrently (--jobs 2). With one value, a later request
 * never has an earlier deadline, so it is always appended. Hangs of the whole executable are
 * also bounded by ctest's TIMEOUT.
 */
#define LH_TEST_TIMEOUT 600

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
/* The same with the arguments as arg0 (NULL: none) then ap (NULL-terminated); at most 62. */
int lh_run_lhv(struct lh_run *r, const char *cwd, const char *in, const char *arg0, va_list ap);
void lh_run_dispose(struct lh_run *r);

/*
 * A Criterion suite whose every test gets a fresh temporary directory in `dir`, removed
 * after the test: `LH_TMPDIR_SUITE(name);` in place of the usual static dir, setup,
 * teardown and TestSuite(name, .init, .fini, .timeout = LH_TEST_TIMEOUT). The test file
 * includes <criterion/criterion.h> and <stdlib.h>.
 */
#define LH_TMPDIR_SUITE(suite)                                                                     \
    static char *dir;                                                                              \
    static void suite##_tmpdir_setup(void)                                                         \
    {                                                                                              \
        dir = lh_tmpdir();                                                                         \
        cr_assert(dir != NULL);                                                                    \
    }                                                                                              \
    static void suite##_tmpdir_teardown(void)                                                      \
    {                                                                                              \
        lh_rmtree(dir);                                                                            \
        free(dir);                                                                                 \
    }                                                                                              \
    TestSuite(suite, .init = suite##_tmpdir_setup, .fini = suite##_tmpdir_teardown,                \
              .timeout = LH_TEST_TIMEOUT)

/*
 * Copies a sanitizer report found in text (a spawned process's stderr or log) to this test's
 * stderr, where ctest's FAIL_REGULAR_EXPRESSION fails the test, and says so when status is a
 * sanitizer exit code. Every way of spawning a process in the tests must call it.
 */
void lh_forward_sanitizer_report(const char *who, const char *text, int status);

/* Whether text (may be NULL) holds an ASan, LSan, UBSan or TSan report. */
bool lh_sanitizer_report_in(const char *text);

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
/*
 * Reads at most max bytes of a file into a NUL-terminated heap string (never NULL: empty when
 * missing); *kept receives the bytes read, *size the file's full size.
 */
char *lh_read_file_max(const char *path, size_t max, size_t *kept, size_t *size);

/* Lowercase hex SHA-256 of a string, with OpenSSL (independent of src/util/hash.c). */
void lh_test_sha256_hex(char out[65], const char *s);

/*
 * Makes the libraries named in sonames (NULL-terminated, e.g. "libcurl.so.4") unloadable for
 * every program this process starts afterwards: creates a temporary directory holding a
 * text file under each name and puts it first in LD_LIBRARY_PATH, where the dynamic loader
 * (and dlopen) looks before the system directories, failing with "file too short". Returns
 * the directory (heap; undo with lh_unshadow_libs). A binary that linked one of them at
 * load time would not start at all.
 */
char *lh_shadow_libs(const char *const *sonames);

/* Undoes lh_shadow_libs: unsets LD_LIBRARY_PATH, removes and frees the directory. */
void lh_unshadow_libs(char *dir);

/*
 * The single stderr line starting with "leakhound: error: ", without its newline (heap), or
 * NULL when there is none or more than one.
 */
char *lh_error_line(const char *err);

/* Checksum-valid GitHub classic tokens built by the tests (body of 30 chars). */
void lh_make_github_token(char out[41], const char *prefix, const char *body30);

/*
 * A background process (e.g. `leakhound serve`) whose stdout and stderr go to `log`
 * (a file path). Every wait is bounded; lh_proc_stop escalates to SIGKILL.
 */
struct lh_proc {
    int pid;    /* 0 when never started or reaped */
    int exited; /* reaped by lh_proc_alive: status holds the exit status */
    int status;
    char *log;
};
/* Starts argv (NULL-terminated) in cwd (NULL: current). Returns 0 or -1. */
int lh_proc_start(struct lh_proc *p, const char *cwd, const char *const argv[], const char *log);
/* Waits up to timeout_ms until the log contains needle; returns the log (heap) or NULL. */
char *lh_proc_wait_log(struct lh_proc *p, const char *needle, int timeout_ms);
/* Whether the process is still running. */
int lh_proc_alive(struct lh_proc *p);
/*
 * Sends sig (0: none) and waits up to timeout_ms for the exit; then SIGKILL. Returns the
 * exit status (128+signal when killed), or -1 if it had to be killed after the timeout.
 */
int lh_proc_stop(struct lh_proc *p, int sig, int timeout_ms);
/* Stops (SIGTERM, 10 s) if still running and frees. */
void lh_proc_dispose(struct lh_proc *p);
/* Milliseconds on a monotonic clock. */
long long lh_now_ms(void);

#endif
