/* SPDX-License-Identifier: MIT */
/*
 * libmicrohttpd, loaded on first use. The binary does not link libmicrohttpd: it and its
 * GnuTLS stack cost every command time in the dynamic loader, while only `leakhound serve`
 * (server.c) runs an HTTP server. lh_libmhd_load() dlopens LH_LIBMHD_SONAME, the ABI of
 * the <microhttpd.h> this is compiled against, and resolves the functions below, once per
 * process; the table is immutable afterwards and shared by every thread, including
 * libmicrohttpd's own. The library is never closed. Types and constants come from the
 * real header and the members have the exact types of the real functions; start_daemon,
 * get_daemon_info and get_connection_info are variadic, like the real ones.
 */
#ifndef LH_HTTP_LIBMHD_H
#define LH_HTTP_LIBMHD_H

#include "util/error.h"

#include <microhttpd.h>

#define LH_LIBMHD_SONAME "libmicrohttpd.so.12"

struct lh_libmhd {
    __typeof__(MHD_is_feature_supported) *is_feature_supported;
    __typeof__(MHD_start_daemon) *start_daemon;
    __typeof__(MHD_get_daemon_info) *get_daemon_info;
    __typeof__(MHD_quiesce_daemon) *quiesce_daemon;
    __typeof__(MHD_stop_daemon) *stop_daemon;
    __typeof__(MHD_get_connection_info) *get_connection_info;
    __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
    __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
    __typeof__(MHD_create_response_from_buffer_with_free_callback_cls)
        *create_response_from_buffer_with_free_callback_cls;
    __typeof__(MHD_add_response_header) *add_response_header;
    __typeof__(MHD_queue_response) *queue_response;
    __typeof__(MHD_destroy_response) *destroy_response;
};

/*
 * Loads libmicrohttpd on the first call; later calls return the same table. `purpose`
 * says what needs it, for the message ("leakhound serve"). Returns 0 with *out pointing
 * to the immutable table (valid until the process exits; never free it), or LH_EIO when
 * the library cannot be loaded (message: "cannot load libmicrohttpd.so.12 (needed for
 * <purpose>): <dlerror text>"); a failure is final for the process. Thread-safe.
 */
int lh_libmhd_load(const struct lh_libmhd **out, const char *purpose) LH_WUR;

#endif
