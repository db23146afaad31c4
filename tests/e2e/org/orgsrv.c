/* SPDX-License-Identifier: MIT */
/* The org tests' server launcher; see orgsrv.h. */
#include "orgsrv.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char orgsrv_default_repos[] =
    "{\"github\": {\"acme\": {\"repos\": [{\"name\": \"api\"}, {\"name\": \"web\"}, "
    "{\"name\": \"tools\"}, {\"name\": \"forked\", \"fork\": true}, {\"name\": \"old\", "
    "\"archived\": true}, {\"name\": \"infra-a\"}, {\"name\": \"infra-b\"}, {\"name\": "
    "\"docs\"}]},\n"
    " \"alice\": {\"user\": true, \"token\": \"" ORGSRV_ALICE_TOKEN "\", \"repos\": "
    "[{\"name\": \"dotfiles\"}, {\"name\": \"blog\"}, {\"name\": \"notes\", \"private\": "
    "true}]}},\n"
    " \"gitlab\": {\"grp\": {\"repos\": [{\"name\": \"a\"}, {\"name\": \"sub/b\"}, {\"name\": "
    "\"sub/c\", \"fork\": true}, {\"name\": \"d\", \"archived\": true}, {\"name\": \"e\"}, "
    "{\"name\": \"f\"}, {\"name\": \"g\"}]},\n"
    " \"bob\": {\"user\": true, \"repos\": [{\"name\": \"p1\"}, {\"name\": \"p2\"}, {\"name\": "
    "\"p3\"}, {\"name\": \"p4\"}]}}}\n";

void orgsrv_start(struct orgsrv *s, const char *dir, const char *repos_json, const char *git_root)
{
    char log[600];
    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "%s", dir);
    const char *json = repos_json ? repos_json : orgsrv_default_repos;
    lh_write_file(dir, "repos.json", json, strlen(json));
    snprintf(log, sizeof(log), "%s/apiserver.out", dir);
    const char *argv[] = {"python3", LH_SOURCE_DIR "/tests/e2e/org/apiserver.py", dir, git_root,
                          NULL};
    cr_assert(lh_proc_start(&s->proc, NULL, argv, log) == 0);
    char *out = lh_proc_wait_log(&s->proc, "port ", 20000);
    cr_assert(out != NULL, "apiserver.py did not start");
    const char *p = strstr(out, "port ");
    s->port = atoi(p + 5);
    free(out);
    cr_assert(s->port > 0);
}

void orgsrv_stop(struct orgsrv *s)
{
    lh_proc_dispose(&s->proc);
}

const char *orgsrv_api(struct orgsrv *s, const char *scenario)
{
    snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d/%s", s->port, scenario);
    return s->url;
}

char *orgsrv_requests(const struct orgsrv *s)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/requests.log", s->dir);
    char *t = lh_read_file(path);
    return t ? t : strdup("");
}

int orgsrv_request_times(const struct orgsrv *s, const char *needle, double *out, int cap)
{
    char *log = orgsrv_requests(s);
    int n = 0;
    for (char *line = log; line && *line && n < cap;) {
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
        }
        const char *t = strstr(line, "\"t\": ");
        if (strstr(line, needle) && t) {
            out[n++] = strtod(t + 5, NULL);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(log);
    return n;
}

int count_lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++) {
        n += *s == '\n';
    }
    return n;
}

int has_line(const char *s, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = s; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len == n && memcmp(p, line, n) == 0) {
            return 1;
        }
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

/* A bare repository git/acme/<name>.git: `files` filler files, then <name>.env with a token. */
void orgsrv_make_repo(const char *dir, const char *name, int files, const char *token)
{
    int rc = lh_sh(dir,
                   ORGSRV_GIT_ENV "set -e; git init -q -b main w-%s; cd w-%s; "
                                  "i=0; while [ $i -lt %d ]; do echo \"%s filler $i\" > f$i.txt; "
                                  "i=$((i+1)); done; echo readme %s > README; git add -A; "
                                  "git commit -qm one; echo 'TOKEN=%s' > %s.env; git add -A; "
                                  "git commit -qm two; cd ..; mkdir -p git/acme; "
                                  "git clone -q --bare w-%s git/acme/%s.git",
                   name, name, files, name, name, token, name, name, name);
    cr_assert(eq(int, rc, 0));
}

/* Output of a python3 sqlite3 query on the database (heap). */
char *orgsrv_query(const char *dir, const char *db, const char *sql)
{
    char path[600];
    int rc = lh_sh(dir,
                   "python3 -c 'import sqlite3, sys; c = sqlite3.connect(\"%s\"); "
                   "[print(\"|\".join(str(v) for v in row)) for row in c.execute(sys.argv[1])]' "
                   "\"%s\" > query.txt",
                   db, sql);
    cr_assert(eq(int, rc, 0), "%s", sql);
    snprintf(path, sizeof(path), "%s/query.txt", dir);
    return lh_read_file(path);
}
