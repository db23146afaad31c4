/* SPDX-License-Identifier: MIT */
/* A scan's place in its project; see project.h. */
#include "session/project.h"

#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *lh_project_git_root(const char *start)
{
    char *dir = realpath(start ? start : ".", NULL);
    struct stat st;
    if (dir && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
        }
    }
    while (dir) {
        char *git = lh_path_join(dir, ".git");
        bool found = git && access(git, F_OK) == 0;
        free(git);
        if (found) {
            return dir;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) {
            break;
        }
        *slash = '\0';
    }
    free(dir);
    return NULL;
}

char *lh_project_root(const char *start, const char *file_dir, bool *in_git)
{
    char *dir = lh_project_git_root(start);
    *in_git = dir != NULL;
    if (dir) {
        return dir;
    }
    if (file_dir) {
        char *real = realpath(file_dir, NULL);
        if (real) {
            return real;
        }
    }
    return realpath(".", NULL);
}

char *lh_project_uri_prefix(void)
{
    char *root = lh_project_git_root(".");
    char *cwd = root ? realpath(".", NULL) : NULL;
    char *out = NULL;
    size_t rl = root ? strlen(root) : 0;
    if (cwd && strncmp(cwd, root, rl) == 0 && cwd[rl] == '/') {
        size_t n = strlen(cwd + rl + 1);
        out = malloc(n + 2);
        if (out) {
            memcpy(out, cwd + rl + 1, n);
            out[n] = '/';
            out[n + 1] = '\0';
        }
    }
    free(cwd);
    free(root);
    return out;
}

/* Reads path into a NUL-terminated heap string (at most 1 MiB); NULL when unreadable. */
static char *read_small(const char *path)
{
    struct lh_buf b;
    lh_buf_init(&b, 1024 * 1024);
    if (lh_fs_read_file(&b, path) < 0 || lh_buf_putc(&b, '\0') < 0) {
        lh_buf_dispose(&b);
        lh_error_clear();
        return NULL;
    }
    return lh_buf_take(&b);
}

/* scheme://user:password@host/... -> scheme://host/... in place */
static void strip_credentials(char *url)
{
    char *scheme = strstr(url, "://");
    if (!scheme) {
        return;
    }
    char *host = scheme + 3;
    char *slash = strchr(host, '/');
    char *at = memchr(host, '@', slash ? (size_t)(slash - host) : strlen(host));
    if (at) {
        memmove(host, at + 1, strlen(at + 1) + 1);
    }
}

/* The url of [remote "origin"] in a git config text, credentials removed (heap), or NULL. */
static char *origin_url(const char *cfg)
{
    bool in_origin = false;
    for (const char *line = cfg; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        while (n && (*line == ' ' || *line == '\t')) {
            line++;
            n--;
        }
        if (n && *line == '[') {
            in_origin = n >= 17 && !strncmp(line, "[remote \"origin\"]", 17);
        } else if (in_origin && n > 3 && !strncmp(line, "url", 3)) {
            const char *v = line + 3;
            while (v < line + n && (*v == ' ' || *v == '\t' || *v == '=')) {
                v++;
            }
            size_t vn = (size_t)(line + n - v);
            while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\r' || v[vn - 1] == '\t')) {
                vn--;
            }
            char *url = strndup(v, vn);
            if (url) {
                strip_credentials(url);
            }
            return url;
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

/* `rel` relative to `base` unless absolute (heap; NULL on OOM). */
static char *relative_to(const char *base, const char *rel)
{
    return rel[0] == '/' ? strdup(rel) : lh_path_join(base, rel);
}

/* The config file of the repository whose work tree root is `root` (heap), or NULL. */
static char *git_config_path(const char *root)
{
    char *git = lh_path_join(root, ".git");
    struct stat st;
    if (!git || lstat(git, &st) != 0) {
        free(git);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        char *cfg = lh_path_join(git, "config");
        free(git);
        return cfg;
    }
    /* "gitdir: X" (linked worktree or submodule); X/commondir names the shared dir */
    char *txt = read_small(git);
    free(git);
    char *gd = txt && !strncmp(txt, "gitdir: ", 8) ? txt + 8 : NULL;
    char *cfg = NULL;
    if (gd) {
        gd[strcspn(gd, "\r\n")] = '\0';
        char *gitdir = relative_to(root, gd);
        char *cd = gitdir ? lh_path_join(gitdir, "commondir") : NULL;
        char *common = cd ? read_small(cd) : NULL;
        if (common) {
            common[strcspn(common, "\r\n")] = '\0';
        }
        char *shared = common && gitdir ? relative_to(gitdir, common) : NULL;
        const char *dir = shared ? shared : gitdir;
        cfg = dir ? lh_path_join(dir, "config") : NULL;
        free(shared);
        free(common);
        free(cd);
        free(gitdir);
    }
    free(txt);
    return cfg;
}

char *lh_project_repo_name(const char *root)
{
    char *path = root ? git_config_path(root) : NULL;
    char *text = path ? read_small(path) : NULL;
    char *url = text ? origin_url(text) : NULL;
    free(text);
    free(path);
    return url;
}
