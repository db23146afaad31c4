/* SPDX-License-Identifier: MIT */
/*
 * libcurl, loaded on first use. The binary does not link libcurl: it and the ~20
 * libraries it pulls in (TLS, LDAP, SASL, HTTP/2, IDN, ...) cost every command several
 * milliseconds in the dynamic loader, while only revocation webhooks (webhook.c) and
 * key-list URLs (partner/keyring.c) make HTTP requests. lh_libcurl_load() dlopens
 * LH_LIBCURL_SONAME, the ABI of the <curl/curl.h> this is compiled against, resolves the
 * functions below and runs curl_global_init, once per process; the table is immutable
 * afterwards and shared by every thread. Neither dlclose nor curl_global_cleanup ever
 * runs: libcurl and its TLS backend keep per-thread state and exit handlers.
 * Types and constants come from the real header; the members have the exact types of the
 * real functions. Only calls go through the table, so easy_setopt/easy_getinfo lose the
 * compile-time checks of <curl/typecheck-gcc.h>: pass long, curl_off_t, function and
 * object pointers exactly as each option documents.
 */
#ifndef LH_HTTP_LIBCURL_H
#define LH_HTTP_LIBCURL_H

#include "util/error.h"

#include <curl/curl.h>

#define LH_LIBCURL_SONAME "libcurl.so.4"

struct lh_libcurl {
    __typeof__(curl_global_init) *global_init; /* done by lh_libcurl_load; not for callers */
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_setopt) *easy_setopt; /* variadic, like the real one */
    __typeof__(curl_easy_perform) *easy_perform;
    __typeof__(curl_easy_getinfo) *easy_getinfo; /* variadic */
    __typeof__(curl_easy_header) *easy_header;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
};

/*
 * Loads and initialises libcurl on the first call; later calls return the same table.
 * `purpose` says what needs it, for the message ("revoke webhooks"). Returns 0 with *out
 * pointing to the immutable table (valid until the process exits; never free it), or
 * LH_EIO when the library cannot be loaded (message: "cannot load libcurl.so.4 (needed
 * for <purpose>): <dlerror text>") or initialised; a failure is final for the process.
 * Thread-safe.
 */
int lh_libcurl_load(const struct lh_libcurl **out, const char *purpose) LH_WUR;

#endif
