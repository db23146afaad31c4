/* SPDX-License-Identifier: MIT */
/* Git fixture helpers; see git.h. */
#include "support/git.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *gf_dir;
static int gf_clock;

/* Identity, no user/system config, and the cache the build uses. */
#define GF_ENV                                                                                     \
    "export GIT_AUTHOR_NAME='Ada Lovelace' GIT_AUTHOR_EMAIL=ada@example.com "                      \
    "GIT_COMMITTER_NAME='Ada Lovelace' GIT_COMMITTER_EMAIL=ada@example.com "                       \
    "GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME=\"%s\"; "

void gf_setup(void)
{
    gf_dir = lh_tmpdir();
    cr_assert(gf_dir != NULL);
    gf_clock = 0;
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
    setenv("HOME", gf_dir, 1);
    cr_assert(eq(int, lh_sh(gf_dir, "git -c init.defaultBranch=main init -q repo"), 0));
}

void gf_teardown(void)
{
    lh_rmtree(gf_dir);
    free(gf_dir);
    gf_dir = NULL;
}

const char *gf_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/%s", gf_dir, rel);
    return buf;
}

static void run_line(struct lh_run *r, const char *line)
{
    char cmd[16384];
    char env[4352];
    snprintf(env, sizeof(env), GF_ENV, gf_dir);
    snprintf(cmd, sizeof(cmd), "%scd repo && %s", env, line);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    cr_assert(eq(int, lh_run_in(r, gf_dir, NULL, 0, argv), 0));
}

void gf_sh(const char *fmt, ...)
{
    char line[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    struct lh_run r;
    run_line(&r, line);
    cr_assert(eq(int, r.status, 0), "'%s' failed: %s", line, r.err);
    lh_run_dispose(&r);
}

char *gf_out(const char *fmt, ...)
{
    char line[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    struct lh_run r;
    run_line(&r, line);
    cr_assert(eq(int, r.status, 0), "'%s' failed: %s", line, r.err);
    size_t n = strlen(r.out);
    while (n && (r.out[n - 1] == '\n' || r.out[n - 1] == ' ')) {
        r.out[--n] = '\0';
    }
    char *s = strdup(r.out);
    lh_run_dispose(&r);
    return s;
}

void gf_write(const char *rel, const char *fmt, const char *arg)
{
    char buf[8192];
    char path[1024];
    const char *p = arg ? strstr(fmt, "%s") : NULL;
    if (p) {
        snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - fmt), fmt, arg, p + 2);
    } else {
        snprintf(buf, sizeof(buf), "%s", fmt);
    }
    snprintf(path, sizeof(path), "repo/%s", rel);
    lh_write_file(gf_dir, path, buf, strlen(buf));
}

char *gf_commit(const char *msg)
{
    gf_clock++;
    gf_sh("git add -A && GIT_AUTHOR_DATE='%d +0000' GIT_COMMITTER_DATE='%d +0000' "
          "git commit -q -m '%s'",
          1700000000 + 60 * gf_clock, 1700000000 + 60 * gf_clock, msg);
    return gf_out("git rev-parse HEAD");
}

void gf_commit_q(const char *msg)
{
    free(gf_commit(msg));
}

void gf_token(char out[41], int n)
{
    char body[31];
    static const char a[] = "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0Pa";
    for (int i = 0; i < 30; i++) {
        body[i] = a[(i * 7 + n * 13 + (i * n) % 5) % 32];
    }
    body[30] = '\0';
    body[0] = (char)('A' + n % 26);
    body[1] = (char)('a' + (n / 26) % 26);
    lh_make_github_token(out, "ghp_", body);
}

struct lh_run gf_lh(json_t **out, const char *arg0, ...)
{
    struct lh_run r;
    char repo[4096];
    snprintf(repo, sizeof(repo), "%s/repo", gf_dir);
    va_list ap;
    va_start(ap, arg0);
    int rc = lh_run_lhv(&r, repo, NULL, arg0, ap);
    va_end(ap);
    cr_assert(eq(int, rc, 0));
    if (out) {
        json_error_t je;
        *out = json_loads(r.out, 0, &je);
        if (*out && !json_is_array(*out)) {
            json_decref(*out);
            *out = NULL;
        }
    }
    return r;
}

size_t gf_find(json_t *arr, const char *key, const char *value, json_t **first)
{
    size_t n = 0;
    if (first) {
        *first = NULL;
    }
    for (size_t i = 0; arr && i < json_array_size(arr); i++) {
        json_t *f = json_array_get(arr, i);
        const char *v = json_string_value(json_object_get(f, key));
        if (v && !strcmp(v, value)) {
            if (first && !*first) {
                *first = f;
            }
            n++;
        }
    }
    return n;
}

const char *gf_str(json_t *f, const char *key)
{
    const char *v = f ? json_string_value(json_object_get(f, key)) : NULL;
    return v ? v : "";
}

int gf_has_ref(json_t *f, const char *ref)
{
    json_t *refs = f ? json_object_get(f, "refs") : NULL;
    for (size_t i = 0; refs && i < json_array_size(refs); i++) {
        const char *v = json_string_value(json_array_get(refs, i));
        if (v && !strcmp(v, ref)) {
            return 1;
        }
    }
    return 0;
}
