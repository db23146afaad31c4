/* SPDX-License-Identifier: MIT */
/*
 * Rule sets and the YAML rule loader (libyaml document API). A rule file is a mapping with
 * one key, `rules`, holding a sequence of rule mappings, each parsed by rule_yaml.c. Every
 * unknown key is an error with its position: a typo in a rule file must never silently weaken
 * detection. The built-in rules went through this very loader at build time
 * (src/tools/rulegen.c) and arrive as C tables (builtin.c). Ids are found through an
 * open-addressing index.
 */
#include "rules/ruleset.h"

#include "decode/decode.h"
#include "rules/rule_yaml.h"
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
    const char *where = file ? file : name;
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
            int rc = lh_rule_parse(&r, where, doc, file, yaml_document_get_node(doc, *it));
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
