/* SPDX-License-Identifier: MIT */
/* libyaml document helpers with positioned errors and size/depth caps and a linear-time
 * composer (documents built from parser events, anchors hashed); see yaml.h. The document
 * comparison is yaml_compare.c. */
#include "util/yaml.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Depth check of lh_yaml_load: fails on the first node (in
 * document order, items and mapping values only) more than LH_YAML_MAX_DEPTH levels below the
 * root. Aliases make the document a graph, so a plain walk would revisit shared subtrees once
 * per path, exponentially many (a 1 KB file of `b: &b [*a, *a]` lines) or around a recursive
 * alias until the cap. ok[i] remembers 1 + the deepest level at which node i+1 was walked
 * without a violation; walking it again at that level or shallower cannot find one, so each
 * node is walked at most LH_YAML_MAX_DEPTH + 1 times and the result (and the node reported)
 * is that of the plain walk.
 */
struct depth_walk {
    const char *name;
    yaml_document_t *doc;
    uint8_t *ok;
};

static int walk_depth(struct depth_walk *w, yaml_node_t *n, int depth)
{
    if (depth > LH_YAML_MAX_DEPTH) {
        lh_yaml_error(w->name, n, "nesting deeper than %d levels", LH_YAML_MAX_DEPTH);
        return LH_ETOOBIG;
    }
    size_t i = (size_t)(n - w->doc->nodes.start);
    if (w->ok[i] > depth) {
        return 0;
    }
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
             it++) {
            yaml_node_t *item = yaml_document_get_node(w->doc, *it);
            LH_ASSERT(item != NULL);
            int rc = walk_depth(w, item, depth + 1);
            if (rc < 0) {
                return rc;
            }
        }
    } else if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            yaml_node_t *value = yaml_document_get_node(w->doc, p->value);
            LH_ASSERT(value != NULL);
            int rc = walk_depth(w, value, depth + 1);
            if (rc < 0) {
                return rc;
            }
        }
    }
    w->ok[i] = (uint8_t)(depth + 1);
    return 0;
}

static int check_depth(const char *name, yaml_document_t *doc)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root) {
        return 0;
    }
    struct depth_walk w = {name, doc, NULL};
    w.ok = calloc((size_t)(doc->nodes.top - doc->nodes.start), 1);
    if (!w.ok) {
        return lh_error_oom();
    }
    int rc = walk_depth(&w, root, 0);
    free(w.ok);
    return rc;
}

/*
 * Every reader takes scalars as C strings: a NUL byte (YAML's "\0" escape) would silently
 * cut a pattern, keyword or path short, so it is an error at its position instead.
 */
static int check_nul(const char *name, yaml_document_t *doc)
{
    for (yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
        if (n->type == YAML_SCALAR_NODE && memchr(n->data.scalar.value, 0, n->data.scalar.length)) {
            return lh_yaml_error(name, n, "a value contains a NUL byte, which is not supported");
        }
    }
    return 0;
}

/* The checks every loaded document passes, however it was loaded. */
static int check_document(const char *name, yaml_document_t *doc)
{
    int rc = check_nul(name, doc);
    return rc < 0 ? rc : check_depth(name, doc);
}

/*
 * ---- composing a document from parser events ----
 *
 * libyaml's own composer (yaml_parser_load) keeps anchors in a list and scans all of it for
 * every anchor (duplicate check) and every alias (lookup): quadratic in the number of anchors,
 * 58 s for 200,000 of them in 3 MB. This composer builds the same document (every node, tag,
 * style, mark, item and pair as yaml_parser_load makes them; test_yaml_load.c compares the
 * two) with the anchors in a hash table, so loading is linear in the document. As there, an
 * alias is the id of the anchored node, never a copy, and a repeated anchor is an error.
 * Nesting deeper than LH_YAML_MAX_DEPTH is refused as it is composed, so the stack of open
 * collections stays small; check_depth still follows aliases afterwards.
 */
struct anchor {
    char *name; /* owned; NULL: empty slot */
    int id;
    yaml_mark_t mark;
};

struct frame {
    int id;
    int key; /* a mapping's key waiting for its value, or 0 */
};

struct composer {
    const char *name;
    yaml_document_t *doc;
    struct anchor *anchors; /* open addressing, linear probing, at most half full */
    size_t cap;
    size_t count;
    struct frame stack[LH_YAML_MAX_DEPTH + 1];
    size_t depth;
};

