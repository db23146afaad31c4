/* SPDX-License-Identifier: MIT */
/*
 * rulegen: the build's host tool that turns the built-in rule files and placeholder lists
 * into C tables, so the binary starts without parsing anything. Rule files go through the
 * one real loader (lh_ruleset_load_buffer: libyaml, every check a user's rule file gets),
 * under the names "rules/<file>", so an error fails the build with the same "file:line:col"
 * message a user would see, and positions in the tables are those of the source files.
 *
 *   rulegen -o OUT RULES.yml... -p PLACEHOLDERS.yml...
 *
 * OUT defines lh_builtin_rules[] / lh_builtin_rules_count and the sorted, de-duplicated
 * lh_placeholder_values[] / lh_placeholder_values_count (rules/builtin.h). Strings are written
 * as octal-escaped literals (no trigraphs, no hex-escape run-on). OUT is written to OUT.tmp
 * and renamed, so a failed run leaves no partial output. Built from the rules and util
 * modules' sources, not from lh_core; not installed.
 */
#include "rules/ruleset.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Writes s as a C string literal (NULL as a null pointer). */
static void put_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("NULL", f);
        return;
    }
    fputc('"', f);
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (col >= 96) {
            fputs("\"\n    \"", f);
            col = 0;
        }
        if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '?') {
            fputc(*p, f);
            col++;
        } else {
            fprintf(f, "\\%03o", *p);
            col += 4;
        }
    }
    fputc('"', f);
}

/* Writes `static char *NAME_I[] = {...};` for a non-empty list. */
static void put_list_decl(FILE *f, const char *name, size_t i, const struct lh_strlist *l)
{
    if (!l->count) {
        return;
    }
    fprintf(f, "static char *%s_%zu[] = {", name, i);
    for (size_t k = 0; k < l->count; k++) {
        fputs(k ? ",\n    " : "\n    ", f);
        put_str(f, l->items[k]);
    }
    fputs("};\n", f);
}

static void put_list_ref(FILE *f, const char *field, const char *name, size_t i,
                         const struct lh_strlist *l)
{
    if (l->count) {
        fprintf(f, "    .%s = {%s_%zu, %zu},\n", field, name, i, l->count);
    }
}

#define LISTS(X)                                                                                   \
    X(keywords, kw)                                                                                \
    X(prefilters, pf)                                                                              \
    X(paths, pa)                                                                                   \
    X(allow_regexes, ar)                                                                           \
    X(allow_stopwords, as)                                                                         \
    X(allow_paths, ap)                                                                             \
    X(references, rf)                                                                              \
    X(examples, ex)                                                                                \
    X(example_secrets, es)                                                                         \
    X(example_paths, ep)                                                                           \
    X(negative_examples, ne)                                                                       \
    X(negative_paths, np)

