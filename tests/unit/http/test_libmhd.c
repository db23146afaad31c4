/* SPDX-License-Identifier: MIT */
/*
 * libmicrohttpd is loaded on first use, not linked: the loader gives every caller the same
 * table, whose functions are the real libmicrohttpd.so.12's (this executable links it for
 * its own receivers, so they must be the very functions it calls directly). The binary
 * without loadable libraries is tests/e2e/libs.
 *//*
 * libmicrohttpd is loaded on first use, not linked: the loader gives every caller the same
 * table, whose functions are the real libmicrohttpd.so.12's (this executable links it for
 * its own receivers, so they must be the very functions it calls directly). And when the
 * library cannot be loaded, `leakhound serve` exits 4 with one error line naming it (as it
 * does for libcurl with a key-list URL), while `leakhound scan` works as before. The
 * failure runs the real binary with junk libraries first in LD_LIBRARY_PATH.
 */
#include "http/libcurl.h"
#include "http/libmhd.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(libmhd, .timeout = LH_TEST_TIMEOUT);

static bool same(const void *fn_slot, void (*linked)(void))
{
    void *p = NULL;
    void *q = NULL;
    memcpy(&p, fn_slot, sizeof(p));
    memcpy(&q, &linked, sizeof(q));
    return p != NULL && p == q;
}

#define SAME(member, fn) same(&api->member, (void (*)(void))fn)

Test(libmhd, loads_once_with_the_real_functions)
{
    const struct lh_libmhd *api = NULL;
    const struct lh_libmhd *again = NULL;
    cr_assert(eq(int, lh_libmhd_load(&api, "tests"), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_libmhd_load(&again, "tests"), 0));
    cr_assert(api != NULL);
    cr_assert(eq(ptr, (void *)api, (void *)again));
    cr_assert(SAME(is_feature_supported, MHD_is_feature_supported));
    cr_assert(SAME(start_daemon, MHD_start_daemon));
    cr_assert(SAME(get_daemon_info, MHD_get_daemon_info));
    cr_assert(SAME(quiesce_daemon, MHD_quiesce_daemon));
    cr_assert(SAME(stop_daemon, MHD_stop_daemon));
    cr_assert(SAME(get_connection_info, MHD_get_connection_info));
    cr_assert(SAME(lookup_connection_value, MHD_lookup_connection_value));
    cr_assert(SAME(create_response_from_buffer, MHD_create_response_from_buffer));
    cr_assert(SAME(create_response_from_buffer_with_free_callback_cls,
                   MHD_create_response_from_buffer_with_free_callback_cls));
    cr_assert(SAME(add_response_header, MHD_add_response_header));
    cr_assert(SAME(queue_response, MHD_queue_response));
    cr_assert(SAME(destroy_response, MHD_destroy_response));
}
