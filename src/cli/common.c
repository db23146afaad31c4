/* SPDX-License-Identifier: MIT */
/*
 * Shared command-line plumbing; see common.h. A run is prepared in three layers: the
 * defaults, the configuration file, then the command line, parsed a second time on top of
 * the file (the first parse only finds --config, --no-config, --quiet and the first
 * argument, and reports every usage error before any file is read).
 */
#include "cli/common.h"

#include "cli/exit.h"
#include "util/date.h"
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HASH_PREFIX 12

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

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
    fprintf(stderr, "leakhound: %s", kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void lh_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("error: ", fmt, ap);
    va_end(ap);
}

void lh_cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

int lh_cli_fail(int rc)
{
    lh_cli_error("%s", lh_error_get());
    int ex = lh_exit_from_error(rc);
    return ex == LH_EXIT_CLEAN ? LH_EXIT_IO : ex;
}

int lh_cli_since(const char *cmd, const char *since, bool fallback, char **range, int64_t *when)
{
    int rc = lh_date_parse(when, since, (int64_t)time(NULL));
    if (rc == 0) {
        return fallback ? lh_cli_usage_error(cmd, "--range-fallback applies to --since REF, not "
                                                  "to a date")
                        : 0;
    }
    if (rc != LH_ENOTFOUND) {
        return lh_cli_usage_error(cmd, "--since: %s", lh_error_get());
    }
    size_t n = strlen(since) + 7;
    *range = malloc(n);
    if (!*range) {
        lh_cli_error("out of memory");
        return LH_EXIT_IO;
    }
    snprintf(*range, n, "%s..HEAD", since);
    return 0;
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

/* ---- printing the session's callbacks ---- */

/* Prints "leakhound: <kind><msg>" as one whole line, whatever thread calls. */
static void print_line(const struct lh_cli_run *r, const char *kind, const char *msg)
{
    flockfile(stderr);
    if (r->before_print) {
        r->before_print(r->before_print_ctx);
    }
    fprintf(stderr, "leakhound: %s%s\n", kind, msg);
    funlockfile(stderr);
}

static void on_warn(const char *msg, void *payload)
{
    const struct lh_cli_run *r = payload;
    if (!r->args.quiet) {
        print_line(r, "warning: ", msg);
    }
}

static void on_note(const char *msg, void *payload)
{
    const struct lh_cli_run *r = payload;
    if (!r->args.quiet) {
        print_line(r, "", msg);
    }
}

void lh_cli_revoke_event(const struct lh_revoke_event *ev, void *payload)
{
    struct lh_cli_run *r = payload;
    char url[512];
    lh_revoke_url_display(url, sizeof(url), ev->url);
    switch (ev->kind) {
    case LH_REVOKE_EV_PREVIEW:
        r->previews++;
        fprintf(stderr, "leakhound: dry run: would send to %s (rule '%s', sha256 %.*s):\n%s\n", url,
                ev->rule_id, HASH_PREFIX, ev->key, ev->body);
        break;
    case LH_REVOKE_EV_FAILED:
        lh_cli_error("revocation request to '%s' for rule '%s' (sha256 %.*s) failed "
                     "permanently: %s",
                     url, ev->rule_id, HASH_PREFIX, ev->key, ev->error ? ev->error : "rejected");
        break;
    case LH_REVOKE_EV_DEFERRED:
        if (!r->args.quiet) {
            lh_cli_warn("revocation request to '%s' for rule '%s' (sha256 %.*s) is still "
                        "pending: %s; 'leakhound revoke flush' retries it",
                        url, ev->rule_id, HASH_PREFIX, ev->key,
                        ev->error ? ev->error : "not delivered");
        }
        break;
    case LH_REVOKE_EV_QUEUED:
    case LH_REVOKE_EV_DELIVERED:
        break;
    }
}

void lh_cli_print_revoke_stats(const char *dir, const struct lh_revoke_stats *st, bool scan)
{
    if (scan) {
        fprintf(stderr,
                "leakhound: revocation: %zu queued, %zu already handled, %zu delivered, "
                "%zu failed, %zu pending (state: %s)\n",
                st->queued, st->skipped, st->delivered, st->failed, st->pending, dir);
    } else {
        fprintf(stderr,
                "leakhound: revocation: %zu delivered, %zu failed, %zu pending (state: %s)\n",
                st->delivered, st->failed, st->pending, dir);
    }
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

/* ---- preparing and running ---- */

static void args_init(struct lh_cli_args *a)
{
    memset(a, 0, sizeof(*a));
    lh_session_opts_init(&a->so);
    a->so.tool_version = LH_VERSION;
    a->color = "auto";
    a->exit_code = LH_EXIT_FINDINGS;
}

static void config_warning(const char *msg, void *payload)
{
    const bool *quiet = payload;
    if (!*quiet) {
        lh_cli_warn("%s", msg);
    }
}

int lh_cli_prepare(struct lh_cli_run *r, const struct lh_cli_command *cmd, int argc, char **argv,
                   int first, void *own)
{
    memset(r, 0, sizeof(*r));
    r->cmd = cmd;
    args_init(&r->args);
    lh_config_init(&r->cfg);
    /* first pass: usage errors, and where the configuration comes from */
    struct lh_cli_args scratch;
    args_init(&scratch);
    int ex = lh_cli_parse(&r->parsed, cmd, argc, argv, first, &scratch, own);
    const char *named = scratch.config;
    bool none = scratch.no_config;
    bool quiet = scratch.quiet;
    lh_session_opts_dispose(&scratch.so);
    if (ex) {
        return ex;
    }
    const char *root = cmd->args_are_project && r->parsed.nargs && strcmp(r->parsed.args[0], "-")
                           ? r->parsed.args[0]
                           : ".";
    int rc = lh_config_load_trusted(&r->cfg, named, none, root, config_warning, &quiet);
    rc = rc ? rc : lh_config_apply(&r->cfg, &r->args.so);
    if (rc < 0) {
        return lh_cli_fail(rc);
    }
    /* second pass, on top of the file: cannot fail where the first did not */
    lh_cli_parsed_dispose(&r->parsed);
    ex = lh_cli_parse(&r->parsed, cmd, argc, argv, first, &r->args, own);
    if (ex) {
        return ex;
    }
    struct lh_session_opts *so = &r->args.so;
    so->stream = stdout;
    so->color = lh_cli_use_color(r->args.color, stdout);
    so->step_summary = getenv("GITHUB_STEP_SUMMARY");
    so->head_commit = getenv("CI_COMMIT_SHA"); /* gitlab: the pipeline's commit */
    so->warn = on_warn;
    so->note = on_note;
    so->revoke_event = lh_cli_revoke_event;
    so->payload = r;
    r->in.paths = r->parsed.args;
    r->in.npaths = r->parsed.nargs;
    return 0;
}

void lh_cli_run_dispose(struct lh_cli_run *r)
{
    lh_session_free(r->session);
    lh_session_opts_dispose(&r->args.so);
    lh_config_dispose(&r->cfg);
    lh_cli_parsed_dispose(&r->parsed);
    memset(r, 0, sizeof(*r));
}

int lh_cli_run_session(struct lh_cli_run *r)
{
    struct lh_outcome out;
    memset(&out, 0, sizeof(out));
    int rc = lh_session_open(&r->session, &r->args.so, &r->in);
    rc = rc ? rc : lh_session_run(r->session, &out);
    if (rc < 0) {
        return lh_cli_fail(rc);
    }
    if (out.revoked && r->args.so.dry_run) {
        fprintf(stderr,
                "leakhound: dry run: %zu revocation request%s would be queued; nothing was "
                "written or sent\n",
                r->previews, r->previews == 1 ? "" : "s");
    } else if (out.revoked && !r->args.quiet) {
        lh_cli_print_revoke_stats(out.revoke_dir, &out.revoke, true);
    }
    r->verdict = out.verdict;
    switch (out.verdict) {
    case LH_OUTCOME_INCOMPLETE:
        return LH_EXIT_IO;
    case LH_OUTCOME_FINDINGS:
        if (r->args.hint && r->args.exit_code != LH_EXIT_CLEAN) {
            lh_cli_print_hint(r->hint_staged);
        }
        return r->args.exit_code;
    case LH_OUTCOME_CLEAN:
        break;
    }
    return LH_EXIT_CLEAN;
}
