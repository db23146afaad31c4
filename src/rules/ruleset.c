/* SPDX-License-Identifier: MIT */
/*
 * YAML rule loader (libyaml document API). A rule file is a mapping with one key, `rules`,
 * holding a sequence of rule mappings. Every unknown key is an error with its position:
 * a typo in a rule file must never silently weaken detection. The built-in rules went through
 * this very loader at build time (src/tools/rulegen.c) and arrive as C tables (builtin.c).
 */
#include "rules/ruleset.h"

#include "decode/decode.h"
#include "util/fs.h"
#include "util/yaml.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_RULE_FILES 4096
#define DEFAULT_MAX_LENGTH 1024
#define MAX_MAX_LENGTH (1024 * 1024)

int lh_ruleset_new(struct lh_ruleset **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? 0 : lh_error_oom();
}

void lh_rule_free(struct lh_rule *r)
{
    if (!r) {
        return;
    }
    if (r->builtin) {
        free(r); /* a copy of a generated struct: its strings and lists are static */
        return;
    }
    free(r->id);
    free(r->name);
    free(r->description);
    free(r->remediation);
    free(r->provider);
    lh_strlist_dispose(&r->keywords);
    free(r->pattern);
    free(r->validator);
    for (size_t i = 0; i < r->nparams; i++) {
        free(r->params[i].key);
        free(r->params[i].value);
    }
    free(r->params);
    lh_strlist_dispose(&r->allow_regexes);
    lh_strlist_dispose(&r->allow_stopwords);
    lh_strlist_dispose(&r->allow_paths);
    lh_strlist_dispose(&r->prefilters);
    lh_strlist_dispose(&r->paths);
    lh_strlist_dispose(&r->example_paths);
    lh_strlist_dispose(&r->negative_paths);
    lh_strlist_dispose(&r->references);
    lh_strlist_dispose(&r->examples);
    lh_strlist_dispose(&r->example_secrets);
    lh_strlist_dispose(&r->negative_examples);
    free(r);
}

void lh_ruleset_free(struct lh_ruleset *rs)
{
    if (!rs) {
        return;
    }
    for (size_t i = 0; i < rs->count; i++) {
        lh_rule_free(rs->rules[i]);
    }
    free(rs->rules);
    free(rs->index);
    for (size_t i = 0; i < rs->nfiles; i++) {
        free(rs->files[i]);
    }
    free(rs->files);
    free(rs);
}

static size_t id_hash(const char *id)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        h = (h ^ *p) * 1099511628211ULL;
    }
    return (size_t)h;
}

/* The id table: a rule set of 700 rules made loading quadratic in strcmp (2 ms of start-up). */
static void index_put(size_t *table, size_t icap, const char *id, size_t slot)
{
    size_t i = id_hash(id) & (icap - 1);
    while (table[i]) {
        i = (i + 1) & (icap - 1);
    }
    table[i] = slot + 1;
}

static int index_grow(struct lh_ruleset *rs)
{
    size_t icap = rs->icap ? rs->icap * 2 : 256;
    size_t *t = calloc(icap, sizeof(*t));
    if (!t) {
        return lh_error_oom();
    }
    for (size_t i = 0; i < rs->count; i++) {
        index_put(t, icap, rs->rules[i]->id, i);
    }
    free(rs->index);
    rs->index = t;
    rs->icap = icap;
    return 0;
}

struct lh_rule *lh_ruleset_find(const struct lh_ruleset *rs, const char *id)
{
    if (!rs->icap) {
        return NULL;
    }
    for (size_t i = id_hash(id) & (rs->icap - 1); rs->index[i]; i = (i + 1) & (rs->icap - 1)) {
        struct lh_rule *r = rs->rules[rs->index[i] - 1];
        if (!strcmp(r->id, id)) {
            return r;
        }
    }
    return NULL;
}

size_t lh_ruleset_select(struct lh_ruleset *rs, const char *id_glob, bool enable)
{
    size_t n = 0;
    for (size_t i = 0; i < rs->count; i++) {
        struct lh_rule *r = rs->rules[i];
        if (fnmatch(id_glob, r->id, 0) == 0) {
            r->disabled = !enable;
            if (enable) {
                r->opt_in = false;
            }
            n++;
        }
    }
    return n;
}

/* ---- parsing ---- */

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
    const char *missing = !r->id                                       ? "id"
                          : !r->name                                   ? "name"
                          : !r->pattern                                ? "pattern"
                          : !r->keywords.count && !r->prefilters.count ? "keywords"
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

