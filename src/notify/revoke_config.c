/* SPDX-License-Identifier: MIT */
/* Revocation routes and settings; see revoke_config.h. */
#include "notify/revoke_config.h"

#include "notify/revoke.h"

#include <stdlib.h>
#include <string.h>

void lh_revoke_route_init(struct lh_revoke_route *r)
{
    memset(r, 0, sizeof(*r));
    r->min_confidence = LH_CONF_CONFIRMED;
    r->send = LH_SEND_TOKEN;
    r->timeout = 10;
    r->connect_timeout = 5;
    r->max_attempts = 5;
}

void lh_revoke_route_dispose(struct lh_revoke_route *r)
{
    free(r->url);
    free(r->secret_env);
    lh_strlist_dispose(&r->rules);
}

void lh_revoke_config_init(struct lh_revoke_config *c)
{
    memset(c, 0, sizeof(*c));
}

void lh_revoke_config_dispose(struct lh_revoke_config *c)
{
    for (size_t i = 0; i < c->nroutes; i++) {
        lh_revoke_route_dispose(&c->routes[i]);
    }
    free(c->routes);
    free(c->state_dir);
    lh_revoke_config_init(c);
}

void lh_revoke_config_move(struct lh_revoke_config *dst, struct lh_revoke_config *src)
{
    lh_revoke_config_dispose(dst);
    *dst = *src;
    lh_revoke_config_init(src);
}

char *lh_revoke_config_state_dir(const char *flag, const struct lh_revoke_config *c)
{
    if (flag) {
        return strdup(flag);
    }
    const char *env = getenv("LEAKHOUND_STATE_DIR");
    if (!(env && *env) && c && c->state_dir) {
        return strdup(c->state_dir);
    }
    return lh_revoke_default_state_dir();
}

int lh_revoke_config_routes(struct lh_revoke_route **out, size_t *n,
                            const struct lh_revoke_config *c, const struct lh_strlist *urls,
                            char *secret_env)
{
    size_t from_file = c ? c->nroutes : 0;
    size_t total = from_file + (urls ? urls->count : 0);
    *out = NULL;
    *n = 0;
    if (total == 0) {
        return 0;
    }
    struct lh_revoke_route *r = calloc(total, sizeof(*r));
    if (!r) {
        return lh_error_oom();
    }
    for (size_t i = 0; i < total; i++) {
        if (i < from_file) {
            r[i] = c->routes[i];
        } else {
            lh_revoke_route_init(&r[i]);
            r[i].url = urls->items[i - from_file];
            r[i].secret_env = secret_env;
        }
    }
    *out = r;
    *n = total;
    return 0;
}
