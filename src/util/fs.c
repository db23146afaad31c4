/* SPDX-License-Identifier: MIT */
/* Bounded file reads, atomic writes and path helpers; see fs.h. */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lh_fs_read_fd(struct lh_buf *b, int fd, const char *name)
{
    for (;;) {
        int rc = lh_buf_grow(b, 65536 < b->cap - b->len ? 65536 : b->cap - b->len);
        if (rc == LH_ENOMEM) {
            /* not "too large": the file was within its limit, the machine was not (issue #15) */
            lh_error_set("cannot read '%s': out of memory", name);
            return LH_ENOMEM;
        }
        if (rc < 0) {
            lh_error_set("'%s' is larger than the limit of %zu bytes", name, b->cap);
            return LH_ETOOBIG;
        }
        size_t room = b->alloc - b->len - 1;
        if (room == 0) {
            /* at the cap: one more byte means too big */
            char c;
            ssize_t n = read(fd, &c, 1);
            if (n > 0) {
                lh_error_set("'%s' is larger than the limit of %zu bytes", name, b->cap);
                return LH_ETOOBIG;
            }
            return 0;
        }
        ssize_t n = read(fd, b->ptr + b->len, room);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            lh_error_set("cannot read '%s': %s", name, strerror(errno));
            return LH_EIO;
        }
        if (n == 0) {
            b->ptr[b->len] = '\0';
            return 0;
        }
        b->len += (size_t)n;
        b->ptr[b->len] = '\0';
    }
}

int lh_fs_read_file(struct lh_buf *b, const char *path)
{
    if (!strcmp(path, "-")) {
        return lh_fs_read_fd(b, STDIN_FILENO, "<stdin>");
    }
    /*
     * O_NONBLOCK so that opening a FIFO (a `.leakhound.yml` of a scanned tree can be one)
     * cannot block; it is cleared again, so a pipe named on purpose (--config <(...)) is read
     * to its end, while a FIFO that nobody writes reads as empty instead of hanging.
     */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        lh_error_set("cannot open '%s': %s", path, strerror(errno));
        return LH_EIO;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        lh_error_set("cannot read '%s': %s", path, strerror(errno));
        close(fd);
        return LH_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        lh_error_set("cannot read '%s': is a directory", path);
        return LH_EIO;
    }
    int rc = lh_fs_read_fd(b, fd, path);
    close(fd);
    return rc;
}

int lh_fs_write_atomic(const char *path, const void *data, size_t len)
{
    return lh_fs_write_atomic_mode(path, data, len, 0600);
}

int lh_fs_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            if (w == 0) {
                errno = EIO;
            }
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int lh_fs_write_atomic_mode(const char *path, const void *data, size_t len, unsigned mode)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 32);
    if (!tmp) {
        return lh_error_oom();
    }
    snprintf(tmp, pl + 32, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    int rc = 0;
    if (fd < 0) {
        lh_error_set("cannot create '%s': %s", tmp, strerror(errno));
        free(tmp);
        return LH_EIO;
    }
    if (lh_fs_write_all(fd, data, len) != 0) {
        lh_error_set("cannot write '%s': %s", tmp, strerror(errno ? errno : EIO));
        rc = LH_EIO;
    }
    if (rc == 0 && fsync(fd) != 0) {
        lh_error_set("cannot sync '%s': %s", tmp, strerror(errno));
        rc = LH_EIO;
    }
    close(fd);
    if (rc == 0 && rename(tmp, path) != 0) {
        lh_error_set("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
        rc = LH_EIO;
    }
    if (rc != 0) {
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

int lh_fs_mkdirs(const char *path)
{
    char *p = strdup(path);
    if (!p) {
        return lh_error_oom();
    }
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0700) != 0 && errno != EEXIST) {
                lh_error_set("cannot create directory '%s': %s", p, strerror(errno));
                rc = LH_EIO;
                break;
            }
            *s = c;
            if (!c) {
                break;
            }
        }
    }
    free(p);
    return rc;
}

int lh_fs_open_private(const char *path, int flags, unsigned mode)
{
    int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, (mode_t)mode);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP || (e == ENOTDIR && (flags & O_DIRECTORY))) {
            struct stat lst;
            if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
                lh_error_set("refusing '%s': it is a symbolic link", path);
                return -2;
            }
        }
        lh_error_set("cannot open '%s': %s", path, strerror(e));
        errno = e;
        return -1;
    }
    bool want_dir = (flags & O_DIRECTORY) != 0;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        lh_error_set("cannot stat '%s': %s", path, strerror(errno));
    } else if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
        lh_error_set("refusing '%s': not a %s", path, want_dir ? "directory" : "regular file");
    } else if (st.st_uid != geteuid()) {
        lh_error_set("refusing '%s': owned by uid %u, not by this user (uid %u)", path,
                     (unsigned)st.st_uid, (unsigned)geteuid());
    } else if (st.st_mode & 022) {
        lh_error_set("refusing '%s': writable by other users (mode %03o)", path,
                     (unsigned)(st.st_mode & 0777));
    } else {
        return fd;
    }
    close(fd);
    return -2;
}

char *lh_path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    bool slash = la > 0 && a[la - 1] != '/';
    char *r = malloc(la + lb + 2);
    if (!r) {
        return NULL;
    }
    memcpy(r, a, la);
    if (slash) {
        r[la++] = '/';
    }
    memcpy(r + la, b, lb + 1);
    return r;
}

bool lh_str_endswith(const char *s, const char *suffix)
{
    size_t ls = strlen(s);
    size_t lx = strlen(suffix);
    return ls >= lx && !memcmp(s + ls - lx, suffix, lx);
}

bool lh_str_startswith(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

char *lh_fs_user_dir(const char *override_env, const char *xdg_env, const char *home_rel)
{
    const char *e = override_env ? getenv(override_env) : NULL;
    if (e && *e) {
        return strdup(e);
    }
    e = getenv(xdg_env);
    if (e && *e == '/') {
        return lh_path_join(e, "leakhound");
    }
    e = getenv("HOME");
    if (!(e && *e == '/')) {
        return NULL;
    }
    char *base = lh_path_join(e, home_rel);
    char *dir = base ? lh_path_join(base, "leakhound") : NULL;
    free(base);
    return dir;
}

char *lh_fs_cache_dir(void)
{
    return lh_fs_user_dir("LEAKHOUND_CACHE_DIR", "XDG_CACHE_HOME", ".cache");
}
