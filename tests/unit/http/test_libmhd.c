/* SPDX-License-Identifier: MIT */
/*
 * libmicrohttpd is loaded on first use, not linked: the loader gives every caller the same
 * table, whose functions are the real libmicrohttpd.so.12's (this executable links it for
 * its own receivers, so they must be the very functions it calls directly). And when the
 * library cannot be loaded, `leakhound serve` exits 4 with one error line naming it (as it
 * does for libcurl with a key-list URL), while `leakhound scan` works as before. The
 * failure runs the real binary with junk libraries first in LD_LIBRARY_PATH.
 */
#include "http/libcurl.h"
#include "http/libmhd.h"
#include "support/serve/th.h"

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

/* ---- the binary without loadable libraries ---- */

static char *dir;
static char *libs;
static struct th_key key;

static void setup(void)
{
    static const char *const sonames[] = {LH_LIBMHD_SONAME, LH_LIBCURL_SONAME, NULL};
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    th_key_new(&key);
    th_write_keys(dir, &key);
    lh_write_file(dir, "src/a.txt", "nothing to see\n", 15);
    libs = lh_shadow_libs(sonames);
    cr_assert(libs != NULL);
}

static void teardown(void)
{
    lh_unshadow_libs(libs);
    th_key_free(&key);
    lh_rmtree(dir);
    free(dir);
}

TestSuite(libmhd_missing, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

/* Exit 4 (not a crash) and exactly one error line: the library, why, and for what. */
static void fails_naming(const struct lh_run *r, const char *soname, const char *purpose)
{
    cr_assert(eq(int, r->status, 4), "status %d, stderr: %s", r->status, r->err);
    cr_assert(strstr(r->err, "Sanitizer") == NULL, "%s", r->err);
    char *line = lh_error_line(r->err);
    cr_assert(line != NULL, "no single error line in: %s", r->err);
    char want[256];
    snprintf(want, sizeof(want), "leakhound: error: cannot load %s (needed for %s): ", soname,
             purpose);
    cr_assert(strncmp(line, want, strlen(want)) == 0, "%s", line);
    cr_assert(strstr(line, libs) != NULL, "the loader's reason is missing: %s", line);
    free(line);
}

Test(libmhd_missing, serve_exits_4_with_one_line_naming_the_library)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "serve", "--no-config", "--github-keys", "keys.json", "--listen",
              "127.0.0.1:0", NULL);
    fails_naming(&r, LH_LIBMHD_SONAME, "leakhound serve");
    cr_assert(strstr(r.err, "\"listening\"") == NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(libmhd_missing, serve_with_a_key_url_exits_4_naming_libcurl)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "serve", "--no-config", "--github-keys-url", "http://127.0.0.1:9/keys",
              "--listen", "127.0.0.1:0", NULL);
    fails_naming(&r, LH_LIBCURL_SONAME, "key list URLs");
    lh_run_dispose(&r);
}

Test(libmhd_missing, scan_does_not_need_either_library)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--no-config", "src", NULL);
    cr_assert(eq(int, r.status, 0), "status %d, stderr: %s", r.status, r.err);
    cr_assert(strstr(r.err, "cannot load") == NULL, "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "--version", NULL);
    cr_assert(eq(int, r.status, 0), "status %d, stderr: %s", r.status, r.err);
    lh_run_dispose(&r);
}
