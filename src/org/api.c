/* SPDX-License-Identifier: MIT */
/*
 * The org module's HTTP client; see api.h. Rate limits: a 429, or a 403 that carries
 * Retry-After or an exhausted X-RateLimit-Remaining / RateLimit-Remaining, is waited out
 * (Retry-After first, else the reset time) and the request repeated; a 2xx answer whose
 * remaining count is 0 delays the next request until the reset. No wait is longer than
 * q->max_wait: a longer one is an error naming it, so a CI job never sleeps for an hour
 * by surprise. 5xx answers and transport errors are retried q->retries times with a
 * jittered exponential backoff. The Authorization header is built in a stack buffer that
 * is wiped after libcurl copied it; messages carry URLs through lh_org_url_for_msg (no
 * credentials, no query string) and never a header.
 */
#include "org/api.h"

#include "http/libcurl.h"
#include "util/clock.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PURPOSE "org enumeration"
#define MAX_RATE_WAITS 20 /* rate-limit waits for one request before giving up */

void lh_org_page_init(struct lh_org_page *p, size_t cap)
{
    lh_buf_init(&p->body, cap);
    p->next = NULL;
    p->next_page = 0;
}

void lh_org_page_dispose(struct lh_org_page *p)
{
    lh_buf_dispose(&p->body);
    free(p->next);
    p->next = NULL;
}

static int append(const struct lh_libcurl *cu, struct curl_slist **list, const char *line)
{
    struct curl_slist *n = cu->slist_append(*list, line);
    if (!n) {
        return lh_error_oom();
    }
    *list = n;
    return 0;
}

int lh_org_api_open(struct lh_org_api *a, const struct lh_org_query *q)
{
    memset(a, 0, sizeof(*a));
    a->q = q;
    const char *tok = q->token;
    if (tok && *tok) {
        for (const char *c = tok; *c; c++) {
            if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
                lh_error_set("the API token contains a space or a control character");
                return LH_EINVAL;
            }
        }
        if (strlen(tok) > 1024) {
            lh_error_set("the API token is longer than 1024 bytes");
            return LH_EINVAL;
        }
    }
    int rc = lh_libcurl_load(&a->cu, PURPOSE);
    if (rc < 0) {
        return rc;
    }
    const struct lh_libcurl *cu = a->cu;
    struct curl_slist *h = NULL;
    bool gh = q->provider == LH_ORG_GITHUB;
    rc = append(cu, &h, gh ? "Accept: application/vnd.github+json" : "Accept: application/json");
    if (rc == 0 && gh) {
        rc = append(cu, &h, "X-GitHub-Api-Version: 2022-11-28");
    }
    if (rc == 0 && tok && *tok) {
        char line[1100];
        snprintf(line, sizeof(line), "Authorization: Bearer %s", tok);
        rc = append(cu, &h, line);
        OPENSSL_cleanse(line, sizeof(line));
    }
    a->headers = h;
    if (rc < 0) {
        return rc;
    }
    a->handle = cu->easy_init();
    if (!a->handle) {
        lh_error_set("cannot create a libcurl handle");
        return LH_ERROR;
    }
    return 0;
}

void lh_org_api_close(struct lh_org_api *a)
{
    if (a->cu) {
        if (a->handle) {
            a->cu->easy_cleanup(a->handle);
        }
        a->cu->slist_free_all(a->headers);
    }
    a->handle = NULL;
    a->headers = NULL;
}

struct sink {
    struct lh_buf *body;
    bool over;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *payload)
{
    struct sink *s = payload;
    if (lh_buf_put(s->body, ptr, size * nmemb) < 0) {
        s->over = true;
        return 0; /* libcurl aborts the transfer */
    }
    return size * nmemb;
}

static void note(const struct lh_org_api *a, const char *fmt, ...) LH_PRINTF(2, 3);

static void note(const struct lh_org_api *a, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    if (!a->q->note) {
        return;
    }
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    a->q->note(msg, a->q->note_payload);
}

