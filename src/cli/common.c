/* SPDX-License-Identifier: MIT */
/* Shared CLI plumbing; see common.h. */
#include "cli/common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/exit.h"
#include "util/fs.h"
#include "util/error.h"

const struct option lh_cli_common_longopts[] = {
    {"rules", required_argument, NULL, OPT_RULES},
    {"no-builtin-rules", no_argument, NULL, OPT_NO_BUILTIN},
    {"enable-rule", required_argument, NULL, OPT_ENABLE_RULE},
    {"disable-rule", required_argument, NULL, OPT_DISABLE_RULE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"show-secrets", no_argument, NULL, OPT_SHOW_SECRETS},
    {"show-invalid", no_argument, NULL, OPT_SHOW_INVALID},
    {"no-inline-allow", no_argument, NULL, OPT_NO_INLINE_ALLOW},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"follow-symlinks", no_argument, NULL, OPT_FOLLOW_SYMLINKS},
    {"scan-binary", no_argument, NULL, OPT_SCAN_BINARY},
    {"color", required_argument, NULL, OPT_COLOR},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"exit-code", required_argument, NULL, OPT_EXIT_CODE},
    {"help", no_argument, NULL, OPT_HELP},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"no-config", no_argument, NULL, OPT_NO_CONFIG},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"min-confidence", required_argument, NULL, OPT_MIN_CONFIDENCE},
    {NULL, 0, NULL, 0},
};
const size_t lh_cli_common_nlongopts = sizeof(lh_cli_common_longopts) /
                                           sizeof(lh_cli_common_longopts[0]) -
                                       1;

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
}

void lh_cli_opts_dispose(struct lh_cli_opts *o)
{
    lh_strlist_dispose(&o->rule_paths);
    lh_strlist_dispose(&o->enable);
    lh_strlist_dispose(&o->disable);
    lh_strlist_dispose(&o->exclude);
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

int lh_cli_opts_handle(struct lh_cli_opts *o, int opt, const char *arg)
{
    switch (opt) {
    case OPT_RULES:
        return lh_strlist_push(&o->rule_paths, arg) < 0 ? -1 : 1;
    case OPT_NO_BUILTIN:
        o->no_builtin = true;
        return 1;
    case OPT_ENABLE_RULE:
        return lh_strlist_push(&o->enable, arg) < 0 ? -1 : 1;
    case OPT_DISABLE_RULE:
        return lh_strlist_push(&o->disable, arg) < 0 ? -1 : 1;
    case OPT_EXCLUDE:
        return lh_strlist_push(&o->exclude, arg) < 0 ? -1 : 1;
    case OPT_FORMAT:
        if (!lh_report_find(arg)) {
            lh_cli_error("unknown format '%s' (expected one of: %s)", arg, lh_report_formats());
            return -1;
        }
        o->format = arg;
        return 1;
    case OPT_OUTPUT:
        o->output = arg;
        return 1;
    case OPT_SHOW_SECRETS:
        o->show_secrets = true;
        return 1;
    case OPT_SHOW_INVALID:
        o->show_invalid = true;
        return 1;
    case OPT_NO_INLINE_ALLOW:
        o->no_inline_allow = true;
        return 1;
    case OPT_QUIET:
        o->quiet = true;
        return 1;
    case OPT_NO_CACHE:
        o->no_cache = true;
        return 1;
    case OPT_FOLLOW_SYMLINKS:
        o->follow_symlinks = true;
        return 1;
    case OPT_SCAN_BINARY:
        o->scan_binary = true;
        return 1;
    case OPT_COLOR:
        if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never")) {
            lh_cli_error("--color takes auto, always or never, not '%s'", arg);
            return -1;
        }
        o->color = arg;
        return 1;
    case OPT_THREADS: {
        size_t n = 0;
        if (lh_cli_parse_size(&n, arg) < 0 || n < 1 || n > 1024) {
            lh_cli_error("--threads takes a number from 1 to 1024, not '%s'", arg);
            return -1;
        }
        o->threads = n;
        return 1;
    }
    case OPT_MAX_FILE_SIZE:
        if (lh_cli_parse_size(&o->max_file_size, arg) < 0 || o->max_file_size == 0) {
            lh_cli_error("--max-file-size takes a size such as 25M, not '%s'", arg);
            return -1;
        }
        return 1;
    case OPT_FAIL_ON:
        if (lh_confidence_parse(&o->fail_on, arg) < 0) {
            lh_cli_error("--fail-on takes confirmed, probable or low, not '%s'", arg);
            return -1;
        }
        o->has_fail_on = true;
        return 1;
    case OPT_MIN_CONFIDENCE:
        if (lh_confidence_parse(&o->min_confidence, arg) < 0) {
            lh_cli_error("--min-confidence takes confirmed, probable or low, not '%s'", arg);
            return -1;
        }
        return 1;
    case OPT_CONFIG:
        o->config_path = arg;
        return 1;
    case OPT_NO_CONFIG:
        o->no_config = true;
        return 1;
    case OPT_BASELINE:
        o->baseline = arg;
        return 1;
    case OPT_EXIT_CODE: {
        size_t n = 0;
        if (lh_cli_parse_size(&n, arg) < 0 || n > 255) {
            lh_cli_error("--exit-code takes a number from 0 to 255, not '%s'", arg);
            return -1;
        }
        o->exit_code = (int)n;
        return 1;
    }
    default:
        return 0;
    }
}

