/* SPDX-License-Identifier: MIT */
/* Hardening test helpers; see measure.h. */
#include "support/measure.h"

#include "support/support.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void hh_lh(struct hh_run *r, const char *name, const char *cwd, int timeout_s, ...)
{
    const char *argv[42];
    int n = 0;
    argv[n++] = LH_BIN;
    va_list ap;
    va_start(ap, timeout_s);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 41) {
        argv[n++] = a;
    }
    va_end(ap);
    argv[n] = NULL;

    memset(r, 0, sizeof(*r));
    char out[] = "/tmp/lh-hh-out-XXXXXX";
    char err[] = "/tmp/lh-hh-err-XXXXXX";
    int ofd = mkstemp(out);
    int efd = mkstemp(err);
    if (ofd < 0 || efd < 0) {
        abort();
    }
    long long t0 = lh_now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        abort();
    }
    if (pid == 0) {
        dup2(ofd, 1);
        dup2(efd, 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, 0);
        }
        if (cwd && chdir(cwd) != 0) {
            _exit(127);
        }
        /* ASan keeps up to 256 MB of freed memory in quarantine: measure leakhound, not it */
        const char *old = getenv("ASAN_OPTIONS");
        char opts[512];
        snprintf(opts, sizeof(opts), "%s%squarantine_size_mb=16:thread_local_quarantine_size_kb=64",
                 old ? old : "", old && *old ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
        alarm((unsigned)timeout_s);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR) {
    }
    r->secs = (double)(lh_now_ms() - t0) / 1000.0;
    r->rss_kb = ru.ru_maxrss;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    close(ofd);
    close(efd);
    r->out = lh_read_file_max(out, HH_MAX_CAPTURE, &r->out_len, &r->out_size);
    r->err = lh_read_file_max(err, HH_MAX_CAPTURE, &r->err_len, &r->err_size);
    unlink(out);
    unlink(err);
    lh_forward_sanitizer_report(name, r->err, r->status);
    fprintf(stderr, "hardening: %s: exit %d, peak RSS %.1f MB, %.2f s, stdout %zu bytes\n", name,
            r->status, (double)r->rss_kb / 1024.0, r->secs, r->out_size);
}

void hh_run_dispose(struct hh_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

void hh_write_repeat(const char *path, const char *chunk, size_t size)
{
    size_t clen = strlen(chunk);
    size_t blen = 1024 * 1024;
    char *block = malloc(blen);
    if (!block || clen == 0) {
        abort();
    }
    for (size_t i = 0; i < blen; i++) {
        block[i] = chunk[i % clen];
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        abort();
    }
    size_t done = 0;
    while (done < size) {
        /* keep the chunk phase continuous across blocks */
        size_t phase = done % clen;
        size_t n = size - done < blen - clen ? size - done : blen - clen;
        if (fwrite(block + phase, 1, n, f) != n) {
            abort();
        }
        done += n;
    }
    fclose(f);
    free(block);
}

void hh_patch(const char *path, size_t offset, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0 || pwrite(fd, data, len, (off_t)offset) != (ssize_t)len) {
        abort();
    }
    close(fd);
}

char *hh_token(const char *kind, int seed)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "python3 '%s/scripts/mktoken.py' --seed %d '%s'", LH_SOURCE_DIR,
             seed, kind);
    FILE *p = popen(cmd, "r");
    if (!p) {
        abort();
    }
    char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf) - 1, p);
    pclose(p);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }
    if (n == 0) {
        abort();
    }
    return strdup(buf);
}

bool hh_contains(const char *buf, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    if (!buf || nl == 0 || nl > len) {
        return false;
    }
    for (size_t i = 0; i + nl <= len; i++) {
        if (buf[i] == needle[0] && memcmp(buf + i, needle, nl) == 0) {
            return true;
        }
    }
    return false;
}

char *hh_path(const char *dir, const char *rel)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p) {
        abort();
    }
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}
