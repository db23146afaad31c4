/* SPDX-License-Identifier: MIT */
/*
 * Thin helpers over libyaml's document API shared by every YAML reader (rules, config,
 * placeholders). They turn libyaml's marks into "file:line:col: message" errors and cap
 * the input size and nesting depth, so a hostile file cannot exhaust memory or stack.
 */
#ifndef LH_UTIL_YAML_H
#define LH_UTIL_YAML_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#define LH_YAML_MAX_BYTES (16u * 1024u * 1024u)
#define LH_YAML_MAX_DEPTH 32

/*
 * Parses the first YAML document of buf into *doc (caller calls yaml_document_delete): the
 * document yaml_parser_load would give, composed from libyaml's events in time linear in the
 * document, anchors and aliases included (an alias is the anchored node's id). `name` is used
 * in messages. Returns 0, LH_EINVAL (syntax, an undefined alias, a repeated anchor:
 * "name:line:col: invalid yaml: ..."), LH_ETOOBIG (size, or nesting deeper than
 * LH_YAML_MAX_DEPTH, keys and aliases included), LH_ENOMEM. An empty stream yields a doc with
 * no root node. On failure *doc holds nothing to free.
 */
int lh_yaml_load(yaml_document_t *doc, const char *name, const uint8_t *buf, size_t len) LH_WUR;

/*
 * Compares two documents field by field: implicit flags, marks and directives of the
 * document; type, tag, style, start and end marks, scalar bytes, item and pair node ids of
 * every node. Returns 0 when identical, else LH_EINVAL with one line naming `name` and the
 * first difference. Neither document is modified.
 */
int lh_yaml_compare(const char *name, yaml_document_t *a, yaml_document_t *b) LH_WUR;

/* Returns the node's scalar value (borrowed, NUL-terminated) or NULL if not a scalar. */
const char *lh_yaml_scalar(yaml_document_t *doc, yaml_node_t *n);

/* Records "name:line:col: msg" for node n (1-based line and column) and returns LH_EINVAL. */
int lh_yaml_error(const char *name, const yaml_node_t *n, const char *fmt, ...) LH_PRINTF(3, 4);

/* Parses a boolean scalar (true/false/yes/no/on/off). Returns 0 or LH_EINVAL (reported). */
int lh_yaml_bool(bool *out, const char *name, yaml_document_t *doc, yaml_node_t *n) LH_WUR;

/* Parses a non-negative number scalar. Returns 0 or LH_EINVAL (reported). */
int lh_yaml_double(double *out, const char *name, yaml_document_t *doc, yaml_node_t *n) LH_WUR;
int lh_yaml_size(size_t *out, const char *name, yaml_document_t *doc, yaml_node_t *n) LH_WUR;

/* Duplicates a scalar node's value into *out (heap). Error (reported) when not a scalar. */
int lh_yaml_strdup(char **out, const char *name, yaml_document_t *doc, yaml_node_t *n) LH_WUR;

/*
 * Calls cb for every string of a scalar-or-sequence-of-scalars node. Returns 0, the first
 * negative code from cb, or LH_EINVAL (reported) on a non-scalar item.
 */
typedef int (*lh_yaml_str_cb)(const char *s, yaml_node_t *item, void *payload);
int lh_yaml_each_string(const char *name, yaml_document_t *doc, yaml_node_t *n, lh_yaml_str_cb cb,
                        void *payload) LH_WUR;

#endif