static void put_rule(FILE *f, size_t i, const struct lh_rule *r)
{
#define DECL(field, name) put_list_decl(f, #name, i, &r->field);
    LISTS(DECL)
#undef DECL
    if (r->nparams) {
        fprintf(f, "static struct lh_param pm_%zu[] = {", i);
        for (size_t k = 0; k < r->nparams; k++) {
            fputs(k ? ",\n    {" : "\n    {", f);
            put_str(f, r->params[k].key);
            fputs(", ", f);
            put_str(f, r->params[k].value);
            fputc('}', f);
        }
        fputs("};\n", f);
    }
    fprintf(f, "static const struct lh_rule rule_%zu = {\n    .id = ", i);
    put_str(f, r->id);
    fputs(",\n    .name = ", f);
    put_str(f, r->name);
    fputs(",\n    .description = ", f);
    put_str(f, r->description);
    fputs(",\n    .remediation = ", f);
    put_str(f, r->remediation);
    fputs(",\n    .provider = ", f);
    put_str(f, r->provider);
    fputs(",\n    .pattern = ", f);
    put_str(f, r->pattern);
    fputs(",\n    .validator = ", f);
    put_str(f, r->validator);
    fputs(",\n", f);
#define REF(field, name) put_list_ref(f, #field, #name, i, &r->field);
    LISTS(REF)
#undef REF
    if (r->nparams) {
        fprintf(f, "    .params = pm_%zu,\n    .nparams = %zu,\n", i, r->nparams);
    }
    fprintf(f,
            "    .keywords_caseless = %d,\n    .keywords_boundary = %d,\n"
            "    .min_entropy = %.17g,\n    .confidence = %d,\n    .opt_in = %d,\n"
            "    .validator_soft = %d,\n    .yields = %d,\n    .builtin = 1,\n"
            "    .max_length = %zu,\n    .decode = %uu,\n    .has_decode = %d,\n",
            r->keywords_caseless, (int)r->keywords_boundary, r->min_entropy, (int)r->confidence,
            r->opt_in, r->validator_soft, r->yields, r->max_length, r->decode, r->has_decode);
    fputs("    .pos = {", f);
    put_str(f, r->pos.file);
    fprintf(f, ", %d, %d},\n    .pattern_pos = {", r->pos.line, r->pos.column);
    put_str(f, r->pattern_pos.file);
    fprintf(f, ", %d, %d},\n};\n\n", r->pattern_pos.line, r->pattern_pos.column);
}

static int load_rules(struct lh_ruleset *rs, const char *path)
{
    char name[512];
    struct lh_buf b;
    snprintf(name, sizeof(name), "rules/%s", base_name(path));
    lh_buf_init(&b, LH_YAML_MAX_BYTES);
    int rc = lh_fs_read_file(&b, path);
    if (rc == 0) {
        rc = lh_ruleset_load_buffer(rs, name, (const uint8_t *)b.ptr, b.len);
    }
    lh_buf_dispose(&b);
    return rc;
}

struct values {
    char **items;
    size_t count;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Adds the values of a placeholder file: a mapping `placeholders:` holding a list of
 * `{value, source}` mappings, both strings, nothing else (a typo fails the build).
 */
static int load_placeholders(struct values *out, const char *path)
{
    char name[512];
    struct lh_buf b;
    yaml_document_t doc;
    snprintf(name, sizeof(name), "rules/placeholders/%s", base_name(path));
    lh_buf_init(&b, LH_YAML_MAX_BYTES);
    int rc = lh_fs_read_file(&b, path);
    if (rc == 0) {
        rc = lh_yaml_load(&doc, name, (const uint8_t *)b.ptr, b.len);
    }
    lh_buf_dispose(&b);
    if (rc < 0) {
        return rc;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        rc = lh_yaml_error(name, root, "a placeholder file must be a mapping 'placeholders'");
        goto out;
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         rc == 0 && p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&doc, p->key);
        yaml_node_t *list = yaml_document_get_node(&doc, p->value);
        const char *key = lh_yaml_scalar(&doc, k);
        if (!key || strcmp(key, "placeholders") != 0 || list->type != YAML_SEQUENCE_NODE) {
            rc = lh_yaml_error(name, k, "expected one key 'placeholders' holding a list");
            break;
        }
        for (yaml_node_item_t *it = list->data.sequence.items.start;
             rc == 0 && it < list->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(&doc, *it);
            const char *value = NULL;
            const char *source = NULL;
            if (e->type != YAML_MAPPING_NODE) {
                rc = lh_yaml_error(name, e, "a placeholder must be a mapping {value, source}");
                break;
            }
            for (yaml_node_pair_t *q = e->data.mapping.pairs.start; q < e->data.mapping.pairs.top;
                 q++) {
                yaml_node_t *qk = yaml_document_get_node(&doc, q->key);
                const char *kk = lh_yaml_scalar(&doc, qk);
                const char *vv = lh_yaml_scalar(&doc, yaml_document_get_node(&doc, q->value));
                if (kk && vv && !strcmp(kk, "value")) {
                    value = vv;
                } else if (kk && vv && !strcmp(kk, "source")) {
                    source = vv;
                } else {
                    rc = lh_yaml_error(name, qk, "unknown or non-string placeholder key '%s'",
                                       kk ? kk : "?");
                    break;
                }
            }
            if (rc == 0 && (!value || !*value || !source)) {
                rc = lh_yaml_error(name, e,
                                   "a placeholder needs a non-empty 'value' and a 'source'");
            }
            if (rc == 0) {
                char **nv = realloc(out->items, (out->count + 1) * sizeof(*nv));
                if (!nv) {
                    rc = lh_error_oom();
                    break;
                }
                out->items = nv;
                out->items[out->count] = strdup(value);
                rc = out->items[out->count] ? 0 : lh_error_oom();
                out->count += rc == 0;
            }
        }
    }
out:
    yaml_document_delete(&doc);
    return rc;
}

