/* SPDX-License-Identifier: MIT */
/*
 * Files that change under the scan (issue #15). A FIFO renamed over a file after the walk
 * listed it used to block open() forever; a 3 GB sparse file with a NUL at byte 0 used to be
 * read whole (3 GB RSS) before the binary check. The race is made deterministic with
 * inotify: the directory's entries are all listed before the first file is opened, so the
 * first IN_OPEN of a file in it tells the test that the walk has seen every entry as a
 * regular file; the FIFO then replaces the last one, 100,000 files before a worker opens it.
 */
#include "support/measure.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define NFILES 100000

LH_TMPDIR_SUITE(files_race);

/* Waits up to timeout_ms for an IN_OPEN of a named entry of the watched directory. */
static bool wait_file_open(int ifd, int timeout_ms)
{
    long long end = lh_now_ms() + timeout_ms;
    char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    while (lh_now_ms() < end) {
        struct pollfd p = {.fd = ifd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        ssize_t n = read(ifd, buf, sizeof(buf));
        for (ssize_t off = 0; n > 0 && off < n;) {
            const struct inotify_event *e = (const void *)(buf + off);
            if ((e->mask & IN_OPEN) && e->len > 0 && !(e->mask & IN_ISDIR)) {
                return true;
            }
            off += (ssize_t)(sizeof(*e) + e->len);
        }
    }
    return false;
}

Test(files_race, fifo_swapped_in_after_the_walk_is_skipped_with_a_warning)
{
    char *tree = hh_path(dir, "tree");
    cr_assert(eq(int, mkdir(tree, 0700), 0));
    for (int i = 0; i < NFILES; i++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/f%06d.txt", tree, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        cr_assert(fd >= 0);
        cr_assert(eq(int, (int)write(fd, "name = demo\n", 12), 12));
        close(fd);
    }
    char *last = hh_path(tree, "zz-last.txt"); /* sorted after every f*.txt */
    lh_write_file(tree, "zz-last.txt", "x = 1\n", 6);
    char *fifo = hh_path(dir, "fifo");
    cr_assert(eq(int, mkfifo(fifo, 0600), 0));

    int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    cr_assert(ifd >= 0);
    cr_assert(inotify_add_watch(ifd, tree, IN_OPEN) >= 0);
    char *log = hh_path(dir, "scan.log");
    const char *argv[] = {LH_BIN, "scan", "--threads", "2", "--no-cache", "tree", NULL};
    struct lh_proc p;
    long long t0 = lh_now_ms();
    cr_assert(eq(int, lh_proc_start(&p, dir, argv, log), 0));
    cr_assert(wait_file_open(ifd, 60000), "the scan opened no file within 60 s");
    cr_assert(eq(int, rename(fifo, last), 0)); /* after the walk saw a regular file */
    close(ifd);
    /* the old open() blocked forever here: the scan must end, within seconds */
    int status = lh_proc_stop(&p, 0, 60000);
    long long ms = lh_now_ms() - t0;
    fprintf(stderr, "hardening: scan of %d files with a FIFO swapped in: exit %d, %.2f s\n", NFILES,
            status, (double)ms / 1000);
    char *out = lh_read_file(log);
    cr_assert(out != NULL);
    cr_assert(eq(int, status, 0), "exit %d (-1: hung and killed): %s", status, out);
    cr_assert(strstr(out, "zz-last.txt' is not a regular file (it changed during the scan); "
                          "skipped") != NULL,
              "%s", out);
    cr_assert(strstr(out, "in 100000 files") != NULL, "%s", out);
    cr_assert(strstr(out, "1 other") != NULL, "%s", out);
    cr_assert(ms < 60000, "%lld ms", ms);
    free(out);
    lh_proc_dispose(&p);
    free(log);
    free(fifo);
    free(last);
    free(tree);
}

Test(files_race, sparse_file_with_a_nul_up_front_is_not_read_whole)
{
    char *tree = hh_path(dir, "tree");
    cr_assert(eq(int, mkdir(tree, 0700), 0));
    char *big = hh_path(tree, "sparse.img");
    int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert(fd >= 0);
    cr_assert(eq(int, ftruncate(fd, (off_t)3 << 30), 0)); /* 3 GiB of holes: NUL at byte 0 */
    close(fd);
    lh_write_file(tree, "small.txt", "name = demo\n", 12);
    struct hh_run r;
    hh_lh(&r, "scan: 3 GiB sparse file, NUL at byte 0", dir, 300, "scan", "--no-cache",
          "--max-file-size", "4G", "tree", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "in 1 file "), 1), "%s", r.err);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "skipped 1 binary"), 1), "%s", r.err);
    /* one first read (256 KiB), not 3 GiB */
    cr_assert(hh_rss_below(&r, 200 * 1024), "peak RSS %ld kB", r.rss_kb);
    cr_assert(r.secs < 30, "%.2f s", r.secs);
    hh_run_dispose(&r);
    free(big);
    free(tree);
}