static size_t anchor_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    }
    /* FNV's low bits, all the mask keeps, vary little across names like a1..a99999: mix */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (size_t)h;
}

static struct anchor *anchor_slot(struct composer *c, const char *name)
{
    size_t i = anchor_hash(name) & (c->cap - 1);
    while (c->anchors[i].name && strcmp(c->anchors[i].name, name) != 0) {
        i = (i + 1) & (c->cap - 1);
    }
    return &c->anchors[i];
}

static int anchor_grow(struct composer *c)
{
    size_t cap = c->cap ? c->cap * 2 : 64;
    struct anchor *old = c->anchors;
    size_t old_cap = c->cap;
    c->anchors = calloc(cap, sizeof(*c->anchors));
    if (!c->anchors) {
        c->anchors = old;
        return lh_error_oom();
    }
    c->cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].name) {
            *anchor_slot(c, old[i].name) = old[i];
        }
    }
    free(old);
    return 0;
}

static void composer_dispose(struct composer *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->anchors[i].name);
    }
    free(c->anchors);
}

static int compose_error(struct composer *c, yaml_mark_t m, const char *fmt, ...) LH_PRINTF(3, 4);
static int compose_error(struct composer *c, yaml_mark_t m, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lh_error_set("%s:%zu:%zu: invalid yaml: %s", c->name, m.line + 1, m.column + 1, msg);
    return LH_EINVAL;
}

/* Registers the anchor of node id (the event's, taken over: *name is set to NULL). */
static int anchor_add(struct composer *c, yaml_char_t **name, int id, yaml_mark_t mark)
{
    if (!*name) {
        return 0;
    }
    if (2 * (c->count + 1) > c->cap) {
        int rc = anchor_grow(c);
        if (rc < 0) {
            return rc;
        }
    }
    struct anchor *a = anchor_slot(c, (const char *)*name);
    if (a->name) {
        return compose_error(c, mark, "found duplicate anchor '%.64s' (first at line %zu)", a->name,
                             a->mark.line + 1);
    }
    a->name = (char *)*name;
    a->id = id;
    a->mark = mark;
    c->count++;
    *name = NULL;
    return 0;
}

/* Links node id into the open collection (none: it is the root). */
static int attach(struct composer *c, int id)
{
    if (c->depth == 0) {
        return 0;
    }
    struct frame *f = &c->stack[c->depth - 1];
    yaml_node_t *parent = yaml_document_get_node(c->doc, f->id);
    int ok = 1;
    if (parent->type == YAML_SEQUENCE_NODE) {
        ok = yaml_document_append_sequence_item(c->doc, f->id, id);
    } else if (f->key == 0) {
        f->key = id;
    } else {
        ok = yaml_document_append_mapping_pair(c->doc, f->id, f->key, id);
        f->key = 0;
    }
    return ok ? 0 : lh_error_oom();
}

/* The tag a node keeps: NULL (the type's default) for none or the non-specific "!". */
static const yaml_char_t *node_tag(const yaml_char_t *tag)
{
    return tag && strcmp((const char *)tag, "!") != 0 ? tag : NULL;
}

/* Adds the node of a scalar, sequence-start or mapping-start event; pushes collections. */
static int add_node(struct composer *c, yaml_event_t *ev)
{
    if (c->depth > LH_YAML_MAX_DEPTH) {
        lh_error_set("%s:%zu:%zu: nesting deeper than %d levels", c->name, ev->start_mark.line + 1,
                     ev->start_mark.column + 1, LH_YAML_MAX_DEPTH);
        return LH_ETOOBIG;
    }
    int id = 0;
    yaml_char_t **anchor = NULL;
    if (ev->type == YAML_SCALAR_EVENT) {
        id = yaml_document_add_scalar(c->doc, node_tag(ev->data.scalar.tag), ev->data.scalar.value,
                                      (int)ev->data.scalar.length, ev->data.scalar.style);
        anchor = &ev->data.scalar.anchor;
    } else if (ev->type == YAML_SEQUENCE_START_EVENT) {
        id = yaml_document_add_sequence(c->doc, node_tag(ev->data.sequence_start.tag),
                                        ev->data.sequence_start.style);
        anchor = &ev->data.sequence_start.anchor;
    } else {
        id = yaml_document_add_mapping(c->doc, node_tag(ev->data.mapping_start.tag),
                                       ev->data.mapping_start.style);
        anchor = &ev->data.mapping_start.anchor;
    }
    if (id == 0) {
        return lh_error_oom(); /* the parser already checked that the text is UTF-8 */
    }
    c->doc->nodes.start[id - 1].start_mark = ev->start_mark;
    c->doc->nodes.start[id - 1].end_mark = ev->end_mark;
    int rc = anchor_add(c, anchor, id, ev->start_mark);
    if (rc == 0) {
        rc = attach(c, id);
    }
    if (rc == 0 && ev->type != YAML_SCALAR_EVENT) {
        c->stack[c->depth].id = id;
        c->stack[c->depth].key = 0;
        c->depth++;
    }
    return rc;
}

