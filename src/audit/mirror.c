/* SPDX-License-Identifier: MIT */
/*
 * Mirrors of remote repositories; see mirror.h. URL forms: scheme://[user[:password]@]host
 * [:port]/path (https, http, ssh, git, file) and scp-like [user@]host:path. A mirror's
 * directory is made from the host and path with every component checked ("." and ".." are
 * refused, empty ones dropped, a leading '.' becomes '_'), so no URL can place it outside
 * the cache or hide it.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "audit/mirror.h"

#include "audit/cred.h"
#include "source/git.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void lh_mirror_redact_text(char *text)
{
    char *p = text;
    while ((p = strstr(p, "://")) != NULL) {
        char *auth = p + 3;
        size_t n = strcspn(auth, "/?#@ \t\n'\"");
        if (auth[n] == '@' && !(n == 3 && !strncmp(auth, "***", 3))) {
            memmove(auth + 3, auth + n, strlen(auth + n) + 1);
            memcpy(auth, "***", 3);
        }
        p = auth;
    }
}

void lh_audit_redact_url(char *out, size_t cap, const char *url)
{
    if (cap == 0) {
        return;
    }
    snprintf(out, cap, "%s", url);
    lh_mirror_redact_text(out);
    /* scp-like user@host:path carries no password: shown as it is */
}

bool lh_audit_is_remote(const char *arg)
{
    const char *sep = strstr(arg, "://");
    if (sep && sep > arg) {
        for (const char *p = arg; p < sep; p++) {
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '+')) {
                return false;
            }
        }
        return true;
    }
    /* scp-like: user@host:path (a local path with ':' before any '/' and an '@' is rare) */
    const char *at = strchr(arg, '@');
    const char *colon = strchr(arg, ':');
    const char *slash = strchr(arg, '/');
    return at && colon && at < colon && (!slash || colon < slash) && colon[1];
}

void lh_mirror_url_dispose(struct lh_mirror_url *u)
{
    free(u->scheme);
    free(u->user);
    if (u->password) {
        OPENSSL_cleanse(u->password, strlen(u->password));
        free(u->password);
    }
    free(u->host);
    free(u->path);
    free(u->clean);
    free(u->shown);
    memset(u, 0, sizeof(*u));
}

static int bad_url(struct lh_mirror_url *u, const char *url, const char *why)
{
    char shown[512];
    lh_audit_redact_url(shown, sizeof(shown), url);
    lh_error_set("not a usable repository URL '%s': %s", shown, why);
    lh_mirror_url_dispose(u);
    return LH_EUSAGE;
}