/*
 * Issue #15: warnings were formatted into fixed buffers and a long path pushed the reason
 * out ("'tree/aaaa...aaa" and nothing else). Messages too long for their buffer are now cut
 * in the middle: the start of the path and the reason both survive.
 */
Test(files_race, warning_about_a_long_path_keeps_its_reason)
{
    char rel[4096] = "tree";
    for (int i = 0; i < 14; i++) {
        size_t n = strlen(rel);
        rel[n] = '/';
        memset(rel + n + 1, 'a' + i, 200);
        rel[n + 201] = '\0';
    }
    strcat(rel, "/big.txt");
    cr_assert(strlen(rel) > 2800);
    lh_write_file(dir, rel, "name = demo, a file over the limit\n", 35);
    struct hh_run r;
    hh_lh(&r, "scan: 2.8 kB path over --max-file-size", dir, 120, "scan", "--no-cache",
          "--max-file-size", "10", "tree", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "leakhound: warning: 'tree/aaaa"), 1), "%s",
              r.err);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "..."), 1), "%s", r.err);
    cr_assert(eq(int,
                 hh_contains(r.err, r.err_len,
                             "nnnn/big.txt' is over the --max-file-size limit of 10 bytes; "
                             "skipped\n"),
                 1),
              "%s", r.err);
    hh_run_dispose(&r);
}

/*
 * Issue #15: an allocation that failed while reading a file within --max-file-size was
 * reported as "too large" and the scan exited 0 or 1. It is an error now: a warning naming
 * the file and exit 4 (an incomplete scan). ASan's allocator makes allocations over 8 MB fail
 * (allocator_may_return_null) so the test needs no memory pressure.
 */
Test(files_race, out_of_memory_reading_a_file_is_an_error_not_too_large)
{
#if defined(__SANITIZE_ADDRESS__)
    char *tree = hh_path(dir, "tree");
    cr_assert(eq(int, mkdir(tree, 0700), 0));
    char *big = hh_path(tree, "big.txt");
    hh_write_repeat(big, "name = demo, nothing secret here\n", 40u * 1024u * 1024u);
    const char *old = getenv("ASAN_OPTIONS");
    char opts[512];
    snprintf(opts, sizeof(opts), "%s%sallocator_may_return_null=1:max_allocation_size_mb=8",
             old ? old : "", old && *old ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
    struct hh_run r;
    hh_lh(&r, "scan: 40 MB file, allocations over 8 MB fail", dir, 120, "scan", "--no-cache",
          "--max-file-size", "100M", "tree", NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    cr_assert(
        eq(int, hh_contains(r.err, r.err_len, "cannot read 'tree/big.txt': out of memory"), 1),
        "%s", r.err);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "max-file-size"), 0), "%s", r.err);
    hh_run_dispose(&r);
    free(big);
    free(tree);
#else
    cr_skip_test("needs ASan's allocator_may_return_null to fail an allocation");
#endif
}
