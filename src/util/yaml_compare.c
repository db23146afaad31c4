/* SPDX-License-Identifier: MIT */
/*
 * Document comparison (lh_yaml_compare, yaml.h): node by node, tags, values, styles and
 * marks, so the tests can require that lh_yaml_load composes exactly the document libyaml's
 * own loader does. The first difference is reported with its node; nothing is allocated.
 */
#include "util/yaml.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool marks_equal(yaml_mark_t a, yaml_mark_t b)
{
    return a.index == b.index && a.line == b.line && a.column == b.column;
}

static int LH_PRINTF(3, 4) differ(const char *name, size_t node, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (node) {
        lh_error_set("%s: documents differ at node %zu: %s", name, node, msg);
    } else {
        lh_error_set("%s: documents differ: %s", name, msg);
    }
    return LH_EINVAL;
}

static bool str_equal(const yaml_char_t *a, const yaml_char_t *b)
{
    if (!a || !b) {
        return a == b;
    }
    return strcmp((const char *)a, (const char *)b) == 0;
}

static int compare_node(const char *name, size_t id, const yaml_node_t *a, const yaml_node_t *b)
{
    if (a->type != b->type) {
        return differ(name, id, "type %d vs %d", (int)a->type, (int)b->type);
    }
    if (!str_equal(a->tag, b->tag)) {
        return differ(name, id, "tags differ");
    }
    if (!marks_equal(a->start_mark, b->start_mark) || !marks_equal(a->end_mark, b->end_mark)) {
        return differ(name, id, "marks differ");
    }
    if (a->type == YAML_SCALAR_NODE) {
        if (a->data.scalar.style != b->data.scalar.style) {
            return differ(name, id, "scalar styles differ");
        }
        if (a->data.scalar.length != b->data.scalar.length ||
            memcmp(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length) != 0) {
            return differ(name, id, "scalar values differ");
        }
    } else if (a->type == YAML_SEQUENCE_NODE) {
        size_t na = (size_t)(a->data.sequence.items.top - a->data.sequence.items.start);
        size_t nb = (size_t)(b->data.sequence.items.top - b->data.sequence.items.start);
        if (a->data.sequence.style != b->data.sequence.style) {
            return differ(name, id, "sequence styles differ");
        }
        if (na != nb || (na && memcmp(a->data.sequence.items.start, b->data.sequence.items.start,
                                      na * sizeof(yaml_node_item_t)) != 0)) {
            return differ(name, id, "sequence items differ");
        }
    } else if (a->type == YAML_MAPPING_NODE) {
        size_t na = (size_t)(a->data.mapping.pairs.top - a->data.mapping.pairs.start);
        size_t nb = (size_t)(b->data.mapping.pairs.top - b->data.mapping.pairs.start);
        if (a->data.mapping.style != b->data.mapping.style) {
            return differ(name, id, "mapping styles differ");
        }
        if (na != nb) {
            return differ(name, id, "mapping pair counts differ");
        }
        for (size_t k = 0; k < na; k++) {
            const yaml_node_pair_t *pa = &a->data.mapping.pairs.start[k];
            const yaml_node_pair_t *pb = &b->data.mapping.pairs.start[k];
            if (pa->key != pb->key || pa->value != pb->value) {
                return differ(name, id, "mapping pair %zu differs", k + 1);
            }
        }
    }
    return 0;
}

int lh_yaml_compare(const char *name, yaml_document_t *a, yaml_document_t *b)
{
    if (!a->start_implicit != !b->start_implicit || !a->end_implicit != !b->end_implicit) {
        return differ(name, 0, "implicit document start or end differs");
    }
    if (!marks_equal(a->start_mark, b->start_mark) || !marks_equal(a->end_mark, b->end_mark)) {
        return differ(name, 0, "document marks differ");
    }
    const yaml_version_directive_t *va = a->version_directive;
    const yaml_version_directive_t *vb = b->version_directive;
    if (!va != !vb || (va && (va->major != vb->major || va->minor != vb->minor))) {
        return differ(name, 0, "%%YAML directives differ");
    }
    size_t ta = (size_t)(a->tag_directives.end - a->tag_directives.start);
    size_t tb = (size_t)(b->tag_directives.end - b->tag_directives.start);
    if (ta != tb) {
        return differ(name, 0, "%%TAG directive counts differ");
    }
    for (size_t k = 0; k < ta; k++) {
        if (!str_equal(a->tag_directives.start[k].handle, b->tag_directives.start[k].handle) ||
            !str_equal(a->tag_directives.start[k].prefix, b->tag_directives.start[k].prefix)) {
            return differ(name, 0, "%%TAG directive %zu differs", k + 1);
        }
    }
    size_t na = (size_t)(a->nodes.top - a->nodes.start);
    size_t nb = (size_t)(b->nodes.top - b->nodes.start);
    if (na != nb) {
        return differ(name, 0, "%zu nodes vs %zu", na, nb);
    }
    for (size_t i = 0; i < na; i++) {
        int rc = compare_node(name, i + 1, &a->nodes.start[i], &b->nodes.start[i]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}
