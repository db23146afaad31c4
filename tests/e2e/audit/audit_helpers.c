/* SPDX-License-Identifier: MIT */
/* Helpers of the audit tests; see audit_helpers.h. */
#include "audit_helpers.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void git_server_start(struct git_server *s, const char *dir, const char *credential)
{
    char log[512];
    char portfile[512];
    char script[512];
    memset(s, 0, sizeof(*s));
    snprintf(s->root, sizeof(s->root), "%s/srv", dir);
    snprintf(s->authlog, sizeof(s->authlog), "%s/auth.log", dir);
    snprintf(log, sizeof(log), "%s/server.log", dir);
    snprintf(portfile, sizeof(portfile), "%s/port", dir);
    snprintf(script, sizeof(script), "%s/tests/e2e/audit/git_http.py", LH_SOURCE_DIR);
    cr_assert(lh_sh(dir, "mkdir -p srv") == 0);
    const char *argv[] = {"python3", script, s->root, portfile, s->authlog, credential, NULL};
    cr_assert(lh_proc_start(&s->proc, dir, argv, log) == 0);
    char *out = lh_proc_wait_log(&s->proc, "listening", 20000);
    cr_assert(out != NULL, "the git server did not start");
    free(out);
    char *port = lh_read_file(portfile);
    cr_assert(port != NULL);
    s->port = atoi(port);
    free(port);
    cr_assert(s->port > 0);
}

void git_server_stop(struct git_server *s)
{
    lh_proc_dispose(&s->proc);
}

void git_server_url(char *out, size_t cap, const struct git_server *s, const char *path)
{
    snprintf(out, cap, "http://127.0.0.1:%d/%s", s->port, path);
}

#define GIT "git -c user.name=Dev -c user.email=dev@example.com -c init.defaultBranch=main "

void repo_create(const char *dir, const char *name, const char *const *files)
{
    char work[512];
    snprintf(work, sizeof(work), "work-%s", name);
    cr_assert(lh_sh(dir, "mkdir -p '%s' && cd '%s' && " GIT "init -q .", work, work) == 0);
    for (size_t i = 0; files[i]; i++) {
        const char *eq = strchr(files[i], '=');
        cr_assert(eq != NULL);
        char path[1024];
        snprintf(path, sizeof(path), "%s/%.*s", work, (int)(eq - files[i]), files[i]);
        lh_write_file(dir, path, eq + 1, strlen(eq + 1));
        cr_assert(lh_sh(dir, "cd '%s' && " GIT "add -A && " GIT "commit -qm 'add %.*s'", work,
                        (int)(eq - files[i]), files[i]) == 0);
    }
    cr_assert(lh_sh(dir,
                    "mkdir -p \"$(dirname 'srv/%s.git')\" && " GIT
                    "clone -q --bare '%s' 'srv/%s.git'",
                    name, work, name) == 0);
    cr_assert(lh_sh(dir, "cd '%s' && " GIT "remote add origin '%s/srv/%s.git'", work, dir, name) ==
              0);
}

void repo_commit(const char *dir, const char *name, const char *path, const char *content)
{
    char rel[512];
    snprintf(rel, sizeof(rel), "work-%s/%s", name, path);
    lh_write_file(dir, rel, content, strlen(content));
    cr_assert(lh_sh(dir,
                    "cd 'work-%s' && " GIT "add -A && " GIT "commit -qm 'change %s' && " GIT
                    "push -q origin HEAD:main",
                    name, path) == 0);
}

long long db_count(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    long long n = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(h, 10000);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            n = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return n;
}

long long number_before(const char *text, const char *suffix)
{
    const char *p = text ? strstr(text, suffix) : NULL;
    if (!p) {
        return -1;
    }
    const char *q = p;
    while (q > text && q[-1] == ' ') {
        q--;
    }
    const char *e = q;
    while (q > text && q[-1] >= '0' && q[-1] <= '9') {
        q--;
    }
    return q < e ? strtoll(q, NULL, 10) : -1;
}
