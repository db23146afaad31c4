/* SPDX-License-Identifier: MIT */
/*
 * Which configuration a command uses and what each file may decide (lh_config_load_trusted,
 * config.h). A `.leakhound.yml` found in the scanned tree is part of what is scanned: a fork's
 * pull request can commit any file it likes, so such a file may narrow or widen what is
 * reported but never make leakhound send anything anywhere or write outside its state
 * directory. Revocation settings therefore come only from places the user chose: a file
 * named with --config, or the user's own configuration file.
 */
#include "config/config.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Normalises a load error: unreadable stays LH_EIO/LH_ENOMEM, anything else is invalid. */
static int load(struct lh_config *cfg, const char *path)
{
    int rc = lh_config_load_file(cfg, path);
    return rc == 0 || rc == LH_EIO || rc == LH_ENOMEM ? rc : LH_EINVAL;
}

/*
 * Takes the revoke section of the user's own configuration file, when it exists, into cfg.
 * That file holds nothing else: any other key is an error rather than silently unused.
 */
static int load_user_revoke(struct lh_config *cfg)
{
    char *path = lh_config_user_path();
    struct stat st;
    if (!path || stat(path, &st) != 0) {
        free(path);
        return 0;
    }
    struct lh_config user;
    lh_config_init(&user);
    int rc = load(&user, path);
    if (rc == 0 && user.nkeys > (user.has_revoke ? 1u : 0u)) {
        lh_error_set("%s: only 'revoke' is read from the user configuration file; other "
                     "settings belong in the project's .leakhound.yml or a --config file",
                     path);
        rc = LH_EINVAL;
    }
    if (rc == 0 && user.has_revoke) {
        lh_revoke_config_move(&cfg->revoke, &user.revoke);
    }
    lh_config_dispose(&user);
    free(path);
    return rc;
}

int lh_config_load_trusted(struct lh_config *cfg, const char *named, bool none, const char *root,
                           lh_warn_fn warn, void *payload)
{
    if (none) {
        return 0;
    }
    if (named) {
        return load(cfg, named); /* named by the user: trusted, all of it */
    }
    char *found = lh_config_find(root);
    int rc = found ? load(cfg, found) : 0;
    free(found);
    if (rc < 0) {
        return rc;
    }
    cfg->untrusted = cfg->path != NULL;
    const struct lh_revoke_config *r = &cfg->revoke;
    if (r->enabled || r->nroutes || r->state_dir) {
        if (warn) {
            char *user = lh_config_user_path();
            char msg[8192];
            snprintf(msg, sizeof(msg),
                     "%s:%d: 'revoke' ignored: a configuration found in the scanned tree cannot "
                     "send findings anywhere or choose the state directory; name the file "
                     "with --config, or put the section in %s",
                     cfg->path, cfg->revoke_line,
                     user ? user : "$XDG_CONFIG_HOME/leakhound/config.yml");
            free(user);
            warn(msg, payload);
        }
        lh_revoke_config_dispose(&cfg->revoke);
    }
    return load_user_revoke(cfg);
}
