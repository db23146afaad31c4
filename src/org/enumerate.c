/* SPDX-License-Identifier: MIT */
/*
 * lh_org_enumerate and the repository list; see org.h. Each provider is a pair of URLs (the
 * organisation's or group's listing, then the user's when that is a 404) and the names of
 * four fields in a page's objects. A page must be a JSON array of objects; an object
 * without a string name or clone URL is an error naming the page and the index, since a
 * silently shorter list would be a silently incomplete audit.
 */
#include "org/api.h"
#include "org/org.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void lh_org_query_init(struct lh_org_query *q)
{
    memset(q, 0, sizeof(*q));
    q->max_wait = 900;
    q->retries = 3;
    q->backoff = 1.0;
    q->timeout = 60.0;
}

const char *lh_org_provider_name(enum lh_org_provider p)
{
    return p == LH_ORG_GITLAB ? "gitlab" : "github";
}

void lh_org_list_init(struct lh_org_list *l)
{
    memset(l, 0, sizeof(*l));
}

static void repo_dispose(struct lh_org_repo *r)
{
    free(r->name);
    free(r->clone_url);
    free(r->default_branch);
    memset(r, 0, sizeof(*r));
}

void lh_org_list_dispose(struct lh_org_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        repo_dispose(&l->items[i]);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

int lh_org_list_add(struct lh_org_list *l, struct lh_org_repo *r)
{
    if (l->count >= LH_ORG_MAX_REPOS) {
        lh_error_set("more than %u repositories", LH_ORG_MAX_REPOS);
        return LH_ETOOBIG;
    }
    if (l->count == l->alloc) {
        size_t n = l->alloc ? l->alloc * 2 : 64;
        struct lh_org_repo *p = realloc(l->items, n * sizeof(*p));
        if (!p) {
            return lh_error_oom();
        }
        l->items = p;
        l->alloc = n;
    }
    l->items[l->count++] = *r;
    memset(r, 0, sizeof(*r));
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const struct lh_org_repo *x = a;
    const struct lh_org_repo *y = b;
    return strcmp(x->name, y->name);
}

void lh_org_list_sort(struct lh_org_list *l)
{
    if (l->count == 0) {
        return;
    }
    qsort(l->items, l->count, sizeof(*l->items), by_name);
    size_t o = 1;
    for (size_t i = 1; i < l->count; i++) {
        if (strcmp(l->items[i].name, l->items[o - 1].name) == 0) {
            repo_dispose(&l->items[i]);
        } else {
            l->items[o++] = l->items[i];
        }
    }
    l->count = o;
}

/* The fields of one provider's repository objects. */
struct shape {
    const char *label; /* "GitHub" */
    const char *owner; /* "organisation", "group" */
    const char *name, *clone, *archived;
    const char *fork; /* a bool, or (GitLab) an object present only on forks */
    bool fork_is_object;
    const char *group_path, *group_query; /* "/orgs/", "/repos?per_page=100&type=all" */
    const char *user_path, *user_query;
    /* the token's own account, whose private repositories the user listing leaves out
     * (GitHub: GET /users/NAME/repos is public repositories only); NULL: not needed */
    const char *self_path, *self_listing;
    bool slash_in_name; /* GitLab subgroups: "parent/child" */
};

static const struct shape github = {
    .label = "GitHub",
    .owner = "organisation",
    .name = "full_name",
    .clone = "clone_url",
    .archived = "archived",
    .fork = "fork",
    .group_path = "/orgs/",
    .group_query = "/repos?per_page=100&type=all",
    .user_path = "/users/",
    .user_query = "/repos?per_page=100&type=owner",
    .self_path = "/user",
    .self_listing = "/user/repos?per_page=100&affiliation=owner&visibility=all",
};

static const struct shape gitlab = {
    .label = "GitLab",
    .owner = "group",
    .name = "path_with_namespace",
    .clone = "http_url_to_repo",
    .archived = "archived",
    .fork = "forked_from_project",
    .fork_is_object = true,
    .group_path = "/groups/",
    .group_query = "/projects?include_subgroups=true&with_shared=false&per_page=100"
                   "&order_by=id&sort=asc",
    .user_path = "/users/",
    .user_query = "/projects?per_page=100&order_by=id&sort=asc",
    .slash_in_name = true,
};

/* The API root without a trailing '/'; GitLab's gets /api/v4 unless it has it. */
static int api_root(struct lh_buf *out, const struct lh_org_query *q)
{
    const char *u = q->api_url;
    bool gl = q->provider == LH_ORG_GITLAB;
    if (!u || !*u) {
        u = gl ? "https://gitlab.com/api/v4" : "https://api.github.com";
    }
    if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) {
        lh_error_set("--api-url must start with https:// or http://");
        return LH_EUSAGE;
    }
    if (strchr(u, '?') || strchr(u, '#')) {
        lh_error_set("--api-url must not have a query string or fragment");
        return LH_EUSAGE;
    }
    size_t n = strlen(u);
    while (n > 0 && u[n - 1] == '/') {
        n--;
    }
    int rc = lh_buf_put(out, u, n);
    if (rc == 0 && gl && (n < 7 || strncmp(u + n - 7, "/api/v4", 7) != 0)) {
        rc = lh_buf_puts(out, "/api/v4");
    }
    return rc;
}

