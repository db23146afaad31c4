/* SPDX-License-Identifier: MIT */
/*
 * The org tests' servers: apiserver.py (next to this file) started on 127.0.0.1 with an
 * ephemeral port, serving GitHub- and GitLab-shaped API pages from <dir>/repos.json and, when
 * a git root is given, the repositories under it over git smart HTTP (git http-backend).
 * Every request is logged to <dir>/requests.log (path, Authorization header, time).
 */
#ifndef LH_TEST_ORGSRV_H
#define LH_TEST_ORGSRV_H

#include "support/support.h"

#include <stdbool.h>
#include <string.h>

/* For cr_assert, which takes no '!' or pointer as its first token. */
static inline bool has(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}
static inline bool lacks(const char *hay, const char *needle)
{
    return !has(hay, needle);
}

struct orgsrv {
    struct lh_proc proc;
    int port;
    char dir[512];
    char url[600]; /* scratch for orgsrv_api */
};

/* The default listing: GitHub org acme (8: a fork, an archived one), user alice (2); GitLab
 * group grp (7, subgroup sub, a fork, an archived one), user bob (4, X-Next-Page only). */
extern const char orgsrv_default_repos[];
/* The GitHub token apiserver.py takes for the user alice (GET /user, /user/repos). */
#define ORGSRV_ALICE_TOKEN "ghp_aliceOwnToken0000000000000000000000"

/* Writes repos_json (NULL: the default) to dir/repos.json and starts the server; asserts. */
void orgsrv_start(struct orgsrv *s, const char *dir, const char *repos_json, const char *git_root);
void orgsrv_stop(struct orgsrv *s);

/* "http://127.0.0.1:PORT/<scenario>" (borrowed scratch, valid until the next call). */
const char *orgsrv_api(struct orgsrv *s, const char *scenario);

/* The request log (heap, "" when empty). */
char *orgsrv_requests(const struct orgsrv *s);

/* Times (seconds, from the log) of the requests whose path contains needle, in order;
 * returns how many (at most cap). */
int orgsrv_request_times(const struct orgsrv *s, const char *needle, double *out, int cap);

/* Lines of s (stdout of --list): count, and whether `line` is one of them exactly. */
int count_lines(const char *s);
int has_line(const char *s, const char *line);

/* The git identity and a private HOME for fixture commands run with lh_sh. */
#define ORGSRV_GIT_ENV                                                                             \
    "export GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=T "                \
    "GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME=\"$PWD\"; "

/* A bare repository <dir>/git/acme/<name>.git: `files` filler files and a README (all
 * unique to the repository), then a second commit adding <name>.env with `token`. */
void orgsrv_make_repo(const char *dir, const char *name, int files, const char *token);

/* The rows of a python3 sqlite3 query on <dir>/<db>, "a|b" per line (heap). The SQL must not
 * contain quotes. */
char *orgsrv_query(const char *dir, const char *db, const char *sql);

#endif
