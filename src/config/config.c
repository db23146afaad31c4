/* SPDX-License-Identifier: MIT */
/*
 * `.leakhound.yml` loader (libyaml document API); see config.h. Each section is parsed by
 * a small table-free function; all of them reject unknown keys with their position.
 */
#include "config/config.h"

#include "decode/decode.h"
#include "session/project.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ROUTES 64
#define MAX_REPORTERS 16
#define MAX_TYPES 1024

struct ctx {
    const char *name;
    yaml_document_t *doc;
};

void lh_config_init(struct lh_config *c)
{
    memset(c, 0, sizeof(*c));
    lh_revoke_config_init(&c->revoke);
    lh_serve_cfg_init(&c->serve);
}

char *lh_config_user_path(void)
{
    char *dir = lh_fs_user_dir(NULL, "XDG_CONFIG_HOME", ".config");
    char *path = dir ? lh_path_join(dir, "config.yml") : NULL;
    free(dir);
    return path;
}

void lh_config_dispose(struct lh_config *c)
{
    free(c->path);
    free(c->dir);
    lh_strlist_dispose(&c->rules);
    lh_strlist_dispose(&c->enable_rules);
    lh_strlist_dispose(&c->disable_rules);
    lh_strlist_dispose(&c->allow_paths);
    free(c->baseline);
    free(c->format);
    lh_revoke_config_dispose(&c->revoke);
    lh_serve_cfg_dispose(&c->serve);
    memset(c, 0, sizeof(*c));
}

static int push_cb(const char *s, yaml_node_t *item, void *payload)
{
    (void)item;
    return lh_strlist_push(payload, s);
}

static int strlist(struct ctx *c, yaml_node_t *n, struct lh_strlist *out)
{
    return lh_yaml_each_string(c->name, c->doc, n, push_cb, out);
}

static int confidence(struct ctx *c, yaml_node_t *n, enum lh_confidence *out)
{
    if (lh_confidence_parse(out, lh_yaml_scalar(c->doc, n)) < 0) {
        return lh_yaml_error(c->name, n, "expected confirmed, probable or low");
    }
    return 0;
}

static int seconds(struct ctx *c, yaml_node_t *n, double *out)
{
    int rc = lh_yaml_double(out, c->name, c->doc, n);
    if (rc == 0 && (*out <= 0 || *out > 3600)) {
        return lh_yaml_error(c->name, n, "expected seconds between 0 and 3600");
    }
    return rc;
}

struct keyref {
    const char *key;
    size_t index; /* pair index */
    const yaml_node_t *node;
};

static int cmp_keyref(const void *a, const void *b)
{
    const struct keyref *x = a;
    const struct keyref *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/*
 * Checks that n is a mapping without repeated keys. libyaml accepts a repeated key and the
 * loaders below would let the last one win (or merge lists), so a second `min_confidence:`
 * further down a long file could silently change what is reported. The keys are sorted, not
 * compared pairwise (quadratic: a type_map of 200,000 keys took minutes); the key reported
 * is still the first repeat in document order, with the line of its first occurrence.
 */
static int mapping(struct ctx *c, yaml_node_t *n, const char *what)
{
    if (n->type != YAML_MAPPING_NODE) {
        return lh_yaml_error(c->name, n, "%s must be a mapping", what);
    }
    size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (count < 2) {
        return 0;
    }
    struct keyref *keys = malloc(count * sizeof(*keys));
    if (!keys) {
        return lh_error_oom();
    }
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *kn = yaml_document_get_node(c->doc, n->data.mapping.pairs.start[i].key);
        const char *key = lh_yaml_scalar(c->doc, kn);
        if (key) {
            keys[k++] = (struct keyref){key, i, kn};
        }
    }
    qsort(keys, k, sizeof(*keys), cmp_keyref);
    const struct keyref *dup = NULL;
    const struct keyref *first = NULL;
    for (size_t j = 1, start = 0; j < k; j++) {
        if (strcmp(keys[j].key, keys[start].key) != 0) {
            start = j;
        } else if (j == start + 1 && (!dup || keys[j].index < dup->index)) {
            dup = &keys[j];
            first = &keys[start];
        }
    }
    int rc = 0;
    if (dup) {
        rc = lh_yaml_error(c->name, dup->node, "duplicate key '%s' (first at line %zu)", dup->key,
                           first->node->start_mark.line + 1);
    }
    free(keys);
    return rc;
}

