/* SPDX-License-Identifier: MIT */
/*
 * The rule model: plain data loaded from YAML. This module knows nothing of PCRE2,
 * Vectorscan or validators; it only checks what can be checked on the data itself
 * (required fields, types, duplicate ids). Compiling patterns and resolving validator
 * names happens in the match and validate layers.
 */
#ifndef LH_RULES_RULE_H
#define LH_RULES_RULE_H

#include <stdbool.h>
#include <stddef.h>

enum lh_confidence {
    LH_CONF_NONE = 0,  /* not a finding (validator failed, or allow-listed) */
    LH_CONF_LOW,       /* generic shape, no distinctive prefix */
    LH_CONF_PROBABLE,  /* distinctive prefix, no validator exists */
    LH_CONF_CONFIRMED, /* validator (checksum / structure) passed */
};

/* A string list (owned strings). */
struct lh_strlist {
    char **items;
    size_t count;
};

/* One validator parameter: `key: value` (value is a scalar, or a list joined with ','). */
struct lh_param {
    char *key;
    char *value;
};

/* Where a thing was defined: for error messages (file:line:col, 1-based). */
struct lh_srcpos {
    const char *file; /* borrowed from the ruleset's file list */
    int line;
    int column;
};

/*
 * `keywords_boundary`: none; `identifier`: a keyword hit counts only at identifier
 * boundaries on both sides (provider names: `okta` not in `rookTable`); `start`: only its
 * start must be at a boundary (token prefixes: `cio` + body, not `precious`).
 */
enum lh_kw_boundary {
    LH_KWB_NONE = 0,
    LH_KWB_IDENTIFIER,
    LH_KWB_START,
};

struct lh_rule {
    char *id;
    char *name;
    char *description;
    char *remediation;                     /* optional: how to revoke or rotate it */
    char *provider;                        /* optional: issuer name, e.g. "GitHub" */
    struct lh_strlist keywords;            /* literal anchors; at least one occurs in every match */
    bool keywords_caseless;                /* `keywords_case: insensitive` */
    enum lh_kw_boundary keywords_boundary; /* hits inside a word ignored (see above) */
    struct lh_strlist prefilters; /* Vectorscan regexes standing in for keywords (optional) */
    struct lh_strlist paths;      /* globs: the rule runs only on blobs whose path matches */
    char *pattern;                /* PCRE2 with one named group `secret` */
    char *validator;              /* optional validator name */
    struct lh_param *params;      /* validator parameters */
    size_t nparams;
    double min_entropy;                /* bits per byte over the secret; 0 = none */
    struct lh_strlist allow_regexes;   /* on the secret */
    struct lh_strlist allow_stopwords; /* literal substrings of the secret (case-insensitive) */
    struct lh_strlist allow_paths;     /* path globs */
    enum lh_confidence confidence;     /* confidence when no validator applies */
    bool opt_in;                       /* `enabled: false` in YAML: off unless enabled by id */
    bool validator_soft; /* `validator_on_fail: probable`: a failed check lowers, not drops */
    bool disabled;       /* set by selection (config, --disable-rule) */
    bool yields;         /* `yields: true`: dropped where another rule reports an overlap */
    bool builtin;        /* embedded in the binary (its patterns compile lazily: lh_matcher_opts) */
    size_t max_length;   /* longest match, bytes (window for the prefilter); default 1024 */
    /* `decode`: LH_DECODE_BIT mask of the decoded text the rule is matched in */
    unsigned decode;
    bool has_decode; /* `decode` given; else LH_DECODE_DEFAULT_KINDS (lh_rule_decode_kinds) */
    struct lh_strlist references;
    struct lh_strlist examples;
    struct lh_strlist example_secrets; /* parallel to examples: expected secret or "" */
    struct lh_strlist example_paths;   /* parallel to examples: path to scan it as, or "" */
    struct lh_strlist negative_examples;
    struct lh_strlist negative_paths; /* parallel to negative_examples: path or "" */
    struct lh_srcpos pos;             /* where `id` was defined */
    struct lh_srcpos pattern_pos;
};

/* Returns "confirmed", "probable", "low" or "none". */
const char *lh_confidence_name(enum lh_confidence c);

/* Parses a confidence name; returns 0 and sets *out, or LH_EINVAL. */
int lh_confidence_parse(enum lh_confidence *out, const char *name);

/* Looks a validator parameter up by key; NULL when absent. Borrowed. */
const char *lh_rule_param(const struct lh_rule *r, const char *key);

/*
 * True when the rule applies to a blob at `path` (borrowed; NULL for stdin or a bare token):
 * always for a rule without `paths`, otherwise when one glob matches. A glob without '/'
 * matches the base name (`.netrc`, `*.pgpass`); a glob with '/' matches the whole path or
 * any tail of it that starts after a '/' (`.docker/config.json` matches
 * `home/u/.docker/config.json`), '*' not crossing '/'. Pure; thread-safe.
 */
bool lh_rule_path_applies(const struct lh_rule *r, const char *path);

/* The decoded text (LH_DECODE_BIT mask, decode/decode.h) the rule is matched in. */
unsigned lh_rule_decode_kinds(const struct lh_rule *r);

/* True if the rule takes part in scans (not disabled, and not an opt-in rule left off). */
bool lh_rule_active(const struct lh_rule *r);

void lh_strlist_dispose(struct lh_strlist *l);
int lh_strlist_push(struct lh_strlist *l, const char *s);

#endif