int lh_mirror_url_parse(struct lh_mirror_url *u, const char *url)
{
    memset(u, 0, sizeof(*u));
    const char *sep = strstr(url, "://");
    const char *rest;
    if (sep) {
        u->scheme = strndup(url, (size_t)(sep - url));
        rest = sep + 3;
    } else {
        u->scheme = strdup("ssh");
        rest = url;
    }
    if (!u->scheme) {
        lh_mirror_url_dispose(u);
        return lh_error_oom();
    }
    for (char *p = u->scheme; *p; p++) {
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    }
    const char *schemes[] = {"https", "http", "ssh", "git", "file", "git+ssh", "ssh+git"};
    bool known = false;
    for (size_t i = 0; i < sizeof(schemes) / sizeof(*schemes); i++) {
        known = known || !strcmp(u->scheme, schemes[i]);
    }
    if (!known) {
        return bad_url(u, url, "unsupported scheme (https, http, ssh, git, file)");
    }
    size_t alen = sep ? strcspn(rest, "/") : strcspn(rest, ":");
    const char *at = memchr(rest, '@', alen);
    /* the last '@' of the authority: a password may hold '@' only percent-encoded */
    for (const char *p = at; p && p < rest + alen;
         p = memchr(p + 1, '@', (size_t)(rest + alen - p - 1))) {
        at = p;
    }
    const char *hoststart = rest;
    if (at) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        u->user = strndup(rest, (size_t)((colon ? colon : at) - rest));
        if (colon) {
            u->password = strndup(colon + 1, (size_t)(at - colon - 1));
        }
        hoststart = at + 1;
    }
    u->host = strndup(hoststart, (size_t)(rest + alen - hoststart));
    const char *path = rest + alen;
    if (*path == '/' || *path == ':') {
        path++;
    }
    while (*path == '/') {
        path++;
    }
    u->path = strdup(path);
    if (!u->host || !u->path || (at && !u->user)) {
        lh_mirror_url_dispose(u);
        return lh_error_oom();
    }
    if (strcmp(u->scheme, "file") != 0 && !u->host[0]) {
        return bad_url(u, url, "no host");
    }
    if (!strcmp(u->scheme, "file") && u->host[0] && strcmp(u->host, "localhost") != 0) {
        return bad_url(u, url, "file:// URLs name a local path (file:///path)");
    }
    if (!u->path[0]) {
        return bad_url(u, url, "no repository path");
    }
    for (const char *p = u->path; *p; p++) {
        if ((unsigned char)*p < 0x20) {
            return bad_url(u, url, "control character in the path");
        }
    }
    /* the clean URL: no password ever, and for http(s) no user either (a pasted token) */
    bool web = !strcmp(u->scheme, "https") || !strcmp(u->scheme, "http");
    const char *user = u->user && !web ? u->user : NULL;
    struct lh_buf b;
    lh_buf_init(&b, 0);
    int rc = 0;
    if (sep) {
        rc = lh_buf_printf(&b, "%s://%s%s%s/%s", u->scheme, user ? user : "", user ? "@" : "",
                           u->host, u->path);
    } else {
        rc = lh_buf_printf(&b, "%s%s%s:%s", user ? user : "", user ? "@" : "", u->host, u->path);
    }
    u->clean = rc == 0 ? lh_buf_take(&b) : NULL;
    lh_buf_dispose(&b);
    u->shown = u->clean ? strdup(u->clean) : NULL;
    if (!u->clean || !u->shown) {
        lh_mirror_url_dispose(u);
        return lh_error_oom();
    }
    return 0;
}

char *lh_mirror_url_name(const struct lh_mirror_url *u)
{
    const char *p = u->path;
    if (!strcmp(u->scheme, "file")) {
        const char *slash = strrchr(p, '/');
        while (slash && !slash[1] && slash > p) {
            /* trailing slash: the component before it */
            const char *q = slash - 1;
            while (q > p && *q != '/') {
                q--;
            }
            p = *q == '/' ? q + 1 : q;
            slash = NULL;
        }
        if (slash) {
            p = slash + 1;
        }
    }
    size_t n = strlen(p);
    while (n && p[n - 1] == '/') {
        n--;
    }
    if (n > 4 && !strncmp(p + n - 4, ".git", 4)) {
        n -= 4;
    }
    return strndup(p, n);
}

int lh_audit_remote_name(char **out, const char *url)
{
    struct lh_mirror_url u;
    *out = NULL;
    int rc = lh_mirror_url_parse(&u, url);
    if (rc < 0) {
        return rc;
    }
    *out = lh_mirror_url_name(&u);
    lh_mirror_url_dispose(&u);
    return *out ? 0 : lh_error_oom();
}

