/* SPDX-License-Identifier: MIT */
/*
 * Credential sources for remote fetches; see cred.h. `git credential fill` runs with
 * GIT_TERMINAL_PROMPT=0 and no terminal on its stdin, so a helper that would prompt fails
 * instead of hanging the audit; its answer is read through a pipe with a time limit.
 */
#include "audit/cred.h"

#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define HELPER_TIMEOUT_MS 30000
#define HELPER_MAX_OUTPUT 16384

/* host without its port, compared case-insensitively against a comma-separated list */
static bool in_list(const char *host, const char *list)
{
    if (!list || !*list) {
        return false;
    }
    size_t hl = strlen(host);
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *s = p;
        size_t sn = n;
        while (sn && (*s == ' ')) {
            s++;
            sn--;
        }
        while (sn && s[sn - 1] == ' ') {
            sn--;
        }
        if (sn && sn == hl && !strncasecmp(s, host, hl)) {
            return true;
        }
        /* an entry without a port matches the host on any port */
        const char *colon = memchr(host, ':', hl);
        if (colon && sn == (size_t)(colon - host) && !strncasecmp(s, host, sn)) {
            return true;
        }
        p += n;
        if (*p == ',') {
            p++;
        }
    }
    return false;
}

static bool host_is(const char *host, const char *domain)
{
    size_t hl = strcspn(host, ":");
    size_t dl = strlen(domain);
    if (hl == dl && !strncasecmp(host, domain, dl)) {
        return true;
    }
    return hl > dl + 1 && host[hl - dl - 1] == '.' && !strncasecmp(host + hl - dl, domain, dl);
}

bool lh_cred_is_github(const char *host)
{
    return host_is(host, "github.com") || host_is(host, "ghe.com") ||
           in_list(host, getenv("LEAKHOUND_GITHUB_HOSTS"));
}

bool lh_cred_is_gitlab(const char *host)
{
    return host_is(host, "gitlab.com") || !strncasecmp(host, "gitlab.", 7) ||
           in_list(host, getenv("LEAKHOUND_GITLAB_HOSTS"));
}

static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static void wipe_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

/* Reads the helper's answer with a deadline; 0 or -1. */
static int read_answer(int fd, char *buf, size_t cap, size_t *len)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *len = 0;
    for (;;) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long spent = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (spent >= HELPER_TIMEOUT_MS) {
            return -1;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = poll(&p, 1, (int)(HELPER_TIMEOUT_MS - spent));
        if (pr < 0 && errno == EINTR) {
            continue;
        }
        if (pr <= 0) {
            return -1;
        }
        if (*len + 1 >= cap) {
            return -1;
        }
        ssize_t r = read(fd, buf + *len, cap - 1 - *len);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return -1;
        }
        if (r == 0) {
            buf[*len] = 0;
            return 0;
        }
        *len += (size_t)r;
    }
}

static char *answer_field(const char *answer, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = answer; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            const char *v = p + kl + 1;
            return strndup(v, strcspn(v, "\n"));
        }
    }
    return NULL;
}

/*
 * `git credential fill` for the URL's protocol, host and path. Sets *user and *pass (heap)
 * when the helpers know them; returns 0 either way unless out of memory.
 */