static void sleep_for(double seconds)
{
    double end = lh_clock_now() + seconds;
    for (;;) {
        double left = end - lh_clock_now();
        if (left <= 0) {
            return;
        }
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        if (nanosleep(&ts, NULL) == 0) {
            return;
        }
        if (errno != EINTR) {
            return;
        }
    }
}

/* A header's value (the last one of that name), or NULL. Borrowed from the handle. */
static const char *header(const struct lh_org_api *a, const char *name)
{
    struct curl_header *h = NULL;
    if (a->cu->easy_header(a->handle, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK) {
        return NULL;
    }
    return h->value;
}

/* Digits only (blanks around allowed) -> value; -1 otherwise or when huge. */
static long long parse_digits(const char *v)
{
    if (!v) {
        return -1;
    }
    while (*v == ' ' || *v == '\t') {
        v++;
    }
    if (!isdigit((unsigned char)*v)) {
        return -1;
    }
    long long n = 0;
    while (isdigit((unsigned char)*v)) {
        if (n > 100000000000LL) {
            return -1;
        }
        n = n * 10 + (*v++ - '0');
    }
    while (*v == ' ' || *v == '\t') {
        v++;
    }
    return *v ? -1 : n;
}

/* Seconds until an epoch reset time, at least 1 (clocks disagree by a little). */
static double until_reset(long long reset)
{
    double d = (double)reset - (double)time(NULL) + 1.0;
    return d < 1.0 ? 1.0 : d;
}

/*
 * How long the answer asks us to wait, in seconds, with why; -1 when it sets no wait.
 * Retry-After (seconds or an HTTP date, which libcurl converts) wins over the reset time.
 */
static double rate_wait(const struct lh_org_api *a, const char **why, bool retry_after)
{
    const char *ra = retry_after ? header(a, "Retry-After") : NULL;
    if (ra) {
        long long s = parse_digits(ra);
        curl_off_t secs = 0;
        if (s < 0 && a->cu->easy_getinfo(a->handle, CURLINFO_RETRY_AFTER, &secs) == CURLE_OK &&
            secs > 0) {
            s = (long long)secs;
        }
        if (s >= 0) {
            *why = "Retry-After";
            return (double)s;
        }
    }
    const char *rem = header(a, "X-RateLimit-Remaining");
    const char *reset = header(a, "X-RateLimit-Reset");
    *why = "X-RateLimit-Reset";
    if (!rem) {
        rem = header(a, "RateLimit-Remaining");
        reset = header(a, "RateLimit-Reset");
        *why = "RateLimit-Reset";
    }
    if (rem && parse_digits(rem) == 0) {
        long long r = parse_digits(reset);
        if (r >= 0) {
            return until_reset(r);
        }
        *why = "limit exhausted, no reset time";
        return 60.0;
    }
    return -1;
}

static double backoff(const struct lh_org_query *q, unsigned retry)
{
    double d = q->backoff > 0 ? q->backoff : 1.0;
    for (unsigned i = 0; i < retry && d < 60.0; i++) {
        d *= 2;
    }
    uint32_t r = 0;
    if (RAND_bytes((unsigned char *)&r, (int)sizeof(r)) != 1) {
        return d;
    }
    return d * (0.5 + 0.5 * (double)r / 4294967295.0);
}

/* A short, printable excerpt of an error body's "message" (GitHub and GitLab both send it). */
static void body_message(char *out, size_t cap, const struct lh_buf *b)
{
    out[0] = '\0';
    const char *m = b->ptr ? strstr(b->ptr, "\"message\"") : NULL;
    if (!m) {
        return;
    }
    m = strchr(m + 9, ':');
    if (!m) {
        return;
    }
    m++;
    while (*m == ' ') {
        m++;
    }
    if (*m == '"') {
        m++;
    }
    size_t o = 0;
    while (*m && *m != '"' && o + 1 < cap && o < 160) {
        unsigned char c = (unsigned char)*m++;
        out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    out[o] = '\0';
}

static bool mentions_rate_limit(const char *msg)
{
    char low[200];
    size_t i = 0;
    for (; msg[i] && i + 1 < sizeof(low); i++) {
        low[i] = (char)tolower((unsigned char)msg[i]);
    }
    low[i] = '\0';
    return strstr(low, "rate limit") != NULL;
}

static bool json_type(const char *ct)
{
    if (!ct) {
        return false;
    }
    size_t n = strcspn(ct, ";");
    while (n > 0 && ct[n - 1] == ' ') {
        n--;
    }
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0) {
        return true;
    }
    return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
           strncasecmp(ct + n - 5, "+json", 5) == 0;
}

static int perform(struct lh_org_api *a, struct sink *s, const char *url, char *errbuf)
{
    const struct lh_libcurl *cu = a->cu;
    CURL *h = a->handle;
    const struct lh_org_query *q = a->q;
    long ms = (long)((q->timeout > 0 ? q->timeout : 60.0) * 1000.0);
    bool https = strncasecmp(url, "https://", 8) == 0;
    int bad = 0;
    bad |= cu->easy_setopt(h, CURLOPT_URL, url) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
    /* never downgrade: the token would travel in clear to the same host */
    bad |=
        cu->easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https") != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_MAXREDIRS, 3L) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_TIMEOUT_MS, ms) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_USERAGENT, "leakhound-org/1") != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_HTTPHEADER, a->headers) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->body->cap) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_WRITEDATA, s) != CURLE_OK;
    bad |= cu->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
    if (bad) {
        lh_error_set("cannot configure a libcurl request (out of memory?)");
        return LH_ERROR;
    }
    errbuf[0] = '\0';
    a->requests++;
    return (int)cu->easy_perform(h);
}

/* Transport errors that a retry cannot fix. */
static bool final_code(int c)
{
    return c == CURLE_UNSUPPORTED_PROTOCOL || c == CURLE_URL_MALFORMAT ||
           c == CURLE_PEER_FAILED_VERIFICATION || c == CURLE_SSL_CACERT_BADFILE ||
           c == CURLE_SSL_CERTPROBLEM || c == CURLE_TOO_MANY_REDIRECTS ||
           c == CURLE_COULDNT_RESOLVE_HOST;
}

/* Sleeps `wait` seconds when allowed, or fails naming the wait. */
static int wait_out(struct lh_org_api *a, double wait, const char *why, const char *shown)
{
    if (wait > a->q->max_wait) {
        lh_error_set("rate limited by '%s': %s asks to wait %.0f s, more than --max-wait %.0f s",
                     shown, why, wait, a->q->max_wait);
        return LH_ENET;
    }
    note(a, "rate limited by '%s': waiting %.0f s (%s)", shown, wait, why);
    sleep_for(wait);
    return 0;
}

int lh_org_api_get(struct lh_org_api *a, struct lh_org_page *p, const char *url)
{
    const struct lh_org_query *q = a->q;
    char shown[512];
    char errbuf[CURL_ERROR_SIZE];
    char origin[sizeof(a->origin)];
    lh_org_url_for_msg(shown, sizeof(shown), url);
    if (lh_org_url_origin(origin, sizeof(origin), url) < 0) {
        lh_error_set("not an http(s) URL: '%s'", shown);
        return LH_EINVAL;
    }
    if (!a->origin[0]) {
        memcpy(a->origin, origin, sizeof(origin));
    } else if (strcmp(a->origin, origin) != 0) {
        /* a next link elsewhere would receive the token */
        lh_error_set("refusing to follow a next-page link to another host: '%s'", shown);
        return LH_EINVAL;
    }
    unsigned retries = 0;
    unsigned waits = 0;
    for (;;) {
        lh_buf_clear(&p->body);
        free(p->next);
        p->next = NULL;
        p->next_page = 0;
        double now = lh_clock_now();
        if (a->wait_until > now) {
            int rc = wait_out(a, a->wait_until - now, a->wait_why, shown);
            if (rc < 0) {
                return rc;
            }
        }
        a->wait_until = 0;
        struct sink s = {&p->body, false};
        int c = perform(a, &s, url, errbuf);
        if (c < 0) {
            return c;
        }
        if (s.over || c == CURLE_FILESIZE_EXCEEDED) {
            lh_error_set("the answer of '%s' is larger than %zu bytes", shown, p->body.cap);
            return LH_ETOOBIG;
        }
        if (c != CURLE_OK) {
            const char *why = errbuf[0] ? errbuf : a->cu->easy_strerror((CURLcode)c);
            if (final_code(c) || retries >= q->retries) {
                lh_error_set("cannot fetch '%s': %s", shown, why);
                return LH_ENET;
            }
            double d = backoff(q, retries++);
            note(a, "cannot fetch '%s' (%s): retry %u/%u in %.1f s", shown, why, retries,
                 q->retries, d);
            sleep_for(d);
            continue;
        }
        long status = 0;
        a->cu->easy_getinfo(a->handle, CURLINFO_RESPONSE_CODE, &status);
        const char *why = NULL;
        /* Retry-After only counts on a refusal; a used-up limit counts on any answer */
        double wait = rate_wait(a, &why, status == 429 || status == 403 || status >= 500);
        if (status >= 200 && status < 300) {
            char *ct = NULL;
            a->cu->easy_getinfo(a->handle, CURLINFO_CONTENT_TYPE, &ct);
            if (!json_type(ct)) {
                lh_error_set("'%s' answered with content type '%.60s', not JSON", shown,
                             ct ? ct : "(none)");
                return LH_EINVAL;
            }
            if (wait >= 0) {
                /* the limit is used up: the next request waits for the reset */
                a->wait_until = lh_clock_now() + wait;
                a->wait_why = why;
            }
            const char *link = header(a, "Link");
            if (link) {
                int rc = lh_org_link_next(&p->next, link);
                if (rc < 0) {
                    return rc;
                }
                if (p->next && strlen(p->next) > LH_ORG_MAX_URL) {
                    lh_error_set("the next-page link of '%s' is longer than %u bytes", shown,
                                 LH_ORG_MAX_URL);
                    return LH_ETOOBIG;
                }
            }
            long long np = parse_digits(header(a, "X-Next-Page"));
            p->next_page = np > 0 && np < 100000000 ? (long)np : 0;
            return 0;
        }
        char msg[200];
        body_message(msg, sizeof(msg), &p->body);
        if ((status == 429 || status == 403) && wait >= 0) {
            if (++waits > MAX_RATE_WAITS) {
                lh_error_set("rate limited by '%s': still limited after %d waits", shown,
                             MAX_RATE_WAITS);
                return LH_ENET;
            }
            int rc = wait_out(a, wait, why, shown);
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        if (status == 429 || (status == 403 && mentions_rate_limit(msg))) {
            /* no hint at all (GitHub's secondary limits may say so only in the message): its
             * documented fallback is one minute */
            if (++waits > MAX_RATE_WAITS) {
                lh_error_set("rate limited by '%s': still limited after %d waits", shown,
                             MAX_RATE_WAITS);
                return LH_ENET;
            }
            int rc = wait_out(a, 60.0, "no Retry-After or reset time", shown);
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        if (status >= 500 && status < 600 && retries < q->retries && wait >= 0) {
            /* a 503 for maintenance says when to come back */
            retries++;
            int rc = wait_out(a, wait, why, shown);
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        if (status >= 500 && status < 600 && retries < q->retries) {
            double d = backoff(q, retries++);
            note(a, "'%s' answered HTTP %ld: retry %u/%u in %.1f s", shown, status, retries,
                 q->retries, d);
            sleep_for(d);
            continue;
        }
        if (status == 404) {
            lh_error_set("not found (HTTP 404): '%s'", shown);
            return LH_ENOTFOUND;
        }
        if (status == 401) {
            lh_error_set("'%s' refused the credentials (HTTP 401%s%s): check the token", shown,
                         msg[0] ? ": " : "", msg);
            return LH_ENET;
        }
        lh_error_set("'%s' answered HTTP %ld%s%s", shown, status, msg[0] ? ": " : "", msg);
        return LH_ENET;
    }
}
