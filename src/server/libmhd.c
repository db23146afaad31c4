/* SPDX-License-Identifier: MIT */
/*
 * The lazily loaded libmicrohttpd; see libmhd.h. One pthread_once runs the dlopen; its
 * outcome, including the loader's error text, is kept so that every thread asking later
 * gets the same answer and its own copy of the message.
 */
#include "server/libmhd.h"

#include <pthread.h>

#include "util/dynlib.h"

#define SYM(member, name) LH_DYNLIB_SYM(struct lh_libmhd, member, name)

static const struct lh_dynlib_sym syms[] = {
    SYM(is_feature_supported, "MHD_is_feature_supported"),
    SYM(start_daemon, "MHD_start_daemon"),
    SYM(get_daemon_info, "MHD_get_daemon_info"),
    SYM(quiesce_daemon, "MHD_quiesce_daemon"),
    SYM(stop_daemon, "MHD_stop_daemon"),
    SYM(get_connection_info, "MHD_get_connection_info"),
    SYM(lookup_connection_value, "MHD_lookup_connection_value"),
    SYM(create_response_from_buffer, "MHD_create_response_from_buffer"),
    SYM(create_response_from_buffer_with_free_callback_cls,
        "MHD_create_response_from_buffer_with_free_callback_cls"),
    SYM(add_response_header, "MHD_add_response_header"),
    SYM(queue_response, "MHD_queue_response"),
    SYM(destroy_response, "MHD_destroy_response"),
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct lh_libmhd api;
static int load_rc;
static char load_error[512];

static void load(void)
{
    load_rc = lh_dynlib_open(&api, LH_LIBMHD_SONAME, syms, sizeof(syms) / sizeof(syms[0]),
                             load_error, sizeof(load_error));
}

int lh_libmhd_load(const struct lh_libmhd **out, const char *purpose)
{
    *out = NULL;
    pthread_once(&once, load);
    if (load_rc < 0) {
        lh_error_set("cannot load %s (needed for %s): %s", LH_LIBMHD_SONAME, purpose, load_error);
        return load_rc;
    }
    *out = &api;
    return 0;
}