static int check_name(const char *name, const struct shape *s)
{
    size_t n = strlen(name);
    if (n == 0 || n > 255) {
        lh_error_set("the %s name must be 1 to 255 characters", s->label);
        return LH_EUSAGE;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        bool ok = isalnum(c) || c == '-' || c == '_' || c == '.' || (c == '/' && s->slash_in_name);
        if (!ok) {
            lh_error_set("invalid %s %s or user name '%.255s'", s->label, s->owner, name);
            return LH_EUSAGE;
        }
    }
    if (name[0] == '/' || name[n - 1] == '/' || strstr(name, "//") || strstr(name, "..")) {
        lh_error_set("invalid %s %s or user name '%.255s'", s->label, s->owner, name);
        return LH_EUSAGE;
    }
    return 0;
}

/* root + path + name ('/' as %2F) + query */
static int listing_url(struct lh_buf *out, const char *root, const char *path, const char *name,
                       const char *query)
{
    int rc = lh_buf_puts(out, root);
    if (rc == 0) {
        rc = lh_buf_puts(out, path);
    }
    for (const char *c = name; rc == 0 && *c; c++) {
        rc = *c == '/' ? lh_buf_puts(out, "%2F") : lh_buf_putc(out, *c);
    }
    if (rc == 0) {
        rc = lh_buf_puts(out, query);
    }
    return rc;
}

static int dup_field(char **out, json_t *obj, const char *key, size_t cap, bool required,
                     const char *shown, size_t index)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!json_is_string(v)) {
        if (!required && (!v || json_is_null(v))) {
            return 0;
        }
        lh_error_set("malformed answer from '%s': repository %zu has no string '%s'", shown, index,
                     key);
        return LH_EINVAL;
    }
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n == 0 || n > cap || memchr(s, '\0', n)) {
        lh_error_set("malformed answer from '%s': repository %zu has an empty, overlong or "
                     "binary '%s'",
                     shown, index, key);
        return LH_EINVAL;
    }
    *out = strdup(s);
    return *out ? 0 : lh_error_oom();
}

static int parse_page(struct lh_org_list *l, const struct lh_buf *body, const struct shape *s,
                      const char *shown)
{
    json_error_t err;
    json_t *root = json_loadb(body->ptr ? body->ptr : "", body->len, 0, &err);
    if (!root) {
        lh_error_set("malformed JSON from '%s': line %d column %d: %.100s", shown, err.line,
                     err.column, err.text);
        return LH_EINVAL;
    }
    int rc = 0;
    if (!json_is_array(root)) {
        lh_error_set("malformed answer from '%s': not a JSON array of repositories", shown);
        rc = LH_EINVAL;
        goto out;
    }
    size_t i;
    json_t *item;
    json_array_foreach(root, i, item)
    {
        struct lh_org_repo r = {0};
        if (!json_is_object(item)) {
            lh_error_set("malformed answer from '%s': repository %zu is not an object", shown, i);
            rc = LH_EINVAL;
            goto out;
        }
        rc = dup_field(&r.name, item, s->name, LH_ORG_MAX_NAME, true, shown, i);
        if (rc == 0) {
            rc = dup_field(&r.clone_url, item, s->clone, LH_ORG_MAX_URL, true, shown, i);
        }
        if (rc == 0) {
            rc = dup_field(&r.default_branch, item, "default_branch", LH_ORG_MAX_NAME, false, shown,
                           i);
        }
        if (rc == 0 && strncmp(r.clone_url, "https://", 8) != 0 &&
            strncmp(r.clone_url, "http://", 7) != 0) {
            lh_error_set("malformed answer from '%s': repository %zu has a clone URL that is "
                         "not http(s)",
                         shown, i);
            rc = LH_EINVAL;
        }
        json_t *fork = json_object_get(item, s->fork);
        r.fork = s->fork_is_object ? json_is_object(fork) : json_is_true(fork);
        r.archived = json_is_true(json_object_get(item, s->archived));
        if (rc == 0) {
            rc = lh_org_list_add(l, &r);
        }
        repo_dispose(&r);
        if (rc < 0) {
            goto out;
        }
    }
out:
    json_decref(root);
    return rc;
}

/*
 * Whether the token belongs to the user `name` (GET root + s->self_path; its "login" compared
 * case-insensitively). Without a token, or when the answer is not usable, false: the public
 * listing is used.
 */
