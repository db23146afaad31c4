/* SPDX-License-Identifier: MIT */
/*
 * What revocation is configured to do: the routes requests go to and the state directory of
 * the durable spool. Plain data, filled from a trusted configuration file by config/ and
 * from the command line; the revoker (revoke.h) copies what it keeps. Secrets are never
 * here: a route names the environment variable that holds its signing key.
 */
#ifndef LH_NOTIFY_REVOKE_CONFIG_H
#define LH_NOTIFY_REVOKE_CONFIG_H

#include "rules/rule.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

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

/* Initialises a route with the defaults above (url NULL). */
void lh_revoke_route_init(struct lh_revoke_route *r);
void lh_revoke_route_dispose(struct lh_revoke_route *r);

/* A configuration file's `revoke` section. Owns its strings and routes. */
struct lh_revoke_config {
    bool enabled;    /* revoke on every scan */
    char *state_dir; /* the spool directory, or NULL */
    struct lh_revoke_route *routes;
    size_t nroutes;
};

void lh_revoke_config_init(struct lh_revoke_config *c);
/* Frees everything and leaves c as after _init. */
void lh_revoke_config_dispose(struct lh_revoke_config *c);
/* Moves src into dst (dst's previous content is disposed; src is left empty). */
void lh_revoke_config_move(struct lh_revoke_config *dst, struct lh_revoke_config *src);

/*
 * The spool directory: `flag` (the command line), then $LEAKHOUND_STATE_DIR, then c's
 * state_dir (c may be NULL), then $XDG_STATE_HOME/leakhound or ~/.local/state/leakhound.
 * Heap; NULL when none can be found (no HOME) or on OOM.
 */
char *lh_revoke_config_state_dir(const char *flag, const struct lh_revoke_config *c);

/*
 * c's routes (c may be NULL), then one per entry of `urls` (may be NULL) for every rule with
 * the key in the environment variable `secret_env`: a shallow array that borrows from c,
 * urls and secret_env (the revoker copies what it keeps), so the caller frees only the
 * array. *out is NULL when there are no routes. Returns 0 or LH_ENOMEM.
 */
int lh_revoke_config_routes(struct lh_revoke_route **out, size_t *n,
                            const struct lh_revoke_config *c, const struct lh_strlist *urls,
                            char *secret_env) LH_WUR;

#endif