int lh_cli_load_rules(struct lh_ruleset **out, const struct lh_cli_opts *o)
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
        return rc == LH_EIO ? LH_EXIT_IO : LH_EXIT_CONFIG;
    }
    for (size_t i = 0; i < o->enable.count; i++) {
        if (!lh_ruleset_select(rs, o->enable.items[i], true)) {
            lh_cli_error("--enable-rule '%s' matches no rule", o->enable.items[i]);
            lh_ruleset_free(rs);
            return LH_EXIT_USAGE;
        }
    }
    for (size_t i = 0; i < o->disable.count; i++) {
        if (!lh_ruleset_select(rs, o->disable.items[i], false)) {
            lh_cli_error("--disable-rule '%s' matches no rule", o->disable.items[i]);
            lh_ruleset_free(rs);
            return LH_EXIT_USAGE;
        }
    }
    *out = rs;
    return 0;
}

int lh_cli_build_detector(struct lh_detector **d, const struct lh_ruleset *rs,
                          const struct lh_cli_opts *o)
{
    struct lh_detect_opts dopts = {0};
    dopts.matcher.use_cache = !o->no_cache;
    dopts.inline_allow = !o->no_inline_allow;
    dopts.keep_invalid = o->show_invalid;
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

int lh_cli_write_report(const struct lh_cli_opts *o, const struct lh_ruleset *rs,
                        const struct lh_findings *l, const struct lh_report_summary *s)
{
    FILE *out = stdout;
    if (o->output && strcmp(o->output, "-") != 0) {
        out = fopen(o->output, "w");
        if (!out) {
            lh_cli_error("cannot write '%s': %s", o->output, strerror(errno));
            return LH_EXIT_IO;
        }
    }
    struct lh_report_ctx ctx = {
        .show_secrets = o->show_secrets,
        .show_invalid = o->show_invalid,
        .color = lh_cli_use_color(o->color, out),
        .rules = rs,
        .summary = s,
        .tool_version = LH_VERSION,
    };
    int rc = lh_report_find(o->format)->write(out, l, &ctx);
    if (fflush(out) != 0) {
        rc = LH_EIO;
    }
    if (out != stdout && fclose(out) != 0) {
        rc = LH_EIO;
    }
    if (rc < 0) {
        lh_cli_error("cannot write the report to '%s': %s", o->output ? o->output : "stdout",
                     strerror(errno));
        return LH_EXIT_IO;
    }
    if (!o->quiet) {
        char line[512];
        lh_report_summary_line(line, sizeof(line), l, s, o->show_invalid);
        fprintf(stderr, "leakhound: %s\n", line);
    }
    return 0;
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

int lh_cli_parse(struct lh_cli_opts *o, int argc, char **argv, const struct option *extra,
                 lh_cli_extra_fn handle, void *payload, void (*usage)(FILE *))
{
    struct option longopts[96];
    size_t n = 0;
    for (; n < lh_cli_common_nlongopts; n++) {
        longopts[n] = lh_cli_common_longopts[n];
    }
    for (size_t i = 0; extra && extra[i].name && n < 95; i++) {
        longopts[n++] = extra[i];
    }
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "+o:f:qh", longopts, NULL)) != -1) {
        if (opt == 'h' || opt == OPT_HELP) {
            usage(stdout);
            return -1;
        }
        if (opt == 'o') {
            opt = OPT_OUTPUT;
        } else if (opt == 'f') {
            opt = OPT_FORMAT;
        } else if (opt == 'q') {
            opt = OPT_QUIET;
        }
        int h = lh_cli_opts_handle(o, opt, optarg);
        if (h == 0 && handle && opt != '?') {
            h = handle(opt, optarg, payload);
        }
        if (h <= 0) {
            if (h == 0) {
                usage(stderr);
            }
            return LH_EXIT_USAGE;
        }
    }
    return 0;
}

