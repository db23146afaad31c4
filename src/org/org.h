/* SPDX-License-Identifier: MIT */
/*
 * Organisation enumeration: the repositories of a GitHub organisation or user, or of a
 * GitLab group (subgroups included) or user, listed through the providers' REST APIs
 * (GitHub.com or Enterprise, GitLab.com or self-hosted), then filtered (forks, archived,
 * name globs) and sharded. HTTP goes through the lazily loaded libcurl (http/libcurl.h),
 * JSON through jansson. Every page is bounded (LH_ORG_MAX_PAGE bytes, a JSON content type,
 * an array of objects), so is the whole list (LH_ORG_MAX_REPOS) and the number of pages;
 * rate limits are waited out up to a caller-given bound, server errors retried with
 * backoff. The token is only ever an Authorization header: it never appears in an error,
 * a note or the list. This module scans nothing; the org command hands each repository to
 * the audit.
 */
#ifndef LH_ORG_ORG_H
#define LH_ORG_ORG_H

#include "rules/rule.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LH_ORG_MAX_PAGE (8u * 1024 * 1024) /* bytes of one API page */
#define LH_ORG_MAX_REPOS 1000000u          /* repositories of one enumeration */
#define LH_ORG_MAX_PAGES 20000u            /* pages of one listing */
#define LH_ORG_MAX_NAME 1024u              /* bytes of a full name */
#define LH_ORG_MAX_URL 4096u               /* bytes of a clone or next-page URL */

enum lh_org_provider {
    LH_ORG_GITHUB = 0,
    LH_ORG_GITLAB,
};

/* One repository as the API lists it. */
struct lh_org_repo {
    char *name;           /* full name: "acme/api", "group/sub/project" (owned) */
    char *clone_url;      /* HTTPS clone URL, no credentials (owned) */
    char *default_branch; /* or NULL (owned) */
    bool fork;
    bool archived;
};

struct lh_org_list {
    struct lh_org_repo *items; /* sorted by name, unique */
    size_t count;
    size_t alloc;
    /* what the filters took out (lh_org_select) */
    size_t skipped_forks, skipped_archived, skipped_globs, skipped_shard;
};

/* Called with a one-line note (a rate-limit wait, a retry); never holds the token. */
typedef void (*lh_org_note_fn)(const char *msg, void *payload);

/* What to enumerate and how to talk to the API. All pointers are borrowed. */
struct lh_org_query {
    enum lh_org_provider provider;
    const char *name;    /* organisation, group ("parent/child" for a subgroup) or user */
    const char *api_url; /* NULL: https://api.github.com or https://gitlab.com/api/v4;
                            GitLab accepts the instance URL with or without /api/v4 */
    const char *token;   /* NULL or "": anonymous */
    double max_wait;     /* longest single rate-limit wait in seconds; longer is an error */
    unsigned retries;    /* attempts after a 5xx or a transport error (0: none) */
    double backoff;      /* first retry delay in seconds, doubled per retry (jittered) */
    double timeout;      /* per request, seconds */
    size_t max_page;     /* 0: LH_ORG_MAX_PAGE */
    lh_org_note_fn note; /* may be NULL */
    void *note_payload;
};

/* The defaults the org command uses: 3 retries from 1 s, 60 s requests, 15 min waits. */
void lh_org_query_init(struct lh_org_query *q);

/*
 * Lists every repository of q->name into *out (initialised here; dispose it whatever the
 * result). GitHub: /orgs/NAME/repos, and when that is a 404 the user's: /user/repos
 * (affiliation=owner, private ones included) when the token is NAME's own (GET /user), else
 * /users/NAME/repos (public only); GitLab:
 * /groups/NAME/projects (subgroups included, shared projects excluded), and
 * /users/NAME/projects when that is a 404. Follows Link rel="next" (GitLab also
 * X-Next-Page) on the same origin only. Returns 0; LH_ENOTFOUND (neither exists);
 * LH_ENET (transport, HTTP status, a rate-limit wait over q->max_wait, retries exhausted);
 * LH_EINVAL (not JSON, not an array of repositories, a wrong content type, a next link to
 * another host); LH_ETOOBIG (a page, the list or the page count over its cap); LH_ENOMEM;
 * LH_EIO (libcurl cannot be loaded). One error line names the URL without credentials.
 * Blocks for the waits. Thread-safe for distinct queries.
 */
int lh_org_enumerate(struct lh_org_list *out, const struct lh_org_query *q) LH_WUR;

void lh_org_list_init(struct lh_org_list *l);
void lh_org_list_dispose(struct lh_org_list *l);

/* Takes ownership of r's strings (r is cleared); LH_ETOOBIG past LH_ORG_MAX_REPOS. */
int lh_org_list_add(struct lh_org_list *l, struct lh_org_repo *r) LH_WUR;

/* Sorts by name and drops repeated names (pages that shifted during the listing). */
void lh_org_list_sort(struct lh_org_list *l);

/* What to keep of an enumeration. */
struct lh_org_filter {
    bool include_forks;
    bool include_archived;
    const struct lh_strlist *include; /* globs over full names; none: all; may be NULL */
    const struct lh_strlist *exclude; /* may be NULL */
    unsigned shard, shards;           /* keep shard `shard` of `shards` (1-based); 0/0: all */
};

/*
 * Removes from l what f excludes, counting each reason in l->skipped_* (forks and archived
 * first, then globs, then the shard). Globs are fnmatch patterns matched case-insensitively
 * against the whole full name, '*' crossing '/'. Order is kept.
 */
void lh_org_select(struct lh_org_list *l, const struct lh_org_filter *f);

/*
 * The shard (1..shards) of a full name: the first 8 bytes of SHA-256 of the name in
 * lower case, read big-endian, mod shards, plus one. Depends on the name only, so adding
 * or removing a repository never moves another; `printf %s NAME | sha256sum` reproduces it.
 */
unsigned lh_org_shard_of(const char *name, unsigned shards);

/* Parses "I/N" (1 <= I <= N <= 100000). Returns 0 or LH_EINVAL with a message. */
int lh_org_shard_parse(unsigned *shard, unsigned *shards, const char *s) LH_WUR;

/* url for a message: no user:password@, no query string, cut to fit out[cap]. */
void lh_org_url_for_msg(char *out, size_t cap, const char *url);

/* The provider's name: "github", "gitlab". */
const char *lh_org_provider_name(enum lh_org_provider p);

#endif
