/* SPDX-License-Identifier: MIT */
/* Test support implementation; see support.h. */
#include "support/support.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/*
 * A spawned process's sanitizer report would stay in the output the test captured and the
 * test could still pass (issue 12: with a leak planted in the history code, 33 of 35 git
 * tests passed). Every report of a process run through this library is copied to the test's
 * own stderr, where ctest's FAIL_REGULAR_EXPRESSION sees it and fails the test.
 */
void lh_forward_sanitizer_report(const char *who, const char *text, int status)
{
    /* ctest gives ASan, UBSan and TSan these exit codes (CMakeLists.txt), distinct from
     * every leakhound exit code, so a report cut short or swallowed still shows */
    if (status == LH_ASAN_EXITCODE || status == LH_UBSAN_EXITCODE || status == LH_TSAN_EXITCODE) {
        fprintf(stderr,
                "support: spawned process %s exited with sanitizer exit code %d: "
                "runtime error: see its report\n",
                who, status);
        fflush(stderr);
    }
    if (lh_sanitizer_report_in(text)) {
        fprintf(stderr, "support: sanitizer report from spawned process %s:\n%s\n", who, text);
        fflush(stderr);
    }
}

bool lh_sanitizer_report_in(const char *text)
{
    return text &&
           (strstr(text, "ERROR: AddressSanitizer") || strstr(text, "ERROR: LeakSanitizer") ||
            strstr(text, "runtime error:") || strstr(text, "WARNING: ThreadSanitizer") ||
            strstr(text, "ERROR: ThreadSanitizer"));
}

static void append(char **buf, size_t *len, const char *data, size_t n)
{
    char *p = realloc(*buf, *len + n + 1);
    if (!p) {
        abort();
    }
    memcpy(p + *len, data, n);
    *len += n;
    p[*len] = 0;
    *buf = p;
}

int lh_run_in(struct lh_run *r, const char *cwd, const char *in, size_t in_len,
              const char *const argv[])
{
    int pin[2], pout[2], perr[2];
    memset(r, 0, sizeof(*r));
    r->out = calloc(1, 1);
    r->err = calloc(1, 1);
    if (pipe(pin) || pipe(pout) || pipe(perr)) {
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        dup2(pin[0], 0);
        dup2(pout[1], 1);
        dup2(perr[1], 2);
        close(pin[0]);
        close(pin[1]);
        close(pout[0]);
        close(pout[1]);
        close(perr[0]);
        close(perr[1]);
        if (cwd && chdir(cwd) != 0) {
            _exit(126);
        }
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    close(perr[1]);
    signal(SIGPIPE, SIG_IGN);
    size_t off = 0;
    if (!in || in_len == 0) {
        close(pin[1]);
        pin[1] = -1;
    }
    struct pollfd fds[3] = {{pout[0], POLLIN, 0}, {perr[0], POLLIN, 0}, {pin[1], POLLOUT, 0}};
    int open_fds = 2;
    while (open_fds > 0 || fds[2].fd >= 0) {
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        char buf[65536];
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP))) {
                ssize_t n = read(fds[i].fd, buf, sizeof(buf));
                if (n <= 0) {
                    close(fds[i].fd);
                    fds[i].fd = -1;
                    open_fds--;
                } else if (i == 0) {
                    append(&r->out, &r->out_len, buf, (size_t)n);
                } else {
                    append(&r->err, &r->err_len, buf, (size_t)n);
                }
            }
        }
        if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = write(fds[2].fd, in + off, in_len - off);
            if (n > 0) {
                off += (size_t)n;
            }
            if (n <= 0 || off == in_len) {
                close(fds[2].fd);
                fds[2].fd = -1;
            }
        }
    }
    int st = 0;
    waitpid(pid, &st, 0);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    lh_forward_sanitizer_report(argv[0], r->err, r->status);
    return 0;
}

int lh_run_lhv(struct lh_run *r, const char *cwd, const char *in, const char *arg0, va_list ap)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = LH_BIN;
    const char *a = arg0;
    if (a) {
        argv[n++] = a;
    }
    while (a && (a = va_arg(ap, const char *)) != NULL && n < 63) {
        argv[n++] = a;
    }
    argv[n] = NULL;
    return lh_run_in(r, cwd, in, in ? strlen(in) : 0, argv);
}

int lh_run_lh(struct lh_run *r, const char *cwd, const char *in, ...)
{
    va_list ap;
    va_start(ap, in);
    const char *arg0 = va_arg(ap, const char *);
    int rc = lh_run_lhv(r, cwd, in, arg0, ap);
    va_end(ap);
    return rc;
}

void lh_run_dispose(struct lh_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

char *lh_tmpdir(void)
{
    char tmpl[] = "/tmp/leakhound-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

void lh_rmtree(const char *path)
{
    if (path && strncmp(path, "/tmp/leakhound-test-", 20) == 0) {
        lh_sh("/", "rm -rf '%s'", path);
    }
}

void lh_write_file(const char *dir, const char *rel, const char *content, size_t len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(path, 0755);
            *p = '/';
        }
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        abort();
    }
    fwrite(content, 1, len, f);
    fclose(f);
}