static int helper_fill(const struct lh_mirror_url *u, char **user, char **pass)
{
    *user = NULL;
    *pass = NULL;
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    if (pipe(in) < 0 || pipe(out) < 0) {
        goto fail;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(in[i], F_SETFD, FD_CLOEXEC);
        fcntl(out[i], F_SETFD, FD_CLOEXEC);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    /* the environment, with prompts off */
    size_t n = 0;
    while (environ[n]) {
        n++;
    }
    char **env = calloc(n + 2, sizeof(*env));
    pid_t pid = -1;
    int spawned = -1;
    if (env) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (strncmp(environ[i], "GIT_TERMINAL_PROMPT=", 20) != 0) {
                env[k++] = environ[i];
            }
        }
        env[k++] = "GIT_TERMINAL_PROMPT=0";
        char *argv[] = {"git", "credential", "fill", NULL};
        spawned = posix_spawnp(&pid, "git", &fa, NULL, argv, env);
    }
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    close(in[0]);
    close(out[1]);
    in[0] = out[1] = -1;
    if (spawned != 0) {
        goto fail;
    }
    char req[2048];
    int rn =
        snprintf(req, sizeof(req), "protocol=%s\nhost=%s\npath=%s\n%s%s%s\n", u->scheme, u->host,
                 u->path, u->user ? "username=" : "", u->user ? u->user : "", u->user ? "\n" : "");
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    int wrc = rn > 0 && (size_t)rn < sizeof(req) ? lh_fs_write_all(in[1], req, (size_t)rn) : -1;
    signal(SIGPIPE, old);
    close(in[1]);
    in[1] = -1;
    char *buf = malloc(HELPER_MAX_OUTPUT);
    size_t len = 0;
    int rrc = buf && wrc == 0 ? read_answer(out[0], buf, HELPER_MAX_OUTPUT, &len) : -1;
    close(out[0]);
    out[0] = -1;
    if (rrc < 0) {
        kill(pid, SIGKILL);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (rrc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        *user = answer_field(buf, "username");
        *pass = answer_field(buf, "password");
    }
    if (buf) {
        OPENSSL_cleanse(buf, HELPER_MAX_OUTPUT);
        free(buf);
    }
    if (!*user || !*pass) {
        wipe_free(*user);
        wipe_free(*pass);
        *user = *pass = NULL;
    }
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0) {
            close(in[i]);
        }
        if (out[i] >= 0) {
            close(out[i]);
        }
    }
    return 0;
}

static const char *token_user(const struct lh_cred_ctx *c)
{
    if (c->o->token_user) {
        return c->o->token_user;
    }
    if (c->u->user) {
        return c->u->user;
    }
    return lh_cred_is_gitlab(c->u->host) ? "oauth2" : "x-access-token";
}

/* The environment's token for the host, and its variable's name. */
static const char *env_token(const char *host, const char **name)
{
    const char *v = NULL;
    if (lh_cred_is_github(host) && (v = env_nonempty("GITHUB_TOKEN")) != NULL) {
        *name = "GITHUB_TOKEN";
        return v;
    }
    if (lh_cred_is_gitlab(host) && (v = env_nonempty("GITLAB_TOKEN")) != NULL) {
        *name = "GITLAB_TOKEN";
        return v;
    }
    if ((v = env_nonempty("LEAKHOUND_GIT_TOKEN")) != NULL) {
        *name = "LEAKHOUND_GIT_TOKEN";
        return v;
    }
    return NULL;
}

static int userpass(git_credential **out, struct lh_cred_ctx *c)
{
    const struct lh_mirror_url *u = c->u;
    if (u->password) {
        snprintf(c->source, sizeof(c->source), "the URL");
        return git_credential_userpass_plaintext_new(out, u->user ? u->user : "", u->password);
    }
    if (c->o->creds == LH_AUDIT_CREDS_NONE) {
        return 1;
    }
    if (c->o->token) {
        snprintf(c->source, sizeof(c->source), "the audit's token");
        return git_credential_userpass_plaintext_new(out, token_user(c), c->o->token);
    }
    const char *name = NULL;
    const char *tok = env_token(u->host, &name);
    if (tok) {
        snprintf(c->source, sizeof(c->source), "%s", name);
        return git_credential_userpass_plaintext_new(out, token_user(c), tok);
    }
    if (c->o->creds == LH_AUDIT_CREDS_ENV_ONLY) {
        return 1;
    }
    char *user = NULL;
    char *pass = NULL;
    int rc = helper_fill(u, &user, &pass);
    if (rc == 0 && user && pass) {
        snprintf(c->source, sizeof(c->source), "git credential fill");
        rc = git_credential_userpass_plaintext_new(out, user, pass);
    } else if (rc == 0) {
        rc = 1;
    }
    wipe_free(user);
    wipe_free(pass);
    return rc;
}

int lh_cred_acquire(git_credential **out, const char *url, const char *user_from_url,
                    unsigned int allowed_types, void *payload)
{
    struct lh_cred_ctx *c = payload;
    (void)url;
    if (c->attempts++ > 0) {
        return GIT_EAUTH; /* the one credential offered was refused */
    }
    int rc = 1;
    if (allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
        rc = userpass(out, c);
    } else if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) && c->o->creds != LH_AUDIT_CREDS_NONE) {
        snprintf(c->source, sizeof(c->source), "the ssh agent");
        rc = git_credential_ssh_key_from_agent(out, user_from_url ? user_from_url : "git");
    }
    if (rc == 1) {
        c->none = true;
        return GIT_EAUTH;
    }
    if (rc == 0) {
        c->offered = true;
    }
    return rc;
}