/* <cache>/<host>/<path>.git with every component checked. */
static int mirror_dir(char **out, const struct lh_mirror_url *u, const char *cache)
{
    struct lh_buf b;
    lh_buf_init(&b, 0);
    const char *host = u->host[0] ? u->host : "file";
    int rc = lh_buf_printf(&b, "%s/", cache);
    for (const char *h = host; rc == 0 && *h; h++) {
        rc = lh_buf_putc(&b, *h == ':' || *h == '/' ? '_' : *h);
    }
    const char *p = u->path;
    while (rc == 0 && *p) {
        size_t n = strcspn(p, "/");
        if (n == 0) {
            p++;
            continue;
        }
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
            lh_buf_dispose(&b);
            lh_error_set("refusing the repository path of '%s': it has a '.' or '..' component",
                         u->shown);
            return LH_EUSAGE;
        }
        rc = lh_buf_putc(&b, '/');
        /* a hidden component stays visible in the cache ("_mirror" for ".mirror") */
        rc = rc ? rc : lh_buf_putc(&b, p[0] == '.' ? '_' : p[0]);
        rc = rc || n == 1 ? rc : lh_buf_put(&b, p + 1, n - 1);
        p += n;
    }
    if (rc == 0 && !(b.len > 4 && !memcmp(b.ptr + b.len - 4, ".git", 4))) {
        rc = lh_buf_puts(&b, ".git");
    }
    if (rc < 0) {
        lh_buf_dispose(&b);
        return rc;
    }
    *out = lh_buf_take(&b);
    lh_buf_dispose(&b);
    return *out ? 0 : lh_error_oom();
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The failed fetch as one line: authentication, not found, or the network's reason. */
static int fetch_error(const struct lh_mirror_url *u, const struct lh_cred_ctx *c, int grc)
{
    const git_error *e = git_error_last();
    char msg[768];
    snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "unknown error");
    lh_mirror_redact_text(msg);
    for (char *p = msg; *p; p++) {
        *p = *p == '\n' || *p == '\r' ? ' ' : *p;
    }
    if (grc == GIT_EAUTH || c->attempts > 1 || strstr(msg, "401") || strstr(msg, "403") ||
        strstr(msg, "authentication")) {
        if (c->offered) {
            lh_error_set("authentication failed for '%s': the credential from %s was refused",
                         u->shown, c->source);
        } else {
            lh_error_set("authentication required for '%s': set GITHUB_TOKEN, GITLAB_TOKEN or "
                         "LEAKHOUND_GIT_TOKEN, or configure a git credential helper",
                         u->shown);
        }
        return LH_ENET;
    }
    if (strstr(msg, "404") || strstr(msg, "not found") || strstr(msg, "could not find") ||
        strstr(msg, "not appear to be a git repository") || strstr(msg, "failed to resolve path")) {
        lh_error_set("repository not found: '%s' (%s)", u->shown, msg);
        return LH_EUSAGE;
    }
    lh_error_set("cannot fetch '%s': %s", u->shown, msg);
    return LH_ENET;
}

/*
 * The mirror's remote in memory, not looked up from its config: libgit2 1.5 leaks a PCRE2
 * match block per config entry its regex lookups do not match (git_regexp_search returns
 * before freeing it), and the insteadOf rewriting is the user's business, not an audit's.
 */
