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

const struct option lh_cli_common_longopts[] = {
    {"rules", required_argument, NULL, OPT_RULES},
    {"no-builtin-rules", no_argument, NULL, OPT_NO_BUILTIN},
    {"enable-rule", required_argument, NULL, OPT_ENABLE_RULE},
    {"disable-rule", required_argument, NULL, OPT_DISABLE_RULE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"report", required_argument, NULL, OPT_REPORT},
    {"show-secrets", no_argument, NULL, OPT_SHOW_SECRETS},
    {"show-invalid", no_argument, NULL, OPT_SHOW_INVALID},
    {"no-inline-allow", no_argument, NULL, OPT_NO_INLINE_ALLOW},
    {"no-inline-allow-confirmed", no_argument, NULL, OPT_NO_INLINE_ALLOW_CONFIRMED},
    {"show-suppressed", no_argument, NULL, OPT_SHOW_SUPPRESSED},
    {"repo-name", required_argument, NULL, OPT_REPO_NAME},
    {"hint", no_argument, NULL, OPT_HINT},
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
    {"revoke", no_argument, NULL, OPT_REVOKE},
    {"revoke-url", required_argument, NULL, OPT_REVOKE_URL},
    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"max-findings-per-file", required_argument, NULL, OPT_MAX_FINDINGS},
    {"regex-match-limit", required_argument, NULL, OPT_MATCH_LIMIT},
    {"regex-depth-limit", required_argument, NULL, OPT_DEPTH_LIMIT},
    {"max-archive-depth", required_argument, NULL, OPT_MAX_ARCHIVE_DEPTH},
    {"max-archive-size", required_argument, NULL, OPT_MAX_ARCHIVE_SIZE},
    {"max-archive-member-size", required_argument, NULL, OPT_MAX_ARCHIVE_MEMBER_SIZE},
    {"max-archive-members", required_argument, NULL, OPT_MAX_ARCHIVE_MEMBERS},
    {"max-archive-ratio", required_argument, NULL, OPT_MAX_ARCHIVE_RATIO},
    {"max-archive-time", required_argument, NULL, OPT_MAX_ARCHIVE_TIME},
    {"max-decode-depth", required_argument, NULL, OPT_MAX_DECODE_DEPTH},
    {NULL, 0, NULL, 0},
};
const size_t lh_cli_common_nlongopts =
    sizeof(lh_cli_common_longopts) / sizeof(lh_cli_common_longopts[0]) - 1;

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
    o->max_decode_depth = LH_CLI_DECODE_DEPTH;
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

void lh_cli_usage_rule_options(FILE *f)
{
    fputs("  -f, --format FORMAT         text, json, jsonl, sarif, github or gitlab (default\n"
          "                              text)\n"
          "  -o, --output FILE           write the report to FILE\n"
          "  --report FORMAT[:FILE]      one more report, to FILE (atomically) or stdout\n"
          "                              (repeatable: --report sarif:out.sarif --report\n"
          "                              github); --format still goes to the terminal\n"
          "  --config FILE               configuration (default: .leakhound.yml at the\n"
          "                              repository root, revoke section ignored);\n"
          "                              --no-config reads no configuration file\n"
          "  --rules PATH                add rules from a YAML file or directory (repeatable)\n"
          "  --no-builtin-rules          start from no rules\n"
          "  --enable-rule ID            enable rules (glob), including opt-in rules\n"
          "  --disable-rule ID           disable rules (glob)\n"
          "  --max-decode-depth N        levels of base64, percent and escape decoding whose\n"
          "                              text is scanned too (default 2, 0 turns it off)\n",
          f);
}

void lh_cli_usage_report_options(FILE *f)
{
    fputs("  --show-secrets              print whole secrets (redacted by default)\n"
          "  --show-invalid              also list matches whose checksum failed\n"
          "  --no-inline-allow           ignore leakhound:allow comments (audits)\n"
          "  --no-inline-allow-confirmed leakhound:allow never hides a confirmed finding\n"
          "  --show-suppressed           also list suppressed findings (inline, baseline)\n"
          "  --hint                      when a secret is found, say how to unblock (hooks)\n"
          "  --repo-name NAME            repository name in JSON, SARIF and revocations\n"
          "                              (default: the origin URL, without credentials)\n"
          "  --baseline FILE             suppress the findings listed in FILE (see\n"
          "                              'leakhound baseline --help')\n"
          "  --min-confidence LEVEL      report only confirmed|probable|low and above\n"
          "  --fail-on LEVEL             exit 1 only for findings at or above LEVEL\n"
          "  --exit-code N               exit code when findings are reported (default 1)\n"
          "  --color auto|always|never   colour (honours NO_COLOR)\n"
          "  --no-cache                  do not read or write the compiled-rules cache\n",
          f);
}