int lh_sh(const char *dir, const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    struct lh_run r;
    lh_run_in(&r, dir, NULL, 0, argv);
    int st = r.status;
    if (st != 0) {
        fprintf(stderr, "lh_sh(%s) failed with %d: %s\n", cmd, st, r.err);
    }
    lh_run_dispose(&r);
    return st;
}

char *lh_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        append(&buf, &len, tmp, n);
    }
    fclose(f);
    if (!buf) {
        buf = calloc(1, 1);
    }
    return buf;
}

char *lh_read_file_max(const char *path, size_t max, size_t *kept, size_t *size)
{
    struct stat st;
    *kept = 0;
    *size = stat(path, &st) == 0 ? (size_t)st.st_size : 0;
    size_t want = *size < max ? *size : max;
    char *buf = calloc(1, want + 1);
    if (!buf) {
        abort();
    }
    FILE *f = fopen(path, "rb");
    if (f) {
        *kept = fread(buf, 1, want, f);
        fclose(f);
    }
    return buf;
}

void lh_test_sha256_hex(char out[65], const char *s)
{
    unsigned char d[32];
    unsigned int n = 32;
    if (EVP_Digest(s, strlen(s), d, &n, EVP_sha256(), NULL) != 1) {
        abort();
    }
    for (unsigned i = 0; i < 32; i++) {
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    }
}

char *lh_shadow_libs(const char *const *sonames)
{
    static const char junk[] = "not a shared library\n";
    char *d = lh_tmpdir();
    if (!d) {
        return NULL;
    }
    for (size_t i = 0; sonames[i]; i++) {
        lh_write_file(d, sonames[i], junk, sizeof(junk) - 1);
    }
    setenv("LD_LIBRARY_PATH", d, 1);
    return d;
}

void lh_unshadow_libs(char *dir)
{
    unsetenv("LD_LIBRARY_PATH");
    if (dir) {
        lh_rmtree(dir);
        free(dir);
    }
}

char *lh_error_line(const char *err)
{
    static const char prefix[] = "leakhound: error: ";
    const char *found = NULL;
    for (const char *p = err; p && *p;) {
        if (strncmp(p, prefix, sizeof(prefix) - 1) == 0) {
            if (found) {
                return NULL;
            }
            found = p;
        }
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : NULL;
    }
    if (!found) {
        return NULL;
    }
    return strndup(found, strcspn(found, "\n"));
}

void lh_make_github_token(char out[41], const char *prefix, const char *body30)
{
    static const char a[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    unsigned long c = crc32(0L, (const unsigned char *)body30, 30);
    char cs[7];
    for (int i = 5; i >= 0; i--) {
        cs[i] = a[c % 62];
        c /= 62;
    }
    cs[6] = 0;
    snprintf(out, 41, "%.4s%.30s%s", prefix, body30, cs);
}

long long lh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int lh_proc_start(struct lh_proc *p, const char *cwd, const char *const argv[], const char *log)
{
    memset(p, 0, sizeof(*p));
    p->log = strdup(log);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || !p->log) {
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(fd);
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (cwd && chdir(cwd) != 0) {
            _exit(126);
        }
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fd);
    p->pid = (int)pid;
    return 0;
}

char *lh_proc_wait_log(struct lh_proc *p, const char *needle, int timeout_ms)
{
    long long end = lh_now_ms() + timeout_ms;
    for (;;) {
        char *s = lh_read_file(p->log);
        if (s && strstr(s, needle)) {
            return s;
        }
        free(s);
        if (lh_now_ms() >= end || !lh_proc_alive(p)) {
            return NULL;
        }
        usleep(20 * 1000);
    }
}

static void proc_forward_log(struct lh_proc *p, int status)
{
    char *log = p->log ? lh_read_file(p->log) : NULL;
    lh_forward_sanitizer_report(p->log ? p->log : "(no log)", log, status);
    free(log);
}

int lh_proc_alive(struct lh_proc *p)
{
    int st = 0;
    if (p->pid <= 0) {
        return 0;
    }
    pid_t r = waitpid((pid_t)p->pid, &st, WNOHANG);
    if (r == 0) {
        return 1;
    }
    if (r == (pid_t)p->pid) {
        p->exited = 1;
        p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        proc_forward_log(p, p->status);
    }
    p->pid = 0;
    return 0;
}

int lh_proc_stop(struct lh_proc *p, int sig, int timeout_ms)
{
    int st = 0;
    if (p->pid <= 0) {
        return p->exited ? p->status : -1;
    }
    if (sig) {
        kill((pid_t)p->pid, sig);
    }
    long long end = lh_now_ms() + timeout_ms;
    for (;;) {
        pid_t r = waitpid((pid_t)p->pid, &st, WNOHANG);
        if (r == (pid_t)p->pid) {
            int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            p->pid = 0;
            proc_forward_log(p, status);
            return status;
        }
        if (lh_now_ms() >= end) {
            kill((pid_t)p->pid, SIGKILL);
            waitpid((pid_t)p->pid, &st, 0);
            p->pid = 0;
            proc_forward_log(p, 0);
            return -1;
        }
        usleep(10 * 1000);
    }
}

void lh_proc_dispose(struct lh_proc *p)
{
    if (p->pid > 0) {
        lh_proc_stop(p, SIGTERM, 10000);
    }
    free(p->log);
    memset(p, 0, sizeof(*p));
}
