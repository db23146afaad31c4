/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for parsed YAML snapshots (util/yaml.h: lh_yaml_dump_snapshot,
 * lh_yaml_load_snapshot, lh_yaml_compare): every embedded file rebuilds the document that
 * the YAML parser gives for its source, crafted documents with every node kind round-trip,
 * and corrupt blobs (every truncation, every byte flipped, hand-built bad fields) fail with
 * LH_EINVAL and a message naming the file, never a crash or a libyaml assert. Also the depth
 * check that lh_yaml_load and the snapshot loader share, on documents with aliases.
 * The document comparison here (doc_diff) is written independently of lh_yaml_compare, which
 * is itself tested against it.
 */
#include "rules/builtin.h"
#include "support/support.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/yaml.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- an independent document comparison ---- */

static bool mark_eq(yaml_mark_t a, yaml_mark_t b)
{
    return a.index == b.index && a.line == b.line && a.column == b.column;
}

static bool tag_eq(const yaml_char_t *a, const yaml_char_t *b)
{
    return a && b ? strcmp((const char *)a, (const char *)b) == 0 : a == b;
}

static bool say(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return false;
}

/* True when a and b are the same document; otherwise why[] says where they differ first. */
static bool doc_same(yaml_document_t *a, yaml_document_t *b, char *why, size_t cap)
{
    if (!a->start_implicit != !b->start_implicit || !a->end_implicit != !b->end_implicit) {
        return say(why, cap, "implicit flags");
    }
    if (!mark_eq(a->start_mark, b->start_mark) || !mark_eq(a->end_mark, b->end_mark)) {
        return say(why, cap, "document marks");
    }
    if (!a->version_directive != !b->version_directive ||
        a->tag_directives.end - a->tag_directives.start !=
            b->tag_directives.end - b->tag_directives.start) {
        return say(why, cap, "directives");
    }
    long na = a->nodes.top - a->nodes.start;
    long nb = b->nodes.top - b->nodes.start;
    if (na != nb) {
        return say(why, cap, "node count %ld vs %ld", na, nb);
    }
    for (long i = 0; i < na; i++) {
        const yaml_node_t *x = &a->nodes.start[i];
        const yaml_node_t *y = &b->nodes.start[i];
        if (x->type != y->type) {
            return say(why, cap, "node %ld: type %d vs %d", i + 1, x->type, y->type);
        }
        if (!tag_eq(x->tag, y->tag)) {
            return say(why, cap, "node %ld: tag %s vs %s", i + 1, x->tag, y->tag);
        }
        if (!mark_eq(x->start_mark, y->start_mark) || !mark_eq(x->end_mark, y->end_mark)) {
            return say(why, cap, "node %ld: marks %zu:%zu:%zu-%zu vs %zu:%zu:%zu-%zu", i + 1,
                       x->start_mark.index, x->start_mark.line, x->start_mark.column,
                       x->end_mark.index, y->start_mark.index, y->start_mark.line,
                       y->start_mark.column, y->end_mark.index);
        }
        if (x->type == YAML_SCALAR_NODE) {
            if (x->data.scalar.style != y->data.scalar.style) {
                return say(why, cap, "node %ld: scalar style", i + 1);
            }
            if (x->data.scalar.length != y->data.scalar.length ||
                memcmp(x->data.scalar.value, y->data.scalar.value, x->data.scalar.length) ||
                y->data.scalar.value[y->data.scalar.length] != '\0') {
                return say(why, cap, "node %ld: scalar bytes", i + 1);
            }
        } else if (x->type == YAML_SEQUENCE_NODE) {
            long cx = x->data.sequence.items.top - x->data.sequence.items.start;
            long cy = y->data.sequence.items.top - y->data.sequence.items.start;
            if (x->data.sequence.style != y->data.sequence.style || cx != cy) {
                return say(why, cap, "node %ld: sequence style or length", i + 1);
            }
            for (long k = 0; k < cx; k++) {
                if (x->data.sequence.items.start[k] != y->data.sequence.items.start[k]) {
                    return say(why, cap, "node %ld: item %ld", i + 1, k);
                }
            }
        } else {
            long cx = x->data.mapping.pairs.top - x->data.mapping.pairs.start;
            long cy = y->data.mapping.pairs.top - y->data.mapping.pairs.start;
            if (x->data.mapping.style != y->data.mapping.style || cx != cy) {
                return say(why, cap, "node %ld: mapping style or length", i + 1);
            }
            for (long k = 0; k < cx; k++) {
                yaml_node_pair_t p = x->data.mapping.pairs.start[k];
                yaml_node_pair_t q = y->data.mapping.pairs.start[k];
                if (p.key != q.key || p.value != q.value) {
                    return say(why, cap, "node %ld: pair %ld", i + 1, k);
                }
            }
        }
    }
    return true;
}