static int do_fetch(git_repository *repo, const struct lh_mirror_url *u,
                    const struct lh_mirror_opts *o)
{
    git_remote *remote = NULL;
    git_remote_create_options co;
    git_remote_create_options_init(&co, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    co.repository = repo;
    co.fetchspec = "+refs/*:refs/*";
    co.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
    if (git_remote_create_with_opts(&remote, u->clean, &co) < 0) {
        return lh_git_fail("cannot fetch '%s'", u->shown);
    }
    struct lh_cred_ctx c = {.u = u, .o = o};
    git_fetch_options fo;
    git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
    fo.prune = GIT_FETCH_PRUNE;
    fo.update_fetchhead = 0;
    fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE; /* the refspec takes refs/tags/ too */
    fo.proxy_opts.type = GIT_PROXY_AUTO;
    fo.callbacks.credentials = lh_cred_acquire;
    fo.callbacks.payload = &c;
    int grc = git_remote_fetch(remote, NULL, &fo, NULL);
    int rc = grc < 0 ? fetch_error(u, &c, grc) : 0;
    git_remote_free(remote);
    return rc;
}

/*
 * A new bare repository under a temporary name, renamed into place. Its config names the
 * remote as `git clone --mirror` would (so git itself can fetch it too), without credentials.
 */
static int create_mirror(const char *dir, const struct lh_mirror_url *u)
{
    char *tmp = NULL;
    struct lh_buf b;
    lh_buf_init(&b, 0);
    int rc = lh_buf_printf(&b, "%s.tmp-%ld", dir, (long)getpid());
    if (rc < 0) {
        lh_buf_dispose(&b);
        return rc;
    }
    tmp = lh_buf_take(&b);
    lh_buf_dispose(&b);
    git_repository *repo = NULL;
    git_config *cfg = NULL;
    if (git_repository_init(&repo, tmp, 1) < 0) {
        rc = lh_git_fail("cannot create the mirror '%s'", tmp);
    } else if (git_repository_config(&cfg, repo) < 0 ||
               git_config_set_string(cfg, "remote.origin.url", u->clean) < 0 ||
               git_config_set_string(cfg, "remote.origin.fetch", "+refs/*:refs/*") < 0 ||
               git_config_set_bool(cfg, "remote.origin.mirror", 1) < 0) {
        rc = lh_git_fail("cannot configure the mirror '%s'", tmp);
    }
    git_config_free(cfg);
    git_repository_free(repo);
    if (rc == 0 && rename(tmp, dir) < 0) {
        lh_error_set("cannot move the mirror into '%s': %s", dir, strerror(errno));
        rc = LH_EIO;
    }
    free(tmp);
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 ? -1 : 0;
}

static int lock_mirror(int *fd, const char *dir)
{
    struct lh_buf b;
    lh_buf_init(&b, 0);
    int rc = lh_buf_printf(&b, "%s.lock", dir);
    char *lock = rc == 0 ? lh_buf_take(&b) : NULL;
    lh_buf_dispose(&b);
    if (!lock) {
        return rc ? rc : lh_error_oom();
    }
    *fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (*fd < 0 || flock(*fd, LOCK_EX) < 0) {
        lh_error_set("cannot lock the mirror '%s': %s", lock, strerror(errno));
        rc = LH_EIO;
    }
    free(lock);
    return rc;
}

int lh_mirror_update(char **path, const struct lh_mirror_url *u, const struct lh_mirror_opts *o,
                     bool *cloned, bool *fetched)
{
    *path = NULL;
    *cloned = *fetched = false;
    char *dir = NULL;
    int rc = mirror_dir(&dir, u, o->cache_dir);
    if (rc < 0) {
        return rc;
    }
    char *parent = strdup(dir);
    if (!parent) {
        free(dir);
        return lh_error_oom();
    }
    *strrchr(parent, '/') = 0;
    rc = lh_fs_mkdirs(parent);
    free(parent);
    int fd = -1;
    rc = rc ? rc : lock_mirror(&fd, dir);
    bool exists = rc == 0 && is_dir(dir);
    if (rc == 0 && !exists && o->offline) {
        lh_error_set("no mirror of '%s' in the cache (offline)", u->shown);
        rc = LH_EUSAGE;
    }
    if (rc == 0 && !exists) {
        rc = create_mirror(dir, u);
        *cloned = rc == 0;
    }
    if (rc == 0 && !o->offline) {
        git_repository *repo = NULL;
        if (git_repository_open_bare(&repo, dir) < 0) {
            rc = lh_git_fail("cannot open the mirror '%s'", dir);
        } else {
            rc = do_fetch(repo, u, o);
        }
        git_repository_free(repo);
        *fetched = rc == 0 && !*cloned;
        if (rc < 0 && *cloned) {
            /* nothing was fetched into the new mirror: leave no empty one behind */
            (void)nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
            *cloned = false;
        }
    }
    if (fd >= 0) {
        close(fd); /* releases the lock */
    }
    if (rc < 0) {
        free(dir);
        return rc;
    }
    *path = dir;
    return 0;
}
