/* SPDX-License-Identifier: MIT */
/*
 * URL helpers of the org module's client (see api.h): a URL made safe for messages, the
 * origin a next-page link must keep, and the rel="next" target of a Link header (RFC 8288:
 * entries "<target>; param=value; ...", separated by commas; rel's value is a quoted or bare,
 * space-separated list of relation types). Pure string work, no allocation but the result.
 */
#include "org/api.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void lh_org_url_for_msg(char *out, size_t cap, const char *url)
{
    const char *p = url;
    const char *scheme = strstr(url, "://");
    size_t o = 0;
    if (cap == 0) {
        return;
    }
    if (scheme) {
        size_t n = (size_t)(scheme - url) + 3;
        const char *host = scheme + 3;
        const char *end = host + strcspn(host, "/?#");
        const char *at = memchr(host, '@', (size_t)(end - host));
        o = n < cap - 1 ? n : cap - 1;
        memcpy(out, url, o);
        p = at ? at + 1 : host;
    }
    while (*p && *p != '?' && *p != '#' && o + 1 < cap) {
        unsigned char c = (unsigned char)*p++;
        out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    out[o] = '\0';
    /* of the query, only the page number: which page failed helps, nothing else is needed */
    const char *q = *p == '?' ? p : NULL;
    const char *pg = q ? strstr(q, "page=") : NULL;
    while (pg && pg[-1] != '?' && pg[-1] != '&') {
        pg = strstr(pg + 5, "page=");
    }
    if (pg && isdigit((unsigned char)pg[5])) {
        int n = (int)strspn(pg + 5, "0123456789");
        snprintf(out + o, cap - o, "?page=%.*s", n > 9 ? 9 : n, pg + 5);
    }
}

int lh_org_url_origin(char *out, size_t cap, const char *url)
{
    const char *s = strstr(url, "://");
    if (!s) {
        return -1;
    }
    const char *host = s + 3;
    const char *end = host + strcspn(host, "/?#");
    const char *at = memchr(host, '@', (size_t)(end - host));
    size_t sl = (size_t)(host - url);
    const char *h = at ? at + 1 : host;
    size_t hl = (size_t)(end - h);
    if (sl + hl + 1 > cap || hl == 0) {
        return -1;
    }
    for (size_t i = 0; i < sl; i++) {
        out[i] = (char)tolower((unsigned char)url[i]);
    }
    for (size_t i = 0; i < hl; i++) {
        out[sl + i] = (char)tolower((unsigned char)h[i]);
    }
    out[sl + hl] = '\0';
    return 0;
}

/* Whether the rel parameter in params[0..n) lists the relation type "next". */
static bool rel_next(const char *params, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++) {
        if (strncasecmp(params + i, "rel=", 4) != 0) {
            continue;
        }
        size_t j = i + 4;
        size_t end;
        if (j < n && params[j] == '"') {
            j++;
            end = j;
            while (end < n && params[end] != '"') {
                end++;
            }
        } else {
            end = j;
            while (end < n && params[end] != ';' && params[end] != ' ') {
                end++;
            }
        }
        /* a space-separated list of relation types */
        while (j < end) {
            size_t k = j;
            while (k < end && params[k] != ' ') {
                k++;
            }
            if (k - j == 4 && strncasecmp(params + j, "next", 4) == 0) {
                return true;
            }
            j = k + 1;
        }
        return false;
    }
    return false;
}

int lh_org_link_next(char **out, const char *link)
{
    const char *p = link;
    *out = NULL;
    while (p && *p) {
        const char *lt = strchr(p, '<');
        if (!lt) {
            return 0;
        }
        const char *gt = strchr(lt + 1, '>');
        if (!gt) {
            return 0;
        }
        /* the parameters run to the next entry: a ',' after the '>' */
        const char *end = strchr(gt + 1, ',');
        size_t plen = end ? (size_t)(end - gt - 1) : strlen(gt + 1);
        if (rel_next(gt + 1, plen)) {
            size_t n = (size_t)(gt - lt - 1);
            char *u = malloc(n + 1);
            if (!u) {
                return lh_error_oom();
            }
            memcpy(u, lt + 1, n);
            u[n] = '\0';
            *out = u;
            return 0;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}
