/* SPDX-License-Identifier: MIT */
/* Shared CLI plumbing; see common.h. */
#include "cli/common.h"

#include "cli/exit.h"
#include "notify/revoke.h"
#include "report/multi.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int lh_exit_from_error(int code)
{
    switch (code) {
    case LH_OK:
        return LH_EXIT_CLEAN;
    case LH_EUSAGE:
        return LH_EXIT_USAGE;
    case LH_EINVAL:
    case LH_ERULE:
        return LH_EXIT_CONFIG;
    default:
        return LH_EXIT_IO;
    }
}

void lh_cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("leakhound: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void lh_cli_warn(const char *fmt, ...)
{
    va_list ap;
    fputs("leakhound: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void lh_cli_warn_cb(const char *msg, void *payload)
{
    const struct lh_cli_opts *o = payload;
    if (!o || !o->quiet) {
        lh_cli_warn("%s", msg);
    }
}

void lh_cli_opts_init(struct lh_cli_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->format = "text";
    o->color = "auto";
    o->fail_on = LH_CONF_LOW;
    o->min_confidence = LH_CONF_LOW;
    o->exit_code = LH_EXIT_FINDINGS;
    lh_archive_limits_default(&o->archive);
}

void lh_cli_opts_dispose(struct lh_cli_opts *o)
{
    lh_strlist_dispose(&o->rule_paths);
    lh_strlist_dispose(&o->enable);
    lh_strlist_dispose(&o->disable);
    lh_strlist_dispose(&o->exclude);
    lh_strlist_dispose(&o->revoke_urls);
    lh_strlist_dispose(&o->reports);
    free(o->uri_prefix);
    o->uri_prefix = NULL;
    free(o->repo_name);
    o->repo_name = NULL;
}

int lh_cli_parse_size(size_t *out, const char *s)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-') {
        return -1;
    }
    unsigned long long mul = 1;
    if (*end == 'k' || *end == 'K') {
        mul = 1024ull;
        end++;
    } else if (*end == 'm' || *end == 'M') {
        mul = 1024ull * 1024ull;
        end++;
    } else if (*end == 'g' || *end == 'G') {
        mul = 1024ull * 1024ull * 1024ull;
        end++;
    }
    if (*end == 'i' || *end == 'B') {
        end++;
    }
    if (*end == 'B') {
        end++;
    }
    if (*end || v > (unsigned long long)SIZE_MAX / mul) {
        return -1;
    }
    *out = (size_t)(v * mul);
    return 0;
}

/*
 * Enables or disables the rules matching each glob. A glob that matches nothing is an
 * error: a usage error on the command line, a configuration error (exit 3) in the file.
 */
static int select_rules(struct lh_ruleset *rs, const struct lh_strlist *globs, bool enable,
                        const char *cfg_path)
{
    for (size_t i = 0; i < globs->count; i++) {
        if (lh_ruleset_select(rs, globs->items[i], enable)) {
            continue;
        }
        if (cfg_path) {
            lh_cli_error("%s: %s: '%s' matches no rule", cfg_path,
                         enable ? "enable_rules" : "disable_rules", globs->items[i]);
            return LH_EXIT_CONFIG;
        }
        lh_cli_error("--%s-rule '%s' matches no rule", enable ? "enable" : "disable",
                     globs->items[i]);
        return LH_EXIT_USAGE;
    }
    return 0;
}

/* Loads rules; the config's selection (cfg may be NULL) first, the command line's on top. */
static int load_rules(struct lh_ruleset **out, const struct lh_cli_opts *o,
                      const struct lh_config *cfg)
{
    struct lh_ruleset *rs = NULL;
    int rc = lh_ruleset_new(&rs);
    if (rc == 0 && !o->no_builtin) {
        rc = lh_ruleset_load_builtin(rs);
    }
    for (size_t i = 0; rc == 0 && i < o->rule_paths.count; i++) {
        rc = lh_ruleset_load_path(rs, o->rule_paths.items[i]);
    }
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        lh_ruleset_free(rs);
        return rc == LH_EIO || rc == LH_ENOMEM ? LH_EXIT_IO : LH_EXIT_CONFIG;
    }
    int ex = 0;
    if (cfg) {
        ex = select_rules(rs, &cfg->enable_rules, true, cfg->path ? cfg->path : "config");
        if (!ex) {
            ex = select_rules(rs, &cfg->disable_rules, false, cfg->path ? cfg->path : "config");
        }
    }
    if (!ex) {
        ex = select_rules(rs, &o->enable, true, NULL);
    }
    if (!ex) {
        ex = select_rules(rs, &o->disable, false, NULL);
    }
    if (ex) {
        lh_ruleset_free(rs);
        return ex;
    }
    *out = rs;
    return 0;
}