static int parse_route(struct ctx *c, yaml_node_t *n, struct lh_revoke_route *r)
{
    int rc = mapping(c, n, "a revoke route");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         rc == 0 && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = lh_yaml_scalar(c->doc, k);
        if (!key) {
            rc = lh_yaml_error(c->name, k, "keys must be strings");
        } else if (!strcmp(key, "url")) {
            rc = lh_yaml_strdup(&r->url, c->name, c->doc, v);
            if (rc == 0 && strncmp(r->url, "https://", 8) != 0 &&
                strncmp(r->url, "http://", 7) != 0) {
                rc = lh_yaml_error(c->name, v, "url must start with https:// or http://");
            }
        } else if (!strcmp(key, "rules")) {
            rc = strlist(c, v, &r->rules);
        } else if (!strcmp(key, "min_confidence")) {
            rc = confidence(c, v, &r->min_confidence);
        } else if (!strcmp(key, "secret_env")) {
            rc = lh_yaml_strdup(&r->secret_env, c->name, c->doc, v);
        } else if (!strcmp(key, "send")) {
            const char *s = lh_yaml_scalar(c->doc, v);
            if (s && !strcmp(s, "token")) {
                r->send = LH_SEND_TOKEN;
            } else if (s && !strcmp(s, "sha256")) {
                r->send = LH_SEND_SHA256;
            } else {
                rc = lh_yaml_error(c->name, v, "send must be token or sha256");
            }
        } else if (!strcmp(key, "timeout")) {
            rc = seconds(c, v, &r->timeout);
        } else if (!strcmp(key, "connect_timeout")) {
            rc = seconds(c, v, &r->connect_timeout);
        } else if (!strcmp(key, "max_attempts")) {
            size_t a = 0;
            rc = lh_yaml_size(&a, c->name, c->doc, v);
            if (rc == 0 && (a < 1 || a > 100)) {
                rc = lh_yaml_error(c->name, v, "max_attempts must be between 1 and 100");
            }
            r->max_attempts = (unsigned)a;
        } else {
            rc = lh_yaml_error(c->name, k,
                               "unknown revoke route key '%s' (expected url, rules, "
                               "min_confidence, secret_env, send, timeout, connect_timeout, "
                               "max_attempts)",
                               key);
        }
    }
    if (rc == 0 && !r->url) {
        rc = lh_yaml_error(c->name, n, "revoke route has no url");
    }
    return rc;
}

typedef int (*item_fn)(struct ctx *c, yaml_node_t *n, void *item);

/*
 * Parses a YAML list into a growing array of `size`-byte elements (at most `max`): each new
 * element is zeroed and handed to `parse`, which initialises and fills it.
 */
static int parse_list(struct ctx *c, yaml_node_t *v, const char *what, size_t max, void **arr,
                      size_t *count, size_t size, item_fn parse)
{
    if (v->type != YAML_SEQUENCE_NODE) {
        return lh_yaml_error(c->name, v, "%s must be a list", what);
    }
    int rc = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         rc == 0 && it < v->data.sequence.items.top; it++) {
        if (*count >= max) {
            return lh_yaml_error(c->name, v, "more than %zu %s", max, what);
        }
        char *a = realloc(*arr, (*count + 1) * size);
        if (!a) {
            return lh_error_oom();
        }
        *arr = a;
        memset(a + *count * size, 0, size);
        (*count)++;
        rc = parse(c, yaml_document_get_node(c->doc, *it), a + (*count - 1) * size);
    }
    return rc;
}

static int route_item(struct ctx *c, yaml_node_t *n, void *item)
{
    lh_revoke_route_init(item);
    return parse_route(c, n, item);
}

static int parse_revoke(struct ctx *c, struct lh_config *cfg, yaml_node_t *n)
{
    if (n->type == YAML_SCALAR_NODE) {
        return lh_yaml_bool(&cfg->revoke.enabled, c->name, c->doc, n);
    }
    int rc = mapping(c, n, "revoke");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         rc == 0 && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = lh_yaml_scalar(c->doc, k);
        if (key && !strcmp(key, "enabled")) {
            rc = lh_yaml_bool(&cfg->revoke.enabled, c->name, c->doc, v);
        } else if (key && !strcmp(key, "state_dir")) {
            rc = lh_yaml_strdup(&cfg->revoke.state_dir, c->name, c->doc, v);
        } else if (key && !strcmp(key, "routes")) {
            rc = parse_list(c, v, "routes", MAX_ROUTES, (void **)&cfg->revoke.routes,
                            &cfg->revoke.nroutes, sizeof(*cfg->revoke.routes), route_item);
        } else {
            rc = lh_yaml_error(c->name, k,
                               "unknown revoke key '%s' (expected enabled, state_dir, routes)",
                               key ? key : "?");
        }
    }
    return rc;
}

