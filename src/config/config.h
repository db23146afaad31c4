/* SPDX-License-Identifier: MIT */
/*
 * `.leakhound.yml`: the project configuration file. Plain data; every unknown key is an
 * error naming file:line:col (exit 3), so a typo never silently reduces what is reported.
 * Command-line flags override the file. Secrets never live here: webhook signing keys
 * are named by environment variable (`secret_env`). This module parses; which file is trusted
 * with what (a `.leakhound.yml` found in the scanned tree may not configure revocation) is
 * decided by the CLI (lh_cli_config_load).
 */
#ifndef LH_CONFIG_CONFIG_H
#define LH_CONFIG_CONFIG_H

#include "rules/rule.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lh_revoke_send { LH_SEND_TOKEN = 0, LH_SEND_SHA256 };

struct lh_revoke_route {
    char *url;
    struct lh_strlist rules;           /* rule id globs; empty = all */
    enum lh_confidence min_confidence; /* default confirmed */
    char *secret_env;                  /* env var holding the HMAC key */
    enum lh_revoke_send send;
    double timeout;         /* total seconds per attempt, default 10 */
    double connect_timeout; /* seconds, default 5 */
    unsigned max_attempts;  /* per delivery run, default 5 */
};

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

struct lh_config {
    char *path;                      /* file it came from, or NULL */
    struct lh_strlist rules;         /* extra rule files/dirs (relative to the config file) */
    struct lh_strlist enable_rules;  /* id globs */
    struct lh_strlist disable_rules; /* id globs */
    struct lh_strlist allow_paths;   /* path globs never scanned */
    bool has_min_confidence;
    enum lh_confidence min_confidence; /* findings below are not reported */
    bool has_fail_on;
    enum lh_confidence fail_on;
    bool has_max_decode_depth;
    size_t max_decode_depth; /* levels of decoding (0 to LH_DECODE_MAX_DEPTH) */
    bool has_inline_allow_confirmed;
    bool inline_allow_confirmed; /* false: leakhound:allow never hides a confirmed finding */
    char *baseline;              /* baseline file path */
    char *format;
    int format_line, format_column; /* where `format:` is (checked later, by the CLI) */
    bool untrusted;                 /* found in the scanned tree (lh_cli_config_load) */
    size_t nkeys;                   /* top-level keys in the file */
    bool has_revoke;                /* the file has a `revoke` key */
    int revoke_line;                /* where it is (1-based), for messages */
    /* revoke */
    bool revoke_enabled;
    char *state_dir;
    struct lh_revoke_route *routes;
    size_t nroutes;
    /* serve */
    struct lh_serve_cfg serve;
};

/* Zero-initialises with defaults. */
void lh_config_init(struct lh_config *c);
void lh_config_dispose(struct lh_config *c);

/* Parses a config buffer (name used in messages). LH_EINVAL/LH_ETOOBIG with file:line:col. */
int lh_config_load_buffer(struct lh_config *c, const char *name, const uint8_t *buf,
                          size_t len) LH_WUR;

/* Loads a config file. LH_EIO when unreadable (message names it). */
int lh_config_load_file(struct lh_config *c, const char *path) LH_WUR;

/*
 * Finds `.leakhound.yml` (or `.leakhound.yaml`) at the root of the git repository that
 * contains `start` (or in `start` itself when not in a repository). Heap path or NULL.
 */
char *lh_config_find(const char *start);

/*
 * Forgets the revoke section (enabled, state_dir, routes): what a configuration found in the
 * scanned tree may not decide. has_revoke and revoke_line stay, for the caller's message.
 */
void lh_config_drop_revoke(struct lh_config *c);

/*
 * Moves src's revoke section (enabled, state_dir, routes) into dst, replacing dst's; src
 * keeps none of it. state_dir moves as it is: the caller resolves a relative one first.
 */
void lh_config_take_revoke(struct lh_config *dst, struct lh_config *src);

/*
 * The user's own configuration file: $XDG_CONFIG_HOME/leakhound/config.yml when that variable
 * is an absolute path, else ~/.config/leakhound/config.yml. Heap (NULL without HOME or on OOM);
 * whether it exists is not checked.
 */
char *lh_config_user_path(void);

/* Initialises a route with defaults (for --revoke-url). */
void lh_revoke_route_init(struct lh_revoke_route *r);
void lh_revoke_route_dispose(struct lh_revoke_route *r);

#endif
