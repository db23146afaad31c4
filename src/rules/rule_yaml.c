/* SPDX-License-Identifier: MIT */
/*
 * One rule from its YAML mapping; see rule_yaml.h. Scalars, lists, the validator with its
 * parameters, allow-lists, examples and decode settings each have their parser; every key
 * not listed here is an error, so a typo never silently weakens detection.
 */
#include "rules/rule_yaml.h"

#include "decode/decode.h"
#include "rules/ruleset.h"
#include "util/yaml.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_LENGTH 1024
#define MAX_MAX_LENGTH (1024 * 1024)

struct ctx {
    const char *name;
    yaml_document_t *doc;
};

static int push_cb(const char *s, yaml_node_t *item, void *payload)
{
    (void)item;
    return lh_strlist_push(payload, s);
}

static int strlist(struct ctx *c, yaml_node_t *n, struct lh_strlist *out)
{
    return lh_yaml_each_string(c->name, c->doc, n, push_cb, out);
}

static int nonempty_cb(const char *s, yaml_node_t *item, void *payload)
{
    struct ctx *c = payload;
    if (!*s) {
        return lh_yaml_error(c->name, item, "empty string not allowed here");
    }
    return 0;
}

static int parse_params(struct ctx *c, struct lh_rule *r, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        return lh_yaml_error(c->name, n, "validator parameters must be a mapping");
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = lh_yaml_scalar(c->doc, k);
        if (!key) {
            return lh_yaml_error(c->name, k, "parameter name must be a string");
        }
        struct lh_strlist vals = {0};
        int rc = strlist(c, v, &vals);
        if (rc < 0) {
            lh_strlist_dispose(&vals);
            return rc;
        }
        size_t total = 1;
        for (size_t i = 0; i < vals.count; i++) {
            total += strlen(vals.items[i]) + 1;
        }
        char *joined = calloc(1, total);
        struct lh_param *ps = realloc(r->params, (r->nparams + 1) * sizeof(*ps));
        if (!joined || !ps) {
            free(joined);
            if (ps) {
                r->params = ps;
            }
            lh_strlist_dispose(&vals);
            return lh_error_oom();
        }
        r->params = ps;
        size_t off = 0;
        for (size_t i = 0; i < vals.count; i++) {
            size_t l = strlen(vals.items[i]);
            if (i) {
                joined[off++] = ',';
            }
            memcpy(joined + off, vals.items[i], l);
            off += l;
        }
        lh_strlist_dispose(&vals);
        ps[r->nparams].key = strdup(key);
        ps[r->nparams].value = joined;
        r->nparams++;
        if (!ps[r->nparams - 1].key) {
            return lh_error_oom();
        }
    }
    return 0;
}

/* `validator: name` or `validator: {name: x, <params>...}` */
static int parse_validator(struct ctx *c, struct lh_rule *r, yaml_node_t *n)
{
    if (n->type == YAML_SCALAR_NODE) {
        return lh_yaml_strdup(&r->validator, c->name, c->doc, n);
    }
    if (n->type != YAML_MAPPING_NODE) {
        return lh_yaml_error(c->name, n, "validator must be a name or a mapping with 'name'");
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = lh_yaml_scalar(c->doc, k);
        int rc;
        if (key && !strcmp(key, "name")) {
            rc = lh_yaml_strdup(&r->validator, c->name, c->doc, v);
        } else if (key && !strcmp(key, "params")) {
            rc = parse_params(c, r, v);
        } else {
            rc = lh_yaml_error(c->name, k, "unknown validator key '%s' (expected name, params)",
                               key ? key : "?");
        }
        if (rc < 0) {
            return rc;
        }
    }
    if (!r->validator) {
        return lh_yaml_error(c->name, n, "validator has no 'name'");
    }
    return 0;
}

