/* SPDX-License-Identifier: MIT */
/*
 * `.leakhound.yml`: the project configuration file. Plain data; every unknown key is an
 * error naming file:line:col (exit 3), so a typo never silently reduces what is reported.
 * Secrets never live here: webhook signing keys are named by environment variable
 * (`secret_env`). Sections belong to the modules that read them: `revoke` is a
 * struct lh_revoke_config (notify/), `serve` a struct lh_serve_cfg (partner/). Relative paths
 * in a file are made relative to the file's directory when it is loaded, so every path in
 * the struct is usable as it is.
 *
 * config/ sits just under cli/: only the CLI includes it. trust.c decides which file is
 * trusted with what (a `.leakhound.yml` found in the scanned tree may not configure
 * revocation); apply.c turns a configuration into the settings of a scanning session.
 */
#ifndef LH_CONFIG_CONFIG_H
#define LH_CONFIG_CONFIG_H

#include "notify/revoke_config.h"
#include "partner/serve_cfg.h"
#include "rules/rule.h"
#include "session/session.h"
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
    bool has_max_decode_depth;
    size_t max_decode_depth; /* levels of decoding (0 to LH_DECODE_MAX_DEPTH) */
    bool has_inline_allow_confirmed;
    bool inline_allow_confirmed; /* false: leakhound:allow never hides a confirmed finding */
    char *baseline;              /* baseline file path */
    char *format;
    int format_line, format_column; /* where `format:` is (checked later, by the CLI) */
    bool untrusted;                 /* found in the scanned tree (lh_config_load_trusted) */
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
 * Loads the configuration a command uses into cfg (initialised by the caller). A file named
 * by the user (`named`, from --config) is trusted: all of it applies. Otherwise
 * `.leakhound.yml` found from `root` (lh_config_find) is untrusted, being part of what is
 * scanned: its revoke section (routes, enabled, state_dir) is dropped with one warning
 * through warn (may be NULL), and the revoke section of the user's own file
 * (lh_config_user_path), if that file exists, is used instead; any other key in the user's
 * file is an error. `none` loads no file at all. Returns 0, LH_EIO or LH_ENOMEM (a file
 * that cannot be read), or LH_EINVAL (an invalid file; the message names file:line:col).
 */
int lh_config_load_trusted(struct lh_config *cfg, const char *named, bool none, const char *root,
                           lh_warn_fn warn, void *payload) LH_WUR;

/*
 * Applies cfg to the settings of a session, before the command line is applied on top of it
 * (it overrides the file key by key; rule selection is layered: the file's globs first):
 * rule files, the rule selection, allow_paths, min_confidence, fail_on,
 * inline_allow_confirmed (only ever stricter), the baseline (confined to the file's
 * directory when the file is untrusted), the format and a trusted file's revoke section.
 * o borrows cfg's strings: cfg must outlive it. Returns 0, LH_EINVAL (an unknown format,
 * naming file:line:col) or LH_ENOMEM.
 */
int lh_config_apply(const struct lh_config *cfg, struct lh_session_opts *o) LH_WUR;

#endif
