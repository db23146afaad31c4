/* SPDX-License-Identifier: MIT */
/*
 * The lazily loaded libcurl; see libcurl.h. util/dynlib runs the dlopen and
 * curl_global_init once and keeps the outcome for every later caller.
 */
#include "http/libcurl.h"

#include "util/dynlib.h"

#include <stdio.h>

#define SYM(member, name) LH_DYNLIB_SYM(struct lh_libcurl, member, name)

static const struct lh_dynlib_sym syms[] = {
    SYM(global_init, "curl_global_init"),     SYM(easy_init, "curl_easy_init"),
    SYM(easy_setopt, "curl_easy_setopt"),     SYM(easy_perform, "curl_easy_perform"),
    SYM(easy_getinfo, "curl_easy_getinfo"),   SYM(easy_header, "curl_easy_header"),
    SYM(easy_strerror, "curl_easy_strerror"), SYM(easy_cleanup, "curl_easy_cleanup"),
    SYM(slist_append, "curl_slist_append"),   SYM(slist_free_all, "curl_slist_free_all"),
};

static struct lh_libcurl api;

/* curl_global_init, which libcurl 7.x does not make thread-safe itself: once, under the lock */
static int init(void *table, char *err, size_t cap)
{
    const struct lh_libcurl *a = table;
    CURLcode c = a->global_init(CURL_GLOBAL_DEFAULT);
    if (c != CURLE_OK) {
        snprintf(err, cap, "curl_global_init: %s", a->easy_strerror(c));
        return LH_EIO;
    }
    return 0;
}

static struct lh_dynlib lib = LH_DYNLIB_INIT(LH_LIBCURL_SONAME, syms, &api, init);

int lh_libcurl_load(const struct lh_libcurl **out, const char *purpose)
{
    int rc = lh_dynlib_load(&lib, purpose);
    *out = rc == 0 ? &api : NULL;
    return rc;
}