static int write_out(const char *out, const struct lh_ruleset *rs, struct values *ph)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", out);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        lh_error_set("cannot write '%s': %s", tmp, strerror(errno));
        return LH_EIO;
    }
    fputs("/* Generated by rulegen (src/tools/rulegen.c) from the YAML files of rules/ and "
          "rules/placeholders/: do not edit. */\n"
          "#include \"rules/builtin.h\"\n#include \"rules/rule.h\"\n\n#include <stddef.h>\n\n",
          f);
    for (size_t i = 0; i < rs->count; i++) {
        put_rule(f, i, rs->rules[i]);
    }
    fputs("const struct lh_rule *const lh_builtin_rules[] = {", f);
    for (size_t i = 0; i < rs->count; i++) {
        fprintf(f, "%s&rule_%zu,", i % 8 ? " " : "\n    ", i);
    }
    fprintf(f, "\n};\nconst size_t lh_builtin_rules_count = %zu;\n\n", rs->count);
    if (ph->count > 1) {
        qsort(ph->items, ph->count, sizeof(*ph->items), cmp_str);
    }
    fputs("const char *const lh_placeholder_values[] = {", f);
    size_t n = 0;
    for (size_t i = 0; i < ph->count; i++) {
        if (i && !strcmp(ph->items[i], ph->items[i - 1])) {
            continue;
        }
        fputs("\n    ", f);
        put_str(f, ph->items[i]);
        fputc(',', f);
        n++;
    }
    fprintf(f, "\n    NULL,\n};\nconst size_t lh_placeholder_values_count = %zu;\n", n);
    if (ferror(f) | fclose(f)) {
        lh_error_set("cannot write '%s'", tmp);
        remove(tmp);
        return LH_EIO;
    }
    if (rename(tmp, out) != 0) {
        lh_error_set("cannot rename '%s': %s", tmp, strerror(errno));
        remove(tmp);
        return LH_EIO;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    struct lh_ruleset *rs = NULL;
    struct values ph = {NULL, 0};
    bool placeholders = false;
    int rc = lh_ruleset_new(&rs);
    for (int i = 1; rc == 0 && i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "-p")) {
            placeholders = true;
        } else if (placeholders) {
            rc = load_placeholders(&ph, argv[i]);
        } else {
            rc = load_rules(rs, argv[i]);
        }
    }
    if (rc == 0 && !out) {
        fprintf(stderr, "usage: rulegen -o OUT RULES.yml... -p PLACEHOLDERS.yml...\n");
        rc = LH_EINVAL;
    } else if (rc == 0) {
        rc = write_out(out, rs, &ph);
    }
    if (rc < 0 && lh_error_get()[0]) {
        fprintf(stderr, "rulegen: %s\n", lh_error_get());
    }
    for (size_t i = 0; i < ph.count; i++) {
        free(ph.items[i]);
    }
    free(ph.items);
    lh_ruleset_free(rs);
    return rc < 0 ? 1 : 0;
}