void lh_cli_usage_archive_options(FILE *f)
{
    fputs("  --max-archive-depth N       open archives nested N deep (default 3; 0: archives\n"
          "                              are not opened)\n"
          "  --max-archive-size SIZE     uncompressed bytes read per archive (default 1G)\n"
          "  --max-archive-member-size SIZE  bytes scanned per member (default 25M)\n"
          "  --max-archive-members N     members per archive (default 50000)\n"
          "  --max-archive-ratio N       compression ratio past 1 MiB (default 100; 0: off)\n"
          "  --max-archive-time SECONDS  time per archive (default 60; 0: no limit)\n",
          f);
}

/* The --max-archive-* options; 1 handled, -1 error, 0 not one of them. */
static int archive_option(struct lh_archive_limits *a, int opt, const char *arg)
{
    size_t n = 0;
    switch (opt) {
    case OPT_MAX_ARCHIVE_DEPTH:
        if (!arg[0] || strspn(arg, "0123456789") != strlen(arg) || lh_cli_parse_size(&n, arg) < 0 ||
            n > 32) {
            lh_cli_error("--max-archive-depth takes a number from 0 to 32, not '%s'", arg);
            return -1;
        }
        a->max_depth = (unsigned)n;
        return 1;
    case OPT_MAX_ARCHIVE_SIZE:
    case OPT_MAX_ARCHIVE_MEMBER_SIZE:
        if (lh_cli_parse_size(&n, arg) < 0 || (n == 0 && opt == OPT_MAX_ARCHIVE_MEMBER_SIZE)) {
            lh_cli_error("--max-archive-%s takes a size such as 25M, not '%s'",
                         opt == OPT_MAX_ARCHIVE_SIZE ? "size" : "member-size", arg);
            return -1;
        }
        if (opt == OPT_MAX_ARCHIVE_SIZE) {
            a->max_size = n;
        } else {
            a->max_member_size = n;
        }
        return 1;
    case OPT_MAX_ARCHIVE_MEMBERS:
    case OPT_MAX_ARCHIVE_RATIO:
        if (!arg[0] || strspn(arg, "0123456789") != strlen(arg) || lh_cli_parse_size(&n, arg) < 0 ||
            n > 1000000000) {
            lh_cli_error("--max-archive-%s takes a number, not '%s'",
                         opt == OPT_MAX_ARCHIVE_RATIO ? "ratio" : "members", arg);
            return -1;
        }
        if (opt == OPT_MAX_ARCHIVE_RATIO) {
            a->max_ratio = (unsigned)n;
        } else {
            a->max_members = n;
        }
        return 1;
    case OPT_MAX_ARCHIVE_TIME: {
        char *end = NULL;
        errno = 0;
        double s = strtod(arg, &end);
        if (end && *end == 's' && end[1] == '\0') {
            end++;
        } else if (end && *end == 'm' && end[1] == '\0') {
            s *= 60;
            end++;
        }
        if (errno || end == arg || *end || !(s >= 0) || s > 86400.0 * 365) {
            lh_cli_error("--max-archive-time takes seconds such as 60 or 2m, not '%s'", arg);
            return -1;
        }
        a->max_seconds = s;
        return 1;
    }
    default:
        return 0;
    }
}

