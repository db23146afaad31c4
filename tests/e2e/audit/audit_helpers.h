/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the audit tests: a git smart-HTTP server on 127.0.0.1 (git_http.py: `git
 * http-backend` behind a CGI handler, optionally requiring HTTP Basic auth), bare
 * repositories with planted secrets pushed to it, and direct reads of a scan database.
 */
#ifndef LH_TEST_AUDIT_HELPERS_H
#define LH_TEST_AUDIT_HELPERS_H

#include "support/support.h"

#include <stddef.h>

struct git_server {
    struct lh_proc proc;
    int port;
    char root[512];    /* GIT_PROJECT_ROOT: <dir>/srv */
    char authlog[512]; /* every Authorization header received */
};

/* Starts the server for dir/srv (credential "user:password" or NULL); asserts it listens. */
void git_server_start(struct git_server *s, const char *dir, const char *credential);
void git_server_stop(struct git_server *s);
/* "http://127.0.0.1:PORT/<path>" into out. */
void git_server_url(char *out, size_t cap, const struct git_server *s, const char *path);

/*
 * Makes the bare repository srv/<name>.git from a work tree dir/work-<name> with one commit
 * per file given ("path=content" strings, NULL-terminated), each content a planted secret
 * or filler. Returns nothing; asserts.
 */
void repo_create(const char *dir, const char *name, const char *const *files);
/* One more commit of path=content in dir/work-<name>, pushed to the bare repository. */
void repo_commit(const char *dir, const char *name, const char *path, const char *content);

/* An integer from the scan database (the first column of the first row of sql). */
long long db_count(const char *db, const char *sql);

/* The number after `word` in text ("in 3 blobs" -> 3 for word "in "), or -1. */
long long number_before(const char *text, const char *suffix);

#endif