/* Applies one event after the document start; *done when the document ended. */
static int compose_event(struct composer *c, yaml_event_t *ev, bool *done)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return add_node(c, ev);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        LH_ASSERT(c->depth > 0);
        c->depth--;
        c->doc->nodes.start[c->stack[c->depth].id - 1].end_mark = ev->end_mark;
        return 0;
    case YAML_ALIAS_EVENT: {
        struct anchor *a = c->cap ? anchor_slot(c, (const char *)ev->data.alias.anchor) : NULL;
        if (!a || !a->name) {
            return compose_error(c, ev->start_mark, "found undefined alias '%.64s'",
                                 (const char *)ev->data.alias.anchor);
        }
        return attach(c, a->id);
    }
    case YAML_DOCUMENT_END_EVENT:
        c->doc->end_implicit = ev->data.document_end.implicit;
        c->doc->end_mark = ev->end_mark;
        *done = true;
        return 0;
    default:
        return compose_error(c, ev->start_mark, "unexpected event %d", (int)ev->type);
    }
}

/* Reports the parser's error as "name:line:col: invalid yaml: ..." (LH_EINVAL). */
static int parser_error(const char *name, const yaml_parser_t *parser)
{
    if (parser->error == YAML_MEMORY_ERROR) {
        return lh_error_oom();
    }
    size_t line = parser->problem_mark.line + 1;
    size_t col = parser->problem_mark.column + 1;
    if (parser->context_mark.line && !parser->problem_mark.line) {
        line = parser->context_mark.line + 1;
        col = parser->context_mark.column + 1;
    }
    lh_error_set("%s:%zu:%zu: invalid yaml: %s%s%s", name, line, col,
                 parser->problem ? parser->problem : "syntax error", parser->context ? " " : "",
                 parser->context ? parser->context : "");
    return LH_EINVAL;
}

/* Composes the first document of the stream into doc (initialised here in every case). */
static int compose(struct composer *c, yaml_parser_t *parser)
{
    yaml_event_t ev;
    bool started = false;
    bool done = false;
    int rc = 0;
    memset(c->doc, 0, sizeof(*c->doc));
    while (rc == 0 && !done) {
        if (!yaml_parser_parse(parser, &ev)) {
            rc = parser_error(c->name, parser);
            break;
        }
        if (ev.type == YAML_STREAM_START_EVENT) {
            /* nothing */
        } else if (ev.type == YAML_STREAM_END_EVENT) {
            done = true; /* no document: an empty one */
        } else if (ev.type == YAML_DOCUMENT_START_EVENT && !started) {
            started = true;
            if (!yaml_document_initialize(c->doc, ev.data.document_start.version_directive,
                                          ev.data.document_start.tag_directives.start,
                                          ev.data.document_start.tag_directives.end,
                                          ev.data.document_start.implicit, 0)) {
                rc = lh_error_oom();
            } else {
                c->doc->start_mark = ev.start_mark;
            }
        } else {
            rc = compose_event(c, &ev, &done);
        }
        yaml_event_delete(&ev);
    }
    if (rc == 0 && !started && !yaml_document_initialize(c->doc, NULL, NULL, NULL, 0, 0)) {
        rc = lh_error_oom();
    }
    if (rc < 0 && started) {
        yaml_document_delete(c->doc);
    }
    if (rc < 0) {
        memset(c->doc, 0, sizeof(*c->doc));
    }
    return rc;
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
    struct composer c = {.name = name, .doc = doc};
    int rc = compose(&c, &parser);
    composer_dispose(&c);
    yaml_parser_delete(&parser);
    if (rc < 0) {
        return rc;
    }
    rc = check_document(name, doc);
    if (rc < 0) {
        yaml_document_delete(doc);
        return rc;
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
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n) {
        lh_error_set("%s:%zu:%zu: %s", name, n->start_mark.line + 1, n->start_mark.column + 1, msg);
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