static bool token_is_user(struct lh_org_api *a, const char *root, const struct shape *s,
                          const struct lh_org_query *q)
{
    if (!s->self_path || !q->token || !*q->token) {
        return false;
    }
    struct lh_org_page p;
    struct lh_buf url;
    bool same = false;
    lh_org_page_init(&p, 64 * 1024);
    lh_buf_init(&url, LH_ORG_MAX_URL + 32);
    if (lh_buf_puts(&url, root) == 0 && lh_buf_puts(&url, s->self_path) == 0 &&
        lh_org_api_get(a, &p, url.ptr) == 0) {
        json_t *doc = json_loadb(p.body.ptr ? p.body.ptr : "", p.body.len, 0, NULL);
        json_t *login = json_is_object(doc) ? json_object_get(doc, "login") : NULL;
        same = json_is_string(login) && !strcasecmp(json_string_value(login), q->name);
        json_decref(doc);
    }
    lh_error_clear();
    lh_buf_dispose(&url);
    lh_org_page_dispose(&p);
    return same;
}

/* Every page of one listing, starting at first. */
static int list_pages(struct lh_org_list *l, struct lh_org_api *a, const char *first,
                      const struct shape *s, const struct lh_org_query *q)
{
    struct lh_org_page p;
    struct lh_buf next;
    char *url = strdup(first);
    char shown[512];
    long page_no = 1;
    int rc = url ? 0 : lh_error_oom();
    lh_org_page_init(&p, q->max_page ? q->max_page : LH_ORG_MAX_PAGE);
    lh_buf_init(&next, LH_ORG_MAX_URL + 32);
    for (unsigned pages = 0; rc == 0 && url; pages++) {
        if (pages >= LH_ORG_MAX_PAGES) {
            lh_error_set("more than %u pages from '%s'", LH_ORG_MAX_PAGES, shown);
            rc = LH_ETOOBIG;
            break;
        }
        lh_org_url_for_msg(shown, sizeof(shown), url);
        rc = lh_org_api_get(a, &p, url);
        if (rc == 0) {
            rc = parse_page(l, &p.body, s, shown);
        }
        if (rc < 0) {
            break;
        }
        lh_buf_clear(&next);
        if (p.next) {
            if (strcmp(p.next, url) == 0) {
                lh_error_set("the next-page link of '%s' points to the same page", shown);
                rc = LH_EINVAL;
                break;
            }
            rc = lh_buf_puts(&next, p.next);
        } else if (p.next_page > 0) {
            /* GitLab's offset pagination without a Link header */
            if (p.next_page <= page_no) {
                lh_error_set("X-Next-Page of '%s' does not advance", shown);
                rc = LH_EINVAL;
                break;
            }
            page_no = p.next_page;
            rc = lh_buf_printf(&next, "%s&page=%ld", first, p.next_page);
        }
        free(url);
        url = next.len ? lh_buf_take(&next) : NULL;
    }
    free(url);
    lh_buf_dispose(&next);
    lh_org_page_dispose(&p);
    return rc;
}

int lh_org_enumerate(struct lh_org_list *out, const struct lh_org_query *q)
{
    const struct shape *s = q->provider == LH_ORG_GITLAB ? &gitlab : &github;
    struct lh_org_api a;
    struct lh_buf root, url;
    lh_org_list_init(out);
    lh_buf_init(&root, LH_ORG_MAX_URL);
    lh_buf_init(&url, LH_ORG_MAX_URL + 512);
    memset(&a, 0, sizeof(a));
    int rc = check_name(q->name, s);
    if (rc == 0) {
        rc = api_root(&root, q);
    }
    if (rc == 0) {
        rc = lh_org_api_open(&a, q);
    }
    if (rc == 0) {
        rc = listing_url(&url, root.ptr, s->group_path, q->name, s->group_query);
    }
    if (rc == 0) {
        rc = list_pages(out, &a, url.ptr, s, q);
    }
    if (rc == LH_ENOTFOUND && out->count == 0) {
        /* not an organisation or group: a user account? */
        char shown[512];
        lh_org_url_for_msg(shown, sizeof(shown), root.ptr);
        lh_buf_clear(&url);
        if (token_is_user(&a, root.ptr, s, q)) {
            /* the token's own account: its private repositories too */
            rc = lh_buf_puts(&url, root.ptr);
            rc = rc ? rc : lh_buf_puts(&url, s->self_listing);
        } else {
            rc = listing_url(&url, root.ptr, s->user_path, q->name, s->user_query);
        }
        if (rc == 0) {
            rc = list_pages(out, &a, url.ptr, s, q);
        }
        if (rc == LH_ENOTFOUND) {
            lh_error_set("no %s %s or user '%s' at '%s'", s->label, s->owner, q->name, shown);
        }
    }
    if (rc == 0) {
        lh_org_list_sort(out);
    }
    lh_org_api_close(&a);
    lh_buf_dispose(&root);
    lh_buf_dispose(&url);
    return rc;
}
