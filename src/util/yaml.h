/* SPDX-License-Identifier: MIT */
/*
 * Thin helpers over libyaml's document API shared by every YAML reader (rules, config,
 * placeholders). They turn libyaml's marks into "file:line:col: message" errors and cap
 * the input size and nesting depth, so a hostile file cannot exhaust memory or stack.
 */
#ifndef LH_UTIL_YAML_H
#define LH_UTIL_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "util/error.h"

#define LH_YAML_MAX_BYTES (16u * 1024u * 1024u)
#define LH_YAML_MAX_DEPTH 32

/*
 * Parses one YAML document from buf into *doc (caller calls yaml_document_delete).
 * `name` is used in messages. Returns 0, LH_EINVAL (syntax: "name:line:col: ..."),
 * LH_ETOOBIG (size or depth). An empty document yields a doc with no root node.
 */
int lh_yaml_load(yaml_document_t *doc, const char *name, const uint8_t *buf, size_t len) LH_WUR;

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
