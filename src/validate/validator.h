/* SPDX-License-Identifier: MIT */
/*
 * The validator interface. A validator is a small pure function over the bytes of one
 * candidate secret (the `secret` capture group of a rule match) plus the rule's validator
 * parameters. It answers pass or fail; it may add metadata (e.g. the AWS account id a key
 * id encodes). Validators never allocate on the heap, never log, and are thread-safe.
 * They never see more than the secret, so they cannot leak context.
 */
#ifndef LH_VALIDATE_VALIDATOR_H
#define LH_VALIDATE_VALIDATOR_H

#include "rules/rule.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Validation outcome plus optional metadata (a fixed-size key/value, no heap). */
struct lh_validation {
    bool pass;
    /* on a pass: the finding's confidence when the validator decides it (e.g. a private key
     * that parses is confirmed, an encrypted one low); LH_CONF_NONE = the default */
    enum lh_confidence confidence;
    char meta_key[32];   /* e.g. "aws_account"; empty if none */
    char meta_value[96]; /* e.g. "609629065308" */
};

/*
 * Checks `secret[0..len)` against the rule's parameters. Returns true (pass) or false.
 * Must be safe for any bytes and any length (including 0), and must not read past len.
 */
typedef bool (*lh_validator_check_fn)(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                                      struct lh_validation *out);

/*
 * Checks the rule's validator parameters when the ruleset is compiled. Returns 0, or
 * LH_ERULE with lh_error_set() naming the parameter. May be NULL (no parameters).
 */
typedef int (*lh_validator_params_fn)(const struct lh_rule *rule);

struct lh_validator {
    const char *name;
    const char *description;
    lh_validator_check_fn check;
    lh_validator_params_fn check_params;
    /* true: a pass is a checksum proof ("confirmed"); false: structural/metadata only */
    bool confirms;
    /* true: a checksum covers the whole random part, so any one-character change fails
     * (rules check then requires near misses to fail); false for structural validators */
    bool checksum;
};

/* Looks a validator up by name; NULL if unknown. The table is static. */
const struct lh_validator *lh_validator_find(const char *name);

/* The whole table (for `rules list` and docs), terminated by a NULL name. */
const struct lh_validator *lh_validator_all(void);

#endif