int lh_cli_load_rules(struct lh_ruleset **out, const struct lh_cli_opts *o)
{
    return load_rules(out, o, NULL);
}

/* Reads path into a NUL-terminated heap string (at most 1 MiB); NULL when unreadable. */
static char *read_small(const char *path)
{
    struct lh_buf b;
    lh_buf_init(&b, 1024 * 1024);
    if (lh_fs_read_file(&b, path) < 0 || lh_buf_putc(&b, '\0') < 0) {
        lh_buf_dispose(&b);
        lh_error_clear();
        return NULL;
    }
    return lh_buf_take(&b);
}

/* The url of [remote "origin"] in a git config text, credentials removed (heap), or NULL. */
static char *origin_url(const char *cfg)
{
    bool in_origin = false;
    for (const char *line = cfg; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        while (n && (*line == ' ' || *line == '\t')) {
            line++;
            n--;
        }
        if (n && *line == '[') {
            in_origin = n >= 17 && !strncmp(line, "[remote \"origin\"]", 17);
        } else if (in_origin && n > 3 && !strncmp(line, "url", 3)) {
            const char *v = line + 3;
            while (v < line + n && (*v == ' ' || *v == '\t' || *v == '=')) {
                v++;
            }
            size_t vn = (size_t)(line + n - v);
            while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\r' || v[vn - 1] == '\t')) {
                vn--;
            }
            char *url = strndup(v, vn);
            /* scheme://user:password@host/...: keep scheme://host/... (never print a secret) */
            char *scheme = url ? strstr(url, "://") : NULL;
            if (scheme) {
                char *host = scheme + 3;
                char *slash = strchr(host, '/');
                char *at = memchr(host, '@', slash ? (size_t)(slash - host) : strlen(host));
                if (at) {
                    memmove(host, at + 1, strlen(at + 1) + 1);
                }
            }
            return url;
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

void lh_cli_default_repo_name(struct lh_cli_opts *o, const char *root)
{
    if (o->repo_name || !root) {
        return;
    }
    char git[4200];
    char cfg[4400];
    struct stat st;
    snprintf(git, sizeof(git), "%s/.git", root);
    if (lstat(git, &st) != 0) {
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(cfg, sizeof(cfg), "%s/config", git);
    } else {
        /* "gitdir: X" (linked worktree or submodule); X/commondir names the shared dir */
        char *txt = read_small(git);
        char *gd = txt && !strncmp(txt, "gitdir: ", 8) ? txt + 8 : NULL;
        if (!gd) {
            free(txt);
            return;
        }
        gd[strcspn(gd, "\r\n")] = '\0';
        char gdabs[4300];
        snprintf(gdabs, sizeof(gdabs), "%s%s%s", gd[0] == '/' ? "" : root, gd[0] == '/' ? "" : "/",
                 gd);
        char cd[4400];
        snprintf(cd, sizeof(cd), "%s/commondir", gdabs);
        char *common = read_small(cd);
        if (common) {
            common[strcspn(common, "\r\n")] = '\0';
            snprintf(cfg, sizeof(cfg), "%s%s%s/config", common[0] == '/' ? "" : gdabs,
                     common[0] == '/' ? "" : "/", common);
        } else {
            snprintf(cfg, sizeof(cfg), "%s/config", gdabs);
        }
        free(common);
        free(txt);
    }
    char *text = read_small(cfg);
    o->repo_name = text ? origin_url(text) : NULL;
    free(text);
}

int lh_cli_build_detector(struct lh_detector **d, const struct lh_ruleset *rs,
                          const struct lh_cli_opts *o)
{
    struct lh_detect_opts dopts = {0};
    dopts.matcher.use_cache = !o->no_cache;
    dopts.inline_allow = !o->no_inline_allow;
    dopts.inline_allow_unconfirmed = o->no_inline_allow_confirmed;
    dopts.keep_invalid = o->show_invalid;
    dopts.max_per_blob = o->max_findings;
    dopts.matcher.match_limit = o->match_limit;
    dopts.matcher.depth_limit = o->depth_limit;
    dopts.matcher.eager_compile = o->eager_compile;
    int rc = lh_detector_new(d, rs, &dopts);
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        return rc == LH_ERULE || rc == LH_EINVAL ? LH_EXIT_CONFIG : LH_EXIT_IO;
    }
    return 0;
}

bool lh_cli_use_color(const char *mode, FILE *stream)
{
    if (!strcmp(mode, "always")) {
        return true;
    }
    if (!strcmp(mode, "never")) {
        return false;
    }
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) {
        return false;
    }
    return isatty(fileno(stream)) == 1;
}

