/* SPDX-License-Identifier: MIT */
/*
 * The org module's HTTP client (internal to src/org/): GET one JSON page of a provider's
 * REST API with the token as an Authorization header, waiting out rate limits and retrying
 * server errors, and find the next page. One libcurl easy handle per enumeration, so pages
 * share a connection. It does not parse the JSON (github.c, gitlab.c do); it only checks
 * that the body is bounded and declared as JSON.
 */
#ifndef LH_ORG_API_H
#define LH_ORG_API_H

#include "org/org.h"
#include "util/buf.h"

struct lh_libcurl;

struct lh_org_api {
    const struct lh_libcurl *cu;
    const struct lh_org_query *q;
    void *handle;         /* CURL * */
    void *headers;        /* struct curl_slist *, holds the Authorization line */
    double wait_until;    /* monotonic time before which no request is sent (limit used up) */
    const char *wait_why; /* which header set wait_until */
    char origin[256];     /* scheme://host[:port] of the first request: next links must match */
    unsigned requests;    /* sent, retries included */
};

/* One fetched page. */
struct lh_org_page {
    struct lh_buf body; /* the JSON text, at most q->max_page bytes */
    char *next;         /* Link rel="next" (heap) or NULL */
    long next_page;     /* X-Next-Page, 0 when absent or empty */
};

/* Loads libcurl, creates the handle and the headers (Accept, API version, Authorization). */
int lh_org_api_open(struct lh_org_api *a, const struct lh_org_query *q) LH_WUR;
void lh_org_api_close(struct lh_org_api *a);

void lh_org_page_init(struct lh_org_page *p, size_t cap);
void lh_org_page_dispose(struct lh_org_page *p);

/*
 * GETs url into p (emptied first). Returns 0 on a 2xx JSON answer; LH_ENOTFOUND on 404 (the
 * message names the URL); LH_ENET, LH_EINVAL, LH_ETOOBIG as lh_org_enumerate describes.
 * A next link on another origin than the first request's is LH_EINVAL.
 */
int lh_org_api_get(struct lh_org_api *a, struct lh_org_page *p, const char *url) LH_WUR;

/* "scheme://host[:port]" of url (lower case, no credentials) into out; 0, or -1 when url
 * has no such prefix or it does not fit. */
int lh_org_url_origin(char *out, size_t cap, const char *url);

/* Parses a Link header value: *out = the rel="next" target (heap) or NULL. 0 or LH_ENOMEM. */
int lh_org_link_next(char **out, const char *link) LH_WUR;

#endif
