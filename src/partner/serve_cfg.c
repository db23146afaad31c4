/* SPDX-License-Identifier: MIT */
/* The partner endpoint's settings; see serve_cfg.h. */
#include "partner/serve_cfg.h"

#include <stdlib.h>
#include <string.h>

void lh_serve_cfg_init(struct lh_serve_cfg *s)
{
    memset(s, 0, sizeof(*s));
    s->max_body = 1024u * 1024u;
    s->max_connections = 1000;
    s->max_connections_per_ip = LH_SERVE_DEFAULT_PER_IP;
    s->timeout = 30;
    s->header_timeout = 10;
    s->request_timeout = 30;
    s->body_budget = 64u * 1024u * 1024u;
    s->threads = 4;
}

void lh_serve_cfg_dispose(struct lh_serve_cfg *s)
{
    free(s->listen);
    free(s->path);
    free(s->tls_cert);
    free(s->tls_key);
    free(s->admin_listen);
    for (size_t i = 0; i < s->nreporters; i++) {
        struct lh_reporter_cfg *r = &s->reporters[i];
        free(r->name);
        free(r->key_id_header);
        free(r->signature_header);
        free(r->keys_file);
        free(r->keys_url);
    }
    free(s->reporters);
    for (size_t i = 0; i < s->ntype_map; i++) {
        free(s->type_map[i].type);
        lh_strlist_dispose(&s->type_map[i].rule_ids);
    }
    free(s->type_map);
    memset(s, 0, sizeof(*s));
}