static int parse_reporter(struct ctx *c, yaml_node_t *n, struct lh_reporter_cfg *r)
{
    int rc = mapping(c, n, "a reporter");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         rc == 0 && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = lh_yaml_scalar(c->doc, k);
        char **dst = NULL;
        if (key && !strcmp(key, "name")) {
            dst = &r->name;
        } else if (key && !strcmp(key, "key_id_header")) {
            dst = &r->key_id_header;
        } else if (key && !strcmp(key, "signature_header")) {
            dst = &r->signature_header;
        } else if (key && !strcmp(key, "keys_file")) {
            dst = &r->keys_file;
        } else if (key && !strcmp(key, "keys_url")) {
            dst = &r->keys_url;
        }
        if (!dst) {
            rc = lh_yaml_error(c->name, k,
                               "unknown reporter key '%s' (expected name, key_id_header, "
                               "signature_header, keys_file, keys_url)",
                               key ? key : "?");
        } else {
            rc = lh_yaml_strdup(dst, c->name, c->doc, v);
        }
    }
    if (rc == 0 && (!r->name || !r->key_id_header || !r->signature_header ||
                    (!r->keys_file && !r->keys_url))) {
        rc = lh_yaml_error(c->name, n,
                           "a reporter needs name, key_id_header, signature_header and "
                           "keys_file or keys_url");
    }
    return rc;
}

static int reporter_item(struct ctx *c, yaml_node_t *n, void *item)
{
    return parse_reporter(c, n, item);
}

static int parse_type_map(struct ctx *c, struct lh_serve_cfg *s, yaml_node_t *n)
{
    int rc = mapping(c, n, "type_map");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         rc == 0 && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = lh_yaml_scalar(c->doc, k);
        if (!key) {
            return lh_yaml_error(c->name, k, "type names must be strings");
        }
        if (s->ntype_map >= MAX_TYPES) {
            return lh_yaml_error(c->name, k, "more than %d types", MAX_TYPES);
        }
        struct lh_type_map_entry *t = realloc(s->type_map, (s->ntype_map + 1) * sizeof(*t));
        if (!t) {
            return lh_error_oom();
        }
        s->type_map = t;
        memset(&t[s->ntype_map], 0, sizeof(*t));
        t[s->ntype_map].type = strdup(key);
        s->ntype_map++;
        if (!t[s->ntype_map - 1].type) {
            return lh_error_oom();
        }
        rc = strlist(c, v, &t[s->ntype_map - 1].rule_ids);
    }
    return rc;
}

