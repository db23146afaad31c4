/* SPDX-License-Identifier: MIT */
/*
 * The lazily loaded libcurl; see libcurl.h. One pthread_once runs the dlopen and
 * curl_global_init (which libcurl 7.x does not make thread-safe itself); its outcome,
 * including the loader's error text, is kept so that every thread asking later gets the
 * same answer and its own copy of the message.
 */
#include "notify/libcurl.h"

#include <pthread.h>
#include <stdio.h>

#include "util/dynlib.h"

#define SYM(member, name) LH_DYNLIB_SYM(struct lh_libcurl, member, name)

static const struct lh_dynlib_sym syms[] = {
    SYM(global_init, "curl_global_init"),
    SYM(easy_init, "curl_easy_init"),
    SYM(easy_setopt, "curl_easy_setopt"),
    SYM(easy_perform, "curl_easy_perform"),
    SYM(easy_getinfo, "curl_easy_getinfo"),
    SYM(easy_header, "curl_easy_header"),
    SYM(easy_strerror, "curl_easy_strerror"),
    SYM(easy_cleanup, "curl_easy_cleanup"),
    SYM(slist_append, "curl_slist_append"),
    SYM(slist_free_all, "curl_slist_free_all"),
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct lh_libcurl api;
static int load_rc;
static char load_error[512];

static void load(void)
{
    load_rc = lh_dynlib_open(&api, LH_LIBCURL_SONAME, syms, sizeof(syms) / sizeof(syms[0]),
                             load_error, sizeof(load_error));
    if (load_rc < 0) {
        return;
    }
    CURLcode c = api.global_init(CURL_GLOBAL_DEFAULT);
    if (c != CURLE_OK) {
        snprintf(load_error, sizeof(load_error), "curl_global_init: %s", api.easy_strerror(c));
        load_rc = LH_EIO;
    }
}

int lh_libcurl_load(const struct lh_libcurl **out, const char *purpose)
{
    *out = NULL;
    pthread_once(&once, load);
    if (load_rc < 0) {
        lh_error_set("cannot load %s (needed for %s): %s", LH_LIBCURL_SONAME, purpose,
                     load_error);
        return load_rc;
    }
    *out = &api;
    return 0;
}
