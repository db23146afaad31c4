/* SPDX-License-Identifier: MIT */
/*
 * The lazily loaded libmicrohttpd; see libmhd.h. util/dynlib opens it once and keeps
 * the outcome for every later caller.
 */
#include "http/libmhd.h"

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

static struct lh_libmhd api;
static struct lh_dynlib lib = LH_DYNLIB_INIT(LH_LIBMHD_SONAME, syms, &api, NULL);

int lh_libmhd_load(const struct lh_libmhd **out, const char *purpose)
{
    int rc = lh_dynlib_load(&lib, purpose);
    *out = rc == 0 ? &api : NULL;
    return rc;
}
