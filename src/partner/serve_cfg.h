/* SPDX-License-Identifier: MIT */
/*
 * The partner endpoint's settings (`serve:` in the configuration file, overridden by the
 * options of `leakhound serve`): listeners, limits, timeouts, the reporters whose signed
 * requests it accepts and the map from partner token types to rules. Plain data that
 * config/ fills; the server, the handler and the key rings read it.
 */
#ifndef LH_PARTNER_SERVE_CFG_H
#define LH_PARTNER_SERVE_CFG_H

#include "rules/rule.h"

#include <stdbool.h>
#include <stddef.h>

struct lh_reporter_cfg {
    char *name;             /* "github", "depsdev" */
    char *key_id_header;    /* Github-Public-Key-Identifier */
    char *signature_header; /* Github-Public-Key-Signature */
    char *keys_file;        /* local public-keys JSON */
    char *keys_url;         /* optional refresh URL */
};

struct lh_type_map_entry {
    char *type;                 /* partner secret type name */
    struct lh_strlist rule_ids; /* rule id globs */
};

/* Connections from one client address, unless configured (0: no limit, behind a proxy). */
#define LH_SERVE_DEFAULT_PER_IP 64

struct lh_serve_cfg {
    char *listen; /* host:port, default 127.0.0.1:8080 */
    char *path;   /* default /github/secret-scanning */
    char *tls_cert;
    char *tls_key;
    size_t max_body;               /* default 1 MiB */
    size_t max_connections;        /* default 1000 */
    size_t max_connections_per_ip; /* default LH_SERVE_DEFAULT_PER_IP; 0: no limit */
    unsigned timeout;              /* idle seconds per connection, default 30 */
    double header_timeout;         /* seconds to complete the request headers, default 10 */
    double request_timeout;        /* seconds until the answer is sent, default 30 */
    size_t body_budget;            /* request body bytes held at once, default 64 MiB */
    unsigned threads;              /* default 4 */
    bool feedback_raw;             /* token_raw instead of token_hash */
    char *admin_listen;            /* optional /healthz + /metrics listener */
    double flush_interval;         /* revocation spool delivery, seconds; 0: default 5 */
    double keys_ttl;               /* key-list URL refresh, seconds; 0: default 1800 */
    double keys_refetch;           /* least seconds between refetches for unknown ids; 0: 60 */
    struct lh_reporter_cfg *reporters;
    size_t nreporters;
    struct lh_type_map_entry *type_map;
    size_t ntype_map;
};

/* Zeroes and sets the defaults above. */
void lh_serve_cfg_init(struct lh_serve_cfg *s);
/* Frees everything; s is left zeroed. */
void lh_serve_cfg_dispose(struct lh_serve_cfg *s);

#endif
