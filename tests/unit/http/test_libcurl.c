/* SPDX-License-Identifier: MIT */
/*
 * libcurl is loaded on first use, not linked: the loader gives every caller (and every
 * thread racing on the first use) the same table, resolved from the real libcurl.so.4.
 * This executable does not link libcurl (its helpers that call libcurl are left out by
 * --as-needed, see CMakeLists.txt), so nothing has loaded it before the loader runs. The
 * binary without a loadable libcurl is tests/e2e/libs.
 *//*
 * libcurl is loaded on first use, not linked: the loader gives every caller (and every
 * thread racing on the first use) the same table, resolved from the real libcurl.so.4;
 * and when the library cannot be loaded, the commands that need it (revoke flush, scan
 * --revoke) exit 4 with one error line naming it while those that do not (scan, revoke
 * status) work as before. The failure runs the real binary with a junk libcurl.so.4 first
 * in LD_LIBRARY_PATH. This executable does not link libcurl either (its receiver is
 * libmicrohttpd), so nothing has loaded it before the loader runs.
 */
#include "http/libcurl.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(libcurl, .timeout = LH_TEST_TIMEOUT);

static void *real(const char *name)
{
    void *h = dlopen(LH_LIBCURL_SONAME, RTLD_NOW | RTLD_NOLOAD);
    cr_assert(h != NULL, "libcurl is not loaded");
    void *p = dlsym(h, name);
    dlclose(h); /* drops only the reference RTLD_NOLOAD took */
    return p;
}

static bool same(const void *fn_slot, const char *name)
{
    void *p = NULL;
    memcpy(&p, fn_slot, sizeof(p));
    return p != NULL && p == real(name);
}

Test(libcurl, is_loaded_on_first_use_once_with_the_real_functions)
{
    cr_assert(dlopen(LH_LIBCURL_SONAME, RTLD_NOW | RTLD_NOLOAD) == NULL,
              "libcurl was loaded before anything asked for it");
    const struct lh_libcurl *a = NULL;
    const struct lh_libcurl *b = NULL;
    cr_assert(eq(int, lh_libcurl_load(&a, "tests"), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_libcurl_load(&b, "tests"), 0));
    cr_assert(a != NULL);
    cr_assert(eq(ptr, (void *)a, (void *)b));
    cr_assert(same(&a->global_init, "curl_global_init"));
    cr_assert(same(&a->easy_init, "curl_easy_init"));
    cr_assert(same(&a->easy_setopt, "curl_easy_setopt"));
    cr_assert(same(&a->easy_perform, "curl_easy_perform"));
    cr_assert(same(&a->easy_getinfo, "curl_easy_getinfo"));
    cr_assert(same(&a->easy_header, "curl_easy_header"));
    cr_assert(same(&a->easy_strerror, "curl_easy_strerror"));
    cr_assert(same(&a->easy_cleanup, "curl_easy_cleanup"));
    cr_assert(same(&a->slist_append, "curl_slist_append"));
    cr_assert(same(&a->slist_free_all, "curl_slist_free_all"));
    /* usable: a handle with a variadic option set, then freed */
    CURL *h = a->easy_init();
    cr_assert(h != NULL);
    cr_assert(eq(int, a->easy_setopt(h, CURLOPT_TIMEOUT_MS, 1000L), CURLE_OK));
    cr_assert(eq(int, a->easy_setopt(h, CURLOPT_URL, "http://127.0.0.1:1/"), CURLE_OK));
    a->easy_cleanup(h);
}

#define RACERS 8

static void *race(void *payload)
{
    const struct lh_libcurl **out = payload;
    if (lh_libcurl_load(out, "tests") < 0) {
        *out = NULL;
    }
    return NULL;
}

Test(libcurl, concurrent_first_uses_get_one_table)
{
    pthread_t t[RACERS];
    const struct lh_libcurl *got[RACERS];
    for (int i = 0; i < RACERS; i++) {
        cr_assert(eq(int, pthread_create(&t[i], NULL, race, &got[i]), 0));
    }
    for (int i = 0; i < RACERS; i++) {
        pthread_join(t[i], NULL);
    }
    for (int i = 0; i < RACERS; i++) {
        cr_assert(got[i] != NULL);
        cr_assert(eq(ptr, (void *)got[i], (void *)got[0]));
    }
}
