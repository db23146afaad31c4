/* SPDX-License-Identifier: MIT */
/*
 * Known placeholders and test values that are never reported: documentation examples
 * (AWS ...EXAMPLE keys, GitHub doc tokens, the jwt.io token, Stripe's doc key, spec vectors),
 * kept as data in the YAML files of rules/placeholders with a source for each entry, plus generic
 * shapes (repeated-character fillers, alphabet runs such as `abcdefgh`, ${VAR} / {{ x }} /
 * %VAR% / <VAR> templates).
 * The list is a table generated at build time (rules/builtin.h).
 */
#ifndef LH_VALIDATE_PLACEHOLDER_H
#define LH_VALIDATE_PLACEHOLDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * True if secret[0..len) is a known placeholder or has a placeholder shape. *why (optional)
 * receives a static description ("documented example", "template", "repeated filler", "alphabet
 * run").
 */
bool lh_placeholder_check(const uint8_t *secret, size_t len, const char **why);

/* Number of literal entries (for tests and `rules list`). */
size_t lh_placeholder_count(void);

#endif