/* ---- helpers ---- */

static void load_yaml(yaml_document_t *doc, const char *name, const char *text)
{
    int rc = lh_yaml_load(doc, name, (const uint8_t *)text, strlen(text));
    cr_assert(eq(int, rc, 0), "%s", lh_error_get());
}

static void dump(uint8_t **snap, size_t *len, yaml_document_t *doc)
{
    int rc = lh_yaml_dump_snapshot(snap, len, "t.yml", doc);
    cr_assert(eq(int, rc, 0), "%s", lh_error_get());
}

/* Loads snap[0..len) from an exact-size heap copy, so ASan sees any read past the end. */
static int load_exact(yaml_document_t *doc, const char *name, const uint8_t *snap, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    cr_assert(copy != NULL);
    if (len) {
        memcpy(copy, snap, len);
    }
    int rc = lh_yaml_load_snapshot(doc, name, copy, len);
    free(copy);
    return rc;
}

/* Dumps a parsed text, loads the snapshot back, and requires the same document. */
static void round_trip(const char *text)
{
    yaml_document_t parsed;
    yaml_document_t rebuilt;
    uint8_t *snap = NULL;
    size_t len = 0;
    char why[256] = "";
    load_yaml(&parsed, "t.yml", text);
    dump(&snap, &len, &parsed);
    cr_assert(eq(int, load_exact(&rebuilt, "t.yml", snap, len), 0), "%s", lh_error_get());
    cr_assert(doc_same(&parsed, &rebuilt, why, sizeof(why)), "%s in:\n%s", why, text);
    cr_assert(eq(int, lh_yaml_compare("t.yml", &parsed, &rebuilt), 0), "%s", lh_error_get());
    /* the writer is deterministic: the rebuilt document dumps to the same bytes */
    uint8_t *again = NULL;
    size_t again_len = 0;
    dump(&again, &again_len, &rebuilt);
    cr_assert(eq(sz, again_len, len));
    cr_assert(memcmp(again, snap, len) == 0);
    free(again);
    free(snap);
    yaml_document_delete(&rebuilt);
    yaml_document_delete(&parsed);
}

/* Every node kind, style, explicit tags, aliases, escapes, and explicit document markers. */
static const char *const kitchen_sink =
    "---\n"
    "plain: value\n"
    "single: 'it''s'\n"
    "double: \"tab\\tbell\\aend \\u00e9\\U0001F600\"\n"
    "literal: |\n  line one\n  line two\n"
    "folded: >-\n  folded\n  text\n"
    "empty:\n"
    "tagged: !!int 42\n"
    "local: !custom {a: 1}\n"
    "verbatim: !<tag:example.com,2000:x> [1, 2]\n"
    "anchor: &a {k: [x, y]}\n"
    "alias1: *a\n"
    "alias2: [*a, *a]\n"
    "? [complex, key]\n"
    ": flow\n"
    "block:\n  - one\n  - - nested\n    - {deep: [1, [2, [3]]]}\n"
    "utf8: \"caf\xc3\xa9 \xe2\x82\xac\"\n"
    "...\n";

Test(yaml_snapshot, round_trips_every_node_kind)
{
    round_trip(kitchen_sink);
    round_trip("just a scalar\n");
    round_trip("[flow, sequence, {of: mapping}]\n");
    round_trip("- a\n- b\n");
}