static int parse_allow(struct ctx *c, struct lh_rule *r, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        return lh_yaml_error(c->name, n, "allow must be a mapping (regexes, stopwords, paths)");
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = lh_yaml_scalar(c->doc, k);
        int rc;
        if (key && !strcmp(key, "regexes")) {
            rc = strlist(c, v, &r->allow_regexes);
        } else if (key && !strcmp(key, "stopwords")) {
            rc = strlist(c, v, &r->allow_stopwords);
        } else if (key && !strcmp(key, "paths")) {
            rc = strlist(c, v, &r->allow_paths);
        } else {
            rc = lh_yaml_error(c->name, k,
                               "unknown allow key '%s' (expected regexes, stopwords, paths)",
                               key ? key : "?");
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/*
 * examples / negative_examples: a list of strings, or of {text, secret, path} mappings
 * (`secret`: the expected secret, examples only; `path`: the path the text is scanned as,
 * for rules bound to `paths`).
 */
static int parse_examples(struct ctx *c, struct lh_strlist *texts, struct lh_strlist *secrets,
                          struct lh_strlist *paths, yaml_node_t *n)
{
    const char *what = secrets ? "examples" : "negative_examples";
    if (n->type != YAML_SEQUENCE_NODE) {
        return lh_yaml_error(c->name, n, "%s must be a list", what);
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        const char *text = lh_yaml_scalar(c->doc, e);
        const char *secret = "";
        const char *path = "";
        if (!text && e->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = e->data.mapping.pairs.start; p < e->data.mapping.pairs.top;
                 p++) {
                yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
                const char *key = lh_yaml_scalar(c->doc, k);
                const char *val = lh_yaml_scalar(c->doc, yaml_document_get_node(c->doc, p->value));
                if (key && val && !strcmp(key, "text")) {
                    text = val;
                } else if (key && val && secrets && !strcmp(key, "secret")) {
                    secret = val;
                } else if (key && val && !strcmp(key, "path")) {
                    path = val;
                } else {
                    return lh_yaml_error(c->name, k, "unknown %s key '%s' (expected text, %spath)",
                                         what, key ? key : "?", secrets ? "secret, " : "");
                }
            }
        }
        if (!text) {
            return lh_yaml_error(c->name, e, "an example must be a string or {text, %spath}",
                                 secrets ? "secret, " : "");
        }
        int rc = lh_strlist_push(texts, text);
        if (rc == 0 && secrets) {
            rc = lh_strlist_push(secrets, secret);
        }
        if (rc == 0) {
            rc = lh_strlist_push(paths, path);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* A list of non-empty strings (keywords, prefilters, paths). */
static int nonempty_strlist(struct ctx *c, yaml_node_t *n, struct lh_strlist *out)
{
    int rc = strlist(c, n, out);
    return rc ? rc : lh_yaml_each_string(c->name, c->doc, n, nonempty_cb, c);
}

/* A scalar that must be one of names (NULL-terminated): its index in *out, or the error. */
static int choice(int *out, struct ctx *c, yaml_node_t *n, const char *const *names,
                  const char *error)
{
    const char *s = lh_yaml_scalar(c->doc, n);
    for (int i = 0; s && names[i]; i++) {
        if (!strcmp(s, names[i])) {
            *out = i;
            return 0;
        }
    }
    return lh_yaml_error(c->name, n, "%s", error);
}

/*
 * `decode: [base64, percent, escape, hex]`: the decoded text the rule is matched in
 * (decode/decode.h); `[]` keeps the rule to plain text. Unknown or repeated names are errors.
 */
static int parse_decode(struct ctx *c, struct lh_rule *r, yaml_node_t *n)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        return lh_yaml_error(c->name, n, "decode must be a list of base64, percent, escape, hex");
    }
    r->decode = 0;
    r->has_decode = true;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        enum lh_decode_kind k;
        if (lh_decode_kind_parse(&k, lh_yaml_scalar(c->doc, e)) < 0) {
            return lh_yaml_error(c->name, e, "decode takes base64, percent, escape or hex");
        }
        if (r->decode & LH_DECODE_BIT(k)) {
            return lh_yaml_error(c->name, e, "decode lists '%s' twice", lh_decode_kind_name(k));
        }
        r->decode |= LH_DECODE_BIT(k);
    }
    return 0;
}

static void set_pos(struct lh_srcpos *pos, const char *file, const yaml_node_t *n)
{
    pos->file = file;
    pos->line = (int)n->start_mark.line + 1;
    pos->column = (int)n->start_mark.column + 1;
}

static int parse_rule(struct ctx *c, const char *file, yaml_node_t *n, struct lh_rule **out)
{
    if (n->type != YAML_MAPPING_NODE) {
        return lh_yaml_error(c->name, n, "a rule must be a mapping");
    }
    struct lh_rule *r = calloc(1, sizeof(*r));
    if (!r) {
        return lh_error_oom();
    }
    r->confidence = LH_CONF_PROBABLE;
    r->max_length = DEFAULT_MAX_LENGTH;
    set_pos(&r->pos, file, n);
    set_pos(&r->pattern_pos, file, n);
    bool has_conf = false;
    bool has_examples = false;
    int rc = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = lh_yaml_scalar(c->doc, k);
        if (!key) {
            rc = lh_yaml_error(c->name, k, "rule keys must be strings");
        } else if (!strcmp(key, "id")) {
            rc = lh_yaml_strdup(&r->id, c->name, c->doc, v);
            set_pos(&r->pos, file, v);
        } else if (!strcmp(key, "name")) {
            rc = lh_yaml_strdup(&r->name, c->name, c->doc, v);
        } else if (!strcmp(key, "description")) {
            rc = lh_yaml_strdup(&r->description, c->name, c->doc, v);
        } else if (!strcmp(key, "remediation")) {
            rc = lh_yaml_strdup(&r->remediation, c->name, c->doc, v);
        } else if (!strcmp(key, "provider")) {
            rc = lh_yaml_strdup(&r->provider, c->name, c->doc, v);
        } else if (!strcmp(key, "keywords")) {
            rc = nonempty_strlist(c, v, &r->keywords);
        } else if (!strcmp(key, "keywords_case")) {
            static const char *const names[] = {"sensitive", "insensitive", NULL};
            int pick = 0;
            rc = choice(&pick, c, v, names, "keywords_case must be sensitive or insensitive");
            r->keywords_caseless = pick == 1;
        } else if (!strcmp(key, "keywords_boundary")) {
            /* in the order of enum lh_kw_boundary */
            static const char *const names[] = {"none", "identifier", "start", NULL};
            int pick = 0;
            rc = choice(&pick, c, v, names, "keywords_boundary must be identifier, start or none");
            r->keywords_boundary = (enum lh_kw_boundary)pick;
        } else if (!strcmp(key, "yields")) {
            rc = lh_yaml_bool(&r->yields, c->name, c->doc, v);
        } else if (!strcmp(key, "prefilter")) {
            rc = nonempty_strlist(c, v, &r->prefilters);
        } else if (!strcmp(key, "paths")) {
            rc = nonempty_strlist(c, v, &r->paths);
        } else if (!strcmp(key, "pattern")) {
            rc = lh_yaml_strdup(&r->pattern, c->name, c->doc, v);
            set_pos(&r->pattern_pos, file, v);
        } else if (!strcmp(key, "validator")) {
            rc = parse_validator(c, r, v);
        } else if (!strcmp(key, "validator_on_fail")) {
            static const char *const names[] = {"drop", "probable", NULL};
            int pick = 0;
            rc = choice(&pick, c, v, names, "validator_on_fail must be drop or probable");
            r->validator_soft = pick == 1;
        } else if (!strcmp(key, "min_entropy")) {
            rc = lh_yaml_double(&r->min_entropy, c->name, c->doc, v);
            if (rc == 0 && r->min_entropy > 8.0) {
                rc = lh_yaml_error(c->name, v, "min_entropy is in bits per byte (0 to 8)");
            }
        } else if (!strcmp(key, "allow")) {
            rc = parse_allow(c, r, v);
        } else if (!strcmp(key, "confidence")) {
            rc = lh_confidence_parse(&r->confidence, lh_yaml_scalar(c->doc, v));
            if (rc < 0 || r->confidence == LH_CONF_CONFIRMED) {
                rc = lh_yaml_error(c->name, v,
                                   "confidence must be probable or low (confirmed comes only "
                                   "from a validator)");
            }
            has_conf = true;
        } else if (!strcmp(key, "enabled")) {
            bool en = true;
            rc = lh_yaml_bool(&en, c->name, c->doc, v);
            r->opt_in = !en;
        } else if (!strcmp(key, "max_length")) {
            rc = lh_yaml_size(&r->max_length, c->name, c->doc, v);
            if (rc == 0 && (r->max_length < 8 || r->max_length > MAX_MAX_LENGTH)) {
                rc = lh_yaml_error(c->name, v, "max_length must be between 8 and %d",
                                   MAX_MAX_LENGTH);
            }
        } else if (!strcmp(key, "decode")) {
            rc = parse_decode(c, r, v);
        } else if (!strcmp(key, "references")) {
            rc = strlist(c, v, &r->references);
        } else if (!strcmp(key, "examples")) {
            rc = parse_examples(c, &r->examples, &r->example_secrets, &r->example_paths, v);
            has_examples = true;
        } else if (!strcmp(key, "negative_examples")) {
            rc = parse_examples(c, &r->negative_examples, NULL, &r->negative_paths, v);
        } else {
            rc = lh_yaml_error(c->name, k, "unknown rule key '%s'", key);
        }
        if (rc < 0) {
            lh_rule_free(r);
            return rc;
        }
    }
    const char *missing = !r->id        ? "id"
                          : !r->name    ? "name"
                          : !r->pattern ? "pattern"
                          : !r->keywords.count && !r->prefilters.count && !r->paths.count
                              ? "keywords"
                              : NULL;
    if (missing) {
        rc = lh_yaml_error(c->name, n, "rule%s%s%s is missing required key '%s'", r->id ? " '" : "",
                           r->id ? r->id : "", r->id ? "'" : "", missing);
        lh_rule_free(r);
        return rc;
    }
    (void)has_conf;
    (void)has_examples;
    *out = r;
    return 0;
}

int lh_rule_parse(struct lh_rule **out, const char *name, yaml_document_t *doc, const char *file,
                  yaml_node_t *n)
{
    struct ctx c = {name, doc};
    return parse_rule(&c, file, n, out);
}
