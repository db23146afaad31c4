/* SPDX-License-Identifier: MIT */
/*
 * Remote repositories as bare mirrors in the cache: URL parsing and redaction, the mirror's
 * place (<cache>/<host>/<path>.git), clone (a bare repository with the mirror refspec
 * +refs/(all):refs/(all), made under a temporary name and renamed into place) and incremental fetch
 * with deleted refs pruned, one process or thread at a time per mirror (a lock file beside
 * it). Credentials (audit/cred.h) reach libgit2 through its credential callback only: the
 * mirror's config holds the URL without any user information, nothing is logged, and every
 * message shows URLs through lh_audit_redact_url. Internal to src/audit.
 */
#ifndef LH_AUDIT_MIRROR_H
#define LH_AUDIT_MIRROR_H

#include "audit/audit.h"

#include <stdbool.h>

/* A parsed remote URL; every string is owned (password wiped on dispose). */
struct lh_mirror_url {
    char *scheme;   /* "https", "http", "ssh", "git", "file" ("ssh" for scp-like) */
    char *user;     /* from the URL, or NULL */
    char *password; /* from the URL, or NULL: never stored, never shown */
    char *host;     /* "github.com", "127.0.0.1:8080"; "" for file:// */
    char *path;     /* without the leading '/': "acme/api.git" */
    char *clean;    /* the URL without user information: what the mirror's config holds */
    char *shown;    /* the URL for messages (user information as "***@") */
};

/* Parses url; LH_EUSAGE (message names the redacted URL) for what is not a usable URL. */
int lh_mirror_url_parse(struct lh_mirror_url *out, const char *url) LH_WUR;
void lh_mirror_url_dispose(struct lh_mirror_url *u);

/* The repository's default name: the URL's path without ".git" ("acme/api"); heap. */
char *lh_mirror_url_name(const struct lh_mirror_url *u);

struct lh_mirror_opts {
    const char *cache_dir; /* required: mirrors go below it */
    enum lh_audit_creds creds;
    const char *token; /* see lh_audit_opts */
    const char *token_user;
    bool offline;
};

/*
 * Makes or updates the mirror of u and sets *path (heap) to its directory. *cloned / *fetched
 * say which. Returns 0, LH_EUSAGE (the remote has no such repository; offline without a
 * mirror), LH_ENET (network, TLS or authentication failure: the message says which, with
 * the URL redacted), LH_EIO (the cache), LH_EGIT, LH_ENOMEM. Thread-safe; libgit2 must be
 * initialised (lh_git_global_init).
 */
int lh_mirror_update(char **path, const struct lh_mirror_url *u, const struct lh_mirror_opts *o,
                     bool *cloned, bool *fetched) LH_WUR;

/* Rewrites text in place: user information of any URL in it becomes "***@". */
void lh_mirror_redact_text(char *text);

#endif