/* The run's outputs: --format to --output (or stdout) first, then each --report. */
static int build_dests(struct lh_report_dest **out, size_t *n, const struct lh_cli_opts *o)
{
    struct lh_report_dest *d = calloc(o->reports.count + 1, sizeof(*d));
    *out = d;
    *n = 0;
    if (!d) {
        return lh_error_oom();
    }
    d[0].ops = lh_report_find(o->format);
    if (o->output && strcmp(o->output, "-") != 0) {
        d[0].path = strdup(o->output);
        if (!d[0].path) {
            return lh_error_oom();
        }
    }
    *n = 1;
    for (size_t i = 0; i < o->reports.count; i++) {
        int rc = lh_report_dest_parse(&d[i + 1], o->reports.items[i]);
        if (rc < 0) {
            return rc;
        }
        *n = i + 2;
    }
    return 0;
}

static void free_dests(struct lh_report_dest *d, size_t n)
{
    for (size_t i = 0; d && i < n; i++) {
        lh_report_dest_dispose(&d[i]);
    }
    free(d);
}

int lh_cli_reports_check(const struct lh_cli_opts *o)
{
    struct lh_report_dest *d = NULL;
    size_t n = 0;
    int rc = build_dests(&d, &n, o);
    if (rc == 0) {
        rc = lh_report_dests_check(d, n);
    }
    free_dests(d, n);
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        return rc == LH_EUSAGE ? LH_EXIT_USAGE : LH_EXIT_IO;
    }
    return 0;
}

int lh_cli_write_report(const struct lh_cli_opts *o, const struct lh_ruleset *rs,
                        const struct lh_findings *l, const struct lh_report_summary *s)
{
    struct lh_report_dest *d = NULL;
    size_t n = 0;
    int ex = 0;
    struct lh_report_ctx ctx = {
        .show_secrets = o->show_secrets,
        .show_invalid = o->show_invalid,
        .show_suppressed = o->show_suppressed,
        .uri_prefix = o->uri_prefix,
        .repo_name = o->repo_name,
        .color = lh_cli_use_color(o->color, stdout),
        .rules = rs,
        .summary = s,
        .tool_version = LH_VERSION,
        .step_summary = getenv("GITHUB_STEP_SUMMARY"),
        .head_commit = getenv("CI_COMMIT_SHA"), /* gitlab: the pipeline's commit */
    };
    if (build_dests(&d, &n, o) < 0) {
        lh_cli_error("%s", lh_error_get());
        free_dests(d, n);
        return LH_EXIT_IO;
    }
    for (size_t i = 0; i < n; i++) {
        if (lh_report_dest_write(&d[i], stdout, l, &ctx) < 0) {
            lh_cli_error("%s", lh_error_get());
            ex = LH_EXIT_IO;
        }
        if (!strcmp(d[i].ops->name, "github")) {
            ctx.step_summary = NULL; /* one job summary per run */
        }
    }
    free_dests(d, n);
    if (!o->quiet) {
        char line[512];
        lh_report_summary_line(line, sizeof(line), l, s, o->show_invalid);
        fprintf(stderr, "leakhound: %s\n", line);
    }
    return ex;
}

