/* SPDX-License-Identifier: MIT */
/*
 * Internal to the server (server.c: listening, the daemons' options, start and graceful stop;
 * server_request.c: the libmicrohttpd callbacks that route, collect, answer and log each
 * request). Not for use outside src/http/server*.c.
 */
#ifndef LH_HTTP_SERVER_INT_H
#define LH_HTTP_SERVER_INT_H

#include "http/guard.h"
#include "http/libmhd.h"
#include "http/server.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>

enum route { R_PARTNER, R_HEALTHZ, R_METRICS, R_NOT_FOUND, R_BAD_METHOD };

struct lh_server;

/* The context of the daemon a request arrived on. */
struct listener {
    struct lh_server *s;
    bool admin;
};

struct lh_server {
    const struct lh_libmhd *mhd;
    char *path;
    struct lh_server_app app;
    struct lh_metrics *metrics;
    int log_fd;
    struct lh_guard *guard; /* public listener only */
    struct MHD_Daemon *d;
    struct MHD_Daemon *admin;
    unsigned port;
    unsigned admin_port;
    struct lh_buf cert;
    struct lh_buf key;
    struct listener pub;
    struct listener adm;
    MHD_socket quiesced[2];
    atomic_bool draining;
    atomic_size_t in_flight;
    bool stopped;
    pthread_mutex_t log_lock; /* guards the three log_ fields */
    long long log_second;
    size_t log_count;
    size_t log_dropped;
};

/* ---- server_request.c: the callbacks start_daemon registers ---- */

/* MHD_AccessHandlerCallback; cls is the struct listener the request arrived on. */
enum MHD_Result lh_server_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_data_size,
                                     void **con_cls);
/* MHD_RequestCompletedCallback: writes the access log line and frees the request. */
void lh_server_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                            enum MHD_RequestTerminationCode toe);
/* MHD_NotifyConnectionCallback of the public listener (cls: the server): the guard. */
void lh_server_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                             enum MHD_ConnectionNotificationCode toe);
/* MHD_LogCallback (cls: the server), rate-limited. */
void lh_server_on_mhd_log(void *cls, const char *fmt, va_list ap) LH_PRINTF(2, 0);

#endif