Test(yaml_snapshot, empty_document_round_trips)
{
    round_trip("");
    round_trip("# only a comment\n");
    yaml_document_t doc;
    uint8_t *snap = NULL;
    size_t len = 0;
    load_yaml(&doc, "t.yml", "");
    dump(&snap, &len, &doc);
    yaml_document_delete(&doc);
    cr_assert(eq(int, load_exact(&doc, "t.yml", snap, len), 0), "%s", lh_error_get());
    cr_assert(yaml_document_get_root_node(&doc) == NULL);
    yaml_document_delete(&doc);
    free(snap);
}

Test(yaml_snapshot, directives_are_refused_by_the_writer)
{
    yaml_document_t doc;
    uint8_t *snap = NULL;
    size_t len = 0;
    load_yaml(&doc, "d.yml", "%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n");
    cr_assert(eq(int, lh_yaml_dump_snapshot(&snap, &len, "d.yml", &doc), LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "d.yml") != NULL, "%s", lh_error_get());
    cr_assert(snap == NULL);
    yaml_document_delete(&doc);
}

/* ---- the embedded files ---- */

static size_t count_files(const char *pattern)
{
    glob_t g;
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", LH_SOURCE_DIR, pattern);
    cr_assert(eq(int, glob(path, 0, NULL, &g), 0), "no match for %s", path);
    size_t n = g.gl_pathc;
    globfree(&g);
    return n;
}

static void check_embedded(const struct lh_builtin_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct lh_builtin_file *f = &files[i];
        char path[1024];
        char why[256] = "";
        struct lh_buf text;
        yaml_document_t parsed;
        yaml_document_t rebuilt;
        snprintf(path, sizeof(path), "%s/%s", LH_SOURCE_DIR, f->name);
        lh_buf_init(&text, LH_YAML_MAX_BYTES);
        cr_assert(eq(int, lh_fs_read_file(&text, path), 0), "%s", lh_error_get());
        cr_assert(eq(int, lh_yaml_load(&parsed, f->name, (const uint8_t *)text.ptr, text.len), 0),
                  "%s", lh_error_get());
        cr_assert(eq(int, lh_yaml_load_snapshot(&rebuilt, f->name, f->data, f->len), 0), "%s",
                  lh_error_get());
        cr_assert(yaml_document_get_root_node(&parsed) != NULL, "%s is empty", f->name);
        cr_assert(doc_same(&parsed, &rebuilt, why, sizeof(why)), "%s: %s", f->name, why);
        yaml_document_delete(&rebuilt);
        yaml_document_delete(&parsed);
        lh_buf_dispose(&text);
    }
}

Test(yaml_snapshot, embedded_rules_rebuild_the_parsed_documents)
{
    cr_assert(eq(sz, lh_builtin_files_count, count_files("rules/*.yml")));
    cr_assert(lh_builtin_files[lh_builtin_files_count].name == NULL);
    check_embedded(lh_builtin_files, lh_builtin_files_count);
}

Test(yaml_snapshot, embedded_placeholders_rebuild_the_parsed_documents)
{
    cr_assert(eq(sz, lh_placeholder_files_count, count_files("rules/placeholders/*.yml")));
    check_embedded(lh_placeholder_files, lh_placeholder_files_count);
}

/* ---- corrupt snapshots ---- */

/* Requires failure code `want` and a one-line message naming the file and holding needle. */
static void expect_failure(const uint8_t *snap, size_t len, int want, const char *what,
                           const char *needle)
{
    yaml_document_t doc;
    lh_error_clear();
    int rc = load_exact(&doc, "bad.snap", snap, len);
    cr_assert(eq(int, rc, want), "%s: rc %d (%s)", what, rc, lh_error_get());
    cr_assert(strstr(lh_error_get(), "bad.snap") != NULL, "%s: %s", what, lh_error_get());
    cr_assert(needle == NULL || strstr(lh_error_get(), needle) != NULL, "%s: %s", what,
              lh_error_get());
    cr_assert(strchr(lh_error_get(), '\n') == NULL);
    cr_assert(doc.nodes.start == NULL, "%s: document left allocated", what);
}