int lh_cli_scan_exit(const struct lh_cli_opts *o, const struct lh_findings *l,
                     const struct lh_report_summary *s)
{
    if (s->errors) {
        return LH_EXIT_IO;
    }
    for (size_t i = 0; i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        if (!f->invalid && !f->suppressed && f->confidence >= o->fail_on) {
            return o->exit_code;
        }
    }
    return LH_EXIT_CLEAN;
}

double lh_cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int lh_cli_parse_opts(struct lh_cli_parsed *p, const struct lh_cli_command *cmd,
                      struct lh_cli_opts *o, void *own, int argc, char **argv, int first)
{
    int ex = lh_cli_parse(p, cmd, argc, argv, first, o, own);
    if (ex) {
        return ex;
    }
    o->has_format = lh_cli_given(p, cmd, "format");
    o->has_fail_on = lh_cli_given(p, cmd, "fail-on");
    o->has_min_confidence = lh_cli_given(p, cmd, "min-confidence");
    if (o->repo_name_arg) {
        o->repo_name = strdup(o->repo_name_arg);
        if (!o->repo_name) {
            lh_cli_error("out of memory");
            return LH_EXIT_IO;
        }
    }
    return 0;
}

char *lh_cli_config_relative(const struct lh_config *cfg, const char *r)
{
    const char *slash = cfg->path ? strrchr(cfg->path, '/') : NULL;
    if (!r) {
        return NULL;
    }
    if (r[0] == '/' || !slash) {
        return strdup(r);
    }
    char *dir = strndup(cfg->path, (size_t)(slash - cfg->path));
    char *path = dir ? lh_path_join(dir, r) : NULL;
    free(dir);
    return path;
}

static int add_config_rules(struct lh_cli_opts *o, const struct lh_config *cfg)
{
    for (size_t i = 0; i < cfg->rules.count; i++) {
        char *path = lh_cli_config_relative(cfg, cfg->rules.items[i]);
        if (!path || lh_strlist_push(&o->rule_paths, path) < 0) {
            free(path);
            return -1;
        }
        free(path);
    }
    return 0;
}

