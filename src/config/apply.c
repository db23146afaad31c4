/* SPDX-License-Identifier: MIT */
/*
 * A configuration file as session settings (lh_config_apply, config.h). The file goes first
 * and the command line is parsed on top of it, so a flag overrides its key; list keys
 * (rules, allow_paths) add to what the command line adds, and the rule selection keeps its
 * two layers apart because a glob that matches no rule is a configuration error in the file
 * but a usage error on the command line.
 */
#include "config/config.h"
#include "report/report.h"
#include "util/error.h"

#include <string.h>

static int push_all(struct lh_strlist *dst, const struct lh_strlist *src)
{
    for (size_t i = 0; i < src->count; i++) {
        int rc = lh_strlist_push(dst, src->items[i]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int lh_config_apply(const struct lh_config *cfg, struct lh_session_opts *o)
{
    o->file_name = cfg->path;
    o->file_dir = cfg->dir;
    int rc = push_all(&o->rule_paths, &cfg->rules);
    rc = rc ? rc : push_all(&o->file_enable, &cfg->enable_rules);
    rc = rc ? rc : push_all(&o->file_disable, &cfg->disable_rules);
    rc = rc ? rc : push_all(&o->exclude, &cfg->allow_paths);
    if (rc < 0) {
        return rc;
    }
    if (cfg->has_inline_allow_confirmed && !cfg->inline_allow_confirmed) {
        o->no_inline_allow_confirmed = true; /* any config may only make this stricter */
    }
    if (cfg->has_fail_on) {
        o->fail_on = cfg->fail_on;
    }
    if (cfg->has_min_confidence) {
        o->min_confidence = cfg->min_confidence;
    }
    if (cfg->has_max_decode_depth) {
        o->max_decode_depth = cfg->max_decode_depth;
    }
    if (cfg->baseline) {
        o->file_baseline = cfg->baseline;
        /* a file found in the scanned tree may have its baseline rewritten (prune) only
         * inside its own directory */
        o->baseline_confine = cfg->untrusted ? cfg->dir : NULL;
    }
    if (cfg->format) {
        if (!lh_report_find(cfg->format)) {
            lh_error_set("%s:%d:%d: unknown format '%s' (expected one of: %s)", cfg->path,
                         cfg->format_line, cfg->format_column, cfg->format, lh_report_formats());
            return LH_EINVAL;
        }
        o->format = cfg->format;
    }
    o->revoke_file = &cfg->revoke;
    return 0;
}