int lh_cli_opts_handle(struct lh_cli_opts *o, int opt, const char *arg)
{
    int ah = archive_option(&o->archive, opt, arg);
    if (ah != 0) {
        return ah;
    }
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
        o->has_format = true;
        return 1;
    case OPT_OUTPUT:
        o->output = arg;
        return 1;
    case OPT_REPORT: {
        struct lh_report_dest d;
        int rc = lh_report_dest_parse(&d, arg);
        lh_report_dest_dispose(&d);
        if (rc < 0) {
            lh_cli_error("--report: %s", lh_error_get());
            return -1;
        }
        return lh_strlist_push(&o->reports, arg) < 0 ? -1 : 1;
    }
    case OPT_SHOW_SECRETS:
        o->show_secrets = true;
        return 1;
    case OPT_SHOW_INVALID:
        o->show_invalid = true;
        return 1;
    case OPT_NO_INLINE_ALLOW_CONFIRMED:
        o->no_inline_allow_confirmed = true;
        return 1;
    case OPT_HINT:
        o->hint = true;
        return 1;
    case OPT_REPO_NAME:
        free(o->repo_name);
        o->repo_name = strdup(arg);
        if (!o->repo_name) {
            lh_cli_error("out of memory");
            return -1;
        }
        return 1;
    case OPT_SHOW_SUPPRESSED:
        o->show_suppressed = true;
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
        o->has_min_confidence = true;
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
    case OPT_REVOKE:
        o->revoke = true;
        return 1;
    case OPT_REVOKE_URL:
        return lh_strlist_push(&o->revoke_urls, arg) < 0 ? -1 : 1;
    case OPT_STATE_DIR:
        o->state_dir = arg;
        return 1;
    case OPT_DRY_RUN:
        o->dry_run = true;
        return 1;
    case OPT_MAX_FINDINGS:
        /* docs/limits.md: caps memory and report size for a file full of secrets */
        if (lh_cli_parse_size(&o->max_findings, arg) < 0 || o->max_findings < 1 ||
            o->max_findings > 1000000) {
            lh_cli_error("--max-findings-per-file takes a number from 1 to 1000000, not '%s'", arg);
            return -1;
        }
        return 1;
    case OPT_MATCH_LIMIT:
    case OPT_DEPTH_LIMIT: {
        size_t n = 0;
        size_t lo = opt == OPT_MATCH_LIMIT ? 1000 : 100;
        if (lh_cli_parse_size(&n, arg) < 0 || n < lo || n > 1000000000) {
            lh_cli_error("--regex-%s-limit takes a number from %zu to 1000000000, not '%s'",
                         opt == OPT_MATCH_LIMIT ? "match" : "depth", lo, arg);
            return -1;
        }
        if (opt == OPT_MATCH_LIMIT) {
            o->match_limit = (uint32_t)n;
        } else {
            o->depth_limit = (uint32_t)n;
        }
        return 1;
    }
    case OPT_MAX_DECODE_DEPTH:
        /* digits only, as --exit-code: "2K" is not a depth */
        if (!arg[0] || strspn(arg, "0123456789") != strlen(arg) || strlen(arg) > 2 ||
            lh_cli_parse_size(&o->max_decode_depth, arg) < 0 ||
            o->max_decode_depth > LH_DECODE_MAX_DEPTH) {
            lh_cli_error("--max-decode-depth takes a number from 0 to %d, not '%s'",
                         LH_DECODE_MAX_DEPTH, arg);
            return -1;
        }
        o->has_max_decode_depth = true;
        return 1;
    case OPT_EXIT_CODE: {
        size_t n = 0;
        /* digits only: no size suffixes, signs or blanks */
        if (!arg[0] || strspn(arg, "0123456789") != strlen(arg) || strlen(arg) > 3 ||
            lh_cli_parse_size(&n, arg) < 0 || n > 255) {
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
    dopts.decode_depth = o->max_decode_depth;
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
    if (ex == 0 && user.state_dir) {
        char *abs = lh_cli_config_relative(&user, user.state_dir);
        if (!abs) {
            lh_cli_error("out of memory");
            ex = LH_EXIT_IO;
        }
        free(user.state_dir);
        user.state_dir = abs;
    }
    if (ex == 0 && user.has_revoke) {
        lh_config_take_revoke(cfg, &user);
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
    if (cfg->revoke_enabled || cfg->nroutes || cfg->state_dir) {
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
    if (s->cfg.has_max_decode_depth && !o->has_max_decode_depth) {
        o->max_decode_depth = s->cfg.max_decode_depth;
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
                   o->revoke_urls.count || s->cfg.nroutes)) {
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

char *lh_cli_revoke_state_dir(const char *flag, const struct lh_config *cfg)
{
    if (flag) {
        return strdup(flag);
    }
    const char *env = getenv("LEAKHOUND_STATE_DIR");
    if (!(env && *env) && cfg->state_dir) {
        return lh_cli_config_relative(cfg, cfg->state_dir);
    }
    return lh_revoke_default_state_dir();
}

int lh_cli_revoke_routes(struct lh_revoke_route **out, size_t *n, const struct lh_config *cfg,
                         const struct lh_strlist *urls, char *secret_env)
{
    size_t total = cfg->nroutes + (urls ? urls->count : 0);
    *out = NULL;
    *n = 0;
    if (total == 0) {
        return 0;
    }
    struct lh_revoke_route *r = calloc(total, sizeof(*r));
    if (!r) {
        return lh_error_oom();
    }
    for (size_t i = 0; i < total; i++) {
        if (i < cfg->nroutes) {
            r[i] = cfg->routes[i];
        } else {
            lh_revoke_route_init(&r[i]);
            r[i].url = urls->items[i - cfg->nroutes];
            r[i].secret_env = secret_env;
        }
    }
    *out = r;
    *n = total;
    return 0;
}