static int push_all(struct lh_strlist *dst, const struct lh_strlist *src)
{
    for (size_t i = 0; i < src->count; i++) {
        if (lh_strlist_push(dst, src->items[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

char *lh_cli_git_root(const char *start)
{
    char *dir = realpath(start ? start : ".", NULL);
    struct stat st;
    if (dir && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
        }
    }
    while (dir) {
        char *git = lh_path_join(dir, ".git");
        bool found = git && access(git, F_OK) == 0;
        free(git);
        if (found) {
            return dir;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) {
            break;
        }
        *slash = '\0';
    }
    free(dir);
    return NULL;
}

/*
 * The directory a full scan covers: the root of the git repository holding `start`, else
 * the config file's directory, else the current directory. A real path (heap), or NULL.
 * *in_git says whether it is a git root.
 */
static char *project_root(const struct lh_config *cfg, const char *start, bool *in_git)
{
    char *dir = lh_cli_git_root(start);
    *in_git = dir != NULL;
    if (dir) {
        return dir;
    }
    if (cfg->path) {
        char *real = realpath(cfg->path, NULL);
        char *slash = real ? strrchr(real, '/') : NULL;
        if (slash) {
            slash[slash == real ? 1 : 0] = '\0';
            return real;
        }
        free(real);
    }
    return realpath(".", NULL);
}

/*
 * Loads the baseline named on the command line or in the config (relative to the file), or
 * else LH_DEFAULT_BASELINE at the project root when it exists: the file `baseline create -o`
 * writes there is honoured without configuration.
 */
static int open_baseline(struct lh_cli_session *s, struct lh_cli_opts *o)
{
    char *found = NULL;
    if (!o->baseline && !s->cfg.baseline && s->project_root) {
        found = lh_path_join(s->project_root, LH_DEFAULT_BASELINE);
        struct stat fst;
        if (found && (stat(found, &fst) != 0 || !S_ISREG(fst.st_mode))) {
            free(found);
            found = NULL;
        }
    }
    if (o->baseline) {
        s->baseline_path = strdup(o->baseline);
    } else if (s->cfg.baseline) {
        s->baseline_path = lh_cli_config_relative(&s->cfg, s->cfg.baseline);
        s->baseline_untrusted = s->cfg.untrusted;
    } else if (found) {
        /* at the project root by construction: prune may rewrite it in place */
        s->baseline_path = found;
        found = NULL;
    } else {
        return 0;
    }
    free(found);
    if (!s->baseline_path) {
        lh_cli_error("out of memory");
        return LH_EXIT_IO;
    }
    o->baseline = s->baseline_path;
    struct stat st;
    if (o->baseline_missing_ok && stat(s->baseline_path, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_size == 0) {
        return 0; /* `baseline create > FILE`: the shell emptied FILE before we ran */
    }
    int rc = lh_baseline_load_file(&s->baseline, s->baseline_path);
    if (rc == LH_ENOTFOUND && o->baseline_missing_ok) {
        return 0;
    }
    if (rc < 0) {
        /* never scan without a baseline that was asked for: that would report a different set */
        lh_cli_error("%s", lh_error_get());
        return rc == LH_EIO || rc == LH_ENOMEM ? LH_EXIT_IO : LH_EXIT_CONFIG;
    }
    return 0;
}

/* Loads path into cfg; prints the error and returns an exit code on failure. */
static int load_config_file(struct lh_config *cfg, const char *path)
{
    int rc = lh_config_load_file(cfg, path);
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        return rc == LH_EIO || rc == LH_ENOMEM ? LH_EXIT_IO : LH_EXIT_CONFIG;
    }
    return 0;
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
    int ex = load_config_file(&user, path);
    if (ex == 0 && user.nkeys > (user.has_revoke ? 1u : 0u)) {
        lh_cli_error("%s: only 'revoke' is read from the user configuration file; other "
                     "settings belong in the project's .leakhound.yml or a --config file",
                     path);
        ex = LH_EXIT_CONFIG;
    }
    /* its relative state_dir was made relative to it when it was loaded */
    if (ex == 0 && user.has_revoke) {
        lh_revoke_config_move(&cfg->revoke, &user.revoke);
    }
    lh_config_dispose(&user);
    free(path);
    return ex;
}

int lh_cli_config_load(struct lh_config *cfg, const char *named, bool none, const char *root,
                       bool quiet)
{
    if (none) {
        return 0;
    }
    if (named) {
        return load_config_file(cfg, named); /* named by the user: trusted, all of it */
    }
    char *found = lh_config_find(root);
    int ex = found ? load_config_file(cfg, found) : 0;
    free(found);
    if (ex) {
        return ex;
    }
    cfg->untrusted = cfg->path != NULL;
    if (cfg->revoke.enabled || cfg->revoke.nroutes || cfg->revoke.state_dir) {
        if (!quiet) {
            char *user = lh_config_user_path();
            lh_cli_warn("%s:%d: 'revoke' ignored: a configuration found in the scanned tree "
                        "cannot send findings anywhere or choose the state directory; name "
                        "the file with --config, or put the section in %s",
                        cfg->path, cfg->revoke_line,
                        user ? user : "$XDG_CONFIG_HOME/leakhound/config.yml");
            free(user);
        }
        lh_config_drop_revoke(cfg);
    }
    return load_user_revoke(cfg);
}

int lh_cli_session_open(struct lh_cli_session *s, struct lh_cli_opts *o, const char *root)
{
    memset(s, 0, sizeof(*s));
    lh_config_init(&s->cfg);
    lh_baseline_init(&s->baseline);
    s->t0 = lh_cli_now();
    int ex = lh_cli_config_load(&s->cfg, o->config_path, o->no_config, root, o->quiet);
    if (ex) {
        return ex;
    }
    bool in_git = false;
    s->project_root = project_root(&s->cfg, root, &in_git);
    /* rule selection is layered in load_rules: the file first, the command line on top */
    if (add_config_rules(o, &s->cfg) < 0 || push_all(&o->exclude, &s->cfg.allow_paths) < 0) {
        lh_cli_error("out of memory");
        return LH_EXIT_IO;
    }
    if (s->cfg.has_inline_allow_confirmed && !s->cfg.inline_allow_confirmed) {
        o->no_inline_allow_confirmed = true; /* any config may only make this stricter */
    }
    if (s->cfg.has_fail_on && !o->has_fail_on) {
        o->fail_on = s->cfg.fail_on;
    }
    if (s->cfg.has_min_confidence && !o->has_min_confidence) {
        o->min_confidence = s->cfg.min_confidence;
    }
    if (s->cfg.format && !o->has_format) {
        if (!lh_report_find(s->cfg.format)) {
            lh_cli_error("%s:%d:%d: unknown format '%s' (expected one of: %s)", s->cfg.path,
                         s->cfg.format_line, s->cfg.format_column, s->cfg.format,
                         lh_report_formats());
            return LH_EXIT_CONFIG;
        }
        o->format = s->cfg.format;
    }
    /* the repository's name is read from its config only when an output carries it (the
     * text format and a pre-commit hook's run do not pay for it) */
    ex = lh_cli_reports_check(o);
    if (ex) {
        return ex;
    }
    if (in_git && (strcmp(o->format, "text") != 0 || o->reports.count || o->revoke ||
                   o->revoke_urls.count || s->cfg.revoke.nroutes)) {
        lh_cli_default_repo_name(o, s->project_root);
    }
    ex = open_baseline(s, o);
    if (ex) {
        return ex;
    }
    ex = lh_cli_revoke_check(s, o);
    if (ex) {
        return ex;
    }
    ex = load_rules(&s->rs, o, &s->cfg);
    if (ex) {
        return ex;
    }
    return lh_cli_build_detector(&s->det, s->rs, o);
}

void lh_cli_session_set_inputs(struct lh_cli_session *s, const char *const *paths, size_t n)
{
    s->full_scan = false;
    for (size_t i = 0; s->project_root && i < n && !s->full_scan; i++) {
        if (!strcmp(paths[i], "-")) {
            continue;
        }
        char *real = realpath(paths[i], NULL);
        s->full_scan = real && !strcmp(real, s->project_root);
        free(real);
    }
}

bool lh_cli_session_entry_checked(const struct lh_cli_session *s, const struct lh_baseline_entry *e)
{
    const struct lh_rule *r = s->rs ? lh_ruleset_find(s->rs, e->rule_id) : NULL;
    if (e->commit[0] && !s->scans_history) {
        return false;
    }
    return r && lh_rule_active(r);
}

#define MAX_ENTRY_WARNINGS 20

size_t lh_cli_session_apply_baseline(struct lh_cli_session *s, const struct lh_cli_opts *o,
                                     struct lh_findings *l, bool warn_stale)
{
    if (!s->baseline_path) {
        return 0;
    }
    char today[LH_BASELINE_DATE_LEN + 1];
    lh_baseline_today(today);
    struct lh_baseline_stats st;
    lh_baseline_apply(&s->baseline, l, today, &st);
    const char *name = s->baseline_path;
    size_t stale = 0;
    size_t shown = 0;
    for (size_t i = 0; i < s->baseline.count; i++) {
        const struct lh_baseline_entry *e = &s->baseline.entries[i];
        bool expired = e->matched && lh_baseline_expired(e, today);
        bool is_stale = !e->matched && lh_cli_session_entry_checked(s, e);
        stale += is_stale;
        if (o->quiet || !(expired || (is_stale && warn_stale)) || shown++ >= MAX_ENTRY_WARNINGS) {
            continue;
        }
        if (expired) {
            lh_cli_warn("%s:%d: baseline entry for rule '%s' (fingerprint %s) expired on %s; "
                        "its finding%s reported again",
                        name, e->line, e->rule_id, e->fingerprint, e->expires,
                        e->matched == 1 ? " is" : "s are");
        } else {
            lh_cli_warn("%s:%d: stale baseline entry for rule '%s' (fingerprint %s) matched no "
                        "finding; remove it with 'leakhound baseline prune'",
                        name, e->line, e->rule_id, e->fingerprint);
        }
    }
    if (!o->quiet && shown > MAX_ENTRY_WARNINGS) {
        lh_cli_warn("%s: %zu more expired or stale baseline entries not listed", name,
                    shown - MAX_ENTRY_WARNINGS);
    }
    if (!o->quiet && warn_stale && stale) {
        lh_cli_warn("%s: %zu stale baseline entr%s", name, stale, stale == 1 ? "y" : "ies");
    }
    return stale;
}

int lh_cli_session_finish(struct lh_cli_session *s, struct lh_cli_opts *o, struct lh_findings *l,
                          struct lh_report_summary *sum)
{
    lh_findings_sort(l);
    for (size_t i = 0; i < l->count; i++) {
        struct lh_finding *f = &l->items[i];
        if (!f->invalid && !f->suppressed && f->confidence < o->min_confidence) {
            f->suppressed = true;
            f->suppressed_by = LH_SUPP_CONFIDENCE;
        }
    }
    lh_cli_session_apply_baseline(s, o, l, s->full_scan);
    sum->seconds = lh_cli_now() - s->t0;
    int ex = lh_cli_write_report(o, s->rs, l, sum);
    int rex = ex ? 0 : lh_cli_revoke_session(s, o, l); /* after the report: may wait on HTTP */
    ex = ex ? ex : rex ? rex : lh_cli_scan_exit(o, l, sum);
    if (o->hint && ex == LH_EXIT_FINDINGS) {
        lh_cli_print_hint(o->hint_staged);
    }
    return ex;
}

void lh_cli_print_hint(bool staged)
{
    /* the one remediation text: the native hook (hooks/pre-commit) and the pre-commit
     * framework hooks (.pre-commit-hooks.yaml) both print it through --hint */
    fputs("\nleakhound: commit blocked: ", stderr);
    fputs(staged ? "the staged changes above add a secret.\n"
                   "  - Remove it from the index:      git restore --staged <file>   (then edit "
                   "the file)\n"
                 : "the files above hold a secret.\n"
                   "  - Remove it from the file, and from history if it was committed.\n",
          stderr);
    fputs("  - Rotate it if it was ever pushed or shared: it is compromised.\n"
          "  - A false positive? Allow the line with a comment containing   leakhound:allow\n"
          "    or record it in the baseline:  leakhound baseline create -o "
          ".leakhound-baseline.json\n"
          "  - Bypass this check once:        git commit --no-verify\n",
          stderr);
}

int lh_cli_session_finish_git(struct lh_cli_session *s, struct lh_cli_opts *o,
                              struct lh_findings *l, struct lh_history_stats *st, const char *unit)
{
    struct lh_report_summary sum = {
        .files = atomic_load(&st->scanned),
        .bytes = atomic_load(&st->bytes),
        .skipped_binary = atomic_load(&st->skipped_binary),
        .skipped_large = atomic_load(&st->skipped_large),
        .errors = atomic_load(&st->errors),
        .unit = unit,
    };
    return lh_cli_session_finish(s, o, l, &sum);
}

int lh_cli_git_fail(int rc, const char *msg)
{
    lh_cli_error("%s", msg);
    return rc == LH_EUSAGE || rc == LH_ENOTFOUND ? LH_EXIT_USAGE : lh_exit_from_error(rc);
}

int lh_cli_session_baseline_writable(const struct lh_cli_session *s)
{
    if (!s->baseline_untrusted) {
        return 0;
    }
    char *real = realpath(s->baseline_path, NULL);
    char *cfg = realpath(s->cfg.path, NULL);
    char *slash = cfg ? strrchr(cfg, '/') : NULL;
    bool inside = false;
    if (real && slash) {
        size_t n = (size_t)(slash - cfg) + 1; /* the directory, with its '/' */
        inside = strncmp(real, cfg, n) == 0;
    }
    free(real);
    free(cfg);
    if (inside) {
        return 0;
    }
    lh_cli_error("refusing to rewrite '%s': the baseline named by '%s' lies outside that file's "
                 "directory; name it with --baseline, or write elsewhere with --output",
                 s->baseline_path, s->cfg.path);
    return LH_EXIT_USAGE;
}

void lh_cli_session_close(struct lh_cli_session *s)
{
    lh_detector_free(s->det);
    lh_ruleset_free(s->rs);
    lh_config_dispose(&s->cfg);
    lh_baseline_dispose(&s->baseline);
    free(s->baseline_path);
    free(s->project_root);
    memset(s, 0, sizeof(*s));
}