static const struct lh_builtin_file *smallest_rule_file(void)
{
    const struct lh_builtin_file *best = &lh_builtin_files[0];
    for (size_t i = 1; i < lh_builtin_files_count; i++) {
        if (lh_builtin_files[i].len < best->len) {
            best = &lh_builtin_files[i];
        }
    }
    return best;
}

Test(yaml_snapshot, every_truncation_is_refused)
{
    const struct lh_builtin_file *f = smallest_rule_file();
    for (size_t n = 0; n < f->len; n++) {
        char what[64];
        snprintf(what, sizeof(what), "%s cut to %zu bytes", f->name, n);
        expect_failure(f->data, n, LH_EINVAL, what, NULL);
    }
    /* and one crafted document with tags, aliases and every style */
    yaml_document_t doc;
    uint8_t *snap = NULL;
    size_t len = 0;
    load_yaml(&doc, "t.yml", kitchen_sink);
    dump(&snap, &len, &doc);
    yaml_document_delete(&doc);
    for (size_t n = 0; n < len; n++) {
        expect_failure(snap, n, LH_EINVAL, "kitchen sink truncated", NULL);
    }
    free(snap);
}

/* A flipped byte anywhere either still loads (a mark, a scalar byte) or fails cleanly. */
Test(yaml_snapshot, every_flipped_byte_is_safe)
{
    yaml_document_t doc;
    uint8_t *snap = NULL;
    size_t len = 0;
    load_yaml(&doc, "t.yml", kitchen_sink);
    dump(&snap, &len, &doc);
    yaml_document_delete(&doc);
    static const uint8_t masks[] = {0x01, 0x40, 0x80, 0xff};
    for (size_t i = 0; i < len; i++) {
        for (size_t m = 0; m < sizeof(masks); m++) {
            snap[i] ^= masks[m];
            lh_error_clear();
            int rc = load_exact(&doc, "bad.snap", snap, len);
            if (rc == 0) {
                yaml_document_delete(&doc);
            } else {
                cr_assert(rc == LH_EINVAL || rc == LH_ETOOBIG, "byte %zu: rc %d", i, rc);
                cr_assert(strstr(lh_error_get(), "bad.snap") != NULL, "%s", lh_error_get());
            }
            snap[i] ^= masks[m];
        }
    }
    free(snap);
}

/* A hand-built snapshot, field by field (format version 1, see util/yaml.c). */
struct snap {
    uint8_t b[512];
    size_t n;
};

static void put(struct snap *s, const void *p, size_t n)
{
    cr_assert(s->n + n <= sizeof(s->b));
    memcpy(s->b + s->n, p, n);
    s->n += n;
}

static void u8(struct snap *s, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(s, &b, 1);
}