/* Rule paths in a config file are relative to the file's directory. */
static int add_config_rules(struct lh_cli_opts *o, const struct lh_config *cfg)
{
    for (size_t i = 0; i < cfg->rules.count; i++) {
        const char *r = cfg->rules.items[i];
        char *path = NULL;
        const char *slash = cfg->path ? strrchr(cfg->path, '/') : NULL;
        if (r[0] != '/' && slash) {
            char *dir = strndup(cfg->path, (size_t)(slash - cfg->path));
            path = dir ? lh_path_join(dir, r) : NULL;
            free(dir);
        } else {
            path = strdup(r);
        }
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

int lh_cli_session_open(struct lh_cli_session *s, struct lh_cli_opts *o, const char *root)
{
    memset(s, 0, sizeof(*s));
    lh_config_init(&s->cfg);
    s->t0 = lh_cli_now();
    if (!o->no_config) {
        char *found = o->config_path ? strdup(o->config_path) : lh_config_find(root);
        if (found) {
            int rc = lh_config_load_file(&s->cfg, found);
            free(found);
            if (rc < 0) {
                lh_cli_error("%s", lh_error_get());
                return rc == LH_EIO ? LH_EXIT_IO : LH_EXIT_CONFIG;
            }
        }
    }
    /* the file first, then the command line on top */
    if (add_config_rules(o, &s->cfg) < 0 || push_all(&o->enable, &s->cfg.enable_rules) < 0 ||
        push_all(&o->disable, &s->cfg.disable_rules) < 0 ||
        push_all(&o->exclude, &s->cfg.allow_paths) < 0) {
        lh_cli_error("out of memory");
        return LH_EXIT_IO;
    }
    if (s->cfg.has_fail_on && !o->has_fail_on) {
        o->fail_on = s->cfg.fail_on;
    }
    if (s->cfg.has_min_confidence && o->min_confidence == LH_CONF_LOW) {
        o->min_confidence = s->cfg.min_confidence;
    }
    if (s->cfg.format && !strcmp(o->format, "text")) {
        if (!lh_report_find(s->cfg.format)) {
            lh_cli_error("%s: unknown format '%s' (expected one of: %s)", s->cfg.path,
                         s->cfg.format, lh_report_formats());
            return LH_EXIT_CONFIG;
        }
        o->format = s->cfg.format;
    }
    if (s->cfg.baseline && !o->baseline) {
        o->baseline = s->cfg.baseline;
    }
    int ex = lh_cli_load_rules(&s->rs, o);
    if (ex) {
        return ex;
    }
    return lh_cli_build_detector(&s->det, s->rs, o);
}

int lh_cli_session_finish(struct lh_cli_session *s, struct lh_cli_opts *o,
                          struct lh_findings *l, struct lh_report_summary *sum)
{
    lh_findings_sort(l);
    for (size_t i = 0; i < l->count; i++) {
        struct lh_finding *f = &l->items[i];
        if (!f->invalid && f->confidence < o->min_confidence) {
            f->suppressed = true;
        }
    }
    sum->seconds = lh_cli_now() - s->t0;
    int ex = lh_cli_write_report(o, s->rs, l, sum);
    return ex ? ex : lh_cli_scan_exit(o, l, sum);
}

void lh_cli_session_close(struct lh_cli_session *s)
{
    lh_detector_free(s->det);
    lh_ruleset_free(s->rs);
    lh_config_dispose(&s->cfg);
    memset(s, 0, sizeof(*s));
}
