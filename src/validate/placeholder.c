/* SPDX-License-Identifier: MIT */
/*
 * Placeholder detection; see placeholder.h. The literal list comes from embedded YAML
 * (`placeholders: [{value, source}]`), stored as build-time snapshots and rebuilt without the
 * YAML parser (util/yaml.h); malformed embedded data is a build defect (the build's snapshot
 * tool parses the files, the unit tests load the snapshots), so a load failure here degrades
 * to "no literal list" rather than aborting.
 */
#include "validate/placeholder.h"

#include "rules/builtin.h"
#include "util/yaml.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static char **values;
static size_t nvalues;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_value(const char *v)
{
    char **nv = realloc(values, (nvalues + 1) * sizeof(*nv));
    if (!nv) {
        return;
    }
    values = nv;
    values[nvalues] = strdup(v);
    if (values[nvalues]) {
        nvalues++;
    }
}

static void load_file(const struct lh_builtin_file *f)
{
    yaml_document_t doc;
    if (lh_yaml_load_snapshot(&doc, f->name, f->data, f->len) < 0) {
        return;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && root->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
             p++) {
            yaml_node_t *list = yaml_document_get_node(&doc, p->value);
            if (list->type != YAML_SEQUENCE_NODE) {
                continue;
            }
            for (yaml_node_item_t *it = list->data.sequence.items.start;
                 it < list->data.sequence.items.top; it++) {
                yaml_node_t *e = yaml_document_get_node(&doc, *it);
                if (e->type != YAML_MAPPING_NODE) {
                    continue;
                }
                for (yaml_node_pair_t *q = e->data.mapping.pairs.start;
                     q < e->data.mapping.pairs.top; q++) {
                    const char *k = lh_yaml_scalar(&doc, yaml_document_get_node(&doc, q->key));
                    const char *v = lh_yaml_scalar(&doc, yaml_document_get_node(&doc, q->value));
                    if (k && v && !strcmp(k, "value")) {
                        add_value(v);
                    }
                }
            }
        }
    }
    yaml_document_delete(&doc);
}

static void load(void)
{
    for (size_t i = 0; i < lh_placeholder_files_count; i++) {
        load_file(&lh_placeholder_files[i]);
    }
    if (nvalues) {
        qsort(values, nvalues, sizeof(*values), cmp_str);
    }
}

size_t lh_placeholder_count(void)
{
    pthread_once(&once, load);
    return nvalues;
}

static bool known(const uint8_t *s, size_t len)
{
    pthread_once(&once, load);
    size_t lo = 0;
    size_t hi = nvalues;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t ml = strlen(values[mid]);
        int c = memcmp(values[mid], s, ml < len ? ml : len);
        if (c == 0) {
            c = ml < len ? -1 : ml > len ? 1 : 0;
        }
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

static bool has(const uint8_t *s, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= len; i++) {
        if (!memcmp(s + i, needle, nl)) {
            return true;
        }
    }
    return false;
}

static bool is_template(const uint8_t *s, size_t len)
{
    if (len == 0) {
        return false;
    }
    if (has(s, len, "${") || has(s, len, "{{") || has(s, len, "$(") || has(s, len, "<%")) {
        return true;
    }
    if (s[0] == '$' && len > 1 && (s[1] == '_' || (s[1] >= 'A' && s[1] <= 'Z'))) {
        return true;
    }
    if (len >= 3 && ((s[0] == '%' && s[len - 1] == '%') || (s[0] == '<' && s[len - 1] == '>') ||
                     (s[0] == '@' && s[len - 1] == '@'))) {
        return true;
    }
    return false;
}

/* A run of 10+ identical characters, or almost no variety over a long secret. */
static bool is_filler(const uint8_t *s, size_t len)
{
    size_t run = 1;
    for (size_t i = 1; i < len; i++) {
        run = s[i] == s[i - 1] ? run + 1 : 1;
        if (run >= 10 && s[i] != '=') {
            return true;
        }
    }
    if (len >= 16) {
        uint8_t seen[256] = {0};
        size_t distinct = 0;
        for (size_t i = 0; i < len; i++) {
            if (!seen[s[i]]++) {
                distinct++;
            }
        }
        if (distinct <= 4) {
            return true;
        }
    }
    return false;
}

static bool is_alnum_byte(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * A run of ASC_RUN characters counting up the alphabet or the digits (`abcdefgh`,
 * `KLMNOPQR`, `12345678`): typed by a person (`sk_live_abcdefgh...`, `AIzaSyabcdefg...`),
 * never drawn at random (one in 62^7 for each position of a base62 token).
 */
#define ASC_RUN 8
static bool is_alphabet_run(const uint8_t *s, size_t len)
{
    size_t run = 1;
    for (size_t i = 1; i < len; i++) {
        run = s[i] == s[i - 1] + 1 && is_alnum_byte(s[i]) && is_alnum_byte(s[i - 1]) ? run + 1 : 1;
        if (run >= ASC_RUN) {
            return true;
        }
    }
    return false;
}

bool lh_placeholder_check(const uint8_t *secret, size_t len, const char **why)
{
    const char *w = NULL;
    if (known(secret, len)) {
        w = "documented example";
    } else if (is_template(secret, len)) {
        w = "template";
    } else if (is_filler(secret, len)) {
        w = "repeated filler";
    } else if (is_alphabet_run(secret, len)) {
        w = "alphabet run";
    }
    if (why) {
        *why = w;
    }
    return w != NULL;
}