static int parse_serve(struct ctx *c, struct lh_serve_cfg *s, yaml_node_t *n)
{
    int rc = mapping(c, n, "serve");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         rc == 0 && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = lh_yaml_scalar(c->doc, k);
        size_t num = 0;
        if (!key) {
            rc = lh_yaml_error(c->name, k, "keys must be strings");
        } else if (!strcmp(key, "listen")) {
            rc = lh_yaml_strdup(&s->listen, c->name, c->doc, v);
        } else if (!strcmp(key, "path")) {
            rc = lh_yaml_strdup(&s->path, c->name, c->doc, v);
            if (rc == 0 && s->path[0] != '/') {
                rc = lh_yaml_error(c->name, v, "path must start with '/'");
            }
        } else if (!strcmp(key, "tls_cert")) {
            rc = lh_yaml_strdup(&s->tls_cert, c->name, c->doc, v);
        } else if (!strcmp(key, "tls_key")) {
            rc = lh_yaml_strdup(&s->tls_key, c->name, c->doc, v);
        } else if (!strcmp(key, "admin_listen")) {
            rc = lh_yaml_strdup(&s->admin_listen, c->name, c->doc, v);
        } else if (!strcmp(key, "flush_interval")) {
            rc = seconds(c, v, &s->flush_interval);
        } else if (!strcmp(key, "keys_ttl")) {
            rc = seconds(c, v, &s->keys_ttl);
        } else if (!strcmp(key, "keys_refetch")) {
            rc = seconds(c, v, &s->keys_refetch);
        } else if (!strcmp(key, "max_body")) {
            rc = lh_yaml_size(&s->max_body, c->name, c->doc, v);
            if (rc == 0 && (s->max_body < 64 || s->max_body > 256u * 1024u * 1024u)) {
                rc = lh_yaml_error(c->name, v, "max_body must be between 64 bytes and 256 MiB");
            }
        } else if (!strcmp(key, "max_connections")) {
            rc = lh_yaml_size(&s->max_connections, c->name, c->doc, v);
            if (rc == 0 && (s->max_connections < 1 || s->max_connections > 100000)) {
                rc = lh_yaml_error(c->name, v, "max_connections must be between 1 and 100000");
            }
        } else if (!strcmp(key, "max_connections_per_ip")) {
            rc = lh_yaml_size(&s->max_connections_per_ip, c->name, c->doc, v);
            if (rc == 0 && s->max_connections_per_ip > 100000) {
                rc = lh_yaml_error(c->name, v,
                                   "max_connections_per_ip must be between 0 and 100000");
            }
        } else if (!strcmp(key, "header_timeout")) {
            rc = seconds(c, v, &s->header_timeout);
        } else if (!strcmp(key, "request_timeout")) {
            rc = seconds(c, v, &s->request_timeout);
        } else if (!strcmp(key, "body_budget")) {
            rc = lh_yaml_size(&s->body_budget, c->name, c->doc, v);
            if (rc == 0 &&
                (s->body_budget < 64 || s->body_budget > 16ull * 1024u * 1024u * 1024u)) {
                rc = lh_yaml_error(c->name, v, "body_budget must be between 64 bytes and 16 GiB");
            }
        } else if (!strcmp(key, "timeout")) {
            rc = lh_yaml_size(&num, c->name, c->doc, v);
            if (rc == 0 && (num < 1 || num > 3600)) {
                rc = lh_yaml_error(c->name, v, "timeout must be between 1 and 3600 seconds");
            }
            s->timeout = (unsigned)num;
        } else if (!strcmp(key, "threads")) {
            rc = lh_yaml_size(&num, c->name, c->doc, v);
            if (rc == 0 && (num < 1 || num > 256)) {
                rc = lh_yaml_error(c->name, v, "threads must be between 1 and 256");
            }
            s->threads = (unsigned)num;
        } else if (!strcmp(key, "feedback")) {
            const char *f = lh_yaml_scalar(c->doc, v);
            if (f && !strcmp(f, "token_hash")) {
                s->feedback_raw = false;
            } else if (f && !strcmp(f, "token_raw")) {
                s->feedback_raw = true;
            } else {
                rc = lh_yaml_error(c->name, v, "feedback must be token_hash or token_raw");
            }
        } else if (!strcmp(key, "type_map")) {
            rc = parse_type_map(c, s, v);
        } else if (!strcmp(key, "reporters")) {
            rc = parse_list(c, v, "reporters", MAX_REPORTERS, (void **)&s->reporters,
                            &s->nreporters, sizeof(*s->reporters), reporter_item);
        } else {
            rc = lh_yaml_error(c->name, k,
                               "unknown serve key '%s' (expected listen, path, tls_cert, "
                               "tls_key, admin_listen, max_body, max_connections, "
                               "max_connections_per_ip, timeout, header_timeout, "
                               "request_timeout, body_budget, "
                               "threads, feedback, flush_interval, keys_ttl, keys_refetch, "
                               "type_map, reporters)",
                               key);
        }
    }
    return rc;
}

