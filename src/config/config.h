/* SPDX-License-Identifier: MIT */
/*
 * `.leakhound.yml`: the project configuration file. Plain data; every unknown key is an
 * error naming file:line:col (exit 3), so a typo never silently reduces what is reported.
 * Secrets never live here: webhook signing keys are named by environment variable
 * (`secret_env`). Sections belong to the modules that read them: `revoke` is a
 * struct lh_revoke_config (notify/), `serve` a struct lh_serve_cfg (server/). Relative paths
 * in a file are made relative to the file's directory when it is loaded, so every path in
 * the struct is usable as it is.
 *
 * config/ sits just under cli/: only the CLI includes it. This module parses; which file is
 * trusted with what (a `.leakhound.yml` found in the scanned tree may not configure
 * revocation) is decided by the CLI (lh_cli_config_load).
 */
#ifndef LH_CONFIG_CONFIG_H
#define LH_CONFIG_CONFIG_H

#include "notify/revoke_config.h"
#include "rules/rule.h"
#include "server/serve_cfg.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lh_config {
    char *path;                      /* file it came from, or NULL */
    char *dir;                       /* its directory ("." for a bare name), or NULL */
    struct lh_strlist rules;         /* extra rule files/dirs (relative to the config file) */
    struct lh_strlist enable_rules;  /* id globs */
    struct lh_strlist disable_rules; /* id globs */
    struct lh_strlist allow_paths;   /* path globs never scanned */
    bool has_min_confidence;
    enum lh_confidence min_confidence; /* findings below are not reported */
    bool has_fail_on;
    enum lh_confidence fail_on;
    bool has_inline_allow_confirmed;
    bool inline_allow_confirmed; /* false: leakhound:allow never hides a confirmed finding */
    char *baseline;              /* baseline file path */
    char *format;
    int format_line, format_column; /* where `format:` is (checked later, by the CLI) */
    bool untrusted;                 /* found in the scanned tree (lh_cli_config_load) */
    size_t nkeys;                   /* top-level keys in the file */
    bool has_revoke;                /* the file has a `revoke` key */
    int revoke_line;                /* where it is (1-based), for messages */
    struct lh_revoke_config revoke;
    struct lh_serve_cfg serve;
};

/* Zero-initialises with defaults. */
void lh_config_init(struct lh_config *c);
void lh_config_dispose(struct lh_config *c);

/* Parses a config buffer (name used in messages). LH_EINVAL/LH_ETOOBIG with file:line:col. */
int lh_config_load_buffer(struct lh_config *c, const char *name, const uint8_t *buf,
                          size_t len) LH_WUR;

/* Loads a config file. LH_EIO when unreadable (message names it). */
int lh_config_load_file(struct lh_config *c, const char *path) LH_WUR;

/*
 * Finds `.leakhound.yml` (or `.leakhound.yaml`) at the root of the git repository that
 * contains `start` (or in `start` itself when not in a repository). Heap path or NULL.
 */
char *lh_config_find(const char *start);

/*
 * The user's own configuration file: $XDG_CONFIG_HOME/leakhound/config.yml when that variable
 * is an absolute path, else ~/.config/leakhound/config.yml. Heap (NULL without HOME or on OOM);
 * whether it exists is not checked.
 */
char *lh_config_user_path(void);

/*
 * Forgets the revoke section: what a configuration found in the scanned tree may not decide.
 * has_revoke and revoke_line stay, for the caller's message.
 */
void lh_config_drop_revoke(struct lh_config *c);

#endif