static void uv(struct snap *s, unsigned long long v)
{
    do {
        u8(s, (unsigned)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
        v >>= 7;
    } while (v);
}

static void mark(struct snap *s)
{
    uv(s, 0);
    uv(s, 0);
    uv(s, 0);
}

static void header(struct snap *s, unsigned long long nodes)
{
    s->n = 0;
    put(s, "LHYS", 4);
    u8(s, 1);
    u8(s, 1);
    mark(s);
    mark(s);
    uv(s, nodes);
}

/* a node record without a tag; scalars take their value */
static void node(struct snap *s, unsigned type, unsigned style, const char *value)
{
    u8(s, type);
    u8(s, style);
    uv(s, 0);
    mark(s);
    mark(s);
    if (type == YAML_SCALAR_NODE) {
        uv(s, strlen(value));
        put(s, value, strlen(value));
    }
}

Test(yaml_snapshot, hand_built_snapshots_load)
{
    struct snap s;
    yaml_document_t doc;
    /* [x] and {k: x}: the builder itself is right, so the failures below test one field each */
    header(&s, 2);
    node(&s, YAML_SEQUENCE_NODE, 0, NULL);
    node(&s, YAML_SCALAR_NODE, 1, "x");
    uv(&s, 1);
    uv(&s, 2);
    cr_assert(eq(int, load_exact(&doc, "ok.snap", s.b, s.n), 0), "%s", lh_error_get());
    cr_assert(eq(int, doc.nodes.start[0].data.sequence.items.start[0], 2));
    yaml_document_delete(&doc);
    header(&s, 3);
    node(&s, YAML_MAPPING_NODE, 0, NULL);
    node(&s, YAML_SCALAR_NODE, 1, "k");
    node(&s, YAML_SCALAR_NODE, 1, "x");
    uv(&s, 1);
    uv(&s, 2);
    uv(&s, 3);
    cr_assert(eq(int, load_exact(&doc, "ok.snap", s.b, s.n), 0), "%s", lh_error_get());
    yaml_document_delete(&doc);
}

Test(yaml_snapshot, bad_header_is_refused)
{
    struct snap s;
    header(&s, 0);
    s.b[3] = 'X';
    expect_failure(s.b, s.n, LH_EINVAL, "bad magic", "bad magic");
    header(&s, 0);
    s.b[4] = 2;
    expect_failure(s.b, s.n, LH_EINVAL, "version 2", "version 2");
    header(&s, 0);
    s.b[5] = 0x80;
    expect_failure(s.b, s.n, LH_EINVAL, "unknown flag", "flags");
    expect_failure((const uint8_t *)"LHYS", 4, LH_EINVAL, "header only", "bad magic");
    header(&s, 0);
    u8(&s, 0);
    expect_failure(s.b, s.n, LH_EINVAL, "trailing byte", "1 trailing bytes");
}

Test(yaml_snapshot, node_ids_out_of_range_are_refused)
{
    struct snap s;
    header(&s, 2);
    node(&s, YAML_SEQUENCE_NODE, 0, NULL);
    node(&s, YAML_SCALAR_NODE, 1, "x");
    uv(&s, 1);
    uv(&s, 3);
    expect_failure(s.b, s.n, LH_EINVAL, "item id past the last node", "node id 3 exceeds 2");
    header(&s, 2);
    node(&s, YAML_SEQUENCE_NODE, 0, NULL);
    node(&s, YAML_SCALAR_NODE, 1, "x");
    uv(&s, 1);
    uv(&s, 0);
    expect_failure(s.b, s.n, LH_EINVAL, "item id 0", "node id 0");
    header(&s, 2);
    node(&s, YAML_MAPPING_NODE, 0, NULL);
    node(&s, YAML_SCALAR_NODE, 1, "k");
    uv(&s, 1);
    uv(&s, 2);
    uv(&s, 1ull << 40);
    expect_failure(s.b, s.n, LH_EINVAL, "huge value id", "node id");
    header(&s, 2);
    node(&s, YAML_MAPPING_NODE, 0, NULL);
    node(&s, YAML_SCALAR_NODE, 1, "k");
    uv(&s, 1);
    uv(&s, 2);
    expect_failure(s.b, s.n, LH_EINVAL, "pair without value", "pair count");
}

Test(yaml_snapshot, absurd_counts_are_refused)
{
    struct snap s;
    header(&s, 1ull << 40);
    node(&s, YAML_SCALAR_NODE, 1, "x");
    expect_failure(s.b, s.n, LH_EINVAL, "2^40 nodes", "node count");
    header(&s, 1000);
    node(&s, YAML_SCALAR_NODE, 1, "x");
    expect_failure(s.b, s.n, LH_EINVAL, "1000 nodes in a few bytes", "node count 1000");
    header(&s, 0);
    s.n -= 1;
    for (int i = 0; i < 9; i++) {
        u8(&s, 0xff);
    }
    u8(&s, 0x7f);
    expect_failure(s.b, s.n, LH_EINVAL, "count over 64 bits", "overflows");
    header(&s, 0);
    s.n -= 1;
    for (int i = 0; i < 11; i++) {
        u8(&s, 0x80);
    }
    expect_failure(s.b, s.n, LH_EINVAL, "endless integer", "overflows");
    header(&s, 0);
    s.n -= 1;
    u8(&s, 0x80);
    u8(&s, 0x00);
    expect_failure(s.b, s.n, LH_EINVAL, "integer not in its shortest form", "shortest form");
    header(&s, 1);
    node(&s, YAML_SEQUENCE_NODE, 0, NULL);
    uv(&s, 1ull << 32);
    expect_failure(s.b, s.n, LH_EINVAL, "2^32 items", "item count");
    header(&s, 1);
    node(&s, YAML_MAPPING_NODE, 0, NULL);
    uv(&s, 3);
    uv(&s, 1);
    uv(&s, 1);
    uv(&s, 1);
    uv(&s, 1);
    expect_failure(s.b, s.n, LH_EINVAL, "more pairs than bytes", "pair count 3");
}

Test(yaml_snapshot, scalar_past_the_end_is_refused)
{
    struct snap s;
    header(&s, 1);
    u8(&s, YAML_SCALAR_NODE);
    u8(&s, 1);
    uv(&s, 0);
    mark(&s);
    mark(&s);
    uv(&s, 100);
    put(&s, "abc", 3);
    expect_failure(s.b, s.n, LH_EINVAL, "scalar length past the end", "scalar length 100");
    header(&s, 1);
    u8(&s, YAML_SCALAR_NODE);
    u8(&s, 1);
    uv(&s, 0);
    mark(&s);
    mark(&s);
    uv(&s, 1ull << 62);
    put(&s, "abcdefgh", 8);
    expect_failure(s.b, s.n, LH_EINVAL, "scalar length 2^62", "scalar length");
}

static void tagged(struct snap *s, unsigned long long tag_len, const void *tag, size_t n)
{
    header(s, 1);
    u8(s, YAML_SCALAR_NODE);
    u8(s, 1);
    uv(s, tag_len);
    put(s, tag, n);
    mark(s);
    mark(s);
    uv(s, 1);
    put(s, "x", 1);
}

Test(yaml_snapshot, bad_fields_are_refused)
{
    struct snap s;
    /* one spare byte, so that the node count passes and the type is what fails */
    header(&s, 1);
    node(&s, 0, 0, NULL);
    u8(&s, 0);
    expect_failure(s.b, s.n, LH_EINVAL, "node type 0", "unknown node type 0");
    header(&s, 1);
    node(&s, 4, 0, NULL);
    u8(&s, 0);
    expect_failure(s.b, s.n, LH_EINVAL, "node type 4", "unknown node type 4");
    header(&s, 1);
    node(&s, YAML_SCALAR_NODE, 6, "x");
    expect_failure(s.b, s.n, LH_EINVAL, "scalar style 6", "scalar style 6");
    header(&s, 1);
    node(&s, YAML_SEQUENCE_NODE, 3, NULL);
    uv(&s, 0);
    expect_failure(s.b, s.n, LH_EINVAL, "sequence style 3", "sequence style 3");
    header(&s, 1);
    node(&s, YAML_MAPPING_NODE, 3, NULL);
    uv(&s, 0);
    expect_failure(s.b, s.n, LH_EINVAL, "mapping style 3", "mapping style 3");
    tagged(&s, 2, "!a!", 3);
    expect_failure(s.b, s.n, LH_EINVAL, "tag without its NUL", "malformed tag");
    tagged(&s, 3, "!\0a\0", 4);
    expect_failure(s.b, s.n, LH_EINVAL, "NUL inside a tag", "malformed tag");
    tagged(&s, 200, "!a", 3);
    expect_failure(s.b, s.n, LH_EINVAL, "tag past the end", "tag length");
    tagged(&s, 2, "\xff\xfe", 3);
    expect_failure(s.b, s.n, LH_EINVAL, "tag not utf-8", "tag is not utf-8");
    tagged(&s, 2, "!a", 3);
    s.b[s.n - 1] = 0xc0; /* the value byte */
    expect_failure(s.b, s.n, LH_EINVAL, "scalar not utf-8", "scalar is not utf-8");
    header(&s, 1);
    node(&s, YAML_SCALAR_NODE, 1, "\xe0\x80\x80"); /* overlong NUL */
    expect_failure(s.b, s.n, LH_EINVAL, "overlong utf-8", "scalar is not utf-8");
}

Test(yaml_snapshot, cycles_and_deep_chains_are_refused)
{
    struct snap s;
    /* node 1 = [*1, *1]: a cycle with fan-out, refused by the depth cap without blowing up */
    header(&s, 1);
    node(&s, YAML_SEQUENCE_NODE, 0, NULL);
    uv(&s, 2);
    uv(&s, 1);
    uv(&s, 1);
    expect_failure(s.b, s.n, LH_ETOOBIG, "self-referencing sequence", "nesting deeper");
    /* a chain of 40 sequences */
    header(&s, 40);
    for (int i = 0; i < 40; i++) {
        node(&s, YAML_SEQUENCE_NODE, 0, NULL);
    }
    for (int i = 0; i < 40; i++) {
        uv(&s, i < 39 ? 1 : 0);
        if (i < 39) {
            uv(&s, (unsigned long long)i + 2);
        }
    }
    expect_failure(s.b, s.n, LH_ETOOBIG, "40 levels", "nesting deeper");
}

Test(yaml_snapshot, oversized_blob_is_refused_before_reading)
{
    yaml_document_t doc;
    static const uint8_t one[1] = {'L'};
    /* the length check comes first: no byte past the first is read */
    int rc = lh_yaml_load_snapshot(&doc, "big.snap", one, (size_t)LH_YAML_SNAPSHOT_MAX_BYTES + 1);
    cr_assert(eq(int, rc, LH_ETOOBIG));
    cr_assert(strstr(lh_error_get(), "big.snap") != NULL, "%s", lh_error_get());
}

/* ---- lh_yaml_compare agrees with doc_same on single differences ---- */

static void expect_differ(yaml_document_t *a, yaml_document_t *b, const char *what)
{
    char why[256] = "";
    cr_assert(doc_same(a, b, why, sizeof(why)) == false, "%s: doc_same missed it", what);
    cr_assert(eq(int, lh_yaml_compare("c.yml", a, b), LH_EINVAL), "%s: compare missed it", what);
    cr_assert(strstr(lh_error_get(), "c.yml") != NULL);
}

static yaml_node_t *find_kind(yaml_document_t *doc, yaml_node_type_t type)
{
    yaml_node_t *found = NULL;
    for (yaml_node_t *n = doc->nodes.start; !found && n < doc->nodes.top; n++) {
        if (n->type == type) {
            found = n;
        }
    }
    cr_assert(found != NULL, "no node of type %d", type);
    return found;
}

Test(yaml_snapshot, compare_reports_each_kind_of_difference)
{
    yaml_document_t a;
    yaml_document_t b;
    load_yaml(&a, "c.yml", kitchen_sink);
    load_yaml(&b, "c.yml", kitchen_sink);
    cr_assert(eq(int, lh_yaml_compare("c.yml", &a, &b), 0), "%s", lh_error_get());
    yaml_node_t *sc = find_kind(&b, YAML_SCALAR_NODE);
    yaml_node_t *seq = find_kind(&b, YAML_SEQUENCE_NODE);
    yaml_node_t *map = find_kind(&b, YAML_MAPPING_NODE);

    sc->start_mark.column++;
    expect_differ(&a, &b, "start column");
    sc->start_mark.column--;
    map->end_mark.index++;
    expect_differ(&a, &b, "end index");
    map->end_mark.index--;
    sc->data.scalar.style = YAML_LITERAL_SCALAR_STYLE;
    expect_differ(&a, &b, "scalar style");
    sc->data.scalar.style = a.nodes.start[sc - b.nodes.start].data.scalar.style;
    sc->data.scalar.value[0] ^= 1;
    expect_differ(&a, &b, "scalar byte");
    sc->data.scalar.value[0] ^= 1;
    sc->data.scalar.length--;
    expect_differ(&a, &b, "scalar length");
    sc->data.scalar.length++;
    sc->tag[strlen((char *)sc->tag) - 1] ^= 1;
    expect_differ(&a, &b, "tag");
    sc->tag[strlen((char *)sc->tag) - 1] ^= 1;
    seq->data.sequence.style =
        YAML_FLOW_SEQUENCE_STYLE + YAML_BLOCK_SEQUENCE_STYLE - seq->data.sequence.style;
    expect_differ(&a, &b, "sequence style");
    seq->data.sequence.style =
        YAML_FLOW_SEQUENCE_STYLE + YAML_BLOCK_SEQUENCE_STYLE - seq->data.sequence.style;
    seq->data.sequence.items.start[0]++;
    expect_differ(&a, &b, "item id");
    seq->data.sequence.items.start[0]--;
    map->data.mapping.pairs.start[0].value++;
    expect_differ(&a, &b, "pair value");
    map->data.mapping.pairs.start[0].value--;
    b.start_implicit = !b.start_implicit;
    expect_differ(&a, &b, "implicit start");
    b.start_implicit = !b.start_implicit;
    b.end_mark.line++;
    expect_differ(&a, &b, "document end mark");
    b.end_mark.line--;
    cr_assert(eq(int, lh_yaml_compare("c.yml", &a, &b), 0), "%s", lh_error_get());
    yaml_document_delete(&a);
    yaml_document_delete(&b);
}

/* ---- the depth check on documents with aliases ---- */

/*
 * a0 = [x, x], a<i> = [*a<i-1>, *a<i-1>]: 1 KB of YAML, 2^30 paths through the aliases, 32
 * levels deep (within the cap). A walk that follows every path takes minutes; the alarm turns
 * that into a failure.
 */
/* a0 = [x, x], a<i> = [*a<i-1>, *a<i-1>] up to a<levels>, into b. */
static void alias_chain(struct lh_buf *b, int levels)
{
    lh_buf_init(b, 0);
    cr_assert(eq(int, lh_buf_puts(b, "a0: &a0 [x, x]\n"), 0));
    for (int i = 1; i <= levels; i++) {
        cr_assert(eq(int, lh_buf_printf(b, "a%d: &a%d [*a%d, *a%d]\n", i, i, i - 1, i - 1), 0));
    }
}

Test(yaml, alias_fan_out_is_checked_in_linear_time)
{
    struct lh_buf b;
    alias_chain(&b, 30);
    alarm(20);
    yaml_document_t doc;
    int rc = lh_yaml_load(&doc, "laughs.yml", (const uint8_t *)b.ptr, b.len);
    cr_assert(eq(int, rc, 0), "%s", lh_error_get());
    uint8_t *snap = NULL;
    size_t len = 0;
    dump(&snap, &len, &doc);
    yaml_document_t rebuilt;
    cr_assert(eq(int, lh_yaml_load_snapshot(&rebuilt, "laughs.yml", snap, len), 0), "%s",
              lh_error_get());
    alarm(0);
    yaml_document_delete(&rebuilt);
    yaml_document_delete(&doc);
    free(snap);
    lh_buf_dispose(&b);
}

/* One level more than the cap through aliases is still refused, at the same node as before. */
Test(yaml, alias_depth_over_the_cap_is_refused)
{
    struct lh_buf b;
    alias_chain(&b, 31);
    alarm(20);
    yaml_document_t doc;
    int rc = lh_yaml_load(&doc, "deep.yml", (const uint8_t *)b.ptr, b.len);
    alarm(0);
    cr_assert(eq(int, rc, LH_ETOOBIG), "%s", lh_error_get());
    /* the first over-deep node in document order: the first 'x', in a0's flow sequence */
    cr_assert(strstr(lh_error_get(), "deep.yml:1:10: nesting deeper than 32 levels") != NULL, "%s",
              lh_error_get());
    lh_buf_dispose(&b);
}
