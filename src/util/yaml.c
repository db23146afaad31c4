/* SPDX-License-Identifier: MIT */
/* libyaml document helpers with positioned errors and size/depth caps; see yaml.h. */
#include "util/yaml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static int check_depth(const char *name, yaml_document_t *doc, yaml_node_t *n, int depth)
{
    if (depth > LH_YAML_MAX_DEPTH) {
        lh_yaml_error(name, n, "nesting deeper than %d levels", LH_YAML_MAX_DEPTH);
        return LH_ETOOBIG;
    }
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top; it++) {
            int rc = check_depth(name, doc, yaml_document_get_node(doc, *it), depth + 1);
            if (rc < 0) {
                return rc;
            }
        }
    } else if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            int rc = check_depth(name, doc, yaml_document_get_node(doc, p->value), depth + 1);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

int lh_yaml_load(yaml_document_t *doc, const char *name, const uint8_t *buf, size_t len)
{
    yaml_parser_t parser;
    if (len > LH_YAML_MAX_BYTES) {
        lh_error_set("%s: file is larger than %u bytes", name, LH_YAML_MAX_BYTES);
        return LH_ETOOBIG;
    }
    if (!yaml_parser_initialize(&parser)) {
        return lh_error_oom();
    }
    yaml_parser_set_input_string(&parser, buf, len);
    if (!yaml_parser_load(&parser, doc)) {
        size_t line = parser.problem_mark.line + 1;
        size_t col = parser.problem_mark.column + 1;
        if (parser.context_mark.line && !parser.problem_mark.line) {
            line = parser.context_mark.line + 1;
            col = parser.context_mark.column + 1;
        }
        lh_error_set("%s:%zu:%zu: invalid yaml: %s%s%s", name, line, col,
                     parser.problem ? parser.problem : "syntax error",
                     parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return LH_EINVAL;
    }
    yaml_parser_delete(&parser);
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (root) {
        int rc = check_depth(name, doc, root, 0);
        if (rc < 0) {
            yaml_document_delete(doc);
            return rc;
        }
    }
    return 0;
}

const char *lh_yaml_scalar(yaml_document_t *doc, yaml_node_t *n)
{
    (void)doc;
    if (!n || n->type != YAML_SCALAR_NODE) {
        return NULL;
    }
    return (const char *)n->data.scalar.value;
}

int lh_yaml_error(const char *name, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n) {
        lh_error_set("%s:%zu:%zu: %s", name, n->start_mark.line + 1, n->start_mark.column + 1,
                     msg);
    } else {
        lh_error_set("%s: %s", name, msg);
    }
    return LH_EINVAL;
}

int lh_yaml_bool(bool *out, const char *name, yaml_document_t *doc, yaml_node_t *n)
{
    const char *s = lh_yaml_scalar(doc, n);
    static const char *const yes[] = {"true", "yes", "on", "True", "TRUE", "Yes", NULL};
    static const char *const no[] = {"false", "no", "off", "False", "FALSE", "No", NULL};
    if (s) {
        for (int i = 0; yes[i]; i++) {
            if (!strcmp(s, yes[i])) {
                *out = true;
                return 0;
            }
        }
        for (int i = 0; no[i]; i++) {
            if (!strcmp(s, no[i])) {
                *out = false;
                return 0;
            }
        }
    }
    return lh_yaml_error(name, n, "expected true or false");
}

int lh_yaml_double(double *out, const char *name, yaml_document_t *doc, yaml_node_t *n)
{
    const char *s = lh_yaml_scalar(doc, n);
    if (s && *s) {
        char *end = NULL;
        errno = 0;
        double v = strtod(s, &end);
        if (!errno && end && !*end && isfinite(v) && v >= 0) {
            *out = v;
            return 0;
        }
    }
    return lh_yaml_error(name, n, "expected a non-negative number");
}

int lh_yaml_size(size_t *out, const char *name, yaml_document_t *doc, yaml_node_t *n)
{
    const char *s = lh_yaml_scalar(doc, n);
    if (s && *s >= '0' && *s <= '9') {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (!errno && end && !*end) {
            *out = (size_t)v;
            return 0;
        }
    }
    return lh_yaml_error(name, n, "expected a non-negative integer");
}

int lh_yaml_strdup(char **out, const char *name, yaml_document_t *doc, yaml_node_t *n)
{
    const char *s = lh_yaml_scalar(doc, n);
    if (!s) {
        return lh_yaml_error(name, n, "expected a string");
    }
    char *d = strdup(s);
    if (!d) {
        return lh_error_oom();
    }
    free(*out);
    *out = d;
    return 0;
}

int lh_yaml_each_string(const char *name, yaml_document_t *doc, yaml_node_t *n, lh_yaml_str_cb cb,
                        void *payload)
{
    if (n->type == YAML_SCALAR_NODE) {
        return cb(lh_yaml_scalar(doc, n), n, payload);
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        return lh_yaml_error(name, n, "expected a string or a list of strings");
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *item = yaml_document_get_node(doc, *it);
        const char *s = lh_yaml_scalar(doc, item);
        if (!s) {
            return lh_yaml_error(name, item, "expected a string");
        }
        int rc = cb(s, item, payload);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}