int lh_ruleset_add(struct lh_ruleset *rs, struct lh_rule *r, const char *name)
{
    struct lh_rule *dup = lh_ruleset_find(rs, r->id);
    if (dup) {
        lh_error_set("%s:%d:%d: duplicate rule id '%s' (first defined at %s:%d:%d)", name,
                     r->pos.line, r->pos.column, r->id, dup->pos.file, dup->pos.line,
                     dup->pos.column);
        return LH_EINVAL;
    }
    if (rs->count == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 64;
        struct lh_rule **rules = realloc(rs->rules, cap * sizeof(*rules));
        if (!rules) {
            return lh_error_oom();
        }
        rs->rules = rules;
        rs->cap = cap;
    }
    if ((rs->count + 1) * 2 > rs->icap) {
        int rc = index_grow(rs);
        if (rc < 0) {
            return rc;
        }
    }
    rs->rules[rs->count] = r;
    index_put(rs->index, rs->icap, r->id, rs->count);
    rs->count++;
    return 0;
}

static const char *intern_file(struct lh_ruleset *rs, const char *name)
{
    char **files = realloc(rs->files, (rs->nfiles + 1) * sizeof(*files));
    if (!files) {
        return NULL;
    }
    rs->files = files;
    files[rs->nfiles] = strdup(name);
    return files[rs->nfiles] ? files[rs->nfiles++] : NULL;
}

/*
 * Adds the rules of the rule file `name`, already parsed into doc, which stays the caller's.
 * Positions come from the nodes' marks, so built-in and user rules report
 * the same "file:line:col".
 */
static int load_document(struct lh_ruleset *rs, const char *name, yaml_document_t *doc)
{
    const char *file = intern_file(rs, name);
    struct ctx c = {file ? file : name, doc};
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!file) {
        return lh_error_oom();
    }
    if (!root) {
        return 0; /* empty file: no rules */
    }
    if (root->type != YAML_MAPPING_NODE) {
        return lh_yaml_error(name, root, "a rule file must be a mapping with a 'rules' list");
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        const char *key = lh_yaml_scalar(doc, k);
        if (!key || strcmp(key, "rules") != 0) {
            return lh_yaml_error(name, k, "unknown top-level key '%s' (expected 'rules')",
                                 key ? key : "?");
        }
        if (v->type != YAML_SEQUENCE_NODE) {
            return lh_yaml_error(name, v, "'rules' must be a list");
        }
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            struct lh_rule *r = NULL;
            int rc = parse_rule(&c, file, yaml_document_get_node(doc, *it), &r);
            if (rc < 0) {
                return rc;
            }
            rc = lh_ruleset_add(rs, r, name);
            if (rc < 0) {
                lh_rule_free(r);
                return rc;
            }
        }
    }
    return 0;
}

int lh_ruleset_load_buffer(struct lh_ruleset *rs, const char *name, const uint8_t *buf, size_t len)
{
    yaml_document_t doc;
    int rc = lh_yaml_load(&doc, name, buf, len);
    if (rc < 0) {
        return rc;
    }
    rc = load_document(rs, name, &doc);
    yaml_document_delete(&doc);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct lh_ruleset *rs, const char *path, int depth)
{
    if (depth > 16) {
        lh_error_set("rule directory '%s' is nested too deeply", path);
        return LH_ETOOBIG;
    }
    DIR *d = opendir(path);
    if (!d) {
        lh_error_set("cannot open rule directory '%s': %s", path, strerror(errno));
        return LH_EIO;
    }
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (n >= MAX_RULE_FILES) {
            lh_error_set("rule directory '%s' has more than %d entries", path, MAX_RULE_FILES);
            rc = LH_ETOOBIG;
            break;
        }
        char **nn = realloc(names, (n + 1) * sizeof(*nn));
        if (!nn) {
            rc = lh_error_oom();
            break;
        }
        names = nn;
        names[n] = lh_path_join(path, e->d_name);
        if (!names[n]) {
            rc = lh_error_oom();
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == 0 && n > 1) {
        qsort(names, n, sizeof(*names), cmp_str);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = load_dir(rs, names[i], depth + 1);
        } else if (lh_str_endswith(names[i], ".yml") || lh_str_endswith(names[i], ".yaml")) {
            rc = lh_ruleset_load_path(rs, names[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    return rc;
}

int lh_ruleset_load_path(struct lh_ruleset *rs, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        lh_error_set("cannot read rules '%s': %s", path, strerror(errno));
        return LH_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        return load_dir(rs, path, 0);
    }
    struct lh_buf b;
    lh_buf_init(&b, LH_YAML_MAX_BYTES);
    int rc = lh_fs_read_file(&b, path);
    if (rc == 0) {
        rc = lh_ruleset_load_buffer(rs, path, (const uint8_t *)b.ptr, b.len);
    } else if (rc == LH_ETOOBIG) {
        lh_error_set("rule file '%s' is larger than %u bytes", path, LH_YAML_MAX_BYTES);
    }
    lh_buf_dispose(&b);
    return rc;
}