int lh_config_load_buffer(struct lh_config *cfg, const char *name, const uint8_t *buf, size_t len)
{
    yaml_document_t doc;
    int rc = lh_yaml_load(&doc, name, buf, len);
    if (rc < 0) {
        return rc;
    }
    struct ctx c = {name, &doc};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        goto out; /* an empty file is a valid, empty configuration */
    }
    rc = mapping(&c, root, "the configuration");
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         rc == 0 && p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&doc, p->key);
        yaml_node_t *v = yaml_document_get_node(&doc, p->value);
        const char *key = lh_yaml_scalar(&doc, k);
        cfg->nkeys++;
        if (!key) {
            rc = lh_yaml_error(name, k, "keys must be strings");
        } else if (!strcmp(key, "rules")) {
            rc = strlist(&c, v, &cfg->rules);
        } else if (!strcmp(key, "enable_rules")) {
            rc = strlist(&c, v, &cfg->enable_rules);
        } else if (!strcmp(key, "disable_rules")) {
            rc = strlist(&c, v, &cfg->disable_rules);
        } else if (!strcmp(key, "allow_paths")) {
            rc = strlist(&c, v, &cfg->allow_paths);
        } else if (!strcmp(key, "min_confidence")) {
            rc = confidence(&c, v, &cfg->min_confidence);
            cfg->has_min_confidence = true;
        } else if (!strcmp(key, "fail_on")) {
            rc = confidence(&c, v, &cfg->fail_on);
            cfg->has_fail_on = true;
        } else if (!strcmp(key, "max_decode_depth")) {
            rc = lh_yaml_size(&cfg->max_decode_depth, name, &doc, v);
            if (rc == 0 && cfg->max_decode_depth > LH_DECODE_MAX_DEPTH) {
                rc = lh_yaml_error(name, v, "max_decode_depth must be between 0 and %d",
                                   LH_DECODE_MAX_DEPTH);
            }
            cfg->has_max_decode_depth = true;
        } else if (!strcmp(key, "inline_allow_confirmed")) {
            rc = lh_yaml_bool(&cfg->inline_allow_confirmed, name, &doc, v);
            cfg->has_inline_allow_confirmed = true;
        } else if (!strcmp(key, "baseline")) {
            rc = lh_yaml_strdup(&cfg->baseline, name, &doc, v);
            if (rc == 0 && !cfg->baseline[0]) {
                rc = lh_yaml_error(name, v, "baseline must be a file path, not empty");
            }
        } else if (!strcmp(key, "format")) {
            rc = lh_yaml_strdup(&cfg->format, name, &doc, v);
            cfg->format_line = (int)v->start_mark.line + 1;
            cfg->format_column = (int)v->start_mark.column + 1;
            if (rc == 0 && !cfg->format[0]) {
                rc = lh_yaml_error(name, v, "format must not be empty");
            }
        } else if (!strcmp(key, "revoke")) {
            cfg->has_revoke = true;
            cfg->revoke_line = (int)k->start_mark.line + 1;
            rc = parse_revoke(&c, cfg, v);
        } else if (!strcmp(key, "serve")) {
            rc = parse_serve(&c, &cfg->serve, v);
        } else {
            rc = lh_yaml_error(name, k,
                               "unknown key '%s' (expected rules, enable_rules, disable_rules, "
                               "allow_paths, min_confidence, fail_on, max_decode_depth, "
                               "inline_allow_confirmed, "
                               "baseline, format, revoke, serve)",
                               key);
        }
    }
out:
    yaml_document_delete(&doc);
    return rc;
}

/* Makes *p, a path named in the file, relative to the file's directory (absolute stays). */
static int resolve(char **p, const char *dir)
{
    if (!*p || (*p)[0] == '/' || !(*p)[0] || !strcmp(dir, ".")) {
        return 0;
    }
    char *joined = lh_path_join(dir, *p);
    if (!joined) {
        return lh_error_oom();
    }
    free(*p);
    *p = joined;
    return 0;
}

static int resolve_all(struct lh_config *cfg)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < cfg->rules.count; i++) {
        rc = resolve(&cfg->rules.items[i], cfg->dir);
    }
    rc = rc ? rc : resolve(&cfg->baseline, cfg->dir);
    rc = rc ? rc : resolve(&cfg->revoke.state_dir, cfg->dir);
    rc = rc ? rc : resolve(&cfg->serve.tls_cert, cfg->dir);
    rc = rc ? rc : resolve(&cfg->serve.tls_key, cfg->dir);
    for (size_t i = 0; rc == 0 && i < cfg->serve.nreporters; i++) {
        rc = resolve(&cfg->serve.reporters[i].keys_file, cfg->dir);
    }
    return rc;
}

int lh_config_load_file(struct lh_config *cfg, const char *path)
{
    struct lh_buf b;
    lh_buf_init(&b, LH_YAML_MAX_BYTES);
    int rc = lh_fs_read_file(&b, path);
    if (rc == 0) {
        rc = lh_config_load_buffer(cfg, path, (const uint8_t *)(b.ptr ? b.ptr : ""), b.len);
    }
    if (rc == 0) {
        const char *slash = strrchr(path, '/');
        cfg->path = strdup(path);
        cfg->dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
        rc = cfg->path && cfg->dir ? resolve_all(cfg) : lh_error_oom();
    }
    lh_buf_dispose(&b);
    return rc;
}

static char *probe(const char *dir)
{
    static const char *const names[] = {".leakhound.yml", ".leakhound.yaml"};
    for (size_t i = 0; i < 2; i++) {
        char *p = lh_path_join(dir, names[i]);
        if (p && access(p, F_OK) == 0) {
            return p;
        }
        free(p);
    }
    return NULL;
}

char *lh_config_find(const char *start)
{
    /* at the repository root; else in start itself */
    char *root = lh_project_git_root(start);
    char *found = root ? probe(root) : NULL;
    free(root);
    if (!found) {
        found = probe(start ? start : ".");
    }
    return found;
}
